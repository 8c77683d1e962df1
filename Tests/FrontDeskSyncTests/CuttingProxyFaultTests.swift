import Foundation
import Testing

/// A TCP proxy between the desk and the server cuts connections in the middle of the server's
/// answer to a push (issue 12's faults: at least 20 times, with 100 operations in flight): the
/// server applied the push, the desk saw a broken answer. Afterwards nothing is lost, nothing is
/// applied twice, no room-night is sold twice, and no conflict is invented.
@Suite("A proxy cuts the push's answer", .serialized)
struct CuttingProxyFaultTests {
    @Test("Twenty rounds: an online booking and a push of 100 queued operations, each answer cut by the proxy")
    func answersCutMidResponse() throws {
        let server = try SyncServer()
        let proxy = try CuttingProxy(to: server.port)
        defer { proxy.stop() }
        let desk = try Desk("proxy-cut")
        defer { desk.remove() }
        // The desk knows the server only through the proxy.
        let connected = try desk.run("desk", "connect", "--server", proxy.url, "--hotel", server.hotelA, "--username", "anna",
                                     "--password-stdin", input: "password-of-anna\n")
        #expect(connected.status == 0, "\(connected.stderr)")
        let rooms = try desk.roomNumbers()
        try #require(rooms.count >= 12)
        var ledger = FaultLedger()
        var previous = try desk.queueRound("Cut00", daysAhead: 500, rooms: rooms, cancelling: nil, ledger: &ledger)
        let first = try desk.sync()
        #expect(first.status == 0 && first.json["pending"] as? Int == 0, "\(first.stderr)")
        var tally = KillTally()
        for round in 1...20 {
            let cut = CuttingProxy.Cut.allCases[round % 4]
            let reset = round % 3 == 0
            let daysAhead = 500 + round * 8
            // 99 operations queued offline, and one booking made online whose answer is cut: the
            // server has it, the desk does not know and queues it (the 100th operation).
            let current = try desk.queueRound(String(format: "Cut%02d", round), daysAhead: daysAhead, rooms: rooms,
                                              cancelling: Array(previous.booked.dropFirst(10).prefix(10)),
                                              bookings: FaultRound.bookings - 1, ledger: &ledger)
            let index = FaultRound.bookings - 1
            let (checkIn, checkOut) = futureStay(daysAhead: daysAhead + index / rooms.count, nights: 1)
            let name = "\(current.prefix)Online \(round)"
            let cutsBefore = proxy.cuts
            proxy.arm(cut, reset: reset)
            let online = try desk.book(room: rooms[index % rooms.count], checkIn: checkIn, checkOut: checkOut, guest: name)
            proxy.disarm()
            #expect(online.status == 0, "round \(round), the online booking: \(online.stderr)")
            let onlineId = try #require(try online.json["bookingId"] as? String)
            ledger.rounds[ledger.rounds.count - 1].booked.append(onlineId)
            ledger.names[onlineId] = name
            ledger.status[onlineId] = "Confirmed"
            let onlineSync = (try? online.json["sync"] as? String) ?? "?"
            let onlineCut = proxy.cuts > cutsBefore

            // The push of the 100, one of its answers cut.
            let batch = (round / 4) % 2 == 0 ? 100 : 25
            let skip = batch == 100 ? 0 : (round / 2) % 4
            proxy.arm(cut, reset: reset, skip: skip)
            let broken = try desk.sync(batch: batch)
            proxy.disarm()
            let pushCut = proxy.cuts > cutsBefore + (onlineCut ? 1 : 0)
            #expect(pushCut, "round \(round): the proxy cut no push")
            #expect(broken.status == 8, "round \(round): a sync whose answer was cut: \(broken.status) \(broken.stderr)")
            let left = broken.json["pending"] as? Int ?? -1
            tally.note(round, "cut \(cut.rawValue)\(reset ? " (RST)" : ""): online booking \(onlineCut ? "cut" : "not cut"), \(onlineSync) on the desk; "
                + "push in batches of \(batch), push \(skip + 1) cut, \(left) operations left queued")

            let synced = try desk.sync()
            #expect(synced.status == 0, "round \(round), sync after the cut: \(synced.stderr)")
            #expect(synced.json["pending"] as? Int == 0, "round \(round)")
            #expect(synced.json["conflicts"] as? Int == 0, "round \(round): \(synced.stderr)")
            previous = ledger.rounds[ledger.rounds.count - 1]
        }
        tally.print("A proxy cuts the push's answer")
        #expect(ledger.operations == 21 * 100)
        try expectNothingLostNorDoubled(ledger, server: server, desk: desk)
    }
}
