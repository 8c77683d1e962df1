import Foundation
import FrontDeskDomain
@testable import FrontDeskCLI
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// What `search`, `book` and `check-in` say beside their answer before 06:00, while the night of
/// the day before is still under way (a night shift's review, session 61). The night is the
/// store's (`FrontDeskStore.nightUnderWay`, tested on a hand-moved clock in the store's tests);
/// here the lines for a given night, so no test depends on the real hour.
@Suite struct NightUnderWayLinesTests {
    static let night = CalendarDate(iso: "2026-11-25")! // the business date is the 26th

    @Test func aSearchFromTheBusinessDateSaysTheNightUnderWayIsStillOnSale() {
        #expect(Output.nightStillOnSaleLine(nightUnderWay: Self.night)
                == "Until 06:00 the night of 2026-11-25 can still be sold: --check-in 2026-11-25")
        #expect(Output.nightStillOnSaleLine(nightUnderWay: nil) == nil, "by day nothing is said")
    }

    @Test func aBookingFromTheBusinessDateSaysHowToSellTheNightUnderWayToo() throws {
        let desk = try StoreFixture()
        let today = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let code = today.confirmationCode
        #expect(Output.bookNightLine(today, nightUnderWay: Self.night)
                == "Until 06:00 the night of 2026-11-25 can still be sold: if the guest takes the room now, change \(code) --check-in 2026-11-25")
        let held = try desk.store.reserve(desk.form(room: "102", from: "2026-11-26", to: "2026-11-27"), by: "anna")
        #expect(Output.bookNightLine(held, nightUnderWay: Self.night)?.hasSuffix("--check-in 2026-11-25 once the booking is confirmed") == true)
        let tomorrow = try desk.book(room: "103", from: "2026-11-27", to: "2026-11-28")
        #expect(Output.bookNightLine(tomorrow, nightUnderWay: Self.night) == nil, "a stay from tomorrow leaves no night out")
        #expect(Output.bookNightLine(today, nightUnderWay: nil) == nil, "by day nothing is said")
    }

    @Test func aCheckInOnAStayFromTheBusinessDateSaysTheNightUnderWayIsNotCharged() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let code = booking.confirmationCode
        #expect(Output.checkInNightLine(booking, nightUnderWay: Self.night) == nil, "said once the guest is checked in")
        let checkedIn = try desk.store.checkIn(code, by: "anna")
        #expect(Output.checkInNightLine(checkedIn, nightUnderWay: Self.night)
                == "It is before 06:00: the night of 2026-11-25 is not part of this stay, and nothing is charged for it; "
                + "to charge it: undo-check-in \(code), change \(code) --check-in 2026-11-25, then check-in \(code) again")
        #expect(Output.checkInNightLine(checkedIn, nightUnderWay: nil) == nil, "by day nothing is said")
    }
}
