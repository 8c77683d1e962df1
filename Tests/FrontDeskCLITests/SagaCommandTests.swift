import Foundation
import FrontDeskDomain
import Testing

@Suite struct SagaCommandTests {
    @Test func bookAnswersAtOnceInReservingAndARunnerConfirmsIt() throws {
        let cli = try CLIHarness()
        try cli.smallHotel()
        let held = try cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                               "--guest-name", "Zoë Ångström", "--email", "zoe@example.com", "--json").json
        #expect(held["status"] as? String == "Reserving")
        let code = try #require(held["confirmation"] as? String)

        let status = try cli.run("saga", "status", "--json").json
        let sagas = try #require(status["sagas"] as? [[String: Any]])
        #expect(sagas.map { $0["confirmation"] as? String } == [code])
        #expect(sagas.first?["deadline"] is String)
        #expect((sagas.first?["pending"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["RoomReserved", "ReservationExpired"])

        let runner = try cli.start(["saga", "run"])
        defer { runner.0.terminate() }
        let giveUp = Date().addingTimeInterval(20)
        var current = "Reserving"
        while current != "Confirmed" && Date() < giveUp {
            Thread.sleep(forTimeInterval: 0.05)
            current = try cli.run("show", code, "--json").json["status"] as? String ?? ""
        }
        #expect(current == "Confirmed")
        runner.0.terminate()
        runner.0.waitUntilExit()
        #expect(runner.0.terminationStatus == 0) // SIGTERM stops the runner cleanly
        #expect(try (cli.run("saga", "status", "--json").json["sagas"] as? [Any])?.isEmpty == true)
    }

    @Test func aDeclinedCardEndsTheWaitWithTheReason() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        let simulator = try CrashRecoveryTests().startSimulator(cli)
        defer { simulator.0.terminate() }
        cli.environment["FRONTDESK_PAYMENT_URL"] = simulator.1
        let declined = try cli.run("book", "--room", "102", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                                   "--guest-name", "Ann Lee", "--email", "ann@example.com", "--payment", "card",
                                   "--card", "4000 0000 0000 0002", "--wait", "--json")
        #expect(declined.status == 7)
        let booking = try declined.json
        #expect(booking["status"] as? String == "Failed")
        #expect(booking["statusReason"] as? String == "Card declined")
        #expect(declined.stderr.contains("Card declined"))
        let free = try cli.run("search", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2", "--json").json
        #expect((free["rooms"] as? [[String: Any]])?.contains { $0["roomNumber"] as? String == "102" } == true)

        let paid = try cli.run("book", "--room", "103", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                               "--guest-name", "Bo Lee", "--email", "bo@example.com", "--payment", "card",
                               "--card", "4242424242424242", "--wait", "--json")
        #expect(try paid.json["status"] as? String == "Confirmed")
        let code = try #require(try paid.json["confirmation"] as? String)
        #expect(try cli.run("cancel", code, "--json").json["status"] as? String == "Cancelled")
        let charges = try CrashRecoveryTests().fetchCharges(simulator.1)
        #expect(charges[try #require(try paid.json["bookingId"] as? String)]! == (1, 1))

        // The payment service down at the cancel: the refund waits, and the cancel says what goes
        // back to the card (it said nothing: a review, session 58).
        let later = try cli.run("book", "--room", "104", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                                "--guest-name", "Cy Lee", "--email", "cy@example.com", "--payment", "card",
                                "--card", "4242424242424242", "--wait", "--json")
        let laterCode = try #require(try later.json["confirmation"] as? String)
        let total = try #require(try later.json["totalPrice"] as? NSNumber).doubleValue
        simulator.0.terminate()
        simulator.0.waitUntilExit()
        let waiting = try cli.run("cancel", laterCode)
        #expect(waiting.status == 0, "\(waiting.stderr)")
        #expect(waiting.stderr.contains("Recorded: Booking \(laterCode): \(String(format: "%.2f", total)) EUR goes back to the card; the payment service refunds it"),
                "\(waiting.stderr)")
    }

    @Test func badPaymentInputIsReportedBeforeAnythingIsHeld() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        let base = ["book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                    "--guest-name", "Ann Lee", "--email", "ann@example.com", "--json"]
        func details(_ extra: [String], url: String? = nil) throws -> [String] {
            let outcome = CLIHarness.finish(try cli.start(base + extra, environment: url.map { ["FRONTDESK_PAYMENT_URL": $0] } ?? [:]))
            #expect(outcome.status == 2)
            return try (outcome.json["error"] as? [String: Any])?["details"] as? [String] ?? []
        }
        #expect(try details(["--payment", "cash"]) == ["Payment 'cash' is unknown (use desk or card)"])
        #expect(try details(["--payment", "card"], url: "http://127.0.0.1:9") == ["A card payment needs --card NUMBER"])
        #expect(try details(["--payment", "card", "--card", "4242"], url: "http://127.0.0.1:9") == ["Card number must have 12 to 19 digits"])
        // One digit mistyped: refused here, not charged (a review, session 58).
        #expect(try details(["--payment", "card", "--card", "4242424242424241"], url: "http://127.0.0.1:9")
                    == ["Card number is mistyped: its last digit does not match the others (check it against the card)"])
        cli.environment["FRONTDESK_PAYMENT_URL"] = nil
        // The message names the settings file this desk reads, not the default one.
        let settingsFolder = cli.folder.appendingPathComponent("settings").path
        cli.environment["XDG_CONFIG_HOME"] = settingsFolder
        #expect(try details(["--payment", "card", "--card", "4242424242424242"])
            == [PaymentSetup.missing(settingsFile: settingsFolder + "/frontdesk/config.toml")])
        #expect(try details(["--payment", "card", "--card", "4242424242424242"]).first?.contains("~/.config") == false)
        // A settings file that is there but cannot be read is named as such, not as "not set up" alone.
        try FileManager.default.createDirectory(atPath: settingsFolder + "/frontdesk/config.toml", withIntermediateDirectories: true)
        #expect(try details(["--payment", "card", "--card", "4242424242424242"]).first?.contains("cannot be read") == true)
        // A card number given for a desk payment is refused, never dropped in silence.
        #expect(try details(["--card", "4242424242424242"], url: "http://127.0.0.1:9").first?.contains("--card is for --payment card") == true)
        #expect(try details(["--payment", "card", "--card", "4242424242424242"], url: "payments.local")
            == ["FRONTDESK_PAYMENT_URL 'payments.local' is not an http:// address (e.g. http://127.0.0.1:8099)"])
        #expect((try cli.run("bookings", "--json").json["bookings"] as? [Any])?.isEmpty == true)
        let hold = try cli.run("hotel", "configure", "--hold-minutes", "0", "--json")
        #expect(hold.status == 2)
    }

    @Test func aPaymentServiceThatIsDownFailsTheWaitFastAndSaysWhy() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        cli.environment["FRONTDESK_PAYMENT_URL"] = "http://127.0.0.1:9" // nothing listens on the discard port
        let started = Date()
        let outcome = try cli.run("book", "--room", "104", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                                  "--guest-name", "Ann Lee", "--email", "ann@example.com", "--payment", "card",
                                  "--card", "4242424242424242", "--wait", "--json")
        #expect(outcome.status == 7)
        #expect(Date().timeIntervalSince(started) < 20) // not the 15-minute hold
        let booking = try outcome.json
        #expect(booking["status"] as? String == "Failed")
        #expect((booking["statusReason"] as? String)?.hasPrefix("Payment service unreachable") == true)
        #expect(outcome.stderr.contains("Payment service unreachable"))
        // Nothing reached the service, so nothing is in doubt and the room is free again.
        #expect((try cli.run("saga", "status", "--json").json["sagas"] as? [Any])?.isEmpty == true)
        let free = try cli.run("search", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2", "--json").json
        #expect((free["rooms"] as? [[String: Any]])?.contains { $0["roomNumber"] as? String == "104" } == true)
    }
}
