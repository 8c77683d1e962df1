import Foundation
import FrontDeskDomain
import FrontDeskServer
import Testing

/// Issue 11, session 6: `POST /api/bookings` looks its room up in the booking's own transaction
/// (the intake's group), not in a read of its own first; what a client sees stays the same.
@Suite(.serialized) struct BookingRoomLookupTests {
    @Test func anUnknownRoomOrAnotherHotelsRoomIsNotFoundAndNothingIsBooked() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), bea = try server.token("bea")
        let roomOfB = try server.freeRoom(server.hotelB, token: bea)
        for room in [UUID().uuidString.lowercased(), roomOfB] {
            let answer = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room),
                                         headers: ["Idempotency-Key": "room-\(room)"])
            #expect(answer.status == 404, "room \(room): \(answer.status)")
            #expect(answer.code == "not_found")
        }
        let listed = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=Ann%20Lee", token: anna).json
        #expect(listed["total"] as? Int == 0)
    }

    @Test func aDeskBookingAnswersConfirmedInItsRoom() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        let first = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room))
        #expect(first.status == 202)
        #expect(first.json["status"] as? String == "Confirmed")
        #expect(first.json["version"] as? Int == 3)
        #expect(first.json["roomId"] as? String == room)
        let id = try #require(first.json["bookingId"] as? String)
        let settled = try server.settled(id, token: anna)
        #expect(settled["status"] as? String == "Confirmed")
        #expect(settled["roomId"] as? String == room)
        #expect(settled["roomNumber"] as? String == first.json["roomNumber"] as? String)
        // The room is no longer offered for those nights.
        let rooms = try server.call("GET", "/api/rooms/availability?hotelId=\(server.hotelA)&checkIn=\(Ahead.night(0))&checkOut=\(Ahead.night(2))&guests=1",
                                    token: anna).json["rooms"] as? [[String: Any]] ?? []
        #expect(!rooms.contains { $0["roomId"] as? String == room })
    }
}
