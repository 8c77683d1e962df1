import Foundation
import FrontDeskDomain
import Testing

/// The checks a booking runs on the writer's thread, rewritten without Foundation's calendar and
/// Character-wise scans (issue 12's push), answer exactly as the ways they replaced.
@Suite struct WriterPathTextTests {
    @Test func asciiScalarsAreClassedAsByTheirUnicodeProperties() {
        for value in UInt32(0)..<0x80 {
            let scalar = Unicode.Scalar(value)!
            let category = scalar.properties.generalCategory
            #expect(TextRules.isControl(scalar) == (category == .control), "U+\(String(value, radix: 16))")
            #expect(TextRules.isCombiningMark(scalar) == [.nonspacingMark, .spacingMark, .enclosingMark].contains(category))
        }
    }

    /// A guest's name is trimmed as `trimmingCharacters(in: .whitespacesAndNewlines)` trims it:
    /// every pair of ASCII scalars at its ends (where the new way may skip Foundation), and text
    /// whose ends are not ASCII (which still goes through Foundation).
    @Test func namesAreTrimmedAsFoundationTrimsThem() {
        var differences: [String] = []
        for first in UInt32(0)..<0x80 {
            for last in UInt32(0)..<0x80 {
                let text = String(Unicode.Scalar(first)!) + "Ann Lee" + String(Unicode.Scalar(last)!)
                if text.trimmingWhitespaceAndNewlines() != text.trimmingCharacters(in: .whitespacesAndNewlines) {
                    differences.append(text.debugDescription)
                }
            }
        }
        #expect(differences.isEmpty, "differ for \(differences.prefix(10))")
        for text in ["", " ", "Ann Lee", " Ann Lee ", "\nAnn\r\n", "\u{85}Ann\u{2028}", "\u{3000}Zoë\u{A0}", "Zoë", "Ann\u{301}",
                     "~", "!Ann!", "\u{200B}Ann", "Ann\u{FEFF}"] {
            #expect(text.trimmingWhitespaceAndNewlines() == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text.debugDescription)")
        }
    }

    /// The e-mail rule read over bytes accepts and refuses what the Character-wise rule did, for
    /// hand-picked addresses and for 200,000 strings drawn from the characters that matter to it.
    @Test func emailsAreJudgedAsBefore() {
        let picked = ["guest@example.com", "a@b.co", "first.last+tag@mail.example.org", "o'brien@example.ie", "x@localhost",
                      "@example.com", "ann@", "ann@@example.com", "ann@example..com", ".ann@example.com", "ann.@example.com",
                      "an..n@example.com", "ann@-example.com", "ann@example-.com", "ann@example.c", "ann@example.c0m",
                      "ann@exa_mple.com", "ann @example.com", "ann@example.com ", "zoë@example.com", "ann@exämple.com",
                      "ann\u{7F}@example.com", "ann\t@example.com", String(repeating: "a", count: 64) + "@example.com",
                      String(repeating: "a", count: 65) + "@example.com", "a@" + String(repeating: "b", count: 63) + ".com",
                      "a@" + String(repeating: "b", count: 64) + ".com", String(repeating: "a@b.cd", count: 60), "A@B.CD", "a@1.2.3.4"]
        for email in picked {
            #expect(BookingRules.isValidEmail(email) == Self.characterWiseIsValidEmail(email), "\(email.debugDescription)")
        }
        let alphabet = Array("aZ09.@-_+!~`{|}#'\" \t\u{7F}é\u{301}\u{1F600}")
        var generator = SplitMix(state: 12)
        var accepted = 0
        let common = Array("abZ09.-")
        func piece(_ maximum: UInt64) -> String {
            String((0..<Int(generator.next() % maximum)).map { _ in
                // Mostly letters, digits, dots and hyphens, so that many drawn strings are addresses.
                generator.next() % 4 == 0 ? alphabet[Int(generator.next() % UInt64(alphabet.count))]
                                          : common[Int(generator.next() % UInt64(common.count))]
            })
        }
        for _ in 0..<200_000 {
            let email = generator.next() % 4 == 0 ? piece(12) : piece(5) + "@" + piece(5) + "." + piece(4)
            let expected = Self.characterWiseIsValidEmail(email)
            if expected { accepted += 1 }
            if BookingRules.isValidEmail(email) != expected {
                Issue.record("differs for \(email.debugDescription)")
                break
            }
        }
        #expect(accepted > 100) // the drawn strings reach the accepting branch too
    }

    /// The wall date in a zone is what a Gregorian calendar in that zone says, every 15 minutes of
    /// 2026 (both DST changes of each zone), a second either side of each quarter hour, and a few
    /// far instants, in zones with whole, half and quarter hour offsets on both sides of UTC.
    @Test func todayIsWhatAGregorianCalendarSays() {
        let zones = ["Europe/Vienna", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "Pacific/Chatham",
                     "America/St_Johns", "Pacific/Kiritimati", "UTC"].map { TimeZone(identifier: $0)! }
        let start = Date(timeIntervalSince1970: 1_767_225_600 - 86_400) // 2025-12-31 UTC
        var instants = (0..<(367 * 96)).flatMap { quarter in
            [-1, 0, 1].map { start.addingTimeInterval(TimeInterval(quarter * 900 + $0)) }
        }
        instants += [0, -1, 86_399.5, -86_400.25, 4_102_444_800, 946_684_799].map(Date.init(timeIntervalSince1970:))
        for zone in zones {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            var differences = 0
            for instant in instants {
                let parts = calendar.dateComponents([.year, .month, .day], from: instant)
                if CalendarDate.today(in: zone, at: instant) != CalendarDate(year: parts.year!, month: parts.month!, day: parts.day!)! {
                    differences += 1
                }
            }
            #expect(differences == 0, "\(zone.identifier): \(differences) instants differ")
        }
    }

    /// Instants are written as before (a date, then the clock in a separate array) to the
    /// millisecond, for 100,000 instants from 1970 to 2100 and the edges of a day.
    @Test func instantsAreWrittenAsBefore() {
        var generator = SplitMix(state: 5)
        var instants = (0..<100_000).map { _ in Date(timeIntervalSince1970: Double(generator.next() % 4_102_444_800_000) / 1000) }
        instants += [0, 0.0005, 86_399.999, 86_400, 1_767_225_599.9999, 1_767_225_600].map(Date.init(timeIntervalSince1970:))
        for instant in instants {
            let milliseconds = Int((instant.timeIntervalSince1970 * 1000).rounded(.down))
            let days = Int((Double(milliseconds) / 86_400_000).rounded(.down))
            let inDay = milliseconds - days * 86_400_000
            let clock = String(format: "T%02d:%02d:%02d.%03dZ", inDay / 3_600_000, inDay / 60000 % 60, inDay / 1000 % 60, inDay % 1000)
            let before = CalendarDate(dayNumber: days).iso + clock
            if InstantText.utc(instant) != before {
                Issue.record("\(instant.timeIntervalSince1970): \(InstantText.utc(instant)) instead of \(before)")
                break
            }
        }
    }

    /// The rule as it was written before, over Characters (the reference for the test above).
    static func characterWiseIsValidEmail(_ email: String) -> Bool {
        guard !email.isEmpty, email.unicodeScalars.count <= BookingRules.maximumEmailLength,
              email.unicodeScalars.allSatisfy({ $0.isASCII && $0.properties.generalCategory != .control })
        else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let local = parts[0], domain = parts[1]
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        guard local.allSatisfy(localAllowed.contains), !local.hasPrefix("."), !local.hasSuffix("."),
              !local.contains("..") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        } && labels.last!.count >= 2 && labels.last!.allSatisfy(\.isLetter)
    }

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E4B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
