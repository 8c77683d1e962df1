import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// The booking server's side of offline desks (issue 12, docs/sync-protocol.md) on PostgreSQL, as
/// `FrontDeskStore` does it on SQLite (SyncServer.swift): replica pages, what changed after a
/// change-feed number, and pushed operations applied once. The rules are the domain's
/// (SyncRules.swift: fingerprints, refusals, the rules date of a desk's booking).
extension PostgresHotelStorage {
    /// How this hotel's bookings were paid (`HotelTransfer.payments`), for an export.
    func transferPayments() throws -> [UUID: HotelTransfer.Payment] {
        try chain.read { session in
            var payments: [UUID: HotelTransfer.Payment] = [:]
            for row in try session.rows("""
                SELECT s.booking_id, s.payment_method, s.payment_reference, s.refund_reference,
                       s.attention IS NOT NULL OR EXISTS (SELECT 1 FROM saga_message m WHERE m.booking_id = s.booking_id AND m.name IN ('ProcessPayment', 'ProcessRefund')),
                       s.charged_cents
                FROM saga s JOIN booking b ON b.id = s.booking_id WHERE b.hotel_id = $1
                """, [hotelId]) {
                let columns = ColumnReader(row, table: "saga")
                let method = try columns.text(1)
                guard let parsed = PaymentMethod(rawValue: method) else {
                    throw PostgresStoreError.damaged("saga: payment_method \(method) is not desk or card")
                }
                var payment = HotelTransfer.Payment(method: parsed, reference: try columns.optionalText(2),
                                                    refundReference: try columns.optionalText(3))
                payment.stepsUnderWay = try columns.bool(4)
                payment.chargedCents = try columns.optionalInt64(5)
                payments[try columns.uuid(0)] = payment
            }
            return payments
        }
    }

    /// The request ids recorded for this hotel (`HotelTransfer.requests`), for an export.
    func transferRequests() throws -> HotelTransfer.Requests {
        try chain.read { session in
            var requests = HotelTransfer.Requests()
            for row in try session.rows("""
                SELECT id, request_id, request_fingerprint FROM booking WHERE hotel_id = $1 AND request_id IS NOT NULL
                """, [hotelId]) {
                let columns = ColumnReader(row, table: "booking")
                requests.bookings[try columns.uuid(0)] = HotelTransfer.BookingRequest(id: try columns.uuid(1),
                                                                                      fingerprint: try columns.optionalText(2) ?? "")
            }
            for row in try session.rows("""
                SELECT c.request_id, c.booking_id, c.action, c.fingerprint, c.created_at
                FROM booking_change_request c JOIN booking b ON b.id = c.booking_id WHERE b.hotel_id = $1 ORDER BY c.request_id::text
                """, [hotelId]) {
                let columns = ColumnReader(row, table: "booking_change_request")
                requests.changes.append(HotelTransfer.RecordedChange(
                    requestId: try columns.uuid(0), bookingId: try columns.uuid(1), action: try columns.text(2),
                    fingerprint: try columns.text(3), createdAt: try columns.instant(4)))
            }
            for row in try session.rows("""
                SELECT operation_id, seq, fingerprint, booking_id, outcome, answer, at FROM sync_operation WHERE hotel_id = $1 ORDER BY seq
                """, [hotelId]) {
                let columns = ColumnReader(row, table: "sync_operation")
                requests.syncOperations.append(HotelTransfer.RecordedSyncOperation(
                    operationId: try columns.text(0), seq: try columns.int64(1), fingerprint: try columns.text(2),
                    bookingId: try columns.optionalText(3), outcome: try columns.text(4), answer: try columns.text(5),
                    at: try columns.instant(6)))
            }
            return requests
        }
    }

    // MARK: Reading the replica

    func replicaPage(after: UUID?, limit: Int) throws -> ReplicaPage {
        let limit = max(1, min(limit, SyncWire.pageSize))
        if after == nil { try chain.numberPendingFeed(of: hotelId) }
        return try read { session in
            let hotel = try requireHotel(session)
            let cursor = try latestSequence(session)
            let property = try after == nil ? wireProperty(hotel, session) : nil
            var bookings: [Booking]
            if let after {
                bookings = try chain.fetchBookings(session, "b.hotel_id = $1 AND b.id > $2 ORDER BY b.id LIMIT $3", [hotelId, after, limit + 1])
            } else {
                bookings = try chain.fetchBookings(session, "b.hotel_id = $1 ORDER BY b.id LIMIT $2", [hotelId, limit + 1])
            }
            var next: String?
            if bookings.count > limit {
                bookings.removeLast()
                next = bookings.last.map { $0.id.uuidString.lowercased() }
            }
            let total = try session.rows("SELECT count(*)::int8 FROM booking WHERE hotel_id = $1", [hotelId]).first
                .map { try ColumnReader($0, table: "booking").int(0) } ?? 0
            let claims = try claims(of: bookings.map(\.id), session)
            return ReplicaPage(hotel: property?.hotel, roomTypes: property?.types, rooms: property?.rooms,
                               bookings: bookings.map { WireBooking($0, claims: claims[$0.id] ?? []) },
                               cursor: cursor, totalBookings: total, next: next)
        }
    }

    func changesPage(since: Int64, limit: Int) throws -> ChangesPage {
        let limit = max(1, min(limit, SyncWire.pageSize))
        try chain.numberPendingFeed(of: hotelId)
        return try read { session in
            let hotel = try requireHotel(session)
            let bounds = try session.rows("SELECT MIN(seq), MAX(seq) FROM change_feed WHERE hotel_id = $1", [hotelId]).first
            let columns = bounds.map { ColumnReader($0, table: "change_feed") }
            let oldest = try columns.flatMap { try $0.decode(0, Int64?.self) }
            let latest = try columns.flatMap { try $0.decode(1, Int64?.self) } ?? 0
            if since < 0 || since > latest || (oldest.map { since < $0 - 1 } ?? false) {
                throw ReplicaTooOld(since: since, oldestKept: oldest ?? 0, latest: latest)
            }
            var ids: [UUID] = []
            var named = Set<UUID>()
            var propertyChanged = false
            var cursor = since
            var more = false
            // The feed in slices: a page stops at `limit` bookings, however many entries name them.
            reading: while true {
                let entries = try session.rows("""
                    SELECT seq, booking_id, event FROM change_feed WHERE hotel_id = $1 AND seq > $2 ORDER BY seq LIMIT 1000
                    """, [hotelId, cursor])
                for row in entries {
                    let columns = ColumnReader(row, table: "change_feed")
                    let seq = try columns.int64(0)
                    if let booking = try columns.optionalUUID(1) {
                        if !named.contains(booking) {
                            if ids.count == limit {
                                more = true
                                break reading
                            }
                            named.insert(booking)
                            ids.append(booking)
                        }
                    } else if SyncWire.propertyEvents.contains(try columns.text(2)) {
                        propertyChanged = true
                    }
                    cursor = seq
                }
                if entries.count < 1000 { break }
            }
            var page = ChangesPage(cursor: cursor, more: more, bookings: try wireBookings(ids: ids, session))
            if propertyChanged {
                let property = try wireProperty(hotel, session)
                (page.hotel, page.roomTypes, page.rooms) = (property.hotel, property.types, property.rooms)
            }
            return page
        }
    }

    /// The newest change number, this transaction's changes included (numbered now if pending).
    /// Inside `inOneSnapshot`, a snapshot that holds entries of the hotel still waiting for their
    /// numbers is refused (`FeedPendingInSnapshot`: the snapshot is taken again), since the
    /// number would leave their changes out.
    func latestSequence(_ session: PostgresSession) throws -> Int64 {
        try chain.flushFeed(session)
        if let snapshot = PostgresSnapshot.current, snapshot.session === session,
           try session.rows("SELECT 1 FROM change_feed_pending WHERE hotel_id = $1 LIMIT 1", [hotelId]).first != nil {
            throw FeedPendingInSnapshot(hotelId: hotelId)
        }
        return try session.rows("SELECT COALESCE(MAX(seq), 0)::int8 FROM change_feed WHERE hotel_id = $1", [hotelId]).first
            .map { try ColumnReader($0, table: "change_feed").int64(0) } ?? 0
    }

    func wireProperty(_ hotel: Hotel, _ session: PostgresSession) throws -> (hotel: WireHotel, types: [WireRoomType], rooms: [WireRoom]) {
        let rooms = try chain.fetchRooms(session, hotelId: hotelId, condition: "true", [])
        return (WireHotel(hotel), try fetchRoomTypes(session).map(WireRoomType.init),
                rooms.map { WireRoom(roomId: $0.room.id, roomNumber: $0.room.number, roomTypeId: $0.type.id, isActive: $0.room.isActive) })
    }

    /// The nights each booking holds, night by night.
    func claims(of bookings: [UUID], _ session: PostgresSession) throws -> [UUID: [WireClaim]] {
        guard !bookings.isEmpty else { return [:] }
        var claims: [UUID: [WireClaim]] = [:]
        for row in try session.rows("""
            SELECT booking_id, night::text, room_id::text FROM room_night WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id, night
            """, [bookings.map(\.uuidString)]) {
            let columns = ColumnReader(row, table: "room_night")
            claims[try columns.uuid(0), default: []].append(WireClaim(night: try columns.text(1), roomId: try columns.text(2)))
        }
        return claims
    }

    /// The bookings with these ids, whole with their claims, in the order given.
    func wireBookings(ids: [UUID], _ session: PostgresSession) throws -> [WireBooking] {
        guard !ids.isEmpty else { return [] }
        let found = Dictionary(try chain.fetchBookings(session, "b.id = ANY($1::uuid[])", [ids.map(\.uuidString)]).map { ($0.id, $0) },
                               uniquingKeysWith: { first, _ in first })
        let claims = try claims(of: ids, session)
        return ids.compactMap { id in found[id].map { WireBooking($0, claims: claims[id] ?? []) } }
    }

    // MARK: Applying a desk's operations

    func recordedSyncOperation(_ operationId: String) throws -> RecordedSyncOperation? {
        try chain.readOne { session in
            try session.rows("SELECT fingerprint, answer FROM sync_operation WHERE hotel_id = $1 AND operation_id = $2",
                             [hotelId, operationId]).first.map { row in
                let columns = ColumnReader(row, table: "sync_operation")
                return RecordedSyncOperation(fingerprint: try columns.text(0), answer: try columns.text(1))
            }
        }
    }

    func applySync(_ operations: [SyncOperation], by user: String) throws -> SyncPushResult {
        try write { session in
            let hotel = try requireHotel(session)
            let group = GroupReads()
            group.hotel = .some(hotel)
            var seq = try session.rows("SELECT COALESCE(MAX(seq), 0)::int8 FROM sync_operation WHERE hotel_id = $1", [hotelId]).first
                .map { try ColumnReader($0, table: "sync_operation").int64(0) } ?? 0
            var results: [SyncOutcome] = []
            results.reserveCapacity(operations.count)
            for operation in operations {
                let fingerprint = operation.fingerprint
                if let stored = try session.rows("""
                    SELECT fingerprint, answer FROM sync_operation WHERE hotel_id = $1 AND operation_id = $2
                    """, [hotelId, operation.operationId]).first {
                    let columns = ColumnReader(stored, table: "sync_operation")
                    if operation.isRetry(ofFingerprint: try columns.text(0)),
                       let answer = try? JSONDecoder().decode(SyncOutcome.self, from: Data(try columns.text(1).utf8)) {
                        results.append(answer)
                    } else {
                        results.append(SyncRefusal.pushedBefore(operation.operationId))
                    }
                    continue
                }
                // A change's lines in the booking's history go back with its answer (as SQLite's).
                let changed = operation.kind == .book ? nil : SyncWire.parseUUID(operation.bookingId)
                // The booking locked first: a line another transaction commits for it meanwhile
                // (the runner's refund) would otherwise count as this operation's.
                let historyBefore = try changed.map { id in
                    _ = try session.execute("SELECT 1 FROM booking WHERE id = $1 FOR UPDATE", [id])
                    return try session.rows("SELECT COALESCE(MAX(id), 0)::int8 FROM audit_entry WHERE booking_id = $1", [id]).first
                        .map { try ColumnReader($0, table: "audit_entry").int64(0) } ?? 0
                }
                var outcome: SyncOutcome
                do {
                    outcome = try chain.inSavepoint(session) { try applyOne(operation, hotel: hotel, group: group, by: user, session) }
                    if outcome.outcome == .accepted, let changed, let historyBefore {
                        let lines = try session.rows("SELECT summary FROM audit_entry WHERE booking_id = $1 AND id > $2 ORDER BY id",
                                                     [changed, historyBefore]).map { try ColumnReader($0, table: "audit_entry").text(0) }
                        outcome.recorded = lines.isEmpty ? nil : lines
                    }
                } catch let error as PSQLError {
                    throw error // the database failed, not the operation: nothing of this push is kept
                } catch {
                    guard let refused = SyncRefusal.of(error) else { throw error }
                    outcome = refused.outcome(for: operation)
                }
                seq += 1
                try session.execute("""
                    INSERT INTO sync_operation (hotel_id, operation_id, seq, fingerprint, booking_id, outcome, answer, at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """, [hotelId, operation.operationId, seq, fingerprint, UUID(uuidString: operation.bookingId)?.uuidString.lowercased(),
                          outcome.outcome.rawValue, String(decoding: outcome.jsonBytes(), as: UTF8.self), now])
                results.append(outcome)
            }
            return SyncPushResult(results: results, cursor: try latestSequence(session))
        }
    }

    /// This storage on the day the desk made `operation`, as SQLite's `madeOn`: a business date
    /// set from outside (tests, FRONTDESK_TODAY) is the rules date too.
    private func madeOn(_ operation: SyncOperation, hotel: Hotel) -> PostgresHotelStorage {
        var rules = self
        rules.ruleDate = chain.businessDateOverride ?? hotel.ruleDate(madeAt: operation.madeAt, today: chain.businessDate(for: hotel))
        rules.ruleInstant = InstantText.instant(operation.madeAt).map { min($0, now) }
        return rules
    }

    private func applyOne(_ operation: SyncOperation, hotel: Hotel, group: GroupReads, by user: String,
                          _ session: PostgresSession) throws -> SyncOutcome {
        let bookingId = try operation.checkedBookingId()
        let accepted = { (booking: Booking) throws -> SyncOutcome in
            SyncOutcome(operationId: operation.operationId, outcome: .accepted, booking: try wireBookings(ids: [booking.id], session).first)
        }
        if operation.kind == .book {
            let taken = try !session.rows("SELECT 1 FROM booking WHERE id = $1", [bookingId]).isEmpty
            if taken, let existing = try chain.fetchBookings(session, "b.id = $1", [bookingId]).first,
               operation.sendsAgain(existing, hotelId: hotelId) {
                return try accepted(existing)
            }
            return try book(operation, bookingId: bookingId, exists: taken, hotel: hotel, group: group, by: user, session)
        }
        let exists = try chain.fetchBookings(session, "b.id = $1 AND b.hotel_id = $2", [bookingId, hotelId]).first
        let madeOn = madeOn(operation, hotel: hotel)
        switch operation.kind {
        case .book:
            return try book(operation, bookingId: bookingId, exists: exists != nil, hotel: hotel, group: group, by: user, session)
        case .cancel:
            // A cancel of a booking the server has is applied (a receptionist's resolution of a conflict).
            guard exists != nil else {
                try requireNoEarlierRefusal(bookingId, session)
                throw FrontDeskError.notFound("No booking with id \(bookingId.uuidString.lowercased())")
            }
            let reason = try operation.cancellationReason(user: user)
            return try accepted(try madeOn.cancel(bookingId.uuidString, reason: reason, expectedVersion: operation.baseVersion, by: user, session))
        case .checkIn, .checkOut, .move, .noShow, .undoCheckIn, .undoCheckOut, .undoNoShow, .edit:
            // Made on the server's current version, it stands whatever was refused before;
            // otherwise it may rest on a refused operation.
            if operation.mayDependOnRefusal(currentVersion: exists?.version) { try requireNoEarlierRefusal(bookingId, session) }
            guard let exists else { throw FrontDeskError.notFound("No booking with id \(bookingId.uuidString.lowercased())") }
            switch operation.kind {
            case .checkIn: return try accepted(try madeOn.checkIn(bookingId.uuidString, expectedVersion: operation.baseVersion, by: user, session))
            case .checkOut: return try accepted(try madeOn.checkOut(bookingId.uuidString, expectedVersion: operation.baseVersion, by: user, session))
            case .noShow, .undoCheckIn, .undoCheckOut, .undoNoShow, .edit:
                // Through this backend's own changes, as on SQLite.
                let request = ChangeRequest(expectedVersion: operation.baseVersion, user: user, channel: .desk)
                let reference = bookingId.uuidString
                return try accepted(try chain.inSavepoint(session) { () throws -> Booking in
                    switch operation.kind {
                    case .noShow: return try markNoShow(reference, request, session)
                    case .edit: return try madeOn.changeBooking(reference, try operation.checkedEdit(), request, session)
                    case .undoCheckIn:
                        return try madeOn.undoCheckIn(reference, checkedReason: try operation.undoReason(user: user), request, session)
                    case .undoNoShow:
                        return try madeOn.undoNoShow(reference, checkedReason: try operation.undoReason(user: user), request, session)
                    default:
                        return try madeOn.undoCheckOut(reference, checkedReason: try operation.undoReason(user: user), request, session)
                    }
                })
            default: return try accepted(try move(operation, exists, hotel: hotel, by: user, session))
            }
        }
    }

    /// A room change made on a desk, applied by this backend's own `move`; see SQLite's for the rules.
    private func move(_ operation: SyncOperation, _ booking: Booking, hotel: Hotel, by user: String,
                      _ session: PostgresSession) throws -> Booking {
        let details = try operation.checkedMove()
        guard let roomId = UUID(uuidString: details.roomId),
              let target = try chain.fetchRooms(session, hotelId: hotelId, condition: "r.id = $1", [roomId]).first else {
            throw SyncOperation.notARoom(details)
        }
        if let expected = operation.baseVersion, expected != booking.version {
            throw SyncOperation.staleMove(booking, toRoom: target.room.number, expected: expected)
        }
        let today = chain.businessDate(for: hotel)
        return try SyncOperation.applyMove(booking, to: target.room, businessDate: today, move: {
            try chain.inSavepoint(session) {
                try move(booking.id.uuidString, toRoom: target.room.number, reason: operation.reason, reprice: details.reprice,
                         ChangeRequest(expectedVersion: operation.baseVersion, user: user, channel: .desk), session)
            }
        }, suggestions: {
            try suggestedRooms(instead: target.room.id, stay: $0, guests: booking.guestCount, hotel: hotel, today: today, session)
        })
    }

    /// `SyncRefusal.requireNoEarlierRefusal` over the booking's latest pushed operation.
    private func requireNoEarlierRefusal(_ bookingId: UUID, _ session: PostgresSession) throws {
        try SyncRefusal.requireNoEarlierRefusal(of: bookingId, latestOutcome: try session.rows(
            "SELECT outcome FROM sync_operation WHERE hotel_id = $1 AND booking_id = $2 ORDER BY seq DESC LIMIT 1",
            [hotelId, bookingId.uuidString.lowercased()]).first.map { try ColumnReader($0, table: "sync_operation").text(0) })
    }

    /// A booking made on a desk: held and confirmed at once with its desk payment, under the desk's
    /// id and (unless another booking has it) code, priced by the server's rules as of the day it was made.
    private func book(_ operation: SyncOperation, bookingId: UUID, exists: Bool, hotel: Hotel, group: GroupReads,
                      by user: String, _ session: PostgresSession) throws -> SyncOutcome {
        let (details, roomId) = try operation.bookingToMake(alreadyExists: exists, bookingId: bookingId)
        let rules = madeOn(operation, hotel: hotel)
        let request = ReservationRequest(form: details.form, payment: .desk, user: user, roomId: roomId, bookingId: bookingId,
                                         confirmationCode: details.confirmation, agreedPrices: try details.desksPrices())
        let held: Booking
        do {
            held = try chain.inSavepoint(session) { try rules.reserve(request, session, group: group) }
        } catch FrontDeskError.roomUnavailable(let message) {
            throw SyncRefusal(outcome: .conflict, code: "room_unavailable", message: message,
                              suggestedRooms: try details.stay.map {
                                  try suggestedRooms(instead: roomId, stay: $0, guests: details.guests, hotel: hotel,
                                                     today: rules.ruleDate!, session)
                              } ?? [])
        }
        let booking = try confirmPaidAtDesk(held, by: user, session)
        let changed = ConfirmationCode.normalized(details.confirmation) != booking.confirmationCode
        return SyncOutcome(operationId: operation.operationId, outcome: .accepted,
                           booking: WireBooking(booking, claims: booking.stay.nights.map { WireClaim(night: $0, roomId: booking.roomId) }),
                           confirmationChanged: changed ? true : nil)
    }

    /// A hold made in this transaction, paid at the desk and confirmed at once: Reserving ->
    /// ProcessingPayment -> Confirmed (payment `desk-CODE`) in one update of the booking, with the
    /// audit entries of both steps, as SQLite's `confirmPaidAtDesk`; the steps the saga queued
    /// for the hold are moot and go.
    /// `claimsFirm`: the hold was made by `reserve(confirmingAtDesk:)`: its nights claimed with no
    /// expiry and no step queued for it.
    func confirmPaidAtDesk(_ held: Booking, by user: String, claimsFirm: Bool = false, _ session: PostgresSession) throws -> Booking {
        let (paying, confirmed) = try held.paidAtDeskAndConfirmed(at: now)
        try writeBack(confirmed, over: held, session)
        if !claimsFirm {
            try session.execute("UPDATE room_night SET hold_expires_at = NULL WHERE booking_id = $1", [held.id])
        }
        try session.execute("UPDATE saga SET payment_reference = $1, card_number = NULL WHERE booking_id = $2",
                            [FrontDeskStore.deskPaymentReference(confirmed.confirmationCode), held.id])
        if !claimsFirm {
            try session.execute("DELETE FROM saga_message WHERE booking_id = $1 AND name IN ('ReservationExpired', 'RoomReserved')", [held.id])
        }
        try chain.insertAudits(deskConfirmationAudits(held: held, paying: paying, confirmed: confirmed, by: user), session)
        return confirmed
    }

    /// The saga's two audit entries of a desk payment taken and its booking confirmed.
    func deskConfirmationAudits(held: Booking, paying: Booking, confirmed: Booking, by user: String) -> [PostgresChainStorage.AuditRow] {
        let instant = now
        return [
            .init(at: instant, user: user, action: BookingSaga.auditAction(.processingPayment, .roomReserved), hotelId: hotelId,
                  bookingId: held.id, roomId: held.roomId, summary: "Taking payment for booking \(held.confirmationCode)",
                  before: held, after: paying),
            .init(at: instant, user: user, action: BookingSaga.auditAction(.confirmed, .paymentProcessed(reference: "")), hotelId: hotelId,
                  bookingId: held.id, roomId: held.roomId, summary: "Booking \(held.confirmationCode) confirmed",
                  before: paying, after: confirmed),
        ]
    }

    /// Rooms free for `stay` instead of `roomId`: of its type or sleeping at least as many, cheapest first, a few.
    private func suggestedRooms(instead roomId: UUID, stay: StayDates, guests: Int, hotel: Hotel, today: CalendarDate,
                                _ session: PostgresSession) throws -> [WireSuggestedRoom] {
        guard let wanted = try chain.fetchRooms(session, hotelId: hotelId, condition: "r.id = $1", [roomId]).first else { return [] }
        let query = AvailabilityQuery(stay: stay, guestCount: min(max(guests, 1), wanted.type.capacity))
        return try offers(query, hotel: hotel, today: today, session).suggestions(instead: roomId, of: wanted.type)
    }
}

/// `inOneSnapshot`'s snapshot held feed entries of `hotelId` without numbers (schema v12).
struct FeedPendingInSnapshot: Error {
    let hotelId: UUID
}
