import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// The ids a store makes for new bookings and their sync operations are version-7 UUIDs stamped
/// with the store's clock, so one push's or one hour's bookings sort, and are written, together
/// (DECISIONS.md, "Booking and operation ids are version-7 UUIDs, made in time order").
@Suite struct TimeOrderedIdsTests {
    /// The first 48 bits of a version-7 id as its text writes them: `01a22ee6-b1f4`.
    func stampText(_ instant: Date) -> String {
        let hex = String(UInt64(instant.timeIntervalSince1970 * 1000), radix: 16)
        let padded = String(repeating: "0", count: 12 - hex.count) + hex
        return padded.prefix(8) + "-" + padded.suffix(4)
    }

    @Test func aDesksBookingsAreNamedInTheOrderTheyWereMade() throws {
        let desk = try StoreFixture()
        let first = try desk.store.reserve(desk.form(room: "101"), by: "anna")
        let firstMade = desk.clock.now
        desk.clock.advance(minutes: 1)
        let second = try desk.store.reserve(desk.form(room: "102"), by: "anna")
        let (firstText, secondText) = (first.id.uuidString.lowercased(), second.id.uuidString.lowercased())
        #expect(firstText.hasPrefix(stampText(firstMade) + "-7"))
        #expect(secondText.hasPrefix(stampText(desk.clock.now) + "-7"))
        #expect(firstText < secondText)
    }

    @Test func anOfflineBookingAndItsOperationAreNamedByTheDesksClock() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        pair.desk.clock.advance(minutes: 90)
        let booking = try pair.desk.store.reserve(pair.desk.form(room: "101"), by: "anna")
        let operation = try #require(try pair.desk.store.queuedOperations(limit: 1).first)
        let stamp = stampText(pair.desk.clock.now)
        #expect(operation.bookingId == booking.id.uuidString.lowercased())
        #expect(booking.id.uuidString.lowercased().hasPrefix(stamp + "-7"))
        #expect(operation.operationId.hasPrefix(stamp + "-7"))
    }
}
