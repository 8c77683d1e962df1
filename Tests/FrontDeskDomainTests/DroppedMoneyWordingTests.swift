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

    /// Another desk shortened the stay on the server (and settled it there) while this desk
    /// lengthened it: only this desk's night goes back, not the difference to the server's total.
    @Test func onlyWhatThisDesksChangeMovedGoesBack() {
        let server = booking(.confirmed, prices: ["100.00", "100.00"])
        let words = ChangeWording.moneyOfDroppedChanges(deskStatus: .confirmed, deskTotal: money("400.00"), totalBefore: money("300.00"),
                                                        server: server, refundedAtThisDesk: false)
        #expect(words == "this desk's change is dropped; it had made the total 400.00 (from 300.00): repay 100.00 at the desk")
        // A shortening here collected nothing back: it repaid, so the money is collected again.
        let shortened = ChangeWording.moneyOfDroppedChanges(deskStatus: .confirmed, deskTotal: money("200.00"), totalBefore: money("300.00"),
                                                            server: booking(.confirmed), refundedAtThisDesk: false)
        #expect(shortened?.hasSuffix("collect 100.00 at the desk") == true)
    }

    /// A phone number changed here moved no money, whatever the server did to the total.
    @Test func aChangeThatMovedNoMoneySaysNothing() {
        let server = booking(.confirmed, prices: ["100.00", "100.00"])
        #expect(ChangeWording.moneyOfDroppedChanges(deskStatus: .confirmed, deskTotal: money("300.00"), totalBefore: money("300.00"),
                                                    server: server, refundedAtThisDesk: false) == nil)
    }

    /// The server cancelled the booking (its refund is of its own total): the night this desk
    /// collected for its lengthening still goes back.
    @Test func aLengtheningOfABookingCancelledOnTheServerIsRepaid() {
        let words = ChangeWording.moneyOfDroppedChanges(deskStatus: .confirmed, deskTotal: money("400.00"), totalBefore: money("300.00"),
                                                        server: booking(.cancelled), refundedAtThisDesk: false)
        #expect(words?.hasSuffix("repay 100.00 at the desk") == true)
    }

    /// An operation queued before the desk kept the total: the facts, no amount that could be wrong.
    @Test func withoutTheTotalBeforeTheFactsAreSaid() {
        let words = ChangeWording.moneyOfDroppedChanges(deskStatus: .confirmed, deskTotal: money("400.00"), totalBefore: nil,
                                                        server: booking(.confirmed), refundedAtThisDesk: false)
        #expect(words?.contains("its copy had the total 400.00, the server's has 300.00") == true)
        #expect(words?.contains("repay 100.00") == false)
    }

    /// A connected desk's cancel said to pay back at the desk; the server checked the guest in.
    @Test func aCancelThatSaidToRepayHereIsCollectedAgainOnlyWhileTheBookingStands() {
        let stands = ChangeWording.moneyOfDroppedChanges(deskStatus: .cancelled, deskTotal: money("300.00"), totalBefore: money("300.00"),
                                                         server: booking(.checkedIn), refundedAtThisDesk: false, cancelSaidToRepayHere: true)
        #expect(stands?.contains("if 300.00 was paid back, collect 300.00 again at the desk") == true)
        #expect(ChangeWording.moneyOfDroppedChanges(deskStatus: .cancelled, deskTotal: money("300.00"), totalBefore: money("300.00"),
                                                    server: booking(.cancelled), refundedAtThisDesk: false, cancelSaidToRepayHere: true) == nil)
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
