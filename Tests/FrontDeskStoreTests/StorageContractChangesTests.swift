import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// The storage contract of changing a reservation (issue 14), the occupancy report and offline
/// desks' sync (issue 12), through `HotelStorage` only, on SQLite and PostgreSQL alike. Confirmed
/// bookings come from a desk's pushed `book` (held, paid at the desk and confirmed at once), the
/// one way the contract confirms without a saga runner.
@Suite struct StorageContractChangesTests {
    typealias Chain = StorageContractTests.Chain

    /// A chain with a suite (room 103, sleeps 4, 200.00) besides Vienna's two doubles.
    static func chain(_ backend: StorageBackend) throws -> Chain {
        let chain = try Chain(backend)
        _ = try chain.vienna.addRoomType(name: "Suite", capacity: 4, basePrice: Money(minorUnits: 20_000), by: "admin")
        _ = try chain.vienna.addRoom(number: "103", typeName: "Suite", by: "admin")
        return chain
    }

    static func bookOperation(_ hotel: any HotelStorage, room: String, from checkIn: String, to checkOut: String, name: String = "Ana Lee",
                              booking: UUID = UUID(), payment: String = "desk", operation: String = UUID().uuidString,
                              code: String = "KMN-PQR") throws -> SyncOperation {
        let listing = try #require(try hotel.rooms().first { $0.room.number == room })
        return SyncOperation(operationId: operation, kind: .book, bookingId: booking.uuidString.lowercased(), baseVersion: nil,
                             madeAt: "2026-11-18T09:00:00.000Z", by: "desk-anna",
                             book: .init(roomId: listing.room.id.uuidString.lowercased(), roomNumber: room, checkIn: checkIn,
                                         checkOut: checkOut, guests: 2, guestName: name, email: "ana@example.com", phone: nil,
                                         confirmation: code, payment: payment, totalCents: 20_000))
    }

    /// A confirmed booking, paid at the desk.
    static func confirmed(_ hotel: any HotelStorage, room: String, from checkIn: String, to checkOut: String,
                          name: String = "Ana Lee") throws -> Booking {
        let id = UUID()
        let outcome = try hotel.applySync([try bookOperation(hotel, room: room, from: checkIn, to: checkOut, name: name, booking: id)],
                                          by: "anna").results[0]
        #expect(outcome.outcome == .accepted, "\(outcome.code ?? "") \(outcome.message ?? "")")
        return try hotel.booking(id.uuidString)
    }

    static func request(_ user: String = "anna", requestId: UUID? = nil, version: Int? = nil) -> ChangeRequest {
        ChangeRequest(requestId: requestId, expectedVersion: version, user: user, channel: .server)
    }

    static func refusal(_ body: () throws -> Any) -> FrontDeskError? { StorageContractTests.refusal(body) }

    // MARK: Changing a stay

    @Test(arguments: StorageBackend.all)
    func anEditThatChangesNothingKeepsTheVersionAClerkExpects(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-12-01", to: "2026-12-03")
        let feedBefore = try chain.vienna.latestFeedSequence()
        // The form submitted as it was: the same name (with a stray space) and the same dates.
        let same = BookingEdit(guestName: " Ana Lee", checkIn: "2026-12-01", checkOut: "2026-12-03")
        let unchanged = try chain.vienna.changeBooking(ana.confirmationCode, same, Self.request(requestId: UUID(), version: ana.version))
        #expect(unchanged.version == ana.version && unchanged == ana)
        #expect(try chain.vienna.latestFeedSequence() == feedBefore, "nothing is announced to listeners or desks")
        // Another clerk who read the booking before still saves against the version they saw.
        let renamed = try chain.vienna.changeBooking(ana.confirmationCode, BookingEdit(guestName: "Ana Lee-Novak"),
                                                     Self.request("bruno", version: ana.version))
        #expect(renamed.version == ana.version + 1 && renamed.guest.name == "Ana Lee-Novak")
    }

    @Test(arguments: StorageBackend.all)
    func aLongerStayClaimsItsNewNightsKeepsItsPricesAndReadsBackItsNote(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-12-01", to: "2026-12-03")
        let feedBefore = try chain.vienna.latestFeedSequence()
        let requestId = UUID()
        let edit = BookingEdit(note: "Late arrival", checkOut: "2026-12-05")
        let longer = try chain.vienna.changeBooking(ana.confirmationCode, edit, Self.request(requestId: requestId, version: ana.version))
        #expect(longer.stay.checkOut.iso == "2026-12-05" && longer.version == ana.version + 1)
        #expect(longer.nightlyPrices.map(\.night.iso) == ["2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"])
        #expect(Array(longer.nightlyPrices.prefix(2)) == ana.nightlyPrices, "kept nights keep their price")
        #expect(longer.totalPrice.minorUnits > ana.totalPrice.minorUnits)
        let read = try chain.vienna.booking(ana.id.uuidString)
        #expect(read.notes.map(\.text) == ["Late arrival"] && read.notes.map(\.by) == ["anna"])
        #expect(read.totalPrice == longer.totalPrice && read.stay == longer.stay)
        // The new nights are the booking's: nobody else gets room 101 on the 4th.
        guard case .roomUnavailable? = Self.refusal({ try chain.reserve(chain.vienna, chain.request("101", from: "2026-12-04", to: "2026-12-06")) })
        else {
            Issue.record("a night the longer stay claimed must not be sold again")
            return
        }
        // Listeners hear of it.
        #expect(try chain.vienna.feedEvents(after: feedBefore).map(\.name).contains("RoomAvailabilityChanged"))
        // The same request again changes nothing; the same id for another change is refused.
        let replay = try chain.vienna.changeBooking(ana.confirmationCode, edit, Self.request(requestId: requestId, version: ana.version))
        #expect(replay.version == longer.version && replay.notes.count == 1)
        guard case .conflict? = Self.refusal({
            try chain.vienna.changeBooking(ana.confirmationCode, BookingEdit(guestName: "Ana Other"), Self.request(requestId: requestId))
        }) else {
            Issue.record("a request id used for another change must be refused")
            return
        }
    }

    /// Check-in, check-out and cancellation are intents too: a retry under the request id answers
    /// the booking as it is (no "already checked in"), the same id for another change is refused.
    @Test(arguments: StorageBackend.all)
    func checkInCheckOutAndCancelAnswerARetryWithTheBookingAsItIs(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        // The contract's business date is 2026-11-26: Ana arrives today.
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-11-26", to: "2026-11-28")
        let (checkedInUnder, checkedOutUnder, cancelledUnder) = (UUID(), UUID(), UUID())
        let inHouse = try chain.vienna.checkIn(ana.confirmationCode, Self.request(requestId: checkedInUnder, version: ana.version))
        #expect(inHouse.status == .checkedIn && inHouse.version == ana.version + 1)
        let retried = try chain.vienna.checkIn(ana.confirmationCode, Self.request(requestId: checkedInUnder, version: ana.version))
        #expect(retried.status == .checkedIn && retried.version == inHouse.version)
        guard case .conflict? = Self.refusal({ try chain.vienna.checkOut(ana.confirmationCode, Self.request(requestId: checkedInUnder)) }) else {
            Issue.record("a check-in's request id used for a check-out must be refused")
            return
        }
        #expect(try chain.vienna.booking(ana.id.uuidString).status == .checkedIn, "the refused check-out changed nothing")
        let gone = try chain.vienna.checkOut(ana.confirmationCode, Self.request(requestId: checkedOutUnder))
        #expect(gone.status == .checkedOut)
        #expect(try chain.vienna.checkOut(ana.confirmationCode, Self.request(requestId: checkedOutUnder)).version == gone.version)

        let ben = try Self.confirmed(chain.vienna, room: "102", from: "2026-12-05", to: "2026-12-07", name: "Ben Ode")
        let cancelled = try chain.vienna.cancel(ben.confirmationCode, reason: "Plans changed", Self.request(requestId: cancelledUnder))
        #expect(cancelled.status == .cancelled && cancelled.statusReason == "Plans changed")
        let again = try chain.vienna.cancel(ben.confirmationCode, reason: "Plans changed", Self.request(requestId: cancelledUnder))
        #expect(again.version == cancelled.version)
        guard case .conflict? = Self.refusal({
            try chain.vienna.cancel(ben.confirmationCode, reason: "Another reason", Self.request(requestId: cancelledUnder))
        }) else {
            Issue.record("a cancellation's request id with another reason must be refused")
            return
        }
        // Without a request id a second cancellation is refused as before: nothing says it is a retry.
        #expect(Self.refusal({ try chain.vienna.cancel(ben.confirmationCode, reason: nil, Self.request()) }) != nil)
        // A reason of spaces is no reason: the default, which names who cancelled, is kept.
        let cy = try Self.confirmed(chain.vienna, room: "101", from: "2026-12-05", to: "2026-12-07", name: "Cy Blank")
        let blank = try chain.vienna.cancel(cy.confirmationCode, reason: "   ", Self.request())
        #expect(blank.status == .cancelled && blank.statusReason?.contains(" by ") == true, "\(String(describing: blank.statusReason))")
    }

    @Test(arguments: StorageBackend.all)
    func aStaleVersionOrATakenNightChangesNothing(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-12-01", to: "2026-12-03")
        let ben = try Self.confirmed(chain.vienna, room: "101", from: "2026-12-03", to: "2026-12-05", name: "Ben Ode")
        guard case .staleVersion? = Self.refusal({
            try chain.vienna.changeBooking(ana.confirmationCode, BookingEdit(guestName: "Ana Lea"), Self.request(version: ana.version + 1))
        }) else {
            Issue.record("a change based on an old version must be refused")
            return
        }
        guard case .roomUnavailable(let message)? = Self.refusal({
            try chain.vienna.changeBooking(ana.confirmationCode, BookingEdit(checkOut: "2026-12-04"), Self.request(version: ana.version))
        }) else {
            Issue.record("a longer stay into another booking's night must be refused")
            return
        }
        #expect(message.contains("Room 101 is taken on the night of 2026-12-03"))
        #expect(message.hasSuffix("; free from 2026-12-01 to 2026-12-04: rooms 102, 103"), "rooms free for the whole stay: \(message)")
        #expect(try chain.vienna.booking(ana.id.uuidString) == ana)
        #expect(try chain.vienna.booking(ben.id.uuidString) == ben)
        // A shorter stay gives its night back at once.
        _ = try chain.vienna.changeBooking(ben.confirmationCode, BookingEdit(checkOut: "2026-12-04"), Self.request(version: ben.version))
        #expect(throws: Never.self) { try chain.reserve(chain.vienna, chain.request("101", from: "2026-12-04", to: "2026-12-06")) }
    }

    // MARK: Moving

    @Test(arguments: StorageBackend.all)
    func aMoveIntoATakenRoomIsRefusedWithSuggestionsAndARepricedMoveFreesTheOldRoom(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-12-01", to: "2026-12-03")
        _ = try Self.confirmed(chain.vienna, room: "102", from: "2026-12-02", to: "2026-12-04", name: "Ben Ode")
        guard case .roomUnavailable(let message)? = Self.refusal({
            try chain.vienna.move(ana.confirmationCode, toRoom: "102", reason: nil, reprice: false, Self.request(version: ana.version))
        }) else {
            Issue.record("a move into a taken night must be refused")
            return
        }
        #expect(message == "Room 102 is taken on the night of 2026-12-02; free from 2026-12-01 to 2026-12-03: room 103")
        guard case .staleVersion? = Self.refusal({
            try chain.vienna.move(ana.confirmationCode, toRoom: "103", reason: nil, reprice: true, Self.request(version: ana.version + 1))
        }) else {
            Issue.record("a move based on an old version must be refused")
            return
        }
        #expect(try chain.vienna.booking(ana.id.uuidString) == ana)
        let moved = try chain.vienna.move(ana.confirmationCode, toRoom: "103", reason: "Upgrade", reprice: true, Self.request(version: ana.version))
        #expect(moved.roomNumber == "103" && moved.version == ana.version + 1)
        #expect(moved.totalPrice.minorUnits > ana.totalPrice.minorUnits, "repriced at the suite's rate")
        #expect(try chain.vienna.booking(ana.id.uuidString).totalPrice == moved.totalPrice)
        // Room 101 is free again, room 103 is not.
        #expect(throws: Never.self) { try chain.reserve(chain.vienna, chain.request("101", from: "2026-12-01", to: "2026-12-03")) }
        guard case .roomUnavailable? = Self.refusal({ try chain.reserve(chain.vienna, chain.request("103", from: "2026-12-02", to: "2026-12-03")) })
        else {
            Issue.record("the moved-to room must hold the nights")
            return
        }
    }

    /// A repriced move is priced as a new booking of the room would be: on the nights' occupancy
    /// without the booking being moved (it counted itself, and crossed 40 % → 60 % here: 2 of 3
    /// rooms, a tenth dearer than the guest would have been quoted).
    @Test(arguments: StorageBackend.all)
    func aRepricedMoveIsPricedWithoutTheBookingItself(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        _ = try Self.confirmed(chain.vienna, room: "102", from: "2026-12-01", to: "2026-12-03", name: "Ben Ode")
        let quote = try #require(try chain.vienna.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2")
            .result.offers.first { $0.room.number == "103" })
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-12-01", to: "2026-12-03")
        let moved = try chain.vienna.move(ana.confirmationCode, toRoom: "103", reason: "Upgrade", reprice: true, Self.request(version: ana.version))
        #expect(moved.totalPrice == quote.totalPrice, "quoted \(quote.totalPrice.plain) for room 103, moved at \(moved.totalPrice.plain)")
        #expect(moved.nightlyPrices.map(\.price) == quote.nightlyPrices.map(\.price))
    }

    // MARK: No-show and undo

    @Test(arguments: StorageBackend.all)
    func aNoShowReleasesTheNightsAfterTheChargedOne(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-11-26", to: "2026-11-29")
        guard case .invalidState? = Self.refusal({ try chain.vienna.markNoShow(ana.confirmationCode, Self.request()) }) else {
            Issue.record("an arrival is no no-show before the cut-off (18:00)")
            return
        }
        chain.clock.advance(minutes: 7 * 60) // 19:06 in Vienna
        guard case .staleVersion? = Self.refusal({ try chain.vienna.markNoShow(ana.confirmationCode, Self.request(version: ana.version + 1)) })
        else {
            Issue.record("a no-show based on an old version must be refused")
            return
        }
        #expect(throws: FrontDeskError.self) { try chain.reserve(chain.vienna, chain.request("101", from: "2026-11-27", to: "2026-11-29")) }
        let gone = try chain.vienna.markNoShow(ana.confirmationCode, Self.request(version: ana.version))
        #expect(gone.status == .noShow && gone.statusReason == "No-show: first night charged")
        #expect(try chain.vienna.booking(ana.id.uuidString).status == .noShow)
        #expect(throws: Never.self) { try chain.reserve(chain.vienna, chain.request("101", from: "2026-11-27", to: "2026-11-29")) }
        // The charged night stays sold; the freed ones are sold to nobody yet (the new booking is a hold).
        let report = try chain.vienna.occupancyReport(from: CalendarDate(iso: "2026-11-26")!, through: CalendarDate(iso: "2026-11-28")!)
        #expect(report.days.map(\.roomsSold) == [1, 0, 0])
        guard case .invalidState? = Self.refusal({ try chain.vienna.markNoShow(ana.confirmationCode, Self.request()) }) else {
            Issue.record("a no-show is marked once")
            return
        }
    }

    @Test(arguments: StorageBackend.all)
    func undoingACheckInOrACheckOutRestoresTheStatusAndTheNights(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try chain.vienna.checkIn(ana.confirmationCode, expectedVersion: ana.version, by: "anna")
        let undone = try chain.vienna.undoCheckIn(ana.confirmationCode, reason: "Wrong guest", Self.request(version: inHouse.version))
        #expect(undone.status == .confirmed && undone.checkedInOn == nil && undone.statusReason == "Wrong guest")
        let again = try chain.vienna.checkIn(ana.confirmationCode, expectedVersion: undone.version, by: "anna")
        // Leaving on the day of arrival gives back both nights; undoing it takes them again.
        let left = try chain.vienna.checkOut(ana.confirmationCode, expectedVersion: again.version, by: "anna")
        #expect(left.status == .checkedOut)
        guard case .staleVersion? = Self.refusal({
            try chain.vienna.undoCheckOut(ana.confirmationCode, reason: nil, Self.request(version: again.version))
        }) else {
            Issue.record("an undo based on an old version must be refused")
            return
        }
        let back = try chain.vienna.undoCheckOut(ana.confirmationCode, reason: nil, Self.request(version: left.version))
        #expect(back.status == .checkedIn && back.checkedOutOn == nil)
        #expect(back.statusReason == "Check-out undone through the booking server by anna")
        guard case .roomUnavailable? = Self.refusal({ try chain.reserve(chain.vienna, chain.request("101", from: "2026-11-27", to: "2026-11-28")) })
        else {
            Issue.record("the nights taken again must not be sold")
            return
        }
        // Sold again meanwhile: the check-out stands.
        let out = try chain.vienna.checkOut(ana.confirmationCode, expectedVersion: back.version, by: "anna")
        _ = try chain.reserve(chain.vienna, chain.request("101", from: "2026-11-27", to: "2026-11-28", name: "Cy Dunn"))
        guard case .roomUnavailable(let message)? = Self.refusal({
            try chain.vienna.undoCheckOut(ana.confirmationCode, reason: "Came back", Self.request(version: out.version))
        }) else {
            Issue.record("a check-out whose night was sold again cannot be undone")
            return
        }
        #expect(message.contains("was sold again for 2026-11-27"))
        #expect(try chain.vienna.booking(ana.id.uuidString).status == .checkedOut)
    }

    /// A booking paid at an offline desk keeps the prices the desk took (the server would have
    /// priced it otherwise), so its total, and any refund, is what the guest paid. Prices that do
    /// not name each night of the stay are refused, and nothing is booked.
    @Test(arguments: StorageBackend.all)
    func aDeskBookingKeepsThePricesTheDeskTook(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let bookingId = UUID()
        var operation = try Self.bookOperation(chain.vienna, room: "101", from: "2026-12-01", to: "2026-12-03", booking: bookingId)
        operation.book?.totalCents = 16_813
        operation.book?.nightlyPrices = [.init(night: "2026-12-01", priceCents: 8_406), .init(night: "2026-12-02", priceCents: 8_407)]
        let outcome = try chain.vienna.applySync([operation], by: "anna").results[0]
        #expect(outcome.outcome == .accepted, "\(outcome.code ?? "") \(outcome.message ?? "")")
        let booking = try chain.vienna.booking(bookingId.uuidString)
        #expect(booking.nightlyPrices.map(\.price.minorUnits) == [8_406, 8_407])
        #expect(booking.totalPrice == Money(minorUnits: 16_813))

        let otherId = UUID()
        var wrong = try Self.bookOperation(chain.vienna, room: "102", from: "2026-12-01", to: "2026-12-03", booking: otherId, code: "KMN-PQS")
        wrong.book?.nightlyPrices = [.init(night: "2026-12-02", priceCents: 8_406), .init(night: "2026-12-01", priceCents: 8_406)]
        let refused = try chain.vienna.applySync([wrong], by: "anna").results[0]
        #expect(refused.outcome == .rejected && refused.code == "validation_failed", "\(refused)")
        #expect(Self.refusal({ try chain.vienna.booking(otherId.uuidString) }) != nil)

        // A cent a night is no price the rules give: refused (anyone with a receptionist's token
        // could push a booking at it), and nothing is booked.
        let cheapId = UUID()
        var cheap = try Self.bookOperation(chain.vienna, room: "103", from: "2026-12-01", to: "2026-12-03", booking: cheapId, code: "KMN-PQT")
        cheap.book?.nightlyPrices = [.init(night: "2026-12-01", priceCents: 1), .init(night: "2026-12-02", priceCents: 8_406)]
        let tooCheap = try chain.vienna.applySync([cheap], by: "anna").results[0]
        #expect(tooCheap.outcome == .rejected && tooCheap.code == "validation_failed", "\(tooCheap)")
        #expect(tooCheap.message?.contains("0.01 for 2026-12-01 is under half the lowest price") == true, "\(tooCheap)")
        #expect(Self.refusal({ try chain.vienna.booking(cheapId.uuidString) }) != nil)
    }

    /// A room asked to be what it is already (activated while in service, renumbered to its own
    /// number) changes nothing: no feed entry sends every desk to fetch the rooms again.
    @Test(arguments: StorageBackend.all)
    func aRoomAskedToBeWhatItIsChangesNothing(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let feedBefore = try chain.vienna.latestFeedSequence()
        #expect(try chain.vienna.activateRoom("101", by: "admin").room.isActive)
        #expect(try chain.vienna.renameRoom("101", to: "101", by: "admin").room.number == "101")
        #expect(try chain.vienna.latestFeedSequence() == feedBefore)
        #expect(try chain.vienna.renameRoom("101", to: "101A", by: "admin").room.number == "101A")
        #expect(try chain.vienna.latestFeedSequence() != feedBefore)
    }

    /// A check-out undone takes its nights back only in a room still in service.
    @Test(arguments: StorageBackend.all)
    func aCheckOutIsNotUndoneIntoARoomOutOfService(_ backend: StorageBackend) throws {
        let chain = try Self.chain(backend)
        let ana = try Self.confirmed(chain.vienna, room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try chain.vienna.checkIn(ana.confirmationCode, expectedVersion: ana.version, by: "anna")
        let left = try chain.vienna.checkOut(ana.confirmationCode, expectedVersion: inHouse.version, by: "anna")
        #expect(try !chain.vienna.deactivateRoom("101", by: "admin").room.isActive)
        guard case .roomUnavailable(let message)? = Self.refusal({
            try chain.vienna.undoCheckOut(ana.confirmationCode, reason: "Came back", Self.request(version: left.version))
        }) else {
            Issue.record("a check-out must not be undone into a room out of service")
            return
        }
        #expect(message == "Room 101 is out of service")
        let after = try chain.vienna.booking(ana.id.uuidString)
        #expect(after.status == .checkedOut && after.version == left.version)
    }

    // MARK: The same figures and answers on both

    /// The same day's work on a backend: desk bookings, a hold, a move, a change, a no-show, a
    /// cancel; then what a manager and an offline desk would read, without the ids each database made.
    static func dayOfWork(_ backend: StorageBackend, ids: [UUID]) throws -> (report: OccupancyReport, lines: [String]) {
        let chain = try Self.chain(backend)
        let hotel = chain.vienna
        var lines: [String] = []
        func describe(_ booking: WireBooking?) -> String {
            guard let booking else { return "-" }
            return [booking.confirmation, booking.status, booking.roomNumber, booking.checkIn, booking.checkOut, "v\(booking.version)",
                    booking.nightlyPrices.map { "\($0.night)=\($0.priceCents)" }.joined(separator: ","),
                    booking.claims.map(\.night).joined(separator: ","), booking.notes.map(\.text).joined(separator: "|"),
                    booking.statusReason ?? "-"].joined(separator: " ")
        }
        func describe(_ outcome: SyncOutcome) -> String {
            [outcome.outcome.rawValue, outcome.code ?? "-", outcome.message ?? "-", describe(outcome.booking),
             (outcome.suggestedRooms ?? []).map { "\($0.roomNumber) \($0.roomType) \($0.totalPriceCents)" }.joined(separator: ","),
             outcome.confirmationChanged.map { "\($0)" } ?? "-"].joined(separator: " / ")
        }
        let push = [
            try Self.bookOperation(hotel, room: "101", from: "2026-11-26", to: "2026-11-28", booking: ids[0], operation: "op-1", code: "AAA-333"),
            try Self.bookOperation(hotel, room: "102", from: "2026-11-26", to: "2026-11-29", name: "Ben Ode", booking: ids[1],
                                   operation: "op-2", code: "CCC-444"),
            try Self.bookOperation(hotel, room: "102", from: "2026-11-27", to: "2026-11-30", name: "Cy Dunn", booking: ids[2],
                                   operation: "op-3", code: "DDD-666"),
            try Self.bookOperation(hotel, room: "103", from: "2026-11-27", to: "2026-11-30", name: "Di Fox", booking: ids[3],
                                   payment: "card", operation: "op-4", code: "EEE-777"),
            try Self.bookOperation(hotel, room: "103", from: "2026-12-01", to: "2026-12-04", name: "Ed Gray", booking: ids[4],
                                   operation: "op-5", code: "AAA-333"),
            SyncOperation(operationId: "op-6", kind: .checkIn, bookingId: ids[1].uuidString.lowercased(), baseVersion: nil,
                          madeAt: "2026-11-18T09:05:00.000Z", by: "desk-anna"),
            SyncOperation(operationId: "op-7", kind: .cancel, bookingId: ids[5].uuidString.lowercased(), baseVersion: 1,
                          madeAt: "2026-11-18T09:05:00.000Z", by: "desk-anna"),
            SyncOperation(operationId: "op-8", kind: .checkOut, bookingId: ids[0].uuidString.lowercased(), baseVersion: nil,
                          madeAt: "2026-11-18T09:05:00.000Z", by: "desk-anna"),
            SyncOperation(operationId: "op-8b", kind: .checkIn, bookingId: ids[2].uuidString.lowercased(), baseVersion: nil,
                          madeAt: "2026-11-18T09:05:00.000Z", by: "desk-anna"),
        ]
        let first = try hotel.applySync(push, by: "anna")
        lines += first.results.map(describe)
        // Pushed again, the same answers; an id with other content is refused.
        var other = push[0]
        other.by = "someone-else"
        let second = try hotel.applySync(push + [other], by: "anna")
        #expect(second.results.dropLast().map(describe) == first.results.map(describe))
        lines += second.results.suffix(1).map(describe)
        // A move on the desk: refused on a stale version, then made.
        let ed = try hotel.booking(ids[4].uuidString)
        let room101 = try #require(try hotel.rooms().first { $0.room.number == "101" })
        let move = { (operation: String, base: Int) in
            SyncOperation(operationId: operation, kind: .move, bookingId: ids[4].uuidString.lowercased(), baseVersion: base,
                          madeAt: "2026-11-18T09:10:00.000Z", by: "desk-anna", reason: "Quieter",
                          move: .init(roomId: room101.room.id.uuidString.lowercased(), roomNumber: "101", reprice: true))
        }
        lines += try hotel.applySync([move("op-9", ed.version + 1)], by: "anna").results.map(describe)
        lines += try hotel.applySync([move("op-10", ed.version)], by: "anna").results.map(describe)
        // Changes through the server: a note, a no-show, a hold, a cancel.
        let ben = try hotel.booking(ids[1].uuidString)
        _ = try hotel.changeBooking(ben.confirmationCode, BookingEdit(note: "Cot in the room", checkOut: "2026-11-30"), Self.request())
        chain.clock.advance(minutes: 7 * 60) // past the no-show cut-off (18:00 in Vienna)
        _ = try hotel.markNoShow("AAA-333", Self.request())
        let cursor = try hotel.latestFeedSequence()
        _ = try chain.reserve(hotel, chain.request("103", from: "2026-11-26", to: "2026-11-28", name: "Fay Hart"))
        let gil = try chain.reserve(hotel, chain.request("102", from: "2026-12-05", to: "2026-12-07", name: "Gil Ives"))
        _ = try hotel.cancel(gil.confirmationCode, reason: "Changed plans", expectedVersion: nil, by: "anna", via: .server)
        // What an offline desk reads.
        let page = try hotel.replicaPage(after: nil, limit: 3)
        lines.append("replica \(page.totalBookings) \(page.bookings.count) \(page.next != nil) types \(page.roomTypes?.map(\.name) ?? []) rooms \(page.rooms?.map(\.roomNumber) ?? [])")
        var all = page.bookings
        var next = page.next.flatMap(UUID.init(uuidString:))
        while let after = next {
            let more = try hotel.replicaPage(after: after, limit: 3)
            #expect(more.hotel == nil)
            all += more.bookings
            next = more.next.flatMap(UUID.init(uuidString:))
        }
        lines += all.map(describe).sorted()
        let changes = try hotel.changesPage(since: cursor, limit: 10)
        lines.append("changes \(changes.more) \(changes.hotel == nil) " + changes.bookings.map(describe).joined(separator: " ; "))
        #expect(throws: ReplicaTooOld.self) { try hotel.changesPage(since: try hotel.latestFeedSequence() + 5, limit: 10) }
        let report = try hotel.occupancyReport(from: CalendarDate(iso: "2026-11-20")!, through: CalendarDate(iso: "2026-12-10")!)
        return (report, lines)
    }

    @Test func theSameDayGivesTheSameOccupancyFiguresAndSyncAnswersOnBoth() throws {
        let ids = (0..<6).map { _ in UUID() }
        let sqlite = try Self.dayOfWork(.sqlite, ids: ids)
        let postgres = try Self.dayOfWork(.postgres, ids: ids)
        #expect(postgres.lines == sqlite.lines)
        for (index, line) in sqlite.lines.enumerated() where index >= postgres.lines.count || postgres.lines[index] != line {
            Issue.record("SQLite:     \(line)\nPostgreSQL: \(index < postgres.lines.count ? postgres.lines[index] : "(none)")")
        }
        #expect(postgres.report.days == sqlite.report.days)
        #expect(postgres.report.byRoomType == sqlite.report.byRoomType)
        #expect(postgres.report.pickupRoomNights == sqlite.report.pickupRoomNights)
        let counts = { (report: OccupancyReport) -> [Int] in [report.arrivalsToday, report.departuresToday, report.inHouseToday] }
        #expect(counts(postgres.report) == counts(sqlite.report))
        // The figures are about something: nights were sold, and the day has its lists.
        #expect(sqlite.report.days.map(\.roomsSold).reduce(0, +) > 5)
        #expect(sqlite.report.byRoomType.map(\.name) == ["Double", "Suite"])
        #expect(sqlite.report.pickupRoomNights > 0)
        // The push's answers: accepted, a taken room with a suggestion, a card refused, a code
        // already given, a check-in, an unknown booking, a check-out before arrival, a check-in of
        // the refused booking; then the refused repeat.
        #expect(sqlite.lines.prefix(10).map { $0.components(separatedBy: " / ")[0] + " " + $0.components(separatedBy: " / ")[1] } == [
            "accepted -", "accepted -", "conflict room_unavailable", "rejected card_offline", "accepted -", "accepted -",
            "rejected not_found", "rejected invalid_state", "conflict depends_on_conflict", "rejected conflict",
        ])
        #expect(sqlite.lines[2].contains("103 Suite"), "a free room is suggested: \(sqlite.lines[2])")
        #expect(sqlite.lines[10].hasPrefix("conflict / stale_version"))
        #expect(sqlite.lines[11].hasPrefix("accepted"))
    }
}
