import Foundation

extension UUID {
    /// A version-7 UUID (RFC 9562): the instant's Unix milliseconds in the first 48 bits, then 74
    /// random bits. Ids made one after another sort next to each other, so the rows and index
    /// entries a write adds under them (a booking, its nights, its audit, saga and sync rows) land
    /// on the same few b-tree pages instead of one random page each: a push of 500 bookings wrote
    /// about 5,000 scattered pages with random ids (BENCHMARKS.md, "Issues 11, 12 and 13, session 16").
    /// Uniqueness rests on the random bits alone, so the instant may come from a test's clock.
    public static func timeOrdered(at instant: Date) -> UUID {
        var generator = BufferedSystemRandom()
        return timeOrdered(at: instant, using: &generator)
    }

    public static func timeOrdered(at instant: Date, using generator: inout some RandomNumberGenerator) -> UUID {
        let milliseconds = instant.timeIntervalSince1970 * 1000
        let largest: UInt64 = (1 << 48) - 1
        let stamp = !(milliseconds > 0) ? 0 : milliseconds >= Double(largest) ? largest : UInt64(milliseconds)
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        // Version 7 in the 13th hex digit, variant 10 in the two bits after the 16th.
        let first = stamp << 16 | 0x7000 | (high & 0x0FFF)
        let second = 0x8000_0000_0000_0000 | (low & 0x3FFF_FFFF_FFFF_FFFF)
        func byte(_ word: UInt64, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: word >> (56 - 8 * index)) }
        return UUID(uuid: (byte(first, 0), byte(first, 1), byte(first, 2), byte(first, 3),
                           byte(first, 4), byte(first, 5), byte(first, 6), byte(first, 7),
                           byte(second, 0), byte(second, 1), byte(second, 2), byte(second, 3),
                           byte(second, 4), byte(second, 5), byte(second, 6), byte(second, 7)))
    }
}
