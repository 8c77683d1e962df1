import Foundation
import FrontDeskPayments
import FrontDeskTestSupport
import GRDB
import Testing

/// Issue 13's checks over real server processes and a real payment simulator: 16 clients book,
/// cancel and check in on the same 20 rooms, then `ScaleOutInvariants` holds.
@Suite(.serialized)
struct ScaleOutTests {
    /// The load's length: the 60 s unless FRONTDESK_SCALEOUT_SECONDS says otherwise.
    static let seconds = TimeInterval(ProcessInfo.processInfo.environment["FRONTDESK_SCALEOUT_SECONDS"] ?? "") ?? 60
    static let clients = 16

    /// Servers on one database, with one hotel of 20 rooms and 16 receptionists (each client logs
    /// in as its own, so no one token's rate limit throttles the load).
    final class Fleet: @unchecked Sendable {
        let folder: URL
        let databaseArguments: [String]
        let simulator: PaymentSimulator
        var servers: [(process: Process, port: Int)] = []
        var hotelId = ""
        var timeZone = "UTC"

        init(databaseArguments: (URL) -> [String]) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-scaleout-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            self.databaseArguments = databaseArguments(folder)
            simulator = try PaymentSimulator(port: 0)
            simulator.start()
            let demo = try ServerHarness.run(["demo", "--hotels", "1", "--rooms", "20", "--days", "1"] + self.databaseArguments)
            guard demo.status == 0 else { throw HarnessError.setup("demo: \(demo.output)") }
            let listed = try ServerHarness.run(["hotels", "list", "--json"] + self.databaseArguments)
            let hotels = (try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any])?["hotels"] as? [[String: Any]] ?? []
            guard let hotel = hotels.first, let id = hotel["hotelId"] as? String else { throw HarnessError.setup("hotels: \(listed.output)") }
            hotelId = id
            timeZone = hotel["timeZone"] as? String ?? "UTC"
            for client in 0..<ScaleOutTests.clients {
                let added = try ServerHarness.run(["users", "add", "desk\(client)", "--role", "receptionist", "--hotel", id,
                                                   "--password-stdin", "--password-rounds", "1000"] + self.databaseArguments,
                                                  input: "password-of-desk\(client)\n")
                guard added.status == 0 else { throw HarnessError.setup("users add: \(added.output)") }
            }
        }

        /// Starts one more server on the shared database.
        func startServer() throws {
            var environment = ProcessInfo.processInfo.environment
            environment["FRONTDESK_JWT_SECRET"] = ServerHarness.secret
            environment["FRONTDESK_PAYMENT_URL"] = "http://127.0.0.1:\(simulator.port)"
            servers.append(try ServerProcess.start(ServerHarness.productsFolder().appendingPathComponent("frontdesk-server"),
                                                   ["serve", "--port", "0", "--password-rounds", "1000", "--rate-limit", "0"] + databaseArguments,
                                                   environment: environment))
        }

        var ports: [Int] { servers.filter { $0.process.isRunning }.map(\.port) }

        func tokens() throws -> [String] {
            try (0..<ScaleOutTests.clients).map { client in
                let answer = try ScaleOutHTTP.call(port: ports[client % ports.count], "POST", "/api/auth/token",
                                                   json: ["username": "desk\(client)", "password": "password-of-desk\(client)"])
                guard let token = answer.json["token"] as? String else { throw HarnessError.setup("login desk\(client): \(answer.status)") }
                return token
            }
        }

        func rooms(token: String) throws -> [String] {
            // A year ahead every room is free (the demo books one day), so availability lists them all.
            let later = ScaleOutLoad.today(in: timeZone).addingTimeInterval(365 * 86400)
            let answer = try ScaleOutHTTP.call(port: ports[0], "GET", "/api/rooms/availability?hotelId=\(hotelId)&checkIn=\(ScaleOutLoad.day(later))"
                                               + "&checkOut=\(ScaleOutLoad.day(later.addingTimeInterval(86400)))&guests=1", token: token)
            let rooms = (answer.json["rooms"] as? [[String: Any]] ?? []).compactMap { $0["roomId"] as? String }
            guard rooms.count == 20 else { throw HarnessError.setup("rooms: \(answer.status) \(rooms.count)") }
            return rooms
        }

        func load(tokens: [String]) throws -> ScaleOutLoad {
            ScaleOutLoad(ports: ports, target: .init(hotelId: hotelId, rooms: try rooms(token: tokens[0]),
                                                     today: ScaleOutLoad.today(in: timeZone)), tokens: tokens)
        }

        func invariants(token: String, count: @escaping (String) throws -> Int) -> ScaleOutInvariants {
            ScaleOutInvariants(count: count, charges: { [simulator] in simulator.report }, port: { [self] in ports[0] }, token: token)
        }

        deinit {
            for server in servers where server.process.isRunning {
                server.process.terminate()
                server.process.waitUntilExit()
            }
            simulator.stop()
            try? FileManager.default.removeItem(at: folder)
        }
    }

    @Test("One server on SQLite: no room-night sold twice, every 202 booked, every saga final, every charge matched")
    func oneServerOnSQLite() throws {
        let fleet = try Fleet { folder in ["--db", folder.appendingPathComponent("server.sqlite").path] }
        try fleet.startServer()
        let tokens = try fleet.tokens()
        let outcome = try fleet.load(tokens: tokens).run(seconds: Self.seconds)
        let database = try DatabaseQueue(path: fleet.databaseArguments[1], configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            return configuration
        }())
        try fleet.invariants(token: tokens[0]) { sql in try database.read { try Int.fetchOne($0, sql: sql) ?? -1 } }.check(outcome)
        // The load did what it says: bookings accepted and refused, cancels and check-ins made.
        #expect(outcome.accepted.count > 50, "\(outcome.answers)")
        #expect(outcome.answers[409, default: 0] > 0, "no booking was refused for a taken room: \(outcome.answers)")
        #expect(outcome.cancelled > 0 && outcome.checkedIn > 0, "cancelled \(outcome.cancelled), checked in \(outcome.checkedIn)")
        #expect(!fleet.simulator.report.isEmpty)
    }
}
