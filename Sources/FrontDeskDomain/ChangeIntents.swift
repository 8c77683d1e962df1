import Foundation

// The rules every store applies around a change of a reservation (issue 14), written once for
// SQLite (FrontDeskStore/Changes.swift) and PostgreSQL (FrontDeskPostgres/PostgresChanges.swift):
// the intent's audit action and fingerprint (what a replayed request id must repeat), the version
// check, the checks of a move, the reasons, the refusals' wording and the audit lines.

/// One change of a reservation as an intent: what it is called in the audit trail and what a
/// request id replayed with it must repeat exactly.
public enum ChangeIntent: Sendable {
    case change(BookingEdit)
    case move(toRoom: String, reason: String?, reprice: Bool)
    case noShow
    case undoCheckIn(reason: String)
    case undoCheckOut(reason: String)
    /// A no-show taken back (the guest came after all).
    case undoNoShow(reason: String)
    case checkIn
    case checkOut
    /// `reason` as the person gave it (nil: none), before the channel's default wording.
    case cancel(reason: String?)

    public var action: String {
        switch self {
        case .checkIn: "booking.checkedIn"
        case .checkOut: "booking.checkedOut"
        case .cancel: "booking.cancelled"
        case .change: "booking.changed"
        case .move: "booking.moved"
        case .noShow: "booking.noShow"
        case .undoCheckIn: "booking.checkInUndone"
        case .undoCheckOut: "booking.checkOutUndone"
        case .undoNoShow: "booking.noShowUndone"
        }
    }

    public var fingerprint: String {
        switch self {
        case .change(let edit): "change\u{1F}" + edit.fingerprint
        case .move(let room, let reason, let reprice):
            ["move", room.trimmingCharacters(in: .whitespaces), reason ?? "", reprice ? "reprice" : ""].joined(separator: "\u{1F}")
        case .noShow: "no-show"
        case .undoCheckIn(let reason): "undo-check-in\u{1F}" + reason
        case .undoCheckOut(let reason): "undo-check-out\u{1F}" + reason
        case .undoNoShow(let reason): "undo-no-show\u{1F}" + reason
        case .checkIn: "check-in"
        case .checkOut: "check-out"
        case .cancel(let reason): "cancel\u{1F}" + (reason ?? "")
        }
    }

    /// A request id seen before: the same change of the same booking answers the booking as it
    /// is; anything else under that id is refused.
    public static func checkReplay(requestId: UUID, earlierBookingId: UUID?, earlierAction: String, earlierFingerprint: String,
                                   of booking: Booking, as intent: ChangeIntent) throws(FrontDeskError) {
        guard earlierBookingId == booking.id, earlierAction == intent.action, earlierFingerprint == intent.fingerprint else {
            throw .conflict("Request id \(requestId.uuidString.lowercased()) was already used for another change")
        }
    }
}

extension Booking {
    /// Refuses a change based on another version than this one (`staleVersion`); nil checks nothing.
    public func requireVersion(_ expected: Int?) throws(FrontDeskError) {
        try requireVersion(anyOf: expected.map { [$0] } ?? [])
    }

    /// Refuses a change based on none of `expected` (an HTTP `If-Match` may list several tags: the
    /// change is made when the booking is at any of them, RFC 9110 §13.1.1); empty checks nothing.
    /// The refusal says the booking's version and the ones named ("you saw 7 or 8").
    public func requireVersion(anyOf expected: [Int]) throws(FrontDeskError) {
        guard !expected.isEmpty, !expected.contains(version) else { return }
        throw .staleVersion("Booking \(confirmationCode) was changed meanwhile (version \(version), you saw \(Self.sayVersions(expected))); look again")
    }

    /// "3", "7 or 8", "1, 2 or 3"; past five distinct versions the first four and how many there are.
    static func sayVersions(_ versions: [Int]) -> String {
        var distinct: [Int] = []
        for version in versions where !distinct.contains(version) { distinct.append(version) }
        let words = distinct.map(String.init)
        if words.count > 5 { return words.prefix(4).joined(separator: ", ") + ", … (\(words.count) versions)" }
        guard let last = words.last, words.count > 1 else { return words.first ?? "" }
        return words.dropLast().joined(separator: ", ") + " or " + last
    }

    /// The nights a move to `room` takes, or why it cannot move there: the room it is in already,
    /// a booking that does not move (`nightsToMove`), a room out of service, too many guests.
    public func checkMove(to room: Room, type: RoomType, businessDate: CalendarDate,
                          nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> [CalendarDate] {
        guard room.id != roomId else {
            throw .invalidState("Booking \(confirmationCode) is already in room \(room.number)")
        }
        let nights = try nightsToMove(businessDate: businessDate, nightUnderWay: nightUnderWay)
        try room.requireInService()
        if let problem = type.capacityProblem(roomNumber: room.number, guests: guestCount) {
            throw .validationFailed([problem + "; booking \(confirmationCode) is for \(guestCount)"])
        }
        return nights
    }

    /// Paid at the desk and confirmed at once, from a live hold: the booking after each step
    /// (Reserving -> ProcessingPayment -> Confirmed), for a store that writes both in one update.
    public func paidAtDeskAndConfirmed(at instant: Date) throws(FrontDeskError) -> (paying: Booking, confirmed: Booking) {
        guard status == .reserving, holdsRoom(at: instant) else {
            throw .invalidState("Booking \(confirmationCode) could not be confirmed (\(status.rawValue))")
        }
        var paying = self
        try paying.startPayment(at: instant)
        var confirmed = paying
        try confirmed.confirm(at: instant)
        return (paying, confirmed)
    }

    /// The new prices of the moved nights (`--reprice`): `priced` is the whole stay priced in the new room.
    public static func movedPrices(_ priced: [NightlyPrice], nights: [CalendarDate]) -> [CalendarDate: Money] {
        let moved = Set(nights)
        return Dictionary(uniqueKeysWithValues: priced.filter { moved.contains($0.night) }.map { ($0.night, $0.price) })
    }
}

extension PricingPolicy {
    /// The prices of a changed stay's nights by today's rules, night by night; empty when the stay
    /// is the same. `loads` (the hotel's occupancy of the new stay's nights, a read) is asked only
    /// then. `Booking.apply` takes the prices of the nights it claims; kept nights keep theirs.
    public func pricesOfChangedStay(_ validated: ValidatedEdit, of booking: Booking, roomType: RoomType, businessDate: CalendarDate,
                                    loads: (StayDates) throws -> [CalendarDate: NightLoad]) rethrows -> [CalendarDate: Money] {
        guard validated.stay != booking.stay else { return [:] }
        let known = try loads(validated.stay)
        let priced = nightlyPrices(basePrice: roomType.basePricePerNight, stay: validated.stay, businessDate: businessDate,
                                   load: { known[$0] ?? NightLoad(held: 0, active: 0) })
        return Dictionary(priced.map { ($0.night, $0.price) }, uniquingKeysWith: { first, _ in first })
    }
}

extension BookingRules {
    /// An edit checked against the booking (`validate(_:of:…)`), a refusal because of the booking's
    /// status reported as `invalidState`, not as bad input.
    public static func validateChange(_ edit: BookingEdit, of booking: Booking, roomType: RoomType,
                                      businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> ValidatedEdit {
        do {
            return try validate(edit, of: booking, roomTypeName: roomType.name, capacity: roomType.capacity, businessDate: businessDate,
                                nightUnderWay: nightUnderWay)
        } catch {
            if let status = error.details.first(where: Booking.isStatusProblem) { throw .invalidState(status) }
            throw error
        }
    }

    /// When a booking was made: now, or, for one a desk made offline and pushes later, when the
    /// desk made it (`madeAt` as the rules judge it, never ahead of now, at most a week back), so
    /// that what follows from the hour it was sold (an early-morning walk-in checked in after
    /// 06:00, the pickup report) reads the desk's hour, not the push's.
    public static func createdAt(now: Date, pushedMadeAt: Date?) -> Date {
        guard let made = pushedMadeAt else { return now }
        return max(min(made, now), now.addingTimeInterval(-7 * 86_400))
    }

    /// The reason an undo records: the one given (checked), or the channel's default.
    public static func undoReason(_ reason: String?, _ what: String, channel: Channel, by user: String) throws(FrontDeskError) -> String {
        if let reason, let problem = TextRules.problem(in: reason, field: "Reason", maximum: maximumReasonLength) {
            throw .validationFailed([problem])
        }
        let given = reason?.trimmingCharacters(in: .whitespaces) ?? ""
        return given.isEmpty ? channel.defaultUndoReason(what, by: user) : given
    }

    /// A reason as given, trimmed; nil when nothing is left, so the default (which names who
    /// did it) is used: a reason of spaces replaced it, and the cancel named no one.
    public static func givenReason(_ reason: String?) -> String? {
        guard let trimmed = reason?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
        return trimmed
    }

    /// A reason given with a move or a cancel, checked.
    public static func checkReason(_ reason: String?) throws(FrontDeskError) {
        if let reason, let problem = TextRules.problem(in: reason, field: "Reason", maximum: maximumReasonLength) {
            throw .validationFailed([problem])
        }
    }
}

/// The wording of the refusals and audit lines of changes, the same on every store.
public enum ChangeWording {
    /// Nights as a short list: six at most, then "and N more".
    public static func nightList(_ nights: [CalendarDate]) -> String {
        nights.count > 6 ? nights.prefix(5).map(\.iso).joined(separator: ", ") + " and \(nights.count - 5) more"
            : nights.map(\.iso).joined(separator: ", ")
    }

    /// Refuses a change whose nights another booking holds (`taken`), naming them, and with
    /// `wholeStay` suggests up to three rooms free for it (`offers`: the rooms free for a stay).
    public static func refuseTaken(_ taken: [CalendarDate], in room: Room, for booking: Booking, wholeStay: StayDates?,
                                   offers: (StayDates) throws -> [RoomOffer]) throws {
        guard !taken.isEmpty else { return }
        guard let wholeStay else { throw FrontDeskError.roomUnavailable(Self.taken(room.number, taken)) }
        if booking.status == .checkedIn, room.id == booking.roomId, taken.allSatisfy({ $0 < wholeStay.checkIn }) {
            // A night the guest overstayed was sold meanwhile (a booking from that night, a
            // no-show since): a stay is one run of nights, so it cannot be lengthened past it.
            // Other rooms for the whole stay would be no answer: the guest is in this one.
            throw FrontDeskError.roomUnavailable(Self.taken(room.number, taken) + ", which \(booking.guest.name) overstayed while it was "
                + "sold to another booking: the stay cannot run on past it. To keep them from \(wholeStay.checkIn), check them out "
                + "and book them again from that night")
        }
        let free = try offers(wholeStay).filter { $0.room.id != room.id && $0.room.id != booking.roomId }.prefix(3).map(\.room.number)
        throw FrontDeskError.roomUnavailable(Self.taken(room.number, taken, free: Array(free), for: wholeStay))
    }

    /// "until 06:00 the night of 2026-12-07 can still be sold": the night under way
    /// (`Hotel.nightUnderWay`), said where a search or a booking of the business date leaves it out.
    public static func nightStillOnSale(_ night: CalendarDate) -> String {
        "until \(Hotel.nightEndsText) the night of \(night) can still be sold"
    }

    /// "It is before 06:00: the night of 2026-12-07 is not part of this stay, and nothing is
    /// charged for it": a guest checked in before 06:00 on a stay from the business date sleeps
    /// the night under way unsold (`Booking.nightUnderWayLeftOut`; session 54 gives them the bed).
    public static func nightNotInStay(_ night: CalendarDate) -> String {
        "It is before \(Hotel.nightEndsText): the night of \(night) is not part of this stay, and nothing is charged for it"
    }

    /// "Room 101 is taken on the nights of …".
    public static func taken(_ roomNumber: String, _ nights: [CalendarDate]) -> String {
        "Room \(roomNumber) is taken on \(nights.count == 1 ? "the night of" : "the nights of") \(nightList(nights))"
    }

    /// `taken`, with the rooms free for the whole stay (nil: no suggestion was looked for).
    public static func taken(_ roomNumber: String, _ nights: [CalendarDate], free: [String], for wholeStay: StayDates) -> String {
        taken(roomNumber, nights) + (free.isEmpty
            ? "; no room is free from \(wholeStay.checkIn) to \(wholeStay.checkOut)"
            : "; free from \(wholeStay.checkIn) to \(wholeStay.checkOut): room\(free.count == 1 ? "" : "s") \(free.joined(separator: ", "))")
    }

    public static func soldAgain(_ roomNumber: String, _ nights: [CalendarDate]) -> String {
        // Not "after the check-out": an overstaying guest's room may have been sold for tonight
        // before they were checked out (a review, session 57).
        "Room \(roomNumber) was sold again for \(nightList(nights)) to another booking; the check-out cannot be undone while that booking holds the room (move it to another room first)"
    }

    private static func nights(_ count: Int) -> String { "\(count) night\(count == 1 ? "" : "s")" }

    public static func changed(_ before: Booking, _ after: Booking, _ changes: NightChanges, note: String?) -> String {
        var said: [String] = []
        if after.guest != before.guest || after.guestCount != before.guestCount { said.append("guest details changed") }
        if after.stay != before.stay {
            said.append("stay now \(after.stay.checkIn) to \(after.stay.checkOut) (\(nights(changes.claimed.count)) added, \(changes.released.count) released)")
        }
        if let note { said.append("note added: \(note)") }
        if let settlement = settlement(before, after) { said.append(settlement) }
        return "Booking \(after.confirmationCode): " + (said.isEmpty ? "saved unchanged" : said.joined(separator: "; "))
    }

    /// What a change of a paid booking's total leaves to settle at the desk, where the guest is
    /// (DECISIONS.md, session 42: a card is not charged or refunded at each change); nil when the
    /// booking is not paid yet (a charge to come asks for the new total) or its total is the same.
    public static func settlement(_ before: Booking, _ after: Booking) -> String? {
        guard before.status == .confirmed || before.status == .checkedIn, after.totalPrice != before.totalPrice else { return nil }
        let difference = after.totalPrice.minorUnits - before.totalPrice.minorUnits
        let amount = Money(minorUnits: abs(difference)) // totals are 0 to 10^12 cents: no overflow
        return "total now \(after.totalPrice.plain) (was \(before.totalPrice.plain)): "
            + (difference > 0 ? "collect \(amount.plain) at the desk" : "repay \(amount.plain) at the desk")
    }

    /// What a connected desk's dropped changes had settled at the desk, as recorded when each
    /// was queued (`FrontDeskStore.droppedMoney`).
    public struct DroppedMoney: Hashable, Sendable {
        /// What the dropped stay changes (edits, moves) collected, in cents (negative: repaid); nil
        /// when one was queued before the desk kept its totals.
        public var stayChangesCents: Int64?
        /// A dropped cancel's booking total, when its refund was paid here or said to be.
        public var cancelledTotal: Money?
        /// That refund was paid at this desk (recorded), not only said to be paid at a desk.
        public var refundRecorded = false
        /// An undone no-show was dropped (it said to collect again what the no-show said was owed).
        public var undidNoShow = false

        public init(stayChangesCents: Int64?, cancelledTotal: Money? = nil, refundRecorded: Bool = false, undidNoShow: Bool = false) {
            self.stayChangesCents = stayChangesCents
            self.cancelledTotal = cancelledTotal
            self.refundRecorded = refundRecorded
            self.undidNoShow = undidNoShow
        }
    }

    /// What to settle at the desk when a conflict keeps the server's booking (`server`) over this
    /// desk's changes (`dropped`); nil when nothing moved. Only this desk's own money is settled
    /// back, whatever the server did meanwhile (another desk's change, a cancel or a no-show there
    /// settled its own): a booking that stands is collected again for a refund paid here and
    /// repaid what a dropped change collected; a booking the server ended has its own refund or
    /// owed-back, which a refund paid here already covers.
    public static func moneyOfDroppedChanges(_ dropped: DroppedMoney, server: Booking) -> String? {
        var said: [String] = []
        let stands = [BookingStatus.confirmed, .checkedIn, .checkedOut].contains(server.status)
        func amount(_ cents: Int64) -> String { Money(minorUnits: abs(cents)).plain } // totals are 0 to 10^12 cents
        guard let stay = dropped.stayChangesCents else {
            // Queued before the desk kept the totals (schema v19): the way, not an amount that could be wrong.
            said.append("this desk's dropped change collected or repaid at the desk what the booking's history says: settle it back")
            return said.joined(separator: "; ")
        }
        let refund = dropped.cancelledTotal?.minorUnits ?? 0
        if stands {
            let net = stay - refund // what this desk took in for the dropped changes
            if refund > 0 {
                let paid = dropped.refundRecorded ? "this desk paid back \(amount(refund)) when it cancelled"
                    : "this desk's cancel said \(amount(refund)) was to be paid back at the desk"
                let change = stay == 0 ? "" : " (its dropped change had \(stay > 0 ? "collected" : "repaid") \(amount(stay)))"
                let action = net < 0 ? "collect \(amount(net)) again at the desk" : net > 0 ? "repay \(amount(net)) at the desk" : "nothing to settle"
                said.append(paid + change + ", and the server's booking stands: " + (dropped.refundRecorded ? action : "if it was paid back, " + action))
            } else if net != 0 {
                said.append("this desk's dropped change had \(net > 0 ? "collected" : "repaid") \(amount(net)): "
                    + (net > 0 ? "repay" : "collect") + " \(amount(net)) at the desk")
            }
        } else {
            if stay != 0 {
                said.append("this desk's dropped change had \(stay > 0 ? "collected" : "repaid") \(amount(stay)): "
                    + (stay > 0 ? "repay" : "collect") + " \(amount(stay)) at the desk")
            }
            if refund > 0 {
                let what = server.status == .noShow ? "the server marked it a no-show: what that says is owed back"
                    : "the server cancelled it too: its refund"
                said.append((dropped.refundRecorded ? "this desk paid back \(amount(refund)) when it cancelled"
                                : "if this desk paid back \(amount(refund)) when it cancelled")
                    + ", and \(what) is paid already; do not pay it again")
            }
        }
        if dropped.undidNoShow, server.status == .noShow, let fee = NoShowPolicy.Fee(noShow: server) {
            let owed = owedBackByNoShow(server, fee: fee)
            if owed > .zero {
                said.append("this desk's undone no-show is dropped and the no-show stands: if what it said to collect again was "
                    + "collected, \(owed.plain) is owed back to the guest again")
            }
        }
        return said.isEmpty ? nil : said.joined(separator: "; ")
    }

    public static func moved(_ before: Booking, _ after: Booking, nights: [CalendarDate], reprice: Bool, reason: String?) -> String {
        let from = nights.first.map { $0 > before.stay.checkIn ? " from \($0)" : "" } ?? ""
        return "Booking \(after.confirmationCode) moved from room \(before.roomNumber) to room \(after.roomNumber)\(from)"
            + (reprice ? ", repriced" : "") + (reason.map { ": \($0)" } ?? "") + (settlement(before, after).map { "; \($0)" } ?? "")
    }

    /// A check-out: early, the nights given back and what was paid for them, which no step pays
    /// back (DECISIONS, session 49: a person settles it under the hotel's policy). It said only
    /// "8 nights released", and the nights' money was in neither the revenue nor a refund.
    public static func checkedOut(_ after: Booking, freed: [CalendarDate]) -> String {
        let said = "\(after.guest.name) checked out of room \(after.roomNumber)"
        guard !freed.isEmpty else { return said }
        let givenBack = after.nightlyPrices.filter { freed.contains($0.night) }.map(\.price).sum()
        return said + " early; \(nights(freed.count)) released"
            + (givenBack > .zero ? "; \(givenBack.plain) of the \(after.totalPrice.plain) paid was for them: to pay back or keep "
               + "as the hotel's policy says (not refunded automatically)" : "")
    }

    public static func noShow(_ after: Booking, freed: Int, fee: NoShowPolicy.Fee) -> String {
        "\(after.guest.name) did not come (booking \(after.confirmationCode)); \(nights(freed)) released"
            + (fee == .firstNight ? ", first night charged" : ", nothing charged") + "; " + noShowMoney(after, fee: fee)
    }

    /// What a no-show leaves owed to the guest: a confirmed booking was paid in full (at the desk
    /// or by card), and no money moves in the step (DECISIONS.md, "No-shows"), so a person must
    /// see what goes back beyond the fee.
    public static func noShowMoney(_ booking: Booking, fee: NoShowPolicy.Fee) -> String {
        let owed = owedBackByNoShow(booking, fee: fee)
        return owed > .zero ? "\(owed.plain) of the \(booking.totalPrice.plain) paid is owed back to the guest (not refunded automatically)"
            : "nothing is owed back"
    }

    public static func checkInUndone(_ after: Booking, reason: String) -> String {
        "Check-in of \(after.guest.name) (booking \(after.confirmationCode)) undone: \(reason)"
    }

    /// What a no-show under `fee` leaves owed back to the guest: the total, less a first night.
    public static func owedBackByNoShow(_ booking: Booking, fee: NoShowPolicy.Fee) -> Money {
        let kept = fee == .firstNight ? booking.nightlyPrices.first?.price.minorUnits ?? 0 : 0
        return Money(minorUnits: max(0, booking.totalPrice.minorUnits - kept))
    }

    /// What an undone no-show means for money, if anything: `before` is the booking as the
    /// no-show left it, which said an amount was owed back to the guest. `pastNightsGivenBack`:
    /// nights the undo leaves given back (before the first night still to come), which the guest
    /// did not sleep and the room was on sale for: not collected again (a review, session 57:
    /// "collect it again" asked for them too). Nil: not known here (the desk's line for a stay
    /// begun before today), the amount is left to the booking's history.
    public static func noShowUndoneMoney(_ before: Booking, pastNightsGivenBack: [CalendarDate]?) -> String? {
        guard let fee = NoShowPolicy.Fee(noShow: before) else { return nil }
        let owed = owedBackByNoShow(before, fee: fee)
        guard owed > .zero else { return nil }
        let said = "the no-show said \(owed.plain) was owed back to the guest"
        guard let past = pastNightsGivenBack else {
            return said + ": if it was paid out, collect again what the booking's history says"
        }
        let notSlept = before.nightlyPrices.filter { past.contains($0.night) }.map(\.price).sum()
        guard notSlept > .zero else { return said + ": if it was paid out, collect it again" }
        let collect = Money(minorUnits: max(0, owed.minorUnits - notSlept.minorUnits))
        guard collect > .zero else { return said + ": nothing of it is collected again (the nights not slept are not charged)" }
        return said + ": if it was paid out, collect \(collect.plain) of it again (not the \(notSlept.plain) of the nights not slept)"
    }

    /// `before`: the booking as the no-show left it. The guest stays on the booking as sold: what
    /// the no-show said was owed back is owed no more (collected again if it was paid out), and
    /// nights already past stay given back with the total unchanged, as an early departure's do.
    public static func noShowUndone(_ before: Booking, _ after: Booking, reason: String, reclaimed: Int,
                                    pastNightsGivenBack: [CalendarDate]) -> String {
        "No-show of \(after.guest.name) (booking \(after.confirmationCode)) undone: \(reason)"
            + (reclaimed == 0 ? "" : "; \(nights(reclaimed)) taken again")
            + "; Confirmed again, to be checked in"
            + (noShowUndoneMoney(before, pastNightsGivenBack: pastNightsGivenBack).map { "; " + $0 } ?? "")
            + (pastNightsGivenBack.isEmpty ? ""
                : "; \(pastNightsGivenBack.count == 1 ? "the night of" : "the nights of") \(nightList(pastNightsGivenBack)), not slept, "
                    + "stay\(pastNightsGivenBack.count == 1 ? "s" : "") on sale (the total is not changed)")
    }

    /// A night given back by a no-show was sold since: the undo is refused.
    public static func soldSinceNoShow(_ roomNumber: String, _ nights: [CalendarDate]) -> String {
        "Room \(roomNumber) was sold again for \(nightList(nights)) after the no-show; it cannot be undone while that booking holds "
            + "the room (book the guest again, or move that booking to another room first)"
    }

    public static func checkOutUndone(_ after: Booking, reason: String, reclaimed: Int) -> String {
        "Check-out of \(after.guest.name) (booking \(after.confirmationCode)) undone: \(reason)"
            + (reclaimed == 0 ? "" : "; \(nights(reclaimed)) taken again")
    }
}
