import FrontDeskDomain
import FrontDeskScreens
import Testing

@Suite struct BookingFlowTests {
    /// The guest typed, then Esc and Enter on another room: the form opened blank and the
    /// walk-in's details were gone without a word. They go to the other room's form; a booked
    /// guest's details do not go to the next walk-in.
    @Test func anotherRoomKeepsTheGuestTypedForTheFirst() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        let first = try #require(fixture.model.state.booking?.offer.room.number)
        fixture.type("Ines Walker")
        fixture.press(.tab)
        fixture.type("ines@example.com")
        fixture.press(.escape)
        #expect(fixture.model.state.screen == .search)
        fixture.press(.down, .enter)
        let form = try #require(fixture.model.state.booking)
        #expect(form.offer.room.number != first)
        #expect(form.guestName == "Ines Walker" && form.email == "ines@example.com")
        fixture.press(.tab, .tab)
        fixture.type("+43 1 234567")
        fixture.press(.enter)
        try fixture.runSaga()
        guard case .confirmed? = fixture.model.state.booking?.progress else {
            Issue.record("not confirmed: \(String(describing: fixture.model.state.booking?.progress))")
            return
        }
        fixture.press(.escape, .down, .down, .enter)
        #expect(fixture.model.state.booking?.guestName == "", "the next walk-in starts blank")
    }

    /// A room found for tonight at 23:55, the walk-in's details typed after midnight: until 06:00
    /// that night is still under way and is sold (the form refused it as "in the past"); by day
    /// it is refused.
    @Test func aFormForTheNightUnderWayIsTakenAfterMidnight() throws {
        for nightUnderWay in [CalendarDate(iso: "2026-11-26"), nil] {
            var fixture = try ScreenFixture()
            fixture.press(.down, .enter)
            #expect(fixture.model.state.booking?.offer.nightlyPrices.first?.night.iso == "2026-11-26")
            fixture.model.setBusinessDate(CalendarDate(iso: "2026-11-27")!, nightUnderWay: nightUnderWay)
            fixture.typeGuest("Walt Walker", "walt@example.com")
            fixture.press(.enter)
            let screen = fixture.screen(120, 30)
            if nightUnderWay != nil {
                #expect(fixture.heldCode() != nil, "\(screen)")
            } else {
                #expect(screen.contains("Check-in date cannot be in the past (business date is 2026-11-27)"), "\(screen)")
            }
        }
    }

    /// A search refusal longer than the screen is wide, at 80 columns: shown whole, wrapped (it
    /// was cut at the edge, and the end of a refusal is often what to do). The words are the
    /// store's refusal of a night two back at 01:00, whose business date needs the real clock.
    @Test func aLongSearchRefusalIsShownWholeAt80Columns() throws {
        let refusal = "Check-in date cannot be in the past (business date is 2026-11-27); until 06:00 the night of 2026-11-26 can still be sold"
        var fixture = try ScreenFixture { services in
            services.search = { _, _, _ in throw FrontDeskError.validationFailed([refusal]) }
        }
        fixture.press(.control("u"))
        fixture.type("2026-11-25")
        fixture.press(.enter)
        #expect(fixture.model.state.search.problems == [refusal])
        let screen = fixture.screen(80, 24)
        let shown = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .map { $0.hasPrefix("! ") ? String($0.dropFirst(2)) : $0 }.joined(separator: " ")
        #expect(shown.contains(refusal), "\(screen)")
    }

    /// Details kept from an unfinished form are said, so an abandoned walk-in's are not taken
    /// for the next guest's, and Ctrl-U empties them.
    @Test func keptDetailsAreSaidAndCtrlUEmptiesThem() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        fixture.type("Ines Walker")
        fixture.press(.escape, .down, .enter)
        #expect(fixture.screen(120, 30).contains("Guest details kept from the unfinished booking form (Ines Walker)"), "\(fixture.screen(120, 30))")
        fixture.press(.control("u"))
        let form = try #require(fixture.model.state.booking)
        #expect(form.guestName.isEmpty && form.email.isEmpty && form.notice == nil)
        fixture.press(.function(1))
        #expect(fixture.screen(120, 40).contains("Ctrl-U"), "the help lists it")
    }

    /// Search -> choose a room -> the form with an invalid e-mail (every problem shown at once)
    /// -> fix it -> submit -> the saga confirms and the code is shown.
    @Test func aWalkInFromSearchToConfirmed() throws {
        var fixture = try ScreenFixture()
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.down, .down, .enter) // the second room: 102
        #expect(fixture.model.state.screen == .booking)
        #expect(fixture.screen().contains("Room 102 Double, 2026-11-26 to 2026-11-28 (2 nights)"))

        fixture.type("Zoë Ångström")
        fixture.press(.tab)
        fixture.type("zoe@example")
        fixture.press(.tab)
        fixture.type("call me")
        fixture.press(.enter)
        let problems = fixture.screen()
        #expect(problems.contains("! Valid email address is required"))
        // Whole at 80 columns: too long for the room under the field, it starts under the label.
        #expect(problems.contains("! Phone number may hold 5 to 20 digits with spaces and + - ( ) . only"), "\(problems)")
        #expect(fixture.model.state.booking?.progress == nil)
        #expect(fixture.model.state.booking?.focus == .email)

        fixture.type(".at")
        for _ in 0..<6 { fixture.press(.down) } // five fields: round once, then on to the phone
        #expect(fixture.model.state.booking?.focus == .phone)
        for _ in 0..<7 { fixture.press(.backspace) }
        fixture.type("+43 1 234567")
        #expect(fixture.model.state.booking?.problems.isEmpty == true)
        fixture.press(.enter)
        guard case .holding(let code)? = fixture.model.state.booking?.progress else {
            Issue.record("not held: \(String(describing: fixture.model.state.booking?.progress))")
            return
        }
        #expect(fixture.screen().contains("Holding the room (booking \(code))"))

        try fixture.runSaga()
        #expect(fixture.model.state.booking?.progress == .confirmed(code: code))
        #expect(fixture.screen().contains("✔ Confirmed: \(code)"))
        let booking = try fixture.desk.store.booking(code)
        #expect(booking.status == .confirmed)
        #expect(booking.guest.name == "Zoë Ångström")
        #expect(booking.roomNumber == "102")

        fixture.press(.escape)
        #expect(fixture.model.state.screen == .search)
        #expect(fixture.model.state.booking == nil)
        #expect(fixture.model.state.search.answer?.offers.contains { $0.room.number == "102" } == false)
    }

    /// Text pasted into a field, line breaks and tabs and all, stays in the field: a pasted line
    /// break once acted as Enter, moved on and booked before anyone looked at the form.
    @Test func aPastedLineBreakIsTextNotEnter() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        let focus = fixture.model.state.booking?.focus
        // As the terminal hands it over: its line breaks are Enter keys, its tab a Tab.
        fixture.press(.pasteBegin)
        fixture.type("Jane")
        fixture.press(.enter)
        fixture.type("Doe")
        fixture.press(.tab)
        fixture.type("jane@example.com")
        fixture.press(.enter, .escape, .function(10), .pasteEnd)
        #expect(fixture.model.state.booking?.guestName == "Jane Doe jane@example.com ")
        #expect(fixture.model.state.booking?.focus == focus)
        #expect(fixture.model.state.booking?.progress == nil)
        #expect(fixture.model.state.screen == .booking)
        #expect(try fixture.desk.count("booking") == 0)
        // After the paste, Enter is Enter again: it checks the form and goes to the missing e-mail.
        fixture.press(.enter)
        #expect(fixture.model.state.booking?.focus != focus)
    }

    /// A paste's end sequence split by a slow link (Esc alone, then "[201~" as characters) ends
    /// the paste and types nothing; an Esc followed by other text leaves that text typed. Ctrl-Q
    /// quits in a paste whose end never comes (the desk took every other key as pasted text).
    @Test func aPastesEndSplitInTwoEndsThePaste() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        let focus = fixture.model.state.booking?.focus
        fixture.press(.pasteBegin)
        fixture.type("abc")
        fixture.press(.escape)
        fixture.type("[2x")
        fixture.press(.escape)
        fixture.type("[201~")
        #expect(fixture.model.state.booking?.guestName == "abc[2x")
        // Split after its "[": the reader gives Alt-[ then the digits.
        fixture.press(.pasteBegin)
        fixture.type("d")
        fixture.press(.alt("["))
        fixture.type("201~")
        #expect(fixture.model.state.booking?.guestName == "abc[2xd")
        fixture.press(.tab)
        #expect(fixture.model.state.booking?.focus != focus, "after the paste's end, Tab moves on again")

        // A paste that never ends: Ctrl-Q quits at once (the way out), though a name is typed
        // and not booked, which outside a paste would ask first (QuitQuestionTests).
        fixture.press(.pasteBegin)
        fixture.type("never ends")
        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        #expect(fixture.model.handle(.control("q")) == .quit)
    }

    /// The price follows occupancy while the form is open: four rooms booked elsewhere for the
    /// same nights lift it (0.8 to 1.0 of the base), the form says so and shows the new price,
    /// and Enter books at the price shown. It once kept the price of when it opened.
    @Test func theFormShowsThePriceEnterBooksAfterOccupancyMoved() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        let opened = try #require(fixture.model.state.booking?.offer)
        let stay = try #require(fixture.model.state.booking?.stay)
        for room in ["102", "103", "104", "201"] where room != opened.room.number {
            _ = try fixture.desk.store.reserveConfirmedAtDesk(fixture.desk.form(room: room, from: stay.checkIn.iso, to: stay.checkOut.iso),
                                                              by: "bob")
        }
        fixture.model.bookingsChanged()
        let now = try #require(fixture.model.state.booking?.offer)
        #expect(now.totalPrice > opened.totalPrice, "\(now.totalPrice) after \(opened.totalPrice)")
        let screen = fixture.screen()
        #expect(screen.contains("EUR \(now.totalPrice.plain)") && screen.contains("The price is now EUR \(now.totalPrice.plain) (was \(opened.totalPrice.plain))"),
                "\(screen)")
        fixture.type("Ines Wirth")
        fixture.press(.tab)
        fixture.type("ines@example.com")
        fixture.press(.enter)
        let id = try #require(fixture.model.state.booking?.bookingId)
        #expect(try fixture.desk.store.booking(id.uuidString).totalPrice == now.totalPrice)
    }

    @Test func aHalfFilledFormSurvivesGoingBackToTheSearch() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        fixture.type("Søren Jensen")
        fixture.press(.escape)
        #expect(fixture.model.state.screen == .search)
        fixture.press(.enter)
        #expect(fixture.model.state.booking?.guestName == "Søren Jensen")
        #expect(fixture.model.state.screen == .booking)
    }

    @Test func aCardPaymentWithoutAPaymentServiceIsExplainedNotAttempted() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        fixture.typeGuest("Ann Lee", "ann@example.com")
        fixture.press(.tab, .tab, .tab, .character(" "))
        #expect(fixture.model.state.booking?.payment == .card)
        fixture.press(.enter)
        let screen = fixture.screen()
        #expect(screen.contains("! Card number is required for a card payment"))
        #expect(screen.contains("Card payments are not set up: ask your manager to set payment_url"))
        // Read to its end at 80 columns: the file and the variable are on the rows below.
        let rows = screen.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let first = try #require(rows.firstIndex { $0.contains("Card payments are not set up") })
        let message = rows[first...].prefix(3).joined(separator: " ")
        #expect(message.contains("frontdesk/config.toml, or FRONTDESK_PAYMENT_URL"), "\(screen)")
        #expect(!message.contains("…"), "\(screen)")
        #expect(try fixture.desk.count("booking") == 0)
    }

    @Test func aRoomTakenMeanwhileIsReportedAndNothingIsLost() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter) // 301, the cheapest, for 1 guest
        fixture.type("Ann Lee")
        fixture.press(.tab)
        fixture.type("ann@example.com")
        try fixture.desk.book(room: "301", from: "2026-11-26", to: "2026-11-27", guests: "1")
        fixture.press(.enter)
        #expect(fixture.model.state.booking?.progress == .refused("Room 301 is not available from 2026-11-26 to 2026-11-27: another booking holds it"))
        #expect(fixture.model.state.booking?.guestName == "Ann Lee")
    }
}
