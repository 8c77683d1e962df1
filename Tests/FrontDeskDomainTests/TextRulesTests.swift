import Foundation
import FrontDeskDomain
import Testing

@Suite struct TextRulesTests {
    @Test func limitsCountScalarsNotCharacters() {
        let flood = "a" + String(repeating: "\u{301}", count: 50_000)
        #expect(flood.count == 1)
        #expect(TextRules.problem(in: flood, field: "Guest name", maximum: 100) == "Guest name is longer than 100 characters")
        #expect(TextRules.problem(in: String(repeating: "é", count: 100), field: "Guest name", maximum: 100) == nil)
        #expect(TextRules.problem(in: String(repeating: "e\u{301}", count: 51), field: "Guest name", maximum: 100)
            == "Guest name is longer than 100 characters")
        #expect(TextRules.problem(in: String(repeating: "山", count: 101), field: "Hotel name", maximum: 100) != nil)
    }

    @Test func textThatIsMostlyCombiningMarksIsRefused() {
        #expect(TextRules.problem(in: "ab" + String(repeating: "\u{301}", count: 3), field: "Room number", maximum: 10)
            == "Room number is mostly combining marks")
        // A tall stack on one letter, even in a long name.
        let stacked = "Annabelle Smith" + String(repeating: "\u{336}", count: 9)
        #expect(TextRules.problem(in: stacked, field: "Guest name", maximum: 100) == "Guest name is mostly combining marks")
        // Real names written with marks pass: decomposed Vietnamese, Devanagari, Thai, Hebrew with points.
        for name in ["Nguye\u{302}\u{303}n Thi\u{323} Ha\u{300}", "देवनागरी लिपि", "สมชาย ใจดี", "שָׁלוֹם", "Zoë Ångström"] {
            #expect(TextRules.problem(in: name, field: "Guest name", maximum: 100) == nil, "\(name)")
        }
    }

    @Test func controlCharactersAreRefusedAndNamed() {
        for text in ["a\u{1B}[31m", "a\u{1B}]0;x\u{07}", "two\nlines", "a\tb", "a\rb", "a\u{7F}", "a\u{9B}2J", "a\u{85}", "a\u{2028}b", "\u{0}"] {
            let problem = TextRules.problem(in: text, field: "Room number", maximum: 10)
            #expect(problem?.hasPrefix("Room number cannot contain control characters (found \\u{") == true, "\(text.debugDescription): \(problem ?? "nil")")
        }
        #expect(TextRules.problem(in: "Suite 1", field: "Room number", maximum: 10) == nil)
        // Direction embeddings and overrides turn the rest of a printed line around.
        for text in ["Evil\u{202E}gnp.exe", "a\u{202D}b", "a\u{202A}b"] {
            let problem = TextRules.problem(in: text, field: "Guest name", maximum: 100)
            #expect(problem?.hasPrefix("Guest name cannot contain control characters") == true, "\(text.debugDescription): \(problem ?? "nil")")
        }
        #expect(TextRules.escaped("Evil\u{202E}gnp") == "Evil\\u{202E}gnp")
        // Bytes that were not UTF-8 arrive as U+FFFD: refused, not stored as "�".
        #expect(TextRules.problem(in: "Bad\u{FFFD}Name", field: "Guest name", maximum: 100)?.contains("not UTF-8") == true)
        // Right-to-left names themselves are fine, and so are the isolates a web form puts around one.
        #expect(TextRules.problem(in: "שָׁלוֹם عليكم", field: "Guest name", maximum: 100) == nil)
        #expect(TextRules.problem(in: "Ann \u{2067}שָׁלוֹם\u{2069}", field: "Guest name", maximum: 100) == nil)
    }

    /// Money is kept in hundredths: a currency with other decimals is refused (a yen price read
    /// 10281.60), and so is a code that is no currency.
    @Test func aHotelCurrencyHasTwoDecimalsAndIsACurrency() throws {
        for good in ["EUR", "USD", "GBP", "CHF"] {
            try Hotel.validate(name: "Aurora", timeZoneIdentifier: "Europe/Vienna", currency: good)
        }
        for (bad, words) in [("JPY", "0 decimals"), ("BHD", "3 decimals"), ("XYZ", "not an ISO 4217"), ("eur", "three-letter")] {
            do {
                try Hotel.validate(name: "Aurora", timeZoneIdentifier: "Europe/Vienna", currency: bad)
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(error.details.first?.contains(words) == true, "\(bad): \(error.details)")
            }
        }
    }

    /// "GMT+5" was taken (five hours east) beside "Etc/GMT+5" (five hours west), and "PST" keeps
    /// no clock change: a hotel set up so ran on the wrong business date without a word.
    @Test func aHotelTimeZoneIsAPlaceNotAnOffsetOrAnAbbreviation() throws {
        for good in ["Europe/Vienna", "America/New_York", "Asia/Kolkata", "Etc/UTC", "Etc/GMT", "UTC", "GMT"] {
            try Hotel.validate(name: "Aurora", timeZoneIdentifier: good, currency: "EUR")
        }
        for (bad, words) in [("GMT+5", "an offset, an abbreviation"), ("UTC+3", "an offset"), ("PST", "abbreviation"),
                             ("Factory", "not a region's name"), ("Japan", "old alias"), ("Etc/GMT+5", "an offset"), ("Etc/GMT-5", "an offset"),
                             ("Mars/Olympus", "unknown"), ("europe/vienna", "unknown")] {
            do {
                try Hotel.validate(name: "Aurora", timeZoneIdentifier: bad, currency: "EUR")
                Issue.record("\(bad) was accepted")
            } catch {
                #expect(error.details.first?.contains(words) == true, "\(bad): \(error.details)")
            }
        }
        // A hotel brought in (an import) keeps a zone accepted when it was made; an unknown one is still refused.
        try Hotel.validate(name: "Aurora", timeZoneIdentifier: "CET", currency: "EUR", isNew: false)
        #expect(throws: FrontDeskError.self) { try Hotel.validate(name: "Aurora", timeZoneIdentifier: "Mars/Olympus", currency: "EUR", isNew: false) }
    }

    @Test func escapingShowsEveryControlCharacterAndKeepsTheRest() {
        #expect(TextRules.escaped("Ann\u{1B}]0;x\u{07}\nB\u{9B}ö") == "Ann\\u{1B}]0;x\\u{7}\\u{A}B\\u{9B}ö")
        #expect(TextRules.escaped("Zoë 山田") == "Zoë 山田")
        #expect(TextRules.escapedKeepingLines("a\u{1B}\nb\tc") == "a\\u{1B}\nb\\u{9}c")
        #expect(BookingRules.quoted("x\u{1B}[2J") == "'x\\u{1B}[2J'")
        // Cut by scalars: a flood of marks is not echoed whole.
        #expect(BookingRules.quoted("a" + String(repeating: "\u{301}", count: 1_000)).unicodeScalars.count < 30)
    }

    @Test func jsonEscapesC1DeleteAndLineSeparatorsToo() {
        let rendered = JSONValue.string("a\u{1B}b\u{7F}c\u{9B}d\u{2028}e€").rendered()
        #expect(rendered == "\"a\\u001bb\\u007fc\\u009bd\\u2028e€\"")
        let decoded = try? JSONSerialization.jsonObject(with: Data(rendered.utf8), options: [.fragmentsAllowed]) as? String
        #expect(decoded == "a\u{1B}b\u{7F}c\u{9B}d\u{2028}e€")
    }

    @Test func jsonTextHoldingJSONAndEveryEscapedCharacterReadsBackWhole() throws {
        // A feed entry's data is JSON written inside JSON; every character that must be escaped,
        // next to its neighbours of two and three bytes that must not.
        let controls = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined()
        let text = #"{"guest":"Zoë \"Q\" O'Neil\\","n":[1]}"# + controls + "\u{7F}\u{80}\u{9F}\u{A0}é\u{2027}\u{2028}\u{2029}\u{202A}€山"
        let rendered = JSONValue.object([("data", .string(text))]).rendered()
        #expect(!rendered.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" })
        #expect(rendered.contains(#"\"guest\":\"Zoë \\\"Q\\\""#))
        let decoded = try JSONSerialization.jsonObject(with: Data(rendered.utf8)) as? [String: String]
        #expect(decoded?["data"] == text)
    }

    @Test func datesOutsideTheSupportedRangeAreRefusedByName() {
        var problems: [String] = []
        #expect(BookingRules.parseDate("9999-12-31", field: "Check-in date", into: &problems) == nil)
        #expect(BookingRules.parseDate("1899-12-31", field: "--from", into: &problems) == nil)
        #expect(BookingRules.parseDate("9000-12-31", field: "--to", into: &problems) != nil)
        #expect(BookingRules.parseDate("1900-01-01", field: "--to", into: &problems) != nil)
        #expect(problems == ["Check-in date 9999-12-31 is outside the supported dates (1900-01-01 to 9000-12-31)",
                             "--from 1899-12-31 is outside the supported dates (1900-01-01 to 9000-12-31)"])
        // The far end plus the booking horizon, a stay and a long report still prints a real year.
        let last = CalendarDate.supportedRange.upperBound
        #expect(last.adding(days: BookingRules.maximumDaysAhead + BookingRules.maximumNights + 3660).iso.hasPrefix("90"))
    }

    @Test func searchNightsAreCheckedByTheRules() {
        let today = CalendarDate(iso: "2026-11-26")!
        func problems(nights: Int?, checkIn: String = "2026-12-01") -> [String] {
            do {
                _ = try AvailabilityQuery.validate(checkIn: checkIn, checkOut: nil, nights: nights, guests: "1", businessDate: today)
                return []
            } catch { return error.details }
        }
        #expect(problems(nights: -1) == ["Nights must be between 1 and 30"])
        #expect(problems(nights: 0) == ["Nights must be between 1 and 30"])
        #expect(problems(nights: 31) == ["Nights must be between 1 and 30"])
        #expect(problems(nights: Int.max) == ["Nights must be between 1 and 30"])
        #expect(problems(nights: 30).isEmpty)
        #expect(problems(nights: nil).isEmpty)
        // A refused check-in is reported once, not again as a derived check-out.
        #expect(problems(nights: 2, checkIn: "9999-12-31") == ["Check-in date 9999-12-31 is outside the supported dates (1900-01-01 to 9000-12-31)"])
    }
}

/// Room numbers are given and found in their compatibility form (a hands-on review, session 60):
/// "１１４" typed with a Japanese input method was a second room beside 114.
@Suite struct RoomNumberFormTests {
    @Test func fullWidthDigitsAreTheRoomsPlainNumber() throws {
        #expect(try Room.validNewNumber("１１４") == "114")
        #expect(try Room.validNumber(" １０１Ａ ") == "101A")
        #expect(try Room.validNewNumber("和室 1") == "和室 1", "letters of other scripts stay as they are")
        // Only the full-width forms: the whole compatibility form made "1½" room "11⁄2", "①②" room 12.
        #expect(try Room.validNewNumber("1½") == "1½")
        #expect(try Room.validNewNumber("①②") == "①②")
    }
}
