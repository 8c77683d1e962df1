import Synchronization

/// Where logins wait their turn. A login's password check is slow on purpose (hundreds of
/// thousands of hash rounds) and ran on the worker threads every database call needs: two dozen
/// logins at once held up every hotel's requests for seconds. And a user name's failures were
/// read before its password was checked and counted after, so guesses sent side by side all
/// passed the check before any was counted (ten guesses checked where five are free).
///
/// So: one login at a time for a user name in this process (the next waits for the one before
/// to be counted), and at most `concurrentChecks` password checks at a time. Logins waiting, for
/// their name or for a check, are at most `waitingLimit`; past that a login is refused at once.
final class LoginGate: Sendable {
    private struct State {
        /// The names being checked, each with the logins waiting for it, in order.
        var names: [String: [CheckedContinuation<Void, Never>]] = [:]
        var checking = 0
        var waitingForCheck: [CheckedContinuation<Void, Never>] = []
        var waiting = 0
    }

    private let state = Mutex(State())
    let concurrentChecks: Int
    let waitingLimit: Int

    init(concurrentChecks: Int, waitingLimit: Int = 64) {
        self.concurrentChecks = max(1, concurrentChecks)
        self.waitingLimit = waitingLimit
    }

    /// More logins are waiting than the line holds.
    struct LineFull: Error {}

    /// Runs `check` as its user name's only login and within the number of checks at a time.
    func admit<T: Sendable>(userKey: String, _ check: () async throws -> T) async throws -> T {
        try await takeName(userKey)
        defer { releaseName(userKey) }
        try await takeCheck()
        defer { releaseCheck() }
        return try await check()
    }

    private func takeName(_ userKey: String) async throws {
        let goNow = try state.withLock { state -> Bool in
            guard state.names[userKey] != nil else {
                state.names[userKey] = []
                return true
            }
            guard state.waiting < waitingLimit else { throw LineFull() }
            state.waiting += 1
            return false
        }
        guard !goNow else { return }
        await withCheckedContinuation { continuation in
            // The name may have come free since: then go at once.
            let free = state.withLock { state -> Bool in
                guard state.names[userKey] != nil else {
                    state.names[userKey] = []
                    state.waiting -= 1
                    return true
                }
                state.names[userKey]!.append(continuation)
                return false
            }
            if free { continuation.resume() }
        }
    }

    /// The name goes to the next login waiting for it, or is free.
    private func releaseName(_ userKey: String) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var waiting = state.names[userKey], !waiting.isEmpty else {
                state.names[userKey] = nil
                return nil
            }
            let first = waiting.removeFirst()
            state.names[userKey] = waiting
            state.waiting -= 1
            return first
        }
        next?.resume()
    }

    private func takeCheck() async throws {
        let goNow = try state.withLock { state -> Bool in
            guard state.checking < concurrentChecks else {
                // Counted as waiting at once, so logins arriving together cannot all pass the limit.
                guard state.waiting < waitingLimit else { throw LineFull() }
                state.waiting += 1
                return false
            }
            state.checking += 1
            return true
        }
        guard !goNow else { return }
        await withCheckedContinuation { continuation in
            let free = state.withLock { state -> Bool in
                guard state.checking < concurrentChecks else {
                    state.waitingForCheck.append(continuation)
                    return false
                }
                state.checking += 1
                state.waiting -= 1
                return true
            }
            if free { continuation.resume() }
        }
    }

    /// The check's slot goes to the first login waiting for one (it counts as checking from then).
    private func releaseCheck() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waitingForCheck.isEmpty else {
                state.checking -= 1
                return nil
            }
            state.waiting -= 1
            return state.waitingForCheck.removeFirst()
        }
        next?.resume()
    }
}
