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
    /// The request ids the source recorded with their outcomes, so that a replay after the move
    /// (an API client's retry, a desk's change, an offline desk's push) gets the first answer and
    /// changes nothing. Empty for an export before version 3.
    public var requests: Requests
    /// The source's change-feed number for the hotel when it was read. The import starts the
    /// hotel's feed after it, so a desk that replicated from the source either catches up (its
    /// cursor is this number) or, further behind, is told to take a new replica; never handed the
    /// new feed's entries under the old numbers. Nil for an export before version 3.
    public var feedSequence: Int64?

    /// What a replay must still find: the request that made each booking, each change's request
    /// id, and each operation a desk pushed with the answer it got.
    public struct Requests: Hashable, Sendable {
        /// By booking id.
        public var bookings: [UUID: BookingRequest]
        public var changes: [RecordedChange]
        public var syncOperations: [RecordedSyncOperation]

        public init(bookings: [UUID: BookingRequest] = [:], changes: [RecordedChange] = [], syncOperations: [RecordedSyncOperation] = []) {
            self.bookings = bookings
            self.changes = changes
            self.syncOperations = syncOperations
        }
    }

    /// The request id a booking was made under (`Idempotency-Key`, `--request-id`) and the
    /// fingerprint of what it asked, which a replay must repeat.
    public struct BookingRequest: Codable, Hashable, Sendable {
        public var id: UUID
        public var fingerprint: String

        public init(id: UUID, fingerprint: String) {
            self.id = id
            self.fingerprint = fingerprint
        }

        enum CodingKeys: String, CodingKey { case id, fingerprint }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(id: try container.transferId(.id), fingerprint: try container.decode(String.self, forKey: .fingerprint))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(Identifier.lowercaseText(id), forKey: .id)
            try container.encode(fingerprint, forKey: .fingerprint)
        }
    }

    /// A change made under a request id (check-in, cancellation, edit…), as `booking_change_request` keeps it.
    public struct RecordedChange: Codable, Hashable, Sendable {
        public var requestId: UUID
        public var bookingId: UUID
        public var action: String
        public var fingerprint: String
        public var createdAt: Date

        public init(requestId: UUID, bookingId: UUID, action: String, fingerprint: String, createdAt: Date) {
            self.requestId = requestId
            self.bookingId = bookingId
            self.action = action
            self.fingerprint = fingerprint
            self.createdAt = createdAt
        }

        enum CodingKeys: String, CodingKey { case requestId, bookingId, action, fingerprint, createdAt }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(requestId: try container.transferId(.requestId), bookingId: try container.transferId(.bookingId),
                      action: try container.decode(String.self, forKey: .action),
                      fingerprint: try container.decode(String.self, forKey: .fingerprint),
                      createdAt: try container.transferInstant(.createdAt))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(Identifier.lowercaseText(requestId), forKey: .requestId)
            try container.encode(Identifier.lowercaseText(bookingId), forKey: .bookingId)
            try container.encode(action, forKey: .action)
            try container.encode(fingerprint, forKey: .fingerprint)
            try container.encode(InstantText.utc(createdAt), forKey: .createdAt)
        }
    }

    /// An operation an offline desk pushed, as `sync_operation` keeps it: the answer is the JSON
    /// it was first given, carried as it is.
    public struct RecordedSyncOperation: Codable, Hashable, Sendable {
        public static let outcomes: Set<String> = ["accepted", "conflict", "rejected"]

        public var operationId: String
        /// The hotel's order of its operations (an operation on a booking whose latest earlier one
        /// was refused is refused too).
        public var seq: Int64
        public var fingerprint: String
        /// The booking it named, as lowercase id text; nil when it named none that reads as an id.
        public var bookingId: String?
        public var outcome: String
        public var answer: String
        public var at: Date

        public init(operationId: String, seq: Int64, fingerprint: String, bookingId: String?, outcome: String, answer: String, at: Date) {
            self.operationId = operationId
            self.seq = seq
            self.fingerprint = fingerprint
            self.bookingId = bookingId
            self.outcome = outcome
            self.answer = answer
            self.at = at
        }

        enum CodingKeys: String, CodingKey { case operationId, seq, fingerprint, bookingId, outcome, answer, at }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let outcome = try container.decode(String.self, forKey: .outcome)
            guard Self.outcomes.contains(outcome) else {
                throw DecodingError.dataCorruptedError(forKey: .outcome, in: container, debugDescription: "\(outcome) is not accepted, conflict or rejected")
            }
            let seq = try container.decode(Int64.self, forKey: .seq)
            guard seq >= 1 else { throw DecodingError.dataCorruptedError(forKey: .seq, in: container, debugDescription: "seq \(seq) is not 1 or more") }
            self.init(operationId: try container.decode(String.self, forKey: .operationId), seq: seq,
                      fingerprint: try container.decode(String.self, forKey: .fingerprint),
                      bookingId: try container.decodeIfPresent(String.self, forKey: .bookingId).flatMap(Identifier.uuid).map(Identifier.lowercaseText),
                      outcome: outcome, answer: try container.decode(String.self, forKey: .answer),
                      at: try container.transferInstant(.at))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(operationId, forKey: .operationId)
            try container.encode(seq, forKey: .seq)
            try container.encode(fingerprint, forKey: .fingerprint)
            try container.encodeIfPresent(bookingId, forKey: .bookingId)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(answer, forKey: .answer)
            try container.encode(InstantText.utc(at), forKey: .at)
        }
    }

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
        /// What the card was charged, in cents (schema v16 on): a cancellation after the move
        /// refunds that, not the total of a stay changed since. Absent: not recorded.
        public var chargedCents: Int64?
        /// A payment or refund step still waits, or the saga needs someone's attention: moved now,
        /// it would be left behind (a card never refunded). Read from the source, never exported.
        public var stepsUnderWay = false

        public init(method: PaymentMethod, reference: String?, refundReference: String?) {
            self.method = method
            self.reference = reference
            self.refundReference = refundReference
        }

        enum CodingKeys: String, CodingKey { case method, reference, refundReference, chargedCents }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let text = try container.decode(String.self, forKey: .method)
            guard let method = PaymentMethod(rawValue: text) else {
                throw DecodingError.dataCorruptedError(forKey: .method, in: container, debugDescription: "\(text) is not desk or card")
            }
            self.init(method: method, reference: try container.decodeIfPresent(String.self, forKey: .reference),
                      refundReference: try container.decodeIfPresent(String.self, forKey: .refundReference))
            chargedCents = try container.decodeIfPresent(Int64.self, forKey: .chargedCents)
            if let chargedCents, chargedCents < 0 {
                throw DecodingError.dataCorruptedError(forKey: .chargedCents, in: container, debugDescription: "a charge is not negative")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(method.rawValue, forKey: .method)
            try container.encodeIfPresent(reference, forKey: .reference)
            try container.encodeIfPresent(refundReference, forKey: .refundReference)
            try container.encodeIfPresent(chargedCents, forKey: .chargedCents)
        }
    }

    public init(hotel: Hotel, roomTypes: [RoomType], rooms: [Room], bookings: [Booking],
                claims: [UUID: [HeldNight]]? = nil, payments: [UUID: Payment] = [:], requests: Requests = Requests(),
                feedSequence: Int64? = nil) {
        self.hotel = hotel
        self.roomTypes = roomTypes
        self.rooms = rooms
        self.bookings = bookings
        self.claims = claims
        self.payments = payments
        self.requests = requests
        self.feedSequence = feedSequence
    }

    /// The whole hotel as `storage` has it now: rooms, bookings in id order with the nights each
    /// holds, and each booking's payment, read in one snapshot (`inOneSnapshot`): a booking made
    /// meanwhile is either wholly in (with its nights, payment and request id) or wholly out.
    public static func take(_ hotel: Hotel, from storage: any HotelStorage) throws -> HotelTransfer {
        try storage.inOneSnapshot { try takeInOneSnapshot(hotel, from: storage) }
    }

    private static func takeInOneSnapshot(_ hotel: Hotel, from storage: any HotelStorage) throws -> HotelTransfer {
        var bookings: [Booking] = []
        var claims: [UUID: [HeldNight]] = [:]
        var after: UUID?
        var feedSequence: Int64?
        repeat {
            let page = try storage.replicaPage(after: after, limit: SyncWire.pageSize)
            if after == nil { feedSequence = page.cursor }
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
                             claims: claims, payments: try storage.transferPayments(), requests: try storage.transferRequests(),
                             feedSequence: feedSequence)
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
    /// A request id of the file already recorded here (another hotel's) would answer a replay
    /// with the wrong booking: refused in words before anything is written.
    static func refuseRequestIdsInUse(_ requests: HotelTransfer.Requests, _ db: Database) throws {
        let made = try db.cachedStatement(sql: "SELECT 1 FROM booking WHERE request_id = ?")
        for request in requests.bookings.values.sorted(by: { $0.id.uuidString < $1.id.uuidString })
        where try Bool.fetchOne(made, arguments: [Identifier.lowercaseText(request.id)]) != nil {
            throw FrontDeskError.conflict(HotelTransfer.requestIdInUse(request.id))
        }
        let changed = try db.cachedStatement(sql: "SELECT 1 FROM booking_change_request WHERE request_id = ?")
        for change in requests.changes where try Bool.fetchOne(changed, arguments: [Identifier.lowercaseText(change.requestId)]) != nil {
            throw FrontDeskError.conflict(HotelTransfer.requestIdInUse(change.requestId))
        }
    }
}

extension FrontDeskStore {
    /// A room type, room or booking of the file whose id is here already, in another hotel (a
    /// file changed by hand, another hotel's copy): said in words, not as a UNIQUE error.
    static func refuseIdsInUse(_ transfer: HotelTransfer, _ db: Database) throws {
        let checks: [(table: String, what: String, ids: [String])] = [
            ("room_type", "Room type", transfer.roomTypes.map(\.id.uuidString)),
            ("room", "Room", transfer.rooms.map(\.id.uuidString)),
            ("booking", "Booking", transfer.bookings.map(\.id.storedText)),
        ]
        for check in checks {
            let known = try db.cachedStatement(sql: "SELECT 1 FROM \(check.table) WHERE id = ?")
            if let taken = try check.ids.first(where: { try Bool.fetchOne(known, arguments: [$0]) != nil }) {
                throw FrontDeskError.conflict(HotelTransfer.idInUse(check.what, taken))
            }
        }
    }
}

extension HotelTransfer {
    public static func idInUse(_ what: String, _ id: String) -> String {
        "\(what) \(id.lowercased()) of the file is here already, in another hotel (a file changed by hand, "
            + "or a copy of a hotel imported before); nothing was imported"
    }

    public static func requestIdInUse(_ id: UUID) -> String {
        "Request id \(Identifier.lowercaseText(id)) is recorded here already, for another hotel; nothing was imported"
    }
}

extension KeyedDecodingContainer {
    /// An id written as text, refused with its field named when it is not one.
    fileprivate func transferId(_ key: Key) throws -> UUID {
        let text = try decode(String.self, forKey: key)
        guard let id = Identifier.uuid(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(text) is not an id")
        }
        return id
    }

    /// An instant written as `InstantText.utc` writes it.
    fileprivate func transferInstant(_ key: Key) throws -> Date {
        let text = try decode(String.self, forKey: key)
        guard let instant = InstantText.instant(text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(text) is not an instant")
        }
        return instant
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
                       s.attention IS NOT NULL OR EXISTS (SELECT 1 FROM saga_message m WHERE m.booking_id = s.booking_id AND m.name IN ('ProcessPayment', 'ProcessRefund')),
                       s.charged_cents
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
                payment.chargedCents = try stored.optionalInteger(5, "charged_cents", in: 0...Int64.max)
                payments[id] = payment
            }
            return payments
        }
    }

    /// The request ids recorded for this hotel (`HotelTransfer.requests`), for an export.
    public func transferRequests() throws -> HotelTransfer.Requests {
        try read { db in
            let hotel = try requireHotel(db).id.storedText
            var requests = HotelTransfer.Requests()
            let made = try Row.fetchCursor(db, sql: """
                SELECT id, request_id, request_fingerprint FROM booking WHERE hotel_id = ? AND request_id IS NOT NULL
                """, arguments: [hotel])
            while let row = try made.next() {
                let stored = StoredRow(row, table: "booking", name: "booking \((row[0] as String?) ?? "?")")
                requests.bookings[try stored.id(0, "id")] = HotelTransfer.BookingRequest(
                    id: try stored.id(1, "request_id"), fingerprint: try stored.optionalText(2, "request_fingerprint") ?? "")
            }
            let changes = try Row.fetchCursor(db, sql: """
                SELECT c.request_id, c.booking_id, c.action, c.fingerprint, c.created_at
                FROM booking_change_request c JOIN booking b ON b.id = c.booking_id WHERE b.hotel_id = ? ORDER BY c.request_id
                """, arguments: [hotel])
            while let row = try changes.next() {
                let stored = StoredRow(row, table: "booking_change_request", name: "request \((row[0] as String?) ?? "?")")
                requests.changes.append(HotelTransfer.RecordedChange(
                    requestId: try stored.id(0, "request_id"), bookingId: try stored.id(1, "booking_id"), action: try stored.text(2, "action"),
                    fingerprint: try stored.text(3, "fingerprint"), createdAt: try stored.instant(4, "created_at")))
            }
            let operations = try Row.fetchCursor(db, sql: """
                SELECT operation_id, seq, fingerprint, booking_id, outcome, answer, at FROM sync_operation WHERE hotel_id = ? ORDER BY seq
                """, arguments: [hotel])
            while let row = try operations.next() {
                let stored = StoredRow(row, table: "sync_operation", name: "operation \((row[0] as String?) ?? "?")")
                requests.syncOperations.append(HotelTransfer.RecordedSyncOperation(
                    operationId: try stored.text(0, "operation_id"), seq: Int64(try stored.integer(1, "seq", in: 1...Int64.max)),
                    fingerprint: try stored.text(2, "fingerprint"), bookingId: try stored.optionalText(3, "booking_id"),
                    outcome: try stored.text(4, "outcome"), answer: try stored.text(5, "answer"), at: try stored.instant(6, "at")))
            }
            return requests
        }
    }

    /// Adds a hotel taken from another database, in one transaction; a hotel with its id here
    /// already is `conflict`. Held nights are claimed again (those the source held, from an
    /// export that carries them), so the room-night key still refuses any overlap; each paid
    /// booking's saga record comes along, so a later cancellation refunds the way it was paid.
    /// `users`: the hotel's accounts (`export`'s user lines), added in the same transaction: an
    /// import that fails leaves neither the hotel nor any of them.
    public func importHotel(_ transfer: HotelTransfer, users: [UserAccount] = [], by user: String) throws {
        if let problem = transfer.problems().first { throw FrontDeskError.invalidState(problem) }
        let users = try UserAccount.validated(users)
        try write { db in
            let hotel = transfer.hotel
            if try Row.fetchOne(db, sql: "SELECT 1 FROM hotel WHERE id = ?", arguments: [hotel.id.uuidString]) != nil {
                throw FrontDeskError.conflict("The hotel \(hotel.id.uuidString.lowercased()) is here already")
            }
            try Self.refuseRequestIdsInUse(transfer.requests, db)
            try Self.refuseIdsInUse(transfer, db)
            try Self.insert(hotel, db)
            try db.run(sql: "UPDATE hotel SET no_show_cutoff_hour = ?, no_show_fee = ? WHERE id = ?",
                       arguments: [hotel.noShowPolicy.cutoffHour, hotel.noShowPolicy.fee.rawValue, hotel.id.uuidString])
            for type in transfer.roomTypes { try Self.insert(type, db) }
            for room in transfer.rooms { try Self.insert(room, db) }
            for booking in transfer.bookings {
                // Claims that name their rooms go in after the row has its first night in the
                // current room (`room_since`): the schema lets a night before it be in another room.
                let claims = transfer.claimsHeld(by: booking)
                let request = transfer.requests.bookings[booking.id]
                try Self.insert(booking, requestId: request?.id, fingerprint: request?.fingerprint, nights: claims == nil ? nil : [], db)
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
                        INSERT INTO saga (booking_id, payment_method, payment_reference, refund_reference, started_at, charged_cents)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [booking.id.storedText, payment.method.rawValue, payment.reference, payment.refundReference,
                                       Timestamp.text(booking.createdAt), payment.chargedCents])
                }
            }
            for change in transfer.requests.changes {
                try db.run(sql: """
                    INSERT INTO booking_change_request (request_id, booking_id, action, fingerprint, created_at) VALUES (?, ?, ?, ?, ?)
                    """, arguments: [Identifier.lowercaseText(change.requestId), change.bookingId.storedText, change.action,
                                     change.fingerprint, Timestamp.text(change.createdAt)])
            }
            let operation = try db.cachedStatement(sql: """
                INSERT INTO sync_operation (hotel_id, operation_id, seq, fingerprint, booking_id, outcome, answer, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for pushed in transfer.requests.syncOperations {
                try operation.execute(arguments: [hotel.id.storedText, pushed.operationId, pushed.seq, pushed.fingerprint, pushed.bookingId,
                                                  pushed.outcome, pushed.answer, Timestamp.text(pushed.at)])
            }
            if let feedSequence = transfer.feedSequence {
                // The hotel's feed goes on from the source's number: one entry after it (the hotel
                // "changed": a desk at that number refreshes the property), none before it.
                try db.run(sql: "DELETE FROM change_feed WHERE hotel_id = ?", arguments: [hotel.id.uuidString])
                try db.run(sql: """
                    INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at) VALUES (?, ?, 'HotelChanged', NULL, NULL, ?, ?)
                    """, arguments: [hotel.id.uuidString, feedSequence + 1,
                                     JSONValue.object([("hotelId", .string(Identifier.lowercaseText(hotel.id)))]).rendered(),
                                     Timestamp.text(now)])
            }
            try audit(db, user: user, action: "hotel.imported",
                      summary: "Hotel \(hotel.name) imported: \(transfer.rooms.count) rooms, \(transfer.bookings.count) bookings")
            for account in users { try addUser(account, by: user, db) }
        }
    }
}
