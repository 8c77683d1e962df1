import FrontDeskDomain
import FrontDeskScreens
import Testing

@Suite struct SearchFlowTests {
    @Test func lettersInTheNightsFieldAreShownAsAProblemAndKeptForCorrection() throws {
        var fixture = try ScreenFixture()
        fixture.press(.tab, .backspace)
        fixture.type("two")
        #expect(fixture.model.state.search.nights == "two")
        #expect(fixture.model.state.search.problems == ["Nights must be a number from 1 to 30"])
        #expect(fixture.screen().contains("! Nights must be a number from 1 to 30"))
        #expect(fixture.model.state.search.answer == nil)
        fixture.press(.backspace, .backspace, .backspace)
        fixture.type("3")
        #expect(fixture.model.state.search.problems.isEmpty)
        #expect(fixture.model.state.search.answer?.query.stay.nightCount == 3)
    }

    /// A list searched again (a booking made at another desk) keeps the highlight on the chosen
    /// room, not on its row; when that room itself is taken, the screen says so.
    @Test func theHighlightStaysOnTheChosenRoomWhenTheListIsSearchedAgain() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .down, .down)
        let offers = try #require(fixture.model.state.search.answer?.offers)
        #expect(fixture.model.state.search.selected == 2)
        let (earlier, chosen) = (offers[0].room, offers[2].room)
        try fixture.desk.book(room: earlier.number, from: "2026-11-26", to: "2026-11-27", guests: "1")
        fixture.model.bookingsChanged()
        let after = try #require(fixture.model.state.search.answer)
        #expect(!after.offers.contains { $0.room.id == earlier.id })
        #expect(after.offers[fixture.model.state.search.selected].room.id == chosen.id)
        #expect(fixture.model.state.search.taken == nil)

        try fixture.desk.book(room: chosen.number, from: "2026-11-26", to: "2026-11-27", guests: "1")
        fixture.model.bookingsChanged()
        #expect(fixture.screen().contains("room \(chosen.number) was just taken"))
        fixture.press(.down)
        #expect(!fixture.screen().contains("was just taken"))
    }

    @Test func everyProblemOfTheSearchIsShownAtOnce() throws {
        var fixture = try ScreenFixture()
        for _ in 0..<10 { fixture.press(.backspace) }
        fixture.type("2026-11-2x")
        fixture.press(.tab, .tab, .backspace)
        fixture.type("0")
        let screen = fixture.screen()
        #expect(screen.contains("! Check-in date '2026-11-2x' is not a date (use YYYY-MM-DD)"))
        #expect(screen.contains("! Guest count must be between 1 and 10"))
    }

    @Test func aLongPasteIsKeptUpToTheFieldLimitAndDrawnWithoutBreakingTheRow() throws {
        var fixture = try ScreenFixture()
        fixture.type(String(repeating: "9", count: 500))
        #expect(fixture.model.state.search.checkIn.count == 40) // the first 9 replaced the date; 40 at most
        let line = fixture.model.render(width: 80, height: 24).lines[3]
        #expect(line.contains("Nights"))
    }

    @Test func qIsTextInAFieldAndNothingInTheResultsOnlyF10AndCtrlQQuit() throws {
        var fixture = try ScreenFixture()
        fixture.press(.tab, .right)
        #expect(fixture.model.handle(.character("q")) == .keepGoing)
        #expect(fixture.model.state.search.nights == "1q")
        fixture.press(.backspace, .down)
        #expect(fixture.model.state.search.focus == .results)
        #expect(fixture.model.handle(.character("q")) == .keepGoing)
        #expect(fixture.model.handle(.control("q")) == .quit)
        #expect(fixture.model.handle(.function(10)) == .quit)
    }

    @Test func theSelectionMovesWithinTheResults() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down)
        #expect(fixture.model.state.search.selected == 0)
        fixture.press(.down, .down, .pageDown)
        #expect(fixture.model.state.search.selected == fixture.model.state.search.answer!.offers.count - 1)
        fixture.press(.up)
        #expect(fixture.model.state.search.selected == fixture.model.state.search.answer!.offers.count - 2)
        fixture.press(.escape)
        #expect(fixture.model.state.search.focus == .checkIn)
    }

    @Test func resultsFollowBookingsMadeElsewhere() throws {
        var fixture = try ScreenFixture()
        #expect(fixture.model.state.search.answer?.offers.contains { $0.room.number == "301" } == true)
        try fixture.desk.book(room: "301", from: "2026-11-26", to: "2026-11-27", guests: "1")
        fixture.model.availabilityChanged()
        #expect(fixture.model.state.search.answer?.offers.contains { $0.room.number == "301" } == false)
    }

    @Test func aTerminalTooSmallSaysSoInsteadOfDrawing() throws {
        let fixture = try ScreenFixture()
        let lines = fixture.model.render(width: 60, height: 20).lines
        #expect(lines[10].trimmingCharacters(in: .whitespaces) == "Terminal too small: 60x20, need 80x24")
        #expect(lines.filter { !$0.isEmpty }.count == 1)
    }

    @Test func theFooterShowsTheKeysOfThisScreenFromTheTableTheScreensOwnFirst() throws {
        let fixture = try ScreenFixture()
        let wide = fixture.screen(120, 40).split(separator: "\n").last!
        for command in CommandTable.footer(for: .search) {
            #expect(wide.contains("\(command.keys[0]) \(command.label)"))
        }
        // At 80 columns the screen's own keys come first and are never the ones cut.
        let narrow = fixture.screen(80, 24).split(separator: "\n").last!
        for command in CommandTable.footer(for: .search) where command.scope == .search {
            #expect(narrow.contains("\(command.keys[0]) \(command.label)"))
        }
    }
}

@Suite struct CellBufferTests {
    @Test func doubleWidthCharactersTakeTwoCells() {
        var buffer = CellBuffer(width: 10, height: 1)
        #expect(buffer.put("山田太郎", x: 0, y: 0) == 8)
        #expect(buffer[1, 0].isContinuation)
        #expect(buffer.lines == ["山田太郎"])
    }

    @Test func aWideCharacterThatWouldStraddleTheEdgeBecomesASpace() {
        var buffer = CellBuffer(width: 5, height: 1)
        buffer.put("ab山田", x: 0, y: 0, maxWidth: 5)
        #expect(buffer.lines == ["ab山…"])
        var narrow = CellBuffer(width: 4, height: 1)
        narrow.put("ab山田", x: 0, y: 0)
        #expect(narrow.lines == ["ab …"])
    }

    @Test func overwritingHalfAWideCharacterLeavesNoHalfGlyph() {
        var buffer = CellBuffer(width: 6, height: 1)
        buffer.put("山田", x: 0, y: 0)
        buffer.put("x", x: 1, y: 0)
        #expect(buffer.lines == [" x田"])
        #expect(!buffer[2, 0].isContinuation)
    }

    @Test func accentsAndCombiningMarksTakeOneCell() {
        var buffer = CellBuffer(width: 20, height: 1)
        #expect(buffer.put("Zoë Ångström", x: 0, y: 0) == 12)
        #expect(buffer.put("Zoe\u{0308}", x: 13, y: 0) == 3)
        #expect(buffer.lines == ["Zoë Ångström Zoë"])
    }

    @Test func cutTextEndsInAnEllipsis() {
        var buffer = CellBuffer(width: 20, height: 1)
        buffer.cell("Chambre Élégance", x: 0, y: 0, width: 8)
        #expect(buffer.lines == ["Chambre…"])
    }
}
