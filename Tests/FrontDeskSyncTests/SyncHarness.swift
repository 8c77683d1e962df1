import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import FrontDeskTestSupport
import Testing

/// The built products (`frontdesk`, `frontdesk-net`, `frontdesk-server`): beside the test bundle.
enum Products {
    static var folder: URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            if FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("frontdesk-server").path) { return folder }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }
}

/// A real `frontdesk-server` on 127.0.0.1 over its own database: two demo hotels, a receptionist
/// of hotel A (`anna`) and one of hotel B (`bea`). It can be stopped and started again on the
/// same port and file, and SIGKILLed.
final class SyncServer: @unchecked Sendable {
    static let secret = "test-secret-that-is-at-least-32-bytes-long!"
    /// The token signing secret of the next `start` (an operator may change it).
    var secret = SyncServer.secret
    let folder: URL
    let database: String
    var process: Process?
    var port = 0
    let hotelA: String
    let hotelB: String
    /// The payment service the server charges cards through (`FRONTDESK_PAYMENT_URL`), if any.
    let paymentURL: String?
    var url: String { "http://127.0.0.1:\(port)" }

    init(paymentURL: String? = nil, rooms: Int = 12, days: Int = 20) throws {
        self.paymentURL = paymentURL
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-sync-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = folder.appendingPathComponent("server.sqlite").path
        try Self.admin(["demo", "--hotels", "2", "--rooms", String(rooms), "--days", String(days)], database: database)
        let listed = try Self.admin(["hotels", "list", "--json"], database: database)
        let hotels = (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["hotels"] as? [[String: Any]] ?? []
        guard hotels.count == 2, let a = hotels[0]["hotelId"] as? String, let b = hotels[1]["hotelId"] as? String else {
            throw SyncTestError.setup("hotels: \(listed.stdout) \(listed.stderr)")
        }
        (hotelA, hotelB) = (a, b)
        for (name, hotel) in [("anna", a), ("bea", b)] {
            try Self.admin(["users", "add", name, "--role", "receptionist", "--hotel", hotel, "--password-stdin", "--password-rounds", "1000"],
                           database: database, input: "password-of-\(name)\n")
        }
        try start()
    }

    @discardableResult
    static func admin(_ arguments: [String], database: String, input: String? = nil) throws -> Outcome {
        let outcome = try runProgram(Products.folder.appendingPathComponent("frontdesk-server"), arguments + ["--db", database],
                                     environment: ProcessInfo.processInfo.environment, input: input)
        if outcome.status != 0 { throw SyncTestError.setup("frontdesk-server \(arguments.joined(separator: " ")): \(outcome.stderr)") }
        return outcome
    }

    /// Starts the server; again after `stop`, on the same port.
    func start() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["FRONTDESK_JWT_SECRET"] = secret
        if let paymentURL { environment["FRONTDESK_PAYMENT_URL"] = paymentURL }
        let (process, port) = try ServerProcess.start(Products.folder.appendingPathComponent("frontdesk-server"),
                                                      ["serve", "--db", database, "--port", String(port), "--password-rounds", "1000"],
                                                      environment: environment)
        self.port = port
        self.process = process
    }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
        self.process = nil
    }

    func kill() {
        guard let process, process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func call(_ method: String, _ path: String, token: String? = nil, json: Any? = nil) throws -> (status: Int, json: [String: Any]) {
        var request = URLRequest(url: URL(string: url + path)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: (Int, Data)?
        nonisolated(unsafe) var failure: (any Error)?
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse { answer = (http.statusCode, data ?? Data()) }
            failure = error
            done.signal()
        }.resume()
        done.wait()
        guard let answer else { throw failure ?? SyncTestError.setup("no answer") }
        return (answer.0, (try? JSONSerialization.jsonObject(with: answer.1)) as? [String: Any] ?? [:])
    }

    func token(_ user: String) throws -> String {
        let answer = try call("POST", "/api/auth/token", json: ["username": user, "password": "password-of-\(user)"])
        guard let token = answer.json["token"] as? String else { throw SyncTestError.setup("no token for \(user): \(answer.status)") }
        return token
    }

    /// Adds `count` rooms to hotel A through its API (as a manager), free on every night: a test
    /// that needs rooms free tonight must not depend on the demo, whose occupancy moves with the
    /// day the tests run on (on some summer nights every one of 12 rooms is sold). Before the
    /// desks connect, so their replicas have the rooms from the start.
    func addSpareRooms(_ count: Int) throws {
        try Self.admin(["users", "add", "mona", "--role", "manager", "--hotel", hotelA, "--password-stdin", "--password-rounds", "1000"],
                       database: database, input: "password-of-mona\n")
        let mona = try token("mona")
        let rooms = try call("GET", "/api/hotels/\(hotelA)/rooms", token: mona).json["rooms"] as? [[String: Any]] ?? []
        guard let type = rooms.first?["roomType"] as? String else { throw SyncTestError.setup("hotel A lists no room") }
        for number in 1...count {
            let added = try call("POST", "/api/hotels/\(hotelA)/rooms", token: mona, json: ["roomNumber": "S\(number)", "roomType": type])
            guard added.status == 201 else { throw SyncTestError.setup("spare room S\(number): \(added.status) \(added.json)") }
        }
    }

    /// Books hotel A's room `number` on the server (anna, paid at a desk), as another desk or a
    /// web client would while a desk is offline; the room looked up by `mona` (`addSpareRooms`).
    func sell(room number: String, checkIn: String, checkOut: String, guest: String) throws {
        let rooms = try call("GET", "/api/hotels/\(hotelA)/rooms", token: try token("mona")).json["rooms"] as? [[String: Any]] ?? []
        guard let roomId = rooms.first(where: { $0["roomNumber"] as? String == number })?["roomId"] as? String else {
            throw SyncTestError.setup("hotel A lists no room \(number)")
        }
        let sold = try call("POST", "/api/bookings", token: try token("anna"), json: [
            "hotelId": hotelA, "roomId": roomId, "checkIn": checkIn, "checkOut": checkOut, "guests": 1,
            "guestName": guest, "email": "guest@example.com", "payment": ["method": "desk"],
        ])
        guard [200, 201, 202].contains(sold.status) else { throw SyncTestError.setup("POST /api/bookings: \(sold.status) \(sold.json)") }
    }

    /// Every booking of hotel A as the server's API lists it.
    func bookingsOfA() throws -> [[String: Any]] {
        let answer = try call("GET", "/api/bookings?hotelId=\(hotelA)&limit=1000", token: try token("anna"))
        guard answer.status == 200, let bookings = answer.json["bookings"] as? [[String: Any]] else {
            throw SyncTestError.setup("GET /api/bookings: \(answer.status) \(answer.json)")
        }
        return bookings
    }
}

/// One desk: its own database and config folder (its connection file), the real `frontdesk`.
struct Desk {
    let folder: URL
    var database: String { folder.appendingPathComponent("desk.sqlite").path }
    var environment: [String: String]

    init(_ name: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-sync-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["FRONTDESK_DB"] = folder.appendingPathComponent("desk.sqlite").path
        environment["XDG_CONFIG_HOME"] = folder.appendingPathComponent("config").path
        environment.removeValue(forKey: "FRONTDESK_TODAY")
        environment.removeValue(forKey: "FRONTDESK_PAYMENT_URL")
        self.environment = environment
    }

    var connectionFile: String { folder.appendingPathComponent("config/frontdesk/connection.json").path }

    @discardableResult
    func run(_ arguments: String..., input: String? = nil) throws -> Outcome {
        try runProgram(Products.folder.appendingPathComponent("frontdesk"), arguments, environment: environment, input: input)
    }

    func start(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = Products.folder.appendingPathComponent("frontdesk")
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        process.standardInput = FileHandle(forReadingAtPath: "/dev/null")
        try process.run()
        return process
    }

    func connect(_ server: SyncServer, hotel: String? = nil, user: String = "anna", password: String? = nil,
                 json: Bool = false) throws -> Outcome {
        try runProgram(Products.folder.appendingPathComponent("frontdesk"),
                       ["desk", "connect", "--server", server.url, "--hotel", hotel ?? server.hotelA, "--username", user, "--password-stdin"]
                           + (json ? ["--json"] : []),
                       environment: environment, input: (password ?? "password-of-\(user)") + "\n")
    }

    /// `bookings --json`, every booking.
    func bookings() throws -> [[String: Any]] {
        let outcome = try run("bookings", "--json")
        #expect(outcome.status == 0, "bookings: \(outcome.stderr)")
        return try outcome.json["bookings"] as? [[String: Any]] ?? []
    }

    func book(room: String, checkIn: String, checkOut: String, guest: String) throws -> Outcome {
        try run("book", "--room", room, "--check-in", checkIn, "--check-out", checkOut, "--guests", "1", "--guest-name", guest,
                "--email", "guest@example.com", "--payment", "desk", "--json")
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// The full-screen desk on this database, run by `anna` in `tmux`'s session `desk`
    /// (`width`x`height`); when it quits, the pane says `FRONTDESK-EXITED-<status>`.
    func openScreen(_ tmux: Tmux, width: Int = 120, height: Int = 30) throws {
        let variables = ["FRONTDESK_DB", "XDG_CONFIG_HOME"].map { "\($0)='\(environment[$0]!)'" }.joined(separator: " ")
        let binary = Products.folder.appendingPathComponent("frontdesk").path
        try tmux.run("new-session", "-d", "-s", "desk", "-x", String(width), "-y", String(height),
                     "\(variables) TERM=tmux-256color '\(binary)' --user anna; echo FRONTDESK-EXITED-$?; sleep 60")
    }

    /// The files of this desk (its database with its log, its connection file) whose bytes hold `text`.
    func filesContaining(_ text: String) -> [String] {
        var found: [String] = []
        let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)
        while let file = walker?.nextObject() as? URL {
            guard let data = try? Data(contentsOf: file) else { continue }
            if data.range(of: Data(text.utf8)) != nil { found.append(file.lastPathComponent) }
        }
        return found
    }

    /// `desk status --json`'s count of operations waiting to be pushed.
    func pendingOps() throws -> Int? {
        try run("desk", "status", "--json").json["pendingOps"] as? Int
    }
}

/// The keys a receptionist presses to act on one booking, shared by the connected desk's screen tests.
extension Tmux {
    /// On the desk `Desk.openScreen` opened: the bookings screen (F3), its find field emptied (a
    /// code is shorter than 12 letters) and given `code`; once `guest` is listed, ↓ to the list's
    /// first row and `key` on it.
    func press(_ key: String, onBooking code: String, of guest: String) throws {
        try run("send-keys", "-t", "desk", "F3")
        _ = try waitFor { $0.contains(" Bookings") && $0.contains("Find") }
        for _ in 0..<12 { try run("send-keys", "-t", "desk", "BSpace") }
        try run("send-keys", "-t", "desk", "-l", code.lowercased())
        _ = try waitFor { $0.contains(guest) }
        try run("send-keys", "-t", "desk", "Down", key)
    }
}

enum SyncTestError: Error { case setup(String) }

/// Nights far enough ahead that the demo hotels sold none of them.
func futureStay(daysAhead: Int, nights: Int = 2) -> (String, String) {
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd"
    formatter.timeZone = TimeZone(identifier: "UTC")
    let start = Date().addingTimeInterval(Double(daysAhead) * 86_400)
    return (formatter.string(from: start), formatter.string(from: start.addingTimeInterval(Double(nights) * 86_400)))
}

/// The fields a desk's and the server's booking JSON share, for comparing them field for field.
func commonFields(_ booking: [String: Any], with keys: Set<String>) -> NSDictionary {
    NSDictionary(dictionary: booking.filter { keys.contains($0.key) })
}
