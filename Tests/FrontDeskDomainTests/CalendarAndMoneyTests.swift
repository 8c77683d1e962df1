import Foundation
import FrontDeskDomain
import Testing

func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

@Suite struct CalendarDateTests {
    @Test func parsesAndPrintsISODates() {
        #expect(day("2026-12-24").iso == "2026-12-24")
        #expect(day("2024-02-29").adding(days: 1).iso == "2024-03-01")
        #expect(day("1999-12-31").adding(days: 1).iso == "2000-01-01")
    }

    @Test(arguments: ["2026-13-01", "2026-02-30", "2025-02-29", "26-01-01", "2026-1-01", "abcd-ef-gh", "2026-12-01T10:00", "", "２０２６-01-01"])
    func refusesWhatIsNotADate(_ text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test func roundTripsEveryDayOfFourHundredYears() {
        var date = day("1900-01-01")
        var previous = date.dayNumber - 1
        while date < day("2300-01-01") {
            #expect(CalendarDate(iso: date.iso) == date)
            #expect(date.dayNumber == previous + 1)
            previous = date.dayNumber
            date = date.adding(days: 1)
        }
    }

    @Test func backToBackStaysShareNoNight() {
        let first = StayDates(checkIn: day("2026-12-01"), checkOut: day("2026-12-03"))!
        let second = StayDates(checkIn: day("2026-12-03"), checkOut: day("2026-12-05"))!
        #expect(!first.overlaps(second))
        #expect(!second.overlaps(first))
        #expect(Set(first.nights).isDisjoint(with: second.nights))
    }

    @Test func staysSharingOneNightOverlap() {
        let first = StayDates(checkIn: day("2026-12-01"), checkOut: day("2026-12-03"))!
        let second = StayDates(checkIn: day("2026-12-02"), checkOut: day("2026-12-06"))!
        let inside = StayDates(checkIn: day("2026-11-01"), checkOut: day("2026-12-31"))!
        #expect(first.overlaps(second) && second.overlaps(first))
        #expect(first.overlaps(inside) && inside.overlaps(first))
    }

    @Test func aStayIsItsNightsFromCheckInUpToButNotCheckOut() {
        let stay = StayDates(checkIn: day("2026-12-30"), checkOut: day("2027-01-02"))!
        #expect(stay.nights.map(\.iso) == ["2026-12-30", "2026-12-31", "2027-01-01"])
        #expect(stay.nightCount == 3)
        #expect(!stay.contains(night: day("2027-01-02")))
    }

    @Test func checkOutOnOrBeforeCheckInIsNoStay() {
        #expect(StayDates(checkIn: day("2026-12-01"), checkOut: day("2026-12-01")) == nil)
        #expect(StayDates(checkIn: day("2026-12-02"), checkOut: day("2026-12-01")) == nil)
    }

    @Test func todayFollowsTheHotelsTimeZone() {
        // 23:30 UTC on 31 Dec is already New Year in Vienna and still New Year's Eve in New York.
        let instant = Date(timeIntervalSince1970: TimeInterval(day("2026-12-31").dayNumber * 86_400 + 23 * 3600 + 1800))
        #expect(CalendarDate.today(in: TimeZone(identifier: "Europe/Vienna")!, at: instant).iso == "2027-01-01")
        #expect(CalendarDate.today(in: TimeZone(identifier: "America/New_York")!, at: instant).iso == "2026-12-31")
    }
}

@Suite struct MoneyTests {
    @Test(arguments: [("2.345", 234), ("2.355", 236), ("2.3450001", 235), ("0.125", 12), ("0.135", 14), ("-2.345", -234), ("10", 1000)])
    func roundsHalfToEven(_ amount: String, _ cents: Int64) {
        #expect(Money(rounding: Decimal(string: amount)!).minorUnits == cents)
    }

    @Test func printsTwoDecimals() {
        #expect(Money(minorUnits: 12_900).plain == "129.00")
        #expect(Money(minorUnits: 5).plain == "0.05")
        #expect(Money(minorUnits: -1234).plain == "-12.34")
        #expect(Money(minorUnits: 0).plain == "0.00")
        #expect(Money(minorUnits: -5).plain == "-0.05")
        #expect(Money(minorUnits: 1_000_000_007).plain == "10000000.07")
        #expect(Money(minorUnits: .max).plain == "92233720368547758.07")
        #expect(Money(minorUnits: .min).plain == "-92233720368547758.08")
    }

    @Test(arguments: [("129", 12_900), ("129.5", 12_950), ("129.05", 12_905), (" 7.10 ", 710)])
    func parsesAmounts(_ text: String, _ cents: Int64) {
        #expect(Money(parsing: text)?.minorUnits == cents)
    }

    @Test(arguments: ["12.345", "abc", "", "-5", "1e3", "1.2.3", "99999999999999999", "-0.50", "-0", "+5", "٣.50", ".50", "5."])
    func refusesWhatIsNotAnAmount(_ text: String) {
        #expect(Money(parsing: text) == nil)
    }

    /// A room type's price is refused past 1,000,000.00 a night, where its stays' totals and a
    /// night's revenue would leave what the store reads back as sound.
    @Test func aRoomTypePriceHasACeiling() throws {
        #expect(try RoomType.parse(name: "Royal", capacity: "2", basePrice: "1000000.00").basePrice == Money(minorUnits: 100_000_000))
        #expect(throws: FrontDeskError.validationFailed(["Base price must be at most 1000000.00"])) {
            try RoomType.parse(name: "Royal", capacity: "2", basePrice: "1000000.01")
        }
        #expect(throws: FrontDeskError.validationFailed(["Base price '-0.50' is not an amount (use e.g. 129.00)"])) {
            try RoomType.parse(name: "Royal", capacity: "2", basePrice: "-0.50")
        }
    }

    @Test func dividesWithBankersRounding() {
        #expect(Money(minorUnits: 1000).divided(by: 3).minorUnits == 333)
        #expect(Money(minorUnits: 5).divided(by: 2).minorUnits == 2) // 0.025 -> 0.02
        #expect(Money(minorUnits: 15).divided(by: 2).minorUnits == 8) // 0.075 -> 0.08
        #expect(Money(minorUnits: 1000).divided(by: 0) == .zero)
    }
}
