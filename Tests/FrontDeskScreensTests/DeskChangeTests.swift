import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import Testing

/// Issue 14 at the desk: Alt-e edits in a form, Alt-m moves (lists and room plan), Alt-n marks a
/// no-show, Alt-u undoes today's check-in or check-out; destructive ones ask first, naming guest
/// and booking, on No.
@Suite struct DeskChangeTests {
    /// Another desk changed the booking while the edit form was open: the form closed with "was
    /// changed meanwhile" and the typed check-out was gone. It comes back on the booking as it is
    /// now, the typed change kept, and a second Enter saves it over the other desk's change.
    @Test func anEditOfABookingChangedMeanwhileKeepsWhatWasTyped() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab, .tab, .tab, .tab, .tab) // to the check-out
        for _ in 0..<10 { fixture.press(.backspace) }
        fixture.type("2026-12-05")
        _ = try fixture.desk.store.changeBooking(booking.confirmationCode, BookingEdit(guests: "1"), ChangeRequest(user: "ben"), operationId: nil)
        fixture.press(.enter)
        let form = try #require(fixture.model.state.bookings.actions.editing, "the form stays open")
        #expect(form.values[.checkOut] == "2026-12-05" && form.values[.guests] == "1", "\(form.values)")
        #expect(fixture.screen(160, 30).contains("was changed elsewhere meanwhile: your changes are kept"), "\(fixture.screen(160, 30))")
        fixture.press(.enter)
        let saved = try fixture.desk.store.booking(booking.confirmationCode)
        #expect(saved.stay.checkOut.iso == "2026-12-05" && saved.guestCount == 1)
    }

    @Test func altEEditsTheBookingInAFormWithEachProblemBesideItsField() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"))
        var screen = fixture.screen()
        #expect(screen.contains("Edit booking \(booking.confirmationCode)"), "\(screen)")
        #expect(screen.contains("Guest name  Zoë Ångström"), "\(screen)")
        #expect(screen.contains("Check-out   2026-12-03"), "\(screen)")
        // Typed letters go to the field, never act: "e", "m", "n", "u" are text here.
        for _ in 0..<12 { fixture.press(.backspace) }
        fixture.type("Zoe Angstrom")
        fixture.press(.tab)
        for _ in 0..<40 { fixture.press(.backspace) }
        fixture.type("not-an-email")
        fixture.press(.enter)
        screen = fixture.screen()
        let emailLine = try #require(screen.split(separator: "\n").first { $0.contains(" E-mail") })
        #expect(emailLine.contains("! Valid email address is required"), "\(screen)")
        #expect(try fixture.desk.store.booking(booking.confirmationCode).guest.name == "Zoë Ångström", "nothing saved yet")

        for _ in 0..<12 { fixture.press(.backspace) }
        fixture.type("zoe@example.com")
        fixture.press(.tab, .tab, .tab, .tab) // phone, guests, check-in, check-out
        for _ in 0..<10 { fixture.press(.backspace) }
        fixture.type("2026-12-05")
        fixture.press(.tab)
        fixture.type("Late arrival, about 23:00")
        fixture.press(.enter)
        let saved = try fixture.desk.store.booking(booking.confirmationCode)
        #expect(saved.guest.name == "Zoe Angstrom")
        #expect(saved.guest.email == "zoe@example.com")
        #expect(saved.stay.checkOut.iso == "2026-12-05")
        #expect(saved.nightlyPrices.prefix(2) == booking.nightlyPrices.prefix(2), "kept nights keep their price")
        #expect(saved.notes.map(\.text) == ["Late arrival, about 23:00"])
        #expect(saved.notes.first?.by == "anna")
        screen = fixture.screen()
        #expect(screen.contains("Booking \(booking.confirmationCode) of Zoe Angstrom saved"), "\(screen)")
        #expect(screen.contains("Notes: Late arrival, about 23:00"), "\(screen)")
    }

    /// Issue 10, item 6, in the edit form too: a count or a date typed into its pre-filled field
    /// replaces it ("1" into "2" is 1, not 12); Backspace keeps it and edits from its end.
    @Test func typingIntoAPrefilledCountOrDateOfTheEditFormReplacesIt() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab, .tab, .tab) // e-mail, phone, guests
        fixture.type("1")
        fixture.press(.tab)
        fixture.type("2026-12-02")
        fixture.press(.tab, .backspace)
        fixture.type("4")
        let form = try #require(fixture.model.state.bookings.actions.editing)
        #expect(form.values[.guests] == "1")
        #expect(form.values[.checkIn] == "2026-12-02")
        #expect(form.values[.checkOut] == "2026-12-04")
        // A name is corrected, not retyped: what is typed goes after it.
        fixture.press(.backTab, .backTab, .backTab, .backTab, .backTab) // back to the name
        fixture.type("e")
        #expect(fixture.model.state.bookings.actions.editing?.values[.guestName] == booking.guest.name + "e")
        fixture.press(.backspace, .enter)
        let saved = try fixture.desk.store.booking(booking.confirmationCode)
        #expect(saved.guestCount == 1)
        #expect(saved.stay.checkIn.iso == "2026-12-02" && saved.stay.checkOut.iso == "2026-12-04")
    }

    /// What only the store can check (the room's capacity, a taken night) brings the form back as
    /// typed, the problem beside its field.
    @Test func aRefusedEditComesBackAsTypedWithTheProblemBesideItsField() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        try fixture.desk.book(room: "101", from: "2026-12-03", to: "2026-12-04")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab, .tab, .tab, .backspace)
        fixture.type("3")
        fixture.press(.enter)
        var screen = fixture.screen()
        let guestsLine = try #require(screen.split(separator: "\n").first { $0.hasPrefix(" Guests") })
        #expect(guestsLine.contains("3") && guestsLine.contains("! Room 101 (Double) sleeps at most 2 guests"), "\(screen)")
        #expect(try fixture.desk.store.booking(booking.confirmationCode).guestCount == 2)
        // Back to 2, one night more: that night is taken; said in the form, nothing changes.
        fixture.press(.backspace)
        fixture.type("2")
        fixture.press(.tab, .tab)
        for _ in 0..<10 { fixture.press(.backspace) }
        fixture.type("2026-12-04")
        fixture.press(.enter)
        screen = fixture.screen()
        #expect(screen.contains("! Room 101 is taken on the night of 2026-12-03"), "\(screen)")
        #expect(try fixture.desk.store.booking(booking.confirmationCode).stay.checkOut.iso == "2026-12-03")
        fixture.press(.escape)
        #expect(fixture.screen().contains("Nothing changed"))
    }

    /// A phone that is no phone number and three guests for a double: one Enter shows both
    /// problems, each beside its field, and saves nothing. The desk checked the guests against the
    /// most any room sleeps, so the room's size came only in a second round, from the store,
    /// after the phone was fixed.
    @Test func oneEnterShowsEveryProblemOfTheEditTheRoomsSizeAmongThem() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab, .tab) // e-mail, phone
        fixture.type("call me maybe")
        fixture.press(.tab, .backspace) // guests
        fixture.type("3")
        fixture.press(.enter)
        let form = try #require(fixture.model.state.bookings.actions.editing, "the form stays open")
        #expect(form.problems.contains("Room 101 (Double) sleeps at most 2 guests"), "\(form.problems)")
        #expect(form.problems.contains { $0.hasPrefix("Phone number may hold 5 to 20 digits") }, "\(form.problems)")
        let screen = fixture.screen()
        let lines = screen.split(separator: "\n")
        let phoneLine = try #require(lines.first { $0.hasPrefix(" Phone") }, "\(screen)")
        #expect(phoneLine.contains("! Phone number may hold"), "\(screen)")
        let guestsLine = try #require(lines.first { $0.hasPrefix(" Guests") }, "\(screen)")
        #expect(guestsLine.contains("! Room 101 (Double) sleeps at most 2 guests"), "\(screen)")
        #expect(try fixture.desk.store.booking(booking.confirmationCode).guestCount == 2, "nothing saved")
    }

    /// The edit form's refusals read whole at 80x24, word-wrapped under their field or under the
    /// fields: cut, they lost what helps ("free from 2026-1…", "(use YY…", "5 to 20 d…").
    @Test func theEditFormsProblemsAreReadWholeAt80x24() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        try fixture.desk.book(room: "101", from: "2026-12-03", to: "2026-12-05")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab, .tab) // e-mail, phone
        fixture.type("call me maybe")
        fixture.press(.tab, .tab, .tab) // guests, check-in, check-out
        fixture.type("2027-02-29")
        fixture.press(.enter)
        var form = try #require(fixture.model.state.bookings.actions.editing, "the form stays open")
        #expect(form.problems == ["Phone number may hold 5 to 20 digits with spaces and + - ( ) . only",
                                  "Check-out date '2027-02-29' is not a date (use YYYY-MM-DD)"], "\(form.problems)")
        var screen = fixture.screen(80, 24)
        try Self.expectWhole(form.problems, on: screen)
        // Each begins beside its field.
        let lines = screen.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix(" Phone") && $0.contains("! Phone number may hold") }, "\(screen)")
        #expect(lines.contains { $0.hasPrefix(" Check-out") && $0.contains("! Check-out date '2027-02-29' is not") }, "\(screen)")

        // The phone emptied, a check-out whose added nights are taken: the rooms free instead are
        // at the end of the store's refusal, under the fields.
        fixture.press(.backTab, .backTab, .backTab) // check-in, guests, phone
        for _ in 0..<13 { fixture.press(.backspace) }
        fixture.press(.tab, .tab, .tab) // guests, check-in, check-out
        fixture.type("2026-12-05")
        fixture.press(.enter)
        form = try #require(fixture.model.state.bookings.actions.editing, "the form comes back as typed")
        let refusal = try #require(form.problems.first)
        #expect(refusal.hasPrefix("Room 101 is taken on the nights of") && refusal.contains("; free from 2026-12-01 to 2026-12-05"),
                "\(refusal)")
        screen = fixture.screen(80, 24)
        try Self.expectWhole(form.problems, on: screen)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).stay.checkOut.iso == "2026-12-03")
    }

    /// A check-out before the business date and before the check-in: both of the field's problems
    /// beside it at once (only the first was drawn).
    @Test func everyProblemOfAFieldIsDrawnBesideIt() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab, .tab, .tab, .tab, .tab) // to the check-out
        fixture.type("2026-11-20")
        fixture.press(.enter)
        let form = try #require(fixture.model.state.bookings.actions.editing, "the form stays open")
        let problems = ["Check-out date must be after the business date (2026-11-26)", "Check-out date must be after check-in date"]
        #expect(form.problems == problems, "\(form.problems)")
        try Self.expectWhole([problems.joined(separator: "; ")], on: fixture.screen(80, 24))
    }

    /// Each problem whole in the edit form's rows, however many rows it takes, nothing of the
    /// form cut with "…", and the message line and the footer under the form left alone.
    static func expectWhole(_ problems: [String], on screen: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = try #require(lines.firstIndex { $0.contains("Edit booking") }, "\(screen)", sourceLocation: sourceLocation)
        let keys = try #require(lines.firstIndex { $0.contains("Enter saves (one change") }, "\(screen)", sourceLocation: sourceLocation)
        let form = lines[title...keys]
        #expect(!form.joined().contains("…"), "\(screen)", sourceLocation: sourceLocation)
        // Read as words: a problem wrapped over rows is whole when its words follow one another.
        let words = form.joined(separator: " ").split(separator: " ").joined(separator: " ")
        for problem in problems {
            #expect(words.contains("! " + problem), "\(problem)\n\(screen)", sourceLocation: sourceLocation)
        }
        #expect(keys < lines.count - 2, "the form stops above the message line and the footer", sourceLocation: sourceLocation)
    }

    @Test func altMMovesTheChosenGuestAfterAskingAndAltNMarksANoShow() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("m"))
        #expect(fixture.screen().contains("Move Zoë Ångström (\(booking.confirmationCode), room 101) to room"))
        fixture.type("102")
        fixture.press(.enter)
        var screen = fixture.screen()
        #expect(screen.contains("Move Zoë Ångström, booking \(booking.confirmationCode), to room 102?"), "\(screen)")
        #expect(screen.contains("[ No, change nothing ]  [ Yes, move ]"))
        fixture.press(.enter) // No
        #expect(try fixture.desk.store.booking(booking.confirmationCode).roomNumber == "101")
        fixture.press(.alt("m"))
        fixture.type("102")
        fixture.press(.enter, .right, .enter)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).roomNumber == "102")
        screen = fixture.screen()
        #expect(screen.contains("Zoë Ångström moved to room 102"), "\(screen)")
        // A room that sleeps fewer: refused, in words, nothing changes.
        fixture.press(.alt("m"))
        fixture.type("301")
        fixture.press(.enter, .right, .enter)
        #expect(fixture.screen().contains("sleeps at most 1 guest"))
        #expect(try fixture.desk.store.booking(booking.confirmationCode).roomNumber == "102")

        // Not an arrival yet: Alt-n says so at once, with no question first.
        fixture.press(.alt("n"))
        #expect(fixture.model.state.bookings.actions.confirmation == nil)
        #expect(fixture.screen().contains("it cannot be a no-show before then"))
        #expect(try fixture.desk.store.booking(booking.confirmationCode).status == .confirmed)
    }

    /// A guest who overstayed (due out before today, still checked in) has no nights left to move:
    /// the desk asked "Move … From tonight (…)" and refused only after the yes (a review). Now
    /// Enter after the room says so at once, in the store's words; on the room plan too.
    @Test func aGuestWhoOverstayedIsRefusedAMoveBeforeTheQuestion() throws {
        var fixture = try ScreenFixture()
        let otto = try fixture.desk.checkedIn(daysAgo: 3, room: "101", from: "2026-11-23", to: "2026-11-25", name: "Otto Overstay")
        let refusal = "Booking \(otto.confirmationCode) has no nights left from 2026-11-26: check the guest out instead"
        fixture.press(.function(3))
        fixture.type(otto.confirmationCode)
        fixture.press(.down, .alt("m"))
        fixture.type("102")
        fixture.press(.enter)
        #expect(fixture.model.state.bookings.actions.confirmation == nil, "refused at once, nothing asked")
        #expect(fixture.model.state.bookings.actions.message == refusal)
        #expect(fixture.model.state.bookings.actions.messageIsError)
        #expect(!fixture.screen(160, 30).contains("From tonight"), "\(fixture.screen(160, 30))")
        #expect(try fixture.desk.store.booking(otto.confirmationCode).roomNumber == "101")

        // The plan draws him in 101 through tonight: marked there and taken to 102, Enter says
        // the same, asks nothing, and lets go of the mark.
        fixture.press(.function(6), .home, .down) // room 101 (after the Single), tonight
        #expect(fixture.model.state.roomPlan.plan?.lines[fixture.model.state.roomPlan.cursorLine].room.number == "101")
        fixture.press(.alt("m"))
        #expect(fixture.model.state.roomPlan.moving?.confirmationCode == otto.confirmationCode)
        fixture.press(.down, .enter)
        #expect(fixture.model.state.roomPlan.moveQuestion == nil && fixture.model.state.roomPlan.moving == nil)
        #expect(fixture.model.state.roomPlan.message == refusal && fixture.model.state.roomPlan.messageIsError)
        #expect(try fixture.desk.store.booking(otto.confirmationCode).roomNumber == "101")
    }

    /// With the hotel's fee known, the question names what stays charged and what is owed back
    /// (it said "unless the hotel charges none", and the clerk had to guess).
    @Test(arguments: [NoShowPolicy.Fee.firstNight, .none])
    func theNoShowQuestionNamesTheFeeAndWhatIsOwedBack(_ fee: NoShowPolicy.Fee) throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.store.setNoShowPolicy(cutoffHour: 12, fee: fee, by: "manager")
        fixture.model.setNoShowFee(fee)
        let arrival = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        fixture.press(.function(4), .alt("n"))
        let asked = fixture.screen(160, 30)
        let owed = ChangeWording.owedBackByNoShow(arrival, fee: fee).plain
        if fee == .firstNight {
            #expect(asked.contains("The first night (\(arrival.nightlyPrices[0].price.plain)) stays charged"), "\(asked)")
        } else {
            #expect(asked.contains("Nothing is charged (the hotel's no-show fee is none)"), "\(asked)")
        }
        #expect(asked.contains("\(owed) of the \(arrival.totalPrice.plain) paid is owed back to the guest"), "\(asked)")
    }

    @Test func todayListsArrivalsDueForANoShowAndAltNMarksIt() throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.store.setNoShowPolicy(cutoffHour: 12, fee: .firstNight, by: "manager")
        let arrival = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        fixture.press(.function(4))
        var screen = fixture.screen()
        #expect(screen.contains("Due for a no-show"), "\(screen)")
        #expect(fixture.model.state.today.dueForNoShow.map(\.id) == [arrival.id])
        fixture.press(.alt("n"))
        #expect(fixture.screen().contains("Mark Zoë Ångström, booking \(arrival.confirmationCode), a no-show?"))
        // The question said "The room is freed", though the first night stays charged.
        let asked = fixture.screen(160, 30)
        #expect(asked.contains("the first night stays charged") && !asked.contains("The room is freed"), "\(asked)")
        fixture.press(.right, .enter)
        let marked = try fixture.desk.store.booking(arrival.confirmationCode)
        #expect(marked.status == .noShow)
        screen = fixture.screen()
        #expect(screen.contains("Zoë Ångström marked a no-show"), "\(screen)")
        #expect(!screen.contains("Due for a no-show"))
        // The first night stays sold; the others are free again.
        #expect(try fixture.desk.freeRooms("2026-11-27", "2026-11-29").contains("101"))
        #expect(!(try fixture.desk.freeRooms("2026-11-26", "2026-11-27").contains("101")))

        // The guest comes after all: on the bookings list Alt-u asks, then takes the no-show back.
        fixture.press(.function(3), .alt("u"))
        screen = fixture.screen(160, 30)
        #expect(screen.contains("Undo the no-show of Zoë Ångström, booking \(arrival.confirmationCode)?"), "\(screen)")
        #expect(screen.contains("[ Yes, undo the no-show ]"))
        fixture.press(.right, .enter)
        let back = try fixture.desk.store.booking(arrival.confirmationCode)
        #expect(back.status == .confirmed && back.statusReason == "No-show undone at the desk by anna")
        let said = fixture.screen(200, 30)
        #expect(said.contains("No-show of Zoë Ångström undone") && said.contains("if it was paid out, collect it again"), "\(said)")
        #expect(!(try fixture.desk.freeRooms("2026-11-27", "2026-11-29").contains("101")), "the nights are the guest's again")
    }

    @Test func altUUndoesTodaysCheckInAfterAsking() throws {
        var fixture = try ScreenFixture()
        let arrival = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-28")
        fixture.press(.function(4))
        fixture.press(.alt("i"), .right, .enter)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .checkedIn)
        fixture.press(.alt("u"))
        let screen = fixture.screen()
        #expect(screen.contains("Undo the check-in of Zoë Ångström, booking \(arrival.confirmationCode)?"), "\(screen)")
        #expect(screen.contains("[ No, change nothing ]  [ Yes, undo the check-in ]"))
        fixture.press(.escape)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .checkedIn)
        fixture.press(.alt("u"), .right, .enter)
        let undone = try fixture.desk.store.booking(arrival.confirmationCode)
        #expect(undone.status == .confirmed)
        #expect(undone.statusReason == "Check-in undone at the desk by anna")
        #expect(fixture.screen().contains("Check-in of Zoë Ångström undone"))
        // A Confirmed booking has nothing to undo: said, nothing asked.
        fixture.press(.alt("u"))
        #expect(fixture.screen(160, 30).contains("only today's check-in or check-out, or a no-show, can be undone"))
    }

    @Test func onTheRoomPlanAStayIsMarkedTakenToAnotherRoomAndMovedAfterAsking() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        fixture.press(.function(6), .home, .down) // room 101 (after the Single), tonight
        #expect(fixture.model.state.roomPlan.plan?.lines[fixture.model.state.roomPlan.cursorLine].room.number == "101")
        fixture.press(.alt("m"))
        #expect(fixture.screen().contains("Moving Zoë Ångström (\(booking.confirmationCode)): ↑/↓ to the room, Enter asks first"))
        fixture.press(.down, .enter)
        var screen = fixture.screen()
        #expect(screen.contains("Move Zoë Ångström, booking \(booking.confirmationCode), from room 101 to room 102?"), "\(screen)")
        fixture.press(.right, .enter)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).roomNumber == "102")
        screen = fixture.screen()
        #expect(screen.contains("Zoë Ångström moved to room 102"), "\(screen)")
        let plan = try #require(fixture.model.state.roomPlan.plan)
        let room102 = try #require(plan.lines.first { $0.room.number == "102" }?.room.id)
        #expect(plan.staysByRoom.values.joined().filter { $0.confirmationCode == booking.confirmationCode }.map(\.roomId) == [room102])
        // Help lists the new keys on the lists.
        fixture.press(.function(3), .function(1))
        let help = fixture.screen(100, 40)
        #expect(help.contains("Alt-e/m/n/u") && help.contains("Edit, move, no-show, undo check-in/out/no-show"), "\(help)")
    }

    /// A stay marked on the plan and changed elsewhere before Enter (moved, made shorter) is not
    /// moved from what it was: the desk says so and asks for it to be marked again; a change
    /// between the question and the answer is refused by the booking's version.
    @Test func aStayMarkedOnThePlanAndChangedElsewhereIsNotMovedOverTheChange() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        fixture.press(.function(6), .home, .down) // room 101, tonight
        fixture.press(.alt("m"))
        // Another desk makes it shorter and moves it to 103.
        _ = try fixture.desk.store.changeBooking(booking.confirmationCode, BookingEdit(checkOut: "2026-11-27"), ChangeRequest(user: "ben"), operationId: nil)
        _ = try fixture.desk.store.move(booking.confirmationCode, toRoom: "103", reason: nil, reprice: false, ChangeRequest(user: "ben"), operationId: nil)
        fixture.press(.down, .enter) // to 102
        var screen = fixture.screen(120, 30)
        #expect(screen.contains("was changed elsewhere since it was marked (now room 103, 2026-11-26 to 2026-11-27)"), "\(screen)")
        #expect(fixture.model.state.roomPlan.moveQuestion == nil && fixture.model.state.roomPlan.moving == nil)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).roomNumber == "103")

        // Marked again, asked, then changed elsewhere before the answer: refused, nothing moved.
        fixture.model.bookingsChanged()
        let line = try #require(fixture.model.state.roomPlan.plan?.lines.firstIndex { $0.room.number == "103" })
        for _ in 0..<20 where fixture.model.state.roomPlan.cursorLine != line {
            fixture.press(fixture.model.state.roomPlan.cursorLine < line ? .down : .up)
        }
        try #require(fixture.model.state.roomPlan.cursorLine == line)
        fixture.press(.alt("m"), .up, .enter)
        screen = fixture.screen(120, 30)
        #expect(screen.contains("from room 103 to room"), "\(screen)")
        _ = try fixture.desk.store.changeBooking(booking.confirmationCode, BookingEdit(note: "Quiet room"), ChangeRequest(user: "ben"), operationId: nil)
        fixture.press(.right, .enter)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).roomNumber == "103")
        #expect(fixture.screen(120, 30).contains("changed meanwhile"), "\(fixture.screen(120, 30))")
    }

    /// The bookings list and Today read again (another desk booked): the highlight stays on the
    /// guest the receptionist chose, so the next key acts on that guest, not on the row's new one.
    @Test func aListReadAgainKeepsItsHighlightOnTheChosenBooking() throws {
        var fixture = try ScreenFixture()
        let first = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-27")
        let second = try fixture.desk.book(room: "103", from: "2026-11-26", to: "2026-11-27")
        _ = try fixture.desk.book(room: "104", from: "2026-11-26", to: "2026-11-27")
        fixture.press(.function(3))
        let at = try #require(fixture.model.state.bookings.results.firstIndex { $0.id == second.id })
        for _ in 0..<20 where fixture.model.state.bookings.selected < at { fixture.press(.down) }
        try #require(fixture.model.state.bookings.selected == at)
        _ = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-27") // listed before them
        fixture.model.bookingsChanged()
        #expect(fixture.model.state.bookings.results[fixture.model.state.bookings.selected].id == second.id)

        fixture.press(.function(4))
        for _ in 0..<20 where fixture.model.state.today.all.indices.contains(fixture.model.state.today.selected)
            && fixture.model.state.today.all[fixture.model.state.today.selected].id != second.id { fixture.press(.down) }
        try #require(fixture.model.state.today.all[fixture.model.state.today.selected].id == second.id)
        _ = try fixture.desk.store.cancel(first.confirmationCode, reason: "Guest called", by: "ben") // listed before it
        fixture.model.bookingsChanged()
        #expect(fixture.model.state.today.all[fixture.model.state.today.selected].id == second.id)
    }

    /// F10 and Ctrl-Q quit from a form or a one-line prompt too (the edit form, a room typed on
    /// the plan), as everywhere else.
    @Test func quitWorksFromTheEditFormAndThePlansPrompt() throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-27")
        fixture.press(.function(4))
        fixture.press(.alt("e"))
        #expect(fixture.model.state.today.actions.editing != nil)
        #expect(fixture.model.handle(.function(10)) == .quit)
        #expect(fixture.model.handle(.control("q")) == .quit)
        fixture.press(.escape) // the form closed (F-keys of screens do nothing in it; "2" would be its text)
        fixture.press(.function(6), .character("2"))
        #expect(fixture.model.state.screen == .roomPlan)
        #expect(fixture.model.handle(.function(10)) == .quit)
    }

    /// Today's sections at 80x24 with every one of them full (8 arriving, 3 leaving, 2 staying
    /// on, 4 due for a no-show): each is drawn, with at least its chosen row, so no guest a key
    /// reaches is off the screen (the fourth section was left off before, Alt-n still reaching it).
    @Test func todaysSectionsAllFitWhateverTheirLength() {
        let counts = [8, 3, 2, 4]
        for height in [24, 30, 40] {
            for chosen in counts.indices {
                let rows = DeskModel.todayRows(counts: counts, selectedSection: chosen, height: height)
                #expect(rows.allSatisfy { $0 != nil && $0! >= 1 }, "\(height): \(rows)")
                // Title, header, rows and a blank line each, above the screen's four foot lines.
                #expect(4 + rows.compactMap { $0 }.map { 3 + max($0, 1) }.reduce(0, +) <= height - 3, "\(height): \(rows)")
            }
        }
        // Room to spare goes to the chosen section first, then a row each in turn, to the last row
        // (one stayed empty: [2, 2, 2, 4]).
        #expect(DeskModel.todayRows(counts: counts, selectedSection: 3, height: 30) == [3, 2, 2, 4].map { Optional($0) })
        // Too low for all: the sections around the chosen one, which is always among them.
        let low = DeskModel.todayRows(counts: counts, selectedSection: 3, height: 17)
        #expect(low[3] != nil && low.contains { $0 == nil }, "\(low)")
        // Room for all as they come: drawn top down as before.
        #expect(DeskModel.todayRows(counts: [2, 1, 0], selectedSection: 0, height: 24) == [2, 1, 0].map { Optional($0) })
        // A tall screen with one long section: the rows the short ones leave are used, down to
        // the foot lines (25 of 100 arrivals were shown at 60 rows, ten rows left empty below).
        let tall = DeskModel.todayRows(counts: [100, 2, 3, 0], selectedSection: 0, height: 60)
        #expect(tall == [35, 2, 3, 0].map { Optional($0) }, "\(tall)")
        let lastLine: Int = tall.compactMap { $0 }.reduce(4) { $0 + 3 + max($1, 1) }
        #expect(lastLine == 60 - 3)
        // The chosen section gets them first.
        #expect(DeskModel.todayRows(counts: [100, 40, 3, 0], selectedSection: 1, height: 60) == [25, 12, 3, 0].map { Optional($0) })
    }

    /// Five Today sections at 80x24 (arrivals, departures, staying on, overstayed, due for a
    /// no-show): the arrivals were left off, the overstayed said "1 of 2 shown" with rows below
    /// left empty, and their long title pushed that count off the line. Every section shows its
    /// title and a row (the blank rows between sections give way), every row down to the foot
    /// is used, and a cut section says how many it holds, its title said shorter if need be.
    @Test func fiveTodaySectionsAllShowAt80x24AndACutOneSaysHowManyItHolds() throws {
        var fixture = try ScreenFixture()
        try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-27")
        _ = try fixture.desk.checkedIn(daysAgo: 2, room: "103", from: "2026-11-24", to: "2026-11-26", name: "Dora Departing")
        _ = try fixture.desk.checkedIn(daysAgo: 1, room: "104", from: "2026-11-25", to: "2026-11-28", name: "Stan Staying")
        _ = try fixture.desk.checkedIn(daysAgo: 6, room: "201", from: "2026-11-20", to: "2026-11-23", name: "Otto Overstay")
        _ = try fixture.desk.checkedIn(daysAgo: 5, room: "202", from: "2026-11-21", to: "2026-11-24", name: "Olga Overstay")
        let yesterday = try fixture.desk.earlierStore(daysAgo: 1)
        let held = try yesterday.reserve(fixture.desk.form(room: "401", from: "2026-11-25", to: "2026-11-27", name: "Nora Noshow"),
                                         by: "anna")
        _ = try yesterday.confirm(held.confirmationCode, by: "anna")
        fixture.press(.function(4))
        let today = fixture.model.state.today
        let counts: [Int] = [today.arrivals.count, today.departures.count, today.inHouse.count, today.overdueDepartures.count,
                             today.dueForNoShow.count]
        try #require(counts == [2, 1, 1, 2, 1])

        var screen = fixture.screen(80, 24)
        var lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for title in [" Arrivals", " Departures", " Staying on", " Overstayed", " Due for a no-show"] {
            #expect(lines.contains { $0.hasPrefix(title) }, "\(title): \(screen)")
        }
        for guest in ["Dora Departing", "Stan Staying", "Otto Overstay", "Nora Noshow"] {
            #expect(screen.contains(guest), "\(guest): \(screen)")
        }
        // The chosen row's section (the arrivals) has the one row to spare; the overstayed, cut,
        // say so in full, under a shorter title, within the line.
        let overstayed = try #require(lines.first { $0.hasPrefix(" Overstayed") }, "\(screen)")
        #expect(overstayed.hasSuffix(" · 1 of 2 shown (↑/↓)") && TerminalWidth.of(overstayed) <= 79, "\(overstayed)")
        #expect(!screen.contains("Olga Overstay"), "\(screen)")
        // No blank row from the first section's title to the last section's last row, the fifth
        // row from the bottom.
        #expect(lines[4...19].allSatisfy { !$0.isEmpty } && lines[19].contains("Nora Noshow"), "\(screen)")
        // Wide enough, the title is said in full beside the count.
        #expect(fixture.screen(120, 24).contains(
            " Overstayed: still checked in, due out before today (Alt-o, or change the stay) · 1 of 2 shown (↑/↓)"))

        // On Otto (↓ past two arrivals, the departure and the guest staying on): the overstayed
        // section shows both, and the arrivals say one of two.
        fixture.press(.down, .down, .down, .down)
        #expect(fixture.model.state.today.all[fixture.model.state.today.selected].guest.name == "Otto Overstay")
        screen = fixture.screen(80, 24)
        lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(screen.contains("Olga Overstay") && screen.contains("Nora Noshow"), "\(screen)")
        #expect(lines.contains { $0.hasPrefix(" Arrivals · 1 of 2 shown (↑/↓)") }, "\(screen)")
    }

    /// A guest moved away and back: on the same day the stay was never split; on another day the
    /// plan draws each run of nights in its room, the first room's earlier nights included.
    @Test func aGuestMovedBackToTheFirstRoomIsDrawnWhereEachNightWasSlept() throws {
        let fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-30")
        _ = try fixture.desk.store.checkIn(booking.confirmationCode, by: "anna")
        let tomorrow = try FrontDeskStore(path: fixture.desk.store.path, businessDate: CalendarDate(iso: "2026-11-27")!)
        func parts() throws -> [String] {
            let plan = try tomorrow.roomPlan(from: CalendarDate(iso: "2026-11-25")!, nights: 7)
            let number = Dictionary(uniqueKeysWithValues: plan.lines.map { ($0.room.id, $0.room.number) })
            return plan.staysByRoom.values.joined().filter { $0.confirmationCode == booking.confirmationCode }
                .map { "\(number[$0.roomId]!):\($0.stay.checkIn)-\($0.stay.checkOut)" }.sorted()
        }
        _ = try tomorrow.move(booking.confirmationCode, toRoom: "103", reason: "Heater", reprice: false, ChangeRequest(user: "anna"))
        let back = try tomorrow.move(booking.confirmationCode, toRoom: "101", reason: "Wrong room", reprice: false, ChangeRequest(user: "anna"))
        #expect(back.roomSince == nil)
        #expect(try parts() == ["101:2026-11-26-2026-11-30"])

        _ = try tomorrow.move(booking.confirmationCode, toRoom: "103", reason: "Heater", reprice: false, ChangeRequest(user: "anna"))
        let dayAfter = try FrontDeskStore(path: fixture.desk.store.path, businessDate: CalendarDate(iso: "2026-11-28")!)
        let again = try dayAfter.move(booking.confirmationCode, toRoom: "101", reason: "Heater fixed", reprice: false, ChangeRequest(user: "anna"))
        #expect(again.roomSince?.iso == "2026-11-28")
        #expect(try parts() == ["101:2026-11-26-2026-11-27", "101:2026-11-28-2026-11-30", "103:2026-11-27-2026-11-28"])
    }

    /// A guest in house moved on their second day: the plan draws the first night in the old room
    /// and the rest in the new one (recomputed from the room-nights independently).
    @Test func theRoomPlanShowsAStaySplitByAMove() throws {
        let fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        _ = try fixture.desk.store.checkIn(booking.confirmationCode, by: "anna")
        let tomorrow = try FrontDeskStore(path: fixture.desk.store.path, businessDate: CalendarDate(iso: "2026-11-27")!)
        let moved = try tomorrow.move(booking.confirmationCode, toRoom: "103", reason: "Heater", reprice: false,
                                      ChangeRequest(user: "anna"))
        #expect(moved.roomSince?.iso == "2026-11-27")
        let plan = try tomorrow.roomPlan(from: CalendarDate(iso: "2026-11-25")!, nights: 7)
        let number = Dictionary(uniqueKeysWithValues: plan.lines.map { ($0.room.id, $0.room.number) })
        let parts = plan.staysByRoom.values.joined().filter { $0.confirmationCode == booking.confirmationCode }
            .map { "\(number[$0.roomId]!):\($0.stay.checkIn)-\($0.stay.checkOut)" }.sorted()
        #expect(parts == ["101:2026-11-26-2026-11-27", "103:2026-11-27-2026-11-29"])
        // A no-show is drawn on its first night only (the one still sold); the rest is free.
        let absent = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-29")
        _ = try tomorrow.markNoShow(absent.confirmationCode, ChangeRequest(user: "anna"))
        let after = try tomorrow.roomPlan(from: CalendarDate(iso: "2026-11-25")!, nights: 7)
        let bars = after.staysByRoom.values.joined().filter { $0.confirmationCode == absent.confirmationCode }
            .map { "\(number[$0.roomId]!):\($0.stay.checkIn)-\($0.stay.checkOut):\($0.status.rawValue)" }
        #expect(bars == ["102:2026-11-26-2026-11-27:NoShow"])
        // Occupancy counts each night once, in the room that holds it (and the no-show's first night).
        let report = try tomorrow.occupancyReport(from: CalendarDate(iso: "2026-11-26")!, through: CalendarDate(iso: "2026-11-28")!)
        #expect(report.days.map(\.roomsSold) == [2, 1, 1])
    }

    /// A guest moved with no notes: the detail line under the bookings list ended in a stray " ·"
    /// ("Moved to room 103 from 2026-11-26 ·"); with a note, the two are joined by one.
    @Test func aMovedBookingsDetailLineEndsWithoutAStraySeparator() throws {
        var fixture = try ScreenFixture()
        let guest = try fixture.desk.checkedIn(daysAgo: 1, room: "101", from: "2026-11-25", to: "2026-11-28", name: "Mia Moved")
        _ = try fixture.desk.store.move(guest.confirmationCode, toRoom: "103", reason: nil, reprice: false, ChangeRequest(user: "anna"))
        fixture.press(.function(3))
        fixture.type(guest.confirmationCode)
        fixture.press(.down)
        var line = try #require(fixture.screen(160, 30).split(separator: "\n").first { $0.contains("Moved to room") })
        #expect(line.trimmingCharacters(in: .whitespaces) == "Moved to room 103 from 2026-11-26", "\(line)")
        _ = try fixture.desk.store.changeBooking(guest.confirmationCode, BookingEdit(note: "Quiet room"), ChangeRequest(user: "anna"), operationId: nil)
        fixture.model.bookingsChanged()
        line = try #require(fixture.screen(160, 30).split(separator: "\n").first { $0.contains("Moved to room") })
        #expect(line.trimmingCharacters(in: .whitespaces) == "Moved to room 103 from 2026-11-26 · Notes: Quiet room", "\(line)")
    }

    /// The highlight stays on its room when a room is added above it: Alt-x then names that room
    /// (it once moved onto the next row's room).
    @Test func theChosenRoomStaysChosenWhenARoomIsAddedAboveIt() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(5))
        let line = try #require(fixture.model.state.rooms.rows.firstIndex { $0.room.number == "104" })
        for _ in 0..<line { fixture.press(.down) }
        fixture.press(.alt("n"))
        fixture.type("100")
        fixture.press(.enter)
        #expect(fixture.model.state.rooms.rows.contains { $0.room.number == "100" })
        fixture.press(.alt("x"))
        let question = fixture.model.state.rooms.serviceQuestion?.confirmation.lines.first ?? ""
        #expect(question.hasPrefix("Take room 104 "), "\(question)")
    }

    /// Taking a room out of service is refused while it has bookings; the desk offers to move them.
    @Test func aRoomGoingOutOfServiceOffersToMoveItsBookings() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "104", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(5))
        let line = try #require(fixture.model.state.rooms.rows.firstIndex { $0.room.number == "104" })
        for _ in 0..<line { fixture.press(.down) }
        fixture.press(.alt("x"), .right, .enter)
        var screen = fixture.screen(120, 30)
        #expect(screen.contains(" Enter: move \(booking.confirmationCode) · Room 104 has bookings"), "\(screen)")
        #expect(screen.contains("move or cancel them first"), "\(screen)")
        // Only as the next key: after another, Enter no longer moves that room's guest.
        fixture.press(.down, .enter)
        #expect(fixture.model.state.screen == .rooms)
        fixture.press(.up, .alt("x"), .right, .enter)
        #expect(fixture.model.state.rooms.toMove == [booking.confirmationCode])
        fixture.press(.enter)
        #expect(fixture.model.state.screen == .bookings)
        #expect(fixture.screen().contains("Move Zoë Ångström (\(booking.confirmationCode), room 104) to room"))
        fixture.type("103")
        fixture.press(.enter, .right, .enter)
        #expect(try fixture.desk.store.booking(booking.confirmationCode).roomNumber == "103")
        // Now the room can go.
        fixture.press(.function(5), .alt("x"), .right, .enter)
        screen = fixture.screen(120, 30)
        #expect(screen.contains("Room 104 is out of service"), "\(screen)")
    }
}
