import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One change to the simulator's ledger; a ledger file holds one per line, in order.
struct LedgerEntry: Codable, Equatable, Sendable {
    enum Kind: String, Codable, Sendable { case charge, refund, void }
    var kind: Kind
    /// The request's Idempotency-Key.
    var key: String
    var bookingId: String
    /// `ch_N`, `re_N`, or for a void the id it answered (`vo_N` or the refund's `re_N`).
    var id: String
    /// Charges and refunds: the amount as the client sent it (refunds before it was kept: none).
    var amount: String?
    /// Refunds: the charge they pay back; voids: the charge they settle.
    var chargeKey: String?
    /// Voids: `refunded` or `voided`.
    var status: String?
    /// Charges and refunds: the currency, when the client sent one.
    var currency: String?
}

/// Charges, refunds and voids by idempotency key, rebuilt from entries in the same way whether they
/// come from a request or from the ledger file.
struct Ledger {
    struct Charge { let booking: String, amount: String, id: String, currency: String? }
    struct Refund { let booking: String, chargeKey: String?, id: String, amount: String? }
    struct Void { let chargeKey: String, status: String, id: String }
    enum Event { case charge(String), refund(String), voided(String, booking: String) }

    var charges: [String: Charge] = [:]
    var refunds: [String: Refund] = [:]
    /// Void key -> its answer, so a repeated void gives the same answer.
    var voids: [String: Void] = [:]
    /// Charge key -> the first refund that paid it back.
    var refundOfCharge: [String: String] = [:]
    /// Charge key -> the void that came before any charge (`vo_N`); such a charge is refused.
    var voidedCharges: [String: String] = [:]
    var events: [Event] = []

    mutating func apply(_ entry: LedgerEntry) {
        switch entry.kind {
        case .charge:
            guard charges[entry.key] == nil else { return }
            charges[entry.key] = Charge(booking: entry.bookingId, amount: entry.amount ?? "0.00", id: entry.id, currency: entry.currency)
            events.append(.charge(entry.key))
        case .refund:
            guard refunds[entry.key] == nil else { return }
            refunds[entry.key] = Refund(booking: entry.bookingId, chargeKey: entry.chargeKey, id: entry.id, amount: entry.amount)
            if let chargeKey = entry.chargeKey, refundOfCharge[chargeKey] == nil { refundOfCharge[chargeKey] = entry.id }
            events.append(.refund(entry.key))
        case .void:
            guard voids[entry.key] == nil, let chargeKey = entry.chargeKey else { return }
            let status = entry.status ?? "voided"
            voids[entry.key] = Void(chargeKey: chargeKey, status: status, id: entry.id)
            if status == "voided", voidedCharges[chargeKey] == nil {
                voidedCharges[chargeKey] = entry.id
                events.append(.voided(entry.key, booking: entry.bookingId))
            }
        }
    }

    /// The booking's charge that a refund pays back: the first not yet refunded, else the first.
    func chargeToRefund(for booking: String) -> String? {
        var first: String?
        for case .charge(let key) in events where charges[key]?.booking == booking {
            if refundOfCharge[key] == nil { return key }
            if first == nil { first = key }
        }
        return first
    }

    /// `GET /charges`: per booking in order of first appearance.
    var report: [[String: Any]] {
        var byBooking: [String: (amount: String, charged: Int, refunded: Int, voided: Int, refundedAmount: Decimal)] = [:]
        var order: [String] = []
        func touch(_ booking: String, amount: String) {
            if byBooking[booking] == nil {
                order.append(booking)
                byBooking[booking] = (amount, 0, 0, 0, 0)
            }
        }
        for event in events {
            switch event {
            case .charge(let key):
                guard let charge = charges[key] else { continue }
                touch(charge.booking, amount: charge.amount)
                if byBooking[charge.booking]!.charged == 0 { byBooking[charge.booking]!.amount = charge.amount }
                byBooking[charge.booking]!.charged += 1
            case .refund(let key):
                guard let refund = refunds[key] else { continue }
                touch(refund.booking, amount: "0.00")
                byBooking[refund.booking]!.refunded += 1
                // A void that refunds pays back the whole charge; a refund, what it asked for.
                let paidBack = refund.amount ?? refund.chargeKey.flatMap { charges[$0]?.amount } ?? "0"
                byBooking[refund.booking]!.refundedAmount += Decimal(string: paidBack) ?? 0
            case .voided(_, let booking):
                touch(booking, amount: "0.00")
                byBooking[booking]!.voided += 1
            }
        }
        return order.map { booking in
            let entry = byBooking[booking]!
            // Numbers written from decimals, exact ("228.10" is 228.1, never 228.09999…).
            // An amount that is no number (the simulator takes any string) reads as 0, as it did.
            return ["bookingId": booking, "amount": NSDecimalNumber(decimal: Decimal(string: entry.amount) ?? 0), "charged": entry.charged,
                    "refunded": entry.refunded, "voided": entry.voided,
                    "refundedAmount": NSDecimalNumber(decimal: entry.refundedAmount)]
        }
    }
}

/// The ledger file: JSON lines, appended and fsynced before the simulator answers, read back at
/// start. Held with an exclusive `flock`, so two simulators never write one ledger.
final class LedgerFile {
    let path: String
    private var descriptor: Int32

    /// Opens (or creates, mode 0600) the file and returns the entries it holds. A last line without
    /// its newline (a write cut short by a crash) is dropped from the file; any other line that is
    /// not an entry stops the start.
    init(path: String) throws(PaymentSimulator.SimulatorError) {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        descriptor = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .badLedger("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(descriptor)
            throw .badLedger("\(path) is in use by another payment simulator")
        }
        if !existed { Self.syncFolder(of: path) }
    }

    func readEntries() throws(PaymentSimulator.SimulatorError) -> [LedgerEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { throw .badLedger("cannot read \(path)") }
        let bytes = [UInt8](data)
        var entries: [LedgerEntry] = []
        var start = 0
        var lineNumber = 0
        let decoder = JSONDecoder()
        while let newline = bytes[start...].firstIndex(of: 10) {
            lineNumber += 1
            let line = bytes[start..<newline]
            start = newline + 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            guard let entry = try? decoder.decode(LedgerEntry.self, from: Data(line)) else {
                throw .badLedger("line \(lineNumber) of \(path) is not a ledger entry")
            }
            entries.append(entry)
        }
        if start < bytes.count, ftruncate(descriptor, off_t(start)) != 0 {
            throw .badLedger("cannot drop the unfinished last line of \(path)")
        }
        return entries
    }

    /// Appends one line and waits for the disk; on failure the file is cut back to where it was.
    func append(_ entry: LedgerEntry) -> Bool {
        guard descriptor >= 0, var data = try? JSONEncoder.sorted.encode(entry) else { return false }
        data.append(10)
        let size = lseek(descriptor, 0, SEEK_END)
        let written = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if count < 0, errno == EINTR { continue }
                if count <= 0 { return false }
                offset += count
            }
            return true
        }
        if written, fsync(descriptor) == 0 { return true }
        if size >= 0 { _ = ftruncate(descriptor, size) }
        return false
    }

    func close() {
        if descriptor >= 0 { Glibc.close(descriptor) }
        descriptor = -1
    }

    private static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let directory = open(folder.isEmpty ? "." : folder, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            Glibc.close(directory)
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
