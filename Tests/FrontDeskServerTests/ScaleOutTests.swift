import Foundation
import FrontDeskPayments
import FrontDeskTestSupport
import GRDB
import Synchronization
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

        /// On SQLite, the demo makes the hotel and its rooms; on PostgreSQL (no demo there) the hotel
        /// is added by command and its rooms through the API, once the first server runs.
        /// `latency`: seconds the simulator takes over each charge, refund and void.
        init(databaseArguments: (URL) -> [String], postgres: Bool = false, latency: TimeInterval = 0) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-scaleout-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            self.databaseArguments = databaseArguments(folder)
            simulator = try PaymentSimulator(port: 0, latency: latency)
            simulator.start()
            if postgres {
                try command(["migrate"])
                let added = try command(["hotels", "add", "--name", "Scale Hotel", "--time-zone", "UTC", "--currency", "EUR", "--json"])
                guard let id = (try? JSONSerialization.jsonObject(with: Data(added.utf8)) as? [String: Any])?["hotelId"] as? String else {
                    throw HarnessError.setup("hotels add: \(added)")
                }
                hotelId = id
                try command(["users", "add", "root", "--role", "admin", "--password-stdin", "--password-rounds", "1000"],
                            input: "password-of-root\n")
            } else {
                try command(["demo", "--hotels", "1", "--rooms", "20", "--days", "1"])
                let listed = try command(["hotels", "list", "--json"])
                let hotels = (try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any])?["hotels"] as? [[String: Any]] ?? []
                guard let hotel = hotels.first, let id = hotel["hotelId"] as? String else { throw HarnessError.setup("hotels: \(listed)") }
                hotelId = id
                timeZone = hotel["timeZone"] as? String ?? "UTC"
            }
            for client in 0..<ScaleOutTests.clients {
                try command(["users", "add", "desk\(client)", "--role", "receptionist", "--hotel", hotelId,
                             "--password-stdin", "--password-rounds", "1000"], input: "password-of-desk\(client)\n")
            }
        }

        /// A `frontdesk-server` command on the fleet's database; its output, or a setup error.
        @discardableResult
        func command(_ arguments: [String], input: String? = nil) throws -> String {
            let result = try ServerHarness.run(arguments + databaseArguments, input: input)
            guard result.status == 0 else { throw HarnessError.setup("\(arguments.prefix(2)): \(result.output)") }
            return result.output
        }

        /// A room type and 20 rooms, added by an admin through the first server.
        func addRoomsThroughTheAPI() throws {
            let login = try ScaleOutHTTP.call(port: ports[0], "POST", "/api/auth/token", json: ["username": "root", "password": "password-of-root"])
            let root = try #require(login.json["token"] as? String)
            let type = try ScaleOutHTTP.call(port: ports[0], "POST", "/api/hotels/\(hotelId)/room-types", token: root,
                                             json: ["name": "Double", "capacity": 2, "basePrice": "120.00"])
            guard type.status == 201 else { throw HarnessError.setup("room type: \(type.status)") }
            for number in 0..<20 {
                let room = try ScaleOutHTTP.call(port: ports[0], "POST", "/api/hotels/\(hotelId)/rooms", token: root,
                                                 json: ["roomNumber": "\(101 + number)", "roomType": "Double"])
                guard room.status == 201 else { throw HarnessError.setup("room: \(room.status)") }
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

        /// The load over the running servers, its clients logged in; and their tokens.
        func load() throws -> (ScaleOutLoad, [String]) {
            let tokens = try tokens()
            return (ScaleOutLoad(ports: ports, target: .init(hotelId: hotelId, rooms: try rooms(token: tokens[0]),
                                                              today: ScaleOutLoad.today(in: timeZone)), tokens: tokens), tokens)
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
        let (load, tokens) = try fleet.load()
        let outcome = load.run(seconds: Self.seconds)
        let database = try DatabaseQueue(path: fleet.databaseArguments[1], configuration: {
            var configuration = Configuration()
            configuration.readonly = true
            return configuration
        }())
        try fleet.invariants(token: tokens[0]) { sql in try database.read { try Int.fetchOne($0, sql: sql) ?? -1 } }.check(outcome)
        Self.expectBusy(outcome, accepted: 50)
        #expect(!fleet.simulator.report.isEmpty)
    }

    /// The load did what it says: bookings accepted and refused, cancels and check-ins made.
    static func expectBusy(_ outcome: ScaleOutLoad.Outcome, accepted: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(outcome.accepted.count > accepted, "\(outcome.answers)", sourceLocation: sourceLocation)
        #expect(outcome.answers[409, default: 0] > 0, "no booking was refused for a taken room: \(outcome.answers)", sourceLocation: sourceLocation)
        #expect(outcome.cancelled > 0 && outcome.checkedIn > 0, "cancelled \(outcome.cancelled), checked in \(outcome.checkedIn)",
                sourceLocation: sourceLocation)
    }

    /// A fleet of `servers` on a new database of `cluster`, with its rooms; and the query that
    /// counts on that database.
    static func postgresFleet(_ cluster: PostgresCluster, servers: Int, latency: TimeInterval = 0) throws -> (Fleet, @Sendable (String) throws -> Int) {
        let url = try cluster.makeDatabase()
        let name = String(url.split(separator: "/").last ?? "")
        let fleet = try Fleet(databaseArguments: { _ in ["--database", url] }, postgres: true, latency: latency)
        for _ in 0..<servers { try fleet.startServer() }
        try fleet.addRoomsThroughTheAPI()
        return (fleet, { sql in
            let text = try cluster.value(sql, database: name)
            guard let value = Int(text) else { throw HarnessError.setup("\(sql): \(text)") }
            return value
        })
    }

    @Test("Three servers on one PostgreSQL, one SIGKILLed a third of the way in: no room-night sold twice, its sagas finish on the others")
    func threeServersOnPostgreSQL() throws {
        let cluster = try PostgresCluster.shared()
        // Each charge takes 1.5 s, as a processor's might: the victim is killed with a charge it
        // claimed less than a second before still at the payment service, so another server must
        // take that claim over and ask again with the same idempotency key.
        let (fleet, count) = try Self.postgresFleet(cluster, servers: 3, latency: 1.5)
        let (load, tokens) = try fleet.load()
        let victim = fleet.servers[2].process
        let database = String(fleet.databaseArguments[1].split(separator: "/").last ?? "")
        let chargeInFlight = Mutex("")
        DispatchQueue.global().asyncAfter(deadline: .now() + Self.seconds / 3) {
            // The victim's card calls: the payment messages its runner holds a claim on.
            let claimedByVictim = """
                SELECT coalesce(string_agg(booking_id::text, ','), '') FROM saga_message
                WHERE name = 'ProcessPayment' AND claimed_by LIKE 'runner-\(victim.processIdentifier)@%'
                """
            let giveUp = Date().addingTimeInterval(Self.seconds / 3)
            // Killed only while one of them is at the simulator, arrived less than a second ago
            // (its answer half a second away at least): the victim asked once, and never heard back.
            var booking = ""
            while booking.isEmpty && Date() < giveUp {
                let claimed = ((try? cluster.value(claimedByVictim, database: database)) ?? "")
                    .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",").map(String.init)
                let inFlight = fleet.simulator.chargesInFlight
                if let fresh = claimed.first(where: { inFlight["charge-" + $0].map { -$0.timeIntervalSinceNow < 1 } ?? false }) {
                    booking = fresh
                } else {
                    Thread.sleep(forTimeInterval: 0.02)
                }
            }
            chargeInFlight.withLock { $0 = booking }
            kill(victim.processIdentifier, SIGKILL)
        }
        let outcome = load.run(seconds: Self.seconds)
        victim.waitUntilExit()
        #expect(victim.terminationReason == .uncaughtSignal)
        try fleet.invariants(token: tokens[0], count: count).check(outcome)
        let booking = chargeInFlight.withLock { $0 }
        #expect(!booking.isEmpty, "the victim never had a charge in flight to be killed in")
        // The server that took the victim's claim over asked after that charge by its key: again
        // (the booking still waiting for payment) or to settle it (the booking cancelled by its
        // client meanwhile). The ledger answered it once (charged at most once is checked above).
        let key = "charge-" + booking
        let asked = fleet.simulator.chargeRequestsByKey[key] ?? 0
        let settled = fleet.simulator.settleRequestsByChargeKey[key] ?? 0
        print("scale-out: killed with the charge for \(booking) in flight; charge asked \(asked) time(s), settlement \(settled)")
        #expect(booking.isEmpty || asked + settled >= 2,
                "the killed server's charge for \(booking) was asked \(asked) time(s) and settled \(settled): no takeover")
        Self.expectBusy(outcome, accepted: 50)
        // The clients of the killed server went on to the others.
        #expect(outcome.unanswered > 0)
    }

    @Test("PostgreSQL restarted during a run: the servers answer 503 meanwhile, recover by themselves, and nothing is lost")
    func postgresRestartedDuringARun() throws {
        let cluster = try PostgresCluster.dedicated()
        let (fleet, count) = try Self.postgresFleet(cluster, servers: 2)
        let (load, tokens) = try fleet.load()
        let seconds = max(20, Self.seconds / 2)
        DispatchQueue.global().asyncAfter(deadline: .now() + seconds / 3) {
            try? cluster.stop()
            Thread.sleep(forTimeInterval: 4)
            try? cluster.start()
        }
        let outcome = load.run(seconds: seconds)
        #expect(outcome.unavailable > 0, "no 503 while PostgreSQL was down: \(outcome.answers)")
        for port in fleet.ports {
            #expect(try ScaleOutHTTP.call(port: port, "GET", "/ready").status == 200)
        }
        try fleet.invariants(token: tokens[0], count: count).check(outcome)
        Self.expectBusy(outcome, accepted: 20)
    }
}
