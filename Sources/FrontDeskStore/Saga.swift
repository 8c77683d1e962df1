import Foundation
import FrontDeskDomain
import GRDB

/// What the saga tells subscribers in the same process, after the change is committed.
public enum SagaNotification: Sendable {
    case bookingConfirmed(Booking)
    case bookingFailed(Booking)
    case bookingCancelled(Booking)
    /// A room was taken or freed for these nights.
    case roomAvailabilityChanged(hotelId: UUID, roomId: UUID, stay: StayDates)

    /// The hotel whose booking or room it is.
    public var hotelId: UUID {
        switch self {
        case .bookingConfirmed(let booking), .bookingFailed(let booking), .bookingCancelled(let booking): booking.hotelId
        case .roomAvailabilityChanged(let hotelId, _, _): hotelId
        }
    }
}

/// A booking with its workflow: how it is paid and what is still to be done.
public struct SagaInstance: Sendable {
    public let booking: Booking
    public let paymentMethod: PaymentMethod
    public let paymentReference: String?
    public let refundReference: String?
    public let pendingMessages: [PendingMessage]
    /// Set when the saga stopped retrying and a person must look (a refund the payment service refuses).
    public let attention: String?

    public init(booking: Booking, paymentMethod: PaymentMethod, paymentReference: String?, refundReference: String?,
                pendingMessages: [PendingMessage], attention: String?) {
        self.booking = booking
        self.paymentMethod = paymentMethod
        self.paymentReference = paymentReference
        self.refundReference = refundReference
        self.pendingMessages = pendingMessages
        self.attention = attention
    }

    /// A charge was sent (or may have been) and its outcome is not known yet.
    public var paymentInDoubt: Bool {
        pendingMessages.contains { $0.name == "ProcessPayment" && ($0.attempts > 0 || $0.claimedBy != nil) }
    }
}

public struct PendingMessage: Sendable {
    public let name: String
    public let availableAt: Date
    public let attempts: Int
    public let claimedBy: String?
    public let lastError: String?

    public init(name: String, availableAt: Date, attempts: Int, claimedBy: String?, lastError: String?) {
        self.name = name
        self.availableAt = availableAt
        self.attempts = attempts
        self.claimedBy = claimedBy
        self.lastError = lastError
    }
}

extension FrontDeskStore {
    // MARK: Subscribing

    /// Calls `handler` (on the committing thread) after every committed saga change.
    /// Keep the returned token: dropping it does not unsubscribe, `unsubscribe` does.
    @discardableResult
    public func subscribe(_ handler: @escaping @Sendable (SagaNotification) -> Void) -> UUID {
        let token = UUID()
        shared.subscribers.withLock { $0[token] = handler }
        return token
    }

    public func unsubscribe(_ token: UUID) {
        _ = shared.subscribers.withLock { $0.removeValue(forKey: token) }
    }

    func publish(_ notifications: [SagaNotification]) {
        guard !notifications.isEmpty else { return }
        let handlers = shared.subscribers.withLock { Array($0.values) }
        for notification in notifications { for handler in handlers { handler(notification) } }
    }

    /// A runner has work only where a saga message was queued: a group of desk-paid bookings,
    /// confirmed in their own transaction, queues none, and its commit wakes no runner (each
    /// wake-up cost a read transaction that found nothing: 4.7 % of the server's CPU under
    /// `POST /api/bookings`, issue 11). The runner still polls for messages that come due later.
    func wakeSagaRunners() {
        let wakes = shared.sagaWorkSubscribers.withLock { Array($0.values) }
        for wake in wakes { wake() }
    }

    func notify(_ notification: SagaNotification) {
        shared.pendingNotifications.withLock { $0.append(notification) }
    }

    // MARK: Starting and steering a saga

    /// Called in the transaction that created `booking` with its hold: the saga starts, the
    /// expiry is scheduled and RoomReserved is queued for the runner.
    ///
    /// `queueSteps: false` is for a caller that confirms the booking in the same transaction
    /// (`reserve(confirmedAtDeskBy:)`): the expiry and RoomReserved it would queue would be
    /// deleted again before the commit, so they are not written.
    /// `paymentReference`: the payment was taken in this transaction (at the desk): recorded at
    /// once, and no card number is kept.
    func startSaga(_ booking: Booking, payment: PaymentInstruction, by user: String, queueSteps: Bool = true,
                   paymentReference: String? = nil, _ db: Database) throws {
        try db.run(cached: """
            INSERT INTO saga (booking_id, payment_method, card_number, payment_reference, started_at) VALUES (?, ?, ?, ?, ?)
            """, booking.id.storedText, payment.method.rawValue, paymentReference == nil ? payment.cardNumber : nil,
            paymentReference, Timestamp.text(now))
        if queueSteps {
            try apply(.bookingRequested, to: booking.id.storedText, by: user, loaded: booking, db)
            // ReserveRoom was carried out by the caller: the hold is in this same transaction.
            try enqueue("RoomReserved", for: booking.id.storedText, at: now, db)
        }
        notify(.roomAvailabilityChanged(hotelId: booking.hotelId, roomId: booking.roomId, stay: booking.stay))
    }

    /// A booking held before and handed to the runner (`takeDeskPayment`), paid at the desk,
    /// taken to Confirmed at once: the same steps, audit entries, version and events as
    /// `apply(.roomReserved, payAtDesk: true)` (Reserving -> ProcessingPayment -> Confirmed, the
    /// payment `desk-CODE`), written as one update of the booking instead of two, with no
    /// message queued and deleted on the way. (A hold made and paid in one transaction is written
    /// Confirmed at once instead: `reserve(confirmedAtDeskBy:)`.)
    func confirmPaidAtDesk(_ held: Booking, by user: String, _ db: Database) throws -> Booking {
        let (paying, confirmed) = try held.paidAtDeskAndConfirmed(at: now)
        let id = held.id.storedText
        try Self.writeBack(confirmed, over: held, db)
        try db.run(sql: "UPDATE room_night SET hold_expires_at = NULL WHERE booking_id = ?", arguments: [id])
        try db.run(sql: "UPDATE saga SET payment_reference = ?, card_number = NULL WHERE booking_id = ?",
                   arguments: [Self.deskPaymentReference(confirmed.confirmationCode), id])
        try auditDeskPayment(held: held, heldJSON: held.renderedJSONUTF8(), paying: paying, confirmed: confirmed, by: user, db)
        notify(.bookingConfirmed(confirmed))
        return confirmed
    }

    /// The audit entries of a desk payment's two steps: Reserving -> ProcessingPayment -> Confirmed.
    func auditDeskPayment(held: Booking, heldJSON: [UInt8], paying: Booking, confirmed: Booking, by user: String,
                          _ db: Database) throws {
        let payingJSON = paying.renderedJSONUTF8()
        let summaries = Self.deskPaymentSummaries(held.confirmationCode)
        try audit(db, user: user, action: BookingSaga.auditAction(.processingPayment, .roomReserved), bookingId: held.id, roomId: held.roomId,
                  summary: summaries.paying, beforeJSON: heldJSON, afterJSON: payingJSON)
        try audit(db, user: user, action: BookingSaga.auditAction(.confirmed, .paymentProcessed(reference: "")), bookingId: held.id,
                  roomId: held.roomId, summary: summaries.confirmed, beforeJSON: payingJSON,
                  afterJSON: confirmed.renderedJSONUTF8())
    }

    /// The summaries of a desk payment's two audit entries (`auditDeskPayment`, `auditHeldPaidAndConfirmed`).
    static func deskPaymentSummaries(_ code: String) -> (paying: String, confirmed: String) {
        ("Taking payment for booking \(code)", "Booking \(code) confirmed")
    }

    /// The three audit entries of a hold made, paid at the desk and confirmed in one transaction
    /// (`reserve(confirmedAtDeskBy:)`): those of `audit` "booking.reserved" and `auditDeskPayment`,
    /// in that order, written by one statement instead of three (each single insert also read and
    /// wrote the audit table's AUTOINCREMENT counter: the audit was 8 % of the booking lane,
    /// perf, issue 11, session 36).
    func auditHeldPaidAndConfirmed(held: Booking, heldJSON: [UInt8], summary: String, heldBy user: String,
                                   paying: Booking, confirmed: Booking, paidBy payer: String, _ db: Database) throws {
        let payingJSON = paying.renderedJSONUTF8()
        let (bookingId, roomId) = (held.id.storedText, held.roomId.storedText)
        let summaries = Self.deskPaymentSummaries(held.confirmationCode)
        // One instant each, read in the order the three entries were written one by one.
        let (heldAt, payingAt, confirmedAt) = (Timestamp.text(now), Timestamp.text(now), Timestamp.text(now))
        try db.run(cached: """
            INSERT INTO audit_entry (at, user, action, booking_id, room_id, summary, before_state, after_state)
            VALUES (?, ?, 'booking.reserved', ?, NULL, ?, NULL, ?), (?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?)
            """,
            heldAt, user, bookingId, summary, heldJSON,
            payingAt, payer, BookingSaga.auditAction(.processingPayment, .roomReserved), bookingId, roomId,
            summaries.paying, heldJSON, payingJSON,
            confirmedAt, payer, BookingSaga.auditAction(.confirmed, .paymentProcessed(reference: "")), bookingId, roomId,
            summaries.confirmed, payingJSON, confirmed.renderedJSONUTF8())
    }

    /// A hold paid at the desk and confirmed in the transaction that makes it, written as one
    /// insert of the confirmed row, its nights claimed firm, instead of an insert and an update
    /// (the update, with its index changes and triggers, was an eighth of a pushed booking:
    /// callgrind, issue 12). The change feed gets the two events its triggers write for the hold
    /// (`Schema.v6` `feed_room_held`) and the confirmation (`Schema.v13` `feed_booking_outcome`),
    /// made by the same SQL functions from the same columns; `OneUpdateConfirmationTests` holds
    /// the file to what the saga's steps leave.
    func writeConfirmedAtOnce(_ confirmed: Booking, requestId: UUID?, fingerprint: String?, _ db: Database) throws {
        try Self.insert(confirmed, requestId: requestId, fingerprint: fingerprint, firmClaims: true, db)
        let (hotelId, bookingId, roomId) = (confirmed.hotelId.storedText, confirmed.id.storedText, confirmed.roomId.storedText)
        let (checkIn, checkOut) = (confirmed.stay.checkIn.iso, confirmed.stay.checkOut.iso)
        try db.run(cached: """
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = ?1), 'RoomAvailabilityChanged', ?2, ?3,
                    json_object('roomId', lower(?3), 'bookingId', lower(?2), 'checkIn', ?4, 'checkOut', ?5, 'available', json('false')),
                    ?6)
            """, hotelId, bookingId, roomId, checkIn, checkOut, Timestamp.text(confirmed.createdAt))
        try db.run(cached: """
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = ?1), 'BookingConfirmed', ?2, ?3,
                    json_object('bookingId', lower(?2), 'confirmation', ?7, 'roomId', lower(?3), 'status', 'Confirmed',
                                'checkIn', ?4, 'checkOut', ?5, 'version', ?8, 'reason', NULL),
                    ?6)
            """, hotelId, bookingId, roomId, checkIn, checkOut, Timestamp.text(confirmed.updatedAt),
            confirmed.confirmationCode, confirmed.version)
    }

    /// The payment reference of a booking paid at the desk, wherever the payment is recorded
    /// (the runner's step, a queued ProcessPayment, a payment taken at check-in).
    public static func deskPaymentReference(_ confirmationCode: String) -> String { "desk-\(confirmationCode)" }

    /// The one way a saga moves: decide, persist the new status, carry out the commands.
    /// A deadline that has passed is applied first, whatever the event.
    /// - Parameters:
    ///   - loaded: the booking as the caller has it in this transaction (just written or read),
    ///     to save reading it again.
    ///   - payAtDesk: the saga is paid at the desk and the runner carries it: its ProcessPayment
    ///     is carried out at once, in this transaction (PaymentProcessed `desk-CODE`), instead of
    ///     being queued for the runner's next pass. The booking still goes through
    ///     ProcessingPayment, with its audit entry, on its way to Confirmed.
    @discardableResult
    func apply(_ event: BookingSaga.Event, to bookingId: String, by user: String, loaded: Booking? = nil,
               payAtDesk: Bool = false, _ db: Database) throws -> BookingSaga.Decision {
        guard let booking = try loaded ?? Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else {
            throw FrontDeskError.notFound("Booking \(bookingId) does not exist")
        }
        if BookingSaga.deadlineComesFirst(booking, before: event, at: now) {
            try apply(.reservationExpired, to: bookingId, by: "system", loaded: booking, db)
            return try apply(event, to: bookingId, by: user, payAtDesk: payAtDesk, db)
        }
        let decision = BookingSaga.decide(booking.status, event)
        guard case .transition(let status, let commands) = decision else { return decision }
        var updated = booking
        if status != booking.status {
            updated = try change(bookingId: bookingId, loaded: booking, action: BookingSaga.auditAction(status, event), by: user, db) { booking in
                try booking.takeSagaStep(to: status, event: event, commands: commands, at: now)
            }
        }
        if case .paymentProcessed(let reference) = event {
            try db.run(sql: "UPDATE saga SET payment_reference = ?, card_number = NULL WHERE booking_id = ?",
                           arguments: [reference, bookingId])
        }
        var payNow = false
        for command in commands {
            switch command {
            case .reserveRoom, .confirmBooking:
                break // the hold is placed by the request; confirming is the status change above
            case .scheduleExpiry:
                try enqueue("ReservationExpired", for: bookingId, at: updated.holdExpiresAt ?? now, db)
            case .processPayment:
                if payAtDesk { payNow = true } else { try enqueue("ProcessPayment", for: bookingId, at: now, db) }
            case .processRefund:
                try enqueue("ProcessRefund", for: bookingId, at: now, db)
            case .releaseReservation:
                try db.run(sql: "DELETE FROM room_night WHERE booking_id = ?", arguments: [bookingId])
                notify(.roomAvailabilityChanged(hotelId: updated.hotelId, roomId: updated.roomId, stay: updated.stay))
            case .bookingFailed:
                break // the status change above carries the reason
            }
        }
        if status != booking.status {
            switch status {
            case .confirmed: notify(.bookingConfirmed(updated))
            case .failed: notify(.bookingFailed(updated))
            case .cancelled: notify(.bookingCancelled(updated))
            default: break
            }
        }
        if updated.status != .reserving && updated.status != .processingPayment {
            // Past holding and paying, the deadline and payment steps are moot; a refund owed stays
            // queued, and so does a charge whose outcome is unknown (a call was made or is under
            // way): it is settled by its idempotency key (refunded if it was made, voided if not),
            // never forgotten. Nothing left needs the card number.
            try db.run(sql: """
                DELETE FROM saga_message WHERE booking_id = ?
                  AND (name IN ('ReservationExpired', 'RoomReserved') OR (name = 'ProcessPayment' AND \(Self.chargeNotInDoubt)))
                """, arguments: [bookingId])
            if case .paymentProcessed = event {} else {
                // (A payment just recorded cleared the card number with its reference above.)
                try db.run(sql: "UPDATE saga SET card_number = NULL WHERE booking_id = ?", arguments: [bookingId])
            }
        }
        if payNow {
            try apply(.paymentProcessed(reference: Self.deskPaymentReference(updated.confirmationCode)), to: bookingId, by: user, loaded: updated, db)
        }
        return decision
    }

    /// The runner's RoomReserved of a saga paid at the desk: `apply(.roomReserved, payAtDesk: true)`.
    /// A live hold takes the one-update way (`confirmPaidAtDesk`), and its expiry, queued by
    /// `startSaga`, is deleted as the generic way deletes it on confirming; anything else (a hold
    /// that lapsed, a booking already moved on) goes the generic way, which decides it.
    func takeDeskPayment(bookingId: String, by user: String, _ db: Database) throws {
        guard let booking = try Self.fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else {
            throw FrontDeskError.notFound("Booking \(bookingId) does not exist")
        }
        guard booking.status == .reserving, booking.holdsRoom(at: now) else {
            try apply(.roomReserved, to: bookingId, by: user, loaded: booking, payAtDesk: true, db)
            return
        }
        _ = try confirmPaidAtDesk(booking, by: user, db)
        try db.run(sql: """
            DELETE FROM saga_message WHERE booking_id = ?
              AND (name IN ('ReservationExpired', 'RoomReserved') OR (name = 'ProcessPayment' AND \(Self.chargeNotInDoubt)))
            """, arguments: [bookingId])
    }

    /// A ProcessPayment message no call has been made for: nothing can have been charged.
    /// (`attempts` counts only calls that may have reached the payment service.)
    static let chargeNotInDoubt = "attempts = 0 AND claimed_by IS NULL"

    /// The one place a saga message is queued, so its commit wakes the runner (`wakeSagaRunners`).
    /// `attempts`: calls already made for it that may have reached the payment service.
    func enqueue(_ name: String, for bookingId: String, at instant: Date, attempts: Int = 0, _ db: Database) throws {
        try db.run(sql: """
            INSERT INTO saga_message (booking_id, name, available_at, created_at, attempts) VALUES (?, ?, ?, ?, ?)
            """, arguments: [bookingId, name, Timestamp.text(instant), Timestamp.text(now), attempts])
        shared.sagaWorkQueued.withLock { $0 = true }
    }

    /// Queues again a refund or settlement that stopped and needed attention (`saga retry`): the
    /// person has fixed what the payment service was missing, or wants one more try.
    public func retryStoppedPayment(_ reference: String, by user: String) throws -> Booking {
        try write { db in
            let booking = try requireBooking(reference, db)
            let id = booking.id.storedText
            guard let step = try db.value(String.self, sql: "SELECT attention_step FROM saga WHERE booking_id = ? AND attention IS NOT NULL",
                                          arguments: [id]) else {
                throw FrontDeskError.invalidState("Booking \(booking.confirmationCode) has no payment step that needs attention")
            }
            try db.run(sql: "UPDATE saga SET attention = NULL, attention_since = NULL, attention_step = NULL WHERE booking_id = ?",
                       arguments: [id])
            // As a settlement when it was one: attempts = 1 keeps the charge in doubt.
            try enqueue(step, for: id, at: now, attempts: step == "ProcessPayment" ? 1 : 0, db)
            try audit(db, user: user, action: "booking.paymentRetried", bookingId: booking.id,
                      summary: "Booking \(booking.confirmationCode): \(step == "ProcessRefund" ? "refund" : "settling the unanswered charge") tried again")
            return booking
        }
    }

    // MARK: Looking at sagas


    /// Bookings whose workflow is not finished (held, paying) or that still owe a refund.
    public func unfinishedSagas() throws -> [SagaInstance] {
        try read { db in
            let ids = try db.values(String.self, sql: """
                SELECT id FROM booking WHERE status IN ('Reserving', 'ProcessingPayment')
                UNION SELECT booking_id FROM saga_message
                UNION SELECT booking_id FROM saga WHERE attention IS NOT NULL
                """)
            return try ids.compactMap { try Self.fetchSaga(bookingId: $0, db) }
                .sorted { ($0.booking.holdExpiresAt ?? .distantFuture, $0.booking.createdAt) < ($1.booking.holdExpiresAt ?? .distantFuture, $1.booking.createdAt) }
        }
    }

    public func saga(_ reference: String) throws -> SagaInstance {
        try read { db in
            let booking = try requireBooking(reference, db)
            guard let saga = try Self.fetchSaga(bookingId: booking.id.storedText, db) else {
                throw FrontDeskError.notFound("Booking \(booking.confirmationCode) has no workflow")
            }
            return saga
        }
    }

    static func fetchSaga(bookingId: String, _ db: Database) throws -> SagaInstance? {
        guard let booking = try fetchBooking(db, whereClause: "b.id = ?", arguments: [bookingId]).first else { return nil }
        let saga = try db.row(sql: """
            SELECT rowid, payment_method, payment_reference, refund_reference, attention FROM saga WHERE booking_id = ?
            """, arguments: [bookingId]).map { StoredRow($0, table: "saga", rowid: 0) }
        let messages = try db.rows(sql: """
            SELECT id, name, available_at, attempts, claimed_by, last_error FROM saga_message WHERE booking_id = ? ORDER BY available_at, id
            """, arguments: [bookingId]).map { row throws(StoreError) in
            let stored = StoredRow(row, table: "saga_message", rowid: 0)
            return PendingMessage(name: try stored.text(1, "name"), availableAt: try stored.instant(2, "available_at"),
                                  attempts: try stored.integer(3, "attempts", in: 0...1_000_000),
                                  claimedBy: try stored.optionalText(4, "claimed_by"), lastError: try stored.optionalText(5, "last_error"))
        }
        var method = PaymentMethod.desk
        if let saga {
            let text = try saga.text(1, "payment_method")
            guard let parsed = PaymentMethod(rawValue: text) else { throw saga.damaged("payment_method", "\(StoredRow.quoted(text)) is not desk or card") }
            method = parsed
        }
        return SagaInstance(booking: booking, paymentMethod: method,
                            paymentReference: try saga?.optionalText(2, "payment_reference"),
                            refundReference: try saga?.optionalText(3, "refund_reference"), pendingMessages: messages,
                            attention: try saga?.optionalText(4, "attention"))
    }

    /// What the runners reported in the last minute about their payment service (circuit
    /// breaker state); a runner reports at least every 10 seconds while it runs.
    public func runnerStatuses() throws -> [(runner: String, paymentService: String, updatedAt: Date)] {
        try read { db in
            try db.rows(sql: "SELECT runner, payment_service, updated_at FROM runner_status WHERE updated_at > ? ORDER BY updated_at DESC",
                        arguments: [Timestamp.text(now.addingTimeInterval(-60))])
                .map { ($0[0], $0[1], Timestamp.date($0[2]) ?? .distantPast) }
        }
    }

    public func reportRunnerStatus(runner: String, paymentService: String) throws {
        try write { db in
            try db.run(sql: """
                INSERT INTO runner_status (runner, payment_service, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (runner) DO UPDATE SET payment_service = excluded.payment_service, updated_at = excluded.updated_at
                """, arguments: [runner, paymentService, Timestamp.text(now)])
            // Runners gone for an hour are forgotten.
            try db.run(sql: "DELETE FROM runner_status WHERE updated_at < ?", arguments: [Timestamp.text(now.addingTimeInterval(-3600))])
        }
    }
}
