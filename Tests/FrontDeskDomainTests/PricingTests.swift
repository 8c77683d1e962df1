import Foundation
import FrontDeskDomain
import Testing

@Suite struct PricingTests {
    let policy = PricingPolicy.standard

    func load(_ held: Int, of active: Int) -> PricingPolicy.NightLoad { .init(held: held, active: active) }

    @Test(arguments: [
        (100, "1.5"), (90, "1.5"), (89, "1.3"), (80, "1.3"), (79, "1.1"), (60, "1.1"), (59, "1.0"), (40, "1.0"),
        (39, "0.8"), (0, "0.8"),
    ])
    func occupancyBracketsFromTheDesignAtTheirBoundaries(_ held: Int, _ multiplier: String) {
        #expect(policy.occupancyMultiplier(load(held, of: 100)) == Decimal(string: multiplier)!)
    }

    @Test func ninetyPercentIsExactlyTheTopBracketWhateverTheHotelSize() {
        // 9 of 10 and 27 of 30 are 0.9 exactly; floating point would have put one of them below.
        #expect(policy.occupancyMultiplier(load(9, of: 10)) == 1.5)
        #expect(policy.occupancyMultiplier(load(27, of: 30)) == 1.5)
        #expect(policy.occupancyMultiplier(load(26, of: 30)) == 1.3)
    }

    @Test func aHotelWithNoActiveRoomsPricesAsEmpty() {
        #expect(policy.occupancyMultiplier(load(0, of: 0)) == Decimal(string: "0.8")!)
    }

    @Test(arguments: [(12, "1.4"), (1, "1.4"), (2, "1.4"), (3, "1.1"), (5, "1.1"), (6, "1.3"), (8, "1.3"), (9, "1.0"), (11, "1.0")])
    func seasonalMultipliersFromTheDesign(_ month: Int, _ multiplier: String) {
        #expect(policy.seasonalMultiplier(month: month) == Decimal(string: multiplier)!)
    }

    @Test(arguments: [(0, "1.00"), (13, "1.00"), (14, "0.95"), (29, "0.95"), (30, "0.90"), (89, "0.90"), (90, "0.85"), (400, "0.85")])
    func advanceBookingBracketsAtTheirBoundaries(_ days: Int, _ multiplier: String) {
        #expect(policy.advanceBookingMultiplier(daysAhead: days) == Decimal(string: multiplier)!)
    }

    @Test(arguments: [(1, "1.00"), (2, "1.00"), (3, "0.95"), (6, "0.95"), (7, "0.90"), (13, "0.90"), (14, "0.85"), (30, "0.85")])
    func lengthOfStayBracketsAtTheirBoundaries(_ nights: Int, _ multiplier: String) {
        #expect(policy.lengthOfStayMultiplier(nights: nights) == Decimal(string: multiplier)!)
    }

    @Test func eachNightIsPricedByItsOwnMonthAndOccupancy() {
        // Two nights across the end of November: autumn (1.0) then winter (1.4). Booked the same day,
        // two nights: no advance or length discount.
        let stay = StayDates(checkIn: day("2026-11-30"), checkOut: day("2026-12-02"))!
        let prices = policy.nightlyPrices(basePrice: Money(minorUnits: 10_000), stay: stay, businessDate: day("2026-11-30")) { night in
            night == day("2026-11-30") ? self.load(95, of: 100) : self.load(50, of: 100)
        }
        #expect(prices.map(\.night.iso) == ["2026-11-30", "2026-12-01"])
        #expect(prices.map(\.price.plain) == ["150.00", "140.00"]) // 100 x 1.5 x 1.0, 100 x 1.0 x 1.4
    }

    @Test func allFourMultipliersCombineAndRoundHalfToEvenPerNight() {
        // 99.99 x 0.8 (empty) x 1.1 (April) x 0.90 (45 days ahead) x 0.95 (3 nights) = 75.232476 -> 75.23
        let stay = StayDates(checkIn: day("2027-04-10"), checkOut: day("2027-04-13"))!
        let prices = policy.nightlyPrices(basePrice: Money(minorUnits: 9999), stay: stay, businessDate: day("2027-02-24")) { _ in
            self.load(0, of: 10)
        }
        #expect(prices.map(\.price.plain) == ["75.23", "75.23", "75.23"])
        #expect(prices.map(\.price).sum().plain == "225.69")
    }

    @Test func halfACentRoundsToTheEvenCent() {
        // 0.25 x 0.9 (advance 30 days) = 0.225 -> 0.22, and 0.35 x 0.9 = 0.315 -> 0.32
        let stay = StayDates(checkIn: day("2026-10-31"), checkOut: day("2026-11-01"))!
        let quarter = policy.nightlyPrices(basePrice: Money(minorUnits: 25), stay: stay, businessDate: day("2026-10-01")) { _ in
            self.load(50, of: 100)
        }
        let other = policy.nightlyPrices(basePrice: Money(minorUnits: 35), stay: stay, businessDate: day("2026-10-01")) { _ in
            self.load(50, of: 100)
        }
        #expect(quarter[0].price.plain == "0.22")
        #expect(other[0].price.plain == "0.32")
    }
}
