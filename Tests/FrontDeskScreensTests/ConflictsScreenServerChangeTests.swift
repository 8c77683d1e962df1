import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Synchronization
import Testing

/// Issue 12: a refused change to a booking the server has (here a no-show) is settled on the
/// Conflicts screen in one key, asked first: Alt-k keeps the server's version, Alt-a re-applies
/// the desk's change on it. A booking made on this desk is not settled that way.
@Suite struct ConflictsScreenServerChangeTests {
    static func connectedDesk(onServer: Bool, requests: ConflictsScreenTests.Requests, refusedChange: String? = nil,
                              resolutions: [String] = [], settle: String? = nil) throws -> (fixture: ScreenFixture, booking: Booking) {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let conflict = DeskConflict(conflictId: "c-2", booking: booking, reason: "stale_version", message: nil, suggestedRooms: [],
                                    onServer: onServer, refusedChange: refusedChange ?? (onServer ? "no-show" : "booking"),
                                    resolutions: resolutions)
        let store = fixture.desk.store
        let sync = SyncServices(
            conflicts: { requests.all.contains { $0.hasPrefix("resolved") } ? [] : [conflict] },
            moveTo: { _, _ in try store.booking(booking.confirmationCode) },
            cancel: { id in
                requests.record("resolved \(id) cancel")
                return try store.booking(booking.confirmationCode)
            },
            keepServer: { id, bookingId in
                requests.record("resolved \(id) keep \(bookingId == booking.id)")
                return (try store.booking(booking.confirmationCode), settle)
            },
            reapply: { id, bookingId in
                requests.record("resolved \(id) reapply \(bookingId == booking.id)")
                return try store.booking(booking.confirmationCode)
            })
        ConflictsScreenTests.connect(&fixture, sync: sync, status: DeskSyncStatus(online: true, pendingOperations: 0, lastSync: "14:02",
                                                                              conflicts: 1, conflictedBookings: [booking.id]))
        return (fixture, booking)
    }

    @Test func theRowSaysWhichChangeWasRefusedAndTheScreenNamesTheKeys() throws {
        var (fixture, _) = try Self.connectedDesk(onServer: true, requests: ConflictsScreenTests.Requests())
        fixture.press(.function(8))
        let screen = fixture.screen(140, 30)
        #expect(screen.contains("no-show refused: the booking was changed elsewhere meanwhile"))
        #expect(screen.contains("Alt-k keeps the server's, Alt-a re-applies"))
    }

    /// A refused undo (here of a no-show) is not cancelled at the desk (the store refuses it: a
    /// refund of what the server keeps): Alt-c says so at once, with this screen's keys, and
    /// asks nothing (session 55).
    @Test func altCOnARefusedUndoSaysWhichKeysSettleIt() throws {
        let requests = ConflictsScreenTests.Requests()
        var (fixture, booking) = try Self.connectedDesk(onServer: true, requests: requests, refusedChange: "undone no-show",
                                                       resolutions: ["keepServer", "reapply"])
        fixture.press(.function(8), .alt("c"))
        let screen = fixture.screen(160, 30)
        #expect(screen.contains("Booking \(booking.confirmationCode) is not cancelled here: Alt-k keeps the server's booking, "
                                + "Alt-a re-applies this desk's change"), "\(screen)")
        #expect(fixture.model.state.conflicts.confirmation == nil)
        fixture.press(.enter)
        #expect(requests.all.isEmpty)
    }

    @Test func oneKeyKeepsTheServersVersionAfterAskingFirst() throws {
        let requests = ConflictsScreenTests.Requests()
        var (fixture, booking) = try Self.connectedDesk(onServer: true, requests: requests)
        fixture.press(.function(8))
        fixture.press(.alt("k"))
        #expect(fixture.screen(140, 30).contains("Keep the server's version of booking \(booking.confirmationCode) for \(booking.guest.name)?"))
        fixture.press(.enter) // No is chosen first
        #expect(requests.all.isEmpty)
        fixture.press(.alt("k"), .right, .enter)
        #expect(requests.all == ["resolved c-2 keep true"])
        #expect(fixture.screen(140, 30).contains("is as the server has it"))
    }

    /// Money the dropped change had settled at the desk (a refund paid, a night collected) is
    /// said where the receptionist who pressed the key reads: the message line.
    @Test func keepingTheServersVersionSaysWhatToSettle() throws {
        let requests = ConflictsScreenTests.Requests()
        var (fixture, _) = try Self.connectedDesk(onServer: true, requests: requests,
                                                  settle: "this desk's change is dropped; repay 10.00 at the desk")
        fixture.press(.function(8))
        fixture.press(.alt("k"), .right, .enter)
        #expect(requests.all == ["resolved c-2 keep true"])
        #expect(fixture.screen(220, 30).contains("To settle: this desk's change is dropped; repay 10.00 at the desk"))
    }

    @Test func oneKeyReappliesTheChangeAfterAskingFirst() throws {
        let requests = ConflictsScreenTests.Requests()
        var (fixture, booking) = try Self.connectedDesk(onServer: true, requests: requests)
        fixture.press(.function(8))
        fixture.press(.alt("a"))
        #expect(fixture.screen(140, 30).contains("Make this desk's no-show of booking \(booking.confirmationCode) for \(booking.guest.name) again?"))
        fixture.press(.escape)
        #expect(requests.all.isEmpty)
        fixture.press(.alt("a"), .right, .enter)
        #expect(requests.all == ["resolved c-2 reapply true"])
        #expect(fixture.screen(140, 30).contains("changed again on the server's version"))
    }

    @Test func aBookingMadeOnThisDeskIsMovedOrCancelledInstead() throws {
        let requests = ConflictsScreenTests.Requests()
        var (fixture, booking) = try Self.connectedDesk(onServer: false, requests: requests)
        fixture.press(.function(8))
        fixture.press(.alt("k"))
        #expect(fixture.screen(140, 30).contains("Booking \(booking.confirmationCode) was made on this desk and never reached the server"))
        fixture.press(.alt("a"), .right, .enter)
        #expect(requests.all.isEmpty)
    }

    @Test func theHelpOverlayListsTheTwoKeys() {
        let lines = HelpOverlay.lines(for: .conflicts).map { "\($0.keys) \($0.description)" }
        #expect(lines.contains { $0.hasPrefix("Alt-k Keep the server's version, drop this desk's change") })
        #expect(lines.contains { $0.hasPrefix("Alt-a Redo this desk's change on the server's version") })
    }
}
