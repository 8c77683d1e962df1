import Foundation

/// A day on the hotel's calendar (a night of stay is named by the date it begins).
///
/// Stays are calendar dates in the hotel's time zone, never instants: a booking for the night of
/// 2026-12-24 is that night wherever the desk's clock happens to be. Stored as a day number so
/// that comparisons and night arithmetic are integer operations.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01 (proleptic Gregorian).
    public let dayNumber: Int

    public init(dayNumber: Int) { self.dayNumber = dayNumber }

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...CalendarDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        dayNumber = CalendarDate.daysFromCivil(year: year, month: month, day: day)
    }

    /// Parses `YYYY-MM-DD` strictly; anything else (letters, `2026-2-30`, a time) is nil.
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              let year = CalendarDate.readDigits(bytes, 0..<4), let month = CalendarDate.readDigits(bytes, 5..<7),
              let day = CalendarDate.readDigits(bytes, 8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The dates the desk accepts from input (options, `FRONTDESK_TODAY`). Far enough from year
    /// 9999 that a business date plus two years of booking horizon, a 30-night stay, a 10-year
    /// report or a 10,000-night search still prints as a four-digit year.
    public static let supportedRange = CalendarDate(year: 1900, month: 1, day: 1)!...CalendarDate(year: 9000, month: 12, day: 31)!
    public static let supportedRangeDescription = "1900-01-01 to 9000-12-31"

    public var components: (year: Int, month: Int, day: Int) { CalendarDate.civil(fromDays: dayNumber) }
    public var month: Int { components.month }

    /// 0 for Monday through 6 for Sunday (1970-01-01, day 0, was a Thursday).
    public var weekday: Int { ((dayNumber + 3) % 7 + 7) % 7 }
    public var isWeekend: Bool { weekday >= 5 }
    /// "Mo", "Tu", … for column headings.
    public var weekdayAbbreviation: String { ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"][weekday] }
    /// "Jan", "Feb", …
    public var monthAbbreviation: String {
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][month - 1]
    }

    /// `YYYY-MM-DD`. Built by hand: it is written for every night of every booking, and
    /// `String(format:)` is slow on Linux.
    public var iso: String {
        // Straight into the String's own 10 bytes, which it keeps inline: no array and no heap
        // buffer for each of the hundreds of nights a search prints (BENCHMARKS.md, session 20).
        String(unsafeUninitializedCapacity: 10) { bytes in
            writeISO(into: bytes)
            return 10
        }
    }

    /// `YYYY-MM-DD` into the first 10 of `bytes`.
    func writeISO(into bytes: UnsafeMutableBufferPointer<UInt8>) {
        let (year, month, day) = components
        CalendarDate.writeDigits(year, count: 4, into: bytes, at: 0)
        bytes[4] = UInt8(ascii: "-")
        CalendarDate.writeDigits(month, count: 2, into: bytes, at: 5)
        bytes[7] = UInt8(ascii: "-")
        CalendarDate.writeDigits(day, count: 2, into: bytes, at: 8)
    }

    /// The number written in `bytes[range]`, nil if any of them is not a digit.
    public static func readDigits(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// Writes `value` as exactly `count` decimal digits, zero-padded.
    public static func writeDigits(_ value: Int, count: Int, into bytes: inout [UInt8], at offset: Int) {
        precondition(offset >= 0 && offset + count <= bytes.count, "digits written past the end")
        bytes.withUnsafeMutableBufferPointer { writeDigits(value, count: count, into: $0, at: offset) }
    }

    public static func writeDigits(_ value: Int, count: Int, into bytes: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        precondition(offset >= 0 && offset + count <= bytes.count, "digits written past the end")
        var remaining = value
        for index in stride(from: offset + count - 1, through: offset, by: -1) {
            // abs: a year before 0 is written wrong but never stops the program.
            bytes[index] = UInt8(ascii: "0") + UInt8(abs(remaining % 10))
            remaining /= 10
        }
    }

    public var description: String { iso }

    public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }

    /// Whole days from `self` to `other` (negative when `other` is earlier).
    public func days(until other: CalendarDate) -> Int { other.dayNumber - dayNumber }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool { lhs.dayNumber < rhs.dayNumber }

    /// The date on the wall calendar of `timeZone` at `instant`.
    /// The instant moved by the zone's offset at that instant, in whole days since 1970-01-01: what
    /// a Gregorian `Calendar` in the zone answers (a test holds the two together), without making
    /// a calendar per call (every booking asks, on the writer's thread).
    public static func today(in timeZone: TimeZone, at instant: Date) -> CalendarDate {
        let local = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        return CalendarDate(dayNumber: Int((local / 86_400).rounded(.down)))
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days: exact for every Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// The nights of a stay: the half-open interval [checkIn, checkOut).
/// Back-to-back stays (one leaves on the day the next arrives) share no night.
public struct StayDates: Hashable, Sendable {
    public let checkIn: CalendarDate
    public let checkOut: CalendarDate

    /// Nil unless check-out is after check-in.
    public init?(checkIn: CalendarDate, checkOut: CalendarDate) {
        guard checkOut > checkIn else { return nil }
        self.checkIn = checkIn
        self.checkOut = checkOut
    }

    public var nightCount: Int { checkIn.days(until: checkOut) }
    public var nights: [CalendarDate] { (checkIn.dayNumber..<checkOut.dayNumber).map(CalendarDate.init(dayNumber:)) }

    public func overlaps(_ other: StayDates) -> Bool {
        checkIn < other.checkOut && other.checkIn < checkOut
    }

    public func contains(night: CalendarDate) -> Bool { night >= checkIn && night < checkOut }
}

/// Instants as UTC text with milliseconds (`2026-11-26T19:30:00.000Z`): how the store keeps them
/// and how JSON shows them.
public enum InstantText {
    public static func utc(_ instant: Date) -> String {
        let milliseconds = Int((instant.timeIntervalSince1970 * 1000).rounded(.down))
        let days = Int((Double(milliseconds) / 86_400_000).rounded(.down))
        let inDay = milliseconds - days * 86_400_000
        // Straight into the String's 24 bytes: a booking writes about ten of these on the writer's thread.
        return String(unsafeUninitializedCapacity: 24) { bytes in
            CalendarDate(dayNumber: days).writeISO(into: bytes)
            bytes[10] = UInt8(ascii: "T")
            CalendarDate.writeDigits(inDay / 3_600_000, count: 2, into: bytes, at: 11)
            bytes[13] = UInt8(ascii: ":")
            CalendarDate.writeDigits(inDay / 60000 % 60, count: 2, into: bytes, at: 14)
            bytes[16] = UInt8(ascii: ":")
            CalendarDate.writeDigits(inDay / 1000 % 60, count: 2, into: bytes, at: 17)
            bytes[19] = UInt8(ascii: ".")
            CalendarDate.writeDigits(inDay % 1000, count: 3, into: bytes, at: 20)
            bytes[23] = UInt8(ascii: "Z")
            return 24
        }
    }

    /// Reads the fixed layout `YYYY-MM-DDTHH:MM:SS.sssZ` by position (list screens read three of
    /// these per booking, hundreds of bookings a frame); nil for any other text.
    public static func instant(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[10] == UInt8(ascii: "T"), bytes[23] == UInt8(ascii: "Z"),
              let day = CalendarDate(iso: String(decoding: bytes[0..<10], as: UTF8.self)) else { return nil }
        func number(_ range: Range<Int>) -> Int? { CalendarDate.readDigits(bytes, range) }
        guard let hours = number(11..<13), let minutes = number(14..<16), let seconds = number(17..<19),
              let milliseconds = number(20..<23) else { return nil }
        let inDay = ((hours * 60 + minutes) * 60 + seconds) * 1000 + milliseconds
        return Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + Double(inDay) / 1000)
    }
}
