import FrontDeskDomain
import FrontDeskScreens
import Testing

/// F10 and Ctrl-Q quit at once when nothing would be lost, and ask first (on No) when a booking
/// or an edit is typed and not saved: one quit key once lost a whole walk-in's details.
@Suite struct QuitQuestionTests {
    /// A walk-in typed into the booking form: F10 asks, naming the guest and room; Enter on No
    /// (the start) stays with every field kept; Esc stays too; → then Enter quits, and so does
    /// the quit key pressed again. Typed text does nothing while it asks.
    @Test func aTypedBookingAsksBeforeQuitting() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter) // a room from the search
        #expect(fixture.model.state.screen == .booking)
        #expect(fixture.model.handle(.function(10)) == .quit, "an empty form loses nothing: quit at once")

        fixture.type("Ada Lovelace")
        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        let asked = fixture.screen()
        #expect(asked.contains("Quit Front Desk?"))
        #expect(asked.contains("Ada Lovelace"))
        #expect(asked.contains("typed but not made"))
        #expect(asked.contains("[ No, stay ]"))
        #expect(asked.contains("[ Yes, quit ]"))

        fixture.type("xyz") // text neither answers nor reaches the form
        #expect(fixture.model.state.quitQuestion != nil)
        #expect(fixture.model.handle(.enter) == .keepGoing, "Enter on No stays")
        #expect(fixture.model.state.quitQuestion == nil)
        #expect(fixture.model.state.booking?.guestName == "Ada Lovelace")
        #expect(fixture.model.state.screen == .booking)

        #expect(fixture.model.handle(.control("q")) == .keepGoing)
        #expect(fixture.model.handle(.escape) == .keepGoing, "Esc is No")
        #expect(fixture.model.state.quitQuestion == nil)
        #expect(fixture.model.state.screen == .booking, "Esc answered the question, and did not leave the form")

        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        #expect(fixture.model.handle(.right) == .keepGoing)
        #expect(fixture.model.handle(.enter) == .quit, "Yes quits")

        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        #expect(fixture.model.handle(.control("q")) == .quit, "the quit key twice quits")
    }

    /// Ctrl-C quit at once and the typed walk-in was gone (F10 asked): it asks as F10 does, and a
    /// second Ctrl-C quits. With nothing typed it quits at once.
    @Test func ctrlCAsksAsTheQuitKeyDoes() throws {
        var fixture = try ScreenFixture()
        #expect(fixture.model.interrupted() == .quit, "nothing typed: Ctrl-C quits")
        fixture.press(.down, .enter)
        fixture.type("Ada Lovelace")
        #expect(fixture.model.interrupted() == .keepGoing)
        let asked = fixture.screen()
        #expect(asked.contains("Quit Front Desk?") && asked.contains("typed but not made") && asked.contains("Ctrl-C again quits"), "\(asked)")
        #expect(fixture.model.interrupted() == .quit, "Ctrl-C twice quits")
    }

    /// A booking saved and still holding its room or taking its payment: this desk's saga runner
    /// stops with it, and F10 left the guest waiting without a word.
    @Test func aBookingStillTakingItsPaymentAsksBeforeQuitting() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        fixture.typeGuest("Hana Hold", "hana@example.com")
        fixture.press(.enter)
        guard let code = fixture.heldCode() else { return }
        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        #expect(fixture.screen(100, 30).contains("Booking \(code) for Hana Hold is still taking its payment"), "\(fixture.screen(100, 30))")
        #expect(fixture.model.handle(.escape) == .keepGoing)
        try fixture.runSaga()
        #expect(fixture.model.handle(.function(10)) == .quit, "confirmed: nothing to wait for")
    }

    /// A payment left behind its form (Esc after Enter: "Taking payment…", then the search): the
    /// form's line is gone, and F10 quit at once while the status line said "1 booking in
    /// progress". Asked from the status line's count.
    @Test func aPaymentLeftBehindItsFormStillAsksBeforeQuitting() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        fixture.typeGuest("Hana Hold", "hana@example.com")
        fixture.press(.enter)
        guard fixture.heldCode() != nil else { return }
        fixture.press(.escape)
        #expect(fixture.model.state.booking == nil, "the form is gone")
        fixture.model.setBackgroundWork("1 booking in progress", bookingsInProgress: 1)
        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        #expect(fixture.screen(100, 30).contains("1 booking is still in progress (a payment being taken)"), "\(fixture.screen(100, 30))")
        #expect(fixture.model.handle(.escape) == .keepGoing)
        fixture.model.setBackgroundWork("idle", bookingsInProgress: 0)
        #expect(fixture.model.handle(.function(10)) == .quit, "nothing under way: nothing to wait for")
    }

    /// The question's keys are the footer's and the help's while it is open.
    @Test func theQuestionsKeysAreShown() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter)
        fixture.type("Ada")
        fixture.press(.function(10))
        let footer = fixture.screen().split(separator: "\n").last.map(String.init) ?? ""
        #expect(footer.contains("Answer"))
        #expect(!footer.contains("Enter Book"), "the form's Enter does not act under the question")
        fixture.press(.function(1))
        #expect(fixture.model.state.overlay == .help)
        fixture.press(.escape)
        #expect(fixture.model.state.overlay == .none)
        #expect(fixture.model.state.quitQuestion != nil, "the help closed; the question stays open under it")
        fixture.press(.function(1))
        #expect(fixture.model.handle(.function(10)) == .quit, "the quit key again, from the help over the question, quits")
    }

    /// An edit form with a change typed asks; one opened and left as it was does not.
    @Test func anEditWithChangesAsks() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-27")
        fixture.press(.function(4))
        fixture.press(.alt("e"))
        #expect(fixture.model.state.today.actions.editing != nil)
        fixture.type("Grace Hopper")
        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        #expect(fixture.screen().contains("booking \(booking.confirmationCode)"))
        #expect(fixture.model.handle(.escape) == .keepGoing)
        #expect(fixture.model.state.today.actions.editing?.values[.guestName]?.hasSuffix("Grace Hopper") == true, "the typed change is kept")
    }

    /// A room form opens filled in (the type, the old number, "2" guests): quitting asks only once
    /// something differs from what it opened with.
    @Test func aRoomFormAsksOnlyOnceSomethingIsTyped() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(5))
        for opening in [Key.alt("n"), .alt("u"), .alt("y")] {
            fixture.press(opening)
            #expect(fixture.model.state.rooms.prompt != nil)
            #expect(fixture.model.handle(.function(10)) == .quit, "\(opening): opened and not typed in, nothing to lose")
            fixture.press(.escape)
        }
        fixture.press(.alt("n"))
        fixture.type("105")
        #expect(fixture.model.handle(.function(10)) == .keepGoing)
        #expect(fixture.screen().contains("New room: typed and not saved."))
    }
}
