import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// What a desk's `conflicts resolve --keep-server | --reapply` asks of the server (issue 12), on
/// SQLite and PostgreSQL alike: the booking as the server has it now, as the replica page of that
/// booking alone; and a refused change made again on the server's current version is applied,
/// where one based on nothing still waits behind the refusal.
@Suite struct StorageContractSyncResolutionTests {
    @Test(arguments: StorageBackend.all)
    func theReplicaPageAfterTheIdBelowABookingIsThatBookingAlone(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        var booked: [Booking] = []
        for (room, name) in [("101", "Ana Lee"), ("102", "Bo Chen"), ("103", "Cy Dunn")] {
            booked.append(try StorageContractChangesTests.confirmed(hotel, room: room, from: "2026-11-26", to: "2026-11-28", name: name))
        }
        for booking in booked {
            let page = try hotel.replicaPage(after: SyncWire.idBefore(booking.id), limit: 1)
            #expect(page.bookings.map(\.bookingId) == [booking.id.uuidString.lowercased()], "\(booking.guest.name)")
            #expect(page.bookings.first?.guestName == booking.guest.name && page.bookings.first?.version == booking.version)
            #expect(page.bookings.first?.claims.map(\.night) == ["2026-11-26", "2026-11-27"])
        }
        // An id the hotel has no booking under: the page holds another booking, or none.
        let unknown = UUID()
        let page = try hotel.replicaPage(after: SyncWire.idBefore(unknown), limit: 1)
        #expect(!page.bookings.contains { $0.bookingId == unknown.uuidString.lowercased() })
    }

    @Test func theIdBelowIsOneLessAsA128BitNumber() throws {
        let id = try #require(UUID(uuidString: "12345678-0000-4000-8000-000000000000"))
        #expect(SyncWire.idBefore(id)?.uuidString == "12345678-0000-4000-7FFF-FFFFFFFFFFFF")
        #expect(SyncWire.idBefore(try #require(UUID(uuidString: "00000000-0000-0000-0000-000000000001")))?.uuidString
                == "00000000-0000-0000-0000-000000000000")
        #expect(SyncWire.idBefore(try #require(UUID(uuidString: "00000000-0000-0000-0000-000000000000"))) == nil)
    }

    @Test(arguments: StorageBackend.all)
    func aRefusedNoShowMadeAgainOnTheServersVersionIsApplied(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        let ana = try StorageContractChangesTests.confirmed(hotel, room: "101", from: "2026-11-26", to: "2026-11-29")
        chain.clock.advance(minutes: 7 * 60) // past the no-show cut-off
        // Another desk corrects her e-mail online; this desk's no-show, based on the version before, is stale.
        let corrected = try hotel.changeBooking(ana.confirmationCode, BookingEdit(email: "ana.lee@example.com"),
                                                StorageContractChangesTests.request("bea"))
        let refused = try StorageContractSyncChangesTests.push(hotel, StorageContractSyncChangesTests.operation(.noShow, ana, base: ana.version))
        #expect(refused.outcome == .conflict && refused.code == "stale_version", "\(refused)")
        // A later change based on nothing rests on the refusal: it waits behind it.
        let waiting = try StorageContractSyncChangesTests.push(hotel, StorageContractSyncChangesTests.operation(.noShow, ana, base: nil))
        #expect(waiting.outcome == .conflict && waiting.code == "depends_on_conflict", "\(waiting)")

        // What --reapply pushes: the same change, based on the server's version now.
        let again = try StorageContractSyncChangesTests.push(hotel, StorageContractSyncChangesTests.operation(.noShow, corrected, base: corrected.version))
        #expect(again.outcome == .accepted, "\(again)")
        #expect(again.booking?.status == "NoShow" && again.booking?.email == "ana.lee@example.com")
        #expect(try hotel.booking(ana.id.uuidString).version == corrected.version + 1)
    }

    @Test(arguments: StorageBackend.all)
    func aRefusedEditMadeAgainOnTheServersVersionIsApplied(_ backend: StorageBackend) throws {
        let chain = try StorageContractChangesTests.chain(backend)
        let hotel = chain.vienna
        let ana = try StorageContractChangesTests.confirmed(hotel, room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try hotel.checkIn(ana.confirmationCode, expectedVersion: ana.version, by: "bea")
        let edit = BookingEdit(phone: "+43 1 234 5678", note: "Allergic to feathers")
        let refused = try StorageContractSyncChangesTests.push(hotel, StorageContractSyncEditTests.edit(ana, base: ana.version, edit))
        #expect(refused.outcome == .conflict && refused.code == "stale_version", "\(refused)")

        let again = try StorageContractSyncChangesTests.push(hotel, StorageContractSyncEditTests.edit(inHouse, base: inHouse.version, edit))
        #expect(again.outcome == .accepted, "\(again)")
        #expect(again.booking?.status == "CheckedIn" && again.booking?.phone == "+43 1 234 5678")
        #expect(again.booking?.notes.map(\.text) == ["Allergic to feathers"])
    }
}
