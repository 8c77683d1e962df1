import Foundation
@testable import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// A command-line process opens the file once (`oneConnection`, issue 10's start-up target):
/// reading through the connection that checked the file, changing it through one read-write
/// connection. Same answers, same durability, nothing written at open.
@Suite struct OneConnectionTests {
    /// The fixture's hotel with one confirmed stay, opened again from its path.
    static func reopen(_ fixture: StoreFixture, _ access: StoreAccess) throws -> FrontDeskStore {
        try FrontDeskStore(path: fixture.store.path, access: access, oneConnection: true, businessDate: StoreFixture.today)
    }

    @Test func readsAnswerAsThePoolDoes() throws {
        let fixture = try StoreFixture()
        try fixture.book(room: "101")
        let reader = try Self.reopen(fixture, .read)
        #expect(reader.pool is DatabaseQueue)
        let free = try reader.search(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "1").offers.map(\.room.number)
        #expect(free == (try fixture.freeRooms("2026-12-01", "2026-12-03")))
        #expect(!free.contains("101"))
        // Read-only: a write is refused by SQLite, not carried out.
        #expect(throws: (any Error).self) { _ = try reader.createHotel(name: "Second", timeZone: "UTC", currency: "EUR", by: "t") }
    }

    @Test func writesAreDurableAndWriteNothingAtOpen() throws {
        let fixture = try StoreFixture()
        let schemaVersion = try DatabaseQueue(path: fixture.store.path).read { try Int.fetchOne($0, sql: "PRAGMA schema_version") }
        let writer = try Self.reopen(fixture, .write)
        #expect(writer.pool is DatabaseQueue)
        // DECISIONS.md: the one connection syncs its log once, before the command reports
        // (`syncLog`); the pool's connections are set to sync every commit.
        #expect(try writer.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 1)
        #expect(try fixture.store.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        // The pool's writer too, though GRDB's WAL set-up sets NORMAL after `prepareDatabase`.
        #expect(try fixture.store.write { try Int.fetchOne($0, sql: "PRAGMA synchronous") } == 2)
        // Opening changed no schema (GRDB's WAL set-up creates and drops a table when the log is empty).
        #expect(try DatabaseQueue(path: fixture.store.path).read { try Int.fetchOne($0, sql: "PRAGMA schema_version") } == schemaVersion)
        #expect(try writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        let held = try writer.reserve(fixture.form(room: "102"), by: "anna")
        try writer.syncLog()
        #expect(try fixture.store.booking(held.confirmationCode).status == held.status)
    }

    /// A writer closed last copies its log into the file and keeps the log, emptied, and its index
    /// (`SQLITE_FCNTL_PERSIST_WAL`, `journal_size_limit = 0`): the next command does not create
    /// them again, and the folder looks as after a read. A desk's pool still deletes them.
    @Test func aOneConnectionWriterClosedLastLeavesAnEmptyLogAndACompleteFile() throws {
        let fixture = try StoreFixture()
        let path = fixture.store.path
        try fixture.store.close()
        for room in ["102", "103"] {
            let writer = try Self.reopen(fixture, .write)
            #expect(writer.pool is DatabaseQueue)
            let held = try writer.reserve(fixture.form(room: room), by: "anna")
            #expect(try Self.size(path + "-wal") ?? 0 > 0)
            try writer.close()
            #expect(try Self.size(path + "-wal") == 0, "the log is kept, emptied")
            #expect(FileManager.default.fileExists(atPath: path + "-shm"))
            // Nothing left to sync: the close's checkpoint synced the file that now holds it all.
            try writer.syncLog()
            // The file alone (no log read) holds the booking.
            let alone = try DatabaseQueue(path: "file:\(path)?immutable=1", configuration: {
                var configuration = Configuration()
                configuration.readonly = true
                return configuration
            }())
            #expect(try alone.read { try String.fetchOne($0, sql: "SELECT status FROM booking WHERE confirmation_code = ?",
                                                         arguments: [held.confirmationCode]) } != nil)
            try alone.close()
        }
        // Reads and the careful way still open it: the empty log is no log to replay.
        let reader = try Self.reopen(fixture, .read)
        #expect(try !reader.search(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "1").offers.map(\.room.number).contains("102"))
        try reader.close()
        // A desk's pool, closed last, deletes them as before.
        let desk = try FrontDeskStore(path: path, businessDate: StoreFixture.today)
        _ = try desk.reserve(fixture.form(room: "104"), by: "anna")
        try desk.close()
        #expect(try Self.size(path + "-wal") == nil)
    }

    static func size(_ path: String) throws -> Int? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
    }

    @Test func aFileToUpgradeOrCreateStillGoesThePoolsWay() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-one-\(UUID().uuidString)")
        let created = try FrontDeskStore(path: folder.appendingPathComponent("new.sqlite").path, access: .create, oneConnection: true)
        #expect(created.pool is DatabasePool)
        #expect(try created.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(throws: StoreError.self) {
            _ = try FrontDeskStore(path: folder.appendingPathComponent("missing.sqlite").path, access: .read, oneConnection: true)
        }
    }
}
