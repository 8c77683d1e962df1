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

    // Property
    func rooms() throws -> [RoomListing]
    /// One of this hotel's rooms by id; nil for a room of another hotel.
    func room(id: UUID) throws -> RoomListing?
    func roomTypes() throws -> [RoomType]
    func addRoomType(name: String, capacity: Int, basePrice: Money, by user: String) throws -> RoomType
    func addRoom(number: String, typeName: String, by user: String) throws -> RoomListing
    func renameRoom(_ number: String, to newNumber: String, by user: String) throws -> RoomListing
    func activateRoom(_ number: String, by user: String) throws -> RoomListing
    func deactivateRoom(_ number: String, by user: String) throws -> RoomListing

    // Bookings
    /// Holds each request's room in one transaction (group commit); one outcome per request, in
    /// order. A refused request rolls back alone; a failing database fails the whole group.
    func reserveAll(_ requests: [ReservationRequest]) throws -> [Result<Booking, any Error>]
    /// By id or confirmation code.
    func booking(_ reference: String) throws -> Booking
    func findBookings(_ filter: BookingFilter) throws -> BookingMatches
    func cancel(_ reference: String, reason: String?, expectedVersion: Int?, by user: String, via channel: Channel) throws -> Booking
    func checkIn(_ reference: String, expectedVersion: Int?, by user: String) throws -> Booking
    func checkOut(_ reference: String, expectedVersion: Int?, by user: String) throws -> Booking
    /// Changing a reservation (issue 14): each one intent with its request id and expected version
    /// (`ChangeRequest`); a changed stay keeps kept nights' prices and claims new nights atomically.
    func changeBooking(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest) throws -> Booking
    func move(_ reference: String, toRoom number: String, reason: String?, reprice: Bool, _ request: ChangeRequest) throws -> Booking
    func markNoShow(_ reference: String, _ request: ChangeRequest) throws -> Booking
    func undoCheckIn(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking
    func undoCheckOut(_ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking

    // Reports and the change feed
    func occupancyReport(from: CalendarDate, through to: CalendarDate) throws -> OccupancyReport
    /// The hotel's changes after `sequence`, oldest first; numbers only grow, never reused.
    func feedEvents(after sequence: Int64, limit: Int) throws -> [FeedEvent]
    func latestFeedSequence() throws -> Int64

    // Offline desks (issue 12, docs/sync-protocol.md)
    /// One page of the hotel's whole replica, bookings in id order after `after`; the first page
    /// carries the property and the feed number read before its bookings (same read transaction).
    func replicaPage(after: UUID?, limit: Int) throws -> ReplicaPage
    /// Every booking (whole, current, once) and the property (when changed) named by the feed after
    /// `since`; `ReplicaTooOld` when that part of the feed was pruned.
    func changesPage(since: Int64, limit: Int) throws -> ChangesPage
    /// A desk's operations in order, idempotent by operation id, in one transaction.
    func applySync(_ operations: [SyncOperation], by user: String) throws -> SyncPushResult
}

/// What the booking server asks of the whole chain: its hotels, lookups by id across hotels (the
/// caller then checks the principal may see the hotel), accounts and housekeeping.
public protocol ChainStorage: Sendable {
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
    func sagaCounts() throws -> (underWay: Int, needingAttention: Int)
    /// Drops changes recorded before `cutoff`, keeping each hotel's newest.
    @discardableResult
    func pruneFeed(before cutoff: Date) throws -> Int
}

extension HotelStorage {
    /// The next page of changes, 500 at most.
    public func feedEvents(after sequence: Int64) throws -> [FeedEvent] {
        try feedEvents(after: sequence, limit: 500)
    }
}

extension FrontDeskStore: HotelStorage, ChainStorage {
    public func hotel(_ id: UUID) -> any HotelStorage { scoped(to: id) }
}
