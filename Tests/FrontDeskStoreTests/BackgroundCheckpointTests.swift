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

    /// Session 34: under a steady stream of commits the checkpointer runs once per `wakeAt` pages
    /// logged since what it last copied. (The hook is told the log's whole length, and while
    /// commits keep coming the log does not start again from its beginning: counted from there,
    /// every commit past `wakeAt` woke it, and it ran back to back, two syncs each time.)
    @Test func underASteadyLoadTheCheckpointerRunsOncePerWakeAtPagesLogged() throws {
        let desk = try StoreFixture()
        let checkpointer = Checkpointer(path: desk.store.path, wakeAt: 64, writerLimit: 1_000_000)
        desk.store.checkpointInBackground(checkpointer)
        let rooms = ["101", "102", "103", "104", "201", "202"]
        for day in 0..<100 {
            let checkIn = StoreFixture.today.adding(days: 1 + day)
            for room in rooms {
                let request = ReservationRequest(form: desk.form(room: room, from: checkIn.iso, to: checkIn.adding(days: 1).iso, guests: "1"),
                                                 user: "anna")
                _ = try desk.store.reserveAll([request])[0].get()
            }
        }
        let logged = checkpointer.framesLogged.load(ordering: .relaxed)
        let runs = checkpointer.checkpointsRun.load(ordering: .relaxed)
        #expect(logged >= 600 * 5, "600 commits logged only \(logged) pages")
        #expect(runs <= logged / 64 + 1, "\(runs) checkpoints for \(logged) pages logged")
        // And it does run: the log is copied while the commits go on.
        let deadline = Date().addingTimeInterval(10)
        while checkpointer.checkpointsRun.load(ordering: .relaxed) == 0 && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(checkpointer.checkpointsRun.load(ordering: .relaxed) > 0)
        try desk.store.close()
    }
}
