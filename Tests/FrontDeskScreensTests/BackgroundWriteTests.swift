import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTestSupport
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
}
