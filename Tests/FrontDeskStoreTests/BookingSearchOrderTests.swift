import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A search for a common surname must show today's work before years of history.
@Suite struct BookingSearchOrderTests {
    @Test func currentAndComingStaysComeFirstThenThePastNewestFirst() throws {
        let desk = try StoreFixture()
        let stays = try ManyStays(desk)

        let matches = try desk.store.findBookings(BookingFilter(guestText: ManyStays.surname, limit: 120))

        #expect(matches.bookings.count == 120)
        #expect(matches.total == ManyStays.total)
        #expect(matches.truncated)
        #expect(Array(matches.bookings.prefix(4).map(\.id)) == [stays.todaysArrival.id, stays.inHouse.id, stays.upcoming.id, stays.recentPast.id])
        let history = matches.bookings.dropFirst(4).map(\.stay.checkIn)
        #expect(history == history.sorted(by: >), "past stays newest first")
        #expect(history.first == CalendarDate(iso: "2025-11-01")!.adding(days: 299 / 7))
    }

    @Test func aListThatFitsTheLimitIsWholeAndSaysSo() throws {
        let desk = try StoreFixture()
        _ = try ManyStays(desk)

        let everything = try desk.store.findBookings(BookingFilter(guestText: ManyStays.surname))
        let exactly = try desk.store.findBookings(BookingFilter(guestText: ManyStays.surname, limit: ManyStays.total))
        let fewer = try desk.store.findBookings(BookingFilter(guestText: "Dee \(ManyStays.surname)", limit: 120))

        #expect(everything.bookings.count == ManyStays.total && !everything.truncated)
        #expect(exactly.total == ManyStays.total && !exactly.truncated)
        #expect(exactly.bookings.map(\.id) == everything.bookings.map(\.id))
        #expect(fewer.total == 1 && !fewer.truncated)
    }
}

@Suite struct BookingSearchDepartedTests {
    @Test func aGuestWhoLeftTodayIsThePastNotInHouse() throws {
        let desk = try StoreFixture()
        let earlier = try FrontDeskStore(path: desk.store.path, businessDate: CalendarDate(iso: "2026-11-24")!)
        let stay = try earlier.confirm(try earlier.reserve(desk.form(room: "102", from: "2026-11-24", to: "2026-11-26", name: "Eve Left"),
                                                           by: "anna").confirmationCode, by: "anna")
        _ = try earlier.checkIn(stay.confirmationCode, by: "anna")
        let left = try desk.store.checkOut(stay.confirmationCode, by: "anna")
        let coming = try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")

        let found = try desk.store.findBookings(BookingFilter(guestText: "e")).bookings.map(\.id)

        #expect(left.status == .checkedOut)
        #expect(found == [coming.id, left.id])
    }
}

@Suite struct DeskPollTests {
    @Test func theUnfinishedSagaCountIsTheNumberOfUnfinishedSagas() throws {
        let desk = try StoreFixture()
        #expect(try desk.store.unfinishedSagaCount() == 0)
        _ = try desk.store.reserve(desk.form(room: "101"), by: "anna")
        _ = try desk.store.reserve(desk.form(room: "102"), by: "anna")
        try desk.book(room: "103")
        #expect(try desk.store.unfinishedSagaCount() == desk.store.unfinishedSagas().count)
        #expect(try desk.store.unfinishedSagaCount() >= 2)
    }
}
