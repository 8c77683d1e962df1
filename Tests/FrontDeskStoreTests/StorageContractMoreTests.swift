import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// More of the storage contract, on every backend: check-in and check-out of a hold, version
/// checks first, and the bookings list's filters.
@Suite struct StorageContractMoreTests {
    typealias Chain = StorageContractTests.Chain

    @Test(arguments: StorageBackend.all)
    func aHoldIsNeitherCheckedInNorOutAndAStaleVersionComesFirst(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let today = StoreFixture.today
        let held = try chain.reserve(chain.vienna, chain.request(from: today.iso, to: today.adding(days: 2).iso))
        guard case .staleVersion? = StorageContractTests.refusal({
            try chain.vienna.checkIn(held.confirmationCode, expectedVersion: held.version + 5, by: "anna")
        }) else {
            Issue.record("a stale check-in must be refused as stale")
            return
        }
        // Checking in needs a confirmed (paid) booking: a hold is refused, and nothing changes.
        guard case .invalidState? = StorageContractTests.refusal({
            try chain.vienna.checkIn(held.confirmationCode, expectedVersion: held.version, by: "anna")
        }) else {
            Issue.record("a hold cannot be checked in")
            return
        }
        guard case .invalidState? = StorageContractTests.refusal({
            try chain.vienna.checkOut(held.id.uuidString, expectedVersion: nil, by: "anna")
        }) else {
            Issue.record("a hold cannot be checked out")
            return
        }
        let after = try chain.vienna.booking(held.confirmationCode)
        #expect(after.status == .reserving)
        #expect(after.version == held.version)
        guard case .notFound? = StorageContractTests.refusal({ try chain.graz.checkIn(held.confirmationCode, expectedVersion: nil, by: "anna") }) else {
            Issue.record("another hotel's booking must be not found")
            return
        }
    }

    @Test(arguments: StorageBackend.all)
    func theBookingsListFiltersByGuestStatusAndDates(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let ana = try chain.reserve(chain.vienna, chain.request("101", from: "2026-12-01", to: "2026-12-03", name: "Ana Lee"))
        let ben = try chain.reserve(chain.vienna, chain.request("102", from: "2026-12-20", to: "2026-12-22", name: "Ben Ode"))
        _ = try chain.vienna.cancel(ben.confirmationCode, reason: "Guest called", expectedVersion: nil, by: "anna", via: .server)
        #expect(try chain.vienna.findBookings(BookingFilter(guestText: "LEE")).bookings.map(\.id) == [ana.id])
        #expect(try chain.vienna.findBookings(BookingFilter(guestText: ana.confirmationCode.lowercased())).bookings.map(\.id) == [ana.id])
        // The start of a code, as read off half a note (no dash, any case), finds it too.
        let start = String(ana.confirmationCode.replacingOccurrences(of: "-", with: "").prefix(4))
        let startingSo = [ana, ben].filter { $0.confirmationCode.replacingOccurrences(of: "-", with: "").hasPrefix(start) }.map(\.id)
        #expect(Set(try chain.vienna.findBookings(BookingFilter(guestText: start.lowercased())).bookings.map(\.id)) == Set(startingSo))
        #expect(startingSo.contains(ana.id))
        #expect(try chain.vienna.findBookings(BookingFilter(status: .cancelled)).bookings.map(\.id) == [ben.id])
        #expect(try chain.vienna.findBookings(BookingFilter(from: CalendarDate(iso: "2026-12-15"))).bookings.map(\.id) == [ben.id])
        let limited = try chain.vienna.findBookings(BookingFilter(limit: 1))
        #expect(limited.bookings.count == 1)
        #expect(limited.total == 2)
        #expect(try chain.vienna.findBookings(BookingFilter(guestText: "100%_")).total == 0)
    }

    /// A guest's name is found whatever its letters' case, in every script: "Ångström" as the
    /// guest wrote it, shouted, or whispered (SQLite's own `lower` folds ASCII only).
    @Test(arguments: StorageBackend.all)
    func aGuestIsFoundWhateverTheCaseOfLettersBeyondASCII(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let zoe = try chain.reserve(chain.vienna, chain.request("101", from: "2026-12-01", to: "2026-12-03", name: "Zoë Ångström"))
        _ = try chain.reserve(chain.vienna, chain.request("102", from: "2026-12-01", to: "2026-12-03", name: "Émile Øster"))
        for text in ["Ångström", "ÅNGSTRÖM", "ångström", "zoË", "ngstr"] {
            #expect(try chain.vienna.findBookings(BookingFilter(guestText: text)).bookings.map(\.id) == [zoe.id], "\(text)")
        }
        #expect(try chain.vienna.findBookings(BookingFilter(guestText: "émile ø")).total == 1)
        #expect(try chain.vienna.findBookings(BookingFilter(guestText: "Åsa")).total == 0)
    }

    /// An export (`HotelTransfer.take`) reads one instant: a booking or room added while it reads
    /// is wholly out of it (not a request id without its booking, not a page more), and in the next.
    @Test(arguments: StorageBackend.all)
    func aHotelIsTakenAsOfOneInstantWhileDesksGoOnBooking(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let hotel = try chain.vienna.requireHotelExists()
        let kept = try chain.reserve(chain.vienna, chain.request(requestId: UUID()))
        var madeMeanwhile: Booking?
        let taken = try chain.vienna.inOneSnapshot {
            let rooms = try chain.vienna.rooms()
            // Another desk books and a manager adds a room while the export reads.
            madeMeanwhile = try chain.reserve(chain.vienna, chain.request("102", name: "Ben Ode", requestId: UUID()))
            _ = try chain.vienna.addRoom(number: "103", typeName: "Double", by: "admin")
            #expect(try chain.vienna.rooms().count == rooms.count)
            return try HotelTransfer.take(hotel, from: chain.vienna)
        }
        #expect(taken.bookings.map(\.id) == [kept.id])
        #expect(Set(taken.requests.bookings.keys) == [kept.id])
        #expect(taken.rooms.map(\.number).sorted() == ["101", "102"])
        let meanwhile = try #require(madeMeanwhile)
        let next = try HotelTransfer.take(hotel, from: chain.vienna)
        #expect(Set(next.bookings.map(\.id)) == [kept.id, meanwhile.id])
        #expect(Set(next.requests.bookings.keys) == [kept.id, meanwhile.id])
        #expect(next.rooms.map(\.number).sorted() == ["101", "102", "103"])
    }
}
