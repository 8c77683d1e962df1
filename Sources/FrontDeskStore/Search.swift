import Foundation
import FrontDeskDomain
import GRDB

extension FrontDeskStore {
    /// Validates the raw search fields against the business date, then searches.
    public func search(checkIn: String, checkOut: String, guests: String) throws -> (AvailabilityQuery, [RoomOffer]) {
        let query = try AvailabilityQuery.validate(checkIn: checkIn, checkOut: checkOut, guests: guests,
                                                   businessDate: try businessDate())
        return (query, try availableRooms(query))
    }

    /// The design's availability algorithm: active rooms that sleep enough guests, minus rooms
    /// with a night held in the stay (live holds count, lapsed ones do not), each priced night by
    /// night, cheapest total first, then by room number.
    public func availableRooms(_ query: AvailabilityQuery) throws -> [RoomOffer] {
        try read { db in
            let hotel = try Self.requireHotel(db)
            let instant = Timestamp.text(now)
            let today = businessDate(for: hotel)
            let rows = try Row.fetchAll(db.cachedStatement(sql: Self.roomColumns + """
                 WHERE r.hotel_id = ? AND r.is_active = 1 AND t.capacity >= ?
                  AND NOT EXISTS (SELECT 1 FROM room_night n WHERE n.room_id = r.id AND n.night >= ? AND n.night < ?
                                  AND (n.hold_expires_at IS NULL OR n.hold_expires_at > ?))
                """), arguments: [hotel.id.uuidString, query.guestCount, query.stay.checkIn.iso, query.stay.checkOut.iso, instant])
            let loads = try nightLoads(stay: query.stay, hotelId: hotel.id, db)
            // Price depends on the room type and the night only: price each type once.
            var pricesByType: [UUID: [NightlyPrice]] = [:]
            return rows.map { row in
                let listing = Self.listing(from: row)
                let prices = pricesByType[listing.type.id] ?? {
                    let prices = pricing.nightlyPrices(basePrice: listing.type.basePricePerNight, stay: query.stay,
                                                       businessDate: today) { loads[$0] ?? .init(held: 0, active: 0) }
                    pricesByType[listing.type.id] = prices
                    return prices
                }()
                return RoomOffer(room: listing.room, roomType: listing.type, nightlyPrices: prices)
            }.sortedForSale()
        }
    }

    // MARK: Occupancy

    /// One row per night from `from` through `to` (both included).
    public func occupancy(from: CalendarDate, through to: CalendarDate) throws -> [OccupancyDay] {
        guard from <= to else { throw FrontDeskError.validationFailed(["The end date must not be before the start date"]) }
        guard from.days(until: to) < 3660 else { throw FrontDeskError.validationFailed(["A report covers at most 10 years"]) }
        return try read { db in
            let hotel = try Self.requireHotel(db)
            let available = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM room WHERE hotel_id = ? AND is_active = 1",
                                             arguments: [hotel.id.uuidString]) ?? 0
            var sold: [String: (Int, Int64)] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT n.night, COUNT(*), SUM(p.price_cents)
                FROM room_night n
                JOIN booking b ON b.id = n.booking_id
                JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
                WHERE n.hotel_id = ? AND n.night >= ? AND n.night <= ? AND b.status IN ('Confirmed', 'CheckedIn', 'CheckedOut')
                GROUP BY n.night
                """, arguments: [hotel.id.uuidString, from.iso, to.iso])
            while let row = try rows.next() { sold[row[0]] = (row[1], row[2]) }
            return (from.dayNumber...to.dayNumber).map { dayNumber in
                let date = CalendarDate(dayNumber: dayNumber)
                let (rooms, cents) = sold[date.iso] ?? (0, 0)
                return OccupancyDay(date: date, roomsAvailable: available, roomsSold: rooms, roomRevenue: Money(minorUnits: cents))
            }
        }
    }
}
