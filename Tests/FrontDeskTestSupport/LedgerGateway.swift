import Foundation
import FrontDeskDomain
import Synchronization

/// A payment service with a ledger kept by idempotency key, like a real processor, whose calls
/// can be held at a gate so a test decides when an answer lands.
public final class LedgerGateway: PaymentGateway {
    public struct Ledger: Sendable {
        public var charges: [String: String] = [:] // charge key -> charge id
        /// Charge calls per idempotency key (a key called twice was sent twice, charged or not).
        public var chargeCallsByKey: [String: Int] = [:]
        /// Refund calls per booking.
        public var refundCalls: [String: Int] = [:]
        public var refunds: [String: String] = [:] // booking -> refund id
        public var voided: Set<String> = []
        public var chargeCalls = 0
        /// The amount of each booking's charge and refund calls, as sent.
        public var chargedAmounts: [String: Money] = [:]
        public var refundedAmounts: [String: Money] = [:]
        /// Refunds are refused ("No charge to refund"), as by a service that lost its ledger.
        public var refuseRefunds = false
        /// The next this many refund calls meet an outage (503 after the call arrived).
        public var refundOutages = 0
        /// The next charge is made but its answer is lost (a timeout after the service acted).
        public var loseNextChargeAnswer = false
    }

    public init() {}

    public let ledger = Mutex(Ledger())
    /// When set, a charge waits here after it arrived and before the service acts on it.
    public let gate = Mutex<DispatchSemaphore?>(nil)
    public let arrived = DispatchSemaphore(value: 0)

    public func charge(_ request: ChargeRequest) -> PaymentOutcome {
        ledger.withLock {
            $0.chargeCalls += 1
            $0.chargeCallsByKey[request.idempotencyKey, default: 0] += 1
            $0.chargedAmounts[request.bookingId.uuidString.lowercased()] = request.amount
        }
        arrived.signal()
        if let gate = gate.withLock({ $0 }) { gate.wait() }
        return ledger.withLock { ledger in
            let key = request.idempotencyKey
            if ledger.voided.contains(key) { return .declined(reason: "This charge was cancelled before it was made") }
            let id = ledger.charges[key] ?? "ch_\(ledger.charges.count + 1)"
            ledger.charges[key] = id
            if ledger.loseNextChargeAnswer {
                ledger.loseNextChargeAnswer = false
                return .unavailable(reason: "payment service did not answer in time", retryAfter: 2, mayHaveReachedService: true)
            }
            return .succeeded(reference: id)
        }
    }

    public func refund(_ request: ChargeRequest) -> PaymentOutcome {
        ledger.withLock { ledger in
            let booking = request.bookingId.uuidString.lowercased()
            ledger.refundCalls[booking, default: 0] += 1
            ledger.refundedAmounts[booking] = request.amount
            if ledger.refundOutages > 0 {
                ledger.refundOutages -= 1
                return .unavailable(reason: "payment service unavailable (503)", retryAfter: 2, mayHaveReachedService: true)
            }
            if let existing = ledger.refunds[booking] { return .succeeded(reference: existing) }
            guard !ledger.refuseRefunds, ledger.charges.keys.contains("charge-\(booking)") else {
                return .declined(reason: "No charge to refund for this booking")
            }
            let id = "re_\(ledger.refunds.count + 1)"
            ledger.refunds[booking] = id
            return .succeeded(reference: id)
        }
    }

    public func settleUnknownCharge(_ request: ChargeRequest) -> SettlementOutcome {
        ledger.withLock { ledger in
            let booking = request.bookingId.uuidString.lowercased()
            if let refunded = ledger.refunds[booking] { return .refunded(reference: refunded) }
            if ledger.charges[request.idempotencyKey] != nil {
                let id = "re_\(ledger.refunds.count + 1)"
                ledger.refunds[booking] = id
                return .refunded(reference: id)
            }
            ledger.voided.insert(request.idempotencyKey)
            return .voided(reference: "vo_\(ledger.voided.count)")
        }
    }

    public var statusDescription: String { "ledger gateway" }

    /// (charged, refunded) for a booking, as the service's books say.
    public func counts(_ booking: Booking) -> (Int, Int) {
        let id = booking.id.uuidString.lowercased()
        return ledger.withLock { ($0.charges["charge-\(id)"] == nil ? 0 : 1, $0.refunds[id] == nil ? 0 : 1) }
    }
}
