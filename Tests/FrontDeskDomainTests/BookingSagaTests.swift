import FrontDeskDomain
import Testing

/// Every (status, event) pair of the booking saga, written out.
@Suite struct BookingSagaTransitionTableTests {
    typealias S = BookingStatus
    typealias E = BookingSaga.Event

    static let requested = E.bookingRequested
    static let reserved = E.roomReserved
    static let reserveFailed = E.roomReservationFailed(reason: "Room 101 is out of service")
    static let paid = E.paymentProcessed(reference: "ch_1")
    static let declined = E.paymentFailed(reason: "Card declined")
    static let cancel = E.bookingCancellationRequested(reason: "Guest called")
    static let expired = E.reservationExpired

    /// "->STATUS: commands" for a transition, "ignored" or "refused".
    static let table: [(S, E, String)] = [
        (.reserving, requested, "->Reserving: reserveRoom, scheduleExpiry"),
        (.reserving, reserved, "->ProcessingPayment: processPayment"),
        (.reserving, reserveFailed, "->Failed: bookingFailed(Room 101 is out of service)"),
        (.reserving, paid, "ignored"),
        (.reserving, declined, "ignored"),
        (.reserving, cancel, "->Cancelled: releaseReservation"),
        (.reserving, expired, "->Failed: releaseReservation, bookingFailed(Reservation expired)"),

        (.processingPayment, requested, "ignored"),
        (.processingPayment, reserved, "ignored"),
        (.processingPayment, reserveFailed, "ignored"),
        (.processingPayment, paid, "->Confirmed: confirmBooking"),
        (.processingPayment, declined, "->Failed: releaseReservation, bookingFailed(Card declined)"),
        (.processingPayment, cancel, "->Cancelled: releaseReservation"),
        (.processingPayment, expired, "->Failed: releaseReservation, bookingFailed(Reservation expired)"),

        (.confirmed, requested, "ignored"),
        (.confirmed, reserved, "ignored"),
        (.confirmed, reserveFailed, "ignored"),
        (.confirmed, paid, "ignored"),
        (.confirmed, declined, "ignored"),
        (.confirmed, cancel, "->Cancelled: processRefund, releaseReservation"),
        (.confirmed, expired, "ignored"),

        (.checkedIn, requested, "ignored"),
        (.checkedIn, reserved, "ignored"),
        (.checkedIn, reserveFailed, "ignored"),
        (.checkedIn, paid, "ignored"),
        (.checkedIn, declined, "ignored"),
        (.checkedIn, cancel, "refused"),
        (.checkedIn, expired, "ignored"),

        (.checkedOut, requested, "ignored"),
        (.checkedOut, reserved, "ignored"),
        (.checkedOut, reserveFailed, "ignored"),
        (.checkedOut, paid, "ignored"),
        (.checkedOut, declined, "ignored"),
        (.checkedOut, cancel, "refused"),
        (.checkedOut, expired, "ignored"),

        (.failed, requested, "ignored"),
        (.failed, reserved, "ignored"),
        (.failed, reserveFailed, "ignored"),
        (.failed, paid, "->Failed: processRefund"),
        (.failed, declined, "ignored"),
        (.failed, cancel, "ignored"),
        (.failed, expired, "ignored"),

        (.cancelled, requested, "ignored"),
        (.cancelled, reserved, "ignored"),
        (.cancelled, reserveFailed, "ignored"),
        (.cancelled, paid, "->Cancelled: processRefund"),
        (.cancelled, declined, "ignored"),
        (.cancelled, cancel, "ignored"),
        (.cancelled, expired, "ignored"),

        // A no-show (issue 14) was Confirmed: paid, its remaining nights freed; nothing more to do.
        (.noShow, requested, "ignored"),
        (.noShow, reserved, "ignored"),
        (.noShow, reserveFailed, "ignored"),
        (.noShow, paid, "ignored"),
        (.noShow, declined, "ignored"),
        (.noShow, cancel, "refused"),
        (.noShow, expired, "ignored"),
    ]

    static func describe(_ decision: BookingSaga.Decision) -> String {
        switch decision {
        case .ignored: return "ignored"
        case .refused: return "refused"
        case .transition(let status, let commands):
            let names = commands.map { command -> String in
                switch command {
                case .bookingFailed(let reason): "bookingFailed(\(reason))"
                default: "\(command)"
                }
            }
            return "->\(status.rawValue): " + names.joined(separator: ", ")
        }
    }

    @Test func theTableCoversEveryStatusAndEveryEvent() {
        let pairs = Set(Self.table.map { "\($0.0.rawValue)/\($0.1.name)" })
        #expect(pairs.count == BookingStatus.allCases.count * BookingSaga.Event.examples.count)
        #expect(Self.table.count == pairs.count)
    }

    @Test(arguments: table.indices)
    func eachPairHasItsDefinedOutcome(_ row: Int) {
        let (status, event, expected) = Self.table[row]
        #expect(Self.describe(BookingSaga.decide(status, event)) == expected, "\(status.rawValue) + \(event.name)")
    }

    @Test func refusalsAndNoOpsSaySoInWords() {
        #expect(BookingSaga.decide(.checkedIn, Self.cancel) == .refused("The guest is checked in: check them out instead of cancelling"))
        #expect(BookingSaga.decide(.cancelled, Self.cancel) == .ignored("The booking is already cancelled"))
        #expect(BookingSaga.decide(.failed, Self.cancel) == .ignored("The booking failed; it holds nothing to cancel"))
    }

    @Test func aHangingPaymentStillEndsAtTheHoldDeadline() {
        // The design unscheduled expiry once the room was reserved; here it keeps running.
        guard case .transition(let status, let commands) = BookingSaga.decide(.processingPayment, .reservationExpired) else {
            Issue.record("expiry ignored while payment is pending")
            return
        }
        #expect(status == .failed)
        #expect(commands.contains(.releaseReservation))
    }
}
