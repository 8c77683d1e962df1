import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// Desk-paid bookings of the API (`confirmsDeskPaymentAtOnce`) written at once, a run of a group's
/// bookings in two statements: one read that answers, for every booking of the run, each question
/// the careful way asks one statement at a time (the room, whether it is in service, whether any
/// night of the stay is claimed, the code, the request id, the nights' loads), and one write of the
/// run's bookings as they end up (Confirmed, version 3): their rows, nights, claimed room-nights,
/// sagas and three audit entries each. The careful way (`reserve`, then `confirmPaidAtDesk`) takes
/// about fifteen round trips and a savepoint for one booking's rows; on PostgreSQL a booking's
/// time went to round trips and per-statement work, not to the rows (BENCHMARKS.md, issue 13,
/// sessions 13 and 27).
///
/// Anything out of the ordinary (a request id seen before, a night already claimed, a lapsed hold
/// to expire, a room out of service or not found, a code taken) is left to the careful way, which
/// says what is wrong exactly as before. The rows written are the careful way's, field for field
/// (`BookingAtOnceTests.onPostgresTheRowsWrittenAtOnceAreTheCarefulWaysRows` compares them), and a
/// run books what its bookings one after another would (`aRunPricesEachBookingAsIfTheEarlierWereBooked`).
extension PostgresHotelStorage {
    /// The write of bookings made at once failed in PostgreSQL (a night claimed by a transaction
    /// that committed after the read, a request id used at the same moment): the transaction is
    /// spoilt, so its group runs again the careful way, each booking in a savepoint, which names
    /// the failure for that booking alone.
    struct AtOnceWriteFailed: Error {}

    /// A request that may be booked at once: paid at the desk and confirmed in the same
    /// transaction, its stay two dates in order, its code chosen.
    struct AtOnceCandidate {
        /// The request with its code (the one it asked for, or a new one).
        let request: ReservationRequest
        let checkIn: CalendarDate
        let checkOut: CalendarDate
        var code: String { request.confirmationCode ?? "" }
    }

    /// What a run written at once gave: the bookings of its first `booked.count` requests, and
    /// the request after them that must go the careful way (nil when the whole run was booked).
    struct AtOnceRunOutcome {
        let booked: [Booking]
        let careful: ReservationRequest?
    }

    /// `request` as a candidate to be booked at once; nil when it asks for something else (a
    /// card, a hold to be paid later) or its stay does not parse: the careful way books it or says why.
    func atOnceCandidate(_ request: ReservationRequest) -> AtOnceCandidate? {
        guard request.confirmsDeskPaymentAtOnce, request.payment.method == .desk,
              let checkIn = CalendarDate(iso: request.form.checkIn.trimmingWhitespace()),
              let checkOut = CalendarDate(iso: request.form.checkOut.trimmingWhitespace()), checkIn < checkOut else { return nil }
        let code = request.confirmationCode.flatMap(ConfirmationCode.normalized) ?? chain.makeConfirmationCode()
        let withCode = ReservationRequest(form: request.form, requestId: request.requestId, payment: request.payment, user: request.user,
                                          roomId: request.roomId, bookingId: request.bookingId, confirmationCode: code,
                                          confirmsDeskPaymentAtOnce: request.confirmsDeskPaymentAtOnce)
        return AtOnceCandidate(request: withCode, checkIn: checkIn, checkOut: checkOut)
    }

    /// The run of candidates that `requests` begins with, as long as no request meets an earlier
    /// one of the run (the same room on a shared night, the same request id or code): such a
    /// request begins the next run, whose read sees what this run wrote. The database guards
    /// the rest (a room named once by id and once by number fails the write's night key).
    func atOnceRun(_ requests: ArraySlice<ReservationRequest>) -> [AtOnceCandidate] {
        var run: [AtOnceCandidate] = []
        var requestIds = Set<UUID>()
        var codes = Set<String>()
        var rooms: [RoomKey] = []
        for request in requests {
            guard let candidate = atOnceCandidate(request) else { break }
            if let requestId = request.requestId, !requestIds.insert(requestId).inserted { break }
            if !codes.insert(candidate.code).inserted { break }
            let room = Self.roomKey(candidate.request)
            if zip(run, rooms).contains(where: { $1 == room && $0.checkIn < candidate.checkOut && candidate.checkIn < $0.checkOut }) {
                break
            }
            run.append(candidate)
            rooms.append(room)
        }
        return run
    }

    private enum RoomKey: Equatable {
        case id(UUID)
        case number(String)
    }

    private static func roomKey(_ request: ReservationRequest) -> RoomKey {
        if let roomId = request.roomId { return .id(roomId) }
        return .number(request.form.roomNumber.trimmingCharacters(in: .whitespaces))
    }

    /// Books `run` at once: one read for all of it, then one write of the bookings before the
    /// first that is out of the ordinary, which is handed back to go the careful way.
    /// `endsGroup`: nothing of the transaction comes after the run.
    func reserveAtOnce(_ run: [AtOnceCandidate], endsGroup: Bool, _ session: PostgresSession, group: GroupReads) throws -> AtOnceRunOutcome {
        do {
            return try bookAtOnce(run, endsGroup: endsGroup, session, group: group)
        } catch let error as PSQLError where error.code == .server && !PostgresChainStorage.isRetryable(error) && !PostgresChainStorage.isLockWaitTooLong(error) {
            throw AtOnceWriteFailed() // the careful way meets the same error and names it
        }
        // A lock waited for too long goes up as it is: the careful way would wait as long again,
        // once per booking, holding the lane.
    }

    /// A booking of the run, worked out, ready to be written.
    private struct Planned {
        let held: Booking
        let confirmed: Booking
        let requestId: UUID?
        let fingerprint: String
        let startedAt: Date
        let audits: [PostgresChainStorage.AuditRow]
    }

    /// A group that is one run, booked in two statements with no transaction around them: the
    /// read, then the write, which commits as it ends (schema v8's commit trigger numbers its
    /// feed). Two round trips where a transaction takes four (BEGIN, read, write, COMMIT): with
    /// one instance the group's round trips were most of its time (BENCHMARKS.md, issue 13,
    /// session 28). Nothing is lost by it: at READ COMMITTED each statement sees the commits
    /// before it anyway, the read takes no lock (the write locks the rooms it books), and the
    /// write is one statement, so it is written whole or not at all.
    ///
    /// Nil when the group is not one such run, or when anything of it must go the careful way
    /// (a reading out of the ordinary, a write PostgreSQL refused): then nothing was written and
    /// the caller books the group in a transaction, which says what is wrong.
    func bookGroupInTwoStatements(_ requests: [ReservationRequest]) throws -> [Booking]? {
        let run = atOnceRun(requests[...])
        guard !run.isEmpty, run.count == requests.count else { return nil }
        do {
            return try chain.pool.withConnection { session in
                session.pendingFeed.withLock { $0.removeAll() }
                defer { session.pendingFeed.withLock { $0.removeAll() } }
                let written = try bookAtOnce(run, endsGroup: true, session, group: GroupReads(), wholeRunOnly: true)
                return written.careful == nil ? written.booked : nil
            }
        } catch let error as PSQLError where error.code == .server && !PostgresChainStorage.isLockWaitTooLong(error) {
            return nil // refused (a night claimed since the read, a deadlock): nothing was written
        } catch {
            throw PostgresChainStorage.translated(error)
        }
    }

    /// `wholeRunOnly`: writes nothing unless the whole run is booked and its feed handed to the
    /// commit (no transaction is around it, so nothing could be written after it).
    private func bookAtOnce(_ run: [AtOnceCandidate], endsGroup: Bool, _ session: PostgresSession,
                            group: GroupReads, wholeRunOnly: Bool = false) throws -> AtOnceRunOutcome {
        guard let first = run.first else { return AtOnceRunOutcome(booked: [], careful: nil) }
        let readings = try read(run, countingActiveRooms: group.activeRooms == nil, session)
        // The hotel comes with the read (no round trip of its own) unless the group knows it.
        let hotel = try group.hotel { try readings.hotel ?? chain.fetchHotel(hotelId, session) }
        guard let hotel else { return AtOnceRunOutcome(booked: [], careful: first.request) }
        let today = ruleDate ?? chain.businessDate(for: hotel)
        if let counted = readings.activeRooms { group.activeRooms = counted }
        var planned: [Planned] = []
        // Nights the run's earlier bookings take: a later booking is priced as if they were booked.
        var takenByRun: [String: Int] = [:]
        var careful: ReservationRequest?
        for (index, candidate) in run.enumerated() {
            guard let booking = plan(candidate, readings.byIndex[index], hotel: hotel, today: today,
                                     activeRooms: group.activeRooms ?? 0, takenByRun: takenByRun) else {
                careful = candidate.request
                break
            }
            for night in booking.held.stay.nights { takenByRun[night.iso, default: 0] += 1 }
            planned.append(booking)
        }
        let feedBefore = session.pendingFeed.withLock { $0.count }
        for booking in planned {
            // The feed, as the careful way's insert and write-back make it.
            try feed(session, event: "RoomAvailabilityChanged", booking.held,
                     data: Self.availabilityData(booking.held, available: false), at: booking.held.createdAt)
            try feedChange(from: booking.held, to: booking.confirmed, session)
        }
        // When the run ends the transaction and the feed had nothing before it, the write hands
        // the run's feed to the commit, which numbers and writes it (schema v8): a round trip
        // less, and the hotel's counter locked only while the commit ends. Else `flushFeed` does.
        let feedInWrite = endsGroup && careful == nil && feedBefore == 0
            ? session.pendingFeed.withLock { entries -> [PendingFeedEntry] in
                guard entries.allSatisfy({ $0.hotelId == hotelId }) else { return [] }
                defer { entries.removeAll() }
                return entries
            }
            : []
        if wholeRunOnly && (careful != nil || feedInWrite.isEmpty || session.pendingFeed.withLock({ !$0.isEmpty })) {
            return AtOnceRunOutcome(booked: [], careful: first.request)
        }
        try write(planned, feed: feedInWrite, session)
        return AtOnceRunOutcome(booked: planned.map(\.confirmed), careful: careful)
    }

    /// `candidate` worked out from what the read found, or nil when it must go the careful way.
    private func plan(_ candidate: AtOnceCandidate, _ reading: AtOnceReading?, hotel: Hotel, today: CalendarDate,
                      activeRooms: Int, takenByRun: [String: Int]) -> Planned? {
        guard let reading, !reading.requestSeen, !reading.codeTaken, !reading.nightTaken, reading.listing.room.isActive else {
            return nil
        }
        let request = candidate.request
        var form = request.form
        form.roomNumber = reading.listing.room.number
        // A form the rules refuse is refused by the careful way, with the same words. A sale of
        // the night under way (no `nightUnderWay` here) goes that way too, and one of tonight in
        // a room a guest who overstayed still sleeps in: the careful way's `requireNobodyInRoom`
        // refuses it in words.
        guard let validated = try? BookingRules.validate(form, context: .init(
            businessDate: today, hotelExists: true, room: (reading.listing.room, reading.listing.type))),
            validated.stay.checkIn > today || !reading.checkedInGuestDueOutBefore,
            validated.stay.checkIn == candidate.checkIn, validated.stay.checkOut == candidate.checkOut else { return nil }
        let held = reading.heldNights.map { (night: $0.night, rooms: $0.rooms + (takenByRun[$0.night] ?? 0)) }
            + takenByRun.filter { night, _ in !reading.heldNights.contains { $0.night == night } }.map { (night: $0.key, rooms: $0.value) }
        let loads = Self.nightLoads(stay: validated.stay, activeRooms: activeRooms, held: held)
        let prices = chain.pricing.nightlyPrices(basePrice: reading.listing.type.basePricePerNight, stay: validated.stay,
                                                 businessDate: today) { loads[$0] ?? .init(held: 0, active: 0) }
        let instant = now
        let booking = Booking(
            id: request.bookingId ?? UUID.timeOrdered(at: instant), hotelId: hotel.id, roomId: reading.listing.room.id,
            roomNumber: reading.listing.room.number, confirmationCode: candidate.code, guest: validated.guest,
            guestCount: validated.guestCount, stay: validated.stay, status: .reserving, nightlyPrices: prices, version: 1,
            holdExpiresAt: instant.addingTimeInterval(TimeInterval(hotel.holdMinutes * 60)),
            statusReason: nil, createdAt: BookingRules.createdAt(now: instant, pushedMadeAt: ruleInstant), updatedAt: instant)
        // The write stores no hold and no reason: a confirmed booking has neither.
        guard let (paying, confirmed) = try? booking.paidAtDeskAndConfirmed(at: now),
              confirmed.holdExpiresAt == nil, confirmed.statusReason == nil else { return nil }
        // The saga's steps are the system's, as when the runner takes them (`reserveSettlingDeskPayment`).
        let audits = [reservedAudit(booking, by: request.user)]
            + deskConfirmationAudits(held: booking, paying: paying, confirmed: confirmed, by: "system")
        return Planned(held: booking, confirmed: confirmed, requestId: request.requestId,
                       fingerprint: form.idempotencyFingerprint(payment: request.payment), startedAt: now, audits: audits)
    }

    /// What the one read found for a booking of the run.
    private struct AtOnceReading {
        let listing: RoomListing
        let nightTaken: Bool
        let codeTaken: Bool
        let requestSeen: Bool
        let heldNights: [(night: String, rooms: Int)]
        /// A guest checked in to the room was due out before the stay's first night (for a stay
        /// from tonight: one who overstayed, and sleeps there tonight).
        let checkedInGuestDueOutBefore: Bool
    }

    /// A request with no room id names its room by number (the all-zero id is no room's: a
    /// request that gives it is looked up by number, finds none, and the careful way says so).
    private static let noRoomId = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    /// The one read: a reading for each booking of the run whose room is the hotel's (for the
    /// others the careful way says what is wrong), and the hotel's active rooms when asked. The
    /// rooms are locked for share until the commit, as the careful way locks them.
    private func read(_ run: [AtOnceCandidate], countingActiveRooms: Bool,
                      _ session: PostgresSession) throws -> (byIndex: [AtOnceReading?], activeRooms: Int?, hotel: Hotel?) {
        let requests = run.map(\.request)
        let rows = try session.rows(Read.self, [
            hotelId, now, countingActiveRooms,
            requests.map { $0.roomId ?? Self.noRoomId },
            requests.map { $0.form.roomNumber.trimmingCharacters(in: .whitespaces) },
            run.map(\.checkIn.iso), run.map(\.checkOut.iso), run.map(\.code),
            requests.map { $0.requestId.map(SyncWire.uppercaseText) ?? "" },
        ])
        var byIndex = [AtOnceReading?](repeating: nil, count: run.count)
        var activeRooms: Int?
        var hotel: Hotel?
        for row in rows {
            let columns = ColumnReader(row, table: "room")
            let index = try columns.int(0) - 1
            guard byIndex.indices.contains(index) else { throw PostgresStoreError.damaged("The read of bookings made at once gave row \(index + 1) of \(run.count)") }
            let type = try PostgresChainStorage.roomType(columns, at: 6)
            let listing = RoomListing(room: Room(id: try columns.uuid(1), hotelId: try columns.uuid(2), roomTypeId: type.id,
                                                 number: try columns.text(4), isActive: try columns.bool(5)), type: type)
            let held = try columns.decode(14, [String].self).map { entry -> (night: String, rooms: Int) in
                let parts = entry.split(separator: "=")
                guard parts.count == 2, let rooms = Int(parts[1]) else { throw PostgresStoreError.damaged("A night's load \(entry) is not a night and a count") }
                return (String(parts[0]), rooms)
            }
            byIndex[index] = AtOnceReading(listing: listing, nightTaken: try columns.bool(11), codeTaken: try columns.bool(12),
                                           requestSeen: try columns.bool(13), heldNights: held,
                                           checkedInGuestDueOutBefore: try columns.bool(16))
            if countingActiveRooms { activeRooms = try columns.int(15) }
            if hotel == nil { hotel = try PostgresChainStorage.hotel(columns, at: 17) }
        }
        if countingActiveRooms && activeRooms == nil { activeRooms = try countActiveRooms(session) }
        return (byIndex, activeRooms, hotel)
    }

    /// The one write: the run's bookings as they end up, each created as its hold was (its
    /// nights' prices, its claims firm from the start), their sagas with the desk's payment
    /// reference, and their audit entries, all in the run's order. The nights' key
    /// (`room_night_pkey`) and the trigger that checks each night against its booking (schema v7:
    /// after the statement) guard it as they guard the careful way's inserts.
    private func write(_ run: [Planned], feed: [PendingFeedEntry], _ session: PostgresSession) throws {
        guard !run.isEmpty else { return }
        let bookings = run.map(\.confirmed)
        let nights = run.flatMap { planned in planned.confirmed.nightlyPrices.map { (planned.confirmed, $0) } }
        try session.rows(Write.self, [
            hotelId,
            bookings.map(\.id), bookings.map(\.roomId), bookings.map(\.confirmationCode),
            bookings.map(\.guest.name), bookings.map(\.guest.email), bookings.map { $0.guest.phone ?? "" },
            bookings.map(\.guestCount), bookings.map(\.stay.checkIn.iso), bookings.map(\.stay.checkOut.iso),
            bookings.map(\.status.rawValue), bookings.map(\.totalPrice.minorUnits), bookings.map(\.version),
            run.map { $0.requestId.map(SyncWire.uppercaseText) ?? "" }, run.map(\.fingerprint), run.map(\.held.createdAt), bookings.map(\.updatedAt),
            nights.map(\.0.id), nights.map(\.1.night.iso), nights.map(\.1.price.minorUnits),
            nights.map(\.0.roomId),
            run.map(\.startedAt), bookings.map { FrontDeskStore.deskPaymentReference($0.confirmationCode) },
        ] + PostgresChainStorage.auditValues(run.flatMap(\.audits)) + [feed.isEmpty ? "" : Self.feedForCommit(feed, hotel: hotelId)])
    }

    /// The entries as schema v8's commit reads them from `frontdesk.feed_at_commit`.
    static func feedForCommit(_ entries: [PendingFeedEntry], hotel: UUID) -> String {
        JSONValue.object([
            ("hotel", .string(SyncWire.lowercaseText(hotel))),
            ("entries", .array(entries.map { entry in
                .object([("event", .string(entry.event)),
                         ("booking_id", entry.bookingId.map { .string(SyncWire.lowercaseText($0)) } ?? .null),
                         ("room_id", entry.roomId.map { .string(SyncWire.lowercaseText($0)) } ?? .null),
                         ("data", .string(entry.data)), ("at_ms", .int(Int(entry.atMilliseconds)))])
            })),
        ]).rendered()
    }

    /// The one read (`read`): for each booking of the run (its room by id, or by number when it
    /// has no id) the room and its type, then whether a night of the stay is claimed (live,
    /// lapsed or firm), the code is taken, the request id seen; the stay's nights as
    /// "night=rooms held" (lapsed holds not counted); the hotel's active rooms when asked.
    private enum Read: NamedStatement {
        static let name = "frontdesk_at_once_read_run"
        static let sql = """
            WITH x AS (
                SELECT * FROM unnest($4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
                              WITH ORDINALITY AS x(room_id, room_number, check_in, check_out, code, request_id, ord)),
            -- Each night of the run counted once, however many of its bookings share it.
            loads AS MATERIALIZED (
                SELECT night, (SELECT count(*) FROM room_night n
                               WHERE n.hotel_id = $1::uuid AND n.night = nights.night
                                 AND (n.hold_expires_at IS NULL OR n.hold_expires_at > $2::timestamptz)) AS held
                FROM (SELECT DISTINCT generate_series(check_in::date, check_out::date - 1, interval '1 day')::date AS night FROM x) AS nights)
            SELECT x.ord, r.id, r.hotel_id, r.room_type_id, r.number, r.is_active,
                   r.type_id, r.type_hotel_id, r.name, r.capacity, r.base_price_cents,
                   EXISTS (SELECT 1 FROM room_night n WHERE n.room_id = r.id AND n.night >= x.check_in::date AND n.night < x.check_out::date),
                   EXISTS (SELECT 1 FROM booking WHERE confirmation_code = x.code),
                   EXISTS (SELECT 1 FROM booking WHERE request_id = NULLIF(x.request_id, '')::uuid),
                   ARRAY(SELECT night::text || '=' || held FROM loads
                         WHERE night >= x.check_in::date AND night < x.check_out::date AND held > 0),
                   CASE WHEN $3::bool THEN (SELECT count(*) FROM room WHERE hotel_id = $1::uuid AND is_active) END,
                   EXISTS (SELECT 1 FROM booking WHERE room_id = r.id AND status = 'CheckedIn' AND check_out < x.check_in::date),
                   \(PostgresChainStorage.hotelColumns.split(separator: ",").map { "h." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM x
            CROSS JOIN hotel h
            -- Each room found by its key (the LIMIT keeps the planner from joining all the hotel's rooms).
            CROSS JOIN LATERAL (
                SELECT r.id, r.hotel_id, r.room_type_id, r.number, r.is_active, t.id AS type_id, t.hotel_id AS type_hotel_id,
                       t.name, t.capacity::int8 AS capacity, t.base_price_cents
                FROM room r JOIN room_type t ON t.id = r.room_type_id
                WHERE r.id = COALESCE(NULLIF(x.room_id, '00000000-0000-0000-0000-000000000000'::uuid),
                                      (SELECT id FROM room WHERE hotel_id = $1::uuid AND number = x.room_number))
                  AND r.hotel_id = $1::uuid
                LIMIT 1) AS r
            WHERE h.id = $1::uuid
            ORDER BY x.ord
            """
    }

    /// The one write (`write`).
    private enum Write: NamedStatement {
        static let name = "frontdesk_at_once_write_run"
        static let sql = """
            WITH booked AS (
                INSERT INTO booking (id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
                                     check_in, check_out, status, total_cents, version, hold_expires_at, status_reason,
                                     request_id, request_fingerprint, created_at, updated_at)
                SELECT b.id, $1::uuid, b.room_id, b.code, b.name, b.email, NULLIF(b.phone, ''), b.guests,
                       b.check_in::date, b.check_out::date, b.status, b.total, b.version, NULL, NULL,
                       NULLIF(b.request_id, '')::uuid, b.fingerprint, b.created_at, b.updated_at
                FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::text[],
                            $10::text[], $11::text[], $12::int8[], $13::int8[], $14::text[], $15::text[],
                            $16::timestamptz[], $17::timestamptz[]) WITH ORDINALITY
                     AS b(id, room_id, code, name, email, phone, guests, check_in, check_out, status, total, version,
                          request_id, fingerprint, created_at, updated_at, ord)
                -- Only rooms of the hotel still in service, locked for share until the commit, and
                -- types that still sleep the guests, locked for key share (a capacity cut locks its
                -- type for update first): a booking whose room went out of service, or whose type
                -- now sleeps fewer, since the read is not written, and its nights then fail their
                -- key to it, so the run goes the careful way, which says why.
                -- (Each room found by its key: joined, the planner read all the hotel's rooms.)
                CROSS JOIN LATERAL (SELECT 1 FROM room r JOIN room_type t ON t.id = r.room_type_id
                                    WHERE r.id = b.room_id AND r.hotel_id = $1::uuid AND r.is_active AND t.capacity >= b.guests
                                    FOR SHARE OF r FOR KEY SHARE OF t) AS in_service
                ORDER BY b.ord),
            priced AS (
                INSERT INTO booking_night (booking_id, night, price_cents)
                SELECT booking_id, night::date, price FROM unnest($18::uuid[], $19::text[], $20::int8[]) AS t(booking_id, night, price)),
            claimed AS (
                INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at)
                SELECT room_id, night::date, $1::uuid, booking_id, NULL
                FROM unnest($21::uuid[], $19::text[], $18::uuid[]) AS t(room_id, night, booking_id)),
            saga_started AS (
                INSERT INTO saga (booking_id, payment_method, card_number, started_at, payment_reference)
                SELECT id, 'desk', NULL, started_at, reference FROM unnest($2::uuid[], $22::timestamptz[], $23::text[]) AS s(id, started_at, reference)),
            audited AS (\(PostgresChainStorage.auditInsert(firstParameter: 24))),
            -- The feed handed to the commit (schema v8), or '' when the commit's flush writes it.
            handed AS (SELECT set_config('frontdesk.feed_at_commit', $33::text, true) AS feed)
            SELECT count(*) FROM handed
            """
    }
}
