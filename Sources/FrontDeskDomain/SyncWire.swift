import Foundation

// The sync wire (issue 12): what a connected desk and the booking server exchange, in one place
// so both sides encode and decode the same shapes. The server writes these objects, the desk
// reads them (and the other way round for operations). Money travels as integer cents (exact),
// ids as lowercase UUID text, nights as `YYYY-MM-DD`, instants as `InstantText` UTC text.
// `docs/sync-protocol.md` describes the endpoints that carry them.

public enum SyncWire {
    /// Raised when a breaking change is made to these shapes; a desk refuses a server (and a
    /// replica) of another protocol with a clear message instead of misreading it.
    public static let protocolVersion = 1
    /// The most operations one push may carry.
    public static let maximumPushOperations = 500
    /// The most bookings one replica or changes page carries.
    public static let pageSize = 2000
    /// The words of a 410 `replica_too_old` for a cursor ahead of the server's change feed (its
    /// data went back to an older copy), which a desk reads to say so rather than "too old".
    public static let cursorAheadOfTheFeed = "is ahead of this server's change feed"
}

/// A problem in a sync document: a field missing or unreadable. Its text names the field.
public struct SyncWireError: Error, Equatable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

public struct WireHotel: Codable, Hashable, Sendable {
    public var hotelId: String
    public var name: String
    public var timeZone: String
    public var currency: String
    public var holdMinutes: Int
    public var noShowCutoffHour: Int
    /// `first_night` or `none` (`NoShowPolicy.Fee`).
    public var noShowFee: String
}

// Outside the struct, so that Swift still gives it the memberwise initialiser (every member as
// sent) that `SyncWireReader` builds it with.
extension WireHotel {
    public init(_ hotel: Hotel) {
        hotelId = SyncWire.lowercaseText(hotel.id)
        name = hotel.name
        timeZone = hotel.timeZoneIdentifier
        currency = hotel.currency
        holdMinutes = hotel.holdMinutes
        noShowCutoffHour = hotel.noShowPolicy.cutoffHour
        noShowFee = hotel.noShowPolicy.fee.rawValue
    }

    public func hotel() throws(SyncWireError) -> Hotel {
        Hotel(id: try SyncWire.uuid(hotelId, "hotelId"), name: name, timeZoneIdentifier: timeZone, currency: currency,
              holdMinutes: holdMinutes,
              noShowPolicy: NoShowPolicy(cutoffHour: noShowCutoffHour, fee: NoShowPolicy.Fee(rawValue: noShowFee) ?? .firstNight))
    }
}

public struct WireRoomType: Codable, Hashable, Sendable {
    public var roomTypeId: String
    public var name: String
    public var capacity: Int
    public var basePriceCents: Int64
}

// Outside the struct, as with `WireHotel`.
extension WireRoomType {
    public init(_ type: RoomType) {
        roomTypeId = SyncWire.lowercaseText(type.id)
        name = type.name
        capacity = type.capacity
        basePriceCents = type.basePricePerNight.minorUnits
    }

    public func roomType(hotelId: UUID) throws(SyncWireError) -> RoomType {
        RoomType(id: try SyncWire.uuid(roomTypeId, "roomTypeId"), hotelId: hotelId, name: name, capacity: capacity,
                 basePricePerNight: Money(minorUnits: basePriceCents))
    }
}

public struct WireRoom: Codable, Hashable, Sendable {
    public var roomId: String
    public var roomNumber: String
    public var roomTypeId: String
    public var isActive: Bool
}

// Outside the struct, as with `WireHotel`.
extension WireRoom {
    public init(roomId: UUID, roomNumber: String, roomTypeId: UUID, isActive: Bool) {
        self.roomId = SyncWire.lowercaseText(roomId)
        self.roomNumber = roomNumber
        self.roomTypeId = SyncWire.lowercaseText(roomTypeId)
        self.isActive = isActive
    }
}

/// One night a booking holds a room for (a `room_night` row): a moved stay holds two rooms.
public struct WireClaim: Codable, Hashable, Sendable {
    public var night: String
    public var roomId: String

    public init(night: CalendarDate, roomId: UUID) {
        self.night = night.iso
        self.roomId = SyncWire.lowercaseText(roomId)
    }

    /// From stored text as it is (a night `YYYY-MM-DD`, a lowercase room id).
    public init(night: String, roomId: String) {
        self.night = night
        self.roomId = roomId
    }
}

public struct WireNightPrice: Codable, Hashable, Sendable {
    public var night: String
    public var priceCents: Int64
}

public struct WireNote: Codable, Hashable, Sendable {
    public var at: String
    public var by: String
    public var text: String
}

/// A booking whole, as a replica keeps it: every field of `Booking` and the room-nights it holds.
public struct WireBooking: Codable, Hashable, Sendable {
    public var bookingId: String
    public var hotelId: String
    public var roomId: String
    public var roomNumber: String
    public var confirmation: String
    public var status: String
    public var checkIn: String
    public var checkOut: String
    public var guests: Int
    public var guestName: String
    public var email: String
    public var phone: String?
    public var nightlyPrices: [WireNightPrice]
    /// The room-nights the booking holds now (empty once it holds none: cancelled, failed).
    public var claims: [WireClaim]
    public var version: Int
    public var holdExpiresAt: String?
    public var statusReason: String?
    public var createdAt: String
    public var updatedAt: String
    public var notes: [WireNote]
    public var checkedInOn: String?
    public var checkedOutOn: String?
    public var roomSince: String?
}

// Outside the struct, as with `WireHotel`.
extension WireBooking {
    public init(_ booking: Booking, claims: [WireClaim]) {
        bookingId = SyncWire.lowercaseText(booking.id)
        hotelId = SyncWire.lowercaseText(booking.hotelId)
        roomId = SyncWire.lowercaseText(booking.roomId)
        roomNumber = booking.roomNumber
        confirmation = booking.confirmationCode
        status = booking.status.rawValue
        checkIn = booking.stay.checkIn.iso
        checkOut = booking.stay.checkOut.iso
        guests = booking.guestCount
        guestName = booking.guest.name
        email = booking.guest.email
        phone = booking.guest.phone
        nightlyPrices = booking.nightlyPrices.map { WireNightPrice(night: $0.night.iso, priceCents: $0.price.minorUnits) }
        self.claims = claims
        version = booking.version
        holdExpiresAt = booking.holdExpiresAt.map(InstantText.utc)
        statusReason = booking.statusReason
        createdAt = InstantText.utc(booking.createdAt)
        updatedAt = InstantText.utc(booking.updatedAt)
        notes = booking.notes.map { WireNote(at: InstantText.utc($0.at), by: $0.by, text: $0.text) }
        checkedInOn = booking.checkedInOn?.iso
        checkedOutOn = booking.checkedOutOn?.iso
        roomSince = booking.roomSince?.iso
    }

    /// The domain booking; a field that does not read is named in the error.
    public func booking() throws(SyncWireError) -> Booking {
        guard let status = BookingStatus(rawValue: status) else { throw SyncWireError("status \(status) is unknown") }
        guard let stay = StayDates(checkIn: try SyncWire.date(checkIn, "checkIn"), checkOut: try SyncWire.date(checkOut, "checkOut")) else {
            throw SyncWireError("checkOut must come after checkIn")
        }
        var prices: [NightlyPrice] = []
        for price in nightlyPrices {
            prices.append(NightlyPrice(night: try SyncWire.date(price.night, "nightlyPrices.night"), price: Money(minorUnits: price.priceCents)))
        }
        var bookingNotes: [BookingNote] = []
        for note in notes {
            bookingNotes.append(BookingNote(at: try SyncWire.instant(note.at, "notes.at"), by: note.by, text: note.text))
        }
        return Booking(
            id: try SyncWire.uuid(bookingId, "bookingId"), hotelId: try SyncWire.uuid(hotelId, "hotelId"),
            roomId: try SyncWire.uuid(roomId, "roomId"), roomNumber: roomNumber, confirmationCode: confirmation,
            guest: Guest(name: guestName, email: email, phone: phone), guestCount: guests, stay: stay, status: status,
            nightlyPrices: prices, version: version,
            holdExpiresAt: try holdExpiresAt.map { text throws(SyncWireError) in try SyncWire.instant(text, "holdExpiresAt") },
            statusReason: statusReason,
            createdAt: try SyncWire.instant(createdAt, "createdAt"), updatedAt: try SyncWire.instant(updatedAt, "updatedAt"),
            notes: bookingNotes,
            checkedInOn: try checkedInOn.map { text throws(SyncWireError) in try SyncWire.date(text, "checkedInOn") },
            checkedOutOn: try checkedOutOn.map { text throws(SyncWireError) in try SyncWire.date(text, "checkedOutOn") },
            roomSince: try roomSince.map { text throws(SyncWireError) in try SyncWire.date(text, "roomSince") })
    }
}

/// One page of a hotel's whole replica (`GET /api/hotels/{hotelId}/replica`). The first page
/// (no `after`) carries the hotel, its room types and rooms, and the cursor: the change-feed
/// number read before the page, so pulling changes after it afterwards catches whatever changed
/// while the pages were taken.
public struct ReplicaPage: Codable, Hashable, Sendable {
    public var protocolVersion: Int
    public var hotel: WireHotel?
    public var roomTypes: [WireRoomType]?
    public var rooms: [WireRoom]?
    public var bookings: [WireBooking]
    public var cursor: Int64
    /// Bookings in the whole replica, for a progress bar.
    public var totalBookings: Int
    /// The `after` of the next page; nil on the last.
    public var next: String?

    public init(protocolVersion: Int = SyncWire.protocolVersion, hotel: WireHotel?, roomTypes: [WireRoomType]?, rooms: [WireRoom]?,
                bookings: [WireBooking], cursor: Int64, totalBookings: Int, next: String?) {
        self.protocolVersion = protocolVersion
        self.hotel = hotel
        self.roomTypes = roomTypes
        self.rooms = rooms
        self.bookings = bookings
        self.cursor = cursor
        self.totalBookings = totalBookings
        self.next = next
    }
}

/// What changed after a cursor (`GET /api/hotels/{hotelId}/changes?since=N`): each changed
/// booking whole, as it is now; rooms, room types and the hotel only when one of them changed.
public struct ChangesPage: Codable, Hashable, Sendable {
    public var protocolVersion: Int
    /// The feed number this page reaches: the next pull's `since`.
    public var cursor: Int64
    /// More changes wait after `cursor`.
    public var more: Bool
    public var bookings: [WireBooking]
    public var hotel: WireHotel?
    public var roomTypes: [WireRoomType]?
    public var rooms: [WireRoom]?

    public init(protocolVersion: Int = SyncWire.protocolVersion, cursor: Int64, more: Bool, bookings: [WireBooking],
                hotel: WireHotel? = nil, roomTypes: [WireRoomType]? = nil, rooms: [WireRoom]? = nil) {
        self.protocolVersion = protocolVersion
        self.cursor = cursor
        self.more = more
        self.bookings = bookings
        self.hotel = hotel
        self.roomTypes = roomTypes
        self.rooms = rooms
    }
}

/// One write made on a desk, carried to the server (`POST /api/hotels/{hotelId}/sync`). Its
/// `operationId` is its idempotency key: pushed twice, it gets the first answer.
public struct SyncOperation: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable, CaseIterable {
        case book, cancel, checkIn, checkOut
        /// A room change (issue 14's `move`): `move` says where to; added without a protocol
        /// bump (docs/sync-protocol.md, "Adding a kind").
        case move
        /// A Confirmed arrival who never came (issue 14's no-show), an undone check-in, an
        /// undone check-out (`reason` says why); added the way `move` was, without a bump.
        case noShow, undoCheckIn, undoCheckOut
        /// A no-show taken back (`reason` says why); added without a bump, as `move` was.
        case undoNoShow
        /// A change of the guest's details, a note or the stay (issue 14's edit): `edit` says
        /// which fields change; added without a bump too.
        case edit
    }

    /// Where a booking moves (kind `move`): every night before arrival, the nights from the
    /// server's business date on for a guest in house, as the server's own move does.
    public struct Move: Codable, Hashable, Sendable {
        /// The room's id (the server's; a replica has the same ids), and its number as the desk
        /// showed it, for messages.
        public var roomId: String
        public var roomNumber: String
        /// Price the moved nights at the new room's rate (`frontdesk move --reprice`); by default
        /// every price stays.
        public var reprice: Bool

        public init(roomId: String, roomNumber: String, reprice: Bool) {
            self.roomId = roomId
            self.roomNumber = roomNumber
            self.reprice = reprice
        }
    }

    /// What an edit changes (kind `edit`): `BookingEdit` itself, only the fields given (an empty
    /// phone removes it; a note is added). One type, so the wire cannot drift from what the
    /// store's `changeBooking` takes; its coded keys are its field names, as sent since the kind came.
    public typealias Edit = BookingEdit

    /// The details of a booking made on the desk (kind `book`).
    public struct NewBooking: Codable, Hashable, Sendable {
        public var roomId: String
        public var roomNumber: String
        public var checkIn: String
        public var checkOut: String
        public var guests: Int
        public var guestName: String
        public var email: String
        public var phone: String?
        /// The code the desk gave the guest; the server keeps it unless another booking has it.
        public var confirmation: String
        /// `desk` only: a card is never charged offline.
        public var payment: String
        /// What the desk priced and took, for the record.
        public var totalCents: Int64
        /// The desk's price of each night, which the guest paid at the desk: the booking keeps
        /// them. Without them (a desk of an older build) the server prices the stay again.
        public var nightlyPrices: [NightPrice]?

        public struct NightPrice: Codable, Hashable, Sendable {
            public var night: String
            public var priceCents: Int64
            public init(night: String, priceCents: Int64) {
                self.night = night
                self.priceCents = priceCents
            }
        }

        public init(roomId: String, roomNumber: String, checkIn: String, checkOut: String, guests: Int, guestName: String,
                    email: String, phone: String?, confirmation: String, payment: String, totalCents: Int64,
                    nightlyPrices: [NightPrice]? = nil) {
            self.nightlyPrices = nightlyPrices
            self.roomId = roomId
            self.roomNumber = roomNumber
            self.checkIn = checkIn
            self.checkOut = checkOut
            self.guests = guests
            self.guestName = guestName
            self.email = email
            self.phone = phone
            self.confirmation = confirmation
            self.payment = payment
            self.totalCents = totalCents
        }
    }

    public var operationId: String
    public var kind: Kind
    public var bookingId: String
    /// The booking's version the desk's change was based on; nil when the booking itself was
    /// made on the desk and not yet accepted (its versions are the desk's own).
    public var baseVersion: Int?
    /// When the receptionist made the change, and who.
    public var madeAt: String
    public var by: String
    public var book: NewBooking?
    /// Why (a cancel's, a move's or an undo's reason, for the audit trail).
    public var reason: String?
    /// The room a `move` goes to.
    public var move: Move?
    /// What an `edit` changes.
    public var edit: Edit?

    public init(operationId: String, kind: Kind, bookingId: String, baseVersion: Int?, madeAt: String, by: String,
                book: NewBooking? = nil, reason: String? = nil, move: Move? = nil, edit: Edit? = nil) {
        self.operationId = operationId
        self.kind = kind
        self.bookingId = bookingId
        self.baseVersion = baseVersion
        self.madeAt = madeAt
        self.by = by
        self.book = book
        self.reason = reason
        self.move = move
        self.edit = edit
    }
}

extension SyncOperation {
    /// The first text of the operation that no backend can keep as it came (a control character
    /// or a NUL, bytes that were not UTF-8, more scalars than any rule allows, a pile of combining
    /// marks), as (field, message): the server refuses the push as bad input before anything of
    /// it is recorded. The rules of each field (a guest's name, a note) are checked after, by the
    /// domain, as for any other change.
    public var textProblem: (field: String, message: String)? {
        let short = 200, long = 4_000
        var texts: [(String, String?, Int)] = [("operationId", operationId, short), ("bookingId", bookingId, short),
                                               ("madeAt", madeAt, short), ("by", by, short), ("reason", reason, long)]
        if let move { texts += [("move.roomId", move.roomId, short), ("move.roomNumber", move.roomNumber, short)] }
        if let book {
            texts += [("book.roomId", book.roomId, short), ("book.roomNumber", book.roomNumber, short),
                      ("book.checkIn", book.checkIn, short), ("book.checkOut", book.checkOut, short),
                      ("book.guestName", book.guestName, long), ("book.email", book.email, long), ("book.phone", book.phone, long),
                      ("book.confirmation", book.confirmation, short), ("book.payment", book.payment, short)]
            texts += (book.nightlyPrices ?? []).map { ("book.nightlyPrices.night", $0.night, short) }
        }
        if let edit {
            texts += [("edit.guestName", edit.guestName, long), ("edit.email", edit.email, long), ("edit.phone", edit.phone, long),
                      ("edit.guests", edit.guests, short), ("edit.note", edit.note, long),
                      ("edit.checkIn", edit.checkIn, short), ("edit.checkOut", edit.checkOut, short)]
        }
        // Checked as the desk checked them before queueing: trimmed (a name pasted with its line's
        // "\r" is taken, trimmed, by the domain; refusing the push here would stop the desk's
        // whole outbox behind it).
        for (field, text, maximum) in texts {
            if let text, let problem = TextRules.problem(in: text.trimmingCharacters(in: .whitespacesAndNewlines), field: field, maximum: maximum) {
                return (field, problem)
            }
        }
        return nil
    }
}

public struct SyncPush: Codable, Hashable, Sendable {
    public var protocolVersion: Int
    public var operations: [SyncOperation]

    public init(protocolVersion: Int = SyncWire.protocolVersion, operations: [SyncOperation]) {
        self.protocolVersion = protocolVersion
        self.operations = operations
    }
}

/// A free room offered instead of a taken one.
public struct WireSuggestedRoom: Codable, Hashable, Sendable {
    public var roomId: String
    public var roomNumber: String
    public var roomType: String
    public var totalPriceCents: Int64

    public init(roomId: String, roomNumber: String, roomType: String, totalPriceCents: Int64) {
        self.roomId = roomId
        self.roomNumber = roomNumber
        self.roomType = roomType
        self.totalPriceCents = totalPriceCents
    }
}

/// The server's answer to one operation.
public struct SyncOutcome: Codable, Hashable, Sendable {
    public enum Kind: String, Codable, Hashable, Sendable {
        /// Applied (now or at an earlier push of the same operation); `booking` is the result.
        case accepted
        /// Cannot be applied as made: the room-night was sold meanwhile (`room_unavailable`), the
        /// booking changed since (`stale_version`), or an earlier operation on the same booking
        /// was a conflict (`depends_on_conflict`). The desk keeps it for a receptionist.
        case conflict
        /// Can never be applied (`validation_failed`, `invalid_state`, `not_found`, a card payment).
        case rejected
        /// Not applied now (the server is busy); push again later.
        case retry
    }

    public var operationId: String
    public var outcome: Kind
    public var booking: WireBooking?
    /// The error code of the command line and API (`room_unavailable`, `stale_version`, ...).
    public var code: String?
    public var message: String?
    public var suggestedRooms: [WireSuggestedRoom]?
    /// The desk's confirmation code was already another booking's: `booking.confirmation` is the
    /// guest's new code, to be passed on.
    public var confirmationChanged: Bool?
    /// An accepted operation's lines in the server's history of the booking (money to settle at
    /// the desk, a refund to the card): the desk keeps them in its own and says them. Nil from a
    /// server before session 58, and for new bookings.
    public var recorded: [String]?

    public init(operationId: String, outcome: Kind, booking: WireBooking? = nil, code: String? = nil, message: String? = nil,
                suggestedRooms: [WireSuggestedRoom]? = nil, confirmationChanged: Bool? = nil, recorded: [String]? = nil) {
        self.recorded = recorded
        self.operationId = operationId
        self.outcome = outcome
        self.booking = booking
        self.code = code
        self.message = message
        self.suggestedRooms = suggestedRooms
        self.confirmationChanged = confirmationChanged
    }
}

public struct SyncPushResult: Codable, Hashable, Sendable {
    public var protocolVersion: Int
    /// One per operation, in the order pushed.
    public var results: [SyncOutcome]
    /// The hotel's change-feed number after the push.
    public var cursor: Int64

    public init(protocolVersion: Int = SyncWire.protocolVersion, results: [SyncOutcome], cursor: Int64) {
        self.protocolVersion = protocolVersion
        self.results = results
        self.cursor = cursor
    }
}

extension SyncWire {
    /// The id one below `id` as a 128-bit number, nil for the zero id. Replica pages are ordered
    /// by id and start after `after`, so `after` = this id and `limit` = 1 is the page of `id`
    /// alone (a desk asks for one booking as the server has it now this way).
    public static func idBefore(_ id: UUID) -> UUID? {
        var bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        guard bytes.contains(where: { $0 != 0 }) else { return nil }
        var index = bytes.count - 1
        while bytes[index] == 0 {
            bytes[index] = 0xFF
            index -= 1
        }
        bytes[index] -= 1
        return bytes.withUnsafeBytes { UUID(uuid: $0.load(as: uuid_t.self)) }
    }

    static func uuid(_ text: String, _ field: String) throws(SyncWireError) -> UUID {
        guard let id = parseUUID(text) else { throw SyncWireError("\(field) \(text) is not an id") }
        return id
    }

    static func date(_ text: String, _ field: String) throws(SyncWireError) -> CalendarDate {
        guard let date = CalendarDate(iso: text) else { throw SyncWireError("\(field) \(text) is not a date (YYYY-MM-DD)") }
        return date
    }

    static func instant(_ text: String, _ field: String) throws(SyncWireError) -> Date {
        guard let instant = InstantText.instant(text) else { throw SyncWireError("\(field) \(text) is not an instant") }
        return instant
    }
}
