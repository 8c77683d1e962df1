import Foundation
import Testing

/// A command that wrote leaves no write-ahead log behind it: the log's commits are in the file,
/// and the `-wal` beside it is gone or empty (a 500-room, 3-year `demo` used to leave 278 MB).
@Suite struct LeftoverLogTests {
    /// The size of the database's `-wal`, or nil when there is none.
    static func logSize(_ database: String) -> Int? {
        var info = stat()
        guard stat(database + "-wal", &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    @Test func demoLeavesNoLogAndTheFileStillSearches() throws {
        let cli = try CLIHarness()
        try cli.expectSuccess(cli.run("demo", "--rooms", "20", "--days", "30", "--json"))
        let size = Self.logSize(cli.database)
        #expect(size == nil || size == 0, "demo left a \(size ?? 0)-byte log beside the file")

        let search = try cli.run("search", "--check-in", "2026-11-27", "--check-out", "2026-11-28", "--json")
        try cli.expectSuccess(search)
        let rooms = try #require(try search.json["rooms"] as? [[String: Any]])
        #expect(!rooms.isEmpty)
        // A reading command leaves at most an empty log too.
        #expect((Self.logSize(cli.database) ?? 0) == 0)
    }

    @Test func oneShotWritesLeaveNoLog() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        #expect((Self.logSize(cli.database) ?? 0) == 0, "setting up the hotel left a log")

        let booked = try cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03",
                                 "--guests", "2", "--guest-name", "Ada Lovelace", "--email", "ada@example.org", "--wait", "--json")
        try cli.expectSuccess(booked)
        #expect((Self.logSize(cli.database) ?? 0) == 0, "book left a log")
        let code = try #require(try booked.json["confirmation"] as? String)

        try cli.expectSuccess(cli.run("cancel", code, "--reason", "Plans changed", "--json"))
        #expect((Self.logSize(cli.database) ?? 0) == 0, "cancel left a log")

        // What the commands wrote is in the file itself: read it with no log beside it.
        try? FileManager.default.removeItem(atPath: cli.database + "-wal")
        try? FileManager.default.removeItem(atPath: cli.database + "-shm")
        let shown = try cli.run("show", code, "--json")
        try cli.expectSuccess(shown)
        #expect(try shown.json["status"] as? String == "Cancelled")
    }
}
