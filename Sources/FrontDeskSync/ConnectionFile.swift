import Foundation
import FrontDeskDomain
#if canImport(Glibc)
import Glibc
#endif

/// What `frontdesk desk connect` remembers: the server, the hotel, the user and the bearer token
/// it got, and the database file it is for. Never the password. One file per user, in the
/// config folder, mode 0600, replaced atomically.
public struct Connection: Codable, Equatable, Sendable {
    public var server: String
    public var hotelId: String
    public var username: String
    public var token: String
    public var expiresAt: String
    /// The desk database this connection is for (absolute path).
    public var database: String

    public init(server: String, hotelId: String, username: String, token: String, expiresAt: String, database: String) {
        self.server = server
        self.hotelId = hotelId
        self.username = username
        self.token = token
        self.expiresAt = expiresAt
        self.database = database
    }

    /// Whether the token's expiry has passed (an unreadable expiry counts as not passed: the server decides).
    public func hasExpired(at now: Date = Date()) -> Bool {
        guard let expiry = ISO8601DateFormatter().date(from: expiresAt) else { return false }
        return expiry <= now
    }
}

public enum ConnectionFile {
    /// `$XDG_CONFIG_HOME/frontdesk/connection.json`, else `~/.config/frontdesk/connection.json`.
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/frontdesk/connection.json" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/frontdesk/connection.json"
    }

    /// The stored connection; nil when there is none. An unreadable file is an error naming it.
    public static func load(path: String = path()) throws -> Connection? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(Connection.self, from: data)
        } catch {
            throw ConnectionFileError("\(path) is not a connection file; remove it or run `frontdesk desk connect` again")
        }
    }

    /// Writes the connection: a temporary file in the same folder, mode 0600 from its creation,
    /// synced, then renamed over the old one (a reader sees the old file or the new, never half).
    public static func save(_ connection: Connection, path: String = path()) throws {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            let reason = operatingSystemWords(for: error) ?? "it cannot be created"
            throw ConnectionFileError("cannot write the connection file's folder \(folder): \(reason) (see XDG_CONFIG_HOME)")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(connection)
        data.append(0x0A)
        let temporary = folder + "/.connection-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).json"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ConnectionFileError("cannot write \(folder): \(String(cString: strerror(errno)))") }
        var failed = false
        data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { failed = true; return }
                offset += written
            }
        }
        if fsync(descriptor) != 0 { failed = true }
        close(descriptor)
        if failed || rename(temporary, path) != 0 {
            unlink(temporary)
            throw ConnectionFileError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
        chmod(path, 0o600)
    }

    /// Removes the file; true if there was one.
    @discardableResult
    public static func remove(path: String = path()) -> Bool {
        unlink(path) == 0
    }
}

public struct ConnectionFileError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
