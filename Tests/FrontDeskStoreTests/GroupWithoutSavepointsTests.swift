import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// A group of bookings is written with no savepoint around each booking (issue 11, session 36);
/// one booking's failure must still leave the others standing and nothing of its own behind,
/// whether it failed before writing (a form refused) or after (the file refused a row of it).
@Suite struct GroupWithoutSavepointsTests {
    enum Path: String, CaseIterable { case syncingLater, atOnce }

    func request(_ fixture: StoreFixture, room: String, guests: String = "2", name: String = "Zoë Ångström") throws -> ReservationRequest {
        let roomId = try #require(try fixture.store.rooms().first { $0.room.number == room }).room.id
        let form = fixture.form(room: room, from: "2026-12-10", to: "2026-12-12", guests: guests, name: name)
        return ReservationRequest(form: form, user: "anna", roomId: roomId, confirmsDeskPaymentAtOnce: true)
    }

    func book(_ fixture: StoreFixture, _ requests: [ReservationRequest], _ path: Path) throws -> [Result<Booking, any Error>] {
        switch path {
        case .syncingLater: try fixture.store.reserveAllSyncingLater(requests).outcomes
        case .atOnce: try fixture.store.reserveAll(requests)
        }
    }

    @Test(arguments: Path.allCases)
    func aBookingRefusedAfterItsRowsWereWrittenLeavesNothingAndTheOthersStand(_ path: Path) throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        // The file refuses the saga row of one guest's booking: by then its booking, nights,
        // room-nights and first audit entry are written.
        let other = try DatabaseQueue(path: fixture.store.path)
        try other.write { db in
            try db.execute(sql: """
                CREATE TRIGGER test_refused_after_writing AFTER INSERT ON saga
                WHEN (SELECT guest_name FROM booking WHERE id = NEW.booking_id) = 'Refused Later'
                BEGIN SELECT RAISE(ABORT, 'refused by the test after writing'); END
                """)
        }
        let count = { (sql: String) in try other.read { db in try Int.fetchOne(db, sql: sql) ?? -1 } }
        let auditBefore = try count("SELECT count(*) FROM audit_entry")
        let feedBefore = try count("SELECT count(*) FROM change_feed")
        let redone = { fixture.store.shared.groupsWrittenAgainInSavepoints.load(ordering: .relaxed) }
        let redoneBefore = redone()

        let outcomes = try book(fixture, [request(fixture, room: "101"), request(fixture, room: "102", name: "Refused Later"),
                                          request(fixture, room: "103")], path)
        let first = try outcomes[0].get(), third = try outcomes[2].get()
        #expect(first.status == .confirmed && third.status == .confirmed)
        #expect(throws: (any Error).self) { try outcomes[1].get() }
        #expect("\(outcomes[1])".contains("refused by the test after writing"))
        #expect(redone() == redoneBefore + 1)

        // Nothing of the refused booking is in the file; all of the two others is.
        #expect(try count("SELECT count(*) FROM booking WHERE guest_name = 'Refused Later'") == 0)
        #expect(try count("SELECT count(*) FROM room_night n JOIN room r ON r.id = n.room_id WHERE r.number = '102'") == 0)
        #expect(try count("SELECT count(*) FROM booking WHERE status = 'Confirmed'") == 2)
        #expect(try count("SELECT count(*) FROM room_night") == 4)
        #expect(try count("SELECT count(*) FROM saga") == 2)
        #expect(try count("SELECT count(*) FROM audit_entry") == auditBefore + 6) // held, paying, confirmed: each
        #expect(try count("SELECT count(*) FROM change_feed") == feedBefore + 4)
        #expect(try count("SELECT count(*) FROM audit_entry WHERE summary LIKE '%Refused Later%'") == 0)
        let offers = try fixture.store.search(checkIn: "2026-12-10", checkOut: "2026-12-12", guests: "1").offers
        #expect(offers.contains { $0.room.number == "102" } && !offers.contains { $0.room.number == "101" })
    }

    @Test(arguments: Path.allCases)
    func aBookingRefusedBeforeWritingNeedsNoSecondWrite(_ path: Path) throws {
        let fixture = try StoreFixture()
        defer { try? FileManager.default.removeItem(at: fixture.folder) }
        let redone = { fixture.store.shared.groupsWrittenAgainInSavepoints.load(ordering: .relaxed) }
        let redoneBefore = redone()
        // Three guests in a double, and a room already taken in this very group.
        let outcomes = try book(fixture, [request(fixture, room: "101"), request(fixture, room: "102", guests: "3"),
                                          request(fixture, room: "101"), request(fixture, room: "103")], path)
        #expect((try? outcomes[0].get()) != nil && (try? outcomes[3].get()) != nil)
        #expect((try? outcomes[1].get()) == nil && (try? outcomes[2].get()) == nil)
        #expect(redone() == redoneBefore)
        #expect(try fixture.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM booking") } == 2)
    }
}
