import Foundation
import FrontDeskDomain
import FrontDeskStore
import PostgresNIO

/// A hotel moved in from another database (`frontdesk-server import`), and the accounts a move
/// out takes along (`export`).
extension PostgresChainStorage {
    /// Adds a hotel taken from another database, in one transaction, as `FrontDeskStore.importHotel`
    /// does on SQLite; a hotel with its id here already is `conflict`.
    /// `users`: the hotel's accounts, added in the same transaction (as on SQLite).
    public func importHotel(_ transfer: HotelTransfer, users: [UserAccount] = [], by user: String) throws {
        if let problem = transfer.problems().first { throw FrontDeskError.invalidState(problem) }
        let users = try UserAccount.validated(users)
        let hotel = transfer.hotel
        let scoped = PostgresHotelStorage(chain: self, hotelId: hotel.id)
        try write(hotel: nil) { session in
            if try !session.rows("SELECT 1 FROM hotel WHERE id = $1", [hotel.id]).isEmpty {
                throw FrontDeskError.conflict("The hotel \(hotel.id.uuidString.lowercased()) is here already")
            }
            // A request id recorded here already (another hotel's) would answer a replay with the
            // wrong booking: refused in words, before anything is written.
            let requestIds = transfer.requests.bookings.values.map(\.id)
            if let taken = try session.rows("SELECT request_id FROM booking WHERE request_id = ANY($1::uuid[]) ORDER BY request_id::text LIMIT 1",
                                            [requestIds.map { $0.uuidString.lowercased() }]).first {
                throw FrontDeskError.conflict(HotelTransfer.requestIdInUse(try ColumnReader(taken, table: "booking").uuid(0)))
            }
            let changeIds = transfer.requests.changes.map(\.requestId)
            if let taken = try session.rows("""
                SELECT request_id FROM booking_change_request WHERE request_id = ANY($1::uuid[]) ORDER BY request_id::text LIMIT 1
                """, [changeIds.map { $0.uuidString.lowercased() }]).first {
                throw FrontDeskError.conflict(HotelTransfer.requestIdInUse(try ColumnReader(taken, table: "booking_change_request").uuid(0)))
            }
            // Another hotel's room type, room or booking under an id of the file: said in words.
            for (table, what, ids) in [("room_type", "Room type", transfer.roomTypes.map(\.id)), ("room", "Room", transfer.rooms.map(\.id)),
                                       ("booking", "Booking", transfer.bookings.map(\.id))] {
                if let taken = try session.rows("SELECT id FROM \(table) WHERE id = ANY($1::uuid[]) ORDER BY id LIMIT 1",
                                                [ids.map { $0.uuidString.lowercased() }]).first {
                    throw FrontDeskError.conflict(HotelTransfer.idInUse(what, try ColumnReader(taken, table: table).uuid(0).uuidString))
                }
            }
            try insertHotel(hotel, session)
            if let feedSequence = transfer.feedSequence {
                // The hotel's feed goes on from the source's number (as on SQLite); the entry
                // written below is numbered after it.
                try session.execute("UPDATE hotel_clock SET feed_seq = $2 WHERE hotel_id = $1", [hotel.id, feedSequence])
            }
            // The availability version moves once, at the end, not once per booking (schema v4).
            try session.execute("SET LOCAL frontdesk.bulk_load = 'on'")
            for type in transfer.roomTypes {
                try session.execute("INSERT INTO room_type (id, hotel_id, name, capacity, base_price_cents) VALUES ($1, $2, $3, $4, $5)",
                                    [type.id, hotel.id, type.name, type.capacity, type.basePricePerNight.minorUnits])
            }
            for room in transfer.rooms {
                try session.execute("INSERT INTO room (id, hotel_id, room_type_id, number, is_active) VALUES ($1, $2, $3, $4, $5)",
                                    [room.id, hotel.id, room.roomTypeId, room.number, room.isActive])
            }
            for booking in transfer.bookings {
                // As on SQLite: the row has its `room_since` before claims that name other rooms.
                let claims = transfer.claimsHeld(by: booking)
                let request = transfer.requests.bookings[booking.id]
                try scoped.insert(booking, requestId: request?.id, fingerprint: request?.fingerprint, nights: claims == nil ? nil : [], session)
                if booking.checkedInOn != nil || booking.checkedOutOn != nil || booking.roomSince != nil {
                    try session.execute("UPDATE booking SET checked_in_on = $2::date, checked_out_on = $3::date, room_since = $4::date WHERE id = $1",
                                        [booking.id, booking.checkedInOn?.iso, booking.checkedOutOn?.iso, booking.roomSince?.iso])
                }
                if let claims, !claims.isEmpty, booking.status != .failed, booking.status != .cancelled {
                    try session.execute("""
                        INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at)
                        SELECT room::uuid, night::date, $1::uuid, $2::uuid, $3::timestamptz FROM unnest($4::text[], $5::text[]) AS t(room, night)
                        """, [hotel.id, booking.id, booking.holdExpiresAt, claims.map { $0.roomId.uuidString.lowercased() }, claims.map(\.night.iso)])
                }
                for (index, note) in booking.notes.enumerated() {
                    try session.execute("INSERT INTO booking_note (booking_id, seq, at, by_user, text) VALUES ($1, $2, $3, $4, $5)",
                                        [booking.id, index + 1, note.at, note.by, note.text])
                }
                if let payment = transfer.payments[booking.id] {
                    // The charge's reference comes along: a cancellation here refunds the card.
                    try session.execute("""
                        INSERT INTO saga (booking_id, payment_method, payment_reference, refund_reference, started_at, charged_cents)
                        VALUES ($1, $2, $3, $4, $5, $6)
                        """, [booking.id, payment.method.rawValue, payment.reference, payment.refundReference, booking.createdAt,
                              payment.chargedCents])
                }
            }
            for change in transfer.requests.changes {
                try session.execute("""
                    INSERT INTO booking_change_request (request_id, booking_id, action, fingerprint, created_at) VALUES ($1, $2, $3, $4, $5)
                    """, [change.requestId, change.bookingId, change.action, change.fingerprint, change.createdAt])
            }
            for pushed in transfer.requests.syncOperations {
                try session.execute("""
                    INSERT INTO sync_operation (hotel_id, operation_id, seq, fingerprint, booking_id, outcome, answer, at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                    """, [hotel.id, pushed.operationId, pushed.seq, pushed.fingerprint, pushed.bookingId, pushed.outcome, pushed.answer, pushed.at])
            }
            if transfer.feedSequence != nil { try scoped.feedPropertyChange(.hotel, session) }
            try session.execute("SET LOCAL frontdesk.bulk_load = 'off'")
            try session.execute("UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id = $1", [hotel.id])
            try audit(session, hotelId: hotel.id, user: user, action: "hotel.imported",
                      summary: "Hotel \(hotel.name) imported: \(transfer.rooms.count) rooms, \(transfer.bookings.count) bookings")
            for account in users { try addUser(account, by: user, session) }
        }
    }

    /// The hotel row and its clock (feed and availability numbers), as every new hotel gets them.
    func insertHotel(_ hotel: Hotel, _ session: PostgresSession) throws {
        try session.execute("""
            INSERT INTO hotel (id, name, time_zone, currency, hold_minutes, no_show_cutoff_hour, no_show_fee)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [hotel.id, hotel.name, hotel.timeZoneIdentifier, hotel.currency, hotel.holdMinutes,
                  hotel.noShowPolicy.cutoffHour, hotel.noShowPolicy.fee.rawValue])
        try session.execute("INSERT INTO hotel_clock (hotel_id) VALUES ($1)", [hotel.id])
    }

    /// Every user account, by name (`users list`, `export`).
    public func userAccounts() throws -> [UserAccount] {
        try readOne { session in
            try session.rows("SELECT \(Self.accountColumns) FROM server_user ORDER BY name")
                .map(Self.account(from:))
        }
    }

    /// What `account(from:)` reads, in its order.
    static let accountColumns = "name, role, hotel_id, password_hash, is_disabled, email, disabled_at"

    static func account(from row: PostgresRow) throws -> UserAccount {
        let columns = ColumnReader(row, table: "server_user")
        let roleText = try columns.text(1)
        guard let role = UserRole(rawValue: roleText) else { throw PostgresStoreError.damaged("server_user: role \(roleText) is not a role") }
        return UserAccount(name: try columns.text(0), role: role, email: try columns.text(5),
                           hotelId: role == .admin ? nil : try columns.optionalUUID(2),
                           passwordHash: try columns.text(3), isDisabled: try columns.bool(4), disabledAt: try columns.optionalInstant(6))
    }
}
