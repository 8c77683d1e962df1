import Foundation
import FrontDeskPayments
import GRDB
import Testing

/// A server stopped (SIGTERM) while a card payment is at the payment service waits for the answer
/// and records it: no claim is left behind for another instance to wait out its lease on.
@Suite(.serialized) struct ServerShutdownTests {
    @Test func aStoppingServerRecordsTheCardPaymentItHasUnderWay() throws {
        let simulator = try PaymentSimulator(port: 0, latency: 1.5)
        simulator.start()
        defer { simulator.stop() }
        let server = try ServerHarness(environment: ["FRONTDESK_PAYMENT_URL": "http://127.0.0.1:\(simulator.port)"])
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        var body = server.bookingBody(server.hotelA, room: room)
        body["payment"] = ["method": "card", "card": "4242 4242 4242 4242"]
        let accepted = try server.call("POST", "/api/bookings", token: anna, json: body)
        #expect(accepted.status == 202)
        let id = try #require(accepted.json["bookingId"] as? String)
        let giveUp = Date().addingTimeInterval(10)
        while simulator.chargesInFlight.isEmpty && Date() < giveUp { Thread.sleep(forTimeInterval: 0.01) }
        try #require(!simulator.chargesInFlight.isEmpty, "the charge never reached the payment service")

        #expect(server.stop() == 0)
        let (status, claimed) = try DatabaseQueue(path: server.database).read { db in
            (try String.fetchOne(db, sql: "SELECT status FROM booking WHERE lower(id) = lower(?)", arguments: [id]),
             try Int.fetchOne(db, sql: "SELECT count(*) FROM saga_message WHERE claimed_by IS NOT NULL"))
        }
        #expect(status == "Confirmed")
        #expect(claimed == 0)
    }
}
