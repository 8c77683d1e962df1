import Foundation
import FrontDeskScreens
import Testing

/// Cell widths as the terminal counts them: glibc's wcwidth, over every code point.
@Suite struct TerminalWidthTests {
    /// A family emoji or a flag given whole to a cell was refused by ncurses (one spacing
    /// character a cell): the cell stayed unpainted and the row garbled after an overlay. A cell
    /// gets the first character and its marks; the width, and so the layout, stay the grapheme's.
    @Test func aCellHoldsOneCharacterAndItsMarks() {
        let family = "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}"
        #expect(TerminalWidth.cellText(family) == "\u{1F468}")
        #expect(TerminalWidth.of(Character(family)) == TerminalWidth.of(Character(TerminalWidth.cellText(family))))
        #expect(TerminalWidth.cellText("\u{1F1EF}\u{1F1F5}") == "\u{1F1EF}")
        #expect(TerminalWidth.cellText("e\u{301}") == "e\u{301}", "an accent stays with its letter")
        #expect(TerminalWidth.cellText("\u{2764}\u{FE0F}") == "\u{2764}\u{FE0F}", "emoji presentation stays")
        #expect(TerminalWidth.cellText("a" + String(repeating: "\u{301}", count: 9)).unicodeScalars.count == 5)
        #expect(TerminalWidth.cellText("山") == "山" && TerminalWidth.cellText("") == "")
    }

    /// glibc's wcwidth (Swift's Glibc module does not import it: it sits behind _XOPEN_SOURCE).
    typealias WidthFunction = @convention(c) (Int32) -> Int32

    @Test func everyCodePointTakesTheCellsWcwidthGivesIt() throws {
        try #require(setlocale(LC_ALL, "C.UTF-8") != nil)
        let symbol = try #require(dlsym(dlopen(nil, RTLD_NOW), "wcwidth"))
        let wcwidth = unsafeBitCast(symbol, to: WidthFunction.self)
        var disagreements: [String] = []
        var compared = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue } // surrogates
            let expected = wcwidth(Int32(bitPattern: value))
            // -1: control characters and code points this glibc does not know (documented in
            // TerminalWidth: controls count one cell, newer characters go by their properties).
            if expected == -1 { continue }
            compared += 1
            let width = TerminalWidth.of(scalar)
            if width != Int(expected) { disagreements.append(String(format: "U+%04X: %d, wcwidth %d", value, width, expected)) }
        }
        #expect(compared > 280_000)
        #expect(disagreements.isEmpty, "\(disagreements.count) disagree, first: \(disagreements.prefix(20))")
    }

    @Test func variationSelector16MakesThePreviousCharacterWide() {
        #expect(TerminalWidth.of("❤") == 1)
        #expect(TerminalWidth.of("❤\u{FE0F}") == 2)
        #expect(TerminalWidth.of("☺\u{FE0F} ok") == 5)
        #expect(TerminalWidth.of("1\u{FE0F}\u{20E3}") == 2)
    }

    @Test func emojiOutsideTheOldTwoRangesAreWide() {
        // 🚀 U+1F680, 🛏 + VS16, 🥐 U+1F950, 🪑 U+1FA91, 🫠 U+1FAE0, and Unicode 15's 🛜 U+1F6DC and 🩷 U+1FA77.
        for emoji in ["🚀", "🛏\u{FE0F}", "🥐", "🪑", "🫠", "\u{1F6DC}", "\u{1FA77}", "👩‍👩‍👧"] {
            #expect(TerminalWidth.of(emoji) == 2, "\(emoji.unicodeScalars.map { String($0.value, radix: 16) })")
        }
        #expect(TerminalWidth.of("Zoë Ångström") == 12)
        #expect(TerminalWidth.of("山田太郎") == 8)
    }
}
