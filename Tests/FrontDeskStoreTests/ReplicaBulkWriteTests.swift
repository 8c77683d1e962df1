import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A replica page is written booking by booking the careful way only where a booking meets
/// something of the desk's; the rest goes in bulk (issue 12). Either way the desk ends up as the
/// server is, its figures included.
@Suite struct ReplicaBulkWriteTests {
    @Test func aPageMixingNewBookingsAndOnesThatMeetTheDesksIsWrittenAsTheServerHasIt() throws {
        let pair = try ReplicaPair()
        let known = try pair.server.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        try pair.connect([known])
        // Offline, the desk sells room 102 for 1 to 3 December.
        let held = try pair.desk.store.reserve(pair.desk.form(room: "102"), by: "anna")
        let mine = try pair.desk.store.confirm(held.confirmationCode, by: "anna")
        #expect(try pair.desk.store.syncStates(of: [mine.id]) == [mine.id: "pending"])

        // Meanwhile on the server: the known booking gets a note, room 102 is sold from 2 December,
        // and bookings the desk has never seen are made.
        let noted = try pair.server.store.changeBooking(known.confirmationCode, BookingEdit(note: "Late arrival"), ChangeRequest(user: "ben"))
        let theirs = try pair.server.book(room: "102", from: "2026-12-02", to: "2026-12-04")
        let fresh = [try pair.server.book(room: "103", from: "2026-12-01", to: "2026-12-05"),
                     try pair.server.book(room: "201", from: "2026-12-03", to: "2026-12-04", guests: "4")]
        let cancelledFresh = try pair.server.store.cancel(try pair.server.book(room: "301", guests: "1").confirmationCode, reason: nil, by: "ben")
        let page = [fresh[0], noted, cancelledFresh, theirs, fresh[1]]
        try pair.desk.store.applyReplicaBookings(try page.map(pair.wire))

        for booking in page {
            #expect(try pair.desk.store.booking(booking.confirmationCode) == (try pair.wire(booking).booking()))
        }
        #expect(try pair.desk.store.syncStates(of: page.map(\.id) + [mine.id])
                == Dictionary(uniqueKeysWithValues: page.map { ($0.id, "synced") } + [(mine.id, "conflict")]))
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        #expect(conflict.booking.id == mine.id && conflict.reason == "room_unavailable")
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
        #expect(try pair.desk.freeRooms("2026-12-01", "2026-12-06") == (try pair.server.freeRooms("2026-12-01", "2026-12-06")))
    }

    @Test func aPageWithABookingThatDoesNotReadIsRefusedWhole() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let first = try pair.server.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        var broken = try pair.wire(try pair.server.book(room: "102", from: "2026-12-01", to: "2026-12-03"))
        broken.claims[1].roomId = "room 102"
        #expect {
            try pair.desk.store.applyReplicaBookings([try pair.wire(first), broken])
        } throws: { error in
            (error as? FrontDeskError)?.message.contains("claim that does not read") == true
        }
        #expect(try pair.desk.count("booking") == 0)
        #expect(try pair.desk.count("room_night") == 0)
        #expect(try pair.desk.count("booking_night") == 0)
    }
}
