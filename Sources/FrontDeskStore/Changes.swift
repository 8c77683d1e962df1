import Foundation
import FrontDeskDomain
import GRDB

/// What every change of a booking carries besides its own details: the request id that makes a
/// retry safe, the version its author saw, who asks and through which channel.
public struct ChangeRequest: Sendable {
    public var requestId: UUID?
    /// The versions the change may be based on: the one its author saw, or those an HTTP
    /// `If-Match` lists (any of them will do, RFC 9110); empty checks nothing.
    public var expectedVersions: [Int]
    public var user: String
    public var channel: Channel

    /// The version its author saw (the desk's and the command line's requests name one). Of a
    /// list, the first: a reader of one version checks too much rather than nothing.
    public var expectedVersion: Int? {
        get { expectedVersions.first }
        set { expectedVersions = newValue.map { [$0] } ?? [] }
    }

    public init(requestId: UUID? = nil, expectedVersion: Int? = nil, user: String, channel: Channel = .desk) {
        self.init(requestId: requestId, expectedVersions: expectedVersion.map { [$0] } ?? [], user: user, channel: channel)
    }

    public init(requestId: UUID? = nil, expectedVersions: [Int], user: String, channel: Channel = .desk) {
        self.requestId = requestId
        self.expectedVersions = expectedVersions
        self.user = user
        self.channel = channel
    }
}

extension FrontDeskStore {
    // MARK: Changing a reservation (issue 14)

    /// Edits the guest's details, adds a note and/or changes the stay, in one transaction with its
    /// audit entry. Kept nights keep their price; new nights are priced by today's rules and
    /// claimed, dropped ones released. A night taken by another booking refuses the whole change
    /// (`room_unavailable`, naming the nights and rooms free for the whole new stay).
    public func changeBooking(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest) throws -> Booking {
        try changeBooking(reference, edit, request, operationId: nil)
    }

    /// On a connected desk (a replica) the edit is also queued for the server as an `edit`
    /// operation with id `operationId` (a new id when nil), in the same transaction (issue 12).
    public func changeBooking(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try write { db in
            try queuedIfReplica(.edit, reference, reason: nil, request, operationId: operationId, edit: edit, db) {
                try changeBooking(reference, edit, request, db)
            }
        }
    }

    /// `changeBooking` inside the caller's transaction: the desk's own edit and a desk's pushed
    /// `edit` (`applySync`) are this one code path.
    func changeBooking(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest, _ db: Database) throws -> Booking {
            try changeIntent(reference, .change(edit), request, db) { booking, hotel in
                let today = businessDate(for: hotel)
                guard let listing = try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [booking.roomId.uuidString]).first else {
                    throw FrontDeskError.notFound("The room of booking \(booking.confirmationCode) does not exist")
                }
                let underWay = nightUnderWay(for: hotel, today: today)
                let validated = try BookingRules.validateChange(edit, of: booking, roomType: listing.type, businessDate: today,
                                                                nightUnderWay: underWay)
                if booking.isUnchanged(by: validated) { return booking }
                let newPrices = try pricing.pricesOfChangedStay(validated, of: booking, roomType: listing.type, businessDate: today) {
                    try nightLoads(stay: $0, hotelId: hotel.id, db)
                }
                var after = booking
                let nights = after.apply(validated, by: request.user, at: now) { newPrices[$0] ?? .zero }
                if !nights.claimed.isEmpty {
                    try listing.room.requireInService()
                    // Rooms suggested instead are free for every night a move would take: a guest who
                    // has not come moves with the night under way.
                    try requireFree(listing.room, nights: nights.claimed, for: after, guests: after.guestCount,
                                    wholeStay: after.stayLeftToMove(businessDate: today, nightUnderWay: underWay),
                                    hotel: hotel, today: today, db)
                    // A stay that now begins on the night under way or tonight: not in a room a
                    // guest is in then.
                    if booking.status == .confirmed, let first = nights.claimed.min() {
                        try requireNobodyInRoom(listing.room, firstNight: first, today: today, db)
                    }
                }
                try Self.writeBack(after, over: booking, db)
                try writeNotes(after, over: booking, db)
                try release(nights.released, of: after, keepingPrices: false, db)
                try claim(nights.claimed, for: after, db)
                try audit(db, user: request.user, action: "booking.changed", bookingId: after.id, roomId: after.roomId,
                          summary: ChangeWording.changed(booking, after, nights, note: validated.note), before: booking, after: after)
                if !nights.isEmpty { notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: after.roomId, stay: after.stay)) }
                return after
            }
    }

    /// Moves a booking to another room: every night before arrival, the nights from tonight on for
    /// a guest in house (the nights slept stay in the old room). Prices stay unless `reprice`.
    public func move(_ reference: String, toRoom number: String, reason: String?, reprice: Bool,
                     _ request: ChangeRequest) throws -> Booking {
        try move(reference, toRoom: number, reason: reason, reprice: reprice, request, operationId: nil)
    }

    /// On a connected desk (a replica) the move is also queued for the server as a `move`
    /// operation with id `operationId` (a new id when nil), in the same transaction, the way a
    /// cancel is (issue 12).
    public func move(_ reference: String, toRoom number: String, reason: String?, reprice: Bool,
                     _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try BookingRules.checkReason(reason)
        return try write { db in
            let before = try requireBooking(reference, db)
            let booking = try move(reference, toRoom: number, reason: reason, reprice: reprice, request, db)
            if booking.version != before.version {
                try queueMoveIfReplica(before: before, after: booking, reason: reason, reprice: reprice, by: request.user,
                                       operationId: operationId, db)
            }
            return booking
        }
    }

    /// `move` inside the caller's transaction: the desk's own move and a desk's `move` operation
    /// applied by the server (`applySync`) are this one code path.
    func move(_ reference: String, toRoom number: String, reason: String?, reprice: Bool, _ request: ChangeRequest,
              _ db: Database) throws -> Booking {
        return try changeIntent(reference, .move(toRoom: number, reason: reason, reprice: reprice), request, db) { booking, hotel in
            let today = businessDate(for: hotel)
            let target = try requireRoom(number: number, db)
            let nights = try booking.checkMove(to: target.room, type: target.type, businessDate: today,
                                               nightUnderWay: nightUnderWay(for: hotel, today: today))
            let span = StayDates(checkIn: nights.first!, checkOut: nights.last!.adding(days: 1))!
            try requireFree(target.room, nights: nights, for: booking, guests: booking.guestCount, wholeStay: span,
                            hotel: hotel, today: today, db)
            // A guest who has not come, moved for the night under way or tonight: not into a room
            // a guest is in then.
            if booking.status == .confirmed { try requireNobodyInRoom(target.room, firstNight: nights[0], today: today, db) }
            // Released first: a repriced move is priced on the nights' occupancy without the
            // booking itself, as a new booking of the room would be quoted.
            try release(nights, of: booking, keepingPrices: true, db)
            var newPrices: [CalendarDate: Money]?
            if reprice {
                let loads = try nightLoads(stay: booking.stay, hotelId: hotel.id, db)
                let priced = pricing.nightlyPrices(basePrice: target.type.basePricePerNight, stay: booking.stay, businessDate: today,
                                                   load: { loads[$0] ?? .init(held: 0, active: 0) })
                newPrices = Booking.movedPrices(priced, nights: nights)
            }
            var after = booking
            after.moveRoom(to: target.room, nights: nights, lastEarlierNightElsewhere: try lastNightElsewhere(booking, before: nights[0], than: target.room, db),
                           newPrices: newPrices, note: nil, by: request.user, at: now)
            // A guest in house moves into the room now: not while another guest still sleeps there.
            if after.status == .checkedIn { try requireRoomNotOccupied(for: after, db) }
            try Self.writeBack(after, over: booking, db)
            if let newPrices {
                let update = try db.cachedStatement(sql: "UPDATE booking_night SET price_cents = ? WHERE booking_id = ? AND night = ?")
                for (night, price) in newPrices {
                    try update.execute(arguments: [price.minorUnits, after.id.uuidString, night.iso])
                }
            }
            try claim(nights, for: after, db)
            try audit(db, user: request.user, action: "booking.moved", bookingId: after.id, roomId: after.roomId,
                      summary: ChangeWording.moved(booking, after, nights: nights, reprice: reprice, reason: reason),
                      before: booking, after: after)
            notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: booking.roomId, stay: booking.stay))
            notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: after.roomId, stay: after.stay))
            return after
        }
    }

    /// Cancels through the saga (`cancel(_:reason:expectedVersion:by:via:)`) as an intent: a
    /// request id seen before answers the booking as it is. On a connected desk (a replica) the
    /// cancel is also queued for the server as `operationId` (a new id when nil).
    public func cancel(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try cancel(reference, reason: reason, request, operationId: nil)
    }

    public func cancel(_ reference: String, reason: String?, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        if let reason, let problem = TextRules.problem(in: reason, field: "Reason", maximum: BookingRules.maximumReasonLength) {
            throw FrontDeskError.validationFailed([problem])
        }
        let worded = BookingRules.givenReason(reason) ?? request.channel.defaultCancellationReason(by: request.user)
        return try takeIntent(.cancel, .cancel(reason: reason), reference, reason: worded, request, operationId: operationId) { db in
            try cancel(reference, reason: worded, expectedVersion: nil, by: request.user, db)
        }
    }

    /// Checks a guest in as an intent (a request id seen before answers the booking as it is).
    public func checkIn(_ reference: String, _ request: ChangeRequest) throws -> Booking {
        try checkIn(reference, request, operationId: nil)
    }

    public func checkIn(_ reference: String, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try takeIntent(.checkIn, .checkIn, reference, reason: nil, request, operationId: operationId) { db in
            try checkIn(reference, expectedVersion: nil, by: request.user, db)
        }
    }

    /// Checks a guest out as an intent (a request id seen before answers the booking as it is).
    public func checkOut(_ reference: String, _ request: ChangeRequest) throws -> Booking {
        try checkOut(reference, request, operationId: nil)
    }

    public func checkOut(_ reference: String, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try takeIntent(.checkOut, .checkOut, reference, reason: nil, request, operationId: operationId) { db in
            try checkOut(reference, expectedVersion: nil, by: request.user, db)
        }
    }

    /// `step` as `intent` in a transaction of its own, queued on a connected desk (a replica) for
    /// the server as `kind` (with `reason`, as `operationId`) when it changed the booking.
    private func takeIntent(_ kind: SyncOperation.Kind, _ intent: ChangeIntent, _ reference: String, reason: String?, _ request: ChangeRequest,
                            operationId: UUID?, _ step: (Database) throws -> Booking) throws -> Booking {
        try write { db in
            try queuedIfReplica(kind, reference, reason: reason, request, operationId: operationId, db) {
                try changeIntent(reference, intent, request, db) { _, _ in try step(db) }
            }
        }
    }

    /// Marks a Confirmed arrival who never came (see `Booking.markNoShow`): the remaining nights
    /// are freed; the first stays sold when the hotel charges a first night.
    public func markNoShow(_ reference: String, _ request: ChangeRequest) throws -> Booking {
        try markNoShow(reference, request, operationId: nil)
    }

    /// On a connected desk (a replica) the no-show is also queued for the server as a `noShow`
    /// operation with id `operationId` (a new id when nil), in the same transaction (issue 12).
    public func markNoShow(_ reference: String, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try write { db in
            try queuedIfReplica(.noShow, reference, reason: nil, request, operationId: operationId, db) {
                try markNoShow(reference, request, db)
            }
        }
    }

    /// `markNoShow` inside the caller's transaction: the desk's own and a desk's pushed `noShow`
    /// (`applySync`) are this one code path.
    func markNoShow(_ reference: String, _ request: ChangeRequest, _ db: Database) throws -> Booking {
        try changeIntent(reference, .noShow, request, db) { booking, hotel in
            var after = booking
            let freed = try after.markNoShow(businessDate: businessDate(for: hotel), hour: hotel.hour(at: now),
                                             policy: hotel.noShowPolicy, at: now)
            try Self.writeBack(after, over: booking, db)
            try release(freed, of: after, keepingPrices: true, db)
            try audit(db, user: request.user, action: "booking.noShow", bookingId: after.id, roomId: after.roomId,
                      summary: ChangeWording.noShow(after, freed: freed.count, fee: hotel.noShowPolicy.fee),
                      before: booking, after: after)
            notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: after.roomId, stay: after.stay))
            return after
        }
    }

    /// Takes back a check-in made today: the booking is Confirmed again and keeps its room.
    public func undoCheckIn(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try undoCheckIn(reference, reason: reason, request, operationId: nil)
    }

    /// On a connected desk the undo is also queued for the server (`undoCheckIn`, with its reason).
    public func undoCheckIn(_ reference: String, reason: String?, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try queuedUndo(.undoCheckIn, reference, reason: reason, request, operationId: operationId) { reason, db in
            try undoCheckIn(reference, checkedReason: reason, request, db)
        }
    }

    /// An undo with its reason checked (the channel's default when none is given), made in one
    /// transaction and, on a connected desk, queued for the server as `kind` with it.
    private func queuedUndo(_ kind: SyncOperation.Kind, _ reference: String, reason: String?, _ request: ChangeRequest, operationId: UUID?,
                            _ undo: (String, Database) throws -> Booking) throws -> Booking {
        let reason = try BookingRules.undoReason(reason, kind.undoneWhat ?? "Change", channel: request.channel, by: request.user)
        return try write { db in
            try queuedIfReplica(kind, reference, reason: reason, request, operationId: operationId, db) { try undo(reason, db) }
        }
    }

    /// The nights `booking` holds now.
    func keptNights(of booking: Booking, _ db: Database) throws -> Set<CalendarDate> {
        Set(try db.values(String.self, sql: "SELECT night FROM room_night WHERE booking_id = ?",
                          arguments: [booking.id.uuidString]).compactMap(CalendarDate.init(iso:)))
    }

    /// The room of a booking an undo puts back in it: still in service, and `nights` (those it
    /// takes again) free of every other booking, lapsed holds cleared first; `soldAgain` words
    /// the refusal of nights sold meanwhile. Returns the room.
    @discardableResult
    func requireRoomToReturnTo(_ booking: Booking, nights: [CalendarDate], soldAgain: (String, [CalendarDate]) -> String,
                               _ db: Database) throws -> RoomListing {
        guard let listing = try fetchRooms(db, whereClause: "WHERE r.id = ?", arguments: [booking.roomId.uuidString]).first else {
            throw FrontDeskError.notFound("The room of booking \(booking.confirmationCode) does not exist")
        }
        try listing.room.requireInService()
        // Nothing to take back (a check-out undone on the departure day): the guests sleep nowhere.
        guard let first = nights.first, let last = nights.last else { return listing }
        try booking.requireStillFits(listing.type, roomNumber: listing.room.number)
        try expireLapsedHolds(roomId: listing.room.id, stay: StayDates(checkIn: first, checkOut: last.adding(days: 1))!, db)
        let taken = try takenNights(listing.room, nights, excluding: booking, db)
        if !taken.isEmpty { throw FrontDeskError.roomUnavailable(soldAgain(listing.room.number, taken)) }
        return listing
    }

    /// `undoCheckIn` inside the caller's transaction, its reason checked (`BookingRules.undoReason`).
    func undoCheckIn(_ reference: String, checkedReason reason: String, _ request: ChangeRequest, _ db: Database) throws -> Booking {
        try changeIntent(reference, .undoCheckIn(reason: reason), request, db) { booking, hotel in
            var after = booking
            let today = businessDate(for: hotel)
            try after.undoCheckIn(businessDate: today, reason: reason, at: now, nightUnderWay: nightOfArrival(for: booking, hotel, today: today))
            try Self.writeBack(after, over: booking, db)
            try audit(db, user: request.user, action: "booking.checkInUndone", bookingId: after.id, roomId: after.roomId,
                      summary: ChangeWording.checkInUndone(after, reason: reason),
                      before: booking, after: after)
            return after
        }
    }

    /// Takes back a check-out made today: checked in again; nights an early departure gave back
    /// are claimed again, and if one was sold meanwhile nothing changes (`room_unavailable`).
    public func undoCheckOut(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try undoCheckOut(reference, reason: reason, request, operationId: nil)
    }

    /// On a connected desk the undo is also queued for the server (`undoCheckOut`, with its reason).
    public func undoCheckOut(_ reference: String, reason: String?, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try queuedUndo(.undoCheckOut, reference, reason: reason, request, operationId: operationId) { reason, db in
            try undoCheckOut(reference, checkedReason: reason, request, db)
        }
    }

    /// `undoCheckOut` inside the caller's transaction, its reason checked.
    func undoCheckOut(_ reference: String, checkedReason reason: String, _ request: ChangeRequest, _ db: Database) throws -> Booking {
        try changeIntent(reference, .undoCheckOut(reason: reason), request, db) { booking, hotel in
            let today = businessDate(for: hotel)
            let kept = try keptNights(of: booking, db)
            var after = booking
            let nightUnderWay = nightUnderWay(for: hotel, today: today)
            let reclaimed = try after.undoCheckOut(businessDate: today, keptNights: kept, reason: reason, at: now,
                                                   nightUnderWay: nightUnderWay)
            // The guest is back in the room: not while the next guest is already checked in there.
            try requireRoomNotOccupied(for: after, returning: true, db)
            // Back in a room taken out of service since is refused even with no night to claim
            // again (a check-out on the departure day): a checked-in guest in it blocks its repair.
            try requireRoomToReturnTo(booking, nights: booking.nightsBackInRoom(reclaimed: reclaimed, businessDate: today,
                                                                                nightUnderWay: nightUnderWay),
                                      soldAgain: ChangeWording.soldAgain, db)
            try Self.writeBack(after, over: booking, db)
            try claim(reclaimed, for: after, db)
            try audit(db, user: request.user, action: "booking.checkOutUndone", bookingId: after.id, roomId: after.roomId,
                      summary: ChangeWording.checkOutUndone(after, reason: reason, reclaimed: reclaimed.count),
                      before: booking, after: after)
            if !reclaimed.isEmpty { notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: after.roomId, stay: after.stay)) }
            return after
        }
    }

    /// Takes back a no-show (the guest came after all): Confirmed again, to be checked in; the
    /// nights from tonight on (the night under way until it ends) that the no-show gave back are
    /// claimed again, and if one was sold meanwhile nothing changes (`room_unavailable`).
    public func undoNoShow(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        try undoNoShow(reference, reason: reason, request, operationId: nil)
    }

    /// On a connected desk the undo is also queued for the server (`undoNoShow`, with its reason).
    public func undoNoShow(_ reference: String, reason: String?, _ request: ChangeRequest, operationId: UUID?) throws -> Booking {
        try queuedUndo(.undoNoShow, reference, reason: reason, request, operationId: operationId) { reason, db in
            try undoNoShow(reference, checkedReason: reason, request, db)
        }
    }

    /// `undoNoShow` inside the caller's transaction, its reason checked.
    func undoNoShow(_ reference: String, checkedReason reason: String, _ request: ChangeRequest, _ db: Database) throws -> Booking {
        try changeIntent(reference, .undoNoShow(reason: reason), request, db) { booking, hotel in
            let today = businessDate(for: hotel)
            let kept = try keptNights(of: booking, db)
            var after = booking
            let nightUnderWay = nightUnderWay(for: hotel, today: today)
            let reclaimed = try after.undoNoShow(businessDate: today, keptNights: kept, reason: reason, at: now,
                                                 nightUnderWay: nightUnderWay)
            let listing = try requireRoomToReturnTo(booking, nights: reclaimed, soldAgain: ChangeWording.soldSinceNoShow, db)
            // A guest who came after midnight sleeps the night under way: not in a room someone
            // else is checked in to for it (no claim of that night says so).
            let firstNight = after.firstNightStillToCome(businessDate: today, nightUnderWay: nightUnderWay)
            try requireNobodyInRoom(listing.room, firstNight: firstNight, today: today, db)
            try Self.writeBack(after, over: booking, db)
            try claim(reclaimed, for: after, db)
            try audit(db, user: request.user, action: "booking.noShowUndone", bookingId: after.id, roomId: after.roomId,
                      summary: ChangeWording.noShowUndone(booking, after, reason: reason, reclaimed: reclaimed.count,
                                                         pastNightsGivenBack: booking.pastNightsGivenBack(
                                                            businessDate: today, keptNights: kept, nightUnderWay: nightUnderWay)),
                      before: booking, after: after)
            if !reclaimed.isEmpty { notify(.roomAvailabilityChanged(hotelId: after.hotelId, roomId: after.roomId, stay: after.stay)) }
            return after
        }
    }

    /// On a connected desk, a change made here is queued for the server as `kind` (operation
    /// `operationId`, a new id when nil) in the same transaction, based on the booking as it was
    /// read before the change; a replay under an id queued already queues nothing again.
    private func queuedIfReplica(_ kind: SyncOperation.Kind, _ reference: String, reason: String?, _ request: ChangeRequest,
                                 operationId: UUID?, edit: SyncOperation.Edit? = nil, _ db: Database,
                                 _ change: () throws -> Booking) throws -> Booking {
        let before = try requireBooking(reference, db)
        let after = try change()
        guard after.version != before.version else { return after }
        if let operationId, try db.value(Int.self, sql: "SELECT 1 FROM sync_outbox WHERE operation_id = ?",
                                         arguments: [operationId.uuidString.lowercased()]) != nil {
            return after
        }
        try queueChangeIfReplica(kind, before: before, reason: reason, by: request.user, operationId: operationId, edit: edit, db)
        return after
    }

    // MARK: The parts every change shares

    /// A replayed request id answers the booking as it is and changes nothing (another change
    /// under the same id is `conflict`); a stale expected version is `conflict` (stale); otherwise
    /// `body` makes the change and the request id is recorded with it.
    private func changeIntent(_ reference: String, _ intent: ChangeIntent, _ request: ChangeRequest, _ db: Database,
                              _ body: (Booking, Hotel) throws -> Booking) throws -> Booking {
        let booking = try requireBooking(reference, db)
        if let requestId = request.requestId, try isReplay(requestId, of: booking, as: intent, db) {
            return booking
        }
        try booking.requireVersion(anyOf: request.expectedVersions)
        let after = try body(booking, try requireHotel(db))
        if let requestId = request.requestId {
            try recordChangeRequest(requestId, bookingId: booking.id, intent, db)
        }
        return after
    }

    /// Whether `requestId` was taken before for a change: true when it was this change of `booking`;
    /// anything else under that id is `conflict`; false when the id is new here.
    func isReplay(_ requestId: UUID, of booking: Booking, as intent: ChangeIntent, _ db: Database) throws -> Bool {
        guard let row = try db.row(sql: "SELECT booking_id, action, fingerprint FROM booking_change_request WHERE request_id = ?",
                                   arguments: [requestId.uuidString.lowercased()]) else { return false }
        let (bookingId, earlierAction, earlierFingerprint): (String, String, String) = (row[0], row[1], row[2])
        try ChangeIntent.checkReplay(requestId: requestId, earlierBookingId: Identifier.uuid(bookingId), earlierAction: earlierAction,
                                     earlierFingerprint: earlierFingerprint, of: booking, as: intent)
        return true
    }

    func recordChangeRequest(_ requestId: UUID, bookingId: UUID, _ intent: ChangeIntent, _ db: Database) throws {
        try db.run(sql: """
            INSERT INTO booking_change_request (request_id, booking_id, action, fingerprint, created_at) VALUES (?, ?, ?, ?, ?)
            """, arguments: [requestId.uuidString.lowercased(), bookingId.uuidString, intent.action, intent.fingerprint, Timestamp.text(now)])
    }

    /// Refuses, naming the nights, when another booking holds one of `nights` in `room`, and
    /// suggests up to three rooms free for `wholeStay` that sleep `guests`.
    private func requireFree(_ room: Room, nights: [CalendarDate], for booking: Booking, guests: Int, wholeStay: StayDates?,
                             hotel: Hotel, today: CalendarDate, _ db: Database) throws {
        guard let first = nights.min(), let last = nights.max() else { return }
        try expireLapsedHolds(roomId: room.id, stay: StayDates(checkIn: first, checkOut: last.adding(days: 1))!, db)
        try ChangeWording.refuseTaken(try takenNights(room, nights, excluding: booking, db), in: room, for: booking, wholeStay: wholeStay) {
            try offers(AvailabilityQuery(stay: $0, guestCount: guests), hotel: hotel, today: today, db)
        }
    }

    /// The last night before `night` that `booking` holds in another room than `room`.
    func lastNightElsewhere(_ booking: Booking, before night: CalendarDate, than room: Room, _ db: Database) throws -> CalendarDate? {
        try db.value(String.self, sql: "SELECT max(night) FROM room_night WHERE booking_id = ? AND night < ? AND room_id <> ?",
                     arguments: [booking.id.uuidString, night.iso, room.id.uuidString]).flatMap(CalendarDate.init(iso:))
    }

    private func takenNights(_ room: Room, _ nights: [CalendarDate], excluding booking: Booking, _ db: Database) throws -> [CalendarDate] {
        guard let first = nights.min(), let last = nights.max() else { return [] }
        let wanted = Set(nights)
        return try db.values(String.self, sql: """
            SELECT night FROM room_night WHERE room_id = ? AND night >= ? AND night <= ? AND booking_id <> ?
              AND (hold_expires_at IS NULL OR hold_expires_at > ?) ORDER BY night
            """, arguments: [room.id.uuidString, first.iso, last.iso, booking.id.uuidString, Timestamp.text(now)])
            .compactMap(CalendarDate.init(iso:)).filter(wanted.contains)
    }

    /// Gives back `nights` of the booking (whatever room holds them); with `keepingPrices` false
    /// their prices go too (the nights are no longer part of the stay). One statement for all the
    /// nights: a move of ten nights is two statements, not twenty.
    private func release(_ nights: [CalendarDate], of booking: Booking, keepingPrices: Bool, _ db: Database) throws {
        guard !nights.isEmpty else { return }
        let arguments: StatementArguments = [booking.id.uuidString, Self.nightArray(nights)]
        try db.cachedStatement(sql: """
            DELETE FROM room_night WHERE booking_id = ? AND night IN (SELECT value FROM json_each(?))
            """).execute(arguments: arguments)
        if !keepingPrices {
            try db.cachedStatement(sql: """
                DELETE FROM booking_night WHERE booking_id = ? AND night IN (SELECT value FROM json_each(?))
                """).execute(arguments: arguments)
        }
    }

    /// Claims `nights` for the booking in its (current) room, firmly, with the price of each night
    /// written first when the night is new to the booking. One statement each for the prices and
    /// the claims; a night another booking holds (a race the check before missed) is named.
    private func claim(_ nights: [CalendarDate], for booking: Booking, _ db: Database) throws {
        guard !nights.isEmpty else { return }
        let prices = Dictionary(uniqueKeysWithValues: booking.nightlyPrices.map { ($0.night, $0.price) })
        let priced = "[" + nights.map { "[\"\($0.iso)\",\((prices[$0] ?? .zero).minorUnits)]" }.joined(separator: ",") + "]"
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO booking_night (booking_id, night, price_cents)
            SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)
            """).execute(arguments: [booking.id.uuidString, priced])
        do {
            try db.cachedStatement(sql: """
                INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at)
                SELECT ?, value, ?, ?, NULL FROM json_each(?)
                """).execute(arguments: [booking.roomId.uuidString, booking.hotelId.uuidString, booking.id.uuidString,
                                         Self.nightArray(nights)])
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
            let taken = try db.values(String.self, sql: """
                SELECT night FROM room_night WHERE room_id = ? AND booking_id <> ? AND night IN (SELECT value FROM json_each(?))
                ORDER BY night
                """, arguments: [booking.roomId.uuidString, booking.id.uuidString, Self.nightArray(nights)])
                .compactMap(CalendarDate.init(iso:))
            throw FrontDeskError.roomUnavailable(ChangeWording.taken(booking.roomNumber, taken))
        }
    }

    /// Nights as one JSON array of ISO dates, bound as one parameter and read with `json_each`.
    static func nightArray(_ nights: [CalendarDate]) -> String {
        "[" + nights.map { "\"\($0.iso)\"" }.joined(separator: ",") + "]"
    }

    /// Notes added by the change (notes are only ever added).
    private func writeNotes(_ after: Booking, over before: Booking, _ db: Database) throws {
        guard after.notes.count > before.notes.count else { return }
        let insert = try db.cachedStatement(sql: """
            INSERT INTO booking_note (booking_id, seq, at, by_user, text)
            VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM booking_note WHERE booking_id = ?1), ?2, ?3, ?4)
            """)
        for note in after.notes.dropFirst(before.notes.count) {
            try insert.execute(arguments: [after.id.uuidString, Timestamp.text(note.at), note.by, note.text])
        }
    }
}
