import Foundation
import FrontDeskDomain
import Synchronization

/// Takes booking requests from many threads (screens, a server's handlers) and writes them in
/// groups: whatever arrived while the previous group was committing goes into the next
/// transaction together, so many requests share one durable commit.
public final class BookingIntake: Sendable {
    let store: any HotelStorage
    private let queue = Mutex(Queue())
    private let arrived = DispatchSemaphore(value: 0)

    struct Queue {
        var waiting: [Ticket] = []
        var stopped = false
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

    /// `lanes`: one where the database has one writer (SQLite); more where groups can be written
    /// side by side (`ChainStorage.bookingLanes`): a lane that is free takes whatever has arrived.
    public init(store: any HotelStorage, lanes: Int = 1) {
        self.store = store
        self.lanes = max(1, lanes)
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
            return true
        }
        guard accepted else { throw FrontDeskError.invalidState("The desk is closing; the booking was not taken") }
        arrived.signal()
    }

    public func stop() {
        queue.withLock { $0.stopped = true }
        for _ in 0..<lanes { arrived.signal() } // every lane wakes, writes what is left and ends
    }

    private func loop() {
        while true {
            arrived.wait()
            let (group, stopped) = queue.withLock { queue in
                defer { queue.waiting.removeAll() }
                return (queue.waiting, queue.stopped)
            }
            if !group.isEmpty {
                let outcomes: [Result<Booking, any Error>]
                do {
                    outcomes = try store.reserveAll(group.map(\.request))
                } catch {
                    outcomes = group.map { _ in .failure(error) }
                }
                for (ticket, outcome) in zip(group, outcomes) { ticket.finish(outcome) }
            }
            if stopped && queue.withLock({ $0.waiting.isEmpty }) { return }
        }
    }
}
