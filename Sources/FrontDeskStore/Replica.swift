import Foundation
import FrontDeskDomain
import GRDB

/// A connected desk's replica of its server's hotel (issue 12, `docs/sync-protocol.md`): where it
/// syncs from, how far it has caught up, and what waits.
public struct ReplicaStatus: Sendable, Equatable {
    public var hotelId: UUID
    public var server: String
    /// The server's change-feed number the replica has caught up to.
    public var cursor: Int64
    public var lastSyncAt: Date?
    public var lastError: String?
    /// Operations in the outbox not yet answered by the server.
    public var pendingOperations: Int
    /// Conflicts not yet resolved by a receptionist.
    public var openConflicts: Int

    public init(hotelId: UUID, server: String, cursor: Int64, lastSyncAt: Date?, lastError: String?,
                pendingOperations: Int, openConflicts: Int) {
        self.hotelId = hotelId
        self.server = server
        self.cursor = cursor
        self.lastSyncAt = lastSyncAt
        self.lastError = lastError
        self.pendingOperations = pendingOperations
        self.openConflicts = openConflicts
    }
}

/// A booking's sync state on a connected desk (`booking.sync_state`).
enum SyncState: String {
    /// As the server has it.
    case synced
    /// Made or changed on this desk; its operations wait in the outbox.
    case pending
    /// Refused by the server (or overruled by a server booking); on the conflict list; holds no room-night.
    case conflict
}

extension FrontDeskStore {
    /// Takes a server's whole replica of one hotel into this file in one transaction: the first
    /// page (the hotel, its room types, rooms and bookings) and the replica state (cursor = the
    /// first page's), then every later page `next` gives (nil after the last), `written(bookings)`
    /// after each. Nothing of it is seen, or kept by a desk killed in the middle, before the last
    /// page is in: a file is a replica (has `replica_state`) only with all of it. A desk that
    /// holds no booking takes it in bulk (`ReplicaBulkFill`) unless `bulk` is false; a bulk load
    /// that meets a key twice throws `ReplicaBulkCollision` and the caller takes it again with
    /// `bulk: false`, booking by booking as `applyReplicaBookings` writes them. The file must hold
    /// no hotel or this very hotel (a desk connecting again); another hotel is refused and nothing
    /// is written. Returns the bookings taken. A bulk load is written through a rollback journal
    /// when no other connection has the file open (`withRollbackJournal`).
    ///
    /// A desk taking its server's replica again (its cursor gone from the server's feed) also
    /// sends again what the server no longer has (`sendAgainWhatTheServerLost`); `resent` is
    /// given their codes.
    ///
    /// A booking the server has in an older version than this desk took from it (the server lost
    /// changes accepted before its data went back) is written as the server has it now, so the
    /// desk's rooms are the server's, and its history says what was lost
    /// (`takeWhatTheServerLostAChangeOf`); `changesLost` is given their codes.
    public func takeReplica(_ first: ReplicaPage, server: String, bulk: Bool = true, next: () throws -> ReadReplicaPage?,
                            written: (Int) -> Void = { _ in }, resent: ([String]) -> Void = { _ in },
                            changesLost: ([String]) -> Void = { _ in }) throws -> Int {
        let hotel = try Self.firstPageHotel(first, server: server)
        // A bulk load checks its rows' foreign keys itself (`ReplicaBulkFill`).
        let bulkLoad = try bulk && read { db in try ReplicaBulkFill.applies(db) }
        return try withRollbackJournal(bulkLoad) { try write(foreignKeys: !bulkLoad) { db in
            var fill: ReplicaBulkFill?
            if bulkLoad {
                // Another process may have written a booking since: the careful way then.
                guard try ReplicaBulkFill.applies(db) else { throw ReplicaBulkCollision(message: "the desk holds bookings now") }
                fill = try ReplicaBulkFill(hotelId: hotel.id, db)
            }
            // Only a desk that already held bookings from the server can find some missing (a bulk
            // load is for a desk holding none).
            let wasReplica = try fill == nil && isReplica(db)
            var received = Set<UUID>()
            var lostChanges: [String] = []
            var taken = 0
            func take(_ page: ReplicaPage, _ rows: () throws -> [StoredBooking]) throws {
                if let fill {
                    try fill.add(try rows())
                } else if wasReplica {
                    let older = try page.bookings.filter { try serverLostAChange(of: $0, db) }
                    try writeServerBookings(page.bookings, db)
                    for wire in older { lostChanges.append(try takeWhatTheServerLostAChangeOf(wire, db)) }
                } else {
                    try writeServerBookings(page.bookings, db)
                }
                if wasReplica { for booking in page.bookings { if let id = UUID(uuidString: booking.bookingId) { received.insert(id) } } }
                taken += page.bookings.count
                written(taken)
            }
            try startReplica(first, hotel: hotel, server: server, db) { _ in try take(first) { try ReadReplicaPage(first).rows } }
            while let read = try next() {
                try Self.requireProtocol(read.page.protocolVersion)
                try take(read.page) { read.rows }
            }
            try fill?.finish()
            if wasReplica {
                let codes = try sendAgainWhatTheServerLost(hotel.id, received: received, db)
                if !codes.isEmpty { resent(codes) }
                if !lostChanges.isEmpty { changesLost(lostChanges) }
            }
            return taken
        } }
    }

    /// Whether the server sends `wire` in an older version than this desk took from it: the
    /// server's data went back to an older copy and lost changes it had accepted (made here or
    /// anywhere). A booking with changes of this desk waiting (pending, conflict) is left to them.
    private func serverLostAChange(of wire: WireBooking, _ db: Database) throws -> Bool {
        guard let id = SyncWire.parseUUID(wire.bookingId),
              let row = try db.row(sql: "SELECT server_version, sync_state FROM booking WHERE id = ?", arguments: [id.storedText]),
              let known: Int = row[0] else { return false }
        let state: String = row[1]
        return state == SyncState.synced.rawValue && known > wire.version
    }

    /// Writes the server's older copy of a booking over this desk's newer one (kept, the server's
    /// would be silently sold again: a room this desk shows taken is free on the server, a night
    /// it shows sold is the server's to sell), and says in its history what was lost and what to
    /// do, with both copies. Returns its code. The money of the lost change was settled here when
    /// it was made: made again, the server asks for it again.
    private func takeWhatTheServerLostAChangeOf(_ wire: WireBooking, _ db: Database) throws -> String {
        let serverCopy = try Self.wire { try wire.booking() }
        let deskCopy = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [serverCopy.id.storedText]).first
        try upsertFromServer(wire, force: true, db)
        func words(_ booking: Booking) -> String {
            "\(booking.status.rawValue), room \(booking.roomNumber), \(booking.stay.checkIn) to \(booking.stay.checkOut), total \(booking.totalPrice.plain)"
        }
        let was = deskCopy.map { "this desk had it \(words($0)); " } ?? ""
        try audit(db, user: "sync", action: Self.serverLostAChangeAction, bookingId: serverCopy.id, roomId: serverCopy.roomId,
                  summary: "The server lost a change to booking \(serverCopy.confirmationCode) (its data went back to an older copy): "
                    + was + "it is now as the server has it: \(words(serverCopy)). Make the change again if it still stands; "
                    + "what was collected or repaid at the desk for it is settled: do not collect or repay it twice",
                  before: deskCopy, after: serverCopy)
        return serverCopy.confirmationCode
    }

    /// The history line of a booking whose change the server lost (`takeReplica`).
    public static let serverLostAChangeAction = "replica.serverLostChange"

    /// Takes the first page of a server's replica of one hotel into this file: the hotel, its room
    /// types, rooms and the page's bookings, and the replica state (cursor = the page's). The file
    /// must hold no hotel or this very hotel (a desk connecting again); another hotel is refused
    /// and nothing is written. The later pages follow with `applyReplicaBookings`, each in a
    /// transaction of its own (`takeReplica` takes them all in one).
    public func beginReplica(_ first: ReplicaPage, server: String) throws {
        let hotel = try Self.firstPageHotel(first, server: server)
        try write { db in
            try startReplica(first, hotel: hotel, server: server, db) { db in try writeServerBookings(first.bookings, db) }
        }
    }

    private static func firstPageHotel(_ first: ReplicaPage, server: String) throws -> Hotel {
        try requireProtocol(first.protocolVersion)
        guard let wireHotel = first.hotel, first.roomTypes != nil, first.rooms != nil else {
            throw FrontDeskError.validationFailed(["The first replica page from \(server) has no hotel, room types or rooms"])
        }
        return try wire { try wireHotel.hotel() }
    }

    /// The hotel, its room types and rooms, then `bookings` (the first page's, or all of them),
    /// then the replica state and its audit entry.
    private func startReplica<T>(_ first: ReplicaPage, hotel: Hotel, server: String, _ db: Database,
                                 bookings: (Database) throws -> T) throws -> T {
        if let existing = try fetchHotel(db), existing.id != hotel.id {
            let bookings = try db.value(Int.self, sql: "SELECT COUNT(*) FROM booking") ?? 0
            throw FrontDeskError.conflict(
                "This desk holds hotel \(existing.name) (\(existing.id.uuidString.lowercased())) with \(bookings) booking\(bookings == 1 ? "" : "s"), not the server's hotel \(hotel.name); use another --db")
        }
        let reconnect = try db.value(Int.self, sql: "SELECT COUNT(*) FROM hotel") ?? 0 > 0
        if reconnect, try !isReplica(db) {
            // Back from standalone use (`desk disconnect`, then `desk connect`): what was booked
            // meanwhile goes to the server like an offline booking, before the server's claims
            // are written, so a room-night it also sold becomes a conflict, never a silent loss.
            try queueBookingsTheServerNeverHad(hotel.id, db)
        }
        try applyHotel(hotel, roomTypes: first.roomTypes ?? [], rooms: first.rooms ?? [], connecting: true, db)
        let result = try bookings(db)
        try db.run(sql: """
            INSERT OR REPLACE INTO replica_state (id, hotel_id, server, cursor, protocol_version, last_sync_at, last_error)
            VALUES (1, ?, ?, ?, ?, ?, NULL)
            """, arguments: [hotel.id.uuidString, server, first.cursor, first.protocolVersion, Timestamp.text(now)])
        try audit(db, user: "sync", action: reconnect ? "replica.reconnected" : "replica.started",
                  summary: "Replica of \(hotel.name) from \(server) (\(first.totalBookings) booking\(first.totalBookings == 1 ? "" : "s"))")
        return result
    }

    /// The later pages of a replica: each booking written as the server has it.
    public func applyReplicaBookings(_ bookings: [WireBooking]) throws {
        try write { db in
            try requireReplica(db)
            try writeServerBookings(bookings, db)
        }
    }

    /// One page of the server's change feed, written in one transaction with its cursor: the
    /// hotel, room types and rooms when they came, then each booking as the server has it now.
    public func applyChanges(_ page: ChangesPage) throws {
        try Self.requireProtocol(page.protocolVersion)
        try write { db in
            let state = try requireReplica(db)
            if let wireHotel = page.hotel {
                let hotel = try Self.wire { try wireHotel.hotel() }
                guard hotel.id == state.hotelId else {
                    throw FrontDeskError.conflict("The server sent hotel \(hotel.name) (\(wireHotel.hotelId)); this desk is a replica of \(state.hotelId.uuidString.lowercased())")
                }
                try applyHotel(hotel, roomTypes: page.roomTypes ?? [], rooms: page.rooms ?? [], connecting: false, db)
            } else if page.roomTypes != nil || page.rooms != nil {
                let hotel = try requireHotel(db)
                try applyHotel(hotel, roomTypes: page.roomTypes ?? [], rooms: page.rooms ?? [], connecting: false, db)
            }
            for booking in page.bookings { try upsertFromServer(booking, db) }
            try db.run(sql: "UPDATE replica_state SET cursor = ? WHERE id = 1", arguments: [page.cursor])
        }
    }

    /// Nil on a standalone desk. Two counts from indexes: cheap enough for a status line.
    public func replicaStatus() throws -> ReplicaStatus? {
        try read { db in
            guard let row = try db.row(sql: "SELECT hotel_id, server, cursor, last_sync_at, last_error FROM replica_state WHERE id = 1") else {
                return nil
            }
            let stored = StoredRow(row, table: "replica_state", name: "1")
            let pending = try db.value(Int.self, sql: "SELECT COUNT(*) FROM sync_outbox WHERE state = 'queued'") ?? 0
            let conflicts = try db.value(Int.self, sql: "SELECT COUNT(*) FROM sync_conflict WHERE resolved_at IS NULL") ?? 0
            return ReplicaStatus(hotelId: try stored.id(0, "hotel_id"), server: try stored.text(1, "server"),
                                 cursor: row[2], lastSyncAt: try stored.optionalInstant(3, "last_sync_at"),
                                 lastError: try stored.optionalText(4, "last_error"),
                                 pendingOperations: pending, openConflicts: conflicts)
        }
    }

    /// Disconnects: the replica state goes, the data stays (a standalone desk again). Bookings
    /// keep their sync state and the outbox its operations, should the desk connect again.
    public func forgetReplica() throws {
        try write { db in
            guard let server = try db.value(String.self, sql: "SELECT server FROM replica_state WHERE id = 1") else { return }
            try db.run(sql: "DELETE FROM replica_state")
            try audit(db, user: "sync", action: "replica.forgotten", summary: "No longer a replica of \(server): a standalone desk")
        }
    }

    // MARK: The parts the replica's writes share

    struct ReplicaState {
        var hotelId: UUID
    }

    /// Whether this file is a connected desk's replica (one row; every write of a booking asks).
    func isReplica(_ db: Database) throws -> Bool {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM replica_state LIMIT 1")) != nil
    }

    /// Rooms and room types are the server's on a connected desk: a change made only in the
    /// replica would be sold from offline and never reach the server (no operation carries it).
    func requireNotReplica(administering what: String, _ db: Database) throws {
        if try isReplica(db) {
            if what == "settings" {
                // The server's rules are the ones its bookings follow: a desk's own copy would
                // tell a receptionist a no-show's fee or a hold's end the server does not apply.
                throw FrontDeskError.invalidState("This desk is connected to a server, which keeps the hotel's settings "
                    + "(its name, holds, the no-show cut-off and fee): change them there (a manager's `PATCH /api/hotels/…`, or "
                    + "`frontdesk-server hotels configure`); the desk follows the server's, and takes them up at its next sync")
            }
            let routes = what.contains("type") ? "`POST /api/hotels/…/room-types` or `PATCH /api/hotels/…/room-types/…`" : "`PATCH /api/rooms/…` or `POST /api/hotels/…/rooms`"
            throw FrontDeskError.invalidState("This desk is connected to a server, which keeps the hotel's \(what): "
                + "change them there (a manager's \(routes)); the desk takes them up at its next sync")
        }
    }

    @discardableResult
    func requireReplica(_ db: Database) throws -> ReplicaState {
        guard let text = try db.value(String.self, sql: "SELECT hotel_id FROM replica_state WHERE id = 1"),
              let id = UUID(uuidString: text) else {
            throw FrontDeskError.invalidState("This desk is not connected to a server (`frontdesk desk connect` first)")
        }
        return ReplicaState(hotelId: id)
    }

    static func requireProtocol(_ version: Int) throws {
        guard version == SyncWire.protocolVersion else {
            throw FrontDeskError.invalidState(
                "The server speaks sync protocol \(version) and this desk \(SyncWire.protocolVersion); use a Front Desk of the server's version")
        }
    }

    /// A wire document that does not read is the server's fault, named by its field.
    static func wire<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SyncWireError {
            throw FrontDeskError.validationFailed(["The server sent something this desk cannot read: \(error.description)"])
        }
    }

    /// The hotel, its room types and rooms as the server has them (inserted or updated by id).
    /// `connecting`: at `desk connect`, when the desk is still standalone and can rename its own.
    func applyHotel(_ hotel: Hotel, roomTypes: [WireRoomType], rooms: [WireRoom], connecting: Bool, _ db: Database) throws {
        // A zone this machine does not know would run the hotel on UTC's dates without a word
        // (`Hotel.timeZone`): refused, so the desk is not connected on wrong dates.
        guard TimeZone(identifier: hotel.timeZoneIdentifier) != nil else {
            throw FrontDeskError.validationFailed([
                "The server's hotel \(hotel.name) is in time zone \(BookingRules.quoted(hotel.timeZoneIdentifier)), which this machine "
                    + "does not know, so its dates would be wrong here: update this machine's time zone data (tzdata) and connect again"])
        }
        try db.run(sql: """
            INSERT INTO hotel (id, name, time_zone, currency, hold_minutes, no_show_cutoff_hour, no_show_fee)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, time_zone = excluded.time_zone, currency = excluded.currency,
                hold_minutes = excluded.hold_minutes, no_show_cutoff_hour = excluded.no_show_cutoff_hour, no_show_fee = excluded.no_show_fee
            """, arguments: [hotel.id.uuidString, hotel.name, hotel.timeZoneIdentifier, hotel.currency, hotel.holdMinutes,
                             hotel.noShowPolicy.cutoffHour, hotel.noShowPolicy.fee.rawValue])
        // Names and numbers are unique in a hotel, and the server may have swapped two, or given
        // one's old name to another: written one by one, a type or room would meet another's old
        // name here, and every later sync would fail on it. Each one whose name moves is first
        // given its id (unique, and nothing a person types), in this same transaction.
        for wireType in roomTypes {
            guard let id = UUID(uuidString: wireType.roomTypeId) else { continue } // refused below, in words
            try db.run(sql: "UPDATE room_type SET name = id WHERE id = ? AND name <> ?", arguments: [id.uuidString, wireType.name])
        }
        for room in rooms {
            guard let id = UUID(uuidString: room.roomId) else { continue }
            try db.run(sql: "UPDATE room SET number = id WHERE id = ? AND number <> ?", arguments: [id.uuidString, room.roomNumber])
        }
        // A type or room only this desk has (added while it was not connected) by a name the
        // server gives one of its own (types in any case, as the server compares them): at
        // `desk connect` refused in words, the desk still standalone and able to rename its own;
        // on a pull (the server added one since) this desk's moves aside, audited, so the sync
        // goes on.
        let serverTypeIds = Set(roomTypes.compactMap { UUID(uuidString: $0.roomTypeId)?.uuidString })
        let ownTypes = try db.rows(sql: "SELECT id, name FROM room_type WHERE hotel_id = ?", arguments: [hotel.id.uuidString])
            .map { (id: $0[0] as String, name: $0[1] as String) }.filter { !serverTypeIds.contains($0.id) }
        for wireType in roomTypes {
            let type = try Self.wire { try wireType.roomType(hotelId: hotel.id) }
            if let own = ownTypes.first(where: { $0.name.lowercased() == type.name.lowercased() }) {
                if connecting {
                    throw FrontDeskError.conflict("This desk has a room type \(own.name) of its own (added while it was not connected), and the "
                        + "server has a type \(type.name): rename this desk's (`frontdesk room-types change \(BookingRules.quoted(own.name)) --name …`) "
                        + "and connect again")
                }
                try moveAside(table: "room_type", column: "name", id: own.id, current: own.name, hotelId: hotel.id, db)
            }
            try db.run(sql: """
                INSERT INTO room_type (id, hotel_id, name, capacity, base_price_cents) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, capacity = excluded.capacity, base_price_cents = excluded.base_price_cents
                """, arguments: [type.id.uuidString, hotel.id.uuidString, type.name, type.capacity, type.basePricePerNight.minorUnits])
        }
        let serverRoomIds = Set(rooms.compactMap { UUID(uuidString: $0.roomId)?.uuidString })
        for room in rooms {
            guard let id = UUID(uuidString: room.roomId), let typeId = UUID(uuidString: room.roomTypeId) else {
                throw FrontDeskError.validationFailed(["The server sent room \(room.roomNumber) with an id that does not read"])
            }
            if let own = try db.value(String.self, sql: "SELECT id FROM room WHERE hotel_id = ? AND id <> ? AND number = ?",
                                      arguments: [hotel.id.uuidString, id.uuidString, room.roomNumber]), !serverRoomIds.contains(own) {
                if connecting {
                    throw FrontDeskError.conflict("This desk has a room \(room.roomNumber) of its own (added while it was not connected), and the "
                        + "server has a room \(room.roomNumber) too: renumber this desk's (`frontdesk rooms rename \(room.roomNumber) NEW`) and connect again")
                }
                try moveAside(table: "room", column: "number", id: own, current: room.roomNumber, hotelId: hotel.id, db)
            }
            try db.run(sql: """
                INSERT INTO room (id, hotel_id, room_type_id, number, is_active) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET number = excluded.number, is_active = excluded.is_active
                """, arguments: [id.uuidString, hotel.id.uuidString, typeId.uuidString, room.roomNumber, room.isActive])
        }
    }

    /// A type's name or a room's number only this desk has, which the server now gives one of its
    /// own: "NAME (this desk)" (its id if that is taken too), with an audit line saying so.
    private func moveAside(table: String, column: String, id: String, current: String, hotelId: UUID, _ db: Database) throws {
        var aside = current + " (this desk)"
        if try db.value(Int.self, sql: "SELECT 1 FROM \(table) WHERE hotel_id = ? AND lower(\(column)) = lower(?)",
                        arguments: [hotelId.uuidString, aside]) != nil {
            aside = id
        }
        try db.run(sql: "UPDATE \(table) SET \(column) = ? WHERE id = ?", arguments: [aside, id])
        let what = table == "room" ? "Room" : "Room type"
        try audit(db, user: "sync", action: "replica.ownPropertyRenamed",
                  summary: "\(what) \(current), which only this desk has, is now \(aside): the server has one by that name")
    }

    /// Writes one booking as the server has it: its row (`synced`, with the server's version), its
    /// prices, notes and exactly the room-nights its claims name (the old ones released first, so
    /// the triggers keep night_load and night_sales right). A booking this desk changed and not
    /// yet pushed (`pending`) is left as it is unless `force` (an accepted push of it): its own
    /// operations will bring the server's answer. A room-night the server gives this booking that
    /// a pending booking holds here goes to the server's: the pending booking becomes a conflict.
    /// No saga runs for the server's bookings here.
    func upsertFromServer(_ wire: WireBooking, force: Bool = false, _ db: Database) throws {
        let booking = try Self.wire { try wire.booking() }
        var claims: [(room: UUID, night: CalendarDate)] = []
        for claim in wire.claims {
            guard let room = UUID(uuidString: claim.roomId), let night = CalendarDate(iso: claim.night) else {
                throw FrontDeskError.validationFailed(["The server sent booking \(wire.confirmation) with a claim that does not read"])
            }
            claims.append((room, night))
        }
        let id = booking.id.uuidString
        let local = try db.row(sql: "SELECT sync_state, server_version FROM booking WHERE id = ?", arguments: [id])
        let localState = local.flatMap { SyncState(rawValue: $0[0] as String) }
        if localState == .pending && !force { return }
        // A copy older than the server's copy here (the first answer to a retried request, which
        // the server keeps as it was given) is not written over it.
        if !force, let known: Int = local?[1], known > booking.version { return }

        // Room-nights the server gives this booking that another booking holds here.
        if !claims.isEmpty {
            // One point lookup per claim (the primary key): a first replica of years of bookings
            // must not read the whole room_night table for each booking.
            let lookup = try db.cachedStatement(sql: """
                SELECT n.booking_id, b.sync_state, n.room_id, n.night, b.server_version, b.status, b.confirmation_code
                FROM room_night n JOIN booking b ON b.id = n.booking_id
                WHERE n.room_id = ? AND n.night = ? AND n.booking_id <> ?
                """)
            var holders: [Row] = []
            for (room, night) in claims {
                if let holder = try Row.fetchOne(lookup, arguments: [room.uuidString, night.iso, id]) { holders.append(holder) }
            }
            var overruled: Set<String> = [], neverSent: Set<String> = []
            for holder in holders {
                let (holderId, state, roomId, night): (String, String, String, String) = (holder[0], holder[1], holder[2], holder[3])
                let serverVersion: Int? = holder[4]
                let status: String = holder[5]
                // A stay the server never had (made while this desk was standalone, not sent):
                // the guest booked here, or in house, is a conflict to resolve, not a night lost.
                let unsentStay = serverVersion == nil && state == SyncState.synced.rawValue
                if state == SyncState.pending.rawValue {
                    overruled.insert(holderId)
                } else if unsentStay && (status == BookingStatus.confirmed.rawValue || status == BookingStatus.checkedIn.rawValue) {
                    overruled.insert(holderId)
                    neverSent.insert(holderId)
                } else {
                    if unsentStay && status == BookingStatus.checkedOut.rawValue {
                        // A past stay keeps its record, and someone is told to enter it on the server.
                        let code: String = holder[6]
                        try audit(db, user: "sync", action: "replica.standaloneNightGiven", bookingId: UUID(uuidString: holderId),
                                  summary: "Booking \(code) (checked out, made while standalone and never sent to the server) gave up "
                                    + "its night of \(night) to the server's booking \(booking.confirmationCode): enter it there by hand")
                    }
                    // The server's own booking that no longer holds the night (its change comes in
                    // this page or a later one), or a lapsed hold: the server's claim stands.
                    try db.run(sql: "DELETE FROM room_night WHERE room_id = ? AND night = ?", arguments: [roomId, night])
                }
            }
            for holderId in overruled.sorted() {
                guard let holder = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [holderId]).first else { continue }
                let room = holder.roomNumber
                let message = neverSent.contains(holderId)
                    ? "Room \(room) was sold on the server (booking \(booking.confirmationCode)); this booking, made while the desk was standalone, never reached it"
                    : "Room \(room) was sold on the server (booking \(booking.confirmationCode)) while this desk was offline"
                // Rooms free instead, as a refused push names them: the receptionist's next step.
                let suggested = try fetchHotel(db).map {
                    try suggestedRooms(instead: holder.roomId, stay: holder.stay, guests: holder.guestCount, hotel: $0, db)
                } ?? []
                try markConflict(bookingId: holderId, operationId: nil, reason: "room_unavailable",
                                 message: message,
                                 suggestedRooms: suggested, outboxState: "conflict", db)
            }
        }
        // Codes are unique: a booking made here with the server booking's code gets another one
        // (the server will give its booking a new code too when it is pushed).
        if let other = try db.value(String.self, sql: "SELECT id FROM booking WHERE confirmation_code = ? AND id <> ?",
                                    arguments: [booking.confirmationCode, id]) {
            let code = try freshConfirmationCode(db)
            try db.run(sql: "UPDATE booking SET confirmation_code = ? WHERE id = ?", arguments: [code, other])
            try audit(db, user: "sync", action: "booking.codeChanged", bookingId: UUID(uuidString: other),
                      summary: "Confirmation code \(booking.confirmationCode) belongs to a booking of the server; this desk's booking is now \(code)")
        }

        let arguments: StatementArguments = [
            booking.roomId.uuidString, booking.confirmationCode, booking.guest.name, booking.guest.email, booking.guest.phone,
            booking.guestCount, booking.stay.checkIn.iso, booking.stay.checkOut.iso, booking.status.rawValue,
            booking.totalPrice.minorUnits, booking.version, booking.holdExpiresAt.map(Timestamp.text), booking.statusReason,
            Timestamp.text(booking.createdAt), Timestamp.text(booking.updatedAt), booking.checkedInOn?.iso,
            booking.checkedOutOn?.iso, booking.roomSince?.iso, booking.version,
        ]
        if local != nil {
            // Claims first (their prices still there, for night_sales), then prices and notes.
            try db.cachedStatement(sql: "DELETE FROM room_night WHERE booking_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM booking_night WHERE booking_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: "DELETE FROM booking_note WHERE booking_id = ?").execute(arguments: [id])
            // Messages of a saga this desk ran for the booking have nothing left to do.
            try db.cachedStatement(sql: "DELETE FROM saga_message WHERE booking_id = ?").execute(arguments: [id])
            try db.cachedStatement(sql: """
                UPDATE booking SET room_id = ?, confirmation_code = ?, guest_name = ?, guest_email = ?, guest_phone = ?,
                    guest_count = ?, check_in = ?, check_out = ?, status = ?, total_cents = ?, version = ?, hold_expires_at = ?,
                    status_reason = ?, created_at = ?, updated_at = ?, checked_in_on = ?, checked_out_on = ?, room_since = ?,
                    server_version = ?, sync_state = 'synced'
                WHERE id = ?
                """).execute(arguments: arguments + [id])
        } else {
            try db.cachedStatement(sql: """
                INSERT INTO booking (room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count, check_in,
                    check_out, status, total_cents, version, hold_expires_at, status_reason, created_at, updated_at,
                    checked_in_on, checked_out_on, room_since, server_version, sync_state, id, hotel_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'synced', ?, ?)
                """).execute(arguments: arguments + [id, booking.hotelId.uuidString])
        }
        let price = try db.cachedStatement(sql: "INSERT INTO booking_night (booking_id, night, price_cents) VALUES (?, ?, ?)")
        for night in booking.nightlyPrices { try price.execute(arguments: [id, night.night.iso, night.price.minorUnits]) }
        let note = try db.cachedStatement(sql: "INSERT INTO booking_note (booking_id, seq, at, by_user, text) VALUES (?, ?, ?, ?, ?)")
        for (index, entry) in booking.notes.enumerated() {
            try note.execute(arguments: [id, index + 1, Timestamp.text(entry.at), entry.by, entry.text])
        }
        let claim = try db.cachedStatement(sql: """
            INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?, ?, ?, ?, ?)
            """)
        let hold = booking.holdExpiresAt.map(Timestamp.text)
        for (room, night) in claims {
            try claim.execute(arguments: [room.uuidString, night.iso, booking.hotelId.uuidString, id, hold])
        }
    }

    func freshConfirmationCode(_ db: Database) throws -> String {
        while true {
            let code = makeConfirmationCode()
            if try db.value(Int.self, sql: "SELECT 1 FROM booking WHERE confirmation_code = ?", arguments: [code]) == nil {
                return code
            }
        }
    }
}
