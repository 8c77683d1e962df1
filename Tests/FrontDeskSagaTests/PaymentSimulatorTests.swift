import Foundation
import FrontDeskPayments
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A raw HTTP/1.1 client over a POSIX socket, so tests can send what URLSession never would.
struct RawClient {
    let descriptor: Int32

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds.
    init(port: UInt16, timeout: TimeInterval = 10) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if connected != 0 {
            Glibc.close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }

    func send(_ text: String) { send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBufferPointer { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }

    /// Everything until the server closes (or the read timeout): (status, body); status 0 if none.
    func readResponse() -> (status: Int, body: String) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(descriptor, &chunk, chunk.count, 0)
            if count <= 0 { break }
            bytes += chunk[0..<count]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let status = text.split(separator: " ", maxSplits: 2).dropFirst().first.flatMap { Int($0) } ?? 0
        let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
        return (status, body)
    }

    func close() { Glibc.close(descriptor) }

    /// One request on a new connection.
    static func call(_ port: UInt16, _ method: String, _ path: String, key: String? = nil, json: [String: String]? = nil) throws -> (status: Int, body: [String: Any]) {
        let client = try RawClient(port: port)
        defer { client.close() }
        let body = try json.map { try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) } ?? Data()
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        if let key { head += "Idempotency-Key: \(key)\r\n" }
        head += "Content-Length: \(body.count)\r\n\r\n"
        client.send(Array(head.utf8) + [UInt8](body))
        let (status, text) = client.readResponse()
        return (status, (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:])
    }
}

/// The simulator's request parser: bytes in, a request or the reason it is refused.
@Suite struct HTTPRequestParserTests {
    func parse(_ text: String, limits: HTTPRequestParser.Limits = .init()) -> HTTPRequestParser.Outcome {
        HTTPRequestParser.parse(Array(text.utf8), limits: limits)
    }

    @Test func aCompleteRequestIsReadWithItsHeadersAndBody() throws {
        let outcome = parse("POST /charges?x=1 HTTP/1.1\r\nIdempotency-Key:  k-1 \r\nContent-Length: 2\r\n\r\n{}")
        guard case .complete(let request) = outcome else { Issue.record("not complete: \(outcome)"); return }
        #expect(request.method == "POST")
        #expect(request.path == "/charges")
        #expect(request.headers["idempotency-key"] == "k-1")
        #expect(request.body == Array("{}".utf8))
    }

    @Test func everyPrefixOfARequestIsIncompleteUntilTheLastByte() {
        let bytes = Array("POST /refunds HTTP/1.1\r\nContent-Length: 5\r\nIdempotency-Key: r\r\n\r\nhello".utf8)
        for end in 0..<bytes.count {
            #expect(HTTPRequestParser.parse(Array(bytes[0..<end])) == .incomplete, "prefix of \(end) bytes")
        }
        guard case .complete = HTTPRequestParser.parse(bytes) else { Issue.record("the whole request is not complete"); return }
    }

    @Test(arguments: ["-1", "-99999999", "+5", "abc", "", "1e3", "0x10", "5 5", "5, 5", "99999999999999999999999", "١٢"])
    func aContentLengthThatIsNotAPlainNumberIsRefusedWith400(_ value: String) {
        let outcome = parse("POST /charges HTTP/1.1\r\nContent-Length: \(value)\r\n\r\n{}")
        #expect(outcome == .invalid(.invalidContentLength))
        #expect(HTTPRequestParser.ParseError.invalidContentLength.status == 400)
    }

    @Test func aContentLengthAboveTheBodyLimitIsRefusedBeforeTheBodyArrives() {
        let outcome = parse("POST /charges HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n", limits: .init(maxBodyBytes: 1 << 20))
        #expect(outcome == .invalid(.bodyTooLarge(limit: 1 << 20)))
        #expect(HTTPRequestParser.ParseError.bodyTooLarge(limit: 1).status == 400)
    }

    @Test func twoDifferentContentLengthsAreRefused() {
        #expect(parse("POST /charges HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}") == .invalid(.invalidContentLength))
    }

    @Test func aHeaderSectionWithoutItsEndWaitsUntilTheLimitThenIsRefusedWith431() {
        let limits = HTTPRequestParser.Limits(maxHeaderBytes: 1024)
        #expect(parse("GET /health HTTP/1.1\r\nHost: x\r\n", limits: limits) == .incomplete)
        let long = "GET /health HTTP/1.1\r\nX-Filler: " + String(repeating: "a", count: 1100)
        #expect(parse(long, limits: limits) == .invalid(.headersTooLarge(limit: 1024)))
        #expect(parse(long + "\r\n\r\n", limits: limits) == .invalid(.headersTooLarge(limit: 1024)))
        #expect(HTTPRequestParser.ParseError.headersTooLarge(limit: 1024).status == 431)
    }

    @Test func malformedLinesAreRefused() {
        #expect(parse("GET\r\n\r\n") == .invalid(.malformedRequestLine))
        #expect(parse("GET health HTTP/1.1\r\n\r\n") == .invalid(.malformedRequestLine))
        #expect(parse("GET /a b HTTP/1.1\r\n\r\n") == .invalid(.malformedRequestLine))
        #expect(parse("\u{1B}[2J /x HTTP/1.1\r\n\r\n") == .invalid(.malformedRequestLine))
        #expect(parse("GET /health HTTP/2.0\r\n\r\n") == .invalid(.unsupportedVersion))
        #expect(parse("GET /health HTTP/1.1\r\nno colon here\r\n\r\n") == .invalid(.malformedHeader))
        #expect(parse("GET /health HTTP/1.1\r\n folded: x\r\n\r\n") == .invalid(.malformedHeader))
        #expect(parse("GET /health HTTP/1.1\r\nX: a\rb\r\n\r\n") == .invalid(.malformedHeader))
        #expect(parse("POST /charges HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == .invalid(.transferEncodingNotSupported))
    }
}

/// The simulator as a server: hostile connections, its ledger file, voids.
@Suite struct PaymentSimulatorTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("payment-sim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func started(_ simulator: PaymentSimulator) -> PaymentSimulator {
        simulator.start()
        return simulator
    }

    func chargeBody(_ booking: String, card: String = PaymentSimulator.approveCard) -> [String: String] {
        ["bookingId": booking, "amount": "120.00", "currency": "EUR", "card": card]
    }

    func voidBody(_ booking: String) -> [String: String] { ["bookingId": booking, "chargeKey": "charge-\(booking)"] }

    func counts(_ simulator: PaymentSimulator, _ booking: String) -> [Int] {
        let entry = simulator.report.first { $0["bookingId"] as? String == booking }
        return ["charged", "refunded", "voided"].map { entry?[$0] as? Int ?? 0 }
    }

    static func threadCount() -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").count) ?? 0
    }

    @Test func aNegativeContentLengthGets400AndTheSimulatorKeepsServingAndItsLedger() throws {
        let simulator = started(try PaymentSimulator(port: 0))
        defer { simulator.stop() }
        #expect(try RawClient.call(simulator.port, "POST", "/charges", key: "charge-b1", json: chargeBody("b1")).status == 200)
        for bad in ["-1", "abc", "99999999999999999999999"] {
            let client = try RawClient(port: simulator.port)
            client.send("POST /charges HTTP/1.1\r\nIdempotency-Key: charge-b2\r\nContent-Length: \(bad)\r\n\r\n{}")
            let (status, body) = client.readResponse()
            client.close()
            #expect(status == 400, "Content-Length \(bad)")
            #expect(body.contains("Content-Length"))
        }
        let client = try RawClient(port: simulator.port)
        client.send("GET /health HTTP/1.1\r\nX: " + String(repeating: "h", count: 20_000) + "\r\n\r\n")
        #expect(client.readResponse().status == 431)
        client.close()
        #expect(try RawClient.call(simulator.port, "GET", "/health").status == 200)
        #expect(counts(simulator, "b1") == [1, 0, 0])
    }

    @Test func threeHundredIdleConnectionsHoldNoThreadsAndAChargeStillAnswersPromptly() throws {
        let simulator = started(try PaymentSimulator(port: 0, limits: .init(readTimeout: 60)))
        defer { simulator.stop() }
        let before = Self.threadCount()
        let idle = try (0..<300).map { _ in try RawClient(port: simulator.port) }
        defer { idle.forEach { $0.close() } }
        let deadline = Date().addingTimeInterval(10)
        while simulator.openConnections < 300, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(simulator.openConnections == 300)

        let start = Date()
        let answer = try RawClient.call(simulator.port, "POST", "/charges", key: "charge-busy", json: chargeBody("busy"))
        #expect(answer.status == 200)
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(simulator.workerThreads <= simulator.limits.maxWorkers)
        // One polling thread and a worker or two, not one thread per connection (other tests run
        // at the same time, hence the margin).
        #expect(Self.threadCount() - before < 40, "threads before \(before), after \(Self.threadCount())")
    }

    @Test func atTheConnectionCapTheLongestIdleConnectionMakesRoomAndBusyOnesGet503() throws {
        let simulator = started(try PaymentSimulator(port: 0, limits: .init(readTimeout: 60, maxConnections: 4)))
        defer { simulator.stop() }
        func waitFor(_ count: Int) {
            let deadline = Date().addingTimeInterval(10)
            while simulator.openConnections != count, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        }
        let idle = try (0..<4).map { index in
            let client = try RawClient(port: simulator.port)
            waitFor(index + 1) // accepted in this order
            return client
        }
        defer { idle.forEach { $0.close() } }
        waitFor(4)
        let start = Date()
        #expect(try RawClient.call(simulator.port, "POST", "/charges", key: "charge-cap", json: chargeBody("cap")).status == 200)
        #expect(Date().timeIntervalSince(start) < 2)
        #expect(idle[0].readResponse().status == 503) // the oldest idle one was closed for it

        // Four connections each in the middle of a request: nothing to close, so 503 at once.
        let busy = try (0..<4).map { _ in try RawClient(port: simulator.port) }
        defer { busy.forEach { $0.close() } }
        busy.forEach { $0.send("POST /charges HTTP/1.1\r\nContent-Length: 10\r\n\r\n{") }
        let deadline = Date().addingTimeInterval(10)
        while simulator.openConnections != 4 || simulator.idleConnections != 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(simulator.idleConnections == 0)
        let extra = try RawClient(port: simulator.port)
        defer { extra.close() }
        #expect(extra.readResponse().status == 503)
    }

    @Test func aRequestThatStallsIsAnswered408AndClosedAfterTheReadTimeout() throws {
        let simulator = started(try PaymentSimulator(port: 0, limits: .init(readTimeout: 0.3)))
        defer { simulator.stop() }
        let client = try RawClient(port: simulator.port)
        defer { client.close() }
        let start = Date()
        client.send("POST /charges HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"booking")
        let (status, _) = client.readResponse()
        let waited = Date().timeIntervalSince(start)
        #expect(status == 408)
        #expect(waited >= 0.25 && waited < 5, "closed after \(waited) s")
        let silent = try RawClient(port: simulator.port)
        defer { silent.close() }
        #expect(silent.readResponse().status == 408)
        #expect(simulator.workerThreads <= 1)
        let deadline = Date().addingTimeInterval(5)
        while simulator.openConnections > 0, Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(simulator.openConnections == 0)
    }

    @Test func theLedgerFileKeepsChargesAcrossARestartSoARefundStillWorks() throws {
        let path = folder.appendingPathComponent("ledger.jsonl").path
        let first = started(try PaymentSimulator(port: 0, ledgerPath: path))
        #expect(try RawClient.call(first.port, "POST", "/charges", key: "charge-g1", json: chargeBody("g1")).body["id"] as? String == "ch_1")
        #expect(try RawClient.call(first.port, "POST", "/voids", key: "void-g2", json: voidBody("g2")).body["status"] as? String == "voided")
        #expect(throws: PaymentSimulator.SimulatorError.self) { try PaymentSimulator(port: 0, ledgerPath: path) }
        first.stop()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let second = started(try PaymentSimulator(port: 0, ledgerPath: path))
        defer { second.stop() }
        #expect(counts(second, "g1") == [1, 0, 0])
        let refund = try RawClient.call(second.port, "POST", "/refunds", key: "refund-g1", json: ["bookingId": "g1", "amount": "120.00"])
        #expect(refund.status == 200)
        #expect(refund.body["id"] as? String == "re_1")
        #expect(try RawClient.call(second.port, "POST", "/charges", key: "charge-g1", json: chargeBody("g1")).body["id"] as? String == "ch_1")
        #expect(try RawClient.call(second.port, "POST", "/charges", key: "charge-g2", json: chargeBody("g2")).status == 409)
        #expect(try RawClient.call(second.port, "POST", "/charges", key: "charge-g3", json: chargeBody("g3")).body["id"] as? String == "ch_2")
        #expect(counts(second, "g1") == [1, 1, 0])
        #expect(counts(second, "g2") == [0, 0, 1])
    }

    @Test func aLedgerCutShortByACrashLosesOnlyItsUnfinishedLineAndAGarbledOneStopsTheStart() throws {
        let path = folder.appendingPathComponent("torn.jsonl").path
        let first = started(try PaymentSimulator(port: 0, ledgerPath: path))
        #expect(try RawClient.call(first.port, "POST", "/charges", key: "charge-t1", json: chargeBody("t1")).status == 200)
        first.stop()
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"kind":"charge","key":"charge-t2","book"#.utf8))
        handle.closeFile()

        let second = started(try PaymentSimulator(port: 0, ledgerPath: path))
        #expect(counts(second, "t1") == [1, 0, 0])
        #expect(second.report.count == 1)
        #expect(try RawClient.call(second.port, "POST", "/charges", key: "charge-t3", json: chargeBody("t3")).status == 200)
        second.stop()
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)

        var garbled = Data("not json\n".utf8)
        garbled.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        try garbled.write(to: URL(fileURLWithPath: path))
        #expect(throws: PaymentSimulator.SimulatorError.badLedger("line 1 of \(path) is not a ledger entry")) {
            try PaymentSimulator(port: 0, ledgerPath: path)
        }
    }

    @Test func aVoidAfterAChargeRefundsItAndRepeatsTheSameAnswer() throws {
        let simulator = started(try PaymentSimulator(port: 0))
        defer { simulator.stop() }
        #expect(try RawClient.call(simulator.port, "POST", "/charges", key: "charge-v1", json: chargeBody("v1")).status == 200)
        let void = try RawClient.call(simulator.port, "POST", "/voids", key: "void-v1", json: voidBody("v1"))
        #expect(void.status == 200)
        #expect(void.body["status"] as? String == "refunded")
        #expect((void.body["id"] as? String)?.hasPrefix("re_") == true)
        let again = try RawClient.call(simulator.port, "POST", "/voids", key: "void-v1", json: voidBody("v1"))
        #expect(again.status == 200)
        #expect(again.body["id"] as? String == void.body["id"] as? String)
        #expect(again.body["status"] as? String == "refunded")
        #expect(counts(simulator, "v1") == [1, 1, 0])
    }

    @Test func aVoidOfAChargeRefundedEarlierAnswersThatRefund() throws {
        let simulator = started(try PaymentSimulator(port: 0))
        defer { simulator.stop() }
        _ = try RawClient.call(simulator.port, "POST", "/charges", key: "charge-v2", json: chargeBody("v2"))
        let refund = try RawClient.call(simulator.port, "POST", "/refunds", key: "refund-v2", json: ["bookingId": "v2", "amount": "120.00"])
        let void = try RawClient.call(simulator.port, "POST", "/voids", key: "void-v2", json: voidBody("v2"))
        #expect(void.status == 200)
        #expect(void.body["id"] as? String == refund.body["id"] as? String)
        #expect(void.body["status"] as? String == "refunded")
        #expect(counts(simulator, "v2") == [1, 1, 0])
    }

    @Test func aVoidBeforeAnyChargeMakesTheLaterChargeBeRefused() throws {
        let simulator = started(try PaymentSimulator(port: 0))
        defer { simulator.stop() }
        let void = try RawClient.call(simulator.port, "POST", "/voids", key: "void-v3", json: voidBody("v3"))
        #expect(void.status == 200)
        #expect(void.body["status"] as? String == "voided")
        #expect(void.body["id"] as? String == "vo_1")
        let charge = try RawClient.call(simulator.port, "POST", "/charges", key: "charge-v3", json: chargeBody("v3"))
        #expect(charge.status == 409)
        #expect(charge.body["error"] as? String == "voided")
        let again = try RawClient.call(simulator.port, "POST", "/voids", key: "void-v3", json: voidBody("v3"))
        #expect(again.status == 200)
        #expect(again.body["id"] as? String == "vo_1")
        #expect(again.body["status"] as? String == "voided")
        #expect(counts(simulator, "v3") == [0, 0, 1])
        #expect(try RawClient.call(simulator.port, "POST", "/voids", key: "void-v4", json: ["bookingId": "v4"]).status == 400)
    }

    @Test func aChargeInFlightWhenTheVoidArrivesIsRefused() throws {
        // The charge's latency is held open until the void has been answered.
        let chargeArrived = DispatchSemaphore(value: 0)
        let voidAnswered = DispatchSemaphore(value: 0)
        let simulator = started(try PaymentSimulator(port: 0, delay: { path in
            if path == "/charges" {
                chargeArrived.signal()
                voidAnswered.wait()
            }
        }))
        defer { simulator.stop() }
        let lateCharge = Mutex<Int?>(nil)
        let chargeDone = DispatchSemaphore(value: 0)
        let port = simulator.port
        let body = chargeBody("v5")
        Thread {
            let answer = try? RawClient.call(port, "POST", "/charges", key: "charge-v5", json: body)
            lateCharge.withLock { $0 = answer?.status }
            chargeDone.signal()
        }.start()
        #expect(chargeArrived.wait(timeout: .now() + 10) == .success)
        let void = try RawClient.call(port, "POST", "/voids", key: "void-v5", json: voidBody("v5"))
        #expect(void.body["status"] as? String == "voided")
        voidAnswered.signal()
        #expect(chargeDone.wait(timeout: .now() + 10) == .success)
        #expect(lateCharge.withLock { $0 } == 409)
        #expect(counts(simulator, "v5") == [0, 0, 1])
    }

    @Test func unknownPathsAndMethodsAreAnsweredNotCrashedOn() throws {
        let simulator = started(try PaymentSimulator(port: 0))
        defer { simulator.stop() }
        #expect(try RawClient.call(simulator.port, "GET", "/nothing").status == 404)
        #expect(try RawClient.call(simulator.port, "DELETE", "/charges").status == 405)
        #expect(try RawClient.call(simulator.port, "POST", "/charges", key: "k", json: ["bookingId": "x"]).status == 400)
        #expect(try RawClient.call(simulator.port, "POST", "/charges").status == 400)
    }
}
