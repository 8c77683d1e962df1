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

// SQLite's own page cache (pcache1), wrapped so that a truncate with no page at or past its
// limit returns at once.
//
// Why: at the end of every write transaction the pager truncates its cache to the file's size.
// pcache1 then visits every bucket of its hash table whenever the largest page number it has held
// lies more than the table's size past that limit. B-tree rebalancing moves a page through a
// temporary number, the page of the lock byte at 1 GiB (262,145 with 4 kB pages), which no file
// under 1 GiB has; so after nearly every commit of bookings the writer's cache (7,000 pages, 8,192
// buckets) was scanned whole: 5 % of the server's CPU under POST /api/bookings (issue 11).
//
// The wrapper keeps, per cache, a bound on the page numbers it holds (every number a page was
// created at or moved to, except the lock byte's page) and how many pages were moved to the lock
// byte's page and not moved away. When neither reaches the limit, no page is at or past it, and
// pcache1's truncate would remove nothing. Otherwise pcache1 truncates as before. A page dropped
// while at the lock byte's number only keeps the count up: truncates then go through, as before.
typedef struct fd_guarded_page_cache {
    sqlite3_pcache *inner;
    unsigned int largest_key;   // no page is above this number, except at lock_byte_key
    unsigned int lock_byte_key; // the page holding the lock byte, for this cache's page size
    unsigned int parked;        // pages moved to lock_byte_key and not (known to be) gone
} fd_guarded_page_cache;

// SQLite's own methods and the counts, as statics of functions: Swift's importer emits a
// header's functions (with their statics) but not its global variables. Each Swift object file
// that calls these functions gets a copy of its own, so only SQLiteProcessSettings.swift calls them.
static inline sqlite3_pcache_methods2 *fd_pcache1_methods(void) {
    static sqlite3_pcache_methods2 methods;
    return &methods;
}
static inline unsigned long *fd_truncate_counts(void) {
    static unsigned long counts[2]; // skipped, passed
    return counts;
}
#define fd_pcache1 (*fd_pcache1_methods())

static int fd_pcache_init(void *arg) { return fd_pcache1.xInit(arg); }
static void fd_pcache_shutdown(void *arg) { if (fd_pcache1.xShutdown) fd_pcache1.xShutdown(arg); }

static sqlite3_pcache *fd_pcache_create(int page_size, int extra_size, int purgeable) {
    fd_guarded_page_cache *cache = (fd_guarded_page_cache *)sqlite3_malloc(sizeof(fd_guarded_page_cache));
    if (!cache) return 0;
    cache->inner = fd_pcache1.xCreate(page_size, extra_size, purgeable);
    if (!cache->inner) { sqlite3_free(cache); return 0; }
    cache->largest_key = 0;
    cache->lock_byte_key = page_size > 0 ? (unsigned int)(0x40000000u / (unsigned int)page_size) + 1 : 0;
    cache->parked = 0;
    return (sqlite3_pcache *)cache;
}

static void fd_pcache_cachesize(sqlite3_pcache *cache, int pages) {
    fd_pcache1.xCachesize(((fd_guarded_page_cache *)cache)->inner, pages);
}

static int fd_pcache_pagecount(sqlite3_pcache *cache) {
    return fd_pcache1.xPagecount(((fd_guarded_page_cache *)cache)->inner);
}

static sqlite3_pcache_page *fd_pcache_fetch(sqlite3_pcache *cache, unsigned int key, int create) {
    fd_guarded_page_cache *guarded = (fd_guarded_page_cache *)cache;
    // A page may be created at any number asked with create set: the bound covers it (even the
    // lock byte's number: then it can only grow past every limit below it, never miss a page).
    if (create && key > guarded->largest_key) guarded->largest_key = key;
    return fd_pcache1.xFetch(guarded->inner, key, create);
}

static void fd_pcache_unpin(sqlite3_pcache *cache, sqlite3_pcache_page *page, int discard) {
    fd_pcache1.xUnpin(((fd_guarded_page_cache *)cache)->inner, page, discard);
}

static void fd_pcache_rekey(sqlite3_pcache *cache, sqlite3_pcache_page *page, unsigned int from, unsigned int to) {
    fd_guarded_page_cache *guarded = (fd_guarded_page_cache *)cache;
    if (to == guarded->lock_byte_key) {
        guarded->parked += 1;
    } else if (to > guarded->largest_key) {
        guarded->largest_key = to;
    }
    if (from == guarded->lock_byte_key && guarded->parked > 0) guarded->parked -= 1;
    fd_pcache1.xRekey(guarded->inner, page, from, to);
}

static void fd_pcache_truncate(sqlite3_pcache *cache, unsigned int limit) {
    fd_guarded_page_cache *guarded = (fd_guarded_page_cache *)cache;
    if (guarded->parked == 0 && guarded->largest_key < limit) {
        __atomic_fetch_add(&fd_truncate_counts()[0], 1, __ATOMIC_RELAXED);
        return; // no page at or past `limit`: nothing to remove
    }
    __atomic_fetch_add(&fd_truncate_counts()[1], 1, __ATOMIC_RELAXED);
    fd_pcache1.xTruncate(guarded->inner, limit);
    // Every page at or past `limit` is gone now.
    if (limit > 0 && guarded->largest_key >= limit) guarded->largest_key = limit - 1;
    if (limit <= guarded->lock_byte_key) guarded->parked = 0;
}

static void fd_pcache_destroy(sqlite3_pcache *cache) {
    fd_pcache1.xDestroy(((fd_guarded_page_cache *)cache)->inner);
    sqlite3_free(cache);
}

static void fd_pcache_shrink(sqlite3_pcache *cache) {
    if (fd_pcache1.xShrink) fd_pcache1.xShrink(((fd_guarded_page_cache *)cache)->inner);
}

// Installs the wrapper around the default page cache; SQLITE_OK, or SQLite's refusal (it has
// started already: its own cache stays, slower, not wrong).
static inline int fd_sqlite_guard_page_cache_truncates(void) {
    sqlite3_pcache_methods2 current;
    int status = sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &current);
    if (status != SQLITE_OK) return status;
    if (current.xCreate == fd_pcache_create) return SQLITE_OK; // installed already: never wrap the wrapper
    sqlite3_pcache_methods2 guarded = current;
    guarded.xInit = fd_pcache_init;
    guarded.xShutdown = fd_pcache_shutdown;
    guarded.xCreate = fd_pcache_create;
    guarded.xCachesize = fd_pcache_cachesize;
    guarded.xPagecount = fd_pcache_pagecount;
    guarded.xFetch = fd_pcache_fetch;
    guarded.xUnpin = fd_pcache_unpin;
    guarded.xRekey = fd_pcache_rekey;
    guarded.xTruncate = fd_pcache_truncate;
    guarded.xDestroy = fd_pcache_destroy;
    guarded.xShrink = fd_pcache_shrink;
    fd_pcache1 = current;
    status = sqlite3_config(SQLITE_CONFIG_PCACHE2, &guarded);
    if (status != SQLITE_OK) fd_pcache1.xInit = 0;
    return status;
}

// How many truncates the wrapper answered itself, and how many it passed to pcache1.
static inline unsigned long fd_sqlite_page_cache_truncates_skipped(void) {
    return __atomic_load_n(&fd_truncate_counts()[0], __ATOMIC_RELAXED);
}
static inline unsigned long fd_sqlite_page_cache_truncates_passed(void) {
    return __atomic_load_n(&fd_truncate_counts()[1], __ATOMIC_RELAXED);
}

#undef fd_pcache1

#endif
