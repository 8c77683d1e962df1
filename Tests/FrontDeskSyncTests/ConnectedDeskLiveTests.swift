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
        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux)
        // The desk's first search: one night, one guest, from the first night on sale (before
        // 06:00 hotel time the night under way, which `search` without --check-in does not take).
        let opened = try tmux.waitFor { $0.contains(" free") && $0.contains("online") }
        let checkIn = try #require(opened.firstMatch(of: /Check-in (\d{4}-\d{2}-\d{2})/).map { String($0.1) },
                                   "screen:\n\(opened)")
        let search = try desk.run("search", "--check-in", checkIn, "--nights", "1", "--json").json
        let free = search["rooms"] as? [[String: Any]] ?? []
        let room = try #require(free.first?["roomNumber"] as? String, "no room free on \(checkIn)")
        let checkOut = try #require(search["checkOut"] as? String)
        let first = try tmux.waitFor { $0.contains("\(free.count) room") && $0.contains("online") }
        #expect(first.contains("\(free.count) room\(free.count == 1 ? "" : "s") free"), "screen:\n\(first)")
        #expect(first.contains("online"), "screen:\n\(first)")

        // Another desk books that room for that night through the server.
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

    /// A booking this desk made offline that the server refuses when the open desk pushes it is
    /// said on the screen (the guest may have been told it was confirmed), not only marked `!`.
    @Test("A booking the server refuses to the open desk is said on its screen")
    func aRefusalPushedByTheOpenDeskIsSaid() throws {
        let server = try SyncServer()
        defer { server.stop() }
        let deskA = try Desk("refused-a"), deskB = try Desk("refused-b")
        defer { deskA.remove(); deskB.remove() }
        for desk in [deskA, deskB] { #expect(try desk.connect(server).status == 0) }
        let (checkIn, checkOut) = futureStay(daysAhead: 40)
        let offers = try deskA.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? []
        let room = try #require(offers.first?["roomNumber"] as? String)
        server.stop()
        #expect(try deskA.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Ada First").status == 0)
        let lost = try deskB.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Bo Second")
        let code = try #require(try lost.json["confirmation"] as? String)
        try server.start()
        #expect(try deskA.run("sync").status == 0)

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try deskB.openScreen(tmux, width: 160)
        let screen = try tmux.waitFor(10) { $0.contains("The server refused") }
        #expect(screen.contains("The server refused booking \(code) (Bo Second"), "screen:\n\(screen)")
        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-0") }.contains("FRONTDESK-EXITED-0"))
    }

    /// A booking and a note made to it offline, both refused when the open desk pushes them (the
    /// note `depends_on_conflict`): the notice said the last refusal "(and 1 more in the log)", and
    /// stayed at the top of every screen after `conflicts resolve --move-to` in another terminal
    /// had settled it, with 0 conflicts and 0 pending (a night shift's review, session 61).
    @Test("A refusal's notice goes once another terminal resolves its conflict")
    func aRefusalsNoticeGoesWhenAnotherTerminalResolvesIt() throws {
        let server = try SyncServer()
        defer { server.stop() }
        let deskA = try Desk("resolved-a"), deskB = try Desk("resolved-b")
        defer { deskA.remove(); deskB.remove() }
        for desk in [deskA, deskB] { #expect(try desk.connect(server).status == 0) }
        let (checkIn, checkOut) = futureStay(daysAhead: 40)
        let offers = try deskA.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? []
        let room = try #require(offers.first?["roomNumber"] as? String)
        let otherRoom = try #require(offers.dropFirst().first?["roomNumber"] as? String)
        server.stop()
        #expect(try deskA.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Ada First").status == 0)
        let lost = try deskB.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Bo Second")
        let code = try #require(try lost.json["confirmation"] as? String)
        let noted = try deskB.run("change", code, "--note", "Arrives late")
        #expect(noted.status == 0, "\(noted.stderr)")
        try server.start()
        #expect(try deskA.run("sync").status == 0)

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try deskB.openScreen(tmux, width: 160)
        let refused = try tmux.waitFor(10) { $0.contains("The server refused") }
        #expect(refused.contains("The server refused booking \(code) (Bo Second"), "screen:\n\(refused)")
        let resolved = try deskB.run("conflicts", "resolve", code, "--move-to", otherRoom)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        let open = try deskB.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
        #expect(open.isEmpty, "\(open)")
        try tmux.run("send-keys", "-t", "desk", "F3")
        let after = try tmux.waitFor(10) { !$0.contains("The server refused") && $0.contains(" Bookings") }
        #expect(!after.contains("The server refused"), "the notice stayed:\n\(after)")
        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-0") }.contains("FRONTDESK-EXITED-0"))
    }
}
