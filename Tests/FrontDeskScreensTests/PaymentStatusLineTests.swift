import Foundation
import FrontDeskDomain
import FrontDeskPayments
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Testing

/// Issue 10, item 8: the desk's status line says when card payments cannot go through, and when a
/// refund needs a person, before the count of bookings under way.
@Suite struct PaymentStatusLineTests {
    @Test func anUnreachablePaymentServiceIsOnTheStatusLine() throws {
        var fixture = try ScreenFixture()
        let clock = fixture.desk.clock
        let gateway = HTTPPaymentGateway(baseURL: URL(string: "http://127.0.0.1:1")!, timeout: 2, attempts: 3, backoff: 0.01,
                                         breaker: CircuitBreaker(clock: { clock.now }), jitter: { 1 })
        let runner = SagaRunner(store: fixture.desk.store, gateway: gateway, reportProblem: { _ in })
        _ = try fixture.desk.store.reserve(fixture.desk.form(room: "101"),
                                           payment: PaymentInstruction(method: .card, cardNumber: "4242424242424242"), by: "anna")
        for _ in 0..<3 {
            try runner.runUntilIdle()
            clock.advance(minutes: 0.1)
        }
        let counts = try fixture.desk.store.sagaCounts()
        fixture.model.setBackgroundWork(DeskTerminalApp.backgroundWork(
            underWay: counts.underWay, needingAttention: counts.needingAttention, paymentNotice: runner.paymentServiceNotice))
        let statusLine = fixture.screen(140, 30).split(separator: "\n").first.map(String.init) ?? ""
        #expect(statusLine.contains("background: Payment service unreachable: cards fail now"))
        #expect(statusLine.contains("idle"))
    }

    @Test func theWordsPutWhatNeedsAPersonFirst() {
        #expect(DeskTerminalApp.backgroundWork(underWay: 0, needingAttention: 0, paymentNotice: nil) == "idle")
        #expect(DeskTerminalApp.backgroundWork(underWay: 2, needingAttention: 1, paymentNotice: "Waiting for payment service: 1 card (12 s)")
            == "Waiting for payment service: 1 card (12 s) · 1 payment needs attention (frontdesk saga status) · 2 bookings in progress")
    }
}
