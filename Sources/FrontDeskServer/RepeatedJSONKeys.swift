import Foundation

/// The first key given twice in one JSON object of a request's body, at any depth. `JSONDecoder`
/// keeps the first of two (`"guestName":"A","guestName":"B"` booked A), where a proxy or a web
/// application firewall in front of the server may read the last: the two would not agree on what
/// was asked, so such a body is refused (as a repeated query parameter is). Malformed JSON is left
/// to the decoder, which names what is wrong; this scan only looks for repeats.
enum RepeatedJSONKeys {
    static func first(in bytes: UnsafeRawBufferPointer) -> String? {
        var repeated: String?
        scanKeys(in: bytes) { key, depth, isNew in
            if !isNew { repeated = key }
            return isNew
        }
        return repeated
    }

    /// The keys of the body's outer object, as the decoder reads them: what a PATCH checks by
    /// name. (`JSONSerialization` refused bodies the decoder takes, a lone surrogate or `1e999`
    /// in a field the decoder never reads, and the check was skipped: a misspelled field ignored.)
    static func topLevelKeys(in bytes: UnsafeRawBufferPointer) -> [String] {
        var keys: [String] = []
        scanKeys(in: bytes) { key, depth, _ in
            if depth == 1 { keys.append(key) }
            return true
        }
        return keys
    }

    /// Calls `found` with each object key (unescaped), its object's depth (1: the outer one) and
    /// whether it is new in its object; a false answer stops the scan.
    private static func scanKeys(in bytes: UnsafeRawBufferPointer, _ found: (String, Int, Bool) -> Bool) {
        // One set of keys per open object; nil for an open array.
        var open: [Set<String>?] = []
        var expectingKey = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"):
                open.append([])
                expectingKey = true
            case UInt8(ascii: "["):
                open.append(nil)
                expectingKey = false
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !open.isEmpty { open.removeLast() }
                expectingKey = false
            case UInt8(ascii: ","):
                expectingKey = open.last.map { $0 != nil } ?? false
            case UInt8(ascii: ":"):
                expectingKey = false
            case UInt8(ascii: "\""):
                let start = index + 1
                var escaped = false
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        escaped = true
                        index += 1
                    }
                    index += 1
                }
                guard index <= bytes.count else { return }
                if expectingKey, let keys = open.last, keys != nil {
                    let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<min(index, bytes.count)])
                    // "guest\u004eame" is guestName to the decoder: compared as the decoder reads it.
                    let key = escaped ? unescaped(raw) : String(decoding: raw, as: UTF8.self)
                    if let key {
                        let isNew = open[open.count - 1]!.insert(key).inserted
                        if !found(key, open.count, isNew) { return }
                    }
                }
                expectingKey = false
            default:
                break
            }
            index += 1
        }
    }

    private static func unescaped(_ raw: UnsafeRawBufferPointer) -> String? {
        let quoted = Data([UInt8(ascii: "\"")] + Array(raw) + [UInt8(ascii: "\"")])
        return try? JSONSerialization.jsonObject(with: quoted, options: .fragmentsAllowed) as? String
    }
}
