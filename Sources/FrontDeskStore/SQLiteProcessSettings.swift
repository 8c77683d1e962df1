// The only file that calls CSQLiteSettings: its functions keep their state in statics, of which
// every object file calling them would get a copy of its own (shim.h).
import CSQLiteSettings

/// SQLite's process-wide settings, made once before the process's first connection (SQLite
/// takes them only before it starts; later they are refused and its defaults stay, which are
/// slower, not wrong).
enum SQLiteProcessSettings {
    /// The largest statement or savepoint journal a write of bookings keeps in memory in one
    /// piece (`write(journalsInOnePiece:)`); a larger one would go to a temporary file.
    static let statementJournalBytes: Int32 = 4 << 20

    /// Debian's SQLite counts every allocation and free under a global mutex and has no
    /// lookaside: a pushed booking's ~500 allocations took and gave that mutex 1,100 times
    /// (callgrind, issue 12). Nothing in Front Desk reads the counts.
    static let memoryStatisticsOff: Bool = fd_sqlite_disable_memory_statistics() == SQLITE_OK

    /// Whether a journal outside `temp_store = MEMORY` stays in memory up to
    /// `statementJournalBytes`. In memory (the store's `temp_store`), SQLite keeps a journal as a
    /// chain of 1 kB pieces, each allocated as it grows and freed when the savepoint ends: 150
    /// allocations and frees a pushed booking. Without it, temporary storage stays in memory.
    static let journalSpillSet: Bool = {
        _ = memoryStatisticsOff // all before SQLite starts
        _ = pageCacheTruncatesGuarded
        return fd_sqlite_set_statement_journal_spill(statementJournalBytes) == SQLITE_OK
    }()

    /// SQLite's page cache, wrapped (shim.h) so that the truncate at the end of every write
    /// transaction returns at once when no page lies past the file's end, where SQLite's own cache
    /// scanned its whole table after almost every commit of bookings: 5 % of the server's CPU
    /// under `POST /api/bookings` (issue 11, session 26).
    static let pageCacheTruncatesGuarded: Bool = fd_sqlite_guard_page_cache_truncates() == SQLITE_OK

    /// The default VFS wrapped (wal_writes.h) so that a commit's log frames reach the kernel as
    /// one run, not two writes a frame: a group of bookings made ~170 `pwrite`s, about a fifth of
    /// the booking lane's time (issue 11, session 35).
    /// Registered after the settings above: registering a VFS starts SQLite, which then refuses them.
    static let logWritesBatched: Bool = {
        _ = journalSpillSet
        return fd_sqlite_batch_log_writes() == SQLITE_OK
    }()

    /// Makes the settings if SQLite has not started yet; cheap after the first call.
    static func ensure() { _ = logWritesBatched }
}

extension FrontDeskStore {
    /// Whether SQLite took the store's process-wide settings (benchmarks report it).
    public static var sqliteSettingsApplied: Bool {
        SQLiteProcessSettings.memoryStatisticsOff && SQLiteProcessSettings.journalSpillSet
            && SQLiteProcessSettings.pageCacheTruncatesGuarded && SQLiteProcessSettings.logWritesBatched
    }

    /// Writes SQLite asked of write-ahead logs, and the writes that reached the kernel for them
    /// (tests and benchmarks).
    public static var logWrites: (asked: Int, made: Int) {
        (Int(fd_sqlite_log_writes_asked()), Int(fd_sqlite_log_writes_made()))
    }

    /// Truncates of SQLite's page cache answered by the guard without a scan, and those passed on
    /// to SQLite's cache (tests and benchmarks).
    public static var pageCacheTruncates: (skipped: Int, passed: Int) {
        (Int(fd_sqlite_page_cache_truncates_skipped()), Int(fd_sqlite_page_cache_truncates_passed()))
    }
}
