import Crypto
import Foundation
import FrontDeskDomain
import FrontDeskStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// The request context: Hummingbird's core plus the caller's address (for the login throttle).
public struct ServerContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Bodies over 64 KiB are refused with 413.
    public var maxUploadSize: Int { 64 * 1024 }

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

extension HTTPField.Name {
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let requestId = HTTPField.Name("X-Request-Id")!
    static let lastEventId = HTTPField.Name("Last-Event-ID")!
}

/// Every answer of a failed request as problem+json, every request one log line.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = ServerContext
    let logger: Logger
    let metrics: RequestMetrics
    /// The backend's "cannot be reached now" (`ServerDatabase.isUnavailable`): 503, never 500.
    let isUnavailable: @Sendable (any Error) -> Bool
    /// Which methods each path takes: a known path asked with another method is 405, not 404.
    let routeMethods: RouteMethods

    func handle(_ request: Request, context: ServerContext, next: (Request, ServerContext) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let requestId = context.id
        var response: Response
        // The route the log and the metrics name: a path asked with the wrong method is named by
        // its route (which endpoint a client misuses), not as Hummingbird's "NotFound".
        var route: String?
        do {
            try Self.refuseRepeatedQueryParameters(request.uri.query)
            response = try await next(request, context)
        } catch {
            // Hummingbird's not-found responder names its endpoint "NotFound": no route took the
            // path and method together.
            if context.endpointPath == "NotFound", let known = routeMethods.allowed(forPath: request.uri.path) {
                route = known.path
                response = Problem.methodNotAllowed(request.method.rawValue, allowed: known.methods).response()
            } else if var problem = Problem.from(error, requestId: requestId) {
                if let key = request.headers[.idempotencyKey] { problem.nameIdempotencyKey(key) }
                response = problem.response()
            } else if isUnavailable(error) {
                logger.warning("database unavailable", metadata: ["request_id": "\(requestId)", "error": "\(error)"])
                response = Problem.databaseUnavailable().response()
            } else {
                // The detail stays in the log, keyed by the request id; the answer carries the id only.
                // What went wrong (a damaged row names its table and field), any card number blotted out.
                logger.error("unexpected error", metadata: [
                    "request_id": "\(requestId)", "error_type": "\(String(reflecting: type(of: error)))",
                    "error": "\(CardNumber.redacted(in: String(describing: error)))",
                ])
                response = Problem.internalError(requestId: requestId).response()
            }
        }
        response.headers[.requestId] = requestId
        let elapsed = ContinuousClock.now - started
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        route = route ?? context.endpointPath
        metrics.record(route: route ?? "unmatched", method: request.method.rawValue, status: response.status.code,
                       seconds: milliseconds / 1000)
        logger.info("request", metadata: [
            "request_id": "\(requestId)", "method": "\(request.method.rawValue)",
            "route": "\(route ?? "unmatched")", "status": "\(response.status.code)",
            "ms": "\(Self.twoDecimals(milliseconds))",
        ])
        return response
    }
}

extension ProblemMiddleware {
    /// A query naming one parameter twice (`checkIn=…&checkIn=…`) is refused, naming it: every
    /// route reads the first, so the client got a believable answer to another question.
    static func refuseRepeatedQueryParameters(_ query: String?) throws {
        guard let query, query.contains("&") else { return }
        var seen: Set<Substring> = []
        for part in query.split(separator: "&") {
            let name = part.prefix { $0 != "=" }
            guard !name.isEmpty else { continue }
            if !seen.insert(name).inserted {
                let shown = String(name.prefix(40)).removingPercentEncoding ?? String(name.prefix(40))
                throw Problem.validation([(shown, "\(shown) is given more than once in the query: give it once")])
            }
        }
    }
}

/// The paths of the router's routes and the methods each takes, read once from a router with the
/// routes added (`Router.routes`), so the table cannot drift from the routes themselves.
struct RouteMethods: Sendable {
    private let routes: [(segments: [Substring], methods: [String])]

    init(_ descriptions: [Router<ServerContext>.RouteDescription]) {
        var byPath: [String: Set<String>] = [:]
        for route in descriptions {
            byPath["\(route.path)", default: []].insert(route.method.rawValue)
            // The router answers HEAD wherever it answers GET (`autoGenerateHeadEndpoints`).
            if route.method == .get { byPath["\(route.path)", default: []].insert("HEAD") }
        }
        routes = byPath.keys.sorted().map { path in
            (path.split(separator: "/"), byPath[path]!.sorted())
        }
    }

    /// The methods the path takes, nil when no route has that path. A `{name}` segment takes any
    /// one segment, as the router's captures do; where several routes match, the router takes the
    /// one with the most literal segments (`/api/rooms/availability`, not `/api/rooms/{roomId}`),
    /// and so does this.
    func allowed(forPath path: String) -> (path: String, methods: [String])? {
        let segments = path.split(separator: "/")
        var best: (literals: Int, path: String, methods: [String])?
        for route in routes where route.segments.count == segments.count {
            var literals = 0
            let matches = zip(route.segments, segments).allSatisfy { template, segment in
                if template.first == "{" && template.last == "}" { return true }
                literals += 1
                return template == segment
            }
            if matches, literals > (best?.literals ?? -1) { best = (literals, "/" + route.segments.joined(separator: "/"), route.methods) }
        }
        return best.map { ($0.path, $0.methods) }
    }
}

extension ProblemMiddleware {
    /// `12.34`: the log's milliseconds, without Foundation's printf on every request.
    static func twoDecimals(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// The routes of the booking API (see openapi.yaml).
struct BookingRoutes {
    let state: ServerState

    func add(to router: Router<ServerContext>) {
        router.get("/health") { _, _ in json(.object([("status", .string("ok"))])) }
        router.get("/ready") { _, _ in try await ready() }
        // Load balancers check with HEAD: the same status, no body.
        router.head("/health") { _, _ in Response(status: .ok, headers: [.contentType: "application/json"]) }
        router.head("/ready") { _, _ in
            let answer = try await ready()
            var headers = answer.headers
            headers[.contentLength] = nil
            return Response(status: answer.status, headers: headers)
        }
        router.get("/metrics") { _, _ in try await metrics() }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml + "\n")))
        }
        router.post("/api/auth/token") { request, context in try await token(request, context) }
        router.get("/api/hotels") { request, _ in try await hotels(request) }
        router.patch("/api/hotels/{hotelId}") { request, context in try await configureHotel(request, context) }
        router.get("/api/rooms/availability") { request, _ in try await availability(request) }
        router.get("/api/hotels/{hotelId}/rooms") { request, context in try await rooms(request, context) }
        router.post("/api/hotels/{hotelId}/rooms") { request, context in try await addRoom(request, context) }
        router.patch("/api/rooms/{roomId}") { request, context in try await changeRoom(request, context) }
        router.get("/api/hotels/{hotelId}/room-types") { request, context in try await roomTypes(request, context) }
        router.post("/api/hotels/{hotelId}/room-types") { request, context in try await addRoomType(request, context) }
        router.patch("/api/hotels/{hotelId}/room-types/{roomTypeId}") { request, context in try await changeRoomType(request, context) }
        router.post("/api/bookings") { request, context in try await createBooking(request, context) }
        router.get("/api/bookings") { request, _ in try await listBookings(request) }
        router.get("/api/bookings/{bookingId}") { request, context in try await booking(request, context) }
        router.post("/api/bookings/{bookingId}/cancel") { request, context in try await change(request, context, .cancel) }
        router.post("/api/bookings/{bookingId}/check-in") { request, context in try await change(request, context, .checkIn) }
        router.post("/api/bookings/{bookingId}/check-out") { request, context in try await change(request, context, .checkOut) }
        router.patch("/api/bookings/{bookingId}") { request, context in try await changeReservation(request, context, .edit) }
        router.post("/api/bookings/{bookingId}/move") { request, context in try await changeReservation(request, context, .move) }
        router.post("/api/bookings/{bookingId}/no-show") { request, context in try await changeReservation(request, context, .noShow) }
        router.post("/api/bookings/{bookingId}/undo-check-in") { request, context in
            try await changeReservation(request, context, .undoCheckIn)
        }
        router.post("/api/bookings/{bookingId}/undo-check-out") { request, context in
            try await changeReservation(request, context, .undoCheckOut)
        }
        router.post("/api/bookings/{bookingId}/undo-no-show") { request, context in
            try await changeReservation(request, context, .undoNoShow)
        }
        router.get("/api/hotels/{hotelId}/occupancy") { request, context in try await occupancy(request, context) }
        router.get("/api/hotels/{hotelId}/events") { request, context in try await events(request, context) }
        router.get("/api/hotels/{hotelId}/replica") { request, context in try await replica(request, context) }
        router.get("/api/hotels/{hotelId}/changes") { request, context in try await changes(request, context) }
        router.post("/api/hotels/{hotelId}/sync") { request, context in try await sync(request, context) }
        router.get("/api/hotels/{hotelId}/sync/{operationId}") { request, context in try await syncOperation(request, context) }
    }

    // MARK: Health

    /// 200 when the database answers a trivial query; 503 `database_unavailable` when not.
    func ready() async throws -> Response {
        do {
            try await state.blocking { [ping = state.database.ping] in try ping() }
            return json(.object([("status", .string("ready"))]))
        } catch {
            return Problem.databaseUnavailable().response()
        }
    }

    func metrics() async throws -> Response {
        let store = state.chain
        // The readiness question first: a file replaced under the server still reads, but is gone.
        let sagas = try? await state.blocking { [ping = state.database.ping] in
            try ping()
            return try store.sagaCounts()
        }
        let text = state.metrics.render(sagas: sagas.map { ($0.underWay, $0.needingAttention) },
                                        circuit: state.gateway?.breaker.current, paymentCallsWithoutOutcome: state.gateway?.callsWithoutOutcome,
                                        availabilityCache: state.availabilityCache)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    // MARK: Authentication

    struct Credentials: Decodable { let username: String; let password: String }

    func token(_ request: Request, _ context: ServerContext) async throws -> Response {
        let credentials = try await decode(Credentials.self, request, context)
        let typed = credentials.username.trimmingCharacters(in: .whitespaces)
        // A name no account can have (a control character such as a NUL, which PostgreSQL refuses
        // in text; a pasted page) is an unknown user: looked up nowhere, its failures counted
        // under the name cut to the longest an account has, its control characters escaped.
        let possibleName = UserAccountRules.couldBeName(typed)
        let name = possibleName ? typed.lowercased()
            : TextRules.escaped(String(String.UnicodeScalarView(typed.unicodeScalars.prefix(UserAccountRules.maximumNameLength)))).lowercased()
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let (userKey, addressKey) = (LoginThrottleRules.userKey(state.signer.loginThrottleName(name)), LoginThrottleRules.addressKey(address))
        let keys = [userKey, addressKey]
        let state = self.state
        @Sendable func checkLogin() async throws -> (account: UserAccount?, wait: Int?) {
            try await state.blocking { () -> (account: UserAccount?, wait: Int?) in
                // The records are the database's: a failure counted by another instance counts here.
                let throttle = try state.failedLogins.check(keys)
                if let wait = throttle.wait { return (nil, wait) }
                let found = possibleName ? try state.chain.userAccount(named: typed) : nil
                // Unknown, disabled and wrong password take the same time and get the same answer.
                var verified: UserAccount?
                if let found, !found.isDisabled {
                    verified = state.hasher.verify(credentials.password, against: found.passwordHash) ? found : nil
                } else {
                    state.hasher.spendVerificationTime(credentials.password)
                }
                guard let account = verified else {
                    try state.failedLogins.recordFailure(for: keys)
                    return (nil, nil)
                }
                // The user's record only: the address's counts every name guessed from it.
                try state.failedLogins.recordSuccess(for: [userKey], had: throttle.records.filter { $0.key == userKey })
                return (account, nil)
            }
        }
        let outcome: (account: UserAccount?, wait: Int?)
        do {
            outcome = try await state.loginGate.admit(userKey: userKey) { try await checkLogin() }
        } catch is LoginGate.LineFull {
            throw Problem.rateLimited(retryAfter: 1, "Too many logins at once; try again in 1 s")
        }
        if let wait = outcome.wait {
            throw Problem.rateLimited(retryAfter: wait, "Too many failed logins; try again in \(wait) s")
        }
        guard let account = outcome.account else { throw Problem.unauthorized("Wrong user name or password") }
        let issued = state.signer.issue(for: (account.name, account.email, account.role, account.hotelId),
                                         passwordHash: account.passwordHash, disabledAt: account.disabledAt, now: state.clock())
        return json(.object([("token", .string(issued.token)), ("expiresAt", .string(ISO8601DateFormatter().string(from: issued.expiresAt)))]))
    }

    func principal(_ request: Request) async throws -> Principal {
        guard let header = request.headers[.authorization] else { throw Problem.unauthorized("A bearer token is required") }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw Problem.unauthorized("A bearer token is required") }
        let token = String(parts[1])
        let verified: TokenSigner.Verified
        do {
            verified = try state.verifiedToken(bearer: token)
        } catch {
            throw Problem.unauthorized(error == .expired ? "The token has expired" : "The token is not valid")
        }
        switch try await state.accountStanding(of: verified) {
        case .active: break
        case .disabledOrGone: throw Problem.unauthorized("The token's user is disabled or gone")
        case .passwordChanged:
            throw Problem.unauthorized("The user's password has changed, or the user was disabled, since this token was issued; sign in again")
        }
        let principal = verified.principal
        // Per token: the signature names it without keeping the token itself.
        if state.rateLimiter.perSecond > 0, let wait = state.rateLimiter.take(String(token.suffix(43))) {
            throw Problem.rateLimited(retryAfter: wait, "Too many requests for this token; slow down")
        }
        return principal
    }

    /// The principal, if its role has `right`; a hotel it may not see is "not found".
    func authorize(_ request: Request, _ right: Right, hotel: UUID? = nil) async throws -> Principal {
        let principal = try await principal(request)
        try check(principal, right, hotel: hotel)
        return principal
    }

    /// `authorize` for a principal already known: the token is checked before anything of the
    /// request is read, so a caller without one learns nothing from a 400.
    func check(_ principal: Principal, _ right: Right, hotel: UUID? = nil) throws {
        if let hotel, !principal.mayAccess(hotel: hotel) { throw Problem.notFound() }
        guard principal.role.may(right) else { throw Problem.forbidden("A \(principal.role.rawValue) may not do this") }
    }

    // MARK: Hotels and rooms

    func hotels(_ request: Request) async throws -> Response {
        let principal = try await authorize(request, .searchAndBook)
        let store = state.chain
        let hotels = try await state.blocking { try store.hotels() }.filter { principal.mayAccess(hotel: $0.id) }
        return json(.object([("hotels", .array(hotels.map(\.apiJSON)))]))
    }

    struct HotelSettingsBody: PatchBody {
        let name: String?; let holdMinutes: Int?; let noShowCutoff: String?; let noShowFee: String?
        static let fields = ["name", "holdMinutes", "noShowCutoff", "noShowFee"]
    }

    /// A hotel's name, hold minutes and no-show rules (its managers and admins): the parts given
    /// change, in one transaction; the same body again changes nothing.
    func configureHotel(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (store, principal) = try await hotelInPath(request, context, .manageProperty)
        let body = try await decodePatch(HotelSettingsBody.self, request, context)
        let change = try HotelSettingsChange(name: body.name, holdMinutes: body.holdMinutes, typedCutoff: body.noShowCutoff,
                                             typedFee: body.noShowFee)
        let hotel = try await state.blocking { try store.configureHotel(change, by: principal.userName) }
        return json(hotel.apiJSON)
    }

    func availability(_ request: Request) async throws -> Response {
        let principal = try await principal(request)
        let query = request.uri.queryParameters
        let hotel = try requiredId(query.get("hotelId"), field: "hotelId")
        try check(principal, .searchAndBook, hotel: hotel)
        let store = state.chain.hotel(hotel)
        let (checkIn, checkOut, guests) = (query.get("checkIn"), query.get("checkOut"), query.get("guests") ?? "1")
        var missing: [(field: String, message: String)] = []
        if checkIn == nil { missing.append(("checkIn", "checkIn is required (YYYY-MM-DD)")) }
        if checkOut == nil { missing.append(("checkOut", "checkOut is required (YYYY-MM-DD)")) }
        if !missing.isEmpty { throw Problem.validation(missing) }
        let key = AvailabilityCache.Key(hotel: hotel, checkIn: checkIn, checkOut: checkOut, guests: guests)
        // A search goes to the workers.
        // On SQLite a kept answer is checked right here: one indexed read on a connection of its
        // own, cheaper than handing the request to a worker thread and back. On PostgreSQL the
        // request's task waits for the read on an idle connection; only when none is idle does
        // the check go to the workers like every other call.
        let isCurrent: (FrontDeskStore.SearchStamp) async throws -> Bool = state.database.sqlite != nil
            ? { try store.searchIsCurrent($0) }
            : { [state] stamp in
                if let known = try await store.searchIsCurrentWithoutWaiting(stamp) { return known }
                return try await state.blocking { try store.searchIsCurrent(stamp) }
            }
        let body = try await state.availabilityCache.answer(for: key, isCurrent: isCurrent) { [state] in
            try await state.blocking {
                let (result, stamp) = try store.stampedSearch(checkIn: checkIn, checkOut: checkOut, guests: guests)
                return AvailabilityCache.Entry(stamp: stamp, body: ByteBuffer(string: result.json.rendered()))
            }
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body))
    }

    func rooms(_ request: Request, _ context: ServerContext) async throws -> Response {
        let store = try await hotelInPath(request, context, .manageProperty).store
        let rooms = try await state.blocking { () -> [RoomListing] in
            _ = try store.requireHotelExists()
            return try store.rooms()
        }
        return json(.object([("rooms", .array(rooms.map(\.apiJSON)))]))
    }

    struct NewRoom: Decodable { let roomNumber: String; let roomType: String }

    func addRoom(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (store, principal) = try await hotelInPath(request, context, .manageProperty)
        let body = try await decode(NewRoom.self, request, context)
        let room = try await state.blocking { try store.addRoom(number: body.roomNumber, typeName: body.roomType, by: principal.userName) }
        return json(room.apiJSON, status: .created, headers: [.location: "/api/rooms/\(room.room.id.uuidString.lowercased())"])
    }

    struct RoomChange: PatchBody {
        let roomNumber: String?; let isActive: Bool?
        static let fields = ["roomNumber", "isActive"]
    }

    func changeRoom(_ request: Request, _ context: ServerContext) async throws -> Response {
        let principal = try await principal(request)
        let roomId = try pathId(context, "roomId")
        let everyHotel = state.chain
        // Another hotel's staff do not see the room (404); its own receptionists may not change it
        // (403), whatever the body carries: the body is read only once both are settled.
        guard let listing = try await state.blocking({ try everyHotel.room(id: roomId) }), principal.mayAccess(hotel: listing.room.hotelId) else {
            throw Problem.notFound("No room with id \(roomId.uuidString.lowercased())")
        }
        try check(principal, .manageProperty, hotel: listing.room.hotelId)
        let body = try await decodePatch(RoomChange.self, request, context)
        let store = state.chain.hotel(listing.room.hotelId)
        // Nothing to change: nothing written (no feed entry for every desk to pull).
        if (body.roomNumber ?? listing.room.number) == listing.room.number, (body.isActive ?? listing.room.isActive) == listing.room.isActive {
            return json(listing.apiJSON)
        }
        // Both parts in one transaction: a refused one leaves the room as it was.
        let changed = try await state.blocking {
            try store.changeRoom(listing.room.number, newNumber: body.roomNumber, isActive: body.isActive, by: principal.userName)
        }
        return json(changed.apiJSON)
    }

    func roomTypes(_ request: Request, _ context: ServerContext) async throws -> Response {
        let store = try await hotelInPath(request, context, .manageProperty).store
        let types = try await state.blocking { () -> [RoomType] in
            _ = try store.requireHotelExists()
            return try store.roomTypes()
        }
        return json(.object([("roomTypes", .array(types.map(\.apiJSON)))]))
    }

    struct NewRoomType: Decodable { let name: String; let capacity: Int; let basePrice: PriceText }

    /// A base price as text (`"135.50"`, as the API first took it) or as the number a room type
    /// is answered with (`135.5`): a client that sends back what it read was refused ("wrong
    /// type"). A number is read as a decimal from its digits, never through a `Double` (19.99
    /// stays 19.99), then as text by the same rules (at most two decimals, no sign).
    struct PriceText: Decodable {
        let text: String

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let text = try? container.decode(String.self) {
                self.text = text
            } else {
                self.text = "\(try container.decode(Decimal.self))"
            }
        }
    }

    /// A new room type's refusal: "Room type name …" is about this body's `name` (a room's body
    /// calls it `roomType`).
    static func newRoomTypeProblem(_ error: FrontDeskError) -> any Error {
        guard case .validationFailed(let problems) = error else { return error }
        return Problem.validation(problems.map { problem in
            let field = Problem.field(of: problem)
            return (field == "roomType" ? "name" : field, problem)
        })
    }

    func addRoomType(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (store, principal) = try await hotelInPath(request, context, .manageProperty)
        let body = try await decode(NewRoomType.self, request, context)
        let typed: (name: String, capacity: Int, basePrice: Money)
        do {
            typed = try RoomType.parse(name: body.name, capacity: String(body.capacity), basePrice: body.basePrice.text)
        } catch {
            throw Self.newRoomTypeProblem(error)
        }
        let type = try await state.blocking {
            try store.addRoomType(name: typed.name, capacity: typed.capacity, basePrice: typed.basePrice, by: principal.userName)
        }
        return json(type.apiJSON, status: .created)
    }

    struct RoomTypeChangeBody: PatchBody {
        let name: String?; let capacity: Int?; let basePrice: PriceText?
        static let fields = ["name", "capacity", "basePrice"]
    }

    /// A type's new name, capacity or base price: the parts given change, bookings keep their
    /// prices; the same body again answers the type as it is (nothing written).
    func changeRoomType(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (store, principal) = try await hotelInPath(request, context, .manageProperty)
        let typeId = try pathId(context, "roomTypeId")
        let body = try await decodePatch(RoomTypeChangeBody.self, request, context)
        let change: RoomTypeChange
        do {
            change = try RoomTypeChange(typedName: body.name, capacity: body.capacity.map(String.init), basePrice: body.basePrice?.text)
        } catch {
            throw Self.newRoomTypeProblem(error)
        }
        let type = try await state.blocking { try store.changeRoomType(id: typeId, change, by: principal.userName) }
        return json(type.apiJSON)
    }

    // MARK: Bookings

    struct NewBooking: Decodable {
        struct Payment: Decodable { let method: String; let card: String? }
        let hotelId: String
        let roomId: String
        let checkIn: String
        let checkOut: String
        let guests: Int
        let guestName: String
        let email: String
        let phone: String?
        let payment: Payment
    }

    func createBooking(_ request: Request, _ context: ServerContext) async throws -> Response {
        let principal = try await authorize(request, .searchAndBook)
        let buffer = try await collectBody(request, context)
        let body = try buffer.withUnsafeReadableBytes(NewBooking.readPlain) ?? decodeCollected(NewBooking.self, buffer)
        let hotel = try requiredId(body.hotelId, field: "hotelId")
        guard principal.mayAccess(hotel: hotel) else { throw Problem.notFound("No hotel with id \(body.hotelId)") }
        let roomId = try requiredId(body.roomId, field: "roomId")
        let payment: PaymentInstruction
        switch body.payment.method {
        case "desk": payment = .desk
        case "card":
            guard let card = body.payment.card, !card.isEmpty else { throw Problem.validation([("payment.card", "A card payment needs payment.card")]) }
            // The CLI's rule: spaces and dashes dropped, 12 to 19 digits.
            do { payment = try PaymentInstruction.parse(method: "card", card: card) } catch {
                throw Problem.validation(error.details.map { ("payment.card", $0) })
            }
        default: throw Problem.validation([("payment.method", "payment.method is desk or card")])
        }
        // With no payment service nobody would ever charge the card: the booking would be held,
        // wait and lapse. Refused before anything is held, as the desk refuses it.
        if payment.method == .card, state.gateway == nil {
            throw Problem(status: .unprocessableContent, code: "invalid_state", title: "Not allowed now",
                          detail: "This server takes no card payments: no payment service is set up (FRONTDESK_PAYMENT_URL); pay at the desk")
        }
        // The idempotency key is the caller's; the request id is derived from it within the
        // hotel, so two hotels' keys never meet.
        let key = request.headers[.idempotencyKey]
        if let key, key.isEmpty || key.count > 200 { throw Problem.validation([("Idempotency-Key", "Idempotency-Key is 1 to 200 characters")]) }
        let requestId = key.map { RequestIds.derive(hotel: hotel, key: $0) }
        let intake = try await state.intake(for: hotel)
        // The room is looked up by its id in the booking's own transaction (an unknown room, or
        // another hotel's, is 404 there), not in a read of its own on a worker thread first.
        let form = BookingForm(checkIn: body.checkIn, checkOut: body.checkOut, guests: String(body.guests),
                               guestName: body.guestName, email: body.email, phone: body.phone ?? "")
        // Waits for its group's commit without holding a worker thread, so every request in
        // flight can join the next group (group commit), not only as many as there are workers.
        // A desk payment is the receptionist's, settled when the booking is made: held, paid and
        // confirmed in its group's transaction (DECISIONS.md); a card's saga goes on in the runner.
        let booking = try await intake.submitAsync(ReservationRequest(form: form, requestId: requestId, payment: payment,
                                                                      user: principal.userName, roomId: roomId,
                                                                      confirmsDeskPaymentAtOnce: true))
        if payment.method == .card { state.runner?.poke() }
        state.noteWrite(booking.hotelId)
        return guestJSON(bytes: booking.apiJSONBytes, status: .accepted, headers: [
            .location: "/api/bookings/\(SyncWire.lowercaseText(booking.id))", .eTag: "\"\(booking.version)\"",
        ])
    }

    func booking(_ request: Request, _ context: ServerContext) async throws -> Response {
        let principal = try await authorize(request, .searchAndBook)
        let booking = try await visibleBooking(try pathId(context, "bookingId"), principal)
        return guestJSON(bytes: booking.apiJSONBytes, headers: [.eTag: "\"\(booking.version)\""])
    }

    /// A booking the principal may see; any other is "not found", whether it exists or not.
    func visibleBooking(_ id: UUID, _ principal: Principal) async throws -> Booking {
        let everyHotel = state.chain
        let found = try await state.blocking { () -> Booking? in
            do { return try everyHotel.booking(id.uuidString) } catch FrontDeskError.notFound { return nil }
        }
        guard let found, principal.mayAccess(hotel: found.hotelId) else {
            throw Problem.notFound("No booking with id \(id.uuidString.lowercased())")
        }
        return found
    }

    func listBookings(_ request: Request) async throws -> Response {
        let principal = try await authorize(request, .searchAndBook)
        let query = request.uri.queryParameters
        let hotel: UUID
        if let text = query.get("hotelId") {
            hotel = try requiredId(text, field: "hotelId")
        } else if let own = principal.hotelId {
            hotel = own
        } else {
            throw Problem.validation([("hotelId", "hotelId is required")])
        }
        guard principal.mayAccess(hotel: hotel) else { throw Problem.notFound() }
        var problems: [(field: String, message: String)] = []
        let from = Self.date(query, "from", into: &problems), to = Self.date(query, "to", into: &problems)
        if let from, let to, to < from { problems.append(("to", "to \(to) is before from \(from)")) }
        var status: BookingStatus?
        if let text = query.get("status") {
            status = BookingStatus.allCases.first { $0.rawValue.lowercased() == text.lowercased() }
            if status == nil {
                problems.append(("status", "status \(BookingRules.quoted(text)) is not one of \(BookingStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        var limit = 100
        if let text = query.get("limit") {
            if let value = Int(text), (1...1000).contains(value) { limit = value } else { problems.append(("limit", "limit is 1 to 1000")) }
        }
        let filter = BookingFilter(from: from, to: to, status: status, guestText: query.get("guest"), limit: limit)
        if let problem = filter.guestTextProblem { problems.append(("guest", problem)) }
        if !problems.isEmpty { throw Problem.validation(problems) }
        let store = state.chain.hotel(hotel)
        let matches = try await state.blocking { () -> BookingMatches in
            _ = try store.requireHotelExists()
            return try store.findBookings(filter)
        }
        return guestJSON(.object([("bookings", .array(matches.bookings.map(\.apiJSON))), ("total", .int(matches.total)),
                             ("truncated", .bool(matches.total > matches.bookings.count))]))
    }

    enum Change { case cancel, checkIn, checkOut }

    /// `If-Match: "3"` as the version the change is based on, or a list (`"1", "2"`: the change is
    /// made when the booking is at any of them, RFC 9110 §13.1.1); empty without the header, and
    /// for `If-Match: *` ("whatever version there is": the booking must only exist). Each member is
    /// read alike: a weak tag (`W/"3"`, as a compressing proxy rewrites ours) as its version, a bare
    /// or zero-led version as that version; an empty member between commas is skipped (the list
    /// syntax allows it); any other member (`"3`, `"-1"`, a `*` among tags) refuses the header.
    func expectedVersions(_ request: Request) throws -> [Int] {
        guard let match = request.headers[.ifMatch] else { return [] }
        if match.trimmingCharacters(in: .whitespaces) == "*" { return [] }
        let malformed = Problem.validation([("If-Match", "If-Match is a version in quotes, as the ETag gives it (or a list of them)")])
        var versions: [Int] = []
        for member in match.split(separator: ",", omittingEmptySubsequences: false) {
            var tag = Substring(member.trimmingCharacters(in: .whitespaces))
            // `"1", , "2"` and a trailing comma: empty list members, which RFC 9110 §5.6.1 lets a recipient skip.
            if tag.isEmpty && match.contains(",") { continue }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            // Quoted on both sides or bare, digits only: `"3` or `"-1"` is a slip, not a version.
            if tag.count >= 2, tag.first == "\"", tag.last == "\"" { tag = tag.dropFirst().dropLast() }
            guard !tag.isEmpty, tag.count <= 18, tag.allSatisfy({ $0.isASCII && $0.isNumber }), let version = Int(tag) else {
                throw malformed
            }
            versions.append(version)
        }
        // Only commas: no tag at all, which is no version.
        if versions.isEmpty { throw malformed }
        return versions
    }

    /// Cancel, check-in and check-out: `If-Match` is the expected version, `Idempotency-Key` the
    /// request id, as for the reservation changes (a replay answers the booking as it is now).
    func change(_ request: Request, _ context: ServerContext, _ change: Change) async throws -> Response {
        let principal = try await authorize(request, .searchAndBook)
        let booking = try await visibleBooking(try pathId(context, "bookingId"), principal)
        let changeRequest = try self.changeRequest(request, booking: booking, principal)
        // A cancel may say why, as the command line's `cancel --reason` does.
        let reason = change == .cancel ? try await decodeOptional(ChangeBody.self, request, context)?.reason : nil
        let store = state.chain.hotel(booking.hotelId)
        let reference = booking.id.uuidString
        let changed = try await state.blocking { () -> Booking in
            switch change {
            case .cancel: try store.cancel(reference, reason: reason, changeRequest)
            case .checkIn: try store.checkIn(reference, changeRequest)
            case .checkOut: try store.checkOut(reference, changeRequest)
            }
        }
        if change == .cancel { state.runner?.poke() }
        state.noteWrite(changed.hotelId)
        return guestJSON(changed.apiJSON, headers: [.eTag: "\"\(changed.version)\""])
    }

    // MARK: Changing a reservation (issue 14)

    enum ReservationChange { case edit, move, noShow, undoCheckIn, undoCheckOut, undoNoShow }

    /// The body of `PATCH /api/bookings/{id}`: only the fields given change.
    struct BookingEditBody: PatchBody {
        let guestName: String?
        let email: String?
        let phone: String?
        let guests: Int?
        let note: String?
        let checkIn: String?
        let checkOut: String?
        static let fields = ["guestName", "email", "phone", "guests", "note", "checkIn", "checkOut"]
    }

    /// The body of the move, no-show and undo routes (every field optional).
    struct ChangeBody: Decodable {
        let roomId: String?
        let roomNumber: String?
        let reason: String?
        let reprice: Bool?
    }

    /// A change's `Idempotency-Key` (its request id, derived within the hotel, as for new
    /// bookings) and `If-Match` (the version it is based on).
    func changeRequest(_ request: Request, booking: Booking, _ principal: Principal) throws -> ChangeRequest {
        let key = request.headers[.idempotencyKey]
        if let key, key.isEmpty || key.count > 200 { throw Problem.validation([("Idempotency-Key", "Idempotency-Key is 1 to 200 characters")]) }
        return ChangeRequest(requestId: key.map { RequestIds.derive(hotel: booking.hotelId, key: "change:" + $0) },
                             expectedVersions: try expectedVersions(request), user: principal.userName, channel: .server)
    }

    /// The command line's change intents over HTTP: `If-Match` is the expected version (stale:
    /// 412), `Idempotency-Key` the request id (derived within the hotel, as for new bookings).
    func changeReservation(_ request: Request, _ context: ServerContext, _ change: ReservationChange) async throws -> Response {
        let principal = try await authorize(request, .searchAndBook)
        let booking = try await visibleBooking(try pathId(context, "bookingId"), principal)
        let changeRequest = try self.changeRequest(request, booking: booking, principal)
        let store = state.chain.hotel(booking.hotelId)
        let reference = booking.id.uuidString
        let changed: Booking
        switch change {
        case .edit:
            let body = try await decodePatch(BookingEditBody.self, request, context)
            let edit = BookingEdit(guestName: body.guestName, email: body.email, phone: body.phone, guests: body.guests.map(String.init),
                                   note: body.note, checkIn: body.checkIn, checkOut: body.checkOut)
            if edit.isEmpty {
                throw Problem.validation([("body", "Nothing to change: give guestName, email, phone, guests, note, checkIn or checkOut")])
            }
            changed = try await state.blocking { try store.changeBooking(reference, edit, changeRequest) }
        case .move:
            let body = try await decode(ChangeBody.self, request, context)
            let roomId = try body.roomId.map { try requiredId($0, field: "roomId") }
            guard roomId != nil || body.roomNumber != nil else {
                throw Problem.validation([("roomId", "A move needs roomId (or roomNumber)")])
            }
            // Both given could name two rooms: which one the guest goes to is not guessed.
            if roomId != nil, body.roomNumber != nil {
                throw Problem.validation([("roomNumber", "A move takes roomId or roomNumber, not both")])
            }
            changed = try await state.blocking {
                var number = body.roomNumber ?? ""
                if let roomId {
                    guard let listing = try store.room(id: roomId) else { throw Problem.notFound("No room with id \(roomId.uuidString.lowercased())") }
                    number = listing.room.number
                }
                return try store.move(reference, toRoom: number, reason: body.reason, reprice: body.reprice ?? false, changeRequest)
            }
        case .noShow:
            changed = try await state.blocking { try store.markNoShow(reference, changeRequest) }
        case .undoCheckIn, .undoCheckOut, .undoNoShow:
            let reason = try await decodeOptional(ChangeBody.self, request, context)?.reason
            changed = try await state.blocking {
                switch change {
                case .undoCheckIn: try store.undoCheckIn(reference, reason: reason, changeRequest)
                case .undoCheckOut: try store.undoCheckOut(reference, reason: reason, changeRequest)
                default: try store.undoNoShow(reference, reason: reason, changeRequest)
                }
            }
        }
        state.noteWrite(changed.hotelId)
        return guestJSON(changed.apiJSON, headers: [.eTag: "\"\(changed.version)\""])
    }

    // MARK: Live events

    /// Server-sent events from the hotel's change feed. A listener that sends `Last-Event-ID`
    /// gets every change after that one first (the feed keeps them); a new listener starts now.
    func events(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (store, _) = try await hotelInPath(request, context, .searchAndBook)
        let token = request.headers[.authorization].map { String($0.split(separator: " ", maxSplits: 1).last ?? "") } ?? ""
        var start: Int64?
        // An empty Last-Event-ID is none (the event-stream standard: the client has no id yet).
        if let text = request.headers[.lastEventId], !text.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let value = Int64(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw Problem.validation([("Last-Event-ID", "Last-Event-ID is the id of an event, a whole number")])
            }
            start = value
        }
        let asked = start
        let first = try await state.blocking { () -> Int64 in
            _ = try store.requireHotelExists()
            guard let asked else { return try store.latestFeedSequence() }
            // An id the feed no longer covers (pruned, or ahead of it: a restored file) is 410
            // `replica_too_old`, as for a desk's changes: the listener would miss events in silence.
            do {
                _ = try store.changesPage(since: asked, limit: 1)
            } catch let tooOld as ReplicaTooOld {
                throw Problem(status: .gone, code: "replica_too_old", title: "Events no longer kept",
                              detail: "Last-Event-ID \(asked) is not in this hotel's feed (it keeps events \(tooOld.oldestKept) to \(tooOld.latest)): "
                                  + "what came after it cannot be replayed; read the hotel's state again and listen without Last-Event-ID")
            }
            return asked
        }
        let state = self.state
        let hotel = try pathId(context, "hotelId")
        let signals = state.feedSignals
        guard let slot = signals.openStream(hotel, token: token, limit: ServerState.streamsPerToken) else {
            throw Problem.rateLimited(retryAfter: 15, "This token has \(ServerState.streamsPerToken) event streams open on this hotel already; "
                + "close one (a stream whose client went away ends within 15 s)")
        }
        let body = ResponseBody { writer in
            // Held for as long as the body runs; dropped with it (or with the body never run).
            withExtendedLifetime(slot) {}
            var cursor = first
            var lastWritten = ContinuousClock.now
            var mustRead = true
            // A comment at once, so the client sees the stream open, and the id it listens from:
            // an id with no data sets the client's last event id without an event (the standard),
            // so a client that reconnects before any event came asks from here, not from "now".
            try await writer.write(ByteBuffer(string: ": listening from event \(cursor)\nid: \(cursor)\n\n"))
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                // Only the hotel's own tokens may listen, for as long as they are good: a token
                // that expired, a user disabled since or a password changed since ends the stream
                // (the client's reconnect is then answered 401).
                guard let verified = try? state.verifiedToken(bearer: token) else { break }
                if let until = state.streamWaitWhileDatabaseAway() {
                    if ContinuousClock.now - lastWritten >= Self.keepAliveEvery {
                        try await writer.write(ByteBuffer(string: ": keep-alive (the database is away; reading again)\n\n"))
                        lastWritten = .now
                    }
                    // At most a second at a time: a server shutting down does not wait for the retry.
                    try? await Task.sleep(until: min(until, .now + .seconds(1)), clock: .continuous)
                    mustRead = true
                    continue
                }
                // Noted before the read: a write committed after it wakes the wait below.
                let generation = signals.generation(of: hotel)
                let since = cursor
                let found: [FeedEvent]
                do {
                    guard try await state.accountStanding(of: verified) == .active else { break }
                    if !mustRead {
                        mustRead = try await signals.shouldRead(hotel, after: since) {
                            try await state.blocking { try store.latestFeedSequence() }
                        }
                    }
                    found = mustRead ? try await state.blocking { try store.feedEvents(after: since) } : []
                } catch where state.database.isUnavailable(error) {
                    // The database away for a moment (PostgreSQL restarting): the stream stays
                    // open and reads again once the shared wait is over (above), so no listener
                    // has to reconnect into a 503, which a browser's EventSource takes as the end.
                    // Nothing is missed: the cursor stays.
                    state.noteDatabaseAwayForStreams()
                    mustRead = true
                    continue
                }
                state.noteDatabaseBackForStreams()
                for event in found {
                    try await writer.write(ByteBuffer(string: "id: \(event.sequence)\nevent: \(event.name)\ndata: \(event.data)\n\n"))
                    cursor = event.sequence
                    lastWritten = .now
                }
                // A full page may have more behind it: read again at once.
                mustRead = !found.isEmpty
                if found.isEmpty {
                    // Proxies close connections that say nothing for a minute; a client gone away
                    // is noticed at this write.
                    if ContinuousClock.now - lastWritten >= Self.keepAliveEvery {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        lastWritten = .now
                    }
                    await signals.wait(hotel, changingFrom: generation, timeout: ServerState.feedPollInterval)
                    mustRead = signals.generation(of: hotel) != generation
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    /// A stream's keep-alive comment after this long without a write. The first write to a client
    /// that went away usually succeeds (the kernel takes it; the peer's reset comes after), so a
    /// gone client is noticed at the second: every 7 s keeps that within the 15 s the 429 of a
    /// full token promises (every 15 s held its slot up to 30 s).
    static let keepAliveEvery: Duration = .seconds(7)

    // MARK: Reports

    func occupancy(_ request: Request, _ context: ServerContext) async throws -> Response {
        let store = try await hotelInPath(request, context, .readReports).store
        let query = request.uri.queryParameters
        var problems: [(field: String, message: String)] = []
        let from = Self.date(query, "from", into: &problems), to = Self.date(query, "to", into: &problems)
        if !problems.isEmpty { throw Problem.validation(problems) }
        let report = try await state.blocking { () -> OccupancyReport in
            _ = try store.requireHotelExists()
            let first = try from ?? store.businessDate()
            let last = to ?? first.adding(days: 29)
            // Only a given `to` can end before `from` or make the range too long.
            do {
                try OccupancyReport.checkRange(from: first, through: last, fromIsBusinessDate: from == nil)
            } catch FrontDeskError.validationFailed(let said) {
                throw Problem.validation(said.map { ("to", $0) })
            }
            return try store.occupancyReport(from: first, through: last)
        }
        return json(report.json)
    }

    // MARK: Helpers

    /// The date in query parameter `name`, if given; a problem with it is noted under that name
    /// (not "body": a GET has none), so a client can put the message beside its input.
    static func date(_ query: Parameters, _ name: String, into problems: inout [(field: String, message: String)]) -> CalendarDate? {
        var said: [String] = []
        let date = query.get(name).flatMap { BookingRules.parseDate($0, field: name, into: &said) }
        problems += said.map { (name, $0) }
        return date
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ServerContext) async throws -> T {
        try decodeCollected(type, try await collectBody(request, context))
    }

    /// The request's whole body, up to the largest the server takes.
    func collectBody(_ request: Request, _ context: ServerContext) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: context.maxUploadSize)
        } catch is NIOTooManyBytesError {
            throw Problem.tooLarge()
        } catch {
            throw Problem.bodyCutOff()
        }
    }

    /// `buffer` read as JSON into `type`; what is missing, of the wrong type or not JSON is named.
    func decodeCollected<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        try buffer.withUnsafeReadableBytes { try Self.refuseRepeatedKeys($0) }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.keyNotFound(let key, let context) {
            let field = Problem.fieldPath(context.codingPath, then: key)
            throw Problem.validation([(field, "\(field) is required")])
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context) {
            let field = Problem.fieldPath(context.codingPath)
            throw Problem.validation([(field.isEmpty ? "body" : field, "\(field.isEmpty ? "The body" : field) has the wrong type")])
        } catch DecodingError.dataCorrupted(let context) where !context.codingPath.isEmpty {
            // Valid JSON with a value its field cannot take ("guests": 1.5).
            let field = Problem.fieldPath(context.codingPath)
            throw Problem.validation([(field, "\(field) has the wrong type or value")])
        } catch {
            if let field = Problem.misfitNumberField(in: Data(buffer.readableBytesView)) {
                throw Problem.validation([(field, "\(field) has the wrong type or value (a whole number is expected)")])
            }
            throw Problem.validation([("body", "The body is not valid JSON")])
        }
    }

    /// A body naming one field twice is refused, naming it (`RepeatedJSONKeys`).
    static func refuseRepeatedKeys(_ bytes: UnsafeRawBufferPointer) throws {
        guard let key = RepeatedJSONKeys.first(in: bytes) else { return }
        let field = key.count > 60 ? String(key.prefix(60)) + "…" : key
        throw Problem.validation([(field, "\(field) is given twice: give each field once")])
    }

    /// A PATCH body, its fields checked by name before it is read: a misspelled one ("isactive")
    /// was ignored, and 200 with nothing changed read as success. Each unknown field is named.
    func decodePatch<T: PatchBody>(_ type: T.Type, _ request: Request, _ context: ServerContext) async throws -> T {
        let buffer = try await collectBody(request, context)
        let keys = buffer.withUnsafeReadableBytes(RepeatedJSONKeys.topLevelKeys(in:))
        let unknown = Set(keys.filter { !T.fields.contains($0) }).sorted()
        if !unknown.isEmpty {
            throw Problem.validation(unknown.prefix(10).map { key in
                let field = key.count > 60 ? String(key.prefix(60)) + "…" : key
                return (field, "\(field) is not a field this request changes (it changes \(T.fields.joined(separator: ", ")))")
            })
        }
        return try decodeCollected(type, buffer)
    }

    /// A body that may be absent (an undo without a reason): nil when empty.
    func decodeOptional<T: Decodable>(_ type: T.Type, _ request: Request, _ context: ServerContext) async throws -> T? {
        let bytes = Data(try await collectBody(request, context).readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        try bytes.withUnsafeBytes { try Self.refuseRepeatedKeys($0) }
        do {
            return try JSONDecoder().decode(T.self, from: bytes)
        } catch {
            throw Problem.validation([("body", "The body is not valid JSON (or has a field of the wrong type)")])
        }
    }

    /// The hotel named in the path, once the token may use `right` there: its scoped store and who asks.
    func hotelInPath(_ request: Request, _ context: ServerContext, _ right: Right) async throws -> (store: any HotelStorage, principal: Principal) {
        let principal = try await principal(request)
        let hotel = try pathId(context, "hotelId")
        try check(principal, right, hotel: hotel)
        return (state.chain.hotel(hotel), principal)
    }

    func pathId(_ context: ServerContext, _ name: String) throws -> UUID {
        guard let text = context.parameters.get(name), let id = UUID(uuidString: text) else { throw Problem.notFound() }
        return id
    }

    func requiredId(_ text: String?, field: String) throws -> UUID {
        guard let text, !text.isEmpty else { throw Problem.validation([(field, "\(field) is required")]) }
        guard let id = Self.canonicalUUID(text) ?? UUID(uuidString: text) else { throw Problem.validation([(field, "\(field) is not an id")]) }
        return id
    }

    /// `8-4-4-4-12` hex digits (either case) as a UUID, without Foundation's `sscanf` (a tenth of
    /// a cached availability answer's own work); nil for anything else, which Foundation then reads.
    static func canonicalUUID(_ text: String) -> UUID? {
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &uuid) { bytes -> Bool in
            guard text.utf8.count == 36 else { return false }
            var nibbles = 0
            for (index, character) in text.utf8.enumerated() {
                if index == 8 || index == 13 || index == 18 || index == 23 {
                    guard character == UInt8(ascii: "-") else { return false }
                    continue
                }
                let value: UInt8
                switch character {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = character - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): value = character - UInt8(ascii: "A") + 10
                default: return false
                }
                if nibbles % 2 == 0 { bytes[nibbles / 2] = value << 4 } else { bytes[nibbles / 2] |= value }
                nibbles += 1
            }
            return true
        }
        return parsed ? UUID(uuid: uuid) : nil
    }
}

func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    json(bytes: value.renderedUTF8(), status: status, headers: headers)
}

/// An answer holding what a guest or a receptionist typed (a booking's name, e-mail, phone,
/// notes): a card number typed there by mistake is masked (`•••• 4242`), as the command line
/// masks everything it prints. Availability and room answers hold no such text and skip the scan.
func guestJSON(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    guestJSON(bytes: value.renderedUTF8(), status: status, headers: headers)
}

func guestJSON(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    json(bytes: CardNumber.redacted(utf8: bytes), status: status, headers: headers)
}

/// A JSON answer already rendered.
func json(bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    var fields = headers
    fields[.contentType] = "application/json"
    return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
}

/// Request ids derived from an idempotency key: the same key in the same hotel is the same request.
enum RequestIds {
    static func derive(hotel: UUID, key: String) -> UUID {
        var bytes = Array(SHA256.hash(data: Data((hotel.uuidString.lowercased() + "\n" + key).utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50   // a name-based UUID (version 5 layout)
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

/// The body of a PATCH route: the fields it may change, by their JSON names.
protocol PatchBody: Decodable {
    static var fields: [String] { get }
}
