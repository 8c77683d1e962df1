import FrontDeskDomain
import FrontDeskScreens
import FrontDeskTestSupport
import Testing

/// Keys at the edges a review found (session 45): paging past the dates the desk keeps, help
/// from inside a question, a warning seen from every screen, a cancel that would change nothing.
@Suite struct DeskEdgeKeysTests {
    /// PgUp on the dashboard stops at 1900-01-01 and says so; a held PgUp once went past year 0
    /// and stopped the desk. The room plan stops the same way.
    @Test func pagingStopsAtTheDatesTheDeskKeeps() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(7))
        fixture.type("1900-01-05 30")
        fixture.press(.enter)
        #expect(fixture.model.state.dashboard.from == CalendarDate(iso: "1900-01-05"))
        fixture.press(.pageUp)
        #expect(fixture.model.state.dashboard.from == CalendarDate(iso: "1900-01-05"))
        #expect(fixture.model.state.dashboard.message == "The dashboard shows nights from 1900-01-01 to 9000-12-31")
        fixture.type("9000-12-01 40")
        fixture.press(.enter)
        #expect(fixture.model.state.dashboard.messageIsError && fixture.model.state.dashboard.from == CalendarDate(iso: "1900-01-05"))

        fixture.press(.function(6))
        fixture.type("1900-01-03")
        fixture.press(.enter, .pageUp)
        #expect(fixture.model.state.roomPlan.cursorNight == CalendarDate(iso: "1900-01-03"))
        #expect(fixture.model.state.roomPlan.message?.contains("1900-01-01 to 9000-12-31") == true)
        _ = fixture.screen()
    }

    /// F1 shows the help from inside a yes/no question, and the question is still there after.
    @Test func helpOpensFromInsideAQuestionAndLeavesItOpen() throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3), .down, .alt("c"))
        #expect(fixture.model.state.bookings.actions.confirmation != nil)
        fixture.press(.function(1))
        #expect(fixture.model.state.overlay == .help)
        fixture.press(.escape)
        #expect(fixture.model.state.overlay == .none && fixture.model.state.bookings.actions.confirmation != nil)
    }

    /// A warning for the whole desk is seen on every screen, not only on the search.
    @Test func aDeskWarningShowsOnEveryScreen() throws {
        var fixture = try ScreenFixture()
        fixture.model.setNotice("Cannot read the desk's database")
        for key: Key in [.function(2), .function(3), .function(4), .function(5)] {
            fixture.press(key)
            #expect(fixture.screen(100, 30).contains("! Cannot read the desk's database"), "\(key)")
        }
    }

    /// Cancelling a booking already cancelled is said at once, not asked about.
    @Test func aCancelThatWouldChangeNothingIsNotAsked() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        _ = try fixture.desk.store.cancel(booking.confirmationCode, reason: nil, by: "anna")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.alt("c"))
        #expect(fixture.model.state.bookings.actions.confirmation == nil)
        #expect(fixture.model.state.bookings.actions.message == "Booking \(booking.confirmationCode): The booking is already cancelled")
    }
}
