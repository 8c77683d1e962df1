import Foundation

/// The booking workflow of the design's BookingStateMachine as a pure function:
/// (status, event) -> decision. No I/O: the store persists the decision and its commands in one
/// transaction, and the runner carries out the commands that leave the process (payments).
///
/// The booking's status is the saga's state, so the two can never disagree. Gaps of the design
/// closed here:
/// - The hold deadline keeps running while payment is taken: a payment that never answers ends
///   in ReservationExpired, not in a room held forever.
/// - A payment that lands after the booking failed or was cancelled is refunded.
/// - Cancellation is defined for every status (see `bookingCancellationRequested`).
public enum BookingSaga {
    public enum Event: Hashable, Sendable {
        case bookingRequested
        case roomReserved
        case roomReservationFailed(reason: String)
        case paymentProcessed(reference: String)
        case paymentFailed(reason: String)
        case bookingCancellationRequested(reason: String?)
        case reservationExpired

        public var name: String {
            switch self {
            case .bookingRequested: "BookingRequested"
            case .roomReserved: "RoomReserved"
            case .roomReservationFailed: "RoomReservationFailed"
            case .paymentProcessed: "PaymentProcessed"
            case .paymentFailed: "PaymentFailed"
            case .bookingCancellationRequested: "BookingCancellationRequested"
            case .reservationExpired: "ReservationExpired"
            }
        }

        /// One of each kind, for exhaustive tests and documentation.
        public static let examples: [Event] = [
            .bookingRequested, .roomReserved, .roomReservationFailed(reason: "Room 101 is out of service"),
            .paymentProcessed(reference: "ch_1"), .paymentFailed(reason: "Card declined"),
            .bookingCancellationRequested(reason: "Guest called"), .reservationExpired,
        ]
    }

    public enum Command: Hashable, Sendable {
        case reserveRoom
        /// Runs the hold deadline: ReservationExpired arrives when it passes.
        case scheduleExpiry
        case processPayment
        case confirmBooking
        case releaseReservation
        case processRefund
        case bookingFailed(reason: String)
    }

    public enum Decision: Hashable, Sendable {
        /// Move to `status` and carry out `commands`, in order.
        case transition(to: BookingStatus, commands: [Command])
        /// Nothing changes (a duplicate or stale message, delivered at least once); the reason says why.
        case ignored(String)
        /// The request is refused; the reason is for the person who asked.
        case refused(String)
    }

    public static let expiredReason = "Reservation expired"

    /// The audit trail's action for a saga step to `status` on `event`, on every store.
    public static func auditAction(_ status: BookingStatus, _ event: Event) -> String {
        switch status {
        case .processingPayment: "booking.paymentStarted"
        case .confirmed: "booking.confirmed"
        case .failed: event == .reservationExpired ? "booking.expired" : "booking.failed"
        case .cancelled: "booking.cancelled"
        default: "booking.changed"
        }
    }

    /// Whether the hold's deadline comes before `event`: the booking still holds its room or pays
    /// for it, and the deadline has passed. Every store then applies ReservationExpired first and
    /// decides `event` against the failed booking, so a late answer never confirms a lapsed hold
    /// (a payment that lands is refunded instead).
    public static func deadlineComesFirst(_ booking: Booking, before event: Event, at instant: Date) -> Bool {
        guard event != .reservationExpired, booking.status == .reserving || booking.status == .processingPayment,
              let deadline = booking.holdExpiresAt else { return false }
        return deadline <= instant
    }

    public static func decide(_ status: BookingStatus, _ event: Event) -> Decision {
        switch (status, event) {
        // A request starts the workflow once; a repeated request is the same booking.
        case (.reserving, .bookingRequested):
            return .transition(to: .reserving, commands: [.reserveRoom, .scheduleExpiry])
        case (_, .bookingRequested):
            return .ignored("The booking was already requested; it is \(status.rawValue)")

        case (.reserving, .roomReserved):
            return .transition(to: .processingPayment, commands: [.processPayment])
        case (_, .roomReserved):
            return .ignored("Room reservation already handled; the booking is \(status.rawValue)")

        case (.reserving, .roomReservationFailed(let reason)):
            return .transition(to: .failed, commands: [.bookingFailed(reason: reason)])
        case (_, .roomReservationFailed):
            return .ignored("Room reservation already handled; the booking is \(status.rawValue)")

        case (.processingPayment, .paymentProcessed):
            return .transition(to: .confirmed, commands: [.confirmBooking])
        case (.failed, .paymentProcessed), (.cancelled, .paymentProcessed):
            // Money that arrived for a booking that no longer exists goes back.
            return .transition(to: status, commands: [.processRefund])
        case (.reserving, .paymentProcessed):
            return .ignored("Payment arrived before it was asked for; ignored")
        case (_, .paymentProcessed):
            return .ignored("Payment already recorded; the booking is \(status.rawValue)")

        case (.processingPayment, .paymentFailed(let reason)):
            return .transition(to: .failed, commands: [.releaseReservation, .bookingFailed(reason: reason)])
        case (_, .paymentFailed):
            return .ignored("A payment failure no longer matters; the booking is \(status.rawValue)")

        case (.reserving, .bookingCancellationRequested), (.processingPayment, .bookingCancellationRequested):
            return .transition(to: .cancelled, commands: [.releaseReservation])
        case (.confirmed, .bookingCancellationRequested):
            return .transition(to: .cancelled, commands: [.processRefund, .releaseReservation])
        case (.checkedIn, .bookingCancellationRequested):
            return .refused("The guest is checked in: check them out instead of cancelling")
        case (.checkedOut, .bookingCancellationRequested):
            return .refused("The guest has checked out; there is nothing to cancel")
        case (.cancelled, .bookingCancellationRequested):
            return .ignored("The booking is already cancelled")
        case (.noShow, .bookingCancellationRequested):
            return .refused("The guest did not come (no-show); there is nothing to cancel")
        case (.failed, .bookingCancellationRequested):
            return .ignored("The booking failed; it holds nothing to cancel")

        case (.reserving, .reservationExpired), (.processingPayment, .reservationExpired):
            return .transition(to: .failed, commands: [.releaseReservation, .bookingFailed(reason: expiredReason)])
        case (_, .reservationExpired):
            return .ignored("The hold no longer matters; the booking is \(status.rawValue)")
        }
    }
}

extension Booking {
    /// Moves this booking to the `status` a saga decision names (`BookingSaga.decide`), with the
    /// reason its event or commands carry; returns the audit entry's summary. Every store's saga
    /// (SQLite, PostgreSQL) takes its steps through here, so their trails read the same.
    public mutating func takeSagaStep(to status: BookingStatus, event: BookingSaga.Event, commands: [BookingSaga.Command],
                                      at instant: Date) throws -> String {
        switch status {
        case .processingPayment:
            try startPayment(at: instant)
            return "Taking payment for booking \(confirmationCode)"
        case .confirmed:
            try confirm(at: instant)
            return "Booking \(confirmationCode) confirmed"
        case .failed:
            let reason = commands.compactMap { if case .bookingFailed(let reason) = $0 { reason } else { nil } }.first
                ?? "Booking failed"
            try fail(reason: reason, at: instant)
            return "Booking \(confirmationCode) failed: \(reason)"
        case .cancelled:
            var reason: String?
            if case .bookingCancellationRequested(let given) = event { reason = given }
            try cancel(reason: reason ?? "Cancelled", at: instant)
            return "Booking \(confirmationCode) cancelled" + (reason.map { ": \($0)" } ?? "")
        default:
            throw FrontDeskError.invalidState("The saga cannot move a booking to \(status.rawValue)")
        }
    }
}
