import Foundation

/// A JSON document with keys kept in the order they were written, so command-line output and
/// audit snapshots read the same every time. Money is written as a number with two decimals.
public indirect enum JSONValue: Hashable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    /// A number written exactly as given (money `129.00`, ratios `0.7533`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func money(_ amount: Money) -> JSONValue { .number(amount.plain) }
    public static func decimal(_ value: Decimal) -> JSONValue { .number("\(value)") }
    public static func date(_ date: CalendarDate) -> JSONValue { .string(date.iso) }
    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool { lhs.rendered() == rhs.rendered() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rendered()) }

    public func rendered(pretty: Bool = false) -> String {
        var output = ""
        write(into: &output, pretty: pretty, indent: 0)
        return output
    }

    private func write(into output: inout String, pretty: Bool, indent: Int) {
        switch self {
        case .null: output += "null"
        case .bool(let value): output += value ? "true" : "false"
        case .int(let value): output += String(value)
        case .number(let text): output += text
        case .string(let text): JSONValue.escape(text, into: &output)
        case .array(let items):
            writeContainer(open: "[", close: "]", count: items.count, into: &output, pretty: pretty, indent: indent) { index, out in
                items[index].write(into: &out, pretty: pretty, indent: indent + 1)
            }
        case .object(let members):
            writeContainer(open: "{", close: "}", count: members.count, into: &output, pretty: pretty, indent: indent) { index, out in
                JSONValue.escape(members[index].0, into: &out)
                out += pretty ? ": " : ":"
                members[index].1.write(into: &out, pretty: pretty, indent: indent + 1)
            }
        }
    }

    private func writeContainer(open: String, close: String, count: Int, into output: inout String, pretty: Bool,
                                indent: Int, element: (Int, inout String) -> Void) {
        output += open
        for index in 0..<count {
            if index > 0 { output += "," }
            if pretty { output += "\n" + String(repeating: "  ", count: indent + 1) }
            element(index, &output)
        }
        if pretty && count > 0 { output += "\n" + String(repeating: "  ", count: indent) }
        output += close
    }

    private static func escape(_ text: String, into output: inout String) {
        output += "\""
        // Most text (names, codes, dates) needs no escaping: copy it whole.
        // 0x7F is DEL; 0xC2 leads C1 controls (U+0080-U+009F), 0xE2 the line and paragraph separators.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F || $0 == 0xC2 || $0 == 0xE2 }) {
            output += text
            output += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029:
                output += String(format: "\\u%04x", scalar.value)
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

extension JSONValue {
    /// An object with more fields after its own; any other value unchanged.
    public func adding(_ more: [(String, JSONValue)]) -> JSONValue {
        guard case .object(let fields) = self else { return self }
        return .object(fields + more)
    }
}

extension Hotel {
    /// A hotel as `frontdesk hotel show --json` and the server's hotel list show it.
    public var json: JSONValue {
        .object([
            ("hotelId", .string(id.uuidString.lowercased())), ("name", .string(name)),
            ("timeZone", .string(timeZoneIdentifier)), ("currency", .string(currency)),
        ])
    }
}

extension RoomType {
    public var json: JSONValue {
        .object([
            ("roomTypeId", .string(id.uuidString.lowercased())), ("name", .string(name)),
            ("capacity", .int(capacity)), ("basePrice", .money(basePricePerNight)),
        ])
    }
}

extension Booking {
    /// The booking object of the command line (and, later, of the server's API).
    public var json: JSONValue {
        .object([
            ("bookingId", .string(id.uuidString.lowercased())),
            ("confirmation", .string(confirmationCode)),
            ("status", .string(status.rawValue)),
            ("roomNumber", .string(roomNumber)),
            ("checkIn", .date(stay.checkIn)),
            ("checkOut", .date(stay.checkOut)),
            ("nights", .int(stay.nightCount)),
            ("guests", .int(guestCount)),
            ("guestName", .string(guest.name)),
            ("email", .string(guest.email)),
            ("phone", .optional(guest.phone)),
            ("totalPrice", .money(totalPrice)),
            ("nightlyPrices", .array(nightlyPrices.map(\.json))),
            ("version", .int(version)),
            ("statusReason", .optional(statusReason)),
        ])
    }
}

extension NightlyPrice {
    public var json: JSONValue { .object([("date", .date(night)), ("price", .money(price))]) }
}
