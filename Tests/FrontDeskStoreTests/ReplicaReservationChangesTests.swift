import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// On a connected desk, a no-show, an undone check-in or check-out and an edit made offline are written on
/// the replica and queued for the server in the same transaction (issue 12); pushed, the server
/// applies them through its own changes, and the desk settles the answers: accepted, the
/// server's booking; refused (the booking changed, the night was sold), a conflict on the list.
/// Edits travel the same way.
@Suite struct ReplicaReservationChangesTests {
    func sinceCutOff(_ pair: ReplicaPair) {
        pair.server.clock.advance(minutes: 8 * 60) // 20:06 in Vienna, past the no-show cut-off
        pair.desk.clock.advance(minutes: 8 * 60)
    }

    @Test func aNoShowMadeOfflineIsQueuedAndPushedOnce() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        try pair.connect([arriving])
        sinceCutOff(pair)

        let marked = try pair.desk.store.markNoShow(arriving.confirmationCode, ChangeRequest(user: "anna", channel: .commandLine),
                                                    operationId: UUID())
        #expect(marked.status == .noShow)
        #expect(try pair.desk.store.syncStates(of: [arriving.id]) == [arriving.id: "pending"])
        let queued = try pair.desk.store.queuedOperations(limit: 10)
        #expect(queued.count == 1)
        #expect(queued.first?.kind == .noShow && queued.first?.baseVersion == arriving.version)
        #expect(queued.first?.bookingId == arriving.id.uuidString.lowercased())
        // The freed nights are free on the desk at once.
        #expect(try pair.desk.freeRooms("2026-11-27", "2026-11-29").contains("101"))

        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.accepted], "\(answers)")
        #expect(try pair.server.store.booking(arriving.id.uuidString).status == .noShow)
        #expect(try pair.desk.store.syncStates(of: [arriving.id]) == [arriving.id: "synced"])
        #expect(try pair.desk.store.booking(arriving.id.uuidString).version == arriving.version + 1)
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)
        // Pushed again (a lost answer): the same answer, nothing applied twice.
        #expect(try pair.server.store.applySync(queued, by: "anna").results == answers)
        #expect(try pair.server.store.booking(arriving.id.uuidString).version == arriving.version + 1)
    }

    @Test func aCheckInAndItsUndoMadeOfflineArePushedInOrder() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        try pair.connect([arriving])
        _ = try pair.desk.store.checkIn(arriving.confirmationCode, by: "anna", operationId: UUID())
        let undone = try pair.desk.store.undoCheckIn(arriving.confirmationCode, reason: "Wrong guest",
                                                     ChangeRequest(user: "anna", channel: .commandLine), operationId: UUID())
        #expect(undone.status == .confirmed && undone.statusReason == "Wrong guest")
        let queued = try pair.desk.store.queuedOperations(limit: 10)
        #expect(queued.map(\.kind) == [.checkIn, .undoCheckIn])
        #expect(queued.last?.reason == "Wrong guest" && queued.last?.baseVersion == nil, "based on the desk's own check-in")

        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.accepted, .accepted], "\(answers)")
        let onServer = try pair.server.store.booking(arriving.id.uuidString)
        #expect(onServer.status == .confirmed && onServer.statusReason == "Wrong guest" && onServer.version == arriving.version + 2)
        let onDesk = try pair.desk.store.booking(arriving.id.uuidString)
        #expect(onDesk.status == onServer.status && onDesk.version == onServer.version && onDesk.statusReason == onServer.statusReason)
        #expect(try pair.desk.store.syncStates(of: [arriving.id]) == [arriving.id: "synced"])
    }

    @Test func aNoShowOfABookingTheServerChangedMeanwhileIsAConflict() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        try pair.connect([arriving])
        sinceCutOff(pair)
        // The guest arrives at another desk, which checks her in on the server; this desk, offline, marks her a no-show.
        _ = try pair.server.store.checkIn(arriving.confirmationCode, expectedVersion: arriving.version, by: "bea")
        _ = try pair.desk.store.markNoShow(arriving.confirmationCode, ChangeRequest(user: "anna"), operationId: UUID())

        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.conflict] && answers.first?.code == "stale_version", "\(answers)")
        #expect(try pair.server.store.booking(arriving.id.uuidString).status == .checkedIn)
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        #expect(conflict.booking.id == arriving.id && conflict.reason == "stale_version")
        #expect(try pair.desk.store.syncStates(of: [arriving.id]) == [arriving.id: "conflict"])
        #expect(try pair.desk.store.replicaStatus()?.pendingOperations == 0)
    }

    @Test func anUndoneCheckOutWhoseNightTheServerSoldIsAConflict() throws {
        let pair = try ReplicaPair()
        let guest = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try pair.server.store.checkIn(guest.confirmationCode, by: "bea")
        // She leaves on the day she came: both nights go back, and the server sells the second.
        let left = try pair.server.store.checkOut(guest.confirmationCode, expectedVersion: inHouse.version, by: "bea")
        try pair.connect([left])
        _ = try pair.server.book(room: "101", from: "2026-11-27", to: "2026-11-28")

        let back = try pair.desk.store.undoCheckOut(left.confirmationCode, reason: "Came back", ChangeRequest(user: "anna"),
                                                    operationId: UUID())
        #expect(back.status == .checkedIn, "the desk has not heard of the sale")
        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.conflict] && answers.first?.code == "room_unavailable", "\(answers)")
        #expect(answers.first?.message?.contains("2026-11-27") == true)
        #expect(try pair.server.store.booking(guest.id.uuidString).status == .checkedOut)
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).map(\.reason) == ["room_unavailable"])
    }

    @Test func anEditMadeOfflineIsQueuedWithItsFieldsAndPushedOnce() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        try pair.connect([arriving])
        let edit = BookingEdit(guestName: "Zoë Ångström-Lee", note: "Late arrival", checkOut: "2026-11-29")
        let changed = try pair.desk.store.changeBooking(arriving.confirmationCode, edit, ChangeRequest(user: "anna"), operationId: UUID())
        #expect(changed.stay.checkOut.iso == "2026-11-29" && changed.notes.map(\.text) == ["Late arrival"])
        #expect(!(try pair.desk.freeRooms("2026-11-28", "2026-11-29")).contains("101"), "the new night is held on the desk")
        let queued = try pair.desk.store.queuedOperations(limit: 10)
        #expect(queued.map(\.kind) == [.edit] && queued.first?.baseVersion == arriving.version)
        #expect(queued.first?.edit == edit)

        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.accepted], "\(answers)")
        let onServer = try pair.server.store.booking(arriving.id.uuidString)
        #expect(onServer.guest.name == "Zoë Ångström-Lee" && onServer.stay.checkOut.iso == "2026-11-29" && onServer.notes.count == 1)
        #expect(try pair.desk.store.syncStates(of: [arriving.id]) == [arriving.id: "synced"])
        #expect(try pair.server.store.applySync(queued, by: "anna").results == answers)
        #expect(try pair.server.store.booking(arriving.id.uuidString).notes.count == 1, "the note is added once")
    }

    @Test func anEditIntoANightTheServerSoldIsAConflict() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        try pair.connect([arriving])
        _ = try pair.server.book(room: "101", from: "2026-11-28", to: "2026-11-30")
        _ = try pair.desk.store.changeBooking(arriving.confirmationCode, BookingEdit(checkOut: "2026-11-29"), ChangeRequest(user: "anna"),
                                              operationId: UUID())
        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.conflict] && answers.first?.code == "room_unavailable", "\(answers)")
        #expect(try pair.server.store.booking(arriving.id.uuidString).stay.checkOut.iso == "2026-11-28")
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).map(\.reason) == ["room_unavailable"])
    }
}
