// A VFS over SQLite's default one that passes a write transaction's log frames to the kernel as
// one run, in writes of up to 124 kB, instead of two writes a frame.
//
// Why: SQLite writes each frame of the write-ahead log as two `pwrite`s, its 24-byte header and
// then its page, at offsets that straddle the kernel's pages. A commit of the server's booking
// group is ~86 frames: 172 system calls and ~260 partial page updates in the kernel, a fifth of
// the booking lane's time (perf, issue 11, session 35). As a run it is three calls.
//
// Registering it starts SQLite: it comes after every `sqlite3_config` (SQLiteProcessSettings).
// A change to this header is not seen by the build of the files that import it: touch
// SQLiteProcessSettings.swift, which emits its functions.
//
// How, and why it is safe:
// - Only log files (`SQLITE_OPEN_WAL`) are held back; every other file, and every other method,
//   goes straight to the default VFS.
// - A log's writes that follow one another in the file are kept in a buffer (the run), and the
//   run is written as soon as anything could need it in the file:
//   * the page of a commit frame (its header, written just before, names the database's size)
//     ends the commit: the run goes out then, and an error there is the commit's error;
//   * a read, sync, size, truncate or close of the log, a write elsewhere in it, a full buffer;
//   * on the database file: the memory barrier SQLite makes just before it publishes a commit in
//     the log's index (a backstop: the commit frame has gone out already), and the release of
//     the log's write lock (a rolled-back transaction's frames, which SQLite itself would have
//     written; no other connection may write the log while this one holds frames back, as only
//     the write lock's holder writes it).
// - So no connection, in this process or another, can read or sync the log past what was handed
//   to the kernel: readers only read frames of commits published in the index, and a crash loses
//   only frames SQLite had not committed.
#ifndef FRONTDESK_CSQLITESETTINGS_WAL_WRITES_H
#define FRONTDESK_CSQLITESETTINGS_WAL_WRITES_H

#include <sqlite3.h>
#include <string.h>

// How large a run of frames may grow before it is written (a booking group's commit is ~350 kB).
#define FD_WAL_RUN_CAPACITY (1 << 20)

typedef struct fd_wal_file fd_wal_file;
struct fd_wal_file {
    sqlite3_file base;             // its methods: fd_wal_io_methods(version)
    sqlite3_file *inner;           // the default VFS's file, in the same allocation, after this
    int is_log;                    // opened with SQLITE_OPEN_WAL
    fd_wal_file *log;              // a database file: its connection's open log, if any
    fd_wal_file *database;         // a log: its connection's database file, if known
    unsigned char *run;            // a log: frames written and not yet handed to the kernel
    sqlite3_int64 run_offset;      // where the run begins in the log
    int run_length;
    sqlite3_int64 commit_page_at;  // where the page of the last commit frame header seen goes, or -1
};

// The statics live in functions (Swift's importer emits a header's functions with their statics,
// not its global variables); only SQLiteProcessSettings.swift calls these, so there is one copy.
static inline sqlite3_vfs **fd_wal_inner_vfs(void) {
    static sqlite3_vfs *inner;
    return &inner;
}
static inline sqlite3_vfs *fd_wal_vfs(void) {
    static sqlite3_vfs vfs;
    return &vfs;
}
// Writes SQLite asked of logs, and writes handed to the kernel for them.
static inline unsigned long *fd_wal_counts(void) {
    static unsigned long counts[2];
    return counts;
}

static inline int fd_wal_header_size(void) {
    // The inner file must stay aligned as the default VFS expects (8 bytes on every platform here).
    return (int)((sizeof(fd_wal_file) + 15) & ~(size_t)15);
}

// The most the default VFS writes in one call: its unix write masks a length to 17 bits.
#define FD_WAL_WRITE_LIMIT (31 * 4096)

// Hands `length` bytes at `offset` to the default VFS in writes of at most FD_WAL_WRITE_LIMIT.
static int fd_wal_pass(fd_wal_file *file, const unsigned char *data, int length, sqlite3_int64 offset) {
    for (int done = 0; done < length;) {
        int piece = length - done < FD_WAL_WRITE_LIMIT ? length - done : FD_WAL_WRITE_LIMIT;
        __atomic_fetch_add(&fd_wal_counts()[1], 1, __ATOMIC_RELAXED);
        int status = file->inner->pMethods->xWrite(file->inner, data + done, piece, offset + done);
        if (status != SQLITE_OK) return status;
        done += piece;
    }
    return SQLITE_OK;
}

// Hands the run to the kernel. The run is gone afterwards even when a write failed: SQLite then
// fails the transaction, as it would have on its own write.
static int fd_wal_write_run(fd_wal_file *file) {
    int length = file->run_length;
    file->run_length = 0;
    return fd_wal_pass(file, file->run, length, file->run_offset);
}

static int fd_wal_close(sqlite3_file *handle) {
    fd_wal_file *file = (fd_wal_file *)handle;
    int run_status = fd_wal_write_run(file);
    if (file->log) file->log->database = 0;
    if (file->database && file->database->log == file) file->database->log = 0;
    sqlite3_free(file->run);
    file->run = 0;
    int status = file->inner->pMethods->xClose(file->inner);
    return status != SQLITE_OK ? status : run_status;
}

static int fd_wal_read(sqlite3_file *handle, void *buffer, int amount, sqlite3_int64 offset) {
    fd_wal_file *file = (fd_wal_file *)handle;
    int status = fd_wal_write_run(file);
    if (status != SQLITE_OK) return status;
    return file->inner->pMethods->xRead(file->inner, buffer, amount, offset);
}

static int fd_wal_write(sqlite3_file *handle, const void *data, int amount, sqlite3_int64 offset) {
    fd_wal_file *file = (fd_wal_file *)handle;
    if (!file->is_log) return file->inner->pMethods->xWrite(file->inner, data, amount, offset);
    __atomic_fetch_add(&fd_wal_counts()[0], 1, __ATOMIC_RELAXED);
    int status;
    // A write that does not continue the run, or would overflow it: the run goes first, in order.
    if (file->run_length > 0
        && (offset != file->run_offset + file->run_length || file->run_length + amount > FD_WAL_RUN_CAPACITY)) {
        status = fd_wal_write_run(file);
        if (status != SQLITE_OK) return status;
    }
    if (!file->run && amount <= FD_WAL_RUN_CAPACITY) file->run = (unsigned char *)sqlite3_malloc(FD_WAL_RUN_CAPACITY);
    if (!file->run || amount > FD_WAL_RUN_CAPACITY) {
        // No buffer to be had, or a write larger than it: straight through.
        return fd_wal_pass(file, (const unsigned char *)data, amount, offset);
    }
    if (file->run_length == 0) file->run_offset = offset;
    memcpy(file->run + file->run_length, data, (size_t)amount);
    file->run_length += amount;
    if (amount == 24) {
        // A frame's header: bytes 4-7 are the database's size in pages after a commit, 0 before.
        const unsigned char *header = (const unsigned char *)data;
        if (header[4] | header[5] | header[6] | header[7]) file->commit_page_at = offset + 24;
    } else if (offset == file->commit_page_at) {
        file->commit_page_at = -1;
        return fd_wal_write_run(file); // the commit's last frame: readers may look for it next
    }
    return SQLITE_OK;
}

static int fd_wal_truncate(sqlite3_file *handle, sqlite3_int64 size) {
    fd_wal_file *file = (fd_wal_file *)handle;
    int status = fd_wal_write_run(file);
    if (status != SQLITE_OK) return status;
    return file->inner->pMethods->xTruncate(file->inner, size);
}

static int fd_wal_sync(sqlite3_file *handle, int flags) {
    fd_wal_file *file = (fd_wal_file *)handle;
    int status = fd_wal_write_run(file);
    if (status != SQLITE_OK) return status;
    return file->inner->pMethods->xSync(file->inner, flags);
}

static int fd_wal_file_size(sqlite3_file *handle, sqlite3_int64 *size) {
    fd_wal_file *file = (fd_wal_file *)handle;
    int status = fd_wal_write_run(file);
    if (status != SQLITE_OK) return status;
    return file->inner->pMethods->xFileSize(file->inner, size);
}

static int fd_wal_lock(sqlite3_file *handle, int level) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xLock(inner, level);
}
static int fd_wal_unlock(sqlite3_file *handle, int level) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xUnlock(inner, level);
}
static int fd_wal_check_reserved_lock(sqlite3_file *handle, int *reserved) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xCheckReservedLock(inner, reserved);
}
static int fd_wal_file_control(sqlite3_file *handle, int op, void *argument) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xFileControl(inner, op, argument);
}
static int fd_wal_sector_size(sqlite3_file *handle) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xSectorSize(inner);
}
static int fd_wal_device_characteristics(sqlite3_file *handle) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xDeviceCharacteristics(inner);
}

// The write lock of the log is the first of the index's locks (WAL_WRITE_LOCK in wal.c).
static int fd_wal_shm_lock(sqlite3_file *handle, int offset, int count, int flags) {
    fd_wal_file *file = (fd_wal_file *)handle;
    if ((flags & SQLITE_SHM_UNLOCK) && offset == 0 && count >= 1 && file->log) {
        // Whatever is held back belongs to a transaction that did not commit (a commit's frames
        // went out with its last one); written as SQLite would have, before another may write.
        (void)fd_wal_write_run(file->log);
    }
    return file->inner->pMethods->xShmLock(file->inner, offset, count, flags);
}
static void fd_wal_shm_barrier(sqlite3_file *handle) {
    fd_wal_file *file = (fd_wal_file *)handle;
    // Just before a commit is published in the log's index; its frames went out with the
    // commit frame, so this only matters if SQLite ever wrote a log in another pattern.
    if (file->log) (void)fd_wal_write_run(file->log);
    file->inner->pMethods->xShmBarrier(file->inner);
}
static int fd_wal_shm_map(sqlite3_file *handle, int region, int size, int extend, void volatile **pointer) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xShmMap(inner, region, size, extend, pointer);
}
static int fd_wal_shm_unmap(sqlite3_file *handle, int delete_flag) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xShmUnmap(inner, delete_flag);
}
static int fd_wal_fetch(sqlite3_file *handle, sqlite3_int64 offset, int amount, void **pointer) {
    fd_wal_file *file = (fd_wal_file *)handle;
    int status = fd_wal_write_run(file);
    if (status != SQLITE_OK) return status;
    return file->inner->pMethods->xFetch(file->inner, offset, amount, pointer);
}
static int fd_wal_unfetch(sqlite3_file *handle, sqlite3_int64 offset, void *pointer) {
    sqlite3_file *inner = ((fd_wal_file *)handle)->inner;
    return inner->pMethods->xUnfetch(inner, offset, pointer);
}

// The wrapper's methods, in the version of the inner file's (SQLite calls no method past the
// version it sees, and the inner file has none past its own).
#define FD_WAL_METHODS(version) { \
        version, fd_wal_close, fd_wal_read, fd_wal_write, fd_wal_truncate, fd_wal_sync, fd_wal_file_size, \
        fd_wal_lock, fd_wal_unlock, fd_wal_check_reserved_lock, fd_wal_file_control, fd_wal_sector_size, \
        fd_wal_device_characteristics, fd_wal_shm_map, fd_wal_shm_lock, fd_wal_shm_barrier, fd_wal_shm_unmap, \
        fd_wal_fetch, fd_wal_unfetch }
static inline const sqlite3_io_methods *fd_wal_io_methods(int version) {
    static const sqlite3_io_methods methods[3] = { FD_WAL_METHODS(1), FD_WAL_METHODS(2), FD_WAL_METHODS(3) };
    return &methods[version < 1 ? 0 : version > 3 ? 2 : version - 1];
}
#undef FD_WAL_METHODS

static inline int fd_wal_is_wrapper(const sqlite3_file *file) {
    return file->pMethods == fd_wal_io_methods(1) || file->pMethods == fd_wal_io_methods(2)
        || file->pMethods == fd_wal_io_methods(3);
}

static int fd_wal_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *handle, int flags, int *out_flags) {
    (void)vfs;
    sqlite3_vfs *inner_vfs = *fd_wal_inner_vfs();
    fd_wal_file *file = (fd_wal_file *)handle;
    memset(file, 0, sizeof(fd_wal_file));
    file->commit_page_at = -1;
    file->inner = (sqlite3_file *)((char *)handle + fd_wal_header_size());
    int status = inner_vfs->xOpen(inner_vfs, name, file->inner, flags, out_flags);
    // SQLite closes a file whose methods are set even when its open failed, and only then.
    if (!file->inner->pMethods) {
        file->base.pMethods = 0;
        return status;
    }
    file->base.pMethods = fd_wal_io_methods(file->inner->pMethods->iVersion);
    if (status == SQLITE_OK && (flags & SQLITE_OPEN_WAL) && name) {
        file->is_log = 1;
        sqlite3_file *database = sqlite3_database_file_object(name);
        if (database && fd_wal_is_wrapper(database)) {
            file->database = (fd_wal_file *)database;
            file->database->log = file;
        }
    }
    return status;
}

static int fd_wal_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xDelete(inner, name, sync_dir);
}
static int fd_wal_access(sqlite3_vfs *vfs, const char *name, int flags, int *result) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xAccess(inner, name, flags, result);
}
static int fd_wal_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xFullPathname(inner, name, size, out);
}
static void *fd_wal_dl_open(sqlite3_vfs *vfs, const char *name) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xDlOpen(inner, name);
}
static void fd_wal_dl_error(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    inner->xDlError(inner, size, out);
}
static void (*fd_wal_dl_sym(sqlite3_vfs *vfs, void *library, const char *symbol))(void) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xDlSym(inner, library, symbol);
}
static void fd_wal_dl_close(sqlite3_vfs *vfs, void *library) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    inner->xDlClose(inner, library);
}
static int fd_wal_randomness(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xRandomness(inner, size, out);
}
static int fd_wal_sleep(sqlite3_vfs *vfs, int microseconds) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xSleep(inner, microseconds);
}
static int fd_wal_current_time(sqlite3_vfs *vfs, double *now) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xCurrentTime(inner, now);
}
static int fd_wal_get_last_error(sqlite3_vfs *vfs, int size, char *out) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xGetLastError ? inner->xGetLastError(inner, size, out) : 0;
}
static int fd_wal_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *now) {
    (void)vfs; sqlite3_vfs *inner = *fd_wal_inner_vfs();
    return inner->xCurrentTimeInt64(inner, now);
}

// Registers the VFS as the default, over the default VFS of the moment (Linux's "unix");
// SQLITE_OK, or why not (then SQLite's own VFS stays: more system calls, nothing else).
static inline int fd_sqlite_batch_log_writes(void) {
    sqlite3_vfs *vfs = fd_wal_vfs();
    if (*fd_wal_inner_vfs()) return SQLITE_OK; // registered already
    sqlite3_vfs *inner = sqlite3_vfs_find(0);
    if (!inner) return SQLITE_ERROR;
    if (inner->iVersion < 2 || !inner->xCurrentTimeInt64) return SQLITE_ERROR;
    *fd_wal_inner_vfs() = inner;
    *vfs = (sqlite3_vfs){
        .iVersion = 2, // the system-call overrides of version 3 are for SQLite's own tests
        .szOsFile = fd_wal_header_size() + inner->szOsFile, .mxPathname = inner->mxPathname,
        .zName = "frontdesk-batched-log", .xOpen = fd_wal_open, .xDelete = fd_wal_delete, .xAccess = fd_wal_access,
        .xFullPathname = fd_wal_full_pathname, .xDlOpen = fd_wal_dl_open, .xDlError = fd_wal_dl_error,
        .xDlSym = fd_wal_dl_sym, .xDlClose = fd_wal_dl_close, .xRandomness = fd_wal_randomness, .xSleep = fd_wal_sleep,
        .xCurrentTime = fd_wal_current_time, .xGetLastError = fd_wal_get_last_error,
        .xCurrentTimeInt64 = fd_wal_current_time_int64,
    };
    int status = sqlite3_vfs_register(vfs, 1);
    if (status != SQLITE_OK) *fd_wal_inner_vfs() = 0;
    return status;
}

static inline unsigned long fd_sqlite_log_writes_asked(void) {
    return __atomic_load_n(&fd_wal_counts()[0], __ATOMIC_RELAXED);
}
static inline unsigned long fd_sqlite_log_writes_made(void) {
    return __atomic_load_n(&fd_wal_counts()[1], __ATOMIC_RELAXED);
}

#endif
