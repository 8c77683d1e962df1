import Foundation
import GRDB
import Testing

/// The command line's input contract, every command against every kind of bad input, through the
/// real binary: exit 2, one JSON error document (`validation_failed`, a message not starting
/// "Error:"), no raw control character in anything printed, and the database exactly as it was.
@Suite struct InputContractTests {
    /// One bad command line; `mentions` is a part of the message that names the field or rule.
    struct BadInput: Sendable, CustomTestStringConvertible {
        let arguments: [String]
        var environment: [String: String] = [:]
        var mentions: String?
        var testDescription: String {
            let shown = arguments.map { $0.unicodeScalars.count > 30 ? "<\($0.unicodeScalars.count) scalars>" : $0.debugDescription }
            return (environment.isEmpty ? "" : "\(environment) ") + shown.joined(separator: " ")
        }
    }

    static let escape = "x\u{1B}[31mred"
    static let osc = "x\u{1B}]0;owned\u{07}"
    static let newline = "two\nlines"
    static let tab = "a\tb"
    static let c1 = "a\u{9B}2J"
    static let delete = "a\u{7F}b"
    static let huge = String(repeating: "x", count: 5_000)
    /// The issue's case: one character on screen, 50,001 scalars, 100 kB stored.
    static let flood = "a" + String(repeating: "\u{301}", count: 50_000)
    /// Within every length limit but mostly combining marks.
    static let shortFlood = "ab" + String(repeating: "\u{301}", count: 6)
    static let farToday = ["FRONTDESK_TODAY": "9999-12-31"]

    static func book(_ changes: [String: String] = [:], extra: [String] = []) -> [String] {
        var fields = ["--room": "101", "--check-in": "2026-12-10", "--check-out": "2026-12-12", "--guests": "1",
                      "--guest-name": "Ann Lee", "--email": "ann@example.com"]
        fields.merge(changes) { $1 }
        return ["book"] + fields.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] } + extra
    }

    static let cases: [BadInput] = {
        var cases: [BadInput] = []
        func add(_ arguments: [String], _ mentions: String? = nil, environment: [String: String] = [:]) {
            cases.append(BadInput(arguments: arguments, environment: environment, mentions: mentions))
        }
        // Numbers the parser cannot read, negative numbers, missing values, unknown options.
        add(["search", "--nights", "abc"], "--nights")
        add(["search", "--nights", "-1"], "Nights must be between 1 and 30")
        add(["search", "--nights", "99999999999999999999999"], "--nights")
        add(["search", "--guests", "-1"], "Guest count")
        add(["search", "--nights"], "--nights")
        add(["search", "--bogus"], "--bogus")
        add(book(["--guests": "-1"]), "Guest count")
        add(book(["--guests": "abc"]), "Guest count")
        add(book(extra: ["--guests"]), "--guests")
        add(book(extra: ["--bogus"]), "--bogus")
        add(["bookings", "--limit", "-1"], "--limit")
        add(["bookings", "--limit", "abc"], "--limit")
        add(["audit", "--limit", "-1"], "--limit")
        add(["audit", "--limit", "many"], "--limit")
        add(["room-types", "add", "--name", "Suite", "--capacity", "-1", "--price", "90.00"], "Capacity")
        add(["room-types", "add", "--name", "Suite", "--capacity", "x", "--price", "90.00"], "--capacity")
        add(["room-types", "add", "--name", "Suite", "--capacity", "2", "--price", "-1"], "Base price")
        add(["room-types", "add", "--name", "Suite", "--capacity", "2", "--price", "ten"], "Base price")
        add(["room-types", "change", "Double", "--capacity", "x", "--price", "-1"], "Sleeps 'x' is not a number from 1 to 10")
        add(["room-types", "change", "Double", "--capacity", "11"], "Capacity must be between 1 and 10")
        // "+3" meant three more to a manager; it was read as 3.
        add(["room-types", "change", "Double", "--capacity", "+3"], "Sleeps '+3' is not a number from 1 to 10")
        add(["room-types", "change", "Double", "--price", "1000000.01"], "Base price must be at most 1000000.00")
        add(["room-types", "change", "Double", "--name", escape], "Room type name cannot contain control characters")
        add(["room-types", "change", "Double"], "Nothing to change: give --name, --capacity or --price")
        add(["hotel", "configure", "--hold-minutes", "-1"], "Hold minutes")
        add(["hotel", "configure", "--name", " ", "--hold-minutes", "0"], "Hotel name cannot be empty")
        add(["hotel", "configure", "--name", "Inn\u{1B}[2J"], "Hotel name cannot contain control characters")
        add(["hotel", "configure", "--name", "\u{2060}"], "Hotel name cannot contain a character that prints as nothing")
        add(["hotel", "configure", "--hold-minutes", "soon"], "--hold-minutes")
        add(["demo", "--rooms", "-1"], "Rooms")
        add(["demo", "--days", "-1"], "Days")
        add(["demo", "--occupancy", "-1"], "Occupancy")
        add(["demo", "--seed", "-1"], "--seed")
        add(["rooms", "--bogus"], "--bogus")
        add(["show"], "reference")
        add(["saga", "status", "--bogus"], "--bogus")
        add(["report", "lunch"], "lunch")
        add(["occupancy", "--from", "abc"], "--from")

        // Long text and combining-mark floods: limits count what is stored.
        add(book(["--guest-name": huge]), "Guest name is longer than 100 characters")
        add(book(["--guest-name": flood]), "Guest name is longer than 100 characters")
        add(book(["--guest-name": shortFlood]), "Guest name is mostly combining marks")
        add(book(["--email": huge + "@example.com"]), "Email")
        add(book(["--phone": flood]), "Phone number")
        add(book(["--room": huge]), "Room")
        add(["rooms", "add", flood, "--type", "Double"], "Room number is longer than 10 characters")
        add(["rooms", "add", shortFlood, "--type", "Double"], "Room number is mostly combining marks")
        add(["rooms", "add", "110", "--type", flood], "Room type")
        add(["rooms", "rename", "101", flood], "Room number")
        add(["rooms", "deactivate", huge], "Room number")
        add(["room-types", "add", "--name", flood, "--capacity", "2", "--price", "90.00"], "Room type name is longer than 60 characters")
        add(["hotel", "create", "--name", flood, "--time-zone", "Europe/Vienna", "--currency", "EUR"], "Hotel name is longer than 100")
        add(["cancel", "REF", "--reason", flood], "Reason is longer than 200 characters")
        add(["cancel", "REF", "--reason", huge], "Reason")
        add(["show", huge], "Booking reference")
        add(["show", flood], "Booking reference")
        add(["bookings", "--guest", flood], "--guest")
        add(["rooms", "add", "110", "--type", "Double", "--user", flood], "--user")
        add(["cancel", "REF", "--user", huge], "--user")

        // Control characters: refused, naming the field.
        for text in [escape, osc, newline, tab, c1, delete] {
            add(book(["--guest-name": text]), "Guest name cannot contain control characters")
            add(["rooms", "add", text, "--type", "Double"], "Room number cannot contain control characters")
            add(["hotel", "create", "--name", text, "--time-zone", "Europe/Vienna", "--currency", "EUR"], "Hotel name cannot contain")
            add(["room-types", "add", "--name", text, "--capacity", "2", "--price", "90.00"], "Room type name cannot contain")
            add(["cancel", "REF", "--reason", text], "Reason cannot contain control characters")
            add(["rooms", "add", "110", "--type", "Double", "--user", text], "--user cannot contain control characters")
            add(["show", text], "Booking reference cannot contain control characters")
        }
        add(book(["--email": "ann\u{1B}@example.com"]), "Email address cannot contain control characters")
        add(book(["--phone": "+43 1\u{1B}234567"]), "Phone number cannot contain control characters")
        add(book(["--room": escape]), "Room cannot contain control characters")
        add(["rooms", "rename", "101", osc], "Room number cannot contain control characters")
        add(["rooms", "activate", escape], "Room number cannot contain control characters")
        add(["rooms", "add", "110", "--type", escape], "Room type cannot contain control characters")
        add(["check-in", newline], "Booking reference")
        add(["check-out", osc], "Booking reference")
        add(["cancel", escape], "Booking reference")
        add(["audit", "--booking", escape], "Booking reference")
        add(["bookings", "--guest", escape], "--guest cannot contain control characters")
        add(["hotel", "create", "--name", "Inn", "--time-zone", "Europe/\u{1B}[2J", "--currency", "EUR"], "Time zone")
        add(["search", "--check-in", escape], "Check-in date")
        add(book(["--payment": escape]), "Payment 'x\\u{1B}[31mred' is unknown")
        add(book(["--request-id": escape]), "Request id")
        add(book(["--request-id": flood]), "Request id")
        add(["hotel", "create", "--name", "Inn", "--time-zone", "UTC", "--currency", "E\u{1B}R"], "Currency")
        add(["bookings", "--status", osc], "Status")
        add(["report", escape], "<kind>")
        add(["saga", "status", "--user", escape], "--user")

        // Far dates, from options and from FRONTDESK_TODAY.
        add(["search", "--check-in", "9999-12-31"], "outside the supported dates")
        add(["search", "--check-in", "1899-12-31", "--check-out", "1900-01-02"], "outside the supported dates")
        add(book(["--check-in": "9999-12-30", "--check-out": "9999-12-31"]), "outside the supported dates")
        add(book(["--check-out": "9001-01-01"]), "outside the supported dates")
        add(["bookings", "--from", "9999-12-31"], "outside the supported dates")
        add(["bookings", "--to", "0001-01-01"], "outside the supported dates")
        add(["occupancy", "--from", "9999-12-31"], "outside the supported dates")
        add(["occupancy", "--to", "9999-12-31"], "outside the supported dates")
        add(["report", "arrivals", "--date", "9999-12-31"], "outside the supported dates")
        add(["report", "in-house", "--date", "0000-01-01"], "is not a date")
        for command in [["search"], book(), ["bookings"], ["show", "REF"], ["cancel", "REF"], ["check-in", "REF"], ["occupancy"],
                        ["report", "departures"], ["audit"], ["rooms"], ["rooms", "add", "110", "--type", "Double"],
                        ["room-types"], ["hotel"], ["hotel", "configure", "--hold-minutes", "20"], ["saga", "status"],
                        ["demo", "--force", "--rooms", "3", "--days", "3"]] {
            add(command, "FRONTDESK_TODAY 9999-12-31 is outside the supported dates", environment: farToday)
        }
        add(["occupancy"], "FRONTDESK_TODAY", environment: ["FRONTDESK_TODAY": "1800-01-01"])
        add(["search"], "FRONTDESK_TODAY", environment: ["FRONTDESK_TODAY": "2026-13-01"])
        return cases
    }()

    /// A hotel built once through the binary (rooms 101-105 Double, 201 Family, one confirmed
    /// booking) and the reference of that booking; every case runs against a copy of it.
    struct Seed: Sendable {
        let folder: URL
        let reference: String
    }

    struct SeedFailed: Error { let stderr: String }

    static let seed: Result<Seed, any Error> = Result(catching: {
        let cli = try CLIHarness()
        for arguments in [["hotel", "create", "--name", "Pension Zoë", "--time-zone", "Europe/Vienna", "--currency", "EUR"],
                          ["room-types", "add", "--name", "Double", "--capacity", "2", "--price", "100.00"],
                          ["rooms", "add", "101", "--type", "Double"], ["rooms", "add", "102", "--type", "Double"]] {
            let outcome = CLIHarness.finish(try cli.start(arguments))
            guard outcome.status == 0 else { throw SeedFailed(stderr: outcome.stderr) }
        }
        let booked = try cli.run("book", "--room", "102", "--check-in", "2026-11-26", "--check-out", "2026-11-28",
                                 "--guests", "2", "--guest-name", "Zoë Ångström", "--email", "zoe@example.com", "--wait", "--json")
        guard let code = (try? booked.json)?["confirmation"] as? String else { throw SeedFailed(stderr: booked.stderr) }
        return Seed(folder: cli.folder, reference: code)
    })

    @Test(arguments: cases)
    func badInputIsRefusedWithOneJSONErrorAndNothingWritten(_ input: BadInput) throws {
        let seed = try Self.seed.get()
        let cli = try CLIHarness()
        // A private copy of the seeded file (and of its write-ahead log, should one be left).
        for suffix in ["", "-wal"] {
            let source = seed.folder.appendingPathComponent("desk.sqlite" + suffix).path
            if FileManager.default.fileExists(atPath: source) {
                try FileManager.default.copyItem(atPath: source, toPath: cli.database + suffix)
            }
        }
        let arguments = input.arguments.map { $0 == "REF" ? seed.reference : $0 }
        let before = try Self.dump(cli.database)
        #expect(before.contains(seed.reference) && before.contains("Pension Zo"), "the dump holds no rows")

        let outcome = CLIHarness.finish(try cli.start(arguments + ["--json"], environment: input.environment))
        #expect(outcome.status == 2, "exit \(outcome.status); stderr: \(outcome.stderr.prefix(300))")
        let document = try outcome.json
        #expect(Array(document.keys) == ["error"], "stdout: \(outcome.stdout.prefix(300))")
        let error = try #require(document["error"] as? [String: Any])
        #expect(error["code"] as? String == "validation_failed")
        let message = try #require(error["message"] as? String)
        #expect(!message.isEmpty && !message.hasPrefix("Error:"), "\(message)")
        #expect(error["details"] is [String])
        #expect(message.unicodeScalars.count < 400, "the message echoes too much input: \(message.unicodeScalars.count) scalars")
        if let mentions = input.mentions { #expect(message.contains(mentions), "\(message)") }
        #expect(outcome.stderr.hasPrefix("error: "), "\(outcome.stderr.prefix(300))")
        Self.expectNoRawControls(outcome.stdout, outcome.stderr)

        // Without --json: nothing on stdout, the same refusal for a person on stderr.
        let plain = CLIHarness.finish(try cli.start(arguments, environment: input.environment))
        #expect(plain.status == 2)
        #expect(plain.stdout.isEmpty, "\(plain.stdout.prefix(300))")
        #expect(plain.stderr.hasPrefix("error: "))
        Self.expectNoRawControls(plain.stdout, plain.stderr)

        #expect(try Self.dump(cli.database) == before, "the database changed")
        try? FileManager.default.removeItem(at: cli.folder)
    }

    @Test func helpStillExitsZero() throws {
        let cli = try CLIHarness()
        for arguments in [["--help"], ["search", "--help"], ["help", "book"], ["book", "--help", "--json"], ["search", "-h"]] {
            let outcome = CLIHarness.finish(try cli.start(arguments))
            #expect(outcome.status == 0, "\(arguments): \(outcome.stderr)")
            #expect(outcome.stdout.contains("USAGE:"), "\(arguments)")
        }
    }

    @Test func legitimateTextAndNegativeLookingValuesStillWork() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        // Decomposed Vietnamese, Devanagari and Thai carry marks on most letters; an O'Brien-style
        // name and a 100-scalar name are fine.
        for name in ["Nguye\u{302}\u{303}n Thi\u{323} Ha\u{300}", "देवनागरी लिपि", "สมชาย ใจดี", "Seán O'Brien-Ó Súilleabháin",
                     String(repeating: "n", count: 100)] {
            let booked = try cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-02",
                                     "--guests", "1", "--guest-name", name, "--email", "guest@example.com", "--json")
            #expect(booked.status == 0, "\(name): \(booked.stderr)")
            let code = try #require(try booked.json["confirmation"] as? String)
            try cli.expectSuccess(cli.run("cancel", code, "--reason", "Testing ünïcödé", "--json"))
        }
        let search = try cli.run("search", "--check-in", "2026-12-01", "--nights", "30", "--guests", "2", "--json")
        #expect(search.status == 0, "\(search.stderr)")
        #expect(try search.json["checkOut"] as? String == "2026-12-31")
    }

    /// Text already in a database (an older version, another tool) is escaped on the way out.
    @Test func storedControlCharactersArePrintedEscaped() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booked = try cli.run("book", "--room", "101", "--check-in", "2026-11-26", "--check-out", "2026-11-28",
                                 "--guests", "1", "--guest-name", "Ann", "--email", "ann@example.com", "--wait", "--json")
        let code = try #require(try booked.json["confirmation"] as? String)
        let evilName = "Ann\u{1B}]0;pwned\u{07}\nFake line\u{9B}2J"
        let queue = try DatabaseQueue(path: cli.database)
        try queue.write { db in
            try db.execute(sql: "UPDATE booking SET guest_name = ?", arguments: [evilName])
            try db.execute(sql: "UPDATE hotel SET name = ?", arguments: ["Pension\u{1B}[5m\nFake line"])
            try db.execute(sql: "UPDATE room SET number = ? WHERE number = '105'", arguments: ["1\u{1B}[2J05"])
            try db.execute(sql: "UPDATE room_type SET name = ? WHERE name = 'Family'", arguments: ["Fam\u{7F}ily\t"])
            try db.execute(sql: "UPDATE audit_entry SET user = ?, summary = summary || ?", arguments: ["ev\u{1B}il", "\u{1B}[1m"])
            // Booking states that are no longer one clean JSON value: one with a raw ESC, one that
            // would add a member to the output's entry.
            try db.execute(sql: "UPDATE audit_entry SET before_state = ? WHERE id = 1", arguments: ["{\"name\":\"\u{1B}[2J\"}"])
            try db.execute(sql: "UPDATE audit_entry SET before_state = ? WHERE id = 2", arguments: ["1, \"injected\": true"])
        }
        try queue.close()

        for arguments in [["show", code], ["bookings"], ["rooms"], ["hotel"], ["saga", "status"], ["room-types"], ["audit"], ["report", "arrivals"],
                          ["search", "--guests", "1"], ["occupancy", "--from", "2026-11-26", "--to", "2026-11-27"]] {
            let text = CLIHarness.finish(try cli.start(arguments))
            #expect(text.status == 0, "\(arguments): \(text.stderr)")
            Self.expectNoRawControls(text.stdout, text.stderr, allowingLineBreaks: true)
            #expect(!text.stdout.contains("Fake line") || text.stdout.contains("\\u{A}Fake line"), "\(arguments): a stored line break printed raw")
            let json = CLIHarness.finish(try cli.start(arguments + ["--json"]))
            #expect(json.status == 0, "\(arguments): \(json.stderr)")
            Self.expectNoRawControls(json.stdout, json.stderr, allowingLineBreaks: true)
            _ = try json.json // still one valid document
        }
        let checkedIn = try cli.run("check-in", code)
        #expect(checkedIn.status == 0, "\(checkedIn.stderr)")
        Self.expectNoRawControls(checkedIn.stdout, checkedIn.stderr)
        let shown = try cli.run("show", code)
        #expect(shown.stdout.contains("Ann\\u{1B}]0;pwned\\u{7}\\u{A}Fake line\\u{9B}2J"), "\(shown.stdout)")
        let asJSON = try cli.run("show", code, "--json")
        #expect(try asJSON.json["guestName"] as? String == evilName) // escaped per JSON, the value intact
        #expect(asJSON.stdout.contains("\\u001b]0;pwned\\u0007\\nFake line\\u009b2J"), "\(asJSON.stdout)")
        let auditJSON = try #require(try cli.run("audit", "--json").json["entries"] as? [[String: Any]])
        #expect(!auditJSON.contains { $0["injected"] != nil })
        #expect(auditJSON.contains { $0["before"] as? String == "1, \"injected\": true" })
        let audit = try cli.run("audit")
        #expect(audit.stdout.contains("ev\\u{1B}il"))
    }

    // MARK: Helpers

    /// No C0 (but the line breaks between lines of output), DEL or C1 character printed raw.
    static func expectNoRawControls(_ stdout: String, _ stderr: String, allowingLineBreaks: Bool = true,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        for (name, text) in [("stdout", stdout), ("stderr", stderr)] {
            let raw = text.unicodeScalars.filter {
                ($0.value < 0x20 && !(allowingLineBreaks && $0 == "\n")) || (0x7F...0x9F).contains($0.value)
            }
            #expect(raw.isEmpty, "\(name) holds raw control characters \(raw.map { String($0.value, radix: 16) })",
                    sourceLocation: sourceLocation)
        }
    }

    /// Every table's schema and rows, sorted, plus the schema version: equal dumps, equal files.
    static func dump(_ path: String) throws -> String {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var lines = ["user_version \(try Int.fetchOne(db, sql: "PRAGMA user_version") ?? -1)"]
            let objects = try Row.fetchAll(db, sql: "SELECT type, name, sql FROM sqlite_master ORDER BY type, name")
            for object in objects {
                let type: String = object["type"], name: String = object["name"]
                lines.append("\(type) \(name): \(object["sql"] as String? ?? "")")
                guard type == "table", !name.hasPrefix("sqlite_") else { continue }
                let rows = try Row.fetchAll(db, sql: "SELECT * FROM \"\(name)\"").map(\.description).sorted()
                lines.append(contentsOf: rows.map { "  \($0)" })
            }
            return lines.joined(separator: "\n")
        }
    }
}
