import Foundation
import FrontDeskHTTP
import FrontDeskPayments
import FrontDeskURLSession
import Testing

/// The network helper process that carries the desk's HTTP (`frontdesk-net`, beside the test binary).
@Suite(.serialized)
struct NetworkHelperTests {
    func charge(_ simulator: PaymentSimulator, card: String, key: String, timeout: Double = 5) -> HTTPCall {
        HTTPCall(method: "POST", url: "http://127.0.0.1:\(simulator.port)/charges",
                 headers: ["Content-Type": "application/json", "Idempotency-Key": key],
                 body: Data(#"{"bookingId":"\#(UUID().uuidString.lowercased())","amount":"120.00","currency":"EUR","card":"\#(card)"}"#.utf8),
                 timeout: timeout)
    }

    @Test func aSlowCallDoesNotHoldUpAFastOneThroughTheHelper() throws {
        let simulator = try PaymentSimulator(port: 0, slowDelay: 3)
        simulator.start()
        defer { simulator.stop() }
        let helper = NetworkHelperExchange()
        let slow = Thread { _ = helper.perform(charge(simulator, card: PaymentSimulator.slowCard, key: "slow")) }
        slow.start()
        Thread.sleep(forTimeInterval: 0.2)
        let started = Date()
        let result = helper.perform(charge(simulator, card: "4242424242424242", key: "fast"))
        guard case .answered(let status, _, let body) = result else {
            Issue.record("no answer: \(result)")
            return
        }
        #expect(status == 201 || status == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("\"id\""))
        #expect(Date().timeIntervalSince(started) < 2, "the fast charge waited for the slow one")
    }

    @Test func aRefusedConnectionIsNotSentAndTheSameAsURLSessionInProcess() throws {
        let call = HTTPCall(method: "POST", url: "http://127.0.0.1:9/charges", timeout: 2)
        let viaHelper = NetworkHelperExchange().perform(call)
        let inProcess = URLSessionExchange().perform(call)
        guard case .failed(let helperFailure) = viaHelper, case .failed(let directFailure) = inProcess else {
            Issue.record("expected failures, got \(viaHelper) and \(inProcess)")
            return
        }
        #expect(helperFailure.kind == .notSent)
        #expect(helperFailure.kind == directFailure.kind)
        // The same words; only curl's "after N ms" differs from one attempt to the next.
        let withoutTimes = { (message: String) in message.replacing(/after \d+ ms/, with: "after … ms") }
        #expect(withoutTimes(helperFailure.message) == withoutTimes(directFailure.message))
    }

    @Test func aMissingHelperIsNamedAndNothingWasSent() {
        let result = NetworkHelperExchange(executable: "/nonexistent/frontdesk-net")
            .perform(HTTPCall(method: "GET", url: "http://127.0.0.1:9/", timeout: 1))
        guard case .failed(let failure) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(failure.kind == .notSent)
        #expect(failure.message.contains("/nonexistent/frontdesk-net is missing"))
    }

    /// A helper that dies after reading the request: the call may have gone out, so it must not
    /// be reported as unsent (the saga then settles the charge by its key), and the next call
    /// starts a new helper rather than writing into a dead pipe.
    @Test func aHelperThatDiesMidCallFailsAsMaybeSentAndIsStartedAgain() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("helper-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let script = folder.appendingPathComponent("frontdesk-net")
        let starts = folder.appendingPathComponent("starts")
        try "#!/bin/sh\necho start >> '\(starts.path)'\nread line\nexit 3\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        let helper = NetworkHelperExchange(executable: script.path)
        let call = HTTPCall(method: "POST", url: "http://127.0.0.1:9/charges", timeout: 5)
        for _ in 1...2 {
            let started = Date()
            guard case .failed(let failure) = helper.perform(call) else {
                Issue.record("a dead helper gave an answer")
                return
            }
            #expect(failure.mayHaveReachedService)
            #expect(Date().timeIntervalSince(started) < 3, "the call waited out its timeout instead of seeing the helper die")
        }
        let lines = try String(contentsOf: starts, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
    }
}
