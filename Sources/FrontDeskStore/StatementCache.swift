import GRDB
import GRDBSQLite

/// The store's statements go through GRDB's per-connection statement cache: compiling (and
/// GRDB's authorizer pass over) a statement cost more than running it, and the saga runs the
/// same few statements thousands of times. One statement per call; schema scripts use `execute`.
extension Database {
    func run(sql: String, arguments: StatementArguments = []) throws {
        try cachedStatement(sql: sql).execute(arguments: arguments)
    }

    func rows(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try Row.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }

    func row(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try Row.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func value<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: StatementArguments = []
    ) throws -> Value? {
        try Value.fetchOne(cachedStatement(sql: sql), arguments: arguments)
    }

    func values<Value: DatabaseValueConvertible & StatementColumnConvertible>(
        _ type: Value.Type, sql: String, arguments: StatementArguments = []
    ) throws -> [Value] {
        try Value.fetchAll(cachedStatement(sql: sql), arguments: arguments)
    }
}

/// A value bound straight to a statement's parameter through SQLite's C API, with no
/// `StatementArguments` or `DatabaseValue` built for it (see `Database.run(cached:_:)`).
protocol SQLParameter {
    func bind(to statement: OpaquePointer, at index: Int32)
}

extension String: SQLParameter {
    func bind(to statement: OpaquePointer, at index: Int32) {
        // As GRDB binds a String (up to a NUL, if one is in it), so both ways store the same text.
        withCString { _ = sqlite3_bind_text(statement, index, $0, -1, rawTransient) }
    }
}

/// UTF-8 bytes (JSON rendered as bytes), bound as text.
extension Array: SQLParameter where Element == UInt8 {
    func bind(to statement: OpaquePointer, at index: Int32) {
        withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                if let start = chars.baseAddress {
                    _ = sqlite3_bind_text(statement, index, start, Int32(chars.count), rawTransient)
                } else {
                    _ = sqlite3_bind_text(statement, index, "", 0, rawTransient)
                }
            }
        }
    }
}

extension Int: SQLParameter {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_int64(statement, index, Int64(self)) }
}

extension Int64: SQLParameter {
    func bind(to statement: OpaquePointer, at index: Int32) { sqlite3_bind_int64(statement, index, self) }
}

extension Optional: SQLParameter where Wrapped: SQLParameter {
    func bind(to statement: OpaquePointer, at index: Int32) {
        if let self { self.bind(to: statement, at: index) } else { sqlite3_bind_null(statement, index) }
    }
}

extension Database {
    /// Runs a cached statement with `parameters` bound straight to it, in order. For the writes a
    /// booking makes (a pushed booking runs some fifteen statements): GRDB's `StatementArguments`,
    /// built and checked for each call, cost about 7,000 instructions a statement, more than
    /// SQLite's own work for some of them (callgrind, issue 12). GRDB's observation bookkeeping is
    /// not run (the store registers no transaction observer). A statement's SQL is used this way
    /// or through GRDB's `execute`, never both with kept bindings (the bindings are cleared after).
    func run<each Parameter: SQLParameter>(cached sql: String, _ parameters: repeat each Parameter) throws {
        try withBound(sql, repeat each parameters) { statement in
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { return }
                if code != SQLITE_ROW { throw stepFailure(code, sql) }
            }
        }
    }

    /// The first row of a cached statement with `parameters` bound straight to it, read by `read`
    /// while the statement is on it (columns 0-based); nil when it gives no row.
    func firstRow<each Parameter: SQLParameter, Value>(cached sql: String, _ parameters: repeat each Parameter,
                                                      read: (OpaquePointer) throws -> Value) throws -> Value? {
        try withBound(sql, repeat each parameters) { statement in
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return nil }
            if code != SQLITE_ROW { throw stepFailure(code, sql) }
            return try read(statement)
        }
    }

    /// `body` in a savepoint of the caller's transaction: kept when it returns, rolled back when
    /// it throws (the error then goes on). For a group of bookings or pushed operations in one
    /// transaction, one savepoint each: GRDB's `inSavepoint` parses its SAVEPOINT and RELEASE
    /// texts anew every time (31,000 instructions a pushed booking, callgrind, issue 12); these
    /// are cached statements. The store registers no transaction observer, which GRDB's would
    /// also tell.
    func inCachedSavepoint<Value>(_ body: () throws -> Value) throws -> Value {
        // A failure of the file may have rolled the caller's whole transaction back: a SAVEPOINT
        // then would open a transaction of its own, and its RELEASE commit what follows alone.
        // Refused, as GRDB refuses any statement of an aborted transaction.
        guard isInsideTransaction else {
            throw DatabaseError(resultCode: .SQLITE_ABORT, message: "Transaction was aborted", sql: "SAVEPOINT frontdesk_each")
        }
        try run(cached: "SAVEPOINT frontdesk_each")
        let value: Value
        do {
            value = try body()
        } catch {
            // A failure of the file itself may have ended the whole transaction: nothing to undo then.
            if isInsideTransaction {
                try run(cached: "ROLLBACK TO SAVEPOINT frontdesk_each")
                try run(cached: "RELEASE SAVEPOINT frontdesk_each")
            }
            throw error
        }
        try run(cached: "RELEASE SAVEPOINT frontdesk_each")
        return value
    }

    /// Every row of a cached statement with `parameters` bound straight to it, each read by `read`
    /// while the statement is on it (columns 0-based).
    func forEachRow<each Parameter: SQLParameter>(cached sql: String, _ parameters: repeat each Parameter,
                                                  read: (OpaquePointer) throws -> Void) throws {
        try withBound(sql, repeat each parameters) { statement in
            while true {
                let code = sqlite3_step(statement)
                if code == SQLITE_DONE { return }
                if code != SQLITE_ROW { throw stepFailure(code, sql) }
                try read(statement)
            }
        }
    }

    /// Whether a cached statement with `parameters` bound straight to it gives any row.
    func exists<each Parameter: SQLParameter>(cached sql: String, _ parameters: repeat each Parameter) throws -> Bool {
        try firstRow(cached: sql, repeat each parameters) { _ in () } != nil
    }

    private func withBound<each Parameter: SQLParameter, Value>(_ sql: String, _ parameters: repeat each Parameter,
                                                               body: (OpaquePointer) throws -> Value) throws -> Value {
        let statement = try cachedStatement(sql: sql).sqliteStatement
        // GRDB leaves a statement it ran stepped (it resets before a run, not after), and SQLite
        // refuses bindings to a stepped statement: reset first.
        sqlite3_reset(statement)
        var count: Int32 = 0
        for parameter in repeat each parameters {
            count += 1
            parameter.bind(to: statement, at: count)
        }
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        guard count == sqlite3_bind_parameter_count(statement) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "\(count) values for \(sqlite3_bind_parameter_count(statement)) parameters", sql: sql)
        }
        return try body(statement)
    }

    private func stepFailure(_ code: Int32, _ sql: String) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)), sql: sql)
    }
}

/// A text column of the current row (0-based), nil when NULL; read as GRDB reads a String.
func columnText(_ statement: OpaquePointer, _ column: Int32) -> String? {
    guard sqlite3_column_type(statement, column) != SQLITE_NULL, let bytes = sqlite3_column_text(statement, column) else { return nil }
    return String(cString: bytes)
}
