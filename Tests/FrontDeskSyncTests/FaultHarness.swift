import Foundation
import FrontDeskDomain
import FrontDeskStore
import FrontDeskTestSupport
import Testing

// Shared by the three fault suites of issue 12 ("each repeated at least 20 times, with 100
// operations in flight"): a round of 100 offline operations queued in a desk's outbox, and the
// checks made afterwards through the server's API and the desk's own commands.

/// One round's 100 operations: 90 bookings (one night each, 12 rooms over 8 nights of the round's
/// own window) and 10 cancels.
struct FaultRound {
    static let bookings = 90
    static let cancels = 10

    let label: String
    /// The window of nights the round books in: `from` ... `to` (check-in days).
    let from: String
    let to: String
    var booked: [String] = []
    var cancelled: [String] = []

    /// Guest names of the round start with this; no other round's do.
    var prefix: String { "\(label) " }
}

/// What every booking made by the fault rounds should be on the server afterwards.
struct FaultLedger {
    var rounds: [FaultRound] = []
    /// bookingId -> guest name
    var names: [String: String] = [:]
    /// bookingId -> "Confirmed" or "Cancelled"
    var status: [String: String] = [:]

    var operations: Int { rounds.reduce(0) { $0 + $1.booked.count + $1.cancelled.count } }
}

extension Desk {
    /// The desk's room numbers (a search far ahead, where nothing is sold).
    func roomNumbers() throws -> [String] {
        let (checkIn, checkOut) = futureStay(daysAhead: 700, nights: 1)
        let found = try run("search", "--check-in", checkIn, "--check-out", checkOut, "--json")
        return try #require(try found.json["rooms"] as? [[String: Any]]).compactMap { $0["roomNumber"] as? String }
    }

    /// Queues a round of offline operations in the desk's outbox, through the desk's own store: the
    /// very calls `frontdesk book` and `frontdesk cancel` make on a connected desk when the server
    /// does not answer (`reserveAll` with the operation id as request id; `cancel` with an
    /// operation id), 90 bookings in one transaction. One `frontdesk book` per operation would cost
    /// a process start and a refused connection each (DECISIONS.md).
    /// - Parameters:
    ///   - cancelling: bookings to cancel (made in an earlier round, or nil: the round's first 10).
    func queueRound(_ label: String, daysAhead: Int, rooms: [String], cancelling: [String]?, bookings: Int = FaultRound.bookings,
                    ledger: inout FaultLedger) throws -> FaultRound {
        let nights = (bookings + rooms.count - 1) / rooms.count
        var round = FaultRound(label: label, from: futureStay(daysAhead: daysAhead).0, to: futureStay(daysAhead: daysAhead + nights - 1).0)
        let store = try FrontDeskStore(path: database, access: .write)
        defer { try? store.close() }
        let requests = (0..<bookings).map { index in
            let (checkIn, checkOut) = futureStay(daysAhead: daysAhead + index / rooms.count, nights: 1)
            let form = BookingForm(roomNumber: rooms[index % rooms.count], checkIn: checkIn, checkOut: checkOut, guests: "1",
                                   guestName: "\(label) Guest \(index)", email: "guest\(index)@example.com")
            return ReservationRequest(form: form, requestId: UUID(), payment: .desk, user: "anna")
        }
        for (request, result) in zip(requests, try store.reserveAll(requests)) {
            let booking = try result.get()
            let id = booking.id.uuidString.lowercased()
            round.booked.append(id)
            ledger.names[id] = request.form.guestName
            ledger.status[id] = BookingStatus.confirmed.rawValue
        }
        let toCancel = cancelling ?? Array(round.booked.prefix(FaultRound.cancels))
        for id in toCancel.prefix(FaultRound.cancels) {
            _ = try store.cancel(id, reason: nil, by: "anna", via: .commandLine, operationId: UUID())
            round.cancelled.append(id)
            ledger.status[id] = BookingStatus.cancelled.rawValue
        }
        let pending = try store.replicaStatus()?.pendingOperations ?? 0
        #expect(pending >= round.booked.count + round.cancelled.count, "queued: \(pending)")
        ledger.rounds.append(round)
        return round
    }

    /// `sync --json` (with `--batch` when given): its exit status and JSON.
    func sync(batch: Int? = nil) throws -> (status: Int32, json: [String: Any], stderr: String) {
        var arguments = ["sync", "--json"]
        if let batch { arguments += ["--batch", String(batch)] }
        let done = try runProgram(Products.folder.appendingPathComponent("frontdesk"), arguments, environment: environment)
        return (done.status, (try? done.json) ?? [:], done.stderr)
    }

    /// Operations still in the outbox, read from the desk's file.
    func pendingOperations() throws -> Int {
        let store = try FrontDeskStore(path: database, access: .read)
        defer { try? store.close() }
        return try store.replicaStatus()?.pendingOperations ?? -1
    }
}

extension SyncServer {
    /// Hotel A's bookings whose stay touches [from, to], as `GET /api/bookings` lists them.
    func bookingsOfA(from: String, to: String) throws -> [[String: Any]] {
        let answer = try call("GET", "/api/bookings?hotelId=\(hotelA)&from=\(from)&to=\(to)&limit=1000", token: try token("anna"))
        guard answer.status == 200, let bookings = answer.json["bookings"] as? [[String: Any]] else {
            throw SyncTestError.setup("GET /api/bookings: \(answer.status) \(answer.json)")
        }
        #expect(answer.json["truncated"] as? Bool == false)
        return bookings
    }
}

/// One faulted round as the suite's fault sees it: the round's operations are queued in the
/// desk's outbox, and the fault is to push them (all or some) under its fault.
struct FaultRoundContext {
    let server: SyncServer
    let desk: Desk
    let rooms: [String]
    /// 1 ... 20.
    let number: Int
    /// The round's first night, in days from today.
    let daysAhead: Int
    /// Seconds the fault-free sync of round 0's 100 operations took.
    let calibration: Double
    /// The operations the round queued.
    let current: FaultRound
    /// What the server must hold afterwards: a fault that makes bookings of its own records them here.
    var ledger: FaultLedger

    /// Odd rounds push in 4 requests of 25 (a kill can land between two of them), even ones in one.
    var batch: Int { number % 2 == 1 ? 25 : 100 }

    /// When a kill lands: spread over the rounds from the start of the push to past its end.
    var delay: Double { calibration * 1.2 * Double(number - 1) / 19 }

    /// Starts `frontdesk sync --batch` of `batch`, strikes it after `delay` and waits for it to end.
    func strikeMidPush(_ strike: (Process) throws -> Void) throws -> Process {
        let pushing = try desk.start(["sync", "--batch", String(batch)])
        usleep(useconds_t(delay * 1_000_000))
        try strike(pushing)
        pushing.waitUntilExit()
        return pushing
    }

    /// How many of the round's bookings the server holds now.
    func appliedOnServer() throws -> Int {
        try server.bookingsOfA(from: current.from, to: current.to).filter { ($0["guestName"] as? String ?? "").hasPrefix(current.prefix) }.count
    }
}

/// The run every fault suite of issue 12 makes ("each repeated at least 20 times, with 100
/// operations in flight"): a desk connected to `server`; round 0 without a fault, whose sync of 100
/// operations is timed; then 20 rounds that each queue 100 operations (90 bookings, and cancels of
/// 10 of the previous round's) and push them under `fault`, each followed by a plain `frontdesk
/// sync` that must end with nothing queued and no conflict; at the end, the checks of
/// `expectNothingLostNorDoubled`.
/// - Parameters:
///   - title: printed over the tally of where the faults landed.
///   - label: names the rounds and their guests (`Srv` gives round `Srv07`, guest `Srv07 Guest 12`).
///   - deskName: names the desk's folder.
///   - daysAhead: round 0's first night; round n books 8 n days later.
///   - connect: connects the desk (nil: straight to `server`, as `anna` of hotel A).
///   - queued: the bookings a faulted round queues offline (fewer when the fault books some itself).
///   - calibrationBatch: the `--batch` of round 0's sync (nil: the default).
///   - faultName: what the sync after the fault follows, in failure messages.
///   - fault: the round's fault; returns the line the tally notes for the round.
func runFaultRounds(_ title: String, label: String, deskName: String, daysAhead: Int, server: SyncServer,
                    connect: ((Desk) throws -> Void)? = nil, queued: Int = FaultRound.bookings, calibrationBatch: Int? = 25,
                    faultName: String, sourceLocation: SourceLocation = #_sourceLocation,
                    fault: (inout FaultRoundContext) throws -> String) throws {
    let desk = try Desk(deskName)
    defer { desk.remove() }
    if let connect {
        try connect(desk)
    } else {
        #expect(try desk.connect(server).status == 0, sourceLocation: sourceLocation)
    }
    let rooms = try desk.roomNumbers()
    try #require(rooms.count >= 12, sourceLocation: sourceLocation)
    var ledger = FaultLedger()
    // Round 0, no fault: how long `frontdesk sync` of 100 operations takes here; the kills of the
    // later rounds are spread from its start to past its end.
    var previous = try desk.queueRound(label + "00", daysAhead: daysAhead, rooms: rooms, cancelling: nil, ledger: &ledger)
    let (calibration, seconds) = try timed { try desk.sync(batch: calibrationBatch) }
    #expect(calibration.status == 0, "\(calibration.stderr)", sourceLocation: sourceLocation)
    #expect(calibration.json["pending"] as? Int == 0, sourceLocation: sourceLocation)
    var tally = KillTally()
    tally.note(0, "no fault: sync of 100 operations took \(Int(seconds * 1000)) ms")
    for number in 1...20 {
        let roundDays = daysAhead + number * 8
        let current = try desk.queueRound(label + String(format: "%02d", number), daysAhead: roundDays, rooms: rooms,
                                          cancelling: Array(previous.booked.dropFirst(10).prefix(10)), bookings: queued, ledger: &ledger)
        var round = FaultRoundContext(server: server, desk: desk, rooms: rooms, number: number, daysAhead: roundDays, calibration: seconds,
                                      current: current, ledger: ledger)
        tally.note(number, try fault(&round))
        ledger = round.ledger
        let synced = try desk.sync()
        #expect(synced.status == 0, "round \(number), sync after the \(faultName): \(synced.stderr)", sourceLocation: sourceLocation)
        #expect(synced.json["pending"] as? Int == 0, "round \(number)", sourceLocation: sourceLocation)
        #expect(synced.json["conflicts"] as? Int == 0, "round \(number): \(synced.stderr)", sourceLocation: sourceLocation)
        previous = ledger.rounds[ledger.rounds.count - 1]
    }
    tally.print(title)
    #expect(ledger.operations == 21 * 100, sourceLocation: sourceLocation)
    try expectNothingLostNorDoubled(ledger, server: server, desk: desk, sourceLocation: sourceLocation)
}

/// After the faults: every operation is on the server exactly once (counted by booking id and by
/// guest name), none lost, none applied twice, no room-night sold twice (no two live bookings of
/// the server share a room and a night), the desk holds the same bookings as the server (synced),
/// its outbox is empty and no conflict was invented.
func expectNothingLostNorDoubled(_ ledger: FaultLedger, server: SyncServer, desk: Desk, sourceLocation: SourceLocation = #_sourceLocation) throws {
    var serverById: [String: [String: Any]] = [:]
    for round in ledger.rounds {
        let listed = try server.bookingsOfA(from: round.from, to: round.to)
        let ours = listed.filter { ($0["guestName"] as? String ?? "").hasPrefix(round.prefix) }
        let ids = ours.compactMap { $0["bookingId"] as? String }
        let names = ours.compactMap { $0["guestName"] as? String }
        #expect(ids.count == round.booked.count, "\(round.label): \(ids.count) bookings on the server for \(round.booked.count) booked",
                sourceLocation: sourceLocation)
        #expect(Set(ids) == Set(round.booked), "\(round.label): lost \(Set(round.booked).subtracting(ids).count), unknown \(Set(ids).subtracting(round.booked).count)",
                sourceLocation: sourceLocation)
        #expect(Set(ids).count == ids.count, "\(round.label): a booking id twice on the server", sourceLocation: sourceLocation)
        #expect(Set(names).count == names.count, "\(round.label): a guest booked twice on the server", sourceLocation: sourceLocation)
        for booking in ours {
            let id = booking["bookingId"] as? String ?? ""
            #expect(booking["status"] as? String == ledger.status[id], "\(ledger.names[id] ?? id): \(booking["status"] ?? "?") on the server, \(ledger.status[id] ?? "?") made",
                    sourceLocation: sourceLocation)
            #expect(booking["guestName"] as? String == ledger.names[id], sourceLocation: sourceLocation)
            serverById[id] = booking
        }
        expectNoRoomNightSoldTwice(listed, round.label, sourceLocation: sourceLocation)
    }
    // The desk: the same bookings, synced, nothing queued, no conflict.
    let onDesk = try desk.bookings().filter { booking in
        ledger.rounds.contains { (booking["guestName"] as? String ?? "").hasPrefix($0.prefix) }
    }
    let deskIds = onDesk.compactMap { $0["bookingId"] as? String }
    #expect(deskIds.count == ledger.names.count, "on the desk: \(deskIds.count) of \(ledger.names.count)", sourceLocation: sourceLocation)
    let extra = onDesk.filter { ledger.names[$0["bookingId"] as? String ?? ""] == nil }
    let missing = Set(ledger.names.keys).subtracting(deskIds)
    #expect(extra.isEmpty && missing.isEmpty,
            "on the desk and not made: \(extra.map { "\($0["guestName"] ?? "?") \($0["bookingId"] ?? "?") \($0["status"] ?? "?") \($0["sync"] ?? "?") \($0["confirmation"] ?? "?")" }); made and not on the desk: \(missing.map { "\(ledger.names[$0] ?? "?") \($0)" })",
            sourceLocation: sourceLocation)
    let unsynced = onDesk.filter { $0["sync"] as? String != "synced" }
    #expect(unsynced.isEmpty, "not synced on the desk: \(unsynced.prefix(3).map { "\($0["guestName"] ?? "?") \($0["sync"] ?? "?")" })",
            sourceLocation: sourceLocation)
    for booking in onDesk where ledger.names[booking["bookingId"] as? String ?? ""] != nil {
        let id = booking["bookingId"] as? String ?? ""
        let twin = serverById[id] ?? [:]
        for field in ["status", "confirmation", "roomNumber", "checkIn", "checkOut", "guestName"] {
            #expect(booking[field] as? String == twin[field] as? String, "\(field) of \(ledger.names[id] ?? id): desk \(booking[field] ?? "-"), server \(twin[field] ?? "-")",
                    sourceLocation: sourceLocation)
        }
    }
    let conflicts = try desk.run("conflicts", "--json").json["conflicts"] as? [[String: Any]] ?? []
    #expect(conflicts.isEmpty, "conflicts invented: \(conflicts.prefix(3).map { "\($0["guestName"] ?? "?"): \($0["reason"] ?? "?")" })",
            sourceLocation: sourceLocation)
    let status = try desk.run("desk", "status", "--json").json
    #expect(status["pendingOps"] as? Int == 0, "left in the outbox: \(status["pendingOps"] ?? "?")", sourceLocation: sourceLocation)
    #expect(status["conflicts"] as? Int == 0, sourceLocation: sourceLocation)
}

/// No two live bookings in the list hold the same room on the same night.
func expectNoRoomNightSoldTwice(_ bookings: [[String: Any]], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let live: Set<String> = ["Reserving", "ProcessingPayment", "Confirmed", "CheckedIn"]
    var holder: [String: String] = [:]
    for booking in bookings where live.contains(booking["status"] as? String ?? "") {
        guard let room = booking["roomNumber"] as? String, let checkIn = (booking["checkIn"] as? String).flatMap(CalendarDate.init(iso:)),
              let checkOut = (booking["checkOut"] as? String).flatMap(CalendarDate.init(iso:)) else {
            Issue.record("a booking without room or dates: \(booking)", sourceLocation: sourceLocation)
            continue
        }
        var night = checkIn
        while night < checkOut {
            let key = "\(room) \(night.iso)"
            let name = booking["guestName"] as? String ?? "?"
            if let other = holder[key] {
                Issue.record("\(label): room-night \(key) sold twice: \(other) and \(name)", sourceLocation: sourceLocation)
            }
            holder[key] = name
            night = night.adding(days: 1)
        }
    }
}

/// Where the kills of a suite landed, printed with its results.
struct KillTally {
    var lines: [String] = []

    mutating func note(_ round: Int, _ text: String) { lines.append("round \(round): \(text)") }

    func print(_ title: String) {
        Swift.print("\(title):\n  " + lines.joined(separator: "\n  "))
    }
}

/// Wall time of a block, in seconds.
func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
    let start = Date()
    let value = try body()
    return (value, Date().timeIntervalSince(start))
}
