import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore

/// `frontdesk generate-manual` (not listed in help): prints the man page frontdesk(1) in roff.
/// scripts/install writes it to PREFIX/share/man/man1/frontdesk.1.
struct GenerateManual: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-manual", abstract: "Print the manual page frontdesk(1) in roff.", shouldDisplay: false)

    func run() throws {
        print(try ManualPage.render(toolInfoJSON: FrontDesk._dumpHelp()), terminator: "")
    }
}

/// The man page is made from the parser's own description of every command (the JSON of
/// `--experimental-dump-help`) and from the desk's `CommandTable`, so it says what this build does.
enum ManualPage {
    static func render(toolInfoJSON: String) throws -> String {
        let tool = try JSONDecoder().decode(ToolInfo.self, from: Data(toolInfoJSON.utf8)).command
        var page = Roff()
        page.line(".TH FRONTDESK 1 \"\" \"Front Desk \(FrontDeskVersion.current)\" \"Front Desk Manual\"")
        page.line(".nh") // paths and option names are not hyphenated
        page.line(".ad l")
        page.section("NAME")
        page.text("frontdesk - \(tool.abstract.map(lowercasedFirst) ?? "a front desk for hotels")")
        page.section("SYNOPSIS")
        page.line("\\fBfrontdesk\\fR [\\fIcommand\\fR] [\\fIoptions\\fR]")
        page.line(".br")
        page.line("\\fBfrontdesk \\-\\-version\\fR | \\fB\\-\\-help\\fR | \\fB\\-\\-generate\\-completion\\-script\\fR \\fIbash\\fR|\\fIzsh\\fR|\\fIfish\\fR")
        page.section("DESCRIPTION")
        page.paragraphs(tool.discussion ?? "")
        if let desk = tool.defaultSubcommand {
            page.paragraph("Without a command, frontdesk runs \\fBfrontdesk \(Roff.escaped(desk))\\fR: the full-screen desk (see KEYS).",
                           escaping: false)
        }
        page.section("COMMON OPTIONS")
        page.text("Every command that reads or writes the hotel takes these.")
        var described: Set<String> = []
        for argument in tool.allSubcommands.flatMap(\.displayedArguments) {
            guard let name = argument.longName, commonOptions.contains(name), described.insert(name).inserted else { continue }
            page.argument(argument)
        }
        page.section("COMMANDS")
        for command in tool.visibleSubcommands { page.command(command, path: ["frontdesk"], defaultName: tool.defaultSubcommand) }
        keys(into: &page)
        reference(into: &page)
        return page.text
    }

    /// Described once under COMMON OPTIONS, not under each command.
    static let commonOptions: Set<String> = ["db", "user", "json"]

    private static func keys(into page: inout Roff) {
        page.section("KEYS")
        page.paragraphs(CommandTable.rule.joined(separator: " "))
        var scopes: [Scope] = []
        for command in CommandTable.all where !scopes.contains(command.scope) { scopes.append(command.scope) }
        for scope in scopes {
            page.subsection(scopeTitles[scope] ?? scope.rawValue)
            var seen: Set<String> = []
            // The help overlay's one-line summary of Alt-e/m/n/u: the page lists each key instead.
            for command in CommandTable.all where command.scope == scope && command.id != .changeKeys {
                let keys = command.keys.map(\.description).joined(separator: ", ")
                guard seen.insert(keys + command.description).inserted else { continue }
                page.line(".TP")
                page.line("\\fB\(Roff.escaped(keys))\\fR")
                page.text(command.description)
            }
        }
    }

    private static let scopeTitles: [Scope: String] = [
        .everywhere: "Everywhere", .search: "Room search", .booking: "Booking form", .bookings: "Bookings",
        .today: "Today", .rooms: "Rooms", .roomsShown: "Rooms on a connected desk (the booking server's, shown only)",
        .roomPlan: "Room plan", .dashboard: "Occupancy dashboard",
        .confirm: "A question (check-in, check-out, cancel, move, no-show, undo)", .edit: "Editing a booking (Alt-e)",
        .conflicts: "Conflicts (F8)", .movePrompt: "Moving a booking (Alt-m, then the room number)",
    ]

    private static func reference(into page: inout Roff) {
        page.section("ENVIRONMENT")
        let environment: [(String, String)] = [
            ("FRONTDESK_DB", "The database file when --db is not given."),
            ("XDG_DATA_HOME", "Without --db or FRONTDESK_DB the database is $XDG_DATA_HOME/frontdesk/frontdesk.sqlite, else ~/.local/share/frontdesk/frontdesk.sqlite."),
            ("XDG_CONFIG_HOME", "The settings file is $XDG_CONFIG_HOME/frontdesk/config.toml (default ~/.config/frontdesk/config.toml): theme, payment_url, export_dir. Own themes go in its themes/ folder."),
            ("XDG_STATE_HOME", "The desk logs to $XDG_STATE_HOME/frontdesk/frontdesk.log (default ~/.local/state/frontdesk/frontdesk.log)."),
            ("FRONTDESK_TODAY", "YYYY-MM-DD: the hotel's business date (training mode, tests)."),
            ("FRONTDESK_PAYMENT_URL", "The payment service for card payments, e.g. http://127.0.0.1:8099 (else payment_url in the settings file)."),
            ("FRONTDESK_EXPORT_DIR", "Where the dashboard writes its CSV files (else export_dir, else the current folder)."),
            ("FRONTDESK_THEMES", "A folder of theme files that overrides the shipped themes of the same name."),
            ("NO_COLOR", "No colours."),
        ]
        for (name, meaning) in environment { page.tagged(name, meaning) }
        page.section("EXIT STATUS")
        let statuses: [(String, String)] = [
            ("0", "Success."),
            ("1", "storage_error: the database cannot be opened, read or written, or is not a Front Desk database; port_unavailable; anything else."),
            ("2", "validation_failed: the input breaks a rule, or the command line cannot be read."),
            ("3", "not_found: no such booking, room, room type or hotel."),
            ("4", "room_unavailable: another booking holds the room, or it is out of service."),
            ("5", "invalid_state: not possible in the booking's status."),
            ("6", "conflict: a request id reused with other details, a stale version, a duplicate name; card_offline: a card cannot be charged while the server does not answer; conflicts resolve: the server refused the resolution again (a new conflict; the booking is printed)."),
            ("7", "book --wait: the booking ended Failed (declined card, hold expired)."),
            ("8", "sync: operations left to push (the reason on stderr); desk connect, sync: the server unreachable (offline) or the credential refused (unauthorized), or not a Front Desk server (bad_server); replica_too_old; book --payment card: the server's answer lost (outcome_unknown: run it again with the same --request-id)."),
        ]
        for (status, meaning) in statuses { page.tagged(status, meaning) }
        page.paragraph("With --json an error is also one document on standard output: {\"error\":{\"code\",\"message\",\"details\"}}.")
        page.section("VERSION")
        page.text("\(FrontDesk.versionLine). Front Desk is numbered by semantic versioning, 0.x before its first "
                  + "release; the database schema has its own whole number, raised by every migration. A database "
                  + "written with a newer schema is refused.")
    }

    private static func lowercasedFirst(_ text: String) -> String {
        let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
        return trimmed.prefix(1).lowercased() + trimmed.dropFirst()
    }
}

/// A roff (man macros) document being written.
struct Roff {
    private(set) var text = ""

    mutating func line(_ raw: String) { text += raw + "\n" }
    mutating func section(_ title: String) { line(".SH \(title)") }
    mutating func subsection(_ title: String) { line(".SS \"\(Self.escaped(title).replacingOccurrences(of: "\"", with: "\\(dq"))\"") }

    /// Text that roff fills; line breaks in it are kept.
    mutating func text(_ prose: String) {
        let lines = prose.split(separator: "\n", omittingEmptySubsequences: false).map { Self.escapedLine(String($0)) }
        line(lines.joined(separator: "\n.br\n"))
    }

    mutating func paragraph(_ prose: String, escaping: Bool = true) {
        line(".PP")
        if escaping { text(prose) } else { line(prose) }
    }

    /// Blank lines in the text start new paragraphs.
    mutating func paragraphs(_ prose: String) {
        for paragraph in prose.components(separatedBy: "\n\n") where !paragraph.isEmpty { self.paragraph(paragraph) }
    }

    mutating func tagged(_ tag: String, _ meaning: String) {
        line(".TP")
        line("\\fB\(Self.escaped(tag))\\fR")
        text(meaning)
    }

    mutating func command(_ command: ToolInfo.Command, path: [String], defaultName: String?) {
        let path = path + [command.commandName]
        subsection(path.joined(separator: " ") + (command.commandName == defaultName ? " (the default)" : ""))
        if let abstract = command.abstract { text(abstract) }
        if let discussion = command.discussion { paragraphs(discussion) }
        let arguments = command.displayedArguments
        if command.visibleSubcommands.isEmpty || !arguments.isEmpty {
            line(".PP")
            line(([Self.bold(path.joined(separator: " "))] + arguments.map(Self.synopsis)).joined(separator: " "))
        }
        for argument in arguments where !ManualPage.commonOptions.contains(argument.longName ?? "") { self.argument(argument) }
        for subcommand in command.visibleSubcommands { self.command(subcommand, path: path, defaultName: command.defaultSubcommand) }
    }

    mutating func argument(_ argument: ToolInfo.Argument) {
        line(".TP")
        line(Self.names(argument))
        var meaning = argument.abstract ?? ""
        if let values = argument.allValues, !values.isEmpty, !values.allSatisfy(meaning.contains) {
            meaning += " (one of: \(values.joined(separator: ", ")))"
        }
        if let value = argument.defaultValue, argument.kind != "flag", !value.isEmpty, !meaning.contains("default") {
            meaning += " (default: \(value))"
        }
        text(meaning)
        if let discussion = argument.discussion, !discussion.isEmpty { paragraphs(discussion) }
    }

    static func bold(_ text: String) -> String { "\\fB\(escaped(text))\\fR" }
    static func italic(_ text: String) -> String { "\\fI\(escaped(text))\\fR" }

    /// `--check-in <check-in>`, `-h, --help`, `<reference>`.
    static func names(_ argument: ToolInfo.Argument) -> String {
        let value = italic(argument.valueName ?? "value")
        let names = (argument.names ?? []).map { bold(($0.kind == "short" ? "-" : "--") + $0.name) }.joined(separator: ", ")
        switch argument.kind {
        case "positional": return value + (argument.isRepeating ? " ..." : "")
        case "option": return "\(names) \(value)" + (argument.isRepeating ? " ..." : "")
        default: return names
        }
    }

    static func synopsis(_ argument: ToolInfo.Argument) -> String {
        let name = argument.preferredName.map { ToolInfo.Argument.Name(kind: $0.kind, name: $0.name) }
        let one = ToolInfo.Argument(kind: argument.kind, shouldDisplay: true, isOptional: argument.isOptional,
                                    isRepeating: argument.isRepeating, names: name.map { [$0] } ?? argument.names,
                                    preferredName: name, valueName: argument.valueName, defaultValue: nil, allValues: nil,
                                    abstract: nil, discussion: nil)
        let text = names(one)
        return argument.isOptional ? "[\(text)]" : text
    }

    /// Characters roff would read as its own: backslashes, hyphens (printed as typed, so options
    /// can be copied), arrows (named glyphs, which also read in ASCII), other non-ASCII as `\[uXXXX]`.
    static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\e"
            case "-": out += "\\-"
            case "↑": out += "\\(ua"
            case "↓": out += "\\(da"
            case "←": out += "\\(<-"
            case "→": out += "\\(->"
            case _ where scalar.isASCII: out.unicodeScalars.append(scalar)
            default: out += "\\[u" + String(format: "%04X", scalar.value) + "]"
            }
        }
        return out
    }

    /// A line of text: escaped, and never read as a request (a leading `.` or `'`).
    static func escapedLine(_ text: String) -> String {
        let escaped = escaped(text)
        return escaped.hasPrefix(".") || escaped.hasPrefix("'") ? "\\&" + escaped : escaped
    }
}

/// The part of swift-argument-parser's `--experimental-dump-help` JSON (ToolInfoV0) the page uses.
struct ToolInfo: Decodable {
    let command: Command

    struct Command: Decodable {
        let commandName: String
        let abstract: String?
        let discussion: String?
        let shouldDisplay: Bool?
        let defaultSubcommand: String?
        let subcommands: [Command]?
        let arguments: [Argument]?

        /// Without the parser's own `help` command (the page is the help).
        var visibleSubcommands: [Command] {
            (subcommands ?? []).filter { ($0.shouldDisplay ?? true) && $0.commandName != "help" }
        }
        var allSubcommands: [Command] { visibleSubcommands.flatMap { [$0] + $0.allSubcommands } }
        /// Shown in help, without `--help` and `--version` (the SYNOPSIS names them once).
        var displayedArguments: [Argument] {
            (arguments ?? []).filter { $0.shouldDisplay && !["help", "version"].contains($0.longName ?? "") }
        }
    }

    struct Argument: Decodable {
        let kind: String
        let shouldDisplay: Bool
        let isOptional: Bool
        let isRepeating: Bool
        let names: [Name]?
        let preferredName: Name?
        let valueName: String?
        let defaultValue: String?
        let allValues: [String]?
        let abstract: String?
        let discussion: String?

        struct Name: Decodable {
            let kind: String
            let name: String
        }

        var longName: String? { names?.first { $0.kind == "long" }?.name }
    }
}
