import FrontDeskDomain
import FrontDeskStore

// The server's objects are the command line's, plus the ids a client of a chain needs.

extension Hotel {
    var apiJSON: JSONValue { json }
}

extension RoomListing {
    var apiJSON: JSONValue { json.adding([("hotelId", .string(room.hotelId.uuidString.lowercased()))]) }
}

extension RoomType {
    var apiJSON: JSONValue { json.adding([("hotelId", .string(hotelId.uuidString.lowercased()))]) }
}

extension Booking {
    var apiJSON: JSONValue {
        json.adding([("hotelId", .string(hotelId.uuidString.lowercased())), ("roomId", .string(roomId.uuidString.lowercased()))])
    }
}
