import Foundation
import FrontDeskDomain
import GRDB
import GRDBSQLite

/// Filters of the bookings list; all optional, combined with AND.
public struct BookingFilter: Sendable {
    /// Stays touching [from, to]: arriving on or before `to` and leaving on or after `from`.
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var status: BookingStatus?
    /// Part of the guest's name or e-mail, or a confirmation code; case-insensitive.
    public var guestText: String?
    public var limit: Int?

    public init(from: CalendarDate? = nil, to: CalendarDate? = nil, status: BookingStatus? = nil,
                guestText: String? = nil, limit: Int? = nil) {
        self.from = from
        self.to = to
        self.status = status
        self.guestText = guestText
        self.limit = limit
    }

    /// The longest guest text searched for: a guest's name or e-mail is shorter, and a pasted page
    /// is not a search (SQLite refuses a LIKE pattern over 50,000 bytes, PostgreSQL a NUL).
    public static let maximumGuestTextLength = 200

    /// Why the guest text cannot be searched for (control characters, length); nil when it can.
    /// Both backends ask it first, so bad input is a validation error and never a database error.
    public var guestTextProblem: String? {
        guard let text = guestText else { return nil }
        if TextRules.containsControl(text) { return "The guest search cannot contain control characters" }
        if text.unicodeScalars.count > Self.maximumGuestTextLength {
            return "The guest search is longer than \(Self.maximumGuestTextLength) characters"
        }
        return nil
    }
}

/// One booking as asked for at the desk, with how it is paid and who asked.
public struct ReservationRequest: Sendable {
    public let form: BookingForm
    public let requestId: UUID?
    public let payment: PaymentInstruction
    public let user: String
    /// The room by its id (the server's API), looked up in the booking's own transaction; the
    /// form's room number is then that room's. A room the store does not have (or another
    /// hotel's) is `notFound`, before anything else is checked.
    public let roomId: UUID?
    /// The id and code the booking gets, when they were given elsewhere: a booking made on an
    /// offline desk keeps its id, and its code unless another booking has it (then a new one).
    public let bookingId: UUID?
    public let confirmationCode: String?
    /// A desk payment settled when the booking is made (the server's API): the hold, the payment
    /// and the confirmation in the request's own transaction, as `reserveConfirmedAtDesk` does,
    /// instead of a hold that the saga runner pays and confirms in a transaction of its own.
    /// Ignored for a card, which leaves the process.
    public let confirmsDeskPaymentAtOnce: Bool
    /// The price of each night already agreed and paid (a booking made on an offline desk, paid
    /// there): kept instead of pricing the stay by the rules now.
    public let agreedPrices: [NightlyPrice]?

    public init(form: BookingForm, requestId: UUID? = nil, payment: PaymentInstruction = .desk, user: String,
                roomId: UUID? = nil, bookingId: UUID? = nil, confirmationCode: String? = nil,
                confirmsDeskPaymentAtOnce: Bool = false, agreedPrices: [NightlyPrice]? = nil) {
        self.confirmsDeskPaymentAtOnce = confirmsDeskPaymentAtOnce
        self.agreedPrices = agreedPrices
        self.form = form
        self.requestId = requestId
        self.payment = payment
        self.user = user
        self.roomId = roomId
        self.bookingId = bookingId
        self.confirmationCode = confirmationCode
    }
}

extension FrontDeskStore {
    // MARK: Booking a room

    /// Validates the form, prices the stay, holds the room for the hotel's hold window (status
    /// Reserving) and starts the booking's saga, all in one transaction; a runner takes it from
    /// there. With a `requestId` already used for the same details, returns that booking and
    /// creates nothing; used for different details, refuses with `conflict`.
    public func reserve(_ form: BookingForm, requestId: UUID? = nil, payment: PaymentInstruction = .desk,
                        by user: String) throws -> Booking {
        try write { db in try reserve(ReservationRequest(form: form, requestId: requestId, payment: payment, user: user), db) }
    }

    /// A booking paid at the desk and waited for (`book --payment desk --wait`): held, paid and
    /// confirmed in one transaction, with the same steps, audit entries (the payment's by
    /// `system`), version and events as the runner's way (`confirmPaidAtDesk`), so a one-shot command
    /// commits once and runs no saga step. A request id used before gives its booking as
    /// `reserve` does (the caller's runner takes it on if it is still being paid).
    public func reserveConfirmedAtDesk(_ form: BookingForm, requestId: UUID? = nil, by user: String) throws -> Booking {
        try write { db in
            try reserveSettlingDeskPayment(ReservationRequest(form: form, requestId: requestId, payment: .desk, user: user,
                                                              confirmsDeskPaymentAtOnce: true), db)
        }
    }

    /// `request` held; paid and confirmed in the same transaction too when it asks for that
    /// (`confirmsDeskPaymentAtOnce`) and pays at the desk. A request id used before gives its
    /// booking as `reserve` does, whatever that booking's state.
    func reserveSettlingDeskPayment(_ request: ReservationRequest, _ db: Database, group: GroupReads? = nil) throws -> Booking {
        guard request.confirmsDeskPaymentAtOnce, request.payment.method == .desk else { return try reserve(request, db, group: group) }
        if let requestId = request.requestId, try Bool.fetchOne(db, sql: "SELECT 1 FROM booking WHERE request_id = ?",
                                                                arguments: [requestId.storedText.lowercased()]) != nil {
            return try reserve(request, db, group: group)
        }
        // The saga's steps are the system's, as when the runner takes them.
        return try reserve(request, db, group: group, confirmedAtDeskBy: "system")
    }

    /// Several reservations in one transaction: one durable commit for all (group commit), and
    /// one request's failure leaves the others standing (`reserveGroup`).
    public func reserveAll(_ requests: [ReservationRequest]) throws -> [Result<Booking, any Error>] {
        try writingGroup { eachInSavepoint in
            try write(journalsInOnePiece: true, keepsRooms: true) { db in try reserveGroup(requests, db, eachInSavepoint: eachInSavepoint) }
        }
    }

    /// A group's transaction, written with no savepoint around each booking, and written again
    /// with them when a booking failed after it had written something (`reserveGroup`).
    private func writingGroup<T>(_ write: (_ eachInSavepoint: Bool) throws -> T) throws -> T {
        do {
            return try write(false)
        } catch is GroupNeedsSavepoints {
            shared.groupsWrittenAgainInSavepoints.add(1, ordering: .relaxed)
            return try write(true)
        }
    }

    /// A booking of a group written without savepoints failed after writing some of its rows,
    /// which only the whole transaction's rollback can take back.
    private struct GroupNeedsSavepoints: Error {}

    /// The group's commit is not synced here: the booking intake syncs the log on a thread of its
    /// own while its lane writes the next group, and answers each group once its sync is done
    /// (DECISIONS.md "A group's commit is synced while the next group is written").
    public func reserveAllSyncingLater(_ requests: [ReservationRequest]) throws -> CommittedGroup {
        // Counted before the transaction begins, so a reader that sees its commit also sees it counted.
        let number = shared.deferredCommits.withLock { commits -> Int in
            commits.begun += 1
            return commits.begun
        }
        let (outcomes, announce) = try writingGroup { eachInSavepoint in
            try writeAnnouncingLater(journalsInOnePiece: true, syncingLater: true, keepsRooms: true) { db in
                try reserveGroup(requests, db, eachInSavepoint: eachInSavepoint)
            }
        }
        return CommittedGroup(outcomes: outcomes, makeDurable: { [self] in
            try syncLog()
            shared.deferredCommits.withLock { $0.synced = max($0.synced, number) }
        }, announce: announce)
    }

    /// Only in a write that passes `keepsRooms` (it writes bookings and nothing else).
    ///
    /// `eachInSavepoint`: each booking in a savepoint of its own, so that one that fails after
    /// writing some of its rows is undone alone. Without (the first try): a booking that fails
    /// before writing anything (a room taken, a form refused: nearly every failure) has nothing
    /// to undo, and one that fails after writing ends the transaction, which the caller writes
    /// again with savepoints (`writingGroup`). Every page a booking changed was copied into the
    /// savepoint's journal first: 4.5 % of the server's booking lane (perf, issue 11, session 36).
    private func reserveGroup(_ requests: [ReservationRequest], _ db: Database,
                              eachInSavepoint: Bool) throws -> [Result<Booking, any Error>] {
        let group = GroupReads()
        let stamp = try group.takeKept(for: self, db)
        defer { group.keep(for: self, stamp: stamp) }
        return try requests.map { request in
            var outcome: Result<Booking, any Error> = .failure(FrontDeskError.conflict("not attempted"))
            let queued = shared.pendingNotifications.withLock { $0.count }
            // A statement that fails takes back its own changes and is not counted; every
            // statement that changed a row is.
            let changesBefore = db.totalChangesCount
            do {
                outcome = .success(try eachInSavepoint
                    ? db.inCachedSavepoint { try reserveSettlingDeskPayment(request, db, group: group) }
                    : reserveSettlingDeskPayment(request, db, group: group))
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_IOERR {
                throw error // the file itself failed: nothing of this batch is kept
            } catch {
                // A failure that ended the whole transaction ends the batch: nothing of it is kept.
                if !db.isInsideTransaction { throw error }
                if !eachInSavepoint && db.totalChangesCount != changesBefore { throw GroupNeedsSavepoints() }
                // What the rolled-back request announced did not happen.
                shared.pendingNotifications.withLock { $0.removeSubrange(queued...) }
                outcome = .failure(error)
            }
            return outcome
        }
    }

    /// What every booking of one group reads alike, read once per group (one transaction, in
    /// which only bookings are written): the hotel and its number of active rooms.
    final class GroupReads {
        var hotel: Hotel?
        var activeRooms: Int?
        /// Whether the file is a connected desk's replica (issue 12).
        var replica: Bool?
        /// The hotel's rooms read so far, by id (rooms do not change in a group).
        var rooms: [UUID: RoomListing] = [:]

        /// What the last group of `store`'s scope kept, when nothing but bookings was written
        /// since it read it (`StoreShared.keptGroupReads`): a room read with its type was 9 % of
        /// the booking lane (perf, issue 11, session 35). Returns the stamp to keep this group's
        /// reads under.
        func takeKept(for store: FrontDeskStore, _ db: Database) throws -> KeptGroupReads.Stamp {
            let stamp = KeptGroupReads.Stamp(
                generation: store.shared.roomsGeneration.load(ordering: .sequentiallyConsistent),
                dataVersion: try Int.fetchOne(db.cachedStatement(sql: "PRAGMA data_version")) ?? -1)
            guard let kept = store.shared.keptGroupReads.withLock({ $0[store.scopedHotelId] }), kept.stamp == stamp else {
                return stamp
            }
            (hotel, activeRooms, replica, rooms) = (kept.hotel, kept.activeRooms, kept.replica, kept.rooms)
            store.shared.keptGroupReadsTaken.add(1, ordering: .relaxed)
            return stamp
        }

        /// Keeps what this group read for the next group of the same scope.
        func keep(for store: FrontDeskStore, stamp: KeptGroupReads.Stamp) {
            let kept = KeptGroupReads(stamp: stamp, hotel: hotel, activeRooms: activeRooms, replica: replica, rooms: rooms)
            store.shared.keptGroupReads.withLock { $0[store.scopedHotelId] = kept }
        }

        /// For a group of many bookings: every room of the hotel in one read, instead of one read
        /// a booking (a push of 500 names most of a hotel's rooms; one room read with its type was
        /// 6 % of a pushed booking: callgrind, issue 12). A small group reads the rooms it books.
        func readAllRooms(bookings: Int, of store: FrontDeskStore, _ db: Database) throws {
            guard bookings >= 50 else { return }
            for listing in try store.fetchRooms(db, whereClause: "", arguments: []) { rooms[listing.room.id] = listing }
        }
    }

    /// `confirmedAtDeskBy`: the hold is paid at the desk and confirmed at once, the payment's steps
    /// by that user: the booking is written Confirmed (`writeConfirmedAtOnce`) and returned so,
    /// with what the saga's steps leave (the same audit entries, version, events and payment).
    func reserve(_ request: ReservationRequest, _ db: Database, group: GroupReads? = nil,
                 confirmedAtDeskBy payer: String? = nil) throws -> Booking {
        var form = request.form
        let (requestId, payment, user) = (request.requestId, request.payment, request.user)
        let (givenId, givenCode, agreedPrices) = (request.bookingId, request.confirmationCode, request.agreedPrices)
        let listing: RoomListing?
        if let roomId = request.roomId {
            let found: RoomListing
            if let known = group?.rooms[roomId] {
                // Not written back: the rooms a group begins with are shared with what the previous
                // group kept, and a write would copy all of them (1 % of the lane, session 36).
                found = known
            } else {
                guard let fetched = try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [roomId.storedText]).first else {
                    throw FrontDeskError.notFound("No room with id \(roomId.storedText.lowercased())")
                }
                group?.rooms[roomId] = fetched
                found = fetched
            }
            listing = found
            form.roomNumber = found.room.number
        } else {
            // As typed, then with full-width digits as plain ones (as every other room look-up).
            listing = try fetchRoom(number: form.roomNumber, db)
                ?? (try? Room.validNumber(form.roomNumber)).flatMap { try fetchRoom(number: $0, db) }
        }
        let hotel: Hotel?
        if let known = group?.hotel {
            hotel = known
        } else {
            hotel = try fetchHotel(db)
            group?.hotel = hotel
        }
        let today = businessDate(for: hotel)
        let fingerprint = form.idempotencyFingerprint(payment: request.payment)
        if let requestId, let earlier = try Self.fetchBooking(db, whereClause: "b.request_id = ?",
                                                              arguments: [requestId.storedText.lowercased()]).first {
            let earlierFingerprint = try db.value(String.self, sql: "SELECT request_fingerprint FROM booking WHERE id = ?",
                                                         arguments: [earlier.id.storedText])
            guard earlierFingerprint == fingerprint else {
                throw FrontDeskError.conflict(
                    "Request id \(requestId.storedText.lowercased()) was already used for booking \(earlier.confirmationCode) with different details")
            }
            return earlier
        }
        let replica: Bool
        if let known = group?.replica {
            replica = known
        } else {
            replica = try isReplica(db)
            group?.replica = replica
        }
        if replica && payment.method == .card {
            throw FrontDeskError.invalidState("Card payments need the server; this desk is offline (take the payment at the desk)")
        }
        let request = try BookingRules.validate(form, context: .init(
            businessDate: today, hotelExists: hotel != nil, room: listing.map { ($0.room, $0.type) },
            nightUnderWay: nightUnderWay(for: hotel, today: today, checkIn: form.checkIn)))
        guard let hotel, let listing else { throw FrontDeskError.notFound("Room does not exist") }
        try listing.room.requireInService()
        try requireFreeAfterLapsedHolds(listing.room, stay: request.stay, db)
        try requireNobodyInRoom(listing.room, firstNight: request.stay.checkIn, today: today, db)

        let prices: [NightlyPrice]
        if let agreed = agreedPrices, agreed.map(\.night) == request.stay.nights {
            try pricing.checkAgreedPrices(agreed, basePrice: listing.type.basePricePerNight, typeName: listing.type.name,
                                          stay: request.stay, businessDate: today)
            prices = agreed
        } else {
            let loads = try nightLoads(stay: request.stay, hotelId: hotel.id, group: group, db)
            prices = pricing.nightlyPrices(basePrice: listing.type.basePricePerNight, stay: request.stay,
                                           businessDate: today) { loads[$0] ?? .init(held: 0, active: 0) }
        }
        let instant = now
        let booking = Booking(
            id: givenId ?? UUID.timeOrdered(at: instant), hotelId: hotel.id, roomId: listing.room.id, roomNumber: listing.room.number,
            confirmationCode: try uniqueConfirmationCode(preferring: givenCode, db), guest: request.guest, guestCount: request.guestCount,
            stay: request.stay, status: .reserving, nightlyPrices: prices, version: 1,
            holdExpiresAt: instant.addingTimeInterval(TimeInterval(hotel.holdMinutes * 60)),
            statusReason: nil, createdAt: BookingRules.createdAt(now: instant, pushedMadeAt: ruleInstant), updatedAt: instant)
        var confirmedAtOnce: (paying: Booking, confirmed: Booking)?
        do {
            if payer != nil {
                confirmedAtOnce = try booking.paidAtDeskAndConfirmed(at: instant)
                try writeConfirmedAtOnce(confirmedAtOnce!.confirmed, requestId: requestId, fingerprint: fingerprint, db)
            } else {
                try Self.insert(booking, requestId: requestId, fingerprint: fingerprint, db)
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            // The room-night key caught what the check above could not see.
            throw FrontDeskError.roomUnavailable(Self.unavailableMessage(listing.room, request.stay))
        }
        let heldJSON = booking.renderedJSONUTF8()
        let heldSummary = "Room \(booking.roomNumber) held for \(booking.guest.name), \(booking.stay.checkIn) to \(booking.stay.checkOut)"
        if let payer, let (paying, confirmed) = confirmedAtOnce {
            try startSaga(booking, payment: payment, by: user, queueSteps: false,
                          paymentReference: Self.deskPaymentReference(booking.confirmationCode), db)
            try auditHeldPaidAndConfirmed(held: booking, heldJSON: heldJSON, summary: heldSummary, heldBy: user,
                                          paying: paying, confirmed: confirmed, paidBy: payer, db)
            notify(.bookingConfirmed(confirmed))
        } else {
            try audit(db, user: user, action: "booking.reserved", bookingId: booking.id, roomId: nil,
                      summary: heldSummary, beforeJSON: nil, afterJSON: heldJSON)
            try startSaga(booking, payment: payment, by: user, queueSteps: true, paymentReference: nil, db)
        }
        if replica {
            // Offline on a connected desk: the booking is provisional until the server takes it.
            try enqueue(bookOperation(booking, operationId: requestId ?? UUID.timeOrdered(at: instant), payment: payment.method, by: user),
                        bookingId: booking.id.storedText, db)
        }
        return confirmedAtOnce?.confirmed ?? booking
    }

    static func unavailableMessage(_ room: Room, _ stay: StayDates) -> String {
        "Room \(room.number) is not available from \(stay.checkIn) to \(stay.checkOut): another booking holds it"
    }

    /// `expireLapsedHolds`, then refuses the stay if any of its nights is still claimed. The room's
    /// claims on those nights are nearly always none: then one read answers both.
    private func requireFreeAfterLapsedHolds(_ room: Room, stay: StayDates, _ db: Database) throws {
        let (roomId, checkIn, checkOut) = (room.id.storedText, stay.checkIn.iso, stay.checkOut.iso)
        let claimed = "SELECT 1 FROM room_night WHERE room_id = ? AND night >= ? AND night < ? LIMIT 1"
        if try !db.exists(cached: claimed, roomId, checkIn, checkOut) { return }
        try expireLapsedHolds(roomId: room.id, stay: stay, db)
        if try db.exists(cached: claimed, roomId, checkIn, checkOut) {
            throw FrontDeskError.roomUnavailable(Self.unavailableMessage(room, stay))
        }
    }

    /// Holds whose window has passed no longer keep the room: their bookings fail here, in the
    /// same transaction that wants the nights.
    func expireLapsedHolds(roomId: UUID, stay: StayDates, _ db: Database) throws {
        let lapsed = try db.values(String.self, sql: """
            SELECT DISTINCT booking_id FROM room_night
            WHERE room_id = ? AND night >= ? AND night < ? AND hold_expires_at IS NOT NULL AND hold_expires_at <= ?
            """, arguments: [roomId.storedText, stay.checkIn.iso, stay.checkOut.iso, Timestamp.text(now)])
        for id in lapsed { try failLapsedHold(bookingId: id, db) }
    }

    /// Ends a hold whose window has passed: Failed, "Reservation expired", room released.
    private func failLapsedHold(bookingId: String, _ db: Database) throws {
        try apply(.reservationExpired, to: bookingId, by: "system", db)
    }

    private func uniqueConfirmationCode(preferring given: String? = nil, _ db: Database) throws -> String {
        let taken = "SELECT 1 FROM booking WHERE confirmation_code = ?"
        if let given = given.flatMap(ConfirmationCode.normalized), try !db.exists(cached: taken, given) {
            return given
        }
        while true {
            let code = makeConfirmationCode()
            if try !db.exists(cached: taken, code) {
                return code
            }
        }
    }

    /// Rooms holding each night of `stay` (firm claims and live holds; lapsed holds do not count)
    /// against active rooms.
    func nightLoads(stay: StayDates, hotelId: UUID, group: GroupReads? = nil,
                    _ db: Database) throws -> [CalendarDate: PricingPolicy.NightLoad] {
        let active: Int
        if let known = group?.activeRooms {
            active = known
        } else {
            active = try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM room WHERE hotel_id = ? AND is_active = 1"),
                                      arguments: [hotelId.storedText]) ?? 0
            group?.activeRooms = active
        }
        var loads: [CalendarDate: PricingPolicy.NightLoad] = [:]
        for night in stay.nights { loads[night] = .init(held: 0, active: active) }
        // Firm claims are counted ahead by triggers (night_load); live holds are few and come
        // from a partial index, so neither reads the whole night's claims.
        let sql = """
            SELECT night, firm FROM night_load WHERE hotel_id = ?1 AND night >= ?2 AND night < ?3
            UNION ALL
            SELECT night, COUNT(*) FROM room_night
            WHERE hotel_id = ?1 AND night >= ?2 AND night < ?3 AND hold_expires_at > ?4
            GROUP BY night
            """
        let (hotel, checkIn, checkOut, instant) = (hotelId.storedText, stay.checkIn.iso, stay.checkOut.iso, Timestamp.text(now))
        // Read straight from the statement (a pushed booking reads its nights' loads; GRDB's rows
        // cost more than the query); when a row is not as this store writes them, all are read
        // again below through `StoredRow`, as before, which names a damaged one.
        var damaged = false
        try db.forEachRow(cached: sql, hotel, checkIn, checkOut, instant) { row in
            let count = sqlite3_column_int64(row, 1)
            guard sqlite3_column_type(row, 0) == SQLITE_TEXT, sqlite3_column_type(row, 1) == SQLITE_INTEGER,
                  (0...1_000_000).contains(count), let text = columnText(row, 0) else {
                damaged = true
                return
            }
            if let night = CalendarDate(iso: text) { loads[night]?.held += Int(count) }
        }
        guard damaged else { return loads }
        for night in stay.nights { loads[night] = .init(held: 0, active: active) }
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: [hotel, checkIn, checkOut, instant])
        while let row = try rows.next() {
            let stored = StoredRow(row, table: "night_load", name: "for night \(StoredRow.describe(row[0]))")
            if let night = CalendarDate(iso: try stored.text(0, "night")) {
                loads[night]?.held += try stored.integer(1, "firm", in: 0...1_000_000)
            }
        }
        return loads
    }

    /// `firmClaims`: the nights are claimed with no hold expiry whatever the booking's status
    /// (a hold confirmed in the same transaction: the claims need not be written twice).
    /// `nights`: the nights it holds when not every night of its stay (an imported no-show or
    /// early check-out); nil for the whole stay.
    static func insert(_ booking: Booking, requestId: UUID?, fingerprint: String?, firmClaims: Bool = false,
                       nights: [CalendarDate]? = nil, _ db: Database) throws {
        try db.run(cached: """
            INSERT INTO booking (id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
                                 check_in, check_out, status, total_cents, version, hold_expires_at, status_reason,
                                 request_id, request_fingerprint, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            booking.id.storedText, booking.hotelId.storedText, booking.roomId.storedText, booking.confirmationCode,
            booking.guest.name, booking.guest.email, booking.guest.phone, booking.guestCount,
            booking.stay.checkIn.iso, booking.stay.checkOut.iso, booking.status.rawValue, booking.totalPrice.minorUnits,
            booking.version, booking.holdExpiresAt.map(Timestamp.text), booking.statusReason,
            requestId?.storedText.lowercased(), fingerprint, Timestamp.text(booking.createdAt), Timestamp.text(booking.updatedAt))
        let bookingId = booking.id.storedText
        for price in booking.nightlyPrices {
            try db.run(cached: "INSERT INTO booking_night (booking_id, night, price_cents) VALUES (?, ?, ?)",
                       bookingId, price.night.iso, price.price.minorUnits)
        }
        if booking.status == .failed || booking.status == .cancelled { return }
        let hold = firmClaims ? nil : booking.holdExpiresAt.map(Timestamp.text)
        let (roomId, hotelId) = (booking.roomId.storedText, booking.hotelId.storedText)
        for night in nights ?? booking.stay.nights {
            try db.run(cached: "INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?, ?, ?, ?, ?)",
                       roomId, night.iso, hotelId, bookingId, hold)
        }
    }

    // MARK: Changing a booking

    /// Records a payment taken at the desk for a held booking: the hold becomes a firm booking
    /// at once, without waiting for a runner.
    public func confirm(_ reference: String, by user: String) throws -> Booking {
        let outcome: Result<Booking, FrontDeskError> = try write { db in
            let booking = try requireBooking(reference, db)
            let id = booking.id.storedText
            if booking.status == .reserving || booking.status == .processingPayment, !booking.holdsRoom(at: now) {
                // Committed, then reported: the lapsed hold must end even though confirming fails.
                try failLapsedHold(bookingId: id, db)
                return .failure(.invalidState("Booking \(booking.confirmationCode) expired before it was confirmed"))
            }
            guard booking.status == .reserving || booking.status == .processingPayment else {
                return .failure(.invalidState("Cannot confirm booking \(booking.confirmationCode): it is \(booking.status.rawValue)"))
            }
            // Confirmed here as paid at the desk while its card charge is under way, the guest
            // paid twice: the charge's success is ignored by a Confirmed booking, and a cancel
            // refunds the card only.
            if try paymentMethod(ofBooking: id, db) == .card {
                return .failure(.invalidState("Booking \(booking.confirmationCode) is paid by card: the payment service confirms it"))
            }
            if booking.status == .reserving { try apply(.roomReserved, to: id, by: user, db) }
            try apply(.paymentProcessed(reference: Self.deskPaymentReference(booking.confirmationCode)), to: id, by: user, db)
            return .success(try requireBooking(id, db))
        }
        return try outcome.get()
    }

    /// Cancels through the saga: a hold is released, a paid booking refunded and released; a
    /// checked-in, checked-out, failed or cancelled booking is refused with the reason.
    public func cancel(_ reference: String, reason: String?, expectedVersion: Int? = nil, by user: String,
                       via channel: Channel = .desk) throws -> Booking {
        try cancel(reference, reason: reason, expectedVersion: expectedVersion, by: user, via: channel, operationId: nil)
    }

    /// On a connected desk (a replica) the cancel is also queued for the server, as `operationId`
    /// (a new id when nil), in the same transaction. (The same for check-in and check-out.)
    public func cancel(_ reference: String, reason: String?, expectedVersion: Int? = nil, by user: String,
                       via channel: Channel = .desk, operationId: UUID?) throws -> Booking {
        try cancel(reference, reason: reason, ChangeRequest(expectedVersion: expectedVersion, user: user, channel: channel),
                   operationId: operationId)
    }

    /// `cancel` inside the caller's transaction (a sync push applies many operations in one).
    func cancel(_ reference: String, reason: String, expectedVersion: Int?, by user: String, _ db: Database) throws -> Booking {
        let booking = try requireBooking(reference, db)
        if let expectedVersion, expectedVersion != booking.version {
            throw FrontDeskError.staleVersion(
                "Booking \(booking.confirmationCode) was changed meanwhile (version \(booking.version), you saw \(expectedVersion)); look again")
        }
        let hotel = try requireHotel(db)
        let today = businessDate(for: hotel)
        try booking.requireCancellable(businessDate: today, nightUnderWay: nightUnderWay(for: hotel, today: today))
        let id = booking.id.storedText
        guard case .transition = try apply(.bookingCancellationRequested(reason: reason), to: id, by: user, db) else {
            var probe = booking
            try probe.cancel(reason: reason, at: now) // throws the desk's wording for this status
            throw FrontDeskError.invalidState("Booking \(booking.confirmationCode) cannot be cancelled")
        }
        try refundAtTheDeskNow(bookingId: id, db)
        return try requireBooking(id, db)
    }

    /// How the booking's saga is paid (`saga.payment_method`); nil when it has no saga here (a
    /// booking a connected desk pulled from the server).
    func paymentMethod(ofBooking id: String, _ db: Database) throws -> PaymentMethod? {
        try db.value(String.self, sql: "SELECT payment_method FROM saga WHERE booking_id = ?", arguments: [id]).flatMap(PaymentMethod.init(rawValue:))
    }

    /// A desk refund's words (`SagaCallOutcome.deskRefundSummary`): what the desk pays back, the
    /// booking's total. A booking not found: the words without an amount.
    func deskRefundSummary(bookingId: String, _ db: Database) throws -> String {
        guard let row = try db.row(sql: """
            SELECT b.total_cents, h.currency FROM booking b JOIN hotel h ON h.id = b.hotel_id WHERE b.id = ?
            """, arguments: [bookingId]) else { return "payment refunded (desk-refund)" }
        let stored = StoredRow(row, table: "booking", name: bookingId)
        return SagaCallOutcome.deskRefundSummary(amount: try stored.money(0, "total_cents"), currency: try stored.text(1, "currency"))
    }

    /// Money taken at the desk goes back at the desk, while the guest is there: no runner needed.
    func refundAtTheDeskNow(bookingId: String, _ db: Database) throws {
        let recorded = try paymentMethod(ofBooking: bookingId, db)
        let connected = try isReplica(db)
        if recorded == nil, try connected
            || db.value(Int.self, sql: "SELECT 1 FROM booking WHERE id = ? AND server_version IS NOT NULL", arguments: [bookingId]) != nil {
            // A booking the server made, pulled here without its saga (on a connected desk, or
            // one disconnected since): how it was paid (a card, maybe) and so how it is paid back
            // is the server's to know, and it refunds it when the queued cancel reaches it. Recorded here as a desk refund, the guest could be
            // paid back twice: at the desk, and on the card.
            try db.run(sql: "DELETE FROM saga_message WHERE booking_id = ? AND name = 'ProcessRefund'", arguments: [bookingId])
            let refundWasDue = db.changesCount > 0
            let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
            if !connected {
                // Disconnected, nothing will reach the server until the desk connects again: the
                // booking's history says where its refund stands, so nobody takes it as made.
                try audit(db, user: "system", action: "booking.refundAwaitsServer", bookingId: Identifier.uuid(bookingId),
                          summary: "Booking \(code): not refunded at this desk; the server pays back what it took once this desk connects again and sends the cancel")
            } else if refundWasDue {
                // Connected, the receptionist still has to know whether money goes over the
                // counter: this desk does not know how the server's booking was paid (the
                // server's own audit line says), so it says both ways, with the amount.
                let total = try db.row(sql: """
                    SELECT b.total_cents, h.currency FROM booking b JOIN hotel h ON h.id = b.hotel_id WHERE b.id = ?
                    """, arguments: [bookingId]).map { row in
                        let stored = StoredRow(row, table: "booking", name: bookingId)
                        return " (\(try stored.money(0, "total_cents").plain) \(try stored.text(1, "currency")))"
                    } ?? ""
                try audit(db, user: "system", action: "booking.refundAwaitsServer", bookingId: Identifier.uuid(bookingId),
                          summary: "Booking \(code): the server pays back what it took once it has this cancel: a card payment goes "
                              + "back to the card; what was paid at a desk\(total) is to be paid back at the desk")
            }
            return
        }
        guard (recorded ?? .desk) == .desk else {
            try sayCardRefundQueued(bookingId: bookingId, db)
            return
        }
        let refunds = try db.values(Int64.self, sql: "SELECT id FROM saga_message WHERE booking_id = ? AND name = 'ProcessRefund'",
                                         arguments: [bookingId])
        for id in refunds {
            try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [id])
            try recordRefund(bookingId: bookingId, reference: "desk-refund", db, summary: try deskRefundSummary(bookingId: bookingId, db))
        }
    }

    /// A card's refund is the runner's call, made when the payment service answers (maybe much
    /// later): the cancel says at once what goes back to the card and what the desk repays, so a
    /// receptionist can tell the guest (and a connected desk hears it in the push's answer).
    func sayCardRefundQueued(bookingId: String, _ db: Database) throws {
        guard let row = try db.row(sql: """
            SELECT b.confirmation_code, s.charged_cents, \(Self.cardCallAmountSQL), \(Self.cardCallPaidAtDeskSQL), h.currency
            FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id JOIN booking b ON b.id = m.booking_id
            JOIN hotel h ON h.id = b.hotel_id
            WHERE m.booking_id = ? AND m.name = 'ProcessRefund' LIMIT 1
            """, arguments: [bookingId]) else { return }
        let stored = StoredRow(row, table: "saga", name: bookingId)
        let charged = (row[1] as Int64?) != nil
        let code = try stored.text(0, "confirmation_code")
        try audit(db, user: "system", action: "booking.refundQueued", bookingId: Identifier.uuid(bookingId),
                  summary: SagaCallOutcome.cardRefundQueuedSummary(code, amount: charged ? try stored.money(2, "total_cents") : nil,
                                                                   currency: try stored.text(4, "currency"),
                                                                   paidAtDesk: charged ? try stored.money(3, "total_cents") : .zero))
    }

    public func checkIn(_ reference: String, expectedVersion: Int? = nil, by user: String) throws -> Booking {
        try checkIn(reference, expectedVersion: expectedVersion, by: user, operationId: nil)
    }

    public func checkIn(_ reference: String, expectedVersion: Int? = nil, by user: String, operationId: UUID?) throws -> Booking {
        try checkIn(reference, ChangeRequest(expectedVersion: expectedVersion, user: user), operationId: operationId)
    }

    func checkIn(_ reference: String, expectedVersion: Int?, by user: String, _ db: Database) throws -> Booking {
        let hotel = try fetchHotel(db)
        let today = businessDate(for: hotel)
        return try change(reference: reference, expectedVersion: expectedVersion, action: "booking.checkedIn", by: user, db) { booking in
            try booking.checkIn(businessDate: today, at: now, nightUnderWay: nightOfArrival(for: booking, hotel, today: today))
            try requireRoomInService(toCheckIn: booking, db)
            try requireRoomNotOccupied(for: booking, db)
            return "\(booking.guest.name) checked in to room \(booking.roomNumber)"
        }
    }

    /// Refuses to check `booking`'s guest in to a room out of service (taken out after the
    /// booking was made), as an undone check-out is refused there: the booking moves first.
    func requireRoomInService(toCheckIn booking: Booking, _ db: Database) throws {
        guard let listing = try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [booking.roomId.uuidString]).first else { return }
        try listing.room.requireInService(toCheckIn: booking.confirmationCode)
    }

    /// Refuses to put `booking`'s guest in its room while another guest is checked in there (one
    /// who stayed past departure: nights cannot overlap). A check-in and an undone check-out ask.
    func requireRoomNotOccupied(for booking: Booking, returning: Bool = false, _ db: Database) throws {
        if let other = try db.row(sql: """
            SELECT guest_name, confirmation_code, check_out FROM booking
            WHERE status = 'CheckedIn' AND room_id = ? AND id <> ? LIMIT 1
            """, arguments: [booking.roomId.storedText, booking.id.storedText]) {
            throw booking.roomStillOccupied(by: other[0], confirmationCode: other[1], dueOut: CalendarDate(iso: other[2]) ?? booking.stay.checkIn,
                                            returning: returning)
        }
    }

    public func checkOut(_ reference: String, expectedVersion: Int? = nil, by user: String) throws -> Booking {
        try checkOut(reference, expectedVersion: expectedVersion, by: user, operationId: nil)
    }

    public func checkOut(_ reference: String, expectedVersion: Int? = nil, by user: String, operationId: UUID?) throws -> Booking {
        try checkOut(reference, ChangeRequest(expectedVersion: expectedVersion, user: user), operationId: operationId)
    }

    func checkOut(_ reference: String, expectedVersion: Int?, by user: String, _ db: Database) throws -> Booking {
        let today = businessDate(for: try fetchHotel(db))
        var freed: [CalendarDate] = []
        let booking = try change(reference: reference, expectedVersion: expectedVersion, action: "booking.checkedOut", by: user, db) { booking in
            freed = try booking.checkOut(businessDate: today, at: now)
            return ChangeWording.checkedOut(booking, freed: freed)
        }
        if let first = freed.first {
            try db.run(sql: "DELETE FROM room_night WHERE booking_id = ? AND night >= ?",
                           arguments: [booking.id.storedText, first.iso])
        }
        return booking
    }

    func change(reference: String, expectedVersion: Int?, action: String, by user: String, _ db: Database,
                        _ transition: (inout Booking) throws -> String) throws -> Booking {
        let booking = try requireBooking(reference, db)
        if let expectedVersion, expectedVersion != booking.version {
            throw FrontDeskError.staleVersion(
                "Booking \(booking.confirmationCode) was changed meanwhile (version \(booking.version), you saw \(expectedVersion)); look again")
        }
        return try change(bookingId: booking.id.storedText, action: action, by: user, db, transition)
    }

    /// Loads, applies one domain transition, writes it back guarded by the version it read, audits.
    @discardableResult
    /// `loaded`: the booking as the caller just read it in this transaction, to save reading it again.
    func change(bookingId: String, loaded: Booking? = nil, action: String, by user: String, _ db: Database,
                _ transition: (inout Booking) throws -> String) throws -> Booking {
        guard let before = try loaded ?? Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else {
            throw FrontDeskError.notFound("Booking \(bookingId) does not exist")
        }
        var after = before
        let summary = try transition(&after)
        try Self.writeBack(after, over: before, db)
        if before.holdExpiresAt != nil && after.holdExpiresAt == nil {
            // The hold becomes firm (or ends; the release trigger deletes the nights of an ended booking).
            try db.run(sql: "UPDATE room_night SET hold_expires_at = NULL WHERE booking_id = ?", arguments: [bookingId])
        }
        try audit(db, user: user, action: action, bookingId: after.id, roomId: after.roomId, summary: summary,
                  before: before, after: after)
        return after
    }

    /// Writes a changed booking's row, guarded by the version it was read at.
    static func writeBack(_ after: Booking, over before: Booking, _ db: Database) throws {
        if after.guest == before.guest && after.guestCount == before.guestCount && after.stay == before.stay
            && after.roomId == before.roomId && after.totalPrice == before.totalPrice && after.roomSince == before.roomSince {
            // Status changes (the saga, check-in and out) touch only these columns.
            try db.cachedStatement(sql: """
                UPDATE booking SET status = ?, version = ?, hold_expires_at = ?, status_reason = ?, updated_at = ?,
                                   checked_in_on = ?, checked_out_on = ?
                WHERE id = ? AND version = ?
                """).execute(arguments: [after.status.rawValue, after.version, after.holdExpiresAt.map(Timestamp.text), after.statusReason,
                                         Timestamp.text(after.updatedAt), after.checkedInOn?.iso, after.checkedOutOn?.iso,
                                         after.id.storedText, before.version])
        } else {
            try db.cachedStatement(sql: """
                UPDATE booking SET status = ?, version = ?, hold_expires_at = ?, status_reason = ?, updated_at = ?,
                                   checked_in_on = ?, checked_out_on = ?, guest_name = ?, guest_email = ?, guest_phone = ?,
                                   guest_count = ?, check_in = ?, check_out = ?, room_id = ?, total_cents = ?, room_since = ?
                WHERE id = ? AND version = ?
                """).execute(arguments: [after.status.rawValue, after.version, after.holdExpiresAt.map(Timestamp.text), after.statusReason,
                                         Timestamp.text(after.updatedAt), after.checkedInOn?.iso, after.checkedOutOn?.iso,
                                         after.guest.name, after.guest.email, after.guest.phone, after.guestCount,
                                         after.stay.checkIn.iso, after.stay.checkOut.iso, after.roomId.storedText,
                                         after.totalPrice.minorUnits, after.roomSince?.iso, after.id.storedText, before.version])
        }
        guard db.changesCount == 1 else {
            throw FrontDeskError.conflict("Booking \(before.confirmationCode) was changed meanwhile; look again")
        }
    }

    // MARK: Finding bookings

    /// By booking id (UUID) or confirmation code (`K7M-4QX`, `k7m4qx`).
    public func booking(_ reference: String) throws -> Booking {
        try read { db in try requireBooking(reference, db) }
    }

    func requireBooking(_ reference: String, _ db: Database) throws -> Booking {
        let trimmed = reference.trimmingWhitespace()
        try BookingRules.checkReference(trimmed)
        var found: Booking?
        let scope = hotelCondition("b.hotel_id")
        if let id = UUID(uuidString: trimmed) {
            found = try Self.fetchBooking(db, whereClause: "b.id = ?" + scope.sql, arguments: [id.storedText] + scope.arguments).first
        } else if let code = ConfirmationCode.normalized(trimmed) {
            found = try Self.fetchBooking(db, whereClause: "b.confirmation_code = ?" + scope.sql, arguments: [code] + scope.arguments).first
        }
        guard let found else {
            throw FrontDeskError.notFound("No booking with id or confirmation code \(BookingRules.quoted(trimmed))")
        }
        return found
    }

    public func bookings(_ filter: BookingFilter) throws -> [Booking] { try findBookings(filter).bookings }

    /// The bookings matching the filter, current and future stays first (today's arrivals, then
    /// guests in house, then upcoming stays by arrival), then past stays, newest first; with the
    /// number that matched in all, so a list cut by the limit can say so.
    public func findBookings(_ filter: BookingFilter) throws -> BookingMatches {
        if let problem = filter.guestTextProblem { throw FrontDeskError.validationFailed([problem]) }
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let scopedHotelId {
            conditions.append("b.hotel_id = ?")
            arguments += [scopedHotelId]
        }
        if let to = filter.to {
            conditions.append("b.check_in <= ?")
            arguments += [to.iso]
        }
        if let from = filter.from {
            // No stay is longer than the maximum, so arrivals before that window cannot reach `from`;
            // the bound lets the check-in index answer instead of a scan of all history.
            conditions.append("b.check_out >= ? AND b.check_in >= ?")
            arguments += [from.iso, from.adding(days: -BookingRules.maximumNights - 1).iso]
        }
        if let status = filter.status {
            conditions.append("b.status = ?")
            arguments += [status.rawValue]
        }
        if let text = filter.guestText?.trimmingWhitespace(), !text.isEmpty {
            let pattern = "%" + text.lowercased().replacingOccurrences(of: "\\", with: "\\\\")
                .replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
            // A needle of ASCII only is found the same with SQLite's ASCII folding (and faster);
            // others fold every script (`frontdesk_lower`), as PostgreSQL does.
            let lower = text.allSatisfy(\.isASCII) ? "lower" : "frontdesk_lower"
            if let digits = PhoneDigits.of(searchText: text) {
                // A phone number however it was typed or stored: its digits only.
                conditions.append("(\(lower)(b.guest_name) LIKE ? ESCAPE '\\' OR \(lower)(b.guest_email) LIKE ? ESCAPE '\\' OR b.confirmation_code LIKE ?"
                                  + " OR \(Self.phoneDigitsSQL) LIKE ?)")
                arguments += [pattern, pattern, ConfirmationCode.startPattern(text) ?? "", "%" + digits + "%"]
            } else {
                conditions.append("(\(lower)(b.guest_name) LIKE ? ESCAPE '\\' OR \(lower)(b.guest_email) LIKE ? ESCAPE '\\' OR b.confirmation_code LIKE ?)")
                arguments += [pattern, pattern, ConfirmationCode.startPattern(text) ?? ""]
            }
        }
        let matching = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        return try read { db in
            let today = businessDate(for: try fetchHotel(db)).iso
            // A stay is current while it has not ended and its guest has not left, or while its
            // guest is still in the house.
            let current = "((b.check_out >= ? AND b.status <> 'CheckedOut') OR b.status = 'CheckedIn')"
            // Two queries, each answered in index order with its own limit, rather than one sort of
            // every match: the past is only read for what the current stays leave of the limit.
            var clause = "\(matching) AND \(current)"
                + " ORDER BY CASE WHEN b.check_in = ? THEN 0 WHEN b.check_in < ? THEN 1 ELSE 2 END,"
                + " b.check_in, length(r.number), r.number, b.created_at"
            var currentArguments = arguments + [today, today, today]
            if let limit = filter.limit {
                clause += " LIMIT ?"
                currentArguments += [limit]
            }
            var found = try Self.fetchBooking(db, whereClause: clause, arguments: currentArguments)
            let room = filter.limit.map { $0 - found.count }
            if room.map({ $0 > 0 }) ?? true {
                var pastClause = "\(matching) AND NOT \(current)"
                    + " ORDER BY b.check_in DESC, b.check_out DESC, length(r.number), r.number, b.created_at DESC"
                var pastArguments = arguments + [today]
                if let room {
                    pastClause += " LIMIT ?"
                    pastArguments += [room]
                }
                found += try Self.fetchBooking(db, whereClause: pastClause, arguments: pastArguments)
            }
            var total = found.count
            if let limit = filter.limit, found.count >= limit {
                total = try Int.fetchOne(db, sql: "SELECT count(*) FROM booking b WHERE \(matching)", arguments: arguments) ?? total
            }
            return BookingMatches(bookings: found, total: total)
        }
    }

    /// The digits of the stored phone number (the rules allow only digits, spaces and `+ - ( ) .`).
    static let phoneDigitsSQL = """
        replace(replace(replace(replace(replace(replace(COALESCE(b.guest_phone, ''), ' ', ''), '+', ''), '-', ''), '(', ''), ')', ''), '.', '')
        """

    static func fetchBooking(_ db: Database, whereClause: String, arguments: StatementArguments) throws -> [Booking] {
        let rows = try db.rows(sql: """
            SELECT b.id, b.hotel_id, b.room_id, r.number, b.confirmation_code, b.guest_name, b.guest_email, b.guest_phone,
                   b.guest_count, b.check_in, b.check_out, b.status, b.version, b.hold_expires_at, b.status_reason,
                   b.created_at, b.updated_at,
                   (SELECT group_concat(n.night || '=' || n.price_cents, ',') FROM booking_night n WHERE n.booking_id = b.id),
                   b.rowid, b.checked_in_on, b.checked_out_on, b.room_since,
                   (SELECT group_concat(t.at || char(31) || t.by_user || char(31) || t.text, char(30))
                    FROM (SELECT at, by_user, text FROM booking_note WHERE booking_id = b.id ORDER BY seq) t)
            FROM booking b JOIN room r ON r.id = b.room_id
            WHERE \(whereClause)
            """, arguments: arguments)
        return try rows.map(booking(from:))
    }

    /// A booking as stored; a value the store could not have written is reported by table, row
    /// and column (`StoreError.damagedRow`), never trusted or trapped on.
    static func booking(from row: Row) throws(StoreError) -> Booking {
        let stored = StoredRow(row, table: "booking", rowid: 18)
        var prices: [NightlyPrice] = []
        let nights = try stored.optionalText(17, "booking_night") ?? ""
        for pair in nights.isEmpty ? [] : nights.split(separator: ",", omittingEmptySubsequences: false) {
            // Each pair is `night=price_cents` of one booking_night row.
            let nightRow = StoredRow(row, table: "booking_night", name: "of booking \(stored.name)")
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let night = CalendarDate(iso: parts[0]) else {
                throw nightRow.damaged("night", "\(StoredRow.quoted(parts[0])) is not a date")
            }
            guard parts.count == 2, let cents = Int64(parts[1]), (0...StoredRow.largestCents).contains(cents) else {
                throw nightRow.damaged("price_cents", "\(StoredRow.quoted(parts.count == 2 ? parts[1] : "")) of night \(night) is not an amount in cents")
            }
            prices.append(NightlyPrice(night: night, price: Money(minorUnits: cents)))
        }
        prices.sort { $0.night < $1.night }
        let checkIn = try stored.date(9, "check_in"), checkOut = try stored.date(10, "check_out")
        guard let stay = StayDates(checkIn: checkIn, checkOut: checkOut) else {
            throw stored.damaged("check_out", "\(checkOut) is not after check_in \(checkIn)")
        }
        func optionalDate(_ index: Int, _ column: String) throws(StoreError) -> CalendarDate? {
            guard let text = try stored.optionalText(index, column) else { return nil }
            guard let date = CalendarDate(iso: text) else { throw stored.damaged(column, "\(StoredRow.quoted(text)) is not a date") }
            return date
        }
        var notes: [BookingNote] = []
        for entry in (try stored.optionalText(22, "booking_note")).map({ $0.split(separator: "\u{1E}").map(String.init) }) ?? [] {
            let parts = entry.split(separator: "\u{1F}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let at = Timestamp.date(parts[0]) else {
                throw StoredRow(row, table: "booking_note", name: "of booking \(stored.name)").damaged("at", "\(StoredRow.quoted(entry)) is not a note")
            }
            notes.append(BookingNote(at: at, by: parts[1], text: parts[2]))
        }
        return Booking(
            id: try stored.id(0, "id"), hotelId: try stored.id(1, "hotel_id"), roomId: try stored.id(2, "room_id"),
            roomNumber: try stored.text(3, "room number"), confirmationCode: try stored.text(4, "confirmation_code"),
            guest: Guest(name: try stored.text(5, "guest_name"), email: try stored.text(6, "guest_email"),
                         phone: try stored.optionalText(7, "guest_phone")),
            guestCount: try stored.integer(8, "guest_count", in: 1...10),
            stay: stay, status: try stored.status(11, "status"), nightlyPrices: prices,
            version: try stored.integer(12, "version", in: 1...Int64(Int32.max)),
            holdExpiresAt: try stored.optionalInstant(13, "hold_expires_at"), statusReason: try stored.optionalText(14, "status_reason"),
            createdAt: try stored.instant(15, "created_at"), updatedAt: try stored.instant(16, "updated_at"), notes: notes,
            checkedInOn: try optionalDate(19, "checked_in_on"), checkedOutOn: try optionalDate(20, "checked_out_on"),
            roomSince: try optionalDate(21, "room_since"))
    }
}

/// What one group of bookings read alike, kept for the next (`FrontDeskStore.GroupReads.takeKept`).
struct KeptGroupReads: Sendable {
    /// When it was read: the store's `roomsGeneration` and the writer's `PRAGMA data_version`.
    struct Stamp: Equatable, Sendable {
        let generation: Int
        let dataVersion: Int
    }
    let stamp: Stamp
    let hotel: Hotel?
    let activeRooms: Int?
    let replica: Bool?
    let rooms: [UUID: RoomListing]
}
