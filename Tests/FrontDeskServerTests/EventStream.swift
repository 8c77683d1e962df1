import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A listener of the server's event stream over a plain socket: it reads what arrives and can
/// wait for a line, as a browser's EventSource would see it.
final class EventStream: @unchecked Sendable {
    private let socket: Int32
    private var received = ""

    init(port: Int, path: String, token: String, lastEventId: String? = nil) throws {
        socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HarnessError.setup("cannot connect to the event stream") }
        var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer \(token)\r\n"
        if let lastEventId { request += "Last-Event-ID: \(lastEventId)\r\n" }
        request += "\r\n"
        _ = request.withCString { send(socket, $0, strlen($0), 0) }
    }

    deinit { close(socket) }

    /// Everything read so far, after waiting until `predicate` holds or `seconds` pass.
    @discardableResult
    func wait(seconds: Double = 5, until predicate: (String) -> Bool) -> String {
        let deadline = Date().addingTimeInterval(seconds)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while !predicate(received) && Date() < deadline {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 {
                received += "\n[stream ended: recv \(count), errno \(errno), revents \(descriptor.revents)]"
                break
            }
            received += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return received
    }

    /// The `(id, event, data)` of every event read so far.
    var events: [(id: Int, name: String, data: String)] {
        // Swift reads "\r\n" (the chunk framing's line end) as one character: make every line end "\n".
        received.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n").compactMap { block in
            var id: Int?, name: String?, data: String?
            for line in block.split(separator: "\n") {
                if line.hasPrefix("id: ") { id = Int(line.dropFirst(4).trimmingCharacters(in: .whitespaces)) }
                if line.hasPrefix("event: ") { name = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data = String(line.dropFirst(6)) }
            }
            guard let id, let name, let data else { return nil }
            return (id, name, data)
        }
    }
}
