import Foundation
import FrontDeskDomain
import FrontDeskStore
import HTTPTypes
import Hummingbird
import NIOCore

/// An answer that is not a success: RFC 9457 problem+json with the design's error mapping.
/// Its text is written for a person; no stack trace, SQL or file path ever goes in it.
public struct Problem: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    public var fieldErrors: [(field: String, message: String)] = []
    public var retryAfterSeconds: Int?
    /// The methods a known path takes, for a 405's `Allow` header.
    public var allowedMethods: [String]?

    public init(status: HTTPResponse.Status, code: String, title: String, detail: String) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
    }

    public static func unauthorized(_ detail: String) -> Problem {
        Problem(status: .unauthorized, code: "unauthorized", title: "Unauthorized", detail: detail)
    }
    public static func forbidden(_ detail: String) -> Problem {
        Problem(status: .forbidden, code: "forbidden", title: "Forbidden", detail: detail)
    }
    public static func notFound(_ detail: String = "No such resource") -> Problem {
        Problem(status: .notFound, code: "not_found", title: "Not found", detail: detail)
    }
    public static func validation(_ problems: [(field: String, message: String)]) -> Problem {
        var problem = Problem(status: .badRequest, code: "validation_failed", title: "Validation failed",
                              detail: problems.count == 1 ? problems[0].message : "\(problems.count) problems: " + problems.map(\.message).joined(separator: "; "))
        problem.fieldErrors = problems
        return problem
    }
    /// A decoding error's place in the body as the API names fields: `operations.0.kind`, not
    /// Foundation's `operations.Index 0.kind`.
    static func fieldPath(_ codingPath: [any CodingKey], then key: (any CodingKey)? = nil) -> String {
        (codingPath + (key.map { [$0] } ?? [])).map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }

    /// Where a body that is valid JSON holds a number no whole-number field can take (1.5, or past
    /// 64 bits): Foundation on Linux reports those as "not valid JSON", with no field. The path of
    /// the first such number in a whole-number field (`guests`, `operations.0.baseVersion`); nil
    /// when there is none, or the body is not JSON.
    static func misfitNumberField(in body: Data) -> String? {
        guard let document = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else { return nil }
        func misfit(_ value: Any, at path: [String]) -> [String]? {
            switch value {
            case let object as [String: Any]:
                for key in object.keys.sorted() {
                    if let found = misfit(object[key]!, at: path + [key]) { return found }
                }
            case let array as [Any]:
                for (index, element) in array.enumerated() {
                    if let found = misfit(element, at: path + [String(index)]) { return found }
                }
            case let number as NSNumber where !(value is Bool) && !(value is String):
                guard let field = path.last, wholeNumberFields.contains(field) else { break }
                if Int64(exactly: number.doubleValue) == nil || number.doubleValue.magnitude >= 9.2e18 { return path }
            default:
                break
            }
            return nil
        }
        // Only a field of ours is named (an ignored key's 0.5, or a client's 64 kB key, is not).
        return misfit(document, at: []).map { $0.joined(separator: ".") }
    }

    /// The whole-number fields of the API's bodies.
    static let wholeNumberFields: Set<String> = ["guests", "capacity", "protocolVersion", "baseVersion", "totalCents", "priceCents",
                                                        "holdMinutes"]

    public static func tooLarge() -> Problem {
        Problem(status: .contentTooLarge, code: "payload_too_large", title: "Payload too large", detail: "The body is over 64 KiB")
    }
    /// A reused key's conflict names the key the caller sent, not the request id the server
    /// derived from it ("Request id ec60adf9-… was already used" told the client nothing).
    mutating func nameIdempotencyKey(_ key: String) {
        guard code == "conflict", detail.hasPrefix("Request id "), let used = detail.range(of: " was already used") else { return }
        detail = "Idempotency-Key \(BookingRules.quoted(key))" + detail[used.lowerBound...]
    }

    /// A body that ended before the length its request announced (the client went away or was cut
    /// off): not "too large", which it never was.
    public static func bodyCutOff() -> Problem {
        .validation([("body", "The request's body ended before its announced length; send it whole")])
    }
    /// A known path asked with a method it does not take (RFC 9110: 405 names the ones it does).
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> Problem {
        var problem = Problem(status: .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed",
                              detail: "This path does not take \(method); it takes \(allowed.joined(separator: ", "))")
        problem.allowedMethods = allowed
        return problem
    }
    public static func rateLimited(retryAfter seconds: Int, _ detail: String) -> Problem {
        var problem = Problem(status: .tooManyRequests, code: "rate_limited", title: "Too many requests", detail: detail)
        problem.retryAfterSeconds = max(1, seconds)
        return problem
    }
    /// The database cannot be reached now (PostgreSQL down, restarting, out of connections):
    /// the request changed nothing it can know of; the server reconnects by itself.
    public static func databaseUnavailable() -> Problem {
        var problem = Problem(status: .serviceUnavailable, code: "database_unavailable", title: "Database unavailable",
                              detail: "The database cannot be reached; try again shortly")
        problem.retryAfterSeconds = 2
        return problem
    }
    public static func internalError(requestId: String) -> Problem {
        Problem(status: .internalServerError, code: "internal", title: "Internal error",
                detail: "Something went wrong on the server; quote request id \(requestId) to its operator")
    }

    /// The domain's and the store's errors, as the design maps them.
    public static func from(_ error: any Error, requestId: String) -> Problem? {
        if let problem = error as? Problem { return problem }
        if let error = error as? FrontDeskError {
            switch error {
            case .validationFailed(let problems): return .validation(problems.map { (Self.field(of: $0), $0) })
            case .notFound(let message): return .notFound(message)
            case .roomUnavailable(let message):
                return Problem(status: .conflict, code: "room_unavailable", title: "Room unavailable", detail: message)
            case .invalidState(let message):
                return Problem(status: .unprocessableContent, code: "invalid_state", title: "Not allowed now", detail: message)
            case .conflict(let message):
                return Problem(status: .conflict, code: "conflict", title: "Conflict", detail: message)
            case .staleVersion(let message):
                return Problem(status: .preconditionFailed, code: "precondition_failed", title: "Precondition failed", detail: message)
            }
        }
        if let error = error as? ReplicaTooOld {
            return Problem(status: .gone, code: "replica_too_old", title: "Replica too old", detail: error.description)
        }
        if let error = error as? StoreError, case .busy = error {
            var problem = Problem(status: .serviceUnavailable, code: "unavailable", title: "Busy", detail: "The database is busy; try again")
            problem.retryAfterSeconds = 1
            return problem
        }
        if let error = error as? HTTPError {
            switch error.status {
            case .notFound: return .notFound()
            case .contentTooLarge: return .tooLarge()
            case .methodNotAllowed:
                return Problem(status: .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed", detail: "This route does not take that method")
            case .badRequest: return .validation([("body", "The request could not be read")])
            default: return nil
            }
        }
        return nil
    }

    /// Which request field a domain rule is about, from the words it starts with.
    static func field(of message: String) -> String {
        let lower = message.lowercased()
        // "Room 101 (Double) sleeps at most 2 guests": the count asked for, not the room, is what
        // the caller changes (an edit's body has no room at all).
        if lower.hasPrefix("room "), lower.contains(" sleeps at most ") { return "guests" }
        let prefixes: [(String, String)] = [
            ("check-in", "checkIn"), ("check-out", "checkOut"), ("stay", "checkOut"), ("guest name", "guestName"),
            ("guest count", "guests"), ("name", "guestName"), ("email", "email"), ("e-mail", "email"), ("phone", "phone"),
            ("guests", "guests"), ("number of guests", "guests"), ("room type", "roomType"), ("room number", "roomNumber"),
            ("room", "roomId"), ("capacity", "capacity"), ("base price", "basePrice"), ("status ", "status"),
            ("from ", "from"), ("to ", "to"), ("card", "payment.card"), ("payment", "payment.method"),
            ("hotel name", "name"), ("hold minutes", "holdMinutes"), ("no-show cut-off", "noShowCutoff"), ("no-show fee", "noShowFee"),
            ("hotel", "hotelId"),
        ]
        // A note's and a reason's rules start with their name; elsewhere the words mean no field.
        for (prefix, field) in [("note ", "note"), ("reason ", "reason")] where lower.hasPrefix(prefix) { return field }
        for (prefix, field) in prefixes where lower.hasPrefix(prefix) { return field }
        // Only whole words further in: "ProcessingPayment" in a list of statuses is not the payment.
        let words = Set(lower.split(whereSeparator: { !$0.isLetter && $0 != "-" }).map(String.init))
        for (prefix, field) in prefixes where !prefix.contains(" ") && words.contains(prefix) { return field }
        return "body"
    }

    public var json: JSONValue {
        var fields: [(String, JSONValue)] = [
            ("type", .string("https://frontdesk.example/problems/\(code)")), ("title", .string(title)),
            ("status", .int(Int(status.code))), ("detail", .string(CardNumber.redacted(in: detail))), ("code", .string(code)),
        ]
        if !fieldErrors.isEmpty {
            fields.append(("errors", .array(fieldErrors.map { .object([("field", .string(CardNumber.redacted(in: $0.field))), ("message", .string(CardNumber.redacted(in: $0.message)))]) })))
        }
        return .object(fields)
    }

    public func response() -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        if let allowedMethods { headers[.allow] = allowedMethods.joined(separator: ", ") }
        // RFC 9110: a 401 names the scheme that would be taken.
        if status == .unauthorized { headers[.wwwAuthenticate] = #"Bearer realm="frontdesk""# }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: json.rendered())))
    }
}
