import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A chain's file (the booking server's): every call through a scoped store sees its own hotel only.
@Suite struct ChainScopingTests {
    struct Chain {
        let fixture: StoreFixture
        let vienna: FrontDeskStore
        let graz: FrontDeskStore
        let viennaHotel: Hotel
        let grazHotel: Hotel

        init() throws {
            fixture = try StoreFixture(rooms: false)
            viennaHotel = try fixture.store.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin")
            grazHotel = try fixture.store.addChainHotel(name: "Graz", timeZone: "Europe/Vienna", currency: "EUR", by: "admin")
            vienna = fixture.store.scoped(to: viennaHotel.id)
            graz = fixture.store.scoped(to: grazHotel.id)
            for store in [vienna, graz] {
                _ = try store.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
                // The same room numbers in both hotels.
                for number in ["101", "102"] { _ = try store.addRoom(number: number, typeName: "Double", by: "admin") }
            }
        }
    }

    @Test func eachHotelSeesItsOwnRoomsTypesAndBookings() throws {
        let chain = try Chain()
        let held = try chain.vienna.reserve(chain.fixture.form(room: "101"), by: "anna")
        let booked = try chain.vienna.confirm(held.confirmationCode, by: "anna")
        #expect(booked.hotelId == chain.viennaHotel.id)

        #expect(try chain.vienna.rooms().map(\.room.hotelId) == [chain.viennaHotel.id, chain.viennaHotel.id])
        #expect(try chain.graz.rooms().map(\.room.hotelId) == [chain.grazHotel.id, chain.grazHotel.id])
        #expect(try chain.graz.roomTypes().count == 1)

        // Vienna's 101 is held; Graz's 101 is free for the same nights.
        #expect(try chain.vienna.search(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2").offers.map(\.room.number) == ["102"])
        #expect(try chain.graz.search(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2").offers.map(\.room.number) == ["101", "102"])

        #expect(try chain.vienna.findBookings(BookingFilter()).bookings.map(\.id) == [booked.id])
        #expect(try chain.graz.findBookings(BookingFilter()).bookings.isEmpty)
        #expect(try chain.vienna.dayLists(on: CalendarDate(iso: "2026-12-01")!).bookings(.arrivals).count == 1)
        #expect(try chain.graz.dayLists(on: CalendarDate(iso: "2026-12-01")!).bookings(.arrivals).isEmpty)
    }

    @Test func anotherHotelsBookingIsNotFoundNorChangeable() throws {
        let chain = try Chain()
        let booked = try chain.vienna.reserve(chain.fixture.form(room: "101"), by: "anna")
        for reference in [booked.id.uuidString, booked.confirmationCode] {
            #expect(throws: FrontDeskError.self) { try chain.graz.booking(reference) }
            #expect(throws: FrontDeskError.self) { try chain.graz.cancel(reference, reason: nil, by: "mallory") }
        }
        #expect(try chain.vienna.booking(booked.confirmationCode).status == .reserving)
    }

    @Test func theUnscopedStoreListsTheChainAndAScopedOneItsHotel() throws {
        let chain = try Chain()
        #expect(try chain.fixture.store.hotels().map(\.name) == ["Graz", "Vienna"])
        #expect(try chain.graz.hotels().map(\.name) == ["Graz"])
        #expect(try chain.fixture.store.scoped(to: UUID()).hotels().isEmpty)
        #expect(throws: FrontDeskError.self) { try chain.fixture.store.scoped(to: UUID()).rooms(); try chain.fixture.store.scoped(to: UUID()).addRoomType(name: "X", capacity: 1, basePrice: Money(minorUnits: 1), by: "a") }
    }
}
