import Foundation
import FrontDeskDomain

/// What the manager views may ask of the desk.
public struct ManagerServices: Sendable {
    public var roomPlan: @Sendable (_ first: CalendarDate, _ nights: Int) throws -> RoomPlan
    public var occupancy: @Sendable (_ from: CalendarDate, _ through: CalendarDate) throws -> OccupancyReport
    /// Writes an export whole (or not at all) and returns the path written.
    public var export: @Sendable (_ fileName: String, _ contents: String) throws -> String

    public init(roomPlan: @escaping @Sendable (CalendarDate, Int) throws -> RoomPlan,
                occupancy: @escaping @Sendable (CalendarDate, CalendarDate) throws -> OccupancyReport,
                export: @escaping @Sendable (String, String) throws -> String) {
        self.roomPlan = roomPlan
        self.occupancy = occupancy
        self.export = export
    }
}

/// The room plan: where the window of nights starts, where the cursor is, and the plan shown.
public struct RoomPlanState: Sendable {
    /// The first night shown; set to the first night on sale (`DeskInfo.firstNightOnSale`: the
    /// night under way until 06:00, else the business date) when the plan is first opened.
    public var first: CalendarDate?
    public var cursorNight: CalendarDate?
    /// Index into the plan's lines (rooms), not into the drawn rows (which add a row per type).
    public var cursorLine = 0
    /// The room under the cursor, so a reloaded plan (rooms added or renumbered) keeps it.
    public var cursorRoom: UUID?
    /// The first night of a longer stay being marked on the cursor's room (Space, then →).
    public var mark: CalendarDate?
    public var plan: RoomPlan?
    /// The date being typed after `g`.
    public var prompt: String?
    public var message: String?
    public var messageIsError = false
    /// Alt-m on a stay: the stay being moved; ↑/↓ to the room, Enter asks.
    public var moving: RoomPlan.Stay?
    /// The version of the marked stay's booking when it was marked: the move is based on it, so
    /// a change made elsewhere meanwhile is said, never moved over.
    public var movingVersion: Int?
    public var moveQuestion: PendingConfirmation?

    /// The message line: the last outcome, else what to do while a stay is being moved.
    var shownMessage: String? {
        if message == nil, let moving {
            return "Moving \(moving.guestName) (\(moving.confirmationCode)): ↑/↓ to the room, Enter asks first · Esc: stop"
        }
        return message
    }
}

/// A line typed at the bottom of a screen (a date, a range): nil while not asked.
enum LinePrompt {
    /// Applies a key to the text; returns the text when Enter submits it (the prompt closes on
    /// Enter and Esc). Longer input than `limit` is not taken.
    static func edit(_ text: inout String?, with key: Key, limit: Int) -> String? {
        guard let typed = text else { return nil }
        switch key {
        case .escape: text = nil
        case .backspace: text = String(typed.dropLast())
        case .character(let character) where typed.count < limit: text = typed + String(character)
        case .enter:
            text = nil
            return typed
        default: break
        }
        return nil
    }
}

/// How the plan's grid fits a terminal: 13 nights at 80 columns, 31 from 138.
enum RoomPlanLayout {
    /// A space, the longest number a room may have, " ×" for a room out of service and a space
    /// before the first night: at 9 columns "Garden 101" and "Garden 102" both read "Garden …".
    static let labelWidth = 1 + Room.maximumNumberLength + 2 + 1
    static func nightWidth(for width: Int) -> Int { width < 100 ? 5 : 4 }
    static func visibleNights(for width: Int) -> Int {
        min(RoomPlan.maximumNights, max(1, (width - labelWidth) / nightWidth(for: width)))
    }
    /// Status line, title, two heading rows above; message and footer below.
    static let top = 4
    static func bodyRows(for height: Int) -> Int { max(1, height - top - 2) }
}

extension DeskModel {
    mutating func refreshRoomPlan() {
        guard let managerServices else { return }
        // The night a walk-in is sold first, as the search opens on it: before 06:00 the night
        // under way (a night auditor sells it), else the business date.
        let onSale = state.info.firstNightOnSale
        let nights = RoomPlanLayout.visibleNights(for: state.viewSize.width)
        var first = state.roomPlan.first ?? onSale
        let cursor = state.roomPlan.cursorNight ?? onSale
        if cursor < first { first = cursor }
        if cursor >= first.adding(days: nights) { first = cursor.adding(days: 1 - nights) }
        state.roomPlan.first = first
        state.roomPlan.cursorNight = cursor
        let fetch = managerServices.roomPlan
        let window = first
        load(.roomPlan) { .roomPlan(Result { try fetch(window, nights) }) }
    }

    mutating func handleRoomPlan(_ key: Key) -> Outcome {
        if state.roomPlan.moveQuestion != nil {
            answerPlanQuestion(key)
            return .keepGoing
        }
        if state.roomPlan.prompt != nil {
            guard let typed = LinePrompt.edit(&state.roomPlan.prompt, with: key, limit: 10) else { return .keepGoing }
            // The command line's rule: a strict YYYY-MM-DD within the supported dates.
            var problems: [String] = []
            if let date = BookingRules.parseDate(typed, field: "Date", into: &problems) {
                moveCursor(to: date, windowFrom: date)
            } else {
                (state.roomPlan.message, state.roomPlan.messageIsError) = (problems.joined(separator: "; "), true)
            }
            return .keepGoing
        }
        // A digit starts the date to go to (typed text); letters do nothing.
        if case .character(let character) = key, character.isNumber {
            state.roomPlan.message = nil
            state.roomPlan.prompt = String(character)
            return .keepGoing
        }
        guard let command = CommandTable.command(for: key, in: .roomPlan) else { return .keepGoing }
        let cursor = state.roomPlan.cursorNight ?? state.info.firstNightOnSale
        let lineCount = state.roomPlan.plan?.lines.count ?? 0
        if command != .help { state.roomPlan.message = nil }
        switch command {
        case .moveSelection:
            let line = min(max(0, state.roomPlan.cursorLine + (key == .up ? -1 : 1)), max(0, lineCount - 1))
            if line != state.roomPlan.cursorLine { state.roomPlan.mark = nil }
            state.roomPlan.cursorLine = line
            state.roomPlan.cursorRoom = state.roomPlan.plan.flatMap { $0.lines.indices.contains(line) ? $0.lines[line].room.id : nil }
        case .cellLeft: moveCursor(to: cursor.adding(days: -1))
        case .cellRight: moveCursor(to: cursor.adding(days: 1))
        case .previousWeek: moveCursor(to: cursor.adding(days: -7), windowFrom: state.roomPlan.first?.adding(days: -7))
        case .nextWeek: moveCursor(to: cursor.adding(days: 7), windowFrom: state.roomPlan.first?.adding(days: 7))
        case .goToDate: state.roomPlan.prompt = ""
        case .goToToday: moveCursor(to: state.info.firstNightOnSale, windowFrom: state.info.firstNightOnSale)
        case .markNights:
            if state.roomPlan.moving != nil {
                state.roomPlan.moving = nil
            } else if !markStayToMove() {
                state.roomPlan.mark = state.roomPlan.mark == nil ? cursor : nil
            }
        case .openCell:
            if state.roomPlan.moving != nil { askToMoveMarkedStay() } else { openPlanCell() }
        case .back:
            if state.roomPlan.moving != nil {
                state.roomPlan.moving = nil
                (state.roomPlan.message, state.roomPlan.messageIsError) = ("Nothing changed", false)
            } else if state.roomPlan.mark != nil { state.roomPlan.mark = nil } else { return handleGlobal(.back) }
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    private mutating func moveCursor(to night: CalendarDate, windowFrom first: CalendarDate? = nil) {
        // The plan moves within the dates the desk keeps, as the dashboard does.
        guard CalendarDate.supportedRange.contains(night), first.map(CalendarDate.supportedRange.contains) ?? true else {
            (state.roomPlan.message, state.roomPlan.messageIsError) = ("The room plan shows nights from \(CalendarDate.supportedRangeDescription)", true)
            return
        }
        if let mark = state.roomPlan.mark, night < mark { state.roomPlan.mark = nil }
        if let first { state.roomPlan.first = first }
        state.roomPlan.cursorNight = night
        refreshRoomPlan()
    }

    /// The nights the cursor covers: the marked stretch, or the cursor's night.
    var plannedNights: (first: CalendarDate, last: CalendarDate)? {
        guard let cursor = state.roomPlan.cursorNight else { return nil }
        if let mark = state.roomPlan.mark, mark <= cursor { return (mark, cursor) }
        return (cursor, cursor)
    }

    /// Enter: on a stay, open its booking; on free nights, the booking form for that room and
    /// those nights, the same form the search screen opens.
    private mutating func openPlanCell() {
        guard let plan = state.roomPlan.plan, plan.lines.indices.contains(state.roomPlan.cursorLine),
              let cursor = state.roomPlan.cursorNight, let (firstNight, lastNight) = plannedNights else { return }
        let line = plan.lines[state.roomPlan.cursorLine]
        func refuse(_ message: String) { (state.roomPlan.message, state.roomPlan.messageIsError) = (message, true) }
        if state.roomPlan.mark == nil, let stay = plan.stay(room: line.room.id, night: cursor) {
            state.bookings.query = stay.confirmationCode
            state.bookings.typingQuery = false
            state.bookings.selected = 0
            // Not the last search's bookings while this one is looked up: a key must not act on them.
            state.bookings.results = []
            state.screen = .bookings
            refreshBookings()
            return
        }
        // One form at a time: a booking still saving is shown until its outcome is in.
        if state.booking?.progress == .saving {
            state.screen = .booking
            return
        }
        guard line.room.isActive else { return refuse("Room \(line.room.number) is out of service") }
        // The night still under way may be sold to a walk-in after midnight, as the search sells
        // it; an earlier night is refused with the one still on sale named, as the search's
        // refusal names it.
        guard isOnSale(firstNight) else {
            let stillOnSale = state.info.nightUnderWay.map { "; " + ChangeWording.nightStillOnSale($0) } ?? ""
            return refuse("Nights before the business date (\(state.info.businessDate)) cannot be booked\(stillOnSale)")
        }
        let checkOut = lastNight.adding(days: 1)
        do {
            let answer = try services.search(firstNight.iso, checkOut.iso, "1")
            guard let offer = answer.offers.first(where: { $0.room.id == line.room.id }) else {
                // The room of a guest who overstayed is withheld by the search (the plan's own stay
                // is read at its load; this answer is now).
                if let withheld = answer.withheld.first(where: { $0.roomNumber == line.room.number }) {
                    return refuse(withheld.explanation)
                }
                // A guest checked in to the room now (moved in after midnight, or come after
                // midnight on a stay from today) holds no claim on the night under way, but has
                // the bed: the search leaves the room out, and the plan knows who it is.
                if let guest = guestInHouseUnheld(plan, room: line.room.id, night: firstNight) {
                    return refuse(Room.guestInHouse(line.room.number, guest: guest.guestName, booking: guest.confirmationCode,
                                                    night: firstNight))
                }
                return refuse("Room \(line.room.number) is not free from \(firstNight) to \(checkOut)")
            }
            var form = BookingFormState(offer: offer, stay: answer.query.stay, guests: 1).keepingGuest(of: state.booking)
            form.returnsTo = .roomPlan
            state.booking = form
            state.roomPlan.mark = nil
            state.screen = .booking
        } catch {
            refuse(Self.describe(error))
        }
    }

    /// Whether `night` may still be sold: from the business date on, and until 06:00 the night
    /// under way too (`DeskInfo.nightUnderWay`).
    func isOnSale(_ night: CalendarDate) -> Bool {
        night >= state.info.businessDate || night == state.info.nightUnderWay
    }

    /// The guest checked in to `room` now, on the night under way where no stay on the plan holds
    /// that room: the room is not sold for that night (the store's `requireNobodyInRoom`; the
    /// search leaves it out), though no claim shows it (a guest moved in after midnight, whose
    /// night under way stayed in the room they left, or one who came after midnight on a stay
    /// from today). Nil by day, on every other night, and where a stay holds the night.
    func guestInHouseUnheld(_ plan: RoomPlan, room: UUID, night: CalendarDate) -> RoomPlan.GuestInHouse? {
        guard night == state.info.nightUnderWay, plan.stay(room: room, night: night) == nil else { return nil }
        return plan.guestsInHouse[room]
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? FrontDeskError else { return "\(error)" }
        return error.details.isEmpty ? error.message : error.details.joined(separator: "; ")
    }
}

// MARK: Drawing

extension DeskModel {
    /// A row of the plan as drawn: a room type's heading or one of its rooms.
    enum PlanRow: Equatable {
        case type(RoomType, rooms: Int)
        case room(Int)
    }

    static func planRows(_ plan: RoomPlan) -> [PlanRow] {
        var rows: [PlanRow] = []
        var index = 0
        while index < plan.lines.count {
            let type = plan.lines[index].roomType
            let count = plan.lines[index...].prefix { $0.roomType.id == type.id }.count
            rows.append(.type(type, rooms: count))
            rows += (index..<(index + count)).map(PlanRow.room)
            index += count
        }
        return rows
    }

    static func role(for status: BookingStatus) -> Role {
        switch status {
        case .reserving, .processingPayment: .planHeld
        case .confirmed: .planConfirmed
        case .checkedIn: .planCheckedIn
        case .noShow: .planNoShow
        default: .planCheckedOut
        }
    }

    func drawRoomPlan(into buffer: inout CellBuffer) {
        let planState = state.roomPlan
        buffer.put(" Room plan", x: 0, y: 1, role: .title)
        guard let plan = planState.plan else {
            drawMessage(planState.shownMessage, isError: planState.messageIsError, confirmation: planState.moveQuestion, into: &buffer)
            return
        }
        let labelWidth = RoomPlanLayout.labelWidth
        let nightWidth = RoomPlanLayout.nightWidth(for: buffer.width)
        let nights = min(plan.nights, RoomPlanLayout.visibleNights(for: buffer.width))
        let first = plan.first
        let end = first.adding(days: nights)
        let active = plan.lines.filter(\.room.isActive).count
        var x = 11
        x += buffer.put("\(first) to \(end.adding(days: -1)) · \(nights) nights · \(active) of \(plan.lines.count) rooms in service\(loadingNote(.roomPlan))  ",
                        x: x, y: 1, role: .hint)
        for (label, role) in [("held", Role.planHeld), ("confirmed", .planConfirmed), ("checked in", .planCheckedIn),
                              ("checked out", .planCheckedOut), ("out of service", .planOutOfService), ("no-show", .planNoShow),
                              ("!overstay", .error)] {
            guard x + TerminalWidth.of(label) + 1 < buffer.width else { break }
            x += buffer.put(" \(label) ", x: x, y: 1, role: role) + 1
        }

        // Headings: weekday (or the month on its first day) over the day of the month.
        buffer.put(" \(first.monthAbbreviation) \(first.components.year)", x: 0, y: 2, role: .hint)
        buffer.fill(y: 3, role: .header)
        buffer.put(" Room", x: 0, y: 3, role: .header)
        for offset in 0..<nights {
            let night = first.adding(days: offset)
            let columnX = labelWidth + offset * nightWidth
            let isToday = night == state.info.businessDate
            // The month's name ends over its 1st's digit, as a weekday ends over its day's; not on
            // the first column, whose month the line's start names already (the two overlapped).
            let isFirst = night.components.day == 1 && offset > 0
            let top = isFirst ? night.monthAbbreviation : night.weekdayAbbreviation
            buffer.put(top, x: columnX + 2 - TerminalWidth.of(top), y: 2,
                       role: isFirst ? .accent : isToday ? .accent : night.isWeekend ? .title : .hint)
            buffer.put(String(format: "%2d", night.components.day), x: columnX, y: 3, role: isToday ? .accent : .header)
        }

        let rows = Self.planRows(plan)
        let bodyRows = RoomPlanLayout.bodyRows(for: buffer.height)
        let cursorRow = rows.firstIndex(of: .room(planState.cursorLine)) ?? 0
        let firstRow = min(max(0, cursorRow - bodyRows + 1), max(0, rows.count - bodyRows))
        let marked = plannedNights
        for (offset, row) in rows.dropFirst(firstRow).prefix(bodyRows).enumerated() {
            let y = RoomPlanLayout.top + offset
            switch row {
            case .type(let type, let count):
                buffer.put(" \(type.name) · \(count) room\(count == 1 ? "" : "s") · sleeps \(type.capacity)", x: 0, y: y, role: .title,
                           maxWidth: buffer.width - 1)
            case .room(let index):
                let line = plan.lines[index]
                let isCursorLine = index == planState.cursorLine
                buffer.cell(" \(line.room.number)\(line.room.isActive ? "" : " ×")", x: 0, y: y, width: labelWidth - 1,
                            role: isCursorLine ? .selected : line.room.isActive ? .normal : .planOutOfService)
                for night in 0..<nights {
                    let columnX = labelWidth + night * nightWidth
                    if line.room.isActive {
                        buffer.put("·", x: columnX, y: y, role: .hint)
                    } else {
                        buffer.put(String(repeating: "░", count: nightWidth), x: columnX, y: y, role: .planOutOfService)
                    }
                }
                let stays = plan.staysByRoom[line.room.id] ?? []
                // Overstayed nights last: where a guest booked before the overstay began is due
                // in tonight, the plan shows who is really in the room.
                for overstayedNights in [false, true] {
                    for stay in stays where !overstayedNights || stay.overstayedSince != nil {
                        let from = max(stay.stay.checkIn, first), to = min(stay.stay.checkOut, end)
                        guard from < to else { continue }
                        let selected = isCursorLine && planState.mark == nil && stay.stay.contains(night: planState.cursorNight ?? first)
                        if overstayedNights {
                            drawOverstay(stay, from: from, to: to, first: first, end: end, y: y, selected: selected, into: &buffer)
                            // A stay booked into the room before the overstay began, drawn over
                            // at its start: the rest of its bar begins again with its guest's name.
                            for other in stays where other != stay && to < end && other.stay.checkIn < to && other.stay.checkOut > to {
                                let otherSelected = isCursorLine && planState.mark == nil
                                    && other.stay.contains(night: planState.cursorNight ?? first)
                                drawBar(other, from: to, to: min(other.stay.checkOut, end), first: first, end: end, y: y,
                                        selected: otherSelected, into: &buffer)
                            }
                        } else {
                            drawBar(stay, from: from, to: to, first: first, end: end, y: y, selected: selected, into: &buffer)
                        }
                    }
                }
                // Before 06:00, a room with a guest in now and no stay on the night under way: the
                // guest's name on that night, as the room is not for sale (the search leaves it out).
                if let night = state.info.nightUnderWay, first <= night, night < end,
                   let guest = guestInHouseUnheld(plan, room: line.room.id, night: night) {
                    let selected = isCursorLine && planState.mark == nil && planState.cursorNight == night
                    buffer.cell(guest.guestName, x: labelWidth + first.days(until: night) * nightWidth, y: y, width: nightWidth - 1,
                                role: selected ? .selected : .planCheckedIn)
                }
                if isCursorLine, let (markFirst, markLast) = marked,
                   planState.mark != nil || (plan.stay(room: line.room.id, night: markLast) == nil
                                             && guestInHouseUnheld(plan, room: line.room.id, night: markLast) == nil) {
                    let from = max(markFirst, first), to = min(markLast.adding(days: 1), end)
                    if from < to {
                        let columnX = labelWidth + first.days(until: from) * nightWidth
                        buffer.cell("", x: columnX, y: y, width: from.days(until: to) * nightWidth - 1, role: .selected)
                    }
                }
            }
        }

        if let typed = planState.prompt {
            let y = buffer.height - 2
            buffer.fill(y: y, role: .accent)
            buffer.put(" Go to date (YYYY-MM-DD): \(typed)▏  Enter jumps, Esc cancels", x: 0, y: y, role: .accent, maxWidth: buffer.width - 1)
        } else if planState.shownMessage != nil || planState.moveQuestion != nil {
            drawMessage(planState.shownMessage, isError: planState.messageIsError, confirmation: planState.moveQuestion, into: &buffer)
        } else {
            buffer.put(" " + cursorDescription(plan), x: 0, y: buffer.height - 2, role: .hint, maxWidth: buffer.width - 1)
        }
    }

    private func drawBar(_ stay: RoomPlan.Stay, from: CalendarDate, to: CalendarDate, first: CalendarDate, end: CalendarDate,
                         y: Int, selected: Bool, into buffer: inout CellBuffer) {
        let nightWidth = RoomPlanLayout.nightWidth(for: buffer.width)
        let x = RoomPlanLayout.labelWidth + first.days(until: from) * nightWidth
        let continues = stay.stay.checkOut > end
        // A gap after the last night keeps back-to-back stays apart.
        let width = from.days(until: to) * nightWidth - (continues ? 0 : 1)
        let role = selected ? Role.selected : Self.role(for: stay.status)
        let began = stay.stay.checkIn < first ? "◂" : ""
        buffer.cell(began + stay.guestName, x: x, y: y, width: width, role: role)
        if continues, width > 1 {
            buffer.put("▸", x: x + width - 1, y: y, role: role)
        }
    }

    /// The nights a guest stays on past their check-out date, over their bar: a warning, in words
    /// too (a monochrome terminal shows no colour), since nobody sold those nights.
    private func drawOverstay(_ stay: RoomPlan.Stay, from: CalendarDate, to: CalendarDate, first: CalendarDate, end: CalendarDate,
                              y: Int, selected: Bool, into buffer: inout CellBuffer) {
        guard let since = stay.overstayedSince, since < to else { return }
        let nightWidth = RoomPlanLayout.nightWidth(for: buffer.width)
        let overFrom = max(since, from)
        let x = RoomPlanLayout.labelWidth + first.days(until: overFrom) * nightWidth
        let width = overFrom.days(until: to) * nightWidth - (stay.stay.checkOut > end ? 0 : 1)
        // Alone on the screen (the booked nights before it, or scrolled off), it names the guest.
        let words = overFrom == from ? (stay.stay.checkIn < first ? "◂" : "") + "!" + stay.guestName : "!overstay"
        if width > 0 { buffer.cell(words, x: x, y: y, width: width, role: selected ? .selected : .error) }
    }

    /// The line under the plan: what the cursor is on and what Enter will do.
    func cursorDescription(_ plan: RoomPlan) -> String {
        guard plan.lines.indices.contains(state.roomPlan.cursorLine), let (firstNight, lastNight) = plannedNights else {
            return "No rooms yet: add them on the rooms screen (F5)"
        }
        let line = plan.lines[state.roomPlan.cursorLine]
        let room = "Room \(line.room.number) \(line.roomType.name)"
        if state.roomPlan.mark == nil, let stay = plan.stay(room: line.room.id, night: firstNight) {
            // On a connected desk, as in the lists: `~` not yet on the server, `!` refused by it.
            let mark = stay.bookingId.flatMap { state.sync?.marker(for: $0) } ?? ""
            let syncWords = mark == "~" ? " (not on the server yet)" : mark == "!" ? " (conflict: F8)" : ""
            if let since = stay.overstayedSince {
                // The warning first: at 80 columns the line's end is cut.
                return "\(room) · \(stay.confirmationCode)\(mark) overstayed: still in the room, due out \(since)\(syncWords) · \(stay.guestName) · "
                    + "from \(stay.stay.checkIn) · Enter opens it (check out or lengthen the stay)"
            }
            return "\(room) · \(stay.confirmationCode)\(mark) \(stay.status.rawValue)\(syncWords) · \(stay.guestName) · \(stay.stay.checkIn) to \(stay.stay.checkOut) · Enter opens it"
        }
        if !line.room.isActive { return "\(room) · out of service" }
        let nights = firstNight.days(until: lastNight) + 1
        let when = nights == 1 ? "\(firstNight.weekdayAbbreviation) \(firstNight)" : "\(firstNight) to \(lastNight.adding(days: 1)), \(nights) nights"
        // A night before the first one on sale is not sold (it said "free · Enter books", and
        // Enter was then refused).
        if !isOnSale(firstNight) {
            let free = (0..<nights).allSatisfy { plan.stay(room: line.room.id, night: firstNight.adding(days: $0)) == nil }
            return "\(room) · \(when) · \(free ? "free · " : "")past: not for sale"
        }
        // A marked stretch over a night another stay holds is not free (it said "free · Enter
        // books", and Enter was then refused).
        for offset in 0..<nights {
            let night = firstNight.adding(days: offset)
            if let taken = plan.stay(room: line.room.id, night: night) {
                if taken.overstayedSince != nil {
                    return "\(room) · not free: \(taken.guestName) (\(taken.confirmationCode)) overstayed and is still in the room on \(night) · \(when)"
                }
                return "\(room) · \(when) · not free: the night of \(night) is \(taken.guestName)'s (\(taken.confirmationCode))"
            }
            if let guest = guestInHouseUnheld(plan, room: line.room.id, night: night) {
                // The code first: at 80 columns the line's end is cut.
                return "\(room) · \(when) · not free: guest in house (\(guest.confirmationCode) \(guest.guestName))"
            }
        }
        return "\(room) · \(when) · free · Enter books\(state.roomPlan.mark == nil ? ", Alt-m marks a longer stay" : "")"
    }
}
