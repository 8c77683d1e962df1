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
        for command in CommandTable.all { #expect(fixture.screen().contains(command.description)) }
    }

    @Test func theBookingFormAt80x24() throws {
        #expect(try Self.bookingWithAProblem().screen(80, 24) == Self.booking80)
    }

    @Test func theBookingFormAt120x40() throws {
        #expect(try Self.bookingWithAProblem().screen(120, 40) == Self.booking120)
    }

    static let search80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Search rooms

         Check-in 2026-11-26▏   Nights 1     Guests 1     → check-out 2026-11-27

         9 rooms free for 1 guest, 1 night, prices in EUR
         Room   Type                                    Sleeps   Per night        Total
         301    Single                                       1       48.00        48.00
         101    Double                                       2       80.00        80.00
         102    Double                                       2       80.00        80.00
         103    Double                                       2       80.00        80.00
         104    Double                                       2       80.00        80.00
         401    和室 Washitsu                                2      120.00       120.00
         402    Chambre Élégance                             2      140.00       140.00
         201    Family                                       4      160.00       160.00
         202    Family                                       4      160.00       160.00







         F1 Help  F2 Search  F10 Quit  Tab Next  ↓ Choose  Enter Book
        """

    static let search120 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                  09:30
         Search rooms

         Check-in 2026-11-26    Nights 2     Guests 2     → check-out 2026-11-28

         8 rooms free for 2 guests, 2 nights, prices in EUR
         Room   Type                                                                            Sleeps   Per night        Total
         101    Double                                                                               2       80.00       160.00
         102    Double                                                                               2       80.00       160.00
         103    Double                                                                               2       80.00       160.00
         104    Double                                                                               2       80.00       160.00
         401    和室 Washitsu                                                                        2      120.00       240.00
         402    Chambre Élégance                                                                     2      140.00       280.00
         201    Family                                                                               4      160.00       320.00
         202    Family                                                                               4      160.00       320.00
























         F1 Help  F2 Search  F10 Quit  Tab Next  ↓ Choose  Enter Book  q Quit
        """

    static let help80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Search rooms
           ┌─ Keys (Esc closes) ────────────────────────────────────────────────────┐
         Ch│                                                                        │
           │ F1, ?         Show every key and what it does                          │
         8 │ F2, Alt-s     Go to the room search (the last search is kept)          │
         Ro│ Esc           Close the overlay or go back                             │al
         10│ F10, Ctrl-Q   Quit Front Desk (q also quits from a screen's top level) │00
         10│ Tab           Next field                                               │00
         10│ Shift-Tab     Previous field                                           │00
         10│ ↑             Previous room in the results                             │00
         40│ ↓             Next room in the results                                 │00
         40│ PgUp          A page of rooms up                                       │00
         20│ PgDn          A page of rooms down                                     │00
         20│ Enter         Book the chosen room (opens the booking form)            │00
           │ Tab, ↓        Next field of the booking                                │
           │ Shift-Tab, ↑  Previous field of the booking                            │
           │ Space, ←, →   On the payment field: switch between desk and card       │
           │ Enter, F9     Take the booking: hold the room, take payment, confirm   │
           │                                                                        │
           └────────────────────────────────────────────────────────────────────────┘


         F1 Help  F2 Search  F10 Quit  Tab Next  ↓ Choose  Enter Book  q Quit
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







         F1 Help  F2 Search  F10 Quit  Tab Next  Enter Book
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























         F1 Help  F2 Search  F10 Quit  Tab Next  Enter Book
        """
}
