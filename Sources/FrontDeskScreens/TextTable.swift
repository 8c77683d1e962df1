/// Plain-text tables whose columns line up in a terminal, double-width names included.
public struct TextTable {
    public var headers: [String]
    public var rows: [[String]] = []
    /// Columns aligned to the right (numbers, money).
    public var rightAligned: Set<Int> = []

    public init(headers: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
        self.headers = headers
        self.rows = rows
        self.rightAligned = rightAligned
    }

    public var rendered: String {
        var widths = headers.map(TerminalWidth.of)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], TerminalWidth.of(cell))
            }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: max(0, widths[index] - TerminalWidth.of(cell)))
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}

/// How many terminal cells a text takes, as glibc's `wcwidth` counts them (the terminal asks the
/// same tables): East Asian wide and fullwidth characters and emoji take two, combining marks and
/// format characters none. Control characters, for which `wcwidth` says -1, count one (NUL none).
public enum TerminalWidth {
    public static func of(_ text: String) -> Int {
        text.reduce(0) { $0 + of($1) }
    }

    /// A grapheme takes the width of its widest scalar: "e" + combining accent is one cell. A
    /// variation selector 16 (emoji presentation) makes its character two cells wide: "❤\u{FE0F}".
    public static func of(_ character: Character) -> Int {
        var widest = 0
        for scalar in character.unicodeScalars {
            widest = max(widest, scalar.value == 0xFE0F ? 2 : of(scalar))
        }
        return widest
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        // Latin text, nearly all of what a desk draws: one cell, without the tables.
        if (0x20..<0x7F).contains(value) || (0xA0..<0x300).contains(value) { return 1 }
        if contains(zeroWidth, value) { return 0 }
        if contains(doubleWidth, value) { return 2 }
        // Assigned after the Unicode version of the glibc the tables came from: by its properties.
        if let age = scalar.properties.age, age.major >= 15 {
            switch scalar.properties.generalCategory {
            case .nonspacingMark, .enclosingMark, .format: return 0
            default: break
            }
            if scalar.properties.isEmojiPresentation || (0x20000...0x3FFFD).contains(value) { return 2 }
        }
        return 1
    }

    /// What one terminal cell can hold of a grapheme: its first character and the marks that
    /// follow it (at most four, as ncurses keeps them), up to a zero-width joiner. ncurses keeps
    /// one spacing character per cell: a family emoji (👨 ZWJ 👩 ZWJ 👧) or a flag (two regional
    /// indicators) given whole was refused, the cell left unpainted, and a row garbled after an
    /// overlay closed. Its width is the grapheme's (`of(_:)` takes the widest scalar), so the
    /// layout does not move.
    public static func cellText(_ text: String) -> String {
        var scalars = text.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return "" }
        var kept = String.UnicodeScalarView([first])
        var marks = 0
        while let next = scalars.next(), next.value != 0x200D, of(next) == 0 || next.value == 0xFE0F, marks < 4 {
            kept.append(next)
            marks += 1
        }
        return String(kept)
    }

    /// Binary search in sorted, disjoint ranges.
    static func contains(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var low = 0, high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if value < ranges[middle].lowerBound {
                high = middle - 1
            } else if value > ranges[middle].upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}

extension String {
    public func trimmingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
