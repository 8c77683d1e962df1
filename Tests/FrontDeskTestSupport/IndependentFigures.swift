import FrontDeskDomain

/// Occupancy figures worked out again from the bookings alone, with integer arithmetic, so that
/// the report, the dashboard and `frontdesk occupancy` are checked against something that shares
/// none of their code: not the SQL, not `OccupancyDay`, not `Money`'s division.
public enum IndependentFigures {
    /// What the tests know of a booking: enough to count its nights.
    public struct Stay {
        public let status: String
        public let roomType: String
        public let checkIn: CalendarDate
        public let checkOut: CalendarDate
        public let centsByNight: [CalendarDate: Int64]

        public init(status: String, roomType: String, checkIn: CalendarDate, checkOut: CalendarDate, centsByNight: [CalendarDate: Int64]) {
            self.status = status
            self.roomType = roomType
            self.checkIn = checkIn
            self.checkOut = checkOut
            self.centsByNight = centsByNight
        }

        public init(_ booking: Booking, roomType: String) {
            self.init(status: booking.status.rawValue, roomType: roomType, checkIn: booking.stay.checkIn,
                      checkOut: booking.stay.checkOut,
                      centsByNight: Dictionary(uniqueKeysWithValues: booking.nightlyPrices.map { ($0.night, $0.price.minorUnits) }))
        }

        var isSold: Bool { ["Confirmed", "CheckedIn", "CheckedOut"].contains(status) }
        func covers(_ night: CalendarDate) -> Bool { checkIn <= night && night < checkOut }
    }

    public struct Night: Equatable, CustomStringConvertible {
        public let date: CalendarDate
        public let sold: Int
        public let available: Int
        public let revenue: String
        public let occupancyPercent: String
        public let adr: String
        public let revpar: String

        public var description: String { "\(date) \(sold)/\(available) \(occupancyPercent)% \(revenue) ADR \(adr) RevPAR \(revpar)" }
    }

    public static func nights(_ stays: [Stay], activeRooms: Int, from first: CalendarDate, count: Int) -> [Night] {
        (0..<count).map { offset in
            let night = first.adding(days: offset)
            let sold = stays.filter { $0.isSold && $0.covers(night) }
            let cents = sold.map { $0.centsByNight[night] ?? 0 }.reduce(0, +)
            return Night(date: night, sold: sold.count, available: activeRooms, revenue: amount(cents),
                         occupancyPercent: amount(divideHalfEven(Int64(sold.count) * 10_000, by: Int64(activeRooms))),
                         adr: amount(divideHalfEven(cents, by: Int64(sold.count))),
                         revpar: amount(divideHalfEven(cents, by: Int64(activeRooms))))
        }
    }

    /// Sold room-nights and revenue cents per room type over the nights.
    public static func byRoomType(_ stays: [Stay], from first: CalendarDate, count: Int) -> [String: (sold: Int, cents: Int64)] {
        var totals: [String: (sold: Int, cents: Int64)] = [:]
        for stay in stays where stay.isSold {
            for offset in 0..<count where stay.covers(first.adding(days: offset)) {
                totals[stay.roomType, default: (0, 0)].sold += 1
                totals[stay.roomType, default: (0, 0)].cents += stay.centsByNight[first.adding(days: offset)] ?? 0
            }
        }
        return totals
    }

    /// `numerator / denominator` rounded to a whole number, halves to even; 0 when dividing by 0.
    public static func divideHalfEven(_ numerator: Int64, by denominator: Int64) -> Int64 {
        guard denominator != 0 else { return 0 }
        let quotient = numerator / denominator, remainder = numerator % denominator
        let twice = 2 * remainder
        if twice > denominator || (twice == denominator && quotient % 2 == 1) { return quotient + 1 }
        return quotient
    }

    /// Hundredths as text with two decimals: 12345 -> "123.45".
    public static func amount(_ hundredths: Int64) -> String {
        let sign = hundredths < 0 ? "-" : ""
        let value = abs(hundredths)
        let cents = value % 100
        return "\(sign)\(value / 100).\(cents < 10 ? "0" : "")\(cents)"
    }
}
