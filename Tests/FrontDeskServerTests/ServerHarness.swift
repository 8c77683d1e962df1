import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FrontDeskDomain
import FrontDeskServer
import FrontDeskTestSupport

/// A real `frontdesk-server` on 127.0.0.1 and a free port, over its own database file (or a
/// PostgreSQL database: `init(postgres:)`), with two hotels and a user of each role. Stopped
/// with SIGTERM when the test ends.
final class ServerHarness: @unchecked Sendable {
    static let secret = "test-secret-that-is-at-least-32-bytes-long!"
    let folder: URL
    let database: String
    var process = Process()
    var port = 0
    let hotelA: String
    let hotelB: String

    static func productsFolder() -> URL {
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? ".").deletingLastPathComponent()
        if !FileManager.default.fileExists(atPath: url.appendingPathComponent("frontdesk-server").path) {
            url = Bundle.main.bundleURL.deletingLastPathComponent()
        }
        return url
    }

    @discardableResult
    static func run(_ arguments: [String], database: String, input: String? = nil) throws -> (status: Int32, output: String) {
        try run(arguments + databaseArguments(database), input: input)
    }

    /// Runs a `frontdesk-server` command to its end: its exit status and output.
    @discardableResult
    static func run(_ arguments: [String], input: String? = nil, environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = productsFolder().appendingPathComponent("frontdesk-server")
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, set in set }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let stdin = Pipe()
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// `--db PATH`, or `--database URL` for a PostgreSQL URL.
    static func databaseArguments(_ database: String) -> [String] {
        database.hasPrefix("postgres://") ? ["--database", database] : ["--db", database]
    }

    /// More arguments for `serve` (e.g. a rate limit).
    let serveArguments: [String]
    /// More environment for `serve` (e.g. a payment service's address).
    var environment: [String: String] = [:]
    /// Where `serve`'s stderr (its log lines) goes from the next `start()`; nil: nowhere.
    var errorLog: URL?

    init(serveArguments: [String] = [], environment: [String: String] = [:]) throws {
        self.serveArguments = serveArguments
        self.environment = environment
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = folder.appendingPathComponent("server.sqlite").path
        try Self.run(["demo", "--hotels", "2", "--rooms", "12", "--days", "30"], database: database)
        let listed = try Self.run(["hotels", "list", "--json"], database: database)
        let hotels = (try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any])?["hotels"] as? [[String: Any]] ?? []
        guard hotels.count == 2, let a = hotels[0]["hotelId"] as? String, let b = hotels[1]["hotelId"] as? String else {
            throw HarnessError.setup("hotels: \(listed.output)")
        }
        (hotelA, hotelB) = (a, b)
        try Self.addUsers(database: database, hotelA: a, hotelB: b)
        try start()
    }

    /// anna (receptionist) and max (manager) of hotel A, bea (receptionist) of B, root (admin).
    static func addUsers(database: String, hotelA a: String, hotelB b: String) throws {
        for (name, role, hotel) in [("anna", "receptionist", a), ("max", "manager", a), ("bea", "receptionist", b)] {
            let added = try run(["users", "add", name, "--role", role, "--hotel", hotel, "--password-stdin", "--password-rounds", "1000"],
                                database: database, input: "password-of-\(name)\n")
            guard added.status == 0 else { throw HarnessError.setup("users add \(name): \(added.output)") }
        }
        let added = try run(["users", "add", "root", "--role", "admin", "--password-stdin", "--password-rounds", "1000"],
                            database: database, input: "password-of-root\n")
        guard added.status == 0 else { throw HarnessError.setup("users add root: \(added.output)") }
    }

    /// A server on a PostgreSQL database (`postgres://…`, empty): migrated, two hotels added
    /// with the command line, each given a room type and `rooms` rooms (101…) through the API.
    init(postgres url: String, rooms: Int = 6, serveArguments: [String] = []) throws {
        self.serveArguments = serveArguments
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = url
        let migrated = try Self.run(["migrate"], database: url)
        guard migrated.status == 0 else { throw HarnessError.setup("migrate: \(migrated.output)") }
        var ids: [String] = []
        for name in ["Harbour Hotel", "Hill Hotel"] {
            let added = try Self.run(["hotels", "add", "--name", name, "--time-zone", "Europe/Vienna", "--currency", "EUR", "--json"], database: url)
            let id = (try? JSONSerialization.jsonObject(with: Data(added.output.utf8)) as? [String: Any])?["hotelId"] as? String
            guard added.status == 0, let id else { throw HarnessError.setup("hotels add: \(added.output)") }
            ids.append(id)
        }
        (hotelA, hotelB) = (ids[0], ids[1])
        try Self.addUsers(database: url, hotelA: hotelA, hotelB: hotelB)
        try start()
        let root = try token("root")
        for hotel in ids {
            let type = try call("POST", "/api/hotels/\(hotel)/room-types", token: root,
                                json: ["name": "Double", "capacity": 2, "basePrice": "120.00"])
            guard type.status == 201 else { throw HarnessError.setup("room type: \(type.status) \(String(decoding: type.body, as: UTF8.self))") }
            for number in 0..<rooms {
                let room = try call("POST", "/api/hotels/\(hotel)/rooms", token: root, json: ["roomNumber": "\(101 + number)", "roomType": "Double"])
                guard room.status == 201 else { throw HarnessError.setup("room: \(room.status) \(String(decoding: room.body, as: UTF8.self))") }
            }
        }
    }

    /// Another server process on `other`'s database (two instances on one PostgreSQL).
    init(sharing other: ServerHarness) throws {
        serveArguments = other.serveArguments
        environment = other.environment
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = other.database
        (hotelA, hotelB) = (other.hotelA, other.hotelB)
        try start()
    }

    /// Starts the server (again) on the same database, on a new free port.
    func start() throws {
        var environment = ProcessInfo.processInfo.environment.merging(self.environment) { _, set in set }
        environment["FRONTDESK_JWT_SECRET"] = Self.secret
        // The first line says where it listens.
        (process, port) = try ServerProcess.start(Self.productsFolder().appendingPathComponent("frontdesk-server"),
                                                  ["serve"] + Self.databaseArguments(database) + ["--port", "0", "--password-rounds", "1000"] + serveArguments,
                                                  environment: environment, errorLog: errorLog)
    }

    /// SIGTERM, then waits for the process to end; its exit status.
    @discardableResult
    func stop() -> Int32 {
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    struct Answer {
        let status: Int
        let headers: [String: String]
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
        var code: String? { json["code"] as? String }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    func call(_ method: String, _ path: String, token: String? = nil, json: Any? = nil, body: Data? = nil,
              headers: [String: String] = [:]) throws -> Answer {
        try Self.call(port: port, method, path, token: token, json: json, body: body, headers: headers)
    }

    /// One request to the server on `port`, waited for.
    static func call(port: Int, session: URLSession = .shared, _ method: String, _ path: String, token: String? = nil,
                     json: Any? = nil, body: Data? = nil, headers: [String: String] = [:]) throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json { request.httpBody = try JSONSerialization.data(withJSONObject: json) }
        if let body { request.httpBody = body }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: Answer?
        nonisolated(unsafe) var failure: (any Error)?
        session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (name, value) in http.allHeaderFields { headers["\(name)"] = "\(value)" }
                answer = Answer(status: http.statusCode, headers: headers, body: data ?? Data())
            }
            failure = error
            done.signal()
        }.resume()
        done.wait()
        guard let answer else { throw failure ?? HarnessError.setup("no answer from port \(port)") }
        return answer
    }

    func token(_ user: String) throws -> String {
        let answer = try call("POST", "/api/auth/token", json: ["username": user, "password": "password-of-\(user)"])
        guard let token = answer.json["token"] as? String else { throw HarnessError.setup("no token for \(user): \(answer.status)") }
        return token
    }

    /// A free room of `hotel` for the stay, from the availability route.
    func freeRoom(_ hotel: String, token: String, from checkIn: String = Ahead.night(0), to checkOut: String = Ahead.night(2)) throws -> String {
        guard let room = try freeRooms(hotel, token: token, from: checkIn, to: checkOut).first else { throw HarnessError.setup("no free room") }
        return room
    }

    /// The ids of the rooms availability offers for the stay.
    func freeRooms(_ hotel: String, token: String, from checkIn: String = Ahead.night(0), to checkOut: String = Ahead.night(2)) throws -> [String] {
        let rooms = try call("GET", "/api/rooms/availability?hotelId=\(hotel)&checkIn=\(checkIn)&checkOut=\(checkOut)&guests=1",
                             token: token).json["rooms"] as? [[String: Any]] ?? []
        return rooms.compactMap { $0["roomId"] as? String }
    }

    /// A booking of hotel A made by `token` in a free room, paid at the desk: its id.
    func bookedInHotelA(token: String) throws -> String {
        let room = try freeRoom(hotelA, token: token)
        let made = try call("POST", "/api/bookings", token: token, json: bookingBody(hotelA, room: room))
        guard let id = made.json["bookingId"] as? String else { throw HarnessError.setup("booking refused: \(made.status)") }
        return id
    }

    func bookingBody(_ hotel: String, room: String, name: String = "Ann Lee", checkIn: String = Ahead.night(0),
                     checkOut: String = Ahead.night(2)) -> [String: Any] {
        ["hotelId": hotel, "roomId": room, "checkIn": checkIn, "checkOut": checkOut, "guests": 1, "guestName": name,
         "email": "ann@example.com", "payment": ["method": "desk"]]
    }

    /// Polls the booking until the saga has finished with it.
    func settled(_ id: String, token: String) throws -> [String: Any] {
        for _ in 0..<100 {
            let booking = try call("GET", "/api/bookings/\(id)", token: token).json
            if let status = booking["status"] as? String, !["Reserving", "ProcessingPayment"].contains(status) { return booking }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw HarnessError.setup("booking \(id) never settled")
    }
}

enum HarnessError: Error { case setup(String) }

/// Nights ahead of the day the tests run on: the servers under test keep the real date (their demo
/// hotels' bookings cover today ± 15 days), so a stay written as a fixed date was sold out by the
/// demo on some days and in the past after others. Sixty days on is past the demo's bookings and
/// well inside the 730-day booking horizon.
enum Ahead {
    static let first = CalendarDate.today(in: TimeZone(identifier: "UTC")!, at: Date()).adding(days: 60)

    /// The night `days` after the first, as the API writes it.
    static func night(_ days: Int) -> String { first.adding(days: days).iso }
}

/// Nights before the demo hotels' bookings (today ± 15 days), sixty days back: a stay a desk books
/// and checks in with its date set back (`FRONTDESK_TODAY`) and the server keeps. (One checked in
/// with its date set ahead is a stay not yet begun, which `import` refuses.)
enum Behind {
    static let first = CalendarDate.today(in: TimeZone(identifier: "UTC")!, at: Date()).adding(days: -60)

    /// The night `days` after the first, as the API writes it.
    static func night(_ days: Int) -> String { first.adding(days: days).iso }
}
