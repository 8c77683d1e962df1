import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskPayments
import FrontDeskStore
import FrontDeskTerminal

/// `frontdesk` with no subcommand: the full-screen front desk.
struct Desk: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desk", abstract: "Open the front desk in this terminal (the default); connect it to a booking server.",
        subcommands: [DeskConnect.self, DeskDisconnect.self, DeskStatus.self])

    @OptionGroup var common: CommonOptions
    @Option(help: "Colour theme: dark (default), light, high-contrast, mono, or a file name in themes/.")
    var theme: String?
    @Option(name: .customLong("trace-frames"), help: "Write frame timings to this file (for the benchmark).")
    var traceFrames: String?

    func run() throws {
        do {
            guard let store = try openOrOfferDemo() else { return }
            let settings = DeskSettings.load()
            let (chosen, themeNotice) = ThemeLoader.load(name: theme ?? settings.theme)
            // Shown on the desk's screen and written to its log, never printed on the terminal the
            // desk then covers (and leaves behind when it ends): both when both are wrong.
            let notices = [settings.notice, themeNotice].compactMap { $0 }
            let notice = notices.isEmpty ? nil : notices.joined(separator: "; ")
            let log = DeskLog.logger()
            for line in notices { log.notice("\(line)") }
            let link = try ConnectedDesk.open(store, common: common)?.link(user: common.userName, log: { log.notice("\($0)") },
                                                                          reopen: { [common] in try? ConnectedDesk.open(store, common: common) })
            try DeskTerminalApp.run(store: store, user: common.userName, gateway: try common.paymentGateway(),
                                    theme: chosen, notice: notice, traceFrames: traceFrames,
                                    exportDirectory: settings.exportDirectory, log: log, connected: link)
        } catch {
            throw Output.report(error, json: false)
        }
    }

    /// Opens the database; an empty one offers the demo hotel. Declined, a file (and folder) that
    /// this run created is removed again: nothing is left behind but the answer.
    private func openOrOfferDemo() throws -> FrontDeskStore? {
        let newFile = NewDatabaseFile(path: common.databasePath)
        do {
            // The desk reads while its writes run off the UI thread: the pool.
            let store = try common.openStore(oneConnection: false)
            if try store.hotel() != nil { return store }
            if try offerDemoHotel(store) { return store }
        }
        // The store is closed here (its last reference went with the block above).
        newFile.removeIfMadeHere()
        return nil
    }

    /// An empty database: ask before creating the demo hotel, so the first run shows a working desk.
    private func offerDemoHotel(_ store: FrontDeskStore) throws -> Bool {
        print("This database (\(Output.safe(store.path))) has no hotel yet.")
        print("Create the demo hotel (120 rooms, a year of bookings)? [Y/n] ", terminator: "")
        let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? "n"
        guard answer.isEmpty || answer == "y" || answer == "yes" else {
            print("Nothing created. `frontdesk hotel create` sets up your own hotel; `frontdesk demo` the demo one.")
            return false
        }
        let now = Date()
        let generator = DemoHotelGenerator(roomCount: 120, days: 365, occupancy: 0.7, seed: 1,
                                           businessDate: DemoHotelGenerator.businessDate(at: now, override: common.todayOverride),
                                           now: now)
        print("Creating the demo hotel...")
        try store.importDemo(generator.generate(), replacing: false, by: common.userName)
        return true
    }
}

extension CommonOptions {
    /// FRONTDESK_TODAY when it is a date (`openStore` reports one that is not).
    var todayOverride: CalendarDate? {
        ProcessInfo.processInfo.environment["FRONTDESK_TODAY"].flatMap { CalendarDate(iso: $0) }
    }
}
