import Foundation
import FrontDeskTestSupport
import Testing

/// A booking server's own SQLite file given to the desk's commands (a hands-on review, session
/// 60): with several hotels they mixed them (one room number twice a night), and `desk connect`
/// turned a server's file into a desk replica, pushing its bookings to another server and marking
/// its card bookings as on the server though it never had them. Both refused, in words.
@Suite("A booking server's file at the desk", .serialized)
struct ServerFileAtTheDeskTests {
    @Test("The desk refuses a server's file of several hotels, and desk connect a server's file of one")
    func aServersFileIsRefused() throws {
        let server = try SyncServer()
        let desk = try Desk("server-file")
        defer { desk.remove() }
        let listed = try desk.run("bookings", "--db", server.database)
        #expect(listed.status != 0 && listed.stderr.contains("holds 2 hotels") && listed.stderr.contains("booking server's database"),
                "\(listed.stderr)")

        let single = desk.folder.appendingPathComponent("single.sqlite").path
        _ = try SyncServer.admin(["demo", "--hotels", "1", "--rooms", "4", "--days", "10"], database: single)
        let hotels = try SyncServer.admin(["hotels", "list", "--json"], database: single).json["hotels"] as? [[String: Any]]
        let hotel = try #require(hotels?.first?["hotelId"] as? String)
        _ = try SyncServer.admin(["users", "add", "ola", "--role", "receptionist", "--hotel", hotel, "--password-stdin",
                                  "--password-rounds", "1000"], database: single, input: "password-of-ola\n")
        // One hotel with the server's users: the desk's own commands read it as one hotel's file.
        #expect(try desk.run("bookings", "--db", single).status == 0)
        let connected = try runProgram(Products.folder.appendingPathComponent("frontdesk"),
                                       ["desk", "connect", "--server", server.url, "--hotel", server.hotelA, "--username", "anna",
                                        "--password-stdin", "--db", single],
                                       environment: desk.environment, input: "password-of-anna\n")
        #expect(connected.status != 0 && connected.stderr.contains("is a booking server's database"), "\(connected.stderr)")
        let status = try desk.run("desk", "status", "--db", single)
        #expect(!status.stdout.contains(server.url), "the file was not made a replica: \(status.stdout)")
    }
}
