import FrontDeskDomain
import FrontDeskScreens
import Testing

@Suite struct DeskListTests {
    @Test func cancellingAConfirmedBookingAsksFirstAndSaysItIsRefunded() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "201", from: "2026-12-01", to: "2026-12-03", guests: "3")
        fixture.press(.function(3))
        #expect(fixture.model.state.screen == .bookings)
        fixture.type(booking.confirmationCode.lowercased())
        #expect(fixture.model.state.bookings.results.map(\.id) == [booking.id])
        fixture.press(.down, .alt("c"))
        let question = fixture.screen()
        #expect(question.contains("Cancel booking \(booking.confirmationCode) for Zoë Ångström?"))
        #expect(question.contains("It is paid: the payment will be refunded and the room freed."))
        #expect(question.contains("[ No, change nothing ]  [ Yes, cancel it ]"))
        // The question starts on No: Enter keeps the booking.
        fixture.press(.enter)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).status == .confirmed)
        #expect(fixture.screen().contains("Nothing changed"))
        fixture.press(.alt("c"), .right, .enter)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).status == .cancelled)
        #expect(fixture.screen().contains("Zoë Ångström cancelled (booking \(booking.confirmationCode))"))
        // What to hand back, and where: only the audit said it.
        let said = fixture.screen(200, 30)
        #expect(said.contains("\(booking.totalPrice.plain) EUR to be paid back at the desk"), "\(said)")
        #expect(fixture.model.state.bookings.results.first?.status == .cancelled)
    }

    @Test func anArrivalIsCheckedInFromTodayAfterAQuestionAndOutAfterAnother() throws {
        var fixture = try ScreenFixture()
        let arrival = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        fixture.press(.function(4))
        #expect(fixture.model.state.screen == .today)
        #expect(fixture.model.state.today.arrivals.map(\.id) == [arrival.id])
        fixture.press(.alt("i"))
        #expect(fixture.screen().contains("Check in Zoë Ångström, booking \(arrival.confirmationCode)?"))
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .confirmed)
        fixture.press(.right, .enter)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .checkedIn)
        #expect(fixture.screen().contains("Zoë Ångström checked in (booking \(arrival.confirmationCode))"))
        // A cancel the booking's state refuses is said at once, with no question first.
        fixture.press(.alt("c"))
        #expect(fixture.model.state.today.actions.confirmation == nil)
        #expect(fixture.screen().contains("The guest is checked in: check them out instead of cancelling"))
        fixture.press(.alt("o"))
        #expect(fixture.screen().contains("Check out Zoë Ångström, booking \(arrival.confirmationCode)?"))
        fixture.press(.tab, .enter)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .checkedOut)
    }

    /// A desk left open through midnight: Today's lists, the status line and the search's
    /// check-in follow the hotel's new day (the terminal tells the model each minute).
    @Test func theDeskFollowsTheHotelsDayWhenItTurnsOverWhileOpen() throws {
        var fixture = try ScreenFixture()
        let tomorrowsArrival = try fixture.desk.book(room: "101", from: "2026-11-27", to: "2026-11-29")
        fixture.press(.function(4))
        #expect(fixture.model.state.today.arrivals.isEmpty)
        #expect(fixture.screen().contains("Today, 2026-11-26"))
        fixture.model.setBusinessDate(CalendarDate(iso: "2026-11-27")!)
        #expect(fixture.model.state.today.arrivals.map(\.id) == [tomorrowsArrival.id])
        let screen = fixture.screen()
        #expect(screen.contains("Today, 2026-11-27"))
        #expect(screen.contains("business date 2026-11-27"))
        #expect(fixture.model.state.search.checkIn == "2026-11-27")
    }

    /// At midnight the search left untouched stays on the night being sold (it jumped to the next
    /// night under the receptionist's hands, and Enter booked the wrong night); at 06:00 it moves
    /// on to the day's; a date typed stays as typed.
    @Test func theSearchStaysOnTheNightUnderWayUntilItEnds() throws {
        var fixture = try ScreenFixture()
        #expect(fixture.model.state.search.checkIn == "2026-11-26")
        fixture.model.setBusinessDate(CalendarDate(iso: "2026-11-27")!, nightUnderWay: CalendarDate(iso: "2026-11-26"))
        #expect(fixture.model.state.search.checkIn == "2026-11-26", "midnight: still the night under way")
        fixture.model.setBusinessDate(CalendarDate(iso: "2026-11-27")!)
        #expect(fixture.model.state.search.checkIn == "2026-11-27", "06:00: the day's night")
        fixture.model.setBusinessDate(CalendarDate(iso: "2026-11-28")!, nightUnderWay: CalendarDate(iso: "2026-11-27"))
        fixture.model.setBusinessDate(CalendarDate(iso: "2026-11-28")!)
        #expect(fixture.model.state.search.checkIn == "2026-11-28")
    }

    /// Ctrl-U empties a list's find field at once, from the field or from the list (a long name
    /// typed took a Backspace a letter), and the whole list is back.
    @Test func ctrlUEmptiesTheFindField() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-27")
        fixture.press(.alt("b"))
        fixture.type("nobody by this name")
        #expect(fixture.model.state.bookings.results.isEmpty)
        fixture.press(.control("u"))
        #expect(fixture.model.state.bookings.query.isEmpty)
        #expect(fixture.model.state.bookings.typingQuery)
        #expect(fixture.model.state.bookings.results.contains { $0.id == booking.id })

        fixture.press(.function(4))
        fixture.type("nobody")
        #expect(fixture.model.state.today.all.isEmpty)
        fixture.press(.down) // to the list; Ctrl-U from there empties the field too, and focuses it
        fixture.press(.control("u"))
        #expect(fixture.model.state.today.query.isEmpty)
        #expect(fixture.model.state.today.typingQuery)
        #expect(fixture.model.state.today.all.contains { $0.id == booking.id })
    }

    @Test func qInTheListGoesToTheFindFieldAndOnlyCtrlQQuits() throws {
        var fixture = try ScreenFixture()
        try fixture.desk.book(room: "102", from: "2026-12-01", to: "2026-12-02")
        fixture.press(.alt("b"))
        fixture.type("quentin")
        #expect(fixture.model.state.bookings.query == "quentin")
        #expect(fixture.model.state.bookings.results.isEmpty)
        for _ in 0..<7 { fixture.press(.backspace) }
        #expect(fixture.model.state.bookings.results.count == 1)
        fixture.press(.down)
        #expect(fixture.model.state.bookings.typingQuery == false)
        #expect(fixture.model.handle(.character("q")) == .keepGoing)
        #expect(fixture.model.state.bookings.typingQuery)
        #expect(fixture.model.state.bookings.query == "q")
        #expect(fixture.model.handle(.control("q")) == .quit)
    }
}

@Suite struct BookingsQueryTests {
    let today = CalendarDate(iso: "2026-11-26")!

    @Test func datesAStatusAndWordsAreToldApart() {
        let query = BookingsQuery.parse("2026-12-03 confirmed Zoë 2026-12-01", businessDate: today)
        #expect(query.from == CalendarDate(iso: "2026-12-01"))
        #expect(query.to == CalendarDate(iso: "2026-12-03"))
        #expect(query.status == .confirmed)
        #expect(query.text == "Zoë")
        #expect(BookingsQuery.parse("checked-in", businessDate: today).status == .checkedIn)
        #expect(BookingsQuery.parse("", businessDate: today).from == today)
    }

    @Test func theChosenBookingIsShownInFullAndFiltersNarrowTheList() throws {
        var fixture = try ScreenFixture()
        try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let other = try fixture.desk.book(room: "102", from: "2026-12-10", to: "2026-12-11")
        _ = try fixture.desk.store.cancel(other.confirmationCode, reason: "Plans changed", by: "anna")
        fixture.press(.function(3))
        fixture.type("cancelled")
        #expect(fixture.model.state.bookings.results.map(\.id) == [other.id])
        for _ in 0..<9 { fixture.press(.backspace) }
        fixture.type("2026-12-02")
        #expect(fixture.model.state.bookings.results.map(\.roomNumber) == ["101"])
        fixture.press(.down)
        let screen = fixture.screen()
        #expect(screen.contains("Confirmed · room 101 · 2026-12-01 to 2026-12-03 · 2 nights · 2 guests"))
        #expect(screen.contains("Zoë Ångström  <guest@example.com>"))
        #expect(screen.contains("Total EUR 224.00  (112.00, 112.00)  ·  version 3"))
    }
}
