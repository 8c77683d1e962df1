import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// Copies the write-ahead log into the database file on a thread of its own, beside the writer.
///
/// SQLite's own automatic checkpoint runs inside the commit that takes the log past 1,000 pages,
/// on the writing connection: every 50 or so server bookings, a commit also wrote those pages into
/// the file and synced it, and no other write could start meanwhile (a fifth of the group commit's
/// time in a `perf` profile, issue 11). Here the writer only says how long the log is; a
/// connection of the checkpointer's own copies it (`PASSIVE`: it never blocks the writer or a
/// reader), and syncs as the store's writer does (`synchronous = FULL`). The writer still
/// checkpoints by itself once the log reaches `writerLimit` pages, so the log cannot grow without
/// bound when the checkpointer falls behind; the pages already copied are not copied again, and a
/// log copied whole starts again from its beginning at the next commit, as before.
///
/// Durability does not change: a commit is durable once its log frames are synced, before and after.
final class Checkpointer: Sendable {
    let path: String
    /// Log pages after which the checkpointer is woken.
    let wakeAt: Int32
    /// Log pages after which the writer checkpoints itself, as SQLite's automatic checkpoint does.
    let writerLimit: Int32
    private let wakeUp = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    /// The log's frames copied into the file: what the last checkpoint reported, or, while one
    /// runs, the log's length when it began. The hook
    /// is told the log's whole length, and under a steady load the log does not start again from
    /// its beginning until the writer's own checkpoint: counted from the log's start, every commit
    /// past `wakeAt` woke the checkpointer, which then ran back to back (555 syncs a second, and
    /// nearly every frame copied, in `perf stat`, session 34).
    private let copiedFrames = Atomic<Int32>(0)
    /// The log's length at the last commit.
    private let logLength = Atomic<Int32>(0)
    /// Frames logged since the start, and checkpoints the checkpointer ran, counted for the tests.
    let framesLogged = Atomic<Int>(0)
    let checkpointsRun = Atomic<Int>(0)

    /// `writerLimit`: one sync push of 500 bookings logs some 5,000 pages; at 4,000 the writer
    /// copied the log itself after every push (14 % of its time, session 8). At 16,000 the
    /// server's booking lane copied it (the pages logged since the checkpointer's last copy, then
    /// a sync of the file) every 0.4 s under load: 5.5 % of the lane's CPU, and 5 % of its time
    /// waiting in `fdatasync` (perf, session 36); at 40,000 (a log of up to 160 MB, and the log
    /// only starts again from its beginning after the writer's own copy) 2.5 times less often:
    /// +5 % bookings/s, the lane's CPU a booking −7 % (four interleaved pairs).
    /// `wakeAt`: woken every 256 pages, the checkpointer ran some 260 times a second under the
    /// server's bookings, two syncs each, and copied nearly every page the log held; at 2,048 a
    /// page the next commits write again is copied once (session 33: 5 % fewer bytes and CPU a
    /// booking, DECISIONS.md); at 8,192 once more rarely still, its syncs four times fewer
    /// beside the booking lane's (session 36: +11 % bookings/s in four interleaved pairs, the
    /// server's CPU a booking −5 %), and the writer's own limit stays five times further. Counted from
    /// what the checkpointer last copied, not from the log's start (session 34: it had run back to
    /// back once the log passed `wakeAt`).
    init(path: String, wakeAt: Int32 = 8_192, writerLimit: Int32 = 40_000) {
        self.path = path
        self.wakeAt = wakeAt
        self.writerLimit = writerLimit
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "wal-checkpointer"
        thread.start()
    }

    func stop() {
        stopped.store(true, ordering: .releasing)
        wakeUp.signal()
    }

    /// Called by the writer after each commit with the log's length in pages. The checkpointer is
    /// woken once `wakeAt` pages were logged since what it last copied; a log shorter than that
    /// started again from its beginning.
    fileprivate func committed(_ connection: OpaquePointer?, _ schema: UnsafePointer<CChar>?, pages: Int32) {
        let before = logLength.exchange(pages, ordering: .relaxed)
        framesLogged.add(Int(pages >= before ? pages - before : pages), ordering: .relaxed)
        if pages >= writerLimit {
            copyLog(connection, schema)
            return
        }
        let copied = copiedFrames.load(ordering: .relaxed)
        if pages - (pages >= copied ? copied : 0) >= wakeAt {
            wakeUp.signal()
        }
    }

    private func loop() {
        var connection: OpaquePointer?
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            sqlite3_close(connection)
            return // the writer's own checkpoints at `writerLimit` go on
        }
        defer { sqlite3_close(connection) }
        sqlite3_busy_timeout(connection, 1000)
        sqlite3_exec(connection, "PRAGMA synchronous = FULL", nil, nil, nil)
        while !stopped.load(ordering: .acquiring) {
            _ = wakeUp.wait(timeout: .now() + 1)
            // Wake-ups that came while the last copy ran are answered by this one.
            while wakeUp.wait(timeout: .now()) == .success {}
            if stopped.load(ordering: .acquiring) { break }
            // What this run is about to copy counts as copied for the commits made meanwhile, so
            // that they do not wake it again for pages it is copying.
            copiedFrames.store(logLength.load(ordering: .relaxed), ordering: .relaxed)
            copyLog(connection, nil)
            checkpointsRun.add(1, ordering: .relaxed)
        }
    }

    /// A passive checkpoint on `connection`, noting how far the log is copied.
    private func copyLog(_ connection: OpaquePointer?, _ schema: UnsafePointer<CChar>?) {
        var copied: Int32 = 0
        _ = sqlite3_wal_checkpoint_v2(connection, schema, SQLITE_CHECKPOINT_PASSIVE, nil, &copied)
        if copied >= 0 { copiedFrames.store(copied, ordering: .relaxed) } // -1: it could not run
    }
}

/// SQLite's log hook: a C function, handed the checkpointer it was installed with.
private func walCommitted(_ context: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ schema: UnsafePointer<CChar>?,
                          _ pages: Int32) -> Int32 {
    guard let context else { return SQLITE_OK }
    Unmanaged<Checkpointer>.fromOpaque(context).takeUnretainedValue().committed(connection, schema, pages: pages)
    return SQLITE_OK
}

extension FrontDeskStore {
    /// Moves checkpoints off the writer (see `Checkpointer`), for a process that writes much and
    /// often through this store's pool: the booking server. A read-only or one-connection store
    /// keeps SQLite's own checkpoints. `close()` stops the checkpointer.
    public func checkpointInBackground() {
        checkpointInBackground(Checkpointer(path: path))
    }

    func checkpointInBackground(_ checkpointer: Checkpointer) {
        guard let pool = pool as? DatabasePool, shared.checkpointer.withLock({ $0 == nil }) else { return }
        // Kept for as long as the writer may call the hook: the process's lifetime.
        let context = Unmanaged.passRetained(checkpointer).toOpaque()
        let installed = pool.writeWithoutTransaction { db -> Bool in
            guard !db.configuration.readonly else { return false }
            _ = sqlite3_wal_hook(db.sqliteConnection, walCommitted, context)
            return true
        }
        guard installed else { return }
        shared.checkpointer.withLock { $0 = checkpointer }
        checkpointer.start()
    }
}
