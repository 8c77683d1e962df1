import Foundation
import FrontDeskDomain
import GRDB
import GRDBSQLite
import Synchronization

/// The desk's database: one SQLite file, one facade whose methods name what the desk does.
///
/// Every write runs in one `BEGIN IMMEDIATE` transaction, so two processes on the same file take
/// turns and the loser of a race sees the winner's rows. Nothing is cached: every answer comes
/// from the file, so no screen can show a booked room as free.
public final class FrontDeskStore: Sendable {
    /// A `DatabasePool` (the desk, the server: reads while a write goes on), or, for a command
    /// line process that runs one command, one connection (`DatabaseQueue`): see `init`.
    let pool: any DatabaseWriter
    public let path: String
    let clock: @Sendable () -> Date
    let businessDateOverride: CalendarDate?
    /// The instant a pushed operation was made (`onBusinessDate(_:madeAt:)`): the hour its rules
    /// are judged at where the hour matters (`Hotel.nightUnderWay`). Nil: now.
    let ruleInstant: Date?
    let pricing: PricingPolicy
    let shared: StoreShared
    /// Which hotel the calls are about: the desk's own file holds one; a server's holds a chain,
    /// and each request works through `scoped(to:)`.
    public let scope: HotelScope

    /// Opens the database at `path` for what the caller does with it (`access`), and migrates it
    /// when the caller may write. Before anything is written the file is checked: a file that is
    /// not a Front Desk database, or one written by a newer Front Desk, is refused untouched.
    /// - Parameters:
    ///   - access: `.create` (the default) makes the file (0600) and its folders (0700) when
    ///     missing; `.write` needs an existing database; `.read` opens it read-only.
    ///   - clock: now; tests inject a fixed or stepping clock.
    ///   - businessDate: overrides the hotel's business date (training mode, `FRONTDESK_TODAY`).
    ///   - random: source of confirmation codes.
    ///   - oneConnection: a command-line process that runs one command: the file is opened once,
    ///     not as a pool of a writer and readers. An up-to-date file is read through the very
    ///     connection that checked it (`.read`), or changed through one read-write connection;
    ///     a file to create or upgrade still goes the pool's way.
    public init(
        path: String,
        access: StoreAccess = .create,
        oneConnection: Bool = false,
        clock: @escaping @Sendable () -> Date = { Date() },
        businessDate: CalendarDate? = nil,
        random: any RandomNumberGenerator & Sendable = BufferedSystemRandom(),
        pricing: PricingPolicy = .standard
    ) throws(StoreError) {
        SQLiteProcessSettings.ensure()
        self.path = path
        self.clock = clock
        businessDateOverride = businessDate
        ruleInstant = nil
        self.pricing = pricing
        let shared = StoreShared(random: random)
        self.shared = shared
        scope = .theOnlyHotel
        // Whichever way the open ends, the file it opened (made now, when it was missing).
        defer { shared.openedFile.withLock { $0 = FileIdentity(path: path) } }
        let file = DatabaseFile(path: path)
        if oneConnection && access != .read,
           let connection = file.openUpToDateForWriting(configuration: Self.configuration(readOnly: false, syncEveryCommit: false)) {
            // An up-to-date file with no log to replay: checked through the one connection that then changes it.
            pool = Self.withoutStatementAuthorizer(connection)
            return
        }
        let (state, readOnlyLocation, checked) = try file.inspect(keepOpen: oneConnection && access == .read)
        if let checked, case .frontDesk(pending: 0) = state {
            // Only reads, and nothing to upgrade: the connection that checked the file is the store's.
            pool = Self.withoutStatementAuthorizer(checked)
            return
        }
        var readOnly = access == .read
        // An up-to-date file is opened without touching the migrator or the write lock.
        var needsUpgrade = true
        switch state {
        case .missing(let reason):
            guard access == .create else { throw StoreError.noDatabase(path: path, reason: reason) }
            try file.createPrivately()
            guard file.canWrite else { throw StoreError.readOnly(path: path, reason: file.whyReadOnly) }
        case .frontDesk(let pending):
            needsUpgrade = pending > 0
            if access != .read || pending > 0 {
                guard file.canWrite else {
                    // An older file cannot be read either until it is upgraded: a write refused
                    // on it must not say that reading commands still work.
                    if access == .read || pending > 0 {
                        throw StoreError.mustWriteBeforeReading(
                            path: path, reason: "it was written by an older Front Desk and must be upgraded first, which needs writing to it, "
                                + "but \(file.whyReadOnly); open it once where it can be written to")
                    }
                    throw StoreError.readOnly(path: path, reason: file.whyReadOnly)
                }
                readOnly = false
            }
        }
        let configuration = Self.configuration(readOnly: readOnly)
        do {
            if oneConnection && !readOnly && !needsUpgrade {
                // An existing, up-to-date file (already in WAL mode, which the file keeps): one
                // read-write connection, which writes nothing at open (GRDB's WAL set-up for a
                // pool creates and drops a table when the log is empty).
                pool = try DatabaseQueue(path: path, configuration: Self.configuration(readOnly: false, syncEveryCommit: false))
                return
            }
            pool = try DatabasePool(path: readOnly ? readOnlyLocation : path, configuration: configuration)
            if !readOnly {
                // GRDB's WAL set-up of the pool's writer runs after `prepareDatabase` and sets
                // NORMAL: a commit would then reach the disk only at the next checkpoint. Every
                // commit of the desk and the server is synced (a confirmed booking survives a
                // power cut), so the writer is set back to FULL once it is open.
                try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            }
            if !readOnly && needsUpgrade {
                try Self.upgrade(pool)
                try pool.write { db in
                    if try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0 < Schema.version {
                        try db.execute(sql: "PRAGMA user_version = \(Schema.version)")
                    }
                }
            }
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// Brings an older file up to date. Another process may be upgrading the same file at the
    /// same moment (a desk and a command, a server started beside one): GRDB reads which
    /// migrations are applied once, before its first write, so the later of two ran one the other
    /// had just made ("table night_sales already exists") and the command or the server stopped.
    /// Each migration is its own transaction, so the file is whole: while another process moves
    /// it on, the upgrade is tried again from what is applied now.
    static func upgrade(_ pool: any DatabaseWriter) throws {
        var tries = 0
        while true {
            // Read through the writer's connection: the upgrade opens no reader of its own.
            let before = try pool.writeWithoutTransaction { db in try Schema.migrator.appliedIdentifiers(db) }
            do {
                try Schema.migrator.migrate(pool)
                return
            } catch let error as DatabaseError {
                tries += 1
                let after = try pool.writeWithoutTransaction { db in try Schema.migrator.appliedIdentifiers(db) }
                let movedOnElsewhere = !after.isSubset(of: before)
                guard movedOnElsewhere, tries < 20 else { throw error }
            }
        }
    }

    /// The one connection of a one-command process, made to compile its statements without
    /// GRDB's statement authorizer. GRDB sets one on every connection to learn what each statement
    /// reads and changes, for transaction observers and value observation, which such a process
    /// never has: it opens the file, runs one command and exits. SQLite calls the authorizer for
    /// every column a statement reads, its triggers' included, and GRDB merges each into a region:
    /// 28 % of a desk-paid booking's instructions, 5 % of a search's (BENCHMARKS.md, session 20).
    /// What GRDB then does not learn: statements' regions and changes (observation only), their
    /// transaction effects (savepoint bookkeeping for observers; GRDB checks transactions with
    /// `sqlite3_get_autocommit`), and schema changes (the store reads no schema through GRDB,
    /// and SQLite prepares a statement again itself after one). The long-lived desk and server
    /// keep the authorizer. Taken off once the file is checked, before the command's statements.
    /// So such a connection must never get observers, `afterNextTransaction` or GRDB schema
    /// reads after DDL of its own (the replica's bulk load clears GRDB's schema cache itself).
    static func withoutStatementAuthorizer(_ connection: DatabaseQueue) -> DatabaseQueue {
        connection.inDatabase { db in _ = sqlite3_set_authorizer(db.sqliteConnection, nil, nil) }
        return connection
    }

    /// Closes the file now (a written file's log is copied into it, as on every close); the
    /// store answers no more calls. For a process about to end, which then need not free the
    /// store (GRDB's clean-up on freeing starts Foundation's notification centre).
    ///
    /// The read-only connections close first, the writer last: SQLite copies the log into the
    /// file and removes (or empties) it only when the connection that closes is the file's last
    /// one and may write. GRDB's `DatabasePool.close()` closes its writer before its readers, so
    /// a pool that had read (`frontdesk demo` asks for the hotel before importing) left its whole
    /// log beside the file (278 MB after a 500-room, 3-year demo).
    public func close() throws {
        shared.checkpointer.withLock { $0?.stop() }
        shared.stampReaders.withLock { $0.removeAll() }
        // Closes the pool's readers (when no read is under way) and keeps the writer open.
        (pool as? DatabasePool)?.releaseMemory()
        do { try pool.close() } catch let error as DatabaseError { throw StoreError.from(error, path: path) }
    }

    /// How the store's connections are opened. `syncEveryCommit: false` is for a one-connection
    /// command, which syncs its log once, with `syncLog()`, before it says what it did.
    static func configuration(readOnly: Bool, syncEveryCommit: Bool = true) -> Configuration {
        SQLiteProcessSettings.ensure()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.readonly = readOnly
        // A second desk or command holding the write lock is waited for, not reported as an error.
        configuration.busyMode = .timeout(15)
        configuration.prepareDatabase { db in try Self.prepare(db, syncEveryCommit: syncEveryCommit) }
        return configuration
    }

    /// Makes every commit so far survive a power cut, for a store that does not sync each commit
    /// (a one-connection command): the write-ahead log, where commits go, is synced once. A
    /// command calls it before it prints what it did; a commit not yet synced when the power
    /// goes is lost whole, as if it had not been made, and was never reported.
    ///
    /// A missing or empty log holds nothing to sync: SQLite empties or deletes a log only after a
    /// checkpoint copied all of it into the file and synced the file (a one-connection command's
    /// close does that when no other connection has the file open). A command therefore closes
    /// its store first and syncs after, one sync fewer when its close checkpointed.
    public func syncLog() throws {
        var log = stat()
        guard stat(path + "-wal", &log) == 0, log.st_size > 0 else { return }
        if let failure = syncData(ofFile: path + "-wal") {
            throw StoreError.database(message: "syncing \(path)-wal: \(failure)")
        }
    }

    /// What every connection of the store sets first.
    /// `frontdesk_lower(text)`: lowercased as Swift (and PostgreSQL under ICU) do it, every
    /// script. SQLite's own `lower` and `LIKE` fold ASCII only: a guest search for "Ångström"
    /// missed "Zoë Ångström".
    static let unicodeLower = DatabaseFunction("frontdesk_lower", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0])?.lowercased()
    }

    static func prepare(_ db: Database, syncEveryCommit: Bool = true) throws {
        db.add(function: unicodeLower)
        // A confirmed booking must survive a power cut: FULL syncs the WAL on every commit. A
        // one-connection command syncs the log once instead, before it reports (`syncLog`);
        // NORMAL keeps the log consistent (a power cut loses whole unsynced commits only).
        try db.run(sql: syncEveryCommit ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        if !syncEveryCommit && !db.configuration.readonly {
            // A one-connection command keeps the log and its index between processes: its close
            // (after the checkpoint that copies the log in) empties the log instead of deleting
            // it and its index, so the next command does not create them again and no unlink
            // waits on the disk. The folder then looks as after a read.
            try db.run(sql: "PRAGMA journal_size_limit = 0")
            var persist: Int32 = 1
            guard sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist) == SQLITE_OK else {
                throw StoreError.database(message: "cannot keep the write-ahead log of \(db.description)")
            }
        }
        if !db.configuration.readonly {
            // A booking's statements (16 triggers) can spill their statement journal past 64 kB
            // into a temporary file, made and unlinked in /var/tmp on the way (`strace`: up to
            // 5 ms for the unlink on a busy disk). It only undoes a failed statement within the
            // process, so memory does: nothing of it is needed after a crash or a power cut.
            // The server's group commit keeps each booking of a group in a savepoint, whose
            // journal went to that file too: 15 page writes a booking (`strace`, issue 11).
            try db.run(sql: "PRAGMA temp_store = MEMORY")
            // The writer's page cache: SQLite's default (2 MB) is smaller than what one sync push
            // (500 bookings) or a busy group commit changes, so pages were spilled into the log in
            // the middle of the transaction, read back from it and journaled again (9 % and 8 % of
            // a push's time in `perf`, session 8). Filled only as pages are used.
            try db.run(sql: "PRAGMA cache_size = -65536")
            // A card number is cleared once its charge is answered; secure_delete zeroes the
            // bytes it leaves in the page too, so a copy of the file holds no settled card
            // numbers. Debian builds SQLite with it on already; said here so another build keeps it.
            try db.run(sql: "PRAGMA secure_delete = ON")
        }
        // Reads of a years-long booking history come straight from the mapped file instead of
        // a read() per page; SQLite falls back to plain reads where mapping is unavailable.
        try db.run(sql: "PRAGMA mmap_size = 268435456")
    }

    /// The same file, its calls limited to one hotel of the chain: a booking, room or room type of
    /// another hotel is "not found" through it, and lists hold this hotel's rows only.
    public func scoped(to hotelId: UUID) -> FrontDeskStore {
        FrontDeskStore(sharing: self, scope: .hotel(hotelId))
    }

    /// The same file and scope with the hotel's business date taken as `date` (unless the store
    /// already fixes one): a sync push checks an offline desk's booking by the day it was made.
    /// `madeAt`: when the operation was made, the hour its rules are judged at (a check-in made
    /// offline at 00:40 for the night under way, pushed at 09:00).
    func onBusinessDate(_ date: CalendarDate, madeAt: Date? = nil) -> FrontDeskStore {
        FrontDeskStore(sharing: self, scope: scope, businessDate: businessDateOverride ?? date, ruleInstant: madeAt)
    }

    /// The night still under way for `hotel`'s rules now (or when the operation being judged was
    /// made): see `Hotel.nightUnderWay`.
    func nightUnderWay(for hotel: Hotel?, today: CalendarDate) -> CalendarDate? {
        hotel?.nightUnderWay(at: ruleInstant ?? now, businessDate: today)
    }

    /// The night still under way now (`Hotel.nightUnderWay`): before 06:00 hotel time the night
    /// that began the evening before, still on sale; nil by day (and on a business date set from
    /// outside that is not the clock's). For what a command says beside its answer; every write
    /// judges the hour again in its own transaction.
    public func nightUnderWay() throws -> CalendarDate? {
        try read { db in
            let hotel = try fetchHotel(db)
            return nightUnderWay(for: hotel, today: businessDate(for: hotel))
        }
    }

    /// Whether `night` in `booking`'s room is still unsold: no other booking holds it (a guest
    /// gone after midnight keeps the night that guest slept) and no other guest is checked in to
    /// the room. Only then does the advice to take the night under way into the stay hold: the
    /// change it names would be refused otherwise.
    public func nightIsUnsold(_ night: CalendarDate, inRoomOf booking: Booking) throws -> Bool {
        try read { db in
            try !Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM room_night WHERE room_id = ? AND night = ? AND booking_id <> ?)
                    OR EXISTS (SELECT 1 FROM booking WHERE room_id = ? AND status = 'CheckedIn' AND id <> ?)
                """, arguments: [booking.roomId.uuidString, night.iso, booking.id.uuidString,
                                 booking.roomId.uuidString, booking.id.uuidString])!
        }
    }

    /// The night `booking`'s guest arrived for when checked in now, if not `today`'s (`Hotel.nightOfArrival`).
    func nightOfArrival(for booking: Booking, _ hotel: Hotel?, today: CalendarDate) -> CalendarDate? {
        hotel?.nightOfArrival(for: booking, at: ruleInstant ?? now, businessDate: today)
    }

    /// The same, for a stay typed to begin on `checkIn`: nil unless that is before `today`.
    func nightUnderWay(for hotel: Hotel?, today: CalendarDate, checkIn: String?) -> CalendarDate? {
        hotel?.nightUnderWay(forCheckIn: checkIn, at: ruleInstant ?? now, businessDate: today)
    }

    private init(sharing other: FrontDeskStore, scope: HotelScope, businessDate: CalendarDate? = nil, ruleInstant: Date? = nil) {
        pool = other.pool
        path = other.path
        clock = other.clock
        businessDateOverride = businessDate ?? other.businessDateOverride
        self.ruleInstant = ruleInstant ?? other.ruleInstant
        pricing = other.pricing
        shared = other.shared
        self.scope = scope
    }

    /// A desk's commands read "the hotel" of their file unscoped: a booking server's file of
    /// several hotels (`frontdesk-server demo --hotels 2`) mixed them (126 bookings of two
    /// hotels, one room number twice a night), so it is refused, naming what to do instead.
    public func refuseSeveralHotels() throws {
        let hotels = try read { db in try db.value(Int.self, sql: "SELECT COUNT(*) FROM hotel") ?? 0 }
        guard hotels > 1 else { return }
        throw FrontDeskError.invalidState(
            "\(path) holds \(hotels) hotels: it is a booking server's database (frontdesk-server), and a desk works on one hotel's "
                + "file. Connect a desk to that server instead (frontdesk desk connect --server URL --hotel ID), or give --db a desk's file")
    }

    /// `desk connect` on a booking server's own file (its users, or operations desks pushed to
    /// it) turned the server's bookings into a desk's outbox and pushed them to another server,
    /// its card bookings marked as on the server though it never had them: refused.
    public func refuseABookingServersFile() throws {
        let server = try read { db in
            try db.value(Int.self, sql: "SELECT EXISTS (SELECT 1 FROM server_user) OR EXISTS (SELECT 1 FROM sync_operation)") ?? 0
        }
        guard server == 1 else { return }
        throw FrontDeskError.invalidState(
            "\(path) is a booking server's database (it has the server's users or desks' operations): a desk connects with a file "
                + "of its own. Give --db a new file (or leave --db out for the desk's default), and nothing here was changed")
    }

    /// The hotel id a scoped store filters on; nil on a desk's own file, which holds one hotel.
    var scopedHotelId: String? {
        if case .hotel(let id) = scope { id.storedText } else { nil }
    }

    /// ` AND column = ?` with its argument when scoped to one hotel of many; nothing otherwise.
    func hotelCondition(_ column: String) -> (sql: String, arguments: StatementArguments) {
        guard let scopedHotelId else { return ("", []) }
        return (" AND \(column) = ?", [scopedHotelId])
    }

    public var now: Date { clock() }

    /// Runs `body` in one immediate write transaction; domain errors pass through unchanged and
    /// roll the transaction back, so bad input never leaves anything half-written.
    /// Notifications queued by the transaction under way are published once it commits, and
    /// dropped if it rolls back: a screen never hears of a change that did not happen.
    /// `foreignKeys: false` turns the connection's foreign-key checks off for this one
    /// transaction (a bulk load that checks its rows itself; `ReplicaBulkFill`).
    ///
    /// `journalsInOnePiece`: `body` writes bookings (a group commit, a sync push) and never sorts or
    /// keeps a temporary table of any size, so its statement and savepoint journals are kept in
    /// memory in one piece for the transaction (`SQLiteProcessSettings`) instead of 1 kB pieces.
    ///
    /// `keepsRooms`: as for `writeAnnouncingLater`.
    func write<T>(foreignKeys: Bool = true, journalsInOnePiece: Bool = false, keepsRooms: Bool = false,
                  _ body: (Database) throws -> T) throws -> T {
        let (result, announce) = try writeAnnouncingLater(foreignKeys: foreignKeys, journalsInOnePiece: journalsInOnePiece,
                                                          syncingLater: false, keepsRooms: keepsRooms, body)
        announce()
        return result
    }

    /// `write`, handing back what publishes its notifications (and wakes the saga runners) instead
    /// of doing it at once. `syncingLater`: the commit is not synced (`synchronous = NORMAL` for
    /// this transaction): it is durable only once the log is synced (`syncLog`), and the caller
    /// answers and announces nothing of it before then (`reserveAllSyncingLater`).
    ///
    /// `keepsRooms`: `body` writes bookings only (a group commit), so what booking groups keep of
    /// rooms and hotels stays good; any other write makes them read it again.
    func writeAnnouncingLater<T>(foreignKeys: Bool = true, journalsInOnePiece: Bool = false, syncingLater: Bool,
                                 keepsRooms: Bool = false,
                                 _ body: (Database) throws -> T) throws -> (T, @Sendable () -> Void) {
        try requireFileInPlace()
        do {
            let (result, notifications, sagaWork) = try pool.writeWithoutTransaction { db in
                // Only outside a transaction does SQLite take these pragmas.
                if !foreignKeys { try db.execute(sql: "PRAGMA foreign_keys = OFF") }
                defer { if !foreignKeys { try? db.execute(sql: "PRAGMA foreign_keys = ON") } }
                let onePiece = journalsInOnePiece && SQLiteProcessSettings.journalSpillSet
                if onePiece { try db.run(sql: "PRAGMA temp_store = DEFAULT") }
                defer { if onePiece { try? db.run(sql: "PRAGMA temp_store = MEMORY") } }
                let synchronous = try syncingLater ? Int.fetchOne(db, sql: "PRAGMA synchronous") : nil
                if syncingLater { try db.run(sql: "PRAGMA synchronous = NORMAL") }
                defer { if let synchronous { try? db.run(sql: "PRAGMA synchronous = \(synchronous)") } }
                var result: T?
                // Moved once the write is over (committed or not), while this connection is still
                // the writer: a group that begins after it reads rooms again.
                defer { if !keepsRooms { shared.roomsGeneration.add(1, ordering: .sequentiallyConsistent) } }
                shared.pendingNotifications.withLock { $0.removeAll() }
                shared.sagaWorkQueued.withLock { $0 = false }
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return (result!, shared.pendingNotifications.withLock { pending in
                    defer { pending.removeAll() }
                    return pending
                }, shared.sagaWorkQueued.withLock { queued in
                    defer { queued = false }
                    return queued
                })
            }
            return (result, { [self] in
                publish(notifications)
                if sagaWork { wakeSagaRunners() }
            })
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        }
    }

    /// Refuses to go on when the file at `path` is no longer the one this store opened: deleted,
    /// or replaced (a backup restored with `mv`, a copy put over it). SQLite would go on writing
    /// into the open file, which nothing can read again once this process ends: a booking answered
    /// and then lost. Asked before every write (one `stat`) and by the server's readiness check.
    public func requireFileInPlace() throws(StoreError) {
        guard let opened = shared.openedFile.withLock({ $0 }) else { return }
        guard FileIdentity(path: path) == opened else { throw .fileGone(path: path) }
    }

    /// For a read whose answer a caller keeps and builds on (the change feed's numbers, a desk's
    /// replica): once it has read, every commit it may have seen is made durable. A group of
    /// bookings is visible to readers from its commit, before the sync that makes it durable
    /// (`reserveAllSyncingLater`); a power cut between the two would take back feed numbers that
    /// a desk or a listener already holds, and the next changes would be given the same numbers.
    /// Costs nothing while no such commit waits for its sync.
    func afterReadingDurably<T>(_ answer: T) throws -> T {
        let waiting = shared.deferredCommits.withLock { $0.begun > $0.synced }
        if waiting {
            try syncLog()
            shared.readerSyncs.add(1, ordering: .relaxed)
        }
        return answer
    }

    /// Runs `body` (`when` true) with the file in rollback-journal mode instead of write-ahead
    /// logging, and returns it to the log after, whatever `body` did. For one transaction that
    /// writes a whole file (a first replica: 250 MB): through the log, its pages are written
    /// twice (into the log at the commit, then copied into the file by the checkpoint); through a
    /// rollback journal, once, since pages beyond the file's old end have nothing to undo
    /// (session 15: a 243 MB transaction's commit 0.61–0.65 s against 1.74–1.93 s with its
    /// checkpoint). A process killed in the middle leaves the journal beside the file, and the
    /// next open undoes the transaction from it (`DatabaseFile.undoInterruptedWrite`).
    ///
    /// SQLite leaves the log only when no other connection has the file open: this process's
    /// idle readers are closed first; if another process holds the file, the mode stays as it
    /// is and `body` runs through the log as always. While the journal is used, every sync is
    /// made (`synchronous = FULL`, as SQLite asks of a rollback journal to be safe from a power
    /// cut), also on a one-connection command's store, which syncs its log once instead.
    func withRollbackJournal<T>(_ when: Bool, _ body: () throws -> T) throws -> T {
        guard when else { return try body() }
        (pool as? DatabasePool)?.releaseMemory()
        let synchronous = try? pool.writeWithoutTransaction { db -> Int? in
            let before = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? 2
            guard try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") == "delete" else { return nil }
            try db.execute(sql: "PRAGMA synchronous = FULL")
            return before
        }
        guard let synchronous else { return try body() }
        let result: T
        do {
            result = try body()
        } catch {
            try? backToWriteAheadLog(synchronous: synchronous)
            throw error
        }
        try backToWriteAheadLog(synchronous: synchronous)
        return result
    }

    private func backToWriteAheadLog(synchronous: Int) throws {
        do {
            let mode = try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
                return try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL")
            }
            guard mode == "wal" else {
                throw StoreError.database(message: "\(path) could not return to write-ahead logging (it is in \(mode ?? "no") journal mode)")
            }
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let snapshot = OpenSnapshot.current, snapshot.pool == ObjectIdentifier(pool) { return try body(snapshot.db) }
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        }
    }

    public func inOneSnapshot<T>(_ body: () throws -> T) throws -> T {
        if let snapshot = OpenSnapshot.current, snapshot.pool == ObjectIdentifier(pool) { return try body() }
        return try read { db in
            try OpenSnapshot.$current.withValue(OpenSnapshot(pool: ObjectIdentifier(pool), db: db)) { try body() }
        }
    }

    func makeConfirmationCode() -> String {
        shared.codes.withLock { generator in ConfirmationCode.make(using: &generator) }
    }

    // MARK: Hotel

    public func hotel() throws -> Hotel? {
        try read { db in try fetchHotel(db) }
    }

    func fetchHotel(_ db: Database) throws -> Hotel? {
        let sql = "SELECT id, name, time_zone, currency, hold_minutes, rowid, no_show_cutoff_hour, no_show_fee FROM hotel"
        let row = try scopedHotelId.map { try db.row(sql: sql + " WHERE id = ?", arguments: [$0]) } ?? db.row(sql: sql + " LIMIT 1")
        return try row.map(Self.hotel(from:))
    }

    func requireHotel(_ db: Database) throws -> Hotel {
        guard let hotel = try fetchHotel(db) else {
            if scopedHotelId != nil { throw FrontDeskError.notFound("No such hotel") }
            throw FrontDeskError.notFound("No hotel is set up in this database (run `frontdesk demo` first)")
        }
        return hotel
    }

    public func businessDate() throws -> CalendarDate {
        try read { db in try businessDate(for: fetchHotel(db)) }
    }

    func businessDate(for hotel: Hotel?) -> CalendarDate {
        if let businessDateOverride { return businessDateOverride }
        return hotel?.businessDate(at: now) ?? CalendarDate.today(in: .gmt, at: now)
    }

    /// Creates the desk's hotel. A desk holds exactly one.
    public func createHotel(name: String, timeZone: String, currency: String, by user: String) throws -> Hotel {
        try Hotel.validate(name: name, timeZoneIdentifier: timeZone, currency: currency)
        return try write { db in
            if let existing = try fetchHotel(db) {
                throw FrontDeskError.conflict("This database already holds the hotel \(existing.name)")
            }
            let hotel = Hotel(id: UUID(), name: name.trimmingCharacters(in: .whitespaces),
                              timeZoneIdentifier: timeZone, currency: currency)
            try Self.insert(hotel, db)
            try audit(db, user: user, action: "hotel.created", summary: "Hotel \(hotel.name) created")
            return hotel
        }
    }

    /// Adds a hotel to a chain's file (the server's); a desk's file keeps `createHotel`'s one.
    public func addChainHotel(name: String, timeZone: String, currency: String, by user: String) throws -> Hotel {
        try Hotel.validate(name: name, timeZoneIdentifier: timeZone, currency: currency)
        return try write { db in
            let hotel = Hotel(id: UUID(), name: name.trimmingCharacters(in: .whitespaces),
                              timeZoneIdentifier: timeZone, currency: currency)
            try Self.insert(hotel, db)
            try audit(db, user: user, action: "hotel.created", summary: "Hotel \(hotel.name) created")
            return hotel
        }
    }

    /// Every hotel in the file, by name; through a scoped store, its one hotel.
    public func hotels() throws -> [Hotel] {
        try read { db in
            let scope = hotelCondition("id")
            return try db.rows(sql: "SELECT id, name, time_zone, currency, hold_minutes, rowid, no_show_cutoff_hour, no_show_fee FROM hotel WHERE 1\(scope.sql) ORDER BY name, id",
                               arguments: scope.arguments).map(Self.hotel(from:))
        }
    }

    static func hotel(from row: Row) throws -> Hotel {
        let stored = StoredRow(row, table: "hotel", rowid: 5)
        let feeText = try stored.text(7, "no_show_fee")
        guard let fee = NoShowPolicy.Fee(rawValue: feeText) else {
            throw stored.damaged("no_show_fee", "\(StoredRow.quoted(feeText)) is not first_night or none")
        }
        return Hotel(id: try stored.id(0, "id"), name: try stored.text(1, "name"), timeZoneIdentifier: try stored.text(2, "time_zone"),
                     currency: try stored.text(3, "currency"), holdMinutes: try stored.integer(4, "hold_minutes", in: 1...1440),
                     noShowPolicy: NoShowPolicy(cutoffHour: try stored.integer(6, "no_show_cutoff_hour", in: 0...23), fee: fee))
    }

    /// How long an unpaid hold keeps its room, for bookings made from now on.
    public func setHoldMinutes(_ minutes: Int, by user: String) throws -> Hotel {
        try configureHotel(HotelSettingsChange(holdMinutes: minutes), by: user)
    }

    /// When an arrival may be marked a no-show (hour, hotel time) and whether the first night is charged.
    public func setNoShowPolicy(cutoffHour: Int?, fee: NoShowPolicy.Fee?, by user: String) throws -> Hotel {
        try configureHotel(HotelSettingsChange(noShowCutoffHour: cutoffHour, noShowFee: fee), by: user)
    }

    /// The hotel's settings changed in one transaction, each change audited (`HotelSettingsChange`).
    /// A connected desk's are the server's: refused.
    public func configureHotel(_ change: HotelSettingsChange, by user: String) throws -> Hotel {
        try change.check()
        return try write { db in
            try requireNotReplica(administering: "settings", db)
            let old = try requireHotel(db)
            let hotel = change.applied(to: old)
            // What it is already: nothing written, no audit line, no feed entry sending desks to fetch it.
            if hotel == old { return hotel }
            try db.run(sql: "UPDATE hotel SET name = ?, hold_minutes = ?, no_show_cutoff_hour = ?, no_show_fee = ? WHERE id = ?",
                       arguments: [hotel.name, hotel.holdMinutes, hotel.noShowPolicy.cutoffHour, hotel.noShowPolicy.fee.rawValue,
                                   hotel.id.uuidString])
            try feedPropertyChange(.hotel, hotelId: hotel.id, db)
            for (action, summary) in HotelSettingsChange.auditLines(from: old, to: hotel) {
                try audit(db, user: user, action: action, summary: summary)
            }
            return hotel
        }
    }

    static func insert(_ hotel: Hotel, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO hotel (id, name, time_zone, currency, hold_minutes) VALUES (?, ?, ?, ?, ?)",
            arguments: [hotel.id.uuidString, hotel.name, hotel.timeZoneIdentifier, hotel.currency, hotel.holdMinutes])
    }
}

/// `fdatasync` of a file by its path (any descriptor of a file syncs it); nil when done or when
/// there is no such file, else what went wrong.
private func syncData(ofFile path: String) -> String? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { return errno == ENOENT ? nil : String(cString: strerror(errno)) }
    defer { close(descriptor) }
    #if canImport(Darwin)
    return fcntl(descriptor, F_FULLFSYNC) == 0 ? nil : String(cString: strerror(errno))
    #else
    return fdatasync(descriptor) == 0 ? nil : String(cString: strerror(errno))
    #endif
}

/// Which hotel a store's calls are about.
public enum HotelScope: Sendable, Equatable {
    /// A desk's file: the one hotel in it.
    case theOnlyHotel
    /// One hotel of a chain's file.
    case hotel(UUID)
}

/// What every scoped view of one store shares: the confirmation-code source and the saga's
/// in-process notifications (a write through any view reaches every subscriber).
final class StoreShared: Sendable {
    let codes: Mutex<any RandomNumberGenerator & Sendable>
    /// The device and inode of the file as it was opened (`requireFileInPlace`); nil when it
    /// could not be read then.
    let openedFile = Mutex<FileIdentity?>(nil)
    let pendingNotifications = Mutex<[SagaNotification]>([])
    let subscribers = Mutex<[UUID: @Sendable (SagaNotification) -> Void]>([:])
    /// Whether the write under way queued a saga message (`enqueue`): only then is a saga runner
    /// woken at its commit (`subscribeToSagaChanges`).
    let sagaWorkQueued = Mutex(false)
    let sagaWorkSubscribers = Mutex<[UUID: @Sendable () -> Void]>([:])
    /// Read-only connections of their own for `searchIsCurrent`, opened on first need (as many as
    /// checks ever ran at once): the check of a cached availability answer is one short statement,
    /// run on the caller's thread rather than waiting for a reader of the pool (which long
    /// searches may hold).
    let stampReaders = Mutex<[VersionReader]>([])
    /// The background checkpointer, once `checkpointInBackground` started it.
    let checkpointer = Mutex<Checkpointer?>(nil)
    /// Operations a connected desk pushed and got no answer to, by operation id, while its local
    /// write queues them (`queueingAsPushed`): the outbox gets the very operation pushed.
    let pushedOperations = Mutex<[String: SyncOperation]>([:])
    /// Group commits made without their sync (`reserveAllSyncingLater`): how many began, and the
    /// number of the last one whose sync finished. While they differ, a commit may be visible to
    /// readers and not yet durable (`afterReadingDurably`).
    let deferredCommits = Mutex<(begun: Int, synced: Int)>((0, 0))
    /// Syncs made by such readers (`afterReadingDurably`), counted for the tests.
    let readerSyncs = Atomic<Int>(0)
    /// Moves after every write through this store's writer that may change rooms, room types,
    /// hotels or the replica mark: every write but a group of bookings (`writeAnnouncingLater`).
    let roomsGeneration = Atomic<Int>(0)
    /// What booking groups read alike (rooms with their types, the hotel, its active rooms), kept
    /// from one group to the next by scope (the scoped hotel's id, nil on a desk's file) while
    /// `roomsGeneration` and the writer's `PRAGMA data_version` (commits by any other connection)
    /// stay as they were when it was read (`FrontDeskStore.reserveGroup`).
    let keptGroupReads = Mutex<[String?: KeptGroupReads]>([:])
    /// Groups that began with what an earlier group kept, counted for the tests.
    let keptGroupReadsTaken = Atomic<Int>(0)
    /// Groups of bookings written a second time, each booking in a savepoint, because one failed
    /// after writing (`FrontDeskStore.writingGroup`), counted for the tests.
    let groupsWrittenAgainInSavepoints = Atomic<Int>(0)

    init(random: any RandomNumberGenerator & Sendable) {
        codes = Mutex(random)
    }
}

/// Which file a path names: its device and inode (a file deleted and made again, or another
/// renamed over it, is another file at the same path).
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    /// Nil when nothing is at `path` (or it cannot be read).
    init?(path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}

/// Failures of the file itself, as a person should read them.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case notADatabase(path: String)
    /// An SQLite file, but not one Front Desk made.
    case notFrontDesk(path: String)
    /// No file, an empty file, or an empty SQLite file, where the command needs a database.
    case noDatabase(path: String, reason: String)
    /// Written by a newer Front Desk: this build neither reads nor changes it.
    case newerVersion(path: String, detail: String)
    /// The command would write, and the file or its folder cannot be written to.
    case readOnly(path: String, reason: String)
    /// Even a reading command must write first (upgrade an older file, undo a cut-off write),
    /// and the file or its folder cannot be written to.
    case mustWriteBeforeReading(path: String, reason: String)
    /// A stored value this store could not have written: `booking row 12: check_in "2026-13-45" is not a date`.
    case damagedRow(table: String, row: String, problem: String)
    case busy(path: String)
    /// The file was deleted or replaced while this process had it open (`requireFileInPlace`).
    case fileGone(path: String)
    /// SQLITE_FULL: the disk (or the file system's quota) has no room for the write.
    case diskFull(path: String)
    /// SQLITE_CORRUPT: the file's pages do not read as a database (cut short, overwritten).
    case corrupt(path: String)
    case database(message: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the database \(path): \(reason)"
        case .notADatabase(let path): "\(path) is not a Front Desk database (it is not an SQLite file)"
        case .notFrontDesk(let path): "\(path) is not a Front Desk database (it is an SQLite file of another program); nothing was changed"
        case .noDatabase(let path, let reason):
            "there is no Front Desk database at \(path) (\(reason)); `frontdesk hotel create` or `frontdesk demo` creates one"
        case .newerVersion(let path, let detail):
            "the database \(path) was written by a newer Front Desk (\(detail)); use that version, nothing was changed"
        case .readOnly(let path, let reason):
            "writes are not possible to the database \(path): \(reason) (reading commands still work)"
        case .mustWriteBeforeReading(let path, let reason):
            "cannot read the database \(path) here: \(reason); nothing was changed"
        case .damagedRow(let table, let row, let problem):
            "\(table) \(row): \(problem) (the database was changed outside Front Desk or is damaged)"
        case .busy(let path): "the database \(path) is busy (another desk holds it); try again"
        case .fileGone(let path):
            "the database \(path) was deleted or replaced while this program had it open; nothing was written "
                + "(start the program again to use the file that is there now)"
        case .diskFull(let path):
            "the disk holding the database \(path) is full: nothing was written; free some space and try again "
                + "(upgrading an older file needs about three times its size free)"
        case .corrupt(let path):
            "the database \(path) is damaged (its pages do not read as a database; it may have been cut short or overwritten): "
                + "nothing was written; keep a copy of it and any -wal file beside it, and restore it from a backup"
        case .database(let message): "database error: \(message)"
        }
    }

    static func from(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB: .notADatabase(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: .busy(path: path)
        case .SQLITE_READONLY: .readOnly(path: path, reason: error.message ?? "the file is read-only here")
        case .SQLITE_CANTOPEN, .SQLITE_PERM:
            .cannotOpen(path: path, reason: error.message ?? "permission denied")
        case .SQLITE_FULL: .diskFull(path: path)
        case .SQLITE_CORRUPT: .corrupt(path: path)
        default: .database(message: error.message ?? "\(error)")
        }
    }
}

/// The read transaction `inOneSnapshot` holds open, found by the reads made inside it. A task
/// local, bound to the thread that runs `body` (no task needed), so a read on another thread
/// or of another file goes its own way; `pool` tells this file's stores from another's.
struct OpenSnapshot: @unchecked Sendable {
    // Not Sendable: only ever used by the thread that opened it, while it runs `body`.
    let pool: ObjectIdentifier
    let db: Database
    @TaskLocal static var current: OpenSnapshot?
}
