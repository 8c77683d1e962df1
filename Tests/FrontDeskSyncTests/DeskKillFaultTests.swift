import Foundation
import Testing

/// A desk (the real `frontdesk sync` process) SIGKILLed in the middle of its push, at least 20
/// times with 100 operations in flight (issue 12): `frontdesk sync` run again afterwards pushes
/// what is left; nothing is lost, nothing applied twice, no room-night sold twice.
@Suite("A desk killed mid-push", .serialized)
struct DeskKillFaultTests {
    @Test("Twenty rounds of 100 queued operations, `frontdesk sync` SIGKILLed at another moment of its push each time")
    func deskKilledMidPush() throws {
        let server = try SyncServer()
        let desk = try Desk("desk-kill")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let rooms = try desk.roomNumbers()
        try #require(rooms.count >= 12)
        var ledger = FaultLedger()
        var previous = try desk.queueRound("Dsk00", daysAhead: 300, rooms: rooms, cancelling: nil, ledger: &ledger)
        let (calibration, seconds) = try timed { try desk.sync(batch: 25) }
        #expect(calibration.status == 0, "\(calibration.stderr)")
        #expect(calibration.json["pending"] as? Int == 0)
        var tally = KillTally()
        tally.note(0, "no fault: sync of 100 operations took \(Int(seconds * 1000)) ms")
        for round in 1...20 {
            let current = try desk.queueRound(String(format: "Dsk%02d", round), daysAhead: 300 + round * 8, rooms: rooms,
                                              cancelling: Array(previous.booked.dropFirst(10).prefix(10)), ledger: &ledger)
            let batch = round % 2 == 1 ? 25 : 100
            let delay = seconds * 1.2 * Double(round - 1) / 19
            let pushing = try desk.start(["sync", "--batch", String(batch)])
            usleep(useconds_t(delay * 1_000_000))
            if pushing.isRunning { kill(pushing.processIdentifier, SIGKILL) }
            pushing.waitUntilExit()
            let killed = pushing.terminationReason == .uncaughtSignal
            let left = try desk.pendingOperations()
            let applied = try server.bookingsOfA(from: current.from, to: current.to)
                .filter { ($0["guestName"] as? String ?? "").hasPrefix(current.prefix) }.count
            tally.note(round, "batch \(batch), \(killed ? "killed" : "not killed (it had ended)") at \(Int(delay * 1000)) ms: "
                + "the server had applied \(applied)/\(current.booked.count) bookings, the desk had \(left) operations queued")
            let synced = try desk.sync()
            #expect(synced.status == 0, "round \(round), sync after the kill: \(synced.stderr)")
            #expect(synced.json["pending"] as? Int == 0, "round \(round)")
            #expect(synced.json["conflicts"] as? Int == 0, "round \(round): \(synced.stderr)")
            previous = current
        }
        tally.print("A desk killed mid-push")
        #expect(ledger.operations == 21 * 100)
        try expectNothingLostNorDoubled(ledger, server: server, desk: desk)
    }
}
