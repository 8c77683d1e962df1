import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A hotel moved to another database keeps the request ids it recorded: a client's retry, a
/// desk's repeated change and an offline desk's repeated push get the first answer there, and
/// nothing is booked or changed twice.
@Suite struct HotelTransferReplayTests {
    struct Move: Sendable, CustomTestStringConvertible {
        let from: SagaBackend
        let to: SagaBackend
        var testDescription: String { "\(from.name) to \(to.name)" }
    }

    static let moves = [Move(from: .sqlite, to: .postgres), Move(from: .postgres, to: .sqlite)]

    func request(_ requestId: UUID, guest: String = "Ana Lee") -> ReservationRequest {
        ReservationRequest(form: BookingForm(roomNumber: "101", checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2",
                                             guestName: guest, email: "ana@example.com"),
                           requestId: requestId, payment: .desk, user: "anna")
    }

    func pushed(_ operationId: String, roomId: UUID, booking: UUID, payment: String) -> SyncOperation {
        SyncOperation(operationId: operationId, kind: .book, bookingId: booking.uuidString.lowercased(), baseVersion: nil,
                      madeAt: "2026-11-30T09:00:00.000Z", by: "desk-anna",
                      book: .init(roomId: roomId.uuidString.lowercased(), roomNumber: "102", checkIn: "2026-12-01", checkOut: "2026-12-03",
                                  guests: 2, guestName: "Ines Wirth", email: "ines@example.com", phone: nil, confirmation: "KMN-PQR",
                                  payment: payment, totalCents: 20_000))
    }

    @Test(arguments: moves)
    func aMovedHotelAnswersEveryReplayAsBeforeTheMove(_ move: Move) throws {
        let chain = try SagaRunnerBackendTests.Chain(move.from, rooms: 3)
        let (madeUnder, changedUnder) = (UUID(), UUID())
        let booked = try chain.hotel.reserveAll([request(madeUnder)])[0].get()
        try chain.runner("server-A").runUntilIdle()
        let noted = try chain.hotel.changeBooking(booked.confirmationCode, BookingEdit(note: "Late arrival"),
                                                  ChangeRequest(requestId: changedUnder, user: "anna"))
        let room102 = try #require(try chain.hotel.rooms().first { $0.room.number == "102" }?.room.id)
        let deskBooking = UUID()
        let accepted = pushed("op-accepted", roomId: room102, booking: deskBooking, payment: "desk")
        let refused = pushed("op-card", roomId: room102, booking: UUID(), payment: "card")
        let firstAnswers = try chain.hotel.applySync([accepted, refused], by: "anna").results
        #expect(firstAnswers.map(\.outcome) == [.accepted, .rejected])

        let hotel = try chain.hotel.requireHotelExists()
        let transfer = try HotelTransfer.take(hotel, from: chain.hotel)
        #expect(transfer.requests.bookings[booked.id]?.id == madeUnder)
        #expect(transfer.requests.changes.map(\.requestId) == [changedUnder])
        #expect(transfer.requests.syncOperations.map(\.operationId) == ["op-accepted", "op-card"])

        let target = try move.to.make(chain.clock)(StoreFixture.today)
        func importing(_ transfer: HotelTransfer) throws {
            if let postgres = target.storage as? PostgresChainStorage {
                try postgres.importHotel(transfer, by: "admin")
            } else {
                try #require(target.storage as? FrontDeskStore).importHotel(transfer, by: "admin")
            }
        }
        try importing(transfer)
        let there = target.storage.hotel(hotel.id)
        #expect(try HotelTransfer.take(hotel, from: there).requests == transfer.requests)
        // The feed goes on from the source's number: a desk caught up there catches up here; one
        // further behind is told to take a new replica rather than handed the new feed's entries.
        let sourceFeed = try #require(transfer.feedSequence)
        #expect(sourceFeed == (try chain.hotel.latestFeedSequence()) && sourceFeed >= 3)
        #expect(try there.latestFeedSequence() == sourceFeed + 1)
        #expect(try there.changesPage(since: sourceFeed, limit: 100).cursor == sourceFeed + 1)
        #expect(throws: ReplicaTooOld.self) { try there.changesPage(since: sourceFeed - 2, limit: 100) }
        let bookingsBefore = try HotelTransfer.take(hotel, from: there).bookings.count

        // The client's retry: the same booking, nothing new; other details under its key: conflict.
        let retried = try there.reserveAll([request(madeUnder)])[0].get()
        #expect(retried.id == booked.id && retried.confirmationCode == booked.confirmationCode)
        let misused = try there.reserveAll([request(madeUnder, guest: "Someone Else")])[0]
        #expect(throws: FrontDeskError.self) { try misused.get() }
        // The desk's repeated change: the booking as it is, the note not added twice.
        let changedAgain = try there.changeBooking(booked.confirmationCode, BookingEdit(note: "Late arrival"),
                                                   ChangeRequest(requestId: changedUnder, user: "anna"))
        #expect(changedAgain.version == noted.version)
        #expect(changedAgain.notes.map(\.text) == ["Late arrival"])
        // The offline desk's repeated push: the first answers, byte for byte.
        let answersAgain = try there.applySync([accepted, refused], by: "anna").results
        #expect(answersAgain.map { $0.jsonBytes() } == firstAnswers.map { $0.jsonBytes() })
        #expect(try HotelTransfer.take(hotel, from: there).bookings.count == bookingsBefore)
        #expect(try there.booking(deskBooking.uuidString).version == firstAnswers[0].booking?.version)

        // The same file as another hotel: its request ids are this hotel's already, so it is
        // refused in words and nothing of it is written.
        var copy = transfer
        copy.hotel = Hotel(id: UUID(), name: "Vienna Copy", timeZoneIdentifier: hotel.timeZoneIdentifier, currency: hotel.currency)
        #expect {
            try importing(copy)
        } throws: { error in
            "\(error)".contains("Request id \(madeUnder.uuidString.lowercased()) is recorded here already")
        }
        #expect(try !target.storage.hotels().contains { $0.id == copy.hotel.id })
        // Without its request ids, the copy's room types are another hotel's here: said in words
        // (it was SQLite's "UNIQUE constraint failed", PostgreSQL's SQLSTATE 23505).
        copy.requests = HotelTransfer.Requests()
        #expect {
            try importing(copy)
        } throws: { error in
            "\(error)".contains("of the file is here already, in another hotel")
                && transfer.roomTypes.contains { "\(error)".contains("Room type \($0.id.uuidString.lowercased())") }
        }
        #expect(try !target.storage.hotels().contains { $0.id == copy.hotel.id })
    }
}
