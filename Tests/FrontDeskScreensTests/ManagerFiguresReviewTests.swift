import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// What a review of the manager's figures found wrong (session 51): a cut-off total, a reversed
/// range's message, no-shows drawn as checked out, a moved guest drawn where they never slept,
/// and day lists that ignored when guests really came and left.
@Suite struct ManagerFiguresReviewTests {
    /// 400 rooms over the dashboard's 30 nights: 12,000 room-nights, more than the old 9-cell
    /// column held ("9759/150…").
    @Test func theDashboardShowsALargeHotelsTotalWhole() throws {
        let desk = try StoreFixture(rooms: false)
        let demo = DemoHotelGenerator(roomCount: 400, days: 40, occupancy: 0.75, seed: 5, businessDate: StoreFixture.today,
                                      now: desk.clock.now).generate()
        try desk.store.importDemo(demo, replacing: false, by: "setup")
        var model = ManagerViewTests.managerModel(desk.store, exportDirectory: desk.folder.path)
        _ = model.handle(.function(7))
        let report = try desk.store.occupancyReport(from: StoreFixture.today, through: StoreFixture.today.adding(days: 29))
        let total = "\(report.summary.roomNightsSold)/\(report.summary.roomNightsAvailable)"
        #expect(total.count > 9)
        for (width, height) in [(80, 24), (140, 45)] {
            let lines = model.render(width: width, height: height).lines
            let line = try #require(lines.first { $0.hasPrefix(" Total ") })
            #expect(line.contains(" \(total) ") && !line.contains("…"), "\(width)x\(height): \(line)")
            #expect(line.contains(report.summary.roomRevenue.plain))
            #expect(TerminalWidth.of(line) <= width)
        }
    }

    /// A large hotel's day at 80 columns lost a figure: "Today 106 arriving · 108 leaving · 268 in
    /// house · pickup 7 days: 535 room-nig…". Shorter words ("arr.", "dep.") keep every figure whole.
    @Test func theDashboardsFiguresOfTodayAreWholeAt80Columns() throws {
        let desk = try StoreFixture(rooms: false)
        let demo = DemoHotelGenerator(roomCount: 1000, days: 40, occupancy: 0.75, seed: 5, businessDate: StoreFixture.today,
                                      now: desk.clock.now).generate()
        try desk.store.importDemo(demo, replacing: false, by: "setup")
        var model = ManagerViewTests.managerModel(desk.store, exportDirectory: desk.folder.path)
        _ = model.handle(.function(7))
        let report = try desk.store.occupancyReport(from: StoreFixture.today, through: StoreFixture.today.adding(days: 29))
        let figures = [report.arrivalsToday, report.departuresToday, report.inHouseToday, report.pickupRoomNights].map { String($0) }
        let before = " Today \(figures[0]) arriving · \(figures[1]) leaving · \(figures[2]) in house · pickup 7 days: \(figures[3]) room-nights"
        try #require(TerminalWidth.of(before) > 79, "too small a hotel to cut the line: \(before)")
        let line = model.render(width: 80, height: 24).lines[3]
        #expect(!line.contains("…") && TerminalWidth.of(line) <= 79, "\(line)")
        let words = line.split(separator: " ").map(String.init)
        for figure in figures { #expect(words.contains(figure), "\(figure): \(line)") }
        #expect(model.render(width: 140, height: 45).lines[3] == before)
    }

    /// A large revenue at 80 columns lost its figure: "… revenue 27608991…". Shorter words keep
    /// every figure of the range whole; where the line fits, its words are as before.
    @Test func theDashboardsFiguresOfTheRangeAreWholeAt80Columns() throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.store.addRoomType(name: "Royal", capacity: 2, basePrice: RoomType.largestBasePrice, by: "setup")
        for number in 1...5 {
            _ = try fixture.desk.store.addRoom(number: "R\(number)", typeName: "Royal", by: "setup")
            let held = try fixture.desk.store.reserve(fixture.desk.form(room: "R\(number)", from: "2026-11-26", to: "2026-12-24"), by: "anna")
            _ = try fixture.desk.store.confirm(held.confirmationCode, by: "anna")
        }
        fixture.press(.function(7))
        let summary = try fixture.desk.store.occupancyReport(from: StoreFixture.today, through: StoreFixture.today.adding(days: 29)).summary
        let figures = [OccupancyReport.percent(summary.occupancy) + "%", summary.adr.plain, summary.revpar.plain, summary.roomRevenue.plain]
        let before = " Range: occupancy \(figures[0]) · ADR \(figures[1]) · RevPAR \(figures[2]) · revenue \(figures[3])"
        try #require(TerminalWidth.of(before) > 79, "too small a revenue to cut the line: \(before)")
        let line = String(fixture.screen(80, 24).split(separator: "\n", omittingEmptySubsequences: false)[2])
        #expect(!line.contains("…") && TerminalWidth.of(line) <= 79, "\(line)")
        let words = line.split(separator: " ").map(String.init)
        for figure in figures { #expect(words.contains(figure), "\(figure): \(line)") }
        #expect(String(fixture.screen(140, 24).split(separator: "\n", omittingEmptySubsequences: false)[2]) == before)
    }

    @Test func aRangeTypedBackwardsSaysSo() {
        let today = StoreFixture.today
        guard case .failure(.validationFailed(let problems)) = DashboardState.parseRange("2027-01-31 2026-12-01", from: today, nights: 30) else {
            Issue.record("a reversed range must be refused")
            return
        }
        #expect(problems == ["The last night 2026-12-01 must not be before the first 2027-01-31"])
    }

    /// A no-show's kept night was drawn in the checked-out colours, and the legend had no entry.
    @Test func aNoShowHasItsOwnColourAndLegend() throws {
        var fixture = try ScreenFixture()
        let earlier = try fixture.desk.earlierStore(daysAgo: 1)
        let held = try earlier.reserve(fixture.desk.form(room: "102", from: "2026-11-25", to: "2026-11-27", name: "Hal Noshow"), by: "anna")
        let hal = try earlier.confirm(held.confirmationCode, by: "anna")
        _ = try fixture.desk.store.markNoShow(hal.confirmationCode, ChangeRequest(user: "anna"))
        fixture.model.bookingsChanged()
        fixture.press(.function(6))
        fixture.answer(.alt("g"), with: "2026-11-25")
        let buffer = fixture.buffer(160, 30)
        // One night's bar: "Ha…" in room 102.
        let y = try #require(buffer.lines.firstIndex { $0.hasPrefix(" 102 ") && $0.contains("Ha…") }, "\(buffer.lines.joined(separator: "\n"))")
        let x = try #require(buffer.columns(of: "Ha…", y: y))
        #expect(buffer[x, y].role == .planNoShow)
        let legend = buffer.lines[1]
        let legendX = try #require(buffer.columns(of: "no-show", y: 1), "\(legend)")
        #expect(buffer[legendX, 1].role == .planNoShow)
        // Every shipped theme gives no-shows a look of their own; a theme without the role draws
        // them as checked out, as before.
        for (name, text) in ShippedThemes.files {
            let theme = try Theme.parse(text, name: name, file: name)
            #expect(theme.styles[.planNoShow] != nil && theme.style(for: .planNoShow) != theme.style(for: .planCheckedOut), "\(name)")
        }
        let older = try Theme.parse("[roles]\nplanCheckedOut = { fg = \"black\", bg = \"cyan\" }\n", name: "mine", file: "mine.toml")
        #expect(older.style(for: .planNoShow) == older.style(for: .planCheckedOut))
    }

    /// Checked in to 101 yesterday, moved to 102 and checked out today: she slept only in 101,
    /// and her bar was drawn in 102, over whoever was there.
    @Test func aGuestMovedAndCheckedOutTheSameDayIsDrawnWhereSheSlept() throws {
        let desk = try StoreFixture()
        let alice = try desk.checkedIn(daysAgo: 1, room: "101", from: "2026-11-25", to: "2026-11-28", name: "Alice Moved")
        _ = try desk.store.move(alice.confirmationCode, toRoom: "102", reason: nil, reprice: false, ChangeRequest(user: "anna"))
        _ = try desk.store.checkOut(alice.confirmationCode, by: "anna")
        let plan = try desk.store.roomPlan(from: CalendarDate(iso: "2026-11-24")!, nights: 7)
        let rooms = Dictionary(uniqueKeysWithValues: try desk.store.rooms().map { ($0.room.id, $0.room.number) })
        let bars = plan.staysByRoom.values.flatMap { $0 }.filter { $0.guestName == "Alice Moved" }.map { "\(rooms[$0.roomId]!) \($0.stay.checkIn)→\($0.stay.checkOut)" }
        #expect(bars == ["101 2026-11-25→2026-11-26"])
    }

    /// Checked in to 101 yesterday and moved to 102 today: yesterday's arrivals named 102, where
    /// she had not yet slept. A past day's lists name the room of that day; today's the new one.
    @Test func aPastDaysListsNameTheRoomOfThatDay() throws {
        let desk = try StoreFixture()
        let alice = try desk.checkedIn(daysAgo: 1, room: "101", from: "2026-11-25", to: "2026-11-28", name: "Alice Moved")
        _ = try desk.store.move(alice.confirmationCode, toRoom: "102", reason: nil, reprice: false, ChangeRequest(user: "anna"))
        let yesterday = try desk.store.dayLists(on: CalendarDate(iso: "2026-11-25")!)
        let arrived = try #require(yesterday.arrivals.first { $0.id == alice.id })
        #expect(yesterday.roomNumber(of: arrived) == "101")
        #expect(DayLists.csv(yesterday.arrivals, roomNumber: yesterday.roomNumber(of:)).contains(",101,2026-11-25,"))
        let today = try desk.store.dayLists(on: StoreFixture.today)
        let staying = try #require(today.inHouse.first { $0.id == alice.id })
        #expect(today.roomNumber(of: staying) == "102")
        // Checked out today, before sleeping in 102: today's departure names 101, her last night's room.
        _ = try desk.store.checkOut(alice.confirmationCode, by: "anna")
        let leaving = try desk.store.dayLists(on: StoreFixture.today)
        #expect(leaving.departures.filter { $0.id == alice.id }.map { leaving.roomNumber(of: $0) } == ["101"])
    }
}

/// The day lists follow when a guest really came and left.
@Suite struct DayListsArrivalAndDepartureTests {
    let stay = StayDates(checkIn: CalendarDate(iso: "2026-11-25")!, checkOut: CalendarDate(iso: "2026-11-28")!)!
    let today = CalendarDate(iso: "2026-11-26")!

    @Test func aGuestWhoCameADayLateWasNotInTheHouseTheNightBefore() {
        let night25 = DayLists.kinds(status: .checkedIn, stay: stay, arrived: today, on: stay.checkIn, businessDate: today)
        #expect(night25 == [.arrivals], "an arrival that day, not in house")
        #expect(DayLists.kinds(status: .checkedIn, stay: stay, arrived: today, on: today, businessDate: today) == [.inHouse])
        // Not knowing the day (checked in before it was kept): the stay's first night, as before.
        #expect(DayLists.kinds(status: .checkedIn, stay: stay, on: stay.checkIn, businessDate: today) == [.arrivals, .inHouse])
    }

    @Test func aGuestWhoLeftOnTheArrivalDayDepartedThatDay() {
        let departed = DayLists.departure(checkedOutOn: stay.checkIn, lastKeptNight: stay.checkIn, stay: stay)
        #expect(departed == stay.checkIn)
        // Checked out before the day was kept: the day after the last night kept.
        #expect(DayLists.departure(checkedOutOn: nil, lastKeptNight: stay.checkIn, stay: stay) == today)
        // Never before the arrival nor after the stay's end (an overstay checked out late).
        #expect(DayLists.departure(checkedOutOn: CalendarDate(iso: "2026-12-01")!, lastKeptNight: nil, stay: stay) == stay.checkOut)
        let counts = DayLists.counts([(status: .checkedOut, stay: stay, lastKeptNight: stay.checkIn, checkedInOn: stay.checkIn,
                                       checkedOutOn: stay.checkIn)], on: stay.checkIn, businessDate: today)
        #expect(counts.arrivals == 1 && counts.departures == 1 && counts.inHouse == 0)
    }
}
