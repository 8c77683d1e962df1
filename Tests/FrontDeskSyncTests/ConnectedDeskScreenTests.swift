import Foundation
import FrontDeskTestSupport
import Testing

/// The full-screen desk on a connected desk (issue 12), in tmux against a real `frontdesk-server`
/// on 127.0.0.1: the booking form's card payment goes to the server (and its payment service, the
/// real `frontdesk payment-sim`); the change keys (Alt-e, Alt-u, Alt-i) reach the server online and
/// are queued offline, pushed by the desk once the server is back. What the receptionist sees is
/// checked on the screen, what the server holds over its HTTP API.
@Suite("A connected desk's booking form and change keys", .serialized)
struct ConnectedDeskScreenTests {
    static let approvedCard = ConnectedCardBookingTests.approvedCard
    static let declinedCard = ConnectedCardBookingTests.declinedCard

    /// The booking form for the first free room of tonight's search, filled in and paid by `card`.
    func bookByCard(_ tmux: Tmux, guest: String, card: String) throws {
        try tmux.run("send-keys", "-t", "desk", "F2")
        _ = try tmux.waitFor { $0.contains("Search rooms") }
        try tmux.run("send-keys", "-t", "desk", "Down", "Enter")
        _ = try tmux.waitFor { $0.contains("New booking") }
        try tmux.run("send-keys", "-t", "desk", "-l", guest)
        try tmux.run("send-keys", "-t", "desk", "Tab")
        try tmux.run("send-keys", "-t", "desk", "-l", "guest@example.com")
        // Phone, guests, then the payment: → chooses card, whose number field follows.
        try tmux.run("send-keys", "-t", "desk", "Tab", "Tab", "Tab", "Right")
        _ = try tmux.waitFor { $0.contains("(•) card") }
        try tmux.run("send-keys", "-t", "desk", "Tab")
        try tmux.run("send-keys", "-t", "desk", "-l", card)
        try tmux.run("send-keys", "-t", "desk", "Enter")
    }

    /// Last night's stay (the hotel's dates, Vienna), still Confirmed: a desk's `book` made
    /// yesterday, pushed now (the server checks a desk's booking against the day it was made), in
    /// the first room free for it. Its id and the code the server gave it.
    ///
    /// The rooms are the connected `desk`'s (its replica holds the server's room ids): the
    /// server's room list (`GET /api/hotels/{id}/rooms`) is property management, which a
    /// receptionist such as `anna` may not do (403), and a search cannot ask for last night.
    static func arrivedYesterday(_ server: SyncServer, desk: Desk, token: String, guest: String) throws -> (id: String, code: String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "Europe/Vienna"))
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = calendar.timeZone
        let now = Date()
        let yesterday = try #require(calendar.date(byAdding: .day, value: -1, to: now))
        let instant = DateFormatter()
        instant.dateFormat = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'"
        instant.timeZone = TimeZone(identifier: "UTC")
        let madeAt = instant.string(from: try #require(calendar.date(bySettingHour: 12, minute: 0, second: 0, of: yesterday)))
        let listed = try desk.run("rooms", "list", "--json")
        let rooms = (try? listed.json["rooms"]) as? [[String: Any]] ?? []
        guard listed.status == 0, !rooms.isEmpty else { throw SyncTestError.setup("rooms list: \(listed.status) \(listed.stdout) \(listed.stderr)") }
        var answers: [String] = []
        for room in rooms {
            let id = UUID().uuidString.lowercased()
            let book: [String: Any] = [
                "roomId": room["roomId"] ?? "", "roomNumber": room["roomNumber"] ?? "", "checkIn": formatter.string(from: yesterday),
                "checkOut": formatter.string(from: now), "guests": 1, "guestName": guest, "email": "guest@example.com",
                "confirmation": "KMN-PQR", "payment": "desk", "totalCents": 0,
            ]
            let operation: [String: Any] = ["operationId": UUID().uuidString.lowercased(), "kind": "book", "bookingId": id,
                                            "madeAt": madeAt, "by": "anna", "book": book]
            let answer = try server.call("POST", "/api/hotels/\(server.hotelA)/sync", token: token,
                                         json: ["protocolVersion": 1, "operations": [operation]])
            let result = (answer.json["results"] as? [[String: Any]])?.first
            if result?["outcome"] as? String == "accepted", let code = (result?["booking"] as? [String: Any])?["confirmation"] as? String {
                return (id, code)
            }
            answers.append("\(answer.status) \(result?["code"] ?? "-"): \(result?["message"] ?? answer.json)")
        }
        throw SyncTestError.setup("no room of hotel A took last night's stay: \(answers.prefix(3))")
    }

    func bookingsOnServer(_ server: SyncServer, guest: String) throws -> [[String: Any]] {
        try server.bookingsOfA().filter { $0["guestName"] as? String == guest }
    }

    @Test("The booking form pays by card through the server: a good card confirms, a declined one keeps the form and says why, offline the card is refused and nothing is booked or queued")
    func cardPaymentOnTheBookingForm() throws {
        let simulator = try PaymentSimulatorProcess.start(Products.folder.appendingPathComponent("frontdesk"))
        defer {
            simulator.process.terminate()
            simulator.process.waitUntilExit()
        }
        let server = try SyncServer(paymentURL: simulator.url)
        defer { server.stop() }
        try server.addSpareRooms(3)
        let desk = try Desk("card-screen")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let free = try desk.run("search", "--json").json["rooms"] as? [[String: Any]] ?? []
        try #require(free.count >= 3, "rooms free tonight: \(free.count)")

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux, width: 240, height: 40)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("online") }

        // A declined card: the server's saga fails the booking; the form stays as typed, says why,
        // and waits in the card field for another card.
        try bookByCard(tmux, guest: "Dora Card", card: Self.declinedCard)
        // The whole outcome, its hint below it included: a capture may catch a frame half painted.
        let declined = try tmux.waitFor(30) {
            ($0.contains("failed:") || $0.contains("✘ ")) && $0.contains("Esc: back to") || $0.contains("✔ Confirmed")
        }
        #expect(declined.contains("failed:") && declined.lowercased().contains("declined"), "screen:\n\(declined)")
        #expect(declined.contains("Dora Card") && declined.contains("guest@example.com"), "the form keeps what was typed:\n\(declined)")
        #expect(declined.contains("Enter tries again"), "screen:\n\(declined)")
        // Another card in the same form: the server charges it and the desk shows it confirmed.
        try tmux.run("send-keys", "-t", "desk", "-l", Self.approvedCard)
        try tmux.run("send-keys", "-t", "desk", "Enter")
        let confirmed = try tmux.waitFor(30) { $0.contains("✔ Confirmed:") || $0.contains("failed:") && !$0.contains("declined") }
        #expect(confirmed.contains("✔ Confirmed:"), "screen:\n\(confirmed)")
        let onServer = try bookingsOnServer(server, guest: "Dora Card")
        #expect(onServer.compactMap { $0["status"] as? String }.sorted() == ["Confirmed", "Failed"], "\(onServer)")
        let code = try #require(onServer.first { $0["status"] as? String == "Confirmed" }?["confirmation"] as? String)
        #expect(confirmed.contains("✔ Confirmed: \(code)"), "screen:\n\(confirmed)")
        #expect(try desk.pendingOps() == 0, "a card booking is never queued")
        let onDesk = try desk.bookings().first { $0["confirmation"] as? String == code }
        #expect(onDesk?["status"] as? String == "Confirmed" && onDesk?["sync"] as? String == "synced")

        // The server stops: the card is refused at once with the reason; nothing is booked or queued.
        try tmux.run("send-keys", "-t", "desk", "Escape")
        server.stop()
        _ = try tmux.waitFor { $0.contains("OFFLINE") }
        let before = try desk.bookings().count
        try bookByCard(tmux, guest: "Otto Offline", card: Self.approvedCard)
        let refused = try tmux.waitFor { $0.contains("✘ ") || $0.contains("Confirmed:") || $0.contains("Holding") }
        #expect(refused.contains("cannot be charged offline") && refused.contains("Nothing was booked or charged"), "screen:\n\(refused)")
        #expect(refused.contains("Otto Offline"), "the form keeps what was typed:\n\(refused)")
        #expect(try desk.pendingOps() == 0)
        #expect(try desk.bookings().count == before)
        try server.start()
        #expect(try bookingsOnServer(server, guest: "Otto Offline").isEmpty)
        for card in [Self.approvedCard, Self.declinedCard] { #expect(desk.filesContaining(card).isEmpty, "the card is kept nowhere") }

        // Otto's form is kept behind the search, typed and not booked: F10 asks first, F10 again quits.
        try tmux.run("send-keys", "-t", "desk", "Escape", "F10")
        #expect(try tmux.waitFor { $0.contains("Quit Front Desk?") }.contains("Otto Offline"))
        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-") }.contains("FRONTDESK-EXITED-0"))
    }

    /// A server put back to an older copy of its file no longer has the changes the open desk
    /// took from it: nothing is pulled until the desk connects again, and the status line says so
    /// (it said "online" while only the log knew).
    @Test("A server restored from an older copy: the open desk says it is not syncing and to connect again, and is online after")
    func aRestoredServerAsksToConnectAgain() throws {
        let server = try SyncServer()
        defer { server.stop() }
        try server.addSpareRooms(1)
        let desk = try Desk("restored-screen")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let backup = try RestoredServerTests.backUp(server)
        let (checkIn, checkOut) = futureStay(daysAhead: 40)
        #expect(try desk.book(room: "S1", checkIn: checkIn, checkOut: checkOut, guest: "Bea Before").status == 0)

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux, width: 200, height: 40)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("online") }
        try RestoredServerTests.restore(server, from: backup)
        let stuck = try tmux.waitFor(20) { $0.contains("NOT SYNCING") }
        #expect(stuck.contains("NOT SYNCING: the server's data went back, connect again (frontdesk desk connect)"), "screen:\n\(stuck)")
        let status = try desk.run("desk", "status")
        #expect(status.stdout.contains("answering, but this desk must connect again") && status.stdout.contains("fewer changes"),
                "\(status.stdout)")
        #expect(try desk.run("desk", "status", "--json").json["reconnectNeeded"] is String)

        #expect(try desk.connect(server).status == 0)
        let back = try tmux.waitFor(20) { $0.contains("online") && !$0.contains("NOT SYNCING") }
        #expect(!back.contains("connect again"), "screen:\n\(back)")
    }

    /// A stay lengthened offline whose added night the server sold: on the Conflicts screen Alt-m
    /// asks to move the guest and lengthen the stay there, and the open desk asks the server for
    /// the booking, moves it to the room offered and lengthens it again: the server has it so.
    @Test("Alt-m on a lengthening refused for a sold night moves the guest on the server and lengthens the stay there")
    func aRefusedLengtheningMovedOnTheConflictsScreen() throws {
        let setup = try ConnectedConflictResolutionTests.refusedLengthening("lengthen-move-screen", guest: "Lena Longer", daysAhead: 50,
                                                                            spareRooms: 2)
        let (server, desk, bookingId, longer) = (setup.server, setup.desk, setup.bookingId, setup.longer)
        defer { server.stop() }
        defer { desk.remove() }
        let conflict = try #require(try desk.run("conflicts", "--json").json["conflicts"] as? [[String: Any]]).first
        let offered = try #require((conflict?["suggestedRooms"] as? [[String: Any]])?.first?["roomNumber"] as? String, "\(String(describing: conflict))")

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux, width: 160, height: 36)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("online") }
        try tmux.run("send-keys", "-t", "desk", "F8")
        let listed = try tmux.waitFor { $0.contains("Lena Longer") }
        #expect(listed.contains("edit refused: the nights added in room S1 were sold"), "screen:\n\(listed)")
        try tmux.run("send-keys", "-t", "desk", "M-m")
        let asked = try tmux.waitFor { $0.contains("lengthen the stay there?") }
        #expect(asked.contains("to room \(offered) and lengthen the stay there?"), "screen:\n\(asked)")
        try tmux.run("send-keys", "-t", "desk", "Right", "Enter")
        let done = try tmux.waitFor(15) { $0.contains("moved to room") || $0.contains("Nothing was changed") }
        #expect(done.contains("Lena Longer moved to room \(offered)"), "screen:\n\(done)")
        // The open desk pushes within a second.
        var onServer: [String: Any] = [:]
        for _ in 0..<40 {
            onServer = try server.call("GET", "/api/bookings/\(bookingId)", token: try server.token("anna")).json
            if onServer["checkOut"] as? String == longer { break }
            usleep(250_000)
        }
        #expect(onServer["roomNumber"] as? String == offered && onServer["checkOut"] as? String == longer, "\(onServer)")
        #expect(try desk.pendingOps() == 0)
    }

    /// Issue 12: a credential the server no longer takes (its operator changed the signing
    /// secret) is not shown as "online" or as a passing outage: the status line asks for a new
    /// sign-in, and a `desk connect` in another terminal puts the open desk back online.
    @Test("A server whose signing secret changed: the open desk asks to sign in again, and a new desk connect brings it back online")
    func aChangedServerSecretAsksForANewSignIn() throws {
        let server = try SyncServer()
        defer { server.stop() }
        let desk = try Desk("secret-screen")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux, width: 200, height: 40)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("online") }

        server.stop()
        server.secret = "a-new-secret-the-operator-chose-of-40-bytes"
        try server.start()
        let refused = try tmux.waitFor(20) { $0.contains("NOT SYNCING") }
        #expect(refused.contains("NOT SYNCING: sign in again (frontdesk desk connect)"), "screen:\n\(refused)")
        // `desk status` says the same, not "online" (it asked only whether the server answered).
        let status = try desk.run("desk", "status")
        #expect(status.stdout.contains("answering, but this desk cannot sync: see Credential") && status.stdout.contains("desk connect"),
                "\(status.stdout)")
        #expect(try desk.run("desk", "status", "--json").json["credentialProblem"] is String)

        #expect(try desk.connect(server).status == 0)
        let back = try tmux.waitFor(20) { $0.contains("online") && !$0.contains("NOT SYNCING") }
        #expect(!back.contains("sign in again"), "screen:\n\(back)")
        // Online again for real: a booking made through the API shows on the desk.
        let token = try server.token("anna")
        let search = try desk.run("search", "--json").json
        let room = try #require((search["rooms"] as? [[String: Any]])?.first?["roomId"] as? String)
        let made = try server.call("POST", "/api/bookings", token: token, json: [
            "hotelId": server.hotelA, "roomId": room, "checkIn": search["checkIn"] ?? "", "checkOut": search["checkOut"] ?? "", "guests": 1,
            "guestName": "Sina Secret", "email": "sina@example.com", "payment": ["method": "desk"]])
        #expect(made.status == 202, "\(made.json)")
        let giveUp = Date().addingTimeInterval(10)
        var arrived = false
        while !arrived && Date() < giveUp {
            arrived = try desk.bookings().contains { $0["guestName"] as? String == "Sina Secret" }
            if !arrived { Thread.sleep(forTimeInterval: 0.2) }
        }
        #expect(arrived, "the server's booking reached the desk's replica")

        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-") }.contains("FRONTDESK-EXITED-0"))
    }

    @Test("Alt-e, Alt-n and Alt-u reach the server online; offline they (and Alt-i) are queued and the desk pushes them once the server is back")
    func changeKeysOnAConnectedDesk() throws {
        // Rooms enough for two of last night's stays besides the demo's guests.
        let server = try SyncServer(rooms: 40)
        defer { server.stop() }
        try server.addSpareRooms(2)
        let desk = try Desk("change-keys")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let anna = try server.token("anna")
        let tonight = try desk.run("search", "--nights", "1", "--json").json
        let rooms = (tonight["rooms"] as? [[String: Any]] ?? []).compactMap { $0["roomNumber"] as? String }
        try #require(!rooms.isEmpty, "no room free tonight")
        // Ulla arrives tonight and is checked in (online); Eddie comes in a month.
        let ulla = try desk.book(room: rooms[0], checkIn: try #require(tonight["checkIn"] as? String),
                                 checkOut: try #require(tonight["checkOut"] as? String), guest: "Ulla Undo")
        try #require(ulla.status == 0, "book: \(ulla.stderr)")
        let (ullaId, ullaCode) = (try #require(try ulla.json["bookingId"] as? String), try #require(try ulla.json["confirmation"] as? String))
        try #require(try desk.run("check-in", ullaCode).status == 0)
        let (checkIn, checkOut) = futureStay(daysAhead: 30)
        let later = (try desk.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? [])
            .compactMap { $0["roomNumber"] as? String }
        let eddie = try desk.book(room: try #require(later.first), checkIn: checkIn, checkOut: checkOut, guest: "Eddie Edit")
        try #require(eddie.status == 0, "book: \(eddie.stderr)")
        let (eddieId, eddieCode) = (try #require(try eddie.json["bookingId"] as? String), try #require(try eddie.json["confirmation"] as? String))
        func onServer(_ id: String) throws -> [String: Any] { try server.call("GET", "/api/bookings/\(id)", token: anna).json }
        // Nina and Nils were due last night and never came: no-shows whatever the hour.
        let nina = try Self.arrivedYesterday(server, desk: desk, token: anna, guest: "Nina Noshow")
        let nils = try Self.arrivedYesterday(server, desk: desk, token: anna, guest: "Nils Noshow")
        #expect(try desk.run("sync").status == 0)

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux, width: 160, height: 36)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("online") }

        /// Alt-e on Eddie from the bookings screen: the guest name's last `erase` letters replaced by `typed`.
        func editName(erase: Int, typed: String) throws -> String {
            try tmux.press("M-e", onBooking: eddieCode, of: "Eddie Edit")
            _ = try tmux.waitFor { $0.contains("Edit booking \(eddieCode)") }
            for _ in 0..<erase { try tmux.run("send-keys", "-t", "desk", "BSpace") }
            try tmux.run("send-keys", "-t", "desk", "-l", typed)
            try tmux.run("send-keys", "-t", "desk", "Enter")
            return try tmux.waitFor { $0.contains("Booking \(eddieCode) of ") && $0.contains(" saved") || $0.contains("rror") || $0.contains("✘") }
        }

        /// On the bookings screen, the booking `code` (of `guest`) chosen: `key`, then → Yes, Enter.
        func onBooking(_ code: String, _ guest: String, _ key: String, asks question: String, says done: String) throws -> String {
            try tmux.press(key, onBooking: code, of: guest)
            let asked = try tmux.waitFor { $0.contains(question) }
            #expect(asked.contains(question), "screen:\n\(asked)")
            try tmux.run("send-keys", "-t", "desk", "Right", "Enter")
            return try tmux.waitFor { $0.contains(done) || $0.contains("refused") || $0.contains("rror") }
        }
        func onUlla(_ key: String, asks question: String, says done: String) throws -> String {
            try onBooking(ullaCode, "Ulla Undo", key, asks: question, says: done)
        }
        func noShow(_ booking: (id: String, code: String), _ guest: String) throws -> String {
            try onBooking(booking.code, guest, "M-n", asks: "Mark \(guest), booking \(booking.code), a no-show?",
                          says: "\(guest) marked a no-show (booking \(booking.code))")
        }

        // Online: each change is the server's at once, nothing waits.
        let edited = try editName(erase: 0, typed: " Jr")
        #expect(edited.contains("Booking \(eddieCode) of Eddie Edit Jr saved"), "screen:\n\(edited)")
        #expect(try onServer(eddieId)["guestName"] as? String == "Eddie Edit Jr")
        let ullaVersion = try #require(try onServer(ullaId)["version"] as? Int)
        let undone = try onUlla("M-u", asks: "Undo the check-in of Ulla Undo, booking \(ullaCode)?", says: "Check-in of Ulla Undo undone")
        #expect(undone.contains("Check-in of Ulla Undo undone"), "screen:\n\(undone)")
        var ullaOnServer = try onServer(ullaId)
        #expect(ullaOnServer["status"] as? String == "Confirmed" && ullaOnServer["version"] as? Int == ullaVersion + 1)
        let marked = try noShow(nina, "Nina Noshow")
        #expect(marked.contains("Nina Noshow marked a no-show (booking \(nina.code))"), "screen:\n\(marked)")
        #expect(try onServer(nina.id)["status"] as? String == "NoShow")
        #expect(try desk.pendingOps() == 0)

        // Offline: made on the desk, marked pending, queued in order.
        server.stop()
        _ = try tmux.waitFor { $0.contains("OFFLINE") }
        let editedOffline = try editName(erase: 2, typed: "Junior")
        #expect(editedOffline.contains("Booking \(eddieCode) of Eddie Edit Junior saved"), "screen:\n\(editedOffline)")
        let checkedIn = try onUlla("M-i", asks: "Check in Ulla Undo, booking \(ullaCode)?", says: "Ulla Undo checked in")
        #expect(checkedIn.contains("Ulla Undo checked in"), "screen:\n\(checkedIn)")
        let undoneOffline = try onUlla("M-u", asks: "Undo the check-in of Ulla Undo, booking \(ullaCode)?", says: "Check-in of Ulla Undo undone")
        #expect(undoneOffline.contains("Check-in of Ulla Undo undone"), "screen:\n\(undoneOffline)")
        let markedOffline = try noShow(nils, "Nils Noshow")
        #expect(markedOffline.contains("Nils Noshow marked a no-show (booking \(nils.code))"), "screen:\n\(markedOffline)")
        #expect(try desk.pendingOps() == 4)
        let pending = try desk.bookings().filter { [eddieId, ullaId, nils.id].contains($0["bookingId"] as? String) }
        #expect(pending.compactMap { $0["sync"] as? String } == ["pending", "pending", "pending"], "\(pending)")
        // The status line reads the outbox every half second: the count shows within a moment.
        let waiting = try tmux.waitFor { $0.contains("4 to sync") }
        #expect(waiting.contains("OFFLINE") && waiting.contains("4 to sync"), "screen:\n\(waiting)")

        // Back online: the desk's own sync thread pushes them; the server has each once.
        try server.start()
        let synced = try tmux.waitFor(15) { $0.contains("online") && !$0.contains(" to sync") }
        #expect(!synced.contains(" to sync"), "screen:\n\(synced)")
        #expect(try desk.pendingOps() == 0)
        #expect(try onServer(eddieId)["guestName"] as? String == "Eddie Edit Junior")
        ullaOnServer = try onServer(ullaId)
        #expect(ullaOnServer["status"] as? String == "Confirmed" && ullaOnServer["version"] as? Int == ullaVersion + 3,
                "checked in and undone once each: \(ullaOnServer)")
        #expect(try onServer(nils.id)["status"] as? String == "NoShow")
        let afterSync = try desk.bookings().filter { [eddieId, ullaId, nils.id].contains($0["bookingId"] as? String) }
        #expect(afterSync.compactMap { $0["sync"] as? String } == ["synced", "synced", "synced"], "\(afterSync)")

        // A cancel online says how the guest is paid back, as the server recorded it (it said
        // nothing on a connected desk: a review, session 58); the desk's history names the desk.
        let cancelled = try onBooking(eddieCode, "Eddie Edit Junior", "M-c", asks: "Cancel booking \(eddieCode)",
                                      says: "cancelled (booking \(eddieCode))")
        #expect(cancelled.contains("cancelled (booking \(eddieCode))") && cancelled.contains("to be paid back at the desk"),
                "screen:\n\(cancelled)")
        #expect(try onServer(eddieId)["status"] as? String == "Cancelled")
        let history = try desk.run("audit", "--booking", eddieCode).stdout
        #expect(history.contains("Cancelled at the desk") && !history.contains("Cancelled from the command line"), "\(history)")

        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-") }.contains("FRONTDESK-EXITED-0"))
        #expect(try desk.run("sync", "--json").json["pushed"] as? Int == 0, "nothing left, nothing pushed twice")
    }

    /// F5 did nothing on a connected desk, though its footer and help named it (its rooms are the
    /// server's, and the desk had no room services). It shows the rooms as the desk took them
    /// from the server, one the server took out of service among them; a change key says where
    /// rooms are changed, opens no form, and nothing is queued.
    @Test("F5 on a connected desk lists the server's rooms, one out of service; Alt-n says rooms are changed on the booking server")
    func theRoomsScreenShowsTheServersRooms() throws {
        let server = try SyncServer()
        defer { server.stop() }
        try server.addSpareRooms(2)
        let mona = try server.token("mona")
        let rooms = try server.call("GET", "/api/hotels/\(server.hotelA)/rooms", token: mona).json["rooms"] as? [[String: Any]] ?? []
        let spare = try #require(rooms.first { $0["roomNumber"] as? String == "S2" }?["roomId"] as? String, "\(rooms)")
        let closed = try server.call("PATCH", "/api/rooms/\(spare)", token: mona, json: ["isActive": false])
        #expect(closed.status == 200, "out of service: \(closed.status) \(closed.json)")
        let desk = try Desk("rooms-screen")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)

        let tmux = Tmux()
        defer { _ = try? tmux.run("kill-server") }
        try desk.openScreen(tmux, width: 160, height: 36)
        _ = try tmux.waitFor { $0.contains("Search rooms") && $0.contains("online") }
        try tmux.run("send-keys", "-t", "desk", "F5")
        let listed = try tmux.waitFor { $0.contains("as the booking server has them") && $0.contains("S2") }
        let rows = listed.split(separator: "\n")
        #expect(rows.contains { $0.contains(" S1 ") && $0.contains(" yes") }, "screen:\n\(listed)")
        #expect(rows.contains { $0.contains(" S2 ") && $0.contains("no (out of service)") }, "screen:\n\(listed)")
        #expect(listed.contains("changed there, not on this desk"), "screen:\n\(listed)")
        #expect(!listed.contains("New room") && !listed.contains("Renumber"), "no change key in the footer:\n\(listed)")

        try tmux.run("send-keys", "-t", "desk", "M-n")
        let said = try tmux.waitFor { $0.contains("Rooms are changed on the booking server") }
        #expect(said.contains("Rooms are changed on the booking server, not on this desk"), "screen:\n\(said)")
        #expect(!said.contains("Enter saves"), "no form opened:\n\(said)")
        #expect(try desk.pendingOps() == 0)

        try tmux.run("send-keys", "-t", "desk", "F10")
        #expect(try tmux.waitFor { $0.contains("FRONTDESK-EXITED-") }.contains("FRONTDESK-EXITED-0"))
    }
}
