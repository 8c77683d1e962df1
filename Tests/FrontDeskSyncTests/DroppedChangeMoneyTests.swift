import Foundation
import FrontDeskTestSupport
import Testing

/// Keeping the server's booking over a connected desk's refused change (`conflicts resolve
/// --keep-server`) says what the dropped change had settled at the desk, for the receptionist to
/// settle back: the real `frontdesk` against a real server on 127.0.0.1.
@Suite("Money of a change dropped for the server's booking", .serialized)
struct DroppedChangeMoneyTests {
    func conflicts(_ desk: Desk) throws -> [[String: Any]] {
        try desk.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
    }

    /// A connected desk and a booking of the server's in spare room S1 (`checkIn` to `checkOut`;
    /// tonight if nil, the hotel's business date), booked online (the server ran its payment:
    /// this desk holds no saga of it).
    func serverBooking(_ name: String, checkIn: String? = nil, checkOut: String? = nil) throws
        -> (server: SyncServer, desk: Desk, code: String, bookingId: String) {
        let server = try SyncServer()
        try server.addSpareRooms(1)
        let desk = try Desk(name)
        try #require(try desk.connect(server).status == 0)
        let tonight = try desk.run("search", "--nights", "1", "--json").json
        let checkIn = try checkIn ?? #require(tonight["checkIn"] as? String)
        let checkOut = try checkOut ?? #require(tonight["checkOut"] as? String)
        let booked = try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Mia Money")
        try #require(booked.status == 0, "book: \(booked.stderr)")
        #expect(try booked.json["sync"] as? String == "synced")
        return (server, desk, try #require(try booked.json["confirmation"] as? String), try #require(try booked.json["bookingId"] as? String))
    }

    /// The server started again, `action` made there (`POST /api/bookings/{id}/action`), the desk's
    /// sync refused as a conflict, resolved with --keep-server: its outcome.
    func keepServerAfter(_ action: String, _ setup: (server: SyncServer, desk: Desk, code: String, bookingId: String)) throws -> Outcome {
        try setup.server.start()
        let made = try setup.server.call("POST", "/api/bookings/\(setup.bookingId)/\(action)", token: try setup.server.token("anna"))
        #expect(made.status == 200, "\(action): \(made.status) \(made.json)")
        #expect(try setup.desk.run("sync", "--json").json["conflicts"] as? Int == 1)
        let id = try #require(try conflicts(setup.desk).first?["conflictId"] as? String)
        let kept = try setup.desk.run("conflicts", "resolve", id, "--keep-server", "--json")
        #expect(kept.status == 0, "\(kept.stderr)")
        return kept
    }

    /// Cancelled offline on a connected desk, which said what was paid at a desk is paid back
    /// there; the guest checked in on the server meanwhile: --keep-server said nothing of it.
    @Test("A connected desk's cancel dropped for a guest checked in on the server says to collect the money again")
    func aDroppedCancelSaysToCollectAgain() throws {
        let setup = try serverBooking("money-cancel")
        defer { setup.desk.remove() }
        setup.server.stop()
        let cancelled = try setup.desk.run("cancel", setup.code)
        #expect(cancelled.status == 0 && cancelled.stderr.contains("to be paid back at the desk"), "\(cancelled.stderr)")
        // "… what was paid at a desk (110.60 EUR) is to be paid back at the desk"
        let total = try #require(cancelled.stderr.components(separatedBy: "paid at a desk (").dropFirst().first?
            .split(separator: " ").first.map(String.init), "\(cancelled.stderr)")
        let kept = try keepServerAfter("check-in", setup)
        #expect(try kept.json["status"] as? String == "CheckedIn")
        #expect(kept.stderr.contains("Recorded: ") && kept.stderr.contains("said \(total) was to be paid back at the desk, and the server's booking stands: if it was paid back, collect \(total) again at the desk"),
                "\(kept.stderr)")
    }

    /// Lengthened offline (the desk collected the extra night), cancelled on the server
    /// meanwhile: the server's cancel pays back its own total, and the extra night was lost.
    @Test("A lengthening dropped for a booking cancelled on the server says to repay what it collected")
    func aDroppedLengtheningOfACancelledBookingSaysToRepay() throws {
        let (checkIn, checkOut) = futureStay(daysAhead: 40, nights: 2)
        let (_, longer) = futureStay(daysAhead: 40, nights: 3)
        let setup = try serverBooking("money-lengthen", checkIn: checkIn, checkOut: checkOut)
        defer { setup.desk.remove() }
        setup.server.stop()
        let lengthened = try setup.desk.run("change", setup.code, "--check-out", longer)
        #expect(lengthened.status == 0, "\(lengthened.stderr)")
        let changeWords = lengthened.stdout + lengthened.stderr
        let collected = try #require(changeWords.components(separatedBy: "collect ").dropFirst().first?.split(separator: " ").first.map(String.init),
                                     "\(changeWords)")
        let kept = try keepServerAfter("cancel", setup)
        #expect(try kept.json["status"] as? String == "Cancelled")
        #expect(kept.stderr.contains("Recorded: ") && kept.stderr.contains("repay \(collected) at the desk"), "\(kept.stderr)")
    }
}

extension DroppedChangeMoneyTests {
    /// Booked and lengthened offline (the desk collected the extra night), the room sold on the
    /// server for that night meanwhile: the booking is accepted, the lengthening refused, and
    /// keeping the server's booking says to repay the night (the pull had written the server's
    /// copy over the desk's, and the money was dropped without a word).
    @Test("A lengthening refused after its offline booking was accepted says to repay what it collected")
    func aLengtheningOfAnOfflineBookingRefusedSaysToRepay() throws {
        let server = try SyncServer()
        try server.addSpareRooms(1)
        let desk = try Desk("money-offline")
        defer { desk.remove() }
        try #require(try desk.connect(server).status == 0)
        let (checkIn, checkOut) = futureStay(daysAhead: 45, nights: 2)
        let (_, longer) = futureStay(daysAhead: 45, nights: 3)
        server.stop()
        let booked = try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Olli Offline")
        let code = try #require(try booked.json["confirmation"] as? String, "book: \(booked.stderr)")
        let lengthened = try desk.run("change", code, "--check-out", longer)
        #expect(lengthened.status == 0, "\(lengthened.stderr)")
        let changeWords = lengthened.stdout + lengthened.stderr
        let collected = try #require(changeWords.components(separatedBy: "collect ").dropFirst().first?.split(separator: " ").first.map(String.init),
                                     "\(changeWords)")
        try server.start()
        // The night the lengthening adds is sold on the server meanwhile.
        try server.sell(room: "S1", checkIn: checkOut, checkOut: longer, guest: "Nora Night")
        let synced = try desk.run("sync", "--json").json
        #expect(synced["accepted"] as? Int == 1 && synced["conflicts"] as? Int == 1, "\(synced)")
        let id = try #require(try conflicts(desk).first?["conflictId"] as? String)
        let kept = try desk.run("conflicts", "resolve", id, "--keep-server", "--json")
        #expect(kept.status == 0, "\(kept.stderr)")
        #expect(try kept.json["checkOut"] as? String == checkOut)
        #expect(kept.stderr.contains("Recorded: ") && kept.stderr.contains("repay \(collected) at the desk"), "\(kept.stderr)")
    }
}
