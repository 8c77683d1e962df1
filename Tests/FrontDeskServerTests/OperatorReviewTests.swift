import Foundation
import FrontDeskTestSupport
import Testing

/// What a review of the operator's side found (session 52): a password that was not the one
/// typed, a signing secret shorter than it looked, a refused user leaving an empty database, an
/// import refused in the wrong words, and exit statuses unlike `frontdesk`'s.
@Suite struct OperatorReviewTests {
    /// `frontdesk-server` with raw bytes on standard input (not UTF-8 text).
    static func run(_ arguments: [String], bytes: [UInt8], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = ServerHarness.productsFolder().appendingPathComponent("frontdesk-server")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, set in set }
        let output = Pipe(), input = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Nine bytes that are not UTF-8 were stored as nine U+FFFD: a password anyone could guess.
    @Test func aPasswordThatIsNotUTF8TextIsRefused() throws {
        let folder = try AdminInputTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        _ = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: database)
        let refused = try Self.run(["users", "add", "eve", "--role", "admin", "--password-stdin", "--password-rounds", "1000", "--db", database],
                                   bytes: [0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0xFA, 0xF9, 0xF8, 0xF7, 0x0A])
        #expect(refused.status != 0 && refused.output.contains("not UTF-8 text"), "\(refused.output)")
        #expect(!(try ServerHarness.run(["users", "list"], database: database).output.contains("eve")))
    }

    /// A user refused on a mistyped --db left a new, empty database there, which `serve` then ran on.
    @Test func aRefusedUserOnAMistypedDatabaseLeavesNoFile() throws {
        let folder = try AdminInputTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let typo = folder.appendingPathComponent("serevr.sqlite").path
        let refused = try ServerHarness.run(["users", "add", "anna", "--role", "receptionist", "--hotel", UUID().uuidString,
                                             "--password-stdin", "--password-rounds", "1000"], database: typo, input: "a-long-password\n")
        #expect(refused.status == 3 && refused.output.contains("No hotel"), "\(refused.status): \(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: typo), "a refused user left a database file")
    }

    /// A binary secret file was read as text: 16 random bytes became "28 bytes" and passed now
    /// and then; a file of one byte repeated, or 35 spaces in the environment, passed always.
    @Test func aSigningSecretIsCountedInItsOwnBytesAndMustLookRandom() throws {
        let folder = try AdminInputTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        _ = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: database)
        let short = folder.appendingPathComponent("short").path, same = folder.appendingPathComponent("same").path
        FileManager.default.createFile(atPath: short, contents: Data((0..<16).map { _ in UInt8.random(in: 0x80...0xFF) }))
        FileManager.default.createFile(atPath: same, contents: Data(repeating: 0xFF, count: 40))
        let serve = ["serve", "--port", "0"] + ServerHarness.databaseArguments(database)
        let tooShort = try ServerHarness.run(serve + ["--jwt-secret-file", short])
        #expect(tooShort.status != 0 && tooShort.output.contains("holds 16 bytes"), "\(tooShort.output)")
        let oneByte = try ServerHarness.run(serve + ["--jwt-secret-file", same])
        #expect(oneByte.status != 0 && oneByte.output.contains("different bytes"), "\(oneByte.output)")
        let spaces = try ServerHarness.run(serve, environment: ["FRONTDESK_JWT_SECRET": String(repeating: " ", count: 35)])
        #expect(spaces.status != 0 && spaces.output.contains("FRONTDESK_JWT_SECRET holds 0 bytes"), "\(spaces.output)")
        // Each said alone, exit 2 (bad input): not followed by the root command's usage
        // ("Usage: frontdesk-server <subcommand>"), which read as if `serve` had not been typed.
        let missing = try ServerHarness.run(serve + ["--jwt-secret-file", folder.appendingPathComponent("missing").path])
        for refused in [tooShort, oneByte, spaces, missing] {
            #expect(refused.status == 2, "\(refused.status): \(refused.output)")
            #expect(refused.output.hasPrefix("error: ") && !refused.output.contains("Usage:") && !refused.output.contains("--help"),
                    "\(refused.output)")
            #expect(refused.output.split(separator: "\n").count == 1, "\(refused.output)")
        }
    }

    /// Every command's own refusals are said alone, exit 2, as `serve`'s (session 60): `users add
    /// --role boss`, `users add` without `--password-stdin`, an import of what is no export and
    /// `--db` beside `--database` were followed by the root command's usage ("Usage:
    /// frontdesk-server <subcommand>"), as if no subcommand had been typed (session 61).
    @Test func everyCommandsOwnRefusalIsSaidWithoutTheRootUsage() throws {
        let folder = try AdminInputTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        let hotel = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: database)
        let boss = try ServerHarness.run(["users", "add", "bob", "--role", "boss", "--password-stdin", "--password-rounds", "1000"],
                                         database: database, input: "a-long-password\n")
        #expect(boss.output == "error: --role is receptionist, manager or admin\n", "\(boss.output)")
        let noStdin = try ServerHarness.run(["users", "add", "bob", "--role", "receptionist", "--hotel", hotel, "--password-rounds", "1000"],
                                            database: database, input: "a-long-password\n")
        #expect(noStdin.output == "error: give --password-stdin and the password on standard input (never as an argument)\n", "\(noStdin.output)")
        let notAnExport = try ServerHarness.run(["import"], database: folder.appendingPathComponent("t.sqlite").path, input: "hello\n")
        #expect(notAnExport.output.hasPrefix("error: standard input is not a Front Desk hotel export"), "\(notAnExport.output)")
        let both = try ServerHarness.run(["hotels", "list", "--db", database, "--database", "postgres://nobody@127.0.0.1:1/none"])
        #expect(both.output == "error: give --db PATH (SQLite) or --database URL (PostgreSQL), not both\n", "\(both.output)")
        for refused in [boss, noStdin, notAnExport, both] {
            #expect(refused.status == 2, "\(refused.status): \(refused.output)")
            #expect(!refused.output.contains("Usage: frontdesk-server <subcommand>") && !refused.output.contains("Usage:")
                        && !refused.output.contains("--help"), "\(refused.output)")
        }
        #expect(!(try ServerHarness.run(["users", "list"], database: database).output.contains("bob")))
        // A usage mistake the parser finds still comes with the usage of the command typed.
        let unknown = try ServerHarness.run(["users", "add", "bob", "--bogus"], database: database)
        #expect(unknown.status == 2 && unknown.output.contains("Usage: frontdesk-server users add"), "\(unknown.output)")
    }

    /// Imported twice: "A user named anna exists here already", not that the hotel is. A file
    /// whose hotel id was changed by hand: SQLite's "UNIQUE constraint failed: room_type.id".
    /// Cut in the middle of a line: "not JSON", not "cut off".
    @Test func anImportIsRefusedInTheWordsOfWhatIsWrong() throws {
        let folder = try AdminInputTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source.sqlite").path
        #expect(try ServerHarness.run(["demo", "--hotels", "1", "--rooms", "4", "--days", "10"], database: source).status == 0)
        let listed = try ServerHarness.run(["hotels", "list", "--json"], database: source).output
        let hotels = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any])?["hotels"] as? [[String: Any]]
        let hotel = try #require(hotels?.first?["hotelId"] as? String)
        let exported = try ServerHarness.run(["export", "--hotel", hotel], database: source)
        try #require(exported.status == 0)
        let target = folder.appendingPathComponent("target.sqlite").path
        #expect(try ServerHarness.run(["import"], database: target, input: exported.output).status == 0)

        let twice = try ServerHarness.run(["import"], database: target, input: exported.output)
        #expect(twice.status == 6 && twice.output.contains("is here already") && twice.output.contains(hotel), "\(twice.output)")
        let renamed = exported.output.replacingOccurrences(of: hotel, with: UUID().uuidString.lowercased())
        let collides = try ServerHarness.run(["import"], database: target, input: renamed)
        // (Its request ids or its room types' ids, whichever is met first: each said in words.)
        #expect(collides.status == 6 && collides.output.contains("here already") && collides.output.contains("nothing was imported"),
                "\(collides.output)")
        #expect(!collides.output.contains("UNIQUE"), "\(collides.output)")

        let elsewhere = folder.appendingPathComponent("elsewhere.sqlite").path
        let cut = String(exported.output.prefix(exported.output.count * 2 / 3))
        let cutOff = try ServerHarness.run(["import"], database: elsewhere, input: cut)
        #expect(cutOff.status != 0 && cutOff.output.contains("cut off"), "\(cutOff.output)")
    }

    /// Every domain error but two exited 2: an export of a booking still being paid
    /// (`invalid_state`, 5 on `frontdesk`) looked like a typo to a script. The statuses are
    /// `frontdesk`'s (`saga retry` of nothing stopped, 5: AdminInputTests).
    @Test func aServerCommandExitsAsFrontdeskDoesForTheSameError() throws {
        let folder = try AdminInputTests.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        _ = try HotelTransferTests.demoHotelWithAnna(rooms: 4, days: 10, database: database)
        // A receptionist without a hotel is bad input (2); a hotel that is not there, not found (3).
        let noHotel = try ServerHarness.run(["users", "add", "bo", "--role", "receptionist", "--password-stdin", "--password-rounds", "1000"],
                                            database: database, input: "a-long-password\n")
        #expect(noHotel.status == 2, "\(noHotel.status): \(noHotel.output)")
        let exportedNothing = try ServerHarness.run(["export", "--hotel", UUID().uuidString], database: database)
        #expect(exportedNothing.status == 3, "\(exportedNothing.status): \(exportedNothing.output)")
    }
}
