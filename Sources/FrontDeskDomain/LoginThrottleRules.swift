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
/// one user name, each within `memory` of the one before (`freeFailuresFromOneAddress` for one
/// address within `window`), further tries wait 2^(n-free) seconds (at most the window) after the
/// latest failure and are answered 429.
/// A success clears its user's record only: were the address's cleared too, anyone with one
/// account could guess at every other account from one address, logging in between guesses.
public enum LoginThrottleRules {
    public static let freeFailures = 5
    /// An address is shared by a hotel's office behind one router: more typos pass before it waits.
    public static let freeFailuresFromOneAddress = 20
    public static let window: TimeInterval = 15 * 60

    public static func userKey(_ name: String) -> String { "user:" + name }
    public static func addressKey(_ address: String) -> String { "address:" + address }

    /// How many failures a key has before it is held back.
    public static func freeFailures(for key: String) -> Int {
        key.hasPrefix("address:") ? freeFailuresFromOneAddress : freeFailures
    }

    /// When a key with these failures may try again; nil when it is not held back at all.
    public static func blockedUntil(_ record: LoginFailures) -> Date? {
        let free = freeFailures(for: record.key)
        guard record.failures >= free else { return nil }
        let seconds = min(window, pow(2, Double(record.failures - free)))
        return record.lastAt.addingTimeInterval(seconds)
    }

    /// Seconds to wait before any of these keys may try again (the longest); nil when they may try now.
    public static func wait(_ records: [LoginFailures], now: Date) -> Int? {
        records.compactMap { record -> Int? in
            guard let until = blockedUntil(record), until > now else { return nil }
            return max(1, Int(until.timeIntervalSince(now).rounded(.up)))
        }.max()
    }

    /// How long after its latest failure a user name's record still counts: longer than the
    /// longest wait, so a guesser who waits out each 429 keeps counting up (counted from the first
    /// failure, the record started again at one after the 512-second wait, with five free guesses
    /// every 17 minutes). Only a rest of this long starts the name again at one.
    public static let memory: TimeInterval = 2 * window

    /// Whether a record still counts at `now`. A user name's counts while its latest failure is
    /// less than `memory` old; an address's only within `window` of its first failure, as before:
    /// an office behind one router is never cleared by a success (only the user's record is), and
    /// a day of spaced-out typos must not add up to a 15-minute wait for everyone there.
    public static func isCurrent(key: String, firstAt: Date, lastAt: Date, now: Date) -> Bool {
        key.hasPrefix("address:") ? now.timeIntervalSince(firstAt) < window : now.timeIntervalSince(lastAt) < memory
    }

    /// Records whose latest failure is older than this hold nothing back and count for nothing.
    public static func pruneCutoff(now: Date) -> Date {
        now.addingTimeInterval(-memory)
    }
}
