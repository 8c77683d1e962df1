import CNcursesw
import Foundation
import FrontDeskScreens

/// The only code that touches ncurses. Create, use and close it on one thread (the UI thread).
final class NcursesTerminal {
    private var screen: OpaquePointer?
    private var painted: CellBuffer?
    private let useColor: Bool
    private let theme: Theme

    enum Failure: Error, CustomStringConvertible {
        case noTerminal(String)
        var description: String {
            switch self { case .noTerminal(let reason): reason }
        }
    }

    /// Starts full-screen mode. An unknown `TERM` is an error to show, not an exit inside ncurses.
    init(theme requested: Theme) throws {
        setlocale(LC_ALL, "")
        if String(cString: nl_langinfo(nl_item(CODESET))) != "UTF-8" { setlocale(LC_ALL, "C.UTF-8") }
        guard isatty(STDIN_FILENO) != 0, isatty(STDOUT_FILENO) != 0 else {
            throw Failure.noTerminal("Front Desk needs a terminal (stdin and stdout are not one); use the subcommands for scripts")
        }
        // Our own FILE handles: Swift 6 refuses the global stdout and stdin.
        guard let output = fdopen(STDOUT_FILENO, "w"), let input = fdopen(STDIN_FILENO, "r"),
              let created = newterm(nil, output, input) else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw Failure.noTerminal("the terminal type '\(term)' is unknown here; try TERM=xterm-256color")
        }
        set_term(created)
        // A terminal that cannot move the cursor (TERM=dumb) would show one line of a desk whose
        // keys still act on screens nobody sees.
        guard fd_has_string_capability("cup") != 0 else {
            endwin()
            delscreen(created)
            let term = ProcessInfo.processInfo.environment["TERM"] ?? "(unset)"
            throw Failure.noTerminal("the terminal type '\(term)' cannot move the cursor, which the desk needs; try TERM=xterm-256color")
        }
        screen = created
        cbreak()
        // Ctrl-Q and Ctrl-S are flow control to the tty unless IXON is off; Ctrl-Q quits here.
        var modes = termios()
        if tcgetattr(STDIN_FILENO, &modes) == 0 {
            modes.c_iflag &= ~tcflag_t(IXON)
            tcsetattr(STDIN_FILENO, TCSANOW, &modes)
        }
        noecho()
        nonl()
        keypad(fd_stdscr(), true)
        set_escdelay(25)
        def_prog_mode() // the modes above are the desk's; endwin restores the shell's
        curs_set(0)
        // Bracketed paste: the terminal marks pasted text, so its line breaks are text, not Enter.
        Self.writeToTerminal("\u{1B}[?2004h")
        useColor = has_colors() && requested != .monochrome
        theme = useColor ? requested : .monochrome
        if useColor {
            start_color()
            use_default_colors()
            Palette.install(theme)
        }
    }

    /// A terminal mode ncurses has no call for, written straight to the terminal (unbuffered).
    private static func writeToTerminal(_ sequence: String) {
        let bytes = Array(sequence.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }

    /// Leaves full-screen mode and restores the terminal (echo, cursor, main screen).
    func close() {
        guard let active = screen else { return }
        curs_set(1)
        // Without an alternate screen (the Linux console, vt100) the last frame would stay
        // under the shell's prompt: cleared first.
        if fd_has_string_capability("smcup") == 0 {
            erase()
            refresh()
        }
        Self.writeToTerminal("\u{1B}[?2004l")
        endwin()
        delscreen(active)
        screen = nil
    }

    var size: (width: Int, height: Int) { (Int(getmaxx(fd_stdscr())), Int(getmaxy(fd_stdscr()))) }

    /// Paints only the cells that changed since the last frame, then updates the terminal once.
    func paint(_ buffer: CellBuffer) {
        let previous = painted?.width == buffer.width && painted?.height == buffer.height ? painted : nil
        if previous == nil { erase() }
        for y in 0..<buffer.height {
            var x = 0
            while x < buffer.width {
                let cell = buffer[x, y]
                defer { x += 1 }
                if cell.isContinuation { continue }
                if let previous, previous[x, y] == cell, x + 1 >= buffer.width || previous[x + 1, y] == buffer[x + 1, y] { continue }
                // The bottom-right cell scrolls some terminals when written: skip it.
                if y == buffer.height - 1 && x == buffer.width - 1 { continue }
                var characters = TerminalWidth.cellText(cell.text).unicodeScalars.map { wchar_t(bitPattern: $0.value) } + [0]
                let (attributes, pair) = Palette.style(for: cell.role, in: theme, color: useColor)
                _ = fd_put_cell(Int32(y), Int32(x), &characters, attributes, pair)
            }
        }
        refresh()
        painted = buffer
    }

    /// Back from a suspend (Ctrl-Z, `fg`): the shell turned bracketed paste off to run its
    /// commands, so pasted line breaks would be Enter again; on again, and all drawn anew.
    func resumed() {
        Self.writeToTerminal("\u{1B}[?2004h")
        invalidate()
    }

    /// Forgets what is on screen, so the next paint redraws everything (after a resize).
    func invalidate() {
        painted = nil
        clearok(fd_stdscr(), true)
    }

    /// Every key waiting now, without blocking, decoded as one batch (`KeyDecoder`: an Esc followed
    /// at once by a function key is Esc and that key). A resize carries the size it brought, so
    /// the keys after it are handled at the new size and those before it at the old one.
    func pendingInput() -> [TerminalInput] {
        nodelay(fd_stdscr(), true)
        var raw: [KeyDecoder.Raw] = []
        var value: wint_t = 0
        while true {
            let status = get_wch(&value)
            if status == ERR { break }
            if status == KEY_CODE_YES {
                if Int32(value) == KEY_RESIZE {
                    let (width, height) = size
                    raw.append(.resize(width: width, height: height))
                } else if let key = Self.functionKey(Int32(value)) {
                    raw.append(.key(key))
                }
                continue
            }
            raw.append(.scalar(UInt32(value)))
        }
        return KeyDecoder.decode(raw)
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_ENTER: return .enter
        case KEY_BTAB: return .backTab
        default:
            for number in 1...12 where code == fd_key_f(Int32(number)) { return .function(number) }
            return nil
        }
    }
}

/// Roles to ncurses colour pairs and attributes, from the theme.
enum Palette {
    static let roles = Role.allCases

    static func install(_ theme: Theme) {
        for (index, role) in roles.enumerated() {
            let style = theme.style(for: role)
            init_pair(Int16(index + 1), color(style.foreground), color(style.background))
        }
    }

    static func color(_ color: Theme.Color) -> Int16 {
        switch color {
        case .default: -1
        case .black: Int16(COLOR_BLACK)
        case .red: Int16(COLOR_RED)
        case .green: Int16(COLOR_GREEN)
        case .yellow: Int16(COLOR_YELLOW)
        case .blue: Int16(COLOR_BLUE)
        case .magenta: Int16(COLOR_MAGENTA)
        case .cyan: Int16(COLOR_CYAN)
        case .white: Int16(COLOR_WHITE)
        }
    }

    static func style(for role: Role, in theme: Theme, color: Bool) -> (attr_t, Int16) {
        let style = theme.style(for: role)
        var attributes: attr_t = 0
        if style.bold { attributes |= fd_a_bold() }
        if style.underline { attributes |= fd_a_underline() }
        if style.reverse { attributes |= fd_a_reverse() }
        if style.dim { attributes |= fd_a_dim() }
        return (attributes, color ? Int16(roles.firstIndex(of: role)! + 1) : 0)
    }
}
