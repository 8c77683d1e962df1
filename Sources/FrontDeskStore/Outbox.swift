import Foundation
import FrontDeskDomain
import GRDB

/// An operation the server refused (or could never apply), or a booking of this desk a server
/// booking overruled, for a receptionist to resolve.
public struct SyncConflict: Sendable, Equatable {
    public var conflictId: String
    public var operationId: String
    public var booking: Booking
    /// The error code: `room_unavailable`, `stale_version`, `depends_on_conflict`, ...
    public var reason: String
    public var message: String?
    public var suggestedRooms: [WireSuggestedRoom]
    public var createdAt: Date
    /// The server has the booking (it accepted it once): a refused change to it can be dropped
    /// (`--keep-server`) or made again on the server's version (`--reapply`).
    public var onServer: Bool
    /// The kind of the refused operation (nil when the outbox no longer has it).
    public var refusedKind: SyncOperation.Kind?
    /// A check-out made on this desk after the refused change waits behind it: the guest left.
    public var checkedOutHereSince = false

    public init(conflictId: String, operationId: String, booking: Booking, reason: String, message: String?,
                suggestedRooms: [WireSuggestedRoom], createdAt: Date, onServer: Bool = false, refusedKind: SyncOperation.Kind? = nil) {
        self.conflictId = conflictId
        self.operationId = operationId
        self.booking = booking
        self.reason = reason
        self.message = message
        self.suggestedRooms = suggestedRooms
        self.createdAt = createdAt
        self.onServer = onServer
        self.refusedKind = refusedKind
    }

    /// The ways this conflict can be resolved, as `conflicts resolve` names them: a booking made
    /// here moves or is cancelled; a change to a server booking can also be dropped or re-applied.
    /// A guest checked in (or out) on this desk's copy is not cancelled: the store refuses it, so
    /// it is not offered (it was, and failed with exit 5).
    /// A booking cancelled already (on the server, pulled here) is not offered a cancel either,
    /// and a guest in house without a booking is settled only by keeping the server's version,
    /// once the guest is booked again.
    public var resolutions: [String] {
        if guestInHouseWithoutBooking { return ["keepServer"] }
        // A refused undo leaves the booking here as the undo made it, not as the server has it
        // (a no-show, a guest in house or gone): a cancel would refund at the desk what the
        // server keeps, and the server would refuse it.
        let cancel = [.checkedIn, .checkedOut, .cancelled, .noShow, .failed].contains(booking.status)
            || refusedKind?.undoneWhat != nil ? [] : ["cancel"]
        guard onServer else { return ["moveTo"] + cancel }
        let move = refusedKind == .move || refusedKind == .book || refusedKind == nil || movesWithTheServersVersion ? ["moveTo"] : []
        return move + cancel + ["keepServer", "reapply"]
    }

    /// A stay lengthened here whose added nights the server had sold: a move takes the server's
    /// version of the booking to the room and makes the lengthening again there
    /// (`resolveConflict(_:reapplyingOn:movingTo:by:)`), so it needs the server.
    public var movesWithTheServersVersion: Bool {
        onServer && refusedKind == .edit && reason == "room_unavailable"
    }

    /// A check-in made here that the server refused because another desk had cancelled the
    /// booking, or marked it a no-show (since pulled here): the guest sleeps in a room the system
    /// shows as free.
    public var guestInHouseWithoutBooking: Bool {
        onServer && refusedKind == .checkIn && (booking.status == .cancelled || booking.status == .noShow)
    }

    /// What a receptionist does about a guest in house without a booking, in words.
    public var guestInHouseAdvice: String {
        let what = booking.status == .noShow ? "marked a no-show" : "cancelled"
        if checkedOutHereSince {
            return "Booking \(booking.confirmationCode) was \(what) on the server while \(booking.guest.name) was checked in here, "
                + "and the guest has since checked out here: the stay in room \(booking.roomNumber) is on no booking. Charge it by hand "
                + "(book it again, check in and out), then settle this with: frontdesk conflicts resolve \(conflictId.prefix(8)) --keep-server"
        }
        return "Booking \(booking.confirmationCode) was \(what) on the server "
            + "while \(booking.guest.name) was checked in here: "
            + "the guest is in room \(booking.roomNumber) with no booking. Book them again (frontdesk book, then check-in), "
            + "then settle this with: frontdesk conflicts resolve \(conflictId.prefix(8)) --keep-server"
    }
}

extension FrontDeskStore {
    // MARK: The outbox

    /// Queued operations, oldest first (the order they were made, which is the order to push).
    public func queuedOperations(limit: Int) throws -> [SyncOperation] {
        try read { db in
            try db.values(String.self, sql: "SELECT body FROM sync_outbox WHERE state = 'queued' ORDER BY seq LIMIT ?",
                          arguments: [max(0, limit)]).map(Self.decodeOperation)
        }
    }

    /// The server's answers to pushed operations, in one transaction, in the order given:
    /// - accepted: the server's booking is written (`synced`; a booking of another id replaces
    ///   the one the operation named) and the operation is settled;
    /// - conflict: the booking becomes `conflict` (its room-nights released), a conflict row keeps
    ///   reason, message and suggested rooms, and the booking's later queued operations wait with it;
    /// - rejected: as a conflict (the receptionist must see it), the operation settled `rejected`;
    /// - retry: stays queued, one more attempt counted.
    /// An answer to an operation that was never queued here (a write the server took online)
    /// writes the accepted booking and nothing else. No operation is ever deleted.
    /// Returns the ids of refused operations that left nothing to settle (`closeRefusalOfABookingCancelledHere`):
    /// no conflict waits for them.
    @discardableResult
    public func settle(_ outcomes: [SyncOutcome]) throws -> Set<String> {
        try write { db in
            var nothingToSettle: Set<String> = []
            for outcome in outcomes where try !settle(outcome, db) { nothingToSettle.insert(outcome.operationId) }
            return nothingToSettle
        }
    }

    /// False for a refusal that needs no one (no conflict made).
    private func settle(_ outcome: SyncOutcome, _ db: Database) throws -> Bool {
        let row = try db.row(sql: "SELECT seq, booking_id, state, kind FROM sync_outbox WHERE operation_id = ?",
                             arguments: [outcome.operationId])
        let seq: Int64? = row?[0]
        let bookingId: String? = row?[1]
        let kind: String? = row?[3]
        let instant = Timestamp.text(now)
        switch outcome.outcome {
        case .accepted:
            if let seq {
                try db.run(sql: "UPDATE sync_outbox SET state = 'accepted', attempts = attempts + 1, last_error = NULL, settled_at = ? WHERE seq = ?",
                           arguments: [instant, seq])
            }
            guard let wire = outcome.booking else { return true }
            let serverBooking = try Self.wire { try wire.booking() }
            let serverId = serverBooking.id.uuidString
            if let bookingId, bookingId != serverId {
                try replaceLocalBooking(bookingId, by: serverId, db)
            }
            let stillQueued = try db.value(Int.self, sql: "SELECT COUNT(*) FROM sync_outbox WHERE booking_id = ? AND state = 'queued'",
                                           arguments: [serverId]) ?? 0
            let exists = try db.value(Int.self, sql: "SELECT 1 FROM booking WHERE id = ?", arguments: [serverId]) != nil
            if stillQueued > 0 && exists {
                // Later changes of this desk wait to be pushed: the booking shows them until their
                // own answers come; the server knows it now, with its code.
                if outcome.confirmationChanged == true {
                    try changeCode(of: serverId, to: serverBooking.confirmationCode, db)
                }
                try db.run(sql: "UPDATE booking SET server_version = ? WHERE id = ?", arguments: [serverBooking.version, serverId])
            } else {
                let before = try exists ? Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [serverId]).first : nil
                try upsertFromServer(wire, force: true, db)
                if let before, before.confirmationCode != serverBooking.confirmationCode {
                    try audit(db, user: "sync", action: "booking.codeChanged", bookingId: serverBooking.id,
                              summary: "Booking \(before.confirmationCode) is \(serverBooking.confirmationCode) on the server: give the guest the new code")
                }
            }
            // Queued changes said their own money when they were made here: the server's lines
            // are kept apart, in the history only (`Output.sayRecorded` passes them over).
            try keepServerHistory(outcome, bookingId: serverBooking.id, madeHereEarlier: seq != nil, db)
        case .conflict, .rejected:
            guard let seq, let bookingId else { return true } // never queued here: the caller shows the error
            let state = outcome.outcome == .conflict ? "conflict" : "rejected"
            try db.run(sql: "UPDATE sync_outbox SET state = ?, attempts = attempts + 1, last_error = ?, settled_at = ? WHERE seq = ?",
                       arguments: [state, outcome.message ?? outcome.code, instant, seq])
            if try closeRefusalOfABookingCancelledHere(bookingId, outcome: outcome, db) { return false }
            var suggested = outcome.suggestedRooms ?? []
            if outcome.code == "room_unavailable", try refusedLengthening(kind: kind, bookingId: bookingId, after: seq, db) {
                suggested = try roomsForARefusedLengthening(bookingId, db)
            }
            try markConflict(bookingId: bookingId, operationId: outcome.operationId, reason: outcome.code ?? state,
                             message: outcome.message, suggestedRooms: suggested, outboxState: "conflict", db)
        case .retry:
            guard let seq else { return true }
            try db.run(sql: "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ? WHERE seq = ?",
                       arguments: [outcome.message ?? outcome.code ?? "retry", seq])
        }
        return true
    }

    /// The refused operation lengthens the stay (an edit), or moves a booking whose lengthening
    /// waits behind it (a `--move-to` of a refused lengthening, refused in turn): the server's
    /// suggestions were for its own shorter stay, and a room offered so was refused here.
    private func refusedLengthening(kind: String?, bookingId: String, after seq: Int64, _ db: Database) throws -> Bool {
        if kind == SyncOperation.Kind.edit.rawValue { return true }
        guard kind == SyncOperation.Kind.move.rawValue else { return false }
        return try db.value(Int.self, sql: """
            SELECT 1 FROM sync_outbox WHERE booking_id = ? AND seq > ? AND kind = 'edit' AND state = 'queued' LIMIT 1
            """, arguments: [bookingId, seq]) != nil
    }

    /// Rooms free, as this desk knows them, for a stay lengthened here whose added nights the
    /// server had sold (it names none for an edit): from the first night still to come to the new
    /// check-out, the nights a move then the lengthening claim (`SyncConflict.movesWithTheServersVersion`).
    private func roomsForARefusedLengthening(_ bookingId: String, _ db: Database) throws -> [WireSuggestedRoom] {
        guard let booking = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first,
              let hotel = try fetchHotel(db) else { return [] }
        let today = businessDate(for: hotel)
        let first = max(booking.stay.checkIn, booking.firstNightStillToCome(businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today)))
        guard let span = StayDates(checkIn: first, checkOut: booking.stay.checkOut) else { return [] }
        // A suggestion is a help, never a reason to refuse the settling of an answer.
        return (try? suggestedRooms(instead: booking.roomId, stay: span, guests: booking.guestCount, hotel: hotel, db)) ?? []
    }

    /// An accepted operation's lines in the server's history of the booking (`SyncOutcome.recorded`:
    /// money to collect or repay at the desk, a refund to the card), kept in this desk's history,
    /// where `frontdesk` commands and the desk's screens say them as they say their own.
    /// Kept once per operation (its id is the lines' user, `server:ID`): an answer read again (a
    /// retry under the same request id) adds nothing.
    public func keepServerHistory(_ outcome: SyncOutcome) throws {
        guard outcome.outcome == .accepted, outcome.recorded?.isEmpty == false,
              let id = outcome.booking.flatMap({ SyncWire.parseUUID($0.bookingId) }) else { return }
        try write { db in try keepServerHistory(outcome, bookingId: id, madeHereEarlier: false, db) }
    }

    /// The action of the server's lines of a change queued here (`keepServerHistory`).
    public static let serverLinesOfAQueuedChange = "server.recordedLater"

    func keepServerHistory(_ outcome: SyncOutcome, bookingId: UUID, madeHereEarlier: Bool, _ db: Database) throws {
        let user = "server:" + outcome.operationId.prefix(36)
        guard outcome.outcome == .accepted, let lines = outcome.recorded,
              try db.value(Int.self, sql: "SELECT 1 FROM booking WHERE id = ?", arguments: [bookingId.storedText]) != nil,
              try db.value(Int.self, sql: "SELECT 1 FROM audit_entry WHERE booking_id = ? AND user = ? LIMIT 1",
                           arguments: [bookingId.storedText, user]) == nil else { return }
        // What this desk's own lines of the booking said about money (a change queued here said
        // its money when it was made): the server's copy of such a line is the same money.
        var saidHere = ServerLineOfMoney.SaidHere()
        if madeHereEarlier {
            saidHere = ServerLineOfMoney.saidHere(try db.values(String.self, sql: """
                SELECT summary FROM audit_entry WHERE booking_id = ? AND user NOT LIKE 'server:%'
                """, arguments: [bookingId.storedText]))
        }
        for line in lines {
            let summary: String
            if !madeHereEarlier {
                summary = "On the server: " + line
            } else if let same = ServerLineOfMoney.sameAs(saidHere, line) {
                summary = same
            } else {
                summary = "On the server, for a change made here earlier: " + line
            }
            try audit(db, user: user, action: madeHereEarlier ? Self.serverLinesOfAQueuedChange : "server.recorded", bookingId: bookingId,
                      summary: summary)
        }
    }

    /// A refused operation of a booking made on this desk, never on the server, and cancelled here
    /// since (booked and cancelled offline, its room sold meanwhile): nothing is left for anyone to
    /// do (the guest cancelled; what they paid at the desk was refunded here), so it is no conflict.
    /// It sat on the conflict list offering only a move, which would have booked the guest again.
    /// Its operations are settled refused, for the record, and its history says why.
    private func closeRefusalOfABookingCancelledHere(_ bookingId: String, outcome: SyncOutcome, _ db: Database) throws -> Bool {
        guard let row = try db.row(sql: "SELECT status, server_version, confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]),
              row[0] as String == BookingStatus.cancelled.rawValue, (row[1] as Int?) == nil else { return false }
        let code: String = row[2]
        // The refused one (settled `conflict` just now) and those queued behind it.
        try db.run(sql: "UPDATE sync_outbox SET state = 'rejected', last_error = ?, settled_at = ? WHERE booking_id = ? AND state IN ('queued', 'conflict')",
                   arguments: ["the booking was refused and is cancelled here", Timestamp.text(now), bookingId])
        try db.run(sql: "UPDATE booking SET sync_state = 'synced' WHERE id = ?", arguments: [bookingId])
        // Said once: the cancel pushed with the booking is refused after it.
        guard try db.value(Int.self, sql: "SELECT 1 FROM audit_entry WHERE booking_id = ? AND action = 'booking.refusedAfterCancel'",
                           arguments: [UUID(uuidString: bookingId)?.storedText ?? bookingId]) == nil else { return true }
        try audit(db, user: "sync", action: "booking.refusedAfterCancel", bookingId: UUID(uuidString: bookingId),
                  summary: "The server refused booking \(code) (\(outcome.message ?? outcome.code ?? "refused")), which was cancelled here "
                    + "meanwhile: it was never on the server, and nothing is left to settle")
        return true
    }

    /// The booking becomes a conflict: it holds no room-night, its later queued operations wait
    /// with it (settled `conflict`), and one open conflict row says why (a booking already on the
    /// list gets no second row for the operations that failed because of the first).
    func markConflict(bookingId: String, operationId: String?, reason: String, message: String?,
                      suggestedRooms: [WireSuggestedRoom], outboxState: String, asABooking: Bool = false, _ db: Database) throws {
        guard let booking = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else { return }
        let instant = Timestamp.text(now)
        let firstQueued = try db.value(String.self, sql: """
            SELECT operation_id FROM sync_outbox WHERE booking_id = ? AND state = 'queued' ORDER BY seq LIMIT 1
            """, arguments: [bookingId])
        try db.run(sql: "UPDATE sync_outbox SET state = ?, last_error = ?, settled_at = ? WHERE booking_id = ? AND state = 'queued'",
                   arguments: [outboxState, "waits for conflict: \(reason)", instant, bookingId])
        try db.run(sql: "DELETE FROM room_night WHERE booking_id = ?", arguments: [bookingId])
        try db.run(sql: "UPDATE booking SET sync_state = 'conflict' WHERE id = ?", arguments: [bookingId])
        let open = try db.value(Int.self, sql: "SELECT 1 FROM sync_conflict WHERE booking_id = ? AND resolved_at IS NULL",
                                arguments: [bookingId]) != nil
        let latest = try db.value(String.self, sql: "SELECT operation_id FROM sync_outbox WHERE booking_id = ? ORDER BY seq DESC LIMIT 1",
                                  arguments: [bookingId])
        guard !open else { return }
        // `asABooking`: the booking itself is what the server lacks (a lost one): its last
        // operation, long accepted, is not what the conflict is about (its kind would offer
        // resolutions that need the server's copy).
        var named = operationId ?? firstQueued ?? (asABooking ? nil : latest)
        if named == nil {
            // A booking the server never had and this desk never queued (made while standalone,
            // paid by card here): its `book` is filed, settled and never pushed, as the operation
            // the conflict row names, so the conflict is on the list like any other.
            let record = bookOperation(booking, operationId: UUID.timeOrdered(at: now),
                                       payment: try paymentMethod(ofBooking: bookingId, db) ?? .desk, by: "sync", madeAt: booking.createdAt)
            try db.run(sql: """
                INSERT INTO sync_outbox (operation_id, booking_id, kind, body, state, last_error, created_at, settled_at)
                VALUES (?, ?, 'book', ?, ?, ?, ?, ?)
                """, arguments: [record.operationId, bookingId, String(decoding: try JSONEncoder().encode(record), as: UTF8.self),
                                 outboxState, "never sent: \(reason)", instant, instant])
            named = record.operationId
        }
        guard let operation = named else { return }
        let suggested = String(decoding: try JSONEncoder().encode(suggestedRooms), as: UTF8.self)
        try db.run(sql: """
            INSERT INTO sync_conflict (id, operation_id, booking_id, reason, message, suggested_rooms, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [UUID().uuidString.lowercased(), operation, bookingId, reason, message, suggested, instant])
        // The booking as this desk's changes left it, kept with the entry for the record: a pull
        // writes the server's copy over the row meanwhile.
        try audit(db, user: "sync", action: "booking.syncConflict", bookingId: booking.id, roomId: booking.roomId,
                  summary: "Booking \(booking.confirmationCode) is a conflict (\(reason))" + (message.map { ": \($0)" } ?? "")
                      + "; room \(booking.roomNumber) released until it is resolved", before: booking)
        notify(.roomAvailabilityChanged(hotelId: booking.hotelId, roomId: booking.roomId, stay: booking.stay))
    }

    /// The server made the booking under another id: the desk's row goes (its operations and
    /// conflicts are filed under the server's id), the server's is written by the caller.
    private func replaceLocalBooking(_ localId: String, by serverId: String, _ db: Database) throws {
        try db.run(sql: "UPDATE sync_outbox SET booking_id = ? WHERE booking_id = ?", arguments: [serverId, localId])
        for table in ["room_night", "booking_night", "booking_note", "saga_message", "saga", "booking_change_request"] {
            try db.run(sql: "DELETE FROM \(table) WHERE booking_id = ?", arguments: [localId])
        }
        let conflicts = try db.value(Int.self, sql: "SELECT COUNT(*) FROM sync_conflict WHERE booking_id = ?", arguments: [localId]) ?? 0
        if conflicts > 0 {
            // Kept with the booking they were about: the server's row must exist first.
            try db.run(sql: "UPDATE booking SET confirmation_code = confirmation_code || '-' || id WHERE id = ?", arguments: [localId])
            return
        }
        try db.run(sql: "DELETE FROM booking WHERE id = ?", arguments: [localId])
    }

    private func changeCode(of bookingId: String, to code: String, _ db: Database) throws {
        if let other = try db.value(String.self, sql: "SELECT id FROM booking WHERE confirmation_code = ? AND id <> ?",
                                    arguments: [code, bookingId]) {
            try db.run(sql: "UPDATE booking SET confirmation_code = ? WHERE id = ?", arguments: [try freshConfirmationCode(db), other])
        }
        let old = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? "?"
        try db.run(sql: "UPDATE booking SET confirmation_code = ? WHERE id = ?", arguments: [code, bookingId])
        try audit(db, user: "sync", action: "booking.codeChanged", bookingId: UUID(uuidString: bookingId),
                  summary: "Booking \(old) is \(code) on the server: give the guest the new code")
    }

    /// A sync attempt's outcome: a success moves `last_sync_at` (the last time the desk and the
    /// server agreed, which is what `desk status` and the status bar show a receptionist) and
    /// clears the error; a failure keeps that time and records what went wrong.
    public func recordSyncAttempt(error: String?) throws {
        try write { db in
            try db.run(sql: """
                UPDATE replica_state SET last_sync_at = CASE WHEN ?2 IS NULL THEN ?1 ELSE last_sync_at END, last_error = ?2 WHERE id = 1
                """, arguments: [Timestamp.text(now), error])
        }
    }

    /// `synced`, `pending` or `conflict` of each booking found (bookings not in the file are left out).
    public func syncStates(of bookingIds: [UUID]) throws -> [UUID: String] {
        guard !bookingIds.isEmpty else { return [:] }
        let list = "[" + bookingIds.map { "\"\($0.uuidString)\"" }.joined(separator: ",") + "]"
        return try read { db in
            var states: [UUID: String] = [:]
            for row in try db.rows(sql: "SELECT id, sync_state FROM booking WHERE id IN (SELECT value FROM json_each(?))", arguments: [list]) {
                if let id = UUID(uuidString: row[0] as String) { states[id] = row[1] }
            }
            return states
        }
    }

    // MARK: Queueing operations (offline writes)

    static func decodeOperation(_ body: String) throws -> SyncOperation {
        do { return try JSONDecoder().decode(SyncOperation.self, from: Data(body.utf8)) } catch {
            throw StoreError.damagedRow(table: "sync_outbox", row: "body", problem: "not an operation: \(error)")
        }
    }

    /// Runs `write`, the local write of an operation that was pushed and got no answer, so that
    /// the operation it queues under the same id is the one pushed, byte for byte. The server may
    /// have applied the push (its answer was lost): pushed again, the same id must come with the
    /// same content, or the server refuses it as another operation (`conflict`) and the desk
    /// would show a conflict the server never had. (Built again here, `madeAt` would be a few
    /// milliseconds later and a cancel's default reason filled in.)
    public func queueingAsPushed<T>(_ operation: SyncOperation, _ write: () throws -> T) rethrows -> T {
        shared.pushedOperations.withLock { $0[operation.operationId] = operation }
        defer { _ = shared.pushedOperations.withLock { $0.removeValue(forKey: operation.operationId) } }
        return try write()
    }

    /// The booking of the operation the outbox holds under `operationId` (queued, or kept as a
    /// conflict); nil when it holds none (a change that changed nothing queues nothing).
    public func bookingIdOfQueuedOperation(_ operationId: String) throws -> String? {
        try read { db in
            try db.value(String.self, sql: "SELECT booking_id FROM sync_outbox WHERE operation_id = ?", arguments: [operationId])
        }
    }

    /// Writes an operation into the outbox (in the caller's transaction) and marks its booking pending.
    /// `totals`: the booking's total before and after the change the operation carries (nil for a
    /// `book`): what a `--keep-server` that drops it settles back.
    func enqueue(_ operation: SyncOperation, bookingId: String, totals: QueuedTotals? = nil, _ db: Database) throws {
        var operation = operation
        if let pushed = shared.pushedOperations.withLock({ $0[operation.operationId] }),
           pushed.kind == operation.kind, pushed.bookingId.lowercased() == operation.bookingId.lowercased() {
            operation = pushed
        }
        let body = String(decoding: try JSONEncoder().encode(operation), as: UTF8.self)
        do {
            try db.run(sql: """
                INSERT INTO sync_outbox (operation_id, booking_id, kind, body, created_at, total_before_cents, total_after_cents)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [operation.operationId, bookingId, operation.kind.rawValue, body, Timestamp.text(now),
                                 totals?.before, totals?.after])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw FrontDeskError.conflict("Operation \(operation.operationId) was already queued")
        }
        try db.run(sql: "UPDATE booking SET sync_state = 'pending' WHERE id = ?", arguments: [bookingId])
    }

    /// Queues a `book` operation for each booking of `hotelId` made while this desk was
    /// standalone (no server version, nothing queued), Confirmed or with the guest in house, that
    /// the server can take (`reasonNotToSend`): pushed as a desk payment (the server charges no
    /// card), made at the time it was booked when its stay has begun (the server takes such a
    /// stay if it was booked within the week), a guest in house followed by their `checkIn`. One
    /// the server refuses, or whose nights it sold meanwhile, becomes a conflict on this desk's
    /// list. The others stay as they are here, named in the audit trail for someone to enter on
    /// the server by hand; should the server sell their nights they become conflicts too
    /// (`upsertFromServer`), never stripped in silence. Returns the codes queued.
    /// `only`: these bookings alone (the ones a server lost), worded by `origin`.
    @discardableResult
    func queueBookingsTheServerNeverHad(_ hotelId: UUID, only: [String]? = nil, origin: UnsentOrigin = .standalone,
                                        _ db: Database) throws -> [String] {
        let hotel = try fetchHotel(db)
        let today = businessDate(for: hotel)
        let candidates = try Self.fetchBooking(db, whereClause: """
            b.hotel_id = ? AND b.server_version IS NULL AND b.sync_state = 'synced' AND b.status IN ('Confirmed', 'CheckedIn')
            AND (? IS NULL OR b.id IN (SELECT value FROM json_each(?)))
            ORDER BY b.created_at
            """, arguments: [hotelId.uuidString, only.map { _ in 1 }, try only.map(Self.jsonArray)])
        let paidByCard = Set(try db.values(String.self, sql: """
            SELECT s.booking_id FROM saga s JOIN booking b ON b.id = s.booking_id
            WHERE b.hotel_id = ? AND b.server_version IS NULL AND s.payment_method = 'card'
            """, arguments: [hotelId.uuidString]))
        var queued: [Booking] = [], left: [Booking] = []
        for booking in candidates {
            // A walk-in of the night, made before 06:00, is that night's after it too (`Hotel.nightOfArrival`).
            let arrivalNight = nightOfArrival(for: booking, hotel, today: today)
            if Self.reasonNotToSend(booking, paidByCard: paidByCard.contains(booking.id.storedText), today: today,
                                    nightUnderWay: arrivalNight) == nil {
                // A stay that began before today goes with the time it was booked; one booked for
                // today or later goes as made now, as before (its check against today's rules).
                let madeAt = booking.stay.checkIn < today ? booking.createdAt : nil
                try enqueue(bookOperation(booking, operationId: UUID.timeOrdered(at: now), payment: .desk, by: "sync", madeAt: madeAt),
                            bookingId: booking.id.storedText, db)
                if booking.status == .checkedIn {
                    try enqueue(changeOperation(.checkIn, of: booking, syncState: SyncState.pending.rawValue, reason: nil, by: "sync",
                                                operationId: UUID.timeOrdered(at: now),
                                                madeAt: Self.checkInMadeAt(booking, hotel: hotel, today: today)),
                                bookingId: booking.id.storedText,
                                totals: QueuedTotals(before: booking.totalPrice.minorUnits, after: booking.totalPrice.minorUnits), db)
                }
                queued.append(booking)
            } else {
                left.append(booking)
            }
        }
        func codes(_ bookings: [Booking]) -> String { bookings.map(\.confirmationCode).listedBriefly() }
        if !queued.isEmpty {
            try audit(db, user: "sync", action: "replica.\(origin.rawValue)BookingsQueued",
                      summary: "\(queued.count.counted("booking")) \(origin.words) queued for the server\(origin.sentAs): \(codes(queued))")
        }
        if !left.isEmpty {
            try audit(db, user: "sync", action: "replica.\(origin.rawValue)BookingsLeft",
                      summary: "\(left.count.counted("booking")) \(origin.words) not sent to the server "
                        + "(paid by card here, begun more than a week ago, or its stay's end come): "
                        + "enter them there by hand: \(codes(left))")
        }
        return queued.map(\.confirmationCode)
    }

    /// Why the server lacks a booking this desk holds, as the audit trail says it.
    enum UnsentOrigin: String {
        /// Made while the desk was standalone (never connected, or disconnected).
        case standalone
        /// Taken from the server once, and missing from a new replica of it: the server's data went
        /// back (restored from an older copy, or replaced).
        case lost

        var words: String {
            switch self {
            case .standalone: "made while standalone"
            case .lost: "the server no longer had (its data went back to an older copy)"
            }
        }

        /// How a booking sent again is paid on the server, when that is not what it was.
        var sentAs: String {
            switch self {
            case .standalone: ""
            // This desk does not know how the server's booking was paid (the server's saga went
            // with its data): sent as paid at the desk, which a card payment was not.
            case .lost: " as paid at the desk (how each was paid went with the server's data: a card payment's refund is made by hand)"
            }
        }
    }

    /// The bookings this desk took from the server (synced, with its version) that a new replica
    /// of it (`received`: every booking its pages held) no longer has: the server's data went back
    /// (restored from a backup, or another file put in its place) and lost what was booked since.
    /// Kept in silence, they sat on the desk marked synced while the server sold their rooms again.
    /// Each becomes this desk's own again (no server version): a stay still to come or in house is
    /// sent as a booking made while standalone is (`queueBookingsTheServerNeverHad`), and one whose
    /// nights still to come the replica gave to a booking of the server is a conflict at once,
    /// rooms free instead suggested; past and cancelled stays stay here, audited. Returns the codes
    /// of them all. Bookings with changes queued or in conflict are left to their operations (see
    /// DECISIONS.md, session 57).
    func sendAgainWhatTheServerLost(_ hotelId: UUID, received: Set<UUID>, _ db: Database) throws -> [String] {
        let known = try db.values(String.self, sql: """
            SELECT id FROM booking WHERE hotel_id = ? AND server_version IS NOT NULL AND sync_state = 'synced'
            """, arguments: [hotelId.uuidString])
        let lost = known.filter { UUID(uuidString: $0).map { !received.contains($0) } ?? false }
        guard !lost.isEmpty else { return [] }
        try db.run(sql: "UPDATE booking SET server_version = NULL WHERE id IN (SELECT value FROM json_each(?))",
                   arguments: [try Self.jsonArray(lost)])
        let hotel = try fetchHotel(db)
        let today = businessDate(for: hotel)
        let underWay = nightUnderWay(for: hotel, today: today)
        var conflicts: [String] = [], toSend: [(id: String, code: String)] = [], over: [String] = []
        for booking in try Self.fetchBooking(db, whereClause: "b.id IN (SELECT value FROM json_each(?)) ORDER BY b.created_at",
                                             arguments: [try Self.jsonArray(lost)]) {
            guard booking.status == .confirmed || booking.status == .checkedIn else {
                over.append(booking.confirmationCode)
                continue
            }
            // Every night still to come must still be its own: a past night given back (an undone
            // no-show leaves them so) is no night sold by the server.
            let first = booking.firstNightStillToCome(businessDate: today, nightUnderWay: underWay)
            let needed = booking.stay.nights.filter { $0 >= first }.count
            let held = try db.value(Int.self, sql: "SELECT COUNT(*) FROM room_night WHERE booking_id = ? AND night >= ?",
                                    arguments: [booking.id.storedText, first.iso]) ?? 0
            guard held < needed, let hotel else {
                toSend.append((booking.id.storedText, booking.confirmationCode))
                continue
            }
            let suggested = try suggestedRooms(instead: booking.roomId, stay: booking.stay, guests: booking.guestCount, hotel: hotel, db)
            try markConflict(bookingId: booking.id.storedText, operationId: nil, reason: "room_unavailable",
                             message: "The server no longer had this booking (its data went back to an older copy) "
                                + "and sold room \(booking.roomNumber) for its nights meanwhile",
                             suggestedRooms: suggested, outboxState: "conflict", asABooking: true, db)
            conflicts.append(booking.confirmationCode)
        }
        if !over.isEmpty {
            try audit(db, user: "sync", action: "replica.lostBookingsKept",
                      summary: "\(over.count.counted("booking")) \(UnsentOrigin.lost.words), over, cancelled or never confirmed, kept on this desk "
                        + "only: enter them there by hand if its records need them: \(over.listedBriefly())")
        }
        try queueBookingsTheServerNeverHad(hotelId, only: toSend.map(\.id), origin: .lost, db)
        return conflicts + toSend.map(\.code) + over
    }

    private static func jsonArray(_ ids: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
    }

    /// Why a booking made while this desk was standalone cannot go to the server as a `book`
    /// (nil: it can): paid by card through this desk's own payment service (the server would record
    /// a desk payment, and refund a cancellation at the desk); begun more than a week ago (the
    /// server checks a desk's booking against the day it was made, at most a week back); a guest
    /// in house whose departure has come (the server checks a guest in only before it). A stay
    /// of the night still under way (`nightUnderWay`: a walk-in after midnight; after 06:00, one
    /// made before it, `Hotel.nightOfArrival`) has not ended: the server judges it, and its
    /// check-in, at the hour they were made.
    static func reasonNotToSend(_ booking: Booking, paidByCard: Bool, today: CalendarDate, nightUnderWay: CalendarDate?) -> String? {
        if paidByCard { return "paid by card through this desk's payment service" }
        if booking.stay.checkIn < today.adding(days: -7) { return "its stay began before \(today.adding(days: -7))" }
        if booking.stay.checkOut <= today && !(nightUnderWay.map(booking.stay.contains(night:)) ?? false) {
            return booking.status == .checkedIn ? "the guest's departure date has come" : "its stay ended without a check-in"
        }
        return nil
    }

    /// The `book` operation of a booking made on this desk. `madeAt`: when it was made, if not
    /// now (a stay that has begun is checked by the server against the day it was booked).
    func bookOperation(_ booking: Booking, operationId: UUID, payment: PaymentMethod, by user: String,
                       madeAt: Date? = nil) -> SyncOperation {
        SyncOperation(
            operationId: operationId.uuidString.lowercased(), kind: .book, bookingId: booking.id.uuidString.lowercased(),
            baseVersion: nil, madeAt: InstantText.utc(madeAt ?? now), by: user,
            book: .init(roomId: booking.roomId.uuidString.lowercased(), roomNumber: booking.roomNumber,
                        checkIn: booking.stay.checkIn.iso, checkOut: booking.stay.checkOut.iso, guests: booking.guestCount,
                        guestName: booking.guest.name, email: booking.guest.email, phone: booking.guest.phone,
                        confirmation: booking.confirmationCode, payment: payment.rawValue, totalCents: booking.totalPrice.minorUnits,
                        nightlyPrices: booking.nightlyPrices.map { .init(night: $0.night.iso, priceCents: $0.price.minorUnits) }))
    }

    /// When to say a check-in sent later was made, if not now: a walk-in sold during the night
    /// and checked in to it (`checkedInOn` before today) was checked in that night, and the server
    /// records the night a check-in is for by the hour the operation was made (after 06:00, as
    /// of today: on the day of departure, not at all). Any other booking's check-in goes as made
    /// now (one booked days ahead, dated when it was booked, would be before its arrival).
    static func checkInMadeAt(_ booking: Booking, hotel: Hotel?, today: CalendarDate) -> Date? {
        guard let hotel, let night = booking.checkedInOn, night < today, hotel.wasMadeDuringTheNight(booking, businessDate: today) else {
            return nil
        }
        return booking.createdAt
    }

    /// A cancel, check-in or check-out of `booking` (as it was before the change): based on the
    /// version the server gave when the booking is as the server has it, on none when this desk
    /// changed it and the change is not yet accepted. `madeAt`: when it was made, if not now.
    func changeOperation(_ kind: SyncOperation.Kind, of booking: Booking, syncState: String, reason: String?, by user: String,
                         operationId: UUID, move: SyncOperation.Move? = nil, edit: SyncOperation.Edit? = nil,
                         madeAt: Date? = nil) -> SyncOperation {
        SyncOperation(operationId: operationId.uuidString.lowercased(), kind: kind, bookingId: booking.id.uuidString.lowercased(),
                      baseVersion: syncState == SyncState.synced.rawValue ? booking.version : nil, madeAt: InstantText.utc(madeAt ?? now),
                      by: user, reason: reason, move: move, edit: edit)
    }

    /// On a connected desk, queues a move made here (`before` as read before it, `after` moved),
    /// in the caller's transaction, as `queueChangeIfReplica` does for a cancel. A move replayed
    /// under a request id it was queued with already queues nothing again.
    func queueMoveIfReplica(before: Booking, after: Booking, reason: String?, reprice: Bool, by user: String,
                            operationId: UUID?, _ db: Database) throws {
        if let operationId, try db.value(Int.self, sql: "SELECT 1 FROM sync_outbox WHERE operation_id = ?",
                                         arguments: [operationId.uuidString.lowercased()]) != nil {
            return
        }
        let move = SyncOperation.Move(roomId: after.roomId.uuidString.lowercased(), roomNumber: after.roomNumber, reprice: reprice)
        try queueChangeIfReplica(.move, before: before, reason: reason, by: user, operationId: operationId, move: move, db)
    }

    /// On a connected desk, queues a cancel, check-in or check-out made here, in the caller's
    /// transaction: the booking (as read before the change) is pending until the server answers.
    /// A booking the server never had and never will (its `book` was refused) queues nothing.
    func queueChangeIfReplica(_ kind: SyncOperation.Kind, before: Booking, reason: String?, by user: String,
                              operationId: UUID?, move: SyncOperation.Move? = nil, edit: SyncOperation.Edit? = nil,
                              _ db: Database) throws {
        // Not only while connected: a desk disconnected (`desk disconnect`) keeps queueing the
        // changes of the bookings the server has, so they reach it when the desk connects again
        // instead of being written over by the server's copies. A desk never connected has none.
        let id = before.id.uuidString
        guard let row = try db.row(sql: "SELECT sync_state, server_version FROM booking WHERE id = ?", arguments: [id]) else { return }
        let state: String = row[0]
        let serverVersion: Int? = row[1]
        let bookQueued = try db.value(Int.self, sql: "SELECT 1 FROM sync_outbox WHERE booking_id = ? AND state = 'queued' LIMIT 1",
                                      arguments: [id]) != nil
        guard serverVersion != nil || bookQueued else { return }
        let operation = changeOperation(kind, of: before, syncState: state, reason: reason, by: user, operationId: operationId ?? UUID.timeOrdered(at: now),
                                        move: move, edit: edit)
        // The change is written: the row holds the total after it.
        let after = try db.value(Int64.self, sql: "SELECT total_cents FROM booking WHERE id = ?", arguments: [id])
        try enqueue(operation, bookingId: id, totals: QueuedTotals(before: before.totalPrice.minorUnits, after: after ?? before.totalPrice.minorUnits), db)
    }

    /// What `book` (offline) will send, validated and priced here without writing anything: the
    /// booking's id and code are made now and carried in the operation; the offline write reuses
    /// them (`ReservationRequest.bookingId` / `confirmationCode`, `requestId` = the operation id).
    /// `settingAside`: a booking whose nights are taken as free for the plan (the booking a retried
    /// request made on the server, pulled here before this desk kept its answer).
    public func plannedBooking(_ request: ReservationRequest, operationId: UUID, settingAside madeBefore: UUID? = nil) throws -> SyncOperation {
        try write { db in
            let code: String
            if let given = request.confirmationCode.flatMap(ConfirmationCode.normalized) { code = given } else { code = try freshConfirmationCode(db) }
            let trial = ReservationRequest(form: request.form, requestId: operationId, payment: .desk, user: request.user,
                                           roomId: request.roomId, bookingId: request.bookingId ?? UUID.timeOrdered(at: now), confirmationCode: code)
            var booking: Booking?
            let queued = shared.pendingNotifications.withLock { $0.count }
            try db.inSavepoint {
                if let madeBefore { try db.run(sql: "DELETE FROM room_night WHERE booking_id = ?", arguments: [madeBefore.storedText]) }
                booking = try reserve(trial, db)
                return .rollback
            }
            shared.pendingNotifications.withLock { $0.removeSubrange(queued...) }
            return bookOperation(booking!, operationId: operationId, payment: request.payment.method, by: request.user)
        }
    }

    // MARK: Request ids on a connected desk

    /// A change retried on a connected desk under a request id this desk took before (the change
    /// made here and queued, or accepted by the server and kept with `recordAcceptedChange`): the
    /// booking as this desk has it, planned and pushed no more; another change under that id is
    /// `conflict`. nil when the id is new here.
    public func replayedChange(_ reference: String, requestId: UUID, _ intent: ChangeIntent) throws -> Booking? {
        try read { db in
            let booking = try requireBooking(reference, db)
            guard try isReplay(requestId, of: booking, as: intent, db) else { return nil }
            try requireNotRefused(requestId, db)
            return booking
        }
    }

    /// A request made here whose operation the server then refused is not answered as done.
    private func requireNotRefused(_ requestId: UUID, _ db: Database) throws {
        guard let row = try db.row(sql: "SELECT state, last_error FROM sync_outbox WHERE operation_id = ?",
                                   arguments: [requestId.uuidString.lowercased()]) else { return }
        let (state, why): (String, String?) = (row[0], row[1])
        guard state == "conflict" || state == "rejected" else { return }
        throw FrontDeskError.conflict("Request id \(requestId.uuidString.lowercased()) was made on this desk and refused by the server: \(why ?? state); see frontdesk conflicts")
    }

    /// Keeps a change the server accepted under `requestId` with the booking here, as a change
    /// made here is kept, so that the same request again is answered from this desk.
    public func recordAcceptedChange(requestId: UUID, bookingId: UUID, _ intent: ChangeIntent) throws {
        try write { db in
            guard try db.value(Int.self, sql: "SELECT 1 FROM booking_change_request WHERE request_id = ?",
                               arguments: [requestId.uuidString.lowercased()]) == nil else { return }
            try recordChangeRequest(requestId, bookingId: bookingId, intent, db)
        }
    }

    /// Keeps a booking the server accepted under `request.requestId` with its copy here (a booking
    /// pulled from the server carries no request id), so that the same request again is answered
    /// with it, and other details under that id are `conflict`, as on a standalone desk.
    public func recordAcceptedBooking(_ request: ReservationRequest, bookingId: UUID) throws {
        guard let requestId = request.requestId else { return }
        try write { db in
            try db.run(sql: "UPDATE booking SET request_id = ?, request_fingerprint = ? WHERE id = ? AND request_id IS NULL",
                       arguments: [requestId.storedText.lowercased(), request.form.idempotencyFingerprint(payment: request.payment),
                                   bookingId.storedText])
        }
    }

    /// The booking made or kept here under `requestId`, if any.
    public func booking(madeUnder requestId: UUID) throws -> Booking? {
        try read { db in
            guard let booking = try Self.fetchBooking(db, whereClause: "b.request_id = ?",
                                                      arguments: [requestId.storedText.lowercased()]).first else { return nil }
            try requireNotRefused(requestId, db)
            return booking
        }
    }

    /// The reason a change of `kind` carries: an undo's worded as the desk words it when none is given.
    static func plannedReason(_ kind: SyncOperation.Kind, _ reason: String?, by user: String) throws -> String? {
        guard let what = kind.undoneWhat else { return reason }
        return try BookingRules.undoReason(reason, what, channel: .desk, by: user)
    }

    /// The operation a change under `operationId` was first pushed as, made again from the booking
    /// as the replica has it now, without the rules `plannedChange` checks: to compare with what the
    /// server recorded under that id (`SyncOperation.isRetry(ofFingerprint:)`, which leaves the base
    /// version and the instant aside). Never pushed.
    public func operationAsFirstPushed(_ kind: SyncOperation.Kind, reference: String, reason: String?, by user: String,
                                       operationId: UUID) throws -> SyncOperation {
        let reason = try Self.plannedReason(kind, reason, by: user)
        return try read { db in
            changeOperation(kind, of: try requireBooking(reference, db), syncState: SyncState.synced.rawValue, reason: reason,
                            by: user, operationId: operationId)
        }
    }

    /// What a cancel, check-in, check-out, no-show or undo will send, checked against the booking
    /// here (a change its status does not allow is refused now) without writing anything. An
    /// undo carries its reason as the desk words it (the default names `user`), and
    /// `expectedVersion`, when given, is checked against the booking as this desk has it.
    public func plannedChange(_ kind: SyncOperation.Kind, reference: String, reason: String?, by user: String,
                              operationId: UUID, expectedVersion: Int? = nil) throws -> SyncOperation {
        if let reason, let problem = TextRules.problem(in: reason, field: "Reason", maximum: BookingRules.maximumReasonLength) {
            throw FrontDeskError.validationFailed([problem])
        }
        let reason = try Self.plannedReason(kind, reason, by: user)
        return try read { db in
            let booking = try requireBooking(reference, db)
            let hotel = try requireHotel(db)
            let today = businessDate(for: hotel)
            let state = try db.value(String.self, sql: "SELECT sync_state FROM booking WHERE id = ?", arguments: [booking.id.uuidString])
                ?? SyncState.synced.rawValue
            if [.noShow, .undoCheckIn, .undoCheckOut, .undoNoShow].contains(kind) && state == SyncState.conflict.rawValue {
                throw FrontDeskError.invalidState(
                    "Booking \(booking.confirmationCode) is on the conflict list: resolve it there (frontdesk conflicts resolve ID --move-to ROOM | --cancel | --keep-server | --reapply)")
            }
            try booking.requireVersion(expectedVersion)
            var probe = booking
            switch kind {
            case .book:
                throw FrontDeskError.invalidState("A booking is planned with plannedBooking")
            case .cancel:
                try probe.requireCancellable(businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today))
                try probe.cancel(reason: reason, at: now)
            case .checkIn:
                try probe.checkIn(businessDate: today, at: now, nightUnderWay: nightOfArrival(for: booking, hotel, today: today))
                try requireRoomInService(toCheckIn: probe, db)
            case .checkOut: _ = try probe.checkOut(businessDate: today, at: now)
            case .move: throw FrontDeskError.invalidState("A move is planned with plannedMove")
            case .edit: throw FrontDeskError.invalidState("An edit is planned with plannedEdit")
            case .noShow: _ = try probe.markNoShow(businessDate: today, hour: hotel.hour(at: now), policy: hotel.noShowPolicy, at: now)
            case .undoCheckIn:
                try probe.undoCheckIn(businessDate: today, reason: reason ?? "", at: now, nightUnderWay: nightOfArrival(for: booking, hotel, today: today))
            case .undoCheckOut:
                let kept = try keptNights(of: booking, db)
                _ = try probe.undoCheckOut(businessDate: today, keptNights: kept, reason: reason ?? "", at: now,
                                           nightUnderWay: nightUnderWay(for: hotel, today: today))
            case .undoNoShow:
                // Whether the nights it takes again are free is the server's to say (online), or
                // the replica's (offline, when the undo is written here).
                _ = try probe.undoNoShow(businessDate: today, keptNights: [], reason: reason ?? "", at: now,
                                         nightUnderWay: nightUnderWay(for: hotel, today: today))
            }
            return changeOperation(kind, of: booking, syncState: state, reason: reason, by: user, operationId: operationId)
        }
    }

    /// What an edit will send, checked against the booking here (the domain's rules for the
    /// fields, the room's capacity, a stay the status allows; `expectedVersion`) without writing
    /// anything. Whether new nights are free is the server's to say (online), or the replica's
    /// (offline, when the edit is written here).
    public func plannedEdit(_ reference: String, _ edit: BookingEdit, expectedVersion: Int?, by user: String,
                            operationId: UUID) throws -> SyncOperation {
        try read { db in
            let booking = try requireBooking(reference, db)
            let state = try db.value(String.self, sql: "SELECT sync_state FROM booking WHERE id = ?", arguments: [booking.id.uuidString])
                ?? SyncState.synced.rawValue
            if state == SyncState.conflict.rawValue {
                throw FrontDeskError.invalidState(
                    "Booking \(booking.confirmationCode) is on the conflict list: resolve it there (frontdesk conflicts resolve ID --move-to ROOM | --cancel | --keep-server | --reapply)")
            }
            try booking.requireVersion(expectedVersion)
            guard let listing = try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [booking.roomId.uuidString]).first else {
                throw FrontDeskError.notFound("The room of booking \(booking.confirmationCode) does not exist")
            }
            let hotel = try requireHotel(db)
            let today = businessDate(for: hotel)
            _ = try BookingRules.validateChange(edit, of: booking, roomType: listing.type, businessDate: today,
                                                nightUnderWay: nightUnderWay(for: hotel, today: today))
            return changeOperation(.edit, of: booking, syncState: state, reason: nil, by: user, operationId: operationId,
                                   edit: edit)
        }
    }

    /// What a move will send, checked against the booking and the room here (a booking that
    /// cannot move, a room that does not exist, is out of service, is too small or is the
    /// booking's own, a version other than `expectedVersion`) without writing anything. Whether
    /// the room is free is the server's to say (online), or the replica's (offline, when the
    /// move is written here).
    public func plannedMove(_ reference: String, toRoom number: String, reason: String?, reprice: Bool, expectedVersion: Int?,
                            by user: String, operationId: UUID) throws -> SyncOperation {
        if let reason, let problem = TextRules.problem(in: reason, field: "Reason", maximum: BookingRules.maximumReasonLength) {
            throw FrontDeskError.validationFailed([problem])
        }
        return try read { db in
            let booking = try requireBooking(reference, db)
            let state = try db.value(String.self, sql: "SELECT sync_state FROM booking WHERE id = ?", arguments: [booking.id.uuidString])
                ?? SyncState.synced.rawValue
            if state == SyncState.conflict.rawValue {
                throw FrontDeskError.invalidState(
                    "Booking \(booking.confirmationCode) is on the conflict list: resolve it there (frontdesk conflicts resolve ID --move-to ROOM | --cancel | --keep-server | --reapply)")
            }
            if let expectedVersion, expectedVersion != booking.version {
                throw FrontDeskError.staleVersion(
                    "Booking \(booking.confirmationCode) was changed meanwhile (version \(booking.version), you saw \(expectedVersion)); look again")
            }
            let target = try requireRoom(number: number, db)
            guard target.room.id != booking.roomId else {
                throw FrontDeskError.invalidState("Booking \(booking.confirmationCode) is already in room \(target.room.number)")
            }
            let hotel = try fetchHotel(db)
            let today = businessDate(for: hotel)
            _ = try booking.nightsToMove(businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today))
            try target.room.requireInService()
            if booking.guestCount > target.type.capacity {
                throw FrontDeskError.validationFailed([
                    "Room \(target.room.number) (\(target.type.name)) sleeps at most \(target.type.capacity) guest\(target.type.capacity == 1 ? "" : "s"); booking \(booking.confirmationCode) is for \(booking.guestCount)",
                ])
            }
            let move = SyncOperation.Move(roomId: target.room.id.uuidString.lowercased(), roomNumber: target.room.number, reprice: reprice)
            return changeOperation(.move, of: booking, syncState: state, reason: reason, by: user, operationId: operationId, move: move)
        }
    }
}

/// A queued change's booking total before and after it, in cents (`sync_outbox.total_before_cents`
/// and `total_after_cents`, schema v19).
struct QueuedTotals: Sendable, Equatable {
    var before: Int64
    var after: Int64
}

/// The server's copy of a money line this desk already said for a change queued here (session
/// 61): an offline walk-in booked and cancelled listed "payment refunded (desk-refund): 183.26 EUR
/// to be paid back at the desk" twice in `audit`, once from this desk and once "On the server, for
/// a change made here earlier", and a person adding up refunds could pay 366.52. The server's
/// copy is kept (the server did record it: the trail stays whole) in words that say it is the
/// same money, without the words that say to pay it (nor its amount to add up).
enum ServerLineOfMoney {
    /// What this desk's own lines of a booking said about money.
    struct SaidHere {
        /// Desk refunds' amounts ("183.26 EUR"): a refund made here, or a connected desk's cancel
        /// that said what was paid at a desk is to be paid back there.
        var deskRefunds: Set<String> = []
        /// Other money lines (a change's "repay … at the desk"), whole, their booking code aside.
        var lines: Set<String> = []
    }

    static func saidHere(_ summaries: [String]) -> SaidHere {
        var said = SaidHere()
        for summary in summaries {
            if let amount = deskRefundAmount(summary) {
                said.deskRefunds.insert(amount)
            } else if saysMoney(summary) {
                said.lines.insert(withoutBookingCode(summary))
            }
        }
        return said
    }

    /// The words to keep for the server's `line` when this desk already said its money; nil when
    /// it did not (the line is then kept as the server wrote it).
    static func sameAs(_ said: SaidHere, _ line: String) -> String? {
        let booking = bookingPrefix(line)
        if let amount = deskRefundAmount(line), said.deskRefunds.contains(amount) {
            return "On the server, for a change made here earlier: \(booking)the same desk refund as this desk's own line says, "
                + "recorded there too; not another refund: nothing more to pay back"
        }
        guard saysMoney(line), said.lines.contains(withoutBookingCode(line)) else { return nil }
        return "On the server, for a change made here earlier: \(booking)the same "
            + (SagaCallOutcome.saysARefund(line) ? "refund" : "money") + " as this desk's own line says, recorded there too; not owed again"
    }

    /// Whether a history line speaks of money to pay back or collect.
    static func saysMoney(_ line: String) -> Bool {
        SagaCallOutcome.saysARefund(line) || line.contains("paid back at the desk")
            || ((line.contains("repay ") || line.contains("collect ")) && line.contains(" at the desk"))
    }

    /// The amount of a desk refund a line says ("183.26 EUR"): the refund's own words
    /// (`SagaCallOutcome.deskRefundSummary`), or a connected desk's cancel of a server booking
    /// ("what was paid at a desk (183.26 EUR) is to be paid back at the desk").
    static func deskRefundAmount(_ line: String) -> String? {
        for (start, end) in [("payment refunded (desk-refund): ", " to be paid back at the desk"),
                             ("what was paid at a desk (", ") is to be paid back at the desk")] {
            guard let from = line.range(of: start), let to = line.range(of: end, range: from.upperBound..<line.endIndex) else { continue }
            let amount = line[from.upperBound..<to.lowerBound]
            if !amount.isEmpty { return String(amount) }
        }
        return nil
    }

    /// "Booking CODE: " of a line that begins so (the code the server gives), else "".
    static func bookingPrefix(_ line: String) -> String {
        guard line.hasPrefix("Booking "), let colon = line.range(of: ": ") else { return "" }
        let code = line[line.index(line.startIndex, offsetBy: "Booking ".count)..<colon.lowerBound]
        return code.contains(" ") ? "" : String(line[..<colon.upperBound])
    }

    /// A line without its "Booking CODE" (a walk-in's code may change on the server).
    static func withoutBookingCode(_ line: String) -> String {
        guard line.hasPrefix("Booking ") else { return line }
        let rest = line.dropFirst("Booking ".count)
        guard let end = rest.firstIndex(where: { $0 == " " || $0 == ":" }) else { return line }
        return String(rest[end...])
    }
}
