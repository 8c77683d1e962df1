import Foundation
import Testing

/// Issue 12's main check: two desks connected to one server book the same room for the same
/// nights while the server is down; after it is back and both sync, exactly one booking is
/// accepted, the other is a conflict on its desk, resolved by a move; then both replicas and the
/// server hold the same bookings, field for field.
@Suite("Two desks offline, one room", .serialized)
struct TwoDesksOfflineTests {
    @Test("Both book the same room offline; one is accepted, the other resolved by a move; all three agree")
    func sameRoomOffline() throws {
        let server = try SyncServer()
        let deskA = try Desk("a"), deskB = try Desk("b")
        defer { deskA.remove(); deskB.remove() }

        for desk in [deskA, deskB] {
            let connected = try desk.connect(server)
            #expect(connected.status == 0, "connect: \(connected.stderr)")
        }
        let status = try deskA.run("desk", "status", "--json").json
        #expect(status["online"] as? Bool == true)
        #expect(status["pendingOps"] as? Int == 0)
        #expect(status["hotelId"] as? String == server.hotelA)
        // The replica holds the server's bookings.
        #expect(try deskA.bookings().count == server.bookingsOfA().count)

        let (checkIn, checkOut) = futureStay(daysAhead: 60)
        let offers = try deskA.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? []
        let room = try #require(offers.first?["roomNumber"] as? String)

        server.stop()
        let bookedA = try deskA.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Ada Offline")
        let bookedB = try deskB.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Bo Offline")
        for booked in [bookedA, bookedB] {
            #expect(booked.status == 0, "offline book: \(booked.stderr)")
            #expect(try booked.json["sync"] as? String == "pending")
            #expect(booked.stderr.contains("it will sync"), "stderr: \(booked.stderr)")
        }
        let offlineStatus = try deskB.run("desk", "status", "--json").json
        #expect(offlineStatus["online"] as? Bool == false)
        #expect(offlineStatus["pendingOps"] as? Int == 1)
        // With the server down, sync leaves the operation queued: exit 8 and the reason.
        let failedSync = try deskA.run("sync", "--json")
        #expect(failedSync.status == 8)
        #expect(failedSync.stderr.contains("left to push"), "stderr: \(failedSync.stderr)")

        try server.start()
        let syncA = try deskA.run("sync", "--json")
        #expect(syncA.status == 0, "sync A: \(syncA.stderr)")
        let reportA = try syncA.json
        #expect(reportA["pushed"] as? Int == 1)
        #expect(reportA["accepted"] as? Int == 1)
        let syncB = try deskB.run("sync", "--json")
        #expect(syncB.status == 0, "sync B: \(syncB.stderr)")
        let reportB = try syncB.json
        #expect(reportB["pushed"] as? Int == 1)
        #expect(reportB["accepted"] as? Int == 0)
        #expect(reportB["conflicts"] as? Int == 1)

        #expect((try deskA.run("conflicts", "--json").json["conflicts"] as? [Any])?.isEmpty == true)
        let conflicts = try deskB.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
        try #require(conflicts.count == 1)
        let conflict = conflicts[0]
        #expect(conflict["reason"] as? String == "room_unavailable")
        #expect(conflict["guestName"] as? String == "Bo Offline")
        #expect(conflict["roomNumber"] as? String == room)
        #expect(conflict["checkIn"] as? String == checkIn)
        let suggested = conflict["suggestedRooms"] as? [[String: Any]] ?? []
        let target = try #require(suggested.first?["roomNumber"] as? String, "no suggested room: \(conflict)")
        #expect(suggested.first?["totalPrice"] is NSNumber)
        #expect(target != room)
        let stateBeforeResolve = try deskB.bookings().first { $0["guestName"] as? String == "Bo Offline" }
        #expect(stateBeforeResolve?["sync"] as? String == "conflict")

        let resolved = try deskB.run("conflicts", "resolve", try #require(conflict["conflictId"] as? String), "--move-to", target, "--json")
        #expect(resolved.status == 0, "resolve: \(resolved.stderr)")
        #expect(try resolved.json["roomNumber"] as? String == target)
        for desk in [deskB, deskA] {
            let synced = try desk.run("sync", "--json")
            #expect(synced.status == 0, "sync again: \(synced.stderr)")
        }
        #expect((try deskB.run("conflicts", "--json").json["conflicts"] as? [Any])?.isEmpty == true)

        // Field for field: both replicas and the server.
        let onServer = try server.bookingsOfA()
        let onA = try deskA.bookings(), onB = try deskB.bookings()
        let keys: Set<String> = ["bookingId", "confirmation", "status", "roomNumber", "checkIn", "checkOut", "nights", "guests",
                                 "guestName", "email", "phone", "totalPrice", "nightlyPrices", "version", "statusReason", "notes"]
        func byId(_ bookings: [[String: Any]]) -> [String: NSDictionary] {
            Dictionary(uniqueKeysWithValues: bookings.map { ($0["bookingId"] as? String ?? "", commonFields($0, with: keys)) })
        }
        let (central, a, b) = (byId(onServer), byId(onA), byId(onB))
        #expect(Set(a.keys) == Set(central.keys))
        #expect(Set(b.keys) == Set(central.keys))
        for (id, booking) in central {
            #expect(a[id] == booking, "desk A differs on \(id): \(a[id] ?? [:]) vs \(booking)")
            #expect(b[id] == booking, "desk B differs on \(id): \(b[id] ?? [:]) vs \(booking)")
        }
        #expect(onA.allSatisfy { $0["sync"] as? String == "synced" })
        #expect(onB.allSatisfy { $0["sync"] as? String == "synced" })
        let ours = onServer.filter { ($0["guestName"] as? String ?? "").hasSuffix("Offline") }
        #expect(Set(ours.compactMap { $0["roomNumber"] as? String }) == [room, target])
        #expect(ours.allSatisfy { $0["status"] as? String == "Confirmed" })
    }

    /// A desk that connects again while a booking it made offline waits, the room sold meanwhile
    /// by another desk: `desk connect` says the booking is now a conflict (it said only
    /// "Connected", and `sync` then counted none: the refusal was found later, if at all). Session 55.
    @Test("Connecting again says what waits to be pushed or resolved")
    func connectingAgainSaysWhatWaits() throws {
        let server = try SyncServer()
        let deskA = try Desk("ca"), deskB = try Desk("cb")
        defer { deskA.remove(); deskB.remove() }
        for desk in [deskA, deskB] { #expect(try desk.connect(server).status == 0) }
        let (checkIn, checkOut) = futureStay(daysAhead: 70)
        let offers = try deskA.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]] ?? []
        let room = try #require(offers.first?["roomNumber"] as? String)
        server.stop()
        #expect(try deskB.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Bo Offline").status == 0)
        try server.start()
        #expect(try deskA.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Ada Online").status == 0)

        let again = try deskB.connect(server)
        #expect(again.status == 0, "connect: \(again.stderr)")
        let status = try deskB.run("desk", "status", "--json").json
        // The pull that catches the replica up brings the server's booking in: the offline one is
        // refused there and then, a conflict on the list.
        #expect(status["conflicts"] as? Int == 1 && status["pendingOps"] as? Int == 0, "\(status)")
        #expect(again.stdout.contains("replica.\n1 conflict to resolve") && again.stdout.contains("frontdesk conflicts"), "\(again.stdout)")
        let json = try deskB.connect(server, json: true).json
        #expect(json["pendingOps"] as? Int == 0 && json["conflicts"] as? Int == 1, "\(json)")
    }
}
