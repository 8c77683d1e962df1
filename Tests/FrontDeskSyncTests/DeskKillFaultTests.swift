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
        try runFaultRounds("A desk killed mid-push", label: "Dsk", deskName: "desk-kill", daysAhead: 300, server: server,
                           faultName: "kill") { round in
            let pushing = try round.strikeMidPush { pushing in
                if pushing.isRunning { kill(pushing.processIdentifier, SIGKILL) }
            }
            let killed = pushing.terminationReason == .uncaughtSignal
            let left = try round.desk.pendingOperations()
            let applied = try round.appliedOnServer()
            return "batch \(round.batch), \(killed ? "killed" : "not killed (it had ended)") at \(Int(round.delay * 1000)) ms: "
                + "the server had applied \(applied)/\(round.current.booked.count) bookings, the desk had \(left) operations queued"
        }
    }
}
