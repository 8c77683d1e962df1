import Foundation

/// The pipe protocol between a program and its network helper (`frontdesk-net`): one JSON object
/// per line each way. Requests carry an id; answers come back with it, in any order, so slow calls
/// do not hold up fast ones.
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

    /// One encoded line, newline included. JSONEncoder writes no newline inside (no pretty printing).
    public static func line<T: Encodable>(_ value: T) throws -> Data {
        var data = try JSONEncoder().encode(value)
        data.append(0x0A)
        return data
    }

    /// Splits complete lines off the front of `buffer`, leaving a partial last line in it.
    public static func takeLines(from buffer: inout Data) -> [Data] {
        var lines: [Data] = []
        while let newline = buffer.firstIndex(of: 0x0A) {
            lines.append(buffer[buffer.startIndex..<newline])
            buffer = Data(buffer[(newline + 1)...])
        }
        return lines
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

    /// Calls `each` with every complete line until end of file or a read error.
    public static func readLines(from fd: Int32, each: (Data) -> Void) {
        var buffer = Data()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            buffer.append(contentsOf: chunk[0..<count])
            for line in NetworkHelperWire.takeLines(from: &buffer) { each(line) }
        }
    }
}
