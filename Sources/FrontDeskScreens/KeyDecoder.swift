/// What the terminal read, in order: keys, and resizes with the size they brought.
public enum TerminalInput: Hashable, Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
}

/// Turns what the terminal library hands over into keys, without a terminal (tests feed it bytes).
///
/// ncurses (keypad mode) decodes the escape sequences it knows and hands over the rest as
/// characters. What it cannot be trusted with is an Esc followed at once by more input: it returns
/// the Esc alone, and the next read is a function key it decoded, or, when the sequence came
/// behind the Esc, the sequence's bytes as characters. This decoder reads a batch as a whole:
/// Esc followed by a decoded key is Esc then that key; Esc followed by another Esc is Esc, and the
/// second one starts afresh; `ESC [ …` and `ESC O x` sequences that arrive as characters are
/// decoded here (xterm, VT220, rxvt and Linux-console forms); an unknown complete sequence is
/// dropped rather than typed; Esc then any other character is Alt-character.
public enum KeyDecoder {
    /// One unit as read: a character (a Unicode scalar value), a key the terminal library already
    /// decoded, or a resize with the size that was current when it was read.
    public enum Raw: Hashable, Sendable {
        case scalar(UInt32)
        case key(Key)
        case resize(width: Int, height: Int)
    }

    static let escape: UInt32 = 27

    /// A batch read in one go (the terminal library has already waited its escape delay for the
    /// bytes of a sequence), decoded in order.
    public static func decode(_ raw: [Raw]) -> [TerminalInput] {
        var inputs: [TerminalInput] = []
        var index = 0
        while index < raw.count {
            switch raw[index] {
            case .resize(let width, let height):
                inputs.append(.resize(width: width, height: height))
                index += 1
            case .key(let key):
                inputs.append(.key(key))
                index += 1
            case .scalar(let value) where value == escape:
                let (key, used) = afterEscape(raw, from: index + 1)
                if let key { inputs.append(.key(key)) }
                index += 1 + used
            case .scalar(let value):
                if let key = plainKey(value) { inputs.append(.key(key)) }
                index += 1
            }
        }
        return inputs
    }

    /// Bytes: as `decode`, every byte a scalar (UTF-8 left to the caller; tests use ASCII).
    public static func decode(bytes: [UInt8]) -> [TerminalInput] { decode(bytes.map { .scalar(UInt32($0)) }) }

    /// The key an Esc at `start - 1` begins, and how many units after the Esc it used. Nil key:
    /// a sequence that is complete but unknown, dropped whole.
    static func afterEscape(_ raw: [Raw], from start: Int) -> (Key?, Int) {
        guard start < raw.count, case .scalar(let next) = raw[start] else {
            // Nothing after it, or a key the library decoded, or a resize: a plain Esc.
            return (.escape, 0)
        }
        // Esc Esc: the first is Esc; the second begins what follows (Esc, a sequence, an Alt key).
        if next == escape { return (.escape, 0) }
        if next == UInt32(UInt8(ascii: "[")), let (key, used) = controlSequence(raw, from: start + 1) { return (key, used + 1) }
        if next == UInt32(UInt8(ascii: "O")), start + 1 < raw.count, case .scalar(let final) = raw[start + 1],
           let key = ss3[final] {
            return (key, 2)
        }
        guard next >= 32, next != 127, let scalar = Unicode.Scalar(next) else {
            // Esc then a control character: Esc, and the control character on its own.
            return (.escape, 0)
        }
        return (.alt(Character(scalar)), 1)
    }

    /// `ESC [` parameters (0x30–0x3F), intermediates (0x20–0x2F), a final byte (0x40–0x7E), read
    /// from `start` (just after the `[`). Nil when what follows is not one whole sequence (then
    /// the `[` is Alt-[). The Linux console's `ESC [ [ A`..`E` (F1–F5) is read too.
    static func controlSequence(_ raw: [Raw], from start: Int) -> (Key?, Int)? {
        var bytes: [UInt8] = []
        var index = start
        while index < raw.count, case .scalar(let value) = raw[index], value < 128 {
            let byte = UInt8(value)
            if bytes.isEmpty, byte == UInt8(ascii: "["), index + 1 < raw.count, case .scalar(let letter) = raw[index + 1],
               (UInt32(UInt8(ascii: "A"))...UInt32(UInt8(ascii: "E"))).contains(letter) {
                return (.function(Int(letter) - Int(UInt8(ascii: "A")) + 1), 2)
            }
            bytes.append(byte)
            index += 1
            if (0x40...0x7E).contains(byte) {
                return (csiKey(parameters: String(decoding: bytes.dropLast(), as: UTF8.self), final: byte), bytes.count)
            }
            guard (0x20...0x3F).contains(byte) else { return nil }
        }
        return nil
    }

    /// A CSI sequence's key; modifiers (`1;5A`, Ctrl-↑) are read as the plain key. Nil: unknown.
    static func csiKey(parameters: String, final: UInt8) -> Key? {
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false)
        let first = fields.first.map(String.init) ?? ""
        switch final {
        case UInt8(ascii: "A"): return .up
        case UInt8(ascii: "B"): return .down
        case UInt8(ascii: "C"): return .right
        case UInt8(ascii: "D"): return .left
        case UInt8(ascii: "H"): return .home
        case UInt8(ascii: "F"): return .end
        case UInt8(ascii: "Z"): return .backTab
        case UInt8(ascii: "P"): return .function(1)
        case UInt8(ascii: "Q"): return .function(2)
        case UInt8(ascii: "R"): return first.isEmpty || first == "1" ? .function(3) : nil // else a cursor report
        case UInt8(ascii: "S"): return .function(4)
        case UInt8(ascii: "~"): return tilde[first]
        default: return nil
        }
    }

    /// `ESC [ n ~` (VT220, xterm, rxvt); Insert (2) has no command and is dropped.
    static let tilde: [String: Key] = [
        "1": .home, "7": .home, "4": .end, "8": .end, "3": .delete, "5": .pageUp, "6": .pageDown,
        "11": .function(1), "12": .function(2), "13": .function(3), "14": .function(4), "15": .function(5),
        "17": .function(6), "18": .function(7), "19": .function(8), "20": .function(9), "21": .function(10),
        "23": .function(11), "24": .function(12), "200": .pasteBegin, "201": .pasteEnd,
    ]

    /// `ESC O x` (application mode: arrows, Home/End, F1–F4, keypad Enter).
    static let ss3: [UInt32: Key] = Dictionary(uniqueKeysWithValues: [
        ("A", Key.up), ("B", .down), ("C", .right), ("D", .left), ("H", .home), ("F", .end), ("M", .enter),
        ("P", .function(1)), ("Q", .function(2)), ("R", .function(3)), ("S", .function(4)),
    ].map { (UInt32($0.0.unicodeScalars.first!.value), $0.1) })

    /// A character that is not Esc: Tab, Enter, Backspace and Ctrl-letters by value; other
    /// control characters are nothing; the rest is text.
    public static func plainKey(_ value: UInt32) -> Key? {
        switch value {
        case 9: return .tab
        case 10, 13: return .enter
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(value + 96)!))
        default:
            guard value >= 32, !(128..<160).contains(value), let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }
}
