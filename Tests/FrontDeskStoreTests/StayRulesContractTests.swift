import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// The rules of a stay that the day's date decides (a late guest, a cancel after arrival, a room
/// still occupied) and the day counts that follow when guests came and left, on SQLite and
/// PostgreSQL alike (a review of session 51). The contract's business date is 2026-11-26.
@Suite struct StayRulesContractTests {
    typealias Contract = StorageContractChangesTests

    /// The words of `body`'s refusal when it is refused with the error code `code`; otherwise
    /// records `rule` (what the test holds to), naming the backend, and gives nil.
    static func refusal(_ code: String, _ backend: StorageBackend, _ rule: String,
                        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Any) -> String? {
        let error = Contract.refusal(body)
        guard let error, error.code == code else {
            Issue.record("\(backend.name): \(rule) (expected \(code); got \(error.map { "\($0.code): \($0.message)" } ?? "no refusal"))",
                         sourceLocation: sourceLocation)
            return nil
        }
        return error.message
    }

    @Test(arguments: StorageBackend.all)
    func aConfirmedBookingWhoseArrivalDayPassedIsMarkedANoShowNotCancelled(_ backend: StorageBackend) throws {
        let (earlier, today) = try Self.twoDays(backend, earlier: "2026-11-24", later: "2026-11-26")
        let late = try Contract.confirmed(earlier, room: "101", from: "2026-11-25", to: "2026-11-28")
        guard let message = Self.refusal("invalid_state", backend, "a cancel after the arrival day must be refused (it refunded the nights already sold)", {
            try today.cancel(late.confirmationCode, reason: nil, Contract.request())
        }) else { return }
        #expect(message.contains("was due on 2026-11-25") && message.contains("mark it a no-show"), "\(message)")
        #expect(try today.booking(late.id.uuidString) == late, "nothing changed")
        // On the arrival day itself a cancel is still a cancel.
        let arriving = try Contract.confirmed(today, room: "102", from: "2026-11-26", to: "2026-11-28", name: "Ben Ode")
        #expect(try today.cancel(arriving.confirmationCode, reason: nil, Contract.request()).status == .cancelled)
    }

    @Test(arguments: StorageBackend.all)
    func aLateGuestsStayGrowsFromTonightNotIntoNightsPast(_ backend: StorageBackend) throws {
        let (earlier, today) = try Self.twoDays(backend, earlier: "2026-11-24", later: "2026-11-26")
        // Due on the 24th for one night, never came, still Confirmed: stretching it to the 28th
        // sold (and asked to be paid for) the 25th for nobody.
        let gone = try Contract.confirmed(earlier, room: "101", from: "2026-11-24", to: "2026-11-25")
        guard let problems = Self.refusal("validation_failed", backend, "adding past nights to a booking whose guest has not come must be refused", {
            try today.changeBooking(gone.confirmationCode, BookingEdit(checkOut: "2026-11-28"), Contract.request(version: gone.version))
        }) else { return }
        #expect(problems.contains("the night of 2026-11-25, already past"), "\(problems)")
        #expect(try today.booking(gone.id.uuidString) == gone)
        // A late guest's stay still grows from tonight on.
        let late = try Contract.confirmed(earlier, room: "102", from: "2026-11-25", to: "2026-11-27", name: "Ben Ode")
        let longer = try today.changeBooking(late.confirmationCode, BookingEdit(checkOut: "2026-11-28"), Contract.request(version: late.version))
        #expect(longer.stay.checkOut == CalendarDate(iso: "2026-11-28") && longer.nightlyPrices.count == 3)
    }

    @Test(arguments: StorageBackend.all)
    func aLateGuestMovesFromTonightAndThePastNightsStayWhereTheyWere(_ backend: StorageBackend) throws {
        let (earlier, today) = try Self.twoDays(backend, earlier: "2026-11-24", later: "2026-11-26")
        let ben = try Contract.confirmed(earlier, room: "101", from: "2026-11-24", to: "2026-11-28", name: "Ben Ode")
        // Room 102 was taken on the 24th: a move of every night was refused, though it is free from tonight.
        _ = try Contract.confirmed(earlier, room: "102", from: "2026-11-24", to: "2026-11-25", name: "Cara Diaz")
        let moved = try today.move(ben.confirmationCode, toRoom: "102", reason: nil, reprice: false, Contract.request(version: ben.version))
        #expect(moved.roomNumber == "102" && moved.roomSince == CalendarDate(iso: "2026-11-26"), "\(backend.name): \(moved.roomSince?.iso ?? "-")")
        // The nights from tonight are free in 101 again; the 25th is still Ben's there.
        let request = { (from: String, to: String) in
            ReservationRequest(form: BookingForm(roomNumber: "101", checkIn: from, checkOut: to, guests: "2", guestName: "Ida Ide",
                                                 email: "ida@example.com"), requestId: nil, user: "anna")
        }
        #expect(throws: Never.self) { try today.reserveAll([request("2026-11-26", "2026-11-28")])[0].get() }
        guard Self.refusal("room_unavailable", backend, "the 25th stays sold in room 101", {
            try earlier.reserveAll([request("2026-11-25", "2026-11-26")])[0].get()
        }) != nil else { return }
        // A booking whose every night has passed has nothing to move.
        let gone = try Contract.confirmed(earlier, room: "103", from: "2026-11-24", to: "2026-11-26", name: "Dan Eze")
        guard let message = Self.refusal("invalid_state", backend, "a move of a stay that is over must be refused", {
            try today.move(gone.confirmationCode, toRoom: "102", reason: nil, reprice: false, Contract.request())
        }) else { return }
        #expect(message.contains("mark it a no-show"), "\(message)")
    }

    @Test(arguments: StorageBackend.all)
    func aGuestWhoLeavesOnTheArrivalDayDepartsThatDay(_ backend: StorageBackend) throws {
        let chain = try Contract.chain(backend)
        let ana = try Contract.confirmed(chain.vienna, room: "101", from: "2026-11-26", to: "2026-11-29")
        _ = try chain.vienna.checkIn(ana.confirmationCode, Contract.request())
        let left = try chain.vienna.checkOut(ana.confirmationCode, Contract.request())
        #expect(left.status == .checkedOut)
        let report = try chain.vienna.occupancyReport(from: CalendarDate(iso: "2026-11-26")!, through: CalendarDate(iso: "2026-11-28")!)
        // She left today (her first night stays sold): a departure today, not tomorrow.
        let counts: [Int] = [report.arrivalsToday, report.departuresToday, report.inHouseToday]
        #expect(counts == [1, 1, 0], "\(backend.name)")
        #expect(report.days.map(\.roomsSold) == [1, 0, 0])
        #expect(report.currency == "EUR")
    }

    @Test(arguments: StorageBackend.all)
    func aNoShowsKeptNightIsPickupAsItIsSold(_ backend: StorageBackend) throws {
        let (earlier, today) = try Self.twoDays(backend, earlier: "2026-11-24", later: "2026-11-26")
        let eva = try Contract.confirmed(earlier, room: "101", from: "2026-11-25", to: "2026-11-28", name: "Eva Fox")
        let range = (CalendarDate(iso: "2026-11-25")!, CalendarDate(iso: "2026-11-27")!)
        let before = try today.occupancyReport(from: range.0, through: range.1)
        _ = try today.markNoShow(eva.confirmationCode, Contract.request())
        let after = try today.occupancyReport(from: range.0, through: range.1)
        // The first night stays sold (the default fee): occupancy counts it, so pickup does too.
        #expect(after.days.map(\.roomsSold) == [1, 0, 0], "\(backend.name)")
        #expect(before.pickupRoomNights == 3 && after.pickupRoomNights == 1, "\(backend.name): \(before.pickupRoomNights) → \(after.pickupRoomNights)")
    }

    /// Two views of one database, on two business dates (rooms 101-103, doubles).
    static func twoDays(_ backend: StorageBackend, earlier: String, later: String,
                        clock: TestClock = TestClock()) throws -> (earlier: any HotelStorage, later: any HotelStorage) {
        let first = CalendarDate(iso: earlier)!, second = CalendarDate(iso: later)!
        let one: any ChainStorage, two: any ChainStorage
        if backend.name == "SQLite" {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-contract-\(UUID().uuidString)")
                .appendingPathComponent("chain.sqlite").path
            one = try FrontDeskStore(path: path, clock: { clock.now }, businessDate: first, random: SeededGenerator(seed: 7))
            two = try FrontDeskStore(path: path, clock: { clock.now }, businessDate: second, random: SeededGenerator(seed: 8))
        } else {
            let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
            one = try PostgresChainStorage(url: url, poolSize: 2, migrate: true, clock: { clock.now }, businessDate: first,
                                           random: SeededGenerator(seed: 7))
            two = try PostgresChainStorage(url: url, poolSize: 2, migrate: false, clock: { clock.now }, businessDate: second,
                                           random: SeededGenerator(seed: 8))
        }
        let hotel = try one.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        _ = try one.hotel(hotel).addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        for number in ["101", "102", "103"] { _ = try one.hotel(hotel).addRoom(number: number, typeName: "Double", by: "admin") }
        return (one.hotel(hotel), two.hotel(hotel))
    }

    /// Nights cannot overlap, but a guest who stayed past departure still sleeps in the room: the
    /// next guest's check-in put two parties in one room (only the desk's screen warned).
    @Test(arguments: StorageBackend.all)
    func aCheckInIntoARoomAGuestStillOccupiesIsRefused(_ backend: StorageBackend) throws {
        let (today, tomorrow) = try Self.twoDays(backend, earlier: "2026-11-26", later: "2026-11-27")
        let ana = try Contract.confirmed(today, room: "101", from: "2026-11-26", to: "2026-11-27")
        _ = try today.checkIn(ana.confirmationCode, Contract.request())
        let ben = try Contract.confirmed(today, room: "101", from: "2026-11-27", to: "2026-11-29", name: "Ben Ode")
        // Tomorrow Ana has not been checked out yet.
        guard let message = Self.refusal("invalid_state", backend, "a check-in into a room still occupied must be refused", {
            try tomorrow.checkIn(ben.confirmationCode, Contract.request())
        }) else { return }
        #expect(message.contains("Room 101 is still occupied: Ana Lee") && message.contains("due out 2026-11-27"), "\(message)")
        #expect(try tomorrow.booking(ben.id.uuidString).status == .confirmed)
        _ = try tomorrow.checkOut(ana.confirmationCode, Contract.request())
        #expect(try tomorrow.checkIn(ben.confirmationCode, Contract.request()).status == .checkedIn)
        // Ana's check-out undone the same day would put her back in Ben's room.
        guard let undone = Self.refusal("invalid_state", backend, "undoing a check-out into a room another guest now occupies must be refused", {
            try tomorrow.undoCheckOut(ana.confirmationCode, reason: "Pressed by mistake", Contract.request())
        }) else { return }
        #expect(undone.contains("Room 101 is still occupied: Ben Ode") && undone.contains("check them out or move them to another room first")
                && !undone.contains("move booking \(ana.confirmationCode)"), "\(undone)")
        #expect(try tomorrow.booking(ana.id.uuidString).status == .checkedOut)
    }

    /// A guest in house moved into a room where another guest stayed past departure: two
    /// checked-in parties in one room (the check-in was refused, the move was not).
    @Test(arguments: StorageBackend.all)
    func aGuestInHouseIsNotMovedIntoARoomAGuestStillOccupies(_ backend: StorageBackend) throws {
        let (today, tomorrow) = try Self.twoDays(backend, earlier: "2026-11-26", later: "2026-11-27")
        let ana = try Contract.confirmed(today, room: "101", from: "2026-11-26", to: "2026-11-27")
        _ = try today.checkIn(ana.confirmationCode, Contract.request())
        let ben = try Contract.confirmed(today, room: "102", from: "2026-11-26", to: "2026-11-29", name: "Ben Ode")
        let benIn = try today.checkIn(ben.confirmationCode, Contract.request())
        guard let message = Self.refusal("invalid_state", backend, "moving a guest in house into a room still occupied must be refused", {
            try tomorrow.move(ben.confirmationCode, toRoom: "101", reason: nil, reprice: false, Contract.request(version: benIn.version))
        }) else { return }
        #expect(message.contains("Room 101 is still occupied: Ana Lee"), "\(message)")
        #expect(try tomorrow.booking(ben.id.uuidString) == benIn, "nothing changed")
        _ = try tomorrow.checkOut(ana.confirmationCode, Contract.request())
        let moved = try tomorrow.move(ben.confirmationCode, toRoom: "101", reason: nil, reprice: false, Contract.request(version: benIn.version))
        #expect(moved.roomNumber == "101" && moved.status == .checkedIn)
    }

    /// A guest due out yesterday and still checked in sleeps in the room tonight, but no night of
    /// theirs holds it: a search from tonight offered the room and a booking took it, and only
    /// the next guest's check-in was refused. Now the search names it apart and the sale is
    /// refused until they are checked out; from tomorrow the room is on sale as before.
    @Test(arguments: StorageBackend.all)
    func aRoomAnOverstayingGuestSleepsInIsNotSoldForTonight(_ backend: StorageBackend) throws {
        let (earlier, today) = try Self.twoDays(backend, earlier: "2026-11-24", later: "2026-11-26")
        let ana = try Contract.confirmed(earlier, room: "101", from: "2026-11-24", to: "2026-11-25")
        _ = try earlier.checkIn(ana.confirmationCode, Contract.request())
        let tonight = try today.stampedSearch(checkIn: "2026-11-26", checkOut: "2026-11-28", guests: "1")
        #expect(tonight.result.offers.map(\.room.number) == ["102", "103"], "\(backend.name)")
        #expect(tonight.result.withheld == [WithheldRoom(roomNumber: "101", guestName: "Ana Lee", confirmationCode: ana.confirmationCode,
                                                         dueOut: CalendarDate(iso: "2026-11-25")!)], "\(backend.name)")
        #expect(tonight.result.withheld.first?.explanation.contains("still checked in, due out 2026-11-25") == true)
        // She is in the house tonight: counted so by today's figures (they said 0 in house).
        let figures = try today.occupancyReport(from: CalendarDate(iso: "2026-11-26")!, through: CalendarDate(iso: "2026-11-26")!)
        #expect(figures.inHouseToday == 1, "\(backend.name)")
        // Her check-out frees the room without any night changing: tonight's answer is not kept.
        #expect(try today.searchIsCurrent(tonight.stamp) == false, "\(backend.name)")
        let tomorrow = try today.stampedSearch(checkIn: "2026-11-27", checkOut: "2026-11-28", guests: "1").result
        #expect(tomorrow.offers.count == 3 && tomorrow.withheld.isEmpty, "\(backend.name)")

        let request = { (from: String, to: String) in
            ReservationRequest(form: BookingForm(roomNumber: "101", checkIn: from, checkOut: to, guests: "1", guestName: "Ben Ode",
                                                 email: "ben@example.com"), requestId: nil, user: "anna")
        }
        guard let message = Self.refusal("room_unavailable", backend, "a sale of tonight in a room an overstaying guest is in must be refused", {
            try today.reserveAll([request("2026-11-26", "2026-11-27")])[0].get()
        }) else { return }
        #expect(message.contains("Room 101 is still occupied: Ana Lee") && message.contains("was due out 2026-11-25")
                && message.contains("until they are checked out"), "\(message)")
        #expect(try today.reserveAll([request("2026-11-27", "2026-11-28")])[0].get().status != .failed, "from tomorrow it is on sale")

        _ = try today.checkOut(ana.confirmationCode, Contract.request())
        let after = try today.stampedSearch(checkIn: "2026-11-26", checkOut: "2026-11-27", guests: "1").result
        #expect(after.offers.map(\.room.number).contains("101") && after.withheld.isEmpty, "\(backend.name)")
        #expect(try today.reserveAll([request("2026-11-26", "2026-11-27")])[0].get().roomNumber == "101")
    }

    /// A guest who overstayed a night that was sold meanwhile could not be lengthened into
    /// tonight, and the refusal named other rooms for a guest already in this one (a review,
    /// session 58): it now says what to do.
    @Test(arguments: StorageBackend.all)
    func anOverstayOverASoldNightSaysHowToKeepTheGuest(_ backend: StorageBackend) throws {
        let (earlier, today) = try Self.twoDays(backend, earlier: "2026-11-24", later: "2026-11-26")
        let ana = try Contract.confirmed(earlier, room: "101", from: "2026-11-24", to: "2026-11-25")
        let anaIn = try earlier.checkIn(ana.confirmationCode, Contract.request())
        _ = try Contract.confirmed(earlier, room: "101", from: "2026-11-25", to: "2026-11-26", name: "Ben Ode")
        guard let message = Self.refusal("room_unavailable", backend, "lengthening over a night sold to another booking must be refused", {
            try today.changeBooking(ana.confirmationCode, BookingEdit(checkOut: "2026-11-27"), Contract.request(version: anaIn.version))
        }) else { return }
        #expect(message.contains("Room 101 is taken on the night of 2026-11-25, which Ana Lee overstayed")
                && message.contains("check them out and book them again from that night") && !message.contains("rooms 10"), "\(message)")
    }

    /// Checked out on the departure day (no night to claim again), the room taken out of
    /// service, then the check-out undone: a checked-in guest in a room out of service.
    @Test(arguments: StorageBackend.all)
    func aCheckOutIsNotUndoneIntoARoomOutOfService(_ backend: StorageBackend) throws {
        let (yesterday, today) = try Self.twoDays(backend, earlier: "2026-11-25", later: "2026-11-26")
        let ana = try Contract.confirmed(yesterday, room: "101", from: "2026-11-25", to: "2026-11-26")
        _ = try yesterday.checkIn(ana.confirmationCode, Contract.request())
        _ = try today.checkOut(ana.confirmationCode, Contract.request())
        _ = try today.deactivateRoom("101", by: "max")
        guard let message = Self.refusal("room_unavailable", backend, "undoing a check-out into a room out of service must be refused", {
            try today.undoCheckOut(ana.confirmationCode, reason: "Pressed by mistake", Contract.request())
        }) else { return }
        #expect(message.contains("Room 101 is out of service"), "\(message)")
        #expect(try today.booking(ana.id.uuidString).status == .checkedOut)
    }

    /// A late guest's booking edited to start later gave back (and repaid) the nights already
    /// sold: a cancel by another door, which took them out of the figures too.
    @Test(arguments: StorageBackend.all)
    func aLateGuestsPastNightsAreNotGivenBackByAnEdit(_ backend: StorageBackend) throws {
        let (earlier, today) = try Self.twoDays(backend, earlier: "2026-11-24", later: "2026-11-26")
        let late = try Contract.confirmed(earlier, room: "101", from: "2026-11-24", to: "2026-11-28")
        for edit in [BookingEdit(checkIn: "2026-11-26"), BookingEdit(checkIn: "2026-12-20", checkOut: "2026-12-21")] {
            guard let problems = Self.refusal("validation_failed", backend, "giving back a late guest's past nights by an edit must be refused", {
                try today.changeBooking(late.confirmationCode, edit, Contract.request(version: late.version))
            }) else { continue }
            #expect(problems.contains("give back the night of 2026-11-24") && problems.contains("no-show"), "\(problems)")
        }
        #expect(try today.booking(late.id.uuidString) == late)
        // Its check-out date may still change.
        let shorter = try today.changeBooking(late.confirmationCode, BookingEdit(checkOut: "2026-11-27"), Contract.request(version: late.version))
        #expect(shorter.stay.checkOut == CalendarDate(iso: "2026-11-27"))
    }

    /// A guest due on the 18th whose flight landed late, at the desk at 00:40 on the 19th: the
    /// one-night stay "ended on 2026-11-19" and could not be checked in (a no-show, or a night
    /// added that nobody wanted); a check-in at 23:58 could not be taken back at 00:02.
    @Test(arguments: StorageBackend.all)
    func aGuestArrivingAfterMidnightIsCheckedInToTheNightUnderWay(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        let late = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19", name: "Lena Late")
        let longer = try Contract.confirmed(hotel, room: "102", from: "2026-11-18", to: "2026-11-21", name: "Max Long")
        let missed = try Contract.confirmed(hotel, room: "104", from: "2026-11-18", to: "2026-11-19", name: "Nils Never")
        clock.advance(minutes: 11 * 60 + 51) // 23:58 on the 18th
        let early = try Contract.confirmed(hotel, room: "103", from: "2026-11-18", to: "2026-11-20", name: "Eva Early")
        _ = try hotel.checkIn(early.confirmationCode, Contract.request())
        clock.advance(minutes: 4) // 00:02 on the 19th: the business date has changed, the night has not ended
        #expect(try hotel.businessDate() == CalendarDate(iso: "2026-11-19"))
        let undone = try hotel.undoCheckIn(early.confirmationCode, reason: "Wrong guest", Contract.request())
        #expect(undone.status == .confirmed, "\(backend.name)")

        clock.advance(minutes: 38) // 00:40
        let lena = try hotel.checkIn(late.confirmationCode, Contract.request())
        #expect(lena.status == .checkedIn && lena.checkedInOn == CalendarDate(iso: "2026-11-18"), "\(backend.name): \(lena.checkedInOn?.iso ?? "-")")
        let max = try hotel.checkIn(longer.confirmationCode, Contract.request())
        #expect(max.checkedInOn == CalendarDate(iso: "2026-11-18"), "a late guest is in the house from the night he came for")
        #expect(try hotel.checkOut(late.confirmationCode, Contract.request()).status == .checkedOut, "due out today, she leaves today")

        clock.advance(minutes: 5 * 60 + 21) // 06:00: the night is over
        guard let message = Self.refusal("invalid_state", backend, "a one-night stay is not checked in after its night ended", {
            try hotel.checkIn(missed.confirmationCode, Contract.request())
        }) else { return }
        #expect(message.contains("ended on 2026-11-19") && message.contains("until 06:00"), "\(message)")
        guard Self.refusal("invalid_state", backend, "Max's check-in is not undone once the night is over", {
            try hotel.undoCheckIn(longer.confirmationCode, reason: "Wrong guest", Contract.request())
        }) != nil else { return }
    }

    /// A walk-in at 01:00 wanting a bed for what is left of the night: the night that began the
    /// evening before was "in the past" (the business date changes at midnight), so the desk could
    /// sell only the next night, and the guest slept in a room nobody had sold that night.
    @Test(arguments: StorageBackend.all)
    func aWalkInAfterMidnightIsSoldTheNightUnderWay(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        _ = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19", name: "Sam Sleeper")
        clock.advance(minutes: 12 * 60 + 54) // 01:00 on the 19th
        #expect(try hotel.businessDate() == CalendarDate(iso: "2026-11-19"))

        let (found, stamp) = try hotel.stampedSearch(checkIn: "2026-11-18", checkOut: "2026-11-19", guests: "1")
        #expect(found.offers.map(\.room.number).sorted() == ["102", "103", "104"], "\(backend.name): the room sold that night is not offered")
        #expect(found.offers.allSatisfy { $0.nightlyPrices.map(\.night.iso) == ["2026-11-18"] })
        #expect(try !hotel.searchIsCurrent(stamp), "an answer that sells the night under way is not kept (it reads who is in house)")
        let held = try Self.walkIn(hotel, room: "102", from: "2026-11-18", name: "Walt Walker")
        #expect(held.stay.checkIn == CalendarDate(iso: "2026-11-18"), "\(backend.name)")

        // Booked offline on a desk at 01:00 and pushed at 09:00: judged at the hour it was made.
        let listing = try #require(try hotel.rooms().first { $0.room.number == "103" })
        let bookingId = UUID()
        clock.advance(minutes: 8 * 60) // 09:00
        let pushed = try hotel.applySync([Self.pushedWalkIn(bookingId, room: listing, madeAt: "2026-11-19T00:00:00.000Z", name: "Wanda Walker", code: "WLK-NGT")], by: "anna").results[0]
        #expect(pushed.outcome == .accepted, "\(backend.name): \(pushed.code ?? "") \(pushed.message ?? "")")

        // By day the night is over: neither it nor an earlier one is sold.
        guard let message = Self.refusal("validation_failed", backend, "the night before is not sold after 06:00", {
            try hotel.stampedSearch(checkIn: "2026-11-18", checkOut: "2026-11-19", guests: "1")
        }) else { return }
        #expect(message.contains("cannot be in the past") && !message.contains("can still be sold"), "\(message)")
    }

    /// What follows a sale of the night under way, and the night's other work after midnight:
    /// its booking is cancelled or moved as a same-day one is (both were refused as a guest who
    /// "did not come": mark a no-show), a room with a guest in house is not sold for it (a guest
    /// who came after midnight on a stay from today has no claim on it), and a check-out made
    /// before midnight is undone after it.
    @Test(arguments: StorageBackend.all)
    func theNightUnderWaysBookingsAreCancelledMovedAndItsOccupiedRoomsNotSold(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        let olli = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-20", name: "Olli Oops")
        _ = try hotel.checkIn(olli.confirmationCode, Contract.request())
        let early = try Contract.confirmed(hotel, room: "102", from: "2026-11-19", to: "2026-11-21", name: "Emil Early")
        let wrongRoom = try Contract.confirmed(hotel, room: "103", from: "2026-11-18", to: "2026-11-19", name: "Walt Walker")
        clock.advance(minutes: 11 * 60 + 44) // 23:50
        #expect(try hotel.checkOut(olli.confirmationCode, Contract.request()).status == .checkedOut)
        clock.advance(minutes: 15) // 00:05 on the 19th
        let back = try hotel.undoCheckOut(olli.confirmationCode, reason: "Wrong room checked out", Contract.request())
        #expect(back.status == .checkedIn, "\(backend.name): a check-out made before midnight is undone after it")

        clock.advance(minutes: 55) // 01:00
        _ = try hotel.checkIn(early.confirmationCode, Contract.request())
        let (found, _) = try hotel.stampedSearch(checkIn: "2026-11-18", checkOut: "2026-11-19", guests: "1")
        #expect(found.offers.map(\.room.number).sorted() == ["104"], "\(backend.name): 101 and 102 have guests in house, 103 is sold")
        guard let taken = Self.refusal("room_unavailable", backend, "a room with a guest in house is not sold for the night under way", {
            try Self.walkIn(hotel, room: "102", from: "2026-11-18", name: "Nick Night")
        }) else { return }
        #expect(taken.contains("Room 102 has a guest in house (Emil Early") && taken.contains("the night of 2026-11-18"), "\(taken)")

        let moved = try hotel.move(wrongRoom.confirmationCode, toRoom: "104", reason: "Wrong room", reprice: false, Contract.request())
        #expect(moved.roomNumber == "104" && moved.stay.checkIn == CalendarDate(iso: "2026-11-18"), "\(backend.name)")
        let cancelled = try hotel.cancel(wrongRoom.confirmationCode, reason: "Went elsewhere", Contract.request())
        #expect(cancelled.status == .cancelled, "\(backend.name): the night under way's booking is cancelled, not a no-show")
        let (freed, _) = try hotel.stampedSearch(checkIn: "2026-11-18", checkOut: "2026-11-19", guests: "1")
        #expect(freed.offers.map(\.room.number).sorted() == ["103", "104"], "\(backend.name)")
    }

    /// A guest still in house past departure holds no claim on the night under way, but has the
    /// bed: a booking moved into the room for that night, or whose check-in moves to it, is
    /// refused (only a new sale was).
    @Test(arguments: StorageBackend.all)
    func noMoveOrEditPutsABookingOnTheNightUnderWayInARoomAGuestIsIn(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        let olga = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19", name: "Olga Over")
        _ = try hotel.checkIn(olga.confirmationCode, Contract.request())
        let notCome = try Contract.confirmed(hotel, room: "103", from: "2026-11-19", to: "2026-11-20", name: "Nils Late")
        let tomorrow = try Contract.confirmed(hotel, room: "101", from: "2026-11-20", to: "2026-11-21", name: "Lena Next")
        clock.advance(minutes: 36 * 60 + 54) // 01:00 on the 20th: the night of the 19th under way, Olga still in 101
        guard let moved = Self.refusal("room_unavailable", backend, "no move into a room a guest is in for the night under way", {
            try hotel.move(notCome.confirmationCode, toRoom: "101", reason: "Quieter", reprice: false, Contract.request())
        }) else { return }
        #expect(moved.contains("Room 101 has a guest in house (Olga Over"), "\(moved)")
        guard let edited = Self.refusal("room_unavailable", backend, "no stay moved onto the night under way in a room a guest is in", {
            try hotel.changeBooking(tomorrow.confirmationCode, BookingEdit(checkIn: "2026-11-19"), Contract.request())
        }) else { return }
        #expect(edited.contains("Room 101 has a guest in house (Olga Over"), "\(edited)")
        #expect(try hotel.move(notCome.confirmationCode, toRoom: "104", reason: "Quieter", reprice: false, Contract.request()).roomNumber == "104")
    }

    /// A guest checked out on the departure day whose room was sold for tonight since: undoing the
    /// check-out put them back in it, beside the new guest (nothing was claimed again, so nothing
    /// was checked).
    @Test(arguments: StorageBackend.all)
    func aCheckOutIsNotUndoneIntoARoomSoldForTonight(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19")
        _ = try hotel.checkIn(ana.confirmationCode, Contract.request())
        clock.advance(minutes: 21 * 60 + 54) // 10:00 on the 19th
        _ = try hotel.checkOut(ana.confirmationCode, Contract.request())
        let ben = try Contract.confirmed(hotel, room: "101", from: "2026-11-19", to: "2026-11-20", name: "Ben Ode")
        guard let message = Self.refusal("room_unavailable", backend, "no undone check-out into a room sold for tonight", {
            try hotel.undoCheckOut(ana.confirmationCode, reason: "Pressed by mistake", Contract.request())
        }) else { return }
        #expect(message.contains("Room 101 was sold again for 2026-11-19") && message.contains("move it to another room first"), "\(message)")
        #expect(try hotel.booking(ana.id.uuidString).status == .checkedOut)
        _ = try hotel.cancel(ben.confirmationCode, reason: "Plans changed", Contract.request())
        #expect(try hotel.undoCheckOut(ana.confirmationCode, reason: "Pressed by mistake", Contract.request()).status == .checkedIn)
    }

    /// A desk's pushed `book` of a one-guest stay of the night of the 18th, paid at the desk, made
    /// at `madeAt` (the e-mail is the first name's).
    static func pushedWalkIn(_ bookingId: UUID, room listing: RoomListing, madeAt: String, name: String, code: String) -> SyncOperation {
        let email = name.split(separator: " ").first!.lowercased() + "@example.com"
        return SyncOperation(operationId: UUID().uuidString, kind: .book, bookingId: bookingId.uuidString.lowercased(), baseVersion: nil,
                             madeAt: madeAt, by: "desk-anna",
                             book: .init(roomId: listing.room.id.uuidString.lowercased(), roomNumber: listing.room.number,
                                         checkIn: "2026-11-18", checkOut: "2026-11-19", guests: 1, guestName: name, email: email,
                                         phone: nil, confirmation: code, payment: "desk", totalCents: 10_000))
    }

    /// A booking for one guest paid at the desk, from `checkIn` to the 19th, as the API or the
    /// desk makes it (held, not pushed).
    static func walkIn(_ hotel: any HotelStorage, room: String, from checkIn: String, name: String) throws -> Booking {
        let email = name.split(separator: " ").first!.lowercased() + "@example.com"
        return try hotel.reserveAll([ReservationRequest(
            form: BookingForm(roomNumber: room, checkIn: checkIn, checkOut: "2026-11-19", guests: "1", guestName: name, email: email),
            payment: .desk, user: "anna")])[0].get()
    }

    /// Before 06:00 only the night under way may be sold; the refusal of an earlier one says so.
    @Test(arguments: StorageBackend.all)
    func beforeTheNightEndsAnEarlierNightIsStillRefusedAndTheRefusalNamesTheOneOnSale(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        clock.advance(minutes: 12 * 60 + 54) // 01:00 on the 19th
        guard let message = Self.refusal("validation_failed", backend, "two nights back is in the past", {
            try Self.walkIn(hotel, room: "102", from: "2026-11-17", name: "Walt Walker")
        }) else { return }
        #expect(message.contains("cannot be in the past (business date is 2026-11-19; until 06:00 the night of 2026-11-18 can still be sold)"),
                "\(message)")
    }

    /// The same check-in made offline at 00:40 and pushed at 09:00: judged at the hour it was
    /// made (it was judged at the push's hour, refused, and the guest in the room was a conflict).
    @Test(arguments: StorageBackend.all)
    func anOfflineCheckInAfterMidnightIsJudgedAtTheHourItWasMade(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        let late = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19", name: "Lena Late")
        clock.advance(minutes: 20 * 60 + 54) // 09:00 on the 19th
        let operation = SyncOperation(operationId: UUID().uuidString, kind: .checkIn, bookingId: late.id.uuidString.lowercased(),
                                      baseVersion: late.version, madeAt: "2026-11-18T23:40:00.000Z", by: "desk-anna")
        let outcome = try hotel.applySync([operation], by: "anna").results[0]
        #expect(outcome.outcome == .accepted, "\(backend.name): \(outcome.code ?? "") \(outcome.message ?? "")")
        #expect(try hotel.booking(late.id.uuidString).checkedInOn == CalendarDate(iso: "2026-11-18"))
    }

    /// A chain on the clock's own business date (no date set from outside): 2026-11-18 in Vienna
    /// when the test clock starts.
    static func onTheClock(_ backend: StorageBackend, _ clock: TestClock) throws -> any HotelStorage {
        let chain: any ChainStorage
        if backend.name == "SQLite" {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-contract-\(UUID().uuidString)")
                .appendingPathComponent("chain.sqlite").path
            chain = try FrontDeskStore(path: path, clock: { clock.now }, random: SeededGenerator(seed: 7))
        } else {
            let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
            chain = try PostgresChainStorage(url: url, poolSize: 2, migrate: true, clock: { clock.now }, random: SeededGenerator(seed: 7))
        }
        let hotel = try chain.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        _ = try chain.hotel(hotel).addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        for number in ["101", "102", "103", "104"] { _ = try chain.hotel(hotel).addRoom(number: number, typeName: "Double", by: "admin") }
        return chain.hotel(hotel)
    }

    /// A desk offline over midnight: the guest it checked out on the 18th, pushed on the 19th,
    /// left on the 18th (the server freed only the nights from the 19th on), and the cancel it
    /// took on the arrival day is no late cancel the next day.
    @Test(arguments: StorageBackend.all)
    func aDesksChangesAreJudgedOnTheDayTheyWereMade(_ backend: StorageBackend) throws {
        let clock = TestClock()
        let hotel = try Self.onTheClock(backend, clock)
        let madeThe18th = "2026-11-18T13:00:00.000Z"
        func push(_ kind: SyncOperation.Kind, _ booking: Booking, edit: BookingEdit? = nil) throws -> SyncOutcome {
            let operation = SyncOperation(operationId: UUID().uuidString, kind: kind, bookingId: booking.id.uuidString.lowercased(),
                                          baseVersion: try hotel.booking(booking.id.uuidString).version, madeAt: madeThe18th, by: "desk-anna",
                                          edit: edit)
            return try hotel.applySync([operation], by: "anna").results[0]
        }
        let ana = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-21")
        let ben = try Contract.confirmed(hotel, room: "102", from: "2026-11-18", to: "2026-11-20", name: "Ben Ode")
        #expect(try push(.checkIn, ana).outcome == .accepted)
        clock.advance(minutes: 24 * 60)
        #expect(try hotel.businessDate() == CalendarDate(iso: "2026-11-19"))
        let out = try push(.checkOut, ana)
        #expect(out.outcome == .accepted, "\(backend.name): \(out.code ?? "") \(out.message ?? "")")
        let left = try hotel.booking(ana.id.uuidString)
        #expect(left.status == .checkedOut && left.checkedOutOn == CalendarDate(iso: "2026-11-18"), "\(backend.name)")
        // The 19th and 20th went back on sale; the 18th stays sold.
        let report = try hotel.occupancyReport(from: CalendarDate(iso: "2026-11-18")!, through: CalendarDate(iso: "2026-11-20")!)
        #expect(report.days.map(\.roomsSold) == [2, 1, 0], "\(backend.name): \(report.days.map(\.roomsSold))")
        let cancelled = try push(.cancel, ben)
        #expect(cancelled.outcome == .accepted, "\(backend.name): \(cancelled.code ?? "") \(cancelled.message ?? "")")
        // The same cancel made today would be a late one.
        let cara = try Contract.confirmed(hotel, room: "102", from: "2026-11-18", to: "2026-11-20", name: "Cara Diaz")
        #expect(Contract.refusal({ try hotel.cancel(cara.confirmationCode, reason: nil, Contract.request()) }) != nil)
        // Cara phoned on her arrival day, the 18th, to come a day later; the desk's edit, pushed
        // on the 19th, gives back a night that was not yet past when it was made.
        let later = try push(.edit, cara, edit: BookingEdit(checkIn: "2026-11-19"))
        #expect(later.outcome == .accepted, "\(backend.name): \(later.code ?? "") \(later.message ?? "")")
        #expect(try hotel.booking(cara.id.uuidString).stay.checkIn == CalendarDate(iso: "2026-11-19"))
    }

    /// An early-morning arrival sold last night's room at 05:50 is checked in at 06:10, and the
    /// check-in may be undone: the night rule ended at 06:00 whenever the booking was made, and
    /// left the guest in a room on a Confirmed booking due for a no-show (session 55). A guest due
    /// last night who has not come is still not checked in after 06:00.
    @Test(arguments: StorageBackend.all)
    func aWalkInSoldBeforeSixIsCheckedInAfterIt(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        let sam = try Contract.confirmed(hotel, room: "101", from: "2026-11-18", to: "2026-11-19", name: "Sam Sleeper")
        clock.advance(minutes: 17 * 60 + 44) // 05:50 on the 19th
        let listing = try #require(try hotel.rooms().first { $0.room.number == "102" })
        let waltId = UUID()
        let sold = try hotel.applySync([Self.pushedWalkIn(waltId, room: listing, madeAt: "2026-11-19T04:50:00.000Z", name: "Walt Walker", code: "WLK-ERL")], by: "anna").results[0]
        #expect(sold.outcome == .accepted, "\(backend.name): \(sold.code ?? "") \(sold.message ?? "")")
        clock.advance(minutes: 20) // 06:10
        let walt = try hotel.checkIn(waltId.uuidString, Contract.request())
        #expect(walt.status == .checkedIn && walt.checkedInOn == CalendarDate(iso: "2026-11-18"), "\(backend.name)")
        #expect(try hotel.undoCheckIn(waltId.uuidString, reason: "Wrong booking", Contract.request()).status == .confirmed)
        #expect(try hotel.checkIn(waltId.uuidString, Contract.request()).status == .checkedIn)
        guard let message = Self.refusal("invalid_state", backend, "a guest due last night is not checked in after 06:00", {
            try hotel.checkIn(sam.confirmationCode, Contract.request())
        }) else { return }
        #expect(message.contains("ended on 2026-11-19"), "\(message)")
        // Booked on an offline desk at 22:00 and pushed at 06:10: made before midnight (its record
        // is written at the push), so not an early-morning walk-in either.
        let room = try #require(try hotel.rooms().first { $0.room.number == "103" })
        let lateId = UUID()
        let pushed = try hotel.applySync([Self.pushedWalkIn(lateId, room: room, madeAt: "2026-11-18T21:00:00.000Z", name: "Lena Late", code: "LTE-BKD")], by: "anna").results[0]
        #expect(pushed.outcome == .accepted, "\(backend.name): \(pushed.code ?? "") \(pushed.message ?? "")")
        _ = Self.refusal("invalid_state", backend, "a booking made before midnight and pushed after 06:00 is not checked in for last night", {
            try hotel.checkIn(lateId.uuidString, Contract.request())
        })
    }

    /// A walk-in sold at 01:00 on an offline desk and checked in there, sent at 07:00 (a conflict
    /// resolved, or the desk connecting after the night): the booking and its check-in, both
    /// dated 01:00, are taken; the server judges each at the hour it was made.
    @Test(arguments: StorageBackend.all)
    func aNightWalkInAndItsCheckInSentAfterSixAreTaken(_ backend: StorageBackend) throws {
        let clock = TestClock() // 12:06 in Vienna on the 18th
        let hotel = try Self.onTheClock(backend, clock)
        clock.advance(minutes: 18 * 60 + 54) // 07:00 on the 19th
        let listing = try #require(try hotel.rooms().first { $0.room.number == "102" })
        let id = UUID()
        let outcomes = try hotel.applySync([
            Self.pushedWalkIn(id, room: listing, madeAt: "2026-11-19T00:00:00.000Z", name: "Walt Walker", code: "WLK-NGT"),
            SyncOperation(operationId: UUID().uuidString, kind: .checkIn, bookingId: id.uuidString.lowercased(), baseVersion: nil,
                          madeAt: "2026-11-19T00:00:00.000Z", by: "desk-anna"),
        ], by: "anna").results
        #expect(outcomes.map(\.outcome) == [.accepted, .accepted], "\(backend.name): \(outcomes)")
        let walt = try hotel.booking(id.uuidString)
        #expect(walt.status == .checkedIn && walt.checkedInOn == CalendarDate(iso: "2026-11-18"), "\(backend.name)")

        // Sold on the offline desk at 05:50 and checked in there at 06:10, both sent at 07:00: the
        // booking is created when the desk made it (it was created at the push, "after 06:00",
        // and the check-in was refused as of a guest due last night).
        let room = try #require(try hotel.rooms().first { $0.room.number == "103" })
        let early = UUID()
        let sent = try hotel.applySync([
            Self.pushedWalkIn(early, room: room, madeAt: "2026-11-19T04:50:00.000Z", name: "Erin Early", code: "ERL-MRN"),
            SyncOperation(operationId: UUID().uuidString, kind: .checkIn, bookingId: early.uuidString.lowercased(), baseVersion: nil,
                          madeAt: "2026-11-19T05:10:00.000Z", by: "desk-anna"),
        ], by: "anna").results
        #expect(sent.map(\.outcome) == [.accepted, .accepted], "\(backend.name): \(sent)")
        let erin = try hotel.booking(early.uuidString)
        #expect(erin.createdAt == InstantText.instant("2026-11-19T04:50:00.000Z"), "\(backend.name)")
        #expect(erin.checkedInOn == CalendarDate(iso: "2026-11-18"), "\(backend.name)")
    }
}
