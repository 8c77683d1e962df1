import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import Synchronization

/// Failures of the PostgreSQL database itself, as a person should read them (the password of
/// the URL is never in them).
public enum PostgresStoreError: Error, CustomStringConvertible, Sendable {
    /// `--database` / `FRONTDESK_DATABASE_URL` is not a PostgreSQL URL this build reads.
    case badURL(String)
    /// No connection could be made (nothing listens, wrong user or database, …).
    case unreachable(url: String, reason: String)
    /// A connection broke or the server is shutting down, starting up or full (see `isUnavailable`).
    case connectionLost(reason: String)
    /// The schema was written by a newer Front Desk: this build neither reads nor changes it.
    case newerSchema(url: String, found: Int, known: Int)
    /// The database has no Front Desk schema, or an older one: `frontdesk-server migrate` first.
    case notMigrated(url: String, found: Int, known: Int)
    /// `migrate` would upgrade a schema that `serve` instances are using now.
    case instancesServing(url: String, instances: Int, found: Int, known: Int)
    /// Every connection of the pool stayed busy for the whole wait.
    case poolExhausted(url: String, size: Int)
    /// A transaction refused as it met others (serialization failure, deadlock) every time it
    /// was run: busy now, worth trying again later.
    case contended(reason: String)
    /// A statement waited for a lock longer than `lock_timeout` (55P03): another writer holds it
    /// (an instance frozen mid-transaction); nothing was written, worth trying again later.
    case lockWaitTooLong(reason: String)
    /// A statement failed in a way no retry fixes.
    case database(message: String)
    /// A stored value this backend could not have written.
    case damaged(String)

    public var description: String {
        switch self {
        case .badURL(let message): "not a PostgreSQL database URL: \(message)"
        case .unreachable(let url, let reason): "cannot connect to the database \(url): \(reason)"
        case .connectionLost(let reason): "the connection to the database was lost (\(reason))"
        case .newerSchema(let url, let found, let known):
            "the database \(url) has schema version \(found), written by a newer Front Desk (this one knows up to \(known)); use that version, nothing was changed"
        case .instancesServing(let url, let instances, let found, let known):
            "\(instances) frontdesk-server instance\(instances == 1 ? " is" : "s are") serving the database \(url); stop every one "
                + "before `migrate` upgrades its schema from version \(found) to \(known) (an instance of the older program would go on "
                + "reading where the new schema no longer writes), then start this version; nothing was changed"
        case .notMigrated(let url, let found, let known):
            found == 0
                ? "the database \(url) has no Front Desk schema yet; run `frontdesk-server migrate --database \(url)` first"
                : "the database \(url) has schema version \(found), this Front Desk needs \(known); run `frontdesk-server migrate --database \(url)` first"
        case .poolExhausted(let url, let size): "all \(size) connections to \(url) stayed busy; try again"
        case .contended(let reason): "the database refused the change as it met others, every time it was tried (\(reason)); try again"
        case .lockWaitTooLong(let reason): "the change waited too long for a lock another change holds (\(reason)); nothing was written, try again"
        case .database(let message): "database error: \(message)"
        case .damaged(let message): "\(message) (the database was changed outside Front Desk or is damaged)"
        }
    }
}

/// A fixed number of PostgreSQL connections, used from plain threads.
///
/// The storage protocols are synchronous and the server calls them on NIOThreadPool threads
/// (tests: on Swift Testing's threads), never on an event loop. Each call borrows a connection
/// and blocks its thread on the connection's `EventLoopFuture` (`wait()`): the work runs on the
/// connection's event loop, so a blocked caller never holds up what it waits for (see
/// DECISIONS.md, "PostgreSQL: futures waited on from the caller's thread").
final class PostgresPool: Sendable {
    let url: PostgresURL
    let size: Int
    let logger: Logger
    private let group: any EventLoopGroup
    private let idle = Mutex<[PostgresConnection]>([])
    private let slots: DispatchSemaphore
    private let nextId = Atomic<Int>(1)
    private let closed = Atomic<Bool>(false)
    /// How long a call waits for a free connection before it gives up.
    let waitForConnection: TimeInterval

    /// Each connection's `application_name`: a server instance's own (`PostgresChainStorage.instanceName`),
    /// by which instances count each other in `pg_stat_activity`.
    let applicationName: String

    /// How long a statement waits for a lock (a row, a hotel's turn) before PostgreSQL refuses
    /// it (SQLSTATE 55P03, answered 503): under `unansweredStatementLimit`, so the statement ends
    /// in the database, refused, before its caller gives up on it. Given up on first, it stayed
    /// waiting there and committed later, after the caller had been told 503.
    let lockTimeout: TimeInterval

    init(url: PostgresURL, size: Int, waitForConnection: TimeInterval = 30, applicationName: String = "frontdesk",
         lockTimeout: TimeInterval = 25, logger: Logger = Logger(label: "frontdesk-postgres")) {
        self.url = url
        self.lockTimeout = lockTimeout
        self.applicationName = applicationName
        self.size = max(1, size)
        self.logger = logger
        self.waitForConnection = waitForConnection
        group = MultiThreadedEventLoopGroup.singleton
        slots = DispatchSemaphore(value: max(1, size))
    }

    /// Runs `body` with a connection of the pool; a broken connection is dropped, not returned.
    func withConnection<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        guard !closed.load(ordering: .relaxed) else { throw PostgresStoreError.database(message: "the database pool is closed") }
        guard slots.wait(timeout: .now() + waitForConnection) == .success else {
            throw PostgresStoreError.poolExhausted(url: url.description, size: size)
        }
        defer { slots.signal() }
        var connection = idle.withLock { $0.popLast() }
        if let found = connection, found.isClosed { connection = nil }
        let session = PostgresSession(connection: try connection ?? connect(), logger: logger)
        do {
            let result = try body(session)
            idle.withLock { $0.append(session.connection) }
            return result
        } catch {
            if !session.connection.isClosed && !session.broken.load(ordering: .relaxed) {
                idle.withLock { $0.append(session.connection) }
            } else {
                Self.closeInBackground(session.connection)
            }
            throw error
        }
    }

    /// Runs `body` from async code on an idle connection, when one is free right now; nil when
    /// none is (no free slot, or no connection open to take), so the caller goes the blocking way.
    /// Never waits for a slot or opens a connection: those block.
    func withIdleConnection<T>(_ body: (PostgresSession) async throws -> T) async throws -> T? {
        guard !closed.load(ordering: .relaxed), slots.wait(timeout: .now()) == .success else { return nil }
        defer { slots.signal() }
        guard let connection = idle.withLock({ $0.popLast() }) else { return nil }
        guard !connection.isClosed else {
            Self.closeInBackground(connection)
            return nil
        }
        let session = PostgresSession(connection: connection, logger: logger)
        do {
            let result = try await body(session)
            idle.withLock { $0.append(connection) }
            return result
        } catch {
            if !connection.isClosed && !session.broken.load(ordering: .relaxed) {
                idle.withLock { $0.append(connection) }
            } else {
                Self.closeInBackground(connection)
            }
            throw error
        }
    }

    private func connect() throws -> PostgresConnection {
        var configuration = PostgresConnection.Configuration(host: url.host, port: url.port, username: url.user,
                                                             password: url.password, database: url.database, tls: .disable)
        configuration.options.connectTimeout = .seconds(5)
        // Statements prepared by name (`PostgresSession.rows(_:_:)`) are planned once, with
        // their parameters unknown: planning the booking's one read for its values each time cost
        // more than running it (0.56 ms against 0.18 ms, BENCHMARKS.md, issue 13, session 13).
        // Unnamed statements (all others) are planned for their values as before.
        // Dates are read as text (`night::text`): ISO whatever the cluster, database or role set
        // (`SQL, DMY` would give "31/12/2026", and every booking would read as damaged).
        // The database's own limits for a client that went away: a transaction left idle (its
        // instance frozen between statements) is ended after a minute, and a connection whose
        // host vanished without a word is found by TCP keepalives within a minute or so; before,
        // either kept the hotel's counter row locked, and every instance's writes waiting, for
        // up to the kernel's two hours. No transaction of ours sits idle for a second.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan"),
                                                             ("application_name", applicationName),
                                                             ("DateStyle", "ISO, YMD"),
                                                             ("lock_timeout", "\(Int(lockTimeout * 1000))ms"),
                                                             ("idle_in_transaction_session_timeout", "60s"),
                                                             ("tcp_keepalives_idle", "30"), ("tcp_keepalives_interval", "10"),
                                                             ("tcp_keepalives_count", "3")]
        let id = nextId.wrappingAdd(1, ordering: .relaxed).oldValue
        do {
            return try PostgresConnection.connect(on: group.next(), configuration: configuration, id: id, logger: logger).wait()
        } catch {
            let reason = Self.reason(error)
            if reason.contains("Connection refused") {
                throw PostgresStoreError.unreachable(url: url.description,
                                                     reason: "nothing answers at \(url.host):\(url.port) (connection refused); is PostgreSQL running there?")
            }
            // A server asking for a cleartext password is sent an empty one, and says only that
            // the password was wrong.
            if url.password == nil, let error = error as? PSQLError, error.sqlState == "28P01" {
                throw PostgresStoreError.unreachable(url: url.description, reason: reason + "; " + Self.passwordMissing)
            }
            throw PostgresStoreError.unreachable(url: url.description, reason: reason)
        }
    }

    deinit {
        for connection in idle.withLock({ $0 }) { Self.closeInBackground(connection) }
    }

    /// Closes a connection without waiting, keeping it alive until it is closed (PostgresNIO
    /// insists a connection is closed before it is freed).
    static func closeInBackground(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Closes every idle connection; calls after this fail.
    func close() {
        closed.store(true, ordering: .relaxed)
        let connections = idle.withLock { connections in
            defer { connections.removeAll() }
            return connections
        }
        for connection in connections { try? (connection.close() as EventLoopFuture<Void>).wait() }
    }

    /// What went wrong, in words, without the generic text PSQLError prints by default. Never
    /// the password: the server's words do not hold it, and postgres-nio's codes are named here.
    static func reason(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let message = error.serverInfo?[.message] {
                let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
                return message + state + (Self.refusedWithoutEncryption(error) ? "; " + Self.encryptionNotMade : "")
            }
            if let words = Self.words(for: error.code) { return words }
            if let underlying = error.underlying { return "\(underlying)" }
            return Self.spelledOut(error.code)
        }
        if let error = error as? PostgresStoreError { return error.description }
        return "\(error)"
    }

    static let passwordMissing = "the database asks for a password: put it in the URL, postgres://USER:PASSWORD@HOST:PORT/DB"

    /// This program connects without TLS (`tls: .disable`): a refusal that names the connection
    /// unencrypted may be pg_hba.conf taking only encrypted ones from this host.
    static let encryptionNotMade = "Front Desk connects without TLS: if pg_hba.conf takes only encrypted connections (hostssl) "
        + "from this host, give it a host line for this address (over a private network or a tunnel)"

    /// pg_hba.conf refused the connection (28000) and PostgreSQL names it unencrypted: "no
    /// pg_hba.conf entry for host …, no encryption", or "pg_hba.conf rejects connection …, no
    /// encryption" ("SSL off" before PostgreSQL 12).
    static func refusedWithoutEncryption(_ error: PSQLError) -> Bool {
        guard error.sqlState == "28000", let message = error.serverInfo?[.message] else { return false }
        return message.hasSuffix("no encryption") || message.hasSuffix("SSL off")
    }

    /// postgres-nio's own failures that can reach a person (mostly while connecting, before the
    /// server has said anything), in words that say what to do; nil for those whose underlying
    /// error says more (a refused or broken connection).
    static func words(for code: PSQLError.Code) -> String? {
        switch code {
        case .authMechanismRequiresPassword:
            return passwordMissing
        case .unsupportedAuthMechanism:
            return "the database asks to sign in in a way Front Desk does not support (it signs in with a password, "
                + "SCRAM-SHA-256 or MD5, or with none: trust); change the method for this user in pg_hba.conf"
        case .saslError:
            return "signing in to the database (SCRAM-SHA-256) failed: check the user and the password in the URL"
        case .sslUnsupported, .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return "an encrypted (TLS) connection to the database could not be set up"
        case .queryCancelled:
            return "the statement was cancelled"
        case .tooManyParameters:
            return "a statement had more values than PostgreSQL takes at once (65,535)"
        case .messageDecodingFailure, .unexpectedBackendMessage, .invalidCommandTag:
            return "the database answered with something Front Desk could not read (is a PostgreSQL server listening there?)"
        case .poolClosed:
            return "the database pool is closed"
        default:
            return nil
        }
    }

    /// A code without words of its own, readable still: "serverClosedConnection" as "server closed connection".
    static func spelledOut(_ code: PSQLError.Code) -> String {
        var words = ""
        for character in "\(code)" {
            if character.isUppercase {
                words += " " + character.lowercased()
            } else {
                words.append(character)
            }
        }
        return words
    }
}

/// A value bound to a statement's `$n`; nil binds NULL. Types: String, Int, Int64, Bool, UUID, Date.
typealias SQLValue = (any PostgresDynamicTypeEncodable)?

/// One change to a hotel's feed, waiting for its number until the transaction's end.
struct PendingFeedEntry: Sendable {
    let hotelId: UUID
    let event: String
    let bookingId: UUID?
    let roomId: UUID?
    let data: String
    let at: Date

    /// The instant as written: whole milliseconds since 1970.
    var atMilliseconds: Int64 { Int64((at.timeIntervalSince1970 * 1000).rounded()) }
}

/// One borrowed connection: statements run one at a time, each waited for.
final class PostgresSession: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    /// Set when the connection is in a state it must not be returned to the pool in.
    let broken = Atomic<Bool>(false)
    /// The open transaction's changes to hotels' feeds, numbered and written just before it
    /// commits (`PostgresChainStorage.flushFeed`), so a hotel's feed counter is locked only then.
    /// A run of bookings that ends its transaction takes its entries out and hands them to the
    /// commit instead (`PostgresHotelStorage.bookAtOnce`, schema v8).
    let pendingFeed = Mutex<[PendingFeedEntry]>([])
    /// Set while a write transaction is open: the bookings it reads are locked (`FOR UPDATE`), so
    /// two writers of one booking take turns and neither writes over the other's change.
    let locksBookingsRead = Atomic<Bool>(false)
    /// Set while a migration runs: its statements (an index built over years of bookings) may
    /// take longer than `unansweredStatementLimit`, which would give the connection up mid-way.
    let awaitsLongStatements = Atomic<Bool>(false)

    init(connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func rows(_ sql: String, _ values: [SQLValue] = []) throws -> [PostgresRow] {
        try run(sql, values).rows
    }

    /// Runs one statement and returns how many rows it changed.
    @discardableResult
    func execute(_ sql: String, _ values: [SQLValue] = []) throws -> Int {
        try run(sql, values).metadata.rows ?? 0
    }

    func run(_ sql: String, _ values: [SQLValue]) throws -> PostgresQueryResult {
        let binds = Self.bindings(values)
        return try answer { connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger) }
    }

    private static func bindings(_ values: [SQLValue]) -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values {
            if let value { binds.append(value) } else { binds.appendNull() }
        }
        return binds
    }

    /// The answer of the statement `send` sends; a connection that failed (not the statement) is
    /// marked so the pool drops it.
    private func answer<T>(_ send: () throws -> EventLoopFuture<T>) throws -> T {
        // Nothing more goes down a connection given up on: a statement sent behind one that got
        // no answer waits behind it (a savepoint's rollback, the group's next booking, its
        // COMMIT), each up to the limit again, and may run once the hang clears.
        guard !broken.load(ordering: .relaxed) else {
            throw PostgresStoreError.connectionLost(reason: "an earlier statement on this connection got no answer")
        }
        do {
            guard !connection.isClosed else { throw PostgresStoreError.connectionLost(reason: "the connection was closed") }
            return try Self.wait(for: try send(), limit: awaitsLongStatements.load(ordering: .relaxed)
                                    ? Self.longStatementLimit : Self.unansweredStatementLimit)
        } catch let error as PSQLError {
            if error.code != .server || PostgresStoreError.connectionFailure(error) != nil { broken.store(true, ordering: .relaxed) }
            throw error
        } catch let error as PostgresStoreError {
            broken.store(true, ordering: .relaxed)
            throw error
        }
    }

    /// Runs a statement PostgreSQL parses and plans once per connection and then runs by name:
    /// for the busiest path's statements, whose planning cost more than running them (the server's
    /// desk-paid bookings, BENCHMARKS.md, issue 13, session 13). Same rows, same errors as `rows`.
    @discardableResult
    func rows<Statement: NamedStatement>(_ statement: Statement.Type, _ values: [SQLValue]) throws -> [PostgresRow] {
        let (connection, logger, prepared) = (connection, logger, PreparedRun<Statement>(bindings: Self.bindings(values)))
        return try answer {
            // PostgresNIO runs a prepared statement from async code only. The task runs on the
            // connection's event loop: the thread waiting here may be one of Swift's cooperative
            // threads (Swift Testing's), and the task must not need one of those to finish.
            let promise = connection.eventLoop.makePromise(of: [PostgresRow].self)
            Task(executorPreference: EventLoopTaskExecutor(connection.eventLoop)) {
                do {
                    var rows: [PostgresRow] = []
                    for try await row in try await connection.execute(prepared, logger: logger) { rows.append(row) }
                    promise.succeed(rows)
                } catch {
                    promise.fail(error)
                }
            }
            return promise.futureResult
        }
    }

    /// `rows(_:_:)` from async code: the caller's task waits, no thread does. A statement still
    /// unanswered after `unansweredStatementLimit` closes its connection, which fails it.
    func rowsWithoutBlocking<Statement: NamedStatement>(_ statement: Statement.Type, _ values: [SQLValue]) async throws -> [PostgresRow] {
        guard !connection.isClosed, !broken.load(ordering: .relaxed) else {
            broken.store(true, ordering: .relaxed)
            throw PostgresStoreError.connectionLost(reason: "the connection was closed")
        }
        let connection = connection
        let giveUp = connection.eventLoop.scheduleTask(in: .seconds(Int64(Self.unansweredStatementLimit))) {
            PostgresPool.closeInBackground(connection)
        }
        defer { giveUp.cancel() }
        do {
            var rows: [PostgresRow] = []
            for try await row in try await connection.execute(PreparedRun<Statement>(bindings: Self.bindings(values)), logger: logger) {
                rows.append(row)
            }
            return rows
        } catch let error as PSQLError {
            if error.code != .server || PostgresStoreError.connectionFailure(error) != nil { broken.store(true, ordering: .relaxed) }
            throw error
        }
    }

    /// How long one statement may go unanswered before its connection is given up as lost. A
    /// query sent as PostgreSQL went away has been seen to wait forever (its future never
    /// completed), holding a worker thread and keeping the server from stopping.
    static let unansweredStatementLimit: TimeInterval = 30
    /// The same for a migration's statements (`awaitsLongStatements`).
    static let longStatementLimit: TimeInterval = 3600

    /// Waits for `future` from the caller's thread, at most `unansweredStatementLimit`.
    static func wait<T>(for future: EventLoopFuture<T>, limit: TimeInterval = unansweredStatementLimit) throws -> T {
        let answered = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<T, any Error>?
        future.whenComplete { result in
            outcome = result
            answered.signal()
        }
        guard answered.wait(timeout: .now() + limit) == .success, let outcome else {
            throw PostgresStoreError.connectionLost(reason: "no answer to a statement in \(Int(limit)) s")
        }
        return try outcome.get()
    }
}

/// A statement with a fixed text, prepared once per connection under its name (`PostgresSession.rows(_:_:)`).
protocol NamedStatement {
    static var name: String { get }
    static var sql: String { get }
}

/// Runs a task's jobs on one event loop (`PostgresSession.rows(_:_:)`).
private final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop
    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// A `NamedStatement` with one run's values, as PostgresNIO takes a prepared statement.
private struct PreparedRun<Statement: NamedStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { Statement.name }
    static var sql: String { Statement.sql }
    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PSQLError {
    /// The SQLSTATE of an error the server answered with.
    var sqlState: String? { serverInfo?[.sqlState] }
    var constraint: String? { serverInfo?[.constraintName] }
}

/// Reading columns of a row by position, with damage reported instead of trapped on.
struct ColumnReader {
    let cells: [PostgresCell]
    let table: String

    init(_ row: PostgresRow, table: String) {
        cells = Array(row)
        self.table = table
    }

    func decode<T: PostgresDecodable>(_ index: Int, _ type: T.Type) throws -> T {
        do {
            return try cells[index].decode(T.self)
        } catch {
            throw PostgresStoreError.damaged("\(table): column \(cells[index].columnName) could not be read as \(T.self)")
        }
    }

    func text(_ index: Int) throws -> String { try decode(index, String.self) }
    func optionalText(_ index: Int) throws -> String? { try decode(index, String?.self) }
    func int(_ index: Int) throws -> Int { Int(try decode(index, Int64.self)) }
    func int64(_ index: Int) throws -> Int64 { try decode(index, Int64.self) }
    func optionalInt64(_ index: Int) throws -> Int64? { try decode(index, Int64?.self) }
    func uuid(_ index: Int) throws -> UUID { try decode(index, UUID.self) }
    func optionalUUID(_ index: Int) throws -> UUID? { try decode(index, UUID?.self) }
    func bool(_ index: Int) throws -> Bool { try decode(index, Bool.self) }
    /// Instants are stored to the millisecond, but PostgresNIO binds a Date as microseconds cut
    /// toward zero (…965 ms becomes 964999 µs): read back to the nearest millisecond.
    func instant(_ index: Int) throws -> Date { Self.millisecond(try decode(index, Date.self)) }
    func optionalInstant(_ index: Int) throws -> Date? { try decode(index, Date?.self).map(Self.millisecond) }

    static func millisecond(_ instant: Date) -> Date {
        Date(timeIntervalSince1970: (instant.timeIntervalSince1970 * 1000).rounded() / 1000)
    }
}
