import Foundation
import FrontDeskDomain
import GRDB
import Synchronization

/// Drains the saga's messages on a background thread: events and desk payments inside one
/// transaction per batch (group commit), payment-service calls claimed first and carried out
/// outside any transaction. Any number of runners, in any processes, may share a database.
public final class SagaRunner: Sendable {
    let queue: any SagaQueue
    let gateway: (any PaymentGateway)?
    /// `runner-PID@HOST`: a runner whose process is gone is recognised and its claims retaken.
    public let name: String
    /// How long a claim on a payment-service call lasts; longer than any call with its retries.
    let lease: TimeInterval
    let pollInterval: TimeInterval
    /// Where the runner says what went wrong (a log file in the desk; stderr for `saga run`).
    let reportProblem: @Sendable (String) -> Void
    /// Where the background loop's failures go, when not as text through `reportProblem` (the
    /// server's structured log): they come back on every pass while their cause lasts, so only
    /// the lines of a `RepeatedProblemLog` are handed on (the first, then at most one a minute,
    /// and the end of them).
    let reportLoopLine: (@Sendable (RepeatedProblemLog.Line) -> Void)?
    private let state = Mutex(RunState())
    private let wakeUp = DispatchSemaphore(value: 0)

    struct RunState {
        var stopRequested = false
        var running = false
        var subscription: UUID?
        var lastReportedStatus: String?
        var lastReportAt = Date.distantPast
        /// The background loop is in a pass (`isBusy`).
        var inPass = false
        /// Messages whose payment-service call this runner is making now.
        var inFlight: Set<Int64> = []
        /// When each of those calls started, for "waiting for the payment service".
        var callStarted: [Int64: Date] = [:]
    }

    /// What the desk's status line says about card payments, or nil when there is nothing to say
    /// (no payment service, circuit closed and no call waiting longer than a few seconds).
    public var paymentServiceNotice: String? {
        guard let gateway else { return nil }
        let now = queue.now
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

    /// A runner of the sagas in `store` (SQLite).
    /// `name` is for tests that play two runners in one process; by default it names this process.
    public convenience init(store: FrontDeskStore, gateway: (any PaymentGateway)?, name: String? = nil, lease: TimeInterval = 120,
                            pollInterval: TimeInterval = 0.1,
                            reportProblem: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
                            reportLoopLine: (@Sendable (RepeatedProblemLog.Line) -> Void)? = nil) {
        self.init(queue: store, gateway: gateway, name: name, lease: lease, pollInterval: pollInterval, reportProblem: reportProblem,
                  reportLoopLine: reportLoopLine)
    }

    /// A runner of the sagas `queue` keeps (SQLite's `FrontDeskStore`, PostgreSQL's `PostgresSagaQueue`).
    /// `name` is for tests that play two runners in one process; by default it names this process.
    public init(queue: any SagaQueue, gateway: (any PaymentGateway)?, name: String? = nil, lease: TimeInterval = 120,
                pollInterval: TimeInterval = 0.1,
                reportProblem: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) },
                reportLoopLine: (@Sendable (RepeatedProblemLog.Line) -> Void)? = nil) {
        self.queue = queue
        self.gateway = gateway
        self.lease = lease
        self.pollInterval = pollInterval
        self.reportProblem = reportProblem
        self.reportLoopLine = reportLoopLine
        self.name = name ?? Self.processName
    }

    // MARK: Running

    /// Starts the background thread; returns at once.
    public func start() {
        let alreadyRunning = state.withLock { state -> Bool in
            defer { state.running = true; state.stopRequested = false }
            return state.running
        }
        guard !alreadyRunning else { return }
        let token = queue.subscribeToSagaChanges { [wakeUp] in wakeUp.signal() }
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

    /// Whether the background loop is in a pass or payment calls are under way: what a stopping
    /// server waits for (after `stop`, a pass claims nothing more).
    public var isBusy: Bool { state.withLock { $0.inPass || !$0.inFlight.isEmpty } }

    private func loop() {
        // A pass fails again every 1.1 s while its cause lasts (PostgreSQL down): a line each
        // time flooded the server's log. Said once, then at most once a minute, and its end.
        var failures = RepeatedProblemLog()
        while !state.withLock({ $0.stopRequested }) {
            // Every wake-up so far is answered by the pass below: a group's commit and the
            // server's pokes may wake the runner several times, and each left-over signal would
            // otherwise cost a transaction that finds nothing.
            while wakeUp.wait(timeout: .now()) == .success {}
            var worked = false
            state.withLock { $0.inPass = true }
            do {
                worked = try step(waitForAnswers: false)
                state.withLock { $0.inPass = false }
                if let line = failures.worked(at: ProcessInfo.processInfo.systemUptime) { report(line) }
            } catch {
                state.withLock { $0.inPass = false }
                if let line = failures.failed("\(error)", at: ProcessInfo.processInfo.systemUptime) { report(line) }
                Thread.sleep(forTimeInterval: 1)
            }
            if !worked { _ = wakeUp.wait(timeout: .now() + pollInterval) }
        }
        state.withLock { state in
            if let token = state.subscription { queue.unsubscribeFromSagaChanges(token) }
            let (inFlight, callStarted) = (state.inFlight, state.callStarted)
            state = RunState()
            (state.inFlight, state.callStarted) = (inFlight, callStarted)
        }
    }

    private func report(_ line: RepeatedProblemLog.Line) {
        if let reportLoopLine {
            reportLoopLine(line)
        } else {
            reportProblem(Self.text(of: line))
        }
    }

    /// A line of the loop's failures as text (the desk's log file, `saga run`'s stderr).
    public static func text(of line: RepeatedProblemLog.Line) -> String {
        switch line {
        case .failing(let problem, let unsaid, let failingFor):
            guard unsaid > 0 else { return "saga runner: \(problem)" }
            let since = failingFor >= 1 ? "; failing for \(Int(failingFor)) s" : ""
            return "saga runner: \(problem) (\(unsaid) more time\(unsaid == 1 ? "" : "s") since the last line\(since))"
        case .workingAgain(let failures, let lasted):
            return "saga runner: the database answers again (after \(failures) failure\(failures == 1 ? "" : "s") in \(Int(lasted)) s)"
        }
    }

    /// Everything that is due now, until nothing is; for tests, `book --wait` and benchmarks.
    public func runUntilIdle() throws {
        while try step() {}
    }

    /// One pass: local work, then the payment-service calls due now. True if anything was done.
    /// Without `waitForAnswers` the calls go on after it returns (the background loop).
    @discardableResult
    /// Local work that fails (a damaged row) does not keep the card calls from being made: they
    /// run, then its error is thrown.
    public func step(waitForAnswers: Bool = true) throws -> Bool {
        var local = 0
        var localFailure: (any Error)?
        do { local = try processLocalWork() } catch { localFailure = error }
        let remote = try processRemoteWork(waitForAnswers: waitForAnswers)
        try reportStatusIfChanged()
        if let localFailure { throw localFailure }
        return local + remote > 0
    }

    /// Works the booking's saga in this process until it is final: Confirmed or Failed, and no
    /// charge left in doubt (`book --wait`). Bounded by the hold deadline plus `grace`.
    public func runUntilSettled(_ booking: Booking, grace: TimeInterval = 30) throws -> Booking {
        let giveUp = (booking.holdExpiresAt ?? Date()).addingTimeInterval(grace)
        var current = booking
        while Date() < giveUp {
            let saga = try queue.saga(booking.id.uuidString)
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
        while Date() < giveUp, try queue.saga(booking.id.uuidString).pendingMessages.contains(where: {
            ($0.name == "ProcessRefund" || $0.name == "ProcessPayment") && $0.availableAt <= queue.now
        }) {
            if try !step() { Thread.sleep(forTimeInterval: 0.05) }
        }
    }

    // MARK: Local work: events and desk payments, many sagas per transaction

    /// Messages per transaction: enough to share one durable commit among many sagas, few enough
    /// that a runner killed mid-batch loses little.
    static let localLimit = 64

    func processLocalWork() throws -> Int {
        try queue.runDueLocalMessages(limit: Self.localLimit)
    }

    // MARK: Remote work: the payment service, outside any transaction

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
                    try queue.record(outcome(of: answer, for: claim), of: claim, runner: name)
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

    /// What the payment service's answer means for the claimed message; the queue stores it.
    func outcome(of answer: Answer, for claim: SagaCardCall) -> SagaCallOutcome {
        switch (claim.call, answer) {
        case (.charge, .payment(.succeeded(let reference))):
            // If the hold lapsed meanwhile, the saga refunds it (Failed + PaymentProcessed).
            return .event(.paymentProcessed(reference: reference))
        case (.charge, .payment(.declined(let reason))):
            return .event(.paymentFailed(reason: reason))
        case (.charge, .payment(.unreachable(let reason))) where !claim.inDoubt:
            // Nothing was sent and the circuit is open: say so now instead of holding the
            // room until the deadline. The guest can pay at the desk or try again.
            return .event(.paymentFailed(reason: Self.unreachableReason(reason)))
        case (_, .payment(.unavailable(let reason, let retryAfter, let reached))):
            return .retry(after: retryAfter, error: reason, countAsAttempt: reached || claim.inDoubt)
        case (_, .payment(.unreachable(let reason))):
            return .retry(after: 5, error: Self.unreachableReason(reason), countAsAttempt: claim.inDoubt)
        case (.refund, .payment(.succeeded(let reference))):
            return .refunded(reference: reference, summary: SagaCallOutcome.refundSummary(
                reference: reference, amount: claim.request.amount, currency: claim.request.currency, paidAtDesk: claim.paidAtDesk))
        case (.refund, .payment(.declined(let reason))), (.settle, .settlement(.refused(let reason))):
            return refused(claim, reason: reason)
        case (.settle, .settlement(.refunded(let reference))):
            return .refunded(reference: reference, summary: "The charge whose outcome was unknown had been made; refunded (\(reference))")
        case (.settle, .settlement(.voided(let reference))):
            return .voided(reference: reference)
        case (.settle, .settlement(.unavailable(let reason, let retryAfter))):
            return .retry(after: retryAfter, error: reason, countAsAttempt: true)
        default:
            return .retry(after: 60, error: "unexpected answer", countAsAttempt: true)
        }
    }

    static func unreachableReason(_ detail: String) -> String {
        // The circuit's own words say the first sentence again, with an instant in UTC: the
        // guest's answer is the first sentence alone. A cause worth naming (refused) is kept.
        let said = "Payment service unreachable: take the payment at the desk or try again later"
        return detail.lowercased().hasPrefix("payment service unreachable") ? said : said + " (\(detail.prefix(120)))"
    }

    /// A refund or settlement the service refused: retried with a growing wait, then left for a
    /// person ("needs attention") rather than retried for ever or pretended done.
    private func refused(_ claim: SagaCardCall, reason: String) -> SagaCallOutcome {
        // Refusals only: the timeouts and outages before them say nothing about this answer.
        let refusals = claim.refusals
        guard refusals + 1 >= Self.refusalsBeforeAttention else {
            return .retry(after: 60 * pow(2, Double(refusals)), error: reason, countAsAttempt: true, countAsRefusal: true)
        }
        let what = claim.call == .refund ? "Refund" : "Settling the unanswered charge"
        return .needsAttention(problem: "\(what) needs attention: the payment service refused \(refusals + 1) times (\(reason.prefix(120)))")
    }

    static let remoteLimit = 16

    private func claimRemoteWork() throws -> [SagaCardCall] {
        // A runner asked to stop claims nothing more: its process may be about to end, and a
        // claim it cannot answer waits out its lease on another instance.
        let (busy, stopping) = state.withLock { ($0.inFlight, $0.stopRequested) }
        if stopping { return [] }
        guard busy.count < Self.remoteLimit else { return [] }
        let claims = try queue.claimDueCardCalls(runner: name, lease: lease, limit: Self.remoteLimit - busy.count, skipping: busy)
        let started = queue.now
        state.withLock { state in
            for claim in claims {
                state.inFlight.insert(claim.messageId)
                state.callStarted[claim.messageId] = started
            }
        }
        return claims
    }

    /// This process's runner name, `runner-PID@HOST~PIDNS~BOOT~NONCE`. The PID namespace tells
    /// apart two containers that share a host name (each its server as PID 1); the boot id tells
    /// apart two machines that share a host name (cloned virtual machines: the host's own PID
    /// namespace has the same number on every Linux machine); the random nonce makes the name
    /// this process's alone even then, so no runner takes another's claims for its own.
    public static let processName = "runner-\(getpid())@\(machinePlace)~\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"

    /// `HOST~PIDNS~BOOT`: where a runner's process can be looked for with `kill`.
    public static let machinePlace = "\(ProcessInfo.processInfo.hostName)~\(pidNamespace)~\(bootId)"

    /// The first 12 hex digits of Linux's boot id (random at each boot); "0" where there is none.
    public static let bootId: String = {
        guard let text = try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8) else { return "0" }
        let digits = text.filter(\.isHexDigit).prefix(12)
        return digits.isEmpty ? "0" : String(digits)
    }()

    /// Linux's `/proc/self/ns/pid` ("pid:[4026531836]"), its number; "0" where there is none.
    public static let pidNamespace: String = {
        guard let link = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/ns/pid") else { return "0" }
        let digits = link.filter(\.isNumber)
        return digits.isEmpty ? "0" : digits
    }()

    /// The names of the runners whose claims this process can judge (`isAlive`): its own host,
    /// PID namespace and boot, as a LIKE pattern.
    public static var judgedHere: String { "runner-%@\(machinePlace)~%" }

    /// A claim by a process of this host, PID namespace and boot that no longer exists is void at
    /// once; other claims last until their lease runs out (a name of an older build, without a
    /// boot id, too: it may be another machine's of the same host name).
    public static func isAlive(_ runner: String) -> Bool {
        let parts = runner.dropFirst("runner-".count).split(separator: "@", maxSplits: 1)
        guard parts.count == 2, let pid = Int32(parts[0]) else { return true }
        guard parts[1].hasPrefix(machinePlace + "~") else { return true }
        // This process's PID under another name: an earlier process of this PID (a container's
        // server restarted as PID 1), gone.
        if pid == getpid() { return runner == processName }
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
        if due { try queue.reportRunnerStatus(runner: name, paymentService: description) }
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
                  summary: SagaCallOutcome.voidSummary(code, reference: reference))
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
