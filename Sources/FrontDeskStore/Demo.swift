import Foundation
import FrontDeskDomain
import GRDB

extension FrontDeskStore {
    /// Writes a generated hotel in one transaction. Refuses a database that already holds a hotel
    /// unless `replacing` is set, in which case everything in it is deleted first.
    public func importDemo(_ demo: DemoHotel, replacing: Bool, by user: String) throws {
        try write { db in
            // Years of bookings touch many pages of many indexes: keep them in memory (256 MB)
            // rather than spilling to the WAL mid-transaction.
            try db.run(sql: "PRAGMA cache_size = -262144")
            defer { try? db.run(sql: "PRAGMA cache_size = -2000") }
            if let existing = try fetchHotel(db) {
                guard replacing else {
                    throw FrontDeskError.conflict("This database already holds the hotel \(existing.name); use --force to replace it")
                }
                // Children before parents (the foreign keys are checked), and every table that
                // names the hotel or its bookings: a table missed here fails the replacement.
                for table in ["saga_message", "saga", "booking_note", "booking_change_request", "sync_conflict", "sync_outbox",
                              "sync_operation", "replica_state", "night_load", "night_sales", "room_night", "booking_night",
                              "booking", "room", "room_type", "change_feed", "server_user WHERE hotel_id IS NOT NULL",
                              "hotel", "audit_entry"] {
                    try db.run(sql: "DELETE FROM \(table)")
                }
            }
            try insertDemo(demo, by: user, "created", db)
        }
    }

    /// Adds a generated hotel to a chain's file (the server's), beside the hotels already in it.
    public func importDemoIntoChain(_ demo: DemoHotel, by user: String) throws {
        try write { db in
            try db.run(sql: "PRAGMA cache_size = -262144")
            defer { try? db.run(sql: "PRAGMA cache_size = -2000") }
            try insertDemo(demo, by: user, "added", db)
        }
    }

    /// The hotel, its room types, rooms and bookings, and the audit entry that says so (`how`:
    /// created, added).
    private func insertDemo(_ demo: DemoHotel, by user: String, _ how: String, _ db: Database) throws {
        try Self.insert(demo.hotel, db)
        for type in demo.roomTypes { try Self.insert(type, db) }
        for room in demo.rooms { try Self.insert(room, db) }
        for booking in demo.bookings { try Self.insert(booking, requestId: nil, fingerprint: nil, db) }
        try audit(db, user: user, action: "demo.created",
                  summary: "Demo hotel \(demo.hotel.name) \(how): \(demo.rooms.count) rooms, \(demo.bookings.count) bookings")
    }
}
