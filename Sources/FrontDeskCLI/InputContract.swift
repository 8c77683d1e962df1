import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskScreens

/// The command line's input contract: what every command checks before it opens the file, and
/// how a command line the parser refuses is reported (like any other bad input: `validation_failed`, exit 2).
extension FrontDesk {
    /// Help (`--help`, `help CMD`) goes to stdout with exit 0. Any other parser error (unknown
    /// option, missing or unreadable value) is `error: ...` on stderr with the usage, and with
    /// `--json` one error document on stdout; exit 2.
    static func reportParseError(_ error: any Error, json: Bool, hint: String? = nil) -> Never {
        if exitCode(for: error) == .success { exit(withError: error) }
        let message = TextRules.escaped(message(for: error).trimmingCharacters(in: .whitespacesAndNewlines))
        let firstLine = message.components(separatedBy: "\n").first ?? message
        var standardError = FileHandle.standardError
        // The parser's own text starts "Error: <message>"; the rest is usage, kept for people.
        let full = TextRules.escapedKeepingLines(fullMessage(for: error).trimmingCharacters(in: .whitespacesAndNewlines))
        let usage = full.components(separatedBy: "\n").drop { !$0.hasPrefix("Usage:") && !$0.hasPrefix("Help:") }
        print("error: \(firstLine)", to: &standardError)
        if let hint { print("hint: \(TextRules.escaped(hint))", to: &standardError) }
        if !usage.isEmpty { print(usage.joined(separator: "\n"), to: &standardError) }
        if json {
            Output.printJSON(Output.errorDocument(code: "validation_failed", message: firstLine, details: [firstLine]))
        }
        Foundation.exit(Output.exitCode(forCode: "validation_failed"))
    }
}

extension CommonOptions {
    /// `--user` obeys the same text rules as everything the audit trail stores.
    func checkCommonInput() throws {
        if let user, let problem = TextRules.problem(in: user.trimmingWhitespace(), field: "--user",
                                                     maximum: BookingRules.maximumUserLength) {
            throw FrontDeskError.validationFailed([problem])
        }
    }

    /// `FRONTDESK_TODAY`, when set: a strict date within `CalendarDate.supportedRange`.
    static func businessDateOverride(environment: [String: String] = DatabaseLocation.environment(["FRONTDESK_TODAY"])) throws -> CalendarDate? {
        guard let today = environment["FRONTDESK_TODAY"], !today.isEmpty else { return nil }
        guard let date = CalendarDate(iso: today) else {
            throw FrontDeskError.validationFailed(["FRONTDESK_TODAY \(BookingRules.quoted(today)) is not a date (use YYYY-MM-DD)"])
        }
        guard CalendarDate.supportedRange.contains(date) else {
            throw FrontDeskError.validationFailed(
                ["FRONTDESK_TODAY \(date) is outside the supported dates (\(CalendarDate.supportedRangeDescription))"])
        }
        return date
    }
}

extension Output {
    /// Text for a terminal: every control character but the line breaks between lines shown as
    /// `\u{1B}`, whatever the database holds.
    static func terminalSafe(_ text: String) -> String { CardNumber.redacted(in: TextRules.escapedKeepingLines(text)) }

    /// One value of a table or a line (a name, a room number): line breaks escaped too.
    static func safe(_ text: String) -> String { CardNumber.redacted(in: TextRules.escaped(text)) }
}

extension TextTable {
    /// The table with every cell's control characters (line breaks and tabs included) escaped.
    var safeRendered: String {
        var copy = self
        copy.rows = rows.map { $0.map(Output.safe) }
        return copy.rendered
    }
}

extension FrontDesk {
    /// `--guests -1` becomes `--guests=-1`: the parser would take `-1` for a short option and
    /// report a missing value; as a value, the rules refuse it by name. Only a long option followed
    /// by a negative number is joined (no command has short options but `-h`), so `--nights --json`
    /// is still a missing value.
    static func negativeNumbersAsValues(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" {
                result += arguments[index...]
                break
            }
            if argument.hasPrefix("--"), argument.count > 2, !argument.contains("="), index + 1 < arguments.count,
               isNegativeNumber(arguments[index + 1]) {
                result.append(argument + "=" + arguments[index + 1])
                index += 2
            } else {
                result.append(argument)
                index += 1
            }
        }
        return result
    }

    static func isNegativeNumber(_ text: String) -> Bool {
        let body = text.utf8.dropFirst()
        return text.hasPrefix("-") && !body.isEmpty && body.first != UInt8(ascii: ".")
            && body.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: ".") }
    }
}

extension Output {
    /// A stored JSON document (the audit's booking before and after) put into the output as it
    /// is, unless it is not one JSON value or holds a raw control character (a tampered row):
    /// then it goes out as a string, so the output stays one valid, escaped document.
    static func embeddedJSON(_ stored: String) -> JSONValue {
        let valid = !stored.unicodeScalars.contains(where: TextRules.isControl)
            && (try? JSONSerialization.jsonObject(with: Data(stored.utf8), options: [.fragmentsAllowed])) != nil
        return valid ? .number(stored) : .string(stored)
    }
}
