import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// On a connected desk, the changes the outbox does not carry yet (edits, no-shows, undoing a
/// check-in or check-out) are refused with a reason, and nothing is written: made on the replica
/// alone, they would never reach the server and the next pull would overwrite them.
@Suite struct ReplicaRefusedChangesTests {
    func snapshot(_ desk: StoreFixture) throws -> [String] {
        let queue = try DatabaseQueue(path: desk.store.path)
        return try queue.read { db in
            try ["booking", "sync_outbox", "audit_entry", "room_night"].map { table in
                "\(table): \(try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")!) "
                    + (try String.fetchOne(db, sql: "SELECT group_concat(version || status, ',') FROM booking") ?? "")
            }
        }
    }

    @Test func editsNoShowsAndUndoAreRefusedOnAConnectedDeskAndChangeNothing() throws {
        let pair = try ReplicaPair()
        let arriving = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try pair.server.book(room: "102", from: "2026-11-26", to: "2026-11-28")
        try pair.connect([arriving, inHouse])
        _ = try pair.desk.store.checkIn(inHouse.confirmationCode, by: "anna", operationId: UUID())
        let before = try snapshot(pair.desk)
        let request = ChangeRequest(user: "anna", channel: .commandLine)
        let refusals: [(String, () throws -> Booking)] = [
            ("Changing a booking's details or stay", {
                try pair.desk.store.changeBooking(arriving.confirmationCode, BookingEdit(note: "late arrival"), request)
            }),
            ("Marking a no-show", { try pair.desk.store.markNoShow(arriving.confirmationCode, request) }),
            ("Undoing a check-in", { try pair.desk.store.undoCheckIn(inHouse.confirmationCode, reason: "wrong guest", request) }),
        ]
        for (what, change) in refusals {
            do {
                _ = try change()
                Issue.record("\(what) was made on a connected desk's replica")
            } catch FrontDeskError.invalidState(let message) {
                #expect(message.hasPrefix(what) && message.contains("make it on the server") && message.contains("Nothing was changed"))
            }
        }
        #expect(try snapshot(pair.desk) == before)

        // The same changes on a standalone desk still work.
        let standalone = try StoreFixture()
        let booked = try standalone.book(room: "101")
        #expect(try standalone.store.changeBooking(booked.confirmationCode, BookingEdit(note: "late arrival"), request).notes.count == 1)
    }
}
