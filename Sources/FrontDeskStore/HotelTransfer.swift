import Foundation
import FrontDeskDomain
import GRDB

/// A hotel moved between databases whole (`frontdesk-server export` / `import`): its rooms and
/// bookings as they are, ids, codes, versions and nightly prices kept.
public struct HotelTransfer: Sendable {
    public var hotel: Hotel
    public var roomTypes: [RoomType]
    public var rooms: [Room]
    public var bookings: [Booking]
    /// The nights each booking holds and in which room, by booking id, as the source has them: a
    /// no-show or an early check-out holds fewer nights than its stay (the nights it gave back may
    /// have been sold again), and a stay split by a move holds its nights before `roomSince` in
    /// the room it left. Nil for an export of version 1, whose bookings then hold every night of
    /// their stay in their room unless cancelled or failed.
    public var claims: [UUID: [HeldNight]]?
    /// How each paid booking was paid, by booking id (its saga's record): a card booking keeps
    /// its charge's reference, so a cancellation after the move refunds the card.
    public var payments: [UUID: Payment]

    /// One night a booking holds, in the room it holds it in.
    public struct HeldNight: Hashable, Sendable {
        public var night: CalendarDate
        public var roomId: UUID

        public init(night: CalendarDate, roomId: UUID) {
            self.night = night
            self.roomId = roomId
        }
    }

    /// A booking's payment as its saga recorded it.
    public struct Payment: Codable, Hashable, Sendable {
        public var method: PaymentMethod
        public var reference: String?
        public var refundReference: String?
        /// A payment or refund step still waits, or the saga needs someone's attention: moved now,
        /// it would be left behind (a card never refunded). Read from the source, never exported.
        public var stepsUnderWay = false

        public init(method: PaymentMethod, reference: String?, refundReference: String?) {
            self.method = method
            self.reference = reference
            self.refundReference = refundReference
        }

        enum CodingKeys: String, CodingKey { case method, reference, refundReference }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let text = try container.decode(String.self, forKey: .method)
            guard let method = PaymentMethod(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: .method, in: container, debugDescription: "\(text) is not desk or card")
            }
            self.init(method: method, reference: try container.decodeIfPresent(String.self, forKey: .reference),
                      refundReference: try container.decodeIfPresent(String.self, forKey: .refundReference))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(method.rawValue, forKey: .method)
            try container.encodeIfPresent(reference, forKey: .reference)
            try container.encodeIfPresent(refundReference, forKey: .refundReference)
        }
    }

    public init(hotel: Hotel, roomTypes: [RoomType], rooms: [Room], bookings: [Booking],
                claims: [UUID: [HeldNight]]? = nil, payments: [UUID: Payment] = [:]) {
        self.hotel = hotel
        self.roomTypes = roomTypes
        self.rooms = rooms
        self.bookings = bookings
        self.claims = claims
        self.payments = payments
    }

    /// The whole hotel as `storage` has it now: rooms, bookings in id order with the nights each
    /// holds, and each booking's payment.
    public static func take(_ hotel: Hotel, from storage: any HotelStorage) throws -> HotelTransfer {
        var bookings: [Booking] = []
        var claims: [UUID: [HeldNight]] = [:]
        var after: UUID?
        repeat {
            let page = try storage.replicaPage(after: after, limit: SyncWire.pageSize)
            for wire in page.bookings {
                let booking = try wire.booking()
                bookings.append(booking)
                claims[booking.id] = wire.claims.compactMap { claim in
                    CalendarDate(iso: claim.night).flatMap { night in UUID(uuidString: claim.roomId).map { HeldNight(night: night, roomId: $0) } }
                }.sorted { $0.night < $1.night }
            }
            after = page.next.flatMap(UUID.init(uuidString:))
        } while after != nil
        return HotelTransfer(hotel: hotel, roomTypes: try storage.roomTypes().sorted { $0.id.uuidString < $1.id.uuidString },
                             rooms: try storage.rooms().map(\.room), bookings: bookings.sorted { $0.id.uuidString < $1.id.uuidString },
                             claims: claims, payments: try storage.transferPayments())
    }

    /// The nights `booking` is to hold once imported, each in its room; nil (every night of the
    /// stay, in the booking's room) for a version-1 export.
    public func claimsHeld(by booking: Booking) -> [HeldNight]? {
        guard let claims else { return nil }
        return claims[booking.id] ?? []
    }

    /// The nights of `claimsHeld(by:)`, rooms aside.
    public func nightsHeld(by booking: Booking) -> [CalendarDate]? {
        claimsHeld(by: booking)?.map(\.night)
    }

    /// What `import` refuses before writing anything: a booking whose saga is under way (its
    /// messages stay behind: a charge to settle, a refund owed).
    public func problems() -> [String] {
        bookings.compactMap { booking in
            if booking.status == .reserving || booking.status == .processingPayment {
                return "booking \(booking.confirmationCode) is \(booking.status.rawValue): let its payment finish (or cancel it) before moving the hotel"
            }
            if payments[booking.id]?.stepsUnderWay == true {
                return "booking \(booking.confirmationCode) still has a payment or refund under way (or needing attention): let it finish before moving the hotel"
            }
            return nil
        }
    }
}

extension FrontDeskStore {
    /// How this hotel's bookings were paid (`HotelTransfer.payments`), for an export.
    public func transferPayments() throws -> [UUID: HotelTransfer.Payment] {
        try read { db in
            let hotel = try requireHotel(db)
            var payments: [UUID: HotelTransfer.Payment] = [:]
            let rows = try Row.fetchCursor(db, sql: """
                SELECT s.booking_id, s.payment_method, s.payment_reference, s.refund_reference,
                       s.attention IS NOT NULL OR EXISTS (SELECT 1 FROM saga_message m WHERE m.booking_id = s.booking_id AND m.name IN ('ProcessPayment', 'ProcessRefund'))
                FROM saga s JOIN booking b ON b.id = s.booking_id WHERE b.hotel_id = ?
                """, arguments: [hotel.id.uuidString])
            while let row = try rows.next() {
                let stored = StoredRow(row, table: "saga", rowid: 0)
                let id = try stored.id(0, "booking_id")
                let text = try stored.text(1, "payment_method")
                guard let method = PaymentMethod(rawValue: text) else {
                    throw stored.damaged("payment_method", "\(StoredRow.quoted(text)) is not desk or card")
                }
                var payment = HotelTransfer.Payment(method: method, reference: try stored.optionalText(2, "payment_reference"),
                                                    refundReference: try stored.optionalText(3, "refund_reference"))
                payment.stepsUnderWay = try stored.integer(4, "steps under way", in: 0...1) == 1
                payments[id] = payment
            }
            return payments
        }
    }

    /// Adds a hotel taken from another database, in one transaction; a hotel with its id here
    /// already is `conflict`. Held nights are claimed again (those the source held, from an
    /// export that carries them), so the room-night key still refuses any overlap; each paid
    /// booking's saga record comes along, so a later cancellation refunds the way it was paid.
    public func importHotel(_ transfer: HotelTransfer, by user: String) throws {
        if let problem = transfer.problems().first { throw FrontDeskError.invalidState(problem) }
        try write { db in
            let hotel = transfer.hotel
            if try Row.fetchOne(db, sql: "SELECT 1 FROM hotel WHERE id = ?", arguments: [hotel.id.uuidString]) != nil {
                throw FrontDeskError.conflict("The hotel \(hotel.id.uuidString.lowercased()) is here already")
            }
            try Self.insert(hotel, db)
            try db.run(sql: "UPDATE hotel SET no_show_cutoff_hour = ?, no_show_fee = ? WHERE id = ?",
                       arguments: [hotel.noShowPolicy.cutoffHour, hotel.noShowPolicy.fee.rawValue, hotel.id.uuidString])
            for type in transfer.roomTypes { try Self.insert(type, db) }
            for room in transfer.rooms { try Self.insert(room, db) }
            for booking in transfer.bookings {
                // Claims that name their rooms go in after the row has its first night in the
                // current room (`room_since`): the schema lets a night before it be in another room.
                let claims = transfer.claimsHeld(by: booking)
                try Self.insert(booking, requestId: nil, fingerprint: nil, nights: claims == nil ? nil : [], db)
                if booking.checkedInOn != nil || booking.checkedOutOn != nil || booking.roomSince != nil {
                    try db.run(sql: "UPDATE booking SET checked_in_on = ?, checked_out_on = ?, room_since = ? WHERE id = ?",
                               arguments: [booking.checkedInOn?.iso, booking.checkedOutOn?.iso, booking.roomSince?.iso, booking.id.storedText])
                }
                if let claims, booking.status != .failed, booking.status != .cancelled {
                    let claim = try db.cachedStatement(sql: """
                        INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?, ?, ?, ?, ?)
                        """)
                    for held in claims {
                        try claim.execute(arguments: [held.roomId.storedText, held.night.iso, hotel.id.storedText, booking.id.storedText,
                                                      booking.holdExpiresAt.map(Timestamp.text)])
                    }
                }
                for (index, note) in booking.notes.enumerated() {
                    try db.run(sql: "INSERT INTO booking_note (booking_id, seq, at, by_user, text) VALUES (?, ?, ?, ?, ?)",
                               arguments: [booking.id.storedText, index + 1, Timestamp.text(note.at), note.by, note.text])
                }
                if let payment = transfer.payments[booking.id] {
                    try db.run(sql: """
                        INSERT INTO saga (booking_id, payment_method, payment_reference, refund_reference, started_at)
                        VALUES (?, ?, ?, ?, ?)
                        """, arguments: [booking.id.storedText, payment.method.rawValue, payment.reference, payment.refundReference,
                                       Timestamp.text(booking.createdAt)])
                }
            }
            try audit(db, user: user, action: "hotel.imported",
                      summary: "Hotel \(hotel.name) imported: \(transfer.rooms.count) rooms, \(transfer.bookings.count) bookings")
        }
    }
}
