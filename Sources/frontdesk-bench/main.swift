// Benchmarks the store against the floor: the same availability question asked through the raw
// sqlite3 C API with one hand-written statement, in the same process, on the same file.
//
// usage: frontdesk-bench --db PATH [--iterations N] [--binary PATH-TO-frontdesk]
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import FrontDeskTerminal
import GRDBSQLite
import Synchronization

struct Arguments {
    var database = ""
    var iterations = 2000
    var binary: String?
    /// Runs of each whole-process command (with `--binary`).
    var processRuns = 60
    /// One section only: process, search, screens, manager or saga (default: all).
    var only: String?
    /// A folder holding the start-up floors `scripts/build-floors` makes (`hello`, `sqlite-search`),
    /// spawned beside the whole-process commands.
    var floors: String?
    /// Operations a `push` round applies (10,000 by default, the issue's figure).
    var operations = 10_000

    func runs(_ section: String) -> Bool { only == nil || only == section }

    init() {
        var remaining = Array(CommandLine.arguments.dropFirst())
        while !remaining.isEmpty {
            let flag = remaining.removeFirst()
            let value = remaining.isEmpty ? "" : remaining.removeFirst()
            switch flag {
            case "--db": database = value
            case "--iterations": iterations = Int(value) ?? iterations
            case "--binary": binary = value
            case "--only": only = value
            case "--process-runs": processRuns = max(3, Int(value) ?? processRuns)
            case "--floors": floors = value
            case "--operations": operations = max(1, Int(value) ?? operations)
            default:
                FileHandle.standardError.write(Data("usage: frontdesk-bench --db PATH [--iterations N] [--binary PATH] [--process-runs N] [--floors DIR] [--operations N] [--only process|search|screens|manager|saga|floor|changes|push]\n".utf8))
                exit(2)
            }
        }
        if database.isEmpty || !FileManager.default.fileExists(atPath: database) {
            FileHandle.standardError.write(Data("error: --db must name an existing demo database\n".utf8))
            exit(2)
        }
    }
}

struct Timing {
    var samples: [Double] = []
    var median: Double { percentile(0.5) }
    var p99: Double { percentile(0.99) }
    func percentile(_ fraction: Double) -> Double {
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * fraction))]
    }
    static func measure(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
    }
}

func format(_ milliseconds: Double) -> String { String(format: "%.3f ms", milliseconds) }

let arguments = Arguments()
let businessDate = CalendarDate(iso: ProcessInfo.processInfo.environment["FRONTDESK_TODAY"] ?? "") 

// MARK: Whole processes (issue 10): start-up included, nothing else holding the file open

/// `frontdesk search --json`, `book --payment desk --wait --json` and `--help` as whole processes,
/// each run next to a run of the floor (`/bin/true`, spawned the same way), before this program
/// opens the file itself: a command started while a desk holds the file open finds its log and
/// index already there; alone, it opens and closes them.
func wholeProcessBenchmarks(binary: String, runs: Int) throws {
    var generator = SeededGenerator(seed: 12)
    let (stays, bookings): ([StayDates], [(room: String, stay: StayDates)]) = try {
        let store = try FrontDeskStore(path: arguments.database, businessDate: businessDate)
        defer { try? store.close() }
        let today = try store.businessDate()
        let stays = (0..<runs).map { _ in
            let checkIn = today.adding(days: Int.random(in: 0..<300, using: &generator))
            return StayDates(checkIn: checkIn, checkOut: checkIn.adding(days: 3))!
        }
        var bookings: [(room: String, stay: StayDates)] = []
        var claimed = Set<String>()
        while bookings.count < runs {
            let checkIn = today.adding(days: Int.random(in: 0..<600, using: &generator))
            let stay = StayDates(checkIn: checkIn, checkOut: checkIn.adding(days: 1))!
            let free = try store.availableRooms(AvailabilityQuery(stay: stay, guestCount: 1)).map(\.room.number)
            guard let room = free.first(where: { !claimed.contains("\($0) \(checkIn)") }) else { continue }
            claimed.insert("\(room) \(checkIn)")
            bookings.append((room, stay))
        }
        return (stays, bookings)
    }()
    var search = Timing(), book = Timing(), help = Timing(), floor = Timing()
    var hello = Timing(), sqliteSearch = Timing()
    var searchCPU = Timing(), bookCPU = Timing()
    let helloFloor = arguments.floors.map { $0 + "/hello" }, sqliteFloor = arguments.floors.map { $0 + "/sqlite-search" }
    for index in 0..<runs {
        let stay = stays[index], booking = bookings[index]
        search.samples.append(try Timing.measure {
            searchCPU.samples.append(try spawnAndWait(binary, ["search", "--db", arguments.database, "--check-in", stay.checkIn.iso,
                                                               "--check-out", stay.checkOut.iso, "--guests", "2", "--json"]))
        })
        floor.samples.append(try Timing.measure { try spawnAndWait("/bin/true", []) })
        book.samples.append(try Timing.measure {
            bookCPU.samples.append(try spawnAndWait(binary, ["book", "--db", arguments.database, "--room", booking.room,
                                                             "--check-in", booking.stay.checkIn.iso,
                                                             "--check-out", booking.stay.checkOut.iso, "--guests", "1",
                                                             "--guest-name", "Bench Guest", "--email", "bench@example.com",
                                                             "--payment", "desk", "--wait", "--json"]))
        })
        floor.samples.append(try Timing.measure { try spawnAndWait("/bin/true", []) })
        help.samples.append(try Timing.measure { try spawnAndWait(binary, ["--help"]) })
        if let helloFloor, let sqliteFloor {
            hello.samples.append(try Timing.measure { try spawnAndWait(helloFloor, []) })
            sqliteSearch.samples.append(try Timing.measure {
                try spawnAndWait(sqliteFloor, [arguments.database, stay.checkIn.iso, stay.checkOut.iso, "2"])
            })
        }
    }
    print("Whole processes, \(runs) runs each, interleaved, nothing else holding \(arguments.database) open:")
    print("  frontdesk search --json                        median \(format(search.median))   p99 \(format(search.p99))")
    print("  frontdesk book --payment desk --wait --json    median \(format(book.median))   p99 \(format(book.p99))")
    print("  frontdesk --help                               median \(format(help.median))   p99 \(format(help.p99))")
    print("  floor: /bin/true, spawned the same way         median \(format(floor.median))   p99 \(format(floor.p99))")
    print("  CPU time of the child (user + system): search median \(format(searchCPU.median)), book median \(format(bookCPU.median))")
    if !hello.samples.isEmpty {
        print("  floor: static-stdlib Foundation hello-world    median \(format(hello.median))   p99 \(format(hello.p99))")
        print("  floor: C + static SQLite, open + search query  median \(format(sqliteSearch.median))   p99 \(format(sqliteSearch.p99))")
    }
}

if let binary = arguments.binary, arguments.runs("process") {
    try wholeProcessBenchmarks(binary: binary, runs: arguments.processRuns)
}

// MARK: A desk's push applied by the server's store (issue 12)

/// `--only push`: 10,000 (`--operations`) pushed `book` operations (one night each, every room, past the file's last
/// stay) applied by `applySync` in pushes of 500, as `POST /api/hotels/{id}/sync` applies them but
/// without HTTP, so the store's own work is measured alone. `--db` names a server file
/// (`frontdesk-server demo`); it is copied first and left as it was. `--iterations` rounds (3 by
/// default), each on its own nights; wall time and the applying thread's CPU time for each.
func pushBenchmarks(rounds: Int) throws {
    let folder = URL(fileURLWithPath: arguments.database).deletingLastPathComponent().path
    let path = folder + "/push-bench.sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    try FileManager.default.copyItem(atPath: arguments.database, toPath: path)
    defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
    // The store first: SQLite's process-wide settings are made before its first connection.
    let chain = try FrontDeskStore(path: path)
    chain.checkpointInBackground() // as `frontdesk-server serve` does
    var lastStay = ""
    var raw: OpaquePointer?
    if sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, nil) == SQLITE_OK {
        var statement: OpaquePointer?
        if sqlite3_prepare_v2(raw, "SELECT MAX(check_out) FROM booking", -1, &statement, nil) == SQLITE_OK,
           sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) {
            lastStay = String(cString: text)
        }
        sqlite3_finalize(statement)
    }
    sqlite3_close(raw)
    guard let hotel = try chain.hotels().first, let afterLast = CalendarDate(iso: lastStay) else {
        FileHandle.standardError.write(Data("error: --db must be a server file with a hotel and bookings (frontdesk-server demo)\n".utf8))
        exit(2)
    }
    let store = chain.scoped(to: hotel.id)
    let rooms = try store.rooms().filter(\.room.isActive).map(\.room)
    let count = arguments.operations, perPush = 500
    let nightsPerRound = (count + rooms.count - 1) / rooms.count + 1
    print("A desk's push applied by the store (\(count) book operations in pushes of \(perPush), \(rooms.count) rooms, no HTTP;"
          + " SQLite's process settings \(FrontDeskStore.sqliteSettingsApplied ? "made" : "NOT made")):")
    for round in 0..<max(1, rounds) {
        let first = afterLast.adding(days: 2 + round * nightsPerRound)
        let operations = (0..<count).map { index in
            let night = first.adding(days: index / rooms.count)
            let room = rooms[index % rooms.count]
            return SyncOperation(
                operationId: UUID.timeOrdered(at: Date()).uuidString.lowercased(), kind: .book,
                bookingId: UUID.timeOrdered(at: Date()).uuidString.lowercased(), baseVersion: nil,
                madeAt: InstantText.utc(Date()), by: "bench",
                book: .init(roomId: room.id.uuidString.lowercased(), roomNumber: "?", checkIn: night.iso,
                            checkOut: night.adding(days: 1).iso, guests: 1, guestName: "Guest \(index)", email: "guest@example.com",
                            phone: nil, confirmation: "", payment: "desk", totalCents: 0))
        }
        var accepted = 0
        let cpuBefore = threadCPUSeconds()
        let started = DispatchTime.now().uptimeNanoseconds
        for start in stride(from: 0, to: count, by: perPush) {
            let result = try store.applySync(Array(operations[start..<min(count, start + perPush)]), by: "bench")
            accepted += result.results.filter { $0.outcome == .accepted }.count
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let cpu = threadCPUSeconds() - cpuBefore
        print(String(format: "  round %d: %.2f s (%.0f operations/s), applying thread's CPU %.2f s (%.1f µs an operation), %d accepted",
                     round + 1, wall, Double(count) / wall, cpu, cpu / Double(count) * 1e6, accepted))
    }
}

/// CPU time (user + system) of the calling thread so far, in seconds.
func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

if arguments.only == "push" {
    try pushBenchmarks(rounds: arguments.iterations == 2000 ? 3 : arguments.iterations)
    exit(0)
}

let store = try FrontDeskStore(path: arguments.database, businessDate: businessDate)
let today = try store.businessDate()
let hotelId = try store.hotel()!.id.uuidString
if arguments.runs("search") {
    var generator = SeededGenerator(seed: 11)
    let stays = (0..<arguments.iterations).map { _ in
        let checkIn = today.adding(days: Int.random(in: 0..<300, using: &generator))
        return StayDates(checkIn: checkIn, checkOut: checkIn.adding(days: 3))!
    }

    // The floor: one prepared statement, bound and stepped, every column read.
    var connection: OpaquePointer?
    guard sqlite3_open_v2(arguments.database, &connection, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
        fatalError("cannot open \(arguments.database)")
    }
    // Same pragmas as the store, so the ratio compares the layers above SQLite, not its settings.
    sqlite3_exec(connection, "PRAGMA mmap_size = 268435456", nil, nil, nil)
    let floorSQL = """
        SELECT r.id, r.number, t.name, t.capacity, t.base_price_cents
        FROM room_type t CROSS JOIN room r ON r.room_type_id = t.id
        WHERE t.capacity >= ?2 AND r.hotel_id = ?1 AND r.is_active = 1
          AND r.id NOT IN (SELECT n.room_id FROM room_night n
                           WHERE n.hotel_id = ?1 AND n.night >= ?3 AND n.night < ?4
                             AND (n.hold_expires_at IS NULL OR n.hold_expires_at > ?5))
        """
    var statement: OpaquePointer?
    guard sqlite3_prepare_v2(connection, floorSQL, -1, &statement, nil) == SQLITE_OK else {
        fatalError(String(cString: sqlite3_errmsg(connection)))
    }
    let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    @MainActor func floorSearch(_ stay: StayDates) -> Int {
        sqlite3_reset(statement)
        sqlite3_bind_text(statement, 1, hotelId, -1, transient)
        sqlite3_bind_int(statement, 2, 2)
        sqlite3_bind_text(statement, 3, stay.checkIn.iso, -1, transient)
        sqlite3_bind_text(statement, 4, stay.checkOut.iso, -1, transient)
        sqlite3_bind_text(statement, 5, "2026-11-26T00:00:00.000Z", -1, transient)
        var rows = 0
        while sqlite3_step(statement) == SQLITE_ROW {
            _ = sqlite3_column_text(statement, 0)
            _ = sqlite3_column_text(statement, 1)
            _ = sqlite3_column_text(statement, 2)
            _ = sqlite3_column_int(statement, 3)
            _ = sqlite3_column_int64(statement, 4)
            rows += 1
        }
        return rows
    }

    // Warm both paths (page cache, statement caches) before measuring.
    for stay in stays.prefix(50) {
        _ = try store.availableRooms(AvailabilityQuery(stay: stay, guestCount: 2))
        _ = floorSearch(stay)
    }
    var storeTiming = Timing(), floorTiming = Timing()
    var mismatches = 0
    for stay in stays {
        var offered = 0, floorRows = 0
        storeTiming.samples.append(try Timing.measure {
            offered = try store.availableRooms(AvailabilityQuery(stay: stay, guestCount: 2)).count
        })
        floorTiming.samples.append(Timing.measure { floorRows = floorSearch(stay) })
        if offered != floorRows { mismatches += 1 }
    }
    sqlite3_finalize(statement)
    sqlite3_close(connection)

    print("3-night search, 2 guests, \(arguments.iterations) stays over the next 300 nights of \(arguments.database):")
    print("  store (in process)   median \(format(storeTiming.median))   p99 \(format(storeTiming.p99))")
    print("  floor (raw sqlite3)  median \(format(floorTiming.median))   p99 \(format(floorTiming.p99))")
    print(String(format: "  ratio (median)       %.2fx", storeTiming.median / floorTiming.median))
    if mismatches > 0 { print("  WARNING: \(mismatches) searches disagreed with the floor on the room count") }

    if let binary = arguments.binary {
        // posix_spawn + waitpid: Process.waitUntilExit polls every 50 ms on Linux, which hid the
        // real figure. The floor is the same spawn of /bin/true, in the same run.
        var process = Timing(), floor = Timing()
        for stay in stays.prefix(20) {
            process.samples.append(try Timing.measure {
                try spawnAndWait(binary, ["search", "--db", arguments.database, "--check-in", stay.checkIn.iso,
                                          "--check-out", stay.checkOut.iso, "--guests", "2", "--json"])
            })
            floor.samples.append(try Timing.measure { try spawnAndWait("/bin/true", []) })
        }
        print("  whole process, this program holding the file open: frontdesk search --json   median \(format(process.median))   p99 (of 20) \(format(process.p99))")
        print("  floor: /bin/true, spawned the same way   median \(format(floor.median))   p99 (of 20) \(format(floor.p99))")

        // A desk-paid booking to Confirmed, as a whole process: open, reserve, run the saga, print.
        var booking = Timing()
        for stay in stays.dropFirst(100).prefix(20) {
            guard let room = try store.availableRooms(AvailabilityQuery(stay: stay, guestCount: 2)).last?.room.number else { continue }
            booking.samples.append(try Timing.measure {
                try spawnAndWait(binary, ["book", "--db", arguments.database, "--room", room, "--check-in", stay.checkIn.iso,
                                          "--check-out", stay.checkOut.iso, "--guests", "2", "--guest-name", "Bench Guest",
                                          "--email", "bench@example.com", "--payment", "desk", "--wait", "--json"])
            })
        }
        print("  whole process, this program holding the file open: frontdesk book --payment desk --wait   median \(format(booking.median))   p99 (of \(booking.samples.count)) \(format(booking.p99))")
    }
}

// MARK: The booking saga (issue 3)

/// A fresh file with the store's durability settings (WAL, synchronous=FULL) and a prepared
/// single-row insert: what both commit floors time.
func openFloorDatabase(_ path: String) -> (db: OpaquePointer?, insert: OpaquePointer?) {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    var db: OpaquePointer?
    sqlite3_open(path, &db)
    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (x INTEGER)", nil, nil, nil)
    var insert: OpaquePointer?
    sqlite3_prepare_v2(db, "INSERT INTO t (x) VALUES (?)", -1, &insert, nil)
    return (db, insert)
}

/// Single-row commits per second on this disk with the store's durability settings (WAL,
/// synchronous=FULL): the ceiling for anything that commits once per booking.
@MainActor func singleRowCommitFloor(folder: String, seconds: Double) -> Double {
    let path = folder + "/commit-floor.sqlite"
    let (db, insert) = openFloorDatabase(path)
    let start = Date()
    var commits = 0
    while Date().timeIntervalSince(start) < seconds {
        sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil)
        sqlite3_reset(insert)
        sqlite3_bind_int(insert, 1, Int32(commits))
        sqlite3_step(insert)
        sqlite3_exec(db, "COMMIT", nil, nil, nil)
        commits += 1
    }
    let rate = Double(commits) / Date().timeIntervalSince(start)
    sqlite3_finalize(insert)
    sqlite3_close(db)
    return rate
}

/// Waits for the runner's BookingConfirmed of a given booking; whichever of the waiter and the
/// notification comes first creates the booking's semaphore, so neither can miss the other.
final class Confirmations: Sendable {
    private let semaphores = Mutex<[UUID: DispatchSemaphore]>([:])

    init(store: FrontDeskStore) {
        store.subscribe { [self] notification in
            guard case .bookingConfirmed(let booking) = notification else { return }
            semaphore(for: booking.id).signal()
        }
    }

    private func semaphore(for id: UUID) -> DispatchSemaphore {
        semaphores.withLock { table in
            if let existing = table[id] { return existing }
            let created = DispatchSemaphore(value: 0)
            table[id] = created
            return created
        }
    }

    func wait(for id: UUID) {
        semaphore(for: id).wait()
        _ = semaphores.withLock { $0.removeValue(forKey: id) }
    }
}

@MainActor func sagaBenchmarks(folder: String) throws {
    let path = folder + "/saga-bench.sqlite"
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let today = CalendarDate(iso: "2026-11-26")!
    let store = try FrontDeskStore(path: path, businessDate: today)
    let empty = DemoHotelGenerator(roomCount: 400, days: 1, occupancy: 0, seed: 1, businessDate: today, now: Date())
    try store.importDemo(empty.generate(), replacing: false, by: "bench")
    let rooms = try store.rooms().filter { $0.type.capacity >= 2 }.map(\.room.number)
    let runner = SagaRunner(store: store, gateway: nil)
    runner.start()
    defer { runner.stop() }
    let intake = BookingIntake(store: store)
    let confirmations = Confirmations(store: store)
    let counter = Mutex(0)
    @Sendable func nextRequest() -> ReservationRequest {
        let index = counter.withLock { value -> Int in
            defer { value += 1 }
            return value
        }
        let checkIn = today.adding(days: 1 + index / rooms.count)
        return ReservationRequest(form: BookingForm(
            roomNumber: rooms[index % rooms.count], checkIn: checkIn.iso, checkOut: checkIn.adding(days: 1).iso, guests: "2",
            guestName: "Bench Guest \(index)", email: "bench\(index)@example.com"), user: "bench")
    }
    @Sendable func bookAndWait() throws {
        let booking = try intake.submit(nextRequest())
        confirmations.wait(for: booking.id)
    }

    let floor = singleRowCommitFloor(folder: folder, seconds: 2)

    var latency = Timing()
    for _ in 0..<300 { latency.samples.append(try Timing.measure { try bookAndWait() }) }

    let requesters = 16, perRequester = 120
    let failures = Mutex(0)
    let start = Date()
    // Real threads: concurrentPerform would run only as many requesters as there are cores.
    let finished = DispatchSemaphore(value: 0)
    for _ in 0..<requesters {
        Thread {
            for _ in 0..<perRequester {
                do { try bookAndWait() } catch { failures.withLock { $0 += 1 } }
            }
            finished.signal()
        }.start()
    }
    for _ in 0..<requesters { finished.wait() }
    let throughput = Double(requesters * perRequester - failures.withLock { $0 }) / Date().timeIntervalSince(start)

    print("Booking saga, desk payment, on a fresh 400-room hotel (\(path)):")
    print("  request to Confirmed, one at a time   median \(format(latency.median))   p99 \(format(latency.p99))")
    print(String(format: "  confirmed bookings/s, %d requesters  %.0f/s%@", requesters, throughput,
                 failures.withLock { $0 } > 0 ? " (\(failures.withLock { $0 }) failed)" : ""))
    print(String(format: "  floor: single-row durable commits/s   %.0f/s", floor))
    print(String(format: "  ratio (throughput / floor)           %.2fx", throughput / floor))
}

// MARK: Screens (issue 4)

@MainActor func screenBenchmarks() throws {
    let hotel = try store.hotel()!
    let info = DeskInfo(hotelName: hotel.name, currency: hotel.currency, businessDate: today, user: "bench")
    var model = DeskModel(info: info, services: DeskTerminalApp.services(store: store, user: "bench", cardPayments: false))
    for key in [Key.tab, .backspace, .character("3"), .tab, .backspace, .character("2"), .down] { _ = model.handle(key) }
    func measure(_ label: String, _ width: Int, _ height: Int, _ body: () -> Void) {
        var timing = Timing()
        for _ in 0..<500 { timing.samples.append(Timing.measure(body)) }
        print("  \(label) \(width)x\(height)".padding(toLength: 54, withPad: " ", startingAt: 0)
              + "median \(format(timing.median))   p99 \(format(timing.p99))")
    }
    print("Screens on the same database (render = state to cell buffer; refresh = query + render):")
    let offers = model.state.search.answer?.offers.count ?? 0
    measure("search results render (\(offers) rooms)", 120, 40) { _ = model.render(width: 120, height: 40) }
    measure("search results render", 80, 24) { _ = model.render(width: 80, height: 24) }
    measure("search refresh after a booking elsewhere", 120, 40) {
        model.availabilityChanged()
        _ = model.render(width: 120, height: 40)
    }
    _ = model.handle(.function(3))
    let found = model.state.bookings.results.count
    measure("bookings render (\(found) from today)", 120, 40) { _ = model.render(width: 120, height: 40) }
    measure("bookings refresh", 120, 40) {
        model.availabilityChanged()
        _ = model.render(width: 120, height: 40)
    }
    _ = model.handle(.function(4))
    let todays = model.state.today.arrivals.count + model.state.today.departures.count + model.state.today.inHouse.count
    measure("today refresh (\(todays) bookings)", 120, 40) {
        model.availabilityChanged()
        _ = model.render(width: 120, height: 40)
    }
}

if arguments.runs("screens") { try screenBenchmarks() }

// MARK: Manager views (issue 5)

@MainActor func managerBenchmarks() throws {
    let hotel = try store.hotel()!
    let info = DeskInfo(hotelName: hotel.name, currency: hotel.currency, businessDate: today, user: "bench")
    var model = DeskModel(info: info, services: DeskTerminalApp.services(store: store, user: "bench", cardPayments: false),
                          managerServices: DeskTerminalApp.managerServices(store: store, exportDirectory: nil))
    func measure(_ label: String, _ iterations: Int = 200, _ body: () throws -> Void) rethrows {
        var timing = Timing()
        for _ in 0..<iterations { timing.samples.append(try Timing.measure(body)) }
        print("  \(label)".padding(toLength: 54, withPad: " ", startingAt: 0)
              + "median \(format(timing.median))   p99 \(format(timing.p99))")
    }
    print("Manager views on the same database (compute = store query; render = state to cell buffer):")
    let plan = try store.roomPlan(from: today, nights: 31)
    let stays = plan.staysByRoom.values.map(\.count).reduce(0, +)
    try measure("room plan compute, 31 nights (\(stays) stays)") {
        _ = try store.roomPlan(from: today, nights: 31)
    }
    // A month of nights: 137 columns show 30 beside room numbers of 10 characters, 138 show 31.
    model.setViewSize(width: 138, height: 45)
    _ = model.handle(.function(6))
    measure("room plan render 138x45 (\(model.state.roomPlan.plan?.nights ?? 0) nights)", 500) {
        _ = model.render(width: 138, height: 45)
    }
    var step = 0
    measure("room plan scroll a night (compute + render) 138x45") {
        // Right along a row, then back: every step past the edge reads the plan again.
        step += 1
        _ = model.handle(step % 62 < 31 ? .right : .left)
        _ = model.render(width: 138, height: 45)
    }
    let dashboardRange = (today, today.adding(days: 89))
    try measure("dashboard compute, 90 nights") { _ = try store.occupancyReport(from: dashboardRange.0, through: dashboardRange.1) }
    _ = model.handle(.function(7))
    _ = model.handle(.character("g"))
    for character in "\(today) 90" { _ = model.handle(.character(character)) }
    _ = model.handle(.enter)
    measure("dashboard render 140x45 (\(model.state.dashboard.report?.days.count ?? 0) nights)", 500) {
        _ = model.render(width: 140, height: 45)
    }
    measure("dashboard render 80x24", 500) { _ = model.render(width: 80, height: 24) }
    measure("dashboard refresh (compute + render) 140x45") {
        model.availabilityChanged()
        _ = model.render(width: 140, height: 45)
    }
}

if arguments.runs("manager") { try managerBenchmarks() }

if arguments.only == "floor" {
    // For scripts/bench-server: the same disk's durable single-row commit rate, measured now.
    let floor = singleRowCommitFloor(folder: URL(fileURLWithPath: arguments.database).deletingLastPathComponent().path, seconds: 3)
    print(String(format: "floor: single-row durable commits/s   %.0f/s", floor))
}
// MARK: Changing a reservation (issue 14)

/// Latency of one durable single-row commit on this disk (WAL, synchronous=FULL), the raw C API.
@MainActor func singleRowCommitLatencies(folder: String, count: Int) -> Timing {
    let path = folder + "/commit-latency-floor.sqlite"
    let (db, insert) = openFloorDatabase(path)
    var timing = Timing()
    for index in 0..<count {
        timing.samples.append(Timing.measure {
            sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil)
            sqlite3_reset(insert)
            sqlite3_bind_int(insert, 1, Int32(index))
            sqlite3_step(insert)
            sqlite3_exec(db, "COMMIT", nil, nil, nil)
        })
    }
    sqlite3_finalize(insert)
    sqlite3_close(db)
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    return timing
}

/// Each kind of change, committed through the store's intent on the demo hotel, beside the
/// durable-commit floor. The changes are made on coming Confirmed stays (and today's arrivals for
/// no-shows and undo), so the file keeps being a realistic hotel.
@MainActor func changeBenchmarks(folder: String) throws {
    let count = 200
    let request = ChangeRequest(user: "bench", channel: .commandLine)
    func report(_ label: String, _ timing: Timing) {
        print("  \(label)".padding(toLength: 46, withPad: " ", startingAt: 0)
              + "median \(format(timing.median))   p99 \(format(timing.p99))   (\(timing.samples.count))")
    }
    let coming = try store.findBookings(BookingFilter(from: today.adding(days: 30), to: today.adding(days: 300), status: .confirmed,
                                                      limit: 2000)).bookings
        .filter { $0.stay.checkIn > today.adding(days: 30) && $0.stay.nightCount >= 2 }
    guard coming.count >= count else {
        print("Changes: fewer than \(count) coming stays of 2+ nights in the demo; skipped")
        return
    }
    print("Changing a reservation on the same database (each change one durable commit):")
    var edit = Timing(), shorten = Timing(), extend = Timing(), move = Timing(), note = Timing()
    for (index, booking) in coming.prefix(count).enumerated() {
        edit.samples.append(try Timing.measure {
            _ = try store.changeBooking(booking.id.uuidString, BookingEdit(guestName: booking.guest.name + " \(index)"), request)
        })
        note.samples.append(try Timing.measure {
            _ = try store.changeBooking(booking.id.uuidString, BookingEdit(note: "Late arrival"), request)
        })
        let shorter = booking.stay.checkOut.adding(days: -1).iso
        shorten.samples.append(try Timing.measure {
            _ = try store.changeBooking(booking.id.uuidString, BookingEdit(checkOut: shorter), request)
        })
        extend.samples.append(try Timing.measure {
            _ = try store.changeBooking(booking.id.uuidString, BookingEdit(checkOut: booking.stay.checkOut.iso), request)
        })
    }
    // Moves: to a free room of the stay (found first, not timed).
    for booking in coming.dropFirst(count).prefix(count) {
        guard let target = try store.availableRooms(AvailabilityQuery(stay: booking.stay, guestCount: booking.guestCount))
            .first(where: { $0.room.id != booking.roomId }) else { continue }
        move.samples.append(try Timing.measure {
            _ = try store.move(booking.id.uuidString, toRoom: target.room.number, reason: "bench", reprice: false, request)
        })
    }
    report("edit guest details", edit)
    report("add a note", note)
    report("shorten the stay by a night (release)", shorten)
    report("extend it again (price, claim)", extend)
    if !move.samples.isEmpty { report("move to a free room", move) }
    // Today's arrivals still to come: check in and undo; the rest are marked no-shows.
    // The earliest cut-off a hotel may set (06:00): a run before it, hotel time, measures no no-show.
    let cutoff = NoShowPolicy.settableHours.lowerBound
    _ = try store.setNoShowPolicy(cutoffHour: cutoff, fee: nil, by: "bench")
    let noShowsMarkable = try store.hotel().map { $0.hour(at: Date()) >= cutoff } ?? false
    let arrivals = try store.dayLists(on: today).arrivals.filter { $0.status == .confirmed }
    var checkIn = Timing(), undo = Timing(), noShow = Timing()
    for booking in arrivals.prefix(arrivals.count / 2) {
        checkIn.samples.append(try Timing.measure { _ = try store.checkIn(booking.id.uuidString, by: "bench") })
        undo.samples.append(try Timing.measure { _ = try store.undoCheckIn(booking.id.uuidString, reason: "bench", request) })
    }
    for booking in arrivals.dropFirst(arrivals.count / 2) where noShowsMarkable {
        noShow.samples.append(try Timing.measure { _ = try store.markNoShow(booking.id.uuidString, request) })
    }
    if !noShowsMarkable { print("  mark a no-show: not measured (before \(Hotel.nightEndsText), hotel time, no arrival of today is one yet)") }
    if !checkIn.samples.isEmpty {
        report("check in (for comparison)", checkIn)
        report("undo the check-in", undo)
    }
    if !noShow.samples.isEmpty { report("mark a no-show", noShow) }
    let floor = singleRowCommitLatencies(folder: folder, count: 500)
    report("floor: one durable single-row commit", floor)
    print(String(format: "  ratio (extend median / floor median)        %.2fx", extend.median / floor.median))
}

if arguments.runs("changes") { try changeBenchmarks(folder: URL(fileURLWithPath: arguments.database).deletingLastPathComponent().path) }

if arguments.runs("saga") { try sagaBenchmarks(folder: URL(fileURLWithPath: arguments.database).deletingLastPathComponent().path) }

/// Runs a program with its output thrown away and waits for it, without Foundation's polling.
/// Runs a program to its end; returns the CPU time it used (user + system), in milliseconds.
@discardableResult
func spawnAndWait(_ path: String, _ arguments: [String]) throws -> Double {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
    guard spawned == 0 else { throw BenchError.spawn(path, spawned) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    // A run that failed measured nothing worth printing.
    guard status == 0 else { throw BenchError.failed(([path] + arguments).joined(separator: " "), status) }
    func milliseconds(_ time: timeval) -> Double { Double(time.tv_sec) * 1000 + Double(time.tv_usec) / 1000 }
    return milliseconds(usage.ru_utime) + milliseconds(usage.ru_stime)
}

enum BenchError: Error {
    case spawn(String, Int32)
    case failed(String, Int32)
}
