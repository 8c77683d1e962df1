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
        try runFaultRounds("The server killed mid-push", label: "Srv", deskName: "server-kill", daysAhead: 100, server: server,
                           faultName: "kill") { round in
            let pushing = try round.strikeMidPush { _ in server.kill() }
            let left = try round.desk.pendingOperations()
            try server.start()
            let applied = try round.appliedOnServer()
            return "batch \(round.batch), killed at \(Int(round.delay * 1000)) ms: the server had applied \(applied)/\(round.current.booked.count) bookings, "
                + "the desk had \(left) operations queued, the killed sync exited \(pushing.terminationStatus)"
        }
    }
}
