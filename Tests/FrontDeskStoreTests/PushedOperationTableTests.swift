import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// Schema v15 (issue 12, session 25): the server's record of pushed operations is a table with a
/// rowid. A file whose record is still v9's table without one is migrated by opening it, every
/// pushed operation kept: a retry is answered from the record as before, and an id pushed with
/// other content is still refused.
@Suite struct PushedOperationTableTests {
    func schemaText(_ path: String) throws -> String {
        try DatabaseQueue(path: path).read { db in
            try String.fetchOne(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'sync_operation'") ?? ""
        }
    }

    func book(_ fixture: StoreFixture, room: String, night: String, next: String, operation: String) throws -> SyncOperation {
        let roomId = try #require(try fixture.store.rooms().first { $0.room.number == room }).room.id
        return SyncOperation(operationId: operation, kind: .book, bookingId: UUID().uuidString.lowercased(), baseVersion: nil,
                             madeAt: "2026-11-18T09:00:00.000Z", by: "desk-anna",
                             book: .init(roomId: roomId.uuidString.lowercased(), roomNumber: room, checkIn: night, checkOut: next,
                                         guests: 1, guestName: "Ines Wirth", email: "ines@example.com", phone: nil,
                                         confirmation: "KMN-PQ\(room.last!)", payment: "desk", totalCents: 10_000))
    }

    @Test func aV14RecordIsMovedWithEveryOperationAndStillAnswersRetries() throws {
        let fixture = try StoreFixture()
        let path = fixture.store.path
        #expect(!(try schemaText(path)).contains("WITHOUT ROWID"))
        let pushed = [try book(fixture, room: "101", night: "2026-12-01", next: "2026-12-02", operation: "op-1"),
                      try book(fixture, room: "102", night: "2026-12-01", next: "2026-12-02", operation: "op-2")]
        let first = try fixture.store.applySync(pushed, by: "anna")
        #expect(first.results.map(\.outcome) == [.accepted, .accepted])

        // Back to v14: the record as v9 made it (its key the table's own), with the same rows.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE sync_operation_v9 (
                    hotel_id TEXT NOT NULL REFERENCES hotel(id), operation_id TEXT NOT NULL, seq INTEGER NOT NULL,
                    fingerprint TEXT NOT NULL, booking_id TEXT,
                    outcome TEXT NOT NULL CHECK (outcome = 'accepted' OR outcome = 'conflict' OR outcome = 'rejected'),
                    answer TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (hotel_id, operation_id)
                ) WITHOUT ROWID;
                INSERT INTO sync_operation_v9 SELECT hotel_id, operation_id, seq, fingerprint, booking_id, outcome, answer, at FROM sync_operation;
                DROP TABLE sync_operation;
                ALTER TABLE sync_operation_v9 RENAME TO sync_operation;
                CREATE INDEX sync_operation_booking ON sync_operation(hotel_id, booking_id, seq);
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v15:%';
                PRAGMA user_version = 14;
                """)
        }
        try queue.close()
        #expect(try schemaText(path).contains("WITHOUT ROWID"))
        let kept = try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: "SELECT * FROM sync_operation ORDER BY seq") }
        #expect(kept.count == 2)

        let reopened = try FrontDeskStore(path: path)
        #expect(!(try schemaText(path)).contains("WITHOUT ROWID"))
        let moved = try DatabaseQueue(path: path).read { db in try Row.fetchAll(db, sql: "SELECT * FROM sync_operation ORDER BY seq") }
        #expect(moved == kept)
        #expect(try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "PRAGMA user_version") } == FrontDeskStore.schemaVersion)

        // A retry is answered from the record, the same answer; the same id with other content is refused.
        let retried = try reopened.applySync(pushed, by: "anna")
        #expect(retried.results == first.results)
        let reused = try reopened.applySync([try book(fixture, room: "103", night: "2026-12-01", next: "2026-12-02", operation: "op-1")], by: "anna")
        #expect(reused.results.first?.outcome == .rejected)
        let recorded = try #require(try reopened.recordedSyncOperation("op-2"))
        #expect(recorded.fingerprint == pushed[1].fingerprint)
        // The key still holds in the new table: one record an operation id and hotel.
        #expect(throws: DatabaseError.self) {
            try DatabaseQueue(path: path).write { db in
                try db.execute(sql: "INSERT INTO sync_operation SELECT hotel_id, operation_id, 99, fingerprint, booking_id, outcome, answer, at FROM sync_operation WHERE operation_id = 'op-1'")
            }
        }
    }
}
