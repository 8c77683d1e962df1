#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The system's random numbers (`SystemRandomNumberGenerator`'s source, getrandom), drawn 4 KiB
/// at a time instead of one syscall a number: a booking draws eight (its id's random bits, its
/// code's six letters), and those syscalls with the generic code around them were 3 % of the
/// server's booking lane (perf, issue 11, session 36). The bytes are the same kernel's, only
/// fetched ahead; what one caller was handed no other caller is.
public struct BufferedSystemRandom: RandomNumberGenerator, Sendable {
    public init() {}

    public mutating func next() -> UInt64 { SystemRandomPool.shared.next() }
}

/// The numbers fetched ahead, for the whole process.
final class SystemRandomPool: Sendable {
    static let shared = SystemRandomPool()
    private static let size = 512

    private let ahead = Mutex((numbers: [UInt64](repeating: 0, count: SystemRandomPool.size), taken: SystemRandomPool.size))

    func next() -> UInt64 {
        ahead.withLock { ahead in
            if ahead.taken == Self.size {
                ahead.numbers.withUnsafeMutableBufferPointer { Self.fill($0) }
                ahead.taken = 0
            }
            defer { ahead.taken += 1 }
            return ahead.numbers[ahead.taken]
        }
    }

    /// The kernel's random bytes (glibc's `arc4random_buf`: one getrandom for the whole
    /// buffer); elsewhere, the standard library's own source, a number at a time.
    private static func fill(_ numbers: UnsafeMutableBufferPointer<UInt64>) {
        #if canImport(Glibc)
        arc4random_buf(numbers.baseAddress!, numbers.count * MemoryLayout<UInt64>.size)
        #else
        var system = SystemRandomNumberGenerator()
        for index in numbers.indices { numbers[index] = system.next() }
        #endif
    }
}

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

    /// A code as a `LIKE` pattern for its first characters as typed (`k3h`, `K3H-F`, `k3hf4`:
    /// `K3H%`, `K3H-F%`, `K3H-F4%`; a whole code is itself), so a receptionist reading half a code
    /// off a note finds the booking; nil when the text cannot begin a code (under 3 characters,
    /// or a letter no code has).
    public static func startPattern(_ text: String) -> String? {
        let letters = text.uppercased().filter { $0 != "-" && $0 != " " }
        guard (3...6).contains(letters.count), letters.allSatisfy(alphabet.contains) else { return nil }
        let head = String(letters.prefix(3)), tail = String(letters.dropFirst(3))
        return (tail.isEmpty ? head : head + "-" + tail) + "%"
    }
}
