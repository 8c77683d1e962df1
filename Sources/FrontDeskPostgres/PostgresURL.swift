import Foundation

/// Where the booking server's PostgreSQL database is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`
/// (`postgresql://` too). Parsed by hand with messages a person can act on; the password is
/// never printed back.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    public init(user: String, password: String? = nil, host: String, port: Int = 5432, database: String) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
    }

    /// Whether `text` names a PostgreSQL database at all (rather than, say, an SQLite path).
    public static func looksLikePostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    /// Parses `text`; `source` names where it came from (`--database`, `FRONTDESK_DATABASE_URL`) in errors.
    public static func parse(_ text: String, source: String = "--database") throws(PostgresStoreError) -> PostgresURL {
        let example = "postgres://USER@HOST:PORT/DATABASE, e.g. postgres://frontdesk@127.0.0.1:5432/frontdesk"
        func bad(_ why: String) -> PostgresStoreError { .badURL("\(source): \(why); expected \(example)") }
        var rest: Substring
        if text.hasPrefix("postgres://") {
            rest = text.dropFirst("postgres://".count)
        } else if text.hasPrefix("postgresql://") {
            rest = text.dropFirst("postgresql://".count)
        } else {
            // Only the scheme is quoted: what follows may be a password in any shape (a libpq
            // "host=… password=…" line, `?password=`, a user:password with no '@').
            let scheme = text.range(of: "://").map { String(text[..<$0.lowerBound]) }
                .flatMap { $0.count <= 20 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) } ? $0 : nil }
            throw bad(scheme.map { "\(Self.quoted($0 + "://…")) does not start with postgres://" } ?? "the address does not start with postgres://")
        }
        // The credentials end at the last '@': a password may hold a '/', '?' or '@' nobody
        // percent-encoded, and no part of it is ever quoted back.
        guard let at = rest.lastIndex(of: "@") else { throw bad("no user name (USER@ before the host)") }
        let credentials = rest[..<at]
        rest = rest[rest.index(after: at)...]
        if rest.contains("?") {
            // Not quoted: an option may be a password (`?password=…`).
            throw bad("options after '?' are not supported")
        }
        guard let slash = rest.firstIndex(of: "/") else { throw bad("no database name after the host") }
        let database = String(rest[rest.index(after: slash)...])
        let address = rest[..<slash]
        guard !database.isEmpty else { throw bad("no database name after the host") }
        guard !database.contains("/") else { throw bad("\(Self.quoted(database)) is not a database name") }
        var user = String(credentials)
        var password: String?
        if let colon = credentials.firstIndex(of: ":") {
            user = String(credentials[..<colon])
            password = String(credentials[credentials.index(after: colon)...]).removingPercentEncoding
        }
        guard !user.isEmpty, let decodedUser = user.removingPercentEncoding else { throw bad("no user name (USER@ before the host)") }
        var host = String(address)
        var port = 5432
        if host.hasPrefix("[") {
            // An IPv6 address: [::1]:5432
            guard let close = host.firstIndex(of: "]") else { throw bad("\(Self.quoted(host)) is missing its ']'") }
            let after = host[host.index(after: close)...]
            let inner = String(host[host.index(after: host.startIndex)..<close])
            if after.hasPrefix(":") {
                guard let number = Int(after.dropFirst()) else { throw bad("the port \(Self.quoted(String(after.dropFirst()))) is not a number") }
                port = number
            } else if !after.isEmpty {
                throw bad("\(Self.quoted(host)) is not a host")
            }
            host = inner
        } else if let colon = host.lastIndex(of: ":") {
            let portText = String(host[host.index(after: colon)...])
            guard let number = Int(portText) else { throw bad("the port \(Self.quoted(portText)) is not a number") }
            port = number
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { throw bad("no host") }
        guard (1...65535).contains(port) else { throw bad("the port \(port) is not between 1 and 65535") }
        guard let decodedDatabase = database.removingPercentEncoding else { throw bad("\(Self.quoted(database)) is not a database name") }
        return PostgresURL(user: decodedUser, password: password, host: host, port: port, database: decodedDatabase)
    }

    /// The address without the password.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgres://\(user)\(password == nil ? "" : ":•••")@\(shownHost):\(port)/\(database)"
    }

    static func quoted(_ text: String) -> String { "\"\(text)\"" }
}
