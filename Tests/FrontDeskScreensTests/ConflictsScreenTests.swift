import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Synchronization
import Testing

/// Issue 12: a connected desk shows online/offline, what waits to be sent and the conflicts on its
/// status line, marks bookings not yet on the server, and settles a conflict in one key (asked first).
@Suite struct ConflictsScreenTests {
    /// What the Conflicts screen asked of the desk, in order.
    final class Requests: Sendable {
        let asked = Mutex<[String]>([])
        func record(_ text: String) { asked.withLock { $0.append(text) } }
        var all: [String] { asked.withLock { $0 } }
    }

    /// A desk whose one booking (room 101) the server refused: room 102 is offered instead.
    static func connectedDesk(requests: Requests) throws -> (fixture: ScreenFixture, booking: Booking) {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let conflict = DeskConflict(conflictId: "c-1", booking: booking, reason: "room_unavailable", message: nil,
                                    suggestedRooms: [DeskSuggestedRoom(roomNumber: "102", roomType: "Double", totalPrice: Money(minorUnits: 24_000))])
        let store = fixture.desk.store
        let sync = SyncServices(
            conflicts: { requests.all.contains { $0.hasPrefix("resolved") } ? [] : [conflict] },
            moveTo: { id, room in
                requests.record("resolved \(id) move \(room)")
                return try store.booking(booking.confirmationCode)
            },
            cancel: { id in
                requests.record("resolved \(id) cancel")
                return try store.booking(booking.confirmationCode)
            })
        connect(&fixture, sync: sync, status: DeskSyncStatus(online: false, pendingOperations: 2, lastSync: "14:02", conflicts: 1,
                                                             pendingBookings: [], conflictedBookings: [booking.id]))
        return (fixture, booking)
    }

    /// The fixture's desk as a connected one: its Conflicts screen over `sync`, its status line `status`.
    static func connect(_ fixture: inout ScreenFixture, sync: SyncServices, status: DeskSyncStatus) {
        fixture.model = DeskModel(
            info: DeskInfo(hotelName: "Hotel Test", currency: "EUR", businessDate: StoreFixture.today, user: "anna"),
            services: DeskTerminalApp.services(store: fixture.desk.store, user: "anna", cardPayments: false), syncServices: sync)
        fixture.model.setSync(status)
    }

    @Test func theStatusLineSaysOfflineWhatWaitsAndTheConflicts() throws {
        let (fixture, _) = try Self.connectedDesk(requests: Requests())
        let statusLine = fixture.screen(160, 30).split(separator: "\n").first.map(String.init) ?? ""
        #expect(statusLine.contains("OFFLINE (booking on this desk) · 2 to sync · synced 14:02 · 1 conflict (F8)"))
    }

    /// At 80 columns, the smallest size the desk supports, the status line still says the state,
    /// what waits and the conflicts (issue 12).
    @Test func aNarrowStatusLineKeepsTheStateWhatWaitsAndTheConflicts() throws {
        let (fixture, _) = try Self.connectedDesk(requests: Requests())
        let statusLine = fixture.screen(80, 24).split(separator: "\n").first.map(String.init) ?? ""
        #expect(statusLine.contains("OFFLINE · 2 to sync · 1 conflict (F8)"), "\(statusLine)")
    }

    /// A refused credential is not "online": the line says nothing syncs until someone signs in.
    @Test func aRefusedCredentialIsSaidOnTheStatusLine() throws {
        var (fixture, _) = try Self.connectedDesk(requests: Requests())
        fixture.model.setSync(DeskSyncStatus(online: true, pendingOperations: 1, lastSync: "09:15", conflicts: 0, needsSignIn: true))
        let wide = fixture.screen(160, 30).split(separator: "\n").first.map(String.init) ?? ""
        #expect(wide.contains("NOT SYNCING: sign in again (frontdesk desk connect) · 1 to sync"), "\(wide)")
        #expect(!wide.contains("online"))
        let narrow = fixture.screen(80, 24).split(separator: "\n").first.map(String.init) ?? ""
        #expect(narrow.contains("NOT SYNCING: sign in again · 1 to sync"), "\(narrow)")
    }

    /// A booking the server refused, said on a screen other than the search at 80 columns: the
    /// notice keeps room enough to name the booking (it was "!…" after the hotel, the date and
    /// the sync's words); the hotel and the last sync's time give way, the conflicts stay.
    @Test func aRefusalNoticeIsReadableOnANarrowStatusLine() throws {
        var (fixture, _) = try Self.connectedDesk(requests: Requests())
        fixture.model.setClock("01:17")
        fixture.model.setSync(DeskSyncStatus(online: true, pendingOperations: 0, lastSync: "01:17", conflicts: 1))
        fixture.model.setNotice("The server refused booking 63U-4NP (Room 114 is taken on the night of 2026-12-07); settle it on Conflicts (F8)")
        fixture.press(.function(4))
        let narrow = fixture.screen(80, 24).split(separator: "\n").first.map(String.init) ?? ""
        #expect(narrow.contains("online · 1 conflict (F8) · ! The server refused booking 63U-4NP"), "\(narrow)")
        let wide = fixture.screen(200, 30).split(separator: "\n").first.map(String.init) ?? ""
        #expect(wide.contains("· synced 01:17 · ! The server refused booking 63U-4NP (Room 114 is taken"), "\(wide)")
    }

    /// Something else answering at the server's address (an endless stream, another program) is
    /// not "OFFLINE (booking on this desk)": the address is wrong, not the network.
    @Test func aServerThatIsNotAFrontDeskServerIsSaidOnTheStatusLine() throws {
        var (fixture, _) = try Self.connectedDesk(requests: Requests())
        fixture.model.setSync(DeskSyncStatus(online: true, pendingOperations: 1, lastSync: "09:15", conflicts: 0, notAFrontDeskServer: true))
        let wide = fixture.screen(160, 30).split(separator: "\n").first.map(String.init) ?? ""
        #expect(wide.contains("NOT SYNCING: not a Front Desk server (frontdesk desk status) · 1 to sync"), "\(wide)")
        let narrow = fixture.screen(80, 24).split(separator: "\n").first.map(String.init) ?? ""
        #expect(narrow.contains("NOT SYNCING: wrong server? · 1 to sync"), "\(narrow)")
    }

    /// The `~` of a booking not yet on the server is on the room plan's cursor line too.
    @Test func theRoomPlanMarksABookingNotYetOnTheServer() throws {
        var fixture = try ScreenFixture()
        let tonight = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        fixture.model.setSync(DeskSyncStatus(online: false, pendingOperations: 1, lastSync: nil, conflicts: 0, pendingBookings: [tonight.id]))
        fixture.press(.function(6))
        var screen = fixture.screen(120, 30)
        for _ in 0..<8 where !screen.contains("Room 101") {
            fixture.press(.down)
            screen = fixture.screen(120, 30)
        }
        #expect(screen.contains("\(tonight.confirmationCode)~ Confirmed (not on the server yet)"), "\(screen)")
    }

    @Test func aStandaloneDeskSaysNothingOfSyncAndHasNoConflictsScreen() throws {
        var fixture = try ScreenFixture()
        let statusLine = fixture.screen(160, 30).split(separator: "\n").first.map(String.init) ?? ""
        #expect(!statusLine.contains("sync"))
        fixture.press(.function(8))
        #expect(fixture.model.state.screen == .search)
    }

    @Test func bookingsNotYetOnTheServerAreMarkedInTheList() throws {
        var (fixture, booking) = try Self.connectedDesk(requests: Requests())
        fixture.model.setSync(DeskSyncStatus(online: false, pendingOperations: 1, lastSync: nil, conflicts: 0,
                                             pendingBookings: [booking.id]))
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.tab)
        let screen = fixture.screen(100, 30)
        #expect(screen.contains("\(booking.confirmationCode)~"))
        #expect(screen.contains("\(booking.confirmationCode) (this desk's change not yet on the server)"))
        #expect(fixture.screen(160, 30).contains("not synced yet"))
    }

    @Test func oneKeyMovesTheGuestToTheOfferedRoomAfterAskingFirst() throws {
        let requests = Requests()
        var (fixture, booking) = try Self.connectedDesk(requests: requests)
        fixture.press(.function(8))
        var screen = fixture.screen(140, 30)
        #expect(screen.contains("Conflicts"))
        #expect(screen.contains(booking.guest.name))
        #expect(screen.contains("102 Double"))
        #expect(screen.contains("room 101 was sold by another desk meanwhile"))
        // Typed text does nothing here; the move asks first, naming the guest, the code and the room.
        fixture.type("my guest")
        #expect(requests.all.isEmpty)
        fixture.press(.alt("m"))
        screen = fixture.screen(140, 30)
        #expect(screen.contains("Move \(booking.guest.name), booking \(booking.confirmationCode), to room 102?"))
        // A move keeps the booking's prices: the question quotes its own total, not the offered room's.
        #expect(screen.contains("the price stays EUR \(booking.totalPrice.plain)") && !screen.contains("240.00"), "\(screen)")
        fixture.press(.enter) // No is chosen first
        #expect(requests.all.isEmpty)
        #expect(fixture.screen(140, 30).contains("Nothing changed"))
        fixture.press(.alt("m"), .right, .enter)
        #expect(requests.all == ["resolved c-1 move 102"])
        screen = fixture.screen(140, 30)
        #expect(screen.contains("moved to room"))
        #expect(screen.contains("None: every booking made on this desk is on the server"))
    }

    /// A stay of the server's lengthened here whose added night the server had sold: the reason
    /// names the added nights, and Alt-m asks to move the guest and lengthen the stay there.
    @Test func aRefusedLengtheningIsResolvedByAMoveThatLengthensTheStayThere() throws {
        let requests = Requests()
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let conflict = DeskConflict(conflictId: "c-3", booking: booking, reason: "room_unavailable", message: nil,
                                    suggestedRooms: [DeskSuggestedRoom(roomNumber: "102", roomType: "Double", totalPrice: Money(minorUnits: 36_000))],
                                    onServer: true, refusedChange: "edit", resolutions: ["moveTo", "cancel", "keepServer", "reapply"])
        Self.connect(&fixture, sync: SyncServices(conflicts: { requests.all.isEmpty ? [conflict] : [] },
                                                  moveTo: { id, room in requests.record("\(id) move \(room)"); return booking },
                                                  cancel: { _ in booking }),
                     status: DeskSyncStatus(online: true, pendingOperations: 0, lastSync: "14:02", conflicts: 1,
                                            conflictedBookings: [booking.id]))
        fixture.press(.function(8))
        #expect(fixture.screen(140, 30).contains("edit refused: the nights added in room 101 were sold by another desk meanwhile"))
        fixture.press(.alt("m"))
        let question = fixture.screen(140, 30)
        #expect(question.contains("to room 102 and lengthen the stay there?") && question.contains("asks the server"), "\(question)")
        fixture.press(.right, .enter)
        #expect(requests.all == ["c-3 move 102"])
    }

    /// A check-in made here while another desk cancelled the booking: the guest is in a room the
    /// system shows as free. The screen says so at 80 columns, and Alt-m says what to do instead
    /// of offering no room and a cancel of a booking cancelled already.
    @Test func aGuestCheckedInHereWhoseBookingWasCancelledElsewhereIsSaidPlainly() throws {
        var fixture = try ScreenFixture()
        let booked = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let booking = try fixture.desk.store.cancel(booked.confirmationCode, reason: nil, by: "bruno")
        #expect(booking.status == .cancelled)
        let conflict = DeskConflict(conflictId: "c-2", booking: booking, reason: "invalid_state",
                                    message: "Cannot check in booking \(booking.confirmationCode): it is Cancelled", suggestedRooms: [],
                                    onServer: true, refusedChange: "check-in")
        Self.connect(&fixture, sync: SyncServices(conflicts: { [conflict] }, moveTo: { _, _ in booking }, cancel: { _ in booking }),
                     status: DeskSyncStatus(online: true, pendingOperations: 0, lastSync: "14:02", conflicts: 1,
                                            conflictedBookings: [booking.id]))
        fixture.press(.function(8))
        let screen = fixture.screen(80, 24)
        #expect(screen.contains("in room 101 with no booking"), "\(screen)")
        fixture.press(.alt("m"))
        let answer = fixture.screen(120, 30)
        #expect(answer.contains("book them again (F2)") && !answer.contains("Alt-c cancels"), "\(answer)")
    }

    @Test func oneKeyCancelsTheRefusedBookingAfterAskingFirst() throws {
        let requests = Requests()
        var (fixture, booking) = try Self.connectedDesk(requests: requests)
        fixture.press(.alt("f"))
        fixture.press(.alt("c"))
        #expect(fixture.screen(140, 30).contains("Cancel booking \(booking.confirmationCode) for \(booking.guest.name)?"))
        fixture.press(.escape)
        #expect(requests.all.isEmpty)
        fixture.press(.alt("c"), .right, .enter)
        #expect(requests.all == ["resolved c-1 cancel"])
        #expect(fixture.screen(140, 30).contains("Booking \(booking.confirmationCode) for \(booking.guest.name) cancelled"))
    }

    @Test func theHelpOverlayListsTheConflictKeys() {
        let lines = HelpOverlay.lines(for: .conflicts).map { "\($0.keys) \($0.description)" }
        #expect(lines.contains { $0.hasPrefix("Alt-m Move the guest to the first room offered") })
        #expect(lines.contains { $0.hasPrefix("Alt-c Cancel it, refunding what it paid") })
        #expect(lines.contains { $0.hasPrefix("F8, Alt-f Bookings the server refused: move or cancel") })
    }
}
