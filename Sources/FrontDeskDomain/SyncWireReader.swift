// The server's big sync documents (replica and changes pages) read by hand: `JSONDecoder` spent
// seconds of a first replica on 105 MB of bookings. The reading is the Codable one's: the same
// keys, a missing required member or a value of the wrong type refused (the member named), `null`
// or absence for an optional, unknown members skipped (a newer server may add some). Tested
// against `JSONDecoder` on the same bytes (`SyncWireReaderTests`).

import Foundation

/// A JSON reader over bytes, for the sync wire's shapes only: objects, arrays, strings, integers,
/// booleans and null (no fractions: the wire has none).
struct SyncJSONReader {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    /// Objects and arrays open around the value being read: each is a call deeper, so a
    /// document nested without end (from a broken or hostile peer) is refused, not a stack overflow.
    private var depth = 0
    static let deepest = 64

    init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    struct Failure: Error {
        let message: String
    }

    // MARK: Tokens

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    private mutating func expect(_ byte: UInt8, _ what: @autoclosure () -> String) throws(Failure) {
        guard peek() == byte else { throw Failure(message: what()) }
        index += 1
    }

    /// The end of the document: nothing but whitespace after the value.
    mutating func end() throws(Failure) {
        if peek() != nil { throw Failure(message: "something follows the document") }
    }

    /// `null` (consumed) or not (nothing consumed).
    mutating func null() -> Bool {
        guard peek() == UInt8(ascii: "n"), index + 4 <= bytes.count, bytes[index + 1] == UInt8(ascii: "u"),
              bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") else { return false }
        index += 4
        return true
    }

    /// The members of an object, each key (its raw bytes between the quotes, escapes included)
    /// handed to `member`, which must read or skip the value.
    mutating func object(_ field: String, _ member: (inout SyncJSONReader, UnsafeBufferPointer<UInt8>) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "{"), "\(field) is not an object")
        try enter(field)
        defer { depth -= 1 }
        if peek() == UInt8(ascii: "}") {
            index += 1
            return
        }
        while true {
            try expect(UInt8(ascii: "\""), "\(field) has a member without a name")
            let start = index
            while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1
            }
            guard index < bytes.count else { throw Failure(message: "\(field) ends in the middle of a name") }
            let key = UnsafeBufferPointer(rebasing: bytes[start..<index])
            index += 1
            try expect(UInt8(ascii: ":"), "\(field) has a member without a value")
            try member(&self, key)
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return
            default: throw Failure(message: "\(field) is not a well-formed object")
            }
        }
    }

    private mutating func enter(_ field: String) throws(Failure) {
        depth += 1
        if depth > Self.deepest { throw Failure(message: "\(field) is nested more than \(Self.deepest) deep") }
    }

    /// The elements of an array, each read by `element`.
    mutating func array(_ field: String, _ element: (inout SyncJSONReader) throws(Failure) -> Void) throws(Failure) {
        try expect(UInt8(ascii: "["), "\(field) is not an array")
        try enter(field)
        defer { depth -= 1 }
        if peek() == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            try element(&self)
            switch peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw Failure(message: "\(field) is not a well-formed array")
            }
        }
    }

    mutating func string(_ field: String) throws(Failure) -> String {
        try expect(UInt8(ascii: "\""), "\(field) is not a string")
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: text, as: UTF8.self) }
                guard let valid = String(validating: text, as: UTF8.self) else { throw Failure(message: "\(field) is not UTF-8 text") }
                return valid
            }
            if byte == UInt8(ascii: "\\") {
                index = start
                return try escapedString(field)
            }
            if byte < 0x20 { throw Failure(message: "\(field) holds a control character") }
            if byte >= 0x80 { ascii = false }
            index += 1
        }
        throw Failure(message: "\(field) ends in the middle of a string")
    }

    /// The slow way, for a string with escapes: `index` at its first byte after the quote.
    private mutating func escapedString(_ field: String) throws(Failure) -> String {
        var utf8: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let valid = String(validating: utf8, as: UTF8.self) else { throw Failure(message: "\(field) is not UTF-8 text") }
                return valid
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { break }
                let escaped = bytes[index]
                index += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escaped)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4(field)
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A surrogate pair: the low half must follow as another \u escape.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw Failure(message: "\(field) holds half a surrogate pair")
                        }
                        index += 2
                        let low = try hex4(field)
                        guard (0xDC00..<0xE000).contains(low) else { throw Failure(message: "\(field) holds half a surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw Failure(message: "\(field) holds half a surrogate pair") }
                    utf8.append(contentsOf: UTF8.encode(unicode)!)
                default: throw Failure(message: "\(field) holds an unknown escape")
                }
            default:
                if byte < 0x20 { throw Failure(message: "\(field) holds a control character") }
                utf8.append(byte)
            }
        }
        throw Failure(message: "\(field) ends in the middle of a string")
    }

    private mutating func hex4(_ field: String) throws(Failure) -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure(message: "\(field) ends in the middle of an escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw Failure(message: "\(field) holds a bad \\u escape")
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    mutating func optionalString(_ field: String) throws(Failure) -> String? {
        null() ? nil : try string(field)
    }

    mutating func int64(_ field: String) throws(Failure) -> Int64 {
        guard let first = peek() else { throw Failure(message: "\(field) is missing its value") }
        var negative = false
        if first == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let start = index
        var magnitude: UInt64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (times, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(bytes[index] - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { throw Failure(message: "\(field) is too large") }
            magnitude = sum
            index += 1
        }
        guard index > start else { throw Failure(message: "\(field) is not a number") }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw Failure(message: "\(field) is not a whole number")
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { throw Failure(message: "\(field) is too large") }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { throw Failure(message: "\(field) is too large") }
        return Int64(magnitude)
    }

    mutating func int(_ field: String) throws(Failure) -> Int {
        let value = try int64(field)
        guard let int = Int(exactly: value) else { throw Failure(message: "\(field) is too large") }
        return int
    }

    mutating func bool(_ field: String) throws(Failure) -> Bool {
        switch peek() {
        case UInt8(ascii: "t") where index + 4 <= bytes.count && bytes[index + 1] == UInt8(ascii: "r")
                && bytes[index + 2] == UInt8(ascii: "u") && bytes[index + 3] == UInt8(ascii: "e"):
            index += 4
            return true
        case UInt8(ascii: "f") where index + 5 <= bytes.count && bytes[index + 1] == UInt8(ascii: "a")
                && bytes[index + 2] == UInt8(ascii: "l") && bytes[index + 3] == UInt8(ascii: "s") && bytes[index + 4] == UInt8(ascii: "e"):
            index += 5
            return false
        default:
            throw Failure(message: "\(field) is not true or false")
        }
    }

    /// Any value, unread (a member this desk does not know).
    mutating func skip(_ field: String) throws(Failure) {
        switch peek() {
        case UInt8(ascii: "{"): try object(field) { reader, _ throws(Failure) in try reader.skip(field) }
        case UInt8(ascii: "["): try array(field) { reader throws(Failure) in try reader.skip(field) }
        case UInt8(ascii: "\""): _ = try string(field)
        case UInt8(ascii: "t"), UInt8(ascii: "f"): _ = try bool(field)
        case UInt8(ascii: "n"): if !null() { throw Failure(message: "\(field) is not JSON") }
        default:
            // A number, fractions included.
            let start = index
            while index < bytes.count, "+-.0123456789eE".utf8.contains(bytes[index]) { index += 1 }
            if index == start { throw Failure(message: "\(field) is not JSON") }
        }
    }
}

/// Whether a key's raw bytes are `name`.
@inline(__always)
private func matches(_ key: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
    guard key.count == name.utf8CodeUnitCount else { return false }
    let other = name.utf8Start
    for offset in 0..<key.count where key[offset] != other[offset] { return false }
    return true
}

private func missing(_ field: String) -> SyncJSONReader.Failure {
    SyncJSONReader.Failure(message: "\(field) is missing")
}

extension WireHotel {
    init(reading json: inout SyncJSONReader) throws(SyncJSONReader.Failure) {
        var hotelId: String?, name: String?, timeZone: String?, currency: String?, noShowFee: String?
        var holdMinutes: Int?, cutoff: Int?
        try json.object("hotel") { json, key throws(SyncJSONReader.Failure) in
            if matches(key, "hotelId") { hotelId = try json.string("hotel.hotelId") }
            else if matches(key, "name") { name = try json.string("hotel.name") }
            else if matches(key, "timeZone") { timeZone = try json.string("hotel.timeZone") }
            else if matches(key, "currency") { currency = try json.string("hotel.currency") }
            else if matches(key, "holdMinutes") { holdMinutes = try json.int("hotel.holdMinutes") }
            else if matches(key, "noShowCutoffHour") { cutoff = try json.int("hotel.noShowCutoffHour") }
            else if matches(key, "noShowFee") { noShowFee = try json.string("hotel.noShowFee") }
            else { try json.skip("hotel") }
        }
        guard let hotelId else { throw missing("hotel.hotelId") }
        guard let name else { throw missing("hotel.name") }
        guard let timeZone else { throw missing("hotel.timeZone") }
        guard let currency else { throw missing("hotel.currency") }
        guard let holdMinutes else { throw missing("hotel.holdMinutes") }
        guard let cutoff else { throw missing("hotel.noShowCutoffHour") }
        guard let noShowFee else { throw missing("hotel.noShowFee") }
        self.init(hotelId: hotelId, name: name, timeZone: timeZone, currency: currency, holdMinutes: holdMinutes,
                  noShowCutoffHour: cutoff, noShowFee: noShowFee)
    }
}

extension WireRoomType {
    init(reading json: inout SyncJSONReader) throws(SyncJSONReader.Failure) {
        var id: String?, name: String?, capacity: Int?, price: Int64?
        try json.object("roomTypes") { json, key throws(SyncJSONReader.Failure) in
            if matches(key, "roomTypeId") { id = try json.string("roomTypes.roomTypeId") }
            else if matches(key, "name") { name = try json.string("roomTypes.name") }
            else if matches(key, "capacity") { capacity = try json.int("roomTypes.capacity") }
            else if matches(key, "basePriceCents") { price = try json.int64("roomTypes.basePriceCents") }
            else { try json.skip("roomTypes") }
        }
        guard let id else { throw missing("roomTypes.roomTypeId") }
        guard let name else { throw missing("roomTypes.name") }
        guard let capacity else { throw missing("roomTypes.capacity") }
        guard let price else { throw missing("roomTypes.basePriceCents") }
        self.init(roomTypeId: id, name: name, capacity: capacity, basePriceCents: price)
    }
}

extension WireRoom {
    init(reading json: inout SyncJSONReader) throws(SyncJSONReader.Failure) {
        var id: String?, number: String?, type: String?, active: Bool?
        try json.object("rooms") { json, key throws(SyncJSONReader.Failure) in
            if matches(key, "roomId") { id = try json.string("rooms.roomId") }
            else if matches(key, "roomNumber") { number = try json.string("rooms.roomNumber") }
            else if matches(key, "roomTypeId") { type = try json.string("rooms.roomTypeId") }
            else if matches(key, "isActive") { active = try json.bool("rooms.isActive") }
            else { try json.skip("rooms") }
        }
        guard let id else { throw missing("rooms.roomId") }
        guard let number else { throw missing("rooms.roomNumber") }
        guard let type else { throw missing("rooms.roomTypeId") }
        guard let active else { throw missing("rooms.isActive") }
        self.init(roomId: id, roomNumber: number, roomTypeId: type, isActive: active)
    }
}

extension WireBooking {
    init(reading json: inout SyncJSONReader) throws(SyncJSONReader.Failure) {
        var bookingId: String?, hotelId: String?, roomId: String?, roomNumber: String?, confirmation: String?, status: String?
        var checkIn: String?, checkOut: String?, guestName: String?, email: String?, createdAt: String?, updatedAt: String?
        var guests: Int?, version: Int?
        var phone: String?, holdExpiresAt: String?, statusReason: String?, checkedInOn: String?, checkedOutOn: String?, roomSince: String?
        var prices: [WireNightPrice]?, claims: [WireClaim]?, notes: [WireNote]?
        try json.object("bookings") { json, key throws(SyncJSONReader.Failure) in
            // In the order the server writes them: most keys match on the first or second test.
            if matches(key, "bookingId") { bookingId = try json.string("bookings.bookingId") }
            else if matches(key, "hotelId") { hotelId = try json.string("bookings.hotelId") }
            else if matches(key, "roomId") { roomId = try json.string("bookings.roomId") }
            else if matches(key, "roomNumber") { roomNumber = try json.string("bookings.roomNumber") }
            else if matches(key, "confirmation") { confirmation = try json.string("bookings.confirmation") }
            else if matches(key, "status") { status = try json.string("bookings.status") }
            else if matches(key, "checkIn") { checkIn = try json.string("bookings.checkIn") }
            else if matches(key, "checkOut") { checkOut = try json.string("bookings.checkOut") }
            else if matches(key, "guests") { guests = try json.int("bookings.guests") }
            else if matches(key, "guestName") { guestName = try json.string("bookings.guestName") }
            else if matches(key, "email") { email = try json.string("bookings.email") }
            else if matches(key, "phone") { phone = try json.optionalString("bookings.phone") }
            else if matches(key, "nightlyPrices") {
                var list: [WireNightPrice] = []
                try json.array("bookings.nightlyPrices") { json throws(SyncJSONReader.Failure) in
                    var night: String?, cents: Int64?
                    try json.object("bookings.nightlyPrices") { json, key throws(SyncJSONReader.Failure) in
                        if matches(key, "night") { night = try json.string("bookings.nightlyPrices.night") }
                        else if matches(key, "priceCents") { cents = try json.int64("bookings.nightlyPrices.priceCents") }
                        else { try json.skip("bookings.nightlyPrices") }
                    }
                    guard let night else { throw missing("bookings.nightlyPrices.night") }
                    guard let cents else { throw missing("bookings.nightlyPrices.priceCents") }
                    list.append(WireNightPrice(night: night, priceCents: cents))
                }
                prices = list
            }
            else if matches(key, "claims") {
                var list: [WireClaim] = []
                try json.array("bookings.claims") { json throws(SyncJSONReader.Failure) in
                    var night: String?, room: String?
                    try json.object("bookings.claims") { json, key throws(SyncJSONReader.Failure) in
                        if matches(key, "night") { night = try json.string("bookings.claims.night") }
                        else if matches(key, "roomId") { room = try json.string("bookings.claims.roomId") }
                        else { try json.skip("bookings.claims") }
                    }
                    guard let night else { throw missing("bookings.claims.night") }
                    guard let room else { throw missing("bookings.claims.roomId") }
                    list.append(WireClaim(night: night, roomId: room))
                }
                claims = list
            }
            else if matches(key, "version") { version = try json.int("bookings.version") }
            else if matches(key, "holdExpiresAt") { holdExpiresAt = try json.optionalString("bookings.holdExpiresAt") }
            else if matches(key, "statusReason") { statusReason = try json.optionalString("bookings.statusReason") }
            else if matches(key, "createdAt") { createdAt = try json.string("bookings.createdAt") }
            else if matches(key, "updatedAt") { updatedAt = try json.string("bookings.updatedAt") }
            else if matches(key, "notes") {
                var list: [WireNote] = []
                try json.array("bookings.notes") { json throws(SyncJSONReader.Failure) in
                    var at: String?, by: String?, text: String?
                    try json.object("bookings.notes") { json, key throws(SyncJSONReader.Failure) in
                        if matches(key, "at") { at = try json.string("bookings.notes.at") }
                        else if matches(key, "by") { by = try json.string("bookings.notes.by") }
                        else if matches(key, "text") { text = try json.string("bookings.notes.text") }
                        else { try json.skip("bookings.notes") }
                    }
                    guard let at else { throw missing("bookings.notes.at") }
                    guard let by else { throw missing("bookings.notes.by") }
                    guard let text else { throw missing("bookings.notes.text") }
                    list.append(WireNote(at: at, by: by, text: text))
                }
                notes = list
            }
            else if matches(key, "checkedInOn") { checkedInOn = try json.optionalString("bookings.checkedInOn") }
            else if matches(key, "checkedOutOn") { checkedOutOn = try json.optionalString("bookings.checkedOutOn") }
            else if matches(key, "roomSince") { roomSince = try json.optionalString("bookings.roomSince") }
            else { try json.skip("bookings") }
        }
        guard let bookingId else { throw missing("bookings.bookingId") }
        guard let hotelId else { throw missing("bookings.hotelId") }
        guard let roomId else { throw missing("bookings.roomId") }
        guard let roomNumber else { throw missing("bookings.roomNumber") }
        guard let confirmation else { throw missing("bookings.confirmation") }
        guard let status else { throw missing("bookings.status") }
        guard let checkIn else { throw missing("bookings.checkIn") }
        guard let checkOut else { throw missing("bookings.checkOut") }
        guard let guests else { throw missing("bookings.guests") }
        guard let guestName else { throw missing("bookings.guestName") }
        guard let email else { throw missing("bookings.email") }
        guard let prices else { throw missing("bookings.nightlyPrices") }
        guard let claims else { throw missing("bookings.claims") }
        guard let version else { throw missing("bookings.version") }
        guard let createdAt else { throw missing("bookings.createdAt") }
        guard let updatedAt else { throw missing("bookings.updatedAt") }
        guard let notes else { throw missing("bookings.notes") }
        self.init(bookingId: bookingId, hotelId: hotelId, roomId: roomId, roomNumber: roomNumber, confirmation: confirmation,
                  status: status, checkIn: checkIn, checkOut: checkOut, guests: guests, guestName: guestName, email: email,
                  phone: phone, nightlyPrices: prices, claims: claims, version: version, holdExpiresAt: holdExpiresAt,
                  statusReason: statusReason, createdAt: createdAt, updatedAt: updatedAt, notes: notes,
                  checkedInOn: checkedInOn, checkedOutOn: checkedOutOn, roomSince: roomSince)
    }
}

extension ReplicaPage {
    /// A replica page from the server's bytes, as `JSONDecoder` would read it, faster.
    /// - Throws: `SyncWireError` naming the member that does not read.
    public init(jsonBytes: UnsafeBufferPointer<UInt8>) throws(SyncWireError) {
        var protocolVersion: Int?, cursor: Int64?, total: Int?, next: String?
        var hotel: WireHotel?, types: [WireRoomType]?, rooms: [WireRoom]?, bookings: [WireBooking]?
        var json = SyncJSONReader(jsonBytes)
        do {
            try json.object("the page") { json, key throws(SyncJSONReader.Failure) in
                if matches(key, "protocolVersion") { protocolVersion = try json.int("protocolVersion") }
                else if matches(key, "bookings") { bookings = try readBookings(&json) }
                else if matches(key, "hotel") { hotel = json.null() ? nil : try WireHotel(reading: &json) }
                else if matches(key, "roomTypes") { types = try readList(&json, "roomTypes") { json throws(SyncJSONReader.Failure) in try WireRoomType(reading: &json) } }
                else if matches(key, "rooms") { rooms = try readList(&json, "rooms") { json throws(SyncJSONReader.Failure) in try WireRoom(reading: &json) } }
                else if matches(key, "cursor") { cursor = try json.int64("cursor") }
                else if matches(key, "totalBookings") { total = try json.int("totalBookings") }
                else if matches(key, "next") { next = try json.optionalString("next") }
                else { try json.skip("the page") }
            }
            try json.end()
            guard let protocolVersion else { throw missing("protocolVersion") }
            guard let bookings else { throw missing("bookings") }
            guard let cursor else { throw missing("cursor") }
            guard let total else { throw missing("totalBookings") }
            self.init(protocolVersion: protocolVersion, hotel: hotel, roomTypes: types, rooms: rooms, bookings: bookings,
                      cursor: cursor, totalBookings: total, next: next)
        } catch let failure as SyncJSONReader.Failure {
            throw SyncWireError(failure.message)
        } catch {
            throw SyncWireError("\(error)")
        }
    }
}

extension ChangesPage {
    /// A changes page from the server's bytes, as `JSONDecoder` would read it, faster.
    /// - Throws: `SyncWireError` naming the member that does not read.
    public init(jsonBytes: UnsafeBufferPointer<UInt8>) throws(SyncWireError) {
        var protocolVersion: Int?, cursor: Int64?, more: Bool?
        var hotel: WireHotel?, types: [WireRoomType]?, rooms: [WireRoom]?, bookings: [WireBooking]?
        var json = SyncJSONReader(jsonBytes)
        do {
            try json.object("the page") { json, key throws(SyncJSONReader.Failure) in
                if matches(key, "protocolVersion") { protocolVersion = try json.int("protocolVersion") }
                else if matches(key, "cursor") { cursor = try json.int64("cursor") }
                else if matches(key, "more") { more = try json.bool("more") }
                else if matches(key, "bookings") { bookings = try readBookings(&json) }
                else if matches(key, "hotel") { hotel = json.null() ? nil : try WireHotel(reading: &json) }
                else if matches(key, "roomTypes") { types = try readList(&json, "roomTypes") { json throws(SyncJSONReader.Failure) in try WireRoomType(reading: &json) } }
                else if matches(key, "rooms") { rooms = try readList(&json, "rooms") { json throws(SyncJSONReader.Failure) in try WireRoom(reading: &json) } }
                else { try json.skip("the page") }
            }
            try json.end()
            guard let protocolVersion else { throw missing("protocolVersion") }
            guard let cursor else { throw missing("cursor") }
            guard let more else { throw missing("more") }
            guard let bookings else { throw missing("bookings") }
            self.init(protocolVersion: protocolVersion, cursor: cursor, more: more, bookings: bookings,
                      hotel: hotel, roomTypes: types, rooms: rooms)
        } catch let failure as SyncJSONReader.Failure {
            throw SyncWireError(failure.message)
        } catch {
            throw SyncWireError("\(error)")
        }
    }
}

private func readBookings(_ json: inout SyncJSONReader) throws(SyncJSONReader.Failure) -> [WireBooking] {
    var bookings: [WireBooking] = []
    bookings.reserveCapacity(SyncWire.pageSize)
    try json.array("bookings") { json throws(SyncJSONReader.Failure) in bookings.append(try WireBooking(reading: &json)) }
    return bookings
}

/// An optional list: null or an array of `element`.
private func readList<T>(_ json: inout SyncJSONReader, _ field: String,
                         _ element: (inout SyncJSONReader) throws(SyncJSONReader.Failure) -> T) throws(SyncJSONReader.Failure) -> [T]? {
    if json.null() { return nil }
    var list: [T] = []
    try json.array(field) { json throws(SyncJSONReader.Failure) in list.append(try element(&json)) }
    return list
}

extension SyncWire {
    /// The canonical text of a UUID (8-4-4-4-12 hex digits, either case), as `UUID(uuidString:)`
    /// reads it, without its `sscanf` (on Linux): a replica reads half a million ids.
    public static func parseUUID(_ text: String) -> UUID? {
        var text = text
        return text.withUTF8 { utf8 -> UUID? in
            guard utf8.count == 36 else { return nil }
            var bytes: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &bytes) { out -> Bool in
                var position = 0
                for index in 0..<16 {
                    if position == 8 || position == 13 || position == 18 || position == 23 {
                        guard utf8[position] == UInt8(ascii: "-") else { return false }
                        position += 1
                    }
                    guard let high = hexValue(utf8[position]), let low = hexValue(utf8[position + 1]) else { return false }
                    out[index] = high << 4 | low
                    position += 2
                }
                return true
            }
            return parsed ? UUID(uuid: bytes) : nil
        }
    }

    /// The text a store keeps an id as: `uuidString` (uppercase), without its `snprintf`.
    public static func uppercaseText(_ id: UUID) -> String { idText(id, letters: UInt8(ascii: "A")) }

    /// The text JSON shows an id as: `uuidString.lowercased()`, without the `snprintf` and the copy.
    public static func lowercaseText(_ id: UUID) -> String { idText(id, letters: UInt8(ascii: "a")) }

    private static func idText(_ id: UUID, letters: UInt8) -> String {
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

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func hexDigit(_ value: UInt8, _ letters: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : letters + value - 10
    }
}
