import Foundation
import FrontDeskDomain
import FrontDeskServer
import GRDB
import Synchronization
import Testing

/// The real server over HTTP on 127.0.0.1.
@Suite(.serialized) struct BookingAPITests {
    @Test func healthReadinessAndTheFirstLine() throws {
        let server = try ServerHarness()
        #expect(try server.call("GET", "/health").json["status"] as? String == "ok")
        #expect(try server.call("GET", "/ready").status == 200)
        let unknown = try server.call("GET", "/api/nothing-here")
        #expect(unknown.status == 404)
        #expect(unknown.header("Content-Type") == "application/problem+json")
        #expect(unknown.code == "not_found")
    }

    @Test func aDeskBookingIsAcceptedConfirmedAndAReplayGivesTheSameBooking() throws {
        // A payment service (nothing listens there): the card request below meets the key check.
        let server = try ServerHarness(environment: ["FRONTDESK_PAYMENT_URL": "http://127.0.0.1:9"])
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        let body = server.bookingBody(server.hotelA, room: room)
        let first = try server.call("POST", "/api/bookings", token: anna, json: body, headers: ["Idempotency-Key": "order-1"])
        #expect(first.status == 202)
        // Paid at the desk: held, paid and confirmed in its group's one transaction.
        #expect(first.json["status"] as? String == "Confirmed")
        let id = try #require(first.json["bookingId"] as? String)
        #expect(first.header("Location") == "/api/bookings/\(id)")
        #expect(first.json["hotelId"] as? String == server.hotelA)
        #expect(first.json["roomId"] as? String == room)

        let settled = try server.settled(id, token: anna)
        #expect(settled["status"] as? String == "Confirmed")
        // The room is no longer offered for those nights.
        #expect(try !server.freeRooms(server.hotelA, token: anna).contains(room))

        let replay = try server.call("POST", "/api/bookings", token: anna, json: body, headers: ["Idempotency-Key": "order-1"])
        #expect(replay.json["bookingId"] as? String == id)
        var other = body
        other["guestName"] = "Somebody Else"
        let reused = try server.call("POST", "/api/bookings", token: anna, json: other, headers: ["Idempotency-Key": "order-1"])
        #expect(reused.status == 409)
        #expect(reused.code == "conflict")
        let taken = try server.call("POST", "/api/bookings", token: anna, json: other)
        #expect(taken.status == 409)
        #expect(taken.code == "room_unavailable")
        // The payment is part of what a retry must repeat: the same key paying by card is refused.
        var byCard = body
        byCard["payment"] = ["method": "card", "card": "4242 4242 4242 4242"]
        let otherPayment = try server.call("POST", "/api/bookings", token: anna, json: byCard, headers: ["Idempotency-Key": "order-1"])
        #expect(otherPayment.status == 409)
        #expect(otherPayment.code == "conflict")
    }

    /// Issue 14 through the server: edit and extend (PATCH), move, no-show and undo, with If-Match
    /// (stale: 412) and Idempotency-Key (a retry changes nothing).
    @Test func aBookingIsChangedMovedAndRefusedLikeOnTheCommandLine() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        let created = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room))
        let id = try #require(created.json["bookingId"] as? String)
        let settled = try server.settled(id, token: anna)
        let version = try #require(settled["version"] as? Int)

        let edit: [String: Any] = ["guestName": "Ann Leigh", "note": "Late arrival", "checkOut": Ahead.night(3)]
        let edited = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: edit,
                                     headers: ["If-Match": "\"\(version)\"", "Idempotency-Key": "edit-1"])
        #expect(edited.status == 200, "\(String(decoding: edited.body, as: UTF8.self))")
        #expect(edited.json["guestName"] as? String == "Ann Leigh")
        #expect(edited.json["nights"] as? Int == 3)
        #expect((edited.json["notes"] as? [[String: Any]])?.first?["text"] as? String == "Late arrival")
        #expect(edited.header("ETag") == "\"\(version + 1)\"")
        let replay = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: edit,
                                     headers: ["If-Match": "\"\(version)\"", "Idempotency-Key": "edit-1"])
        #expect(replay.status == 200)
        #expect(replay.json["version"] as? Int == version + 1)
        let stale = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["guestName": "X Y"],
                                    headers: ["If-Match": "\"\(version)\""])
        #expect(stale.status == 412)
        let bad = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["email": "not-an-email"])
        #expect(bad.status == 400 || bad.status == 422)
        #expect(bad.code == "validation_failed")
        // An empty edit names the API's fields, not the command line's flags.
        let empty = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: [String: Any]())
        #expect(empty.status == 400)
        #expect(empty.code == "validation_failed")
        let emptyText = String(decoding: empty.body, as: UTF8.self)
        #expect(emptyText.contains("guestName") && !emptyText.contains("--"), "\(emptyText)")

        let other = try server.freeRoom(server.hotelA, token: anna, from: Ahead.night(0), to: Ahead.night(3))
        let moved = try server.call("POST", "/api/bookings/\(id)/move", token: anna, json: ["roomId": other, "reason": "Heater"])
        #expect(moved.status == 200, "\(String(decoding: moved.body, as: UTF8.self))")
        #expect(moved.json["roomId"] as? String == other)
        #expect(moved.json["totalPrice"] as? Double == edited.json["totalPrice"] as? Double)

        let early = try server.call("POST", "/api/bookings/\(id)/no-show", token: anna)
        #expect(early.status == 409 || early.status == 422)
        #expect(early.code == "invalid_state")
        let undo = try server.call("POST", "/api/bookings/\(id)/undo-check-in", token: anna)
        #expect(undo.code == "invalid_state")
        let feed = try server.call("GET", "/api/bookings/\(id)", token: anna)
        #expect(feed.json["roomId"] as? String == other)

        // A cancellation retried under its Idempotency-Key answers the cancelled booking (not
        // 422 "already cancelled"); the key used for another change is 409.
        let cancelled = try server.call("POST", "/api/bookings/\(id)/cancel", token: anna, headers: ["Idempotency-Key": "cancel-1"])
        #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "Cancelled")
        let retried = try server.call("POST", "/api/bookings/\(id)/cancel", token: anna, headers: ["Idempotency-Key": "cancel-1"])
        #expect(retried.status == 200, "\(String(decoding: retried.body, as: UTF8.self))")
        #expect(retried.json["version"] as? Int == cancelled.json["version"] as? Int)
        #expect(try server.call("POST", "/api/bookings/\(id)/cancel", token: anna).code == "invalid_state")
        let misused = try server.call("POST", "/api/bookings/\(id)/check-in", token: anna, headers: ["Idempotency-Key": "cancel-1"])
        #expect(misused.status == 409 && misused.code == "conflict", "\(String(decoding: misused.body, as: UTF8.self))")
    }

    /// A no-show taken back through the API (session 55): Confirmed again with its nights, then
    /// checked in; `If-Match` and `Idempotency-Key` as for every change; another hotel's token
    /// gets 404. The hotel's no-show cut-off is set to 00:00 so that an arrival of today may be
    /// marked whatever the hour the test runs.
    @Test func aNoShowIsUndoneAndTheGuestCheckedIn() throws {
        let server = try ServerHarness()
        server.stop()
        try DatabaseQueue(path: server.database).write { db in
            try db.execute(sql: "UPDATE hotel SET no_show_cutoff_hour = 0 WHERE id = ?", arguments: [server.hotelA.uppercased()])
            #expect(db.changesCount == 1)
        }
        try server.start()
        let anna = try server.token("anna"), bea = try server.token("bea")
        let hotels = try server.call("GET", "/api/hotels", token: anna).json["hotels"] as? [[String: Any]] ?? []
        let zone = try #require(TimeZone(identifier: hotels.first?["timeZone"] as? String ?? ""))
        let today = CalendarDate.today(in: zone, at: Date())
        let (from, to) = (today.iso, today.adding(days: 2).iso)
        let room = try server.freeRoom(server.hotelA, token: anna, from: from, to: to)
        let created = try server.call("POST", "/api/bookings", token: anna,
                                      json: server.bookingBody(server.hotelA, room: room, checkIn: from, checkOut: to))
        let id = try #require(created.json["bookingId"] as? String)
        #expect(try server.settled(id, token: anna)["status"] as? String == "Confirmed")
        let notYet = try server.call("POST", "/api/bookings/\(id)/undo-no-show", token: anna)
        #expect(notYet.status == 422 && notYet.code == "invalid_state", "\(String(decoding: notYet.body, as: UTF8.self))")
        let marked = try server.call("POST", "/api/bookings/\(id)/no-show", token: anna)
        #expect(marked.status == 200 && marked.json["status"] as? String == "NoShow", "\(String(decoding: marked.body, as: UTF8.self))")
        let version = try #require(marked.json["version"] as? Int)

        #expect(try server.call("POST", "/api/bookings/\(id)/undo-no-show", token: bea).status == 404, "another hotel's booking")
        let stale = try server.call("POST", "/api/bookings/\(id)/undo-no-show", token: anna, headers: ["If-Match": "\"\(version - 1)\""])
        #expect(stale.status == 412)
        let undone = try server.call("POST", "/api/bookings/\(id)/undo-no-show", token: anna, json: ["reason": "Came late"],
                                     headers: ["If-Match": "\"\(version)\"", "Idempotency-Key": "undo-no-show-1"])
        #expect(undone.status == 200, "\(String(decoding: undone.body, as: UTF8.self))")
        #expect(undone.json["status"] as? String == "Confirmed" && undone.json["statusReason"] as? String == "Came late")
        #expect(undone.header("ETag") == "\"\(version + 1)\"")
        let replay = try server.call("POST", "/api/bookings/\(id)/undo-no-show", token: anna, json: ["reason": "Came late"],
                                     headers: ["Idempotency-Key": "undo-no-show-1"])
        #expect(replay.status == 200 && replay.json["version"] as? Int == version + 1)
        #expect(try !server.freeRooms(server.hotelA, token: anna, from: today.adding(days: 1).iso, to: to).contains(room),
                "the night the no-show gave back is the guest's again")
        let arrived = try server.call("POST", "/api/bookings/\(id)/check-in", token: anna)
        #expect(arrived.status == 200 && arrived.json["status"] as? String == "CheckedIn")
    }

    @Test func twoConcurrentSubmitsWithOneKeyMakeOneBooking() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let body = try JSONSerialization.data(withJSONObject: server.bookingBody(server.hotelA, room: try server.freeRoom(server.hotelA, token: anna)))
        nonisolated(unsafe) var ids: [String?] = [nil, nil]
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            ids[index] = try? server.call("POST", "/api/bookings", token: anna, body: body, headers: ["Idempotency-Key": "double"])
                .json["bookingId"] as? String
        }
        #expect(ids[0] != nil)
        #expect(ids[0] == ids[1])
        let listed = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=Ann%20Lee", token: anna).json
        #expect(listed["total"] as? Int == 1)
    }

    @Test func anotherHotelsResourcesAreNotFoundAndMissingRightsAreForbidden() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), bea = try server.token("bea"), max = try server.token("max"), root = try server.token("root")
        let booked = try server.call("POST", "/api/bookings", token: anna,
                                     json: server.bookingBody(server.hotelA, room: try server.freeRoom(server.hotelA, token: anna)))
        let id = try #require(booked.json["bookingId"] as? String)
        let roomId = try #require(booked.json["roomId"] as? String)
        // Hotel B's receptionist sees nothing of hotel A.
        let probes: [(String, String, [String: Any]?)] = [
            ("GET", "/api/bookings/\(id)", nil),
            ("POST", "/api/bookings/\(id)/cancel", nil),
            ("POST", "/api/bookings/\(id)/check-in", nil),
            ("GET", "/api/rooms/availability?hotelId=\(server.hotelA)&checkIn=\(Ahead.night(0))&checkOut=\(Ahead.night(2))", nil),
            ("GET", "/api/bookings?hotelId=\(server.hotelA)", nil),
            ("POST", "/api/bookings", server.bookingBody(server.hotelA, room: roomId)),
        ]
        for (method, path, json) in probes {
            let answer = try server.call(method, path, token: bea, json: json)
            #expect(answer.status == 404, "\(method) \(path) gave \(answer.status)")
            #expect(answer.code == "not_found")
        }
        // A manager's routes: 403 for a receptionist of the hotel, 404 for another hotel's manager-less token, 200 for the manager.
        for path in ["/api/hotels/\(server.hotelA)/rooms", "/api/hotels/\(server.hotelA)/room-types", "/api/hotels/\(server.hotelA)/occupancy"] {
            #expect(try server.call("GET", path, token: anna).status == 403, "\(path)")
            #expect(try server.call("GET", path, token: bea).status == 404, "\(path)")
            #expect(try server.call("GET", path, token: max).status == 200, "\(path)")
            #expect(try server.call("GET", path, token: root).status == 200, "\(path)")
        }
        let hotels = try server.call("GET", "/api/hotels", token: bea).json["hotels"] as? [[String: Any]] ?? []
        #expect(hotels.map { $0["hotelId"] as? String } == [server.hotelB])
        #expect((try server.call("GET", "/api/hotels", token: root).json["hotels"] as? [[String: Any]])?.count == 2)
    }

    @Test func badTokensAreUnauthorizedWithOneAnswer() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let signer = TokenSigner(secret: Data(ServerHarness.secret.utf8))
        let expired = signer.issue(for: ("anna", "", .receptionist, UUID(uuidString: server.hotelA)), passwordHash: "", now: Date().addingTimeInterval(-9 * 3600)).token
        let forged = TokenSigner(secret: Data(String(repeating: "x", count: 40).utf8))
            .issue(for: ("anna", "", .admin, nil), passwordHash: "", now: Date()).token
        var parts = anna.split(separator: ".").map(String.init)
        parts[1] = TokenSignerTestAccess.base64URL(#"{"sub":"anna","email":"","role":"admin","iss":"frontdesk-server","aud":"frontdesk","iat":0,"exp":9999999999}"#)
        let tampered = parts.joined(separator: ".")
        let unsigned = TokenSignerTestAccess.base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + parts[1] + "."
        // Signed with this server's secret, but issued for another service or audience.
        let moment = Int(Date().timeIntervalSince1970)
        var elsewhere = TokenSigner.Claims(sub: "anna", email: "", role: "receptionist", hotel_id: server.hotelA, iss: "payments-service",
                                           aud: TokenSigner.audience, iat: moment, exp: moment + 3600)
        let otherIssuer = signer.sign(elsewhere)
        (elsewhere.iss, elsewhere.aud) = (TokenSigner.issuer, "frontdesk-admin")
        let otherAudience = signer.sign(elsewhere)
        for token in [expired, forged, tampered, unsigned, otherIssuer, otherAudience, "not-a-token"] {
            let answer = try server.call("GET", "/api/hotels", token: token)
            #expect(answer.status == 401)
            #expect(answer.code == "unauthorized")
        }
        #expect(try server.call("GET", "/api/hotels").status == 401)

        let wrongPassword = try server.call("POST", "/api/auth/token", json: ["username": "anna", "password": "wrong-password"])
        let unknownUser = try server.call("POST", "/api/auth/token", json: ["username": "nobody", "password": "wrong-password"])
        #expect(wrongPassword.status == 401 && unknownUser.status == 401)
        #expect(wrongPassword.json["detail"] as? String == unknownUser.json["detail"] as? String)
    }

    /// The token is checked before anything else of a request is read: a caller without one gets
    /// 401 whatever the rest says, and a role that may not do a thing gets 403 before its body or
    /// path is looked at.
    @Test func theTokenAndTheRoleComeBeforeTheRestOfTheRequest() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        for (method, path) in [("GET", "/api/rooms/availability"), ("GET", "/api/hotels/not-a-hotel/rooms"),
                               ("PATCH", "/api/rooms/not-a-room"), ("GET", "/api/hotels/not-a-hotel/changes")] {
            let answer = try server.call(method, path, body: method == "GET" ? nil : Data("{not json".utf8))
            #expect(answer.status == 401, "\(method) \(path): \(answer.status)")
        }
        let room = try server.freeRoom(server.hotelA, token: anna)
        let receptionist = try server.call("PATCH", "/api/rooms/\(room)", token: anna, body: Data("{not json".utf8))
        #expect(receptionist.status == 403, "\(receptionist.status)")
        let otherHotel = try server.call("PATCH", "/api/rooms/\(room)", token: try server.token("bea"), body: Data("{not json".utf8))
        #expect(otherHotel.status == 404, "another hotel's staff do not see the room: \(otherHotel.status)")
        #expect(try server.call("GET", "/api/rooms/availability", token: anna).status == 400)
    }

    /// A card number is checked as the CLI checks it (12 to 19 digits, spaces and dashes dropped),
    /// and a server with no payment service, which could never charge a card, refuses a good one:
    /// each at once, before anything is held, not left to lapse.
    @Test func aCardIsCheckedAsTheCommandLineChecksItAndRefusedWithNoPaymentService() throws {
        // Empty is none, whatever the machine's environment says.
        let server = try ServerHarness(environment: ["FRONTDESK_PAYMENT_URL": ""])
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        var body = server.bookingBody(server.hotelA, room: room)
        body["payment"] = ["method": "card", "card": "1234"]
        let mistyped = try server.call("POST", "/api/bookings", token: anna, json: body)
        #expect(mistyped.status == 400)
        #expect(mistyped.code == "validation_failed")
        let text = String(decoding: mistyped.body, as: UTF8.self)
        #expect(text.contains("Card number must have 12 to 19 digits") && text.contains("payment.card"), "\(text)")
        #expect(try server.freeRooms(server.hotelA, token: anna).contains(room), "nothing held")

        body["payment"] = ["method": "card", "card": "4242 4242 4242 4242"]
        let refused = try server.call("POST", "/api/bookings", token: anna, json: body)
        #expect(refused.status == 422)
        #expect((refused.json["detail"] as? String)?.contains("no payment service") == true, "\(refused.json)")
        #expect(try server.freeRooms(server.hotelA, token: anna).contains(room), "nothing held")
        body["payment"] = ["method": "desk"]
        #expect(try server.call("POST", "/api/bookings", token: anna, json: body).status == 202)
    }

    @Test func repeatedFailedLoginsAreSlowedDown() throws {
        let server = try ServerHarness()
        var statuses: [Int] = []
        for _ in 0..<7 {
            statuses.append(try server.call("POST", "/api/auth/token", json: ["username": "max", "password": "guess"]).status)
        }
        #expect(statuses.prefix(5).allSatisfy { $0 == 401 })
        let limited = try server.call("POST", "/api/auth/token", json: ["username": "max", "password": "password-of-max"])
        #expect(limited.status == 429)
        #expect(limited.code == "rate_limited")
        #expect(limited.header("Retry-After").flatMap(Int.init) ?? 0 >= 1)
    }

    /// Guesses sent side by side are counted as if sent one by one: no more than the free
    /// failures are checked against the password (each guess's failure was counted only after
    /// its slow check, and a dozen parallel guesses all passed the check before any was counted).
    @Test func parallelGuessesGetNoMoreThanTheFreeFailures() throws {
        let server = try ServerHarness()
        let added = try ServerHarness.run(["users", "add", "slow", "--role", "receptionist", "--hotel", server.hotelA, "--password-stdin",
                                           "--password-rounds", "300000"], database: server.database, input: "password-of-slow\n")
        try #require(added.status == 0, "\(added.output)")
        let statuses = Mutex<[Int]>([])
        let done = DispatchGroup()
        for index in 0..<20 {
            done.enter()
            Thread.detachNewThread {
                let status = (try? server.call("POST", "/api/auth/token", json: ["username": "slow", "password": "guess-\(index)"]).status) ?? -1
                statuses.withLock { $0.append(status) }
                done.leave()
            }
        }
        done.wait()
        let all = statuses.withLock { $0 }
        #expect(all.count == 20 && all.allSatisfy { $0 == 401 || $0 == 429 }, "\(all)")
        #expect(all.filter { $0 == 401 }.count <= 5, "\(all.sorted())")
    }

    @Test func theErrorTableOverHTTP() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        // 400: every broken rule, with its field.
        var broken = server.bookingBody(server.hotelA, room: room, checkIn: "2026-13-01", checkOut: "yesterday")
        broken["email"] = "not-an-address"
        let invalid = try server.call("POST", "/api/bookings", token: anna, json: broken)
        #expect(invalid.status == 400)
        #expect(invalid.code == "validation_failed")
        let fields = (invalid.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(fields.contains("checkIn") && fields.contains("email"), "\(fields)")
        #expect(try server.call("POST", "/api/bookings", token: anna, body: Data("{".utf8)).status == 400)
        // A list's query parameters are named as such (there is no body), every one at once, and
        // a range that ends before it begins is refused, as `bookings --to` is.
        let badList = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&limit=0&from=2026-12-08&to=2026-12-07&guest="
                                          + String(repeating: "x", count: 201), token: anna)
        let listFields = (badList.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(badList.status == 400 && Set(listFields) == ["limit", "to", "guest"], "\(listFields)")
        // So are the occupancy report's, a range that ends before it begins under `to`.
        for (query, field) in [("from=2026-13-01", "from"), ("to=soon", "to"), ("from=2026-12-08&to=2026-12-07", "to"),
                               ("from=2026-12-08&to=2046-12-07", "to")] {
            let bad = try server.call("GET", "/api/hotels/\(server.hotelA)/occupancy?\(query)", token: try server.token("max"))
            let badFields = (bad.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
            #expect(bad.status == 400 && badFields == [field], "\(query): \(badFields)")
        }
        // A guest count of 19 digits: 400 in words, and the server still answers (it once
        // overflowed reading it and stopped, for every hotel).
        var hugeGuests = server.bookingBody(server.hotelA, room: room)
        hugeGuests["guests"] = "GUESTS"
        let hugeGuestsBody = String(decoding: try JSONSerialization.data(withJSONObject: hugeGuests), as: UTF8.self)
            .replacingOccurrences(of: "\"GUESTS\"", with: "9999999999999999999")
        let refusedGuests = try server.call("POST", "/api/bookings", token: anna, body: Data(hugeGuestsBody.utf8))
        #expect(refusedGuests.status == 400 && refusedGuests.code == "validation_failed", "\(refusedGuests.status)")
        #expect(try server.call("GET", "/health").status == 200)
        // 413
        let huge = Data(("{\"guestName\":\"" + String(repeating: "a", count: 70_000) + "\"}").utf8)
        let tooLarge = try server.call("POST", "/api/bookings", token: anna, body: huge)
        #expect(tooLarge.status == 413)
        #expect(tooLarge.code == "payload_too_large")
        // 412 and 422
        let booked = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room))
        let id = try #require(booked.json["bookingId"] as? String)
        _ = try server.settled(id, token: anna)
        let current = try server.call("GET", "/api/bookings/\(id)", token: anna)
        let etag = try #require(current.header("ETag"))
        let stale = try server.call("POST", "/api/bookings/\(id)/check-in", token: anna, headers: ["If-Match": "\"1\""])
        #expect(stale.status == 412)
        #expect(stale.code == "precondition_failed")
        let checkedIn = try server.call("POST", "/api/bookings/\(id)/check-in", token: anna, headers: ["If-Match": etag])
        // Check-in is allowed on the arrival day only; the demo's arrival is in the future.
        #expect([200, 422].contains(checkedIn.status))
        let cancelAfter = try server.call("POST", "/api/bookings/\(id)/\(checkedIn.status == 200 ? "cancel" : "check-out")", token: anna)
        #expect(cancelAfter.status == 422)
        #expect(cancelAfter.code == "invalid_state")
        // Nothing internal leaks.
        for answer in [invalid, tooLarge, stale, cancelAfter] {
            let text = String(decoding: answer.body, as: UTF8.self)
            #expect(!text.contains("SELECT") && !text.contains("/tmp/") && !text.contains(".swift"))
            #expect(answer.header("X-Request-Id") != nil)
        }
    }
}

/// The base64url of the token format, for forging tokens in tests.
enum TokenSignerTestAccess {
    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

@Suite struct ServerCommandTests {
    /// `hotels configure` (session 55): a server hotel's hold minutes and no-show rules, which its
    /// connected desks follow and no longer change themselves; they were fixed at the defaults.
    /// The replica a desk takes carries them. On SQLite here, on PostgreSQL in PostgresServerTests.
    static func configureAHotelAndSeeItInTheReplica(_ server: ServerHarness) throws {
        let anna = try server.token("anna")
        let done = try ServerHarness.run(["hotels", "configure", "--hotel", server.hotelA, "--no-show-cutoff", "20:00",
                                          "--no-show-fee", "none", "--hold-minutes", "20", "--name", " Seehotel Zoë ", "--json"],
                                         database: server.database)
        #expect(done.status == 0, "\(done.output)")
        let answer = try JSONSerialization.jsonObject(with: Data(done.output.utf8)) as? [String: Any]
        #expect(answer?["noShowCutoff"] as? String == "20:00" && answer?["noShowFee"] as? String == "none"
                && answer?["holdMinutes"] as? Int == 20 && answer?["name"] as? String == "Seehotel Zoë", "\(done.output)")
        let replica = try server.call("GET", "/api/hotels/\(server.hotelA)/replica", token: anna)
        let hotel = replica.json["hotel"] as? [String: Any]
        #expect(hotel?["noShowCutoffHour"] as? Int == 20 && hotel?["noShowFee"] as? String == "none" && hotel?["holdMinutes"] as? Int == 20
                && hotel?["name"] as? String == "Seehotel Zoë", "\(String(decoding: replica.body, as: UTF8.self).prefix(400))")

        // The API: the hotel's manager changes the same settings; the list shows them.
        let max = try server.token("max")
        let patched = try server.call("PATCH", "/api/hotels/\(server.hotelA)", token: max, json: ["noShowCutoff": "21:00", "name": "Seehotel"])
        #expect(patched.status == 200 && patched.json["noShowCutoff"] as? String == "21:00" && patched.json["name"] as? String == "Seehotel"
                && patched.json["holdMinutes"] as? Int == 20 && patched.json["noShowFee"] as? String == "none", "\(patched.json)")
        let listed = (try server.call("GET", "/api/hotels", token: anna).json["hotels"] as? [[String: Any]])?.first
        #expect(listed?["name"] as? String == "Seehotel" && listed?["noShowCutoff"] as? String == "21:00" && listed?["holdMinutes"] as? Int == 20,
                "\(listed ?? [:])")
        #expect(try server.call("PATCH", "/api/hotels/\(server.hotelA)", token: anna, json: ["holdMinutes": 30]).status == 403)
        #expect(try server.call("PATCH", "/api/hotels/\(server.hotelA)", token: try server.token("bea"), json: ["holdMinutes": 30]).status == 404)
        let bad = try server.call("PATCH", "/api/hotels/\(server.hotelA)", token: max,
                                  json: ["holdMinutes": 0, "noShowCutoff": "2am", "noShowFee": "half", "name": " "])
        #expect(bad.status == 400)
        let fields = ((bad.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
        #expect(fields.sorted() == ["holdMinutes", "name", "noShowCutoff", "noShowFee"], "\(bad.json)")
        let fraction = try server.call("PATCH", "/api/hotels/\(server.hotelA)", token: max, json: ["holdMinutes": 1.5])
        #expect(((fraction.json["errors"] as? [[String: Any]])?.first?["field"] as? String) == "holdMinutes", "\(fraction.json)")
        let kept = try server.call("PATCH", "/api/hotels/\(server.hotelA)", token: max, json: [:])
        #expect(kept.status == 200 && kept.json["noShowCutoff"] as? String == "21:00", "a bad body changed nothing")
        let other = try server.call("GET", "/api/hotels/\(server.hotelB)/replica", token: try server.token("bea")).json["hotel"] as? [String: Any]
        #expect(other?["noShowCutoffHour"] as? Int == 18 && other?["holdMinutes"] as? Int == 15, "the other hotel keeps its own")

        let night = try ServerHarness.run(["hotels", "configure", "--hotel", server.hotelA, "--no-show-cutoff", "02:00"],
                                          database: server.database)
        #expect(night.status == 2 && night.output.contains("from 06:00 to 23:00"), "\(night.output)")
        let unknown = try ServerHarness.run(["hotels", "configure", "--hotel", UUID().uuidString, "--hold-minutes", "20"],
                                            database: server.database)
        #expect(unknown.status == 3, "\(unknown.output)")
        let nothing = try ServerHarness.run(["hotels", "configure", "--hotel", server.hotelA], database: server.database)
        #expect(nothing.status == 2 && nothing.output.contains("Nothing to change"), "\(nothing.output)")
    }

    @Test func hotelsConfigureChangesAHotelsSettingsForItsDesks() throws {
        try Self.configureAHotelAndSeeItInTheReplica(try ServerHarness())
    }

    @Test func versionAndAMissingSecretAreClear() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("server-cmd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        let version = try ServerHarness.run(["--version"], database: database)
        #expect(version.output.hasPrefix("frontdesk-server \(FrontDeskVersion.current) (database schema"))
        var environment = ProcessInfo.processInfo.environment
        environment["FRONTDESK_JWT_SECRET"] = nil
        let process = Process()
        process.executableURL = ServerHarness.productsFolder().appendingPathComponent("frontdesk-server")
        process.arguments = ["serve", "--db", database, "--port", "0"]
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0)
        #expect(message.contains("FRONTDESK_JWT_SECRET") && message.contains("--jwt-secret-file"))
    }

    /// An operator's slips with the database: a missing file names this program's commands (not
    /// the desk's), and a demo seed run twice says so instead of a UNIQUE error.
    @Test func aMissingFileAndADemoRunTwiceAreSaidInWords() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("server-demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try ServerHarness.run(["users", "list"], database: folder.appendingPathComponent("none.sqlite").path)
        #expect(missing.status != 0)
        #expect(missing.output.contains("`frontdesk-server demo`") && !missing.output.contains("frontdesk hotel create"), "\(missing.output)")

        let database = folder.appendingPathComponent("s.sqlite").path
        let first = try ServerHarness.run(["demo", "--hotels", "1", "--rooms", "4", "--days", "10"], database: database)
        #expect(first.status == 0, "\(first.output)")
        let again = try ServerHarness.run(["demo", "--hotels", "1", "--rooms", "4", "--days", "10"], database: database)
        #expect(again.status != 0)
        #expect(again.output.contains("is in this database already") && again.output.contains("--seed"), "\(again.output)")
        #expect(!again.output.contains("UNIQUE"))
        let other = try ServerHarness.run(["demo", "--hotels", "1", "--rooms", "4", "--days", "10", "--seed", "7"], database: database)
        #expect(other.status == 0, "\(other.output)")
        // Seeds 6 and 7 (7 is here): refused before seed 6's hotel is added.
        let overlapping = try ServerHarness.run(["demo", "--hotels", "2", "--rooms", "4", "--days", "10", "--seed", "6"], database: database)
        #expect(overlapping.status != 0 && overlapping.output.contains("seed 7") && overlapping.output.contains("nothing was added"),
                "\(overlapping.output)")
        let listed = try ServerHarness.run(["hotels", "list", "--json"], database: database).output
        #expect(listed.components(separatedBy: "\"hotelId\"").count - 1 == 2, "\(listed)")
        // Each demo hotel is named apart (all were "Hotel Aurora").
        #expect(listed.contains("\"Hotel Aurora\"") && listed.contains("\"Hotel Aurora 7\""), "\(listed)")
    }

    /// A lane count or gather size the operator mistyped stops `serve` before it listens, naming
    /// the variable and its range, rather than running quietly with the default.
    @Test(arguments: [("FRONTDESK_BOOKING_LANES", "1 to 16", ["0", "17", "three", "2.5"]),
                      ("FRONTDESK_BOOKING_GATHER", "1 to 64", ["0", "65", "five", "-3"])])
    func aBadBookingLaneSettingIsRefusedAtStart(variable: String, range: String, values: [String]) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("server-lanes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("s.sqlite").path
        for bad in values {
            let served = try ServerHarness.run(["serve", "--db", database, "--dev", "--port", "0"], environment: [variable: bad])
            #expect(served.status != 0, "\(variable)=\(bad)")
            #expect(served.output.contains(variable) && served.output.contains(range), "\(served.output)")
            #expect(!served.output.contains("listening on"))
        }
    }
}

@Suite(.serialized) struct LiveEventTests {
    @Test func aBookingIsHeardByItsHotelOnlyAndAReconnectGetsWhatItMissed() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), bea = try server.token("bea")
        let own = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna)
        let other = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelB)/events", token: bea)
        own.wait { $0.contains(": listening") }
        other.wait { $0.contains(": listening") }
        let booked = try server.call("POST", "/api/bookings", token: anna,
                                     json: server.bookingBody(server.hotelA, room: try server.freeRoom(server.hotelA, token: anna)))
        let id = try #require(booked.json["bookingId"] as? String)
        let raw = own.wait { $0.contains("event: BookingConfirmed") }
        let heard = own.events
        #expect(heard.map(\.name) == ["RoomAvailabilityChanged", "BookingConfirmed"], "\(raw)")
        #expect(heard.allSatisfy { $0.data.contains(id) })
        #expect(heard.map(\.id) == heard.map(\.id).sorted() && Set(heard.map(\.id)).count == heard.count)
        other.wait(seconds: 0.5) { _ in false }
        #expect(other.events.isEmpty, "hotel B heard \(other.events)")

        // Missed while away: a cancellation, replayed after the last id it had.
        let lastId = try #require(heard.last?.id)
        #expect(try server.call("POST", "/api/bookings/\(id)/cancel", token: anna).status == 200)
        let again = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna, lastEventId: String(lastId))
        again.wait { $0.contains("event: RoomAvailabilityChanged") && $0.contains("event: BookingCancelled") }
        #expect(again.events.map(\.name) == ["BookingCancelled", "RoomAvailabilityChanged"], "\(again.events)")
        #expect(again.events.first?.id == lastId + 1)
        // Another hotel's token may not listen.
        let refused = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: bea)
        #expect(refused.wait { $0.contains("\r\n\r\n") }.hasPrefix("HTTP/1.1 404"))
        // An id the feed does not cover (ahead of it: a restored file) is 410, never a silent wait.
        let ahead = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna,
                                    lastEventId: String(lastId + 1_000_000))
        let answer = ahead.wait { $0.contains("replica_too_old") }
        #expect(answer.hasPrefix("HTTP/1.1 410") && answer.contains("replica_too_old"), "\(answer)")
        #expect(answer.contains("listen without Last-Event-ID"), "an event stream's words, not a desk's: \(answer)")
        // An empty Last-Event-ID is none (a client with no id yet): the stream opens from now.
        let empty = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna, lastEventId: "")
        #expect(empty.wait { $0.contains(": listening") }.hasPrefix("HTTP/1.1 200"))
    }

    /// One token holds at most 8 streams open on a hotel: a ninth is 429 with Retry-After (300
    /// idle streams of one token took a core before), while the streams open still hear a booking
    /// at once and another token is not held back.
    @Test func aTokenHoldsAFewStreamsAndTheyAllHearABooking() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), bea = try server.token("bea")
        let path = "/api/hotels/\(server.hotelA)/events"
        let open = try (0..<8).map { _ in try EventStream(port: server.port, path: path, token: anna) }
        for stream in open { #expect(stream.wait { $0.contains(": listening") }.contains(": listening")) }
        let ninth = try EventStream(port: server.port, path: path, token: anna)
        let refused = ninth.wait { $0.contains("rate_limited") }
        #expect(refused.hasPrefix("HTTP/1.1 429") && refused.lowercased().contains("retry-after"), "\(refused)")
        let other = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelB)/events", token: bea)
        #expect(other.wait { $0.contains(": listening") }.contains(": listening"))

        let booked = try server.call("POST", "/api/bookings", token: anna,
                                     json: server.bookingBody(server.hotelA, room: try server.freeRoom(server.hotelA, token: anna)))
        #expect(booked.status == 202)
        for stream in open {
            let text = stream.wait { $0.contains("event: BookingConfirmed") }
            #expect(text.contains("event: BookingConfirmed"), "\(text)")
        }
        other.wait(seconds: 0.5) { _ in false }
        #expect(other.events.isEmpty, "hotel B heard \(other.events)")
    }

    /// The streams of a client that went away free their places within the 15 s the 429 says:
    /// keep-alives every 7 s (the first write after a client left usually succeeds, the second
    /// fails). With one every 15 s a browser reconnecting after a network blip met 429 for up to
    /// 30 s, and an EventSource takes a 429 as the end.
    @Test func theStreamsOfAClientThatWentAwayFreeTheirPlacesWithinFifteenSeconds() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let path = "/api/hotels/\(server.hotelA)/events"
        var open: [EventStream]? = try (0..<8).map { _ in try EventStream(port: server.port, path: path, token: anna) }
        for stream in open ?? [] { #expect(stream.wait { $0.contains(": listening") }.contains(": listening")) }
        open = nil // each socket closed: the client went away
        let left = Date()
        var answer = ""
        while Date().timeIntervalSince(left) < 30 {
            let again = try EventStream(port: server.port, path: path, token: anna)
            answer = again.wait(seconds: 2) { $0.contains(": listening") || $0.contains("rate_limited") }
            if answer.contains(": listening") { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        let waited = Date().timeIntervalSince(left)
        #expect(answer.contains(": listening") && waited < 20, "after \(waited) s: \(answer)")
    }

    @Test func metricsCountRequestsAndShowSagasAndTheCircuit() throws {
        let server = try ServerHarness()
        _ = try server.call("GET", "/health")
        _ = try server.call("GET", "/api/hotels")
        let metrics = try server.call("GET", "/metrics")
        #expect(metrics.status == 200)
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains(#"frontdesk_http_requests_total{route="/health",method="GET",status="200"} 1"#), "\(text)")
        #expect(text.contains(#"frontdesk_http_requests_total{route="/api/hotels",method="GET",status="401"} 1"#))
        #expect(text.contains(#"frontdesk_http_request_duration_seconds_bucket{route="/health",le="+Inf"} 1"#))
        #expect(text.contains(#"frontdesk_sagas{state="under_way"} 0"#))
        #expect(text.contains("# TYPE frontdesk_payment_circuit_state gauge"))
    }
}

/// The document is the contract: the server serves it, it matches the file in the repository,
/// and every path and method in it is a route of the server.
@Suite struct OpenAPIDocumentTests {
    static var repositoryDocument: String {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("openapi.yaml")
        return (try? String(contentsOf: file, encoding: .utf8)) ?? ""
    }

    /// `(method, path)` of every operation, read from the document's `paths:` block.
    static func operations(in document: String) -> [(String, String)] {
        var operations: [(String, String)] = []
        var path: String?
        var inPaths = false
        for line in document.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == "paths:" { inPaths = true; continue }
            if inPaths && !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            for method in ["get", "post", "patch", "put", "delete"] where line == "    \(method):" {
                if let path { operations.append((method.uppercased(), path)) }
            }
        }
        return operations
    }

    @Test func theServedDocumentIsTheRepositorysFile() throws {
        #expect(!Self.repositoryDocument.isEmpty)
        #expect(BookingServer.openAPIDocument == Self.repositoryDocument,
                "openapi.yaml changed: run scripts/generate-openapi-source")
        let server = try ServerHarness()
        let served = try server.call("GET", "/openapi.yaml")
        #expect(served.status == 200)
        #expect(String(decoding: served.body, as: UTF8.self) == Self.repositoryDocument)
    }

    @Test func everyDocumentedOperationIsARouteOfTheServer() throws {
        let operations = Self.operations(in: Self.repositoryDocument)
        #expect(operations.count >= 20, "\(operations)")
        let server = try ServerHarness()
        let unknown = "00000000-0000-4000-8000-000000000000"
        for (method, path) in operations where path != "/api/hotels/{hotelId}/events" {
            let concrete = path.replacingOccurrences(of: #"\{[A-Za-z]+\}"#, with: unknown, options: .regularExpression)
            let answer = try server.call(method, concrete, body: method == "GET" ? nil : Data("{}".utf8))
            // Without a token every route but the public ones answers 401 before looking anything up;
            // an unrouted request would be the router's 404 (or 405 for another method).
            #expect(![404, 405].contains(answer.status) && answer.status < 500, "\(method) \(path) is not served: \(answer.status)")
        }
    }
}

@Suite(.serialized) struct ShutdownTests {
    /// SIGTERM while 50 bookings arrive at once: every booking answered 202 exists, the server
    /// ends cleanly, and the next start finishes every saga it left.
    @Test func sigtermDuringFiftyBookingsLosesNone() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), max = try server.token("max")
        let rooms = (try server.call("GET", "/api/hotels/\(server.hotelA)/rooms", token: max).json["rooms"] as? [[String: Any]] ?? [])
            .compactMap { $0["roomId"] as? String }
        #expect(rooms.count == 12)
        let bodies: [Data] = try (0..<50).map { index in
            let first = Ahead.first.adding(days: 43).adding(days: (index / rooms.count) * 3)
            return try JSONSerialization.data(withJSONObject: server.bookingBody(
                server.hotelA, room: rooms[index % rooms.count], name: "Guest \(index)",
                checkIn: first.iso, checkOut: first.adding(days: 2).iso))
        }
        nonisolated(unsafe) var answers = [ServerHarness.Answer?](repeating: nil, count: 50)
        let pid = server.process.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.05) { kill(pid, SIGTERM) }
        DispatchQueue.concurrentPerform(iterations: 50) { index in
            answers[index] = try? server.call("POST", "/api/bookings", token: anna, body: bodies[index])
        }
        server.process.waitUntilExit()
        #expect(server.process.terminationStatus == 0, "the server did not stop cleanly")
        let accepted = answers.compactMap { $0 }.filter { $0.status == 202 }.compactMap { $0.json["bookingId"] as? String }
        print("sigterm test: \(accepted.count) of 50 accepted before the server stopped")
        // Whatever was not accepted was refused or never connected, never half-done.
        #expect(answers.compactMap { $0 }.allSatisfy { [202, 503].contains($0.status) }, "\(answers.compactMap { $0?.status })")

        try server.start()
        let token = try server.token("anna")
        for id in accepted {
            let booking = try server.settled(id, token: token)
            #expect(booking["status"] as? String == "Confirmed", "\(id): \(booking["status"] ?? "none")")
        }
        let listed = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=Guest&limit=1000", token: token).json
        // Bookings made in the last instant may have committed without their answer reaching us; none is lost or doubled.
        #expect((listed["total"] as? Int ?? 0) >= accepted.count)
        #expect((listed["total"] as? Int ?? 0) <= 50)
    }
}

@Suite(.serialized) struct TokenLimitTests {
    @Test func aTokenOverItsRateIsAskedToWait() throws {
        let server = try ServerHarness(serveArguments: ["--rate-limit", "2"])
        let anna = try server.token("anna")
        var statuses: [Int] = []
        for _ in 0..<8 { statuses.append(try server.call("GET", "/api/hotels", token: anna).status) }
        #expect(statuses.prefix(4).allSatisfy { $0 == 200 }, "\(statuses)")
        #expect(statuses.contains(429), "\(statuses)")
        let limited = try server.call("GET", "/api/hotels", token: anna)
        if limited.status == 429 {
            #expect(limited.code == "rate_limited")
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        }
        // Another token has its own allowance.
        #expect(try server.call("GET", "/api/hotels", token: try server.token("max")).status == 200)
    }

    /// An open event stream is held to the same rule as each request: once its user is disabled
    /// (or its token expires) the server ends it, and the client's reconnect is refused.
    @Test func aDisabledUsersEventStreamIsEnded() throws {
        let server = try ServerHarness(serveArguments: ["--account-recheck", "0"])
        let anna = try server.token("anna")
        let stream = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna)
        #expect(stream.wait { $0.contains("listening from event") }.contains("listening from event"))
        #expect(try ServerHarness.run(["users", "disable", "anna"], database: server.database).status == 0)
        let ended: (String) -> Bool = { $0.contains("\r\n0\r\n\r\n") || $0.contains("[stream ended") }
        let text = stream.wait(seconds: 5, until: ended)
        #expect(ended(text), "the stream is still open:\n\(text)")
        let again = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna)
        #expect(again.wait { $0.contains("401") }.contains("401"))
    }

    /// Two accounts whose names differ only in the case of a letter beyond ASCII ("Émile" and
    /// "émile": the database folds ASCII only) keep states of their own: the disabled one's token
    /// is refused even while the other's answer is remembered.
    @Test func accountsWhoseNamesDifferInCaseBeyondASCIIKeepStatesOfTheirOwn() throws {
        let server = try ServerHarness(serveArguments: ["--account-recheck", "600"])
        for name in ["Émile", "émile"] {
            let added = try ServerHarness.run(["users", "add", name, "--role", "receptionist", "--hotel", server.hotelA, "--password-stdin",
                                               "--password-rounds", "1000"], database: server.database, input: "password-of-\(name)\n")
            #expect(added.status == 0, "\(added.output)")
        }
        let upper = try #require(try server.call("POST", "/api/auth/token", json: ["username": "Émile", "password": "password-of-Émile"]).json["token"] as? String)
        let lower = try #require(try server.call("POST", "/api/auth/token", json: ["username": "émile", "password": "password-of-émile"]).json["token"] as? String)
        #expect(try ServerHarness.run(["users", "disable", "Émile"], database: server.database).status == 0)
        #expect(try server.call("GET", "/api/hotels", token: lower).status == 200) // remembered active for 600 s
        #expect(try server.call("GET", "/api/hotels", token: upper).status == 401) // its own state, read now
    }

    /// An operator who sets a new password (the old one was seen) ends every token issued for the
    /// old one, and the event streams they hold; a login with the new password works. A token from
    /// an older server, which names no password, lasts its 8 hours as before.
    @Test func aNewPasswordEndsTheTokensIssuedBeforeIt() throws {
        let server = try ServerHarness(serveArguments: ["--account-recheck", "0"])
        let anna = try server.token("anna")
        let moment = Int(Date().timeIntervalSince1970)
        let fromAnOlderServer = TokenSigner(secret: Data(ServerHarness.secret.utf8))
            .sign(TokenSigner.Claims(sub: "anna", email: "", role: "receptionist", hotel_id: server.hotelA,
                                     iss: TokenSigner.issuer, aud: TokenSigner.audience, iat: moment, exp: moment + 3600))
        #expect(try server.call("GET", "/api/hotels", token: anna).status == 200)
        let stream = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna)
        #expect(stream.wait { $0.contains("listening from event") }.contains("listening from event"))

        let reset = try ServerHarness.run(["users", "password", "anna", "--password-stdin", "--password-rounds", "1000"],
                                          database: server.database, input: "a-new-password-for-anna\n")
        #expect(reset.status == 0, "\(reset.output)")
        let refused = try server.call("GET", "/api/hotels", token: anna)
        #expect(refused.status == 401 && refused.code == "unauthorized")
        #expect((refused.json["detail"] as? String)?.contains("password has changed") == true, "\(refused.json)")
        let ended: (String) -> Bool = { $0.contains("\r\n0\r\n\r\n") || $0.contains("[stream ended") }
        let text = stream.wait(seconds: 5, until: ended)
        #expect(ended(text), "the stream is still open:\n\(text)")

        let fresh = try #require(try server.call("POST", "/api/auth/token", json: ["username": "anna", "password": "a-new-password-for-anna"])
            .json["token"] as? String)
        #expect(try server.call("GET", "/api/hotels", token: fresh).status == 200)
        #expect(try server.call("GET", "/api/hotels", token: fromAnOlderServer).status == 200)
        // Another user's tokens are untouched.
        #expect(try server.call("GET", "/api/hotels", token: try server.token("max")).status == 200)
    }

    /// A sign-in with the new password is not refused by an account state remembered from
    /// before it (an instance rereads the account for a token newer than what it knows), and the
    /// old token is refused from then on.
    @Test func aSignInWithTheNewPasswordWorksAtOnceWhileTheOldStateIsRemembered() throws {
        let server = try ServerHarness(serveArguments: ["--account-recheck", "600"])
        let old = try server.token("anna")
        #expect(try server.call("GET", "/api/hotels", token: old).status == 200) // remembered for 600 s
        let reset = try ServerHarness.run(["users", "password", "anna", "--password-stdin", "--password-rounds", "1000"],
                                          database: server.database, input: "a-new-password-for-anna\n")
        #expect(reset.status == 0, "\(reset.output)")
        let fresh = try #require(try server.call("POST", "/api/auth/token", json: ["username": "anna", "password": "a-new-password-for-anna"])
            .json["token"] as? String)
        #expect(try server.call("GET", "/api/hotels", token: fresh).status == 200)
        #expect(try server.call("GET", "/api/hotels", token: old).status == 401)
    }

    /// Disabling a user ends its tokens for good: enabling the account again lets it sign in, and
    /// does not bring back the tokens issued before the disable (they worked again until v17).
    @Test func enablingAUserAgainDoesNotBringBackItsOldTokens() throws {
        let server = try ServerHarness(serveArguments: ["--account-recheck", "0"])
        let old = try server.token("anna")
        #expect(try server.call("GET", "/api/hotels", token: old).status == 200)
        #expect(try ServerHarness.run(["users", "disable", "anna"], database: server.database).status == 0)
        #expect(try server.call("GET", "/api/hotels", token: old).status == 401)
        #expect(try ServerHarness.run(["users", "enable", "anna"], database: server.database).status == 0)
        let refused = try server.call("GET", "/api/hotels", token: old)
        #expect(refused.status == 401 && refused.code == "unauthorized")
        #expect((refused.json["detail"] as? String)?.contains("disabled") == true, "\(refused.json)")
        let fresh = try server.token("anna")
        #expect(try server.call("GET", "/api/hotels", token: fresh).status == 200)
        #expect(try server.call("GET", "/api/hotels", token: try server.token("max")).status == 200)
    }

    /// An instance that remembers an account as disabled reads it again for a token signed after
    /// it looked (the account was enabled since): the fresh sign-in works at once, not after the
    /// recheck's 600 s, and the token from before the disable stays refused.
    @Test func aSignInAfterAnEnableWorksAtOnceWhileTheDisabledStateIsRemembered() throws {
        let server = try ServerHarness(serveArguments: ["--account-recheck", "600"])
        let old = try server.token("anna")
        #expect(try ServerHarness.run(["users", "disable", "anna"], database: server.database).status == 0)
        #expect(try server.call("GET", "/api/hotels", token: old).status == 401) // read now, remembered disabled
        #expect(try ServerHarness.run(["users", "enable", "anna"], database: server.database).status == 0)
        let fresh = try server.token("anna")
        #expect(try server.call("GET", "/api/hotels", token: fresh).status == 200)
        #expect(try server.call("GET", "/api/hotels", token: old).status == 401)
    }

    @Test func aDisabledUsersTokenStopsWorking() throws {
        let server = try ServerHarness(serveArguments: ["--account-recheck", "0"])
        let anna = try server.token("anna")
        #expect(try server.call("GET", "/api/hotels", token: anna).status == 200)
        let disabled = try ServerHarness.run(["users", "disable", "anna"], database: server.database)
        #expect(disabled.status == 0, "\(disabled.output)")
        let refused = try server.call("GET", "/api/hotels", token: anna)
        #expect(refused.status == 401)
        #expect(try server.call("POST", "/api/auth/token", json: ["username": "anna", "password": "password-of-anna"]).status == 401)
    }
}

@Suite(.serialized) struct PropertyRouteTests {
    @Test func managersChangeRoomsOfTheirOwnHotelOnly() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), max = try server.token("max"), bea = try server.token("bea")
        // Manager of A adds a type and a room, renames it and takes it out of service.
        let type = try server.call("POST", "/api/hotels/\(server.hotelA)/room-types", token: max,
                                   json: ["name": "Loft", "capacity": 3, "basePrice": "180.00"])
        #expect(type.status == 201, "\(type.json)")
        let room = try server.call("POST", "/api/hotels/\(server.hotelA)/rooms", token: max, json: ["roomNumber": "901", "roomType": "Loft"])
        #expect(room.status == 201)
        let roomId = try #require(room.json["roomId"] as? String)
        let changed = try server.call("PATCH", "/api/rooms/\(roomId)", token: max, json: ["roomNumber": "902", "isActive": false])
        #expect(changed.status == 200)
        #expect(changed.json["roomNumber"] as? String == "902" && changed.json["isActive"] as? Bool == false)
        #expect(try server.call("POST", "/api/hotels/\(server.hotelA)/rooms", token: max, json: ["roomNumber": "902", "roomType": "Loft"]).code == "conflict")
        // A receptionist may not; another hotel's staff do not see it at all.
        #expect(try server.call("POST", "/api/hotels/\(server.hotelA)/rooms", token: anna, json: ["roomNumber": "903", "roomType": "Loft"]).status == 403)
        #expect(try server.call("PATCH", "/api/rooms/\(roomId)", token: anna, json: ["isActive": true]).status == 403)
        for (method, path, body) in [
            ("PATCH", "/api/rooms/\(roomId)", ["isActive": true] as [String: Any]),
            ("POST", "/api/hotels/\(server.hotelA)/rooms", ["roomNumber": "904", "roomType": "Loft"]),
            ("POST", "/api/hotels/\(server.hotelA)/room-types", ["name": "Suite", "capacity": 2, "basePrice": "300.00"]),
        ] {
            let answer = try server.call(method, path, token: bea, json: body)
            #expect(answer.status == 404, "\(method) \(path): \(answer.status)")
        }
        // Validation: every broken rule of a room type at once.
        let bad = try server.call("POST", "/api/hotels/\(server.hotelA)/room-types", token: max, json: ["name": "", "capacity": 0, "basePrice": "abc"])
        #expect(bad.status == 400)
        #expect((bad.json["errors"] as? [[String: Any]])?.count ?? 0 >= 2)
    }

    /// `PATCH /api/hotels/{hotelId}/room-types/{roomTypeId}`: a manager's new rate and name; the
    /// booking made keeps its price; fewer beds than its guests is refused; only the hotel's own
    /// managers may.
    @Test func managersChangeARoomTypeAndBookingsKeepTheirPrices() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), max = try server.token("max"), bea = try server.token("bea"), root = try server.token("root")
        let type = try server.call("POST", "/api/hotels/\(server.hotelA)/room-types", token: max,
                                   json: ["name": "Loft", "capacity": 3, "basePrice": "180.00"])
        let typeId = try #require(type.json["roomTypeId"] as? String)
        let room = try server.call("POST", "/api/hotels/\(server.hotelA)/rooms", token: max, json: ["roomNumber": "901", "roomType": "Loft"])
        let roomId = try #require(room.json["roomId"] as? String)
        var body = server.bookingBody(server.hotelA, room: roomId)
        body["guests"] = 3
        let booked = try server.call("POST", "/api/bookings", token: anna, json: body)
        #expect(booked.status == 202, "\(booked.json)")
        let bookingId = try #require(booked.json["bookingId"] as? String)
        let confirmed = try server.settled(bookingId, token: anna)
        let path = "/api/hotels/\(server.hotelA)/room-types/\(typeId)"

        #expect(try server.call("PATCH", path, token: anna, json: ["basePrice": "1.00"]).status == 403)
        #expect(try server.call("PATCH", path, token: bea, json: ["basePrice": "1.00"]).status == 404)
        #expect(try server.call("PATCH", "/api/hotels/\(server.hotelB)/room-types/\(typeId)", token: root, json: ["basePrice": "1.00"]).status == 404,
                "a type is not found through another hotel, even by an admin")
        let changed = try server.call("PATCH", path, token: max, json: ["name": "Loft Suite", "basePrice": "210.00"])
        #expect(changed.status == 200, "\(changed.json)")
        #expect(changed.json["name"] as? String == "Loft Suite" && changed.json["capacity"] as? Int == 3)
        #expect(changed.json["basePrice"] as? NSNumber == NSNumber(value: 210), "\(changed.json)")
        let types = try #require(try server.call("GET", "/api/hotels/\(server.hotelA)/room-types", token: max).json["roomTypes"] as? [[String: Any]])
        #expect(types.contains { $0["roomTypeId"] as? String == typeId && $0["name"] as? String == "Loft Suite" })
        let kept = try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json
        #expect("\(kept["totalPrice"] ?? "")" == "\(confirmed["totalPrice"] ?? "-")", "the booking keeps its price")

        let fewer = try server.call("PATCH", path, token: max, json: ["capacity": 2])
        #expect(fewer.status == 422 && fewer.code == "invalid_state", "\(fewer.json)")
        #expect((fewer.json["detail"] as? String)?.contains("cannot sleep only 2") == true, "\(fewer.json)")
        let blank = try server.call("PATCH", path, token: max, json: ["name": " ", "basePrice": "free"])
        #expect(blank.status == 400)
        let fields = ((blank.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
        #expect(fields.sorted() == ["basePrice", "name"], "\(blank.json)")
        let nothing = try server.call("PATCH", path, token: max, json: [:])
        #expect(nothing.status == 200 && nothing.json["name"] as? String == "Loft Suite" && nothing.json["capacity"] as? Int == 3)
        // A misspelled field was ignored: 200, and nothing changed. It is named, and nothing changes.
        let misspelled = try server.call("PATCH", path, token: max, json: ["baseprice": "10.00", "capacity": 4])
        #expect(misspelled.status == 400 && misspelled.code == "validation_failed", "\(misspelled.json)")
        let unknown = ((misspelled.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["field"] as? String }
        #expect(unknown == ["baseprice"] && (misspelled.json["detail"] as? String)?.contains("it changes name, capacity, basePrice") == true,
                "\(misspelled.json)")
        #expect(try server.call("GET", "/api/hotels/\(server.hotelA)/room-types", token: max).json["roomTypes"]
                    .flatMap { $0 as? [[String: Any]] }?.first { $0["roomTypeId"] as? String == typeId }?["capacity"] as? Int == 3)
    }

    /// A room type is answered with its base price as a number; sent back so, it was refused
    /// ("basePrice has the wrong type"). A number is taken as its digits say (19.99 stays 19.99,
    /// never a Double's 19.989999…), by the text's rules: at most two decimals, no sign.
    @Test func aBasePriceIsTakenAsTheNumberItIsAnsweredWith() throws {
        let server = try ServerHarness()
        let max = try server.token("max")
        let added = try server.call("POST", "/api/hotels/\(server.hotelA)/room-types", token: max,
                                    body: Data(#"{"name":"Loft","capacity":3,"basePrice":129.95}"#.utf8))
        #expect(added.status == 201, "\(added.json)")
        #expect(added.json["basePrice"] as? NSNumber == NSNumber(value: 129.95), "\(added.json)")
        let path = "/api/hotels/\(server.hotelA)/room-types/\(try #require(added.json["roomTypeId"] as? String))"
        let changed = try server.call("PATCH", path, token: max, body: Data(#"{"basePrice":19.99}"#.utf8))
        #expect(changed.status == 200, "\(changed.json)")
        let cents = try server.call("GET", "/api/hotels/\(server.hotelA)/room-types", token: max).json["roomTypes"]
            .flatMap { $0 as? [[String: Any]] }?.first { $0["name"] as? String == "Loft" }
        #expect(cents?["basePrice"] as? NSNumber == NSNumber(value: 19.99), "\(String(describing: cents))")
        // What it was answered with, sent back: the same, nothing refused.
        let again = try server.call("PATCH", path, token: max, body: Data(#"{"basePrice":19.99,"capacity":3}"#.utf8))
        #expect(again.status == 200, "\(again.json)")
        for bad in ["19.999", "-5", "true"] {
            let refused = try server.call("PATCH", path, token: max, body: Data(#"{"basePrice":\#(bad)}"#.utf8))
            #expect(refused.status == 400 && (refused.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "basePrice",
                    "\(bad): \(refused.status) \(refused.json)")
        }
    }

    /// Every PATCH names a field it does not change: a room's `isactive` left it in service with 200.
    @Test func aMisspelledFieldOfAnyPatchIsRefusedByName() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), max = try server.token("max")
        let room = try server.freeRoom(server.hotelA, token: anna)
        let roomAnswer = try server.call("PATCH", "/api/rooms/\(room)", token: max, json: ["isactive": false])
        #expect(roomAnswer.status == 400 && (roomAnswer.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "isactive",
                "\(roomAnswer.json)")
        let rooms = try server.call("GET", "/api/hotels/\(server.hotelA)/rooms", token: max).json["rooms"] as? [[String: Any]] ?? []
        #expect(rooms.first { $0["roomId"] as? String == room }?["isActive"] as? Bool == true, "the room stays in service")
        // A value `JSONSerialization` refuses (a number out of range, a lone surrogate) in another
        // unknown field skipped the check, and the misspelled field was ignored again.
        for body in [#"{"isactive":false,"x":1e999}"#, #"{"isactive":false,"x":"\ud800"}"#] {
            let odd = try server.call("PATCH", "/api/rooms/\(room)", token: max, body: Data(body.utf8))
            #expect(odd.status == 400 && (odd.json["errors"] as? [[String: Any]])?.contains { $0["field"] as? String == "isactive" } == true,
                    "\(body): \(odd.status) \(odd.json)")
        }
        // A field's name holding a card number is masked where the answer names it.
        let carded = try server.call("PATCH", "/api/rooms/\(room)", token: max, json: ["4242424242424242": 1])
        #expect((carded.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "•••• 4242", "\(carded.json)")
        let hotel = try server.call("PATCH", "/api/hotels/\(server.hotelA)", token: max, json: ["hold_minutes": 30])
        #expect(hotel.status == 400 && (hotel.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "hold_minutes", "\(hotel.json)")
        let booked = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room))
        let bookingId = try #require(booked.json["bookingId"] as? String, "\(booked.json)")
        let edit = try server.call("PATCH", "/api/bookings/\(bookingId)", token: anna, json: ["guestname": "Ada Other", "note": "late"])
        #expect(edit.status == 400 && (edit.json["errors"] as? [[String: Any]])?.compactMap({ $0["field"] as? String }) == ["guestname"],
                "\(edit.json)")
        #expect(try server.call("GET", "/api/bookings/\(bookingId)", token: anna).json["notes"].map { "\($0)" }?.contains("late") != true,
                "nothing of the body was applied")
    }

    /// A new number and "out of service" in one PATCH are one change: the room has a booking to
    /// come, so it cannot go out of service, and it keeps its number too.
    @Test func aRefusedPartOfARoomChangeLeavesTheWholeRoomAsItWas() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), max = try server.token("max")
        let roomId = try server.freeRoom(server.hotelA, token: anna)
        #expect(try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: roomId)).status == 202)
        let before = try #require(try server.call("GET", "/api/hotels/\(server.hotelA)/rooms", token: max)
            .json["rooms"] as? [[String: Any]]).first { $0["roomId"] as? String == roomId }
        let refused = try server.call("PATCH", "/api/rooms/\(roomId)", token: max, json: ["roomNumber": "999", "isActive": false])
        #expect(refused.status == 422, "\(refused.json)")
        #expect(refused.code == "invalid_state")
        let after = try #require(try server.call("GET", "/api/hotels/\(server.hotelA)/rooms", token: max)
            .json["rooms"] as? [[String: Any]]).first { $0["roomId"] as? String == roomId }
        #expect(after?["roomNumber"] as? String == before?["roomNumber"] as? String)
        #expect(after?["roomNumber"] as? String != "999")
        #expect(after?["isActive"] as? Bool == true)
    }
}
