import Foundation

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
}
