import Foundation
import FrontDeskDomain

/// What the desk shows in its status line.
public struct DeskInfo: Hashable, Sendable {
    public var hotelName: String
    public var currency: String
    public var businessDate: CalendarDate
    /// The night still under way after midnight (`Hotel.nightUnderWay`), which a walk-in may be
    /// sold; nil by day.
    public var nightUnderWay: CalendarDate?
    public var user: String
    /// The first night a walk-in may be sold: the night under way until 06:00, else the
    /// business date. The search's untouched check-in and the room plan open on it.
    public var firstNightOnSale: CalendarDate { nightUnderWay ?? businessDate }
    /// The hotel's no-show fee, for the no-show question to name what is charged and owed back;
    /// nil: not known (the question says it in general words).
    public var noShowFee: NoShowPolicy.Fee?

    public init(hotelName: String, currency: String, businessDate: CalendarDate, user: String) {
        self.hotelName = hotelName
        self.currency = currency
        self.businessDate = businessDate
        self.user = user
    }
}

/// A search and the rooms it found.
public struct SearchAnswer: Sendable {
    public let query: AvailabilityQuery
    public let offers: [RoomOffer]
    /// Rooms left out of a stay from tonight for a guest who overstayed there: named under the list.
    public let withheld: [WithheldRoom]

    public init(query: AvailabilityQuery, offers: [RoomOffer], withheld: [WithheldRoom] = []) {
        self.query = query
        self.offers = offers
        self.withheld = withheld
    }
}

/// What the screens may ask of the desk. The terminal wires these to the store; tests too.
public struct DeskServices: Sendable {
    public var search: @Sendable (_ checkIn: String, _ checkOut: String, _ guests: String) throws -> SearchAnswer
    /// Holds the room and starts the booking's saga; returns at once (status Reserving).
    /// `requestId`: the booking's idempotency key (the same one again returns the first booking).
    public var book: @Sendable (_ form: BookingForm, _ payment: PaymentInstruction, _ requestId: UUID) throws -> Booking
    public var booking: @Sendable (_ id: UUID) throws -> Booking
    /// Bookings matching the find field (dates, a status, a code, a guest's name or e-mail).
    public var findBookings: @Sendable (_ query: BookingsQuery) throws -> BookingMatches
    /// The date's arrivals, departures and in-house guests.
    public var dayLists: @Sendable (_ date: CalendarDate) throws -> DayLists
    /// Guests still checked in whose stay ended on or before the date (due out, or overstayed).
    public var checkedInDue: @Sendable (_ date: CalendarDate) throws -> [Booking]
    public var cancel: @Sendable (_ id: UUID) throws -> Booking
    public var checkIn: @Sendable (_ id: UUID) throws -> Booking
    public var checkOut: @Sendable (_ id: UUID) throws -> Booking
    /// False when no payment service is configured: card payments cannot be taken.
    public var cardPaymentsAvailable: Bool
    /// The settings file where a payment service is set up, named when cards cannot be taken.
    public var settingsFile: String
    /// A change of issue 14 (edit, move, no-show, undo) through the store's intent.
    public var change: @Sendable (_ id: UUID, _ change: DeskChange) throws -> Booking
    /// A booking by confirmation code or id (the room plan knows stays by code).
    public var bookingByReference: @Sendable (_ reference: String) throws -> Booking
    /// What the last cancel of a booking recorded about paying the guest back, in words (the
    /// desk's refund and its amount, or a card refund under way); nil when nothing was paid.
    public var refundWords: @Sendable (_ id: UUID) -> String?
    /// The type of the room with this id (nil: none such): the edit form checks the guests against
    /// what the booking's room sleeps with every other problem of the first Enter, not in a
    /// second round after the store refused them.
    public var roomType: @Sendable (_ roomId: UUID) throws -> RoomType?
    /// Whether a night in the booking's room is still unsold (`FrontDeskStore.nightIsUnsold`): the
    /// check-in question offers to take the night under way into the stay only then.
    public var nightIsUnsold: @Sendable (_ night: CalendarDate, _ booking: Booking) -> Bool

    public init(search: @escaping @Sendable (String, String, String) throws -> SearchAnswer,
                book: @escaping @Sendable (BookingForm, PaymentInstruction, UUID) throws -> Booking,
                booking: @escaping @Sendable (UUID) throws -> Booking,
                findBookings: @escaping @Sendable (BookingsQuery) throws -> BookingMatches,
                dayLists: @escaping @Sendable (CalendarDate) throws -> DayLists,
                checkedInDue: @escaping @Sendable (CalendarDate) throws -> [Booking],
                cancel: @escaping @Sendable (UUID) throws -> Booking,
                checkIn: @escaping @Sendable (UUID) throws -> Booking,
                checkOut: @escaping @Sendable (UUID) throws -> Booking,
                cardPaymentsAvailable: Bool,
                settingsFile: String = "~/.config/frontdesk/config.toml",
                change: @escaping @Sendable (UUID, DeskChange) throws -> Booking = { _, _ in
                    throw FrontDeskError.invalidState("Changing bookings is not possible here")
                },
                bookingByReference: @escaping @Sendable (String) throws -> Booking = { reference in
                    throw FrontDeskError.notFound("No booking \(reference)")
                },
                refundWords: @escaping @Sendable (UUID) -> String? = { _ in nil },
                roomType: @escaping @Sendable (UUID) throws -> RoomType? = { _ in nil },
                nightIsUnsold: @escaping @Sendable (CalendarDate, Booking) -> Bool = { _, _ in true }) {
        self.search = search
        self.book = book
        self.booking = booking
        self.findBookings = findBookings
        self.dayLists = dayLists
        self.checkedInDue = checkedInDue
        self.cancel = cancel
        self.checkIn = checkIn
        self.checkOut = checkOut
        self.cardPaymentsAvailable = cardPaymentsAvailable
        self.settingsFile = settingsFile
        self.change = change
        self.bookingByReference = bookingByReference
        self.refundWords = refundWords
        self.roomType = roomType
        self.nightIsUnsold = nightIsUnsold
    }
}

public enum ScreenID: Hashable, Sendable {
    case search, booking, bookings, today, rooms, roomPlan, dashboard
    /// A connected desk's bookings the server refused (issue 12).
    case conflicts

    var scope: Scope {
        switch self {
        case .search: .search
        case .booking: .booking
        case .bookings: .bookings
        case .today: .today
        case .rooms: .rooms
        case .roomPlan: .roomPlan
        case .dashboard: .dashboard
        case .conflicts: .conflicts
        }
    }
}

public enum SearchField: Int, CaseIterable, Hashable, Sendable {
    case checkIn, nights, guests, results
}

/// The search screen's state; it survives moving between screens.
public struct SearchState: Sendable {
    public var checkIn: String
    public var nights = "1"
    public var guests = "1"
    public var focus = SearchField.checkIn
    /// The focused field's value is as it was when the field got focus: the next typed character
    /// replaces it (Backspace and ← → keep it and edit from its end).
    public var replaceOnType = true
    public var answer: SearchAnswer?
    public var problems: [String] = []
    public var selected = 0
    public var firstVisible = 0
    /// The chosen room, gone from the list when it was searched again for the same stay (booked
    /// elsewhere): said, since the highlight now rests on another room.
    public var taken: String?

    public init(checkIn: String) { self.checkIn = checkIn }

    static let fieldLimit = 40
}

public enum Overlay: Hashable, Sendable {
    case none, help
}

/// Asked before the desk quits with work that would be lost: what it is, one line each.
public struct QuitQuestion: Hashable, Sendable {
    public let lines: [String]
    /// The button chosen: No ("stay") until the receptionist moves to Yes.
    public var yes = false
}

public struct DeskState: Sendable {
    public var info: DeskInfo
    public var screen = ScreenID.search
    public var search: SearchState
    /// The booking being filled in (kept when the receptionist goes back to the search).
    public var booking: BookingFormState?
    public var bookings = BookingsState()
    public var today = TodayState()
    public var rooms = RoomsState()
    public var roomPlan = RoomPlanState()
    public var dashboard = DashboardState()
    public var conflicts = ConflictsState()
    /// A connected desk's sync (online, operations to send, conflicts); nil on a standalone desk.
    public var sync: DeskSyncStatus?
    /// The terminal's size, so the room plan reads just the nights that fit.
    public var viewSize = (width: 80, height: 24)
    /// Lists whose query is out (the terminal runs them in the background).
    public var loading: Set<LoadKey> = []
    /// A key (check in, check out, cancel) typed while its list was being looked up; it acts when
    /// the list is in.
    public var deferredAction: (command: CommandID, list: LoadKey)?
    public var overlay = Overlay.none
    /// "12:34", set by the terminal each minute; fixed in tests.
    public var clock = ""
    /// What the background runner is doing, in a few words.
    public var backgroundWork = "idle"
    /// Bookings whose saga is under way in this file (a card payment being taken), as the
    /// status line counts them: quitting a standalone desk stops its runner with them.
    public var bookingsInProgress = 0
    /// Something the receptionist should know since start-up (a broken theme file, say).
    public var notice: String?
    /// F10 or Ctrl-Q while something typed is not saved: quit only on a yes, or on the quit key again.
    public var quitQuestion: QuitQuestion?

    public init(info: DeskInfo) {
        self.info = info
        search = SearchState(checkIn: info.businessDate.iso)
    }
}

/// The desk's behaviour: keys in, state out. No terminal here; the adaptor feeds it keys and
/// paints `render`.
public struct DeskModel: Sendable {
    public internal(set) var state: DeskState
    let services: DeskServices
    /// The Rooms screen (F5); nil: none. A connected desk's shows the server's rooms and changes
    /// nothing (`RoomServices.changesRefusedBecause`).
    let roomServices: RoomServices?
    /// The room plan and the dashboard; nil where the desk has no manager views.
    let managerServices: ManagerServices?
    /// The Conflicts screen; nil on a standalone desk.
    let syncServices: SyncServices?
    var loadsInBackground = false
    var pendingLoads: [LoadKey: PendingLoad] = [:]
    var requestedLoads: [LoadKey: Int] = [:]
    var writesAsked = 0
    /// Inside the terminal's brackets around pasted text: its line breaks and tabs are spaces,
    /// and its other control keys nothing (a pasted "Jane⏎jane@x.com⏎" once moved on and booked).
    var pasting = false
    /// In a paste, after an Esc: the characters of "[201~" (the paste's end) come so far.
    var pasteEndSoFar: String?

    /// The paste's end sequence arriving as Esc and then characters: its characters are withheld
    /// until they spell "[201~" (the paste ends) or stop matching (they are pasted text after all).
    private mutating func endOfPasteSplit(_ key: Key) -> Outcome? {
        guard let soFar = pasteEndSoFar, case .character(let character) = key else {
            pasteEndSoFar = nil
            return nil
        }
        let longer = soFar + String(character)
        if longer == "[201~" {
            (pasting, pasteEndSoFar) = (false, nil)
            return .keepGoing
        }
        if "[201~".hasPrefix(longer) {
            pasteEndSoFar = longer
            return .keepGoing
        }
        pasteEndSoFar = nil
        var outcome = Outcome.keepGoing
        for withheld in longer { outcome = handle(.character(withheld)) }
        return outcome
    }

    public enum Outcome: Sendable { case keepGoing, quit }

    public init(info: DeskInfo, services: DeskServices, roomServices: RoomServices? = nil,
                managerServices: ManagerServices? = nil, syncServices: SyncServices? = nil) {
        state = DeskState(info: info)
        self.services = services
        self.roomServices = roomServices
        self.managerServices = managerServices
        self.syncServices = syncServices
        refreshSearch()
    }

    /// The terminal's size changed (or is first known): the room plan shows as many nights as fit.
    public mutating func setViewSize(width: Int, height: Int) {
        guard state.viewSize != (width, height) else { return }
        let nightsBefore = RoomPlanLayout.visibleNights(for: state.viewSize.width)
        state.viewSize = (width, height)
        if state.screen == .roomPlan, RoomPlanLayout.visibleNights(for: width) != nightsBefore { refreshRoomPlan() }
    }

    public mutating func setClock(_ text: String) { state.clock = text }

    /// The hotel's day turned over while the desk stayed open (a front desk runs through the
    /// night): the status line, Today's lists, the search's untouched check-in and the forms'
    /// checks follow the new date. A date the receptionist typed stays as typed.
    /// The search's untouched check-in is the first night on sale: the night under way until
    /// 06:00 (`nightUnderWay`: a walk-in after midnight takes it), then the day's. At midnight
    /// the list on screen stays on the night being sold (it moved to the next night by itself).
    public mutating func setBusinessDate(_ date: CalendarDate, nightUnderWay: CalendarDate? = nil) {
        let before = state.info.businessDate
        let onSaleBefore = state.info.firstNightOnSale
        state.info.nightUnderWay = nightUnderWay
        state.info.businessDate = date
        let onSale = state.info.firstNightOnSale
        var changed = date != before
        if onSale != onSaleBefore && state.search.checkIn == onSaleBefore.iso {
            state.search.checkIn = onSale.iso
            changed = true
        }
        // The room plan left where it opened (on the first night on sale) follows it as the
        // search does: at 06:00 the night under way is over and the plan moves to the day's.
        if onSale != onSaleBefore, state.roomPlan.cursorNight == onSaleBefore, state.roomPlan.first == onSaleBefore,
           state.roomPlan.mark == nil, state.roomPlan.moving == nil {
            state.roomPlan.cursorNight = onSale
            state.roomPlan.first = onSale
            changed = true
        }
        if changed { bookingsChanged() }
    }
    /// The hotel was renamed while the desk stayed open (by a manager on the server, or
    /// `hotel configure` in another shell): the status line follows.
    public mutating func setHotelName(_ name: String) { state.info.hotelName = name }
    public mutating func setNoShowFee(_ fee: NoShowPolicy.Fee?) { state.info.noShowFee = fee }
    public mutating func setNotice(_ text: String?) { state.notice = text }
    public mutating func setBackgroundWork(_ text: String, bookingsInProgress: Int = 0) {
        state.backgroundWork = text
        state.bookingsInProgress = bookingsInProgress
    }

    /// Availability changed somewhere (this desk's runner, another process): look again.
    public mutating func availabilityChanged() { bookingsChanged() }

    /// True while the terminal is smaller than the screens need: only quit works then.
    public var terminalTooSmall: Bool {
        state.viewSize.width < Self.minimumSize.width || state.viewSize.height < Self.minimumSize.height
    }

    public mutating func handle(_ key: Key) -> Outcome {
        var key = key
        // The control key that quits (Ctrl-Q) quits even in a paste (no pasted text holds it):
        // the way out if a paste's end never comes. F10 does not there, as pasted bytes can spell it.
        if pasting, case .control = key, CommandTable.command(for: key, in: .everywhere) == .quit { return .quit }
        if pasting, let outcome = endOfPasteSplit(key) { return outcome }
        switch key {
        case .pasteBegin, .pasteEnd:
            pasting = key == .pasteBegin
            pasteEndSoFar = nil
            return .keepGoing
        case .character: break
        case .enter where pasting, .tab where pasting: key = .character(" ")
        default:
            if pasting {
                // An Esc alone may be the start of the paste's end sequence, split by a slow
                // link so that the terminal's reader gave up on it: its "[201~" is withheld.
                // Split after the "[", the reader gives Alt-[ and the rest as characters.
                if key == .escape { pasteEndSoFar = "" }
                if key == .alt("[") { pasteEndSoFar = "[" }
                return .keepGoing
            }
        }
        // The screen under the "too small" message cannot be seen: no key may act on it.
        if terminalTooSmall {
            return CommandTable.command(for: key, in: .everywhere) == .quit ? .quit : .keepGoing
        }
        if state.overlay == .help {
            if key == .escape || key == .function(1) || key == .character("?") { state.overlay = .none }
            if CommandTable.command(for: key, in: .everywhere) == .quit { return quitOrAsk() }
            return .keepGoing
        }
        if state.quitQuestion != nil { return answerQuitQuestion(key) }
        // F10 and Ctrl-Q quit from everywhere, as the README says: a form or a one-line prompt
        // (the edit form, a room typed on the plan, a date range) took them as nothing. Neither
        // key is text, so no field loses a character to this. With typed work unsaved they ask first.
        if CommandTable.command(for: key, in: .everywhere) == .quit { return quitOrAsk() }
        // F1 shows the help from everywhere too (an edit form, a move prompt, a yes/no question
        // took it as nothing): a function key is never text. What was open stays open under it.
        if case .function = key, CommandTable.command(for: key, in: .everywhere) == .help {
            state.overlay = .help
            return .keepGoing
        }
        switch state.screen {
        case .search: return handleSearch(key)
        case .booking: return handleBooking(key)
        case .bookings: return handleBookings(key)
        case .today: return handleToday(key)
        case .rooms: return handleRooms(key)
        case .roomPlan: return handleRoomPlan(key)
        case .dashboard: return handleDashboard(key)
        case .conflicts: return handleConflicts(key)
        }
    }

    /// Ctrl-C (SIGINT): as F10, it asks first when typed work would be lost (it quit at once and
    /// the work was gone); a second Ctrl-C quits.
    public mutating func interrupted() -> Outcome { quitOrAsk() }

    /// Quits, unless something typed would be lost: then asks, on No. A second F10 or Ctrl-Q
    /// quits, as does Yes.
    private mutating func quitOrAsk() -> Outcome {
        if state.quitQuestion != nil { return .quit } // asked already (the help open over it): the key again quits
        let unsaved = unsavedWork
        guard !unsaved.isEmpty else { return .quit }
        state.quitQuestion = QuitQuestion(lines: ["Quit Front Desk?"] + unsaved.map { "! " + $0 }
                                          + ["F10, Ctrl-Q or Ctrl-C again quits too."])
        return .keepGoing
    }

    /// The quit question's keys: the question's own (←/→/Tab, Enter, Esc), the quit keys again,
    /// and F1; anything else, typed text included, does nothing while it is open.
    private mutating func answerQuitQuestion(_ key: Key) -> Outcome {
        guard var question = state.quitQuestion else { return .keepGoing }
        if CommandTable.command(for: key, in: .everywhere) == .quit { return .quit }
        if key == .function(1) {
            state.overlay = .help
            return .keepGoing
        }
        switch CommandTable.command(for: key, in: .confirm) {
        case .confirmChoose:
            question.yes = CommandTable.answer(after: key, wasYes: question.yes)
            state.quitQuestion = question
        case .confirmAnswer:
            state.quitQuestion = nil
            if question.yes { return .quit }
        case .confirmNo:
            state.quitQuestion = nil
        default:
            break
        }
        return .keepGoing
    }

    /// What quitting now would lose, one line each: a booking typed and not made (the form open,
    /// or kept behind the search), an edit or a room form with something typed. Empty when
    /// nothing would be lost.
    var unsavedWork: [String] {
        var lines: [String] = []
        if let form = state.booking {
            let typed = [form.guestName, form.email, form.phone, form.card].contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            let room = "room \(form.offer.room.number), \(form.stay.checkIn) to \(form.stay.checkOut)"
            let guest = form.guestName.trimmingCharacters(in: .whitespaces)
            let who = guest.isEmpty ? "" : " for \(guest)"
            // (A booking or change still saving is not asked about: quitting waits for it and says
            // on the terminal whether it landed.)
            if typed, form.progress == nil || form.progress?.isFailure == true {
                lines.append("The booking\(who) (\(room)) is typed but not made.")
            }
            // The payment is taken by this desk's saga runner, which stops with it: the guest at
            // the desk would wait until a desk is open again. (On a connected desk the server's
            // runner takes it.)
            switch form.progress {
            case .holding(let code)?, .takingPayment(let code)?:
                if state.sync == nil {
                    lines.append("Booking \(code)\(who) is still taking its payment: it goes on when a desk is open again.")
                }
            default: break
            }
        }
        // A card payment left behind its form (Esc after Enter) is as much under way: the form's
        // line is gone, so the status line's count says it (F10 quit without asking).
        if state.sync == nil, state.bookingsInProgress > 0, !lines.contains(where: { $0.contains("still taking its payment") }) {
            let count = state.bookingsInProgress
            lines.append("\(count) booking\(count == 1 ? " is" : "s are") still in progress (a payment being taken): "
                         + "\(count == 1 ? "it goes" : "they go") on when a desk is open again.")
        }
        for (list, actions) in [("Today", state.today.actions), ("Bookings", state.bookings.actions)] {
            if let editing = actions.editing, !editing.edit.isEmpty {
                lines.append("The changes typed to booking \(editing.booking.confirmationCode) (\(list)) are not saved.")
            }
        }
        if let prompt = state.rooms.prompt, prompt.values != prompt.openedWith {
            lines.append("\(prompt.title): typed and not saved.")
        }
        return lines
    }

    /// A batch read from the terminal, in order: a resize takes effect before the keys after it
    /// (a key typed just after the window shrank below 80x24 must meet "too small", not the old
    /// screen). `resized`: the terminal must repaint everything.
    public mutating func handle(_ inputs: [TerminalInput]) -> (outcome: Outcome, resized: Bool) {
        var resized = false
        for input in inputs {
            switch input {
            case .resize(let width, let height):
                setViewSize(width: width, height: height)
                resized = true
            case .key(let key):
                if handle(key) == .quit { return (.quit, resized) }
            }
        }
        return (.keepGoing, resized)
    }

    private mutating func handleSearch(_ key: Key) -> Outcome {
        // Typed text goes to the focused field; in the room list it does nothing (? is help there).
        if case .character(let character) = key, state.search.focus != .results || character != "?" {
            if state.search.focus != .results { type(character) }
            return .keepGoing
        }
        if key == .backspace, state.search.focus != .results {
            erase()
            return .keepGoing
        }
        if key == .left || key == .right, state.search.focus != .results {
            state.search.replaceOnType = false
            return .keepGoing
        }
        switch CommandTable.command(for: key, in: .search) {
        case .help: state.overlay = .help
        case .quit: return .quit
        case .bookingsScreen: return handleGlobal(.bookingsScreen)
        case .todayScreen: return handleGlobal(.todayScreen)
        case .roomsScreen, .roomPlanScreen, .dashboardScreen, .conflictsScreen: return handleGlobal(CommandTable.command(for: key, in: .search)!)
        case .back: if state.search.focus == .results { state.search.focus = .checkIn }
        case .searchScreen: state.search.focus = .checkIn
        case .nextField: moveFocus(by: 1)
        case .previousField: moveFocus(by: -1)
        case .resultDown: moveSelection(by: 1)
        case .resultUp: moveSelection(by: -1)
        case .resultPageDown: moveSelection(by: 10)
        case .resultPageUp: moveSelection(by: -10)
        case .moveToEnd:
            let count = state.search.answer?.offers.count ?? 0
            if count > 0 {
                state.search.focus = .results
                state.search.selected = key == .home ? 0 : count - 1
            }
        case .chooseRoom:
            if state.search.focus == .results { openBookingForm() } else { moveSelection(by: 0) }
        default: break
        }
        return .keepGoing
    }

    /// Enter on a room (or on the search fields, for the first room): the booking form, kept if it
    /// was already being filled in for this room and stay.
    private mutating func openBookingForm() {
        guard let answer = state.search.answer, !answer.offers.isEmpty else { return }
        let offer = answer.offers[state.search.focus == .results ? state.search.selected : 0]
        // One form at a time: a form still saving is shown until its outcome is in.
        if state.booking?.progress == .saving {
            state.screen = .booking
            return
        }
        if let existing = state.booking, existing.offer.room.id == offer.room.id, existing.stay == answer.query.stay,
           existing.progress?.isFinished != true || existing.progress?.isFailure == true {
            state.screen = .booking
            return
        }
        state.booking = BookingFormState(offer: offer, stay: answer.query.stay, guests: answer.query.guestCount)
            .keepingGuest(of: state.booking)
        state.screen = .booking
    }

    private mutating func handleBooking(_ key: Key) -> Outcome {
        guard var form = state.booking else {
            state.screen = .search
            return .keepGoing
        }
        var discard = false
        defer { state.booking = discard ? nil : form }
        if form.progress == .saving {
            switch CommandTable.command(for: key, in: .booking) {
            case .submitBooking, .nextFreeRoom:
                // A second Enter while the first is saving is ignored: one booking per Enter.
                return .keepGoing
            case .help, .quit, .back, .searchScreen, .bookingsScreen, .todayScreen, .roomsScreen, .roomPlanScreen, .dashboardScreen,
                 .conflictsScreen:
                break // these act at once; the form stays, and its outcome lands in it
            default:
                // Typing goes on while it saves: kept, and handled once the outcome is in.
                form.typedAhead.append(key)
                return .keepGoing
            }
        }
        // A form not submitted, or whose booking failed, takes typing: the details are kept for
        // another try (another card, another room).
        let editable = form.progress == nil || form.progress?.isFailure == true
        if editable {
            if case .character(let character) = key, form.focus != .payment || character.isNumber {
                if form.focus == .payment {
                    // Digits on the payment choice are a card number: to the card field.
                    form.payment = .card
                    form.focus = .card
                }
                form.type(character)
                revalidate(&form)
                return .keepGoing
            }
            if key == .backspace {
                form.erase()
                revalidate(&form)
                return .keepGoing
            }
        }
        switch CommandTable.command(for: key, in: .booking) {
        case .help: state.overlay = .help
        case .quit: return .quit
        case .back where form.returnsTo != .search:
            // A form not yet submitted is kept for later; a submitted one is done with.
            discard = form.bookingId != nil
            state.booking = discard ? nil : form
            return handleGlobal(form.returnsTo == .roomPlan ? .roomPlanScreen : .searchScreen)
        case .back, .searchScreen:
            state.screen = .search
            discard = form.bookingId != nil
            refreshSearch()
        case .nextField: moveFocus(&form, by: 1)
        case .previousField: moveFocus(&form, by: -1)
        case .togglePayment where form.focus == .payment && editable:
            if key == .left || key == .right { form.payment = key == .left ? .desk : .card } else { form.payment = form.payment == .desk ? .card : .desk }
            revalidate(&form)
        case .togglePayment where form.replaceOnType:
            form.replaceOnType = false
        case .submitBooking where editable:
            form.progress = nil
            form.bookingId = nil
            submit(&form)
        case .nextFreeRoom: takeNextFreeRoom(&form)
        case .clearGuest where editable:
            (form.guestName, form.email, form.phone, form.card) = ("", "", "", "")
            form.notice = nil
            form.focus = .guestName
            revalidate(&form)
        case .bookingsScreen, .todayScreen, .roomsScreen, .roomPlanScreen, .dashboardScreen, .conflictsScreen:
            discard = form.bookingId != nil
            let command = CommandTable.command(for: key, in: .booking)!
            state.booking = discard ? nil : form
            return handleGlobal(command)
        default: break
        }
        return .keepGoing
    }

    /// The next free room of the same type for the same nights: the form keeps every detail.
    private mutating func takeNextFreeRoom(_ form: inout BookingFormState) {
        guard form.progress == nil || form.progress?.isFailure == true else { return }
        let offers: [RoomOffer]
        do {
            offers = try services.search(form.stay.checkIn.iso, form.stay.checkOut.iso, "1").offers
        } catch {
            // Said, not taken for "none free": the receptionist may try again or choose by hand.
            form.notice = "Could not look for another \(form.offer.roomType.name): \(error)"
            return
        }
        let sameType = offers.filter { $0.roomType.id == form.offer.roomType.id }
        let others = sameType.filter { $0.room.id != form.offer.room.id }
        // The one after this form's room in the search's order (the first if this one is gone).
        let after = sameType.firstIndex { $0.room.id == form.offer.room.id }.flatMap { sameType[($0 + 1)...].first }
        guard let next = after ?? others.first else {
            form.notice = "No other \(form.offer.roomType.name) is free from \(form.stay.checkIn) to \(form.stay.checkOut)"
            return
        }
        let before = form.offer.room.number
        form.offer = next
        form.roomTaken = false
        form.progress = nil
        form.bookingId = nil
        form.notice = "Room \(next.room.number) instead of \(before), same type; Enter books it"
        revalidate(&form)
    }

    static let roomCheckFailed = "Could not check that room "
    static let bookingReadFailed = "Could not read how the booking is going: "

    /// An open form whose room another booking took since: it says so now, not only on Enter.
    mutating func checkFormRoom() {
        guard var form = state.booking, form.progress == nil || form.progress?.isFailure == true else { return }
        let answer: SearchAnswer
        do {
            answer = try services.search(form.stay.checkIn.iso, form.stay.checkOut.iso, "1")
        } catch {
            // Said on the form: a receptionist must not take silence for "the room is still free".
            let notice = Self.roomCheckFailed + "\(form.offer.room.number) is still free: \(error)"
            if form.notice != notice {
                form.notice = notice
                state.booking = form
            }
            return
        }
        let fresh = answer.offers.first { $0.room.id == form.offer.room.id }
        var changed = false
        if form.roomTaken != (fresh == nil) || form.notice?.hasPrefix(Self.roomCheckFailed) == true {
            form.roomTaken = fresh == nil
            form.notice = nil
            changed = true
        }
        // The price follows occupancy: what the form shows (and the receptionist quotes) is what
        // Enter books now. It once kept the price of when the form opened and booked another.
        if let fresh, fresh.totalPrice != form.offer.totalPrice {
            form.notice = "The price is now \(state.info.currency) \(fresh.totalPrice.plain) (was \(form.offer.totalPrice.plain)): "
                + "tell the guest before Enter"
            form.offer = fresh
            changed = true
        }
        if changed { state.booking = form }
    }

    private func moveFocus(_ form: inout BookingFormState, by step: Int) {
        let fields = form.fields
        let index = ((fields.firstIndex(of: form.focus) ?? 0) + step + fields.count) % fields.count
        form.focus = fields[index]
    }

    /// Every problem of the form, at once: the booking rules and the payment's.
    private func problems(of form: BookingFormState) -> [String] {
        var problems = BookingRules.problems(in: form.form, context: .init(
            businessDate: state.info.businessDate, hotelExists: true, room: (form.offer.room, form.offer.roomType),
            nightUnderWay: state.info.nightUnderWay))
        if form.payment == .card {
            if form.card.trimmingCharacters(in: .whitespaces).isEmpty {
                problems.append("Card number is required for a card payment")
            } else {
                do { _ = try PaymentInstruction.parse(method: "card", card: form.card) } catch { problems += error.details }
            }
            if !services.cardPaymentsAvailable {
                problems.append(PaymentSetup.missing(settingsFile: services.settingsFile))
            }
        }
        return problems
    }

    private func revalidate(_ form: inout BookingFormState) {
        if form.triedToSubmit { form.problems = problems(of: form) }
    }

    private mutating func submit(_ form: inout BookingFormState) {
        form.triedToSubmit = true
        form.problems = problems(of: form)
        guard form.problems.isEmpty else {
            form.focus = form.problems.compactMap(BookingField.owning).first ?? form.focus
            return
        }
        let payment = form.payment == .card ? PaymentInstruction(method: .card, cardNumber: form.card.filter(\.isNumber)) : .desk
        form.notice = nil
        // Written off the UI thread, like check-in: another desk holding the write lock makes this
        // wait, not the keys. The form says "Saving the booking…" until the outcome is in.
        writesAsked += 1
        let number = writesAsked
        form.progress = .saving
        form.savingWrite = number
        form.typedAhead = []
        state.booking = form
        let book = services.book
        let details = form.form
        let requestId: UUID
        if let unanswered = form.unanswered, unanswered.form == details, unanswered.payment == payment {
            requestId = unanswered.requestId
        } else {
            requestId = UUID()
        }
        form.unanswered = (requestId, details, payment)
        state.booking = form
        load(.write(number)) { .booked(number: number, result: Result { try book(details, payment, requestId) }) }
        // In tests the write ran at once and its outcome is already in the form.
        form = state.booking ?? form
    }

    /// The outcome of a booking written off the UI thread, into the form that asked for it; then
    /// the keys typed meanwhile.
    mutating func finishBooking(number: Int, result: Result<Booking, any Error>) {
        // Only one form saves at a time and it cannot be replaced while it does (`openBookingForm`).
        guard var form = state.booking, form.savingWrite == number else { return }
        form.savingWrite = nil
        form.progress = nil
        if case .failure(let error as any DefiniteWriteFailure) = result, error.nothingWasMade {
            form.unanswered = nil // refused, not lost: Enter again is a new request (see `DefiniteWriteFailure`)
        }
        switch result {
        case .success(let booking):
            // Answered with a booking (Failed ones too): another Enter is another booking.
            form.unanswered = nil
            form.bookingId = booking.id
            form.progress = Self.progress(of: booking)
            if booking.totalPrice != form.offer.totalPrice {
                // Priced as it was saved (another booking moved occupancy in between): say so.
                form.notice = "Booked at \(state.info.currency) \(booking.totalPrice.plain), not the \(form.offer.totalPrice.plain) shown: "
                    + "the price changed as it was saved"
            }
            Self.settle(&form)
        case .failure(let error as FrontDeskError):
            if case .validationFailed(let details) = error {
                form.problems = details
            } else {
                if case .roomUnavailable = error { form.roomTaken = true }
                form.progress = .refused(error.message)
            }
        case .failure(let error):
            form.progress = .refused("\(error)")
        }
        let typed = form.typedAhead
        form.typedAhead = []
        state.booking = form
        // The saga may have moved the booking on while the outcome waited: follow it now.
        bookingsChanged()
        for key in typed { _ = handleBooking(key) }
    }

    /// A booking that failed leaves the form as typed, ready for another try: a declined card's
    /// number is cleared and the card field focused for the next card.
    static func settle(_ form: inout BookingFormState) {
        guard case .failed(_, let reason) = form.progress else { return }
        form.bookingId = nil
        if reason.localizedCaseInsensitiveContains("card") || reason.localizedCaseInsensitiveContains("declin")
            || reason.localizedCaseInsensitiveContains("payment") {
            form.card = ""
            if form.payment == .card { form.focus = .card }
        }
    }

    static func progress(of booking: Booking) -> BookingProgress {
        switch booking.status {
        case .reserving: .holding(code: booking.confirmationCode)
        case .processingPayment: .takingPayment(code: booking.confirmationCode)
        case .confirmed, .checkedIn, .checkedOut, .noShow: .confirmed(code: booking.confirmationCode)
        case .failed, .cancelled: .failed(code: booking.confirmationCode, reason: booking.statusReason ?? booking.status.rawValue)
        }
    }

    /// The saga moved a booking: follow the one this desk submitted.
    public mutating func bookingsChanged() {
        if let id = state.booking?.bookingId, state.booking?.progress?.isFinished == false, var form = state.booking {
            do {
                form.progress = Self.progress(of: try services.booking(id))
                if form.notice?.hasPrefix(Self.bookingReadFailed) == true { form.notice = nil }
                Self.settle(&form)
            } catch {
                // The booking stands as it was last seen; the form says it could not look.
                form.notice = Self.bookingReadFailed + "\(error)"
            }
            state.booking = form
        }
        if state.screen == .booking { checkFormRoom() }
        switch state.screen {
        case .search, .booking: refreshSearch()
        case .bookings: refreshBookings()
        case .today: refreshToday()
        case .rooms: refreshRooms()
        case .roomPlan: refreshRoomPlan()
        case .dashboard: refreshDashboard()
        case .conflicts: refreshConflicts()
        }
    }

    private mutating func type(_ character: Character) {
        if state.search.replaceOnType {
            state.search.replaceOnType = false
            switch state.search.focus {
            case .checkIn: state.search.checkIn = ""
            case .nights: state.search.nights = ""
            case .guests: state.search.guests = ""
            case .results: break
            }
        }
        switch state.search.focus {
        case .checkIn where state.search.checkIn.count < SearchState.fieldLimit: state.search.checkIn.append(character)
        case .nights where state.search.nights.count < SearchState.fieldLimit: state.search.nights.append(character)
        case .guests where state.search.guests.count < SearchState.fieldLimit: state.search.guests.append(character)
        default: return
        }
        refreshSearch()
    }

    private mutating func erase() {
        state.search.replaceOnType = false
        switch state.search.focus {
        case .checkIn: _ = state.search.checkIn.popLast()
        case .nights: _ = state.search.nights.popLast()
        case .guests: _ = state.search.guests.popLast()
        case .results: return
        }
        refreshSearch()
    }

    private mutating func moveFocus(by step: Int) {
        let all = SearchField.allCases
        let index = (all.firstIndex(of: state.search.focus)! + step + all.count) % all.count
        state.search.focus = all[index]
        state.search.replaceOnType = true
    }

    private mutating func moveSelection(by step: Int) {
        let count = state.search.answer?.offers.count ?? 0
        guard count > 0 else { return }
        if state.search.focus != .results {
            state.search.focus = .results
            state.search.selected = 0
            return
        }
        state.search.selected = min(max(0, state.search.selected + step), count - 1)
        state.search.taken = nil
    }

    mutating func refreshSearch() {
        var problems: [String] = []
        let nightsText = state.search.nights.trimmingCharacters(in: .whitespaces)
        // Only nights in range make a check-out: -800000 or Int.max would take the date out of the
        // calendar (and the arithmetic out of Int) before the search could refuse them.
        let nights = Int(nightsText).flatMap { (1...BookingRules.maximumNights).contains($0) ? $0 : nil }
        if nights == nil {
            problems.append("Nights must be a number from 1 to \(BookingRules.maximumNights)")
        }
        let checkOut = CalendarDate(iso: state.search.checkIn.trimmingCharacters(in: .whitespaces))
            .flatMap { date in nights.map { date.adding(days: $0).iso } } ?? ""
        do {
            let answer = try services.search(state.search.checkIn, checkOut, state.search.guests)
            if problems.isEmpty {
                // The highlight stays on the room, not the row: a list searched again (a booking
                // made anywhere) must not slide another room under Enter.
                let before = state.search.answer
                let chosen = before.flatMap { $0.offers.indices.contains(state.search.selected) ? $0.offers[state.search.selected].room : nil }
                state.search.answer = answer
                if let chosen, let kept = answer.offers.firstIndex(where: { $0.room.id == chosen.id }) {
                    state.search.selected = kept
                    state.search.taken = nil
                } else {
                    let sameStay = before?.query == answer.query
                    state.search.taken = chosen != nil && sameStay && state.search.focus == .results
                        ? "room \(chosen!.number) was just taken" : nil
                    state.search.selected = min(state.search.selected, max(0, answer.offers.count - 1))
                }
            }
        } catch let error as FrontDeskError {
            // The check-out is worked out from the check-in and the nights (no field of its own):
            // its problems only when both of those are readable, or they blame a field not there.
            let checkOutIsOurs = nights != nil && !checkOut.isEmpty
            problems += error.details.isEmpty ? [error.message] : error.details.filter { !$0.hasPrefix("Check-out") || checkOutIsOurs }
        } catch {
            problems.append("\(error)")
        }
        state.search.problems = problems
        if !problems.isEmpty { state.search.answer = nil }
    }
}
