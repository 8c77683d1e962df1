import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// Fixes from a night shift's hands-on review at 00:30 hotel time (session 61), on SQLite and
/// PostgreSQL alike where both hold the rule. The hour is the tests' own clock (`TestClock`:
/// 12:06 in Vienna on 2026-11-18, moved by hand), never the real one.
@Suite struct NightShiftReviewTests {
    typealias Contract = StorageContractChangesTests
    typealias Rules = StayRulesContractTests

    /// From 12:06 on the 18th to 00:30 on the 19th: the night of the 18th still under way.
    static let toHalfPastMidnight: Double = 12 * 60 + 24

    /// A room sold for the night under way was taken out of service at 00:30 (only nights from
    /// the business date on were looked at), and its guest then checked in to it.
    @Test(arguments: StorageBackend.all)
    func aRoomSoldForTheNightUnderWayIsNotTakenOutOfServiceBeforeSix(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Rules.onTheClock(backend, clock)
        let sam = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19", name: "Sam Sleeper")
        clock.advance(minutes: Self.toHalfPastMidnight)
        #expect(try hotel.businessDate() == CalendarDate(iso: "2026-11-19"))
        guard let message = Rules.refusal("invalid_state", backend, "a room sold for the night under way stays in service until 06:00", {
            try hotel.deactivateRoom("101", by: "max")
        }) else { return }
        #expect(message.contains("Room 101 has bookings from 2026-11-18 on (\(sam.confirmationCode))"), "\(message)")
        // The same through a change of the room's state (the API's PATCH): one rule.
        guard Rules.refusal("invalid_state", backend, "a room's state changed to out of service is refused as well", {
            try hotel.changeRoom("101", newNumber: nil, isActive: false, by: "max")
        }) != nil else { return }
        #expect(try hotel.rooms().first(where: { $0.room.number == "101" })?.room.isActive == true, "\(backend.name)")
        if let desk = hotel as? FrontDeskStore {
            // What the Rooms screen offers to move before the room can go.
            #expect(try desk.bookingsHoldingRoom("101") == [sam.confirmationCode])
        }
        clock.advance(minutes: 5 * 60 + 30) // 06:00: the night is over and Sam never came
        #expect(try hotel.deactivateRoom("101", by: "max").room.isActive == false, "\(backend.name)")
    }

    /// A room taken out of service after its booking was made (here an early-morning walk-in's,
    /// at 06:05, once the night rule no longer holds it): the check-in put the guest in a room out
    /// of service. It is refused with the way on, as an undone check-out is.
    @Test(arguments: StorageBackend.all)
    func aGuestIsNotCheckedInToARoomOutOfService(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Rules.onTheClock(backend, clock)
        clock.advance(minutes: 17 * 60 + 44) // 05:50 on the 19th
        let listing = try #require(try hotel.rooms().first(where: { $0.room.number == "102" }))
        let waltId = UUID()
        let sold = try hotel.applySync([Rules.pushedWalkIn(waltId, room: listing, madeAt: "2026-11-19T04:50:00.000Z", name: "Walt Walker",
                                                           code: "WLK-ERL")], by: "anna").results[0]
        #expect(sold.outcome == .accepted, "\(backend.name): \(sold.code ?? "") \(sold.message ?? "")")
        clock.advance(minutes: 15) // 06:05
        _ = try hotel.deactivateRoom("102", by: "max")
        clock.advance(minutes: 5) // 06:10: Walt at the desk
        guard let message = Rules.refusal("room_unavailable", backend, "a check-in into a room out of service must be refused", {
            try hotel.checkIn(waltId.uuidString, Contract.request())
        }) else { return }
        // The code as the store keeps it (a pushed code may be given a new one).
        let code = try hotel.booking(waltId.uuidString).confirmationCode
        #expect(message.contains("Room 102 is out of service: move the guest to another room first (move \(code) --room"), "\(message)")
        #expect(try hotel.booking(waltId.uuidString).status == .confirmed, "\(backend.name): nothing changed")
        _ = try hotel.activateRoom("102", by: "max")
        #expect(try hotel.checkIn(waltId.uuidString, Contract.request()).status == .checkedIn, "\(backend.name)")
    }

    /// At 00:30, a stay from the night under way: its check-out could not be brought to the
    /// business date ("must be after the business date"), though a new booking of that one night
    /// ends then; and a lengthening refused for a sold night suggested rooms free only from the
    /// business date, where the booking, which moves with the night under way, needs that night too.
    @Test(arguments: StorageBackend.all)
    func aStayFromTheNightUnderWayMayEndTodayAndItsSuggestedRoomsHoldThatNight(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Rules.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-20")
        _ = try Contract.confirmed(hotel, room: "101", from: "2026-11-20", to: "2026-11-21", name: "Ben Ode")
        _ = try Contract.confirmed(hotel, room: "102", from: "2026-11-18", to: "2026-11-19", name: "Cara Diaz") // 102 free from the 19th
        let dan = try Contract.confirmed(hotel, room: "104", from: "2026-11-18", to: "2026-11-20", name: "Dan Eze")
        clock.advance(minutes: Self.toHalfPastMidnight)
        guard let taken = Rules.refusal("room_unavailable", backend, "a lengthening over a sold night must be refused", {
            try hotel.changeBooking(ana.confirmationCode, BookingEdit(checkOut: "2026-11-21"), Contract.request(version: ana.version))
        }) else { return }
        #expect(taken.contains("Room 101 is taken on the night of 2026-11-20; free from 2026-11-18 to 2026-11-21: room 103"), "\(taken)")
        #expect(!taken.contains("102"), "\(backend.name): room 102 is not free on the night of the 18th: \(taken)")

        let shorter = try hotel.changeBooking(ana.confirmationCode, BookingEdit(checkOut: "2026-11-19"), Contract.request(version: ana.version))
        #expect(shorter.stay.checkIn == CalendarDate(iso: "2026-11-18") && shorter.stay.checkOut == CalendarDate(iso: "2026-11-19"),
                "\(backend.name)")
        #expect(shorter.nightlyPrices.map(\.night.iso) == ["2026-11-18"], "\(backend.name)")

        // From 06:00 the night is over: a stay's check-out is no longer brought to the day.
        clock.advance(minutes: 5 * 60 + 30)
        guard let problems = Rules.refusal("validation_failed", backend, "after 06:00 a check-out on the business date is refused", {
            try hotel.changeBooking(dan.confirmationCode, BookingEdit(checkOut: "2026-11-19"), Contract.request(version: dan.version))
        }) else { return }
        #expect(problems.contains("Check-out date must be after the business date (2026-11-19)"), "\(problems)")
    }

    /// At 00:30 a walk-in sold for the night under way (check-in yesterday, check-out today,
    /// Confirmed, not yet checked in) was listed only with the day's departures, a guest to check
    /// out; it is the guest at the desk: one of the day's arrivals (the Today screen and `report
    /// arrivals` read these lists). Checked in, it is a departure of the day like any guest of
    /// that night. A guest due last night, booked before midnight, stays due for a no-show.
    @Test func aWalkInOfTheNightUnderWayIsListedWithTheDaysArrivals() throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Rules.onTheClock(.sqlite, clock)
        let desk = try #require(hotel as? FrontDeskStore)
        let sam = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19", name: "Sam Sleeper")
        clock.advance(minutes: Self.toHalfPastMidnight)
        let listing = try #require(try hotel.rooms().first(where: { $0.room.number == "102" }))
        let waltId = UUID()
        let sold = try hotel.applySync([Rules.pushedWalkIn(waltId, room: listing, madeAt: "2026-11-18T23:30:00.000Z", name: "Walt Walker",
                                                           code: "WLK-NGT")], by: "anna").results[0]
        #expect(sold.outcome == .accepted, "\(sold.code ?? "") \(sold.message ?? "")")
        let today = try #require(CalendarDate(iso: "2026-11-19"))
        #expect(try hotel.businessDate() == today)

        let lists = try desk.dayLists(on: today)
        #expect(lists.arrivals.map(\.id) == [waltId], "the walk-in at the desk is an arrival")
        #expect(lists.departures.map(\.id) == [sam.id], "and no departure to check out yet")
        #expect(lists.dueForNoShow.map(\.id) == [sam.id])

        _ = try hotel.checkIn(waltId.uuidString, Contract.request())
        let checkedIn = try desk.dayLists(on: today)
        #expect(checkedIn.arrivals.isEmpty, "checked in to last night: not an arrival of today")
        #expect(checkedIn.departures.map(\.id) == [sam.id, waltId])
    }

    /// What the command line asks before it says the night under way beside an answer (`search`
    /// and `book` from the business date, `check-in`): the night until 06:00, nothing by day.
    @Test func theStoreSaysWhichNightIsUnderWay() throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Rules.onTheClock(.sqlite, clock)
        let desk = try #require(hotel as? FrontDeskStore)
        #expect(try desk.nightUnderWay() == nil, "by day")
        clock.advance(minutes: Self.toHalfPastMidnight)
        #expect(try desk.nightUnderWay() == CalendarDate(iso: "2026-11-18"))
        clock.advance(minutes: 5 * 60 + 30) // 06:00
        #expect(try desk.nightUnderWay() == nil)
    }
}
