import Foundation
#if canImport(Glibc)
import Glibc
#endif
import FrontDeskHTTP
import FrontDeskPayments
import FrontDeskSync
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

    /// Something posing as a server that answers with no end (a huge Content-Length, or a stream
    /// with none) must not fill the desk's memory: the call fails as one that may have reached the
    /// server, and the helper goes on serving the next call. The answer is cut off at the largest
    /// answer (said in words: `aStreamPastTheLargestAnswerIsCutOff`), or, where URLSession reads
    /// ahead of the cut faster than it is made (a loaded machine), the helper ends at its memory
    /// ceiling and the desk starts another.
    @Test(arguments: [true, false])
    func anAnswerWithNoEndIsCutOffAndSaid(announcedLength: Bool) throws {
        let flood = try FloodingServer(announcedLength: announcedLength)
        defer { flood.stop() }
        let helper = NetworkHelperExchange()
        let call = HTTPCall(method: "GET", url: "http://127.0.0.1:\(flood.port)/api/hotels/x/changes", timeout: 60)
        guard case .failed(let failure) = helper.perform(call) else {
            Issue.record("an endless answer was taken")
            return
        }
        #expect(failure.message.contains("larger than 64 MB") || failure.message.contains("network helper stopped"), "\(failure)")
        #expect(failure.mayHaveReachedService)
        // The helper is there for the next call.
        guard case .failed(let next) = helper.perform(HTTPCall(method: "GET", url: "http://127.0.0.1:9/", timeout: 2)) else {
            Issue.record("port 9 answered")
            return
        }
        #expect(next.kind == .notSent)
    }

    /// An answer past the largest one taken is cut off and said so, whether its Content-Length
    /// says so at once or it has none (in the desk's own process here, with a ceiling of 1 MB).
    @Test(arguments: [true, false])
    func aStreamPastTheLargestAnswerIsCutOff(announcedLength: Bool) throws {
        let flood = try FloodingServer(announcedLength: announcedLength)
        defer { flood.stop() }
        let exchange = URLSessionExchange(largestAnswer: 1 << 20)
        guard case .failed(let failure) = exchange.perform(HTTPCall(method: "GET", url: "http://127.0.0.1:\(flood.port)/", timeout: 60)) else {
            Issue.record("an endless answer was taken")
            return
        }
        #expect(failure.kind == .answerTooLarge && failure.message.contains("larger than 1 MB"), "\(failure)")
    }

    /// The sync client reads an endless answer where its server should be as "not a Front Desk
    /// server" (the address is wrong), not as the server being unreachable: the desk then says
    /// so and waits longer before asking again.
    @Test func anEndlessAnswerIsNotAFrontDeskServerToTheSyncClient() throws {
        let flood = try FloodingServer(announcedLength: false)
        defer { flood.stop() }
        // (In this process, with a ceiling of 1 MB: the cut, not the helper's memory ceiling.)
        let client = SyncClient(server: "http://127.0.0.1:\(flood.port)", hotelId: UUID().uuidString.lowercased(), token: "token",
                                exchange: URLSessionExchange(largestAnswer: 1 << 20), timeout: 60)
        #expect(client.answersAsFrontDesk(timeout: 60) == false)
        do {
            _ = try client.changes(since: 0)
            Issue.record("an endless answer was taken as changes")
        } catch {
            #expect(error.kind == .badServer && error.message.contains("not as a Front Desk server"), "\(error)")
        }
    }

    /// An answer that trickles in forever (never idle long enough for the session's own timeout)
    /// is given up at the call's timeout, not kept running beside the caller that stopped waiting.
    @Test func anAnswerThatNeverEndsIsGivenUpAtTheTimeout() throws {
        let flood = try FloodingServer(announcedLength: false, trickle: true)
        defer { flood.stop() }
        guard case .failed(let failure) = URLSessionExchange().perform(HTTPCall(method: "GET", url: "http://127.0.0.1:\(flood.port)/", timeout: 2)) else {
            Issue.record("a trickle with no end was taken as an answer")
            return
        }
        #expect(failure.mayHaveReachedService, "\(failure)")
        #expect(flood.connectionClosed(within: 5), "the connection is closed once the call gives up")
    }
}

/// A TCP server on 127.0.0.1 that answers any request with `200 OK` and then zeros without end:
/// a 3 GB Content-Length (`announcedLength`) or none (read until closed); `trickle` sends one
/// byte every 50 ms instead of as fast as the socket takes them.
final class FloodingServer: @unchecked Sendable {
    let port: Int
    private let listener: Int32
    private let lock = NSLock()
    private var sent = 0
    private var closed = false

    init(announcedLength: Bool, trickle: Bool = false) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw CocoaError(.fileWriteUnknown) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + (announcedLength ? "Content-Length: 3000000000\r\n" : "Connection: close\r\n") + "\r\n"
        Thread.detachNewThread { [self] in
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread { [self] in serve(client, head: Array(head.utf8), trickle: trickle) }
            }
        }
    }

    private func serve(_ client: Int32, head: [UInt8], trickle: Bool) {
        defer {
            close(client)
            lock.withLock { closed = true }
        }
        var request = [UInt8](repeating: 0, count: 65_536)
        guard read(client, &request, request.count) > 0, write(client, head, head.count) == head.count else { return }
        let zeros = [UInt8](repeating: 0x30, count: trickle ? 1 : 65_536)
        while true {
            let written = send(client, zeros, zeros.count, Int32(MSG_NOSIGNAL))
            if written <= 0 { return }
            lock.withLock { sent += written }
            if trickle { usleep(50_000) }
        }
    }

    var bytesSent: Int { lock.withLock { sent } }

    /// Whether a connection was closed by the client within `seconds`.
    func connectionClosed(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if lock.withLock({ closed }) { return true }
            usleep(50_000)
        }
        return false
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
