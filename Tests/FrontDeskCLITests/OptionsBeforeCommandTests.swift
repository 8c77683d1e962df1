import Foundation
import Testing

/// `frontdesk --db X demo --rooms 5`: the options every command takes may be typed before the
/// command's name too (they used to be read as the desk's, which then refused `--rooms`).
@Suite struct OptionsBeforeCommandTests {
    @Test func dbBeforeTheCommandIsTheCommandsDatabase() throws {
        let cli = try CLIHarness()
        let other = cli.folder.appendingPathComponent("other.sqlite").path
        let demo = try cli.run("--db", other, "demo", "--rooms", "5", "--days", "10", "--json")
        try cli.expectSuccess(demo)
        #expect(try demo.json["rooms"] as? Int == 5)
        #expect(try demo.json["database"] as? String == other)
        #expect(FileManager.default.fileExists(atPath: other))
        #expect(!FileManager.default.fileExists(atPath: cli.database), "the default database was used instead")

        // A hot command (search), a nested one (rooms list) and --json before the name as well.
        let search = try cli.run("--db", other, "--json", "search", "--check-in", "2026-11-27", "--check-out", "2026-11-28")
        try cli.expectSuccess(search)
        #expect(try search.json["checkIn"] as? String == "2026-11-27")
        let rooms = try cli.run("--db=\(other)", "rooms", "list", "--json")
        try cli.expectSuccess(rooms)
        #expect(rooms.stdout.contains("\"number\"") || rooms.stdout.contains("\"roomNumber\""), "\(rooms.stdout)")
    }

    @Test func theSameOptionOnBothSidesIsRefusedClearly() throws {
        let cli = try CLIHarness()
        let first = cli.folder.appendingPathComponent("a.sqlite").path
        let second = cli.folder.appendingPathComponent("b.sqlite").path
        let outcome = try cli.run("--db", first, "demo", "--db", second, "--rooms", "5")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("error: --db is given twice"), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: first) && !FileManager.default.fileExists(atPath: second))
    }

    @Test func aCommandsOwnOptionBeforeItsNameGetsAHint() throws {
        let cli = try CLIHarness()
        let outcome = try cli.run("--rooms", "5", "demo", "--days", "10")
        #expect(outcome.status == 2)
        let lines = outcome.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("error: ") == true, "\(outcome.stderr)")
        #expect(lines.dropFirst().first == "hint: options go after the command's name: frontdesk demo --rooms 5 --days 10",
                "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: cli.database))
    }
}
