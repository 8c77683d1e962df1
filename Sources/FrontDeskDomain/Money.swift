import Foundation

/// An amount in the hotel's currency, held as integer minor units (cents).
///
/// Arithmetic that can produce fractions of a cent (multipliers) goes through `Decimal` and is
/// rounded half-to-even, the rule of .NET's `Math.Round` that the system design uses.
public struct Money: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let minorUnits: Int64

    public init(minorUnits: Int64) { self.minorUnits = minorUnits }

    public static let zero = Money(minorUnits: 0)

    /// Rounds `amount` to cents, half to even (2.345 -> 2.34, 2.355 -> 2.36).
    public init(rounding amount: Decimal) {
        var cents = amount * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .bankers)
        minorUnits = Int64(truncating: NSDecimalNumber(decimal: rounded))
    }

    /// The most digits of units `init(parsing:)` reads: far above any price, and well within `Int64` cents.
    static let mostDigitsOfUnits = 12

    /// Parses a plain amount such as `129`, `129.5` or `129.50`; a sign or more than two decimals is nil.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        // Digits only: `Int64` alone would also take a sign ("-0.50" read as 0.50, "+5" as 5).
        guard (1...2).contains(parts.count), (1...Self.mostDigitsOfUnits).contains(parts[0].count),
              parts[0].allSatisfy({ $0.isASCII && $0.isNumber }), let whole = Int64(parts[0]) else { return nil }
        var cents: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard (1...2).contains(fraction.count), fraction.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int64(fraction) else { return nil }
            cents = fraction.count == 1 ? value * 10 : value
        }
        minorUnits = whole * 100 + cents
    }

    /// Whether `text` is written as `init(parsing:)` reads an amount (digits, then a point and one
    /// or two decimals) yet has more digits of units than it reads, leading zeros aside: an amount
    /// too large to hold, for a rule on the largest amount to refuse rather than "not an amount".
    public static func isWrittenAsAmountTooLarge(_ text: String) -> Bool {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              parts.count == 1 || parts[1].count <= 2 else { return false }
        return parts[0].drop(while: { $0 == "0" }).count > mostDigitsOfUnits
    }

    /// Exact: the cents with the decimal point moved, no division (which is slow in `Decimal`).
    public var decimal: Decimal {
        Decimal(sign: minorUnits < 0 ? .minus : .plus, exponent: -2, significand: Decimal(minorUnits.magnitude))
    }

    /// `1234.50`: two decimals, no grouping, for JSON, CSV and screens alike.
    public var plain: String {
        // Not String(format:), nor interpolation: written straight into the String's own bytes
        // (inline up to 15), once for every price a search prints (BENCHMARKS.md, session 20).
        let capacity = 23 // a sign, 17 digits of units (Int64), the point, 2 of cents, to spare
        return String(unsafeUninitializedCapacity: capacity) { bytes in
            var start = capacity
            var rest = minorUnits.magnitude
            func put(_ byte: UInt8) {
                start -= 1
                bytes[start] = byte
            }
            func putDigit() {
                put(UInt8(ascii: "0") + UInt8(rest % 10))
                rest /= 10
            }
            putDigit()
            putDigit()
            put(UInt8(ascii: "."))
            repeat { putDigit() } while rest > 0
            if minorUnits < 0 { put(UInt8(ascii: "-")) }
            let count = capacity - start
            for offset in 0..<count { bytes[offset] = bytes[start + offset] }
            return count
        }
    }

    public var description: String { plain }

    public static func + (lhs: Money, rhs: Money) -> Money { Money(minorUnits: lhs.minorUnits + rhs.minorUnits) }
    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    /// This amount times `factor`, rounded half to even.
    public func multiplied(by factor: Decimal) -> Money { Money(rounding: decimal * factor) }

    /// This amount divided by `count`, rounded half to even; zero when `count` is zero.
    public func divided(by count: Int) -> Money {
        count == 0 ? .zero : Money(rounding: decimal / Decimal(count))
    }
}

extension Sequence where Element == Money {
    public func sum() -> Money { reduce(.zero, +) }
}
