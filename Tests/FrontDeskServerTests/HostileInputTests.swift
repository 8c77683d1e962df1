import Foundation
import FrontDeskTestSupport
import Testing

/// Requests a careless or hostile caller can send: each is answered as the caller's mistake (400,
/// 401, 404, 429), on either backend, and none leaves the server worse off.
@Suite(.serialized) struct HostileInputTests {
    static func server(_ backend: String) throws -> ServerHarness {
        backend == "SQLite" ? try ServerHarness() : try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase())
    }

    /// A NUL (PostgreSQL holds none in text) and a search longer than SQLite's LIKE takes (50,000
    /// bytes) were database errors, answered 500.
    @Test(arguments: ["SQLite", "PostgreSQL"])
    func textNoDatabaseTakesIsBadInputNotAServerError(_ backend: String) throws {
        let server = try Self.server(backend)
        let login = try server.call("POST", "/api/auth/token", json: ["username": "anna\u{0}", "password": "password-of-anna"])
        #expect(login.status == 401, "\(backend): \(String(decoding: login.body, as: UTF8.self))")
        #expect(login.code == "unauthorized")
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        #expect(try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room, name: "Quentin Zabriskie")).status == 202)
        for guest in ["Ann%00Lee", String(repeating: "a", count: 60_000)] {
            let found = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=\(guest)", token: anna)
            #expect(found.status == 400, "\(backend), \(guest.prefix(20)): \(found.status) \(String(decoding: found.body.prefix(300), as: UTF8.self))")
            #expect(found.code == "validation_failed")
        }
        let listed = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=zabriskie", token: anna)
        #expect(listed.status == 200)
        #expect((listed.json["bookings"] as? [[String: Any]])?.count == 1)
    }

    /// Guessing at many accounts from one address, with a login of one's own between guesses: a
    /// success clears its user's failures, not the address's, so the address is held back.
    @Test func anAddressGuessingAtManyAccountsIsSlowedDownWhateverLoginsSucceedBetween() throws {
        let server = try ServerHarness()
        // 20 failures from 127.0.0.1, at most 4 for any one name, a success after every fourth.
        for guess in 0..<20 {
            let failed = try server.call("POST", "/api/auth/token", json: ["username": "guessed-\(guess % 5)", "password": "guess"])
            #expect(failed.status == 401, "guess \(guess): \(failed.status)")
            if guess % 4 == 3 && guess < 19 { _ = try server.token("anna") }
        }
        // The 20th failure holds the address back for 1 s.
        let limited = try server.call("POST", "/api/auth/token", json: ["username": "max", "password": "password-of-max"])
        #expect(limited.status == 429, "\(limited.status)")
        #expect(limited.code == "rate_limited")
    }

    /// An admin's token reaches any hotel id: bookings for ids no hotel has are 404 and leave no
    /// group-commit lane (a thread that lives as long as the server) behind.
    @Test func bookingsForHotelsThatDoNotExistLeaveNoThreadsBehind() throws {
        let server = try ServerHarness()
        let root = try server.token("root")
        let room = try server.freeRoom(server.hotelA, token: root)
        func threads() throws -> Int {
            let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? ""
            return Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? -1
        }
        #expect(try server.call("POST", "/api/bookings", token: root, json: server.bookingBody(server.hotelA, room: room)).status == 202)
        let before = try threads()
        for _ in 0..<40 {
            let made = try server.call("POST", "/api/bookings", token: root, json: server.bookingBody(UUID().uuidString.lowercased(), room: room))
            #expect(made.status == 404, "\(made.status)")
        }
        let after = try threads()
        #expect(before > 0 && after <= before + 6, "threads: \(before) before, \(after) after 40 made-up hotels")
    }
}
