import Foundation
import FrontDeskTestSupport
import Testing

/// `frontdesk-server`'s own commands given what an operator might give them by mistake (session
/// 44's review): a cut-off export, a file that is not one, a full disk, a port out of range or
/// in use, a password no login could carry. Each is said in words (no backtrace, no Swift error
/// dump) and writes nothing.
@Suite struct AdminInputTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-admin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static func swiftDump(_ text: String) -> Bool {
        ["DecodingError", "Error Domain=", "Fatal error", "CodingKeys", "errno:"].contains { text.contains($0) }
    }

    /// Bad input the argument parser finds (an unknown option, a role that does not exist) exits
    /// 2, as `frontdesk` and the domain's `validation_failed` do; it exited 64 (session 55).
    @Test func badOptionsExitTwoAsTheDesksDo() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("server.sqlite").path
        for arguments in [["users", "add", "bob", "--role", "boss", "--password-stdin"], ["hotels", "list", "--bogus"]] {
            let refused = try ServerHarness.run(arguments, database: database, input: "")
            #expect(refused.status == 2, "\(arguments): \(refused.status) \(refused.output)")
            #expect(refused.output.contains("--role is receptionist, manager or admin") || refused.output.contains("Unknown option '--bogus'"),
                    "\(refused.output)")
        }
        #expect(try ServerHarness.run(["--help"]).status == 0)
    }

    @Test func anExportCutOffOrNotAnExportIsRefusedWholeAndTheWholeFileImports() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source.sqlite").path
        let hotel = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: source)
        let exported = try ServerHarness.run(["export", "--hotel", hotel], database: source)
        try #require(exported.status == 0, "\(exported.output.prefix(300))")
        let lines = exported.output.split(separator: "\n")
        #expect(lines.last?.contains("\"kind\":\"end\"") == true && lines.count > 10)

        let target = folder.appendingPathComponent("target.sqlite").path
        let cutOff = lines.dropLast(3).joined(separator: "\n") + "\n" // a copy stopped before the users and the end
        let extraLine = exported.output + lines[2] + "\n" // something after the end
        for (file, says) in [(cutOff, "cut off"), (extraLine, "comes after the end line"), ("hello\n", "is not a Front Desk hotel export"),
                             (lines[0] + "\n{\"not\":\"ours\"}\n", "line 2 is not a line of an export (no kind)")] {
            let refused = try ServerHarness.run(["import"], database: target, input: file)
            #expect(refused.status != 0 && refused.output.contains(says), "\(refused.output)")
            #expect(!Self.swiftDump(refused.output), "\(refused.output)")
            let listed = try ServerHarness.run(["hotels", "list", "--json"], database: target).output
            #expect(!listed.contains(hotel), "nothing imported: \(listed)")
        }
        let imported = try ServerHarness.run(["import"], database: target, input: exported.output)
        #expect(imported.status == 0 && imported.output.contains("1 users"), "\(imported.output)")
    }

    @Test func anExportThatCannotBeWrittenSaysWhyAndDoesNotCrash() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source.sqlite").path
        let hotel = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: source)
        let process = Process()
        process.executableURL = ServerHarness.productsFolder().appendingPathComponent("frontdesk-server")
        process.arguments = ["export", "--hotel", hotel, "--db", source]
        process.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let said = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(process.terminationStatus): \(said)")
        #expect(said.lowercased().contains("space") && said.contains("incomplete"), "\(said)")
        #expect(!Self.swiftDump(said), "\(said)")
    }

    /// `serve` on a mistyped path is refused (it served an empty chain nobody could sign in to),
    /// as are `--db` with `--database`, an empty `--db` and a host that is no address; a secret
    /// file named on the command line wins over FRONTDESK_JWT_SECRET, and a missing one is named
    /// with the system's reason; a list that cannot be written exits 1.
    @Test func serveAndListsRefuseWhatAnOperatorMistyped() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("nodir/s.sqlite").path
        let served = try ServerHarness.run(["serve", "--db", missing, "--dev", "--port", "0"])
        #expect(served.status == 1 && served.output.contains("there is no Front Desk database at \(missing)"), "\(served.output)")
        #expect(!served.output.contains("listening on") && !FileManager.default.fileExists(atPath: missing))
        let disabled = try ServerHarness.run(["users", "disable", "ghost", "--db", missing])
        #expect(disabled.status == 1 && !FileManager.default.fileExists(atPath: missing), "\(disabled.output)")

        let database = folder.appendingPathComponent("s.sqlite").path
        #expect(try ServerHarness.run(["hotels", "add", "--name", "Mars", "--time-zone", "Europe/Vienna", "--currency", "EUR"],
                                      database: database).status == 0)
        let both = try ServerHarness.run(["hotels", "list", "--db", database, "--database", "postgres://fd@127.0.0.1:1/x"])
        #expect(both.status != 0 && both.output.contains("not both"), "\(both.output)")
        let empty = try ServerHarness.run(["serve", "--db", "", "--dev", "--port", "0"])
        #expect(empty.status != 0 && empty.output.contains("--db is empty"), "\(empty.output)")
        let nowhere = try ServerHarness.run(["serve", "--db", database, "--dev", "--host", "nowhere.invalid", "--port", "0"])
        #expect(nowhere.status == 1 && nowhere.output.contains("cannot listen on nowhere.invalid"), "\(nowhere.output)")
        #expect(!Self.swiftDump(nowhere.output) && !nowhere.output.contains("SocketAddressError"), "\(nowhere.output)")
        let noKey = folder.appendingPathComponent("no.key").path
        let keyMissing = try ServerHarness.run(["serve", "--db", database, "--jwt-secret-file", noKey, "--port", "0"],
                                               environment: ["FRONTDESK_JWT_SECRET": String(repeating: "s", count: 40)])
        #expect(keyMissing.status != 0 && keyMissing.output.contains("No such file or directory"), "\(keyMissing.output)")
        #expect(!keyMissing.output.contains("listening on"), "the environment's secret was used instead of the file named")

        let full = Process()
        full.executableURL = ServerHarness.productsFolder().appendingPathComponent("frontdesk-server")
        full.arguments = ["hotels", "list", "--db", database]
        full.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        full.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try full.run()
        full.waitUntilExit()
        #expect(full.terminationStatus == 1, "a list written to a full disk must not exit 0")
    }

    /// An operator disables, enables and resets a user's password from the command line, on
    /// either backend; each is said in words, and a login follows what was set.
    @Test(arguments: [false, true])
    func aUserIsDisabledEnabledAndGivenANewPassword(onPostgres: Bool) throws {
        let server = onPostgres ? try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase()) : try ServerHarness()
        func login(_ password: String) throws -> Int {
            try server.call("POST", "/api/auth/token", json: ["username": "anna", "password": password]).status
        }
        let reset = try ServerHarness.run(["users", "password", "anna", "--password-stdin", "--password-rounds", "1000"],
                                          database: server.database, input: "a-new-password-for-anna\n")
        #expect(reset.status == 0 && reset.output.contains("password set"), "\(reset.output)")
        #expect(try login("password-of-anna") == 401)
        #expect(try login("a-new-password-for-anna") == 200)
        let short = try ServerHarness.run(["users", "password", "anna", "--password-stdin"], database: server.database, input: "short\n")
        #expect(short.status != 0 && short.output.contains("at least 8 characters"), "\(short.output)")

        #expect(try ServerHarness.run(["users", "disable", "anna"], database: server.database).output.contains("User anna disabled"))
        #expect(try login("a-new-password-for-anna") == 401)
        let again = try ServerHarness.run(["users", "disable", "anna"], database: server.database)
        #expect(again.status == 0 && again.output.contains("was disabled already"), "\(again.output)")
        let enabled = try ServerHarness.run(["users", "enable", "anna"], database: server.database)
        #expect(enabled.status == 0 && enabled.output.contains("User anna enabled"), "\(enabled.output)")
        #expect(try login("a-new-password-for-anna") == 200)
        let ghost = try ServerHarness.run(["users", "enable", "ghost"], database: server.database)
        #expect(ghost.status == 3 && ghost.output.contains("No user named"), "\(ghost.output)")
    }

    /// The chain's only active admin could be disabled: "User root disabled", exit 0, and no
    /// account was left to act on every hotel through the API (session 60). On either backend it
    /// is refused in words, exit 5 (`invalid_state`, as `saga retry` of nothing stopped), nothing
    /// changed; an admin that is disabled does not count, and with another active admin it goes
    /// through.
    @Test(arguments: [false, true])
    func theLastActiveAdminCannotBeDisabled(onPostgres: Bool) throws {
        let server = onPostgres ? try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase()) : try ServerHarness()
        let database = server.database
        func users(_ arguments: [String], input: String? = nil) throws -> (status: Int32, output: String) {
            try ServerHarness.run(["users"] + arguments, database: database, input: input)
        }
        func isDisabled(_ name: String) throws -> Bool? {
            let listed = try users(["list", "--json"]).output
            let accounts = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any])?["users"] as? [[String: Any]] ?? []
            return accounts.first { $0["name"] as? String == name }?["disabled"] as? Bool
        }
        let refused = try users(["disable", "root"])
        #expect(refused.status == 5, "\(refused.status): \(refused.output)")
        #expect(refused.output == "error: root is the last active admin: add another admin first "
                + "(frontdesk-server users add NAME --role admin --password-stdin)\n", "\(refused.output)")
        #expect(try isDisabled("root") == false)
        #expect(try server.call("POST", "/api/auth/token", json: ["username": "root", "password": "password-of-root"]).status == 200)

        // A second admin that is disabled leaves root the last active one.
        let added = try users(["add", "spare", "--role", "admin", "--password-stdin", "--password-rounds", "1000"], input: "password-of-spare\n")
        #expect(added.status == 0, "\(added.output)")
        #expect(try users(["disable", "spare"]).status == 0)
        let stillLast = try users(["disable", "ROOT"])
        #expect(stillLast.status == 5 && stillLast.output.contains("root is the last active admin"), "\(stillLast.output)")
        #expect(try isDisabled("root") == false)

        // Enabled again, spare is an active admin: root may go, and then spare is the last.
        #expect(try users(["enable", "spare"]).status == 0)
        let disabled = try users(["disable", "root"])
        #expect(disabled.status == 0 && disabled.output.contains("User root disabled"), "\(disabled.output)")
        let last = try users(["disable", "spare"])
        #expect(last.status == 5 && last.output.contains("spare is the last active admin"), "\(last.output)")
        #expect(try isDisabled("spare") == false)
        #expect(try isDisabled("root") == true)
        // Disabling one that is disabled already changes nothing, and is not refused.
        let again = try users(["disable", "root"])
        #expect(again.status == 0 && again.output.contains("was disabled already"), "\(again.output)")
    }

    /// `serve`'s own refusals are said alone, exit 2: they were followed by the root command's
    /// usage ("Usage: frontdesk-server <subcommand>"), as if `serve` had not been typed (session 60).
    @Test func aPortOutOfRangeOrInUseIsRefusedInWords() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        let outOfRange = try ServerHarness.run(["serve", "--db", database, "--dev", "--port", "99999"])
        #expect(outOfRange.status != 0 && outOfRange.output.contains("--port 99999 is not a port"), "\(outOfRange.output)")
        #expect(!outOfRange.output.contains("listening on"), "it listened on 99999 - 65536: \(outOfRange.output)")
        let seventyThousand = try ServerHarness.run(["serve", "--db", database, "--dev", "--port", "70000"])
        #expect(seventyThousand.status == 2, "\(seventyThousand.status): \(seventyThousand.output)")
        #expect(seventyThousand.output == "error: --port 70000 is not a port: 1 to 65535, or 0 for a free one\n", "\(seventyThousand.output)")
        #expect(!seventyThousand.output.contains("Usage:") && !seventyThousand.output.contains("<subcommand>"), "\(seventyThousand.output)")

        let server = try ServerHarness()
        #expect(try ServerHarness.run(["hotels", "add", "--name", "Mars", "--time-zone", "Europe/Vienna", "--currency", "EUR"],
                                      database: database).status == 0)
        let taken = try ServerHarness.run(["serve", "--db", database, "--dev", "--port", String(server.port)])
        #expect(taken.status == 1 && taken.output.contains("cannot listen on 127.0.0.1:\(server.port): the port is in use"), "\(taken.output)")
        #expect(!Self.swiftDump(taken.output) && !taken.output.contains("bind("), "\(taken.output)")
    }

    @Test func aUserNoLoginCouldCarryIsRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        let hotel = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: database)
        let huge = String(repeating: "p", count: 70_000)
        let long = try ServerHarness.run(["users", "add", "bob", "--role", "receptionist", "--hotel", hotel, "--password-stdin",
                                          "--password-rounds", "1000"], database: database, input: huge + "\n")
        #expect(long.status != 0 && long.output.contains("at most 1024 characters"), "\(long.output.prefix(300))")
        #expect(long.output.count < 2000, "the password is not echoed")
        let badEmail = try ServerHarness.run(["users", "add", "bob", "--role", "receptionist", "--hotel", hotel, "--email", "notanemail",
                                              "--password-stdin", "--password-rounds", "1000"], database: database, input: "password-of-bob\n")
        #expect(badEmail.status != 0 && badEmail.output.contains("is not an e-mail address"), "\(badEmail.output)")
        let users = try ServerHarness.run(["users", "list", "--json"], database: database).output
        #expect(!users.contains("\"bob\""), "\(users)")
    }

    /// A missing database is the file's failure, not the command line's: exit 1 and no usage text.
    /// A first `hotels add` refused (a time zone that is not one) leaves no empty database behind.
    @Test func aMissingDatabaseIsNoUsageErrorAndARefusedFirstCommandLeavesNoFile() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        let missing = try ServerHarness.run(["hotels", "list"], database: database)
        #expect(missing.status == 1 && missing.output.contains("there is no Front Desk database at \(database)"), "\(missing.output)")
        #expect(!missing.output.contains("Usage:") && !Self.swiftDump(missing.output), "\(missing.output)")

        let refused = try ServerHarness.run(["hotels", "add", "--name", "Mars", "--time-zone", "Mars/Olympus", "--currency", "EUR"],
                                            database: database)
        #expect(refused.status != 0 && refused.output.contains("Mars/Olympus"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: database), "a refused first command left a database file")
        let added = try ServerHarness.run(["hotels", "add", "--name", "Mars", "--time-zone", "Europe/Vienna", "--currency", "EUR"],
                                          database: database)
        #expect(added.status == 0 && FileManager.default.fileExists(atPath: database), "\(added.output)")
        // A refusal on a file that was there already leaves the file and its hotel.
        let again = try ServerHarness.run(["hotels", "add", "--name", "Venus", "--time-zone", "Nowhere", "--currency", "EUR"],
                                          database: database)
        #expect(again.status != 0 && FileManager.default.fileExists(atPath: database), "\(again.output)")
        #expect(try ServerHarness.run(["hotels", "list"], database: database).output.contains("Mars"))
    }

    /// `saga retry` of a booking with nothing stopped says so and queues nothing; of none, not found.
    @Test func sagaRetryOfABookingWithNothingStoppedIsRefused() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        _ = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: database)
        let exported = try ServerHarness.run(["hotels", "list", "--json"], database: database).output
        let hotel = try #require((try JSONSerialization.jsonObject(with: Data(exported.utf8)) as? [String: Any])
            .flatMap { ($0["hotels"] as? [[String: Any]])?.first?["hotelId"] as? String })
        let lines = try ServerHarness.run(["export", "--hotel", hotel], database: database).output.split(separator: "\n")
        let code = try #require(lines.lazy.compactMap { line -> String? in
            guard let range = line.range(of: #""confirmation":"[A-Z0-9-]+""#, options: .regularExpression) else { return nil }
            return String(line[range].dropFirst(16).dropLast())
        }.first)
        let nothing = try ServerHarness.run(["saga", "retry", code], database: database)
        // `invalid_state`: 5, as on `frontdesk` (it was 2, bad input, which a script would not retry).
        #expect(nothing.status == 5 && nothing.output.contains("has no payment step that needs attention"), "\(nothing.status): \(nothing.output)")
        let unknown = try ServerHarness.run(["saga", "retry", UUID().uuidString], database: database)
        #expect(unknown.status == 3, "\(unknown.output)")
    }
}
