import Foundation
import FrontDeskDomain

/// Instants are stored as UTC text with milliseconds (`2026-11-26T19:30:00.000Z`): readable in
/// the sqlite3 shell and ordered correctly as text.
enum Timestamp {
    static func text(_ instant: Date) -> String { InstantText.utc(instant) }

    static func date(_ text: String) -> Date? { InstantText.instant(text) }
}

/// Identifiers are stored as canonical UUID text. Foundation's parser goes through `sscanf` on
/// Linux, which made it the largest cost of a search; this one reads the 32 hex digits directly.
enum Identifier {
    static func uuid(_ text: String) -> UUID? {
        var bytes = [UInt8](repeating: 0, count: 16)
        var index = 0
        var high: UInt8?
        for byte in text.utf8 {
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            case UInt8(ascii: "-"): continue
            default: return nil
            }
            guard index < 16 else { return nil }
            if let first = high {
                bytes[index] = first << 4 | nibble
                index += 1
                high = nil
            } else {
                high = nibble
            }
        }
        guard index == 16, high == nil else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The canonical lowercase text of an id, as JSON shows ids (`uuidString.lowercased()`, which
    /// formats through `snprintf` and then copies: a search writes one per room offered).
    static func lowercaseText(_ id: UUID) -> String { text(id, letters: UInt8(ascii: "a")) }

    /// The canonical uppercase text of an id, as the store keeps ids (`uuidString`, which formats
    /// through `snprintf`: a pushed booking wrote some twenty of them, 4 % of a push's time).
    static func storedText(_ id: UUID) -> String { text(id, letters: UInt8(ascii: "A")) }

    private static func text(_ id: UUID, letters: UInt8) -> String {
        String(unsafeUninitializedCapacity: 36) { buffer in
            withUnsafeBytes(of: id.uuid) { raw in
                var index = 0
                for (position, byte) in raw.enumerated() {
                    if position == 4 || position == 6 || position == 8 || position == 10 {
                        buffer[index] = UInt8(ascii: "-")
                        index += 1
                    }
                    buffer[index] = hexDigit(byte >> 4, letters)
                    buffer[index + 1] = hexDigit(byte & 0x0F, letters)
                    index += 2
                }
            }
            return 36
        }
    }

    private static func hexDigit(_ value: UInt8, _ letters: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : letters + value - 10
    }

    /// For ids this store wrote itself: a malformed one means a damaged file, not bad input.
    static func stored(_ text: String) -> UUID {
        guard let id = uuid(text) else { preconditionFailure("damaged identifier in the database: \(text)") }
        return id
    }
}

extension UUID {
    /// The id as the store keeps it: `uuidString`, without Foundation's formatting.
    var storedText: String { Identifier.storedText(self) }
}
