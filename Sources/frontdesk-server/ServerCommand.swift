import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskPayments
import FrontDeskPostgres
import FrontDeskServer
import FrontDeskStore
import FrontDeskURLSession
import Logging

@main
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "frontdesk-server",
        abstract: "The booking server of a hotel chain: the REST API, tokens, and the booking saga.",
        discussion: """
            Every command takes --db PATH (default $FRONTDESK_SERVER_DB, else $XDG_DATA_HOME/frontdesk/server.sqlite, \
            else ~/.local/share/frontdesk/server.sqlite). `serve`, `migrate`, `hotels`, `users`, `export` and `import` take \
            --database postgres://USER@HOST:PORT/DB instead (default $FRONTDESK_DATABASE_URL when --db is not given); \
            run `migrate` first; `saga retry` takes it too. `demo` runs on SQLite only (--db PATH or $FRONTDESK_SERVER_DB). \
            `serve` charges cards through $FRONTDESK_PAYMENT_URL; without it card bookings are refused.
            """,
        version: "frontdesk-server \(FrontDeskVersion.current) (database schema \(FrontDeskStore.schemaVersion))",
        subcommands: [Serve.self, Hotels.self, Users.self, ServerDemo.self, Migrate.self, Export.self, Import.self, ServerSaga.self]
    )

    /// ArgumentParser's own run, with two changes: bad input it finds (an unknown option, a
    /// missing argument) exits 2, as `frontdesk` and the domain's `validation_failed` do, not 64,
    /// its words unchanged; and a command's own refusal thrown from its `run` is said alone
    /// (`CommandRefusal`), for every command alike.
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exitAsTheParserDoes(error)
        }
        do {
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch let refusal as ValidationError {
            CommandRefusal.sayAlone(refusal)
        } catch {
            exitAsTheParserDoes(error)
        }
    }

    /// `error` as ArgumentParser says it (with the usage of the command it was parsing), exit 2
    /// for bad input, else its own status.
    static func exitAsTheParserDoes(_ error: any Error) -> Never {
        if exitCode(for: error) == .validationFailure {
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(CommandExitCodes.forCode("validation_failed"))
        }
        exit(withError: error)
    }
}

/// A command's own refusal of what was typed: a `ValidationError` thrown from its `run` (`users
/// add --role boss`, `users add` without `--password-stdin`, `serve --port 70000`, a weak secret,
/// a line of `import`, `--db` with `--database`). Left to ArgumentParser, it was followed by the
/// root command's usage ("Usage: frontdesk-server <subcommand>  See 'frontdesk-server --help'"),
/// as if no subcommand had been typed: ArgumentParser knows which command it was in only for what
/// it finds while parsing. `main` says every command's alike, so none is left out. (Checks in a
/// command's `validate()` still come with that command's usage: they are usage mistakes.)
enum CommandRefusal {
    /// `refusal` alone, `error: …` on stderr, exit 2 (bad input, as before and as `frontdesk`).
    static func sayAlone(_ refusal: ValidationError) -> Never {
        FileHandle.standardError.write(Data("error: \(refusal.message)\n".utf8))
        Foundation.exit(CommandExitCodes.forCode("validation_failed"))
    }
}

struct DatabaseOption: ParsableArguments {
    @Option(name: .customLong("db"), help: "The server's database file.") var path: String?
    @Option(name: .customLong("database"), help: "A PostgreSQL database URL, postgres://USER@HOST:PORT/DB (default $FRONTDESK_DATABASE_URL when --db is not given).")
    var url: String?

    /// The PostgreSQL database asked for with --database, or by FRONTDESK_DATABASE_URL when --db is
    /// not given; nil for SQLite.
    func postgres() throws -> PostgresURL? {
        if path != nil && url != nil {
            throw ValidationError("give --db PATH (SQLite) or --database URL (PostgreSQL), not both")
        }
        if path?.isEmpty == true { throw ValidationError("--db is empty: give the database file's path") }
        if let url, !url.isEmpty { return try Self.parse(url, source: "--database") }
        if path == nil, let text = ProcessInfo.processInfo.environment["FRONTDESK_DATABASE_URL"], !text.isEmpty {
            return try Self.parse(text, source: "FRONTDESK_DATABASE_URL")
        }
        return nil
    }

    static func parse(_ text: String, source: String) throws -> PostgresURL {
        do {
            return try PostgresURL.parse(text, source: source)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Refuses a PostgreSQL database for a command that runs on SQLite only.
    func requireSQLite(for command: String) throws {
        guard let url = try postgres() else { return }
        throw ValidationError("""
            \(command) needs an SQLite database (--db PATH); it does not run on PostgreSQL (\(url)). \
            `serve`, `migrate`, `hotels`, `users`, `export` and `import` take --database
            """)
    }

    var resolved: String {
        if let path, !path.isEmpty { return path }
        let environment = ProcessInfo.processInfo.environment
        if let path = environment["FRONTDESK_SERVER_DB"], !path.isEmpty { return path }
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share").path
        return data + "/frontdesk/server.sqlite"
    }

    func open(access: StoreAccess = .create, for command: String = "This command") throws -> FrontDeskStore {
        try requireSQLite(for: command)
        do {
            return try FrontDeskStore(path: resolved, access: access)
        } catch StoreError.noDatabase(let path, let reason) {
            // The store's own words name the desk's commands; a server's file is made by these.
            // Not a usage error: no usage text, exit 1 as the desk's commands.
            throw CommandFailure("there is no Front Desk database at \(path) (\(reason)); "
                                 + "`frontdesk-server demo` or `frontdesk-server hotels add` creates one")
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    /// Runs a command that may create the SQLite file; when the file was not there before and the
    /// command fails (a time zone that is not one, a demo seed refused) leaving it without any
    /// hotel, the new file goes again, so a refused first command leaves no empty database behind
    /// to be served or backed up. A file that holds a hotel by then (a demo's first hotel, or
    /// another command's on the same new path) is kept.
    func removingNewFileOnFailure(_ body: () throws -> Void) throws {
        let newFile = try postgres() == nil ? NewDatabaseFile(path: resolved) : nil
        do {
            try body()
        } catch {
            newFile?.removeIfMadeHereAndHoldsNoHotel()
            throw error
        }
    }

    /// The chain for a command that goes through the storage interface: the SQLite file, or the
    /// PostgreSQL database (one connection; its schema must be migrated).
    func openChain(access: StoreAccess = .create) throws -> any ChainStorage {
        guard let url = try postgres() else { return try open(access: access) }
        return try PostgresChainStorage(url: url, poolSize: 1)
    }
}

/// Runs a command body; a domain error ends as `error: …` and the exit status of its code
/// (`CommandExitCodes`: 2 bad input, 3 not found, 5 not allowed now, 6 conflict…), as `frontdesk` does.
/// A command that could not finish for a reason outside the database (standard output full or
/// closed, standard input a folder): said in words, exit 1.
/// Thrown outside `reporting` too: ArgumentParser then prints its description ("Error: …") and
/// exits 1, with no usage text, as the failure is the file's or the disk's, not the command line's.
struct CommandFailure: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }

    /// An operating-system error as its words ("No space left on device"), not Foundation's dump.
    static func reason(_ error: any Error) -> String {
        operatingSystemWords(for: error) ?? error.localizedDescription
    }
}

func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
        // What was printed must have reached its file (`hotels list > /dev/full` said nothing and exited 0).
        // (A reader gone, EPIPE, is not the command's failure.)
        // glibc drops a buffer it could not write and answers the next flush with success: the
        // stream's error flag keeps what happened to it.
        if (fflush(nil) != 0 && errno != EPIPE) || standardOutputHasFailed() {
            let reason = String(cString: strerror(errno))
            throw CommandFailure("standard output could not be written (\(reason)); what this command printed is incomplete")
        }
    } catch let error as CommandFailure {
        FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
        throw ExitCode(1)
    } catch let error as FrontDeskError {
        FileHandle.standardError.write(Data("error: \(CardNumber.redacted(in: error.message))\n".utf8))
        throw ExitCode(CommandExitCodes.forCode(error.code))
    } catch let error as StoreError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    } catch let error as PostgresStoreError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// C's `stdout` error flag: set by a write that failed while `print`'s buffer filled. The
/// variable is read through the loader (Swift 6 refuses a reference to the C global itself).
func standardOutputHasFailed() -> Bool {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "stdout"),
          let file = symbol.assumingMemoryBound(to: UnsafeMutablePointer<FILE>?.self).pointee else { return false }
    return ferror(file) != 0
}

func printJSON(_ value: JSONValue) {
    print(value.rendered(pretty: true))
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Answer the booking API over HTTP.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 takes a free one.") var port = 8080
    @Option(name: .customLong("jwt-secret-file"), help: "File holding the token signing secret (at least 32 bytes).")
    var jwtSecretFile: String?
    @Flag(help: "Development: without a secret, make a random one (tokens die with the process).") var dev = false
    @Option(name: .customLong("password-rounds"), help: .hidden) var passwordRounds = PasswordHasher.standardRounds
    @Option(name: .customLong("saga-lease"), help: .hidden) var sagaLease: TimeInterval = 120
    @Option(name: .customLong("rate-limit"), help: "Requests a second per token, bursts of twice that; 0 for no limit.")
    var rateLimit: Double = 200
    @Option(name: .customLong("account-recheck"), help: .hidden) var accountRecheck: Double = 5
    @Option(name: .customLong("feed-days"), help: "Days of changes kept for listeners that reconnect (Last-Event-ID); at least 1.")
    var feedDays = 7
    @Option(name: .customLong("pool-size"), help: "PostgreSQL: connections to the database, and threads making blocking calls (1 to 500).")
    var poolSize = Self.defaultPoolSize

    /// 8 worker threads (as on SQLite) and 2 more for the booking intakes' group commits.
    static let defaultPoolSize = 10

    /// `serve`'s own refusals (a port out of range, a missing or weak secret, a bad environment
    /// value) are thrown as `ValidationError`s, which `main` says alone (`CommandRefusal`), exit 2.
    /// (Checked in `validate()`, they would come with `serve`'s usage, but a secret file is no
    /// usage mistake, and reading it there would read it twice.)
    func run() async throws {
        guard rateLimit >= 0 else { throw ValidationError("--rate-limit is 0 (no limit) or more") }
        guard (1...3650).contains(feedDays) else { throw ValidationError("--feed-days is 1 to 3650") }
        guard (1...500).contains(poolSize) else { throw ValidationError("--pool-size is 1 to 500") }
        // Out of range, the listener took the number modulo 65,536: --port 99999 listened on 34463.
        guard (0...65_535).contains(port) else { throw ValidationError("--port \(port) is not a port: 1 to 65535, or 0 for a free one") }
        let bookingLanes = try Self.bookingLanes(ProcessInfo.processInfo.environment["FRONTDESK_BOOKING_LANES"])
        let bookingGathering = try Self.bookingGathering(ProcessInfo.processInfo.environment["FRONTDESK_BOOKING_GATHER"])
        let postgres = try database.postgres()
        let secret = try loadSecret()
        var logger = Logger(label: "frontdesk-server") { label in ServerLogHandler(label: label) }
        logger.logLevel = .info
        let gateway: HTTPPaymentGateway?
        if let text = ProcessInfo.processInfo.environment["FRONTDESK_PAYMENT_URL"], !text.isEmpty {
            do {
                gateway = HTTPPaymentGateway(baseURL: try PaymentServiceAddress.parse(text, source: "FRONTDESK_PAYMENT_URL"),
                                             exchange: URLSessionExchange(),
                                             reportCallWithoutOutcome: { [logger] problem in logger.warning("payment service", metadata: ["problem": "\(problem)"]) })
            } catch {
                throw ValidationError(error.message)
            }
        } else {
            gateway = nil
        }
        // The runner's default name, runner-PID@HOST~PIDNS~BOOT~NONCE, is unique across the hosts,
        // machines and containers that share one PostgreSQL; a claim of a process gone from this
        // host, PID namespace and boot is taken over at once, any other after its lease.
        let runnerName: String? = nil
        let served: ServerDatabase
        let runner: SagaRunner?
        let workerThreads: Int
        if let postgres {
            let storage: PostgresChainStorage
            do {
                // Refuses a schema older (migrate first) or newer than this build's, and a database
                // that does not answer, before listening.
                storage = try PostgresChainStorage(url: postgres, poolSize: poolSize, bookingLanes: bookingLanes,
                                                   bookingGathering: bookingGathering,
                                                   instanceName: PostgresChainStorage.serverInstanceName())
            } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                throw ExitCode(1)
            }
            if let problem = (try? storage.clockAheadOfDatabase()).flatMap(PostgresChainStorage.clockProblem(aheadBy:)) {
                if problem.refuse {
                    FileHandle.standardError.write(Data("error: \(problem.words)\n".utf8))
                    throw ExitCode(1)
                }
                logger.warning("clock", metadata: ["problem": "\(problem.words)"])
            }
            served = ServerDatabase(chain: storage, summary: "PostgreSQL \(postgres), \(poolSize) connections",
                                    ping: storage.ping, isUnavailable: PostgresChainStorage.isUnavailable, requestCounts: storage)
            // Any instance's runner takes any due message; a killed instance's card calls are
            // taken over after the lease, with the same idempotency keys.
            runner = SagaRunner(queue: storage.sagaQueue(), gateway: gateway, name: runnerName, lease: sagaLease,
                                reportProblem: Self.sagaProblemReporter(logger), reportLoopLine: Self.sagaLoopReporter(logger))
            workerThreads = poolSize
        } else {
            // An existing database only: a mistyped path served an empty chain nobody could sign in to.
            var opened: FrontDeskStore?
            try reporting { opened = try database.open(access: .write, for: "`serve`") }
            guard let store = opened else { throw ExitCode(1) }
            // Group commit's checkpoints on a thread of their own, not inside a booking's commit.
            store.checkpointInBackground()
            served = .sqlite(store)
            runner = SagaRunner(store: store, gateway: gateway, name: runnerName, lease: sagaLease,
                                reportProblem: Self.sagaProblemReporter(logger), reportLoopLine: Self.sagaLoopReporter(logger))
            workerThreads = 8
        }
        logger.info("database", metadata: ["database": "\(served.summary)"])
        let state = ServerState(database: served, runner: runner, signer: TokenSigner(secret: secret),
                                hasher: PasswordHasher(rounds: passwordRounds), gateway: gateway, workerThreads: workerThreads,
                                requestsPerSecondPerToken: rateLimit, accountRecheck: accountRecheck,
                                feedRetention: TimeInterval(feedDays) * 86400)
        let application = BookingServer.application(state: state, host: host, port: port, logger: logger) { host, port in
            // Tests and scripts read this first line to find the port.
            // An IPv6 address goes in brackets in a URL (`http://[::1]:8080`).
            let shown = host.contains(":") ? "[\(host)]" : host
            FileHandle.standardOutput.write(Data("listening on http://\(shown):\(port)\n".utf8))
        }
        let ran: Result<Void, any Error>
        do {
            try await BookingServer.run(application, logger: logger)
            ran = .success(())
        } catch {
            ran = .failure(error)
        }
        await state.shutDown()
        if case .failure(let error) = ran, let problem = BookingServer.listeningProblem(error, host: host, port: port) {
            FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            throw ExitCode(1)
        }
        try ran.get()
    }

    /// The saga runner's problems as the server's other lines: structured, on stderr, card
    /// numbers masked (they were bare lines beside the log's).
    static func sagaProblemReporter(_ logger: Logger) -> @Sendable (String) -> Void {
        { problem in logger.error("saga runner", metadata: ["problem": "\(CardNumber.redacted(in: problem))"]) }
    }

    /// The runner loop's failures (`RepeatedProblemLog`): the first at once, then at most one line
    /// a minute while they go on, with how many recurred since the last line, and one line when the
    /// database answers again. (While PostgreSQL was down, every failed pass was a line, about
    /// every 1.1 s.)
    static func sagaLoopReporter(_ logger: Logger) -> @Sendable (RepeatedProblemLog.Line) -> Void {
        { line in
            switch line {
            case .failing(let problem, let unsaid, let failingFor):
                var metadata: Logger.Metadata = ["problem": .string(CardNumber.redacted(in: problem))]
                if unsaid > 0 {
                    metadata["recurred"] = .string("\(unsaid)")
                    metadata["failing_for_s"] = .string("\(Int(failingFor))")
                }
                logger.error("saga runner", metadata: metadata)
            case .workingAgain(let failures, let lasted):
                logger.info("saga runner: the database answers again",
                            metadata: ["failures": .string("\(failures)"), "failing_for_s": .string("\(Int(lasted))")])
            }
        }
    }

    /// `FRONTDESK_BOOKING_LANES` (PostgreSQL): unset or empty is the default (2); anything but a
    /// whole number from 1 to 16 is refused before listening, rather than quietly run with lanes
    /// the operator did not ask for.
    static func bookingLanes(_ text: String?) throws -> Int {
        try wholeNumber("FRONTDESK_BOOKING_LANES", text, in: 1...16) ?? PostgresChainStorage.defaultBookingLanes
    }

    /// `FRONTDESK_BOOKING_GATHER` (PostgreSQL): how many bookings a lane waits up to 2 ms for
    /// while as many are in flight; unset or empty is the default (5), 1 waits for none. Anything
    /// but a whole number from 1 to 64 is refused before listening.
    static func bookingGathering(_ text: String?) throws -> BookingIntake.Gathering {
        try wholeNumber("FRONTDESK_BOOKING_GATHER", text, in: 1...64).map { BookingIntake.Gathering(atLeast: $0) }
            ?? PostgresChainStorage.defaultBookingGathering
    }

    /// The whole number in environment variable `name` (`text`), nil when unset or empty; a value
    /// outside `range` or not a whole number is refused, naming the variable and the range.
    static func wholeNumber(_ name: String, _ text: String?, in range: ClosedRange<Int>) throws -> Int? {
        let trimmed = text?.trimmingCharacters(in: .whitespaces) ?? ""
        guard !trimmed.isEmpty else { return nil }
        guard let number = Int(trimmed), range.contains(number) else {
            throw ValidationError("\(name) is a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(trimmed.prefix(40))\"")
        }
        return number
    }

    /// `--jwt-secret-file` when given (the command line says more than the environment it runs
    /// in: a file named and missing must not fall back in silence to another secret), else
    /// `FRONTDESK_JWT_SECRET`, else `--dev`'s random one.
    func loadSecret() throws -> Data {
        if let jwtSecretFile {
            // Read with the system's calls: its words ("No such file or directory", "Is a
            // directory", "Permission denied") say what to fix; Foundation's say only that it failed.
            let descriptor = open(jwtSecretFile, O_RDONLY)
            guard descriptor >= 0 else {
                throw ValidationError("cannot read the secret file \(jwtSecretFile): \(String(cString: strerror(errno)))")
            }
            defer { close(descriptor) }
            // A file, and a small one: `/dev/zero` gave a megabyte of zero bytes, a secret anyone can guess.
            var status = stat()
            guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG, status.st_size <= 64 * 1024 else {
                throw ValidationError("the secret file \(jwtSecretFile) must be a file of at most 64 KiB holding the secret")
            }
            var data = Data()
            var chunk = [UInt8](repeating: 0, count: 4096)
            while data.count <= 64 * 1024 {
                let count = read(descriptor, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else {
                    throw ValidationError("cannot read the secret file \(jwtSecretFile): \(String(cString: strerror(errno)))")
                }
                if count == 0 { break }
                data.append(contentsOf: chunk[0..<count])
            }
            // A text file without the spaces and line end around it (as always); a binary file
            // as its own bytes (read as text, each byte that was not UTF-8 became three, and a
            // 16-byte file passed for 32), untrimmed: a random byte may be a space.
            let trimmed = String(data: data, encoding: .utf8).map { Data($0.trimmingCharacters(in: .whitespacesAndNewlines).utf8) } ?? data
            if let problem = Self.weakness(of: trimmed) { throw ValidationError("\(jwtSecretFile) \(problem)") }
            return trimmed
        }
        if let text = ProcessInfo.processInfo.environment["FRONTDESK_JWT_SECRET"], !text.isEmpty {
            if let problem = Self.weakness(of: Data(text.trimmingCharacters(in: .whitespacesAndNewlines).utf8)) {
                throw ValidationError("FRONTDESK_JWT_SECRET \(problem)")
            }
            return Data(text.utf8)
        }
        guard dev else {
            throw ValidationError("no token signing secret: set FRONTDESK_JWT_SECRET or give --jwt-secret-file PATH (at least 32 bytes), or --dev for a throwaway one")
        }
        var generator = SystemRandomNumberGenerator()
        let secret = Data((0..<48).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        FileHandle.standardError.write(Data("frontdesk-server: --dev: signing tokens with a random secret; they stop working when this process ends\n".utf8))
        return secret
    }
}

struct Hotels: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hotels", abstract: "The chain's hotels.",
                                                    subcommands: [Add.self, List.self, Configure.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a hotel.")
        @OptionGroup var database: DatabaseOption
        @Option var name: String
        @Option(name: .customLong("time-zone"), help: "IANA time zone, e.g. Europe/Vienna.") var timeZone: String
        @Option(help: "ISO 4217 currency code, e.g. EUR.") var currency: String
        @Flag var json = false

        func run() throws {
            try reporting { try database.removingNewFileOnFailure {
                let hotel = try database.openChain().addChainHotel(name: name, timeZone: timeZone, currency: currency, by: "frontdesk-server")
                if json { printJSON(hotel.jsonWithSettings) } else { print("Hotel \(hotel.name) added: \(hotel.id.uuidString.lowercased())") }
            } }
        }
    }

    /// A hotel's settings, as a standalone desk's `hotel configure` changes its own: the desks
    /// connected to the hotel follow them (they refuse to change them themselves).
    struct Configure: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "configure",
            abstract: "Change a hotel's name, hold minutes and no-show rules; its connected desks take them up at their next sync.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The hotel's id (hotels list).") var hotel: String
        @Option(help: "The hotel's new name.") var name: String?
        @Option(name: .customLong("hold-minutes"), help: "How long an unpaid hold keeps its room (1 to 1440; default 15).")
        var holdMinutes: Int?
        @Option(name: .customLong("no-show-cutoff"),
                help: "From this hour (HH:00 from 06:00 to 23:00, hotel time) an arrival who has not come may be marked a no-show on the arrival day (default 18:00).")
        var noShowCutoff: String?
        @Option(name: .customLong("no-show-fee"), help: "first_night (the first night stays charged, the default) or none.")
        var noShowFee: String?
        @Flag var json = false

        func run() throws {
            try reporting {
                var problems: [String] = []
                let hotelId = UUID(uuidString: hotel.trimmingWhitespace())
                if hotelId == nil { problems.append("--hotel \(BookingRules.quoted(hotel)) is not a hotel id (a UUID; see hotels list)") }
                var change = HotelSettingsChange()
                do throws(FrontDeskError) {
                    change = try HotelSettingsChange(name: name, holdMinutes: holdMinutes, typedCutoff: noShowCutoff, typedFee: noShowFee)
                } catch { problems += error.details }
                if name == nil && holdMinutes == nil && noShowCutoff == nil && noShowFee == nil {
                    problems.append("Nothing to change: give --name, --hold-minutes, --no-show-cutoff or --no-show-fee")
                }
                guard problems.isEmpty, let hotelId else { throw FrontDeskError.validationFailed(problems) }
                let chain = try database.openChain(access: .write)
                guard try chain.hotels().contains(where: { $0.id == hotelId }) else {
                    throw FrontDeskError.notFound("No hotel with id \(hotelId.uuidString.lowercased())")
                }
                let changed = try chain.hotel(hotelId).configureHotel(change, by: "frontdesk-server")
                if json {
                    printJSON(changed.jsonWithSettings)
                } else {
                    print("\(changed.name): holds last \(changed.holdMinutes) minutes; no-shows from \(changed.noShowPolicy.cutoffText), "
                        + "fee \(changed.noShowPolicy.fee.rawValue)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the hotels.")
        @OptionGroup var database: DatabaseOption
        @Flag var json = false

        func run() throws {
            try reporting {
                let hotels = try database.openChain(access: .read).hotels()
                if json {
                    printJSON(.object([("hotels", .array(hotels.map(\.jsonWithSettings)))]))
                } else {
                    for hotel in hotels { print("\(hotel.id.uuidString.lowercased())  \(hotel.name)  (\(hotel.timeZoneIdentifier), \(hotel.currency))") }
                }
            }
        }
    }
}

/// The sagas' steps that stopped: on either backend, as `frontdesk saga retry` on a desk's file.
struct ServerSaga: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "saga", abstract: "The booking sagas' payment steps.",
                                                    subcommands: [Retry.self])

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Queue again a refund or payment settlement that stopped and needs attention; a running server's saga runner takes it.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "Booking id or confirmation code.") var reference: String

        func run() throws {
            try reporting {
                let booking = try database.openChain(access: .write).retryStoppedPayment(reference, by: "frontdesk-server")
                print("Booking \(booking.confirmationCode): queued again for the saga runner")
            }
        }
    }
}

extension Serve {
    /// What makes `secret` too weak to sign tokens with (fewer than 32 bytes, or bytes too alike to
    /// be random: 35 spaces, a file of one byte repeated), nil when it will do.
    static func weakness(of secret: Data) -> String? {
        if secret.count < 32 { return "holds \(secret.count) bytes (spaces and line ends around a text secret not counted); a signing secret needs at least 32" }
        if Set(secret).count < 8 { return "holds only \(Set(secret).count) different bytes; a signing secret must be random (e.g. `head -c 48 /dev/urandom | base64`)" }
        return nil
    }
}

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "users", abstract: "The server's user accounts.",
                                                    subcommands: [Add.self, List.self, Disable.self, Enable.self, Password.self])

    /// A new password from one line of standard input, held to the rules of `users add`, as its hash.
    static func passwordHashFromStandardInput(rounds: Int) throws -> String {
        // What `import` takes (`ImportRules.hashRounds`): an account this server made must move.
        guard ImportRules.hashRounds.contains(rounds) else {
            throw ValidationError("--password-rounds is \(ImportRules.hashRounds.lowerBound) to \(ImportRules.hashRounds.upperBound)")
        }
        // From a terminal: a prompt, and what is typed is not shown (it stayed on the screen).
        guard let line = SecretInput.readLine(prompt: "Password: "), !line.isEmpty else { throw ValidationError("no password on standard input") }
        // Bytes that are not UTF-8 became U+FFFD on the way in: any nine such bytes were the same
        // password, and not the one typed.
        guard !line.unicodeScalars.contains("\u{FFFD}") else {
            throw ValidationError("the password holds bytes that are not UTF-8 text; type it again as text")
        }
        guard line.count >= 8 else { throw ValidationError("a password needs at least 8 characters") }
        // Longer, the login's body passes the API's 64 KiB limit: an account nobody can sign in to.
        guard line.count <= 1024 else { throw ValidationError("a password is at most 1024 characters") }
        return try PasswordHasher(rounds: rounds).hash(line)
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a user; the password is read from standard input.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The new user's name, as typed at sign-in.") var name: String
        @Option(help: "receptionist, manager or admin.") var role: String
        @Option(help: "The hotel id of a receptionist or manager.") var hotel: String?
        @Option(help: "E-mail address (put in the token's email claim).") var email: String = ""
        @Flag(name: .customLong("password-stdin"), help: "Read the password from one line of standard input (required).") var passwordStdin = false
        @Option(name: .customLong("password-rounds"), help: .hidden) var passwordRounds = PasswordHasher.standardRounds

        func run() throws {
            guard passwordStdin else { throw ValidationError("give --password-stdin and the password on standard input (never as an argument)") }
            guard let role = UserRole(rawValue: role.lowercased()) else { throw ValidationError("--role is receptionist, manager or admin") }
            var hotelId: UUID?
            if let hotel {
                guard let id = UUID(uuidString: hotel) else { throw ValidationError("--hotel \(hotel) is not a hotel id") }
                hotelId = id
            }
            let hash = try Users.passwordHashFromStandardInput(rounds: passwordRounds)
            guard email.isEmpty || BookingRules.isValidEmail(email.trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--email \(BookingRules.quoted(String(email.prefix(80)))) is not an e-mail address")
            }
            // A refused user on a mistyped --db leaves no new empty database behind to be served.
            try reporting { try database.removingNewFileOnFailure {
                let account = try database.openChain().addUser(name: name, role: role, email: email, hotelId: hotelId, passwordHash: hash,
                                                          by: "frontdesk-server")
                print("User \(account.name) added as \(account.role.rawValue)")
            } }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the users (never their passwords).")
        @OptionGroup var database: DatabaseOption
        @Flag var json = false

        func run() throws {
            try reporting {
                let accounts = try database.openChain(access: .read).userAccounts()
                if json {
                    printJSON(.object([("users", .array(accounts.map { account in
                        .object([("name", .string(account.name)), ("role", .string(account.role.rawValue)),
                                 ("email", .string(account.email)),
                                 ("hotelId", account.hotelId.map { .string($0.uuidString.lowercased()) } ?? .null),
                                 ("disabled", .bool(account.isDisabled))])
                    }))]))
                } else {
                    for account in accounts {
                        print("\(account.name)  \(account.role.rawValue)  \(account.hotelId?.uuidString.lowercased() ?? "all hotels")\(account.isDisabled ? "  (disabled)" : "")")
                    }
                }
            }
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Stop a user from getting tokens.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The user's name.") var name: String

        func run() throws { try Users.set(name, disabled: true, in: database) }
    }

    /// `disable` and `enable`: the account set so, and said so (or that it was so already).
    static func set(_ name: String, disabled: Bool, in database: DatabaseOption) throws {
        try reporting {
            let chain = try database.openChain(access: .write)
            let already = try chain.userAccount(named: name)?.isDisabled == disabled
            let account = try chain.updateUser(named: name, disabled: disabled, passwordHash: nil, by: "frontdesk-server")
            let state = disabled ? "disabled" : "enabled"
            print(already ? "User \(account.name) was \(state) already" : "User \(account.name) \(state)")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Let a disabled user get tokens again.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The user's name.") var name: String

        func run() throws { try Users.set(name, disabled: false, in: database) }
    }

    struct Password: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "password", abstract: "Set a user's password; the new one is read from standard input.",
            discussion: "Tokens issued for the old password stop working on every running instance within its account recheck (5 s), and their event streams end.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The user's name.") var name: String
        @Flag(name: .customLong("password-stdin"), help: "Read the password from one line of standard input (required).") var passwordStdin = false
        @Option(name: .customLong("password-rounds"), help: .hidden) var passwordRounds = PasswordHasher.standardRounds

        func run() throws {
            guard passwordStdin else { throw ValidationError("give --password-stdin and the password on standard input (never as an argument)") }
            let hash = try Users.passwordHashFromStandardInput(rounds: passwordRounds)
            try reporting {
                let account = try database.openChain(access: .write).updateUser(named: name, disabled: nil, passwordHash: hash, by: "frontdesk-server")
                print("User \(account.name)'s password set")
            }
        }
    }
}

struct ServerDemo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Add demo hotels with rooms and bookings.")
    @OptionGroup var database: DatabaseOption
    @Option var hotels = 2
    @Option var rooms = 120
    @Option var days = 365
    @Option var seed: UInt64 = 1

    func run() throws {
        guard (1...20).contains(hotels) else { throw ValidationError("--hotels is 1 to 20") }
        try reporting { try database.removingNewFileOnFailure {
            let store = try database.open(for: "`demo`")
            let now = Date()
            let generators = (0..<hotels).map { index in
                var generator = DemoHotelGenerator(roomCount: rooms, days: days, occupancy: 0.7, seed: seed &+ UInt64(index),
                                                   businessDate: DemoHotelGenerator.businessDate(at: now), now: now)
                // Named by seed, as a database holds one hotel of each: "Hotel Aurora", "Hotel Aurora 2", …
                // (a chain's hotels all read "Hotel Aurora" in `GET /api/hotels`).
                if generator.seed != 1 { generator.name = "Hotel Aurora \(generator.seed)" }
                return generator
            }
            // A seed makes the same hotel, id and all: a seed already used is said in words (not
            // as UNIQUE), and before any hotel is added, so a refused run adds none.
            let here = Set(try store.hotels().map(\.id))
            for generator in generators {
                try generator.validate()
                if here.contains(generator.hotelId) {
                    let last = seed &+ UInt64(hotels - 1)
                    throw FrontDeskError.conflict("The demo hotel of seed \(generator.seed) is in this database already "
                                                  + "(\(generator.hotelId.uuidString.lowercased())); nothing was added. Give a --seed "
                                                  + "whose hotels are not here (this run used \(seed == last ? "\(seed)" : "\(seed) to \(last)"))")
                }
            }
            for generator in generators {
                let demo = generator.generate()
                try store.importDemoIntoChain(demo, by: "frontdesk-server")
                print("Hotel \(demo.hotel.name) added: \(demo.hotel.id.uuidString.lowercased()), \(demo.rooms.count) rooms, \(demo.bookings.count) bookings")
            }
        } }
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or upgrade the schema of a PostgreSQL database (--database URL or FRONTDESK_DATABASE_URL).",
        discussion: "Numbered migrations, each applied once; a database with a newer schema than this build knows is refused untouched.")
    @OptionGroup var database: DatabaseOption

    func run() throws {
        guard let url = try database.postgres() else {
            throw ValidationError("migrate needs --database postgres://USER@HOST:PORT/DB (or FRONTDESK_DATABASE_URL); an SQLite file (--db) is migrated when it is opened")
        }
        do {
            let (applied, version) = try PostgresChainStorage.migrate(url: url)
            if applied.isEmpty {
                print("The schema of \(url) is up to date (version \(version)).")
            } else {
                print("Migrated \(url) to schema version \(version) (applied \(applied.map(String.init).joined(separator: ", "))).")
            }
        } catch let error as PostgresStoreError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
