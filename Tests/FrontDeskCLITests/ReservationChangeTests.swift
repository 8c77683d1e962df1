import Foundation
import FrontDeskDomain
import FrontDeskTestSupport
import Testing

/// Issue 14 through the real binary: every change, each refusal, replays, and after each kind of
/// change the database checked with the `sqlite3` program (no room-night held twice, claims inside
/// their stays, `night_sales` equal to a recomputation from `booking_night`).
@Suite struct ReservationChangeTests {
    // MARK: Helpers

    /// A confirmed booking made through the command line; its JSON.
    static func book(_ cli: CLIHarness, room: String = "101", _ checkIn: String = "2026-12-01", _ checkOut: String = "2026-12-03",
                     guests: String = "2", name: String = "Anna Berger", phone: String = "+43 660 1234567",
                     environment: [String: String] = [:]) throws -> [String: Any] {
        let booked = try cli.run("book", "--room", room, "--check-in", checkIn, "--check-out", checkOut, "--guests", guests,
                                 "--guest-name", name, "--email", "anna@example.com", "--phone", phone, "--wait", "--json",
                                 environment: environment)
        #expect(booked.status == 0, "\(booked.stderr)")
        return try booked.json
    }

    static func code(_ booking: [String: Any]) throws -> String { try #require(booking["confirmation"] as? String) }

    static func errorCode(_ outcome: CLIHarness.Outcome) throws -> String? {
        (try outcome.json["error"] as? [String: Any])?["code"] as? String
    }

    static func errorMessage(_ outcome: CLIHarness.Outcome) throws -> String {
        ((try outcome.json["error"] as? [String: Any])?["message"] as? String) ?? ""
    }

    /// Runs SQL through the sqlite3 program on the test's database.
    static func sqlite(_ cli: CLIHarness, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = ["-readonly", cli.database, sql]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The file's room-nights and sales are whole: no night of a room held twice, no booking
    /// claiming a night twice or outside its stay, no ended booking keeping a night, every
    /// booking's total the sum of its nights, and `night_sales` and `night_load` exactly what a
    /// recomputation from `room_night` and `booking_night` gives.
    static func expectConsistent(_ cli: CLIHarness, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let checks = [
            "held twice": "SELECT COUNT(*) FROM (SELECT room_id, night FROM room_night GROUP BY room_id, night HAVING COUNT(*) > 1)",
            "a booking's night twice": "SELECT COUNT(*) FROM (SELECT booking_id, night FROM room_night GROUP BY booking_id, night HAVING COUNT(*) > 1)",
            "claims outside the stay or of ended bookings": """
                SELECT COUNT(*) FROM room_night n JOIN booking b ON b.id = n.booking_id
                WHERE n.night < b.check_in OR n.night >= b.check_out OR b.status IN ('Failed', 'Cancelled')
                """,
            "claims without a price": """
                SELECT COUNT(*) FROM room_night n LEFT JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
                WHERE p.night IS NULL
                """,
            "totals": """
                SELECT COUNT(*) FROM booking b
                WHERE b.total_cents <> (SELECT COALESCE(SUM(price_cents), 0) FROM booking_night WHERE booking_id = b.id)
                """,
            "night_sales": """
                SELECT COUNT(*) FROM (
                  SELECT * FROM (SELECT hotel_id, night, room_type_id, rooms_sold, revenue_cents FROM night_sales
                                 WHERE rooms_sold <> 0 OR revenue_cents <> 0
                                 EXCEPT
                                 SELECT n.hotel_id, n.night, r.room_type_id, COUNT(*), COALESCE(SUM(p.price_cents), 0)
                                 FROM room_night n JOIN room r ON r.id = n.room_id
                                 LEFT JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
                                 WHERE n.hold_expires_at IS NULL GROUP BY 1, 2, 3)
                  UNION ALL
                  SELECT * FROM (SELECT n.hotel_id, n.night, r.room_type_id, COUNT(*), COALESCE(SUM(p.price_cents), 0)
                                 FROM room_night n JOIN room r ON r.id = n.room_id
                                 LEFT JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
                                 WHERE n.hold_expires_at IS NULL GROUP BY 1, 2, 3
                                 EXCEPT
                                 SELECT hotel_id, night, room_type_id, rooms_sold, revenue_cents FROM night_sales))
                """,
            "night_load": """
                SELECT COUNT(*) FROM (
                  SELECT hotel_id, night, firm FROM night_load WHERE firm <> 0
                  EXCEPT SELECT hotel_id, night, COUNT(*) FROM room_night WHERE hold_expires_at IS NULL GROUP BY 1, 2)
                """,
        ]
        for (name, sql) in checks {
            #expect(try sqlite(cli, sql) == "0", "\(name) is inconsistent", sourceLocation: sourceLocation)
        }
    }

    static func nights(_ cli: CLIHarness, of booking: [String: Any]) throws -> String {
        let id = try #require(booking["bookingId"] as? String)
        return try sqlite(cli, """
            SELECT group_concat(r.number || ':' || n.night, ' ') FROM (SELECT * FROM room_night WHERE booking_id = '\(id.uppercased())'
            ORDER BY night) n JOIN room r ON r.id = n.room_id
            """)
    }

    // MARK: Guest details, notes, phone search

    @Test func editDetailsAddNotesAndFindByPhone() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli)
        let code = try Self.code(booking)
        let version = try #require(booking["version"] as? Int)
        let changed = try cli.run("change", code, "--guest-name", "Anna Bergér", "--phone", "0660 / 765", "--json")
        #expect(changed.status == 2, "a phone with '/' is refused like at booking")
        #expect(try Self.errorCode(changed) == "validation_failed")

        let edited = try cli.run("change", code, "--guest-name", "Anna Bergér", "--email", "anna.b@example.com",
                                 "--note", "Late arrival, about 23:00", "--user", "maria", "--json")
        #expect(edited.status == 0, "\(edited.stderr)")
        let after = try edited.json
        #expect(after["guestName"] as? String == "Anna Bergér")
        #expect(after["email"] as? String == "anna.b@example.com")
        #expect(after["phone"] as? String == "+43 660 1234567")
        #expect(after["version"] as? Int == version + 1)
        let notes = try #require(after["notes"] as? [[String: Any]])
        #expect(notes.count == 1)
        #expect(notes.first?["text"] as? String == "Late arrival, about 23:00")
        #expect(notes.first?["by"] as? String == "maria")
        #expect((notes.first?["at"] as? String)?.hasSuffix("Z") == true)
        #expect(after["totalPrice"] as? Double == booking["totalPrice"] as? Double)

        try cli.expectSuccess(cli.run("change", code, "--note", "Cot in the room"))
        let shown = try cli.run("show", code)
        #expect(shown.stdout.contains("Note    Late arrival, about 23:00"))
        #expect(shown.stdout.contains("Note    Cot in the room"))
        #expect((try cli.run("show", code, "--json").json["notes"] as? [Any])?.count == 2)

        // Phone search: digits only, however typed.
        for typed in ["6601234567", "+43 (660) 123-45", "660.1234"] {
            let found = try cli.run("bookings", "--guest", typed, "--json")
            #expect((try found.json["bookings"] as? [[String: Any]])?.map { $0["confirmation"] as? String } == [code], "\(typed)")
        }
        #expect((try cli.run("bookings", "--guest", "999", "--json").json["bookings"] as? [Any])?.count == 0)

        // Capacity: a Double sleeps 2.
        let crowded = try cli.run("change", code, "--guests", "3", "--json")
        #expect(crowded.status == 2)
        #expect(try Self.errorMessage(crowded).contains("sleeps at most 2"))
        // Nothing given.
        let nothing = try cli.run("change", code)
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("--guest-name"), "\(nothing.stderr)")
        // The audit trail keeps before and after.
        let audit = try cli.run("audit", "--booking", code, "--json")
        #expect(audit.stdout.contains("booking.changed"))
        try Self.expectConsistent(cli)
    }

    // MARK: Changing the stay

    @Test func extendAndShortenKeepPricesOfKeptNightsAndClaimNightByNight() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli)
        let code = try Self.code(booking)
        let kept = try #require(booking["nightlyPrices"] as? [[String: Any]])
        // Another booking makes the later nights dearer by occupancy? Prices of kept nights must not move.
        let longer = try cli.run("change", code, "--check-out", "2026-12-05", "--json")
        #expect(longer.status == 0, "\(longer.stderr)")
        let extended = try longer.json
        #expect(extended["nights"] as? Int == 4)
        let prices = try #require(extended["nightlyPrices"] as? [[String: Any]])
        #expect(prices.count == 4)
        #expect(prices.prefix(2).map { $0["price"] as? Double } == kept.map { $0["price"] as? Double })
        #expect(try Self.nights(cli, of: booking) == "101:2026-12-01 101:2026-12-02 101:2026-12-03 101:2026-12-04")
        try Self.expectConsistent(cli)
        // The change feed tells listeners the room's availability changed.
        #expect(try Self.sqlite(cli, "SELECT event FROM change_feed ORDER BY seq DESC LIMIT 1") == "RoomAvailabilityChanged")

        let shorter = try cli.run("change", code, "--check-in", "2026-12-02", "--check-out", "2026-12-04", "--json")
        #expect(shorter.status == 0, "\(shorter.stderr)")
        #expect(try shorter.json["nights"] as? Int == 2)
        #expect(try Self.nights(cli, of: booking) == "101:2026-12-02 101:2026-12-03")
        try Self.expectConsistent(cli)
        // The freed nights can be sold again.
        _ = try Self.book(cli, room: "101", "2026-12-01", "2026-12-02", name: "Ben Okafor")
        _ = try Self.book(cli, room: "101", "2026-12-04", "2026-12-06", name: "Chloé Martin")
        try Self.expectConsistent(cli)
    }

    @Test func aTakenNightRefusesTheWholeChangeNamingNightsAndFreeRooms() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli)
        let code = try Self.code(booking)
        _ = try Self.book(cli, room: "101", "2026-12-04", "2026-12-05", name: "Ben Okafor")
        let before = try cli.run("show", code, "--json").stdout
        let refused = try cli.run("change", code, "--check-out", "2026-12-06", "--guest-name", "Anna B", "--json")
        #expect(refused.status == 4)
        #expect(try Self.errorCode(refused) == "room_unavailable")
        let message = try Self.errorMessage(refused)
        #expect(message.contains("2026-12-04"), "\(message)")
        #expect(!message.contains("2026-12-03"), "\(message)")
        #expect(message.contains("free from 2026-12-01 to 2026-12-06: rooms 102, 103, 104"), "\(message)")
        #expect(try cli.run("show", code, "--json").stdout == before, "nothing changed")
        try Self.expectConsistent(cli)
    }

    @Test func staleVersionPastDateWrongStatusAndReplays() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli)
        let code = try Self.code(booking)
        let version = try #require(booking["version"] as? Int)

        // Replay: the same request id twice changes once and answers the same booking.
        let requestId = UUID().uuidString
        let first = try cli.run("change", code, "--check-out", "2026-12-04", "--request-id", requestId,
                                "--expected-version", String(version), "--json")
        #expect(first.status == 0, "\(first.stderr)")
        let replay = try cli.run("change", code, "--check-out", "2026-12-04", "--request-id", requestId,
                                 "--expected-version", String(version), "--json")
        #expect(replay.status == 0, "\(replay.stderr)")
        #expect(replay.stdout == first.stdout)
        #expect(try replay.json["version"] as? Int == version + 1)
        let otherDetails = try cli.run("change", code, "--check-out", "2026-12-05", "--request-id", requestId, "--json")
        #expect(otherDetails.status == 6)
        #expect(try Self.errorCode(otherDetails) == "conflict")

        // Stale: based on a version that is no longer current.
        let stale = try cli.run("change", code, "--guest-name", "Someone Else", "--expected-version", String(version), "--json")
        #expect(stale.status == 6)
        #expect(try Self.errorCode(stale) == "conflict")
        #expect(try Self.errorMessage(stale).contains("changed meanwhile"))

        // Past date.
        let past = try cli.run("change", code, "--check-in", "2026-11-20", "--json")
        #expect(past.status == 2)
        #expect(try Self.errorMessage(past).contains("cannot be in the past"))
        // Too long.
        #expect(try cli.run("change", code, "--check-out", "2027-01-15").status == 2)
        // A request id that is not a UUID.
        #expect(try cli.run("change", code, "--note", "x", "--request-id", "nope").status == 2)

        // Wrong status: a cancelled booking's stay no longer changes.
        try cli.expectSuccess(cli.run("cancel", code))
        let cancelled = try cli.run("change", code, "--check-out", "2026-12-06", "--json")
        #expect(cancelled.status == 5)
        #expect(try Self.errorCode(cancelled) == "invalid_state")
        try Self.expectConsistent(cli)
    }

    @Test func aGuestInHouseStaysLongerOrLeavesSooner() throws {
        let cli = try CLIHarness(today: "2026-12-01")
        try cli.smallHotel()
        let booking = try Self.book(cli, "2026-12-01", "2026-12-04")
        let code = try Self.code(booking)
        try cli.expectSuccess(cli.run("check-in", code))
        let later = ["FRONTDESK_TODAY": "2026-12-02"]
        let longer = try cli.run("change", code, "--check-out", "2026-12-06", "--json", environment: later)
        #expect(longer.status == 0, "\(longer.stderr)")
        #expect(try longer.json["status"] as? String == "CheckedIn")
        #expect(try longer.json["nights"] as? Int == 5)
        let moveArrival = try cli.run("change", code, "--check-in", "2026-12-02", "--json", environment: later)
        #expect(moveArrival.status == 2)
        #expect(try Self.errorMessage(moveArrival).contains("cannot change"))
        let leaveToday = try cli.run("change", code, "--check-out", "2026-12-02", "--json", environment: later)
        #expect(leaveToday.status == 2)
        let sooner = try cli.run("change", code, "--check-out", "2026-12-03", "--json", environment: later)
        #expect(sooner.status == 0, "\(sooner.stderr)")
        #expect(try Self.nights(cli, of: booking) == "101:2026-12-01 101:2026-12-02")
        try Self.expectConsistent(cli)
    }

    // MARK: Moving rooms

    @Test func moveBeforeArrivalKeepsThePriceUnlessRepriced() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli)
        let code = try Self.code(booking)
        let moved = try cli.run("move", code, "--room", "102", "--reason", "Broken heater", "--json")
        #expect(moved.status == 0, "\(moved.stderr)")
        let json = try moved.json
        #expect(json["roomNumber"] as? String == "102")
        #expect(json["totalPrice"] as? Double == booking["totalPrice"] as? Double)
        #expect(try Self.nights(cli, of: booking) == "102:2026-12-01 102:2026-12-02")
        try Self.expectConsistent(cli)
        #expect(try cli.run("audit", "--booking", code).stdout.contains("Broken heater"))

        let upgrade = try cli.run("move", code, "--room", "201", "--json")
        #expect(try upgrade.json["totalPrice"] as? Double == booking["totalPrice"] as? Double, "an upgrade is free")
        let repriced = try cli.run("move", code, "--room", "103", "--reprice", "--json")
        #expect(repriced.status == 0, "\(repriced.stderr)")
        try Self.expectConsistent(cli)
        let family = try cli.run("move", code, "--room", "201", "--reprice", "--json")
        #expect((try family.json["totalPrice"] as? Double ?? 0) > (booking["totalPrice"] as? Double ?? 0))
        try Self.expectConsistent(cli)
        // Occupancy by room type follows the move: the Family type sold the two nights.
        let report = try cli.run("occupancy", "--from", "2026-12-01", "--to", "2026-12-02", "--json")
        let types = try #require(try report.json["byRoomType"] as? [[String: Any]])
        #expect(types.first { $0["roomType"] as? String == "Family" }?["roomNightsSold"] as? Int == 2)
        #expect(types.first { $0["roomType"] as? String == "Double" }?["roomNightsSold"] as? Int == 0)
    }

    @Test func moveRefusals() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let family = try Self.book(cli, room: "201", guests: "3")
        let code = try Self.code(family)
        _ = try Self.book(cli, room: "102", "2026-12-02", "2026-12-03", name: "Ben Okafor")
        let small = try cli.run("move", code, "--room", "101", "--json")
        #expect(small.status == 2)
        #expect(try Self.errorMessage(small).contains("sleeps at most 2"))
        let pair = try Self.book(cli, room: "101", name: "Chloé Martin")
        let taken = try cli.run("move", try Self.code(pair), "--room", "102", "--json")
        #expect(taken.status == 4)
        #expect(try Self.errorMessage(taken).contains("the night of 2026-12-02"))
        let same = try cli.run("move", try Self.code(pair), "--room", "101", "--json")
        #expect(same.status == 5)
        let nowhere = try cli.run("move", try Self.code(pair), "--room", "999", "--json")
        #expect(nowhere.status == 3)
        let stale = try cli.run("move", try Self.code(pair), "--room", "103", "--expected-version", "1", "--json")
        #expect(stale.status == 6)
        try Self.expectConsistent(cli)
    }

    @Test func moveAGuestInHouseFromTonightSplitsTheStay() throws {
        let cli = try CLIHarness(today: "2026-12-01")
        try cli.smallHotel()
        let booking = try Self.book(cli, "2026-12-01", "2026-12-04")
        let code = try Self.code(booking)
        try cli.expectSuccess(cli.run("check-in", code))
        let moved = try cli.run("move", code, "--room", "103", "--json", environment: ["FRONTDESK_TODAY": "2026-12-02"])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(try moved.json["roomSince"] as? String == "2026-12-02")
        #expect(try Self.nights(cli, of: booking) == "101:2026-12-01 103:2026-12-02 103:2026-12-03")
        try Self.expectConsistent(cli)
        // The slept night stays sold in room 101; 101 is free from tonight.
        let search = try cli.run("search", "--check-in", "2026-12-02", "--check-out", "2026-12-04", "--json",
                                 environment: ["FRONTDESK_TODAY": "2026-12-02"])
        let free = try #require(try search.json["rooms"] as? [[String: Any]]).compactMap { $0["roomNumber"] as? String }
        #expect(free.contains("101") && !free.contains("103"))
        try cli.expectSuccess(cli.run("check-out", code, environment: ["FRONTDESK_TODAY": "2026-12-04"]))
        try Self.expectConsistent(cli)
    }

    // MARK: No-shows

    @Test func noShowFreesTheRestAndKeepsTheFirstNightCharged() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli, "2026-11-27", "2026-11-30")
        let code = try Self.code(booking)
        let early = try cli.run("no-show", code, "--json")
        #expect(early.status == 5, "not before the arrival day")
        #expect(try Self.errorCode(early) == "invalid_state")
        let nextDay = ["FRONTDESK_TODAY": "2026-11-28"]
        let requestId = UUID().uuidString
        let marked = try cli.run("no-show", code, "--request-id", requestId, "--json", environment: nextDay)
        #expect(marked.status == 0, "\(marked.stderr)")
        #expect(try marked.json["status"] as? String == "NoShow")
        #expect(try Self.nights(cli, of: booking) == "101:2026-11-27")
        let replay = try cli.run("no-show", code, "--request-id", requestId, "--json", environment: nextDay)
        #expect(replay.status == 0)
        #expect(replay.stdout == marked.stdout)
        let again = try cli.run("no-show", code, "--json", environment: nextDay)
        #expect(again.status == 5)
        #expect(try cli.run("cancel", code).status == 5)
        #expect(try Self.sqlite(cli, "SELECT event FROM change_feed ORDER BY seq DESC LIMIT 1") == "RoomAvailabilityChanged")
        try Self.expectConsistent(cli)
        let listed = try cli.run("bookings", "--status", "no-show", "--json")
        #expect((try listed.json["bookings"] as? [Any])?.count == 1)

        // With no fee every night is freed.
        let hotel = try cli.run("hotel", "configure", "--no-show-fee", "none", "--no-show-cutoff", "20:00", "--json")
        #expect(hotel.status == 0, "\(hotel.stderr)")
        #expect(try hotel.json["noShowFee"] as? String == "none")
        #expect(try hotel.json["noShowCutoff"] as? String == "20:00")
        // The same again changes nothing: no audit line saying "from 20:00 (was 20:00)".
        let audited = "SELECT count(*) FROM audit_entry WHERE action LIKE 'hotel.%Changed'"
        let linesBefore = try Self.sqlite(cli, audited)
        try cli.expectSuccess(cli.run("hotel", "configure", "--no-show-fee", "none", "--no-show-cutoff", "20:00", "--hold-minutes", "15"))
        #expect(try Self.sqlite(cli, audited) == linesBefore)
        let renamed = try cli.run("hotel", "configure", "--name", " Pension Zoë am See ")
        #expect(renamed.stdout.hasPrefix("Pension Zoë am See  (Europe/Vienna, EUR)"), "\(renamed.stdout) \(renamed.stderr)")
        #expect(try Self.sqlite(cli, "SELECT summary FROM audit_entry WHERE action = 'hotel.renamed'") == "Hotel renamed Pension Zoë am See (was Pension Zoë)")
        #expect(try cli.run("hotel", "configure", "--no-show-cutoff", "25:00").status == 2)
        // An hour of the night ("02:00", meant as the next morning) marked arrivals on the morning of their own day.
        let night = try cli.run("hotel", "configure", "--no-show-cutoff", "02:00", "--json")
        #expect(night.status == 2, "\(night.stdout)")
        #expect(try Self.errorMessage(night).contains("from 06:00 to 23:00"), "\(night.stdout)")
        #expect(try cli.run("hotel", "configure", "--no-show-fee", "half").status == 2)
        let other = try Self.book(cli, room: "102", "2026-11-27", "2026-11-29", name: "Ben Okafor")
        try cli.expectSuccess(cli.run("no-show", try Self.code(other), environment: nextDay))
        #expect(try Self.nights(cli, of: other) == "")
        try Self.expectConsistent(cli)
        // A checked-in guest is no no-show.
        let arrived = try Self.book(cli, room: "103", "2026-11-26", "2026-11-28", name: "Chloé Martin")
        try cli.expectSuccess(cli.run("check-in", try Self.code(arrived)))
        #expect(try cli.run("no-show", try Self.code(arrived), environment: nextDay).status == 5)
    }

    // MARK: Undo

    @Test func undoACheckInTheSameDayOnly() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli, "2026-11-26", "2026-11-28")
        let code = try Self.code(booking)
        #expect(try cli.run("undo-check-in", code).status == 5, "not checked in")
        try cli.expectSuccess(cli.run("check-in", code))
        let undone = try cli.run("undo-check-in", code, "--reason", "Wrong line", "--json")
        #expect(undone.status == 0, "\(undone.stderr)")
        #expect(try undone.json["status"] as? String == "Confirmed")
        #expect(try Self.nights(cli, of: booking) == "101:2026-11-26 101:2026-11-27")
        #expect(try cli.run("audit", "--booking", code).stdout.contains("Wrong line"))
        try cli.expectSuccess(cli.run("check-in", code))
        let tomorrow = try cli.run("undo-check-in", code, "--json", environment: ["FRONTDESK_TODAY": "2026-11-27"])
        #expect(tomorrow.status == 5)
        #expect(try Self.errorMessage(tomorrow).contains("same day"))
        try Self.expectConsistent(cli)
    }

    @Test func undoAnEarlyCheckOutTakesTheNightsBackUnlessSoldAgain() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booking = try Self.book(cli, "2026-11-25", "2026-11-29", environment: ["FRONTDESK_TODAY": "2026-11-25"])
        let code = try Self.code(booking)
        try cli.expectSuccess(cli.run("check-in", code, environment: ["FRONTDESK_TODAY": "2026-11-25"]))
        try cli.expectSuccess(cli.run("check-out", code))
        #expect(try Self.nights(cli, of: booking) == "101:2026-11-25")
        try Self.expectConsistent(cli)
        let undone = try cli.run("undo-check-out", code, "--json")
        #expect(undone.status == 0, "\(undone.stderr)")
        #expect(try undone.json["status"] as? String == "CheckedIn")
        #expect(try Self.nights(cli, of: booking) == "101:2026-11-25 101:2026-11-26 101:2026-11-27 101:2026-11-28")
        try Self.expectConsistent(cli)
        #expect(try Self.sqlite(cli, "SELECT json_extract(data, '$.available') FROM change_feed ORDER BY seq DESC LIMIT 1") == "0")

        // Checked out again, and the freed night sold: the undo is refused, nothing changes.
        try cli.expectSuccess(cli.run("check-out", code))
        _ = try Self.book(cli, room: "101", "2026-11-27", "2026-11-28", name: "Ben Okafor")
        let refused = try cli.run("undo-check-out", code, "--json")
        #expect(refused.status == 4)
        #expect(try Self.errorMessage(refused).contains("2026-11-27"))
        #expect(try cli.run("show", code, "--json").json["status"] as? String == "CheckedOut")
        try Self.expectConsistent(cli)
        #expect(try cli.run("undo-check-out", code, environment: ["FRONTDESK_TODAY": "2026-11-27"]).status == 5)
    }

    /// A guest marked a no-show who comes the next day after all: `undo-no-show` makes the
    /// booking Confirmed again with the nights the no-show gave back (from tonight on), and the
    /// guest is checked in; a night sold since refuses it (exit 4) and changes nothing.
    @Test func undoANoShowWhenTheGuestComesAfterAll() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let nextDay = ["FRONTDESK_TODAY": "2026-11-28"]
        let booking = try Self.book(cli, "2026-11-27", "2026-11-30")
        let code = try Self.code(booking)
        #expect(try cli.run("undo-no-show", code, "--json").status == 5, "not a no-show")
        try cli.expectSuccess(cli.run("no-show", code, environment: nextDay))
        #expect(try Self.nights(cli, of: booking) == "101:2026-11-27")
        // The late guest at the desk: the refused check-in says the way on, not only the state.
        let notYet = try cli.run("check-in", code, environment: nextDay)
        #expect(notYet.status == 5 && notYet.stderr.contains("take the no-show back first (undo-no-show), then check in"), "\(notYet.stderr)")
        let undone = try cli.run("undo-no-show", code, "--reason", "Came a day late", "--json", environment: nextDay)
        #expect(undone.status == 0, "\(undone.stderr)")
        #expect(try undone.json["status"] as? String == "Confirmed")
        #expect(try Self.nights(cli, of: booking) == "101:2026-11-27 101:2026-11-28 101:2026-11-29",
                "the first night stayed sold (its fee); the nights from tonight are hers again")
        try Self.expectConsistent(cli)
        try cli.expectSuccess(cli.run("check-in", code, environment: nextDay))
        #expect(try cli.run("show", code, "--json", environment: nextDay).json["status"] as? String == "CheckedIn")

        // Marked again on another booking, its night sold since: refused, still a no-show.
        let other = try Self.book(cli, room: "102", "2026-11-27", "2026-11-29", name: "Ben Okafor")
        try cli.expectSuccess(cli.run("no-show", try Self.code(other), environment: nextDay))
        _ = try Self.book(cli, room: "102", "2026-11-28", "2026-11-29", name: "Chloé Martin", environment: nextDay)
        let refused = try cli.run("undo-no-show", try Self.code(other), "--json", environment: nextDay)
        #expect(refused.status == 4)
        #expect(try Self.errorMessage(refused).contains("was sold again for 2026-11-28 after the no-show"), "\(refused.stdout)")
        #expect(try cli.run("show", try Self.code(other), "--json").json["status"] as? String == "NoShow")
        // Once the stay is over, the no-show stands.
        #expect(try cli.run("undo-no-show", try Self.code(other), environment: ["FRONTDESK_TODAY": "2026-11-29"]).status == 5)
        try Self.expectConsistent(cli)
        // The audit says what the undo means for money: what the no-show said was owed back is owed no more.
        let history = try cli.run("audit", "--booking", code).stdout
        #expect(history.contains("Came a day late") && history.contains("was owed back to the guest: if it was paid out, collect it again"),
                "\(history)")

        // With no fee every night was given back: the night already past stays on sale, the total as it was.
        try cli.expectSuccess(cli.run("hotel", "configure", "--no-show-fee", "none"))
        let late = try Self.book(cli, room: "103", "2026-11-27", "2026-11-29", name: "Dana Late")
        try cli.expectSuccess(cli.run("no-show", try Self.code(late), environment: nextDay))
        try cli.expectSuccess(cli.run("undo-no-show", try Self.code(late), environment: nextDay))
        #expect(try Self.nights(cli, of: late) == "103:2026-11-28")
        let lateHistory = try cli.run("audit", "--booking", try Self.code(late)).stdout
        #expect(lateHistory.contains("the night of 2026-11-27, not slept, stays on sale"))
        // What the no-show said was owed back is collected again for the night she sleeps only.
        let prices = try #require(try cli.run("show", try Self.code(late), "--json").json["nightlyPrices"] as? [[String: Any]])
        let slept = try #require(prices.first { $0["date"] as? String == "2026-11-28" }?["price"] as? NSNumber)
        let notSlept = try #require(prices.first { $0["date"] as? String == "2026-11-27" }?["price"] as? NSNumber)
        let format = { (number: NSNumber) in String(format: "%.2f", number.doubleValue) }
        #expect(lateHistory.contains("if it was paid out, collect \(format(slept)) of it again (not the \(format(notSlept)) of the nights not slept)"),
                "\(lateHistory)")
        try Self.expectConsistent(cli)
    }

    // MARK: Reports after changes

    /// After a repriced move, a move of a guest in house (a split stay), a no-show and an extended
    /// stay, `occupancy --json` night by night and by room type equals figures worked out from the
    /// bookings' JSON alone (`IndependentFigures`), with what each change means spelled out here.
    @Test func occupancyAfterMovesAndNoShowsIsWhatTheBookingsSay() throws {
        let cli = try CLIHarness(today: "2026-11-26")
        try cli.smallHotel()
        let day1 = ["FRONTDESK_TODAY": "2026-11-27"], day2 = ["FRONTDESK_TODAY": "2026-11-28"]
        let moved = try Self.code(try Self.book(cli, room: "101", "2026-12-01", "2026-12-04"))
        try cli.expectSuccess(cli.run("move", moved, "--room", "201", "--reprice"))
        let split = try Self.code(try Self.book(cli, room: "102", "2026-11-26", "2026-11-29", name: "Ben Okafor"))
        try cli.expectSuccess(cli.run("check-in", split))
        try cli.expectSuccess(cli.run("move", split, "--room", "103", environment: day1))
        let absent = try Self.code(try Self.book(cli, room: "104", "2026-11-27", "2026-11-30", name: "Chloé Martin"))
        try cli.expectSuccess(cli.run("no-show", absent, environment: day2))
        let longer = try Self.code(try Self.book(cli, room: "105", "2026-11-26", "2026-11-28", name: "Dara Kim"))
        try cli.expectSuccess(cli.run("change", longer, "--check-out", "2026-12-01"))
        try Self.expectConsistent(cli)

        func shown(_ code: String) throws -> [String: Any] { try cli.run("show", code, "--json").json }
        func cents(_ booking: [String: Any]) -> [CalendarDate: Int64] {
            Dictionary(uniqueKeysWithValues: (booking["nightlyPrices"] as! [[String: Any]]).map {
                (CalendarDate(iso: $0["date"] as! String)!, ReportCommandTests.cents($0["price"]))
            })
        }
        func date(_ booking: [String: Any], _ key: String) -> CalendarDate { CalendarDate(iso: booking[key] as! String)! }
        let (m, s, a, l) = (try shown(moved), try shown(split), try shown(absent), try shown(longer))
        #expect(a["status"] as? String == "NoShow")
        #expect(s["roomSince"] as? String == "2026-11-27")
        let stays = [
            // Moved before arrival: every night in the Family room, at the Family price.
            IndependentFigures.Stay(status: "Confirmed", roomType: "Family", checkIn: date(m, "checkIn"), checkOut: date(m, "checkOut"),
                                    centsByNight: cents(m)),
            // Moved in house on the 27th: the first night in 102, the rest in 103 (both Double).
            IndependentFigures.Stay(status: "CheckedIn", roomType: "Double", checkIn: date(s, "checkIn"),
                                    checkOut: CalendarDate(iso: "2026-11-27")!, centsByNight: cents(s)),
            IndependentFigures.Stay(status: "CheckedIn", roomType: "Double", checkIn: CalendarDate(iso: "2026-11-27")!,
                                    checkOut: date(s, "checkOut"), centsByNight: cents(s)),
            // A no-show keeps its first night sold (the hotel's default fee).
            IndependentFigures.Stay(status: "Confirmed", roomType: "Double", checkIn: date(a, "checkIn"),
                                    checkOut: date(a, "checkIn").adding(days: 1), centsByNight: cents(a)),
            IndependentFigures.Stay(status: "Confirmed", roomType: "Double", checkIn: date(l, "checkIn"), checkOut: date(l, "checkOut"),
                                    centsByNight: cents(l)),
        ]
        let first = CalendarDate(iso: "2026-11-26")!
        let expected = IndependentFigures.nights(stays, activeRooms: 6, from: first, count: 10)
        let report = try cli.run("occupancy", "--from", first.iso, "--to", first.adding(days: 9).iso, "--json").json
        let days = try #require(report["days"] as? [[String: Any]])
        #expect(days.count == 10)
        for (day, night) in zip(days, expected) {
            #expect(day["date"] as? String == night.date.iso)
            #expect("\(day["roomsSold"] ?? "")/\(day["roomsAvailable"] ?? "")" == "\(night.sold)/\(night.available)", "\(night)")
            #expect(IndependentFigures.amount(ReportCommandTests.cents(day["roomRevenue"])) == night.revenue, "\(night)")
        }
        let byType = IndependentFigures.byRoomType(stays, from: first, count: 10)
        for type in try #require(report["byRoomType"] as? [[String: Any]]) {
            let name = type["roomType"] as! String
            #expect(type["roomNightsSold"] as? Int == byType[name]?.sold ?? 0, "\(name)")
            #expect(ReportCommandTests.cents(type["roomRevenue"]) == byType[name]?.cents ?? 0, "\(name)")
        }
    }

    /// A change said nothing on the command line of the money it moved: what it recorded (a
    /// longer stay to collect, a desk refund, a no-show's amount owed back) is said on stderr
    /// (stdout stays the booking, as a replay answers it). A cancel after the arrival day is refused.
    @Test func aChangeSaysWhatItRecordedAndALateArrivalIsANoShowNotACancel() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let stay = try Self.code(try Self.book(cli, room: "101", "2026-11-26", "2026-11-28"))
        let longer = try cli.run("change", stay, "--check-out", "2026-11-29", "--json")
        #expect(longer.status == 0, "\(longer.stderr)")
        let said = longer.stderr.split(separator: "\n").filter { $0.hasPrefix("Recorded: ") }
        #expect(said.count == 1 && said[0].contains("collect ") && said[0].contains(" at the desk"), "\(longer.stderr)")
        #expect(try longer.json["status"] as? String == "Confirmed", "stdout is the booking's JSON alone")
        let cancelled = try cli.run("cancel", stay)
        #expect(cancelled.stderr.contains("Recorded: ") && cancelled.stderr.contains("payment refunded (desk-refund): ")
                    && cancelled.stderr.contains(" EUR to be paid back at the desk"), "\(cancelled.stderr)")
        // Due yesterday and never came: not a cancel (it refunded nights already sold) but a no-show.
        let late = try Self.code(try Self.book(cli, room: "102", "2026-11-26", "2026-11-29"))
        let tomorrow = ["FRONTDESK_TODAY": "2026-11-27"]
        let refused = try cli.run("cancel", late, "--json", environment: tomorrow)
        let refusal = try Self.errorMessage(refused)
        #expect(refused.status != 0 && refusal.contains("mark it a no-show"), "\(refused.stdout)")
        let noShow = try cli.run("no-show", late, environment: tomorrow)
        #expect(noShow.status == 0, "\(noShow.stderr)")
        #expect(noShow.stderr.contains("Recorded: ") && noShow.stderr.contains("is owed back to the guest"), "\(noShow.stderr)")
        // Showing a booking records nothing and says nothing more.
        let shown = try cli.run("show", late)
        #expect(!shown.stderr.contains("Recorded:"))
    }
}
