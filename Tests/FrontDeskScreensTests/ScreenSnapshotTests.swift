import FrontDeskDomain
import FrontDeskScreens
import Testing

/// Whole screens as text, written out: a change to any screen shows here line by line.
@Suite struct ScreenSnapshotTests {
    @Test func theSearchScreenAt80x24() throws {
        let fixture = try ScreenFixture()
        #expect(fixture.screen(80, 24) == Self.search80)
    }

    @Test func theSearchScreenAt120x40WithResultsChosen() throws {
        var fixture = try ScreenFixture()
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.down, .down)
        #expect(fixture.screen(120, 40) == Self.search120)
        // The chosen room (the second) is drawn as selected, the others not.
        let buffer = fixture.model.render(width: 120, height: 40)
        #expect(buffer[2, 8].role == .selected)
        #expect(buffer[2, 7].role == .normal)
    }

    @Test func theHelpOverlayComesFromTheCommandTable() throws {
        var fixture = try ScreenFixture()
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.tab, .backspace)
        fixture.type("2")
        fixture.press(.down, .down, .function(1))
        #expect(fixture.screen(80, 24) == Self.help80)
        for command in CommandTable.all { #expect(fixture.screen().contains(command.description)) }
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







         F1 Help  F2 Search  F10 Quit  Tab Next  ↓ Choose
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
























         F1 Help  F2 Search  F10 Quit  Tab Next  ↓ Choose  q Quit
        """

    static let help80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Search rooms

         Check-in 2026-11-26    Nights 2     Guests 2     → check-out 2026-11-28

         8 ┌─ Keys (Esc closes) ───────────────────────────────────────────────────┐
         Ro│                                                                       │tal
         10│ F1, ?        Show every key and what it does                          │.00
         10│ F2, Alt-s    Go to the room search (the last search is kept)          │.00
         10│ Esc          Close the overlay or go back                             │.00
         10│ F10, Ctrl-Q  Quit Front Desk (q also quits from a screen's top level) │.00
         40│ Tab          Next field                                               │.00
         40│ Shift-Tab    Previous field                                           │.00
         20│ ↑            Previous room in the results                             │.00
         20│ ↓            Next room in the results                                 │.00
           │ PgUp         A page of rooms up                                       │
           │ PgDn         A page of rooms down                                     │
           │                                                                       │
           └───────────────────────────────────────────────────────────────────────┘




         F1 Help  F2 Search  F10 Quit  Tab Next  ↓ Choose  q Quit
        """
}
