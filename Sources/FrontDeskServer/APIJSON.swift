import FrontDeskDomain
import FrontDeskStore

// The server's objects are the command line's, plus the ids a client of a chain needs.

extension Hotel {
    var apiJSON: JSONValue { jsonWithSettings }
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

    /// `apiJSON` rendered, written straight into the bytes (`renderedJSONUTF8`): the answer to
    /// every booking made, where building and rendering the tree was 9 % of the server's event
    /// loops (perf, issue 11, session 36). `APIJSONTests` holds the two to the same bytes.
    var apiJSONBytes: [UInt8] { renderedJSONUTF8(addingIds: ["hotelId": hotelId, "roomId": roomId]) }
}
