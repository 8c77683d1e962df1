import Foundation
import FrontDeskTestSupport
import Testing

/// Issue 12: on a connected desk, a booking made elsewhere through the server shows on the
/// full-screen desk's search within a second, with no key pressed; the status line says online.
@Suite("A connected desk, live", .serialized)
struct ConnectedDeskLiveTests {
    @Test("A booking made through the server leaves the desk's search with no key pressed")
    func anotherDesksBookingShowsAtOnce() throws {
        let server = try SyncServer()
        defer { server.stop() }
        try server.addSpareRooms(1) // a room free tonight whatever the demo sold
        let desk = try Desk("live"), other = try Desk("other")
        defer { desk.remove(); other.remove() }
        for connecting in [desk, other] {
            let connected = try connecting.connect(server)
            #expect(connected.status == 0, "connect: \(connected.stderr)")
        }
        // The desk's first search: today, one night, one guest; the rooms free now.
        let free = try desk.run("search", "--json").json["rooms"] as? [[String: Any]] ?? []
        let room = try #require(free.first?["roomNumber"] as? String, "no room free tonight")

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux)
        let first = try tmux.waitFor { $0.contains("\(free.count) room") && $0.contains("online") }
        #expect(first.contains("\(free.count) room\(free.count == 1 ? "" : "s") free"), "screen:\n\(first)")
        #expect(first.contains("online"), "screen:\n\(first)")

        // Another desk books that room for tonight through the server.
        let (checkIn, checkOut) = try tonight(desk)
        let booked = try other.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Live Guest")
        #expect(booked.status == 0, "book: \(booked.stderr)")
        #expect(try booked.json["sync"] as? String == "synced")
        let started = Date()
        let after = try tmux.waitFor(5) { $0.contains("\(free.count - 1) room") }
        let waited = Date().timeIntervalSince(started)
        #expect(after.contains("\(free.count - 1) room"), "screen:\n\(after)")
        // The desk pulls every half second; a second is the issue's bound (a loaded machine gets some slack).
        #expect(waited < 2.0, "shown after \(waited) s")
        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-0") }.contains("FRONTDESK-EXITED-0"))
    }

    /// The server comes back on another address and `desk connect` is run in another terminal:
    /// the open desk follows it (it kept asking the old address, offline, until restarted).
    @Test("An open desk follows desk connect to the server's new address")
    func anOpenDeskFollowsTheServersNewAddress() throws {
        let server = try SyncServer()
        defer { server.stop() }
        let desk = try Desk("moved")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux)
        #expect(try tmux.waitFor { $0.contains("online") }.contains("online"))
        server.stop()
        let offline = try tmux.waitFor(10) { $0.contains("OFFLINE") }
        #expect(offline.contains("OFFLINE"), "screen:\n\(offline)")
        let oldURL = server.url
        server.port = 0
        try server.start()
        #expect(server.url != oldURL)
        let connected = try desk.connect(server)
        #expect(connected.status == 0, "connect: \(connected.stderr)")
        let back = try tmux.waitFor(15) { $0.contains("online") && !$0.contains("OFFLINE") }
        #expect(back.contains("online") && !back.contains("OFFLINE"), "the open desk still asks the old address:\n\(back)")
        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-0") }.contains("FRONTDESK-EXITED-0"))
    }

    /// Tonight's stay as the desk's search reads it (the hotel's business date).
    func tonight(_ desk: Desk) throws -> (String, String) {
        let search = try desk.run("search", "--json").json
        return (try #require(search["checkIn"] as? String), try #require(search["checkOut"] as? String))
    }
}
