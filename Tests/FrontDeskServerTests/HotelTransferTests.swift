import Foundation
import FrontDeskTestSupport
import Testing

/// `frontdesk-server export` and `import`: a hotel moves up from SQLite to PostgreSQL and back.
@Suite struct HotelTransferTests {
    @Test func aHotelMovesFromSQLiteToPostgresAndBackWithTheSameBookingsAndUsers() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = folder.appendingPathComponent("first.sqlite").path
        let back = folder.appendingPathComponent("back.sqlite").path
        let postgres = try PostgresCluster.shared().makeDatabase()

        let hotel = try Self.demoHotelWithAnna(rooms: 8, days: 30, database: first)

        // A guest moved during the stay, on days before every demo booking (they cover today ± 15
        // days, today being the real one; days after them would be a stay not yet begun, which
        // `import` refuses for a guest checked in): room 101 on the first night, 102 from the
        // second. The move must survive both trips, night by night.
        let desk = ServerHarness.productsFolder().appendingPathComponent("frontdesk")
        func atTheDesk(_ today: String, _ arguments: [String], database: String = first) throws -> Outcome {
            try runProgram(desk, arguments + ["--db", database],
                           environment: ProcessInfo.processInfo.environment.merging(["FRONTDESK_TODAY": today]) { _, new in new })
        }
        func atTheDesk(_ today: String, _ arguments: String...) throws -> Outcome { try atTheDesk(today, arguments) }
        // Made and moved under request ids, which the move keeps (export version 3).
        let (madeUnder, movedUnder) = (UUID().uuidString.lowercased(), UUID().uuidString.lowercased())
        let booking = ["book", "--room", "101", "--check-in", Behind.night(0), "--check-out", Behind.night(3), "--guests", "1",
                       "--guest-name", "Mo Ved", "--email", "mo@example.com", "--payment", "desk", "--wait", "--json",
                       "--request-id", madeUnder]
        let booked = try atTheDesk(Behind.night(0), booking)
        #expect(booked.status == 0, "\(booked.stderr)")
        let code = try #require(booked.json["confirmation"] as? String)
        let checkedInUnder = UUID().uuidString.lowercased()
        #expect(try atTheDesk(Behind.night(0), "check-in", code, "--request-id", checkedInUnder).status == 0)
        // Retried under its request id: the booking as it is, not "already checked in".
        let checkedInAgain = try atTheDesk(Behind.night(0), "check-in", code, "--request-id", checkedInUnder, "--json")
        #expect(checkedInAgain.status == 0, "\(checkedInAgain.stderr)")
        #expect(try checkedInAgain.json["status"] as? String == "CheckedIn")
        // Into a room no demo guest is checked in to (a guest in house is not moved in beside one).
        let inHouse = try atTheDesk(Behind.night(1), "bookings", "--status", "CheckedIn", "--json")
        let occupied = Set((try inHouse.json["bookings"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String })
        let target = try #require((102...108).map(String.init).first { !occupied.contains($0) })
        let moved = try atTheDesk(Behind.night(1), "move", code, "--room", target, "--request-id", movedUnder)
        #expect(moved.status == 0, "\(moved.stderr)")

        // Anna disabled and enabled again: when, goes with her, so her tokens from before stay ended.
        #expect(try ServerHarness.run(["users", "disable", "anna"], database: first).status == 0)
        #expect(try ServerHarness.run(["users", "enable", "anna"], database: first).status == 0)

        let exported = try ServerHarness.run(["export", "--hotel", hotel], database: first)
        #expect(exported.status == 0, "\(exported.output)")
        #expect(exported.output.split(separator: "\n").contains { $0.contains("\"name\":\"anna\"") && $0.contains("\"disabledAt\":\"") },
                "\(exported.output.split(separator: "\n").filter { $0.contains("\"kind\":\"user\"") })")
        let movedLine = try #require(exported.output.split(separator: "\n").first { $0.contains("\"Mo Ved\"") })
        #expect(movedLine.contains("\"roomSince\":\"\(Behind.night(1))\""), "\(movedLine)")
        #expect(movedLine.contains("\"request\":{\"fingerprint\":") && movedLine.contains("\"id\":\"\(madeUnder)\"}"), "\(movedLine)")
        let lines = exported.output.split(separator: "\n")
        #expect(lines.first?.contains("\"version\":4") == true)
        for requestId in [checkedInUnder, movedUnder] {
            #expect(lines.contains { $0.contains("\"kind\":\"changeRequest\"") && $0.contains(requestId) }, "\(requestId)")
        }
        let bookings = lines.filter { $0.contains("\"kind\":\"booking\"") }
        #expect(bookings.count > 20)
        #expect(lines.filter { $0.contains("\"kind\":\"room\"") }.count == 8)
        #expect(lines.contains { $0.contains("\"kind\":\"user\"") && $0.contains("\"name\":\"anna\"") })
        #expect(Set(bookings.map { $0.contains("\"status\":\"Confirmed\"") }).count == 2, "only one status among the bookings")

        #expect(try ServerHarness.run(["migrate"], database: postgres).status == 0)
        let imported = try ServerHarness.run(["import"], database: postgres, input: exported.output)
        #expect(imported.status == 0, "\(imported.output)")
        let onPostgres = try ServerHarness.run(["export", "--hotel", hotel], database: postgres)
        // Each move is one entry in the hotel's change feed, numbered after the source's last.
        let feedNumbers = try [exported, onPostgres].map { try #require(Self.feedSequence(in: $0.output)) }
        #expect(feedNumbers[1] == feedNumbers[0] + 1, "\(feedNumbers)")
        #expect(Self.withoutFeedSequence(onPostgres.output) == Self.withoutFeedSequence(exported.output),
                "\(Self.firstDifference(exported.output, onPostgres.output))")
        // Again: the hotel is there already, and nothing changes.
        let twice = try ServerHarness.run(["import"], database: postgres, input: exported.output)
        #expect(twice.status == 6 && twice.output.contains("The hotel Hotel Aurora") && twice.output.contains("is here already"), "\(twice.output)")

        #expect(try ServerHarness.run(["import"], database: back, input: onPostgres.output).status == 0)
        let roundTrip = try ServerHarness.run(["export", "--hotel", hotel], database: back)
        #expect(Self.feedSequence(in: roundTrip.output) == feedNumbers[0] + 2)
        #expect(Self.withoutFeedSequence(roundTrip.output) == Self.withoutFeedSequence(exported.output),
                "\(Self.firstDifference(exported.output, roundTrip.output))")
        // The desk's retry after two moves: the same booking, nothing booked again.
        let retried = try atTheDesk(Behind.night(0), booking, database: back)
        #expect(retried.status == 0, "\(retried.stderr)")
        #expect(try retried.json["confirmation"] as? String == code)
        let afterRetry = try ServerHarness.run(["export", "--hotel", hotel], database: back)
        #expect(afterRetry.output == roundTrip.output, "\(Self.firstDifference(roundTrip.output, afterRetry.output))")

        // A file that puts the move a night earlier holds the first night in a room the booking
        // had not left yet: refused by line, and nothing is written.
        let tampered = exported.output.replacingOccurrences(of: "\"roomSince\":\"\(Behind.night(1))\"", with: "\"roomSince\":\"\(Behind.night(0))\"")
        let elsewhere = folder.appendingPathComponent("tampered.sqlite").path
        let refused = try ServerHarness.run(["import"], database: elsewhere, input: tampered)
        #expect(refused.status != 0)
        #expect(refused.output.contains("booking \(code) holds \(Behind.night(0)) in a room or on a night outside its stay"), "\(refused.output)")
        let left = try ServerHarness.run(["hotels", "list", "--json"], database: elsewhere).output
        #expect(!left.contains(hotel), "\(left)")
        // A feed number at Int64's end (the import numbers its entry after it), and version 3's
        // lines in a file that says version 2: refused in words, nothing written.
        let feedAtTheEnd = Self.withoutFeedSequence(exported.output)
            .replacingOccurrences(of: "{\"hotel\":", with: "{\"feedSequence\":9223372036854775807,\"hotel\":")
        let olderVersion = exported.output.replacingOccurrences(of: "\"kind\":\"format\",\"version\":4", with: "\"kind\":\"format\",\"version\":2")
        for (file, says) in [(feedAtTheEnd, "feedSequence 9223372036854775807 is not a change-feed number"),
                             (olderVersion, "come in version 3 files only")] {
            let refusedFile = try ServerHarness.run(["import"], database: elsewhere, input: file)
            #expect(refusedFile.status != 0 && refusedFile.output.contains(says), "\(refusedFile.output)")
        }
        #expect(!(try ServerHarness.run(["hotels", "list", "--json"], database: elsewhere).output.contains(hotel)))
    }

    /// A user line no account can have (a name of two words) stops the import with its hotel:
    /// nothing is left half imported, on either backend, and the same file once fixed imports.
    @Test func anImportWhoseUserCannotBeAddedLeavesNoHotel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source.sqlite").path
        let hotel = try Self.demoHotelWithAnna(rooms: 4, days: 10, database: source)
        let exported = try ServerHarness.run(["export", "--hotel", hotel], database: source)
        #expect(exported.status == 0 && exported.output.contains("\"name\":\"anna\""), "\(exported.output.prefix(300))")
        let broken = exported.output.replacingOccurrences(of: "\"name\":\"anna\"", with: "\"name\":\"Ann Lee\"")

        let postgres = try PostgresCluster.shared().makeDatabase()
        #expect(try ServerHarness.run(["migrate"], database: postgres).status == 0)
        for database in [postgres, folder.appendingPathComponent("target.sqlite").path] {
            let refused = try ServerHarness.run(["import"], database: database, input: broken)
            #expect(refused.status != 0 && refused.output.contains("User name must be one word"), "\(refused.output)")
            // Refused after the new file was opened: it goes again with the refusal.
            #expect(database.hasPrefix("postgres://") || !FileManager.default.fileExists(atPath: database), "a refused import left \(database)")
            #expect(!(try ServerHarness.run(["hotels", "list", "--json"], database: database).output.contains(hotel)))
            let imported = try ServerHarness.run(["import"], database: database, input: exported.output)
            #expect(imported.status == 0, "\(imported.output)")
            let users = try ServerHarness.run(["users", "list", "--json"], database: database).output
            #expect(users.contains("\"anna\""), "\(users)")
        }
    }

    /// An export edited by hand is held to the rules of the commands that make its parts: each
    /// edit below is refused in words naming its line (none crashes, none imports), and a refused
    /// import into a new file leaves no file.
    @Test func anEditedExportIsHeldToTheRulesOfTheCommandsThatMakeItsParts() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("source.sqlite").path
        let hotel = try Self.demoHotelWithAnna(rooms: 6, days: 20, database: source)
        let exported = try ServerHarness.run(["export", "--hotel", hotel], database: source)
        try #require(exported.status == 0)
        let lines = try exported.output.split(separator: "\n").map { line in
            try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        }
        typealias Edit = (inout [[String: Any]]) -> Void
        func editFirst(_ kind: String, _ field: String, where matches: @escaping ([String: Any]) -> Bool = { _ in true },
                       _ change: @escaping (inout [String: Any]) -> Void) -> Edit {
            { lines in
                guard let index = lines.firstIndex(where: { $0["kind"] as? String == kind && matches($0[field] as? [String: Any] ?? [:]) }),
                      var object = lines[index][field] as? [String: Any] else { return }
                change(&object)
                lines[index][field] = object
            }
        }
        let confirmed: ([String: Any]) -> Bool = { $0["status"] as? String == "Confirmed" }
        let edits: [(String, Edit)] = [
            ("is not a night's price", editFirst("booking", "booking") { booking in
                var prices = booking["nightlyPrices"] as? [[String: Any]] ?? []
                prices[0]["priceCents"] = Int64.max
                booking["nightlyPrices"] = prices
            }),
            ("one price for each night", editFirst("booking", "booking", where: confirmed) { $0["nightlyPrices"] = [] }),
            ("must hold each night of its stay", editFirst("booking", "booking", where: confirmed) { $0["claims"] = [] }),
            ("Mars/Olympus", editFirst("hotel", "hotel") { $0["timeZone"] = "Mars/Olympus" }),
            ("noShowFee", editFirst("hotel", "hotel") { $0["noShowFee"] = "None" }),
            ("is an admin", editFirst("user", "user") { $0["role"] = "admin" }),
            ("is not a password hash", editFirst("user", "user") { $0["passwordHash"] = "pbkdf2-sha256$1$AAAA$AAAA" }),
            ("disabledAt 'yesterday' is not an instant", editFirst("user", "user") { $0["disabledAt"] = "yesterday" }),
            // Said by line, not as the database's UNIQUE error at the end (session 60's review).
            ("comes twice (its id or its code)", { lines in
                let bookings = lines.indices.filter { lines[$0]["kind"] as? String == "booking" }
                guard bookings.count >= 2, let first = lines[bookings[0]]["booking"] as? [String: Any],
                      var second = lines[bookings[1]]["booking"] as? [String: Any] else { return }
                second["confirmation"] = first["confirmation"]
                lines[bookings[1]]["booking"] = second
            }),
            ("comes twice (its id or its name)", { lines in
                guard let index = lines.firstIndex(where: { $0["kind"] as? String == "roomType" }) else { return }
                var copy = lines[index]
                var type = copy["roomType"] as? [String: Any] ?? [:]
                type["roomTypeId"] = UUID().uuidString.lowercased()
                copy["roomType"] = type
                lines.insert(copy, at: index + 1)
            }),
            ("guests in room", editFirst("booking", "booking", where: confirmed) { $0["guests"] = 9 }),
            // A guest gone, or in house, of a stay not yet begun (session 61): refused by line.
            ("is CheckedOut, but its stay begins on \(Ahead.night(0)), after the hotel's business date", editFirst("booking", "booking") { booking in
                booking["status"] = "CheckedOut"
                booking["checkIn"] = Ahead.night(0)
                booking["checkOut"] = Ahead.night(2)
            }),
            ("is CheckedIn, but its stay begins on \(Ahead.night(0)), after the hotel's business date", editFirst("booking", "booking") { booking in
                booking["status"] = "CheckedIn"
                booking["checkIn"] = Ahead.night(0)
                booking["checkOut"] = Ahead.night(2)
            }),
        ]
        for (says, edit) in edits {
            var edited = lines
            edit(&edited)
            let text = try edited.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }.joined(separator: "\n") + "\n"
            let target = folder.appendingPathComponent("target.sqlite").path
            let refused = try ServerHarness.run(["import"], database: target, input: text)
            #expect(refused.status != 0 && refused.output.contains("line ") && refused.output.contains(says), "\(says): \(refused.output)")
            #expect(!refused.output.contains("Swift runtime failure"), "\(refused.output)")
            #expect(!FileManager.default.fileExists(atPath: target), "a refused import left \(target)")
        }
    }

    /// A demo hotel in `database` with anna, its receptionist: the hotel's id.
    static func demoHotelWithAnna(rooms: Int, days: Int, database: String) throws -> String {
        #expect(try ServerHarness.run(["demo", "--hotels", "1", "--rooms", String(rooms), "--days", String(days)], database: database).status == 0)
        let listed = try ServerHarness.run(["hotels", "list", "--json"], database: database).output
        let hotels = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any])?["hotels"] as? [[String: Any]] ?? []
        let hotel = try #require(hotels.first?["hotelId"] as? String)
        #expect(try ServerHarness.run(["users", "add", "anna", "--role", "receptionist", "--hotel", hotel, "--password-stdin",
                                       "--password-rounds", "1000"], database: database, input: "password-of-anna\n").status == 0)
        return hotel
    }

    /// The hotel line's `feedSequence`.
    static func feedSequence(in export: String) -> Int? {
        guard let range = export.range(of: #""feedSequence":[0-9]+"#, options: .regularExpression) else { return nil }
        return Int(export[range].split(separator: ":")[1])
    }

    static func withoutFeedSequence(_ export: String) -> String {
        export.replacingOccurrences(of: #""feedSequence":[0-9]+,"#, with: "", options: .regularExpression)
    }

    /// The first line where two exports differ, for a failure's message.
    static func firstDifference(_ a: String, _ b: String) -> String {
        let (left, right) = (a.split(separator: "\n", omittingEmptySubsequences: false), b.split(separator: "\n", omittingEmptySubsequences: false))
        for index in 0..<max(left.count, right.count) where index >= left.count || index >= right.count || left[index] != right[index] {
            return "line \(index + 1):\n\(index < left.count ? left[index] : "(none)")\n\(index < right.count ? right[index] : "(none)")"
        }
        return "no difference"
    }
}
