import Foundation
import FrontDeskDomain

/// What the booking server asks of one hotel's data, whichever database holds it: the embedded
/// SQLite file today (`FrontDeskStore.scoped(to:)`), PostgreSQL next. Every call sees this hotel
/// only: another hotel's room, type or booking is "not found". `StorageContractTests` is the
/// contract; each backend runs it.
///
/// Writes are intents:
/// - a reservation carries its request id: the same id with the same details gives the first
///   booking again, with other details `FrontDeskError.conflict`;
/// - a change to a booking may carry the version it was based on: a stale one is refused with
///   `FrontDeskError.staleVersion` and changes nothing;
/// - a night already held is `FrontDeskError.roomUnavailable`, guaranteed by the database itself
///   (the room-night key), not by a check in one process;
/// - every refused write leaves nothing behind.
public protocol HotelStorage: Sendable {
    /// The hotel, or `FrontDeskError.notFound`.
    func requireHotelExists() throws -> Hotel
    /// Today in the hotel's time zone.
    func businessDate() throws -> CalendarDate

    // Availability
    /// A search and the stamp of what it was made of, read in one snapshot.
    func stampedSearch(checkIn: String?, checkOut: String?, guests: String) throws
        -> (result: FrontDeskStore.SearchResult, stamp: FrontDeskStore.SearchStamp)
    /// Whether an answer with this stamp is still the answer: nothing it was made of has changed.
    func searchIsCurrent(_ stamp: FrontDeskStore.SearchStamp) throws -> Bool
    /// The same, from async code, when the backend can tell without blocking a thread right
    /// now; nil when it cannot (the caller then asks `searchIsCurrent` on a worker thread).
    func searchIsCurrentWithoutWaiting(_ stamp: FrontDeskStore.SearchStamp) async throws -> Bool?

    // Property
    func rooms() throws -> [RoomListing]
    /// One of this hotel's rooms by id; nil for a room of another hotel.
    func room(id: UUID) throws -> RoomListing?
    func roomTypes() throws -> [RoomType]
    func addRoomType(name: String, capacity: Int, basePrice: Money, by user: String) throws -> RoomType
    /// A type's name, capacity or base price changed; bookings keep their prices. A capacity below
    /// the guests of a booking not yet over is refused, naming the bookings.
    func changeRoomType(id: UUID, _ change: RoomTypeChange, by user: String) throws -> RoomType
    func addRoom(number: String, typeName: String, by user: String) throws -> RoomListing
    func renameRoom(_ number: String, to newNumber: String, by user: String) throws -> RoomListing
    func activateRoom(_ number: String, by user: String) throws -> RoomListing
    func deactivateRoom(_ number: String, by user: String) throws -> RoomListing
    /// A new number and a new state in one transaction: either is refused and neither is made.
    func changeRoom(_ number: String, newNumber: String?, isActive: Bool?, by user: String) throws -> RoomListing

    // Bookings
    /// Holds each request's room in one transaction (group commit); one outcome per request, in
    /// order. A refused request rolls back alone; a failing database fails the whole group.
    func reserveAll(_ requests: [ReservationRequest]) throws -> [Result<Booking, any Error>]
    /// `reserveAll` that may return before the group's commit is durable: the caller makes it
    /// durable (`CommittedGroup.makeDurable`) before it answers or announces anything of it. A
    /// store whose commits are durable when they return writes as `reserveAll` does.
    func reserveAllSyncingLater(_ requests: [ReservationRequest]) throws -> CommittedGroup
    /// By id or confirmation code.
    func booking(_ reference: String) throws -> Booking
    func findBookings(_ filter: BookingFilter) throws -> BookingMatches
    /// A cancellation, check-in or check-out as an intent: a request id seen before answers the
    /// booking as it is and changes nothing (the same id for anything else is `conflict`).
    func cancel(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking
    func checkIn(_ reference: String, _ request: ChangeRequest) throws -> Booking
    func checkOut(_ reference: String, _ request: ChangeRequest) throws -> Booking
    /// Changing a reservation (issue 14): each one intent with its request id and expected version
    /// (`ChangeRequest`); a changed stay keeps kept nights' prices and claims new nights atomically.
    func changeBooking(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest) throws -> Booking
    func move(_ reference: String, toRoom number: String, reason: String?, reprice: Bool, _ request: ChangeRequest) throws -> Booking
    func markNoShow(_ reference: String, _ request: ChangeRequest) throws -> Booking
    func undoCheckIn(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking
    func undoCheckOut(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking
    /// The hotel's hold minutes and no-show rules, changed at once (`HotelSettingsChange`).
    func configureHotel(_ change: HotelSettingsChange, by user: String) throws -> Hotel
    /// A no-show taken back while its stay has a night left (the guest came after all).
    func undoNoShow(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking

    // Reports and the change feed
    func occupancyReport(from: CalendarDate, through to: CalendarDate) throws -> OccupancyReport
    /// The hotel's changes after `sequence`, oldest first; numbers only grow, never reused.
    func feedEvents(after sequence: Int64, limit: Int) throws -> [FeedEvent]
    func latestFeedSequence() throws -> Int64

    // Offline desks (issue 12, docs/sync-protocol.md)
    /// One page of the hotel's whole replica, bookings in id order after `after`; the first page
    /// carries the property and the feed number read before its bookings (same read transaction).
    func replicaPage(after: UUID?, limit: Int) throws -> ReplicaPage
    /// Runs `body` in one read transaction: every read of this database that `body` makes on this
    /// thread (through any hotel of the chain, or the chain itself) sees the same committed
    /// state, whatever is written meanwhile. An export reads its pages of bookings, their
    /// payments and the request ids this way, so the file agrees with itself although desks go on
    /// booking. `body` must not write.
    func inOneSnapshot<T>(_ body: () throws -> T) throws -> T
    /// How the hotel's bookings were paid, by booking id, for `HotelTransfer.take`.
    func transferPayments() throws -> [UUID: HotelTransfer.Payment]
    /// The request ids recorded with their outcomes, for `HotelTransfer.take`.
    func transferRequests() throws -> HotelTransfer.Requests
    /// Every booking (whole, current, once) and the property (when changed) named by the feed after
    /// `since`; `ReplicaTooOld` when that part of the feed was pruned.
    func changesPage(since: Int64, limit: Int) throws -> ChangesPage
    /// A desk's operations in order, idempotent by operation id, in one transaction.
    func applySync(_ operations: [SyncOperation], by user: String) throws -> SyncPushResult
    /// The operation pushed under `operationId` as `applySync` recorded it: its fingerprint and the
    /// answer first given (its JSON); nil when nothing was pushed under that id. Reads only.
    func recordedSyncOperation(_ operationId: String) throws -> RecordedSyncOperation?
}

/// A group of bookings committed, and perhaps not yet durable (`HotelStorage.reserveAllSyncingLater`).
public struct CommittedGroup: Sendable {
    /// One outcome a request, in order, as `reserveAll` gives them.
    public let outcomes: [Result<Booking, any Error>]
    /// Syncs the log: this group's commit, and every commit made before it in the same file, are
    /// durable once it returns. nil where the commit was durable when it returned.
    public let makeDurable: (@Sendable () throws -> Void)?
    /// Publishes what the group's transaction announced (notifications, saga wake-ups); called
    /// once the group is durable.
    public let announce: @Sendable () -> Void

    public init(outcomes: [Result<Booking, any Error>], makeDurable: (@Sendable () throws -> Void)?,
                announce: @escaping @Sendable () -> Void) {
        self.outcomes = outcomes
        self.makeDurable = makeDurable
        self.announce = announce
    }
}

/// What the booking server asks of the whole chain: its hotels, lookups by id across hotels (the
/// caller then checks the principal may see the hotel), accounts and housekeeping.
public protocol ChainStorage: LoginThrottleStorage {
    /// One hotel's view (no database read: an unknown hotel shows as "not found" on use).
    func hotel(_ id: UUID) -> any HotelStorage
    func hotels() throws -> [Hotel]
    func addChainHotel(name: String, timeZone: String, currency: String, by user: String) throws -> Hotel
    /// A booking of any hotel by id or code; `FrontDeskError.notFound` when there is none.
    func booking(_ reference: String) throws -> Booking
    /// A room of any hotel by id.
    func room(id: UUID) throws -> RoomListing?
    func addUser(name: String, role: UserRole, email: String, hotelId: UUID?, passwordHash: String, by user: String) throws -> UserAccount
    func userAccount(named name: String) throws -> UserAccount?
    /// Every account, by name (`users list`).
    func userAccounts() throws -> [UserAccount]
    /// Disables or enables an account and/or replaces its password hash, in one transaction with
    /// an audit line (`notFound` when there is none). A disabled user gets no token; tokens issued
    /// already stop at the server's next account check, and so do those issued for a replaced password.
    func updateUser(named name: String, disabled: Bool?, passwordHash: String?, by user: String) throws -> UserAccount
    func sagaCounts() throws -> (underWay: Int, needingAttention: Int)
    /// The card refunds owed and waiting for a payment service (ProcessRefund messages of card
    /// sagas, due now or retried later), in every hotel: what a server without one says in its log.
    func cardRefundsWaiting() throws -> Int
    /// Queues again a refund or charge settlement that stopped and needs attention (by booking id
    /// or confirmation code), once a person has fixed what the payment service lacked.
    func retryStoppedPayment(_ reference: String, by user: String) throws -> Booking
    /// Drops changes recorded before `cutoff`, keeping each hotel's newest.
    @discardableResult
    func pruneFeed(before cutoff: Date) throws -> Int
    /// How many groups of a hotel's new bookings may be written at the same time
    /// (`BookingIntake`'s lanes): one where the database has one writer (SQLite).
    var bookingLanes: Int { get }
    /// Whether a lane waits a moment to fill a small group (`BookingIntake.Gathering`).
    var bookingGathering: BookingIntake.Gathering { get }
    /// Whether other server instances were writing to this database at the last count
    /// (`countOtherWriters`): then one booking lane writes at a time (`BookingIntake`'s `shared`).
    /// Read on every group, so it answers from memory.
    var sharedWithOtherWriters: Bool { get }
    /// Counts the other server instances connected to this database now, for
    /// `sharedWithOtherWriters`, and returns the count. 0 where the database has one writer (SQLite).
    @discardableResult
    func countOtherWriters() throws -> Int
}

extension ChainStorage {
    public func disableUser(named name: String, by user: String) throws -> UserAccount {
        try updateUser(named: name, disabled: true, passwordHash: nil, by: user)
    }

    public var bookingLanes: Int { 1 }
    public var bookingGathering: BookingIntake.Gathering { .takeWhatArrived }
    public var sharedWithOtherWriters: Bool { false }
    public func countOtherWriters() throws -> Int { 0 }
}

/// Failed logins of the booking server, kept in the database so that every instance on it counts
/// into the same records (issue 13: rate limits that must hold across instances). The rule is the
/// domain's (`LoginThrottleRules`); instants are the server's clock, given by the caller.
public protocol LoginThrottleStorage: Sendable {
    /// The records of these keys (a key with none is absent).
    func loginFailures(keys: [String]) throws -> [LoginFailures]
    /// Counts one failure at `now` for each key, atomically with any other instance's count: a
    /// record whose window ran out starts again at one. The records after the count.
    func recordLoginFailure(keys: [String], at now: Date) throws -> [LoginFailures]
    /// A successful login: the keys' records go.
    func clearLoginFailures(keys: [String]) throws
    /// Drops records whose latest failure is before `cutoff`; how many went.
    @discardableResult
    func pruneLoginFailures(before cutoff: Date) throws -> Int
}

/// One token's requests in one second (Unix time), summed over the server instances that counted them.
public struct TokenRequestCount: Sendable, Hashable {
    public let second: Int64
    /// A hash of the token, never the token.
    public let tokenHash: String
    public let requests: Int

    public init(second: Int64, tokenHash: String, requests: Int) {
        self.second = second
        self.tokenHash = tokenHash
        self.requests = requests
    }
}

/// A per-token request count shared by every server instance on one database (PostgreSQL): each
/// instance adds what it let through every ~0.2 s and reads back the totals (DECISIONS.md). An
/// SQLite server is one instance and keeps its token buckets in memory.
public protocol TokenRequestCounting: Sendable {
    /// Adds `counts` (at most one per second and token) in one statement and returns the totals
    /// of those, and the totals in `second` of the `watched` tokens (hashes not among `counts`).
    func addTokenRequests(_ counts: [TokenRequestCount], watching watched: [String], second: Int64) throws -> [TokenRequestCount]
    /// Drops the counts of seconds before `second`; how many went.
    @discardableResult
    func pruneTokenRequests(before second: Int64) throws -> Int
}

extension HotelStorage {
    public func reserveAllSyncingLater(_ requests: [ReservationRequest]) throws -> CommittedGroup {
        CommittedGroup(outcomes: try reserveAll(requests), makeDurable: nil, announce: {})
    }

    public func cancel(_ reference: String, reason: String?, expectedVersion: Int?, by user: String, via channel: Channel) throws -> Booking {
        try cancel(reference, reason: reason, ChangeRequest(expectedVersion: expectedVersion, user: user, channel: channel))
    }

    public func checkIn(_ reference: String, expectedVersion: Int?, by user: String) throws -> Booking {
        try checkIn(reference, ChangeRequest(expectedVersion: expectedVersion, user: user))
    }

    public func checkOut(_ reference: String, expectedVersion: Int?, by user: String) throws -> Booking {
        try checkOut(reference, ChangeRequest(expectedVersion: expectedVersion, user: user))
    }

    /// A backend whose check is a local read (SQLite) is asked the blocking way.
    public func searchIsCurrentWithoutWaiting(_ stamp: FrontDeskStore.SearchStamp) async throws -> Bool? { nil }

    /// The next page of changes, 500 at most.
    public func feedEvents(after sequence: Int64) throws -> [FeedEvent] {
        try feedEvents(after: sequence, limit: 500)
    }
}

extension FrontDeskStore: HotelStorage, ChainStorage {
    public func hotel(_ id: UUID) -> any HotelStorage { scoped(to: id) }
}

/// An operation a desk pushed, as the server keeps it for the retries of its id.
public struct RecordedSyncOperation: Sendable, Equatable {
    /// `SyncOperation.fingerprint` of the operation first pushed under the id.
    public var fingerprint: String
    /// The first answer, as JSON (`SyncOutcome`).
    public var answer: String

    public init(fingerprint: String, answer: String) {
        self.fingerprint = fingerprint
        self.answer = answer
    }
}
