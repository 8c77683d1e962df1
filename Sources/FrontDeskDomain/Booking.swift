import Foundation

public enum BookingStatus: String, CaseIterable, Hashable, Sendable {
    /// The room is held for `Hotel.holdMinutes` while the booking is completed.
    case reserving = "Reserving"
    case processingPayment = "ProcessingPayment"
    case confirmed = "Confirmed"
    case checkedIn = "CheckedIn"
    case checkedOut = "CheckedOut"
    case failed = "Failed"
    case cancelled = "Cancelled"
    /// A Confirmed guest who never came: the remaining nights are freed; the first night stays
    /// charged or not by the hotel's `no_show_fee`.
    case noShow = "NoShow"

    /// Accepts `Confirmed`, `confirmed`, `checked-in`, `checked_in`.
    public init?(loose text: String) {
        let key = text.lowercased().filter { $0.isLetter }
        guard let match = BookingStatus.allCases.first(where: { $0.rawValue.lowercased() == key }) else { return nil }
        self = match
    }

    /// Statuses whose nights count as sold in occupancy and revenue.
    public static let sold: Set<BookingStatus> = [.confirmed, .checkedIn, .checkedOut, .noShow]

    public var isFinal: Bool { [.checkedOut, .failed, .cancelled, .noShow].contains(self) }
}

public struct Guest: Hashable, Sendable {
    public var name: String
    public var email: String
    public var phone: String?

    public init(name: String, email: String, phone: String? = nil) {
        self.name = name
        self.email = email
        self.phone = phone
    }
}

public struct NightlyPrice: Hashable, Sendable {
    public let night: CalendarDate
    public let price: Money

    public init(night: CalendarDate, price: Money) {
        self.night = night
        self.price = price
    }
}

public struct Booking: Hashable, Sendable {
    public let id: UUID
    public let hotelId: UUID
    public internal(set) var roomId: UUID
    public var roomNumber: String
    /// Read over the phone: `K7M-4QX`.
    public let confirmationCode: String
    public var guest: Guest
    public var guestCount: Int
    public internal(set) var stay: StayDates
    public internal(set) var status: BookingStatus
    public internal(set) var nightlyPrices: [NightlyPrice]
    /// Starts at 1; every change adds one, so an edit can be checked against what its author saw.
    public internal(set) var version: Int
    /// When an unpaid hold lapses (Reserving and ProcessingPayment only).
    public internal(set) var holdExpiresAt: Date?
    public internal(set) var statusReason: String?
    public let createdAt: Date
    public internal(set) var updatedAt: Date
    /// Free-text notes and requests, oldest first.
    public internal(set) var notes: [BookingNote]
    /// The business date of the check-in and check-out, for undoing them the same day.
    public internal(set) var checkedInOn: CalendarDate?
    public internal(set) var checkedOutOn: CalendarDate?
    /// The first night of the stay in the current room, when a move split the stay over two rooms
    /// (the nights before it were slept in another room); nil when the whole stay is in this room.
    public internal(set) var roomSince: CalendarDate?

    public init(
        id: UUID, hotelId: UUID, roomId: UUID, roomNumber: String, confirmationCode: String, guest: Guest,
        guestCount: Int, stay: StayDates, status: BookingStatus, nightlyPrices: [NightlyPrice], version: Int,
        holdExpiresAt: Date?, statusReason: String?, createdAt: Date, updatedAt: Date, notes: [BookingNote] = [],
        checkedInOn: CalendarDate? = nil, checkedOutOn: CalendarDate? = nil, roomSince: CalendarDate? = nil
    ) {
        self.id = id
        self.hotelId = hotelId
        self.roomId = roomId
        self.roomNumber = roomNumber
        self.confirmationCode = confirmationCode
        self.guest = guest
        self.guestCount = guestCount
        self.stay = stay
        self.status = status
        self.nightlyPrices = nightlyPrices
        self.version = version
        self.holdExpiresAt = holdExpiresAt
        self.statusReason = statusReason
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.notes = notes
        self.checkedInOn = checkedInOn
        self.checkedOutOn = checkedOutOn
        self.roomSince = roomSince
    }

    public var totalPrice: Money { nightlyPrices.map(\.price).sum() }

    /// Whether this booking keeps its room from being sold at `instant`.
    /// The design counted only Confirmed and CheckedIn, which let two desks sell one room.
    public func holdsRoom(at instant: Date) -> Bool {
        switch status {
        // The hold deadline runs on while payment is taken: a payment that never answers must not
        // keep the room for ever.
        case .reserving, .processingPayment: (holdExpiresAt ?? .distantPast) > instant
        case .confirmed, .checkedIn: true
        case .checkedOut, .failed, .cancelled, .noShow: false
        }
    }

    // MARK: Transitions. Each one checks where it may start and bumps the version.

    public mutating func startPayment(at instant: Date) throws(FrontDeskError) {
        guard status == .reserving else { throw refusal("start payment for") }
        move(to: .processingPayment, reason: nil, at: instant)
    }

    public mutating func confirm(at instant: Date) throws(FrontDeskError) {
        guard status == .reserving || status == .processingPayment else { throw refusal("confirm") }
        move(to: .confirmed, reason: nil, at: instant)
    }

    public mutating func fail(reason: String, at instant: Date) throws(FrontDeskError) {
        guard status == .reserving || status == .processingPayment else { throw refusal("fail") }
        move(to: .failed, reason: reason, at: instant)
    }

    /// The refusal of a check-in into a room another guest still occupies: one checked in there
    /// who stayed past departure (nights cannot overlap, so only such a guest can be there).
    /// `returning`: the guest of an undone check-out, who can only go back to this room.
    public func roomStillOccupied(by guestName: String, confirmationCode other: String, dueOut: CalendarDate,
                                  returning: Bool = false) -> FrontDeskError {
        .invalidState("Room \(roomNumber) is still occupied: \(guestName) (booking \(other), due out \(dueOut)) is checked in there; "
            + (returning ? "check them out or move them to another room first" : "check them out first, or move booking \(confirmationCode) to another room"))
    }

    /// A Confirmed booking whose arrival day has passed is not cancelled: its guest did not come,
    /// and a cancel would give back nights already sold and refund them in full, past the no-show
    /// policy. It is marked a no-show instead (the arrival day itself may still be cancelled).
    /// `nightUnderWay`: the night still under way after midnight (`Hotel.nightUnderWay`): its
    /// arrivals are still on their arrival night, and cancel as they would have before midnight
    /// (a walk-in sold that night at 01:00 and gone at 01:05 among them).
    public func requireCancellable(businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) {
        guard status == .confirmed, stay.checkIn < businessDate, stay.checkIn != nightUnderWay else { return }
        throw .invalidState("Booking \(confirmationCode) was due on \(stay.checkIn) and its guest did not come: "
            + "mark it a no-show instead of cancelling (business date \(businessDate))")
    }

    public mutating func cancel(reason: String?, at instant: Date) throws(FrontDeskError) {
        switch status {
        case .reserving, .processingPayment, .confirmed:
            move(to: .cancelled, reason: reason, at: instant)
        case .checkedIn:
            throw .invalidState("Booking \(confirmationCode) is checked in: check the guest out instead of cancelling")
        case .checkedOut:
            throw .invalidState("Booking \(confirmationCode) is already checked out and cannot be cancelled")
        case .cancelled:
            throw .invalidState("Booking \(confirmationCode) is already cancelled")
        case .failed:
            throw .invalidState("Booking \(confirmationCode) failed and holds nothing to cancel")
        case .noShow:
            throw .invalidState("Booking \(confirmationCode) is a no-show; there is nothing to cancel")
        }
    }

    /// Check-in is possible on any night of the stay, from the arrival date on. A guest who
    /// arrives after midnight, while the night before is still under way (`Hotel.nightUnderWay`),
    /// is checked in to that night: a one-night stay whose check-out date it is now can still be
    /// checked in, and the guest counts in the house from that night.
    public mutating func checkIn(businessDate: CalendarDate, at instant: Date, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) {
        guard status == .confirmed else {
            if status == .checkedIn { throw .invalidState("Booking \(confirmationCode) is already checked in") }
            // A late guest is the common case: the way on, not only the state.
            if status == .noShow {
                throw .invalidState("Booking \(confirmationCode) was marked a no-show: if the guest came after all, "
                    + "take the no-show back first (undo-no-show), then check in")
            }
            throw refusal("check in")
        }
        if businessDate < stay.checkIn {
            throw .invalidState("Booking \(confirmationCode) arrives on \(stay.checkIn); it cannot be checked in on \(businessDate)")
        }
        let arrivedFor = nightUnderWay.flatMap { stay.checkIn <= $0 && $0 < stay.checkOut ? $0 : nil } ?? businessDate
        if arrivedFor >= stay.checkOut {
            throw .invalidState("Booking \(confirmationCode) ended on \(stay.checkOut); it can no longer be checked in"
                + (stay.checkOut == businessDate ? " (a guest due last night is checked in until \(Hotel.nightEndsText))" : ""))
        }
        move(to: .checkedIn, reason: nil, at: instant)
        checkedInOn = arrivedFor
    }

    /// Checks the guest out on `businessDate` and returns the nights this frees: none on the
    /// planned day, the remaining ones on an early departure (the first night is always kept).
    public mutating func checkOut(businessDate: CalendarDate, at instant: Date) throws(FrontDeskError) -> [CalendarDate] {
        guard status == .checkedIn else {
            if status == .checkedOut { throw .invalidState("Booking \(confirmationCode) is already checked out") }
            throw refusal("check out")
        }
        move(to: .checkedOut, reason: nil, at: instant)
        checkedOutOn = businessDate
        return nightsFreedByCheckingOut(on: businessDate)
    }

    /// The nights a check-out on `businessDate` gives back: none on the planned day, the remaining
    /// ones on an early departure (the first night is always kept).
    public func nightsFreedByCheckingOut(on businessDate: CalendarDate) -> [CalendarDate] {
        let firstFreed = max(businessDate, stay.checkIn.adding(days: 1))
        return stay.nights.filter { $0 >= firstFreed }
    }

    mutating func move(to newStatus: BookingStatus, reason: String?, at instant: Date) {
        status = newStatus
        statusReason = reason
        if newStatus != .reserving && newStatus != .processingPayment { holdExpiresAt = nil }
        version += 1
        updatedAt = instant
    }

    func refusal(_ action: String) -> FrontDeskError {
        .invalidState("Cannot \(action) booking \(confirmationCode): it is \(status.rawValue)")
    }
}
