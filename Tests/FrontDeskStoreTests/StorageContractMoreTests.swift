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
        #expect(try chain.vienna.findBookings(BookingFilter(status: .cancelled)).bookings.map(\.id) == [ben.id])
        #expect(try chain.vienna.findBookings(BookingFilter(from: CalendarDate(iso: "2026-12-15"))).bookings.map(\.id) == [ben.id])
        let limited = try chain.vienna.findBookings(BookingFilter(limit: 1))
        #expect(limited.bookings.count == 1)
        #expect(limited.total == 2)
        #expect(try chain.vienna.findBookings(BookingFilter(guestText: "100%_")).total == 0)
    }
}
