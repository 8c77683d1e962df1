import CNcursesw
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskStore
import Logging
import Synchronization

/// The write end of the UI loop's self-pipe, for signal handlers (which can capture nothing).
nonisolated(unsafe) private var wakeDescriptor: Int32 = -1

/// Runs the full-screen front desk on this (the UI) thread until the receptionist quits.
/// The saga runner works on its own thread; it and the signal handlers wake this loop through a
/// self-pipe, and changes by other processes on the same file are noticed within half a second.
public enum DeskTerminalApp {
    public static func run(store: FrontDeskStore, user: String, gateway: (any PaymentGateway)?,
                           theme: Theme = .builtInDark, notice: String? = nil, traceFrames: String? = nil,
                           exportDirectory: String? = nil, log: Logger = DeskLog.logger(),
                           connected: ConnectedDeskLink? = nil) throws {
        let trace = traceFrames.flatMap(FrameTrace.init(path:))
        guard let hotel = try store.hotel() else {
            throw FrontDeskError.notFound("No hotel is set up in this database (run `frontdesk demo` first)")
        }
        var info = DeskInfo(hotelName: hotel.name, currency: hotel.currency, businessDate: try store.businessDate(), user: user)
        info.noShowFee = hotel.noShowPolicy.fee
        let standalone = services(store: store, user: user, cardPayments: gateway != nil, log: log)
        // A connected desk writes through the server (its link), and its rooms are the server's:
        // its Rooms screen shows them and changes nothing.
        var model = DeskModel(info: info, services: connected.map { connectedServices(standalone, link: $0, store: store) } ?? standalone,
                              roomServices: connected == nil ? roomServices(store: store, user: user) : serverRoomServices(store: store),
                              managerServices: managerServices(store: store, exportDirectory: exportDirectory),
                              syncServices: connected.map { syncServices(store: store, user: user, link: $0) })
        model.setNotice(notice ?? hotel.unknownTimeZoneWarning)
        if let warning = hotel.unknownTimeZoneWarning { log.warning("\(warning)") }
        model.runLoadsInBackground()

        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw NcursesTerminal.Failure.noTerminal("cannot create the wake-up pipe") }
        defer { Glibc.close(pipeEnds[0]); Glibc.close(pipeEnds[1]); wakeDescriptor = -1 }
        for descriptor in pipeEnds { _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK) }
        wakeDescriptor = pipeEnds[1]
        installSignalHandlers()

        log.info("desk opened on \(store.path) by \(user)")
        defer { log.info("desk closed") }
        let runner = SagaRunner(store: store, gateway: gateway, reportProblem: { log.error("\($0)") })
        let writeEnd = pipeEnds[1]
        let subscription = store.subscribe { _ in
            var byte: UInt8 = UInt8(ascii: "r")
            _ = Glibc.write(writeEnd, &byte, 1)
        }
        let loader = BackgroundLoader {
            var byte: UInt8 = UInt8(ascii: "l")
            _ = Glibc.write(writeEnd, &byte, 1)
        }
        defer { loader.stop() }
        let syncThread = connected.map { link in
            SyncThread(link: link, changed: {
                var byte: UInt8 = UInt8(ascii: "r")
                _ = Glibc.write(writeEnd, &byte, 1)
            }, log: { log.notice("\($0)") })
        }
        syncThread?.start()
        defer { syncThread?.stop() }
        runner.start()
        defer {
            runner.stop()
            store.unsubscribe(subscription)
        }

        let terminal = try NcursesTerminal(theme: theme)
        activeTerminal = true
        defer {
            terminal.close()
            activeTerminal = false
        }

        // A failed read is logged and shown on the status line until a read succeeds again.
        var readProblem: String?
        func reading<T>(_ what: String, _ body: () throws -> T) -> T? {
            do {
                let value = try body()
                if readProblem != nil {
                    readProblem = nil
                    model.setNotice(nil)
                }
                return value
            } catch {
                log.error("\(what): \(error)")
                let shown = "Cannot read the desk's database (\(what)); the screen may be out of date. Details: \(DeskLog.path())"
                if readProblem != shown {
                    readProblem = shown
                    model.setNotice(shown)
                }
                return nil
            }
        }
        var lastMarker = reading("change marker") { try store.changeMarker() } ?? 0
        var lastCheck = Date.distantPast
        var dirty = true
        // Leaving while a change is being saved (or saved but not yet shown): the screen goes
        // first, then the change is waited for and its outcome said on the terminal and in the
        // log, so nobody leaves without knowing whether it landed.
        defer {
            if model.isSaving {
                terminal.close()
                activeTerminal = false
                print("frontdesk: finishing the change being saved…")
                loader.waitForQueuedWork()
                for answer in loader.takeFinished() {
                    guard var line = answer.outcome.writeSummary else { continue }
                    if case .booked(_, .success(let held)) = answer.outcome {
                        line = Self.settledSummary(of: held, store: store) ?? line
                    }
                    log.info("left while saving: \(line)")
                    print(line)
                }
            }
        }
        // A renamed hotel (a manager on the server, `hotel configure` in another shell) is named
        // so on the status line; its zone and currency never change.
        func followHotelName() {
            guard let current = reading("hotel", { try store.hotel() }) ?? nil else { return }
            if current.name != model.state.info.hotelName { model.setHotelName(current.name) }
            // The no-show question names the fee: a manager may change it while the desk is open.
            if current.noShowPolicy.fee != model.state.info.noShowFee { model.setNoShowFee(current.noShowPolicy.fee) }
        }
        let clockFormat = DateFormatter()
        clockFormat.dateFormat = "HH:mm"
        clockFormat.timeZone = hotel.timeZone
        while true {
            let clock = clockFormat.string(from: Date())
            if clock != model.state.clock {
                model.setClock(clock)
                // Once a minute: has the hotel's day turned over since the desk opened?
                if let today = try? store.businessDate() {
                    model.setBusinessDate(today, nightUnderWay: hotel.nightUnderWay(at: Date(), businessDate: today))
                }
                followHotelName()
                dirty = true
            }
            if dirty {
                let (width, height) = terminal.size
                model.setViewSize(width: width, height: height)
                // Lists asked for by the keys just handled: queried off this thread.
                for load in model.takePendingLoads() { loader.submit(load) }
                terminal.paint(model.render(width: width, height: height))
                dirty = false
                trace?.painted()
            }
            var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
                               pollfd(fd: pipeEnds[0], events: Int16(POLLIN), revents: 0)]
            _ = poll(&descriptors, 2, 250)
            // The terminal went away (window closed, ssh dropped): leave instead of spinning.
            if descriptors[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return }
            // Always ask for input: a resize (SIGWINCH) only interrupts poll, and ncurses reports it
            // as KEY_RESIZE on the next read.
            // One batch, in order: a resize in it applies to the keys after it, not only at the next paint.
            let inputs = terminal.pendingInput()
            if !inputs.isEmpty {
                trace?.keyRead()
                dirty = true
                let (outcome, resized) = model.handle(inputs)
                if resized { terminal.invalidate() }
                if outcome == .quit { return }
            }
            if descriptors[1].revents != 0 {
                var bytes = [UInt8](repeating: 0, count: 64)
                var woken = Set<UInt8>()
                while case let count = Glibc.read(pipeEnds[0], &bytes, bytes.count), count > 0 { woken.formUnion(bytes[0..<count]) }
                if woken.contains(UInt8(ascii: "q")) { return }
                if woken.contains(UInt8(ascii: "i")) {
                    if model.interrupted() == .quit { return }
                    dirty = true
                }
                if woken.contains(UInt8(ascii: "c")) {
                    terminal.resumed()
                    dirty = true
                }
                if woken.contains(UInt8(ascii: "l")) {
                    for answer in loader.takeFinished() {
                        if let problem = failure(of: answer.outcome) { log.error("\(answer.outcome.key) failed: \(problem)") }
                        model.finish(answer.outcome, generation: answer.generation)
                    }
                    dirty = true
                }
                if woken.contains(UInt8(ascii: "r")) {
                    model.availabilityChanged()
                    followHotelName()
                    dirty = true
                }
            }
            if Date().timeIntervalSince(lastCheck) >= 0.5 {
                lastCheck = Date()
                // Another desk or a `frontdesk` command wrote to the file: look again.
                if let marker = reading("change marker", { try store.changeMarker() }), marker != lastMarker {
                    lastMarker = marker
                    model.availabilityChanged()
                    followHotelName()
                    dirty = true
                }
                let counts = reading("bookings in progress") { try store.sagaCounts() } ?? (underWay: 0, needingAttention: 0)
                let work = Self.backgroundWork(underWay: counts.underWay, needingAttention: counts.needingAttention,
                                               paymentNotice: runner.paymentServiceNotice)
                if work != model.state.backgroundWork || counts.underWay != model.state.bookingsInProgress {
                    model.setBackgroundWork(work, bookingsInProgress: counts.underWay)
                    dirty = true
                }
                if let syncThread {
                    let seen = syncThread.seen.withLock { seen in
                        defer { seen.news.removeAll() }
                        return seen
                    }
                    if let news = seen.news.last {
                        // The server renamed a pushed booking: the receptionist tells the guest.
                        model.setNotice(news + (seen.news.count > 1 ? " (and \(seen.news.count - 1) more in the log)" : ""))
                        dirty = true
                    }
                    let status = reading("sync status") {
                        try Self.syncStatus(store: store, online: seen.online, lastSync: seen.lastSync, timeZone: hotel.timeZone,
                                            needsSignIn: seen.needsSignIn, needsReconnect: seen.needsReconnect,
                                            notAFrontDeskServer: seen.notAFrontDeskServer)
                    } ?? nil
                    if let status, status != model.state.sync {
                        // Something new waits to be sent: push it now, not in half a second.
                        if status.pendingOperations > (model.state.sync?.pendingOperations ?? 0) { syncThread.nudge() }
                        model.setSync(status)
                        dirty = true
                    }
                    // A refusal said at the top of every screen goes once no conflict is left to
                    // settle, whoever settled it, looked at every half second (not only when the
                    // status changed: a refusal said after another process had resolved it stayed).
                    if let status, status.conflicts == 0, Self.saysARefusal(model.state.notice) {
                        model.setNotice(nil)
                        dirty = true
                    }
                }
            }
        }
    }

    /// A booking held just before the desk was left: its saga (a desk payment) normally ends in a
    /// moment; waited for a few seconds so the line says Confirmed rather than Reserving.
    static func settledSummary(of held: Booking, store: FrontDeskStore) -> String? {
        let giveUp = Date().addingTimeInterval(5)
        var current = held
        while current.status == .reserving || current.status == .processingPayment, Date() < giveUp {
            Thread.sleep(forTimeInterval: 0.05)
            guard let read = try? store.booking(held.id.uuidString) else { break }
            current = read
        }
        let next = current.status == .reserving || current.status == .processingPayment
            ? "; its payment goes on when a desk or `frontdesk saga run` runs" : ""
        return "Saved: booking \(current.confirmationCode) for \(current.guest.name), room \(current.roomNumber), "
            + "\(current.stay.checkIn) to \(current.stay.checkOut) (\(current.status.rawValue)\(next))"
    }

    /// The end of the notice of a booking the server refused (`ConnectedDesk`'s sync round).
    public static let settleOnConflicts = "settle it on Conflicts (F8)"

    /// Whether the notice at the top of the screens is a server's refusal, which goes once no
    /// conflict is open. Looked for anywhere in it: a round with several refusals (a booking and
    /// the change made to it after) says the last with "(and 1 more in the log)" after it, and
    /// such a notice stayed after the conflict was resolved (a night shift's review, session 61).
    public static func saysARefusal(_ notice: String?) -> Bool {
        notice?.contains(settleOnConflicts) == true
    }

    /// The status line's "background:" words: what a receptionist must know about card payments
    /// first (the service unreachable or slow, refunds that need a person), then the sagas under way.
    public static func backgroundWork(underWay: Int, needingAttention: Int, paymentNotice: String?) -> String {
        var parts: [String] = []
        if let paymentNotice { parts.append(paymentNotice) }
        if needingAttention > 0 {
            parts.append("\(needingAttention) payment\(needingAttention == 1 ? " needs" : "s need") attention (frontdesk saga status)")
        }
        parts.append(underWay == 0 ? "idle" : "\(underWay) booking\(underWay == 1 ? "" : "s") in progress")
        return parts.joined(separator: " · ")
    }

    /// A list query's error, for the log (the screen shows it on its message line; failed writes
    /// are logged by `services`).
    static func failure(of outcome: LoadOutcome) -> String? {
        switch outcome {
        case .bookings(.failure(let error)):
            // A date typed out of range is the receptionist's to fix, not a failure to log.
            if case .validationFailed? = error as? FrontDeskError { nil } else { "\(error)" }
        case .today(.failure(let error)): "\(error)"
        case .roomPlan(.failure(let error)): "\(error)"
        case .dashboard(.failure(let error)): "\(error)"
        default: nil
        }
    }

    /// The screens' view of the store.
    public static func services(store: FrontDeskStore, user: String, cardPayments: Bool, log: Logger? = nil) -> DeskServices {
        /// A desk action that failed: the screen says so; the log keeps it.
        @Sendable func logged<T>(_ action: String, _ body: () throws -> T) throws -> T {
            do {
                return try body()
            } catch {
                log?.notice("\(action) failed: \(error)")
                throw error
            }
        }
        // A cancel's words about paying back, kept for the screen that asked for the cancel. (A
        // connected desk's cancels go through its link and say nothing here: the server pays.)
        let refundNotes = Mutex<[UUID: String]>([:])
        return DeskServices(
            search: { checkIn, checkOut, guests in
                let result = try store.search(checkIn: checkIn, checkOut: checkOut, guests: guests)
                return SearchAnswer(query: result.query, offers: result.offers, withheld: result.withheld)
            },
            book: { form, payment, requestId in
                try logged("booking room \(form.roomNumber)") { try store.reserve(form, requestId: requestId, payment: payment, by: user) }
            },
            booking: { id in try store.booking(id.uuidString) },
            findBookings: { query in
                try store.findBookings(BookingFilter(from: query.from, to: query.to, status: query.status,
                                                 guestText: query.text.isEmpty ? nil : query.text, limit: 120))
            },
            dayLists: { date in try store.dayLists(on: date) },
            checkedInDue: { date in try store.checkedInDue(onOrBefore: date) },
            cancel: { id in
                try logged("cancel of booking \(id)") {
                    // What this cancel recorded about paying back, read from its own audit lines
                    // only (an older cancel's refund, undone since, must not be said again).
                    let before = (try? store.changeMarker()) ?? Int64.max
                    let cancelled = try store.cancel(id.uuidString, reason: nil, by: user)
                    let words = refundWords(of: id, since: before, store: store)
                    refundNotes.withLock { $0[id] = words } // nil clears an older cancel's words
                    return cancelled
                }
            },
            checkIn: { id in try logged("check-in of booking \(id)") { try store.checkIn(id.uuidString, by: user) } },
            checkOut: { id in try logged("check-out of booking \(id)") { try store.checkOut(id.uuidString, by: user) } },
            cardPaymentsAvailable: cardPayments,
            settingsFile: DeskSettings.filePath(ProcessInfo.processInfo.environment),
            change: { id, change in
                try logged("change of booking \(id)") {
                    let reference = id.uuidString
                    switch change {
                    case .edit(let edit, let version):
                        return try store.changeBooking(reference, edit, ChangeRequest(expectedVersion: version, user: user))
                    case .move(let room, let version):
                        return try store.move(reference, toRoom: room, reason: nil, reprice: false,
                                              ChangeRequest(expectedVersion: version, user: user))
                    case .noShow(let version):
                        return try store.markNoShow(reference, ChangeRequest(expectedVersion: version, user: user))
                    case .undoCheckIn(let version):
                        return try store.undoCheckIn(reference, reason: nil, ChangeRequest(expectedVersion: version, user: user))
                    case .undoCheckOut(let version):
                        return try store.undoCheckOut(reference, reason: nil, ChangeRequest(expectedVersion: version, user: user))
                    case .undoNoShow(let version):
                        return try store.undoNoShow(reference, reason: nil, ChangeRequest(expectedVersion: version, user: user))
                    }
                }
            },
            bookingByReference: { reference in try store.booking(reference) },
            refundWords: { id in refundNotes.withLock { $0.removeValue(forKey: id) } },
            roomType: { id in try store.room(id: id)?.type },
            nightIsUnsold: { night, booking in (try? store.nightIsUnsold(night, inRoomOf: booking)) ?? false })
    }

    /// What a cancel recorded about paying the guest back, among the booking's audit lines after
    /// `since` (the change marker before it): the refund line (a desk refund names its amount and
    /// says it is paid at the desk; a refund the server makes once the cancel reaches it), or a
    /// card refund the payment service has yet to make. Nil when the cancel paid nothing back.
    static func refundWords(of id: UUID, since: Int64, store: FrontDeskStore) -> String? {
        guard let trail = try? store.auditTrail(bookingReference: id.uuidString, limit: 20) else { return nil }
        let recorded = trail.filter { $0.id > since }
        // Its own refund lines, or the server's (a connected desk keeps them: `keepServerHistory`).
        if let refund = recorded.first(where: { ["booking.refunded", "booking.refundAwaitsServer", "booking.refundQueued"].contains($0.action)
                                                 || ($0.action == "server.recorded" && SagaCallOutcome.saysARefund($0.summary)) }) {
            return refund.summary.prefix(1).uppercased() + refund.summary.dropFirst()
        }
        if let saga = try? store.saga(id.uuidString), saga.pendingMessages.contains(where: { $0.name == "ProcessRefund" }) {
            return "The card payment is being refunded by the payment service"
        }
        return nil
    }

    /// The room plan's and the dashboard's view of the store; exports go to `exportDirectory`
    /// (default: the current directory).
    public static func managerServices(store: FrontDeskStore, exportDirectory: String?) -> ManagerServices {
        ManagerServices(
            roomPlan: { first, nights in try store.roomPlan(from: first, nights: nights) },
            occupancy: { from, through in try store.occupancyReport(from: from, through: through) },
            export: { fileName, contents in
                let folder = URL(fileURLWithPath: exportDirectory ?? FileManager.default.currentDirectoryPath, isDirectory: true)
                let file = folder.appendingPathComponent(fileName)
                var isFolder: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder), isFolder.boolValue else {
                    throw FrontDeskError.notFound("The export folder \(folder.path) does not exist")
                }
                // Written beside the target and renamed into place: a file is whole or absent.
                try Data(contents.utf8).write(to: file, options: .atomic)
                return file.path
            })
    }

    /// The rooms screen's view of the store.
    public static func roomServices(store: FrontDeskStore, user: String) -> RoomServices {
        RoomServices(
            rooms: { try store.rooms().map { RoomRow(room: $0.room, type: $0.type) } },
            roomTypes: { try store.roomTypes() },
            addRoom: { number, typeName in
                let added = try store.addRoom(number: number, typeName: typeName, by: user)
                return RoomRow(room: added.room, type: added.type)
            },
            renameRoom: { number, newNumber in _ = try store.renameRoom(number, to: newNumber, by: user) },
            setActive: { number, active in
                _ = active ? try store.activateRoom(number, by: user) : try store.deactivateRoom(number, by: user)
            },
            addRoomType: { name, capacity, price in
                let typed = try RoomType.parse(name: name, capacity: capacity, basePrice: price)
                _ = try store.addRoomType(name: typed.name, capacity: typed.capacity, basePrice: typed.basePrice, by: user)
            },
            changeRoomType: { id, name, capacity, price in
                _ = try store.changeRoomType(id: id, try RoomTypeChange(typedName: name, capacity: capacity, basePrice: price), by: user)
            },
            bookingsHoldingRoom: { number in try store.bookingsHoldingRoom(number) })
    }

    /// Said on a connected desk's Rooms screen when a change key is pressed: its rooms and room
    /// types are the booking server's (the store refuses to change them in the replica), changed
    /// through the server's API; there is no `frontdesk-server` command for rooms.
    public static let roomsChangedOnTheServer = "Rooms are changed on the booking server, not on this desk: a manager's "
        + "POST /api/hotels/…/rooms, PATCH /api/rooms/… or …/room-types. This desk shows the server's rooms and types, "
        + "taken up at each sync."

    /// A connected desk's Rooms screen: the rooms and types of its replica, listed as a standalone
    /// desk lists its own (which are out of service, what each type sleeps and costs); every
    /// change refused with `roomsChangedOnTheServer`.
    public static func serverRoomServices(store: FrontDeskStore) -> RoomServices {
        RoomServices(changesRefusedBecause: roomsChangedOnTheServer,
                     rooms: { try store.rooms().map { RoomRow(room: $0.room, type: $0.type) } },
                     roomTypes: { try store.roomTypes() })
    }

    private static func installSignalHandlers() {
        // A parent may have blocked these (some launchers do); the desk needs them all.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        for signalNumber in [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGCONT] { sigaddset(&wanted, signalNumber) }
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        // Back from a suspend: the loop turns bracketed paste on again (`NcursesTerminal.resumed`).
        signal(SIGCONT) { _ in
            var byte: UInt8 = UInt8(ascii: "c")
            _ = Glibc.write(wakeDescriptor, &byte, 1)
        }
        // SIGTERM and SIGHUP quit through the loop, which restores the terminal on its way out;
        // Ctrl-C asks first, as F10 does, when typed work would be lost.
        for signalNumber in [SIGTERM, SIGHUP] {
            signal(signalNumber) { _ in
                var byte: UInt8 = UInt8(ascii: "q")
                _ = Glibc.write(wakeDescriptor, &byte, 1)
            }
        }
        signal(SIGINT) { _ in
            var byte: UInt8 = UInt8(ascii: "i")
            _ = Glibc.write(wakeDescriptor, &byte, 1)
        }
        // A crash restores the terminal before the process dies as it would have.
        for signalNumber in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            signal(signalNumber) { number in
                if activeTerminal { endwin() }
                signal(number, SIG_DFL)
                raise(number)
            }
        }
    }
}

nonisolated(unsafe) private var activeTerminal = false

/// Runs the desk's list queries one after another on a thread of their own and hands the
/// outcomes back to the UI loop, which it wakes. A request made moot by a newer one for the same
/// list (the receptionist typed on) is skipped before it runs; an answer that is in is always
/// handed over, so a list is never starved by requests coming faster than answers.
public final class BackgroundLoader: Sendable {
    private let queue = DispatchQueue(label: "frontdesk.list-queries", qos: .userInitiated)
    private let newest = Mutex<[LoadKey: Int]>([:])
    private let finished = Mutex<[(generation: Int, outcome: LoadOutcome)]>([])
    /// Once stopped (the desk is closing its pipe), answers still coming are dropped silently.
    private let wake: Mutex<(@Sendable () -> Void)?>

    public init(wake: @escaping @Sendable () -> Void) { self.wake = Mutex(wake) }

    public func submit(_ load: PendingLoad) {
        newest.withLock { $0[load.key] = load.generation }
        queue.async { [self] in
            guard newest.withLock({ $0[load.key] == load.generation }) else { return }
            let outcome = load.run()
            finished.withLock { $0.append((load.generation, outcome)) }
            wake.withLock { $0?() }
        }
    }

    public func takeFinished() -> [(generation: Int, outcome: LoadOutcome)] {
        finished.withLock { answers in
            defer { answers.removeAll() }
            return answers
        }
    }

    /// Returns once every query and write submitted so far has run (the queue is serial).
    public func waitForQueuedWork() { queue.sync {} }

    /// No more wake-ups: called before the pipe they write to is closed.
    public func stop() { wake.withLock { $0 = nil } }
}

/// `--trace-frames FILE`: one line per painted frame, for the benchmark. The first line is the
/// time from process start to the first paint; then, for frames that answer a key, the time
/// from reading the key to the end of painting.
final class FrameTrace {
    private let handle: FileHandle
    private var keyAt: TimeInterval?
    private var firstPaintDone = false

    init?(path: String) {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            return nil
        }
        self.handle = handle
    }

    func keyRead() { keyAt = ProcessInfo.processInfo.systemUptime }

    func painted() {
        let now = ProcessInfo.processInfo.systemUptime
        if !firstPaintDone {
            firstPaintDone = true
            if let started = Self.processStartUptime() { write("first_paint_ms \(Self.milliseconds(now - started))") }
        }
        if let keyAt {
            write("key_to_paint_ms \(Self.milliseconds(now - keyAt))")
            self.keyAt = nil
        }
    }

    private func write(_ line: String) { handle.write(Data((line + "\n").utf8)) }

    static func milliseconds(_ seconds: TimeInterval) -> String { String(format: "%.3f", seconds * 1000) }

    /// Seconds since boot at which this process started (/proc/self/stat, field 22).
    static func processStartUptime() -> TimeInterval? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ") else { return nil }
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]) else { return nil }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
