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
        // 99 operations queued offline, and one booking made online whose answer is cut: the
        // server has it, the desk does not know and queues it (the 100th operation).
        try runFaultRounds("A proxy cuts the push's answer", label: "Cut", deskName: "proxy-cut", daysAhead: 500, server: server,
                           connect: { desk in
                               // The desk knows the server only through the proxy.
                               let connected = try desk.run("desk", "connect", "--server", proxy.url, "--hotel", server.hotelA, "--username", "anna",
                                                            "--password-stdin", input: "password-of-anna\n")
                               #expect(connected.status == 0, "\(connected.stderr)")
                           },
                           queued: FaultRound.bookings - 1, calibrationBatch: nil, faultName: "cut") { round in
            let cut = CuttingProxy.Cut.allCases[round.number % 4]
            let reset = round.number % 3 == 0
            let index = FaultRound.bookings - 1
            let (checkIn, checkOut) = futureStay(daysAhead: round.daysAhead + index / round.rooms.count, nights: 1)
            let name = "\(round.current.prefix)Online \(round.number)"
            let cutsBefore = proxy.cuts
            proxy.arm(cut, reset: reset)
            let online = try round.desk.book(room: round.rooms[index % round.rooms.count], checkIn: checkIn, checkOut: checkOut, guest: name)
            proxy.disarm()
            #expect(online.status == 0, "round \(round.number), the online booking: \(online.stderr)")
            let onlineId = try #require(try online.json["bookingId"] as? String)
            round.ledger.rounds[round.ledger.rounds.count - 1].booked.append(onlineId)
            round.ledger.names[onlineId] = name
            round.ledger.status[onlineId] = "Confirmed"
            let onlineSync = (try? online.json["sync"] as? String) ?? "?"
            let onlineCut = proxy.cuts > cutsBefore

            // The push of the 100, one of its answers cut.
            let batch = (round.number / 4) % 2 == 0 ? 100 : 25
            let skip = batch == 100 ? 0 : (round.number / 2) % 4
            proxy.arm(cut, reset: reset, skip: skip)
            let broken = try round.desk.sync(batch: batch)
            proxy.disarm()
            let pushCut = proxy.cuts > cutsBefore + (onlineCut ? 1 : 0)
            #expect(pushCut, "round \(round.number): the proxy cut no push")
            #expect(broken.status == 8, "round \(round.number): a sync whose answer was cut: \(broken.status) \(broken.stderr)")
            let left = broken.json["pending"] as? Int ?? -1
            return "cut \(cut.rawValue)\(reset ? " (RST)" : ""): online booking \(onlineCut ? "cut" : "not cut"), \(onlineSync) on the desk; "
                + "push in batches of \(batch), push \(skip + 1) cut, \(left) operations left queued"
        }
    }
}
