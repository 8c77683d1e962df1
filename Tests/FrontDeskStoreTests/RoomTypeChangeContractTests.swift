import Foundation
import Synchronization
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A manager changes a room type (session 56): a new rate, a new name, fewer or more beds. New
/// quotes use it at once, bookings made keep their prices, and the type never sleeps fewer than a
/// booking still to come has guests. On SQLite and PostgreSQL alike.
@Suite struct RoomTypeChangeContractTests {
    typealias Contract = StorageContractChangesTests

    static func price(_ hotel: any HotelStorage, room: String) throws -> Money? {
        try hotel.stampedSearch(checkIn: "2026-11-25", checkOut: "2026-11-27", guests: "1").result.offers
            .first { $0.room.number == room }?.totalPrice
    }

    @Test(arguments: StorageBackend.all)
    func aNewRateIsQuotedAtOnceAndBookingsKeepTheirPrices(_ backend: StorageBackend) throws {
        let clock = TestClock()
        let hotel = try StayRulesContractTests.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-20", to: "2026-11-22")
        let double = try #require(try hotel.roomTypes().first)
        let before = try #require(try Self.price(hotel, room: "103"))
        let (_, stamp) = try hotel.stampedSearch(checkIn: "2026-11-25", checkOut: "2026-11-27", guests: "1")
        let feed = try hotel.latestFeedSequence()

        // A rename in case only is a rename; asked for what it is already, nothing is written and
        // no desk is sent to fetch the types again.
        #expect(try hotel.changeRoomType(id: double.id, RoomTypeChange(name: " double ".uppercased(), capacity: 2), by: "mia").name == "DOUBLE")
        let renamedBack = try hotel.changeRoomType(id: double.id, RoomTypeChange(name: "Double"), by: "mia")
        #expect(renamedBack == double)
        let feedAfterRenames = try hotel.latestFeedSequence()
        #expect(feedAfterRenames > feed, "\(backend.name): a rename is fed to the desks")
        #expect(try hotel.changeRoomType(id: double.id, RoomTypeChange(name: "Double", capacity: 2, basePrice: double.basePricePerNight),
                                         by: "mia") == double)
        #expect(try hotel.latestFeedSequence() == feedAfterRenames, "\(backend.name): a change to what it is writes nothing")

        let changed = try hotel.changeRoomType(id: double.id, RoomTypeChange(name: "Double Deluxe", basePrice: Money(minorUnits: 12_500)), by: "mia")
        #expect(changed.name == "Double Deluxe" && changed.capacity == 2 && changed.basePricePerNight == Money(minorUnits: 12_500))
        #expect(try hotel.roomTypes() == [changed])
        #expect(try hotel.rooms().allSatisfy { $0.type == changed }, "\(backend.name): the rooms are of the changed type")
        #expect(try !hotel.searchIsCurrent(stamp), "\(backend.name): a quote made at the old rate is no longer the answer")
        let after = try #require(try Self.price(hotel, room: "103"))
        // The same stay, the same night factors: a quarter more, give or take each night's rounding.
        #expect(abs(after.minorUnits - before.minorUnits * 5 / 4) <= 3, "\(backend.name): \(before.plain) then \(after.plain)")
        #expect(try hotel.booking(ana.id.uuidString).nightlyPrices == ana.nightlyPrices, "\(backend.name): a booking keeps its prices")
        #expect(try hotel.booking(ana.id.uuidString).version == ana.version)
    }

    @Test(arguments: StorageBackend.all)
    func aTypeNeverSleepsFewerThanABookingStillToComeHasGuests(_ backend: StorageBackend) throws {
        let clock = TestClock()
        let hotel = try StayRulesContractTests.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-20", to: "2026-11-22") // two guests
        let double = try #require(try hotel.roomTypes().first)
        guard case .invalidState(let message)? = Contract.refusal({
            try hotel.changeRoomType(id: double.id, RoomTypeChange(capacity: 1, basePrice: Money(minorUnits: 9_000)), by: "mia")
        }) else {
            Issue.record("\(backend.name): one bed for a booking of two guests must be refused")
            return
        }
        #expect(message.contains("Room type Double cannot sleep only 1: booking \(ana.confirmationCode) has more guests"), "\(message)")
        #expect(try hotel.roomTypes() == [double], "\(backend.name): nothing of the change was made, the price neither")

        // More beds are always fine; fewer again once the booking is gone.
        #expect(try hotel.changeRoomType(id: double.id, RoomTypeChange(capacity: 3), by: "mia").capacity == 3)
        _ = try hotel.cancel(ana.confirmationCode, reason: "Plans changed", Contract.request())
        #expect(try hotel.changeRoomType(id: double.id, RoomTypeChange(capacity: 1), by: "mia").capacity == 1)
        // Two guests asked of the type that now sleeps one: refused in the booking's own words.
        guard case .validationFailed(let refusal)? = Contract.refusal({
            try hotel.reserveAll([ReservationRequest(
                form: BookingForm(roomNumber: "101", checkIn: "2026-11-25", checkOut: "2026-11-26", guests: "2", guestName: "Bo Ek",
                                  email: "bo@example.com"),
                payment: .desk, user: "anna")])[0].get()
        }) else {
            Issue.record("\(backend.name): a room that sleeps one is not sold to two")
            return
        }
        #expect(refusal.joined().contains("sleeps at most 1"), "\(refusal)")
    }

    /// A guest checked out early, or a no-show, taken back after the type was made to sleep fewer:
    /// refused with the way on, not put back over the capacity.
    @Test(arguments: StorageBackend.all)
    func anUndoIntoATypeThatNowSleepsFewerIsRefused(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 on the 18th
        let hotel = try StayRulesContractTests.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-21") // two guests
        let inHouse = try hotel.checkIn(ana.confirmationCode, Contract.request())
        let gone = try hotel.checkOut(ana.confirmationCode, Contract.request(version: inHouse.version)) // leaves early
        let double = try #require(try hotel.roomTypes().first)
        #expect(try hotel.changeRoomType(id: double.id, RoomTypeChange(capacity: 1), by: "mia").capacity == 1)
        guard case .invalidState(let message)? = Contract.refusal({
            try hotel.undoCheckOut(ana.confirmationCode, reason: "Left by mistake", Contract.request(version: gone.version))
        }) else {
            Issue.record("\(backend.name): two guests are not put back into a room that now sleeps one")
            return
        }
        #expect(message.contains("Room 101 (Double) sleeps at most 1 guest since its type was changed, and booking \(ana.confirmationCode) is for 2"),
                "\(message)")
        #expect(try hotel.booking(ana.id.uuidString) == gone, "\(backend.name): nothing changed")
    }

    @Test(arguments: StorageBackend.all)
    func aTypeIsChangedOnlyByItsOwnHotelAndToANameNoOtherHas(_ backend: StorageBackend) throws {
        let chain = try StorageContractTests.Chain(backend)
        let viennaDouble = try #require(try chain.vienna.roomTypes().first)
        let suite = try chain.vienna.addRoomType(name: "Suite", capacity: 4, basePrice: Money(minorUnits: 30_000), by: "admin")
        guard case .notFound? = Contract.refusal({
            try chain.graz.changeRoomType(id: viennaDouble.id, RoomTypeChange(basePrice: Money(minorUnits: 1)), by: "graz-manager")
        }) else {
            Issue.record("\(backend.name): another hotel's type is not found")
            return
        }
        guard case .conflict(let taken)? = Contract.refusal({
            try chain.vienna.changeRoomType(id: suite.id, RoomTypeChange(name: "double"), by: "admin")
        }) else {
            Issue.record("\(backend.name): two types of one hotel may not share a name")
            return
        }
        #expect(taken.contains("A room type named Double already exists"), "\(taken) (named as it is, not as typed)")
        guard case .validationFailed(let problems)? = Contract.refusal({
            try chain.vienna.changeRoomType(id: suite.id, RoomTypeChange(name: " ", capacity: 11, basePrice: Money(minorUnits: 0)), by: "admin")
        }) else {
            Issue.record("\(backend.name): an empty name, eleven beds and a free night are refused")
            return
        }
        #expect(problems == ["Room type name cannot be empty", "Capacity must be between 1 and 10", "Base price must be more than zero"])
        #expect(try chain.vienna.roomTypes().sorted { $0.name < $1.name } == [viennaDouble, suite])
        #expect(try chain.graz.roomTypes().map(\.basePricePerNight) == [Money(minorUnits: 10_000)])
    }

    /// PostgreSQL: a booking read the type sleeping two, and a manager's cut to one is committed
    /// while the booking waits to write (here a psql session holds the cut's transaction open):
    /// the booking is refused in its own words, not written with two guests in a type for one.
    /// (SQLite has one writer: a booking and a change never interleave.)
    @Test func aBookingInFlightDoesNotSlipPastACapacityCutOnPostgreSQL() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.makeDatabase()
        let database = String(url.split(separator: "/").last!)
        let clock = TestClock()
        let chain = try PostgresChainStorage(url: try PostgresURL.parse(url), poolSize: 2, migrate: true, clock: { clock.now },
                                             random: SeededGenerator(seed: 7))
        let hotel = chain.hotel(try chain.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id)
        let double = try hotel.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        _ = try hotel.addRoom(number: "101", typeName: "Double", by: "admin")

        let cut = try cluster.interactive(database: database)
        defer { cut.close() }
        let id = double.id.uuidString.lowercased()
        cut.send("BEGIN; SELECT 1 FROM room_type WHERE id = '\(id)' FOR UPDATE; UPDATE room_type SET capacity = 1 WHERE id = '\(id)';")
        try cut.settle()
        let outcome = Mutex<Result<Booking, any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Thread {
            let result: Result<Booking, any Error>
            do {
                result = try hotel.reserveAll([ReservationRequest(
                    form: BookingForm(roomNumber: "101", checkIn: "2026-11-25", checkOut: "2026-11-26", guests: "2", guestName: "Bo Ek",
                                      email: "bo@example.com"),
                    payment: .desk, user: "anna")])[0]
            } catch {
                result = .failure(error)
            }
            outcome.withLock { $0 = result }
            done.signal()
        }.start()
        // The booking waits on the type's lock (at most 10 s: without the lock it does not wait at all).
        for _ in 0..<200 {
            if try cluster.value("SELECT count(*) FROM pg_stat_activity WHERE datname = '\(database)' AND wait_event_type = 'Lock'",
                                 database: database) != "0" { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        cut.send("COMMIT;")
        try cut.settle()
        #expect(done.wait(timeout: .now() + 30) == .success)
        let result = outcome.withLock { $0 }
        var refusal: FrontDeskError?
        if case .failure(let error)? = result { refusal = error as? FrontDeskError }
        guard case .validationFailed(let problems)? = refusal else {
            Issue.record("two guests must not be booked into a type cut to one meanwhile: \(String(describing: result))")
            return
        }
        #expect(problems.contains("Room 101 (Double) sleeps at most 1 guest"), "\(problems)")
        #expect(try hotel.findBookings(BookingFilter()).bookings.isEmpty, "nothing written")
    }
}
