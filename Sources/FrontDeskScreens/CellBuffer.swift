/// What a cell means; the theme turns roles into colours and attributes.
public enum Role: String, CaseIterable, Hashable, Sendable {
    case normal, title, status, header, selected, footer, footerKey, field, focusedField, error, hint, accent, overlay
    /// The room plan's stays by status, and rooms out of service.
    case planHeld, planConfirmed, planCheckedIn, planCheckedOut, planNoShow, planOutOfService
    /// The dashboard's bars.
    case chart
}

public struct Cell: Hashable, Sendable {
    /// One grapheme; a double-width grapheme's second cell is a continuation with empty text.
    public var text: String
    public var role: Role
    public var isContinuation: Bool

    public static let blank = Cell(text: " ", role: .normal, isContinuation: false)
}

/// A screen as a grid of cells: screens draw into it, the terminal adaptor paints it, tests read
/// it back as lines of text.
public struct CellBuffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Writes `text` from column `x` of row `y` over as many rows as it needs, broken between
    /// words, each row at most `width` columns (a single word longer than that is cut); returns
    /// the rows used. For a message a receptionist must read to its end (what to set, where).
    @discardableResult
    public mutating func putWrapped(_ text: String, x: Int, y: Int, role: Role = .normal, width: Int) -> Int {
        guard width > 0 else { return 0 }
        let rows = Self.wrap(text, width: width)
        for (offset, row) in rows.enumerated() { put(row, x: x, y: y + offset, role: role, maxWidth: width) }
        return rows.count
    }

    /// `text` in rows of at most `width` columns, broken between words (a word longer than a row
    /// is cut when drawn).
    public static func wrap(_ text: String, width: Int) -> [String] {
        var rows: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if TerminalWidth.of(candidate) <= width || line.isEmpty {
                line = candidate
            } else {
                rows.append(line)
                line = String(word)
            }
        }
        if !line.isEmpty { rows.append(line) }
        return rows
    }

    /// Writes `text` from column `x` of row `y`, cut to `maxWidth` columns (with "…" when it had to
    /// be cut) and to the buffer's edge; returns the columns used. A double-width character that
    /// would straddle the limit becomes a space.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, role: Role = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(maxWidth ?? width, width - max(0, x))
        guard limit > 0 else { return 0 }
        let needsEllipsis = TerminalWidth.of(text) > limit
        let room = needsEllipsis ? limit - 1 : limit
        var column = x
        for character in text {
            let characterWidth = TerminalWidth.of(character)
            if characterWidth == 0 { continue }
            if column - x + characterWidth > room {
                if column - x < room { set(column, y, Cell(text: " ", role: role, isContinuation: false)); column += 1 }
                break
            }
            let printable: String
            if character.isNewline || character == "\t" {
                printable = " "
            } else if let ascii = character.asciiValue {
                // A control character (an escape, a bell, from the file or a paste) is one cell
                // here but two in ncurses ("^G"), and the cell after it is drawn over: shown as �.
                printable = ascii < 0x20 || ascii == 0x7F ? "\u{FFFD}" : String(character)
            } else if character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                printable = "\u{FFFD}"
            } else {
                printable = String(character)
            }
            set(column, y, Cell(text: printable, role: role, isContinuation: false))
            if characterWidth == 2 { set(column + 1, y, Cell(text: "", role: role, isContinuation: true)) }
            column += characterWidth
        }
        if needsEllipsis {
            set(column, y, Cell(text: "…", role: role, isContinuation: false))
            column += 1
        }
        return column - x
    }

    /// Paints `width` cells of row `y` from `x` with spaces in `role`.
    public mutating func fill(x: Int = 0, y: Int, width count: Int? = nil, role: Role) {
        guard y >= 0, y < height else { return }
        let end = min(width, x + (count ?? width))
        for column in max(0, x)..<max(max(0, x), end) { set(column, y, Cell(text: " ", role: role, isContinuation: false)) }
    }

    /// Writes `text` padded with spaces to exactly `width` columns, right-aligned if asked.
    @discardableResult
    public mutating func cell(_ text: String, x: Int, y: Int, width columns: Int, role: Role = .normal, right: Bool = false) -> Int {
        fill(x: x, y: y, width: columns, role: role)
        let textWidth = min(TerminalWidth.of(text), columns)
        return put(text, x: right ? x + columns - textWidth : x, y: y, role: role, maxWidth: columns)
    }

    /// A text field `columns` wide. While it is typed in, the cursor (▏) follows the text, and a
    /// text longer than the field shows "…" and its end: what is being typed stays in sight (an
    /// e-mail or a note longer than its field hid each letter added). Otherwise, as `cell`.
    @discardableResult
    public mutating func field(_ text: String, typing: Bool, x: Int, y: Int, width columns: Int, role: Role) -> Int {
        guard typing else { return cell(text, x: x, y: y, width: columns, role: role) }
        let shown = text + "▏"
        guard columns > 1, TerminalWidth.of(shown) > columns else { return cell(shown, x: x, y: y, width: columns, role: role) }
        var tail: [Character] = []
        var tailWidth = 0
        for character in shown.reversed() {
            let characterWidth = TerminalWidth.of(character)
            if tailWidth + characterWidth > columns - 1 { break }
            tail.append(character)
            tailWidth += characterWidth
        }
        return cell("…" + String(tail.reversed()), x: x, y: y, width: columns, role: role)
    }

    private mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, x < width, y >= 0, y < height else { return }
        // Overwriting half of a double-width character leaves a space, never half a glyph.
        let index = y * width + x
        if cells[index].isContinuation, x > 0 { cells[index - 1] = Cell(text: " ", role: cells[index - 1].role, isContinuation: false) }
        if x + 1 < width, cells[index + 1].isContinuation, !cell.isContinuation {
            cells[index + 1] = Cell(text: " ", role: cells[index + 1].role, isContinuation: false)
        }
        cells[index] = cell
    }

    /// Each row as text (continuations skipped, so a row of double-width names reads naturally),
    /// trailing spaces removed: what snapshot tests compare.
    public var lines: [String] {
        (0..<height).map { y in
            (0..<width).map { x in self[x, y] }.filter { !$0.isContinuation }.map(\.text).joined().trimmingTrailingSpaces()
        }
    }
}
