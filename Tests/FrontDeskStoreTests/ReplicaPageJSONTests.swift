import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// The server's replica page written straight from the rows (issue 12, the first replica of a big
/// hotel) is, byte for byte, the page its reference path writes from `Booking` values.
@Suite struct ReplicaPageJSONTests {
    @Test func everyPageIsTheReferencePageByteForByte() throws {
        let fixture = try StoreFixture()
        let store = fixture.store
        // Bookings with everything a booking can carry: notes, a phone, a hold, a reason, a
        // check-in, a stay split by a move, awkward text.
        for (index, number) in ["101", "102", "103", "104", "201", "202", "301"].enumerated() {
            let checkIn = CalendarDate(iso: "2026-12-01")!.adding(days: index)
            _ = try fixture.book(room: number, from: checkIn.iso, to: checkIn.adding(days: 3).iso, guests: "1")
        }
        let held = try store.reserve(fixture.form(room: "101", from: "2026-12-20", to: "2026-12-22"), by: "anna")
        let noted = try fixture.book(room: "102", from: "2026-12-20", to: "2026-12-23")
        _ = try store.changeBooking(noted.confirmationCode,
                                    BookingEdit(guestName: "Zoë \"Ångström\" \\ O'Neil 😀 漢字", phone: "+43 1 234 5678",
                                                note: "Crib, \"please\" \\ late arrival"),
                                    ChangeRequest(user: "anna"))
        _ = try store.changeBooking(noted.confirmationCode, BookingEdit(note: "Second note"), ChangeRequest(user: "ben"))
        let cancelled = try fixture.book(room: "103", from: "2026-12-20", to: "2026-12-22")
        _ = try store.cancel(cancelled.confirmationCode, reason: "Guest called: \"flight\" cancelled", by: "anna")
        let arriving = try fixture.book(room: "104", from: "2026-11-26", to: "2026-11-29")
        _ = try store.checkIn(arriving.confirmationCode, by: "anna")
        let clock = fixture.clock
        let nextDay = try FrontDeskStore(path: store.path, clock: { clock.now }, businessDate: CalendarDate(iso: "2026-11-27")!)
        let moved = try nextDay.move(arriving.confirmationCode, toRoom: "201", reason: "Noisy", reprice: false, ChangeRequest(user: "anna"))
        #expect(moved.roomSince != nil)

        for limit in [1, 4, 2000] {
            var after: UUID?
            var pages = 0
            var bookings = 0
            repeat {
                let reference = try store.replicaPage(after: after, limit: limit)
                let direct = try store.replicaPageJSON(after: after, limit: limit)
                #expect(direct == reference.jsonBytes(), "page \(pages) of \(limit)")
                #expect(try JSONDecoder().decode(ReplicaPage.self, from: Data(direct)) == reference)
                bookings += reference.bookings.count
                after = reference.next.flatMap(UUID.init(uuidString:))
                pages += 1
            } while after != nil
            #expect(bookings == 11)
            #expect(pages == (11 + limit - 1) / limit)
        }
        let page = try store.replicaPage(after: nil, limit: 2000)
        #expect(page.bookings.contains { $0.holdExpiresAt != nil && $0.bookingId == held.id.uuidString.lowercased() })
        #expect(page.bookings.contains { $0.notes.count == 2 && $0.phone != nil })
        #expect(page.bookings.contains { Set($0.claims.map(\.roomId)).count == 2 && $0.checkedInOn != nil })
    }

    @Test func aHotelWithoutBookingsIsOnePage() throws {
        let fixture = try StoreFixture()
        let direct = try fixture.store.replicaPageJSON(after: nil, limit: 2000)
        #expect(direct == (try fixture.store.replicaPage(after: nil, limit: 2000)).jsonBytes())
        let page = try JSONDecoder().decode(ReplicaPage.self, from: Data(direct))
        #expect(page.bookings.isEmpty && page.next == nil && page.rooms?.count == 7)
    }
}
