import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small payment service for tests and training, on 127.0.0.1 only.
///
/// API: `POST /charges {"bookingId","amount","currency","card"}` and
/// `POST /refunds {"bookingId","amount"}`, each with an `Idempotency-Key` header (a repeated key
/// is the same charge or refund); `GET /charges` reports
/// `{"charges":[{"bookingId","amount","charged":N,"refunded":N}]}`; `GET /health`.
/// Test cards: 4242424242424242 approves, 4000000000000002 is declined, 4000000000000119 answers
/// HTTP 500, 4000000000000259 answers 504 only after `slowDelay` (60 s) and charges nothing.
public final class PaymentSimulator: Sendable {
    public static let approveCard = "4242424242424242"
    public static let declineCard = "4000000000000002"
    public static let errorCard = "4000000000000119"
    public static let slowCard = "4000000000000259"

    struct Ledger {
        /// Idempotency key -> booking, amount; one entry per distinct successful charge.
        var charges: [String: (booking: String, amount: String, id: String)] = [:]
        var refunds: [String: (booking: String, id: String)] = [:]
        var order: [String] = []
    }

    private let ledger = Mutex(Ledger())
    private let listener: Int32
    public let port: UInt16
    let slowDelay: TimeInterval
    /// Added to every charge and refund, like a real processor's round trip.
    let latency: TimeInterval
    private let stopped = Atomic<Bool>(false)

    /// Binds 127.0.0.1:`port` (0 picks a free port; see `port`).
    public init(port: UInt16, slowDelay: TimeInterval = 60, latency: TimeInterval = 0) throws {
        self.slowDelay = slowDelay
        self.latency = latency
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw SimulatorError.cannotListen("socket() failed") }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(socket, 128) == 0 else {
            close(socket)
            throw SimulatorError.cannotListen("port \(port) on 127.0.0.1 is not free")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        listener = socket
        self.port = UInt16(bigEndian: actual.sin_port)
    }

    public enum SimulatorError: Error, CustomStringConvertible {
        case cannotListen(String)
        public var description: String {
            switch self { case .cannotListen(let reason): "payment simulator cannot listen: \(reason)" }
        }
    }

    /// Accepts connections on a background thread, one thread per connection.
    public func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let connection = accept(listener, nil, nil)
                if connection < 0 { if stopped.load(ordering: .relaxed) { break } else { continue } }
                let worker = Thread { [self] in serve(connection) }
                worker.start()
            }
        }
        thread.start()
    }

    public func stop() {
        stopped.store(true, ordering: .relaxed)
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    /// `{"charges":[...]}` as `GET /charges` reports it.
    public var report: [[String: Any]] {
        ledger.withLock { ledger in
            var byBooking: [String: (amount: String, charged: Int, refunded: Int)] = [:]
            var order: [String] = []
            for key in ledger.order {
                if let charge = ledger.charges[key] {
                    if byBooking[charge.booking] == nil { order.append(charge.booking) }
                    byBooking[charge.booking, default: (charge.amount, 0, 0)].charged += 1
                } else if let refund = ledger.refunds[key] {
                    if byBooking[refund.booking] == nil { order.append(refund.booking) }
                    byBooking[refund.booking, default: ("0.00", 0, 0)].refunded += 1
                }
            }
            return order.map { booking in
                let entry = byBooking[booking]!
                return ["bookingId": booking, "amount": Double(entry.amount) ?? 0, "charged": entry.charged, "refunded": entry.refunded]
            }
        }
    }

    // MARK: HTTP

    private func serve(_ connection: Int32) {
        defer { close(connection) }
        guard let request = readRequest(connection) else { return }
        let (status, body) = route(request)
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: application/json\r\n"
        text += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBufferPointer { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return }
            sent += count
        }
    }

    struct Request {
        let method: String
        let path: String
        let headers: [String: String]
        let body: Data
    }

    private func readRequest(_ connection: Int32) -> Request? {
        var buffer = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        var headerEnd: Int?
        while headerEnd == nil {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 || buffer.count > 65536 { return nil }
            buffer += chunk[0..<count]
            headerEnd = Self.find([13, 10, 13, 10], in: buffer)
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        guard requestLine.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = min(Int(headers["content-length"] ?? "0") ?? 0, 1 << 20)
        var body = Array(buffer[(headerEnd! + 4)...])
        while body.count < length {
            let count = recv(connection, &chunk, chunk.count, 0)
            if count <= 0 { return nil }
            body += chunk[0..<count]
        }
        return Request(method: String(requestLine[0]), path: String(requestLine[1]), headers: headers, body: Data(body.prefix(length)))
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle { return start }
        return nil
    }

    private func route(_ request: Request) -> (Int, String) {
        switch (request.method, request.path) {
        case ("GET", "/health"): return (200, #"{"status":"ok"}"#)
        case ("GET", "/charges"):
            let data = (try? JSONSerialization.data(withJSONObject: ["charges": report], options: [.sortedKeys])) ?? Data()
            return (200, String(decoding: data, as: UTF8.self))
        case ("POST", "/charges"):
            if latency > 0 { Thread.sleep(forTimeInterval: latency) }
            return charge(request)
        case ("POST", "/refunds"):
            if latency > 0 { Thread.sleep(forTimeInterval: latency) }
            return refund(request)
        default: return (404, #"{"error":"not_found","message":"No such endpoint"}"#)
        }
    }

    private func fields(_ request: Request) -> (key: String, body: [String: Any])? {
        guard let key = request.headers["idempotency-key"], !key.isEmpty,
              let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] else { return nil }
        return (key, body)
    }

    private func charge(_ request: Request) -> (Int, String) {
        guard let (key, body) = fields(request), let booking = body["bookingId"] as? String,
              let amount = body["amount"] as? String, let card = body["card"] as? String else {
            return (400, #"{"error":"bad_request","message":"Idempotency-Key, bookingId, amount and card are required"}"#)
        }
        if let existing = ledger.withLock({ $0.charges[key] }) { return (200, #"{"id":"\#(existing.id)","status":"succeeded"}"#) }
        switch card {
        case Self.declineCard: return (402, #"{"error":"card_declined","message":"Card declined"}"#)
        case Self.errorCard: return (500, #"{"error":"internal","message":"Payment processor error"}"#)
        case Self.slowCard:
            Thread.sleep(forTimeInterval: slowDelay)
            return (504, #"{"error":"timeout","message":"Processor did not answer"}"#)
        default:
            let id = ledger.withLock { ledger -> String in
                if let existing = ledger.charges[key] { return existing.id }
                let id = "ch_\(ledger.charges.count + 1)"
                ledger.charges[key] = (booking, amount, id)
                ledger.order.append(key)
                return id
            }
            return (200, #"{"id":"\#(id)","status":"succeeded"}"#)
        }
    }

    private func refund(_ request: Request) -> (Int, String) {
        guard let (key, body) = fields(request), let booking = body["bookingId"] as? String else {
            return (400, #"{"error":"bad_request","message":"Idempotency-Key and bookingId are required"}"#)
        }
        let outcome = ledger.withLock { ledger -> String? in
            if let existing = ledger.refunds[key] { return existing.id }
            guard ledger.charges.values.contains(where: { $0.booking == booking }) else { return nil }
            let id = "re_\(ledger.refunds.count + 1)"
            ledger.refunds[key] = (booking, id)
            ledger.order.append(key)
            return id
        }
        guard let id = outcome else { return (404, #"{"error":"no_charge","message":"No charge to refund for this booking"}"#) }
        return (200, #"{"id":"\#(id)","status":"refunded"}"#)
    }

    static func reason(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 402: "Payment Required", 404: "Not Found", 500: "Internal Server Error",
         504: "Gateway Timeout"][status] ?? "Status"
    }
}
