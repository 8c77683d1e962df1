import Foundation
import FrontDeskDomain
import GRDB

/// Who changed what, when, and what the booking looked like before and after.
public struct AuditEntry: Hashable, Sendable {
    public let id: Int64
    public let at: Date
    public let user: String
    public let action: String
    public let bookingId: UUID?
    public let roomId: UUID?
    public let summary: String
    /// The booking's JSON object before and after, when a booking changed.
    public let before: String?
    public let after: String?
}

extension FrontDeskStore {
    func audit(_ db: Database, user: String, action: String, bookingId: UUID? = nil, roomId: UUID? = nil,
               summary: String, before: Booking? = nil, after: Booking? = nil) throws {
        try audit(db, user: user, action: action, bookingId: bookingId, roomId: roomId, summary: summary,
                  beforeJSON: before?.renderedJSONUTF8(), afterJSON: after?.renderedJSONUTF8())
    }

    /// The same, with the booking's states already rendered as JSON (a state that is one entry's
    /// after and the next one's before is rendered once), bound as they are: a pushed booking
    /// writes three states, and making each a `String` (its UTF-8 checked again) cost 10,000
    /// instructions (callgrind, issue 12).
    func audit(_ db: Database, user: String, action: String, bookingId: UUID?, roomId: UUID?, summary: String,
               beforeJSON: [UInt8]?, afterJSON: [UInt8]?) throws {
        try db.run(cached: """
            INSERT INTO audit_entry (at, user, action, booking_id, room_id, summary, before_state, after_state)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, Timestamp.text(now), user, action, bookingId?.storedText, roomId?.storedText, summary, beforeJSON, afterJSON)
    }

    /// Grows with every change any process makes to the file (every change writes an audit
    /// entry): a screen compares it to notice other desks' work.
    public func changeMarker() throws -> Int64 {
        try read { db in try db.value(Int64.self, sql: "SELECT COALESCE(MAX(id), 0) FROM audit_entry") ?? 0 }
    }

    /// The newest entries first; `bookingReference` narrows to one booking (id or confirmation code).
    public func auditTrail(bookingReference: String? = nil, limit: Int = 100) throws -> [AuditEntry] {
        try read { db in
            var sql = "SELECT id, at, user, action, booking_id, room_id, summary, before_state, after_state FROM audit_entry"
            var arguments: StatementArguments = []
            if let bookingReference {
                let booking = try requireBooking(bookingReference, db)
                sql += " WHERE booking_id = ?"
                arguments += [booking.id.storedText]
            }
            sql += " ORDER BY id DESC LIMIT ?"
            arguments += [limit]
            return try db.rows(sql: sql, arguments: arguments).map { row in
                let stored = StoredRow(row, table: "audit_entry", rowid: 0)
                return AuditEntry(id: Int64(try stored.integer(0, "id", in: 0...Int64.max)), at: try stored.instant(1, "at"),
                                  user: try stored.text(2, "user"), action: try stored.text(3, "action"),
                                  bookingId: try stored.optionalText(4, "booking_id").map { _ in try stored.id(4, "booking_id") },
                                  roomId: try stored.optionalText(5, "room_id").map { _ in try stored.id(5, "room_id") },
                                  summary: try stored.text(6, "summary"), before: try stored.optionalText(7, "before_state"),
                                  after: try stored.optionalText(8, "after_state"))
            }
        }
    }
}
