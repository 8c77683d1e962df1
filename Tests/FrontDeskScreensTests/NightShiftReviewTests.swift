import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Testing

/// What a night shift's review at 00:38 found (session 61). The business date is fixed
/// (`StoreFixture.today`, 2026-11-26, set from outside), so no night is under way whatever the hour.
@Suite struct NightShiftReviewTests {
    /// Guests checked in and due out on the business date (asleep at 00:38, leaving in the
    /// morning) were on no in-house list: the fire list was short by them.
    @Test func theBusinessDatesListsNameTheGuestsDueOutTodayStillIn() throws {
        let desk = try StoreFixture()
        let leaving = try desk.checkedIn(daysAgo: 1, room: "101", from: "2026-11-25", to: "2026-11-26", name: "Dora Departing")
        let staying = try desk.checkedIn(daysAgo: 1, room: "102", from: "2026-11-25", to: "2026-11-28", name: "Stella Staying")
        let gone = try desk.checkedIn(daysAgo: 1, room: "103", from: "2026-11-25", to: "2026-11-26", name: "Gita Gone")
        _ = try desk.store.checkOut(gone.confirmationCode, by: "anna")
        let today = try desk.store.dayLists(on: StoreFixture.today)
        #expect(today.dueOutToday.map(\.id) == [leaving.id], "the guest still in, not the one gone")
        #expect(today.inHouse.map(\.id) == [staying.id])
        #expect(today.checkedInNow == 2)
        #expect(Set(today.departures.map(\.id)) == [leaving.id, gone.id], "the departures as before")
        let csv = today.csv(.inHouse).split(separator: "\n").map(String.init)
        #expect(csv.count == 3 && csv[1].hasPrefix(staying.confirmationCode) && csv[1].hasSuffix(",in-house"), "\(csv)")
        #expect(csv.count == 3 && csv[2].hasPrefix("\(leaving.confirmationCode),CheckedIn,101,") && csv[2].hasSuffix(",due-out-today"),
                "\(csv)")
        // The departures' CSV does not name her twice.
        #expect(today.csv(.departures).split(separator: "\n").count == 3)
        // A past day names nobody due out today: its list is that night's.
        let yesterday = try desk.store.dayLists(on: StoreFixture.today.adding(days: -1))
        #expect(yesterday.dueOutToday.isEmpty)
        #expect(Set(yesterday.inHouse.map(\.id)) == [leaving.id, staying.id, gone.id])
    }

    /// The Today screen said "0 in house tonight" with a guest asleep who leaves today; it now says
    /// the guests due out still checked in beside tonight's figure, whole at 80 columns.
    @Test func todaySaysTheGuestsDueOutStillInBesideTonightsFigure() throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.checkedIn(daysAgo: 1, room: "101", from: "2026-11-25", to: "2026-11-26", name: "Dora Departing")
        fixture.press(.function(4))
        let line = fixture.buffer(80, 24).lines[2]
        #expect(line == " 0 arriving · 1 leaving · 0 in house tonight + 1 due out today (0 staying on)", "\(line)")
        // An overstayed guest too: at 80 columns the bracket of how the figure is made goes, the
        // counts stay whole; a wider screen says it all.
        _ = try fixture.desk.checkedIn(daysAgo: 3, room: "102", from: "2026-11-23", to: "2026-11-25", name: "Olga Overstay")
        fixture.press(.function(3), .function(4))
        let narrow = fixture.buffer(80, 24).lines[2]
        #expect(narrow == " 0 arriving · 1 leaving · 1 in house tonight + 1 due out today", "\(narrow)")
        let wide = fixture.buffer(120, 40).lines[2]
        #expect(wide == " 0 arriving · 1 leaving · 1 in house tonight + 1 due out today (0 staying on, 1 overstayed)", "\(wide)")
    }

    /// A round with two refusals (a booking, and a note made to it after: `depends_on_conflict`)
    /// says the last with "(and 1 more in the log)" after it: the notice was not known for a
    /// refusal's, and stayed after its conflict was resolved.
    @Test func aRefusalsNoticeIsKnownWithMoreAfterIt() {
        let refusal = "The server refused booking ENX-HT7 (Bo Second, room 101): depends_on_conflict: An earlier change was refused; "
            + DeskTerminalApp.settleOnConflicts
        #expect(DeskTerminalApp.saysARefusal(refusal))
        #expect(DeskTerminalApp.saysARefusal(refusal + " (and 1 more in the log)"))
        #expect(!DeskTerminalApp.saysARefusal("Booking ABC-123 is XYZ-789 on the server: give the guest the new code"))
        #expect(!DeskTerminalApp.saysARefusal(nil))
    }
}
