import Foundation
import FrontDeskDomain
import GRDB

extension FrontDeskStore {
    /// The conflict list, oldest first; with `includeResolved`, the resolved ones too.
    public func syncConflicts(includeResolved: Bool) throws -> [SyncConflict] {
        try read { db in
            let rows = try db.rows(sql: """
                SELECT id, operation_id, booking_id, reason, message, suggested_rooms, created_at FROM sync_conflict
                \(includeResolved ? "" : "WHERE resolved_at IS NULL") ORDER BY created_at, rowid
                """)
            return try rows.map { row in try Self.conflict(from: row, db) }
        }
    }

    static func conflict(from row: Row, _ db: Database) throws -> SyncConflict {
        let stored = StoredRow(row, table: "sync_conflict", name: row[0] as String)
        let bookingId = try stored.text(2, "booking_id")
        guard let booking = try fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else {
            throw stored.damaged("booking_id", "no booking \(bookingId)")
        }
        let suggested: [WireSuggestedRoom]
        let suggestedText = try stored.text(5, "suggested_rooms")
        do {
            suggested = try JSONDecoder().decode([WireSuggestedRoom].self, from: Data(suggestedText.utf8))
        } catch {
            throw stored.damaged("suggested_rooms", "not a list of rooms")
        }
        return SyncConflict(conflictId: try stored.text(0, "id"), operationId: try stored.text(1, "operation_id"), booking: booking,
                            reason: try stored.text(3, "reason"), message: try stored.optionalText(4, "message"),
                            suggestedRooms: suggested, createdAt: try stored.instant(6, "created_at"))
    }

    /// Resolves a conflict by moving the guest: the booking claims `roomNumber` for its whole stay
    /// here (`room_unavailable` if this desk knows it taken), becomes pending, and a new `book`
    /// operation (same booking id and code, the new room) is queued, followed by new copies of the
    /// desk's later changes of it that waited with the conflict.
    public func resolveConflict(_ id: String, moveTo roomNumber: String, by user: String) throws -> Booking {
        try write { db in
            let (conflict, bookingId) = try openConflict(id, db)
            guard let before = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else {
                throw FrontDeskError.notFound("The booking of conflict \(id) does not exist")
            }
            let serverVersion = try db.value(Int.self, sql: "SELECT server_version FROM booking WHERE id = ?", arguments: [bookingId])
            if let serverVersion {
                return try resolveRefusedMove(conflict, before, serverVersion: serverVersion, moveTo: roomNumber, by: user, db)
            }
            guard [.reserving, .processingPayment, .confirmed, .checkedIn].contains(before.status) else {
                throw FrontDeskError.invalidState("Booking \(before.confirmationCode) is \(before.status.rawValue): it needs no room (resolve with --cancel)")
            }
            let target = try requireRoom(number: roomNumber, db)
            guard target.room.isActive else { throw FrontDeskError.roomUnavailable("Room \(target.room.number) is out of service") }
            if before.guestCount > target.type.capacity {
                throw FrontDeskError.validationFailed([
                    "Room \(target.room.number) (\(target.type.name)) sleeps at most \(target.type.capacity); booking \(before.confirmationCode) is for \(before.guestCount)",
                ])
            }
            try expireLapsedHolds(roomId: target.room.id, stay: before.stay, db)
            let taken = try db.values(String.self, sql: """
                SELECT night FROM room_night WHERE room_id = ? AND night >= ? AND night < ? AND booking_id <> ? ORDER BY night
                """, arguments: [target.room.id.uuidString, before.stay.checkIn.iso, before.stay.checkOut.iso, bookingId])
            if !taken.isEmpty {
                throw FrontDeskError.roomUnavailable(
                    "Room \(target.room.number) is taken on \(taken.count == 1 ? "the night of" : "the nights of") \(taken.joined(separator: ", ")) on this desk")
            }
            let instant = now
            let after = Booking(
                id: before.id, hotelId: before.hotelId, roomId: target.room.id, roomNumber: target.room.number,
                confirmationCode: before.confirmationCode, guest: before.guest, guestCount: before.guestCount, stay: before.stay,
                status: before.status, nightlyPrices: before.nightlyPrices, version: before.version + 1,
                holdExpiresAt: before.holdExpiresAt, statusReason: before.statusReason, createdAt: before.createdAt,
                updatedAt: instant, notes: before.notes, checkedInOn: before.checkedInOn, checkedOutOn: before.checkedOutOn,
                roomSince: nil)
            try Self.writeBack(after, over: before, db)
            let hold = before.status == .confirmed || before.status == .checkedIn ? nil : before.holdExpiresAt.map(Timestamp.text)
            let claim = try db.cachedStatement(sql: """
                INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?, ?, ?, ?, ?)
                """)
            for night in after.stay.nights {
                try claim.execute(arguments: [target.room.id.uuidString, night.iso, after.hotelId.uuidString, bookingId, hold])
            }
            // The new `book`, then what the desk did to the booking after the refused one.
            let later = try operationsWaiting(behind: conflict, bookingId: bookingId, includingBooks: false, db)
            let method = try db.value(String.self, sql: "SELECT payment_method FROM saga WHERE booking_id = ?", arguments: [bookingId])
            try enqueue(bookOperation(after, operationId: UUID(), payment: PaymentMethod(rawValue: method ?? "desk") ?? .desk, by: user),
                        thenRequeue: later, bookingId: bookingId, db)
            try resolve(bookingId: bookingId, resolution: "moved to room \(target.room.number) by \(user)", db)
            try audit(db, user: user, action: "booking.conflictResolved", bookingId: after.id, roomId: after.roomId,
                      summary: "Conflict of booking \(after.confirmationCode) (\(conflict.reason)) resolved: moved from room \(before.roomNumber) to \(after.roomNumber)",
                      before: before, after: after)
            notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: after.roomId, stay: after.stay))
            return try requireBooking(bookingId, db)
        }
    }

    /// A booking the server has whose room change was refused (its `move` a conflict, or the
    /// moved booking overruled by a server booking in the room): moved here to `roomNumber` (the
    /// nights a move takes, `room_unavailable` if this desk knows one taken) and a new `move`
    /// queued, based on the server's version this desk knows, with the refused move's reason and
    /// reprice; then the desk's later changes that waited, as for a `book`. A move to the room the
    /// server has the booking in keeps it there (the server accepts it unchanged). Other conflicts
    /// of a server booking (a stale cancel, check-in or check-out) are resolved by --cancel only.
    private func resolveRefusedMove(_ conflict: SyncConflict, _ before: Booking, serverVersion: Int, moveTo roomNumber: String,
                                    by user: String, _ db: Database) throws -> Booking {
        let bookingId = before.id.uuidString
        let refusedBody = try db.value(String.self, sql: "SELECT body FROM sync_outbox WHERE operation_id = ?",
                                       arguments: [conflict.operationId])
        guard let refused = try refusedBody.map(Self.decodeOperation), refused.kind == .move else {
            throw FrontDeskError.invalidState(
                "Booking \(before.confirmationCode) is the server's and its \(conflict.reason) conflict is not a room change: resolve it with --cancel, or change it again while the desk is online")
        }
        let target = try requireRoom(number: roomNumber, db)
        guard target.room.isActive else { throw FrontDeskError.roomUnavailable("Room \(target.room.number) is out of service") }
        if before.guestCount > target.type.capacity {
            throw FrontDeskError.validationFailed([
                "Room \(target.room.number) (\(target.type.name)) sleeps at most \(target.type.capacity); booking \(before.confirmationCode) is for \(before.guestCount)",
            ])
        }
        let nights = try before.nightsToMove(businessDate: businessDate(for: try requireHotel(db)))
        let span = StayDates(checkIn: nights.first!, checkOut: nights.last!.adding(days: 1))!
        try expireLapsedHolds(roomId: target.room.id, stay: span, db)
        let moving = Set(nights.map(\.iso))
        let taken = try db.values(String.self, sql: """
            SELECT night FROM room_night WHERE room_id = ? AND night >= ? AND night < ? AND booking_id <> ? ORDER BY night
            """, arguments: [target.room.id.uuidString, span.checkIn.iso, span.checkOut.iso, bookingId]).filter(moving.contains)
        if !taken.isEmpty {
            throw FrontDeskError.roomUnavailable(
                "Room \(target.room.number) is taken on \(taken.count == 1 ? "the night of" : "the nights of") \(taken.joined(separator: ", ")) on this desk")
        }
        var after = before
        after.moveRoom(to: target.room, nights: nights, newPrices: nil, note: nil, by: user, at: now)
        try Self.writeBack(after, over: before, db)
        try db.run(sql: "DELETE FROM room_night WHERE booking_id = ?", arguments: [bookingId])
        let claim = try db.cachedStatement(sql: """
            INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?, ?, ?, ?, NULL)
            """)
        for night in nights { try claim.execute(arguments: [target.room.id.uuidString, night.iso, after.hotelId.uuidString, bookingId]) }
        let later = try operationsWaiting(behind: conflict, bookingId: bookingId, includingBooks: true, db)
        let move = SyncOperation(
            operationId: UUID().uuidString.lowercased(), kind: .move, bookingId: bookingId.lowercased(), baseVersion: serverVersion,
            madeAt: InstantText.utc(now), by: user, reason: refused.reason,
            move: .init(roomId: target.room.id.uuidString.lowercased(), roomNumber: target.room.number, reprice: refused.move?.reprice ?? false))
        try enqueue(move, thenRequeue: later, bookingId: bookingId, db)
        try resolve(bookingId: bookingId, resolution: "moved to room \(target.room.number) by \(user)", db)
        try audit(db, user: user, action: "booking.conflictResolved", bookingId: after.id, roomId: after.roomId,
                  summary: "Conflict of booking \(after.confirmationCode) (\(conflict.reason)) resolved: a move to room \(target.room.number) queued for the server",
                  before: before, after: after)
        notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: after.roomId, stay: after.stay))
        return try requireBooking(bookingId, db)
    }

    /// The desk's changes to a booking queued after its refused operation, still waiting behind
    /// the conflict, oldest first.
    private func operationsWaiting(behind conflict: SyncConflict, bookingId: String, includingBooks: Bool,
                                   _ db: Database) throws -> [SyncOperation] {
        let firstSeq = try db.value(Int64.self, sql: "SELECT seq FROM sync_outbox WHERE operation_id = ?",
                                    arguments: [conflict.operationId]) ?? 0
        return try db.values(String.self, sql: """
            SELECT body FROM sync_outbox WHERE booking_id = ? AND state = 'conflict' AND seq > ?
            \(includingBooks ? "" : "AND kind <> 'book'") ORDER BY seq
            """, arguments: [bookingId, firstSeq]).map(Self.decodeOperation)
    }

    /// Queues the operation that resolves a conflict, then the changes that waited behind it as
    /// new operations (new ids, no base version: they follow what the first leaves).
    private func enqueue(_ first: SyncOperation, thenRequeue later: [SyncOperation], bookingId: String, _ db: Database) throws {
        try enqueue(first, bookingId: bookingId, db)
        for var operation in later {
            operation.operationId = UUID().uuidString.lowercased()
            operation.baseVersion = nil
            try enqueue(operation, bookingId: bookingId, db)
        }
    }

    /// Resolves a conflict by cancelling the booking here (what it paid at the desk is refunded
    /// at the desk); a booking the server ever had gets a `cancel` operation queued.
    public func resolveConflict(_ id: String, cancelBy user: String) throws -> Booking {
        try write { db in
            let (conflict, bookingId) = try openConflict(id, db)
            guard let before = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else {
                throw FrontDeskError.notFound("The booking of conflict \(id) does not exist")
            }
            let reason = "Sync conflict (\(conflict.reason)) resolved by \(user)"
            if before.status != .cancelled && before.status != .failed {
                guard case .transition = try apply(.bookingCancellationRequested(reason: reason), to: bookingId, by: user, db) else {
                    throw FrontDeskError.invalidState("Booking \(before.confirmationCode) is \(before.status.rawValue) and cannot be cancelled")
                }
                try refundAtTheDeskNow(bookingId: bookingId, db)
            }
            let serverVersion = try db.value(Int.self, sql: "SELECT server_version FROM booking WHERE id = ?", arguments: [bookingId])
            if serverVersion != nil {
                let operation = SyncOperation(operationId: UUID().uuidString.lowercased(), kind: .cancel, bookingId: bookingId.lowercased(),
                                              baseVersion: nil, madeAt: InstantText.utc(now), by: user, reason: reason)
                try enqueue(operation, bookingId: bookingId, db)
            } else {
                // The server never had it: nothing is left to sync.
                try db.run(sql: "UPDATE booking SET sync_state = 'synced' WHERE id = ?", arguments: [bookingId])
            }
            try resolve(bookingId: bookingId, resolution: "cancelled by \(user)", db)
            try audit(db, user: user, action: "booking.conflictResolved", bookingId: before.id, roomId: before.roomId,
                      summary: "Conflict of booking \(before.confirmationCode) (\(conflict.reason)) resolved: cancelled")
            return try requireBooking(bookingId, db)
        }
    }

    private func openConflict(_ id: String, _ db: Database) throws -> (SyncConflict, String) {
        let key = id.trimmingCharacters(in: .whitespaces).lowercased()
        guard let row = try db.row(sql: """
            SELECT id, operation_id, booking_id, reason, message, suggested_rooms, created_at, resolved_at, resolution
            FROM sync_conflict WHERE id = ?
            """, arguments: [key]) else {
            throw FrontDeskError.notFound("No conflict with id \(BookingRules.quoted(id))")
        }
        if let resolution = row[8] as String? {
            throw FrontDeskError.invalidState("Conflict \(key) is already resolved (\(resolution))")
        }
        return (try Self.conflict(from: row, db), row[2])
    }

    /// Every open conflict of the booking is resolved by the one resolution.
    private func resolve(bookingId: String, resolution: String, _ db: Database) throws {
        try db.run(sql: "UPDATE sync_conflict SET resolved_at = ?, resolution = ? WHERE booking_id = ? AND resolved_at IS NULL",
                   arguments: [Timestamp.text(now), resolution, bookingId])
    }
}
