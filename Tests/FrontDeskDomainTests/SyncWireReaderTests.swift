import Foundation
import FrontDeskDomain
import Testing

/// The desk reads the server's big pages by hand (issue 12): whatever `JSONDecoder` reads into a
/// value, the reader reads into the same value; what it refuses, the reader refuses, naming the member.
@Suite struct SyncWireReaderTests {
    static let hotel = WireHotel(Hotel(id: UUID(), name: "Hotel \"Test\"", timeZoneIdentifier: "Europe/Vienna", currency: "EUR"))
    static let type = WireRoomType(RoomType(id: UUID(), hotelId: UUID(), name: "Double", capacity: 2, basePricePerNight: Money(minorUnits: 10_000)))
    static let room = WireRoom(roomId: UUID(), roomNumber: "101", roomTypeId: UUID(), isActive: false)

    static func read(_ bytes: [UInt8]) throws -> ReplicaPage {
        try bytes.withUnsafeBufferPointer { buffer in try ReplicaPage(jsonBytes: buffer) }
    }

    static func readChanges(_ bytes: [UInt8]) throws -> ChangesPage {
        try bytes.withUnsafeBufferPointer { buffer in try ChangesPage(jsonBytes: buffer) }
    }

    static func readText(_ text: String) throws -> ReplicaPage { try read(Array(text.utf8)) }

    @Test func pagesTheServerWritesReadAsJSONDecoderReadsThem() throws {
        for page in [ReplicaPage(hotel: Self.hotel, roomTypes: [Self.type], rooms: [Self.room], bookings: SyncWireJSONTests.awkward,
                                 cursor: 9_000_000_000, totalBookings: 2, next: "abc"),
                     ReplicaPage(hotel: nil, roomTypes: nil, rooms: nil, bookings: [], cursor: 0, totalBookings: 0, next: nil)] {
            #expect(try Self.read(page.jsonBytes()) == page)
            // The same page in another writer's spelling: other key order, spaces, escapes.
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let other = Array(try encoder.encode(page))
            #expect(try Self.read(other) == page)
        }
        let changes = ChangesPage(cursor: -1, more: true, bookings: SyncWireJSONTests.awkward, hotel: Self.hotel,
                                  roomTypes: [Self.type], rooms: [Self.room])
        #expect(try Self.readChanges(changes.jsonBytes()) == changes)
        #expect(try Self.readChanges(Array(JSONEncoder().encode(changes))) == changes)
    }

    @Test func escapesNullsAndUnknownMembersReadAsJSONDecoderReadsThem() throws {
        let booking = """
            {"bookingId":"b","hotelId":"h","roomId":"r","roomNumber":"1\\u00301","confirmation":"K","status":"Confirmed",
             "checkIn":"2026-12-01","checkOut":"2026-12-02","guests":2,"guestName":"\\ud83d\\ude00 \\"Z\\" \\/ \\b\\f\\n\\r\\t \\u00e5 漢",
             "email":"e","phone":null,"nightlyPrices":[{"night":"2026-12-01","priceCents":-5,"tax":{"a":[1,2.5e3,null,true]}}],
             "claims":[],"version":3,"holdExpiresAt":null,"createdAt":"c","updatedAt":"u","notes":[],"future":{"x":[false]}}
            """
        let text = #"{"protocolVersion":1,"hotel":null,"rooms":null,"bookings":[\#(booking)],"cursor":7,"totalBookings":1,"next":null,"more":[]}"#
        let decoded = try JSONDecoder().decode(ReplicaPage.self, from: Data(text.utf8))
        let read = try Self.readText(text)
        #expect(read == decoded)
        #expect(read.bookings[0].guestName == "😀 \"Z\" / \u{08}\u{0C}\n\r\t å 漢")
        #expect(read.bookings[0].roomNumber == "101" && read.bookings[0].phone == nil && read.next == nil)
    }

    @Test func whatJSONDecoderRefusesIsRefusedNamingTheMember() throws {
        let good = String(decoding: ReplicaPage(hotel: Self.hotel, roomTypes: [Self.type], rooms: [Self.room],
                                                bookings: [SyncWireJSONTests.awkward[1]], cursor: 1, totalBookings: 1, next: nil).jsonBytes(),
                          as: UTF8.self)
        let broken: [(String, String)] = [
            (good.replacingOccurrences(of: #""guests":2,"#, with: ""), "bookings.guests is missing"),
            (good.replacingOccurrences(of: #""guests":2"#, with: #""guests":"2""#), "bookings.guests is not a number"),
            (good.replacingOccurrences(of: #""guests":2"#, with: #""guests":2.5"#), "bookings.guests is not a whole number"),
            (good.replacingOccurrences(of: #""version":7"#, with: #""version":null"#), "bookings.version is not a number"),
            (good.replacingOccurrences(of: #""isActive":false"#, with: #""isActive":0"#), "rooms.isActive is not true or false"),
            (good.replacingOccurrences(of: #""cursor":1,"#, with: ""), "cursor is missing"),
            (good.replacingOccurrences(of: #""claims":["#, with: #""claims":{"#), "bookings.claims is not an array"),
            (good + "x", "something follows the document"),
            (String(good.dropLast()), "the page is not a well-formed object"),
            ("<html>Bad gateway</html>", "the page is not an object"),
        ]
        for (text, message) in broken {
            #expect(throws: (any Error).self) { try JSONDecoder().decode(ReplicaPage.self, from: Data(text.utf8)) }
            #expect(throws: SyncWireError(message)) { try Self.readText(text) }
        }
        // A member nested without end (a broken or hostile server) is refused, not a stack overflow.
        let deep = good.replacingOccurrences(of: #""cursor":1,"#,
                                             with: #""cursor":1,"future":"# + String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000) + ",")
        #expect(throws: SyncWireError("the page is nested more than 64 deep")) { try Self.readText(deep) }
        #expect(throws: SyncWireError("the page is nested more than 64 deep")) { try Self.readChanges(Array(deep.utf8)) }
        // Text that is not UTF-8, or that holds a raw control character, is not JSON.
        var bytes = Array(good.utf8)
        let name = bytes.firstRange(of: Array("Plain".utf8))!.lowerBound
        bytes[name] = 0xFF
        #expect(throws: SyncWireError("bookings.guestName is not UTF-8 text")) { try Self.read(bytes) }
        bytes[name] = 0x0A
        #expect(throws: SyncWireError("bookings.guestName holds a control character")) { try Self.read(bytes) }
    }

    @Test func idsParseAndPrintAsFoundationDoesThem() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(SyncWire.parseUUID(id.uuidString) == id)
            #expect(SyncWire.parseUUID(id.uuidString.lowercased()) == id)
            #expect(SyncWire.uppercaseText(id) == id.uuidString)
        }
        for text in ["", "not an id", "E621E1F8-C36C-495A-93FC-0C247A3E6E5", "E621E1F8-C36C-495A-93FC-0C247A3E6E5FF",
                     "E621E1F8C36C-495A-93FC-0C247A3E6E5F0", "G621E1F8-C36C-495A-93FC-0C247A3E6E5F", "E621E1F8-C36C-495A-93FC_0C247A3E6E5F"] {
            #expect(SyncWire.parseUUID(text) == nil && UUID(uuidString: text) == nil, "\(text)")
        }
    }
}
