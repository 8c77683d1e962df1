import Foundation
import FrontDeskDomain
import GRDB

// Writing a page of the server's bookings into a desk's replica (issue 12). A first replica of a
// busy hotel is 126,566 bookings with 400,000 room-nights and as many nightly prices: a booking the
// desk does not have, whose code and room-nights no booking of the desk holds, is inserted through
// a handful of statements prepared once per page; only a booking that meets something of the
// desk's goes the careful way (`upsertFromServer`: replace, overrule a pending booking, re-code).

extension FrontDeskStore {
    /// The page's bookings as the server has them, in the page's order.
    func writeServerBookings(_ wires: [WireBooking], _ db: Database) throws {
        guard !wires.isEmpty else { return }
        let writer = try NewBookingWriter(db)
        for wire in wires {
            let booking = try Self.wire { try wire.booking() }
            var claims: [(room: String, night: String)] = []
            claims.reserveCapacity(wire.claims.count)
            for claim in wire.claims {
                guard let room = SyncWire.parseUUID(claim.roomId), CalendarDate(iso: claim.night) != nil else {
                    throw FrontDeskError.validationFailed(["The server sent booking \(wire.confirmation) with a claim that does not read"])
                }
                claims.append((SyncWire.uppercaseText(room), claim.night))
            }
            if try writer.isNew(booking, claims: claims) {
                try writer.insert(booking, claims: claims)
            } else {
                try upsertFromServer(wire, db)
            }
        }
    }
}

/// The statements that insert bookings new to the desk, prepared once for a page.
private final class NewBookingWriter {
    let bookingExists: RawStatement
    let codeTaken: RawStatement
    let nightHeld: RawStatement
    let insertBooking: RawStatement
    let insertPrice: RawStatement
    let insertNote: RawStatement
    let insertClaim: RawStatement

    init(_ db: Database) throws {
        bookingExists = try RawStatement(db, "SELECT 1 FROM booking WHERE id = ?1")
        codeTaken = try RawStatement(db, "SELECT 1 FROM booking WHERE confirmation_code = ?1")
        nightHeld = try RawStatement(db, "SELECT 1 FROM room_night WHERE room_id = ?1 AND night = ?2")
        insertBooking = try RawStatement(db, """
            INSERT INTO booking (id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
                check_in, check_out, status, total_cents, version, hold_expires_at, status_reason, created_at, updated_at,
                checked_in_on, checked_out_on, room_since, server_version, sync_state)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?13, 'synced')
            """)
        insertPrice = try RawStatement(db, "INSERT INTO booking_night (booking_id, night, price_cents) VALUES (?1, ?2, ?3)")
        insertNote = try RawStatement(db, "INSERT INTO booking_note (booking_id, seq, at, by_user, text) VALUES (?1, ?2, ?3, ?4, ?5)")
        insertClaim = try RawStatement(db, """
            INSERT INTO room_night (room_id, night, hotel_id, booking_id, hold_expires_at) VALUES (?1, ?2, ?3, ?4, ?5)
            """)
    }

    /// Nothing of the desk's is in the way: not the booking itself, not its code, none of its nights.
    func isNew(_ booking: Booking, claims: [(room: String, night: String)]) throws -> Bool {
        bookingExists.bind(1, SyncWire.uppercaseText(booking.id))
        if try bookingExists.exists() { return false }
        codeTaken.bind(1, booking.confirmationCode)
        if try codeTaken.exists() { return false }
        for claim in claims {
            nightHeld.bind(1, claim.room)
            nightHeld.bind(2, claim.night)
            if try nightHeld.exists() { return false }
        }
        return true
    }

    /// The booking's row, prices and notes, then its room-nights (their triggers read the prices).
    func insert(_ booking: Booking, claims: [(room: String, night: String)]) throws {
        let id = SyncWire.uppercaseText(booking.id), hotel = SyncWire.uppercaseText(booking.hotelId)
        let row = insertBooking
        row.bind(1, id)
        row.bind(2, hotel)
        row.bind(3, SyncWire.uppercaseText(booking.roomId))
        row.bind(4, booking.confirmationCode)
        row.bind(5, booking.guest.name)
        row.bind(6, booking.guest.email)
        row.bind(7, booking.guest.phone)
        row.bind(8, booking.guestCount)
        row.bind(9, booking.stay.checkIn.iso)
        row.bind(10, booking.stay.checkOut.iso)
        row.bind(11, booking.status.rawValue)
        row.bind(12, booking.totalPrice.minorUnits)
        row.bind(13, booking.version)
        let hold = booking.holdExpiresAt.map(Timestamp.text)
        row.bind(14, hold)
        row.bind(15, booking.statusReason)
        row.bind(16, Timestamp.text(booking.createdAt))
        row.bind(17, Timestamp.text(booking.updatedAt))
        row.bind(18, booking.checkedInOn?.iso)
        row.bind(19, booking.checkedOutOn?.iso)
        row.bind(20, booking.roomSince?.iso)
        try row.run()
        for price in booking.nightlyPrices {
            insertPrice.bind(1, id)
            insertPrice.bind(2, price.night.iso)
            insertPrice.bind(3, price.price.minorUnits)
            try insertPrice.run()
        }
        for (index, note) in booking.notes.enumerated() {
            insertNote.bind(1, id)
            insertNote.bind(2, index + 1)
            insertNote.bind(3, Timestamp.text(note.at))
            insertNote.bind(4, note.by)
            insertNote.bind(5, note.text)
            try insertNote.run()
        }
        for claim in claims {
            insertClaim.bind(1, claim.room)
            insertClaim.bind(2, claim.night)
            insertClaim.bind(3, hotel)
            insertClaim.bind(4, id)
            insertClaim.bind(5, hold)
            try insertClaim.run()
        }
    }
}
