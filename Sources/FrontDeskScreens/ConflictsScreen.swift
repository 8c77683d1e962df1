import Foundation
import FrontDeskDomain

/// A connected desk's sync as the status line shows it; nil on a standalone desk (issue 12).
public struct DeskSyncStatus: Hashable, Sendable {
    /// The server answered the last time the desk asked.
    public var online: Bool
    /// Operations made here that the server has not yet accepted.
    public var pendingOperations: Int
    /// "14:02", the last time a sync reached the server; nil before the first.
    public var lastSync: String?
    /// Open conflicts (the Conflicts screen, F8).
    public var conflicts: Int
    /// Bookings made or changed here and not yet on the server: `~` beside their code.
    public var pendingBookings: Set<UUID>
    /// Bookings the server refused, waiting on the Conflicts screen: `!` beside their code.
    public var conflictedBookings: Set<UUID>
    /// The server refused the desk's credential: nothing syncs until someone signs in again.
    public var needsSignIn: Bool
    /// The server no longer has the changes after this desk's replica (its data went back to an
    /// older copy, or it pruned them while the desk was away): nothing is pulled until the desk
    /// connects again and takes the replica anew.
    public var needsReconnect: Bool
    /// Something answers at the server's address, but not as a Front Desk server: the address is
    /// wrong (or another program took the port), not the network.
    public var notAFrontDeskServer: Bool

    public init(online: Bool, pendingOperations: Int, lastSync: String?, conflicts: Int,
                pendingBookings: Set<UUID> = [], conflictedBookings: Set<UUID> = [], needsSignIn: Bool = false,
                needsReconnect: Bool = false, notAFrontDeskServer: Bool = false) {
        self.notAFrontDeskServer = notAFrontDeskServer
        self.needsSignIn = needsSignIn
        self.needsReconnect = needsReconnect
        self.online = online
        self.pendingOperations = pendingOperations
        self.lastSync = lastSync
        self.conflicts = conflicts
        self.pendingBookings = pendingBookings
        self.conflictedBookings = conflictedBookings
    }

    /// "OFFLINE · 3 to sync · synced 14:02 · 1 conflict (F8)": what needs a person first.
    public var words: String { parts(short: false).joined(separator: " · ") }

    /// The same for a narrow terminal: the state in a word, then what waits and the conflicts,
    /// the last sync last (what is cut first at the line's end).
    public var shortWords: String { parts(short: true).joined(separator: " · ") }
    /// Shorter still, beside a notice on a narrow terminal: the state, what waits and the
    /// conflicts, without the time of the last sync.
    public var urgentWords: String { parts(short: true, lastSync: false).joined(separator: " · ") }

    private func parts(short: Bool, lastSync showsLastSync: Bool = true) -> [String] {
        let state = needsSignIn ? (short ? "NOT SYNCING: sign in again" : "NOT SYNCING: sign in again (frontdesk desk connect)")
            : needsReconnect ? (short ? "NOT SYNCING: connect again" : "NOT SYNCING: the server's data went back, connect again (frontdesk desk connect)")
            : notAFrontDeskServer ? (short ? "NOT SYNCING: wrong server?" : "NOT SYNCING: not a Front Desk server (frontdesk desk status)")
            : online ? "online" : short ? "OFFLINE" : "OFFLINE (booking on this desk)"
        var parts = [state]
        if pendingOperations > 0 { parts.append("\(pendingOperations) to sync") }
        let synced: String? = showsLastSync ? lastSync.map { "synced \($0)" } ?? "not synced yet" : nil
        let conflictWords = conflicts > 0 ? "\(conflicts) conflict\(conflicts == 1 ? "" : "s") (F8)" : nil
        if short {
            parts += [conflictWords, synced].compactMap { $0 }
        } else {
            parts += [synced, conflictWords].compactMap { $0 }
        }
        return parts
    }

    /// The mark beside a booking's code: `~` not yet on the server, `!` refused by it.
    public func marker(for booking: UUID) -> String {
        conflictedBookings.contains(booking) ? "!" : pendingBookings.contains(booking) ? "~" : ""
    }
}

/// A free room the server offered instead of the one taken.
public struct DeskSuggestedRoom: Hashable, Sendable {
    public let roomNumber: String
    public let roomType: String
    public let totalPrice: Money

    public init(roomNumber: String, roomType: String, totalPrice: Money) {
        self.roomNumber = roomNumber
        self.roomType = roomType
        self.totalPrice = totalPrice
    }
}

/// A booking made on this desk that the server refused, as the Conflicts screen lists it.
public struct DeskConflict: Hashable, Sendable {
    public let conflictId: String
    public let booking: Booking
    /// The error code (`room_unavailable`, `stale_version`, ...).
    public let reason: String
    public let message: String?
    public let suggestedRooms: [DeskSuggestedRoom]
    /// The server has the booking (it was accepted once): a refused change to it can be dropped
    /// (Alt-k) or made again on the server's version (Alt-a). False for a booking made here.
    public let onServer: Bool
    /// The refused change in a receptionist's words ("no-show", "edit"), when known.
    public let refusedChange: String?
    /// The ways it may be resolved, as the store names them (`moveTo`, `cancel`, `keepServer`,
    /// `reapply`); empty: not known, every key is tried.
    public let resolutions: [String]

    public init(conflictId: String, booking: Booking, reason: String, message: String?, suggestedRooms: [DeskSuggestedRoom],
                onServer: Bool = false, refusedChange: String? = nil, resolutions: [String] = []) {
        self.conflictId = conflictId
        self.booking = booking
        self.reason = reason
        self.message = message
        self.suggestedRooms = suggestedRooms
        self.onServer = onServer
        self.refusedChange = refusedChange
        self.resolutions = resolutions
    }

    /// The reason in a receptionist's words, naming a refused change to a server booking.
    public var why: String {
        if guestInHouseWithoutBooking {
            return "guest in room \(booking.roomNumber) with no booking: cancelled elsewhere while checked in here; "
                + "book them again (F2), then Alt-k"
        }
        guard onServer, let refusedChange else { return reasonWords }
        return "\(refusedChange) refused: \(reasonWords)"
    }

    /// A check-in made here that the server refused because another desk had cancelled the
    /// booking: the guest sleeps in a room the system shows as free.
    public var guestInHouseWithoutBooking: Bool {
        onServer && refusedChange == "check-in" && booking.status == .cancelled
    }

    /// A stay lengthened here whose added nights were sold: Alt-m moves the guest on the server's
    /// version and lengthens the stay again in the new room (asks the server).
    public var movesWithTheServersVersion: Bool {
        onServer && refusedChange == "edit" && reason == "room_unavailable"
    }

    private var reasonWords: String {
        switch reason {
        case "room_unavailable" where movesWithTheServersVersion:
            "the nights added in room \(booking.roomNumber) were sold by another desk meanwhile"
        case "room_unavailable": "room \(booking.roomNumber) was sold by another desk meanwhile"
        case "stale_version": "the booking was changed elsewhere meanwhile"
        case "depends_on_conflict": "an earlier change to this booking was refused"
        default: message ?? reason
        }
    }
}

/// What the Conflicts screen may ask of a connected desk.
public struct SyncServices: Sendable {
    public var conflicts: @Sendable () throws -> [DeskConflict]
    /// Moves the guest to that room (queued for the server); the conflict is resolved.
    public var moveTo: @Sendable (_ conflictId: String, _ roomNumber: String) throws -> Booking
    /// Cancels the booking, refunding what it paid; the conflict is resolved.
    public var cancel: @Sendable (_ conflictId: String) throws -> Booking
    /// Takes the booking as the server has it now and drops this desk's refused change (and
    /// those that waited behind it); the conflict is resolved. Needs the server. `settle`: the
    /// money of the dropped change to settle at the desk, if any.
    public var keepServer: @Sendable (_ conflictId: String, _ bookingId: UUID) throws -> (booking: Booking, settle: String?)
    /// Takes the booking as the server has it now and makes this desk's refused change again on
    /// it, queued for the server; the conflict is resolved. Needs the server.
    public var reapply: @Sendable (_ conflictId: String, _ bookingId: UUID) throws -> Booking

    public init(conflicts: @escaping @Sendable () throws -> [DeskConflict],
                moveTo: @escaping @Sendable (String, String) throws -> Booking,
                cancel: @escaping @Sendable (String) throws -> Booking,
                keepServer: @escaping @Sendable (String, UUID) throws -> (booking: Booking, settle: String?) = { _, _ in
                    throw SyncServices.needsTheServer
                },
                reapply: @escaping @Sendable (String, UUID) throws -> Booking = { _, _ in throw SyncServices.needsTheServer }) {
        self.conflicts = conflicts
        self.moveTo = moveTo
        self.cancel = cancel
        self.keepServer = keepServer
        self.reapply = reapply
    }

    public static let needsTheServer = FrontDeskError.invalidState("This desk cannot ask the server for the booking: nothing was changed")
}

public struct ConflictsState: Sendable {
    public var rows: [DeskConflict] = []
    public var selected = 0
    /// The question before a move or a cancel; `moveTo` is the room a yes moves the guest to.
    public var confirmation: PendingConfirmation?
    public var moveTo: String?
    public var message: String?
    public var messageIsError = false
}

extension DeskModel {
    public mutating func setSync(_ status: DeskSyncStatus?) {
        let conflictsBefore = state.sync?.conflicts
        state.sync = status
        if state.screen == .conflicts, status?.conflicts != conflictsBefore { refreshConflicts() }
    }

    mutating func refreshConflicts() {
        guard let services = syncServices else { return }
        do {
            state.conflicts.rows = try services.conflicts()
            state.conflicts.selected = min(state.conflicts.selected, max(0, state.conflicts.rows.count - 1))
        } catch {
            (state.conflicts.message, state.conflicts.messageIsError) = (Self.describe(error), true)
        }
    }

    mutating func handleConflicts(_ key: Key) -> Outcome {
        if var pending = state.conflicts.confirmation {
            switch CommandTable.command(for: key, in: .confirm) {
            case .confirmChoose:
                pending.yes = CommandTable.answer(after: key, wasYes: pending.yes)
                state.conflicts.confirmation = pending
            case .confirmAnswer:
                state.conflicts.confirmation = nil
                if pending.yes { resolve(pending) } else { (state.conflicts.message, state.conflicts.messageIsError) = ("Nothing changed", false) }
            case .confirmNo:
                state.conflicts.confirmation = nil
                (state.conflicts.message, state.conflicts.messageIsError) = ("Nothing changed", false)
            default: break // letters cannot answer
            }
            return .keepGoing
        }
        // Typed text does nothing here: commands are Alt keys.
        guard let command = CommandTable.command(for: key, in: .conflicts) else { return .keepGoing }
        let rows = state.conflicts.rows
        let chosen = rows.indices.contains(state.conflicts.selected) ? rows[state.conflicts.selected] : nil
        switch command {
        case .moveSelection, .movePage, .moveToEnd:
            state.conflicts.selected = Self.moved(state.conflicts.selected, by: key, count: rows.count)
        case .resolveByMove:
            guard let chosen else { break }
            if chosen.guestInHouseWithoutBooking {
                (state.conflicts.message, state.conflicts.messageIsError) =
                    ("Booking \(chosen.booking.confirmationCode) is cancelled on the server; \(chosen.booking.guest.name) is in room "
                     + "\(chosen.booking.roomNumber) with no booking: book them again (F2), then Alt-k settles this", true)
                break
            }
            guard let room = chosen.suggestedRooms.first else {
                (state.conflicts.message, state.conflicts.messageIsError) =
                    ("No free room of that type or larger for \(chosen.booking.stay.checkIn) to \(chosen.booking.stay.checkOut): Alt-c cancels", true)
                break
            }
            let booking = chosen.booking
            state.conflicts.moveTo = room.roomNumber
            let lines = chosen.movesWithTheServersVersion
                ? ["Move \(booking.guest.name), booking \(booking.confirmationCode), to room \(room.roomNumber) and lengthen the stay there?",
                   "\(room.roomType): the booking as the server has it moves (asks the server), then this desk's edit is made "
                       + "again in room \(room.roomNumber); sent to the server at the next sync."]
                : ["Move \(booking.guest.name), booking \(booking.confirmationCode), to room \(room.roomNumber)?",
                   "\(room.roomType), \(booking.stay.checkIn) to \(booking.stay.checkOut); the price stays \(state.info.currency) "
                       + "\(booking.totalPrice.plain) (a move keeps it); sent to the server at the next sync."]
            state.conflicts.confirmation = PendingConfirmation(
                bookingId: booking.id, command: .resolveByMove, lines: lines, yesLabel: "Yes, move to \(room.roomNumber)")
        case .resolveByCancel:
            guard let chosen else { break }
            let booking = chosen.booking
            // A refused undo, a guest in house: the store refuses the cancel; said before asking,
            // with this screen's keys (the store's words name the command line's flags).
            guard chosen.resolutions.isEmpty || chosen.resolutions.contains("cancel") else {
                (state.conflicts.message, state.conflicts.messageIsError) =
                    ("Booking \(booking.confirmationCode) is not cancelled here: " + Self.resolutionKeys(chosen), true)
                break
            }
            state.conflicts.confirmation = PendingConfirmation(
                bookingId: booking.id, command: .resolveByCancel, lines: Self.cancelQuestion(booking), yesLabel: "Yes, cancel it")
        case .resolveByKeepingServer, .resolveByReapplying:
            guard let chosen else { break }
            let booking = chosen.booking
            guard chosen.onServer else {
                (state.conflicts.message, state.conflicts.messageIsError) =
                    ("Booking \(booking.confirmationCode) was made on this desk and never reached the server: Alt-m moves the guest, Alt-c cancels", true)
                break
            }
            let change = chosen.refusedChange ?? "change"
            let lines = command == .resolveByKeepingServer
                ? ["Keep the server's version of booking \(booking.confirmationCode) for \(booking.guest.name)?",
                   "This desk's \(change) is dropped; the booking shows as the server has it now (asks the server)."]
                : ["Make this desk's \(change) of booking \(booking.confirmationCode) for \(booking.guest.name) again?",
                   "Made on the server's version now (asks the server); sent to the server at the next sync."]
            state.conflicts.confirmation = PendingConfirmation(
                bookingId: booking.id, command: command, lines: lines,
                yesLabel: command == .resolveByKeepingServer ? "Yes, keep the server's" : "Yes, re-apply it")
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    private mutating func resolve(_ pending: PendingConfirmation) {
        guard let services = syncServices,
              let conflict = state.conflicts.rows.first(where: { $0.booking.id == pending.bookingId }) else {
            (state.conflicts.message, state.conflicts.messageIsError) = ("The conflict is no longer on the list: nothing changed", true)
            return
        }
        writesAsked += 1
        let number = writesAsked
        let (id, guest, code, room) = (conflict.conflictId, conflict.booking.guest.name, conflict.booking.confirmationCode, state.conflicts.moveTo)
        let command = pending.command
        let bookingId = conflict.booking.id
        load(.write(number)) {
            do {
                if command == .resolveByMove, let room {
                    let booking = try services.moveTo(id, room)
                    return .written(number: number, list: .conflicts, message: "\(guest) moved to room \(booking.roomNumber) (booking \(code)); it goes to the server at the next sync", isError: false)
                }
                if command == .resolveByKeepingServer {
                    let (booking, settle) = try services.keepServer(id, bookingId)
                    return .written(number: number, list: .conflicts, message: "Booking \(code) for \(guest) is as the server has it (\(booking.status.rawValue), version \(booking.version)); this desk's change was dropped"
                                        + (settle.map { ". To settle: \($0)" } ?? ""), isError: false)
                }
                if command == .resolveByReapplying {
                    let booking = try services.reapply(id, bookingId)
                    return .written(number: number, list: .conflicts, message: "Booking \(code) for \(guest) changed again on the server's version (\(booking.status.rawValue)); it goes to the server at the next sync", isError: false)
                }
                _ = try services.cancel(id)
                return .written(number: number, list: .conflicts, message: "Booking \(code) for \(guest) cancelled", isError: false)
            } catch {
                return .written(number: number, list: .conflicts, message: Self.describe(error), isError: true)
            }
        }
    }

    func drawConflicts(into buffer: inout CellBuffer) {
        let conflicts = state.conflicts
        buffer.put(" Conflicts", x: 0, y: 1, role: .title)
        let summary = conflicts.rows.isEmpty
            ? " None: every booking made on this desk is on the server, or waits to be sent."
            : " Bookings made on this desk that the server refused. Alt-m moves the guest to the first free room offered; Alt-c cancels."
        buffer.put(summary, x: 0, y: 2, role: .hint, maxWidth: buffer.width - 1)
        buffer.put(" ~ beside a code elsewhere: made or changed here, not yet on the server · ! : on this list", x: 0, y: 3, role: .hint,
                   maxWidth: buffer.width - 1)
        if !conflicts.rows.isEmpty {
            buffer.put(" Refused change to a server booking: Alt-k keeps the server's, Alt-a re-applies", x: 0, y: 4, role: .hint,
                       maxWidth: buffer.width - 1)
        }
        let whyWidth = max(10, buffer.width - 2 - 8 - 6 - 11 - 11 - 20 - 14 - 6)
        let columns: [(String, Int)] = [("Code", 8), ("Room", 6), ("Arrive", 11), ("Depart", 11), ("Guest", 20), ("Offered", 14),
                                        ("Why", whyWidth)]
        var x = 1
        buffer.fill(y: 5, role: .header)
        for (title, width) in columns {
            buffer.cell(title, x: x, y: 5, width: width, role: .header)
            x += width + 1
        }
        // The chosen conflict's whole reason goes under the list: its column is a few letters wide at 80 columns.
        let chosen = conflicts.rows.indices.contains(conflicts.selected) ? conflicts.rows[conflicts.selected] : nil
        let visible = buffer.height - 6 - 4 - (chosen == nil ? 0 : 1)
        if let chosen {
            buffer.put(" Why \(chosen.booking.confirmationCode): \(chosen.why)", x: 0, y: buffer.height - 4,
                       role: chosen.guestInHouseWithoutBooking ? .error : .hint, maxWidth: buffer.width - 1)
        }
        let first = min(max(0, conflicts.selected - visible + 1), max(0, conflicts.rows.count - visible))
        for (row, conflict) in conflicts.rows.dropFirst(first).prefix(visible).enumerated() {
            let y = 6 + row
            let isSelected = first + row == conflicts.selected
            if isSelected { buffer.fill(y: y, role: .selected) }
            let booking = conflict.booking
            let offered = conflict.suggestedRooms.first.map { "\($0.roomNumber) \($0.roomType)" } ?? "none"
            let values = [booking.confirmationCode, booking.roomNumber, booking.stay.checkIn.iso, booking.stay.checkOut.iso,
                          booking.guest.name, offered, conflict.why]
            var cellX = 1
            for ((_, width), value) in zip(columns, values) {
                buffer.cell(value, x: cellX, y: y, width: width, role: isSelected ? .selected : .normal)
                cellX += width + 1
            }
        }
        drawMessage(conflicts.message, isError: conflicts.messageIsError, confirmation: conflicts.confirmation, into: &buffer)
    }
}

extension DeskModel {
    /// The keys of this screen that resolve `conflict`, in words, from its `resolutions`.
    static func resolutionKeys(_ conflict: DeskConflict) -> String {
        let words = ["moveTo": "Alt-m moves the guest", "cancel": "Alt-c cancels", "keepServer": "Alt-k keeps the server's booking",
                     "reapply": "Alt-a re-applies this desk's change"]
        return conflict.resolutions.compactMap { words[$0] }.joined(separator: ", ")
    }
}
