import Foundation
import FrontDeskTestSupport
import GRDB
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// What a review of the API's edges found (session 52): events missed by a listener that had seen
/// none, a rate limit that refused every token, a cut-off body called too large, a reused key named
/// by an id the client never sent, a 500 whose log line said only the error's type.
@Suite(.serialized) struct APIEdgesReviewTests {
    /// A new stream said only ": listening from event N": an EventSource reconnecting before any
    /// event came sent no Last-Event-ID and missed what happened between.
    @Test func aNewStreamSaysTheIdItListensFrom() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let first = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna)
        let opened = first.wait { $0.contains("id: ") }
        let id = try #require(opened.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n")
            .first { $0.hasPrefix("id: ") }.flatMap { Int($0.dropFirst(4)) }, "\(opened)")
        // Gone before any event; a booking meanwhile; back with the id it was given.
        let booked = try server.bookedInHotelA(token: anna)
        let again = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna, lastEventId: String(id))
        again.wait { $0.contains(booked) }
        #expect(again.events.contains { $0.data.contains(booked) }, "the booking made while away is replayed")
    }

    /// Below 0.5 a second the bucket never held a whole request: every token refused for good.
    @Test func aRateLimitBelowOneASecondStillLetsARequestThrough() throws {
        let server = try ServerHarness(serveArguments: ["--rate-limit", "0.4"])
        let anna = try server.token("anna")
        let first = try server.call("GET", "/api/hotels", token: anna)
        #expect(first.status == 200, "\(first.status)")
        let next = try server.call("GET", "/api/hotels", token: anna)
        #expect(next.status == 429 && next.header("Retry-After") == "3", "\(next.status) \(next.header("Retry-After") ?? "")")
    }

    /// A body cut off before its Content-Length was answered 413 "over 64 KiB".
    @Test func aBodyCutOffIsNotCalledTooLarge() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(connected == 0)
        let request = "POST /api/bookings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(anna)\r\n"
            + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":1"
        _ = request.withCString { send(socket, $0, strlen($0), 0) }
        shutdown(socket, Int32(SHUT_WR))
        var answer = [UInt8](), buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        let text = String(decoding: answer, as: UTF8.self)
        #expect(!text.contains(" 413 ") && !text.contains("64 KiB"), "\(text)")
    }

    /// The client sent `Idempotency-Key: k1`; the refusal named "Request id ec60adf9-…".
    @Test func aReusedKeyIsNamedAsTheClientSentIt() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let id = try server.bookedInHotelA(token: anna)
        let first = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "Late"], headers: ["Idempotency-Key": "k1"])
        #expect(first.status == 200)
        let reused = try server.call("PATCH", "/api/bookings/\(id)", token: anna, json: ["note": "Early"], headers: ["Idempotency-Key": "k1"])
        let detail = reused.json["detail"] as? String ?? ""
        #expect(reused.status == 409 && detail.hasPrefix("Idempotency-Key 'k1' was already used"), "\(reused.status) \(detail)")
        // A 401 names the scheme it takes (RFC 9110).
        let anonymous = try server.call("GET", "/api/bookings/\(id)")
        #expect(anonymous.status == 401 && anonymous.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
    }

    /// The SQLite file deleted (or a backup moved over it) while the server ran: `/ready` said
    /// ready and bookings were answered 202 into a file nobody could open again.
    @Test(arguments: ["deleted", "replaced"])
    func aDatabaseFileDeletedOrReplacedUnderTheServerTakesNoMoreBookings(_ how: String) throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        _ = try server.bookedInHotelA(token: anna)
        let room = try server.freeRoom(server.hotelA, token: anna)
        let copy = server.folder.appendingPathComponent("backup.sqlite").path
        try FileManager.default.copyItem(atPath: server.database, toPath: copy)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: server.database + suffix) }
        if how == "replaced" { try FileManager.default.moveItem(atPath: copy, toPath: server.database) }
        #expect(try server.call("GET", "/ready").status == 503)
        let refused = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room, name: "Lost Guest"))
        #expect(refused.status == 503 && refused.code == "database_unavailable", "\(how): \(refused.status) \(refused.code ?? "")")
        // The metrics still answer, and say the database is not there.
        let metrics = try server.call("GET", "/metrics")
        #expect(metrics.status == 200 && String(decoding: metrics.body, as: UTF8.self).contains("frontdesk_database_up 0"), "\(how)")
    }

    /// A damaged row answered 500 and logged only "FrontDeskStore.StoreError": the row and field
    /// the store names were lost to the operator who must mend it.
    @Test func anInternalErrorIsLoggedWithWhatWentWrong() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let id = try server.bookedInHotelA(token: anna)
        server.stop()
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        try DatabaseQueue(path: server.database, configuration: configuration).write { db in
            try db.execute(sql: "PRAGMA ignore_check_constraints = ON")
            try db.execute(sql: "UPDATE booking SET check_in = '2026-13-45' WHERE id = ?", arguments: [id.uppercased()])
            #expect(db.changesCount == 1)
        }
        let log = server.folder.appendingPathComponent("server.log")
        server.errorLog = log
        try server.start()
        let answer = try server.call("GET", "/api/bookings/\(id)", token: try server.token("anna"))
        #expect(answer.status == 500)
        let requestId = try #require(answer.header("X-Request-Id"))
        server.stop()
        let logged = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").filter { $0.contains(requestId) && $0.contains("unexpected error") }
        #expect(logged.count == 1 && logged[0].contains("check_in") && logged[0].contains("2026-13-45"), "\(logged)")
    }
}
