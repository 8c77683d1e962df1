import Foundation

// The server's rules for a desk's pushed operations (issue 12, docs/sync-protocol.md), written
// once for SQLite (FrontDeskStore/SyncServer.swift) and PostgreSQL (FrontDeskPostgres/PostgresSync.swift):
// what an operation's content is (its fingerprint), what it must carry, which rules date a desk's
// booking is checked against, and how a refusal is answered.

extension SyncWire {
    /// The change feed's events for property changes: a changes page sends the property whole
    /// when one of these is in its range.
    public static let propertyEvents = ["HotelChanged", "RoomTypeChanged", "RoomChanged"]
}

/// Why an operation is answered `conflict` or `rejected`.
public struct SyncRefusal: Error, Sendable {
    public let outcome: SyncOutcome.Kind
    public let code: String
    public let message: String
    public var suggestedRooms: [WireSuggestedRoom]?

    public init(outcome: SyncOutcome.Kind, code: String, message: String, suggestedRooms: [WireSuggestedRoom]? = nil) {
        self.outcome = outcome
        self.code = code
        self.message = message
        self.suggestedRooms = suggestedRooms
    }

    /// The answer to a refused operation, or nil for an error that is not the operation's fault
    /// (the database): that fails the push.
    public static func of(_ error: any Error) -> SyncRefusal? {
        if let refusal = error as? SyncRefusal { return refusal }
        guard let error = error as? FrontDeskError else { return nil }
        switch error {
        case .roomUnavailable(let message): return SyncRefusal(outcome: .conflict, code: "room_unavailable", message: message)
        case .staleVersion(let message): return SyncRefusal(outcome: .conflict, code: "stale_version", message: message)
        default: return SyncRefusal(outcome: .rejected, code: error.code, message: error.message)
        }
    }

    /// An operation on a booking whose latest earlier operation was refused (a conflict, or
    /// rejected) was made on a state the server never had: it is a conflict too. `latestOutcome`
    /// is the stored outcome of that booking's latest pushed operation (nil: none).
    public static func requireNoEarlierRefusal(of bookingId: UUID, latestOutcome: String?) throws(SyncRefusal) {
        if let latestOutcome, latestOutcome != SyncOutcome.Kind.accepted.rawValue { throw dependsOnConflict(bookingId) }
    }

    /// The same id pushed before with other content.
    public static func pushedBefore(_ operationId: String) -> SyncOutcome {
        SyncOutcome(operationId: operationId, outcome: .rejected, code: "conflict",
                    message: "Operation \(operationId) was pushed before with other content")
    }

    /// An operation on a booking whose latest earlier operation was not accepted.
    public static func dependsOnConflict(_ bookingId: UUID) -> SyncRefusal {
        SyncRefusal(outcome: .conflict, code: "depends_on_conflict",
                    message: "An earlier change to booking \(SyncWire.lowercaseText(bookingId)) was refused; this one waits until "
                        + "that is resolved (on the desk: frontdesk conflicts)")
    }

    public func outcome(for operation: SyncOperation) -> SyncOutcome {
        SyncOutcome(operationId: operation.operationId, outcome: outcome, code: code, message: message, suggestedRooms: suggestedRooms)
    }
}

extension SyncOperation {
    /// The operation's content as canonical text: the same id must come with the same content.
    public var fingerprint: String {
        // The fields joined by U+001F, their UTF-8 bytes appended to one buffer made once (a pushed
        // booking's fingerprint as an array of strings joined cost 16,000 instructions, callgrind,
        // issue 12).
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        var first = operationId
        first.withUTF8 { bytes.append(contentsOf: $0) }
        func field(_ value: String) {
            bytes.append(0x1F)
            var value = value
            value.withUTF8 { bytes.append(contentsOf: $0) }
        }
        field(kind.rawValue)
        field(bookingId)
        field(baseVersion.map(String.init) ?? "-")
        field(madeAt)
        field(by)
        field(reason ?? "-")
        if let book {
            field(book.roomId); field(book.roomNumber); field(book.checkIn); field(book.checkOut); field(String(book.guests))
            field(book.guestName); field(book.email); field(book.phone ?? "-"); field(book.confirmation); field(book.payment)
            field(String(book.totalCents))
        }
        // Appended only when present: the fingerprints of the other kinds stay as recorded.
        if let move {
            field("move"); field(move.roomId); field(move.roomNumber); field(move.reprice ? "reprice" : "-")
        }
        if let edit {
            field("edit"); field(edit.fingerprint)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `earlier`, the fingerprint kept for this operation's id, names the same request. A
    /// desk that plans a retried request again (the same request id from the command line) makes
    /// it at another instant, maybe on a booking it has seen change since, and a booking with an
    /// id and a code of its own; none of those make it another request, so the retry is answered
    /// with the first answer. Anything else in it differing is another request under a used id.
    public func isRetry(ofFingerprint earlier: String) -> Bool {
        let current = fingerprint
        if earlier == current { return true }
        // The fields after the id, which may itself hold anything (the client makes it).
        let separator: Character = "\u{1F}"
        let prefix = operationId + String(separator)
        guard earlier.hasPrefix(prefix), current.hasPrefix(prefix) else { return false }
        var before = earlier.dropFirst(prefix.count).split(separator: separator, omittingEmptySubsequences: false)
        var now = current.dropFirst(prefix.count).split(separator: separator, omittingEmptySubsequences: false)
        guard before.count == now.count, before.count > 3 else { return false }
        // After the id: kind 0, bookingId 1, baseVersion 2, madeAt 3, by 4, reason 5; a book's
        // confirmation 14 and total 16 (the server prices a booking again anyway).
        var ignored = [2, 3]
        if kind == .book { ignored += [1, 14, 16] }
        for index in ignored where index < before.count {
            before[index] = ""
            now[index] = ""
        }
        return before == now
    }

    /// The booking the operation is about, once its ids are checked.
    public func checkedBookingId() throws(FrontDeskError) -> UUID {
        guard !operationId.isEmpty, operationId.count <= 200 else {
            throw .validationFailed(["operationId must be 1 to 200 characters"])
        }
        guard let id = SyncWire.parseUUID(bookingId) else {
            throw .validationFailed(["bookingId \(BookingRules.quoted(bookingId)) is not an id"])
        }
        return id
    }

    /// Whether a check-in, check-out or move may rest on an operation the server refused: not
    /// when it was made on the booking as the server has it now (`current`: its version, nil
    /// when the hotel has no such booking).
    public func mayDependOnRefusal(currentVersion current: Int?) -> Bool {
        current == nil || baseVersion != current
    }

    /// The reason of a cancel, checked, or the desk's default.
    public func cancellationReason(user: String) throws(FrontDeskError) -> String {
        try BookingRules.checkReason(reason)
        return BookingRules.givenReason(reason) ?? Channel.desk.defaultCancellationReason(by: by.isEmpty ? user : by)
    }

    /// The reason of an undo (an undone check-in, check-out or no-show), checked, or the desk's default.
    public func undoReason(user: String) throws(FrontDeskError) -> String {
        try BookingRules.undoReason(reason, kind.undoneWhat ?? "Change", channel: .desk, by: by.isEmpty ? user : by)
    }

    /// What an `edit` must carry: at least one field.
    public func checkedEdit() throws(FrontDeskError) -> BookingEdit {
        guard let edit, !edit.isEmpty else { throw .validationFailed(["An edit operation needs what it changes (edit)"]) }
        return edit
    }

    /// What a `move` must carry, with its reason checked.
    public func checkedMove() throws(FrontDeskError) -> Move {
        guard let move else { throw .validationFailed(["A move operation needs its room (move)"]) }
        try BookingRules.checkReason(reason)
        return move
    }

    /// The room of a move that is not a room of this hotel.
    public static func notARoom(_ move: Move) -> FrontDeskError {
        .notFound("Room \(BookingRules.quoted(move.roomNumber)) (\(BookingRules.quoted(move.roomId))) is not a room of this hotel")
    }

    /// A move made on another version than the booking's now.
    public static func staleMove(_ booking: Booking, toRoom number: String, expected: Int) -> SyncRefusal {
        SyncRefusal(outcome: .conflict, code: "stale_version",
                    message: "\(moveName(booking, number)) was made on version \(expected); the booking was changed meanwhile (version \(booking.version)): look again")
    }

    /// A desk's move of `booking` to `target`, made by the store's own `move`: a move to the room
    /// the booking is in already is accepted and changes nothing (if the booking could move at
    /// all); a taken night is a conflict with rooms suggested for the nights it moves
    /// (`suggestions`), a changed booking a conflict too, each saying which move it was.
    public static func applyMove(_ booking: Booking, to target: Room, businessDate: CalendarDate, move: () throws -> Booking,
                                 suggestions: (StayDates) throws -> [WireSuggestedRoom]) throws -> Booking {
        if target.id == booking.roomId {
            _ = try booking.nightsToMove(businessDate: businessDate)
            return booking
        }
        do {
            return try move()
        } catch let error as FrontDeskError {
            let refusal = try refusedMove(booking, toRoom: target.number, error) {
                try movedSpan(booking, businessDate: businessDate).map(suggestions) ?? []
            }
            if let refusal { throw refusal }
            throw error
        }
    }

    /// The server's refusal of a move (a taken night, a changed booking), saying which move it was.
    static func refusedMove(_ booking: Booking, toRoom number: String, _ error: FrontDeskError,
                                   suggestions: () throws -> [WireSuggestedRoom]) rethrows -> SyncRefusal? {
        switch error {
        case .roomUnavailable(let message):
            return SyncRefusal(outcome: .conflict, code: "room_unavailable", message: "\(moveName(booking, number)) was refused: \(message)",
                               suggestedRooms: try suggestions())
        case .staleVersion(let message):
            return SyncRefusal(outcome: .conflict, code: "stale_version", message: "\(moveName(booking, number)): \(message)")
        default:
            return nil
        }
    }

    private static func moveName(_ booking: Booking, _ number: String) -> String {
        "The move of booking \(booking.confirmationCode) to room \(number)"
    }

    /// The nights a refused move wanted, for the rooms suggested instead.
    static func movedSpan(_ booking: Booking, businessDate: CalendarDate) -> StayDates? {
        let nights = (try? booking.nightsToMove(businessDate: businessDate)) ?? booking.stay.nights
        return StayDates(checkIn: nights.first ?? booking.stay.checkIn,
                         checkOut: (nights.last ?? booking.stay.checkOut.adding(days: -1)).adding(days: 1))
    }
}

extension SyncOperation {
    /// Whether this `book` sends again a booking the hotel has already: the same id and code in
    /// the same hotel. After a restore each desk sends what it holds that the server lost, also
    /// the bookings other desks made; the first to arrive puts the booking back, and the others
    /// are answered as accepted with the booking as the server has it now (as a replay gets its
    /// first answer), not refused as a conflict each desk had to settle by hand.
    public func sendsAgain(_ existing: Booking, hotelId: UUID) -> Bool {
        kind == .book && existing.hotelId == hotelId
            && book.flatMap { ConfirmationCode.normalized($0.confirmation) } == existing.confirmationCode
    }

    /// What a `book` operation asks the server to make, checked before any store looks at it: the
    /// booking carried, paid at the desk, under an id the server does not have, in a room given by
    /// its id. The same refusals on every backend.
    public func bookingToMake(alreadyExists exists: Bool, bookingId: UUID) throws -> (details: NewBooking, roomId: UUID) {
        guard let details = book else {
            throw FrontDeskError.validationFailed(["A book operation needs its booking (book)"])
        }
        try details.checkPayment()
        if exists { throw NewBooking.exists(bookingId) }
        guard let roomId = SyncWire.parseUUID(details.roomId) else {
            throw FrontDeskError.validationFailed(["roomId \(BookingRules.quoted(details.roomId)) is not an id"])
        }
        return (details, roomId)
    }
}

extension SyncOperation.NewBooking {
    /// A desk's booking is paid at the desk: a card is never charged offline.
    public func checkPayment() throws -> Void {
        switch payment {
        case PaymentMethod.desk.rawValue: return
        case PaymentMethod.card.rawValue:
            throw SyncRefusal(outcome: .rejected, code: "card_offline",
                              message: "A card is never charged for a booking made offline; take the payment at the desk")
        default: throw FrontDeskError.validationFailed(["payment \(BookingRules.quoted(payment)) is not desk or card"])
        }
    }

    public var stay: StayDates? {
        guard let checkIn = CalendarDate(iso: checkIn), let checkOut = CalendarDate(iso: checkOut) else { return nil }
        return StayDates(checkIn: checkIn, checkOut: checkOut)
    }

    /// The prices the desk took, one for each night of the stay in order, each more than zero
    /// and at most three times the highest base price; nil when the desk sent none.
    public func desksPrices() throws -> [NightlyPrice]? {
        guard let nightlyPrices else { return nil }
        guard let stay, nightlyPrices.map(\.night) == stay.nights.map(\.iso) else {
            throw FrontDeskError.validationFailed(["nightlyPrices must name each night of the stay once, in order"])
        }
        let ceiling = RoomType.largestBasePrice.minorUnits * 3
        return try nightlyPrices.map { price in
            guard let night = CalendarDate(iso: price.night), (1...ceiling).contains(price.priceCents) else {
                throw FrontDeskError.validationFailed(["nightlyPrices: \(price.priceCents) cents for \(BookingRules.quoted(price.night)) is not a price"])
            }
            return NightlyPrice(night: night, price: Money(minorUnits: price.priceCents))
        }
    }

    /// The booking form the server checks it with.
    public var form: BookingForm {
        BookingForm(checkIn: checkIn, checkOut: checkOut, guests: String(guests), guestName: guestName, email: email, phone: phone ?? "")
    }

    /// A desk booking under an id the server has already (and not the same booking sent again:
    /// `SyncOperation.sendsAgain`).
    public static func exists(_ bookingId: UUID) -> SyncRefusal {
        SyncRefusal(outcome: .rejected, code: "conflict", message: "Booking \(SyncWire.lowercaseText(bookingId)) exists already")
    }
}

extension Hotel {
    /// The business date a desk's booking is checked against: the day it was made at the desk
    /// (a walk-in booked offline before midnight and pushed after it is still valid), never later
    /// than `today` nor more than a week back.
    public func ruleDate(madeAt: String, today: CalendarDate) -> CalendarDate {
        guard let instant = InstantText.instant(madeAt) else { return today }
        return min(today, max(businessDate(at: instant), today.adding(days: -7)))
    }
}

extension Array where Element == RoomOffer {
    /// Rooms to offer instead of `roomId` (of `type`), a few: first those of its own type, then
    /// better ones (sleeping at least as many at a base price at least as high), then any other
    /// that sleeps as many; each group cheapest first (the offers' order). The desk's one key
    /// takes the first (issue 12: "the same type, or better"), so a guest is never moved down a
    /// type while a room of theirs is free; the cheaper types stay listed for a choice by hand.
    public func suggestions(instead roomId: UUID, of type: RoomType) -> [WireSuggestedRoom] {
        let candidates = filter { $0.room.id != roomId && ($0.roomType.id == type.id || $0.roomType.capacity >= type.capacity) }
        let sameType = candidates.filter { $0.roomType.id == type.id }
        let better = candidates.filter { $0.roomType.id != type.id && $0.roomType.basePricePerNight >= type.basePricePerNight }
        let others = candidates.filter { $0.roomType.id != type.id && $0.roomType.basePricePerNight < type.basePricePerNight }
        return (sameType + better + others)
            .prefix(5)
            .map { WireSuggestedRoom(roomId: SyncWire.lowercaseText($0.room.id), roomNumber: $0.room.number, roomType: $0.roomType.name,
                                     totalPriceCents: $0.totalPrice.minorUnits) }
    }
}

extension SyncOperation.Kind {
    /// What an undo takes back, as its default reason names it ("Check-in undone at the desk by
    /// …"); nil for the kinds that are not undos.
    public var undoneWhat: String? {
        switch self {
        case .undoCheckIn: "Check-in"
        case .undoCheckOut: "Check-out"
        case .undoNoShow: "No-show"
        default: nil
        }
    }
}
