/// How a card number may appear in anything Front Desk prints: `•••• 4242`, its last four digits.
public enum CardNumber {
    /// `•••• 4242` for any card number (spaces and dashes ignored).
    public static func masked(_ number: String) -> String {
        "•••• " + String(number.filter { $0.isASCII && $0.isNumber }.suffix(4))
    }

    /// `text` with every card number in it masked: a run of 12 to 19 digits (in groups of at least
    /// three, split by single spaces or dashes) that starts with 2 to 6, as card numbers do, is as
    /// long as its scheme's cards (`hasCardLength`) and passes the Luhn check. Phone numbers (`+43 …`, `0664 …`) start otherwise and stay as they are.
    /// Used on everything a command prints, so a card number that reached a message (a payment
    /// service's reply, a typing slip) is not shown whole.
    public static func redacted(in text: String) -> String {
        let bytes = Array(text.utf8)
        guard mayHoldCardNumber(bytes), let rewritten = rewritingCardRuns(bytes) else { return text }
        return String(decoding: rewritten, as: UTF8.self)
    }

    /// Whether `text` holds a card number (as `redacted(in:)` finds them): a field that is never
    /// a card's (a guest's name, a phone number) refuses one instead of storing it.
    public static func appears(in text: String) -> Bool {
        let bytes = Array(text.utf8)
        return mayHoldCardNumber(bytes) && rewritingCardRuns(bytes) != nil
    }

    /// The same for UTF-8 bytes about to be written (a command's JSON): the bytes as they are when
    /// they hold no card number, so a search's 50 kB are not made into a String to be checked.
    public static func redacted(utf8 bytes: [UInt8]) -> [UInt8] {
        guard mayHoldCardNumber(bytes), let rewritten = rewritingCardRuns(bytes) else { return bytes }
        return rewritten
    }

    /// `bytes` with each card number masked; nil when none was found.
    private static func rewritingCardRuns(_ bytes: [UInt8]) -> [UInt8]? {
        // Card numbers are ASCII, so the work is on UTF-8 bytes, and only the card runs found are
        // rewritten: a search prints 100 KB of JSON whose UUIDs sometimes look like long numbers.
        var output: [UInt8] = []
        var copiedUpTo = 0
        var index = 0
        while index < bytes.count {
            // An id (`4064aecc-0f84-4593-b96f-416228341010`) is no card, though a group of its
            // may be all digits and pass the Luhn check: it is printed whole (ids are compared).
            if let end = uuidEnd(in: bytes, from: index) {
                index = end
                continue
            }
            // A card starts with a digit 2 to 6 (`cardRun`); most bytes are not one.
            guard bytes[index] >= UInt8(ascii: "2") && bytes[index] <= UInt8(ascii: "6"), let end = cardRun(in: bytes, from: index) else {
                index += 1
                continue
            }
            output.append(contentsOf: bytes[copiedUpTo..<index])
            output.append(contentsOf: masked(String(decoding: bytes[index..<end], as: UTF8.self)).utf8)
            copiedUpTo = end
            index = end
        }
        guard copiedUpTo > 0 else { return nil }
        output.append(contentsOf: bytes[copiedUpTo...])
        return output
    }

    /// A quick look over the bytes: only text with a run of 12 digits (spaces and dashes between
    /// them allowed) is looked at closely. Long lists print megabytes of JSON.
    /// A quoted id is passed over whole, as `rewritingCardRuns` passes it (it comes to the id's
    /// first byte right after the quote, which no card run or id spans): a group of an id's may
    /// be all digits (`"bcec9917-0921-4277-…"`: six of the 74 ids a 3-night search printed), so
    /// its 33 kB were looked at closely for nothing (BENCHMARKS.md, session 20).
    private static func mayHoldCardNumber(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var run = 0
            var afterSeparator = false
            var index = 0
            while index < buffer.count {
                let byte = buffer[index]
                index += 1
                if byte == UInt8(ascii: "\""), let end = uuidEnd(in: bytes, from: index) {
                    index = end
                    run = 0
                    afterSeparator = false
                } else if isDigit(byte) {
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
    }

    /// The end of a UUID (8-4-4-4-12 hexadecimal digits) starting at `start`, if one does. No
    /// card number has this shape: its 32 digits are too many for a card even when all are digits.
    private static func uuidEnd(in bytes: [UInt8], from start: Int) -> Int? {
        let end = start + 36
        guard end <= bytes.count, bytes[start + 8] == UInt8(ascii: "-") else { return nil }
        for offset in 0..<36 {
            let byte = bytes[start + offset]
            switch offset {
            case 8, 13, 18, 23: guard byte == UInt8(ascii: "-") else { return nil }
            default:
                guard isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f")) else { return nil }
            }
        }
        return end
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Whether the character whose UTF-8 bytes end just before `end` (or start at `start`) is a letter.
    private static func isLetter(in bytes: [UInt8], endingBefore end: Int) -> Bool {
        var start = end - 1
        while start > 0 && bytes[start] & 0xC0 == 0x80 { start -= 1 }
        return isLetter(in: bytes, from: start, to: end)
    }

    private static func isLetter(in bytes: [UInt8], startingAt start: Int) -> Bool {
        var end = start + 1
        while end < bytes.count && bytes[end] & 0xC0 == 0x80 { end += 1 }
        return isLetter(in: bytes, from: start, to: end)
    }

    private static func isLetter(in bytes: [UInt8], from start: Int, to end: Int) -> Bool {
        // ASCII, nearly every case in JSON: its only letters are A-Z and a-z (no String to make).
        if bytes[start] < 0x80 { return (bytes[start] | 0x20) >= UInt8(ascii: "a") && (bytes[start] | 0x20) <= UInt8(ascii: "z") }
        return String(decoding: bytes[start..<end], as: UTF8.self).unicodeScalars.first?.properties.isAlphabetic ?? false
    }

    /// The end of a card number starting at `start`, if one does.
    private static func cardRun(in bytes: [UInt8], from start: Int) -> Int? {
        func digit(_ index: Int) -> Bool { index >= 0 && index < bytes.count && isDigit(bytes[index]) }
        func separator(_ index: Int) -> Bool { index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "-")) }
        guard digit(start), bytes[start] >= UInt8(ascii: "2"), bytes[start] <= UInt8(ascii: "6") else { return nil }
        if start > 0 {
            // Only the start of a run: not the middle of a longer number, a phone's `+43`, a word.
            let before = bytes[start - 1]
            if before == UInt8(ascii: "+") || digit(start - 1) { return nil }
            if separator(start - 1) && digit(start - 2) { return nil }
        }
        var digits: [UInt8] = []
        var index = start
        var group = 0, shortestGroup = Int.max
        // A card ends where an id starts (`4242424242424242 4064aecc-…`): the id is no part of it.
        while digit(index) || (separator(index) && digit(index + 1) && uuidEnd(in: bytes, from: index + 1) == nil) {
            if digit(index) {
                digits.append(bytes[index] - UInt8(ascii: "0"))
                group += 1
            } else {
                shortestGroup = min(shortestGroup, group)
                group = 0
            }
            index += 1
        }
        shortestGroup = min(shortestGroup, group)
        // Cards are written in groups of 3 to 6 digits (4-4-4-4, 4-6-5); dates (4-2-2) are not cards.
        guard (12...19).contains(digits.count), shortestGroup >= 3, hasCardLength(digits), luhn(digits) else { return nil }
        let glued = (start > 0 && isLetter(in: bytes, endingBefore: start)) || (index < bytes.count && isLetter(in: bytes, startingAt: index))
        if glued && isInHexadecimalWord(bytes, from: start, to: index) { return nil }
        return index
    }

    /// Whether the run `start..<end`, glued to letters, is part of a hexadecimal word (a hash, a
    /// key): at least 8 hexadecimal digits beside the run and nothing else in the word. Any other
    /// word ("Visa4242…", "card4242…@b.at", "cc4111…", "AE3782…") is a card typed against a
    /// word, masked.
    private static func isInHexadecimalWord(_ bytes: [UInt8], from start: Int, to end: Int) -> Bool {
        func isHexadecimal(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f")) }
        func isASCIIWordByte(_ byte: UInt8) -> Bool { isDigit(byte) || ((byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")) }
        // The word runs over ASCII letters and digits and over letters of other scripts (never
        // hexadecimal, so they make it a word to mask); other characters (`…`, `→`) end it.
        var first = start
        while first > 0 {
            if isASCIIWordByte(bytes[first - 1]) { first -= 1; continue }
            guard bytes[first - 1] >= 0x80, isLetter(in: bytes, endingBefore: first) else { break }
            first -= 1
            while first > 0 && bytes[first] & 0xC0 == 0x80 { first -= 1 }
        }
        var last = end
        while last < bytes.count {
            if isASCIIWordByte(bytes[last]) { last += 1; continue }
            guard bytes[last] >= 0x80, isLetter(in: bytes, startingAt: last) else { break }
            last += 1
            while last < bytes.count && bytes[last] & 0xC0 == 0x80 { last += 1 }
        }
        let beside = bytes[first..<start] + bytes[end..<last]
        return beside.count >= 8 && beside.allSatisfy(isHexadecimal)
    }

    /// Runs of 16 to 19 digits are cards of every scheme; shorter ones only where a scheme issues
    /// them: Amex's 15 (34, 37), Diners' 14 (300-305, 36, 38, 39), Maestro's 12 to 15 (5018,
    /// 5020, 5038, 5893, 6304, 6759, 6761-6763). A phone number typed without "+" (447911123456,
    /// 491701234560), one in ten of which passes the Luhn check, was masked in every answer.
    static func hasCardLength(_ digits: [UInt8]) -> Bool {
        func prefix(_ count: Int) -> Int { digits.prefix(count).reduce(0) { $0 * 10 + Int($1) } }
        switch digits.count {
        case 16...19: return true
        case 15 where [34, 37].contains(prefix(2)): return true
        case 14 where (300...305).contains(prefix(3)) || [36, 38, 39].contains(prefix(2)): return true
        default: return [5018, 5020, 5038, 5893, 6304, 6759, 6761, 6762, 6763].contains(prefix(4))
        }
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
