import Foundation
import FrontDeskDomain
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The server's log on stderr: one structured line per event, written with one `write(2)`:
///
///     2026-12-01T10:22:34.123Z info frontdesk-server: request method=GET ms=0.52 request_id=… route=… status=200
///
/// Time in UTC with milliseconds, the level, the label, the message, then the metadata as
/// `key=value` in key order (a value with a space, a quote, `=` or a control character is quoted;
/// `"`, `\` and control characters are escaped in the message too, so one event is one line).
/// Built by hand because every request logs a line: through swift-log's `StreamLogHandler` (a
/// local-time `strftime` and a locked stdio stream per line) that line was 6.6 % of the server's
/// CPU under the availability load (BENCHMARKS.md, issue 13, session 14). One `write` of a line
/// under 4 kB is not interleaved with another thread's line.
public struct ServerLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let descriptor: Int32

    public init(label: String, descriptor: Int32 = STDERR_FILENO) {
        self.label = label
        self.descriptor = descriptor
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = Self.line(at: Date(), level: event.level, label: label, message: "\(event.message)",
                             metadata: combinedMetadata(event.metadata))
        line.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return // stderr closed or full: a log line is not worth stopping a request for
                }
            }
        }
    }

    private func combinedMetadata(_ explicit: Logger.Metadata?) -> Logger.Metadata {
        var combined = metadata
        if let provided = metadataProvider?.get() { combined.merge(provided) { _, new in new } }
        if let explicit { combined.merge(explicit) { _, new in new } }
        return combined
    }

    /// The line for one event, ending in a newline.
    static func line(at instant: Date, level: Logger.Level, label: String, message: String, metadata: Logger.Metadata) -> String {
        var line = timestamp(instant)
        line += " \(level.rawValue) \(label): "
        appendEscaped(message, quotingSpaces: false, to: &line)
        for key in metadata.keys.sorted() {
            line += " \(key)="
            appendEscaped(metadata[key].map { "\($0)" } ?? "", quotingSpaces: true, to: &line)
        }
        line += "\n"
        return line
    }

    /// `2026-12-01T10:22:34.123Z`, by calendar arithmetic: no `strftime`, no time zone.
    static func timestamp(_ instant: Date) -> String {
        let (seconds, millisecond) = floorDivision(Int((instant.timeIntervalSince1970 * 1000).rounded()), 1000)
        let (day, secondOfDay) = floorDivision(seconds, 86400)
        let (year, month, date) = CalendarDate(dayNumber: day).components
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        func three(_ value: Int) -> String { value < 10 ? "00\(value)" : value < 100 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(date))T\(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60)).\(three(millisecond))Z"
    }

    /// Quotient rounded down and a remainder that is never negative (for instants before 1970).
    private static func floorDivision(_ value: Int, _ divisor: Int) -> (quotient: Int, remainder: Int) {
        let remainder = (value % divisor + divisor) % divisor
        return ((value - remainder) / divisor, remainder)
    }

    /// `text` as is when it is plain; else with `"`, `\` and control characters escaped, and in
    /// quotes when it is a value (`quotingSpaces`), so the line still splits into `key=value`s.
    private static func appendEscaped(_ text: String, quotingSpaces: Bool, to line: inout String) {
        let plain = text.utf8.allSatisfy { byte in
            byte >= 0x20 && byte != 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
                && (!quotingSpaces || (byte != UInt8(ascii: " ") && byte != UInt8(ascii: "=")))
        }
        if plain && !(quotingSpaces && text.isEmpty) {
            line += text
            return
        }
        if quotingSpaces { line += "\"" }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": line += "\\\""
            case "\\": line += "\\\\"
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar.properties.generalCategory == .control:
                line += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: line.unicodeScalars.append(scalar)
            }
        }
        if quotingSpaces { line += "\"" }
    }
}
