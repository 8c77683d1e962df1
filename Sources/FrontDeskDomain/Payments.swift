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

    /// `--payment desk|card --card NUMBER` as typed; every problem reported.
    public static func parse(method: String, card: String?) throws(FrontDeskError) -> PaymentInstruction {
        guard let parsed = PaymentMethod(rawValue: method.lowercased().trimmingCharacters(in: .whitespaces)) else {
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
    /// No answer worth keeping (timeout, server error, circuit open): try again later.
    case unavailable(reason: String, retryAfter: TimeInterval)
}

/// A payment service. Calls block the calling (runner) thread; they never run on the UI thread.
public protocol PaymentGateway: Sendable {
    func charge(_ request: ChargeRequest) -> PaymentOutcome
    func refund(_ request: ChargeRequest) -> PaymentOutcome
    /// For `saga status`: e.g. "circuit closed", "circuit open until 12:00:30".
    var statusDescription: String { get }
}
