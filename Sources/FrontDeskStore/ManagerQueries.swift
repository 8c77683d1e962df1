import Foundation
import FrontDeskDomain
import GRDB

/// What managers read: the occupancy report, the room plan, and a day's lists.
extension FrontDeskStore {
    // MARK: Occupancy

    /// One row per night from `from` through `to` (both included).
    public func occupancy(from: CalendarDate, through to: CalendarDate) throws -> [OccupancyDay] {
        try occupancyReport(from: from, through: to).days
    }

    /// Nights, room types, pickup and today's counts for `from` through `to`, from one read, so
    /// the figures agree with each other. The dashboard and `frontdesk occupancy` both call this.
    public func occupancyReport(from: CalendarDate, through to: CalendarDate) throws -> OccupancyReport {
        try OccupancyReport.checkRange(from: from, through: to)
        return try read { db in
            let hotel = try requireHotel(db)
            let types = try db.rows(sql: """
                SELECT t.id, t.name, COUNT(r.id)
                FROM room_type t LEFT JOIN room r ON r.room_type_id = t.id AND r.is_active = 1
                WHERE t.hotel_id = ? GROUP BY t.id ORDER BY t.base_price_cents, t.name
                """, arguments: [hotel.id.uuidString]).map { OccupancyReport.TypeRooms(key: $0[0], name: $0[1], rooms: $0[2]) }

            // Sold room-nights and their revenue, per night and room type, kept by triggers (v3).
            var sales: [OccupancyReport.Sales] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT night, room_type_id, rooms_sold, revenue_cents FROM night_sales
                WHERE hotel_id = ? AND night >= ? AND night <= ?
                """), arguments: [hotel.id.uuidString, from.iso, to.iso])
            while let row = try rows.next() {
                let stored = StoredRow(row, table: "night_sales", name: "for \(StoredRow.describe(row[0])) and room type \(StoredRow.describe(row[1]))")
                sales.append(OccupancyReport.Sales(
                    night: try stored.date(0, "night"), typeKey: try stored.text(1, "room_type_id"),
                    rooms: try stored.integer(2, "rooms_sold", in: 0...1_000_000),
                    cents: Int64(try stored.integer(3, "revenue_cents", in: -StoredRow.largestCents...StoredRow.largestCents))))
            }
            // Firm nights of rooms out of service now (few rooms; each a range of its night key).
            let soldOutOfService = try db.rows(sql: """
                SELECT n.night, r.room_type_id, COUNT(*) FROM room r JOIN room_night n ON n.room_id = r.id
                WHERE r.hotel_id = ? AND r.is_active = 0 AND n.night >= ? AND n.night <= ? AND n.hold_expires_at IS NULL
                GROUP BY n.night, r.room_type_id
                """, arguments: [hotel.id.uuidString, from.iso, to.iso]).map { row in
                let stored = StoredRow(row, table: "room_night", name: "for \(StoredRow.describe(row[0]))")
                return OccupancyReport.Sales(night: try stored.date(0, "night"), typeKey: try stored.text(1, "room_type_id"),
                                             rooms: try stored.integer(2, "rooms", in: 0...1_000_000), cents: 0)
            }
            let pickup = try Self.pickupRoomNights(hotel: hotel, from: from, through: to, now: now, db)
            let today = businessDate(for: hotel)
            return OccupancyReport(from: from, through: to, currency: hotel.currency, types: types, sales: sales, soldOutOfService: soldOutOfService,
                                   pickupRoomNights: pickup,
                                   today: try Self.dayCounts(today, businessDate: today, hotelId: hotel.id, db))
        }
    }

    /// Room-nights from `from` through `to` sold by bookings made in the last `pickupDays` days
    /// (a booking still sold now, a no-show's kept night too; one made and cancelled in the week is
    /// no pickup).
    static func pickupRoomNights(hotel: Hotel, from: CalendarDate, through to: CalendarDate, now: Date, _ db: Database) throws -> Int {
        let since = Timestamp.text(now.addingTimeInterval(-Double(OccupancyReport.pickupDays) * 86_400))
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT b.id, max(b.check_in, ?3), min(b.check_out, ?4),
                   (SELECT COUNT(*) FROM room_night n WHERE n.booking_id = b.id AND n.night >= ?3 AND n.night < ?4)
            FROM booking b
            WHERE b.hotel_id = ?1 AND b.created_at >= ?2 AND b.created_at <= ?5
              AND b.status IN ('Confirmed', 'CheckedIn', 'CheckedOut', 'NoShow') AND b.check_in < ?4 AND b.check_out > ?3
            """), arguments: [hotel.id.uuidString, since, from.iso, to.adding(days: 1).iso, Timestamp.text(now)])
        var nights = 0
        // The nights the booking still claims (an early departure gave the rest back).
        while let row = try rows.next() { nights += row[3] as Int }
        return nights
    }

    // MARK: A day's lists

    /// How many arrive, leave and stay on `date`, read from the three columns that decide it.
    static func dayCounts(_ date: CalendarDate, businessDate: CalendarDate, hotelId: UUID, _ db: Database) throws
        -> (arrivals: Int, departures: Int, inHouse: Int) {
        var stays: [DayLists.CountedStay] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: """
            SELECT b.status, b.check_in, b.check_out, \(lastKeptNightOfCheckedOut), b.rowid, b.checked_in_on, b.checked_out_on
            FROM booking b
            WHERE b.hotel_id = ? AND b.check_in <= ? AND b.check_out >= ? AND b.check_in >= ?
            """), arguments: [hotelId.uuidString, date.iso, date.iso, date.adding(days: -BookingRules.maximumNights - 1).iso])
        func add(_ row: Row) throws {
            let stored = StoredRow(row, table: "booking", rowid: 4)
            let status = try stored.status(0, "status")
            let checkIn = try stored.date(1, "check_in"), checkOut = try stored.date(2, "check_out")
            guard let stay = StayDates(checkIn: checkIn, checkOut: checkOut) else {
                throw stored.damaged("check_out", "\(checkOut) is not after check_in \(checkIn)")
            }
            stays.append((status, stay, (row[3] as String?).flatMap(CalendarDate.init(iso:)),
                          try stored.optionalText(5, "checked_in_on").flatMap(CalendarDate.init(iso:)),
                          try stored.optionalText(6, "checked_out_on").flatMap(CalendarDate.init(iso:))))
        }
        while let row = try rows.next() { try add(row) }
        if date == businessDate {
            // Guests who overstayed are in house tonight: their stay ended before the bound above.
            let overstayers = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT b.status, b.check_in, b.check_out, NULL, b.rowid, b.checked_in_on, b.checked_out_on
                FROM booking b WHERE \(checkedInDueOutBefore)
                """), arguments: [hotelId.uuidString, date.iso])
            while let row = try overstayers.next() { try add(row) }
        }
        return DayLists.counts(stays, on: date, businessDate: businessDate)
    }

    /// Arrivals, departures and in-house guests of `date` (see `DayLists` for the definitions).
    public func dayLists(on date: CalendarDate) throws -> DayLists {
        try read { db in
            let hotel = try requireHotel(db)
            let bookings = try Self.bookingsTouching(date, hotelId: hotel.id, db)
            // The checked-out among them, with the last night each kept: one statement for all.
            var lastKeptNights: [UUID: CalendarDate] = [:]
            let byId = Dictionary(bookings.map { ($0.id.uuidString, $0) }) { first, _ in first }
            for row in try db.rows(sql: """
                SELECT b.id, \(Self.lastKeptNightOfCheckedOut) FROM booking b
                WHERE b.status = 'CheckedOut' AND b.check_in <= ? AND b.check_out >= ? AND b.check_in >= ?
                """, arguments: [date.iso, date.iso, date.adding(days: -BookingRules.maximumNights - 1).iso]) {
                guard let booking = byId[row[0]], let night = (row[1] as String?).flatMap(CalendarDate.init(iso:)) else { continue }
                lastKeptNights[booking.id] = night
            }
            let today = businessDate(for: hotel)
            var lists = DayLists(date: date, businessDate: today, bookings: bookings, lastKeptNights: lastKeptNights)
            // Before 06:00 a walk-in sold for the night under way, not yet checked in, is at the
            // desk: one of the day's arrivals, not a departure.
            let underWay = date == today ? nightUnderWay(for: hotel, today: today) : nil
            if let underWay { lists.listWalkInsOfTheNight(underWay, among: bookings, hotel: hotel) }
            // The room each listed guest was in that day is the night's claim (`room_night` keeps
            // the room of every night, after check-out too), not the booking's room now: a guest
            // moved since was elsewhere then, whatever the booking's `roomSince` says now. One
            // read of the two nights' claims for all; a booking without a claim that night is
            // shown in its room, and so is a guest checked in now on the business date's lists
            // (the in-house list is the fire list: where the guest is now).
            var claims: [UUID: [String: String]] = [:]
            for row in try db.rows(sql: """
                SELECT n.booking_id, n.night, r.number FROM room_night n JOIN room r ON r.id = n.room_id
                WHERE n.hotel_id = ? AND n.night IN (?, ?)
                """, arguments: [hotel.id.uuidString, date.iso, date.adding(days: -1).iso]) {
                guard let key = row[0] as String?, let id = UUID(uuidString: key), let night = row[1] as String?,
                      let number = row[2] as String? else { continue }
                claims[id, default: [:]][night] = number
            }
            for booking in bookings where !(date == today && booking.status == .checkedIn) {
                guard let number = claims[booking.id]?[lists.nightShown(for: booking).iso], number != booking.roomNumber else { continue }
                lists.roomNumbersThatDay[booking.id] = number
            }
            if date == today {
                // Arrivals who have not come: the arrival day passed, or it is today after the cut-off.
                let latestArrival = hotel.hour(at: now) >= hotel.noShowPolicy.cutoffHour ? date : date.adding(days: -1)
                // A walk-in sold after midnight for the night under way is at the desk, not missing:
                // not due (guests due last night who have not come are, from midnight).
                var soldAfterMidnight: (night: String, since: String)?
                if let night = underWay {
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = hotel.timeZone
                    soldAfterMidnight = (night.iso, Timestamp.text(calendar.startOfDay(for: now)))
                }
                lists.dueForNoShow = try Self.fetchBooking(db, whereClause: """
                    b.status = 'Confirmed' AND b.hotel_id = ? AND b.check_in <= ? AND b.check_in >= ?
                    AND NOT (b.check_in = ? AND b.created_at >= ?)
                    ORDER BY b.check_in, length(r.number), r.number, b.created_at
                    """, arguments: [hotel.id.uuidString, latestArrival.iso, date.adding(days: -BookingRules.maximumNights - 1).iso,
                                     soldAfterMidnight?.night ?? "", soldAfterMidnight?.since ?? ""])
                lists.overdueDepartures = try checkedIn(dueOutBefore: date, hotel.id, db)
            }
            return lists
        }
    }

    /// Guests still checked in whose stay ended on or before `date`: due out that day, or overstayed
    /// (their check-out date passed and nobody checked them out). The day lists cannot show the
    /// overstayed: they are on no list of any day since their departure. Oldest departure first.
    public func checkedInDue(onOrBefore date: CalendarDate) throws -> [Booking] {
        try read { db in
            let hotel = try requireHotel(db)
            return try checkedIn(dueOutBefore: date.adding(days: 1), hotel.id, db)
        }
    }

    /// Checked-in bookings of the hotel whose check-out date is before `date`, oldest departure first.
    func checkedIn(dueOutBefore date: CalendarDate, _ hotelId: UUID, _ db: Database) throws -> [Booking] {
        // The status index: checked-in bookings are at most a few per room.
        try Self.fetchBooking(db, whereClause: """
            \(Self.checkedInDueOutBefore)
            ORDER BY b.check_out, length(r.number), r.number, b.created_at
            """, arguments: [hotelId.uuidString, date.iso])
    }

    /// A column of a query over `booking b`: for a checked-out booking, the last night it kept
    /// (an early departure gives the later nights back); NULL otherwise.
    static let lastKeptNightOfCheckedOut = """
        CASE WHEN b.status = 'CheckedOut' THEN (SELECT max(n.night) FROM room_night n WHERE n.booking_id = b.id) END
        """

    /// Where a checked-out or no-show booking's bar on the room plan ends: after the last night it
    /// kept (the nights sold), or at its arrival if it kept none.
    static func endOfKeptNights(lastKeptNight: String?, checkIn: CalendarDate) -> CalendarDate {
        lastKeptNight.flatMap(CalendarDate.init(iso:))?.adding(days: 1) ?? checkIn
    }

    /// Bookings whose stay begins, ends or runs over `date`, in arrival order.
    static func bookingsTouching(_ date: CalendarDate, hotelId: UUID, _ db: Database) throws -> [Booking] {
        try fetchBooking(db, whereClause: """
            b.hotel_id = ? AND b.check_in <= ? AND b.check_out >= ? AND b.check_in >= ?
            ORDER BY b.check_in, length(r.number), r.number, b.created_at
            """, arguments: [hotelId.uuidString, date.iso, date.iso, date.adding(days: -BookingRules.maximumNights - 1).iso])
    }

    // MARK: Room plan

    /// The guests checked in now, each with the room they are in (the first to arrive first,
    /// should a room hold two), through the status index as `checkedInDueOutBefore` reads it.
    static let guestsInHouseSQL = """
        SELECT b.room_id, b.guest_name, b.confirmation_code FROM booking b
        WHERE b.status = 'CheckedIn' AND +b.hotel_id = ? ORDER BY b.check_in, b.created_at
        """

    /// Every room, grouped by type, with the stays that touch `nights` nights from `first`: live
    /// holds, confirmed, checked-in and checked-out bookings (a lapsed hold is not drawn; a stay
    /// left early ends at the last night it kept).
    public func roomPlan(from first: CalendarDate, nights: Int) throws -> RoomPlan {
        guard (1...RoomPlan.maximumNights).contains(nights) else {
            throw FrontDeskError.validationFailed(["A room plan shows 1 to \(RoomPlan.maximumNights) nights"])
        }
        let end = first.adding(days: nights)
        return try read { db in
            let hotel = try requireHotel(db)
            let lines = try fetchRooms(db, whereClause: "WHERE r.hotel_id = ?", arguments: [hotel.id.uuidString])
                .map { RoomPlan.Line(room: $0.room, roomType: $0.type) }
            let nowText = Timestamp.text(now)
            let today = businessDate(for: hotel)
            let columns = """
                b.confirmation_code, b.room_id, b.check_in, b.check_out, b.guest_name, b.status, b.hold_expires_at,
                \(Self.lastKeptNightOfCheckedOut), b.rowid, b.room_since, b.id
                """
            // No stay is longer than the maximum, so the check-in index bounds the read.
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT \(columns)
                FROM booking b
                WHERE b.check_in < ?1 AND b.check_in >= ?2 AND b.check_out > ?3 AND b.hotel_id = ?4
                  AND b.status IN ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn', 'CheckedOut', 'NoShow')
                """), arguments: [end.iso, first.adding(days: -BookingRules.maximumNights - 1).iso, first.iso,
                                  hotel.id.uuidString])
            var stays: [RoomPlan.Stay] = []
            // Each room's id is read once, not once per stay.
            var roomIds = Dictionary(uniqueKeysWithValues: lines.map { ($0.room.id.uuidString, $0.room.id) })
            func addStays(of row: Row, overstayed: Bool) throws {
                let stored = StoredRow(row, table: "booking", rowid: 8)
                let status = try stored.status(5, "status")
                if status == .reserving || status == .processingPayment, (try stored.optionalText(6, "hold_expires_at") ?? "") <= nowText { return }
                let checkIn = try stored.date(2, "check_in")
                let bookedCheckOut = try stored.date(3, "check_out")
                // Read by the second query only.
                if !overstayed && status == .checkedIn && bookedCheckOut < today { return }
                var checkOut = overstayed ? today.adding(days: 1) : bookedCheckOut
                if status == .checkedOut || status == .noShow {
                    // A guest who left early gave the later nights back: the bar ends where they left.
                    // A no-show keeps at most its first night (the one charged).
                    let lastKept: String? = status == .checkedOut ? row[7]
                        : try db.value(String.self, sql: "SELECT max(night) FROM room_night WHERE booking_id = ?", arguments: [row[10]])
                    if status == .noShow && lastKept == nil { return }
                    checkOut = min(checkOut, Self.endOfKeptNights(lastKeptNight: lastKept, checkIn: checkIn))
                }
                let roomKey = try stored.text(1, "room_id")
                let roomId = try roomIds[roomKey] ?? stored.id(1, "room_id")
                roomIds[roomKey] = roomId
                let code = try stored.text(0, "confirmation_code"), guestName = try stored.text(4, "guest_name")
                var firstHere = checkIn
                if let since = try stored.optionalText(9, "room_since").flatMap(CalendarDate.init(iso:)), since > checkIn, since < bookedCheckOut {
                    // A move split the stay: the nights before were slept in other rooms (the
                    // current one too, for a guest moved away and back); a bar for each run of
                    // nights in one room. A guest moved and then checked out that same day slept
                    // no night in the current room: only the earlier runs are drawn.
                    firstHere = since
                    var runs: [(room: String, first: CalendarDate, last: CalendarDate)] = []
                    for night in try db.rows(sql: "SELECT room_id, night FROM room_night WHERE booking_id = ? AND night < ? ORDER BY night",
                                             arguments: [row[10], since.iso]) {
                        let nightRoom: String = night[0]
                        guard let date = CalendarDate(iso: night[1]) else { continue }
                        if let last = runs.last, last.room == nightRoom, last.last.adding(days: 1) == date {
                            runs[runs.count - 1].last = date
                        } else {
                            runs.append((nightRoom, date, date))
                        }
                    }
                    for run in runs {
                        guard let runRoomId = roomIds[run.room], let earlier = StayDates(checkIn: run.first, checkOut: run.last.adding(days: 1)) else { continue }
                        stays.append(RoomPlan.Stay(confirmationCode: code, roomId: runRoomId, stay: earlier, guestName: guestName, status: status,
                                                   bookingId: Identifier.uuid(try stored.text(10, "id"))))
                    }
                }
                guard let stay = StayDates(checkIn: firstHere, checkOut: checkOut) else { return }
                stays.append(RoomPlan.Stay(confirmationCode: code, roomId: roomId, stay: stay, guestName: guestName, status: status,
                                           bookingId: Identifier.uuid(try stored.text(10, "id")),
                                           overstayedSince: overstayed ? bookedCheckOut : nil))
            }
            while let row = try rows.next() { try addStays(of: row, overstayed: false) }
            // A guest still checked in after the date they were due out is in the room until
            // someone checks them out: their bar runs through tonight (searches withhold the room).
            // They are read apart: the check-out bound above misses a stay that ended before the plan.
            let overstayers = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT \(columns) FROM booking b WHERE \(Self.checkedInDueOutBefore) AND b.check_in < ?
                """), arguments: [hotel.id.uuidString, today.iso, end.iso])
            while let row = try overstayers.next() { try addStays(of: row, overstayed: true) }
            // Who is in each room now: before 06:00 a room with a guest checked in is not sold for
            // the night under way (`offers`, `requireNobodyInRoom`), though its claim on that night
            // may be in another room (a guest moved after midnight) or nowhere (one who came after
            // midnight on a stay from today). The desk decides whether a night is under way.
            var guestsInHouse: [UUID: RoomPlan.GuestInHouse] = [:]
            for row in try db.rows(sql: Self.guestsInHouseSQL, arguments: [hotel.id.storedText]) {
                let roomKey: String = row[0]
                guard let roomId = roomIds[roomKey], guestsInHouse[roomId] == nil else { continue }
                guestsInHouse[roomId] = RoomPlan.GuestInHouse(guestName: row[1], confirmationCode: row[2])
            }
            return RoomPlan(first: first, nights: nights, lines: lines, stays: stays, guestsInHouse: guestsInHouse)
        }
    }
}
