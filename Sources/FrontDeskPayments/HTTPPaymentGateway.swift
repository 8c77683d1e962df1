import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FrontDeskDomain

/// The payment service over HTTP (the simulator's API, see `PaymentSimulator`):
/// `POST /charges` and `POST /refunds` with an `Idempotency-Key` header that is the same on every
/// retry, so a retried charge is one charge. Transient failures (no connection, timeout, 5xx,
/// a malformed answer) are retried with backoff, counted by the circuit breaker, and end as
/// `.unavailable` for the runner to try again later; a decline is an answer, not a failure.
public final class HTTPPaymentGateway: PaymentGateway {
    let baseURL: URL
    let session: URLSession
    let attempts: Int
    let backoff: TimeInterval
    public let breaker: CircuitBreaker

    public init(baseURL: URL, timeout: TimeInterval = 5, attempts: Int = 3, backoff: TimeInterval = 0.2,
                breaker: CircuitBreaker = CircuitBreaker()) {
        self.baseURL = baseURL
        self.attempts = attempts
        self.backoff = backoff
        self.breaker = breaker
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = timeout
        session = URLSession(configuration: configuration)
    }

    /// From `FRONTDESK_PAYMENT_URL`; nil when it is not set. A malformed address is bad input.
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws(FrontDeskError) -> HTTPPaymentGateway? {
        guard let text = environment["FRONTDESK_PAYMENT_URL"], !text.isEmpty else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            throw .validationFailed(["FRONTDESK_PAYMENT_URL \(BookingRules.quoted(text)) is not an http:// address"])
        }
        return HTTPPaymentGateway(baseURL: url)
    }

    public var statusDescription: String { "\(baseURL.absoluteString): \(breaker.description)" }

    public func charge(_ request: ChargeRequest) -> PaymentOutcome {
        send(path: "charges", request: request, body: [
            "bookingId": request.bookingId.uuidString.lowercased(), "amount": request.amount.plain,
            "currency": request.currency, "card": request.cardNumber,
        ])
    }

    public func refund(_ request: ChargeRequest) -> PaymentOutcome {
        send(path: "refunds", request: request, body: [
            "bookingId": request.bookingId.uuidString.lowercased(), "amount": request.amount.plain,
        ])
    }

    private func send(path: String, request: ChargeRequest, body: [String: String]) -> PaymentOutcome {
        var lastProblem = "no answer"
        for attempt in 0..<attempts {
            if let wait = breaker.waitBeforeCalling() {
                return .unavailable(reason: "payment service unavailable (\(breaker.description))", retryAfter: wait)
            }
            if attempt > 0 { Thread.sleep(forTimeInterval: backoff * pow(2, Double(attempt - 1))) }
            switch call(path: path, key: request.idempotencyKey, body: body) {
            case .answered(let outcome):
                breaker.recordSuccess()
                return outcome
            case .transient(let problem):
                breaker.recordFailure()
                lastProblem = problem
            }
        }
        return .unavailable(reason: lastProblem, retryAfter: 2)
    }

    enum CallResult {
        case answered(PaymentOutcome)
        case transient(String)
    }

    private func call(path: String, key: String, body: [String: String]) -> CallResult {
        var request = URLRequest(url: baseURL.appendingPathComponent(path))
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
        request.httpBody = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        let done = DispatchSemaphore(value: 0)
        let result = ResultBox()
        let task = session.dataTask(with: request) { data, response, error in
            result.set(Self.interpret(data: data, response: response, error: error))
            done.signal()
        }
        task.resume()
        done.wait()
        return result.get() ?? .transient("no answer")
    }

    static func interpret(data: Data?, response: URLResponse?, error: (any Error)?) -> CallResult {
        if let error { return .transient("payment service unreachable: \(error.localizedDescription)") }
        guard let http = response as? HTTPURLResponse else { return .transient("payment service gave no HTTP answer") }
        let object = data.flatMap { try? JSONSerialization.jsonObject(with: $0) } as? [String: Any]
        switch http.statusCode {
        case 200, 201:
            guard let id = object?["id"] as? String, !id.isEmpty else {
                return .transient("payment service answered \(http.statusCode) without an id")
            }
            return .answered(.succeeded(reference: id))
        case 402, 404, 409, 422:
            let message = (object?["message"] as? String).map { String($0.prefix(200)) } ?? "refused (HTTP \(http.statusCode))"
            return .answered(.declined(reason: message))
        default:
            return .transient("payment service answered HTTP \(http.statusCode)")
        }
    }
}

/// Carries a URLSession callback's result back to the waiting runner thread.
private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: HTTPPaymentGateway.CallResult?
    func set(_ result: HTTPPaymentGateway.CallResult) { lock.withLock { value = result } }
    func get() -> HTTPPaymentGateway.CallResult? { lock.withLock { value } }
}
