import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// Issue 13, session 13: the server's desk-paid bookings (`confirmsDeskPaymentAtOnce`) written at
/// once. On PostgreSQL such a booking is one read and one write (PostgresBookingAtOnce.swift);
/// anything unusual in a group goes the careful way. What a client and the records see must not
/// change: the outcomes of a mixed group on both backends, and on PostgreSQL the very rows the
/// careful way writes.
@Suite struct BookingAtOnceTests {
    static func atOnce(_ chain: StorageContractTests.Chain, _ room: String = "101", roomId: UUID? = nil,
                       from checkIn: String = "2026-12-01", to checkOut: String = "2026-12-03", name: String = "Ana Lee",
                       requestId: UUID? = nil, code: String? = nil) -> ReservationRequest {
        let form = chain.request(room, from: checkIn, to: checkOut, name: name).form
        return ReservationRequest(form: form, requestId: requestId, payment: .desk, user: "anna", roomId: roomId,
                                  confirmationCode: code, confirmsDeskPaymentAtOnce: true)
    }

    @Test(arguments: StorageBackend.all)
    func aMixedGroupGetsEachBookingsOwnOutcome(_ backend: StorageBackend) throws {
        let chain = try StorageContractTests.Chain(backend)
        let room102 = try #require(try chain.vienna.rooms().first { $0.room.number == "102" })
        let quoted = try #require(try chain.vienna.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2")
            .result.offers.first { $0.room.number == "101" }).totalPrice
        let key = UUID()
        let outcomes = try chain.vienna.reserveAll([
            Self.atOnce(chain, "101", requestId: key),
            Self.atOnce(chain, "101", from: "2026-12-02", to: "2026-12-04", name: "Bo Berg"), // 101 is taken by the first
            Self.atOnce(chain, "", roomId: room102.room.id, name: "Cy Chen"),
            Self.atOnce(chain, "", roomId: UUID(), name: "Di Diaz"),                               // no such room
            Self.atOnce(chain, "102", from: "2026-12-05", to: "2026-12-04", name: "Ed Eng"),       // check-out first
            Self.atOnce(chain, "101", requestId: key),                                              // the first again
        ])
        let first = try outcomes[0].get()
        #expect(first.status == .confirmed)
        #expect(first.version == 3)
        #expect(first.holdExpiresAt == nil)
        #expect(first.totalPrice == quoted) // the price the search offered
        guard case .failure(FrontDeskError.roomUnavailable) = outcomes[1] else {
            Issue.record("an overlapping stay in a taken room must be refused: \(outcomes[1])")
            return
        }
        let third = try outcomes[2].get()
        #expect(third.roomNumber == "102")
        #expect(third.status == .confirmed)
        guard case .failure(FrontDeskError.notFound) = outcomes[3] else {
            Issue.record("an unknown room id must be not found: \(outcomes[3])")
            return
        }
        guard case .failure(FrontDeskError.validationFailed) = outcomes[4] else {
            Issue.record("a check-out before the check-in must break a rule: \(outcomes[4])")
            return
        }
        #expect(try outcomes[5].get().id == first.id)

        // A replay in a later group gives the same booking; the key with another form is a conflict.
        let replay = try chain.vienna.reserveAll([Self.atOnce(chain, "101", requestId: key),
                                                  Self.atOnce(chain, "102", from: "2026-12-10", to: "2026-12-11", requestId: key)])
        #expect(try replay[0].get().id == first.id)
        #expect(try replay[0].get().version == 3)
        guard case .failure(FrontDeskError.conflict) = replay[1] else {
            Issue.record("a request id reused with another form must be a conflict: \(replay[1])")
            return
        }
        #expect(try chain.vienna.findBookings(BookingFilter()).total == 2)
        let events = try chain.vienna.feedEvents(after: 0, limit: 100)
            .filter { $0.data.contains(first.id.uuidString.lowercased()) }.map(\.name)
        #expect(events == ["RoomAvailabilityChanged", "BookingConfirmed"])
        let free = try chain.vienna.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "1").result.offers
        #expect(free.isEmpty, "both rooms are sold for those nights: \(free.map(\.room.number))")
    }

    /// Issue 13, session 27: a group's desk-paid bookings are written at once as one run (one
    /// read, one write for all of them). Each is priced as if the run's earlier bookings were
    /// already booked, as one group after another would price them (occupancy: the second of
    /// two rooms sold costs more than the first); a room named once by id and once by number in
    /// the same run is still sold once.
    @Test(arguments: StorageBackend.all)
    func aRunPricesEachBookingAsIfTheEarlierWereBooked(_ backend: StorageBackend) throws {
        let grouped = try StorageContractTests.Chain(backend)
        let rooms = try grouped.vienna.rooms()
        let room101 = try #require(rooms.first { $0.room.number == "101" }).room.id
        let room102 = try #require(rooms.first { $0.room.number == "102" }).room.id
        let booked = try grouped.vienna.reserveAll([
            Self.atOnce(grouped, "", roomId: room101, name: "Ana Lee"),
            Self.atOnce(grouped, "102", name: "Bo Berg"),
            Self.atOnce(grouped, "101", from: "2026-12-05", to: "2026-12-07", name: "Cy Chen"),
        ]).map { try $0.get() }
        let oneByOne = try StorageContractTests.Chain(backend)
        let alone = try [Self.atOnce(oneByOne, "101", name: "Ana Lee"), Self.atOnce(oneByOne, "102", name: "Bo Berg"),
                         Self.atOnce(oneByOne, "101", from: "2026-12-05", to: "2026-12-07", name: "Cy Chen")]
            .map { try oneByOne.vienna.reserveAll([$0])[0].get() }
        #expect(booked.map { $0.nightlyPrices.map(\.price) } == alone.map { $0.nightlyPrices.map(\.price) })
        #expect(booked[1].totalPrice > booked[0].totalPrice, "the second room of two sold is dearer: \(booked.map(\.totalPrice))")
        #expect(booked.allSatisfy { $0.status == .confirmed && $0.version == 3 })

        // Room 102 by number and by id on a shared night, in one group: sold once.
        let twice = try grouped.vienna.reserveAll([
            Self.atOnce(grouped, "102", from: "2026-12-10", to: "2026-12-12", name: "Di Diaz"),
            Self.atOnce(grouped, "", roomId: room102, from: "2026-12-11", to: "2026-12-13", name: "Ed Eng"),
        ])
        #expect(try twice[0].get().roomNumber == "102")
        guard case .failure(FrontDeskError.roomUnavailable) = twice[1] else {
            Issue.record("room 102 is Di Diaz's on the 11th: \(twice[1])")
            return
        }
        #expect(try grouped.vienna.findBookings(BookingFilter()).total == 4)
    }

    /// The same booking written at once and the careful way (a code already taken sends a request
    /// the careful way): every row they leave is the same, ids, codes and dates aside.
    @Test func onPostgresTheRowsWrittenAtOnceAreTheCarefulWaysRows() throws {
        let url = try PostgresCluster.shared().makeDatabase()
        let database = String(try #require(url.split(separator: "/").last))
        let clock = TestClock()
        let storage = try PostgresChainStorage(url: try PostgresURL.parse(url), poolSize: 2, migrate: true, clock: { clock.now },
                                               businessDate: StoreFixture.today, random: SeededGenerator(seed: 7))
        let hotelId = try storage.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        let hotel = storage.hotel(hotelId)
        _ = try hotel.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        _ = try hotel.addRoom(number: "101", typeName: "Double", by: "admin")
        func request(from checkIn: String, to checkOut: String, code: String? = nil) -> ReservationRequest {
            ReservationRequest(form: BookingForm(roomNumber: "101", checkIn: checkIn, checkOut: checkOut, guests: "2",
                                                 guestName: "Ana Lee", email: "ana@example.com"),
                               payment: .desk, user: "anna", confirmationCode: code, confirmsDeskPaymentAtOnce: true)
        }
        let atOnce = try hotel.reserveAll([request(from: "2026-12-01", to: "2026-12-03")])[0].get()
        let careful = try hotel.reserveAll([request(from: "2026-12-08", to: "2026-12-10", code: atOnce.confirmationCode)])[0].get()
        #expect(careful.confirmationCode != atOnce.confirmationCode)

        let cluster = try PostgresCluster.shared()
        /// Every row the booking left, as text, with what differs between the two bookings named.
        func rows(_ booking: Booking, firstNight: String, secondNight: String, checkOut: String) throws -> [String] {
            let id = booking.id.uuidString.lowercased()
            let queries = [
                "SELECT row_to_json(b)::text FROM (SELECT * FROM booking WHERE id = '\(id)') b",
                "SELECT string_agg(night::text || '=' || price_cents, ',' ORDER BY night) FROM booking_night WHERE booking_id = '\(id)'",
                "SELECT string_agg(night::text || ':' || coalesce(hold_expires_at::text, 'firm'), ',' ORDER BY night) FROM room_night WHERE booking_id = '\(id)'",
                "SELECT row_to_json(s)::text FROM (SELECT * FROM saga WHERE booking_id = '\(id)') s",
                "SELECT count(*) FROM saga_message WHERE booking_id = '\(id)'",
                """
                SELECT string_agg(row_to_json(a)::text, ' ' ORDER BY a.id) FROM (SELECT id, at, user_name, action, hotel_id, room_id, summary,
                       before_state, after_state FROM audit_entry WHERE booking_id = '\(id)') a
                """,
                "SELECT string_agg(event || ' ' || data, ' ' ORDER BY seq) FROM change_feed WHERE booking_id = '\(id)'",
            ]
            return try queries.map { query in
                var text = try cluster.value(query, database: database)
                for (value, name) in [(id, "ID"), (booking.confirmationCode, "CODE"), (firstNight, "NIGHT1"), (secondNight, "NIGHT2"),
                                      (checkOut, "CHECKOUT")] {
                    text = text.replacingOccurrences(of: value, with: name)
                }
                // Audit ids are the table's own sequence.
                return text.replacingOccurrences(of: #""id":[0-9]+,"#, with: "", options: .regularExpression)
            }
        }
        let written = try rows(atOnce, firstNight: "2026-12-01", secondNight: "2026-12-02", checkOut: "2026-12-03")
        let expected = try rows(careful, firstNight: "2026-12-08", secondNight: "2026-12-09", checkOut: "2026-12-10")
        for (at, (one, other)) in zip(written, expected).enumerated() {
            #expect(one == other, "query \(at) differs:\n  at once: \(one)\n  careful: \(other)")
        }
        #expect(written[4] == "0") // no saga message left to delete
        #expect(written[5].contains("booking.reserved") && written[5].contains("booking.confirmed"))

        // The check of a night against its booking still holds after the statement (schema v7).
        #expect(throws: PostgresClusterError.self) {
            try cluster.psql("""
                INSERT INTO room_night (room_id, night, hotel_id, booking_id)
                VALUES ('\(atOnce.roomId.uuidString)', '2026-12-20', '\(hotelId.uuidString)', '\(atOnce.id.uuidString)')
                """, database: database)
        }
    }

    /// Two instances and 8 threads, each with a group of two desk-paid bookings: one for the one
    /// contested room, one for a room of its own. A group whose write at once lost the race for a
    /// night runs again the careful way: its own room is still booked, the contested nights are
    /// sold once, and every refusal says the room is taken.
    @Test func aGroupThatLosesARaceForANightStillBooksItsOtherRooms() throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let clock = TestClock()
        let instances = try (0..<2).map { index in
            try PostgresChainStorage(url: url, poolSize: 4, migrate: true, clock: { clock.now }, businessDate: StoreFixture.today,
                                     random: SeededGenerator(seed: UInt64(index + 11)))
        }
        let hotelId = try instances[0].addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        let setUp = instances[0].hotel(hotelId)
        _ = try setUp.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        for number in ["100"] + (1...8).map({ "20\($0)" }) { _ = try setUp.addRoom(number: number, typeName: "Double", by: "admin") }
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let checkIn = StoreFixture.today.adding(days: 10 + index % 3)
            func request(_ room: String) -> ReservationRequest {
                ReservationRequest(form: BookingForm(roomNumber: room, checkIn: checkIn.iso, checkOut: checkIn.adding(days: 2).iso,
                                                     guests: "2", guestName: "Guest \(index)", email: "g\(index)@example.com"),
                                   payment: .desk, user: "anna", confirmsDeskPaymentAtOnce: true)
            }
            do {
                for outcome in try instances[index % 2].hotel(hotelId).reserveAll([request("100"), request("20\(index + 1)")]) {
                    results.append(outcome)
                }
            } catch {
                results.append(.failure(error))
            }
        }
        let sold = results.all.compactMap { try? $0.get() }
        #expect(Set(sold.filter { $0.roomNumber != "100" }.map(\.roomNumber)).count == 8, "every group's own room is booked")
        let contested = sold.filter { $0.roomNumber == "100" }.flatMap(\.stay.nights)
        #expect(!contested.isEmpty)
        #expect(Set(contested).count == contested.count, "a night of room 100 was sold twice")
        #expect(sold.allSatisfy { $0.status == .confirmed && $0.version == 3 })
        for case .failure(let error) in results.all {
            guard case .roomUnavailable? = error as? FrontDeskError else {
                Issue.record("a refused booking must be roomUnavailable: \(error)")
                continue
            }
        }
        #expect(try instances[1].hotel(hotelId).findBookings(BookingFilter()).total == sold.count)
        // The feed, numbered at each commit (schema v8) or by the commit's flush: one number per
        // event, none skipped, each sold booking's confirmation once.
        let feed = try instances[1].hotel(hotelId).feedEvents(after: 0, limit: 1000)
        #expect(feed.map(\.sequence) == Array(1...Int64(feed.count)))
        #expect(feed.filter { $0.name == "BookingConfirmed" }.count == sold.count)
        #expect(feed.filter { $0.name == "RoomAvailabilityChanged" }.count >= sold.count)
    }

    /// An intake of three lanes on PostgreSQL: 24 requests from 24 threads for 12 rooms, two
    /// stays each, are all confirmed, each room-night once; once stopped it takes no more.
    @Test func anIntakeOfSeveralLanesConfirmsEveryRequestAndStops() throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let clock = TestClock()
        let storage = try PostgresChainStorage(url: url, poolSize: 6, migrate: true, clock: { clock.now }, businessDate: StoreFixture.today,
                                               random: SeededGenerator(seed: 21))
        let hotelId = try storage.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        let hotel = storage.hotel(hotelId)
        _ = try hotel.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        for number in 1...12 { _ = try hotel.addRoom(number: "\(300 + number)", typeName: "Double", by: "admin") }
        let intake = BookingIntake(store: hotel, lanes: 3)
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 24) { index in
            let checkIn = StoreFixture.today.adding(days: 10 + 3 * (index / 12))
            let form = BookingForm(roomNumber: "\(301 + index % 12)", checkIn: checkIn.iso, checkOut: checkIn.adding(days: 2).iso,
                                   guests: "2", guestName: "Guest \(index)", email: "g\(index)@example.com")
            results.append(Result { try intake.submit(ReservationRequest(form: form, payment: .desk, user: "anna", confirmsDeskPaymentAtOnce: true)) })
        }
        let sold = results.all.compactMap { try? $0.get() }
        #expect(sold.count == 24, "\(results.all.filter { (try? $0.get()) == nil })")
        #expect(sold.allSatisfy { $0.status == .confirmed })
        let claims = sold.flatMap { booking in booking.stay.nights.map { "\(booking.roomNumber) \($0)" } }
        #expect(Set(claims).count == claims.count)
        intake.stop()
        let form = BookingForm(roomNumber: "301", checkIn: StoreFixture.today.adding(days: 30).iso,
                               checkOut: StoreFixture.today.adding(days: 31).iso, guests: "1", guestName: "Late Guest", email: "l@example.com")
        #expect(throws: FrontDeskError.self) { try intake.submit(ReservationRequest(form: form, user: "anna")) }
    }
}
