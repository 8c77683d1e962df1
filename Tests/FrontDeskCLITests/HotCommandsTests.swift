import ArgumentParser
import Foundation
@testable import FrontDeskCLI
import Testing

/// `search` and `book` read a plain command line without ArgumentParser (`HotCommands`, issue 10's
/// start-up target). The interface is fixed: whatever path a command line takes, it must mean the
/// same and print the same, byte for byte, with the same exit code.
@Suite struct HotCommandsTests {
    static let plainSearches: [[String]] = [
        ["search"],
        ["search", "--json"],
        ["search", "--check-in", "2026-12-10", "--check-out", "2026-12-13", "--guests", "2", "--json"],
        ["search", "--guests", "4", "--check-in", "2026-12-10", "--nights", "3"],
        ["search", "--nights", "2", "--json", "--db", "/tmp/x.sqlite", "--user", "Ann"],
        ["search", "--nights", "+2"],
        ["search", "--nights", "007", "--json"],
        ["search", "--guests", "two", "--json"],
        ["search", "--check-in", "2026-02-30", "--json"],
        ["search", "--check-in", "yesterday", "--check-out", "2026-12-01"],
        ["search", "--check-in", "2026-12-10", "--nights", "31", "--json"],
        ["search", "--user", "Ann Lee", "--json"],
    ]

    static let plainBookings: [[String]] = [
        ["book", "--room", "101", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--guests", "2",
         "--guest-name", "Ann Lee", "--email", "ann@example.com", "--payment", "desk", "--wait", "--json",
         "--request-id", "6f0d8a52-5b1e-4c1e-9a57-2f4f3f0b8c11"],
        ["book", "--room", "101", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--guests", "1",
         "--guest-name", "Ann Lee", "--email", "ann@example.com", "--phone", "+43 1 234567"],
        ["book", "--room", "104", "--check-in", "2026-12-20", "--check-out", "2026-12-23", "--guests", "1", "--user", "Night Desk",
         "--guest-name", "Émile Zola", "--email", "emile@example.fr", "--phone", "+33 1 2345 6789", "--wait",
         "--request-id", "0b7e5a8e-2f1d-4d5e-8c43-7f6a9d2e1b04"],
        ["book", "--wait", "--json", "--guests", "1", "--room", "999", "--check-in", "2026-12-10", "--check-out", "2026-12-11",
         "--guest-name", "Ann Lee", "--email", "ann@example.com"],
        ["book", "--room", "101", "--json"],
        ["book"],
        ["book", "--room", "101", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--guests", "1",
         "--guest-name", "Ann Lee", "--email", "ann@example.com", "--payment", "card", "--card", "4242424242424242", "--json"],
        ["book", "--room", "101", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--guests", "1",
         "--guest-name", "Ann Lee", "--email", "ann@example.com", "--request-id", "not-a-uuid", "--json"],
        ["book", "--room", "101", "--payment", "cheque", "--json"],
    ]

    /// Command lines that are not plain: ArgumentParser reads (or refuses) them, as before.
    static let notPlain: [[String]] = [
        [],
        ["desk"],
        ["bookings", "--json"],
        ["search", "--help"],
        ["search", "-h"],
        ["search", "help"],
        ["search", "--nights"],
        ["search", "--nights", "abc"],
        ["search", "--nights", "99999999999999999999999"],
        ["search", "--nights=2"],
        ["search", "--guests", "--json"],
        ["search", "--guests", "-1"],
        ["search", "--guests", ""],
        ["search", "--json", "--json"],
        ["search", "--db", "a.sqlite", "--db", "b.sqlite"],
        ["search", "--bogus"],
        ["search", "extra"],
        ["search", "--", "--json"],
        ["search", "--wait"],
        ["book", "--card", "-", "--payment", "card"],
        ["book", "--room", "101", "--room", "102"],
        ["book", "--nights", "2"],
        ["book", "--generate-completion-script", "bash"],
        ["--json", "search"],
        ["Search", "--json"],
    ]

    /// What ArgumentParser makes of a command line, as the fields the command runs with.
    static func fields(_ command: any ParsableCommand) -> [String]? {
        func common(_ options: CommonOptions) -> [String] { ["\(options.db as Any)", "\(options.user as Any)", "\(options.json)"] }
        switch command {
        case let search as Search:
            return common(search.common) + ["\(search.checkIn as Any)", "\(search.checkOut as Any)", "\(search.nights as Any)", search.guests]
        case let book as Book:
            return common(book.common) + [book.room, book.checkIn, book.checkOut, book.guests, book.guestName, book.email, book.phone,
                                          "\(book.requestId as Any)", book.payment, "\(book.card as Any)", "\(book.wait)"]
        default:
            return nil
        }
    }

    @Test(arguments: plainSearches + plainBookings)
    func aPlainCommandLineMeansWhatArgumentParserMakesOfIt(_ arguments: [String]) throws {
        let plain = try #require(HotCommands.command(for: arguments), "not read as plain: \(arguments)")
        let parsed = try FrontDesk.parseAsRoot(arguments)
        #expect(type(of: plain) == type(of: parsed))
        let plainFields = try #require(Self.fields(plain))
        #expect(plainFields == Self.fields(parsed))
    }

    @Test(arguments: notPlain)
    func anythingElseGoesToArgumentParser(_ arguments: [String]) {
        #expect(HotCommands.command(for: FrontDesk.negativeNumbersAsValues(arguments)) == nil, "read as plain: \(arguments)")
    }

    /// The real binary, each command line once through each path (`FRONTDESK_NO_HOT_PATH` sends
    /// everything to ArgumentParser): the same stdout, stderr and exit code. A booking made by the
    /// first run is made again by the second through its request id, so both print the same booking.
    @Test func bothPathsPrintTheSameBytes() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let argumentParserOnly = ["FRONTDESK_NO_HOT_PATH": "1"]
        var lines = Self.plainSearches + Self.plainBookings + Self.notPlain.filter { $0.first == "search" || $0.first == "book" }
        lines.append(["book", "--room", "102", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--guests", "2",
                      "--guest-name", "Ann Lee", "--email", "ann@example.com", "--request-id", UUID().uuidString, "--wait", "--json"])
        lines.append(["book", "--room", "103", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--guests", "2",
                      "--guest-name", "Bo Berg", "--email", "bo@example.com", "--request-id", UUID().uuidString])
        var hotPathLines = 0
        for arguments in lines {
            if HotCommands.command(for: arguments) != nil { hotPathLines += 1 }
            // A booking with a request id is made first, so both paths replay the same booking.
            if arguments.contains("--request-id") { _ = try cli.run(arguments) }
            let slow = try cli.run(arguments, adding: argumentParserOnly)
            let hot = try cli.run(arguments)
            #expect(hot.status == slow.status, "\(arguments)")
            #expect(hot.stdout == slow.stdout, "\(arguments)")
            #expect(hot.stderr == slow.stderr, "\(arguments)")
        }
        #expect(hotPathLines >= 20)
        // And a booking through the hot path is there for a search through ArgumentParser.
        let search = try cli.run(["search", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--json"], adding: argumentParserOnly)
        #expect(search.status == 0)
        #expect(!search.stdout.contains("\"102\""))
        #expect(!search.stdout.contains("\"103\""))
    }
}

extension CLIHarness {
    /// Runs the binary with `arguments` and more environment variables.
    func run(_ arguments: [String], adding extra: [String: String]) throws -> Outcome {
        Self.finish(try start(arguments, environment: extra))
    }
}
