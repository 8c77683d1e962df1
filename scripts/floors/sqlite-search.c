/* Floor for issue 10's start-up figures: a C program, SQLite linked statically, that opens the
 * database file read-only, reads the hotel's id and runs the search's availability statement once
 * (the schema is parsed at the first statement, as in every process), printing the rooms found.
 * usage: sqlite-search DB CHECK-IN CHECK-OUT GUESTS */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: sqlite-search DB CHECK-IN CHECK-OUT GUESTS\n"); return 2; }
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) { fprintf(stderr, "cannot open\n"); return 1; }
    sqlite3_exec(db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL);
    sqlite3_stmt *statement;
    char hotel[64] = "";
    if (sqlite3_prepare_v2(db, "SELECT id FROM hotel LIMIT 1", -1, &statement, NULL) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    if (sqlite3_step(statement) == SQLITE_ROW) snprintf(hotel, sizeof hotel, "%s", (const char *)sqlite3_column_text(statement, 0));
    sqlite3_finalize(statement);
    const char *sql =
        "SELECT r.id, r.number, t.id, t.name, t.capacity, t.base_price_cents, r.rowid, t.rowid "
        "FROM room_type t CROSS JOIN room r ON r.room_type_id = t.id "
        "WHERE t.capacity >= ?2 AND r.hotel_id = ?1 AND r.is_active = 1 "
        "  AND r.id NOT IN (SELECT n.room_id FROM room_night n "
        "                   WHERE n.hotel_id = ?1 AND n.night >= ?3 AND n.night < ?4 "
        "                     AND (n.hold_expires_at IS NULL OR n.hold_expires_at > ?5))";
    if (sqlite3_prepare_v2(db, sql, -1, &statement, NULL) != SQLITE_OK) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    sqlite3_bind_text(statement, 1, hotel, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(statement, 2, atoi(argv[4]));
    sqlite3_bind_text(statement, 3, argv[2], -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 4, argv[3], -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(statement, 5, "2026-11-26T00:00:00.000Z", -1, SQLITE_TRANSIENT);
    printf("{\"rooms\":[");
    int rows = 0;
    while (sqlite3_step(statement) == SQLITE_ROW) {
        printf("%s{\"roomId\":\"%s\",\"roomNumber\":\"%s\",\"roomType\":\"%s\",\"capacity\":%d,\"base\":%lld}", rows ? "," : "",
               sqlite3_column_text(statement, 0), sqlite3_column_text(statement, 1), sqlite3_column_text(statement, 3),
               sqlite3_column_int(statement, 4), (long long)sqlite3_column_int64(statement, 5));
        rows++;
    }
    printf("]}\n");
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return 0;
}
