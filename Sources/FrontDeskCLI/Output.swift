import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskSync

/// A command's exit after its error was already printed.
struct CommandFailure: Error {
    let exitCode: Int32
}

enum Output {
    /// What a command produced: the JSON document and the text a person reads.
    struct Result {
        var json: JSONValue
        var text: String
        /// Text that is costly to make (a search's table of prices, one division per room), made
        /// only when it is printed: not with `--json`.
        var textWhenShown: (() -> String)?

        init(json: JSONValue, text: String) {
            self.json = json
            self.text = text
        }

        init(json: JSONValue, textWhenShown: @escaping () -> String) {
            self.json = json
            text = ""
            self.textWhenShown = textWhenShown
        }

        var shownText: String { textWhenShown?() ?? text }
    }

    /// Objects left to the end of the process: a command's store (closed already if it wrote;
    /// a read-only one has nothing to write on close) and its result. Freeing them one node at a
    /// time, and closing a read-only file, was a twentieth of a search's whole run, before `exit`.
    nonisolated(unsafe) static var keptUntilExit: [Any] = []

    /// Card numbers are masked in everything printed (`CardNumber.redacted`).
    /// `oneLine`: compact, for a script that reads one line (the payment simulator's address).
    static func printJSON(_ value: JSONValue, oneLine: Bool = false) {
        // As bytes, as rendered: no String of the whole document is made, checked and copied.
        var bytes = CardNumber.redacted(utf8: value.renderedUTF8(pretty: !oneLine))
        bytes.append(UInt8(ascii: "\n"))
        writeToStandardOutput(bytes)
    }

    /// The error of a write to standard output that failed (not a closed pipe), if one did.
    nonisolated(unsafe) static var failedWriteError: Int32?

    /// Why standard output did not take everything the command printed (a full disk, an I/O
    /// error), after flushing what `print` buffered; nil when it did, or its reader went away.
    static func standardOutputProblem() -> String? {
        if fflush(nil) != 0, errno != EPIPE { failedWriteError = errno }
        guard let code = failedWriteError, let words = strerror(code) else { return nil }
        return String(cString: words)
    }

    /// Writes bytes to standard output after anything `print` has buffered, as `print` would.
    static func writeToStandardOutput(_ bytes: [UInt8]) {
        // glibc drops a buffer it could not write and answers the next flush with success: the
        // failure is noted here, at the flush that had it.
        if fflush(nil) != 0, errno != EPIPE { failedWriteError = errno }
        bytes.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else {
                    // A reader that went away (`| head`) is no failure of the command; a full disk is.
                    if written < 0 && errno != EPIPE { failedWriteError = errno }
                    return
                }
                offset += written
            }
        }
    }

    static func errorDocument(code: String, message: String, details: [String]) -> JSONValue {
        .object([("error", .object([
            ("code", .string(code)), ("message", .string(message)), ("details", .array(details.map(JSONValue.string))),
        ]))])
    }

    /// The id of the booking's latest audit entry (0: none), before a change.
    static func lastAuditEntry(_ store: FrontDeskStore, _ reference: String) -> Int64 {
        (try? store.auditTrail(bookingReference: reference, limit: 1))?.first?.id ?? 0
    }

    /// Says on stderr, "Recorded: …", what a change wrote in the booking's history after entry
    /// `since`: what the booking alone does not say (money to collect or pay back at the desk, a
    /// refund). Not on stdout nor in the JSON: a replay under the same request id answers the
    /// same booking there, and records (and says) nothing new.
    static func sayRecorded(_ store: FrontDeskStore, _ bookingId: String, since: Int64) {
        // The server's lines of a change queued here earlier arrive with a later push: that
        // change said its money when it was made, and saying it again could have it paid twice.
        let recorded = (try? store.auditTrail(bookingReference: bookingId, limit: 20))?
            .filter { $0.id > since && $0.action != FrontDeskStore.serverLinesOfAQueuedChange }.reversed().map(\.summary) ?? []
        for line in recorded { FileHandle.standardError.write(Data("Recorded: \(safe(line))\n".utf8)) }
    }

    /// Exit codes by error code, so scripts can tell a full hotel from a typo (`frontdesk-server`'s too).
    static func exitCode(forCode code: String) -> Int32 { CommandExitCodes.forCode(code) }

    /// `book --wait` whose booking ended Failed (declined, expired): the booking is printed.
    static let bookingFailedExitCode: Int32 = 7

    /// A connected desk's sync that could not finish: operations left to push, the server
    /// unreachable, or its credential refused (`sync`, `desk connect`).
    static let syncIncompleteExitCode = CommandExitCodes.syncIncomplete

    /// Prints the error for a person (stderr) and, with --json, as a document (stdout).
    static func report(_ error: any Error, json: Bool) -> CommandFailure {
        let (code, rawMessage, rawDetails): (String, String, [String]) = switch error {
        case let domain as FrontDeskError: (domain.code, domain.message, domain.details)
        case let store as StoreError: ("storage_error", store.description, [])
        case let sync as SyncFailure: (sync.code, sync.message, sync.kind == .badAddress ? [sync.message] : [])
        case let refusal as ServerRefusal: (refusal.code, refusal.message, [])
        case let file as ConnectionFileError: ("storage_error", file.description, [])
        default: ("internal_error", "\(error)", [])
        }
        let (message, details) = (CardNumber.redacted(in: rawMessage), rawDetails.map(CardNumber.redacted(in:)))
        var standardError = FileHandle.standardError
        if details.count > 1 {
            print("error: \(details.count) problems:", to: &standardError)
            for detail in details { print("  - \(safe(detail))", to: &standardError) }
        } else {
            print("error: \(safe(message))", to: &standardError)
        }
        if json { printJSON(errorDocument(code: code, message: message, details: details)) }
        return CommandFailure(exitCode: exitCode(forCode: code))
    }

    // MARK: Text for people

    static func bookingText(_ booking: Booking, currency: String) -> String {
        let prices = booking.nightlyPrices.map(\.price.plain)
        var lines = [
            "Booking \(booking.confirmationCode)  \(booking.status.rawValue)\(booking.statusReason.map { " (\(safe($0)))" } ?? "")",
            "  Guest   \(safe(booking.guest.name)) <\(safe(booking.guest.email))>\(booking.guest.phone.map { "  \(safe($0))" } ?? "")",
            "  Room    \(safe(booking.roomNumber)), \(booking.guestCount) guest\(booking.guestCount == 1 ? "" : "s")",
            "  Stay    \(booking.stay.checkIn) to \(booking.stay.checkOut) (\(booking.stay.nightCount) night\(booking.stay.nightCount == 1 ? "" : "s"))",
            "  Total   \(currency) \(booking.totalPrice.plain)  (\(prices.count > 7 ? prices.prefix(7).joined(separator: ", ") + ", ..." : prices.joined(separator: ", ")))",
        ]
        if let since = booking.roomSince { lines.append("  Moved   to room \(safe(booking.roomNumber)) from the night of \(since)") }
        if booking.status == .checkedOut, let left = booking.checkedOutOn {
            // An early departure keeps the stay as sold: say when the guest left, and what it gave back.
            let givenBack = booking.nightsFreedByCheckingOut(on: left)
            lines.append("  Left    \(left)" + (givenBack.isEmpty ? "" : " (early: \(givenBack.count.counted("night")) from \(givenBack[0]) given back)"))
        }
        for note in booking.notes {
            lines.append("  Note    \(safe(note.text))  (\(safe(note.by)), \(InstantText.utc(note.at).prefix(16).replacingOccurrences(of: "T", with: " ")) UTC)")
        }
        lines.append("  Id      \(booking.id.uuidString.lowercased())  version \(booking.version)")
        return lines.joined(separator: "\n")
    }
}

// MARK: The night under way (before 06:00), said beside an answer

extension Output {
    /// Under a search from the business date (no `--check-in`) before 06:00: "Until 06:00 the night
    /// of 2026-12-07 can still be sold: --check-in 2026-12-07". Nil by day.
    static func nightStillOnSaleLine(nightUnderWay: CalendarDate?) -> String? {
        guard let night = nightUnderWay else { return nil }
        return capitalized(ChangeWording.nightStillOnSale(night)) + ": --check-in \(night)"
    }

    /// Under a booking whose stay begins on the business date, made before 06:00: the night
    /// under way is not in it, and a guest who takes the room now would sleep it unsold.
    /// Said only while that night is unsold in the room (`isUnsold`): else the change it names is refused.
    static func bookNightLine(_ booking: Booking, nightUnderWay: CalendarDate?, isUnsold: (CalendarDate) -> Bool) -> String? {
        guard [BookingStatus.reserving, .processingPayment, .confirmed].contains(booking.status), let nightUnderWay,
              let night = booking.nightUnderWayLeftOut(businessDate: nightUnderWay.adding(days: 1), nightUnderWay: nightUnderWay),
              isUnsold(night)
        else { return nil }
        let change = "change \(booking.confirmationCode) --check-in \(night)"
        let when = booking.status == .confirmed ? "" : " once the booking is confirmed"
        return capitalized(ChangeWording.nightStillOnSale(night)) + ": if the guest takes the room now, " + change + when
    }

    /// Under a check-in made before 06:00 on a stay from the business date: the guest sleeps the
    /// night under way, which the stay does not hold and nothing charges (the guest has the bed,
    /// session 54), and how to charge it.
    static func checkInNightLine(_ booking: Booking, nightUnderWay: CalendarDate?, isUnsold: (CalendarDate) -> Bool) -> String? {
        guard booking.status == .checkedIn, let nightUnderWay,
              let night = booking.nightUnderWayLeftOut(businessDate: nightUnderWay.adding(days: 1), nightUnderWay: nightUnderWay),
              isUnsold(night)
        else { return nil }
        let code = booking.confirmationCode
        return ChangeWording.nightNotInStay(night) + "; to charge it: undo-check-in \(code), change \(code) --check-in \(night), "
            + "then check-in \(code) again"
    }

    /// "until …" as a line begins: "Until …".
    private static func capitalized(_ words: String) -> String { words.prefix(1).uppercased() + words.dropFirst() }
}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
