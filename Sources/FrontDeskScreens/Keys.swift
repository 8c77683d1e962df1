/// A key as the terminal reported it.
public enum Key: Hashable, Sendable, CustomStringConvertible {
    case character(Character)
    case enter, escape, tab, backTab, backspace, delete
    case up, down, left, right, pageUp, pageDown, home, end
    case function(Int)
    case control(Character)
    case alt(Character)
    /// The terminal's brackets around pasted text (bracketed paste, `ESC [ 200 ~` … `ESC [ 201 ~`):
    /// between them every key is text, so a pasted line break never acts as Enter.
    case pasteBegin, pasteEnd

    public var description: String {
        switch self {
        case .character(" "): "Space"
        case .character(let character): String(character)
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .function(let number): "F\(number)"
        case .control(let character): "Ctrl-\(character.uppercased())"
        case .alt(let character): "Alt-\(character)"
        case .pasteBegin: "paste begins"
        case .pasteEnd: "paste ends"
        }
    }
}

/// Where a command applies.
public enum Scope: String, Hashable, Sendable {
    case everywhere, search, booking, bookings, today, rooms, roomPlan, dashboard, conflicts
    /// The Rooms screen of a desk that shows its rooms but does not change them (a connected
    /// desk: they are the booking server's): its change keys say so instead.
    case roomsShown
    /// A question before a change to a booking.
    case confirm
    /// The form that edits a booking (Alt-e on a list).
    case edit
    /// The room number typed to move a booking to (Alt-m on a list).
    case movePrompt
}

public enum CommandID: String, Hashable, Sendable {
    case help, searchScreen, bookingsScreen, todayScreen, quit, back
    case cancelBooking, checkIn, checkOut, confirmYes, confirmNo
    case roomsScreen, newRoom, renameRoom, toggleRoomActive, newRoomType, changeRoomType
    case nextField, previousField, resultUp, resultDown, resultPageUp, resultPageDown, chooseRoom
    case submitBooking, togglePayment
    /// The booking form: empty the guest's details (kept from an unfinished form) for another guest.
    case clearGuest
    case roomPlanScreen, dashboardScreen, cellLeft, cellRight, previousWeek, nextWeek, goToDate, goToToday, openCell, markNights
    case previousRange, nextRange, chooseRange, chartMeasure, exportCSV
    /// Lists: ↑/↓, PgUp/PgDn, Home/End, Tab/Shift-Tab between the find field and the list, Alt-1..3 to a section.
    case moveSelection, movePage, moveToEnd, switchFocus, jumpToSection
    /// Lists: Ctrl-U empties the find field (the readline key), from the field or the list.
    case clearFind
    /// The booking form after a failure: another free room of the same type.
    case nextFreeRoom
    /// A question: move between No and Yes; Enter answers.
    case confirmChoose, confirmAnswer
    /// Changing a reservation: edit (form), move to another room, no-show, undo today's check-in or out.
    case editBooking, moveBooking, noShow, undoChange, saveEdit
    /// The help overlay's one line for Alt-e, Alt-m, Alt-n and Alt-u.
    case changeKeys
    /// Rooms: after Alt-x was refused for the bookings on the room, move the first of them.
    case moveBookingsOff
    /// Rooms on a connected desk: the change keys (Alt-n, Alt-u, Alt-x, Alt-y, Alt-e) open no
    /// form; they say where rooms are changed.
    case roomChangesRefused
    /// A connected desk (issue 12): the Conflicts screen, and its two ways to settle a conflict.
    case conflictsScreen, resolveByMove, resolveByCancel
    /// A refused change to a booking the server has (no-show, undo, edit...): keep the server's
    /// version and drop the desk's change, or make the change again on the server's version.
    case resolveByKeepingServer, resolveByReapplying
}

public struct Command: Hashable, Sendable {
    public let id: CommandID
    public let keys: [Key]
    /// A word or two for the footer.
    public let label: String
    /// A sentence for the help overlay.
    public let description: String
    public let scope: Scope
    /// Shown in the footer of its screens (the rest only in help).
    public let inFooter: Bool
    /// Listed in the help overlay (a few keys share one line there, so 80x24 holds every screen's keys).
    public var inHelp = true
    /// The keys as the help overlay shows them, when shorter than the list of keys.
    public var helpKeys: String? = nil
}

/// The one table of keys: the footer, the help overlay, the key handling and the tests all read it.
public enum CommandTable {
    public static var all: [Command] {
        table + listCommands + roomCommands + shownRoomCommands + roomPlanCommands + dashboardCommands + conflictCommands + confirmCommands + editCommands + movePromptCommands
    }

    static let table: [Command] = [
        Command(id: .help, keys: [.function(1), .character("?")], label: "Help", description: "Show every key and what it does",
                scope: .everywhere, inFooter: true),
        Command(id: .searchScreen, keys: [.function(2), .alt("s")], label: "Search",
                description: "Go to the room search (the last search is kept)", scope: .everywhere, inFooter: true),
        Command(id: .bookingsScreen, keys: [.function(3), .alt("b")], label: "Bookings",
                description: "Find bookings; cancel, check in or out", scope: .everywhere, inFooter: true),
        Command(id: .todayScreen, keys: [.function(4), .alt("t")], label: "Today",
                description: "Today's arrivals, departures and in-house guests", scope: .everywhere, inFooter: true),
        Command(id: .roomsScreen, keys: [.function(5), .alt("r")], label: "Rooms",
                description: "Rooms and types: add, renumber, in/out of service", scope: .everywhere,
                inFooter: true),
        Command(id: .roomPlanScreen, keys: [.function(6), .alt("p")], label: "Plan",
                description: "Room plan: rooms by night, every stay as a bar", scope: .everywhere, inFooter: true),
        Command(id: .dashboardScreen, keys: [.function(7), .alt("d")], label: "Occupancy",
                description: "Occupancy, ADR, RevPAR and pickup; CSV export", scope: .everywhere,
                inFooter: true),
        // Neither in the footer nor in every screen's help (a standalone desk has no conflicts, and
        // 80x24 holds no more lines): the status line names F8 when there are some.
        Command(id: .conflictsScreen, keys: [.function(8), .alt("f")], label: "Conflicts",
                description: "Bookings the server refused: move or cancel", scope: .everywhere,
                inFooter: false, inHelp: false),
        Command(id: .back, keys: [.escape], label: "Back", description: "Close the overlay or go back", scope: .everywhere, inFooter: false),
        Command(id: .quit, keys: [.function(10), .control("q")], label: "Quit",
                description: "Quit; asks first if something typed is unsaved", scope: .everywhere, inFooter: true),
        Command(id: .nextField, keys: [.tab], label: "Next", description: "Next field", scope: .search, inFooter: true),
        Command(id: .previousField, keys: [.backTab], label: "Previous", description: "Previous field", scope: .search, inFooter: false),
        Command(id: .resultUp, keys: [.up], label: "Up", description: "Previous room in the results", scope: .search, inFooter: false),
        Command(id: .resultDown, keys: [.down], label: "Choose", description: "Next room in the results", scope: .search, inFooter: true),
        Command(id: .resultPageUp, keys: [.pageUp], label: "Page up", description: "A page of rooms up", scope: .search, inFooter: false),
        Command(id: .resultPageDown, keys: [.pageDown], label: "Page down", description: "A page of rooms down", scope: .search, inFooter: false),
        Command(id: .moveToEnd, keys: [.home, .end], label: "First/last", description: "First or last room in the results",
                scope: .search, inFooter: false),
        Command(id: .chooseRoom, keys: [.enter], label: "Book", description: "Book the chosen room (opens the booking form)",
                scope: .search, inFooter: true),
        Command(id: .nextField, keys: [.tab, .down], label: "Next", description: "Next field of the booking", scope: .booking, inFooter: true),
        Command(id: .previousField, keys: [.backTab, .up], label: "Previous", description: "Previous field of the booking",
                scope: .booking, inFooter: false),
        Command(id: .togglePayment, keys: [.character(" "), .left, .right], label: "Desk/card",
                description: "On the payment field: switch between desk and card", scope: .booking, inFooter: false),
        Command(id: .submitBooking, keys: [.enter, .function(9)], label: "Book",
                description: "Book; after a failure, again with the details kept",
                scope: .booking, inFooter: true),
        Command(id: .nextFreeRoom, keys: [.alt("n")], label: "Other room",
                description: "The next free room of the same type",
                scope: .booking, inFooter: true),
        Command(id: .clearGuest, keys: [.control("u")], label: "New guest",
                description: "Empty the guest's details, for another guest",
                scope: .booking, inFooter: false),
    ]

    /// The one rule for keys, in the help overlay, the README and DECISIONS.md.
    public static let rule = [
        "Typed text never acts: in lists it goes to the find field; commands",
        "use F/Alt keys. Changes ask first, on No: → then Enter says yes.",
    ]

    /// The keys of a question (drawn in its box).
    /// The button a question's `confirmChoose` key leaves chosen: ← is No, → is Yes, Tab switches.
    static func answer(after key: Key, wasYes: Bool) -> Bool {
        switch key {
        case .left: false
        case .right: true
        default: !wasYes
        }
    }

    static let confirmCommands: [Command] = [
        Command(id: .confirmChoose, keys: [.left, .right, .tab, .backTab], label: "No/Yes",
                description: "Move between No and Yes (it starts on No)", scope: .confirm, inFooter: true),
        Command(id: .confirmAnswer, keys: [.enter], label: "Answer", description: "Answer with the chosen button",
                scope: .confirm, inFooter: true),
        Command(id: .confirmNo, keys: [.escape], label: "No", description: "No: change nothing", scope: .confirm, inFooter: true),
    ]

    static let listCommands: [Command] = [Scope.bookings, .today].flatMap { scope in [
        Command(id: .switchFocus, keys: [.tab, .backTab], label: "Find/list", description: "Between the find field and the list",
                scope: scope, inFooter: false),
        Command(id: .moveSelection, keys: [.up, .down], label: "Move", description: "Previous or next booking", scope: scope,
                inFooter: false),
        Command(id: .movePage, keys: [.pageUp, .pageDown], label: "Page", description: "A page of bookings up or down",
                scope: scope, inFooter: false),
        Command(id: .moveToEnd, keys: [.home, .end], label: "First/last", description: "First or last booking", scope: scope,
                inFooter: false),
        Command(id: .clearFind, keys: [.control("u")], label: "Clear", description: "Empty the find field: the whole list again",
                scope: scope, inFooter: false),
    ] + (scope == .today ? [
        Command(id: .jumpToSection, keys: [.alt("1"), .alt("2"), .alt("3")], label: "Arr/Dep/In",
                description: "To the arrivals, departures or staying on", scope: scope, inFooter: true),
    ] : []) + [
        Command(id: .checkIn, keys: [.alt("i")], label: "Check in", description: "Check the chosen guest in (asks first)",
                scope: scope, inFooter: true),
        Command(id: .checkOut, keys: [.alt("o")], label: "Check out", description: "Check the chosen guest out (asks first)",
                scope: scope, inFooter: true),
        Command(id: .cancelBooking, keys: [.alt("c")], label: "Cancel",
                description: "Cancel the booking (asks first; says if it refunds)", scope: scope, inFooter: true),
        Command(id: .editBooking, keys: [.alt("e")], label: "Edit",
                description: "Edit the booking: guest, guests, dates, a note (a form, filled in)", scope: scope, inFooter: false,
                inHelp: false),
        Command(id: .moveBooking, keys: [.alt("m")], label: "Move",
                description: "Move the guest to another room (type its number; asks first)", scope: scope, inFooter: false,
                inHelp: false),
        Command(id: .noShow, keys: [.alt("n")], label: "No-show",
                description: "Mark an arrival who never came a no-show (asks first)", scope: scope, inFooter: false,
                inHelp: false),
        Command(id: .undoChange, keys: [.alt("u")], label: "Undo",
                description: "Undo today's check-in or check-out of the booking, or its no-show (asks first)", scope: scope, inFooter: false,
                inHelp: false),
        // The four above on one line of the help overlay (never matched first: they come before it).
        Command(id: .changeKeys, keys: [.alt("e"), .alt("m"), .alt("n"), .alt("u")], label: "Change",
                description: "Edit, move, no-show, undo check-in/out/no-show", scope: scope, inFooter: false,
                helpKeys: "Alt-e/m/n/u"),
    ] }

    /// The keys of the edit form.
    static let editCommands: [Command] = [
        Command(id: .nextField, keys: [.tab, .down], label: "Next", description: "Next field", scope: .edit, inFooter: true),
        Command(id: .previousField, keys: [.backTab, .up], label: "Previous", description: "Previous field", scope: .edit,
                inFooter: false),
        Command(id: .saveEdit, keys: [.enter, .function(9)], label: "Save", description: "Save the changes (one change, audited)",
                scope: .edit, inFooter: true),
        Command(id: .back, keys: [.escape], label: "Close", description: "Close the form; nothing changes", scope: .edit,
                inFooter: true),
    ]

    /// The keys of the move prompt (its line names them too); the list's keys do nothing under it.
    static let movePromptCommands: [Command] = [
        Command(id: .confirmAnswer, keys: [.enter], label: "Ask first", description: "Ask first, naming the guest and both rooms",
                scope: .movePrompt, inFooter: true),
        Command(id: .back, keys: [.escape], label: "Close", description: "Close the prompt; nothing changes", scope: .movePrompt,
                inFooter: true),
    ]

    /// Moving over the rooms (and the types no room has), on either Rooms screen.
    static func roomMoves(in scope: Scope) -> [Command] { [
        Command(id: .moveSelection, keys: [.up, .down], label: "Move", description: "Previous or next room", scope: scope,
                inFooter: false),
        Command(id: .movePage, keys: [.pageUp, .pageDown], label: "Page", description: "A page of rooms up or down",
                scope: scope, inFooter: false),
        Command(id: .moveToEnd, keys: [.home, .end], label: "First/last", description: "First or last room", scope: scope,
                inFooter: false),
    ] }

    static let roomCommands: [Command] = roomMoves(in: .rooms) + [
        Command(id: .newRoom, keys: [.alt("n")], label: "New room", description: "Add a room (number and type)",
                scope: .rooms, inFooter: true),
        Command(id: .renameRoom, keys: [.alt("u")], label: "Renumber", description: "Give the chosen room a new number",
                scope: .rooms, inFooter: true),
        Command(id: .toggleRoomActive, keys: [.alt("x")], label: "In/out of service",
                description: "Take the chosen room out of service, or back in", scope: .rooms, inFooter: true),
        Command(id: .moveBookingsOff, keys: [.enter], label: "Move them",
                description: "After Alt-x is refused: move the room's next booking", scope: .rooms, inFooter: false),
        Command(id: .newRoomType, keys: [.alt("y")], label: "New type",
                description: "Add a room type (name, guests it sleeps, base price)", scope: .rooms, inFooter: true),
        // Off the footer: at 120 columns it took the place of F2 and F3 (F1 lists it).
        Command(id: .changeRoomType, keys: [.alt("e")], label: "Edit type",
                description: "Edit the type of the chosen room (name, guests, base price)",
                scope: .rooms, inFooter: false),
    ]

    /// A connected desk's Rooms screen: its rooms are the booking server's, shown as the desk's
    /// replica has them. The change keys are one line of the help, saying where rooms change, and
    /// none is in the footer: pressed, they say it on the screen and open no form.
    static let shownRoomCommands: [Command] = roomMoves(in: .roomsShown) + [
        Command(id: .roomChangesRefused, keys: [.alt("n"), .alt("u"), .alt("x"), .alt("y"), .alt("e")], label: "On the server",
                description: "Changes to rooms and types: made on the booking server", scope: .roomsShown, inFooter: false,
                helpKeys: "Alt-n/u/x/y/e"),
    ]

    static let roomPlanCommands: [Command] = [
        Command(id: .moveSelection, keys: [.up, .down], label: "Move", description: "Room above or below", scope: .roomPlan,
                inFooter: false),
        Command(id: .cellLeft, keys: [.left], label: "Left", description: "Night before", scope: .roomPlan, inFooter: false),
        Command(id: .cellRight, keys: [.right], label: "Right", description: "Night after", scope: .roomPlan, inFooter: false),
        Command(id: .previousWeek, keys: [.pageUp], label: "Week back", description: "A week earlier", scope: .roomPlan,
                inFooter: false),
        Command(id: .nextWeek, keys: [.pageDown], label: "Week on", description: "A week later", scope: .roomPlan,
                inFooter: false),
        Command(id: .openCell, keys: [.enter], label: "Book/open",
                description: "Book the free night(s), or open the stay's booking",
                scope: .roomPlan, inFooter: true),
        Command(id: .markNights, keys: [.alt("m")], label: "Mark",
                description: "Mark a first night; on a stay: mark it to move",
                scope: .roomPlan, inFooter: false),
        Command(id: .goToDate, keys: [.alt("g")], label: "Go to", description: "Jump to a date (or just type it)",
                scope: .roomPlan, inFooter: true),
        Command(id: .goToToday, keys: [.home], label: "Tonight", description: "Jump to the first night on sale (before 06:00: last night)",
                scope: .roomPlan, inFooter: true),
    ]

    static let dashboardCommands: [Command] = [
        Command(id: .moveSelection, keys: [.up, .down], label: "Scroll", description: "Scroll the nights up or down",
                scope: .dashboard, inFooter: false),
        Command(id: .previousRange, keys: [.pageUp], label: "Earlier", description: "The same number of nights, earlier",
                scope: .dashboard, inFooter: false),
        Command(id: .nextRange, keys: [.pageDown], label: "Later", description: "The same number of nights, later",
                scope: .dashboard, inFooter: false),
        Command(id: .chooseRange, keys: [.alt("g")], label: "Range",
                description: "Choose nights: date and count, or two dates (or type)", scope: .dashboard,
                inFooter: true),
        Command(id: .goToToday, keys: [.home], label: "Next 30",
                description: "Back to the next 30 nights from the business date", scope: .dashboard, inFooter: false),
        Command(id: .chartMeasure, keys: [.alt("m")], label: "Chart",
                description: "Chart occupancy, revenue, ADR or RevPAR", scope: .dashboard, inFooter: true),
        Command(id: .exportCSV, keys: [.alt("e")], label: "Export CSV",
                description: "Write the nights to a CSV file (the path is shown)", scope: .dashboard, inFooter: true),
    ]

    static let conflictCommands: [Command] = [
        Command(id: .conflictsScreen, keys: [.function(8), .alt("f")], label: "Conflicts",
                description: "Bookings the server refused: move or cancel", scope: .conflicts,
                inFooter: false),
        Command(id: .moveSelection, keys: [.up, .down], label: "Move", description: "Previous or next conflict", scope: .conflicts,
                inFooter: false),
        Command(id: .movePage, keys: [.pageUp, .pageDown], label: "Page", description: "A page of conflicts up or down",
                scope: .conflicts, inFooter: false),
        Command(id: .moveToEnd, keys: [.home, .end], label: "First/last", description: "First or last conflict", scope: .conflicts,
                inFooter: false),
        Command(id: .resolveByMove, keys: [.alt("m")], label: "Move guest",
                description: "Move the guest to the first room offered (asks first)", scope: .conflicts, inFooter: true),
        Command(id: .resolveByCancel, keys: [.alt("c")], label: "Cancel",
                description: "Cancel it, refunding what it paid (asks first)", scope: .conflicts, inFooter: true),
        Command(id: .resolveByKeepingServer, keys: [.alt("k")], label: "Keep server's",
                description: "Keep the server's version, drop this desk's change (asks)", scope: .conflicts, inFooter: true),
        Command(id: .resolveByReapplying, keys: [.alt("a")], label: "Re-apply",
                description: "Redo this desk's change on the server's version (asks)", scope: .conflicts, inFooter: true),
    ]

    public static func command(for key: Key, in scope: Scope) -> CommandID? {
        (all.first { $0.scope == scope && $0.keys.contains(key) } ?? all.first { $0.scope == .everywhere && $0.keys.contains(key) })?.id
    }

    /// This screen's own keys first (they matter most and must not be cut), then quit (no letter
    /// quits), then the other global ones.
    public static func footer(for scope: Scope) -> [Command] {
        let global = all.filter { $0.inFooter && $0.scope == .everywhere }
        return all.filter { $0.inFooter && $0.scope == scope } + global.filter { $0.id == .quit } + global.filter { $0.id != .quit }
    }
}
