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
