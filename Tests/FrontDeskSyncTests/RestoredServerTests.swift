import Foundation
import FrontDeskDomain
import Testing

/// A server put back to an older copy of its file (a restore from a backup) has lost what desks
/// booked since. A desk that connects to it again sends those bookings again, and one whose room
/// the server sold meanwhile is a conflict with rooms free instead; it never keeps them marked
/// synced beside the server's booking of the same room and nights.
@Suite("A server restored from an older copy", .serialized)
struct RestoredServerTests {
    /// Copies the server's database (with its log, if any) from `from` to `to`.
    static func copyDatabase(_ from: String, to: String) throws {
        let files = FileManager.default
        for suffix in ["", "-wal", "-shm"] {
            try? files.removeItem(atPath: to + suffix)
            if files.fileExists(atPath: from + suffix) { try files.copyItem(atPath: from + suffix, toPath: to + suffix) }
        }
    }

    /// The operator's backup of the server's file, taken with the server stopped (it is started
    /// again); returns where it is.
    static func backUp(_ server: SyncServer) throws -> String {
        server.stop()
        let backup = server.folder.appendingPathComponent("backup.sqlite").path
        try copyDatabase(server.database, to: backup)
        try server.start()
        return backup
    }

    /// The server put back to `backup` (stopped, copied over, started).
    static func restore(_ server: SyncServer, from backup: String) throws {
        server.stop()
        try copyDatabase(backup, to: server.database)
        try server.start()
    }

    @Test("Bookings the restored server lost are sent again; one whose room it sold is a conflict with rooms suggested")
    func lostBookingsAreSentAgain() throws {
        let server = try SyncServer()
        try server.addSpareRooms(2)
        let desk = try Desk("restored")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)

        // The operator's backup, taken before the desk's bookings.
        let backup = try Self.backUp(server)

        let (checkIn, checkOut) = futureStay(daysAhead: 70)
        let soldAgain = try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Ada Lost")
        let resent = try desk.book(room: "S2", checkIn: checkIn, checkOut: checkOut, guest: "Bo Lost")
        let soldAgainCode = try #require(try soldAgain.json["confirmation"] as? String, "book: \(soldAgain.stderr)")
        let resentCode = try #require(try resent.json["confirmation"] as? String, "book: \(resent.stderr)")
        #expect(try soldAgain.json["sync"] as? String == "synced")
        #expect(try server.bookingsOfA().contains { $0["confirmation"] as? String == resentCode })
        // A stay cancelled since: lost too, kept on the desk only, and said so.
        let (laterIn, laterOut) = futureStay(daysAhead: 90)
        let cancelled = try desk.book(room: "S2", checkIn: laterIn, checkOut: laterOut, guest: "Cleo Cancelled")
        let cancelledCode = try #require(try cancelled.json["confirmation"] as? String, "book: \(cancelled.stderr)")
        #expect(try desk.run("cancel", cancelledCode).status == 0)

        // Restored: the server has neither booking, and sells S1 for the same nights.
        try Self.restore(server, from: backup)
        #expect(try !server.bookingsOfA().contains { $0["confirmation"] as? String == resentCode })
        try server.sell(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Cy Server")

        // The desk's sync says what happened to the server, in words, and what to do.
        let refused = try desk.run("sync")
        #expect(refused.status == 8)
        #expect(refused.stderr.contains("fewer changes than this desk took") && refused.stderr.contains("desk connect"),
                "stderr: \(refused.stderr)")

        let connected = try desk.connect(server)
        #expect(connected.status == 0, "connect: \(connected.stderr)")
        #expect(connected.stdout.contains("no longer had 3 bookings") && connected.stdout.contains(soldAgainCode)
                    && connected.stdout.contains(resentCode) && connected.stdout.contains(cancelledCode), "connect: \(connected.stdout)")
        let audit = try desk.run("audit").stdout
        #expect(audit.contains("over, cancelled or never confirmed, kept on this desk only") && audit.contains(cancelledCode), "\(audit)")
        #expect(audit.contains("queued for the server as paid at the desk") && audit.contains(resentCode), "\(audit)")

        // The booking whose room the server sold is a conflict, with rooms free instead.
        let conflicts = try desk.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
        #expect(conflicts.count == 1)
        #expect(conflicts.first?["confirmation"] as? String == soldAgainCode, "conflicts: \(conflicts)")
        let suggested = conflicts.first?["suggestedRooms"] as? [[String: Any]] ?? []
        #expect(!suggested.isEmpty && !suggested.contains { $0["roomNumber"] as? String == "S1" }, "suggested: \(suggested)")

        // The other goes to the server again on the next sync, and all agree.
        let synced = try desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["accepted"] as? Int == 1)
        #expect(try server.bookingsOfA().contains { $0["confirmation"] as? String == resentCode && $0["status"] as? String == "Confirmed" })
        let onDesk = try desk.bookings()
        #expect(onDesk.first { $0["confirmation"] as? String == resentCode }?["sync"] as? String == "synced")
        // Never two bookings of S1's nights both taken as the server's.
        let firmInS1 = onDesk.filter {
            $0["roomNumber"] as? String == "S1" && $0["checkIn"] as? String == checkIn && $0["sync"] as? String == "synced"
                && $0["status"] as? String == "Confirmed"
        }
        #expect(firmInS1.count == 1 && firmInS1.first?["guestName"] as? String == "Cy Server", "S1: \(firmInS1)")
    }

    @Test("Changes the restored server lost leave the desk's bookings as the server has them, each named, never marked synced as they were")
    func lostChangesAreTakenAsTheServerHasThem() throws {
        let server = try SyncServer()
        try server.addSpareRooms(2)
        let desk = try Desk("lost-changes")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let (checkIn, checkOut) = futureStay(daysAhead: 60)
        let (laterIn, laterOut) = futureStay(daysAhead: 80)
        let cancelled = try #require(try desk.book(room: "S1", checkIn: laterIn, checkOut: laterOut, guest: "Ida Cancelled").json["confirmation"] as? String)
        let lengthened = try #require(try desk.book(room: "S2", checkIn: checkIn, checkOut: checkOut, guest: "Lea Longer").json["confirmation"] as? String)

        // The operator's backup, then two changes the server accepts.
        let backup = try Self.backUp(server)
        let longerOut = CalendarDate(iso: checkOut)!.adding(days: 1).iso
        #expect(try desk.run("cancel", cancelled).status == 0)
        let changed = try desk.run("change", lengthened, "--check-out", longerOut)
        #expect(changed.status == 0, "change: \(changed.stderr)")

        // Restored: the server has both bookings as they were, and sells the night added to S2.
        try Self.restore(server, from: backup)
        try server.sell(room: "S2", checkIn: checkOut, checkOut: longerOut, guest: "Cy Server")

        let connected = try desk.connect(server)
        #expect(connected.status == 0, "connect: \(connected.stderr)")
        #expect(connected.stdout.contains("The server had lost changes to 2 bookings") && connected.stdout.contains(cancelled)
                    && connected.stdout.contains(lengthened) && connected.stdout.contains("do not collect or repay its money twice"),
                "connect: \(connected.stdout)")
        // As the server has them: the cancelled guest is arriving again (room S1 taken), the
        // lengthened stay ends where it did, and its last night is the server's other guest's.
        let onDesk = try desk.bookings()
        let again = onDesk.first { $0["confirmation"] as? String == cancelled }
        #expect(again?["status"] as? String == "Confirmed" && again?["sync"] as? String == "synced", "\(String(describing: again))")
        #expect(onDesk.first { $0["confirmation"] as? String == lengthened }?["checkOut"] as? String == checkOut)
        #expect(onDesk.contains { $0["guestName"] as? String == "Cy Server" && $0["roomNumber"] as? String == "S2" })
        let free = try desk.run("search", "--check-in", checkOut, "--check-out", longerOut, "--json").json["rooms"] as? [[String: Any]] ?? []
        #expect(!free.isEmpty && !free.contains { $0["roomNumber"] as? String == "S2" }, "S2 is the server's other guest's that night: \(free)")
        let history = try desk.run("audit").stdout
        #expect(history.contains("The server lost a change to booking \(cancelled)") && history.contains("this desk had it Cancelled"),
                "\(history)")
    }

    @Test("A lost booking sent again by two desks is put back once; the second desk takes it as the server has it, no conflict")
    func aLostBookingSentAgainByTwoDesksIsNoConflict() throws {
        let server = try SyncServer()
        try server.addSpareRooms(3)
        let maker = try Desk("lost-maker"), other = try Desk("lost-other")
        defer { maker.remove(); other.remove() }
        #expect(try maker.connect(server).status == 0)
        #expect(try other.connect(server).status == 0)
        let backup = try Self.backUp(server)
        let (checkIn, checkOut) = futureStay(daysAhead: 75)
        let code = try #require(try maker.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Pia Twice").json["confirmation"] as? String)
        #expect(try other.run("sync").status == 0, "the other desk holds it too")

        try Self.restore(server, from: backup)
        // Both desks send it again; the maker's arrives first, and is moved on the server since.
        #expect(try maker.connect(server).stdout.contains(code))
        #expect(try other.connect(server).stdout.contains(code))
        #expect(try maker.run("sync", "--json").json["accepted"] as? Int == 1)
        #expect(try maker.run("move", code, "--room", "S2").status == 0)
        let second = try other.run("sync", "--json")
        #expect(second.status == 0, "sync: \(second.stderr)")
        #expect(try second.json["conflicts"] as? Int == 0 && second.json["accepted"] as? Int == 1, "\(second.stdout)")
        #expect((try other.run("conflicts", "--json").json["conflicts"] as? [Any])?.isEmpty == true)
        let held = try other.bookings().first { $0["confirmation"] as? String == code }
        #expect(held?["roomNumber"] as? String == "S2" && held?["sync"] as? String == "synced", "as the server has it: \(String(describing: held))")
        #expect(try server.bookingsOfA().filter { $0["confirmation"] as? String == code }.count == 1)
    }
}
