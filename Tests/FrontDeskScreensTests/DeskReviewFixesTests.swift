import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import Testing

/// What a review of the desk in a terminal found (session 49): a long field hid what was typed,
/// the edit form's footer and help named the list's keys, an early check-out said nothing.
@Suite struct DeskReviewFixesTests {
    /// A text longer than its field shows its end and the cursor while it is typed, so each letter
    /// added is seen; once the field is left, its start shows again.
    @Test func aLongFieldShowsTheEndOfWhatIsTyped() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab) // the e-mail
        for _ in 0..<40 { fixture.press(.backspace) }
        let email = "anna-maria.konstantinopoulou-wolfeschlegel@reservations.example.com"
        fixture.type(email)
        var line = try #require(fixture.screen().split(separator: "\n").first { $0.contains(" E-mail") })
        #expect(line.contains("…") && line.contains("reservations.example.com▏"), "\(line)")
        fixture.type("X")
        line = try #require(fixture.screen().split(separator: "\n").first { $0.contains(" E-mail") })
        #expect(line.contains("example.comX▏"), "\(line)")
        fixture.press(.tab)
        line = try #require(fixture.screen().split(separator: "\n").first { $0.contains(" E-mail") })
        #expect(line.contains("anna-maria.konstantinopoulou") && !line.contains("▏"), "\(line)")

        var buffer = CellBuffer(width: 12, height: 1)
        buffer.field("和室和室和室和室", typing: true, x: 0, y: 0, width: 8, role: .field)
        #expect(buffer.lines[0] == "…室和室▏", "\(buffer.lines[0])") // double-width letters: 1 + 6 + 1 columns
    }

    /// Over a list, the footer and the help name the keys that act now: the edit form's (Enter
    /// saves, Esc closes) and a question's, not the list's Alt-c and Alt-i.
    @Test func theFooterAndHelpNameTheEditFormsAndTheQuestionsKeys() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down)
        let listFooter = try #require(fixture.screen().split(separator: "\n").last)
        #expect(listFooter.contains("Alt-c Cancel"), "\(listFooter)")
        fixture.press(.alt("e"))
        let editFooter = try #require(fixture.screen().split(separator: "\n").last)
        #expect(editFooter.contains("Enter Save") && editFooter.contains("Esc Close") && !editFooter.contains("Alt-c"), "\(editFooter)")
        fixture.press(.function(1))
        let help = fixture.screen(100, 40)
        #expect(help.contains("Save the changes") && !help.contains("Cancel the booking (asks first"), "\(help)")
        fixture.press(.escape, .escape, .alt("c"))
        let questionFooter = try #require(fixture.screen().split(separator: "\n").last)
        #expect(!questionFooter.contains("Alt-c") && questionFooter.contains("No"), "\(questionFooter)")
        // The move prompt: its Enter and Esc, not the list's keys.
        fixture.press(.escape, .alt("m"))
        #expect(fixture.model.state.bookings.actions.movePrompt != nil)
        let promptFooter = try #require(fixture.screen().split(separator: "\n").last)
        #expect(promptFooter.contains("Enter Ask first") && promptFooter.contains("Esc Close") && !promptFooter.contains("Alt-c"),
                "\(promptFooter)")
    }

    /// A check-out before the planned day says, before and after, that it is early and how many
    /// nights go back on sale; one on the day says nothing of it.
    @Test func anEarlyCheckOutSaysSoBeforeAndAfter() throws {
        var fixture = try ScreenFixture()
        let guest = try fixture.desk.checkedIn(daysAgo: 1, room: "101", from: "2026-11-25", to: "2026-11-29", name: "Ana Lee")
        fixture.press(.function(3))
        fixture.type(guest.confirmationCode)
        fixture.press(.down, .alt("o"))
        var screen = fixture.screen()
        #expect(screen.contains("Early: due out 2026-11-29; 3 nights go back on sale"), "\(screen)")
        fixture.press(.right, .enter)
        #expect(try fixture.desk.store.booking(guest.confirmationCode).status == .checkedOut)
        screen = fixture.screen(120, 30)
        #expect(screen.contains("Ana Lee checked out (booking \(guest.confirmationCode)). Early: due out 2026-11-29"), "\(screen)")

        let onTheDay = try fixture.desk.checkedIn(daysAgo: 1, room: "102", from: "2026-11-25", to: "2026-11-26", name: "Bo Berg")
        fixture.press(.escape, .function(3))
        for _ in 0..<20 { fixture.press(.backspace) }
        fixture.type(onTheDay.confirmationCode)
        fixture.press(.down, .alt("o"))
        #expect(!fixture.screen().contains("Early"), "\(fixture.screen())")
    }

    /// A plan that starts on the 1st of a month names the month once, at the line's start, and
    /// the 1st's weekday over its day (the month's name was written over the year).
    @Test func aPlanFromTheFirstOfAMonthNamesTheMonthOnce() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(6))
        fixture.type("2027-01-01")
        fixture.press(.enter)
        let heading = fixture.screen().split(separator: "\n", omittingEmptySubsequences: false)[2]
        #expect(heading.hasPrefix(" Jan 2027") && !heading.contains("2027Jan") && heading.contains("Fr"), "\(heading)")
        fixture.type("2026-12-30")
        fixture.press(.enter)
        let later = fixture.screen().split(separator: "\n", omittingEmptySubsequences: false)[2]
        #expect(later.hasPrefix(" Dec 2026") && later.contains("Jan"), "\(later)")
    }

    /// A paid stay made longer or shorter says the new total and what to collect or repay at the
    /// desk, on the screen and in the audit trail.
    @Test func aPaidStayChangedSaysWhatToCollectOrRepay() throws {
        var fixture = try ScreenFixture()
        let booking = try fixture.desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(booking.confirmationCode)
        fixture.press(.down, .alt("e"), .tab, .tab, .tab, .tab, .tab) // check-out
        for _ in 0..<10 { fixture.press(.backspace) }
        fixture.type("2026-12-04")
        fixture.press(.enter)
        let longer = try fixture.desk.store.booking(booking.confirmationCode)
        let added = Money(minorUnits: longer.totalPrice.minorUnits - booking.totalPrice.minorUnits)
        #expect(added > .zero)
        let screen = fixture.screen(160, 30)
        #expect(screen.contains("saved; total now \(longer.totalPrice.plain) (was \(booking.totalPrice.plain)): collect \(added.plain) at the desk"),
                "\(screen)")
        let trail = try fixture.desk.store.auditTrail(bookingReference: booking.confirmationCode).map(\.summary)
        #expect(trail.contains { $0.contains("collect \(added.plain) at the desk") }, "\(trail)")

        fixture.press(.alt("e"), .tab, .tab, .tab, .tab, .tab)
        for _ in 0..<10 { fixture.press(.backspace) }
        fixture.type("2026-12-02")
        fixture.press(.enter)
        let shorter = try fixture.desk.store.booking(booking.confirmationCode)
        let back = Money(minorUnits: longer.totalPrice.minorUnits - shorter.totalPrice.minorUnits)
        #expect(fixture.screen(160, 30).contains("repay \(back.plain) at the desk"), "\(fixture.screen(160, 30))")
    }

    /// A no-show moves no money; its message and audit line say what of the paid total is owed
    /// back: all but the first night with the first-night fee, all of it without a fee.
    @Test(arguments: [NoShowPolicy.Fee.firstNight, .none])
    func aNoShowSaysWhatIsOwedBack(_ fee: NoShowPolicy.Fee) throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.store.setNoShowPolicy(cutoffHour: 12, fee: fee, by: "manager")
        let arrival = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-29")
        fixture.press(.function(4), .alt("n"), .right, .enter)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .noShow)
        let kept = fee == .firstNight ? arrival.nightlyPrices[0].price.minorUnits : 0
        let owed = Money(minorUnits: arrival.totalPrice.minorUnits - kept)
        let words = "\(owed.plain) of the \(arrival.totalPrice.plain) paid is owed back to the guest"
        #expect(fixture.screen(200, 30).contains(words), "\(fixture.screen(200, 30))")
        let trail = try fixture.desk.store.auditTrail(bookingReference: arrival.confirmationCode).map(\.summary)
        #expect(trail.contains { $0.contains(words) }, "\(trail)")
    }

    /// At 80 columns a question's long line wraps in a taller box, and a refusal's message takes
    /// up to three rows: the part that helps (the rooms free instead) is often at its end.
    @Test func longQuestionsAndMessagesWrapInsteadOfBeingCut() throws {
        var fixture = try ScreenFixture()
        let name = "Maximiliana Alexandrina Konstantinopoulou-Wolfeschlegelsteinhausen"
        let held = try fixture.desk.store.reserve(fixture.desk.form(room: "101", name: name), by: "anna")
        let long = try fixture.desk.store.confirm(held.confirmationCode, by: "anna")
        let other = try fixture.desk.book(room: "102", from: "2026-12-01", to: "2026-12-03")
        fixture.press(.function(3))
        fixture.type(long.confirmationCode)
        fixture.press(.down, .alt("c"))
        var screen = fixture.screen()
        #expect(screen.contains("Wolfeschlegelsteinhausen?"), "\(screen)")
        fixture.press(.escape)

        for _ in 0..<20 { fixture.press(.backspace) }
        fixture.type(other.confirmationCode)
        fixture.press(.down, .alt("m"))
        fixture.type("101")
        fixture.press(.enter, .right, .enter)
        screen = fixture.screen()
        let refusal = try #require(fixture.model.state.bookings.actions.message)
        #expect(fixture.model.state.bookings.actions.messageIsError && refusal.count > 78, "\(refusal)")
        let lastWords = refusal.split(separator: " ").suffix(2).joined(separator: " ")
        #expect(screen.contains(lastWords), "'\(lastWords)' not on the screen:\n\(screen)")
    }
}
