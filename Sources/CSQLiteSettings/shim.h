// Process-wide SQLite settings the store makes before SQLite starts. `sqlite3_config` is variadic,
// which Swift cannot call, so each setting is a function here.
#ifndef FRONTDESK_CSQLITESETTINGS_SHIM_H
#define FRONTDESK_CSQLITESETTINGS_SHIM_H

#include <sqlite3.h>

// Memory statistics off: with them on, every allocation and free SQLite makes takes a global
// mutex to count it (Debian's SQLite has no lookaside, so a booking makes some 500 of each).
static inline int fd_sqlite_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

// Statement and savepoint journals outside `temp_store = MEMORY` stay in memory up to `bytes`,
// held in one piece, and only a larger one goes to a temporary file.
static inline int fd_sqlite_set_statement_journal_spill(int bytes) {
    return sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, bytes);
}

#endif
