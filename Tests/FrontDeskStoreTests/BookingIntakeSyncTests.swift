import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import Synchronization
import Testing

/// Issue 11, session 33: a SQLite group's commit is synced while the lane writes the next group
/// (`reserveAllSyncingLater`). Nobody may hear of a booking before its sync: not its caller, not a
/// subscriber, not a reader of the change feed.
@Suite struct BookingIntakeSyncTests {
    struct Refused: Error {}
    struct DiskFailed: Error {}

    /// Groups committed at once; their sync waits for `release` (the first only, or every one).
    final class HeldSync: Sendable {
        let sizes = Mutex<[Int]>([])
        let syncs = Atomic<Int>(0)
        let announced = Atomic<Int>(0)
        let syncEntered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let failing: Bool

        init(failing: Bool = false) { self.failing = failing }

        func write(_ requests: [ReservationRequest]) -> CommittedGroup {
            sizes.withLock { $0.append(requests.count) }
            return CommittedGroup(outcomes: requests.map { _ in .failure(Refused()) }, makeDurable: { [self] in
                if syncs.add(1, ordering: .relaxed).newValue == 1 {
                    syncEntered.signal()
                    release.wait()
                }
                if failing { throw DiskFailed() }
            }, announce: { [self] in announced.add(1, ordering: .relaxed) })
        }
    }

    /// What the callers were answered, in the order they were.
    final class Answers: Sendable {
        let list = Mutex<[String]>([])
        func append(_ answer: String) { list.withLock { $0.append(answer) } }
        var all: [String] { list.withLock { $0 } }
    }

    /// Submits a request from a thread of its own; `answers` gets its error once it is answered.
    static func submit(_ index: Int, to intake: BookingIntake, answers: Answers, answered: DispatchGroup) {
        answered.enter()
        Thread.detachNewThread {
            do {
                _ = try intake.submit(BookingIntakeGatheringTests.request(index))
                answers.append("booked")
            } catch {
                answers.append(String(describing: type(of: error)))
            }
            answered.leave()
        }
    }

    /// The first group's sync is held: its caller is not answered and nothing is announced, while
    /// the lane goes on and commits the next group; once the sync is done both are answered, the
    /// second after a sync of its own.
    @Test func aGroupIsAnsweredOnlyAfterItsSyncAndTheLaneDoesNotWaitForIt() {
        let held = HeldSync()
        let intake = BookingIntake(lanes: 1, gathering: .takeWhatArrived, writeCommitted: { held.write($0) })
        let answers = Answers()
        let answered = DispatchGroup()
        Self.submit(0, to: intake, answers: answers, answered: answered)
        #expect(held.syncEntered.wait(timeout: .now() + 10) == .success, "the group was never synced")
        Self.submit(1, to: intake, answers: answers, answered: answered)
        let secondCommitted = BookingIntakeGatheringTests.waitUntil { held.sizes.withLock { $0 } == [1, 1] }
        #expect(secondCommitted, "the lane waited for the first group's sync before writing the next")
        usleep(50_000) // a caller answered too early would be answered by now
        #expect(answers.all.isEmpty, "a caller was answered before its group's sync")
        #expect(held.announced.load(ordering: .relaxed) == 0)
        held.release.signal()
        answered.wait()
        intake.stop()
        #expect(answers.all == ["Refused", "Refused"])
        #expect(held.announced.load(ordering: .relaxed) == 2)
        #expect(held.syncs.load(ordering: .relaxed) == 2)
    }

    /// A sync that fails answers its group with the failure (whether it reached the disk is not
    /// known) and announces nothing.
    @Test func aFailedSyncAnswersItsGroupWithTheFailure() {
        let held = HeldSync(failing: true)
        let intake = BookingIntake(lanes: 1, gathering: .takeWhatArrived, writeCommitted: { held.write($0) })
        let answers = Answers()
        let answered = DispatchGroup()
        Self.submit(0, to: intake, answers: answers, answered: answered)
        #expect(held.syncEntered.wait(timeout: .now() + 10) == .success, "the group was never synced")
        held.release.signal()
        answered.wait()
        intake.stop()
        #expect(answers.all == ["DiskFailed"])
        #expect(held.announced.load(ordering: .relaxed) == 0)
    }

    /// On a real file: a group committed without its sync is announced to subscribers only by
    /// `announce`, and a read of the change feed made meanwhile syncs the log before it answers;
    /// once the group's own sync is done, feed reads sync nothing more.
    @Test func theFeedIsReadDurablyWhileAGroupAwaitsItsSync() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        let heard = Answers()
        _ = store.subscribe { _ in heard.append("heard") }
        let before = try store.latestFeedSequence()
        let syncsBefore = store.shared.readerSyncs.load(ordering: .relaxed)
        let group = try store.reserveAllSyncingLater([
            ReservationRequest(form: fixture.form(), payment: .desk, user: "anna", confirmsDeskPaymentAtOnce: true),
        ])
        let booking = try group.outcomes[0].get()
        #expect(booking.status == .confirmed)
        #expect(heard.all.isEmpty, "a subscriber heard of the booking before its sync")

        let events = try store.feedEvents(after: before)
        #expect(events.contains { $0.name == "BookingConfirmed" })
        #expect(store.shared.readerSyncs.load(ordering: .relaxed) == syncsBefore + 1, "the feed was answered before the log was synced")

        let makeDurable = try #require(group.makeDurable)
        try makeDurable()
        group.announce()
        #expect(!heard.all.isEmpty)
        _ = try store.feedEvents(after: before)
        #expect(store.shared.readerSyncs.load(ordering: .relaxed) == syncsBefore + 1, "a durable feed was synced again")
    }

    /// The intake on a real file: every caller of a busy moment gets its confirmed booking, each
    /// room-night once, and the bookings are in the file for another connection to read.
    @Test func anIntakeOnSQLiteConfirmsEveryRequest() throws {
        let fixture = try StoreFixture()
        let intake = BookingIntake(store: fixture.store)
        let results = Mutex<[Result<Booking, any Error>]>([])
        let rooms = ["101", "102", "103", "104", "201", "202"]
        DispatchQueue.concurrentPerform(iterations: 24) { index in
            let checkIn = StoreFixture.today.adding(days: 10 + 2 * (index / rooms.count))
            let form = BookingForm(roomNumber: rooms[index % rooms.count], checkIn: checkIn.iso, checkOut: checkIn.adding(days: 2).iso,
                                   guests: "1", guestName: "Guest \(index)", email: "g\(index)@example.com")
            let outcome = Result { try intake.submit(ReservationRequest(form: form, payment: .desk, user: "anna", confirmsDeskPaymentAtOnce: true)) }
            results.withLock { $0.append(outcome) }
        }
        intake.stop()
        let sold = results.withLock { $0 }.compactMap { try? $0.get() }
        #expect(sold.count == 24)
        #expect(sold.allSatisfy { $0.status == .confirmed })
        #expect(try fixture.count("booking") == 24)
        #expect(try fixture.count("room_night") == 48)
    }
}
