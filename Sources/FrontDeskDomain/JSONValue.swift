import Foundation

/// A JSON document with keys kept in the order they were written, so command-line output and
/// audit snapshots read the same every time. Money is written as a number with two decimals.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number written exactly as given (money `129.00`, ratios `0.7533`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func money(_ amount: Money) -> JSONValue { .number(amount.plain) }
    public static func decimal(_ value: Decimal) -> JSONValue { .number("\(value)") }
    public static func date(_ date: CalendarDate) -> JSONValue { .string(date.iso) }
    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered() == rhs.rendered() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rendered()) }

    public func rendered(pretty: Bool = false) -> String {
        String(decoding: renderedUTF8(pretty: pretty), as: UTF8.self)
    }

    /// The document as UTF-8 bytes, ready to be written (`rendered` is these bytes as a String).
    public func renderedUTF8(pretty: Bool = false) -> [UInt8] {
        // Written as UTF-8 bytes into one buffer: a search prints some 50 kB of JSON, and
        // appending thousands of small strings (and an indentation string per line) was a tenth
        // of its whole run (issue 10).
        var output: [UInt8] = []
        output.reserveCapacity(4096)
        write(into: &output, pretty: pretty, indent: 0)
        return output
    }

    private func write(into output: inout [UInt8], pretty: Bool, indent: Int) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): output.append(contentsOf: String(value).utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): JSONValue.escape(text, into: &output)
        case .array(let items):
            output.append(UInt8(ascii: "["))
            for index in items.indices {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { JSONValue.newLine(indent: indent + 1, into: &output) }
                items[index].write(into: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty && !items.isEmpty { JSONValue.newLine(indent: indent, into: &output) }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            output.append(UInt8(ascii: "{"))
            for index in members.indices {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                if pretty { JSONValue.newLine(indent: indent + 1, into: &output) }
                JSONValue.escape(members[index].0, into: &output)
                output.append(UInt8(ascii: ":"))
                if pretty { output.append(UInt8(ascii: " ")) }
                members[index].1.write(into: &output, pretty: pretty, indent: indent + 1)
            }
            if pretty && !members.isEmpty { JSONValue.newLine(indent: indent, into: &output) }
            output.append(UInt8(ascii: "}"))
        }
    }

    /// A line break and two spaces per level.
    private static func newLine(indent: Int, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\n"))
        for _ in 0..<(2 * indent) { output.append(UInt8(ascii: " ")) }
    }

    static func escape(_ text: String, into output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        // Worked over the String's own UTF-8 bytes: runs that need no escaping are copied whole
        // (most text: names, codes, dates), and a string that holds JSON (a feed entry's data,
        // written into the run's feed for the commit) costs no String per character.
        // 0x7F is DEL; 0xC2 leads C1 controls (U+0080-U+009F), 0xE2 the line and paragraph separators.
        var text = text
        text.withUTF8 { bytes in
            var plainFrom = 0
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                let letter: UInt8? = switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): byte
                case UInt8(ascii: "\n"): UInt8(ascii: "n")
                case UInt8(ascii: "\r"): UInt8(ascii: "r")
                case UInt8(ascii: "\t"): UInt8(ascii: "t")
                default: nil
                }
                var code: UInt32 = 0
                var width = 1
                if letter == nil {
                    if byte < 0x20 || byte == 0x7F {
                        code = UInt32(byte)
                    } else if byte == 0xC2, index + 1 < bytes.count, (0x80...0x9F).contains(bytes[index + 1]) {
                        (code, width) = (UInt32(bytes[index + 1]), 2)
                    } else if byte == 0xE2, index + 2 < bytes.count, bytes[index + 1] == 0x80, (0xA8...0xA9).contains(bytes[index + 2]) {
                        (code, width) = (0x2000 | UInt32(bytes[index + 2] - 0x80), 3)
                    } else {
                        index += 1
                        continue
                    }
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<index]))
                output.append(UInt8(ascii: "\\"))
                if let letter {
                    output.append(letter)
                } else {
                    // \uXXXX in lowercase hex.
                    output.append(UInt8(ascii: "u"))
                    for shift in stride(from: UInt32(12), through: 0, by: -4) {
                        let digit = UInt8((code >> shift) & 0xF)
                        output.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
                    }
                }
                index += width
                plainFrom = index
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[plainFrom..<bytes.count]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue {
    /// An object with more fields after its own; any other value unchanged.
    public func adding(_ more: [(String, JSONValue)]) -> JSONValue {
        guard case .object(let fields) = self else { return self }
        return .object(fields + more)
    }
}

extension Hotel {
    /// A hotel as `frontdesk hotel show --json` and the server's hotel list show it.
    public var json: JSONValue {
        .object([
            ("hotelId", .string(SyncWire.lowercaseText(id))), ("name", .string(name)),
            ("timeZone", .string(timeZoneIdentifier)), ("currency", .string(currency)),
        ])
    }

    /// `json` with the settings a manager changes (`HotelSettingsChange`): `holdMinutes`,
    /// `noShowCutoff` ("18:00") and `noShowFee` (`first_night` or `none`).
    public var jsonWithSettings: JSONValue {
        json.adding([("holdMinutes", .int(holdMinutes)), ("noShowCutoff", .string(noShowPolicy.cutoffText)),
                     ("noShowFee", .string(noShowPolicy.fee.rawValue))])
    }
}

extension RoomType {
    public var json: JSONValue {
        .object([
            ("roomTypeId", .string(SyncWire.lowercaseText(id))), ("name", .string(name)),
            ("capacity", .int(capacity)), ("basePrice", .money(basePricePerNight)),
        ])
    }
}

extension Booking {
    /// The booking object of the command line (and, later, of the server's API).
    public var json: JSONValue {
        .object([
            ("bookingId", .string(SyncWire.lowercaseText(id))),
            ("confirmation", .string(confirmationCode)),
            ("status", .string(status.rawValue)),
            ("roomNumber", .string(roomNumber)),
            ("checkIn", .date(stay.checkIn)),
            ("checkOut", .date(stay.checkOut)),
            ("nights", .int(stay.nightCount)),
            ("guests", .int(guestCount)),
            ("guestName", .string(guest.name)),
            ("email", .string(guest.email)),
            ("phone", .optional(guest.phone)),
            ("totalPrice", .money(totalPrice)),
            ("nightlyPrices", .array(nightlyPrices.map(\.json))),
            ("version", .int(version)),
            ("statusReason", .optional(statusReason)),
            ("notes", .array(notes.map(\.json))),
        ] + (roomSince.map { [("roomSince", JSONValue.date($0))] } ?? [])
          + (checkedInOn.map { [("checkedInOn", JSONValue.date($0))] } ?? [])
          + (checkedOutOn.map { [("checkedOutOn", JSONValue.date($0))] } ?? []))
    }
}

extension Booking {
    /// `json.renderedUTF8()`, written straight into the bytes instead of through a tree of
    /// `JSONValue`s (a box for every value): the audit keeps three states of every booking made at
    /// the desk's pace, and building and rendering their trees was 4.7 % of the server's booking
    /// lane (perf, issue 11, session 36). `BookingJSONTests` holds the two to the same bytes.
    /// `addingIds`: fields after the booking's own, each an id in lowercase text (the API's
    /// booking: `json.adding` its hotel's and room's ids).
    public func renderedJSONUTF8(addingIds more: KeyValuePairs<StaticString, UUID> = [:]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(400 + 40 * nightlyPrices.count + 80 * notes.count)
        var firstKey = true
        func key(_ name: StaticString) {
            if !firstKey { output.append(UInt8(ascii: ",")) }
            firstKey = false
            output.append(UInt8(ascii: "\""))
            output.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            output.append(contentsOf: "\":".utf8)
        }
        func string(_ text: String) { JSONValue.escape(text, into: &output) }
        func date(_ day: CalendarDate) { string(day.iso) }
        func optional(_ text: String?) {
            if let text { string(text) } else { output.append(contentsOf: "null".utf8) }
        }
        output.append(UInt8(ascii: "{"))
        key("bookingId"); string(SyncWire.lowercaseText(id))
        key("confirmation"); string(confirmationCode)
        key("status"); string(status.rawValue)
        key("roomNumber"); string(roomNumber)
        key("checkIn"); date(stay.checkIn)
        key("checkOut"); date(stay.checkOut)
        key("nights"); output.append(contentsOf: String(stay.nightCount).utf8)
        key("guests"); output.append(contentsOf: String(guestCount).utf8)
        key("guestName"); string(guest.name)
        key("email"); string(guest.email)
        key("phone"); optional(guest.phone)
        key("totalPrice"); output.append(contentsOf: totalPrice.plain.utf8)
        key("nightlyPrices")
        output.append(UInt8(ascii: "["))
        for (index, price) in nightlyPrices.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: "{\"date\":".utf8); date(price.night)
            output.append(contentsOf: ",\"price\":".utf8); output.append(contentsOf: price.price.plain.utf8)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
        key("version"); output.append(contentsOf: String(version).utf8)
        key("statusReason"); optional(statusReason)
        key("notes")
        output.append(UInt8(ascii: "["))
        for (index, note) in notes.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: "{\"at\":".utf8); string(InstantText.utc(note.at))
            output.append(contentsOf: ",\"by\":".utf8); string(note.by)
            output.append(contentsOf: ",\"text\":".utf8); string(note.text)
            output.append(UInt8(ascii: "}"))
        }
        output.append(UInt8(ascii: "]"))
        if let roomSince { key("roomSince"); date(roomSince) }
        // The business dates of the check-in and check-out: an early departure's booking keeps its
        // dates and prices as sold, and these say when the guest came and left (a review, session 57).
        if let checkedInOn { key("checkedInOn"); date(checkedInOn) }
        if let checkedOutOn { key("checkedOutOn"); date(checkedOutOn) }
        for (name, id) in more { key(name); string(SyncWire.lowercaseText(id)) }
        output.append(UInt8(ascii: "}"))
        return output
    }

    /// `json.rendered()`, the same way (`renderedJSONUTF8`).
    public func renderedJSON() -> String { String(decoding: renderedJSONUTF8(), as: UTF8.self) }
}

extension BookingNote {
    public var json: JSONValue { .object([("at", .string(InstantText.utc(at))), ("by", .string(by)), ("text", .string(text))]) }
}

extension NightlyPrice {
    public var json: JSONValue { .object([("date", .date(night)), ("price", .money(price))]) }
}
