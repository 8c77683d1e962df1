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
    public static func checkRange(from: CalendarDate, through to: CalendarDate) throws(FrontDeskError) {
        guard from <= to else { throw .validationFailed(["The end date must not be before the start date"]) }
        guard from.days(until: to) < maximumDays else { throw .validationFailed(["A report covers at most 10 years"]) }
    }

    /// The report of `from` through `to`: one day a night (every active room available), the
    /// room types in the order given, and the counts of the business date.
    /// `soldOutOfService`: the firm room-nights (among `sales`) of rooms out of service now. Such
    /// a room was in service the nights it was sold, so it counts as available on those nights:
    /// last month's occupancy never passes 100 % because a room went out for repairs today.
    public init(from: CalendarDate, through to: CalendarDate, types: [TypeRooms], sales: [Sales],
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
    }
}

extension DayLists {
    /// The day a checked-out guest left: the day after the last night the booking kept, or the
    /// arrival day if it kept none.
    public static func departure(lastKeptNight: CalendarDate?, checkIn: CalendarDate) -> CalendarDate {
        lastKeptNight?.adding(days: 1) ?? checkIn
    }

    /// How many arrive, leave and stay on `date` among these stays (`lastKeptNight`: of a
    /// checked-out booking, the last night it kept).
    public static func counts(_ stays: [(status: BookingStatus, stay: StayDates, lastKeptNight: CalendarDate?)], on date: CalendarDate,
                              businessDate: CalendarDate) -> (arrivals: Int, departures: Int, inHouse: Int) {
        var counts = (arrivals: 0, departures: 0, inHouse: 0)
        for entry in stays {
            let departed = entry.status == .checkedOut ? departure(lastKeptNight: entry.lastKeptNight, checkIn: entry.stay.checkIn) : nil
            let lists = kinds(status: entry.status, stay: entry.stay, departed: departed, on: date, businessDate: businessDate)
            if lists.contains(.arrivals) { counts.arrivals += 1 }
            if lists.contains(.departures) { counts.departures += 1 }
            if lists.contains(.inHouse) { counts.inHouse += 1 }
        }
        return counts
    }
}
