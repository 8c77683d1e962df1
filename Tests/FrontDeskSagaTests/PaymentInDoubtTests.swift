import Foundation
import FrontDeskDomain
import FrontDeskPayments
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Synchronization
import Testing

@Suite struct PaymentInDoubtTests {
    let desk: StoreFixture
    let gateway = LedgerGateway()

    init() throws { desk = try StoreFixture() }

    var store: FrontDeskStore { desk.store }

    func runner(_ name: String) -> SagaRunner {
        SagaRunner(store: store, gateway: gateway, name: name, reportProblem: { _ in })
    }

    func book(room: String = "101") throws -> Booking {
        try store.reserve(desk.form(room: room), payment: PaymentInstruction(method: .card, cardNumber: PaymentSimulator.approveCard), by: "anna")
    }

    func status(_ booking: Booking) throws -> Booking { try store.booking(booking.confirmationCode) }

    /// Issue 9, item 1: a charge that succeeds after the hold lapsed, with two runners, is refunded exactly once.
    @Test func aChargeThatLandsAfterTheHoldLapsedIsRefundedExactlyOnce() throws {
        let booking = try book()
        let first = runner("runner-A"), second = runner("runner-B")
        try first.processLocalWork() // RoomReserved -> ProcessingPayment + ProcessPayment
        desk.clock.advance(minutes: 14.5)
        let gate = DispatchSemaphore(value: 0)
        gateway.gate.withLock { $0 = gate }
        let firstDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? first.step()
            firstDone.signal()
        }
        gateway.arrived.wait() // the charge is at the service, unanswered
        desk.clock.advance(minutes: 1) // the hold lapses while it is out
        try second.runUntilIdle()
        let expired = try status(booking)
        #expect(expired.status == .failed)
        #expect(expired.statusReason == "Reservation expired")
        #expect(try store.saga(booking.confirmationCode).paymentInDoubt) // not final: the charge is still out
        #expect(try store.unfinishedSagas().map(\.booking.id) == [booking.id])

        gate.signal() // the service charges the card and answers
        firstDone.wait()
        gateway.gate.withLock { $0 = nil }
        try first.runUntilIdle()
        try second.runUntilIdle()
        try first.runUntilIdle()
        #expect(gateway.counts(booking) == (1, 1))
        #expect(try status(booking).status == .failed)
        #expect(try store.unfinishedSagas().isEmpty)
        #expect(try store.saga(booking.confirmationCode).refundReference == "re_1")
        #expect(gateway.ledger.withLock { $0.refunds.count } == 1)
    }

    /// The same race against the real simulator over HTTP: its 0.5 s latency keeps the charge out
    /// while the hold lapses and another runner fails the booking.
    @Test func theRaceAgainstTheRealSimulatorRefundsOnce() throws {
        let simulator = try PaymentSimulator(port: 0, latency: 0.5)
        simulator.start()
        defer { simulator.stop() }
        let clock = desk.clock
        let http = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:\(simulator.port)")!, attempts: 1,
                                      breaker: CircuitBreaker(clock: { clock.now }))
        let first = SagaRunner(store: store, gateway: http, name: "runner-A", reportProblem: { _ in })
        let second = SagaRunner(store: store, gateway: http, name: "runner-B", reportProblem: { _ in })
        let booking = try book()
        try first.processLocalWork()
        desk.clock.advance(minutes: 14.5)
        let firstDone = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            _ = try? first.step()
            firstDone.signal()
        }
        // The call is out once runner A's claim is in the file.
        while try store.saga(booking.confirmationCode).pendingMessages.first(where: { $0.name == "ProcessPayment" })?.claimedBy == nil {
            Thread.sleep(forTimeInterval: 0.01)
        }
        desk.clock.advance(minutes: 1)
        try second.runUntilIdle()
        #expect(try status(booking).status == .failed)
        firstDone.wait()
        try first.runUntilIdle()
        try second.runUntilIdle()
        let entry = simulator.report.first { $0["bookingId"] as? String == booking.id.uuidString.lowercased() }
        #expect(entry?["charged"] as? Int == 1)
        #expect(entry?["refunded"] as? Int == 1)
        #expect(try store.unfinishedSagas().isEmpty)
    }

    /// A card booking whose stay changed after its charge (a night added, paid at the desk; a
    /// night taken off, repaid there): its cancellation gives back what the guest paid in all,
    /// once. Longer: the card gets its charge back (never more than it was charged) and the audit
    /// says the desk repays what it took for the added nights. Shorter: the card gets the new
    /// total (the rest was repaid at the desk; the whole charge paid that back twice).
    @Test(arguments: ["2026-12-05", "2026-12-02"])
    func aCancellationRefundsWhatTheGuestPaidOnceWhateverTheStayBecame(_ newCheckOut: String) throws {
        let booking = try book()
        try runner("runner-A").runUntilIdle()
        let confirmed = try status(booking)
        #expect(confirmed.status == .confirmed)
        let key = booking.id.uuidString.lowercased()
        let charged = try #require(gateway.ledger.withLock { $0.chargedAmounts[key] })
        #expect(charged == confirmed.totalPrice)
        let changed = try store.changeBooking(booking.confirmationCode, BookingEdit(checkOut: newCheckOut), ChangeRequest(user: "anna"))
        #expect(changed.stay.checkOut.iso == newCheckOut)
        #expect(changed.totalPrice != charged)
        _ = try store.cancel(booking.confirmationCode, reason: "Plans changed", by: "anna")
        try runner("runner-A").runUntilIdle()
        #expect(try status(booking).status == .cancelled)
        #expect(gateway.counts(booking) == (1, 1))
        let refunded = try #require(gateway.ledger.withLock { $0.refundedAmounts[key] })
        #expect(refunded == min(charged, changed.totalPrice))
        let trail = try store.auditTrail(bookingReference: booking.confirmationCode).first { $0.action == "booking.refunded" }
        let summary = try #require(trail?.summary)
        #expect(summary.contains("\(refunded.plain) EUR to the card"), "\(summary)")
        if changed.totalPrice > charged {
            let atDesk = Money(minorUnits: changed.totalPrice.minorUnits - charged.minorUnits)
            #expect(summary.contains("\(atDesk.plain) EUR paid at the desk for nights added is to be repaid there"), "\(summary)")
        } else {
            #expect(!summary.contains("at the desk"), "\(summary)")
        }
    }

    /// A charge whose answer was lost (timeout) is asked again with the same key: while the hold
    /// stands, that is the same charge, and the booking is confirmed, charged once.
    @Test func aTimeoutFollowedBySuccessConfirmsWithOneCharge() throws {
        let booking = try book()
        gateway.ledger.withLock { $0.loseNextChargeAnswer = true }
        let runner = runner("runner-A")
        try runner.runUntilIdle()
        #expect(try status(booking).status == .processingPayment)
        #expect(try store.saga(booking.confirmationCode).paymentInDoubt)
        desk.clock.advance(minutes: 1)
        try runner.runUntilIdle()
        #expect(try status(booking).status == .confirmed)
        #expect(gateway.counts(booking) == (1, 0))
        #expect(gateway.ledger.withLock { $0.chargeCalls } == 2)
        #expect(try store.unfinishedSagas().isEmpty)
    }

    /// The same, but the hold lapses before the retry: the charge that was made is refunded.
    @Test func aTimeoutAndThenALapsedHoldRefundsTheChargeThatWasMade() throws {
        let booking = try book()
        gateway.ledger.withLock { $0.loseNextChargeAnswer = true }
        let runner = runner("runner-A")
        try runner.runUntilIdle()
        desk.clock.advance(minutes: 15)
        try runner.runUntilIdle()
        #expect(try status(booking).status == .failed)
        #expect(gateway.counts(booking) == (1, 1))
        #expect(try store.unfinishedSagas().isEmpty)
        let trail = try store.auditTrail(bookingReference: booking.confirmationCode).map(\.summary)
        #expect(trail.contains { $0.contains("had been made; refunded") })
    }

    /// A runner killed mid-call leaves its claim; once the hold lapsed, the next runner settles
    /// the charge by its key: here the service never got it, so it is voided, and a late copy of
    /// that charge is refused.
    @Test func aRunnerKilledMidCallIsSettledByTheNextRunner() throws {
        let booking = try book()
        try runner("runner-A").processLocalWork()
        let gone = "runner-999999@\(SagaRunner.machinePlace)~1f" // a process of this machine, gone
        try DatabaseQueue(path: store.path).write { db in
            try db.execute(sql: "UPDATE saga_message SET claimed_by = ?, claimed_until = ? WHERE name = 'ProcessPayment'",
                           arguments: [gone, Timestamp.text(desk.clock.now.addingTimeInterval(120))])
        }
        desk.clock.advance(minutes: 15)
        try runner("runner-B").runUntilIdle()
        #expect(try status(booking).status == .failed)
        #expect(try store.unfinishedSagas().isEmpty)
        #expect(gateway.counts(booking) == (0, 0))
        let late = gateway.charge(ChargeRequest(bookingId: booking.id, amount: booking.totalPrice, currency: "EUR",
                                                cardNumber: PaymentSimulator.approveCard,
                                                idempotencyKey: "charge-\(booking.id.uuidString.lowercased())"))
        #expect(late == .declined(reason: "This charge was cancelled before it was made"))
        let trail = try store.auditTrail(bookingReference: booking.confirmationCode).map(\.action)
        #expect(trail.contains("booking.paymentVoided"))
    }

    /// Issue 10, item 8: a slow payment service is said on the desk's status line, and one slow
    /// card holds up no other booking's payment in the background loop.
    @Test func aSlowCardIsShownAndHoldsUpNoOtherPayment() throws {
        let slow = try book(room: "101")
        let runner = runner("runner-A")
        try runner.processLocalWork()
        #expect(runner.paymentServiceNotice == nil)
        let gate = DispatchSemaphore(value: 0)
        gateway.gate.withLock { $0 = gate }
        #expect(try runner.step(waitForAnswers: false)) // the slow card's call goes out and hangs
        gateway.arrived.wait()
        gateway.gate.withLock { $0 = nil } // later calls answer at once
        desk.clock.advance(minutes: 0.1)
        #expect(runner.paymentServiceNotice == "Waiting for payment service: 1 card (6 s)")
        let quick = try book(room: "102")
        for _ in 0..<5 { try runner.step(waitForAnswers: false) }
        var waited = 0
        while try status(quick).status != .confirmed, waited < 200 {
            Thread.sleep(forTimeInterval: 0.01)
            try runner.step(waitForAnswers: false)
            waited += 1
        }
        #expect(try status(quick).status == .confirmed)
        #expect(try status(slow).status == .processingPayment)
        gate.signal()
        while try status(slow).status != .confirmed, waited < 400 {
            Thread.sleep(forTimeInterval: 0.01)
            waited += 1
        }
        #expect(try status(slow).status == .confirmed)
        #expect(runner.paymentServiceNotice == nil)
    }

    /// A charge never sent (no claim, no attempt) needs no settling when the booking is cancelled.
    @Test func cancellingBeforeAnyCallSettlesNothing() throws {
        let booking = try book()
        try runner("runner-A").processLocalWork()
        _ = try store.cancel(booking.confirmationCode, reason: nil, by: "anna", via: .commandLine)
        #expect(try store.unfinishedSagas().isEmpty)
        try runner("runner-A").runUntilIdle()
        #expect(gateway.ledger.withLock { $0.chargeCalls } == 0)
        #expect(try status(booking).statusReason == "Cancelled from the command line by anna")
    }

    /// Issue 9, item 3: a refund the service refuses is retried with growing waits, then stops
    /// and asks for a person; `saga retry` queues it again.
    @Test func aRefundTheServiceRefusesNeedsAttentionAfterAnHourAndCanBeRetried() throws {
        let booking = try book()
        let runner = runner("runner-A")
        try runner.runUntilIdle()
        #expect(try status(booking).status == .confirmed)
        gateway.ledger.withLock { $0.refuseRefunds = true }
        _ = try store.cancel(booking.confirmationCode, reason: "Guest called", by: "anna")
        var waits: [TimeInterval] = []
        for _ in 0..<SagaRunner.refusalsBeforeAttention {
            try runner.runUntilIdle()
            if let next = try store.saga(booking.confirmationCode).pendingMessages.first(where: { $0.name == "ProcessRefund" }) {
                waits.append(next.availableAt.timeIntervalSince(desk.clock.now))
                desk.clock.advance(minutes: next.availableAt.timeIntervalSince(desk.clock.now) / 60 + 0.01)
            }
        }
        #expect(waits.map { Int(($0 / 60).rounded()) } == [1, 2, 4, 8, 16])
        let stopped = try store.saga(booking.confirmationCode)
        #expect(stopped.pendingMessages.isEmpty)
        #expect(stopped.attention?.hasPrefix("Refund needs attention") == true)
        #expect(try store.unfinishedSagas().map(\.booking.id) == [booking.id]) // shown, not pretended done
        desk.clock.advance(minutes: 600)
        try runner.runUntilIdle()
        #expect(gateway.counts(booking) == (1, 0)) // no retry for ever

        gateway.ledger.withLock { $0.refuseRefunds = false }
        _ = try store.retryStoppedPayment(booking.confirmationCode, by: "manager")
        try runner.runUntilIdle()
        #expect(gateway.counts(booking) == (1, 1))
        #expect(try store.unfinishedSagas().isEmpty)
        #expect(try store.saga(booking.confirmationCode).attention == nil)
    }

    /// Outages are not refusals: a refund that met a long outage, then a first refusal, is
    /// retried after the first wait (1 minute), not stopped for a person at once.
    @Test func aRefundRefusedAfterAnOutageWaitsAsAFirstRefusal() throws {
        let booking = try book()
        let runner = runner("runner-A")
        try runner.runUntilIdle()
        gateway.ledger.withLock { $0.refundOutages = 8 }
        _ = try store.cancel(booking.confirmationCode, reason: "Guest called", by: "anna")
        for _ in 0..<8 {
            try runner.runUntilIdle()
            desk.clock.advance(minutes: 3.0 / 60)
        }
        #expect(gateway.ledger.withLock { $0.refundOutages } == 0)
        gateway.ledger.withLock { $0.refuseRefunds = true }
        try runner.runUntilIdle()
        let saga = try store.saga(booking.confirmationCode)
        #expect(saga.attention == nil, "\(saga.attention ?? "")")
        let next = try #require(saga.pendingMessages.first { $0.name == "ProcessRefund" })
        #expect(Int((next.availableAt.timeIntervalSince(desk.clock.now) / 60).rounded()) == 1)
    }

    /// Issue 9, item 4: an unreachable service fails the booking fast once the circuit is open,
    /// saying so, instead of holding the room until the deadline.
    @Test func anUnreachableServiceFailsTheBookingOnceTheCircuitIsOpen() throws {
        let clock = desk.clock
        let unreachable = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, timeout: 2, attempts: 3, backoff: 0.01,
                                             breaker: CircuitBreaker(clock: { clock.now }), jitter: { 1 })
        let runner = SagaRunner(store: store, gateway: unreachable, reportProblem: { _ in })
        let booking = try book()
        var rounds = 0
        while try status(booking).status == .processingPayment || status(booking).status == .reserving, rounds < 10 {
            try runner.runUntilIdle()
            desk.clock.advance(minutes: 0.1)
            rounds += 1
        }
        let failed = try status(booking)
        #expect(failed.status == .failed)
        #expect(failed.statusReason?.hasPrefix("Payment service unreachable") == true)
        #expect(rounds <= 3)
        #expect(desk.clock.now < booking.holdExpiresAt!) // long before the hold would have ended
        #expect(try store.unfinishedSagas().isEmpty) // nothing was sent, so nothing is in doubt
        #expect(runner.paymentServiceNotice?.hasPrefix("Payment service unreachable: cards fail now") == true)
    }

    /// A card booking whose charge is under way is not confirmed as paid at the desk: the
    /// charge's success would then be ignored and the guest pay twice.
    @Test func aCardBookingIsNotConfirmedAsPaidAtTheDesk() throws {
        let booking = try book()
        #expect(throws: FrontDeskError.invalidState("Booking \(booking.confirmationCode) is paid by card: the payment service confirms it")) {
            try store.confirm(booking.confirmationCode, by: "anna")
        }
        try runner("runner-a").runUntilIdle()
        #expect(try status(booking).status == .confirmed)
        #expect(gateway.ledger.withLock { $0.charges.count } == 1)
    }

    /// A card number is kept only until its charge is answered, and then not even in the file's
    /// free space: the bytes of a cleared number are overwritten, not merely unlinked from the row
    /// (a stolen backup of the desk's file holds no card numbers of settled payments).
    @Test func aSettledCardNumberLeavesNoBytesInTheFile() throws {
        let bookings = try ["101", "102", "103"].map { try book(room: $0) }
        try runner("runner-a").runUntilIdle()
        #expect(try bookings.allSatisfy { try status($0).status == .confirmed })
        let path = store.path
        try store.close()
        let file = try Data(contentsOf: URL(fileURLWithPath: path))
        let log = (try? Data(contentsOf: URL(fileURLWithPath: path + "-wal"))) ?? Data()
        #expect(log.isEmpty, "the log was copied into the file at close")
        #expect(file.range(of: Data(PaymentSimulator.approveCard.utf8)) == nil, "a settled card number is still in the file's bytes")
    }
}

@Suite struct CircuitBreakerTests {
    @Test func halfOpenLetsExactlyOneTrialThrough() {
        let clock = TestClock()
        let breaker = CircuitBreaker(threshold: 2, openFor: 30, clock: { clock.now })
        breaker.recordFailure()
        breaker.recordFailure()
        #expect(breaker.waitBeforeCalling() != nil)
        clock.advance(minutes: 0.5)
        #expect(breaker.waitBeforeCalling() == nil) // the trial
        #expect(breaker.waitBeforeCalling() != nil) // everyone else waits for it
        #expect(breaker.waitBeforeCalling() != nil)
        breaker.recordSuccess()
        #expect(breaker.waitBeforeCalling() == nil)
        #expect(breaker.waitBeforeCalling() == nil)
    }

    /// A trial that proves nothing (a card the service answers 500 for, a timeout) hands the
    /// trial on: it re-opened the circuit, and one bad card retried while in doubt kept taking
    /// every trial, so every good card failed as "unreachable" for minutes after a short outage.
    @Test func anInconclusiveTrialHandsTheTrialToTheNextCaller() {
        let clock = TestClock()
        let breaker = CircuitBreaker(threshold: 1, openFor: 30, clock: { clock.now })
        breaker.recordFailure()
        clock.advance(minutes: 0.5)
        #expect(breaker.waitBeforeCalling() == nil) // the bad card's retry takes the trial
        #expect(breaker.waitBeforeCalling() != nil) // others wait for it
        breaker.recordInconclusive()
        #expect(!breaker.isOpen)
        #expect(breaker.waitBeforeCalling() == nil) // a good card takes the next trial
        breaker.recordSuccess()
        #expect(breaker.current == .closed(failures: 0))
        #expect(breaker.waitBeforeCalling() == nil)
    }

    @Test func aFailedTrialOpensTheCircuitAgain() {
        let clock = TestClock()
        let breaker = CircuitBreaker(threshold: 1, openFor: 30, clock: { clock.now })
        breaker.recordFailure()
        clock.advance(minutes: 0.5)
        #expect(breaker.waitBeforeCalling() == nil)
        breaker.recordFailure()
        #expect(breaker.isOpen)
        #expect(breaker.waitBeforeCalling() != nil)
    }
}

@Suite struct PaymentAddressTests {
    @Test func aBadAddressIsRefusedNamingWhereItCameFrom() {
        for text in ["ht!tp://", "ftp://127.0.0.1", "http://", "http://127.0.0.1:70000", "127.0.0.1:8099"] {
            #expect(throws: FrontDeskError.self) { try PaymentServiceAddress.parse(text, source: "FRONTDESK_PAYMENT_URL") }
        }
        do {
            _ = try PaymentServiceAddress.parse("http://127.0.0.1:99999", source: "payment_url in ~/.config/frontdesk/config.toml")
            Issue.record("port 99999 accepted")
        } catch {
            #expect(error.details.first?.contains("payment_url in ~/.config/frontdesk/config.toml") == true)
            #expect(error.details.first?.contains("1 to 65535") == true)
        }
        #expect((try? PaymentServiceAddress.parse("https://pay.example:8443/v1", source: "x"))?.port == 8443)
    }

    @Test func aPasswordInTheAddressIsNeverShown() throws {
        let gateway = HTTPPaymentGateway(baseURL: try PaymentServiceAddress.parse("http://desk:s3cret@127.0.0.1:8099", source: "x"))
        #expect(!gateway.statusDescription.contains("s3cret"))
        #expect(gateway.statusDescription.contains("127.0.0.1:8099"))
        do {
            _ = try PaymentServiceAddress.parse("http://desk:s3cret@127.0.0.1:70000", source: "FRONTDESK_PAYMENT_URL")
        } catch {
            #expect(!error.message.contains("s3cret"))
        }
    }

    @Test func retriesWaitWithJitter() {
        let low = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, attempts: 1, backoff: 0, jitter: { 0.5 })
        let high = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, attempts: 1, backoff: 0, jitter: { 1.4 })
        let request = ChargeRequest(bookingId: UUID(), amount: Money(minorUnits: 100), currency: "EUR", cardNumber: "4242424242424242",
                                    idempotencyKey: "charge-x")
        guard case .unavailable(_, let lowWait, let lowReached) = low.charge(request),
              case .unavailable(_, let highWait, _) = high.charge(request) else {
            Issue.record("a refused connection should be unavailable")
            return
        }
        #expect(lowWait == 1.0)
        #expect(highWait == 2.8)
        #expect(!lowReached) // connection refused: the charge never reached the service
    }
}

/// Refunds name their currency and amount to the payment service, and the simulator keeps and
/// checks them (it kept neither: a refund in another currency, or of more than the charge, went
/// through, and `GET /charges` could not say how much went back).
@Suite struct RefundAmountTests {
    @Test func aRefundSaysItsCurrencyAndTheSimulatorKeepsItsAmount() throws {
        let simulator = try PaymentSimulator(port: 0)
        simulator.start()
        defer { simulator.stop() }
        let gateway = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:\(simulator.port)")!, attempts: 1)
        let booking = UUID()
        func request(_ cents: Int64, _ currency: String, key: String) -> ChargeRequest {
            ChargeRequest(bookingId: booking, amount: Money(minorUnits: cents), currency: currency,
                          cardNumber: PaymentSimulator.approveCard, idempotencyKey: key)
        }
        guard case .succeeded = gateway.charge(request(22_810, "EUR", key: "charge-1")) else {
            Issue.record("the charge failed")
            return
        }
        guard case .declined(let otherCurrency) = gateway.refund(request(7_600, "USD", key: "refund-usd")) else {
            Issue.record("a refund in another currency than the charge's went through")
            return
        }
        #expect(otherCurrency.contains("USD") && otherCurrency.contains("EUR"))
        guard case .declined(let tooMuch) = gateway.refund(request(30_000, "EUR", key: "refund-too-much")) else {
            Issue.record("a refund of more than the charge went through")
            return
        }
        #expect(tooMuch.contains("300.00"))
        guard case .succeeded = gateway.refund(request(7_600, "EUR", key: "refund-1")) else {
            Issue.record("the refund failed")
            return
        }
        let entry = try #require(simulator.report.first { $0["bookingId"] as? String == booking.uuidString.lowercased() })
        #expect(entry["refunded"] as? Int == 1)
        #expect((entry["refundedAmount"] as? NSNumber)?.decimalValue == Decimal(string: "76"))
        #expect((entry["amount"] as? NSNumber)?.decimalValue == Decimal(string: "228.1"))
    }
}
