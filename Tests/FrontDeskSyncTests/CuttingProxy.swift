import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy on 127.0.0.1 in front of the server, on threads of its own, that cuts a chosen
/// push (`POST /api/hotels/{id}/sync`) in the middle of its answer: the server has applied the
/// push, the desk gets a broken answer. The cut answer is held until the server has sent all of
/// it, then only a part is forwarded (none, the headers, the headers and half the body, all but
/// the last byte) and both connections are closed (FIN, or RST with `reset`). Everything else
/// passes through untouched.
final class CuttingProxy: @unchecked Sendable {
    enum Cut: String, CaseIterable {
        case beforeResponse = "nothing of the answer"
        case afterHeaders = "the headers only"
        case halfBody = "the headers and half the body"
        case allButLastByte = "all but the last byte"
    }

    struct Plan {
        var cut: Cut
        var reset: Bool
        /// Pushes to let through before the one cut.
        var skip: Int
    }

    let port: Int
    private let upstreamPort: Int
    private let listener: Int32
    private let lock = NSLock()
    private var plan: Plan?
    private var cutsMade = 0
    private var pushesSeen = 0
    private var stopped = false
    /// Also counts a card booking (`POST /api/bookings`) as a request whose answer may be cut.
    var cutsBookings = false

    var url: String { "http://127.0.0.1:\(port)" }

    init(to upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw SyncTestError.setup("the proxy cannot listen: errno \(errno)") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    deinit { stop() }

    /// Cuts the answer of the push after `skip` more pushes.
    func arm(_ cut: Cut, reset: Bool, skip: Int = 0) {
        lock.withLock { plan = Plan(cut: cut, reset: reset, skip: skip) }
    }

    func disarm() { lock.withLock { plan = nil } }

    /// How many answers were cut so far.
    var cuts: Int { lock.withLock { cutsMade } }

    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private func acceptLoop() {
        while true {
            let client = accept(listener, nil, nil)
            if client < 0 {
                if lock.withLock({ stopped }) || errno == EBADF || errno == EINVAL { return }
                continue
            }
            Thread.detachNewThread { [self] in relay(client) }
        }
    }

    /// The plan for a push just seen, if this is the one to cut.
    private func planForPush() -> Plan? {
        lock.withLock {
            pushesSeen += 1
            guard var current = plan else { return nil }
            if current.skip > 0 {
                current.skip -= 1
                plan = current
                return nil
            }
            plan = nil
            return current
        }
    }

    private func relay(_ client: Int32) {
        let upstream = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer {
            close(client)
            close(upstream)
        }
        var address = Self.loopback(port: UInt16(upstreamPort))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(upstream, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return }
        var cutting: Plan?
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var fds = [pollfd(fd: client, events: Int16(POLLIN), revents: 0), pollfd(fd: upstream, events: Int16(POLLIN), revents: 0)]
        while true {
            fds[0].revents = 0
            fds[1].revents = 0
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[0].revents != 0 {
                let count = read(client, &buffer, buffer.count)
                if count <= 0 { return }
                let chunk = Array(buffer[0..<count])
                if Self.isPush(chunk) || (cutsBookings && Self.isBooking(chunk)), let plan = planForPush() {
                    cutting = plan
                    answer = []
                }
                guard Self.send(upstream, chunk[...]) else { return }
            }
            if fds[1].revents != 0 {
                let count = read(upstream, &buffer, buffer.count)
                if count <= 0 { return }
                let chunk = buffer[0..<count]
                guard let plan = cutting else {
                    guard Self.send(client, chunk) else { return }
                    continue
                }
                answer += chunk
                guard let (headerEnd, total) = Self.completeAnswer(answer) else { continue }
                let keep = switch plan.cut {
                case .beforeResponse: 0
                case .afterHeaders: headerEnd
                case .halfBody: headerEnd + (total - headerEnd) / 2
                case .allButLastByte: total - 1
                }
                _ = Self.send(client, answer[0..<keep])
                if plan.reset {
                    var option = linger(l_onoff: 1, l_linger: 0)
                    setsockopt(client, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
                }
                lock.withLock { cutsMade += 1 }
                return
            }
        }
    }

    /// A chunk that starts a sync push request.
    private static func isPush(_ chunk: [UInt8]) -> Bool {
        guard let end = chunk.firstIndex(of: 0x0D) else { return false }
        let line = String(decoding: chunk[0..<end], as: UTF8.self)
        return line.hasPrefix("POST /api/hotels/") && line.contains("/sync ")
    }

    /// A chunk that starts a `POST /api/bookings` request.
    private static func isBooking(_ chunk: [UInt8]) -> Bool {
        guard let end = chunk.firstIndex(of: 0x0D) else { return false }
        return String(decoding: chunk[0..<end], as: UTF8.self).hasPrefix("POST /api/bookings ")
    }

    /// The length of the headers and of the whole answer, once all of it is in `bytes`.
    private static func completeAnswer(_ bytes: [UInt8]) -> (headerEnd: Int, total: Int)? {
        let separator: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A]
        guard bytes.count >= 4, let start = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let headerEnd = start + 4
        let headers = String(decoding: bytes[0..<start], as: UTF8.self).lowercased()
        if let line = headers.split(separator: "\r\n").first(where: { $0.hasPrefix("content-length:") }),
           let length = Int(line.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) {
            return bytes.count >= headerEnd + length ? (headerEnd, headerEnd + length) : nil
        }
        // Chunked: complete at the last chunk.
        let last: [UInt8] = Array("0\r\n\r\n".utf8)
        if bytes.count >= headerEnd + last.count, Array(bytes.suffix(last.count)) == last { return (headerEnd, bytes.count) }
        return nil
    }

    private static func send(_ socket: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0 && errno == EINTR { continue }
            if sent <= 0 { return false }
            offset += sent
        }
        return true
    }
}
