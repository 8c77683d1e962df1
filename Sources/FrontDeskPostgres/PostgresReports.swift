import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// What managers read, on PostgreSQL: the occupancy report, from one snapshot, put together by
/// the domain (`OccupancyReport(from:through:types:sales:…)`) as on SQLite (ManagerQueries.swift).
extension PostgresHotelStorage {
    func occupancyReport(from: CalendarDate, through to: CalendarDate) throws -> OccupancyReport {
        try OccupancyReport.checkRange(from: from, through: to)
        return try read { session in
            let hotel = try requireHotel(session)
            let types = try session.rows("""
                SELECT t.id::text, t.name, count(r.id)::int8
                FROM room_type t LEFT JOIN room r ON r.room_type_id = t.id AND r.is_active
                WHERE t.hotel_id = $1 GROUP BY t.id ORDER BY t.base_price_cents, t.name
                """, [hotelId]).map { row in
                let columns = ColumnReader(row, table: "room_type")
                return OccupancyReport.TypeRooms(key: try columns.text(0), name: try columns.text(1), rooms: try columns.int(2))
            }
            // Sold room-nights: the firm claims (SQLite keeps these sums in night_sales by triggers;
            // here they are summed when asked, from the same rows).
            func sales(_ sql: String) throws -> [OccupancyReport.Sales] {
                try session.rows(sql, [hotelId, from.iso, to.iso]).map { row in
                    let columns = ColumnReader(row, table: "room_night")
                    let text = try columns.text(0)
                    guard let night = CalendarDate(iso: text) else { throw PostgresStoreError.damaged("room_night: \(text) is not a date") }
                    return OccupancyReport.Sales(night: night, typeKey: try columns.text(1), rooms: try columns.int(2), cents: try columns.int64(3))
                }
            }
            let sold = try sales("""
                SELECT n.night::text, r.room_type_id::text, count(*)::int8, COALESCE(sum(p.price_cents), 0)::int8
                FROM room_night n JOIN room r ON r.id = n.room_id
                LEFT JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
                WHERE n.hotel_id = $1 AND n.night >= $2::date AND n.night <= $3::date AND n.hold_expires_at IS NULL
                GROUP BY n.night, r.room_type_id
                """)
            // Firm nights of rooms out of service now: available on the nights they were sold.
            let soldOutOfService = try sales("""
                SELECT n.night::text, r.room_type_id::text, count(*)::int8, 0::int8
                FROM room r JOIN room_night n ON n.room_id = r.id
                WHERE r.hotel_id = $1 AND NOT r.is_active AND n.night >= $2::date AND n.night <= $3::date AND n.hold_expires_at IS NULL
                GROUP BY n.night, r.room_type_id
                """)
            let today = chain.businessDate(for: hotel)
            return OccupancyReport(from: from, through: to, currency: hotel.currency, types: types, sales: sold, soldOutOfService: soldOutOfService,
                                   pickupRoomNights: try pickupRoomNights(from: from, through: to, session),
                                   today: try dayCounts(today, businessDate: today, session))
        }
    }

    /// Room-nights from `from` through `to` sold by bookings made in the last `pickupDays` days
    /// that are still sold (the nights each still claims).
    private func pickupRoomNights(from: CalendarDate, through to: CalendarDate, _ session: PostgresSession) throws -> Int {
        let instant = now
        return try session.rows("""
            SELECT count(*)::int8 FROM booking b JOIN room_night n ON n.booking_id = b.id AND n.night >= $2::date AND n.night < $3::date
            WHERE b.hotel_id = $1 AND b.created_at >= $4 AND b.created_at <= $5
              AND b.status IN ('Confirmed', 'CheckedIn', 'CheckedOut', 'NoShow') AND b.check_in < $3::date AND b.check_out > $2::date
            """, [hotelId, from.iso, to.adding(days: 1).iso, instant.addingTimeInterval(-Double(OccupancyReport.pickupDays) * 86_400), instant])
            .first.map { try ColumnReader($0, table: "booking").int(0) } ?? 0
    }

    /// How many arrive, leave and stay on `date` (the definitions are `DayLists`').
    private func dayCounts(_ date: CalendarDate, businessDate: CalendarDate, _ session: PostgresSession) throws
        -> (arrivals: Int, departures: Int, inHouse: Int) {
        // On the business date also the guests who overstayed (in house tonight; their stay ended
        // before the check-in bound).
        let stays = try session.rows("""
            SELECT b.status, b.check_in::text, b.check_out::text,
                   CASE WHEN b.status = 'CheckedOut' THEN (SELECT max(n.night)::text FROM room_night n WHERE n.booking_id = b.id) END,
                   b.checked_in_on::text, b.checked_out_on::text
            FROM booking b
            WHERE b.hotel_id = $1 AND b.check_in <= $2::date AND b.check_out >= $2::date AND b.check_in >= $3::date
            UNION ALL
            SELECT b.status, b.check_in::text, b.check_out::text, NULL, b.checked_in_on::text, b.checked_out_on::text
            FROM booking b
            WHERE $4 AND b.status = 'CheckedIn' AND b.hotel_id = $1 AND b.check_out < $2::date
            """, [hotelId, date.iso, date.adding(days: -BookingRules.maximumNights - 1).iso, date == businessDate]).map { row in
            let columns = ColumnReader(row, table: "booking")
            let statusText = try columns.text(0)
            guard let status = BookingStatus(rawValue: statusText),
                  let checkIn = CalendarDate(iso: try columns.text(1)), let checkOut = CalendarDate(iso: try columns.text(2)),
                  let stay = StayDates(checkIn: checkIn, checkOut: checkOut) else {
                throw PostgresStoreError.damaged("booking: status \(statusText) or its stay cannot be read")
            }
            return (status: status, stay: stay, lastKeptNight: try columns.optionalText(3).flatMap(CalendarDate.init(iso:)),
                    checkedInOn: try columns.optionalText(4).flatMap(CalendarDate.init(iso:)),
                    checkedOutOn: try columns.optionalText(5).flatMap(CalendarDate.init(iso:)))
        }
        return DayLists.counts(stays, on: date, businessDate: businessDate)
    }
}
