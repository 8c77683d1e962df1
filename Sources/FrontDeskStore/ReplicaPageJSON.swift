import Foundation
import FrontDeskDomain
import GRDB
import GRDBSQLite

// A replica page written as JSON straight from the rows (issue 12, the first replica of a busy
// hotel): the stored text of ids, dates and instants is already the wire's (ids only lowercased),
// so a page of 2,000 bookings is four ordered reads merged by booking id, with no `Booking`,
// `Date` or `UUID` made on the way. The bytes are the very bytes `replicaPage(...).jsonBytes()`
// writes (tested), which stays the reference and the changes page's path.

extension FrontDeskStore {
    /// `GET /api/hotels/{id}/replica`: one page as the wire's JSON bytes (see `replicaPage`).
    public func replicaPageJSON(after: UUID?, limit: Int) throws -> [UInt8] {
        let limit = max(1, min(limit, SyncWire.pageSize))
        return try afterReadingDurably(read { db in
            let hotel = try requireHotel(db)
            let key = hotel.id.uuidString
            let cursor = try Self.latestSequence(key, db)
            // The page's ids first (from the index of a hotel's bookings by id): its range bounds the other reads.
            let ids = try String.fetchAll(db.cachedStatement(sql: "SELECT id FROM booking WHERE hotel_id = ? AND id > ? ORDER BY id LIMIT ?"),
                                          arguments: [key, after?.uuidString ?? "", limit + 1])
            let page = ids.prefix(limit)
            let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM booking WHERE hotel_id = ?"), arguments: [key]) ?? 0
            var json = SyncJSONWriter(capacity: 1024 + page.count * 900)
            json.raw("{")
            json.key("protocolVersion", first: true)
            json.int(SyncWire.protocolVersion)
            if after == nil {
                let property = try wireProperty(hotel, db)
                json.key("hotel")
                property.hotel.write(to: &json)
                json.key("roomTypes")
                json.array(property.types) { $1.write(to: &$0) }
                json.key("rooms")
                json.array(property.rooms) { $1.write(to: &$0) }
            }
            json.key("bookings")
            json.raw("[")
            if let first = page.first, let last = page.last {
                try RowsToJSON(db).bookings(hotel: key, from: first, through: last, into: &json)
            }
            json.raw("]")
            json.key("cursor")
            json.int(cursor)
            json.key("totalBookings")
            json.int(total)
            if ids.count > limit, let last = page.last { json.optionalString("next", last.lowercased()) }
            json.raw("}")
            return json.bytes
        })
    }
}

/// The reads of one page's bookings, merged by booking id.
private struct RowsToJSON {
    let db: Database

    init(_ db: Database) {
        self.db = db
    }

    func statement(_ sql: String, _ arguments: [String]) throws -> RawStatement {
        let statement = try RawStatement(db, sql)
        for (index, argument) in arguments.enumerated() { statement.bind(Int32(index + 1), argument) }
        try statement.step()
        return statement
    }

    /// The bookings of the hotel from `first` through `last` (stored ids), each with its prices,
    /// claims and notes: in id order, exactly as `WireBooking.write(to:)` writes them.
    func bookings(hotel: String, from first: String, through last: String, into json: inout SyncJSONWriter) throws {
        let bookings = try statement("""
            SELECT b.id, b.hotel_id, b.room_id, r.number, b.confirmation_code, b.status, b.check_in, b.check_out, b.guest_count,
                   b.guest_name, b.guest_email, b.guest_phone, b.version, b.hold_expires_at, b.status_reason, b.created_at,
                   b.updated_at, b.checked_in_on, b.checked_out_on, b.room_since
            FROM booking b JOIN room r ON r.id = b.room_id
            WHERE b.hotel_id = ?1 AND b.id >= ?2 AND b.id <= ?3 ORDER BY b.id
            """, [hotel, first, last])
        // Rows of another hotel's booking whose id falls in the range are passed over by the merge.
        let prices = try statement("""
            SELECT booking_id, night, price_cents FROM booking_night WHERE booking_id >= ?1 AND booking_id <= ?2 ORDER BY booking_id, night
            """, [first, last])
        let claims = try statement("""
            SELECT booking_id, night, room_id FROM room_night WHERE booking_id >= ?1 AND booking_id <= ?2 ORDER BY booking_id, night
            """, [first, last])
        let notes = try statement("""
            SELECT booking_id, at, by_user, text FROM booking_note WHERE booking_id >= ?1 AND booking_id <= ?2 ORDER BY booking_id, seq
            """, [first, last])
        var id: [UInt8] = []
        var count = 0
        while bookings.row {
            id.removeAll(keepingCapacity: true)
            id.append(contentsOf: bookings.text(0)!)
            if count > 0 { json.raw(",") }
            count += 1
            json.raw("{")
            json.key("bookingId", first: true); json.lowercaseID(utf8: bookings.text(0)!)
            json.key("hotelId"); json.lowercaseID(utf8: bookings.text(1)!)
            json.key("roomId"); json.lowercaseID(utf8: bookings.text(2)!)
            json.key("roomNumber"); json.string(utf8: bookings.text(3)!)
            json.key("confirmation"); json.string(utf8: bookings.text(4)!)
            json.key("status"); json.string(utf8: bookings.text(5)!)
            json.key("checkIn"); json.string(utf8: bookings.text(6)!)
            json.key("checkOut"); json.string(utf8: bookings.text(7)!)
            json.key("guests"); json.int(bookings.int(8))
            json.key("guestName"); json.string(utf8: bookings.text(9)!)
            json.key("email"); json.string(utf8: bookings.text(10)!)
            if let phone = bookings.text(11) { json.key("phone"); json.string(utf8: phone) }
            json.key("nightlyPrices")
            json.raw("[")
            try rows(of: id, in: prices) { first in
                if !first { json.raw(",") }
                json.raw("{\"night\":"); json.string(utf8: prices.text(1)!)
                json.raw(",\"priceCents\":"); json.int(prices.int(2))
                json.raw("}")
            }
            json.raw("]")
            json.key("claims")
            json.raw("[")
            try rows(of: id, in: claims) { first in
                if !first { json.raw(",") }
                json.raw("{\"night\":"); json.string(utf8: claims.text(1)!)
                json.raw(",\"roomId\":"); json.lowercaseID(utf8: claims.text(2)!)
                json.raw("}")
            }
            json.raw("]")
            json.key("version"); json.int(bookings.int(12))
            if let hold = bookings.text(13) { json.key("holdExpiresAt"); json.string(utf8: hold) }
            if let reason = bookings.text(14) { json.key("statusReason"); json.string(utf8: reason) }
            json.key("createdAt"); json.string(utf8: bookings.text(15)!)
            json.key("updatedAt"); json.string(utf8: bookings.text(16)!)
            json.key("notes")
            json.raw("[")
            try rows(of: id, in: notes) { first in
                if !first { json.raw(",") }
                json.raw("{\"at\":"); json.string(utf8: notes.text(1)!)
                json.raw(",\"by\":"); json.string(utf8: notes.text(2)!)
                json.raw(",\"text\":"); json.string(utf8: notes.text(3)!)
                json.raw("}")
            }
            json.raw("]")
            if let date = bookings.text(17) { json.key("checkedInOn"); json.string(utf8: date) }
            if let date = bookings.text(18) { json.key("checkedOutOn"); json.string(utf8: date) }
            if let date = bookings.text(19) { json.key("roomSince"); json.string(utf8: date) }
            json.raw("}")
            try bookings.step()
        }
    }

    /// Steps `statement` past rows of earlier bookings, then hands over each row of booking `id`.
    private func rows(of id: [UInt8], in statement: RawStatement, _ each: (_ first: Bool) throws -> Void) throws {
        var first = true
        while statement.row {
            let order = Self.compare(statement.text(0), id)
            if order > 0 { return }
            if order == 0 {
                try each(first)
                first = false
            }
            try statement.step()
        }
    }

    /// How a row's booking id compares with `id` (bytes, as SQLite orders text).
    static func compare(_ column: UnsafeBufferPointer<UInt8>?, _ id: [UInt8]) -> Int32 {
        let bytes = column ?? UnsafeBufferPointer(start: nil, count: 0)
        let common = min(bytes.count, id.count)
        let order = common == 0 ? 0 : id.withUnsafeBufferPointer { memcmp(bytes.baseAddress!, $0.baseAddress!, common) }
        if order != 0 { return order }
        return bytes.count == id.count ? 0 : (bytes.count < id.count ? -1 : 1)
    }
}
