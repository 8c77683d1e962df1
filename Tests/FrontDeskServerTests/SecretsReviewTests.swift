import Foundation
import FrontDeskPayments
import FrontDeskTestSupport
import GRDB
import Testing

/// What a review of secrets in what operators see found (session 54).
@Suite struct SecretsReviewTests {
    /// A card number typed into a guest's name, phone or a note by mistake (a receptionist's slip,
    /// a channel's field mix-up) is never given back whole: the API gave it back whole (session
    /// 54). A name or phone holding one is refused, naming the field (it was stored and shown
    /// masked ever after, the name lost: session 58); a note keeps it masked in every answer.
    @Test func aCardNumberTypedIntoAGuestsDetailsIsRefusedOrMasked() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        var body = server.bookingBody(server.hotelA, room: room, name: "Visa4242424242424242")
        body["phone"] = "4000 0000 0000 0119"
        let refused = try server.call("POST", "/api/bookings", token: anna, json: body)
        let refusal = String(decoding: refused.body, as: UTF8.self)
        #expect(refused.status == 400 && refused.code == "validation_failed", "\(refused.status)")
        #expect(refusal.contains("Guest name looks like a card number"), "\(refusal)")
        #expect(!refusal.contains("4242424242424242") && !refusal.contains("0000 0000 0119"), "\(refusal)")

        // A phone is kept (a real one may pass the card rule) and masked in every answer.
        body = server.bookingBody(server.hotelA, room: room, name: "Vera Visa")
        body["phone"] = "4000 0000 0000 0119"
        let made = try server.call("POST", "/api/bookings", token: anna, json: body)
        #expect(made.status == 202)
        let id = try #require(made.json["bookingId"] as? String)
        _ = try server.settled(id, token: anna)
        let renamed = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["guestName": "4242 4242 4242 4242"])
        #expect(renamed.status == 400 && !String(decoding: renamed.body, as: UTF8.self).contains("4242 4242 4242 4242"))
        let noted = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "paid with 5555 5555 5555 4444"])
        #expect(noted.status == 200)
        let one = try server.call("GET", "/api/bookings/\(id)", token: anna)
        let list = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=Vera", token: anna)
        for (name, answer) in [("noted", noted), ("one", one), ("list", list)] {
            let text = String(decoding: answer.body, as: UTF8.self)
            #expect(!text.contains("5555 4444") && text.contains("paid with •••• 4444") && text.contains("Vera Visa"), "\(name): \(text)")
            #expect(!text.contains("0000 0000 0119") && text.contains("•••• 0119"), "\(name): \(text)")
        }
    }

    /// A password typed into the name field by mistake is counted as a failed login under a
    /// keyed hash of the name: the database kept it in clear (lowercased) for half an hour.
    @Test func aPasswordTypedAsTheUserNameIsNotKeptInClear() throws {
        let server = try ServerHarness()
        let answer = try server.call("POST", "/api/auth/token", json: ["username": "Sup3r-Secret-Pa55word!", "password": "anna"])
        #expect(answer.status == 401)
        let keys = try DatabaseQueue(path: server.database).read { db in try String.fetchAll(db, sql: "SELECT key FROM login_failure") }
        #expect(keys.count == 2, "the name and the address are counted: \(keys)")
        #expect(!keys.contains { $0.lowercased().contains("sup3r-secret-pa55word") }, "\(keys)")
    }

    /// Card calls the payment service answers 500 for keep the circuit closed (they may have
    /// charged), and `/metrics` said all was well: it now counts the calls without an outcome.
    @Test func metricsCountPaymentCallsWithoutAnOutcome() throws {
        let simulator = try PaymentSimulator(port: 0)
        simulator.start()
        defer { simulator.stop() }
        let server = try ServerHarness(environment: ["FRONTDESK_PAYMENT_URL": "http://127.0.0.1:\(simulator.port)"])
        // The log said nothing either: an operator tailing it saw every card fail only when the
        // holds lapsed (a review, session 58).
        let log = server.folder.appendingPathComponent("server.log")
        server.stop()
        server.errorLog = log
        try server.start()
        func unanswered() throws -> String? {
            let text = String(decoding: try server.call("GET", "/metrics").body, as: UTF8.self)
            return text.split(separator: "\n").first { $0.hasPrefix("frontdesk_payment_calls_without_outcome ") }.map(String.init)
        }
        #expect(try unanswered() == "frontdesk_payment_calls_without_outcome 0")
        let anna = try server.token("anna")
        var body = server.bookingBody(server.hotelA, room: try server.freeRoom(server.hotelA, token: anna))
        body["payment"] = ["method": "card", "card": PaymentSimulator.errorCard]
        let booked = try server.call("POST", "/api/bookings", token: anna, json: body)
        #expect(booked.status == 202)
        let bookingId = try #require(booked.json["bookingId"] as? String ?? booked.json["id"] as? String)
        let giveUp = Date().addingTimeInterval(15)
        var line = try unanswered()
        while line == "frontdesk_payment_calls_without_outcome 0" && Date() < giveUp {
            Thread.sleep(forTimeInterval: 0.1)
            line = try unanswered()
        }
        let count = line.flatMap { $0.split(separator: " ").last }.flatMap { Int($0) }
        #expect((count ?? 0) >= 1, "\(line ?? "absent")")
        let text = String(decoding: try server.call("GET", "/metrics").body, as: UTF8.self)
        #expect(text.contains("frontdesk_payment_circuit_state 0"), "a 500 does not open the circuit")
        server.stop()
        let warnings = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("payment service") && $0.contains("without an outcome") }
        #expect(warnings.contains { $0.contains("warning") && $0.contains(bookingId) && $0.contains("asked again under its key") },
                "\(warnings)")
        #expect(!warnings.contains { $0.contains(PaymentSimulator.errorCard) })
    }
}
