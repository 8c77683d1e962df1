/// How a card number may appear in anything Front Desk prints: `•••• 4242`, its last four digits.
public enum CardNumber {
    /// `•••• 4242` for any card number (spaces and dashes ignored).
    public static func masked(_ number: String) -> String {
        "•••• " + String(number.filter { $0.isASCII && $0.isNumber }.suffix(4))
    }

    /// `text` with every card number in it masked: a run of 12 to 19 digits (in groups of at least
    /// three, split by single spaces or dashes) that starts with 2 to 6, as card numbers do, and
    /// passes the Luhn check. Phone numbers (`+43 …`, `0664 …`) start otherwise and stay as they are.
    /// Used on everything a command prints, so a card number that reached a message (a payment
    /// service's reply, a typing slip) is not shown whole.
    public static func redacted(in text: String) -> String {
        guard mayHoldCardNumber(text) else { return text }
        let scalars = Array(text.unicodeScalars)
        var output = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if let end = cardRun(in: scalars, from: index) {
                let digits = scalars[index..<end].filter { ("0"..."9").contains($0) }
                output.append(contentsOf: masked(String(String.UnicodeScalarView(digits))).unicodeScalars)
                index = end
            } else {
                output.append(scalars[index])
                index += 1
            }
        }
        return String(output)
    }

    /// A quick look over the bytes: only text with a run of 12 digits (spaces and dashes between
    /// them allowed) is looked at closely. Long lists print megabytes of JSON.
    private static func mayHoldCardNumber(_ text: String) -> Bool {
        var run = 0
        var afterSeparator = false
        for byte in text.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                run += 1
                afterSeparator = false
                if run >= 12 { return true }
            } else if (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "-")) && !afterSeparator {
                afterSeparator = true
            } else {
                run = 0
                afterSeparator = false
            }
        }
        return false
    }

    /// The end of a card number starting at `start`, if one does.
    private static func cardRun(in scalars: [Unicode.Scalar], from start: Int) -> Int? {
        func isDigit(_ index: Int) -> Bool { index >= 0 && index < scalars.count && ("0"..."9").contains(scalars[index]) }
        func isSeparator(_ index: Int) -> Bool { index < scalars.count && (scalars[index] == " " || scalars[index] == "-") }
        guard isDigit(start), ("2"..."6").contains(scalars[start]) else { return nil }
        if start > 0 {
            // Only the start of a run: not the middle of a longer number, a phone's `+43`, a word.
            let before = scalars[start - 1]
            if before == "+" || before.properties.isAlphabetic || isDigit(start - 1) { return nil }
            if (before == " " || before == "-") && isDigit(start - 2) { return nil }
        }
        var digits: [UInt8] = []
        var index = start
        var group = 0, shortestGroup = Int.max
        while isDigit(index) || (isSeparator(index) && isDigit(index + 1)) {
            if isDigit(index) {
                digits.append(UInt8(scalars[index].value - 48))
                group += 1
            } else {
                shortestGroup = min(shortestGroup, group)
                group = 0
            }
            index += 1
        }
        shortestGroup = min(shortestGroup, group)
        // Cards are written in groups of 3 to 6 digits (4-4-4-4, 4-6-5); dates (4-2-2) are not cards.
        guard (12...19).contains(digits.count), shortestGroup >= 3, luhn(digits) else { return nil }
        if index < scalars.count, scalars[index].properties.isAlphabetic { return nil }
        return index
    }

    static func luhn(_ digits: [UInt8]) -> Bool {
        var sum = 0
        for (offset, digit) in digits.reversed().enumerated() {
            let value = Int(digit) * (offset % 2 == 1 ? 2 : 1)
            sum += value > 9 ? value - 9 : value
        }
        return sum % 10 == 0
    }
}
