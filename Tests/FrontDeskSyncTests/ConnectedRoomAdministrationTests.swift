import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// Rooms and room types are the server's on a connected desk: `frontdesk rooms add` there changed
/// only the desk's copy, which sold the new or reopened room from offline while no operation would
/// ever carry it to the server (the full-screen desk already withheld room administration).
@Suite struct ConnectedRoomAdministrationTests {
    @Test func aConnectedDeskRefusesToChangeRoomsAndRoomTypes() throws {
        let desk = try PullGuardTests.connectedDesk(cursor: 1)
        let before = try desk.store.rooms()
        let number = try #require(before.first?.room.number)
        let attempts: [(String, () throws -> Void)] = [
            ("add a room", { _ = try desk.store.addRoom(number: "999", typeName: before[0].type.name, by: "max") }),
            ("rename a room", { _ = try desk.store.renameRoom(number, to: "998", by: "max") }),
            ("take a room out of service", { _ = try desk.store.deactivateRoom(number, by: "max") }),
            ("add a room type", { _ = try desk.store.addRoomType(name: "Loft", capacity: 2, basePrice: Money(minorUnits: 9_000), by: "max") }),
            ("change a room type's rate", {
                _ = try desk.store.changeRoomType(id: before[0].type.id, RoomTypeChange(basePrice: Money(minorUnits: 9_000)), by: "max")
            }),
        ]
        for (what, attempt) in attempts {
            do {
                try attempt()
                Issue.record("a connected desk must refuse to \(what)")
            } catch FrontDeskError.invalidState(let message) {
                #expect(message.contains("connected to a server") && message.contains("change them there"), "\(what): \(message)")
            }
        }
        #expect(try desk.store.rooms() == before, "the replica's rooms are as the server sent them")
        #expect(try desk.store.roomTypes().count == Set(before.map(\.type.id)).count, "no room type added")
        #expect(try desk.store.roomTypes().first { $0.id == before[0].type.id } == before[0].type, "no rate changed")
    }

    /// The hotel's settings are the server's too: a desk's own no-show cut-off or fee told a
    /// receptionist a fee and an amount owed back the server then refused (session 55).
    @Test func aConnectedDeskRefusesToChangeTheHotelsSettings() throws {
        let desk = try PullGuardTests.connectedDesk(cursor: 1)
        let before = try #require(try desk.store.hotel())
        for (what, attempt) in [("hold minutes", { _ = try desk.store.setHoldMinutes(5, by: "max") }),
                                ("no-show policy", { _ = try desk.store.setNoShowPolicy(cutoffHour: 20, fee: NoShowPolicy.Fee.none, by: "max") })]
            as [(String, () throws -> Void)] {
            do {
                try attempt()
                Issue.record("a connected desk must refuse to change the \(what)")
            } catch FrontDeskError.invalidState(let message) {
                #expect(message.contains("connected to a server") && message.contains("follows the server's"), "\(what): \(message)")
            }
        }
        #expect(try desk.store.hotel() == before, "the replica's hotel is as the server sent it")
    }
}

/// A room number or room type name with a character that prints as nothing ("101" + U+2060, a
/// byte-order mark, a soft hyphen) made a second "101" nobody could tell from the first.
@Suite struct InvisibleCharacterTests {
    @Test(arguments: ["101\u{2060}", "101\u{FEFF}", "10\u{00AD}1", "1\u{200B}01", "101\u{200D}"])
    func aNewRoomNumberThatPrintsLikeAnotherIsRefused(_ number: String) throws {
        let fixture = try StoreFixture()
        do {
            _ = try fixture.store.addRoom(number: number, typeName: "Double", by: "max")
            Issue.record("\(number.unicodeScalars.map { String($0.value, radix: 16) }) must be refused")
        } catch FrontDeskError.validationFailed(let problems) {
            #expect(problems.joined().contains("prints as nothing (found U+"), "\(problems)")
        }
        do {
            _ = try fixture.store.renameRoom("101", to: number, by: "max")
            Issue.record("a rename to it must be refused too")
        } catch FrontDeskError.validationFailed {}
    }

    @Test func aRoomTypeNameKeepsWhatScriptsNeedButNotAWordJoiner() throws {
        let fixture = try StoreFixture()
        #expect(throws: FrontDeskError.self) {
            _ = try fixture.store.addRoomType(name: "Double\u{2060}", capacity: 2, basePrice: Money(minorUnits: 9_000), by: "max")
        }
        // Persian needs the zero-width non-joiner; an isolate keeps a right-to-left name to itself.
        let persian = try fixture.store.addRoomType(name: "اتاق\u{200C}دونفره", capacity: 2, basePrice: Money(minorUnits: 9_000), by: "max")
        #expect(persian.name.unicodeScalars.contains("\u{200C}"))
        _ = try fixture.store.addRoomType(name: "\u{2068}Suite\u{2069}", capacity: 2, basePrice: Money(minorUnits: 9_000), by: "max")
        // A Hebrew name closed by a right-to-left mark; a flag emoji's tag characters.
        _ = try fixture.store.addRoomType(name: "זוגי\u{200F}", capacity: 2, basePrice: Money(minorUnits: 9_000), by: "max")
        _ = try fixture.store.addRoomType(name: "Highland \u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}", capacity: 2,
                                          basePrice: Money(minorUnits: 9_000), by: "max")
    }
}
