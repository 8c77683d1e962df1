/// One HTTP/1.x request as the payment simulator reads it: method, target, headers (names
/// lowercased) and the body that `Content-Length` announced.
public struct HTTPRequest: Equatable, Sendable {
    public let method: String
    public let target: String
    public let headers: [String: String]
    public let body: [UInt8]

    /// The target without its query (`/charges?x=1` -> `/charges`).
    public var path: String { String(target.prefix { $0 != "?" }) }
}

/// Reads a request from the bytes received so far: a pure function, so every malformed input can
/// be tested and fuzzed without a socket. The server calls it after every `recv` with everything
/// received on the connection; it answers `.incomplete` until the header section and the body are
/// in, `.invalid` as soon as the bytes cannot become a request it will serve.
public enum HTTPRequestParser {
    public struct Limits: Equatable, Sendable {
        /// Request line plus headers, without the blank line that ends them.
        public var maxHeaderBytes: Int
        public var maxBodyBytes: Int

        public init(maxHeaderBytes: Int = 16_384, maxBodyBytes: Int = 1 << 20) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxBodyBytes = maxBodyBytes
        }
    }

    public enum ParseError: Error, Equatable, Sendable {
        /// No blank line within `maxHeaderBytes`.
        case headersTooLarge(limit: Int)
        case malformedRequestLine
        case unsupportedVersion
        case malformedHeader
        /// Not a plain decimal number (negative, signed, empty, too many digits), or two different values.
        case invalidContentLength
        case bodyTooLarge(limit: Int)
        case transferEncodingNotSupported

        /// The HTTP status the simulator answers with before closing the connection.
        public var status: Int {
            switch self {
            case .headersTooLarge: 431
            case .unsupportedVersion: 505
            case .transferEncodingNotSupported: 501
            case .malformedRequestLine, .malformedHeader, .invalidContentLength, .bodyTooLarge: 400
            }
        }

        public var message: String {
            switch self {
            case .headersTooLarge(let limit): "The request's header section is larger than \(limit) bytes"
            case .malformedRequestLine: "The request line is not METHOD /path HTTP/1.1"
            case .unsupportedVersion: "Only HTTP/1.0 and HTTP/1.1 are served"
            case .malformedHeader: "A header line is not Name: value"
            case .invalidContentLength: "Content-Length must be one non-negative decimal number"
            case .bodyTooLarge(let limit): "Content-Length is larger than \(limit) bytes"
            case .transferEncodingNotSupported: "Transfer-Encoding is not supported; send Content-Length"
            }
        }
    }

    public enum Outcome: Equatable, Sendable {
        /// More bytes are needed (the header section or the body is not complete yet).
        case incomplete
        case complete(HTTPRequest)
        case invalid(ParseError)
    }

    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) -> Outcome {
        guard let headerEnd = headerEnd(in: bytes, searchingUpTo: limits.maxHeaderBytes) else {
            return bytes.count > limits.maxHeaderBytes + 3 ? .invalid(.headersTooLarge(limit: limits.maxHeaderBytes)) : .incomplete
        }
        let lines = split(bytes[0..<headerEnd])
        guard let requestLine = lines.first else { return .invalid(.malformedRequestLine) }
        let parts = requestLine.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].count <= 16, parts[0].allSatisfy(isToken),
              let first = parts[1].first, first == UInt8(ascii: "/"), parts[1].allSatisfy(isVisible) else {
            return .invalid(.malformedRequestLine)
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version.hasPrefix("HTTP/") else { return .invalid(.malformedRequestLine) }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else { return .invalid(.unsupportedVersion) }

        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                  line[line.startIndex..<colon].allSatisfy(isToken),
                  line[(colon + 1)...].allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
                return .invalid(.malformedHeader)
            }
            let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces()
            if name == "content-length", let earlier = headers[name], earlier != value { return .invalid(.invalidContentLength) }
            if name == "transfer-encoding" { return .invalid(.transferEncodingNotSupported) }
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
            if name == "content-length" { headers[name] = value }
        }

        var length = 0
        if let text = headers["content-length"] {
            // At most 18 digits, so the number fits an Int before it is compared with the limit.
            guard !text.isEmpty, text.utf8.count <= 18, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text) else {
                return .invalid(.invalidContentLength)
            }
            guard value <= limits.maxBodyBytes else { return .invalid(.bodyTooLarge(limit: limits.maxBodyBytes)) }
            length = value
        }
        let bodyStart = headerEnd + 4
        guard bytes.count - bodyStart >= length else { return .incomplete }
        return .complete(HTTPRequest(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
            headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)])))
    }

    /// The index of the CR LF CR LF that ends the header section, looked for within the first
    /// `limit` + 4 bytes only.
    static func headerEnd(in bytes: [UInt8], searchingUpTo limit: Int) -> Int? {
        let last = min(bytes.count, limit + 4) - 4
        guard last >= 0 else { return nil }
        return bytes.withUnsafeBufferPointer { buffer -> Int? in
            var index = 0
            while index <= last {
                if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 { return index }
                index += 1
            }
            return nil
        }
    }

    /// Lines separated by CR LF; a bare CR or LF inside a line makes that line fail the checks.
    static func split(_ head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = head.startIndex
        var index = head.startIndex
        while index < head.endIndex {
            if head[index] == 13, index + 1 < head.endIndex, head[index + 1] == 10 {
                lines.append(head[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        lines.append(head[start..<head.endIndex])
        return lines
    }

    /// RFC 9110 `tchar`.
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    static func isVisible(_ byte: UInt8) -> Bool { byte > 32 && byte < 127 }
}

extension String {
    /// Without leading and trailing spaces and tabs (header values' optional whitespace).
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(scalars[first...last])
    }
}
