@testable import FrontDeskServer
import Synchronization
import Testing

/// Logins' password checks take turns: a few at a time (the worker threads stay free for the
/// database), one per user name, and a line that does not grow without end.
@Suite struct LoginGateTests {
    final class Counts: Sendable {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        func enter() {
            let now = running.wrappingAdd(1, ordering: .sequentiallyConsistent).newValue
            while true {
                let seen = most.load(ordering: .sequentiallyConsistent)
                if now <= seen || most.compareExchange(expected: seen, desired: now, ordering: .sequentiallyConsistent).exchanged { break }
            }
        }
        func leave() { running.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
    }

    /// Runs `logins` logins through `gate` at once, the i-th for `name(i)`, each holding its turn
    /// a little while others arrive; which finished, and the most that were checked at one time.
    static func run(_ logins: Int, through gate: LoginGate, name: @escaping @Sendable (Int) -> String) async throws -> (finished: [Int], most: Int) {
        let counts = Counts()
        let finished = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<logins {
                group.addTask {
                    try await gate.admit(userKey: name(index)) {
                        counts.enter()
                        defer { counts.leave() }
                        try await Task.sleep(for: .milliseconds(10))
                        return index
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        return (finished.sorted(), counts.most.load(ordering: .sequentiallyConsistent))
    }

    @Test func noMoreChecksRunAtOnceThanAllowedAndEveryOneRuns() async throws {
        let outcome = try await Self.run(12, through: LoginGate(concurrentChecks: 2)) { "user:u\($0)" }
        #expect(outcome.finished == Array(0..<12) && outcome.most == 2)
    }

    /// Logins for one name never overlap (each is counted before the next is checked), and each
    /// gets its turn.
    @Test func loginsForOneNameTakeTurns() async throws {
        let outcome = try await Self.run(8, through: LoginGate(concurrentChecks: 4)) { _ in "user:anna" }
        #expect(outcome.finished == Array(0..<8) && outcome.most == 1)
    }

    /// Past the line's limit a login is refused at once, not kept waiting.
    @Test func aFullLineRefuses() async throws {
        let gate = LoginGate(concurrentChecks: 1, waitingLimit: 0)
        let outcome = try await gate.admit(userKey: "user:anna") {
            await #expect(throws: LoginGate.LineFull.self) { try await gate.admit(userKey: "user:anna") { 2 } }
            await #expect(throws: LoginGate.LineFull.self) { try await gate.admit(userKey: "user:max") { 3 } }
            return 1
        }
        #expect(outcome == 1)
        #expect(try await gate.admit(userKey: "user:anna") { 4 } == 4)
    }
}
