import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore

struct Occupancy: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "occupancy", abstract: "Occupancy, ADR and RevPAR night by night.",
        // What each figure counts, where a manager checking them against the bookings reads
        // (a review, session 57: it was only in DECISIONS.md).
        discussion: """
            Sold: the room-nights of firm bookings (Confirmed, checked in, checked out) that the \
            booking still holds: an early check-out gives back the nights after it, a no-show keeps \
            its first night when the hotel charges it (no-show fee first_night) and none when the \
            fee is none. Cancelled bookings and unpaid holds count nothing.
            Available: the rooms in service today, plus a room out of service today on the nights \
            it was sold (past nights are counted with today's rooms).
            Revenue: the prices of the nights sold. ADR = revenue / sold; RevPAR = revenue / \
            available; Occ % = sold / available.
            Pickup: the room-nights in the range still sold by bookings made in the last 7 days.
            """)

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
            try OccupancyReport.checkRange(from: first!, through: last!, fromIsBusinessDate: from == nil)
            let report = try store.occupancyReport(from: first!, through: last!)
            let days = report.days
            let summary = report.summary
            let json = report.json
            if csv { return Output.Result(json: json, text: String(report.csv.dropLast())) }
            var table = TextTable(headers: ["Night", "Avail", "Sold", "Occ %", "Revenue", "ADR", "RevPAR"], rightAligned: [1, 2, 3, 4, 5, 6])
            table.rows = days.map {
                [$0.date.iso, String($0.roomsAvailable), String($0.roomsSold), Self.percent($0.occupancy),
                 $0.roomRevenue.plain, $0.adr.plain, $0.revpar.plain]
            }
            table.rows.append(["Total", String(summary.roomNightsAvailable), String(summary.roomNightsSold),
                               Self.percent(summary.occupancy), summary.roomRevenue.plain, summary.adr.plain, summary.revpar.plain])
            var types = TextTable(headers: ["Room type", "Rooms", "Sold", "Occ %", "Revenue", "ADR", "RevPAR"], rightAligned: [1, 2, 3, 4, 5, 6])
            types.rows = report.byRoomType.map {
                [$0.name, String($0.rooms), String($0.roomNightsSold), Self.percent($0.occupancy), $0.roomRevenue.plain,
                 $0.adr.plain, $0.revpar.plain]
            }
            let footer = (report.currency.map { "Amounts in \($0). " } ?? "") + "Pickup, last \(OccupancyReport.pickupDays) days: \(report.pickupRoomNights.counted("room-night")). "
                + "Today: \(report.arrivalsToday) arriving, \(report.departuresToday) leaving, \(report.inHouseToday) in house."
            return Output.Result(json: json, text: table.safeRendered + "\n\n" + types.safeRendered + "\n\n" + footer)
        }
    }

    static func percent(_ fraction: Decimal) -> String { OccupancyReport.percent(fraction) }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Who changed what and when, newest first.")

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
                        ("before", entry.before.map(Output.embeddedJSON) ?? .null),
                        ("after", entry.after.map(Output.embeddedJSON) ?? .null),
                    ])
                }))]),
                text: entries.isEmpty ? "The audit trail is empty." : table.safeRendered)
        }
    }

    static func when(_ instant: Date) -> String {
        let formatter = ISO8601DateFormatter()
        return String(formatter.string(from: instant).replacingOccurrences(of: "T", with: " ").dropLast())
    }
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Create a demo hotel with realistic bookings.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Rooms (default 120).") var rooms: Int = 120
    @Option(help: "Days of bookings, centred on the business date (default 365).") var days: Int = 365
    @Option(help: "Share of room-nights sold, 0 to 1 (default 0.7).") var occupancy: Double = 0.7
    @Option(help: "Seed: the same seed gives the same hotel (default 1).") var seed: UInt64 = 1
    @Flag(help: "Replace the hotel already in the database.") var force = false

    func run() throws {
        try common.run { store in
            let now = Date()
            let generator = DemoHotelGenerator(roomCount: rooms, days: days, occupancy: occupancy, seed: seed,
                                               businessDate: DemoHotelGenerator.businessDate(at: now, override: common.todayOverride),
                                               now: now)
            try generator.validate() // bad input is validation_failed whatever the file holds
            // Checked again inside the import's transaction; asked here too so a refusal does not
            // first spend seconds generating years of bookings.
            if !force, let existing = try store.hotel() {
                throw FrontDeskError.conflict("This database already holds the hotel \(existing.name); use --force to replace it")
            }
            let demo = generator.generate()
            try store.importDemo(demo, replacing: force, by: common.userName)
            return Output.Result(
                json: .object([
                    ("hotel", .string(demo.hotel.name)), ("rooms", .int(demo.rooms.count)),
                    ("roomTypes", .int(demo.roomTypes.count)), ("bookings", .int(demo.bookings.count)),
                    ("businessDate", .date(generator.businessDate)), ("database", .string(store.path)),
                ]),
                text: "\(demo.hotel.name): \(demo.rooms.count.counted("room")) of \(demo.roomTypes.count.counted("type")), \(demo.bookings.count.counted("booking")) around \(generator.businessDate)\nDatabase: \(store.path)")
        }
    }
}

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "A day's arrivals, departures or in-house guests.",
        discussion: """
            arrivals: Confirmed, CheckedIn and CheckedOut bookings whose stay begins on the date (before 06:00 on the \
            business date also a walk-in sold after midnight for the night under way, not yet checked in: no departure \
            then); departures: those \
            whose stay ends on it, and on the business date also the guests still checked in whose departure \
            date passed (overstayed, listed apart; "overdue" in --json; in --csv a last column, list, says departures or overdue).
            in-house: bookings checked in over that night. On the business date (no --date) it is everyone checked in \
            now, the fire list: the guests staying tonight, and listed apart the guests due out today who are still \
            checked in ("dueOutToday" in --json, list due-out-today in --csv) and the overstayed (as with the \
            departures); its count line gives the total. Before 06:00 the guests asleep from last night who leave \
            today are the ones due out today. A past --date lists who stayed that night, each in that night's room, \
            with each booking's status now: CheckedOut rows have left since.
            """)

    @OptionGroup var common: CommonOptions
    @Argument(help: "arrivals, departures or in-house.") var kind: DayLists.Kind
    @Option(help: "The day, YYYY-MM-DD (default: the business date).") var date: String?
    @Flag(help: "Print CSV instead of a table.") var csv = false

    func run() throws {
        try common.run { store in
            var problems: [String] = []
            let day = try date.map { BookingRules.parseDate($0, field: "--date", into: &problems) } ?? store.businessDate()
            if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
            let lists = try store.dayLists(on: day!)
            let bookings = lists.bookings(kind)
            // On a connected desk each booking says whether the server has it yet, as `bookings --json` does.
            // `roomNumberThatDay`: where the guest was that day (a move since changed `roomNumber`).
            func listed(_ bookings: [Booking]) -> [JSONValue] {
                zip(bookings, ConnectedDesk.withSync(bookings, store: store)).map { booking, json -> JSONValue in
                    guard case .object(let fields) = json else { return json }
                    return .object(fields + [("roomNumberThatDay", .string(lists.roomNumber(of: booking)))])
                }
            }
            // The business date's departures also name the guests who overstayed (still checked in,
            // due out before it): on no day's list otherwise, yet in their rooms.
            // The in-house list names them too: they are in the house tonight. It also names the
            // guests due out today still checked in (asleep at 00:38, leaving in the morning): in
            // the house now, on no in-house list before (a night-shift review, session 61).
            let namesOverdue = kind == .departures || kind == .inHouse
            let overdue = namesOverdue ? lists.overdueDepartures : []
            let overdueListed = ConnectedDesk.withSync(overdue, store: store)
            let dueOut = kind == .inHouse ? lists.dueOutToday : []
            var fields: [(String, JSONValue)] = [("date", .date(day!)), ("bookings", .array(listed(bookings)))]
            if namesOverdue { fields.append(("overdue", .array(overdueListed))) }
            if kind == .inHouse { fields.append(("dueOutToday", .array(listed(dueOut)))) }
            let json = JSONValue.object(fields)
            if csv { return Output.Result(json: json, text: String(lists.csv(kind).dropLast())) }
            func table(_ bookings: [Booking]) -> String {
                var table = TextTable(headers: ["Code", "Status", "Room", "Arrive", "Depart", "Guest", "Guests", "Total"],
                                      rightAligned: [6, 7])
                table.rows = bookings.map {
                    [$0.confirmationCode, $0.status.rawValue, lists.roomNumber(of: $0), $0.stay.checkIn.iso, $0.stay.checkOut.iso,
                     $0.guest.name, String($0.guestCount), $0.totalPrice.plain]
                }
                return table.safeRendered
            }
            let businessDate = try date == nil ? day! : store.businessDate()
            let title = "\(kind == .inHouse ? "In house" : kind.rawValue.capitalized) on \(day!): \(bookings.count)"
                + (kind == .inHouse ? Self.inHouseCount(lists, businessDate: businessDate) : "")
            var text = bookings.isEmpty ? title : title + "\n\n" + table(bookings)
            if !dueOut.isEmpty {
                text += "\n\nDue out today, still checked in: \(dueOut.count)\n\n" + table(dueOut)
            }
            if !overdue.isEmpty {
                text += "\n\nOverstayed, still checked in (due out before \(day!)): \(overdue.count)\n\n" + table(overdue)
            }
            return Output.Result(json: json, text: text)
        }
    }

    /// What follows the in-house list's count. On the business date: the guests listed apart and
    /// the total checked in now (a fire list reads one number). On a past date: how many of that
    /// night's guests have left since (their Status is the booking's now), and where to find who
    /// is in now (a night-shift review, session 61: before 06:00 a past date's list was read as
    /// the house, with guests gone after midnight on it).
    static func inHouseCount(_ lists: DayLists, businessDate: CalendarDate) -> String {
        if lists.date == businessDate {
            let apart = [(lists.dueOutToday.count, "due out today"), (lists.overdueDepartures.count, "overstayed")].filter { $0.0 > 0 }
            return " staying tonight" + apart.map { " + \($0.0) \($0.1)" }.joined() + " = \(lists.checkedInNow) checked in now"
        }
        guard lists.date < businessDate else { return "" }
        let left = lists.inHouse.filter { $0.status != .checkedIn }.count
        return (left > 0 ? ", \(left) of them checked out since (Status: each booking's status now)" : "")
            + "\nIn the house now: frontdesk report in-house (the business date, \(businessDate))"
    }
}

/// The lists `frontdesk report` names, as the domain defines them.
extension DayLists.Kind: ExpressibleByArgument {}
