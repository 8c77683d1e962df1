import Foundation
import FrontDeskDomain

/// Instants are stored as UTC text with milliseconds (`2026-11-26T19:30:00.000Z`): readable in
/// the sqlite3 shell and ordered correctly as text.
enum Timestamp {
    static func text(_ instant: Date) -> String {
        let milliseconds = Int((instant.timeIntervalSince1970 * 1000).rounded(.down))
        let days = Int((Double(milliseconds) / 86_400_000).rounded(.down))
        let inDay = milliseconds - days * 86_400_000
        var clock = Array("T00:00:00.000Z".utf8)
        CalendarDate.writeDigits(inDay / 3_600_000, count: 2, into: &clock, at: 1)
        CalendarDate.writeDigits(inDay / 60000 % 60, count: 2, into: &clock, at: 4)
        CalendarDate.writeDigits(inDay / 1000 % 60, count: 2, into: &clock, at: 7)
        CalendarDate.writeDigits(inDay % 1000, count: 3, into: &clock, at: 10)
        return CalendarDate(dayNumber: days).iso + String(decoding: clock, as: UTF8.self)
    }

    static func date(_ text: String) -> Date? {
        let parts = text.split(separator: "T")
        guard parts.count == 2, let day = CalendarDate(iso: String(parts[0])) else { return nil }
        let clock = parts[1].dropLast().split(whereSeparator: { $0 == ":" || $0 == "." }).compactMap { Int($0) }
        guard clock.count == 4 else { return nil }
        let milliseconds = ((clock[0] * 60 + clock[1]) * 60 + clock[2]) * 1000 + clock[3]
        return Date(timeIntervalSince1970: Double(day.dayNumber) * 86_400 + Double(milliseconds) / 1000)
    }
}
