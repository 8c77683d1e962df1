import Foundation

// The occupancy report put together from what a store reads (FrontDeskStore/ManagerQueries.swift
// on SQLite, FrontDeskPostgres/PostgresReports.swift on PostgreSQL), in one place so that both
// give the same figures from the same data.

extension OccupancyReport {
    /// A room type and its active rooms, as read; `key` is how the sales name the type.
    public struct TypeRooms: Sendable {
        public let key: String
        public let name: String
        public let rooms: Int
        public init(key: String, name: String, rooms: Int) {
            self.key = key
            self.name = name
            self.rooms = rooms
        }
    }

    /// Firm room-nights of one night and room type, and their revenue in cents.
    public struct Sales: Sendable {
        public let night: CalendarDate
        public let typeKey: String
        public let rooms: Int
        public let cents: Int64
        public init(night: CalendarDate, typeKey: String, rooms: Int, cents: Int64) {
            self.night = night
            self.typeKey = typeKey
            self.rooms = rooms
            self.cents = cents
        }
    }

    /// The longest range one report covers.
    public static let maximumDays = 3660

    /// Refuses a range that ends before it starts or is longer than `maximumDays`.
    /// `fromIsBusinessDate`: the start was not given and is the business date (said in the
    /// message, which would otherwise name a start the person never typed).
    public static func checkRange(from: CalendarDate, through to: CalendarDate, fromIsBusinessDate: Bool = false) throws(FrontDeskError) {
        guard from <= to else {
            let start = fromIsBusinessDate ? "the business date \(from), the start when none is given" : "the start date \(from)"
            throw .validationFailed(["The end date \(to) must not be before \(start)"])
        }
        guard from.days(until: to) < maximumDays else { throw .validationFailed(["A report covers at most 10 years"]) }
    }

    /// The report of `from` through `to`: one day a night (every active room available), the
    /// room types in the order given, and the counts of the business date.
    /// `soldOutOfService`: the firm room-nights (among `sales`) of rooms out of service now. Such
    /// a room was in service the nights it was sold, so it counts as available on those nights:
    /// last month's occupancy never passes 100 % because a room went out for repairs today.
    public init(from: CalendarDate, through to: CalendarDate, currency: String? = nil, types: [TypeRooms], sales: [Sales],
                soldOutOfService: [Sales] = [], pickupRoomNights: Int,
                today counts: (arrivals: Int, departures: Int, inHouse: Int)) {
        let available = types.map(\.rooms).reduce(0, +)
        let nightCount = from.days(until: to) + 1
        var byNight: [CalendarDate: (rooms: Int, cents: Int64)] = [:]
        var byType: [String: (rooms: Int, cents: Int64)] = [:]
        for sale in sales {
            byNight[sale.night, default: (0, 0)].rooms += sale.rooms
            byNight[sale.night, default: (0, 0)].cents += sale.cents
            byType[sale.typeKey, default: (0, 0)].rooms += sale.rooms
            byType[sale.typeKey, default: (0, 0)].cents += sale.cents
        }
        var outOfServiceByNight: [CalendarDate: Int] = [:]
        var outOfServiceByType: [String: Int] = [:]
        for sale in soldOutOfService {
            outOfServiceByNight[sale.night, default: 0] += sale.rooms
            outOfServiceByType[sale.typeKey, default: 0] += sale.rooms
        }
        let days = (from.dayNumber...to.dayNumber).map { dayNumber in
            let date = CalendarDate(dayNumber: dayNumber)
            let (rooms, cents) = byNight[date] ?? (0, 0)
            return OccupancyDay(date: date, roomsAvailable: available + (outOfServiceByNight[date] ?? 0), roomsSold: rooms,
                                roomRevenue: Money(minorUnits: cents))
        }
        let typeLines = types.map { type in
            let sold = byType[type.key] ?? (0, 0)
            return RoomTypeOccupancy(name: type.name, rooms: type.rooms,
                                     roomNightsAvailable: type.rooms * nightCount + (outOfServiceByType[type.key] ?? 0),
                                     roomNightsSold: sold.rooms, roomRevenue: Money(minorUnits: sold.cents))
        }
        self.init(days: days, byRoomType: typeLines, pickupRoomNights: pickupRoomNights, arrivalsToday: counts.arrivals,
                  departuresToday: counts.departures, inHouseToday: counts.inHouse)
        self.currency = currency
    }
}

extension DayLists {
    /// The day a checked-out guest left: the business day of the check-out, kept since schema v8
    /// (a guest who checks in and out on the arrival day left that day, though the first night
    /// stays sold); for one checked out before that, the day after the last night the booking
    /// kept, or the arrival day if it kept none. Never before the arrival nor after the stay.
    public static func departure(checkedOutOn: CalendarDate?, lastKeptNight: CalendarDate?, stay: StayDates) -> CalendarDate {
        let day = checkedOutOn ?? lastKeptNight?.adding(days: 1) ?? stay.checkIn
        return min(max(day, stay.checkIn), stay.checkOut)
    }

    /// One booking as the day counts need it: `lastKeptNight` of a checked-out booking, the last
    /// night it kept; `checkedInOn` and `checkedOutOn` the business days of its check-in and out.
    public typealias CountedStay = (status: BookingStatus, stay: StayDates, lastKeptNight: CalendarDate?,
                                    checkedInOn: CalendarDate?, checkedOutOn: CalendarDate?)

    /// How many arrive, leave and stay on `date` among these stays.
    public static func counts(_ stays: [CountedStay], on date: CalendarDate,
                              businessDate: CalendarDate) -> (arrivals: Int, departures: Int, inHouse: Int) {
        var counts = (arrivals: 0, departures: 0, inHouse: 0)
        for entry in stays {
            let departed = entry.status == .checkedOut
                ? departure(checkedOutOn: entry.checkedOutOn, lastKeptNight: entry.lastKeptNight, stay: entry.stay) : nil
            let lists = kinds(status: entry.status, stay: entry.stay, arrived: entry.checkedInOn, departed: departed,
                              on: date, businessDate: businessDate)
            if lists.contains(.arrivals) { counts.arrivals += 1 }
            if lists.contains(.departures) { counts.departures += 1 }
            if lists.contains(.inHouse) { counts.inHouse += 1 }
        }
        return counts
    }
}
