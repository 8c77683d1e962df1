import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// Bookings and their saga on PostgreSQL, step for step as `FrontDeskStore` does them on SQLite
/// (Bookings.swift, Saga.swift): the domain decides (BookingRules, PricingPolicy, BookingSaga,
/// Booking's transitions), this code stores the outcome.
extension PostgresHotelStorage {
    /// What every booking of one group reads alike, read once per group.
    final class GroupReads {
        var hotel: Hotel??
        var activeRooms: Int?

        /// The group's hotel, read by the group's first booking.
        func hotel(_ read: () throws -> Hotel?) rethrows -> Hotel? {
            if let known = hotel { return known }
            let found = try read()
            hotel = .some(found)
            return found
        }
    }

    // MARK: Booking a room

    /// One transaction for the group, without waiting for the hotel's turn: groups of several instances (and
    /// the saga's steps) book side by side; each booking's room row is locked for share and its
    /// nights claimed by their key (see `PostgresChainStorage`).
    ///
    /// A desk-paid booking of the API is written at once, in two statements and no savepoint
    /// (PostgresBookingAtOnce.swift); when such a write fails, the group runs again with every
    /// booking the careful way.
    func reserveAll(_ requests: [ReservationRequest]) throws -> [Result<Booking, any Error>] {
        if let booked = try bookGroupInTwoStatements(requests) { return booked.map { .success($0) } }
        do {
            return try reserveGroup(requests, atOnce: true)
        } catch is AtOnceWriteFailed {
            return try reserveGroup(requests, atOnce: false)
        }
    }

    /// The group in its order: each run of bookings that may be written at once (`atOnceRun`) in
    /// two statements, every other booking the careful way in its savepoint.
    private func reserveGroup(_ requests: [ReservationRequest], atOnce: Bool) throws -> [Result<Booking, any Error>] {
        try chain.write(hotel: hotelId, lockingHotel: false) { session in
            let group = GroupReads()
            var outcomes: [Result<Booking, any Error>] = []
            outcomes.reserveCapacity(requests.count)
            while outcomes.count < requests.count {
                let rest = requests[outcomes.count...]
                let run = atOnce ? atOnceRun(rest) : []
                guard !run.isEmpty else {
                    outcomes.append(try outcome { try reserveCarefully(rest.first!, session, group: group) })
                    continue
                }
                let written = try reserveAtOnce(run, endsGroup: run.count == rest.count, session, group: group)
                outcomes += written.booked.map { .success($0) }
                if let careful = written.careful {
                    outcomes.append(try outcome { try reserveCarefully(careful, session, group: group) })
                }
            }
            return outcomes
        }
    }

    private func reserveCarefully(_ request: ReservationRequest, _ session: PostgresSession, group: GroupReads) throws -> Booking {
        do {
            return try chain.inSavepoint(session) { try reserveSettlingDeskPayment(request, session, group: group) }
        } catch let refusal as FrontDeskError where request.requestId != nil && Self.mayBeTheSameRequestElsewhere(refusal) {
            // The same request sent to two instances at once (a client's retry, a double submit):
            // the other committed between this one's look for its request id and its writes, and
            // its room-night or its request id's key refused this one. One more look (READ
            // COMMITTED: a new snapshot) finds that booking, and the request runs again to answer
            // it as a replay does (or `conflict` for other details); a room someone else took
            // stays refused at the cost of that one look.
            guard let requestId = request.requestId,
                  try !session.rows("SELECT 1 FROM booking WHERE request_id = $1", [requestId]).isEmpty else { throw refusal }
            return try chain.inSavepoint(session) { try reserveSettlingDeskPayment(request, session, group: group) }
        }
    }

    private static func mayBeTheSameRequestElsewhere(_ refusal: FrontDeskError) -> Bool {
        switch refusal {
        case .roomUnavailable, .conflict: true
        default: false
        }
    }

    /// One booking's outcome, or the error that ends its whole group.
    private func outcome(_ book: () throws -> Booking) throws -> Result<Booking, any Error> {
        do {
            return .success(try book())
        } catch let error as PSQLError where error.code != .server {
            throw error // the connection itself failed: nothing of this group is kept
        } catch let error as PostgresStoreError {
            if case .connectionLost = error { throw error } // no answer in time: the connection is given up, and the group
            return .failure(error)
        } catch let error as PSQLError where PostgresChainStorage.isRetryable(error) {
            throw error // a deadlock with another group: the whole group runs again
        } catch let error as PSQLError where PostgresChainStorage.isLockWaitTooLong(error) {
            throw error // a lock held past lock_timeout: the next booking would wait as long; the group ends (503)
        } catch let error as PSQLError {
            return .failure(PostgresChainStorage.translated(error))
        } catch {
            return .failure(error)
        }
    }

    /// `request` held; paid and confirmed in the same transaction too when it asks for that
    /// (`confirmsDeskPaymentAtOnce`) and pays at the desk, as SQLite's. A request id used before
    /// gives its booking as `reserve` does, whatever that booking's state.
    func reserveSettlingDeskPayment(_ request: ReservationRequest, _ session: PostgresSession, group: GroupReads) throws -> Booking {
        guard request.confirmsDeskPaymentAtOnce, request.payment.method == .desk else { return try reserve(request, session, group: group) }
        if let requestId = request.requestId,
           try !session.rows("SELECT 1 FROM booking WHERE request_id = $1", [requestId]).isEmpty {
            return try reserve(request, session, group: group)
        }
        // The saga's steps are the system's, as when the runner takes them.
        let held = try reserve(request, session, group: group, confirmingAtDesk: true)
        return try confirmPaidAtDesk(held, by: "system", claimsFirm: true, session)
    }

    static func unavailableMessage(_ room: Room, _ stay: StayDates) -> String {
        "Room \(room.number) is not available from \(stay.checkIn) to \(stay.checkOut): another booking holds it"
    }

    /// `confirmingAtDesk`: the caller confirms the hold at once in this transaction
    /// (`confirmPaidAtDesk(claimsFirm: true)`), so the saga queues no steps for it and its nights
    /// are claimed with no expiry at once, as on SQLite.
    func reserve(_ request: ReservationRequest, _ session: PostgresSession, group: GroupReads,
                 confirmingAtDesk: Bool = false) throws -> Booking {
        var form = request.form
        let listing: RoomListing?
        if let roomId = request.roomId {
            guard let found = try chain.fetchRooms(session, hotelId: hotelId, condition: "r.id = $1", [roomId]).first else {
                throw FrontDeskError.notFound("No room with id \(roomId.uuidString.lowercased())")
            }
            listing = found
            form.roomNumber = found.room.number
        } else {
            // As typed, then with full-width digits as plain ones (as every other room look-up).
            listing = try fetchRoom(number: form.roomNumber, session)
                ?? (try? Room.validNumber(form.roomNumber)).flatMap { try fetchRoom(number: $0, session) }
        }
        let hotel = try group.hotel { try chain.fetchHotel(hotelId, session) }
        let today = ruleDate ?? chain.businessDate(for: hotel)
        let fingerprint = form.idempotencyFingerprint(payment: request.payment)
        if let requestId = request.requestId,
           let earlier = try session.rows("SELECT id, request_fingerprint FROM booking WHERE request_id = $1", [requestId]).first {
            let columns = ColumnReader(earlier, table: "booking")
            let booking = try chain.fetchBookings(session, "b.id = $1", [try columns.uuid(0)])[0]
            guard try columns.optionalText(1) == fingerprint else {
                throw FrontDeskError.conflict(
                    "Request id \(requestId.uuidString.lowercased()) was already used for booking \(booking.confirmationCode) with different details")
            }
            return booking
        }
        let validated = try BookingRules.validate(form, context: .init(
            businessDate: today, hotelExists: hotel != nil, room: listing.map { ($0.room, $0.type) },
            nightUnderWay: nightUnderWay(for: hotel, today: today, checkIn: form.checkIn)))
        guard let hotel, let listing else { throw FrontDeskError.notFound("Room does not exist") }
        // Locked for share until the end: a room taken out of service meanwhile (which locks it
        // for update first) is seen here, or waits for this booking and then sees its nights. Its
        // type too, for key share: a capacity cut (`changeRoomType` locks the type for update)
        // committed since the read is seen here, or waits and then counts this booking's guests.
        let locked = try session.rows("""
            SELECT r.is_active, t.capacity::int8 FROM room r JOIN room_type t ON t.id = r.room_type_id WHERE r.id = $1
            FOR SHARE OF r FOR KEY SHARE OF t
            """, [listing.room.id]).first.map { ColumnReader($0, table: "room") }
        guard listing.room.isActive, let locked, try locked.bool(0) else {
            throw FrontDeskError.roomUnavailable("Room \(listing.room.number) is out of service")
        }
        var lockedType = listing.type
        lockedType.capacity = try locked.int(1)
        if let problem = lockedType.capacityProblem(roomNumber: listing.room.number, guests: validated.guestCount) {
            throw FrontDeskError.validationFailed([problem])
        }
        try expireLapsedHolds(roomId: listing.room.id, stay: validated.stay, session)
        try requireFree(listing.room, stay: validated.stay, session)
        try requireNobodyInRoom(listing.room, firstNight: validated.stay.checkIn, today: today, session)
        let active: Int
        if let known = group.activeRooms {
            active = known
        } else {
            active = try countActiveRooms(session)
            group.activeRooms = active
        }
        let prices: [NightlyPrice]
        if let agreed = request.agreedPrices, agreed.map(\.night) == validated.stay.nights {
            try chain.pricing.checkAgreedPrices(agreed, basePrice: listing.type.basePricePerNight, typeName: listing.type.name,
                                                stay: validated.stay, businessDate: today)
            prices = agreed
        } else {
            let loads = try nightLoads(stay: validated.stay, activeRooms: active, session)
            prices = chain.pricing.nightlyPrices(basePrice: listing.type.basePricePerNight, stay: validated.stay,
                                                 businessDate: today) { loads[$0] ?? .init(held: 0, active: 0) }
        }
        let instant = now
        let booking = Booking(
            id: request.bookingId ?? UUID.timeOrdered(at: instant), hotelId: hotel.id, roomId: listing.room.id, roomNumber: listing.room.number,
            confirmationCode: try uniqueConfirmationCode(preferring: request.confirmationCode, session),
            guest: validated.guest, guestCount: validated.guestCount, stay: validated.stay, status: .reserving,
            nightlyPrices: prices, version: 1,
            holdExpiresAt: instant.addingTimeInterval(TimeInterval(hotel.holdMinutes * 60)),
            statusReason: nil, createdAt: BookingRules.createdAt(now: instant, pushedMadeAt: ruleInstant), updatedAt: instant)
        do {
            try insert(booking, requestId: request.requestId, fingerprint: fingerprint, firmClaims: confirmingAtDesk, session)
        } catch let error as PSQLError where error.sqlState == "23505" && error.constraint == "room_night_pkey" {
            // The room-night key caught what the check above could not see.
            throw FrontDeskError.roomUnavailable(Self.unavailableMessage(listing.room, validated.stay))
        } catch let error as PSQLError where error.sqlState == "23505" && error.constraint == "booking_request_id_key" {
            throw FrontDeskError.conflict("Request id \(request.requestId?.uuidString.lowercased() ?? "") is being used by another booking; try again")
        }
        try chain.insertAudits([reservedAudit(booking, by: request.user)], session)
        try startSaga(booking, payment: request.payment, by: request.user, queueSteps: !confirmingAtDesk, session)
        return booking
    }

    /// The audit entry of a room held for a new booking.
    func reservedAudit(_ booking: Booking, by user: String) -> PostgresChainStorage.AuditRow {
        .init(at: now, user: user, action: "booking.reserved", hotelId: hotelId, bookingId: booking.id,
              summary: "Room \(booking.roomNumber) held for \(booking.guest.name), \(booking.stay.checkIn) to \(booking.stay.checkOut)",
              after: booking)
    }

    private func requireFree(_ room: Room, stay: StayDates, _ session: PostgresSession) throws {
        let taken = try session.rows("SELECT 1 FROM room_night WHERE room_id = $1 AND night >= $2::date AND night < $3::date LIMIT 1",
                                     [room.id, stay.checkIn.iso, stay.checkOut.iso])
        if !taken.isEmpty { throw FrontDeskError.roomUnavailable(Self.unavailableMessage(room, stay)) }
    }

    /// Holds whose window has passed no longer keep the room: their bookings fail here, in the
    /// same transaction that wants the nights.
    func expireLapsedHolds(roomId: UUID, stay: StayDates, _ session: PostgresSession) throws {
        let lapsed = try session.rows("""
            SELECT DISTINCT booking_id FROM room_night
            WHERE room_id = $1 AND night >= $2::date AND night < $3::date AND hold_expires_at IS NOT NULL AND hold_expires_at <= $4
            """, [roomId, stay.checkIn.iso, stay.checkOut.iso, now]).map { try ColumnReader($0, table: "room_night").uuid(0) }
        for id in lapsed { try apply(.reservationExpired, to: id, by: "system", session) }
    }

    private func uniqueConfirmationCode(preferring given: String?, _ session: PostgresSession) throws -> String {
        if let given = given.flatMap(ConfirmationCode.normalized),
           try session.rows("SELECT 1 FROM booking WHERE confirmation_code = $1", [given]).isEmpty {
            return given
        }
        while true {
            let code = chain.makeConfirmationCode()
            if try session.rows("SELECT 1 FROM booking WHERE confirmation_code = $1", [code]).isEmpty { return code }
        }
    }

    /// `firmClaims`: the nights are claimed with no expiry (a hold confirmed in this same transaction).
    /// `nights`: the nights it holds when not every night of its stay (an imported no-show or
    /// early check-out); nil for the whole stay.
    func insert(_ booking: Booking, requestId: UUID?, fingerprint: String?, firmClaims: Bool = false,
                nights: [CalendarDate]? = nil, _ session: PostgresSession) throws {
        try session.execute("""
            INSERT INTO booking (id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
                                 check_in, check_out, status, total_cents, version, hold_expires_at, status_reason,
                                 request_id, request_fingerprint, created_at, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::date, $10::date, $11, $12, $13, $14, $15, $16, $17, $18, $19)
            """, [booking.id, booking.hotelId, booking.roomId, booking.confirmationCode, booking.guest.name, booking.guest.email,
                  booking.guest.phone, booking.guestCount, booking.stay.checkIn.iso, booking.stay.checkOut.iso,
                  booking.status.rawValue, booking.totalPrice.minorUnits, booking.version, booking.holdExpiresAt,
                  booking.statusReason, requestId, fingerprint, booking.createdAt, booking.updatedAt])
        let prices = booking.nightlyPrices
        try session.execute("""
            INSERT INTO booking_night (booking_id, night, price_cents)
            SELECT $1::uuid, night::date, price FROM unnest($2::text[], $3::int8[]) AS t(night, price)
            """, [booking.id, prices.map(\.night.iso), prices.map(\.price.minorUnits)])
        if booking.status == .reserving {
            try feed(session, event: "RoomAvailabilityChanged", booking, data: Self.availabilityData(booking, available: false),
                     at: booking.createdAt)
        }
        if booking.status == .failed || booking.status == .cancelled { return }
        try session.execute("""
            INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at)
            SELECT $1::uuid, night::date, $2::uuid, $3::uuid, $4::timestamptz FROM unnest($5::text[]) AS t(night)
            """, [booking.roomId, booking.hotelId, booking.id, firmClaims ? nil : booking.holdExpiresAt, (nights ?? booking.stay.nights).map(\.iso)])
    }

    // MARK: The change feed of bookings (as SQLite's triggers of schema v6, v8, v9)

    static func availabilityData(_ booking: Booking, available: Bool, room: UUID? = nil, stay: StayDates? = nil) -> JSONValue {
        let stay = stay ?? booking.stay
        return .object([
            ("roomId", .string(SyncWire.lowercaseText(room ?? booking.roomId))),
            ("bookingId", .string(SyncWire.lowercaseText(booking.id))),
            ("checkIn", .string(stay.checkIn.iso)), ("checkOut", .string(stay.checkOut.iso)),
            ("available", .bool(available)),
        ])
    }

    func feed(_ session: PostgresSession, event: String, _ booking: Booking, room: UUID? = nil, data: JSONValue, at instant: Date) throws {
        try chain.appendFeed(session, hotelId: booking.hotelId, event: event, bookingId: booking.id, roomId: room ?? booking.roomId,
                             data: data, at: instant)
    }

    /// The feed entries of one change of a booking's row.
    func feedChange(from before: Booking, to after: Booking, _ session: PostgresSession) throws {
        let (old, new) = (before.status, after.status)
        let statusChanged = old != new
        let outcome = statusChanged && ((new == .confirmed && (old == .reserving || old == .processingPayment))
            || new == .failed || new == .cancelled)
        if outcome {
            let name = new == .confirmed ? "BookingConfirmed" : new == .failed ? "BookingFailed" : "BookingCancelled"
            try feed(session, event: name, after, data: .object([
                ("bookingId", .string(SyncWire.lowercaseText(after.id))), ("confirmation", .string(after.confirmationCode)),
                ("roomId", .string(SyncWire.lowercaseText(after.roomId))), ("status", .string(new.rawValue)),
                ("checkIn", .string(after.stay.checkIn.iso)), ("checkOut", .string(after.stay.checkOut.iso)),
                ("version", .int(after.version)), ("reason", after.statusReason.map(JSONValue.string) ?? .null),
            ]), at: after.updatedAt)
        }
        let availability = statusChanged && ([.failed, .cancelled, .checkedOut, .noShow].contains(new)
            || (new == .checkedIn && old == .checkedOut))
        if availability {
            try feed(session, event: "RoomAvailabilityChanged", after, data: Self.availabilityData(after, available: new != .checkedIn),
                     at: after.updatedAt)
        }
        let stayChanged = before.stay != after.stay || before.roomId != after.roomId
        if stayChanged {
            try feed(session, event: "RoomAvailabilityChanged", after, room: before.roomId,
                     data: Self.availabilityData(after, available: true, room: before.roomId, stay: before.stay), at: after.updatedAt)
            try feed(session, event: "RoomAvailabilityChanged", after, data: Self.availabilityData(after, available: false),
                     at: after.updatedAt)
        }
        let paying = statusChanged && new == .processingPayment && old == .reserving
        if after.version != before.version && !stayChanged && !outcome && !availability && !paying {
            try feed(session, event: "BookingChanged", after, data: .object([
                ("bookingId", .string(SyncWire.lowercaseText(after.id))), ("confirmation", .string(after.confirmationCode)),
                ("roomId", .string(SyncWire.lowercaseText(after.roomId))), ("status", .string(new.rawValue)),
                ("version", .int(after.version)),
            ]), at: after.updatedAt)
        }
    }

    // MARK: Changing a booking

    /// `cancel` in the caller's transaction (a desk's pushed cancel takes this path too).
    func cancel(_ reference: String, reason: String, expectedVersion: Int?, by user: String, _ session: PostgresSession) throws -> Booking {
        do {
            let booking = try requireBooking(reference, session)
            try booking.requireVersion(expectedVersion)
            let hotel = try requireHotel(session)
            let today = ruleDate ?? chain.businessDate(for: hotel)
            try booking.requireCancellable(businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today))
            guard case .transition = try apply(.bookingCancellationRequested(reason: reason), to: booking.id, by: user, session) else {
                var probe = booking
                try probe.cancel(reason: reason, at: now) // throws the desk's wording for this status
                throw FrontDeskError.invalidState("Booking \(booking.confirmationCode) cannot be cancelled")
            }
            try refundAtTheDeskNow(bookingId: booking.id, session)
            return try requireBooking(booking.id.uuidString, session)
        }
    }

    /// A desk refund's booking code and words (`SagaCallOutcome.deskRefundSummary`): what the desk
    /// pays back, the booking's total. A booking not found reads as its id and the words without an amount.
    func deskRefundWords(_ bookingId: UUID, _ session: PostgresSession) throws -> (code: String, summary: String) {
        guard let row = try session.rows("""
            SELECT b.confirmation_code, b.total_cents, h.currency FROM booking b JOIN hotel h ON h.id = b.hotel_id WHERE b.id = $1
            """, [bookingId]).first else { return (bookingId.uuidString.lowercased(), "payment refunded (desk-refund)") }
        let columns = ColumnReader(row, table: "booking")
        return (try columns.text(0), SagaCallOutcome.deskRefundSummary(amount: Money(minorUnits: try columns.int64(1)), currency: try columns.text(2)))
    }

    /// Money taken at the desk goes back at the desk: no runner needed.
    func refundAtTheDeskNow(bookingId: UUID, _ session: PostgresSession) throws {
        let method = try session.rows("SELECT payment_method FROM saga WHERE booking_id = $1", [bookingId]).first
            .map { try ColumnReader($0, table: "saga").text(0) } ?? PaymentMethod.desk.rawValue
        guard method == PaymentMethod.desk.rawValue else {
            try sayCardRefundQueued(bookingId: bookingId, session)
            return
        }
        let refunds = try session.execute("DELETE FROM saga_message WHERE booking_id = $1 AND name = 'ProcessRefund'", [bookingId])
        for _ in 0..<refunds {
            try session.execute("UPDATE saga SET refund_reference = 'desk-refund', card_number = NULL WHERE booking_id = $1", [bookingId])
            let (code, refund) = try deskRefundWords(bookingId, session)
            try audit(session, user: "system", action: "booking.refunded", bookingId: bookingId, summary: "Booking \(code): \(refund)")
        }
    }

    /// What goes back to the card and what the desk repays, said at the cancel (as SQLite's).
    func sayCardRefundQueued(bookingId: UUID, _ session: PostgresSession) throws {
        guard let row = try session.rows("""
            SELECT b.confirmation_code, s.charged_cents IS NOT NULL, (\(FrontDeskStore.cardCallAmountSQL))::int8,
                   (\(FrontDeskStore.cardCallPaidAtDeskSQL))::int8, h.currency
            FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id JOIN booking b ON b.id = m.booking_id
            JOIN hotel h ON h.id = b.hotel_id
            WHERE m.booking_id = $1 AND m.name = 'ProcessRefund' LIMIT 1
            """, [bookingId]).first else { return }
        let columns = ColumnReader(row, table: "saga")
        let code = try columns.text(0)
        let charged = try columns.bool(1)
        try audit(session, user: "system", action: "booking.refundQueued", bookingId: bookingId,
                  summary: SagaCallOutcome.cardRefundQueuedSummary(code, amount: charged ? Money(minorUnits: try columns.int64(2)) : nil,
                                                                   currency: try columns.text(4),
                                                                   paidAtDesk: charged ? Money(minorUnits: try columns.int64(3)) : .zero))
    }

    func checkIn(_ reference: String, expectedVersion: Int?, by user: String, _ session: PostgresSession) throws -> Booking {
        do {
            let hotel = try chain.fetchHotel(hotelId, session)
            let today = ruleDate ?? chain.businessDate(for: hotel)
            return try change(reference: reference, expectedVersion: expectedVersion, action: "booking.checkedIn", by: user, session) { booking in
                try booking.checkIn(businessDate: today, at: now, nightUnderWay: nightOfArrival(for: booking, hotel, today: today))
                // Not into a room out of service (taken out after the booking was made), as SQLite's.
                if let listing = try chain.fetchRooms(session, hotelId: hotelId, condition: "r.id = $1", [booking.roomId]).first {
                    try listing.room.requireInService(toCheckIn: booking.confirmationCode)
                }
                try requireRoomNotOccupied(for: booking, session)
                return "\(booking.guest.name) checked in to room \(booking.roomNumber)"
            }
        }
    }

    /// Refuses to put `booking`'s guest in its room while another guest is checked in there (as
    /// SQLite's: a check-in and an undone check-out ask).
    func requireRoomNotOccupied(for booking: Booking, returning: Bool = false, _ session: PostgresSession) throws {
        if let other = try session.rows("""
            SELECT guest_name, confirmation_code, check_out::text FROM booking
            WHERE status = 'CheckedIn' AND room_id = $1 AND id <> $2 LIMIT 1
            """, [booking.roomId, booking.id]).first {
            let columns = ColumnReader(other, table: "booking")
            throw booking.roomStillOccupied(by: try columns.text(0), confirmationCode: try columns.text(1),
                                            dueOut: CalendarDate(iso: try columns.text(2)) ?? booking.stay.checkIn, returning: returning)
        }
    }

    func checkOut(_ reference: String, expectedVersion: Int?, by user: String, _ session: PostgresSession) throws -> Booking {
        do {
            let today = try ruleDate ?? chain.businessDate(for: chain.fetchHotel(hotelId, session))
            var freed: [CalendarDate] = []
            let booking = try change(reference: reference, expectedVersion: expectedVersion, action: "booking.checkedOut", by: user, session) { booking in
                freed = try booking.checkOut(businessDate: today, at: now)
                return ChangeWording.checkedOut(booking, freed: freed)
            }
            if let first = freed.first {
                try session.execute("DELETE FROM room_night WHERE booking_id = $1 AND night >= $2::date", [booking.id, first.iso])
            }
            return booking
        }
    }

    func change(reference: String, expectedVersion: Int?, action: String, by user: String, _ session: PostgresSession,
                _ transition: (inout Booking) throws -> String) throws -> Booking {
        let booking = try requireBooking(reference, session)
        try booking.requireVersion(expectedVersion)
        return try change(bookingId: booking.id, loaded: booking, action: action, by: user, session, transition)
    }

    /// Loads, applies one domain transition, writes it back guarded by the version it read, audits.
    @discardableResult
    func change(bookingId: UUID, loaded: Booking? = nil, action: String, by user: String, _ session: PostgresSession,
                _ transition: (inout Booking) throws -> String) throws -> Booking {
        guard let before = try loaded ?? chain.fetchBookings(session, "b.id = $1", [bookingId]).first else {
            throw FrontDeskError.notFound("Booking \(bookingId) does not exist")
        }
        var after = before
        let summary = try transition(&after)
        try writeBack(after, over: before, session)
        if before.holdExpiresAt != nil && after.holdExpiresAt == nil {
            // The hold becomes firm (or ends; the release trigger deletes the nights of an ended booking).
            try session.execute("UPDATE room_night SET hold_expires_at = NULL WHERE booking_id = $1", [bookingId])
        }
        try audit(session, user: user, action: action, bookingId: after.id, roomId: after.roomId, summary: summary,
                  before: before, after: after)
        return after
    }

    /// Writes a changed booking's row, guarded by the version it was read at, and feeds the change.
    func writeBack(_ after: Booking, over before: Booking, _ session: PostgresSession) throws {
        let changed = try session.execute("""
            UPDATE booking SET status = $1, version = $2, hold_expires_at = $3, status_reason = $4, updated_at = $5,
                               checked_in_on = $6::date, checked_out_on = $7::date, guest_name = $8, guest_email = $9, guest_phone = $10,
                               guest_count = $11, check_in = $12::date, check_out = $13::date, room_id = $14, total_cents = $15,
                               room_since = $16::date
            WHERE id = $17 AND version = $18
            """, [after.status.rawValue, after.version, after.holdExpiresAt, after.statusReason, after.updatedAt,
                  after.checkedInOn?.iso, after.checkedOutOn?.iso, after.guest.name, after.guest.email, after.guest.phone,
                  after.guestCount, after.stay.checkIn.iso, after.stay.checkOut.iso, after.roomId, after.totalPrice.minorUnits,
                  after.roomSince?.iso, after.id, before.version])
        guard changed == 1 else {
            throw FrontDeskError.conflict("Booking \(before.confirmationCode) was changed meanwhile; look again")
        }
        try feedChange(from: before, to: after, session)
    }

    // MARK: The saga (as FrontDeskStore's Saga.swift)

    /// `queueSteps: false` is for a caller that confirms the booking in the same transaction
    /// (`confirmPaidAtDesk(claimsFirm: true)`): the expiry and RoomReserved would be deleted again
    /// before the commit, so they are not written.
    func startSaga(_ booking: Booking, payment: PaymentInstruction, by user: String, queueSteps: Bool = true,
                   _ session: PostgresSession) throws {
        try session.execute("INSERT INTO saga (booking_id, payment_method, card_number, started_at) VALUES ($1, $2, $3, $4)",
                            [booking.id, payment.method.rawValue, payment.cardNumber, now])
        guard queueSteps else { return }
        try apply(.bookingRequested, to: booking.id, by: user, loaded: booking, session)
        // ReserveRoom was carried out by the caller: the hold is in this same transaction.
        try enqueue("RoomReserved", for: booking.id, at: now, session)
    }

    func enqueue(_ name: String, for bookingId: UUID, at instant: Date, _ session: PostgresSession) throws {
        try session.execute("INSERT INTO saga_message (booking_id, name, available_at, created_at) VALUES ($1, $2, $3, $4)",
                            [bookingId, name, instant, now])
    }

    /// A ProcessPayment message no call has been made for: nothing can have been charged.
    static let chargeNotInDoubt = "attempts = 0 AND claimed_by IS NULL"

    /// The one way a saga moves: the domain decides, this persists the new status and carries out
    /// the commands. A deadline that has passed is applied first, whatever the event.
    @discardableResult
    func apply(_ event: BookingSaga.Event, to bookingId: UUID, by user: String, loaded: Booking? = nil,
               _ session: PostgresSession) throws -> BookingSaga.Decision {
        guard let booking = try loaded ?? chain.fetchBookings(session, "b.id = $1", [bookingId]).first else {
            throw FrontDeskError.notFound("Booking \(bookingId) does not exist")
        }
        if BookingSaga.deadlineComesFirst(booking, before: event, at: now) {
            try apply(.reservationExpired, to: bookingId, by: "system", loaded: booking, session)
            return try apply(event, to: bookingId, by: user, session)
        }
        let decision = BookingSaga.decide(booking.status, event)
        guard case .transition(let status, let commands) = decision else { return decision }
        var updated = booking
        if status != booking.status {
            updated = try change(bookingId: bookingId, loaded: booking, action: BookingSaga.auditAction(status, event), by: user, session) { booking in
                try booking.takeSagaStep(to: status, event: event, commands: commands, at: now)
            }
        }
        if case .paymentProcessed(let reference) = event {
            try session.execute("UPDATE saga SET payment_reference = $1, card_number = NULL WHERE booking_id = $2", [reference, bookingId])
        }
        for command in commands {
            switch command {
            case .reserveRoom, .confirmBooking, .bookingFailed:
                break // the hold is placed by the request; the status change above carries the rest
            case .scheduleExpiry:
                try enqueue("ReservationExpired", for: bookingId, at: updated.holdExpiresAt ?? now, session)
            case .processPayment:
                try enqueue("ProcessPayment", for: bookingId, at: now, session)
            case .processRefund:
                try enqueue("ProcessRefund", for: bookingId, at: now, session)
            case .releaseReservation:
                try session.execute("DELETE FROM room_night WHERE booking_id = $1", [bookingId])
            }
        }
        if updated.status != .reserving && updated.status != .processingPayment {
            // Past holding and paying, the deadline and payment steps are moot; a refund owed
            // stays queued, and so does a charge whose outcome is unknown.
            try session.execute("""
                DELETE FROM saga_message WHERE booking_id = $1
                  AND (name IN ('ReservationExpired', 'RoomReserved') OR (name = 'ProcessPayment' AND \(Self.chargeNotInDoubt)))
                """, [bookingId])
            if case .paymentProcessed = event {} else {
                try session.execute("UPDATE saga SET card_number = NULL WHERE booking_id = $1", [bookingId])
            }
        }
        return decision
    }
}
