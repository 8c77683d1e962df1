/// A booking's body as the API's clients send it, read without `JSONDecoder`: one flat object of
/// the fields `NewBooking` has, plain ASCII strings, a small whole number of guests, the payment an
/// object of its own. `JSONDecoder`, with its generic `Codable` machinery, was 10 % of the
/// server's event loops under the booking load (perf, issue 11, session 36).
///
/// Anything else (an escape in a string, a letter outside ASCII, an unknown or repeated field, a
/// missing one, a number that is not a plain whole number, a null where a value is required) gives
/// nil and the body goes to `JSONDecoder` as before, which reads it or names what is wrong. So this
/// reader never answers differently from it: it only answers sooner (`PlainBookingBodyTests`
/// compares the two on thousands of bodies).
extension BookingRoutes.NewBooking {
    static func readPlain(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var reader = PlainJSONReader(bytes: bytes)
        var hotelId, roomId, checkIn, checkOut, guestName, email, phone: String?
        var phoneSeen = false
        var guests: Int?
        var payment: Payment?
        let complete = reader.readObject { reader, key in
            switch key {
            case "hotelId" where hotelId == nil: hotelId = reader.readString(); return hotelId != nil
            case "roomId" where roomId == nil: roomId = reader.readString(); return roomId != nil
            case "checkIn" where checkIn == nil: checkIn = reader.readString(); return checkIn != nil
            case "checkOut" where checkOut == nil: checkOut = reader.readString(); return checkOut != nil
            case "guestName" where guestName == nil: guestName = reader.readString(); return guestName != nil
            case "email" where email == nil: email = reader.readString(); return email != nil
            case "guests" where guests == nil: guests = reader.readWholeNumber(); return guests != nil
            case "phone" where !phoneSeen:
                phoneSeen = true
                return reader.readNullableString(into: &phone)
            case "payment" where payment == nil:
                payment = Payment.readPlain(&reader)
                return payment != nil
            default: return false
            }
        }
        guard complete, reader.atEnd, let hotelId, let roomId, let checkIn, let checkOut, let guests, let guestName,
              let email, let payment else { return nil }
        return Self(hotelId: hotelId, roomId: roomId, checkIn: checkIn, checkOut: checkOut, guests: guests,
                    guestName: guestName, email: email, phone: phone, payment: payment)
    }
}

extension BookingRoutes.NewBooking.Payment {
    fileprivate static func readPlain(_ reader: inout PlainJSONReader) -> Self? {
        var method, card: String?
        var cardSeen = false
        let complete = reader.readObject { reader, key in
            switch key {
            case "method" where method == nil: method = reader.readString(); return method != nil
            case "card" where !cardSeen:
                cardSeen = true
                return reader.readNullableString(into: &card)
            default: return false
            }
        }
        guard complete, let method else { return nil }
        return Self(method: method, card: card)
    }
}

/// The few JSON forms `readPlain` takes; every method returns nil (or false) for anything else.
private struct PlainJSONReader {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var atEnd: Bool {
        mutating get {
            skipSpace()
            return index == bytes.count
        }
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// `{"key": value, ...}`, each value read by `member` (false: not a form this reader takes).
    mutating func readObject(_ member: (inout PlainJSONReader, String) -> Bool) -> Bool {
        guard take(UInt8(ascii: "{")) else { return false }
        if take(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = readString(), take(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "}"))
    }

    /// A string of printable ASCII with no escape.
    mutating func readString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<(index - 1)]), as: UTF8.self)
            }
            guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    /// 0, or 1 to 9 digits with no leading zero, followed by no fraction or exponent.
    mutating func readWholeNumber() -> Int? {
        skipSpace()
        var value = 0
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            // Ten digits are already too many: stop before the value can overflow (19 digits
            // trapped and stopped the server for every hotel; the decoder's path says why).
            guard index - start < 9 else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let digits = index - start
        guard digits >= 1, digits <= 9, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) { return nil }
        return value
    }

    /// null (`value` nil) or a string as `readString` takes it; false for anything else.
    mutating func readNullableString(into value: inout String?) -> Bool {
        if readNull() { return true }
        value = readString()
        return value != nil
    }

    mutating func readNull() -> Bool {
        skipSpace()
        guard bytes.count - index >= 4, bytes[index] == UInt8(ascii: "n"), bytes[index + 1] == UInt8(ascii: "u"),
              bytes[index + 2] == UInt8(ascii: "l"), bytes[index + 3] == UInt8(ascii: "l") else { return false }
        index += 4
        return true
    }
}
