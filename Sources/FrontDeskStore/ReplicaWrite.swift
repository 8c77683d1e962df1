import Foundation
import FrontDeskDomain
import GRDB

// Writing a page of the server's bookings into a desk's replica (issue 12). A first replica of a
// busy hotel is 126,566 bookings with 400,000 room-nights and as many nightly prices: a booking the
// desk does not have, whose code and room-nights no booking of the desk holds, is inserted through
// a handful of statements prepared once per page; only a booking that meets something of the
// desk's goes the careful way (`upsertFromServer`: replace, overrule a pending booking, re-code).

extension FrontDeskStore {
    /// The page's bookings as the server has them, in the page's order.
    func writeServerBookings(_ wires: [WireBooking], _ db: Database) throws {
        guard !wires.isEmpty else { return }
        let writer = try NewBookingWriter(db)
        for wire in wires {
            let booking = try Self.wire { try wire.booking() }
            let claims = try Self.storedClaims(wire)
            if try writer.isNew(booking, claims: claims) {
                try writer.insert(booking, claims: claims)
            } else {
                try upsertFromServer(wire, db)
            }
        }
    }
}

extension FrontDeskStore {
    /// A wire booking's claims as stored (room id uppercase, night as given), each checked to read.
    static func storedClaims(_ wire: WireBooking) throws -> [(room: String, night: String)] {
        var claims: [(room: String, night: String)] = []
        claims.reserveCapacity(wire.claims.count)
        for claim in wire.claims {
            guard let room = SyncWire.parseUUID(claim.roomId), CalendarDate(iso: claim.night) != nil else {
                throw FrontDeskError.validationFailed(["The server sent booking \(wire.confirmation) with a claim that does not read"])
            }
            claims.append((SyncWire.uppercaseText(room), claim.night))
        }
        return claims
    }
}

/// The statements that insert bookings new to the desk, prepared once for a page.
final class NewBookingWriter {
    /// The columns of a booking row as the server has it (`?1`...`?20`); with `rowids`, the row's
    /// rowid too (`?21`: the first replica's bulk fill writes some rows later, in their place).
    static func insertBookingSQL(rowids: Bool) -> String {
        """
        INSERT INTO booking (id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
            check_in, check_out, status, total_cents, version, hold_expires_at, status_reason, created_at, updated_at,
            checked_in_on, checked_out_on, room_since, server_version, sync_state\(rowids ? ", rowid" : ""))
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?13, 'synced'\(rowids ? ", ?21" : ""))
        """
    }

    let bookingExists: RawStatement
    let codeTaken: RawStatement
    let nightHeld: RawStatement
    let insertBooking: RawStatement
    let insertPrice: RawStatement
    let insertNote: RawStatement
    let insertClaim: RawStatement

    init(_ db: Database, rowids: Bool = false) throws {
        bookingExists = try RawStatement(db, "SELECT 1 FROM booking WHERE id = ?1")
        codeTaken = try RawStatement(db, "SELECT 1 FROM booking WHERE confirmation_code = ?1")
        nightHeld = try RawStatement(db, "SELECT 1 FROM room_night WHERE room_id = ?1 AND night = ?2")
        insertBooking = try RawStatement(db, Self.insertBookingSQL(rowids: rowids))
        insertPrice = try RawStatement(db, "INSERT INTO booking_night (booking_id, night, price_cents) VALUES (?1, ?2, ?3)")
        insertNote = try RawStatement(db, "INSERT INTO booking_note (booking_id, seq, at, by_user, text) VALUES (?1, ?2, ?3, ?4, ?5)")
        insertClaim = try RawStatement(db, """
            INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
            """)
    }

    /// Nothing of the desk's is in the way: not the booking itself, not its code, none of its nights.
    func isNew(_ booking: Booking, claims: [(room: String, night: String)]) throws -> Bool {
        bookingExists.bind(1, SyncWire.uppercaseText(booking.id))
        if try bookingExists.exists() { return false }
        codeTaken.bind(1, booking.confirmationCode)
        if try codeTaken.exists() { return false }
        for claim in claims {
            nightHeld.bind(1, claim.room)
            nightHeld.bind(2, claim.night)
            if try nightHeld.exists() { return false }
        }
        return true
    }

    /// The booking's row, prices and notes, then its room-nights (their triggers read the prices).
    func insert(_ booking: Booking, claims: [(room: String, night: String)]) throws {
        let stored = StoredBooking(booking, claims: claims)
        try insertRow(stored)
        try insertClaims(stored)
    }

    /// The booking's row, nightly prices and notes.
    func insertRow(_ booking: StoredBooking) throws {
        try insertBookingRow(booking)
        try insertPricesAndNotes(booking)
    }

    /// The booking's row alone; `rowid` only with a writer made `rowids: true`.
    func insertBookingRow(_ booking: StoredBooking, rowid: Int64? = nil) throws {
        let row = insertBooking
        row.bind(1, booking.id)
        row.bind(2, booking.hotel)
        row.bind(3, booking.room)
        row.bind(4, booking.code)
        row.bind(5, booking.name)
        row.bind(6, booking.email)
        row.bind(7, booking.phone)
        row.bind(8, booking.guests)
        row.bind(9, booking.checkIn)
        row.bind(10, booking.checkOut)
        row.bind(11, booking.status)
        row.bind(12, booking.total)
        row.bind(13, booking.version)
        row.bind(14, booking.hold)
        row.bind(15, booking.reason)
        row.bind(16, booking.created)
        row.bind(17, booking.updated)
        row.bind(18, booking.checkedIn)
        row.bind(19, booking.checkedOut)
        row.bind(20, booking.roomSince)
        if let rowid { row.bind(21, rowid) }
        try row.run()
    }

    /// The booking's nightly prices and notes.
    func insertPricesAndNotes(_ booking: StoredBooking) throws {
        for price in booking.prices {
            insertPrice.bind(1, booking.id)
            insertPrice.bind(2, price.night)
            insertPrice.bind(3, price.cents)
            try insertPrice.run()
        }
        for (index, note) in booking.notes.enumerated() {
            insertNote.bind(1, booking.id)
            insertNote.bind(2, index + 1)
            insertNote.bind(3, note.at)
            insertNote.bind(4, note.by)
            insertNote.bind(5, note.text)
            try insertNote.run()
        }
    }

    /// The booking's room-nights (after its prices: their triggers read them).
    func insertClaims(_ booking: StoredBooking) throws {
        for claim in booking.claims {
            insertClaim.bind(1, claim.room)
            insertClaim.bind(2, claim.night)
            insertClaim.bind(3, booking.hotel)
            insertClaim.bind(4, booking.id)
            insertClaim.bind(5, booking.hold)
            try insertClaim.run()
        }
    }
}

/// A server booking as the desk's rows hold it: every value as its column stores it.
struct StoredBooking: Sendable {
    var id, hotel, room, code, name, email: String
    var phone: String?
    var guests: Int
    var checkIn, checkOut, status: String
    var total: Int64
    var version: Int
    var hold, reason: String?
    var created, updated: String
    var checkedIn, checkedOut, roomSince: String?
    var prices: [(night: String, cents: Int64)]
    var notes: [(at: String, by: String, text: String)]
    var claims: [(room: String, night: String)]

    init(_ booking: Booking, claims: [(room: String, night: String)]) {
        id = SyncWire.uppercaseText(booking.id)
        hotel = SyncWire.uppercaseText(booking.hotelId)
        room = SyncWire.uppercaseText(booking.roomId)
        code = booking.confirmationCode
        name = booking.guest.name
        email = booking.guest.email
        phone = booking.guest.phone
        guests = booking.guestCount
        checkIn = booking.stay.checkIn.iso
        checkOut = booking.stay.checkOut.iso
        status = booking.status.rawValue
        total = booking.totalPrice.minorUnits
        version = booking.version
        hold = booking.holdExpiresAt.map(Timestamp.text)
        reason = booking.statusReason
        created = Timestamp.text(booking.createdAt)
        updated = Timestamp.text(booking.updatedAt)
        checkedIn = booking.checkedInOn?.iso
        checkedOut = booking.checkedOutOn?.iso
        roomSince = booking.roomSince?.iso
        prices = booking.nightlyPrices.map { ($0.night.iso, $0.price.minorUnits) }
        notes = booking.notes.map { (Timestamp.text($0.at), $0.by, $0.text) }
        self.claims = claims
    }
}

/// A replica page whose bookings are already read into the rows the desk stores (each booking
/// read and checked as `writeServerBookings` reads it): made on the thread that fetched the page
/// (`DeskSync`), so that the desk's writer only binds and steps.
public struct ReadReplicaPage: Sendable {
    public let page: ReplicaPage
    let rows: [StoredBooking]

    public init(_ page: ReplicaPage) throws {
        self.page = page
        var rows: [StoredBooking] = []
        rows.reserveCapacity(page.bookings.count)
        for wire in page.bookings {
            rows.append(StoredBooking(try FrontDeskStore.wire { try wire.booking() }, claims: try FrontDeskStore.storedClaims(wire)))
        }
        self.rows = rows
    }
}

/// A first replica written into a desk that holds no booking (issue 12, session 11): the whole
/// hotel arrives in one transaction, so it is loaded the way a bulk load is, and what SQLite would
/// otherwise keep up row by row is built once at the end:
/// - the booking and room-night indexes no write needs are dropped first and made again at the
///   end from their own `CREATE INDEX` text (a sort each, instead of ~1.5 million scattered
///   inserts); the two the load fills in key order (bookings by hotel and id, room-nights by
///   booking: pages come in booking id order) stay;
/// - the INSERT triggers that keep `night_load`, `night_sales` and the availability version, and
///   the room-night's check against its booking, are dropped for the load and made again from
///   their own text at the end: the sums they would have added are counted as the rows are
///   written and added with one statement a night; the check is made on each room-night as it is
///   written (the trigger's condition);
/// - the change feed's trigger for a booking written on hold (`feed_room_held`) is dropped too: a
///   trigger on `booking` makes SQLite keep a statement journal for every booking row (half of the
///   rows' cost, measured). The rows it would fire for, the held bookings, are written at the end,
///   in their rowid's place, once it is made again, so it fires for them as always;
/// - foreign keys are off for the transaction (`takeReplica`): each booking's hotel and rooms are
///   checked against the hotel's rooms; prices, notes and room-nights belong to the booking
///   written just before them.
/// All of it is in the caller's transaction: a desk killed in the middle keeps none of it, not
/// even the dropped triggers and indexes. Anything the load cannot take as it is (a key met twice:
/// the server's data moved between two pages; a row the checks refuse) is thrown as
/// `ReplicaBulkCollision`, and the caller takes the replica again the careful way
/// (`writeServerBookings`, foreign keys and triggers on), which names what is wrong.
final class ReplicaBulkFill {
    /// The INSERT triggers whose work the load does itself. A trigger not named here keeps firing.
    static let bulkTriggers = ["room_night_firm_claimed", "night_sales_claimed", "availability_night_claimed", "night_sales_priced",
                               "room_night_matches_booking", "feed_room_held"]

    private let db: Database
    private let hotelId: String
    private let writer: NewBookingWriter
    private var dropped: [(kind: String, name: String, sql: String)] = []
    private let cacheSize: Int
    /// Each room's type, as an index into `types` (read once the first page wrote the rooms).
    private var roomTypes: [String: Int]?
    private var types: [String] = []
    /// What the dropped triggers would have added, a night at a time: firm room-nights and their
    /// revenue by room type (`sales[slot * types.count + type]`, the night's slot in `nights`);
    /// room-nights written.
    private var nights: [String: Int] = [:]
    private var sales: [(rooms: Int, revenue: Int64)] = []
    private var claimed = 0
    /// The rowid the next booking row takes (a desk with no booking: from 1, as SQLite gives them).
    private var nextRowid: Int64 = 1
    /// Bookings on hold, whose rows wait for `feed_room_held` (their prices, notes and room-nights
    /// are written with the page), each with its rowid.
    private var held: [(booking: StoredBooking, rowid: Int64)] = []

    /// Whether a desk's file can take a replica this way: it holds no booking at all.
    static func applies(_ db: Database) throws -> Bool {
        try Int.fetchOne(db, sql: "SELECT 1 FROM booking LIMIT 1") == nil
    }

    init(hotelId: UUID, _ db: Database) throws {
        self.db = db
        self.hotelId = SyncWire.uppercaseText(hotelId)
        // The load's pages stay in memory until the commit rather than spilling into the log
        // half-way (256 MB, as the demo import; the cache fills only as pages are used).
        cacheSize = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -65536
        try db.execute(sql: "PRAGMA cache_size = -262144")
        let quoted = Self.bulkTriggers.map { "'\($0)'" }.joined(separator: ", ")
        for row in try Row.fetchAll(db, sql: """
            SELECT type, name, sql FROM sqlite_master
            WHERE (type = 'index' AND tbl_name IN ('booking', 'room_night') AND sql IS NOT NULL
                   AND name NOT IN ('booking_hotel_id', 'room_night_booking'))
               OR (type = 'trigger' AND name IN (\(quoted)))
            ORDER BY type, name
            """) {
            let kind: String = row[0], name: String = row[1], sql: String = row[2]
            dropped.append((kind, name, sql))
        }
        for object in dropped {
            try db.execute(sql: "DROP \(object.kind == "index" ? "INDEX" : "TRIGGER") \(object.name.quotedDatabaseIdentifier)")
        }
        writer = try NewBookingWriter(db, rowids: true)
    }

    /// A page's bookings: rows, prices, notes and room-nights.
    func add(_ rows: [StoredBooking]) throws {
        if roomTypes == nil {
            var byRoom: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, room_type_id FROM room WHERE hotel_id = ?", arguments: [hotelId]) {
                let room: String = row[0], type: String = row[1]
                if let index = types.firstIndex(of: type) { byRoom[room] = index } else { byRoom[room] = types.count; types.append(type) }
            }
            roomTypes = byRoom
        }
        let roomTypes = roomTypes ?? [:]
        try collisions {
            for booking in rows {
                // The foreign keys of the row: this hotel, one of its rooms.
                guard booking.hotel == hotelId, let bookingType = roomTypes[booking.room] else { throw Refused() }
                for claim in booking.claims {
                    // room_night_matches_booking's condition; and the room is one of the hotel's.
                    guard claim.night >= booking.checkIn, claim.night < booking.checkOut,
                          claim.room == booking.room || (booking.roomSince != nil && claim.night < booking.roomSince!
                                                         && roomTypes[claim.room] != nil) else { throw Refused() }
                }
                // feed_room_held's condition: the row waits for the trigger.
                if booking.status == BookingStatus.reserving.rawValue {
                    held.append((booking, nextRowid))
                } else {
                    try writer.insertBookingRow(booking, rowid: nextRowid)
                }
                nextRowid += 1
                try writer.insertPricesAndNotes(booking)
                try writer.insertClaims(booking)
                claimed += booking.claims.count
                guard booking.hold == nil else { continue }
                for claim in booking.claims {
                    // room_night_firm_claimed and night_sales_claimed: the night's price, or 0.
                    let type = claim.room == booking.room ? bookingType : roomTypes[claim.room]!
                    let slot: Int
                    if let known = nights[claim.night] {
                        slot = known
                    } else {
                        slot = nights.count
                        nights[claim.night] = slot
                        sales.append(contentsOf: repeatElement((rooms: 0, revenue: Int64(0)), count: types.count))
                    }
                    let price = booking.prices.first { $0.night == claim.night }?.cents ?? 0
                    sales[slot * types.count + type].rooms += 1
                    sales[slot * types.count + type].revenue += price
                }
            }
        }
    }

    /// The derived tables and the availability version brought up to date, the triggers and
    /// indexes made again; the page cache as it was.
    func finish() throws {
        let load = try db.cachedStatement(sql: """
            INSERT INTO night_load (hotel_id, night, firm) VALUES (?, ?, ?)
            ON CONFLICT (hotel_id, night) DO UPDATE SET firm = firm + excluded.firm
            """)
        for (night, slot) in nights {
            let firm = sales[(slot * types.count)..<((slot + 1) * types.count)].reduce(0) { $0 + $1.rooms }
            try load.execute(arguments: [hotelId, night, firm])
        }
        let sold = try db.cachedStatement(sql: """
            INSERT INTO night_sales (hotel_id, night, room_type_id, rooms_sold, revenue_cents) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (hotel_id, night, room_type_id) DO UPDATE
            SET rooms_sold = rooms_sold + excluded.rooms_sold, revenue_cents = revenue_cents + excluded.revenue_cents
            """)
        for (night, slot) in nights {
            for (type, id) in types.enumerated() where sales[slot * types.count + type].rooms > 0 {
                let sums = sales[slot * types.count + type]
                try sold.execute(arguments: [hotelId, night, id, sums.rooms, sums.revenue])
            }
        }
        try db.execute(sql: "UPDATE availability_version SET version = version + ? WHERE hotel_id = ?", arguments: [claimed, hotelId])
        for object in dropped { try db.execute(sql: object.sql) }
        dropped = []
        // GRDB learns of a schema change from its statement authorizer, which a one-command
        // process's connection goes without (`FrontDeskStore.withoutStatementAuthorizer`).
        db.clearSchemaCache()
        try collisions {
            for (booking, rowid) in held { try writer.insertBookingRow(booking, rowid: rowid) }
        }
        held = []
        try db.execute(sql: "PRAGMA cache_size = \(cacheSize)")
    }

    private struct Refused: Error {}

    /// A key met twice, or a row the checks refused: `ReplicaBulkCollision`.
    private func collisions(_ body: () throws -> Void) throws {
        do { try body() } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            throw ReplicaBulkCollision(message: error.message ?? "\(error)")
        } catch is Refused {
            throw ReplicaBulkCollision(message: "a booking or room-night the careful way must check")
        }
    }
}

/// A first replica's bulk load met a key twice (a booking, its code or a room-night: the server's
/// data moved while its pages were read), or a row it leaves to the careful way's checks. The
/// caller takes the replica again the careful way, which writes or refuses it with its reason.
public struct ReplicaBulkCollision: Error, Sendable {
    public var message: String
}
