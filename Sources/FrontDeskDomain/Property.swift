import Foundation

public struct Hotel: Hashable, Sendable {
    public let id: UUID
    public var name: String
    /// IANA identifier such as `Europe/Vienna`; the business date is today's date there.
    public var timeZoneIdentifier: String
    /// ISO 4217 code such as `EUR`; every amount of the hotel is in this currency.
    public var currency: String
    /// How long an unpaid hold keeps a room (the design's 15-minute reservation window).
    public var holdMinutes: Int
    /// When an arrival who has not come may be marked a no-show, and what it costs.
    public var noShowPolicy: NoShowPolicy

    public init(id: UUID, name: String, timeZoneIdentifier: String, currency: String, holdMinutes: Int = 15,
                noShowPolicy: NoShowPolicy = .standard) {
        self.id = id
        self.name = name
        self.timeZoneIdentifier = timeZoneIdentifier
        self.currency = currency
        self.holdMinutes = holdMinutes
        self.noShowPolicy = noShowPolicy
    }

    public var timeZone: TimeZone { TimeZone(identifier: timeZoneIdentifier) ?? .gmt }

    /// Said wherever the hotel is shown when its zone is unknown on this machine (a restored file,
    /// older time zone data): `timeZone` then falls back to UTC, and the business date with it,
    /// which nothing else would tell.
    public var unknownTimeZoneWarning: String? {
        guard TimeZone(identifier: timeZoneIdentifier) == nil else { return nil }
        return "The hotel's time zone \(BookingRules.quoted(timeZoneIdentifier)) is unknown on this machine: its dates follow UTC "
            + "until the time zone data (tzdata) is updated"
    }

    /// The hotel's business date: `override` (training mode, tests) or today in the hotel's zone.
    public func businessDate(at instant: Date, override: CalendarDate? = nil) -> CalendarDate {
        override ?? CalendarDate.today(in: timeZone, at: instant)
    }

    /// Until this hour, hotel time, the night that began the evening before is still under way:
    /// a guest due that night who arrives after midnight is checked in to it, and a check-in made
    /// before midnight may still be taken back. The business date itself changes at midnight.
    public static let nightEndsAtHour = 6
    /// `nightEndsAtHour` as a receptionist reads it: "06:00".
    public static var nightEndsText: String { String(format: "%02d:00", nightEndsAtHour) }

    /// The night still under way at `instant`: the night before `businessDate`, when that is the
    /// instant's own date in the hotel's zone and the hour is before `nightEndsAtHour`. Nil
    /// otherwise (by day, and on a business date set from outside for training or a test).
    public func nightUnderWay(at instant: Date, businessDate: CalendarDate) -> CalendarDate? {
        guard CalendarDate.today(in: timeZone, at: instant) == businessDate, hour(at: instant) < Self.nightEndsAtHour else { return nil }
        return businessDate.adding(days: -1)
    }

    /// The night a guest checked in (or whose check-in is undone) at `instant` arrived for, when
    /// it is not the business date's: the night under way until `nightEndsAtHour`, and after it
    /// last night still, for a booking made while that night was under way (an early-morning
    /// arrival given last night's room at 05:50 has been in it since, and is checked in at
    /// 06:10). Made then: created on the business date before `nightEndsAtHour`, hotel time. A
    /// booking made before midnight (also one an offline desk made then and pushes after 06:00:
    /// a pushed booking is created when the desk made it), or on a business date set from
    /// outside, is not. Nil otherwise.
    public func nightOfArrival(for booking: Booking, at instant: Date, businessDate: CalendarDate) -> CalendarDate? {
        if let night = nightUnderWay(at: instant, businessDate: businessDate) { return night }
        guard CalendarDate.today(in: timeZone, at: instant) == businessDate, wasMadeDuringTheNight(booking, businessDate: businessDate) else {
            return nil
        }
        return businessDate.adding(days: -1)
    }

    /// Whether `booking` was made for the night before `businessDate` while that night was under
    /// way: created on the business date before `nightEndsAtHour`, hotel time (a walk-in sold at
    /// 01:00 or 05:50; a desk's pushed booking is created when the desk made it).
    public func wasMadeDuringTheNight(_ booking: Booking, businessDate: CalendarDate) -> Bool {
        booking.stay.contains(night: businessDate.adding(days: -1))
            && CalendarDate.today(in: timeZone, at: booking.createdAt) == businessDate
            && hour(at: booking.createdAt) < Self.nightEndsAtHour
    }

    /// The night under way on `businessDate` for a stay that begins then, else nil: worked out
    /// only for a check-in typed before the business date (a walk-in after midnight), so the
    /// hour's calendar work stays off every other booking and search. An ISO date sorts as text.
    public func nightUnderWay(forCheckIn checkIn: String?, at instant: Date, businessDate: CalendarDate) -> CalendarDate? {
        guard let checkIn, checkIn.trimmingWhitespace() < businessDate.iso else { return nil }
        return nightUnderWay(at: instant, businessDate: businessDate)
    }

    /// In Unicode scalars, like every limit on typed text (`TextRules`).
    public static let maximumNameLength = 100

    /// A region's name (`Europe/Vienna`, `Etc/UTC`) or UTC/GMT, which the platform also
    /// accepts: offsets and abbreviations (`GMT+5`, `UTC+3`, `PST`, `CET`) are not. "GMT+5" is
    /// five hours east of Greenwich while "Etc/GMT+5" is five hours west, and an abbreviation
    /// keeps no region's clock changes: a hotel set up with one gets the wrong business date.
    static func isPlaceName(_ identifier: String) -> Bool {
        // IANA's fixed offsets, Etc/GMT+5 (five hours west) and the like, are the same sign trap.
        if identifier.hasPrefix("Etc/GMT") && identifier.count > "Etc/GMT".count { return false }
        return identifier == "UTC" || identifier == "GMT" || (identifier.contains("/") && identifier.first?.isLetter == true)
    }

    /// ISO 4217 currencies in use whose minor unit is not hundredths (0, 3 or 4 decimals).
    static let currenciesWithoutTwoDecimals: [String: Int] = [
        "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0, "RWF": 0,
        "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
        "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3, "CLF": 4, "UYW": 4,
    ]
    /// The currency codes the platform knows (ISO 4217, as in use).
    static let knownCurrencies = Set(Locale.commonISOCurrencyCodes)

    /// Why `name` cannot be a hotel's name (empty, too long, control characters); nil when it can.
    /// `isNew`: a name given now, which may not print as nothing either (an imported hotel keeps its own).
    public static func nameProblem(_ name: String, isNew: Bool = true) -> String? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return "Hotel name cannot be empty" }
        return TextRules.problem(in: trimmed, field: "Hotel name", maximum: maximumNameLength)
            ?? (isNew ? TextRules.invisibleProblem(in: trimmed, field: "Hotel name", allowingWhatScriptsNeed: true) : nil)
    }

    /// `isNew`: a hotel being set up. An existing one brought in (an import, a restore) keeps a
    /// zone that was accepted when it was made (an abbreviation such as CET): only an unknown
    /// zone is refused.
    public static func validate(name: String, timeZoneIdentifier: String, currency: String, isNew: Bool = true) throws(FrontDeskError) {
        var problems: [String] = []
        if let problem = nameProblem(name, isNew: isNew) { problems.append(problem) }
        if TextRules.containsControl(timeZoneIdentifier) || TimeZone(identifier: timeZoneIdentifier) == nil {
            problems.append("Time zone \(BookingRules.quoted(timeZoneIdentifier)) is unknown (use an IANA name such as Europe/Vienna)")
        } else if isNew && !isPlaceName(timeZoneIdentifier) {
            problems.append("Time zone \(BookingRules.quoted(timeZoneIdentifier)) is not a region's name (an offset, an abbreviation or an old alias): "
                + "use the IANA name of the hotel's region, such as Europe/Vienna or America/New_York (or UTC)")
        }
        if currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isUppercase }) {
            problems.append("Currency must be a three-letter ISO code such as EUR")
        } else if let digits = currenciesWithoutTwoDecimals[currency] {
            // Money is kept and shown in hundredths: a yen price would read 10281.60.
            problems.append("Currency \(currency) has \(digits) decimal\(digits == 1 ? "" : "s"); "
                + "Front Desk keeps money in hundredths, so only currencies with 2 decimals (EUR, USD, GBP, CHF, …) can be used")
        } else if !knownCurrencies.contains(currency) {
            problems.append("Currency \(currency) is not an ISO 4217 currency (e.g. EUR, USD, GBP)")
        }
        if !problems.isEmpty { throw .validationFailed(problems) }
    }
}

public struct RoomType: Hashable, Sendable {
    public let id: UUID
    public let hotelId: UUID
    public var name: String
    public var capacity: Int
    public var basePricePerNight: Money

    public init(id: UUID, hotelId: UUID, name: String, capacity: Int, basePricePerNight: Money) {
        self.id = id
        self.hotelId = hotelId
        self.name = name
        self.capacity = capacity
        self.basePricePerNight = basePricePerNight
    }

    public static let capacityRange = 1...10
    /// The most a night may cost before its multipliers: 1,000,000.00. Far above any real rate,
    /// and low enough that a stay's total and a night's revenue of a type stay within what the
    /// store reads back as sound (`StoredRow.largestCents`, 10^12 cents).
    public static let largestBasePrice = Money(minorUnits: 100_000_000)
    /// The refusal of a base price above `largestBasePrice`, however it was written.
    static var basePriceTooLarge: String { "Base price must be at most \(largestBasePrice.plain)" }

    /// Why a base price as typed cannot be read: not written as an amount, or written as one with
    /// more digits than an amount holds, which is above the largest base price and refused in
    /// that rule's words ("99999999999999999999" was "not an amount").
    static func unreadableBasePrice(_ typed: String) -> String {
        Money.isWrittenAsAmountTooLarge(typed) ? basePriceTooLarge
            : "Base price \(BookingRules.quoted(typed)) is not an amount (use e.g. 129.00)"
    }

    /// In Unicode scalars (`TextRules`).
    public static let maximumNameLength = 60

    /// Why `guests` do not fit a room of this type; nil when they do.
    public func capacityProblem(roomNumber: String, guests: Int) -> String? {
        guests > capacity ? "Room \(roomNumber) (\(name)) sleeps at most \(capacity) guest\(capacity == 1 ? "" : "s")" : nil
    }

    /// `isNew`: a type being added now, whose name may not hold a character that prints as
    /// nothing; a moved hotel's types (an import) keep the names they had.
    public static func validate(name: String, capacity: Int, basePricePerNight: Money, isNew: Bool = true) throws(FrontDeskError) {
        var problems: [String] = []
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            problems.append("Room type name cannot be empty")
        } else if let problem = TextRules.problem(in: trimmed, field: "Room type name", maximum: maximumNameLength)
                    ?? (isNew ? TextRules.invisibleProblem(in: trimmed, field: "Room type name", allowingWhatScriptsNeed: true) : nil) {
            problems.append(problem)
        }
        if !capacityRange.contains(capacity) { problems.append("Capacity must be between 1 and 10") }
        if basePricePerNight.minorUnits <= 0 { problems.append("Base price must be more than zero") }
        if basePricePerNight > largestBasePrice { problems.append(basePriceTooLarge) }
        if !problems.isEmpty { throw .validationFailed(problems) }
    }
}

/// What happened to a room, recorded by the entity itself (the design's domain events).
public enum RoomEvent: Hashable, Sendable {
    case roomCreated(roomId: UUID, hotelId: UUID, roomTypeId: UUID, roomNumber: String)
    case roomNumberChanged(roomId: UUID, oldNumber: String, newNumber: String)
    case roomActivated(roomId: UUID)
    case roomDeactivated(roomId: UUID)

    public var name: String {
        switch self {
        case .roomCreated: "RoomCreated"
        case .roomNumberChanged: "RoomNumberChanged"
        case .roomActivated: "RoomActivated"
        case .roomDeactivated: "RoomDeactivated"
        }
    }

    /// The audit trail's line for this event of `room` (as it is after the event).
    public func summary(of room: Room) -> String {
        switch self {
        case .roomCreated(_, _, _, let number): "Room \(number) created"
        case .roomNumberChanged(_, let old, let new): "Room \(old) renumbered to \(new)"
        case .roomActivated: "Room \(room.number) activated"
        case .roomDeactivated: "Room \(room.number) deactivated"
        }
    }
}

public struct Room: Hashable, Sendable {
    public let id: UUID
    public let hotelId: UUID
    public var roomTypeId: UUID
    /// Unique within the hotel (not across hotels, as the design's global index had it).
    public private(set) var number: String
    public private(set) var isActive: Bool
    /// Events since the room was loaded; the store writes them to the audit trail.
    public private(set) var events: [RoomEvent] = []

    /// A room as loaded from storage: no events.
    public init(id: UUID, hotelId: UUID, roomTypeId: UUID, number: String, isActive: Bool) {
        self.id = id
        self.hotelId = hotelId
        self.roomTypeId = roomTypeId
        self.number = number
        self.isActive = isActive
    }

    public static let maximumNumberLength = 10

    /// The refusal of a sale from tonight in a room whose guest was due out before today and is
    /// still checked in: their nights ended, so no claim holds tonight, but the bed is taken until
    /// someone checks them out (or lengthens their stay).
    public static func overstayingGuest(_ number: String, guest: String, booking: String, dueOut: CalendarDate,
                                        night: CalendarDate) -> String {
        "Room \(number) is still occupied: \(guest) (booking \(booking)) was due out \(dueOut) and is still checked in; "
            + "it cannot be sold for the night of \(night) until they are checked out"
    }

    /// The refusal of a sale of the night under way in a room a guest is checked in to (one who
    /// came after midnight on a stay from today, or stayed past departure): no claim holds that
    /// night, but the bed is taken.
    public static func guestInHouse(_ number: String, guest: String, booking: String, night: CalendarDate) -> String {
        "Room \(number) has a guest in house (\(guest), booking \(booking)): it cannot be sold for the night of \(night)"
    }

    /// A new, active room. Refuses an empty number, as the design does.
    public static func create(id: UUID, hotelId: UUID, roomTypeId: UUID, number: String) throws(FrontDeskError) -> Room {
        let cleaned = try validNewNumber(number)
        var room = Room(id: id, hotelId: hotelId, roomTypeId: roomTypeId, number: cleaned, isActive: true)
        room.events.append(.roomCreated(roomId: id, hotelId: hotelId, roomTypeId: roomTypeId, roomNumber: cleaned))
        return room
    }

    public mutating func changeNumber(to newNumber: String) throws(FrontDeskError) {
        let cleaned = try Room.validNewNumber(newNumber)
        guard cleaned != number else { return }
        let old = number
        number = cleaned
        events.append(.roomNumberChanged(roomId: id, oldNumber: old, newNumber: cleaned))
    }

    /// A new number unless `numberTaken` says another room has it (`conflict`).
    public mutating func changeNumber(to newNumber: String, numberTaken: (String) throws -> Bool) throws {
        let old = number
        try changeNumber(to: newNumber)
        if number != old, try numberTaken(number) { throw FrontDeskError.conflict("Room \(number) already exists") }
    }

    /// A new number and a new state asked at once (`PATCH /api/rooms/{id}`), each part only when
    /// it changes anything: the state first (a refusal then names the room by the number it
    /// keeps), then the number. The storage runs it in one transaction, so a refused part leaves
    /// the room as it was. `takeOutOfService` is the storage's check that no booking still needs
    /// the room, then `deactivate()`.
    public mutating func change(newNumber: String?, isActive: Bool?, numberTaken: (String) throws -> Bool,
                                takeOutOfService: (inout Room) throws -> Void) throws {
        if let isActive, isActive != self.isActive {
            if isActive { activate() } else { try takeOutOfService(&self) }
        }
        if let newNumber, newNumber != number { try changeNumber(to: newNumber, numberTaken: numberTaken) }
    }

    /// Activating an active room changes nothing and records nothing (as in the design).
    public mutating func activate() {
        guard !isActive else { return }
        isActive = true
        events.append(.roomActivated(roomId: id))
    }

    public mutating func deactivate() {
        guard isActive else { return }
        isActive = false
        events.append(.roomDeactivated(roomId: id))
    }

    /// Out of service, unless guests still hold the room: bookings with nights in it from `today`
    /// on (`upcoming`, by their first night there), or a guest checked in and not yet out
    /// (`inHouse`: due out today, or late). Either would be left in a room the desk no longer
    /// sells, and a stay could not be extended or a check-out undone there.
    public mutating func deactivate(upcoming: [String], inHouse: [String], today: CalendarDate) throws(FrontDeskError) {
        func listed(_ codes: [String]) -> String {
            codes.prefix(5).joined(separator: ", ") + (codes.count > 5 ? ", ..." : "")
        }
        if !upcoming.isEmpty {
            throw .invalidState("Room \(number) has bookings from \(today) on (\(listed(upcoming))); move or cancel them first")
        }
        if !inHouse.isEmpty {
            throw .invalidState("Room \(number) has a guest checked in (\(listed(inHouse))); check them out first")
        }
        deactivate()
    }

    /// Nights are claimed only in a room in service: a booking, a move, a stay made longer, a
    /// check-out undone.
    public func requireInService() throws(FrontDeskError) {
        guard isActive else { throw .roomUnavailable(Self.outOfService(number)) }
    }

    /// A guest is checked in only to a room in service, as a check-out is undone only into one:
    /// a room taken out of service after its booking was made (an early-morning walk-in's room
    /// taken out after 06:00, a file from before session 61) has the booking moved first.
    public func requireInService(toCheckIn confirmationCode: String) throws(FrontDeskError) {
        guard isActive else {
            throw .roomUnavailable(Self.outOfService(number) + ": move the guest to another room first (move \(confirmationCode) --room …; "
                + "Alt-m at the desk), or put the room back in service")
        }
    }

    /// "Room 101 is out of service": the words of every refusal of a room out of service.
    static func outOfService(_ number: String) -> String { "Room \(number) is out of service" }

    /// The number trimmed, its full-width letters and digits as plain ones ("１１４" is 114, as a
    /// Japanese or Chinese input method types it; it was a second room beside 114 that no one
    /// could tell apart on a room plan); refused when empty, longer than `maximumNumberLength`
    /// scalars, or holding control characters or a flood of combining marks. Also checks a number
    /// typed to find a room. Only the full-width forms are folded: the whole compatibility form
    /// (NFKC) made "1½" room "11⁄2" and "①②" room 12.
    public static func validNumber(_ number: String) throws(FrontDeskError) -> String {
        let cleaned = plainWidth(number).trimmingCharacters(in: .whitespaces)
        if cleaned.isEmpty { throw .validationFailed(["Room number cannot be empty"]) }
        if let problem = TextRules.problem(in: cleaned, field: "Room number", maximum: maximumNumberLength) {
            throw .validationFailed([problem])
        }
        return cleaned
    }

    /// `text` with its full-width ASCII forms (U+FF01 to U+FF5E) and the ideographic space as the
    /// ASCII characters they are wide forms of; everything else as it is.
    static func plainWidth(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { (0xFF01...0xFF5E).contains($0.value) || $0.value == 0x3000 }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if (0xFF01...0xFF5E).contains(scalar.value), let plain = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalars.append(plain)
            } else if scalar.value == 0x3000 {
                scalars.append(" ")
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// A number given to a room now (added or renumbered): also without a character that prints
    /// as nothing, which would make a second "101" no one can tell from the first. (A number
    /// typed to find a room, or a moved hotel's rooms, are read with `validNumber`.)
    public static func validNewNumber(_ number: String) throws(FrontDeskError) -> String {
        let cleaned = try validNumber(number)
        if let problem = TextRules.invisibleProblem(in: cleaned, field: "Room number", allowingWhatScriptsNeed: false) {
            throw .validationFailed([problem])
        }
        return cleaned
    }
}

extension RoomType {
    /// A room type as a person typed it (the desk's prompt, `room-types add`): the one place the
    /// capacity and price texts are read, every problem reported at once.
    public static func parse(name: String, capacity: String, basePrice: String) throws(FrontDeskError)
        -> (name: String, capacity: Int, basePrice: Money) {
        var problems: [String] = []
        let sleeps = typedCapacity(capacity)
        if sleeps == nil { problems.append("Sleeps \(BookingRules.quoted(capacity)) is not a number from 1 to 10") }
        let amount = Money(parsing: basePrice)
        if amount == nil { problems.append(unreadableBasePrice(basePrice)) }
        do {
            try validate(name: name, capacity: sleeps ?? 1, basePricePerNight: amount ?? Money(minorUnits: 1))
        } catch {
            problems += error.details
        }
        if !problems.isEmpty { throw .validationFailed(problems) }
        return (name, sleeps!, amount!)
    }

    /// "+3" read as 3 where a manager meant three more, so a plus sign is no number here (a minus
    /// is, and the capacity's range refuses it).
    public static func typedCapacity(_ text: String) -> Int? {
        let typed = text.trimmingCharacters(in: .whitespaces)
        return typed.hasPrefix("+") ? nil : Int(typed)
    }

    /// The type a person named (any case, spaces around it ignored), or why there is none: the
    /// names there are, or that the hotel has none yet.
    public static func named(_ name: String, in types: [RoomType]) throws(FrontDeskError) -> RoomType {
        if let problem = TextRules.problem(in: name, field: "Room type", maximum: maximumNameLength) {
            throw .validationFailed([problem])
        }
        let wanted = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard let type = types.first(where: { $0.name.lowercased() == wanted }) else {
            throw .notFound("Room type \(BookingRules.quoted(name)) does not exist "
                + (types.isEmpty ? "(this hotel has no room types yet: add one first)" : "(known: \(types.map(\.name).joined(separator: ", ")))"))
        }
        return type
    }
}

/// A room type's name, the guests it sleeps and its base price, any of them changed at once (a
/// manager's new rate, a sofa bed added). What was agreed stays: a booking keeps its nights'
/// prices and its guests; new quotes and bookings use the type as it is now.
public struct RoomTypeChange: Hashable, Sendable {
    public var name: String?
    public var capacity: Int?
    public var basePrice: Money?

    public init(name: String? = nil, capacity: Int? = nil, basePrice: Money? = nil) {
        self.name = name
        self.capacity = capacity
        self.basePrice = basePrice
    }

    /// From what a person typed (`room-types change`, the desk's form, the API's body); nil leaves
    /// that part as it is. Every problem at once, the same wording as a new type's.
    public init(typedName: String?, capacity typedCapacity: String?, basePrice typedPrice: String?) throws(FrontDeskError) {
        var problems: [String] = []
        name = typedName
        if let typedCapacity {
            capacity = RoomType.typedCapacity(typedCapacity)
            if capacity == nil { problems.append("Sleeps \(BookingRules.quoted(typedCapacity)) is not a number from 1 to 10") }
        }
        if let typedPrice {
            basePrice = Money(parsing: typedPrice)
            if basePrice == nil { problems.append(RoomType.unreadableBasePrice(typedPrice)) }
        }
        do throws(FrontDeskError) { try check() } catch { problems += error.details }
        if !problems.isEmpty { throw .validationFailed(problems) }
    }

    public var isEmpty: Bool { name == nil && capacity == nil && basePrice == nil }

    /// The parts given, each as a new type's would be checked (a new name may not print as nothing).
    public func check() throws(FrontDeskError) {
        var problems: [String] = []
        do {
            try RoomType.validate(name: name ?? "Kept", capacity: capacity ?? RoomType.capacityRange.lowerBound,
                                  basePricePerNight: basePrice ?? Money(minorUnits: 1))
        } catch {
            problems += error.details
        }
        if !problems.isEmpty { throw .validationFailed(problems) }
    }

    /// `type` as changed. `overCapacity`: the bookings not yet over, in rooms of this type, with
    /// more guests than the new capacity (the store finds them): while there are any, the type
    /// cannot sleep fewer, as a room with bookings cannot go out of service.
    public func applied(to type: RoomType, overCapacity: [String] = []) throws(FrontDeskError) -> RoomType {
        try check()
        var changed = type
        if let name { changed.name = name.trimmingCharacters(in: .whitespaces) }
        if let capacity { changed.capacity = capacity }
        if let basePrice { changed.basePricePerNight = basePrice }
        if changed.capacity < type.capacity && !overCapacity.isEmpty {
            let listed = overCapacity.prefix(5).joined(separator: ", ") + (overCapacity.count > 5 ? ", ..." : "")
            throw .invalidState("Room type \(type.name) cannot sleep only \(changed.capacity): booking\(overCapacity.count == 1 ? "" : "s") "
                + "\(listed) \(overCapacity.count == 1 ? "has" : "have") more guests; move \(overCapacity.count == 1 ? "it" : "them") "
                + "to a room of a larger type or change the guests first")
        }
        return changed
    }

    /// The audit trail's line for a change from `old` to `new`; nil when nothing moved.
    public static func auditSummary(from old: RoomType, to new: RoomType) -> String? {
        var parts: [String] = []
        if new.name != old.name { parts.append("renamed \(new.name)") }
        if new.capacity != old.capacity { parts.append("sleeps \(new.capacity) (was \(old.capacity))") }
        if new.basePricePerNight != old.basePricePerNight {
            parts.append("\(new.basePricePerNight.plain) a night (was \(old.basePricePerNight.plain)); bookings made keep their prices")
        }
        return parts.isEmpty ? nil : "Room type \(old.name): " + parts.joined(separator: "; ")
    }
}
