import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A no-show taken back (session 55): a guest marked at 19:00 who comes at 21:00, or after
/// midnight, is Confirmed again with the nights the no-show gave back, and checked in; never
/// into a night sold since, nor once the stay is over. On SQLite and PostgreSQL alike, through
/// the store and through a desk's pushed `undoNoShow`.
@Suite struct UndoNoShowContractTests {
    typealias Contract = StorageContractChangesTests

    static func stay(_ hotel: any HotelStorage, room: String, from checkIn: String, to checkOut: String,
                     name: String) throws -> Result<Booking, any Error> {
        let email = name.split(separator: " ").first!.lowercased() + "@example.com"
        return try hotel.reserveAll([ReservationRequest(
            form: BookingForm(roomNumber: room, checkIn: checkIn, checkOut: checkOut, guests: "1", guestName: name, email: email),
            payment: .desk, user: "anna")])[0]
    }

    @Test(arguments: StorageBackend.all)
    func aGuestMarkedANoShowWhoComesAfterAllGetsTheNightsBackAndIsCheckedIn(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try StayRulesContractTests.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-21")
        clock.advance(minutes: 7 * 60) // 19:06, past the cut-off
        let gone = try hotel.markNoShow(ana.confirmationCode, Contract.request())
        #expect(gone.status == .noShow)
        guard case .staleVersion? = Contract.refusal({
            try hotel.undoNoShow(ana.confirmationCode, reason: nil, Contract.request(version: ana.version))
        }) else {
            Issue.record("\(backend.name): an undo based on the booking before its no-show must be refused")
            return
        }

        clock.advance(minutes: 2 * 60) // 21:06: the guest is at the desk
        let requestId = UUID()
        let back = try hotel.undoNoShow(ana.confirmationCode, reason: "Came late, flight delayed",
                                        Contract.request(requestId: requestId, version: gone.version))
        #expect(back.status == .confirmed && back.statusReason == "Came late, flight delayed" && back.version == gone.version + 1)
        #expect(try hotel.undoNoShow(ana.confirmationCode, reason: "Came late, flight delayed", Contract.request(requestId: requestId)) == back,
                "\(backend.name): the same request again answers the booking as it is")
        // The nights the no-show gave back are hers again: not sold to anyone else.
        guard case .failure(FrontDeskError.roomUnavailable) = try Self.stay(hotel, room: "101", from: "2026-11-19", to: "2026-11-21", name: "Cy Dunn") else {
            Issue.record("\(backend.name): the nights taken back must not be sold again")
            return
        }
        let report = try hotel.occupancyReport(from: CalendarDate(iso: "2026-11-18")!, through: CalendarDate(iso: "2026-11-20")!)
        #expect(report.days.map(\.roomsSold) == [1, 1, 1], "\(backend.name)")
        let inHouse = try hotel.checkIn(ana.confirmationCode, Contract.request(version: back.version))
        #expect(inHouse.status == .checkedIn && inHouse.checkedInOn == CalendarDate(iso: "2026-11-18"))
        guard case .invalidState(let message)? = Contract.refusal({
            try hotel.undoNoShow(ana.confirmationCode, reason: nil, Contract.request())
        }) else {
            Issue.record("\(backend.name): only a no-show is undone")
            return
        }
        #expect(message.contains("it is CheckedIn"), "\(message)")
    }

    @Test(arguments: StorageBackend.all)
    func aNoShowWhoseNightWasSoldSinceStaysANoShow(_ backend: StorageBackend) throws {
        let clock = TestClock()
        let hotel = try StayRulesContractTests.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-20")
        clock.advance(minutes: 7 * 60) // 19:06
        let gone = try hotel.markNoShow(ana.confirmationCode, Contract.request())
        _ = try Self.stay(hotel, room: "101", from: "2026-11-19", to: "2026-11-20", name: "Cy Dunn").get()
        guard case .roomUnavailable(let message)? = Contract.refusal({
            try hotel.undoNoShow(ana.confirmationCode, reason: nil, Contract.request(version: gone.version))
        }) else {
            Issue.record("\(backend.name): a no-show whose night was sold since cannot be undone")
            return
        }
        #expect(message.contains("was sold again for 2026-11-19 after the no-show") && message.contains("book the guest again"), "\(message)")
        #expect(try hotel.booking(ana.id.uuidString) == gone, "\(backend.name): nothing changed")
    }

    /// Marked at 19:00, at the desk at 01:00: the night under way is still theirs to sleep (its
    /// first-night fee kept it sold). After 06:00 the stay is over and the undo says so.
    @Test(arguments: StorageBackend.all)
    func aNoShowIsUndoneAfterMidnightUntilTheNightEnds(_ backend: StorageBackend) throws {
        let clock = TestClock()
        let hotel = try StayRulesContractTests.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19")
        let ben = try Contract.confirmed(hotel, room: "102", from: "2026-11-18", to: "2026-11-19", name: "Ben Ode")
        clock.advance(minutes: 7 * 60) // 19:06
        _ = try hotel.markNoShow(ana.confirmationCode, Contract.request())
        _ = try hotel.markNoShow(ben.confirmationCode, Contract.request())
        clock.advance(minutes: 5 * 60 + 54) // 01:00 on the 19th
        let back = try hotel.undoNoShow(ana.confirmationCode, reason: nil, Contract.request())
        #expect(back.status == .confirmed && back.statusReason == "No-show undone through the booking server by anna")
        let inHouse = try hotel.checkIn(ana.confirmationCode, Contract.request())
        #expect(inHouse.checkedInOn == CalendarDate(iso: "2026-11-18"), "\(backend.name): checked in to the night under way")

        clock.advance(minutes: 5 * 60 + 30) // 06:30: the night is over
        guard case .invalidState(let message)? = Contract.refusal({
            try hotel.undoNoShow(ben.confirmationCode, reason: nil, Contract.request())
        }) else {
            Issue.record("\(backend.name): a no-show of a stay that is over cannot be undone")
            return
        }
        #expect(message.contains("ended on 2026-11-19") && message.contains("book the guest again"), "\(message)")
        #expect(try hotel.booking(ben.id.uuidString).status == .noShow)
    }

    @Test(arguments: StorageBackend.all)
    func aPushedUndoOfANoShowIsAppliedOnce(_ backend: StorageBackend) throws {
        let clock = TestClock()
        let hotel = try StayRulesContractTests.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-21")
        clock.advance(minutes: 7 * 60) // 19:06
        let gone = try hotel.markNoShow(ana.confirmationCode, Contract.request())
        clock.advance(minutes: 60)
        var undo = StorageContractSyncChangesTests.operation(.undoNoShow, gone, base: gone.version, id: "undo-no-show-1")
        undo.madeAt = "2026-11-18T19:06:40.000Z" // 20:06 in Vienna
        let done = try StorageContractSyncChangesTests.push(hotel, undo)
        #expect(done.outcome == .accepted, "\(backend.name): \(done)")
        #expect(done.booking?.status == "Confirmed" && done.booking?.statusReason?.contains("desk-anna") == true, "\(done)")
        #expect(done.booking?.claims.map(\.night) == ["2026-11-18", "2026-11-19", "2026-11-20"])
        #expect(try StorageContractSyncChangesTests.push(hotel, undo) == done, "pushed again: the first answer")
        #expect(try hotel.booking(ana.id.uuidString).version == gone.version + 1, "undone once")
    }
}

/// The Today screen's "due for a no-show" list after midnight (session 55): a guest due last
/// night who has not come is on it (a night auditor marks them), a walk-in sold after midnight
/// for the night under way is not (the guest is at the desk).
@Suite struct NightUnderWayNoShowListTests {
    @Test func aWalkInSoldAfterMidnightIsNotDueForANoShow() throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-tests-\(UUID().uuidString)")
        // The business date follows the clock, as on a real desk.
        let store = try FrontDeskStore(path: folder.appendingPathComponent("desk.sqlite").path, clock: { clock.now },
                                       random: SeededGenerator(seed: 42))
        _ = try store.createHotel(name: "Hotel Test", timeZone: "Europe/Vienna", currency: "EUR", by: "setup")
        _ = try store.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "setup")
        for number in ["101", "102"] { _ = try store.addRoom(number: number, typeName: "Double", by: "setup") }
        func book(_ room: String, _ name: String) throws -> Booking {
            let held = try store.reserve(BookingForm(roomNumber: room, checkIn: "2026-11-18", checkOut: "2026-11-19", guests: "1",
                                                     guestName: name, email: "guest@example.com"), by: "anna")
            return try store.confirm(held.confirmationCode, by: "anna")
        }
        let due = try book("101", "Sam Sleeper")
        clock.advance(minutes: 12 * 60 + 54) // 01:00 on the 19th
        let walkIn = try book("102", "Walt Walker")
        let today = CalendarDate(iso: "2026-11-19")!
        #expect(try store.dayLists(on: today).dueForNoShow.map(\.id) == [due.id], "the walk-in sold at 01:00 is at the desk")
        clock.advance(minutes: 6 * 60) // 07:00: the night is over, and the walk-in never checked in
        #expect(try store.dayLists(on: today).dueForNoShow.map(\.id) == [due.id, walkIn.id])
    }
}
