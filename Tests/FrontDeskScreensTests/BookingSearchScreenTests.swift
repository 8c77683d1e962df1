import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskTestSupport
import Testing

/// The bookings screen, searching a surname with 300 past stays.
@Suite struct BookingSearchScreenTests {
    @Test func todaysArrivalIsOnTopAndTheScreenSaysTheListIsCut() throws {
        var fixture = try ScreenFixture()
        let stays = try ManyStays(fixture.desk)

        fixture.press(.function(3))
        fixture.type(ManyStays.surname.lowercased())

        #expect(fixture.model.state.bookings.results.first?.id == stays.todaysArrival.id)
        #expect(fixture.model.state.bookings.results.prefix(3).map(\.id) == [stays.todaysArrival.id, stays.inHouse.id, stays.upcoming.id])
        let screen = fixture.screen(120, 30)
        #expect(screen.contains(" showing 120 of \(ManyStays.total)"), "\(screen)")
        #expect(screen.contains("Dee \(ManyStays.surname)"))

        for _ in ManyStays.surname { fixture.press(.backspace) }
        fixture.type("dee \(ManyStays.surname)")
        #expect(fixture.screen(120, 30).contains(" 1 booking"))
    }
}
