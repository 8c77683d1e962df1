import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A database the booking server can run on, made fresh for one test: an SQLite file, or a new
/// database in this test process's PostgreSQL cluster (`PostgresCluster`). Every test below runs
/// on both, unchanged.
struct StorageBackend: Sendable, CustomTestStringConvertible {
    let name: String
    let make: @Sendable (TestClock) throws -> any ChainStorage
    var testDescription: String { name }

    static let sqlite = StorageBackend(name: "SQLite") { clock in
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-contract-\(UUID().uuidString)")
        return try FrontDeskStore(path: folder.appendingPathComponent("chain.sqlite").path, clock: { clock.now },
                                  businessDate: StoreFixture.today, random: SeededGenerator(seed: 7))
    }

    static let postgres = StorageBackend(name: "PostgreSQL") { clock in
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        return try PostgresChainStorage(url: url, poolSize: 2, migrate: true, clock: { clock.now },
                                        businessDate: StoreFixture.today, random: SeededGenerator(seed: 7))
    }

    static let all: [StorageBackend] = [.sqlite, .postgres]
}

/// The storage contract of `HotelStorage` and `ChainStorage`, through the protocols only: what
/// the server relies on, whichever database is behind them.
@Suite struct StorageContractTests {
    struct Chain {
        let clock = TestClock()
        let storage: any ChainStorage
        let vienna: any HotelStorage
        let graz: any HotelStorage
        let viennaId: UUID
        let grazId: UUID

        init(_ backend: StorageBackend) throws {
            storage = try backend.make(clock)
            viennaId = try storage.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
            grazId = try storage.addChainHotel(name: "Graz", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
            vienna = storage.hotel(viennaId)
            graz = storage.hotel(grazId)
            for hotel in [vienna, graz] {
                _ = try hotel.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
                for number in ["101", "102"] { _ = try hotel.addRoom(number: number, typeName: "Double", by: "admin") }
            }
        }

        func request(_ room: String = "101", from checkIn: String = "2026-12-01", to checkOut: String = "2026-12-03",
                     name: String = "Ana Lee", requestId: UUID? = nil) -> ReservationRequest {
            ReservationRequest(form: BookingForm(roomNumber: room, checkIn: checkIn, checkOut: checkOut, guests: "2",
                                                 guestName: name, email: "ana@example.com"),
                               requestId: requestId, user: "anna")
        }

        func reserve(_ hotel: any HotelStorage, _ request: ReservationRequest) throws -> Booking {
            try hotel.reserveAll([request])[0].get()
        }
    }

    static func refusal(_ body: () throws -> Any) -> FrontDeskError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? FrontDeskError
        }
    }

    @Test(arguments: StorageBackend.all)
    func eachHotelSeesOnlyItsOwnData(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let held = try chain.reserve(chain.vienna, chain.request())
        #expect(try chain.vienna.booking(held.confirmationCode).id == held.id)
        guard case .notFound? = Self.refusal({ try chain.graz.booking(held.confirmationCode) }) else {
            Issue.record("another hotel's booking must be not found")
            return
        }
        #expect(try chain.storage.booking(held.id.uuidString).hotelId == chain.viennaId)
        #expect(try chain.graz.findBookings(BookingFilter()).total == 0)
        #expect(try chain.vienna.findBookings(BookingFilter()).bookings.map(\.id) == [held.id])
        let viennaRoom = try #require(try chain.vienna.rooms().first)
        #expect(try chain.graz.room(id: viennaRoom.room.id) == nil)
        #expect(try chain.storage.room(id: viennaRoom.room.id)?.room.hotelId == chain.viennaId)
        #expect(try chain.storage.hotels().map(\.name).sorted() == ["Graz", "Vienna"])
        guard case .notFound? = Self.refusal({ try chain.storage.hotel(UUID()).requireHotelExists() }) else {
            Issue.record("an unknown hotel must be not found")
            return
        }
    }

    @Test(arguments: StorageBackend.all)
    func aReservationIsAnIntentItsRequestIdReplays(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let id = UUID()
        let first = try chain.reserve(chain.vienna, chain.request(requestId: id))
        let replay = try chain.reserve(chain.vienna, chain.request(requestId: id))
        #expect(replay.id == first.id)
        #expect(replay.confirmationCode == first.confirmationCode)
        guard case .conflict? = Self.refusal({ try chain.reserve(chain.vienna, chain.request(name: "Somebody Else", requestId: id)) }) else {
            Issue.record("the same request id with other details must be a conflict")
            return
        }
        #expect(try chain.vienna.findBookings(BookingFilter()).total == 1)
    }

    @Test(arguments: StorageBackend.all)
    func aNightIsSoldOnceWithinAGroupAndAcrossGroups(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let outcomes = try chain.vienna.reserveAll([
            chain.request("101", from: "2026-12-01", to: "2026-12-03"),
            chain.request("101", from: "2026-12-02", to: "2026-12-04", name: "Ben Ode"),
            chain.request("102", from: "2026-12-02", to: "2026-12-04", name: "Cy Dunn"),
        ])
        #expect((try? outcomes[0].get()) != nil)
        if case .failure(let error) = outcomes[1], case .roomUnavailable? = error as? FrontDeskError {} else {
            Issue.record("an overlapping stay in one group must be refused: \(outcomes[1])")
        }
        #expect((try? outcomes[2].get()) != nil)
        guard case .roomUnavailable? = Self.refusal({ try chain.reserve(chain.vienna, chain.request("102", from: "2026-12-03", to: "2026-12-05")) })
        else {
            Issue.record("an overlapping stay in a later group must be refused")
            return
        }
        // The same room number in the other hotel is another room.
        #expect(throws: Never.self) { try chain.reserve(chain.graz, chain.request("101")) }
        #expect(try chain.vienna.findBookings(BookingFilter()).total == 2)
    }

    @Test(arguments: StorageBackend.all)
    func aStaleVersionChangesNothing(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let held = try chain.reserve(chain.vienna, chain.request())
        guard case .staleVersion? = Self.refusal({
            try chain.vienna.cancel(held.confirmationCode, reason: nil, expectedVersion: held.version + 1, by: "anna", via: .server)
        }) else {
            Issue.record("a stale version must be refused")
            return
        }
        #expect(try chain.vienna.booking(held.confirmationCode).status == .reserving)
        let cancelled = try chain.vienna.cancel(held.confirmationCode, reason: nil, expectedVersion: held.version, by: "anna", via: .server)
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.version > held.version)
        // Its nights are free again.
        #expect(throws: Never.self) { try chain.reserve(chain.vienna, chain.request(name: "Next Guest")) }
    }

    @Test(arguments: StorageBackend.all)
    func availabilityAndItsStampFollowTheHotelsOwnChanges(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let before = try chain.vienna.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2")
        #expect(before.result.offers.map(\.room.number) == ["101", "102"])
        // Graz's booking is not Vienna's change.
        _ = try chain.reserve(chain.graz, chain.request())
        #expect(try chain.vienna.searchIsCurrent(before.stamp))
        _ = try chain.reserve(chain.vienna, chain.request())
        #expect(try !chain.vienna.searchIsCurrent(before.stamp))
        let after = try chain.vienna.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2")
        #expect(after.result.offers.map(\.room.number) == ["102"])
        _ = try chain.vienna.deactivateRoom("102", by: "admin")
        #expect(try !chain.vienna.searchIsCurrent(after.stamp))
        #expect(try chain.vienna.stampedSearch(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "2").result.offers.isEmpty)
    }

    @Test(arguments: StorageBackend.all)
    func theChangeFeedIsPerHotelNumberedAndPrunedWithoutReuse(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        let held = try chain.reserve(chain.vienna, chain.request())
        let events = try chain.vienna.feedEvents(after: 0)
        #expect(events.contains { $0.name == "RoomAvailabilityChanged" && $0.data.contains(held.id.uuidString.lowercased()) })
        #expect(events.map(\.sequence) == events.map(\.sequence).sorted())
        // Graz's feed holds its own rooms (schema v9), never Vienna's booking.
        #expect(try chain.graz.feedEvents(after: 0).allSatisfy {
            ["RoomChanged", "RoomTypeChanged"].contains($0.name) && !$0.data.contains(held.id.uuidString.lowercased())
        })
        let newest = try chain.vienna.latestFeedSequence()
        #expect(newest == events.last?.sequence)
        chain.clock.advance(minutes: 60 * 24 * 30)
        try chain.storage.pruneFeed(before: chain.clock.now)
        #expect(try chain.vienna.feedEvents(after: 0).map(\.sequence) == [newest])
        _ = try chain.reserve(chain.vienna, chain.request("102", from: "2026-12-10", to: "2026-12-12"))
        #expect(try chain.vienna.feedEvents(after: newest).first?.sequence == newest + 1)
    }

    @Test(arguments: StorageBackend.all)
    func roomsAndTypesAreManagedPerHotel(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        _ = try chain.vienna.addRoomType(name: "Suite", capacity: 4, basePrice: Money(minorUnits: 30_000), by: "admin")
        _ = try chain.vienna.addRoom(number: "501", typeName: "Suite", by: "admin")
        guard case .conflict? = Self.refusal({ try chain.vienna.addRoom(number: "501", typeName: "Suite", by: "admin") }) else {
            Issue.record("a second room 501 in one hotel must be a conflict")
            return
        }
        // Full-width digits are the same number (they made a second "501" no one could tell apart).
        guard case .conflict? = Self.refusal({ try chain.vienna.addRoom(number: "５０１", typeName: "Suite", by: "admin") }) else {
            Issue.record("a room ５０１ beside 501 must be a conflict")
            return
        }
        #expect(try chain.vienna.deactivateRoom("５０１", by: "admin").room.number == "501", "found by its full-width form")
        _ = try chain.vienna.activateRoom("501", by: "admin")
        #expect(try chain.graz.roomTypes().map(\.name) == ["Double"])
        let renamed = try chain.vienna.renameRoom("501", to: "502", by: "admin")
        #expect(renamed.room.number == "502")
        #expect(try !chain.vienna.deactivateRoom("502", by: "admin").room.isActive)
        #expect(try chain.vienna.activateRoom("502", by: "admin").room.isActive)
        #expect(try chain.vienna.rooms().map(\.room.number).sorted() == ["101", "102", "502"])
        #expect(try chain.graz.rooms().map(\.room.number).sorted() == ["101", "102"])
    }

    @Test(arguments: StorageBackend.all)
    func accountsAreFoundByNameWhateverItsCase(_ backend: StorageBackend) throws {
        let chain = try Chain(backend)
        _ = try chain.storage.addUser(name: "Anna", role: .receptionist, email: "anna@example.com", hotelId: chain.viennaId,
                                      passwordHash: "pbkdf2-sha256$1$c2FsdA$aGFzaA", by: "admin")
        let found = try #require(try chain.storage.userAccount(named: "anna"))
        #expect(found.role == .receptionist)
        #expect(found.hotelId == chain.viennaId)
        #expect(try chain.storage.userAccount(named: "nobody") == nil)
    }
}
