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
    private let state = Mutex(RunState())
    private let wakeUp = DispatchSemaphore(value: 0)

    struct RunState {
        var stopRequested = false
        var running = false
        var subscription: UUID?
        var lastReportedStatus: String?
        var lastReportAt = Date.distantPast
    }

    public init(store: FrontDeskStore, gateway: (any PaymentGateway)?, lease: TimeInterval = 120, pollInterval: TimeInterval = 0.1) {
        self.store = store
        self.gateway = gateway
        self.lease = lease
        self.pollInterval = pollInterval
        name = "runner-\(getpid())@\(ProcessInfo.processInfo.hostName)"
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
            var worked = false
            do {
                worked = try step()
            } catch {
                FileHandle.standardError.write(Data("saga runner: \(error)\n".utf8))
                Thread.sleep(forTimeInterval: 1)
            }
            if !worked { _ = wakeUp.wait(timeout: .now() + pollInterval) }
        }
        state.withLock { state in
            if let token = state.subscription { store.unsubscribe(token) }
            state = RunState()
        }
    }

    /// Everything that is due now, until nothing is; for tests, `book --wait` and benchmarks.
    public func runUntilIdle() throws {
        while try step() {}
    }

    /// One pass: local work, then the payment-service calls due now. True if anything was done.
    @discardableResult
    public func step() throws -> Bool {
        let local = try processLocalWork()
        let remote = try processRemoteWork()
        try reportStatusIfChanged()
        return local + remote > 0
    }

    // MARK: Local work: events and desk payments, many sagas per transaction

    /// Messages per transaction: enough to share one durable commit among many sagas, few enough
    /// that a runner killed mid-batch loses little.
    static let localLimit = 64

    func processLocalWork() throws -> Int {
        try store.write { db in
            var handled = 0
            let next = try db.cachedStatement(sql: """
                SELECT m.id, m.booking_id, m.name FROM saga_message m LEFT JOIN saga s ON s.booking_id = m.booking_id
                WHERE m.available_at <= ?
                  AND (m.name IN ('RoomReserved', 'ReservationExpired') OR COALESCE(s.payment_method, 'desk') = 'desk')
                ORDER BY m.available_at, m.id LIMIT 1
                """)
            while handled < Self.localLimit, let row = try Row.fetchOne(next, arguments: [Timestamp.text(store.now)]) {
                let (id, bookingId, message): (Int64, String, String) = (row[0], row[1], row[2])
                try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [id])
                switch message {
                case "RoomReserved": try store.apply(.roomReserved, to: bookingId, by: "system", db)
                case "ReservationExpired": try store.apply(.reservationExpired, to: bookingId, by: "system", db)
                case "ProcessPayment":
                    let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
                    try store.apply(.paymentProcessed(reference: "desk-\(code)"), to: bookingId, by: "system", db)
                case "ProcessRefund":
                    try store.recordRefund(bookingId: bookingId, reference: "desk-refund", db)
                default: break
                }
                handled += 1
            }
            return handled
        }
    }

    // MARK: Remote work: the payment service, outside any transaction

    struct Claim {
        let messageId: Int64
        let bookingId: String
        let message: String
        let request: ChargeRequest
    }

    func processRemoteWork() throws -> Int {
        guard let gateway else { return 0 }
        let claims = try claimRemoteWork()
        guard !claims.isEmpty else { return 0 }
        // Calls for different bookings go out together, so a slow service costs one round trip per
        // batch, and a runner killed mid-batch has fewer answers to lose (retried calls reuse their key).
        let outcomes = Mutex([PaymentOutcome?](repeating: nil, count: claims.count))
        DispatchQueue.concurrentPerform(iterations: claims.count) { index in
            let claim = claims[index]
            let outcome = claim.message == "ProcessRefund" ? gateway.refund(claim.request) : gateway.charge(claim.request)
            outcomes.withLock { $0[index] = outcome }
        }
        let answers = outcomes.withLock { $0.map { $0! } }
        try store.write { db in
            for (claim, outcome) in zip(claims, answers) {
                let stillOurs = try db.value(String.self, sql: "SELECT claimed_by FROM saga_message WHERE id = ?",
                                                    arguments: [claim.messageId]) == name
                guard stillOurs else { continue }
                switch (claim.message, outcome) {
                case ("ProcessPayment", .succeeded(let reference)):
                    try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [claim.messageId])
                    try store.apply(.paymentProcessed(reference: reference), to: claim.bookingId, by: "system", db)
                case ("ProcessPayment", .declined(let reason)):
                    try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [claim.messageId])
                    try store.apply(.paymentFailed(reason: reason), to: claim.bookingId, by: "system", db)
                case ("ProcessRefund", .succeeded(let reference)):
                    try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [claim.messageId])
                    try store.recordRefund(bookingId: claim.bookingId, reference: reference, db)
                case (_, .unavailable(let reason, let retryAfter)):
                    try release(claim, retryAfter: retryAfter, error: reason, db)
                case (_, .declined(let reason)):
                    // A refused refund is retried slowly and stays visible in `saga status`.
                    try release(claim, retryAfter: 60, error: reason, db)
                default:
                    try release(claim, retryAfter: 60, error: "unexpected answer", db)
                }
            }
        }
        return claims.count
    }

    private func release(_ claim: Claim, retryAfter: TimeInterval, error: String, _ db: Database) throws {
        try db.run(sql: """
            UPDATE saga_message SET claimed_by = NULL, claimed_until = NULL, attempts = attempts + 1, last_error = ?,
                   available_at = ? WHERE id = ?
            """, arguments: [String(error.prefix(300)), Timestamp.text(store.now.addingTimeInterval(retryAfter)), claim.messageId])
    }

    static let remoteLimit = 16

    private func claimRemoteWork() throws -> [Claim] {
        try store.write { db in
            let instant = store.now
            let rows = try db.rows(sql: """
                SELECT m.id, m.booking_id, m.name, m.claimed_by, m.claimed_until, s.card_number, s.payment_reference,
                       b.total_cents, b.status, h.currency
                FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id JOIN booking b ON b.id = m.booking_id
                JOIN hotel h ON h.id = b.hotel_id
                WHERE s.payment_method = 'card' AND m.name IN ('ProcessPayment', 'ProcessRefund') AND m.available_at <= ?
                ORDER BY m.available_at, m.id LIMIT 64
                """, arguments: [Timestamp.text(instant)])
            var claims: [Claim] = []
            for row in rows where claims.count < Self.remoteLimit {
                let claimedBy: String? = row[3]
                let claimedUntil = (row[4] as String?).flatMap(Timestamp.date)
                if let claimedBy, claimedBy != name, let claimedUntil, claimedUntil > instant, Self.isAlive(claimedBy) { continue }
                let message: String = row[2]
                let bookingId: String = row[1]
                if message == "ProcessPayment" && row[8] as String != BookingStatus.processingPayment.rawValue {
                    try db.run(sql: "DELETE FROM saga_message WHERE id = ?", arguments: [row[0] as Int64])
                    continue
                }
                try db.run(sql: "UPDATE saga_message SET claimed_by = ?, claimed_until = ? WHERE id = ?",
                               arguments: [name, Timestamp.text(instant.addingTimeInterval(lease)), row[0] as Int64])
                let kind = message == "ProcessRefund" ? "refund" : "charge"
                claims.append(Claim(
                    messageId: row[0], bookingId: bookingId, message: message,
                    request: ChargeRequest(bookingId: Identifier.stored(bookingId), amount: Money(minorUnits: row[7]),
                                           currency: row[9], cardNumber: (row[5] as String?) ?? "",
                                           idempotencyKey: "\(kind)-\(bookingId.lowercased())")))
            }
            return claims
        }
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
    func recordRefund(bookingId: String, reference: String, _ db: Database) throws {
        try db.run(sql: "UPDATE saga SET refund_reference = ?, card_number = NULL WHERE booking_id = ?", arguments: [reference, bookingId])
        let code = try db.value(String.self, sql: "SELECT confirmation_code FROM booking WHERE id = ?", arguments: [bookingId]) ?? bookingId
        try audit(db, user: "system", action: "booking.refunded", bookingId: Identifier.uuid(bookingId),
                  summary: "Payment for booking \(code) refunded (\(reference))")
    }
}
