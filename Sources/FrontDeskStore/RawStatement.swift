import GRDB
import GRDBSQLite

/// A statement on a GRDB connection's own SQLite handle, bound and stepped through the C API:
/// for the replica's bulk reads and writes (hundreds of thousands of rows), where building
/// `StatementArguments` and `Row` values for each row cost more than SQLite's own work. Only
/// inside one `read` / `write` closure of the connection; finalised when released.
final class RawStatement {
    let handle: OpaquePointer
    /// Whether the last step gave a row.
    private(set) var row = false

    init(_ db: Database, _ sql: String) throws {
        var handle: OpaquePointer?
        guard sqlite3_prepare_v2(db.sqliteConnection, sql, -1, &handle, nil) == SQLITE_OK, let handle else {
            throw DatabaseError(resultCode: ResultCode(rawValue: sqlite3_errcode(db.sqliteConnection)),
                                message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: sql)
        }
        self.handle = handle
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding (1-based, as in SQL)

    func bind(_ index: Int32, _ text: String?) {
        guard let text else {
            sqlite3_bind_null(handle, index)
            return
        }
        var copy = text
        copy.withUTF8 { utf8 in
            utf8.withMemoryRebound(to: CChar.self) { chars in
                if let start = chars.baseAddress, !chars.isEmpty {
                    _ = sqlite3_bind_text(handle, index, start, Int32(chars.count), rawTransient)
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, rawTransient)
                }
            }
        }
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Int) {
        sqlite3_bind_int64(handle, index, Int64(value))
    }

    // MARK: Stepping

    /// Steps once: `row` says whether a row came.
    @discardableResult
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: row = true
        case SQLITE_DONE: row = false
        default:
            let connection = sqlite3_db_handle(handle)
            let code = sqlite3_errcode(connection)
            let message = String(cString: sqlite3_errmsg(connection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message,
                                sql: sqlite3_sql(handle).map { String(cString: $0) })
        }
        return row
    }

    /// Runs a write (or a lookup) to its end and makes the statement ready for new bindings.
    func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Whether the statement gives any row, then ready again.
    func exists() throws -> Bool {
        defer { sqlite3_reset(handle) }
        return try step()
    }

    // MARK: Columns of the current row (0-based)

    /// A text column's bytes, valid until the next step (NULL: nil).
    func text(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
        guard sqlite3_column_type(handle, column) != SQLITE_NULL, let bytes = sqlite3_column_text(handle, column) else { return nil }
        return UnsafeBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, column)))
    }

    func int(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
}

let rawTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
