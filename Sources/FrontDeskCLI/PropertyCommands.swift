import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore

struct Rooms: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rooms",
        abstract: "List and change rooms.",
        subcommands: [List.self, Add.self, Rename.self, Activate.self, Deactivate.self],
        defaultSubcommand: List.self)

    static func result(_ listings: [RoomListing], text: String) -> Output.Result {
        Output.Result(json: .object([("rooms", .array(listings.map(\.json)))]), text: text)
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List rooms.")
        @OptionGroup var common: CommonOptions
        func run() throws {
            try common.run { store in
                let listings = try store.rooms()
                var table = TextTable(headers: ["Room", "Type", "Sleeps", "Active"], rightAligned: [2])
                table.rows = listings.map { [$0.room.number, $0.type.name, String($0.type.capacity), $0.room.isActive ? "yes" : "no"] }
                return Rooms.result(listings, text: listings.isEmpty ? "No rooms yet." : table.safeRendered)
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a room.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The new room's number.") var number: String
        @Option(help: "Its room type, by name.") var type: String
        func run() throws {
            try common.run { store in
                let listing = try store.addRoom(number: number, typeName: type, by: common.userName)
                return Rooms.result([listing], text: "Room \(listing.room.number) (\(Output.safe(listing.type.name))) added")
            }
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rename", abstract: "Give a room a new number.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The room's number now.") var number: String
        @Argument(help: "Its new number.") var newNumber: String
        func run() throws {
            try common.run { store in
                let listing = try store.renameRoom(number, to: newNumber, by: common.userName)
                return Rooms.result([listing], text: "Room \(number) is now \(listing.room.number)")
            }
        }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "activate", abstract: "Put a room back in service.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Room number.") var number: String
        func run() throws {
            try common.run { store in
                let listing = try store.activateRoom(number, by: common.userName)
                return Rooms.result([listing], text: "Room \(listing.room.number) is in service")
            }
        }
    }

    struct Deactivate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "deactivate", abstract: "Take a room out of service.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Room number.") var number: String
        func run() throws {
            try common.run { store in
                let listing = try store.deactivateRoom(number, by: common.userName)
                return Rooms.result([listing], text: "Room \(listing.room.number) is out of service")
            }
        }
    }
}

struct RoomTypes: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "room-types", abstract: "List, add and change room types.",
        subcommands: [List.self, Add.self, Change.self], defaultSubcommand: List.self)

    static func result(_ types: [RoomType], text: String) -> Output.Result {
        Output.Result(json: .object([("roomTypes", .array(types.map(\.json)))]), text: text)
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List room types.")
        @OptionGroup var common: CommonOptions
        func run() throws {
            try common.run { store in
                let types = try store.roomTypes()
                var table = TextTable(headers: ["Type", "Sleeps", "Base price"], rightAligned: [1, 2])
                table.rows = types.map { [$0.name, String($0.capacity), $0.basePricePerNight.plain] }
                return RoomTypes.result(types, text: types.isEmpty ? "No room types yet." : table.safeRendered)
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add a room type.")
        @OptionGroup var common: CommonOptions
        @Option(help: "Its name, e.g. Double.") var name: String
        @Option(help: "How many guests it sleeps, 1 to 10.") var capacity: Int
        @Option(help: "Base price per night, e.g. 129.00.") var price: String
        func run() throws {
            try common.run { store in
                let typed = try RoomType.parse(name: name, capacity: String(capacity), basePrice: price)
                let type = try store.addRoomType(name: typed.name, capacity: typed.capacity, basePrice: typed.basePrice, by: common.userName)
                return RoomTypes.result([type], text: "Room type \(type.name) added")
            }
        }
    }

    struct Change: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "change", abstract: "Change a room type's name, capacity or base price (bookings made keep their prices).")
        @OptionGroup var common: CommonOptions
        @Argument(help: "The type's name as it is now, e.g. Double.") var type: String
        @Option(help: "A new name.") var name: String?
        @Option(help: "How many guests it sleeps, 1 to 10.") var capacity: String?
        @Option(help: "Base price per night for new bookings, e.g. 139.00.") var price: String?
        func run() throws {
            try common.run { store in
                let change = try RoomTypeChange(typedName: name, capacity: capacity, basePrice: price)
                guard !change.isEmpty else {
                    throw FrontDeskError.validationFailed(["Nothing to change: give --name, --capacity or --price"])
                }
                let old = try RoomType.named(type, in: try store.roomTypes())
                let changed = try store.changeRoomType(id: old.id, change, by: common.userName)
                return RoomTypes.result([changed], text: RoomTypeChange.auditSummary(from: old, to: changed) ?? "Room type \(changed.name) is already so: nothing changed")
            }
        }
    }
}

struct HotelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotel", abstract: "Show or set up the desk's hotel.",
        subcommands: [ShowHotel.self, Create.self, Configure.self], defaultSubcommand: ShowHotel.self)

    static func result(_ hotel: Hotel, businessDate: CalendarDate) -> Output.Result {
        Output.Result(
            json: hotel.jsonWithSettings.adding([("businessDate", .date(businessDate)),
                                                 ("timeZoneKnown", .bool(hotel.unknownTimeZoneWarning == nil))]),
            text: "\(Output.safe(hotel.name))  (\(Output.safe(hotel.timeZoneIdentifier)), \(hotel.currency))  business date \(businessDate)"
                + "\n  holds last \(hotel.holdMinutes) minutes; no-shows from \(hotel.noShowPolicy.cutoffText), fee \(hotel.noShowPolicy.fee.rawValue)"
                + (hotel.unknownTimeZoneWarning.map { "\n  ! \($0)" } ?? ""))
    }

    struct ShowHotel: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the hotel.")
        @OptionGroup var common: CommonOptions
        func run() throws {
            try common.run { store in
                guard let hotel = try store.hotel() else {
                    throw FrontDeskError.notFound("No hotel is set up in this database (run `frontdesk demo` first)")
                }
                return HotelCommand.result(hotel, businessDate: try store.businessDate())
            }
        }
    }

    struct Configure: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "configure", abstract: "Change the hotel's settings.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The hotel's new name.") var name: String?
        @Option(name: .customLong("hold-minutes"), help: "How long an unpaid hold keeps its room (default 15).")
        var holdMinutes: Int?
        @Option(name: .customLong("no-show-cutoff"), help: "From this hour (HH:00 from 06:00 to 23:00, hotel time) an arrival who has not come may be marked a no-show on the arrival day (default 18:00).")
        var noShowCutoff: String?
        @Option(name: .customLong("no-show-fee"), help: "first_night (the first night stays charged, the default) or none.")
        var noShowFee: String?
        func run() throws {
            try common.run { store in
                guard name != nil || holdMinutes != nil || noShowCutoff != nil || noShowFee != nil else {
                    throw FrontDeskError.validationFailed(["Nothing to change: give --name, --hold-minutes, --no-show-cutoff or --no-show-fee"])
                }
                let change = try HotelSettingsChange(name: name, holdMinutes: holdMinutes, typedCutoff: noShowCutoff, typedFee: noShowFee)
                let hotel = try store.configureHotel(change, by: common.userName)
                return HotelCommand.result(hotel, businessDate: try store.businessDate())
            }
        }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Set up an empty database's hotel.")
        @OptionGroup var common: CommonOptions
        @Option(help: "The hotel's name.") var name: String
        @Option(name: .customLong("time-zone"), help: "IANA time zone, e.g. Europe/Vienna.") var timeZone: String
        @Option(help: "ISO currency code, e.g. EUR.") var currency: String
        func run() throws {
            try common.run { store in
                let hotel = try store.createHotel(name: name, timeZone: timeZone, currency: currency, by: common.userName)
                return HotelCommand.result(hotel, businessDate: try store.businessDate())
            }
        }
    }
}
