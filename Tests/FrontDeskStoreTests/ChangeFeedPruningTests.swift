import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// The change feed keeps its retention and never reuses a number.
@Suite struct ChangeFeedPruningTests {
    @Test func oldChangesGoButEachHotelsNewestStaysAndNumbersCarryOn() throws {
        let fixture = try StoreFixture(rooms: false)
        var hotels: [FrontDeskStore] = []
        for name in ["Vienna", "Graz"] {
            let hotel = fixture.store.scoped(to: try fixture.store.addChainHotel(name: name, timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id)
            _ = try hotel.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
            for number in ["101", "102"] { _ = try hotel.addRoom(number: number, typeName: "Double", by: "admin") }
            hotels.append(hotel)
        }
        let (vienna, graz) = (hotels[0], hotels[1])
        for hotel in hotels {
            let held = try hotel.reserve(fixture.form(room: "101"), by: "anna")
            _ = try hotel.confirm(held.confirmationCode, by: "anna")
        }
        let grazNewest = try graz.latestFeedSequence()
        #expect(grazNewest >= 2)
        fixture.clock.advance(minutes: 8 * 24 * 60)
        let recent = try vienna.reserve(fixture.form(room: "102", from: "2026-12-10", to: "2026-12-12"), by: "anna")
        let viennaNewest = try vienna.latestFeedSequence()

        let dropped = try fixture.store.pruneFeed(before: fixture.clock.now.addingTimeInterval(-7 * 86400))
        #expect(dropped > 0)
        // Vienna keeps only what happened within the week; Graz, quiet all week, keeps its newest.
        #expect(try vienna.feedEvents(after: 0).allSatisfy { $0.data.contains(recent.id.uuidString.lowercased()) })
        #expect(try vienna.latestFeedSequence() == viennaNewest)
        #expect(try graz.feedEvents(after: 0).map(\.sequence) == [grazNewest])

        // The next change in Graz is numbered after the kept one, never from 1 again.
        _ = try graz.reserve(fixture.form(room: "102"), by: "anna")
        #expect(try graz.feedEvents(after: grazNewest).first?.sequence == grazNewest + 1)
        // Graz's old change is no longer its newest: it goes now, and then nothing is left to drop.
        #expect(try fixture.store.pruneFeed(before: fixture.clock.now.addingTimeInterval(-7 * 86400)) == 1)
        #expect(try graz.feedEvents(after: 0).first?.sequence == grazNewest + 1)
        #expect(try fixture.store.pruneFeed(before: fixture.clock.now.addingTimeInterval(-7 * 86400)) == 0)
    }
}
