import Foundation
import FrontDeskDomain
@testable import FrontDeskServer
@testable import FrontDeskStore
import NIOCore
import Testing

/// The availability route keeps its answers while they are still the answer: repeated questions
/// come from the cache, and no change (a booking, a room out of service, a new room) is ever
/// hidden by it.
@Suite(.serialized) struct AvailabilityCacheTests {
    func offered(_ server: ServerHarness, token: String, guests: Int = 1) throws -> [String] {
        let answer = try server.call("GET", "/api/rooms/availability?hotelId=\(server.hotelA)&checkIn=\(Ahead.night(21))&checkOut=\(Ahead.night(24))&guests=\(guests)",
                                     token: token)
        #expect(answer.status == 200)
        return (answer.json["rooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }
    }

    func answers(_ server: ServerHarness, from source: String) throws -> Int {
        let text = String(decoding: try server.call("GET", "/metrics").body, as: UTF8.self)
        let prefix = "frontdesk_availability_answers_total{source=\"\(source)\"} "
        return text.split(separator: "\n").first { $0.hasPrefix(prefix) }.flatMap { Int($0.dropFirst(prefix.count)) } ?? -1
    }

    @Test func aRepeatedQuestionIsAnsweredFromTheCacheUntilSomethingChanges() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), max = try server.token("max")
        let before = try offered(server, token: anna)
        #expect(try offered(server, token: anna) == before)
        #expect(try answers(server, from: "cache") == 1)
        #expect(try answers(server, from: "search") == 1)

        // A booking taken: the very next answer (before its saga has run) no longer offers the room.
        let roomNumber = try #require(before.first)
        let rooms = try server.call("GET", "/api/rooms/availability?hotelId=\(server.hotelA)&checkIn=\(Ahead.night(21))&checkOut=\(Ahead.night(24))&guests=1",
                                    token: anna).json["rooms"] as? [[String: Any]] ?? []
        let roomId = try #require(rooms.first { $0["roomNumber"] as? String == roomNumber }?["roomId"] as? String)
        let booked = try server.call("POST", "/api/bookings", token: anna,
                                     json: server.bookingBody(server.hotelA, room: roomId, checkIn: Ahead.night(22), checkOut: Ahead.night(23)))
        #expect(booked.status == 202)
        #expect(try !offered(server, token: anna).contains(roomNumber))

        // A new room, then out of service and back: each shows at once.
        let type = try #require(rooms.first?["roomType"] as? String)
        let added = try server.call("POST", "/api/hotels/\(server.hotelA)/rooms", token: max, json: ["roomNumber": "777", "roomType": type])
        #expect(added.status == 201)
        #expect(try offered(server, token: anna).contains("777"))
        let addedId = try #require(added.json["roomId"] as? String)
        #expect(try server.call("PATCH", "/api/rooms/\(addedId)", token: max, json: ["isActive": false]).status == 200)
        #expect(try !offered(server, token: anna).contains("777"))
        #expect(try server.call("PATCH", "/api/rooms/\(addedId)", token: max, json: ["isActive": true]).status == 200)
        #expect(try offered(server, token: anna).contains("777"))

        // The booking's cancellation frees the room again.
        let id = try #require(booked.json["bookingId"] as? String)
        _ = try server.settled(id, token: anna)
        #expect(try server.call("POST", "/api/bookings/\(id)/cancel", token: anna).status == 200)
        #expect(try offered(server, token: anna).contains(roomNumber))
    }
}

/// The cache's own bounds: it never holds more answers or bytes than it was given.
@Suite struct AvailabilityCacheBoundsTests {
    static let stamp = FrontDeskStore.SearchStamp(
        hotel: Hotel(id: UUID(), name: "Test", timeZoneIdentifier: "Europe/Vienna", currency: "EUR"),
        availabilityVersion: 1, businessDate: CalendarDate(iso: "2026-11-26")!, validUntil: nil)

    func key(_ day: Int) -> AvailabilityCache.Key {
        AvailabilityCache.Key(hotel: UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, checkIn: "2026-12-\(day)",
                              checkOut: nil, guests: "2")
    }

    @Test func itStartsOverPastItsAnswersOrBytesAndKeepsServingCurrentOnes() async throws {
        let cache = AvailabilityCache(capacity: 3, maximumBytes: 1000)
        for day in 10...12 {
            _ = try cache.freshAnswer(for: key(day)) { .init(stamp: Self.stamp, body: ByteBuffer(repeating: 1, count: 100)) }
        }
        #expect(cache.size == (3, 300))
        #expect(try await cache.currentAnswer(for: key(11)) { _ in true }?.readableBytes == 100)
        #expect(try await cache.currentAnswer(for: key(11)) { _ in false } == nil)
        // A fourth answer: over the count, so it starts over with that one.
        _ = try cache.freshAnswer(for: key(13)) { .init(stamp: Self.stamp, body: ByteBuffer(repeating: 1, count: 100)) }
        #expect(cache.size == (1, 100))
        // One answer bigger than what is left of the bytes: starts over again.
        _ = try cache.freshAnswer(for: key(14)) { .init(stamp: Self.stamp, body: ByteBuffer(repeating: 1, count: 950)) }
        #expect(cache.size == (1, 950))
        #expect(cache.hits.load(ordering: .relaxed) == 1)
        #expect(cache.misses.load(ordering: .relaxed) == 5)
    }
}
