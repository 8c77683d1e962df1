// The sync wire's documents as JSON bytes, written by hand: a whole replica of a busy hotel is
// hundreds of thousands of bookings, and `JSONEncoder` spends most of a replica page's time on
// them. The shapes are exactly the Codable ones (`SyncWire.swift`): the same keys, absent
// optionals left out; `JSONDecoder` reads them back into equal values (tested).

/// Appends JSON to a byte array.
public struct SyncJSONWriter {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 4096) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// `"key":`, after a comma unless it is the object's first member.
    public mutating func key(_ name: StaticString, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        raw(name)
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string(utf8: $0) }
    }

    /// A string from its UTF-8 bytes (a column of a row, without making a `String` of it).
    public mutating func string(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var start = 0
        for index in 0..<utf8.count {
            let byte = utf8[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            }
            start = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<utf8.count]))
        bytes.append(UInt8(ascii: "\""))
    }

    /// An id as the wire has it, lowercase, from its stored text (uppercase hex digits, dashes).
    public mutating func lowercaseID(utf8: UnsafeBufferPointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: utf8.count) { lower in
            for (index, byte) in utf8.enumerated() {
                lower[index] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            string(utf8: UnsafeBufferPointer(lower))
        }
    }

    public mutating func int<T: BinaryInteger>(_ value: T) {
        var magnitude = UInt64(value.magnitude)
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        if magnitude == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    public mutating func optionalString(_ name: StaticString, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
    }

    public mutating func array<T>(_ items: [T], _ write: (inout SyncJSONWriter, T) -> Void) {
        bytes.append(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            write(&self, item)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}

extension WireHotel {
    public func write(to json: inout SyncJSONWriter) {
        json.raw("{")
        json.key("hotelId", first: true); json.string(hotelId)
        json.key("name"); json.string(name)
        json.key("timeZone"); json.string(timeZone)
        json.key("currency"); json.string(currency)
        json.key("holdMinutes"); json.int(holdMinutes)
        json.key("noShowCutoffHour"); json.int(noShowCutoffHour)
        json.key("noShowFee"); json.string(noShowFee)
        json.raw("}")
    }
}

extension WireRoomType {
    public func write(to json: inout SyncJSONWriter) {
        json.raw("{")
        json.key("roomTypeId", first: true); json.string(roomTypeId)
        json.key("name"); json.string(name)
        json.key("capacity"); json.int(capacity)
        json.key("basePriceCents"); json.int(basePriceCents)
        json.raw("}")
    }
}

extension WireRoom {
    public func write(to json: inout SyncJSONWriter) {
        json.raw("{")
        json.key("roomId", first: true); json.string(roomId)
        json.key("roomNumber"); json.string(roomNumber)
        json.key("roomTypeId"); json.string(roomTypeId)
        json.key("isActive"); json.bool(isActive)
        json.raw("}")
    }
}

extension WireBooking {
    public func write(to json: inout SyncJSONWriter) {
        json.raw("{")
        json.key("bookingId", first: true); json.string(bookingId)
        json.key("hotelId"); json.string(hotelId)
        json.key("roomId"); json.string(roomId)
        json.key("roomNumber"); json.string(roomNumber)
        json.key("confirmation"); json.string(confirmation)
        json.key("status"); json.string(status)
        json.key("checkIn"); json.string(checkIn)
        json.key("checkOut"); json.string(checkOut)
        json.key("guests"); json.int(guests)
        json.key("guestName"); json.string(guestName)
        json.key("email"); json.string(email)
        json.optionalString("phone", phone)
        json.key("nightlyPrices")
        json.array(nightlyPrices) { json, price in
            json.raw("{\"night\":"); json.string(price.night)
            json.raw(",\"priceCents\":"); json.int(price.priceCents)
            json.raw("}")
        }
        json.key("claims")
        json.array(claims) { json, claim in
            json.raw("{\"night\":"); json.string(claim.night)
            json.raw(",\"roomId\":"); json.string(claim.roomId)
            json.raw("}")
        }
        json.key("version"); json.int(version)
        json.optionalString("holdExpiresAt", holdExpiresAt)
        json.optionalString("statusReason", statusReason)
        json.key("createdAt"); json.string(createdAt)
        json.key("updatedAt"); json.string(updatedAt)
        json.key("notes")
        json.array(notes) { json, note in
            json.raw("{\"at\":"); json.string(note.at)
            json.raw(",\"by\":"); json.string(note.by)
            json.raw(",\"text\":"); json.string(note.text)
            json.raw("}")
        }
        json.optionalString("checkedInOn", checkedInOn)
        json.optionalString("checkedOutOn", checkedOutOn)
        json.optionalString("roomSince", roomSince)
        json.raw("}")
    }
}

extension ReplicaPage {
    public func jsonBytes() -> [UInt8] {
        var json = SyncJSONWriter(capacity: 1024 + bookings.count * 900)
        json.raw("{")
        json.key("protocolVersion", first: true); json.int(protocolVersion)
        if let hotel { json.key("hotel"); hotel.write(to: &json) }
        if let roomTypes { json.key("roomTypes"); json.array(roomTypes) { $1.write(to: &$0) } }
        if let rooms { json.key("rooms"); json.array(rooms) { $1.write(to: &$0) } }
        json.key("bookings"); json.array(bookings) { $1.write(to: &$0) }
        json.key("cursor"); json.int(cursor)
        json.key("totalBookings"); json.int(totalBookings)
        json.optionalString("next", next)
        json.raw("}")
        return json.bytes
    }
}

extension ChangesPage {
    public func jsonBytes() -> [UInt8] {
        var json = SyncJSONWriter(capacity: 1024 + bookings.count * 900)
        json.raw("{")
        json.key("protocolVersion", first: true); json.int(protocolVersion)
        json.key("cursor"); json.int(cursor)
        json.key("more"); json.bool(more)
        json.key("bookings"); json.array(bookings) { $1.write(to: &$0) }
        if let hotel { json.key("hotel"); hotel.write(to: &json) }
        if let roomTypes { json.key("roomTypes"); json.array(roomTypes) { $1.write(to: &$0) } }
        if let rooms { json.key("rooms"); json.array(rooms) { $1.write(to: &$0) } }
        json.raw("}")
        return json.bytes
    }
}

extension SyncOutcome {
    public func write(to json: inout SyncJSONWriter) {
        json.raw("{")
        json.key("operationId", first: true); json.string(operationId)
        json.key("outcome"); json.string(outcome.rawValue)
        if let booking { json.key("booking"); booking.write(to: &json) }
        json.optionalString("code", code)
        json.optionalString("message", message)
        if let suggestedRooms {
            json.key("suggestedRooms")
            json.array(suggestedRooms) { json, room in
                json.raw("{\"roomId\":"); json.string(room.roomId)
                json.raw(",\"roomNumber\":"); json.string(room.roomNumber)
                json.raw(",\"roomType\":"); json.string(room.roomType)
                json.raw(",\"totalPriceCents\":"); json.int(room.totalPriceCents)
                json.raw("}")
            }
        }
        if let confirmationChanged { json.key("confirmationChanged"); json.bool(confirmationChanged) }
        if let recorded {
            json.key("recorded")
            json.array(recorded) { json, line in json.string(line) }
        }
        json.raw("}")
    }

    public func jsonBytes() -> [UInt8] {
        var json = SyncJSONWriter(capacity: 1200)
        write(to: &json)
        return json.bytes
    }
}

extension SyncPushResult {
    public func jsonBytes() -> [UInt8] {
        var json = SyncJSONWriter(capacity: 256 + results.count * 1000)
        json.raw("{")
        json.key("protocolVersion", first: true); json.int(protocolVersion)
        json.key("results"); json.array(results) { $1.write(to: &$0) }
        json.key("cursor"); json.int(cursor)
        json.raw("}")
        return json.bytes
    }
}
