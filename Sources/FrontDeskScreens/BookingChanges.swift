import Foundation
import FrontDeskDomain

/// A change to a booking asked at the desk, with the version the receptionist saw: a booking
/// changed meanwhile by another desk is refused (`conflict`), not overwritten.
public enum DeskChange: Hashable, Sendable {
    case edit(BookingEdit, expectedVersion: Int?)
    case move(room: String, expectedVersion: Int?)
    case noShow(expectedVersion: Int?)
    case undoCheckIn(expectedVersion: Int?)
    case undoCheckOut(expectedVersion: Int?)
    case undoNoShow(expectedVersion: Int?)

    /// What the message line says once it is done; a paid booking whose total changed says what
    /// to collect or repay at the desk.
    func done(_ booking: Booking, before: Booking, businessDate: CalendarDate) -> String {
        let settlement = ChangeWording.settlement(before, booking).map { "; \($0)" } ?? ""
        return switch self {
        case .edit: "Booking \(booking.confirmationCode) of \(booking.guest.name) saved\(settlement)"
        case .move: "\(booking.guest.name) moved to room \(booking.roomNumber) (booking \(booking.confirmationCode))\(settlement)"
        case .noShow: "\(booking.guest.name) marked a no-show (booking \(booking.confirmationCode))"
            + (NoShowPolicy.Fee(noShow: booking).map { "; " + ChangeWording.noShowMoney(booking, fee: $0) } ?? "")
        case .undoCheckIn: "Check-in of \(booking.guest.name) undone (booking \(booking.confirmationCode))"
        case .undoCheckOut: "Check-out of \(booking.guest.name) undone (booking \(booking.confirmationCode))"
        case .undoNoShow: "No-show of \(booking.guest.name) undone (booking \(booking.confirmationCode)): Confirmed again, check the guest in"
            // A stay from today on has no night before the first still to come; of one begun
            // earlier the desk does not know which nights the no-show gave back (the store does).
            + (ChangeWording.noShowUndoneMoney(before, pastNightsGivenBack: before.stay.checkIn >= businessDate ? [] : nil)
                .map { "; " + $0 } ?? "")
        }
    }
}

/// The room number typed after Alt-m on a list.
public struct MovePrompt: Hashable, Sendable {
    public let booking: Booking
    public var text = ""
}

/// The fields of the edit form, in order.
public enum EditField: Int, CaseIterable, Hashable, Sendable {
    case guestName, email, phone, guests, checkIn, checkOut, note

    var label: String {
        switch self {
        case .guestName: "Guest name"
        case .email: "E-mail"
        case .phone: "Phone"
        case .guests: "Guests"
        case .checkIn: "Check-in"
        case .checkOut: "Check-out"
        case .note: "Add a note"
        }
    }

    /// A whole value (a count, a date) that the receptionist retypes rather than corrects: the
    /// first character typed into it replaces it, as in the search and booking forms (issue 10).
    /// Names, addresses and the phone keep what is there, to be corrected from its end.
    var isReplacedWhenTyped: Bool {
        switch self {
        case .guests, .checkIn, .checkOut: true
        case .guestName, .email, .phone, .note: false
        }
    }

    var limit: Int {
        switch self {
        case .guestName: BookingRules.maximumNameLength
        case .email: BookingRules.maximumEmailLength
        case .phone: BookingRules.maximumPhoneLength
        case .guests: 2
        case .checkIn, .checkOut: 10
        case .note: BookingNote.maximumLength
        }
    }

    /// The field a validation problem is about, so it is drawn next to that field.
    static func owning(_ problem: String) -> EditField? {
        if problem.hasPrefix("Guest name") { return .guestName }
        if problem.hasPrefix("Email") || problem.hasPrefix("Valid email") { return .email }
        if problem.hasPrefix("Phone") { return .phone }
        if problem.hasPrefix("Guest count") || problem.contains("sleeps at most") { return .guests }
        if problem.hasPrefix("Check-in") || problem.contains("arrived on") { return .checkIn }
        if problem.hasPrefix("Check-out") || problem.hasPrefix("A stay of") { return .checkOut }
        if problem.hasPrefix("Note") { return .note }
        return nil
    }
}

/// Alt-e: the booking in a form like the booking form, every field filled in.
public struct EditFormState: Sendable {
    public let booking: Booking
    public var values: [EditField: String]
    public var focus = EditField.guestName {
        didSet { if focus != oldValue { replaceOnType = focus.isReplacedWhenTyped } }
    }
    /// The focused field still shows its pre-filled value untouched: the next character typed
    /// replaces it; Backspace keeps it and edits from its end.
    public var replaceOnType = false
    /// Every problem of the last Enter, each drawn next to its field.
    public var problems: [String] = []

    public init(booking: Booking) {
        self.booking = booking
        values = [.guestName: booking.guest.name, .email: booking.guest.email, .phone: booking.guest.phone ?? "",
                  .guests: String(booking.guestCount), .checkIn: booking.stay.checkIn.iso, .checkOut: booking.stay.checkOut.iso,
                  .note: ""]
    }

    /// Only what differs from the booking.
    public var edit: BookingEdit {
        func changed(_ field: EditField, _ old: String) -> String? {
            let value = values[field] ?? ""
            return value.trimmingCharacters(in: .whitespaces) == old ? nil : value
        }
        let note = (values[.note] ?? "").trimmingCharacters(in: .whitespaces)
        return BookingEdit(guestName: changed(.guestName, booking.guest.name), email: changed(.email, booking.guest.email),
                           phone: changed(.phone, booking.guest.phone ?? ""), guests: changed(.guests, String(booking.guestCount)),
                           note: note.isEmpty ? nil : note, checkIn: changed(.checkIn, booking.stay.checkIn.iso),
                           checkOut: changed(.checkOut, booking.stay.checkOut.iso))
    }

    /// Every problem of `field`, as the booking form shows them: only the first was drawn, and a
    /// second came to light once the first was fixed. Nil when it has none.
    func problem(for field: EditField) -> String? {
        let own = problems.filter { EditField.owning($0) == field }
        return own.isEmpty ? nil : own.joined(separator: "; ")
    }

    /// The changes typed here, on `fresh` (the booking as another desk left it meanwhile): each
    /// field typed keeps what was typed, the others show the booking as it is now. The form was
    /// thrown away, and the receptionist typed it all again.
    public func retyped(on fresh: Booking) -> EditFormState {
        var form = EditFormState(booking: fresh)
        let typed = edit
        let fields: [(EditField, String?)] = [(.guestName, typed.guestName), (.email, typed.email), (.phone, typed.phone),
                                              (.guests, typed.guests), (.checkIn, typed.checkIn), (.checkOut, typed.checkOut),
                                              (.note, typed.note)]
        for case let (field, value?) in fields { form.values[field] = value }
        form.focus = focus
        form.replaceOnType = false
        return form
    }
}

extension DeskModel {
    /// Keys while a list has its move prompt or edit form open; false when neither is open.
    mutating func handleChangeInput(_ key: Key, at actions: WritableKeyPath<DeskState, ListActions>, list: LoadKey) -> Bool {
        if var prompt = state[keyPath: actions].movePrompt {
            var text: String? = prompt.text
            let typed = LinePrompt.edit(&text, with: key, limit: Room.maximumNumberLength)
            if let typed {
                state[keyPath: actions].movePrompt = nil
                let room = typed.trimmingCharacters(in: .whitespaces)
                let booking = prompt.booking
                if room.isEmpty {
                    (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = ("Nothing changed", false)
                } else if let refusal = moveRefusal(booking) {
                    (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = (refusal, true)
                } else {
                    state[keyPath: actions].confirmation = PendingConfirmation(
                        bookingId: booking.id, command: .moveBooking,
                        lines: ["Move \(booking.guest.name), booking \(booking.confirmationCode), to room \(room)?",
                                Self.moveConsequence(booking, to: room, businessDate: state.info.businessDate)],
                        yesLabel: "Yes, move", change: .move(room: room, expectedVersion: booking.version))
                }
            } else if let text {
                prompt.text = text
                state[keyPath: actions].movePrompt = prompt
            } else {
                state[keyPath: actions].movePrompt = nil
                (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = ("Nothing changed", false)
            }
            return true
        }
        guard var form = state[keyPath: actions].editing else { return false }
        if case .character(let character) = key {
            let value = form.replaceOnType ? "" : form.values[form.focus] ?? ""
            form.replaceOnType = false
            if value.unicodeScalars.count < form.focus.limit { form.values[form.focus] = value + String(character) }
            state[keyPath: actions].editing = form
            return true
        }
        if key == .backspace {
            form.replaceOnType = false
            form.values[form.focus] = String((form.values[form.focus] ?? "").dropLast())
            state[keyPath: actions].editing = form
            return true
        }
        switch CommandTable.command(for: key, in: .edit) {
        case .nextField:
            form.focus = EditField(rawValue: (form.focus.rawValue + 1) % EditField.allCases.count)!
        case .previousField:
            form.focus = EditField(rawValue: (form.focus.rawValue + EditField.allCases.count - 1) % EditField.allCases.count)!
        case .back:
            state[keyPath: actions].editing = nil
            (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = ("Nothing changed", false)
            return true
        case .saveEdit:
            let edit = form.edit
            if edit.isEmpty {
                state[keyPath: actions].editing = nil
                (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = ("Nothing changed", false)
                return true
            }
            // The domain's own rules, at once: every problem next to its field, what the booking's
            // room sleeps among them (checked here against the most guests a room may sleep, a
            // phone number and three guests in a double came back one round at a time: the phone
            // here, then the room's size from the store). Whether the nights are free is the
            // store's to check when it saves; it checks everything again.
            let roomType = try? services.roomType(form.booking.roomId)
            do {
                _ = try BookingRules.validate(edit, of: form.booking, roomTypeName: roomType?.name ?? "room",
                                              capacity: roomType?.capacity ?? BookingRules.guestRange.upperBound,
                                              businessDate: state.info.businessDate, nightUnderWay: state.info.nightUnderWay)
            } catch {
                form.problems = error.details.isEmpty ? [error.message] : error.details
                state[keyPath: actions].editing = form
                return true
            }
            state[keyPath: actions].editing = nil
            save(form, list: list)
            return true
        default:
            return true
        }
        state[keyPath: actions].editing = form
        return true
    }

    /// Saves the edit form off the UI thread; a refusal brings the form back as typed, each problem
    /// beside its field (the room's capacity, a taken night, a booking changed meanwhile).
    mutating func save(_ form: EditFormState, list: LoadKey) {
        writesAsked += 1
        let number = writesAsked
        let services = services
        let change = DeskChange.edit(form.edit, expectedVersion: form.booking.version)
        let today = state.info.businessDate
        load(.write(number)) {
            do {
                let changed = try services.change(form.booking.id, change)
                return .edited(number: number, list: list, message: change.done(changed, before: form.booking, businessDate: today),
                               isError: false, form: nil)
            } catch {
                // Bad details or a taken night: the form again, as typed. A booking changed
                // meanwhile (or gone) is looked at again first: the form would save over it.
                switch error as? FrontDeskError {
                case .validationFailed(let problems)?:
                    var refused = form
                    refused.problems = problems
                    return .edited(number: number, list: list, message: Self.describe(error), isError: true, form: refused)
                case .roomUnavailable(let message)?:
                    var refused = form
                    refused.problems = [message]
                    return .edited(number: number, list: list, message: message, isError: true, form: refused)
                case _ where (error as? any DefiniteWriteFailure)?.changedSinceBase == true:
                    // Changed elsewhere meanwhile (here, or on the server for a connected desk):
                    // the typed changes again, on the booking as it is now, to be looked at and
                    // saved with a second Enter.
                    // (A connected desk may not have the server's change yet: the form comes back
                    // all the same, so nothing typed is lost while it arrives.)
                    guard let fresh = try? services.booking(form.booking.id) else {
                        return .edited(number: number, list: list, message: Self.describe(error), isError: true, form: nil)
                    }
                    var again = form.retyped(on: fresh)
                    let words = "Booking \(fresh.confirmationCode) was changed elsewhere meanwhile: your changes are kept "
                        + "on the booking as it is now; look and press Enter again"
                    again.problems = [words]
                    return .edited(number: number, list: list, message: words, isError: true, form: again)
                default:
                    return .edited(number: number, list: list, message: Self.describe(error), isError: true, form: nil)
                }
            }
        }
    }

    /// Alt-e, Alt-m, Alt-n, Alt-u on a list's chosen booking: the form, the room prompt, or the
    /// question (naming guest and booking) before a no-show or an undo.
    mutating func startChange(_ command: CommandID, on booking: Booking, at actions: WritableKeyPath<DeskState, ListActions>) {
        func refuse(_ message: String) { (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = (message, true) }
        let stay = "Room \(booking.roomNumber), \(booking.stay.checkIn) to \(booking.stay.checkOut)"
        switch command {
        case .editBooking:
            state[keyPath: actions].editing = EditFormState(booking: booking)
        case .moveBooking:
            guard booking.status == .confirmed || booking.status == .checkedIn else {
                return refuse("Booking \(booking.confirmationCode) is \(booking.status.rawValue): only Confirmed and checked-in bookings move")
            }
            state[keyPath: actions].movePrompt = MovePrompt(booking: booking)
        case .noShow:
            guard booking.status == .confirmed else {
                return refuse("Booking \(booking.confirmationCode) is \(booking.status.rawValue): only a Confirmed arrival can be a no-show")
            }
            // Said at once rather than after a yes (the store would refuse it in the same words).
            guard booking.stay.checkIn <= state.info.businessDate else {
                return refuse("Booking \(booking.confirmationCode) arrives on \(booking.stay.checkIn); it cannot be a no-show before then")
            }
            state[keyPath: actions].confirmation = PendingConfirmation(
                bookingId: booking.id, command: .noShow,
                lines: ["Mark \(booking.guest.name), booking \(booking.confirmationCode), a no-show?", stay]
                    + Self.noShowConsequence(booking, fee: state.info.noShowFee),
                yesLabel: "Yes, no-show", change: .noShow(expectedVersion: booking.version))
        case .undoChange:
            switch booking.status {
            case .checkedIn:
                state[keyPath: actions].confirmation = PendingConfirmation(
                    bookingId: booking.id, command: .undoChange,
                    lines: ["Undo the check-in of \(booking.guest.name), booking \(booking.confirmationCode)?", stay,
                            "The booking is Confirmed again and keeps the room."],
                    yesLabel: "Yes, undo the check-in", change: .undoCheckIn(expectedVersion: booking.version))
            case .checkedOut:
                state[keyPath: actions].confirmation = PendingConfirmation(
                    bookingId: booking.id, command: .undoChange,
                    lines: ["Undo the check-out of \(booking.guest.name), booking \(booking.confirmationCode)?", stay,
                            "The guest is checked in again; nights given back are taken again."],
                    yesLabel: "Yes, undo the check-out", change: .undoCheckOut(expectedVersion: booking.version))
            case .noShow:
                state[keyPath: actions].confirmation = PendingConfirmation(
                    bookingId: booking.id, command: .undoChange,
                    lines: ["Undo the no-show of \(booking.guest.name), booking \(booking.confirmationCode)?", stay,
                            "The booking is Confirmed again, to be checked in; nights given back are taken again."],
                    yesLabel: "Yes, undo the no-show", change: .undoNoShow(expectedVersion: booking.version))
            default:
                refuse("Booking \(booking.confirmationCode) is \(booking.status.rawValue): only today's check-in or check-out, or a no-show, can be undone")
            }
        default: break
        }
    }

    /// What a no-show will do, before the yes: with the hotel's fee known, what stays charged and
    /// what is owed back (a clerk had to guess it from general words, a review, session 57).
    /// Not "the room is freed": under the usual fee the first night stays sold and charged.
    static func noShowConsequence(_ booking: Booking, fee: NoShowPolicy.Fee?) -> [String] {
        guard let fee else {
            return ["The hotel's no-show fee applies (the first night stays charged, unless the hotel charges none); "
                + "the other nights are freed."]
        }
        let others = booking.stay.nightCount > 1 ? "; the other nights are freed." : "."
        let charged = fee == .firstNight
            ? "The first night (\(booking.nightlyPrices.first?.price.plain ?? "0.00")) stays charged" + others
            : "Nothing is charged (the hotel's no-show fee is none); " + (booking.stay.nightCount > 1 ? "every night is freed." : "the night is freed.")
        let owed = ChangeWording.noShowMoney(booking, fee: fee)
        return [charged, owed.prefix(1).uppercased() + owed.dropFirst() + "."]
    }

    /// Why `booking` has no nights to move (a guest who overstayed, an arrival who never came), in
    /// the store's words and by its rule (`Booking.nightsToMove`): said before the question, not
    /// after its yes (a review: "Move … From tonight" was asked, then refused). Nil when it moves.
    func moveRefusal(_ booking: Booking) -> String? {
        do {
            _ = try booking.nightsToMove(businessDate: state.info.businessDate, nightUnderWay: state.info.nightUnderWay)
            return nil
        } catch {
            return Self.describe(error)
        }
    }

    static func moveConsequence(_ booking: Booking, to room: String, businessDate: CalendarDate) -> String {
        if booking.status == .checkedIn, businessDate > booking.stay.checkIn {
            return "From tonight (\(businessDate)); the nights slept stay in room \(booking.roomNumber). The price stays."
        }
        return "From room \(booking.roomNumber), \(booking.stay.checkIn) to \(booking.stay.checkOut). The price stays."
    }

    /// Runs a change through the store's intent; the outcome in a line, never a crash.
    static func act(_ change: DeskChange, on booking: Booking, services: DeskServices, businessDate: CalendarDate) -> (String, Bool) {
        do {
            let changed = try services.change(booking.id, change)
            return (change.done(changed, before: booking, businessDate: businessDate), false)
        } catch let error as FrontDeskError {
            return (describe(error), true)
        } catch {
            return ("\(error)", true)
        }
    }

    // MARK: The room plan: Alt-m on a stay, ↑/↓ to another room, Enter

    /// Alt-m on a stay marks it to move; false when the cursor is on no stay (Alt-m marks nights).
    mutating func markStayToMove() -> Bool {
        guard let plan = state.roomPlan.plan, plan.lines.indices.contains(state.roomPlan.cursorLine),
              let cursor = state.roomPlan.cursorNight, state.roomPlan.mark == nil,
              let stay = plan.stay(room: plan.lines[state.roomPlan.cursorLine].room.id, night: cursor) else { return false }
        guard stay.status == .confirmed || stay.status == .checkedIn else {
            (state.roomPlan.message, state.roomPlan.messageIsError) = (
                "Booking \(stay.confirmationCode) is \(stay.status.rawValue): only Confirmed and checked-in bookings move", true)
            return true
        }
        do {
            state.roomPlan.movingVersion = try services.bookingByReference(stay.confirmationCode).version
        } catch {
            (state.roomPlan.message, state.roomPlan.messageIsError) = (Self.describe(error), true)
            return true
        }
        state.roomPlan.moving = stay
        return true
    }

    /// Enter while a stay is marked: the question before moving it to the cursor's room.
    mutating func askToMoveMarkedStay() {
        guard let stay = state.roomPlan.moving, let plan = state.roomPlan.plan,
              plan.lines.indices.contains(state.roomPlan.cursorLine) else { return }
        let room = plan.lines[state.roomPlan.cursorLine].room
        guard room.id != stay.roomId else {
            (state.roomPlan.message, state.roomPlan.messageIsError) = ("Go to another room first (↑/↓), then Enter", true)
            return
        }
        // The question is asked of the booking as it is now: changed elsewhere since it was
        // marked (moved, made shorter), it is marked again rather than moved from what it was.
        let booking: Booking
        do {
            booking = try services.bookingByReference(stay.confirmationCode)
        } catch {
            (state.roomPlan.message, state.roomPlan.messageIsError) = (Self.describe(error), true)
            return
        }
        guard booking.version == state.roomPlan.movingVersion else {
            state.roomPlan.moving = nil
            (state.roomPlan.message, state.roomPlan.messageIsError) = (
                "Booking \(booking.confirmationCode) was changed elsewhere since it was marked (now room \(booking.roomNumber), "
                + "\(booking.stay.checkIn) to \(booking.stay.checkOut)): mark it again (Alt-m)", true)
            return
        }
        if let refusal = moveRefusal(booking) {
            state.roomPlan.moving = nil
            (state.roomPlan.message, state.roomPlan.messageIsError) = (refusal, true)
            return
        }
        state.roomPlan.moveQuestion = PendingConfirmation(
            bookingId: booking.id, command: .moveBooking,
            lines: ["Move \(booking.guest.name), booking \(booking.confirmationCode), from room \(booking.roomNumber) to room \(room.number)?",
                    booking.status == .checkedIn && state.info.businessDate > booking.stay.checkIn
                        ? "From tonight (\(state.info.businessDate)); the nights slept stay in room \(booking.roomNumber). The price stays."
                        : "\(booking.stay.checkIn) to \(booking.stay.checkOut). The price stays."],
            yesLabel: "Yes, move", change: .move(room: room.number, expectedVersion: booking.version))
    }

    /// The plan's question: ←/→ choose, Enter answers, Esc is no.
    mutating func answerPlanQuestion(_ key: Key) {
        guard var pending = state.roomPlan.moveQuestion else { return }
        switch CommandTable.command(for: key, in: .confirm) {
        case .confirmChoose:
            pending.yes = CommandTable.answer(after: key, wasYes: pending.yes)
            state.roomPlan.moveQuestion = pending
        case .confirmAnswer:
            state.roomPlan.moveQuestion = nil
            guard pending.yes, let change = pending.change, let stay = state.roomPlan.moving else {
                (state.roomPlan.message, state.roomPlan.messageIsError) = ("Nothing changed", false)
                return
            }
            state.roomPlan.moving = nil
            writesAsked += 1
            let number = writesAsked
            let services = services
            let code = stay.confirmationCode
            let today = state.info.businessDate
            load(.write(number)) {
                do {
                    let booking = try services.bookingByReference(code)
                    let (message, isError) = Self.act(change, on: booking, services: services, businessDate: today)
                    return .written(number: number, list: .roomPlan, message: message, isError: isError)
                } catch {
                    return .written(number: number, list: .roomPlan, message: Self.describe(error), isError: true)
                }
            }
        case .confirmNo:
            state.roomPlan.moveQuestion = nil
            (state.roomPlan.message, state.roomPlan.messageIsError) = ("Nothing changed", false)
        default: break
        }
    }
}
