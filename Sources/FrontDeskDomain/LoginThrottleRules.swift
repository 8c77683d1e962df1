import Foundation

/// Failed logins counted for one key (`user:NAME` or `address:IP`), as the database keeps them:
/// every server instance on that database counts into the same record (issue 13, item 3).
public struct LoginFailures: Sendable, Equatable {
    public let key: String
    public let failures: Int
    public let firstAt: Date
    public let lastAt: Date

    public init(key: String, failures: Int, firstAt: Date, lastAt: Date) {
        self.key = key
        self.failures = failures
        self.firstAt = firstAt
        self.lastAt = lastAt
    }
}

/// Slows down guessing, written once for both databases: after `freeFailures` failed logins for
/// one user name or one address within `window`, further tries wait 2^(n-5) seconds (at most the
/// window) after the latest failure and are answered 429. A success clears the key's record.
public enum LoginThrottleRules {
    public static let freeFailures = 5
    public static let window: TimeInterval = 15 * 60

    /// When a key with these failures may try again; nil when it is not held back at all.
    public static func blockedUntil(_ record: LoginFailures) -> Date? {
        guard record.failures >= freeFailures else { return nil }
        let seconds = min(window, pow(2, Double(record.failures - freeFailures)))
        return record.lastAt.addingTimeInterval(seconds)
    }

    /// Seconds to wait before any of these keys may try again (the longest); nil when they may try now.
    public static func wait(_ records: [LoginFailures], now: Date) -> Int? {
        records.compactMap { record -> Int? in
            guard let until = blockedUntil(record), until > now else { return nil }
            return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        }.max()
    }

    /// Whether a record still counts at `now`: failures older than the window start again at one.
    public static func isCurrent(firstAt: Date, now: Date) -> Bool {
        now.timeIntervalSince(firstAt) < window
    }

    /// Records whose latest failure is older than this hold nothing back and count for nothing.
    public static func pruneCutoff(now: Date) -> Date {
        now.addingTimeInterval(-window)
    }
}
