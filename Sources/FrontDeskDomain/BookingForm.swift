import Foundation

/// A booking as a receptionist typed it: every field still text, so that a date with letters in it
/// is reported together with every other problem instead of stopping at the first.
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
    public static let maximumNameLength = 100
    public static let maximumEmailLength = 254

    /// What validation needs to know besides the form.
    public struct Context: Sendable {
        public var businessDate: CalendarDate
        public var hotelExists: Bool
        /// The room the form names, with its type, if the hotel has such a room.
        public var room: (room: Room, type: RoomType)?

        public init(businessDate: CalendarDate, hotelExists: Bool, room: (room: Room, type: RoomType)?) {
            self.businessDate = businessDate
            self.hotelExists = hotelExists
            self.room = room
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

        let roomNumber = form.roomNumber.trimmingCharacters(in: .whitespaces)
        if roomNumber.isEmpty {
            problems.append("Room is required")
        } else if context.room == nil && context.hotelExists {
            problems.append("Room \(quoted(roomNumber)) does not exist")
        }

        let stay = validStay(checkIn: form.checkIn, checkOut: form.checkOut,
                             businessDate: context.businessDate, into: &problems)

        let guestText = form.guests.trimmingCharacters(in: .whitespaces)
        let guestCount = Int(guestText)
        if guestText.isEmpty {
            problems.append("Guest count is required")
        } else if let guestCount, guestRange.contains(guestCount) {
            if let (room, type) = context.room, guestCount > type.capacity {
                problems.append("Room \(room.number) (\(type.name)) sleeps at most \(type.capacity) guest\(type.capacity == 1 ? "" : "s")")
            }
        } else {
            problems.append("Guest count must be between \(guestRange.lowerBound) and \(guestRange.upperBound)")
        }

        let name = form.guestName.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty {
            problems.append("Guest name is required")
        } else if name.count > maximumNameLength {
            problems.append("Guest name is longer than \(maximumNameLength) characters")
        } else if name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            problems.append("Guest name cannot contain control characters")
        }

        let email = form.email.trimmingCharacters(in: .whitespaces)
        if !isValidEmail(email) { problems.append("Valid email address is required") }

        let phone = form.phone.trimmingCharacters(in: .whitespaces)
        if !phone.isEmpty && !isValidPhone(phone) {
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

    public static func isValidEmail(_ email: String) -> Bool {
        guard !email.isEmpty, email.count <= maximumEmailLength, email.allSatisfy({ $0.isASCII }) else { return false }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64 else { return false }
        let local = parts[0], domain = parts[1]
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        guard local.allSatisfy(localAllowed.contains), !local.hasPrefix("."), !local.hasSuffix("."),
              !local.contains("..") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        return labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        } && labels.last!.count >= 2 && labels.last!.allSatisfy(\.isLetter)
    }

    public static func isValidPhone(_ phone: String) -> Bool {
        let allowed = Set("0123456789 +-().")
        let digits = phone.filter(\.isNumber).count
        return phone.allSatisfy(allowed.contains) && (5...20).contains(digits) && phone.count <= 32
    }

    /// The stay rules shared by search and booking: both dates well formed, check-in not before the
    /// business date nor too far ahead, check-out after check-in, at most `maximumNights`.
    public static func validStay(checkIn: String, checkOut: String, businessDate: CalendarDate,
                                 into problems: inout [String]) -> StayDates? {
        let checkInDate = parseDate(checkIn, field: "Check-in date", into: &problems)
        let checkOutDate = parseDate(checkOut, field: "Check-out date", into: &problems)
        if let checkInDate {
            if checkInDate < businessDate {
                problems.append("Check-in date cannot be in the past (business date is \(businessDate))")
            } else if businessDate.days(until: checkInDate) > maximumDaysAhead {
                problems.append("Check-in date is more than \(maximumDaysAhead) days ahead")
            }
        }
        guard let checkInDate, let checkOutDate else { return nil }
        guard let stay = StayDates(checkIn: checkInDate, checkOut: checkOutDate) else {
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
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            problems.append("\(field) is required")
            return nil
        }
        guard let date = CalendarDate(iso: trimmed) else {
            problems.append("\(field) \(quoted(trimmed)) is not a date (use YYYY-MM-DD)")
            return nil
        }
        return date
    }

    /// Echoes user text in a message without letting a huge paste flood the screen.
    public static func quoted(_ text: String) -> String {
        text.count > 24 ? "'\(text.prefix(21))...'" : "'\(text)'"
    }
}
