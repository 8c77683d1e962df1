import Foundation
import FrontDeskDomain
import FrontDeskStore
import NIOPosix
import PostgresNIO

/// One hotel of a chain on PostgreSQL: every call sees this hotel only.
struct PostgresHotelStorage: HotelStorage {
    let chain: PostgresChainStorage
    let hotelId: UUID
    /// The business date rules are checked against when it is not today's: a desk's booking,
    /// cancel, check-in, check-out or undo pushed later is checked as of the day it was made
    /// (`applySync`).
    var ruleDate: CalendarDate? = nil
    /// When that pushed operation was made: the hour its rules are judged at where the hour
    /// matters (`Hotel.nightUnderWay`). Nil: now.
    var ruleInstant: Date? = nil

    /// The night still under way for `hotel`'s rules now (or when the pushed operation was made).
    func nightUnderWay(for hotel: Hotel?, today: CalendarDate) -> CalendarDate? {
        hotel?.nightUnderWay(at: ruleInstant ?? now, businessDate: today)
    }

    /// The night `booking`'s guest arrived for when checked in now, if not `today`'s (`Hotel.nightOfArrival`).
    func nightOfArrival(for booking: Booking, _ hotel: Hotel?, today: CalendarDate) -> CalendarDate? {
        hotel?.nightOfArrival(for: booking, at: ruleInstant ?? now, businessDate: today)
    }

    /// The same, for a stay typed to begin on `checkIn`: nil unless that is before `today`.
    func nightUnderWay(for hotel: Hotel?, today: CalendarDate, checkIn: String?) -> CalendarDate? {
        hotel?.nightUnderWay(forCheckIn: checkIn, at: ruleInstant ?? now, businessDate: today)
    }

    var now: Date { chain.now }

    func write<T>(_ body: (PostgresSession) throws -> T) throws -> T { try chain.write(hotel: hotelId, body) }
    func read<T>(_ body: (PostgresSession) throws -> T) throws -> T { try chain.read(body) }

    func requireHotel(_ session: PostgresSession) throws -> Hotel { try chain.requireHotel(hotelId, session) }

    func inOneSnapshot<T>(_ body: () throws -> T) throws -> T { try chain.inOneSnapshot(body) }

    func audit(_ session: PostgresSession, user: String, action: String, bookingId: UUID? = nil, roomId: UUID? = nil,
               summary: String, before: Booking? = nil, after: Booking? = nil) throws {
        try chain.audit(session, hotelId: hotelId, user: user, action: action, bookingId: bookingId, roomId: roomId,
                        summary: summary, before: before, after: after)
    }

    // MARK: Hotel

    func requireHotelExists() throws -> Hotel {
        try read { session in try requireHotel(session) }
    }

    func businessDate() throws -> CalendarDate {
        try read { session in chain.businessDate(for: try chain.fetchHotel(hotelId, session)) }
    }

    // MARK: Availability

    func stampedSearch(checkIn: String?, checkOut: String?, guests: String) throws
        -> (result: FrontDeskStore.SearchResult, stamp: FrontDeskStore.SearchStamp) {
        try read { session in
            let hotel = try requireHotel(session)
            let today = chain.businessDate(for: hotel)
            let query = try AvailabilityQuery.validate(checkIn: checkIn ?? today.iso, checkOut: checkOut, nights: nil, guests: guests,
                                                       businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today, checkIn: checkIn))
            var withheld: [WithheldRoom] = []
            let offers = try offers(query, hotel: hotel, today: today, withheld: &withheld, session)
            let result = FrontDeskStore.SearchResult(hotel: hotel, query: query, offers: offers, withheld: withheld)
            let instant = now
            let lapse = try session.rows("""
                SELECT MIN(hold_expires_at) FROM room_night
                WHERE hotel_id = $1 AND night >= $2::date AND night < $3::date AND hold_expires_at > $4
                """, [hotelId, query.stay.checkIn.iso, query.stay.checkOut.iso, instant])
            let firstLapse = try lapse.first.flatMap { try ColumnReader($0, table: "room_night").optionalInstant(0) }
            let stamp = FrontDeskStore.SearchStamp(
                hotel: hotel, availabilityVersion: try availabilityVersion(session), businessDate: today,
                // An answer that sells the night under way, or tonight while a guest overstays, is
                // not kept (as SQLite's).
                validUntil: try withholdsTonight(query, today: today, session) ? .distantPast : firstLapse,
                businessDay: chain.businessDateOverride == nil ? FrontDeskStore.instants(of: today, in: hotel.timeZone) : nil)
            return (result, stamp)
        }
    }

    func searchIsCurrent(_ stamp: FrontDeskStore.SearchStamp) throws -> Bool {
        guard isStillDated(stamp) else { return false }
        return try chain.versionReads.version(of: hotelId) {
            try chain.readOne { session in try availabilityVersion(session) }
        } == stamp.availabilityVersion
    }

    /// The same answer from the request's own task, on a connection that is idle right now: a
    /// kept availability answer is checked without handing the request to a worker thread and
    /// back (BENCHMARKS.md, issue 13, session 14). nil when no connection is idle.
    func searchIsCurrentWithoutWaiting(_ stamp: FrontDeskStore.SearchStamp) async throws -> Bool? {
        guard isStillDated(stamp) else { return false }
        let (pool, hotelId) = (chain.pool, hotelId)
        do {
            // A read shared with other requests may find no idle connection: it then reads the
            // blocking way, on a worker thread of the pool's own.
            let version = try await chain.versionReads.version(of: hotelId) {
                if let read = try await pool.withIdleConnection({ session in
                    try await session.rowsWithoutBlocking(AvailabilityVersionRead.self, [hotelId]).first
                        .map { try ColumnReader($0, table: "hotel_clock").int64(0) } ?? 0
                }) {
                    return read
                }
                return try await Self.blockingRead { try pool.withConnection { session in try Self.availabilityVersion(of: hotelId, session) } }
            }
            return version == stamp.availabilityVersion
        } catch {
            throw PostgresChainStorage.translated(error)
        }
    }

    /// Runs a blocking read on a thread of NIO's blocking pool, never on Dispatch's global queue:
    /// on Linux that queue's few threads are the ones Swift's tasks run on (a thread dump of a
    /// serving instance shows them as `com.apple.root.default-qos`), and a read blocked there
    /// waiting for a connection holds one of them from the tasks that would give a connection
    /// back (DECISIONS.md "Blocking calls never wait on Dispatch's global queue").
    private static func blockingRead<T: Sendable>(_ read: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(read)
    }

    /// Whether the answer's date and its holds still stand: its business date is today's and no
    /// live hold in its stay has lapsed since.
    private func isStillDated(_ stamp: FrontDeskStore.SearchStamp) -> Bool {
        let instant = chain.clock()
        if let validUntil = stamp.validUntil, instant >= validUntil { return false }
        if let day = stamp.businessDay { return day.contains(instant) }
        return chain.businessDate(for: stamp.hotel) == stamp.businessDate
    }

    private func availabilityVersion(_ session: PostgresSession) throws -> Int64 {
        try Self.availabilityVersion(of: hotelId, session)
    }

    private static func availabilityVersion(of hotelId: UUID, _ session: PostgresSession) throws -> Int64 {
        try session.rows(AvailabilityVersionRead.self, [hotelId]).first
            .map { try ColumnReader($0, table: "hotel_clock").int64(0) } ?? 0
    }

    /// Every answer from the availability cache asks this: prepared once per connection, since
    /// planning it each time cost PostgreSQL four times what running it did (BENCHMARKS.md,
    /// issue 13, session 13).
    private enum AvailabilityVersionRead: NamedStatement {
        static let name = "frontdesk_availability_version"
        static let sql = PostgresSchema.availabilityVersionRead(hotel: "$1::uuid")
    }

    /// Active rooms that sleep enough guests, minus rooms with a night held in the stay (live
    /// holds count, lapsed ones do not), each priced night by night; cheapest first (the domain's order).
    func offers(_ query: AvailabilityQuery, hotel: Hotel, today: CalendarDate, _ session: PostgresSession) throws -> [RoomOffer] {
        var withheld: [WithheldRoom] = []
        return try offers(query, hotel: hotel, today: today, withheld: &withheld, session)
    }

    /// `withheld`: the rooms left out of a stay from tonight for a guest who overstayed there (as SQLite's).
    func offers(_ query: AvailabilityQuery, hotel: Hotel, today: CalendarDate, withheld: inout [WithheldRoom],
                _ session: PostgresSession) throws -> [RoomOffer] {
        let instant = now
        let rows = try session.rows("""
            SELECT r.id, r.number, t.id, t.name, t.capacity::int8, t.base_price_cents
            FROM room_type t JOIN room r ON r.room_type_id = t.id
            WHERE t.capacity >= $2 AND r.hotel_id = $1 AND r.is_active
              AND NOT EXISTS (SELECT 1 FROM room_night n
                              WHERE n.room_id = r.id AND n.night >= $3::date AND n.night < $4::date
                                AND (n.hold_expires_at IS NULL OR n.hold_expires_at > $5))
            """, [hotelId, query.guestCount, query.stay.checkIn.iso, query.stay.checkOut.iso, instant])
        let loads = try nightLoads(stay: query.stay, session)
        let factors = chain.pricing.nightlyFactors(stay: query.stay, businessDate: today) { loads[$0] ?? .init(held: 0, active: 0) }
        var types: [UUID: (type: RoomType, prices: [NightlyPrice])] = [:]
        let offers = try rows.map { row -> RoomOffer in
            let columns = ColumnReader(row, table: "room")
            let typeId = try columns.uuid(2)
            let entry: (type: RoomType, prices: [NightlyPrice])
            if let known = types[typeId] {
                entry = known
            } else {
                let type = RoomType(id: typeId, hotelId: hotel.id, name: try columns.text(3), capacity: try columns.int(4),
                                    basePricePerNight: Money(minorUnits: try columns.int64(5)))
                entry = (type, factors.prices(basePrice: type.basePricePerNight))
                types[typeId] = entry
            }
            let room = Room(id: try columns.uuid(0), hotelId: hotel.id, roomTypeId: typeId, number: try columns.text(1), isActive: true)
            return RoomOffer(room: room, roomType: entry.type, nightlyPrices: entry.prices)
        }
        if query.stay.checkIn < today {
            // The night under way: a room with a guest in house is not free (as SQLite's `offers`).
            let occupied = Set(try session.rows("SELECT room_id FROM booking WHERE hotel_id = $1 AND status = 'CheckedIn'", [hotelId])
                .map { try ColumnReader($0, table: "booking").uuid(0) })
            return offers.filter { !occupied.contains($0.room.id) }.sortedForSale()
        }
        if query.stay.checkIn == today {
            // Tonight: a guest due out before today and still checked in sleeps there (as SQLite's).
            var byRoom: [UUID: WithheldRoom] = [:]
            for row in try session.rows("""
                SELECT b.room_id, r.number, b.guest_name, b.confirmation_code, b.check_out::text
                FROM booking b JOIN room r ON r.id = b.room_id
                WHERE b.hotel_id = $1 AND b.status = 'CheckedIn' AND b.check_out < $2::date
                """, [hotelId, today.iso]) {
                let columns = ColumnReader(row, table: "booking")
                byRoom[try columns.uuid(0)] = WithheldRoom(roomNumber: try columns.text(1), guestName: try columns.text(2),
                                                           confirmationCode: try columns.text(3),
                                                           dueOut: CalendarDate(iso: try columns.text(4)) ?? today)
            }
            if !byRoom.isEmpty {
                withheld = offers.compactMap { byRoom[$0.room.id] }
                return offers.filter { byRoom[$0.room.id] == nil }.sortedForSale()
            }
        }
        return offers.sortedForSale()
    }

    /// Whether `query`'s answer reads who is in house: the night under way, or tonight while a
    /// guest of the hotel overstays (as SQLite's).
    private func withholdsTonight(_ query: AvailabilityQuery, today: CalendarDate, _ session: PostgresSession) throws -> Bool {
        if query.stay.checkIn < today { return true }
        guard query.stay.checkIn == today else { return false }
        return try !session.rows("SELECT 1 FROM booking WHERE hotel_id = $1 AND status = 'CheckedIn' AND check_out < $2::date LIMIT 1",
                                 [hotelId, today.iso]).isEmpty
    }

    /// A room sold from the night under way or from tonight must be empty then: refused, in words,
    /// when a guest is checked in there for the night under way, or one due out before today is
    /// still checked in there for tonight (as SQLite's `requireNobodyInRoom`).
    func requireNobodyInRoom(_ room: Room, firstNight: CalendarDate, today: CalendarDate, _ session: PostgresSession) throws {
        guard firstNight <= today else { return }
        if let other = try session.rows("""
            SELECT guest_name, confirmation_code, check_out::text FROM booking
            WHERE status = 'CheckedIn' AND room_id = $1 AND ($2::date < $3::date OR check_out < $3::date) LIMIT 1
            """, [room.id, firstNight.iso, today.iso]).first {
            let columns = ColumnReader(other, table: "booking")
            let (guest, booking) = (try columns.text(0), try columns.text(1))
            throw FrontDeskError.roomUnavailable(firstNight < today
                ? Room.guestInHouse(room.number, guest: guest, booking: booking, night: firstNight)
                : Room.overstayingGuest(room.number, guest: guest, booking: booking,
                                        dueOut: CalendarDate(iso: try columns.text(2)) ?? today, night: firstNight))
        }
    }

    /// Rooms holding each night of `stay` (firm claims and live holds; lapsed holds do not count)
    /// against active rooms: what pricing reads.
    func nightLoads(stay: StayDates, activeRooms: Int? = nil, _ session: PostgresSession) throws -> [CalendarDate: PricingPolicy.NightLoad] {
        let active: Int
        if let activeRooms {
            active = activeRooms
        } else {
            active = try countActiveRooms(session)
        }
        let rows = try session.rows("""
            SELECT night::text, count(*)::int8 FROM room_night
            WHERE hotel_id = $1 AND night >= $2::date AND night < $3::date AND (hold_expires_at IS NULL OR hold_expires_at > $4)
            GROUP BY night
            """, [hotelId, stay.checkIn.iso, stay.checkOut.iso, now])
        return try Self.nightLoads(stay: stay, activeRooms: active, held: rows.map { row in
            let columns = ColumnReader(row, table: "room_night")
            return (try columns.text(0), try columns.int(1))
        })
    }

    /// Every night of `stay` against `activeRooms`, with the rooms `held` on the nights that have any.
    static func nightLoads(stay: StayDates, activeRooms: Int, held: [(night: String, rooms: Int)]) -> [CalendarDate: PricingPolicy.NightLoad] {
        var loads: [CalendarDate: PricingPolicy.NightLoad] = [:]
        for night in stay.nights { loads[night] = .init(held: 0, active: activeRooms) }
        for (night, rooms) in held {
            if let night = CalendarDate(iso: night) { loads[night]?.held += rooms }
        }
        return loads
    }

    func countActiveRooms(_ session: PostgresSession) throws -> Int {
        try session.rows("SELECT count(*)::int8 FROM room WHERE hotel_id = $1 AND is_active", [hotelId]).first
            .map { try ColumnReader($0, table: "room").int(0) } ?? 0
    }

    // MARK: Property

    func rooms() throws -> [RoomListing] {
        try read { session in try chain.fetchRooms(session, hotelId: hotelId, condition: "true", []) }
    }

    func room(id: UUID) throws -> RoomListing? {
        try read { session in try chain.fetchRooms(session, hotelId: hotelId, condition: "r.id = $1", [id]).first }
    }

    func roomTypes() throws -> [RoomType] {
        try read { session in try fetchRoomTypes(session) }
    }

    func fetchRoomTypes(_ session: PostgresSession) throws -> [RoomType] {
        try session.rows("""
            SELECT id, hotel_id, name, capacity::int8, base_price_cents FROM room_type WHERE hotel_id = $1 ORDER BY base_price_cents, name
            """, [hotelId]).map { try PostgresChainStorage.roomType(ColumnReader($0, table: "room_type"), at: 0) }
    }

    func fetchRoom(number: String, _ session: PostgresSession) throws -> RoomListing? {
        try chain.fetchRooms(session, hotelId: hotelId, condition: "r.number = $1", [number.trimmingCharacters(in: .whitespaces)]).first
    }

    func requireRoom(number: String, _ session: PostgresSession) throws -> RoomListing {
        // As typed, then in the form new numbers are given (full-width digits are plain ones).
        let folded = try Room.validNumber(number)
        guard let listing = try fetchRoom(number: number, session) ?? fetchRoom(number: folded, session) else {
            throw FrontDeskError.notFound("Room \(BookingRules.quoted(number)) does not exist")
        }
        return listing
    }

    enum PropertyChange {
        case hotel
        case roomType(UUID)
        case room(UUID, number: String)
    }

    /// A change of the hotel, a room type or a room, in the feed (as `FrontDeskStore.feedPropertyChange`).
    func feedPropertyChange(_ change: PropertyChange, _ session: PostgresSession) throws {
        let (event, roomId, data): (String, UUID?, JSONValue) = switch change {
        case .hotel: ("HotelChanged", nil, .object([("hotelId", .string(hotelId.uuidString.lowercased()))]))
        case .roomType(let id): ("RoomTypeChanged", nil, .object([("roomTypeId", .string(id.uuidString.lowercased()))]))
        case .room(let id, let number):
            ("RoomChanged", id, .object([("roomId", .string(id.uuidString.lowercased())), ("roomNumber", .string(number))]))
        }
        try chain.appendFeed(session, hotelId: hotelId, event: event, bookingId: nil, roomId: roomId, data: data, at: now)
    }

    /// The hotel's settings, as SQLite changes them (`HotelSettingsChange`): one transaction, a
    /// feed entry desks take the hotel up from, an audit line per setting that moved.
    func configureHotel(_ change: HotelSettingsChange, by user: String) throws -> Hotel {
        try change.check()
        return try write { session in
            let old = try requireHotel(session)
            let hotel = change.applied(to: old)
            if hotel == old { return hotel }
            try session.execute("UPDATE hotel SET name = $1, hold_minutes = $2, no_show_cutoff_hour = $3, no_show_fee = $4 WHERE id = $5",
                                [hotel.name, hotel.holdMinutes, hotel.noShowPolicy.cutoffHour, hotel.noShowPolicy.fee.rawValue, hotel.id])
            try feedPropertyChange(.hotel, session)
            for (action, summary) in HotelSettingsChange.auditLines(from: old, to: hotel) {
                try audit(session, user: user, action: action, summary: summary)
            }
            return hotel
        }
    }

    func addRoomType(name: String, capacity: Int, basePrice: Money, by user: String) throws -> RoomType {
        try RoomType.validate(name: name, capacity: capacity, basePricePerNight: basePrice)
        return try write { session in
            let hotel = try requireHotel(session)
            let type = RoomType(id: UUID(), hotelId: hotel.id, name: name.trimmingCharacters(in: .whitespaces),
                                capacity: capacity, basePricePerNight: basePrice)
            if let other = try fetchRoomTypes(session).first(where: { $0.name.lowercased() == type.name.lowercased() }) {
                throw FrontDeskError.conflict("A room type named \(other.name) already exists")
            }
            try session.execute("INSERT INTO room_type (id, hotel_id, name, capacity, base_price_cents) VALUES ($1, $2, $3, $4, $5)",
                                [type.id, type.hotelId, type.name, type.capacity, type.basePricePerNight.minorUnits])
            try feedPropertyChange(.roomType(type.id), session)
            try audit(session, user: user, action: "roomType.added",
                      summary: "Room type \(type.name) added (sleeps \(capacity), \(basePrice.plain) a night)")
            return type
        }
    }

    func changeRoomType(id: UUID, _ change: RoomTypeChange, by user: String) throws -> RoomType {
        try change.check()
        return try write { session in
            let hotel = try requireHotel(session)
            // The type's row locked first: two changes of one type (or a change and a new type
            // of the same name) are made one after the other, each on the other's result.
            _ = try session.rows("SELECT id FROM room_type WHERE id = $1 AND hotel_id = $2 FOR UPDATE", [id, hotelId])
            let types = try fetchRoomTypes(session)
            guard let old = types.first(where: { $0.id == id }) else {
                throw FrontDeskError.notFound("No room type with id \(id.uuidString.lowercased())")
            }
            var overCapacity: [String] = []
            if let capacity = change.capacity, capacity < old.capacity {
                overCapacity = try session.rows("""
                    SELECT b.confirmation_code FROM booking b JOIN room r ON r.id = b.room_id
                    WHERE r.room_type_id = $1 AND b.guest_count > $2 AND b.check_out > $3::date
                      AND b.status IN ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn')
                      AND (b.hold_expires_at IS NULL OR b.hold_expires_at > $4)
                    ORDER BY b.check_in LIMIT 6
                    """, [id, capacity, chain.businessDate(for: hotel).iso, now]).map { try ColumnReader($0, table: "booking").text(0) }
            }
            let type = try change.applied(to: old, overCapacity: overCapacity)
            guard let summary = RoomTypeChange.auditSummary(from: old, to: type) else { return type }
            if let other = types.first(where: { $0.id != id && $0.name.lowercased() == type.name.lowercased() }) {
                throw FrontDeskError.conflict("A room type named \(other.name) already exists")
            }
            try session.execute("UPDATE room_type SET name = $1, capacity = $2, base_price_cents = $3 WHERE id = $4",
                                [type.name, type.capacity, type.basePricePerNight.minorUnits, id])
            try feedPropertyChange(.roomType(type.id), session)
            try audit(session, user: user, action: "roomType.changed", summary: summary)
            return type
        }
    }

    func addRoom(number: String, typeName: String, by user: String) throws -> RoomListing {
        try write { session in
            let hotel = try requireHotel(session)
            let type = try RoomType.named(typeName, in: try fetchRoomTypes(session))
            let room = try Room.create(id: UUID(), hotelId: hotel.id, roomTypeId: type.id, number: number)
            if try fetchRoom(number: room.number, session) != nil {
                throw FrontDeskError.conflict("Room \(room.number) already exists")
            }
            try session.execute("INSERT INTO room (id, hotel_id, room_type_id, number, is_active) VALUES ($1, $2, $3, $4, $5)",
                                [room.id, room.hotelId, room.roomTypeId, room.number, room.isActive])
            try feedPropertyChange(.room(room.id, number: room.number), session)
            try recordEvents(of: room, session, user: user)
            return RoomListing(room: room, type: type)
        }
    }

    func renameRoom(_ number: String, to newNumber: String, by user: String) throws -> RoomListing {
        try changeRoom(number, newNumber: newNumber, isActive: nil, by: user)
    }

    /// A new number and a new state in one transaction: either is refused and neither is made.
    func changeRoom(_ number: String, newNumber: String?, isActive: Bool?, by user: String) throws -> RoomListing {
        try changeRoom(number, by: user) { room, session in
            try room.change(newNumber: newNumber, isActive: isActive, numberTaken: { try fetchRoom(number: $0, session) != nil },
                            takeOutOfService: { try takeOutOfService(&$0, session) })
        }
    }

    func activateRoom(_ number: String, by user: String) throws -> RoomListing {
        try changeRoom(number, by: user) { room, _ in room.activate() }
    }

    /// Refused while the room still has guests or bookings to come: they would be stranded.
    func deactivateRoom(_ number: String, by user: String) throws -> RoomListing {
        try changeRoom(number, by: user) { room, session in try takeOutOfService(&room, session) }
    }

    private func takeOutOfService(_ room: inout Room, _ session: PostgresSession) throws {
        let hotel = try chain.fetchHotel(hotelId, session)
        let today = chain.businessDate(for: hotel)
        // Before 06:00 from the night under way: a booking of it not yet checked in holds the room (as SQLite's).
        let firstNight = nightUnderWay(for: hotel, today: today) ?? today
        let upcoming = try session.rows("""
            SELECT b.confirmation_code FROM room_night n JOIN booking b ON b.id = n.booking_id
            WHERE n.room_id = $1 AND n.night >= $2::date AND b.status IN ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn')
            GROUP BY b.confirmation_code ORDER BY min(n.night) LIMIT 6
            """, [room.id, firstNight.iso]).map { try ColumnReader($0, table: "booking").text(0) }
        let inHouse = try session.rows("""
            SELECT confirmation_code FROM booking WHERE room_id = $1 AND status = 'CheckedIn' ORDER BY check_out LIMIT 6
            """, [room.id]).map { try ColumnReader($0, table: "booking").text(0) }
        try room.deactivate(upcoming: upcoming, inHouse: inHouse, today: firstNight)
    }

    private func changeRoom(_ number: String, by user: String, _ change: (inout Room, PostgresSession) throws -> Void) throws -> RoomListing {
        try write { session in
            let listing = try requireRoom(number: number, session)
            // Bookings of the room, which lock it for share (`reserve`), finish first: their nights are seen.
            try session.execute("SELECT 1 FROM room WHERE id = $1 FOR UPDATE", [listing.room.id])
            var room = listing.room
            try change(&room, session)
            // Asked for what it is already (activated when active, renumbered to its number):
            // nothing written, no feed entry for every desk to fetch the rooms again.
            if room.events.isEmpty { return listing }
            try session.execute("UPDATE room SET number = $1, is_active = $2 WHERE id = $3", [room.number, room.isActive, room.id])
            try feedPropertyChange(.room(room.id, number: room.number), session)
            try recordEvents(of: room, session, user: user)
            return RoomListing(room: room, type: listing.type)
        }
    }

    private func recordEvents(of room: Room, _ session: PostgresSession, user: String) throws {
        for event in room.events {
            try audit(session, user: user, action: event.name, roomId: room.id, summary: event.summary(of: room))
        }
    }

    // MARK: Reading bookings

    func booking(_ reference: String) throws -> Booking {
        try read { session in try chain.requireBooking(reference, hotelId: hotelId, session) }
    }

    func requireBooking(_ reference: String, _ session: PostgresSession) throws -> Booking {
        try chain.requireBooking(reference, hotelId: hotelId, session)
    }

    /// As `FrontDeskStore.findBookings`: current and future stays first (today's arrivals, guests
    /// in house, upcoming by arrival), then past stays, newest first; with the number matched.
    func findBookings(_ filter: BookingFilter) throws -> BookingMatches {
        if let problem = filter.guestTextProblem { throw FrontDeskError.validationFailed([problem]) }
        var values: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            values.append(value)
            return "$\(values.count)"
        }
        var conditions = ["b.hotel_id = \(bind(hotelId))"]
        if let to = filter.to { conditions.append("b.check_in <= \(bind(to.iso))::date") }
        if let from = filter.from {
            conditions.append("b.check_out >= \(bind(from.iso))::date AND b.check_in >= \(bind(from.adding(days: -BookingRules.maximumNights - 1).iso))::date")
        }
        if let status = filter.status { conditions.append("b.status = \(bind(status.rawValue))") }
        if let text = filter.guestText?.trimmingWhitespace(), !text.isEmpty {
            let pattern = "%" + text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            let p = bind(pattern)
            // A needle of ASCII only is found the same with any folding; others fold every script.
            let collated = text.allSatisfy(\.isASCII) ? "" : chain.unicodeCollation.map { " COLLATE \"\($0)\"" } ?? ""
            var either = "lower(b.guest_name\(collated)) LIKE \(p) ESCAPE '\\' OR lower(b.guest_email\(collated)) LIKE \(p) ESCAPE '\\'"
                + " OR b.confirmation_code LIKE \(bind(ConfirmationCode.startPattern(text) ?? ""))"
            if let digits = PhoneDigits.of(searchText: text) {
                // A phone number however it was typed or stored: its digits only.
                either += " OR regexp_replace(COALESCE(b.guest_phone, ''), '[^0-9]', '', 'g') LIKE \(bind("%" + digits + "%"))"
            }
            conditions.append("(\(either))")
        }
        let matching = conditions.joined(separator: " AND ")
        let filterValues = values
        return try read { session in
            let today = chain.businessDate(for: try chain.fetchHotel(hotelId, session)).iso
            values = filterValues
            let t = bind(today)
            let current = "((b.check_out >= \(t)::date AND b.status <> 'CheckedOut') OR b.status = 'CheckedIn')"
            var clause = "\(matching) AND \(current)"
                + " ORDER BY CASE WHEN b.check_in = \(t)::date THEN 0 WHEN b.check_in < \(t)::date THEN 1 ELSE 2 END,"
                + " b.check_in, length(r.number), r.number, b.created_at"
            if let limit = filter.limit { clause += " LIMIT \(bind(limit))" }
            var found = try chain.fetchBookings(session, clause, values)
            let room = filter.limit.map { $0 - found.count }
            if room.map({ $0 > 0 }) ?? true {
                values = filterValues
                let t = bind(today)
                var pastClause = "\(matching) AND NOT ((b.check_out >= \(t)::date AND b.status <> 'CheckedOut') OR b.status = 'CheckedIn')"
                    + " ORDER BY b.check_in DESC, b.check_out DESC, length(r.number), r.number, b.created_at DESC"
                if let room { pastClause += " LIMIT \(bind(room))" }
                found += try chain.fetchBookings(session, pastClause, values)
            }
            var total = found.count
            if let limit = filter.limit, found.count >= limit {
                total = try session.rows("SELECT count(*)::int8 FROM booking b WHERE \(matching)", filterValues).first
                    .map { try ColumnReader($0, table: "booking").int(0) } ?? total
            }
            return BookingMatches(bookings: found, total: total)
        }
    }

    // MARK: Reports and the change feed

    func feedEvents(after sequence: Int64, limit: Int) throws -> [FeedEvent] {
        try chain.numberPendingFeed(of: hotelId)
        return try read { session in
            _ = try requireHotel(session)
            return try session.rows("""
                SELECT seq, event, data FROM change_feed WHERE hotel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3
                """, [hotelId, sequence, limit]).map { row in
                let columns = ColumnReader(row, table: "change_feed")
                return FeedEvent(sequence: try columns.int64(0), name: try columns.text(1), data: try columns.text(2))
            }
        }
    }

    /// The hotel's newest change number (0 before the first). Read from the feed, not the
    /// counter: a number is only given out in the transaction that writes its change.
    func latestFeedSequence() throws -> Int64 {
        try chain.numberPendingFeed(of: hotelId)
        return try read { session in
            _ = try requireHotel(session)
            return try latestSequence(session)
        }
    }
}
