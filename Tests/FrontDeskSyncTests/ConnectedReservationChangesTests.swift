import Foundation
import FrontDeskTestSupport
import GRDB
import Testing

/// Undoing a check-in (and the other changes the sync protocol now carries: no-show, undone
/// check-out) on a connected desk (issue 12), the real `frontdesk` against a real server on
/// 127.0.0.1: online it lands on the server first; offline it is made on the desk, queued and
/// pushed once by `frontdesk sync`; made on a booking the server changed meanwhile, it is a
/// `stale_version` conflict on the desk's list, never lost.
@Suite("A connected desk undoes check-ins through the server", .serialized)
struct ConnectedReservationChangesTests {
    struct Setup {
        let server: SyncServer
        let desk: Desk
        let bookingId: String
        let confirmation: String
    }

    /// A connected desk with one booking of its own arriving today (the desk's business date),
    /// made online and checked in online.
    func checkedInToday(_ name: String, checkIn: Bool = true, noShowCutoffHour: Int? = nil) throws -> Setup {
        let server = try SyncServer()
        try server.addSpareRooms(1) // a room free tonight whatever the demo sold
        if let noShowCutoffHour {
            // Set in the server's file before the desk connects: its replica takes the hotel as it is.
            server.stop()
            try DatabaseQueue(path: server.database).write { db in
                try db.execute(sql: "UPDATE hotel SET no_show_cutoff_hour = ?", arguments: [noShowCutoffHour])
            }
            try server.start()
        }
        let desk = try Desk(name)
        let connected = try desk.connect(server)
        try #require(connected.status == 0, "connect: \(connected.stderr)")
        let search = try desk.run("search", "--nights", "1", "--json").json
        let today = try #require(search["checkIn"] as? String)
        let tomorrow = try #require(search["checkOut"] as? String)
        let rooms = (search["rooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }
        let room = try #require(rooms.first, "no room free tonight")
        let booked = try desk.book(room: room, checkIn: today, checkOut: tomorrow, guest: "Ulla Undo")
        try #require(booked.status == 0, "book: \(booked.stderr)")
        let confirmation = try #require(try booked.json["confirmation"] as? String)
        if checkIn {
            let checkedIn = try desk.run("check-in", confirmation, "--json")
            try #require(checkedIn.status == 0, "check-in: \(checkedIn.stderr)")
        }
        return Setup(server: server, desk: desk, bookingId: try #require(try booked.json["bookingId"] as? String),
                     confirmation: confirmation)
    }

    func onServer(_ setup: Setup) throws -> [String: Any] {
        let answer = try setup.server.call("GET", "/api/bookings/\(setup.bookingId)", token: try setup.server.token("anna"))
        #expect(answer.status == 200)
        return answer.json
    }

    func onDesk(_ setup: Setup) throws -> [String: Any]? {
        try setup.desk.bookings().first { $0["bookingId"] as? String == setup.bookingId }
    }

    @Test("Online, an undone check-in lands on the server first")
    func onlineUndo() throws {
        let setup = try checkedInToday("undo-online")
        defer { setup.desk.remove() }
        let version = try #require(try onServer(setup)["version"] as? Int)

        let undone = try setup.desk.run("undo-check-in", setup.confirmation, "--reason", "Wrong guest", "--json")
        #expect(undone.status == 0, "undo: \(undone.stderr)")
        #expect(try undone.json["status"] as? String == "Confirmed")
        #expect(try undone.json["sync"] as? String == "synced")
        #expect(!undone.stderr.contains("it will sync"), "stderr: \(undone.stderr)")
        let server = try onServer(setup)
        #expect(server["status"] as? String == "Confirmed" && server["statusReason"] as? String == "Wrong guest")
        #expect(server["version"] as? Int == version + 1)
        #expect(try onDesk(setup)?["version"] as? Int == version + 1)
        #expect(try setup.desk.pendingOps() == 0)
        // Undone already: the server's refusal is shown and nothing changes.
        let again = try setup.desk.run("undo-check-in", setup.confirmation)
        #expect(again.status == 5, "second undo: \(again.status) \(again.stderr)")
        #expect(try onServer(setup)["version"] as? Int == version + 1)
    }

    /// A guest marked a no-show who comes after all (session 55): online, the undo lands on the
    /// server first and both copies say Confirmed with the desk's reason.
    @Test("Online, an undone no-show lands on the server first")
    func onlineUndoOfANoShow() throws {
        // A cut-off of 00:00: an arrival of today may be marked whatever the hour the test runs.
        let setup = try checkedInToday("undo-no-show", checkIn: false, noShowCutoffHour: 0)
        defer { setup.desk.remove() }
        let marked = try setup.desk.run("no-show", setup.confirmation, "--json")
        #expect(marked.status == 0, "no-show: \(marked.stderr)")
        #expect(try onServer(setup)["status"] as? String == "NoShow")
        let version = try #require(try onServer(setup)["version"] as? Int)

        let undone = try setup.desk.run("undo-no-show", setup.confirmation, "--reason", "Came late", "--json")
        #expect(undone.status == 0, "undo: \(undone.stderr)")
        #expect(try undone.json["status"] as? String == "Confirmed")
        #expect(try undone.json["sync"] as? String == "synced")
        let server = try onServer(setup)
        #expect(server["status"] as? String == "Confirmed" && server["statusReason"] as? String == "Came late", "\(server)")
        #expect(server["version"] as? Int == version + 1)
        #expect(try onDesk(setup)?["version"] as? Int == version + 1)
        #expect(try setup.desk.pendingOps() == 0)
        let arrived = try setup.desk.run("check-in", setup.confirmation, "--json")
        #expect(arrived.status == 0, "check-in after the undo: \(arrived.stderr)")
        #expect(try onServer(setup)["status"] as? String == "CheckedIn")
    }

    @Test("Offline, an undone check-in is made on the desk, queued, and pushed once by frontdesk sync")
    func offlineUndo() throws {
        let setup = try checkedInToday("undo-offline")
        defer { setup.desk.remove() }
        let version = try #require(try onServer(setup)["version"] as? Int)

        setup.server.stop()
        let undone = try setup.desk.run("undo-check-in", setup.bookingId, "--json")
        #expect(undone.status == 0, "offline undo: \(undone.stderr)")
        #expect(try undone.json["status"] as? String == "Confirmed")
        #expect(try undone.json["sync"] as? String == "pending")
        #expect(undone.stderr.contains("it will sync"), "stderr: \(undone.stderr)")
        #expect(try setup.desk.pendingOps() == 1)
        // Today's arrivals say the server has not got it yet, as `bookings --json` does.
        let arrivals = try setup.desk.run("report", "arrivals", "--json")
        let listed = (try arrivals.json["bookings"] as? [[String: Any]])?.first { $0["bookingId"] as? String == setup.bookingId }
        #expect(listed?["sync"] as? String == "pending", "report: \(arrivals.stdout)")

        try setup.server.start()
        let synced = try setup.desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["accepted"] as? Int == 1)
        let server = try onServer(setup)
        #expect(server["status"] as? String == "Confirmed" && server["version"] as? Int == version + 1)
        #expect((server["statusReason"] as? String ?? "").contains("undone"), "the desk's default reason: \(server)")
        let desk = try #require(try onDesk(setup))
        #expect(desk["sync"] as? String == "synced" && desk["version"] as? Int == version + 1)
        #expect(desk["statusReason"] as? String == server["statusReason"] as? String)
        // Pushed once: a second sync has nothing to push and the server's version stays.
        let again = try setup.desk.run("sync", "--json")
        #expect(try again.json["pushed"] as? Int == 0)
        #expect(try onServer(setup)["version"] as? Int == version + 1)
    }

    @Test("Back online, a change of a booking whose offline change still waits goes after it, and neither is lost")
    func onlineChangeAfterAnOfflineOne() throws {
        let setup = try checkedInToday("after-offline")
        defer { setup.desk.remove() }
        setup.server.stop()
        let noted = try setup.desk.run("change", setup.bookingId, "--note", "Late check-out agreed", "--json")
        #expect(noted.status == 0, "offline note: \(noted.stderr)")
        #expect(try setup.desk.pendingOps() == 1)

        try setup.server.start()
        let out = try setup.desk.run("check-out", setup.bookingId, "--json")
        #expect(out.status == 0, "online check-out: \(out.stderr)")
        #expect(try out.json["status"] as? String == "CheckedOut")
        #expect(try out.json["sync"] as? String == "synced")
        let server = try onServer(setup)
        #expect(server["status"] as? String == "CheckedOut")
        #expect("\(server["notes"] ?? "")".contains("Late check-out agreed"), "\(server)")
        #expect(try setup.desk.pendingOps() == 0)
        let synced = try setup.desk.run("sync", "--json")
        let conflicts = try synced.json["conflicts"] as? Int
        #expect(synced.status == 0 && (conflicts ?? 0) == 0, "sync: \(synced.stdout) \(synced.stderr)")
    }

    @Test("Back online, an undone check-out whose check-out waited offline pushes it first and lands on the server")
    func onlineUndoAfterAnOfflineCheckOut() throws {
        let setup = try checkedInToday("undo-after-offline")
        defer { setup.desk.remove() }
        setup.server.stop()
        let out = try setup.desk.run("check-out", setup.confirmation, "--json")
        #expect(out.status == 0, "offline check-out: \(out.stderr)")
        #expect(try setup.desk.pendingOps() == 1)

        try setup.server.start()
        let undone = try setup.desk.run("undo-check-out", setup.confirmation, "--reason", "Stays another night", "--json")
        #expect(undone.status == 0, "online undo: \(undone.stderr)")
        #expect(try undone.json["status"] as? String == "CheckedIn")
        // Not "saved on this desk, it will sync": the server has both, so it sells none of the nights.
        #expect(try undone.json["sync"] as? String == "synced", "stderr: \(undone.stderr)")
        #expect(try setup.desk.pendingOps() == 0)
        #expect(try onServer(setup)["status"] as? String == "CheckedIn")
    }

    @Test("Offline, an undone check-in of a guest another desk checked out meanwhile is a conflict, kept on the list")
    func staleUndoIsAConflict() throws {
        let setup = try checkedInToday("undo-conflict")
        defer { setup.desk.remove() }

        setup.server.stop()
        let undoUnder = UUID().uuidString.lowercased()
        let undone = try setup.desk.run("undo-check-in", setup.confirmation, "--request-id", undoUnder, "--json")
        #expect(undone.status == 0, "offline undo: \(undone.stderr)")
        try setup.server.start()
        // Another desk checks the guest out on the server.
        let out = try setup.server.call("POST", "/api/bookings/\(setup.bookingId)/check-out", token: try setup.server.token("anna"))
        #expect(out.status == 200, "check-out: \(out.status) \(out.json)")

        let synced = try setup.desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["conflicts"] as? Int == 1)
        #expect(try onServer(setup)["status"] as? String == "CheckedOut")
        let conflicts = try setup.desk.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
        #expect(conflicts.count == 1)
        #expect(conflicts.first?["bookingId"] as? String == setup.bookingId)
        #expect(conflicts.first?["reason"] as? String == "stale_version")
        #expect(try setup.desk.pendingOps() == 0)
        // Run again under its request id, the refused undo is not answered as done.
        let retried = try setup.desk.run("undo-check-in", setup.confirmation, "--request-id", undoUnder)
        #expect(retried.status == 6 && retried.stderr.contains("refused by the server"), "\(retried.status) \(retried.stderr)")
    }

    @Test("A change or a booking retried under its request id is answered as it is, online and offline, and made once")
    func retriedUnderItsRequestId() throws {
        let setup = try checkedInToday("retry")
        defer { setup.desk.remove() }
        let version = try #require(try onServer(setup)["version"] as? Int)

        // Online: the answer of an undone check-in lost, the command run again under its id.
        let undo = UUID().uuidString.lowercased()
        let undone = try setup.desk.run("undo-check-in", setup.confirmation, "--reason", "Wrong guest", "--request-id", undo, "--json")
        #expect(undone.status == 0, "undo: \(undone.stderr)")
        let undoneAgain = try setup.desk.run("undo-check-in", setup.confirmation, "--reason", "Wrong guest", "--request-id", undo, "--json")
        #expect(undoneAgain.status == 0, "a retry is answered, not refused as not checked in: \(undoneAgain.stderr)")
        #expect(try undoneAgain.json["status"] as? String == "Confirmed" && undoneAgain.json["version"] as? Int == version + 1)
        #expect(try onServer(setup)["version"] as? Int == version + 1)
        let reused = try setup.desk.run("check-in", setup.confirmation, "--request-id", undo)
        #expect(reused.status == 6 && reused.stderr.contains("already used"), "\(reused.status) \(reused.stderr)")

        // Offline: made here and queued once, however often it is run again, and pushed once.
        setup.server.stop()
        let checkIn = UUID().uuidString.lowercased()
        let queued = try setup.desk.run("check-in", setup.confirmation, "--request-id", checkIn, "--json")
        #expect(queued.status == 0, "offline check-in: \(queued.stderr)")
        let queuedAgain = try setup.desk.run("check-in", setup.confirmation, "--request-id", checkIn, "--json")
        #expect(queuedAgain.status == 0, "offline retry: \(queuedAgain.stderr)")
        #expect(try queuedAgain.json["status"] as? String == "CheckedIn" && queuedAgain.json["sync"] as? String == "pending")
        #expect(try setup.desk.pendingOps() == 1)
        try setup.server.start()
        let synced = try setup.desk.run("sync", "--json")
        #expect(try synced.json["accepted"] as? Int == 1, "sync: \(synced.stdout) \(synced.stderr)")
        let afterSync = try setup.desk.run("check-in", setup.confirmation, "--request-id", checkIn, "--json")
        #expect(afterSync.status == 0, "retry after the push: \(afterSync.stderr)")
        #expect(try onServer(setup)["status"] as? String == "CheckedIn" && onServer(setup)["version"] as? Int == version + 2)
        #expect(try setup.desk.pendingOps() == 0)

        // A booking made online and run again under its id: the same booking, one on the server.
        let (arrive, leave) = futureStay(daysAhead: 300)
        let bookUnder = UUID().uuidString.lowercased()
        let arguments = ["book", "--room", "101", "--check-in", arrive, "--check-out", leave, "--guests", "1", "--guest-name", "Rita Retry",
                         "--email", "rita@example.com", "--payment", "desk", "--request-id", bookUnder, "--json"]
        let booked = try runProgram(Products.folder.appendingPathComponent("frontdesk"), arguments, environment: setup.desk.environment)
        #expect(booked.status == 0, "book: \(booked.stderr)")
        let bookedAgain = try runProgram(Products.folder.appendingPathComponent("frontdesk"), arguments, environment: setup.desk.environment)
        #expect(bookedAgain.status == 0, "a retried booking is answered, not refused as room taken: \(bookedAgain.stderr)")
        #expect(try bookedAgain.json["bookingId"] as? String == booked.json["bookingId"] as? String)
        let ritas = try setup.server.call("GET", "/api/bookings?guest=Rita", token: try setup.server.token("anna"))
        let found = (ritas.json["bookings"] as? [[String: Any]] ?? []).filter { $0["guestName"] as? String == "Rita Retry" }
        #expect(found.count == 1, "\(ritas.json)")
    }

    @Test("A change the server took under its request id, whose answer this desk never kept, is answered when retried after a pull")
    func retriedAfterTheServerTookItUnseen() throws {
        let setup = try checkedInToday("retry-unseen")
        defer { setup.desk.remove() }
        let version = try #require(try onServer(setup)["version"] as? Int)
        // To the server, another desk pushing the same request under the same id is this desk's
        // first push whose answer it never kept (stopped in between): an operation names no desk.
        let other = try Desk("retry-unseen-other")
        defer { other.remove() }
        let connected = try other.connect(setup.server)
        try #require(connected.status == 0, "connect: \(connected.stderr)")
        let undo = UUID().uuidString.lowercased()
        let first = try other.run("undo-check-in", setup.confirmation, "--reason", "Wrong guest", "--request-id", undo, "--json")
        try #require(first.status == 0, "first push: \(first.stderr)")
        let pulled = try setup.desk.run("sync", "--json")
        try #require(pulled.status == 0, "sync: \(pulled.stderr)")
        #expect(try onDesk(setup)?["status"] as? String == "Confirmed", "the pull brought the undone check-in")

        let retried = try setup.desk.run("undo-check-in", setup.confirmation, "--reason", "Wrong guest", "--request-id", undo, "--json")
        #expect(retried.status == 0, "the retry gets the first answer, not a refusal as not checked in: \(retried.stderr)")
        #expect(try retried.json["status"] as? String == "Confirmed" && retried.json["version"] as? Int == version + 1)
        #expect(try onServer(setup)["version"] as? Int == version + 1, "nothing applied twice")

        // A request id the server never took: refused as the plan refuses it, nothing changed, and
        // nothing pushed (the server only read what it had under the id).
        let neverId = UUID().uuidString.lowercased()
        let never = try setup.desk.run("undo-check-in", setup.confirmation, "--reason", "Wrong guest", "--request-id", neverId, "--json")
        #expect(never.status == 5 && never.stderr.contains("it is Confirmed"), "\(never.status) \(never.stderr)")
        #expect(try onServer(setup)["version"] as? Int == version + 1)
        let recorded = try setup.server.call("GET", "/api/hotels/\(setup.server.hotelA)/sync/\(neverId)", token: try setup.server.token("anna"))
        #expect(recorded.status == 404, "nothing recorded under the refused request's id: \(recorded.status)")

        // The first answer is kept here now: the same retry with the server stopped is answered too.
        setup.server.stop()
        let offline = try setup.desk.run("undo-check-in", setup.confirmation, "--reason", "Wrong guest", "--request-id", undo, "--json")
        #expect(offline.status == 0, "retry offline: \(offline.stderr)")
        #expect(try offline.json["version"] as? Int == version + 1)
        #expect(try setup.desk.pendingOps() == 0, "nothing queued")
    }

    @Test("A booking the server made under its request id, whose answer this desk never kept, is answered when retried after a pull")
    func bookingRetriedAfterTheServerTookItUnseen() throws {
        let server = try SyncServer()
        try server.addSpareRooms(1) // two nights free from tonight whatever the demo sold
        let desk = try Desk("book-unseen"), other = try Desk("book-unseen-other")
        defer { desk.remove(); other.remove() }
        for each in [desk, other] {
            let connected = try each.connect(server)
            try #require(connected.status == 0, "connect: \(connected.stderr)")
        }
        let search = try desk.run("search", "--nights", "2", "--json").json
        let checkIn = try #require(search["checkIn"] as? String), checkOut = try #require(search["checkOut"] as? String)
        let room = try #require((search["rooms"] as? [[String: Any]])?.first?["roomNumber"] as? String, "no room free")
        func book(_ on: Desk, guest: String = "Rita Retry", requestId: String) throws -> Outcome {
            try on.run("book", "--room", room, "--check-in", checkIn, "--check-out", checkOut, "--guests", "1", "--guest-name", guest,
                       "--email", "rita@example.com", "--payment", "desk", "--request-id", requestId, "--json")
        }
        // To the server, another desk pushing the same request under the same id is this desk's
        // first push whose answer it never kept (stopped in between): an operation names no desk.
        let requestId = UUID().uuidString.lowercased()
        let first = try book(other, requestId: requestId)
        try #require(first.status == 0, "first push: \(first.stderr)")
        let bookingId = try #require(try first.json["bookingId"] as? String)
        let code = try #require(try first.json["confirmation"] as? String)
        let pulled = try desk.run("sync", "--json")
        try #require(pulled.status == 0, "sync: \(pulled.stderr)")
        #expect(try desk.bookings().contains { $0["bookingId"] as? String == bookingId }, "the pull brought the booking")
        func onServer() throws -> Int {
            try server.bookingsOfA().filter { ["Rita Retry", "Rolf Other"].contains($0["guestName"] as? String ?? "") }.count
        }

        let retried = try book(desk, requestId: requestId)
        #expect(retried.status == 0, "the retry gets the first answer, not a refusal as room taken: \(retried.stderr)")
        #expect(try retried.json["bookingId"] as? String == bookingId && retried.json["confirmation"] as? String == code)
        #expect(try onServer() == 1, "nothing booked twice")

        // Another guest under the same id is another request: refused as the plan refuses it.
        let otherGuest = try book(desk, guest: "Rolf Other", requestId: requestId)
        #expect(otherGuest.status != 0, "another request under a used id: \(otherGuest.stdout)")
        // A new request id for the taken room: refused, nothing recorded under it.
        let newId = UUID().uuidString.lowercased()
        let taken = try book(desk, requestId: newId)
        #expect(taken.status == 4, "room taken: \(taken.status) \(taken.stderr)")
        let recorded = try server.call("GET", "/api/hotels/\(server.hotelA)/sync/\(newId)", token: try server.token("anna"))
        #expect(recorded.status == 404, "nothing pushed under the refused request's id: \(recorded.status)")
        #expect(try onServer() == 1)

        // The first answer is kept here now: the same retry with the server stopped is answered too.
        server.stop()
        let offline = try book(desk, requestId: requestId)
        #expect(offline.status == 0, "retry offline: \(offline.stderr)")
        #expect(try offline.json["bookingId"] as? String == bookingId)
        #expect(try desk.pendingOps() == 0, "nothing queued")
    }

    @Test("An edit lands on the server first online; offline it is made on the desk and pushed by frontdesk sync")
    func editOnlineAndOffline() throws {
        let setup = try checkedInToday("edit")
        defer { setup.desk.remove() }
        let version = try #require(try onServer(setup)["version"] as? Int)

        let online = try setup.desk.run("change", setup.confirmation, "--email", "ulla@example.com", "--note", "Cot please", "--json")
        #expect(online.status == 0, "online edit: \(online.stderr)")
        #expect(try online.json["sync"] as? String == "synced")
        var server = try onServer(setup)
        #expect(server["email"] as? String == "ulla@example.com" && server["version"] as? Int == version + 1)
        #expect((server["notes"] as? [[String: Any]])?.compactMap { $0["text"] as? String } == ["Cot please"])

        setup.server.stop()
        let offline = try setup.desk.run("change", setup.bookingId, "--guest-name", "Ulla Undo-Berg", "--json")
        #expect(offline.status == 0, "offline edit: \(offline.stderr)")
        #expect(try offline.json["sync"] as? String == "pending")
        #expect(try setup.desk.pendingOps() == 1)
        try setup.server.start()
        let synced = try setup.desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["accepted"] as? Int == 1)
        server = try onServer(setup)
        #expect(server["guestName"] as? String == "Ulla Undo-Berg" && server["version"] as? Int == version + 2)
        #expect(try onDesk(setup)?["guestName"] as? String == "Ulla Undo-Berg")
        #expect(try setup.desk.pendingOps() == 0)
    }
}
