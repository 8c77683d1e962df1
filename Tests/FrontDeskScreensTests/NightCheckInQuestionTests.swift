import FrontDeskDomain
import FrontDeskScreens
import Testing

/// A guest on a stay from the business date checked in before 06:00 sleeps the night under way,
/// which the stay does not hold: nothing is charged for it (a night shift's review, session 61).
/// The check-in is not refused (the guest has the bed, session 54); the question says so.
@Suite struct NightCheckInQuestionTests {
    @Test func theCheckInQuestionSaysTheNightUnderWayIsNotSold() throws {
        var fixture = try ScreenFixture()
        let arrival = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let warning = "! It is before 06:00: the night of 2026-11-25 is not part of this stay, and nothing is charged for it; "
            + "to charge it, answer No and change the check-in to 2026-11-25 first (Alt-e)"
        // By day: the question as it was.
        fixture.press(.function(4))
        fixture.press(.alt("i"))
        let byDay = try #require(fixture.model.state.today.actions.confirmation)
        #expect(byDay.bookingId == arrival.id && !byDay.lines.contains(warning), "\(byDay.lines)")
        fixture.press(.escape)

        // 00:37 on the 26th (the desk's clock tick says the night of the 25th is under way).
        fixture.model.setBusinessDate(CalendarDate(iso: "2026-11-26")!, nightUnderWay: CalendarDate(iso: "2026-11-25"))
        fixture.press(.function(4))
        fixture.press(.alt("i"))
        let atNight = try #require(fixture.model.state.today.actions.confirmation)
        #expect(atNight.bookingId == arrival.id)
        #expect(atNight.lines.contains(warning), "\(atNight.lines)")
        #expect(fixture.screen(160, 30).contains("the night of 2026-11-25 is not part of this stay"), "\(fixture.screen(160, 30))")
        // Not refused: the guest has the bed.
        fixture.press(.right, .enter)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .checkedIn)
    }
}
