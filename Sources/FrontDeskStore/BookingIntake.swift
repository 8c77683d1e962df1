import Foundation
import FrontDeskDomain
import Synchronization

/// Takes booking requests from many threads (screens, a server's handlers) and writes them in
/// groups: whatever arrived while the previous group was committing goes into the next
/// transaction together, so many requests share one durable commit.
public final class BookingIntake: Sendable {
    /// Writes one group: the store's `reserveAllSyncingLater`, or what a test of the grouping puts there.
    private let writeGroup: @Sendable ([ReservationRequest]) throws -> CommittedGroup
    /// The queue, guarded by `changed`, which lanes wait on for arrivals (and a lane that is
    /// gathering, for more): every waiting lane wakes and looks, so none takes a wake-up meant
    /// for another.
    private let state = QueueBox()
    private let changed = NSCondition()

    final class QueueBox: @unchecked Sendable {
        var queue = Queue()
    }

    /// Groups committed and not yet durable, in commit order, for the syncing thread (`syncLoop`);
    /// guarded by `syncChanged`.
    private let syncing = SyncBox()
    private let syncChanged = NSCondition()

    final class SyncBox: @unchecked Sendable {
        var committed: [(tickets: [Ticket], group: CommittedGroup)] = []
        var threadStarted = false
        var lanesRunning = 0
    }

    struct Queue {
        var waiting: [Ticket] = []
        var stopped = false
        /// Requests taken and not yet answered, and the most there were since a lane last took a
        /// group: how many callers are booking at once, as far as the intake can see.
        var inFlight = 0
        var busiest = 0
        /// Lanes holding a group (gathering it or writing it).
        var lanesBusy = 0
    }

    /// How long a lane waits to fill a group (`BookingIntake.init`'s `gathering`).
    public struct Gathering: Sendable, Equatable {
        /// A lane that would write fewer than this many bookings, while at least this many have
        /// been in flight at once lately, waits for them (up to `patience`); and while another
        /// lane holds a group, a free lane takes none until this many wait. 1 takes whatever
        /// has arrived.
        public let atLeast: Int
        /// `atLeast` while other processes write the hotel too (`BookingIntake`'s `shared`): each
        /// then sees only its share of the callers, and waiting for more of them than it has in
        /// flight only delays the group.
        public let atLeastWhileShared: Int
        /// The longest a group waits for the rest.
        public let patience: Duration

        public init(atLeast: Int, whileShared: Int? = nil, patience: Duration = .milliseconds(2)) {
            self.atLeast = max(1, atLeast)
            atLeastWhileShared = max(1, whileShared ?? atLeast)
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
    /// `gathering.patience` in seconds, worked out once.
    private let patience: TimeInterval
    /// Whether other processes write this hotel's bookings now (`ChainStorage.sharedWithOtherWriters`):
    /// then only one lane writes at a time, whatever waits.
    private let shared: @Sendable () -> Bool

    /// `lanes`: one where the database has one writer (SQLite); more where groups can be written
    /// side by side (`ChainStorage.bookingLanes`): a lane that is free takes what has arrived,
    /// unless another lane holds a group and fewer than `gathering.atLeast` wait (the busy lane
    /// takes them next).
    /// `gathering`: whether a lane waits to fill a small group (`ChainStorage.bookingGathering`).
    /// `shared`: whether other processes write the hotel now; while they do, a second lane takes
    /// nothing: their commits and this one's take turns on the hotel's counter row anyway, and two
    /// lanes of each instance only made every group smaller (DECISIONS.md, session 31).
    ///
    /// A store whose commits wait for their sync (SQLite, `synchronous = FULL`) hands back groups
    /// committed without it: a thread of the intake's own syncs the log while the lane writes the
    /// next group, and answers (and announces) a group once the sync after its commit is done.
    /// Nobody hears of a booking before it is durable; the lane never waits for the disk.
    public convenience init(store: any HotelStorage, lanes: Int = 1, gathering: Gathering = .takeWhatArrived,
                            shared: @escaping @Sendable () -> Bool = { false }) {
        self.init(lanes: lanes, gathering: gathering, shared: shared, writeCommitted: { try store.reserveAllSyncingLater($0) })
    }

    /// For tests of the grouping: `writeGroup`'s commits are durable when it returns.
    convenience init(lanes: Int, gathering: Gathering, shared: @escaping @Sendable () -> Bool = { false },
                     writeGroup: @escaping @Sendable ([ReservationRequest]) throws -> [Result<Booking, any Error>]) {
        self.init(lanes: lanes, gathering: gathering, shared: shared, writeCommitted: { requests in
            CommittedGroup(outcomes: try writeGroup(requests), makeDurable: nil, announce: {})
        })
    }

    init(lanes: Int, gathering: Gathering, shared: @escaping @Sendable () -> Bool = { false },
         writeCommitted: @escaping @Sendable ([ReservationRequest]) throws -> CommittedGroup) {
        self.writeGroup = writeCommitted
        self.shared = shared
        self.lanes = max(1, lanes)
        self.gathering = gathering
        let (seconds, attoseconds) = gathering.patience.components
        patience = TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
        syncing.lanesRunning = self.lanes
        for lane in 0..<self.lanes {
            let thread = Thread { [self] in loop(lane: lane) }
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
        changed.lock()
        defer { changed.unlock() }
        guard !state.queue.stopped else { throw FrontDeskError.invalidState("The desk is closing; the booking was not taken") }
        state.queue.waiting.append(ticket)
        state.queue.inFlight += 1
        state.queue.busiest = max(state.queue.busiest, state.queue.inFlight)
        changed.broadcast()
    }

    /// Requests waiting for a lane to take them.
    var waitingCount: Int {
        changed.lock()
        defer { changed.unlock() }
        return state.queue.waiting.count
    }

    public func stop() {
        changed.lock()
        state.queue.stopped = true
        changed.broadcast() // every lane wakes, writes what is left and ends
        changed.unlock()
    }

    private func loop(lane: Int) {
        while true {
            guard let group = nextGroup(lane: lane) else { break }
            let committed: CommittedGroup
            do {
                committed = try writeGroup(group.map(\.request))
            } catch {
                committed = CommittedGroup(outcomes: group.map { _ in .failure(error) }, makeDurable: nil, announce: {})
            }
            changed.lock()
            state.queue.lanesBusy -= 1
            // A lane that left a small group for this one may look again, as may this one.
            changed.broadcast()
            changed.unlock()
            if committed.makeDurable == nil {
                answer(group, committed.outcomes, announcing: committed.announce)
            } else {
                handToSync(group, committed)
            }
        }
        syncChanged.lock()
        syncing.lanesRunning -= 1
        syncChanged.broadcast() // the last lane gone, the syncing thread ends once it has answered everything
        syncChanged.unlock()
    }

    /// Announces a durable group and answers its callers.
    private func answer(_ group: [Ticket], _ outcomes: [Result<Booking, any Error>], announcing announce: () -> Void) {
        announce()
        changed.lock()
        state.queue.inFlight -= group.count
        changed.unlock()
        for (ticket, outcome) in zip(group, outcomes) { ticket.finish(outcome) }
    }

    /// Hands a committed group to the syncing thread; the lane goes on with the next group at once.
    /// (Measured and not kept: a lane that waits until the syncing thread has taken the group, so
    /// that what arrives meanwhile joins one bigger commit: 4 % fewer bytes written, no more bookings.)
    private func handToSync(_ tickets: [Ticket], _ group: CommittedGroup) {
        syncChanged.lock()
        defer { syncChanged.unlock() }
        syncing.committed.append((tickets, group))
        if !syncing.threadStarted {
            syncing.threadStarted = true
            let thread = Thread { [self] in syncLoop() }
            thread.name = "booking-sync"
            thread.start()
        }
        syncChanged.signal()
    }

    /// Syncs whatever groups were committed since the last sync, in one sync (the newest group's:
    /// it covers every commit before it), then answers them in commit order. A sync that fails
    /// answers its groups with the failure: whether they reached the disk is not known, and
    /// nothing of them is announced (a request id retried finds the booking if it was kept).
    private func syncLoop() {
        while true {
            syncChanged.lock()
            while syncing.committed.isEmpty && syncing.lanesRunning > 0 { syncChanged.wait() }
            let batch = syncing.committed
            syncing.committed.removeAll()
            syncChanged.unlock()
            guard let newest = batch.last else { return } // every lane ended and everything is answered
            var failure: (any Error)?
            do { try newest.group.makeDurable?() } catch { failure = error }
            for (tickets, group) in batch {
                if let failure {
                    answer(tickets, tickets.map { _ in .failure(failure) }, announcing: {})
                } else {
                    answer(tickets, group.outcomes, announcing: group.announce)
                }
            }
        }
    }

    /// Waits for a group this lane may take, then, if it is much smaller than the callers booking
    /// at once lately, a little longer for the rest of them (DECISIONS.md "A booking lane waits a
    /// moment to fill a small group"); never empty; nil once the intake is stopped and nothing is left.
    /// A lane takes nothing while another lane holds a group and fewer than `gathering.atLeast`
    /// wait: two small groups cost more than one (DECISIONS.md, session 30). While other
    /// processes write the hotel (`shared`) only the first lane takes groups; the others look
    /// again every `spareLaneNap`, out of the way of the arrivals' wake-ups.
    private func nextGroup(lane: Int) -> [Ticket]? {
        changed.lock()
        defer { changed.unlock() }
        while true {
            if state.queue.stopped && state.queue.waiting.isEmpty { return nil }
            if lane > 0 && !state.queue.stopped && shared() {
                changed.unlock()
                Thread.sleep(forTimeInterval: Self.spareLaneNap)
                changed.lock()
                continue
            }
            if !state.queue.waiting.isEmpty
                && (state.queue.stopped || state.queue.lanesBusy == 0 || state.queue.waiting.count >= gathering.atLeast) { break }
            changed.wait()
        }
        state.queue.lanesBusy += 1
        let wanted = min(shared() ? gathering.atLeastWhileShared : gathering.atLeast, state.queue.busiest)
        var group = takeWaiting()
        if group.count < wanted && !state.queue.stopped {
            let deadline = Date().addingTimeInterval(patience)
            while group.count < wanted && !state.queue.stopped {
                if state.queue.waiting.isEmpty && !changed.wait(until: deadline) { break }
                group += takeWaiting()
            }
        }
        return group
    }

    /// How long a lane beyond the first sleeps before it looks again whether the hotel is still shared.
    static let spareLaneNap: TimeInterval = 0.05

    /// Everything waiting (the caller holds `changed`); the most in flight is counted afresh from
    /// those in flight now.
    private func takeWaiting() -> [Ticket] {
        let taken = state.queue.waiting
        state.queue.waiting.removeAll()
        state.queue.busiest = state.queue.inFlight
        return taken
    }
}
