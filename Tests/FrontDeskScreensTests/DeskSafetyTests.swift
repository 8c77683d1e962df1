import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Synchronization
import Testing

/// Issue 10: no stray key changes a booking, nothing typed is lost, every problem is visible.
@Suite struct DeskSafetyTests {
    /// Every letter of the alphabet, upper and lower case, a space and a hyphen.
    static let surname = "Quackenbush-Wyatt Fitzgerald JOVIX mpq"

    /// Status and version of every booking, and every room's number and service state.
    static func fingerprint(_ fixture: ScreenFixture) throws -> [String] {
        try fixture.desk.store.bookings(BookingFilter()).map { "\($0.confirmationCode) \($0.status.rawValue) v\($0.version)" }.sorted()
            + fixture.desk.store.rooms().map { "\($0.room.number) \($0.room.isActive)" }.sorted()
    }

    /// An arrival, a guest in house, a stay next week: something for every action to hit.
    static func deskWithWork() throws -> ScreenFixture {
        var fixture = try ScreenFixture()
        try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-29")
        _ = try fixture.desk.store.checkIn(inHouse.confirmationCode, by: "anna")
        try fixture.desk.book(room: "201", from: "2026-12-01", to: "2026-12-03", guests: "3")
        fixture.model.bookingsChanged()
        return fixture
    }

    @Test func aSurnameTypedIntoEveryScreenWithItsListFocusedChangesNothing() throws {
        #expect(Set(Self.surname.lowercased()).isSuperset(of: "abcdefghijklmnopqrstuvwxyz"))
        var fixture = try Self.deskWithWork()
        let before = try Self.fingerprint(fixture)
        // Each screen, its list focused (the bookings list chosen with ↓ first).
        let screens: [(Key, [Key])] = [(.function(3), [.down]), (.function(4), []), (.function(5), [.down]),
                                       (.function(6), [.down]), (.function(7), []), (.function(2), [.down])]
        for (screenKey, focus) in screens {
            fixture.press(screenKey)
            for key in focus { fixture.press(key) }
            for character in Self.surname {
                #expect(fixture.model.handle(.character(character)) == .keepGoing, "\(screenKey) \(character)")
            }
            #expect(fixture.model.state.bookings.actions.confirmation == nil && fixture.model.state.today.actions.confirmation == nil)
            fixture.press(.escape, .escape)
        }
        #expect(try Self.fingerprint(fixture) == before)
        // In the lists the name went to the find field.
        #expect(fixture.model.state.bookings.query == Self.surname)
        #expect(fixture.model.state.today.query == Self.surname)
    }

    @Test func theQuestionIgnoresLettersAndStartsOnNo() throws {
        var fixture = try Self.deskWithWork()
        fixture.press(.function(4))
        let arrival = try #require(fixture.model.state.today.arrivals.first)
        fixture.press(.alt("c"))
        let question = try #require(fixture.model.state.today.actions.confirmation)
        #expect(question.lines.first == "Cancel booking \(arrival.confirmationCode) for \(arrival.guest.name)?")
        #expect(question.yes == false)
        fixture.type("yes Y y ok")
        #expect(fixture.model.state.today.actions.confirmation?.yes == false)
        fixture.press(.enter)
        #expect(fixture.model.state.today.actions.confirmation == nil)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .confirmed)
        // Esc says no as well; → then ← is back on No.
        fixture.press(.alt("c"), .right, .left, .enter)
        fixture.press(.alt("c"), .right, .escape)
        #expect(try fixture.desk.store.booking(arrival.confirmationCode).status == .confirmed)
        #expect(fixture.screen().contains("Nothing changed"))
    }

    @Test func tabSwitchesFindAndListAndPageKeysHomeAndEndMoveInTheLists() throws {
        var fixture = try ScreenFixture()
        for day in 0..<4 {
            for room in ["101", "102", "103", "201"] {
                let first = StoreFixture.today.adding(days: 2 * day)
                try fixture.desk.book(room: room, from: first.iso, to: first.adding(days: 1).iso)
            }
        }
        fixture.press(.function(3))
        #expect(fixture.model.state.bookings.typingQuery)
        #expect(fixture.model.state.bookings.results.count == 16)
        fixture.press(.tab)
        #expect(!fixture.model.state.bookings.typingQuery)
        fixture.press(.pageDown)
        #expect(fixture.model.state.bookings.selected == 10)
        fixture.press(.end)
        #expect(fixture.model.state.bookings.selected == 15)
        fixture.press(.pageUp)
        #expect(fixture.model.state.bookings.selected == 5)
        fixture.press(.home)
        #expect(fixture.model.state.bookings.selected == 0)
        fixture.press(.backTab)
        #expect(fixture.model.state.bookings.typingQuery)
        fixture.press(.end)
        #expect(!fixture.model.state.bookings.typingQuery && fixture.model.state.bookings.selected == 15)

        var rooms = try ScreenFixture()
        rooms.press(.function(5), .end)
        #expect(rooms.model.state.rooms.selected == rooms.model.state.rooms.rows.count - 1)
        rooms.press(.pageUp, .home)
        #expect(rooms.model.state.rooms.selected == 0)

        var search = try ScreenFixture()
        search.press(.end)
        #expect(search.model.state.search.focus == .results)
        #expect(search.model.state.search.selected == search.model.state.search.answer!.offers.count - 1)
        search.press(.home)
        #expect(search.model.state.search.selected == 0)
    }

    @Test func todaysSectionsAreOneKeyAwayAndTypingFindsInThem() throws {
        var fixture = try ScreenFixture()
        let arrival = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let staying = try fixture.desk.book(room: "102", from: "2026-11-26", to: "2026-11-29")
        _ = try fixture.desk.store.checkIn(staying.confirmationCode, by: "anna")
        // One leaving today: in house yesterday (booked with a store whose business date was then).
        let leaving = try fixture.desk.checkedIn(daysAgo: 1, room: "201", from: "2026-11-25", to: "2026-11-26", name: "Lee Leaving")
        fixture.press(.function(4))
        let today = fixture.model.state.today
        #expect(today.arrivals.count == 2 && today.departures.map(\.id) == [leaving.id])
        fixture.press(.alt("2"))
        #expect(fixture.model.state.today.selected == 2)
        fixture.press(.alt("1"))
        #expect(fixture.model.state.today.selected == 0)
        fixture.press(.alt("3"))
        // No one staying on from before today: the last row, not past it.
        #expect(fixture.model.state.today.selected == 2)
        fixture.type("leav")
        #expect(fixture.model.state.today.typingQuery)
        #expect(fixture.model.state.today.all.map(\.id) == [leaving.id])
        fixture.press(.tab)
        #expect(!fixture.model.state.today.typingQuery)
        _ = arrival
    }

    @Test func whileTheTerminalIsTooSmallOnlyQuitWorks() throws {
        var fixture = try Self.deskWithWork()
        fixture.press(.function(4))
        let before = try Self.fingerprint(fixture)
        fixture.model.setViewSize(width: 60, height: 20)
        #expect(fixture.model.render(width: 60, height: 20).lines.joined().contains("Terminal too small"))
        for key: Key in [.alt("i"), .right, .enter, .alt("c"), .tab, .enter, .function(3), .alt("o"), .character("y"), .function(1), .down] {
            #expect(fixture.model.handle(key) == .keepGoing)
        }
        #expect(fixture.model.state.screen == .today)
        #expect(fixture.model.state.overlay == .none)
        #expect(fixture.model.state.today.actions.confirmation == nil)
        #expect(fixture.model.state.today.selected == 0)
        #expect(try Self.fingerprint(fixture) == before)
        #expect(fixture.model.handle(.function(10)) == .quit)
        #expect(fixture.model.handle(.control("q")) == .quit)
    }

    @Test func checkingInWhereTheLastGuestIsStillInNamesThatGuest() throws {
        var fixture = try ScreenFixture()
        let stillIn = try fixture.desk.checkedIn(daysAgo: 1, room: "101", from: "2026-11-25", to: "2026-11-26", name: "Otto Overstay")
        let arrival = try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        fixture.press(.function(4), .alt("1"), .alt("i"))
        // Refused at once, as the store would refuse it: no question whose yes cannot work.
        #expect(fixture.model.state.today.actions.confirmation == nil)
        let screen = fixture.screen(100, 30)
        #expect(screen.contains("Room 101 is still occupied: Otto Overstay (booking \(stillIn.confirmationCode), due out 2026-11-26)"))
        #expect(try fixture.desk.store.booking(arrival.id.uuidString).status == .confirmed)
        // Another room's check-in says nothing of Otto.
        let other = try fixture.desk.book(room: "103", from: "2026-11-26", to: "2026-11-27")
        fixture.model.bookingsChanged()
        let row = try #require(fixture.model.state.today.all.firstIndex { $0.id == other.id })
        for _ in 0..<row { fixture.press(.down) }
        fixture.press(.alt("i"))
        #expect(fixture.model.state.today.actions.confirmation?.lines.contains { $0.contains("Otto") } == false)
    }

    @Test func statusLinesClearWhenTheyNoLongerApply() throws {
        var fixture = try Self.deskWithWork()
        fixture.press(.function(4), .alt("i"), .right, .enter)
        #expect(fixture.screen().contains("checked in (booking"))
        fixture.press(.down)
        #expect(!fixture.screen().contains("checked in (booking"))
        fixture.press(.function(5), .down, .down, .alt("x"), .right, .enter) // 103: no bookings
        #expect(fixture.screen().contains("is out of service"))
        fixture.press(.alt("x"), .right, .enter, .down)
        #expect(!fixture.screen().contains("in service again"))
    }

    /// Issue 10, "every problem is visible": when the open form cannot check whether its room is
    /// still free, it says so (silence would read as "still free"), and the words go once the
    /// check works again.
    @Test func aFormThatCannotCheckItsRoomSaysSo() throws {
        let failing = Mutex(false)
        var fixture = try ScreenFixture { services in
            let search = services.search
            services.search = { checkIn, checkOut, guests in
                if failing.withLock({ $0 }) { throw StoreError.busy(path: "desk.sqlite") }
                return try search(checkIn, checkOut, guests)
            }
        }
        fixture.press(.down, .enter) // the form for the first room, 301
        #expect(fixture.model.state.screen == .booking)
        failing.withLock { $0 = true }
        fixture.model.bookingsChanged()
        #expect(fixture.model.state.booking?.notice?.contains("Could not check that room 301 is still free") == true,
                "\(String(describing: fixture.model.state.booking?.notice))")
        #expect(fixture.screen(100, 30).contains("Could not check that room 301"))
        failing.withLock { $0 = false }
        fixture.model.bookingsChanged()
        #expect(fixture.model.state.booking?.notice == nil)
        #expect(fixture.model.state.booking?.roomTaken == false)
    }

    /// A booking whose answer was lost may have been made (and a card charged): Enter again with
    /// the same details asks under the same request id, so the store or the server returns that
    /// booking instead of making a second. Details changed meanwhile are a new request, and so is
    /// Enter after an answer that was a booking.
    @Test func enterAgainAfterALostAnswerAsksUnderTheSameRequest() throws {
        let asked = Mutex<[UUID]>([])
        let answerLost = Mutex(true)
        var fixture = try ScreenFixture { services in
            let book = services.book
            services.book = { form, payment, requestId in
                asked.withLock { $0.append(requestId) }
                let booking = try book(form, payment, requestId)
                if answerLost.withLock({ $0 }) { throw NoAnswer() }
                return booking
            }
        }
        fixture.press(.down, .enter) // the form for the first room, 301
        fixture.type("Ann Lee")
        fixture.press(.tab)
        fixture.type("ann@example.com")
        fixture.press(.enter)
        #expect(fixture.model.state.booking?.progress == .refused("No answer from the server"))
        fixture.press(.enter)
        fixture.press(.enter)
        var ids = asked.withLock { $0 }
        #expect(ids.count == 3 && Set(ids).count == 1, "\(ids)")
        #expect(try fixture.desk.count("booking") == 1)

        fixture.press(.backspace) // ann@example.co: another request
        fixture.press(.enter)
        ids = asked.withLock { $0 }
        #expect(ids.count == 4 && ids[3] != ids[0])

        answerLost.withLock { $0 = false }
        fixture.type("m")
        fixture.press(.enter) // the first details again, now a new request: the answer comes
        ids = asked.withLock { $0 }
        #expect(ids.count == 5 && ids[4] != ids[0] && ids[4] != ids[3])
    }

    /// A booking refused for certain (the room was taken, a rule broken) made nothing: Enter again
    /// is a new request. Under the refused request's id, a server answers from its record of that
    /// id, so the refusal came back on every Enter even once the room was free again.
    @Test func enterAgainAfterARefusalIsANewRequest() throws {
        let asked = Mutex<[UUID]>([])
        let refusing = Mutex(true)
        var fixture = try ScreenFixture { services in
            let book = services.book
            services.book = { form, payment, requestId in
                asked.withLock { $0.append(requestId) }
                if refusing.withLock({ $0 }) { throw FrontDeskError.roomUnavailable("Room 301 was sold by another desk") }
                return try book(form, payment, requestId)
            }
        }
        fixture.press(.down, .enter) // the form for the first room, 301
        fixture.type("Ann Lee")
        fixture.press(.tab)
        fixture.type("ann@example.com")
        fixture.press(.enter)
        #expect(fixture.model.state.booking?.progress == .refused("Room 301 was sold by another desk"))
        refusing.withLock { $0 = false }
        fixture.press(.enter)
        let ids = asked.withLock { $0 }
        #expect(ids.count == 2 && ids[1] != ids[0], "\(ids)")
        #expect(try fixture.desk.count("booking") == 1)
    }

    /// The same for the booking the form is following: a failed read is said, and the words go
    /// once the booking reads again (they must not stand beside "Confirmed").
    @Test func aFormThatCannotReadItsBookingSaysSoUntilItCan() throws {
        let failing = Mutex(false)
        var fixture = try ScreenFixture { services in
            let booking = services.booking
            services.booking = { id in
                if failing.withLock({ $0 }) { throw StoreError.busy(path: "desk.sqlite") }
                return try booking(id)
            }
        }
        fixture.press(.down, .enter) // the form for the first room, 301
        fixture.type("Ann Lee")
        fixture.press(.tab)
        fixture.type("ann@example.com")
        fixture.press(.enter)
        guard case .holding? = fixture.model.state.booking?.progress else {
            Issue.record("not held: \(String(describing: fixture.model.state.booking?.progress))")
            return
        }
        failing.withLock { $0 = true }
        fixture.model.bookingsChanged()
        #expect(fixture.model.state.booking?.notice?.hasPrefix("Could not read how the booking is going") == true,
                "\(String(describing: fixture.model.state.booking?.notice))")
        failing.withLock { $0 = false }
        try fixture.runSaga()
        guard case .confirmed? = fixture.model.state.booking?.progress else {
            Issue.record("not confirmed: \(String(describing: fixture.model.state.booking?.progress))")
            return
        }
        #expect(fixture.model.state.booking?.notice == nil)
    }

    @Test func todayAndTheDashboardCountTheSameGuestsInHouse() throws {
        var fixture = try Self.deskWithWork()
        fixture.press(.function(4), .alt("1"), .alt("i"), .right, .enter) // the arrival in 101 checks in
        let today = fixture.screen(120, 40)
        #expect(today.contains("2 arriving · 0 leaving · 2 in house tonight (0 staying on)"))
        fixture.press(.function(7))
        #expect(fixture.screen(120, 40).contains("2 in house"))
    }
}

/// Items 5, 6, 7 and 12: the booking form.
@Suite struct BookingFormSafetyTests {
    /// Declines every card ending 0002; takes the rest.
    struct FakeGateway: PaymentGateway {
        func charge(_ request: ChargeRequest) -> PaymentOutcome {
            request.cardNumber.hasSuffix("0002") ? .declined(reason: "Card declined") : .succeeded(reference: "ch_\(request.cardNumber.suffix(4))")
        }
        func refund(_ request: ChargeRequest) -> PaymentOutcome { .succeeded(reference: "re_1") }
        func settleUnknownCharge(_ request: ChargeRequest) -> SettlementOutcome { .voided(reference: "vo_1") }
        var statusDescription: String { "fake" }
        var health: PaymentServiceHealth { .answering }
    }

    @Test func aDeclinedCardKeepsTheFormAndASecondCardConfirms() throws {
        let desk = try StoreFixture()
        var model = DeskModel(info: DeskInfo(hotelName: "Hotel Test", currency: "EUR", businessDate: StoreFixture.today, user: "anna"),
                              services: DeskTerminalApp.services(store: desk.store, user: "anna", cardPayments: true))
        let runner = SagaRunner(store: desk.store, gateway: FakeGateway())
        func press(_ keys: Key...) { for key in keys { _ = model.handle(key) } }
        func type(_ text: String) { for character in text { _ = model.handle(.character(character)) } }
        press(.down, .enter)
        type("Carla Card")
        press(.tab)
        type("carla@example.com")
        press(.tab, .tab, .tab) // phone, guests, payment
        #expect(model.state.booking?.focus == .payment)
        // Digits on the payment choice go to the card field.
        type("4000000000000002")
        #expect(model.state.booking?.payment == .card && model.state.booking?.focus == .card)
        #expect(model.state.booking?.card == "4000000000000002")
        press(.enter)
        try runner.runUntilIdle()
        model.bookingsChanged()
        let failed = try #require(model.state.booking)
        guard case .failed(_, let reason) = failed.progress else { Issue.record("not failed: \(String(describing: failed.progress))"); return }
        #expect(reason.contains("declined"))
        #expect(failed.guestName == "Carla Card" && failed.email == "carla@example.com")
        #expect(failed.card.isEmpty && failed.focus == .card)
        #expect(model.render(width: 80, height: 24).lines.joined(separator: "\n").contains("Enter tries again"))
        type("4242424242424242")
        press(.enter)
        try runner.runUntilIdle()
        model.bookingsChanged()
        guard case .confirmed(let code) = model.state.booking?.progress else {
            Issue.record("not confirmed: \(String(describing: model.state.booking?.progress))"); return
        }
        let booking = try desk.store.booking(code)
        #expect(booking.status == .confirmed && booking.guest.name == "Carla Card")
        // The first (declined) booking stays failed; one confirmed booking for Carla.
        #expect(try desk.store.bookings(BookingFilter(guestText: "Carla")).map(\.status).sorted { $0.rawValue < $1.rawValue } == [.confirmed, .failed])
    }

    @Test func theCardNumberIsMaskedOnceTyped() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .enter, .tab, .tab, .tab, .tab)
        fixture.type("4242 4242 4242 4242")
        #expect(fixture.screen().contains("4242 4242 4242 4242▏"))
        fixture.press(.backTab)
        let screen = fixture.screen()
        #expect(screen.contains("••••••••••••4242"))
        #expect(!screen.contains("4242 4242"))
    }

    /// Nights far outside 1 to 30 once took the check-out date off the calendar's edge (year -165,
    /// or past Int's end) and stopped the desk on the keystroke; they get the field's message.
    @Test func nightsFarOutOfRangeAreRefusedWithoutStoppingTheDesk() throws {
        for typed in ["-800000", "9999999999999999999", "99999999999999", "31"] {
            var fixture = try ScreenFixture()
            fixture.press(.tab)
            fixture.type(typed)
            #expect(fixture.model.state.search.nights == typed)
            #expect(fixture.model.state.search.problems == ["Nights must be a number from 1 to 30"], "\(typed)")
            #expect(fixture.model.state.search.answer == nil)
            #expect(fixture.screen().contains("Nights must be a number from 1 to 30"))
        }
    }

    @Test func typingIntoAPrefilledFieldReplacesItAndEditingKeysKeepIt() throws {
        var fixture = try ScreenFixture()
        fixture.press(.tab)
        fixture.type("2")
        #expect(fixture.model.state.search.nights == "2")
        fixture.type("1")
        #expect(fixture.model.state.search.nights == "21")
        fixture.press(.tab)
        fixture.type("2")
        #expect(fixture.model.state.search.guests == "2")
        fixture.press(.backTab, .backspace)
        #expect(fixture.model.state.search.nights == "2")
        fixture.type("0")
        #expect(fixture.model.state.search.nights == "20")
        fixture.press(.backTab)
        fixture.type("2026-12-01")
        #expect(fixture.model.state.search.checkIn == "2026-12-01")
        fixture.press(.tab, .right)
        fixture.type("5")
        #expect(fixture.model.state.search.nights == "205")

        var form = try ScreenFixture()
        form.press(.tab, .tab)
        form.type("2")
        form.press(.down, .enter)
        #expect(form.model.state.booking?.guests == "2")
        form.press(.tab, .tab, .tab)
        #expect(form.model.state.booking?.focus == .guests)
        form.type("1")
        #expect(form.model.state.booking?.guests == "1")
    }

    @Test func aRoomTakenElsewhereIsSaidOnTheNextRefreshAndAltNTakesTheNextOfItsType() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .down, .enter) // 101 Double, after 301 Single
        #expect(fixture.model.state.booking?.offer.room.number == "101")
        fixture.type("Ann Lee")
        fixture.press(.tab)
        fixture.type("ann@example.com")
        try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-27")
        fixture.model.availabilityChanged()
        #expect(fixture.screen().contains("Room 101 was just taken by another booking. Alt-n: the next free Double"))
        fixture.press(.alt("n"))
        let form = try #require(fixture.model.state.booking)
        #expect(form.offer.room.number == "102" && form.offer.roomType.name == "Double")
        #expect(form.guestName == "Ann Lee" && form.email == "ann@example.com")
        #expect(fixture.screen().contains("Room 102 instead of 101"))
        fixture.press(.enter)
        try fixture.runSaga()
        guard case .confirmed(let code) = fixture.model.state.booking?.progress else {
            Issue.record("not confirmed: \(String(describing: fixture.model.state.booking?.progress))"); return
        }
        #expect(try fixture.desk.store.booking(code).roomNumber == "102")
    }

    @Test func altNSaysSoWhenNoOtherRoomOfTheTypeIsFree() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .down, .enter) // 101 Double
        fixture.type("Ann Lee")
        let doubles = try fixture.desk.store.rooms().filter { $0.type.name == "Double" }.map(\.room.number)
        for number in doubles { try fixture.desk.book(room: number, from: "2026-11-26", to: "2026-11-27") }
        fixture.model.availabilityChanged()
        fixture.press(.alt("n"))
        let screen = fixture.screen()
        #expect(screen.contains("Room 101 was just taken by another booking"), "\(screen)")
        #expect(screen.contains("No other Double is free from 2026-11-26 to 2026-11-27"), "\(screen)")
        #expect(fixture.model.state.booking?.guestName == "Ann Lee")
    }

    @Test func aRoomTakenOnEnterKeepsTheDetailsAndAltNRebooks() throws {
        var fixture = try ScreenFixture()
        fixture.press(.down, .down, .enter)
        fixture.type("Ann Lee")
        fixture.press(.tab)
        fixture.type("ann@example.com")
        // Taken between the last refresh and Enter.
        try fixture.desk.book(room: "101", from: "2026-11-26", to: "2026-11-27")
        fixture.press(.enter)
        #expect(fixture.model.state.booking?.progress?.isFailure == true)
        #expect(fixture.screen().contains("Alt-n: the next free Double, then Enter"))
        fixture.press(.alt("n"), .enter)
        try fixture.runSaga()
        guard case .confirmed(let code) = fixture.model.state.booking?.progress else {
            Issue.record("not confirmed: \(String(describing: fixture.model.state.booking?.progress))"); return
        }
        let booking = try fixture.desk.store.booking(code)
        #expect(booking.roomNumber == "102" && booking.guest.name == "Ann Lee")
    }

    @Test func theFormFromTheRoomPlanSaysItGoesBackThere() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(6), .down, .enter)
        #expect(fixture.model.state.screen == .booking)
        #expect(fixture.screen().contains("Esc goes back to the room plan"))
        fixture.press(.escape)
        #expect(fixture.model.state.screen == .roomPlan)
    }
}

/// A write whose answer never came (a transport failure): its outcome is unknown.
private struct NoAnswer: Error, CustomStringConvertible {
    var description: String { "No answer from the server" }
}
