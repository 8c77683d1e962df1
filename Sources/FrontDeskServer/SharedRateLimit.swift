import Crypto
import Foundation
import FrontDeskStore
import Synchronization

/// The per-token request limit: nil when a request may go on, else the seconds to wait.
protocol RequestRateLimiter: Sendable {
    /// Requests a second per token; 0: no limit.
    var perSecond: Double { get }
    func take(_ key: String) -> Int?
}

extension TokenRateLimiter: RequestRateLimiter {}

/// The per-token limit shared by every instance on one PostgreSQL (issue 13, item 3), without a
/// database write per request: each instance lets a token's request through while its view of
/// the token's requests in the current second (the shared total at its last flush, plus what it
/// let through since) is under `limit`, and every `flushInterval` adds its counts to the shared
/// count in one statement, which answers with the totals. The overshoot this allows is bounded
/// (DECISIONS.md): a second's total is at most `limit` plus what the other instances let through
/// before they heard, and never more than `limit` times the number of instances.
final class SharedTokenRateLimiter: RequestRateLimiter {
    let perSecond: Double
    let limit: Int
    let counter: any TokenRequestCounting
    private let clock: @Sendable () -> Date
    static let flushInterval: Duration = .milliseconds(200)
    /// A token this instance saw within this many seconds has its total read back at each flush,
    /// also in seconds in which it has not (yet) come here.
    static let watchSeconds: Int64 = 60

    private struct Entry {
        let hash: String
        /// The second `pending`, `sending` and `shared` count in.
        var second: Int64
        /// Let through here and not yet sent.
        var pending = 0
        /// Sent in the flush under way.
        var sending = 0
        /// The second's total over every instance, as of the last flush's answer.
        var shared = 0
        var lastSeen: Int64
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Counts of seconds gone by, not sent yet.
        var late: [TokenRequestCount] = []
        var flushes = 0
    }

    private let state = Mutex(State())

    init(perSecond: Double, counter: any TokenRequestCounting, clock: @escaping @Sendable () -> Date) {
        self.perSecond = perSecond
        limit = max(1, Int(perSecond.rounded(.up)))
        self.counter = counter
        self.clock = clock
    }

    static func second(_ instant: Date) -> Int64 { Int64(instant.timeIntervalSince1970.rounded(.down)) }

    /// Tokens are kept by a hash in the database: a row there is no credential.
    static func hash(_ key: String) -> String {
        SHA256.hash(data: Data(key.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// Moves an entry to `second`: what it let through in an earlier second and did not send yet is
    /// kept to be sent; the new second starts at nothing known.
    private static func roll(_ entry: inout Entry, to second: Int64, late: inout [TokenRequestCount]) {
        guard entry.second != second else { return }
        if entry.pending > 0 { late.append(TokenRequestCount(second: entry.second, tokenHash: entry.hash, requests: entry.pending)) }
        entry = Entry(hash: entry.hash, second: second, lastSeen: entry.lastSeen)
    }

    func take(_ key: String) -> Int? {
        let now = clock()
        let second = Self.second(now)
        return state.withLock { state in
            if state.entries.count > 100_000 { state.entries.removeAll() }
            var entry = state.entries[key] ?? Entry(hash: Self.hash(key), second: second, lastSeen: second)
            Self.roll(&entry, to: second, late: &state.late)
            entry.lastSeen = second
            defer { state.entries[key] = entry }
            guard entry.shared + entry.sending + entry.pending < limit else {
                // The count starts again with the next second.
                return max(1, Int((Double(second + 1) - now.timeIntervalSince1970).rounded(.up)))
            }
            entry.pending += 1
            return nil
        }
    }

    /// Sends what this instance let through since the last flush and reads back the totals (one
    /// statement); every 25th flush (~5 s) also drops seconds older than a minute. A failing
    /// database keeps the counts for the next flush: meanwhile each instance limits on its own view.
    /// True when it asked the database (with nothing to send or watch, most flushes of a quiet
    /// server ask nothing, and their success says nothing of the database).
    @discardableResult
    func flush() throws -> Bool {
        let second = Self.second(clock())
        let (counts, watched, prune) = state.withLock { state -> ([TokenRequestCount], [String], Bool) in
            var counts: [TokenRequestCount] = []
            var watched: [String] = []
            for (key, var entry) in state.entries {
                guard second - entry.lastSeen <= Self.watchSeconds else {
                    Self.roll(&entry, to: second, late: &state.late)
                    state.entries[key] = nil
                    continue
                }
                Self.roll(&entry, to: second, late: &state.late)
                if entry.pending > 0 {
                    counts.append(TokenRequestCount(second: second, tokenHash: entry.hash, requests: entry.pending))
                    entry.sending = entry.pending
                    entry.pending = 0
                } else {
                    watched.append(entry.hash)
                }
                state.entries[key] = entry
            }
            // Late counts summed per second and token: one row each in the statement.
            var late: [TokenRequestCount: Int] = [:]
            for count in state.late {
                late[TokenRequestCount(second: count.second, tokenHash: count.tokenHash, requests: 0), default: 0] += count.requests
            }
            state.late.removeAll()
            counts += late.map { TokenRequestCount(second: $0.key.second, tokenHash: $0.key.tokenHash, requests: $0.value) }
            state.flushes += 1
            return (counts, watched, state.flushes % 25 == 0)
        }
        do {
            let totals = try counter.addTokenRequests(counts, watching: watched, second: second)
            let current = Dictionary(totals.filter { $0.second == second }.map { ($0.tokenHash, $0.requests) }, uniquingKeysWith: max)
            state.withLock { state in
                for (key, var entry) in state.entries where entry.second == second {
                    if let total = current[entry.hash] { entry.shared = max(entry.shared, total) }
                    entry.sending = 0
                    state.entries[key] = entry
                }
            }
        } catch {
            state.withLock { state in
                var restored: Set<String> = []
                for (key, var entry) in state.entries where entry.second == second && entry.sending > 0 {
                    entry.pending += entry.sending
                    entry.sending = 0
                    state.entries[key] = entry
                    restored.insert(entry.hash)
                }
                for count in counts where count.second != second || !restored.contains(count.tokenHash) { state.late.append(count) }
            }
            throw error
        }
        if prune { try counter.pruneTokenRequests(before: second - Self.watchSeconds) }
        return prune || !counts.isEmpty || !watched.isEmpty
    }
}
