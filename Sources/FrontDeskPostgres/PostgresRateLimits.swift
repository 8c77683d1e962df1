import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// The rate limits that must hold across instances (issue 13, item 3), in the database every
/// instance shares: failed logins (`LoginThrottleStorage`) and each token's requests per second
/// (`addTokenRequests`). Each is one statement on its own (autocommit), never a read then a write.
extension PostgresChainStorage: LoginThrottleStorage {
    public func loginFailures(keys: [String]) throws -> [LoginFailures] {
        guard !keys.isEmpty else { return [] }
        return try readOne { session in
            try session.rows("SELECT key, failures::int8, first_at, last_at FROM login_failure WHERE key = ANY($1::text[])",
                             [keys]).map(Self.loginFailures(from:))
        }
    }

    /// One UPSERT … RETURNING for every key: two instances counting the same key at once each add
    /// one (the row lock orders them); a record that no longer counts (`LoginThrottleRules.isCurrent`) starts again at one.
    public func recordLoginFailure(keys: [String], at now: Date) throws -> [LoginFailures] {
        // Sorted: concurrent statements lock the same rows in the same order (no deadlock).
        let keys = Array(Set(keys)).sorted()
        guard !keys.isEmpty else { return [] }
        return try readOne { session in
            try session.rows("""
                INSERT INTO login_failure AS f (key, failures, first_at, last_at)
                SELECT key, 1, $2::timestamptz, $2::timestamptz FROM unnest($1::text[]) AS t(key) ORDER BY key
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN \(Self.stillCounts) THEN f.failures + 1 ELSE 1 END,
                    first_at = CASE WHEN \(Self.stillCounts) THEN f.first_at ELSE EXCLUDED.first_at END,
                    last_at = EXCLUDED.last_at
                RETURNING key, failures::int8, first_at, last_at
                """, [keys, now, now.addingTimeInterval(-LoginThrottleRules.memory), now.addingTimeInterval(-LoginThrottleRules.window)])
                .map(Self.loginFailures(from:))
        }
    }

    /// `LoginThrottleRules.isCurrent` in SQL: $3 is now − memory, $4 now − window.
    private static let stillCounts = "(CASE WHEN f.key LIKE 'address:%' THEN f.first_at > $4::timestamptz ELSE f.last_at > $3::timestamptz END)"

    public func clearLoginFailures(keys: [String]) throws {
        guard !keys.isEmpty else { return }
        _ = try readOne { session in try session.execute("DELETE FROM login_failure WHERE key = ANY($1::text[])", [keys]) }
    }

    @discardableResult
    public func pruneLoginFailures(before cutoff: Date) throws -> Int {
        try readOne { session in try session.execute("DELETE FROM login_failure WHERE last_at < $1", [cutoff]) }
    }

    static func loginFailures(from row: PostgresRow) throws -> LoginFailures {
        let columns = ColumnReader(row, table: "login_failure")
        return LoginFailures(key: try columns.text(0), failures: try columns.int(1), firstAt: try columns.instant(2),
                             lastAt: try columns.instant(3))
    }
}

extension PostgresChainStorage: TokenRequestCounting {
    /// One statement: the counts added (rows in (second, hash) order, so two instances adding at
    /// once lock them in the same order) and the watched tokens' totals read beside them.
    public func addTokenRequests(_ counts: [TokenRequestCount], watching watched: [String], second: Int64) throws -> [TokenRequestCount] {
        guard !counts.isEmpty || !watched.isEmpty else { return [] }
        let sorted = counts.sorted { ($0.second, $0.tokenHash) < ($1.second, $1.tokenHash) }
        return try readOne { session in
            try session.rows("""
                WITH added AS (
                    INSERT INTO token_request_count AS c (second, token_hash, requests)
                    SELECT s, h, n FROM unnest($1::int8[], $2::text[], $3::int8[]) WITH ORDINALITY AS t(s, h, n, i) ORDER BY i
                    ON CONFLICT (second, token_hash) DO UPDATE SET requests = c.requests + EXCLUDED.requests
                    RETURNING second, token_hash, requests
                )
                SELECT second, token_hash, requests FROM added
                UNION ALL
                SELECT second, token_hash, requests FROM token_request_count WHERE second = $4 AND token_hash = ANY($5::text[])
                """, [sorted.map(\.second), sorted.map(\.tokenHash), sorted.map { Int64($0.requests) }, second, watched]).map { row -> TokenRequestCount in
                let columns = ColumnReader(row, table: "token_request_count")
                return TokenRequestCount(second: try columns.int64(0), tokenHash: try columns.text(1), requests: try columns.int(2))
            }
        }
    }

    @discardableResult
    public func pruneTokenRequests(before second: Int64) throws -> Int {
        try readOne { session in try session.execute("DELETE FROM token_request_count WHERE second < $1", [second]) }
    }
}
