import Foundation
import FrontDeskDomain
import FrontDeskScreens
import Testing

/// Whole screens as text, written out: a change to any screen shows here line by line.
@Suite struct ScreenSnapshotTests {
    /// Two nights for two guests, the second room chosen.
    static func twoNightsForTwo() throws -> ScreenFixture {
        var fixture = try ScreenFixture()
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.down, .down)
        return fixture
    }

    /// The booking form for that room, a double-width name typed, an e-mail half typed, submitted.
    static func bookingWithAProblem() throws -> ScreenFixture {
        var fixture = try twoNightsForTwo()
        fixture.press(.enter)
        fixture.type("山田太郎")
        fixture.press(.tab)
        fixture.type("taro@")
        fixture.press(.enter)
        return fixture
    }

    @Test func theSearchScreenAt80x24() throws {
        #expect(try ScreenFixture().screen(80, 24) == Self.search80)
    }

    @Test func theSearchScreenAt120x40WithARoomChosen() throws {
        let fixture = try Self.twoNightsForTwo()
        #expect(fixture.screen(120, 40) == Self.search120)
        // The chosen room (the second) is drawn as selected, the others not.
        let buffer = fixture.model.render(width: 120, height: 40)
        #expect(buffer[2, 8].role == .selected)
        #expect(buffer[2, 7].role == .normal)
    }

    @Test func theHelpOverlayComesFromTheCommandTable() throws {
        var fixture = try Self.twoNightsForTwo()
        fixture.press(.function(1))
        #expect(fixture.screen(80, 24) == Self.help80)
        for line in HelpOverlay.lines(for: .search) { #expect(fixture.screen().contains(line.description)) }
    }

    /// The background's words (a payment service down, and what to do) are read whole at 80
    /// columns: the label "business date" and the user give way first.
    @Test func theStatusLineKeepsTheBackgroundsWordsWholeAt80Columns() throws {
        var fixture = try ScreenFixture()
        let words = "Payment service unreachable: cards fail now (retry in 30 s) · idle"
        fixture.model.setBackgroundWork(words)
        let line = try #require(fixture.screen().split(separator: "\n").first.map(String.init))
        #expect(line.contains(words), "\(line)")
        #expect(!line.contains("…"), "\(line)")
        // Longer still: the notice, first, stays whole; what follows it is cut.
        fixture.model.setBackgroundWork("Payment service unreachable: cards fail now (retry in 30 s) · 12 bookings in progress")
        let cut = try #require(fixture.screen().split(separator: "\n").first.map(String.init))
        #expect(cut.contains("Payment service unreachable: cards fail now (retry in 30 s)"), "\(cut)")
        // With room to spare, everything as before.
        let wide = try #require(fixture.screen(160, 24).split(separator: "\n").first.map(String.init))
        #expect(wide.contains("business date") && wide.contains("anna"), "\(wide)")
        // Too small: the sizes are shown, whatever the width.
        for width in [30, 20, 10] {
            let small = fixture.model.render(width: width, height: 5).lines.joined()
            #expect((width < 12 || small.contains("\(width)x5")) && small.contains("80x24"), "\(small)")
        }
    }

    /// Control characters in a name (written into the file by hand, or pasted) take one cell
    /// each, as ncurses would draw them two ("^["): the text after them stays in its columns.
    @Test func controlCharactersAreDrawnInOneCell() {
        var buffer = CellBuffer(width: 30, height: 1)
        let used = buffer.put("Evil\u{1B}[31mRed\u{7}Bell\u{7F}|", x: 0, y: 0)
        #expect(buffer.lines[0].hasPrefix("Evil\u{FFFD}[31mRed\u{FFFD}Bell\u{FFFD}|"), "\(buffer.lines[0])")
        #expect(used == 19)
        #expect(!buffer.lines[0].unicodeScalars.contains { $0.properties.generalCategory == .control })
    }

    /// Every screen's keys fit the overlay whole at the smallest size, none cut or dropped, and the
    /// rule's two lines are drawn whole under them: on Today at 80x24 (19 keys) the second line,
    /// how to say yes, was left off. The keys that work everywhere then share rows, each with its
    /// footer word on the row of its keys; at 120x40 every key has its sentence.
    @Test func theHelpOverlayFitsEveryScreenWithTheRuleWhole() throws {
        let scopes: [Scope] = [.search, .booking, .bookings, .today, .rooms, .roomsShown, .roomPlan, .dashboard, .conflicts, .edit, .confirm]
        for size in [(width: 80, height: 24), (width: 120, height: 40)] {
            for scope in scopes {
                var buffer = CellBuffer(width: size.width, height: size.height)
                HelpOverlay.draw(scope: scope, into: &buffer)
                let rows = buffer.lines
                for line in CommandTable.rule {
                    #expect(rows.contains { $0.contains(line) }, "\(scope) at \(size): the rule's line '\(line)' is missing")
                }
                let paired = HelpOverlay.pairsTheKeysOfEverywhere(scope: scope, height: size.height)
                #expect(paired == (scope == .today && size.height == 24), "\(scope) at \(size)")
                for command in CommandTable.all where (command.scope == .everywhere || command.scope == scope) && command.inHelp {
                    let keys = command.helpKeys ?? command.keys.map(\.description).joined(separator: ", ")
                    let words = paired && command.scope == .everywhere ? command.label : command.description
                    #expect(rows.contains { $0.contains(keys) && $0.contains(words) }, "\(scope) at \(size): \(keys) \(words)")
                }
                #expect(!rows.joined().contains("…"), "\(scope) at \(size): something was cut")
            }
        }
    }

    /// F1 on Today at 80x24, with guests on the list: the box, its keys and the rule whole.
    @Test func theHelpOnTodayAt80x24SaysHowToAnswerYes() throws {
        var fixture = try Self.deskWithGuests()
        fixture.press(.function(1))
        let rows = fixture.screen(80, 24).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(rows.count == 24)
        let ruleRow = try #require(rows.firstIndex { $0.contains(CommandTable.rule[0]) }, "\(rows.joined(separator: "\n"))")
        #expect(rows[ruleRow + 1].contains("use F/Alt keys. Changes ask first, on No: → then Enter says yes."),
                "\(rows.joined(separator: "\n"))")
        #expect(rows[(ruleRow + 2)...(ruleRow + 3)].contains { $0.contains("└") }, "the rule is the box's last line")
        // The keys of Today with their sentences, and the screens' keys beside one another.
        #expect(rows.contains { $0.contains("Alt-1, Alt-2, Alt-3") && $0.contains("To the arrivals, departures or staying on") })
        #expect(rows.contains { $0.contains("F1, ?") && $0.contains("Help") && $0.contains("F6, Alt-p") && $0.contains("Plan") },
                "\(rows.joined(separator: "\n"))")
        #expect(rows.contains { $0.contains("Alt-e/m/n/u") }, "\(rows.joined(separator: "\n"))")
        // The footer stays under the box.
        #expect(rows[23].contains("F10 Quit"), "\(rows[23])")
    }

    @Test func theBookingFormAt80x24() throws {
        #expect(try Self.bookingWithAProblem().screen(80, 24) == Self.booking80)
    }

    @Test func theBookingFormAt120x40() throws {
        #expect(try Self.bookingWithAProblem().screen(120, 40) == Self.booking120)
    }

    /// Two arrivals (one already checked in, one guest with a double-width name) and a later stay.
    static func deskWithGuests() throws -> ScreenFixture {
        var fixture = try ScreenFixture()
        try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let held = try fixture.desk.store.reserve(BookingForm(
            roomNumber: "401", checkIn: "2026-11-26", checkOut: "2026-11-27", guests: "2", guestName: "山田太郎",
            email: "taro@example.jp"), by: "anna")
        _ = try fixture.desk.store.confirm(held.confirmationCode, by: "anna")
        try fixture.desk.book(room: "201", from: "2026-12-01", to: "2026-12-03", guests: "3")
        fixture.press(.function(4), .alt("i"), .right, .enter)
        return fixture
    }

    @Test func theTodayScreenAt80x24And120x40() throws {
        let fixture = try Self.deskWithGuests()
        #expect(Self.masked(fixture.screen(80, 24)) == Self.today80)
        #expect(Self.masked(fixture.screen(120, 40)) == Self.today120)
    }

    @Test func theBookingsScreenAt80x24And120x40() throws {
        var fixture = try Self.deskWithGuests()
        fixture.press(.function(3), .down)
        #expect(Self.masked(fixture.screen(80, 24)) == Self.bookings80)
        #expect(Self.masked(fixture.screen(120, 40)) == Self.bookings120)
    }

    @Test func theRoomsScreenAt80x24And120x40() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(5), .down, .down)
        #expect(fixture.screen(80, 24) == Self.rooms80)
        #expect(fixture.screen(120, 40) == Self.rooms120)
    }

    /// Confirmation codes are drawn at random per run of the store's generator: masked to XXX-XXX.
    static func masked(_ screen: String) -> String {
        screen.replacingOccurrences(of: #"\b[A-Z0-9]{3}-[A-Z0-9]{3}\b"#, with: "XXX-XXX", options: .regularExpression)
    }

    static let rooms80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Rooms
         9 rooms, 9 in service · types: Single (1, 60.00), Double (2, 100.00), 和室 Wa…

         Room       Type                        Sleeps   Base price In service
         101        Double                           2       100.00 yes
         102        Double                           2       100.00 yes
         103        Double                           2       100.00 yes
         104        Double                           2       100.00 yes
         201        Family                           4       200.00 yes
         202        Family                           4       200.00 yes
         301        Single                           1        60.00 yes
         401        和室 Washitsu                    2       150.00 yes
         402        Chambre Élégance                 2       175.00 yes









         Alt-n New room  Alt-u Renumber  Alt-x In/out of service  Alt-y New type
        """

    static let rooms120 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                  09:30
         Rooms
         9 rooms, 9 in service · types: Single (1, 60.00), Double (2, 100.00), 和室 Washitsu (2, 150.00), Chambre Élégance (2,…

         Room       Type                                                                Sleeps   Base price In service
         101        Double                                                                   2       100.00 yes
         102        Double                                                                   2       100.00 yes
         103        Double                                                                   2       100.00 yes
         104        Double                                                                   2       100.00 yes
         201        Family                                                                   4       200.00 yes
         202        Family                                                                   4       200.00 yes
         301        Single                                                                   1        60.00 yes
         401        和室 Washitsu                                                            2       150.00 yes
         402        Chambre Élégance                                                         2       175.00 yes

























         Alt-n New room  Alt-u Renumber  Alt-x In/out of service  Alt-y New type  F10 Quit  F1 Help  F2 Search  F3 Bookings
        """

    static let search80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Search rooms

         Check-in 2026-11-26▏   Nights 1     Guests 1     → check-out 2026-11-27

         9 rooms free for 1 guest, 1 night, prices in EUR
         Room       Type                                Sleeps   Avg/night        Total
         301        Single                                   1       48.00        48.00
         101        Double                                   2       80.00        80.00
         102        Double                                   2       80.00        80.00
         103        Double                                   2       80.00        80.00
         104        Double                                   2       80.00        80.00
         401        和室 Washitsu                            2      120.00       120.00
         402        Chambre Élégance                         2      140.00       140.00
         201        Family                                   4      160.00       160.00
         202        Family                                   4      160.00       160.00







         Tab Next  ↓ Choose  Enter Book  F10 Quit  F1 Help  F2 Search  F3 Bookings
        """

    static let search120 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                  09:30
         Search rooms

         Check-in 2026-11-26    Nights 2     Guests 2     → check-out 2026-11-28

         8 rooms free for 2 guests, 2 nights, prices in EUR
         Room       Type                                                                        Sleeps   Avg/night        Total
         101        Double                                                                           2       80.00       160.00
         102        Double                                                                           2       80.00       160.00
         103        Double                                                                           2       80.00       160.00
         104        Double                                                                           2       80.00       160.00
         401        和室 Washitsu                                                                    2      120.00       240.00
         402        Chambre Élégance                                                                 2      140.00       280.00
         201        Family                                                                           4      160.00       320.00
         202        Family                                                                           4      160.00       320.00
























         Tab Next  ↓ Choose  Enter Book  F10 Quit  F1 Help  F2 Search  F3 Bookings  F4 Today  F5 Rooms  F6 Plan  F7 Occupancy
        """

    static let help80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Sea┌─ Keys (Esc closes) ─────────────────────────────────────────────────┐
            │ F1, ?        Show every key and what it does                        │
         Che│ F2, Alt-s    Go to the room search (the last search is kept)        │
            │ F3, Alt-b    Find bookings; cancel, check in or out                 │
         8 r│ F4, Alt-t    Today's arrivals, departures and in-house guests       │
         Roo│ F5, Alt-r    Rooms and types: add, renumber, in/out of service      │otal
         101│ F6, Alt-p    Room plan: rooms by night, every stay as a bar         │0.00
         102│ F7, Alt-d    Occupancy, ADR, RevPAR and pickup; CSV export          │0.00
         103│ Esc          Close the overlay or go back                           │0.00
         104│ F10, Ctrl-Q  Quit; asks first if something typed is unsaved         │0.00
         401│ Tab          Next field                                             │0.00
         402│ Shift-Tab    Previous field                                         │0.00
         201│ ↑            Previous room in the results                           │0.00
         202│ ↓            Next room in the results                               │0.00
            │ PgUp         A page of rooms up                                     │
            │ PgDn         A page of rooms down                                   │
            │ Home, End    First or last room in the results                      │
            │ Enter        Book the chosen room (opens the booking form)          │
            │ Typed text never acts: in lists it goes to the find field; commands │
            │ use F/Alt keys. Changes ask first, on No: → then Enter says yes.    │
            └─────────────────────────────────────────────────────────────────────┘

         Tab Next  ↓ Choose  Enter Book  F10 Quit  F1 Help  F2 Search  F3 Bookings
        """

    static let booking80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         New booking
         Room 102 Double, 2026-11-26 to 2026-11-28 (2 nights), EUR 160.00

         Guest name  山田太郎

         Email       taro@▏
                     ! Valid email address is required
         Phone

         Guests      2

         Payment     (•) desk  ( ) card


         Enter books. Esc goes back to the search and keeps what you typed.







         Tab Next  Enter Book  Alt-n Other room  F10 Quit  F1 Help  F2 Search
        """

    static let booking120 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                  09:30
         New booking
         Room 102 Double, 2026-11-26 to 2026-11-28 (2 nights), EUR 160.00

         Guest name  山田太郎

         Email       taro@▏
                     ! Valid email address is required
         Phone

         Guests      2

         Payment     (•) desk  ( ) card


         Enter books. Esc goes back to the search and keeps what you typed.























         Tab Next  Enter Book  Alt-n Other room  F10 Quit  F1 Help  F2 Search  F3 Bookings  F4 Today  F5 Rooms  F6 Plan
        """

    static let today80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Today, 2026-11-26
         2 arriving · 0 leaving · 1 in house tonight (0 staying on)
         Find                                 type a name, code or room
         Arrivals
         Code     Status       Room       Arrive      Depart      Guest
         XXX-XXX  CheckedIn    101        2026-11-26  2026-11-28  Zoë Ångström
         XXX-XXX  Confirmed    401        2026-11-26  2026-11-27  山田太郎

         Departures
         Code     Status       Room       Arrive      Depart      Guest
           none

         Staying on
         Code     Status       Room       Arrive      Depart      Guest
           none






         Zoë Ångström checked in (booking XXX-XXX)
         Alt-1 Arr/Dep/In  Alt-i Check in  Alt-o Check out  Alt-c Cancel  F10 Quit
        """

    static let today120 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                  09:30
         Today, 2026-11-26
         2 arriving · 0 leaving · 1 in house tonight (0 staying on)
         Find                                 type a name, code or room
         Arrivals
         Code     Status       Room       Arrive      Depart      Guest
         XXX-XXX  CheckedIn    101        2026-11-26  2026-11-28  Zoë Ångström
         XXX-XXX  Confirmed    401        2026-11-26  2026-11-27  山田太郎

         Departures
         Code     Status       Room       Arrive      Depart      Guest
           none

         Staying on
         Code     Status       Room       Arrive      Depart      Guest
           none






















         Zoë Ångström checked in (booking XXX-XXX)
         Alt-1 Arr/Dep/In  Alt-i Check in  Alt-o Check out  Alt-c Cancel  F10 Quit  F1 Help  F2 Search  F3 Bookings  F4 Today
        """

    static let bookings80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Bookings

         Find                                 code, name, e-mail, dates, status

         3 bookings
         Code     Status       Room       Arrive      Depart      Guest
         XXX-XXX  CheckedIn    101        2026-11-26  2026-11-28  Zoë Ångström
         XXX-XXX  Confirmed    401        2026-11-26  2026-11-27  山田太郎
         XXX-XXX  Confirmed    201        2026-12-01  2026-12-03  Zoë Ångström








         XXX-XXX CheckedIn · room 101 · 2026-11-26 to 2026-11-28 · 2 nights · 2 guests
         Zoë Ångström  <guest@example.com>
         Total EUR 160.00  (80.00, 80.00)  ·  version 4


         Alt-i Check in  Alt-o Check out  Alt-c Cancel  F10 Quit  F1 Help  F2 Search
        """

    static let bookings120 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                  09:30
         Bookings

         Find                                 code, name, e-mail, dates, status

         3 bookings
         Code     Status       Room       Arrive      Depart      Guest
         XXX-XXX  CheckedIn    101        2026-11-26  2026-11-28  Zoë Ångström
         XXX-XXX  Confirmed    401        2026-11-26  2026-11-27  山田太郎
         XXX-XXX  Confirmed    201        2026-12-01  2026-12-03  Zoë Ångström
























         XXX-XXX CheckedIn · room 101 · 2026-11-26 to 2026-11-28 · 2 nights · 2 guests
         Zoë Ångström  <guest@example.com>
         Total EUR 160.00  (80.00, 80.00)  ·  version 4


         Alt-i Check in  Alt-o Check out  Alt-c Cancel  F10 Quit  F1 Help  F2 Search  F3 Bookings  F4 Today  F5 Rooms  F6 Plan
        """
}
