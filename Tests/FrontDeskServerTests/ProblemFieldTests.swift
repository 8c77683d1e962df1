@testable import FrontDeskServer
import Testing

/// A `validation_failed` problem names the request field each rule is about, so a client can put
/// the message beside its input (issue 11).
@Suite struct ProblemFieldTests {
    @Test(arguments: [
        ("Guest count must be between 1 and 10", "guests"),
        ("Capacity must be between 1 and 10", "capacity"),
        ("Base price 'abc' is not an amount (use e.g. 129.00)", "basePrice"),
        ("status 'Lost' is not one of Reserving, ProcessingPayment, Confirmed", "status"),
        ("from '2026-13-01' is not a date (use YYYY-MM-DD)", "from"),
        ("Check-in date cannot be in the past (business date is 2026-11-26)", "checkIn"),
        ("Valid email address is required", "email"),
        ("A card payment needs payment.card", "payment.card"),
        ("Card number must have 12 to 19 digits", "payment.card"),
        ("Card number is mistyped: its last digit does not match the others (check it against the card)", "payment.card"),
        ("Guest name looks like a card number: a card goes only in the payment's card field", "guestName"),
        ("Room 101 (Double) sleeps at most 2 guests; booking KMN-PQR is for 3", "guests"),
        ("Room 101 (Double) sleeps at most 2 guests", "guests"),
        ("Note is longer than 500 characters", "note"),
        ("Reason cannot contain control characters (found \\u{0})", "reason"),
        ("Something else entirely", "body"),
    ])
    func eachRuleNamesItsField(_ message: String, _ field: String) {
        #expect(Problem.field(of: message) == field)
    }
}
