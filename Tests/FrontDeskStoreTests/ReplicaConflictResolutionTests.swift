import Foundation
@testable import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// A refused no-show, undo or edit of a booking the server has (issue 12) is resolved on the desk
/// by keeping the server's version (the desk's change dropped) or by re-applying the change on the
/// server's version (made again here, checked as new, queued, and accepted when pushed). The
/// server's version is what the server sends: its replica page of that booking alone.
@Suite struct ReplicaConflictResolutionTests {
    /// A guest checked in on this desk while the booking was cancelled elsewhere: `--cancel` was
    /// offered and then refused with exit 5. A booking whose guest is in (or gone) offers no cancel.
    @Test func aConflictOfAGuestCheckedInOffersNoCancel() throws {
        let desk = try StoreFixture()
        let guest = try desk.checkedIn(daysAgo: 0, room: "101", from: "2026-11-26", to: "2026-11-28", name: "Ines Here")
        let conflict = { (booking: Booking, onServer: Bool) in
            SyncConflict(conflictId: "c1", operationId: "o1", booking: booking, reason: "stale_version", message: nil, suggestedRooms: [],
                         createdAt: Date(), onServer: onServer, refusedKind: .checkIn)
        }
        #expect(conflict(guest, true).resolutions == ["keepServer", "reapply"])
        #expect(conflict(guest, false).resolutions == ["moveTo"])
        let coming = try desk.book(room: "102", from: "2026-11-27", to: "2026-11-28")
        #expect(conflict(coming, true).resolutions == ["cancel", "keepServer", "reapply"])
        // Checked in here while another desk marked the booking a no-show (pulled since): cancel
        // and re-apply were offered and both refused; the guest sleeps in a room shown as free.
        var noShow = coming
        noShow.status = .noShow
        #expect(conflict(noShow, true).guestInHouseWithoutBooking)
        #expect(conflict(noShow, true).resolutions == ["keepServer"])
        #expect(conflict(noShow, true).guestInHouseAdvice.contains("marked a no-show on the server"))
        // Checked out here too since: the guest has left, and is not said to be in the room.
        var left = conflict(noShow, true)
        left.checkedOutHereSince = true
        #expect(left.guestInHouseAdvice.contains("has since checked out here") && !left.guestInHouseAdvice.contains("is in room"),
                "\(left.guestInHouseAdvice)")
    }

    /// The booking as the server sends it to a desk that asks for it alone.
    func serverCopy(_ pair: ReplicaPair, _ id: UUID) throws -> WireBooking {
        let bytes = try pair.server.store.replicaPageJSON(after: SyncWire.idBefore(id), limit: 1)
        let page = try bytes.withUnsafeBufferPointer { buffer in try ReplicaPage(jsonBytes: buffer) }
        return try #require(page.bookings.first { $0.bookingId == id.uuidString.lowercased() })
    }

    /// A no-show made offline on a booking the server changed meanwhile (another desk `change`d it):
    /// pushed, a stale_version conflict.
    func staleNoShow(_ pair: ReplicaPair, serverChange: (Booking) throws -> Booking) throws -> (Booking, Booking, SyncConflict) {
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        try pair.connect([arriving])
        ReplicaReservationChangesTests().sinceCutOff(pair)
        let changed = try serverChange(arriving)
        _ = try pair.desk.store.markNoShow(arriving.confirmationCode, ChangeRequest(user: "anna"), operationId: UUID())
        let answers = try pair.sync()
        #expect(answers.map(\.code) == ["stale_version"], "\(answers)")
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        return (arriving, changed, conflict)
    }

    @Test func theConflictSaysWhatWasRefusedAndHowItCanBeResolved() throws {
        let pair = try ReplicaPair()
        let (_, _, conflict) = try staleNoShow(pair) { try pair.server.store.checkIn($0.confirmationCode, by: "bea") }
        #expect(conflict.onServer && conflict.refusedKind == .noShow)
        // The desk's copy is a no-show, which the store does not cancel: not offered.
        #expect(conflict.resolutions == ["keepServer", "reapply"])
        #expect(throws: FrontDeskError.self) { try pair.desk.store.resolveConflict(conflict.conflictId, cancelBy: "anna") }
    }

    /// An undone no-show made offline, refused (another desk took the no-show back and marked it
    /// again meanwhile): the desk's copy is Confirmed as the undo made it, the server's a no-show.
    /// A cancel here refunded at the desk what the server keeps, and the server refused it (session 55).
    @Test func aRefusedUndoOfANoShowOffersNoCancel() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        try pair.connect([arriving])
        ReplicaReservationChangesTests().sinceCutOff(pair)
        _ = try pair.desk.store.markNoShow(arriving.confirmationCode, ChangeRequest(user: "anna"), operationId: UUID())
        #expect(try pair.sync().map(\.code) == [nil])
        _ = try pair.server.store.undoNoShow(arriving.confirmationCode, reason: "Came", ChangeRequest(user: "bea"))
        _ = try pair.server.store.markNoShow(arriving.confirmationCode, ChangeRequest(user: "bea"))
        let undone = try pair.desk.store.undoNoShow(arriving.confirmationCode, reason: "Came late", ChangeRequest(user: "anna"),
                                                    operationId: UUID())
        #expect(undone.status == .confirmed)
        let answers = try pair.sync()
        #expect(answers.map(\.code) == ["stale_version"], "\(answers)")
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        #expect(conflict.refusedKind == .undoNoShow && conflict.resolutions == ["keepServer", "reapply"], "\(conflict.resolutions)")
        guard case .invalidState(let message)? = StorageContractTests.refusal({
            try pair.desk.store.resolveConflict(conflict.conflictId, cancelBy: "anna")
        }) else {
            Issue.record("a refused undo must not be cancelled here")
            return
        }
        #expect(message.contains("--keep-server") && message.contains("Nothing was changed"), "\(message)")
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).count == 1)
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty, "no cancel queued")
    }

    @Test func keepingTheServersVersionDropsTheDesksNoShow() throws {
        let pair = try ReplicaPair()
        let (arriving, inHouse, conflict) = try staleNoShow(pair) { try pair.server.store.checkIn($0.confirmationCode, by: "bea") }
        #expect(try pair.desk.store.booking(arriving.id.uuidString).status == .noShow, "the desk still shows its own change")

        let kept = try pair.desk.store.resolveConflict(conflict.conflictId, keepingServer: try serverCopy(pair, arriving.id), by: "anna")
        #expect(kept == (try pair.server.store.booking(arriving.id.uuidString)), "field for field the server's")
        #expect(kept.status == .checkedIn && kept.version == inHouse.version)
        #expect(try pair.desk.store.syncStates(of: [arriving.id]) == [arriving.id: "synced"])
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty, "nothing to send")
        // Her nights are hers again on the desk, as on the server.
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
        #expect(!(try pair.desk.freeRooms("2026-11-27", "2026-11-29")).contains("101"))
        // Resolved once: a second resolution is refused.
        #expect(throws: FrontDeskError.self) {
            try pair.desk.store.resolveConflict(conflict.conflictId, keepingServer: try serverCopy(pair, arriving.id), by: "anna")
        }
    }

    @Test func reapplyingMakesTheNoShowAgainOnTheServersVersion() throws {
        let pair = try ReplicaPair()
        let (arriving, corrected, conflict) = try staleNoShow(pair) {
            try pair.server.store.changeBooking($0.confirmationCode, BookingEdit(email: "ana.lee@example.com"), ChangeRequest(user: "bea"))
        }
        let remade = try pair.desk.store.resolveConflict(conflict.conflictId, reapplyingOn: try serverCopy(pair, arriving.id), by: "anna")
        #expect(remade.status == .noShow && remade.guest.email == "ana.lee@example.com", "the no-show on the server's booking")
        let queued = try pair.desk.store.queuedOperations(limit: 10)
        #expect(queued.map(\.kind) == [.noShow] && queued.first?.baseVersion == corrected.version)
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)

        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.accepted], "\(answers)")
        let onServer = try pair.server.store.booking(arriving.id.uuidString)
        #expect(onServer.status == .noShow && onServer.guest.email == "ana.lee@example.com")
        #expect(try pair.desk.store.booking(arriving.id.uuidString) == onServer)
        #expect(try pair.desk.store.syncStates(of: [arriving.id]) == [arriving.id: "synced"])
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
    }

    @Test func reapplyingAChangeTheServersVersionNoLongerAllowsChangesNothing() throws {
        let pair = try ReplicaPair()
        let (arriving, _, conflict) = try staleNoShow(pair) { try pair.server.store.checkIn($0.confirmationCode, by: "bea") }
        let before = try pair.desk.store.booking(arriving.id.uuidString)
        #expect(throws: FrontDeskError.self, "a guest in house is no no-show") {
            try pair.desk.store.resolveConflict(conflict.conflictId, reapplyingOn: try serverCopy(pair, arriving.id), by: "anna")
        }
        #expect(try pair.desk.store.booking(arriving.id.uuidString) == before)
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).map(\.conflictId) == [conflict.conflictId])
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)
        // Keeping the server's version still settles it.
        _ = try pair.desk.store.resolveConflict(conflict.conflictId, keepingServer: try serverCopy(pair, arriving.id), by: "anna")
        #expect(try pair.desk.store.booking(arriving.id.uuidString).status == .checkedIn)
    }

    @Test func keepingTheServersVersionOfARefusedEditDropsItAndTheChangesBehindIt() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        try pair.connect([arriving])
        _ = try pair.server.book(room: "101", from: "2026-11-28", to: "2026-11-30")
        // Offline: a longer stay (the night after was sold on the server), then a note.
        _ = try pair.desk.store.changeBooking(arriving.confirmationCode, BookingEdit(checkOut: "2026-11-29"), ChangeRequest(user: "anna"),
                                              operationId: UUID())
        _ = try pair.desk.store.changeBooking(arriving.confirmationCode, BookingEdit(note: "Late arrival"), ChangeRequest(user: "anna"),
                                              operationId: UUID())
        let answers = try pair.sync()
        #expect(answers.map(\.code) == ["room_unavailable", "depends_on_conflict"], "\(answers)")
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        #expect(conflict.refusedKind == .edit && conflict.onServer)

        let kept = try pair.desk.store.resolveConflict(conflict.conflictId, keepingServer: try serverCopy(pair, arriving.id), by: "anna")
        #expect(kept.stay.checkOut.iso == "2026-11-28" && kept.notes.isEmpty)
        #expect(kept == (try pair.server.store.booking(arriving.id.uuidString)))
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)
        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.state) == ["conflict", "conflict"], "kept as refused, for the record")
    }

    @Test func reapplyingARefusedEditAndTheNoteBehindItPushesBoth() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        try pair.connect([arriving])
        let inHouse = try pair.server.store.checkIn(arriving.confirmationCode, by: "bea")
        _ = try pair.desk.store.changeBooking(arriving.confirmationCode, BookingEdit(phone: "+43 1 234 5678"), ChangeRequest(user: "anna"),
                                              operationId: UUID())
        _ = try pair.desk.store.changeBooking(arriving.confirmationCode, BookingEdit(note: "Allergic to feathers"), ChangeRequest(user: "anna"),
                                              operationId: UUID())
        #expect(try pair.sync().map(\.code) == ["stale_version", "depends_on_conflict"])
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)

        let remade = try pair.desk.store.resolveConflict(conflict.conflictId, reapplyingOn: try serverCopy(pair, arriving.id), by: "anna")
        #expect(remade.status == .checkedIn && remade.guest.phone == "+43 1 234 5678" && remade.notes.map(\.text) == ["Allergic to feathers"])
        let queued = try pair.desk.store.queuedOperations(limit: 10)
        #expect(queued.map(\.kind) == [.edit, .edit])
        #expect(queued.map(\.baseVersion) == [inHouse.version, nil], "the first on the server's version, the next on the first")
        #expect(try pair.sync().map(\.outcome) == [.accepted, .accepted])
        let onServer = try pair.server.store.booking(arriving.id.uuidString)
        #expect(onServer.guest.phone == "+43 1 234 5678" && onServer.notes.map(\.text) == ["Allergic to feathers"])
        #expect(try pair.desk.store.booking(arriving.id.uuidString) == onServer)
    }

    @Test func aBookingMadeOnTheDeskIsNotResolvedByTheServersVersion() throws {
        let pair = try ReplicaPair()
        try pair.connect([])
        let held = try pair.desk.store.reserve(pair.desk.form(room: "101"), requestId: UUID(), by: "anna")
        let mine = try pair.desk.store.confirm(held.confirmationCode, by: "anna")
        _ = try pair.server.book(room: "101")
        #expect(try pair.sync().map(\.code) == ["room_unavailable"])
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        #expect(!conflict.onServer && conflict.resolutions == ["moveTo", "cancel"])
        let fake = WireBooking(mine, claims: [])
        do {
            _ = try pair.desk.store.resolveConflict(conflict.conflictId, keepingServer: fake, by: "anna")
            Issue.record("a booking the server never accepted has no server version to keep")
        } catch let error as FrontDeskError {
            #expect(error.code == "invalid_state" && error.message.contains("--move-to ROOM or --cancel"), "\(error)")
        }
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).count == 1)
    }

    /// Resolving a conflict by cancelling a booking the server has, whose arrival day passed: the
    /// server refuses such a cancel, so the desk refuses it first (it refunded at the desk and then
    /// opened a new conflict). Keeping the server's version, then a no-show, is the way.
    @Test func cancellingALateArrivalToResolveAConflictIsRefusedBeforeAnyRefund() throws {
        let pair = try ReplicaPair()
        let earlier = try pair.server.earlierStore(daysAgo: 2)
        let held = try earlier.reserve(pair.server.form(room: "101", from: "2026-11-24", to: "2026-11-28"), by: "anna")
        let late = try earlier.confirm(held.confirmationCode, by: "anna")
        try pair.connect([late])
        ReplicaReservationChangesTests().sinceCutOff(pair)
        _ = try pair.server.store.changeBooking(late.confirmationCode, BookingEdit(guestName: "Lena Late"), ChangeRequest(user: "bea"))
        _ = try pair.desk.store.changeBooking(late.confirmationCode, BookingEdit(phone: "+43 1 999999"), ChangeRequest(user: "anna"),
                                              operationId: UUID())
        #expect(try pair.sync().map(\.code) == ["stale_version"])
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        let audits = try pair.desk.store.auditTrail(bookingReference: late.id.uuidString).count
        guard case .invalidState(let message)? = StorageContractTests.refusal({
            try pair.desk.store.resolveConflict(conflict.conflictId, cancelBy: "anna")
        }) else {
            Issue.record("a late arrival's cancel must be refused before anything is refunded or queued")
            return
        }
        #expect(message.contains("mark it a no-show"), "\(message)")
        #expect(try pair.desk.store.auditTrail(bookingReference: late.id.uuidString).count == audits, "nothing refunded or recorded")
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).count == 1, "the conflict is still open")
        // Keeping the server's version resolves it.
        _ = try pair.desk.store.resolveConflict(conflict.conflictId, keepingServer: try serverCopy(pair, late.id), by: "anna")
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)
    }
}
