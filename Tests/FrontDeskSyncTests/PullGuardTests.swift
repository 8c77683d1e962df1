import Foundation
import FrontDeskDomain
import FrontDeskHTTP
import FrontDeskStore
import FrontDeskSync
import FrontDeskTestSupport
import Synchronization
import Testing

/// A server whose changes pages do not move the cursor on (a broken proxy, a restored backup, a
/// hostile peer): the desk stops with a clear failure instead of asking forever or losing its place.
@Suite struct PullGuardTests {
    /// Answers every changes request with `body`, and counts them; after 50 it says nothing more
    /// follows, so a desk without the guard ends its loop (with the cursor it was given).
    final class ChangesServer: HTTPExchange {
        let body: String
        let asked = Mutex(0)
        init(_ body: String) { self.body = body }
        func perform(_ call: HTTPCall) -> HTTPCallResult {
            let count = asked.withLock { $0 += 1; return $0 }
            let text = count > 50 ? body.replacingOccurrences(of: #""more":true"#, with: #""more":false"#) : body
            return .answered(status: 200, headers: ["content-type": "application/json"], body: Data(text.utf8))
        }
    }

    static func connectedDesk(cursor: Int64) throws -> StoreFixture {
        let server = try StoreFixture()
        let desk = try StoreFixture(rooms: false)
        let listings = try server.store.rooms()
        var types: [WireRoomType] = []
        for listing in listings where !types.contains(where: { $0.roomTypeId == listing.type.id.uuidString.lowercased() }) {
            types.append(WireRoomType(listing.type))
        }
        let page = ReplicaPage(hotel: WireHotel(try server.store.hotel()!), roomTypes: types,
                               rooms: listings.map { WireRoom(roomId: $0.room.id, roomNumber: $0.room.number, roomTypeId: $0.type.id, isActive: true) },
                               bookings: [], cursor: cursor, totalBookings: 0, next: nil)
        try desk.store.beginReplica(page, server: "http://127.0.0.1:9")
        return desk
    }

    @Test(arguments: [(#"{"protocolVersion":1,"cursor":5,"more":true,"bookings":[]}"#, "with cursor 5 and more to come"),
                      (#"{"protocolVersion":1,"cursor":19,"more":true,"bookings":[]}"#, "with cursor 19 and more to come"),
                      (#"{"protocolVersion":1,"cursor":3,"more":false,"bookings":[]}"#, "with cursor 3:")])
    func aPageThatDoesNotMoveTheCursorOnIsABadServer(_ body: String, _ said: String) throws {
        let desk = try Self.connectedDesk(cursor: 19)
        let server = ChangesServer(body)
        let client = SyncClient(server: "http://127.0.0.1:9", hotelId: try desk.store.hotel()!.id.uuidString.lowercased(),
                                token: "t", exchange: server)
        do {
            _ = try DeskSync(store: desk.store, client: client).pull()
            Issue.record("the pull must fail")
        } catch let failure as SyncFailure {
            #expect(failure.kind == .badServer)
            #expect(failure.message.contains("changes after 19 \(said)"), "\(failure.message)")
        }
        #expect(server.asked.withLock { $0 } == 1)
        #expect(try desk.store.replicaStatus()?.cursor == 19)
    }
}

/// A pull that brings only the hotel (a manager renamed it, or changed its no-show cut-off) says
/// so, and the open desk reloads its lists and title: it counted only bookings, and the desk went
/// on showing the old name and the old cut-off's due list (session 56).
@Suite struct PropertyPullTests {
    @Test func aPullThatBringsOnlyTheHotelSaysSo() throws {
        let desk = try PullGuardTests.connectedDesk(cursor: 1)
        var hotel = try #require(try desk.store.hotel())
        hotel.name = "Seehotel"
        hotel.noShowPolicy.cutoffHour = 21
        let body = String(decoding: try JSONEncoder().encode(ChangesPage(cursor: 2, more: false, bookings: [], hotel: WireHotel(hotel))),
                          as: UTF8.self)
        let client = SyncClient(server: "http://127.0.0.1:9", hotelId: hotel.id.uuidString.lowercased(), token: "t",
                                exchange: PullGuardTests.ChangesServer(body))
        let pulled = try DeskSync(store: desk.store, client: client).pull()
        #expect(pulled.pulled == 0 && pulled.propertyChanged)
        #expect(try desk.store.hotel()?.name == "Seehotel" && desk.store.hotel()?.noShowPolicy.cutoffHour == 21)

        let nothing = String(decoding: try JSONEncoder().encode(ChangesPage(cursor: 3, more: false, bookings: [])), as: UTF8.self)
        let quiet = SyncClient(server: "http://127.0.0.1:9", hotelId: hotel.id.uuidString.lowercased(), token: "t",
                               exchange: PullGuardTests.ChangesServer(nothing))
        #expect(try !DeskSync(store: desk.store, client: quiet).pull().propertyChanged)
    }
}
