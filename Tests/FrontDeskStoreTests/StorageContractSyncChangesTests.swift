import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A desk's pushed no-shows and undos (issue 12), applied by the server's own changes on SQLite
/// and PostgreSQL alike: idempotent by operation id, a changed booking a `stale_version`
/// conflict, a night sold meanwhile a `room_unavailable` conflict, a change the booking's status
/// does not allow `rejected`.
@Suite struct StorageContractSyncChangesTests {
    static func operation(_ kind: SyncOperation.Kind, _ booking: Booking, base: Int?, id: String = UUID().uuidString,
                          reason: String? = nil) -> SyncOperation {
        SyncOperation(operationId: id, kind: kind, bookingId: booking.id.uuidString.lowercased(), baseVersion: base,
                      madeAt: "2026-11-18T09:05:00.000Z", by: "desk-anna", reason: reason)
    }

    static func push(_ hotel: any HotelStorage, _ operation: SyncOperation) throws -> SyncOutcome {
        try #require(try hotel.applySync([operation], by: "anna").results.first)
    }

    @Test(arguments: StorageBackend.all)
    func aPushedNoShowIsAppliedOnceAndAStaleOneIsAConflict(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        let ana = try StorageContractChangesTests.confirmed(hotel, room: "101", from: "2026-11-26", to: "2026-11-29")

        let stale = try Self.push(hotel, Self.operation(.noShow, ana, base: ana.version + 1))
        #expect(stale.outcome == .conflict && stale.code == "stale_version", "\(stale)")
        let early = try Self.push(hotel, Self.operation(.noShow, ana, base: ana.version))
        #expect(early.outcome == .rejected && early.code == "invalid_state", "before the cut-off: \(early)")
        #expect(try hotel.booking(ana.id.uuidString).status == .confirmed)

        chain.clock.advance(minutes: 7 * 60) // 19:06 in Vienna, past the no-show cut-off
        let noShow = Self.operation(.noShow, ana, base: ana.version, id: "no-show-1")
        let done = try Self.push(hotel, noShow)
        #expect(done.outcome == .accepted, "\(done)")
        #expect(done.booking?.status == "NoShow" && done.booking?.statusReason == "No-show: first night charged")
        #expect(done.booking?.claims.map(\.night) == ["2026-11-26"], "the charged night stays sold")
        // Pushed again: the first answer, nothing applied twice.
        #expect(try Self.push(hotel, noShow) == done)
        let after = try hotel.booking(ana.id.uuidString)
        #expect(after.status == .noShow && after.version == ana.version + 1)
        #expect(throws: Never.self) { try chain.reserve(hotel, chain.request("101", from: "2026-11-27", to: "2026-11-29")) }
    }

    /// After a restore each desk sends again the lost bookings it holds, other desks' too: the
    /// first puts one back, the next is answered with it as the server has it now, not refused.
    /// Another code under the same id, or another hotel's id, is refused as before.
    @Test(arguments: StorageBackend.all)
    func aBookingSentAgainIsAnsweredAsTheServerHasIt(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        let ana = try StorageContractChangesTests.confirmed(hotel, room: "101", from: "2026-11-26", to: "2026-11-29")
        func book(code: String) -> SyncOperation {
            SyncOperation(operationId: UUID().uuidString, kind: .book, bookingId: ana.id.uuidString.lowercased(), baseVersion: nil,
                          madeAt: "2026-11-18T09:05:00.000Z", by: "desk-ben",
                          book: .init(roomId: ana.roomId.uuidString.lowercased(), roomNumber: "102", checkIn: ana.stay.checkIn.iso,
                                      checkOut: ana.stay.checkOut.iso, guests: ana.guestCount, guestName: ana.guest.name, email: ana.guest.email,
                                      phone: nil, confirmation: code, payment: "desk", totalCents: ana.totalPrice.minorUnits))
        }
        let again = try Self.push(hotel, book(code: ana.confirmationCode.lowercased()))
        #expect(again.outcome == .accepted, "\(backend.name): \(again)")
        #expect(again.booking?.roomNumber == "101" && again.booking?.version == ana.version, "as the server has it: \(String(describing: again.booking))")
        #expect(try hotel.booking(ana.id.uuidString).version == ana.version, "nothing written")
        let other = try Self.push(hotel, book(code: "ZZZ-ZZZ"))
        #expect(other.outcome == .rejected && other.message?.contains("exists already") == true, "\(backend.name): \(other)")
        let elsewhere = try #require(try chain.graz.applySync([book(code: ana.confirmationCode)], by: "anna").results.first)
        #expect(elsewhere.outcome != .accepted, "another hotel's booking: \(elsewhere)")
    }

    @Test(arguments: StorageBackend.all)
    func aCancelPlannedAgainUnderItsIdGetsTheFirstAnswerAndOtherContentIsRefused(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        let ana = try StorageContractChangesTests.confirmed(hotel, room: "101", from: "2026-11-26", to: "2026-11-29")
        let first = Self.operation(.cancel, ana, base: ana.version, id: "cancel-1", reason: "Plans changed")
        let done = try Self.push(hotel, first)
        #expect(done.outcome == .accepted, "\(done)")
        // What the server recorded, read without pushing: the fingerprint a retry is compared on, the first answer.
        let recorded = try #require(try hotel.recordedSyncOperation("cancel-1"))
        #expect(first.isRetry(ofFingerprint: recorded.fingerprint))
        #expect(try JSONDecoder().decode(SyncOutcome.self, from: Data(recorded.answer.utf8)) == done)
        #expect(try hotel.recordedSyncOperation("cancel-2") == nil)
        #expect(try chain.graz.recordedSyncOperation("cancel-1") == nil, "another hotel's")
        // The desk lost the answer and plans the request again: later, on the version it saw change.
        var again = first
        again.madeAt = "2026-11-18T09:20:00.000Z"
        again.baseVersion = ana.version + 1
        #expect(try Self.push(hotel, again) == done)
        #expect(try hotel.booking(ana.id.uuidString).version == ana.version + 1, "cancelled once")
        var other = first
        other.reason = "Flight cancelled"
        let refused = try Self.push(hotel, other)
        #expect(refused.outcome == .rejected && refused.code == "conflict", "\(refused)")
    }

    @Test(arguments: StorageBackend.all)
    func pushedUndosRestoreTheBookingAndAnUndoWhoseNightWasSoldIsAConflict(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        let ana = try StorageContractChangesTests.confirmed(hotel, room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try hotel.checkIn(ana.confirmationCode, expectedVersion: ana.version, by: "anna")

        let undoIn = Self.operation(.undoCheckIn, inHouse, base: inHouse.version, id: "undo-in", reason: "Wrong guest")
        let undone = try Self.push(hotel, undoIn)
        #expect(undone.outcome == .accepted, "\(undone)")
        #expect(undone.booking?.status == "Confirmed" && undone.booking?.statusReason == "Wrong guest" && undone.booking?.checkedInOn == nil)
        #expect(try Self.push(hotel, undoIn) == undone)

        // Left on the day of arrival: both nights given back; the desk's undo takes them again.
        let again = try hotel.checkIn(ana.confirmationCode, expectedVersion: ana.version + 2, by: "anna")
        let left = try hotel.checkOut(ana.confirmationCode, expectedVersion: again.version, by: "anna")
        let back = try Self.push(hotel, Self.operation(.undoCheckOut, left, base: left.version))
        #expect(back.outcome == .accepted, "\(back)")
        #expect(back.booking?.status == "CheckedIn" && back.booking?.checkedOutOn == nil)
        #expect(back.booking?.statusReason?.contains("desk-anna") == true, "the desk's default reason: \(back)")
        #expect(back.booking?.claims.map(\.night) == ["2026-11-26", "2026-11-27"])

        // Left again, and the night sold meanwhile: the undo is a conflict and the check-out stands.
        let out = try hotel.checkOut(ana.confirmationCode, expectedVersion: left.version + 1, by: "anna")
        _ = try chain.reserve(hotel, chain.request("101", from: "2026-11-27", to: "2026-11-28", name: "Cy Dunn"))
        let sold = try Self.push(hotel, Self.operation(.undoCheckOut, out, base: out.version, reason: "Came back"))
        #expect(sold.outcome == .conflict && sold.code == "room_unavailable", "\(sold)")
        #expect(sold.message?.contains("was sold again for 2026-11-27") == true)
        #expect(try hotel.booking(ana.id.uuidString).status == .checkedOut)
        // Based on a version the booking left behind: stale.
        let stale = try Self.push(hotel, Self.operation(.undoCheckIn, out, base: inHouse.version))
        #expect(stale.outcome == .conflict, "\(stale)")
    }
}
