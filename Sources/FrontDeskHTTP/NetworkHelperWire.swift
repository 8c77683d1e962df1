import Foundation

/// The pipe protocol between a program and its network helper (`frontdesk-net`): one frame per
/// request and per answer. A frame is a line, `BODY_BYTES JSON`, and then exactly BODY_BYTES raw
/// bytes of body. The JSON carries everything but the body: a replica page of a few megabytes then
/// crosses the pipe as it came, not as base64 text inside JSON (which cost the desk and the helper
/// seconds of a first replica). Requests carry an id; answers come back with it, in any order, so
/// slow calls do not hold up fast ones.
public enum NetworkHelperWire {
    public struct Request: Codable, Sendable {
        public var id: Int
        public var call: HTTPCall
        public init(id: Int, call: HTTPCall) {
            self.id = id
            self.call = call
        }
    }

    public struct Answer: Codable, Sendable {
        public var id: Int
        public var status: Int?
        public var headers: [String: String]?
        public var body: Data?
        public var failure: HTTPFailure?

        public init(id: Int, result: HTTPCallResult) {
            self.id = id
            switch result {
            case .answered(let status, let headers, let body):
                self.status = status
                self.headers = headers
                self.body = body
            case .failed(let failure):
                self.failure = failure
            }
        }

        public var result: HTTPCallResult {
            if let status { return .answered(status: status, headers: headers ?? [:], body: body ?? Data()) }
            return .failed(failure ?? HTTPFailure(kind: .other, message: "the network helper gave an empty answer"))
        }
    }

    /// One frame: the request without its body as JSON, the body after it.
    public static func frame(_ request: Request) throws -> Data {
        var header = request
        header.call.body = nil
        return try frame(header, body: request.call.body)
    }

    public static func frame(_ answer: Answer) throws -> Data {
        var header = answer
        header.body = nil
        return try frame(header, body: answer.body)
    }

    /// JSONEncoder writes no newline inside (no pretty printing).
    static func frame<T: Encodable>(_ header: T, body: Data?) throws -> Data {
        let json = try JSONEncoder().encode(header)
        let size = body?.count ?? 0
        var data = Data(capacity: json.count + size + 24)
        data.append(contentsOf: "\(size) ".utf8)
        data.append(json)
        data.append(0x0A)
        if let body { data.append(body) }
        return data
    }

    public static func request(header: Data, body: Data) throws -> Request {
        var request = try JSONDecoder().decode(Request.self, from: header)
        request.call.body = request.call.body ?? (body.isEmpty ? nil : body)
        return request
    }

    public static func answer(header: Data, body: Data) throws -> Answer {
        var answer = try JSONDecoder().decode(Answer.self, from: header)
        if answer.status != nil { answer.body = answer.body ?? body }
        return answer
    }
}

/// Blocking pipe reads and writes that survive EINTR and short writes.
public enum PipeIO {
    /// False when the other end is gone (EPIPE) or the descriptor is bad.
    public static func writeAll(_ data: Data, to fd: Int32) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Calls `each` with every frame's header (its JSON) and body until end of file or a read
    /// error; a frame whose line does not start with its body's size ends the reading.
    public static func readFrames(from fd: Int32, each: (_ header: Data, _ body: Data) -> Void) {
        var buffer = [UInt8]()
        var start = 0     // the first byte of buffer not yet handed out
        var scanned = 0   // bytes from `start` on known to hold no newline
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        func fill() -> Bool {
            while true {
                let count = read(fd, &chunk, chunk.count)
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return false }
                if start > 0 {
                    buffer.removeSubrange(0..<start)
                    start = 0
                }
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
        }
        while true {
            guard let newline = buffer[(start + scanned)...].firstIndex(of: 0x0A) else {
                scanned = buffer.count - start
                guard fill() else { return }
                continue
            }
            let line = buffer[start..<newline]
            scanned = 0
            guard let space = line.firstIndex(of: UInt8(ascii: " ")),
                  let size = Int(String(decoding: line[line.startIndex..<space], as: UTF8.self)), size >= 0 else { return }
            let header = Data(line[(space + 1)...])
            start = newline + 1
            var body = Data(count: size)
            var filled = min(size, buffer.count - start)
            body.withUnsafeMutableBytes { raw in
                buffer.withUnsafeBytes { source in
                    raw.baseAddress!.copyMemory(from: source.baseAddress! + start, byteCount: filled)
                }
            }
            start += filled
            if start == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                start = 0
            }
            // The rest of a big body straight into place, not through the buffer.
            while filled < size {
                let count = body.withUnsafeMutableBytes { raw in read(fd, raw.baseAddress! + filled, size - filled) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { return }
                filled += count
            }
            each(header, body)
        }
    }
}
