import Foundation

/// The design's DynamicPricingService, priced night by night. All four multiplier tables live
/// here and nowhere else; the README prints them.
///
/// nightly price = round_half_even(base x occupancy(night) x season(night's month)
///                                  x advance(days from business date to check-in)
///                                  x lengthOfStay(nights), 2)
/// total = sum of nightly prices.
public struct PricingPolicy: Sendable {
    /// (minimum occupancy in percent, multiplier), highest bracket first. From the design.
    public var occupancy: [(minimumPercent: Int, multiplier: Decimal)]
    /// Multiplier by month 1...12. From the design.
    public var seasonal: [Int: Decimal]
    /// (minimum days between business date and check-in, multiplier), longest first. Our choice.
    public var advanceBooking: [(minimumDays: Int, multiplier: Decimal)]
    /// (minimum nights, multiplier), longest first. Our choice.
    public var lengthOfStay: [(minimumNights: Int, multiplier: Decimal)]

    public static let standard = PricingPolicy(
        occupancy: [(90, dec("1.5")), (80, dec("1.3")), (60, dec("1.1")), (40, dec("1.0")), (0, dec("0.8"))],
        seasonal: [
            12: dec("1.4"), 1: dec("1.4"), 2: dec("1.4"),
            3: dec("1.1"), 4: dec("1.1"), 5: dec("1.1"),
            6: dec("1.3"), 7: dec("1.3"), 8: dec("1.3"),
            9: dec("1.0"), 10: dec("1.0"), 11: dec("1.0"),
        ],
        advanceBooking: [(90, dec("0.85")), (30, dec("0.90")), (14, dec("0.95")), (0, dec("1.00"))],
        lengthOfStay: [(14, dec("0.85")), (7, dec("0.90")), (3, dec("0.95")), (1, dec("1.00"))]
    )

    /// Rooms holding a night against rooms that could be sold that night.
    public struct NightLoad: Hashable, Sendable {
        public var held: Int
        public var active: Int
        public init(held: Int, active: Int) {
            self.held = held
            self.active = active
        }
    }

    /// Compared in integers (held x 100 >= active x percent) so 0.9 is 0.9, not 0.8999.
    public func occupancyMultiplier(_ load: NightLoad) -> Decimal {
        for bracket in occupancy where load.active > 0 && load.held * 100 >= load.active * bracket.minimumPercent {
            return bracket.multiplier
        }
        return occupancy.last!.multiplier
    }

    public func seasonalMultiplier(month: Int) -> Decimal { seasonal[month] ?? 1 }

    public func advanceBookingMultiplier(daysAhead: Int) -> Decimal {
        advanceBooking.first { daysAhead >= $0.minimumDays }?.multiplier ?? 1
    }

    public func lengthOfStayMultiplier(nights: Int) -> Decimal {
        lengthOfStay.first { nights >= $0.minimumNights }?.multiplier ?? 1
    }

    /// Prices every night of `stay` for a room type with `basePrice`, as booked on `businessDate`.
    /// `load` gives each night's occupancy before this booking; a missing night counts as empty.
    public func nightlyPrices(
        basePrice: Money, stay: StayDates, businessDate: CalendarDate, load: (CalendarDate) -> NightLoad
    ) -> [NightlyPrice] {
        nightlyFactors(stay: stay, businessDate: businessDate, load: load).prices(basePrice: basePrice)
    }

    /// Refuses prices a desk sent for a stay it booked offline (`nightlyPrices`) when any night is
    /// under half of what these rules ask for that night in an empty hotel, the lowest they give.
    /// A desk prices with these same rules, so its prices are never that low; without this floor
    /// anyone with a receptionist's token could push a suite at a cent a night. Half, not all of
    /// it: a manager may raise a room type's base price between the desk's booking and its push.
    public func checkAgreedPrices(_ agreed: [NightlyPrice], basePrice: Money, typeName: String, stay: StayDates,
                                  businessDate: CalendarDate) throws {
        let lowest = nightlyPrices(basePrice: basePrice, stay: stay, businessDate: businessDate) { _ in NightLoad(held: 0, active: 0) }
        let problems = zip(agreed, lowest).compactMap { agreed, lowest -> String? in
            guard agreed.price.minorUnits * 2 < lowest.price.minorUnits else { return nil }
            return "nightlyPrices: \(agreed.price.plain) for \(agreed.night) is under half the lowest price of a \(typeName) "
                + "that night (\(lowest.price.plain))"
        }
        if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
    }

    /// Every night's multiplier of `stay`, the same for every room type: a search works them out
    /// once and prices each type with `prices(basePrice:)`.
    public func nightlyFactors(stay: StayDates, businessDate: CalendarDate, load: (CalendarDate) -> NightLoad) -> NightlyFactors {
        // A walk-in sold the night still under way is booked on the day, not a day late.
        let stayFactor = advanceBookingMultiplier(daysAhead: max(0, businessDate.days(until: stay.checkIn)))
            * lengthOfStayMultiplier(nights: stay.nightCount)
        return NightlyFactors(nights: stay.nights.map { night in
            (night, occupancyMultiplier(load(night)) * seasonalMultiplier(month: night.month) * stayFactor)
        })
    }

    /// Each night of a stay with the multiplier of its price.
    public struct NightlyFactors: Sendable {
        public let nights: [(night: CalendarDate, factor: Decimal)]

        public func prices(basePrice: Money) -> [NightlyPrice] {
            nights.map { NightlyPrice(night: $0.night, price: basePrice.multiplied(by: $0.factor)) }
        }
    }
}

private func dec(_ literal: String) -> Decimal { Decimal(string: literal)! }
