import Foundation
import FrontDeskTestSupport
import Testing

/// The real server on PostgreSQL (issue 13): `serve --database URL` against a throwaway cluster,
/// over HTTP on 127.0.0.1.
@Suite(.serialized) struct PostgresServerTests {
    static let stay = (checkIn: Ahead.night(0), checkOut: Ahead.night(2))

    func availability(_ server: ServerHarness, _ hotel: String, token: String) throws -> ServerHarness.Answer {
        try server.call("GET", "/api/rooms/availability?hotelId=\(hotel)&checkIn=\(Self.stay.checkIn)&checkOut=\(Self.stay.checkOut)&guests=1",
                        token: token)
    }

    func offeredRooms(_ server: ServerHarness, _ hotel: String, token: String) throws -> [String] {
        (try availability(server, hotel, token: token).json["rooms"] as? [[String: Any]] ?? []).compactMap { $0["roomId"] as? String }
    }

    /// An instance left serving while `migrate` took the database to a newer schema than its own
    /// is no longer ready (503), so a load balancer stops sending it requests it would answer
    /// from where the old schema kept things.
    @Test func anInstanceIsNotReadyOnceTheSchemaIsNewerThanItsOwn() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.makeDatabase()
        let server = try ServerHarness(postgres: url)
        #expect(try server.call("GET", "/ready").status == 200)
        let name = String(url.split(separator: "/").last!)
        let newest = try #require(Int(try cluster.value("SELECT max(version) FROM schema_migrations", database: name)))
        try cluster.psql("INSERT INTO schema_migrations (version, name) VALUES (\(newest + 1), 'from the future')", database: name)
        let answer = try server.call("GET", "/ready")
        #expect(answer.status == 503 && answer.code == "database_unavailable")
    }

    /// `migrate` does not upgrade a schema under instances that are serving it (an instance of the
    /// older program would go on reading where the new schema no longer writes): it says so and
    /// changes nothing. Once the instance is stopped, it upgrades.
    @Test func migrateRefusesToUpgradeASchemaThatInstancesAreServing() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.makeDatabase()
        let server = try ServerHarness(postgres: url)
        let name = String(url.split(separator: "/").last!)
        let newest = try #require(Int(try cluster.value("SELECT max(version) FROM schema_migrations", database: name)))
        // As if the database were one version behind this program (the newest step's objects stay).
        try cluster.psql("DELETE FROM schema_migrations WHERE version = \(newest)", database: name)
        let refused = try ServerHarness.run(["migrate"], database: url)
        #expect(refused.status == 1)
        #expect(refused.output.contains("1 frontdesk-server instance is serving") && refused.output.contains("nothing was changed"),
                "\(refused.output)")
        #expect(try cluster.value("SELECT max(version) FROM schema_migrations", database: name) == "\(newest - 1)")
        _ = server.stop()
        for _ in 0..<100 {
            if try cluster.value("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'frontdesk-server %'",
                                 database: name) == "0" { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        // Stopped: migrate goes on (here it meets the newest step's objects, which a real older schema lacks).
        let afterStop = try ServerHarness.run(["migrate"], database: url)
        #expect(!afterStop.output.contains("serving"), "\(afterStop.output)")
    }

    @Test func itAnswersLoginSearchAndABookingAndIsReady() throws {
        let server = try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase())
        #expect(try server.call("GET", "/ready").status == 200)
        let anna = try server.token("anna")
        let rooms = try offeredRooms(server, server.hotelA, token: anna)
        #expect(rooms.count == 6)
        let room = try #require(rooms.first)

        let booked = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room),
                                     headers: ["Idempotency-Key": "pg-1"])
        #expect(booked.status == 202, "\(String(decoding: booked.body, as: UTF8.self))")
        let id = try #require(booked.json["bookingId"] as? String)
        #expect(try server.call("GET", "/api/bookings/\(id)", token: anna).json["roomId"] as? String == room)
        let listed = try server.call("GET", "/api/bookings?hotelId=\(server.hotelA)", token: anna).json["bookings"] as? [[String: Any]] ?? []
        #expect(listed.map { $0["bookingId"] as? String } == [id])
        // Held: no longer offered, and a second claim of its nights is refused by the database.
        #expect(try !offeredRooms(server, server.hotelA, token: anna).contains(room))
        var other = server.bookingBody(server.hotelA, room: room)
        other["guestName"] = "Somebody Else"
        let taken = try server.call("POST", "/api/bookings", token: anna, json: other)
        #expect(taken.status == 409 && taken.code == "room_unavailable")
        // The same key again: the same booking.
        let replay = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: room),
                                     headers: ["Idempotency-Key": "pg-1"])
        #expect(replay.json["bookingId"] as? String == id)
        // Another hotel's receptionist sees none of it.
        #expect(try server.call("GET", "/api/bookings/\(id)", token: try server.token("bea")).status == 404)
        // The saga runner on PostgreSQL takes the desk payment.
        #expect(try server.settled(id, token: anna)["status"] as? String == "Confirmed")
    }

    /// On PostgreSQL too (schema v13), enabling a disabled user again does not bring back the
    /// tokens the disable ended; a fresh sign-in works.
    @Test func hotelsConfigureChangesAHotelsSettingsOnPostgreSQL() throws {
        let url = try PostgresCluster.shared().makeDatabase()
        try ServerCommandTests.configureAHotelAndSeeItInTheReplica(try ServerHarness(postgres: url))
    }

    @Test func enablingAUserAgainDoesNotBringBackItsOldTokens() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.makeDatabase()
        let server = try ServerHarness(postgres: url, serveArguments: ["--account-recheck", "0"])
        let old = try server.token("anna")
        #expect(try server.call("GET", "/api/hotels", token: old).status == 200)
        #expect(try ServerHarness.run(["users", "disable", "anna"], database: url).status == 0)
        #expect(try ServerHarness.run(["users", "enable", "anna"], database: url).status == 0)
        let refused = try server.call("GET", "/api/hotels", token: old)
        #expect(refused.status == 401 && (refused.json["detail"] as? String)?.contains("disabled") == true, "\(refused.json)")
        #expect(try server.call("GET", "/api/hotels", token: try server.token("anna")).status == 200)
    }

    /// PostgreSQL stopped under a running server: readiness and every request that needs the
    /// database answer 503 `database_unavailable` at once; started again, the same server process
    /// answers 200 again by itself.
    @Test func aDatabaseThatGoesAwayIs503AndTheServerRecoversWithoutARestart() throws {
        let cluster = try PostgresCluster.dedicated()
        let server = try ServerHarness(postgres: try cluster.makeDatabase(), serveArguments: ["--account-recheck", "3600"])
        let anna = try server.token("anna")
        #expect(try availability(server, server.hotelA, token: anna).status == 200)

        try cluster.stop()
        let started = Date()
        let ready = try server.call("GET", "/ready")
        #expect(ready.status == 503)
        #expect(ready.header("Content-Type") == "application/problem+json")
        #expect(ready.code == "database_unavailable")
        #expect(ready.header("Retry-After") != nil)
        // A kept answer too: whether it is still current is a question to the database.
        let search = try availability(server, server.hotelA, token: anna)
        #expect(search.status == 503 && search.code == "database_unavailable", "\(String(decoding: search.body, as: UTF8.self))")
        #expect(search.header("Retry-After") != nil)
        let booking = try server.call("POST", "/api/bookings", token: anna,
                                      json: server.bookingBody(server.hotelA, room: UUID().uuidString.lowercased()))
        #expect(booking.status == 503 && booking.code == "database_unavailable")
        let login = try server.call("POST", "/api/auth/token", json: ["username": "bea", "password": "password-of-bea"])
        #expect(login.status == 503 && login.code == "database_unavailable")
        #expect(Date().timeIntervalSince(started) < 5, "the 503 answers took \(Date().timeIntervalSince(started)) s")

        try cluster.start()
        var recovered = false
        for _ in 0..<100 where !recovered {
            recovered = try server.call("GET", "/ready").status == 200
            if !recovered { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(recovered, "not ready 10 s after PostgreSQL came back")
        #expect(server.process.isRunning)
        let rooms = try offeredRooms(server, server.hotelA, token: anna)
        #expect(rooms.count == 6)
        let booked = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: try #require(rooms.first)))
        #expect(booked.status == 202)
        #expect(try server.token("bea").isEmpty == false)
    }

    /// While PostgreSQL was down, the saga runner logged its failure about every 1.1 s for as long
    /// as it was away (session 60). Now: the first failure, then at most a line a minute
    /// (`RepeatedProblemLogTests`), and one line when the database answers again.
    @Test func theSagaRunnerSaysAnOutageOnceAndItsEnd() throws {
        let cluster = try PostgresCluster.dedicated()
        let server = try ServerHarness(postgres: try cluster.makeDatabase(), rooms: 0)
        let log = server.folder.appendingPathComponent("server.log")
        server.stop()
        server.errorLog = log
        try server.start()
        func sagaRunnerLines() -> [String] {
            ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).filter { $0.contains("saga runner") }
        }
        try cluster.stop()
        // Long enough for the runner's loop to fail four times or more (once every 1.1 s).
        Thread.sleep(forTimeInterval: 5)
        let during = sagaRunnerLines()
        #expect(during.count == 1, "\(during)")
        // The other loops too: the instance census once (it said each failure, every 3 s), and no
        // "shared again" while the database is still away (a flush with nothing to send said it).
        let others = ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        #expect(others.filter { $0.contains("counting the server instances failed") }.count <= 1, "\(others)")
        #expect(!others.contains { $0.contains("token request counts shared again") }, "\(others)")
        #expect(during.first?.contains(" error frontdesk-server: saga runner problem=") == true, "\(during)")
        try cluster.start()
        var back: [String] = []
        for _ in 0..<100 where back.isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
            back = sagaRunnerLines().filter { $0.contains("saga runner: the database answers again") }
        }
        #expect(back.count == 1 && back[0].contains(" info ") && back[0].contains("failures="), "\(sagaRunnerLines())")
        #expect(sagaRunnerLines().count == 2, "\(sagaRunnerLines())")
    }

    /// A listener open through a PostgreSQL outage stays open (its account checked against the
    /// database every 0.2 s here, failing meanwhile) and hears what comes after it: a reconnect
    /// would meet a 503, which a browser's EventSource takes as the end.
    @Test func anEventStreamOutlivesADatabaseOutage() throws {
        let cluster = try PostgresCluster.dedicated()
        let server = try ServerHarness(postgres: try cluster.makeDatabase(), serveArguments: ["--account-recheck", "0.2"])
        let anna = try server.token("anna")
        let stream = try EventStream(port: server.port, path: "/api/hotels/\(server.hotelA)/events", token: anna)
        stream.wait { $0.contains(": listening") }
        try cluster.stop()
        // Long enough for the stream to ask the database several times, and fail.
        let during = stream.wait(seconds: 1.5) { $0.contains("[stream ended") }
        #expect(!during.contains("[stream ended"), "the stream ended while the database was away: \(during)")
        try cluster.start()
        var recovered = false
        for _ in 0..<100 where !recovered {
            recovered = try server.call("GET", "/ready").status == 200
            if !recovered { Thread.sleep(forTimeInterval: 0.1) }
        }
        let rooms = try offeredRooms(server, server.hotelA, token: anna)
        let booked = try server.call("POST", "/api/bookings", token: anna, json: server.bookingBody(server.hotelA, room: try #require(rooms.first)))
        #expect(booked.status == 202)
        let heard = stream.wait(seconds: 10) { $0.contains("event: BookingConfirmed") || $0.contains("[stream ended") }
        #expect(heard.contains("event: BookingConfirmed") && !heard.contains("[stream ended"), "\(heard)")
    }

    /// A schema newer than the program is refused at start, and so is one not migrated yet; each
    /// says what to do and exits non-zero before listening.
    @Test func aNewerOrMissingSchemaIsRefusedAtStart() throws {
        let cluster = try PostgresCluster.shared()
        let fresh = try cluster.makeDatabase()
        let unmigrated = try Self.serve(fresh)
        #expect(unmigrated.status != 0)
        #expect(unmigrated.output.contains("frontdesk-server migrate --database"), "\(unmigrated.output)")
        #expect(!unmigrated.output.contains("listening on"))

        #expect(try ServerHarness.run(["migrate"], database: fresh).status == 0)
        let name = try #require(fresh.split(separator: "/").last.map(String.init))
        try cluster.psql("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')", database: name)
        let newer = try Self.serve(fresh)
        #expect(newer.status != 0)
        #expect(newer.output.contains("schema version 9999") && newer.output.contains("newer"), "\(newer.output)")
        #expect(!newer.output.contains("listening on"))
        // The pool size is checked too.
        let pool = try Self.serve(fresh, ["--pool-size", "0"])
        #expect(pool.status != 0 && pool.output.contains("--pool-size"))
    }

    /// A URL without a password, for a user the database asks one of, was refused with
    /// `authMechanismRequiresPassword` (postgres-nio's name for it), and a database that takes
    /// only encrypted connections from here with pg_hba.conf's words alone (session 60). Each
    /// now says what to do, and no refusal shows the password.
    @Test func aConnectionRefusedForItsPasswordOrItsEncryptionSaysWhatToDo() throws {
        let cluster = try PostgresCluster.dedicated()
        try cluster.psql("CREATE ROLE clerk LOGIN PASSWORD 'secret-of-clerk'")
        try cluster.psql("CREATE ROLE courier LOGIN")
        try cluster.psql("CREATE DATABASE desk OWNER clerk")
        try cluster.prependToHostBasedAuthentication(["host all clerk 127.0.0.1/32 scram-sha-256",
                                                      "hostnossl all courier 127.0.0.1/32 reject"])
        let address = "127.0.0.1:\(cluster.port)/desk"

        let noPassword = try Self.serve("postgres://clerk@\(address)")
        #expect(noPassword.status == 1, "\(noPassword.output)")
        #expect(noPassword.output.contains("error: cannot connect to the database postgres://clerk@\(address): the database asks for a "
                                           + "password: put it in the URL, postgres://USER:PASSWORD@HOST:PORT/DB"), "\(noPassword.output)")
        #expect(!noPassword.output.contains("authMechanism") && !noPassword.output.contains("listening on"), "\(noPassword.output)")

        let wrong = try ServerHarness.run(["migrate", "--database", "postgres://clerk:not-the-password@\(address)"])
        #expect(wrong.status == 1 && wrong.output.contains("password authentication failed"), "\(wrong.output)")
        #expect(!wrong.output.contains("not-the-password"), "\(wrong.output)")
        // With its password the user gets in, and meets an empty database.
        let right = try ServerHarness.run(["hotels", "list", "--database", "postgres://clerk:secret-of-clerk@\(address)"])
        #expect(right.output.contains("postgres://clerk:•••@\(address) has no Front Desk schema yet"), "\(right.output)")
        #expect(!right.output.contains("secret-of-clerk"), "\(right.output)")

        let unencrypted = try ServerHarness.run(["hotels", "list", "--database", "postgres://courier@\(address)"])
        #expect(unencrypted.status == 1 && unencrypted.output.contains("no encryption")
                && unencrypted.output.contains("Front Desk connects without TLS"), "\(unencrypted.output)")
    }

    /// `serve` on `url` expected to end by itself: its status and everything it printed. A server
    /// that starts listening instead is stopped after 20 s (and the test fails on its status).
    static func serve(_ url: String, _ more: [String] = []) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = ServerHarness.productsFolder().appendingPathComponent("frontdesk-server")
        process.arguments = ["serve", "--database", url, "--dev", "--port", "0"] + more
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        try process.run()
        if ended.wait(timeout: .now() + 20) == .timedOut {
            process.terminate()
            ended.wait()
            return (0, "still running after 20 s: " + String(decoding: output.fileHandleForReading.availableData, as: UTF8.self))
        }
        return (process.terminationStatus, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    /// Two server processes on one PostgreSQL: a booking made on one is in the other's list and
    /// gone from its availability, a listener on the other hears it, and the other cannot sell
    /// the same nights again.
    @Test func twoInstancesOnOneDatabaseSeeEachOthersBookings() throws {
        let first = try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase())
        let second = try ServerHarness(sharing: first)
        #expect(first.port != second.port)
        let anna = try first.token("anna")
        let room = try #require(try offeredRooms(second, second.hotelA, token: anna).first)
        // The second instance keeps its answer; the first one's booking must make it stale.
        #expect(try offeredRooms(second, second.hotelA, token: anna).contains(room))
        let listener = try EventStream(port: second.port, path: "/api/hotels/\(second.hotelA)/events", token: try second.token("anna"))
        listener.wait { $0.contains(": listening") }

        let booked = try first.call("POST", "/api/bookings", token: anna, json: first.bookingBody(first.hotelA, room: room))
        #expect(booked.status == 202)
        let id = try #require(booked.json["bookingId"] as? String)

        let raw = listener.wait { $0.contains(id) }
        #expect(listener.events.contains { $0.name == "RoomAvailabilityChanged" && $0.data.contains(id) }, "\(raw)")
        let listed = try second.call("GET", "/api/bookings?hotelId=\(second.hotelA)", token: anna).json["bookings"] as? [[String: Any]] ?? []
        #expect(listed.contains { $0["bookingId"] as? String == id })
        #expect(try second.call("GET", "/api/bookings/\(id)", token: anna).status == 200)
        #expect(try !offeredRooms(second, second.hotelA, token: anna).contains(room))
        var again = second.bookingBody(second.hotelA, room: room)
        again["guestName"] = "Second Instance"
        let taken = try second.call("POST", "/api/bookings", token: anna, json: again)
        #expect(taken.status == 409 && taken.code == "room_unavailable")
    }
}
