import Foundation

/// One night of the occupancy report. The definitions are the command line's contract:
/// available = active rooms; sold = rooms with a Confirmed, CheckedIn or CheckedOut booking that
/// night; revenue = those bookings' prices for that night; ADR = revenue / sold;
/// RevPAR = revenue / available. Screens and exports use this same type.
public struct OccupancyDay: Hashable, Sendable {
    public let date: CalendarDate
    public let roomsAvailable: Int
    public let roomsSold: Int
    public let roomRevenue: Money

    public init(date: CalendarDate, roomsAvailable: Int, roomsSold: Int, roomRevenue: Money) {
        self.date = date
        self.roomsAvailable = roomsAvailable
        self.roomsSold = roomsSold
        self.roomRevenue = roomRevenue
    }

    /// Sold / available as a fraction, rounded half to even to 4 decimals (0.7533 = 75.33%).
    public var occupancy: Decimal { Self.ratio(roomsSold, roomsAvailable) }
    public var adr: Money { roomRevenue.divided(by: roomsSold) }
    public var revpar: Money { roomRevenue.divided(by: roomsAvailable) }

    static func ratio(_ part: Int, _ whole: Int) -> Decimal {
        guard whole > 0 else { return 0 }
        var value = Decimal(part) / Decimal(whole)
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 4, .bankers)
        return rounded
    }
}

/// Totals over a range of nights, computed from the same days.
public struct OccupancySummary: Hashable, Sendable {
    public let roomNightsAvailable: Int
    public let roomNightsSold: Int
    public let roomRevenue: Money

    public init(_ days: [OccupancyDay]) {
        roomNightsAvailable = days.map(\.roomsAvailable).reduce(0, +)
        roomNightsSold = days.map(\.roomsSold).reduce(0, +)
        roomRevenue = days.map(\.roomRevenue).sum()
    }

    public var occupancy: Decimal { OccupancyDay.ratio(roomNightsSold, roomNightsAvailable) }
    public var adr: Money { roomRevenue.divided(by: roomNightsSold) }
    public var revpar: Money { roomRevenue.divided(by: roomNightsAvailable) }
}
