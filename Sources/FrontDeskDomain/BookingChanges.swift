import Foundation

/// A free-text note on a booking ("late arrival", "cot in the room"): who wrote it and when.
public struct BookingNote: Hashable, Sendable {
    public let at: Date
    public let by: String
    public let text: String

    public init(at: Date, by: String, text: String) {
        self.at = at
        self.by = by
        self.text = text
    }

    /// In Unicode scalars, like every limit on typed text (`TextRules`).
    public static let maximumLength = 500
}

/// When a Confirmed guest who has not come counts as a no-show, and what it costs.
public struct NoShowPolicy: Hashable, Sendable {
    public enum Fee: String, CaseIterable, Hashable, Sendable {
        /// The first night stays sold and charged; the rest are freed.
        case firstNight = "first_night"
        /// Every night is freed; nothing is charged.
        case none

        /// The no-show's status reason, which names the fee.
        public var statusReason: String { self == .firstNight ? "No-show: first night charged" : "No-show: nothing charged" }

        /// The fee a no-show was marked with, read from its status reason (nil: not a no-show).
        public init?(noShow booking: Booking) {
            guard booking.status == .noShow, let fee = Self.allCases.first(where: { $0.statusReason == booking.statusReason }) else { return nil }
            self = fee
        }
    }

    /// From this hour (hotel time) on the arrival day, an arrival that has not come may be marked.
    public var cutoffHour: Int
    public var fee: Fee

    public init(cutoffHour: Int = 18, fee: Fee = .firstNight) {
        self.cutoffHour = cutoffHour
        self.fee = fee
    }

    public static let standard = NoShowPolicy()
    /// Every hour a stored cut-off may hold (an imported hotel keeps its own).
    public static let hourRange = 0...23
    /// The hours a cut-off may be set to: the arrival day's, from the end of the night before
    /// (`Hotel.nightEndsAtHour`). One before it ("02:00", meant as the next morning) let an
    /// arrival be marked on the morning of its own day, its first night charged.
    public static let settableHours = Hotel.nightEndsAtHour...23
    public static let cutoffRule = "No-show cut-off must be an hour of the arrival day from \(Hotel.nightEndsText) to 23:00 "
        + "(after midnight every guest due the day before may be marked anyway)"

    /// `18` or `18:00` (24-hour text, no "6pm"): a whole hour from 06 to 23 (`settableHours`).
    public static func parseHour(_ text: String) throws(FrontDeskError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var hourText = Substring(trimmed)
        if let colon = trimmed.firstIndex(of: ":") {
            guard trimmed[trimmed.index(after: colon)...] == "00" else {
                throw .validationFailed(["No-show cut-off \(BookingRules.quoted(text)) must be a whole hour such as 18:00"])
            }
            hourText = trimmed[..<colon]
        }
        guard hourText.count <= 2, let hour = Int(hourText), hourRange.contains(hour) else {
            throw .validationFailed(["No-show cut-off \(BookingRules.quoted(text)) must be an hour from \(Hotel.nightEndsText) to 23:00"])
        }
        guard settableHours.contains(hour) else {
            throw .validationFailed(["No-show cut-off \(BookingRules.quoted(text)) is in the night: " + cutoffRule.prefix(1).lowercased()
                                        + cutoffRule.dropFirst()])
        }
        return hour
    }

    public static func parseFee(_ text: String) throws(FrontDeskError) -> Fee {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        guard let fee = Fee(rawValue: key) else {
            throw .validationFailed(["No-show fee \(BookingRules.quoted(text)) is unknown (use first_night or none)"])
        }
        return fee
    }

    /// `18:00`.
    public var cutoffText: String { (cutoffHour < 10 ? "0" : "") + "\(cutoffHour):00" }
}

/// A change to a booking's details or stay as typed: nil leaves a field as it is. Also what a sync
/// `edit` operation carries (`SyncOperation.Edit`), coded under these names.
public struct BookingEdit: Codable, Hashable, Sendable {
    public var guestName: String?
    public var email: String?
    /// An empty text removes the phone number.
    public var phone: String?
    public var guests: String?
    /// A note to add (notes are never edited or removed: they are the booking's history).
    public var note: String?
    public var checkIn: String?
    public var checkOut: String?

    public init(guestName: String? = nil, email: String? = nil, phone: String? = nil, guests: String? = nil,
                note: String? = nil, checkIn: String? = nil, checkOut: String? = nil) {
        self.guestName = guestName
        self.email = email
        self.phone = phone
        self.guests = guests
        self.note = note
        self.checkIn = checkIn
        self.checkOut = checkOut
    }

    public var isEmpty: Bool { self == BookingEdit() }

    /// The same edit, the same fingerprint: what a replayed request must repeat exactly.
    public var fingerprint: String {
        [guestName, email, phone, guests, note, checkIn, checkOut]
            .map { $0.map { "=" + $0.trimmingCharacters(in: .whitespaces) } ?? "-" }.joined(separator: "\u{1F}")
    }
}

/// An edit checked against the booking it changes.
public struct ValidatedEdit: Hashable, Sendable {
    public let guest: Guest
    public let guestCount: Int
    public let stay: StayDates
    public let note: String?
}

/// What a change of stay or room does to the room's nights: `released` are given back, `claimed`
/// are taken (in the booking's room after the change).
public struct NightChanges: Hashable, Sendable {
    public var released: [CalendarDate] = []
    public var claimed: [CalendarDate] = []
    public init(released: [CalendarDate] = [], claimed: [CalendarDate] = []) {
        self.released = released
        self.claimed = claimed
    }
    public var isEmpty: Bool { released.isEmpty && claimed.isEmpty }
}

extension BookingRules {
    /// Every problem of an edit, as the booking form reports them: the same rules for name, e-mail,
    /// phone and guests as a new booking; guests within the room's capacity; a stay that may change.
    /// `capacity`: how many the booking's room sleeps.
    public static func validate(_ edit: BookingEdit, of booking: Booking, roomTypeName: String, capacity: Int,
                                businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> ValidatedEdit {
        if edit.isEmpty {
            // Each caller says it first in its own words (flags, JSON fields); this is the rule's own.
            throw .validationFailed(["Nothing to change: give a guest name, e-mail, phone, guests, note, check-in or check-out"])
        }
        let form = BookingForm(
            roomNumber: booking.roomNumber,
            checkIn: booking.stay.checkIn.iso, checkOut: booking.stay.checkOut.iso,
            guests: edit.guests ?? String(booking.guestCount),
            guestName: edit.guestName ?? booking.guest.name, email: edit.email ?? booking.guest.email,
            phone: edit.phone ?? booking.guest.phone ?? "")
        var problems: [String] = []
        // The details are checked by the booking form's own rules (its dates are the booking's, which are fine).
        let room = Room(id: booking.roomId, hotelId: booking.hotelId, roomTypeId: UUID(), number: booking.roomNumber, isActive: true)
        let type = RoomType(id: UUID(), hotelId: booking.hotelId, name: roomTypeName, capacity: capacity,
                            basePricePerNight: Money(minorUnits: 1))
        var details: BookingRequest?
        do {
            var context = Context(businessDate: booking.stay.checkIn, hotelExists: true, room: (room, type))
            context.refusesCardNumberInName = edit.guestName != nil
            details = try validate(form, context: context)
        } catch {
            problems += error.details
        }
        var note: String?
        if let text = edit.note {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty {
                problems.append("Note is empty")
            } else if let problem = TextRules.problem(in: trimmed, field: "Note", maximum: BookingNote.maximumLength) {
                problems.append(problem)
            } else {
                note = trimmed
            }
        }
        let stay = newStay(edit, of: booking, businessDate: businessDate, nightUnderWay: nightUnderWay, into: &problems)
        if !problems.isEmpty { throw .validationFailed(problems) }
        return ValidatedEdit(guest: details!.guest, guestCount: details!.guestCount, stay: stay!, note: note)
    }

    /// The stay after the edit, with the rules of changing one: only a Confirmed or checked-in
    /// booking's stay changes; a Confirmed one may not move into the past; a checked-in guest
    /// keeps the arrival date and stays at least until tomorrow; at most `maximumNights`.
    /// A Confirmed booking's stay may still hold, gain or give back the night under way
    /// (`nightUnderWay`), as it could before midnight; a stay that begins on it may end on the
    /// business date, as a new booking of it does (a walk-in's one night).
    static func newStay(_ edit: BookingEdit, of booking: Booking, businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil,
                        into problems: inout [String]) -> StayDates? {
        let firstOpenNight = nightUnderWay ?? businessDate
        let checkIn = edit.checkIn.map { parseDate($0, field: "Check-in date", into: &problems) } ?? booking.stay.checkIn
        let checkOut = edit.checkOut.map { parseDate($0, field: "Check-out date", into: &problems) } ?? booking.stay.checkOut
        guard let checkIn, let checkOut else { return nil }
        if checkIn == booking.stay.checkIn && checkOut == booking.stay.checkOut { return booking.stay }
        let code = booking.confirmationCode
        switch booking.status {
        case .confirmed:
            if checkIn != booking.stay.checkIn && checkIn < firstOpenNight {
                problems.append("Check-in date cannot be in the past (business date is \(businessDate))")
            } else if businessDate.days(until: checkIn) > maximumDaysAhead {
                problems.append("Check-in date is more than \(maximumDaysAhead) days ahead")
            }
            // Until 06:00 a stay from the night under way keeps that night, and may end today.
            let keepsTheNightUnderWay = nightUnderWay != nil && checkIn == nightUnderWay
            let endsTooEarly = checkOut < businessDate || (checkOut == businessDate && !keepsTheNightUnderWay)
            if endsTooEarly && checkOut != booking.stay.checkOut {
                problems.append("Check-out date must be after the business date (\(businessDate))")
            } else if let added = StayDates(checkIn: checkIn, checkOut: checkOut)?.nights
                        .first(where: { $0 < firstOpenNight && !booking.stay.contains(night: $0) }) {
                // The guest has not come: a night already past would be sold (and charged) for
                // nobody. (A checked-in guest's overstayed nights were slept, and may be added.)
                problems.append("The stay would add the night of \(added), already past (business date \(businessDate)), "
                    + "to booking \(code), whose guest has not arrived; a late guest's stay can grow from tonight on")
            }
            if let dropped = booking.stay.nights.first(where: { $0 < firstOpenNight && !(StayDates(checkIn: checkIn, checkOut: checkOut)?.contains(night: $0) ?? false) }) {
                // A night already past was sold and is the no-show policy's to settle: giving it
                // back would repay it and take it out of the figures, a cancel by another door.
                problems.append("The stay would give back the night of \(dropped), already past (business date \(businessDate)), "
                    + "of booking \(code), whose guest has not arrived: a late guest's past nights stay sold (its check-out date may still change; a guest who will not come is marked a no-show)")
            }
        case .checkedIn:
            if checkIn != booking.stay.checkIn {
                problems.append("The guest of booking \(code) arrived on \(booking.stay.checkIn): the check-in date cannot change")
            }
            if checkOut <= businessDate {
                problems.append("Check-out date must be after the business date (\(businessDate)); to leave today, check the guest out")
            }
        case .reserving, .processingPayment:
            problems.append("Booking \(code) is still being taken (\(booking.status.rawValue)); change its stay once it is confirmed")
            return nil
        case .checkedOut, .failed, .cancelled, .noShow:
            problems.append("Booking \(code) is \(booking.status.rawValue); its stay can no longer change")
            return nil
        }
        return stayOfAllowedLength(checkIn: checkIn, checkOut: checkOut, into: &problems)
    }
}

extension Booking {
    /// Whether the problems of an edit are about its status (refused as `invalid_state`, not as bad input).
    public static func isStatusProblem(_ problem: String) -> Bool {
        problem.contains("its stay can no longer change") || problem.contains("change its stay once it is confirmed")
    }

    /// Whether `edit` would leave the booking as it is: the same details, the same stay and no
    /// note. Such an edit saves nothing and keeps the version, so a clerk's expected version (or
    /// another desk's) still matches after someone submits the form as it was.
    public func isUnchanged(by edit: ValidatedEdit) -> Bool {
        edit.note == nil && edit.guest == guest && edit.guestCount == guestCount && edit.stay == stay
    }

    /// Applies a checked edit: new details, a note, a new stay. Kept nights keep their price;
    /// `priceOfNewNight` prices a night the stay did not have (today's rules). One version step.
    public mutating func apply(_ edit: ValidatedEdit, by user: String, at instant: Date,
                               priceOfNewNight: (CalendarDate) -> Money) -> NightChanges {
        guest = edit.guest
        guestCount = edit.guestCount
        if let note = edit.note { notes.append(BookingNote(at: instant, by: user, text: note)) }
        var changes = NightChanges()
        if edit.stay != stay {
            let old = Set(stay.nights), new = Set(edit.stay.nights)
            changes.released = stay.nights.filter { !new.contains($0) }
            changes.claimed = edit.stay.nights.filter { !old.contains($0) }
            let kept = Dictionary(uniqueKeysWithValues: nightlyPrices.map { ($0.night, $0.price) })
            nightlyPrices = edit.stay.nights.map { NightlyPrice(night: $0, price: kept[$0] ?? priceOfNewNight($0)) }
            stay = edit.stay
            if let since = roomSince, since <= stay.checkIn || since >= stay.checkOut { roomSince = nil }
        }
        version += 1
        updatedAt = instant
        return changes
    }

    /// The night still under way (`Hotel.nightUnderWay`) when this stay begins on the business
    /// date just after it: before 06:00 a guest checked in now sleeps that night, which the stay
    /// does not hold and nothing charges (session 54 gives them the bed; the desk and the command
    /// line say so, `ChangeWording.nightNotInStay`). Nil otherwise.
    public func nightUnderWayLeftOut(businessDate: CalendarDate, nightUnderWay: CalendarDate?) -> CalendarDate? {
        guard let nightUnderWay, nightUnderWay == businessDate.adding(days: -1), stay.checkIn == businessDate else { return nil }
        return nightUnderWay
    }

    /// The stay a move of this booking would take now, from the first night `nightsToMove` takes
    /// (without its refusals): the night under way while it lasts for a guest who has not come
    /// and whose stay holds it, the business date for a guest in house; never before arrival.
    /// The rooms a refusal suggests must be free for all of it. Nil when no night is left.
    public func stayLeftToMove(businessDate: CalendarDate, nightUnderWay: CalendarDate?) -> StayDates? {
        let first = status == .confirmed ? firstNightStillToCome(businessDate: businessDate, nightUnderWay: nightUnderWay)
            : max(stay.checkIn, businessDate)
        return StayDates(checkIn: first, checkOut: stay.checkOut)
    }

    /// The nights a move to another room takes: all of them before arrival; from `businessDate`
    /// on for a guest in house (the nights slept stay in the old room).
    /// `nightUnderWay`: the night still under way after midnight, which a guest who has not come
    /// yet may still be moved for (a walk-in sold it, in the wrong room); a guest in house on the
    /// last night of the stay is moved with it (there is no later night to move).
    public func nightsToMove(businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> [CalendarDate] {
        let firstOpenNight = nightUnderWay ?? businessDate
        switch status {
        case .confirmed where stay.checkIn < firstOpenNight:
            // A guest arriving late: the nights already past stay sold where they were; the stay
            // moves from tonight, as a guest in house does.
            let nights = stay.nights.filter { $0 >= firstOpenNight }
            if nights.isEmpty {
                throw .invalidState("Booking \(confirmationCode) ended on \(stay.checkOut) and its guest never came: mark it a no-show instead")
            }
            return nights
        case .confirmed:
            return stay.nights
        case .checkedIn:
            var nights = stay.nights.filter { $0 >= businessDate }
            if nights.isEmpty, let nightUnderWay, stay.contains(night: nightUnderWay) { nights = [nightUnderWay] }
            if nights.isEmpty {
                throw .invalidState("Booking \(confirmationCode) has no nights left from \(businessDate): check the guest out instead")
            }
            return nights
        default:
            throw .invalidState("Cannot move booking \(confirmationCode): it is \(status.rawValue) (only Confirmed and checked-in bookings move)")
        }
    }

    /// Moves the booking to `room` for `nights` (from `nightsToMove`); `newPrices` replaces the
    /// price of those nights (`--reprice`), else every price stays. `lastEarlierNightElsewhere`:
    /// the last night before `nights` that another room than `room` holds (the store reads it).
    public mutating func moveRoom(to room: Room, nights: [CalendarDate], lastEarlierNightElsewhere: CalendarDate?,
                                  newPrices: [CalendarDate: Money]?, note: String?, by user: String, at instant: Date) {
        if let first = nights.first, first > stay.checkIn, let elsewhere = lastEarlierNightElsewhere, elsewhere < first {
            // The nights before stay where they were: the stay is in `room` from the night after
            // the last one slept elsewhere (a guest moved back to the first room was never split).
            roomSince = elsewhere.adding(days: 1)
        } else {
            roomSince = nil
        }
        roomId = room.id
        roomNumber = room.number
        if let newPrices {
            nightlyPrices = nightlyPrices.map { NightlyPrice(night: $0.night, price: newPrices[$0.night] ?? $0.price) }
        }
        if let note { notes.append(BookingNote(at: instant, by: user, text: note)) }
        version += 1
        updatedAt = instant
    }

    /// Marks a Confirmed booking whose guest never came. Allowed once the arrival day has passed,
    /// or on the arrival day from the policy's cut-off hour (`hour`: now, in the hotel's time).
    /// Returns the nights it frees: all but the first with a first-night fee, else all.
    public mutating func markNoShow(businessDate: CalendarDate, hour: Int, policy: NoShowPolicy,
                                    at instant: Date) throws(FrontDeskError) -> [CalendarDate] {
        guard status == .confirmed else {
            if status == .noShow { throw .invalidState("Booking \(confirmationCode) is already a no-show") }
            throw refusal("mark as a no-show")
        }
        if businessDate < stay.checkIn {
            throw .invalidState("Booking \(confirmationCode) arrives on \(stay.checkIn); it cannot be a no-show before then")
        }
        if businessDate == stay.checkIn && hour < policy.cutoffHour {
            throw .invalidState("Booking \(confirmationCode) arrives today; it can be marked a no-show from \(policy.cutoffHour < 10 ? "0" : "")\(policy.cutoffHour):00")
        }
        move(to: .noShow, reason: policy.fee.statusReason, at: instant)
        return policy.fee == .firstNight ? Array(stay.nights.dropFirst()) : stay.nights
    }

    /// Takes back a check-in made on this business day, or, while the night before is still
    /// under way (`Hotel.nightUnderWay`), one made for that night: Confirmed again, the room
    /// still held.
    public mutating func undoCheckIn(businessDate: CalendarDate, reason: String, at instant: Date,
                                     nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) {
        guard status == .checkedIn else { throw refusal("undo the check-in of") }
        guard checkedInOn == businessDate || (nightUnderWay != nil && checkedInOn == nightUnderWay) else {
            let when = checkedInOn.map { " (it was checked in on \($0))" } ?? ""
            throw .invalidState("Booking \(confirmationCode) was not checked in today (\(businessDate))\(when); a check-in can only be undone "
                + "the same day, or until \(Hotel.nightEndsText) for a guest who came after midnight")
        }
        move(to: .confirmed, reason: reason, at: instant)
        checkedInOn = nil
    }

    /// Takes back a check-out made on this business day: checked in again. Returns the nights an
    /// early departure gave back, which must be claimed again (`keptNights`: those still held).
    /// `nightUnderWay`: the night still under way after midnight: a check-out made before
    /// midnight may be undone until it ends, as a check-in may (the guest is still in the room).
    public mutating func undoCheckOut(businessDate: CalendarDate, keptNights: Set<CalendarDate>, reason: String,
                                      at instant: Date, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> [CalendarDate] {
        guard status == .checkedOut else { throw refusal("undo the check-out of") }
        let madeThatNight = nightUnderWay != nil && checkedOutOn == nightUnderWay
        guard checkedOutOn == businessDate || madeThatNight else {
            throw .invalidState("Booking \(confirmationCode) was not checked out today (\(businessDate)); a check-out can only be undone the same day"
                + (nightUnderWay.map { " (one made on \($0) until \(Hotel.nightEndsText))" } ?? ""))
        }
        let firstOpenNight = madeThatNight ? nightUnderWay! : businessDate
        move(to: .checkedIn, reason: reason, at: instant)
        checkedOutOn = nil
        return stay.nights.filter { $0 >= firstOpenNight && !keptNights.contains($0) }
    }

    /// Takes back a no-show: the guest came after all (late, or marked by mistake). Confirmed
    /// again, ready to be checked in, while the stay has a night left: from the business date, or
    /// from the night under way (`Hotel.nightUnderWay`) for a guest who comes after midnight.
    /// Returns the nights to claim again: those from that night on that the no-show gave back
    /// (`keptNights`: still held, the first night of a first-night fee among them). Nights already
    /// past stay given back: nobody slept in them.
    public mutating func undoNoShow(businessDate: CalendarDate, keptNights: Set<CalendarDate>, reason: String,
                                    at instant: Date, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> [CalendarDate] {
        guard status == .noShow else { throw refusal("undo the no-show of") }
        let firstOpenNight = firstNightStillToCome(businessDate: businessDate, nightUnderWay: nightUnderWay)
        guard firstOpenNight < stay.checkOut else {
            throw .invalidState("Booking \(confirmationCode) ended on \(stay.checkOut); its no-show can no longer be undone (book the guest again)")
        }
        move(to: .confirmed, reason: reason, at: instant)
        return stay.nights.filter { $0 >= firstOpenNight && !keptNights.contains($0) }
    }

    /// A booking taken back into its room (an undone check-out or no-show) whose type a manager
    /// has since made sleep fewer than its guests: refused, with the way on.
    public func requireStillFits(_ type: RoomType, roomNumber: String) throws(FrontDeskError) {
        guard let problem = type.capacityProblem(roomNumber: roomNumber, guests: guestCount) else { return }
        throw .invalidState(problem + " since its type was changed, and booking \(confirmationCode) is for \(guestCount): "
            + "book the guests again in a room that sleeps them")
    }

    /// The nights before the first one still to come that a no-show gave back and an undo leaves
    /// given back (`keptNights`: those the booking still holds): nobody slept in them.
    public func pastNightsGivenBack(businessDate: CalendarDate, keptNights: Set<CalendarDate>,
                                    nightUnderWay: CalendarDate?) -> [CalendarDate] {
        let first = firstNightStillToCome(businessDate: businessDate, nightUnderWay: nightUnderWay)
        return stay.nights.filter { $0 < first && !keptNights.contains($0) }
    }

    /// The first night of the stay a guest arriving now would sleep: the night under way while it
    /// lasts and the stay holds it, else the business date (never before the arrival date).
    public func firstNightStillToCome(businessDate: CalendarDate, nightUnderWay: CalendarDate?) -> CalendarDate {
        let now = nightUnderWay.flatMap { stay.contains(night: $0) ? $0 : nil } ?? businessDate
        return max(now, stay.checkIn)
    }

    /// The nights an undone check-out puts the guest back in the room for (`reclaimed`, claimed
    /// again), and the first night still open even when the stay has none left (a guest checked
    /// out on the departure day sleeps there again tonight): no other booking may hold any of them.
    /// `self`: the booking as it was, checked out.
    public func nightsBackInRoom(reclaimed: [CalendarDate], businessDate: CalendarDate, nightUnderWay: CalendarDate?) -> [CalendarDate] {
        let firstOpenNight = nightUnderWay.flatMap { checkedOutOn == $0 ? $0 : nil } ?? businessDate
        return reclaimed.contains(firstOpenNight) ? reclaimed : ([firstOpenNight] + reclaimed).sorted()
    }

    /// Adds a note without other changes.
    public mutating func addNote(_ text: String, by user: String, at instant: Date) {
        notes.append(BookingNote(at: instant, by: user, text: text))
        version += 1
        updatedAt = instant
    }
}

extension Channel {
    /// The reason an undo records when the person gave none.
    public func defaultUndoReason(_ what: String, by user: String) -> String {
        switch self {
        case .desk: "\(what) undone at the desk by \(user)"
        case .commandLine: "\(what) undone from the command line by \(user)"
        case .server: "\(what) undone through the booking server by \(user)"
        }
    }
}

extension Hotel {
    /// The hour of `instant` in the hotel's time zone, 0 to 23.
    public func hour(at instant: Date) -> Int {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.component(.hour, from: instant)
    }
}

/// A change of a hotel's settings (any of them; nil: as it is), checked and audited alike by
/// every backend: the desk's `hotel configure` and the server's `hotels configure`.
public struct HotelSettingsChange: Hashable, Sendable {
    /// The hotel's name as guests and staff read it (on the desk's title line, in exports).
    public var name: String?
    public var holdMinutes: Int?
    public var noShowCutoffHour: Int?
    public var noShowFee: NoShowPolicy.Fee?

    public init(holdMinutes: Int? = nil, noShowCutoffHour: Int? = nil, noShowFee: NoShowPolicy.Fee? = nil, name: String? = nil) {
        self.name = name
        self.holdMinutes = holdMinutes
        self.noShowCutoffHour = noShowCutoffHour
        self.noShowFee = noShowFee
    }

    /// From what a person typed (`hotel configure`, `frontdesk-server hotels configure`, the
    /// API's body): nil leaves a setting as it is; every problem at once.
    public init(name: String? = nil, holdMinutes: Int?, typedCutoff: String?, typedFee: String?) throws(FrontDeskError) {
        var problems: [String] = []
        self.name = name
        self.holdMinutes = holdMinutes
        do throws(FrontDeskError) {
            if let typedCutoff { noShowCutoffHour = try NoShowPolicy.parseHour(typedCutoff) }
        } catch { problems += error.details }
        do throws(FrontDeskError) {
            if let typedFee { noShowFee = try NoShowPolicy.parseFee(typedFee) }
        } catch { problems += error.details }
        do throws(FrontDeskError) { try check() } catch { problems += error.details }
        if !problems.isEmpty { throw .validationFailed(problems) }
    }

    public static let holdMinutesRange = 1...1440

    public var isEmpty: Bool { name == nil && holdMinutes == nil && noShowCutoffHour == nil && noShowFee == nil }

    /// Every problem at once.
    public func check() throws(FrontDeskError) {
        var problems: [String] = []
        if let name, let problem = Hotel.nameProblem(name) { problems.append(problem) }
        if let holdMinutes, !Self.holdMinutesRange.contains(holdMinutes) { problems.append("Hold minutes must be between 1 and 1440") }
        if let noShowCutoffHour, !NoShowPolicy.settableHours.contains(noShowCutoffHour) { problems.append(NoShowPolicy.cutoffRule) }
        if !problems.isEmpty { throw .validationFailed(problems) }
    }

    public func applied(to hotel: Hotel) -> Hotel {
        var changed = hotel
        if let name { changed.name = name.trimmingCharacters(in: .whitespaces) }
        if let holdMinutes { changed.holdMinutes = holdMinutes }
        if let noShowCutoffHour { changed.noShowPolicy.cutoffHour = noShowCutoffHour }
        if let noShowFee { changed.noShowPolicy.fee = noShowFee }
        return changed
    }

    /// The audit trail's lines for a change from `old` to `new`: one per setting that moved.
    public static func auditLines(from old: Hotel, to new: Hotel) -> [(action: String, summary: String)] {
        var lines: [(String, String)] = []
        if new.name != old.name {
            lines.append(("hotel.renamed", "Hotel renamed \(new.name) (was \(old.name))"))
        }
        if new.holdMinutes != old.holdMinutes {
            lines.append(("hotel.holdMinutesChanged", "Holds last \(new.holdMinutes) minutes (was \(old.holdMinutes))"))
        }
        if new.noShowPolicy != old.noShowPolicy {
            lines.append(("hotel.noShowPolicyChanged", "No-shows from \(new.noShowPolicy.cutoffText), fee \(new.noShowPolicy.fee.rawValue) "
                + "(was \(old.noShowPolicy.cutoffText), \(old.noShowPolicy.fee.rawValue))"))
        }
        return lines
    }
}

/// Digits of a phone number as typed or stored, for finding a guest by phone however it is written.
public enum PhoneDigits {
    /// The digits of `text` when it reads as (part of) a phone number: only digits and `+ - ( ) .`
    /// and spaces, with at least 3 digits; nil otherwise.
    public static func of(searchText text: String) -> String? {
        let allowed = Set("0123456789 +-().")
        guard text.allSatisfy(allowed.contains) else { return nil }
        let digits = text.filter(\.isASCII).filter(\.isNumber)
        return digits.count >= 3 ? String(digits) : nil
    }
}
