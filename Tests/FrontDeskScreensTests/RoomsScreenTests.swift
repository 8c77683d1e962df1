import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import FrontDeskTestSupport
import Testing

@Suite struct RoomsScreenTests {
    @Test func aManagerAddsARenumbersAndTakesARoomOutOfService() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(5))
        #expect(fixture.model.state.screen == .rooms)
        #expect(fixture.screen().contains("9 rooms, 9 in service"))

        fixture.press(.alt("n"))
        fixture.type("105")
        fixture.press(.enter)
        #expect(fixture.screen().contains("Room 105 (Double) added")) // the type of the chosen room, 101
        #expect(try fixture.desk.store.rooms().contains { $0.room.number == "105" && $0.type.name == "Double" })

        fixture.press(.alt("u"))
        for _ in 0..<3 { fixture.press(.backspace) }
        fixture.type("101A")
        fixture.press(.enter)
        #expect(try fixture.desk.store.rooms().contains { $0.room.number == "101A" })
        // A pre-filled value (the old number, "2" guests) is replaced by what is typed into it,
        // as in the desk's other forms (issue 10): "101A" then "1" is 1, not 101A1.
        fixture.press(.alt("u"))
        fixture.type("1")
        #expect(fixture.model.state.rooms.prompt?.values == ["1"])
        fixture.press(.escape, .alt("y"))
        fixture.type("Loft")
        fixture.press(.tab)
        fixture.type("3")
        #expect(fixture.model.state.rooms.prompt?.values == ["Loft", "3", ""])
        fixture.press(.escape)

        // Alt-x asks first, on No (the desk's one rule): Enter alone changes nothing. (The
        // highlight followed 101A to the end of the list: Home first.)
        fixture.press(.home, .down, .alt("x"))
        let number = fixture.model.state.rooms.rows[1].room.number
        let question = fixture.screen()
        #expect(question.contains("Take room \(number) (Double) out of service?"), "\(question)")
        #expect(question.contains("[ No, change nothing ]  [ Yes, take it out ]"))
        fixture.press(.enter)
        #expect(fixture.model.state.rooms.rows[1].room.isActive)
        #expect(fixture.screen().contains("Nothing changed"))
        fixture.press(.alt("x"), .escape)
        #expect(fixture.model.state.rooms.rows[1].room.isActive)
        fixture.press(.alt("x"), .right, .enter)
        let chosen = fixture.model.state.rooms.rows[1].room
        #expect(chosen.isActive == false)
        #expect(fixture.screen().contains("Room \(chosen.number) is out of service"))
        fixture.press(.alt("x"))
        #expect(fixture.screen().contains("Put room \(number) (Double) back in service?"))
        fixture.press(.right, .enter)
        #expect(fixture.model.state.rooms.rows[1].room.isActive)
    }

    /// A type no room has is listed after the rooms ("no rooms"): Alt-e changes it there, Alt-n
    /// adds a room of it, and Alt-x says it has no room to take out of service. Alt-e acted on
    /// a room's type only, so a type added without rooms could not be changed on the desk.
    @Test func aTypeWithNoRoomsIsListedAndCanBeChanged() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(5), .alt("y"))
        fixture.type("Loft")
        fixture.press(.tab)
        fixture.type("3")
        fixture.press(.tab)
        fixture.type("210.00")
        fixture.press(.enter)
        #expect(fixture.screen().contains("Room type Loft added"))
        fixture.press(.end)
        let listed = fixture.screen()
        #expect(listed.split(separator: "\n").contains { $0.contains("Loft") && $0.contains("no rooms") }, "\(listed)")
        fixture.press(.alt("x"))
        #expect(fixture.screen().contains("Room type Loft has no rooms: Alt-n adds one"))
        fixture.press(.alt("e"))
        #expect(fixture.model.state.rooms.prompt?.title == "Room type Loft")
        fixture.press(.tab, .tab)
        fixture.type("225.00")
        fixture.press(.enter)
        #expect(try fixture.desk.store.roomTypes().first { $0.name == "Loft" }?.basePricePerNight == Money(minorUnits: 22_500))
        fixture.press(.alt("n"))
        #expect(fixture.model.state.rooms.prompt?.values == ["", "Loft"])
        fixture.type("501")
        fixture.press(.enter)
        #expect(try fixture.desk.store.rooms().contains { $0.room.number == "501" && $0.type.name == "Loft" })
        #expect(!fixture.screen().contains("no rooms"))
        // The highlight is on the room just added, not on whatever row took the type's place.
        #expect(fixture.model.state.rooms.chosenRoom?.room.number == "501")
        // A refused form's words go with it when it is closed.
        fixture.press(.alt("e"), .tab)
        fixture.type("+3")
        fixture.press(.enter)
        #expect(fixture.screen().contains("is not a number from 1 to 10"))
        fixture.press(.escape)
        #expect(!fixture.screen().contains("is not a number from 1 to 10"))
    }

    /// Alt-e on a room changes its type: the form opens with the type as it is, only what was typed
    /// differently is changed (a capacity set meanwhile elsewhere is not put back), bookings made
    /// keep their prices, and fewer beds than a booking's guests is refused with the form kept.
    @Test func aManagerChangesARoomTypesRateAndItsBookingsKeepTheirs() throws {
        var fixture = try ScreenFixture()
        let family = try fixture.desk.book(room: "201", from: "2026-12-01", to: "2026-12-03", guests: "4")
        fixture.press(.function(5))
        let index = try #require(fixture.model.state.rooms.rows.firstIndex { $0.room.number == "201" })
        for _ in 0..<index { fixture.press(.down) }
        fixture.press(.alt("e"))
        #expect(fixture.model.state.rooms.prompt?.values == ["Family", "4", "200.00"])
        #expect(fixture.screen().contains("Room type Family"))
        // Another manager makes the type sleep 5 meanwhile: this form changes only the price.
        let familyId = try #require(try fixture.desk.store.roomTypes().first { $0.name == "Family" }).id
        _ = try fixture.desk.store.changeRoomType(id: familyId, RoomTypeChange(capacity: 5), by: "other")
        fixture.press(.tab, .tab)
        fixture.type("240.00")
        fixture.press(.enter)
        #expect(fixture.screen().contains("Room type Family changed (bookings made keep their prices)"), "\(fixture.screen())")
        let changed = try #require(try fixture.desk.store.roomTypes().first { $0.id == familyId })
        #expect(changed.basePricePerNight == Money(minorUnits: 24_000) && changed.capacity == 5)
        #expect(try fixture.desk.store.booking(family.confirmationCode).nightlyPrices == family.nightlyPrices)
        let quote = try fixture.desk.store.search(checkIn: "2026-12-10", checkOut: "2026-12-11", guests: "3").offers
        #expect(quote.first { $0.room.number == "202" }?.roomType.basePricePerNight == Money(minorUnits: 24_000))

        // Enter on the form as it opened changes nothing, and says so; so does the same price typed shorter.
        fixture.press(.alt("e"), .enter)
        #expect(fixture.screen().contains("Nothing changed"))
        fixture.press(.alt("e"), .tab, .tab)
        fixture.type("240")
        fixture.press(.enter)
        #expect(fixture.screen().contains("Nothing changed"), "\(fixture.screen())")
        // Three beds while a booking of four guests is to come: refused, the form back as typed.
        fixture.press(.alt("e"), .tab)
        fixture.type("3")
        fixture.press(.enter)
        let refused = fixture.screen()
        #expect(refused.contains("Room type Family cannot sleep only 3: booking \(family.confirmationCode) has more guests"), "\(refused)")
        #expect(fixture.model.state.rooms.prompt?.values == ["Family", "3", "240.00"])
        #expect(try fixture.desk.store.roomTypes().first { $0.id == familyId }?.capacity == 5)
    }

    /// A type typed in other letters ("double") is found, and the room is said added with the
    /// type's own name, as the command line says it (it echoed "(double)").
    @Test func aRoomAddedIsSaidWithItsTypesOwnName() throws {
        var fixture = try ScreenFixture()
        fixture.press(.function(5), .alt("n"))
        fixture.type("106")
        fixture.press(.tab)
        fixture.type("double")
        #expect(fixture.model.state.rooms.prompt?.values == ["106", "double"])
        fixture.press(.enter)
        let screen = fixture.screen()
        #expect(screen.contains("Room 106 (Double) added") && !screen.contains("(double)"), "\(screen)")
        #expect(try fixture.desk.store.rooms().contains { $0.room.number == "106" && $0.type.name == "Double" })
    }

    /// A room out of service said "no (out of …" at every width: the column was 12 wide for a
    /// 19-character value. It is as wide as its longest value, at 80 columns too.
    @Test func aRoomOutOfServiceSaysSoInFullAtAnyWidth() throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.store.deactivateRoom("104", by: "manager")
        fixture.press(.function(5))
        for width in [80, 160] {
            let line = try #require(fixture.screen(width, 24).split(separator: "\n").first { $0.hasPrefix(" 104 ") })
            #expect(line.hasSuffix("100.00 no (out of service)"), "\(width) columns: \(line)")
        }
    }

    /// A room number may be 10 characters long ("Garden 101"), and the screens that list rooms
    /// cut it to 5-7 at 80 columns: "Garden 101" and "Garden 102" both read "Garden …" (rooms,
    /// plan) or "Garde…" (search, bookings, Today). Each room column is as wide as the longest
    /// number, and the column after it still starts under its heading.
    @Test func roomNumbersOfTenCharactersAreShownWholeAt80Columns() throws {
        var fixture = try ScreenFixture()
        for number in ["Garden 101", "Garden 102"] {
            _ = try fixture.desk.store.addRoom(number: number, typeName: "Double", by: "setup")
        }
        let held = try fixture.desk.store.reserve(
            fixture.desk.form(room: "Garden 101", from: "2026-11-26", to: "2026-11-28", name: "Gwen Garden"), by: "anna")
        _ = try fixture.desk.store.confirm(held.confirmationCode, by: "anna")
        fixture.model.bookingsChanged()
        // The lines compared are ASCII up to the text looked for: characters are columns.
        func column(of text: String, in line: Substring) -> Int? {
            line.range(of: text).map { line.distance(from: line.startIndex, to: $0.lowerBound) }
        }
        // The screen, a room listed on it, the heading of the column after the room's, and what
        // that column holds on the room's row.
        let screens: [(Key, String, String, String)] = [
            (.function(2), "Garden 102", "Type", "Double"),
            (.function(3), "Garden 101", "Arrive", "2026-11-26"),
            (.function(4), "Garden 101", "Arrive", "2026-11-26"),
            (.function(5), "Garden 102", "Type", "Double"),
        ]
        for (key, number, heading, value) in screens {
            fixture.press(key)
            let screen = fixture.screen(80, 24)
            let lines = screen.split(separator: "\n")
            let row = try #require(lines.first { $0.contains(number) }, "\(key): \(screen)")
            let header = try #require(lines.first { $0.contains(" Room ") && $0.contains(heading) }, "\(key): \(screen)")
            #expect(column(of: value, in: row) == column(of: heading, in: header), "\(key): \(screen)")
            #expect(!screen.contains("Garden …") && !screen.contains("Garde…"), "\(key): \(screen)")
        }
        fixture.press(.function(6))
        let plan = fixture.screen(80, 24)
        for number in ["Garden 101", "Garden 102"] {
            #expect(plan.split(separator: "\n").contains { $0.hasPrefix(" \(number) ") }, "\(plan)")
        }
        #expect(!plan.contains("Garden …") && plan.contains("13 nights"), "\(plan)")
    }

    /// A base price written as an amount but with more digits than an amount holds
    /// ("99999999999999999999") was answered "is not an amount"; it is above the largest base
    /// price, and refused in that rule's words, for a new type and a changed one alike.
    @Test func aBasePriceTooLargeToHoldIsRefusedByTheLargestPricesRule() throws {
        var fixture = try ScreenFixture()
        let tooLarge = "99999999999999999999"
        let rule = "Base price must be at most \(RoomType.largestBasePrice.plain)"
        #expect(rule == "Base price must be at most 1000000.00")
        fixture.press(.function(5), .alt("y"))
        fixture.type("Palace")
        fixture.press(.tab, .tab)
        fixture.type(tooLarge)
        fixture.press(.enter)
        var screen = fixture.screen()
        #expect(screen.contains(rule) && !screen.contains("is not an amount"), "\(screen)")
        #expect(fixture.model.state.rooms.prompt?.values == ["Palace", "2", tooLarge])
        #expect(try fixture.desk.store.roomTypes().contains { $0.name == "Palace" } == false)

        fixture.press(.escape)
        let chosen = fixture.model.state.rooms.rows[fixture.model.state.rooms.selected].type
        fixture.press(.alt("e"), .tab, .tab)
        fixture.type(tooLarge)
        fixture.press(.enter)
        screen = fixture.screen()
        #expect(screen.contains(rule) && !screen.contains("is not an amount"), "\(screen)")
        #expect(try fixture.desk.store.roomTypes().first { $0.id == chosen.id }?.basePricePerNight == chosen.basePricePerNight)
        // What is not written as an amount is still said to be none.
        fixture.press(.escape, .alt("e"), .tab, .tab)
        fixture.type("12,50")
        fixture.press(.enter)
        screen = fixture.screen()
        #expect(screen.contains("Base price '12,50' is not an amount (use e.g. 129.00)"), "\(screen)")
    }

    @Test func refusalsAreExplainedAndNothingIsHalfDone() throws {
        var fixture = try ScreenFixture()
        try fixture.desk.book(room: "102", from: "2026-12-01", to: "2026-12-02")
        fixture.press(.function(5))
        let index = try #require(fixture.model.state.rooms.rows.firstIndex { $0.room.number == "102" })
        for _ in 0..<index { fixture.press(.down) }
        fixture.press(.alt("x"), .right, .enter)
        #expect(fixture.screen().contains("Room 102 has bookings from 2026-11-26 on"))
        #expect(try fixture.desk.store.rooms().first { $0.room.number == "102" }?.room.isActive == true)

        fixture.press(.alt("y"))
        fixture.type("Penthouse")
        fixture.press(.tab, .backspace)
        fixture.type("x")
        fixture.press(.tab)
        fixture.type("lots")
        fixture.press(.enter)
        let screen = fixture.screen()
        #expect(screen.contains("Sleeps 'x' is not a number from 1 to 10"))
        // Both problems whole at 80 columns, the note wrapped over the rows above the form.
        let note = try #require(fixture.model.state.rooms.prompt?.note)
        #expect(note.contains("'lots'"), "\(note)")
        let words = screen.split(separator: "\n").joined(separator: " ").split(separator: " ").joined(separator: " ")
        #expect(words.contains("! " + note), "\(screen)")
        #expect(try fixture.desk.store.roomTypes().contains { $0.name == "Penthouse" } == false)
        // The refused form is back as typed, to be corrected (or left with Esc).
        #expect(fixture.model.state.rooms.prompt?.values == ["Penthouse", "x", "lots"])
        fixture.press(.escape)

        fixture.press(.alt("n"))
        fixture.type("101")
        fixture.press(.enter)
        #expect(fixture.screen().contains("Room 101 already exists"))
    }

    /// A connected desk's rooms are the booking server's: F5 did nothing there (the desk had no
    /// room services), though the footer and the help named it. It now shows them as the desk's
    /// replica has them, as a standalone desk lists its own (a room out of service, what each
    /// type sleeps and costs); the change keys open no form and say where rooms are changed,
    /// and neither the footer nor the help offers them as keys that change anything.
    @Test func aConnectedDeskShowsItsRoomsAndSaysWhereTheyAreChanged() throws {
        var fixture = try ScreenFixture()
        _ = try fixture.desk.store.deactivateRoom("402", by: "manager")
        let before = try fixture.desk.store.rooms()
        fixture.model = DeskModel(
            info: DeskInfo(hotelName: "Hotel Test", currency: "EUR", businessDate: StoreFixture.today, user: "anna"),
            services: DeskTerminalApp.services(store: fixture.desk.store, user: "anna", cardPayments: false),
            roomServices: DeskTerminalApp.serverRoomServices(store: fixture.desk.store))
        fixture.press(.function(5))
        #expect(fixture.model.state.screen == .rooms)
        let listed = fixture.screen()
        let rows = listed.split(separator: "\n").map(String.init)
        #expect(rows[1].contains("Rooms · as the booking server has them: changed there, not on this desk"), "\(listed)")
        #expect(listed.contains("9 rooms, 8 in service"), "\(listed)")
        #expect(rows.contains { $0.hasPrefix(" 402 ") && $0.contains("Chambre Élégance") && $0.hasSuffix("175.00 no (out of service)") },
                "\(listed)")
        #expect(rows.contains { $0.hasPrefix(" 401 ") && $0.contains("和室 Washitsu") && $0.contains("150.00 yes") }, "\(listed)")
        // The footer names no change key; the screens' keys and quit are there as everywhere.
        let footer = try #require(rows.last)
        for label in ["New room", "Renumber", "In/out of service", "New type", "Edit type"] {
            #expect(!footer.contains(label), "\(footer)")
        }
        #expect(footer.contains("F10 Quit") && footer.contains("F1 Help"), "\(footer)")

        // Each change key says where rooms are changed, and opens no form and asks nothing.
        for key: Key in [.alt("n"), .alt("u"), .alt("x"), .alt("y"), .alt("e")] {
            fixture.press(.down, key)
            let said = fixture.screen()
            #expect(said.contains("Rooms are changed on the booking server, not on this desk"), "\(key): \(said)")
            #expect(!said.contains("Enter saves") && !said.contains("out of service?"), "\(key): \(said)")
            #expect(fixture.model.state.rooms.prompt == nil && fixture.model.state.rooms.serviceQuestion == nil, "\(key)")
            #expect(fixture.model.state.screen == .rooms)
        }
        // Enter after them moves no booking (only a refused Alt-x offers that).
        fixture.press(.enter)
        #expect(fixture.model.state.screen == .rooms)
        #expect(try fixture.desk.store.rooms() == before, "nothing changed")

        // The help lists the moves and one line for the change keys, saying where changes are made.
        fixture.press(.function(1))
        let help = fixture.screen()
        #expect(help.split(separator: "\n").contains { $0.contains("Alt-n/u/x/y/e") && $0.contains("Changes to rooms and types: made on the booking server") },
                "\(help)")
        #expect(help.contains("Previous or next room"), "\(help)")
        #expect(!help.contains("Add a room (number and type)") && !help.contains("Take the chosen room out of service"), "\(help)")
    }
}
