import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// Offline writes on a connected desk: the outbox, the server's answers, conflicts (issue 12).
@Suite struct OutboxTests {
    /// A connected desk with the server's booking of room 104, and an offline booking of room 101.
    func offlineBooking(_ pair: ReplicaPair, room: String = "101", requestId: UUID = UUID()) throws -> Booking {
        let held = try pair.desk.store.reserve(pair.desk.form(room: room), requestId: requestId, by: "anna")
        return try pair.desk.store.confirm(held.confirmationCode, by: "anna")
    }

    /// A booking made offline in room 101 whose `book` the server refused (`room_unavailable`):
    /// the booking, its operation and the conflict it left.
    func conflictedBooking(_ pair: ReplicaPair) throws -> (Booking, SyncOperation, SyncConflict) {
        try pair.connect()
        let mine = try offlineBooking(pair, room: "101")
        let first = try #require(try pair.desk.store.queuedOperations(limit: 1).first)
        try pair.desk.store.settle([SyncOutcome(operationId: first.operationId, outcome: .conflict, code: "room_unavailable")])
        return (mine, first, try #require(try pair.desk.store.syncConflicts(includeResolved: false).first))
    }

    /// What the server answers when it takes the operation: the booking as the desk made it, its
    /// version the server's.
    func accepted(_ operation: SyncOperation, _ booking: Booking, version: Int = 3, code: String? = nil, pair: ReplicaPair) throws -> SyncOutcome {
        var wire = try pair.wire(of: pair.desk.store, booking.id)
        wire.version = version
        if let code { wire.confirmation = code }
        wire.claims = booking.stay.nights.map { WireClaim(night: $0, roomId: booking.roomId) }
        return SyncOutcome(operationId: operation.operationId, outcome: .accepted, booking: wire, confirmationChanged: code != nil)
    }

    /// A server booking on a connected desk carries no saga (the desk does not know how it was
    /// paid): cancelled here offline, no refund is recorded here (a card's would be paid back
    /// twice, at the desk and by the server), and the cancel waits in the outbox for the server.
    @Test func aServerBookingCancelledOfflineLeavesItsRefundToTheServer() throws {
        let pair = try ReplicaPair()
        let onServer = try pair.server.book(room: "104")
        try pair.connect([onServer])
        let cancelled = try pair.desk.store.cancel(onServer.confirmationCode, reason: "Guest called", by: "anna")
        #expect(cancelled.status == .cancelled)
        let actions = try pair.desk.store.auditTrail(bookingReference: onServer.confirmationCode).map(\.action)
        #expect(!actions.contains("booking.refunded"), "\(actions)")
        #expect(try pair.desk.count("saga_message") == 0)
        #expect(try pair.desk.store.queuedOperations(limit: 10).map(\.kind) == [.cancel])
        // A booking made here (paid at this desk) is still paid back here when cancelled.
        let mine = try offlineBooking(pair, room: "101")
        _ = try pair.desk.store.cancel(mine.confirmationCode, reason: "Guest called", by: "anna")
        #expect(try pair.desk.store.auditTrail(bookingReference: mine.confirmationCode).map(\.action).contains("booking.refunded"))
    }

    /// Booked and cancelled offline, paid at this desk: the server's record of the desk refund
    /// came back as a second "payment refunded (desk-refund): … to be paid back at the desk", and
    /// someone adding up the audit's refunds could pay it twice (a night shift's review, session
    /// 61). It is kept as the same refund, without the words or the amount that say to pay.
    @Test func theServersCopyOfARefundMadeHereIsTheSameRefund() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let mine = try offlineBooking(pair, room: "101")
        _ = try pair.desk.store.cancel(mine.confirmationCode, reason: "Guest called", by: "anna")
        let answers = try pair.sync()
        #expect(answers.map(\.outcome) == [.accepted, .accepted], "\(answers)")
        #expect(answers.last?.recorded?.contains { $0.contains("payment refunded (desk-refund): ") } == true,
                "the server recorded the refund: \(answers)")
        let history = try pair.desk.store.auditTrail(bookingReference: mine.confirmationCode)
        let refunds = history.filter { $0.summary.contains("payment refunded (desk-refund): ") || $0.summary.contains("to be paid back") }
        #expect(refunds.map(\.action) == ["booking.refunded"], "said once, by this desk: \(history.map(\.summary))")
        let copies = history.filter { $0.action == FrontDeskStore.serverLinesOfAQueuedChange && $0.summary.contains("the same desk refund") }
        #expect(copies.count == 1, "\(history.map(\.summary))")
        #expect(copies.first?.summary.contains("not another refund") == true && copies.first?.summary.contains(mine.totalPrice.plain) == false)
        // The server's other line of the cancel is kept as it was.
        #expect(history.contains { $0.action == FrontDeskStore.serverLinesOfAQueuedChange
                    && $0.summary.hasPrefix("On the server, for a change made here earlier: ") && !$0.summary.contains("the same") })
    }

    @Test func anOfflineBookingIsWrittenWithItsOperationInOneTransaction() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let requestId = UUID()
        let booking = try offlineBooking(pair, requestId: requestId)
        #expect(booking.status == .confirmed) // the desk payment confirms locally
        #expect(try pair.desk.store.syncStates(of: [booking.id]) == [booking.id: "pending"])
        let operations = try pair.desk.store.queuedOperations(limit: 10)
        #expect(operations.count == 1)
        let operation = try #require(operations.first)
        #expect(operation.operationId == requestId.uuidString.lowercased())
        #expect(operation.kind == .book && operation.baseVersion == nil && operation.by == "anna")
        #expect(operation.bookingId == booking.id.uuidString.lowercased())
        #expect(operation.book?.confirmation == booking.confirmationCode)
        #expect(operation.book?.roomNumber == "101" && operation.book?.roomId == booking.roomId.uuidString.lowercased())
        #expect(operation.book?.payment == "desk" && operation.book?.totalCents == booking.totalPrice.minorUnits)
        // The prices the guest paid at the desk go with it: the server keeps them.
        #expect(operation.book?.nightlyPrices == booking.nightlyPrices.map { .init(night: $0.night.iso, priceCents: $0.price.minorUnits) })
        #expect(try pair.desk.store.replicaStatus()?.pendingOperations == 1)
        #expect(!(try pair.desk.freeRooms()).contains("101"))

        // A reserve that fails leaves neither a booking nor an operation.
        #expect(throws: FrontDeskError.self) { try pair.desk.store.reserve(pair.desk.form(room: "101"), by: "anna") }
        #expect(throws: FrontDeskError.self) { try pair.desk.store.reserve(pair.desk.form(room: "102", guests: "9"), by: "anna") }
        #expect(try pair.desk.count("booking") == 1)
        #expect(try pair.desk.count("sync_outbox") == 1)
        // A card is never charged offline.
        let card = try PaymentInstruction.parse(method: "card", card: "4242424242424242")
        #expect {
            try pair.desk.store.reserve(pair.desk.form(room: "102"), payment: card, by: "anna")
        } throws: { error in
            (error as? FrontDeskError)?.message.contains("ard payments need the server; this desk is offline") == true
        }
        #expect(try pair.desk.count("booking") == 1)
        #expect(try pair.desk.count("sync_outbox") == 1)
        // The same request again is the same booking and the same operation.
        let again = try pair.desk.store.reserve(pair.desk.form(room: "101"), requestId: requestId, by: "anna")
        #expect(again.id == booking.id)
        #expect(try pair.desk.count("sync_outbox") == 1)
    }

    @Test func aPlannedBookingWritesNothingAndMatchesTheOfflineWrite() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let operationId = UUID()
        let request = ReservationRequest(form: pair.desk.form(room: "102"), user: "anna")
        let planned = try pair.desk.store.plannedBooking(request, operationId: operationId)
        #expect(try pair.desk.count("booking") == 0)
        #expect(try pair.desk.count("sync_outbox") == 0)
        #expect(planned.operationId == operationId.uuidString.lowercased())
        let code = try #require(planned.book?.confirmation)

        let written = try #require(try pair.desk.store.reserveAll([
            ReservationRequest(form: pair.desk.form(room: "102"), requestId: operationId, user: "anna",
                               bookingId: UUID(uuidString: planned.bookingId), confirmationCode: code),
        ]).first).get()
        #expect(written.id.uuidString.lowercased() == planned.bookingId)
        #expect(written.confirmationCode == code)
        var queued = try #require(try pair.desk.store.queuedOperations(limit: 1).first)
        queued.madeAt = planned.madeAt
        #expect(queued == planned)
    }

    @Test func anAcceptedBookingBecomesTheServers() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let booking = try offlineBooking(pair)
        let operation = try #require(try pair.desk.store.queuedOperations(limit: 1).first)
        let answer = try accepted(operation, booking, pair: pair)
        try pair.desk.store.settle([answer])
        #expect(try pair.desk.store.syncStates(of: [booking.id]) == [booking.id: "synced"])
        #expect(try pair.desk.store.booking(booking.id.uuidString) == (try answer.booking!.booking()))
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)
        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.state) == ["accepted"])
        #expect(try pair.desk.store.replicaStatus()?.pendingOperations == 0)
        #expect(!(try pair.desk.freeRooms()).contains("101"))
        // Pushed twice (the answer lost the first time), the same answer changes nothing.
        try pair.desk.store.settle([answer])
        #expect(try pair.desk.store.booking(booking.id.uuidString) == (try answer.booking!.booking()))
    }

    @Test func aChangedCodeIsTheGuestsNewCode() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let booking = try offlineBooking(pair)
        let operation = try #require(try pair.desk.store.queuedOperations(limit: 1).first)
        try pair.desk.store.settle([try accepted(operation, booking, code: "XXX-XXX", pair: pair)])
        #expect(try pair.desk.store.booking("XXX-XXX").id == booking.id)
        #expect(try pair.desk.store.auditTrail(bookingReference: "XXX-XXX").contains { $0.action == "booking.codeChanged" })
    }

    /// Booked and cancelled offline, refused by the server: nothing waits for anyone, so no
    /// conflict is made; both operations are settled refused, and the history says why once.
    @Test func aRefusedBookingCancelledHereIsNoConflict() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let booking = try offlineBooking(pair)
        _ = try pair.desk.store.cancel(booking.confirmationCode, reason: "Guest called", by: "anna")
        let operations = try pair.desk.store.queuedOperations(limit: 10)
        #expect(operations.map(\.kind) == [.book, .cancel])
        let quiet = try pair.desk.store.settle([
            SyncOutcome(operationId: operations[0].operationId, outcome: .conflict, code: "room_unavailable", message: "Room 101 is taken"),
            SyncOutcome(operationId: operations[1].operationId, outcome: .conflict, code: "depends_on_conflict"),
        ])
        #expect(quiet == Set(operations.map(\.operationId)))
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)
        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.state) == ["rejected", "rejected"])
        #expect(try pair.desk.store.booking(booking.confirmationCode).status == .cancelled)
        let said = try pair.desk.store.auditTrail(bookingReference: booking.confirmationCode).filter { $0.action == "booking.refusedAfterCancel" }
        #expect(said.count == 1 && said.first?.summary.contains("Room 101 is taken") == true)
    }

    @Test func aConflictReleasesTheRoomAndHoldsTheLaterOperations() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let booking = try offlineBooking(pair)
        // (A later cancel would leave nothing to settle: `aRefusedBookingCancelledHereIsNoConflict`.)
        _ = try pair.desk.store.move(booking.confirmationCode, toRoom: "102", reason: nil, reprice: false, ChangeRequest(user: "anna"))
        let operations = try pair.desk.store.queuedOperations(limit: 10)
        #expect(operations.map(\.kind) == [.book, .move])
        #expect(operations[1].baseVersion == nil) // the server has not got the booking yet

        let suggested = [WireSuggestedRoom(roomId: UUID().uuidString.lowercased(), roomNumber: "103", roomType: "Double", totalPriceCents: 20_000)]
        try pair.desk.store.settle([SyncOutcome(operationId: operations[0].operationId, outcome: .conflict, code: "room_unavailable",
                                                message: "Room 101 is taken", suggestedRooms: suggested)])
        #expect(try pair.desk.store.syncStates(of: [booking.id]) == [booking.id: "conflict"])
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)
        #expect(try ReplicaPair.outbox(pair.desk.store).map(\.state) == ["conflict", "conflict"])
        let conflicts = try pair.desk.store.syncConflicts(includeResolved: false)
        #expect(conflicts.count == 1)
        #expect(conflicts.first?.reason == "room_unavailable" && conflicts.first?.message == "Room 101 is taken")
        #expect(conflicts.first?.suggestedRooms == suggested)
        #expect(conflicts.first?.booking.id == booking.id)
        #expect(try pair.desk.store.replicaStatus()?.openConflicts == 1)

        // The second operation's own answer (it depended on the first) adds no second conflict.
        try pair.desk.store.settle([SyncOutcome(operationId: operations[1].operationId, outcome: .conflict, code: "depends_on_conflict")])
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).count == 1)
        #expect(try pair.desk.count("sync_outbox") == 2) // never lost
    }

    @Test func aRejectedOperationIsOnTheListAndARetryStaysQueued() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let first = try offlineBooking(pair, room: "101")
        let second = try offlineBooking(pair, room: "102")
        let operations = try pair.desk.store.queuedOperations(limit: 10)
        try pair.desk.store.settle([
            SyncOutcome(operationId: operations[0].operationId, outcome: .rejected, code: "validation_failed", message: "Guest name is too long"),
            SyncOutcome(operationId: operations[1].operationId, outcome: .retry, code: "unavailable", message: "database busy"),
        ])
        #expect(try pair.desk.store.syncStates(of: [first.id, second.id]) == [first.id: "conflict", second.id: "pending"])
        let outbox = try ReplicaPair.outbox(pair.desk.store)
        #expect(outbox.map(\.state) == ["rejected", "queued"])
        #expect(outbox[1].attempts == 1 && outbox[1].error == "database busy")
        #expect(try pair.desk.store.queuedOperations(limit: 10).map(\.operationId) == [operations[1].operationId])
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).map(\.reason) == ["validation_failed"])
        #expect(try pair.desk.freeRooms().contains("101"))
        #expect(!(try pair.desk.freeRooms()).contains("102"))
    }

    @Test func aServerBookingOverrulesAPendingOne() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let mine = try offlineBooking(pair, room: "101")
        // Meanwhile another desk sold room 101 for the night of 2 December, through the server.
        let theirs = try pair.server.book(room: "101", from: "2026-12-02", to: "2026-12-04")
        try pair.desk.store.applyChanges(ChangesPage(cursor: 9, more: false, bookings: [try pair.wire(theirs)]))

        #expect(try pair.desk.store.syncStates(of: [mine.id, theirs.id]) == [mine.id: "conflict", theirs.id: "synced"])
        #expect(try pair.desk.store.booking(theirs.confirmationCode) == (try pair.wire(theirs).booking()))
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        #expect(conflict.reason == "room_unavailable" && conflict.booking.id == mine.id)
        // The desk's booking holds nothing; the server's holds its nights.
        #expect(try pair.desk.freeRooms("2026-12-01", "2026-12-02").contains("101"))
        #expect(!(try pair.desk.freeRooms("2026-12-02", "2026-12-03")).contains("101"))
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
    }

    @Test func aConflictIsResolvedByAMoveThatQueuesANewBooking() throws {
        let pair = try ReplicaPair()
        let (mine, first, conflict) = try conflictedBooking(pair)
        _ = try offlineBooking(pair, room: "102")

        #expect(throws: FrontDeskError.self) { try pair.desk.store.resolveConflict(conflict.conflictId, moveTo: "102", by: "anna") }
        let moved = try pair.desk.store.resolveConflict(conflict.conflictId, moveTo: "103", by: "anna")
        #expect(moved.roomNumber == "103" && moved.id == mine.id && moved.confirmationCode == mine.confirmationCode)
        #expect(moved.status == .confirmed)
        #expect(try pair.desk.store.syncStates(of: [mine.id]) == [mine.id: "pending"])
        #expect(!(try pair.desk.freeRooms()).contains("103"))
        #expect(try pair.desk.freeRooms().contains("101"))
        let queued = try pair.desk.store.queuedOperations(limit: 10).filter { $0.bookingId == mine.id.uuidString.lowercased() }
        #expect(queued.count == 1)
        #expect(queued.first?.kind == .book && queued.first?.operationId != first.operationId)
        #expect(queued.first?.book?.roomNumber == "103" && queued.first?.book?.confirmation == mine.confirmationCode)
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)
        #expect(try pair.desk.store.syncConflicts(includeResolved: true).count == 1)
        #expect(throws: FrontDeskError.self) { try pair.desk.store.resolveConflict(conflict.conflictId, cancelBy: "anna") }
    }

    @Test func aConflictIsResolvedByCancellingAndRefunding() throws {
        let pair = try ReplicaPair()
        let (mine, _, conflict) = try conflictedBooking(pair)

        let cancelled = try pair.desk.store.resolveConflict(conflict.conflictId, cancelBy: "anna")
        #expect(cancelled.status == .cancelled)
        #expect(try pair.desk.store.auditTrail(bookingReference: mine.confirmationCode).contains { $0.action == "booking.refunded" })
        // The server never had it: nothing to push.
        #expect(try pair.desk.store.queuedOperations(limit: 10).isEmpty)
        #expect(try pair.desk.store.syncConflicts(includeResolved: false).isEmpty)
        #expect(try pair.desk.store.replicaStatus()?.openConflicts == 0)
    }

    @Test func aServerBookingChangedOfflineIsQueuedOnItsVersionAndCancelledOnTheServerWhenResolved() throws {
        let pair = try ReplicaPair()
        let theirs = try pair.server.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let other = try pair.server.book(room: "102")
        try pair.connect([theirs, other])
        let planned = try pair.desk.store.plannedChange(.checkIn, reference: theirs.confirmationCode, reason: nil, by: "anna", operationId: UUID())
        #expect(planned.baseVersion == theirs.version && planned.kind == .checkIn)
        #expect(try pair.desk.count("sync_outbox") == 0)

        let operationId = UUID()
        let checkedIn = try pair.desk.store.checkIn(theirs.confirmationCode, by: "anna", operationId: operationId)
        #expect(checkedIn.status == .checkedIn)
        _ = try pair.desk.store.cancel(other.confirmationCode, reason: "Guest called", by: "anna")
        let operations = try pair.desk.store.queuedOperations(limit: 10)
        #expect(operations.map(\.kind) == [.checkIn, .cancel])
        #expect(operations[0].operationId == operationId.uuidString.lowercased() && operations[0].baseVersion == theirs.version)
        #expect(operations[1].baseVersion == other.version && operations[1].reason == "Guest called")

        // The cancel was based on an old version: a conflict; resolved by cancelling, which the
        // server, which has the booking, is told again.
        try pair.desk.store.settle([SyncOutcome(operationId: operations[1].operationId, outcome: .conflict, code: "stale_version")])
        let conflict = try #require(try pair.desk.store.syncConflicts(includeResolved: false).first)
        #expect(throws: FrontDeskError.self) { try pair.desk.store.resolveConflict(conflict.conflictId, moveTo: "103", by: "anna") }
        _ = try pair.desk.store.resolveConflict(conflict.conflictId, cancelBy: "anna")
        let queued = try pair.desk.store.queuedOperations(limit: 10)
        #expect(queued.map(\.kind) == [.checkIn, .cancel])
        #expect(queued[1].bookingId == other.id.uuidString.lowercased() && queued[1].operationId != operations[1].operationId)
    }

    @Test func statusAndForgettingTheReplica() throws {
        let pair = try ReplicaPair()
        try pair.connect()
        let connected = pair.desk.clock.now
        pair.desk.clock.advance(minutes: 5)
        // A failed attempt is not a sync: the status keeps the last time desk and server agreed.
        try pair.desk.store.recordSyncAttempt(error: "connection refused")
        var status = try #require(try pair.desk.store.replicaStatus())
        #expect(status.lastError == "connection refused" && status.lastSyncAt == connected)
        pair.desk.clock.advance(minutes: 5)
        try pair.desk.store.recordSyncAttempt(error: nil)
        status = try #require(try pair.desk.store.replicaStatus())
        #expect(status.lastError == nil && status.lastSyncAt == pair.desk.clock.now)
        let booking = try offlineBooking(pair)
        try pair.desk.store.forgetReplica()
        #expect(try pair.desk.store.replicaStatus() == nil)
        #expect(try pair.desk.store.booking(booking.confirmationCode).id == booking.id)
        // A standalone desk again: a booking queues nothing.
        _ = try pair.desk.book(room: "102")
        #expect(try pair.desk.count("sync_outbox") == 1)
    }
}
