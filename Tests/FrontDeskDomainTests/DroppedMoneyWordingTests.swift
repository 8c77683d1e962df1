import Foundation
@testable import FrontDeskDomain
import Testing

/// The money words of a change dropped for the server's booking, and of an undone no-show: what a
/// receptionist is told to collect or pay back at the desk (session 57).
@Suite struct DroppedMoneyWordingTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A three-night booking (1 to 4 December) at `prices` a night.
    func booking(_ status: BookingStatus, prices: [String] = ["100.00", "100.00", "100.00"], reason: String? = nil) -> Booking {
        let nights = ["2026-12-01", "2026-12-02", "2026-12-03"]
        return Booking(id: UUID(), hotelId: UUID(), roomId: UUID(), roomNumber: "101", confirmationCode: "K7M-4QX",
                       guest: Guest(name: "Anna Müller", email: "anna@example.com"), guestCount: 2,
                       stay: StayDates(checkIn: day("2026-12-01"), checkOut: day("2026-12-04"))!, status: status,
                       nightlyPrices: zip(nights, prices).map { NightlyPrice(night: day($0), price: Money(parsing: $1)!) }, version: 3,
                       holdExpiresAt: nil, statusReason: reason, createdAt: now, updatedAt: now)
    }

    func money(_ text: String) -> Money { Money(parsing: text)! }

    typealias Dropped = ChangeWording.DroppedMoney

    /// Another desk shortened the stay on the server (and settled it there) while this desk
    /// lengthened it: only this desk's night goes back, not the difference to the server's total.
    @Test func onlyWhatThisDesksChangeMovedGoesBack() {
        let server = booking(.confirmed, prices: ["100.00", "100.00"])
        #expect(ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: 10_000), server: server)
                == "this desk's dropped change had collected 100.00: repay 100.00 at the desk")
        // A shortening here repaid a night: collected again.
        #expect(ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: -10_000), server: booking(.confirmed))?
            .hasSuffix("collect 100.00 at the desk") == true)
    }

    /// A phone number changed here moved no money, whatever the server did to the total.
    @Test func aChangeThatMovedNoMoneySaysNothing() {
        #expect(ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: 0), server: booking(.confirmed, prices: ["100.00"])) == nil)
    }

    /// The server cancelled the booking (its refund is of its own total): the night this desk
    /// collected for its lengthening still goes back.
    @Test func aLengtheningOfABookingCancelledOnTheServerIsRepaid() {
        #expect(ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: 10_000), server: booking(.cancelled))?
            .hasSuffix("repay 100.00 at the desk") == true)
    }

    /// An operation queued before the desk kept the totals: the way, no amount that could be wrong.
    @Test func withoutTheTotalsTheHistoryIsNamed() {
        let words = ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: nil), server: booking(.confirmed))
        #expect(words?.contains("what the booking's history says") == true)
        #expect(words?.contains("repay 1") == false && words?.contains("collect 1") == false)
    }

    /// Offline: lengthened 300 to 400 (100 collected), then cancelled (400 paid back here); the
    /// server's booking stands: the guest is owed nothing back, so 300 is collected again, not the
    /// server's total.
    @Test func aRefundPaidHereIsCollectedAgainLessWhatTheDroppedChangeCollected() {
        let server = booking(.confirmed, prices: ["100.00", "100.00", "150.00"])
        let words = ChangeWording.moneyOfDroppedChanges(
            Dropped(stayChangesCents: 10_000, cancelledTotal: money("400.00"), refundRecorded: true), server: server)
        #expect(words == "this desk paid back 400.00 when it cancelled (its dropped change had collected 100.00), "
                    + "and the server's booking stands: collect 300.00 again at the desk")
        // Only said to be paid back (a connected desk's cancel): conditional.
        let said = ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: 0, cancelledTotal: money("300.00")), server: server)
        #expect(said == "this desk's cancel said 300.00 was to be paid back at the desk, and the server's booking stands: "
                    + "if it was paid back, collect 300.00 again at the desk")
    }

    /// The server cancelled it too: its refund is paid already by the one made here.
    @Test func aRefundPaidHereOfABookingTheServerCancelledIsNotPaidTwice() {
        let words = ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: 0, cancelledTotal: money("300.00"), refundRecorded: true),
                                                        server: booking(.cancelled))
        #expect(words == "this desk paid back 300.00 when it cancelled, and the server cancelled it too: its refund is paid already; do not pay it again")
    }

    /// An undone no-show dropped while the no-show stands: what it said to collect again is owed back again.
    @Test func aDroppedUndoOfANoShowOwesTheGuestAgain() {
        let server = booking(.noShow, reason: NoShowPolicy.Fee.firstNight.statusReason)
        let words = ChangeWording.moneyOfDroppedChanges(Dropped(stayChangesCents: 0, undidNoShow: true), server: server)
        #expect(words?.contains("the no-show stands: if what it said to collect again was collected, 200.00 is owed back to the guest again") == true)
    }

    /// A no-show with the first night charged said 200.00 was owed back; undone with the night
    /// of the 2nd already past (given back, not slept), only the 3rd is collected again.
    @Test func anUndoneNoShowCollectsOnlyTheNightsSlept() {
        let noShow = booking(.noShow, reason: NoShowPolicy.Fee.firstNight.statusReason)
        #expect(ChangeWording.noShowUndoneMoney(noShow, pastNightsGivenBack: [])
                == "the no-show said 200.00 was owed back to the guest: if it was paid out, collect it again")
        #expect(ChangeWording.noShowUndoneMoney(noShow, pastNightsGivenBack: [day("2026-12-02")])
                == "the no-show said 200.00 was owed back to the guest: if it was paid out, collect 100.00 of it again (not the 100.00 of the nights not slept)")
        // Every night owed back was past: nothing to collect, said so (not "collect 0.00").
        #expect(ChangeWording.noShowUndoneMoney(noShow, pastNightsGivenBack: [day("2026-12-02"), day("2026-12-03")])?
            .hasSuffix("nothing of it is collected again (the nights not slept are not charged)") == true)
        // Not known (the desk, a stay begun before today): the history has the amount.
        #expect(ChangeWording.noShowUndoneMoney(noShow, pastNightsGivenBack: nil)?.hasSuffix("collect again what the booking's history says") == true)
    }
}
