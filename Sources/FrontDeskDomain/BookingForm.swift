import Foundation

/// A booking as a receptionist typed it: every field still text, so that a date with letters in it
/// is reported together with every other problem instead of stopping at the first.
extension BookingForm {
    /// Same details and payment, same fingerprint: what an idempotent retry must repeat exactly
    /// (a key reused with another body, another payment method or card included, is refused).
    public func idempotencyFingerprint(payment: PaymentInstruction) -> String {
        ([roomNumber, checkIn, checkOut, guests, guestName, email, phone].map { $0.trimmingWhitespace() }
            + [payment.fingerprintPart].compactMap { $0 }).joined(separator: "\u{1F}")
    }
}

public struct BookingForm: Hashable, Sendable {
    public var roomNumber: String
    public var checkIn: String
    public var checkOut: String
    public var guests: String
    public var guestName: String
    public var email: String
    public var phone: String

    public init(roomNumber: String = "", checkIn: String = "", checkOut: String = "", guests: String = "",
                guestName: String = "", email: String = "", phone: String = "") {
        self.roomNumber = roomNumber
        self.checkIn = checkIn
        self.checkOut = checkOut
        self.guests = guests
        self.guestName = guestName
        self.email = email
        self.phone = phone
    }
}

/// A validated request to book one room.
public struct BookingRequest: Hashable, Sendable {
    public let roomNumber: String
    public let stay: StayDates
    public let guestCount: Int
    public let guest: Guest

    public init(roomNumber: String, stay: StayDates, guestCount: Int, guest: Guest) {
        self.roomNumber = roomNumber
        self.stay = stay
        self.guestCount = guestCount
        self.guest = guest
    }
}

/// The design's CreateBookingRequestValidator and availability checks, with its gaps closed.
public enum BookingRules {
    public static let guestRange = 1...10
    /// Longer stays are long-term lets, handled by contract, not at the desk.
    public static let maximumNights = 30
    /// Two years ahead; mostly catches a mistyped year.
    public static let maximumDaysAhead = 730
    /// Lengths count Unicode scalars (see `TextRules`).
    public static let maximumNameLength = 100
    public static let maximumEmailLength = 254
    public static let maximumPhoneLength = 32
    /// A cancellation's reason, kept in the booking and the audit trail.
    public static let maximumReasonLength = 200
    /// Who is at the desk (`--user`), as the audit trail records it.
    public static let maximumUserLength = 64
    /// A booking id (36) or confirmation code (7), with room to spare for a mistyped one.
    public static let maximumReferenceLength = 64

    /// What validation needs to know besides the form.
    public struct Context: Sendable {
        public var businessDate: CalendarDate
        public var hotelExists: Bool
        /// The room the form names, with its type, if the hotel has such a room.
        public var room: (room: Room, type: RoomType)?
        /// The night still under way (`Hotel.nightUnderWay`), which may still be sold: a walk-in
        /// after midnight sleeps the night that began the evening before.
        public var nightUnderWay: CalendarDate?
        /// Whether a name holding a card number is refused: a name typed now is; one stored
        /// before the rule, which an edit of another field carries along, is not.
        public var refusesCardNumberInName = true

        public init(businessDate: CalendarDate, hotelExists: Bool, room: (room: Room, type: RoomType)?,
                    nightUnderWay: CalendarDate? = nil) {
            self.businessDate = businessDate
            self.hotelExists = hotelExists
            self.room = room
            self.nightUnderWay = nightUnderWay
        }
    }

    /// Every violated rule, in form order; an empty list means `request(from:)` succeeds.
    public static func problems(in form: BookingForm, context: Context) -> [String] {
        do {
            _ = try validate(form, context: context)
            return []
        } catch {
            return error.details
        }
    }

    public static func validate(_ form: BookingForm, context: Context) throws(FrontDeskError) -> BookingRequest {
        var problems: [String] = []
        if !context.hotelExists { problems.append("No hotel is set up in this database (run `frontdesk demo` first)") }

        let roomNumber = form.roomNumber.trimmingWhitespace()
        if roomNumber.isEmpty {
            problems.append("Room is required")
        } else if let problem = TextRules.problem(in: roomNumber, field: "Room", maximum: Room.maximumNumberLength) {
            problems.append(problem)
        } else if context.room == nil && context.hotelExists {
            problems.append("Room \(quoted(roomNumber)) does not exist")
        }

        let stay = validStay(checkIn: form.checkIn, checkOut: form.checkOut,
                             businessDate: context.businessDate, nightUnderWay: context.nightUnderWay, into: &problems)

        let guestText = form.guests.trimmingWhitespace()
        let guestCount = Int(guestText)
        if guestText.isEmpty {
            problems.append("Guest count is required")
        } else if let problem = guestCountProblem(guestText) {
            problems.append(problem)
        } else if let (room, type) = context.room, let guestCount,
                  let problem = type.capacityProblem(roomNumber: room.number, guests: guestCount) {
            problems.append(problem)
        }

        let name = form.guestName.trimmingWhitespaceAndNewlines()
        if name.isEmpty {
            problems.append("Guest name is required")
        } else if let problem = TextRules.problem(in: name, field: "Guest name", maximum: maximumNameLength) {
            problems.append(problem)
        } else if context.refusesCardNumberInName, CardNumber.appears(in: name) {
            // Stored, it would be printed masked ever after: the name lost, the card kept on file.
            problems.append(cardNumberInField("Guest name"))
        }

        let email = form.email.trimmingWhitespace()
        if let problem = TextRules.problem(in: email, field: "Email address", maximum: maximumEmailLength) {
            problems.append(problem)
        } else if !isValidEmail(email) {
            problems.append("Valid email address is required")
        }

        let phone = form.phone.trimmingWhitespace()
        if let problem = TextRules.problem(in: phone, field: "Phone number", maximum: maximumPhoneLength) {
            problems.append(problem)
        } else if !phone.isEmpty && !isValidPhone(phone) {
            problems.append("Phone number may hold 5 to 20 digits with spaces and + - ( ) . only")
        }

        if !problems.isEmpty { throw .validationFailed(problems) }
        return BookingRequest(
            roomNumber: roomNumber,
            stay: stay!,
            guestCount: guestCount!,
            guest: Guest(name: name, email: email, phone: phone.isEmpty ? nil : phone)
        )
    }

    /// The refusal of a card number typed into a field that is not for one. (A phone number is
    /// not checked: one in ten international numbers typed without "+" passes the card rule.)
    static func cardNumberInField(_ field: String) -> String {
        "\(field) looks like a card number: a card goes only in the payment's card field"
    }

    public static func isValidEmail(_ email: String) -> Bool {
        var email = email
        return email.withUTF8(isValidEmail)
    }

    /// Printable ASCII only, so each byte is one character and the rules read bytes (a booking
    /// checks its e-mail on the writer's thread; Character-wise this took 2 % of a push).
    static func isValidEmail(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty, bytes.count <= maximumEmailLength, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }),
              let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes[(at + 1)...].firstIndex(of: UInt8(ascii: "@")) == nil
        else { return false }
        let local = bytes[..<at], domain = bytes[(at + 1)...]
        let dot = UInt8(ascii: "."), hyphen = UInt8(ascii: "-")
        guard !local.isEmpty, local.count <= 64, local.allSatisfy(isLocalPartByte), local.first != dot, local.last != dot,
              !zip(local, local.dropFirst()).contains(where: { $0 == dot && $1 == dot }) else { return false }
        let labels = domain.split(separator: dot, omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && label.first != hyphen && label.last != hyphen
                && label.allSatisfy { isASCIILetter($0) || isASCIIDigit($0) || $0 == hyphen }
        } && labels.last!.count >= 2 && labels.last!.allSatisfy(isASCIILetter)
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    private static func isASCIIDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    /// Letters, digits and `.!#$%&'*+/=?^_`{|}~-`.
    private static func isLocalPartByte(_ byte: UInt8) -> Bool {
        isASCIILetter(byte) || isASCIIDigit(byte) || "!#$%&'*+-./=?^_`{|}~".utf8.contains(byte)
    }

    public static func isValidPhone(_ phone: String) -> Bool {
        let allowed = Set("0123456789 +-().")
        let digits = phone.filter(\.isNumber).count
        return phone.allSatisfy(allowed.contains) && (5...20).contains(digits) && phone.unicodeScalars.count <= maximumPhoneLength
    }

    /// The stay rules shared by search and booking: both dates well formed, check-in not before the
    /// business date (or the night still under way, `nightUnderWay`) nor too far ahead, check-out
    /// after check-in, at most `maximumNights`.
    public static func validStay(checkIn: String, checkOut: String, businessDate: CalendarDate, nightUnderWay: CalendarDate? = nil,
                                 into problems: inout [String]) -> StayDates? {
        let checkInDate = parseDate(checkIn, field: "Check-in date", into: &problems)
        let checkOutDate = parseDate(checkOut, field: "Check-out date", into: &problems)
        if let checkInDate {
            if checkInDate < businessDate && checkInDate != nightUnderWay {
                let stillSold = nightUnderWay.map { "; " + ChangeWording.nightStillOnSale($0) } ?? ""
                problems.append("Check-in date cannot be in the past (business date is \(businessDate)\(stillSold))")
            } else if businessDate.days(until: checkInDate) > maximumDaysAhead {
                problems.append("Check-in date is more than \(maximumDaysAhead) days ahead")
            }
        }
        guard let checkInDate, let checkOutDate else { return nil }
        return stayOfAllowedLength(checkIn: checkInDate, checkOut: checkOutDate, into: &problems)
    }

    /// The stay between two dates if check-out is after check-in and it is at most
    /// `maximumNights` long; otherwise nil, with the problem added.
    public static func stayOfAllowedLength(checkIn: CalendarDate, checkOut: CalendarDate, into problems: inout [String]) -> StayDates? {
        guard let stay = StayDates(checkIn: checkIn, checkOut: checkOut) else {
            problems.append("Check-out date must be after check-in date")
            return nil
        }
        if stay.nightCount > maximumNights {
            problems.append("A stay of \(stay.nightCount) nights is longer than the \(maximumNights)-night maximum")
            return nil
        }
        return stay
    }

    /// Parses a strict `YYYY-MM-DD`; reports a missing or malformed value by field name.
    public static func parseDate(_ text: String, field: String, into problems: inout [String]) -> CalendarDate? {
        let trimmed = text.trimmingWhitespace()
        if trimmed.isEmpty {
            problems.append("\(field) is required")
            return nil
        }
        guard let date = CalendarDate(iso: trimmed) else {
            problems.append("\(field) \(quoted(trimmed)) is not a date (use YYYY-MM-DD)")
            return nil
        }
        guard CalendarDate.supportedRange.contains(date) else {
            problems.append("\(field) \(date) is outside the supported dates (\(CalendarDate.supportedRangeDescription))")
            return nil
        }
        return date
    }

    /// A booking id or confirmation code as typed: refused (validation) when it could not be one
    /// for its control characters or length, so it is never echoed raw nor looked up.
    public static func checkReference(_ reference: String, field: String = "Booking reference") throws(FrontDeskError) {
        if let problem = TextRules.problem(in: reference, field: field, maximum: maximumReferenceLength) {
            throw .validationFailed([problem])
        }
    }

    /// Why a typed guest count is refused (nil: a whole number of 1 to 10): "two" or "2.5" is
    /// not said to be out of a range it is in.
    public static func guestCountProblem(_ text: String) -> String? {
        guard let count = Int(text.trimmingWhitespace()) else {
            return "Guest count \(quoted(text)) is not a whole number (\(guestRange.lowerBound) to \(guestRange.upperBound))"
        }
        return guestRange.contains(count) ? nil : "Guest count must be between \(guestRange.lowerBound) and \(guestRange.upperBound)"
    }

    /// Echoes user text in a message without letting a huge paste flood the screen (counted in
    /// scalars, so a flood of combining marks is cut too) or a control character reach the terminal.
    public static func quoted(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard scalars.count > 24 else { return "'\(TextRules.escaped(text))'" }
        var head = String.UnicodeScalarView()
        head.append(contentsOf: scalars.prefix(21))
        return "'\(TextRules.escaped(String(head)))...'"
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, answered without Foundation when the
    /// text already starts and ends with a printable ASCII character (a typed name nearly always).
    public func trimmingWhitespaceAndNewlines() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last,
              first.value > 0x20, first.value < 0x7F, last.value > 0x20, last.value < 0x7F else {
            return trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return self
    }
}
