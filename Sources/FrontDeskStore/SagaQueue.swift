import Foundation
import FrontDeskDomain
import GRDB

/// What a `SagaRunner` needs of the database its sagas live in: the due messages, taken and
/// carried out in batches; the card calls, claimed with a lease for one runner and answered
/// each in its own transaction; the runners' status reports. The runner's threads, its calls to
/// the payment service and what an answer means are written once, in `SagaRunner`; a queue
/// stores their outcome. `FrontDeskStore` is the queue on SQLite; FrontDeskPostgres has
/// `PostgresSagaQueue`.
public protocol SagaQueue: Sendable {
    /// The store's clock: what is due is due at this instant.
    var now: Date { get }

    /// Carries out up to `limit` due messages that need no one outside (RoomReserved,
    /// ReservationExpired, and every step of a saga paid at the desk), in one transaction.
    /// Returns how many were handled.
    func runDueLocalMessages(limit: Int) throws -> Int

    /// Claims for `runner` up to `limit` due card calls (ProcessPayment, ProcessRefund of sagas
    /// paid by card) for `lease` seconds, leaving out the messages in `skipping` (the runner's
    /// calls under way). A message another runner claimed is left alone until its lease runs out
    /// (or, on this machine, its process is gone: `SagaRunner.isAlive`); taken over, it keeps its
    /// idempotency key, so the card is charged once. A charge never sent whose booking no longer
    /// pays is dropped (`SagaRemoteCall.forMessage`).
    func claimDueCardCalls(runner: String, lease: TimeInterval, limit: Int, skipping: Set<Int64>) throws -> [SagaCardCall]

    /// Stores what came of `call`, in one transaction, if `runner` still holds its claim (a
    /// runner whose lease ran out and was taken over records nothing).
    func record(_ outcome: SagaCallOutcome, of call: SagaCardCall, runner: String) throws

    /// What `runner` says of its payment service (circuit breaker), for `saga status`.
    func reportRunnerStatus(runner: String, paymentService: String) throws

    /// The booking's saga, by id or confirmation code.
    func saga(_ reference: String) throws -> SagaInstance

    /// Calls `wake` after every commit of this process that queued a saga message, so the runner
    /// need not wait for its next poll; nil when the queue tells of none (the runner polls).
    func subscribeToSagaChanges(_ wake: @escaping @Sendable () -> Void) -> UUID?

    func unsubscribeFromSagaChanges(_ token: UUID)
}

/// What a card message asks of the payment service.
public enum SagaRemoteCall: String, Sendable {
    /// Take the payment: the booking is still paying.
    case charge
    /// Give money back: a refund is owed.
    case refund
    /// Settle a charge whose outcome is unknown for a booking that no longer holds its room:
    /// refunded if it was made, voided if not (`PaymentGateway.settleUnknownCharge`).
    case settle

    /// The call a due card message `name` stands for; nil for a charge that was never sent and
    /// whose booking no longer pays: nothing to charge or settle, the message is dropped.
    public static func forMessage(_ name: String, bookingStatus: BookingStatus, inDoubt: Bool) -> SagaRemoteCall? {
        if name == "ProcessRefund" { return .refund }
        if bookingStatus == .processingPayment { return .charge }
        return inDoubt ? .settle : nil
    }

    /// Whether a due card message is left for the booking's expiry instead of claimed: a charge of a
    /// hold whose deadline has passed. Another instance's local pass may hold the expiry's row
    /// while this one looks for card calls; a charge sent now would only be refunded. Once the
    /// expiry has failed the booking, the message is settled (a charge in doubt) or dropped.
    public static func waitsForExpiry(_ name: String, bookingStatus: BookingStatus, holdExpiresAt: Date?, now: Date) -> Bool {
        guard name == "ProcessPayment", bookingStatus == .processingPayment, let holdExpiresAt else { return false }
        return holdExpiresAt <= now
    }

    /// The saga message this call answers, named where a person must look at it.
    public var messageName: String { self == .refund ? "ProcessRefund" : "ProcessPayment" }
}

/// A card call claimed by a runner: the message it answers and the request it sends.
public struct SagaCardCall: Sendable {
    public let messageId: Int64
    /// The booking's id as the queue stores it.
    public let bookingId: String
    public let call: SagaRemoteCall
    /// A call for this charge was made before (it may have reached the service).
    public let inDoubt: Bool
    /// Calls so far that may have reached the service (refusals included).
    public let attempts: Int
    /// Of those, the ones the service refused (a refund or settlement): what the growing wait
    /// and the stop for a person count, so an outage before does not use them up.
    public let refusals: Int
    public let request: ChargeRequest
    /// Of a refund: what was paid at the desk for nights added after the card's charge, to be
    /// repaid there (`FrontDeskStore.cardCallPaidAtDeskSQL`); zero otherwise.
    public let paidAtDesk: Money

    /// The request's idempotency key is the booking's: the same for every runner and every
    /// retry, so a call taken over after a lease charges the card once.
    public init(messageId: Int64, bookingId: String, call: SagaRemoteCall, inDoubt: Bool, attempts: Int, refusals: Int = 0, booking: UUID,
                amount: Money, currency: String, cardNumber: String?, paidAtDesk: Money = .zero) {
        self.refusals = refusals
        self.paidAtDesk = call == .refund ? paidAtDesk : .zero
        self.messageId = messageId
        self.bookingId = bookingId
        self.call = call
        self.inDoubt = inDoubt
        self.attempts = attempts
        request = ChargeRequest(bookingId: booking, amount: amount, currency: currency,
                                cardNumber: call == .charge ? cardNumber ?? "" : "",
                                idempotencyKey: (call == .refund ? "refund-" : "charge-") + booking.uuidString.lowercased())
    }

    /// What the card was charged when `outcome` says this call's charge was made (the amount it
    /// asked for); nil for every other call and outcome. Kept with the saga for its refund.
    public func chargedAmount(by outcome: SagaCallOutcome) -> Money? {
        guard call == .charge, case .event(.paymentProcessed) = outcome else { return nil }
        return request.amount
    }
}

/// What the runner makes of the payment service's answer; the queue stores it.
public enum SagaCallOutcome: Sendable, Equatable {
    /// The message is done and the saga takes `event` (PaymentProcessed or PaymentFailed).
    case event(BookingSaga.Event)
    /// The message is done: the money went back (`summary` for the audit trail, nil: the usual words).
    case refunded(reference: String, summary: String?)
    /// The message is done: the charge whose outcome was unknown had not been made and never will be.
    case voided(reference: String)
    /// The claim is given up; the message is due again after `after` seconds. `countAsRefusal`:
    /// the service refused it (not an outage).
    case retry(after: TimeInterval, error: String, countAsAttempt: Bool, countAsRefusal: Bool = false)
    /// The message is done without success; the saga stops and a person must look.
    case needsAttention(problem: String)
}

extension SagaCallOutcome {
    /// A card refund's words in the audit trail: how much went back to the card, and what was
    /// paid at the desk for nights added since the charge, which the desk repays.
    public static func refundSummary(reference: String, amount: Money, currency: String, paidAtDesk: Money) -> String {
        "payment refunded (\(reference)): \(amount.plain) \(currency) to the card"
            + (paidAtDesk > .zero ? "; \(paidAtDesk.plain) \(currency) paid at the desk for nights added is to be repaid there" : "")
    }

    /// Whether a line of a booking's history (here, or the server's, kept by a connected desk)
    /// says how its guest is paid back: the words above, recognised beside them.
    public static func saysARefund(_ summary: String) -> Bool {
        summary.contains("payment refunded (") || summary.contains("goes back to the card") || summary.contains("refunds to the card")
    }

    /// A card refund's words at the cancel, before the payment service makes it (the runner's
    /// call may come much later, the service being down): what goes back to the card, and what
    /// the desk repays. `amount` nil: no charge is known to have been made.
    public static func cardRefundQueuedSummary(_ confirmationCode: String, amount: Money?, currency: String, paidAtDesk: Money) -> String {
        guard let amount else {
            return "Booking \(confirmationCode): the payment service refunds to the card whatever its charge took"
        }
        return "Booking \(confirmationCode): \(amount.plain) \(currency) goes back to the card; the payment service refunds it"
            + (paidAtDesk > .zero ? "; \(paidAtDesk.plain) \(currency) paid at the desk for nights added is to be repaid there" : "")
    }

    /// A desk refund's words in the audit trail: what the desk pays back (what the guest paid
    /// there: the booking's total, its changes having been settled at the desk as they were made).
    public static func deskRefundSummary(amount: Money, currency: String) -> String {
        "payment refunded (desk-refund): \(amount.plain) \(currency) to be paid back at the desk"
    }

    /// The audit line of a charge found never made and cancelled (`voided`), on every store.
    public static func voidSummary(_ confirmationCode: String, reference: String) -> String {
        "Booking \(confirmationCode): the unanswered charge had not been made and is cancelled (\(reference)); nothing was taken"
    }
}

// MARK: The queue on SQLite

extension FrontDeskStore: SagaQueue {
    /// Whether any saga message is due now, read beside the writer instead of in a write
    /// transaction: most wake-ups of a server's runner find nothing (a desk booking is confirmed
    /// in its own transaction), and the writer is what every booking waits for. A message
    /// committed after this read wakes the runner again.
    func anyMessageDue() throws -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM saga_message WHERE available_at <= ?)",
                              arguments: [Timestamp.text(now)]) ?? false
        }
    }

    public func runDueLocalMessages(limit: Int) throws -> Int {
        guard try anyMessageDue() else { return 0 }
        return try write { db in
            var handled = 0
            // The messages due, read a batch at a time rather than one query per message.
            let due = try db.cachedStatement(sql: """
                SELECT m.id, m.booking_id, m.name, COALESCE(s.payment_method, 'desk') FROM saga_message m
                LEFT JOIN saga s ON s.booking_id = m.booking_id
                WHERE m.available_at <= ?
                  AND (m.name IN ('RoomReserved', 'ReservationExpired') OR COALESCE(s.payment_method, 'desk') = 'desk')
                ORDER BY m.available_at, m.id LIMIT ?
                """)
            while handled < limit {
                let batch = try Row.fetchAll(due, arguments: [Timestamp.text(now), limit - handled])
                if batch.isEmpty { break }
                for row in batch {
                    let (id, bookingId, message, method): (Int64, String, String, String) = (row[0], row[1], row[2], row[3])
                    try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [id])
                    // Gone already: a message handled earlier in this batch settled its booking
                    // (a confirmation drops the booking's expiry, for one).
                    guard db.changesCount == 1 else { continue }
                    switch message {
                    case "RoomReserved":
                        // A desk payment needs no one outside: taken in the same step (DECISIONS.md).
                        if method == PaymentMethod.desk.rawValue {
                            try takeDeskPayment(bookingId: bookingId, by: "system", db)
                        } else {
                            try apply(.roomReserved, to: bookingId, by: "system", db)
                        }
                    case "ReservationExpired": try apply(.reservationExpired, to: bookingId, by: "system", db)
                    case "ProcessPayment":
                        let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
                        try apply(.paymentProcessed(reference: Self.deskPaymentReference(code)), to: bookingId, by: "system", db)
                    case "ProcessRefund":
                        try recordRefund(bookingId: bookingId, reference: "desk-refund", db, summary: try deskRefundSummary(bookingId: bookingId, db))
                    default: break
                    }
                    handled += 1
                }
            }
            return handled
        }
    }

    /// The amount of a card call: a charge asks for the booking's total; a refund pays back what
    /// the card was charged, but no more than the total now: a night taken off after the charge was
    /// repaid at the desk (DECISIONS.md, session 42), and refunding the whole charge on a cancel
    /// paid it back twice. The same text on both backends.
    public static let cardCallAmountSQL = """
        CASE WHEN m.name = 'ProcessRefund' AND s.charged_cents IS NOT NULL AND s.charged_cents < b.total_cents
             THEN s.charged_cents ELSE b.total_cents END
        """

    /// Of a refund: what the desk took for nights added after the card's charge (the total beyond
    /// it), which the desk repays; the card gets its charge back (`cardCallAmountSQL`).
    public static let cardCallPaidAtDeskSQL = """
        CASE WHEN m.name = 'ProcessRefund' AND s.charged_cents IS NOT NULL AND b.total_cents > s.charged_cents
             THEN b.total_cents - s.charged_cents ELSE 0 END
        """

    public func claimDueCardCalls(runner: String, lease: TimeInterval, limit: Int, skipping busy: Set<Int64>) throws -> [SagaCardCall] {
        guard try anyMessageDue() else { return [] }
        return try write { db in
            let instant = now
            let rows = try db.rows(sql: """
                SELECT m.id, m.booking_id, m.name, m.claimed_by, m.claimed_until, s.card_number, m.attempts,
                       \(Self.cardCallAmountSQL), b.status, h.currency, m.refusals, b.hold_expires_at, \(Self.cardCallPaidAtDeskSQL)
                FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id JOIN booking b ON b.id = m.booking_id
                JOIN hotel h ON h.id = b.hotel_id
                WHERE s.payment_method = 'card' AND m.name IN ('ProcessPayment', 'ProcessRefund') AND m.available_at <= ?
                ORDER BY m.available_at, m.id LIMIT 64
                """, arguments: [Timestamp.text(instant)])
            var claims: [SagaCardCall] = []
            for row in rows where claims.count < limit {
                let stored = StoredRow(row, table: "saga_message", rowid: 0)
                let messageId = Int64(try stored.integer(0, "id", in: 1...Int64.max))
                if busy.contains(messageId) { continue }
                let claimedBy = try stored.optionalText(3, "claimed_by")
                let claimedUntil = try stored.optionalInstant(4, "claimed_until")
                if let claimedBy, claimedBy != runner, let claimedUntil, claimedUntil > instant, SagaRunner.isAlive(claimedBy) { continue }
                let bookingId = try stored.id(1, "booking_id")
                let attempts = try stored.integer(6, "attempts", in: 0...1_000_000)
                let inDoubt = claimedBy != nil || attempts > 0
                let (name, status) = (try stored.text(2, "name"), try stored.status(8, "status"))
                if SagaRemoteCall.waitsForExpiry(name, bookingStatus: status, holdExpiresAt: try stored.optionalInstant(11, "hold_expires_at"),
                                                 now: instant) { continue }
                guard let call = SagaRemoteCall.forMessage(name, bookingStatus: status, inDoubt: inDoubt) else {
                    try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [messageId])
                    continue
                }
                try db.run(sql: "UPDATE saga_message SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                           arguments: [runner, Timestamp.text(instant.addingTimeInterval(lease)), messageId])
                claims.append(SagaCardCall(
                    messageId: messageId, bookingId: try stored.text(1, "booking_id"), call: call, inDoubt: inDoubt, attempts: attempts,
                    refusals: try stored.integer(10, "refusals", in: 0...1_000_000), booking: bookingId, amount: try stored.money(7, "total_cents"), currency: try stored.text(9, "currency"),
                    cardNumber: try stored.optionalText(5, "card_number"), paidAtDesk: try stored.money(12, "paid_at_desk")))
            }
            return claims
        }
    }

    public func record(_ outcome: SagaCallOutcome, of call: SagaCardCall, runner: String) throws {
        try write { db in
            let stillOurs = try db.value(String.self, sql: "SELECT claimed_by FROM saga_message WHERE id = ?",
                                         arguments: [call.messageId]) == runner
            guard stillOurs else { return }
            if case .retry(let after, let error, let countAsAttempt, let countAsRefusal) = outcome {
                try db.run(sql: """
                    UPDATE saga_message SET claimed_by = NULL, claimed_until = NULL, attempts = attempts + ?, refusals = refusals + ?,
                           last_error = ?, available_at = ? WHERE id = ?
                    """, arguments: [countAsAttempt ? 1 : 0, countAsRefusal ? 1 : 0, String(error.prefix(300)),
                                     Timestamp.text(now.addingTimeInterval(after)), call.messageId])
                return
            }
            try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [call.messageId])
            if let charged = call.chargedAmount(by: outcome) {
                try db.run(sql: "UPDATE saga SET charged_cents = ? WHERE booking_id = ?", arguments: [charged.minorUnits, call.bookingId])
            }
            switch outcome {
            case .event(let event): try apply(event, to: call.bookingId, by: "system", db)
            case .refunded(let reference, let summary): try recordRefund(bookingId: call.bookingId, reference: reference, db, summary: summary)
            case .voided(let reference): try recordVoid(bookingId: call.bookingId, reference: reference, db)
            case .needsAttention(let problem):
                try needsAttention(bookingId: call.bookingId, problem: problem, message: call.call.messageName, db)
            case .retry: break
            }
        }
    }

    public func subscribeToSagaChanges(_ wake: @escaping @Sendable () -> Void) -> UUID? {
        let token = UUID()
        shared.sagaWorkSubscribers.withLock { $0[token] = wake }
        return token
    }

    public func unsubscribeFromSagaChanges(_ token: UUID) {
        _ = shared.sagaWorkSubscribers.withLock { $0.removeValue(forKey: token) }
    }
}
