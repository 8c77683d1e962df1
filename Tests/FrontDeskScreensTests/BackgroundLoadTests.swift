import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskTerminal
import FrontDeskTestSupport
import Synchronization
import Testing

/// In the terminal, list queries run off the UI thread: a key is answered at once, the list
/// follows when its query is back.
@Suite struct BackgroundLoadTests {
    @Test func keysAreAnsweredAtOnceAndListsFollow() throws {
        var fixture = try ScreenFixture()
        try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        fixture.model.runLoadsInBackground()
        fixture.press(.function(4))
        // The screen changed with the key; its lists are still being looked up.
        #expect(fixture.model.state.screen == .today)
        #expect(fixture.model.state.loading == [.today])
        #expect(fixture.screen().contains("0 arriving · 0 leaving · 0 in house tonight (0 staying on) · looking…"))
        // Away and back: one query per list is asked for, the newest.
        fixture.press(.function(3), .function(4))
        let loads = fixture.model.takePendingLoads()
        #expect(Set(loads.map(\.key)) == [.bookings, .today])
        #expect(fixture.model.takePendingLoads().isEmpty)
        for load in loads { fixture.model.finish(load.run()) }
        #expect(fixture.model.state.loading.isEmpty)
        #expect(fixture.screen().contains("1 arriving · 0 leaving · 0 in house tonight (0 staying on)"))
        #expect(fixture.model.state.bookings.results.count == 1)
    }

    @Test func keysTypedAheadWaitForTheirListAndActOnIt() throws {
        var fixture = try ScreenFixture()
        let first = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let second = try fixture.desk.book(room: "102", from: "2026-11-27", to: "2026-11-28")
        fixture.model.runLoadsInBackground()
        fixture.press(.function(3))
        let all = try #require(fixture.model.takePendingLoads().first)
        fixture.model.finish(all.run(), generation: all.generation)
        #expect(fixture.model.state.bookings.results.map(\.confirmationCode) == [first.confirmationCode, second.confirmationCode])
        // The second's code, Enter and Alt-c, faster than the lookup: Alt-c must not ask about the first row.
        fixture.type(second.confirmationCode)
        let newest = try #require(fixture.model.takePendingLoads().first)
        fixture.press(.enter, .alt("c"))
        #expect(fixture.model.state.bookings.actions.confirmation == nil)
        // An older answer arriving late is shown, but the list is still being looked up.
        fixture.model.finish(all.run(), generation: all.generation)
        #expect(fixture.model.state.loading == [.bookings])
        #expect(fixture.model.state.bookings.actions.confirmation == nil)
        fixture.model.finish(newest.run(), generation: newest.generation)
        #expect(fixture.model.state.loading.isEmpty)
        #expect(fixture.model.state.bookings.actions.confirmation?.bookingId == second.id)
        #expect(fixture.screen().contains("Cancel booking \(second.confirmationCode)"))
    }

    /// ↓ typed ahead of a new query's answer move the highlight as they would once it is in: the
    /// question that follows names the row they reached, not the first.
    @Test func arrowsTypedAheadOfANewListChooseTheRowTheyReach() throws {
        var fixture = try ScreenFixture()
        for (room, name) in [("101", "Ada Kim"), ("102", "Bo Kim"), ("103", "Cy Kim"), ("104", "Di Lund")] {
            _ = try fixture.desk.store.reserveConfirmedAtDesk(fixture.desk.form(room: room, name: name), by: "anna")
        }
        fixture.model.runLoadsInBackground()
        fixture.press(.function(3))
        let all = try #require(fixture.model.takePendingLoads().first)
        fixture.model.finish(all.run(), generation: all.generation)
        fixture.type("kim")
        let newest = try #require(fixture.model.takePendingLoads().last)
        // Out of the find field, then two rows down, then cancel: all before the answer.
        fixture.press(.down, .down, .down, .alt("c"))
        fixture.model.finish(newest.run(), generation: newest.generation)
        let results = fixture.model.state.bookings.results
        #expect(results.map(\.guest.name) == ["Ada Kim", "Bo Kim", "Cy Kim"], "\(results.map(\.guest.name))")
        #expect(fixture.model.state.bookings.selected == 2)
        #expect(fixture.model.state.bookings.actions.confirmation?.bookingId == results[2].id)
    }

    @Test func theLoaderSkipsARequestMadeMootAndHandsOverEveryAnswer() throws {
        let wakes = Mutex(0)
        let loader = BackgroundLoader { wakes.withLock { $0 += 1 } }
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        @Sendable func plan(_ nights: Int) -> RoomPlan { RoomPlan(first: StoreFixture.today, nights: nights, lines: [], stays: []) }
        loader.submit(PendingLoad(key: .roomPlan, generation: 1) {
            started.signal()
            release.wait()
            return .roomPlan(.success(plan(1)))
        })
        started.wait()
        // While the first runs, two more: the second is moot before it starts.
        loader.submit(PendingLoad(key: .roomPlan, generation: 2) { .roomPlan(.success(plan(2))) })
        loader.submit(PendingLoad(key: .roomPlan, generation: 3) { .roomPlan(.success(plan(3))) })
        loader.submit(PendingLoad(key: .dashboard, generation: 1) { .dashboard(.failure(FrontDeskError.notFound("no hotel"))) })
        release.signal()
        let giveUp = Date().addingTimeInterval(5)
        var answers: [(generation: Int, outcome: LoadOutcome)] = []
        while answers.count < 3 && Date() < giveUp {
            answers += loader.takeFinished()
            Thread.sleep(forTimeInterval: 0.01)
        }
        let plans = answers.compactMap { answer -> Int? in
            if case .roomPlan(.success(let plan)) = answer.outcome { return plan.nights }
            return nil
        }
        #expect(plans == [1, 3])
        #expect(answers.map(\.generation) == [1, 3, 1])
        #expect(answers.contains { $0.outcome.key == .dashboard })
        #expect(wakes.withLock { $0 } == 3)
        // Stopped: answers still coming wake nobody.
        loader.stop()
        loader.submit(PendingLoad(key: .today, generation: 1) { .today(.failure(FrontDeskError.notFound("none"))) })
        Thread.sleep(forTimeInterval: 0.2)
        #expect(wakes.withLock { $0 } == 3)
    }
}
