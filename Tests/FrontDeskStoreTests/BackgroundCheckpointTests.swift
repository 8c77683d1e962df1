import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// Issue 11, session 6: the server's store copies its write-ahead log into the file on a thread of
/// its own (`checkpointInBackground`), not inside a booking's commit. Nothing committed may be
/// lost by it, and the log must not grow without bound while bookings keep coming.
@Suite struct BackgroundCheckpointTests {
    @Test func everyBookingIsInTheFileAfterReopeningAndTheLogStaysBounded() throws {
        let desk = try StoreFixture()
        desk.store.checkpointInBackground()
        desk.store.checkpointInBackground() // a second call changes nothing
        let rooms = ["101", "102", "103", "104", "201", "202"]
        var booked = 0
        for day in 0..<60 {
            let checkIn = StoreFixture.today.adding(days: 1 + day)
            let requests = rooms.map { room in
                ReservationRequest(form: desk.form(room: room, from: checkIn.iso, to: checkIn.adding(days: 1).iso, guests: "1"),
                                   user: "anna")
            }
            booked += try desk.store.reserveAll(requests).filter { (try? $0.get()) != nil }.count
        }
        #expect(booked == 360)
        let logPages = (try FileManager.default.attributesOfItem(atPath: desk.store.path + "-wal")[.size] as? Int ?? 0) / 4120
        #expect(logPages <= Checkpointer(path: "").writerLimit + 1_000)
        try desk.store.close()

        let reopened = try FrontDeskStore(path: desk.store.path, access: .read)
        #expect(try reopened.bookings(BookingFilter(status: .reserving)).count == 360)
    }
}
