import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Synchronization
import Testing

/// The runner is killed (SIGKILL) at random moments while 200 card bookings go through a real
/// payment simulator; after a final run drains everything, nothing is lost, nothing is held by a
/// dead booking, and no card was charged or refunded twice.
@Suite struct CrashRecoveryTests {
    @Test func twoHundredBookingsSurviveTwentyFiveKilledRunners() throws {
        var cli = try CLIHarness()
        try cli.smallHotel()
        let (simulator, simulatorURL) = try startSimulator(cli)
        defer { simulator.terminate(); simulator.waitUntilExit() }
        cli.environment["FRONTDESK_PAYMENT_URL"] = simulatorURL

        // A desk books 200 one-night card bookings, one after another (about one in seven with a
        // card that is declined), and from the 60th on cancels paid bookings until 30 are cancelled,
        // in processes without the payment service, so the runners owe those refunds. Meanwhile
        // runners are started and killed at random moments, at least 25 times.
        let desk = Desk()
        let deskThread = Thread { [cli] in desk.run(cli) }
        deskThread.start()
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var killedMidWork = 0
        while kills < 25 || !desk.isDone {
            let runner = try cli.start(["saga", "run"])
            Thread.sleep(forTimeInterval: Double.random(in: 0.1...0.5, using: &generator))
            Glibc.kill(runner.0.processIdentifier, SIGKILL)
            runner.0.waitUntilExit()
            kills += 1
            if (try cli.run("saga", "status", "--json").json["sagas"] as? [Any])?.isEmpty == false { killedMidWork += 1 }
        }
        let (created, cancelled, problems) = desk.results
        #expect(problems.isEmpty, "\(problems.prefix(3))")
        #expect(killedMidWork >= 20, "only \(killedMidWork) of \(kills) runners died with work left")
        #expect(created.count == 200)
        #expect(cancelled.count == 30)

        // A last runner drains what is left.
        let last = try cli.start(["saga", "run"])
        let giveUp = Date().addingTimeInterval(120)
        while Date() < giveUp {
            let status = try cli.run("saga", "status", "--json").json
            if (status["sagas"] as? [Any])?.isEmpty == true { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        last.0.terminate()
        last.0.waitUntilExit()

        let bookings = try #require(try cli.run("bookings", "--json").json["bookings"] as? [[String: Any]])
        #expect(bookings.count == 200)
        let charges = try fetchCharges(simulatorURL)
        for booking in bookings {
            let id = booking["bookingId"] as! String
            let status = booking["status"] as! String
            let counts = charges[id] ?? (0, 0)
            if cancelled.contains(id) {
                #expect(status == "Cancelled")
                #expect(counts == (1, 1), "cancelled \(id) charged/refunded \(counts)")
            } else if created[id] == "4000000000000002" {
                #expect(status == "Failed")
                #expect(booking["statusReason"] as? String == "Card declined")
                #expect(counts == (0, 0))
            } else {
                #expect(status == "Confirmed", "\(id) ended \(status): \(booking["statusReason"] ?? "")")
                #expect(counts == (1, 0), "confirmed \(id) charged/refunded \(counts)")
            }
        }

        let database = try DatabaseQueue(path: cli.database)
        try database.read { db in
            let heldByTheDead = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM room_night n JOIN booking b ON b.id = n.booking_id WHERE b.status IN ('Failed', 'Cancelled')
                """)
            let stillOnHold = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM room_night WHERE hold_expires_at IS NOT NULL")
            #expect(heldByTheDead == 0)
            #expect(stillOnHold == 0)
        }
    }

    /// The front desk of the test: books and cancels from its own thread.
    final class Desk: Sendable {
        private let state = Mutex((created: [String: String](), cancelled: Set<String>(), problems: [String](), done: false))
        var isDone: Bool { state.withLock { $0.done } }
        var results: ([String: String], Set<String>, [String]) { state.withLock { ($0.created, $0.cancelled, $0.problems) } }

        func run(_ cli: CLIHarness) {
            let rooms = ["101", "102", "103", "104", "105"]
            for index in 0..<200 {
                let card = index % 7 == 3 ? "4000000000000002" : "4242424242424242"
                let night = index / rooms.count
                do {
                    let outcome = try cli.run(
                        "book", "--room", rooms[index % rooms.count],
                        "--check-in", TwoProcessRaceTests.date(daysAfterFirstOfDecember: night),
                        "--check-out", TwoProcessRaceTests.date(daysAfterFirstOfDecember: night + 1), "--guests", "1",
                        "--guest-name", "Guest \(index)", "--email", "guest\(index)@example.com",
                        "--payment", "card", "--card", card, "--json")
                    guard let id = try outcome.json["bookingId"] as? String else { throw CancellationError() }
                    state.withLock { $0.created[id] = card }
                    if index >= 60 && index % 4 == 0 { try cancelSomePaid(cli) }
                } catch {
                    state.withLock { $0.problems.append("booking \(index): \(error)") }
                }
            }
            while state.withLock({ $0.cancelled.count }) < 30 {
                do { try cancelSomePaid(cli) } catch { state.withLock { $0.problems.append("cancel: \(error)") } }
                Thread.sleep(forTimeInterval: 0.1)
            }
            state.withLock { $0.done = true }
        }

        private func cancelSomePaid(_ cli: CLIHarness) throws {
            let wanted = 30 - state.withLock { $0.cancelled.count }
            guard wanted > 0 else { return }
            let confirmed = try cli.run("bookings", "--status", "Confirmed", "--json").json["bookings"] as? [[String: Any]] ?? []
            for booking in confirmed.prefix(min(3, wanted)) {
                guard let id = booking["bookingId"] as? String else { continue }
                let outcome = try cli.run("cancel", id, "--json", environment: ["FRONTDESK_PAYMENT_URL": ""])
                if outcome.status == 0 { state.withLock { _ = $0.cancelled.insert(id) } }
            }
        }
    }

    func startSimulator(_ cli: CLIHarness) throws -> (Process, String) {
        // 300 ms a call, so a runner is usually in the middle of its calls when it is killed, and
        // work waits at nearly every kill however fast the machine: the runner pays cards side by
        // side, so what is in flight is the desk's booking rate times the latency (at 25 ms a fast
        // hour left only 17 to 19 of 25 kills with work).
        try cli.startPaymentSimulator(["--latency", "300"])
    }

    /// bookingId -> (charged, refunded), as the simulator counts them.
    func fetchCharges(_ base: String) throws -> [String: (Int, Int)] {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var body: Data?
        URLSession.shared.dataTask(with: URL(string: base + "/charges")!) { data, _, _ in
            body = data
            done.signal()
        }.resume()
        done.wait()
        let object = try JSONSerialization.jsonObject(with: try #require(body)) as? [String: Any]
        var counts: [String: (Int, Int)] = [:]
        for entry in object?["charges"] as? [[String: Any]] ?? [] {
            counts[entry["bookingId"] as! String] = (entry["charged"] as! Int, entry["refunded"] as! Int)
        }
        return counts
    }
}
