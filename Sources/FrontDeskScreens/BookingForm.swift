import Foundation
import FrontDeskDomain

public enum BookingField: Int, CaseIterable, Hashable, Sendable {
    case guestName, email, phone, guests, payment, card

    var label: String {
        switch self {
        case .guestName: "Guest name"
        case .email: "Email"
        case .phone: "Phone"
        case .guests: "Guests"
        case .payment: "Payment"
        case .card: "Card"
        }
    }

    /// Which field a validation message belongs next to.
    static func owning(_ problem: String) -> BookingField? {
        if problem.hasPrefix("Guest name") { return .guestName }
        if problem.contains("email") { return .email }
        if problem.hasPrefix("Phone") { return .phone }
        if problem.hasPrefix("Guest count") || problem.contains("sleeps at most") { return .guests }
        if problem.contains("FRONTDESK_PAYMENT_URL") { return nil } // the desk's set-up, not the field
        if problem.contains("Card") || problem.contains("card") { return .card }
        return nil
    }
}

/// Where a submitted booking is, as the saga moves it.
public enum BookingProgress: Hashable, Sendable {
    /// Enter was pressed: the booking is being written off the UI thread (another desk or
    /// command may hold the file's write lock for a while).
    case saving
    case holding(code: String)
    case takingPayment(code: String)
    case confirmed(code: String)
    case failed(code: String, reason: String)
    case refused(String)

    public var text: String {
        switch self {
        case .saving: "Saving the booking…"
        case .holding(let code): "Holding the room (booking \(code))…"
        case .takingPayment(let code): "Taking payment (booking \(code))…"
        case .confirmed(let code): "✔ Confirmed: \(code)"
        case .failed(let code, BookingSaga.expiredReason):
            "✘ Booking \(code) failed: the hold on the room lapsed before the payment was taken (\(BookingSaga.expiredReason))"
        case .failed(let code, let reason): "✘ Booking \(code) failed: \(reason)"
        case .refused(let reason): "✘ \(reason)"
        }
    }

    /// The booking did not happen: the form can be tried again.
    public var isFailure: Bool {
        switch self {
        case .failed, .refused: true
        default: false
        }
    }

    public var isFinished: Bool {
        switch self {
        case .saving, .holding, .takingPayment: false
        case .confirmed, .failed, .refused: true
        }
    }
}

/// The new-booking form for one offered room. Kept when the receptionist leaves the screen.
public struct BookingFormState: Sendable {
    /// The room: another of the same type when the first was taken (Alt-n).
    public var offer: RoomOffer
    public let stay: StayDates
    public var guestName = ""
    public var email = ""
    public var phone = ""
    public var guests: String
    public var payment = PaymentMethod.desk
    public var card = ""
    public var focus = BookingField.guestName {
        didSet { if focus != oldValue { replaceOnType = focus == .guests } }
    }
    /// The pre-filled guest count is replaced by the first digit typed into it.
    public var replaceOnType = false
    /// Another booking holds the form's room for these nights (seen on a refresh or on Enter).
    public var roomTaken = false
    /// A line about the form itself ("Room 102 instead of 101").
    public var notice: String?
    /// Shown once the receptionist tried to submit; then kept current as they type.
    public var problems: [String] = []
    public var triedToSubmit = false
    public var bookingId: UUID?
    public var progress: BookingProgress?
    /// Where Esc goes when the booking is done with: the search, or the room plan it came from.
    public var returnsTo = ScreenID.search
    /// The write under way while `progress` is `.saving`: its outcome is this form's.
    public var savingWrite: Int?
    /// Keys for the form typed while it was saving: handled, in order, once the outcome is in
    /// (into the fields again if the booking was refused; a held booking takes no more typing).
    public var typedAhead: [Key] = []
    /// The request of a submission that answered with an error, not a booking, and what it
    /// asked: Enter again with the same details and payment asks under the same request id, so a
    /// booking whose answer was lost (made, perhaps charged) is returned, never made twice.
    /// Anything changed in between is a new request.
    var unanswered: (requestId: UUID, form: BookingForm, payment: PaymentInstruction)?

    public init(offer: RoomOffer, stay: StayDates, guests: Int) {
        self.offer = offer
        self.stay = stay
        self.guests = String(guests)
    }

    /// A form for another room or stay, keeping the guest typed into `replaced` when that one
    /// was not booked (not submitted, or failed): Enter on another room, or other nights, opened
    /// a blank form and the walk-in's details were gone without a word. A card number is not
    /// carried (it is typed again for the new total).
    public func keepingGuest(of replaced: BookingFormState?) -> BookingFormState {
        guard let replaced, replaced.progress == nil || replaced.progress?.isFailure == true else { return self }
        var form = self
        form.guestName = replaced.guestName
        form.email = replaced.email
        form.phone = replaced.phone
        form.payment = replaced.payment
        // Said, so an abandoned walk-in's details are not taken for the next guest's.
        let who = replaced.guestName.trimmingCharacters(in: .whitespaces)
        if !(who.isEmpty && replaced.email.isEmpty && replaced.phone.isEmpty) {
            form.notice = "Guest details kept from the unfinished booking form\(who.isEmpty ? "" : " (\(who))"): Ctrl-U empties them for another guest"
        }
        return form
    }

    var form: BookingForm {
        BookingForm(roomNumber: offer.room.number, checkIn: stay.checkIn.iso, checkOut: stay.checkOut.iso, guests: guests,
                    guestName: guestName, email: email, phone: phone)
    }

    var fields: [BookingField] { payment == .card ? BookingField.allCases : BookingField.allCases.filter { $0 != .card } }

    /// The card number as shown once typed: every digit but the last four hidden.
    var maskedCard: String {
        let digits = card.filter(\.isNumber)
        guard digits.count > 4 else { return String(repeating: "•", count: digits.count) }
        return String(repeating: "•", count: digits.count - 4) + String(digits.suffix(4))
    }

    func text(of field: BookingField) -> String {
        switch field {
        case .guestName: guestName
        case .email: email
        case .phone: phone
        case .guests: guests
        case .payment: payment.rawValue
        case .card: card
        }
    }

    static let limits: [BookingField: Int] = [.guestName: 100, .email: 254, .phone: 32, .guests: 3, .card: 23]

    mutating func type(_ character: Character) {
        guard focus != .payment else { return }
        if replaceOnType, focus == .guests { guests = "" }
        replaceOnType = false
        guard text(of: focus).count < Self.limits[focus, default: 100] else { return }
        switch focus {
        case .guestName: guestName.append(character)
        case .email: email.append(character)
        case .phone: phone.append(character)
        case .guests: guests.append(character)
        case .card: card.append(character)
        case .payment: break
        }
    }

    mutating func erase() {
        replaceOnType = false
        switch focus {
        case .guestName: _ = guestName.popLast()
        case .email: _ = email.popLast()
        case .phone: _ = phone.popLast()
        case .guests: _ = guests.popLast()
        case .card: _ = card.popLast()
        case .payment: break
        }
    }
}
