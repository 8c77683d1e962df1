import Foundation
import FrontDeskDomain
import GRDB

/// The login throttle's records in the server's SQLite file (schema v12): one server process
/// uses the file, but the records outlive a restart and sit beside PostgreSQL's, behind one
/// interface (`LoginThrottleStorage`). Each count is one immediate write transaction.
extension FrontDeskStore: LoginThrottleStorage {
    public func loginFailures(keys: [String]) throws -> [LoginFailures] {
        guard !keys.isEmpty else { return [] }
        return try read { db in try Self.loginFailures(db, keys: keys) }
    }

    public func recordLoginFailure(keys: [String], at now: Date) throws -> [LoginFailures] {
        guard !keys.isEmpty else { return [] }
        return try write { db in
            let known = Dictionary(try Self.loginFailures(db, keys: keys).map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            return try keys.map { key in
                let counted: LoginFailures
                if let record = known[key], LoginThrottleRules.isCurrent(key: key, firstAt: record.firstAt, lastAt: record.lastAt, now: now) {
                    counted = LoginFailures(key: key, failures: record.failures + 1, firstAt: record.firstAt, lastAt: now)
                } else {
                    counted = LoginFailures(key: key, failures: 1, firstAt: now, lastAt: now)
                }
                try db.run(sql: """
                    INSERT INTO login_failure (key, failures, first_at, last_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_at = excluded.first_at, last_at = excluded.last_at
                    """, arguments: [key, counted.failures, Timestamp.text(counted.firstAt), Timestamp.text(counted.lastAt)])
                return counted
            }
        }
    }

    public func clearLoginFailures(keys: [String]) throws {
        guard !keys.isEmpty else { return }
        try write { db in
            for key in keys { try db.run(sql: "DELETE FROM login_failure WHERE key = ?", arguments: [key]) }
        }
    }

    @discardableResult
    public func pruneLoginFailures(before cutoff: Date) throws -> Int {
        try write { db in
            try db.run(sql: "DELETE FROM login_failure WHERE last_at < ?", arguments: [Timestamp.text(cutoff)])
            return db.changesCount
        }
    }

    private static func loginFailures(_ db: Database, keys: [String]) throws -> [LoginFailures] {
        let marks = Array(repeating: "?", count: keys.count).joined(separator: ", ")
        return try db.rows(sql: "SELECT key, failures, first_at, last_at FROM login_failure WHERE key IN (\(marks))",
                           arguments: StatementArguments(keys)).map { row in
            let key: DatabaseValue = row[0]
            let stored = StoredRow(row, table: "login_failure", name: "key " + StoredRow.describe(key))
            return LoginFailures(key: try stored.text(0, "key"), failures: try stored.integer(1, "failures", in: 1...Int64(Int32.max)),
                                 firstAt: try stored.instant(2, "first_at"), lastAt: try stored.instant(3, "last_at"))
        }
    }
}
