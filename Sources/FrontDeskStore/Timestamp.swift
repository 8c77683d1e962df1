import Foundation
import FrontDeskDomain

/// Instants are stored as UTC text with milliseconds (`2026-11-26T19:30:00.000Z`): readable in
/// the sqlite3 shell and ordered correctly as text.
enum Timestamp {
    static func text(_ instant: Date) -> String { InstantText.utc(instant) }

    static func date(_ text: String) -> Date? { InstantText.instant(text) }
}

/// Identifiers are stored as canonical UUID text, read and written by `SyncWire`'s own loops:
/// Foundation's parser goes through `sscanf` on Linux (it was the largest cost of a search), its
/// formatter through `snprintf`.
enum Identifier {
    static func uuid(_ text: String) -> UUID? { SyncWire.parseUUID(text) }

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
