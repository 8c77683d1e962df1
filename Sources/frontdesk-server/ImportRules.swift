import Foundation
import FrontDeskDomain
import FrontDeskStore

/// What `import` holds an export's lines to beyond their shapes: the rules `hotels add`,
/// `room-types add`, `rooms add`, a booking and `users add` hold the same things to. A file edited
/// by hand, or written by something other than `export`, must not bring in what those refuse: a
/// time zone that is not one, a price whose total overflows, a confirmed stay that holds none of
/// its nights (its room sold twice), an admin of every hotel. Each throws in words, and `Import`
/// names the line.
enum ImportRules {
    /// A night's price at most this: three times the highest base price, as a desk's agreed
    /// prices (`SyncRules`), so multipliers fit.
    static let largestNightCents = RoomType.largestBasePrice.minorUnits * 3
    /// A stay's total at most this: what the store reads back as sound (10^12 cents).
    static let largestTotalCents: Int64 = 1_000_000_000_000
    /// A password hash's rounds: at least what tests use, at most what a login can afford.
    static let hashRounds = 1_000...10_000_000

    static func hotel(_ wire: WireHotel) throws -> Hotel {
        try Hotel.validate(name: wire.name, timeZoneIdentifier: wire.timeZone, currency: wire.currency, isNew: false)
        var problems: [String] = []
        if NoShowPolicy.Fee(rawValue: wire.noShowFee) == nil {
            problems.append("noShowFee \(BookingRules.quoted(String(wire.noShowFee.prefix(40)))) is not one of "
                            + NoShowPolicy.Fee.allCases.map(\.rawValue).joined(separator: ", "))
        }
        if !NoShowPolicy.hourRange.contains(wire.noShowCutoffHour) { problems.append("noShowCutoffHour must be 0 to 23") }
        if !(1...1440).contains(wire.holdMinutes) { problems.append("holdMinutes must be 1 to 1440") }
        if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
        return try wire.hotel()
    }

    static func roomType(_ type: RoomType) throws -> RoomType {
        try RoomType.validate(name: type.name, capacity: type.capacity, basePricePerNight: type.basePricePerNight, isNew: false)
        return type
    }

    static func room(_ room: Room, types: [RoomType]) throws -> Room {
        // Checked as any number is; compared only for spaces: a number stored before numbers were
        // given in their compatibility form (full-width digits) still moves as it is.
        guard try Room.validNumber(room.number).isEmpty == false, room.number.trimmingCharacters(in: .whitespaces) == room.number else {
            throw FrontDeskError.validationFailed(["Room number \(BookingRules.quoted(room.number)) has spaces around it"])
        }
        guard types.contains(where: { $0.id == room.roomTypeId }) else {
            throw FrontDeskError.validationFailed(["Room \(room.number) is of a room type that comes on no line before it"])
        }
        return room
    }

    /// The booking's own invariants: its room, its guest's text, one price for each night of its
    /// stay with a total that fits, and (in a file that carries them) every night held by a
    /// Confirmed or checked-in booking (a lapsed hold may have given its nights back already).
    /// `roomNumbers`: the file's rooms so far, by id (a look-up a booking, not a scan of the rooms).
    static func booking(_ booking: Booking, roomNumbers: [UUID: String], claimed: [HotelTransfer.HeldNight]?) throws {
        var problems: [String] = []
        // Said as it is when it is plain text; quoted (its control characters escaped) when not.
        let codeProblem = TextRules.problem(in: booking.confirmationCode, field: "Confirmation code", maximum: 40)
        let code = codeProblem == nil ? booking.confirmationCode : BookingRules.quoted(String(booking.confirmationCode.prefix(40)))
        if let number = roomNumbers[booking.roomId] {
            if number != booking.roomNumber {
                problems.append("Booking \(code) names room \(BookingRules.quoted(String(booking.roomNumber.prefix(40)))), "
                                + "but its roomId is room \(number)")
            }
        } else {
            problems.append("Booking \(code) is in a room that comes on no line before it")
        }
        // A code is said on every screen and looked up as typed: control characters refused as in any text.
        if let codeProblem { problems.append("Booking \(code): \(codeProblem)") }
        if booking.guest.name.trimmingCharacters(in: .whitespaces).isEmpty {
            problems.append("Booking \(code) has no guest name")
        }
        for (text, field, maximum) in [(booking.guest.name, "Guest name", BookingRules.maximumNameLength),
                                       (booking.guest.email, "Email address", BookingRules.maximumEmailLength),
                                       (booking.guest.phone ?? "", "Phone", BookingRules.maximumPhoneLength)] {
            if let problem = TextRules.problem(in: text, field: field, maximum: maximum) { problems.append("Booking \(code): \(problem)") }
        }
        if !BookingRules.guestRange.contains(booking.guestCount) {
            problems.append("Booking \(code) has \(booking.guestCount) guests (\(BookingRules.guestRange.lowerBound) to \(BookingRules.guestRange.upperBound))")
        }
        if booking.nightlyPrices.map(\.night) != booking.stay.nights {
            problems.append("Booking \(code) must have one price for each night of its stay, in order "
                            + "(\(booking.stay.nights.count) nights, \(booking.nightlyPrices.count) prices)")
        }
        var total: Int64 = 0
        for price in booking.nightlyPrices {
            guard (0...largestNightCents).contains(price.price.minorUnits) else {
                problems.append("Booking \(code): \(price.price.minorUnits) cents for \(price.night) is not a night's price "
                                + "(0 to \(Money(minorUnits: largestNightCents).plain))")
                break
            }
            total += price.price.minorUnits
        }
        if total > largestTotalCents { problems.append("Booking \(code) totals more than \(Money(minorUnits: largestTotalCents).plain)") }
        if let claimed, [.confirmed, .checkedIn].contains(booking.status), Set(claimed.map(\.night)) != Set(booking.stay.nights) {
            problems.append("Booking \(code) is \(booking.status.rawValue) and must hold each night of its stay "
                            + "(it holds \(claimed.count) of \(booking.stay.nights.count)): its room would be sold again")
        }
        if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
    }

    /// Why a guest in house or gone (CheckedIn, CheckedOut) cannot be of this stay on
    /// `businessDate`, the hotel's date as the import runs; nil when it can. A guest is checked in
    /// from the arrival date on (`Booking.checkIn`), checked out on the day it is done, and the
    /// date only goes forward: a stay that begins later, or a check-in or check-out dated later,
    /// was written by hand or at a desk whose date was set ahead (`FRONTDESK_TODAY`, training).
    /// Taken, a guest "checked out" of a stay not yet begun kept its future nights sold, and one
    /// "in house" counted in tonight's house and plan before arriving.
    static func stayNotBegun(_ booking: Booking, businessDate: CalendarDate) -> String? {
        guard booking.status == .checkedIn || booking.status == .checkedOut else { return nil }
        let after = "after the hotel's business date (\(businessDate)): a guest is checked in from the arrival date on"
        if booking.stay.checkIn > businessDate {
            return "is \(booking.status.rawValue), but its stay begins on \(booking.stay.checkIn), \(after)"
        }
        if let on = booking.checkedInOn, on > businessDate {
            return "is \(booking.status.rawValue), checked in on \(on), \(after)"
        }
        if booking.status == .checkedOut, let on = booking.checkedOutOn, on > businessDate {
            return "is CheckedOut on \(on), after the hotel's business date (\(businessDate))"
        }
        return nil
    }

    /// A user of the hotel: never an admin (an export writes none; an admin sees every hotel of
    /// the chain it lands in), with a hash `PasswordHasher` can check in a login's time.
    static func user(name: String, role: UserRole, passwordHash: String) throws {
        guard role != .admin else {
            throw FrontDeskError.validationFailed(["User \(name) is an admin: an export carries the hotel's own users only; "
                                                   + "add admins with `frontdesk-server users add`"])
        }
        let parts = passwordHash.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), hashRounds.contains(rounds),
              Data(base64Encoded: String(parts[2])).map({ !$0.isEmpty }) == true,
              Data(base64Encoded: String(parts[3]))?.count == 32 else {
            throw FrontDeskError.validationFailed(["User \(name)'s passwordHash is not a password hash this server keeps "
                                                   + "(pbkdf2-sha256 with \(hashRounds.lowerBound) to \(hashRounds.upperBound) rounds)"])
        }
    }
}
