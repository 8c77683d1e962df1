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
        #expect(fixture.screen().contains("0 arriving · 0 leaving · 0 staying on · looking…"))
        // Away and back: one query per list is asked for, the newest.
        fixture.press(.function(3), .function(4))
        let loads = fixture.model.takePendingLoads()
        #expect(Set(loads.map(\.key)) == [.bookings, .today])
        #expect(fixture.model.takePendingLoads().isEmpty)
        for load in loads { fixture.model.finish(load.run()) }
        #expect(fixture.model.state.loading.isEmpty)
        #expect(fixture.screen().contains("1 arriving · 0 leaving · 0 staying on"))
        #expect(fixture.model.state.bookings.results.count == 1)
    }

    @Test func theLoaderDropsAnAnswerANewerRequestMadeMoot() throws {
        let wakes = Mutex(0)
        let loader = BackgroundLoader { wakes.withLock { $0 += 1 } }
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        @Sendable func plan(_ nights: Int) -> RoomPlan { RoomPlan(first: StoreFixture.today, nights: nights, lines: [], stays: []) }
        loader.submit(PendingLoad(key: .roomPlan) {
            started.signal()
            release.wait()
            return .roomPlan(.success(plan(1)))
        })
        started.wait()
        loader.submit(PendingLoad(key: .roomPlan) { .roomPlan(.success(plan(2))) })
        loader.submit(PendingLoad(key: .dashboard) { .dashboard(.failure(FrontDeskError.notFound("no hotel"))) })
        release.signal()
        let giveUp = Date().addingTimeInterval(5)
        var outcomes: [LoadOutcome] = []
        while outcomes.count < 2 && Date() < giveUp {
            outcomes += loader.takeFinished()
            Thread.sleep(forTimeInterval: 0.01)
        }
        #expect(outcomes.count == 2)
        let nights = outcomes.compactMap { outcome -> Int? in
            if case .roomPlan(.success(let plan)) = outcome { return plan.nights }
            return nil
        }
        #expect(nights == [2])
        #expect(outcomes.contains { $0.key == .dashboard })
        #expect(wakes.withLock { $0 } == 2)
    }
}
