import Foundation
import FrontDeskDomain
import GRDB

/// One entry of a hotel's change feed (see `Schema.v6`).
public struct FeedEvent: Sendable, Equatable {
    /// Increases by one per change within the hotel: a server-sent event's `id:`.
    public let sequence: Int64
    /// The design's event name: `RoomAvailabilityChanged`, `BookingConfirmed`, `BookingFailed`, `BookingCancelled`.
    public let name: String
    /// The event's JSON object, naming the booking and the room.
    public let data: String

    public init(sequence: Int64, name: String, data: String) {
        self.sequence = sequence
        self.name = name
        self.data = data
    }
}

extension FrontDeskStore {
    /// The hotel's changes after `sequence`, oldest first, at most `limit`.
    public func feedEvents(after sequence: Int64, limit: Int = 500) throws -> [FeedEvent] {
        try afterReadingDurably(read { db in
            let hotel = try requireHotel(db)
            return try Row.fetchAll(db.cachedStatement(sql: """
                SELECT seq, event, data FROM change_feed WHERE hotel_id = ? AND seq > ? ORDER BY seq LIMIT ?
                """), arguments: [hotel.id.uuidString, sequence, limit]).map { row in
                FeedEvent(sequence: row[0], name: row[1], data: row[2])
            }
        })
    }

    /// The number of the hotel's newest change (0 before the first): where a new listener starts.
    public func latestFeedSequence() throws -> Int64 {
        try afterReadingDurably(read { db in
            let hotel = try requireHotel(db)
            return try Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(seq), 0) FROM change_feed WHERE hotel_id = ?"),
                                      arguments: [hotel.id.uuidString]) ?? 0
        })
    }
}

extension FrontDeskStore {
    /// Drops the changes recorded before `cutoff`, in every hotel the store sees, but always keeps
    /// each hotel's newest: the next change's number follows it, so a listener's `Last-Event-ID`
    /// never meets a reused number. Returns how many were dropped.
    @discardableResult
    public func pruneFeed(before cutoff: Date) throws -> Int {
        try write { db in
            let scope = hotelCondition("hotel_id")
            try db.execute(sql: """
                DELETE FROM change_feed
                WHERE at < ?
                  AND seq < (SELECT MAX(newest.seq) FROM change_feed newest WHERE newest.hotel_id = change_feed.hotel_id)
                """ + scope.sql, arguments: [Timestamp.text(cutoff)] + scope.arguments)
            return db.changesCount
        }
    }
}
