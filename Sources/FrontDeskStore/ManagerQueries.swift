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
        guard from <= to else { throw FrontDeskError.validationFailed(["The end date must not be before the start date"]) }
        guard from.days(until: to) < 3660 else { throw FrontDeskError.validationFailed(["A report covers at most 10 years"]) }
        return try read { db in
            let hotel = try Self.requireHotel(db)
            var roomsByType: [String: (name: String, rooms: Int)] = [:]
            var typeOrder: [String] = []
            for row in try db.rows(sql: """
                SELECT t.id, t.name, COUNT(r.id)
                FROM room_type t LEFT JOIN room r ON r.room_type_id = t.id AND r.is_active = 1
                WHERE t.hotel_id = ? GROUP BY t.id ORDER BY t.base_price_cents, t.name
                """, arguments: [hotel.id.uuidString]) {
                roomsByType[row[0]] = (row[1], row[2])
                typeOrder.append(row[0])
            }
            let available = roomsByType.values.map(\.rooms).reduce(0, +)
            let nightCount = from.days(until: to) + 1

            // Sold room-nights: one row per night and room type; the booking decides whether the
            // night is sold (its status) and whether it is recent pickup (when it was made).
            let pickupSince = Timestamp.text(now.addingTimeInterval(-Double(OccupancyReport.pickupDays) * 86_400))
            var soldByNight: [String: (rooms: Int, cents: Int64)] = [:]
            var soldByType: [String: (rooms: Int, cents: Int64)] = [:]
            var pickup = 0
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT n.night, r.room_type_id, COUNT(*), SUM(p.price_cents), SUM(b.created_at >= ?4)
                FROM room_night n
                JOIN booking b ON b.id = n.booking_id
                JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
                JOIN room r ON r.id = n.room_id
                WHERE n.hotel_id = ?1 AND n.night >= ?2 AND n.night <= ?3 AND b.status IN ('Confirmed', 'CheckedIn', 'CheckedOut')
                GROUP BY n.night, r.room_type_id
                """), arguments: [hotel.id.uuidString, from.iso, to.iso, pickupSince])
            while let row = try rows.next() {
                let night: String = row[0], type: String = row[1], rooms: Int = row[2], cents: Int64 = row[3], recent: Int = row[4]
                soldByNight[night, default: (0, 0)].rooms += rooms
                soldByNight[night, default: (0, 0)].cents += cents
                soldByType[type, default: (0, 0)].rooms += rooms
                soldByType[type, default: (0, 0)].cents += cents
                pickup += recent
            }
            let days = (from.dayNumber...to.dayNumber).map { dayNumber in
                let date = CalendarDate(dayNumber: dayNumber)
                let (rooms, cents) = soldByNight[date.iso] ?? (0, 0)
                return OccupancyDay(date: date, roomsAvailable: available, roomsSold: rooms, roomRevenue: Money(minorUnits: cents))
            }
            let byType = typeOrder.map { id in
                let type = roomsByType[id]!
                let sold = soldByType[id] ?? (0, 0)
                return RoomTypeOccupancy(name: type.name, rooms: type.rooms, roomNightsAvailable: type.rooms * nightCount,
                                         roomNightsSold: sold.rooms, roomRevenue: Money(minorUnits: sold.cents))
            }
            let today = businessDate(for: hotel)
            let lists = DayLists(date: today, businessDate: today, bookings: try Self.bookingsTouching(today, db))
            return OccupancyReport(days: days, byRoomType: byType, pickupRoomNights: pickup, arrivalsToday: lists.arrivals.count,
                                   departuresToday: lists.departures.count, inHouseToday: lists.inHouse.count)
        }
    }

    // MARK: A day's lists

    /// Arrivals, departures and in-house guests of `date` (see `DayLists` for the definitions).
    public func dayLists(on date: CalendarDate) throws -> DayLists {
        try read { db in
            let hotel = try Self.requireHotel(db)
            return DayLists(date: date, businessDate: businessDate(for: hotel), bookings: try Self.bookingsTouching(date, db))
        }
    }

    /// Bookings whose stay begins, ends or runs over `date`, in arrival order.
    static func bookingsTouching(_ date: CalendarDate, _ db: Database) throws -> [Booking] {
        try fetchBooking(db, whereClause: """
            b.check_in <= ? AND b.check_out >= ? AND b.check_in >= ?
            ORDER BY b.check_in, length(r.number), r.number, b.created_at
            """, arguments: [date.iso, date.iso, date.adding(days: -BookingRules.maximumNights - 1).iso])
    }

    // MARK: Room plan

    /// Every room, grouped by type, with the stays that touch `nights` nights from `first`: live
    /// holds, confirmed, checked-in and checked-out bookings (a lapsed hold is not drawn).
    public func roomPlan(from first: CalendarDate, nights: Int) throws -> RoomPlan {
        guard (1...366).contains(nights) else { throw FrontDeskError.validationFailed(["A room plan shows 1 to 366 nights"]) }
        let end = first.adding(days: nights)
        return try read { db in
            let hotel = try Self.requireHotel(db)
            let lines = try Self.fetchRooms(db, whereClause: "WHERE r.hotel_id = ?", arguments: [hotel.id.uuidString])
                .map { RoomPlan.Line(room: $0.room, roomType: $0.type) }
            let nowText = Timestamp.text(now)
            // No stay is longer than the maximum, so the check-in index bounds the read.
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT id, confirmation_code, room_id, check_in, check_out, guest_name, status, hold_expires_at
                FROM booking
                WHERE check_in < ?1 AND check_in >= ?2 AND check_out > ?3 AND hotel_id = ?4
                  AND status IN ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn', 'CheckedOut')
                """), arguments: [end.iso, first.adding(days: -BookingRules.maximumNights - 1).iso, first.iso,
                                  hotel.id.uuidString])
            var stays: [RoomPlan.Stay] = []
            while let row = try rows.next() {
                let status = BookingStatus(rawValue: row[6])!
                if status == .reserving || status == .processingPayment, ((row[7] as String?) ?? "") <= nowText { continue }
                guard let checkIn = CalendarDate(iso: row[3]), let checkOut = CalendarDate(iso: row[4]),
                      let stay = StayDates(checkIn: checkIn, checkOut: checkOut) else { continue }
                stays.append(RoomPlan.Stay(bookingId: Identifier.stored(row[0]), confirmationCode: row[1],
                                           roomId: Identifier.stored(row[2]), stay: stay, guestName: row[5], status: status))
            }
            return RoomPlan(first: first, nights: nights, lines: lines, stays: stays)
        }
    }
}
