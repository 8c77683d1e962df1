import Foundation
import FrontDeskDomain

/// The lists and views whose queries can take longer than a frame. In the terminal they run on a
/// background thread, so a key never waits for them; in tests they run at once.
public enum LoadKey: Hashable, Sendable {
    case bookings, today, roomPlan, dashboard
    /// The Conflicts screen's message line (its list is read at once: a handful of rows).
    case conflicts
    /// A write (a booking made, checked in or out, cancelled; a room changed), numbered: writes
    /// are never skipped as a newer list query skips an older one, and run in the order asked.
    case write(Int)

    public var isWrite: Bool { if case .write = self { true } else { false } }
}

/// What a finished query brings back to the UI thread.
public enum LoadOutcome: Sendable {
    case bookings(Result<BookingMatches, any Error>)
    case today(Result<DayLists, any Error>)
    case roomPlan(Result<RoomPlan, any Error>)
    case dashboard(Result<OccupancyReport, any Error>)
    /// A write finished: its outcome in a line, for the list it was asked from.
    case written(number: Int, list: LoadKey, message: String, isError: Bool)
    /// The booking form's booking was written (held, saga started) or refused.
    case booked(number: Int, result: Result<Booking, any Error>)
    /// A change on the rooms screen finished; a refused one gives its form back (`prompt`).
    case roomsChanged(number: Int, message: String, isError: Bool, prompt: RoomPrompt?)
    /// The edit form's change finished; a refused one gives the form back with its problems.
    case edited(number: Int, list: LoadKey, message: String, isError: Bool, form: EditFormState?)

    /// A write's outcome in one line, for the terminal a desk leaves while the write was still
    /// out (quit while saving); nil for a list query.
    public var writeSummary: String? {
        switch self {
        case .bookings, .today, .roomPlan, .dashboard: nil
        case .written(_, _, let message, let isError), .roomsChanged(_, let message, let isError, _),
             .edited(_, _, let message, let isError, _):
            (isError ? "Not saved: " : "Saved: ") + message
        case .booked(_, .success(let booking)):
            "Saved: booking \(booking.confirmationCode) for \(booking.guest.name), room \(booking.roomNumber), "
                + "\(booking.stay.checkIn) to \(booking.stay.checkOut) (\(booking.status.rawValue))"
        case .booked(_, .failure(let error)):
            "Not saved: the booking was refused: \((error as? FrontDeskError)?.message ?? "\(error)")"
        }
    }

    public var key: LoadKey {
        switch self {
        case .bookings: .bookings
        case .today: .today
        case .roomPlan: .roomPlan
        case .dashboard: .dashboard
        case .written(let number, _, _, _), .booked(let number, _), .roomsChanged(let number, _, _, _),
             .edited(let number, _, _, _, _): .write(number)
        }
    }
}

/// A query for the terminal to run off the UI thread; its outcome goes back to `DeskModel.finish`.
public struct PendingLoad: Sendable {
    public let key: LoadKey
    /// Counts the requests for this list: only the newest one's answer ends "looking…".
    public let generation: Int
    public let run: @Sendable () -> LoadOutcome

    public init(key: LoadKey, generation: Int = 0, run: @escaping @Sendable () -> LoadOutcome) {
        self.key = key
        self.generation = generation
        self.run = run
    }
}

extension DeskModel {
    /// From now on, list and view queries wait in `takePendingLoads` instead of running in `handle`.
    public mutating func runLoadsInBackground() { loadsInBackground = true }

    /// The queries asked for since the last call, one per list (the newest); writes first, in the
    /// order asked, so the lists read what they wrote.
    public mutating func takePendingLoads() -> [PendingLoad] {
        defer { pendingLoads.removeAll() }
        return pendingLoads.values.sorted { order($0.key) < order($1.key) }
    }

    private func order(_ key: LoadKey) -> Int { if case .write(let number) = key { number } else { Int.max } }

    /// Asks for a list: at once in tests, else from the terminal's background thread.
    mutating func load(_ key: LoadKey, _ run: @escaping @Sendable () -> LoadOutcome) {
        if loadsInBackground {
            requestedLoads[key, default: 0] += 1
            pendingLoads[key] = PendingLoad(key: key, generation: requestedLoads[key]!, run: run)
            state.loading.insert(key)
        } else {
            finish(run())
        }
    }

    /// A query came back: its list or view shows it (an older answer too: it is newer than what
    /// is shown). The list stays "looking…" until the answer to its newest request is in.
    public mutating func finish(_ outcome: LoadOutcome, generation: Int? = nil) {
        let latest = generation == nil || generation == requestedLoads[outcome.key]
        if latest { state.loading.remove(outcome.key) }
        switch outcome {
        case .bookings(.success(let matches)):
            let bookings = matches.bookings
            // The highlight stays on its booking when the list is read again (another desk
            // booked an earlier room): a key then acts on the guest the receptionist chose.
            // A list of another query starts at the row typing chose (its first: typing puts
            // the highlight there), moved by the ↓ typed ahead of the answer: those keys meant
            // the list being asked for, and a question must name the guest they reached.
            let followed = state.bookings.queryChanged ? nil : state.bookings.results.indices.contains(state.bookings.selected)
                ? state.bookings.results[state.bookings.selected].id : nil
            state.bookings.results = bookings
            state.bookings.total = matches.total
            state.bookings.selected = followed.flatMap { id in bookings.firstIndex { $0.id == id } }
                ?? min(state.bookings.selected, max(0, bookings.count - 1))
            if latest { state.bookings.queryChanged = false }
        case .bookings(.failure(let error)):
            (state.bookings.actions.message, state.bookings.actions.messageIsError) = (Self.describe(error), true)
            // What was typed cannot be looked for (a date out of range): no rows of an older search.
            if case .validationFailed? = error as? FrontDeskError {
                state.bookings.results = []
                state.bookings.total = 0
            }
        case .today(.success(let lists)):
            let before = state.today.all
            let chosen = before.indices.contains(state.today.selected) ? before[state.today.selected].id : nil
            state.today.arrivals = lists.arrivals
            state.today.departures = lists.departures
            // Guests who arrived today are listed once, with the arrivals.
            state.today.inHouse = lists.inHouse.filter { $0.stay.checkIn != lists.date }
            // Guests who overstayed are in the house tonight too (listed apart), as the dashboard counts them.
            state.today.inHouseCount = lists.inHouse.count + lists.overdueDepartures.count
            // Guests due out today still checked in are in the house now too (said beside it).
            state.today.dueOutTodayCount = lists.dueOutToday.count
            state.today.dueForNoShow = lists.dueForNoShow
            state.today.overdueDepartures = lists.overdueDepartures
            let after = state.today.all
            state.today.selected = chosen.flatMap { id in after.firstIndex { $0.id == id } } ?? min(state.today.selected, max(0, after.count - 1))
        case .today(.failure(let error)):
            (state.today.actions.message, state.today.actions.messageIsError) = (Self.describe(error), true)
        case .roomPlan(.success(let plan)):
            state.roomPlan.plan = plan
            // The cursor stays on its room when rooms were added or renumbered meanwhile.
            let sameRoom = state.roomPlan.cursorRoom.flatMap { room in plan.lines.firstIndex { $0.room.id == room } }
            state.roomPlan.cursorLine = sameRoom ?? min(state.roomPlan.cursorLine, max(0, plan.lines.count - 1))
            state.roomPlan.cursorRoom = plan.lines.indices.contains(state.roomPlan.cursorLine)
                ? plan.lines[state.roomPlan.cursorLine].room.id : nil
        case .roomPlan(.failure(let error)):
            (state.roomPlan.message, state.roomPlan.messageIsError) = (Self.describe(error), true)
        case .dashboard(.success(let report)):
            state.dashboard.report = report
        case .dashboard(.failure(let error)):
            (state.dashboard.message, state.dashboard.messageIsError) = (Self.describe(error), true)
        case .written(_, let list, let message, let isError):
            if list == .today {
                (state.today.actions.message, state.today.actions.messageIsError) = (message, isError)
            } else if list == .roomPlan {
                (state.roomPlan.message, state.roomPlan.messageIsError) = (message, isError)
            } else if list == .conflicts {
                (state.conflicts.message, state.conflicts.messageIsError) = (message, isError)
                refreshConflicts()
            } else {
                (state.bookings.actions.message, state.bookings.actions.messageIsError) = (message, isError)
            }
            bookingsChanged()
        case .edited(_, let list, let message, let isError, let form):
            let actions: WritableKeyPath<DeskState, ListActions> = list == .today ? \.today.actions : \.bookings.actions
            (state[keyPath: actions].message, state[keyPath: actions].messageIsError) = (message, isError)
            if let form { state[keyPath: actions].editing = form }
            bookingsChanged()
        case .booked(let number, let result):
            finishBooking(number: number, result: result)
        case .roomsChanged(_, let message, let isError, let prompt):
            finishRoomChange(message: message, isError: isError, prompt: prompt)
        }
        if !state.loading.contains(outcome.key), let waiting = state.deferredAction, waiting.list == outcome.key {
            state.deferredAction = nil
            runDeferredAction(waiting.command, list: waiting.list)
        }
    }

    /// " · looking…" while the list's query is out.
    func loadingNote(_ key: LoadKey) -> String { state.loading.contains(key) ? " · looking…" : "" }

    /// A write is out: the screen says "saving…" and keeps answering keys.
    public var isSaving: Bool { state.loading.contains { $0.isWrite } }

    /// Checks in, checks out or cancels off the UI thread (at once in tests); the outcome goes to
    /// the list's message line when it is in.
    mutating func perform(_ command: CommandID, on booking: Booking, list: LoadKey, change: DeskChange? = nil) {
        writesAsked += 1
        let number = writesAsked
        let services = services
        let today = state.info.businessDate
        load(.write(number)) {
            let (message, isError) = change.map { Self.act($0, on: booking, services: services, businessDate: today) }
                ?? Self.act(command, on: booking, services: services)
            return .written(number: number, list: list, message: message, isError: isError)
        }
    }
}
