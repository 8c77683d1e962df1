import FrontDeskDomain
import FrontDeskScreens
import Testing

/// Issue 10: bytes from the terminal to keys (a pure function), and a batch's resize applied
/// before the keys after it.
@Suite struct TerminalInputTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
    static let esc = "\u{1B}"

    @Test func escFollowedAtOnceByAnF5SequenceIsEscThenF5() {
        // As the terminal sends Esc then F5, read in one go.
        #expect(KeyDecoder.decode(bytes: Self.bytes("\(Self.esc)\(Self.esc)[15~")) == [.key(.escape), .key(.function(5))])
        // As ncurses hands it over when it decoded the sequence itself: the F5 is not swallowed.
        #expect(KeyDecoder.decode([.scalar(27), .key(.function(5))]) == [.key(.escape), .key(.function(5))])
        // Esc then F10, the keys the tmux test sends together.
        #expect(KeyDecoder.decode(bytes: Self.bytes("\(Self.esc)\(Self.esc)[21~")) == [.key(.escape), .key(.function(10))])
    }

    @Test func sequencesAltKeysAndPlainKeys() {
        let cases: [(String, [TerminalInput])] = [
            ("\(Self.esc)", [.key(.escape)]),
            ("\(Self.esc)\(Self.esc)", [.key(.escape), .key(.escape)]),
            ("\(Self.esc)i", [.key(.alt("i"))]),
            ("\(Self.esc)\(Self.esc)i", [.key(.escape), .key(.alt("i"))]),
            ("\(Self.esc)[", [.key(.alt("["))]),
            ("\(Self.esc)[A\(Self.esc)[B\(Self.esc)OC\(Self.esc)OD", [.key(.up), .key(.down), .key(.right), .key(.left)]),
            ("\(Self.esc)[1;5A", [.key(.up)]),
            ("\(Self.esc)OP\(Self.esc)[12~\(Self.esc)[[C", [.key(.function(1)), .key(.function(2)), .key(.function(3))]),
            ("\(Self.esc)[5~\(Self.esc)[6~\(Self.esc)[H\(Self.esc)[4~\(Self.esc)[Z\(Self.esc)[3~",
             [.key(.pageUp), .key(.pageDown), .key(.home), .key(.end), .key(.backTab), .key(.delete)]),
            // An unknown sequence is dropped whole, not typed; what follows is read on.
            ("\(Self.esc)[99~ab", [.key(.character("a")), .key(.character("b"))]),
            ("\(Self.esc)O", [.key(.alt("O"))]),
            ("\(Self.esc)Ox", [.key(.alt("O")), .key(.character("x"))]),
            ("a\t\r\u{7F}\u{11}", [.key(.character("a")), .key(.tab), .key(.enter), .key(.backspace), .key(.control("q"))]),
        ]
        for (text, expected) in cases {
            #expect(KeyDecoder.decode(bytes: Self.bytes(text)) == expected, "\(text.debugDescription)")
        }
        // Esc before a resize is Esc; text outside ASCII is text.
        #expect(KeyDecoder.decode([.scalar(27), .resize(width: 90, height: 30), .scalar(0xE9)])
                == [.key(.escape), .resize(width: 90, height: 30), .key(.character("é"))])
    }

    /// Bracketed paste: the terminal's brackets are keys of their own, the text between them read
    /// as typed (the model makes its line breaks spaces).
    @Test func theBracketsAroundPastedTextAreKeysOfTheirOwn() {
        #expect(KeyDecoder.decode(bytes: Self.bytes("\(Self.esc)[200~Jo\rA\(Self.esc)[201~")) ==
                [.key(.pasteBegin), .key(.character("J")), .key(.character("o")), .key(.enter), .key(.character("A")), .key(.pasteEnd)])
    }

    /// The keys after a resize in the same batch meet the new size: below 80x24 only quit works.
    @Test func aResizeInABatchAppliesToTheKeysAfterItNotBeforeIt() throws {
        var fixture = try DeskSafetyTests.deskWithWork()
        fixture.model.setViewSize(width: 80, height: 24)
        fixture.press(.function(4))
        let before = try DeskSafetyTests.fingerprint(fixture)
        let (outcome, resized) = fixture.model.handle([.resize(width: 60, height: 20), .key(.alt("i")), .key(.right), .key(.enter)])
        #expect(outcome == .keepGoing && resized)
        #expect(fixture.model.state.today.actions.confirmation == nil)
        #expect(try DeskSafetyTests.fingerprint(fixture) == before)
        #expect(fixture.model.handle([.resize(width: 60, height: 20), .key(.function(10))]).outcome == .quit)

        // Grown back: the key after the resize acts; a key before a shrink acted at the old size.
        _ = fixture.model.handle([.resize(width: 100, height: 30), .key(.function(3))])
        #expect(fixture.model.state.screen == .bookings)
        _ = fixture.model.handle([.key(.function(4)), .resize(width: 70, height: 20), .key(.function(3))])
        #expect(fixture.model.state.screen == .today)
        #expect(fixture.model.handle([]).resized == false)
    }
}
