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

    /// A new query chooses its first row: the row number of the list before once stayed, and
    /// Alt-c from the find field asked to cancel a booking further down the new list.
    @Test func aNewQueryChoosesItsFirstRowForTheNextAction() throws {
        var fixture = try ScreenFixture()
        for (room, name) in [("101", "Nikolaj Kim"), ("102", "Ada Kim"), ("103", "Bea Lund"), ("104", "Cy Lund")] {
            _ = try fixture.desk.store.reserveConfirmedAtDesk(fixture.desk.form(room: room, name: name), by: "anna")
        }
        fixture.press(.function(3), .down, .down, .down)
        #expect(fixture.model.state.bookings.selected == 2)
        fixture.type("kim")
        let results = fixture.model.state.bookings.results
        #expect(results.count == 2 && fixture.model.state.bookings.selected == 0)
        fixture.press(.alt("c"))
        let question = fixture.model.state.bookings.actions.confirmation?.lines.first ?? ""
        #expect(question == "Cancel booking \(results[0].confirmationCode) for \(results[0].guest.name)?", "\(question)")
    }
}
