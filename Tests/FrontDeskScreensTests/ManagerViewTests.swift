import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Testing

/// The room plan and the occupancy dashboard, driven by keys like the desk, read back as text.
@Suite struct ManagerViewTests {
    /// Zoë checked in today until 11-30 in 101; 山田太郎 confirmed in 401 for 30 nights from 11-29;
    /// a hold on 102 for 11-27 and 11-28; in 301 Olga stayed 11-24 to 11-26 and checked out today,
    /// and Omar, due to stay until 11-28, checked in and out today, giving his nights back;
    /// 104 out of service.
    static func hotelWithStays() throws -> ScreenFixture {
        var fixture = try ScreenFixture()
        let store = fixture.desk.store
        let zoe = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-30")
        _ = try store.checkIn(zoe.confirmationCode, by: "anna")
        let taro = try store.reserve(BookingForm(roomNumber: "401", checkIn: "2026-11-29", checkOut: "2026-12-29", guests: "2",
                                                 guestName: "山田太郎", email: "taro@example.jp"), by: "anna")
        _ = try store.confirm(taro.confirmationCode, by: "anna")
        _ = try store.reserve(BookingForm(roomNumber: "102", checkIn: "2026-11-27", checkOut: "2026-11-29", guests: "1",
                                          guestName: "Ines Hold", email: "ines@example.com"), by: "anna")
        let leaving = try store.reserve(BookingForm(roomNumber: "301", checkIn: "2026-11-26", checkOut: "2026-11-28", guests: "1",
                                                    guestName: "Omar Early", email: "omar@example.com"), by: "anna")
        _ = try store.confirm(leaving.confirmationCode, by: "anna")
        _ = try store.checkIn(leaving.confirmationCode, by: "anna")
        _ = try store.checkOut(leaving.confirmationCode, by: "anna")
        // Two days ago, at the same desk.
        let clock = fixture.desk.clock
        let earlier = try FrontDeskStore(path: store.path, clock: { clock.now }, businessDate: StoreFixture.today.adding(days: -2))
        let olga = try earlier.reserve(BookingForm(roomNumber: "301", checkIn: "2026-11-24", checkOut: "2026-11-26", guests: "1",
                                                   guestName: "Olga Past", email: "olga@example.com"), by: "anna")
        _ = try earlier.confirm(olga.confirmationCode, by: "anna")
        _ = try earlier.checkIn(olga.confirmationCode, by: "anna")
        _ = try store.checkOut(olga.confirmationCode, by: "anna")
        _ = try store.deactivateRoom("104", by: "manager")
        fixture.model.bookingsChanged()
        return fixture
    }

    /// The plan from 11-27: Zoë's stay began before it, 山田太郎's ends after it.
    static func planFromThe27th() throws -> ScreenFixture {
        var fixture = try hotelWithStays()
        fixture.press(.function(6))
        fixture.answer(.alt("g"), with: "2026-11-27")
        fixture.press(.down)
        return fixture
    }

    @Test func theRoomPlanAt80x24() throws {
        let fixture = try Self.planFromThe27th()
        #expect(ScreenSnapshotTests.masked(fixture.screen(80, 24)) == Self.plan80)
    }

    @Test func theRoomPlanAt140x45() throws {
        let fixture = try Self.planFromThe27th()
        #expect(ScreenSnapshotTests.masked(fixture.screen(140, 45)) == Self.plan140)
    }

    @Test func staysAreColouredByStatusAndTheCursorIsDrawn() throws {
        let buffer = try Self.planFromThe27th().buffer(80, 24)
        let lines = buffer.lines
        func role(ofText text: String) throws -> Role {
            let y = try #require(lines.firstIndex { $0.contains(text) }, "\(text) is not on the plan")
            let x = try #require(buffer.columns(of: text, y: y))
            return buffer[x, y].role
        }
        #expect(try role(ofText: "Ines Hold") == .planHeld)
        #expect(try role(ofText: "山田太郎") == .planConfirmed)
        #expect(try role(ofText: "◂Zoë") == .selected)
        // Omar gave his nights back when he left: nothing of his is drawn.
        #expect(!lines.joined().contains("Omar"))
        let outOfService = try #require(lines.firstIndex { $0.hasPrefix(" 104 ×") })
        #expect(buffer[12, outOfService].role == .planOutOfService)
        // The cursor: room 101 (second line, ↓ once), 11-27, on Zoë's stay: the whole bar selected.
        #expect(try role(ofText: "101") == .selected)
        var moved = try Self.planFromThe27th()
        moved.press(.down)
        let afterMove = moved.buffer(80, 24)
        let zoeRow = try #require(afterMove.lines.firstIndex { $0.contains("◂Zoë") })
        #expect(afterMove[try #require(afterMove.columns(of: "◂Zoë", y: zoeRow)), zoeRow].role == .planCheckedIn)
    }

    @Test func aCheckedOutStayIsDrawnAsSuchAndNightsGivenBackAreFree() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(6))
        fixture.answer(.alt("g"), with: "2026-11-24")
        fixture.press(.down)
        let buffer = fixture.buffer(140, 45)
        let y = try #require(buffer.lines.firstIndex { $0.hasPrefix(" 301 ") })
        #expect(buffer[try #require(buffer.columns(of: "Olga", y: y)), y].role == .planCheckedOut)
        #expect(!buffer.lines[y].contains("Omar"))
        fixture.press(.up, .right, .right, .right)
        #expect(fixture.screen().contains("Room 301 Single · Fr 2026-11-27 · free"))
    }

    @Test func bookingFromAFreeNightEndsConfirmedForThatRoomAndNight() throws {
        var fixture = try Self.hotelWithStays()
        // Room plan; the first line is 301 (the cheapest type), then 101, 102: 102 is free on 11-29.
        fixture.press(.function(6), .down, .down, .right, .right, .right)
        #expect(fixture.screen().contains("Room 102 Double · Su 2026-11-29 · free"))
        fixture.press(.enter)
        #expect(fixture.model.state.screen == .booking)
        #expect(fixture.screen().contains("Room 102 Double, 2026-11-29 to 2026-11-30 (1 night)"))
        fixture.type("Léa Martin")
        fixture.press(.tab)
        fixture.type("lea@example.com")
        fixture.press(.enter)
        try fixture.runSaga()
        let screen = fixture.screen()
        #expect(screen.contains("✔ Confirmed"))
        let booking = try #require(try fixture.desk.store.bookings(BookingFilter(guestText: "Léa Martin")).first)
        #expect(booking.status == .confirmed)
        #expect(booking.roomNumber == "102")
        #expect(booking.stay.checkIn.iso == "2026-11-29" && booking.stay.checkOut.iso == "2026-11-30")
        // Esc goes back to the plan, which shows the new stay on that night.
        fixture.press(.escape)
        #expect(fixture.model.state.screen == .roomPlan)
        #expect(fixture.screen().contains("Léa"))
    }

    @Test func altMMarksALongerStay() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(6), .down, .down, .down, .alt("m"), .right, .right)
        #expect(fixture.screen().contains("Room 103 Double · 2026-11-26 to 2026-11-29, 3 nights · free"))
        fixture.press(.enter)
        #expect(fixture.screen().contains("Room 103 Double, 2026-11-26 to 2026-11-29 (3 nights)"))
    }

    /// A stretch marked over another guest's night said "free · Enter books" (and Enter was then
    /// refused): it names the night taken and whose it is.
    @Test func aStretchOverATakenNightSaysWhoseItIs() throws {
        var fixture = try Self.hotelWithStays()
        let later = try fixture.desk.book(room: "103", from: "2026-11-28", to: "2026-11-29")
        fixture.press(.function(6), .down, .down, .down, .alt("m"), .right, .right)
        let screen = fixture.screen(120, 30)
        #expect(screen.contains("not free: the night of 2026-11-28 is Zoë Ångström's (\(later.confirmationCode))"), "\(screen)")
        #expect(!screen.contains("· free ·"), "\(screen)")
    }

    @Test func enterOnAStayOpensItsBookingAndRefusalsAreSaid() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(6), .down, .enter)
        #expect(fixture.model.state.screen == .bookings)
        #expect(fixture.model.state.bookings.results.map(\.guest.name) == ["Zoë Ångström"])
        #expect(fixture.screen().contains("Zoë Ångström  <guest@example.com>"))

        // Back on the plan the cursor is where it was (101): three rooms down is 104.
        fixture.press(.function(6), .home, .down, .down, .down, .enter)
        #expect(fixture.screen().contains("Room 104 is out of service"))
        fixture.press(.up, .left, .enter)
        #expect(fixture.screen().contains("Nights before the business date (2026-11-26) cannot be booked"))
        fixture.answer(.alt("g"), with: "tomorrow")
        #expect(fixture.screen().contains("'tomorrow' is not a date (use YYYY-MM-DD)"))
    }

    @Test func aBookingMadeElsewhereAppearsOnThePlan() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(6))
        #expect(!fixture.screen().contains("Walk In"))
        _ = try fixture.desk.store.reserve(BookingForm(roomNumber: "202", checkIn: "2026-11-30", checkOut: "2026-12-02", guests: "2",
                                                       guestName: "Walk In", email: "walk@example.com"), by: "other desk")
        fixture.model.availabilityChanged()
        #expect(fixture.screen().contains("Walk In"))
    }

    @Test func movingPastTheEdgeScrollsTheNightsAndPageDownMovesAWeek() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(6))
        for _ in 0..<13 { fixture.press(.right) }
        // 13 nights fit at 80 columns beside room numbers of 10 characters: the 14th night
        // (12-09) scrolls the plan by one.
        #expect(fixture.model.state.roomPlan.plan?.first.iso == "2026-11-27")
        fixture.press(.pageDown)
        #expect(fixture.model.state.roomPlan.cursorNight?.iso == "2026-12-16")
        #expect(fixture.model.state.roomPlan.plan?.first.iso == "2026-12-04")
        fixture.press(.home)
        #expect(fixture.model.state.roomPlan.plan?.first.iso == "2026-11-26")
    }

    // MARK: Dashboard

    @Test func theDashboardAt80x24And140x45() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(7))
        #expect(fixture.screen(80, 24) == Self.dashboard80)
        #expect(fixture.screen(140, 45) == Self.dashboard140)
    }

    /// Many room types at 80x24: the nights keep their rows, the types that do not fit are named
    /// as a count; very wide terminals get at most a year of plan.
    @Test func manyRoomTypesAndVeryWideTerminalsStillFit() throws {
        var fixture = try Self.hotelWithStays()
        for number in 1...12 {
            _ = try fixture.desk.store.addRoomType(name: "Suite \(number)", capacity: 2, basePrice: Money(minorUnits: 30_000 + Int64(number)),
                                                   by: "manager")
        }
        fixture.press(.function(7))
        let lines = fixture.screen(80, 24).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let total = try #require(lines.firstIndex { $0.hasPrefix(" Total ") })
        let header = try #require(lines.firstIndex { $0.hasPrefix(" Room type ") })
        #expect(total < header)
        #expect(lines.filter { $0.contains(" 2026-1") && $0.hasPrefix(" ") && $0.dropFirst(4).hasPrefix("2026-") }.count >= 3)
        #expect(lines.contains { $0.contains("… 9 more room types") }) // 17 types, 9 rows: 8 shown and the count
        fixture.press(.function(6))
        #expect(fixture.screen(1600, 30).contains("366 nights"))
    }

    @Test func theDashboardScrollsNoFurtherThanItsLastNight() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(7))
        for _ in 0..<40 { fixture.press(.down) }
        // 7 night rows fit at 80x24: the last 7 of 30 are shown, and one ↑ shows one earlier.
        #expect(fixture.screen().contains("↑↓ 24–30 of 30"))
        fixture.press(.up)
        let screen = fixture.screen()
        #expect(screen.contains("↑↓ 23–29 of 30") && screen.contains(" Fr 2026-12-18 ") && !screen.contains(" Th 2026-12-17 "))
    }

    @Test func theDashboardExportsWhatTheCommandLinePrints() throws {
        var fixture = try Self.hotelWithStays()
        fixture.press(.function(7), .alt("e"))
        let file = fixture.desk.folder.appendingPathComponent("occupancy-2026-11-26-to-2026-12-25.csv")
        #expect(fixture.screen(200, 24).contains("Wrote 30 nights to \(file.path)"))
        let written = try String(contentsOf: file, encoding: .utf8)
        let report = try fixture.desk.store.occupancyReport(from: StoreFixture.today, through: StoreFixture.today.adding(days: 29))
        #expect(written == report.csv)
        #expect(written.split(separator: "\n").count == 31)
        // Another range: typed, then exported under its own name.
        fixture.answer(.alt("g"), with: "2026-12-01 2026-12-07")
        #expect(fixture.screen().contains("2026-12-01 to 2026-12-07 · 7 nights"))
        fixture.answer(.alt("g"), with: "soon")
        #expect(fixture.screen().contains("'soon' is neither a date (YYYY-MM-DD) nor a number of nights"))
    }

    /// A desk with the manager views on `store`, its business date the fixtures' today.
    static func managerModel(_ store: FrontDeskStore, exportDirectory: String) -> DeskModel {
        DeskModel(info: DeskInfo(hotelName: "Hotel Test", currency: "EUR", businessDate: StoreFixture.today, user: "manager"),
                  services: DeskTerminalApp.services(store: store, user: "manager", cardPayments: false),
                  managerServices: DeskTerminalApp.managerServices(store: store, exportDirectory: exportDirectory))
    }

    @Test func anExportToAMissingFolderSaysSoAndWritesNothing() throws {
        let fixture = try Self.hotelWithStays()
        let missing = fixture.desk.folder.appendingPathComponent("no-such-folder")
        var model = Self.managerModel(fixture.desk.store, exportDirectory: missing.path)
        _ = model.handle(.function(7))
        _ = model.handle(.alt("e"))
        #expect(model.state.dashboard.messageIsError)
        #expect(model.state.dashboard.message == "Could not write the CSV file: The export folder \(missing.path) does not exist")
        #expect(!FileManager.default.fileExists(atPath: missing.path))
    }

    /// A generated hotel; every night of a 60-night range on the dashboard, checked against
    /// figures worked out from the bookings alone.
    @Test func theDashboardsFiguresAreTheBookingsFigures() throws {
        let desk = try StoreFixture(rooms: false)
        let demo = DemoHotelGenerator(roomCount: 30, days: 150, occupancy: 0.75, seed: 11, businessDate: StoreFixture.today,
                                      now: desk.clock.now).generate()
        try desk.store.importDemo(demo, replacing: false, by: "setup")
        // A room out of service is not available: the figures count the rooms in service.
        _ = try desk.store.addRoom(number: "999", typeName: demo.roomTypes[0].name, by: "manager")
        _ = try desk.store.deactivateRoom("999", by: "manager")
        var model = Self.managerModel(desk.store, exportDirectory: desk.folder.path)
        let first = StoreFixture.today.adding(days: -20)
        _ = model.handle(.function(7))
        _ = model.handle(.alt("g"))
        for character in "\(first) 60" { _ = model.handle(.character(character)) } // the range prompt
        _ = model.handle(.enter)
        let lines = model.render(width: 140, height: 90).lines

        let rooms = try desk.store.rooms()
        let typeOfRoom = Dictionary(uniqueKeysWithValues: rooms.map { ($0.room.id, $0.type.name) })
        let bookings = try desk.store.bookings(BookingFilter(from: first, to: first.adding(days: 59)))
        let stays = bookings.map { IndependentFigures.Stay($0, roomType: typeOfRoom[$0.roomId]!) }
        let expected = IndependentFigures.nights(stays, activeRooms: rooms.filter(\.room.isActive).count, from: first, count: 60)
        #expect(expected.contains { $0.sold > 0 } && expected.contains { $0.date < StoreFixture.today && $0.sold > 0 })
        for night in expected {
            let row = try #require(lines.first { $0.hasPrefix(" \(night.date.weekdayAbbreviation) \(night.date) ") }, "no row for \(night.date)")
            let cells = row.split(separator: " ").map(String.init)
            #expect(Array(cells.dropFirst(2).prefix(5)) == [night.occupancyPercent, "\(night.sold)/\(night.available)",
                                                           night.revenue, night.adr, night.revpar], "\(night)")
        }
        let byType = IndependentFigures.byRoomType(stays, from: first, count: 60)
        for (name, figures) in byType {
            let row = try #require(lines.first { $0.hasPrefix(" \(name) ") })
            #expect(row.contains(" \(IndependentFigures.amount(figures.cents)) "), "\(name): \(row)")
            #expect(row.contains(" \(figures.sold)/"), "\(name): \(row)")
        }
        let totalCents = byType.values.map(\.cents).reduce(0, +)
        #expect(lines.contains { $0.hasPrefix(" Total ") && $0.contains(" \(IndependentFigures.amount(totalCents)) ") })
        // Today's lists, counted from the same bookings by the definitions.
        let today = StoreFixture.today
        let live = bookings.filter { ["Confirmed", "CheckedIn", "CheckedOut"].contains($0.status.rawValue) }
        let arriving = live.filter { $0.stay.checkIn == today }.count
        let leaving = live.filter { $0.stay.checkOut == today }.count
        let inHouse = live.filter { $0.status == .checkedIn && $0.stay.checkIn <= today && today < $0.stay.checkOut }.count
        #expect(lines.contains { $0.contains("Today \(arriving) arriving · \(leaving) leaving · \(inHouse) in house") })
        #expect(arriving > 0 && leaving > 0 && inHouse > 0)
    }
}

extension CellBuffer {
    /// The column where `text` starts on row `y`, counting cells (double-width characters take two).
    func columns(of text: String, y: Int) -> Int? {
        let first = text.first.map(String.init)
        for x in 0..<width where self[x, y].text == first {
            var column = x
            var matched = true
            for character in text {
                guard column < width, self[column, y].text == String(character) else { matched = false; break }
                column += TerminalWidth.of(character)
            }
            if matched { return x }
        }
        return nil
    }
}

extension ManagerViewTests {
    static let plan80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Room plan 2026-11-27 to 2026-12-09 · 13 nights · 8 of 9 rooms in service
         Nov 2026     Fr   Sa   Su   Mo  Dec   We   Th   Fr   Sa   Su   Mo   Tu   We
         Room         27   28   29   30    1    2    3    4    5    6    7    8    9
         Single · 1 room · sleeps 1
         301          ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·
         Double · 4 rooms · sleeps 2
         101          ◂Zoë Ångström  ·    ·    ·    ·    ·    ·    ·    ·    ·    ·
         102          Ines Hold ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·
         103          ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·
         104 ×        ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░
         和室 Washitsu · 1 room · sleeps 2
         401          ·    ·    山田太郎                                              ▸
         Chambre Élégance · 1 room · sleeps 2
         402          ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·
         Family · 2 rooms · sleeps 4
         201          ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·
         202          ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·    ·




         Room 101 Double · XXX-XXX CheckedIn · Zoë Ångström · 2026-11-26 to 2026-11-30…
         Enter Book/open  Alt-g Go to  Home Tonight  F10 Quit  F1 Help  F2 Search
        """
    static let plan140 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                                      09:30
         Room plan 2026-11-27 to 2026-12-27 · 31 nights · 8 of 9 rooms in service   held   confirmed   checked in   checked out   out of service
         Nov 2026     Fr  Sa  Su  Mo Dec  We  Th  Fr  Sa  Su  Mo  Tu  We  Th  Fr  Sa  Su  Mo  Tu  We  Th  Fr  Sa  Su  Mo  Tu  We  Th  Fr  Sa  Su
         Room         27  28  29  30   1   2   3   4   5   6   7   8   9  10  11  12  13  14  15  16  17  18  19  20  21  22  23  24  25  26  27
         Single · 1 room · sleeps 1
         301          ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·
         Double · 4 rooms · sleeps 2
         101          ◂Zoë Ångst… ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·
         102          Ines H… ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·
         103          ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·
         104 ×        ░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░░
         和室 Washitsu · 1 room · sleeps 2
         401          ·   ·   山田太郎                                                                                                           ▸
         Chambre Élégance · 1 room · sleeps 2
         402          ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·
         Family · 2 rooms · sleeps 4
         201          ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·
         202          ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·   ·

























         Room 101 Double · XXX-XXX CheckedIn · Zoë Ångström · 2026-11-26 to 2026-11-30 · Enter opens it
         Enter Book/open  Alt-g Go to  Home Tonight  F10 Quit  F1 Help  F2 Search  F3 Bookings  F4 Today  F5 Rooms  F6 Plan  F7 Occupancy
        """
    static let dashboard80 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle          09:30
         Occupancy 2026-11-26 to 2026-12-25 · 30 nights · EUR
         Range: occupancy 13.33% · ADR 128.94 · RevPAR 17.19 · revenue 4126.00
         Today 2 arriving · 2 leaving · 1 in house · pickup 7 days: 32 room-nights
         Occupancy  ▂▁▁▂▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁
         Revenue    ▆▃▃█▅▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆

         Night           Occ %      Sold     Revenue       ADR    RevPAR Occupancy (m)
         Th 2026-11-26   25.00       2/8      124.00     62.00     15.50 ███▌
         Fr 2026-11-27   12.50       1/8       76.00     76.00      9.50 █▊
         Sa 2026-11-28   12.50       1/8       76.00     76.00      9.50 █▊
         Su 2026-11-29   25.00       2/8      178.00     89.00     22.25 ███▌
         Mo 2026-11-30   12.50       1/8      102.00    102.00     12.75 █▊
         Tu 2026-12-01   12.50       1/8      142.80    142.80     17.85 █▊
         We 2026-12-02   12.50       1/8      142.80    142.80     17.85 █▊
         Total           13.33    32/240     4126.00    128.94     17.19 ↑↓ 1–7 of 30
         Room type       Occ %      Sold     Revenue       ADR    RevPAR   Rooms
         Single           3.33      1/30       48.00     48.00      1.60       1
         Double           4.44      4/90      304.00     76.00      3.38       3
         和室 Washitsu   90.00     27/30     3774.00    139.78    125.80       1
         Chambre Élég…    0.00      0/30        0.00      0.00      0.00       1
         Family           0.00      0/60        0.00      0.00      0.00       2

         Alt-g Range  Alt-m Chart  Alt-e Export CSV  F10 Quit  F1 Help  F2 Search
        """
    static let dashboard140 = """
         Hotel Test · business date 2026-11-26 · anna · background: idle                                                                      09:30
         Occupancy 2026-11-26 to 2026-12-25 · 30 nights · EUR
         Range: occupancy 13.33% · ADR 128.94 · RevPAR 17.19 · revenue 4126.00
         Today 2 arriving · 2 leaving · 1 in house · pickup 7 days: 32 room-nights
         Occupancy  ▂▁▁▂▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁▁
         Revenue    ▆▃▃█▅▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆▆

         Night           Occ %      Sold     Revenue       ADR    RevPAR Occupancy (m)
         Th 2026-11-26   25.00       2/8      124.00     62.00     15.50 ██████████████████▌
         Fr 2026-11-27   12.50       1/8       76.00     76.00      9.50 █████████▎
         Sa 2026-11-28   12.50       1/8       76.00     76.00      9.50 █████████▎
         Su 2026-11-29   25.00       2/8      178.00     89.00     22.25 ██████████████████▌
         Mo 2026-11-30   12.50       1/8      102.00    102.00     12.75 █████████▎
         Tu 2026-12-01   12.50       1/8      142.80    142.80     17.85 █████████▎
         We 2026-12-02   12.50       1/8      142.80    142.80     17.85 █████████▎
         Th 2026-12-03   12.50       1/8      142.80    142.80     17.85 █████████▎
         Fr 2026-12-04   12.50       1/8      142.80    142.80     17.85 █████████▎
         Sa 2026-12-05   12.50       1/8      142.80    142.80     17.85 █████████▎
         Su 2026-12-06   12.50       1/8      142.80    142.80     17.85 █████████▎
         Mo 2026-12-07   12.50       1/8      142.80    142.80     17.85 █████████▎
         Tu 2026-12-08   12.50       1/8      142.80    142.80     17.85 █████████▎
         We 2026-12-09   12.50       1/8      142.80    142.80     17.85 █████████▎
         Th 2026-12-10   12.50       1/8      142.80    142.80     17.85 █████████▎
         Fr 2026-12-11   12.50       1/8      142.80    142.80     17.85 █████████▎
         Sa 2026-12-12   12.50       1/8      142.80    142.80     17.85 █████████▎
         Su 2026-12-13   12.50       1/8      142.80    142.80     17.85 █████████▎
         Mo 2026-12-14   12.50       1/8      142.80    142.80     17.85 █████████▎
         Tu 2026-12-15   12.50       1/8      142.80    142.80     17.85 █████████▎
         We 2026-12-16   12.50       1/8      142.80    142.80     17.85 █████████▎
         Th 2026-12-17   12.50       1/8      142.80    142.80     17.85 █████████▎
         Fr 2026-12-18   12.50       1/8      142.80    142.80     17.85 █████████▎
         Sa 2026-12-19   12.50       1/8      142.80    142.80     17.85 █████████▎
         Su 2026-12-20   12.50       1/8      142.80    142.80     17.85 █████████▎
         Mo 2026-12-21   12.50       1/8      142.80    142.80     17.85 █████████▎
         Tu 2026-12-22   12.50       1/8      142.80    142.80     17.85 █████████▎
         We 2026-12-23   12.50       1/8      142.80    142.80     17.85 █████████▎
         Total           13.33    32/240     4126.00    128.94     17.19 ↑↓ 1–28 of 30
         Room type       Occ %      Sold     Revenue       ADR    RevPAR   Rooms
         Single           3.33      1/30       48.00     48.00      1.60       1
         Double           4.44      4/90      304.00     76.00      3.38       3
         和室 Washitsu   90.00     27/30     3774.00    139.78    125.80       1
         Chambre Élég…    0.00      0/30        0.00      0.00      0.00       1
         Family           0.00      0/60        0.00      0.00      0.00       2

         Alt-g Range  Alt-m Chart  Alt-e Export CSV  F10 Quit  F1 Help  F2 Search  F3 Bookings  F4 Today  F5 Rooms  F6 Plan  F7 Occupancy
        """
}
