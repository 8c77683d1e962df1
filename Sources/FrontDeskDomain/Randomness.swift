/// SplitMix64: a small, fast generator whose sequence is fixed by its seed, so the demo hotel and
/// tests are reproducible. Not for secrets.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Confirmation codes a receptionist can read over the phone: `K7M-4QX`.
/// The alphabet leaves out look-alikes and sound-alikes (0/O, 1/I/L, 2/Z, 5/S, 8/B).
public enum ConfirmationCode {
    public static let alphabet = Array("ACDEFGHJKMNPQRTUVWXY34679")

    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        // Appended one by one (the same six draws, in order): `String(someCharacters)` runs the
        // standard library's unspecialised generic code, whose first use scans every protocol
        // conformance record of the binary.
        var code = ""
        for index in 0..<6 {
            if index == 3 { code.append("-") }
            code.append(alphabet.randomElement(using: &generator)!)
        }
        return code
    }

    /// `k7m4qx`, `K7M 4QX` and `K7M-4QX` all name the same booking; nil if it cannot be a code.
    public static func normalized(_ text: String) -> String? {
        let letters = text.uppercased().filter { $0 != "-" && $0 != " " }
        guard letters.count == 6, letters.allSatisfy(alphabet.contains) else { return nil }
        return String(letters.prefix(3)) + "-" + String(letters.suffix(3))
    }
}
