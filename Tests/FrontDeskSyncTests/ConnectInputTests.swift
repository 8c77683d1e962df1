import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// `frontdesk desk connect` and a connected desk given bad input: each gets a clear message and
/// an exit code, and nothing is stored (no connection file, no replica).
@Suite("Connecting a desk: bad input", .serialized)
struct ConnectInputTests {
    func expectNothingStored(_ desk: Desk, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(!FileManager.default.fileExists(atPath: desk.connectionFile), "a connection file was written", sourceLocation: sourceLocation)
        let status = try desk.run("desk", "status", "--json")
        if status.status == 0 {
            #expect(try status.json["server"] is NSNull, "the desk is connected: \(status.stdout)", sourceLocation: sourceLocation)
        }
    }

    @Test("Wrong password: unauthorized, exit 8, a clear message, nothing stored")
    func wrongPassword() throws {
        let server = try SyncServer()
        let desk = try Desk("wrong-password")
        defer { desk.remove() }
        let outcome = try desk.connect(server, password: "not-the-password")
        #expect(outcome.status == 8)
        #expect(outcome.stderr.contains("wrong user name or password"), "stderr: \(outcome.stderr)")
        #expect(!outcome.stderr.contains("not-the-password"))
        try expectNothingStored(desk)
    }

    @Test("Nothing listening at the address: offline, exit 8")
    func unreachable() throws {
        let desk = try Desk("unreachable")
        defer { desk.remove() }
        let outcome = try desk.run("desk", "connect", "--server", "http://127.0.0.1:9", "--hotel", UUID().uuidString,
                                   "--username", "anna", "--password-stdin", "--json", input: "x\n")
        #expect(outcome.status == 8)
        #expect(try outcome.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "offline")
        #expect(outcome.stderr.contains("cannot be reached"), "stderr: \(outcome.stderr)")
        try expectNothingStored(desk)
    }

    @Test("A garbage address: validation_failed, exit 2, the address named")
    func garbageAddress() throws {
        let desk = try Desk("garbage")
        defer { desk.remove() }
        for address in ["not a url", "ftp://example.com", "http://"] {
            let outcome = try desk.run("desk", "connect", "--server", address, "--hotel", UUID().uuidString,
                                       "--username", "anna", "--password-stdin", input: "x\n")
            #expect(outcome.status == 2, "\(address): \(outcome.stderr)")
            #expect(outcome.stderr.contains("is not a server address"), "stderr: \(outcome.stderr)")
        }
        try expectNothingStored(desk)
    }

    @Test("An address with a password, a port out of range or a huge host: refused, exit 2, nothing echoed in full")
    func addressesNoDeskShouldKeep() throws {
        let desk = try Desk("address-kept")
        defer { desk.remove() }
        let huge = "http://" + String(repeating: "a", count: 100_000) + ":8080"
        for (address, says) in [("http://user:secret-pw@127.0.0.1:8080", "carries a user name or password"),
                                ("http://127.0.0.1:99999", "is not a server address"), (huge, "is not a server address")] {
            let outcome = try desk.run("desk", "connect", "--server", address, "--hotel", UUID().uuidString,
                                       "--username", "anna", "--password-stdin", input: "x\n")
            #expect(outcome.status == 2 && outcome.stderr.contains(says), "\(address.prefix(60)): \(outcome.stderr.prefix(300))")
            #expect(!outcome.stderr.contains("secret-pw") && outcome.stderr.count < 1000, "\(outcome.stderr.prefix(300))")
        }
        try expectNothingStored(desk)
    }

    @Test("A connection file that cannot be written: said in words, and no new replica left without its credential")
    func connectionFileCannotBeWritten() throws {
        let server = try SyncServer()
        var desk = try Desk("config-unwritable")
        defer { desk.remove() }
        let notAFolder = desk.folder.appendingPathComponent("config-is-a-file").path
        #expect(FileManager.default.createFile(atPath: notAFolder, contents: Data("x".utf8)))
        desk.environment["XDG_CONFIG_HOME"] = notAFolder
        let outcome = try desk.connect(server)
        #expect(outcome.status != 0 && outcome.stderr.contains("cannot write the connection file's folder"), "\(outcome.stderr)")
        #expect(!outcome.stderr.contains("Error Domain="), "\(outcome.stderr)")
        #expect(!FileManager.default.fileExists(atPath: desk.database), "a replica without a credential was left behind")
    }

    @Test("An address where no Front Desk server answers the protocol: bad_server, exit 8, the server named")
    func notAFrontDeskServer() throws {
        let server = try SyncServer()
        let desk = try Desk("not-frontdesk")
        defer { desk.remove() }
        let outcome = try desk.run("desk", "connect", "--server", server.url + "/elsewhere", "--hotel", server.hotelA,
                                   "--username", "anna", "--password-stdin", input: "password-of-anna\n")
        #expect(outcome.status == 8, "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains(server.url + "/elsewhere"), "stderr: \(outcome.stderr)")
        #expect(outcome.stderr.contains("Front Desk server"), "stderr: \(outcome.stderr)")
        try expectNothingStored(desk)
    }

    @Test("A hotel this user has not (another hotel's, or unknown): not_found, exit 3, nothing stored")
    func anotherHotel() throws {
        let server = try SyncServer()
        let desk = try Desk("other-hotel")
        defer { desk.remove() }
        for hotel in [server.hotelB, UUID().uuidString.lowercased()] {
            let outcome = try desk.connect(server, hotel: hotel)
            #expect(outcome.status == 3, "stderr: \(outcome.stderr)")
            #expect(outcome.stderr.contains("has no hotel \(hotel)"), "stderr: \(outcome.stderr)")
        }
        try expectNothingStored(desk)
    }

    @Test("The connection file: mode 0600, no password; disconnect forgets it and keeps the data")
    func connectionFile() throws {
        let server = try SyncServer()
        let desk = try Desk("file")
        defer { desk.remove() }
        let connected = try desk.connect(server)
        #expect(connected.status == 0, "connect: \(connected.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: desk.connectionFile)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let text = try String(contentsOfFile: desk.connectionFile, encoding: .utf8)
        #expect(!text.contains("password-of-anna"))
        let stored = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
        #expect(Set(stored.keys) == ["server", "hotelId", "username", "token", "expiresAt", "database"])
        #expect(stored["database"] as? String == desk.database)
        let before = try desk.bookings().count
        #expect(before > 0)
        // A damaged connection file is said as it is, in the JSON as in the text: not "online" alone.
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: desk.connectionFile))
        let damaged = try desk.run("desk", "status", "--json").json
        #expect((damaged["credentialProblem"] as? String)?.contains("is not a connection file") == true, "\(damaged)")
        #expect(damaged.keys.contains("lastError"))
        let damagedText = try desk.run("desk", "status").stdout
        #expect(damagedText.contains("(answering, but this desk cannot sync: see Credential)") && !damagedText.contains("(online)"),
                "\(damagedText)")
        try Data(text.utf8).write(to: URL(fileURLWithPath: desk.connectionFile))
        #expect(try desk.run("desk", "status", "--json").json["credentialProblem"] is NSNull)
        #expect(try desk.run("desk", "status").stdout.contains("(online)"))

        let disconnected = try desk.run("desk", "disconnect")
        #expect(disconnected.status == 0, "disconnect: \(disconnected.stderr)")
        #expect(!FileManager.default.fileExists(atPath: desk.connectionFile))
        let status = try desk.run("desk", "status", "--json").json
        #expect(status["server"] is NSNull)
        // A standalone desk again: its bookings stay, a booking is written here with no server.
        #expect(try desk.bookings().count == before)
        let (checkIn, checkOut) = futureStay(daysAhead: 90)
        let room = try #require((try desk.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]])?.first?["roomNumber"] as? String)
        let booked = try desk.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Standalone Again")
        #expect(booked.status == 0, "book: \(booked.stderr)")
        #expect(try booked.json["sync"] == nil)
    }

    @Test("Nothing to push and the server down: sync exits 8, so a script sees the replica was not refreshed")
    func pullFailsWithEmptyOutbox() throws {
        let server = try SyncServer()
        let desk = try Desk("pull-fails")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        let caughtUp = try desk.run("sync", "--json")
        #expect(caughtUp.status == 0, "sync: \(caughtUp.stderr)")
        server.stop()
        let failed = try desk.run("sync", "--json")
        #expect(failed.status == 8, "sync with the server down: \(failed.status) \(failed.stderr)")
        #expect(try failed.json["pending"] as? Int == 0)
        #expect(try (failed.json["failure"] as? [String: Any])?["code"] as? String == "offline")
        #expect(failed.stderr.contains("the pull did not finish"), "stderr: \(failed.stderr)")
        // Another program on the server's port (a web server answering 404) is not the server.
        let other = try NotTheServer(port: server.port)
        defer { other.stop() }
        let status = try desk.run("desk", "status", "--json")
        #expect(other.answered > 0, "desk status did not ask the stand-in")
        #expect(try status.json["online"] as? Bool == false, "a web server's 404 is not the booking server: \(status.stdout)")
    }

    /// A web server that is not the booking server: every request on 127.0.0.1:`port` is 404.
    final class NotTheServer: @unchecked Sendable {
        private let listener: Int32
        private let lock = NSLock()
        private var count = 0
        var answered: Int { lock.withLock { count } }

        init(port: Int) throws {
            listener = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var yes: Int32 = 1
            setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
            var address = CuttingProxy.loopback(port: UInt16(port))
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0, listen(listener, 16) == 0 else {
                close(listener)
                throw SyncTestError.setup("the stand-in cannot listen on \(port): errno \(errno)")
            }
            Thread.detachNewThread { [self] in
                while true {
                    let client = accept(listener, nil, nil)
                    if client < 0 { if errno == EINTR { continue } else { return } }
                    var buffer = [UInt8](repeating: 0, count: 4096)
                    _ = read(client, &buffer, buffer.count)
                    let answer = Array("HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\nContent-Length: 9\r\nConnection: close\r\n\r\nNot found".utf8)
                    _ = write(client, answer, answer.count)
                    lock.withLock { count += 1 }
                    close(client)
                }
            }
        }

        func stop() {
            shutdown(listener, Int32(SHUT_RDWR))
            close(listener)
        }
    }

    @Test("An expired or missing credential: the write is kept and queued, sync says to connect again (exit 8)")
    func expiredCredential() throws {
        let server = try SyncServer()
        let desk = try Desk("expired")
        defer { desk.remove() }
        #expect(try desk.connect(server).status == 0)
        // The token's expiry passed (the file edited as time would).
        var stored = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: desk.connectionFile))) as? [String: Any] ?? [:]
        stored["expiresAt"] = "2020-01-01T00:00:00Z"
        try JSONSerialization.data(withJSONObject: stored).write(to: URL(fileURLWithPath: desk.connectionFile))
        let (checkIn, checkOut) = futureStay(daysAhead: 70)
        let room = try #require((try desk.run("search", "--check-in", checkIn, "--check-out", checkOut, "--json").json["rooms"] as? [[String: Any]])?.first?["roomNumber"] as? String)
        let booked = try desk.book(room: room, checkIn: checkIn, checkOut: checkOut, guest: "Kept Queued")
        #expect(booked.status == 0, "book: \(booked.stderr)")
        #expect(try booked.json["sync"] as? String == "pending")
        // Paid at the desk, it is final now, as online: a hold left Reserving lapsed in 15 minutes
        // while its `book` waited, and the room was sold again on this desk.
        #expect(try booked.json["status"] as? String == "Confirmed", "\(booked.stdout)")
        #expect(booked.stderr.contains("desk connect"), "stderr: \(booked.stderr)")
        let synced = try desk.run("sync", "--json")
        #expect(synced.status == 8)
        #expect(synced.stderr.contains("run `frontdesk desk connect` again"), "stderr: \(synced.stderr)")
        // Connecting again keeps the outbox; the next sync pushes it.
        #expect(try desk.connect(server).status == 0)
        let again = try desk.run("sync", "--json")
        #expect(again.status == 0, "sync: \(again.stderr)")
        #expect(try again.json["accepted"] as? Int == 1)
        #expect(try server.bookingsOfA().contains { $0["guestName"] as? String == "Kept Queued" })
    }
}
