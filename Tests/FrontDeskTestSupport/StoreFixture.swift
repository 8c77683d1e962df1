import Foundation
import FrontDeskDomain
import FrontDeskStore
import GRDB
import Synchronization

/// A clock the test moves by hand: no test sleeps to see a hold expire.
public final class TestClock: Sendable {
    private let instant = Mutex(Date(timeIntervalSince1970: 1_795_000_000)) // 2026-11-18
    public init() {}
    public var now: Date { instant.withLock { $0 } }
    public func advance(minutes: Double) { instant.withLock { $0 = $0.addingTimeInterval(minutes * 60) } }
}

/// A fresh database file in its own folder, with a small hotel:
/// rooms 101-104 Double (sleeps 2, 100.00), 201-202 Family (sleeps 4, 200.00), 301 Single (sleeps 1, 60.00).
public struct StoreFixture {
    public let folder: URL
    public let clock = TestClock()
    public let store: FrontDeskStore
    public static let today = CalendarDate(iso: "2026-11-26")!

    public init(rooms: Bool = true) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-tests-\(UUID().uuidString)")
        let clock = self.clock
        store = try FrontDeskStore(path: folder.appendingPathComponent("desk.sqlite").path, clock: { clock.now },
                                   businessDate: Self.today, random: SeededGenerator(seed: 42))
        guard rooms else { return }
        _ = try store.createHotel(name: "Hotel Test", timeZone: "Europe/Vienna", currency: "EUR", by: "setup")
        _ = try store.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "setup")
        _ = try store.addRoomType(name: "Family", capacity: 4, basePrice: Money(minorUnits: 20_000), by: "setup")
        _ = try store.addRoomType(name: "Single", capacity: 1, basePrice: Money(minorUnits: 6_000), by: "setup")
        for number in ["101", "102", "103", "104"] { _ = try store.addRoom(number: number, typeName: "Double", by: "setup") }
        for number in ["201", "202"] { _ = try store.addRoom(number: number, typeName: "Family", by: "setup") }
        _ = try store.addRoom(number: "301", typeName: "Single", by: "setup")
    }

    public func form(room: String = "101", from checkIn: String = "2026-12-01", to checkOut: String = "2026-12-03",
              guests: String = "2", name: String = "Zoë Ångström") -> BookingForm {
        BookingForm(roomNumber: room, checkIn: checkIn, checkOut: checkOut, guests: guests, guestName: name,
                    email: "guest@example.com")
    }

    /// A store on the same file whose business date was `daysAgo` days before today: what the
    /// desk did on an earlier day.
    public func earlierStore(daysAgo: Int) throws -> FrontDeskStore {
        let clock = self.clock
        return try FrontDeskStore(path: store.path, clock: { clock.now }, businessDate: Self.today.adding(days: -daysAgo))
    }

    /// A guest booked, confirmed and checked in by `anna` `daysAgo` days before today.
    public func checkedIn(daysAgo: Int, room: String, from checkIn: String, to checkOut: String, name: String) throws -> Booking {
        let then = try earlierStore(daysAgo: daysAgo)
        let held = try then.reserve(form(room: room, from: checkIn, to: checkOut, name: name), by: "anna")
        return try then.checkIn(then.confirm(held.confirmationCode, by: "anna").confirmationCode, by: "anna")
    }

    /// Held and confirmed, as `frontdesk book` does it.
    @discardableResult
    public func book(room: String = "101", from checkIn: String = "2026-12-01", to checkOut: String = "2026-12-03",
              guests: String = "2", by user: String = "anna") throws -> Booking {
        let held = try store.reserve(form(room: room, from: checkIn, to: checkOut, guests: guests), by: user)
        return try store.confirm(held.confirmationCode, by: user)
    }

    public func freeRooms(_ checkIn: String = "2026-12-01", _ checkOut: String = "2026-12-03", guests: String = "1") throws -> [String] {
        try store.search(checkIn: checkIn, checkOut: checkOut, guests: guests).offers.map(\.room.number)
    }

    /// Rows in `table`, read through a connection of its own, as another process would see them.
    public func count(_ table: String) throws -> Int {
        let queue = try DatabaseQueue(path: store.path)
        return try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)")! }
    }
}

/// Another connection holding the file's write lock (`BEGIN IMMEDIATE`), as a second desk or a
/// `frontdesk` command in the middle of a write would, until `release`. Every write of the store
/// waits for it (its busy timeout is 15 s); reads go on (WAL).
public final class WriteLockHolder {
    private let queue: DatabaseQueue
    private var held = true

    public init(path: String) throws {
        var configuration = Configuration()
        // The transaction stays open after this call on purpose.
        configuration.allowsUnsafeTransactions = true
        queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.inDatabase { db in try db.execute(sql: "BEGIN IMMEDIATE") }
    }

    public func release() throws {
        guard held else { return }
        held = false
        try queue.inDatabase { db in try db.execute(sql: "ROLLBACK") }
    }

    deinit { try? release() }
}
