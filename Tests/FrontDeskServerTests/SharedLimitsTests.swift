import Foundation
import FrontDeskTestSupport
import Testing

/// Issue 13, item 3: the limits that must hold across instances live in the database. Two real
/// `frontdesk-server` processes on one PostgreSQL, over HTTP on 127.0.0.1.
@Suite(.serialized) struct SharedLimitsTests {
    func login(_ server: ServerHarness, _ user: String, _ password: String) throws -> ServerHarness.Answer {
        try server.call("POST", "/api/auth/token", json: ["username": user, "password": password])
    }

    /// Five wrong passwords spread over two instances: the sixth try, even with the right
    /// password, is 429 on either (each instance alone has seen fewer than five).
    @Test func failedLoginsOnTwoInstancesAddUpAndTheSixthTryOnEitherIs429() throws {
        let first = try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase(), rooms: 0)
        let second = try ServerHarness(sharing: first)
        var statuses: [Int] = []
        for attempt in 0..<5 {
            statuses.append(try login(attempt.isMultiple(of: 2) ? first : second, "max", "guess-\(attempt)").status)
        }
        #expect(statuses == [401, 401, 401, 401, 401])
        for server in [second, first] {
            let limited = try login(server, "max", "password-of-max")
            #expect(limited.status == 429, "port \(server.port): \(String(decoding: limited.body, as: UTF8.self))")
            #expect(limited.code == "rate_limited")
            #expect(Int(limited.header("Retry-After") ?? "") ?? 0 >= 1)
        }
        // Another user is not held back by five failures from the address (an office shares one:
        // 20 are free), but is by twenty, counted on both instances (all come from 127.0.0.1).
        #expect(try login(second, "anna", "password-of-anna").status == 200)
        for attempt in 0..<15 {
            let guessed = try login(attempt.isMultiple(of: 2) ? first : second, "guessed-\(attempt % 5)", "guess")
            #expect(guessed.status == 401, "attempt \(attempt): \(guessed.status)")
        }
        #expect(try login(second, "anna", "password-of-anna").status == 429)
    }

    /// Once the wait is over, a success on one instance clears the records for both.
    @Test func aSuccessfulLoginClearsTheRecordsForEveryInstance() throws {
        let first = try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase(), rooms: 0)
        let second = try ServerHarness(sharing: first)
        for attempt in 0..<4 { #expect(try login(attempt.isMultiple(of: 2) ? first : second, "max", "guess").status == 401) }
        #expect(try login(first, "max", "password-of-max").status == 200)
        // Counting starts again: four more failures on the other instance are still free.
        for _ in 0..<4 { #expect(try login(second, "max", "guess").status == 401) }
        #expect(try login(second, "max", "password-of-max").status == 200)
    }

    /// `users list` and `users disable` through `--database`, and the running servers stop
    /// taking the disabled user's token within their account recheck time.
    @Test func usersAreListedAndDisabledOnPostgresAndATokenStopsWorkingOnTheRunningServers() throws {
        let first = try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase(), rooms: 0,
                                      serveArguments: ["--account-recheck", "1"])
        let second = try ServerHarness(sharing: first)
        let anna = try first.token("anna")
        #expect(try first.call("GET", "/api/hotels", token: anna).status == 200)
        #expect(try second.call("GET", "/api/hotels", token: anna).status == 200)

        let listed = try ServerHarness.run(["users", "list", "--json"], database: first.database)
        #expect(listed.status == 0, "\(listed.output)")
        let users = (try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any])?["users"] as? [[String: Any]] ?? []
        #expect(users.compactMap { $0["name"] as? String } == ["anna", "bea", "max", "root"])
        #expect(users.first { $0["name"] as? String == "anna" }?["hotelId"] as? String == first.hotelA)
        #expect(users.allSatisfy { $0["disabled"] as? Bool == false })
        #expect(!listed.output.contains("pbkdf2") && !listed.output.contains("password"))

        let disabled = try ServerHarness.run(["users", "disable", "anna"], database: first.database)
        #expect(disabled.status == 0 && disabled.output.contains("User anna disabled"), "\(disabled.output)")
        let since = Date()
        for server in [first, second] {
            var status = 200
            while status == 200 && Date().timeIntervalSince(since) < 5 {
                status = try server.call("GET", "/api/hotels", token: anna).status
                if status == 200 { Thread.sleep(forTimeInterval: 0.05) }
            }
            #expect(status == 401, "port \(server.port)")
        }
        // The recheck time is 1 s: a little more for the request that notices.
        #expect(Date().timeIntervalSince(since) < 2, "the token worked \(Date().timeIntervalSince(since)) s after the disable")
        #expect(try login(second, "anna", "password-of-anna").status == 401)

        let text = try ServerHarness.run(["users", "list"], database: first.database)
        #expect(text.output.split(separator: "\n").contains { $0.hasPrefix("anna ") && $0.hasSuffix("(disabled)") }, "\(text.output)")
        let unknown = try ServerHarness.run(["users", "disable", "nobody"], database: first.database)
        #expect(unknown.status == 3, "\(unknown.output)")
        #expect(unknown.output.contains("No user named"))
    }

    /// Sleeps until `fraction` of the next wall-clock second: the servers count a token's requests
    /// per Unix second, and this test must know which second a request fell in.
    static func sleepUntilNextSecond(at fraction: Double) {
        let now = Date().timeIntervalSince1970
        Thread.sleep(forTimeInterval: now.rounded(.down) + 1 + fraction - now)
    }

    /// `--rate-limit 5` on two instances: in each second the first takes the token's requests
    /// until it refuses; later in the same second the second instance refuses the token too,
    /// having heard the first's count through the database. No second lets through more than the
    /// limit, well inside the bound DECISIONS.md gives (the limit times the instances), and every
    /// 429 says when to try again.
    @Test func aTokensRequestsAreLimitedOverBothInstances() throws {
        let limit = 5
        let first = try ServerHarness(postgres: try PostgresCluster.shared().makeDatabase(), rooms: 0,
                                      serveArguments: ["--rate-limit", "\(limit)"])
        let second = try ServerHarness(sharing: first)
        let anna = try first.token("anna")
        // The second instance has seen the token: from now on it reads the token's count back.
        #expect(try second.call("GET", "/api/hotels", token: anna).status == 200)

        // A round is judged only when it kept to its second: on a loaded machine a request can
        // take long enough that the first instance's part ends before it refused once, or the
        // round runs into the next second, and then the figures say nothing either way.
        var judged = 0
        var attempts = 0
        while judged < 3 && attempts < 8 {
            attempts += 1
            Self.sleepUntilNextSecond(at: 0.05)
            let window = Date().timeIntervalSince1970.rounded(.down)
            var onFirst: [ServerHarness.Answer] = []
            while Date().timeIntervalSince1970 < window + 0.3 { onFirst.append(try first.call("GET", "/api/hotels", token: anna)) }
            // Two flushes of 0.2 s at most: the first's count went in, the second read it back.
            Thread.sleep(forTimeInterval: max(0, window + 0.7 - Date().timeIntervalSince1970))
            var onSecond: [ServerHarness.Answer] = []
            while Date().timeIntervalSince1970 < window + 0.9 { onSecond.append(try second.call("GET", "/api/hotels", token: anna)) }
            let admitted = onFirst.filter { $0.status == 200 }.count + onSecond.filter { $0.status == 200 }.count
            // Whatever the timing: never more than the bound, and every refusal says when to come back.
            #expect(admitted <= limit * 2, "attempt \(attempts): \(admitted) let through")
            for refused in (onFirst + onSecond).filter({ $0.status != 200 }) {
                #expect(refused.status == 429 && refused.code == "rate_limited")
                #expect(Int(refused.header("Retry-After") ?? "") ?? 0 >= 1)
            }
            guard Date().timeIntervalSince1970 < window + 1, onFirst.count > limit, !onSecond.isEmpty else { continue }
            judged += 1
            #expect(onFirst.filter { $0.status == 200 }.count == limit, "attempt \(attempts): \(onFirst.map(\.status))")
            #expect(onSecond.allSatisfy { $0.status == 429 }, "attempt \(attempts): \(onSecond.map(\.status))")
        }
        #expect(judged == 3, "only \(judged) of \(attempts) rounds kept to their second: the machine is too slow to judge this")
        // Another token has its own count.
        #expect(try second.call("GET", "/api/hotels", token: try second.token("max")).status == 200)
    }
}
