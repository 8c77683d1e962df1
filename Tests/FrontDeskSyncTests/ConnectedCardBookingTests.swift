import Foundation
import FrontDeskTestSupport
import Testing

/// A card booking on a connected desk (issue 12, items 2 and 3): online the server decides, and
/// its payment service charges the card; offline the card is refused and nothing is queued; an
/// answer lost after the request left is an unknown outcome, never a queued card. The real
/// `frontdesk` against a real `frontdesk-server` and a real `frontdesk payment-sim` on 127.0.0.1.
@Suite("A connected desk books with a card through the server", .serialized)
struct ConnectedCardBookingTests {
    static let approvedCard = "4242424242424242"
    static let declinedCard = "4000000000000002"

    /// `frontdesk payment-sim --port 0 --json`, with the address it printed.
    final class Simulator {
        let process: Process
        let url: String

        init() throws {
            (process, url) = try PaymentSimulatorProcess.start(Products.folder.appendingPathComponent("frontdesk"))
        }

        deinit {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }
    }

    struct Setup {
        let simulator: Simulator
        let server: SyncServer
        let desk: Desk
        let rooms: [String]
        let checkIn: String
        let checkOut: String
    }

    func setUp(_ name: String, daysAhead: Int, through proxy: ((SyncServer) throws -> String)? = nil) throws -> Setup {
        let simulator = try Simulator()
        let server = try SyncServer(paymentURL: simulator.url)
        let desk = try Desk(name)
        let address = try proxy?(server) ?? server.url
        let connected = try desk.run("desk", "connect", "--server", address, "--hotel", server.hotelA, "--username", "anna",
                                     "--password-stdin", input: "password-of-anna\n")
        try #require(connected.status == 0, "connect: \(connected.stderr)")
        let (checkIn, checkOut) = futureStay(daysAhead: daysAhead)
        let offers = try desk.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? []
        let rooms = offers.compactMap { $0["roomNumber"] as? String }
        try #require(rooms.count >= 2, "free rooms: \(rooms)")
        return Setup(simulator: simulator, server: server, desk: desk, rooms: rooms, checkIn: checkIn, checkOut: checkOut)
    }

    func bookWithCard(_ setup: Setup, _ card: String, guest: String, room: Int = 0, extra: [String] = []) throws -> Outcome {
        try runProgram(Products.folder.appendingPathComponent("frontdesk"),
                       ["book", "--room", setup.rooms[room], "--check-in", setup.checkIn, "--check-out", setup.checkOut, "--guests", "1",
                        "--guest-name", guest, "--email", "guest@example.com", "--payment", "card", "--card", "-", "--json"] + extra,
                       environment: setup.desk.environment, input: card + "\n")
    }

    func serverBookings(_ setup: Setup, guest: String) throws -> [[String: Any]] {
        try setup.server.bookingsOfA().filter { $0["guestName"] as? String == guest }
    }

    @Test("Online, a card booking is charged by the server and confirmed; the replica follows; the card is kept nowhere on the desk")
    func cardBookingConfirmedOnline() throws {
        let setup = try setUp("card-online", daysAhead: 90)
        defer { setup.desk.remove() }

        let booked = try bookWithCard(setup, Self.approvedCard, guest: "Carla Card", extra: ["--wait"])
        #expect(booked.status == 0, "book: \(booked.stderr)")
        let json = try booked.json
        #expect(json["status"] as? String == "Confirmed")
        #expect(json["sync"] as? String == "synced")
        #expect(json["card"] as? String == "•••• 4242")
        #expect(!booked.stdout.contains(Self.approvedCard) && !booked.stderr.contains(Self.approvedCard))
        let id = try #require(json["bookingId"] as? String)

        let onServer = try serverBookings(setup, guest: "Carla Card")
        #expect(onServer.count == 1)
        #expect(onServer.first?["bookingId"] as? String == id)
        #expect(onServer.first?["status"] as? String == "Confirmed")
        // The replica has the server's booking, field for field; nothing waits in the outbox.
        let onDesk = try #require(try setup.desk.bookings().first { $0["bookingId"] as? String == id })
        let keys: Set<String> = ["bookingId", "confirmation", "status", "roomNumber", "checkIn", "checkOut", "guestName", "totalPrice", "version"]
        #expect(commonFields(onDesk, with: keys) == commonFields(try #require(onServer.first), with: keys))
        #expect(try setup.desk.pendingOps() == 0)
        #expect(setup.desk.filesContaining(Self.approvedCard).isEmpty)
    }

    @Test("Online, a declined card ends the booking Failed with the reason, on the desk and on the server")
    func declinedCardFails() throws {
        let setup = try setUp("card-declined", daysAhead: 95)
        defer { setup.desk.remove() }

        let booked = try bookWithCard(setup, Self.declinedCard, guest: "Dora Declined", extra: ["--wait"])
        #expect(booked.status == 7, "book: \(booked.status) \(booked.stderr)")
        let json = try booked.json
        #expect(json["status"] as? String == "Failed")
        #expect((json["statusReason"] as? String ?? "").lowercased().contains("declined"), "json: \(json)")
        #expect(booked.stderr.contains("failed") && booked.stderr.lowercased().contains("declined"), "stderr: \(booked.stderr)")
        let onServer = try serverBookings(setup, guest: "Dora Declined")
        #expect(onServer.count == 1 && onServer.first?["status"] as? String == "Failed")
        // The room is free again: the next guest books it with a good card.
        let next = try bookWithCard(setup, Self.approvedCard, guest: "Nina Next", extra: ["--wait"])
        #expect(next.status == 0, "book: \(next.stderr)")
        #expect(try setup.desk.pendingOps() == 0)
        #expect(setup.desk.filesContaining(Self.declinedCard).isEmpty)
    }

    @Test("With the server down, a card booking is refused with a clear message and nothing is queued")
    func cardRefusedOffline() throws {
        let setup = try setUp("card-offline", daysAhead: 100)
        defer { setup.desk.remove() }
        let before = try setup.desk.bookings().count

        setup.server.stop()
        let booked = try bookWithCard(setup, Self.approvedCard, guest: "Otto Offline", extra: ["--wait"])
        #expect(booked.status == 6, "book: \(booked.status) \(booked.stderr)")
        #expect(booked.stderr.contains("cannot be charged offline"), "stderr: \(booked.stderr)")
        #expect(booked.stderr.contains("Nothing was booked or charged"), "stderr: \(booked.stderr)")
        #expect(try booked.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "card_offline")
        #expect(try setup.desk.pendingOps() == 0)
        #expect(try setup.desk.bookings().count == before)
        #expect(setup.desk.filesContaining(Self.approvedCard).isEmpty)

        try setup.server.start()
        #expect(try serverBookings(setup, guest: "Otto Offline").isEmpty)
        let synced = try setup.desk.run("sync", "--json")
        #expect(synced.status == 0, "sync: \(synced.stderr)")
        #expect(try synced.json["pushed"] as? Int == 0)
    }

    @Test("An answer cut after the server took the booking is an unknown outcome; the same request id then returns that booking")
    func lostAnswerThenRetry() throws {
        nonisolated(unsafe) var proxy: CuttingProxy?
        let setup = try setUp("card-cut", daysAhead: 105) { server in
            let started = try CuttingProxy(to: server.port)
            proxy = started
            return started.url
        }
        defer { setup.desk.remove() }
        let cutter = try #require(proxy)
        defer { cutter.stop() }
        cutter.cutsBookings = true
        cutter.arm(.halfBody, reset: false)

        let requestId = UUID().uuidString.lowercased()
        let lost = try bookWithCard(setup, Self.approvedCard, guest: "Lea Lost", extra: ["--wait", "--request-id", requestId])
        cutter.disarm()
        #expect(lost.status == 8, "book: \(lost.status) \(lost.stderr)")
        #expect(lost.stderr.contains("may have been made"), "stderr: \(lost.stderr)")
        #expect(lost.stderr.contains("--request-id \(requestId)"), "stderr: \(lost.stderr)")
        #expect(try lost.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "outcome_unknown")
        #expect(try setup.desk.pendingOps() == 0)
        // The server did make it (the proxy let the request through and cut only the answer).
        #expect(try serverBookings(setup, guest: "Lea Lost").count == 1)

        let again = try bookWithCard(setup, Self.approvedCard, guest: "Lea Lost", extra: ["--wait", "--request-id", requestId])
        #expect(again.status == 0, "retry: \(again.stderr)")
        #expect(try again.json["status"] as? String == "Confirmed")
        let onServer = try serverBookings(setup, guest: "Lea Lost")
        #expect(onServer.count == 1, "one booking, one charge: \(onServer)")
        let againId = try again.json["bookingId"] as? String
        #expect(onServer.first?["bookingId"] as? String == againId)
        #expect(setup.desk.filesContaining(Self.approvedCard).isEmpty)
    }
}
