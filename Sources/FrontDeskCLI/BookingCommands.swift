import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskPayments
import FrontDeskStore
import FrontDeskTerminal

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "search", abstract: "Find rooms free for a stay, cheapest first.")

    @OptionGroup var common: CommonOptions
    @Option(name: .customLong("check-in"), help: "Arrival date, YYYY-MM-DD (default: the business date).")
    var checkIn: String?
    @Option(name: .customLong("check-out"), help: "Departure date, YYYY-MM-DD (default: after --nights).")
    var checkOut: String?
    @Option(help: "Nights, when --check-out is not given (default 1).")
    var nights: Int?
    @Option(help: "Number of guests (default 1).")
    var guests: String = "1"

    func run() throws {
        try common.run { store in
            let result = try store.search(checkIn: checkIn, checkOut: checkOut, nights: nights, guests: guests)
            let (query, offers, currency) = (result.query, result.offers, result.hotel.currency)
            // From the business date (the default) before 06:00: the night under way is on sale too.
            var nightUnderWay: CalendarDate?
            if checkIn == nil && !common.json { nightUnderWay = try store.nightUnderWay() }
            let stillOnSale = Output.nightStillOnSaleLine(nightUnderWay: nightUnderWay)
            return Output.Result(json: result.json, textWhenShown: {
                var table = TextTable(headers: ["Room", "Type", "Sleeps", "Avg/night", "Total"], rightAligned: [2, 3, 4])
                table.rows = offers.map { offer in
                    [offer.room.number, offer.roomType.name, String(offer.roomType.capacity),
                     offer.totalPrice.divided(by: offer.nightlyPrices.count).plain, offer.totalPrice.plain]
                }
                let heading = "\(offers.count) room\(offers.count == 1 ? "" : "s") free from \(query.stay.checkIn) to \(query.stay.checkOut) "
                    + "(\(query.stay.nightCount) night\(query.stay.nightCount == 1 ? "" : "s")) for \(query.guestCount) guest\(query.guestCount == 1 ? "" : "s"), prices in \(currency)"
                // Rooms an overstaying guest still sleeps in tonight: named, not silently missing.
                let withheld = result.withheld.map { "\n" + Output.safe($0.explanation) }.joined()
                let listed = (offers.isEmpty ? heading : heading + "\n\n" + table.safeRendered) + (withheld.isEmpty ? "" : "\n" + withheld)
                return listed + (stillOnSale.map { "\n\n" + $0 } ?? "")
            })
        }
    }
}

struct Book: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "book", abstract: "Book a room for a guest.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Room number.") var room: String = ""
    @Option(name: .customLong("check-in"), help: "Arrival date, YYYY-MM-DD.") var checkIn: String = ""
    @Option(name: .customLong("check-out"), help: "Departure date, YYYY-MM-DD.") var checkOut: String = ""
    @Option(help: "Number of guests, 1 to 10.") var guests: String = ""
    @Option(name: .customLong("guest-name"), help: "The guest's full name.") var guestName: String = ""
    @Option(help: "The guest's e-mail address.") var email: String = ""
    @Option(help: "The guest's phone number (optional).") var phone: String = ""
    @Option(name: .customLong("request-id"), help: "Idempotency key (UUID): repeating it returns the first booking.")
    var requestId: String?
    @Option(help: "desk (cash or card terminal, settled at once) or card (through the payment service).")
    var payment: String = "desk"
    @Option(help: "Card number, with --payment card; `-` reads it from one line of standard input, where `ps` cannot see it.")
    var card: String?
    @Flag(help: "Return only once the booking is final (Confirmed or Failed).") var wait = false

    func run() throws {
        var failed: Booking?
        try common.run { store in
            var problems: [String] = []
            var requestUUID: UUID?
            if let requestId {
                requestUUID = UUID(uuidString: requestId.trimmingWhitespace())
                if requestUUID == nil { problems.append("Request id \(BookingRules.quoted(requestId)) is not a UUID") }
            }
            var instruction = PaymentInstruction.desk
            var cardNumber = card
            if card == "-" {
                // One line of standard input: the number never appears among the process's arguments.
                cardNumber = SecretInput.readLine(prompt: "Card number: ")?.trimmingWhitespace()
                if cardNumber?.isEmpty ?? true { problems.append("--card - reads the card number from standard input, which gave none") }
            }
            if card != "-" || !(cardNumber ?? "").isEmpty {
                do { instruction = try PaymentInstruction.parse(method: payment, card: cardNumber) } catch let error as FrontDeskError {
                    problems += error.details
                }
            }
            // A number typed for a desk payment would be dropped in silence, the guest believing
            // their card was charged.
            if card != nil && instruction.method == .desk && problems.isEmpty {
                problems.append("--card is for --payment card; this booking would be paid at the desk (add --payment card, or leave out --card)")
            }
            // A connected desk (issue 12) writes through its server, whose payment service charges
            // a card (online only: never offline).
            let connected = problems.isEmpty ? try ConnectedDesk.open(store, common: common) : nil
            // Only a card payment on a standalone desk needs the payment service: a desk payment works with none, or a broken address.
            let gateway = instruction.method == .card && connected == nil ? try common.paymentGateway() : nil
            if instruction.method == .card && connected == nil && gateway == nil {
                let settings = DeskSettings.load()
                problems.append(PaymentSetup.missing(settingsFile: DeskSettings.filePath(ProcessInfo.processInfo.environment))
                    + (settings.notice.map { " (\($0))" } ?? ""))
            }
            if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
            let form = BookingForm(roomNumber: room, checkIn: checkIn, checkOut: checkOut, guests: guests,
                                   guestName: guestName, email: email, phone: phone)
            var booking: Booking
            if let connected, instruction.method == .card, let number = instruction.cardNumber {
                booking = try connected.bookCard(form, requestId: requestUUID, cardNumber: number, wait: wait, by: common.userName)
                // Checked in (or out) since, for a retry under the request id: it was confirmed.
                if wait && !BookingStatus.sold.contains(booking.status) && booking.status != .reserving && booking.status != .processingPayment {
                    failed = booking
                }
            } else if let connected {
                booking = try connected.book(form, requestId: requestUUID, payment: instruction, by: common.userName)
            } else if wait && instruction.method == .desk {
                // Nothing to wait for but the desk's own steps: held and confirmed in one commit.
                booking = try store.reserveConfirmedAtDesk(form, requestId: requestUUID, by: common.userName)
            } else {
                booking = try store.reserve(form, requestId: requestUUID, payment: instruction, by: common.userName)
            }
            // A retry under the request id of a booking since checked in (or out) answers it as it
            // is now: it was confirmed, so there is nothing to wait for and nothing failed.
            let confirmedHere = connected == nil && wait && instruction.method == .desk && BookingStatus.sold.contains(booking.status)
            let paidThroughServer = connected != nil && instruction.method == .card
            if wait && !confirmedHere && !paidThroughServer
                && (connected == nil || [BookingStatus.reserving, .processingPayment].contains(booking.status)) {
                booking = try SagaRunner(store: store, gateway: gateway).runUntilSettled(booking)
                if !BookingStatus.sold.contains(booking.status) { failed = booking }
            }
            // The text, and the hotel's currency it names, only when it is printed: not with `--json`.
            var result = Output.Result(json: connected == nil ? booking.json : ConnectedDesk.json(booking, store: store),
                                       text: common.json ? "" : Output.bookingText(booking, currency: try store.hotel()?.currency ?? ""))
            if !wait && booking.status == .reserving && connected == nil && !common.json {
                // The hold lapses unless a saga runner takes it on: say which, and how to finish now.
                result.text += "\n  Held for now: the desk's saga runner (the full-screen desk, or `frontdesk saga run`) "
                    + "completes it before the hold ends; `--wait` completes it at once"
            }
            if !common.json, let line = Output.bookNightLine(booking, nightUnderWay: try store.nightUnderWay(), isUnsold: {
                (try? store.nightIsUnsold($0, inRoomOf: booking)) ?? false
            }) {
                // A stay from the business date before 06:00: the night under way is not in it.
                result.text += "\n  " + line
            }
            if let number = instruction.cardNumber {
                // The card as it may be shown: its last four digits.
                result.text += "\n  Card    \(CardNumber.masked(number))"
                if case .object(let fields) = result.json { result.json = .object(fields + [("card", .string(CardNumber.masked(number)))]) }
            }
            return result
        }
        if let failed {
            var standardError = FileHandle.standardError
            print("error: booking \(failed.confirmationCode) \(failed.status.rawValue.lowercased()): \(Output.safe(failed.statusReason ?? "no reason given"))",
                  to: &standardError)
            throw CommandFailure(exitCode: Output.bookingFailedExitCode)
        }
    }
}

struct Bookings: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bookings",
        abstract: "List bookings, by dates, status or guest.",
        discussion: "Current and coming stays first (today's arrivals, guests in house, then by arrival), then past stays, newest first.")

    @OptionGroup var common: CommonOptions
    @Option(help: "Stays that end on or after this date.") var from: String?
    @Option(help: "Stays that begin on or before this date.") var to: String?
    @Option(help: "Reserving, ProcessingPayment, Confirmed, CheckedIn, CheckedOut, Failed, Cancelled or NoShow.") var status: String?
    @Option(help: "Part of the guest's name, e-mail or phone number (digits, however written), or a confirmation code.") var guest: String?
    @Option(help: "At most this many bookings.") var limit: Int?

    func run() throws {
        try common.run { store in
            var problems: [String] = []
            let fromDate = from.flatMap { BookingRules.parseDate($0, field: "--from", into: &problems) }
            let toDate = to.flatMap { BookingRules.parseDate($0, field: "--to", into: &problems) }
            let statusValue = status.flatMap(BookingStatus.init(loose:))
            if status != nil && statusValue == nil {
                problems.append("Status \(BookingRules.quoted(status!)) is unknown (use one of \(BookingStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            if let fromDate, let toDate, toDate < fromDate {
                problems.append("--to \(toDate) is before --from \(fromDate): no stay could match")
            }
            if let limit, limit < 1 { problems.append("--limit must be at least 1") }
            if let guest, let problem = TextRules.problem(in: guest, field: "--guest", maximum: BookingRules.maximumEmailLength) {
                problems.append(problem)
            }
            if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
            let matches = try store.findBookings(BookingFilter(from: fromDate, to: toDate, status: statusValue, guestText: guest, limit: limit))
            let found = matches.bookings
            var table = TextTable(headers: ["Code", "Status", "Room", "Arrive", "Depart", "Guest", "Total"], rightAligned: [6])
            table.rows = found.map {
                [$0.confirmationCode, $0.status.rawValue, $0.roomNumber, $0.stay.checkIn.iso, $0.stay.checkOut.iso,
                 $0.guest.name, $0.totalPrice.plain]
            }
            let count = matches.truncated
                ? "showing \(found.count) of \(matches.total) bookings (--limit)"
                : "\(found.count) booking\(found.count == 1 ? "" : "s")"
            return Output.Result(json: .object([("bookings", .array(ConnectedDesk.withSync(found, store: store))), ("total", .int(matches.total)),
                                                ("truncated", .bool(matches.truncated))]),
                                 text: found.isEmpty ? "No bookings match." : table.safeRendered + "\n\n\(count)")
        }
    }
}

/// The commands that take one booking by id or confirmation code and change or show it.
protocol SingleBookingCommand: ParsableCommand {
    var common: CommonOptions { get }
    var reference: String { get }
    func apply(_ store: FrontDeskStore) throws -> Booking
    /// A line said under the booking's text (not in the JSON) after `apply`; nil: none.
    func note(after booking: Booking, _ store: FrontDeskStore) throws -> String?
}

extension SingleBookingCommand {
    func note(after booking: Booking, _ store: FrontDeskStore) throws -> String? { nil }

    func run() throws {
        try common.run { store in
            // What the change recorded says what the booking alone does not: money to collect or
            // pay back at the desk, a refund, nights given back by an early check-out. Said on
            // stderr, beside the answer: a replay under the same request id answers the same
            // booking on stdout and records nothing new.
            let lastBefore = self is Show ? 0 : Output.lastAuditEntry(store, reference)
            let booking = try apply(store)
            if !(self is Show) { Output.sayRecorded(store, booking.id.uuidString, since: lastBefore) }
            var text = Output.bookingText(booking, currency: try store.hotel()?.currency ?? "")
            if !common.json, let line = try note(after: booking, store) { text += "\n  " + line }
            return Output.Result(json: ConnectedDesk.json(booking, store: store), text: text)
        }
    }
}

struct Show: SingleBookingCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one booking.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    func apply(_ store: FrontDeskStore) throws -> Booking { try store.booking(reference) }
}

struct Cancel: SingleBookingCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a booking and free its room.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @Option(help: "Why, for the audit trail.") var reason: String?
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        var request = try change.request(common)
        request.channel = .commandLine
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.change(.cancel, reference, reason: reason, request)
        }
        // A bad payment address is refused before anything is written; a desk-paid booking never needs one.
        let paidByCard = try store.saga(reference).paymentMethod == .card
        let gateway = paidByCard ? try common.paymentGateway() : nil
        let booking = try store.cancel(reference, reason: reason, request)
        // A card refund is the runner's work; do it here too, so the command ends with it done.
        if let gateway { try SagaRunner(store: store, gateway: gateway).runUntilRefunded(booking) }
        if paidByCard && gateway == nil {
            // Not silent: with no payment service here the refund waits for one.
            FileHandle.standardError.write(Data(("The card refund waits: card payments are not set up on this desk; "
                + "a saga runner refunds it once payment_url or FRONTDESK_PAYMENT_URL is set\n").utf8))
        }
        return booking
    }
}

struct CheckIn: SingleBookingCommand {
    static let configuration = CommandConfiguration(commandName: "check-in", abstract: "Check a guest in.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.change(.checkIn, reference, reason: nil, try change.request(common))
        }
        return try store.checkIn(reference, try change.request(common))
    }
    /// Before 06:00, on a stay from the business date: the night under way the guest sleeps is not sold.
    func note(after booking: Booking, _ store: FrontDeskStore) throws -> String? {
        Output.checkInNightLine(booking, nightUnderWay: try store.nightUnderWay(), isUnsold: {
            (try? store.nightIsUnsold($0, inRoomOf: booking)) ?? false
        })
    }
}

struct CheckOut: SingleBookingCommand {
    static let configuration = CommandConfiguration(commandName: "check-out", abstract: "Check a guest out.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.change(.checkOut, reference, reason: nil, try change.request(common))
        }
        return try store.checkOut(reference, try change.request(common))
    }
}

/// `--request-id` and `--expected-version`, taken by every change of a booking.
struct ChangeOptions: ParsableArguments {
    @Option(name: .customLong("request-id"), help: "Idempotency key (UUID): repeating the change with it changes nothing and prints the booking.")
    var requestId: String?
    @Option(name: .customLong("expected-version"), help: "The booking's version the change is based on; a newer one refuses it (conflict).")
    var expectedVersion: Int?

    func request(_ common: CommonOptions) throws -> ChangeRequest {
        var problems: [String] = []
        var id: UUID?
        if let requestId {
            id = UUID(uuidString: requestId.trimmingCharacters(in: .whitespaces))
            if id == nil { problems.append("Request id \(BookingRules.quoted(requestId)) is not a UUID") }
        }
        if let expectedVersion, expectedVersion < 1 { problems.append("--expected-version must be at least 1") }
        if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
        return ChangeRequest(requestId: id, expectedVersion: expectedVersion, user: common.userName, channel: .commandLine)
    }
}

struct Change: SingleBookingCommand {
    static let configuration = CommandConfiguration(
        commandName: "change", abstract: "Change a booking: the guest's details, a note, or the stay.",
        discussion: """
            Only the options given change. A new stay keeps the price of the nights it keeps; new nights are priced by \
            today's rules and claimed, dropped ones released, all at once or not at all.
            """)
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @Option(name: .customLong("guest-name"), help: "The guest's full name.") var guestName: String?
    @Option(help: "The guest's e-mail address.") var email: String?
    @Option(help: "The guest's phone number (an empty value removes it).") var phone: String?
    @Option(help: "Number of guests, within the room's capacity.") var guests: String?
    @Option(help: "A note or request to add to the booking (e.g. \"late arrival\").") var note: String?
    @Option(name: .customLong("check-in"), help: "New arrival date, YYYY-MM-DD.") var checkIn: String?
    @Option(name: .customLong("check-out"), help: "New departure date, YYYY-MM-DD.") var checkOut: String?
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        let edit = BookingEdit(guestName: guestName, email: email, phone: phone, guests: guests, note: note,
                               checkIn: checkIn, checkOut: checkOut)
        if edit.isEmpty {
            throw FrontDeskError.validationFailed(["Nothing to change: give --guest-name, --email, --phone, --guests, --note, --check-in or --check-out"])
        }
        // A connected desk (issue 12) changes through its server; offline, here and queued.
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.edit(reference, edit, try change.request(common))
        }
        return try store.changeBooking(reference, edit, try change.request(common))
    }
}

struct Move: SingleBookingCommand {
    static let configuration = CommandConfiguration(
        commandName: "move", abstract: "Move a booking to another room.",
        discussion: "Before arrival every night moves; for a guest in house, the nights from tonight on. The price stays unless --reprice.")
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @Option(help: "The room to move to.") var room: String
    @Option(help: "Why, for the audit trail.") var reason: String?
    @Flag(help: "Price the moved nights at the new room's rate (by default the price stays; an upgrade is free).") var reprice = false
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        // A connected desk (issue 12) moves through its server; offline, here and queued.
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.move(reference, toRoom: room, reason: reason, reprice: reprice, try change.request(common))
        }
        return try store.move(reference, toRoom: room, reason: reason, reprice: reprice, try change.request(common))
    }
}

struct NoShow: SingleBookingCommand {
    static let configuration = CommandConfiguration(
        commandName: "no-show", abstract: "Mark a Confirmed arrival who never came.",
        discussion: """
            Allowed once the arrival day has passed, or on it from the hotel's cut-off hour (hotel configure \
            --no-show-cutoff, default 18:00). The remaining nights are freed; the first stays charged unless the \
            hotel's no-show fee is none.
            """)
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        // A connected desk (issue 12) changes through its server; offline, here and queued.
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.changeReservation(.noShow, reference, reason: nil, try change.request(common))
        }
        return try store.markNoShow(reference, try change.request(common))
    }
}

struct UndoCheckIn: SingleBookingCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo-check-in", abstract: "Take back a check-in made today (the booking is Confirmed again).")
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @Option(help: "Why, for the audit trail.") var reason: String?
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.changeReservation(.undoCheckIn, reference, reason: reason, try change.request(common))
        }
        return try store.undoCheckIn(reference, reason: reason, try change.request(common))
    }
}

struct UndoNoShow: SingleBookingCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo-no-show", abstract: "Take back a no-show: the guest came after all (Confirmed again, to be checked in).",
        discussion: """
            Allowed while the stay has a night left: from tonight, or, until 06:00, from the night under way for a guest \
            who comes after midnight. The nights the no-show gave back are taken again; if one was sold since, nothing \
            changes (exit 4).
            """)
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @Option(help: "Why, for the audit trail.") var reason: String?
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.changeReservation(.undoNoShow, reference, reason: reason, try change.request(common))
        }
        return try store.undoNoShow(reference, reason: reason, try change.request(common))
    }
}

struct UndoCheckOut: SingleBookingCommand {
    static let configuration = CommandConfiguration(
        commandName: "undo-check-out", abstract: "Take back a check-out made today (the guest is checked in again).")
    @OptionGroup var common: CommonOptions
    @Argument(help: "Booking id or confirmation code.") var reference: String
    @Option(help: "Why, for the audit trail.") var reason: String?
    @OptionGroup var change: ChangeOptions
    func apply(_ store: FrontDeskStore) throws -> Booking {
        if let connected = try ConnectedDesk.open(store, common: common) {
            return try connected.changeReservation(.undoCheckOut, reference, reason: reason, try change.request(common))
        }
        return try store.undoCheckOut(reference, reason: reason, try change.request(common))
    }
}
