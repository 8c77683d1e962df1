import Foundation
import FrontDeskDomain
import FrontDeskTestSupport
import Testing

/// Requests a careless or hostile caller can send: each is answered as the caller's mistake (400,
/// 401, 404, 429), on either backend, and none leaves the server worse off.
@Suite(.serialized) struct HostileInputTests {
    static func server(_ backend: String) throws -> ServerHarness {
        backend == "SQLite" ? try ServerHarness() : try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase())
    }

    /// A NUL (PostgreSQL holds none in text) and a search longer than SQLite's LIKE takes (50,000
    /// bytes) were database errors, answered 500.
    @Test(arguments: ["SQLite", "PostgreSQL"])
    func textNoDatabaseTakesIsBadInputNotAServerError(_ backend: String) throws {
        let server = try Self.server(backend)
        let login = try server.call("POST", "/api/auth/token", json: ["username": "anna\u{0}", "password": "password-of-anna"])
        #expect(login.status == 401, "\(backend): \(String(decoding: login.body, as: UTF8.self))")
        #expect(login.code == "unauthorized")
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        #expect(try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room, name: "Quentin Zabriskie")).status == 202)
        for guest in ["Ann%00Lee", String(repeating: "a", count: 60_000)] {
            let found = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=\(guest)", token: anna)
            #expect(found.status == 400, "\(backend), \(guest.prefix(20)): \(found.status) \(String(decoding: found.body.prefix(300), as: UTF8.self))")
            #expect(found.code == "validation_failed")
        }
        let listed = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)&guest=zabriskie", token: anna)
        #expect(listed.status == 200)
        #expect((listed.json["bookings"] as? [[String: Any]])?.count == 1)
    }

    /// Guessing at many accounts from one address, with a login of one's own between guesses: a
    /// success clears its user's failures, not the address's, so the address is held back.
    @Test func anAddressGuessingAtManyAccountsIsSlowedDownWhateverLoginsSucceedBetween() throws {
        let server = try ServerHarness()
        // 20 failures from 127.0.0.1, at most 4 for any one name, a success after every fourth.
        for guess in 0..<20 {
            let failed = try server.call("POST", "/api/auth/token", json: ["username": "guessed-\(guess % 5)", "password": "guess"])
            #expect(failed.status == 401, "guess \(guess): \(failed.status)")
            if guess % 4 == 3 && guess < 19 { _ = try server.token("anna") }
        }
        // The 20th failure holds the address back for 1 s.
        let limited = try server.call("POST", "/api/auth/token", json: ["username": "max", "password": "password-of-max"])
        #expect(limited.status == 429, "\(limited.status)")
        #expect(limited.code == "rate_limited")
    }

    /// An admin's token reaches any hotel id: bookings for ids no hotel has are 404 and leave no
    /// group-commit lane (a thread that lives as long as the server) behind.
    @Test func bookingsForHotelsThatDoNotExistLeaveNoThreadsBehind() throws {
        let server = try ServerHarness()
        let root = try server.token("root")
        let room = try server.freeRoom(server.hotelA, token: root)
        func threads() throws -> Int {
            let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
            let line = status.split(separator: "\n").first { $0.hasPrefix("Threads:") } ?? ""
            return Int(line.split(separator: "\t").last.map(String.init) ?? "") ?? -1
        }
        #expect(try server.call("POST", "/api/bookings", token: root, json: server.bookingBody(server.hotelA, room: room)).status == 202)
        let before = try threads()
        for _ in 0..<40 {
            let made = try server.call("POST", "/api/bookings", token: root, json: server.bookingBody(UUID().uuidString.lowercased(), room: room))
            #expect(made.status == 404, "\(made.status)")
        }
        let after = try threads()
        #expect(before > 0 && after <= before + 6, "threads: \(before) before, \(after) after 40 made-up hotels")
    }

    /// A desk's push carrying text PostgreSQL cannot keep (a NUL) or an operation id of one letter
    /// and 20,000 combining marks (one character to Swift's count, 40 kB to an index) was answered
    /// 500, and the desk would push it again forever: it is bad input, named, on both backends,
    /// and nothing of the push is kept.
    @Test(arguments: ["SQLite", "PostgreSQL"])
    func aPushWithTextNoDatabaseTakesIsRefusedAsBadInput(_ backend: String) throws {
        let server = try Self.server(backend)
        let anna = try server.token("anna")
        let path = "/api/hotels/\(server.hotelA)/sync"
        let room = try server.freeRoom(server.hotelA, token: anna)
        let marks = "a" + String(repeating: "\u{0301}", count: 20_000)
        var byWithNul = SyncAPITests.bookOperation(room: room, operation: "desk-9:op-1")
        byWithNul.by = "anna\u{0}"
        var reasonWithNul = SyncAPITests.bookOperation(room: room, operation: "desk-9:op-2")
        reasonWithNul.reason = "x\u{0}"
        let longId = SyncAPITests.bookOperation(room: room, operation: marks)
        let fine = SyncAPITests.bookOperation(room: room, operation: "desk-9:op-0")
        for (operation, field) in [(byWithNul, "operations.1.by"), (reasonWithNul, "operations.1.reason"), (longId, "operations.1.operationId")] {
            let refused = try server.call("POST", path, token: anna, body: try SyncAPITests.body([fine, operation]),
                                          headers: ["Content-Type": "application/json"])
            #expect(refused.status == 400 && refused.code == "validation_failed",
                    "\(backend), \(field): \(refused.status) \(String(decoding: refused.body.prefix(300), as: UTF8.self))")
            let fields = (refused.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(fields == [field], "\(backend): \(fields ?? [])")
        }
        #expect(try server.call("GET", "\(path)/desk-9:op-0", token: anna).status == 404, "\(backend): nothing of a refused push is kept")
        // (An id of 300 marks: one character to Swift, 301 scalars; the URL stays short enough.)
        let markedId = "a" + String(repeating: "\u{0301}", count: 300)
        for id in ["a%00b", markedId.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed)!] {
            let looked = try server.call("GET", "\(path)/\(id)", token: anna)
            #expect(looked.status == 400 && looked.code == "validation_failed", "\(backend): \(looked.status)")
        }
        // The same push without the bad text goes through; a name with its line's "\r\n", which
        // the desk checked trimmed, is taken (trimmed), not a 400 that would stop the desk's outbox.
        var pasted = SyncAPITests.bookOperation(room: try server.freeRoom(server.hotelA, token: anna), operation: "desk-9:op-3")
        pasted.book?.guestName = "Ines Wirth\r\n"
        let accepted = try server.call("POST", path, token: anna, body: try SyncAPITests.body([fine, pasted]),
                                       headers: ["Content-Type": "application/json"])
        #expect(accepted.status == 200, "\(backend): \(accepted.status) \(String(decoding: accepted.body.prefix(300), as: UTF8.self))")
    }

    /// Linux's JSON decoder calls a fraction or a number past 64 bits "not valid JSON", with no
    /// field: the answer names the field that cannot take it, as for a string in its place.
    @Test func aNumberNoWholeNumberFieldTakesIsNamed() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        for guests in [1.5, 1e19] as [Double] {
            var body = server.bookingBody(server.hotelA, room: room)
            body["guests"] = guests
            let refused = try server.call("POST", "/api/bookings", token: anna, json: body)
            #expect(refused.status == 400 && refused.code == "validation_failed", "\(guests): \(refused.status)")
            let fields = (refused.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(fields == ["guests"], "\(guests): \(fields ?? [])")
        }
        // A fraction in a key the API ignores is not blamed; the field that cannot take its number is.
        var both = server.bookingBody(server.hotelA, room: room)
        both["amount"] = 0.5
        both["guests"] = 1.5
        let named = try server.call("POST", "/api/bookings", token: anna, json: both)
        #expect((named.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } == ["guests"])
        let broken = try server.call("POST", "/api/bookings", token: anna, body: Data(#"{"guests": 1"#.utf8),
                                     headers: ["Content-Type": "application/json"])
        #expect((broken.json["errors"] as? [[String: Any]])?.first?["field"] as? String == "body", "JSON cut short is still the body's fault")
    }

    /// A refusal names the field the caller sent: an edit's guest count too large for its room was
    /// `roomId` (an edit has none), a note or reason was `body`, a room type's name `roomType`.
    @Test func refusalsNameTheFieldsOfTheirOwnBody() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna"), max = try server.token("max")
        let id = try server.bookedInHotelA(token: anna)
        func fields(_ answer: ServerHarness.Answer) -> [String] {
            (answer.json["errors"] as? [[String: Any]])?.compactMap { $0["field"] as? String } ?? []
        }
        let crowded = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["guests": 9])
        #expect(crowded.status == 400 && fields(crowded) == ["guests"], "\(crowded.status) \(fields(crowded))")
        let longNote = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": String(repeating: "n", count: 501)])
        #expect(longNote.status == 400 && fields(longNote) == ["note"], "\(longNote.status) \(fields(longNote))")
        let blank = try server.call("POST", "/api/hotels/\(server.hotelA)/room-types", token: max,
                                    json: ["name": "  ", "capacity": 2, "basePrice": "10.00"])
        #expect(blank.status == 400 && fields(blank) == ["name"], "\(blank.status) \(fields(blank))")
        // Two rooms named at once: the guest was sent to roomId's without a word.
        let both = try server.call("POST", "/api/bookings/\(id)/move", token: anna,
                                   json: ["roomId": UUID().uuidString, "roomNumber": "102"])
        #expect(both.status == 400 && fields(both) == ["roomNumber"], "\(both.status) \(fields(both))")
    }

    /// Load balancers check health with HEAD, which was 404.
    @Test func healthAndReadinessAnswerHEAD() throws {
        let server = try ServerHarness()
        for path in ["/health", "/ready"] {
            let answer = try server.call("HEAD", path)
            #expect(answer.status == 200 && answer.body.isEmpty, "\(path): \(answer.status)")
        }
    }

    /// A known path asked with a method it does not take was 404, as if the path did not exist;
    /// RFC 9110 says 405 and names the methods in `Allow`. An unknown path stays 404.
    @Test func aKnownPathAskedWithAnotherMethodNamesTheMethodsItTakes() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let id = try server.bookedInHotelA(token: anna)
        let deleted = try server.call("DELETE", "/api/bookings/\(id)", token: anna)
        #expect(deleted.status == 405 && deleted.code == "method_not_allowed", "\(deleted.status) \(deleted.code ?? "") \(String(decoding: deleted.body, as: UTF8.self))")
        #expect(deleted.header("Allow")?.contains("GET") == true && deleted.header("Allow")?.contains("PATCH") == true,
                "\(deleted.header("Allow") ?? "no Allow")")
        #expect(deleted.header("X-Request-Id") != nil)
        let gotCancel = try server.call("GET", "/api/bookings/\(id)/cancel", token: anna)
        #expect(gotCancel.status == 405 && gotCancel.header("Allow") == "POST", "\(gotCancel.status) \(gotCancel.header("Allow") ?? "")")
        let stillThere = try server.call("GET", "/api/bookings/\(id)", token: anna)
        #expect(stillThere.status == 200)
        let unknown = try server.call("DELETE", "/api/nothing/here", token: anna)
        #expect(unknown.status == 404 && unknown.header("Allow") == nil)
        // The router takes the most literal route, and so does Allow (not GET, PATCH of {roomId}).
        let availability = try server.call("PATCH", "/api/rooms/availability", token: anna)
        #expect(availability.status == 405 && availability.header("Allow") == "GET, HEAD", "\(availability.header("Allow") ?? "")")
        // HEAD wherever GET is.
        let head = try server.call("HEAD", "/metrics")
        #expect(head.status == 200 && head.body.isEmpty, "\(head.status)")
    }

    /// A path asked with the wrong method was logged and counted as route "NotFound": the
    /// operator could not tell which endpoint clients misuse (a review, session 58).
    @Test func aWrongMethodIsCountedUnderItsRoute() throws {
        let server = try ServerHarness()
        #expect(try server.call("GET", "/api/auth/token").status == 405)
        let metrics = String(decoding: try server.call("GET", "/metrics").body, as: UTF8.self)
        #expect(metrics.contains("route=\"/api/auth/token\",method=\"GET\",status=\"405\""), "\(metrics)")
        #expect(!metrics.contains("route=\"NotFound\",method=\"GET\",status=\"405\""))
    }

    /// A parameter given twice was read from its first: a believable answer to another question.
    @Test func aQueryParameterGivenTwiceIsRefusedByName() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let base = "/api/rooms/availability?hotelId=\(server.hotelA)&checkIn=\(Ahead.night(0))&checkOut=\(Ahead.night(2))"
        #expect(try server.call("GET", base, token: anna).status == 200)
        let twice = try server.call("GET", base + "&checkIn=\(Ahead.night(1))", token: anna)
        #expect(twice.status == 400 && twice.code == "validation_failed", "\(twice.status)")
        #expect(String(decoding: twice.body, as: UTF8.self).contains("checkIn is given more than once"),
                "\(String(decoding: twice.body, as: UTF8.self))")
    }

    /// A body naming a field twice was read from its first (`JSONDecoder`), where a proxy in front
    /// may read the last: refused by name, as a repeated query parameter is, at any depth and
    /// however the key is escaped; nothing is booked.
    @Test func aBodyFieldGivenTwiceIsRefusedByName() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let room = try server.freeRoom(server.hotelA, token: anna)
        let fields = "\"hotelId\":\"\(server.hotelA)\",\"roomId\":\"\(room)\",\"checkIn\":\"\(Ahead.night(0))\",\"checkOut\":\"\(Ahead.night(2))\","
            + "\"guests\":1,\"email\":\"ann@example.com\""
        for (body, field) in [
            ("{\(fields),\"guestName\":\"First\",\"guestName\":\"Second\",\"payment\":{\"method\":\"desk\"}}", "guestName"),
            ("{\(fields),\"guestName\":\"First\",\"guest\\u004eame\":\"Second\",\"payment\":{\"method\":\"desk\"}}", "guestName"),
            ("{\(fields),\"guestName\":\"Ann\",\"payment\":{\"method\":\"desk\",\"method\":\"card\"}}", "method"),
        ] {
            let answer = try server.call("POST", "/api/bookings", token: anna, body: Data(body.utf8))
            #expect(answer.status == 400 && answer.code == "validation_failed"
                        && String(decoding: answer.body, as: UTF8.self).contains("\(field) is given twice"),
                    "\(body): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
        }
        let login = try server.call("POST", "/api/auth/token",
                                    body: Data(#"{"username":"anna","password":"x","username":"max"}"#.utf8))
        #expect(login.status == 400 && String(decoding: login.body, as: UTF8.self).contains("username is given twice"))
        // A desk's push too: it carries cancels, moves and money.
        let push = try server.call("POST", "/api/hotels/\(server.hotelA)/sync", token: anna,
                                   body: Data(#"{"protocolVersion":1,"protocolVersion":1,"operations":[]}"#.utf8))
        #expect(push.status == 400 && String(decoding: push.body, as: UTF8.self).contains("protocolVersion is given twice"),
                "\(push.status) \(String(decoding: push.body, as: UTF8.self))")
        // The same names in separate objects, or as values, are no repeat.
        let fine = try server.call("POST", "/api/bookings", token: anna,
                                   body: Data("{\(fields),\"guestName\":\"guestName\",\"payment\":{\"method\":\"desk\"}}".utf8))
        #expect(fine.status == 202, "\(fine.status) \(String(decoding: fine.body, as: UTF8.self))")
    }

    /// `If-Match: "3` (no closing quote) was taken as version 3 and the change made; `"-1"` was a
    /// stale version. Both are slips, refused as malformed (a review, session 58).
    @Test func aMalformedIfMatchIsRefusedNotTakenForAVersion() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let id = try server.bookedInHotelA(token: anna)
        let version = try #require(try server.call("GET", "/api/bookings/\(id)", token: anna).header("ETag"))
            .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        for tag in ["\"\(version)", "\"-1\"", "\"\"", "\"", "W/", "\"\(version)\"\""] {
            let answer = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "x"], headers: ["If-Match": tag])
            #expect(answer.status == 400 && answer.code == "validation_failed", "\(tag): \(answer.status)")
        }
        // Well-formed tags still change it: quoted, weak (as a proxy rewrites it), bare, padded.
        for (index, form) in ["\"%@\"", "W/\"%@\"", "%@", " \"%@\" "].enumerated() {
            let current = try #require(try server.call("GET", "/api/bookings/\(id)", token: anna).header("ETag"))
                .trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            let tag = form.replacingOccurrences(of: "%@", with: current)
            let changed = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "note \(index)"], headers: ["If-Match": tag])
            #expect(changed.status == 200, "\(tag): \(changed.status)")
        }
    }

    /// `If-Match` with a list of tags (RFC 9110: `#entity-tag`) was 400: the change is made when
    /// any member names the booking's version, 412 when none does (saying the version and the
    /// ones named), and a malformed member refuses the header as before, whatever the others.
    @Test(arguments: ["SQLite", "PostgreSQL"])
    func ifMatchWithAListChangesWhenAnyTagIsTheVersion(_ backend: String) throws {
        let server = try Self.server(backend)
        let anna = try server.token("anna")
        let id = try server.bookedInHotelA(token: anna)
        _ = try server.settled(id, token: anna)
        func version() throws -> Int {
            let tag = try #require(try server.call("GET", "/api/bookings/\(id)", token: anna).header("ETag"))
            return try #require(Int(tag.trimmingCharacters(in: CharacterSet(charactersIn: "\""))))
        }
        // `"1", "2"` where the booking is at 2: the second member matches.
        var current = try version()
        let listed = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "listed"],
                                     headers: ["If-Match": "\"\(current - 1)\", \"\(current)\""])
        #expect(listed.status == 200, "\(backend): \(listed.status) \(String(decoding: listed.body, as: UTF8.self))")
        // A weak member and empty members between commas are read as a single tag is.
        current = try version()
        let weak = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "weak"],
                                   headers: ["If-Match": ", \"\(current + 40)\", , W/\"\(current)\","])
        #expect(weak.status == 200, "\(backend): \(weak.status) \(String(decoding: weak.body, as: UTF8.self))")
        // `"7", "8"` where the booking is at neither: 412, naming both, and nothing changed.
        current = try version()
        let stale = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "stale"],
                                    headers: ["If-Match": "\"\(current + 5)\", \"\(current + 6)\""])
        let staleText = String(decoding: stale.body, as: UTF8.self)
        #expect(stale.status == 412 && stale.code == "precondition_failed", "\(backend): \(stale.status) \(staleText)")
        #expect(staleText.contains("version \(current), you saw \(current + 5) or \(current + 6)"), "\(backend): \(staleText)")
        #expect(try version() == current)
        // `"2", "x`: the current version listed, but a member is malformed: 400, nothing changed.
        let malformed = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "malformed"],
                                        headers: ["If-Match": "\"\(current)\", \"x"])
        #expect(malformed.status == 400 && malformed.code == "validation_failed", "\(backend): \(malformed.status)")
        for tag in [" , ", "*, \"\(current)\"", "\"\(current)\", \"-1\""] {
            let refused = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "x"], headers: ["If-Match": tag])
            #expect(refused.status == 400 && refused.code == "validation_failed", "\(backend), \(tag): \(refused.status)")
        }
        #expect(try version() == current)
    }

    /// A cancel's `reason` over the API was dropped: the status reason named the server instead.
    @Test func aCancelOverTheAPIKeepsItsReason() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let id = try server.bookedInHotelA(token: anna)
        let cancelled = try server.call("POST", "/api/bookings/\(id)/cancel", token: anna, json: ["reason": "Guest asked by phone"])
        #expect(cancelled.status == 200 && cancelled.json["statusReason"] as? String == "Guest asked by phone",
                "\(cancelled.status) \(cancelled.json["statusReason"] ?? "-")")
        let other = try server.bookedInHotelA(token: anna)
        let plain = try server.call("POST", "/api/bookings/\(other)/cancel", token: anna)
        #expect(plain.status == 200 && (plain.json["statusReason"] as? String)?.contains("booking server") == true)
        let third = try server.bookedInHotelA(token: anna)
        let bad = try server.call("POST", "/api/bookings/\(third)/cancel", token: anna, json: ["reason": String(repeating: "x", count: 5_000)])
        #expect(bad.status == 400, "a reason too long is refused: \(bad.status)")
    }

    /// `If-Match: *` asks for the change whatever the version (RFC 9110); it was refused as a
    /// malformed version.
    @Test func ifMatchStarChangesWhateverTheVersion() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let id = try server.bookedInHotelA(token: anna)
        let cancelled = try server.call("POST", "/api/bookings/\(id)/cancel", token: anna, headers: ["If-Match": "*"])
        #expect(cancelled.status == 200 && cancelled.json["status"] as? String == "Cancelled", "\(cancelled.status)")
    }
}
