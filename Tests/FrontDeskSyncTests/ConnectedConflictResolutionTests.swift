import Foundation
import FrontDeskTestSupport
import Testing

/// `frontdesk conflicts resolve ID --keep-server | --reapply` (issue 12) on a refused undo and a
/// refused edit, the real `frontdesk` against a real server on 127.0.0.1: both ask the server for
/// the booking as it is now, so with the server down they change nothing; --keep-server makes the
/// desk's booking the server's; --reapply makes the desk's change again on it and pushes it.
@Suite("A connected desk resolves a refused change to a server booking", .serialized)
struct ConnectedConflictResolutionTests {
    /// The set-up and the look-ups of the undo tests: a guest checked in today, online.
    let changes = ConnectedReservationChangesTests()

    func conflicts(_ desk: Desk) throws -> [[String: Any]] {
        try desk.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
    }

    /// A guest arriving today, checked in on this desk while it was offline (and checked out
    /// too, if asked), the booking cancelled on the server meanwhile, then synced: a conflict.
    func checkedInHereCancelledThere(_ name: String, checkedOutHereToo: Bool = false) throws -> ConnectedReservationChangesTests.Setup {
        let setup = try changes.checkedInToday(name)
        try #require(try setup.desk.run("undo-check-in", setup.confirmation).status == 0, "undone online: arriving again")
        setup.server.stop()
        #expect(try setup.desk.run("check-in", setup.confirmation).status == 0)
        if checkedOutHereToo { #expect(try setup.desk.run("check-out", setup.confirmation).status == 0) }
        try setup.server.start()
        let cancelled = try setup.server.call("POST", "/api/bookings/\(setup.bookingId)/cancel", token: try setup.server.token("anna"))
        #expect(cancelled.status == 200, "cancel: \(cancelled.status) \(cancelled.json)")
        // (A check-out made here too waits behind the refused check-in: refused with it.)
        #expect((try setup.desk.run("sync", "--json").json["conflicts"] as? Int ?? 0) >= 1)
        return setup
    }

    @Test("A refused undo: offline nothing changes; re-applied on a checked-out guest it is refused; --keep-server takes the server's booking")
    func refusedUndoKeptAsTheServerHasIt() throws {
        let setup = try changes.checkedInToday("resolve-keep")
        defer { setup.desk.remove() }
        setup.server.stop()
        #expect(try setup.desk.run("undo-check-in", setup.confirmation).status == 0)
        try setup.server.start()
        let out = try setup.server.call("POST", "/api/bookings/\(setup.bookingId)/check-out", token: try setup.server.token("anna"))
        #expect(out.status == 200, "check-out: \(out.status) \(out.json)")
        #expect(try setup.desk.run("sync", "--json").json["conflicts"] as? Int == 1)
        let listed = try conflicts(setup.desk)
        #expect(listed.count == 1)
        #expect(listed.first?["refusedChange"] as? String == "undoCheckIn" && listed.first?["onServer"] as? Bool == true)
        // No cancel for a guest checked in (or out): the store would refuse it.
        #expect(listed.first?["resolutions"] as? [String] == ["keepServer", "reapply"])
        let id = try #require(listed.first?["conflictId"] as? String)

        // The server is down: nothing can be kept or re-applied, and nothing changes.
        setup.server.stop()
        let offline = try setup.desk.run("conflicts", "resolve", id, "--keep-server", "--json")
        #expect(offline.status == 8, "offline: \(offline.status) \(offline.stderr)")
        #expect(offline.stderr.contains("Nothing was changed"), "stderr: \(offline.stderr)")
        #expect(try offline.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "offline")
        #expect(try conflicts(setup.desk).count == 1)
        try setup.server.start()

        // Re-applied on the server's booking (checked out now), the undo of a check-in is refused.
        let reapplied = try setup.desk.run("conflicts", "resolve", id, "--reapply")
        #expect(reapplied.status == 5, "reapply: \(reapplied.status) \(reapplied.stderr)")
        #expect(try conflicts(setup.desk).count == 1)
        #expect(try setup.desk.pendingOps() == 0)

        let kept = try setup.desk.run("conflicts", "resolve", id, "--keep-server", "--json")
        #expect(kept.status == 0, "keep: \(kept.stderr)")
        #expect(try kept.json["status"] as? String == "CheckedOut" && (try kept.json["sync"] as? String) == "synced")
        let server = try changes.onServer(setup)
        let desk = try #require(try changes.onDesk(setup))
        for key in ["status", "version", "guestName", "checkIn", "checkOut", "roomNumber"] {
            #expect(desk[key] as? NSObject == server[key] as? NSObject, "\(key): desk \(desk[key] ?? "nil"), server \(server[key] ?? "nil")")
        }
        #expect(try conflicts(setup.desk).isEmpty)
        #expect(try setup.desk.pendingOps() == 0)
        #expect(try setup.desk.run("sync", "--json").json["pushed"] as? Int == 0, "nothing to push")
    }

    /// Checked in offline while another desk cancelled the booking: the command line listed a
    /// refused check-in and offered a cancel of a booking cancelled already (and a re-apply the
    /// store refuses); only the full-screen desk said the guest sleeps in a room shown as free.
    @Test("A guest checked in here whose booking was cancelled elsewhere is named in words; only --keep-server settles it")
    func aGuestInHouseWithoutABookingIsSaidPlainly() throws {
        let setup = try checkedInHereCancelledThere("resolve-no-booking")
        defer { setup.desk.remove() }

        let listed = try conflicts(setup.desk)
        #expect(listed.first?["guestInHouseWithoutBooking"] as? Bool == true, "\(listed)")
        #expect(listed.first?["resolutions"] as? [String] == ["keepServer"], "\(listed)")
        let text = try setup.desk.run("conflicts").stdout
        #expect(text.contains("is in room") && text.contains("with no booking") && text.contains("--keep-server"), "\(text)")
        #expect(text.contains("Resolve one: frontdesk conflicts resolve ID --keep-server\n") && !text.contains("--move-to"),
                "only what fits is offered: \(text)")
        let id = try #require(listed.first?["conflictId"] as? String)
        for wrong in ["--cancel", "--reapply"] {
            let refused = try setup.desk.run("conflicts", "resolve", id, wrong)
            #expect(refused.status == 5 && refused.stderr.contains("Book them again"), "\(wrong): \(refused.status) \(refused.stderr)")
        }
        #expect(try conflicts(setup.desk).count == 1, "nothing was changed")
        let kept = try setup.desk.run("conflicts", "resolve", id, "--keep-server", "--json")
        #expect(kept.status == 0, "keep: \(kept.stderr)")
        #expect(try kept.json["status"] as? String == "Cancelled")
        #expect(try conflicts(setup.desk).isEmpty)
    }

    /// The same guest checked out here too before the desk could push: the advice said the guest
    /// was in the room, though they had left.
    @Test("A guest checked in and out here whose booking was cancelled elsewhere is said to have left")
    func aGuestWhoLeftWithoutABookingIsSaidToHaveLeft() throws {
        let setup = try checkedInHereCancelledThere("resolve-left", checkedOutHereToo: true)
        defer { setup.desk.remove() }
        let text = try setup.desk.run("conflicts").stdout
        #expect(text.contains("has since checked out here") && !text.contains("the guest is in room"), "\(text)")
    }

    /// Cancelled offline (the desk paid the guest back), changed on the server meanwhile: keeping
    /// the server's booking dropped the cancel, and the refund, without a word.
    /// A guest booked and cancelled on this desk while it was offline, the room sold on the
    /// server meanwhile: nothing is left to do, so nothing waits on the conflict list (it sat
    /// there offering only a move, which would have booked the guest again); the history says why.
    @Test("A booking made and cancelled offline whose room the server sold is no conflict; its history says why")
    func aBookingCancelledOfflineIsNoConflictWhenRefused() throws {
        let server = try SyncServer()
        try server.addSpareRooms(1)
        let desk = try Desk("refused-cancelled")
        defer { desk.remove() }
        try #require(try desk.connect(server).status == 0)
        let (checkIn, checkOut) = futureStay(daysAhead: 50)
        server.stop()
        let booked = try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Cora Cancelled")
        let code = try #require(try booked.json["confirmation"] as? String, "book: \(booked.stderr)")
        #expect(try desk.run("cancel", code).status == 0)
        try server.start()
        try server.sell(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Sol Server")

        let synced = try desk.run("sync", "--json")
        #expect(try synced.json["conflicts"] as? Int == 0, "sync: \(synced.stdout) \(synced.stderr)")
        #expect(try synced.json["refusedCancelledHere"] as? Int == 2, "the book and the cancel: \(synced.stdout)")
        #expect(try conflicts(desk).isEmpty)
        #expect(try desk.pendingOps() == 0)
        #expect(try desk.bookings().first { $0["confirmation"] as? String == code }?["status"] as? String == "Cancelled")
        let history = try desk.run("audit").stdout
        #expect(history.contains("The server refused booking \(code)") && history.contains("nothing is left to settle"), "\(history)")
        #expect(history.components(separatedBy: "nothing is left to settle").count == 2, "said once")
    }

    @Test("Keeping the server's booking over a cancel refunded at the desk says to collect the money again")
    func keepingTheServersBookingOverADeskRefundSaysToCollectAgain() throws {
        let server = try SyncServer()
        try server.addSpareRooms(1)
        let desk = try Desk("resolve-refund")
        defer { desk.remove() }
        try #require(try desk.connect(server).status == 0)
        let search = try desk.run("search", "--nights", "1", "--json").json
        let (today, tomorrow) = (try #require(search["checkIn"] as? String), try #require(search["checkOut"] as? String))
        let room = try #require((search["rooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }.first)
        // Booked offline, paid at this desk (its saga is here), then pushed.
        server.stop()
        let booked = try desk.book(room: room, checkIn: today, checkOut: tomorrow, guest: "Rita Refund")
        try #require(booked.status == 0, "book: \(booked.stderr)")
        let code = try #require(try booked.json["confirmation"] as? String)
        let bookingId = try #require(try booked.json["bookingId"] as? String)
        try server.start()
        #expect(try desk.run("sync", "--json").json["pushed"] as? Int == 1)

        server.stop()
        let cancelled = try desk.run("cancel", code)
        #expect(cancelled.status == 0 && cancelled.stderr.contains("to be paid back at the desk"), "\(cancelled.stderr)")
        // "payment refunded (desk-refund): 110.60 EUR to be paid back at the desk"
        let refunded = try #require(cancelled.stderr.components(separatedBy: "(desk-refund): ").dropFirst().first?
            .split(separator: " ").first.map(String.init), "\(cancelled.stderr)")
        try server.start()
        let noted = try server.call("PATCH", "/api/bookings/\(bookingId)", token: try server.token("anna"), json: ["note": "Late"])
        #expect(noted.status == 200)
        #expect(try desk.run("sync", "--json").json["conflicts"] as? Int == 1)
        let id = try #require(try conflicts(desk).first?["conflictId"] as? String)

        let kept = try desk.run("conflicts", "resolve", id, "--keep-server")
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(kept.stderr.contains("Recorded: ") && kept.stderr.contains("paid back \(refunded) when it cancelled")
                && kept.stderr.contains("collect \(refunded) again at the desk"), "\(kept.stderr)")
    }

    @Test("A refused edit re-applied on the server's version is pushed at once and the server has both changes")
    func refusedEditReapplied() throws {
        let setup = try changes.checkedInToday("resolve-reapply")
        defer { setup.desk.remove() }
        setup.server.stop()
        #expect(try setup.desk.run("change", setup.confirmation, "--guest-name", "Ulla Undo-Berg").status == 0)
        try setup.server.start()
        // Another desk corrects her e-mail on the server meanwhile: the desk's edit is stale.
        let corrected = try setup.server.call("PATCH", "/api/bookings/\(setup.bookingId)", token: try setup.server.token("anna"),
                                              json: ["email": "ulla@example.com"])
        #expect(corrected.status == 200, "edit: \(corrected.status) \(corrected.json)")
        #expect(try setup.desk.run("sync", "--json").json["conflicts"] as? Int == 1)
        let listed = try conflicts(setup.desk)
        #expect(listed.first?["refusedChange"] as? String == "edit" && listed.first?["reason"] as? String == "stale_version")
        let id = try #require(listed.first?["conflictId"] as? String)

        let reapplied = try setup.desk.run("conflicts", "resolve", id, "--reapply", "--json")
        #expect(reapplied.status == 0, "reapply: \(reapplied.stderr)")
        #expect(!reapplied.stdout.isEmpty && !reapplied.stderr.contains("refused it again"), "stderr: \(reapplied.stderr)")
        let server = try changes.onServer(setup)
        #expect(server["guestName"] as? String == "Ulla Undo-Berg" && server["email"] as? String == "ulla@example.com", "\(server)")
        let desk = try #require(try changes.onDesk(setup))
        #expect(desk["guestName"] as? String == "Ulla Undo-Berg" && desk["email"] as? String == "ulla@example.com")
        #expect(desk["sync"] as? String == "synced" && desk["version"] as? Int == server["version"] as? Int)
        #expect(try conflicts(setup.desk).isEmpty)
        #expect(try setup.desk.pendingOps() == 0)
    }

    /// A stay of the server's in room S1 (`daysAhead`, 2 nights), booked online on a connected
    /// desk, lengthened by a night while the server was down, the added night sold on the server
    /// meanwhile, then synced: one conflict, its lengthening refused `room_unavailable`.
    struct RefusedLengthening {
        let server: SyncServer
        let desk: Desk
        let code: String
        let bookingId: String
        let checkIn: String
        let checkOut: String
        let longer: String
    }

    static func refusedLengthening(_ name: String, guest: String, daysAhead: Int, spareRooms: Int) throws -> RefusedLengthening {
        let server = try SyncServer()
        try server.addSpareRooms(spareRooms)
        let desk = try Desk(name)
        try #require(try desk.connect(server).status == 0)
        let (checkIn, checkOut) = futureStay(daysAhead: daysAhead, nights: 2)
        let (_, longer) = futureStay(daysAhead: daysAhead, nights: 3)
        let booked = try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: guest)
        try #require(booked.status == 0, "book: \(booked.stderr)")
        #expect(try booked.json["sync"] as? String == "synced")
        let code = try #require(try booked.json["confirmation"] as? String)
        let bookingId = try #require(try booked.json["bookingId"] as? String)
        server.stop()
        #expect(try desk.run("change", code, "--check-out", longer).status == 0)
        try server.start()
        try server.sell(room: "S1", checkIn: checkOut, checkOut: longer, guest: "Nina Night")
        #expect(try desk.run("sync", "--json").json["conflicts"] as? Int == 1)
        return RefusedLengthening(server: server, desk: desk, code: code, bookingId: bookingId, checkIn: checkIn, checkOut: checkOut,
                                  longer: longer)
    }

    /// A stay of the server's lengthened offline whose added night the server sold meanwhile: the
    /// conflict offers a move (rooms free for the longer stay, as this desk knows them), and
    /// --move-to moves the server's booking and lengthens it again in the new room, pushed at
    /// once. It offered --keep-server, --reapply (refused again) and --cancel only.
    @Test("A lengthening refused because its added night was sold moves the guest with --move-to and lengthens the stay there")
    func refusedLengtheningMoved() throws {
        let setup = try Self.refusedLengthening("resolve-lengthen-move", guest: "Lotte Longer", daysAhead: 40, spareRooms: 3)
        let (server, desk, bookingId, checkIn, checkOut, longer) = (setup.server, setup.desk, setup.bookingId, setup.checkIn, setup.checkOut, setup.longer)
        defer { desk.remove() }
        let listed = try #require(try conflicts(desk).first)
        #expect(listed["refusedChange"] as? String == "edit" && listed["reason"] as? String == "room_unavailable", "\(listed)")
        #expect((listed["resolutions"] as? [String])?.first == "moveTo", "\(listed)")
        let offered = (listed["suggestedRooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }
        #expect(!offered.isEmpty && !offered.contains("S1"), "\(listed)")
        let id = try #require(listed["conflictId"] as? String)

        // A room taken on the added night is refused here, and nothing changes.
        try server.sell(room: "S2", checkIn: checkOut, checkOut: longer, guest: "Noah Night")
        #expect(try desk.run("sync", "--json").status == 0)
        let refused = try desk.run("conflicts", "resolve", id, "--move-to", "S2")
        #expect(refused.status != 0 && refused.stderr.contains("S2"), "\(refused.stderr)")
        #expect(try conflicts(desk).count == 1)

        let moved = try desk.run("conflicts", "resolve", id, "--move-to", "S3", "--json")
        #expect(moved.status == 0, "move: \(moved.stderr)")
        let onServer = try server.call("GET", "/api/bookings/\(bookingId)", token: try server.token("anna")).json
        #expect(onServer["roomNumber"] as? String == "S3" && onServer["checkIn"] as? String == checkIn
                    && onServer["checkOut"] as? String == longer, "\(onServer)")
        #expect(try conflicts(desk).isEmpty)
        #expect(try desk.pendingOps() == 0)
    }

    /// A `--move-to` of a refused lengthening that the server refuses in turn (the room was sold on
    /// a night this desk had not heard of): the new conflict offers rooms free for the longer stay,
    /// as this desk knows them. The server's were for its own shorter stay, and a room offered so
    /// was then refused here ("taken on the night of …"). `conflicts resolve` exits 6 (conflict)
    /// there, saying why on stderr: it said "The server refused it again" and exited 0, so a
    /// script took the conflict for settled.
    @Test("A move of a refused lengthening refused in turn exits 6 and offers rooms free for the longer stay")
    func aRefusedMoveOfALengtheningOffersRoomsForTheLongerStay() throws {
        let setup = try Self.refusedLengthening("lengthen-move-again", guest: "Rita Retry", daysAhead: 42, spareRooms: 3)
        let (server, desk, code, checkIn, longer) = (setup.server, setup.desk, setup.code, setup.checkIn, setup.longer)
        defer { desk.remove() }
        let id = try #require(try conflicts(desk).first?["conflictId"] as? String)
        // S3 sold on the stay's first night, after this desk last heard from the server.
        try server.sell(room: "S3", checkIn: checkIn, checkOut: futureStay(daysAhead: 43, nights: 1).0, guest: "Otto Other")
        let refused = try desk.run("conflicts", "resolve", id, "--move-to", "S3")
        #expect(refused.status == 6, "refused again: \(refused.status) \(refused.stderr)")
        #expect(refused.stdout.contains("Booking \(code)") && refused.stdout.contains("The server refused it again: see `frontdesk conflicts`."),
                "stdout: \(refused.stdout)")
        #expect(refused.stderr.contains("conflict: booking \(code)"), "stderr: \(refused.stderr)")
        _ = try desk.run("sync")
        let again = try #require(try conflicts(desk).first, "the move was refused in turn")
        let offered = (again["suggestedRooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }
        let free = Set((try server.call("GET", "/api/rooms/availability?hotelId=\(server.hotelA)&checkIn=\(checkIn)&checkOut=\(longer)&guests=1",
                                        token: try server.token("anna")).json["rooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String })
        #expect(!offered.isEmpty && offered.allSatisfy(free.contains), "offered \(offered); free for the longer stay: \(free.sorted())")
        try #require(offered.count >= 2, "two rooms offered: \(offered)")

        // Refused again with --json: the document is the booking (no error document), the refusal
        // is said on stderr, and the exit is 6 as in text.
        try server.sell(room: offered[0], checkIn: checkIn, checkOut: futureStay(daysAhead: 43, nights: 1).0, guest: "Olga Other")
        let refusedJSON = try desk.run("conflicts", "resolve", try #require(again["conflictId"] as? String), "--move-to", offered[0], "--json")
        #expect(refusedJSON.status == 6, "refused again: \(refusedJSON.status) \(refusedJSON.stderr)")
        #expect(try refusedJSON.json["confirmation"] as? String == code, "stdout: \(refusedJSON.stdout)")
        #expect(refusedJSON.stderr.contains("conflict: booking \(code)"), "stderr: \(refusedJSON.stderr)")
        _ = try desk.run("sync")
        let last = try #require(try conflicts(desk).first, "the second move was refused in turn")
        let moved = try desk.run("conflicts", "resolve", try #require(last["conflictId"] as? String), "--move-to", offered[1])
        #expect(moved.status == 0, "\(moved.stderr)")
        #expect(!moved.stdout.contains("refused it again"), "stdout: \(moved.stdout)")
        #expect(try conflicts(desk).isEmpty)
    }
}
