import Foundation
import FrontDeskDomain
import Testing

/// The pieces of text handling rewritten for start-up speed (issue 10) answer as before.
@Suite struct StartupTextTests {
    /// `trimmingWhitespace()` trims exactly the scalars `CharacterSet.whitespaces` holds.
    @Test func trimmingWhitespaceTrimsWhatFoundationTrims() {
        var differences: [String] = []
        for value in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = String(scalar) + "a" + String(scalar)
            let foundation = text.trimmingCharacters(in: .whitespaces)
            if text.trimmingWhitespace() != foundation { differences.append(String(value, radix: 16)) }
        }
        #expect(differences.isEmpty, "differ at U+\(differences.prefix(10))")
        for text in ["", " ", "\t \u{3000}", "  Ann Lee \t", "\u{00A0}x\u{2009}", " e\u{301} ", "a b", "\n a \n"] {
            #expect(text.trimmingWhitespace() == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    /// The JSON writer's bytes: escapes, nesting, indentation, empty containers.
    @Test func jsonIsWrittenAsBefore() {
        let value = JSONValue.object([
            ("name", .string("Zoë \"Z\" \\ Ångström\n\t\u{1B}[31m\u{7F}\u{85}\u{2028}")),
            ("rooms", .array([.int(1), .number("129.00"), .null, .bool(true), .bool(false)])),
            ("empty", .array([])), ("none", .object([])),
            ("nested", .object([("a", .array([.object([("b", .string("c"))])]))])),
        ])
        #expect(value.rendered() == #"{"name":"Zoë \"Z\" \\ Ångström\n\t\u001b[31m\u007f\u0085\u2028","rooms":[1,129.00,null,true,false],"empty":[],"none":{},"nested":{"a":[{"b":"c"}]}}"#)
        #expect(value.rendered(pretty: true) == """
            {
              "name": "Zoë \\"Z\\" \\\\ Ångström\\n\\t\\u001b[31m\\u007f\\u0085\\u2028",
              "rooms": [
                1,
                129.00,
                null,
                true,
                false
              ],
              "empty": [],
              "none": {},
              "nested": {
                "a": [
                  {
                    "b": "c"
                  }
                ]
              }
            }
            """)
    }

    /// Codes are drawn as before: the same seed gives the same codes.
    @Test func confirmationCodesAreDrawnAsBefore() {
        var generator = SeededGenerator(seed: 42), before = SeededGenerator(seed: 42)
        for _ in 0..<200 {
            let code = ConfirmationCode.make(using: &generator)
            let characters = (0..<6).map { _ in ConfirmationCode.alphabet.randomElement(using: &before)! }
            #expect(code == String(characters[0..<3]) + "-" + String(characters[3..<6]))
            #expect(ConfirmationCode.normalized(code) == code)
        }
    }
}
