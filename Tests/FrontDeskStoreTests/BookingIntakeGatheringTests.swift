import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import Synchronization
import Testing

/// How a booking lane forms its groups (issue 13, session 29): with `Gathering`, a lane that has
/// fewer requests than were lately in flight waits for the rest (up to its patience) instead of
/// writing a small group at once. The store is replaced by a recorder of group sizes whose first
/// group is held until the test lets it go, so what arrives meanwhile is known.
@Suite struct BookingIntakeGatheringTests {
    struct Refused: Error {}

    /// Records each group's size; the first group waits for `release`.
    final class GroupRecorder: Sendable {
        let sizes = Mutex<[Int]>([])
        let firstEntered = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)

        func write(_ requests: [ReservationRequest]) -> [Result<Booking, any Error>] {
            let isFirst = sizes.withLock { sizes in
                sizes.append(requests.count)
                return sizes.count == 1
            }
            if isFirst {
                firstEntered.signal()
                release.wait()
            }
            return requests.map { _ in .failure(Refused()) }
        }
    }

    static func request(_ index: Int) -> ReservationRequest {
        let form = BookingForm(roomNumber: "\(100 + index)", checkIn: "2026-12-01", checkOut: "2026-12-02", guests: "1",
                               guestName: "Guest \(index)", email: "g\(index)@example.com")
        return ReservationRequest(form: form, payment: .desk, user: "anna")
    }

    /// Submits `count` requests from threads of their own (numbered from `first`) and returns at
    /// once; `answered` is left once per request when its group is written.
    static func submit(_ count: Int, from first: Int, to intake: BookingIntake, answered: DispatchGroup) {
        for index in first..<(first + count) {
            answered.enter()
            Thread.detachNewThread {
                _ = try? intake.submit(request(index))
                answered.leave()
            }
        }
    }

    /// Whether `condition` came true within 10 s.
    @discardableResult
    static func waitUntil(within limit: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + limit
        while !condition() {
            if ContinuousClock.now > deadline { return false }
            usleep(200)
        }
        return true
    }

    /// One request is written while five more arrive (six in flight); once the lane has taken
    /// those five, it waits for a sixth and writes the six as one group, where a lane that takes
    /// what arrived writes the five and then the sixth alone.
    @Test(arguments: [true, false])
    func aLaneWaitsForTheCallersInFlightToFillASmallGroup(gathers: Bool) {
        let gathering = gathers ? BookingIntake.Gathering(atLeast: 8, patience: .seconds(60)) : .takeWhatArrived
        let (recorder, intake, answered) = Self.releaseFirstGroup(gathering, after: 5)
        Self.waitUntil { intake.waitingCount == 0 }
        Self.submit(1, from: 6, to: intake, answered: answered)
        answered.wait()
        intake.stop()
        #expect(recorder.sizes.withLock { $0 } == (gathers ? [1, 6] : [1, 5, 1]))
    }

    /// While other processes write the hotel, a lane gathers up to `atLeastWhileShared`: with six
    /// in flight and 5 wanted while shared, the five waiting are written at once; alone, the same
    /// lane waits for a sixth (8 wanted, 6 in flight lately) and writes the six together.
    @Test(arguments: [true, false])
    func whileSharedALaneGathersItsSmallerGroup(shared: Bool) {
        let gathering = BookingIntake.Gathering(atLeast: 8, whileShared: 5, patience: .seconds(60))
        let (recorder, intake, answered) = Self.releaseFirstGroup(gathering, after: 5, shared: shared)
        // Shared: written at once (allowed 10 s on a busy machine). Alone: still waiting after 0.5 s.
        let fiveWritten = Self.waitUntil(within: shared ? .seconds(10) : .milliseconds(500)) { recorder.sizes.withLock { $0 } == [1, 5] }
        #expect(fiveWritten == shared)
        if !shared { Self.submit(1, from: 6, to: intake, answered: answered) }
        answered.wait()
        intake.stop()
        #expect(recorder.sizes.withLock { $0 } == (shared ? [1, 5] : [1, 6]))
    }

    /// A lane that waits for requests that never come writes what it has when its patience ends,
    /// and every caller gets its answer.
    @Test func aLaneWritesWhatItHasWhenItsPatienceEnds() {
        let (recorder, intake, answered) = Self.releaseFirstGroup(.init(atLeast: 8, patience: .milliseconds(50)), after: 3)
        answered.wait()
        intake.stop()
        #expect(recorder.sizes.withLock { $0 } == [1, 3])
    }

    /// An intake whose first group, of one request, is held by the store until `queued` more
    /// requests wait for a lane, then let go: those were in flight together with it.
    static func releaseFirstGroup(_ gathering: BookingIntake.Gathering, after queued: Int, shared: Bool = false)
        -> (GroupRecorder, BookingIntake, DispatchGroup) {
        let recorder = GroupRecorder()
        let intake = BookingIntake(lanes: 1, gathering: gathering, shared: { shared }) { recorder.write($0) }
        let answered = DispatchGroup()
        submit(1, from: 0, to: intake, answered: answered)
        recorder.firstEntered.wait()
        submit(queued, from: 1, to: intake, answered: answered)
        waitUntil { intake.waitingCount == queued }
        recorder.release.signal()
        return (recorder, intake, answered)
    }

    /// One caller alone is never kept waiting for others: a group of one is written at once,
    /// however large a group the lane would gather.
    @Test func aCallerAloneIsNotKeptWaiting() throws {
        let recorder = GroupRecorder()
        let intake = BookingIntake(lanes: 1, gathering: .init(atLeast: 8, patience: .seconds(60))) { recorder.write($0) }
        recorder.release.signal() // the first group is not held
        let started = ContinuousClock.now
        for index in 0..<3 {
            #expect(throws: Refused.self) { try intake.submit(Self.request(index)) }
        }
        intake.stop()
        #expect(recorder.sizes.withLock { $0 } == [1, 1, 1])
        #expect(ContinuousClock.now - started < .seconds(30), "a caller alone waited for a patience of 60 s")
    }

    /// With two lanes, the second takes no group smaller than `atLeast` while the first holds
    /// one (two small groups cost more than one), and takes a full one at once, the first still
    /// writing; what the second leaves is written by whichever lane is free next.
    @Test func aSecondLaneTakesOnlyAFullGroupWhileTheFirstHoldsOne() {
        let recorder = GroupRecorder()
        // (The last group, of 2, waits out its patience for the 4 lately in flight.)
        let intake = BookingIntake(lanes: 2, gathering: .init(atLeast: 4, patience: .milliseconds(50))) { recorder.write($0) }
        let answered = DispatchGroup()
        Self.submit(1, from: 0, to: intake, answered: answered)
        recorder.firstEntered.wait()
        Self.submit(3, from: 1, to: intake, answered: answered)
        guard Self.waitUntil({ intake.waitingCount == 3 }) else {
            Issue.record("a second lane took fewer than 4 while the first held its group: \(recorder.sizes.withLock { $0 })")
            recorder.release.signal()
            return
        }
        Self.submit(1, from: 4, to: intake, answered: answered)
        Self.waitUntil { recorder.sizes.withLock { $0.count } == 2 }
        #expect(recorder.sizes.withLock { $0 } == [1, 4], "the second lane took a group of fewer than 4")
        // The first group is still held: two more wait for a lane that is free.
        Self.submit(2, from: 5, to: intake, answered: answered)
        Self.waitUntil { intake.waitingCount == 2 }
        recorder.release.signal()
        answered.wait()
        intake.stop()
        #expect(recorder.sizes.withLock { $0 } == [1, 4, 2])
    }

    /// While other processes write the hotel (`shared`), the second lane takes nothing even when
    /// a full group waits: the first lane takes it when its own group is written. Once the hotel
    /// is the intake's alone again, the second lane takes a full group as before.
    @Test func whileOthersWriteTheHotelOnlyOneLaneHoldsAGroup() {
        let shared = Self.firstGroupHeldThenFive(shared: true)
        Self.waitUntil { shared.intake.waitingCount == 5 }
        // Long enough for a second lane to have taken the 5 if it were going to.
        usleep(100_000)
        #expect(shared.intake.waitingCount == 5, "a second lane took a group while another process writes the hotel")
        #expect(shared.recorder.sizes.withLock { $0 } == [1])
        shared.finish()
        #expect(shared.recorder.sizes.withLock { $0 } == [1, 5])

        // Alone, the second lane takes a full group (4 or all 5, as they arrive) while the first
        // is still held; the rest follows.
        let alone = Self.firstGroupHeldThenFive(shared: false)
        #expect(Self.waitUntil { alone.recorder.sizes.withLock { $0.count } == 2 }, "alone, the second lane took no full group")
        #expect(alone.recorder.sizes.withLock { $0[1] } >= 4)
        alone.finish()
        #expect(alone.recorder.sizes.withLock { $0.reduce(0, +) } == 6)
    }

    /// A two-lane intake (groups of 4 gathered) whose first group, of 1, is held while 5 more
    /// arrive; `finish` lets the first go, waits for every answer and stops the intake.
    static func firstGroupHeldThenFive(shared: Bool) -> (intake: BookingIntake, recorder: GroupRecorder, finish: () -> Void) {
        let recorder = GroupRecorder()
        let intake = BookingIntake(lanes: 2, gathering: .init(atLeast: 4, patience: .milliseconds(50)),
                                   shared: { shared }) { recorder.write($0) }
        let answered = DispatchGroup()
        submit(1, from: 0, to: intake, answered: answered)
        recorder.firstEntered.wait()
        submit(5, from: 1, to: intake, answered: answered)
        return (intake, recorder, {
            recorder.release.signal()
            answered.wait()
            intake.stop()
        })
    }
}
