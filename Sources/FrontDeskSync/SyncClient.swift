import Foundation
import FrontDeskDomain
import FrontDeskHTTP

/// Why a sync call did not give what was asked, in words for a receptionist. `code` is the
/// command line's error code (`offline`, `unauthorized`, `not_found`, `replica_too_old`,
/// `bad_server`, or the server's own code for a refused operation).
public struct SyncFailure: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// No answer: connection refused, a timeout, a 5xx. Nothing is lost; push again later.
        case offline
        /// 401: the credential expired or the password is wrong.
        case unauthorized
        /// 404: the hotel is not on this server for this user.
        case notFound
        /// 410: the replica's cursor is older than the server's change feed keeps.
        case replicaTooOld
        /// An answer that is not this protocol: garbage, not JSON, another protocol version.
        case badServer
        /// The address given is not an http(s) address.
        case badAddress
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var code: String {
        switch kind {
        case .offline: "offline"
        case .unauthorized: "unauthorized"
        case .notFound: "not_found"
        case .replicaTooOld: "replica_too_old"
        case .badServer: "bad_server"
        case .badAddress: "validation_failed"
        }
    }

    public var description: String { message }
}

/// The booking server's sync endpoints, over an `HTTPExchange` (on the desk the network helper
/// process; the desk binary links no networking library). Every call has a timeout of a few
/// seconds and blocks the calling thread.
public struct SyncClient: Sendable {
    /// The server's base address, without a trailing slash (`http://host:port`).
    public let server: String
    public let hotelId: String
    public var token: String?
    public let exchange: any HTTPExchange
    public var timeout: Double

    public static let defaultTimeout: Double = 5

    public init(server: String, hotelId: String, token: String?, exchange: any HTTPExchange, timeout: Double = SyncClient.defaultTimeout) {
        self.server = server
        self.hotelId = hotelId.lowercased()
        self.token = token
        self.exchange = exchange
        self.timeout = timeout
    }

    /// The server address as given, checked and without a trailing slash; a clear message for one that is not an address.
    public static func serverAddress(_ text: String) throws(SyncFailure) -> String {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let url = URL(string: trimmed), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, host.utf8.count <= 253, url.query == nil, url.fragment == nil,
              url.port.map({ (1...65_535).contains($0) }) ?? true,
              trimmed.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else {
            throw SyncFailure(.badAddress, "--server \(quoted(text)) is not a server address (like http://host:8080)")
        }
        // A password in the address would be printed ("Connected to ...") and stored with the
        // replica in clear: the desk signs in with --username and --password-stdin instead.
        guard url.user == nil && url.password == nil else {
            throw SyncFailure(.badAddress, "--server carries a user name or password: give the address alone (like http://host:8080) and sign in with --username and --password-stdin")
        }
        return trimmed
    }

    static func quoted(_ text: String) -> String {
        "\"" + String(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }.prefix(80)) + "\""
    }

    // MARK: Calls

    public struct Login: Sendable, Equatable {
        public var token: String
        public var expiresAt: String
    }

    /// `POST /api/auth/token`: a bearer token for the user.
    public func login(username: String, password: String) throws(SyncFailure) -> Login {
        let body = try? JSONSerialization.data(withJSONObject: ["username": username, "password": password])
        let data = try send("POST", "/api/auth/token", body: body, authorized: false, what: "the login")
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let token = object["token"] as? String, !token.isEmpty else {
            throw SyncFailure(.badServer, "\(server) answered the login with something that is not a Front Desk token")
        }
        return Login(token: token, expiresAt: object["expiresAt"] as? String ?? "")
    }

    /// `GET /api/hotels/{id}/replica`: one page of the hotel's replica (the first with `after` nil).
    public func replicaPage(after: String?) throws(SyncFailure) -> ReplicaPage {
        var path = "/api/hotels/\(hotelId)/replica"
        if let after { path += "?after=\(after)" }
        let data = try send("GET", path, what: "the replica")
        let page: ReplicaPage = try decode(data, what: "the replica") { bytes throws(SyncWireError) in try ReplicaPage(jsonBytes: bytes) }
        try check(page.protocolVersion)
        return page
    }

    /// The booking as the server has it now, whole (claims, prices, notes, version), or nil when
    /// the hotel has no such booking: the replica's page of one booking that starts just after the
    /// id below it (`GET /api/hotels/{id}/replica?after=ID-1&limit=1`). Pages are ordered by id on
    /// every storage, so no endpoint of its own is needed and any server of this protocol answers.
    public func serverBooking(_ bookingId: UUID) throws(SyncFailure) -> WireBooking? {
        var path = "/api/hotels/\(hotelId)/replica?limit=1"
        if let before = SyncWire.idBefore(bookingId) { path += "&after=\(before.uuidString.lowercased())" }
        let data = try send("GET", path, what: "the booking")
        let page: ReplicaPage = try decode(data, what: "the booking") { bytes throws(SyncWireError) in try ReplicaPage(jsonBytes: bytes) }
        try check(page.protocolVersion)
        let wanted = bookingId.uuidString.lowercased()
        return page.bookings.first { $0.bookingId.lowercased() == wanted }
    }

    /// `GET /api/hotels/{id}/changes?since=N`.
    public func changes(since cursor: Int64) throws(SyncFailure) -> ChangesPage {
        let data = try send("GET", "/api/hotels/\(hotelId)/changes?since=\(cursor)", what: "the changes")
        let page: ChangesPage = try decode(data, what: "the changes") { bytes throws(SyncWireError) in try ChangesPage(jsonBytes: bytes) }
        try check(page.protocolVersion)
        return page
    }

    /// `POST /api/hotels/{id}/sync`: operations in the order made; one outcome each, in order.
    public func push(_ operations: [SyncOperation]) throws(SyncFailure) -> SyncPushResult {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = try? encoder.encode(SyncPush(operations: operations))
        let answer: Data
        do {
            answer = try send("POST", "/api/hotels/\(hotelId)/sync", body: body, what: "the push")
        } catch let failure where failure.kind == .badServer && failure.message.contains(".kind has the wrong type or value") {
            // A server older than this desk reads the push with the kinds it knows and refuses
            // the whole push (400, nothing applied) on one it does not (docs/sync-protocol.md).
            let kinds = Set(operations.map(\.kind)).subtracting([.book, .cancel, .checkIn, .checkOut]).map(\.rawValue).sorted()
            guard !kinds.isEmpty else { throw failure }
            throw SyncFailure(.badServer, "\(server) is older than this desk: it does not know the \(kinds.joined(separator: ", ")) operation, and applied nothing of the push; update the server (the operations stay queued on this desk)")
        }
        let result: SyncPushResult = try decode(answer, what: "the push")
        try check(result.protocolVersion)
        guard result.results.count == operations.count,
              zip(result.results, operations).allSatisfy({ $0.operationId.lowercased() == $1.operationId.lowercased() })
        else {
            throw SyncFailure(.badServer, "\(server) answered a push of \(operations.count) operations with \(result.results.count) outcomes that do not match them")
        }
        return result
    }

    /// `GET /api/hotels/{id}/sync/{operationId}`: the operation pushed under `operationId` as the
    /// server recorded it, its fingerprint and its first answer; nil when nothing was pushed under
    /// it. Reads only: a desk asks this, never a push, whether the server took a request.
    public func recordedOperation(_ operationId: String) throws(SyncFailure) -> (fingerprint: String, answer: SyncOutcome)? {
        // A desk's ids are UUIDs: unreserved characters, sent as they are.
        let segment = operationId.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~")))
            ?? operationId
        let data: Data
        do {
            data = try send("GET", "/api/hotels/\(hotelId)/sync/\(segment)", what: "the operation pushed before")
        } catch let failure where failure.kind == .notFound {
            return nil
        }
        let recorded: RecordedOperation = try decode(data, what: "the operation pushed before")
        return (recorded.fingerprint, recorded.answer)
    }

    private struct RecordedOperation: Decodable {
        var fingerprint: String
        var answer: SyncOutcome
    }

    /// The server's booking made by `POST /api/bookings` (the server made its id and code).
    public struct CreatedBooking: Sendable, Equatable {
        public var bookingId: String
        public var confirmation: String
        public var status: String
    }

    /// Why a card booking (`createBooking`) has no booking to show.
    public struct CardBookingFailure: Error, Equatable, Sendable, CustomStringConvertible {
        public enum Kind: Sendable, Equatable {
            /// Surely not made: the request never left (connection refused), or the server said
            /// it took nothing (429). No card was charged.
            case notMade
            /// No answer after the request may have reached the server (a timeout, a cut
            /// connection, a 5xx): the booking may exist and the card may be charged. The same
            /// idempotency key again gets the server's first answer.
            case unknown
            /// The credential was refused (401).
            case unauthorized
            /// The server refused the booking; `code` is its problem code (`room_unavailable`, ...).
            case refused(code: String)
        }

        public let kind: Kind
        public let message: String
        public var description: String { message }
    }

    /// `POST /api/bookings` with a card: the server holds the room, charges the card through its
    /// payment service and confirms (its saga). The card number goes in this request's body only;
    /// `idempotencyKey` makes a retry after a lost answer return the same booking, charged once.
    public func createBooking(_ booking: SyncOperation.NewBooking, cardNumber: String, idempotencyKey: String,
                              timeout: Double? = nil) throws(CardBookingFailure) -> CreatedBooking {
        var object: [String: Any] = [
            "hotelId": hotelId, "roomId": booking.roomId, "checkIn": booking.checkIn, "checkOut": booking.checkOut,
            "guests": booking.guests, "guestName": booking.guestName, "email": booking.email,
            "payment": ["method": "card", "card": cardNumber],
        ]
        if let phone = booking.phone, !phone.isEmpty { object["phone"] = phone }
        let body = try? JSONSerialization.data(withJSONObject: object)
        var headers = ["Accept": "application/json", "Content-Type": "application/json", "Idempotency-Key": idempotencyKey]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let wait = timeout ?? self.timeout
        let result = exchange.perform(HTTPCall(method: "POST", url: server + "/api/bookings", headers: headers, body: body, timeout: wait))
        switch result {
        case .failed(let failure):
            if !failure.mayHaveReachedService {
                throw CardBookingFailure(kind: .notMade, message: "the server \(server) cannot be reached (\(failure.message))")
            }
            let why = failure.kind == .timedOut ? "did not answer within \(Int(wait)) s" : "stopped answering (\(failure.message))"
            throw CardBookingFailure(kind: .unknown, message: "the server \(server) \(why)")
        case .answered(let status, _, let data):
            let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
            switch status {
            case 200..<300:
                guard let id = object?["bookingId"] as? String, SyncWire.parseUUID(id) != nil else {
                    throw CardBookingFailure(kind: .unknown, message: "\(server) answered the booking with something that is not a Front Desk booking")
                }
                return CreatedBooking(bookingId: id.lowercased(), confirmation: object?["confirmation"] as? String ?? "",
                                      status: object?["status"] as? String ?? "")
            case 401:
                throw CardBookingFailure(kind: .unauthorized,
                                         message: "\(server) refused the desk's credential (\(Self.problemDetail(data) ?? "expired or revoked")); run `frontdesk desk connect` again")
            case 429:
                throw CardBookingFailure(kind: .notMade, message: "\(server) is busy (too many requests); try again shortly")
            case 500...:
                throw CardBookingFailure(kind: .unknown, message: "the server \(server) answered \(status) (server trouble)")
            default:
                let code = object?["code"] as? String ?? "rejected"
                throw CardBookingFailure(kind: .refused(code: code),
                                         message: Self.problemDetail(data) ?? "\(server) refused the booking with status \(status)")
            }
        }
    }

    /// Whether the server answers at all now (`GET /health`, a short timeout).
    public func isReachable(timeout: Double = 2) -> Bool {
        answersAsFrontDesk(timeout: timeout) == true
    }

    /// Whether the server's `/health` answers as a Front Desk server's: nil when nothing answers
    /// (the network, or the server down), false when something else answers there (a web
    /// server's 404, an endless stream): the address is wrong, not the cable.
    public func answersAsFrontDesk(timeout: Double = 2) -> Bool? {
        // The booking server's own answer, not any: another program on its old port (a web
        // server's 404) was shown as "online" while every push failed.
        switch exchange.perform(HTTPCall(method: "GET", url: server + "/health", timeout: timeout)) {
        case .failed(let failure):
            return failure.kind == .answerTooLarge ? false : nil
        case .answered(let status, _, let body):
            guard status == 200, let health = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return false }
            return health["status"] as? String == "ok"
        }
    }

    // MARK: Plumbing

    func send(_ method: String, _ path: String, body: Data? = nil, authorized: Bool = true, what: String) throws(SyncFailure) -> Data {
        var headers = ["Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        if authorized, let token { headers["Authorization"] = "Bearer \(token)" }
        let result = exchange.perform(HTTPCall(method: method, url: server + path, headers: headers, body: body, timeout: timeout))
        switch result {
        case .failed(let failure):
            // It answered, far more than any answer of the protocol: not the network, the address.
            if failure.kind == .answerTooLarge {
                throw SyncFailure(.badServer, "\(server) answers, but not as a Front Desk server (\(failure.message)): is it the right address?")
            }
            let why = failure.kind == .timedOut ? "did not answer within \(Int(timeout)) s" : "cannot be reached (\(failure.message))"
            throw SyncFailure(.offline, "the server \(server) \(why)")
        case .answered(let status, _, let data):
            switch status {
            case 200..<300:
                return data
            case 401:
                let detail = Self.problemDetail(data)
                if !authorized {
                    throw SyncFailure(.unauthorized, "\(server) refused the login: wrong user name or password")
                }
                throw SyncFailure(.unauthorized,
                                  "\(server) refused the desk's credential (\(detail ?? "expired or revoked")); run `frontdesk desk connect` again (queued operations are kept)")
            case 403:
                throw SyncFailure(.notFound, "\(server): this user may not use hotel \(hotelId)\(Self.problemDetail(data).map { " (\($0))" } ?? "")")
            case 404:
                if path.hasPrefix("/api/hotels/") {
                    throw SyncFailure(.notFound, "\(server) has no hotel \(hotelId) for this user (check --hotel, or the server is another chain's)")
                }
                throw SyncFailure(.badServer, "\(server) has no \(path) (is it a Front Desk server of this version?)")
            case 410:
                // The server says which (`ReplicaTooOld`): a feed behind the desk is a server whose
                // data went back, not a desk left too long.
                if Self.problemDetail(data)?.contains(SyncWire.cursorAheadOfTheFeed) == true {
                    throw SyncFailure(.replicaTooOld, "\(server) has fewer changes than this desk took from it (its data went back to an "
                        + "older copy, or another file is in its place); run `frontdesk desk connect` again: it takes the server's "
                        + "bookings anew and sends it again the bookings it no longer has")
                }
                throw SyncFailure(.replicaTooOld, "the desk's replica is older than \(server) keeps changes for; run `frontdesk desk connect` again for a new replica")
            case 429:
                throw SyncFailure(.offline, "\(server) is busy (too many requests); try again shortly")
            case 500...:
                throw SyncFailure(.offline, "the server \(server) answered \(status) (server trouble) to \(what)")
            default:
                let detail = Self.problemDetail(data)
                throw SyncFailure(.badServer, "\(server) refused \(what) with status \(status)\(detail.map { ": \($0)" } ?? "")")
            }
        }
    }

    /// The `detail` of a problem+json answer, when it is one.
    static func problemDetail(_ data: Data) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        return object["detail"] as? String
    }

    func decode<T: Decodable>(_ data: Data, what: String) throws(SyncFailure) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch {
            throw notTheProtocol(data, what: what)
        }
    }

    /// A big page read by hand (`SyncWireReader.swift`: the same rules as `JSONDecoder`, faster).
    func decode<T>(_ data: Data, what: String, _ read: (UnsafeBufferPointer<UInt8>) throws(SyncWireError) -> T) throws(SyncFailure) -> T {
        let result: Result<T, SyncWireError> = data.withUnsafeBytes { raw in
            Result { () throws(SyncWireError) -> T in try read(raw.bindMemory(to: UInt8.self)) }
        }
        switch result {
        case .success(let value): return value
        case .failure: throw notTheProtocol(data, what: what)
        }
    }

    /// Another protocol's document says so rather than failing on a field.
    func notTheProtocol(_ data: Data, what: String) -> SyncFailure {
        if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
           let version = object["protocolVersion"] as? Int, version != SyncWire.protocolVersion {
            return protocolMismatch(version)
        }
        return SyncFailure(.badServer, "\(server) answered \(what) with something that is not the Front Desk sync protocol (is it a Front Desk server?)")
    }

    func check(_ version: Int) throws(SyncFailure) {
        if version != SyncWire.protocolVersion { throw protocolMismatch(version) }
    }

    func protocolMismatch(_ version: Int) -> SyncFailure {
        SyncFailure(.badServer, "\(server) speaks sync protocol \(version), this desk \(SyncWire.protocolVersion): update the \(version > SyncWire.protocolVersion ? "desk" : "server")")
    }
}
