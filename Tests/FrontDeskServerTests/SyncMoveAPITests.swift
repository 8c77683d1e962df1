import Foundation
import FrontDeskDomain
import Testing

/// A desk's `move` operation on the booking server (issue 12), over real HTTP: applied by the
/// server's own move, idempotent by its operation id, a conflict (never lost) when the room was
/// sold meanwhile or the booking changed.
@Suite(.serialized) struct SyncMoveAPITests {
    static func moveOperation(_ booking: String, to room: String, baseVersion: Int?, operation: String = UUID().uuidString,
                              reprice: Bool = false, reason: String? = "Guest asked for a quiet room") -> SyncOperation {
        SyncOperation(operationId: operation, kind: .move, bookingId: booking, baseVersion: baseVersion, madeAt: InstantText.utc(Date()),
                      by: "anna", reason: reason, move: .init(roomId: room, roomNumber: "?", reprice: reprice))
    }

    /// Free rooms (id and number) of hotel A for the stay, from the availability route.
    static func freeRooms(_ server: ServerHarness, token: String) throws -> [(id: String, number: String)] {
        let rooms = try server.call("GET", "/api/rooms/availability?hotelId=\(server.hotelA)&checkIn=\(Ahead.night(0))&checkOut=\(Ahead.night(2))&guests=1",
                                    token: token).json["rooms"] as? [[String: Any]] ?? []
        return rooms.compactMap { room in
            guard let id = room["roomId"] as? String, let number = room["roomNumber"] as? String else { return nil }
            return (id, number)
        }
    }

    func push(_ server: ServerHarness, _ operations: [SyncOperation], token: String) throws -> SyncPushResult {
        let answer = try server.call("POST", "/api/hotels/\(server.hotelA)/sync", token: token, body: try SyncAPITests.body(operations),
                                     headers: ["Content-Type": "application/json"])
        #expect(answer.status == 200, "push: \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        return try SyncAPITests.decode(SyncPushResult.self, answer)
    }

    /// A server, anna's token, three or more free rooms of hotel A, and a booking pushed into the
    /// first of them (its id and version).
    func serverWithABookingPushed() throws -> (ServerHarness, String, [(id: String, number: String)], String, Int) {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let rooms = try Self.freeRooms(server, token: anna)
        try #require(rooms.count >= 3)
        let bookingId = UUID().uuidString.lowercased()
        let booked = try push(server, [SyncAPITests.bookOperation(room: rooms[0].id, booking: UUID(uuidString: bookingId)!)], token: anna)
        return (server, anna, rooms, bookingId, try #require(booked.results.first?.booking?.version))
    }

    @Test func aMoveIsAppliedOnceHoweverOftenItIsPushed() throws {
        let (server, anna, rooms, bookingId, version) = try serverWithABookingPushed()

        let move = [Self.moveOperation(bookingId, to: rooms[1].id, baseVersion: version, operation: "desk-1:move-1")]
        let first = try push(server, move, token: anna)
        #expect(first.results.map(\.outcome) == [.accepted])
        #expect(first.results[0].booking?.roomNumber == rooms[1].number)
        #expect(first.results[0].booking?.version == version + 1)
        #expect(first.results[0].booking?.claims.allSatisfy { $0.roomId == rooms[1].id } == true)
        var stored = try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json
        #expect(stored["roomNumber"] as? String == rooms[1].number)

        // The answer was lost: pushed again, the same answer, and the booking moved once.
        let again = try push(server, move, token: anna)
        #expect(again.results == first.results)
        stored = try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json
        #expect(stored["version"] as? Int == version + 1)
        #expect(stored["roomNumber"] as? String == rooms[1].number)
        // The room it left is free again, the one it moved to is not.
        let free = Set(try Self.freeRooms(server, token: anna).map(\.id))
        #expect(free.contains(rooms[0].id) && !free.contains(rooms[1].id))

        // The same id with other content is another operation: refused, nothing applied.
        let changed = try push(server, [Self.moveOperation(bookingId, to: rooms[2].id, baseVersion: version + 1, operation: "desk-1:move-1")],
                               token: anna)
        #expect(changed.results[0].outcome == .rejected && changed.results[0].code == "conflict")
        // A move to the room it is in changes nothing and is accepted (the desk wants it there).
        let stay = try push(server, [Self.moveOperation(bookingId, to: rooms[1].id, baseVersion: version + 1)], token: anna)
        #expect(stay.results[0].outcome == .accepted && stay.results[0].booking?.version == version + 1)
        // A room of another hotel, or a move without its room, is refused for good.
        let otherHotelRoom = try server.freeRoom(server.hotelB, token: try server.token("bea"))
        var missing = Self.moveOperation(bookingId, to: rooms[2].id, baseVersion: version + 1)
        missing.move = nil
        let refused = try push(server, [Self.moveOperation(bookingId, to: otherHotelRoom, baseVersion: version + 1), missing], token: anna)
        #expect(refused.results.map(\.outcome) == [.rejected, .rejected])
        #expect(refused.results.map(\.code) == ["not_found", "validation_failed"])
        #expect(try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json["version"] as? Int == version + 1)
    }

    @Test func aMoveIntoASoldRoomOrOfAChangedBookingIsAConflict() throws {
        let (server, anna, rooms, bookingId, version) = try serverWithABookingPushed()
        // Room 1 is sold for the same nights meanwhile (another desk, through the API).
        let other = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: rooms[1].id, name: "Olga Other"))
        _ = try server.settled(try #require(other.json["bookingId"] as? String), token: anna)

        let sold = try push(server, [Self.moveOperation(bookingId, to: rooms[1].id, baseVersion: version)], token: anna)
        let conflict = sold.results[0]
        #expect(conflict.outcome == .conflict && conflict.code == "room_unavailable")
        #expect(conflict.message?.contains("move of booking") == true, "\(conflict.message ?? "")")
        #expect(conflict.message?.contains(rooms[1].number) == true)
        let suggested = conflict.suggestedRooms ?? []
        #expect(!suggested.isEmpty)
        #expect(!suggested.contains { $0.roomId == rooms[1].id || $0.roomId == rooms[0].id })
        var stored = try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json
        #expect(stored["roomNumber"] as? String == rooms[0].number && stored["version"] as? Int == version)

        // The receptionist moves it to a suggested room, knowing the booking as it is: applied,
        // although the move before it was a conflict.
        let resolved = try push(server, [Self.moveOperation(bookingId, to: suggested[0].roomId, baseVersion: version)], token: anna)
        #expect(resolved.results[0].outcome == .accepted)
        stored = try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json
        #expect(stored["roomNumber"] as? String == suggested[0].roomNumber)

        // A move made on the version before that one: the booking changed since, a conflict.
        let stale = try push(server, [Self.moveOperation(bookingId, to: rooms[2].id, baseVersion: version)], token: anna)
        #expect(stale.results[0].outcome == .conflict && stale.results[0].code == "stale_version")
        #expect(stale.results[0].message?.contains("move of booking") == true)
        #expect(try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json["roomNumber"] as? String == suggested[0].roomNumber)
    }
}
