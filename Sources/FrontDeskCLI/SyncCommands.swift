import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskHTTP
import FrontDeskScreens
import FrontDeskStore
import FrontDeskSync
import FrontDeskTerminal
import Synchronization

// Offline desks (issue 12): connecting a desk to a booking server, syncing, conflicts, and the
// writes of a connected desk (pushed at once; queued when the server does not answer).

struct DeskConnect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connect", abstract: "Connect this desk to a booking server and take its hotel's replica.",
        discussion: "The password is read from one line of standard input (--password-stdin); it is never stored.")
    @OptionGroup var common: CommonOptions
    @Option(help: "The booking server, e.g. http://127.0.0.1:8080.") var server: String
    @Option(help: "The hotel's id on the server.") var hotel: String
    @Option(help: "Your user name on the server.") var username: String
    @Flag(name: .customLong("password-stdin"), help: "Read the password from one line of standard input.") var passwordStdin = false

    func run() throws {
        do {
            var problems: [String] = []
            var address = ""
            do { address = try SyncClient.serverAddress(server) } catch { problems.append(error.message) }
            guard let hotelId = UUID(uuidString: hotel.trimmingWhitespace()) else {
                throw FrontDeskError.validationFailed(problems + ["--hotel \(BookingRules.quoted(hotel)) is not a hotel id (a UUID)"])
            }
            if username.trimmingWhitespace().isEmpty { problems.append("--username is required") }
            if !passwordStdin { problems.append("--password-stdin is required: the password is read from standard input, never from the command line") }
            if !problems.isEmpty { throw FrontDeskError.validationFailed(problems) }
            let password = SecretInput.readLine(prompt: "Password: ") ?? ""
            if password.isEmpty { throw FrontDeskError.validationFailed(["--password-stdin read no password"]) }
            var client = SyncClient(server: address, hotelId: hotelId.uuidString.lowercased(), token: nil,
                                    exchange: NetworkHelperExchange.shared)
            let login = try client.login(username: username.trimmingWhitespace(), password: password)
            client.token = login.token
            let newFile = NewDatabaseFile(path: common.databasePath)
            let store = try common.openStore()
            try store.refuseABookingServersFile()
            let report: DeskSync.ReplicaReport
            do {
                let sync = DeskSync(store: store, client: client)
                if let status = try store.replicaStatus(), status.hotelId == hotelId, status.server == address {
                    // Connecting again (a new credential): the replica and its outbox stay; it catches up.
                    report = try sync.catchUp()
                } else {
                    let progress = ProgressLine(label: "Taking the replica")
                    defer { progress.finish() }
                    report = try sync.takeReplica(progress: progress.show)
                }
                // Inside: a credential that cannot be kept leaves no new replica behind that no
                // command could sync ("no credential").
                try ConnectionFile.save(Connection(server: address, hotelId: hotelId.uuidString.lowercased(),
                                                   username: username.trimmingWhitespace(), token: login.token,
                                                   expiresAt: login.expiresAt, database: common.absoluteDatabasePath))
            } catch {
                // A database this command created and could not fill is not left behind.
                if !newFile.existed {
                    try? store.close()
                    newFile.removeIfMadeHere()
                }
                throw error
            }
            // What waits, said here: a booking made offline whose room the server sold meanwhile
            // is refused as the replica catches up, and went unmentioned.
            let after = try? store.replicaStatus()
            try? store.close()
            let conflicts = after?.openConflicts ?? 0, pending = after?.pendingOperations ?? 0
            let json = JSONValue.object([("server", .string(address)), ("hotelId", .string(hotelId.uuidString.lowercased())),
                                         ("hotel", .string(report.hotelName)), ("bookings", .int(report.bookings)),
                                         ("cursor", .int(Int(report.cursor))), ("conflicts", .int(conflicts)), ("pendingOps", .int(pending)),
                                         ("resent", .array(report.resent.map(JSONValue.string))),
                                         ("changesLost", .array(report.changesLost.map(JSONValue.string)))])
            if common.json {
                Output.printJSON(json)
            } else {
                // Each line escaped on its own (the server's words may hold anything), then joined.
                var lines = ["Connected to \(address): \(report.hotelName), \(report.bookings) booking\(report.bookings == 1 ? "" : "s") in the replica."]
                if !report.resent.isEmpty {
                    lines.append("The server no longer had \(report.resent.count.counted("booking")) of this desk (its data went back to an "
                        + "older copy): each is sent to it again, made a conflict where it sold the room meanwhile, or kept here "
                        + "(see `frontdesk audit`): " + report.resent.listedBriefly())
                }
                if !report.changesLost.isEmpty {
                    lines.append("The server had lost changes to \(report.changesLost.count.counted("booking")) (its data went back to an "
                        + "older copy): each is now as the server has it; make a change again if it still stands, and do not collect "
                        + "or repay its money twice (each booking's history says what it was): " + report.changesLost.listedBriefly())
                }
                if conflicts > 0 {
                    lines.append("\(conflicts) conflict\(conflicts == 1 ? "" : "s") to resolve: changes of this desk the server refused "
                        + "(see `frontdesk conflicts`).")
                }
                if pending > 0 { lines.append("\(pending) operation\(pending == 1 ? "" : "s") still to push (`frontdesk sync`).") }
                print(lines.map(Output.safe).joined(separator: "\n"))
            }
        } catch {
            throw Output.report(error, json: common.json)
        }
    }
}

struct DeskDisconnect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disconnect", abstract: "Forget the server: the database stays, as a standalone desk.")
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.run { store in
            let status = try store.replicaStatus()
            try store.forgetReplica()
            if let connection = try? ConnectionFile.load(), connection.database == common.absoluteDatabasePath {
                ConnectionFile.remove()
            }
            let pending = status?.pendingOperations ?? 0
            var text = status == nil ? "This desk was not connected." : "Disconnected from \(status!.server); this desk is standalone now."
            // They stay in the outbox: `desk connect` pushes them (it said "never pushed", and then did).
            if pending > 0 {
                text += "\n\(pending) operation\(pending == 1 ? " is" : "s are") not pushed yet; kept here, "
                    + "\(pending == 1 ? "it goes" : "they go") to the server when this desk connects again (`frontdesk desk connect`)."
            }
            return Output.Result(json: .object([("disconnected", .bool(status != nil)), ("unpushed", .int(pending))]), text: text)
        }
    }
}

struct DeskStatus: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "The desk's connection: server, online, pending operations, conflicts.")
    @OptionGroup var common: CommonOptions

    func run() throws {
        try common.run { store in
            guard let status = try store.replicaStatus() else {
                return Output.Result(json: .object([("server", .null), ("hotelId", .null), ("online", .bool(false)), ("pendingOps", .int(0)),
                                                    ("lastSync", .null), ("conflicts", .int(0)),
                                                    ("lastError", .null), ("credentialProblem", .null), ("reconnectNeeded", .null)]),
                                     text: "Standalone desk (not connected to a server).")
            }
            let desk = ConnectedDesk(store: store, common: common, status: status)
            let answers = desk.client.answersAsFrontDesk()
            let online = answers == true
            let lastSync = status.lastSyncAt.map(InstantText.utc)
            // Answering is not syncing: the server is asked with the desk's credential what changed
            // since its replica (what a sync asks first; nothing is written), so a credential the
            // server refuses (a password or signing secret changed) or a server whose data went
            // back is said here as the open desk's status line says it, not "online".
            var refusal: SyncFailure?
            if online, desk.credentialProblem == nil {
                do { _ = try desk.client.changes(since: status.cursor) } catch let failure as SyncFailure {
                    if failure.kind == .unauthorized || failure.kind == .replicaTooOld { refusal = failure }
                } catch {}
            }
            // (The server's refusal says already what to do.)
            let credentialProblem = desk.credentialProblem ?? refusal.flatMap { $0.kind == .unauthorized ? $0.message : nil }
            let reconnect = refusal.flatMap { $0.kind == .replicaTooOld ? $0.message : nil }
            let state = answers == false ? "answering, but not as a Front Desk server: is it the right address?"
                : !online ? "offline: not answering"
                : credentialProblem != nil ? "answering, but this desk cannot sync: see Credential"
                : reconnect != nil ? "answering, but this desk must connect again: see Replica" : "online"
            var lines = [
                "Server     \(status.server) (\(state))",
                "Hotel      \(status.hotelId.uuidString.lowercased())",
                "Pending    \(status.pendingOperations) operation\(status.pendingOperations == 1 ? "" : "s") to push",
                "Last sync  \(lastSync ?? "never")",
                "Conflicts  \(status.openConflicts)",
            ]
            if let error = status.lastError { lines.append("Last error \(error)") }
            if let problem = credentialProblem { lines.append("Credential \(problem)") }
            if let reconnect { lines.append("Replica    \(reconnect)") }
            return Output.Result(json: .object([
                ("server", .string(status.server)), ("hotelId", .string(status.hotelId.uuidString.lowercased())), ("online", .bool(online)),
                ("pendingOps", .int(status.pendingOperations)), ("lastSync", .optional(lastSync)), ("conflicts", .int(status.openConflicts)),
                // What the text says too: a script must not read "online" as "can sync".
                ("lastError", .optional(status.lastError)), ("credentialProblem", .optional(credentialProblem)),
                ("reconnectNeeded", .optional(reconnect)),
            ]), text: lines.joined(separator: "\n"))
        }
    }
}

struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync", abstract: "Push the desk's queued operations to the server, then pull its changes.",
        discussion: "Exits 0 when everything was pushed and the pull finished; 8, with the reason, when operations remain queued "
            + "or the server could not be reached (offline, the credential refused).")
    @OptionGroup var common: CommonOptions
    @Option(help: "Push at most this many operations per request (1 to \(SyncWire.maximumPushOperations); default \(SyncWire.maximumPushOperations)).")
    var batch: Int?

    func run() throws {
        var failure: SyncFailure?
        var pending = 0
        try common.run { store in
            if let batch, !(1...SyncWire.maximumPushOperations).contains(batch) {
                throw FrontDeskError.validationFailed(["--batch is 1 to \(SyncWire.maximumPushOperations)"])
            }
            guard let status = try store.replicaStatus() else {
                throw FrontDeskError.invalidState("This desk is not connected to a server (frontdesk desk connect)")
            }
            let desk = ConnectedDesk(store: store, common: common, status: status)
            var report: DeskSync.SyncReport
            if let problem = desk.credentialProblem {
                report = DeskSync.SyncReport(push: DeskSync.PushReport())
                report.failure = SyncFailure(.unauthorized, problem)
                report.cursor = status.cursor
                report.pending = status.pendingOperations
                try store.recordSyncAttempt(error: problem)
            } else {
                let sync = DeskSync(store: store, client: desk.client)
                if let batch { sync.pushBatchSize = batch }
                report = try sync.sync()
            }
            for change in report.push.codeChanges { ConnectedDesk.tellCodeChange(old: change.old, new: change.new) }
            var standardError = FileHandle.standardError
            for line in ConnectedDesk.refusalLines(report.push.refused, store: store) {
                print(Output.safe("conflict: \(line)"), to: &standardError)
            }
            if !report.push.refused.isEmpty {
                print("Settle \(report.push.refused.count == 1 ? "it" : "them") with `frontdesk conflicts` (or the desk's Conflicts screen).",
                      to: &standardError)
            }
            failure = report.failure
            pending = report.pending
            let push = report.push
            let json = JSONValue.object([
                ("pushed", .int(push.pushed)), ("accepted", .int(push.accepted)), ("conflicts", .int(push.conflicts + push.rejected)),
                ("refusedCancelledHere", .int(push.refusedCancelledHere)),
                ("pulled", .int(report.pulled)), ("cursor", .int(Int(report.cursor))), ("pending", .int(report.pending)),
                ("codeChanges", .array(push.codeChanges.map { change in
                    .object([("bookingId", .string(change.bookingId)), ("old", .string(change.old)), ("new", .string(change.new))])
                })),
                ("failure", report.failure.map { JSONValue.object([("code", .string($0.code)), ("message", .string($0.message))]) } ?? .null),
            ])
            // Every operation pushed is counted: one refused for a booking cancelled here needs nobody.
            let settledHere = push.refusedCancelledHere == 0 ? ""
                : ", \(push.refusedCancelledHere) refused for bookings cancelled here: nothing to settle"
            let text = "Pushed \(push.pushed) (\(push.accepted) accepted, \(push.conflicts + push.rejected) conflict\(push.conflicts + push.rejected == 1 ? "" : "s")\(settledHere)), "
                + "pulled \(report.pulled) booking\(report.pulled == 1 ? "" : "s"); \(report.pending) operation\(report.pending == 1 ? "" : "s") left to push."
            return Output.Result(json: json, text: text)
        }
        var standardError = FileHandle.standardError
        if pending > 0 {
            let reason = failure?.message ?? "the server did not take them"
            print("error: \(pending) operation\(pending == 1 ? "" : "s") left to push: \(Output.safe(reason))", to: &standardError)
            throw CommandFailure(exitCode: Output.syncIncompleteExitCode)
        } else if let failure {
            // Nothing is queued, but the desk's copy of the server's bookings may be stale (rooms
            // the server sold shown as free): a script must see it as the failure it is.
            print("error: nothing left to push, but the pull did not finish: \(Output.safe(failure.message))", to: &standardError)
            throw CommandFailure(exitCode: Output.syncIncompleteExitCode)
        }
    }
}

extension Conflicts {
    /// The flags of `conflicts resolve` that fit the listed conflicts (it offered --move-to and
    /// --cancel for a guest in house whose only way out is --keep-server); when they do not all
    /// fit every one, where each one's are.
    static func resolveLine(_ conflicts: [SyncConflict]) -> String {
        let flags: [(resolution: String, flag: String)] = [("moveTo", "--move-to ROOM"), ("cancel", "--cancel"),
                                                             ("keepServer", "--keep-server"), ("reapply", "--reapply")]
        let offered = Set(conflicts.flatMap(\.resolutions))
        let shown = flags.filter { offered.contains($0.resolution) }.map(\.flag)
        guard !shown.isEmpty else { return "Nothing to resolve here: the server's version stands." }
        let same = Set(conflicts.map { Set($0.resolutions) }).count == 1
        return "Resolve one: frontdesk conflicts resolve ID " + shown.joined(separator: " | ")
            + (same ? "" : " (not every one fits every conflict: `conflicts --json` lists each one's resolutions)")
    }
}

struct Conflicts: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts", abstract: "Bookings made offline that the server refused, for a receptionist to resolve.",
        subcommands: [ConflictsResolve.self])
    @OptionGroup var common: CommonOptions
    @Flag(help: "Resolved conflicts too.") var all = false

    func run() throws {
        try common.run { store in
            let conflicts = try store.syncConflicts(includeResolved: all)
            var table = TextTable(headers: ["Conflict", "Code", "Reason", "Guest", "Arrive", "Depart", "Room", "Free instead"])
            table.rows = conflicts.map { conflict in
                [String(conflict.conflictId.prefix(8)), conflict.booking.confirmationCode, conflict.reason,
                 conflict.booking.guest.name, conflict.booking.stay.checkIn.iso, conflict.booking.stay.checkOut.iso,
                 conflict.booking.roomNumber, conflict.suggestedRooms.prefix(4).map(\.roomNumber).joined(separator: " ")]
            }
            return Output.Result(json: .object([("conflicts", .array(conflicts.map(Self.json)))]),
                                 text: conflicts.isEmpty ? "No conflicts." : table.safeRendered + "\n\n" + Self.resolveLine(conflicts)
                                    + conflicts.filter(\.guestInHouseWithoutBooking).map { "\n\n" + $0.guestInHouseAdvice }.joined())
        }
    }

    static func json(_ conflict: SyncConflict) -> JSONValue {
        .object([
            ("conflictId", .string(conflict.conflictId)),
            ("bookingId", .string(conflict.booking.id.uuidString.lowercased())),
            ("confirmation", .string(conflict.booking.confirmationCode)),
            ("reason", .string(conflict.reason)),
            ("message", .optional(conflict.message)),
            ("guestName", .string(conflict.booking.guest.name)),
            ("checkIn", .date(conflict.booking.stay.checkIn)),
            ("checkOut", .date(conflict.booking.stay.checkOut)),
            ("roomNumber", .string(conflict.booking.roomNumber)),
            // Added with --keep-server / --reapply: what was refused, and which resolutions fit it.
            ("refusedChange", .optional(conflict.refusedKind?.rawValue)),
            ("onServer", .bool(conflict.onServer)),
            ("resolutions", .array(conflict.resolutions.map { .string($0) })),
            ("guestInHouseWithoutBooking", .bool(conflict.guestInHouseWithoutBooking)),
            ("suggestedRooms", .array(conflict.suggestedRooms.map { room in
                .object([("roomId", .string(room.roomId)), ("roomNumber", .string(room.roomNumber)), ("roomType", .string(room.roomType)),
                         ("totalPrice", .money(Money(minorUnits: room.totalPriceCents)))])
            })),
        ])
    }
}

struct ConflictsResolve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve", abstract: "Resolve a conflict: move the guest, cancel, keep the server's version, or re-apply.",
        discussion: """
            A move queues a new booking for the other room (same booking id and code), or, for a booking the server \
            has whose room change was refused, a new room change (to the room the server has it in: it stays there); \
            it is pushed at once if the server answers. A stay lengthened here whose added nights the server had sold \
            moves with --move-to ROOM too: the booking becomes the server's version, moves to ROOM, and is lengthened \
            again there (this asks the server for the booking, as --reapply does). \
            A refused change to a booking the server has (a no-show, an undone check-in or check-out, an edit, a \
            check-in, check-out or cancel) is resolved with --keep-server (the booking becomes the server's version; \
            this desk's change, and those made after it, are dropped) or --reapply (the booking becomes the server's \
            version and this desk's changes are made again on it, checked as new, and pushed). Both ask the server for \
            the booking, so they need it to answer; nothing is changed when it does not. \
            Exits 6 (conflict) when the server refuses the resolution again: the booking is printed, the refusal is \
            said on stderr, and `frontdesk conflicts` lists the new conflict.
            """)
    @OptionGroup var common: CommonOptions
    @Argument(help: "The conflict's id (or the first characters of it, or the booking's confirmation code).") var id: String
    @Option(name: .customLong("move-to"), help: "The room number to move the guest to.") var moveTo: String?
    @Flag(help: "Cancel the booking (refunding what it paid).") var cancel = false
    @Flag(name: .customLong("keep-server"), help: "Keep the booking as the server has it; drop this desk's refused change.")
    var keepServer = false
    @Flag(help: "Make this desk's refused change again on the server's version of the booking, and push it.") var reapply = false

    func run() throws {
        // The server refused the resolution's push again: a new conflict of the booking.
        var refusedAgain = false
        try common.run { store in
            if [moveTo != nil, cancel, keepServer, reapply].filter({ $0 }).count != 1 {
                throw FrontDeskError.validationFailed(["Give exactly one of --move-to ROOM_NUMBER, --cancel, --keep-server and --reapply"])
            }
            let open = try store.syncConflicts(includeResolved: false)
            let wanted = id.trimmingWhitespace().lowercased()
            let matches = open.filter {
                $0.conflictId.lowercased().hasPrefix(wanted) || $0.booking.confirmationCode.lowercased() == wanted
            }
            guard !wanted.isEmpty, let conflict = matches.first else {
                throw FrontDeskError.notFound("No open conflict \(BookingRules.quoted(id)) (frontdesk conflicts lists them)")
            }
            if matches.count > 1 { throw FrontDeskError.validationFailed(["\(BookingRules.quoted(id)) names \(matches.count) conflicts; give more of the id"]) }
            if conflict.guestInHouseWithoutBooking && !keepServer {
                // A move, cancel or re-applied check-in of a cancelled booking settles nothing.
                throw FrontDeskError.invalidState(conflict.guestInHouseAdvice + ". Nothing was changed")
            }
            // What the resolution recorded (a refund at the desk, money to collect again) is said.
            let lastBefore = Output.lastAuditEntry(store, conflict.booking.id.uuidString)
            defer { Output.sayRecorded(store, conflict.booking.id.uuidString, since: lastBefore) }
            if let moveTo, !conflict.movesWithTheServersVersion {
                _ = try store.resolveConflict(conflict.conflictId, moveTo: moveTo, by: common.userName)
            } else if keepServer || reapply || moveTo != nil {
                guard let desk = try ConnectedDesk.open(store, common: common) else {
                    throw FrontDeskError.invalidState("This desk is not connected to a server: there is no server version to keep or re-apply on")
                }
                let flag = keepServer ? "--keep-server" : reapply ? "--reapply" : "--move-to"
                let server = try desk.serverCopy(of: conflict.booking, for: flag)
                if let moveTo {
                    // A lengthened stay whose added nights were sold: moved, then lengthened again there.
                    _ = try store.resolveConflict(conflict.conflictId, reapplyingOn: server, movingTo: moveTo, by: common.userName)
                } else if keepServer {
                    _ = try store.resolveConflict(conflict.conflictId, keepingServer: server, by: common.userName)
                } else {
                    _ = try store.resolveConflict(conflict.conflictId, reapplyingOn: server, by: common.userName)
                }
            } else {
                _ = try store.resolveConflict(conflict.conflictId, cancelBy: common.userName)
            }
            // Push at once when the server answers; else it waits in the outbox for `frontdesk sync`.
            var note = ""
            if let status = try store.replicaStatus() {
                let desk = ConnectedDesk(store: store, common: common, status: status)
                if desk.credentialProblem == nil {
                    // A conflict of this booking open after the push and not before it is the
                    // server's refusal of this resolution (another operation pushed with it may be
                    // refused too: that one is not this command's failure).
                    let openBefore = try Set(store.syncConflicts(includeResolved: false).map(\.conflictId))
                    let report = try DeskSync(store: store, client: desk.client).sync()
                    for change in report.push.codeChanges { ConnectedDesk.tellCodeChange(old: change.old, new: change.new) }
                    // Why, as `sync` says it (also with --json, whose document is the booking).
                    var standardError = FileHandle.standardError
                    for line in ConnectedDesk.refusalLines(report.push.refused, store: store) {
                        print(Output.safe("conflict: \(line)"), to: &standardError)
                    }
                    refusedAgain = try store.syncConflicts(includeResolved: false).contains {
                        !openBefore.contains($0.conflictId) && $0.booking.id == conflict.booking.id
                    }
                    let othersRefused = report.push.conflicts + report.push.rejected > 0
                    if refusedAgain { note = "\nThe server refused it again: see `frontdesk conflicts`." }
                    else if let failure = report.failure { note = "\nNot synced yet (\(failure.message)); `frontdesk sync` pushes it." }
                    else if othersRefused { note = "\nThe server refused another change pushed with it: see `frontdesk conflicts`." }
                }
            }
            let booking = try store.booking(conflict.booking.id.uuidString)
            let json = ConnectedDesk.json(booking, store: store)
            return Output.Result(json: json, text: Output.bookingText(booking, currency: try store.hotel()?.currency ?? "") + note)
        }
        // Resolved here, refused there: the booking is a conflict again, as a script must see.
        if refusedAgain { throw CommandFailure(exitCode: Output.exitCode(forCode: "conflict")) }
    }
}

// MARK: A connected desk's writes

extension CommonOptions {
    /// The database's path, absolute (the connection file names it).
    var absoluteDatabasePath: String {
        let path = databasePath
        if path.hasPrefix("/") { return (path as NSString).standardizingPath }
        return ((FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path) as NSString).standardizingPath
    }
}

/// A desk whose database is a replica: its server and credential.
struct ConnectedDesk {
    let store: FrontDeskStore
    let client: SyncClient
    /// Why pushing cannot be tried (no credential for this database, or it expired); nil when it can.
    let credentialProblem: String?
    /// The full-screen desk says nothing on stderr (it would land on the screen); it logs instead.
    var tell: @Sendable (String) -> Void = { line in
        var standardError = FileHandle.standardError
        print(Output.safe(line), to: &standardError)
    }

    init(store: FrontDeskStore, common: CommonOptions, status: ReplicaStatus) {
        self.store = store
        let hotelId = status.hotelId.uuidString.lowercased()
        var unreadable: String?
        let connection: Connection?
        do {
            connection = try ConnectionFile.load()
        } catch {
            // Said as it is: a damaged file is not "for another database or gone".
            (connection, unreadable) = (nil, "\(error)")
        }
        let usable = connection.flatMap { $0.hotelId.lowercased() == hotelId && $0.database == common.absoluteDatabasePath ? $0 : nil }
        client = SyncClient(server: status.server, hotelId: hotelId, token: usable?.token, exchange: NetworkHelperExchange.shared)
        if let unreadable {
            credentialProblem = "this desk has no usable credential for \(status.server): \(unreadable) (queued operations are kept)"
        } else if usable == nil {
            credentialProblem = "this desk has no credential for \(status.server) (\(ConnectionFile.path()) is for another database or gone); run `frontdesk desk connect` again (queued operations are kept)"
        } else if usable!.hasExpired() {
            credentialProblem = "the desk's credential for \(status.server) expired at \(usable!.expiresAt); run `frontdesk desk connect` again (queued operations are kept)"
        } else {
            credentialProblem = nil
        }
    }

    /// The booking as the server has it now, for a conflict's --keep-server or --reapply (`what`):
    /// without a credential or an answer, a refusal that says nothing was changed.
    func serverCopy(of booking: Booking, for what: String) throws -> WireBooking {
        let why = "\(what) needs booking \(booking.confirmationCode) as the server has it now"
        if let credentialProblem { throw SyncFailure(.unauthorized, "\(why), but \(credentialProblem). Nothing was changed") }
        let found: WireBooking?
        do {
            found = try client.serverBooking(booking.id)
        } catch {
            // `serverBooking` throws only `SyncFailure`.
            throw SyncFailure(error.kind, "\(why): \(error.message). Nothing was changed; try again when the server answers")
        }
        guard let found else {
            throw FrontDeskError.notFound("The server has no booking \(booking.confirmationCode) (\(booking.id.uuidString.lowercased())): resolve the conflict with --cancel")
        }
        return found
    }

    /// The desk for this store when it is a replica; nil on a standalone desk.
    static func open(_ store: FrontDeskStore, common: CommonOptions) throws -> ConnectedDesk? {
        guard let status = try store.replicaStatus() else { return nil }
        return ConnectedDesk(store: store, common: common, status: status)
    }

    /// A write on a connected desk: pushed at once; accepted, the server's booking (in the
    /// replica now); refused, the server's code and message, nothing written here; no answer,
    /// `local` writes it here with the same operation id (queued in the same transaction).
    /// `accepted` keeps the request id with the server's booking here (see `replayed`).
    func write(_ operation: SyncOperation, accepted: (Booking) throws -> Void = { _ in }, local: () throws -> Booking) throws -> Booking {
        var reason = credentialProblem
        if reason == nil, try hasWaitingOperations(operation.bookingId) {
            // Its earlier changes did not reach the server (`pushingWaitingOperations`): this one
            // goes behind them, so the server applies them in the order they were made.
            reason = "booking \(operation.bookingId) has earlier changes still waiting for the server"
        }
        if reason == nil {
            do {
                let outcome = try DeskSync(store: store, client: client).pushNow(operation)
                switch outcome.outcome {
                case .accepted:
                    if outcome.confirmationChanged == true, let new = outcome.booking?.confirmation {
                        tell(Self.codeChangeNote(old: operation.book?.confirmation ?? "", new: new))
                    }
                    let booking = try store.booking(outcome.booking?.bookingId ?? operation.bookingId)
                    // The server has the change: a desk that cannot note its request id here answers
                    // a retry of it from the server instead (the same operation id, its first answer).
                    try? accepted(booking)
                    return booking
                case .conflict, .rejected:
                    throw ServerRefusal(outcome)
                case .retry:
                    reason = "the server \(client.server) is busy"
                }
            } catch let failure as SyncFailure where failure.kind == .offline || failure.kind == .unauthorized {
                reason = failure.message
            }
        }
        // The server may have applied the push and lost its answer: the outbox gets the very
        // operation pushed, so pushing it again gets the server's first answer.
        let booking = try store.queueingAsPushed(operation, local)
        if try store.bookingIdOfQueuedOperation(operation.operationId) == nil {
            // A change that changed nothing queues nothing: there is nothing to sync.
            tell("note: nothing changed; \(reason ?? "the server does not answer")")
        } else {
            tell("note: \(reason ?? "the server does not answer"); saved on this desk, it will sync (frontdesk sync)")
        }
        return booking
    }

    /// A booking with changes of its own still queued here (made offline) goes after them: the
    /// outbox is pushed first, so the server applies them in the order made and the new change
    /// is planned on the booking as the server then has it, based on its version. Pushed before,
    /// a check-out of a guest whose check-in waited was refused ("it is Confirmed"), and a cancel
    /// went through while the note made before it came back as a conflict.
    /// Returns the reference to plan the change by: the booking's id once its operations were
    /// pushed, as the server may have given it another confirmation code (the code typed then
    /// named no booking, and the change was refused as not found).
    private func pushingWaitingOperations(of reference: String) -> String {
        guard credentialProblem == nil, let booking = try? store.booking(reference),
              (try? hasWaitingOperations(booking.id.uuidString)) == true else { return reference }
        let report = try? DeskSync(store: store, client: client).push()
        if let codes = report?.codeChanges { for change in codes { tell(Self.codeChangeNote(old: change.old, new: change.new)) } }
        return booking.id.uuidString
    }

    private func hasWaitingOperations(_ bookingId: String) throws -> Bool {
        guard let id = UUID(uuidString: bookingId) else { return false }
        return try store.syncStates(of: [id])[id] == "pending"
    }

    /// `book` on a connected desk: the operation planned from the replica (its booking id and
    /// code made here), pushed; offline, reserved here with the same ids and queued.
    func book(_ form: BookingForm, requestId: UUID?, payment: PaymentInstruction, by user: String) throws -> Booking {
        let operationId = requestId ?? UUID.timeOrdered(at: store.now)
        let request = ReservationRequest(form: form, requestId: operationId, payment: payment, user: user)
        // Other details under a request id this desk has a booking for are refused here.
        let operation: SyncOperation
        do {
            operation = try store.plannedBooking(request, operationId: operationId)
        } catch let refusal as FrontDeskError {
            if let requestId, let earlier = try bookedBefore(request, requestId: requestId, refusal) { return earlier }
            throw refusal
        }
        if requestId != nil, let earlier = try store.booking(madeUnder: operationId) { return earlier }
        return try write(operation, accepted: { try store.recordAcceptedBooking(request, bookingId: $0.id) }) {
            // One request in one transaction; on a replica the store queues it as `operationId` (its request id).
            // Paid at the desk it is confirmed in the same transaction, as the server confirms it
            // online: a one-shot command leaves no runner behind, and a hold left Reserving lapsed
            // after 15 minutes while its `book` waited in the outbox (the room sold again here).
            try store.reserveAll([ReservationRequest(form: form, requestId: operationId, payment: payment, user: user,
                                                     bookingId: UUID(uuidString: operation.bookingId),
                                                     confirmationCode: operation.book?.confirmation,
                                                     confirmsDeskPaymentAtOnce: payment.method == .desk)])[0].get()
        }
    }

    /// A booking retried under its request id that the server took at its first push while this
    /// desk never kept the answer, the booking since brought here by a pull: the plan refuses its
    /// room as taken, by that very booking. As for a change (`answeredBefore`), the server is asked,
    /// read only, what it recorded under the id; the same request (planned again from the replica
    /// with that booking's nights set aside) it accepted gets that first answer, kept here from now
    /// on. Anything else leaves the refusal standing; nothing is pushed.
    /// `requestId`: the caller's (`--request-id`); a booking without one is new, never a retry.
    private func bookedBefore(_ request: ReservationRequest, requestId: UUID, _ refusal: FrontDeskError) throws -> Booking? {
        guard credentialProblem == nil, case .roomUnavailable = refusal,
              let recorded = try? client.recordedOperation(requestId.uuidString.lowercased()), recorded.answer.outcome == .accepted,
              let madeBefore = recorded.answer.booking.flatMap({ UUID(uuidString: $0.bookingId) }),
              let operation = try? store.plannedBooking(request, operationId: requestId, settingAside: madeBefore),
              operation.isRetry(ofFingerprint: recorded.fingerprint)
        else { return nil }
        try DeskSync(store: store, client: client).keepAnswer(recorded.answer)
        let booking = try store.booking(madeBefore.uuidString)
        try? store.recordAcceptedBooking(request, bookingId: booking.id)
        return booking
    }

    /// `cancel`, `check-in`, `check-out` on a connected desk.
    func change(_ kind: SyncOperation.Kind, _ reference: String, reason: String?, by user: String) throws -> Booking {
        try change(kind, reference, reason: reason, ChangeRequest(user: user, channel: .commandLine))
    }

    /// `request.requestId`, when given, is the operation id (as for the reservation changes).
    func change(_ kind: SyncOperation.Kind, _ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        let intent = try Self.intent(kind, reason: reason, by: request.user)
        if let intent, let earlier = try replayed(reference, request, intent) { return earlier }
        let operationId = request.requestId ?? UUID.timeOrdered(at: store.now)
        let user = request.user
        let reference = pushingWaitingOperations(of: reference)
        let operation: SyncOperation
        do {
            operation = try store.plannedChange(kind, reference: reference, reason: reason, by: user, operationId: operationId,
                                                expectedVersion: request.expectedVersion)
        } catch let refusal as FrontDeskError {
            if let earlier = try answeredBefore(kind, reference, reason: reason, request, intent, refusal) { return earlier }
            throw refusal
        }
        return try write(operation, accepted: accepted(request, intent)) {
            switch kind {
            case .cancel: try store.cancel(reference, reason: reason, request, operationId: operationId)
            case .checkIn: try store.checkIn(reference, request, operationId: operationId)
            case .checkOut: try store.checkOut(reference, request, operationId: operationId)
            case .book: throw FrontDeskError.invalidState("a booking is made with book")
            case .move: throw FrontDeskError.invalidState("a room change is made with move")
            case .noShow, .undoCheckIn, .undoCheckOut, .undoNoShow, .edit:
                try reservationChangeHere(kind, reference, reason: reason, ChangeRequest(user: user), operationId: operationId)
            }
        }
    }

    /// `no-show`, `undo-check-in`, `undo-check-out`, `undo-no-show` on a connected desk: planned from the replica
    /// (the booking's status and, with --expected-version, its version checked here), pushed at
    /// once; with no answer, made here and queued. `request.requestId` is the operation id.
    func changeReservation(_ kind: SyncOperation.Kind, _ reference: String, reason: String?, _ request: ChangeRequest) throws -> Booking {
        let intent = try Self.intent(kind, reason: reason, by: request.user)
        if let intent, let earlier = try replayed(reference, request, intent) { return earlier }
        let operationId = request.requestId ?? UUID.timeOrdered(at: store.now)
        let reference = pushingWaitingOperations(of: reference)
        let operation: SyncOperation
        do {
            operation = try store.plannedChange(kind, reference: reference, reason: reason, by: request.user, operationId: operationId,
                                                expectedVersion: request.expectedVersion)
        } catch let refusal as FrontDeskError {
            if let earlier = try answeredBefore(kind, reference, reason: reason, request, intent, refusal) { return earlier }
            throw refusal
        }
        return try write(operation, accepted: accepted(request, intent)) {
            // The undo's reason as planned (the default worded once), so both copies say the same.
            try reservationChangeHere(kind, reference, reason: operation.reason, request, operationId: operationId)
        }
    }

    /// `change` on a connected desk: planned from the replica (the fields, the room's capacity, the
    /// version), pushed at once; with no answer, made here (the replica's own check of new nights)
    /// and queued. `request.requestId` is the operation id.
    func edit(_ reference: String, _ edit: BookingEdit, _ request: ChangeRequest) throws -> Booking {
        if let earlier = try replayed(reference, request, .change(edit)) { return earlier }
        let operationId = request.requestId ?? UUID.timeOrdered(at: store.now)
        let reference = pushingWaitingOperations(of: reference)
        let operation = try store.plannedEdit(reference, edit, expectedVersion: request.expectedVersion, by: request.user,
                                              operationId: operationId)
        return try write(operation, accepted: accepted(request, .change(edit))) {
            try store.changeBooking(reference, edit, request, operationId: operationId)
        }
    }

    /// A change retried under a request id this desk took before, made here or accepted by the
    /// server: the booking as this desk has it, with nothing planned or pushed again (the
    /// standalone desk's and the server's answer). Checked before the plan, which would refuse a
    /// check-in of a guest the first request checked in already.
    private func replayed(_ reference: String, _ request: ChangeRequest, _ intent: ChangeIntent) throws -> Booking? {
        guard let requestId = request.requestId else { return nil }
        return try store.replayedChange(reference, requestId: requestId, intent)
    }

    /// A change retried under its request id that the server took at its first push while this
    /// desk never kept the answer (stopped between the server's commit and its own record), the
    /// replica since brought up to date by a pull: the plan refuses it as done already (the guest
    /// is checked in; the version moved on). The server is asked, read only, what it recorded
    /// under the id: the same operation as first pushed (made again from the replica) it accepted
    /// gets that first answer, kept here from now on. Anything else (nothing recorded, another
    /// operation, a refusal, no answer) leaves the plan's refusal standing; nothing is pushed.
    private func answeredBefore(_ kind: SyncOperation.Kind, _ reference: String, reason: String?, _ request: ChangeRequest,
                                _ intent: ChangeIntent?, _ refusal: FrontDeskError) throws -> Booking? {
        guard let requestId = request.requestId, credentialProblem == nil else { return nil }
        switch refusal {
        case .invalidState, .staleVersion: break
        default: return nil
        }
        guard let operation = try? store.operationAsFirstPushed(kind, reference: reference, reason: reason, by: request.user,
                                                                 operationId: requestId),
              let recorded = try? client.recordedOperation(operation.operationId),
              operation.isRetry(ofFingerprint: recorded.fingerprint), recorded.answer.outcome == .accepted
        else { return nil }
        try DeskSync(store: store, client: client).keepAnswer(recorded.answer)
        let booking = try store.booking(operation.bookingId)
        try? accepted(request, intent)(booking)
        return booking
    }

    private func accepted(_ request: ChangeRequest, _ intent: ChangeIntent?) -> (Booking) throws -> Void {
        { booking in
            if let requestId = request.requestId, let intent {
                try store.recordAcceptedChange(requestId: requestId, bookingId: booking.id, intent)
            }
        }
    }

    /// The intent a change of `kind` is kept under, as the store keeps it when the change is made
    /// here; an undo's reason as `plannedChange` words it. nil for the kinds with their own command.
    static func intent(_ kind: SyncOperation.Kind, reason: String?, by user: String) throws -> ChangeIntent? {
        switch kind {
        case .cancel: .cancel(reason: reason)
        case .checkIn: .checkIn
        case .checkOut: .checkOut
        case .noShow: .noShow
        case .undoCheckIn: .undoCheckIn(reason: try BookingRules.undoReason(reason, "Check-in", channel: .desk, by: user))
        case .undoCheckOut: .undoCheckOut(reason: try BookingRules.undoReason(reason, "Check-out", channel: .desk, by: user))
        case .undoNoShow: .undoNoShow(reason: try BookingRules.undoReason(reason, "No-show", channel: .desk, by: user))
        case .book, .move, .edit: nil
        }
    }

    private func reservationChangeHere(_ kind: SyncOperation.Kind, _ reference: String, reason: String?, _ request: ChangeRequest,
                                       operationId: UUID) throws -> Booking {
        switch kind {
        case .noShow: try store.markNoShow(reference, request, operationId: operationId)
        case .undoCheckIn: try store.undoCheckIn(reference, reason: reason, request, operationId: operationId)
        case .undoCheckOut: try store.undoCheckOut(reference, reason: reason, request, operationId: operationId)
        case .undoNoShow: try store.undoNoShow(reference, reason: reason, request, operationId: operationId)
        default: throw FrontDeskError.invalidState("\(kind.rawValue) is not a reservation change")
        }
    }

    /// `move` on a connected desk: planned from the replica (the room, the version), pushed at
    /// once; with no answer, moved here (the replica's own check of the room) and queued.
    /// `request.requestId` is the operation id; `request.expectedVersion` is checked against the
    /// booking as this desk has it.
    func move(_ reference: String, toRoom room: String, reason: String?, reprice: Bool, _ request: ChangeRequest) throws -> Booking {
        let intent = ChangeIntent.move(toRoom: room, reason: reason, reprice: reprice)
        if let earlier = try replayed(reference, request, intent) { return earlier }
        let operationId = request.requestId ?? UUID.timeOrdered(at: store.now)
        let reference = pushingWaitingOperations(of: reference)
        let operation = try store.plannedMove(reference, toRoom: room, reason: reason, reprice: reprice,
                                              expectedVersion: request.expectedVersion, by: request.user, operationId: operationId)
        return try write(operation, accepted: accepted(request, intent)) {
            try store.move(reference, toRoom: room, reason: reason, reprice: reprice, request, operationId: operationId)
        }
    }

    /// A card booking on a connected desk: online only, through the server's own booking API
    /// (`POST /api/bookings`), whose saga charges the card through its payment service; the desk
    /// never queues it (no card is charged offline, nor twice). The server makes the booking's id
    /// and code; the replica follows through the change feed. `wait`: pulled until the payment is
    /// settled (Confirmed, or Failed with the reason). The card number goes into the request's
    /// body and nowhere else: not the outbox, the replica, the audit trail or a log line.
    /// `requestId` is the idempotency key: the same one again returns the first booking.
    func bookCard(_ form: BookingForm, requestId: UUID?, cardNumber: String, wait: Bool, by user: String) throws -> Booking {
        if let problem = credentialProblem {
            throw ServerRefusal(code: "card_offline",
                                message: "A card is charged by the server, and this desk cannot use it now (\(problem)). Nothing was booked or charged. Take the payment at the desk or try again once connected")
        }
        let key = requestId ?? UUID.timeOrdered(at: store.now)
        let details = try cardBookingDetails(form, operationId: key, by: user)
        let created: SyncClient.CreatedBooking
        do {
            created = try client.createBooking(details, cardNumber: cardNumber, idempotencyKey: key.uuidString.lowercased())
        } catch {
            switch error.kind {
            case .notMade:
                throw ServerRefusal(code: "card_offline",
                                    message: "\(error.message): a card cannot be charged offline (no card is charged twice). Nothing was booked or charged. Take the payment at the desk or try again when the server answers")
            case .unknown:
                throw ServerRefusal(code: "outcome_unknown", message: Self.unknownOutcome(error.message, requestId: key, guest: details.guestName))
            case .unauthorized:
                throw ServerRefusal(code: "unauthorized", message: "\(error.message). Nothing was booked or charged")
            case .refused(let code):
                throw ServerRefusal(code: code == "precondition_failed" ? "stale_version" : code, message: error.message)
            }
        }
        // The booking as the server has it: pulled into the replica now, and again while its
        // payment runs when the command waits for it.
        let sync = DeskSync(store: store, client: client)
        let deadline = Date().addingTimeInterval(wait ? Self.cardWaitSeconds : 0)
        var lastFailure: SyncFailure?
        while true {
            do {
                _ = try sync.pull()
                lastFailure = nil
            } catch let failure as SyncFailure {
                lastFailure = failure
            }
            let booking = try? store.booking(created.bookingId)
            if let booking, !wait || ![BookingStatus.reserving, .processingPayment].contains(booking.status) { return booking }
            if Date() >= deadline {
                if let booking {
                    tell("note: the server is still taking the card payment of \(booking.confirmationCode); `frontdesk show \(booking.confirmationCode)` shows how it ends")
                    return booking
                }
                let reason = lastFailure?.message ?? "the change feed did not bring it yet"
                throw ServerRefusal(code: "outcome_unknown",
                                    message: "The server took booking \(created.confirmation) (\(created.bookingId)) and is charging the card, but this desk could not fetch it (\(reason)). Do not book it again: `frontdesk sync` brings it, then `frontdesk show \(created.confirmation)`")
            }
            Thread.sleep(forTimeInterval: 0.2)
        }
    }

    /// How long `book --payment card --wait` follows the server's payment (its payment service
    /// retries with backoff; a slow card answers within a minute).
    static let cardWaitSeconds: Double = 90

    /// What a card booking sends, checked against the replica first (the room, the dates, the
    /// guest; a clear message for each problem). A room the replica has taken is still the
    /// server's to refuse: online the server decides (and a retry with the same request id
    /// finds its first booking holding those nights in the replica).
    func cardBookingDetails(_ form: BookingForm, operationId: UUID, by user: String) throws -> SyncOperation.NewBooking {
        do {
            let planned = try store.plannedBooking(ReservationRequest(form: form, requestId: operationId, payment: .desk, user: user),
                                                   operationId: operationId)
            if let details = planned.book { return details }
        } catch FrontDeskError.roomUnavailable {
            // Falls through: the server decides.
        }
        let number = form.roomNumber.trimmingWhitespace()
        guard let room = try store.rooms().first(where: { $0.room.number.lowercased() == number.lowercased() }) else {
            throw FrontDeskError.notFound("No room \(BookingRules.quoted(number))")
        }
        let phone = form.phone.trimmingWhitespace()
        return SyncOperation.NewBooking(roomId: room.room.id.uuidString.lowercased(), roomNumber: room.room.number,
                                        checkIn: form.checkIn.trimmingWhitespace(), checkOut: form.checkOut.trimmingWhitespace(),
                                        guests: Int(form.guests.trimmingWhitespace()) ?? 0, guestName: form.guestName.trimmingWhitespace(),
                                        email: form.email.trimmingWhitespace(), phone: phone.isEmpty ? nil : phone,
                                        confirmation: "", payment: PaymentMethod.card.rawValue, totalCents: 0)
    }

    /// `unknownOutcome` for the full-screen desk, whose form asks again under the same request.
    static func unknownOutcomeOnTheScreen() -> String {
        "No answer from the server after the card booking was sent: it may have been made and the card charged. "
            + "Press Enter to ask again: the server returns that booking if it was made and charges nothing twice"
    }

    /// The words for a card booking whose answer was lost: it may exist and be charged.
    static func unknownOutcome(_ why: String, requestId: UUID, guest: String) -> String {
        "\(why) after the card booking was sent: it may have been made and the card charged. Do not book it again under a new request: "
            + "check first (`frontdesk sync`, then `frontdesk bookings --guest \"\(guest)\"`), or repeat the same command with "
            + "--request-id \(requestId.uuidString.lowercased()) (the server then returns the first booking and charges nothing twice)"
    }

    /// Says a changed confirmation code to the receptionist, on stderr.
    static func tellCodeChange(old: String, new: String) {
        var standardError = FileHandle.standardError
        print(Output.safe(codeChangeNote(old: old, new: new)), to: &standardError)
    }

    static func codeChangeNote(old: String, new: String) -> String {
        "note: confirmation code changed by the server: \(old) is now \(new) (tell the guest)"
    }

    /// The full-screen desk's link to the server: its writes, and a sync round for its sync thread.
    /// `reopen` reads the desk's connection again: while the server refuses the credential (it
    /// expired, or the secret changed) or does not answer (it moved to another address), each
    /// round looks for a new one, so `frontdesk desk connect` in another terminal is taken up by an
    /// open desk without a restart.
    func link(user: String, log: @escaping @Sendable (String) -> Void,
              reopen: (@Sendable () -> ConnectedDesk?)? = nil) -> ConnectedDeskLink {
        var desk = self
        desk.tell = log
        let current = Mutex(desk)
        let signInNeeded = Mutex(false)
        let wasOffline = Mutex(false)
        let latest: @Sendable () -> ConnectedDesk = { current.withLock { $0 } }
        return ConnectedDeskLink(
            book: { form, payment, requestId in
                if payment.method == .card, let number = payment.cardNumber {
                    do {
                        return try latest().bookCard(form, requestId: requestId, cardNumber: number, wait: false, by: user)
                    } catch let refusal as ServerRefusal where refusal.code == "outcome_unknown" {
                        // The screen's own words: it keeps the request for the next Enter.
                        throw ServerRefusal(code: refusal.code, message: Self.unknownOutcomeOnTheScreen())
                    }
                }
                return try latest().book(form, requestId: requestId, payment: payment, by: user)
            },
            // Made at the desk (the server's line says so): not "from the command line" in this desk's history.
            cancel: { id in try latest().change(.cancel, id.uuidString, reason: nil, ChangeRequest(user: user, channel: .desk)) },
            checkIn: { id in try latest().change(.checkIn, id.uuidString, reason: nil, by: user) },
            checkOut: { id in try latest().change(.checkOut, id.uuidString, reason: nil, by: user) },
            move: { id, room, version in
                try latest().move(id.uuidString, toRoom: room, reason: nil, reprice: false, ChangeRequest(expectedVersion: version, user: user))
            },
            reservationChange: { id, change in
                switch change {
                case .noShow(let version):
                    return try latest().changeReservation(.noShow, id.uuidString, reason: nil, ChangeRequest(expectedVersion: version, user: user))
                case .undoCheckIn(let version):
                    return try latest().changeReservation(.undoCheckIn, id.uuidString, reason: nil, ChangeRequest(expectedVersion: version, user: user))
                case .undoCheckOut(let version):
                    return try latest().changeReservation(.undoCheckOut, id.uuidString, reason: nil, ChangeRequest(expectedVersion: version, user: user))
                case .undoNoShow(let version):
                    return try latest().changeReservation(.undoNoShow, id.uuidString, reason: nil, ChangeRequest(expectedVersion: version, user: user))
                case .edit(let edit, let version):
                    return try latest().edit(id.uuidString, edit, ChangeRequest(expectedVersion: version, user: user))
                case .move(let room, let version):
                    return try latest().move(id.uuidString, toRoom: room, reason: nil, reprice: false, ChangeRequest(expectedVersion: version, user: user))
                }
            },
            syncRound: {
                if signInNeeded.withLock({ $0 }) || wasOffline.withLock({ $0 }) || latest().credentialProblem != nil,
                   var reopened = reopen?() {
                    reopened.tell = log
                    current.withLock { $0 = reopened }
                }
                let desk = latest()
                if let problem = desk.credentialProblem {
                    signInNeeded.withLock { $0 = true }
                    return .init(online: false, changed: false, problem: problem, needsSignIn: true)
                }
                do {
                    let report = try DeskSync(store: desk.store, client: desk.client).sync()
                    // A booking the server refused is said on the screen too, not only marked `!`:
                    // the guest may have been told it was confirmed.
                    let notes = report.push.codeChanges.map { Self.codeChangeNote(old: $0.old, new: $0.new) }
                        + Self.refusalLines(report.push.refused, store: desk.store).map { "The server refused \($0); " + DeskTerminalApp.settleOnConflicts }
                    for note in notes { log(note) }
                    let refused = report.failure?.kind == .unauthorized
                    signInNeeded.withLock { $0 = refused }
                    wasOffline.withLock { $0 = report.failure?.kind == .offline }
                    return .init(online: report.failure?.kind != .offline, changed: report.pulled > 0 || report.push.pushed > 0 || report.propertyChanged,
                                 problem: report.failure?.message, needsSignIn: refused,
                                 needsReconnect: report.failure?.kind == .replicaTooOld, backOff: report.failure?.kind == .badServer,
                                 tellTheDesk: notes)
                } catch {
                    wasOffline.withLock { $0 = true }
                    return .init(online: false, changed: false, problem: "\(error)")
                }
            },
            serverBooking: { id in
                try latest().serverCopy(of: try latest().store.booking(id.uuidString), for: "Resolving this conflict")
            })
    }

    /// Each operation the server refused, named by its booking and guest as a receptionist knows
    /// it (not by its operation id), with the server's code and words. Found through the outbox: a
    /// booking with a conflict open already gets no second one.
    static func refusalLines(_ refused: [SyncOutcome], store: FrontDeskStore) -> [String] {
        guard !refused.isEmpty else { return [] }
        let open = (try? store.syncConflicts(includeResolved: false)) ?? []
        return refused.map { refusal in
            let bookingId = (try? store.bookingIdOfQueuedOperation(refusal.operationId)).flatMap { $0 }?.lowercased()
            let what = open.first { $0.operationId == refusal.operationId || $0.booking.id.uuidString.lowercased() == bookingId }
                .map { "booking \($0.booking.confirmationCode) (\($0.booking.guest.name), room \($0.booking.roomNumber))" }
                ?? "operation \(refusal.operationId)"
            return "\(what): \(refusal.code ?? refusal.outcome.rawValue): \(refusal.message ?? "")"
        }
    }

    /// A booking's JSON with its sync state (`synced`, `pending`, `conflict`) on a connected desk.
    static func json(_ booking: Booking, store: FrontDeskStore) -> JSONValue {
        withSync([booking], store: store).first ?? booking.json
    }

    static func withSync(_ bookings: [Booking], store: FrontDeskStore) -> [JSONValue] {
        guard (try? store.replicaStatus()) != nil, let states = try? store.syncStates(of: bookings.map(\.id)) else {
            return bookings.map(\.json)
        }
        return bookings.map { booking in
            guard case .object(let fields) = booking.json else { return booking.json }
            return .object(fields + [("sync", .string(states[booking.id] ?? "synced"))])
        }
    }
}

/// The server's refusal of a connected desk's write: its code and message.
struct ServerRefusal: DefiniteWriteFailure, CustomStringConvertible {
    let code: String
    let message: String
    var description: String { message }
    /// Every refusal but `outcome_unknown` (a card booking whose answer was lost) made nothing.
    var nothingWasMade: Bool { code != "outcome_unknown" }
    var changedSinceBase: Bool { code == "stale_version" }

    init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    init(_ outcome: SyncOutcome) {
        code = outcome.code ?? (outcome.outcome == .conflict ? "conflict" : "rejected")
        var message = outcome.message ?? "the server refused the \(outcome.outcome.rawValue) operation"
        if let rooms = outcome.suggestedRooms, !rooms.isEmpty {
            message += " (free instead: \(rooms.prefix(5).map(\.roomNumber).joined(separator: ", ")))"
        }
        self.message = message
    }
}

/// A progress bar on stderr when it is a terminal; plain lines otherwise.
final class ProgressLine {
    let label: String
    let isTerminal = isatty(STDERR_FILENO) == 1
    var lastShown = -1
    var shown = false

    init(label: String) { self.label = label }

    func show(_ done: Int, _ total: Int) {
        var standardError = FileHandle.standardError
        shown = true
        if isTerminal {
            let width = 30
            let filled = total > 0 ? min(width, done * width / total) : width
            print("\r\(label) [\(String(repeating: "#", count: filled))\(String(repeating: " ", count: width - filled))] \(done)/\(total) bookings",
                  terminator: "", to: &standardError)
        } else {
            let percent = total > 0 ? done * 100 / total : 100
            if percent / 10 != lastShown / 10 || done == total {
                lastShown = percent
                print("\(label): \(done)/\(total) bookings", to: &standardError)
            }
        }
    }

    func finish() {
        if isTerminal && shown {
            var standardError = FileHandle.standardError
            print("", to: &standardError)
        }
    }
}
