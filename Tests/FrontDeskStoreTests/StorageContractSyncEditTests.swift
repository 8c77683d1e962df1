import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A desk's pushed edit (issue 12), applied by the server's own `changeBooking` on SQLite and
/// PostgreSQL alike: only the fields given change, idempotent by operation id; a changed booking
/// is a `stale_version` conflict, a longer stay into a night sold meanwhile a `room_unavailable`
/// conflict that changes nothing.
@Suite struct StorageContractSyncEditTests {
    static func edit(_ booking: Booking, base: Int?, _ edit: BookingEdit, id: String = UUID().uuidString) -> SyncOperation {
        SyncOperation(operationId: id, kind: .edit, bookingId: booking.id.uuidString.lowercased(), baseVersion: base,
                      madeAt: "2026-11-18T09:05:00.000Z", by: "desk-anna", edit: edit)
    }

    @Test(arguments: StorageBackend.all)
    func aPushedEditIsAppliedOnceAndARefusedOneChangesNothing(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        let ana = try StorageContractChangesTests.confirmed(hotel, room: "101", from: "2026-11-26", to: "2026-11-28")

        let longer = Self.edit(ana, base: ana.version, BookingEdit(email: "ana.lee@example.com", note: "Late arrival", checkOut: "2026-11-29"),
                               id: "edit-1")
        let done = try StorageContractSyncChangesTests.push(hotel, longer)
        #expect(done.outcome == .accepted, "\(done)")
        #expect(done.booking?.email == "ana.lee@example.com" && done.booking?.checkOut == "2026-11-29")
        #expect(done.booking?.notes.map(\.text) == ["Late arrival"])
        #expect(done.booking?.claims.map(\.night) == ["2026-11-26", "2026-11-27", "2026-11-28"])
        #expect(try StorageContractSyncChangesTests.push(hotel, longer) == done, "pushed again: the first answer")
        let now = try hotel.booking(ana.id.uuidString)
        #expect(now.version == ana.version + 1 && now.notes.count == 1)

        let stale = try StorageContractSyncChangesTests.push(hotel, Self.edit(ana, base: ana.version, BookingEdit(guests: "1")))
        #expect(stale.outcome == .conflict && stale.code == "stale_version", "\(stale)")

        // Another guest takes the night after; a longer stay into it is refused and nothing changes.
        _ = try chain.reserve(hotel, chain.request("101", from: "2026-11-29", to: "2026-11-30", name: "Cy Dunn"))
        let sold = try StorageContractSyncChangesTests.push(hotel, Self.edit(now, base: now.version, BookingEdit(checkOut: "2026-11-30")))
        #expect(sold.outcome == .conflict && sold.code == "room_unavailable", "\(sold)")
        #expect(try hotel.booking(ana.id.uuidString) == now)

        let empty = try StorageContractSyncChangesTests.push(hotel, Self.edit(now, base: now.version, BookingEdit()))
        #expect(empty.outcome == .rejected && empty.code == "validation_failed", "\(empty)")
    }
}
