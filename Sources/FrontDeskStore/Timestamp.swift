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
    static func lowercaseText(_ id: UUID) -> String { SyncWire.lowercaseText(id) }

    /// The canonical uppercase text of an id, as the store keeps ids (`uuidString`, which formats
    /// through `snprintf`: a pushed booking wrote some twenty of them, 4 % of a push's time).
    static func storedText(_ id: UUID) -> String { SyncWire.uppercaseText(id) }

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
