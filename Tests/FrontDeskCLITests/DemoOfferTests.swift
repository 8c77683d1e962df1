import Foundation
import FrontDeskDomain
import Testing

/// The first start's demo offer and `frontdesk demo`: the hotel's own date, nothing left behind.
@Suite struct DemoOfferTests {
    @Test func decliningTheDemoLeavesNoDatabaseBehind() throws {
        let cli = try CLIHarness()
        // Two folders that do not exist yet: both are made for the offer, and both go again.
        let database = cli.folder.appendingPathComponent("new/sub/desk.sqlite")
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = ["--db", database.path]
        process.environment = cli.environment.merging(["XDG_STATE_HOME": cli.folder.path, "XDG_CONFIG_HOME": cli.folder.path]) { $1 }
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        input.fileHandleForWriting.write(Data("n\n".utf8))
        try input.fileHandleForWriting.close()
        let printed = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()

        #expect(process.terminationStatus == 0)
        #expect(printed.contains("Nothing created."))
        #expect(!FileManager.default.fileExists(atPath: database.path))
        #expect(!FileManager.default.fileExists(atPath: database.deletingLastPathComponent().path))
        #expect(!FileManager.default.fileExists(atPath: cli.folder.appendingPathComponent("new").path))
        #expect(FileManager.default.fileExists(atPath: cli.folder.path))
    }

    @Test func theDemoHotelIsBuiltAroundItsOwnBusinessDate() throws {
        var cli = try CLIHarness()
        cli.environment.removeValue(forKey: "FRONTDESK_TODAY")
        let before = DemoHotelGenerator.businessDate(at: Date())
        let outcome = try cli.run("demo", "--rooms", "5", "--days", "20", "--json")
        let after = DemoHotelGenerator.businessDate(at: Date())
        try cli.expectSuccess(outcome)
        let reported = try #require(try outcome.json["businessDate"] as? String)
        #expect([before.iso, after.iso].contains(reported))
        // The desk's own business date (the hotel's time zone) is the one the demo was built around.
        let report = try cli.run("report", "arrivals", "--json")
        #expect(try report.json["date"] as? String == reported)
    }
}

@Suite struct DemoBusinessDateTests {
    @Test func lateEveningInUTCIsAlreadyTomorrowInVienna() {
        let lateEvening = ISO8601DateFormatter().date(from: "2026-11-30T23:30:00Z")!
        #expect(DemoHotelGenerator.businessDate(at: lateEvening) == CalendarDate(iso: "2026-12-01"))
        #expect(DemoHotelGenerator.businessDate(at: lateEvening, override: CalendarDate(iso: "2026-06-01")) == CalendarDate(iso: "2026-06-01"))
    }
}
