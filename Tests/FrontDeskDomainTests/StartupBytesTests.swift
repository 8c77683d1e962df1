import Foundation
import FrontDeskDomain
import Testing

/// The byte paths a command's JSON now takes to standard output (issue 10, session 6) give the
/// bytes the String paths gave.
@Suite struct StartupBytesTests {
    static let texts = [
        "", "no digits here", "Card 4242 4242 4242 4242 declined", "4111-1111-1111-1111",
        #"{"card":"5555555555554444","phone":"+43 664 1234567890"}"#, "Zoë 4242424242424242 Ångström",
        "room 12, 2026-11-26 to 2026-11-29", "4242424242424241", "x4242424242424242", "id 0866ecce-5706-4d9a-8c42-123456789012",
    ]

    /// A card number is masked in bytes exactly as in text; bytes without one come back untouched.
    @Test func redactingBytesMatchesRedactingText() {
        for text in Self.texts {
            let bytes = CardNumber.redacted(utf8: Array(text.utf8))
            #expect(String(decoding: bytes, as: UTF8.self) == CardNumber.redacted(in: text), "\(text.debugDescription)")
        }
        #expect(CardNumber.redacted(utf8: Array("Card 4242 4242 4242 4242".utf8)) == Array("Card •••• 4242".utf8))
        #expect(CardNumber.redacted(utf8: Array("room 12".utf8)) == Array("room 12".utf8))
    }

    /// `renderedUTF8` is the rendered document's bytes, pretty or not, escapes included.
    @Test func renderedBytesAreTheRenderedText() {
        let value = JSONValue.object([
            ("name", .string("Zoë \"Z\" \\ Ångström\n\t\u{1B}[31m\u{7F}\u{85}\u{2028}")), ("short", .string("a\"b")),
            ("rooms", .array([.int(1), .number("129.00"), .null, .bool(true), .string("a long plain text of more than fifteen bytes")])),
        ])
        for pretty in [false, true] {
            #expect(value.renderedUTF8(pretty: pretty) == Array(value.rendered(pretty: pretty).utf8))
        }
        #expect(String(decoding: JSONValue.string("a\"b").renderedUTF8(), as: UTF8.self) == #""a\"b""#)
        #expect(String(decoding: JSONValue.string("Zoë\u{85}").renderedUTF8(), as: UTF8.self) == #""Zoë\u0085""#)
    }
}
