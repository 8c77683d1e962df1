import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// A "server" (a standalone store whose bookings are shipped as the wire has them) and an empty
/// desk that takes its replica (issue 12).
struct ReplicaPair {
    let server: StoreFixture
    let desk: StoreFixture

    init() throws {
        server = try StoreFixture()
        desk = try StoreFixture(rooms: false)
    }

    /// A booking of the server as the sync wire carries it: the row and the room-nights it holds.
    func wire(_ booking: Booking) throws -> WireBooking {
        try wire(of: server.store, booking.id)
    }

    func wire(of store: FrontDeskStore, _ id: UUID) throws -> WireBooking {
        let current = try store.booking(id.uuidString)
        let queue = try DatabaseQueue(path: store.path)
        let claims = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT night, room_id FROM room_night WHERE booking_id = ? ORDER BY night", arguments: [id.uuidString])
                .map { WireClaim(night: CalendarDate(iso: $0[0])!, roomId: UUID(uuidString: $0[1])!) }
        }
        return WireBooking(current, claims: claims)
    }

    func firstPage(_ bookings: [Booking], cursor: Int64 = 7, next: String? = nil) throws -> ReplicaPage {
        let hotel = try server.store.hotel()!
        let listings = try server.store.rooms()
        var types: [WireRoomType] = []
        for listing in listings where !types.contains(where: { $0.roomTypeId == listing.type.id.uuidString.lowercased() }) {
            types.append(WireRoomType(listing.type))
        }
        return ReplicaPage(hotel: WireHotel(hotel), roomTypes: types,
                           rooms: listings.map { WireRoom(roomId: $0.room.id, roomNumber: $0.room.number, roomTypeId: $0.type.id, isActive: $0.room.isActive) },
                           bookings: try bookings.map(wire), cursor: cursor, totalBookings: bookings.count, next: next)
    }

    /// Pushes what the desk queued to the server's store and settles the answers on the desk.
    @discardableResult
    func sync() throws -> [SyncOutcome] {
        let operations = try desk.store.queuedOperations(limit: 100)
        let answer = try server.store.applySync(operations, by: "anna")
        try desk.store.settle(answer.results)
        return answer.results
    }

    /// Connected, with the server's `bookings`.
    func connect(_ bookings: [Booking] = []) throws {
        try desk.store.beginReplica(try firstPage(bookings), server: "http://127.0.0.1:8080")
    }

    /// The derived tables of a file, row by row: night_load and night_sales.
    static func derived(_ store: FrontDeskStore) throws -> [String] {
        let queue = try DatabaseQueue(path: store.path)
        return try queue.read { db in
            try String.fetchAll(db, sql: "SELECT night || ' firm ' || firm FROM night_load WHERE firm > 0 ORDER BY night")
                + String.fetchAll(db, sql: """
                    SELECT s.night || ' ' || t.name || ' ' || s.rooms_sold || ' ' || s.revenue_cents
                    FROM night_sales s JOIN room_type t ON t.id = s.room_type_id WHERE s.rooms_sold > 0 OR s.revenue_cents <> 0
                    ORDER BY s.night, t.name
                    """)
        }
    }

    static func outbox(_ store: FrontDeskStore) throws -> [(kind: String, state: String, attempts: Int, error: String?)] {
        let queue = try DatabaseQueue(path: store.path)
        return try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT kind, state, attempts, last_error FROM sync_outbox ORDER BY seq").map { ($0[0], $0[1], $0[2], $0[3]) }
        }
    }
}

@Suite struct ReplicaApplyTests {
    /// A server whose hotel is in a zone this machine does not know (older time zone data here):
    /// the desk ran it on UTC's dates without a word. It is refused, and the desk stays unconnected.
    @Test func aHotelInAZoneThisMachineDoesNotKnowIsNotTaken() throws {
        let pair = try ReplicaPair()
        var page = try pair.firstPage([])
        page.hotel?.timeZone = "America/Nowhere_Yet"
        do {
            try pair.desk.store.beginReplica(page, server: "http://127.0.0.1:8080")
            Issue.record("a replica in an unknown zone was taken")
        } catch let error as FrontDeskError {
            #expect(error.message.contains("America/Nowhere_Yet") && error.message.contains("tzdata"), "\(error.message)")
        }
        #expect(try pair.desk.store.replicaStatus() == nil, "not connected")
        #expect(try pair.desk.store.hotel() == nil, "no hotel taken")
    }

    @Test func aReplicaHoldsTheServersBookingsFieldForField() throws {
        let pair = try ReplicaPair()
        let confirmed = try pair.server.book(room: "101", from: "2026-12-01", to: "2026-12-04")
        let held = try pair.server.store.reserve(pair.server.form(room: "201", from: "2026-12-02", to: "2026-12-05", guests: "3"), by: "anna")
        let cancelled = try pair.server.store.cancel(try pair.server.book(room: "102").confirmationCode, reason: "Guest called", by: "anna")
        let arriving = try pair.server.book(room: "103", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try pair.server.store.checkIn(arriving.confirmationCode, by: "anna")
        let all = [confirmed, held, cancelled, inHouse]
        try pair.connect(all)

        for booking in all {
            let wire = try pair.wire(booking)
            #expect(try pair.desk.store.booking(booking.confirmationCode) == (try wire.booking()))
        }
        #expect(try pair.desk.store.hotel() == (try pair.server.store.hotel()))
        #expect(try pair.desk.store.rooms() == (try pair.server.store.rooms()))
        // Same claims, same derived figures: availability and occupancy agree.
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
        #expect(try pair.desk.freeRooms("2026-12-01", "2026-12-06") == (try pair.server.freeRooms("2026-12-01", "2026-12-06")))
        #expect(!(try pair.desk.freeRooms("2026-12-01", "2026-12-06")).contains("101"))
        #expect(try pair.desk.freeRooms("2026-12-01", "2026-12-03").contains("102"))
        let status = try #require(try pair.desk.store.replicaStatus())
        #expect(status.hotelId == (try pair.server.store.hotel())!.id)
        #expect(status.server == "http://127.0.0.1:8080")
        #expect(status.cursor == 7)
        #expect(status.pendingOperations == 0 && status.openConflicts == 0)
        #expect(try pair.desk.store.syncStates(of: all.map(\.id)) == Dictionary(uniqueKeysWithValues: all.map { ($0.id, "synced") }))
    }

    @Test func laterPagesAndChangesReplaceBookingsAndKeepTheFiguresRight() throws {
        let pair = try ReplicaPair()
        let first = try pair.server.book(room: "101", from: "2026-12-01", to: "2026-12-04")
        try pair.connect([first])
        let second = try pair.server.book(room: "202", from: "2026-12-02", to: "2026-12-03", guests: "4")
        try pair.desk.store.applyReplicaBookings([try pair.wire(second)])

        // On the server: the first is cancelled, a new booking takes its room, the second moves.
        _ = try pair.server.store.cancel(first.confirmationCode, reason: nil, by: "anna")
        let third = try pair.server.book(room: "101", from: "2026-12-02", to: "2026-12-05")
        let moved = try pair.server.store.move(second.confirmationCode, toRoom: "201", reason: nil, reprice: false, ChangeRequest(user: "anna"))
        // The new booking comes before the ones that gave its night up: the server's claim stands.
        try pair.desk.store.applyChanges(ChangesPage(cursor: 12, more: false,
                                                     bookings: [try pair.wire(third), try pair.wire(first), try pair.wire(moved)]))

        for booking in [first, second, third] {
            #expect(try pair.desk.store.booking(booking.confirmationCode) == (try pair.wire(booking).booking()))
        }
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
        #expect(try pair.desk.freeRooms("2026-12-01", "2026-12-06", guests: "1") == (try pair.server.freeRooms("2026-12-01", "2026-12-06", guests: "1")))
        #expect(try pair.desk.store.replicaStatus()?.cursor == 12)
    }

    /// The first answer to a retried request, which the server keeps as it was given, names the
    /// booking as it was then: a desk that has a newer copy keeps it.
    @Test func anOlderCopyOfABookingIsNotWrittenOverANewerOne() throws {
        let pair = try ReplicaPair()
        let booking = try pair.server.book(room: "101", from: "2026-12-01", to: "2026-12-04")
        try pair.connect([booking])
        let older = try pair.wire(booking)
        let moved = try pair.server.store.move(booking.confirmationCode, toRoom: "102", reason: nil, reprice: false, ChangeRequest(user: "anna"))
        let newer = try pair.wire(moved)
        try pair.desk.store.applyChanges(ChangesPage(cursor: 9, more: false, bookings: [newer]))
        try pair.desk.store.applyChanges(ChangesPage(cursor: 9, more: false, bookings: [older]))
        let kept = try pair.desk.store.booking(booking.confirmationCode)
        #expect(kept.roomNumber == "102" && kept.version == moved.version)
        #expect(try pair.desk.freeRooms("2026-12-01", "2026-12-04").contains("101"))
    }

    @Test func aStaySplitByAMoveIsReplicatedWithBothRooms() throws {
        let pair = try ReplicaPair()
        let booked = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        _ = try pair.server.store.checkIn(booked.confirmationCode, by: "anna")
        // A day later, on the server, the guest moves for the last two nights.
        let clock = pair.server.clock
        let nextDay = try FrontDeskStore(path: pair.server.store.path, clock: { clock.now }, businessDate: CalendarDate(iso: "2026-11-27")!)
        let moved = try nextDay.move(booked.confirmationCode, toRoom: "102", reason: "Noisy", reprice: false, ChangeRequest(user: "anna"))
        #expect(moved.roomSince == CalendarDate(iso: "2026-11-27"))
        let wire = try pair.wire(moved)
        #expect(Set(wire.claims.map(\.roomId)).count == 2)

        try pair.connect([moved])
        #expect(try pair.desk.store.booking(moved.confirmationCode) == (try wire.booking()))
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
    }

    @Test func connectingAgainToTheSameHotelKeepsOneCopy() throws {
        let pair = try ReplicaPair()
        let booked = try pair.server.book(room: "101")
        try pair.connect([booked])
        try pair.desk.store.forgetReplica()
        #expect(try pair.desk.store.replicaStatus() == nil)
        #expect(try pair.desk.store.booking(booked.confirmationCode).id == booked.id) // the data stays

        let later = try pair.server.book(room: "102")
        try pair.desk.store.beginReplica(try pair.firstPage([booked, later], cursor: 30), server: "http://127.0.0.1:9090")
        #expect(try pair.desk.count("booking") == 2)
        #expect(try pair.desk.count("hotel") == 1)
        #expect(try pair.desk.count("room") == 7)
        #expect(try pair.desk.store.replicaStatus()?.cursor == 30)
        #expect(try pair.desk.store.replicaStatus()?.server == "http://127.0.0.1:9090")
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
    }

    /// Disconnected, the desk sold a room-night; the server sold the same one meanwhile. Connected
    /// again, the desk's booking is queued for the server like an offline one and comes back as a
    /// conflict to resolve, not dropped without a word (issue 12: never a silent loss).
    @Test func aBookingMadeWhileStandaloneIsQueuedWhenTheDeskConnectsAgain() throws {
        let pair = try ReplicaPair()
        try pair.connect([])
        try pair.desk.store.forgetReplica()
        let standalone = try pair.desk.book(room: "101", from: "2026-12-28", to: "2026-12-30")
        let free = try pair.desk.book(room: "102", from: "2026-12-28", to: "2026-12-30")
        // A guest checked in while standalone: pushed as a booking followed by its check-in.
        let staying = try pair.desk.book(room: "103", from: "2026-11-26", to: "2026-11-28")
        _ = try pair.desk.store.checkIn(staying.confirmationCode, by: "anna")
        let serverOne = try pair.server.book(room: "101", from: "2026-12-29", to: "2026-12-31")
        try pair.desk.store.beginReplica(try pair.firstPage([serverOne], cursor: 40), server: "http://127.0.0.1:8080")

        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.kind) == ["book", "book", "book", "checkIn"])
        // The one whose night the server sold meanwhile is a conflict at once; the other waits.
        let states = try pair.desk.store.syncStates(of: [standalone.id, free.id])
        #expect(states[standalone.id] == "conflict", "\(states)")
        #expect(states[free.id] == "pending", "\(states)")
        try pair.sync()
        let conflicts = try pair.desk.store.syncConflicts(includeResolved: false)
        #expect(conflicts.map(\.booking.id) == [standalone.id])
        #expect(try pair.server.store.booking(free.id.uuidString).roomNumber == "102", "the other one reached the server")
        #expect(try pair.desk.store.syncStates(of: [free.id])[free.id] == "synced")
        #expect(try pair.desk.store.booking(staying.confirmationCode).status == .checkedIn)
        #expect(try pair.desk.store.syncStates(of: [staying.id])[staying.id] == "synced")
        #expect(try pair.desk.count("room_night WHERE booking_id = '\(staying.id.uuidString)'") == 2)
        // The server has the guest in house, in the room the desk gave them.
        let onServer = try pair.server.store.booking(staying.id.uuidString)
        #expect(onServer.status == .checkedIn && onServer.roomNumber == "103", "\(onServer.status) \(onServer.roomNumber)")
    }

    /// A guest checked in while standalone and paid by card through the desk's own payment
    /// service is not sent (the server would record a desk payment); when the server sells a night
    /// of theirs, the booking becomes a conflict on the list, its nights released for the server's
    /// booking, never stripped in silence; moved, it stays on this desk only, for entry by hand.
    @Test func anUnsentGuestInHouseWhoseNightTheServerSoldIsAConflictNotALoss() throws {
        let pair = try ReplicaPair()
        try pair.connect([])
        try pair.desk.store.forgetReplica()
        let staying = try pair.desk.book(room: "103", from: "2026-11-26", to: "2026-11-28")
        _ = try pair.desk.store.checkIn(staying.confirmationCode, by: "anna")
        let queue = try DatabaseQueue(path: pair.desk.store.path)
        try queue.write { db in
            try db.execute(sql: "UPDATE saga SET payment_method = 'card' WHERE booking_id = ?", arguments: [staying.id.uuidString])
        }
        let serverOne = try pair.server.book(room: "103", from: "2026-11-27", to: "2026-11-28")
        try pair.desk.store.beginReplica(try pair.firstPage([serverOne], cursor: 40), server: "http://127.0.0.1:8080")

        let conflicts = try pair.desk.store.syncConflicts(includeResolved: false)
        #expect(conflicts.map(\.booking.id) == [staying.id], "the guest is on the conflict list")
        #expect(conflicts.first?.reason == "room_unavailable")
        #expect(conflicts.first?.message?.contains("standalone") == true, "\(conflicts.first?.message ?? "")")
        #expect(try pair.desk.store.booking(staying.id.uuidString).status == .checkedIn)
        #expect(try pair.desk.store.syncStates(of: [staying.id])[staying.id] == "conflict")
        // Nothing is pushed for it until someone resolves it.
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)

        let moved = try pair.desk.store.resolveConflict(conflicts[0].conflictId, moveTo: "104", by: "anna")
        #expect(moved.roomNumber == "104" && moved.status == .checkedIn)
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty, "a card-paid stay is not sent as a desk payment")
        #expect(try pair.desk.store.syncStates(of: [staying.id])[staying.id] == "synced")
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)
        #expect(try pair.desk.count("room_night WHERE booking_id = '\(staying.id.uuidString)'") == 2)
        let history = try pair.desk.store.auditTrail(bookingReference: staying.id.uuidString).map(\.summary)
        #expect(history.contains { $0.contains("on this desk only") && $0.contains("by hand") }, "\(history)")
    }

    /// Paid at the desk, a guest in house goes to the server on connect (a booking and its
    /// check-in), unless their departure has come (the server checks a guest in only before it)
    /// or their stay began more than a week ago: those stay here, named for entry by hand.
    @Test func aStandaloneGuestInHouseIsSentWhileTheServerCanCheckThemIn() throws {
        let pair = try ReplicaPair()
        try pair.connect([])
        try pair.desk.store.forgetReplica()
        // One checked in today for two nights; one yesterday, whose departure has come today.
        // (The fixtures' stores keep a fixed business date, which a desk's booking made on an
        // earlier day is then checked against, so the one sent begins today.)
        let staying = try pair.desk.book(room: "103", from: "2026-11-26", to: "2026-11-28")
        _ = try pair.desk.store.checkIn(staying.confirmationCode, by: "anna")
        let leaving = try pair.desk.checkedIn(daysAgo: 1, room: "104", from: "2026-11-25", to: "2026-11-26", name: "Bo Leave")
        try pair.desk.store.beginReplica(try pair.firstPage([], cursor: 40), server: "http://127.0.0.1:8080")
        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.kind) == ["book", "checkIn"])
        let outcomes = try pair.sync()
        #expect(outcomes.allSatisfy { $0.outcome == .accepted }, "\(outcomes)")
        #expect(try pair.server.store.booking(staying.id.uuidString).status == .checkedIn)
        #expect(throws: (any Error).self) { try pair.server.store.booking(leaving.id.uuidString) }
        let left = try pair.desk.store.auditTrail(bookingReference: nil).map(\.summary)
        #expect(left.contains { $0.contains("not sent to the server") && $0.contains(leaving.confirmationCode) }, "\(left)")
    }

    /// A walk-in sold the night under way, on a desk that connects (or resolves its conflict)
    /// before 06:00: its stay has not ended, so it goes to the server (it was kept on the desk
    /// only, and the server could sell the room again for that night).
    @Test func aWalkInOfTheNightUnderWayIsSentToTheServer() {
        let now = Date()
        let walkIn = Booking(id: UUID(), hotelId: UUID(), roomId: UUID(), roomNumber: "101", confirmationCode: "WLK-NGT",
                             guest: Guest(name: "Walt Walker", email: "walt@example.com"), guestCount: 1,
                             stay: StayDates(checkIn: CalendarDate(iso: "2026-11-25")!, checkOut: CalendarDate(iso: "2026-11-26")!)!,
                             status: .checkedIn, nightlyPrices: [], version: 2, holdExpiresAt: nil, statusReason: nil,
                             createdAt: now, updatedAt: now)
        let today = CalendarDate(iso: "2026-11-26")!
        #expect(FrontDeskStore.reasonNotToSend(walkIn, paidByCard: false, today: today, nightUnderWay: today.adding(days: -1)) == nil)
        #expect(FrontDeskStore.reasonNotToSend(walkIn, paidByCard: false, today: today, nightUnderWay: nil) == "the guest's departure date has come")
    }

    /// The same walk-in, the desk connecting (or resolving its conflict) at 07:00: made at 01:00,
    /// it is still that night's, so it goes, and its check-in goes dated when the booking was
    /// made (the server checks a guest in on the day of departure only for the night under way).
    /// It was kept on the desk only, and its check-out went to a server that never had it. One
    /// made at 23:00 the evening before, whose departure has come, is still kept here.
    @Test func aWalkInMadeAfterMidnightIsSentAfterSixWithItsCheckInDatedThatNight() throws {
        let hotel = Hotel(id: UUID(), name: "Test", timeZoneIdentifier: "Europe/Vienna", currency: "EUR")
        let at = { (text: String) in try #require(InstantText.instant(text)) }
        let made = try at("2026-11-26T00:00:00.000Z") // 01:00 in Vienna
        var walkIn = Booking(id: UUID(), hotelId: hotel.id, roomId: UUID(), roomNumber: "101", confirmationCode: "WLK-NGT",
                             guest: Guest(name: "Walt Walker", email: "walt@example.com"), guestCount: 1,
                             stay: StayDates(checkIn: CalendarDate(iso: "2026-11-25")!, checkOut: CalendarDate(iso: "2026-11-26")!)!,
                             status: .checkedIn, nightlyPrices: [], version: 2, holdExpiresAt: nil, statusReason: nil,
                             createdAt: made, updatedAt: made, checkedInOn: CalendarDate(iso: "2026-11-25"))
        let today = CalendarDate(iso: "2026-11-26")!
        let seven = try at("2026-11-26T06:00:00.000Z") // 07:00 in Vienna
        let night = hotel.nightOfArrival(for: walkIn, at: seven, businessDate: today)
        #expect(night == CalendarDate(iso: "2026-11-25"))
        #expect(FrontDeskStore.reasonNotToSend(walkIn, paidByCard: false, today: today, nightUnderWay: night) == nil)
        #expect(FrontDeskStore.checkInMadeAt(walkIn, hotel: hotel, today: today) == made)
        walkIn = Booking(id: walkIn.id, hotelId: hotel.id, roomId: walkIn.roomId, roomNumber: "101", confirmationCode: "WLK-EVE",
                         guest: walkIn.guest, guestCount: 1, stay: walkIn.stay, status: .checkedIn, nightlyPrices: [], version: 2,
                         holdExpiresAt: nil, statusReason: nil, createdAt: try at("2026-11-25T22:00:00.000Z"), updatedAt: made)
        // Booked days ahead and checked in last evening: its check-in goes as made now (dated when
        // it was booked, it came before the arrival, and the server refused it).
        let ahead = Booking(id: UUID(), hotelId: hotel.id, roomId: UUID(), roomNumber: "102", confirmationCode: "AHD-BKD",
                            guest: walkIn.guest, guestCount: 1, stay: walkIn.stay, status: .checkedIn, nightlyPrices: [], version: 2,
                            holdExpiresAt: nil, statusReason: nil, createdAt: try at("2026-11-20T10:00:00.000Z"), updatedAt: made,
                            checkedInOn: CalendarDate(iso: "2026-11-25"))
        #expect(FrontDeskStore.checkInMadeAt(ahead, hotel: hotel, today: today) == nil)
        let evening = hotel.nightOfArrival(for: walkIn, at: seven, businessDate: today)
        #expect(evening == nil)
        #expect(FrontDeskStore.reasonNotToSend(walkIn, paidByCard: false, today: today, nightUnderWay: evening) == "the guest's departure date has come")
    }

    /// Connected, the desk's cancel of one of the server's bookings said nothing about paying the
    /// guest back (the server refunds it as it was paid and records that there): the booking's
    /// history here says who pays back what, with the amount to hand over if paid at a desk.
    @Test func aConnectedDesksCancelSaysHowTheGuestIsPaidBack() throws {
        let pair = try ReplicaPair()
        let leaving = try pair.server.book(room: "101", from: "2026-12-10", to: "2026-12-12")
        try pair.connect([leaving])
        _ = try pair.desk.store.cancel(leaving.confirmationCode, reason: "Guest called", by: "anna")
        let history = try pair.desk.store.auditTrail(bookingReference: leaving.confirmationCode).map(\.summary)
        #expect(history.contains { $0.contains("a card payment goes back to the card")
            && $0.contains("what was paid at a desk (\(leaving.totalPrice.plain) EUR) is to be paid back at the desk") }, "\(history)")
        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.kind) == ["cancel"])
    }

    /// Disconnected, the desk cancelled one of the server's bookings and checked a guest of
    /// another out. Connected again, both changes are queued for the server (not written over by
    /// the server's copies) and reach it; the cancel records no refund at the desk (the server
    /// pays it back as it was paid).
    @Test func changesToServerBookingsMadeWhileDisconnectedReachTheServer() throws {
        let pair = try ReplicaPair()
        let leaving = try pair.server.book(room: "101", from: "2026-12-10", to: "2026-12-12")
        let staying = try pair.server.store.checkIn(try pair.server.book(room: "102", from: "2026-11-26", to: "2026-11-28").confirmationCode, by: "anna")
        try pair.connect([leaving, staying])
        try pair.desk.store.forgetReplica()
        let refundsBefore = try pair.desk.count("audit_entry WHERE action = 'booking.refunded'")
        _ = try pair.desk.store.cancel(leaving.confirmationCode, reason: "Guest called", by: "anna")
        _ = try pair.desk.store.checkOut(staying.confirmationCode, by: "anna")
        #expect(try pair.desk.count("audit_entry WHERE action = 'booking.refunded'") == refundsBefore)
        // Not silent either: the booking's history says the refund waits for the server.
        let history = try pair.desk.store.auditTrail(bookingReference: leaving.confirmationCode).map(\.summary)
        #expect(history.contains { $0.contains("not refunded at this desk") }, "\(history)")

        try pair.desk.store.beginReplica(try pair.firstPage([leaving, staying], cursor: 40), server: "http://127.0.0.1:8080")
        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.kind) == ["cancel", "checkOut"])
        #expect(try pair.desk.store.booking(leaving.confirmationCode).status == .cancelled)
        #expect(try pair.desk.store.booking(staying.confirmationCode).status == .checkedOut)
        try pair.sync()
        #expect(try pair.server.store.booking(leaving.id.uuidString).status == .cancelled)
        #expect(try pair.server.store.booking(staying.id.uuidString).status == .checkedOut)
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)
    }

    @Test func aDeskOfAnotherHotelIsRefusedAndKeepsItsOwn() throws {
        let pair = try ReplicaPair()
        let other = try StoreFixture()
        try other.book(room: "101")
        try other.book(room: "102")
        let page = try pair.firstPage([try pair.server.book(room: "103")])
        #expect {
            try other.store.beginReplica(page, server: "http://127.0.0.1:8080")
        } throws: { error in
            guard case FrontDeskError.conflict(let message) = error else { return false }
            return message.contains("Hotel Test") && message.contains("2 bookings") && message.contains("use another --db")
        }
        #expect(try other.store.replicaStatus() == nil)
        #expect(try other.count("booking") == 2)
        #expect(try other.count("hotel") == 1)
    }

    @Test func anotherProtocolIsRefusedWithAMessage() throws {
        let pair = try ReplicaPair()
        var page = try pair.firstPage([])
        page.protocolVersion = SyncWire.protocolVersion + 1
        #expect {
            try pair.desk.store.beginReplica(page, server: "http://127.0.0.1:8080")
        } throws: { error in
            (error as? FrontDeskError)?.message.contains("protocol \(SyncWire.protocolVersion + 1)") == true
        }
        #expect(try pair.desk.store.hotel() == nil)
        #expect(try pair.desk.store.replicaStatus() == nil)
    }

    @Test func aStandaloneDeskWritesNoOperations() throws {
        let desk = try StoreFixture()
        let booked = try desk.book(room: "101")
        _ = try desk.store.cancel(booked.confirmationCode, reason: nil, by: "anna")
        _ = try desk.store.reserve(desk.form(room: "102"), payment: try PaymentInstruction.parse(method: "card", card: "4242424242424242"), by: "anna")
        #expect(try desk.store.replicaStatus() == nil)
        #expect(try desk.count("sync_outbox") == 0)
        #expect(try desk.store.syncStates(of: [booked.id]) == [booked.id: "synced"])
        #expect(try desk.store.queuedOperations(limit: 10).isEmpty)
    }
}
