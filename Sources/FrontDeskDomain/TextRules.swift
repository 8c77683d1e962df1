/// The rules for free text a person types and the desk stores and prints again (names, room
/// numbers, e-mails, reasons, who is at the desk, references), and the escaping of text on the way out.
///
/// Limits count Unicode scalars, what is stored, not graphemes: `a` followed by 50,000 combining
/// marks is one character on screen and 100 kB in the file.
public enum TextRules {
    /// The longest run of combining marks on one base character (Vietnamese needs 2, Thai 3).
    public static let maximumMarkRun = 8

    /// C0 (incl. tab, newline, ESC), DEL, C1 (incl. CSI, OSC), the line and paragraph separators,
    /// and the direction embeddings and overrides (U+202A-202E), which turn the rest of a printed
    /// line around ("Evil\u{202E}gnp.exe" shows as "Evilexe.png"). The isolates (U+2066-2069)
    /// stay allowed: they keep a right-to-left name to itself, and web forms put them around one.
    /// (ASCII answered without the Unicode tables: a booking checks every scalar of its form.)
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
        return scalar.properties.generalCategory == .control || scalar.value == 0x2028 || scalar.value == 0x2029
            || (0x202A...0x202E).contains(scalar.value)
    }

    public static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return false }
        return switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: true
        default: false
        }
    }

    /// The first character of `text` that prints as nothing (Unicode's format characters: the
    /// zero-width space, the word joiner, U+FEFF, the soft hyphen, ...), nil when there is none.
    /// In a name a person picks from a list or types to find (a room number, a room type) such a
    /// character makes two names that look the same. `scripts`: only the characters no script
    /// needs are refused (those in `meaningless`); the joiners, direction marks and isolates,
    /// the Arabic letter mark, the tags of a flag emoji and the signs that print are allowed.
    public static func invisibleCharacter(in text: String, allowingWhatScriptsNeed scripts: Bool) -> Unicode.Scalar? {
        text.unicodeScalars.first { scalar in
            guard !scalar.isASCII, scalar.properties.generalCategory == .format else { return false }
            return !scripts || meaningless.contains(where: { $0.contains(scalar.value) })
        }
    }

    /// Format characters with no use in a name: the soft hyphen, the Mongolian vowel separator,
    /// the zero-width space, the word joiner and invisible operators, the deprecated format
    /// controls, the byte-order mark and the interlinear annotation marks.
    static let meaningless: [ClosedRange<UInt32>] = [0x00AD...0x00AD, 0x180E...0x180E, 0x200B...0x200B, 0x2060...0x2064,
                                                     0x206A...0x206F, 0xFEFF...0xFEFF, 0xFFF9...0xFFFB]

    /// The refusal of an invisible character in `field`, naming it (`U+2060`).
    static func invisibleProblem(in text: String, field: String, allowingWhatScriptsNeed scripts: Bool) -> String? {
        invisibleCharacter(in: text, allowingWhatScriptsNeed: scripts).map { scalar in
            "\(field) cannot contain a character that prints as nothing (found U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
    }

    public static func containsControl(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    /// What is wrong with `text` as the value of `field` (e.g. "Guest name"), at most `maximum`
    /// scalars: control characters, length, a flood of combining marks. Nil when it is fine.
    /// Emptiness is the caller's rule.
    public static func problem(in text: String, field: String, maximum: Int) -> String? {
        // One pass that stops at the first problem: a pasted megabyte costs `maximum` steps.
        var scalars = 0, marks = 0, run = 0, longestRun = 0
        for scalar in text.unicodeScalars {
            if isControl(scalar) { return "\(field) cannot contain control characters (found \(escaped(String(scalar))))" }
            // What bytes that are not UTF-8 became on the way in (an argument, a file, a paste).
            if scalar == "\u{FFFD}" { return "\(field) holds bytes that are not UTF-8 text (shown as \u{FFFD}): type it again" }
            scalars += 1
            if scalars > maximum { return "\(field) is longer than \(maximum) characters" }
            if isCombiningMark(scalar) {
                marks += 1
                run += 1
                longestRun = max(longestRun, run)
            } else {
                run = 0
            }
        }
        if marks * 2 > scalars || longestRun > maximumMarkRun {
            return "\(field) is mostly combining marks"
        }
        return nil
    }

    /// `text` safe to print on a terminal: every control character (see `isControl`) shown as
    /// `\u{1B}`; text without one is returned as it is.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                output += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Like `escaped`, but keeps line breaks (`\n`): for text made of several lines, whose own
    /// values were escaped already.
    public static func escapedKeepingLines(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" }) else { return text }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }
            .joined(separator: "\n")
    }
}

extension String {
    /// The text without the spaces and tabs around it: `trimmingCharacters(in: .whitespaces)`
    /// (Unicode's space separators, the tab, and, as Foundation has it, the zero-width space; a
    /// test holds the two to the same answer for every scalar), without Foundation's round trip through NSString, whose first use scans every
    /// protocol conformance record of the binary: a part of every command's start (issue 10).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !Self.isWhitespace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !Self.isWhitespace($0) })!
        return String(scalars[first...last])
    }

    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == "\t" || scalar == " " } // the space is ASCII's one space separator
        return scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }
}

extension Int {
    /// "1 booking", "2 bookings": a count with its noun, in English's plural (`noun` + "s").
    public func counted(_ noun: String) -> String { "\(self) \(noun)\(self == 1 ? "" : "s")" }
}

extension Array where Element == String {
    /// "A, B, C": the first `most`, then "…" for the rest, for a line that names many.
    public func listedBriefly(most: Int = 10) -> String {
        prefix(most).joined(separator: ", ") + (count > most ? ", …" : "")
    }
}
