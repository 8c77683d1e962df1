import Foundation
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// `Database.run(cached:_:)` and its reads bind values straight to SQLite (issue 12, session 25):
/// what they write and read must be what GRDB's own `execute` writes and reads, a refused row
/// must come back as the same `DatabaseError` (the store turns a taken room-night into "room not
/// available" by its extended code), and a statement must be usable again after either.
@Suite struct DirectBindingTests {
    func queue() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { (db: Database) throws in
            try db.execute(sql: "CREATE TABLE claim (room TEXT NOT NULL, night TEXT NOT NULL, price INTEGER, note TEXT, PRIMARY KEY (room, night))")
        }
        return queue
    }

    @Test func valuesAreWrittenAsGRDBWritesThem() throws {
        let queue = try queue()
        try queue.write { (db: Database) throws in
            let insert = "INSERT INTO claim (room, night, price, note) VALUES (?, ?, ?, ?)"
            try db.run(cached: insert, "101", "2026-12-24", 12_500, "Late arrival, \"quiet\" room ✓")
            try db.run(cached: insert, "102", "2026-12-24", Int64?.none, String?.none)
            try db.run(cached: insert, "", "2026-12-25", Int64(-1), Array("{\"a\":1}".utf8))
            try db.execute(sql: "INSERT INTO claim (room, night, price, note) VALUES (?, ?, ?, ?)",
                           arguments: ["103", "2026-12-24", 12_500, "Late arrival, \"quiet\" room ✓"])
            let rows = try Row.fetchAll(db, sql: "SELECT room, night, price, note, typeof(note) FROM claim ORDER BY room, night")
            #expect(rows.map { $0[0] as String } == ["", "101", "102", "103"])
            #expect(rows[0][2] as Int64 == -1)
            #expect(rows[0][3] as String == "{\"a\":1}")
            #expect(rows[0][4] as String == "text")
            #expect(rows[1][3] as String == rows[3][3] as String)
            #expect(rows[1][2] as Int64 == 12_500)
            #expect((rows[2][2] as DatabaseValue).isNull && (rows[2][3] as DatabaseValue).isNull)
        }
    }

    @Test func aRefusedRowIsTheSameErrorAndTheStatementGoesOn() throws {
        let queue = try queue()
        try queue.write { (db: Database) throws in
            let insert = "INSERT INTO claim (room, night) VALUES (?, ?)"
            try db.run(cached: insert, "101", "2026-12-24")
            let error = #expect(throws: DatabaseError.self) { try db.run(cached: insert, "101", "2026-12-24") }
            #expect(error?.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY)
            #expect(error?.message?.contains("claim.room") == true)
            try db.run(cached: insert, "101", "2026-12-25")
            #expect(try db.exists(cached: "SELECT 1 FROM claim WHERE room = ? AND night = ?", "101", "2026-12-25"))
            #expect(try !db.exists(cached: "SELECT 1 FROM claim WHERE room = ? AND night = ?", "101", "2026-12-26"))
            let nights = try db.firstRow(cached: "SELECT group_concat(night, ',') FROM claim WHERE room = ?", "101") { columnText($0, 0) }
            #expect(nights == "2026-12-24,2026-12-25")
            // GRDB's own use of the same cached statement afterwards sees none of the old bindings,
            // and a direct run after GRDB's (which leaves the statement stepped) binds its own.
            try db.cachedStatement(sql: insert).execute(arguments: ["102", "2026-12-24"])
            try db.run(cached: insert, "102", "2026-12-25")
            #expect(try String.fetchAll(db, sql: "SELECT night FROM claim WHERE room = '102' ORDER BY night") == ["2026-12-24", "2026-12-25"])
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM claim") == 4)
        }
    }

    /// One savepoint per booking of a group: a failed one leaves nothing, the others stay, and the
    /// transaction goes on (`inCachedSavepoint`).
    @Test func aFailedSavepointLeavesNothingAndTheOthersStay() throws {
        let queue = try queue()
        struct Refused: Error {}
        try queue.write { (db: Database) throws in
            let insert = "INSERT INTO claim (room, night) VALUES (?, ?)"
            let kept = try db.inCachedSavepoint { () throws -> String in
                try db.run(cached: insert, "101", "2026-12-24")
                return "kept"
            }
            #expect(kept == "kept")
            #expect(throws: Refused.self) {
                try db.inCachedSavepoint {
                    try db.run(cached: insert, "102", "2026-12-24")
                    throw Refused()
                }
            }
            #expect(throws: DatabaseError.self) {
                try db.inCachedSavepoint {
                    try db.run(cached: insert, "103", "2026-12-24")
                    try db.run(cached: insert, "101", "2026-12-24")
                }
            }
            try db.inCachedSavepoint { try db.run(cached: insert, "104", "2026-12-24") }
            #expect(db.isInsideTransaction)
        }
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT room FROM claim ORDER BY room") } == ["101", "104"])
    }

    /// SQLite rolls a whole transaction back on some failures (a full disk): a group's next
    /// savepoint must not open a transaction of its own and commit the rest of the group alone.
    @Test func aSavepointAfterTheTransactionEndedIsRefusedAndNothingIsKept() throws {
        let queue = try queue()
        let insert = "INSERT INTO claim (room, night) VALUES (?, ?)"
        var refusal: DatabaseError?
        _ = try? queue.write { (db: Database) throws in
            try db.run(cached: insert, "101", "2026-12-24")
            try db.execute(sql: "ROLLBACK") // as SQLite does itself after SQLITE_FULL
            refusal = #expect(throws: DatabaseError.self) {
                try db.inCachedSavepoint { try db.run(cached: insert, "102", "2026-12-24") }
            }
            #expect(!db.isInsideTransaction)
        }
        #expect(refusal?.resultCode == .SQLITE_ABORT)
        #expect(try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM claim") } == 0)
    }

    @Test func theWrongNumberOfValuesIsRefusedAndNothingIsWritten() throws {
        let queue = try queue()
        try queue.write { (db: Database) throws in
            #expect(throws: DatabaseError.self) { try db.run(cached: "INSERT INTO claim (room, night) VALUES (?, ?)", "101") }
            #expect(throws: DatabaseError.self) { try db.run(cached: "INSERT INTO claim (room, night) VALUES (?, ?)", "101", "2026-12-24", "extra") }
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM claim") == 0)
        }
    }
}

/// A night's load read straight from SQLite (`nightLoads`): a row this store could not have written
/// is still named in the error, as when it was read through `StoredRow`, and nothing is booked.
@Suite struct DamagedNightLoadTests {
    func bookingCount(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM booking") ?? 0 }
    }

    @Test func aDamagedLoadIsNamedAndNothingIsBooked() throws {
        let fixture = try StoreFixture()
        _ = try fixture.book(room: "101", from: "2026-12-01", to: "2026-12-02")
        try DatabaseQueue(path: fixture.store.path).write { db in
            try db.execute(sql: "UPDATE night_load SET firm = 'lots' WHERE night = '2026-12-01'")
        }
        let before = try bookingCount(fixture.store.path)
        do {
            _ = try fixture.book(room: "102", from: "2026-12-01", to: "2026-12-02")
            Issue.record("a booking was made over a damaged load")
        } catch let error as StoreError {
            #expect("\(error)".contains("night_load") && "\(error)".contains("\"lots\""), "\(error)")
        }
        #expect(try bookingCount(fixture.store.path) == before)
    }
}
