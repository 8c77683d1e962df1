import Foundation
import FrontDeskDomain
import Synchronization

/// Takes booking requests from many threads (screens, a server's handlers) and writes them in
/// groups: whatever arrived while the previous group was committing goes into the next
/// transaction together, so many requests share one durable commit.
public final class BookingIntake: Sendable {
    /// Writes one group: the store's `reserveAll`, or what a test of the grouping puts there.
    private let writeGroup: @Sendable ([ReservationRequest]) throws -> [Result<Booking, any Error>]
    private let queue = Mutex(Queue())
    private let arrived = DispatchSemaphore(value: 0)

    struct Queue {
        var waiting: [Ticket] = []
        var stopped = false
        /// Requests taken and not yet answered, and the most there were since a lane last took a
        /// group: how many callers are booking at once, as far as the intake can see.
        var inFlight = 0
        var busiest = 0
    }

    /// How long a lane waits to fill a group (`BookingIntake.init`'s `gathering`).
    public struct Gathering: Sendable, Equatable {
        /// A lane that would write fewer than this many bookings, while at least this many have
        /// been in flight at once lately, waits for them (up to `patience`). 1 takes whatever
        /// has arrived.
        public let atLeast: Int
        /// The longest a group waits for the rest.
        public let patience: Duration

        public init(atLeast: Int, patience: Duration = .milliseconds(2)) {
            self.atLeast = max(1, atLeast)
            self.patience = patience
        }

        /// Whatever has arrived is the group: a group that waits for nobody.
        public static let takeWhatArrived = Gathering(atLeast: 1)
    }

    /// One request and how to hand its outcome back: to a thread blocked in `submit`, or to a
    /// task suspended in `submitAsync` (which holds no thread while its group commits).
    final class Ticket: Sendable {
        let request: ReservationRequest
        let finish: @Sendable (Result<Booking, any Error>) -> Void
        init(_ request: ReservationRequest, finish: @escaping @Sendable (Result<Booking, any Error>) -> Void) {
            self.request = request
            self.finish = finish
        }
    }

    /// How many groups may be written at once, each by a thread of its own.
    let lanes: Int

    let gathering: Gathering
    /// `gathering.patience` as Dispatch counts it, worked out once.
    private let patience: DispatchTimeInterval

    /// `lanes`: one where the database has one writer (SQLite); more where groups can be written
    /// side by side (`ChainStorage.bookingLanes`): a lane that is free takes whatever has arrived.
    /// `gathering`: whether a lane waits to fill a small group (`ChainStorage.bookingGathering`).
    public convenience init(store: any HotelStorage, lanes: Int = 1, gathering: Gathering = .takeWhatArrived) {
        self.init(lanes: lanes, gathering: gathering) { try store.reserveAll($0) }
    }

    init(lanes: Int, gathering: Gathering, writeGroup: @escaping @Sendable ([ReservationRequest]) throws -> [Result<Booking, any Error>]) {
        self.writeGroup = writeGroup
        self.lanes = max(1, lanes)
        self.gathering = gathering
        let (seconds, attoseconds) = gathering.patience.components
        patience = .nanoseconds(Int(seconds) * 1_000_000_000 + Int(attoseconds / 1_000_000_000))
        for lane in 0..<self.lanes {
            let thread = Thread { [self] in loop() }
            thread.name = self.lanes == 1 ? "booking-intake" : "booking-intake-\(lane + 1)"
            thread.start()
        }
    }

    /// Blocks until the request's group is committed; returns the held booking or its error.
    public func submit(_ request: ReservationRequest) throws -> Booking {
        let done = DispatchSemaphore(value: 0)
        let outcome = Mutex<Result<Booking, any Error>?>(nil)
        try enqueue(Ticket(request) { result in
            outcome.withLock { $0 = result }
            done.signal()
        })
        done.wait()
        return try outcome.withLock { $0! }.get()
    }

    /// Suspends until the request's group is committed, without holding a thread meanwhile: a
    /// server's requests all join the next group, however few worker threads it has.
    public func submitAsync(_ request: ReservationRequest) async throws -> Booking {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Booking, any Error>) in
            do {
                try enqueue(Ticket(request) { continuation.resume(with: $0) })
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    private func enqueue(_ ticket: Ticket) throws {
        let accepted = queue.withLock { queue -> Bool in
            guard !queue.stopped else { return false }
            queue.waiting.append(ticket)
            queue.inFlight += 1
            queue.busiest = max(queue.busiest, queue.inFlight)
            return true
        }
        guard accepted else { throw FrontDeskError.invalidState("The desk is closing; the booking was not taken") }
        arrived.signal()
    }

    /// Requests waiting for a lane to take them.
    var waitingCount: Int { queue.withLock { $0.waiting.count } }

    public func stop() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<lanes { arrived.signal() } // every lane wakes, writes what is left and ends
    }

    private func loop() {
        while true {
            arrived.wait()
            let taken = take()
            var (group, stopped) = (taken.group, taken.stopped)
            if !group.isEmpty && !stopped {
                // A group much smaller than the callers booking at once costs each of its bookings
                // a share of the same round trips and commit: wait a little for the rest of them
                // (DECISIONS.md "A booking lane waits a moment to fill a small group").
                let wanted = min(gathering.atLeast, taken.busiest)
                if group.count < wanted {
                    let deadline = DispatchTime.now() + patience
                    while group.count < wanted, arrived.wait(timeout: deadline) == .success {
                        let (more, nowStopped, _) = take()
                        group += more
                        if nowStopped { stopped = true; break }
                    }
                }
            }
            if !group.isEmpty {
                let outcomes: [Result<Booking, any Error>]
                do {
                    outcomes = try writeGroup(group.map(\.request))
                } catch {
                    outcomes = group.map { _ in .failure(error) }
                }
                queue.withLock { $0.inFlight -= group.count }
                for (ticket, outcome) in zip(group, outcomes) { ticket.finish(outcome) }
            }
            if stopped && queue.withLock({ $0.waiting.isEmpty }) { return }
        }
    }

    /// Everything waiting, whether the intake is stopping, and the most requests in flight at
    /// once since the last take (then counted afresh from those in flight now).
    private func take() -> (group: [Ticket], stopped: Bool, busiest: Int) {
        queue.withLock { queue in
            defer {
                queue.waiting.removeAll()
                queue.busiest = queue.inFlight
            }
            return (queue.waiting, queue.stopped, queue.busiest)
        }
    }
}
