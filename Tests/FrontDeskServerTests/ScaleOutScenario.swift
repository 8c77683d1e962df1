import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import Testing

/// Issue 13's scenario: clients spread over one or more servers that share one database book,
/// cancel and check in on the same few rooms at once. Afterwards `ScaleOutInvariants` checks that
/// no room-night was sold twice, every accepted booking exists, every saga ended, and every card
/// charge is matched by a booking that kept it or a refund.
///
/// A client whose server stops answering (killed, or its database gone: 503) carries the same
/// request, with the same idempotency key, to the next server, so a booking is never made twice
/// and never lost between a 202 and its record.
final class ScaleOutLoad: Sendable {
    struct Target: Sendable {
        let hotelId: String
        let rooms: [String]
        /// The hotel's business date: stays start on it or within the next few days, so some can be checked in.
        let today: Date
    }

    struct Outcome {
        /// Accepted bookings (202): booking id by idempotency key.
        var accepted: [String: String] = [:]
        /// Answers by status, over every request the clients made.
        var answers: [Int: Int] = [:]
        /// Requests that got no answer from a server (refused connection, cut off) and went on to the next one.
        var unanswered = 0
        /// 503s, each waited out and retried.
        var unavailable = 0
        var cancelled = 0
        var checkedIn = 0
        /// Answers no client should ever get (500s, malformed bodies), with the request.
        var unexpected: [String] = []
    }

    let ports: Mutex<[Int]>
    let target: Target
    let tokens: [String]
    private let outcome = Mutex(Outcome())

    init(ports: [Int], target: Target, tokens: [String]) {
        self.ports = Mutex(ports)
        self.target = target
        self.tokens = tokens
    }

    /// Replaces the servers clients go to (a server started again listens on a new port).
    func setPorts(_ ports: [Int]) { self.ports.withLock { $0 = ports } }

    /// Runs `tokens.count` clients for `seconds`; returns once all have stopped.
    func run(seconds: TimeInterval) -> Outcome {
        let deadline = Date().addingTimeInterval(seconds)
        let group = DispatchGroup()
        for (index, token) in tokens.enumerated() {
            group.enter()
            Thread.detachNewThread { [self] in
                client(index, token: token, until: deadline)
                group.leave()
            }
        }
        group.wait()
        return outcome.withLock { $0 }
    }

    private func client(_ index: Int, token: String, until deadline: Date) {
        var generator = SystemRandomNumberGenerator()
        var mine: [(id: String, checkIn: Date)] = []
        var request = 0
        while Date() < deadline {
            request += 1
            let roll = Int.random(in: 0..<100, using: &generator)
            if roll < 60 || mine.isEmpty {
                let room = target.rooms.randomElement(using: &generator)!
                let checkIn = target.today.addingTimeInterval(Double(Int.random(in: 0...4, using: &generator)) * 86400)
                let nights = Int.random(in: 1...3, using: &generator)
                let checkOut = checkIn.addingTimeInterval(Double(nights) * 86400)
                let card = Int.random(in: 0..<100, using: &generator) < 75
                let payment: [String: Any] = card ? ["method": "card", "card": "4242424242424242"] : ["method": "desk"]
                let body: [String: Any] = [
                    "hotelId": target.hotelId, "roomId": room, "checkIn": Self.day(checkIn), "checkOut": Self.day(checkOut),
                    "guests": 1, "guestName": "Guest \(index)-\(request)", "email": "guest\(index)@example.com", "payment": payment,
                ]
                let key = "client-\(index)-\(request)-\(UUID().uuidString)"
                guard let answer = send("POST", "/api/bookings", token: token, json: body, key: key, start: index + request) else { continue }
                if answer.status == 202, let id = answer.json["bookingId"] as? String {
                    outcome.withLock { $0.accepted[key] = id }
                    mine.append((id, checkIn))
                }
            } else if roll < 80 {
                let pick = mine.remove(at: Int.random(in: 0..<mine.count, using: &generator))
                if let answer = send("POST", "/api/bookings/\(pick.id)/cancel", token: token, start: index + request), answer.status == 200 {
                    outcome.withLock { $0.cancelled += 1 }
                }
            } else {
                guard let arriving = mine.firstIndex(where: { Self.day($0.checkIn) == Self.day(target.today) }) else { continue }
                let pick = mine[arriving]
                if let answer = send("POST", "/api/bookings/\(pick.id)/check-in", token: token, start: index + request), answer.status == 200 {
                    outcome.withLock { $0.checkedIn += 1 }
                    mine.remove(at: arriving)
                }
            }
        }
    }

    /// Sends one request to the servers in turn from `start`, until one answers other than 503
    /// (or 10 s pass); nil if none did.
    private func send(_ method: String, _ path: String, token: String, json: Any? = nil, key: String? = nil,
                      start: Int) -> ScaleOutHTTP.Answer? {
        let giveUp = Date().addingTimeInterval(10)
        var attempt = start
        while Date() < giveUp {
            let ports = self.ports.withLock { $0 }
            let port = ports[attempt % ports.count]
            attempt += 1
            var headers: [String: String] = [:]
            if let key { headers["Idempotency-Key"] = key }
            guard let answer = try? ScaleOutHTTP.call(port: port, method, path, token: token, json: json, headers: headers) else {
                outcome.withLock { $0.unanswered += 1 }
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            outcome.withLock { $0.answers[answer.status, default: 0] += 1 }
            if answer.status == 503 {
                outcome.withLock { $0.unavailable += 1 }
                Thread.sleep(forTimeInterval: 0.1)
                continue
            }
            if answer.status >= 500 {
                outcome.withLock { $0.unexpected.append("\(method) \(path): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))") }
            }
            return answer
        }
        return nil
    }

    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    /// Midnight UTC of today's date in `timeZone`, the hotel's business date.
    static func today(in timeZone: String) -> Date {
        var local = Calendar(identifier: .gregorian)
        local.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let parts = local.dateComponents([.year, .month, .day], from: Date())
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        return utc.date(from: parts)!
    }
}

/// HTTP for the scenario's client threads: one call, waited for, with a short timeout so a killed
/// server is noticed at once.
enum ScaleOutHTTP {
    struct Answer {
        let status: Int
        let body: Data
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 5
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration)
    }()

    static func call(port: Int, _ method: String, _ path: String, token: String? = nil, json: Any? = nil,
                     headers: [String: String] = [:]) throws -> Answer {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = try JSONSerialization.data(withJSONObject: json)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var answer: Answer?
        nonisolated(unsafe) var failure: (any Error)?
        session.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse { answer = Answer(status: http.statusCode, body: data ?? Data()) }
            failure = error
            done.signal()
        }.resume()
        done.wait()
        guard let answer else { throw failure ?? HarnessError.setup("no answer from port \(port)") }
        return answer
    }
}

/// What must hold after the scenario, whichever database and however many servers.
struct ScaleOutInvariants {
    /// The first column of the first row of a query, as an integer.
    let count: (String) throws -> Int
    /// The payment simulator's charges per booking (`GET /charges`).
    let charges: () -> [[String: Any]]
    /// A server to ask for bookings by id.
    let port: () -> Int
    let token: String

    static let liveStatuses = "('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn')"
    /// Two bookings that hold one room on one night.
    static let overlaps = """
        SELECT count(*) FROM booking a JOIN booking b
          ON a.room_id = b.room_id AND a.id < b.id AND a.check_in < b.check_out AND b.check_in < a.check_out
        WHERE a.status IN \(liveStatuses) AND b.status IN \(liveStatuses)
        """
    static let underWay = "SELECT count(*) FROM booking WHERE status IN ('Reserving', 'ProcessingPayment')"

    /// Waits (at most `seconds`) for every saga to end: no booking still reserving or paying, and
    /// every cancelled card booking's charge refunded.
    func waitForSagasToEnd(seconds: TimeInterval) throws {
        let giveUp = Date().addingTimeInterval(seconds)
        while Date() < giveUp {
            if try count(Self.underWay) == 0 && unrefundedCancellations().isEmpty { return }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    /// Bookings given up (cancelled or failed) whose charge is not yet refunded or voided.
    func unrefundedCancellations() throws -> [String] {
        try charges().compactMap { entry -> String? in
            guard let id = (entry["bookingId"] as? String)?.lowercased() else { return nil }
            let charged = entry["charged"] as? Int ?? 0
            let paidBack = (entry["refunded"] as? Int ?? 0) + (entry["voided"] as? Int ?? 0)
            guard charged > paidBack else { return nil }
            let status = try bookingStatus(id)
            return status == "Cancelled" || status == "Failed" ? id : nil
        }
    }

    func bookingStatus(_ id: String) throws -> String? {
        let answer = try ScaleOutHTTP.call(port: port(), "GET", "/api/bookings/\(id)", token: token)
        return answer.status == 200 ? answer.json["status"] as? String : nil
    }

    /// Checks every invariant of issue 13 and records a test issue for each that fails.
    func check(_ outcome: ScaleOutLoad.Outcome, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try waitForSagasToEnd(seconds: 90)
        // One line for the log: what the load did.
        print("scale-out: \(outcome.accepted.count) accepted, \(outcome.cancelled) cancelled, \(outcome.checkedIn) checked in, "
              + "answers \(outcome.answers.sorted { $0.key < $1.key }), \(outcome.unanswered) unanswered, \(charges().count) bookings charged")
        #expect(try count(Self.overlaps) == 0, "a room-night is held by two live bookings", sourceLocation: sourceLocation)
        #expect(try count(Self.underWay) == 0, "sagas still under way", sourceLocation: sourceLocation)
        #expect(outcome.unexpected.isEmpty, "\(outcome.unexpected.prefix(5))", sourceLocation: sourceLocation)
        // Every 202 has its booking, in a final state.
        var statuses: [String: String] = [:]
        for id in Set(outcome.accepted.values) {
            let status = try bookingStatus(id)
            #expect(status != nil, "accepted booking \(id) is missing", sourceLocation: sourceLocation)
            statuses[id] = status
        }
        #expect(statuses.values.allSatisfy { !["Reserving", "ProcessingPayment"].contains($0) }, sourceLocation: sourceLocation)
        // Each booking charged at most once; a charge kept only by a booking that holds its stay.
        for entry in charges() {
            guard let id = (entry["bookingId"] as? String)?.lowercased() else { continue }
            let charged = entry["charged"] as? Int ?? 0
            let paidBack = (entry["refunded"] as? Int ?? 0) + (entry["voided"] as? Int ?? 0)
            #expect(charged <= 1, "booking \(id) charged \(charged) times", sourceLocation: sourceLocation)
            let status = try statuses[id] ?? bookingStatus(id)
            if ["Confirmed", "CheckedIn", "CheckedOut"].contains(status ?? "") {
                #expect(charged - paidBack == 1, "booking \(id) is \(status ?? "?") but its charge was paid back", sourceLocation: sourceLocation)
            } else {
                #expect(charged - paidBack <= 0, "booking \(id) is \(status ?? "missing") and keeps its charge", sourceLocation: sourceLocation)
            }
        }
    }
}
