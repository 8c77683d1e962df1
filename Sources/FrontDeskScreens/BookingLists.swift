import Foundation
import FrontDeskDomain

/// Asking before a change to a booking: what will happen, to whom; the answer starts on No.
public struct PendingConfirmation: Hashable, Sendable {
    public let bookingId: UUID
    /// What a yes does: check in, check out or cancel.
    public let command: CommandID
    /// The question, names and codes, what will happen: one line each.
    public let lines: [String]
    /// The button chosen: No until the receptionist moves to Yes.
    public var yes = false
    /// "Yes, cancel it", say.
    public let yesLabel: String
    /// What a yes asks of the store, for the changes of issue 14 (nil: check in, out, cancel).
    public var change: DeskChange? = nil
}

/// What a list of bookings has besides its rows: a question waiting for an answer, and the outcome
/// of the last action.
public struct ListActions: Sendable {
    public var confirmation: PendingConfirmation?
    public var message: String?
    public var messageIsError = false
    /// Alt-m: the room number being typed.
    public var movePrompt: MovePrompt?
    /// Alt-e: the edit form.
    public var editing: EditFormState?
}

/// The bookings screen: a find field and the bookings it matches.
public struct BookingsState: Sendable {
    public var query = ""
    public var typingQuery = true
    public var results: [Booking] = []
    /// How many bookings matched, shown or not (the list stops at a limit).
    public var total = 0
    public var selected = 0
    /// The query changed since the list was read: the answers to it choose their first row, not
    /// the booking chosen in the list of the old query.
    public var queryChanged = false
    public var actions = ListActions()
}

/// The list rows a page key moves by.
let listPage = 10

/// What the find field of the bookings screen asks for: words that are dates narrow the stay
/// (one date: stays touching it; two: the range), words that name a status narrow the status,
/// the rest is looked for in codes, guest names and e-mails. Empty: bookings from today on.
public struct BookingsQuery: Hashable, Sendable {
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var status: BookingStatus?
    public var text: String
    /// A date outside the supported range, said instead of being looked for.
    public var problems: [String] = []

    public static func parse(_ input: String, businessDate: CalendarDate) -> BookingsQuery {
        var query = BookingsQuery(from: nil, to: nil, status: nil, text: "")
        var words: [String] = []
        var dates: [CalendarDate] = []
        for word in input.split(separator: " ").map(String.init) {
            if CalendarDate(iso: word) != nil {
                // The command line's rule: within the supported dates.
                if let date = BookingRules.parseDate(word, field: "Date", into: &query.problems) { dates.append(date) }
            } else if let status = BookingStatus(loose: word), word.count > 3 {
                query.status = status
            } else {
                words.append(word)
            }
        }
        dates.sort()
        query.from = dates.first
        query.to = dates.last
        query.text = words.joined(separator: " ")
        if input.trimmingCharacters(in: .whitespaces).isEmpty { query.from = businessDate }
        return query
    }
}

/// Today's work: arrivals, departures and in-house guests, in that order. Typing finds: the
/// lists show only the bookings whose guest, code or room contain the text.
public struct TodayState: Sendable {
    public var arrivals: [Booking] = []
    public var departures: [Booking] = []
    /// Staying on: in house tonight, not arriving today (those are with the arrivals).
    public var inHouse: [Booking] = []
    /// Every guest in house tonight, today's arrivals included: the dashboard's figure.
    public var inHouseCount = 0
    /// Guests due out today still checked in (`DayLists.dueOutToday`): in the house now, with the
    /// departures, and not in tonight's figure. Before 06:00 they are asleep: a fire list counts them.
    public var dueOutTodayCount = 0
    /// Confirmed arrivals who have not come (arrival passed, or today after the cut-off): Alt-n.
    public var dueForNoShow: [Booking] = []
    /// Guests still checked in whose departure date passed (`DayLists.overdueDepartures`): Alt-o.
    public var overdueDepartures: [Booking] = []
    public var query = ""
    /// The find field has the keys (else the list).
    public var typingQuery = false
    public var selected = 0
    public var actions = ListActions()

    func matching(_ list: [Booking]) -> [Booking] {
        let words = query.split(separator: " ").map(String.init)
        guard !words.isEmpty else { return list }
        return list.filter { booking in
            let text = "\(booking.guest.name) \(booking.guest.email) \(booking.confirmationCode) \(booking.roomNumber)"
            return words.allSatisfy { text.range(of: $0, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
        }
    }

    /// The sections as shown (found by the find field). `shortTitle` is said where the title would
    /// leave no room on its line for how many of the section's bookings are shown.
    var sections: [(title: String, shortTitle: String, bookings: [Booking])] {
        // Alt-1/2/3 jump to the first three by position: the overstayed come after them.
        var lists: [(title: String, shortTitle: String, bookings: [Booking])] = [
            ("Arrivals", "Arrivals", matching(arrivals)), ("Departures", "Departures", matching(departures)),
            ("Staying on", "Staying on", matching(inHouse)),
        ]
        if !overdueDepartures.isEmpty {
            lists.append(("Overstayed: still checked in, due out before today (Alt-o, or change the stay)",
                          "Overstayed: still checked in past departure (Alt-o)", matching(overdueDepartures)))
        }
        if !dueForNoShow.isEmpty {
            lists.append(("Due for a no-show (not come; Alt-n)", "Due for a no-show (Alt-n)", matching(dueForNoShow)))
        }
        return lists
    }

    /// The rows as listed, top to bottom.
    public var all: [Booking] { sections.flatMap(\.bookings) }
}

extension DeskModel {
    /// What cancelling this booking will do, in the receptionist's words.
    static func cancelQuestion(_ booking: Booking) -> [String] {
        let consequence = switch booking.status {
        case .confirmed: "It is paid: the payment will be refunded and the room freed."
        case .reserving, .processingPayment: "Nothing has been charged: the hold on the room is released."
        default: "It is \(booking.status.rawValue)."
        }
        return ["Cancel booking \(booking.confirmationCode) for \(booking.guest.name)?", consequence]
    }

    /// The question before `command` on `booking`: names the guest and the booking. (A check-in to
    /// a room whose last guest is still checked in is refused before it is asked, and by the store.)
    func question(_ command: CommandID, on booking: Booking) -> PendingConfirmation {
        let stay = "room \(booking.roomNumber), \(booking.stay.checkIn) to \(booking.stay.checkOut)"
        switch command {
        case .checkIn:
            var lines = ["Check in \(booking.guest.name), booking \(booking.confirmationCode)?", stay.prefix(1).uppercased() + stay.dropFirst()]
            if let night = booking.nightUnderWayLeftOut(businessDate: state.info.businessDate, nightUnderWay: state.info.nightUnderWay),
               services.nightIsUnsold(night, booking) {
                // Checked in now, the guest sleeps the night under way, which nothing charges
                // (unless another guest's stay already holds it: then the advice would be refused).
                lines.append("! " + ChangeWording.nightNotInStay(night) + "; to charge it, answer No and change the check-in to \(night) first (Alt-e)")
            }
            return PendingConfirmation(bookingId: booking.id, command: command, lines: lines, yesLabel: "Yes, check in")
        case .checkOut:
            var lines = ["Check out \(booking.guest.name), booking \(booking.confirmationCode)?", stay.prefix(1).uppercased() + stay.dropFirst()]
            if let early = Self.earlyDeparture(booking, on: state.info.businessDate) { lines.append("! \(early)") }
            return PendingConfirmation(bookingId: booking.id, command: command, lines: lines, yesLabel: "Yes, check out")
        default:
            return PendingConfirmation(bookingId: booking.id, command: .cancelBooking, lines: Self.cancelQuestion(booking),
                                       yesLabel: "Yes, cancel it")
        }
    }

    /// Guests checked in to `room` other than `id`: overstayed (due out before today and still
    /// in), due out today and not yet gone, or in house tonight.
    func stillCheckedIn(room: String, besides id: UUID) throws -> [Booking] {
        let today = state.info.businessDate
        let due = try services.checkedInDue(today)
        let inHouse = try services.dayLists(today).inHouse
        var seen = Set<UUID>()
        return (due + inHouse).filter {
            $0.status == .checkedIn && $0.roomNumber == room && $0.id != id && seen.insert($0.id).inserted
        }
    }

    mutating func refreshBookings() {
        let query = BookingsQuery.parse(state.bookings.query, businessDate: state.info.businessDate)
        // Through the queue too, so an answer still coming for what was typed before cannot follow it.
        let problems = query.problems
        guard problems.isEmpty else {
            load(.bookings) { .bookings(.failure(FrontDeskError.validationFailed(problems))) }
            return
        }
        let find = services.findBookings
        load(.bookings) { .bookings(Result { try find(query) }) }
    }

    mutating func refreshToday() {
        let today = state.info.businessDate
        let dayLists = services.dayLists
        load(.today) { .today(Result { try dayLists(today) }) }
    }

    /// What a check-out before the planned day does, said before and after it: nil on the day.
    static func earlyDeparture(_ booking: Booking, on businessDate: CalendarDate) -> String? {
        let freed = booking.nightsFreedByCheckingOut(on: businessDate).count
        guard freed > 0 else { return nil }
        return "Early: due out \(booking.stay.checkOut); \(freed == 1 ? "1 night goes" : "\(freed) nights go") back on sale (the total is not changed)"
    }

    /// Runs a desk action on a booking and reports it in a line, never as a crash.
    static func act(_ command: CommandID, on booking: Booking, services: DeskServices) -> (String, Bool) {
        do {
            let changed: Booking
            switch command {
            case .checkIn: changed = try services.checkIn(booking.id)
            case .checkOut: changed = try services.checkOut(booking.id)
            case .cancelBooking: changed = try services.cancel(booking.id)
            default: return ("", false)
            }
            let verb = command == .checkIn ? "checked in" : command == .checkOut ? "checked out" : "cancelled"
            let early = command == .checkOut ? changed.checkedOutOn.flatMap { earlyDeparture(booking, on: $0) }.map { ". \($0)" } ?? "" : ""
            // The money a cancel pays back, and where: only the audit said "to be paid back at
            // the desk", so the guest could leave without it.
            let refund = command == .cancelBooking ? services.refundWords(changed.id).map { ". \($0)" } ?? "" : ""
            return ("\(changed.guest.name) \(verb) (booking \(changed.confirmationCode))\(early)\(refund)", false)
        } catch let error as FrontDeskError {
            return (error.message, true)
        } catch {
            return ("\(error)", true)
        }
    }

    /// The one rule: printable keys are text. In the list they go to the find field (which takes
    /// the keys from then on); commands come from the command table and use keys text cannot make.
    mutating func handleBookings(_ key: Key) -> Outcome {
        if state.bookings.actions.confirmation != nil {
            answer(key, at: \.bookings.actions, among: state.bookings.results)
            return .keepGoing
        }
        if handleChangeInput(key, at: \.bookings.actions, list: .bookings) { return .keepGoing }
        let command = CommandTable.command(for: key, in: .bookings)
        // Anything but a key that only shows something clears the last action's line.
        if command != .help { state.bookings.actions.message = nil }
        if case .character(let character) = key, !(character == "?" && state.bookings.query.isEmpty && !state.bookings.typingQuery) {
            state.bookings.typingQuery = true
            if state.bookings.query.count < 60 { state.bookings.query.append(character) }
            // Another query is another list: its first row is chosen (the old row number once
            // chose a booking further down, and Alt-c from the find field asked to cancel it).
            (state.bookings.selected, state.bookings.queryChanged) = (0, true)
            refreshBookings()
            return .keepGoing
        }
        if command == .clearFind {
            state.bookings.typingQuery = true
            if state.bookings.query.isEmpty { return .keepGoing }
            state.bookings.query = ""
            (state.bookings.selected, state.bookings.queryChanged) = (0, true)
            refreshBookings()
            return .keepGoing
        }
        if key == .backspace {
            state.bookings.typingQuery = true
            _ = state.bookings.query.popLast()
            (state.bookings.selected, state.bookings.queryChanged) = (0, true)
            refreshBookings()
            return .keepGoing
        }
        if state.bookings.typingQuery, key == .down || key == .enter {
            // Typed ahead of a list still being looked up: to the list, which follows.
            if !state.bookings.results.isEmpty || state.loading.contains(.bookings) { state.bookings.typingQuery = false }
            return .keepGoing
        }
        guard let command else { return .keepGoing }
        let count = state.bookings.results.count
        switch command {
        case .switchFocus:
            state.bookings.typingQuery.toggle()
        case .moveSelection, .movePage, .moveToEnd:
            if state.bookings.typingQuery {
                guard key == .down || key == .pageDown || key == .home || key == .end, count > 0 else { break }
                state.bookings.typingQuery = false
                if key == .end { state.bookings.selected = count - 1 } else if key == .home { state.bookings.selected = 0 }
                break
            }
            if key == .up, state.bookings.selected == 0 { state.bookings.typingQuery = true; break }
            state.bookings.selected = Self.moved(state.bookings.selected, by: key, count: count)
        case .back: state.bookings.typingQuery = true
        case .cancelBooking, .checkIn, .checkOut, .editBooking, .moveBooking, .noShow, .undoChange:
            // From the find field too: the question names the booking chosen in the list.
            guard state.loading.contains(.bookings) || state.bookings.results.indices.contains(state.bookings.selected) else { break }
            state.bookings.typingQuery = false
            let chosen = state.bookings.results.indices.contains(state.bookings.selected) ? state.bookings.results[state.bookings.selected] : nil
            start(command, on: chosen, at: \.bookings.actions, list: .bookings)
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    /// ↑/↓ a row, PgUp/PgDn a page, Home/End the ends; within 0..<count.
    static func moved(_ index: Int, by key: Key, count: Int) -> Int {
        guard count > 0 else { return 0 }
        let target = switch key {
        case .up: index - 1
        case .down: index + 1
        case .pageUp: index - listPage
        case .pageDown: index + listPage
        case .home: 0
        case .end: count - 1
        default: index
        }
        return min(max(0, target), count - 1)
    }

    mutating func handleToday(_ key: Key) -> Outcome {
        if state.today.actions.confirmation != nil {
            answer(key, at: \.today.actions, among: state.today.all)
            return .keepGoing
        }
        if handleChangeInput(key, at: \.today.actions, list: .today) { return .keepGoing }
        let command = CommandTable.command(for: key, in: .today)
        if command != .help { state.today.actions.message = nil }
        if case .character(let character) = key, !(character == "?" && state.today.query.isEmpty) {
            state.today.typingQuery = true
            if state.today.query.count < 60 { state.today.query.append(character) }
            state.today.selected = 0
            return .keepGoing
        }
        if command == .clearFind {
            (state.today.typingQuery, state.today.query, state.today.selected) = (true, "", 0)
            return .keepGoing
        }
        if key == .backspace {
            state.today.typingQuery = true
            _ = state.today.query.popLast()
            state.today.selected = 0
            return .keepGoing
        }
        if state.today.typingQuery, key == .down || key == .enter || key == .escape {
            state.today.typingQuery = false
            return .keepGoing
        }
        guard let command else { return .keepGoing }
        let all = state.today.all
        switch command {
        case .switchFocus: state.today.typingQuery.toggle()
        case .moveSelection, .movePage, .moveToEnd:
            if state.today.typingQuery {
                state.today.typingQuery = false
                if key == .up || key == .home { state.today.selected = 0 }
                if key == .end { state.today.selected = max(0, all.count - 1) }
                break
            }
            if key == .up, state.today.selected == 0 { state.today.typingQuery = true; break }
            state.today.selected = Self.moved(state.today.selected, by: key, count: all.count)
        case .jumpToSection:
            let section = key == .alt("1") ? 0 : key == .alt("2") ? 1 : 2
            let sections = state.today.sections
            state.today.typingQuery = false
            state.today.selected = min(sections.prefix(section).map(\.bookings.count).reduce(0, +), max(0, all.count - 1))
        case .cancelBooking, .checkIn, .checkOut, .editBooking, .moveBooking, .noShow, .undoChange:
            guard state.loading.contains(.today) || all.indices.contains(state.today.selected) else { break }
            state.today.typingQuery = false
            start(command, on: all.indices.contains(state.today.selected) ? all[state.today.selected] : nil, at: \.today.actions,
                  list: .today)
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    /// A key that waited for its list: it asks now about the booking chosen in the list as loaded.
    mutating func runDeferredAction(_ command: CommandID, list: LoadKey) {
        switch list {
        case .bookings:
            guard !state.bookings.typingQuery, state.bookings.results.indices.contains(state.bookings.selected) else { return }
            start(command, on: state.bookings.results[state.bookings.selected], at: \.bookings.actions, list: .bookings)
        case .today:
            let all = state.today.all
            guard all.indices.contains(state.today.selected) else { return }
            start(command, on: all[state.today.selected], at: \.today.actions, list: .today)
        default: break
        }
    }

    /// Every change to a booking asks first; the answer goes to the list's message line.
    private mutating func start(_ command: CommandID, on booking: Booking?, at actions: WritableKeyPath<DeskState, ListActions>,
                                list: LoadKey) {
        // The rows on screen may be the last query's until the new one is back: the key waits for
        // the list and then asks about the booking chosen in it (keys typed ahead are kept, not lost).
        if state.loading.contains(list) {
            state.deferredAction = (command, list)
            return
        }
        guard let booking else { return }
        if command == .cancelBooking {
            // A cancel the booking's state refuses or ignores is said at once, not asked about
            // ("Cancel booking …? It is Cancelled." asked for a yes that would change nothing).
            switch BookingSaga.decide(booking.status, .bookingCancellationRequested(reason: nil)) {
            case .refused(let why), .ignored(let why):
                (state[keyPath: actions].message, state[keyPath: actions].messageIsError) =
                    ("Booking \(booking.confirmationCode): \(why)", true)
                return
            case .transition: break
            }
            // An arrival day passed is a no-show, said at once in the store's words.
            do {
                try booking.requireCancellable(businessDate: state.info.businessDate, nightUnderWay: state.info.nightUnderWay)
            } catch {
                (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = (Self.describe(error), true)
                return
            }
        }
        if command == .checkIn, booking.status == .confirmed, let guest = try? stillCheckedIn(room: booking.roomNumber, besides: booking.id).first {
            // The store refuses a check-in into a room a guest still occupies: said at once, in its
            // words. (Should the look fail, the question is asked and the store still decides.)
            (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = (Self.describe(
                booking.roomStillOccupied(by: guest.guest.name, confirmationCode: guest.confirmationCode, dueOut: guest.stay.checkOut)), true)
            return
        }
        switch command {
        case .editBooking, .moveBooking, .noShow, .undoChange: startChange(command, on: booking, at: actions)
        default: state[keyPath: actions].confirmation = question(command, on: booking)
        }
    }

    /// ←/→ (or Tab) move between No and Yes, Enter answers, Esc says no; letters do nothing, so a
    /// name typed on regardless cannot answer.
    private mutating func answer(_ key: Key, at actions: WritableKeyPath<DeskState, ListActions>, among bookings: [Booking]) {
        guard var pending = state[keyPath: actions].confirmation else { return }
        switch CommandTable.command(for: key, in: .confirm) {
        case .confirmChoose:
            pending.yes = CommandTable.answer(after: key, wasYes: pending.yes)
            state[keyPath: actions].confirmation = pending
        case .confirmAnswer:
            state[keyPath: actions].confirmation = nil
            guard pending.yes else {
                (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = ("Nothing changed", false)
                return
            }
            // The booking as the list shows it now; a list reloaded meanwhile without it: nothing.
            guard let booking = bookings.first(where: { $0.id == pending.bookingId }) else {
                (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = ("The booking is no longer in the list: nothing changed", true)
                return
            }
            // Off the UI thread: the status line says "saving…" and the answer lands as a message.
            perform(pending.command, on: booking, list: actions == \.today.actions ? .today : .bookings, change: pending.change)
        case .confirmNo:
            state[keyPath: actions].confirmation = nil
            (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = ("Nothing changed", false)
        default: break
        }
    }

    /// The commands that work on every screen.
    mutating func handleGlobal(_ command: CommandID) -> Outcome {
        switch command {
        case .help: state.overlay = .help
        case .quit: return .quit
        case .searchScreen:
            state.screen = .search
            refreshSearch()
        case .bookingsScreen:
            state.screen = .bookings
            refreshBookings()
        case .todayScreen:
            state.screen = .today
            refreshToday()
        case .roomsScreen:
            guard roomServices != nil else { break }
            state.screen = .rooms
            refreshRooms()
        case .roomPlanScreen:
            guard managerServices != nil else { break }
            state.screen = .roomPlan
            refreshRoomPlan()
        case .dashboardScreen:
            guard managerServices != nil else { break }
            state.screen = .dashboard
            refreshDashboard()
        case .conflictsScreen:
            guard syncServices != nil else { break }
            state.screen = .conflicts
            refreshConflicts()
        case .back: state.screen = .search
        default: break
        }
        return .keepGoing
    }
}
