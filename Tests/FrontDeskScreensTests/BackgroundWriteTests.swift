import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTestSupport
import Synchronization
import Testing

/// Check-in, check-out and cancel run where list queries run: off the UI thread in the terminal.
@Suite struct BackgroundWriteTests {
    @Test func aCheckInWaitsOffTheUIThreadWhileTheScreenSaysSavingAndAnswersKeys() throws {
        var fixture = try ScreenFixture()
        let arriving = try fixture.desk.book(room: "101", from: StoreFixture.today.iso, to: "2026-11-28")
        fixture.model.runLoadsInBackground()
        fixture.press(.function(4)) // today
        for load in fixture.model.takePendingLoads() { fixture.model.finish(load.run(), generation: load.generation) }
        #expect(fixture.model.state.today.arrivals.map(\.id) == [arriving.id])

        fixture.press(.alt("i"), .right, .enter) // check in, and answer Yes

        // Nothing was written yet: the write waits for the background thread.
        let pending = fixture.model.takePendingLoads()
        #expect(pending.count == 1)
        #expect(try fixture.desk.store.booking(arriving.confirmationCode).status == .confirmed)
        #expect(fixture.screen().split(separator: "\n").first?.contains("saving…") == true)
        // Keys still work meanwhile.
        fixture.press(.function(3))
        #expect(fixture.model.state.screen == .bookings)
        fixture.press(.function(4))

        for load in pending { fixture.model.finish(load.run(), generation: load.generation) }
        #expect(try fixture.desk.store.booking(arriving.confirmationCode).status == .checkedIn)
        #expect(fixture.model.state.today.actions.message == "Zoë Ångström checked in (booking \(arriving.confirmationCode))")
        #expect(fixture.screen().split(separator: "\n").first?.contains("saving…") == false)
    }

    @Test func twoWritesAskedQuicklyBothRun() throws {
        var fixture = try ScreenFixture()
        let first = try fixture.desk.book(room: "101", from: StoreFixture.today.iso, to: "2026-11-28")
        let second = try fixture.desk.book(room: "102", from: StoreFixture.today.iso, to: "2026-11-28")
        fixture.model.runLoadsInBackground()
        fixture.press(.function(4))
        for load in fixture.model.takePendingLoads() { fixture.model.finish(load.run(), generation: load.generation) }

        fixture.press(.alt("i"), .right, .enter, .down, .alt("i"), .right, .enter)
        let pending = fixture.model.takePendingLoads()
        for load in pending { fixture.model.finish(load.run(), generation: load.generation) }

        #expect(try fixture.desk.store.booking(first.confirmationCode).status == .checkedIn)
        #expect(try fixture.desk.store.booking(second.confirmationCode).status == .checkedIn)
    }

    /// Loads run on a thread of their own, as the terminal's loader runs them; `done` is
    /// signalled when every outcome is in.
    final class OffThread: Sendable {
        let outcomes = Mutex<[(generation: Int, outcome: LoadOutcome)]>([])
        let done = DispatchSemaphore(value: 0)

        init(_ loads: [PendingLoad]) {
            DispatchQueue.global().async { [self] in
                for load in loads {
                    let outcome = load.run()
                    outcomes.withLock { $0.append((load.generation, outcome)) }
                }
                done.signal()
            }
        }

        /// Still waiting after `seconds`.
        func isWaiting(after seconds: Double) -> Bool { done.wait(timeout: .now() + seconds) == .timedOut }

        func finish(into model: inout DeskModel) {
            for answer in outcomes.withLock({ $0 }) { model.finish(answer.outcome, generation: answer.generation) }
        }
    }

    /// A walk-in's form, filled in: room 301 (the first offer), Ann Lee.
    static func filledForm() throws -> ScreenFixture {
        var fixture = try ScreenFixture()
        fixture.model.runLoadsInBackground()
        fixture.press(.down, .enter) // the first room, 301
        fixture.type("Ann Lee")
        fixture.press(.tab)
        fixture.type("ann@example.com")
        _ = fixture.model.takePendingLoads()
        return fixture
    }

    /// Issue 10, item 18: the form's booking is written off the UI thread. Another connection
    /// holds the write lock, so the write waits; the keys do not, and a second Enter books nothing more.
    @Test func aBookingWaitingForAnotherWritersLockLeavesTheKeysFreeAndASecondEnterBooksNothingMore() throws {
        var fixture = try Self.filledForm()
        let lock = try WriteLockHolder(path: fixture.desk.store.path)
        defer { try? lock.release() }

        let pressed = Date()
        fixture.press(.enter)
        fixture.press(.enter, .function(9)) // again, impatiently: ignored while it saves
        #expect(Date().timeIntervalSince(pressed) < 1)
        #expect(fixture.model.state.booking?.progress == .saving)
        let screen = fixture.screen()
        #expect(screen.split(separator: "\n").first?.contains("saving…") == true)
        #expect(screen.contains("Saving the booking…"))
        let pending = fixture.model.takePendingLoads()
        #expect(pending.filter { if case .write = $0.key { true } else { false } }.count == 1)

        let writing = OffThread(pending)
        #expect(writing.isWaiting(after: 0.5)) // held up by the other connection's lock
        // Meanwhile the desk answers keys: another screen, and back to the form (still saving).
        fixture.press(.function(3))
        #expect(fixture.model.state.screen == .bookings)
        fixture.press(.function(2), .enter)
        #expect(fixture.model.state.screen == .booking && fixture.model.state.booking?.progress == .saving)
        #expect(try fixture.desk.count("booking") == 0)

        try lock.release()
        #expect(!writing.isWaiting(after: 20))
        writing.finish(into: &fixture.model)
        guard case .holding(let code)? = fixture.model.state.booking?.progress else {
            Issue.record("not held: \(String(describing: fixture.model.state.booking?.progress))")
            return
        }
        #expect(fixture.screen().split(separator: "\n").first?.contains("saving…") == false)
        #expect(try fixture.desk.store.booking(code).guest.name == "Ann Lee")
        #expect(try fixture.desk.count("booking") == 1) // three presses, one booking
    }

    /// What is typed while the booking saves is kept: a refused booking gets it in its fields.
    @Test func keysTypedWhileTheBookingSavesLandInTheFormWhenItIsRefused() throws {
        var fixture = try Self.filledForm()
        try fixture.desk.book(room: "301", from: "2026-11-26", to: "2026-11-27", guests: "1") // taken meanwhile
        let lock = try WriteLockHolder(path: fixture.desk.store.path)
        defer { try? lock.release() }
        fixture.press(.enter)
        let writing = OffThread(fixture.model.takePendingLoads())
        #expect(writing.isWaiting(after: 0.3))
        fixture.type(" Jr") // the e-mail field has the focus: typed on, not lost
        fixture.press(.backTab)
        fixture.type("!")
        #expect(fixture.model.state.booking?.email == "ann@example.com")

        try lock.release()
        #expect(!writing.isWaiting(after: 20))
        writing.finish(into: &fixture.model)
        let form = try #require(fixture.model.state.booking)
        #expect(form.progress == .refused("Room 301 is not available from 2026-11-26 to 2026-11-27: another booking holds it"))
        #expect(form.email == "ann@example.com Jr")
        #expect(form.guestName == "Ann Lee!")
        #expect(form.roomTaken)
    }

    /// The rooms screen's changes wait off the UI thread too; a second change waits for the first.
    @Test func aRoomChangeWaitingForTheLockLeavesTheKeysFree() throws {
        var fixture = try ScreenFixture()
        fixture.model.runLoadsInBackground()
        fixture.press(.function(5))
        let lock = try WriteLockHolder(path: fixture.desk.store.path)
        defer { try? lock.release() }

        let pressed = Date()
        fixture.press(.alt("n"))
        fixture.type("105")
        fixture.press(.enter)
        #expect(Date().timeIntervalSince(pressed) < 1)
        #expect(fixture.screen().split(separator: "\n").first?.contains("saving…") == true)
        let writing = OffThread(fixture.model.takePendingLoads())
        #expect(writing.isWaiting(after: 0.5))
        // Keys go on: a second change is refused for now and keeps what was typed; Alt-x waits too.
        fixture.press(.alt("n"))
        fixture.type("106")
        fixture.press(.enter)
        #expect(fixture.model.state.rooms.prompt?.values.first == "106")
        #expect(fixture.screen().contains("still saving the last change"))
        fixture.press(.escape, .alt("x"))
        #expect(fixture.screen().contains("Still saving the last change"))
        #expect(fixture.model.takePendingLoads().isEmpty)

        try lock.release()
        #expect(!writing.isWaiting(after: 20))
        writing.finish(into: &fixture.model)
        #expect(fixture.screen().contains("Room 105 (Double) added"))
        #expect(fixture.model.state.rooms.rows.contains { $0.room.number == "105" })
        #expect(try fixture.desk.store.rooms().allSatisfy { $0.room.isActive })
    }
}
