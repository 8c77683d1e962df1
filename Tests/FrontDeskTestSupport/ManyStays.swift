import Foundation
import FrontDeskDomain
import FrontDeskStore

/// A guest family that has stayed often: 300 past stays under one surname, then one recent past
/// stay, a guest in house, today's arrival and a stay to come, all under the same surname.
public struct ManyStays {
    public let todaysArrival: Booking
    public let inHouse: Booking
    public let upcoming: Booking
    public let recentPast: Booking
    public static let surname = "Okonkwo"
    public static let total = 304

    public init(_ desk: StoreFixture) throws {
        let clock = desk.clock
        let year = CalendarDate(iso: "2025-11-01")!
        let past = try FrontDeskStore(path: desk.store.path, clock: { clock.now }, businessDate: year)
        let rooms = ["101", "102", "103", "104", "201", "202", "301"]
        for index in 0..<300 {
            let checkIn = year.adding(days: index / rooms.count)
            let form = desk.form(room: rooms[index % rooms.count], from: checkIn.iso, to: checkIn.adding(days: 1).iso,
                                 guests: "1", name: "Guest\(index) \(Self.surname)")
            _ = try past.confirm(try past.reserve(form, by: "setup").confirmationCode, by: "setup")
        }
        let lastWeek = try FrontDeskStore(path: desk.store.path, clock: { clock.now }, businessDate: CalendarDate(iso: "2026-11-20")!)
        recentPast = try lastWeek.confirm(try lastWeek.reserve(desk.form(room: "104", from: "2026-11-20", to: "2026-11-22",
                                                                        name: "Ada \(Self.surname)"), by: "setup").confirmationCode, by: "setup")
        let twoDaysAgo = try FrontDeskStore(path: desk.store.path, clock: { clock.now }, businessDate: CalendarDate(iso: "2026-11-24")!)
        let staying = try twoDaysAgo.confirm(try twoDaysAgo.reserve(desk.form(room: "102", from: "2026-11-24", to: "2026-11-28",
                                                                              name: "Bea \(Self.surname)"), by: "setup").confirmationCode, by: "setup")
        inHouse = try twoDaysAgo.checkIn(staying.confirmationCode, by: "setup")
        upcoming = try desk.store.confirm(try desk.store.reserve(desk.form(room: "103", from: "2026-12-10", to: "2026-12-12",
                                                                            name: "Cy \(Self.surname)"), by: "setup").confirmationCode, by: "setup")
        todaysArrival = try desk.store.confirm(try desk.store.reserve(desk.form(room: "101", from: StoreFixture.today.iso, to: "2026-11-27",
                                                                                 name: "Dee \(Self.surname)"), by: "setup").confirmationCode, by: "setup")
    }
}
