import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A small payment service for tests and training, on 127.0.0.1 only.
///
/// API (JSON in and out; every POST carries an `Idempotency-Key` header, and a repeated key gets
/// the first answer again without a second effect):
/// - `POST /charges {"bookingId","amount","currency","card"}` -> 200 `{"id":"ch_N","status":"succeeded"}`;
///   409 `{"error":"voided"}` when a void for this key came first.
/// - `POST /refunds {"bookingId","amount","currency"?}` -> 200 `{"id":"re_N","status":"refunded"}`;
///   404 when the booking has no charge; 422 `currency_mismatch` when the currency is not the
///   charge's, 422 `amount_too_large` when the amount is more than the charge (final refusals).
/// - `POST /voids {"bookingId","chargeKey"}` settles a charge whose outcome the caller does not
///   know: the charge under `chargeKey` is refunded (200 `{"id":"re_N","status":"refunded"}`, the
///   earlier refund's id when it was refunded already), or, when there is none, the key is marked
///   voided (200 `{"id":"vo_N","status":"voided"}`) and a later charge with it is refused (409).
///   The check is made under the ledger lock after the simulated latency, so a charge that was in
///   flight when the void came is refused too.
/// - `GET /charges` -> `{"charges":[{"bookingId","amount","charged":N,"refunded":N,"voided":N,"refundedAmount"}]}`
///   (`refundedAmount`: what refunds paid back, as they asked; a void that refunds, the whole charge);
///   `GET /health`.
/// Test cards: 4242424242424242 approves, 4000000000000002 is declined, 4000000000000119 answers
/// HTTP 500, 4000000000000259 answers 504 only after `slowDelay` (60 s) and charges nothing.
///
/// Connections: one thread polls every open connection and reads it without blocking; a request
/// that is complete goes to a pool of at most `Limits.maxWorkers` threads. An idle connection
/// costs a file descriptor, not a thread, and is closed (408) after `Limits.readTimeout`. At
/// `Limits.maxConnections` open connections (or out of descriptors) the connection idle longest
/// is closed to make room; when none is idle a new one gets 503 at once. A malformed request
/// (see `HTTPRequestParser`) gets 400, 431, 501 or 505 and is closed.
///
/// With a ledger file, every charge, refund and void is appended and fsynced before it is
/// answered, and the file is read back at start, so refunds work after a restart.
public final class PaymentSimulator: Sendable {
    public static let approveCard = "4242424242424242"
    public static let declineCard = "4000000000000002"
    public static let errorCard = "4000000000000119"
    public static let slowCard = "4000000000000259"

    public struct Limits: Sendable {
        /// How long a connection may take to send its whole request.
        public var readTimeout: TimeInterval
        /// Open connections (idle, being read or being answered); beyond it 503.
        public var maxConnections: Int
        /// Threads answering requests (a charge sleeps its latency on one).
        public var maxWorkers: Int
        public var request: HTTPRequestParser.Limits

        public init(readTimeout: TimeInterval = 5, maxConnections: Int = 1024, maxWorkers: Int = 64,
                    request: HTTPRequestParser.Limits = .init()) {
            self.readTimeout = readTimeout
            self.maxConnections = maxConnections
            self.maxWorkers = maxWorkers
            self.request = request
        }
    }

    /// Called where a charge, refund or void waits its latency, with the path (`/charges`). Tests
    /// pass one to hold a call in flight; by default it sleeps `latency`.
    public typealias Delay = @Sendable (_ path: String) -> Void

    public enum SimulatorError: Error, CustomStringConvertible, Equatable {
        case cannotListen(String)
        case badLedger(String)

        /// The command line's error code.
        public var code: String {
            switch self {
            case .cannotListen: "port_unavailable"
            case .badLedger: "storage_error"
            }
        }

        public var message: String {
            switch self {
            case .cannotListen(let reason): "payment simulator cannot listen: \(reason)"
            case .badLedger(let reason): "payment simulator ledger: \(reason)"
            }
        }

        public var description: String { message }
    }

    private struct State: ~Copyable {
        var ledger = Ledger()
        var file: LedgerFile?
        /// Charge requests received per idempotency key, counted on arrival, answered or not (not kept in the file): a
        /// key asked twice is a retry or a takeover that the ledger answered once.
        var chargeRequests: [String: Int] = [:]
        /// Void requests received per charge key they settle, counted on arrival: how a runner that
        /// took over a charge for a booking cancelled meanwhile asks after it.
        var settleRequests: [String: Int] = [:]
        /// Charges received and not yet answered, by idempotency key, with when each arrived (a
        /// key asked again while in flight keeps its latest arrival, and goes with the first answer).
        var chargesInFlight: [String: Date] = [:]
    }

    private let state: Mutex<State>
    private let listener: Int32
    /// Written to by `stop()` to wake the polling thread.
    private let wakeRead: Int32, wakeWrite: Int32
    public let port: UInt16
    public let ledgerPath: String?
    let slowDelay: TimeInterval
    /// Added to every charge, refund and void, like a real processor's round trip.
    let latency: TimeInterval
    let delay: Delay?
    public let limits: Limits
    private let stopped = Atomic<Bool>(false)
    private let started = Atomic<Bool>(false)
    private let openCount = Atomic<Int>(0)
    private let idleCount = Atomic<Int>(0)
    private let workers: WorkerPool
    private let loopDone = DispatchSemaphore(value: 0)

    /// Binds 127.0.0.1:`port` (0 picks a free port; see `port`); with `ledgerPath`, loads the ledger
    /// kept there (created if missing).
    public init(port: UInt16, slowDelay: TimeInterval = 60, latency: TimeInterval = 0, ledgerPath: String? = nil,
                limits: Limits = Limits(), delay: Delay? = nil) throws(SimulatorError) {
        self.slowDelay = slowDelay
        self.latency = latency
        self.delay = delay
        self.limits = limits
        self.ledgerPath = ledgerPath
        workers = WorkerPool(maxThreads: max(1, limits.maxWorkers))

        var ledger = Ledger()
        var file: LedgerFile?
        if let ledgerPath {
            let opened = try LedgerFile(path: ledgerPath)
            do {
                for entry in try opened.readEntries() { ledger.apply(entry) }
            } catch {
                opened.close()
                throw error
            }
            file = opened
        }

        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard socket >= 0 else {
            file?.close()
            throw .cannotListen("socket() failed")
        }
        var yes: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        let bindError = errno
        guard bound == 0, listen(socket, 512) == 0 else {
            close(socket)
            file?.close()
            throw .cannotListen(bindError == EADDRINUSE ? "port \(port) on 127.0.0.1 is in use"
                                : "port \(port) on 127.0.0.1: \(String(cString: strerror(bindError)))")
        }
        Self.setNonBlocking(socket)
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        var pipeEnds: [Int32] = [-1, -1]
        guard pipe(&pipeEnds) == 0 else {
            close(socket)
            file?.close()
            throw .cannotListen("pipe() failed")
        }
        for end in pipeEnds {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            Self.setNonBlocking(end)
        }
        wakeRead = pipeEnds[0]
        wakeWrite = pipeEnds[1]
        listener = socket
        self.port = UInt16(bigEndian: actual.sin_port)
        state = Mutex(State(ledger: ledger, file: file))
    }

    /// Starts the polling thread; requests are answered from then on.
    public func start() {
        guard !started.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let thread = Thread { [self] in
            pollConnections()
            loopDone.signal()
        }
        thread.name = "payment-sim poll"
        thread.start()
    }

    /// Stops listening, closes the connections not yet answered and the ledger file (so another
    /// simulator can open it). Requests being answered finish, but record nothing more.
    public func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if started.load(ordering: .acquiring) {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
            _ = loopDone.wait(timeout: .now() + 5)
        } else {
            closeEndpoints()
        }
        workers.stop()
        state.withLock { state in
            state.file?.close()
            state.file = nil
        }
    }

    /// Connections accepted and not yet closed.
    public var openConnections: Int { openCount.load(ordering: .relaxed) }

    /// Open connections that have sent nothing yet (as of the polling thread's last round).
    public var idleConnections: Int { idleCount.load(ordering: .relaxed) }

    /// Threads answering requests now (at most `limits.maxWorkers`).
    public var workerThreads: Int { workers.threadCount }

    /// How many charge requests came with each idempotency key, since this simulator started.
    public var chargeRequestsByKey: [String: Int] {
        state.withLock { $0.chargeRequests }
    }

    /// The charges received and not yet answered (sleeping their latency), by idempotency key,
    /// with when each arrived.
    public var chargesInFlight: [String: Date] {
        state.withLock { $0.chargesInFlight }
    }

    /// How many void requests named each charge key (`chargeKey`), since this simulator started.
    public var settleRequestsByChargeKey: [String: Int] {
        state.withLock { $0.settleRequests }
    }

    /// `{"charges":[...]}` as `GET /charges` reports it.
    public var report: [[String: Any]] {
        state.withLock { $0.ledger.report }
    }

    // MARK: Connections

    private struct Reading {
        var bytes: [UInt8] = []
        let deadline: UInt64
    }

    private enum Job {
        case serve(HTTPRequest)
        case reject(status: Int, message: String)
    }

    private func closeEndpoints() {
        close(listener)
        close(wakeRead)
        close(wakeWrite)
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private static func setNonBlocking(_ descriptor: Int32, _ on: Bool = true) {
        let flags = fcntl(descriptor, F_GETFL)
        _ = fcntl(descriptor, F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK)
    }

    /// The one thread that accepts connections and reads requests off all of them.
    private func pollConnections() {
        var reading: [Int32: Reading] = [:]
        var acceptPausedUntil: UInt64 = 0
        let timeout = UInt64(max(0, limits.readTimeout) * 1_000_000_000)
        var chunk = [UInt8](repeating: 0, count: 16_384)
        defer {
            for descriptor in reading.keys { finish(descriptor) }
            closeEndpoints()
        }
        while !stopped.load(ordering: .acquiring) {
            let now = Self.now()
            var descriptors = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let listening = now >= acceptPausedUntil
            if listening { descriptors.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0)) }
            for descriptor in reading.keys { descriptors.append(pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)) }
            let nearest = reading.values.map(\.deadline).min().map { $0 > now ? $0 - now : 0 }
            let waitNanoseconds = min(nearest ?? 1_000_000_000, listening ? 1_000_000_000 : 50_000_000)
            let ready = poll(&descriptors, nfds_t(descriptors.count), Int32((waitNanoseconds + 999_999) / 1_000_000))
            if ready < 0, errno != EINTR { break }
            if stopped.load(ordering: .acquiring) || descriptors[0].revents != 0 { break }

            for entry in descriptors.dropFirst() where entry.revents != 0 {
                if entry.fd == listener {
                    if !acceptAll(into: &reading, timeout: timeout) { acceptPausedUntil = Self.now() + 50_000_000 }
                    continue
                }
                let descriptor = entry.fd
                let count = recv(descriptor, &chunk, chunk.count, 0)
                if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { continue }
                if count <= 0 {
                    let partial = !(reading[descriptor]?.bytes.isEmpty ?? true)
                    reading[descriptor] = nil
                    if partial && count == 0 {
                        dispatch(descriptor, .reject(status: 400, message: "The connection ended before the request was complete"))
                    } else {
                        finish(descriptor)
                    }
                    continue
                }
                reading[descriptor]?.bytes += chunk[0..<count]
                switch HTTPRequestParser.parse(reading[descriptor]?.bytes ?? [], limits: limits.request) {
                case .incomplete: break
                case .complete(let request):
                    reading[descriptor] = nil
                    dispatch(descriptor, .serve(request))
                case .invalid(let problem):
                    reading[descriptor] = nil
                    dispatch(descriptor, .reject(status: problem.status, message: problem.message))
                }
            }

            defer { idleCount.store(reading.values.count(where: { $0.bytes.isEmpty }), ordering: .relaxed) }
            let later = Self.now()
            for (descriptor, pending) in reading where pending.deadline <= later {
                reading[descriptor] = nil
                if pending.bytes.isEmpty {
                    // Nothing to drain: answer from here (it fits the socket buffer) and close.
                    respond(descriptor, status: 408, body: Self.errorBody("timeout", "No request within \(limits.readTimeout) s"))
                    finish(descriptor)
                } else {
                    dispatch(descriptor, .reject(status: 408, message: "The request did not arrive within \(limits.readTimeout) s"))
                }
            }
        }
    }

    /// Accepts every waiting connection. At the connection cap, or out of file descriptors, the
    /// connection that has been idle longest (nothing received yet) is closed to make room, so idle
    /// sockets cannot lock a charge out; with none idle, a new connection gets 503 at once. False
    /// when out of descriptors with nothing to close (try again shortly).
    private func acceptAll(into reading: inout [Int32: Reading], timeout: UInt64) -> Bool {
        while true {
            let descriptor = accept(listener, nil, nil)
            if descriptor < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                    if evictIdlest(from: &reading) { continue }
                    return false
                }
                return true
            }
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            Self.setNonBlocking(descriptor)
            if openCount.add(1, ordering: .relaxed).newValue > limits.maxConnections, !evictIdlest(from: &reading) {
                // Still non-blocking: a short answer fits the socket buffer, or is dropped.
                respond(descriptor, status: 503, body: Self.errorBody("busy", "Too many open connections; try again"))
                finish(descriptor)
                continue
            }
            reading[descriptor] = Reading(deadline: Self.now() + timeout)
        }
    }

    /// Closes the connection that has sent nothing and waited longest; false if there is none.
    private func evictIdlest(from reading: inout [Int32: Reading]) -> Bool {
        guard let (descriptor, _) = reading.filter({ $0.value.bytes.isEmpty }).min(by: { $0.value.deadline < $1.value.deadline }) else {
            return false
        }
        reading[descriptor] = nil
        respond(descriptor, status: 503, body: Self.errorBody("busy", "Closed to make room for another connection"))
        finish(descriptor)
        return true
    }

    private func dispatch(_ descriptor: Int32, _ job: Job) {
        workers.run { [self] in
            Self.setNonBlocking(descriptor, false)
            var sendTimeout = timeval(tv_sec: max(1, Int(limits.readTimeout.rounded(.up))), tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))
            switch job {
            case .serve(let request):
                let (status, body) = route(request)
                respond(descriptor, status: status, body: body)
            case .reject(let status, let message):
                respond(descriptor, status: status, body: Self.errorBody("bad_request", message))
                lingeringClose(descriptor)
            }
            finish(descriptor)
        }
    }

    /// After refusing a request whose bytes may still be arriving: stop sending, then read and drop
    /// what comes for up to half a second, so closing with unread data does not reset the
    /// connection before the client has read the answer.
    private func lingeringClose(_ descriptor: Int32) {
        shutdown(descriptor, Int32(SHUT_WR))
        var wait = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var sink = [UInt8](repeating: 0, count: 16_384)
        let deadline = Self.now() + 500_000_000
        var drained = 0
        while Self.now() < deadline, drained < 1 << 20 {
            let count = recv(descriptor, &sink, sink.count, 0)
            if count <= 0 { break }
            drained += count
        }
    }

    private func finish(_ descriptor: Int32) {
        shutdown(descriptor, Int32(SHUT_WR))
        close(descriptor)
        openCount.subtract(1, ordering: .relaxed)
    }

    private func respond(_ descriptor: Int32, status: Int, body: String) {
        var text = "HTTP/1.1 \(status) \(Self.reason(status))\r\nContent-Type: application/json\r\n"
        text += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBufferPointer { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0, errno == EINTR { continue }
            if count <= 0 { return }
            sent += count
        }
    }

    static func errorBody(_ code: String, _ message: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: ["error": code, "message": message], options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? #"{"error":"internal"}"#
    }

    // MARK: Endpoints

    private func route(_ request: HTTPRequest) -> (Int, String) {
        switch (request.method, request.path) {
        case ("GET", "/health"): return (200, #"{"status":"ok"}"#)
        case ("GET", "/charges"):
            let data = (try? JSONSerialization.data(withJSONObject: ["charges": report], options: [.sortedKeys])) ?? Data()
            return (200, String(decoding: data, as: UTF8.self))
        case ("POST", "/charges"):
            let key = countArrival(request)
            wait(request.path)
            defer { if let key { state.withLock { _ = $0.chargesInFlight.removeValue(forKey: key) } } }
            return charge(request)
        case ("POST", "/refunds"):
            wait(request.path)
            return refund(request)
        case ("POST", "/voids"):
            _ = countArrival(request)
            wait(request.path)
            return void(request)
        case (_, "/health"), (_, "/charges"), (_, "/refunds"), (_, "/voids"):
            return (405, Self.errorBody("method_not_allowed", "\(request.method) is not allowed on \(request.path)"))
        default: return (404, #"{"error":"not_found","message":"No such endpoint"}"#)
        }
    }

    /// Counts a charge or void as it arrives, before its latency: a call in flight is already asked.
    /// Returns the request's idempotency key.
    private func countArrival(_ request: HTTPRequest) -> String? {
        guard let (key, body) = fields(request) else { return nil }
        state.withLock { state in
            if request.path == "/charges" {
                state.chargeRequests[key, default: 0] += 1
                state.chargesInFlight[key] = Date()
            } else if let chargeKey = body["chargeKey"] as? String {
                state.settleRequests[chargeKey, default: 0] += 1
            }
        }
        return key
    }

    private func wait(_ path: String) {
        if let delay { delay(path) } else if latency > 0 { Thread.sleep(forTimeInterval: latency) }
    }

    private func fields(_ request: HTTPRequest) -> (key: String, body: [String: Any])? {
        guard let key = request.headers["idempotency-key"], !key.isEmpty,
              let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any] else { return nil }
        return (key, body)
    }

    private static let ledgerFailure = (500, #"{"error":"ledger","message":"The ledger file could not be written"}"#)
    private static let voided = (409, #"{"error":"voided","message":"This charge was cancelled before it was made"}"#)

    /// Writes the entry to the file (if any) and then to memory; false when the file write failed.
    private func record(_ entry: LedgerEntry, in state: inout State) -> Bool {
        if let file = state.file {
            guard file.append(entry) else { return false }
        } else if ledgerPath != nil {
            return false // stopped: the file is closed
        }
        state.ledger.apply(entry)
        return true
    }

    private func charge(_ request: HTTPRequest) -> (Int, String) {
        guard let (key, body) = fields(request), let booking = body["bookingId"] as? String,
              let amount = body["amount"] as? String, let card = body["card"] as? String else {
            return (400, #"{"error":"bad_request","message":"Idempotency-Key, bookingId, amount and card are required"}"#)
        }
        enum Earlier { case charged(String), voided, none }
        let earlier = state.withLock { state -> Earlier in
            if let existing = state.ledger.charges[key] { return .charged(existing.id) }
            return state.ledger.voidedCharges[key] != nil ? .voided : .none
        }
        switch earlier {
        case .charged(let id): return (200, #"{"id":"\#(id)","status":"succeeded"}"#)
        case .voided: return Self.voided
        case .none: break
        }
        switch card {
        case Self.declineCard: return (402, #"{"error":"card_declined","message":"Card declined"}"#)
        case Self.errorCard: return (500, #"{"error":"internal","message":"Payment processor error"}"#)
        case Self.slowCard:
            Thread.sleep(forTimeInterval: slowDelay)
            return (504, #"{"error":"timeout","message":"Processor did not answer"}"#)
        default:
            return state.withLock { state -> (Int, String) in
                if let existing = state.ledger.charges[key] { return (200, #"{"id":"\#(existing.id)","status":"succeeded"}"#) }
                if state.ledger.voidedCharges[key] != nil { return Self.voided }
                let id = "ch_\(state.ledger.charges.count + 1)"
                guard record(LedgerEntry(kind: .charge, key: key, bookingId: booking, id: id, amount: amount,
                                         currency: body["currency"] as? String), in: &state) else {
                    return Self.ledgerFailure
                }
                return (200, #"{"id":"\#(id)","status":"succeeded"}"#)
            }
        }
    }

    private func refund(_ request: HTTPRequest) -> (Int, String) {
        guard let (key, body) = fields(request), let booking = body["bookingId"] as? String else {
            return (400, #"{"error":"bad_request","message":"Idempotency-Key and bookingId are required"}"#)
        }
        return state.withLock { state -> (Int, String) in
            if let existing = state.ledger.refunds[key] { return (200, #"{"id":"\#(existing.id)","status":"refunded"}"#) }
            guard let chargeKey = state.ledger.chargeToRefund(for: booking) else {
                return (404, #"{"error":"no_charge","message":"No charge to refund for this booking"}"#)
            }
            let charge = state.ledger.charges[chargeKey]
            let amount = body["amount"] as? String, currency = body["currency"] as? String
            if let currency, let charged = charge?.currency, currency != charged {
                return (422, Self.errorBody("currency_mismatch", "The refund is in \(currency); the charge was in \(charged)"))
            }
            if let asked = amount.flatMap({ Decimal(string: $0) }), let charged = charge.flatMap({ Decimal(string: $0.amount) }), asked > charged {
                return (422, Self.errorBody("amount_too_large", "The refund of \(amount!) is more than the charge of \(charge!.amount)"))
            }
            let id = "re_\(state.ledger.refunds.count + 1)"
            guard record(LedgerEntry(kind: .refund, key: key, bookingId: booking, id: id, amount: amount, chargeKey: chargeKey,
                                     currency: currency), in: &state) else {
                return Self.ledgerFailure
            }
            return (200, #"{"id":"\#(id)","status":"refunded"}"#)
        }
    }

    private func void(_ request: HTTPRequest) -> (Int, String) {
        guard let (key, body) = fields(request), let booking = body["bookingId"] as? String,
              let chargeKey = body["chargeKey"] as? String, !chargeKey.isEmpty else {
            return (400, #"{"error":"bad_request","message":"Idempotency-Key, bookingId and chargeKey are required"}"#)
        }
        return state.withLock { state -> (Int, String) in
            func answer(_ status: String, _ id: String) -> (Int, String) { (200, #"{"id":"\#(id)","status":"\#(status)"}"#) }
            if let earlier = state.ledger.voids[key] { return answer(earlier.status, earlier.id) }
            let entry: LedgerEntry
            if let charge = state.ledger.charges[chargeKey] {
                if let refund = state.ledger.refundOfCharge[chargeKey] {
                    entry = LedgerEntry(kind: .void, key: key, bookingId: booking, id: refund, chargeKey: chargeKey, status: "refunded")
                } else {
                    let id = "re_\(state.ledger.refunds.count + 1)"
                    guard record(LedgerEntry(kind: .refund, key: key, bookingId: charge.booking, id: id, chargeKey: chargeKey), in: &state) else {
                        return Self.ledgerFailure
                    }
                    entry = LedgerEntry(kind: .void, key: key, bookingId: booking, id: id, chargeKey: chargeKey, status: "refunded")
                }
            } else if let id = state.ledger.voidedCharges[chargeKey] {
                entry = LedgerEntry(kind: .void, key: key, bookingId: booking, id: id, chargeKey: chargeKey, status: "voided")
            } else {
                let id = "vo_\(state.ledger.voidedCharges.count + 1)"
                entry = LedgerEntry(kind: .void, key: key, bookingId: booking, id: id, chargeKey: chargeKey, status: "voided")
            }
            // A refund written just above stands even if this line is lost: a repeated void finds it.
            guard record(entry, in: &state) else { return Self.ledgerFailure }
            return answer(entry.status ?? "voided", entry.id)
        }
    }

    static func reason(_ status: Int) -> String {
        [200: "OK", 400: "Bad Request", 402: "Payment Required", 404: "Not Found", 405: "Method Not Allowed",
         408: "Request Timeout", 409: "Conflict", 431: "Request Header Fields Too Large", 500: "Internal Server Error",
         501: "Not Implemented", 503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported"][status]
            ?? "Status"
    }
}

/// At most `maxThreads` threads, started when work waits and no thread is free; a thread idle
/// for `idleLifetime` ends, and all end at `stop()`.
private final class WorkerPool: Sendable {
    private struct Queue {
        var jobs: [@Sendable () -> Void] = []
        var threads = 0
        var idle = 0
    }

    private let queue = Mutex(Queue())
    private let signal = DispatchSemaphore(value: 0)
    let maxThreads: Int

    /// A thread with nothing to do for this long ends (a burst leaves no threads behind).
    static let idleLifetime: DispatchTimeInterval = .seconds(10)

    init(maxThreads: Int) { self.maxThreads = maxThreads }

    var threadCount: Int { queue.withLock { $0.threads } }

    func run(_ job: @escaping @Sendable () -> Void) {
        let spawn = queue.withLock { queue -> Bool in
            queue.jobs.append(job)
            guard queue.jobs.count > queue.idle, queue.threads < maxThreads else { return false }
            queue.threads += 1
            return true
        }
        signal.signal()
        if spawn {
            let thread = Thread { [self] in work() }
            thread.name = "payment-sim worker"
            thread.start()
        }
    }

    private func work() {
        queue.withLock { $0.idle += 1 }
        while true {
            if signal.wait(timeout: .now() + Self.idleLifetime) == .timedOut {
                // Leave only when no job is queued: each queued job has a signal an idle thread will take.
                let leave = queue.withLock { queue -> Bool in
                    guard queue.jobs.isEmpty else { return false }
                    queue.idle -= 1
                    queue.threads -= 1
                    return true
                }
                if leave { return }
                continue
            }
            let job = queue.withLock { queue -> (@Sendable () -> Void)? in
                queue.idle -= 1
                if queue.jobs.isEmpty { // woken by stop()
                    queue.threads -= 1
                    return nil
                }
                return queue.jobs.removeFirst()
            }
            guard let job else { return }
            job()
            queue.withLock { $0.idle += 1 }
        }
    }

    /// Lets every thread end once the work already queued is done.
    func stop() {
        let count = queue.withLock { $0.threads }
        for _ in 0..<count { signal.signal() }
    }
}
