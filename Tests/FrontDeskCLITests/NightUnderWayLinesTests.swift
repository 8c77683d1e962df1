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
        let unsold = { (booking: Booking) in { (night: CalendarDate) in (try? desk.store.nightIsUnsold(night, inRoomOf: booking)) ?? false } }
        let today = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let code = today.confirmationCode
        #expect(Output.bookNightLine(today, nightUnderWay: Self.night, isUnsold: unsold(today))
                == "Until 06:00 the night of 2026-11-25 can still be sold: if the guest takes the room now, change \(code) --check-in 2026-11-25")
        let held = try desk.store.reserve(desk.form(room: "102", from: "2026-11-26", to: "2026-11-27"), by: "anna")
        #expect(Output.bookNightLine(held, nightUnderWay: Self.night, isUnsold: unsold(held))?.hasSuffix("--check-in 2026-11-25 once the booking is confirmed") == true)
        let tomorrow = try desk.book(room: "103", from: "2026-11-27", to: "2026-11-28")
        #expect(Output.bookNightLine(tomorrow, nightUnderWay: Self.night, isUnsold: unsold(tomorrow)) == nil, "a stay from tomorrow leaves no night out")
        #expect(Output.bookNightLine(today, nightUnderWay: nil, isUnsold: unsold(today)) == nil, "by day nothing is said")
        // The night already sold in the room (a guest gone after midnight slept it): no advice,
        // whose change would be refused ("Room 104 is taken on the night of 2026-11-25").
        let earlier = try desk.earlierStore(daysAgo: 2)
        _ = try earlier.confirm(try earlier.reserve(desk.form(room: "104", from: "2026-11-24", to: "2026-11-26"), by: "anna").confirmationCode, by: "anna")
        let afterIt = try desk.book(room: "104", from: "2026-11-26", to: "2026-11-27")
        #expect(try !desk.store.nightIsUnsold(Self.night, inRoomOf: afterIt))
        #expect(Output.bookNightLine(afterIt, nightUnderWay: Self.night, isUnsold: unsold(afterIt)) == nil, "that night is sold")
    }

    @Test func aCheckInOnAStayFromTheBusinessDateSaysTheNightUnderWayIsNotCharged() throws {
        let desk = try StoreFixture()
        let unsold = { (booking: Booking) in { (night: CalendarDate) in (try? desk.store.nightIsUnsold(night, inRoomOf: booking)) ?? false } }
        let booking = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let code = booking.confirmationCode
        #expect(Output.checkInNightLine(booking, nightUnderWay: Self.night, isUnsold: unsold(booking)) == nil, "said once the guest is checked in")
        let checkedIn = try desk.store.checkIn(code, by: "anna")
        #expect(Output.checkInNightLine(checkedIn, nightUnderWay: Self.night, isUnsold: unsold(checkedIn))
                == "It is before 06:00: the night of 2026-11-25 is not part of this stay, and nothing is charged for it; "
                + "to charge it: undo-check-in \(code), change \(code) --check-in 2026-11-25, then check-in \(code) again")
        #expect(Output.checkInNightLine(checkedIn, nightUnderWay: nil, isUnsold: unsold(checkedIn)) == nil, "by day nothing is said")
    }
}
