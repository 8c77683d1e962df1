import Foundation
import FrontDeskDomain
import FrontDeskStore
import Logging
import PostgresNIO
import Synchronization

/// The booking server's chain on PostgreSQL: `ChainStorage`, and `HotelStorage` per hotel
/// through `hotel(_:)`. The rules are the domain's (validation, pricing, confirmation codes,
/// the saga's transitions); this type stores their outcomes, as `FrontDeskStore` does on SQLite.
///
/// Transactions:
/// - A write of a hotel runs at READ COMMITTED. Most first take the hotel's turn (a
///   transaction-scoped advisory lock on the hotel's id): those writers take turns (as SQLite's
///   one writer does), each seeing every earlier commit. The two that carry the booking load, a
///   group of new bookings (`reserveAll`) and the saga's steps, do not (`lockingHotel: false`):
///   they run side by side with each other and with the one whose turn it is, and what they
///   need of each other is locked row by row:
///     - every booking a write reads is read `FOR UPDATE`, so two writers of one booking take turns;
///     - a room-night is claimed by its primary key, which refuses a second claim of a night
///       whatever wrote the first (no double sale rests on taking turns);
///     - a writer whose changes are numbered by a statement (`flushFeed`) locks the hotel's
///       `hotel_clock` row only at its very end, so change-feed numbers become visible in order
///       with no gap, and no one holds that row while waiting for a booking (no deadlock through
///       it); a run of bookings that hands its feed to its commit (schema v8) locks no row of
///       the hotel at all: its entries wait unnumbered until the next reader of the feed or the
///       next numbered write numbers them first (`numberPendingFeed`, schema v12), and the
///       availability version its commit moves is one of the hotel's 64 parts (schema v12).
///   A write of the chain (a hotel, an account) takes no lock.
/// - A read that must be one snapshot (a search and its stamp) runs at REPEATABLE READ, READ ONLY.
/// - A transaction that fails with a serialization failure (40001) or a deadlock (40P01) is run
///   again, up to `maximumAttempts` times; any other failure is reported.
public final class PostgresChainStorage: ChainStorage, Sendable {
    let pool: PostgresPool
    let clock: @Sendable () -> Date
    let businessDateOverride: CalendarDate?
    let pricing: PricingPolicy
    let codes: Mutex<any RandomNumberGenerator & Sendable>
    /// The first key of the transaction-scoped advisory lock a hotel's writers take turns on
    /// ("FDWT"; the second key is the hotel's id hashed).
    static let hotelTurnsLock: Int32 = 0x4644_5754

    /// How often a transaction is tried when PostgreSQL asks for a retry.
    let maximumAttempts = 5
    /// Availability versions read for kept answers, one read shared by the requests that wait for it.
    let versionReads = SharedVersionReads()

    /// Connects to `url` with a pool of `poolSize` connections and checks the schema: one newer
    /// than this build is refused, and so is an older one (`migrate: true` upgrades it first,
    /// as `frontdesk-server migrate` does). An unreachable database is reported at once.
    public init(url: PostgresURL, poolSize: Int = 8, bookingLanes: Int = PostgresChainStorage.defaultBookingLanes,
                bookingGathering: BookingIntake.Gathering = PostgresChainStorage.defaultBookingGathering, migrate: Bool = false,
                clock: @escaping @Sendable () -> Date = { Date() }, businessDate: CalendarDate? = nil,
                random: any RandomNumberGenerator & Sendable = BufferedSystemRandom(),
                pricing: PricingPolicy = .standard, instanceName: String = "frontdesk", lockTimeout: TimeInterval = 25,
                logger: Logger = Logger(label: "frontdesk-postgres")) throws {
        pool = PostgresPool(url: url, size: poolSize, applicationName: instanceName, lockTimeout: lockTimeout, logger: logger)
        self.instanceName = instanceName
        self.bookingLanes = max(1, bookingLanes)
        self.bookingGathering = bookingGathering
        self.clock = clock
        businessDateOverride = businessDate
        self.pricing = pricing
        codes = Mutex(random)
        do {
            if migrate { _ = try PostgresSchema.migrate(pool) }
            try PostgresSchema.check(pool)
            unicodeCollation = try pool.withConnection { session in
                try session.rows("SELECT collname::text FROM pg_collation WHERE collname = 'und-x-icu' LIMIT 1").first
                    .map { try ColumnReader($0, table: "pg_collation").text(0) }
            }
        } catch {
            pool.close()
            throw Self.translated(error)
        }
    }

    /// ICU's root collation when PostgreSQL was built with ICU (Debian's is): `lower` under it
    /// folds every script, whatever the database's own locale, as Swift and the desk do. A
    /// database made with `--no-locale` (C) folds ASCII only, and "Ångström" would not find
    /// "Zoë Ångström". Nil without ICU: then the database's locale decides.
    let unicodeCollation: String?

    /// Creates or upgrades the schema at `url`; the versions applied (empty when up to date).
    public static func migrate(url: PostgresURL) throws -> (applied: [Int], version: Int) {
        let pool = PostgresPool(url: url, size: 1)
        defer { pool.close() }
        do {
            return (try PostgresSchema.migrate(pool), PostgresSchema.version)
        } catch {
            throw translated(error)
        }
    }

    /// The schema version this build writes.
    public static var schemaVersion: Int { PostgresSchema.version }

    /// Closes the pool's connections.
    public func close() { pool.close() }

    var now: Date {
        // Stored to the millisecond, as on SQLite: what a call returns is what a later read gives.
        Date(timeIntervalSince1970: (clock().timeIntervalSince1970 * 1000).rounded(.down) / 1000)
    }

    func makeConfirmationCode() -> String {
        codes.withLock { generator in ConfirmationCode.make(using: &generator) }
    }

    func businessDate(for hotel: Hotel?) -> CalendarDate {
        if let businessDateOverride { return businessDateOverride }
        return hotel?.businessDate(at: clock()) ?? CalendarDate.today(in: .gmt, at: clock())
    }

    // MARK: Transactions

    /// A write transaction; `hotel` names the hotel whose writers take turns, unless
    /// `lockingHotel` is false (see the type's comment).
    func write<T>(hotel: UUID?, lockingHotel: Bool = true, _ body: (PostgresSession) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL READ COMMITTED", writing: true) { session in
            if let hotel, lockingHotel {
                try session.execute("SELECT pg_advisory_xact_lock($1, hashtext($2::text))", [Self.hotelTurnsLock, hotel])
            }
            return try body(session)
        }
    }

    /// A read of one snapshot.
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        if let snapshot = PostgresSnapshot.current, snapshot.pool == ObjectIdentifier(pool) { return try body(snapshot.session) }
        return try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// One statement on its own (it sees one committed state without a transaction around it).
    func readOne<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        if let snapshot = PostgresSnapshot.current, snapshot.pool == ObjectIdentifier(pool) { return try body(snapshot.session) }
        do {
            return try pool.withConnection(body)
        } catch {
            throw Self.translated(error)
        }
    }

    /// `HotelStorage.inOneSnapshot`: one REPEATABLE READ transaction that the reads made inside
    /// `body` on this thread use, whichever hotel of the chain they read.
    ///
    /// A feed number read in the snapshot (an export's `feedSequence`) covers every change it
    /// holds (schema v12): what is pending is numbered first, and a snapshot in which the hotel
    /// whose number is read has entries still waiting (a group committed meanwhile) is taken
    /// again. One taken over a booking whose entries had no number yet left that booking out of
    /// the number, and a desk at it never heard of the booking once the hotel was imported.
    public func inOneSnapshot<T>(_ body: () throws -> T) throws -> T {
        if let snapshot = PostgresSnapshot.current, snapshot.pool == ObjectIdentifier(pool) { return try body() }
        try numberEveryPendingFeed()
        for attempt in 1...10 {
            do {
                return try read { session in
                    try PostgresSnapshot.$current.withValue(PostgresSnapshot(pool: ObjectIdentifier(pool), session: session)) { try body() }
                }
            } catch let pending as FeedPendingInSnapshot {
                try numberPendingFeed(of: pending.hotelId)
                // Bookings are arriving: a moment between tries lets a gap open.
                Thread.sleep(forTimeInterval: 0.005 * Double(attempt))
            }
        }
        throw PostgresStoreError.contended(reason: "bookings kept arriving while one snapshot of the chain was taken")
    }

    /// Numbers what is pending in every hotel's feed (`number_pending_feed`), one hotel at a time,
    /// each in its own transaction: never two hotels' counters held at once.
    func numberEveryPendingFeed() throws {
        let hotels = try readOne { session in
            try session.rows("SELECT DISTINCT hotel_id FROM change_feed_pending ORDER BY hotel_id")
                .map { try ColumnReader($0, table: "change_feed_pending").uuid(0) }
        }
        for hotel in hotels { try numberPendingFeed(of: hotel) }
    }

    private func transaction<T>(_ begin: String, writing: Bool = false, _ body: (PostgresSession) throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try pool.withConnection { session in
                    session.pendingFeed.withLock { $0.removeAll() }
                    session.locksBookingsRead.store(writing, ordering: .relaxed)
                    defer {
                        session.pendingFeed.withLock { $0.removeAll() }
                        session.locksBookingsRead.store(false, ordering: .relaxed)
                    }
                    try session.execute(begin)
                    do {
                        let result = try body(session)
                        try flushFeed(session)
                        try session.execute("COMMIT")
                        return result
                    } catch {
                        do { try session.execute("ROLLBACK") } catch { session.broken.store(true, ordering: .relaxed) }
                        throw error
                    }
                }
            } catch let error as PSQLError where Self.isRetryable(error) && attempt < maximumAttempts {
                attempt += 1
            } catch let error as PSQLError where Self.isRetryable(error) {
                // Answered 503 (busy, try again), not 500: nothing is wrong with the request.
                throw PostgresStoreError.contended(reason: "\(error.sqlState ?? "?") after \(attempt) tries")
            } catch {
                throw Self.translated(error)
            }
        }
    }

    static func isRetryable(_ error: PSQLError) -> Bool {
        error.sqlState == "40001" || error.sqlState == "40P01"
    }

    /// A lock waited for past `lock_timeout` (55P03): not retried, and it ends a booking group.
    static func isLockWaitTooLong(_ error: PSQLError) -> Bool {
        error.sqlState == "55P03"
    }

    /// Domain errors pass unchanged; the database's become `PostgresStoreError`. A lock waited
    /// for past `lock_timeout` (55P03) is contention (503, try again): nothing was written.
    static func translated(_ error: any Error) -> any Error {
        guard let error = error as? PSQLError else { return error }
        if isLockWaitTooLong(error) { return PostgresStoreError.lockWaitTooLong(reason: PostgresPool.reason(error)) }
        return PostgresStoreError.connectionFailure(error) ?? PostgresStoreError.database(message: PostgresPool.reason(error))
    }

    /// Runs `body` in a savepoint: a failure rolls back what it wrote and no more.
    ///
    /// Savepoints nest (a sync push's operation, its edit, the edit's claim) under one name, and
    /// PostgreSQL keeps a savepoint after `ROLLBACK TO` and resolves a name to the newest: without
    /// the `RELEASE` after a rollback, an outer savepoint's rollback went back to the inner one
    /// and undid nothing, committing half an edit whose claim had failed (a room-night sold twice).
    func inSavepoint<T>(_ session: PostgresSession, _ body: () throws -> T) throws -> T {
        try session.execute("SAVEPOINT request")
        let feedBefore = session.pendingFeed.withLock { $0.count }
        do {
            let result = try body()
            try session.execute("RELEASE SAVEPOINT request")
            return result
        } catch {
            // The feed entries go first: whatever becomes of the rollback, none of them is written.
            session.pendingFeed.withLock { $0.removeSubrange(feedBefore...) }
            // A connection given up (lost, or its database turned read-only) takes no rollback:
            // the error that broke it is the one to tell.
            if session.broken.load(ordering: .relaxed) { throw error }
            try session.execute("ROLLBACK TO SAVEPOINT request")
            try session.execute("RELEASE SAVEPOINT request")
            throw error
        }
    }

    // MARK: ChainStorage

    public func hotel(_ id: UUID) -> any HotelStorage { PostgresHotelStorage(chain: self, hotelId: id) }

    /// Groups of a hotel's new bookings written side by side on PostgreSQL, each in its own
    /// transaction and connection (the room-night key decides between them). Two by default: a
    /// second lane takes a group only when a full one (`bookingGathering.atLeast`) waits while
    /// the first holds its own, so an instance alone overlaps one group's write with the next
    /// (+9 to +26 %), and instances sharing the requests do not split them into small groups
    /// (three instances within the noise; a free lane taking whatever arrived cost them a fifth
    /// to a quarter; BENCHMARKS.md, issue 13, sessions 13, 29 and 30). `serve` takes another
    /// number from `FRONTDESK_BOOKING_LANES` (1 to 16).
    public let bookingLanes: Int
    public static let defaultBookingLanes = 2

    /// A lane waits up to 2 ms to fill a group of 8 while as many are booking at once, of 5
    /// while other instances write the hotel too: a group is two statements and a commit
    /// whatever its size, and three instances sharing two cores wrote groups of 2-3 where one
    /// instance writes 8 (BENCHMARKS.md, issue 13, session 29). Alone, groups of 8 took less of
    /// PostgreSQL a booking than groups of 5 and booked more in five interleaved pairs (+2 to
    /// +48 %, in the machine's swings); three instances, each seeing 5-6 of the callers, booked
    /// 6-16 % less waiting for 8 (session 32). `serve` takes another
    /// size, for both, from `FRONTDESK_BOOKING_GATHER` (1, no waiting, to 64).
    public let bookingGathering: BookingIntake.Gathering
    public static let defaultBookingGathering = BookingIntake.Gathering(atLeast: 8, whileShared: 5)

    /// The `application_name` of this storage's connections. A server instance's is
    /// `serverInstancePrefix` and an id of its own (`serverInstanceName()`); other uses (the
    /// command line, tests) keep "frontdesk" and are not counted as writers by instances.
    public let instanceName: String
    public static let serverInstancePrefix = "frontdesk-server "
    public static func serverInstanceName() -> String { serverInstancePrefix + UUID().uuidString.lowercased() }
    private let otherWriters = Atomic<Int>(0)

    /// A second booking lane of an instance alone overlaps its groups (+9 to +26 %); with other
    /// instances writing too, each instance's second lane made every group smaller and cost a
    /// tenth (BENCHMARKS.md, issue 13, session 31), so it stays idle while they are there.
    public var sharedWithOtherWriters: Bool { otherWriters.load(ordering: .relaxed) > 0 }

    /// The other server instances (connections named `serverInstancePrefix`..., not this one's)
    /// connected to this database now; the server counts every few seconds (`WriterCensusService`).
    @discardableResult
    public func countOtherWriters() throws -> Int {
        let count = try read { session in
            try session.rows("""
                SELECT count(DISTINCT application_name)::int8 FROM pg_stat_activity
                WHERE datname = current_database() AND starts_with(application_name, $1) AND application_name <> $2
                """, [Self.serverInstancePrefix, instanceName])
                .first.map { try ColumnReader($0, table: "pg_stat_activity").int64(0) } ?? 0
        }
        otherWriters.store(Int(count), ordering: .relaxed)
        return Int(count)
    }

    /// Seconds this process's clock is ahead of the database server's (negative: behind), read at
    /// the middle of one round trip. Every instance sets holds' deadlines and card calls' leases
    /// by its own clock and compares them with what other instances wrote by theirs.
    public func clockAheadOfDatabase() throws -> TimeInterval {
        try read { session in
            let asked = clock()
            let answer = try session.rows("SELECT clock_timestamp()").first
                .map { try ColumnReader($0, table: "clock_timestamp").decode(0, Date.self) }
            let answered = clock()
            guard let answer else { throw PostgresStoreError.damaged("clock_timestamp() gave no row") }
            return asked.addingTimeInterval(answered.timeIntervalSince(asked) / 2).timeIntervalSince(answer)
        }
    }

    /// What `serve` does about a clock `seconds` ahead of the database's (negative: behind): nil
    /// within 2 s; a warning up to a minute (holds end that much early or late on this instance);
    /// beyond, a refusal: a claim on a card call (a 120 s lease) would be taken from a live runner.
    public static func clockProblem(aheadBy seconds: TimeInterval) -> (refuse: Bool, words: String)? {
        let size = abs(seconds)
        guard size > 2 else { return nil }
        let words = "this machine's clock is \(Int(size.rounded())) s \(seconds > 0 ? "ahead of" : "behind") the database server's"
        return size > 60
            ? (true, words + "; set both clocks right (NTP) before serving: instances compare holds' deadlines and payment claims by their own clocks")
            : (false, words + "; holds end that much early or late on this instance")
    }

    public func hotels() throws -> [Hotel] {
        try read { session in
            try session.rows("SELECT \(Self.hotelColumns) FROM hotel ORDER BY name, id").map(Self.hotel(from:))
        }
    }

    public func addChainHotel(name: String, timeZone: String, currency: String, by user: String) throws -> Hotel {
        try Hotel.validate(name: name, timeZoneIdentifier: timeZone, currency: currency)
        let hotel = Hotel(id: UUID(), name: name.trimmingCharacters(in: .whitespaces), timeZoneIdentifier: timeZone, currency: currency)
        return try write(hotel: nil) { session in
            try insertHotel(hotel, session)
            try audit(session, hotelId: hotel.id, user: user, action: "hotel.created", summary: "Hotel \(hotel.name) created")
            return hotel
        }
    }

    public func booking(_ reference: String) throws -> Booking {
        try read { session in try requireBooking(reference, hotelId: nil, session) }
    }

    public func room(id: UUID) throws -> RoomListing? {
        try read { session in try fetchRooms(session, hotelId: nil, condition: "r.id = $1", [id]).first }
    }

    public static let maximumUserNameLength = UserAccountRules.maximumNameLength

    public func addUser(name: String, role: UserRole, email: String, hotelId: UUID?, passwordHash: String, by user: String) throws -> UserAccount {
        let trimmed = try UserAccountRules.validatedName(name, role: role, email: email, hotelId: hotelId)
        return try write(hotel: nil) { session in
            try addUser(UserAccount(name: trimmed, role: role, email: email, hotelId: hotelId, passwordHash: passwordHash, isDisabled: false),
                        by: user, session)
        }
    }

    /// `addUser` in the caller's transaction, its name already validated (an import adds its
    /// hotel's users with the hotel).
    @discardableResult
    func addUser(_ account: UserAccount, by user: String, _ session: PostgresSession) throws -> UserAccount {
        if let hotelId = account.hotelId, try session.rows("SELECT 1 FROM hotel WHERE id = $1", [hotelId]).isEmpty {
            throw FrontDeskError.notFound("No hotel with id \(hotelId.uuidString.lowercased())")
        }
        if try !session.rows("SELECT 1 FROM server_user WHERE lower(name) = lower($1)", [account.name]).isEmpty {
            throw FrontDeskError.conflict("A user named \(account.name) already exists")
        }
        try inSavepoint(session) {
            do {
                try session.execute("""
                    INSERT INTO server_user (name, role, email, hotel_id, password_hash, created_at, disabled_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7)
                    """, [account.name, account.role.rawValue, account.email, account.hotelId, account.passwordHash, now, account.disabledAt])
            } catch let error as PSQLError where error.sqlState == "23505" {
                throw FrontDeskError.conflict("A user named \(account.name) already exists")
            }
        }
        try audit(session, hotelId: account.hotelId, user: user, action: "user.added",
                  summary: "User \(account.name) added as \(account.role.rawValue)")
        return account
    }

    public func userAccount(named name: String) throws -> UserAccount? {
        try readOne { session in
            try session.rows("""
                SELECT \(Self.accountColumns) FROM server_user WHERE lower(name) = lower($1)
                """, [name]).first.map(Self.account(from:))
        }
    }

    /// A disabled user can no longer get a token; tokens already issued stop at their next check
    /// (`serve --account-recheck`, on every instance).
    public func updateUser(named name: String, disabled: Bool?, passwordHash: String?, by user: String) throws -> UserAccount {
        try write(hotel: nil) { session in
            if disabled == true {
                // Two admins disabled at once, each counting the other as active, would leave none
                // (READ COMMITTED): the active admins are locked first, in the order of their names,
                // so such changes take turns (and never deadlock), and the count below sees the
                // one before it committed.
                try session.rows("SELECT name FROM server_user WHERE role = 'admin' AND NOT is_disabled ORDER BY lower(name) FOR UPDATE")
            }
            guard let before = try session.rows("""
                SELECT \(Self.accountColumns) FROM server_user WHERE lower(name) = lower($1) FOR UPDATE
                """, [name]).first.map(Self.account(from:)) else {
                throw FrontDeskError.notFound("No user named \(BookingRules.quoted(name))")
            }
            try UserAccount.refuseDisablingLastActiveAdmin(before, disabled: disabled) {
                guard let row = try session.rows("""
                    SELECT count(*)::int8 FROM server_user WHERE role = 'admin' AND NOT is_disabled AND name <> $1
                    """, [before.name]).first else { return 0 }
                return try ColumnReader(row, table: "server_user").int(0)
            }
            let after = before.changed(disabled: disabled, passwordHash: passwordHash, at: now)
            try session.execute("UPDATE server_user SET is_disabled = $2, password_hash = $3, disabled_at = $4 WHERE name = $1",
                                [before.name, after.isDisabled, after.passwordHash, after.disabledAt])
            for (action, summary) in UserAccount.changeAudits(before, disabled: disabled, passwordHash: passwordHash) {
                try audit(session, hotelId: before.hotelId, user: user, action: action, summary: summary)
            }
            return after
        }
    }

    public func sagaCounts() throws -> (underWay: Int, needingAttention: Int) {
        try readOne { session in
            let row = try session.rows("""
                SELECT (SELECT count(*) FROM (SELECT id FROM booking WHERE status IN ('Reserving', 'ProcessingPayment')
                                              UNION SELECT booking_id FROM saga_message) t)::int8,
                       (SELECT count(*) FROM saga WHERE attention IS NOT NULL)::int8
                """)
            guard let first = row.first else { return (0, 0) }
            let columns = ColumnReader(first, table: "saga")
            return (try columns.int(0), try columns.int(1))
        }
    }

    public func cardRefundsWaiting() throws -> Int {
        try readOne { session in
            let rows = try session.rows("""
                SELECT count(*)::int8 FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id
                WHERE m.name = 'ProcessRefund' AND s.payment_method = 'card'
                """)
            guard let first = rows.first else { return 0 }
            return try ColumnReader(first, table: "saga_message").int(0)
        }
    }

    /// Drops changes recorded before `cutoff` in every hotel, keeping each hotel's newest; numbers
    /// are never reused anyway (`hotel_clock.feed_seq` only grows).
    @discardableResult
    public func pruneFeed(before cutoff: Date) throws -> Int {
        // What is pending is numbered first: a hotel's newest entry may be one of them.
        try numberEveryPendingFeed()
        return try write(hotel: nil) { session in
            try session.execute("""
                DELETE FROM change_feed c
                WHERE c.at < $1 AND c.seq < (SELECT MAX(newest.seq) FROM change_feed newest WHERE newest.hotel_id = c.hotel_id)
                """, [cutoff])
        }
    }

    // MARK: Shared reads and writes

    static let hotelColumns = "id, name, time_zone, currency, hold_minutes::int8, no_show_cutoff_hour::int8, no_show_fee"

    static func hotel(from row: PostgresRow) throws -> Hotel {
        try hotel(ColumnReader(row, table: "hotel"), at: 0)
    }

    /// The hotel in `hotelColumns` from column `first` on.
    static func hotel(_ columns: ColumnReader, at first: Int) throws -> Hotel {
        let feeText = try columns.text(first + 6)
        guard let fee = NoShowPolicy.Fee(rawValue: feeText) else {
            throw PostgresStoreError.damaged("hotel: no_show_fee \"\(feeText)\" is not first_night or none")
        }
        return Hotel(id: try columns.uuid(first), name: try columns.text(first + 1), timeZoneIdentifier: try columns.text(first + 2),
                     currency: try columns.text(first + 3), holdMinutes: try columns.int(first + 4),
                     noShowPolicy: NoShowPolicy(cutoffHour: try columns.int(first + 5), fee: fee))
    }

    /// Named: every booking group reads its hotel (`GroupReads`).
    func fetchHotel(_ id: UUID, _ session: PostgresSession) throws -> Hotel? {
        try session.rows(HotelById.self, [id]).first.map(Self.hotel(from:))
    }

    private enum HotelById: NamedStatement {
        static let name = "frontdesk_hotel_by_id"
        static let sql = "SELECT \(hotelColumns) FROM hotel WHERE id = $1::uuid"
    }

    func requireHotel(_ id: UUID, _ session: PostgresSession) throws -> Hotel {
        guard let hotel = try fetchHotel(id, session) else { throw FrontDeskError.notFound("No such hotel") }
        return hotel
    }

    func audit(_ session: PostgresSession, hotelId: UUID?, user: String, action: String, bookingId: UUID? = nil, roomId: UUID? = nil,
               summary: String, before: Booking? = nil, after: Booking? = nil) throws {
        try audit(session, hotelId: hotelId, user: user, action: action, bookingId: bookingId, roomId: roomId, summary: summary,
                  beforeText: before?.renderedJSON(), afterText: after?.renderedJSON())
    }

    /// One audit entry, for writing several in one statement (`insertAudits`, `auditInsert`).
    struct AuditRow {
        let at: Date
        let user: String
        let action: String
        let hotelId: UUID?
        let bookingId: UUID?
        var roomId: UUID? = nil
        let summary: String
        var before: Booking? = nil
        var after: Booking? = nil
    }

    /// Writes `rows` in one statement, in their order.
    func insertAudits(_ rows: [AuditRow], _ session: PostgresSession) throws {
        try session.execute(Self.auditInsert(firstParameter: 1), Self.auditValues(rows))
    }

    /// An `INSERT` of audit rows from the nine arrays bound at `$first` and on (`auditValues`):
    /// one round trip for any number of entries, ids given in the arrays' order.
    static func auditInsert(firstParameter first: Int) -> String {
        let p = (0..<9).map { "$\(first + $0)" }
        return """
            INSERT INTO audit_entry (at, user_name, action, hotel_id, booking_id, room_id, summary, before_state, after_state)
            SELECT a.at, a.user_name, a.action, NULLIF(a.hotel_id, '')::uuid, NULLIF(a.booking_id, '')::uuid, NULLIF(a.room_id, '')::uuid,
                   a.summary, NULLIF(a.before_state, ''), NULLIF(a.after_state, '')
            FROM unnest(\(p[0])::timestamptz[], \(p[1])::text[], \(p[2])::text[], \(p[3])::text[], \(p[4])::text[], \(p[5])::text[],
                        \(p[6])::text[], \(p[7])::text[], \(p[8])::text[])
                 WITH ORDINALITY AS a(at, user_name, action, hotel_id, booking_id, room_id, summary, before_state, after_state, ord)
            ORDER BY a.ord
            """
    }

    /// The nine arrays of `auditInsert` (an absent id or state is '', never a real value).
    static func auditValues(_ rows: [AuditRow]) -> [SQLValue] {
        // A booking's steps follow each other (held, paying, confirmed): a row's state before is
        // the row before's state after, rendered once for both.
        var lastRendered: (booking: Booking, json: String)?
        func rendered(_ booking: Booking?) -> String {
            guard let booking else { return "" }
            if let lastRendered, lastRendered.booking == booking { return lastRendered.json }
            let json = booking.renderedJSON()
            lastRendered = (booking, json)
            return json
        }
        var before: [String] = [], after: [String] = []
        for row in rows {
            before.append(rendered(row.before))
            after.append(rendered(row.after))
        }
        return [rows.map(\.at), rows.map(\.user), rows.map(\.action), rows.map { $0.hotelId.map(SyncWire.uppercaseText) ?? "" },
                rows.map { $0.bookingId.map(SyncWire.uppercaseText) ?? "" }, rows.map { $0.roomId.map(SyncWire.uppercaseText) ?? "" },
                rows.map(\.summary), before, after]
    }

    func audit(_ session: PostgresSession, hotelId: UUID?, user: String, action: String, bookingId: UUID?, roomId: UUID?,
               summary: String, beforeText: String?, afterText: String?) throws {
        try session.execute("""
            INSERT INTO audit_entry (at, user_name, action, hotel_id, booking_id, room_id, summary, before_state, after_state)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, [now, user, action, hotelId, bookingId, roomId, summary, beforeText, afterText])
    }

    /// Appends one change to the hotel's feed; it is numbered with the hotel's next number when
    /// the transaction ends (`flushFeed`).
    func appendFeed(_ session: PostgresSession, hotelId: UUID, event: String, bookingId: UUID?, roomId: UUID?,
                    data: JSONValue, at instant: Date) throws {
        let entry = PendingFeedEntry(hotelId: hotelId, event: event, bookingId: bookingId, roomId: roomId,
                                     data: data.rendered(), at: instant)
        session.pendingFeed.withLock { $0.append(entry) }
    }

    /// Numbers and writes the transaction's feed changes, one statement per hotel, in the order
    /// they were made, after what group commits left pending of the hotel (schema v12). The
    /// statement locks the hotel's counter until the commit, so the next transaction's numbers are
    /// higher and become visible later.
    func flushFeed(_ session: PostgresSession) throws {
        let pending = session.pendingFeed.withLock { entries in
            defer { entries.removeAll() }
            return entries
        }
        var hotels: [UUID] = []
        for entry in pending where !hotels.contains(entry.hotelId) { hotels.append(entry.hotelId) }
        for hotel in hotels {
            try session.rows(FeedAppend.self, [hotel] + Self.feedValues(pending.filter { $0.hotelId == hotel }))
        }
    }

    /// Named: every write with feed entries ends with it (`flushFeed`).
    private enum FeedAppend: NamedStatement {
        static let name = "frontdesk_feed_append"
        static let sql = "SELECT append_feed($1::uuid, $2, $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[])"
    }

    /// Numbers the feed entries group commits left pending for `hotelId` (schema v12), in their
    /// own transaction, so a read of the feed that starts after it sees them. Every reader of a
    /// hotel's feed calls it first; inside `inOneSnapshot` it does nothing (the snapshot is taken:
    /// `latestSequence` refuses a snapshot with the hotel's entries pending instead).
    func numberPendingFeed(of hotelId: UUID) throws {
        if let snapshot = PostgresSnapshot.current, snapshot.pool == ObjectIdentifier(pool) { return }
        _ = try readOne { session in try session.rows(NumberPendingFeed.self, [hotelId]) }
    }

    private enum NumberPendingFeed: NamedStatement {
        static let name = "frontdesk_number_pending_feed"
        static let sql = "SELECT number_pending_feed($1::uuid)"
    }

    /// The six values of `append_feed` after its hotel: how many entries, then their arrays.
    static func feedValues(_ entries: [PendingFeedEntry]) -> [SQLValue] {
        [Int64(entries.count), entries.map(\.event), entries.map { $0.bookingId.map(SyncWire.uppercaseText) ?? "" },
         entries.map { $0.roomId.map(SyncWire.uppercaseText) ?? "" }, entries.map(\.data),
         entries.map(\.atMilliseconds)]
    }

    // MARK: Rooms

    static let roomColumns = """
        SELECT r.id, r.hotel_id, r.room_type_id, r.number, r.is_active,
               t.id, t.hotel_id, t.name, t.capacity::int8, t.base_price_cents
        FROM room r JOIN room_type t ON t.id = r.room_type_id
        """

    /// Rooms matching `condition` (with `$1`… its values), of `hotelId` when given, in room-number order.
    func fetchRooms(_ session: PostgresSession, hotelId: UUID?, condition: String, _ values: [SQLValue]) throws -> [RoomListing] {
        var sql = Self.roomColumns + " WHERE " + condition
        var values = values
        if let hotelId {
            values.append(hotelId)
            sql += " AND r.hotel_id = $\(values.count)"
        }
        var types: [UUID: RoomType] = [:]
        return try session.rows(sql, values).map { row in
            let columns = ColumnReader(row, table: "room")
            let typeId = try columns.uuid(5)
            let type: RoomType
            if let known = types[typeId] {
                type = known
            } else {
                type = try Self.roomType(columns, at: 5)
                types[typeId] = type
            }
            let room = Room(id: try columns.uuid(0), hotelId: try columns.uuid(1), roomTypeId: typeId,
                            number: try columns.text(3), isActive: try columns.bool(4))
            return (listing: RoomListing(room: room, type: type), key: RoomNumberOrder.Key(room.number))
        }.sorted { $0.key < $1.key }.map(\.listing)
    }

    /// Columns id, hotel_id, name, capacity, base_price_cents from `first` on.
    static func roomType(_ columns: ColumnReader, at first: Int) throws -> RoomType {
        let cents = try columns.int64(first + 4)
        return RoomType(id: try columns.uuid(first), hotelId: try columns.uuid(first + 1), name: try columns.text(first + 2),
                        capacity: try columns.int(first + 3), basePricePerNight: Money(minorUnits: cents))
    }

    // MARK: Bookings

    static let bookingColumns = """
        SELECT b.id, b.hotel_id, b.room_id, r.number, b.confirmation_code, b.guest_name, b.guest_email, b.guest_phone,
               b.guest_count::int8, b.check_in::text, b.check_out::text, b.status, b.version::int8, b.hold_expires_at,
               b.status_reason, b.created_at, b.updated_at,
               (SELECT string_agg(n.night::text || '=' || n.price_cents::text, ',' ORDER BY n.night)
                FROM booking_night n WHERE n.booking_id = b.id),
               b.checked_in_on::text, b.checked_out_on::text, b.room_since::text,
               (SELECT string_agg((extract(epoch FROM t.at) * 1000)::int8::text || chr(31) || t.by_user || chr(31) || t.text,
                                  chr(30) ORDER BY t.seq)
                FROM booking_note t WHERE t.booking_id = b.id)
        FROM booking b JOIN room r ON r.id = b.room_id
        """

    /// Bookings matching `clause`; in a write transaction they stay locked until it ends.
    func fetchBookings(_ session: PostgresSession, _ clause: String, _ values: [SQLValue]) throws -> [Booking] {
        let lock = session.locksBookingsRead.load(ordering: .relaxed) ? " FOR UPDATE OF b" : ""
        return try session.rows(Self.bookingColumns + " WHERE " + clause + lock, values).map(Self.booking(from:))
    }

    static func booking(from row: PostgresRow) throws -> Booking {
        let columns = ColumnReader(row, table: "booking")
        func date(_ index: Int) throws -> CalendarDate {
            let text = try columns.text(index)
            guard let date = CalendarDate(iso: text) else { throw PostgresStoreError.damaged("booking: \(text) is not a date") }
            return date
        }
        func optionalDate(_ index: Int) throws -> CalendarDate? {
            guard let text = try columns.optionalText(index) else { return nil }
            guard let date = CalendarDate(iso: text) else { throw PostgresStoreError.damaged("booking: \(text) is not a date") }
            return date
        }
        var prices: [NightlyPrice] = []
        for pair in (try columns.optionalText(17) ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let night = CalendarDate(iso: parts[0]), let cents = Int64(parts[1]) else {
                throw PostgresStoreError.damaged("booking_night: \(pair) is not a night and its price")
            }
            prices.append(NightlyPrice(night: night, price: Money(minorUnits: cents)))
        }
        let id = try columns.uuid(0)
        guard let stay = StayDates(checkIn: try date(9), checkOut: try date(10)) else {
            throw PostgresStoreError.damaged("booking \(id): check_out is not after check_in")
        }
        let statusText = try columns.text(11)
        guard let status = BookingStatus(rawValue: statusText) else {
            throw PostgresStoreError.damaged("booking \(id): status \(statusText) is not a status")
        }
        var notes: [BookingNote] = []
        for entry in (try columns.optionalText(21) ?? "").split(separator: "\u{1E}") {
            // Each entry is `milliseconds US by US text` of one booking_note row, oldest first.
            let parts = entry.split(separator: "\u{1F}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let milliseconds = Int64(parts[0]) else {
                throw PostgresStoreError.damaged("booking_note of booking \(id): \(entry) is not a note")
            }
            notes.append(BookingNote(at: Date(timeIntervalSince1970: Double(milliseconds) / 1000), by: parts[1], text: parts[2]))
        }
        return Booking(
            id: id, hotelId: try columns.uuid(1), roomId: try columns.uuid(2), roomNumber: try columns.text(3),
            confirmationCode: try columns.text(4),
            guest: Guest(name: try columns.text(5), email: try columns.text(6), phone: try columns.optionalText(7)),
            guestCount: try columns.int(8), stay: stay, status: status, nightlyPrices: prices, version: try columns.int(12),
            holdExpiresAt: try columns.optionalInstant(13), statusReason: try columns.optionalText(14),
            createdAt: try columns.instant(15), updatedAt: try columns.instant(16), notes: notes,
            checkedInOn: try optionalDate(18), checkedOutOn: try optionalDate(19), roomSince: try optionalDate(20))
    }

    /// By id or confirmation code, of `hotelId` when given.
    func requireBooking(_ reference: String, hotelId: UUID?, _ session: PostgresSession) throws -> Booking {
        let trimmed = reference.trimmingWhitespace()
        try BookingRules.checkReference(trimmed)
        var found: Booking?
        let scope = hotelId == nil ? "" : " AND b.hotel_id = $2"
        let scopeValues: [SQLValue] = hotelId.map { [$0] } ?? []
        if let id = UUID(uuidString: trimmed) {
            found = try fetchBookings(session, "b.id = $1" + scope, [id] + scopeValues).first
        } else if let code = ConfirmationCode.normalized(trimmed) {
            found = try fetchBookings(session, "b.confirmation_code = $1" + scope, [code] + scopeValues).first
        }
        guard let found else {
            throw FrontDeskError.notFound("No booking with id or confirmation code \(BookingRules.quoted(trimmed))")
        }
        return found
    }
}

/// The transaction `inOneSnapshot` holds open, found by the reads made inside it (a task local,
/// bound to the thread that runs `body`); `pool` tells this database's storages from another's.
struct PostgresSnapshot: Sendable {
    let pool: ObjectIdentifier
    let session: PostgresSession
    @TaskLocal static var current: PostgresSnapshot?
}
