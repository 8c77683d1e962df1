import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskPayments
import FrontDeskStore
import FrontDeskTerminal
import Synchronization

public struct FrontDesk: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "frontdesk",
        abstract: "A keyboard-first front desk for hotels.",
        discussion: """
            Every command but payment-sim takes --db PATH (default $FRONTDESK_DB, else $XDG_DATA_HOME/frontdesk/frontdesk.sqlite, \
            else ~/.local/share/frontdesk/frontdesk.sqlite). FRONTDESK_TODAY=YYYY-MM-DD overrides the business date.
            """,
        version: versionLine,
        subcommands: [
            Desk.self, Demo.self, Search.self, Book.self, Bookings.self, Show.self, Cancel.self, CheckIn.self, CheckOut.self,
            Change.self, Move.self, NoShow.self, UndoCheckIn.self, UndoCheckOut.self, UndoNoShow.self,
            Rooms.self, RoomTypes.self, Occupancy.self, Report.self, Audit.self, HotelCommand.self, Saga.self, PaymentSim.self,
            SyncCommand.self, Conflicts.self, GenerateManual.self,
        ],
        defaultSubcommand: Desk.self
    )

    /// `frontdesk --version`: this build's version and the database schema it writes.
    public static let versionLine = "frontdesk \(FrontDeskVersion.current) (database schema \(FrontDeskStore.schemaVersion))"

    public init() {}

    /// Parses and runs; every failure ends as `error: ...` on stderr, and with `--json` also as
    /// `{"error":{...}}` on stdout, with a non-zero exit code.
    public static func runFromCommandLine(_ given: [String] = Array(CommandLine.arguments.dropFirst())) -> Never {
        let wantsJSON = given.contains("--json")
        let arguments: [String]
        do {
            arguments = negativeNumbersAsValues(try commonOptionsMovedAfterCommand(given))
        } catch {
            reportParseError(error, json: wantsJSON)
        }
        var command: any ParsableCommand
        if let plain = HotCommands.command(for: arguments), getenv("FRONTDESK_NO_HOT_PATH") == nil {
            command = plain // `search` or `book` without ArgumentParser's start-up cost (HotCommands)
        } else {
            do {
                command = try parseAsRoot(arguments)
            } catch {
                // A mistyped command name: the parser took it for an argument of the desk, and
                // showed the desk's usage. Said as it is, with the nearest command.
                if let unknown = unknownCommandMessage(arguments) {
                    reportParseError(ValidationError(unknown.message), json: wantsJSON, hint: unknown.hint)
                }
                // help and version exit 0; the rest validation_failed, 2
                reportParseError(error, json: wantsJSON, hint: commandFirstHint(arguments))
            }
        }
        do {
            StoreAccessTable.current.withLock { $0 = StoreAccessTable.access(of: command) }
            try command.run()
            if let problem = Output.standardOutputProblem() {
                // What the command did is done; only its answer was lost.
                var standardError = FileHandle.standardError
                print("error: the output could not be written (\(problem)); what the command did is done: look with `frontdesk bookings` or `frontdesk show`",
                      to: &standardError)
                Foundation.exit(1)
            }
            Foundation.exit(0)
        } catch let failure as CommandFailure {
            Foundation.exit(failure.exitCode)
        } catch {
            let code = exitCode(for: error)
            if code == ExitCode.success {
                FrontDesk.exit(withError: error)
            }
            if wantsJSON {
                let message = fullMessage(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
                Output.printJSON(Output.errorDocument(code: "validation_failed",
                                                      message: message.components(separatedBy: "\n").first ?? message,
                                                      details: []))
            }
            FrontDesk.exit(withError: error)
        }
    }
}

extension FrontDesk {
    /// The options every command takes (`CommonOptions`), as they may be typed before a command's name.
    static let leadingOptions = ["--db", "--user"]
    static let leadingFlags = ["--json"]

    /// `frontdesk --db X demo --rooms 500` runs as `frontdesk demo --rooms 500 --db X`: the options
    /// every command takes, typed before the command's name, are moved after it, where the command
    /// reads them. (Left where they were, ArgumentParser reads them as options of the desk, the
    /// default command, and then refuses the command's own options with the desk's usage.) Only a
    /// command line that starts with such options and then names a command is changed; one that
    /// gives the same option on both sides of the name is refused rather than one value dropped.
    static func commonOptionsMovedAfterCommand(_ arguments: [String]) throws -> [String] {
        var leading: [String] = []
        var names: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if leadingFlags.contains(argument) {
                leading.append(argument)
                names.append(argument)
                index += 1
            } else if leadingOptions.contains(argument), index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                names.append(argument)
                index += 2
            } else if let equals = argument.firstIndex(of: "="), leadingOptions.contains(String(argument[..<equals])) {
                leading.append(argument)
                names.append(String(argument[..<equals]))
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty, index < arguments.count, commandNames.contains(arguments[index]) else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.endIndex
        for name in names where rest[..<end].contains(where: { $0 == name || $0.hasPrefix(name + "=") }) {
            throw ValidationError("\(name) is given twice, before \(arguments[index]) and after it; give it once, after the command's name")
        }
        rest.insert(contentsOf: leading, at: end)
        return rest
    }

    /// The names of the top-level commands (`desk`, `demo`, `search`, ...).
    static var commandNames: [String] { configuration.subcommands.map { $0._commandName } }

    /// For a command line that failed to parse with options before a command's name
    /// (`frontdesk --rooms 5 demo --db X`): the same line with the name first, which is how
    /// commands read their options.
    /// "unknown command 'serch'" and a hint naming the nearest command, when the first argument is
    /// a word that names no command (the desk itself takes none).
    static func unknownCommandMessage(_ arguments: [String]) -> (message: String, hint: String)? {
        guard let first = arguments.first, !first.hasPrefix("-"), !commandNames.contains(first), first != "help" else { return nil }
        let nearest = commandNames.map { (name: $0, distance: editDistance(first.lowercased(), $0)) }.min { $0.distance < $1.distance }
        let suggestion = nearest.flatMap { $0.distance <= 2 ? "did you mean '\($0.name)'? " : nil } ?? ""
        return ("unknown command '\(first)'", "\(suggestion)`frontdesk --help` lists the commands")
    }

    /// Levenshtein distance, for a mistyped command's nearest name.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, left) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, right) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (left == right ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    static func commandFirstHint(_ arguments: [String]) -> String? {
        guard let first = arguments.first, first.hasPrefix("-"), first != "--",
              let position = arguments.firstIndex(where: { commandNames.contains($0) }),
              !arguments[..<position].contains("--") else { return nil }
        var reordered = arguments
        let name = reordered.remove(at: position)
        reordered.insert(name, at: 0)
        return "options go after the command's name: frontdesk \(reordered.joined(separator: " "))"
    }
}

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The database file.")
    var db: String?

    @Option(name: .long, help: "Who is at the desk, for the audit trail (default: your login name).")
    var user: String?

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    var databasePath: String {
        DatabaseLocation.resolve(option: db, environment: DatabaseLocation.environment(["FRONTDESK_DB", "XDG_DATA_HOME", "HOME"]))
    }

    var userName: String {
        if let user, !user.trimmingWhitespace().isEmpty { return user.trimmingWhitespace() }
        return DatabaseLocation.loginName()
    }

    /// Opens the store, honouring FRONTDESK_TODAY; reports an unreadable override as bad input.
    /// A command opens the file once (one connection); a long-running one (`saga run`), whose
    /// threads read while others write, asks for the pool.
    func openStore(oneConnection: Bool = true) throws -> FrontDeskStore {
        try checkCommonInput()
        let override = try Self.businessDateOverride()
        let store = try FrontDeskStore(path: databasePath, access: StoreAccessTable.current.withLock { $0 }, oneConnection: oneConnection,
                                       businessDate: override)
        try store.refuseSeveralHotels()
        return store
    }

    /// The payment service from `FRONTDESK_PAYMENT_URL`, else the settings file's `payment_url`;
    /// nil when neither is set. A malformed address is refused, naming where it came from.
    func paymentGateway() throws -> HTTPPaymentGateway? {
        let environment = ProcessInfo.processInfo.environment
        if let text = environment["FRONTDESK_PAYMENT_URL"], !text.isEmpty {
            return HTTPPaymentGateway(baseURL: try PaymentServiceAddress.parse(text, source: "FRONTDESK_PAYMENT_URL"))
        }
        guard let configured = DeskSettings.load().paymentURL else { return nil }
        return HTTPPaymentGateway(baseURL: try PaymentServiceAddress.parse(
            configured, source: "payment_url in \(DeskSettings.filePath(environment))"))
    }

    /// Runs a command body and prints its result as JSON or as text for a person.
    func run(_ body: (FrontDeskStore) throws -> Output.Result) throws {
        let access = StoreAccessTable.current.withLock { $0 }
        // A command that may create the file (`demo`, `hotel create`) and is refused leaves none.
        let newFile = access == .create ? NewDatabaseFile(path: databasePath) : nil
        do {
            let store = try openStore()
            let result: Output.Result
            do {
                result = try body(store)
            } catch {
                if let newFile, !newFile.existed, (try? store.hotel()) == nil {
                    try? store.close()
                    newFile.removeIfMadeHere()
                }
                throw error
            }
            if access != .read {
                // The process ends after this command: a file it wrote is closed now, and its
                // close copies the log into the file and syncs both (when no other connection
                // has it open). What is printed has been made durable: the log is synced after
                // unless that close emptied it (`syncLog`), one sync for all the commits.
                try? store.close()
                try store.syncLog()
            }
            if json {
                Output.printJSON(result.json)
            } else {
                let text = result.shownText
                if !text.isEmpty { print(Output.terminalSafe(text)) }
            }
            // Nothing is freed one object at a time before `exit`.
            Output.keptUntilExit += [store, result]
        } catch {
            throw Output.report(error, json: json)
        }
    }
}

/// How each command opens the database, written once: reading commands open it read-only (so
/// they work on a read-only file or folder and never create one), the commands that set up a
/// hotel may create it, and every other command needs an existing database it can write to.
enum StoreAccessTable {
    static func access(of command: any ParsableCommand) -> StoreAccess {
        switch command {
        case is Search, is Bookings, is Show, is Rooms.List, is RoomTypes.List, is Occupancy, is Report, is Audit,
             is HotelCommand.ShowHotel, is Saga.Status, is DeskStatus, is Conflicts:
            .read
        case is Demo, is HotelCommand.Create, is Desk, is DeskConnect:
            .create
        default:
            .write
        }
    }

    /// The command being run (set once, before it runs).
    static let current = Mutex<StoreAccess>(.write)
}

public enum DatabaseLocation {
    public static func resolve(option: String?, environment: [String: String]) -> String {
        if let option, !option.isEmpty { return expand(option) }
        if let path = environment["FRONTDESK_DB"], !path.isEmpty { return expand(path) }
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/frontdesk/frontdesk.sqlite" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/frontdesk/frontdesk.sqlite"
    }

    static func expand(_ path: String) -> String { (path as NSString).expandingTildeInPath }

    /// The named environment variables that are set: `ProcessInfo.environment` copies every one
    /// of them into a dictionary through Foundation, at every start.
    static func environment(_ names: [String]) -> [String: String] {
        var found: [String: String] = [:]
        for name in names { if let value = getenv(name) { found[name] = String(cString: value) } }
        return found
    }

    public static func loginName() -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "desk"
    }
}
