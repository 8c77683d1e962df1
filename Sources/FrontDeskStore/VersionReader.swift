import Foundation
import GRDBSQLite

/// The read behind every cached availability answer: one hotel's `availability_version`, on a
/// read-only SQLite connection of its own, through one statement prepared once.
///
/// This is GRDB's `SELECT version FROM availability_version WHERE hotel_id = ?` without GRDB
/// around it (its queue, statement cache lookup and cursor were most of the read's cost). The
/// statement runs in autocommit: each step is its own read transaction, so it sees every commit
/// made before it began, by this process or any other on the file.
/// Used by one thread at a time: the store lends it out of a pool and takes it back.
final class VersionReader: @unchecked Sendable {
    private var connection: OpaquePointer?
    private var statement: OpaquePointer?
    /// The hotel id bound to the statement (bindings survive `sqlite3_reset`).
    private var boundHotel: UUID?
    let path: String

    init(path: String) throws(StoreError) {
        SQLiteProcessSettings.ensure()
        self.path = path
        var connection: OpaquePointer?
        let opened = sqlite3_open_v2(path, &connection, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        self.connection = connection
        guard opened == SQLITE_OK else { throw failure(opened) }
        // As the store's other connections: a reader waits briefly while a writer recovers the log.
        sqlite3_busy_timeout(connection, 15)
        var statement: OpaquePointer?
        let prepared = sqlite3_prepare_v3(connection, "SELECT version FROM availability_version WHERE hotel_id = ?1", -1,
                                          UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        self.statement = statement
        guard prepared == SQLITE_OK else { throw failure(prepared) }
    }

    deinit {
        sqlite3_finalize(statement)
        sqlite3_close_v2(connection)
    }

    /// The hotel's version now (0 for a hotel nothing has been written for).
    func version(of hotel: UUID) throws(StoreError) -> Int64 {
        if boundHotel != hotel {
            let bound = sqlite3_bind_text(statement, 1, hotel.uuidString, -1, SQLITE_TRANSIENT)
            guard bound == SQLITE_OK else { throw failure(bound) }
            boundHotel = hotel
        }
        defer { sqlite3_reset(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return sqlite3_column_int64(statement, 0)
        case SQLITE_DONE: return 0
        case let code: throw failure(code)
        }
    }

    private func failure(_ code: Int32) -> StoreError {
        let message = connection.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
        switch code & 0xff {
        case SQLITE_NOTADB: return .notADatabase(path: path)
        case SQLITE_BUSY, SQLITE_LOCKED: return .busy(path: path)
        case SQLITE_CANTOPEN, SQLITE_PERM: return .cannotOpen(path: path, reason: message)
        default: return .database(message: message)
        }
    }
}

/// SQLite's "copy the bytes now" destructor, which the C header spells as a cast Swift cannot import.
private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
