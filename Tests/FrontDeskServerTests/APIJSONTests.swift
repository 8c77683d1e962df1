import Foundation
import FrontDeskDomain
@testable import FrontDeskServer
import Testing

/// A booking made or read through the API is answered with bytes written straight from the
/// booking (`apiJSONBytes`); they must be the bytes of `apiJSON`, which the other answers (lists,
/// events) are built from.
@Suite struct APIJSONTests {
    @Test(arguments: [false, true])
    func theAnswerOfABookingIsItsAPIJSON(_ busy: Bool) {
        let instant = Date(timeIntervalSince1970: 1_800_000_000.25)
        let checkIn = CalendarDate(iso: "2027-01-30")!
        let stay = StayDates(checkIn: checkIn, checkOut: checkIn.adding(days: busy ? 4 : 1))!
        let booking = Booking(
            id: UUID.timeOrdered(at: instant), hotelId: UUID(), roomId: UUID(), roomNumber: "204", confirmationCode: "K7M-4QX",
            guest: Guest(name: busy ? "Ève \"the guest\" O'Neil\n" : "Bench Guest", email: "guest@example.com", phone: busy ? "+43 1" : nil),
            guestCount: 2, stay: stay, status: busy ? .checkedIn : .confirmed,
            nightlyPrices: stay.nights.map { NightlyPrice(night: $0, price: Money(minorUnits: 12_950)) }, version: busy ? 5 : 3,
            holdExpiresAt: nil, statusReason: busy ? "moved to 204" : nil, createdAt: instant, updatedAt: instant,
            notes: busy ? [BookingNote(at: instant, by: "anna", text: "late arrival")] : [],
            roomSince: busy ? checkIn.adding(days: 2) : nil)
        #expect(String(decoding: booking.apiJSONBytes, as: UTF8.self) == booking.apiJSON.rendered())
    }
}
