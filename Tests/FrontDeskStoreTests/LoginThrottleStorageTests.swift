import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Synchronization
import Testing

/// The login throttle's records through `LoginThrottleStorage`, on both backends, each time with
/// two handles on one database (two server instances, as far as the records can tell): what one
/// counts, the other sees, and counts made at once all count.
@Suite struct LoginThrottleStorageTests {
    /// Two handles on one new database of the backend, sharing the test's clock.
    static func twoHandles(_ backend: String, _ clock: TestClock) throws -> (any ChainStorage, any ChainStorage) {
        if backend == "SQLite" {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-throttle-\(UUID().uuidString).sqlite").path
            return (try FrontDeskStore(path: path, clock: { clock.now }), try FrontDeskStore(path: path, clock: { clock.now }))
        }
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        return (try PostgresChainStorage(url: url, poolSize: 4, migrate: true, clock: { clock.now }),
                try PostgresChainStorage(url: url, poolSize: 4, clock: { clock.now }))
    }

    static func wait(_ storage: any ChainStorage, _ keys: [String], _ clock: TestClock) throws -> Int? {
        LoginThrottleRules.wait(try storage.loginFailures(keys: keys), now: clock.now)
    }

    @Test(arguments: ["SQLite", "PostgreSQL"])
    func failuresCountedThroughEitherHandleAddUpAndASuccessClearsThem(_ backend: String) throws {
        let clock = TestClock()
        let (first, second) = try Self.twoHandles(backend, clock)
        let keys = ["user:max", "address:10.0.0.7"]
        for attempt in 0..<4 {
            _ = try (attempt.isMultiple(of: 2) ? first : second).recordLoginFailure(keys: keys, at: clock.now)
        }
        #expect(try Self.wait(first, keys, clock) == nil)
        #expect(try Self.wait(second, keys, clock) == nil)

        // The fifth failure, wherever it is counted, holds the keys back on both for 2^0 s.
        let fifth = try second.recordLoginFailure(keys: keys, at: clock.now)
        #expect(Set(fifth.map(\.failures)) == [5])
        #expect(try Self.wait(first, keys, clock) == 1)
        #expect(try Self.wait(second, ["user:max"], clock) == 1)
        #expect(try Self.wait(first, ["user:anna"], clock) == nil)

        clock.advance(minutes: 2.0 / 60)
        #expect(try Self.wait(first, keys, clock) == nil)
        _ = try first.recordLoginFailure(keys: keys, at: clock.now)
        #expect(try Self.wait(second, keys, clock) == 2)

        try second.clearLoginFailures(keys: keys)
        #expect(try first.loginFailures(keys: keys).isEmpty)
        #expect(try Self.wait(first, keys, clock) == nil)
    }

    @Test(arguments: ["SQLite", "PostgreSQL"])
    func failuresCountedAtOnceThroughBothHandlesAreAllCounted(_ backend: String) throws {
        let clock = TestClock()
        let (first, second) = try Self.twoHandles(backend, clock)
        let handles = [first, second]
        let failures = Mutex<[any Error]>([])
        DispatchQueue.concurrentPerform(iterations: 24) { index in
            do {
                _ = try handles[index % 2].recordLoginFailure(keys: ["user:max", "address:10.0.0.\(index % 3)"], at: clock.now)
            } catch {
                failures.withLock { $0.append(error) }
            }
        }
        #expect(failures.withLock { $0.isEmpty }, "\(failures.withLock { $0 })")
        let records = Dictionary(uniqueKeysWithValues: try first.loginFailures(
            keys: ["user:max", "address:10.0.0.0", "address:10.0.0.1", "address:10.0.0.2"]).map { ($0.key, $0.failures) })
        #expect(records == ["user:max": 24, "address:10.0.0.0": 8, "address:10.0.0.1": 8, "address:10.0.0.2": 8])
    }

    @Test(arguments: ["SQLite", "PostgreSQL"])
    func failuresStartAgainOnlyAfterARestAndArePruned(_ backend: String) throws {
        let clock = TestClock()
        let (first, second) = try Self.twoHandles(backend, clock)
        // A guesser who waits out every 429: the count went back to one once the first failure was
        // 15 minutes old (after the 512-second wait), and five free guesses followed.
        var count = 0
        for _ in 0..<15 {
            count = try first.recordLoginFailure(keys: ["user:max"], at: clock.now).map(\.failures)[0]
            clock.advance(minutes: Double(try Self.wait(first, ["user:max"], clock) ?? 1) / 60)
        }
        #expect(count == 15, "\(backend): the count went on through the long waits")
        #expect(try second.recordLoginFailure(keys: ["user:max"], at: clock.now).map(\.failures) == [16])
        #expect(try Self.wait(first, ["user:max"], clock) == Int(LoginThrottleRules.window), "the longest wait, not five free guesses")
        _ = try first.recordLoginFailure(keys: ["user:bea"], at: clock.now.addingTimeInterval(600))

        // An office's address, typos 20 minutes apart all day: counted from its first failure as
        // before (a success clears only the user's record), so they never add up to a wait.
        var office = 0
        for minute in stride(from: 0, to: 8 * 60, by: 20) {
            office = try first.recordLoginFailure(keys: ["address:10.1.1.1"], at: clock.now.addingTimeInterval(Double(minute) * 60))
                .map(\.failures)[0]
        }
        #expect(office < LoginThrottleRules.freeFailuresFromOneAddress, "\(backend): \(office)")

        // A rest of `memory` after the latest failure: the next is the first again.
        clock.advance(minutes: 31)
        #expect(try second.recordLoginFailure(keys: ["user:max"], at: clock.now).map(\.failures) == [1])
        #expect(try Self.wait(first, ["user:max"], clock) == nil)

        clock.advance(minutes: 30)
        // Bea's latest failure is 51 minutes old, Max's 30: both hold nothing back any more.
        #expect(try second.pruneLoginFailures(before: LoginThrottleRules.pruneCutoff(now: clock.now.addingTimeInterval(1))) == 2)
        #expect(try first.loginFailures(keys: ["user:max", "user:bea"]).isEmpty)
    }
}
