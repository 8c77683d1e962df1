import Foundation
import GRDB
import Testing

/// Issue 9, items 2, 11 (the payment address's password) and 13: through the real binary.
@Suite struct PaymentSafetyCommandTests {
    func book(_ cli: CLIHarness, room: String, payment: [String]) throws -> String {
        let outcome = CLIHarness.finish(try cli.start(["book", "--room", room, "--check-in", "2026-12-01", "--check-out", "2026-12-03",
                                                       "--guests", "2", "--guest-name", "Ann Lee", "--email", "ann@example.com",
                                                       "--json"] + payment))
        return try #require(try outcome.json["confirmation"] as? String, "\(outcome.stderr)")
    }

    /// Every row of every table, as text: what a failed command must leave exactly as it was.
    func dump(_ cli: CLIHarness) throws -> String {
        try DatabaseQueue(path: cli.database).read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            return try tables.map { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"").map(\.description).sorted().joined(separator: "\n")
            }.joined(separator: "\n--\n")
        }
    }

    @Test func aBadPaymentAddressIsRefusedBeforeACancelWritesAnything() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        let (sim, url) = try CrashRecoveryTests().startSimulator(cli)
        defer { sim.terminate(); sim.waitUntilExit() }
        cli.environment["FRONTDESK_PAYMENT_URL"] = url
        let card = try book(cli, room: "101", payment: ["--payment", "card", "--card", "4242424242424242", "--wait"])
        let desk = try book(cli, room: "102", payment: ["--payment", "desk"])

        for bad in ["ht!tp://", "http://127.0.0.1:70000"] {
            let before = try dump(cli)
            let refused = try cli.run("cancel", card, "--json", environment: ["FRONTDESK_PAYMENT_URL": bad])
            #expect(refused.status == 2)
            let error = try #require(try refused.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "validation_failed")
            #expect((error["message"] as? String)?.contains("FRONTDESK_PAYMENT_URL") == true)
            #expect(try dump(cli) == before, "a refused cancel changed the database")
        }
        #expect(try cli.run("show", card, "--json").json["status"] as? String == "Confirmed")

        // A desk-paid booking never needs the payment service.
        let cancelled = try cli.run("cancel", desk, "--json", environment: ["FRONTDESK_PAYMENT_URL": "ht!tp://"])
        #expect(cancelled.status == 0, "\(cancelled.stderr)")
        #expect(try cancelled.json["status"] as? String == "Cancelled")
        #expect(try cancelled.json["statusReason"] as? String == "Cancelled from the command line by \(DeskUser.name(cli))")
    }

    @Test func aPasswordInThePaymentAddressIsNeverPrinted() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        cli.environment["FRONTDESK_PAYMENT_URL"] = "http://desk:hunter2secret@127.0.0.1:9"
        let runner = try cli.start(["saga", "run"])
        // The banner is the first line; wait for the runner to report its payment service.
        var status = ""
        let giveUp = Date().addingTimeInterval(10)
        while Date() < giveUp {
            status = try cli.run("saga", "status").stdout
            if status.contains("Runner") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        runner.0.terminate()
        let finished = CLIHarness.finish(runner)
        #expect(finished.stdout.contains("127.0.0.1:9"))
        #expect(status.contains("127.0.0.1:9"))
        for text in [finished.stdout, finished.stderr, status, try cli.run("saga", "status", "--json").stdout] {
            #expect(!text.contains("hunter2secret"))
        }
        let refused = try cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                                  "--guest-name", "Ann Lee", "--email", "ann@example.com", "--payment", "card",
                                  "--card", "4242424242424242", "--json", environment: ["FRONTDESK_PAYMENT_URL": "http://desk:hunter2secret@127.0.0.1:99999"])
        #expect(refused.status == 2)
        #expect(!refused.stdout.contains("hunter2secret") && !refused.stderr.contains("hunter2secret"))
    }

    /// `saga run > file` keeps every line it printed even when killed with SIGKILL.
    @Test func sagaRunOutputSurvivesSIGKILL() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        let log = cli.folder.appendingPathComponent("runner.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = CLIHarness.binary
        process.arguments = ["saga", "run"]
        process.environment = cli.environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let code = try book(cli, room: "103", payment: ["--payment", "desk"])
        let giveUp = Date().addingTimeInterval(15)
        var text = ""
        while Date() < giveUp {
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains("\(code) Confirmed") { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(text.hasPrefix("Saga runner "))
        #expect(text.contains("\(code) Confirmed"))
    }
}

@Suite struct SagaRowsAndSignalsTests {
    @Test func aDamagedSagaMessageIsAStorageErrorNotACrash() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        let booked = try cli.run("book", "--room", "101", "--check-in", "2026-12-01", "--check-out", "2026-12-03", "--guests", "2",
                                 "--guest-name", "Ann Lee", "--email", "ann@example.com", "--json")
        try cli.expectSuccess(booked)
        try DatabaseQueue(path: cli.database).write { db in
            try db.execute(sql: "UPDATE saga_message SET attempts = 'many'")
        }
        let status = try cli.run("saga", "status", "--json")
        #expect(status.status == 1)
        let error = try #require(try status.json["error"] as? [String: Any])
        #expect(error["code"] as? String == "storage_error")
        #expect((error["message"] as? String)?.contains("saga_message") == true)
    }

    /// A SIGTERM that arrives while `saga run` or `payment-sim` is still starting is not lost.
    @Test func aStopSignalRightAfterStartIsHonoured() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        for arguments in [["saga", "run"], ["payment-sim", "--port", "0"]] {
            for delay in [0.0, 0.005, 0.02, 0.05] {
                let started = try cli.start(arguments)
                Thread.sleep(forTimeInterval: delay)
                started.0.terminate()
                let giveUp = Date().addingTimeInterval(10)
                while started.0.isRunning && Date() < giveUp { Thread.sleep(forTimeInterval: 0.02) }
                #expect(!started.0.isRunning, "\(arguments) ignored a SIGTERM \(delay) s after start")
                if started.0.isRunning { kill(started.0.processIdentifier, SIGKILL) }
                started.0.waitUntilExit()
            }
        }
    }
}

enum DeskUser {
    /// The audit name the binary uses when no --user is given.
    static func name(_ cli: CLIHarness) -> String {
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return cli.environment["USER"] ?? "desk"
    }
}
