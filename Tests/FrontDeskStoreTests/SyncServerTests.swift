import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// The booking server's side of offline desks (issue 12): the replica in pages, the changes after
/// a cursor, and a desk's pushed operations, applied once whatever happens to the answers.
@Suite struct SyncServerTests {
    let fixture: StoreFixture
    let rooms: [String: UUID]

    init() throws {
        fixture = try StoreFixture()
        rooms = Dictionary(uniqueKeysWithValues: try fixture.store.rooms().map { ($0.room.number, $0.room.id) })
    }

    var store: FrontDeskStore { fixture.store }

    func book(_ room: String = "101", from checkIn: String = "2026-12-01", to checkOut: String = "2026-12-03",
              booking: UUID = UUID(), code: String = "KMN-PQR", payment: String = "desk", operation: String = UUID().uuidString,
              name: String = "Ines Wirth") -> SyncOperation {
        SyncOperation(operationId: operation, kind: .book, bookingId: booking.uuidString.lowercased(), baseVersion: nil,
                      madeAt: "2026-11-18T09:00:00.000Z", by: "desk-anna",
                      book: .init(roomId: rooms[room]!.uuidString.lowercased(), roomNumber: room, checkIn: checkIn, checkOut: checkOut,
                                  guests: 2, guestName: name, email: "ines@example.com", phone: nil, confirmation: code,
                                  payment: payment, totalCents: 20_000))
    }

    func change(_ kind: SyncOperation.Kind, _ booking: UUID, base: Int?, operation: String = UUID().uuidString) -> SyncOperation {
        SyncOperation(operationId: operation, kind: kind, bookingId: booking.uuidString.lowercased(), baseVersion: base,
                      madeAt: "2026-11-18T09:05:00.000Z", by: "desk-anna")
    }

    // MARK: book

    @Test func aDeskBookingIsConfirmedAtOnceWithItsIdCodeAndDeskPaymentAndNothingLeftToRun() throws {
        let id = UUID()
        let result = try store.applySync([book(booking: id, code: "kmn-pqr")], by: "anna")
        let outcome = try #require(result.results.first)
        #expect(outcome.outcome == .accepted && outcome.code == nil && outcome.confirmationChanged == nil)
        let booking = try store.booking(id.uuidString)
        #expect(booking.status == .confirmed && booking.confirmationCode == "KMN-PQR")
        #expect(outcome.booking?.bookingId == id.uuidString.lowercased())
        #expect(outcome.booking?.status == "Confirmed")
        #expect(outcome.booking?.claims.map(\.night) == ["2026-12-01", "2026-12-02"])
        // Priced by the server: the desk's 200.00 is only the record.
        #expect(outcome.booking?.nightlyPrices.map(\.priceCents).reduce(0, +) == booking.totalPrice.minorUnits)
        // The saga is final: nothing queued that would act on the booking again.
        #expect(try store.unfinishedSagas().isEmpty)
        let saga = try store.saga(id.uuidString)
        #expect(saga.paymentReference == "desk-KMN-PQR" && saga.pendingMessages.isEmpty)
        #expect(try result.cursor == store.latestFeedSequence())
    }

    /// A push of many bookings reads the hotel's rooms once (`GroupReads.readAllRooms`): the
    /// rooms it books are the hotel's as they are, one out of service refused, one of no hotel
    /// not found, whatever their place in the push.
    @Test func aLargePushBooksTheRoomsAsTheyAre() throws {
        _ = try store.deactivateRoom("104", by: "manager")
        var operations: [SyncOperation] = []
        var ids: [UUID] = []
        let numbers = ["101", "102", "103", "201", "202"] // (301 sleeps one; these bookings are for two)
        let first = try #require(CalendarDate(iso: "2027-01-01"))
        for index in 0..<60 {
            let night = first.adding(days: index / numbers.count)
            let id = UUID()
            ids.append(id)
            operations.append(book(numbers[index % numbers.count], from: night.iso, to: night.adding(days: 1).iso, booking: id,
                                   code: "", name: "Guest \(index)"))
        }
        let outOfService = UUID(), nowhere = UUID()
        operations.insert(book("104", from: "2027-02-01", to: "2027-02-02", booking: outOfService, code: ""), at: 30)
        var lost = book("101", from: "2027-02-01", to: "2027-02-02", booking: nowhere, code: "")
        lost.book?.roomId = UUID().uuidString.lowercased()
        operations.insert(lost, at: 45)

        let results = try store.applySync(operations, by: "anna").results
        #expect(results.count == 62)
        #expect(results[30].outcome == .conflict && results[30].code == "room_unavailable")
        #expect(results[45].outcome != .accepted)
        for (index, result) in results.enumerated() where index != 30 && index != 45 {
            #expect(result.outcome == .accepted, "\(index): \(result.code ?? "") \(result.message ?? "")")
        }
        for id in ids {
            let booking = try store.booking(id.uuidString)
            #expect(booking.status == .confirmed && booking.totalPrice.minorUnits > 0)
        }
        #expect(throws: FrontDeskError.self) { try store.booking(outOfService.uuidString) }
        #expect(throws: FrontDeskError.self) { try store.booking(nowhere.uuidString) }
    }

    @Test func aCardIsNeverChargedForAnOfflineBooking() throws {
        let id = UUID()
        let outcome = try store.applySync([book(booking: id, payment: "card")], by: "anna").results[0]
        #expect(outcome.outcome == .rejected && outcome.code == "card_offline")
        #expect(throws: FrontDeskError.self) { try store.booking(id.uuidString) }
    }

    @Test func aTakenCodeGetsANewOneAndTheDeskIsToldSo() throws {
        let taken = try fixture.book(room: "102", from: "2026-12-05", to: "2026-12-06")
        let id = UUID()
        let outcome = try store.applySync([book(booking: id, code: taken.confirmationCode)], by: "anna").results[0]
        #expect(outcome.outcome == .accepted && outcome.confirmationChanged == true)
        let code = try #require(outcome.booking?.confirmation)
        #expect(code != taken.confirmationCode && ConfirmationCode.normalized(code) == code)
        #expect(try store.booking(id.uuidString).confirmationCode == code)
    }

    @Test func aTakenRoomNightIsAConflictOfferingFreeRoomsOfTheTypeOrLargerCheapestFirst() throws {
        try fixture.book(room: "101", from: "2026-12-02", to: "2026-12-04")
        try fixture.book(room: "103", from: "2026-12-01", to: "2026-12-02")
        let id = UUID()
        let outcome = try store.applySync([book("101", booking: id)], by: "anna").results[0]
        #expect(outcome.outcome == .conflict && outcome.code == "room_unavailable")
        #expect(outcome.message?.contains("101") == true)
        let suggested = try #require(outcome.suggestedRooms)
        // Doubles free both nights first (cheapest), then Family rooms; never the Single, never 101 or 103.
        #expect(suggested.map(\.roomNumber) == ["102", "104", "201", "202"])
        #expect(suggested.first?.roomType == "Double" && suggested.last?.roomType == "Family")
        #expect(suggested.map(\.totalPriceCents) == suggested.map(\.totalPriceCents).sorted())
        #expect(throws: FrontDeskError.self) { try store.booking(id.uuidString) }
    }

    // MARK: Idempotency

    @Test func aReplayedPushGetsTheFirstAnswersAndChangesNothing() throws {
        let first = UUID(), second = UUID()
        try fixture.book(room: "104", from: "2026-12-01", to: "2026-12-03")
        let push = [book("101", booking: first, operation: "op-1"), book("104", booking: second, code: "ACD-EFG", operation: "op-2"),
                    change(.cancel, first, base: nil, operation: "op-3")]
        let answered = try store.applySync(push, by: "anna")
        #expect(answered.results.map(\.outcome) == [.accepted, .conflict, .accepted])
        let feed = try store.latestFeedSequence()
        let audit = try fixture.count("audit_entry")
        let bookings = try fixture.count("booking")

        let again = try store.applySync(push, by: "anna")
        #expect(again.results == answered.results)
        #expect(try store.latestFeedSequence() == feed)
        #expect(try fixture.count("audit_entry") == audit)
        #expect(try fixture.count("booking") == bookings)
        #expect(try store.booking(first.uuidString).status == .cancelled)

        // The same id with other content is refused, and changes nothing either.
        let reused = try store.applySync([book("102", booking: UUID(), operation: "op-1")], by: "anna").results[0]
        #expect(reused.outcome == .rejected && reused.code == "conflict")
        #expect(try fixture.count("booking") == bookings)
    }

    // MARK: Versions and dependencies

    @Test func aStaleBaseVersionIsAConflictAndNoBaseVersionSkipsTheCheck() throws {
        let booking = try fixture.book(room: "201", from: "2026-11-26", to: "2026-11-28")
        let stale = try store.applySync([change(.checkIn, booking.id, base: booking.version - 1)], by: "anna").results[0]
        #expect(stale.outcome == .conflict && stale.code == "stale_version")
        #expect(try store.booking(booking.id.uuidString).status == .confirmed)

        // Made on the current version, it applies, though the operation before it was refused.
        let current = try store.applySync([change(.checkIn, booking.id, base: booking.version)], by: "anna").results[0]
        #expect(current.outcome == .accepted && current.booking?.status == "CheckedIn")
        let out = try store.applySync([change(.checkOut, booking.id, base: nil)], by: "anna").results[0]
        #expect(out.outcome == .accepted && out.booking?.status == "CheckedOut")
        // A state the booking cannot leave from is rejected with the command line's code.
        let late = try store.applySync([change(.cancel, booking.id, base: nil)], by: "anna").results[0]
        #expect(late.outcome == .rejected && late.code == "invalid_state")
        let unknown = try store.applySync([change(.checkIn, UUID(), base: nil)], by: "anna").results[0]
        #expect(unknown.outcome == .rejected && unknown.code == "not_found")
    }

    @Test func operationsOnARefusedBookingDependOnItUntilAMoveBooksItAgain() throws {
        try fixture.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let id = UUID()
        let pushed = try store.applySync([book("101", from: "2026-11-26", to: "2026-11-28", booking: id),
                                          change(.checkIn, id, base: nil)], by: "anna")
        #expect(pushed.results.map(\.outcome) == [.conflict, .conflict])
        #expect(pushed.results.map(\.code) == ["room_unavailable", "depends_on_conflict"])
        // In a later push too.
        let later = try store.applySync([change(.checkOut, id, base: nil)], by: "anna").results[0]
        #expect(later.code == "depends_on_conflict")
        // Resolved by a move: the same booking, another room; then its operations apply.
        let moved = try store.applySync([book("102", from: "2026-11-26", to: "2026-11-28", booking: id),
                                         change(.checkIn, id, base: nil)], by: "anna")
        #expect(moved.results.map(\.outcome) == [.accepted, .accepted])
        #expect(try store.booking(id.uuidString).roomNumber == "102")
        #expect(try store.booking(id.uuidString).status == .checkedIn)
    }

    // MARK: Replica and changes

    @Test func replicaPagesHoldEveryBookingExactlyOnceWithItsClaims() throws {
        var made: Set<String> = []
        for (index, number) in ["101", "102", "103", "104", "201", "202", "301"].enumerated() {
            for week in 0..<3 {
                let checkIn = CalendarDate(iso: "2026-12-01")!.adding(days: week * 7 + index % 2)
                let booking = try fixture.book(room: number, from: checkIn.iso, to: checkIn.adding(days: 2).iso, guests: "1")
                made.insert(booking.id.uuidString.lowercased())
            }
        }
        let cancelled = try store.cancel(made.sorted()[3], reason: nil, by: "anna")
        var seen: [String] = []
        var page = try store.replicaPage(after: nil, limit: 5)
        #expect(page.hotel?.name == "Hotel Test" && page.rooms?.count == 7 && page.roomTypes?.count == 3)
        #expect(try page.totalBookings == 21 && page.cursor == store.latestFeedSequence())
        var pages = 1
        while true {
            seen += page.bookings.map(\.bookingId)
            for booking in page.bookings {
                let nights = booking.bookingId == cancelled.id.uuidString.lowercased() ? [] : [booking.checkIn, CalendarDate(iso: booking.checkIn)!.adding(days: 1).iso]
                #expect(booking.claims.map(\.night) == nights)
                #expect(booking.claims.allSatisfy { $0.roomId == booking.roomId })
            }
            guard let next = page.next else { break }
            page = try store.replicaPage(after: UUID(uuidString: next), limit: 5)
            #expect(page.hotel == nil && page.rooms == nil)
            pages += 1
        }
        #expect(pages == 5)
        #expect(seen == seen.sorted() && Set(seen).count == seen.count && Set(seen) == made)
        let stored = try store.booking(cancelled.id.uuidString)
        #expect(try WireBooking(stored, claims: []).booking() == stored)
    }

    @Test func changesAfterACursorNameExactlyTheChangedBookingsAsTheyAreNow() throws {
        let quiet = try fixture.book(room: "102", from: "2026-12-10", to: "2026-12-12")
        let arriving = try fixture.book(room: "201", from: "2026-11-26", to: "2026-11-28")
        let noted = try fixture.book(room: "103", from: "2026-12-10", to: "2026-12-12")
        let cursor = try store.replicaPage(after: nil, limit: 10).cursor
        #expect(try store.changesPage(since: cursor, limit: 10).bookings.isEmpty)

        _ = try store.checkIn(arriving.id.uuidString, by: "anna")
        _ = try store.changeBooking(noted.id.uuidString, BookingEdit(note: "Late arrival"), ChangeRequest(user: "anna"))
        let pushed = UUID()
        _ = try store.applySync([book("104", booking: pushed)], by: "anna")
        _ = try store.cancel(noted.id.uuidString, reason: nil, by: "anna")
        let changes = try store.changesPage(since: cursor, limit: 10)
        #expect(changes.bookings.map(\.bookingId) == [arriving, noted].map { $0.id.uuidString.lowercased() } + [pushed.uuidString.lowercased()])
        #expect(!changes.bookings.contains { $0.bookingId == quiet.id.uuidString.lowercased() })
        #expect(changes.bookings[0].status == "CheckedIn")
        #expect(changes.bookings[1].status == "Cancelled" && changes.bookings[1].notes.map(\.text) == ["Late arrival"])
        #expect(changes.bookings[1].claims.isEmpty)
        #expect(try changes.cursor == store.latestFeedSequence() && !changes.more)
        #expect(changes.rooms == nil && changes.hotel == nil)

        // Paged: one booking a page, each page's cursor the next one's since.
        var since = cursor
        var named: [String] = []
        var pages = 0
        repeat {
            let page = try store.changesPage(since: since, limit: 1)
            named += page.bookings.map(\.bookingId)
            since = page.cursor
            pages += 1
            if !page.more { break }
        } while pages < 10
        // A booking changed again after the page that named it is named again.
        #expect(named == [arriving.id, noted.id, pushed, noted.id].map { $0.uuidString.lowercased() })

        // A room change sends the property whole; nothing after the newest cursor.
        _ = try store.deactivateRoom("301", by: "anna")
        let property = try store.changesPage(since: changes.cursor, limit: 10)
        #expect(property.bookings.isEmpty && property.rooms?.first { $0.roomNumber == "301" }?.isActive == false)
        #expect(property.hotel?.name == "Hotel Test" && property.roomTypes?.count == 3)
        #expect(try store.changesPage(since: property.cursor, limit: 10).bookings.isEmpty)
    }

    @Test func aCursorWhoseChangesWerePrunedOrThatIsAheadIsTooOld() throws {
        try fixture.book(room: "101")
        let old = try store.replicaPage(after: nil, limit: 10).cursor
        fixture.clock.advance(minutes: 10 * 24 * 60)
        try fixture.book(room: "102")
        try fixture.book(room: "103")
        try store.pruneFeed(before: fixture.clock.now.addingTimeInterval(-7 * 86400))
        #expect(throws: ReplicaTooOld.self) { try store.changesPage(since: 0, limit: 10) }
        #expect(throws: ReplicaTooOld.self) { try store.changesPage(since: old - 1, limit: 10) }
        #expect(try store.changesPage(since: old, limit: 10).bookings.count == 2)
        #expect(throws: ReplicaTooOld.self) { try store.changesPage(since: store.latestFeedSequence() + 1, limit: 10) }
    }
}
