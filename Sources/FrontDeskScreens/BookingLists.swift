import Foundation
import FrontDeskDomain

/// Asking before a change that cannot be taken back.
public struct PendingConfirmation: Hashable, Sendable {
    public let bookingId: UUID
    /// The question, what will happen, and the keys: one line each.
    public let lines: [String]
}

/// What a list of bookings has besides its rows: a question waiting for y or n, and the outcome
/// of the last action.
public struct ListActions: Sendable {
    public var confirmation: PendingConfirmation?
    public var message: String?
    public var messageIsError = false
}

/// The bookings screen: a find field and the bookings it matches.
public struct BookingsState: Sendable {
    public var query = ""
    public var typingQuery = true
    public var results: [Booking] = []
    /// How many bookings matched, shown or not (the list stops at a limit).
    public var total = 0
    public var selected = 0
    public var actions = ListActions()
}

/// What the find field of the bookings screen asks for: words that are dates narrow the stay
/// (one date: stays touching it; two: the range), words that name a status narrow the status,
/// the rest is looked for in codes, guest names and e-mails. Empty: bookings from today on.
public struct BookingsQuery: Hashable, Sendable {
    public var from: CalendarDate?
    public var to: CalendarDate?
    public var status: BookingStatus?
    public var text: String

    public static func parse(_ input: String, businessDate: CalendarDate) -> BookingsQuery {
        var query = BookingsQuery(from: nil, to: nil, status: nil, text: "")
        var words: [String] = []
        var dates: [CalendarDate] = []
        for word in input.split(separator: " ").map(String.init) {
            if let date = CalendarDate(iso: word) {
                dates.append(date)
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

/// Today's work: arrivals, departures and in-house guests, in that order.
public struct TodayState: Sendable {
    public var arrivals: [Booking] = []
    public var departures: [Booking] = []
    public var inHouse: [Booking] = []
    public var selected = 0
    public var actions = ListActions()

    var all: [Booking] { arrivals + departures + inHouse }
}

extension DeskModel {
    /// What cancelling this booking will do, in the receptionist's words.
    static func cancelQuestion(_ booking: Booking) -> [String] {
        let consequence = switch booking.status {
        case .confirmed: "It is paid: the payment will be refunded and the room freed."
        case .reserving, .processingPayment: "Nothing has been charged: the hold on the room is released."
        default: "It is \(booking.status.rawValue)."
        }
        return ["Cancel booking \(booking.confirmationCode) for \(booking.guest.name)?", consequence, "y cancels it, n keeps it"]
    }

    mutating func refreshBookings() {
        let query = BookingsQuery.parse(state.bookings.query, businessDate: state.info.businessDate)
        let find = services.findBookings
        load(.bookings) { .bookings(Result { try find(query) }) }
    }

    mutating func refreshToday() {
        let today = state.info.businessDate
        let dayLists = services.dayLists
        load(.today) { .today(Result { try dayLists(today) }) }
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
            return ("\(changed.guest.name) \(verb) (booking \(changed.confirmationCode))", false)
        } catch let error as FrontDeskError {
            return (error.message, true)
        } catch {
            return ("\(error)", true)
        }
    }

    mutating func handleBookings(_ key: Key) -> Outcome {
        if state.bookings.actions.confirmation != nil {
            answer(key, at: \.bookings.actions, among: state.bookings.results)
            return .keepGoing
        }
        if state.bookings.typingQuery {
            if case .character(let character) = key, character != "?" || state.bookings.query.isEmpty == false {
                if state.bookings.query.count < 60 { state.bookings.query.append(character) }
                refreshBookings()
                return .keepGoing
            }
            if key == .backspace {
                _ = state.bookings.query.popLast()
                refreshBookings()
                return .keepGoing
            }
            if key == .down || key == .enter || key == .tab {
                // Typed ahead of a list still being looked up: to the list, which follows.
                if !state.bookings.results.isEmpty || state.loading.contains(.bookings) { state.bookings.typingQuery = false }
                return .keepGoing
            }
        }
        if key == .character("q") && !state.bookings.typingQuery { return .quit }
        guard let command = CommandTable.command(for: key, in: .bookings) else { return .keepGoing }
        switch command {
        case .resultDown: state.bookings.selected = min(state.bookings.selected + 1, max(0, state.bookings.results.count - 1))
        case .resultUp:
            if state.bookings.selected == 0 { state.bookings.typingQuery = true } else { state.bookings.selected -= 1 }
        case .back: state.bookings.typingQuery = true
        case .cancelBooking, .checkIn, .checkOut:
            guard !state.bookings.typingQuery, state.bookings.results.indices.contains(state.bookings.selected) else { break }
            start(command, on: state.bookings.results[state.bookings.selected], at: \.bookings.actions, list: .bookings)
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    mutating func handleToday(_ key: Key) -> Outcome {
        let all = state.today.all
        if state.today.actions.confirmation != nil {
            answer(key, at: \.today.actions, among: all)
            return .keepGoing
        }
        if key == .character("q") { return .quit }
        guard let command = CommandTable.command(for: key, in: .today) else { return .keepGoing }
        switch command {
        case .resultDown: state.today.selected = min(state.today.selected + 1, max(0, all.count - 1))
        case .resultUp: state.today.selected = max(0, state.today.selected - 1)
        case .cancelBooking, .checkIn, .checkOut:
            guard all.indices.contains(state.today.selected) else { break }
            start(command, on: all[state.today.selected], at: \.today.actions, list: .today)
        default: return handleGlobal(command)
        }
        return .keepGoing
    }

    /// A key that waited for its list: it acts now on the booking chosen in the list as loaded.
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

    /// `c` asks first; `i` and `o` act at once. The outcome goes to the list's message line.
    private mutating func start(_ command: CommandID, on booking: Booking, at actions: WritableKeyPath<DeskState, ListActions>,
                                list: LoadKey) {
        // The rows on screen may be the last query's until the new one is back: the key waits for
        // the list and then acts on the booking chosen in it (keys typed ahead are kept, not lost).
        if state.loading.contains(list) {
            state.deferredAction = (command, list)
            return
        }
        if command == .cancelBooking {
            state[keyPath: actions].confirmation = PendingConfirmation(bookingId: booking.id, lines: Self.cancelQuestion(booking))
        } else {
            perform(command, on: booking, list: list)
        }
    }

    /// `y` cancels the booking asked about; `y`, `n` and Esc close the question.
    private mutating func answer(_ key: Key, at actions: WritableKeyPath<DeskState, ListActions>, among bookings: [Booking]) {
        guard let pending = state[keyPath: actions].confirmation else { return }
        if key == .character("y"), let booking = bookings.first(where: { $0.id == pending.bookingId }) {
            perform(.cancelBooking, on: booking, list: actions == \.today.actions ? .today : .bookings)
        }
        if key == .character("y") || key == .character("n") || key == .escape { state[keyPath: actions].confirmation = nil }
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
        case .back: state.screen = .search
        default: break
        }
        return .keepGoing
    }
}
