import Foundation
import FrontDeskDomain
import GRDB
import Synchronization

/// The desk's database: one SQLite file, one facade whose methods name what the desk does.
///
/// Every write runs in one `BEGIN IMMEDIATE` transaction, so two processes on the same file take
/// turns and the loser of a race sees the winner's rows. Nothing is cached: every answer comes
/// from the file, so no screen can show a booked room as free.
public final class FrontDeskStore: Sendable {
    let pool: DatabasePool
    public let path: String
    let clock: @Sendable () -> Date
    let businessDateOverride: CalendarDate?
    let pricing: PricingPolicy
    let codes: Mutex<any RandomNumberGenerator & Sendable>
    let pendingNotifications = Mutex<[SagaNotification]>([])
    let subscribers = Mutex<[UUID: @Sendable (SagaNotification) -> Void]>([:])

    /// Opens (creating folders and the file as needed) and migrates the database at `path`.
    /// - Parameters:
    ///   - clock: now; tests inject a fixed or stepping clock.
    ///   - businessDate: overrides the hotel's business date (training mode, `FRONTDESK_TODAY`).
    ///   - random: source of confirmation codes.
    public init(
        path: String,
        clock: @escaping @Sendable () -> Date = { Date() },
        businessDate: CalendarDate? = nil,
        random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
        pricing: PricingPolicy = .standard
    ) throws(StoreError) {
        self.path = path
        self.clock = clock
        businessDateOverride = businessDate
        self.pricing = pricing
        codes = Mutex(random)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "cannot create the folder \(folder.path)")
        }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // A second desk or command holding the write lock is waited for, not reported as an error.
        configuration.busyMode = .timeout(15)
        configuration.prepareDatabase { db in
            // A confirmed booking must survive a power cut: FULL syncs the WAL on every commit.
            try db.run(sql: "PRAGMA synchronous = FULL")
            // Reads of a years-long booking history come straight from the mapped file instead of
            // a read() per page; SQLite falls back to plain reads where mapping is unavailable.
            try db.run(sql: "PRAGMA mmap_size = 268435456")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Schema.migrator.migrate(pool)
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: "\(error)")
        }
    }

    var now: Date { clock() }

    /// Runs `body` in one immediate write transaction; domain errors pass through unchanged and
    /// roll the transaction back, so bad input never leaves anything half-written.
    /// Notifications queued by the transaction under way are published once it commits, and
    /// dropped if it rolls back: a screen never hears of a change that did not happen.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            let (result, notifications) = try pool.writeWithoutTransaction { db in
                var result: T?
                pendingNotifications.withLock { $0.removeAll() }
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return (result!, pendingNotifications.withLock { pending in
                    defer { pending.removeAll() }
                    return pending
                })
            }
            publish(notifications)
            return result
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        }
    }

    func makeConfirmationCode() -> String {
        codes.withLock { generator in ConfirmationCode.make(using: &generator) }
    }

    // MARK: Hotel

    public func hotel() throws -> Hotel? {
        try read { db in try Self.fetchHotel(db) }
    }

    static func fetchHotel(_ db: Database) throws -> Hotel? {
        try db.row(sql: "SELECT id, name, time_zone, currency, hold_minutes FROM hotel LIMIT 1").map { row in
            Hotel(id: Identifier.stored(row[0]), name: row[1], timeZoneIdentifier: row[2], currency: row[3], holdMinutes: row[4])
        }
    }

    static func requireHotel(_ db: Database) throws -> Hotel {
        guard let hotel = try fetchHotel(db) else {
            throw FrontDeskError.notFound("No hotel is set up in this database (run `frontdesk demo` first)")
        }
        return hotel
    }

    public func businessDate() throws -> CalendarDate {
        try read { db in try businessDate(for: Self.fetchHotel(db)) }
    }

    func businessDate(for hotel: Hotel?) -> CalendarDate {
        if let businessDateOverride { return businessDateOverride }
        return hotel?.businessDate(at: now) ?? CalendarDate.today(in: .gmt, at: now)
    }

    /// Creates the desk's hotel. A desk holds exactly one.
    public func createHotel(name: String, timeZone: String, currency: String, by user: String) throws -> Hotel {
        try Hotel.validate(name: name, timeZoneIdentifier: timeZone, currency: currency)
        return try write { db in
            if let existing = try Self.fetchHotel(db) {
                throw FrontDeskError.conflict("This database already holds the hotel \(existing.name)")
            }
            let hotel = Hotel(id: UUID(), name: name.trimmingCharacters(in: .whitespaces),
                              timeZoneIdentifier: timeZone, currency: currency)
            try Self.insert(hotel, db)
            try audit(db, user: user, action: "hotel.created", summary: "Hotel \(hotel.name) created")
            return hotel
        }
    }

    /// How long an unpaid hold keeps its room, for bookings made from now on.
    public func setHoldMinutes(_ minutes: Int, by user: String) throws -> Hotel {
        guard (1...1440).contains(minutes) else {
            throw FrontDeskError.validationFailed(["Hold minutes must be between 1 and 1440"])
        }
        return try write { db in
            var hotel = try Self.requireHotel(db)
            let old = hotel.holdMinutes
            hotel.holdMinutes = minutes
            try db.run(sql: "UPDATE hotel SET hold_minutes = ? WHERE id = ?", arguments: [minutes, hotel.id.uuidString])
            try audit(db, user: user, action: "hotel.holdMinutesChanged", summary: "Holds last \(minutes) minutes (was \(old))")
            return hotel
        }
    }

    static func insert(_ hotel: Hotel, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO hotel (id, name, time_zone, currency, hold_minutes) VALUES (?, ?, ?, ?, ?)",
            arguments: [hotel.id.uuidString, hotel.name, hotel.timeZoneIdentifier, hotel.currency, hotel.holdMinutes])
    }
}

/// Failures of the file itself, as a person should read them.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case cannotOpen(path: String, reason: String)
    case notADatabase(path: String)
    case busy(path: String)
    case database(message: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the database \(path): \(reason)"
        case .notADatabase(let path): "\(path) is not a Front Desk database (it is not an SQLite file)"
        case .busy(let path): "the database \(path) is busy (another desk holds it); try again"
        case .database(let message): "database error: \(message)"
        }
    }

    static func from(_ error: DatabaseError, path: String) -> StoreError {
        switch error.resultCode {
        case .SQLITE_NOTADB: .notADatabase(path: path)
        case .SQLITE_BUSY, .SQLITE_LOCKED: .busy(path: path)
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            .cannotOpen(path: path, reason: error.message ?? "permission denied")
        default: .database(message: error.message ?? "\(error)")
        }
    }
}
