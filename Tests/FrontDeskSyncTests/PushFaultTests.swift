import Foundation
import Testing

/// The server SIGKILLed in the middle of a desk's push (issue 12's faults: at least 20 times,
/// with 100 operations in flight): afterwards every operation is on the server exactly once (none
/// lost, none applied twice), no room-night is sold twice, and the desk's outbox is empty.
@Suite("The server killed mid-push", .serialized)
struct PushFaultTests {
    @Test("Twenty rounds of 100 queued operations, the server SIGKILLed at another moment of the desk's push each time")
    func serverKilledMidPush() throws {
        let server = try SyncServer()
        let desk = try Desk("server-kill")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let rooms = try desk.roomNumbers()
        try #require(rooms.count >= 12)
        var ledger = FaultLedger()
        // Round 0, no fault: how long `frontdesk sync` of 100 operations takes here; the kills of
        // the later rounds are spread from its start to past its end.
        var previous = try desk.queueRound("Srv00", daysAhead: 100, rooms: rooms, cancelling: nil, ledger: &ledger)
        let (calibration, seconds) = try timed { try desk.sync(batch: 25) }
        #expect(calibration.status == 0, "\(calibration.stderr)")
        #expect(calibration.json["pending"] as? Int == 0)
        var tally = KillTally()
        tally.note(0, "no fault: sync of 100 operations took \(Int(seconds * 1000)) ms")
        for round in 1...20 {
            let current = try desk.queueRound(String(format: "Srv%02d", round), daysAhead: 100 + round * 8, rooms: rooms,
                                              cancelling: Array(previous.booked.dropFirst(10).prefix(10)), ledger: &ledger)
            // Odd rounds push in 4 requests of 25 (a kill can land between two of them), even ones in one.
            let batch = round % 2 == 1 ? 25 : 100
            let delay = seconds * 1.2 * Double(round - 1) / 19
            let pushing = try desk.start(["sync", "--batch", String(batch)])
            usleep(useconds_t(delay * 1_000_000))
            server.kill()
            pushing.waitUntilExit()
            let left = try desk.pendingOperations()
            try server.start()
            let applied = try server.bookingsOfA(from: current.from, to: current.to)
                .filter { ($0["guestName"] as? String ?? "").hasPrefix(current.prefix) }.count
            tally.note(round, "batch \(batch), killed at \(Int(delay * 1000)) ms: the server had applied \(applied)/\(current.booked.count) bookings, "
                + "the desk had \(left) operations queued, the killed sync exited \(pushing.terminationStatus)")
            let synced = try desk.sync()
            #expect(synced.status == 0, "round \(round), sync after the kill: \(synced.stderr)")
            #expect(synced.json["pending"] as? Int == 0, "round \(round)")
            #expect(synced.json["conflicts"] as? Int == 0, "round \(round): \(synced.stderr)")
            previous = current
        }
        tally.print("The server killed mid-push")
        #expect(ledger.operations == 21 * 100)
        try expectNothingLostNorDoubled(ledger, server: server, desk: desk)
    }
}
