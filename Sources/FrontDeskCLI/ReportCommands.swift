import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore

struct Occupancy: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Occupancy, ADR and RevPAR night by night.")

    @OptionGroup var common: CommonOptions
    @Option(help: "First night, YYYY-MM-DD (default: the business date).") var from: String?
    @Option(help: "Last night, included (default: 29 nights after --from).") var to: String?
    @Flag(help: "Print CSV instead of a table.") var csv = false

    func run() throws {
        try common.run { store in
            var problems: [String] = []
            let first = try from.map { BookingRules.parseDate($0, field: "--from", into: &problems) } ?? store.businessDate()
            let last = to.map { BookingRules.parseDate($0, field: "--to", into: &problems) } ?? first?.adding(days: 29)
            if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
            let days = try store.occupancy(from: first!, through: last!)
            let summary = OccupancySummary(days)
            let json = JSONValue.object([
                ("days", .array(days.map { day in
                    .object([
                        ("date", .date(day.date)), ("roomsAvailable", .int(day.roomsAvailable)),
                        ("roomsSold", .int(day.roomsSold)), ("occupancy", .decimal(day.occupancy)),
                        ("roomRevenue", .money(day.roomRevenue)), ("adr", .money(day.adr)), ("revpar", .money(day.revpar)),
                    ])
                })),
                ("totals", .object([
                    ("roomNightsAvailable", .int(summary.roomNightsAvailable)), ("roomNightsSold", .int(summary.roomNightsSold)),
                    ("occupancy", .decimal(summary.occupancy)), ("roomRevenue", .money(summary.roomRevenue)),
                    ("adr", .money(summary.adr)), ("revpar", .money(summary.revpar)),
                ])),
            ])
            if csv {
                let header = "date,roomsAvailable,roomsSold,occupancy,roomRevenue,adr,revpar"
                let lines = days.map {
                    "\($0.date),\($0.roomsAvailable),\($0.roomsSold),\($0.occupancy),\($0.roomRevenue.plain),\($0.adr.plain),\($0.revpar.plain)"
                }
                return Output.Result(json: json, text: ([header] + lines).joined(separator: "\n"))
            }
            var table = TextTable(headers: ["Night", "Avail", "Sold", "Occ %", "Revenue", "ADR", "RevPAR"], rightAligned: [1, 2, 3, 4, 5, 6])
            table.rows = days.map {
                [$0.date.iso, String($0.roomsAvailable), String($0.roomsSold), Self.percent($0.occupancy),
                 $0.roomRevenue.plain, $0.adr.plain, $0.revpar.plain]
            }
            table.rows.append(["Total", String(summary.roomNightsAvailable), String(summary.roomNightsSold),
                               Self.percent(summary.occupancy), summary.roomRevenue.plain, summary.adr.plain, summary.revpar.plain])
            return Output.Result(json: json, text: table.rendered)
        }
    }

    static func percent(_ fraction: Decimal) -> String {
        Money(rounding: fraction * 100).plain
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Who changed what and when, newest first.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Only this booking (id or confirmation code).") var booking: String?
    @Option(help: "At most this many entries (default 100).") var limit: Int = 100

    func run() throws {
        try common.run { store in
            guard limit >= 1 else { throw FrontDeskError.validationFailed(["--limit must be at least 1"]) }
            let entries = try store.auditTrail(bookingReference: booking, limit: limit)
            var table = TextTable(headers: ["When (UTC)", "Who", "What", ""])
            table.rows = entries.map { [Self.when($0.at), $0.user, $0.action, $0.summary] }
            return Output.Result(
                json: .object([("entries", .array(entries.map { entry in
                    .object([
                        ("id", .int(Int(entry.id))), ("at", .string(ISO8601DateFormatter().string(from: entry.at))),
                        ("user", .string(entry.user)), ("action", .string(entry.action)),
                        ("bookingId", .optional(entry.bookingId?.uuidString.lowercased())),
                        ("roomId", .optional(entry.roomId?.uuidString.lowercased())),
                        ("summary", .string(entry.summary)),
                        ("before", entry.before.map(JSONValue.number) ?? .null),
                        ("after", entry.after.map(JSONValue.number) ?? .null),
                    ])
                }))]),
                text: entries.isEmpty ? "The audit trail is empty." : table.rendered)
        }
    }

    static func when(_ instant: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return String(formatter.string(from: instant).replacingOccurrences(of: "T", with: " ").dropLast())
    }
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a demo hotel with realistic bookings.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Rooms (default 120).") var rooms: Int = 120
    @Option(help: "Days of bookings, centred on the business date (default 365).") var days: Int = 365
    @Option(help: "Share of room-nights sold, 0 to 1 (default 0.7).") var occupancy: Double = 0.7
    @Option(help: "Seed: the same seed gives the same hotel (default 1).") var seed: UInt64 = 1
    @Flag(help: "Replace the hotel already in the database.") var force = false

    func run() throws {
        try common.run { store in
            // Checked again inside the import's transaction; asked here too so a refusal does not
            // first spend seconds generating years of bookings.
            if !force, let existing = try store.hotel() {
                throw FrontDeskError.conflict("This database already holds the hotel \(existing.name); use --force to replace it")
            }
            let generator = DemoHotelGenerator(roomCount: rooms, days: days, occupancy: occupancy, seed: seed,
                                               businessDate: try store.businessDate(), now: Date())
            try generator.validate()
            let demo = generator.generate()
            try store.importDemo(demo, replacing: force, by: common.userName)
            return Output.Result(
                json: .object([
                    ("hotel", .string(demo.hotel.name)), ("rooms", .int(demo.rooms.count)),
                    ("roomTypes", .int(demo.roomTypes.count)), ("bookings", .int(demo.bookings.count)),
                    ("businessDate", .date(generator.businessDate)), ("database", .string(store.path)),
                ]),
                text: "\(demo.hotel.name): \(demo.rooms.count) rooms of \(demo.roomTypes.count) types, \(demo.bookings.count) bookings around \(generator.businessDate)\nDatabase: \(store.path)")
        }
    }
}
