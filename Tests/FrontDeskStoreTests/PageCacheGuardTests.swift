import Foundation
@testable import FrontDeskStore
import FrontDeskDomain
import GRDB
import Testing

/// SQLite's page cache wrapped so that a commit's truncate returns at once when no page lies past
/// the file's end (shim.h, issue 11, session 26). The wrapper must never keep a page that SQLite's
/// own truncate would have removed: pages past the end after a rolled-back growth of the file,
/// or moved through the lock byte's page number by a B-tree rebalance, must be gone.
///
/// SQLite takes the wrapper only before it starts: the suite runs where the store's settings were
/// made first (the trait makes them, when it is evaluated before any test opens a file).
@Suite(.enabled(if: FrontDeskStore.sqliteSettingsApplied, "SQLite started before the store's settings"))
struct PageCacheGuardTests {
    static let schema = """
        CREATE TABLE claim (room TEXT NOT NULL, night TEXT NOT NULL, note TEXT, PRIMARY KEY (room, night));
        CREATE INDEX claim_note ON claim (note);
        """

    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-pagecache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    func database(_ folder: URL) throws -> DatabasePool {
        let pool = try DatabasePool(path: folder.appendingPathComponent("cache.sqlite").path)
        try pool.write { db in try db.execute(sql: Self.schema) }
        return pool
    }

    /// Random keys in a two-column primary key and a text index: leaf splits and rebalances in
    /// both, the moves that take pages through the lock byte's number.
    func insertClaims(_ db: Database, rooms: Range<Int>, nights: Int, seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        for room in rooms.shuffled(using: &random) {
            for night in (0..<nights).shuffled(using: &random) {
                try db.execute(sql: "INSERT INTO claim (room, night, note) VALUES (?, ?, ?)",
                               arguments: ["room-\(room)", "2027-\(night)", String(repeating: "n\(room * 31 % 97)", count: 20)])
            }
        }
    }

    @Test func commitsOfRebalancingWritesSkipTheScanAndKeepEveryRow() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pool = try database(folder)
        let before = FrontDeskStore.pageCacheTruncates
        for group in 0..<20 {
            try pool.write { db in try insertClaims(db, rooms: (group * 10)..<(group * 10 + 10), nights: 30, seed: UInt64(group)) }
        }
        let after = FrontDeskStore.pageCacheTruncates
        #expect(after.skipped - before.skipped >= 20) // at least each of this test's commits
        let (rows, check) = try pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM claim")!, try String.fetchOne(db, sql: "PRAGMA integrity_check")!)
        }
        #expect(rows == 20 * 10 * 30)
        #expect(check == "ok")
    }

    @Test func pagesOfARolledBackGrowthAreGoneFromTheCache() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pool = try database(folder)
        try pool.write { db in try insertClaims(db, rooms: 0..<20, nights: 30, seed: 1) }
        let passedBefore = FrontDeskStore.pageCacheTruncates.passed
        // A savepoint that grows the file by hundreds of pages, then rolled back: the pages past
        // the end must be dropped (the truncate goes through), and the next writes must not see them.
        try pool.write { db in
            try db.inSavepoint {
                try insertClaims(db, rooms: 100..<160, nights: 30, seed: 2)
                return .rollback
            }
            try insertClaims(db, rooms: 200..<210, nights: 30, seed: 3)
        }
        try pool.writeWithoutTransaction { db in
            try db.inTransaction {
                try insertClaims(db, rooms: 300..<360, nights: 30, seed: 4)
                return .rollback
            }
        }
        #expect(FrontDeskStore.pageCacheTruncates.passed > passedBefore)
        try pool.write { db in try insertClaims(db, rooms: 400..<430, nights: 30, seed: 5) }
        let (rooms, check) = try pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(DISTINCT room) FROM claim")!, try String.fetchOne(db, sql: "PRAGMA integrity_check")!)
        }
        #expect(rooms == 20 + 10 + 30)
        #expect(check == "ok")
        // Another connection reads the same rows from the file.
        let reopened = try DatabaseQueue(path: folder.appendingPathComponent("cache.sqlite").path)
        #expect(try reopened.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM claim") } == 60 * 30)
    }
}
