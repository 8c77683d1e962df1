import Foundation
import Logging
import Synchronization

/// The desk's log: a file in the XDG state folder (`$XDG_STATE_HOME/frontdesk/frontdesk.log`,
/// else `~/.local/state/frontdesk/frontdesk.log`), never the terminal the desk draws on.
public enum DeskLog {
    public static func path(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let state = environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()) + "/.local/state")
        return state + "/frontdesk/frontdesk.log"
    }

    /// A logger writing to the log file; if the file cannot be opened, one that drops everything
    /// (the desk must still open).
    public static func logger(label: String = "frontdesk", environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Logger {
        guard let handler = FileLogHandler(path: path(environment), label: label) else {
            return Logger(label: label, factory: { _ in SwiftLogNoOpLogHandler() })
        }
        return Logger(label: label, factory: { _ in handler })
    }

    /// Takes out what must never reach a log: card numbers (12 to 19 digits, spaces or dashes
    /// between), and the values of passwords, tokens, secrets and authorization headers.
    /// Stricter than `CardNumber.redacted` (what commands print, where dates and phone numbers must
    /// stay readable): a log loses any long digit run rather than risk keeping a card.
    /// An id (`01a1ee56-5e00-7626-8477-314fd9804d66`) is passed over whole: its groups may hold a
    /// dozen digits in a row (`00-7626-8477-314`), and a log whose ids are cut cannot be followed.
    public static func redacted(_ text: String) -> String {
        text.replacing(Self.idOrCardNumber) { match in match.output.id != nil ? String(match.output.0) : "[card number removed]" }
            .replacing(#/(?i)\b(password|passwd|token|secret|api[_-]?key|authorization)\s*[:=]\s*(?:bearer\s+|basic\s+)?[^\s,;&"']+/#) {
                "\($0.output.1)=[removed]"
            }
            .replacing(#/(?i)\b(?:bearer|basic)\s+[A-Za-z0-9._~+\/=-]{8,}/#) { _ in "[credentials removed]" }
    }

    /// An id first (tried first at each place, so its groups are never read as a card), else a card
    /// number: 12 to 19 digits, single spaces or dashes between.
    nonisolated(unsafe) private static let idOrCardNumber =
        #/(?<id>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}(?![0-9A-Za-z]))|\d(?:[ -]?\d){11,18}/#
}

/// swift-log handler appending one line per message to a file: time, level, label, message.
public struct FileLogHandler: LogHandler {
    private let file: Output
    private let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    final class Output: Sendable {
        let descriptor: Int32
        let lock = Mutex(())
        init(descriptor: Int32) { self.descriptor = descriptor }
        deinit { close(descriptor) }

        func append(_ line: String) {
            lock.withLock { _ in
                var bytes = Array(line.utf8)
                bytes.withUnsafeMutableBytes { buffer in _ = write(descriptor, buffer.baseAddress, buffer.count) }
            }
        }
    }

    public init?(path: String, label: String) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Only the desk's user reads it: it names guests.
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return nil }
        file = Output(descriptor: descriptor)
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { $1 } }
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let details = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let stamp = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        let text = DeskLog.redacted("\(event.message)\(details)").replacingOccurrences(of: "\n", with: " ")
        file.append("\(stamp) \(event.level) \(label): \(text)\n")
    }
}
