import Foundation
import Testing

@Suite struct TwoProcessRaceTests {
    /// Two desks book the same room for the same night at the same moment, a hundred times:
    /// each time exactly one wins and the other is told the room is unavailable.
    @Test func exactlyOneOfTwoProcessesWinsEachRoomNight() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let rooms = ["101", "102", "103", "104", "105"]
        var outcomes: [(CLIHarness.Outcome, CLIHarness.Outcome)] = []
        for race in 0..<100 {
            // Five rooms a night, twenty nights from 1 December: every race has its own room-night.
            let checkIn = Self.date(daysAfterFirstOfDecember: race / rooms.count)
            let checkOut = Self.date(daysAfterFirstOfDecember: race / rooms.count + 1)
            func contender(_ guest: String) throws -> (Process, Pipe, Pipe) {
                try cli.start(["book", "--room", rooms[race % rooms.count], "--check-in", checkIn, "--check-out", checkOut,
                               "--guests", "1", "--guest-name", guest, "--email", "race@example.com", "--wait", "--json"])
            }
            let first = try contender("Desk One \(race)"), second = try contender("Desk Two \(race)")
            outcomes.append((CLIHarness.finish(first), CLIHarness.finish(second)))
        }
        for (index, (first, second)) in outcomes.enumerated() {
            let statuses = [first.status, second.status].sorted()
            #expect(statuses == [0, 4], "race \(index): \(first.stderr) \(second.stderr)")
            let loser = first.status == 0 ? second : first
            #expect(try (loser.json["error"] as? [String: Any])?["code"] as? String == "room_unavailable")
            #expect(loser.stderr.contains("is not available"))
        }
        let confirmed = try #require(try cli.run("bookings", "--status", "Confirmed", "--json").json["bookings"] as? [Any])
        #expect(confirmed.count == 100)
    }

    static func date(daysAfterFirstOfDecember days: Int) -> String {
        let formatter = DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date(timeIntervalSince1970: 1_796_083_200 + Double(days) * 86_400))
    }
}

@Suite struct StayExtensionRaceTests {
    /// One desk extends a stay by a night while another books that night in the same room, a
    /// hundred times: each time exactly one wins, and the loser is told the room is unavailable.
    @Test func extendingAStayAndBookingTheNightAfterItNeverBothWin() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let rooms = ["101", "102", "103", "104", "105"]
        // Every race has its own room and nights: a one-night stay, and the night after it free.
        var codes: [String] = []
        for race in 0..<100 {
            let night = race / rooms.count * 2
            let booked = try cli.run("book", "--room", rooms[race % rooms.count],
                                     "--check-in", TwoProcessRaceTests.date(daysAfterFirstOfDecember: night),
                                     "--check-out", TwoProcessRaceTests.date(daysAfterFirstOfDecember: night + 1),
                                     "--guests", "1", "--guest-name", "Staying On \(race)", "--email", "stay@example.com", "--wait", "--json")
            try cli.expectSuccess(booked)
            codes.append(try #require(try booked.json["confirmation"] as? String))
        }
        var outcomes: [(CLIHarness.Outcome, CLIHarness.Outcome)] = []
        for race in 0..<100 {
            let night = race / rooms.count * 2
            let extend = try cli.start(["change", codes[race], "--check-out", TwoProcessRaceTests.date(daysAfterFirstOfDecember: night + 2),
                                        "--json"])
            let book = try cli.start(["book", "--room", rooms[race % rooms.count],
                                      "--check-in", TwoProcessRaceTests.date(daysAfterFirstOfDecember: night + 1),
                                      "--check-out", TwoProcessRaceTests.date(daysAfterFirstOfDecember: night + 2),
                                      "--guests", "1", "--guest-name", "Walk In \(race)", "--email", "walk@example.com", "--json"])
            outcomes.append((CLIHarness.finish(extend), CLIHarness.finish(book)))
        }
        var extensions = 0
        for (index, (extend, book)) in outcomes.enumerated() {
            #expect([extend.status, book.status].sorted() == [0, 4], "race \(index): \(extend.stderr) \(book.stderr)")
            let loser = extend.status == 0 ? book : extend
            #expect(try (loser.json["error"] as? [String: Any])?["code"] as? String == "room_unavailable", "race \(index)")
            if extend.status == 0 { extensions += 1 }
        }
        // The file agrees: one claim per room-night, and the winners hold what they won.
        try ReservationChangeTests.expectConsistent(cli)
        let held = try ReservationChangeTests.sqlite(cli, "SELECT COUNT(*) FROM room_night")
        #expect(held == "200")
        let extended = try ReservationChangeTests.sqlite(cli, "SELECT COUNT(*) FROM booking WHERE julianday(check_out) - julianday(check_in) = 2")
        #expect(extended == String(extensions))
    }
}
