import Synchronization

/// Where logins wait their turn. A login's password check is slow on purpose (hundreds of
/// thousands of hash rounds) and ran on the worker threads every database call needs: two dozen
/// logins at once held up every hotel's requests for seconds. And a user name's failures were
/// read before its password was checked and counted after, so guesses sent side by side all
/// passed the check before any was counted (a dozen guesses where five are allowed).
///
/// So: one login at a time for a user name in this process (another answered 429 at once, so
/// its check and its count cannot interleave), and at most `concurrentChecks` password checks
/// at a time, the rest waiting in line, up to `waitingLimit`.
final class LoginGate: Sendable {
    private struct State {
        var namesUnderWay: Set<String> = []
        var checking = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    let concurrentChecks: Int
    let waitingLimit: Int

    init(concurrentChecks: Int, waitingLimit: Int = 64) {
        self.concurrentChecks = max(1, concurrentChecks)
        self.waitingLimit = waitingLimit
    }

    enum Refusal: Error {
        /// Another login for this user name is being checked now.
        case nameUnderWay
        /// More logins are waiting than the line holds.
        case lineFull
    }

    /// Runs `check` as the user name's only login and within the number of checks at a time.
    func admit<T: Sendable>(userKey: String, _ check: () async throws -> T) async throws -> T {
        let admitted = state.withLock { state -> Result<Bool, Refusal> in
            if state.namesUnderWay.contains(userKey) { return .failure(.nameUnderWay) }
            if state.checking >= concurrentChecks && state.waiting.count >= waitingLimit { return .failure(.lineFull) }
            state.namesUnderWay.insert(userKey)
            if state.checking < concurrentChecks {
                state.checking += 1
                return .success(true)
            }
            return .success(false)
        }
        let now = try admitted.get()
        defer { leave(userKey) }
        if !now {
            await withCheckedContinuation { continuation in
                // The slot may have come free since: then go at once.
                let goNow = state.withLock { state -> Bool in
                    if state.checking < concurrentChecks {
                        state.checking += 1
                        return true
                    }
                    state.waiting.append(continuation)
                    return false
                }
                if goNow { continuation.resume() }
            }
        }
        return try await check()
    }

    /// A check is done: its slot goes to the first in line (which counts as checking from then).
    private func leave(_ userKey: String) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.namesUnderWay.remove(userKey)
            if state.waiting.isEmpty {
                state.checking -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
