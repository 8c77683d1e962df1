import Foundation

/// How the guest pays: at the desk (cash, the card terminal: recorded by the receptionist and
/// settled at once) or by card through the payment service.
public enum PaymentMethod: String, CaseIterable, Hashable, Sendable {
    case desk
    case card
}

public struct PaymentInstruction: Hashable, Sendable {
    public let method: PaymentMethod
    /// Card number for `card`; kept only until the charge is settled.
    public let cardNumber: String?

    public static let desk = PaymentInstruction(method: .desk, cardNumber: nil)

    public init(method: PaymentMethod, cardNumber: String?) {
        self.method = method
        self.cardNumber = cardNumber
    }

    /// What of the payment an idempotent retry must repeat, for a booking request's fingerprint:
    /// nothing for the desk (so fingerprints stay as they were before payments were part of
    /// them); for a card, its last four digits (never the number: the fingerprint is stored).
    public var fingerprintPart: String? {
        guard method == .card else { return nil }
        return "card " + String((cardNumber ?? "").filter(\.isNumber).suffix(4))
    }

    /// `--payment desk|card --card NUMBER` as typed; every problem reported.
    public static func parse(method: String, card: String?) throws(FrontDeskError) -> PaymentInstruction {
        guard let parsed = PaymentMethod(rawValue: method.lowercased().trimmingWhitespace()) else {
            throw .validationFailed(["Payment \(BookingRules.quoted(method)) is unknown (use desk or card)"])
        }
        let digits = card?.filter { $0 != " " && $0 != "-" } ?? ""
        switch parsed {
        case .desk:
            return .desk
        case .card:
            guard (12...19).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw .validationFailed([card == nil ? "A card payment needs --card NUMBER"
                                                      : "Card number must have 12 to 19 digits"])
            }
            // A digit mistyped or two swapped fail the check digit: refused here, not sent to be
            // charged (and a number failing it is no card the masking of output would hide).
            guard CardNumber.luhn(digits.utf8.map { $0 - UInt8(ascii: "0") }) else {
                throw .validationFailed(["Card number is mistyped: its last digit does not match the others (check it against the card)"])
            }
            return PaymentInstruction(method: .card, cardNumber: digits)
        }
    }
}

public struct ChargeRequest: Hashable, Sendable {
    public let bookingId: UUID
    public let amount: Money
    public let currency: String
    public let cardNumber: String
    /// The same on every retry of this charge, so the service takes it once.
    public let idempotencyKey: String

    public init(bookingId: UUID, amount: Money, currency: String, cardNumber: String, idempotencyKey: String) {
        self.bookingId = bookingId
        self.amount = amount
        self.currency = currency
        self.cardNumber = cardNumber
        self.idempotencyKey = idempotencyKey
    }
}

public enum PaymentOutcome: Hashable, Sendable {
    case succeeded(reference: String)
    /// A final answer: the card was declined, the refund refused.
    case declined(reason: String)
    /// No answer worth keeping (timeout, server error, no connection): try again later.
    /// `mayHaveReachedService` is false only when the request certainly never reached the service
    /// (connection refused, circuit open before the first try): such a charge is not in doubt.
    case unavailable(reason: String, retryAfter: TimeInterval, mayHaveReachedService: Bool)
    /// The service cannot be reached and the circuit breaker is open: nothing was sent, and callers
    /// should not wait for it (a booking paying by card fails fast, saying so).
    case unreachable(reason: String)
}

/// How a charge whose outcome was unknown was settled by its idempotency key.
public enum SettlementOutcome: Hashable, Sendable {
    /// The charge had been made; it is refunded now (or was already).
    case refunded(reference: String)
    /// The charge had not been made; the service will refuse it from now on.
    case voided(reference: String)
    /// The service refused to settle (it does not know the call): a person must look.
    case refused(reason: String)
    /// No answer: try again later.
    case unavailable(reason: String, retryAfter: TimeInterval)
}

/// A payment service. Calls block the calling (runner) thread; they never run on the UI thread.
/// Every call carries an idempotency key that is the same on every retry of the same intent.
public protocol PaymentGateway: Sendable {
    func charge(_ request: ChargeRequest) -> PaymentOutcome
    func refund(_ request: ChargeRequest) -> PaymentOutcome
    /// Settles a charge whose outcome is unknown (call in flight, timed out, runner died) for a
    /// booking that no longer holds its room: refunded if it was made, voided if not, so a charge
    /// still on its way is refused when it lands. `request.idempotencyKey` is the charge's key.
    func settleUnknownCharge(_ request: ChargeRequest) -> SettlementOutcome
    /// For `saga status` and the desk's status line: e.g. "circuit closed", "circuit open until 12:00:30".
    /// Never contains a password.
    var statusDescription: String { get }
    /// The same, for code that decides what to say.
    var health: PaymentServiceHealth { get }
}

/// How the payment service has been answering lately (its circuit breaker).
public enum PaymentServiceHealth: Hashable, Sendable {
    case answering
    /// Recent calls failed; still trying.
    case failing(consecutiveFailures: Int)
    /// Nothing is sent until then.
    case unreachable(until: Date)
    /// One trial call decides.
    case trying
}

extension PaymentGateway {
    public var health: PaymentServiceHealth { .answering }
}
