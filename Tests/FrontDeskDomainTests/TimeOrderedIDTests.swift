import Foundation
import FrontDeskDomain
import Testing

/// Ids the stores make for bookings and sync operations are version-7 UUIDs: they sort by the
/// instant they were made, so one push's bookings share index pages (BENCHMARKS.md, session 16).
@Suite struct TimeOrderedIDTests {
    let instant = Date(timeIntervalSince1970: 1_796_083_200.5)   // 2026-12-01T00:00:00.500Z

    @Test func theIdCarriesItsInstantsMillisecondsAndTheVersion7Marks() {
        let id = UUID.timeOrdered(at: instant).uuidString.lowercased()
        // 1,796,083,200,500 ms = 0x01a2_2ee6_b1f4.
        #expect(id.hasPrefix("01a22ee6-b1f4-7"))
        let variant = id[id.index(id.startIndex, offsetBy: 19)]
        #expect("89ab".contains(variant), "\(id): the variant must be RFC 9562's (10xx)")
        #expect(UUID(uuidString: id) != nil)
    }

    @Test func laterIdsSortAfterEarlierOnesAsStoredText() {
        var previous = UUID.timeOrdered(at: instant).uuidString.lowercased()
        // Steps of 2 ms: an instant n ms later, as a Double, may fall a hair short of its millisecond.
        for step in 1...200 {
            let next = UUID.timeOrdered(at: instant.addingTimeInterval(Double(step) * 0.002)).uuidString.lowercased()
            #expect(previous < next)
            previous = next
        }
    }

    @Test func idsMadeInTheSameMillisecondDifferInTheirRandomBits() {
        let ids = Set((0..<10_000).map { _ in UUID.timeOrdered(at: instant) })
        #expect(ids.count == 10_000)
        var seeded = SeededGenerator(seed: 7)
        var again = SeededGenerator(seed: 7)
        #expect(UUID.timeOrdered(at: instant, using: &seeded) == UUID.timeOrdered(at: instant, using: &again))
    }

    @Test func anInstantBeforeTheEpochOrPastTheFieldIsClampedNotTrapped() {
        #expect(UUID.timeOrdered(at: Date(timeIntervalSince1970: -5)).uuidString.hasPrefix("00000000-0000-7"))
        #expect(UUID.timeOrdered(at: Date(timeIntervalSince1970: 1e15)).uuidString.lowercased().hasPrefix("ffffffff-ffff-7"))
        #expect(UUID.timeOrdered(at: Date(timeIntervalSince1970: 1e300)).uuidString.lowercased().hasPrefix("ffffffff-ffff-7"))
    }

    /// The riskiest ids for the card check: a stamp whose twelve hex digits are all decimal
    /// (`01999999-9999-7…`, made on 2025-09-30), so the first two groups read as 12 digits.
    @Test func aTimeOrderedIdIsNeverTakenForACard() throws {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<2_000 {
            var digits = "01"
            for _ in 0..<10 { digits.append(Character(String(Int.random(in: 0...9, using: &generator)))) }
            let milliseconds = try #require(UInt64(digits, radix: 16))
            // Half a millisecond in, so the Double's rounding cannot move the stamp.
            let id = UUID.timeOrdered(at: Date(timeIntervalSince1970: (Double(milliseconds) + 0.5) / 1000)).uuidString.lowercased()
            #expect(id.hasPrefix(digits.prefix(8) + "-" + digits.suffix(4)))
            let text = "booking \(id) confirmed"
            #expect(CardNumber.redacted(in: text) == text)
            #expect(CardNumber.redacted(utf8: Array(text.utf8)) == Array(text.utf8))
        }
    }
}
