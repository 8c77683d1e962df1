import Foundation
import Testing

/// The server SIGKILLed in the middle of a desk's push, repeatedly: afterwards every operation is
/// on the server exactly once (none lost, none applied twice) and the desk's outbox is empty.
@Suite("The server killed mid-push", .serialized)
struct PushFaultTests {
    @Test("Three rounds: a queue of offline bookings, the server SIGKILLed while the desk pushes it")
    func serverKilledMidPush() throws {
        let server = try SyncServer()
        let desk = try Desk("faults")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let (probeIn, probeOut) = futureStay(daysAhead: 200, nights: 1)
        let rooms = try #require(try desk.run("search", "--check-in", probeIn, "--check-out", probeOut, "--json").json["rooms"] as? [[String: Any]])
            .compactMap { $0["roomNumber"] as? String }
        try #require(rooms.count >= 4)
        var made: [String] = []
        for round in 0..<3 {
            server.stop()
            for index in 0..<12 {
                let (checkIn, checkOut) = futureStay(daysAhead: 130 + round * 10 + index / rooms.count, nights: 1)
                let booked = try desk.book(room: rooms[index % rooms.count], checkIn: checkIn, checkOut: checkOut, guest: "Fault \(round)-\(index)")
                #expect(booked.status == 0, "book: \(booked.stderr)")
                made.append(try #require(try booked.json["bookingId"] as? String))
            }
            try server.start()
            let pushing = try desk.start(["sync"])
            usleep(useconds_t(20_000 + round * 40_000))
            server.kill()
            pushing.waitUntilExit()
            try server.start()
            let synced = try desk.run("sync", "--json")
            #expect(synced.status == 0, "sync after the kill: \(synced.stderr)")
            #expect(try synced.json["pending"] as? Int == 0)
        }
        let onServer = try server.bookingsOfA().filter { ($0["guestName"] as? String ?? "").hasPrefix("Fault ") }
        let ids = onServer.compactMap { $0["bookingId"] as? String }
        #expect(ids.count == made.count, "on the server: \(ids.count) of \(made.count)")
        #expect(Set(ids) == Set(made))
        #expect(onServer.allSatisfy { $0["status"] as? String == "Confirmed" })
        let onDesk = try desk.bookings().filter { ($0["guestName"] as? String ?? "").hasPrefix("Fault ") }
        #expect(onDesk.count == made.count)
        #expect(onDesk.allSatisfy { $0["sync"] as? String == "synced" })
        #expect((try desk.run("conflicts", "--json").json["conflicts"] as? [Any])?.isEmpty == true)
    }
}
