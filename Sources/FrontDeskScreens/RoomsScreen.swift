import Foundation
import FrontDeskDomain

/// A room with its type, as the rooms screen lists it.
public struct RoomRow: Hashable, Sendable {
    public let room: Room
    public let type: RoomType

    public init(room: Room, type: RoomType) {
        self.room = room
        self.type = type
    }
}

/// What the rooms screen may ask of the desk.
public struct RoomServices: Sendable {
    public var rooms: @Sendable () throws -> [RoomRow]
    public var roomTypes: @Sendable () throws -> [RoomType]
    /// The room as stored: its number and its type by the type's own name ("double" typed is Double).
    public var addRoom: @Sendable (_ number: String, _ typeName: String) throws -> RoomRow
    public var renameRoom: @Sendable (_ number: String, _ newNumber: String) throws -> Void
    public var setActive: @Sendable (_ number: String, _ active: Bool) throws -> Void
    public var addRoomType: @Sendable (_ name: String, _ capacity: String, _ price: String) throws -> Void
    /// The parts typed differently from what the form opened with (nil: left as it is).
    public var changeRoomType: @Sendable (_ id: UUID, _ name: String?, _ capacity: String?, _ price: String?) throws -> Void
    /// Codes of the bookings holding the room from the business date on (to move them off it).
    public var bookingsHoldingRoom: @Sendable (_ number: String) throws -> [String]
    /// Why this desk shows its rooms but does not change them (a connected desk: they are the
    /// booking server's), said on the screen when a change key is pressed; nil where it changes
    /// them. The change keys then open no form, so the change closures are never called (they
    /// refuse with these words all the same).
    public var changesRefusedBecause: String? = nil

    public init(rooms: @escaping @Sendable () throws -> [RoomRow], roomTypes: @escaping @Sendable () throws -> [RoomType],
                addRoom: @escaping @Sendable (String, String) throws -> RoomRow,
                renameRoom: @escaping @Sendable (String, String) throws -> Void,
                setActive: @escaping @Sendable (String, Bool) throws -> Void,
                addRoomType: @escaping @Sendable (String, String, String) throws -> Void,
                changeRoomType: @escaping @Sendable (UUID, String?, String?, String?) throws -> Void,
                bookingsHoldingRoom: @escaping @Sendable (String) throws -> [String] = { _ in [] }) {
        self.bookingsHoldingRoom = bookingsHoldingRoom
        self.rooms = rooms
        self.roomTypes = roomTypes
        self.addRoom = addRoom
        self.renameRoom = renameRoom
        self.setActive = setActive
        self.addRoomType = addRoomType
        self.changeRoomType = changeRoomType
    }

    /// Rooms and types shown, never changed here (a connected desk's, which are the booking
    /// server's): every change is refused with `reason`.
    public init(changesRefusedBecause reason: String, rooms: @escaping @Sendable () throws -> [RoomRow],
                roomTypes: @escaping @Sendable () throws -> [RoomType]) {
        self.init(rooms: rooms, roomTypes: roomTypes,
                  addRoom: { _, _ in throw FrontDeskError.invalidState(reason) },
                  renameRoom: { _, _ in throw FrontDeskError.invalidState(reason) },
                  setActive: { _, _ in throw FrontDeskError.invalidState(reason) },
                  addRoomType: { _, _, _ in throw FrontDeskError.invalidState(reason) },
                  changeRoomType: { _, _, _, _ in throw FrontDeskError.invalidState(reason) })
        changesRefusedBecause = reason
    }
}

/// A small form at the bottom of the rooms screen: a few labelled fields, Enter to do it.
public struct RoomPrompt: Hashable, Sendable {
    public enum Action: Hashable, Sendable { case newRoom, renameRoom(String), newRoomType, changeRoomType(id: UUID, name: String) }
    public let action: Action
    public let title: String
    public var labels: [String]
    public var values: [String]
    /// What the form opened with: quitting asks first only once something differs from it.
    public let openedWith: [String]
    public var focus = 0 {
        didSet { if focus != oldValue { replaceOnType = !values[focus].isEmpty } }
    }
    /// The focused field still holds its pre-filled value (a type, the old number, "2" guests)
    /// untouched: the first character typed replaces it, as in the desk's other forms (issue 10);
    /// Backspace keeps it and edits from its end.
    public var replaceOnType: Bool
    /// Why Enter did nothing (a change still saving), or why the last try was refused.
    public var note: String?

    public init(action: Action, title: String, labels: [String], values: [String]) {
        self.action = action
        self.title = title
        self.labels = labels
        self.values = values
        openedWith = values
        replaceOnType = !(values.first ?? "").isEmpty
    }
}

public struct RoomsState: Sendable {
    public var rows: [RoomRow] = []
    public var types: [RoomType] = []
    public var selected = 0
    public var prompt: RoomPrompt?
    public var message: String?
    public var messageIsError = false
    /// A change is being written (off the UI thread): the next waits for it.
    public var saving = false
    /// The room Alt-x is taking out of service, while that is being saved.
    public var deactivating: String?
    /// Bookings still on a room Alt-x could not take out of service: Enter moves the first.
    public var toMove: [String] = []
    /// Alt-x's question, before a room goes out of service or back in: the desk's one rule
    /// (changes ask first, on No) holds for rooms as for bookings.
    public var serviceQuestion: RoomServiceQuestion?

    /// Types no room has (one just added, or whose rooms were renumbered into another): listed
    /// after the rooms, so Alt-e can change them and Alt-n adds a room of one.
    public var roomlessTypes: [RoomType] {
        let used = Set(rows.map(\.type.id))
        return types.filter { !used.contains($0.id) }
    }

    /// The rooms, then the roomless types: what the highlight moves over.
    public var entryCount: Int { rows.count + roomlessTypes.count }

    /// The highlighted room (nil on a roomless type).
    public var chosenRoom: RoomRow? { rows.indices.contains(selected) ? rows[selected] : nil }

    /// The highlighted room's type, or the highlighted roomless type.
    public var chosenType: RoomType? {
        if let chosenRoom { return chosenRoom.type }
        let roomless = roomlessTypes
        return roomless.indices.contains(selected - rows.count) ? roomless[selected - rows.count] : nil
    }
}

/// Taking a room out of service (or putting it back) asked first; the room is named by number,
/// so a list refreshed meanwhile cannot change which room a yes acts on.
public struct RoomServiceQuestion: Hashable, Sendable {
    public var confirmation: PendingConfirmation
    public let roomNumber: String
    public let putInService: Bool
}

extension DeskModel {
    /// Whose keys act on the Rooms screen: its own, or where this desk does not change its rooms
    /// (a connected desk), the moves and the one line that says where rooms are changed.
    var roomsScope: Scope { roomServices?.changesRefusedBecause == nil ? .rooms : .roomsShown }

    mutating func refreshRooms() {
        guard let services = roomServices else { return }
        do {
            // The highlight stays on its room (a room added above it once moved it onto the
            // next one, and Alt-x then asked to take that one out of service).
            let chosen = state.rooms.chosenRoom?.room.id
            let chosenType = state.rooms.chosenRoom == nil ? state.rooms.chosenType?.id : nil
            state.rooms.rows = try services.rooms()
            state.rooms.types = try services.roomTypes()
            let roomless = state.rooms.roomlessTypes
            state.rooms.selected = chosen.flatMap { id in state.rooms.rows.firstIndex { $0.room.id == id } }
                ?? chosenType.flatMap { id in roomless.firstIndex { $0.id == id }.map { state.rooms.rows.count + $0 } }
                // A roomless type that has its first room now (Alt-n on its row): that room, not
                // whatever row took the old place.
                ?? chosenType.flatMap { id in state.rooms.rows.firstIndex { $0.type.id == id } }
                ?? min(state.rooms.selected, max(0, state.rooms.entryCount - 1))
        } catch {
            state.rooms.message = "\(error)"
            state.rooms.messageIsError = true
        }
    }

    mutating func handleRooms(_ key: Key) -> Outcome {
        if state.rooms.serviceQuestion != nil {
            answerServiceQuestion(key)
            return .keepGoing
        }
        if var prompt = state.rooms.prompt {
            switch key {
            case .escape:
                // The form's refusal goes with it (it stayed on the message line).
                state.rooms.prompt = nil
                state.rooms.message = nil
            case .tab, .down: prompt.focus = (prompt.focus + 1) % prompt.labels.count
            case .backTab, .up: prompt.focus = (prompt.focus + prompt.labels.count - 1) % prompt.labels.count
            case .backspace:
                prompt.replaceOnType = false
                _ = prompt.values[prompt.focus].popLast()
            case .character(let character):
                if prompt.replaceOnType { prompt.values[prompt.focus] = "" }
                prompt.replaceOnType = false
                if prompt.values[prompt.focus].count < 60 { prompt.values[prompt.focus].append(character) }
            case .enter where state.rooms.saving:
                // One change at a time: the form stays as typed until the last change is saved.
                prompt.note = "still saving the last change: Enter again in a moment"
            case .enter:
                state.rooms.prompt = nil
                perform(prompt)
                return .keepGoing
            default: break
            }
            if state.rooms.prompt != nil { state.rooms.prompt = prompt }
            return .keepGoing
        }
        // Typed text does nothing here (no find field): commands are Alt-keys.
        guard let command = CommandTable.command(for: key, in: roomsScope) else { return .keepGoing }
        if command != .help { state.rooms.message = nil }
        // Enter moves the refused room's bookings only as the very next key: after any other,
        // it no longer knew which room's guest it would move.
        if command != .moveBookingsOff && command != .help { state.rooms.toMove = [] }
        let chosen = state.rooms.chosenRoom
        if chosen == nil, let type = state.rooms.chosenType, command == .renameRoom || command == .toggleRoomActive {
            (state.rooms.message, state.rooms.messageIsError) = ("Room type \(type.name) has no rooms: Alt-n adds one", true)
            return .keepGoing
        }
        switch command {
        case .moveSelection, .movePage, .moveToEnd:
            state.rooms.selected = Self.moved(state.rooms.selected, by: key, count: state.rooms.entryCount)
        case .roomChangesRefused:
            // A connected desk: its rooms are the server's. No form opens (what was typed into it
            // would be refused only at Enter); the screen says where they are changed.
            state.rooms.message = roomServices?.changesRefusedBecause
            state.rooms.messageIsError = true
        case .newRoom:
            state.rooms.prompt = RoomPrompt(action: .newRoom, title: "New room", labels: ["Number", "Type"],
                                            values: ["", state.rooms.chosenType?.name ?? state.rooms.types.first?.name ?? ""])
        case .renameRoom:
            guard let chosen else { break }
            state.rooms.prompt = RoomPrompt(action: .renameRoom(chosen.room.number), title: "Renumber room \(chosen.room.number)",
                                            labels: ["New number"], values: [chosen.room.number])
        case .newRoomType:
            state.rooms.prompt = RoomPrompt(action: .newRoomType, title: "New room type", labels: ["Name", "Sleeps", "Base price"],
                                            values: ["", "2", ""])
        case .changeRoomType:
            guard let type = state.rooms.chosenType else { break }
            state.rooms.prompt = RoomPrompt(action: .changeRoomType(id: type.id, name: type.name), title: "Room type \(type.name)",
                                            labels: ["Name", "Sleeps", "Base price"],
                                            values: [type.name, String(type.capacity), type.basePricePerNight.plain])
        case .moveBookingsOff:
            guard let code = state.rooms.toMove.first else { break }
            state.rooms.toMove = []
            // The bookings screen on that booking, its move prompt open: type the room, Enter asks.
            state.bookings.query = code
            state.bookings.typingQuery = false
            state.bookings.selected = 0
            state.bookings.results = []
            state.screen = .bookings
            refreshBookings()
            if state.loading.contains(.bookings) {
                state.deferredAction = (.moveBooking, .bookings)
            } else {
                runDeferredAction(.moveBooking, list: .bookings)
            }
        case .toggleRoomActive:
            guard let chosen else { break }
            // The row may not show the last change yet: a second toggle now could undo or repeat it.
            guard !state.rooms.saving else {
                (state.rooms.message, state.rooms.messageIsError) = ("Still saving the last change: Alt-x again in a moment", true)
                break
            }
            let number = chosen.room.number
            let lines = chosen.room.isActive
                ? ["Take room \(number) (\(chosen.type.name)) out of service?",
                   "It is no longer offered or booked until it is put back in service."]
                : ["Put room \(number) (\(chosen.type.name)) back in service?", "It is offered and can be booked again."]
            // PendingConfirmation names a booking; for a room its id stands there (nothing reads it).
            state.rooms.serviceQuestion = RoomServiceQuestion(
                confirmation: PendingConfirmation(bookingId: chosen.room.id, command: .toggleRoomActive, lines: lines,
                                                  yesLabel: chosen.room.isActive ? "Yes, take it out" : "Yes, put it back"),
                roomNumber: number, putInService: !chosen.room.isActive)
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    /// Alt-x's question: ←/→ choose, Enter answers, Esc is no.
    private mutating func answerServiceQuestion(_ key: Key) {
        guard var question = state.rooms.serviceQuestion else { return }
        switch CommandTable.command(for: key, in: .confirm) {
        case .confirmChoose:
            question.confirmation.yes = CommandTable.answer(after: key, wasYes: question.confirmation.yes)
            state.rooms.serviceQuestion = question
        case .confirmAnswer:
            state.rooms.serviceQuestion = nil
            guard question.confirmation.yes else {
                (state.rooms.message, state.rooms.messageIsError) = ("Nothing changed", false)
                return
            }
            guard !state.rooms.saving else {
                (state.rooms.message, state.rooms.messageIsError) = ("Still saving the last change: nothing changed, Alt-x again in a moment", true)
                return
            }
            let (number, active) = (question.roomNumber, question.putInService)
            state.rooms.deactivating = active ? nil : number
            report("Room \(number) is \(active ? "in service again" : "out of service")") { services in
                try services.setActive(number, active)
            }
        case .confirmNo:
            state.rooms.serviceQuestion = nil
            (state.rooms.message, state.rooms.messageIsError) = ("Nothing changed", false)
        default: break
        }
    }

    private mutating func perform(_ prompt: RoomPrompt) {
        let values = prompt.values
        switch prompt.action {
        case .newRoom:
            // Said as stored, as the command line says it: the type's own name, not as typed
            // ("Room 104 (double) added" echoed the typing).
            reportSaying(from: prompt) { services in
                let added = try services.addRoom(values[0], values[1])
                return "Room \(added.room.number) (\(added.type.name)) added"
            }
        case .renameRoom(let number):
            report("Room \(number) is now \(values[0].trimmingCharacters(in: .whitespaces))", from: prompt) {
                try $0.renameRoom(number, values[0])
            }
        case .newRoomType:
            report("Room type \(values[0].trimmingCharacters(in: .whitespaces)) added", from: prompt) {
                try $0.addRoomType(values[0], values[1], values[2])
            }
        case .changeRoomType(let id, let name):
            // Only what was typed differently: a price another manager set meanwhile is not put back
            // (and "150" for 150.00, or "Double " for Double, is no change).
            let opened = prompt.openedWith
            let unchanged = [values[0].trimmingCharacters(in: .whitespaces) == opened[0],
                             RoomType.typedCapacity(values[1]).map { String($0) } == opened[1],
                             Money(parsing: values[2]).map(\.plain) == opened[2]]
            let typed = values.indices.map { unchanged[$0] ? nil : values[$0] }
            guard typed.contains(where: { $0 != nil }) else {
                (state.rooms.message, state.rooms.messageIsError) = ("Nothing changed", false)
                return
            }
            let newName = typed[0].map { $0.trimmingCharacters(in: .whitespaces) } ?? name
            report("Room type \(newName) changed" + (typed[2] == nil ? "" : " (bookings made keep their prices)"), from: prompt) {
                try $0.changeRoomType(id, typed[0], typed[1], typed[2])
            }
        }
    }

    /// Runs a change off the UI thread (at once in tests), as check-in does: the status line says
    /// "saving…" and keys keep working; the outcome (or the reason it was refused) goes to the
    /// message line, and a refused form comes back as typed.
    private mutating func report(_ success: String, from prompt: RoomPrompt? = nil,
                                 _ change: @escaping @Sendable (RoomServices) throws -> Void) {
        reportSaying(from: prompt) { services in
            try change(services)
            return success
        }
    }

    /// As `report`, the words said on success made by the change from what the store answered.
    private mutating func reportSaying(from prompt: RoomPrompt? = nil,
                                       _ change: @escaping @Sendable (RoomServices) throws -> String) {
        guard let services = roomServices else { return }
        writesAsked += 1
        let number = writesAsked
        state.rooms.saving = true
        load(.write(number)) {
            do {
                let success = try change(services)
                return .roomsChanged(number: number, message: success, isError: false, prompt: nil)
            } catch let error as FrontDeskError {
                return .roomsChanged(number: number, message: error.message, isError: true, prompt: prompt)
            } catch {
                return .roomsChanged(number: number, message: "\(error)", isError: true, prompt: prompt)
            }
        }
    }

    /// A room change is in: said on the message line; a refused form is open again with what was
    /// typed (unless another form was opened meanwhile), its reason beside it.
    mutating func finishRoomChange(message: String, isError: Bool, prompt: RoomPrompt?) {
        state.rooms.saving = false
        (state.rooms.message, state.rooms.messageIsError) = (message, isError)
        state.rooms.toMove = []
        if isError, let number = state.rooms.deactivating, let services = roomServices {
            // Refused for the bookings still on the room: offer to move them, one at a time.
            do {
                state.rooms.toMove = try services.bookingsHoldingRoom(number)
            } catch {
                state.rooms.message = message + " (the bookings could not be listed: \(Self.describe(error)))"
            }
            if let first = state.rooms.toMove.first {
                // What to do first, so a narrow screen cuts the list of bookings, not the way on.
                state.rooms.message = "Enter: move \(first) · " + message
            }
        }
        state.rooms.deactivating = nil
        if isError, var prompt, state.rooms.prompt == nil {
            prompt.note = message
            state.rooms.prompt = prompt
        }
        refreshRooms()
    }

    func drawRooms(into buffer: inout CellBuffer) {
        let rooms = state.rooms
        let titleWidth = buffer.put(" Rooms", x: 0, y: 1, role: .title)
        if roomServices?.changesRefusedBecause != nil {
            // Said before any key is pressed: this desk does not change these rooms.
            buffer.put(" · as the booking server has them: changed there, not on this desk", x: titleWidth, y: 1, role: .hint,
                       maxWidth: buffer.width - titleWidth - 1)
        }
        let active = rooms.rows.filter(\.room.isActive).count
        let summary = " \(rooms.rows.count) rooms, \(active) in service · types: "
            + rooms.types.map { "\($0.name) (\($0.capacity), \($0.basePricePerNight.plain))" }.joined(separator: ", ")
        buffer.put(summary, x: 0, y: 2, role: .hint, maxWidth: buffer.width - 1)
        // "In service" as wide as its longest value: 12 columns cut it to "no (out of …" at any width.
        let outOfService = "no (out of service)"
        let serviceWidth = TerminalWidth.of(outOfService)
        let typeWidth = buffer.width - 2 - Self.roomColumnWidth - 8 - 12 - serviceWidth - 4
        let columns: [(String, Int, Bool)] = [("Room", Self.roomColumnWidth, false), ("Type", typeWidth, false), ("Sleeps", 8, true),
                                              ("Base price", 12, true), ("In service", serviceWidth, false)]
        var x = 1
        buffer.fill(y: 4, role: .header)
        for (title, width, right) in columns {
            buffer.cell(title, x: x, y: 4, width: width, role: .header, right: right)
            x += width + 1
        }
        let visible = buffer.height - 5 - 4
        let first = min(max(0, rooms.selected - visible + 1), max(0, rooms.entryCount - visible))
        // The rooms, then each type no room has ("no rooms" where a room says whether it is in service).
        let entries: [[String]] = rooms.rows.map { entry in
            [entry.room.number, entry.type.name, String(entry.type.capacity), entry.type.basePricePerNight.plain,
             entry.room.isActive ? "yes" : outOfService]
        } + rooms.roomlessTypes.map { type in ["", type.name, String(type.capacity), type.basePricePerNight.plain, "no rooms"] }
        for (row, values) in entries.dropFirst(first).prefix(visible).enumerated() {
            let y = 5 + row
            let isSelected = first + row == rooms.selected
            if isSelected { buffer.fill(y: y, role: .selected) }
            var cellX = 1
            for ((_, width, right), value) in zip(columns, values) {
                buffer.cell(value, x: cellX, y: y, width: width, role: isSelected ? .selected : .normal, right: right)
                cellX += width + 1
            }
        }
        if let prompt = rooms.prompt {
            let y = buffer.height - 3
            buffer.fill(y: y, role: .accent)
            buffer.fill(y: y + 1, role: .accent)
            if let note = prompt.note {
                // Whole, word-wrapped upwards over the list's last rows (up to three; only a longer
                // one is cut): "…; Base price 'lots' is not an amount (use e.g. 129.00)" was cut
                // at 80 columns before the way to write it.
                let rows = CellBuffer.wrap(note, width: buffer.width - 4)
                let shown = rows.count <= 3 ? rows : Array(rows.prefix(2)) + [rows.dropFirst(2).joined(separator: " ")]
                for (index, row) in shown.enumerated() {
                    let rowY = y - shown.count + index
                    buffer.fill(y: rowY, role: .normal)
                    buffer.put((index == 0 ? " ! " : "   ") + row, x: 0, y: rowY, role: .error, maxWidth: buffer.width - 1)
                }
            }
            buffer.put(" \(prompt.title) (Enter saves, Esc cancels, Tab: next field)", x: 0, y: y, role: .accent)
            var fieldX = 1
            for (index, label) in prompt.labels.enumerated() {
                fieldX += buffer.put("\(label) ", x: fieldX, y: y + 1, role: .accent)
                let focused = index == prompt.focus
                fieldX += buffer.field(prompt.values[index], typing: focused, x: fieldX, y: y + 1, width: 18,
                                       role: focused ? .focusedField : .field) + 2
            }
        } else {
            drawMessage(rooms.message, isError: rooms.messageIsError, confirmation: rooms.serviceQuestion?.confirmation, into: &buffer)
        }
    }
}
