import Foundation
import FrontDeskDomain
import FrontDeskHTTP
import FrontDeskPayments
import FrontDeskURLSession
import Synchronization
import Testing

/// How the payment client reads a payment service's answers when a retry meets its own first
/// request: a 409 "this key is still being processed" (what processors answer while the first
/// try, which timed out here, goes on) keeps the charge in doubt; only a key voided before the
/// charge is a final refusal.
@Suite struct PaymentGatewayAnswerTests {
    /// Answers the calls in turn from `script`, and records each call's idempotency key.
    final class ScriptedService: HTTPExchange {
        let script: Mutex<[HTTPCallResult]>
        let keys = Mutex<[String]>([])
        init(_ script: [HTTPCallResult]) { self.script = Mutex(script) }
        func perform(_ call: HTTPCall) -> HTTPCallResult {
            keys.withLock { $0.append(call.headers["Idempotency-Key"] ?? "") }
            return script.withLock { $0.isEmpty ? .failed(HTTPFailure(kind: .notSent, message: "no more answers")) : $0.removeFirst() }
        }
    }

    static func charge(through service: ScriptedService) -> PaymentOutcome {
        let gateway = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, attempts: 2, backoff: 0,
                                         exchange: service, jitter: { 1 })
        return gateway.charge(ChargeRequest(bookingId: UUID(), amount: Money(minorUnits: 21_000), currency: "EUR",
                                            cardNumber: "4242424242424242", idempotencyKey: "charge-1"))
    }

    static func answer(_ status: Int, _ json: String) -> HTTPCallResult {
        .answered(status: status, headers: ["Content-Type": "application/json"], body: Data(json.utf8))
    }

    @Test func aRetryAnsweredKeyStillInUseLeavesTheChargeInDoubt() {
        let service = ScriptedService([
            .failed(HTTPFailure(kind: .timedOut, message: "no answer in 5 s")),
            Self.answer(409, #"{"error":"idempotency_key_in_use","message":"A request with this key is in progress"}"#),
        ])
        let outcome = Self.charge(through: service)
        guard case .unavailable(_, _, let mayHaveReached) = outcome else {
            Issue.record("taken as final: \(outcome)")
            return
        }
        #expect(mayHaveReached, "the charge may have been made: it must be settled by its key, not forgotten")
        #expect(service.keys.withLock { $0 } == ["charge-1", "charge-1"])
    }

    /// A proxy's 502/503/504 says the service behind it is not answering: it counts against the
    /// circuit. Timeouts do not, but the health line says the calls are failing (it said all was
    /// well while every call timed out).
    @Test func aProxysGatewayErrorsOpenTheCircuitAndTimeoutsShowInTheHealth() {
        let down = ScriptedService(Array(repeating: Self.answer(502, "{}"), count: 10))
        let proxied = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, attempts: 5, backoff: 0,
                                         breaker: CircuitBreaker(threshold: 5), exchange: down, jitter: { 1 })
        _ = proxied.charge(ChargeRequest(bookingId: UUID(), amount: Money(minorUnits: 100), currency: "EUR",
                                         cardNumber: "4242424242424242", idempotencyKey: "charge-2"))
        #expect(proxied.breaker.isOpen)

        let slow = ScriptedService(Array(repeating: .failed(HTTPFailure(kind: .timedOut, message: "no answer in 5 s")), count: 10))
        let hanging = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, attempts: 5, backoff: 0,
                                         breaker: CircuitBreaker(threshold: 5), exchange: slow, jitter: { 1 })
        _ = hanging.charge(ChargeRequest(bookingId: UUID(), amount: Money(minorUnits: 100), currency: "EUR",
                                         cardNumber: "4242424242424242", idempotencyKey: "charge-3"))
        #expect(!hanging.breaker.isOpen, "a timeout may have reached the service: in doubt, not unreachable")
        #expect(hanging.health == .failing(consecutiveFailures: 5), "\(hanging.health)")
        #expect(hanging.statusDescription.contains("5 calls in a row without an outcome"), "\(hanging.statusDescription)")
    }

    /// `saga status` showed "ProcessPayment (try 46: payment service did not answer in time: The
    /// operation could not be completed. (NSURLErrorDomain error -1001.))": Foundation's text
    /// for a URL error. A person reads short words; the log line keeps the code.
    @Test func aFailureIsSaidInShortWordsAndItsCodeGoesToTheLog() {
        let timedOut = URLSessionExchange.failure(for: URLError(.timedOut))
        #expect(timedOut == HTTPFailure(kind: .timedOut, message: "timed out", code: -1001))
        let refused = URLSessionExchange.failure(for: URLError(.cannotConnectToHost))
        #expect(refused.kind == .notSent && refused.message == "could not connect" && refused.code == -1004, "\(refused)")
        for code in [URLError.Code.networkConnectionLost, .cannotFindHost, .dnsLookupFailed, .notConnectedToInternet, .unknown] {
            let failure = URLSessionExchange.failure(for: URLError(code))
            #expect(!failure.message.contains("NSURLErrorDomain") && !failure.message.contains("could not be completed"),
                    "\(failure)")
            #expect(failure.code == code.rawValue)
        }

        let logged = Mutex<[String]>([])
        let gateway = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, attempts: 2, backoff: 0,
                                         exchange: ScriptedService([.failed(timedOut), .failed(timedOut)]), jitter: { 1 },
                                         reportCallWithoutOutcome: { line in logged.withLock { $0.append(line) } })
        let outcome = gateway.charge(ChargeRequest(bookingId: UUID(), amount: Money(minorUnits: 100), currency: "EUR",
                                                   cardNumber: "4242424242424242", idempotencyKey: "charge-4"))
        guard case .unavailable(let reason, _, _) = outcome else {
            Issue.record("a timeout is no outcome: \(outcome)")
            return
        }
        #expect(reason == "payment service did not answer in time", "\(reason)")
        let line = logged.withLock { $0 }.joined()
        #expect(line.contains("code=-1001") && line.contains("did not answer in time"), "\(line)")
    }

    @Test func aKeyVoidedBeforeTheChargeIsAFinalRefusal() {
        let service = ScriptedService([Self.answer(409, #"{"error":"voided","message":"This charge was cancelled before it was made"}"#)])
        guard case .declined(let reason) = Self.charge(through: service) else {
            Issue.record("a voided key must be final")
            return
        }
        #expect(reason.contains("cancelled before it was made"))
    }
}
