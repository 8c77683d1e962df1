import Foundation
import FrontDeskDomain
import FrontDeskTestSupport
import Testing

/// `frontdesk report` and `frontdesk occupancy`, through the real binary.
@Suite struct ReportCommandTests {
    /// Cents from a JSON number as JSONSerialization hands it over.
    static func cents(_ value: Any?) -> Int64 { Int64((((value as? NSNumber)?.doubleValue ?? .nan) * 100).rounded()) }

    /// A small hotel with one guest in room 101, checked in on the business date (2026-11-26).
    static func checkedIn(_ name: String, from: String, to: String) throws -> (CLIHarness, String) {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let booked = try cli.run("book", "--room", "101", "--check-in", from, "--check-out", to, "--guests", "1",
                                 "--guest-name", name, "--email", "guest@example.com", "--wait", "--json")
        try cli.expectSuccess(booked)
        let code = try #require(try booked.json["confirmation"] as? String)
        #expect(try booked.json["checkedInOn"] == nil && booked.json["checkedOutOn"] == nil)
        try cli.expectSuccess(cli.run("check-in", code))
        return (cli, code)
    }

    /// A guest checked in and never checked out was on no list after their departure day while
    /// still in the room (a review, session 57): the business date's departures name them apart.
    @Test func theBusinessDatesDeparturesNameGuestsWhoOverstayed() throws {
        let (cli, code) = try Self.checkedIn("Olga Overstay", from: "2026-11-26", to: "2026-11-27")
        // Her departure day: a departure as before, nobody overstayed.
        let dueOut = try cli.run("report", "departures", "--json", environment: ["FRONTDESK_TODAY": "2026-11-27"]).json
        #expect((dueOut["bookings"] as? [[String: Any]])?.compactMap { $0["confirmation"] as? String } == [code])
        #expect((dueOut["overdue"] as? [Any])?.isEmpty == true)
        let dueOutCSV = try cli.run("report", "departures", "--csv", environment: ["FRONTDESK_TODAY": "2026-11-27"]).stdout
            .split(separator: "\n").map(String.init)
        #expect(dueOutCSV.first == "confirmationCode,status,room,checkIn,checkOut,guestName,guestEmail,guestPhone,guestCount,totalPrice,list")
        #expect(dueOutCSV.count == 2 && dueOutCSV[1].hasPrefix("\(code),CheckedIn,101,2026-11-26,2026-11-27,Olga Overstay,")
                && dueOutCSV[1].hasSuffix(",departures"), "\(dueOutCSV)")
        // Two days on, still checked in: named apart, in the JSON and in words.
        let later = ["FRONTDESK_TODAY": "2026-11-29"]
        let overdue = try cli.run("report", "departures", "--json", environment: later).json
        #expect((overdue["bookings"] as? [Any])?.isEmpty == true)
        #expect((overdue["overdue"] as? [[String: Any]])?.compactMap { $0["confirmation"] as? String } == [code])
        let text = try cli.run("report", "departures", environment: later).stdout
        #expect(text.contains("Overstayed, still checked in (due out before 2026-11-29): 1") && text.contains("Olga Overstay"), "\(text)")
        // The CSV names her too (it left her out: a review), marked as overstayed in its last column.
        let csv = try cli.run("report", "departures", "--csv", environment: later).stdout.split(separator: "\n").map(String.init)
        #expect(csv.count == 2 && csv[0].hasSuffix(",totalPrice,list"), "\(csv)")
        #expect(csv.last?.hasPrefix("\(code),CheckedIn,101,2026-11-26,2026-11-27,Olga Overstay,") == true
                && csv.last?.hasSuffix(",overdue") == true, "\(csv)")
        // She is in the house tonight: the in-house list names her apart too, and the occupancy
        // report's today counts her in house (it said 0 with two guests in their rooms: a review).
        let inHouse = try cli.run("report", "in-house", "--json", environment: later).json
        #expect((inHouse["bookings"] as? [Any])?.isEmpty == true)
        #expect((inHouse["overdue"] as? [[String: Any]])?.compactMap { $0["confirmation"] as? String } == [code])
        let inHouseText = try cli.run("report", "in-house", environment: later).stdout
        #expect(inHouseText.contains("Overstayed, still checked in (due out before 2026-11-29): 1"), "\(inHouseText)")
        let inHouseCSV = try cli.run("report", "in-house", "--csv", environment: later).stdout.split(separator: "\n").map(String.init)
        #expect(inHouseCSV.count == 2 && inHouseCSV[1].hasSuffix(",overdue"), "\(inHouseCSV)")
        let occupancy = try cli.run("occupancy", "--json", environment: later).json
        #expect((occupancy["today"] as? [String: Any])?["inHouse"] as? Int == 1, "\(occupancy)")
        // A past day's list is that day's: no overstay is judged there.
        let pastDay = try cli.run("report", "departures", "--date", "2026-11-28", "--json", environment: later).json
        #expect((pastDay["overdue"] as? [Any])?.isEmpty == true)
        // Her room is not offered for tonight, and the search says why (a review, session 57:
        // it was offered, and the next guest's check-in was refused).
        let search = try cli.run("search", "--check-in", "2026-11-29", "--nights", "1", environment: later)
        try cli.expectSuccess(search)
        #expect(search.stdout.contains("Room 101 not offered: Olga Overstay (booking \(code)) is still checked in, due out 2026-11-27")
                && !search.stdout.contains("\n101 "), "\(search.stdout)")
        // Checked out late, she is on no list of overstayed guests any more, and her room is on sale.
        try cli.expectSuccess(cli.run("check-out", code, environment: later))
        #expect((try cli.run("report", "departures", "--json", environment: later).json["overdue"] as? [Any])?.isEmpty == true)
        #expect(try cli.run("search", "--check-in", "2026-11-29", "--nights", "1", environment: later).stdout.contains("\n101 "))
    }

    /// At 00:38 the in-house list left out the guests asleep who leave in the morning (checked
    /// in, due out on the business date), and the night before's list, which a night shift used as
    /// the fire list, had guests on it who had left since (a night-shift review, session 61).
    @Test func theBusinessDatesInHouseListIsEveryoneCheckedInNow() throws {
        let (cli, leaving) = try Self.checkedIn("Dora Departing", from: "2026-11-26", to: "2026-11-27")
        let booked = try cli.run("book", "--room", "102", "--check-in", "2026-11-26", "--check-out", "2026-11-29", "--guests", "1",
                                 "--guest-name", "Stella Staying", "--email", "guest@example.com", "--wait", "--json")
        try cli.expectSuccess(booked)
        let staying = try #require(try booked.json["confirmation"] as? String)
        try cli.expectSuccess(cli.run("check-in", staying))
        let nextDay = ["FRONTDESK_TODAY": "2026-11-27"]
        let json = try cli.run("report", "in-house", "--json", environment: nextDay).json
        #expect((json["bookings"] as? [[String: Any]])?.compactMap { $0["confirmation"] as? String } == [staying])
        let dueOut = try #require(json["dueOutToday"] as? [[String: Any]], "\(json)")
        #expect(dueOut.compactMap { $0["confirmation"] as? String } == [leaving])
        #expect(dueOut.first?["roomNumberThatDay"] as? String == "101")
        #expect((json["overdue"] as? [Any])?.isEmpty == true)
        let text = try cli.run("report", "in-house", environment: nextDay).stdout
        #expect(text.contains("In house on 2026-11-27: 1 staying tonight + 1 due out today = 2 checked in now"), "\(text)")
        #expect(text.contains("Due out today, still checked in: 1") && text.contains("Dora Departing"), "\(text)")
        let csv = try cli.run("report", "in-house", "--csv", environment: nextDay).stdout.split(separator: "\n").map(String.init)
        #expect(csv.count == 3, "\(csv)")
        #expect(csv.contains { $0.hasPrefix("\(staying),CheckedIn,102,") && $0.hasSuffix(",in-house") }, "\(csv)")
        #expect(csv.contains { $0.hasPrefix("\(leaving),CheckedIn,101,") && $0.hasSuffix(",due-out-today") }, "\(csv)")
        // The departures are as they were: she is one, once.
        let departures = try cli.run("report", "departures", "--json", environment: nextDay).json
        #expect((departures["bookings"] as? [[String: Any]])?.compactMap { $0["confirmation"] as? String } == [leaving])
        #expect(departures["dueOutToday"] == nil)

        // She leaves, and Stella is moved to 103 from tonight. The night before's list names who
        // slept then, each in that night's room, with the status now, and says how many have left.
        try cli.expectSuccess(cli.run("check-out", leaving, environment: nextDay))
        try cli.expectSuccess(cli.run("move", staying, "--room", "103", environment: nextDay))
        #expect((try cli.run("report", "in-house", "--json", environment: nextDay).json["dueOutToday"] as? [Any])?.isEmpty == true)
        let pastText = try cli.run("report", "in-house", "--date", "2026-11-26", environment: nextDay).stdout
        #expect(pastText.contains("In house on 2026-11-26: 2, 1 of them checked out since (Status: each booking's status now)"),
                "\(pastText)")
        #expect(pastText.contains("In the house now: frontdesk report in-house (the business date, 2026-11-27)"), "\(pastText)")
        let past = try cli.run("report", "in-house", "--date", "2026-11-26", "--json", environment: nextDay).json
        let rows = try #require(past["bookings"] as? [[String: Any]])
        let byCode = Dictionary(uniqueKeysWithValues: rows.compactMap { row in (row["confirmation"] as? String).map { ($0, row) } })
        #expect(byCode[leaving]?["status"] as? String == "CheckedOut" && byCode[leaving]?["roomNumberThatDay"] as? String == "101")
        #expect(byCode[staying]?["status"] as? String == "CheckedIn" && byCode[staying]?["roomNumberThatDay"] as? String == "102"
                && byCode[staying]?["roomNumber"] as? String == "103", "\(rows)")
    }

    /// An early departure keeps the stay as sold (its dates and prices); the booking now says when
    /// the guest came and left, so a manager can tell the nights occupancy counts (a review, session 57).
    @Test func anEarlyDepartureSaysWhenTheGuestLeft() throws {
        let (cli, code) = try Self.checkedIn("Eda Early", from: "2026-11-26", to: "2026-11-29")
        let nextDay = ["FRONTDESK_TODAY": "2026-11-27"]
        try cli.expectSuccess(cli.run("check-out", code, environment: nextDay))
        let shown = try cli.run("show", code, "--json", environment: nextDay).json
        #expect(shown["checkOut"] as? String == "2026-11-29" && shown["nights"] as? Int == 3, "the stay as sold")
        #expect(shown["checkedInOn"] as? String == "2026-11-26" && shown["checkedOutOn"] as? String == "2026-11-27")
        let text = try cli.run("show", code, environment: nextDay).stdout
        #expect(text.contains("Left    2026-11-27 (early: 2 nights from 2026-11-27 given back)"), "\(text)")
    }

    @Test func arrivalsDeparturesAndInHouseAsJSONCSVAndText() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        func book(_ room: String, _ checkIn: String, _ checkOut: String, _ name: String) throws -> String {
            let outcome = try cli.run("book", "--room", room, "--check-in", checkIn, "--check-out", checkOut, "--guests", "1",
                                      "--guest-name", name, "--email", "guest@example.com", "--wait", "--json")
            try cli.expectSuccess(outcome)
            return try #require(try outcome.json["confirmation"] as? String)
        }
        let staying = try book("101", "2026-11-26", "2026-11-29", "Zoë Ångström")
        let arriving = try book("102", "2026-11-26", "2026-11-27", "Smith, \"Bob\"")
        let later = try book("103", "2026-11-27", "2026-11-28", "Later Guest")
        try cli.expectSuccess(cli.run("check-in", staying))
        let cancelled = try book("104", "2026-11-26", "2026-11-27", "Gone Guest")
        try cli.expectSuccess(cli.run("cancel", cancelled))

        func codes(_ arguments: String...) throws -> [String] {
            let outcome = CLIHarness.finish(try cli.start(["report"] + arguments + ["--json"]))
            try cli.expectSuccess(outcome)
            let document = try outcome.json
            #expect(document["date"] is String)
            let bookings = try #require(document["bookings"] as? [[String: Any]])
            return bookings.compactMap { $0["confirmation"] as? String }.sorted()
        }
        #expect(try codes("arrivals") == [staying, arriving].sorted())
        #expect(try codes("in-house") == [staying])
        #expect(try codes("departures", "--date", "2026-11-27") == [arriving])
        #expect(try codes("arrivals", "--date", "2026-11-27") == [later])
        #expect(try codes("departures", "--date", "2026-11-29") == [staying])
        let document = try cli.run("report", "arrivals", "--date", "2026-11-27", "--json").json
        #expect(document["date"] as? String == "2026-11-27")
        let booking = try #require((document["bookings"] as? [[String: Any]])?.first)
        #expect(booking["guestName"] as? String == "Later Guest" && booking["roomNumber"] as? String == "103")

        let csv = try cli.run("report", "arrivals", "--csv")
        try cli.expectSuccess(csv)
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "confirmationCode,status,room,checkIn,checkOut,guestName,guestEmail,guestPhone,guestCount,totalPrice")
        #expect(lines.contains { $0.hasPrefix("\(arriving),Confirmed,102,2026-11-26,2026-11-27,\"Smith, \"\"Bob\"\"\",") })
        #expect(lines.count == 3)

        let text = try cli.run("report", "in-house")
        #expect(text.stdout.contains("In house on 2026-11-26: 1") && text.stdout.contains("Zoë Ångström"))

        let badDate = try cli.run("report", "arrivals", "--date", "26/11/2026", "--json")
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("--date '26/11/2026' is not a date (use YYYY-MM-DD)"))
        let badKind = try cli.run("report", "sideways")
        #expect(badKind.status != 0 && badKind.stderr.contains("arrivals"))
    }

    /// A generated hotel: `occupancy --json`, night by night and by room type, against figures
    /// worked out from `bookings --json` and `rooms --json` alone.
    @Test func occupancyIsWhatTheBookingsSay() throws {
        let cli = try CLIHarness()
        try cli.expectSuccess(cli.run("demo", "--rooms", "40", "--days", "150", "--seed", "3"))
        let first = CalendarDate(iso: "2026-11-01")!, last = first.adding(days: 59)
        let rooms = try #require(try cli.run("rooms", "--json").json["rooms"] as? [[String: Any]])
        let typeOfRoom = Dictionary(uniqueKeysWithValues: rooms.map { ($0["roomNumber"] as! String, $0["roomType"] as! String) })
        let active = rooms.filter { $0["isActive"] as? Bool == true }.count
        let listed = try #require(try cli.run("bookings", "--from", first.iso, "--to", last.iso, "--json").json["bookings"]
            as? [[String: Any]])
        let stays = listed.map { booking in
            IndependentFigures.Stay(
                status: booking["status"] as! String, roomType: typeOfRoom[booking["roomNumber"] as! String]!,
                checkIn: CalendarDate(iso: booking["checkIn"] as! String)!, checkOut: CalendarDate(iso: booking["checkOut"] as! String)!,
                centsByNight: Dictionary(uniqueKeysWithValues: (booking["nightlyPrices"] as! [[String: Any]]).map {
                    (CalendarDate(iso: $0["date"] as! String)!, Self.cents($0["price"]))
                }))
        }
        let expected = IndependentFigures.nights(stays, activeRooms: active, from: first, count: 60)
        #expect(expected.contains { $0.sold > 0 })

        let report = try cli.run("occupancy", "--from", first.iso, "--to", last.iso, "--json").json
        let days = try #require(report["days"] as? [[String: Any]])
        #expect(days.count == 60)
        for (day, night) in zip(days, expected) {
            let amount = { (key: String) in IndependentFigures.amount(Self.cents(day[key])) }
            let occupancy = IndependentFigures.amount(Int64((((day["occupancy"] as? NSNumber)?.doubleValue ?? .nan) * 10_000).rounded()))
            #expect(day["date"] as? String == night.date.iso)
            #expect([occupancy, "\(day["roomsSold"] ?? "")/\(day["roomsAvailable"] ?? "")", amount("roomRevenue"), amount("adr"),
                     amount("revpar")] == [night.occupancyPercent, "\(night.sold)/\(night.available)", night.revenue, night.adr,
                                           night.revpar], "\(night)")
        }
        let byType = IndependentFigures.byRoomType(stays, from: first, count: 60)
        let types = try #require(report["byRoomType"] as? [[String: Any]])
        #expect(Set(types.compactMap { $0["roomType"] as? String }) == Set(typeOfRoom.values))
        for type in types {
            let name = type["roomType"] as! String
            #expect(type["roomNightsSold"] as? Int == byType[name]?.sold ?? 0, "\(name)")
            #expect(Self.cents(type["roomRevenue"]) == byType[name]?.cents ?? 0, "\(name)")
        }

        // The CSV is the same nights.
        let csv = try cli.run("occupancy", "--from", first.iso, "--to", last.iso, "--csv").stdout.split(separator: "\n")
        #expect(csv.count == 61)
        #expect(csv[1].hasPrefix("\(first),\(active),\(expected[0].sold),"))
    }

    /// `--to` alone before the business date named a start the person never typed; the report
    /// never said its currency (a chain's hotels differ).
    @Test func aRangeEndingBeforeTheDefaultStartSaysWhereTheStartCameFromAndTheCurrencyIsNamed() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let refused = try cli.run("occupancy", "--to", "2026-11-20")
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("The end date 2026-11-20 must not be before the business date 2026-11-26, the start when none is given"),
                "\(refused.stderr)")
        let given = try cli.run("occupancy", "--from", "2026-11-25", "--to", "2026-11-20")
        #expect(given.stderr.contains("The end date 2026-11-20 must not be before the start date 2026-11-25"), "\(given.stderr)")
        let json = try cli.run("occupancy", "--json").json
        #expect(json["currency"] as? String == "EUR")
        #expect(try cli.run("occupancy").stdout.contains("Amounts in EUR."))
    }
}
