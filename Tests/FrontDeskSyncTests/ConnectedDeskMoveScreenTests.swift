import Foundation
import FrontDeskTestSupport
import Testing

/// The full-screen desk's move (Alt-m on a booking) on a connected desk (issue 12): it goes to the
/// server first, and with the server down it is made on the desk and queued, marked pending.
@Suite("A connected desk's move key", .serialized)
struct ConnectedDeskMoveScreenTests {
    @Test("Alt-m on a connected desk moves the guest on the server; offline it is queued and synced later")
    func moveKeyOnAConnectedDesk() throws {
        let server = try SyncServer()
        defer { server.stop() }
        let desk = try Desk("move-screen")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        // The first stay from three days ahead with three rooms free (the demo's occupancy moves
        // with today's date: some days have only two).
        var (checkIn, checkOut, rooms) = ("", "", [String]())
        for daysAhead in 3...40 where rooms.count < 3 {
            (checkIn, checkOut) = futureStay(daysAhead: daysAhead)
            rooms = (try desk.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? [])
                .compactMap { $0["roomNumber"] as? String }
        }
        try #require(rooms.count >= 3)
        let booked = try desk.book(room: rooms[0], checkIn: checkIn, checkOut: checkOut, guest: "Sam Screen")
        try #require(booked.status == 0, "book: \(booked.stderr)")
        let code = try #require(try booked.json["confirmation"] as? String)
        let id = try #require(try booked.json["bookingId"] as? String)
        let anna = try server.token("anna")

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("online") }

        func move(to room: String) throws -> String {
            try tmux.press("M-m", onBooking: code, of: "Sam Screen")
            // The move's own prompt, not the list behind it (which shows a Room column and the
            // guest already): typed earlier, the room number went into the find field.
            _ = try tmux.waitFor { $0.contains("Move Sam Screen (\(code), room ") }
            try tmux.run("send-keys", "-t", "desk", "-l", room)
            try tmux.run("send-keys", "-t", "desk", "Enter")
            _ = try tmux.waitFor { $0.contains("Move Sam Screen, booking \(code)") && $0.contains("to room \(room)?") }
            try tmux.run("send-keys", "-t", "desk", "Right", "Enter")
            return try tmux.waitFor { $0.contains("moved to room \(room)") || $0.contains("refused") || $0.contains("rror") }
        }

        // Online: on the server at once, and in the replica.
        let online = try move(to: rooms[1])
        #expect(online.contains("Sam Screen moved to room \(rooms[1])"), "screen:\n\(online)")
        #expect(try server.call("GET", "/api/bookings/\(id)", token: anna).json["roomNumber"] as? String == rooms[1])
        #expect(try desk.run("desk", "status", "--json").json["pendingOps"] as? Int == 0)

        // Offline: moved on the desk, queued; the desk pushes it once the server is back.
        server.stop()
        let offline = try move(to: rooms[2])
        #expect(offline.contains("Sam Screen moved to room \(rooms[2])"), "screen:\n\(offline)")
        let queued = try desk.bookings().first { $0["bookingId"] as? String == id }
        #expect(queued?["roomNumber"] as? String == rooms[2] && queued?["sync"] as? String == "pending")
        try server.start()
        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-") }.contains("FRONTDESK-EXITED-0"))
        // The desk's own sync thread may have pushed it already; `sync` finishes what is left.
        #expect(try desk.run("sync", "--json").status == 0)
        #expect(try server.call("GET", "/api/bookings/\(id)", token: anna).json["roomNumber"] as? String == rooms[2])
        let synced = try desk.bookings().first { $0["bookingId"] as? String == id }
        #expect(synced?["roomNumber"] as? String == rooms[2] && synced?["sync"] as? String == "synced")
    }
}
