import Foundation
import Synchronization

/// What a hotel's event streams wait on. A write this process commits wakes the streams of its
/// hotel at once; writes of other processes on the same database (another instance, the command
/// line, a desk on the file) are found by one look at the hotel's newest feed entry, shared by all
/// of its streams, at most every `lookInterval`. An idle stream costs a wake-up now and then, not a
/// read of the feed every 200 ms and a wake-up every 20 ms of its own (300 idle streams took a
/// core), and a write of one hotel no longer wakes the streams of every other.
final class FeedSignals: Sendable {
    private struct Hotel {
        var generation: UInt64 = 0
        /// The newest feed entry the last look found, and when that look was claimed.
        var newest: Int64 = .min
        var lookedAt: ContinuousClock.Instant?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        /// Open streams, by the token that opened them.
        var streamsByToken: [String: Int] = [:]
    }

    private struct State {
        var nextWaiter: UInt64 = 0
        var hotels: [UUID: Hotel] = [:]
    }

    private let state = Mutex(State())
    let lookInterval: Duration

    init(lookInterval: Duration) {
        self.lookInterval = lookInterval
    }

    /// The hotel's count of this process's writes: a stream notes it before it reads the feed, and
    /// waits for it to change (a write committed after the read) or for a look to be due.
    func generation(of hotel: UUID) -> UInt64 {
        state.withLock { $0.hotels[hotel]?.generation ?? 0 }
    }

    /// This process committed a write of `hotel` (nil: of a hotel it does not know, so every
    /// stream looks).
    func noteWrite(_ hotel: UUID?) {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            let hotels = hotel.map { [$0] } ?? Array(state.hotels.keys)
            var woken: [CheckedContinuation<Void, Never>] = []
            for id in hotels {
                var known = state.hotels.removeValue(forKey: id) ?? Hotel()
                known.generation &+= 1
                woken += known.waiters.values
                known.waiters.removeAll()
                state.hotels[id] = known
            }
            return woken
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns when the hotel's generation is no longer `generation`, after `timeout`, or when the
    /// task is cancelled.
    func wait(_ hotel: UUID, changingFrom generation: UInt64, timeout: Duration) async {
        let waiter = state.withLock { state -> UInt64 in
            state.nextWaiter &+= 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let waiting = state.withLock { state -> Bool in
                    guard !Task.isCancelled, (state.hotels[hotel]?.generation ?? 0) == generation else { return false }
                    state.hotels[hotel, default: Hotel()].waiters[waiter] = continuation
                    return true
                }
                guard waiting else { return continuation.resume() }
                Task { [self] in
                    try? await Task.sleep(for: timeout)
                    wake(hotel, waiter)
                }
            }
        } onCancel: {
            wake(hotel, waiter)
        }
    }

    private func wake(_ hotel: UUID, _ waiter: UInt64) {
        state.withLock { $0.hotels[hotel]?.waiters.removeValue(forKey: waiter) }?.resume()
    }

    /// Whether a stream whose last event is `cursor` should read the hotel's feed: the newest entry
    /// another stream's look found is past it, or no look was claimed for `lookInterval` and this
    /// stream claims it (`look` reads the newest entry; nil: no look was due, nothing to read).
    func shouldRead(_ hotel: UUID, after cursor: Int64, look: () async throws -> Int64) async throws -> Bool {
        let now = ContinuousClock.now
        let (newest, claimed) = state.withLock { state -> (Int64, Bool) in
            let known = state.hotels[hotel, default: Hotel()]
            if known.newest > cursor { return (known.newest, false) }
            if let lookedAt = known.lookedAt, now - lookedAt < lookInterval { return (known.newest, false) }
            state.hotels[hotel, default: Hotel()].lookedAt = now
            return (known.newest, true)
        }
        guard claimed else { return newest > cursor }
        let found = try await look()
        let moved = state.withLock { state -> Bool in
            let before = state.hotels[hotel]?.newest ?? .min
            state.hotels[hotel, default: Hotel()].newest = max(before, found)
            return found > before && before != .min
        }
        // Another process wrote: the hotel's other streams hear it now, not at their next look.
        if moved { noteWrite(hotel) }
        return found > cursor
    }

    /// A stream opened by `token` on `hotel`, counted until the slot is released or dropped;
    /// nil (nothing counted) when the token has `limit` open there already.
    func openStream(_ hotel: UUID, token: String, limit: Int) -> StreamSlot? {
        let counted = state.withLock { state -> Bool in
            let open = state.hotels[hotel]?.streamsByToken[token] ?? 0
            guard open < limit else { return false }
            state.hotels[hotel, default: Hotel()].streamsByToken[token] = open + 1
            return true
        }
        return counted ? StreamSlot(signals: self, hotel: hotel, token: token) : nil
    }

    /// One counted stream: released when it is dropped, so a response whose body never ran (its
    /// client gone before the head was written) gives its slot back too.
    final class StreamSlot: Sendable {
        private let signals: FeedSignals
        private let hotel: UUID
        private let token: String
        init(signals: FeedSignals, hotel: UUID, token: String) {
            (self.signals, self.hotel, self.token) = (signals, hotel, token)
        }
        deinit { signals.closeStream(hotel, token: token) }
    }

    fileprivate func closeStream(_ hotel: UUID, token: String) {
        state.withLock { state in
            guard let open = state.hotels[hotel]?.streamsByToken[token] else { return }
            state.hotels[hotel, default: Hotel()].streamsByToken[token] = open > 1 ? open - 1 : nil
        }
    }
}
