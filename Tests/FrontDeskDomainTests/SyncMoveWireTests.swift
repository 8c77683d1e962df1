import Foundation
import FrontDeskDomain
import Testing

/// The `move` operation on the wire (issue 12): the desk encodes it as the server decodes it, the
/// members the protocol names, and an operation of another kind reads as it did before `move`.
@Suite struct SyncMoveWireTests {
    static let move = SyncOperation(
        operationId: "6f1c0e4e-8d0a-4d8f-9d5e-2b4f0a9c1d11", kind: .move, bookingId: "0b7b8f46-3f0e-4b8e-a2a4-9a3c6c1f2e55",
        baseVersion: 3, madeAt: "2026-11-30T17:45:12.345Z", by: "anna", reason: "Noisy \"street\" side\n",
        move: .init(roomId: "a1b2c3d4-0000-4000-8000-00000000beef", roomNumber: "2 04", reprice: true))

    @Test func aMoveOperationReadsBackAsWritten() throws {
        let push = SyncPush(operations: [Self.move, SyncOperation(operationId: "x", kind: .move, bookingId: Self.move.bookingId,
                                                                   baseVersion: nil, madeAt: Self.move.madeAt, by: "bo",
                                                                   move: .init(roomId: "r", roomNumber: "101", reprice: false))])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys] // as the desk's client sends it
        let bytes = try encoder.encode(push)
        #expect(try JSONDecoder().decode(SyncPush.self, from: bytes) == push)
        // In the outbox an operation is kept as its JSON; read back it is the very operation pushed.
        #expect(try JSONDecoder().decode(SyncOperation.self, from: JSONEncoder().encode(Self.move)) == Self.move)
    }

    @Test func aMoveCarriesTheMembersTheProtocolNames() throws {
        let object = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(Self.move)) as? [String: Any])
        #expect(object["kind"] as? String == "move")
        #expect(object["baseVersion"] as? Int == 3)
        #expect(object["reason"] as? String == "Noisy \"street\" side\n")
        #expect(object["book"] == nil)
        let move = try #require(object["move"] as? [String: Any])
        #expect(move["roomId"] as? String == "a1b2c3d4-0000-4000-8000-00000000beef")
        #expect(move["roomNumber"] as? String == "2 04")
        #expect(move["reprice"] as? Bool == true)
        #expect(Set(move.keys) == ["roomId", "roomNumber", "reprice"])
    }

    @Test func operationsOfTheOtherKindsReadAsBefore() throws {
        // A cancel as a desk of before `move` wrote it (no `move` member): it reads, with no move.
        let old = #"{"operationId":"c1","kind":"cancel","bookingId":"0b7b8f46-3f0e-4b8e-a2a4-9a3c6c1f2e55","baseVersion":2,"madeAt":"2026-11-30T10:00:00.000Z","by":"anna","reason":"Guest called"}"#
        let cancel = try JSONDecoder().decode(SyncOperation.self, from: Data(old.utf8))
        #expect(cancel.kind == .cancel)
        #expect(cancel.move == nil)
        // And a cancel written now has no `move` member either.
        let written = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(cancel)) as? [String: Any])
        #expect(written["move"] == nil)
        #expect(SyncWire.protocolVersion == 1)
    }

    @Test func aKindTheReaderDoesNotKnowIsRefusedNotGuessed() {
        // What an older server does with `move`: the push does not decode, naming the kind.
        let unknown = #"{"protocolVersion":1,"operations":[{"operationId":"t","kind":"teleport","bookingId":"b","madeAt":"m","by":"x"}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(SyncPush.self, from: Data(unknown.utf8)) }
    }

    @Test func aMoveConflictWithSuggestionsReadsBackAsWritten() throws {
        let outcome = SyncOutcome(operationId: Self.move.operationId, outcome: .conflict, code: "room_unavailable",
                                  message: "The move of booking KMN-PQR to room 204 was refused: Room 204 is taken on the night of 2026-12-01",
                                  suggestedRooms: [WireSuggestedRoom(roomId: "r1", roomNumber: "205", roomType: "Double", totalPriceCents: 24_000),
                                                   WireSuggestedRoom(roomId: "r2", roomNumber: "301", roomType: "Suite", totalPriceCents: 48_000)])
        #expect(try JSONDecoder().decode(SyncOutcome.self, from: Data(outcome.jsonBytes())) == outcome)
    }
}
