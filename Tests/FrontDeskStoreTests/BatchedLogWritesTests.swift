import Foundation
@testable import FrontDeskStore
import GRDB
import Testing

/// The write-ahead log's frames of a transaction handed to the kernel as one run, not two writes
/// a frame (wal_writes.h, issue 11, session 35). What must hold: every commit is in the log
/// before anyone can see it, and frames held back for a transaction that rolled back never land
/// on frames another connection committed since.
///
/// The VFS is registered with the store's settings, before SQLite starts: the suite runs where
/// they were made (as `PageCacheGuardTests`).
@Suite(.enabled(if: FrontDeskStore.sqliteSettingsApplied, "SQLite started before the store's settings"))
struct BatchedLogWritesTests {
    static func folder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-batchedlog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    static let schema = """
        CREATE TABLE stay (id INTEGER PRIMARY KEY, guest TEXT NOT NULL, night TEXT NOT NULL);
        CREATE INDEX stay_guest ON stay (guest);
        """

    /// `count` rows with random guest names: one page of the index each, spread over the file.
    static func insertStays(_ db: Database, count: Int, tag: String) throws {
        for index in 0..<count {
            try db.execute(sql: "INSERT INTO stay (guest, night) VALUES (?, ?)",
                           arguments: ["\(UUID().uuidString)-\(tag)", "2027-01-\(index % 28 + 1)"])
        }
    }

    @Test func aCommitsFramesReachTheKernelInAFewWritesAndAReaderSeesEachCommitAtOnce() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pool = try DatabasePool(path: folder.appendingPathComponent("log.sqlite").path)
        try pool.write { db in try db.execute(sql: Self.schema) }
        try pool.write { db in try Self.insertStays(db, count: 5_000, tag: "before") }
        let before = FrontDeskStore.logWrites
        for commit in 1...20 {
            try pool.write { db in try Self.insertStays(db, count: 300, tag: "commit") }
            // Another connection, reading from the log at once: the commit's frames are there.
            let seen = try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM stay WHERE guest LIKE '%-commit'")! }
            #expect(seen == commit * 300)
        }
        let after = FrontDeskStore.logWrites
        let asked = after.asked - before.asked
        let made = after.made - before.made
        // Two writes a frame asked (its header and its page), dozens of frames a commit; handed
        // on in a few writes a commit. (Other tests' logs count too, batched as well.)
        #expect(asked >= 20 * 2 * 20)
        #expect(made * 10 <= asked)
        let check = try pool.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check")! }
        #expect(check == "ok")
    }

    /// The case the release of the write lock guards: a transaction that began on an empty log
    /// spills new pages into it (nothing of them read back), then rolls back; its rollback reads
    /// no frame (the log has none committed), so its frames are still held back when another
    /// connection commits a longer run over the same part of the log. Written when the first
    /// connection next touches the log, they would land on that commit's frames.
    @Test func framesOfARolledBackTransactionNeverLandOnAnotherConnectionsCommit() throws {
        let folder = try Self.folder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("log.sqlite").path
        let first = try DatabasePool(path: path)
        try first.write { db in
            try db.execute(sql: Self.schema + "CREATE TABLE note (id INTEGER PRIMARY KEY, body BLOB NOT NULL);")
            try Self.insertStays(db, count: 2_000, tag: "start")
        }
        let second = try DatabasePool(path: path)
        // A small cache: the first connection's transactions spill pages into the log.
        try first.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA cache_size = 20") }
        for round in 0..<10 {
            try first.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
                try db.inTransaction {
                    try Self.insertStays(db, count: 200 + round * 40, tag: "rolled-back")
                    try Self.insertNotes(db, count: 30 + round)
                    return .rollback
                }
            }
            try second.write { db in
                try Self.insertStays(db, count: 40, tag: "second")
                try Self.insertNotes(db, count: 300)
            }
            try first.write { db in try Self.insertStays(db, count: 40, tag: "first") }
            for pool in [first, second] {
                let (counts, check) = try pool.read { db in
                    (try [String: Int](uniqueKeysWithValues: Row.fetchAll(db, sql: """
                        SELECT substr(guest, 38) AS tag, count(*) AS n FROM stay GROUP BY tag
                        """).map { ($0["tag"] as String, $0["n"] as Int) }),
                     try String.fetchOne(db, sql: "PRAGMA integrity_check")!)
                }
                #expect(counts == ["start": 2_000, "second": 40 * (round + 1), "first": 40 * (round + 1)])
                #expect(check == "ok")
                guard check == "ok" else { return }
            }
        }
        // And from the file alone, as after a restart.
        try first.close()
        try second.close()
        let reopened = try DatabaseQueue(path: path)
        let (total, check) = try reopened.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM stay")!, try String.fetchOne(db, sql: "PRAGMA integrity_check")!)
        }
        #expect(total == 2_800)
        #expect(check == "ok")
    }

    /// `count` notes of 3 kB: new pages at the end of the file, none read back.
    static func insertNotes(_ db: Database, count: Int) throws {
        try db.execute(sql: """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
            INSERT INTO note (body) SELECT randomblob(3000) FROM n
            """, arguments: [count])
    }
}
