import Foundation
import FrontDeskDomain
import GRDB

/// A row read back from the file, decoded column by column. A value this store could never have
/// written (a file edited by hand, a damaged disk) becomes `StoreError.damagedRow`, naming the
/// table, the row and the column, instead of stopping the program: the desk reports it and the
/// person at the desk can fix the row.
struct StoredRow {
    let row: Row
    let table: String
    private let naming: Naming

    /// How a message names the row, worked out only when a message is made: a search decodes
    /// dozens of rows for every answer, and almost never needs one.
    private enum Naming {
        case rowid(column: Int)
        case described(() -> String)
    }

    /// `rowid`: the index of the row's `rowid` column in the query, when it selects one.
    init(_ row: Row, table: String, rowid index: Int) {
        self.row = row
        self.table = table
        naming = .rowid(column: index)
    }

    init(_ row: Row, table: String, name: @escaping @autoclosure () -> String) {
        self.row = row
        self.table = table
        naming = .described(name)
    }

    /// How the message names the row: `row 12` (its rowid), or what else identifies it.
    var name: String {
        switch naming {
        case .rowid(let column):
            let rowid: DatabaseValue = row[column]
            if case .int64(let number) = rowid.storage { return "row \(number)" }
            return "row ?"
        case .described(let describe):
            return describe()
        }
    }

    /// The largest amount of money a stored price or total may hold (in cents): far above any
    /// real price, and low enough that a year of nights cannot overflow when summed.
    static let largestCents: Int64 = 1_000_000_000_000

    func damaged(_ column: String, _ problem: String) -> StoreError {
        .damagedRow(table: table, row: name, problem: "\(column) \(problem)")
    }

    /// `"2026-13-45"`, `12`, `NULL`: the stored value as the message shows it, control characters
    /// escaped and long text cut short.
    static func describe(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "NULL"
        case .int64(let number): "\(number)"
        case .double(let number): "\(number)"
        case .string(let text): quoted(text.count > 40 ? String(text.prefix(37)) + "..." : text)
        case .blob(let data): "(\(data.count) bytes of binary data)"
        }
    }

    /// `"text"`, with quotes, backslashes and control characters escaped (`\u{1B}`), so a value
    /// planted in the file cannot drive the terminal that prints the message.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case _ where scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format:
                result += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    private func value(_ index: Int) -> DatabaseValue { row[index] }

    private func problem(_ index: Int, _ column: String, _ what: String) -> StoreError {
        let stored = value(index)
        if stored.isNull { return damaged(column, "is missing") }
        return damaged(column, "\(Self.describe(stored)) is not \(what)")
    }

    func text(_ index: Int, _ column: String) throws(StoreError) -> String {
        guard case .string(let text) = value(index).storage else { throw problem(index, column, "text") }
        return text
    }

    func optionalText(_ index: Int, _ column: String) throws(StoreError) -> String? {
        if value(index).isNull { return nil }
        return try text(index, column)
    }

    func optionalInteger(_ index: Int, _ column: String, in range: ClosedRange<Int64>) throws(StoreError) -> Int64? {
        if value(index).isNull { return nil }
        return Int64(try integer(index, column, in: range))
    }

    func integer(_ index: Int, _ column: String, in range: ClosedRange<Int64>) throws(StoreError) -> Int {
        let number: Int64? = switch value(index).storage {
        case .int64(let number): number
        case .double(let number): Int64(exactly: number)
        default: nil
        }
        guard let number else { throw problem(index, column, "a whole number") }
        guard range.contains(number) else { throw damaged(column, "\(number) is not between \(range.lowerBound) and \(range.upperBound)") }
        return Int(number)
    }

    func flag(_ index: Int, _ column: String) throws(StoreError) -> Bool {
        try integer(index, column, in: 0...1) == 1
    }

    func money(_ index: Int, _ column: String) throws(StoreError) -> Money {
        Money(minorUnits: Int64(try integer(index, column, in: 0...Self.largestCents)))
    }

    func id(_ index: Int, _ column: String) throws(StoreError) -> UUID {
        guard case .string(let text) = value(index).storage, let id = Identifier.uuid(text) else {
            throw problem(index, column, "an id")
        }
        return id
    }

    func date(_ index: Int, _ column: String) throws(StoreError) -> CalendarDate {
        guard case .string(let text) = value(index).storage, let date = CalendarDate(iso: text) else {
            throw problem(index, column, "a date")
        }
        return date
    }

    func instant(_ index: Int, _ column: String) throws(StoreError) -> Date {
        guard case .string(let text) = value(index).storage, let instant = Timestamp.date(text) else {
            throw problem(index, column, "a time")
        }
        return instant
    }

    func optionalInstant(_ index: Int, _ column: String) throws(StoreError) -> Date? {
        if value(index).isNull { return nil }
        return try instant(index, column)
    }

    func status(_ index: Int, _ column: String) throws(StoreError) -> BookingStatus {
        guard case .string(let text) = value(index).storage, let status = BookingStatus(rawValue: text) else {
            throw problem(index, column, "a booking status")
        }
        return status
    }
}
