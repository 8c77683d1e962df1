import Foundation
import FrontDeskDomain
import GRDB

// The booking server's side of offline desks (issue 12, docs/sync-protocol.md): a hotel's whole
// replica in pages, what changed after a change-feed number, and the operations a desk made while
// the server did not answer, applied idempotently.

/// The cursor a desk asked changes after is no longer in the change feed (pruned), or is ahead of
/// it (another server's, or a restored file): the desk must take a new replica. The API answers
/// 410 `replica_too_old`.
public struct ReplicaTooOld: Error, Sendable, CustomStringConvertible {
    public let since: Int64
    public let oldestKept: Int64
    public let latest: Int64

    public init(since: Int64, oldestKept: Int64, latest: Int64) {
        self.since = since
        self.oldestKept = oldestKept
        self.latest = latest
    }

    public var description: String {
        since > latest
            ? "The cursor \(since) \(SyncWire.cursorAheadOfTheFeed) (\(latest)); take a new replica"
            : "Changes after \(since) are no longer kept (the oldest kept is \(oldestKept)); take a new replica"
    }
}

extension FrontDeskStore {
    /// A change to the hotel, a room type or a room, as the change feed records it.
    enum PropertyChange {
        case hotel
        case roomType(UUID)
        case room(UUID, number: String)
    }

    /// The feed's events for property changes: the changes page sends the property whole when one
    /// of these is in its range.
    static let propertyEvents = SyncWire.propertyEvents

    /// Appends a property change to the hotel's change feed, stamped by the store's clock (booking
    /// changes are fed by triggers; `Schema.v9`).
    func feedPropertyChange(_ change: PropertyChange, hotelId: UUID, _ db: Database) throws {
        let (event, roomId, data): (String, UUID?, JSONValue) = switch change {
        case .hotel: ("HotelChanged", nil, .object([("hotelId", .string(Identifier.lowercaseText(hotelId)))]))
        case .roomType(let id): ("RoomTypeChanged", nil, .object([("roomTypeId", .string(Identifier.lowercaseText(id)))]))
        case .room(let id, let number):
            ("RoomChanged", id, .object([("roomId", .string(Identifier.lowercaseText(id))), ("roomNumber", .string(number))]))
        }
        try db.cachedStatement(sql: """
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = ?1), ?2, NULL, ?3, ?4, ?5)
            """).execute(arguments: [hotelId.uuidString, event, roomId?.uuidString, data.rendered(), Timestamp.text(now)])
    }

    // MARK: Reading the replica

    /// One page of the hotel's replica: bookings in id order after `after`; the first page (no
    /// `after`) also carries the hotel, its room types and rooms. `cursor` is the change-feed number
    /// read in the same read transaction before the bookings: changes after it are not in the page.
    public func replicaPage(after: UUID?, limit: Int) throws -> ReplicaPage {
        let limit = max(1, min(limit, SyncWire.pageSize))
        return try afterReadingDurably(read { db in
            let hotel = try requireHotel(db)
            let key = hotel.id.uuidString
            let cursor = try Self.latestSequence(key, db)
            var property: (hotel: WireHotel, types: [WireRoomType], rooms: [WireRoom])?
            if after == nil { property = try wireProperty(hotel, db) }
            var bookings = try Self.fetchBooking(db, whereClause: "b.hotel_id = ? AND b.id > ? ORDER BY b.id LIMIT ?",
                                                 arguments: [key, after?.uuidString ?? "", limit + 1])
            var next: String?
            if bookings.count > limit {
                bookings.removeLast()
                next = bookings.last.map { Identifier.lowercaseText($0.id) }
            }
            let total = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM booking WHERE hotel_id = ?"), arguments: [key]) ?? 0
            var claims: [String: [WireClaim]] = [:]
            if let first = bookings.first, let last = bookings.last {
                let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                    SELECT booking_id, night, room_id FROM room_night
                    WHERE booking_id >= ? AND booking_id <= ? AND +hotel_id = ? ORDER BY booking_id, night
                    """), arguments: [first.id.uuidString, last.id.uuidString, key])
                while let row = try rows.next() { Self.addClaim(row, to: &claims) }
            }
            return ReplicaPage(hotel: property?.hotel, roomTypes: property?.types, rooms: property?.rooms,
                               bookings: bookings.map { WireBooking($0, claims: claims[$0.id.uuidString] ?? []) },
                               cursor: cursor, totalBookings: total, next: next)
        })
    }

    /// What changed after `since` (a change-feed number): each booking a feed entry in the page's
    /// range names, whole and as it is now, once, in the order first named; the hotel, its room
    /// types and rooms whole when one of them changed in the range. At most `limit` bookings; the
    /// page's `cursor` is the last entry it covers and `more` says entries follow.
    /// - Throws: `ReplicaTooOld` when entries after `since` were pruned, or `since` is ahead of the feed.
    public func changesPage(since: Int64, limit: Int) throws -> ChangesPage {
        let limit = max(1, min(limit, SyncWire.pageSize))
        return try afterReadingDurably(read { db in
            let hotel = try requireHotel(db)
            let key = hotel.id.uuidString
            let bounds = try Row.fetchOne(db.cachedStatement(sql: "SELECT MIN(seq), MAX(seq) FROM change_feed WHERE hotel_id = ?"),
                                          arguments: [key])
            let oldest: Int64? = bounds?[0], latest: Int64 = bounds?[1] ?? 0
            if since < 0 || since > latest || (oldest.map { since < $0 - 1 } ?? false) {
                throw ReplicaTooOld(since: since, oldestKept: oldest ?? 0, latest: latest)
            }
            var ids: [String] = []
            var named = Set<String>()
            var propertyChanged = false
            var cursor = since
            var more = false
            let entries = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT seq, booking_id, event FROM change_feed WHERE hotel_id = ? AND seq > ? ORDER BY seq
                """), arguments: [key, since])
            while let row = try entries.next() {
                let seq: Int64 = row[0]
                if let booking: String = row[1] {
                    if !named.contains(booking) {
                        if ids.count == limit {
                            more = true
                            break
                        }
                        named.insert(booking)
                        ids.append(booking)
                    }
                } else if Self.propertyEvents.contains(row[2]) {
                    propertyChanged = true
                }
                cursor = seq
            }
            var page = ChangesPage(cursor: cursor, more: more, bookings: try wireBookings(ids: ids, db))
            if propertyChanged {
                let property = try wireProperty(hotel, db)
                (page.hotel, page.roomTypes, page.rooms) = (property.hotel, property.types, property.rooms)
            }
            return page
        })
    }

    static func latestSequence(_ hotelKey: String, _ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) FROM change_feed WHERE hotel_id = ?"),
                           arguments: [hotelKey]) ?? 0
    }

    func wireProperty(_ hotel: Hotel, _ db: Database) throws -> (hotel: WireHotel, types: [WireRoomType], rooms: [WireRoom]) {
        let types = try fetchRoomTypes(db).filter { $0.hotelId == hotel.id }
        let rooms = try fetchRooms(db, whereClause: "WHERE r.hotel_id = ?", arguments: [hotel.id.uuidString])
            .sorted { RoomNumberOrder.precedes($0.room.number, $1.room.number) }
        return (WireHotel(hotel), types.map(WireRoomType.init),
                rooms.map { WireRoom(roomId: $0.room.id, roomNumber: $0.room.number, roomTypeId: $0.type.id, isActive: $0.room.isActive) })
    }

    /// The bookings with these ids (stored text), whole with their claims, in the order given.
    func wireBookings(ids: [String], _ db: Database) throws -> [WireBooking] {
        guard !ids.isEmpty else { return [] }
        var found: [String: Booking] = [:]
        var claims: [String: [WireClaim]] = [:]
        // In slices: SQLite takes a bounded number of arguments per statement.
        for start in stride(from: 0, to: ids.count, by: 500) {
            let slice = Array(ids[start..<min(ids.count, start + 500)])
            let marks = Array(repeating: "?", count: slice.count).joined(separator: ",")
            for booking in try Self.fetchBooking(db, whereClause: "b.id IN (\(marks))", arguments: StatementArguments(slice)) {
                found[booking.id.uuidString] = booking
            }
            let rows = try Row.fetchCursor(db, sql: "SELECT booking_id, night, room_id FROM room_night WHERE booking_id IN (\(marks)) ORDER BY night",
                                           arguments: StatementArguments(slice))
            while let row = try rows.next() { Self.addClaim(row, to: &claims) }
        }
        return ids.compactMap { id in found[id].map { WireBooking($0, claims: claims[id] ?? []) } }
    }

    private static func addClaim(_ row: Row, to claims: inout [String: [WireClaim]]) {
        let booking: String = row[0], night: String = row[1], room: String = row[2]
        claims[booking, default: []].append(WireClaim(night: night, roomId: room.lowercased()))
    }

    func wireBooking(_ booking: Booking, _ db: Database) throws -> WireBooking {
        try wireBookings(ids: [booking.id.uuidString], db).first ?? WireBooking(booking, claims: [])
    }
}

// MARK: Applying a desk's operations

extension FrontDeskStore {
    /// Applies a desk's operations in order, in one write transaction, each in a savepoint of its
    /// own (a refused one leaves nothing behind, the others stand). Each answer is recorded with
    /// the operation's id in the same transaction as its effect: the same id again gets the first
    /// answer and changes nothing; the same id with other content is `rejected` (`conflict`).
    /// See docs/sync-protocol.md for each kind's rules.
    public func applySync(_ operations: [SyncOperation], by user: String) throws -> SyncPushResult {
        try write(journalsInOnePiece: true) { db in
            let hotel = try requireHotel(db)
            let key = hotel.id.uuidString
            let group = GroupReads()
            group.hotel = hotel
            try group.readAllRooms(bookings: operations.count(where: { $0.kind == .book }), of: self, db)
            var seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) FROM sync_operation WHERE hotel_id = ?"),
                                         arguments: [key]) ?? 0
            var results: [SyncOutcome] = []
            results.reserveCapacity(operations.count)
            for operation in operations {
                let fingerprint = operation.fingerprint
                if let stored = try db.firstRow(cached: """
                    SELECT fingerprint, answer FROM sync_operation WHERE hotel_id = ? AND operation_id = ?
                    """, key, operation.operationId, read: { (columnText($0, 0) ?? "", columnText($0, 1) ?? "") }) {
                    if operation.isRetry(ofFingerprint: stored.0), let answer = try? JSONDecoder().decode(SyncOutcome.self, from: Data(stored.1.utf8)) {
                        results.append(answer)
                    } else {
                        results.append(SyncRefusal.pushedBefore(operation.operationId))
                    }
                    continue
                }
                let queued = shared.pendingNotifications.withLock { $0.count }
                // A change's lines in the booking's history go back with its answer (a new
                // booking's say nothing the desk does not know).
                let changed = operation.kind == .book ? nil : SyncWire.parseUUID(operation.bookingId)
                let historyBefore = try changed.map { try Self.lastHistoryLine(of: $0, db) }
                var outcome: SyncOutcome
                do {
                    outcome = try db.inCachedSavepoint { try applyOne(operation, hotel: hotel, group: group, by: user, db) }
                    if outcome.outcome == .accepted, let changed, let historyBefore {
                        outcome.recorded = try Self.historyLines(of: changed, after: historyBefore, db)
                    }
                } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_IOERR {
                    throw error // the file itself failed: nothing of this push is kept
                } catch {
                    shared.pendingNotifications.withLock { $0.removeSubrange(queued...) }
                    guard let refused = SyncRefusal.of(error) else { throw error }
                    outcome = refused.outcome(for: operation)
                }
                seq += 1
                try db.run(cached: """
                    INSERT INTO sync_operation (hotel_id, operation_id, seq, fingerprint, booking_id, outcome, answer, at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, key, operation.operationId, seq, fingerprint, Self.bookingKey(operation.bookingId),
                    outcome.outcome.rawValue, String(decoding: outcome.jsonBytes(), as: UTF8.self), Timestamp.text(now))
                results.append(outcome)
            }
            return SyncPushResult(results: results, cursor: try Self.latestSequence(key, db))
        }
    }

    static func lastHistoryLine(of bookingId: UUID, _ db: Database) throws -> Int64 {
        try db.value(Int64.self, sql: "SELECT COALESCE(MAX(id), 0) FROM audit_entry WHERE booking_id = ?",
                     arguments: [bookingId.storedText]) ?? 0
    }

    /// The booking's history lines written after `since`, oldest first; nil when none was.
    static func historyLines(of bookingId: UUID, after since: Int64, _ db: Database) throws -> [String]? {
        let lines = try db.values(String.self, sql: "SELECT summary FROM audit_entry WHERE booking_id = ? AND id > ? ORDER BY id",
                                  arguments: [bookingId.storedText, since])
        return lines.isEmpty ? nil : lines
    }

    public func recordedSyncOperation(_ operationId: String) throws -> RecordedSyncOperation? {
        try read { db in
            let key = try requireHotel(db).id.uuidString
            return try Row.fetchOne(db.cachedStatement(sql: "SELECT fingerprint, answer FROM sync_operation WHERE hotel_id = ? AND operation_id = ?"),
                                    arguments: [key, operationId]).map { RecordedSyncOperation(fingerprint: $0[0], answer: $0[1]) }
        }
    }

    /// A booking id as `sync_operation.booking_id` keeps it (lowercase), or nil when it is not an id.
    static func bookingKey(_ text: String) -> String? {
        SyncWire.parseUUID(text).map(Identifier.lowercaseText)
    }

    /// This store on the day the desk made `operation`: a booking, cancel, check-in, check-out or
    /// undo is judged then (a guest checked out offline before midnight and pushed after it left
    /// that day; a cancel made on the arrival day is no late cancel), at most a week back
    /// (`Hotel.ruleDate`); a business date set from outside wins.
    private func madeOn(_ operation: SyncOperation, hotel: Hotel) -> FrontDeskStore {
        onBusinessDate(hotel.ruleDate(madeAt: operation.madeAt, today: businessDate(for: hotel)),
                       madeAt: InstantText.instant(operation.madeAt).map { min($0, now) })
    }

    private func applyOne(_ operation: SyncOperation, hotel: Hotel, group: GroupReads, by user: String, _ db: Database) throws -> SyncOutcome {
        let bookingId = try operation.checkedBookingId()
        let reference = bookingId.storedText
        if operation.kind == .book {
            // Only whether the id is taken matters to a new booking.
            let taken = try db.exists(cached: "SELECT 1 FROM booking WHERE id = ?", reference)
            if taken, let existing = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [reference]).first,
               operation.sendsAgain(existing, hotelId: hotel.id) {
                return SyncOutcome(operationId: operation.operationId, outcome: .accepted, booking: try wireBooking(existing, db))
            }
            return try book(operation, bookingId: bookingId, exists: taken, hotel: hotel, group: group, by: user, db)
        }
        let exists = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [reference]).first
        let madeOn = madeOn(operation, hotel: hotel)
        switch operation.kind {
        case .book:
            return try book(operation, bookingId: bookingId, exists: exists != nil, hotel: hotel, group: group, by: user, db)
        case .cancel:
            // A cancel of a booking the server has is applied (a receptionist's resolution of a conflict).
            guard let exists, exists.hotelId == hotel.id else {
                try requireNoEarlierRefusal(bookingId, operation, db)
                throw FrontDeskError.notFound("No booking with id \(Identifier.lowercaseText(bookingId))")
            }
            let reason = try operation.cancellationReason(user: user)
            let booking = try madeOn.cancel(reference, reason: reason, expectedVersion: operation.baseVersion, by: user, db)
            return SyncOutcome(operationId: operation.operationId, outcome: .accepted, booking: try wireBooking(booking, db))
        case .checkIn, .checkOut, .move, .noShow, .undoCheckIn, .undoCheckOut, .undoNoShow, .edit:
            // Made on the server's current version: the desk knew the booking as it is, whatever
            // was refused before. Otherwise it may rest on a refused operation.
            let here = exists?.hotelId == hotel.id ? exists : nil
            if operation.mayDependOnRefusal(currentVersion: here?.version) {
                try requireNoEarlierRefusal(bookingId, operation, db)
            }
            guard let exists = here else {
                throw FrontDeskError.notFound("No booking with id \(Identifier.lowercaseText(bookingId))")
            }
            // No-shows and undos through the server's own changes: the same checks, audit and
            // claims as the API's; a changed booking is `stale_version`, a night sold meanwhile
            // (an undone early check-out) `room_unavailable`.
            let request = ChangeRequest(expectedVersion: operation.baseVersion, user: user, channel: .desk)
            let booking = switch operation.kind {
            case .checkIn: try madeOn.checkIn(reference, expectedVersion: operation.baseVersion, by: user, db)
            case .checkOut: try madeOn.checkOut(reference, expectedVersion: operation.baseVersion, by: user, db)
            case .noShow: try markNoShow(reference, request, db)
            case .edit: try madeOn.changeBooking(reference, try operation.checkedEdit(), request, db)
            case .undoCheckIn: try madeOn.undoCheckIn(reference, checkedReason: try operation.undoReason(user: user), request, db)
            case .undoCheckOut: try madeOn.undoCheckOut(reference, checkedReason: try operation.undoReason(user: user), request, db)
            case .undoNoShow: try madeOn.undoNoShow(reference, checkedReason: try operation.undoReason(user: user), request, db)
            default: try move(operation, exists, hotel: hotel, by: user, db)
            }
            return SyncOutcome(operationId: operation.operationId, outcome: .accepted, booking: try wireBooking(booking, db))
        }
    }

    /// A room change made on a desk, applied by the server's own `move` (the same checks, audit
    /// and claims). A taken room-night is a conflict (`room_unavailable`) with suggested rooms,
    /// a changed booking a conflict (`stale_version`); both say which move it was. A move to the
    /// room the booking is in already is accepted and changes nothing (the desk wants it there:
    /// a receptionist's way to keep a booking where the server has it, when its move was refused).
    private func move(_ operation: SyncOperation, _ booking: Booking, hotel: Hotel, by user: String, _ db: Database) throws -> Booking {
        let details = try operation.checkedMove()
        guard let roomId = UUID(uuidString: details.roomId),
              let target = try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [roomId.uuidString]).first,
              target.type.hotelId == hotel.id else {
            throw SyncOperation.notARoom(details)
        }
        if let expected = operation.baseVersion, expected != booking.version {
            throw SyncOperation.staleMove(booking, toRoom: target.room.number, expected: expected)
        }
        let today = businessDate(for: hotel)
        return try SyncOperation.applyMove(booking, to: target.room, businessDate: today, move: {
            try move(booking.id.storedText, toRoom: target.room.number, reason: operation.reason, reprice: details.reprice,
                     ChangeRequest(expectedVersion: operation.baseVersion, user: user, channel: .desk), db)
        }, suggestions: {
            try suggestedRooms(instead: target.room.id, stay: $0, guests: booking.guestCount, hotel: hotel, db)
        })
    }

    /// `SyncRefusal.requireNoEarlierRefusal` over the booking's latest pushed operation.
    private func requireNoEarlierRefusal(_ bookingId: UUID, _ operation: SyncOperation, _ db: Database) throws {
        try SyncRefusal.requireNoEarlierRefusal(of: bookingId, latestOutcome: try String.fetchOne(db.cachedStatement(
            sql: "SELECT outcome FROM sync_operation WHERE hotel_id = ? AND booking_id = ? ORDER BY seq DESC LIMIT 1"),
            arguments: [try requireHotel(db).id.uuidString, Identifier.lowercaseText(bookingId)]))
    }

    /// A booking made on a desk: held and confirmed at once with its desk payment, under the desk's
    /// id and (unless another booking has it) code, at the prices the desk took (`nightlyPrices`),
    /// or, from a desk that sends none, priced by the server's rules as of the day it was made.
    private func book(_ operation: SyncOperation, bookingId: UUID, exists: Bool, hotel: Hotel, group: GroupReads,
                      by user: String, _ db: Database) throws -> SyncOutcome {
        let (details, roomId) = try operation.bookingToMake(alreadyExists: exists, bookingId: bookingId)
        let rules = madeOn(operation, hotel: hotel)
        let request = ReservationRequest(form: details.form, payment: .desk, user: user, roomId: roomId, bookingId: bookingId,
                                         confirmationCode: details.confirmation, agreedPrices: try details.desksPrices())
        // Held, paid at the desk and confirmed in this transaction; the booking and the nights it
        // claims are as written here (read back, they are the same: SyncServerTests).
        let booking: Booking
        do {
            booking = try rules.reserve(request, db, group: group, confirmedAtDeskBy: user)
        } catch FrontDeskError.roomUnavailable(let message) {
            throw SyncRefusal(outcome: .conflict, code: "room_unavailable", message: message,
                              suggestedRooms: try rules.suggestedRooms(instead: roomId, details, hotel: hotel, db))
        }
        let roomKey = Identifier.lowercaseText(booking.roomId)
        let claims = booking.stay.nights.map { WireClaim(night: $0.iso, roomId: roomKey) }
        let changed = ConfirmationCode.normalized(details.confirmation) != booking.confirmationCode
        return SyncOutcome(operationId: operation.operationId, outcome: .accepted, booking: WireBooking(booking, claims: claims),
                           confirmationChanged: changed ? true : nil)
    }

    /// Rooms free for the whole stay instead of `roomId`: of its type or sleeping at least as
    /// many, cheapest first, a few.
    func suggestedRooms(instead roomId: UUID, _ details: SyncOperation.NewBooking, hotel: Hotel, _ db: Database) throws -> [WireSuggestedRoom] {
        guard let stay = details.stay else { return [] }
        return try suggestedRooms(instead: roomId, stay: stay, guests: details.guests, hotel: hotel, db)
    }

    /// The same for a stay (a move's: the nights it moves) and a number of guests.
    func suggestedRooms(instead roomId: UUID, stay: StayDates, guests: Int, hotel: Hotel, _ db: Database) throws -> [WireSuggestedRoom] {
        guard let wanted = try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [roomId.uuidString]).first else { return [] }
        let query = AvailabilityQuery(stay: stay, guestCount: min(max(guests, 1), wanted.type.capacity))
        return try offers(query, hotel: hotel, today: businessDate(for: hotel), db).suggestions(instead: roomId, of: wanted.type)
    }
}
