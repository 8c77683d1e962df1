import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// A desk-paid booking of the API (`confirmsDeskPaymentAtOnce`) in two statements: one read that
/// answers every question the careful way asks one statement at a time (the room, whether it is
/// in service, whether any night of the stay is claimed, the code, the request id, the nights'
/// loads), and one write of the booking as it ends up (Confirmed, version 3): its row, nights,
/// claimed room-nights, saga and three audit entries. The careful way (`reserve`, then
/// `confirmPaidAtDesk`) takes about fifteen round trips and a savepoint for the same rows, and on
/// PostgreSQL a booking's time went to those round trips, not to the statements (BENCHMARKS.md,
/// issue 13, session 13).
///
/// Anything out of the ordinary (a request id seen before, a night already claimed, a lapsed
/// hold to expire, a room out of service or not found, a code taken) is left to the careful way,
/// which says what is wrong exactly as before. The rows written are the careful way's, field for
/// field (`BookingAtOnceTests.onPostgresTheRowsWrittenAtOnceAreTheCarefulWaysRows` compares them).
extension PostgresHotelStorage {
    /// The write of a booking made at once failed in PostgreSQL (a night claimed by a transaction
    /// that committed after the read, a request id used at the same moment): the transaction is
    /// spoilt, so its group runs again the careful way, each booking in a savepoint, which names
    /// the failure for that booking alone.
    struct AtOnceWriteFailed: Error {}

    /// `request` booked, paid at the desk and confirmed at once when nothing about it is out of
    /// the ordinary, else the careful way in a savepoint; nil when it asks for neither (a card, a
    /// hold to be paid later): the caller books it the careful way.
    func reserveConfirmedAtOnce(_ request: ReservationRequest, _ session: PostgresSession, group: GroupReads) throws -> Booking? {
        guard request.confirmsDeskPaymentAtOnce, request.payment.method == .desk else { return nil }
        let outcome: AtOnce
        do {
            outcome = try reserveAtOnce(request, session, group: group)
        } catch let error as PSQLError where error.code == .server && !PostgresChainStorage.isRetryable(error) {
            throw AtOnceWriteFailed() // the careful way meets the same error and names it
        }
        switch outcome {
        case .confirmed(let booking): return booking
        case .careful(let request): return try chain.inSavepoint(session) { try reserveSettlingDeskPayment(request, session, group: group) }
        }
    }

    private enum AtOnce {
        case confirmed(Booking)
        /// The request to book the careful way (with the code the one read found taken or free).
        case careful(ReservationRequest)
    }

    /// What the one read of a booking made at once found.
    private struct AtOnceReading {
        let listing: RoomListing
        let nightTaken: Bool
        let codeTaken: Bool
        let requestSeen: Bool
        let heldNights: [(night: String, rooms: Int)]
        let activeRooms: Int?
    }

    private func reserveAtOnce(_ request: ReservationRequest, _ session: PostgresSession, group: GroupReads) throws -> AtOnce {
        let hotel = try group.hotel { try chain.fetchHotel(hotelId, session) }
        guard let hotel else { return .careful(request) }
        let today = ruleDate ?? chain.businessDate(for: hotel)
        // The stay as the form gives it; a form the rules refuse is refused below, with the room.
        guard let checkIn = CalendarDate(iso: request.form.checkIn.trimmingWhitespace()),
              let checkOut = CalendarDate(iso: request.form.checkOut.trimmingWhitespace()), checkIn < checkOut else {
            return .careful(request)
        }
        let code = request.confirmationCode.flatMap(ConfirmationCode.normalized) ?? chain.makeConfirmationCode()
        let careful = ReservationRequest(form: request.form, requestId: request.requestId, payment: request.payment, user: request.user,
                                         roomId: request.roomId, bookingId: request.bookingId, confirmationCode: code,
                                         confirmsDeskPaymentAtOnce: request.confirmsDeskPaymentAtOnce)
        guard let reading = try read(request, checkIn: checkIn, checkOut: checkOut, code: code,
                                     countingActiveRooms: group.activeRooms == nil, session),
              !reading.requestSeen, !reading.codeTaken, !reading.nightTaken, reading.listing.room.isActive else {
            return .careful(careful)
        }
        if let counted = reading.activeRooms { group.activeRooms = counted }
        var form = request.form
        form.roomNumber = reading.listing.room.number
        let validated = try BookingRules.validate(form, context: .init(
            businessDate: today, hotelExists: true, room: (reading.listing.room, reading.listing.type)))
        guard validated.stay.checkIn == checkIn, validated.stay.checkOut == checkOut else { return .careful(careful) }
        let loads = Self.nightLoads(stay: validated.stay, activeRooms: group.activeRooms ?? 0, held: reading.heldNights)
        let prices = chain.pricing.nightlyPrices(basePrice: reading.listing.type.basePricePerNight, stay: validated.stay,
                                                 businessDate: today) { loads[$0] ?? .init(held: 0, active: 0) }
        let instant = now
        let held = Booking(
            id: request.bookingId ?? UUID.timeOrdered(at: instant), hotelId: hotel.id, roomId: reading.listing.room.id, roomNumber: reading.listing.room.number,
            confirmationCode: code, guest: validated.guest, guestCount: validated.guestCount, stay: validated.stay, status: .reserving,
            nightlyPrices: prices, version: 1,
            holdExpiresAt: instant.addingTimeInterval(TimeInterval(hotel.holdMinutes * 60)),
            statusReason: nil, createdAt: instant, updatedAt: instant)
        let (paying, confirmed) = try held.paidAtDeskAndConfirmed(at: now)
        // The saga's steps are the system's, as when the runner takes them (`reserveSettlingDeskPayment`).
        let audits = [reservedAudit(held, by: request.user)]
            + deskConfirmationAudits(held: held, paying: paying, confirmed: confirmed, by: "system")
        try write(confirmed, createdAs: held, requestId: request.requestId, fingerprint: form.idempotencyFingerprint(payment: request.payment),
                  startedAt: now, audits: audits, session)
        // The feed, as the careful way's insert and write-back make it (written at the commit).
        try feed(session, event: "RoomAvailabilityChanged", held, data: Self.availabilityData(held, available: false), at: held.createdAt)
        try feedChange(from: held, to: confirmed, session)
        return .confirmed(confirmed)
    }

    /// The one read: nil when the room is not the hotel's (the careful way says so). The room is
    /// locked for share until the commit, as the careful way locks it.
    private func read(_ request: ReservationRequest, checkIn: CalendarDate, checkOut: CalendarDate, code: String,
                      countingActiveRooms: Bool, _ session: PostgresSession) throws -> AtOnceReading? {
        let values: [SQLValue] = [hotelId, checkIn.iso, checkOut.iso, code, request.requestId, now, countingActiveRooms]
        let rows = if let roomId = request.roomId {
            try session.rows(ReadByRoomId.self, [roomId] + values)
        } else {
            try session.rows(ReadByRoomNumber.self, [request.form.roomNumber.trimmingCharacters(in: .whitespaces)] + values)
        }
        guard let row = rows.first else { return nil }
        let columns = ColumnReader(row, table: "room")
        let type = try PostgresChainStorage.roomType(columns, at: 5)
        let listing = RoomListing(room: Room(id: try columns.uuid(0), hotelId: try columns.uuid(1), roomTypeId: type.id,
                                             number: try columns.text(3), isActive: try columns.bool(4)), type: type)
        let held = try columns.decode(13, [String].self).map { entry -> (night: String, rooms: Int) in
            let parts = entry.split(separator: "=")
            guard parts.count == 2, let rooms = Int(parts[1]) else { throw PostgresStoreError.damaged("A night's load \(entry) is not a night and a count") }
            return (String(parts[0]), rooms)
        }
        return AtOnceReading(listing: listing, nightTaken: try columns.bool(10), codeTaken: try columns.bool(11),
                             requestSeen: try columns.bool(12), heldNights: held,
                             activeRooms: countingActiveRooms ? try columns.int(14) : nil)
    }

    /// The one write: the booking's row as it ends up, created as `created` was (its nights'
    /// prices, its claims firm from the start), its saga with the desk's payment reference, and
    /// the audit entries. The nights' key (`room_night_pkey`) and the trigger that checks each
    /// night against its booking (schema v7: after the statement) guard it as they guard the
    /// careful way's inserts.
    private func write(_ booking: Booking, createdAs created: Booking, requestId: UUID?, fingerprint: String, startedAt: Date,
                       audits: [PostgresChainStorage.AuditRow], _ session: PostgresSession) throws {
        let nights = booking.nightlyPrices
        try session.rows(Write.self,
                 [booking.id, booking.hotelId, booking.roomId, booking.confirmationCode, booking.guest.name, booking.guest.email,
                  booking.guest.phone, booking.guestCount, booking.stay.checkIn.iso, booking.stay.checkOut.iso,
                  booking.status.rawValue, booking.totalPrice.minorUnits, booking.version, booking.holdExpiresAt,
                  booking.statusReason, requestId, fingerprint, created.createdAt, booking.updatedAt,
                  nights.map(\.night.iso), nights.map(\.price.minorUnits), booking.stay.nights.map(\.iso),
                  startedAt, FrontDeskStore.deskPaymentReference(booking.confirmationCode)]
                + PostgresChainStorage.auditValues(audits))
    }

    /// The one read, its room by id (the API) or by number: the room and its type, then whether a
    /// night of the stay is claimed (live, lapsed or firm), the code is taken, the request id
    /// seen; the stay's nights as "night=rooms held" (lapsed holds not counted); the hotel's
    /// active rooms when asked.
    private enum ReadByRoomId: NamedStatement {
        static let name = "frontdesk_at_once_read_by_room_id"
        static let sql = readSQL(room: "r.id = $1::uuid")
    }

    private enum ReadByRoomNumber: NamedStatement {
        static let name = "frontdesk_at_once_read_by_room_number"
        static let sql = readSQL(room: "r.number = $1::text")
    }

    private static func readSQL(room: String) -> String {
        """
        SELECT r.id, r.hotel_id, r.room_type_id, r.number, r.is_active,
               t.id, t.hotel_id, t.name, t.capacity::int8, t.base_price_cents,
               EXISTS (SELECT 1 FROM room_night n WHERE n.room_id = r.id AND n.night >= $3::date AND n.night < $4::date),
               EXISTS (SELECT 1 FROM booking WHERE confirmation_code = $5::text),
               EXISTS (SELECT 1 FROM booking WHERE request_id = $6::uuid),
               ARRAY(SELECT night::text || '=' || count(*) FROM room_night
                     WHERE hotel_id = $2::uuid AND night >= $3::date AND night < $4::date
                       AND (hold_expires_at IS NULL OR hold_expires_at > $7::timestamptz)
                     GROUP BY night),
               CASE WHEN $8::bool THEN (SELECT count(*) FROM room WHERE hotel_id = $2::uuid AND is_active) END
        FROM room r JOIN room_type t ON t.id = r.room_type_id
        WHERE \(room) AND r.hotel_id = $2::uuid
        FOR SHARE OF r
        """
    }

    /// The one write (`write`).
    private enum Write: NamedStatement {
        static let name = "frontdesk_at_once_write"
        static let sql = """
            WITH booked AS (
                INSERT INTO booking (id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
                                     check_in, check_out, status, total_cents, version, hold_expires_at, status_reason,
                                     request_id, request_fingerprint, created_at, updated_at)
                VALUES ($1::uuid, $2::uuid, $3::uuid, $4::text, $5::text, $6::text, $7::text, $8, $9::date, $10::date, $11::text,
                        $12, $13, $14::timestamptz, $15::text, $16::uuid, $17::text, $18::timestamptz, $19::timestamptz)),
            priced AS (
                INSERT INTO booking_night (booking_id, night, price_cents)
                SELECT $1::uuid, night::date, price FROM unnest($20::text[], $21::int8[]) AS t(night, price)),
            claimed AS (
                INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at)
                SELECT $3::uuid, night::date, $2::uuid, $1::uuid, NULL FROM unnest($22::text[]) AS t(night)),
            saga_started AS (
                INSERT INTO saga (booking_id, payment_method, card_number, started_at, payment_reference)
                VALUES ($1::uuid, 'desk', NULL, $23::timestamptz, $24::text)),
            audited AS (\(PostgresChainStorage.auditInsert(firstParameter: 25)))
            SELECT 1
            """
    }
}
