import Foundation
import Testing

/// A room change on a connected desk (issues 12 and 14), the real `frontdesk` against a real
/// server on 127.0.0.1: online it lands on the server first; offline it is moved on the desk,
/// queued and pushed by `frontdesk sync`; refused by the server it is a conflict on the desk's
/// list (never lost), resolved by another move.
@Suite("A connected desk moves guests", .serialized)
struct ConnectedMoveTests {
    /// A connected desk with one booking of its own, made online, and free rooms for the stay.
    struct Setup {
        let server: SyncServer
        let desk: Desk
        let bookingId: String
        let confirmation: String
        let rooms: [String]
        /// The rooms' ids (the server's: the replica has the same).
        let roomIds: [String?]
        let checkIn: String
        let checkOut: String
    }

    func setUp(_ name: String, daysAhead: Int) throws -> Setup {
        let server = try SyncServer()
        let desk = try Desk(name)
        let connected = try desk.connect(server)
        try #require(connected.status == 0, "connect: \(connected.stderr)")
        let (checkIn, checkOut) = futureStay(daysAhead: daysAhead)
        let offers = try desk.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? []
        let rooms = offers.compactMap { $0["roomNumber"] as? String }
        try #require(rooms.count >= 4, "free rooms: \(rooms)")
        let booked = try desk.book(room: rooms[0], checkIn: checkIn, checkOut: checkOut, guest: "Mia Mover")
        try #require(booked.status == 0, "book: \(booked.stderr)")
        let json = try booked.json
        #expect(json["sync"] as? String == "synced")
        return Setup(server: server, desk: desk, bookingId: try #require(json["bookingId"] as? String),
                     confirmation: try #require(json["confirmation"] as? String), rooms: rooms,
                     roomIds: offers.map { $0["roomId"] as? String }, checkIn: checkIn, checkOut: checkOut)
    }

    /// Moves the booking to room 1 while the server is down, brings the server back, and connects
    /// a second desk to it (the caller removes that desk).
    func moveOfflineThenConnectAnotherDesk(_ setup: Setup, other name: String) throws -> Desk {
        setup.server.stop()
        let moved = try setup.desk.run("move", setup.confirmation, "--room", setup.rooms[1], "--json")
        #expect(moved.status == 0, "offline move: \(moved.stderr)")
        try setup.server.start()
        let other = try Desk(name)
        #expect(try other.connect(setup.server).status == 0)
        return other
    }

    func onServer(_ setup: Setup) throws -> [String: Any] {
        let answer = try setup.server.call("GET", "/api/bookings/\(setup.bookingId)", token: try setup.server.token("anna"))
        #expect(answer.status == 200)
        return answer.json
    }

    func onDesk(_ setup: Setup) throws -> [String: Any]? {
        try setup.desk.bookings().first { $0["bookingId"] as? String == setup.bookingId }
    }

    func conflicts(_ desk: Desk) throws -> [[String: Any]] {
        try desk.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
    }

    @Test("Online, a move lands on the server first; a room the server sold is refused and nothing changes")
    func onlineMove() throws {
        let setup = try setUp("move-online", daysAhead: 70)
        defer { setup.desk.remove() }
        let version = try #require(try onServer(setup)["version"] as? Int)

        let moved = try setup.desk.run("move", setup.confirmation, "--room", setup.rooms[1], "--reason", "Quiet side", "--json")
        #expect(moved.status == 0, "move: \(moved.stderr)")
        #expect(try moved.json["roomNumber"] as? String == setup.rooms[1])
        #expect(try moved.json["sync"] as? String == "synced")
        #expect(!moved.stderr.contains("it will sync"), "stderr: \(moved.stderr)")
        let server = try onServer(setup)
        #expect(server["roomNumber"] as? String == setup.rooms[1])
        #expect(server["version"] as? Int == version + 1)
        let desk = try #require(try onDesk(setup))
        #expect(desk["roomNumber"] as? String == setup.rooms[1] && desk["version"] as? Int == version + 1)
        #expect(desk["sync"] as? String == "synced")
        #expect(try setup.desk.run("desk", "status", "--json").json["pendingOps"] as? Int == 0)

        // Another desk sells room 2 on the server; this desk has not pulled it yet and tries to
        // move there: the server refuses, with rooms free instead, and the booking stays.
        let anna = try setup.server.token("anna")
        let roomId = try #require(setup.roomIds[2])
        let other = try setup.server.call("POST", "/api/bookings", token: anna, json: [
            "hotelId": setup.server.hotelA, "roomId": roomId, "checkIn": setup.checkIn, "checkOut": setup.checkOut, "guests": 1,
            "guestName": "Olga Other", "email": "olga@example.com", "payment": ["method": "desk"],
        ])
        #expect(other.status == 201 || other.status == 202 || other.status == 200, "POST /api/bookings: \(other.status) \(other.json)")
        let refused = try setup.desk.run("move", setup.confirmation, "--room", setup.rooms[2])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("taken") || refused.stderr.contains("room_unavailable"), "stderr: \(refused.stderr)")
        #expect(try onServer(setup)["roomNumber"] as? String == setup.rooms[1])
        #expect(try onDesk(setup)?["roomNumber"] as? String == setup.rooms[1])
        #expect(try conflicts(setup.desk).isEmpty)
        #expect(try setup.desk.run("desk", "status", "--json").json["pendingOps"] as? Int == 0)
    }

    @Test("Offline, a move is made on the desk, queued, and pushed once by frontdesk sync")
    func offlineMove() throws {
        let setup = try setUp("move-offline", daysAhead: 80)
        defer { setup.desk.remove() }
        let version = try #require(try onServer(setup)["version"] as? Int)

        setup.server.stop()
        let moved = try setup.desk.run("move", setup.bookingId, "--room", setup.rooms[1], "--json")
        #expect(moved.status == 0, "offline move: \(moved.stderr)")
        #expect(try moved.json["roomNumber"] as? String == setup.rooms[1])
        #expect(try moved.json["sync"] as? String == "pending")
        #expect(moved.stderr.contains("it will sync"), "stderr: \(moved.stderr)")
        #expect(try setup.desk.run("desk", "status", "--json").json["pendingOps"] as? Int == 1)
        // The replica holds the new room for the stay: it is no longer offered, the old one is.
        let offered = (try setup.desk.run("search", "--check-in", setup.checkIn, "--check-out", setup.checkOut, "--json").json["rooms"]
            as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }
        #expect(!offered.contains(setup.rooms[1]) && offered.contains(setup.rooms[0]))
        #expect(try setup.desk.run("sync").status == 8)

        try setup.server.start()
        #expect(try onServer(setup)["roomNumber"] as? String == setup.rooms[0])
        let synced = try setup.desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["pushed"] as? Int == 1)
        #expect(try synced.json["accepted"] as? Int == 1)
        let server = try onServer(setup)
        #expect(server["roomNumber"] as? String == setup.rooms[1])
        #expect(server["version"] as? Int == version + 1)
        let desk = try #require(try onDesk(setup))
        #expect(desk["sync"] as? String == "synced")
        #expect(desk["roomNumber"] as? String == setup.rooms[1] && desk["version"] as? Int == version + 1)
        // Pushed once: a second sync pushes nothing and the server's booking moved once.
        let again = try setup.desk.run("sync", "--json")
        #expect(try again.json["pushed"] as? Int == 0)
        #expect(try onServer(setup)["version"] as? Int == version + 1)
    }

    @Test("Offline, a move into a room-night sold meanwhile on the server is a conflict with rooms free instead, resolved by a move")
    func moveIntoASoldRoom() throws {
        let setup = try setUp("move-sold", daysAhead: 90)
        defer { setup.desk.remove() }

        // Meanwhile another desk sells room 1 for the same nights, through the server.
        let other = try moveOfflineThenConnectAnotherDesk(setup, other: "move-sold-other")
        defer { other.remove() }
        let sold = try other.book(room: setup.rooms[1], checkIn: setup.checkIn, checkOut: setup.checkOut, guest: "Olga Other")
        #expect(sold.status == 0, "other desk: \(sold.stderr)")

        let synced = try setup.desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["pushed"] as? Int == 1)
        #expect(try synced.json["conflicts"] as? Int == 1)
        #expect(synced.stderr.contains("room_unavailable"), "stderr: \(synced.stderr)")
        // The server kept the booking where it was; the desk lists the refused move.
        #expect(try onServer(setup)["roomNumber"] as? String == setup.rooms[0])
        let listed = try conflicts(setup.desk)
        try #require(listed.count == 1, "\(listed)")
        let conflict = listed[0]
        #expect(conflict["bookingId"] as? String == setup.bookingId)
        #expect(conflict["reason"] as? String == "room_unavailable")
        #expect(conflict["roomNumber"] as? String == setup.rooms[1])
        #expect((conflict["message"] as? String ?? "").contains("move of booking \(setup.confirmation) to room \(setup.rooms[1])"), "\(conflict)")
        let suggested = (conflict["suggestedRooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }
        let target = try #require(suggested.first, "no suggested room: \(conflict)")
        #expect(!suggested.contains(setup.rooms[1]) && !suggested.contains(setup.rooms[0]))
        #expect(try onDesk(setup)?["sync"] as? String == "conflict")
        let text = try setup.desk.run("conflicts")
        #expect(text.stdout.contains("room_unavailable") && text.stdout.contains(setup.confirmation))

        // Resolved by a move to the first room the server offered: pushed at once.
        let resolved = try setup.desk.run("conflicts", "resolve", try #require(conflict["conflictId"] as? String), "--move-to", target, "--json")
        #expect(resolved.status == 0, "resolve: \(resolved.stderr)")
        #expect(try resolved.json["roomNumber"] as? String == target)
        #expect(try conflicts(setup.desk).isEmpty)
        #expect(try setup.desk.run("sync", "--json").status == 0)
        let server = try onServer(setup)
        #expect(server["roomNumber"] as? String == target)
        let desk = try #require(try onDesk(setup))
        #expect(desk["roomNumber"] as? String == target && desk["sync"] as? String == "synced")
        #expect(desk["version"] as? Int == server["version"] as? Int)
        // The other desk's booking still holds room 1: no room-night sold twice.
        let inRoom1 = try setup.server.bookingsOfA().filter {
            $0["roomNumber"] as? String == setup.rooms[1] && $0["checkIn"] as? String == setup.checkIn && $0["status"] as? String == "Confirmed"
        }
        #expect(inRoom1.map { $0["guestName"] as? String } == ["Olga Other"])
    }

    @Test("Offline, a move of a booking changed meanwhile on the server is a stale_version conflict; resolved by keeping the server's room")
    func moveOfAChangedBooking() throws {
        let setup = try setUp("move-stale", daysAhead: 100)
        defer { setup.desk.remove() }

        // Meanwhile another desk moves the same guest to room 3, online.
        let other = try moveOfflineThenConnectAnotherDesk(setup, other: "move-stale-other")
        defer { other.remove() }
        let otherMove = try other.run("move", setup.confirmation, "--room", setup.rooms[3], "--json")
        #expect(otherMove.status == 0, "other desk: \(otherMove.stderr)")
        let serverVersion = try #require(try onServer(setup)["version"] as? Int)

        let synced = try setup.desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["conflicts"] as? Int == 1)
        let listed = try conflicts(setup.desk)
        try #require(listed.count == 1, "\(listed)")
        #expect(listed[0]["reason"] as? String == "stale_version")
        #expect((listed[0]["message"] as? String ?? "").contains("move of booking \(setup.confirmation)"), "\(listed[0])")
        // The server's move stands; the desk shows the booking as the server has it now.
        #expect(try onServer(setup)["roomNumber"] as? String == setup.rooms[3])
        #expect(try onServer(setup)["version"] as? Int == serverVersion)

        // The receptionist keeps the guest where the server has them.
        let resolved = try setup.desk.run("conflicts", "resolve", try #require(listed[0]["conflictId"] as? String), "--move-to",
                                          setup.rooms[3], "--json")
        #expect(resolved.status == 0, "resolve: \(resolved.stderr)")
        #expect(try conflicts(setup.desk).isEmpty)
        #expect(try setup.desk.run("sync", "--json").status == 0)
        let server = try onServer(setup)
        #expect(server["roomNumber"] as? String == setup.rooms[3])
        #expect(server["version"] as? Int == serverVersion)
        let desk = try #require(try onDesk(setup))
        #expect(desk["roomNumber"] as? String == setup.rooms[3] && desk["version"] as? Int == serverVersion)
        #expect(desk["sync"] as? String == "synced")
        #expect(try setup.desk.run("desk", "status", "--json").json["pendingOps"] as? Int == 0)
    }
}
