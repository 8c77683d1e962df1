import Foundation
import Testing

@Suite struct CommandLineTests {
    @Test func searchThenBookThenShowThenCancel() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let search = try cli.run("search", "--check-in", "2026-12-01", "--check-out", "2026-12-04", "--guests", "2", "--json")
        #expect(search.status == 0)
        let found = try search.json
        #expect(found["checkIn"] as? String == "2026-12-01")
        #expect(found["guests"] as? Int == 2)
        let rooms = try #require(found["rooms"] as? [[String: Any]])
        #expect(rooms.map { $0["roomNumber"] as? String } == ["101", "102", "103", "104", "105", "201"])
        #expect((rooms[0]["nightlyPrices"] as? [[String: Any]])?.count == 3)
        #expect(Set(rooms[0].keys) == ["roomId", "roomNumber", "roomType", "capacity", "totalPrice", "nightlyPrices"])
        // As text, the price column is the stay's average (its nights may differ), as on the desk.
        let text = try cli.run("search", "--check-in", "2026-12-01", "--check-out", "2026-12-04", "--guests", "2")
        #expect(text.stdout.contains("Avg/night") && !text.stdout.contains("Per night"), "\(text.stdout)")

        let booked = try cli.run("book", "--room", "102", "--check-in", "2026-12-01", "--check-out", "2026-12-04",
                                 "--guests", "2", "--guest-name", "山田太郎", "--email", "taro@example.jp", "--wait", "--json")
        #expect(booked.status == 0, "\(booked.stderr)")
        let booking = try booked.json
        #expect(booking["status"] as? String == "Confirmed")
        #expect(booking["guestName"] as? String == "山田太郎")
        #expect(booking["roomNumber"] as? String == "102")
        for key in ["bookingId", "confirmation", "status", "roomNumber", "checkIn", "checkOut", "guests", "guestName", "email",
                    "totalPrice", "nightlyPrices"] {
            #expect(booking[key] != nil, "booking object lacks \(key)")
        }
        let code = try #require(booking["confirmation"] as? String)

        let again = try cli.run("search", "--check-in", "2026-12-03", "--check-out", "2026-12-05", "--guests", "2", "--json")
        #expect(!(try #require(try again.json["rooms"] as? [[String: Any]])).contains { $0["roomNumber"] as? String == "102" })

        let shown = try cli.run("show", code, "--json")
        #expect(try shown.json["bookingId"] as? String == booking["bookingId"] as? String)

        let cancelled = try cli.run("cancel", code, "--reason", "Plans changed", "--json")
        #expect(try cancelled.json["status"] as? String == "Cancelled")
        let twice = try cli.run("cancel", code, "--json")
        #expect(twice.status != 0)
        #expect(try (twice.json["error"] as? [String: Any])?["code"] as? String == "invalid_state")
    }

    /// Output that cannot be written (a full disk: /dev/full) is a failure the script hears
    /// (exit 1, said on standard error), not exit 0 with nothing written.
    @Test func outputThatCannotBeWrittenExitsOne() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        for arguments in [["bookings", "--json"], ["occupancy", "--csv", "--from", "2026-12-01", "--to", "2026-12-03"], ["rooms"]] {
            let process = Process()
            process.executableURL = CLIHarness.binary
            process.arguments = arguments
            process.environment = cli.environment
            process.standardOutput = try #require(FileHandle(forWritingAtPath: "/dev/full"))
            let err = Pipe()
            process.standardError = err
            try process.run()
            let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 1, "\(arguments): \(said)")
            #expect(said.contains("could not be written"), "\(arguments): \(said)")
        }
    }

    /// A refused `demo` or `hotel create` on a new path leaves no database (nor the folders made
    /// for it): a later command would find an empty one and answer "No bookings match.".
    @Test func aRefusedSetUpLeavesNoEmptyDatabase() throws {
        let cli = try CLIHarness()
        for (index, arguments) in [["demo", "--rooms", "0"],
                                   ["hotel", "create", "--name", "A", "--time-zone", "Bad/Zone", "--currency", "EUR"],
                                   ["hotel", "create", "--name", "A", "--time-zone", "Europe/Vienna", "--currency", "JPY"]].enumerated() {
            let folder = cli.folder.appendingPathComponent("new-\(index)")
            let path = folder.appendingPathComponent("more/hotel.sqlite").path
            let outcome = CLIHarness.finish(try cli.start(arguments + ["--db", path]))
            #expect(outcome.status == 2, "\(arguments): \(outcome.stderr)")
            #expect(!FileManager.default.fileExists(atPath: path), "\(arguments) left \(path)")
            #expect(!FileManager.default.fileExists(atPath: folder.path), "\(arguments) left \(folder.path)")
        }
    }

    /// Input that could only be a mistake is refused, not answered with an empty list or with one
    /// of two options dropped: dates the wrong way round, --check-out with --nights, a type of a
    /// hotel that has none.
    @Test func contradictoryOptionsAreRefused() throws {
        let cli = try CLIHarness()
        try cli.expectSuccess(cli.run("hotel", "create", "--name", "Empty", "--time-zone", "Europe/Vienna", "--currency", "EUR"))
        let noTypes = try cli.run("rooms", "add", "1", "--type", "Nope")
        #expect(noTypes.stderr.contains("no room types yet") && !noTypes.stderr.contains("known: )"), "\(noTypes.stderr)")
        try cli.expectSuccess(cli.run("room-types", "add", "--name", "Double", "--capacity", "2", "--price", "100.00"))
        let reversed = try cli.run("bookings", "--from", "2026-12-10", "--to", "2026-12-01")
        #expect(reversed.status == 2 && reversed.stderr.contains("is before --from"), "\(reversed.stderr)")
        let both = try cli.run("search", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--nights", "5", "--guests", "1")
        #expect(both.status == 2 && both.stderr.contains("not both"), "\(both.stderr)")
        // A mistyped command is named as one, with the nearest, not answered with the desk's usage.
        let typo = try cli.run("serch", "--check-in", "2026-12-01")
        #expect(typo.status == 2 && typo.stderr.contains("unknown command 'serch'") && typo.stderr.contains("did you mean 'search'"),
                "\(typo.stderr)")
    }

    @Test func moneyHasAtMostTwoDecimalsInJSON() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let search = try cli.run("search", "--check-in", "2027-04-10", "--check-out", "2027-04-13", "--guests", "1", "--json")
        let numbers = search.stdout.split(whereSeparator: { ",:[]{}\n ".contains($0) }).filter { $0.contains(".") && $0.first?.isNumber == true }
        #expect(!numbers.isEmpty)
        for number in numbers { #expect(number.split(separator: ".")[1].count <= 2, "\(number)") }
    }

    @Test func badInputIsReportedAllAtOnceForPeopleAndScripts() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let outcome = try cli.run("book", "--room", "101", "--check-in", "2026-12-xx", "--check-out", "2026-12-04",
                                  "--guests", "12", "--guest-name", "Ann", "--email", "ann-at-example", "--json")
        #expect(outcome.status == 2)
        #expect(outcome.stderr.hasPrefix("error: 3 problems:"))
        let error = try #require(try outcome.json["error"] as? [String: Any])
        #expect(error["code"] as? String == "validation_failed")
        #expect(error["details"] as? [String] == [
            "Check-in date '2026-12-xx' is not a date (use YYYY-MM-DD)", "Guest count must be between 1 and 10",
            "Valid email address is required",
        ])
        #expect(try cli.run("bookings", "--json").json["bookings"] as? [Any] != nil)
        #expect((try cli.run("bookings", "--json").json["bookings"] as? [Any])?.isEmpty == true)
    }

    @Test func errorCodesForUnknownBookingsFullRoomsAndWrongStates() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let missing = try cli.run("show", "AAA-AAA", "--json")
        #expect(missing.status == 3)
        #expect(try (missing.json["error"] as? [String: Any])?["code"] as? String == "not_found")
        #expect(missing.stderr == "error: No booking with id or confirmation code 'AAA-AAA'\n")

        try cli.expectSuccess(cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-02",
                                      "--guests", "1", "--guest-name", "Ann", "--email", "ann@example.com", "--wait"))
        let taken = try cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03",
                                "--guests", "1", "--guest-name", "Bob", "--email", "bob@example.com", "--json")
        #expect(taken.status == 4)
        #expect(try (taken.json["error"] as? [String: Any])?["code"] as? String == "room_unavailable")

        let early = try cli.run("check-in", try cli.run("bookings", "--guest", "ann", "--json").json["bookings"]
            .flatMap { ($0 as? [[String: Any]])?.first?["confirmation"] as? String } ?? "", "--json")
        #expect(early.status == 5)
        #expect(try (early.json["error"] as? [String: Any])?["code"] as? String == "invalid_state")
    }

    @Test func theSameRequestIdBooksOnce() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let key = UUID().uuidString
        let arguments = ["book", "--room", "103", "--check-in", "2026-12-10", "--check-out", "2026-12-12", "--guests", "2",
                         "--guest-name", "Chloé Dubois", "--email", "chloe@example.fr", "--request-id", key, "--json"]
        let first = CLIHarness.finish(try cli.start(arguments))
        let second = CLIHarness.finish(try cli.start(arguments))
        #expect(try first.json["bookingId"] as? String == second.json["bookingId"] as? String)
        #expect((try cli.run("bookings", "--json").json["bookings"] as? [Any])?.count == 1)
        var changed = arguments
        changed[2] = "104"
        let conflicting = CLIHarness.finish(try cli.start(changed))
        #expect(conflicting.status == 6)
        #expect(try (conflicting.json["error"] as? [String: Any])?["code"] as? String == "conflict")
        let notAUUID = try cli.run("book", "--room", "103", "--request-id", "abc", "--json")
        #expect(try (notAUUID.json["error"] as? [String: Any])?["details"] as? [String] == ["Request id 'abc' is not a UUID"])
    }

    @Test func checkInAndOutFromTheCommandLineAreAudited() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try cli.run("book", "--room", "201", "--check-in", "2026-11-26", "--check-out", "2026-11-28", "--guests", "3",
                                  "--guest-name", "Søren Jensen", "--email", "soren@example.dk", "--user", "anna", "--wait", "--json").json
        let code = try #require(booking["confirmation"] as? String)
        #expect(try cli.run("check-in", code, "--user", "ben", "--json").json["status"] as? String == "CheckedIn")
        let out = try cli.run("check-out", code, "--user", "cleo", "--json", environment: ["FRONTDESK_TODAY": "2026-11-28"])
        #expect(try out.json["status"] as? String == "CheckedOut")
        let audit = try cli.run("audit", "--booking", code, "--json").json
        let entries = try #require(audit["entries"] as? [[String: Any]])
        // The desk books; the saga (user "system") takes the payment and confirms.
        #expect(entries.map { $0["user"] as? String } == ["cleo", "ben", "system", "system", "anna"])
        #expect(entries.map { $0["action"] as? String } == [
            "booking.checkedOut", "booking.checkedIn", "booking.confirmed", "booking.paymentStarted", "booking.reserved",
        ])
        #expect((entries[0]["before"] as? [String: Any])?["status"] as? String == "CheckedIn")
        #expect((entries[0]["after"] as? [String: Any])?["status"] as? String == "CheckedOut")
        let text = try cli.run("audit")
        #expect(text.stdout.contains("cleo") && text.stdout.contains("Søren Jensen checked out of room 201"))
    }

    @Test func roomsAndRoomTypesAdministration() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        try cli.expectSuccess(cli.run("rooms", "rename", "105", "106"))
        try cli.expectSuccess(cli.run("rooms", "deactivate", "106"))
        let rooms = try #require(try cli.run("rooms", "list", "--json").json["rooms"] as? [[String: Any]])
        #expect(rooms.count == 6)
        let renamed = try #require(rooms.first { $0["roomNumber"] as? String == "106" })
        #expect(renamed["isActive"] as? Bool == false)
        #expect(renamed["roomType"] as? String == "Double")
        #expect(renamed["capacity"] as? Int == 2)
        #expect(renamed["roomId"] is String)
        let empty = try cli.run("rooms", "add", " ", "--type", "Double", "--json")
        #expect(empty.status == 2)
        #expect(empty.stderr == "error: Room number cannot be empty\n")
        let badPrice = try cli.run("room-types", "add", "--name", "Suite", "--capacity", "3", "--price", "lots")
        #expect(badPrice.status == 2)
        #expect(try cli.run("room-types", "--json").json["roomTypes"] as? [Any] != nil)
    }

    /// `room-types change`: a new rate and name for new bookings, said in one line, audited; the
    /// bookings made keep their prices; a type that does not exist is named with those that do.
    @Test func aManagerChangesARoomTypesRateAndName() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booked = try cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                                 "--guest-name", "Ann Lee", "--email", "ann@example.com", "--wait", "--json")
        try cli.expectSuccess(booked)
        let total = try #require(try booked.json["totalPrice"] as? NSNumber)

        let changed = try cli.run("room-types", "change", " double ", "--price", "125.00", "--name", "Double Room")
        try cli.expectSuccess(changed)
        #expect(changed.stdout == "Room type Double: renamed Double Room; 125.00 a night (was 100.00); bookings made keep their prices\n")
        let types = try cli.run("room-types")
        #expect(types.stdout.contains("Double Room") && types.stdout.contains("125.00") && !types.stdout.contains("100.00"), "\(types.stdout)")
        let again = try cli.run("room-types", "change", "Double Room", "--price", "125.00")
        #expect(again.stdout == "Room type Double Room is already so: nothing changed\n")
        let json = try cli.run("room-types", "change", "Double Room", "--capacity", "3", "--json").json
        let type = try #require((json["roomTypes"] as? [[String: Any]])?.first)
        #expect(type["name"] as? String == "Double Room" && type["capacity"] as? Int == 3)

        let code = try #require(try booked.json["confirmation"] as? String)
        #expect(try cli.run("show", code, "--json").json["totalPrice"] as? NSNumber == total, "the booking keeps its price")
        let audit = try cli.run("audit")
        #expect(audit.stdout.contains("Room type Double Room: sleeps 3 (was 2)"), "\(audit.stdout)")

        let unknown = try cli.run("room-types", "change", "Suite", "--price", "90.00")
        #expect(unknown.status == 3)
        #expect(unknown.stderr == "error: Room type 'Suite' does not exist (known: Double Room, Family)\n", "\(unknown.stderr)")
    }

    @Test func occupancyAsJSONAndCSV() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        try cli.expectSuccess(cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03",
                                      "--guests", "1", "--guest-name", "Ann", "--email", "ann@example.com", "--wait"))
        let report = try cli.run("occupancy", "--from", "2026-12-01", "--to", "2026-12-03", "--json").json
        let days = try #require(report["days"] as? [[String: Any]])
        #expect(days.map { $0["date"] as? String } == ["2026-12-01", "2026-12-02", "2026-12-03"])
        #expect(days.map { $0["roomsSold"] as? Int } == [1, 1, 0])
        #expect(days.map { $0["roomsAvailable"] as? Int } == [6, 6, 6])
        #expect(Set(days[0].keys).isSuperset(of: ["date", "roomsAvailable", "roomsSold", "occupancy", "roomRevenue", "adr", "revpar"]))
        let csv = try cli.run("occupancy", "--from", "2026-12-01", "--to", "2026-12-02", "--csv")
        let lines = csv.stdout.split(separator: "\n")
        #expect(lines.first == "date,roomsAvailable,roomsSold,occupancy,roomRevenue,adr,revpar")
        #expect(lines.count == 3)
    }

    @Test func theDemoIsDeterministicAndGuardsAnExistingHotel() throws {
        let first = try CLIHarness(), second = try CLIHarness()
        for cli in [first, second] {
            try cli.expectSuccess(cli.run("demo", "--rooms", "30", "--days", "60", "--seed", "9"))
        }
        let listing = { (cli: CLIHarness) in try cli.run("bookings", "--json").stdout }
        #expect(try listing(first) == listing(second))
        #expect(try first.run("bookings", "--status", "CheckedIn", "--json").json["bookings"].map { ($0 as? [Any])?.isEmpty } == false)
        let refused = try first.run("demo", "--json")
        #expect(refused.status == 6)
        #expect(refused.stderr.contains("--force"))
        // A booking under way (saga and messages), or one with a note, must not stop the replacement.
        let free = try #require(try first.run("search", "--check-in", "2026-12-20", "--check-out", "2026-12-21", "--json").json["rooms"] as? [[String: Any]])
        let booked = try first.run("book", "--room", free[0]["roomNumber"] as! String, "--check-in", "2026-12-20",
                                   "--check-out", "2026-12-21", "--guests", "1", "--guest-name", "Ann", "--email", "ann@example.com", "--json")
        try first.expectSuccess(booked)
        let code = try #require(booked.json["confirmation"] as? String)
        try first.expectSuccess(first.run("change", code, "--note", "Arrives late"))
        try first.expectSuccess(first.run("demo", "--rooms", "10", "--days", "10", "--force"))
        #expect(try first.run("show", code).status != 0)
        #expect((try first.run("rooms", "--json").json["rooms"] as? [Any])?.count == 10)
    }

    /// Without --db or FRONTDESK_DB: under XDG_DATA_HOME when it is set, else under HOME.
    @Test(arguments: [("XDG_DATA_HOME", "frontdesk/frontdesk.sqlite"), ("HOME", ".local/share/frontdesk/frontdesk.sqlite")])
    func theDatabaseHasADefaultPlace(_ variable: String, _ relativePath: String) throws {
        var cli = try CLIHarness()
        cli.environment["FRONTDESK_DB"] = nil
        cli.environment["XDG_DATA_HOME"] = nil
        let folder = cli.folder.appendingPathComponent(variable.lowercased())
        try cli.expectSuccess(cli.run("demo", "--rooms", "5", "--days", "5", environment: [variable: folder.path]))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(relativePath).path))
    }

    @Test func unreadableSettingsAndFilesGetAClearMessage() throws {
        let cli = try CLIHarness()
        let badToday = try cli.run("search", "--json", environment: ["FRONTDESK_TODAY": "tomorrow"])
        #expect(badToday.status == 2)
        #expect(badToday.stderr == "error: FRONTDESK_TODAY 'tomorrow' is not a date (use YYYY-MM-DD)\n")
        let noDatabase = try cli.run("search")
        #expect(noDatabase.status == 1)
        #expect(noDatabase.stderr.contains("there is no Front Desk database at \(cli.database)"))
        let textFile = cli.folder.appendingPathComponent("notes.txt")
        try String(repeating: "not a database\n", count: 200).write(to: textFile, atomically: true, encoding: .utf8)
        let notADatabase = try cli.run("rooms", "--db", textFile.path, "--json")
        #expect(notADatabase.status == 1)
        #expect(notADatabase.stderr.contains("is not a Front Desk database"))
        try cli.smallHotel()
        let zeroNights = try cli.run("search", "--nights", "0", "--json")
        #expect(try (zeroNights.json["error"] as? [String: Any])?["details"] as? [String] == ["Nights must be between 1 and 30"])
        let unknownFlag = try cli.run("search", "--nonsense", "--json")
        #expect(unknownFlag.status != 0)
        #expect(try (unknownFlag.json["error"] as? [String: Any])?["code"] as? String == "validation_failed")
    }
}
