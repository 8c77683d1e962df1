import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// Changing a reservation on PostgreSQL (issue 14), step for step as `FrontDeskStore` does it on
/// SQLite (Changes.swift): one transaction per intent with its request id and version check, the
/// domain's transition (BookingChanges.swift, ChangeIntents.swift), the nights released and
/// claimed (a night another booking holds is refused by the room-night key whatever the check
/// before saw), an audit line, and the change feed's entries (`writeBack` → `feedChange`).
extension PostgresHotelStorage {
    func changeBooking(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest) throws -> Booking {
        try write { session in try changeBooking(reference, edit, request, session) }
    }

    /// `changeBooking` in the caller's transaction: a desk's `edit` operation (`applySync`) takes this path too.
    func changeBooking(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest, _ session: PostgresSession) throws -> Booking {
            try changeIntent(reference, .change(edit), request, session) { booking, hotel in
                let today = ruleDate ?? chain.businessDate(for: hotel)
                let listing = try roomOf(booking, session)
                let underWay = nightUnderWay(for: hotel, today: today)
                let validated = try BookingRules.validateChange(edit, of: booking, roomType: listing.type, businessDate: today,
                                                                nightUnderWay: underWay)
                if booking.isUnchanged(by: validated) { return booking }
                let newPrices = try chain.pricing.pricesOfChangedStay(validated, of: booking, roomType: listing.type, businessDate: today) {
                    try nightLoads(stay: $0, session)
                }
                var after = booking
                let nights = after.apply(validated, by: request.user, at: now) { newPrices[$0] ?? .zero }
                if !nights.claimed.isEmpty {
                    try listing.room.requireInService()
                    // Rooms suggested instead are free for every night a move would take: a guest who
                    // has not come moves with the night under way.
                    try requireFree(listing.room, nights: nights.claimed, for: after, guests: after.guestCount,
                                    wholeStay: after.stayLeftToMove(businessDate: today, nightUnderWay: underWay),
                                    hotel: hotel, today: today, session)
                    // A stay that now begins on the night under way or tonight: not in a room a
                    // guest is in then.
                    if booking.status == .confirmed, let first = nights.claimed.min() {
                        try requireNobodyInRoom(listing.room, firstNight: first, today: today, session)
                    }
                }
                try writeBack(after, over: booking, session)
                try writeNotes(after, over: booking, session)
                try release(nights.released, of: after, keepingPrices: false, session)
                try claim(nights.claimed, for: after, session)
                try audit(session, user: request.user, action: "booking.changed", bookingId: after.id, roomId: after.roomId,
                          summary: ChangeWording.changed(booking, after, nights, note: validated.note), before: booking, after: after)
                return after
            }
    }

    func move(_ reference: String, toRoom number: String, reason: String?, reprice: Bool, _ request: ChangeRequest) throws -> Booking {
        try BookingRules.checkReason(reason)
        return try write { session in try move(reference, toRoom: number, reason: reason, reprice: reprice, request, session) }
    }

    /// `move` in the caller's transaction: a desk's `move` operation (`applySync`) takes this path too.
    func move(_ reference: String, toRoom number: String, reason: String?, reprice: Bool, _ request: ChangeRequest,
              _ session: PostgresSession) throws -> Booking {
        try changeIntent(reference, .move(toRoom: number, reason: reason, reprice: reprice), request, session) { booking, hotel in
            let today = chain.businessDate(for: hotel)
            let target = try requireRoom(number: number, session)
            let nights = try booking.checkMove(to: target.room, type: target.type, businessDate: today,
                                               nightUnderWay: nightUnderWay(for: hotel, today: today))
            let span = StayDates(checkIn: nights.first!, checkOut: nights.last!.adding(days: 1))!
            try requireFree(target.room, nights: nights, for: booking, guests: booking.guestCount, wholeStay: span,
                            hotel: hotel, today: today, session)
            // A guest who has not come, moved for the night under way or tonight: not into a room
            // a guest is in then.
            if booking.status == .confirmed { try requireNobodyInRoom(target.room, firstNight: nights[0], today: today, session) }
            // Released first: a repriced move is priced on the nights' occupancy without the
            // booking itself, as a new booking of the room would be quoted.
            try release(nights, of: booking, keepingPrices: true, session)
            var newPrices: [CalendarDate: Money]?
            if reprice {
                let loads = try nightLoads(stay: booking.stay, session)
                let priced = chain.pricing.nightlyPrices(basePrice: target.type.basePricePerNight, stay: booking.stay, businessDate: today,
                                                         load: { loads[$0] ?? .init(held: 0, active: 0) })
                newPrices = Booking.movedPrices(priced, nights: nights)
            }
            var after = booking
            let elsewhere = try session.rows("""
                SELECT max(night)::text FROM room_night WHERE booking_id = $1 AND night < $2::date AND room_id <> $3
                """, [booking.id, nights[0].iso, target.room.id]).first
                .flatMap { try ColumnReader($0, table: "room_night").optionalText(0) }.flatMap(CalendarDate.init(iso:))
            after.moveRoom(to: target.room, nights: nights, lastEarlierNightElsewhere: elsewhere,
                           newPrices: newPrices, note: nil, by: request.user, at: now)
            // A guest in house moves into the room now: not while another guest still sleeps there.
            if after.status == .checkedIn { try requireRoomNotOccupied(for: after, session) }
            try writeBack(after, over: booking, session)
            if let newPrices, !newPrices.isEmpty {
                let sorted = newPrices.sorted { $0.key < $1.key }
                try session.execute("""
                    UPDATE booking_night n SET price_cents = t.price
                    FROM unnest($2::text[], $3::int8[]) AS t(night, price)
                    WHERE n.booking_id = $1 AND n.night = t.night::date
                    """, [after.id, sorted.map(\.key.iso), sorted.map(\.value.minorUnits)])
            }
            try claim(nights, for: after, session)
            try audit(session, user: request.user, action: "booking.moved", bookingId: after.id, roomId: after.roomId,
                      summary: ChangeWording.moved(booking, after, nights: nights, reprice: reprice, reason: reason),
                      before: booking, after: after)
            return after
        }
    }

    func cancel(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try BookingRules.checkReason(reason)
        let worded = BookingRules.givenReason(reason) ?? request.channel.defaultCancellationReason(by: request.user)
        return try write { session in
            try changeIntent(reference, .cancel(reason: reason), request, session) { _, _ in
                try cancel(reference, reason: worded, expectedVersion: nil, by: request.user, session)
            }
        }
    }

    func checkIn(_ reference: String, _ request: ChangeRequest) throws -> Booking {
        try write { session in
            try changeIntent(reference, .checkIn, request, session) { _, _ in try checkIn(reference, expectedVersion: nil, by: request.user, session) }
        }
    }

    func checkOut(_ reference: String, _ request: ChangeRequest) throws -> Booking {
        try write { session in
            try changeIntent(reference, .checkOut, request, session) { _, _ in try checkOut(reference, expectedVersion: nil, by: request.user, session) }
        }
    }

    func markNoShow(_ reference: String, _ request: ChangeRequest) throws -> Booking {
        try write { session in try markNoShow(reference, request, session) }
    }

    /// `markNoShow` in the caller's transaction: a desk's `noShow` operation (`applySync`) takes this path too.
    func markNoShow(_ reference: String, _ request: ChangeRequest, _ session: PostgresSession) throws -> Booking {
            try changeIntent(reference, .noShow, request, session) { booking, hotel in
                var after = booking
                let freed = try after.markNoShow(businessDate: chain.businessDate(for: hotel), hour: hotel.hour(at: now),
                                                 policy: hotel.noShowPolicy, at: now)
                try writeBack(after, over: booking, session)
                try release(freed, of: after, keepingPrices: true, session)
                try audit(session, user: request.user, action: "booking.noShow", bookingId: after.id, roomId: after.roomId,
                          summary: ChangeWording.noShow(after, freed: freed.count, fee: hotel.noShowPolicy.fee),
                          before: booking, after: after)
                return after
            }
    }

    func undoCheckIn(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try checkedUndo(.undoCheckIn, reason: reason, request) { reason, session in try undoCheckIn(reference, checkedReason: reason, request, session) }
    }

    /// An undo with its reason checked (the channel's default when none is given), in one transaction.
    private func checkedUndo(_ kind: SyncOperation.Kind, reason: String?, _ request: ChangeRequest,
                             _ undo: (String, PostgresSession) throws -> Booking) throws -> Booking {
        let reason = try BookingRules.undoReason(reason, kind.undoneWhat ?? "Change", channel: request.channel, by: request.user)
        return try write { session in try undo(reason, session) }
    }

    /// `undoCheckIn` in the caller's transaction, its reason checked (`BookingRules.undoReason`).
    func undoCheckIn(_ reference: String, checkedReason reason: String, _ request: ChangeRequest, _ session: PostgresSession) throws -> Booking {
            try changeIntent(reference, .undoCheckIn(reason: reason), request, session) { booking, hotel in
                var after = booking
                let today = ruleDate ?? chain.businessDate(for: hotel)
                try after.undoCheckIn(businessDate: today, reason: reason, at: now, nightUnderWay: nightOfArrival(for: booking, hotel, today: today))
                try writeBack(after, over: booking, session)
                try audit(session, user: request.user, action: "booking.checkInUndone", bookingId: after.id, roomId: after.roomId,
                          summary: ChangeWording.checkInUndone(after, reason: reason), before: booking, after: after)
                return after
            }
    }

    /// The nights `booking` holds now.
    func keptNights(of booking: Booking, _ session: PostgresSession) throws -> Set<CalendarDate> {
        Set(try session.rows("SELECT night::text FROM room_night WHERE booking_id = $1", [booking.id])
            .compactMap { CalendarDate(iso: try ColumnReader($0, table: "room_night").text(0)) })
    }

    /// The room of a booking an undo puts back in it, as SQLite's `requireRoomToReturnTo`: in
    /// service, `nights` free of every other booking (lapsed holds cleared first). Returns it.
    @discardableResult
    func requireRoomToReturnTo(_ booking: Booking, nights: [CalendarDate], soldAgain: (String, [CalendarDate]) -> String,
                               _ session: PostgresSession) throws -> RoomListing {
        let listing = try roomOf(booking, session)
        try listing.room.requireInService()
        // Nothing to take back (a check-out undone on the departure day): the guests sleep nowhere.
        guard let first = nights.first, let last = nights.last else { return listing }
        try booking.requireStillFits(listing.type, roomNumber: listing.room.number)
        try expireLapsedHolds(roomId: listing.room.id, stay: StayDates(checkIn: first, checkOut: last.adding(days: 1))!, session)
        let taken = try takenNights(listing.room, nights, excluding: booking, session)
        if !taken.isEmpty { throw FrontDeskError.roomUnavailable(soldAgain(listing.room.number, taken)) }
        return listing
    }

    func undoCheckOut(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try checkedUndo(.undoCheckOut, reason: reason, request) { reason, session in try undoCheckOut(reference, checkedReason: reason, request, session) }
    }

    /// `undoCheckOut` in the caller's transaction, its reason checked.
    func undoCheckOut(_ reference: String, checkedReason reason: String, _ request: ChangeRequest, _ session: PostgresSession) throws -> Booking {
            try changeIntent(reference, .undoCheckOut(reason: reason), request, session) { booking, hotel in
                let today = ruleDate ?? chain.businessDate(for: hotel)
                let kept = try keptNights(of: booking, session)
                var after = booking
                let nightUnderWay = nightUnderWay(for: hotel, today: today)
                let reclaimed = try after.undoCheckOut(businessDate: today, keptNights: kept, reason: reason, at: now,
                                                       nightUnderWay: nightUnderWay)
                // The guest is back in the room: not while the next guest is already checked in there.
                try requireRoomNotOccupied(for: after, returning: true, session)
                // Refused in a room out of service even with no night to claim again (as SQLite's).
                try requireRoomToReturnTo(booking, nights: booking.nightsBackInRoom(reclaimed: reclaimed, businessDate: today,
                                                                                    nightUnderWay: nightUnderWay),
                                          soldAgain: ChangeWording.soldAgain, session)
                try writeBack(after, over: booking, session)
                try claim(reclaimed, for: after, session)
                try audit(session, user: request.user, action: "booking.checkOutUndone", bookingId: after.id, roomId: after.roomId,
                          summary: ChangeWording.checkOutUndone(after, reason: reason, reclaimed: reclaimed.count),
                          before: booking, after: after)
                return after
            }
    }

    func undoNoShow(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try checkedUndo(.undoNoShow, reason: reason, request) { reason, session in try undoNoShow(reference, checkedReason: reason, request, session) }
    }

    /// `undoNoShow` in the caller's transaction, its reason checked (SQLite's rules, one domain call).
    func undoNoShow(_ reference: String, checkedReason reason: String, _ request: ChangeRequest, _ session: PostgresSession) throws -> Booking {
            try changeIntent(reference, .undoNoShow(reason: reason), request, session) { booking, hotel in
                let today = ruleDate ?? chain.businessDate(for: hotel)
                let kept = try keptNights(of: booking, session)
                var after = booking
                let nightUnderWay = nightUnderWay(for: hotel, today: today)
                let reclaimed = try after.undoNoShow(businessDate: today, keptNights: kept, reason: reason, at: now,
                                                     nightUnderWay: nightUnderWay)
                let listing = try requireRoomToReturnTo(booking, nights: reclaimed, soldAgain: ChangeWording.soldSinceNoShow, session)
                let firstNight = after.firstNightStillToCome(businessDate: today, nightUnderWay: nightUnderWay)
                try requireNobodyInRoom(listing.room, firstNight: firstNight, today: today, session)
                try writeBack(after, over: booking, session)
                try claim(reclaimed, for: after, session)
                try audit(session, user: request.user, action: "booking.noShowUndone", bookingId: after.id, roomId: after.roomId,
                          summary: ChangeWording.noShowUndone(booking, after, reason: reason, reclaimed: reclaimed.count,
                                                         pastNightsGivenBack: booking.pastNightsGivenBack(
                                                            businessDate: today, keptNights: kept, nightUnderWay: nightUnderWay)),
                          before: booking, after: after)
                return after
            }
    }

    // MARK: The parts every change shares

    /// A replayed request id answers the booking as it is and changes nothing; a stale expected
    /// version is refused; otherwise `body` makes the change and the request id is recorded with it.
    private func changeIntent(_ reference: String, _ intent: ChangeIntent, _ request: ChangeRequest, _ session: PostgresSession,
                              _ body: (Booking, Hotel) throws -> Booking) throws -> Booking {
        let booking = try requireBooking(reference, session)
        if let requestId = request.requestId,
           let row = try session.rows("SELECT booking_id, action, fingerprint FROM booking_change_request WHERE request_id = $1",
                                      [requestId]).first {
            let columns = ColumnReader(row, table: "booking_change_request")
            try ChangeIntent.checkReplay(requestId: requestId, earlierBookingId: try columns.uuid(0), earlierAction: try columns.text(1),
                                         earlierFingerprint: try columns.text(2), of: booking, as: intent)
            return booking
        }
        try booking.requireVersion(anyOf: request.expectedVersions)
        let after = try body(booking, try requireHotel(session))
        if let requestId = request.requestId {
            try session.execute("""
                INSERT INTO booking_change_request (request_id, booking_id, action, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5)
                """, [requestId, booking.id, intent.action, intent.fingerprint, now])
        }
        return after
    }

    private func roomOf(_ booking: Booking, _ session: PostgresSession) throws -> RoomListing {
        guard let listing = try chain.fetchRooms(session, hotelId: hotelId, condition: "r.id = $1", [booking.roomId]).first else {
            throw FrontDeskError.notFound("The room of booking \(booking.confirmationCode) does not exist")
        }
        return listing
    }

    /// Refuses, naming the nights, when another booking holds one of `nights` in `room`, and
    /// suggests up to three rooms free for `wholeStay` that sleep `guests`.
    private func requireFree(_ room: Room, nights: [CalendarDate], for booking: Booking, guests: Int, wholeStay: StayDates?,
                             hotel: Hotel, today: CalendarDate, _ session: PostgresSession) throws {
        guard let first = nights.min(), let last = nights.max() else { return }
        try expireLapsedHolds(roomId: room.id, stay: StayDates(checkIn: first, checkOut: last.adding(days: 1))!, session)
        try ChangeWording.refuseTaken(try takenNights(room, nights, excluding: booking, session), in: room, for: booking,
                                      wholeStay: wholeStay) {
            try offers(AvailabilityQuery(stay: $0, guestCount: guests), hotel: hotel, today: today, session)
        }
    }

    private func takenNights(_ room: Room, _ nights: [CalendarDate], excluding booking: Booking, _ session: PostgresSession) throws -> [CalendarDate] {
        try session.rows("""
            SELECT night::text FROM room_night WHERE room_id = $1 AND night = ANY($2::date[]) AND booking_id <> $3
              AND (hold_expires_at IS NULL OR hold_expires_at > $4) ORDER BY night
            """, [room.id, nights.map(\.iso), booking.id, now])
            .compactMap { CalendarDate(iso: try ColumnReader($0, table: "room_night").text(0)) }
    }

    /// Gives back `nights` of the booking (whatever room holds them); with `keepingPrices` false
    /// their prices go too.
    private func release(_ nights: [CalendarDate], of booking: Booking, keepingPrices: Bool, _ session: PostgresSession) throws {
        guard !nights.isEmpty else { return }
        try session.execute("DELETE FROM room_night WHERE booking_id = $1 AND night = ANY($2::date[])", [booking.id, nights.map(\.iso)])
        if !keepingPrices {
            try session.execute("DELETE FROM booking_night WHERE booking_id = $1 AND night = ANY($2::date[])", [booking.id, nights.map(\.iso)])
        }
    }

    /// Claims `nights` for the booking in its (current) room, firmly, each night's price written
    /// first when the night is new to the booking. A night another booking holds (a race the
    /// check before missed) is refused by the room-night key and named.
    private func claim(_ nights: [CalendarDate], for booking: Booking, _ session: PostgresSession) throws {
        guard !nights.isEmpty else { return }
        let prices = Dictionary(uniqueKeysWithValues: booking.nightlyPrices.map { ($0.night, $0.price) })
        try session.execute("""
            INSERT INTO booking_night (booking_id, night, price_cents)
            SELECT $1::uuid, night::date, price FROM unnest($2::text[], $3::int8[]) AS t(night, price)
            ON CONFLICT (booking_id, night) DO NOTHING
            """, [booking.id, nights.map(\.iso), nights.map { (prices[$0] ?? .zero).minorUnits }])
        do {
            _ = try chain.inSavepoint(session) {
                try session.execute("""
                    INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at)
                    SELECT $1::uuid, night::date, $2::uuid, $3::uuid, NULL FROM unnest($4::text[]) AS t(night)
                    """, [booking.roomId, booking.hotelId, booking.id, nights.map(\.iso)])
            }
        } catch let error as PSQLError where error.sqlState == "23505" && error.constraint == "room_night_pkey" {
            let taken = try session.rows("""
                SELECT night::text FROM room_night WHERE room_id = $1 AND booking_id <> $2 AND night = ANY($3::date[]) ORDER BY night
                """, [booking.roomId, booking.id, nights.map(\.iso)])
                .compactMap { CalendarDate(iso: try ColumnReader($0, table: "room_night").text(0)) }
            throw FrontDeskError.roomUnavailable(ChangeWording.taken(booking.roomNumber, taken))
        }
    }

    /// Notes added by the change (notes are only ever added).
    private func writeNotes(_ after: Booking, over before: Booking, _ session: PostgresSession) throws {
        for note in after.notes.dropFirst(before.notes.count) {
            try session.execute("""
                INSERT INTO booking_note (booking_id, seq, at, by_user, text)
                VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM booking_note WHERE booking_id = $1), $2, $3, $4)
                """, [after.id, note.at, note.by, note.text])
        }
    }
}
