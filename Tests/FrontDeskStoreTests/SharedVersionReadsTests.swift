import Foundation
import FrontDeskPostgres
import Synchronization
import Testing

/// Kept availability answers on PostgreSQL check the hotel's version with one read shared by the
/// requests waiting for it, and never with a read made before a request came.
@Suite struct SharedVersionReadsTests {
    @Test func callsThatComeDuringAReadShareTheNextReadNotThatOne() async throws {
        let reads = SharedVersionReads()
        let hotel = UUID()
        let readsMade = Atomic<Int>(0)
        let firstReadMayEnd = DispatchSemaphore(value: 0)
        let firstReadStarted = DispatchSemaphore(value: 0)
        // The database's version: 7 while the first read runs, 8 once a booking committed after it.
        let version = Atomic<Int64>(7)
        let read: @Sendable () throws -> Int64 = {
            let number = readsMade.add(1, ordering: .sequentiallyConsistent).newValue
            let seen = version.load(ordering: .sequentiallyConsistent)
            if number == 1 {
                firstReadStarted.signal()
                firstReadMayEnd.wait()
            }
            return seen
        }
        let first = Thread.detachedResult { try reads.version(of: hotel, read: read) }
        firstReadStarted.wait()
        version.store(8, ordering: .sequentiallyConsistent) // committed after the first read looked
        let later = (0..<5).map { _ in Thread.detachedResult { try reads.version(of: hotel, read: read) } }
        let deadline = Date().addingTimeInterval(10)
        while reads.waiting < 5 && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(reads.waiting == 5)
        firstReadMayEnd.signal()
        #expect(try first.value() == 7)
        for call in later { #expect(try call.value() == 8) } // never the read that began before they came
        #expect(readsMade.load(ordering: .sequentiallyConsistent) == 2) // five calls, one read
    }

    /// The same rule for a request's task (PostgreSQL's kept answers are checked without a worker
    /// thread): calls that come during a read are suspended until the next read, made for them.
    @Test func asyncCallsThatComeDuringAReadShareTheNextReadNotThatOne() async throws {
        let reads = SharedVersionReads()
        let hotel = UUID()
        let readsMade = Atomic<Int>(0)
        let firstReadStarted = Atomic<Bool>(false), firstReadMayEnd = Atomic<Bool>(false)
        let version = Atomic<Int64>(7)
        let read: @Sendable () async throws -> Int64 = {
            let number = readsMade.add(1, ordering: .sequentiallyConsistent).newValue
            let seen = version.load(ordering: .sequentiallyConsistent)
            if number == 1 {
                firstReadStarted.store(true, ordering: .sequentiallyConsistent)
                while !firstReadMayEnd.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }
            }
            return seen
        }
        let first = Task { try await reads.version(of: hotel, read: read) }
        while !firstReadStarted.load(ordering: .sequentiallyConsistent) { try await Task.sleep(for: .milliseconds(1)) }
        version.store(8, ordering: .sequentiallyConsistent) // committed after the first read looked
        let later = (0..<5).map { _ in Task { try await reads.version(of: hotel, read: read) } }
        let deadline = Date().addingTimeInterval(10)
        while reads.suspended < 5 && Date() < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(reads.suspended == 5)
        firstReadMayEnd.store(true, ordering: .sequentiallyConsistent)
        #expect(try await first.value == 7)
        for call in later { #expect(try await call.value == 8) } // never the read that began before they came
        #expect(readsMade.load(ordering: .sequentiallyConsistent) == 2) // five calls, one read
        #expect(reads.suspended == 0)
        // A failed read is its caller's failure; the next call reads again.
        struct Gone: Error {}
        await #expect(throws: Gone.self) { try await reads.version(of: hotel) { () async throws -> Int64 in throw Gone() } }
        #expect(try await reads.version(of: hotel) { () async throws -> Int64 in 9 } == 9)
    }

    @Test func aFailedReadIsEveryWaitersFailureAndTheNextCallReadsAgain() throws {
        struct Gone: Error {}
        let reads = SharedVersionReads()
        let hotel = UUID()
        #expect(throws: Gone.self) { try reads.version(of: hotel) { throw Gone() } }
        #expect(try reads.version(of: hotel) { 3 } == 3)
        #expect(try reads.version(of: UUID()) { 4 } == 4)
    }
}

/// A value computed on a thread of its own, waited for.
private final class DetachedResult<T: Sendable>: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<T, any Error>?

    init(_ body: @escaping @Sendable () throws -> T) {
        Thread.detachNewThread { [self] in
            result = Result { try body() }
            done.signal()
        }
    }

    func value() throws -> T {
        done.wait()
        return try result!.get()
    }
}

private extension Thread {
    static func detachedResult<T: Sendable>(_ body: @escaping @Sendable () throws -> T) -> DetachedResult<T> {
        DetachedResult(body)
    }
}
