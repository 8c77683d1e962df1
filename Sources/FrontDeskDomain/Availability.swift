import Foundation

/// A room that can be sold for the asked stay, with its price night by night.
public struct RoomOffer: Hashable, Sendable {
    public let room: Room
    public let roomType: RoomType
    public let nightlyPrices: [NightlyPrice]

    public init(room: Room, roomType: RoomType, nightlyPrices: [NightlyPrice]) {
        self.room = room
        self.roomType = roomType
        self.nightlyPrices = nightlyPrices
    }

    public var totalPrice: Money { nightlyPrices.map(\.price).sum() }
}

/// A room a search from tonight leaves out although no night of the stay is held in it: a guest
/// who was due out before today is still checked in there (they overstayed, or nobody checked
/// them out), so the bed is taken tonight until someone checks them out.
public struct WithheldRoom: Hashable, Sendable {
    public let roomNumber: String
    public let guestName: String
    public let confirmationCode: String
    public let dueOut: CalendarDate

    public init(roomNumber: String, guestName: String, confirmationCode: String, dueOut: CalendarDate) {
        self.roomNumber = roomNumber
        self.guestName = guestName
        self.confirmationCode = confirmationCode
        self.dueOut = dueOut
    }

    /// "Room 101 not offered: Ann Lee (booking ABC123) is still checked in, due out 2026-12-05".
    public var explanation: String {
        "Room \(roomNumber) not offered: \(guestName) (booking \(confirmationCode)) is still checked in, due out \(dueOut)"
    }
}

public struct AvailabilityQuery: Hashable, Sendable {
    public let stay: StayDates
    public let guestCount: Int

    public init(stay: StayDates, guestCount: Int) {
        self.stay = stay
        self.guestCount = guestCount
    }

    /// The design's CheckAvailability rules plus ours (maximum stay, how far ahead), all reported.
    /// `nightUnderWay`: the night still under way, which may be sold too (`Hotel.nightUnderWay`).
    public static func validate(checkIn: String, checkOut: String, guests: String,
                                businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> AvailabilityQuery {
        var problems: [String] = []
        let stay = BookingRules.validStay(checkIn: checkIn, checkOut: checkOut, businessDate: businessDate,
                                          nightUnderWay: nightUnderWay, into: &problems)
        if let problem = BookingRules.guestCountProblem(guests) { problems.append(problem) }
        if !problems.isEmpty { throw .validationFailed(problems) }
        return AvailabilityQuery(stay: stay!, guestCount: Int(guests.trimmingWhitespace())!)
    }

    /// A search as the desk's command line asks it: check-out given, or `nights` (default 1, at
    /// most `BookingRules.maximumNights`) after check-in. A check-out derived from a check-in that
    /// is itself refused is not reported again.
    public static func validate(checkIn: String, checkOut: String?, nights: Int?, guests: String,
                                businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil) throws(FrontDeskError) -> AvailabilityQuery {
        if let checkOut {
            // Both given: which one was meant cannot be told, so neither is dropped in silence.
            if nights != nil {
                throw .validationFailed(["Give either --check-out or --nights, not both"])
            }
            return try validate(checkIn: checkIn, checkOut: checkOut, guests: guests, businessDate: businessDate, nightUnderWay: nightUnderWay)
        }
        var problems: [String] = []
        let nightRange = 1...BookingRules.maximumNights
        if let nights, !nightRange.contains(nights) {
            problems.append("Nights must be between \(nightRange.lowerBound) and \(nightRange.upperBound)")
        }
        var ignored: [String] = []
        let arrival = BookingRules.parseDate(checkIn, field: "Check-in date", into: &ignored)
        let departure = arrival?.adding(days: nights.flatMap { nightRange.contains($0) ? $0 : nil } ?? 1).iso
        do {
            let query = try validate(checkIn: checkIn, checkOut: departure ?? checkIn, guests: guests, businessDate: businessDate,
                                     nightUnderWay: nightUnderWay)
            if problems.isEmpty { return query }
        } catch {
            let found = error.details.filter { arrival != nil || !$0.hasPrefix("Check-out date") }
            problems = found + problems
        }
        throw .validationFailed(problems)
    }
}

extension Array where Element == RoomOffer {
    /// Cheapest stay first, then by room number as a person reads it (9 before 10, 101 before 1010).
    public func sortedForSale() -> [RoomOffer] {
        // Totals and number keys computed once per offer, not once per comparison; the sort moves
        // small keys, not the offers themselves (a search sorts dozens of them per answer).
        indices.map { (total: self[$0].totalPrice, number: RoomNumberOrder.Key(self[$0].room.number), index: $0) }
            .sorted { lhs, rhs in lhs.total != rhs.total ? lhs.total < rhs.total : lhs.number < rhs.number }
            .map { self[$0.index] }
    }
}

public enum RoomNumberOrder {
    /// Numeric numbers in numeric order, before any non-numeric ones, which sort as text.
    public static func precedes(_ lhs: String, _ rhs: String) -> Bool { Key(lhs) < Key(rhs) }

    public struct Key: Comparable {
        let numeric: Int
        let text: String

        public init(_ number: String) {
            numeric = Int(number) ?? .max
            text = number
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            lhs.numeric != rhs.numeric ? lhs.numeric < rhs.numeric : lhs.text < rhs.text
        }
    }
}
