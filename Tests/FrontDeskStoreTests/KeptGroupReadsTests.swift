import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// A group of bookings begins with the rooms, hotel and active-room count the previous group read,
/// as long as nothing but bookings was written since (issue 11, session 35). A room taken out of
/// service, a price changed, a room added, on this desk or by another program, must be seen by
/// the very next group.
@Suite struct KeptGroupReadsTests {
    func request(_ fixture: StoreFixture, room: String, on night: Int, guests: String = "2") throws -> ReservationRequest {
        let roomId = try #require(try fixture.store.rooms().first { $0.room.number == room }).room.id
        let form = fixture.form(room: room, from: "2026-12-\(10 + night)", to: "2026-12-\(11 + night)", guests: guests)
        return ReservationRequest(form: form, user: "anna", roomId: roomId, confirmsDeskPaymentAtOnce: true)
    }

    func book(_ fixture: StoreFixture, _ requests: [ReservationRequest]) throws -> [Result<Booking, any Error>] {
        try fixture.store.reserveAllSyncingLater(requests).outcomes
    }

    @Test func groupsOfBookingsOnlyReadTheRoomsOnceAndSeeEveryOtherWriteAtOnce() throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let taken = { fixture.store.shared.keptGroupReadsTaken.load(ordering: .relaxed) }
        let start = taken()
        // Room 102 is read (and kept) for a request it cannot take: three guests in a double.
        let first = try book(fixture, [request(fixture, room: "101", on: 0), request(fixture, room: "102", on: 0, guests: "3")])
        #expect((try? first[0].get()) != nil)
        #expect((try? first[1].get()) == nil)
        #expect(try book(fixture, [request(fixture, room: "101", on: 1)]).allSatisfy { (try? $0.get()) != nil })
        #expect(taken() == start + 1) // the second group began with the first one's reads

        // Taken out of service on this desk: the next group is refused it.
        let outOfService = try request(fixture, room: "102", on: 2)
        _ = try fixture.store.deactivateRoom("102", by: "manager")
        let refused = try book(fixture, [outOfService])
        #expect(taken() == start + 1)
        #expect(throws: FrontDeskError.roomUnavailable("Room 102 is out of service")) { try refused[0].get() }

        // A price changed by another program on the same file: the next group prices with it.
        let other = try DatabaseQueue(path: fixture.store.path)
        try other.write { db in try db.execute(sql: "UPDATE room_type SET base_price_cents = 12345 WHERE name = 'Double'") }
        let repriced = try book(fixture, [request(fixture, room: "103", on: 3)])[0].get()
        #expect(taken() == start + 1)
        // The night was empty; six rooms are in service.
        let expected = PricingPolicy.standard.nightlyPrices(basePrice: Money(minorUnits: 12_345), stay: repriced.stay,
                                                            businessDate: StoreFixture.today) { _ in .init(held: 0, active: 6) }
        #expect(repriced.nightlyPrices.map(\.price) == expected.map(\.price))

        // Taken out of service by another program: seen by the next group as well.
        try other.write { db in try db.execute(sql: "UPDATE room SET is_active = 0 WHERE number = '103'") }
        #expect(throws: FrontDeskError.roomUnavailable("Room 103 is out of service")) {
            try book(fixture, [request(fixture, room: "103", on: 5)])[0].get()
        }
    }
}
