import Foundation
import FrontDeskDomain
import Testing

/// The rooms a conflict offers instead (issue 12): the desk's one key takes the first, which must
/// be of the booked type while one is free, or better, never a cheaper type first.
@Suite struct ConflictSuggestionTests {
    let hotel = UUID()
    let night = CalendarDate(iso: "2027-01-10")!

    func type(_ name: String, sleeps: Int, base: Int64) -> RoomType {
        RoomType(id: UUID(), hotelId: hotel, name: name, capacity: sleeps, basePricePerNight: Money(minorUnits: base))
    }

    func offer(_ number: String, _ type: RoomType) -> RoomOffer {
        RoomOffer(room: Room(id: UUID(), hotelId: hotel, roomTypeId: type.id, number: number, isActive: true), roomType: type,
                  nightlyPrices: [NightlyPrice(night: night, price: type.basePricePerNight)])
    }

    @Test func theBookedTypeComesFirstThenBetterThenCheaperOnes() {
        let twin = type("Twin", sleeps: 2, base: 9_000), double = type("Double", sleeps: 2, base: 12_000)
        let suite = type("Suite", sleeps: 3, base: 30_000), single = type("Single", sleeps: 1, base: 6_000)
        let taken = offer("101", double)
        // The search's order: cheapest first.
        let offers = [offer("301", single), offer("105", twin), offer("106", twin), taken, offer("102", double),
                      offer("103", double), offer("501", suite)]
        let suggested = offers.suggestions(instead: taken.room.id, of: double).map(\.roomNumber)
        #expect(suggested == ["102", "103", "501", "105", "106"])
    }

    @Test func withNoRoomOfTheTypeFreeABetterOneIsFirst() {
        let twin = type("Twin", sleeps: 2, base: 9_000), double = type("Double", sleeps: 2, base: 12_000)
        let king = type("King", sleeps: 2, base: 15_000)
        let taken = offer("101", double)
        let suggested = [offer("105", twin), taken, offer("701", king)].suggestions(instead: taken.room.id, of: double)
        #expect(suggested.map(\.roomType) == ["King", "Twin"])
    }
}
