import Foundation
import FrontDeskDomain
import FrontDeskStore
import Testing

/// A desk SIGKILLed in the middle of its first replica (issue 12, session 11). The replica is
/// taken in one transaction, so what the kill leaves is either no replica at all (not connected,
/// no booking of the hotel) or the whole of it, never a part that looks complete; `desk connect`
/// run again takes it whole.
@Suite("A desk killed mid-replica", .serialized)
struct ReplicaKillTests {
    /// The desk's file as another process sees it: whether it is a replica, and its bookings.
    static func replica(_ desk: Desk) throws -> (connected: Bool, bookings: Int) {
        guard FileManager.default.fileExists(atPath: desk.database) else { return (false, 0) }
        let store = try FrontDeskStore(path: desk.database, access: .read)
        defer { try? store.close() }
        return (try store.replicaStatus() != nil, try store.findBookings(BookingFilter(limit: 1)).total)
    }

    /// `frontdesk desk connect` started with the password on its standard input.
    static func startConnect(_ desk: Desk, _ server: SyncServer) throws -> Process {
        let process = Process()
        process.executableURL = Products.folder.appendingPathComponent("frontdesk")
        process.arguments = ["desk", "connect", "--server", server.url, "--hotel", server.hotelA, "--username", "anna", "--password-stdin"]
        process.environment = desk.environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        input.fileHandleForWriting.write(Data("password-of-anna\n".utf8))
        try input.fileHandleForWriting.close()
        return process
    }

    @Test("`frontdesk desk connect` SIGKILLed at eight moments of a first replica of three pages")
    func killedMidReplica() throws {
        // 60 rooms over 360 days: some 4,700 bookings a hotel (the demo's count moves with the
        // day it is made on: 300 days gave 4,000 one day and 3,968 another), three replica pages.
        let server = try SyncServer(rooms: 60, days: 360)
        let calibration = try Desk("replica-calibration")
        defer { calibration.remove() }
        let (outcome, seconds) = try timed { try calibration.connect(server) }
        #expect(outcome.status == 0, "connect: \(outcome.stderr)")
        let whole = try Self.replica(calibration)
        #expect(whole.connected && whole.bookings > 2 * SyncWire.pageSize, "the hotel: \(whole)")

        var tally = KillTally()
        for round in 1...8 {
            let desk = try Desk("replica-kill-\(round)")
            defer { desk.remove() }
            let delay = seconds * Double(round) / 9
            let connecting = try Self.startConnect(desk, server)
            usleep(useconds_t(delay * 1_000_000))
            if connecting.isRunning { kill(connecting.processIdentifier, SIGKILL) }
            connecting.waitUntilExit()
            let killed = connecting.terminationReason == .uncaughtSignal
            let left = try Self.replica(desk)
            tally.note(round, "\(killed ? "killed" : "not killed (it had ended)") at \(Int(delay * 1000)) ms of \(Int(seconds * 1000)): "
                       + (left.connected ? "a replica of \(left.bookings) bookings" : "no replica, \(left.bookings) bookings"))
            // Never a part of the hotel: nothing, or all of it.
            #expect(left.connected ? left.bookings == whole.bookings : left.bookings == 0, "round \(round): \(left)")

            let again = try desk.connect(server)
            #expect(again.status == 0, "round \(round), connecting again: \(again.stderr)")
            let after = try Self.replica(desk)
            #expect(after.connected && after.bookings == whole.bookings, "round \(round), after connecting again: \(after)")
        }
        tally.print("A desk killed mid-replica")
    }
}
