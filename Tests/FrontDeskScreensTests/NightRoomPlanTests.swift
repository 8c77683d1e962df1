import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Testing

/// The room plan at 00:35 (a night shift's review, session 61): the night of the 18th is still
/// under way on the business date of the 19th. The plan opened on the business date while the
/// search opened on the night under way; a past night said "free · Enter books" and its refusal
/// did not name the night still on sale; a room a guest was moved into after midnight showed
/// "free" on the night under way, which the search does not sell.
@Suite struct NightRoomPlanTests {
    /// A desk whose store keeps the hotel's own business date (none set from outside, unlike
    /// `ScreenFixture`, where no night is ever under way), on the tests' clock: 12:06 in Vienna on
    /// 2026-11-18, moved by hand. Rooms 101-104 Double.
    struct NightDesk {
        let clock: TestClock
        let store: FrontDeskStore
        var model: DeskModel

        init() throws {
            let clock = TestClock()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-night-plan-\(UUID().uuidString)")
            let store = try FrontDeskStore(path: folder.appendingPathComponent("desk.sqlite").path, clock: { clock.now },
                                           random: SeededGenerator(seed: 61))
            _ = try store.createHotel(name: "Hotel Night", timeZone: "Europe/Vienna", currency: "EUR", by: "setup")
            _ = try store.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "setup")
            for number in ["101", "102", "103", "104"] { _ = try store.addRoom(number: number, typeName: "Double", by: "setup") }
            self.clock = clock
            self.store = store
            model = DeskModel(info: DeskInfo(hotelName: "Hotel Night", currency: "EUR", businessDate: try store.businessDate(), user: "anna"),
                              services: DeskTerminalApp.services(store: store, user: "anna", cardPayments: false),
                              managerServices: DeskTerminalApp.managerServices(store: store, exportDirectory: folder.path))
            try tick()
        }

        /// The desk's clock tick, as `DeskTerminalApp` makes it: the business date and the night
        /// under way now.
        mutating func tick() throws {
            model.setBusinessDate(try store.businessDate(), nightUnderWay: try store.nightUnderWay())
        }

        /// From 12:06 on the 18th to 00:35 on the 19th: the night of the 18th under way.
        mutating func toTwentyFivePastMidnight() throws {
            clock.advance(minutes: 12 * 60 + 29)
            try tick()
            #expect(try store.businessDate() == Self.businessDate)
            #expect(model.state.info.nightUnderWay == Self.night)
        }

        static let night = CalendarDate(iso: "2026-11-18")!
        static let businessDate = CalendarDate(iso: "2026-11-19")!

        /// Held and confirmed, one guest paid at the desk.
        func book(_ room: String, from checkIn: String, to checkOut: String, name: String) throws -> Booking {
            let email = name.split(separator: " ").first!.lowercased() + "@example.com"
            let held = try store.reserve(BookingForm(roomNumber: room, checkIn: checkIn, checkOut: checkOut, guests: "1",
                                                     guestName: name, email: email), by: "anna")
            return try store.confirm(held.confirmationCode, by: "anna")
        }

        func roomId(_ number: String) throws -> UUID {
            try #require(try store.rooms().first { $0.room.number == number }).room.id
        }

        mutating func press(_ keys: Key...) {
            for key in keys { _ = model.handle(key) }
        }

        func screen(_ width: Int = 80, _ height: Int = 24) -> String { model.screen(width, height) }

        func buffer(_ width: Int = 80, _ height: Int = 24) -> CellBuffer { model.buffer(width, height) }
    }

    /// Before 06:00 the plan opens on the night under way, the first night on sale, as the search
    /// does, and Home goes back to it; at 06:00 a plan left there moves on to the day's night.
    @Test func thePlanOpensOnTheFirstNightOnSaleAndHomeGoesThere() throws {
        var desk = try NightDesk()
        try desk.toTwentyFivePastMidnight()
        #expect(desk.model.state.search.checkIn == "2026-11-18", "the search's first night on sale")
        desk.press(.function(6))
        #expect(desk.model.state.roomPlan.plan?.first == NightDesk.night)
        #expect(desk.model.state.roomPlan.cursorNight == NightDesk.night)
        #expect(desk.screen().contains("Room 101 Double · We 2026-11-18 · free · Enter books"), "\(desk.screen())")

        desk.press(.right, .right, .pageDown)
        #expect(desk.model.state.roomPlan.cursorNight?.iso == "2026-11-27")
        desk.press(.home)
        #expect(desk.model.state.roomPlan.cursorNight == NightDesk.night)
        #expect(desk.model.state.roomPlan.plan?.first == NightDesk.night)

        // 06:00: the night is over; the plan left on it follows the search to the day's night.
        desk.clock.advance(minutes: 5 * 60 + 25)
        try desk.tick()
        #expect(desk.model.state.info.nightUnderWay == nil)
        #expect(desk.model.state.search.checkIn == "2026-11-19")
        #expect(desk.model.state.roomPlan.cursorNight == NightDesk.businessDate)
        #expect(desk.model.state.roomPlan.plan?.first == NightDesk.businessDate)
        desk.press(.left, .home)
        #expect(desk.model.state.roomPlan.cursorNight == NightDesk.businessDate, "by day Home is the business date")
    }

    /// A night before the first on sale said "free · Enter books", and Enter was then refused
    /// without naming the night still on sale. It now says it is past, the refusal names that
    /// night (the search's words), and the night under way itself is booked from the plan.
    @Test func aPastNightIsNotOfferedAndItsRefusalNamesTheNightStillOnSale() throws {
        var desk = try NightDesk()
        try desk.toTwentyFivePastMidnight()
        desk.press(.function(6), .down, .down, .down, .left) // room 104, the night of the 17th
        #expect(desk.model.state.roomPlan.cursorNight?.iso == "2026-11-17")
        let screen = desk.screen()
        #expect(screen.contains("Room 104 Double · Tu 2026-11-17 · free · past: not for sale"), "\(screen)")
        #expect(!screen.contains("Enter books"), "\(screen)")

        desk.press(.enter)
        #expect(desk.model.state.screen == .roomPlan)
        #expect(desk.model.state.roomPlan.messageIsError)
        #expect(desk.model.state.roomPlan.message
                == "Nights before the business date (2026-11-19) cannot be booked; until 06:00 the night of 2026-11-18 can still be sold")
        // Said whole at 80 columns (wrapped over the message rows).
        let shown = desk.screen().split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(shown.contains("until 06:00 the night of 2026-11-18 can still be sold"), "\(desk.screen())")

        // The night under way is on sale: the booking form for it.
        desk.press(.right)
        #expect(desk.screen().contains("Room 104 Double · We 2026-11-18 · free · Enter books"), "\(desk.screen())")
        desk.press(.enter)
        #expect(desk.model.state.screen == .booking)
        #expect(desk.model.state.booking?.offer.room.number == "104")
        #expect(desk.model.state.booking?.offer.nightlyPrices.map(\.night.iso) == ["2026-11-18"])
    }

    /// Gus, in house in 102, is moved to 101 at 00:35: his stay moves from tonight, the night of
    /// the 18th staying in 102 where he slept part of it; Emil, on a stay from the 19th, is checked
    /// in to 103 at 00:35 and holds no claim on the 18th. Neither 101 nor 103 is sold for the
    /// night under way (the search leaves them out): the plan showed both "free" there, and Enter
    /// said "not free" without why. It now names the guest in the room, and the refusal says why.
    @Test func aRoomWithAGuestInHouseIsNotFreeForTheNightUnderWay() throws {
        var desk = try NightDesk()
        let gus = try desk.book("102", from: "2026-11-18", to: "2026-11-21", name: "Gus Guest")
        _ = try desk.store.checkIn(gus.confirmationCode, by: "anna")
        let emil = try desk.book("103", from: "2026-11-19", to: "2026-11-21", name: "Emil Early")
        try desk.toTwentyFivePastMidnight()
        let moved = try desk.store.move(gus.confirmationCode, toRoom: "101", reason: nil, reprice: false, ChangeRequest(user: "anna"))
        #expect(moved.roomNumber == "101" && moved.status == .checkedIn)
        _ = try desk.store.checkIn(emil.confirmationCode, by: "anna")
        #expect(try desk.store.search(checkIn: "2026-11-18", checkOut: "2026-11-19", guests: "1").offers.map(\.room.number) == ["104"],
                "the search sells only 104 for the night under way")

        // The store's plan: the night of the 18th is Gus's in 102, no stay holds 101 or 103 then,
        // and who is in each room now is said.
        let plan = try desk.store.roomPlan(from: NightDesk.night, nights: 3)
        let room101 = try desk.roomId("101"), room102 = try desk.roomId("102")
        let room103 = try desk.roomId("103"), room104 = try desk.roomId("104")
        #expect(plan.stay(room: room102, night: NightDesk.night)?.confirmationCode == gus.confirmationCode)
        #expect(plan.stay(room: room101, night: NightDesk.night) == nil && plan.stay(room: room103, night: NightDesk.night) == nil)
        #expect(plan.guestsInHouse[room101] == RoomPlan.GuestInHouse(guestName: "Gus Guest", confirmationCode: gus.confirmationCode))
        #expect(plan.guestsInHouse[room103] == RoomPlan.GuestInHouse(guestName: "Emil Early", confirmationCode: emil.confirmationCode))
        #expect(plan.guestsInHouse[room102] == nil && plan.guestsInHouse[room104] == nil, "102 is empty now")

        // The desk's plan: room 101 on the night under way, the cursor on it.
        desk.press(.function(6))
        let buffer = desk.buffer(80, 24)
        let row101 = try #require(buffer.lines.firstIndex { $0.hasPrefix(" 101 ") })
        #expect(buffer.lines[row101].hasPrefix(" 101          Gus… Gus Guest"), "\(buffer.lines[row101])")
        let cell = try #require(buffer.columns(of: "Gus…", y: row101))
        #expect(buffer[cell, row101].role == .selected, "the cursor is on it")
        let gusLine = "Room 101 Double · We 2026-11-18 · not free: guest in house (\(gus.confirmationCode) Gus Guest)"
        #expect(desk.screen(80, 24).contains(gusLine), "whole at 80 columns: \(desk.screen(80, 24))")
        #expect(!desk.screen(80, 24).contains("Enter books"))
        desk.press(.enter)
        #expect(desk.model.state.screen == .roomPlan)
        #expect(desk.model.state.roomPlan.messageIsError)
        #expect(desk.model.state.roomPlan.message
                == Room.guestInHouse("101", guest: "Gus Guest", booking: gus.confirmationCode, night: NightDesk.night))

        // Room 102 holds Gus's night as a stay; room 103 has Emil in it now.
        desk.press(.down)
        let away = desk.buffer(80, 24)
        let gusCell = try #require(away.columns(of: "Gus…", y: row101))
        #expect(away[gusCell, row101].role == .planCheckedIn, "drawn as a guest checked in once the cursor is away")
        desk.press(.down)
        #expect(desk.screen(120, 30).contains("Room 103 Double · We 2026-11-18 · not free: guest in house (\(emil.confirmationCode) Emil Early)"),
                "\(desk.screen(120, 30))")
        desk.press(.enter)
        #expect(desk.model.state.roomPlan.message
                == Room.guestInHouse("103", guest: "Emil Early", booking: emil.confirmationCode, night: NightDesk.night))
        // The next night is Emil's stay as before: Enter opens his booking.
        desk.press(.right)
        #expect(desk.screen(120, 30).contains("\(emil.confirmationCode) CheckedIn · Emil Early"), "\(desk.screen(120, 30))")

        // From 06:00 the night is past: no guest is drawn on it.
        desk.clock.advance(minutes: 5 * 60 + 25)
        try desk.tick()
        desk.press(.home)
        let byDay = desk.buffer(80, 24)
        #expect(!byDay.lines.joined(separator: "\n").contains("Gus…"), "\(byDay.lines.joined(separator: "\n"))")
    }
}
