import Foundation
import FrontDeskDomain
import GRDB
import Synchronization

/// Drains the saga's messages on a background thread: events and desk payments inside one
/// transaction per batch (group commit), payment-service calls claimed first and carried out
/// outside any transaction. Any number of runners, in any processes, may share a database.
public final class SagaRunner: Sendable {
    let store: FrontDeskStore
    let gateway: (any PaymentGateway)?
    /// `runner-PID@HOST`: a runner whose process is gone is recognised and its claims retaken.
    public let name: String
    /// How long a claim on a payment-service call lasts; longer than any call with its retries.
    let lease: TimeInterval
    let pollInterval: TimeInterval
    /// Where the runner says what went wrong (a log file in the desk; stderr for `saga run`).
    let reportProblem: @Sendable (String) -> Void
    private let state = Mutex(RunState())
    private let wakeUp = DispatchSemaphore(value: 0)

    struct RunState {
        var stopRequested = false
        var running = false
        var subscription: UUID?
        var lastReportedStatus: String?
        var lastReportAt = Date.distantPast
        /// Messages whose payment-service call this runner is making now.
        var inFlight: Set<Int64> = []
        /// When each of those calls started, for "waiting for the payment service".
        var callStarted: [Int64: Date] = [:]
    }

    /// What the desk's status line says about card payments, or nil when there is nothing to say
    /// (no payment service, circuit closed and no call waiting longer than a few seconds).
    public var paymentServiceNotice: String? {
        guard let gateway else { return nil }
        let now = store.now
        let (count, oldest) = state.withLock { ($0.callStarted.count, $0.callStarted.values.min()) }
        switch gateway.health {
        case .unreachable(let until):
            return "Payment service unreachable: cards fail now (retry in \(max(1, Int(until.timeIntervalSince(now)))) s)"
        case .trying:
            return "Payment service: trying again"
        case .failing(let failures):
            return "Payment service failing (\(failures)×): retrying cards"
        case .answering:
            guard let oldest, now.timeIntervalSince(oldest) >= 3 else { return nil }
            return "Waiting for payment service: \(count) card\(count == 1 ? "" : "s") (\(Int(now.timeIntervalSince(oldest))) s)"
        }
    }

    /// `name` is for tests that play two runners in one process; by default it names this process.
    public init(store: FrontDeskStore, gateway: (any PaymentGateway)?, name: String? = nil, lease: TimeInterval = 120,
                pollInterval: TimeInterval = 0.1,
                reportProblem: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.store = store
        self.gateway = gateway
        self.lease = lease
        self.pollInterval = pollInterval
        self.reportProblem = reportProblem
        self.name = name ?? "runner-\(getpid())@\(ProcessInfo.processInfo.hostName)"
    }

    // MARK: Running

    /// Starts the background thread; returns at once.
    public func start() {
        let alreadyRunning = state.withLock { state -> Bool in
            defer { state.running = true; state.stopRequested = false }
            return state.running
        }
        guard !alreadyRunning else { return }
        let token = store.subscribe { [wakeUp] _ in wakeUp.signal() }
        state.withLock { $0.subscription = token }
        let thread = Thread { [self] in loop() }
        thread.name = "saga-runner"
        thread.start()
    }

    /// Asks the thread to finish its current step and stop.
    public func stop() {
        state.withLock { $0.stopRequested = true }
        wakeUp.signal()
    }

    /// Wakes the thread now (a change it should look at).
    public func poke() { wakeUp.signal() }

    private func loop() {
        while !state.withLock({ $0.stopRequested }) {
            // Every wake-up so far is answered by the pass below: a group of bookings wakes the
            // runner once per booking (its notification and the server's poke), and each
            // left-over signal would otherwise cost a write transaction that finds nothing.
            while wakeUp.wait(timeout: .now()) == .success {}
            var worked = false
            do {
                worked = try step(waitForAnswers: false)
            } catch {
                reportProblem("saga runner: \(error)")
                Thread.sleep(forTimeInterval: 1)
            }
            if !worked { _ = wakeUp.wait(timeout: .now() + pollInterval) }
        }
        state.withLock { state in
            if let token = state.subscription { store.unsubscribe(token) }
            let (inFlight, callStarted) = (state.inFlight, state.callStarted)
            state = RunState()
            (state.inFlight, state.callStarted) = (inFlight, callStarted)
        }
    }

    /// Everything that is due now, until nothing is; for tests, `book --wait` and benchmarks.
    public func runUntilIdle() throws {
        while try step() {}
    }

    /// One pass: local work, then the payment-service calls due now. True if anything was done.
    /// Without `waitForAnswers` the calls go on after it returns (the background loop).
    @discardableResult
    public func step(waitForAnswers: Bool = true) throws -> Bool {
        let local = try processLocalWork()
        let remote = try processRemoteWork(waitForAnswers: waitForAnswers)
        try reportStatusIfChanged()
        return local + remote > 0
    }

    /// Works the booking's saga in this process until it is final: Confirmed or Failed, and no
    /// charge left in doubt (`book --wait`). Bounded by the hold deadline plus `grace`.
    public func runUntilSettled(_ booking: Booking, grace: TimeInterval = 30) throws -> Booking {
        let giveUp = (booking.holdExpiresAt ?? Date()).addingTimeInterval(grace)
        var current = booking
        while Date() < giveUp {
            let saga = try store.saga(booking.id.uuidString)
            current = saga.booking
            let paying = current.status == .reserving || current.status == .processingPayment
            if !paying && !saga.paymentInDoubt { break }
            if try !step() { Thread.sleep(forTimeInterval: 0.01) }
        }
        return current
    }

    /// Until the booking owes no refund that is due, or `seconds` have passed (the runner retries
    /// later): `cancel` ends with the refund done when the payment service answers.
    public func runUntilRefunded(_ booking: Booking, seconds: TimeInterval = 10) throws {
        guard gateway != nil else { return }
        let giveUp = Date().addingTimeInterval(seconds)
        while Date() < giveUp, try store.saga(booking.id.uuidString).pendingMessages.contains(where: {
            ($0.name == "ProcessRefund" || $0.name == "ProcessPayment") && $0.availableAt <= store.now
        }) {
            if try !step() { Thread.sleep(forTimeInterval: 0.05) }
        }
    }

    // MARK: Local work: events and desk payments, many sagas per transaction

    /// Messages per transaction: enough to share one durable commit among many sagas, few enough
    /// that a runner killed mid-batch loses little.
    static let localLimit = 64

    func processLocalWork() throws -> Int {
        try store.write { db in
            var handled = 0
            // The messages due, read a batch at a time rather than one query per message.
            let due = try db.cachedStatement(sql: """
                SELECT m.id, m.booking_id, m.name, COALESCE(s.payment_method, 'desk') FROM saga_message m
                LEFT JOIN saga s ON s.booking_id = m.booking_id
                WHERE m.available_at <= ?
                  AND (m.name IN ('RoomReserved', 'ReservationExpired') OR COALESCE(s.payment_method, 'desk') = 'desk')
                ORDER BY m.available_at, m.id LIMIT ?
                """)
            while handled < Self.localLimit {
                let batch = try Row.fetchAll(due, arguments: [Timestamp.text(store.now), Self.localLimit - handled])
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
                            try store.takeDeskPayment(bookingId: bookingId, by: "system", db)
                        } else {
                            try store.apply(.roomReserved, to: bookingId, by: "system", db)
                        }
                    case "ReservationExpired": try store.apply(.reservationExpired, to: bookingId, by: "system", db)
                    case "ProcessPayment":
                        let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
                        try store.apply(.paymentProcessed(reference: FrontDeskStore.deskPaymentReference(code)), to: bookingId, by: "system", db)
                    case "ProcessRefund":
                        try store.recordRefund(bookingId: bookingId, reference: "desk-refund", db)
                    default: break
                    }
                    handled += 1
                }
            }
            return handled
        }
    }

    // MARK: Remote work: the payment service, outside any transaction

    enum RemoteCall: String {
        /// Take the payment: the booking is still paying.
        case charge
        /// Give money back: a refund is owed.
        case refund
        /// Settle a charge whose outcome is unknown for a booking that no longer holds its room:
        /// refunded if it was made, voided if not (`PaymentGateway.settleUnknownCharge`).
        case settle
    }

    struct Claim {
        let messageId: Int64
        let bookingId: String
        let call: RemoteCall
        /// A call for this charge was made before (it may have reached the service).
        let inDoubt: Bool
        let request: ChargeRequest
    }

    enum Answer {
        case payment(PaymentOutcome)
        case settlement(SettlementOutcome)
    }

    /// Claims the payment-service calls that are due and makes them. With `waitForAnswers` (tests,
    /// `book --wait`) it returns once every answer is recorded; the background loop does not wait,
    /// so a card that takes a minute holds up no other booking's payment: each answer is recorded
    /// in its own transaction when it comes.
    func processRemoteWork(waitForAnswers: Bool = true) throws -> Int {
        guard let gateway else { return 0 }
        let claims = try claimRemoteWork()
        guard !claims.isEmpty else { return 0 }
        let group = DispatchGroup()
        for claim in claims {
            group.enter()
            // A thread of its own per call (at most `remoteLimit`): each blocks on its HTTP answer,
            // and blocking Dispatch's few pooled threads would starve URLSession's own work.
            let thread = Thread { [self] in
                defer { group.leave() }
                let answer: Answer = switch claim.call {
                case .charge: .payment(gateway.charge(claim.request))
                case .refund: .payment(gateway.refund(claim.request))
                case .settle: .settlement(gateway.settleUnknownCharge(claim.request))
                }
                do {
                    try record(answer, for: claim)
                } catch {
                    reportProblem("saga runner: recording the payment service's answer for booking \(claim.bookingId): \(error)")
                }
                state.withLock { state in
                    state.inFlight.remove(claim.messageId)
                    state.callStarted[claim.messageId] = nil
                }
                wakeUp.signal()
            }
            thread.name = "saga-payment-call"
            thread.start()
        }
        if waitForAnswers { group.wait() }
        return claims.count
    }

    /// Refused refunds and settlements are retried at 1, 2, 4 ... minutes; after this many
    /// refusals (about an hour) the saga stops and asks for a person.
    static let refusalsBeforeAttention = 6

    private func record(_ answer: Answer, for claim: Claim) throws {
        try store.write { db in
            let stillOurs = try db.value(String.self, sql: "SELECT claimed_by FROM saga_message WHERE id = ?",
                                         arguments: [claim.messageId]) == name
            guard stillOurs else { return }
            let done = { try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [claim.messageId]) }
            switch (claim.call, answer) {
            case (.charge, .payment(.succeeded(let reference))):
                // If the hold lapsed meanwhile, the saga refunds it (Failed + PaymentProcessed).
                try done()
                try store.apply(.paymentProcessed(reference: reference), to: claim.bookingId, by: "system", db)
            case (.charge, .payment(.declined(let reason))):
                try done()
                try store.apply(.paymentFailed(reason: reason), to: claim.bookingId, by: "system", db)
            case (.charge, .payment(.unreachable(let reason))) where !claim.inDoubt:
                // Nothing was sent and the circuit is open: say so now instead of holding the
                // room until the deadline. The guest can pay at the desk or try again.
                try done()
                try store.apply(.paymentFailed(reason: Self.unreachableReason(reason)), to: claim.bookingId, by: "system", db)
            case (_, .payment(.unavailable(let reason, let retryAfter, let reached))):
                try release(claim, retryAfter: retryAfter, error: reason, countAsAttempt: reached || claim.inDoubt, db)
            case (_, .payment(.unreachable(let reason))):
                try release(claim, retryAfter: 5, error: Self.unreachableReason(reason), countAsAttempt: claim.inDoubt, db)
            case (.refund, .payment(.succeeded(let reference))):
                try done()
                try store.recordRefund(bookingId: claim.bookingId, reference: reference, db)
            case (.refund, .payment(.declined(let reason))), (.settle, .settlement(.refused(let reason))):
                try refused(claim, reason: reason, db)
            case (.settle, .settlement(.refunded(let reference))):
                try done()
                try store.recordRefund(bookingId: claim.bookingId, reference: reference, db,
                                       summary: "The charge whose outcome was unknown had been made; refunded (\(reference))")
            case (.settle, .settlement(.voided(let reference))):
                try done()
                try store.recordVoid(bookingId: claim.bookingId, reference: reference, db)
            case (.settle, .settlement(.unavailable(let reason, let retryAfter))):
                try release(claim, retryAfter: retryAfter, error: reason, countAsAttempt: true, db)
            default:
                try release(claim, retryAfter: 60, error: "unexpected answer", countAsAttempt: true, db)
            }
        }
    }

    static func unreachableReason(_ detail: String) -> String {
        "Payment service unreachable: take the payment at the desk or try again later (\(detail.prefix(120)))"
    }

    /// A refund or settlement the service refused: retried with a growing wait, then left for a
    /// person ("needs attention") rather than retried for ever or pretended done.
    private func refused(_ claim: Claim, reason: String, _ db: Database) throws {
        let attempts = try db.value(Int.self, sql: "SELECT attempts FROM saga_message WHERE id = ?", arguments: [claim.messageId]) ?? 0
        guard attempts + 1 >= Self.refusalsBeforeAttention else {
            try release(claim, retryAfter: 60 * pow(2, Double(attempts)), error: reason, countAsAttempt: true, db)
            return
        }
        try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [claim.messageId])
        let what = claim.call == .refund ? "Refund" : "Settling the unanswered charge"
        try store.needsAttention(bookingId: claim.bookingId,
                                 problem: "\(what) needs attention: the payment service refused \(attempts + 1) times (\(reason.prefix(120)))",
                                 message: claim.call == .refund ? "ProcessRefund" : "ProcessPayment", db)
    }

    private func release(_ claim: Claim, retryAfter: TimeInterval, error: String, countAsAttempt: Bool, _ db: Database) throws {
        try db.run(sql: """
            UPDATE saga_message SET claimed_by = NULL, claimed_until = NULL, attempts = attempts + ?, last_error = ?,
                   available_at = ? WHERE id = ?
            """, arguments: [countAsAttempt ? 1 : 0, String(error.prefix(300)),
                             Timestamp.text(store.now.addingTimeInterval(retryAfter)), claim.messageId])
    }

    static let remoteLimit = 16

    private func claimRemoteWork() throws -> [Claim] {
        let busy = state.withLock { $0.inFlight }
        guard busy.count < Self.remoteLimit else { return [] }
        let claims: [Claim] = try store.write { db in
            let instant = store.now
            let rows = try db.rows(sql: """
                SELECT m.id, m.booking_id, m.name, m.claimed_by, m.claimed_until, s.card_number, m.attempts,
                       b.total_cents, b.status, h.currency
                FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id JOIN booking b ON b.id = m.booking_id
                JOIN hotel h ON h.id = b.hotel_id
                WHERE s.payment_method = 'card' AND m.name IN ('ProcessPayment', 'ProcessRefund') AND m.available_at <= ?
                ORDER BY m.available_at, m.id LIMIT 64
                """, arguments: [Timestamp.text(instant)])
            var claims: [Claim] = []
            for row in rows where claims.count + busy.count < Self.remoteLimit {
                let stored = StoredRow(row, table: "saga_message", rowid: 0)
                let messageId = Int64(try stored.integer(0, "id", in: 1...Int64.max))
                if busy.contains(messageId) { continue }
                let claimedBy = try stored.optionalText(3, "claimed_by")
                let claimedUntil = try stored.optionalInstant(4, "claimed_until")
                if let claimedBy, claimedBy != name, let claimedUntil, claimedUntil > instant, Self.isAlive(claimedBy) { continue }
                let message = try stored.text(2, "name")
                let bookingId = try stored.id(1, "booking_id")
                let attempts = try stored.integer(6, "attempts", in: 0...1_000_000)
                let inDoubt = claimedBy != nil || attempts > 0
                let call: RemoteCall
                if message == "ProcessRefund" {
                    call = .refund
                } else if try stored.status(8, "status") == .processingPayment {
                    call = .charge
                } else if inDoubt {
                    call = .settle
                } else {
                    // Never sent, and the booking no longer pays: nothing to charge or settle.
                    try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [messageId])
                    continue
                }
                try db.run(sql: "UPDATE saga_message SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                           arguments: [name, Timestamp.text(instant.addingTimeInterval(lease)), messageId])
                let key = (call == .refund ? "refund-" : "charge-") + bookingId.uuidString.lowercased()
                claims.append(Claim(
                    messageId: messageId, bookingId: try stored.text(1, "booking_id"), call: call, inDoubt: inDoubt,
                    request: ChargeRequest(bookingId: bookingId, amount: try stored.money(7, "total_cents"),
                                           currency: try stored.text(9, "currency"),
                                           cardNumber: call == .charge ? (try stored.optionalText(5, "card_number")) ?? "" : "",
                                           idempotencyKey: key)))
            }
            return claims
        }
        let started = store.now
        state.withLock { state in
            for claim in claims {
                state.inFlight.insert(claim.messageId)
                state.callStarted[claim.messageId] = started
            }
        }
        return claims
    }

    /// A claim by a process on this machine that no longer exists is void at once; other
    /// claims last until their lease runs out.
    static func isAlive(_ runner: String) -> Bool {
        let parts = runner.dropFirst("runner-".count).split(separator: "@", maxSplits: 1)
        guard parts.count == 2, let pid = Int32(parts[0]), String(parts[1]) == ProcessInfo.processInfo.hostName else { return true }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    private func reportStatusIfChanged() throws {
        guard let gateway else { return }
        let description = gateway.statusDescription
        let due = state.withLock { state -> Bool in
            let due = state.lastReportedStatus != description || Date().timeIntervalSince(state.lastReportAt) > 10
            if due {
                state.lastReportedStatus = description
                state.lastReportAt = Date()
            }
            return due
        }
        if due { try store.reportRunnerStatus(runner: name, paymentService: description) }
    }
}

extension FrontDeskStore {
    func recordRefund(bookingId: String, reference: String, _ db: Database, summary: String? = nil) throws {
        try db.run(sql: "UPDATE saga SET refund_reference = ?, card_number = NULL WHERE booking_id = ?", arguments: [reference, bookingId])
        let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
        try audit(db, user: "system", action: "booking.refunded", bookingId: Identifier.uuid(bookingId),
                  summary: "Booking \(code): " + (summary ?? "payment refunded (\(reference))"))
    }

    /// A charge whose outcome was unknown turned out never to have been made, and now never will be.
    func recordVoid(bookingId: String, reference: String, _ db: Database) throws {
        let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
        try audit(db, user: "system", action: "booking.paymentVoided", bookingId: Identifier.uuid(bookingId),
                  summary: "Booking \(code): the unanswered charge had not been made and is cancelled (\(reference)); nothing was taken")
    }

    /// The saga stops retrying and says what a person must look at.
    func needsAttention(bookingId: String, problem: String, message: String, _ db: Database) throws {
        try db.run(sql: "UPDATE saga SET attention = ?, attention_since = ?, attention_step = ? WHERE booking_id = ?",
                   arguments: [problem, Timestamp.text(now), message, bookingId])
        let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
        try audit(db, user: "system", action: "booking.paymentNeedsAttention", bookingId: Identifier.uuid(bookingId),
                  summary: "Booking \(code): \(problem)")
    }
}
