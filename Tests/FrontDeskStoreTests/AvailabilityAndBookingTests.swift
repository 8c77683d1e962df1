import Foundation
@testable import FrontDeskDomain
@testable import FrontDeskStore
import GRDB
import FrontDeskTestSupport
import Testing

@Suite struct AvailabilityTests {
    @Test func aBookedRoomIsNotOfferedForAnOverlappingStay() throws {
        let desk = try StoreFixture()
        try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        #expect(!(try desk.freeRooms("2026-12-02", "2026-12-04")).contains("101"))
        #expect(!(try desk.freeRooms("2026-11-28", "2026-12-02")).contains("101"))
    }

    @Test func backToBackStaysCanBothBeBooked() throws {
        let desk = try StoreFixture()
        try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        #expect(try desk.freeRooms("2026-12-03", "2026-12-05").contains("101"))
        #expect(try desk.freeRooms("2026-11-29", "2026-12-01").contains("101"))
        let next = try desk.book(room: "101", from: "2026-12-03", to: "2026-12-05")
        #expect(next.status == .confirmed)
    }

    @Test func onlyActiveRoomsThatSleepEnoughGuestsAreOffered() throws {
        let desk = try StoreFixture()
        _ = try desk.store.deactivateRoom("102", by: "manager")
        #expect(try desk.freeRooms(guests: "3") == ["201", "202"])
        #expect(try desk.freeRooms(guests: "2") == ["101", "103", "104", "201", "202"])
        #expect(try desk.freeRooms(guests: "1") == ["301", "101", "103", "104", "201", "202"])
    }

    @Test func cheapestTotalFirstThenRoomNumber() throws {
        let desk = try StoreFixture()
        let offers = try desk.store.search(checkIn: "2026-12-01", checkOut: "2026-12-03", guests: "1").offers
        let totals = offers.map(\.totalPrice)
        #expect(totals == totals.sorted())
        #expect(offers.map(\.room.number) == ["301", "101", "102", "103", "104", "201", "202"])
    }

    @Test func anUnexpiredHoldKeepsTheRoomAndAnExpiredOneDoesNot() throws {
        let desk = try StoreFixture()
        let held = try desk.store.reserve(desk.form(room: "103"), by: "anna")
        #expect(held.status == .reserving)
        #expect(!(try desk.freeRooms()).contains("103"))
        desk.clock.advance(minutes: 14)
        #expect(!(try desk.freeRooms()).contains("103"))
        desk.clock.advance(minutes: 1)
        #expect(try desk.freeRooms().contains("103"))
    }

    @Test func bookingOverALapsedHoldFailsTheHoldAndTakesTheRoom() throws {
        let desk = try StoreFixture()
        let held = try desk.store.reserve(desk.form(room: "103"), by: "anna")
        desk.clock.advance(minutes: 16)
        let winner = try desk.book(room: "103")
        #expect(winner.status == .confirmed)
        let lapsed = try desk.store.booking(held.confirmationCode)
        #expect(lapsed.status == .failed)
        #expect(lapsed.statusReason == "Reservation expired")
        #expect(throws: FrontDeskError.self) { try desk.store.confirm(held.confirmationCode, by: "anna") }
    }

    @Test func confirmingAfterTheHoldLapsedFailsTheBookingAndFreesTheRoom() throws {
        let desk = try StoreFixture()
        let held = try desk.store.reserve(desk.form(room: "104"), by: "anna")
        desk.clock.advance(minutes: 20)
        #expect(throws: FrontDeskError.invalidState("Booking \(held.confirmationCode) expired before it was confirmed")) {
            try desk.store.confirm(held.confirmationCode, by: "anna")
        }
        #expect(try desk.store.booking(held.confirmationCode).status == .failed)
        #expect(try desk.count("room_night") == 0)
    }

    @Test func cancellingFreesTheRoom() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101")
        let cancelled = try desk.store.cancel(booking.confirmationCode, reason: "Guest called", by: "anna")
        #expect(cancelled.status == .cancelled)
        #expect(cancelled.version == booking.version + 1)
        #expect(try desk.freeRooms().contains("101"))
    }

    @Test func theHotelsOccupancyRaisesThePrice() throws {
        let desk = try StoreFixture()
        // December night, 7 rooms, booked 5 days ahead for one night: 100.00 x 1.4 (winter) x occupancy.
        func doublePrice() throws -> String {
            try desk.store.search(checkIn: "2026-12-01", checkOut: "2026-12-02", guests: "2").offers
                .first { $0.roomType.name == "Double" }!.totalPrice.plain
        }
        #expect(try doublePrice() == "112.00") // empty: 0.8
        for room in ["201", "202", "301"] { try desk.book(room: room, from: "2026-12-01", to: "2026-12-02", guests: "1") }
        #expect(try doublePrice() == "140.00") // 3 of 7 = 43%: 1.0
        try desk.book(room: "101", from: "2026-12-01", to: "2026-12-02")
        try desk.book(room: "102", from: "2026-12-01", to: "2026-12-02")
        #expect(try doublePrice() == "154.00") // 5 of 7 = 71%: 1.1
        try desk.book(room: "103", from: "2026-12-01", to: "2026-12-02")
        #expect(try doublePrice() == "182.00") // 6 of 7 = 86%: 1.3
    }
}

@Suite struct DoubleBookingTests {
    @Test func anOverlappingBookingIsRefusedAsRoomUnavailable() throws {
        let desk = try StoreFixture()
        try desk.book(room: "101", from: "2026-12-01", to: "2026-12-04")
        #expect(throws: FrontDeskError.roomUnavailable("Room 101 is not available from 2026-12-03 to 2026-12-06: another booking holds it")) {
            try desk.store.reserve(desk.form(room: "101", from: "2026-12-03", to: "2026-12-06"), by: "ben")
        }
        #expect(try desk.count("booking") == 1)
    }

    @Test func theDatabaseItselfRefusesASecondClaimOnARoomNight() throws {
        let desk = try StoreFixture()
        let first = try desk.book(room: "101")
        // Bypass the Swift checks: write a second booking straight into the tables.
        #expect(throws: DatabaseError.self) {
            try desk.store.pool.write { db in
                var copy = first
                copy = Booking(id: UUID(), hotelId: copy.hotelId, roomId: copy.roomId, roomNumber: "101", confirmationCode: "AAA-AAA",
                               guest: copy.guest, guestCount: 2, stay: copy.stay, status: .confirmed, nightlyPrices: copy.nightlyPrices,
                               version: 1, holdExpiresAt: nil, statusReason: nil, createdAt: Date(), updatedAt: Date())
                try FrontDeskStore.insert(copy, requestId: nil, fingerprint: nil, db)
            }
        }
        #expect(try desk.count("booking") == 1)
    }

    @Test func theDatabaseRefusesARoomNightOutsideItsBooking() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        #expect(throws: DatabaseError.self) {
            try desk.store.pool.write { db in
                try db.execute(sql: "INSERT INTO room_night (room_id, night, hotel_id, booking_id) VALUES (?, '2026-12-05', ?, ?)",
                               arguments: [booking.roomId.uuidString, booking.hotelId.uuidString, booking.id.uuidString])
            }
        }
    }

    @Test func aCancelledBookingCannotKeepItsNightsEvenBySQL() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101")
        try desk.store.pool.write { db in
            try db.execute(sql: "UPDATE booking SET status = 'Cancelled' WHERE id = ?", arguments: [booking.id.uuidString])
        }
        #expect(try desk.count("room_night") == 0)
    }
}

@Suite struct BookingLifecycleTests {
    @Test func aBookingCarriesItsNightlyPricesAndACodeToReadOverThePhone() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "201", from: "2026-12-01", to: "2026-12-04", guests: "4")
        #expect(booking.nightlyPrices.count == 3)
        #expect(booking.totalPrice == booking.nightlyPrices.map(\.price).sum())
        #expect(ConfirmationCode.normalized(booking.confirmationCode) == booking.confirmationCode)
        #expect(try desk.store.booking(booking.confirmationCode.lowercased().replacingOccurrences(of: "-", with: "")) == booking)
        #expect(try desk.store.booking(booking.id.uuidString) == booking)
    }

    @Test func checkInAndOutOnTheirDays() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-28")
        let inHouse = try desk.store.checkIn(booking.confirmationCode, by: "anna")
        #expect(inHouse.status == .checkedIn)
        #expect(throws: FrontDeskError.invalidState("Booking \(booking.confirmationCode) is checked in: check the guest out instead of cancelling")) {
            try desk.store.cancel(booking.confirmationCode, reason: nil, by: "anna")
        }
        let gone = try desk.store.checkOut(booking.confirmationCode, by: "anna")
        #expect(gone.status == .checkedOut)
        #expect(gone.version == 5) // reserved, paying, confirmed, checked in, checked out
    }

    @Test func anEarlyCheckOutReleasesTheRemainingNightsForSale() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-30")
        _ = try desk.store.checkIn(booking.confirmationCode, by: "anna")
        // The next day, a second desk on the same file checks the guest out three nights early.
        let nextDay = try FrontDeskStore(path: desk.store.path, businessDate: CalendarDate(iso: "2026-11-27")!)
        let gone = try nextDay.checkOut(booking.confirmationCode, by: "ben")
        #expect(gone.status == .checkedOut)
        #expect(try nextDay.search(checkIn: "2026-11-27", checkOut: "2026-11-30", guests: "1").offers.map(\.room.number).contains("101"))
        #expect(try desk.count("room_night") == 1) // the night of the 26th stays sold
        // What was paid for the three nights given back is said, for a person to settle.
        let given = booking.nightlyPrices.dropFirst().map(\.price).sum()
        let line = try #require(try nextDay.auditTrail(bookingReference: booking.confirmationCode).first { $0.action == "booking.checkedOut" })
        #expect(line.summary.contains("early; 3 nights released; \(given.plain) of the \(booking.totalPrice.plain) paid was for them"),
                "\(line.summary)")
    }

    @Test func aStaleVersionIsRefusedAsConflict() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101")
        #expect(throws: FrontDeskError.self) {
            try desk.store.cancel(booking.confirmationCode, reason: nil, expectedVersion: booking.version - 1, by: "anna")
        }
        #expect(try desk.store.cancel(booking.confirmationCode, reason: nil, expectedVersion: booking.version, by: "anna").status == .cancelled)
    }

    @Test func invalidInputWritesNothing() throws {
        let desk = try StoreFixture()
        let before = (try desk.count("booking"), try desk.count("audit_entry"), try desk.count("room_night"))
        var form = desk.form()
        form.email = "nope"
        form.checkOut = "2026-11-01"
        #expect(throws: FrontDeskError.validationFailed(["Check-out date must be after check-in date", "Valid email address is required"])) {
            try desk.store.reserve(form, by: "anna")
        }
        #expect(throws: FrontDeskError.roomUnavailable("Room 102 is out of service")) {
            _ = try desk.store.deactivateRoom("102", by: "anna")
            return try desk.store.reserve(desk.form(room: "102"), by: "anna")
        }
        #expect(try desk.count("booking") == before.0)
        #expect(try desk.count("room_night") == before.2)
        #expect(try desk.count("audit_entry") == before.1 + 1) // the deactivation only
    }

    @Test func aRoomWithBookingsAheadCannotBeTakenOutOfService() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101")
        #expect(throws: FrontDeskError.self) { try desk.store.deactivateRoom("101", by: "manager") }
        _ = try desk.store.cancel(booking.confirmationCode, reason: nil, by: "manager")
        #expect(try desk.store.deactivateRoom("101", by: "manager").room.isActive == false)
    }

    /// A guest due out today has no nights left but is still in the room: it goes out of service
    /// once they have left. A room out of service (here set by hand, as a database from before
    /// this rule can hold) takes no nights: a stay there is not made longer.
    @Test func aRoomWithAGuestInsideCannotGoOutOfServiceAndAnOutOfServiceRoomTakesNoNights() throws {
        let desk = try StoreFixture()
        let dueOut = try desk.checkedIn(daysAgo: 2, room: "101", from: "2026-11-24", to: "2026-11-26", name: "Ada Due")
        #expect(throws: FrontDeskError.invalidState("Room 101 has a guest checked in (\(dueOut.confirmationCode)); check them out first")) {
            try desk.store.deactivateRoom("101", by: "manager")
        }
        #expect(try desk.store.rooms().first { $0.room.number == "101" }?.room.isActive == true)

        try DatabaseQueue(path: desk.store.path).write { db in try db.execute(sql: "UPDATE room SET is_active = 0 WHERE number = '101'") }
        #expect(throws: FrontDeskError.roomUnavailable("Room 101 is out of service")) {
            try desk.store.changeBooking(dueOut.confirmationCode, BookingEdit(checkOut: "2026-11-28"), ChangeRequest(user: "anna"), operationId: nil)
        }
        let after = try desk.store.booking(dueOut.confirmationCode)
        #expect(after.stay.checkOut.iso == "2026-11-26" && after.version == dueOut.version)
        #expect(try desk.count("room_night WHERE night >= '2026-11-26'") == 0)

        _ = try desk.store.checkOut(dueOut.confirmationCode, by: "anna")
        #expect(try !desk.store.deactivateRoom("101", by: "manager").room.isActive)
    }

    @Test func roomNumbersAreUniqueWithinTheHotel() throws {
        let desk = try StoreFixture()
        #expect(throws: FrontDeskError.conflict("Room 101 already exists")) { try desk.store.addRoom(number: "101", typeName: "Double", by: "m") }
        #expect(throws: FrontDeskError.conflict("Room 102 already exists")) { try desk.store.renameRoom("101", to: "102", by: "m") }
        #expect(try desk.store.renameRoom("101", to: "101A", by: "m").room.number == "101A")
    }
}

@Suite struct IdempotencyTests {
    @Test func theSameRequestIdReturnsTheFirstBookingAndCreatesNothing() throws {
        let desk = try StoreFixture()
        let key = UUID()
        let first = try desk.store.reserve(desk.form(), requestId: key, by: "anna")
        let again = try desk.store.reserve(desk.form(), requestId: key, by: "anna")
        #expect(again.id == first.id)
        #expect(try desk.count("booking") == 1)
    }

    @Test func theSameRequestIdWithOtherDetailsIsRefused() throws {
        let desk = try StoreFixture()
        let key = UUID()
        _ = try desk.store.reserve(desk.form(), requestId: key, by: "anna")
        #expect(throws: FrontDeskError.self) {
            try desk.store.reserve(desk.form(room: "102"), requestId: key, by: "anna")
        }
        do {
            _ = try desk.store.reserve(desk.form(name: "Someone Else"), requestId: key, by: "anna")
        } catch let error as FrontDeskError {
            #expect(error.code == "conflict")
        }
        #expect(try desk.count("booking") == 1)
    }
}

@Suite struct AuditTrailTests {
    @Test func everyChangeRecordsWhoWhenWhatAndTheStateBeforeAndAfter() throws {
        let desk = try StoreFixture()
        let booking = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-27", by: "anna")
        _ = try desk.store.checkIn(booking.confirmationCode, by: "ben")
        let trail = try desk.store.auditTrail(bookingReference: booking.confirmationCode)
        #expect(trail.map(\.action) == ["booking.checkedIn", "booking.confirmed", "booking.paymentStarted", "booking.reserved"])
        #expect(trail.map(\.user) == ["ben", "anna", "anna", "anna"])
        #expect(trail[0].before?.contains("\"status\":\"Confirmed\"") == true)
        #expect(trail[0].after?.contains("\"status\":\"CheckedIn\"") == true)
        #expect(trail[3].before == nil)
        #expect(trail[0].at == desk.clock.now)
    }

    @Test func roomChangesAreAuditedWithTheirDomainEvents() throws {
        let desk = try StoreFixture()
        _ = try desk.store.renameRoom("104", to: "105", by: "manager")
        _ = try desk.store.deactivateRoom("105", by: "manager")
        _ = try desk.store.activateRoom("105", by: "manager")
        _ = try desk.store.activateRoom("105", by: "manager") // already active: nothing recorded
        let trail = try desk.store.auditTrail(limit: 3)
        #expect(trail.map(\.action) == ["RoomActivated", "RoomDeactivated", "RoomNumberChanged"])
        #expect(trail.last?.summary == "Room 104 renumbered to 105")
    }
}

@Suite struct OccupancyTests {
    @Test func soldRevenueADRAndRevPARFollowTheDefinitions() throws {
        let desk = try StoreFixture()
        let first = try desk.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let second = try desk.book(room: "201", from: "2026-12-02", to: "2026-12-03", guests: "3")
        _ = try desk.store.reserve(desk.form(room: "102", from: "2026-12-01", to: "2026-12-02"), by: "anna") // a hold is not sold
        let cancelled = try desk.book(room: "103", from: "2026-12-01", to: "2026-12-02")
        _ = try desk.store.cancel(cancelled.confirmationCode, reason: nil, by: "anna")

        let days = try desk.store.occupancy(from: CalendarDate(iso: "2026-12-01")!, through: CalendarDate(iso: "2026-12-03")!)
        #expect(days.map(\.roomsAvailable) == [7, 7, 7])
        #expect(days.map(\.roomsSold) == [1, 2, 0])
        let revenue = first.nightlyPrices[1].price + second.nightlyPrices[0].price
        #expect(days[1].roomRevenue == revenue)
        #expect(days[1].adr == revenue.divided(by: 2))
        #expect(days[1].revpar == revenue.divided(by: 7))
        #expect(days[0].occupancy == Decimal(string: "0.1429")!)
        #expect(days[2].adr == .zero)
    }

    /// A guest who leaves early departs that day: not on the stay's last date, and not in house after.
    @Test func anEarlyDepartureIsOnTheDayListsOfTheDayTheGuestLeft() throws {
        let desk = try StoreFixture()
        let early = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-30")
        let staying = try desk.book(room: "102", from: "2026-11-26", to: "2026-11-29")
        _ = try desk.store.checkIn(early.confirmationCode, by: "anna")
        _ = try desk.store.checkIn(staying.confirmationCode, by: "anna")
        // The next day, at the same desk: the first guest leaves three nights early.
        let clock = desk.clock
        let nextDay = CalendarDate(iso: "2026-11-27")!
        let tomorrow = try FrontDeskStore(path: desk.store.path, clock: { clock.now }, businessDate: nextDay)
        _ = try tomorrow.checkOut(early.confirmationCode, by: "anna")
        let lists = try tomorrow.dayLists(on: nextDay)
        #expect(lists.departures.map(\.confirmationCode) == [early.confirmationCode])
        #expect(lists.inHouse.map(\.confirmationCode) == [staying.confirmationCode])
        let night26 = try tomorrow.dayLists(on: StoreFixture.today)
        #expect(Set(night26.inHouse.map(\.confirmationCode)) == [early.confirmationCode, staying.confirmationCode])
        #expect(try tomorrow.dayLists(on: CalendarDate(iso: "2026-11-30")!).departures.isEmpty)
        #expect(try tomorrow.dayLists(on: CalendarDate(iso: "2026-11-28")!).inHouse.map(\.confirmationCode) == [staying.confirmationCode])
        let report = try tomorrow.occupancyReport(from: nextDay, through: nextDay)
        #expect((report.arrivalsToday, report.departuresToday, report.inHouseToday) == (0, 1, 1))
    }

    /// A room sold on past nights and out of service now is counted available on those nights:
    /// a room going out for repairs today does not raise last week's occupancy, or push it past 100 %.
    @Test func aRoomOutOfServiceNowWasAvailableOnTheNightsItWasSold() throws {
        let desk = try StoreFixture()
        let stayed = try desk.checkedIn(daysAgo: 5, room: "101", from: "2026-11-21", to: "2026-11-23", name: "Ada Past")
        _ = try desk.store.checkOut(stayed.confirmationCode, by: "anna")
        _ = try desk.store.deactivateRoom("101", by: "manager")
        let report = try desk.store.occupancyReport(from: CalendarDate(iso: "2026-11-21")!, through: CalendarDate(iso: "2026-11-23")!)
        #expect(report.days.map(\.roomsAvailable) == [7, 7, 6])
        #expect(report.days.map(\.roomsSold) == [1, 1, 0])
        let double = try #require(report.byRoomType.first { $0.name == "Double" })
        #expect(double.roomNightsAvailable == 3 * 3 + 2 && double.roomNightsSold == 2)
        #expect(report.days.allSatisfy { $0.roomsSold <= $0.roomsAvailable })
    }

    /// The sales the triggers keep (night_sales) against the room-nights joined to their prices,
    /// after each kind of change: holds, confirmations, a cancellation with refund, a lapsed hold,
    /// an early departure, a failed booking.
    @Test func nightSalesFollowEveryChange() throws {
        let desk = try StoreFixture()
        let store = desk.store
        func joined() throws -> [String: [Int64]] {
            let queue = try DatabaseQueue(path: store.path)
            return try queue.read { db in
                var result: [String: [Int64]] = [:]
                for row in try Row.fetchAll(db, sql: """
                    SELECT n.night, COUNT(*), SUM(p.price_cents) FROM room_night n
                    JOIN booking b ON b.id = n.booking_id
                    JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
                    WHERE b.status IN ('Confirmed', 'CheckedIn', 'CheckedOut') GROUP BY n.night
                    """) {
                    result[row[0]] = [row[1], row[2]]
                }
                return result
            }
        }
        func reported() throws -> [String: [Int64]] {
            let days = try store.occupancy(from: StoreFixture.today, through: StoreFixture.today.adding(days: 20))
            return Dictionary(uniqueKeysWithValues: days.filter { $0.roomsSold > 0 }.map {
                ($0.date.iso, [Int64($0.roomsSold), $0.roomRevenue.minorUnits])
            })
        }
        func check(_ step: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(try reported() == joined(), "\(step)", sourceLocation: sourceLocation)
        }
        let stay = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-30")
        try check("confirmed")
        let held = try store.reserve(desk.form(room: "102", from: "2026-11-27", to: "2026-11-29"), by: "anna")
        try check("held, not sold")
        _ = try store.confirm(held.confirmationCode, by: "anna")
        try check("hold confirmed")
        let cancelled = try desk.book(room: "201", from: "2026-12-01", to: "2026-12-04", guests: "3")
        try check("another confirmed")
        _ = try store.cancel(cancelled.confirmationCode, reason: nil, by: "anna")
        try SagaRunner(store: store, gateway: nil).runUntilIdle()
        try check("cancelled and refunded")
        _ = try store.reserve(desk.form(room: "103", from: "2026-11-28", to: "2026-11-30"), by: "anna")
        desk.clock.advance(minutes: 30)
        try SagaRunner(store: store, gateway: nil).runUntilIdle()
        try check("a hold lapsed")
        _ = try store.checkIn(stay.confirmationCode, by: "anna")
        _ = try store.checkOut(stay.confirmationCode, by: "anna")
        try check("left early, nights given back")
        #expect(try reported()["2026-11-27"] == [1, held.nightlyPrices[0].price.minorUnits])
    }
}

@Suite struct StoreFileTests {
    @Test func aFileThatIsNotADatabaseIsNamedInTheError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-notdb-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("notes.txt").path
        try String(repeating: "hello, this is not sqlite\n", count: 100).write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try FrontDeskStore(path: path)
            Issue.record("opened a text file as a database")
        } catch {
            #expect("\(error)".contains("is not a Front Desk database"))
        }
    }

    @Test func missingFoldersAreCreated() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-\(UUID().uuidString)/a/b/desk.sqlite").path
        _ = try FrontDeskStore(path: path)
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func theDemoHotelImportsAndSearches() throws {
        let desk = try StoreFixture(rooms: false)
        let demo = DemoHotelGenerator(roomCount: 60, days: 90, occupancy: 0.7, seed: 1, businessDate: StoreFixture.today,
                                      now: desk.clock.now).generate()
        try desk.store.importDemo(demo, replacing: false, by: "demo")
        #expect(try desk.count("booking") == demo.bookings.count)
        #expect(throws: FrontDeskError.self) { try desk.store.importDemo(demo, replacing: false, by: "demo") }
        let offers = try desk.store.search(checkIn: "2026-11-26", checkOut: "2026-11-27", guests: "1").offers
        let taken = Set(demo.bookings.filter { $0.status != .cancelled && $0.stay.contains(night: StoreFixture.today) }.map(\.roomNumber))
        #expect(Set(offers.map(\.room.number)) == Set(demo.rooms.map(\.number)).subtracting(taken))
    }
}

@Suite struct NightLoadTests {
    /// The per-night counter the triggers keep must equal a recount of the firm claims after
    /// holds, confirmations, expiries, cancellations and an early departure.
    @Test func theTriggerKeptCountMatchesARecountAfterEveryKindOfChange() throws {
        let desk = try StoreFixture()
        func mismatches() throws -> [String] {
            try desk.store.pool.read { db in
                try String.fetchAll(db, sql: """
                    SELECT COALESCE(c.night, l.night) FROM
                      (SELECT hotel_id, night, COUNT(*) AS firm FROM room_night WHERE hold_expires_at IS NULL GROUP BY hotel_id, night) c
                      FULL OUTER JOIN night_load l ON l.hotel_id = c.hotel_id AND l.night = c.night
                    WHERE COALESCE(c.firm, 0) != COALESCE(l.firm, 0)
                    """)
            }
        }
        let stay = try desk.book(room: "101", from: "2026-11-26", to: "2026-11-30")
        let held = try desk.store.reserve(desk.form(room: "102"), by: "anna")
        #expect(try mismatches() == [])
        _ = try desk.store.confirm(held.confirmationCode, by: "anna")
        #expect(try mismatches() == [])
        _ = try desk.store.reserve(desk.form(room: "103"), by: "anna")
        desk.clock.advance(minutes: 20)
        try desk.book(room: "103") // fails the lapsed hold on the way
        _ = try desk.store.cancel(held.confirmationCode, reason: nil, by: "anna")
        _ = try desk.store.checkIn(stay.confirmationCode, by: "anna")
        let nextDay = try FrontDeskStore(path: desk.store.path, businessDate: CalendarDate(iso: "2026-11-27")!)
        _ = try nextDay.checkOut(stay.confirmationCode, by: "anna")
        #expect(try mismatches() == [])
        let firm = try desk.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT SUM(firm) FROM night_load") }
        #expect(firm == 1 + 2) // the 26th of the early departure, and room 103's two nights
    }
}
