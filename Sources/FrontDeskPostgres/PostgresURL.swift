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
            throw bad("\(Self.quoted(text)) does not start with postgres://")
        }
        if let query = rest.firstIndex(of: "?") {
            throw bad("options after '?' (\(Self.quoted(String(rest[query...])))) are not supported")
        }
        guard let slash = rest.firstIndex(of: "/") else { throw bad("no database name after the host") }
        let database = String(rest[rest.index(after: slash)...])
        rest = rest[..<slash]
        guard !database.isEmpty else { throw bad("no database name after the host") }
        guard !database.contains("/") else { throw bad("\(Self.quoted(database)) is not a database name") }
        guard let at = rest.lastIndex(of: "@") else { throw bad("no user name (USER@ before the host)") }
        let credentials = rest[..<at]
        let address = rest[rest.index(after: at)...]
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
