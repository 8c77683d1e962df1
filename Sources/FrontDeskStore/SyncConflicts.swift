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
        let operationId = try stored.text(1, "operation_id")
        let onServer = try db.value(Int.self, sql: "SELECT server_version FROM booking WHERE id = ?", arguments: [bookingId]) != nil
        let kind = try db.value(String.self, sql: "SELECT kind FROM sync_outbox WHERE operation_id = ?", arguments: [operationId])
        // A check-out made here after a refused check-in, waiting behind it: the guest has left.
        let checkedOutHere = try kind == SyncOperation.Kind.checkIn.rawValue && db.value(Int.self, sql: """
            SELECT 1 FROM sync_outbox WHERE booking_id = ? AND kind = 'checkOut'
              AND seq > (SELECT seq FROM sync_outbox WHERE operation_id = ?) LIMIT 1
            """, arguments: [bookingId, operationId]) != nil
        var conflict = SyncConflict(conflictId: try stored.text(0, "id"), operationId: operationId, booking: booking,
                                    reason: try stored.text(3, "reason"), message: try stored.optionalText(4, "message"),
                                    suggestedRooms: suggested, createdAt: try stored.instant(6, "created_at"),
                                    onServer: onServer, refusedKind: kind.flatMap(SyncOperation.Kind.init(rawValue:)))
        conflict.checkedOutHereSince = checkedOutHere
        return conflict
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
            try target.room.requireInService()
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
            let hotel = try fetchHotel(db)
            let today = businessDate(for: hotel)
            let arrivalNight = nightOfArrival(for: before, hotel, today: today)
            let notSent = Self.reasonNotToSend(before, paidByCard: try paymentMethod(ofBooking: bookingId, db) == .card, today: today,
                                               nightUnderWay: arrivalNight)
            if notSent == nil {
                // The new `book`, then what the desk did to the booking after the refused one.
                var later = try operationsWaiting(behind: conflict, bookingId: bookingId, includingBooks: false, db)
                // A guest in house whose check-in never went to the server (a stay made while
                // standalone) is checked in there after the booking.
                if before.status == .checkedIn && !later.contains(where: { $0.operation.kind == .checkIn }) {
                    later.insert((changeOperation(.checkIn, of: after, syncState: SyncState.pending.rawValue, reason: nil, by: user,
                                                  operationId: UUID.timeOrdered(at: now),
                                                  madeAt: Self.checkInMadeAt(before, hotel: hotel, today: today)),
                                  QueuedTotals(before: after.totalPrice.minorUnits, after: after.totalPrice.minorUnits)), at: 0)
                }
                // Made when the booking was (a stay that has begun is checked against the day it
                // was booked), and paid at this desk (one paid by card here is not sent).
                let madeAt = before.stay.checkIn < today ? before.createdAt : nil
                try enqueue(bookOperation(after, operationId: UUID.timeOrdered(at: now), payment: .desk, by: user, madeAt: madeAt),
                            totals: nil, thenRequeue: later, bookingId: bookingId, db)
            } else {
                // A stay the server cannot take from this desk: moved here and left for entry on
                // the server by hand, as when the desk connected; the conflict is closed.
                try db.run(sql: "UPDATE booking SET sync_state = 'synced' WHERE id = ?", arguments: [bookingId])
            }
            let hereOnly = notSent == nil ? "" : " on this desk only"
            try resolve(bookingId: bookingId, resolution: "moved to room \(target.room.number)\(hereOnly) by \(user)", db)
            try audit(db, user: user, action: "booking.conflictResolved", bookingId: after.id, roomId: after.roomId,
                      summary: "Conflict of booking \(after.confirmationCode) (\(conflict.reason)) resolved: moved from room \(before.roomNumber) "
                        + "to \(after.roomNumber)" + (notSent.map { "\(hereOnly) (\($0)): enter it on the server by hand" } ?? ""),
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
                "Booking \(before.confirmationCode) is the server's and its \(conflict.reason) conflict is not a room change: resolve it with --keep-server, --reapply or --cancel")
        }
        let target = try requireRoom(number: roomNumber, db)
        try target.room.requireInService()
        if before.guestCount > target.type.capacity {
            throw FrontDeskError.validationFailed([
                "Room \(target.room.number) (\(target.type.name)) sleeps at most \(target.type.capacity); booking \(before.confirmationCode) is for \(before.guestCount)",
            ])
        }
        let hotel = try requireHotel(db)
        let today = businessDate(for: hotel)
        let nights = try before.nightsToMove(businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today))
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
        after.moveRoom(to: target.room, nights: nights, lastEarlierNightElsewhere: try lastNightElsewhere(before, before: nights[0], than: target.room, db),
                       newPrices: nil, note: nil, by: user, at: now)
        try Self.writeBack(after, over: before, db)
        // The nights before the moved ones (slept, or passed before a late arrival) keep their rooms.
        try db.run(sql: "DELETE FROM room_night WHERE booking_id = ? AND night >= ?", arguments: [bookingId, nights[0].iso])
        let claim = try db.cachedStatement(sql: """
            INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?, ?, ?, ?, NULL)
            """)
        for night in nights { try claim.execute(arguments: [target.room.id.uuidString, night.iso, after.hotelId.uuidString, bookingId]) }
        let later = try operationsWaiting(behind: conflict, bookingId: bookingId, includingBooks: true, db)
        let move = SyncOperation(
            operationId: UUID.timeOrdered(at: now).uuidString.lowercased(), kind: .move, bookingId: bookingId.lowercased(), baseVersion: serverVersion,
            madeAt: InstantText.utc(now), by: user, reason: refused.reason,
            move: .init(roomId: target.room.id.uuidString.lowercased(), roomNumber: target.room.number, reprice: refused.move?.reprice ?? false))
        try enqueue(move, totals: QueuedTotals(before: before.totalPrice.minorUnits, after: after.totalPrice.minorUnits),
                    thenRequeue: later, bookingId: bookingId, db)
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
                                   _ db: Database) throws -> [(operation: SyncOperation, totals: QueuedTotals?)] {
        let firstSeq = try db.value(Int64.self, sql: "SELECT seq FROM sync_outbox WHERE operation_id = ?",
                                    arguments: [conflict.operationId]) ?? 0
        return try db.rows(sql: """
            SELECT body, total_before_cents, total_after_cents FROM sync_outbox WHERE booking_id = ? AND state = 'conflict' AND seq > ?
            \(includingBooks ? "" : "AND kind <> 'book'") ORDER BY seq
            """, arguments: [bookingId, firstSeq]).map { row in
                (try Self.decodeOperation(row[0]), Self.queuedTotals(before: row[1], after: row[2]))
            }
    }

    static func queuedTotals(before: Int64?, after: Int64?) -> QueuedTotals? {
        guard let before, let after else { return nil }
        return QueuedTotals(before: before, after: after)
    }

    /// Queues the operation that resolves a conflict (`totals`: the booking's before and after
    /// it), then the changes that waited behind it as new operations (new ids, no base version:
    /// they follow what the first leaves), each with the totals it was queued with.
    private func enqueue(_ first: SyncOperation, totals: QueuedTotals?, thenRequeue later: [(operation: SyncOperation, totals: QueuedTotals?)],
                         bookingId: String, _ db: Database) throws {
        try enqueue(first, bookingId: bookingId, totals: totals, db)
        for (operation, totals) in later {
            var operation = operation
            operation.operationId = UUID.timeOrdered(at: now).uuidString.lowercased()
            operation.baseVersion = nil
            try enqueue(operation, bookingId: bookingId, totals: totals, db)
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
            if let kind = conflict.refusedKind, kind.undoneWhat != nil {
                throw FrontDeskError.invalidState(
                    "Booking \(before.confirmationCode): the server refused this desk's \(Self.changeName(kind)) and keeps the booking as it was; "
                        + "a cancel here would refund at the desk what the server keeps. Take the server's booking: "
                        + "frontdesk conflicts resolve \(conflict.conflictId.prefix(8)) --keep-server (or --reapply). Nothing was changed")
            }
            let reason = "Sync conflict (\(conflict.reason)) resolved by \(user)"
            let serverVersion = try db.value(Int.self, sql: "SELECT server_version FROM booking WHERE id = ?", arguments: [bookingId])
            if serverVersion != nil {
                // The server refuses a cancel after the arrival day: refused here first, not
                // refunded at the desk and then opened as a new conflict. (Keep the server's
                // booking, then mark it a no-show.)
                let hotel = try requireHotel(db)
                let today = businessDate(for: hotel)
                try before.requireCancellable(businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today))
            }
            if before.status != .cancelled && before.status != .failed {
                guard case .transition = try apply(.bookingCancellationRequested(reason: reason), to: bookingId, by: user, db) else {
                    throw FrontDeskError.invalidState("Booking \(before.confirmationCode) is \(before.status.rawValue) and cannot be cancelled")
                }
                try refundAtTheDeskNow(bookingId: bookingId, db)
            }
            if serverVersion != nil {
                let operation = SyncOperation(operationId: UUID.timeOrdered(at: now).uuidString.lowercased(), kind: .cancel, bookingId: bookingId.lowercased(),
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

    /// Resolves a conflict of a booking the server has (a refused no-show, undo, edit, check-in,
    /// check-out, cancel or move) by keeping the server's version: `server` (the booking as the
    /// server has it now, fetched by the caller) replaces this desk's, and the desk's refused
    /// change and the changes that waited behind it are dropped (they stay in the outbox as
    /// refused, for the record). Nothing is queued.
    public func resolveConflict(_ id: String, keepingServer server: WireBooking, by user: String) throws -> Booking {
        try write { db in
            let taken = try takeServersVersion(ofConflict: id, server, db)
            let refundedHere = taken.refundedHere
            let after = try requireBooking(taken.bookingId, db)
            // A connected desk's cancel records no desk refund: it said the money paid at a desk
            // goes back there (`refundAtTheDeskNow`), which a receptionist may have done. Its
            // entry is told from a disconnected desk's ("not refunded at this desk") by its words,
            // and only one written since the booking's last resolution counts (read before this one is
            // written).
            let cancelSaidToRepay = try !refundedHere && taken.refused.contains { $0.kind == .cancel }
                && db.value(Int.self, sql: """
                    SELECT 1 FROM audit_entry WHERE booking_id = ?1 AND action = 'booking.refundAwaitsServer'
                        AND summary LIKE '%to be paid back at the desk%'
                        AND id > (SELECT COALESCE(MAX(id), 0) FROM audit_entry WHERE booking_id = ?1 AND action = 'booking.conflictResolved')
                    """, arguments: [after.id.storedText]) != nil
            let dropped = taken.refused.map { Self.changeName($0.kind) }.joined(separator: ", ")
            try resolve(bookingId: taken.bookingId, resolution: "kept the server's version by \(user)", db)
            try audit(db, user: user, action: "booking.conflictResolved", bookingId: after.id, roomId: after.roomId,
                      summary: "Conflict of booking \(after.confirmationCode) (\(taken.conflict.reason)) resolved: the server's version \(after.version) kept"
                          + (dropped.isEmpty ? "" : "; this desk's \(dropped) dropped"),
                      before: taken.before, after: after)
            // Money this desk settled for the changes dropped is settled back, in words: it was
            // dropped without a word (a refund paid for a cancel the server never took).
            if let money = ChangeWording.moneyOfDroppedChanges(
                Self.droppedMoney(taken.refused, totals: taken.refusedTotals, deskTotal: taken.before.totalPrice,
                                  refundRecorded: refundedHere, refundSaid: cancelSaidToRepay),
                server: after) {
                if refundedHere && after.status != .cancelled {
                    // The booking stands again: a later cancel pays it back again.
                    try db.run(sql: "UPDATE saga SET refund_reference = NULL WHERE booking_id = ?", arguments: [taken.bookingId])
                }
                try audit(db, user: user, action: "booking.conflictSettled", bookingId: after.id, roomId: after.roomId,
                          summary: "Booking \(after.confirmationCode): \(money)")
            }
            return after
        }
    }

    /// What the dropped operations (`refused`, with the totals each was queued with) had settled at
    /// the desk: their stay changes' money summed (unknown when one was queued before the desk kept
    /// totals), a cancel's refund paid here (`refundRecorded`) or said to be (`refundSaid`) of the
    /// total the cancel found, and an undone no-show.
    static func droppedMoney(_ refused: [SyncOperation], totals: [QueuedTotals?], deskTotal: Money,
                             refundRecorded: Bool, refundSaid: Bool) -> ChangeWording.DroppedMoney {
        var dropped = ChangeWording.DroppedMoney(stayChangesCents: 0)
        for (operation, totals) in zip(refused, totals) {
            switch operation.kind {
            case .edit, .move:
                if let totals, let sum = dropped.stayChangesCents {
                    dropped.stayChangesCents = sum + totals.after - totals.before
                } else {
                    dropped.stayChangesCents = nil
                }
            case .cancel where refundRecorded || refundSaid:
                dropped.cancelledTotal = totals.map { Money(minorUnits: $0.before) } ?? deskTotal
                dropped.refundRecorded = refundRecorded
            case .undoNoShow:
                dropped.undidNoShow = true
            default:
                break
            }
        }
        return dropped
    }

    /// What the last resolution of `bookingId`'s conflict left to settle at the desk (the money of
    /// the changes it dropped, `booking.conflictSettled`), for the receptionist who resolved it to
    /// read at once; nil when nothing.
    public func settlementOfLastResolution(bookingId: UUID) throws -> String? {
        try read { db in
            try db.value(String.self, sql: """
                SELECT summary FROM audit_entry WHERE booking_id = ?1 AND action = 'booking.conflictSettled'
                    AND id > (SELECT MAX(id) FROM audit_entry WHERE booking_id = ?1 AND action = 'booking.conflictResolved')
                ORDER BY id DESC LIMIT 1
                """, arguments: [bookingId.storedText])
        }
    }

    /// Resolves a conflict of a booking the server has by re-applying this desk's change on the
    /// server's current version: `server` replaces this desk's booking, then the refused change
    /// and the changes that waited behind it are made again here, in order, through the store's
    /// own changes (the same checks, against the booking as the server has it now: a change it no
    /// longer allows refuses the resolution and nothing is changed), and queued as new operations,
    /// the first based on the server's version (so the server does not hold the earlier refusal
    /// against it, yet refuses it as stale if the booking changed again).
    ///
    /// `movingTo`: a stay lengthened here whose added nights the server had sold (an `edit`
    /// refused `room_unavailable`): the guest first moves to that room on the server's version
    /// (a `move` queued, checked here against the nights the server's stay moves), then the
    /// lengthening is made again there (checked against the added nights): one resolution, or
    /// nothing changed.
    public func resolveConflict(_ id: String, reapplyingOn server: WireBooking, movingTo roomNumber: String? = nil,
                                by user: String) throws -> Booking {
        try write { db in
            let taken = try takeServersVersion(ofConflict: id, server, db)
            guard !taken.refused.isEmpty else {
                throw FrontDeskError.invalidState(
                    "Conflict \(taken.conflict.conflictId) has no refused change of booking \(taken.before.confirmationCode) to re-apply: keep the server's version (--keep-server)")
            }
            if taken.refused.contains(where: { $0.kind == .book }) {
                throw FrontDeskError.invalidState(
                    "Booking \(taken.before.confirmationCode) was made on this desk and refused: resolve it with --move-to ROOM or --cancel")
            }
            var movedFrom: String?
            if let roomNumber {
                let current = try requireBooking(taken.bookingId, db)
                let moved = try move(taken.bookingId, toRoom: roomNumber, reason: nil, reprice: false,
                                     ChangeRequest(user: user, channel: .desk), db)
                try queueChangeIfReplica(.move, before: current, reason: nil, by: user, operationId: nil,
                                         move: SyncOperation.Move(roomId: moved.roomId.uuidString.lowercased(), roomNumber: moved.roomNumber,
                                                                  reprice: false), db)
                movedFrom = current.roomNumber
            }
            for operation in taken.refused { try remake(operation, by: user, db) }
            let after = try requireBooking(taken.bookingId, db)
            let remade = taken.refused.map { Self.changeName($0.kind) }.joined(separator: ", ")
            if let movedFrom {
                try resolve(bookingId: taken.bookingId, resolution: "moved to room \(after.roomNumber) and \(remade) re-applied by \(user)", db)
                try audit(db, user: user, action: "booking.conflictResolved", bookingId: after.id, roomId: after.roomId,
                          summary: "Conflict of booking \(after.confirmationCode) (\(taken.conflict.reason)) resolved: moved from room \(movedFrom) "
                              + "to \(after.roomNumber) on the server's version \(server.version), and this desk's \(remade) made again there, "
                              + "queued for the server; money the \(remade) records again was settled at the desk when this desk first made it: "
                              + "settle only what differs from then",
                          before: taken.before, after: after)
                return after
            }
            try resolve(bookingId: taken.bookingId, resolution: "re-applied on the server's version \(server.version) by \(user)", db)
            // The changes made again record their money again (a desk refund, a "collect"/"repay"),
            // which the desk settled when it first made them: said, so it is not paid twice.
            let movesMoney = taken.refused.contains { [.cancel, .edit, .move].contains($0.kind) }
            try audit(db, user: user, action: "booking.conflictResolved", bookingId: after.id, roomId: after.roomId,
                      summary: "Conflict of booking \(after.confirmationCode) (\(taken.conflict.reason)) resolved: this desk's \(remade) re-applied on the server's version \(server.version), queued for the server"
                          + (movesMoney ? "; money these changes record again was settled at the desk when this desk first made them: "
                              + "settle only what differs from then" : ""),
                      before: taken.before, after: after)
            return after
        }
    }

    /// The common first step of --keep-server and --reapply: the open conflict, the booking as
    /// this desk had it, the desk's refused change and those that waited behind it (oldest
    /// first), and whether this desk refunded it, all read before the server's version
    /// (`server`) is written over the booking and its saga.
    private func takeServersVersion(ofConflict id: String, _ server: WireBooking, _ db: Database) throws
        -> (conflict: SyncConflict, bookingId: String, before: Booking, refused: [SyncOperation], refundedHere: Bool,
            refusedTotals: [QueuedTotals?]) {
        let (conflict, bookingId) = try openConflict(id, db)
        let before = try requireBooking(bookingId, db)
        guard try db.value(Int.self, sql: "SELECT server_version FROM booking WHERE id = ?", arguments: [bookingId]) != nil else {
            throw FrontDeskError.invalidState(
                "Booking \(before.confirmationCode) was never accepted by the server, so it has no server version: resolve it with --move-to ROOM or --cancel")
        }
        guard server.bookingId.lowercased() == bookingId.lowercased() else {
            throw FrontDeskError.validationFailed(["The server's booking \(server.bookingId) is not the conflict's booking \(before.confirmationCode)"])
        }
        let queued = try db.value(Int.self, sql: "SELECT COUNT(*) FROM sync_outbox WHERE booking_id = ? AND state = 'queued'",
                                  arguments: [bookingId]) ?? 0
        if queued > 0 {
            throw FrontDeskError.invalidState(
                "Booking \(before.confirmationCode) has \(queued) change\(queued == 1 ? "" : "s") waiting to be sent: run frontdesk sync first. Nothing was changed")
        }
        let firstSeq = try db.value(Int64.self, sql: "SELECT seq FROM sync_outbox WHERE operation_id = ?", arguments: [conflict.operationId]) ?? 0
        // Each with the booking's totals before and after it (schema v19): the money it moved.
        let rows = try db.rows(sql: """
            SELECT body, total_before_cents, total_after_cents FROM sync_outbox
            WHERE booking_id = ? AND state IN ('conflict', 'rejected') AND seq >= ? ORDER BY seq
            """, arguments: [bookingId, firstSeq])
        let refused = try rows.map { try Self.decodeOperation($0[0]) }
        let refusedTotals = rows.map { Self.queuedTotals(before: $0[1], after: $0[2]) }
        let refundedHere = try db.value(String.self, sql: "SELECT refund_reference FROM saga WHERE booking_id = ?",
                                        arguments: [bookingId]) == "desk-refund"
        try upsertFromServer(server, force: true, db)
        let current = try requireBooking(bookingId, db)
        notify(.roomAvailabilityChanged(hotelId: before.hotelId, roomId: before.roomId, stay: before.stay))
        if current.roomId != before.roomId || current.stay != before.stay {
            notify(.roomAvailabilityChanged(hotelId: current.hotelId, roomId: current.roomId, stay: current.stay))
        }
        return (conflict, bookingId, before, refused, refundedHere, refusedTotals)
    }

    /// Makes a refused change of this desk again, in the caller's transaction, through the
    /// store's own change (checked against the booking as it is now), and queues it as a new
    /// operation: based on the server's version when the booking is the server's, on none when
    /// an earlier change of this resolution made it pending.
    private func remake(_ operation: SyncOperation, by user: String, _ db: Database) throws {
        let reference = operation.bookingId
        let request = ChangeRequest(user: user, channel: .desk)
        let before = try requireBooking(reference, db)
        var reason = operation.reason
        var move: SyncOperation.Move?
        switch operation.kind {
        case .book:
            throw FrontDeskError.invalidState("A booking made on this desk is resolved with --move-to ROOM or --cancel")
        case .cancel:
            let cancelReason = try operation.cancellationReason(user: user)
            reason = cancelReason
            _ = try cancel(reference, reason: cancelReason, expectedVersion: nil, by: user, db)
        case .checkIn: _ = try checkIn(reference, expectedVersion: nil, by: user, db)
        case .checkOut: _ = try checkOut(reference, expectedVersion: nil, by: user, db)
        case .move:
            let details = try operation.checkedMove()
            let after = try self.move(reference, toRoom: details.roomNumber, reason: operation.reason, reprice: details.reprice, request, db)
            move = SyncOperation.Move(roomId: after.roomId.uuidString.lowercased(), roomNumber: after.roomNumber, reprice: details.reprice)
        case .noShow: _ = try markNoShow(reference, request, db)
        case .undoCheckIn, .undoCheckOut, .undoNoShow:
            let undoReason = try operation.undoReason(user: user)
            reason = undoReason
            _ = switch operation.kind {
            case .undoCheckIn: try undoCheckIn(reference, checkedReason: undoReason, request, db)
            case .undoCheckOut: try undoCheckOut(reference, checkedReason: undoReason, request, db)
            default: try undoNoShow(reference, checkedReason: undoReason, request, db)
            }
        case .edit: _ = try changeBooking(reference, try operation.checkedEdit(), request, db)
        }
        try queueChangeIfReplica(operation.kind, before: before, reason: reason, by: user, operationId: nil, move: move,
                                 edit: operation.edit, db)
    }

    /// A change's name in a receptionist's words, for the audit trail and the Conflicts screen.
    public static func changeName(_ kind: SyncOperation.Kind) -> String {
        switch kind {
        case .book: "booking"
        case .cancel: "cancellation"
        case .checkIn: "check-in"
        case .checkOut: "check-out"
        case .move: "room change"
        case .noShow: "no-show"
        case .undoCheckIn: "undone check-in"
        case .undoCheckOut: "undone check-out"
        case .undoNoShow: "undone no-show"
        case .edit: "edit"
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
