import Foundation
import FrontDeskDomain
import FrontDeskPayments
import FrontDeskStore
import NIOPosix
import Synchronization

/// What the booking server knows while it runs, shared by every request.
public final class ServerState: Sendable {
    /// The database: SQLite (`--db`) or PostgreSQL (`--database`), behind the storage interface.
    public let database: ServerDatabase
    /// What the routes ask of the chain's data, through the storage interface both backends implement.
    public var chain: any ChainStorage { database.chain }
    let signer: TokenSigner
    let hasher: PasswordHasher
    let clock: @Sendable () -> Date
    /// GRDB is synchronous: store calls run here, never on an event loop or the concurrency pool.
    let workers: NIOThreadPool
    let intakes = Mutex<[UUID: BookingIntake]>([:])
    let failedLogins: LoginThrottle
    /// The saga runner the caller made for this database; nil runs the API without one (bookings
    /// stay Reserving until some runner on the same database takes their messages).
    let runner: SagaRunner?
    let gateway: HTTPPaymentGateway?
    let metrics = RequestMetrics()
    let availabilityCache = AvailabilityCache()
    /// Each token's requests a second: in this process on SQLite, shared by every instance on PostgreSQL.
    let rateLimiter: any RequestRateLimiter
    /// Whether each user may still act, looked up at most every `accountRecheck` seconds: a
    /// disabled user's tokens stop working that soon, without a database read on every request.
    /// The stamp is the current password's (`TokenSigner.credentialStamp`): a new password ends the
    /// tokens issued before it as soon, and so does disabling the account, for good: the stamp
    /// names when it was last disabled too, so enabling it again does not bring those tokens back.
    private let accountStates = Mutex<[String: AccountState]>([:])

    /// What the account check remembers of a user.
    private struct AccountState {
        let active: Bool
        let credentialStamp: String
        let checkedAt: Date
    }
    /// While the database is away, when event streams may ask it again, and how long the next
    /// wait is (1 s, doubling to 4 s): one stream asks, the others wait for its answer, so a
    /// hundred idle streams do not each take a worker and a connection attempt every second.
    private let databaseAway = Mutex<(retryAt: ContinuousClock.Instant, backoff: Duration)?>(nil)
    let accountRecheck: TimeInterval
    /// How long the change feed keeps a change for listeners that reconnect (`--feed-days`).
    let feedRetention: TimeInterval
    /// Tokens already checked, with their expiry: a token's signature and claims are verified once,
    /// not on every request (the HMAC, base64 and JSON were a third of an availability answer).
    /// The key is the whole token, so a changed byte is a new token, checked afresh.
    private let verifiedTokens = Mutex<[String: TokenSigner.Verified]>([:])
    /// Logins in turn: one per user name, a few password checks at a time (`LoginGate`).
    let loginGate: LoginGate
    /// What event streams wait on: this server's writes wake their hotel's streams at once.
    let feedSignals = FeedSignals(lookInterval: ServerState.feedPollInterval)

    /// `runner` is started and stopped with the server (`BookingServer.application`); the caller
    /// makes it for the database (`SagaRunner(store:gateway:)` on SQLite).
    public init(database: ServerDatabase, runner: SagaRunner?, signer: TokenSigner, hasher: PasswordHasher = PasswordHasher(),
                gateway: HTTPPaymentGateway?, clock: @escaping @Sendable () -> Date = { Date() }, workerThreads: Int = 8,
                requestsPerSecondPerToken: Double = 200, accountRecheck: TimeInterval = 5,
                feedRetention: TimeInterval = 7 * 86400) {
        self.accountRecheck = accountRecheck
        self.feedRetention = feedRetention
        self.database = database
        self.signer = signer
        self.hasher = hasher
        self.clock = clock
        workers = NIOThreadPool(numberOfThreads: workerThreads)
        workers.start()
        // A quarter of the worker threads for password checks: the rest stay for the database.
        loginGate = LoginGate(concurrentChecks: workerThreads / 4)
        failedLogins = LoginThrottle(storage: database.chain, clock: clock)
        if let counter = database.requestCounts, requestsPerSecondPerToken > 0 {
            rateLimiter = SharedTokenRateLimiter(perSecond: requestsPerSecondPerToken, counter: counter, clock: clock)
        } else {
            rateLimiter = TokenRateLimiter(perSecond: requestsPerSecondPerToken, clock: clock)
        }
        self.gateway = gateway
        self.runner = runner
        // On SQLite the saga's own writes (confirm, fail) are heard through the store's
        // notifications. Elsewhere (and for other processes' writes) event streams see them at
        // their hotel's next look at the change feed, at most `feedPollInterval` later.
        _ = database.sqlite?.subscribe { [weak self] notification in self?.noteWrite(notification.hotelId) }
    }

    /// How often a hotel's change feed is looked at (once, for all of its event streams) when
    /// nothing was written by this process: the bound on how late a write by another instance (or
    /// process) is heard.
    static let feedPollInterval: Duration = .milliseconds(200)
    /// Event streams one token may hold open on one hotel: a desk holds one, and one more while
    /// its reconnect overlaps the old stream's end (a closed client is noticed at its next write).
    static let streamsPerToken = 8

    /// The principal a bearer token names, if its signature, issuer, audience and expiry hold.
    func verifiedToken(bearer token: String) throws(TokenSigner.Rejection) -> TokenSigner.Verified {
        let now = clock()
        if let known = verifiedTokens.withLock({ $0[token] }) {
            guard known.expiresAt > now else { throw .expired }
            return known
        }
        let verified = try signer.verifyWithExpiry(token, now: now)
        verifiedTokens.withLock { tokens in
            if tokens.count >= 10_000 { tokens.removeAll(keepingCapacity: true) }
            tokens[token] = verified
        }
        return verified
    }

    /// nil when an event stream may ask the database now (it is not known to be away, or this
    /// stream is the one to try it again); else the time to wait until.
    func streamWaitWhileDatabaseAway() -> ContinuousClock.Instant? {
        databaseAway.withLock { away in
            guard var current = away else { return nil }
            let now = ContinuousClock.now
            if now < current.retryAt { return current.retryAt }
            // This stream tries; the others wait for its answer.
            current.retryAt = now + current.backoff
            away = current
            return nil
        }
    }

    func noteDatabaseAwayForStreams() {
        databaseAway.withLock { away in
            let backoff = min((away?.backoff ?? .milliseconds(500)) * 2, .seconds(4))
            away = (ContinuousClock.now + backoff, backoff)
        }
    }

    func noteDatabaseBackForStreams() {
        databaseAway.withLock { away in if away != nil { away = nil } }
    }

    /// What the account check says of a verified token.
    enum AccountStanding: Equatable {
        case active
        /// The user is disabled or no longer exists.
        case disabledOrGone
        /// The token was issued for a password the account no longer has, or before the account
        /// was last disabled (and enabled again since).
        case passwordChanged
    }

    /// Whether the user named in a token still exists, is not disabled, and has the password the
    /// token was issued for (a token without a stamp, from an older server, is not held to that).
    func accountStanding(of token: TokenSigner.Verified) async throws -> AccountStanding {
        // Keyed by the name as the token names it (the account's own spelling): Swift's
        // lowercasing folds every script, the databases fold ASCII only, so "Émile" and "émile"
        // can be two accounts, and one's state answered for the other.
        let name = token.principal.userName
        let now = clock()
        func readAccount() async throws -> AccountState {
            let account = try await blocking { [chain] in try chain.userAccount(named: name) }
            let read = AccountState(active: account.map { !$0.isDisabled } ?? false,
                                    credentialStamp: account.map { signer.credentialStamp(passwordHash: $0.passwordHash, disabledAt: $0.disabledAt) } ?? "",
                                    checkedAt: now)
            accountStates.withLock { states in
                if states.count > 10_000 { states.removeAll() }
                states[name] = read
            }
            return read
        }
        var state = accountStates.withLock { $0[name] }
        if state == nil || now.timeIntervalSince(state!.checkedAt) >= accountRecheck { state = try await readAccount() }
        guard var known = state else { return .disabledOrGone }
        let stampDiffers = token.credentialStamp.map { $0 != known.credentialStamp } ?? false
        if !known.active || stampDiffers {
            // A token issued after the account was last read may come from after a change to it
            // (a password set, the account enabled again): read it again rather than refuse a
            // fresh sign-in. (An older token does not cause a read on each of its requests: it is
            // refused from what is known.)
            guard token.issuedAt.addingTimeInterval(1) >= known.checkedAt, known.checkedAt != now else {
                return known.active ? .passwordChanged : .disabledOrGone
            }
            known = try await readAccount()
        }
        guard known.active else { return .disabledOrGone }
        if let stamp = token.credentialStamp, stamp != known.credentialStamp { return .passwordChanged }
        return .active
    }

    /// Tells the hotel's waiting event streams that something was committed (nil: a write of a
    /// hotel not named, every stream looks).
    func noteWrite(_ hotel: UUID?) {
        feedSignals.noteWrite(hotel)
    }

    /// Runs a blocking store call on the worker threads.
    func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await workers.runIfActive(body)
    }

    /// Concurrent booking requests of one hotel share durable commits (group commit).
    /// An intake's lanes are threads that live as long as the server, so one is made only for a
    /// hotel that exists: ids a caller makes up (an admin's token reaches any id) get their 404
    /// without leaving threads behind.
    func intake(for hotel: UUID) async throws -> BookingIntake {
        if let intake = intakes.withLock({ $0[hotel] }) { return intake }
        let storage = chain
        _ = try await blocking { try storage.hotel(hotel).requireHotelExists() }
        return intakes.withLock { intakes in
            if let intake = intakes[hotel] { return intake }
            let intake = BookingIntake(store: storage.hotel(hotel), lanes: storage.bookingLanes, gathering: storage.bookingGathering,
                                       shared: { storage.sharedWithOtherWriters })
            intakes[hotel] = intake
            return intake
        }
    }

    /// How long a stopping server waits for its payment calls' answers: a call gives up after
    /// 3 attempts of 5 s, so most answers come well within this.
    static let callsInFlightWait: Duration = .seconds(8)

    /// Stops taking work: the saga runner finishes its step, intakes commit what they hold.
    public func shutDown() async {
        if let runner {
            runner.stop()
            // The runner's pass under way ends (it claims nothing more once stopped) and the
            // payment calls under way are answered and recorded first: a claim left behind
            // makes another instance wait out its lease (2 minutes) before asking again.
            let giveUp = ContinuousClock.now + Self.callsInFlightWait
            while runner.isBusy && ContinuousClock.now < giveUp { try? await Task.sleep(for: .milliseconds(20)) }
        }
        for intake in intakes.withLock({ Array($0.values) }) { intake.stop() }
        try? await workers.shutdownGracefully()
    }
}

/// Slows down guessing (`LoginThrottleRules`: after 5 failed logins for one user name or one
/// address within 15 minutes, further tries wait 2^(n-5) seconds, at most 15 minutes, answered
/// 429). The records live in the database (`LoginThrottleStorage`), so every instance on it counts
/// into the same ones; instants are the server's clock. Its calls block: run them on the workers.
final class LoginThrottle: Sendable {
    let storage: any LoginThrottleStorage
    private let clock: @Sendable () -> Date

    init(storage: any LoginThrottleStorage, clock: @escaping @Sendable () -> Date) {
        self.storage = storage
        self.clock = clock
    }

    /// The keys' records, and the seconds to wait before they may try again (nil: try now).
    func check(_ keys: [String]) throws -> (records: [LoginFailures], wait: Int?) {
        let records = try storage.loginFailures(keys: keys)
        return (records, LoginThrottleRules.wait(records, now: clock()))
    }

    func recordFailure(for keys: [String]) throws {
        _ = try storage.recordLoginFailure(keys: keys, at: clock())
    }

    /// A success clears the keys' records (no write when there were none).
    func recordSuccess(for keys: [String], had records: [LoginFailures]) throws {
        guard !records.isEmpty else { return }
        try storage.clearLoginFailures(keys: keys)
    }

    /// Drops records that no longer count (their latest failure is older than the window).
    func prune() throws -> Int {
        try storage.pruneLoginFailures(before: LoginThrottleRules.pruneCutoff(now: clock()))
    }
}

/// A token bucket per token: `perSecond` requests a second on average, bursts of twice that.
/// Zero turns the limit off (the benchmarks use it).
final class TokenRateLimiter: Sendable {
    let perSecond: Double
    private let buckets = Mutex<[String: (tokens: Double, at: Date)]>([:])
    private let clock: @Sendable () -> Date

    init(perSecond: Double, clock: @escaping @Sendable () -> Date) {
        self.perSecond = perSecond
        self.clock = clock
    }

    /// Nil when the request may go on; else the seconds to wait.
    func take(_ key: String) -> Int? {
        guard perSecond > 0 else { return nil }
        let now = clock()
        // At least one whole request, whatever the rate (below 0.5 a second none ever passed).
        let capacity = max(1, perSecond * 2)
        return buckets.withLock { buckets in
            if buckets.count > 100_000 { buckets.removeAll() }
            var bucket = buckets[key] ?? (capacity, now)
            bucket.tokens = min(capacity, bucket.tokens + now.timeIntervalSince(bucket.at) * perSecond)
            bucket.at = now
            defer { buckets[key] = bucket }
            guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / perSecond).rounded(.up))) }
            bucket.tokens -= 1
            return nil
        }
    }
}
