import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// The sagas' messages on PostgreSQL, for `SagaRunner(queue:)`: any instance's runner takes any
/// due message, and two runners never take the same one.
///
/// - Local steps (RoomReserved, ReservationExpired, desk payments and refunds) run in one write
///   transaction per hotel with work due (READ COMMITTED, without waiting for the hotel's turn: each booking
///   is locked as it is read, `PostgresChainStorage`), their messages taken `FOR UPDATE SKIP LOCKED`.
/// - Card calls are claimed in a short transaction of their own (READ COMMITTED, no hotel turn):
///   `FOR UPDATE OF m SKIP LOCKED` skips a message another runner is claiming now, and the
///   claim (`claimed_by`, `claimed_until` = now + lease) keeps it from every other runner until
///   the lease runs out. A claim whose runner died is taken over after its lease, with the same
///   idempotency key (`SagaCardCall`): the payment service takes the charge once.
/// - An answer is recorded in a write of the booking's hotel, only while the claim is still the
///   runner's (`SELECT … FOR UPDATE` of the message).
/// - A deadlock or serialization failure runs the transaction again (`PostgresChainStorage`).
public final class PostgresSagaQueue: SagaQueue {
    let chain: PostgresChainStorage

    public init(chain: PostgresChainStorage) { self.chain = chain }

    public var now: Date { chain.now }

    /// Card calls a claim looks at, at most, per pass.
    static let claimWindow = 64

    // MARK: Local steps

    static let localCondition = """
        m.available_at <= $1 AND (m.name IN ('RoomReserved', 'ReservationExpired') OR s.payment_method = 'desk')
        """

    /// Hotel by hotel, the one whose oldest due message has waited longest first (a hotel that
    /// always has a pass's worth due does not starve the others). A hotel whose step fails is
    /// said after the others have had theirs: one damaged row stops only its own hotel's steps.
    public func runDueLocalMessages(limit: Int) throws -> Int {
        let hotels = try chain.readOne { session in
            try session.rows("""
                SELECT b.hotel_id FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id
                JOIN booking b ON b.id = m.booking_id WHERE \(Self.localCondition)
                GROUP BY b.hotel_id ORDER BY min(m.available_at), b.hotel_id
                """, [now]).map { try ColumnReader($0, table: "booking").uuid(0) }
        }
        var handled = 0
        var firstFailure: (any Error)?
        for hotel in hotels where handled < limit {
            do {
                handled += try chain.write(hotel: hotel, lockingHotel: false) { session in
                    try runLocal(hotel: PostgresHotelStorage(chain: chain, hotelId: hotel), limit: limit - handled, session)
                }
            } catch {
                if firstFailure == nil { firstFailure = error }
            }
        }
        if let firstFailure { throw firstFailure }
        return handled
    }

    /// A hotel's due local messages, a batch at a time, until none is left or `limit` are handled;
    /// a step that queues the next one now (a desk payment after RoomReserved) is taken in the same pass.
    private func runLocal(hotel: PostgresHotelStorage, limit: Int, _ session: PostgresSession) throws -> Int {
        var handled = 0
        while handled < limit {
            let batch = try session.rows("""
                SELECT m.id, m.booking_id, m.name FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id
                JOIN booking b ON b.id = m.booking_id
                WHERE \(Self.localCondition) AND b.hotel_id = $2
                ORDER BY m.available_at, m.id LIMIT $3 FOR UPDATE OF m SKIP LOCKED
                """, [now, hotel.hotelId, limit - handled]).map { row in
                let columns = ColumnReader(row, table: "saga_message")
                return (id: try columns.int64(0), booking: try columns.uuid(1), name: try columns.text(2))
            }
            if batch.isEmpty { break }
            for message in batch {
                // Gone already: a step earlier in this batch settled its booking.
                guard try session.execute("DELETE FROM saga_message WHERE id = $1", [message.id]) == 1 else { continue }
                switch message.name {
                case "RoomReserved": try hotel.apply(.roomReserved, to: message.booking, by: "system", session)
                case "ReservationExpired": try hotel.apply(.reservationExpired, to: message.booking, by: "system", session)
                case "ProcessPayment":
                    let code = try confirmationCode(message.booking, session)
                    try hotel.apply(.paymentProcessed(reference: FrontDeskStore.deskPaymentReference(code)), to: message.booking,
                                    by: "system", session)
                default:
                    try recordRefund(hotel, message.booking, reference: "desk-refund",
                                     summary: try hotel.deskRefundWords(message.booking, session).summary, session)
                }
                handled += 1
            }
        }
        return handled
    }

    // MARK: Card calls

    public func claimDueCardCalls(runner: String, lease: TimeInterval, limit: Int, skipping busy: Set<Int64>) throws -> [SagaCardCall] {
        guard limit > 0 else { return [] }
        return try chain.write(hotel: nil) { session in
            let instant = now
            // Free, lapsed, this runner's own, or held by a runner on this machine (whose process may be gone).
            let rows = try session.rows("""
                SELECT m.id, m.booking_id, m.name, m.claimed_by, m.claimed_until, s.card_number, m.attempts::int8,
                       \(FrontDeskStore.cardCallAmountSQL), b.status, h.currency, m.refusals::int8, b.hold_expires_at,
                       (\(FrontDeskStore.cardCallPaidAtDeskSQL))::int8
                FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id JOIN booking b ON b.id = m.booking_id
                JOIN hotel h ON h.id = b.hotel_id
                WHERE s.payment_method = 'card' AND m.name IN ('ProcessPayment', 'ProcessRefund') AND m.available_at <= $1
                  AND (m.claimed_by IS NULL OR m.claimed_until IS NULL OR m.claimed_until <= $1 OR m.claimed_by = $2
                       OR m.claimed_by LIKE $3)
                  AND NOT (m.id = ANY($4::int8[]))
                ORDER BY m.available_at, m.id LIMIT $5
                FOR UPDATE OF m SKIP LOCKED
                """, [instant, runner, SagaRunner.judgedHere, Array(busy), Self.claimWindow])
            var claims: [SagaCardCall] = []
            for row in rows where claims.count < limit {
                let columns = ColumnReader(row, table: "saga_message")
                let messageId = try columns.int64(0)
                let claimedBy = try columns.optionalText(3)
                if let claimedBy, claimedBy != runner, let until = try columns.optionalInstant(4), until > instant,
                   SagaRunner.isAlive(claimedBy) {
                    continue
                }
                let attempts = try columns.int(6)
                let inDoubt = claimedBy != nil || attempts > 0
                let statusText = try columns.text(8)
                guard let status = BookingStatus(rawValue: statusText) else {
                    throw PostgresStoreError.damaged("booking: status \(statusText) is not a status")
                }
                let name = try columns.text(2)
                if SagaRemoteCall.waitsForExpiry(name, bookingStatus: status, holdExpiresAt: try columns.optionalInstant(11), now: instant) {
                    continue
                }
                guard let call = SagaRemoteCall.forMessage(name, bookingStatus: status, inDoubt: inDoubt) else {
                    try session.execute("DELETE FROM saga_message WHERE id = $1", [messageId])
                    continue
                }
                try session.execute("UPDATE saga_message SET claimed_by = $1, claimed_until = $2 WHERE id = $3",
                                    [runner, instant.addingTimeInterval(lease), messageId])
                let booking = try columns.uuid(1)
                claims.append(SagaCardCall(messageId: messageId, bookingId: booking.uuidString, call: call, inDoubt: inDoubt,
                                           attempts: attempts, refusals: try columns.int(10), booking: booking, amount: Money(minorUnits: try columns.int64(7)),
                                           currency: try columns.text(9), cardNumber: try columns.optionalText(5),
                                           paidAtDesk: Money(minorUnits: try columns.int64(12))))
            }
            return claims
        }
    }

    public func record(_ outcome: SagaCallOutcome, of call: SagaCardCall, runner: String) throws {
        guard let booking = UUID(uuidString: call.bookingId) else { return }
        let hotelId = try chain.readOne { session in
            try session.rows("SELECT hotel_id FROM booking WHERE id = $1", [booking]).first
                .map { try ColumnReader($0, table: "booking").uuid(0) }
        }
        guard let hotelId else { return }
        let hotel = PostgresHotelStorage(chain: chain, hotelId: hotelId)
        try chain.write(hotel: hotelId, lockingHotel: false) { session in
            let holder = try session.rows("SELECT claimed_by FROM saga_message WHERE id = $1 FOR UPDATE", [call.messageId]).first
                .map { try ColumnReader($0, table: "saga_message").optionalText(0) }
            guard holder == runner else { return }
            if case .retry(let after, let error, let countAsAttempt, let countAsRefusal) = outcome {
                try session.execute("""
                    UPDATE saga_message SET claimed_by = NULL, claimed_until = NULL, attempts = attempts + $1, refusals = refusals + $2,
                           last_error = $3, available_at = $4 WHERE id = $5
                    """, [countAsAttempt ? 1 : 0, countAsRefusal ? 1 : 0, String(error.prefix(300)), now.addingTimeInterval(after),
                          call.messageId])
                return
            }
            try session.execute("DELETE FROM saga_message WHERE id = $1", [call.messageId])
            if let charged = call.chargedAmount(by: outcome) {
                try session.execute("UPDATE saga SET charged_cents = $1 WHERE booking_id = $2", [charged.minorUnits, booking])
            }
            switch outcome {
            case .event(let event): try hotel.apply(event, to: booking, by: "system", session)
            case .refunded(let reference, let summary): try recordRefund(hotel, booking, reference: reference, summary: summary, session)
            case .voided(let reference):
                try hotel.audit(session, user: "system", action: "booking.paymentVoided", bookingId: booking,
                                summary: SagaCallOutcome.voidSummary(try confirmationCode(booking, session), reference: reference))
            case .needsAttention(let problem):
                try session.execute("""
                    UPDATE saga SET attention = $1, attention_since = $2, attention_step = $3 WHERE booking_id = $4
                    """, [problem, now, call.call.messageName, booking])
                try hotel.audit(session, user: "system", action: "booking.paymentNeedsAttention", bookingId: booking,
                                summary: "Booking \(try confirmationCode(booking, session)): \(problem)")
            case .retry: break
            }
        }
    }

    private func confirmationCode(_ booking: UUID, _ session: PostgresSession) throws -> String {
        try session.rows("SELECT confirmation_code FROM booking WHERE id = $1", [booking]).first
            .map { try ColumnReader($0, table: "booking").text(0) } ?? booking.uuidString
    }

    private func recordRefund(_ hotel: PostgresHotelStorage, _ booking: UUID, reference: String, summary: String?,
                              _ session: PostgresSession) throws {
        try session.execute("UPDATE saga SET refund_reference = $1, card_number = NULL WHERE booking_id = $2", [reference, booking])
        try hotel.audit(session, user: "system", action: "booking.refunded", bookingId: booking,
                        summary: "Booking \(try confirmationCode(booking, session)): " + (summary ?? "payment refunded (\(reference))"))
    }

    // MARK: Status and looking

    public func reportRunnerStatus(runner: String, paymentService: String) throws {
        try chain.write(hotel: nil) { session in
            try session.execute("""
                INSERT INTO runner_status (runner, payment_service, updated_at) VALUES ($1, $2, $3)
                ON CONFLICT (runner) DO UPDATE SET payment_service = excluded.payment_service, updated_at = excluded.updated_at
                """, [runner, paymentService, now])
            // Runners gone for an hour are forgotten.
            try session.execute("DELETE FROM runner_status WHERE updated_at < $1", [now.addingTimeInterval(-3600)])
        }
    }

    /// What the runners reported in the last minute about their payment service, newest first.
    public func runnerStatuses() throws -> [(runner: String, paymentService: String, updatedAt: Date)] {
        try chain.readOne { session in
            try session.rows("SELECT runner, payment_service, updated_at FROM runner_status WHERE updated_at > $1 ORDER BY updated_at DESC",
                             [now.addingTimeInterval(-60)]).map { row in
                let columns = ColumnReader(row, table: "runner_status")
                return (try columns.text(0), try columns.text(1), try columns.instant(2))
            }
        }
    }

    public func saga(_ reference: String) throws -> SagaInstance {
        try chain.read { session in
            let booking = try chain.requireBooking(reference, hotelId: nil, session)
            guard let saga = try session.rows("""
                SELECT payment_method, payment_reference, refund_reference, attention FROM saga WHERE booking_id = $1
                """, [booking.id]).first.map({ ColumnReader($0, table: "saga") }) else {
                throw FrontDeskError.notFound("Booking \(booking.confirmationCode) has no workflow")
            }
            let messages = try session.rows("""
                SELECT name, available_at, attempts::int8, claimed_by, last_error FROM saga_message WHERE booking_id = $1
                ORDER BY available_at, id
                """, [booking.id]).map { row in
                let columns = ColumnReader(row, table: "saga_message")
                return PendingMessage(name: try columns.text(0), availableAt: try columns.instant(1), attempts: try columns.int(2),
                                      claimedBy: try columns.optionalText(3), lastError: try columns.optionalText(4))
            }
            let method = try saga.text(0)
            guard let paymentMethod = PaymentMethod(rawValue: method) else {
                throw PostgresStoreError.damaged("saga: payment_method \(method) is not desk or card")
            }
            return SagaInstance(booking: booking, paymentMethod: paymentMethod, paymentReference: try saga.optionalText(1),
                                refundReference: try saga.optionalText(2), pendingMessages: messages, attention: try saga.optionalText(3))
        }
    }

    /// No notice within the process: the runner polls, and the server pokes it after a booking.
    public func subscribeToSagaChanges(_ wake: @escaping @Sendable () -> Void) -> UUID? { nil }

    public func unsubscribeFromSagaChanges(_ token: UUID) {}
}

extension PostgresChainStorage {
    /// As `FrontDeskStore.retryStoppedPayment`: the step that stopped is queued again, a charge
    /// settlement with `attempts = 1` so it stays in doubt (settled by its key, never charged
    /// anew). Without it, a refund stopped on PostgreSQL was owed for good: `frontdesk saga
    /// retry` opens a desk's SQLite file.
    public func retryStoppedPayment(_ reference: String, by user: String) throws -> Booking {
        let booking = try self.booking(reference)
        return try write(hotel: booking.hotelId) { session in
            let stopped = try session.rows("SELECT attention_step FROM saga WHERE booking_id = $1 AND attention IS NOT NULL FOR UPDATE",
                                           [booking.id]).first
            guard let step = try stopped.flatMap({ try ColumnReader($0, table: "saga").optionalText(0) }) else {
                throw FrontDeskError.invalidState("Booking \(booking.confirmationCode) has no payment step that needs attention")
            }
            try session.execute("UPDATE saga SET attention = NULL, attention_since = NULL, attention_step = NULL WHERE booking_id = $1",
                                [booking.id])
            try session.execute("INSERT INTO saga_message (booking_id, name, available_at, created_at, attempts) VALUES ($1, $2, $3, $4, $5)",
                                [booking.id, step, now, now, step == "ProcessPayment" ? 1 : 0])
            try audit(session, hotelId: booking.hotelId, user: user, action: "booking.paymentRetried", bookingId: booking.id,
                      summary: "Booking \(booking.confirmationCode): \(step == "ProcessRefund" ? "refund" : "settling the unanswered charge") tried again")
            return booking
        }
    }

    /// The sagas of this chain for a `SagaRunner`: `SagaRunner(queue: storage.sagaQueue(), gateway: …)`.
    public func sagaQueue() -> PostgresSagaQueue { PostgresSagaQueue(chain: self) }
}
