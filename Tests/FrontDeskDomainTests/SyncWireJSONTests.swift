import Foundation
import FrontDeskDomain
import Testing

/// The sync documents written by hand read back, through `JSONDecoder`, into the very values
/// written: a desk decoding the server's replica sees what the server had.
@Suite struct SyncWireJSONTests {
    static func booking(name: String, phone: String?, reason: String?, notes: [BookingNote]) -> WireBooking {
        let id = UUID(), hotel = UUID(), room = UUID()
        let stay = StayDates(checkIn: CalendarDate(iso: "2026-12-01")!, checkOut: CalendarDate(iso: "2026-12-03")!)!
        let booking = Booking(
            id: id, hotelId: hotel, roomId: room, roomNumber: "1\"01", confirmationCode: "KMN-PQR",
            guest: Guest(name: name, email: "a\\b@example.com", phone: phone), guestCount: 2, stay: stay, status: .confirmed,
            nightlyPrices: stay.nights.map { NightlyPrice(night: $0, price: Money(minorUnits: 12_345)) }, version: 7,
            holdExpiresAt: reason == nil ? nil : Date(timeIntervalSince1970: 1_795_000_000.123), statusReason: reason,
            createdAt: Date(timeIntervalSince1970: 1_795_000_000), updatedAt: Date(timeIntervalSince1970: 1_795_000_100.5),
            notes: notes, checkedInOn: reason == nil ? nil : stay.checkIn, checkedOutOn: nil, roomSince: nil)
        return WireBooking(booking, claims: stay.nights.map { WireClaim(night: $0, roomId: room) })
    }

    static let awkward = [
        booking(name: "Zoë \"Ångström\" \\ O'Neil\n\t\u{01}\u{1F}😀 漢字 /slash", phone: "+43 1 234", reason: "Late\r\narrival",
                notes: [BookingNote(at: Date(timeIntervalSince1970: 1_795_000_200), by: "anna", text: "Crib, \"please\"\u{7F}")]),
        booking(name: "Plain", phone: nil, reason: nil, notes: []),
    ]

    @Test func aReplicaPageReadsBackAsWritten() throws {
        let hotel = WireHotel(Hotel(id: UUID(), name: "Hotel \"Test\"", timeZoneIdentifier: "Europe/Vienna", currency: "EUR"))
        let type = WireRoomType(RoomType(id: UUID(), hotelId: UUID(), name: "Double", capacity: 2, basePricePerNight: Money(minorUnits: 10_000)))
        let room = WireRoom(roomId: UUID(), roomNumber: "101", roomTypeId: UUID(), isActive: false)
        for page in [ReplicaPage(hotel: hotel, roomTypes: [type], rooms: [room], bookings: Self.awkward, cursor: 9_000_000_000,
                                 totalBookings: 2, next: "abc"),
                     ReplicaPage(hotel: nil, roomTypes: nil, rooms: nil, bookings: [], cursor: 0, totalBookings: 0, next: nil)] {
            let bytes = page.jsonBytes()
            #expect(try JSONDecoder().decode(ReplicaPage.self, from: Data(bytes)) == page)
            #expect(try JSONSerialization.jsonObject(with: Data(bytes)) is [String: Any])
        }
    }

    @Test func changesAndPushResultsReadBackAsWritten() throws {
        let changes = ChangesPage(cursor: -1, more: true, bookings: Self.awkward)
        #expect(try JSONDecoder().decode(ChangesPage.self, from: Data(changes.jsonBytes())) == changes)
        let result = SyncPushResult(results: [
            SyncOutcome(operationId: "op\"1", outcome: .accepted, booking: Self.awkward[0], confirmationChanged: true),
            SyncOutcome(operationId: "op-2", outcome: .conflict, code: "room_unavailable", message: "Room 101 is taken",
                        suggestedRooms: [WireSuggestedRoom(roomId: "r", roomNumber: "102", roomType: "Double", totalPriceCents: 20_000)]),
            SyncOutcome(operationId: "op-3", outcome: .retry),
        ], cursor: 42)
        #expect(try JSONDecoder().decode(SyncPushResult.self, from: Data(result.jsonBytes())) == result)
        #expect(try JSONDecoder().decode(SyncOutcome.self, from: Data(result.results[1].jsonBytes())) == result.results[1])
    }
}
