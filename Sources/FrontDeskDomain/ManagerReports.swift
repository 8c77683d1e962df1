import Foundation

// MARK: A day's lists

/// Who arrives, leaves and stays on a date. One definition for the Today screen, the dashboard's
/// counts and `frontdesk report`:
/// - arrivals: live bookings (Confirmed, CheckedIn, CheckedOut) whose stay begins that day;
/// - departures: live bookings whose stay ends that day;
/// - in house: bookings checked in over that night (CheckedIn, or CheckedOut for a night already
///   past: they were in the house then); on the business date also a guest still checked in
///   whose check-out date passed (overstayed: in the room tonight, and counted so; the lists
///   name them apart, `overdueDepartures`).
/// Bookings still being taken (Reserving, ProcessingPayment) are not on the lists until confirmed.
/// A guest who checked out early departed that day, not on the stay's last date: `departures`
/// gives those days (the store knows them from the nights the booking kept).
/// Before 06:00 on the business date, a walk-in sold after midnight for the night under way and
/// not yet checked in is an arrival of the day, not a departure (`listWalkInsOfTheNight`).
public struct DayLists: Sendable {
    public let date: CalendarDate
    public private(set) var arrivals: [Booking]
    public private(set) var departures: [Booking]
    public let inHouse: [Booking]
    /// Confirmed arrivals who have not come and may be marked a no-show: arrival day passed, or
    /// today after the hotel's cut-off hour (filled for the business date only).
    public var dueForNoShow: [Booking] = []
    /// Guests still checked in whose check-out date passed before the day (filled for the business
    /// date only): they overstayed and nobody checked them out. They are on no other list (their
    /// departure day is over), yet in the room: the desk must see them to check them out or extend
    /// the stay (a review, session 57: they vanished from every list while their room was sold).
    public var overdueDepartures: [Booking] = []
    /// Guests still checked in whose stay ends on the day (on the business date only): due out
    /// today and not gone yet. They are on the departures, and in the house now: the in-house list
    /// names them apart, as it does the overstayed (a night-shift review, session 61: at 00:38 the
    /// guests asleep who leave in the morning were on no in-house list, ten short of a fire list).
    public let dueOutToday: [Booking]
    /// The room a listed guest was in that day, where a move since put the booking in another room
    /// (the night's room; a departure's last night slept). Empty when nobody listed moved.
    public var roomNumbersThatDay: [UUID: String] = [:]

    /// The room to show for `booking` on this day's lists.
    public func roomNumber(of booking: Booking) -> String { roomNumbersThatDay[booking.id] ?? booking.roomNumber }

    /// The night whose room a listed booking is shown in: the day's own night, or for a guest who
    /// only leaves that day, the night before (the last one slept).
    public func nightShown(for booking: Booking) -> CalendarDate {
        let leavesOnly = departures.contains { $0.id == booking.id }
            && !arrivals.contains { $0.id == booking.id } && !inHouse.contains { $0.id == booking.id }
        return leavesOnly ? date.adding(days: -1) : date
    }

    public static let liveStatuses: Set<BookingStatus> = [.confirmed, .checkedIn, .checkedOut]

    /// Before 06:00 on the business date (`night`: the night under way, `Hotel.nightUnderWay`), a
    /// walk-in sold after midnight for that night, Confirmed and not yet checked in, is a guest at
    /// the desk: listed with the day's arrivals, and not with its departures (its stay ends today,
    /// but there is nobody to check out yet). Once checked in it is the day's departure, as any
    /// guest of that night. The same walk-ins the no-show list leaves out. `bookings`: those the
    /// lists were made of.
    public mutating func listWalkInsOfTheNight(_ night: CalendarDate, among bookings: [Booking], hotel: Hotel) {
        let walkIns = bookings.filter {
            $0.status == .confirmed && $0.stay.checkIn == night && hotel.wasMadeDuringTheNight($0, businessDate: date)
        }
        guard !walkIns.isEmpty else { return }
        let ids = Set(walkIns.map(\.id))
        arrivals = walkIns + arrivals.filter { !ids.contains($0.id) }
        departures.removeAll { ids.contains($0.id) }
    }

    /// `bookings` must hold at least every booking whose stay touches `date`; others are ignored.
    /// `lastKeptNights`: of the checked-out among them, the last night each kept (what tells the
    /// day of departure of a booking checked out before its check-out day was recorded).
    public init(date: CalendarDate, businessDate: CalendarDate, bookings: [Booking], lastKeptNights: [UUID: CalendarDate] = [:]) {
        self.date = date
        let kinds = bookings.map {
            Self.kinds(status: $0.status, stay: $0.stay, arrived: $0.checkedInOn,
                       departed: $0.status == .checkedOut
                           ? Self.departure(checkedOutOn: $0.checkedOutOn, lastKeptNight: lastKeptNights[$0.id], stay: $0.stay) : nil,
                       on: date, businessDate: businessDate)
        }
        func on(_ kind: Kind) -> [Booking] { zip(bookings, kinds).filter { $0.1.contains(kind) }.map(\.0) }
        let departing = on(.departures)
        arrivals = on(.arrivals)
        departures = departing
        inHouse = on(.inHouse)
        dueOutToday = date == businessDate ? departing.filter { $0.status == .checkedIn } : []
    }

    /// Everyone checked in now, on the business date's lists: staying tonight, due out today and
    /// overstayed (each booking once). A fire list.
    public var checkedInNow: Int { inHouse.count + dueOutToday.count + overdueDepartures.count }

    /// The lists a booking is on that day: the definitions, in one place.
    /// `arrived`: the day the guest checked in (nil: not known, the stay's first day); a guest who
    /// came a day late was not in the house the night before.
    /// `departed`: the day a checked-out guest left (nil: the stay's check-out date).
    public static func kinds(status: BookingStatus, stay: StayDates, arrived: CalendarDate? = nil, departed: CalendarDate? = nil,
                             on date: CalendarDate, businessDate: CalendarDate) -> Set<Kind> {
        guard liveStatuses.contains(status) else { return [] }
        let departure = min(departed ?? stay.checkOut, stay.checkOut)
        let firstNightHere = max(arrived ?? stay.checkIn, stay.checkIn)
        var kinds: Set<Kind> = []
        if stay.checkIn == date { kinds.insert(.arrivals) }
        if departure == date { kinds.insert(.departures) }
        if firstNightHere <= date, date < departure, status == .checkedIn || (status == .checkedOut && date < businessDate) {
            kinds.insert(.inHouse)
        }
        if status == .checkedIn, date == businessDate, departure < date { kinds.insert(.inHouse) }
        return kinds
    }

    public enum Kind: String, CaseIterable, Sendable {
        case arrivals, departures, inHouse = "in-house"
    }

    public func bookings(_ kind: Kind) -> [Booking] {
        switch kind {
        case .arrivals: arrivals
        case .departures: departures
        case .inHouse: inHouse
        }
    }
}

// MARK: Occupancy report

/// One room type over a range of nights: same definitions as `OccupancyDay`.
public struct RoomTypeOccupancy: Hashable, Sendable {
    public let name: String
    /// Active rooms of the type.
    public let rooms: Int
    public let roomNightsAvailable: Int
    public let roomNightsSold: Int
    public let roomRevenue: Money

    public init(name: String, rooms: Int, roomNightsAvailable: Int, roomNightsSold: Int, roomRevenue: Money) {
        self.name = name
        self.rooms = rooms
        self.roomNightsAvailable = roomNightsAvailable
        self.roomNightsSold = roomNightsSold
        self.roomRevenue = roomRevenue
    }

    public var occupancy: Decimal { OccupancyDay.ratio(roomNightsSold, roomNightsAvailable) }
    public var adr: Money { roomRevenue.divided(by: roomNightsSold) }
    public var revpar: Money { roomRevenue.divided(by: roomNightsAvailable) }
}

/// Everything the dashboard and `frontdesk occupancy` show for a range of nights, from one read.
public struct OccupancyReport: Sendable {
    public let days: [OccupancyDay]
    public let byRoomType: [RoomTypeOccupancy]
    /// Room-nights in the range sold by bookings made in the last `pickupDays` days.
    public let pickupRoomNights: Int
    public static let pickupDays = 7
    /// The business date's lists, counted.
    public let arrivalsToday: Int
    public let departuresToday: Int
    public let inHouseToday: Int
    /// The hotel's currency, of every amount in the report (a chain's hotels differ).
    public var currency: String?

    public init(days: [OccupancyDay], byRoomType: [RoomTypeOccupancy], pickupRoomNights: Int,
                arrivalsToday: Int, departuresToday: Int, inHouseToday: Int) {
        self.days = days
        self.byRoomType = byRoomType
        self.pickupRoomNights = pickupRoomNights
        self.arrivalsToday = arrivalsToday
        self.departuresToday = departuresToday
        self.inHouseToday = inHouseToday
    }

    public var summary: OccupancySummary { OccupancySummary(days) }
    public var first: CalendarDate? { days.first?.date }
    public var last: CalendarDate? { days.last?.date }

    /// The night table as CSV: what `frontdesk occupancy --csv` prints and the dashboard exports.
    public var csv: String {
        let header = "date,roomsAvailable,roomsSold,occupancy,roomRevenue,adr,revpar"
        let lines = days.map {
            CSV.line([.text($0.date.iso), .number("\($0.roomsAvailable)"), .number("\($0.roomsSold)"), .number("\($0.occupancy)"),
                      .number($0.roomRevenue.plain), .number($0.adr.plain), .number($0.revpar.plain)])
        }
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    /// A fraction as a percentage with two decimals ("75.33").
    public static func percent(_ fraction: Decimal) -> String { Money(rounding: fraction * 100).plain }
}

// MARK: Room plan

/// The grid of rooms by nights: every room (in service or not) grouped by type, and the stays that
/// touch the nights shown.
public struct RoomPlan: Sendable {
    public struct Stay: Hashable, Sendable {
        /// Names the booking (unique, and what the bookings screen finds it by).
        public let confirmationCode: String
        public let roomId: UUID
        public let stay: StayDates
        public let guestName: String
        public let status: BookingStatus
        public var bookingId: UUID?
        /// For a guest still checked in after the date they were due out (overstayed): that date.
        /// `stay` then runs through tonight, the nights they are still in the room, so the plan
        /// shows the room taken where searches withhold it (`WithheldRoom`).
        public var overstayedSince: CalendarDate?

        public init(confirmationCode: String, roomId: UUID, stay: StayDates, guestName: String,
                    status: BookingStatus, bookingId: UUID? = nil, overstayedSince: CalendarDate? = nil) {
            self.bookingId = bookingId
            self.overstayedSince = overstayedSince
            self.confirmationCode = confirmationCode
            self.roomId = roomId
            self.stay = stay
            self.guestName = guestName
            self.status = status
        }
    }

    /// A guest checked in now, in the room they are in now.
    public struct GuestInHouse: Hashable, Sendable {
        public let guestName: String
        public let confirmationCode: String

        public init(guestName: String, confirmationCode: String) {
            self.guestName = guestName
            self.confirmationCode = confirmationCode
        }
    }

    public struct Line: Hashable, Sendable {
        public let room: Room
        public let roomType: RoomType

        public init(room: Room, roomType: RoomType) {
            self.room = room
            self.roomType = roomType
        }
    }

    public let first: CalendarDate
    public let nights: Int
    /// Rooms by type (cheapest type first), then by number.
    public let lines: [Line]
    /// Each room's stays in the range, in date order.
    public let staysByRoom: [UUID: [Stay]]
    /// Who is checked in now, by the room they are in now (whatever the nights shown). Before
    /// 06:00 such a room is not sold for the night under way, claim or none (session 54): a guest
    /// moved in after midnight left that night's claim in the room they slept in, and one who
    /// came after midnight on a stay from today holds none; the desk's plan says the room is taken.
    public let guestsInHouse: [UUID: GuestInHouse]

    public init(first: CalendarDate, nights: Int, lines: [Line], stays: [Stay], guestsInHouse: [UUID: GuestInHouse] = [:]) {
        self.first = first
        self.nights = nights
        self.guestsInHouse = guestsInHouse
        // Keys made once per line, not once per comparison: hotels have hundreds of rooms.
        self.lines = lines.map { (line: $0, price: $0.roomType.basePricePerNight, name: $0.roomType.name,
                                  number: RoomNumberOrder.Key($0.room.number)) }
            .sorted { lhs, rhs in
                if lhs.price != rhs.price { return lhs.price < rhs.price }
                if lhs.name != rhs.name { return lhs.name < rhs.name }
                return lhs.number < rhs.number
            }
            .map(\.line)
        staysByRoom = Dictionary(grouping: stays, by: \.roomId).mapValues { $0.sorted { $0.stay.checkIn < $1.stay.checkIn } }
    }

    public var last: CalendarDate { first.adding(days: nights - 1) }

    /// The stay holding `room` on `night`, if any.
    public func stay(room: UUID, night: CalendarDate) -> Stay? {
        staysByRoom[room]?.first { $0.stay.contains(night: night) }
    }

    /// The longest plan read at once: a year (a terminal a thousand columns wide gets no more).
    public static let maximumNights = 366
}

// MARK: CSV

/// RFC 4180 text: fields with a comma, quote or line break are quoted, quotes doubled.
///
/// A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab
/// or a carriage return: a guest named `=HYPERLINK(...)`) gets a leading `'`, as OWASP advises
/// against CSV injection; numbers are written as they are, so -5.00 stays a number.
public enum CSV {
    public enum Cell: Hashable, Sendable {
        case text(String)
        case number(String)
    }

    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// A text cell, neutralised and quoted as needed.
    public static func field(_ text: String) -> String {
        let safe = text.unicodeScalars.first.map { formulaStarts.contains(Character($0)) } == true ? "'" + text : text
        return quoted(safe)
    }

    public static func field(_ cell: Cell) -> String {
        switch cell {
        case .text(let text): field(text)
        case .number(let number): quoted(number)
        }
    }

    public static func line(_ cells: [Cell]) -> String { cells.map { field($0) }.joined(separator: ",") }

    /// Every cell as text.
    public static func line(_ fields: [String]) -> String { line(fields.map(Cell.text)) }

    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension DayLists {
    /// A list of bookings as CSV, one booking a line, for `frontdesk report --csv`.
    /// `roomNumber`: the room to show (a past day's lists show the room of that day).
    public static func csv(_ bookings: [Booking], roomNumber: (Booking) -> String = \.roomNumber) -> String {
        let lines = bookings.map { CSV.line(csvCells($0, roomNumber: roomNumber($0))) }
        return ([csvHeader] + lines).joined(separator: "\n") + "\n"
    }

    /// The day's list of `kind` as CSV, for `frontdesk report --csv`, each booking in the room of that day.
    /// The departures and the in-house list also carry the guests who overstayed
    /// (`overdueDepartures`), as the text and `--json` do: a CSV without them hid guests still in
    /// their rooms; the in-house list also the guests due out today still checked in
    /// (`dueOutToday`). A last column, `list`, says which list a line is on (`departures` or
    /// `in-house`, `due-out-today` or `overdue`); the arrivals keep their columns.
    public func csv(_ kind: Kind) -> String {
        guard kind != .arrivals else { return Self.csv(bookings(kind), roomNumber: { roomNumber(of: $0) }) }
        let stillIn: [(Booking, String)] = kind == .inHouse ? dueOutToday.map { ($0, Self.dueOutTodayList) } : []
        let listed: [(Booking, String)] = bookings(kind).map { ($0, kind.rawValue) } + stillIn + overdueDepartures.map { ($0, "overdue") }
        let lines = listed.map { booking, list in
            CSV.line(Self.csvCells(booking, roomNumber: roomNumber(of: booking)) + [CSV.Cell.text(list)])
        }
        return ([Self.csvHeader + ",list"] + lines).joined(separator: "\n") + "\n"
    }

    /// The CSV's `list` of a guest due out today still checked in, on the in-house list.
    public static let dueOutTodayList = "due-out-today"

    static let csvHeader = "confirmationCode,status,room,checkIn,checkOut,guestName,guestEmail,guestPhone,guestCount,totalPrice"

    static func csvCells(_ booking: Booking, roomNumber: String) -> [CSV.Cell] {
        [.text(booking.confirmationCode), .text(booking.status.rawValue), .text(roomNumber), .text(booking.stay.checkIn.iso),
         .text(booking.stay.checkOut.iso), .text(booking.guest.name), .text(booking.guest.email), .text(booking.guest.phone ?? ""),
         .number(String(booking.guestCount)), .number(booking.totalPrice.plain)]
    }
}

extension OccupancyReport {
    /// The answer of `frontdesk occupancy --json` and of the server's occupancy route.
    public var json: JSONValue {
        let summary = self.summary
        return .object((currency.map { [("currency", JSONValue.string($0))] } ?? []) + [
            ("days", .array(days.map { day in
                .object([
                    ("date", .date(day.date)), ("roomsAvailable", .int(day.roomsAvailable)),
                    ("roomsSold", .int(day.roomsSold)), ("occupancy", .decimal(day.occupancy)),
                    ("roomRevenue", .money(day.roomRevenue)), ("adr", .money(day.adr)), ("revpar", .money(day.revpar)),
                ])
            })),
            ("totals", .object([
                ("roomNightsAvailable", .int(summary.roomNightsAvailable)), ("roomNightsSold", .int(summary.roomNightsSold)),
                ("occupancy", .decimal(summary.occupancy)), ("roomRevenue", .money(summary.roomRevenue)),
                ("adr", .money(summary.adr)), ("revpar", .money(summary.revpar)),
            ])),
            ("byRoomType", .array(self.byRoomType.map { type in
                .object([
                    ("roomType", .string(type.name)), ("rooms", .int(type.rooms)),
                    ("roomNightsAvailable", .int(type.roomNightsAvailable)), ("roomNightsSold", .int(type.roomNightsSold)),
                    ("occupancy", .decimal(type.occupancy)), ("roomRevenue", .money(type.roomRevenue)),
                    ("adr", .money(type.adr)), ("revpar", .money(type.revpar)),
                ])
            })),
            ("pickup", .object([("days", .int(OccupancyReport.pickupDays)), ("roomNights", .int(self.pickupRoomNights))])),
            ("today", .object([
                ("arrivals", .int(self.arrivalsToday)), ("departures", .int(self.departuresToday)),
                ("inHouse", .int(self.inHouseToday)),
            ])),
        ])
    }
}
