import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// Schema v14 (issues 11 and 12, session 24): the CHECK constraints of the tables every booking
/// writes hold no constant list of more than two values (SQLite fills an ephemeral table for one
/// at every row), and the sales triggers of a night's price no `IN (SELECT ...)`. The rules are
/// the same: what they refused before they refuse now, in a new file and in one migrated from v13.
@Suite struct WrittenRowChecksTests {
    static let hotTables = ["booking", "sync_operation", "sync_outbox", "saga_message"]

    /// A constant list of three or more values after `IN`, as the earlier migrations wrote them.
    static func longConstantLists(_ sql: String) -> [String] {
        sql.matches(of: #/IN\s*\(\s*'[^)]*'\s*,[^)]*,[^)]*\)/#).map { String($0.output) }
    }

    func schemaTexts(_ path: String) throws -> [String: String] {
        try DatabaseQueue(path: path).read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL")
                .map { ($0[0] as String, $0[1] as String) })
        }
    }

    /// Each rewritten rule still refuses a value it never allowed, and takes one it allows.
    func expectTheRulesHold(_ path: String) throws {
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            let booking = try #require(try String.fetchOne(db, sql: "SELECT id FROM booking LIMIT 1"))
            let hotel = try #require(try String.fetchOne(db, sql: "SELECT id FROM hotel LIMIT 1"))
            let refused = [
                ("UPDATE booking SET status = 'Teleported' WHERE id = ?", [booking]),
                ("UPDATE booking SET status = 'confirmed' WHERE id = ?", [booking]),
                ("UPDATE booking SET sync_state = 'lost' WHERE id = ?", [booking]),
                ("INSERT INTO sync_operation (hotel_id, operation_id, seq, fingerprint, outcome, answer, at) VALUES (?, 'op', 1, 'f', 'maybe', '{}', 'now')", [hotel]),
                ("INSERT INTO sync_outbox (operation_id, booking_id, kind, body, state, created_at) VALUES ('op', ?, 'book', '{}', 'sent', 'now')", [booking]),
                ("INSERT INTO saga_message (booking_id, name, available_at, created_at) VALUES (?, 'ChargeTwice', 'now', 'now')", [booking]),
            ]
            for (sql, arguments) in refused {
                #expect(throws: DatabaseError.self, "\(sql)") {
                    try db.inSavepoint {
                        try db.execute(sql: sql, arguments: StatementArguments(arguments))
                        return .rollback
                    }
                }
            }
            let allowed = [
                ("UPDATE booking SET status = 'NoShow', sync_state = 'conflict' WHERE id = ?", [booking]),
                ("INSERT INTO sync_operation (hotel_id, operation_id, seq, fingerprint, outcome, answer, at) VALUES (?, 'op', 1, 'f', 'rejected', '{}', 'now')", [hotel]),
                ("INSERT INTO sync_outbox (operation_id, booking_id, kind, body, state, created_at) VALUES ('op', ?, 'book', '{}', 'conflict', 'now')", [booking]),
                ("INSERT INTO saga_message (booking_id, name, available_at, created_at) VALUES (?, 'ProcessRefund', 'now', 'now')", [booking]),
            ]
            for (sql, arguments) in allowed {
                try db.inSavepoint {
                    try db.execute(sql: sql, arguments: StatementArguments(arguments))
                    return .rollback
                }
            }
        }
    }

    @Test func aNewFileChecksWithoutLongConstantLists() throws {
        let desk = try StoreFixture()
        _ = try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let texts = try schemaTexts(desk.store.path)
        for table in Self.hotTables {
            let sql = try #require(texts[table])
            #expect(Self.longConstantLists(sql).isEmpty, "\(table): \(Self.longConstantLists(sql))")
            #expect(sql.contains("CHECK"), "\(table) lost its checks")
        }
        for trigger in ["night_sales_priced", "night_sales_unpriced", "night_sales_repriced"] {
            #expect(try #require(texts[trigger]).contains("IN (") == false, "\(trigger)")
        }
        try expectTheRulesHold(desk.store.path)
    }

    /// A file written by the schema before (v13), with a booking in it, migrated by opening it.
    @Test func aV13FileIsRewrittenInPlaceAndKeepsItsRows() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let path = desk.store.path
        // Back to v13: the texts as v13 left them, so the migration meets them as an old file has them.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "PRAGMA writable_schema = ON")
            for check in Schema.v14Checks {
                try db.execute(sql: "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
                               arguments: [check.rewritten, check.written, check.table])
            }
            let version = try Int.fetchOne(db, sql: "PRAGMA schema_version")!
            try db.execute(sql: "PRAGMA schema_version = \(version + 1)")
            try db.execute(sql: "PRAGMA writable_schema = OFF")
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier LIKE 'v14:%' OR identifier LIKE 'v15:%'")
            try db.execute(sql: "PRAGMA user_version = 13")
        }
        try queue.close()
        for table in Self.hotTables {
            #expect(!Self.longConstantLists(try #require(try schemaTexts(path)[table])).isEmpty, "\(table) as v13 wrote it")
        }

        let reopened = try FrontDeskStore(path: path)
        #expect(try reopened.booking(booking.id.uuidString) == booking)
        let texts = try schemaTexts(path)
        for table in Self.hotTables {
            #expect(Self.longConstantLists(try #require(texts[table])).isEmpty, "\(table)")
        }
        #expect(try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        try expectTheRulesHold(path)
    }
}
