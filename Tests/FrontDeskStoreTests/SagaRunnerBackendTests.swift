import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Synchronization
import Testing

/// One database for the saga's runners, SQLite or PostgreSQL, and a way to open instances on it
/// (each with its own connections, as separate server processes would have).
struct SagaBackend: Sendable, CustomTestStringConvertible {
    struct Instance: Sendable {
        let storage: any ChainStorage
        let queue: any SagaQueue
    }

    let name: String
    /// Makes a new database on the clock; returns what opens an instance on it, on a business date.
    let make: @Sendable (TestClock) throws -> @Sendable (CalendarDate) throws -> Instance
    var testDescription: String { name }

    static let sqlite = SagaBackend(name: "SQLite") { clock in
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-saga-\(UUID().uuidString)")
            .appendingPathComponent("chain.sqlite").path
        return { businessDate in
            let store = try FrontDeskStore(path: path, clock: { clock.now }, businessDate: businessDate,
                                           random: SystemRandomNumberGenerator())
            return Instance(storage: store, queue: store)
        }
    }

    static let postgres = SagaBackend(name: "PostgreSQL") { clock in
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        _ = try PostgresChainStorage.migrate(url: url)
        return { businessDate in
            let chain = try PostgresChainStorage(url: url, poolSize: 4, clock: { clock.now }, businessDate: businessDate)
            return Instance(storage: chain, queue: chain.sagaQueue())
        }
    }

    static let all: [SagaBackend] = [.sqlite, .postgres]
}

/// The saga runner over both databases: the same runner code, its queue on SQLite
/// (`FrontDeskStore`) or PostgreSQL (`PostgresSagaQueue`).
@Suite struct SagaRunnerBackendTests {
    final class Chain: Sendable {
        let clock = TestClock()
        let openOn: @Sendable (CalendarDate) throws -> SagaBackend.Instance
        let first: SagaBackend.Instance
        let hotel: any HotelStorage
        /// Keeps its books by idempotency key, as a real processor does, and counts the calls per key:
        /// a card charged twice by two runners shows even where the books would hide it.
        let service = LedgerGateway()
        let problems = Mutex<[String]>([])

        init(_ backend: SagaBackend, rooms: Int = 2) throws {
            openOn = try backend.make(clock)
            first = try openOn(StoreFixture.today)
            let hotelId = try first.storage.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
            hotel = first.storage.hotel(hotelId)
            _ = try hotel.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
            for number in 0..<rooms { _ = try hotel.addRoom(number: "\(101 + number)", typeName: "Double", by: "admin") }
        }

        /// Another instance on the same database (its own connections), on `businessDate`.
        func open(on businessDate: CalendarDate = StoreFixture.today) throws -> SagaBackend.Instance {
            try openOn(businessDate)
        }

        func runner(_ name: String, on instance: SagaBackend.Instance? = nil, paying: Bool = true) -> SagaRunner {
            SagaRunner(queue: (instance ?? first).queue, gateway: paying ? service : nil, name: name,
                       reportProblem: { [self] line in problems.withLock { $0.append(line) } })
        }

        func book(_ room: String, from checkIn: String = "2026-12-01", to checkOut: String = "2026-12-03", card: Bool) throws -> Booking {
            let request = ReservationRequest(
                form: BookingForm(roomNumber: room, checkIn: checkIn, checkOut: checkOut, guests: "2", guestName: "Ana Lee",
                                  email: "ana@example.com"),
                payment: card ? PaymentInstruction(method: .card, cardNumber: "4242424242424242") : .desk, user: "anna")
            return try hotel.reserveAll([request])[0].get()
        }

        /// A card booking confirmed by `runner`, then cancelled (after `before`): a refund is owed.
        func cancelledAfterPaying(_ runner: SagaRunner, before: () -> Void = {}) throws -> Booking {
            let booking = try book("101", card: true)
            try runner.runUntilIdle()
            #expect(try status(booking).status == .confirmed)
            before()
            let cancelled = try hotel.cancel(booking.confirmationCode, reason: "Plans changed", expectedVersion: nil, by: "anna", via: .server)
            #expect(cancelled.status == .cancelled)
            return booking
        }

        /// Runs the runners at once, each until it finds nothing to do; what they threw.
        static func runTogether(_ runners: [SagaRunner]) -> [String] {
            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: runners.count) { index in
                do { try runners[index].runUntilIdle() } catch { failures.withLock { $0.append("\(error)") } }
            }
            return failures.withLock { $0 }
        }

        static func chargeKey(_ booking: Booking) -> String { "charge-" + booking.id.uuidString.lowercased() }

        func status(_ booking: Booking) throws -> Booking { try hotel.booking(booking.confirmationCode) }

        func saga(_ booking: Booking) throws -> SagaInstance { try first.queue.saga(booking.confirmationCode) }
    }

    @Test(arguments: SagaBackend.all)
    func aDeskAndACardBookingAreConfirmedByTheRunner(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let atDesk = try chain.book("101", card: false)
        let byCard = try chain.book("102", card: true)
        #expect(atDesk.status == .reserving && byCard.status == .reserving)
        try chain.runner("server-A").runUntilIdle()

        #expect(try chain.status(atDesk).status == .confirmed)
        #expect(try chain.status(byCard).status == .confirmed)
        #expect(try chain.saga(atDesk).paymentReference == "desk-\(atDesk.confirmationCode)")
        #expect(try chain.saga(byCard).paymentReference == "ch_1")
        #expect(try chain.saga(byCard).pendingMessages.isEmpty)
        #expect(chain.service.ledger.withLock { $0.chargeCallsByKey } == [Chain.chargeKey(byCard): 1])
        #expect(try chain.first.storage.sagaCounts().underWay == 0)
        #expect(chain.problems.withLock { $0 }.isEmpty)
        if let queue = chain.first.queue as? PostgresSagaQueue {
            #expect(try queue.runnerStatuses().map(\.runner) == ["server-A"])
        }
    }

    @Test(arguments: SagaBackend.all)
    func anExpiredHoldFailsAndFreesItsNights(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let held = try chain.book("101", card: true)
        // No payment service: the hold waits for a charge that is never made.
        let runner = chain.runner("server-A", paying: false)
        try runner.runUntilIdle()
        #expect(try chain.status(held).status == .processingPayment)
        chain.clock.advance(minutes: 14)
        try runner.runUntilIdle()
        #expect(try chain.status(held).status == .processingPayment)

        chain.clock.advance(minutes: 2) // past the hotel's 15-minute hold
        try runner.runUntilIdle()
        let failed = try chain.status(held)
        #expect(failed.status == .failed)
        #expect(failed.statusReason == BookingSaga.expiredReason)
        #expect(try chain.saga(held).pendingMessages.isEmpty)
        // Its nights are for sale again: the search offers the room and a booking takes it.
        let offers = try chain.hotel.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2").result.offers
        #expect(offers.contains { $0.room.number == "101" })
        #expect(try chain.book("101", card: false).status == .reserving)
        #expect(chain.service.ledger.withLock { $0.chargeCallsByKey }.isEmpty)
    }

    /// Another instance's runner may look for card calls while the hold's expiry is not yet done
    /// (its row held by another instance's local pass): a charge of a lapsed hold is not sent (it
    /// would only be refunded); the expiry fails the booking and the message goes with it.
    @Test(arguments: SagaBackend.all)
    func aHoldThatLapsedBeforeItsChargeWasSentIsNeverCharged(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let held = try chain.book("101", card: true)
        try chain.runner("server-A", paying: false).runUntilIdle()
        #expect(try chain.status(held).status == .processingPayment)
        chain.clock.advance(minutes: 15.5)
        let claims = try chain.open().queue.claimDueCardCalls(runner: "server-B", lease: 120, limit: 16, skipping: [])
        #expect(claims.isEmpty, "claimed: \(claims.map(\.call))")
        try chain.runner("server-B").runUntilIdle()
        let failed = try chain.status(held)
        #expect(failed.status == .failed && failed.statusReason == BookingSaga.expiredReason)
        #expect(try chain.saga(held).pendingMessages.isEmpty)
        #expect(chain.service.ledger.withLock { $0.chargeCallsByKey }.isEmpty)
    }

    /// A queue whose local steps fail (a damaged row somewhere), the rest as the database has it.
    struct LocalStepsFail: SagaQueue {
        let queue: any SagaQueue
        struct Damaged: Error {}
        var now: Date { queue.now }
        func runDueLocalMessages(limit: Int) throws -> Int { throw Damaged() }
        func claimDueCardCalls(runner: String, lease: TimeInterval, limit: Int, skipping: Set<Int64>) throws -> [SagaCardCall] {
            try queue.claimDueCardCalls(runner: runner, lease: lease, limit: limit, skipping: skipping)
        }
        func record(_ outcome: SagaCallOutcome, of call: SagaCardCall, runner: String) throws {
            try queue.record(outcome, of: call, runner: runner)
        }
        func reportRunnerStatus(runner: String, paymentService: String) throws {
            try queue.reportRunnerStatus(runner: runner, paymentService: paymentService)
        }
        func saga(_ reference: String) throws -> SagaInstance { try queue.saga(reference) }
        func subscribeToSagaChanges(_ wake: @escaping @Sendable () -> Void) -> UUID? { nil }
        func unsubscribeFromSagaChanges(_ token: UUID) {}
    }

    /// A local step that keeps failing does not keep cards from being charged: the runner's pass
    /// makes its card calls, then says what failed.
    @Test(arguments: SagaBackend.all)
    func aFailingLocalStepDoesNotHoldUpCardCalls(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let paying = try chain.book("101", card: true)
        try chain.runner("server-A", paying: false).runUntilIdle()
        #expect(try chain.status(paying).status == .processingPayment)
        let runner = SagaRunner(queue: LocalStepsFail(queue: chain.first.queue), gateway: chain.service, name: "server-B",
                                reportProblem: { _ in })
        #expect(throws: LocalStepsFail.Damaged.self) { try runner.step() }
        #expect(try chain.status(paying).status == .confirmed)
        #expect(chain.service.ledger.withLock { $0.chargeCallsByKey } == [Chain.chargeKey(paying): 1])
    }

    @Test(arguments: SagaBackend.all)
    func twoRunnersOnOneDatabaseNeverChargeACardTwice(_ backend: SagaBackend) throws {
        let chain = try Chain(backend, rooms: 20)
        var bookings: [Booking] = []
        for number in 101...120 {
            for (checkIn, checkOut) in [("2026-12-01", "2026-12-03"), ("2026-12-05", "2026-12-06")] {
                bookings.append(try chain.book("\(number)", from: checkIn, to: checkOut, card: true))
            }
        }
        // Two instances, each with its own connections and its own runner, working at once.
        #expect(try Chain.runTogether([chain.runner("server-A"), chain.runner("server-B", on: try chain.open())]).isEmpty)
        #expect(chain.problems.withLock { $0 }.isEmpty)

        for booking in bookings { #expect(try chain.status(booking).status == .confirmed) }
        let calls = chain.service.ledger.withLock { $0.chargeCallsByKey }
        #expect(calls.count == bookings.count)
        #expect(calls.values.allSatisfy { $0 == 1 }, "charge calls per card: \(calls.values.sorted())")
        #expect(Set(bookings.map(Chain.chargeKey)) == Set(calls.keys))
    }

    @Test(arguments: SagaBackend.all)
    func aClaimLeftByAKilledRunnerIsTakenOverAfterItsLeaseWithTheSameKey(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let booking = try chain.book("101", card: true)
        try chain.runner("server-A", paying: false).runUntilIdle() // RoomReserved: the charge is queued
        // Runner A claims the charge and calls the service, which charges the card; A is killed
        // before the answer is recorded.
        let killed = try chain.first.queue.claimDueCardCalls(runner: "server-A", lease: 120, limit: 16, skipping: [])
        #expect(killed.count == 1)
        guard let lost = killed.first else { return }
        _ = chain.service.charge(lost.request)
        #expect(try chain.saga(booking).pendingMessages.first?.claimedBy == "server-A")

        // Another instance's runner leaves the claim alone while its lease lasts …
        let other = try chain.open()
        let survivor = chain.runner("server-B", on: other)
        try survivor.runUntilIdle()
        #expect(try chain.status(booking).status == .processingPayment)
        #expect(chain.service.ledger.withLock { $0.chargeCallsByKey[Chain.chargeKey(booking)] } == 1)

        // … and takes it over once the lease has run out, with the same idempotency key: the
        // service answers with the charge it made, and the card is charged once.
        chain.clock.advance(minutes: 2.5)
        try survivor.runUntilIdle()
        let confirmed = try chain.status(booking)
        #expect(confirmed.status == .confirmed)
        let books = chain.service.ledger.withLock { $0 }
        #expect(books.chargeCallsByKey == [lost.request.idempotencyKey: 2])
        #expect(books.charges.count == 1)
        #expect(try chain.saga(booking).paymentReference == books.charges[lost.request.idempotencyKey])
        #expect(try chain.saga(booking).paymentInDoubt == false)

        // The killed runner's answer, should it still arrive, changes nothing.
        try chain.first.queue.record(.event(.paymentProcessed(reference: "ch_late")), of: lost, runner: "server-A")
        #expect(try chain.status(booking).version == confirmed.version)
        #expect(try chain.saga(booking).paymentReference == books.charges[lost.request.idempotencyKey])
    }

    /// A hotel moved whole (`frontdesk-server export` / `import`, issue 13) into a new database
    /// of the same kind: the card booking keeps its charge, so cancelling it there refunds the
    /// card once (not a "desk refund" nobody pays out), an early departure holds only the nights
    /// it kept, so the night it gave back and sold again imports too, and a guest moved to
    /// another room during the stay keeps the night slept in the first room there.
    @Test(arguments: SagaBackend.all)
    func aMovedHotelRefundsItsCardBookingsAndHoldsOnlyTheNightsKept(_ backend: SagaBackend) throws {
        let chain = try Chain(backend, rooms: 4)
        let today = StoreFixture.today
        let byCard = try chain.book("101", card: true)
        let leftEarly = try chain.book("102", from: today.iso, to: today.adding(days: 3).iso, card: false)
        try chain.runner("server-A").runUntilIdle()
        #expect(try chain.status(byCard).status == .confirmed)
        _ = try chain.hotel.checkIn(leftEarly.confirmationCode, expectedVersion: nil, by: "anna")
        _ = try chain.hotel.checkOut(leftEarly.confirmationCode, expectedVersion: nil, by: "anna")
        let resold = try chain.book("102", from: today.adding(days: 1).iso, to: today.adding(days: 2).iso, card: false)
        try chain.runner("server-A").runUntilIdle()
        _ = try chain.hotel.changeBooking(byCard.confirmationCode, BookingEdit(note: "Guest allergic to feathers"),
                                          ChangeRequest(expectedVersion: nil, user: "anna"))
        // A night added after the charge (paid at the desk): the card's refund stays what it paid.
        let cardKey = byCard.id.uuidString.lowercased()
        let charged = try #require(chain.service.ledger.withLock { $0.chargedAmounts[cardKey] })
        let longer = try chain.hotel.changeBooking(byCard.confirmationCode, BookingEdit(checkOut: "2026-12-04"), ChangeRequest(user: "anna"))
        #expect(longer.totalPrice != charged)
        // In room 103 from today, checked in; the next day the guest moves to 104 for the rest.
        let split = try chain.book("103", from: today.iso, to: today.adding(days: 3).iso, card: false)
        try chain.runner("server-A").runUntilIdle()
        _ = try chain.hotel.checkIn(split.confirmationCode, expectedVersion: nil, by: "anna")
        let nextDay = try chain.open(on: today.adding(days: 1)).storage.hotel(try chain.hotel.requireHotelExists().id)
        let movedGuest = try nextDay.move(split.confirmationCode, toRoom: "104", reason: "Noisy", reprice: false, ChangeRequest(user: "anna"))
        #expect(movedGuest.roomSince == today.adding(days: 1))

        let hotel = try chain.hotel.requireHotelExists()
        let transfer = try HotelTransfer.take(hotel, from: chain.hotel)
        #expect(transfer.problems().isEmpty, "\(transfer.problems())")
        #expect(transfer.payments[byCard.id]?.method == .card)
        #expect(transfer.payments[byCard.id]?.chargedCents == charged.minorUnits)
        #expect(transfer.nightsHeld(by: try chain.status(leftEarly)) == [today])
        let rooms = Dictionary(uniqueKeysWithValues: try chain.hotel.rooms().map { ($0.room.number, $0.room.id) })
        let splitClaims = try #require(transfer.claimsHeld(by: movedGuest))
        #expect(splitClaims.map(\.night) == [today, today.adding(days: 1), today.adding(days: 2)])
        #expect(splitClaims.map(\.roomId) == [rooms["103"], rooms["104"], rooms["104"]])
        let moved = try backend.make(chain.clock)(StoreFixture.today)
        if let postgres = moved.storage as? PostgresChainStorage {
            try postgres.importHotel(transfer, by: "admin")
        } else {
            try #require(moved.storage as? FrontDeskStore).importHotel(transfer, by: "admin")
        }
        let there = moved.storage.hotel(hotel.id)
        let again = try HotelTransfer.take(hotel, from: there)
        #expect(again.nightsHeld(by: try there.booking(leftEarly.confirmationCode)) == [today])
        #expect(again.nightsHeld(by: try there.booking(resold.confirmationCode)) == [today.adding(days: 1)])
        #expect(again.payments == transfer.payments)
        #expect(again.claimsHeld(by: try there.booking(split.confirmationCode)) == splitClaims)
        #expect(try there.booking(split.confirmationCode).roomSince == today.adding(days: 1))
        // The night slept in 103 is still held there: 103 is not offered for it.
        let freeTonight = try there.stampedSearch(checkIn: today.iso, checkOut: today.adding(days: 1).iso, guests: "1").result.offers.map(\.room.number)
        #expect(!freeTonight.contains("103") && freeTonight.contains("104"), "\(freeTonight)")
        #expect(try there.booking(byCard.confirmationCode).notes.map(\.text) == ["Guest allergic to feathers"], "notes come along")

        let cancelled = try there.cancel(byCard.confirmationCode, reason: "Plans changed", expectedVersion: nil, by: "anna", via: .server)
        #expect(cancelled.status == .cancelled)
        try chain.runner("server-B", on: moved).runUntilIdle()
        let saga = try moved.queue.saga(byCard.confirmationCode)
        #expect(saga.paymentMethod == .card)
        #expect(saga.refundReference == "re_1")
        #expect(chain.service.ledger.withLock { $0.refundCalls } == [byCard.id.uuidString.lowercased(): 1])
        #expect(chain.service.ledger.withLock { $0.refundedAmounts[cardKey] } == charged)
    }

    /// A refund still owed (the payment service was down when the booking was cancelled) would
    /// be left behind by a move: the export is refused until it is paid back.
    @Test(arguments: SagaBackend.all)
    func aHotelWithARefundStillOwedIsNotMoved(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let booking = try chain.cancelledAfterPaying(chain.runner("server-A"))
        let hotel = try chain.hotel.requireHotelExists()
        let owed = try HotelTransfer.take(hotel, from: chain.hotel)
        #expect(owed.problems().contains { $0.contains(booking.confirmationCode) && $0.contains("refund under way") }, "\(owed.problems())")
        try chain.runner("server-A").runUntilIdle()
        #expect(try HotelTransfer.take(hotel, from: chain.hotel).problems().isEmpty)
    }

    @Test(arguments: SagaBackend.all)
    func aCancelledCardBookingIsRefundedOnce(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let first = chain.runner("server-A")
        let booking = try chain.cancelledAfterPaying(first)
        #expect(try Chain.runTogether([first, chain.runner("server-B", on: try chain.open())]).isEmpty)
        try first.runUntilIdle()

        let saga = try chain.saga(booking)
        #expect(saga.refundReference == "re_1")
        #expect(saga.pendingMessages.isEmpty)
        let id = booking.id.uuidString.lowercased()
        #expect(chain.service.ledger.withLock { $0.refundCalls } == [id: 1])
        #expect(try chain.status(booking).status == .cancelled)
    }

    @Test(arguments: SagaBackend.all)
    func aRefundTheServiceKeepsRefusingStopsAndAsksForAPerson(_ backend: SagaBackend) throws {
        let chain = try Chain(backend)
        let runner = chain.runner("server-A")
        let booking = try chain.cancelledAfterPaying(runner) { chain.service.ledger.withLock { $0.refuseRefunds = true } }

        // Refused, it is tried again after 1, 2, 4, 8 and 16 minutes, then left for a person.
        for wait in [0.0, 1, 2, 4, 8, 16] {
            chain.clock.advance(minutes: wait)
            try runner.runUntilIdle()
            #expect(try chain.saga(booking).attention == nil || wait == 16)
        }
        let saga = try chain.saga(booking)
        #expect(saga.attention?.contains("Refund needs attention: the payment service refused 6 times") == true)
        #expect(saga.pendingMessages.isEmpty)
        #expect(saga.refundReference == nil)
        #expect(try chain.first.storage.sagaCounts().needingAttention == 1)
        #expect(chain.service.ledger.withLock { $0.refundCalls } == [booking.id.uuidString.lowercased(): 6])

        // The person fixed the service's books: `retryStoppedPayment` (`frontdesk-server saga
        // retry`) queues the refund again on either backend, and it is paid once.
        chain.service.ledger.withLock { $0.refuseRefunds = false }
        _ = try chain.first.storage.retryStoppedPayment(booking.confirmationCode, by: "max")
        #expect(try chain.saga(booking).attention == nil)
        try runner.runUntilIdle()
        #expect(chain.service.counts(booking) == (1, 1))
        #expect(try chain.saga(booking).refundReference != nil)
        #expect(try chain.first.storage.sagaCounts().needingAttention == 0)
        #expect(throws: FrontDeskError.self) { try chain.first.storage.retryStoppedPayment(booking.confirmationCode, by: "max") }
    }
}
