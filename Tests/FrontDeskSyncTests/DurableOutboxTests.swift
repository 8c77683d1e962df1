import Foundation
import Testing

/// The outbox is durable: a desk process SIGKILLed at any moment of an offline booking leaves
/// either no booking or a booking with its queued operation, never half; every booking the desk
/// keeps is pushed exactly once when the server is back (a second sync pushes nothing).
@Suite("The desk's outbox survives SIGKILL", .serialized)
struct DurableOutboxTests {
    @Test("Offline bookings, the desk SIGKILLed during and after them, pushed exactly once")
    func killedDeskLosesNothing() throws {
        let server = try SyncServer()
        let desk = try Desk("killed")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        server.stop()

        // One booking that surely completed (printed), then bookings cut short at varied moments.
        let (checkIn, checkOut) = futureStay(daysAhead: 100, nights: 1)
        let rooms = try #require(try desk.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]])
        let numbers = rooms.compactMap { $0["roomNumber"] as? String }
        try #require(numbers.count >= 8)
        let completed = try desk.book(room: numbers[0], checkIn: checkIn, checkOut: checkOut, guest: "Kill Zero")
        #expect(completed.status == 0, "book: \(completed.stderr)")
        let completedId = try #require(try completed.json["bookingId"] as? String)
        for attempt in 1..<8 {
            let process = try desk.start(["book", "--room", numbers[attempt], "--check-in", checkIn, "--check-out", checkOut, "--guests", "1",
                                          "--guest-name", "Kill \(attempt)", "--email", "kill@example.com", "--payment", "desk"])
            usleep(useconds_t(attempt * 25_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // A desk process holding the database (the saga runner) SIGKILLed too.
        let runner = try desk.start(["saga", "run"])
        usleep(300_000)
        kill(runner.processIdentifier, SIGKILL)
        runner.waitUntilExit()

        let kept = try desk.bookings().filter { ($0["guestName"] as? String ?? "").hasPrefix("Kill ") }
        #expect(kept.contains { $0["bookingId"] as? String == completedId })
        #expect(kept.allSatisfy { $0["sync"] as? String == "pending" }, "\(kept)")
        let status = try desk.run("desk", "status", "--json").json
        // Each kept booking has exactly its one queued operation.
        #expect(status["pendingOps"] as? Int == kept.count)

        try server.start()
        let synced = try desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["accepted"] as? Int == kept.count)
        let again = try desk.run("sync", "--json")
        #expect(try again.json["pushed"] as? Int == 0)

        let onServer = try server.bookingsOfA().filter { ($0["guestName"] as? String ?? "").hasPrefix("Kill ") }
        #expect(onServer.count == kept.count)
        #expect(Set(onServer.compactMap { $0["bookingId"] as? String }) == Set(kept.compactMap { $0["bookingId"] as? String }))
        #expect(try desk.bookings().filter { ($0["guestName"] as? String ?? "").hasPrefix("Kill ") }.allSatisfy { $0["sync"] as? String == "synced" })
    }
}
