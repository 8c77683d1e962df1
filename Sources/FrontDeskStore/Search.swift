import Foundation
import FrontDeskDomain
import GRDB

extension FrontDeskStore {
    /// A search as a desk asks it, answered from one read of the file.
    public struct SearchResult: Sendable {
        public let hotel: Hotel
        public let query: AvailabilityQuery
        public let offers: [RoomOffer]
        /// Rooms left out of a stay from tonight because a guest who overstayed is still checked
        /// in there (`WithheldRoom`): the desk says why they are missing.
        public var withheld: [WithheldRoom] = []

        /// For another backend of the storage protocols (PostgreSQL).
        public init(hotel: Hotel, query: AvailabilityQuery, offers: [RoomOffer], withheld: [WithheldRoom] = []) {
            self.hotel = hotel
            self.query = query
            self.offers = offers
            self.withheld = withheld
        }

        /// The answer of `frontdesk search --json` and of the server's availability route.
        public var json: JSONValue {
            .object([
                ("checkIn", .date(query.stay.checkIn)), ("checkOut", .date(query.stay.checkOut)),
                ("guests", .int(query.guestCount)),
                ("rooms", .array(offers.map { offer in
                    .object([
                        ("roomId", .string(Identifier.lowercaseText(offer.room.id))),
                        ("roomNumber", .string(offer.room.number)),
                        ("roomType", .string(offer.roomType.name)),
                        ("capacity", .int(offer.roomType.capacity)),
                        ("totalPrice", .money(offer.totalPrice)),
                        ("nightlyPrices", .array(offer.nightlyPrices.map(\.json))),
                    ])
                })),
            ])
        }
    }

    /// Validates the raw search fields against the business date, then searches. Check-in
    /// defaults to the business date; check-out to `nights` (default 1) after check-in.
    public func search(checkIn: String?, checkOut: String?, nights: Int? = nil, guests: String) throws -> SearchResult {
        try read { db in
            let hotel = try requireHotel(db)
            let today = businessDate(for: hotel)
            let query = try AvailabilityQuery.validate(checkIn: checkIn ?? today.iso, checkOut: checkOut, nights: nights, guests: guests,
                                                       businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today, checkIn: checkIn))
            var withheld: [WithheldRoom] = []
            let offers = try offers(query, hotel: hotel, today: today, withheld: &withheld, db)
            return SearchResult(hotel: hotel, query: query, offers: offers, withheld: withheld)
        }
    }

    /// What a search's answer was made of, to tell later whether it is still the answer: the
    /// hotel's availability version (see `Schema.v7`), the business date, and the moment the first
    /// live hold in the stay lapses (a lapse frees a room without any write).
    public struct SearchStamp: Sendable, Equatable {
        /// The hotel as it was read: a change to it moves the version too.
        public let hotel: Hotel
        public let availabilityVersion: Int64
        public let businessDate: CalendarDate
        public let validUntil: Date?
        /// The instants the business date began and ends in the hotel's zone (nil with a fixed
        /// business date): the date is still `businessDate` exactly while the clock is between them,
        /// which a cached answer checks with two comparisons instead of a calendar per request.
        public var businessDay: Range<Date>? = nil

        /// For another backend of the storage protocols (PostgreSQL).
        public init(hotel: Hotel, availabilityVersion: Int64, businessDate: CalendarDate, validUntil: Date?,
                    businessDay: Range<Date>? = nil) {
            self.hotel = hotel
            self.availabilityVersion = availabilityVersion
            self.businessDate = businessDate
            self.validUntil = validUntil
            self.businessDay = businessDay
        }
    }

    /// A search and its stamp, read in one snapshot so the stamp describes exactly that answer.
    public func stampedSearch(checkIn: String?, checkOut: String?, guests: String) throws -> (result: SearchResult, stamp: SearchStamp) {
        try read { db in
            let hotel = try requireHotel(db)
            let today = businessDate(for: hotel)
            let query = try AvailabilityQuery.validate(checkIn: checkIn ?? today.iso, checkOut: checkOut, nights: nil, guests: guests,
                                                       businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today, checkIn: checkIn))
            var withheld: [WithheldRoom] = []
            let offers = try offers(query, hotel: hotel, today: today, withheld: &withheld, db)
            let result = SearchResult(hotel: hotel, query: query, offers: offers, withheld: withheld)
            let firstLapse = try String.fetchOne(db.cachedStatement(sql: """
                SELECT MIN(hold_expires_at) FROM room_night
                WHERE hotel_id = ?1 AND night >= ?2 AND night < ?3 AND hold_expires_at > ?4
                """), arguments: [hotel.id.uuidString, query.stay.checkIn.iso, query.stay.checkOut.iso, Timestamp.text(now)])
            let stamp = SearchStamp(hotel: hotel, availabilityVersion: try availabilityVersion(hotel.id, db), businessDate: today,
                                    // An answer that sells the night under way, or tonight while a
                                    // guest overstays, is not kept: it also reads who is in house,
                                    // which no version follows (a check-out frees the room).
                                    validUntil: try withholdsTonight(query, hotel: hotel, today: today, db) ? .distantPast : firstLapse.map { Timestamp.date($0) ?? .distantPast },
                                    businessDay: businessDateOverride == nil ? Self.instants(of: today, in: hotel.timeZone) : nil)
            return (result, stamp)
        }
    }

    /// Whether `query`'s answer reads who is in house: it sells the night under way, or tonight
    /// while a guest who overstayed is still checked in (their room left out, `WithheldRoom`).
    /// An overstay that begins after a kept answer (a check-out undone) is refused by the sale.
    private func withholdsTonight(_ query: AvailabilityQuery, hotel: Hotel, today: CalendarDate, _ db: Database) throws -> Bool {
        if query.stay.checkIn < today { return true }
        guard query.stay.checkIn == today else { return false }
        return try db.value(Int.self, sql: Self.anyOverstayingGuestSQL, arguments: [hotel.id.storedText, today.iso]) != nil
    }

    /// Whether an answer stamped `stamp` is still the answer now: nothing it was made of has been
    /// written since, the business date is the same and no live hold in its stay has lapsed.
    public func searchIsCurrent(_ stamp: SearchStamp) throws -> Bool {
        let now = self.now
        if let validUntil = stamp.validUntil, now >= validUntil { return false }
        if let day = stamp.businessDay {
            guard day.contains(now) else { return false }
        } else {
            guard businessDate(for: stamp.hotel) == stamp.businessDate else { return false }
        }
        // One statement needs no transaction around it: it reads one committed state on its own.
        // This is the whole cost of a cached answer, so it skips BEGIN and COMMIT (and GRDB).
        // Each request takes a reader of its own from the pool (made on first need), so requests
        // on different threads do not wait for each other's read.
        let reader = try shared.stampReaders.withLock { $0.popLast() } ?? VersionReader(path: path)
        let version = try reader.version(of: stamp.hotel.id)
        shared.stampReaders.withLock { $0.append(reader) }
        return version == stamp.availabilityVersion
    }

    /// From the first instant of `date` in `zone` up to the first instant of the next date (a
    /// day of 23 or 25 hours across a clock change; a day that starts after midnight where the
    /// zone skips it).
    public static func instants(of date: CalendarDate, in zone: TimeZone) -> Range<Date>? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        func start(_ date: CalendarDate) -> Date? {
            let (year, month, day) = date.components
            return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12)).map { calendar.startOfDay(for: $0) }
        }
        guard let first = start(date), let next = start(date.adding(days: 1)), first < next else { return nil }
        return first..<next
    }

    private func availabilityVersion(_ hotelId: UUID, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT version FROM availability_version WHERE hotel_id = ?"),
                           arguments: [hotelId.uuidString]) ?? 0
    }

    /// The design's availability algorithm: active rooms that sleep enough guests, minus rooms
    /// with a night held in the stay (live holds count, lapsed ones do not), each priced night by
    /// night, cheapest total first, then by room number.
    public func availableRooms(_ query: AvailabilityQuery) throws -> [RoomOffer] {
        try read { db in
            let hotel = try requireHotel(db)
            return try offers(query, hotel: hotel, today: businessDate(for: hotel), db)
        }
    }

    func offers(_ query: AvailabilityQuery, hotel: Hotel, today: CalendarDate, _ db: Database) throws -> [RoomOffer] {
        var withheld: [WithheldRoom] = []
        return try offers(query, hotel: hotel, today: today, withheld: &withheld, db)
    }

    /// `withheld`: the rooms left out of a stay from tonight for a guest who overstayed there.
    func offers(_ query: AvailabilityQuery, hotel: Hotel, today: CalendarDate, withheld: inout [WithheldRoom],
                _ db: Database) throws -> [RoomOffer] {
        let loads = try nightLoads(stay: query.stay, hotelId: hotel.id, db)
        let factors = pricing.nightlyFactors(stay: query.stay, businessDate: today) { loads[$0] ?? .init(held: 0, active: 0) }
        // Price depends on the room type and the night only: decode and price each type once,
        // known by its rowid. Rows are decoded straight from the statement, not copied first.
        var types: [Int64: (type: RoomType, prices: [NightlyPrice])] = [:]
        var offers: [RoomOffer] = []
        let rows = try Row.fetchCursor(db.cachedStatement(sql: Self.availableRoomsSQL),
                                       arguments: [hotel.id.uuidString, query.guestCount, query.stay.checkIn.iso,
                                                   query.stay.checkOut.iso, Timestamp.text(now)])
        while let row = try rows.next() {
            let typeRow = StoredRow(row, table: "room_type", rowid: 7)
            let typeKey: Int64 = row[7]
            let entry: (type: RoomType, prices: [NightlyPrice])
            if let known = types[typeKey] {
                entry = known
            } else {
                let type = RoomType(id: try typeRow.id(2, "id"), hotelId: hotel.id, name: try typeRow.text(3, "name"),
                                    capacity: try typeRow.integer(4, "capacity", in: 1...10),
                                    basePricePerNight: try typeRow.money(5, "base_price_cents"))
                entry = (type, factors.prices(basePrice: type.basePricePerNight))
                types[typeKey] = entry
            }
            let roomRow = StoredRow(row, table: "room", rowid: 6)
            let room = Room(id: try roomRow.id(0, "id"), hotelId: hotel.id, roomTypeId: entry.type.id,
                            number: try roomRow.text(1, "number"), isActive: true)
            offers.append(RoomOffer(room: room, roomType: entry.type, nightlyPrices: entry.prices))
        }
        if query.stay.checkIn < today {
            // The night under way (a walk-in after midnight): a room with a guest in house is not
            // free, claim or none (one who came after midnight on a stay from today, or stayed
            // past departure, sleeps there now).
            let occupied = Set(try db.values(String.self, sql: Self.roomsWithAGuestInHouseSQL, arguments: [hotel.id.storedText]))
            offers.removeAll { occupied.contains($0.room.id.storedText) }
        } else if query.stay.checkIn == today {
            // Tonight: a guest due out before today and still checked in sleeps there (they
            // overstayed, or nobody checked them out); their room is named, not silently missing.
            let overstayed = try Row.fetchAll(db, sql: Self.roomsWithAnOverstayingGuestSQL, arguments: [hotel.id.storedText, today.iso])
            var byRoom: [String: WithheldRoom] = [:]
            for row in overstayed {
                byRoom[row[0]] = WithheldRoom(roomNumber: row[1], guestName: row[2], confirmationCode: row[3],
                                              dueOut: CalendarDate(iso: row[4]) ?? today)
            }
            if !byRoom.isEmpty {
                withheld = offers.compactMap { byRoom[$0.room.id.storedText] }
                offers.removeAll { byRoom[$0.room.id.storedText] != nil }
            }
        }
        return offers.sortedForSale()
    }

    static let roomsWithAGuestInHouseSQL = "SELECT room_id FROM booking WHERE hotel_id = ? AND status = 'CheckedIn'"
    /// A booking `b` of the hotel (first argument) still checked in though due out before a date
    /// (second): the overstayed, as the day lists and tonight's searches find them. Through the
    /// status index (`+` keeps SQLite off the hotel's check-out index, which reads every past
    /// booking: 50 ms in 300,000 rows against 1 ms).
    static let checkedInDueOutBefore = "b.status = 'CheckedIn' AND +b.hotel_id = ? AND +b.check_out < ?"
    static let roomsWithAnOverstayingGuestSQL = """
        SELECT b.room_id, r.number, b.guest_name, b.confirmation_code, b.check_out
        FROM booking b JOIN room r ON r.id = b.room_id WHERE \(checkedInDueOutBefore)
        """
    /// Whether any guest of the hotel overstayed: tonight's answer then is not kept.
    static let anyOverstayingGuestSQL = "SELECT 1 FROM booking b WHERE \(checkedInDueOutBefore) LIMIT 1"

    /// A room sold from the night under way or from tonight must be empty then (`offers`):
    /// refused, in words, when a guest is checked in there for the night under way, or when one
    /// due out before today is still checked in there for tonight. Later nights ask nothing.
    func requireNobodyInRoom(_ room: Room, firstNight: CalendarDate, today: CalendarDate, _ db: Database) throws {
        guard firstNight <= today else { return }
        if let other = try db.row(sql: """
            SELECT guest_name, confirmation_code, check_out FROM booking
            WHERE status = 'CheckedIn' AND room_id = ?1 AND (?2 < ?3 OR check_out < ?3) LIMIT 1
            """, arguments: [room.id.storedText, firstNight.iso, today.iso]) {
            throw FrontDeskError.roomUnavailable(firstNight < today
                ? Room.guestInHouse(room.number, guest: other[0], booking: other[1], night: firstNight)
                : Room.overstayingGuest(room.number, guest: other[0], booking: other[1],
                                        dueOut: CalendarDate(iso: other[2]) ?? today, night: firstNight))
        }
    }

    /// Room types that sleep enough guests (a handful of rows) drive the search; their active
    /// rooms come from a covering index; the nights held in the stay are gathered once, from one
    /// contiguous range of `room_night_hotel_night`, and every room not among them is free.
    /// `CROSS JOIN` pins that order whether or not the file has been analysed.
    static let availableRoomsSQL = """
        SELECT r.id, r.number, t.id, t.name, t.capacity, t.base_price_cents, r.rowid, t.rowid
        FROM room_type t CROSS JOIN room r ON r.room_type_id = t.id
        WHERE t.capacity >= ?2 AND r.hotel_id = ?1 AND r.is_active = 1
          AND r.id NOT IN (SELECT n.room_id FROM room_night n
                           WHERE n.hotel_id = ?1 AND n.night >= ?3 AND n.night < ?4
                             AND (n.hold_expires_at IS NULL OR n.hold_expires_at > ?5))
        """
}
