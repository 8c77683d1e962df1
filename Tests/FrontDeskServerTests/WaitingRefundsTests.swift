import Foundation
import FrontDeskPayments
import FrontDeskServer
import FrontDeskTestSupport
import Testing

/// A card refund due on a server with no payment service waited without a line in the log
/// (`/metrics` counted it under way; the refund is made once a service is set and the server
/// started again). The server now says them: at start, and when one becomes due, at most once a
/// minute (session 61).
@Suite(.serialized) struct WaitingRefundsTests {
    /// The lines `WaitingRefundsLog` says of counts taken every 5 s: made-up counts and times.
    @Test func refundsWaitingAreSaidAtStartAndWhenTheyGrowAtMostOnceAMinute() {
        typealias Line = WaitingRefundsLog.Line
        var log = WaitingRefundsLog()
        // Nothing due at start: nothing said, however often it is counted.
        let quiet = (0..<10).compactMap { log.counted(0, at: Double($0) * 5) }
        #expect(quiet.isEmpty, "\(quiet)")
        // A card booking cancelled: said once, not at every count while it waits.
        let first = log.counted(1, at: 50)
        #expect(first == Line(due: 1, new: 1, atStart: false))
        #expect(first?.message == "a card refund became due and no payment service is set (FRONTDESK_PAYMENT_URL): 1 waits until one is")
        let waiting = (1..<10).compactMap { log.counted(1, at: 50 + Double($0) * 5) }
        #expect(waiting.isEmpty, "\(waiting)")
        // Two more within the minute of that line: said when the minute is over, both at once.
        let within = log.counted(3, at: 100)
        let later = log.counted(3, at: 110)
        let after = log.counted(3, at: 115)
        #expect(within == nil)
        #expect(later == Line(due: 3, new: 2, atStart: false), "\(String(describing: later))")
        #expect(later?.message == "2 card refunds became due and no payment service is set (FRONTDESK_PAYMENT_URL): 3 wait until one is")
        #expect(after == nil)
        // Fewer (a cancel undone, another instance refunding) says nothing; one more after that does.
        let fewer = log.counted(2, at: 175)
        let oneMore = log.counted(3, at: 180)
        let none = log.counted(0, at: 185)
        let soon = log.counted(1, at: 190)
        let minuteOn = log.counted(1, at: 240)
        #expect(fewer == nil)
        #expect(oneMore == Line(due: 3, new: 1, atStart: false), "\(String(describing: oneMore))")
        #expect(none == nil)
        #expect(soon == nil, "within a minute of the last line")
        #expect(minuteOn == Line(due: 1, new: 1, atStart: false), "\(String(describing: minuteOn))")

        // Refunds due when the server starts: said at once, in the start's words.
        var started = WaitingRefundsLog()
        let atStart = started.counted(2, at: 1000)
        let again = started.counted(2, at: 1005)
        #expect(atStart == Line(due: 2, new: 2, atStart: true))
        #expect(atStart?.message == "2 card refunds are due and no payment service is set (FRONTDESK_PAYMENT_URL): they wait until one is")
        #expect(again == nil)
        var one = WaitingRefundsLog()
        let single = one.counted(1, at: 0)
        #expect(single?.message == "1 card refund is due and no payment service is set (FRONTDESK_PAYMENT_URL): they wait until one is")
    }

    /// The real server: two card bookings charged through the simulator, then the server started
    /// again without a payment service; a cancel's refund is said once (a warning, structured, no
    /// card number); started again, the two
    /// refunds waiting are said at start.
    @Test func aServerWithoutAPaymentServiceSaysTheCardRefundsThatWait() throws {
        let simulator = try PaymentSimulator(port: 0)
        simulator.start()
        defer { simulator.stop() }
        let server = try ServerHarness(environment: ["FRONTDESK_PAYMENT_URL": "http://127.0.0.1:\(simulator.port)"])
        let anna = try server.token("anna")
        let rooms = try server.freeRooms(server.hotelA, token: anna)
        try #require(rooms.count >= 2)
        var ids: [String] = []
        for room in rooms.prefix(2) {
            var body = server.bookingBody(server.hotelA, room: room)
            body["payment"] = ["method": "card", "card": "4242 4242 4242 4242"]
            let booked = try server.call("POST", "/api/bookings", token: anna, json: body)
            let id = try #require(booked.json["bookingId"] as? String, "\(booked.status)")
            #expect(try server.settled(id, token: anna)["status"] as? String == "Confirmed")
            ids.append(id)
        }

        // No payment service now (set empty: whatever the tests' own environment holds).
        server.stop()
        server.environment = ["FRONTDESK_PAYMENT_URL": ""]
        let log = server.folder.appendingPathComponent("server.log")
        server.errorLog = log
        try server.start()
        func said() throws -> [Substring] {
            try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.contains("no payment service is set") }
        }
        func waitForLine(_ seconds: TimeInterval) throws -> [Substring] {
            let giveUp = Date().addingTimeInterval(seconds)
            var lines = try said()
            while lines.isEmpty && Date() < giveUp {
                Thread.sleep(forTimeInterval: 0.1)
                lines = try said()
            }
            return lines
        }
        let cancelled = try server.call("POST", "/api/bookings/\(ids[0])/cancel", token: anna)
        #expect(cancelled.status == 200, "\(cancelled.status)")
        let lines = try waitForLine(20)
        #expect(lines.count == 1, "\(lines)")
        let line = String(lines.first ?? "")
        #expect(line.contains(" warning frontdesk-server: ") && line.contains("FRONTDESK_PAYMENT_URL") && line.contains("refunds_due=1"), "\(line)")
        #expect(line.contains("a card refund became due") || line.contains("1 card refund is due"), "\(line)")
        #expect(!line.contains("4242"), "\(line)")
        // A second refund (that one within the minute is not said again is the unit test's above).
        #expect(try server.call("POST", "/api/bookings/\(ids[1])/cancel", token: anna).status == 200)

        // Started again, still without one: the two waiting are said at start.
        server.stop()
        try server.start()
        let atStart = try waitForLine(20)
        #expect(atStart.count == 1 && atStart.first?.contains(
            "2 card refunds are due and no payment service is set (FRONTDESK_PAYMENT_URL): they wait until one is") == true
            && atStart.first?.contains("refunds_due=2") == true, "\(atStart)")
    }
}
