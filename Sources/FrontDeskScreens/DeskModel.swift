import Foundation
import FrontDeskDomain

/// What the desk shows in its status line.
public struct DeskInfo: Hashable, Sendable {
    public var hotelName: String
    public var currency: String
    public var businessDate: CalendarDate
    public var user: String

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

    public init(query: AvailabilityQuery, offers: [RoomOffer]) {
        self.query = query
        self.offers = offers
    }
}

/// What the screens may ask of the desk. The terminal wires these to the store; tests too.
public struct DeskServices: Sendable {
    public var search: @Sendable (_ checkIn: String, _ checkOut: String, _ guests: String) throws -> SearchAnswer

    public init(search: @escaping @Sendable (String, String, String) throws -> SearchAnswer) {
        self.search = search
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
    public var answer: SearchAnswer?
    public var problems: [String] = []
    public var selected = 0
    public var firstVisible = 0

    public init(checkIn: String) { self.checkIn = checkIn }

    static let fieldLimit = 40
}

public enum Overlay: Hashable, Sendable {
    case none, help
}

public struct DeskState: Sendable {
    public var info: DeskInfo
    public var search: SearchState
    public var overlay = Overlay.none
    /// "12:34", set by the terminal each minute; fixed in tests.
    public var clock = ""
    /// What the background runner is doing, in a few words.
    public var backgroundWork = "idle"

    public init(info: DeskInfo) {
        self.info = info
        search = SearchState(checkIn: info.businessDate.iso)
    }
}

/// The desk's behaviour: keys in, state out. No terminal here; the adaptor feeds it keys and
/// paints `render`.
public struct DeskModel: Sendable {
    public private(set) var state: DeskState
    let services: DeskServices

    public enum Outcome: Sendable { case keepGoing, quit }

    public init(info: DeskInfo, services: DeskServices) {
        state = DeskState(info: info)
        self.services = services
        refreshSearch()
    }

    public mutating func setClock(_ text: String) { state.clock = text }
    public mutating func setBackgroundWork(_ text: String) { state.backgroundWork = text }

    /// Availability changed somewhere (this desk's runner, another process): search again.
    public mutating func availabilityChanged() { refreshSearch() }

    public mutating func handle(_ key: Key) -> Outcome {
        if state.overlay == .help {
            if key == .escape || key == .function(1) || key == .character("?") || key == .character("q") { state.overlay = .none }
            return .keepGoing
        }
        // q quits from the top level: in the results list, not while typing in a field.
        if key == .character("q") && state.search.focus == .results { return .quit }
        if case .character(let character) = key, state.search.focus != .results, character != "?" {
            type(character)
            return .keepGoing
        }
        if key == .backspace, state.search.focus != .results {
            erase()
            return .keepGoing
        }
        switch CommandTable.command(for: key, in: .search) {
        case .help: state.overlay = .help
        case .quit: return .quit
        case .back: if state.search.focus == .results { state.search.focus = .checkIn }
        case .searchScreen: state.search.focus = .checkIn
        case .nextField: moveFocus(by: 1)
        case .previousField: moveFocus(by: -1)
        case .resultDown: moveSelection(by: 1)
        case .resultUp: moveSelection(by: -1)
        case .resultPageDown: moveSelection(by: 10)
        case .resultPageUp: moveSelection(by: -10)
        case nil: break
        }
        return .keepGoing
    }

    private mutating func type(_ character: Character) {
        switch state.search.focus {
        case .checkIn where state.search.checkIn.count < SearchState.fieldLimit: state.search.checkIn.append(character)
        case .nights where state.search.nights.count < SearchState.fieldLimit: state.search.nights.append(character)
        case .guests where state.search.guests.count < SearchState.fieldLimit: state.search.guests.append(character)
        default: return
        }
        refreshSearch()
    }

    private mutating func erase() {
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
    }

    private mutating func moveSelection(by step: Int) {
        let count = state.search.answer?.offers.count ?? 0
        guard count > 0 else { return }
        if state.search.focus != .results {
            state.search.focus = .results
            return
        }
        state.search.selected = min(max(0, state.search.selected + step), count - 1)
    }

    mutating func refreshSearch() {
        var problems: [String] = []
        let nightsText = state.search.nights.trimmingCharacters(in: .whitespaces)
        let nights = Int(nightsText)
        if nights == nil || !(1...BookingRules.maximumNights).contains(nights!) {
            problems.append("Nights must be a number from 1 to \(BookingRules.maximumNights)")
        }
        let checkOut = CalendarDate(iso: state.search.checkIn.trimmingCharacters(in: .whitespaces))
            .flatMap { date in nights.map { date.adding(days: $0).iso } } ?? ""
        do {
            let answer = try services.search(state.search.checkIn, checkOut, state.search.guests)
            if problems.isEmpty {
                state.search.answer = answer
                state.search.selected = min(state.search.selected, max(0, answer.offers.count - 1))
            }
        } catch let error as FrontDeskError {
            problems += error.details.isEmpty ? [error.message] : error.details.filter { !$0.hasPrefix("Check-out") || nights != nil }
        } catch {
            problems.append("\(error)")
        }
        state.search.problems = problems
        if !problems.isEmpty { state.search.answer = nil }
    }
}
