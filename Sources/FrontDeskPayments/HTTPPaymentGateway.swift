import Foundation
import FrontDeskDomain
import FrontDeskHTTP
import Synchronization

/// Where the payment service's address came from, so a bad one can be named to the person who
/// must fix it.
public enum PaymentServiceAddress {
    /// Checks an address as typed: http or https, a host, a port within 1...65535. `source` names
    /// where it came from ("FRONTDESK_PAYMENT_URL", "payment_url in ~/.config/frontdesk/config.toml").
    public static func parse(_ text: String, source: String) throws(FrontDeskError) -> URL {
        let shown = BookingRules.quoted(redacted(text))
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty,
              let url = components.url else {
            throw .validationFailed(["\(source) \(shown) is not an http:// address (e.g. http://127.0.0.1:8099)"])
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .validationFailed(["\(source) \(shown) has port \(port); a port is 1 to 65535"])
        }
        return url
    }

    /// The address with any password replaced, for everything a person or a log sees.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else {
            // Not parseable: hide whatever sits between "://" and "@" all the same.
            guard let scheme = text.range(of: "://"), let at = text.range(of: "@", range: scheme.upperBound..<text.endIndex) else { return text }
            return String(text[..<scheme.upperBound]) + "***" + String(text[at.lowerBound...])
        }
        components.password = "***"
        return components.string ?? text
    }
}

/// The payment service over HTTP (the simulator's API, see `PaymentSimulator`):
/// `POST /charges`, `POST /refunds` and `POST /voids` with an `Idempotency-Key` header that is the
/// same on every retry, so a retried charge is one charge. Transient failures (no connection,
/// timeout, 5xx, a malformed answer) are retried with jittered backoff, counted by the circuit
/// breaker, and end as `.unavailable` for the runner to try again later; a decline is an answer,
/// not a failure.
public final class HTTPPaymentGateway: PaymentGateway {
    let baseURL: URL
    let exchange: any HTTPExchange
    let timeout: TimeInterval
    let attempts: Int
    let backoff: TimeInterval
    public let breaker: CircuitBreaker
    /// A factor in 0.5..<1.5 for each wait, so runners that failed together do not retry together.
    let jitter: @Sendable () -> Double
    /// Told of each call that ended without an outcome after its retries (a 500, a timeout, no
    /// connection), in words with no card number: the server logs it, so an operator sees every
    /// card failing before the holds lapse. Calls skipped while the circuit is open are not told.
    let reportCallWithoutOutcome: (@Sendable (String) -> Void)?

    /// `exchange` defaults to the network helper process, so that a program using this gateway
    /// links no networking library (see `NetworkHelperExchange`).
    public init(baseURL: URL, timeout: TimeInterval = 5, attempts: Int = 3, backoff: TimeInterval = 0.2,
                breaker: CircuitBreaker = CircuitBreaker(),
                exchange: any HTTPExchange = NetworkHelperExchange.shared,
                jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.5..<1.5) },
                reportCallWithoutOutcome: (@Sendable (String) -> Void)? = nil) {
        self.baseURL = baseURL
        self.exchange = exchange
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.breaker = breaker
        self.jitter = jitter
        self.reportCallWithoutOutcome = reportCallWithoutOutcome
    }

    /// From `FRONTDESK_PAYMENT_URL`; nil when it is not set. A malformed address is bad input.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(FrontDeskError) -> HTTPPaymentGateway? {
        guard let text = environment["FRONTDESK_PAYMENT_URL"], !text.isEmpty else { return nil }
        return HTTPPaymentGateway(baseURL: try PaymentServiceAddress.parse(text, source: "FRONTDESK_PAYMENT_URL"))
    }

    /// Calls in a row that ended inconclusive (timed out, a 500): they do not open the circuit,
    /// but the health line must not say all is well while they go on.
    private let unanswered = Mutex(0)

    private func inconclusive() {
        breaker.recordInconclusive()
        unanswered.withLock { $0 += 1 }
    }

    public var health: PaymentServiceHealth {
        switch breaker.current {
        case .closed(let failures):
            let failing = max(failures, unanswered.withLock { $0 })
            return failing == 0 ? .answering : .failing(consecutiveFailures: failing)
        case .open(let until): return .unreachable(until: until)
        case .halfOpen: return .trying
        }
    }

    /// Calls in a row that ended without an outcome (timed out, a 500): the circuit stays closed
    /// for them, so `/metrics` shows this beside its state.
    public var callsWithoutOutcome: Int { unanswered.withLock { $0 } }

    public var statusDescription: String {
        let unansweredCalls = unanswered.withLock { $0 }
        return "\(PaymentServiceAddress.redacted(baseURL.absoluteString)): \(breaker.description)"
            + (unansweredCalls > 0 ? "; \(unansweredCalls) call\(unansweredCalls == 1 ? "" : "s") in a row without an outcome" : "")
    }

    public func charge(_ request: ChargeRequest) -> PaymentOutcome {
        send(path: "charges", request: request, body: [
            "bookingId": request.bookingId.uuidString.lowercased(), "amount": request.amount.plain,
            "currency": request.currency, "card": request.cardNumber,
        ])
    }

    public func refund(_ request: ChargeRequest) -> PaymentOutcome {
        send(path: "refunds", request: request, body: [
            "bookingId": request.bookingId.uuidString.lowercased(), "amount": request.amount.plain, "currency": request.currency,
        ])
    }

    public func settleUnknownCharge(_ request: ChargeRequest) -> SettlementOutcome {
        let booking = request.bookingId.uuidString.lowercased()
        let voidKey = "void-\(booking)"
        let outcome = send(path: "voids", key: voidKey, body: ["bookingId": booking, "chargeKey": request.idempotencyKey])
        switch outcome {
        case .succeeded(let reference, let status):
            return status == "voided" ? .voided(reference: reference) : .refunded(reference: reference)
        case .declined(let reason): return .refused(reason: reason)
        case .unavailable(let reason, let retryAfter, _): return .unavailable(reason: reason, retryAfter: retryAfter)
        case .unreachable(let reason): return .unavailable(reason: reason, retryAfter: breaker.waitBeforeCalling() ?? 5)
        }
    }

    private func send(path: String, request: ChargeRequest, body: [String: String]) -> PaymentOutcome {
        switch send(path: path, key: request.idempotencyKey, body: body) {
        case .succeeded(let reference, _): .succeeded(reference: reference)
        case .declined(let reason): .declined(reason: reason)
        case .unavailable(let reason, let retryAfter, let reached):
            .unavailable(reason: reason, retryAfter: retryAfter, mayHaveReachedService: reached)
        case .unreachable(let reason): .unreachable(reason: reason)
        }
    }

    enum Answer {
        case succeeded(reference: String, status: String?)
        case declined(String)
        case unavailable(reason: String, retryAfter: TimeInterval, mayHaveReachedService: Bool)
        case unreachable(String)
    }

    private func send(path: String, key: String, body: [String: String]) -> Answer {
        var lastProblem = "no answer"
        // The system's code of the last failure without an answer, for the log line only.
        var lastCode: Int?
        var reached = false
        for attempt in 0..<attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: backoff * pow(2, Double(attempt - 1)) * jitter()) }
            if let wait = breaker.waitBeforeCalling() {
                let problem = "payment service unreachable (\(breaker.description))"
                return reached || !breaker.isOpen
                    ? .unavailable(reason: problem, retryAfter: wait * jitter(), mayHaveReachedService: reached)
                    : .unreachable(problem)
            }
            switch call(path: path, key: key, body: body) {
            case .answered(let answer):
                breaker.recordSuccess()
                unanswered.withLock { $0 = 0 }
                return answer
            case .transient(let problem, let mayHaveReached, let code):
                // A call that surely never arrived (refused, not sent) counts against the
                // circuit. One that timed out or broke off says nothing either way: one slow card
                // timing out again and again opened the circuit, and every other card then failed
                // at once as "unreachable" while the service was up. It is counted apart, for
                // the health line.
                if mayHaveReached { inconclusive() } else { breaker.recordFailure() }
                lastProblem = problem
                lastCode = code
                reached = reached || mayHaveReached
            case .failedAnswer(let problem, let fromAGateway):
                // A 500 for this request, or an answer without an id: the service is up, and one
                // card it chokes on, retried while in doubt, must not fail every other card as
                // "unreachable". A 502, 503 or 504 is a proxy's word that the service behind it is
                // not answering: that counts against the circuit.
                if fromAGateway { breaker.recordFailure() } else { inconclusive() }
                lastProblem = problem
                lastCode = nil
                reached = true
            case .stillProcessing(let problem):
                // The service answers, so the circuit stays closed; the key's first request is at
                // the service and may yet succeed.
                breaker.recordSuccess()
                unanswered.withLock { $0 = 0 }
                lastProblem = problem
                lastCode = nil
                reached = true
            }
        }
        reportCallWithoutOutcome?("payment call \(path) for booking \(body["bookingId"] ?? "-") ended without an outcome after "
            + "\(attempts) attempt\(attempts == 1 ? "" : "s") (\(CardNumber.redacted(in: lastProblem))\(lastCode.map { "; code=\($0)" } ?? ""))"
            + (reached ? "; it may have reached the service and is asked again under its key" : "; it never reached the service"))
        if !reached && breaker.isOpen { return .unreachable(lastProblem) }
        return .unavailable(reason: lastProblem, retryAfter: 2 * jitter(), mayHaveReachedService: reached)
    }

    enum CallResult {
        case answered(Answer)
        /// No answer came (refused, reset, timed out); `mayHaveReached` is false when the request
        /// surely never arrived; `code`: the system's code of the failure, for the log only.
        case transient(String, mayHaveReached: Bool, code: Int?)
        /// An answer, but not an outcome (HTTP 5xx, or success without an id): the request may
        /// have been acted on. `fromAGateway`: 502, 503 or 504, a proxy's (or the service's own)
        /// word that the service is not answering.
        case failedAnswer(String, fromAGateway: Bool)
        /// 409 for a key whose first request the service is still working on (a retry after a
        /// timeout): not a refusal. Taken as a decline, the booking failed and released its room
        /// while the first request went on to charge the card, with nothing left to settle it.
        case stillProcessing(String)
    }

    private func call(path: String, key: String, body: [String: String]) -> CallResult {
        let call = HTTPCall(
            method: "POST", url: baseURL.appendingPathComponent(path).absoluteString,
            headers: ["Content-Type": "application/json", "Idempotency-Key": key],
            body: try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]),
            timeout: timeout
        )
        return Self.interpret(exchange.perform(call))
    }

    static func interpret(_ result: HTTPCallResult) -> CallResult {
        switch result {
        case .failed(let failure):
            // What a person reads (`saga status`, the desk's status line): a timeout in those words
            // alone; else the failure's short words ("could not connect"). Foundation's own text was
            // shown: "… in time: The operation could not be completed. (NSURLErrorDomain error
            // -1001.)". The code goes to the log.
            let problem = failure.kind == .timedOut
                ? "payment service did not answer in time" : "payment service unreachable: \(failure.message)"
            return .transient(problem, mayHaveReached: failure.mayHaveReachedService, code: failure.code)
        case .answered(let status, _, let data):
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            switch status {
            case 200, 201:
                guard let id = object?["id"] as? String, !id.isEmpty else {
                    return .failedAnswer("payment service answered \(status) without an id", fromAGateway: false)
                }
                return .answered(.succeeded(reference: id, status: object?["status"] as? String))
            case 409 where object?["error"] as? String != "voided":
                return .stillProcessing("payment service answered 409: a request with this key is still being processed")
            case 402, 404, 409, 422:
                let message = (object?["message"] as? String).map { String($0.prefix(200)) } ?? "refused (HTTP \(status))"
                return .answered(.declined(message))
            default:
                return .failedAnswer("payment service answered HTTP \(status)", fromAGateway: [502, 503, 504].contains(status))
            }
        }
    }
}
