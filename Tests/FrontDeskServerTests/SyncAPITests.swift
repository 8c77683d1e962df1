import Foundation
import FrontDeskDomain
import FrontDeskStore
import Testing

/// The sync routes of the booking server (issue 12) over real HTTP: the replica, the changes after
/// a cursor and a desk's push, each for the hotel's own people only.
@Suite(.serialized) struct SyncAPITests {
    static func decode<T: Decodable>(_ type: T.Type, _ answer: ServerHarness.Answer) throws -> T {
        try JSONDecoder().decode(T.self, from: answer.body)
    }

    static func bookOperation(room: String, booking: UUID = UUID(), operation: String = UUID().uuidString,
                              checkIn: String = Ahead.night(0), checkOut: String = Ahead.night(2)) -> SyncOperation {
        SyncOperation(operationId: operation, kind: .book, bookingId: booking.uuidString.lowercased(), baseVersion: nil,
                      madeAt: InstantText.utc(Date()), by: "anna",
                      book: .init(roomId: room, roomNumber: "?", checkIn: checkIn, checkOut: checkOut, guests: 1, guestName: "Ines Wirth",
                                  email: "ines@example.com", phone: nil, confirmation: "KMN-PQR", payment: "desk", totalCents: 0))
    }

    static func body(_ operations: [SyncOperation], protocolVersion: Int = SyncWire.protocolVersion) throws -> Data {
        try JSONEncoder().encode(SyncPush(protocolVersion: protocolVersion, operations: operations))
    }

    @Test func theReplicaAndItsChangesAreForTheHotelsOwnPeopleOnly() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), bea = try server.token("bea"), max = try server.token("max"), root = try server.token("root")
        let path = "/api/hotels/\(server.hotelA)"

        var seen: [String] = []
        var answer = try server.call("GET", "\(path)/replica?limit=7", token: anna)
        #expect(answer.status == 200 && answer.header("Content-Type") == "application/json")
        let first = try Self.decode(ReplicaPage.self, answer)
        #expect(first.hotel?.hotelId == server.hotelA && first.rooms?.count == 12 && first.protocolVersion == SyncWire.protocolVersion)
        var page = first
        while true {
            seen += page.bookings.map(\.bookingId)
            #expect(page.bookings.allSatisfy { $0.hotelId == server.hotelA })
            guard let next = page.next else { break }
            answer = try server.call("GET", "\(path)/replica?after=\(next)&limit=7", token: anna)
            page = try Self.decode(ReplicaPage.self, answer)
        }
        #expect(seen.count == first.totalBookings && Set(seen).count == seen.count && seen.count > 7)
        let listed = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&limit=1000", token: anna).json["total"] as? Int
        #expect(listed == first.totalBookings)

        // A booking through the API is the one change after the replica's cursor.
        let booked = try server.call("POST", "/api/bookings", token: anna,
                                     json: server.bookingBody(server.hotelA, room: try server.freeRoom(server.hotelA, token: anna)))
        let id = try #require(booked.json["bookingId"] as? String)
        _ = try server.settled(id, token: anna)
        let changes = try Self.decode(ChangesPage.self, try server.call("GET", "\(path)/changes?since=\(first.cursor)", token: max))
        #expect(changes.bookings.map(\.bookingId) == [id] && changes.bookings.first?.status == "Confirmed" && !changes.more)
        #expect(changes.cursor > first.cursor)
        #expect(try server.call("GET", "\(path)/changes?since=\(changes.cursor)", token: root).status == 200)

        // Another hotel's receptionist does not learn it exists; no token is 401.
        for route in ["replica", "changes?since=0"] {
            #expect(try server.call("GET", "\(path)/\(route)", token: bea).status == 404)
            #expect(try server.call("GET", "\(path)/\(route)").status == 401)
            #expect(try server.call("GET", "\(path)/\(route)", token: "not-a-token").status == 401)
        }
        #expect(try server.call("GET", "/api/hotels/\(UUID().uuidString.lowercased())/replica", token: root).status == 404)
        // Bad queries are 400 with the field named.
        for query in ["replica?limit=0", "replica?limit=abc", "replica?after=nope", "changes", "changes?since=-1", "changes?since=x",
                      "changes?since=0&limit=5000"] {
            let refused = try server.call("GET", "\(path)/\(query)", token: anna)
            #expect(refused.status == 400 && refused.code == "validation_failed", "\(query): \(refused.status)")
            #expect(refused.header("Content-Type") == "application/problem+json")
        }
    }

    @Test func aPushReplayedGetsTheSameAnswerAndBooksOnce() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), bea = try server.token("bea")
        let path = "/api/hotels/\(server.hotelA)/sync"
        let room = try server.freeRoom(server.hotelA, token: anna)
        let booking = UUID()
        let push = try Self.body([Self.bookOperation(room: room, booking: booking, operation: "desk-1:op-1"),
                                  Self.bookOperation(room: room, operation: "desk-1:op-2")])
        let first = try server.call("POST", path, token: anna, body: push, headers: ["Content-Type": "application/json"])
        #expect(first.status == 200)
        let answered = try Self.decode(SyncPushResult.self, first)
        #expect(answered.results.map(\.outcome) == [.accepted, .conflict])
        #expect(answered.results[1].code == "room_unavailable" && answered.results[1].suggestedRooms?.isEmpty == false)
        let stored = try server.call("GET", "/api/bookings/\(booking.uuidString.lowercased())", token: anna).json
        #expect(stored["status"] as? String == "Confirmed" && stored["confirmation"] as? String == "KMN-PQR")

        // The answer was lost: the desk pushes again and hears the same, and nothing is booked twice.
        let again = try Self.decode(SyncPushResult.self, try server.call("POST", path, token: anna, body: push))
        #expect(again.results == answered.results)
        let total = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=Ines", token: anna).json["total"] as? Int
        #expect(total == 1)

        // What was recorded under an id, read only: the first answer and the fingerprint a retry is compared on.
        let recorded = try server.call("GET", "\(path)/desk-1:op-1", token: anna)
        #expect(recorded.status == 200 && recorded.header("Content-Type") == "application/json", "\(recorded.status)")
        let firstAnswer = recorded.json["answer"] as? [String: Any]
        #expect(firstAnswer?["outcome"] as? String == "accepted")
        #expect((firstAnswer?["booking"] as? [String: Any])?["bookingId"] as? String == booking.uuidString.lowercased())
        #expect((recorded.json["fingerprint"] as? String)?.hasPrefix("desk-1:op-1\u{1F}book\u{1F}") == true)
        #expect(try Self.decode(SyncPushResult.self, try server.call("POST", path, token: anna, body: push)).results == answered.results,
                "reading it changed nothing")
        let unknown = try server.call("GET", "\(path)/desk-1:op-9", token: anna)
        #expect(unknown.status == 404 && unknown.code == "not_found")
        #expect(try server.call("GET", "\(path)/desk-1:op-1", token: bea).status == 404)
        #expect(try server.call("GET", "\(path)/desk-1:op-1").status == 401)
        #expect(try server.call("GET", "\(path)/\(String(repeating: "x", count: 201))", token: anna).status == 400)

        // Not for another hotel's desk; nothing without a token.
        #expect(try server.call("POST", path, token: bea, body: push).status == 404)
        #expect(try server.call("POST", path, body: push).status == 401)
        // Garbage, a wrong protocol, no operations, too many: 400 and nothing applied.
        let tooMany = try Self.body((0...SyncWire.maximumPushOperations).map { Self.bookOperation(room: room, operation: "many-\($0)") })
        for (body, what) in [(Data("{".utf8), "not JSON"), (Data("{\"operations\": 3}".utf8), "wrong type"),
                             (try Self.body([Self.bookOperation(room: room)], protocolVersion: 99), "protocol"),
                             (try Self.body([]), "empty"), (tooMany, "too many"),
                             (try Self.body([Self.bookOperation(room: room, operation: "")]), "empty id")] {
            let refused = try server.call("POST", path, token: anna, body: body)
            #expect(refused.status == 400 && refused.code == "validation_failed", "\(what): \(refused.status) \(String(decoding: refused.body, as: UTF8.self))")
        }
        // A refusal names the field as the documentation does: operations.0.kind.
        let teleport = Data(String(decoding: try Self.body([Self.bookOperation(room: room)]), as: UTF8.self)
            .replacingOccurrences(of: "\"kind\":\"book\"", with: "\"kind\":\"teleport\"").utf8)
        let badKind = try server.call("POST", path, token: anna, body: teleport)
        let fields = (badKind.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(badKind.status == 400 && fields == ["operations.0.kind"], "\(fields)")

        // An operation id with a space is looked up by its percent-encoded path.
        let spaced = try server.call("POST", path, token: anna, body: try Self.body([Self.bookOperation(room: room, operation: "desk 1 op 3")]))
        #expect(spaced.status == 200)
        #expect(try server.call("GET", "\(path)/desk%201%20op%203", token: anna).status == 200)
    }

    @Test func aCursorWhoseChangesArePrunedIsGone() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let path = "/api/hotels/\(server.hotelA)"
        for name in ["Ann Lee", "Bo Lind"] {
            let booked = try server.call("POST", "/api/bookings", token: anna,
                                         json: server.bookingBody(server.hotelA, room: try server.freeRoom(server.hotelA, token: anna), name: name))
            _ = try server.settled(try #require(booked.json["bookingId"] as? String), token: anna)
        }
        let cursor = try Self.decode(ReplicaPage.self, try server.call("GET", "\(path)/replica", token: anna)).cursor
        #expect(try server.call("GET", "\(path)/changes?since=0", token: anna).status == 200)
        // A month later the server has kept only the newest change.
        let later = try FrontDeskStore(path: server.database, access: .write, clock: { Date().addingTimeInterval(30 * 86400) })
        try later.pruneFeed(before: Date().addingTimeInterval(23 * 86400))
        let gone = try server.call("GET", "\(path)/changes?since=0", token: anna)
        #expect(gone.status == 410 && gone.code == "replica_too_old" && gone.header("Content-Type") == "application/problem+json")
        #expect(try server.call("GET", "\(path)/changes?since=\(cursor)", token: anna).status == 200)
        #expect(try server.call("GET", "\(path)/changes?since=\(cursor + 1)", token: anna).status == 410)
    }
}
