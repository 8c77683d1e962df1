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
