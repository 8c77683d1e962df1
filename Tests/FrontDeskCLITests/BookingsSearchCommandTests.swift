import Foundation
import FrontDeskTestSupport
import Testing

/// `frontdesk bookings` on a hotel where one surname has 300 past stays.
@Suite struct BookingsSearchCommandTests {
    @Test func todaysArrivalComesFirstAndTheJSONSaysTheListIsCut() throws {
        let desk = try StoreFixture()
        let stays = try ManyStays(desk)
        var cli = try CLIHarness()
        cli.environment["FRONTDESK_DB"] = desk.store.path

        let outcome = try cli.run("bookings", "--guest", ManyStays.surname.lowercased(), "--limit", "120", "--json")
        let document = try outcome.json
        let listed = try #require(document["bookings"] as? [[String: Any]])

        #expect(listed.count == 120)
        #expect(listed.first?["confirmation"] as? String == stays.todaysArrival.confirmationCode)
        #expect(document["total"] as? Int == ManyStays.total)
        #expect(document["truncated"] as? Bool == true)

        let text = try cli.run("bookings", "--guest", ManyStays.surname, "--limit", "120").stdout
        #expect(text.contains("showing 120 of \(ManyStays.total) bookings"))
        let whole = try cli.run("bookings", "--guest", "Dee \(ManyStays.surname)", "--json").json
        #expect(whole["total"] as? Int == 1)
        #expect(whole["truncated"] as? Bool == false)
    }
}
