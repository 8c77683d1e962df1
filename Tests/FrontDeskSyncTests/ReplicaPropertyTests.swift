import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// The server's room types and rooms as a connected desk takes them up (session 56).
@Suite struct ReplicaPropertyTests {
    /// A manager renamed Double to Twin and then Single to Double, and swapped two rooms' numbers:
    /// written one by one, the desk's copy met a name still in use, and every later sync failed on
    /// a UNIQUE constraint while the server sold the desk's rooms.
    @Test func namesAndNumbersTheServerSwappedAreTakenUp() throws {
        let server = try StoreFixture()
        let desk = try StoreFixture(rooms: false)
        let first = try server.store.replicaPage(after: nil, limit: 500)
        try desk.store.beginReplica(first, server: "http://127.0.0.1:9")
        let types = try server.store.roomTypes()
        let double = try #require(types.first { $0.name == "Double" }), single = try #require(types.first { $0.name == "Single" })
        _ = try server.store.changeRoomType(id: double.id, RoomTypeChange(name: "Twin"), by: "max")
        _ = try server.store.changeRoomType(id: single.id, RoomTypeChange(name: "Double", basePrice: Money(minorUnits: 8_500)), by: "max")
        _ = try server.store.renameRoom("101", to: "109", by: "max")
        _ = try server.store.renameRoom("102", to: "101", by: "max")
        _ = try server.store.renameRoom("109", to: "102", by: "max")

        try desk.store.applyChanges(try server.store.changesPage(since: first.cursor, limit: 100))
        #expect(try desk.store.roomTypes() == server.store.roomTypes())
        let numbers = { (store: FrontDeskStore) in try store.rooms().map { "\($0.room.id) \($0.room.number) \($0.type.name)" }.sorted() }
        #expect(try numbers(desk.store) == numbers(server.store))
        // And the search offers the new names at the new rate.
        let offer = try #require(try desk.store.search(checkIn: "2026-12-01", checkOut: "2026-12-02", guests: "1").offers
            .first { $0.roomType.id == single.id })
        #expect(offer.roomType.name == "Double" && offer.roomType.basePricePerNight == Money(minorUnits: 8_500))
    }

    /// A desk disconnected, given a room and a type of its own, then connected again to a server
    /// that has a room by that number and a type by that name: refused in words naming them, the
    /// desk left as it was (it had failed on a UNIQUE constraint, or kept "Penthouse" and
    /// "penthouse" side by side).
    @Test func aRoomOrTypeOnlyTheDeskHasIsNamedWhenTheServerHasItsName() throws {
        let server = try StoreFixture()
        let desk = try StoreFixture(rooms: false)
        try desk.store.beginReplica(try server.store.replicaPage(after: nil, limit: 500), server: "http://127.0.0.1:9")
        try desk.store.forgetReplica()
        _ = try desk.store.addRoom(number: "121", typeName: "Double", by: "max")
        _ = try server.store.addRoom(number: "121", typeName: "Double", by: "max")
        do {
            try desk.store.beginReplica(try server.store.replicaPage(after: nil, limit: 500), server: "http://127.0.0.1:9")
            Issue.record("a room 121 on both sides must be refused")
        } catch FrontDeskError.conflict(let message) {
            #expect(message.contains("This desk has a room 121 of its own") && message.contains("frontdesk rooms rename 121 NEW"), "\(message)")
        }
        #expect(try desk.store.replicaStatus() == nil, "the desk stays standalone")
        #expect(try desk.store.rooms().filter { $0.room.number == "121" }.count == 1, "its own room 121 is as it was")
        _ = try desk.store.renameRoom("121", to: "121A", by: "max")
        _ = try desk.store.addRoomType(name: "Penthouse", capacity: 4, basePrice: Money(minorUnits: 50_000), by: "max")
        _ = try server.store.addRoomType(name: "penthouse", capacity: 4, basePrice: Money(minorUnits: 50_000), by: "max")
        do {
            try desk.store.beginReplica(try server.store.replicaPage(after: nil, limit: 500), server: "http://127.0.0.1:9")
            Issue.record("a type Penthouse on both sides must be refused")
        } catch FrontDeskError.conflict(let message) {
            #expect(message.contains("room type Penthouse of its own") && message.contains("server has a type penthouse"), "\(message)")
        }
        #expect(try desk.store.roomTypes().filter { $0.name.lowercased() == "penthouse" }.count == 1)
    }

    /// Connected with a room of its own, the desk then pulls a room the server added by that
    /// number: its own moves aside ("130 (this desk)", audited) and the sync goes on (a refusal
    /// here would stop every pull, with advice a connected desk cannot follow).
    @Test func aRoomOnlyTheDeskHasMovesAsideWhenTheServerAddsOneByItsNumber() throws {
        let server = try StoreFixture()
        let desk = try StoreFixture(rooms: false)
        try desk.store.beginReplica(try server.store.replicaPage(after: nil, limit: 500), server: "http://127.0.0.1:9")
        try desk.store.forgetReplica()
        let own = try desk.store.addRoom(number: "130", typeName: "Double", by: "max")
        let first = try server.store.replicaPage(after: nil, limit: 500)
        try desk.store.beginReplica(first, server: "http://127.0.0.1:9")
        let added = try server.store.addRoom(number: "130", typeName: "Double", by: "max")

        try desk.store.applyChanges(try server.store.changesPage(since: first.cursor, limit: 100))
        let rooms = try desk.store.rooms()
        #expect(rooms.first { $0.room.id == added.room.id }?.room.number == "130")
        #expect(rooms.first { $0.room.id == own.room.id }?.room.number == "130 (this desk)")
        #expect(try desk.store.auditTrail().contains { $0.action == "replica.ownPropertyRenamed"
            && $0.summary == "Room 130, which only this desk has, is now 130 (this desk): the server has one by that name" })
    }
}
