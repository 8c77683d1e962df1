import Foundation
import Synchronization

/// One read of a hotel's availability version serves every request that asked for it while it
/// was waited for. A kept availability answer is served only after a read made after its request
/// came (AvailabilityCache), so a request that finds a read already under way does not take that
/// read's answer (it may have been made before the request came): it waits for the next read,
/// which the first of its waiters makes as soon as the one under way ends. At most one read per
/// hotel is under way at a time, and every answer is still as fresh as a read of its own.
public final class SharedVersionReads: @unchecked Sendable {
    private final class Flight {
        var result: Result<Int64, any Error>?
    }

    private struct Slot {
        var current: Flight?
        var next: Flight?
    }

    /// Guards `slots` and every flight's `result`; waiters sleep on it.
    private let condition = NSCondition()
    private var slots: [UUID: Slot] = [:]
    /// Calls waiting for a read made by another call, for tests.
    public var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return waitingCount
    }
    private var waitingCount = 0

    public init() {}

    /// The version of `hotel` as read by `read` at some point after this call began.
    public func version(of hotel: UUID, read: () throws -> Int64) throws -> Int64 {
        condition.lock()
        let flight: Flight
        var leads = false
        if slots[hotel]?.current == nil {
            flight = Flight()
            slots[hotel, default: Slot()].current = flight
            leads = true
        } else if let next = slots[hotel]?.next {
            flight = next
        } else {
            flight = Flight()
            slots[hotel]?.next = flight
        }
        if !leads { waitingCount += 1 }
        while !leads {
            if let result = flight.result {
                waitingCount -= 1
                condition.unlock()
                return try result.get()
            }
            if slots[hotel]?.current == nil, slots[hotel]?.next === flight {
                slots[hotel] = Slot(current: flight, next: nil)
                waitingCount -= 1
                leads = true
                break
            }
            condition.wait()
        }
        condition.unlock()
        let result = Result { try read() }
        condition.lock()
        flight.result = result
        slots[hotel]?.current = nil
        if slots[hotel]?.next == nil { slots[hotel] = nil }
        condition.broadcast()
        condition.unlock()
        return try result.get()
    }

    // MARK: From async code

    /// The same rule for callers that may not block (a request's task): waiters are suspended
    /// continuations, not sleeping threads. A caller that finds a read under way waits for the
    /// next one, which starts as the one under way ends.
    private struct AsyncSlot {
        var reading = false
        /// Arrived while a read was under way: the next read answers them.
        var waiting: [CheckedContinuation<Int64?, any Error>] = []
    }
    private let asyncSlots = Mutex<[UUID: AsyncSlot]>([:])

    /// Calls from async code waiting for a read made by another call, for tests.
    public var suspended: Int {
        asyncSlots.withLock { slots in slots.values.reduce(0) { $0 + $1.waiting.count } }
    }

    /// The version of `hotel` as read by `read` at some point after this call began.
    public func version(of hotel: UUID, read: @escaping @Sendable () async throws -> Int64) async throws -> Int64 {
        // nil: no read was under way, so this call makes one.
        let shared: Int64? = try await withCheckedThrowingContinuation { continuation in
            let leads = asyncSlots.withLock { slots -> Bool in
                if slots[hotel]?.reading == true {
                    slots[hotel]?.waiting.append(continuation)
                    return false
                }
                slots[hotel] = AsyncSlot(reading: true)
                return true
            }
            if leads { continuation.resume(returning: nil) }
        }
        if let shared { return shared }
        let result = await Result { try await read() }
        hand(hotel, read)
        return try result.get()
    }

    /// Ends the read under way for `hotel`: callers that came during it get a read of their own,
    /// made now, in a task that goes on the same way until nobody waits.
    private func hand(_ hotel: UUID, _ read: @escaping @Sendable () async throws -> Int64) {
        let waiting = asyncSlots.withLock { slots -> [CheckedContinuation<Int64?, any Error>] in
            let waiting = slots[hotel]?.waiting ?? []
            if waiting.isEmpty { slots[hotel] = nil } else { slots[hotel]?.waiting = [] }
            return waiting
        }
        guard !waiting.isEmpty else { return }
        Task {
            let result = await Result { try await read() }
            self.hand(hotel, read)
            for continuation in waiting { continuation.resume(with: result.map { Optional($0) }) }
        }
    }
}

extension Result where Failure == any Error {
    init(_ body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
