import CSQLiteSettings

/// SQLite's process-wide settings, made once before the process's first connection (SQLite
/// takes them only before it starts; later they are refused and the defaults stay).
enum SQLiteProcessSettings {
    /// The largest statement or savepoint journal kept in memory. A booking of a group commit or
    /// a sync push journals some 30 pages (120 kB) in its savepoint, and its statements with
    /// triggers journal theirs too.
    static let statementJournalBytes: Int32 = 4 << 20

    /// Whether the settings took. When they did not (something opened SQLite first), the store
    /// keeps its journals in memory with `temp_store = MEMORY` instead, at SQLite's 1 kB a piece.
    static let applied: Bool = {
        // In memory, a journal is a chain of 1 kB pieces, each allocated as the journal grows and
        // freed when the savepoint ends: 150 allocations and frees a pushed booking (callgrind,
        // issue 12). Held in one piece up to 4 MB instead, with no temporary file below that.
        let spill = fd_sqlite_set_statement_journal_spill(statementJournalBytes)
        let statistics = fd_sqlite_disable_memory_statistics()
        return spill == SQLITE_OK && statistics == SQLITE_OK
    }()

    /// Makes the settings if SQLite has not started yet; cheap after the first call.
    static func ensure() { _ = applied }
}

extension FrontDeskStore {
    /// Whether SQLite took the store's process-wide settings (benchmarks report it).
    public static var sqliteSettingsApplied: Bool { SQLiteProcessSettings.applied }
}
