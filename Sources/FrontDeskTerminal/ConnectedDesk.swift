import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import Synchronization

/// A desk whose database is a server's replica (issue 12), as the full-screen desk uses it. The
/// command line wires it to the sync client (`FrontDeskSync`), so this target links no network code.
public struct ConnectedDeskLink: Sendable {
    /// The result of one sync round.
    public struct Round: Sendable {
        /// The server answered.
        public var online: Bool
        /// Something reached the replica (pulled, or settled): the screens look again.
        public var changed: Bool
        /// Why the round did not finish (offline, credential), for the log.
        public var problem: String?
        /// The server refused the desk's credential (expired, or the server's secret changed):
        /// nothing syncs until someone signs in again, which the status line must say.
        public var needsSignIn: Bool
        /// The server no longer has the changes after this desk's replica (`replicaTooOld`):
        /// nothing is pulled until the desk connects again, which the status line must say.
        public var needsReconnect: Bool
        /// Something answers at the server's address, but not as a Front Desk server (an endless
        /// stream, another protocol): the next round waits `SyncThread.backedOffWait`, not half a
        /// second (each round cost the network helper up to its memory ceiling and most of a core).
        public var backOff: Bool
        /// What the receptionist must pass on, in words: "confirmation code X is now Y (tell the
        /// guest)" when the server gave a pushed booking another code.
        public var tellTheDesk: [String]

        public init(online: Bool, changed: Bool, problem: String?, needsSignIn: Bool = false, needsReconnect: Bool = false,
                    backOff: Bool = false, tellTheDesk: [String] = []) {
            self.needsReconnect = needsReconnect
            self.backOff = backOff
            self.online = online
            self.changed = changed
            self.problem = problem
            self.needsSignIn = needsSignIn
            self.tellTheDesk = tellTheDesk
        }
    }

    /// Books through the server first; with no answer, on this desk (queued for the server).
    /// `requestId`: the booking's idempotency key, the server's too for a card.
    public var book: @Sendable (_ form: BookingForm, _ payment: PaymentInstruction, _ requestId: UUID) throws -> Booking
    /// Cancels, checks in or out through the server first; with no answer, here (queued).
    public var cancel: @Sendable (_ id: UUID) throws -> Booking
    public var checkIn: @Sendable (_ id: UUID) throws -> Booking
    public var checkOut: @Sendable (_ id: UUID) throws -> Booking
    /// Moves to another room (by number) through the server first; with no answer, here (queued).
    /// `expectedVersion`: the booking's version the screen showed, nil from the room plan.
    public var move: @Sendable (_ id: UUID, _ room: String, _ expectedVersion: Int?) throws -> Booking
    /// A no-show, an undone check-in / check-out or an edit through the server first; with no answer,
    /// here (queued).
    public var reservationChange: @Sendable (_ id: UUID, _ change: DeskChange) throws -> Booking
    /// Pushes what waits, then pulls what the server changed.
    public var syncRound: @Sendable () -> Round
    /// The booking as the server has it now (for the Conflicts screen's Alt-k and Alt-a).
    public var serverBooking: @Sendable (_ id: UUID) throws -> WireBooking

    public init(book: @escaping @Sendable (BookingForm, PaymentInstruction, UUID) throws -> Booking,
                cancel: @escaping @Sendable (UUID) throws -> Booking, checkIn: @escaping @Sendable (UUID) throws -> Booking,
                checkOut: @escaping @Sendable (UUID) throws -> Booking,
                move: @escaping @Sendable (UUID, String, Int?) throws -> Booking,
                reservationChange: @escaping @Sendable (UUID, DeskChange) throws -> Booking = { _, _ in
                    throw FrontDeskError.invalidState("On a desk connected to a server, this change is made on the server")
                },
                syncRound: @escaping @Sendable () -> Round,
                serverBooking: @escaping @Sendable (UUID) throws -> WireBooking = { _ in
                    throw FrontDeskError.invalidState("This desk cannot ask the server for the booking: nothing was changed")
                }) {
        self.book = book
        self.cancel = cancel
        self.checkIn = checkIn
        self.checkOut = checkOut
        self.move = move
        self.reservationChange = reservationChange
        self.syncRound = syncRound
        self.serverBooking = serverBooking
    }
}

extension DeskTerminalApp {
    /// The desk's services on a connected desk: writes go through the link; the changes of issue 14
    /// (room change, no-show, undo, edit) go to the server first and offline travel in the outbox;
    /// card payments go to the server's booking API (refused by the link when it does not answer).
    static func connectedServices(_ standalone: DeskServices, link: ConnectedDeskLink, store: FrontDeskStore) -> DeskServices {
        var services = standalone
        services.book = link.book
        // How the guest is paid back, from the lines the cancel left in the booking's history:
        // the server's (kept with its answer), or this desk's own when it was made offline.
        let refundNotes = Mutex<[UUID: String]>([:])
        services.cancel = { id in
            let before = (try? store.changeMarker()) ?? Int64.max
            let cancelled = try link.cancel(id)
            let words = refundWords(of: id, since: before, store: store)
            refundNotes.withLock { $0[id] = words }
            return cancelled
        }
        services.refundWords = { id in refundNotes.withLock { $0.removeValue(forKey: id) } }
        services.checkIn = link.checkIn
        services.checkOut = link.checkOut
        // A card is charged by the server's payment service (online only; the link refuses it offline).
        services.cardPaymentsAvailable = true
        services.change = { id, change in
            switch change {
            case .move(let room, let version): return try link.move(id, room, version)
            case .noShow, .undoCheckIn, .undoCheckOut, .undoNoShow, .edit: return try link.reservationChange(id, change)
            }
        }
        return services
    }

    /// The Conflicts screen over the replica's conflict list; the link asks the server for a
    /// booking's current version (Alt-k, Alt-a).
    public static func syncServices(store: FrontDeskStore, user: String, link: ConnectedDeskLink? = nil) -> SyncServices {
        SyncServices(
            conflicts: {
                try store.syncConflicts(includeResolved: false).map { conflict in
                    DeskConflict(conflictId: conflict.conflictId, booking: conflict.booking, reason: conflict.reason,
                                 message: conflict.message,
                                 suggestedRooms: conflict.suggestedRooms.map {
                                     DeskSuggestedRoom(roomNumber: $0.roomNumber, roomType: $0.roomType,
                                                       totalPrice: Money(minorUnits: $0.totalPriceCents))
                                 },
                                 onServer: conflict.onServer, refusedChange: conflict.refusedKind.map(FrontDeskStore.changeName),
                                 resolutions: conflict.resolutions)
                }
            },
            moveTo: { id, room in
                // A lengthened stay whose added nights were sold moves on the server's version, then is lengthened there.
                guard let conflict = try store.syncConflicts(includeResolved: false).first(where: { $0.conflictId == id }),
                      conflict.movesWithTheServersVersion else {
                    return try store.resolveConflict(id, moveTo: room, by: user)
                }
                guard let link else { throw FrontDeskError.invalidState("This desk is not connected to a server: nothing was changed") }
                return try store.resolveConflict(id, reapplyingOn: try link.serverBooking(conflict.booking.id), movingTo: room, by: user)
            },
            cancel: { id in try store.resolveConflict(id, cancelBy: user) },
            keepServer: { id, bookingId in
                guard let link else { throw FrontDeskError.invalidState("This desk is not connected to a server: nothing was changed") }
                let booking = try store.resolveConflict(id, keepingServer: try link.serverBooking(bookingId), by: user)
                return (booking, try store.settlementOfLastResolution(bookingId: booking.id))
            },
            reapply: { id, bookingId in
                guard let link else { throw FrontDeskError.invalidState("This desk is not connected to a server: nothing was changed") }
                return try store.resolveConflict(id, reapplyingOn: try link.serverBooking(bookingId), by: user)
            })
    }

    /// The status line's sync words, read from the replica: operations waiting, conflicts, the
    /// bookings to mark; `online` and `lastSync` from the sync thread.
    public static func syncStatus(store: FrontDeskStore, online: Bool, lastSync: Date?, timeZone: TimeZone,
                                  needsSignIn: Bool = false, needsReconnect: Bool = false,
                                  notAFrontDeskServer: Bool = false) throws -> DeskSyncStatus? {
        guard let status = try store.replicaStatus() else { return nil }
        let pending = try store.queuedOperations(limit: 2000).compactMap { UUID(uuidString: $0.bookingId) }
        let conflicted = try store.syncConflicts(includeResolved: false).map(\.booking.id)
        let clock = DateFormatter()
        clock.dateFormat = "HH:mm"
        clock.timeZone = timeZone
        return DeskSyncStatus(online: online, pendingOperations: status.pendingOperations,
                              lastSync: (lastSync ?? status.lastSyncAt).map(clock.string(from:)),
                              conflicts: status.openConflicts, pendingBookings: Set(pending), conflictedBookings: Set(conflicted),
                              needsSignIn: needsSignIn, needsReconnect: needsReconnect, notAFrontDeskServer: notAFrontDeskServer)
    }
}

/// Runs sync rounds on a thread of its own, every half second (the server's changes show within
/// a second), and at once after a write of this desk (`nudge`).
final class SyncThread: @unchecked Sendable {
    struct Seen: Sendable {
        var online = true
        var lastSync: Date?
        var problem: String?
        var needsSignIn = false
        var needsReconnect = false
        var notAFrontDeskServer = false
        /// Said on the desk's screen, then emptied by the terminal's refresh as it shows them.
        var news: [String] = []
    }

    let seen = Mutex(Seen())
    /// The wait after a round whose answer was not a Front Desk server's (`Round.backOff`).
    static let backedOffWait: TimeInterval = 30
    private let wake = NSCondition()
    private let state = Mutex((stopped: false, nudged: false))
    private let link: ConnectedDeskLink
    private let changed: @Sendable () -> Void
    private let log: @Sendable (String) -> Void

    init(link: ConnectedDeskLink, changed: @escaping @Sendable () -> Void, log: @escaping @Sendable (String) -> Void) {
        self.link = link
        self.changed = changed
        self.log = log
    }

    func start() {
        let (link, changed, log) = (link, changed, log)
        let worker = Thread { [self] in
            while !state.withLock({ $0.stopped }) {
                let round = link.syncRound()
                seen.withLock { seen in
                    if round.problem != seen.problem, let problem = round.problem { log("sync: \(problem)") }
                    seen.online = round.online
                    seen.problem = round.problem
                    seen.needsSignIn = round.needsSignIn
                    seen.needsReconnect = round.needsReconnect
                    seen.notAFrontDeskServer = round.backOff
                    seen.news += round.tellTheDesk
                    if round.online && round.problem == nil { seen.lastSync = Date() }
                }
                if round.changed { changed() }
                wake.lock()
                let wait = round.backOff ? Self.backedOffWait : 0.5
                if !state.withLock({ $0.nudged || $0.stopped }) { _ = wake.wait(until: Date().addingTimeInterval(wait)) }
                state.withLock { $0.nudged = false }
                wake.unlock()
            }
        }
        worker.name = "frontdesk sync"
        worker.start()
    }

    /// A write of this desk: push it now rather than in half a second.
    func nudge() {
        wake.lock()
        state.withLock { $0.nudged = true }
        wake.signal()
        wake.unlock()
    }

    func stop() {
        wake.lock()
        state.withLock { $0.stopped = true }
        wake.signal()
        wake.unlock()
    }
}
