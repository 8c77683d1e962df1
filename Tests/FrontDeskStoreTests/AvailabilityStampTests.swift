import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// The stamp the server's availability cache keeps with each answer: it must go stale with every
/// change a fresh search would see, whoever writes it, and stay current otherwise.
@Suite struct AvailabilityStampTests {
    func stamped(_ fixture: StoreFixture) throws -> (numbers: [String], stamp: FrontDeskStore.SearchStamp) {
        let (result, stamp) = try fixture.store.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2")
        return (result.offers.map(\.room.number), stamp)
    }

    @Test func anAnswerStaysCurrentUntilSomethingItIsMadeOfChanges() throws {
        let fixture = try StoreFixture()
        let first = try stamped(fixture)
        #expect(first.numbers.contains("101"))
        #expect(try fixture.store.searchIsCurrent(first.stamp))
        // A booking in another stay still moves the version: the cache is per hotel, not per night.
        let held = try fixture.store.reserve(fixture.form(room: "101"), by: "anna")
        #expect(try !fixture.store.searchIsCurrent(first.stamp))
        let afterHold = try stamped(fixture)
        #expect(!afterHold.numbers.contains("101"))
        #expect(try fixture.store.searchIsCurrent(afterHold.stamp))

        // Confirming firms the claim: prices that depend on occupancy may change, so it is a change.
        _ = try fixture.store.confirm(held.confirmationCode, by: "anna")
        #expect(try !fixture.store.searchIsCurrent(afterHold.stamp))
        let confirmed = try stamped(fixture)
        _ = try fixture.store.cancel(held.confirmationCode, reason: nil, by: "anna")
        #expect(try !fixture.store.searchIsCurrent(confirmed.stamp))
        #expect(try stamped(fixture).numbers.contains("101"))
    }

    @Test func roomsAndRoomTypesChangedOnTheDeskOrByAnotherProgramMakeItStale() throws {
        let fixture = try StoreFixture()
        var current = try stamped(fixture)
        _ = try fixture.store.deactivateRoom("102", by: "manager")
        #expect(try !fixture.store.searchIsCurrent(current.stamp))
        current = try stamped(fixture)
        #expect(!current.numbers.contains("102"))

        _ = try fixture.store.addRoom(number: "105", typeName: "Double", by: "manager")
        #expect(try !fixture.store.searchIsCurrent(current.stamp))
        current = try stamped(fixture)
        #expect(current.numbers.contains("105"))

        // Another program on the same file, past the store: the triggers still see it.
        let other = try DatabaseQueue(path: fixture.store.path)
        try other.write { db in try db.execute(sql: "UPDATE room_type SET base_price_cents = 12345 WHERE name = 'Double'") }
        #expect(try !fixture.store.searchIsCurrent(current.stamp))
        current = try stamped(fixture)
        try other.write { db in try db.execute(sql: "UPDATE room SET is_active = 0 WHERE number = '101'") }
        #expect(try !fixture.store.searchIsCurrent(current.stamp))
        #expect(try !stamped(fixture).numbers.contains("101"))
    }

    @Test func aLiveHoldLapsingMakesItStaleWithoutAnyWrite() throws {
        let fixture = try StoreFixture()
        _ = try fixture.store.reserve(fixture.form(room: "101"), by: "anna")
        let held = try stamped(fixture)
        #expect(!held.numbers.contains("101"))
        #expect(held.stamp.validUntil != nil)
        fixture.clock.advance(minutes: 14)
        #expect(try fixture.store.searchIsCurrent(held.stamp))
        fixture.clock.advance(minutes: 2)
        #expect(try !fixture.store.searchIsCurrent(held.stamp))
        // Past the hold, a fresh search offers the room again (the hold lapsed; nothing was written).
        #expect(try stamped(fixture).numbers.contains("101"))
    }
}
