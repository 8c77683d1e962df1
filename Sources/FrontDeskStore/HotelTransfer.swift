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

    public init(hotel: Hotel, roomTypes: [RoomType], rooms: [Room], bookings: [Booking]) {
        self.hotel = hotel
        self.roomTypes = roomTypes
        self.rooms = rooms
        self.bookings = bookings
    }

    /// What `import` refuses before writing anything: a booking whose saga is under way (its
    /// messages stay behind) or whose stay was split by a move (only its current room is carried).
    public func problems() -> [String] {
        bookings.compactMap { booking in
            if booking.status == .reserving || booking.status == .processingPayment {
                return "booking \(booking.confirmationCode) is \(booking.status.rawValue): let its payment finish (or cancel it) before moving the hotel"
            }
            if booking.roomSince != nil {
                return "booking \(booking.confirmationCode) changed rooms during its stay: such a stay cannot be moved yet"
            }
            return nil
        }
    }
}

extension FrontDeskStore {
    /// Adds a hotel taken from another database, in one transaction; a hotel with its id here
    /// already is `conflict`. Held nights are claimed again, so the room-night key still
    /// refuses any overlap.
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
                try Self.insert(booking, requestId: nil, fingerprint: nil, db)
                if booking.checkedInOn != nil || booking.checkedOutOn != nil {
                    try db.run(sql: "UPDATE booking SET checked_in_on = ?, checked_out_on = ? WHERE id = ?",
                               arguments: [booking.checkedInOn?.iso, booking.checkedOutOn?.iso, booking.id.storedText])
                }
            }
            try audit(db, user: user, action: "hotel.imported",
                      summary: "Hotel \(hotel.name) imported: \(transfer.rooms.count) rooms, \(transfer.bookings.count) bookings")
        }
    }
}
