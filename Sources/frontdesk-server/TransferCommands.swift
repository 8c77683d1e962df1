import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore

/// One line of an export (`frontdesk-server export`): the first says what the file is, then the
/// hotel, its room types, rooms, bookings (whole, nights and prices included) and users, each in
/// the sync protocol's shapes (docs/sync-protocol.md). Version 2 adds each booking's held nights
/// (its `claims`) and its `payment`; a version-1 file still imports, its bookings holding every
/// night of their stay and paid at the desk. Version 3 adds the request ids recorded with their
/// outcomes: each booking's `request`, then `changeRequest` and `syncOperation` lines, so a replay
/// after the move gets the first answer (a file before it moves bookings without them), and the
/// hotel line's `feedSequence`, which the imported hotel's change feed goes on from. Version 4
/// ends with an `end` line giving the number of lines before it: a file cut off on the way (a
/// full disk, a copy stopped) is refused whole instead of imported as a smaller hotel.
struct TransferLine: Codable {
    static let format = "frontdesk-hotel"
    static let version = 4
    static let readableVersions = 1...4

    var kind: String
    var format: String?
    var version: Int?
    var hotel: WireHotel?
    /// On the hotel line: the source's change-feed number, which the import's feed goes on from.
    var feedSequence: Int64?
    var roomType: WireRoomType?
    var room: WireRoom?
    var booking: WireBooking?
    /// How the booking on the same line was paid, when its saga recorded it.
    var payment: HotelTransfer.Payment?
    /// The request id the booking on the same line was made under.
    var request: HotelTransfer.BookingRequest?
    var changeRequest: HotelTransfer.RecordedChange?
    var syncOperation: HotelTransfer.RecordedSyncOperation?
    var user: TransferUser?
    /// On the `end` line: how many lines come before it.
    var lines: Int?

    init(kind: String) { self.kind = kind }
}

struct TransferUser: Codable {
    var name: String
    var role: String
    var email: String
    var passwordHash: String
    /// When the user was last disabled (it is enabled now: disabled users are not exported), so
    /// that its tokens from before then stay ended on the server that imports it. Absent when never.
    var disabledAt: String?
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one hotel to standard output as JSON lines: its rooms, bookings with their nights, and its users.",
        discussion: """
            From --db PATH or --database URL; `import` reads it into either. The request ids recorded with their outcomes \
            come along, so a retry after the move gets the first answer. Disabled users are left out; a user enabled again \
            carries when it was last disabled (its tokens from before stay ended). A hotel with a \
            booking whose payment or refund is under way (Reserving, ProcessingPayment, a refund owed) is refused.
            """)
    @OptionGroup var database: DatabaseOption
    @Option(help: "The hotel's id (hotels list).") var hotel: String

    func run() throws {
        guard let id = UUID(uuidString: hotel) else { throw ValidationError("--hotel \(hotel) is not a hotel id") }
        try reporting {
            let chain = try database.openChain(access: .read)
            // The hotel, its bookings and its users as of one instant, although desks may go on
            // booking meanwhile (the hotel's settings with the feed number read after them).
            let storage = chain.hotel(id)
            let (found, transfer, users) = try storage.inOneSnapshot {
                guard let found = try chain.hotels().first(where: { $0.id == id }) else {
                    throw FrontDeskError.notFound("No hotel with id \(id.uuidString.lowercased())")
                }
                return (found, try HotelTransfer.take(found, from: storage),
                        try chain.userAccounts().filter { $0.hotelId == id && !$0.isDisabled })
            }
            if let problem = transfer.problems().first { throw FrontDeskError.invalidState(problem) }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var lines: [TransferLine] = []
            var header = TransferLine(kind: "format")
            (header.format, header.version) = (TransferLine.format, TransferLine.version)
            lines.append(header)
            var hotelLine = TransferLine(kind: "hotel")
            hotelLine.hotel = WireHotel(found)
            hotelLine.feedSequence = transfer.feedSequence
            lines.append(hotelLine)
            for type in transfer.roomTypes {
                var line = TransferLine(kind: "roomType")
                line.roomType = WireRoomType(type)
                lines.append(line)
            }
            for room in transfer.rooms {
                var line = TransferLine(kind: "room")
                line.room = WireRoom(roomId: room.id, roomNumber: room.number, roomTypeId: room.roomTypeId, isActive: room.isActive)
                lines.append(line)
            }
            for booking in transfer.bookings {
                var line = TransferLine(kind: "booking")
                let claims = transfer.claimsHeld(by: booking) ?? []
                line.booking = WireBooking(booking, claims: claims.map { WireClaim(night: $0.night, roomId: $0.roomId) })
                line.payment = transfer.payments[booking.id]
                line.request = transfer.requests.bookings[booking.id]
                lines.append(line)
            }
            for change in transfer.requests.changes {
                var line = TransferLine(kind: "changeRequest")
                line.changeRequest = change
                lines.append(line)
            }
            for pushed in transfer.requests.syncOperations {
                var line = TransferLine(kind: "syncOperation")
                line.syncOperation = pushed
                lines.append(line)
            }
            for account in users {
                var line = TransferLine(kind: "user")
                line.user = TransferUser(name: account.name, role: account.role.rawValue, email: account.email, passwordHash: account.passwordHash,
                                         disabledAt: account.disabledAt.map(InstantText.utc))
                lines.append(line)
            }
            var end = TransferLine(kind: "end")
            end.lines = lines.count
            lines.append(end)
            var output = Data()
            for line in lines {
                output.append(try encoder.encode(line))
                output.append(0x0A)
            }
            do {
                try FileHandle.standardOutput.write(contentsOf: output)
            } catch {
                // A full disk or a closed pipe: said in words (the file is incomplete, and `import`
                // refuses a file without its end line), not a crash with a backtrace.
                throw CommandFailure("the export could not be written to standard output (\(CommandFailure.reason(error))): the file is incomplete")
            }
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Add a hotel written by `export` (read from standard input) to --db PATH or --database URL.",
        discussion: "In one transaction; a hotel, user name or request id already there is refused and nothing is added.")
    @OptionGroup var database: DatabaseOption

    func run() throws {
        let input: Data
        do {
            input = try FileHandle.standardInput.readToEnd() ?? Data()
        } catch {
            throw ValidationError("standard input cannot be read (\(CommandFailure.reason(error))): give it the file `export` wrote (import < hotel.jsonl)")
        }
        let (transfer, users) = try Self.read(input)
        // A refused import into a new file leaves no empty database behind.
        try reporting { try database.removingNewFileOnFailure {
            let chain = try database.openChain()
            // The hotel first: a file imported twice is "the hotel is here already", not its
            // first user's name.
            if try chain.hotels().contains(where: { $0.id == transfer.hotel.id }) {
                throw FrontDeskError.conflict("The hotel \(transfer.hotel.name) (\(transfer.hotel.id.uuidString.lowercased())) is here already; nothing was imported")
            }
            for user in users {
                if try chain.userAccount(named: user.name) != nil {
                    throw FrontDeskError.conflict("A user named \(user.name) exists here already; nothing was imported")
                }
            }
            // The hotel and its users in one transaction: a user that cannot be added (a name
            // taken meanwhile, or one no account can have) leaves nothing half imported.
            if let postgres = chain as? PostgresChainStorage {
                try postgres.importHotel(transfer, users: users, by: "frontdesk-server")
            } else if let sqlite = chain as? FrontDeskStore {
                try sqlite.importHotel(transfer, users: users, by: "frontdesk-server")
            }
            print("Hotel \(transfer.hotel.name) imported: \(transfer.hotel.id.uuidString.lowercased()), \(transfer.roomTypes.count) room types, "
                  + "\(transfer.rooms.count) rooms, \(transfer.bookings.count) bookings, \(users.count) users")
        } }
    }

    static let notAnExport = "standard input is not a Front Desk hotel export (write it with `frontdesk-server export`)"

    /// What a JSON decoder found wrong, in words: no Swift type or coding-key dump.
    static func decodingProblem(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _)?: "no \(key.stringValue)"
        case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?:
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        // An unknown value of a known field (a payment method) is corrupted data with a path;
        // text that is not JSON has none.
        case .dataCorrupted(let context)? where !context.codingPath.isEmpty:
            "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has a value an export does not have"
        case .dataCorrupted?: "not JSON"
        default: "not an export line"
        }
    }

    /// Far beyond any feed (a billion changes a day for thousands of years), far below Int64's end.
    static let largestFeedSequence: Int64 = 1 << 60

    /// The hotel and its users from an export's lines; a line that does not read is named.
    static func read(_ data: Data) throws -> (HotelTransfer, [UserAccount]) {
        let decoder = JSONDecoder()
        var hotel: Hotel?
        var types: [RoomType] = [], rooms: [Room] = [], bookings: [Booking] = [], users: [UserAccount] = []
        var roomNumbers: [UUID: String] = [:]
        var carriesClaims = false, carriesRequests = false
        var claims: [UUID: [HotelTransfer.HeldNight]] = [:], payments: [UUID: HotelTransfer.Payment] = [:]
        // Each room-night once in the whole file, each night once in a booking: said by line here,
        // not as the database's UNIQUE error, nor (two rooms on one night) taken silently.
        var roomNightsHeld: [HotelTransfer.HeldNight: String] = [:]
        // Each request id and operation once: a replay must find one answer.
        var requests = HotelTransfer.Requests()
        var feedSequence: Int64?
        var requestIds = Set<UUID>(), changeIds = Set<UUID>(), operationIds = Set<String>(), operationSeqs = Set<Int64>()
        var carriesEnd = false, endLine: Int?
        // Each id, code, type name and room number once: said by line, not as the database's
        // UNIQUE error at the end (two bookings of one id said "room night outside its booking").
        var typeIds = Set<UUID>(), typeNames = Set<String>(), roomIds = Set<UUID>(), numbers = Set<String>()
        var bookingIds = Set<UUID>(), codes = Set<String>()
        var typeOfRoom: [UUID: RoomType] = [:]
        // The hotel's business date as the import runs, read at its first booking.
        var businessDate: CalendarDate?
        for (index, text) in data.split(separator: 0x0A).enumerated() {
            let number = index + 1
            do {
                if let endLine { throw ValidationError("line \(number) comes after the end line (line \(endLine)); nothing was imported") }
                let line: TransferLine
                do {
                    line = try decoder.decode(TransferLine.self, from: text)
                } catch {
                    if number > 1, carriesEnd, text.last != 0x7D, data.last != 0x0A, text.endIndex == data.endIndex {
                        // The last line, cut in the middle (no closing brace, no line end): a
                        // copy or a download that stopped, not a line someone wrote wrong.
                        throw ValidationError("the file ends in the middle of line \(number), without its end line: it was cut off; "
                            + "export the hotel again; nothing was imported")
                    }
                    throw ValidationError(number == 1 ? Self.notAnExport : "line \(number) is not a line of an export (\(Self.decodingProblem(error))); nothing was imported")
                }
                if number == 1 {
                    guard line.kind == "format", line.format == TransferLine.format,
                          let version = line.version, TransferLine.readableVersions.contains(version) else {
                        throw ValidationError("standard input is not a Front Desk hotel export (version \(TransferLine.readableVersions.lowerBound) to \(TransferLine.version))")
                    }
                    carriesClaims = version >= 2
                    carriesRequests = version >= 3
                    carriesEnd = version >= 4
                    continue
                }
                if line.kind == "end" {
                    guard carriesEnd, line.lines == number - 1 else {
                        throw ValidationError("line \(number): the end line says \(line.lines.map(String.init) ?? "no") lines before it, and \(number - 1) came; nothing was imported")
                    }
                    endLine = number
                    continue
                }
                // What version 3 added, in an older file, was not written by `export`: refused, not guessed at.
                if !carriesRequests && (line.request != nil || line.feedSequence != nil || ["changeRequest", "syncOperation"].contains(line.kind)) {
                    throw ValidationError("line \(number): request ids and feedSequence come in version 3 files only; this file says an older version")
                }
                switch (line.kind, hotel) {
                case ("hotel", nil):
                    guard let wire = line.hotel else { throw ValidationError("line \(number): a hotel line without its hotel") }
                    hotel = try ImportRules.hotel(wire)
                    // The import numbers its entry after it: a number near Int64's end would overflow.
                    if let sequence = line.feedSequence, sequence < 0 || sequence > Self.largestFeedSequence {
                        throw ValidationError("line \(number): feedSequence \(sequence) is not a change-feed number (0 to \(Self.largestFeedSequence))")
                    }
                    feedSequence = line.feedSequence
                case (_, nil):
                    throw ValidationError("line \(number): the hotel must come before its \(String(line.kind.prefix(40)))s")
                case ("roomType", let hotel?):
                    guard let wire = line.roomType else { throw ValidationError("line \(number): no roomType") }
                    let type = try ImportRules.roomType(try wire.roomType(hotelId: hotel.id))
                    guard typeIds.insert(type.id).inserted, typeNames.insert(type.name.trimmingCharacters(in: .whitespaces).lowercased()).inserted else {
                        throw ValidationError("line \(number): room type \(BookingRules.quoted(String(type.name.prefix(40)))) comes twice (its id or its name)")
                    }
                    types.append(type)
                case ("room", let hotel?):
                    guard let wire = line.room, let id = UUID(uuidString: wire.roomId), let type = UUID(uuidString: wire.roomTypeId) else {
                        throw ValidationError("line \(number): a room needs roomId and roomTypeId")
                    }
                    guard roomIds.insert(id).inserted, numbers.insert((try? Room.validNumber(wire.roomNumber)) ?? wire.roomNumber).inserted else {
                        throw ValidationError("line \(number): room \(BookingRules.quoted(String(wire.roomNumber.prefix(40)))) comes twice (its id or its number)")
                    }
                    rooms.append(try ImportRules.room(Room(id: id, hotelId: hotel.id, roomTypeId: type, number: wire.roomNumber,
                                                           isActive: wire.isActive), types: types))
                    typeOfRoom[id] = types.first { $0.id == type }
                    roomNumbers[id] = wire.roomNumber
                case ("booking", let hotel?):
                    guard let wire = line.booking, case let booking = try wire.booking(), booking.hotelId == hotel.id else {
                        throw ValidationError("line \(number): a booking of this hotel")
                    }
                    guard bookingIds.insert(booking.id).inserted, codes.insert(ConfirmationCode.normalized(booking.confirmationCode) ?? booking.confirmationCode.uppercased()).inserted else {
                        throw ValidationError("line \(number): booking \(BookingRules.quoted(String(booking.confirmationCode.prefix(40)))) comes twice (its id or its code)")
                    }
                    // A stay not over sleeps no more than its room's type (the capacity rule never
                    // lets a type sleep fewer than a booking still to come); one over may have more.
                    if [.reserving, .processingPayment, .confirmed, .checkedIn].contains(booking.status),
                       let type = typeOfRoom[booking.roomId], booking.guestCount > type.capacity {
                        throw ValidationError("line \(number): booking \(BookingRules.quoted(String(booking.confirmationCode.prefix(40)))) is for "
                            + "\(booking.guestCount) guests in room \(BookingRules.quoted(String(booking.roomNumber.prefix(40)))), whose type "
                            + "\(BookingRules.quoted(String(type.name.prefix(40)))) sleeps \(type.capacity)")
                    }
                    // A guest in house or gone of a stay not yet begun (the hotel's date now, in its zone).
                    let today = businessDate ?? hotel.businessDate(at: Date())
                    businessDate = today
                    if let problem = ImportRules.stayNotBegun(booking, businessDate: today) {
                        throw ValidationError("line \(number): booking \(BookingRules.quoted(String(booking.confirmationCode.prefix(40)))) \(problem)")
                    }
                    var held: [HotelTransfer.HeldNight] = []
                    var nightsOfBooking = Set<CalendarDate>()
                    for claim in wire.claims {
                        // Its own room, or (a stay split by a move) another room of the hotel before
                        // the night it moved.
                        guard let night = CalendarDate(iso: claim.night), let room = UUID(uuidString: claim.roomId),
                              booking.stay.nights.contains(night),
                              room == booking.roomId || (rooms.contains { $0.id == room } && booking.roomSince.map { night < $0 } == true) else {
                            throw ValidationError("line \(number): booking \(booking.confirmationCode) holds \(claim.night) in a room or on a night outside its stay")
                        }
                        guard nightsOfBooking.insert(night).inserted else {
                            throw ValidationError("line \(number): booking \(booking.confirmationCode) holds \(claim.night) twice")
                        }
                        let claimed = HotelTransfer.HeldNight(night: night, roomId: room)
                        if let other = roomNightsHeld.updateValue(booking.confirmationCode, forKey: claimed) {
                            throw ValidationError("line \(number): booking \(booking.confirmationCode) holds \(claim.night) in a room that booking \(other) holds that night")
                        }
                        held.append(claimed)
                    }
                    try ImportRules.booking(booking, roomNumbers: roomNumbers, claimed: carriesClaims ? held : nil)
                    if let request = line.request {
                        guard requestIds.insert(request.id).inserted else {
                            throw ValidationError("line \(number): request id \(request.id.uuidString.lowercased()) made another booking already")
                        }
                        requests.bookings[booking.id] = request
                    }
                    bookings.append(booking)
                    claims[booking.id] = held
                    payments[booking.id] = line.payment
                case ("changeRequest", _):
                    guard let change = line.changeRequest else { throw ValidationError("line \(number): a changeRequest line without its changeRequest") }
                    guard claims[change.bookingId] != nil else {
                        throw ValidationError("line \(number): request \(change.requestId.uuidString.lowercased()) changed booking \(change.bookingId.uuidString.lowercased()), which comes on no line before it")
                    }
                    guard changeIds.insert(change.requestId).inserted else {
                        throw ValidationError("line \(number): request id \(change.requestId.uuidString.lowercased()) comes twice")
                    }
                    requests.changes.append(change)
                case ("syncOperation", _):
                    guard let pushed = line.syncOperation else { throw ValidationError("line \(number): a syncOperation line without its syncOperation") }
                    guard operationIds.insert(pushed.operationId).inserted, operationSeqs.insert(pushed.seq).inserted else {
                        throw ValidationError("line \(number): operation \(pushed.operationId) (seq \(pushed.seq)) comes twice")
                    }
                    requests.syncOperations.append(pushed)
                case ("user", let hotel?):
                    guard let user = line.user, let role = UserRole(rawValue: user.role) else { throw ValidationError("line \(number): a user with a role") }
                    try ImportRules.user(name: user.name, role: role, passwordHash: user.passwordHash)
                    let disabledAt = try user.disabledAt.map { text in
                        guard let instant = InstantText.instant(text) else {
                            throw ValidationError("line \(number): disabledAt \(BookingRules.quoted(String(text.prefix(40)))) is not an instant such as 2026-12-06T17:00:00.000Z")
                        }
                        return instant
                    }
                    users.append(UserAccount(name: user.name, role: role, email: user.email, hotelId: role == .admin ? nil : hotel.id,
                                             passwordHash: user.passwordHash, isDisabled: false, disabledAt: disabledAt))
                default:
                    throw ValidationError("line \(number): \(BookingRules.quoted(String(line.kind.prefix(40)))) is not a kind of line an export has")
                }
            } catch let error as ValidationError {
                throw error
            } catch let error as FrontDeskError {
                throw ValidationError("line \(number): \(error.message)")
            } catch {
                throw ValidationError("line \(number) does not read: \(error)")
            }
        }
        guard let hotel else { throw ValidationError("standard input holds no hotel (write it with `frontdesk-server export`)") }
        if carriesEnd && endLine == nil {
            throw ValidationError("the file ends without its end line: it was cut off after \(data.split(separator: 0x0A).count) lines (a full disk, a copy stopped); nothing was imported, export it again")
        }
        // Names differ by more than case (`users add` refuses "ANNA" beside "anna"): refused here,
        // before anything is written, so an import adds all of the file or none of it.
        var names = Set<String>()
        for user in users where !names.insert(user.name.lowercased()).inserted {
            throw ValidationError("the export names user \(user.name) twice; nothing was imported")
        }
        return (HotelTransfer(hotel: hotel, roomTypes: types, rooms: rooms, bookings: bookings,
                              claims: carriesClaims ? claims : nil, payments: payments, requests: requests,
                              feedSequence: feedSequence), users)
    }
}
