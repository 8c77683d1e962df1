import Foundation
import FrontDeskDomain
@testable import FrontDeskServer
@testable import FrontDeskStore
import FrontDeskTestSupport
import NIOCore
import Synchronization
import Testing

/// The cached availability answer stays exact on its cheaper paths: a booking another process
/// writes to the server's file, the business date turning over at the hotel's midnight, and a
/// search shared by concurrent requests for the same question.
@Suite(.serialized) struct AvailabilityExactnessTests {
    static let stay = "checkIn=\(Ahead.night(21))&checkOut=\(Ahead.night(24))&guests=1"

    func offered(_ server: ServerHarness, token: String) throws -> [(number: String, id: String)] {
        let answer = try server.call("GET", "/api/rooms/availability?hotelId=\(server.hotelA)&\(Self.stay)", token: token)
        #expect(answer.status == 200)
        return (answer.json["rooms"] as? [[String: Any]] ?? []).compactMap { room in
            guard let number = room["roomNumber"] as? String, let id = room["roomId"] as? String else { return nil }
            return (number, id)
        }
    }

    @Test func aBookingWrittenByAnotherProcessIsNeverOfferedFromTheCache() throws {
        let server = try ServerHarness()
        let anna = try server.token("anna")
        let before = try offered(server, token: anna)
        #expect(try offered(server, token: anna).map(\.number) == before.map(\.number))   // kept, answered again
        let room = try #require(before.first)

        // This test process is "another process": it opens the server's file itself and holds the
        // room (what a desk or the command line on the same file would do), never telling the server.
        let desk = try FrontDeskStore(path: server.database, access: .write)
            .scoped(to: try #require(UUID(uuidString: server.hotelA)))
        let form = BookingForm(roomNumber: room.number, checkIn: Ahead.night(22), checkOut: Ahead.night(23), guests: "1",
                               guestName: "Other Process", email: "other@example.com")
        _ = try desk.reserve(form, by: "anna")
        #expect(try !offered(server, token: anna).map(\.number).contains(room.number))
        // And again, now that the server has searched afresh and kept that answer.
        #expect(try !offered(server, token: anna).map(\.number).contains(room.number))
    }

    @Test func theHotelsMidnightMakesAKeptAnswerStaleAndNothingBefore() throws {
        // A hotel in Europe/Vienna with its real business date (no override) and a clock moved by hand.
        let clock = TestClock()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-tests-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try FrontDeskStore(path: folder.appendingPathComponent("desk.sqlite").path, clock: { clock.now })
        _ = try store.createHotel(name: "Hotel Test", timeZone: "Europe/Vienna", currency: "EUR", by: "setup")
        _ = try store.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "setup")
        _ = try store.addRoom(number: "101", typeName: "Double", by: "setup")
        let (result, stamp) = try store.stampedSearch(checkIn: nil, checkOut: nil, guests: "2")
        #expect(result.offers.map(\.room.number) == ["101"])
        let day = try #require(stamp.businessDay)
        let vienna = TimeZone(identifier: "Europe/Vienna")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = vienna
        #expect(calendar.dateComponents([.hour, .minute, .second], from: day.upperBound) == DateComponents(hour: 0, minute: 0, second: 0))
        #expect(CalendarDate.today(in: vienna, at: day.lowerBound) == stamp.businessDate)
        #expect(CalendarDate.today(in: vienna, at: day.upperBound) == stamp.businessDate.adding(days: 1))
        #expect(day.contains(clock.now))

        func move(to instant: Date) { clock.advance(minutes: instant.timeIntervalSince(clock.now) / 60) }
        move(to: day.upperBound.addingTimeInterval(-1))
        #expect(try store.searchIsCurrent(stamp))
        move(to: day.upperBound.addingTimeInterval(1))
        #expect(try !store.searchIsCurrent(stamp))
        // A clock set back to before the day began is another business date too.
        move(to: day.lowerBound.addingTimeInterval(-1))
        #expect(try !store.searchIsCurrent(stamp))
        move(to: day.lowerBound.addingTimeInterval(1))
        #expect(try store.searchIsCurrent(stamp))
    }

    static let stamp = FrontDeskStore.SearchStamp(
        hotel: Hotel(id: UUID(), name: "Test", timeZoneIdentifier: "Europe/Vienna", currency: "EUR"),
        availabilityVersion: 1, businessDate: CalendarDate(iso: "2026-11-26")!, validUntil: nil)
    static let key = AvailabilityCache.Key(hotel: UUID(), checkIn: "2026-12-10", checkOut: "2026-12-13", guests: "2")

    /// Holds a search until the test lets it finish.
    final class Gate: Sendable {
        let searches = Atomic<Int>(0)
        private let opened = Mutex<CheckedContinuation<Void, Never>?>(nil)
        private let isOpen = Atomic<Bool>(false)
        func search(_ body: String) async -> AvailabilityCache.Entry {
            searches.add(1, ordering: .relaxed)
            if !isOpen.load(ordering: .acquiring) {
                await withCheckedContinuation { continuation in opened.withLock { $0 = continuation } }
            }
            return .init(stamp: AvailabilityExactnessTests.stamp, body: ByteBuffer(string: body))
        }
        func open() async {
            isOpen.store(true, ordering: .releasing)
            while true {
                if let continuation = opened.withLock({ $0.take() }) { continuation.resume(); return }
                await Task.yield()
            }
        }
    }

    func whenWaiting(_ cache: AvailabilityCache, count: Int) async {
        while cache.waiting.load(ordering: .relaxed) < count { await Task.yield() }
    }

    @Test func concurrentMissesForOneQuestionSearchOnce() async throws {
        let cache = AvailabilityCache()
        let gate = Gate()
        let first = Task { try await cache.answer(for: Self.key, isCurrent: { _ in true }) { await gate.search("first") } }
        while gate.searches.load(ordering: .relaxed) == 0 { await Task.yield() }
        let second = Task { try await cache.answer(for: Self.key, isCurrent: { _ in true }) { await gate.search("second") } }
        await whenWaiting(cache, count: 1)
        await gate.open()
        #expect(String(buffer: try await first.value) == "first")
        #expect(String(buffer: try await second.value) == "first")
        #expect(gate.searches.load(ordering: .relaxed) == 1)
        #expect((cache.misses.load(ordering: .relaxed), cache.shared.load(ordering: .relaxed)) == (1, 1))
    }

    @Test func aSharedSearchThatIsNoLongerCurrentIsSearchedAgain() async throws {
        // The write came after the shared search had read: the waiting request must not take it.
        let cache = AvailabilityCache()
        let gate = Gate()
        let first = Task { try await cache.answer(for: Self.key, isCurrent: { _ in true }) { await gate.search("before the write") } }
        while gate.searches.load(ordering: .relaxed) == 0 { await Task.yield() }
        let second = Task { try await cache.answer(for: Self.key, isCurrent: { _ in false }) { await gate.search("after the write") } }
        await whenWaiting(cache, count: 1)
        await gate.open()
        #expect(String(buffer: try await first.value) == "before the write")
        #expect(String(buffer: try await second.value) == "after the write")
        #expect(gate.searches.load(ordering: .relaxed) == 2)
        #expect((cache.misses.load(ordering: .relaxed), cache.shared.load(ordering: .relaxed)) == (2, 0))
    }

    @Test func idsAreReadAsFoundationReadsThem() {
        for text in ["c1675e0b-b980-4575-a896-61fec08aa83b", "C1675E0B-B980-4575-A896-61FEC08AA83B", "00000000-0000-0000-0000-000000000000",
                     "ffffffff-FFFF-ffff-FFFF-ffffffffffff"] {
            #expect(BookingRoutes.canonicalUUID(text) == UUID(uuidString: text))
            #expect(BookingRoutes.canonicalUUID(text) != nil)
        }
        for text in ["", "c1675e0b", "c1675e0bb980-4575-a896-61fec08aa83b-", "c1675e0b-b980-4575-a896-61fec08aa83g",
                     "c1675e0b_b980-4575-a896-61fec08aa83b", "c1675e0b-b980-4575-a896-61fec08aa83bb", "ç1675e0b-b980-4575-a896-61fec08aa83"] {
            #expect(BookingRoutes.canonicalUUID(text) == nil)
            #expect(UUID(uuidString: text) == nil)
        }
    }
}
