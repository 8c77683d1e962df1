import Foundation
import FrontDeskDomain
import GRDB

/// A room with its type, as lists and screens show it.
public struct RoomListing: Hashable, Sendable {
    public let room: Room
    public let type: RoomType

    public init(room: Room, type: RoomType) {
        self.room = room
        self.type = type
    }

    /// A room as `frontdesk rooms --json` and the server's room list show it.
    public var json: JSONValue {
        .object([
            ("roomId", .string(SyncWire.lowercaseText(room.id))),
            ("roomNumber", .string(room.number)),
            ("roomType", .string(type.name)),
            ("capacity", .int(type.capacity)),
            ("isActive", .bool(room.isActive)),
        ])
    }
}

extension FrontDeskStore {
    public func roomTypes() throws -> [RoomType] {
        try read { db in try fetchRoomTypes(db) }
    }

    func fetchRoomTypes(_ db: Database) throws -> [RoomType] {
        let scope = hotelCondition("hotel_id")
        return try db.rows(sql: """
            SELECT id, hotel_id, name, capacity, base_price_cents, rowid FROM room_type WHERE 1\(scope.sql) ORDER BY base_price_cents, name
            """, arguments: scope.arguments).map { row in try Self.roomType(from: StoredRow(row, table: "room_type", rowid: 5)) }
    }

    /// Columns id, hotel_id, name, capacity, base_price_cents from `first` on.
    static func roomType(from stored: StoredRow, at first: Int = 0) throws(StoreError) -> RoomType {
        RoomType(id: try stored.id(first, "id"), hotelId: try stored.id(first + 1, "hotel_id"),
                 name: try stored.text(first + 2, "name"), capacity: try stored.integer(first + 3, "capacity", in: 1...10),
                 basePricePerNight: try stored.money(first + 4, "base_price_cents"))
    }

    public func addRoomType(name: String, capacity: Int, basePrice: Money, by user: String) throws -> RoomType {
        try RoomType.validate(name: name, capacity: capacity, basePricePerNight: basePrice)
        return try write { db in
            try requireNotReplica(administering: "room types", db)
            let hotel = try requireHotel(db)
            let type = RoomType(id: UUID(), hotelId: hotel.id, name: name.trimmingCharacters(in: .whitespaces),
                                capacity: capacity, basePricePerNight: basePrice)
            if let other = try fetchRoomTypes(db).first(where: { $0.name.lowercased() == type.name.lowercased() }) {
                throw FrontDeskError.conflict("A room type named \(other.name) already exists")
            }
            try Self.insert(type, db)
            try feedPropertyChange(.roomType(type.id), hotelId: hotel.id, db)
            try audit(db, user: user, action: "roomType.added",
                      summary: "Room type \(type.name) added (sleeps \(capacity), \(basePrice.plain) a night)")
            return type
        }
    }

    /// A type's name, capacity or base price changed (`RoomTypeChange`): audited and fed to the
    /// desks; bookings keep their prices. A connected desk's types are the server's: refused.
    public func changeRoomType(id: UUID, _ change: RoomTypeChange, by user: String) throws -> RoomType {
        try change.check()
        return try write { db in
            try requireNotReplica(administering: "room types", db)
            let hotel = try requireHotel(db)
            let types = try fetchRoomTypes(db)
            guard let old = types.first(where: { $0.id == id }) else {
                throw FrontDeskError.notFound("No room type with id \(id.uuidString.lowercased())")
            }
            var overCapacity: [String] = []
            if let capacity = change.capacity, capacity < old.capacity {
                overCapacity = try db.values(String.self, sql: """
                    SELECT b.confirmation_code FROM booking b JOIN room r ON r.id = b.room_id
                    WHERE r.room_type_id = ? AND b.guest_count > ? AND b.check_out > ?
                      AND b.status IN ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn')
                      AND (b.hold_expires_at IS NULL OR b.hold_expires_at > ?)
                    ORDER BY b.check_in LIMIT 6
                    """, arguments: [id.uuidString, capacity, businessDate(for: hotel).iso, Timestamp.text(now)])
            }
            let type = try change.applied(to: old, overCapacity: overCapacity)
            // What it is already: nothing written, no feed entry sending desks to fetch the types.
            guard let summary = RoomTypeChange.auditSummary(from: old, to: type) else { return type }
            if let other = types.first(where: { $0.id != id && $0.name.lowercased() == type.name.lowercased() }) {
                throw FrontDeskError.conflict("A room type named \(other.name) already exists")
            }
            try db.run(sql: "UPDATE room_type SET name = ?, capacity = ?, base_price_cents = ? WHERE id = ?",
                       arguments: [type.name, type.capacity, type.basePricePerNight.minorUnits, id.uuidString])
            try feedPropertyChange(.roomType(type.id), hotelId: hotel.id, db)
            try audit(db, user: user, action: "roomType.changed", summary: summary)
            return type
        }
    }

    static func insert(_ type: RoomType, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO room_type (id, hotel_id, name, capacity, base_price_cents) VALUES (?, ?, ?, ?, ?)",
            arguments: [type.id.uuidString, type.hotelId.uuidString, type.name, type.capacity, type.basePricePerNight.minorUnits])
    }

    public func rooms() throws -> [RoomListing] {
        try read { db in try fetchRooms(db, whereClause: "", arguments: []) }
    }

    static let roomColumns = """
        SELECT r.id, r.hotel_id, r.room_type_id, r.number, r.is_active,
               t.id, t.hotel_id, t.name, t.capacity, t.base_price_cents, r.rowid, t.rowid
        FROM room r JOIN room_type t ON t.id = r.room_type_id
        """

    /// `whereClause` is empty or a `WHERE …`; a scoped store adds its hotel to it.
    func fetchRooms(_ db: Database, whereClause: String, arguments: StatementArguments) throws -> [RoomListing] {
        let scope = hotelCondition("r.hotel_id")
        let rows = try Row.fetchAll(db.cachedStatement(sql: Self.roomColumns + " " + (whereClause.isEmpty ? "WHERE 1" : whereClause) + scope.sql),
                                    arguments: arguments + scope.arguments)
        // A hotel has hundreds of rooms of a handful of types: each type is decoded once.
        var types: [String: RoomType] = [:]
        return try rows.map { row in
            let typeRow = StoredRow(row, table: "room_type", rowid: 11)
            let typeKey = try typeRow.text(5, "id")
            let type: RoomType
            if let known = types[typeKey] {
                type = known
            } else {
                type = try Self.roomType(from: typeRow, at: 5)
                types[typeKey] = type
            }
            let roomRow = StoredRow(row, table: "room", rowid: 10)
            let room = Room(id: try roomRow.id(0, "id"), hotelId: type.hotelId, roomTypeId: type.id,
                            number: try roomRow.text(3, "number"), isActive: try roomRow.flag(4, "is_active"))
            return (listing: RoomListing(room: room, type: type), key: RoomNumberOrder.Key(room.number))
        }.sorted { $0.key < $1.key }.map(\.listing)
    }

    /// This store's hotel, or "not found" (a scoped store whose hotel does not exist).
    public func requireHotelExists() throws -> Hotel {
        try read { db in try requireHotel(db) }
    }

    /// A room of this store's hotel by its id.
    public func room(id: UUID) throws -> RoomListing? {
        try read { db in try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [id.uuidString]).first }
    }

    func fetchRoom(number: String, _ db: Database) throws -> RoomListing? {
        try fetchRooms(db, whereClause: "WHERE r.number = ?", arguments: [number.trimmingCharacters(in: .whitespaces)]).first
    }

    func requireRoom(number: String, _ db: Database) throws -> RoomListing {
        // As typed, then in the form new numbers are given (full-width digits are plain ones).
        let folded = try Room.validNumber(number)
        guard let listing = try fetchRoom(number: number, db) ?? fetchRoom(number: folded, db) else {
            throw FrontDeskError.notFound("Room \(BookingRules.quoted(number)) does not exist")
        }
        return listing
    }

    public func addRoom(number: String, typeName: String, by user: String) throws -> RoomListing {
        try write { db in
            try requireNotReplica(administering: "rooms", db)
            let hotel = try requireHotel(db)
            let type = try RoomType.named(typeName, in: try fetchRoomTypes(db))
            let room = try Room.create(id: UUID(), hotelId: hotel.id, roomTypeId: type.id, number: number)
            if try fetchRoom(number: room.number, db) != nil {
                throw FrontDeskError.conflict("Room \(room.number) already exists")
            }
            try Self.insert(room, db)
            try feedPropertyChange(.room(room.id, number: room.number), hotelId: room.hotelId, db)
            try recordEvents(of: room, db, user: user)
            return RoomListing(room: room, type: type)
        }
    }

    static func insert(_ room: Room, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO room (id, hotel_id, room_type_id, number, is_active) VALUES (?, ?, ?, ?, ?)",
            arguments: [room.id.uuidString, room.hotelId.uuidString, room.roomTypeId.uuidString, room.number, room.isActive])
    }

    public func renameRoom(_ number: String, to newNumber: String, by user: String) throws -> RoomListing {
        try changeRoom(number, newNumber: newNumber, isActive: nil, by: user)
    }

    /// A new number and a new state (`PATCH /api/rooms/{id}`) in one transaction: either is
    /// refused and neither is made. Nil leaves that part as it is.
    public func changeRoom(_ number: String, newNumber: String?, isActive: Bool?, by user: String) throws -> RoomListing {
        try changeRoom(number, by: user) { room, db in
            try room.change(newNumber: newNumber, isActive: isActive, numberTaken: { try fetchRoom(number: $0, db) != nil },
                            takeOutOfService: { try takeOutOfService(&$0, db) })
        }
    }

    public func activateRoom(_ number: String, by user: String) throws -> RoomListing {
        try changeRoom(number, by: user) { room, _ in room.activate() }
    }

    /// Refused while the room still has guests or bookings to come: they would be stranded.
    /// The confirmation codes of the bookings holding `number` from the first night still open
    /// on (`firstNightHeld`: before 06:00 the night under way), by their first night there: what
    /// must move (or be cancelled) before the room goes out of service.
    public func bookingsHoldingRoom(_ number: String) throws -> [String] {
        try read { db in
            let room = try requireRoom(number: number, db).room
            return try db.values(String.self, sql: """
                SELECT b.confirmation_code FROM room_night n JOIN booking b ON b.id = n.booking_id
                WHERE n.room_id = ? AND n.night >= ? AND b.status IN ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn')
                GROUP BY b.id ORDER BY min(n.night)
                """, arguments: [room.id.uuidString, firstNightHeld(by: try fetchHotel(db)).iso])
        }
    }

    /// The first night a booking of a room still needs it for: the business date's, and before
    /// 06:00 the night under way (`Hotel.nightUnderWay`: its guest may still come and be checked
    /// in to it; a room taken out of service then left a walk-in of that night checked in to a
    /// room out of service).
    private func firstNightHeld(by hotel: Hotel?) -> CalendarDate {
        let today = businessDate(for: hotel)
        return nightUnderWay(for: hotel, today: today) ?? today
    }

    public func deactivateRoom(_ number: String, by user: String) throws -> RoomListing {
        try changeRoom(number, by: user) { room, db in try takeOutOfService(&room, db) }
    }

    private func takeOutOfService(_ room: inout Room, _ db: Database) throws {
        // Before 06:00 from the night under way: a booking of it not yet checked in holds the room.
        let firstNight = firstNightHeld(by: try fetchHotel(db))
        let upcoming = try db.values(String.self, sql: """
            SELECT DISTINCT b.confirmation_code FROM room_night n JOIN booking b ON b.id = n.booking_id
            WHERE n.room_id = ? AND n.night >= ? AND b.status IN ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn')
            ORDER BY n.night LIMIT 6
            """, arguments: [room.id.uuidString, firstNight.iso])
        let inHouse = try db.values(String.self, sql: """
            SELECT confirmation_code FROM booking WHERE room_id = ? AND status = 'CheckedIn' ORDER BY check_out LIMIT 6
            """, arguments: [room.id.uuidString])
        try room.deactivate(upcoming: upcoming, inHouse: inHouse, today: firstNight)
    }

    private func changeRoom(_ number: String, by user: String,
                            _ change: (inout Room, Database) throws -> Void) throws -> RoomListing {
        try write { db in
            try requireNotReplica(administering: "rooms", db)
            let listing = try requireRoom(number: number, db)
            var room = listing.room
            try change(&room, db)
            // Asked for what it is already (activated when active, renumbered to its number):
            // nothing written, no feed entry for every desk to fetch the rooms again.
            if room.events.isEmpty { return listing }
            try db.run(sql: "UPDATE room SET number = ?, is_active = ? WHERE id = ?",
                           arguments: [room.number, room.isActive, room.id.uuidString])
            try feedPropertyChange(.room(room.id, number: room.number), hotelId: room.hotelId, db)
            try recordEvents(of: room, db, user: user)
            return RoomListing(room: room, type: listing.type)
        }
    }

    /// Writes the room's domain events to the audit trail.
    private func recordEvents(of room: Room, _ db: Database, user: String) throws {
        for event in room.events {
            try audit(db, user: user, action: event.name, roomId: room.id, summary: event.summary(of: room))
        }
    }
}
