import Foundation
import FrontDeskDomain
import FrontDeskStore
import HTTPTypes
import Hummingbird
import NIOCore

// Offline desks (issue 12): the replica, the changes after a cursor, and a desk's pushed
// operations (docs/sync-protocol.md). Receptionists, managers and admins of the hotel; another
// hotel is 404.
extension BookingRoutes {
    /// The largest push body: `SyncWire.maximumPushOperations` bookings with long names and notes.
    static let maximumPushBytes = 4 * 1024 * 1024

    func replica(_ request: Request, _ context: ServerContext) async throws -> Response {
        let store = try await hotelInPath(request, context, .searchAndBook).store
        let query = request.uri.queryParameters
        var problems: [(field: String, message: String)] = []
        var after: UUID?
        if let text = query.get("after") {
            after = Self.canonicalUUID(text) ?? UUID(uuidString: text)
            if after == nil { problems.append(("after", "after is the id of a booking (the next of the previous page)")) }
        }
        let limit = pageLimit(query.get("limit"), into: &problems)
        if !problems.isEmpty { throw Problem.validation(problems) }
        let start = after
        return syncJSON(try await state.blocking {
            // SQLite writes the page straight from its rows; another storage from its values.
            if let sqlite = store as? FrontDeskStore { return try sqlite.replicaPageJSON(after: start, limit: limit) }
            return try store.replicaPage(after: start, limit: limit).jsonBytes()
        })
    }

    func changes(_ request: Request, _ context: ServerContext) async throws -> Response {
        let store = try await hotelInPath(request, context, .searchAndBook).store
        let query = request.uri.queryParameters
        var problems: [(field: String, message: String)] = []
        var since: Int64 = 0
        if let text = query.get("since"), let value = Int64(text), value >= 0 {
            since = value
        } else {
            problems.append(("since", "since is required: the cursor of the replica or of the last changes page (a whole number, 0 or more)"))
        }
        let limit = pageLimit(query.get("limit"), into: &problems)
        if !problems.isEmpty { throw Problem.validation(problems) }
        let cursor = since
        let page = try await state.blocking { try store.changesPage(since: cursor, limit: limit) }
        return syncJSON(page.jsonBytes())
    }

    func sync(_ request: Request, _ context: ServerContext) async throws -> Response {
        let (store, principal) = try await hotelInPath(request, context, .searchAndBook)
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumPushBytes)
        } catch where !(error is NIOTooManyBytesError) {
            throw Problem.bodyCutOff()
        } catch {
            throw Problem(status: .contentTooLarge, code: "payload_too_large", title: "Payload too large",
                          detail: "A push is at most \(Self.maximumPushBytes / 1024 / 1024) MiB; push fewer operations at a time")
        }
        // A field given twice (an operation's `reason`, a cancel's money) is refused as on every route.
        try buffer.withUnsafeReadableBytes { try Self.refuseRepeatedKeys($0) }
        let push: SyncPush
        do {
            push = try JSONDecoder().decode(SyncPush.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.keyNotFound(let key, let context) {
            let field = Problem.fieldPath(context.codingPath, then: key)
            throw Problem.validation([(field, "\(field) is required")])
        } catch DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context) {
            let field = Problem.fieldPath(context.codingPath)
            if field.isEmpty, let misfit = Problem.misfitNumberField(in: Data(buffer.readableBytesView)) {
                throw Problem.validation([(misfit, "\(misfit) has the wrong type or value (a whole number is expected)")])
            }
            throw Problem.validation([(field.isEmpty ? "body" : field,
                                       field.isEmpty ? "The body is not a sync push (JSON)" : "\(field) has the wrong type or value")])
        } catch {
            throw Problem.validation([("body", "The body is not a sync push (JSON)")])
        }
        var problems: [(field: String, message: String)] = []
        if push.protocolVersion != SyncWire.protocolVersion {
            problems.append(("protocolVersion", "protocolVersion \(push.protocolVersion) is not this server's (\(SyncWire.protocolVersion)); update the desk"))
        }
        if push.operations.isEmpty || push.operations.count > SyncWire.maximumPushOperations {
            problems.append(("operations", "operations holds 1 to \(SyncWire.maximumPushOperations) operations (this push: \(push.operations.count))"))
        }
        // Text is checked by its scalars (a grapheme count let 20,000 combining marks through as
        // one character), and for what PostgreSQL cannot keep (a NUL), before anything is recorded.
        for (index, operation) in push.operations.enumerated() {
            if operation.operationId.isEmpty {
                problems.append(("operations.\(index).operationId", "operationId is 1 to 200 characters"))
                break
            }
            if let (field, message) = operation.textProblem {
                problems.append(("operations.\(index).\(field)", message))
                break
            }
        }
        if !problems.isEmpty { throw Problem.validation(problems) }
        let result: SyncPushResult
        do {
            result = try await state.blocking { try store.applySync(push.operations, by: principal.userName) }
        } catch let error as StoreError {
            // Nothing of the push was kept: the desk pushes it again later.
            var problem = Problem(status: .serviceUnavailable, code: "unavailable", title: "Busy",
                                  detail: "The push could not be applied now (\(Self.storeTrouble(error))); nothing of it was kept, push again")
            problem.retryAfterSeconds = 1
            throw problem
        }
        state.noteWrite(try pathId(context, "hotelId"))
        return syncJSON(result.jsonBytes())
    }

    static func storeTrouble(_ error: StoreError) -> String {
        if case .busy = error { return "the database is busy" }
        return "the database failed"
    }

    /// `limit`: 1 to `SyncWire.pageSize`, that when absent.
    func pageLimit(_ text: String?, into problems: inout [(field: String, message: String)]) -> Int {
        guard let text else { return SyncWire.pageSize }
        guard let value = Int(text), (1...SyncWire.pageSize).contains(value) else {
            problems.append(("limit", "limit is 1 to \(SyncWire.pageSize)"))
            return SyncWire.pageSize
        }
        return value
    }

    /// An operation pushed before, as recorded: for a desk that must know whether the server took a
    /// request whose answer it never kept, without pushing it again (a push applies what it does not
    /// know). 404 when nothing was pushed under the id.
    func syncOperation(_ request: Request, _ context: ServerContext) async throws -> Response {
        let store = try await hotelInPath(request, context, .searchAndBook).store
        // The id as pushed: the path carries it percent-encoded ("op%201" for "op 1").
        let inPath = context.parameters.get("operationId") ?? ""
        let operationId = inPath.removingPercentEncoding ?? inPath
        guard !operationId.isEmpty, operationId.unicodeScalars.count <= 200 else {
            throw Problem.validation([("operationId", "operationId must be 1 to 200 characters")])
        }
        if let problem = TextRules.problem(in: operationId, field: "operationId", maximum: 200) {
            throw Problem.validation([("operationId", problem)])
        }
        guard let recorded = try await state.blocking({ try store.recordedSyncOperation(operationId) }) else {
            throw Problem.notFound("No operation \(operationId) was pushed to this hotel")
        }
        // The answer is kept as the JSON first sent; it goes out as it is.
        var bytes = Array(#"{"operationId":"#.utf8)
        bytes += Self.jsonString(operationId)
        bytes += Array(#","fingerprint":"#.utf8)
        bytes += Self.jsonString(recorded.fingerprint)
        bytes += Array(#","answer":"#.utf8)
        bytes += Array(recorded.answer.utf8)
        bytes += Array("}".utf8)
        return syncJSON(bytes)
    }

    private static func jsonString(_ text: String) -> [UInt8] {
        JSONValue.string(text).renderedUTF8()
    }

    /// A sync document's bytes (written by hand, `SyncWireJSON.swift`) as the answer.
    func syncJSON(_ bytes: [UInt8]) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
