import ArgumentParser
import Foundation
import FrontDeskDomain
import FrontDeskScreens
import FrontDeskPayments
import FrontDeskStore

struct Saga: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "saga",
        abstract: "The booking workflow: run it, or see what is unfinished.",
        subcommands: [Run.self, Status.self, Retry.self], defaultSubcommand: Status.self)

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the saga runner in the foreground until interrupted.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            ForegroundService.holdStopSignals()
            do {
                let store = try common.openStore(oneConnection: false)
                let gateway = try common.paymentGateway()
                let runner = SagaRunner(store: store, gateway: gateway)
                let json = common.json
                store.subscribe { notification in
                    let line: String? = switch notification {
                    case .bookingConfirmed(let booking): "\(booking.confirmationCode) Confirmed"
                    case .bookingFailed(let booking): "\(booking.confirmationCode) Failed: \(booking.statusReason ?? "")"
                    case .bookingCancelled(let booking): "\(booking.confirmationCode) Cancelled"
                    case .roomAvailabilityChanged: nil
                    }
                    // Each line reaches a redirected file at once, so a runner killed by SIGKILL loses none.
                    if let line, !json { print(Output.safe(line)); fflush(nil) }
                }
                if !json {
                    print(Output.safe("Saga runner \(runner.name) on \(store.path); payment service: \(gateway?.statusDescription ?? "none (FRONTDESK_PAYMENT_URL unset: card payments wait)")"))
                    fflush(nil)
                }
                runner.start()
                ForegroundService.waitForInterrupt()
                runner.stop()
                if json { Output.printJSON(.object([("runner", .string(runner.name)), ("stopped", .bool(true))])) }
            } catch {
                throw Output.report(error, json: common.json)
            }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "status", abstract: "Unfinished sagas, their states and deadlines.")
        @OptionGroup var common: CommonOptions

        func run() throws {
            try common.run { store in
                let sagas = try store.unfinishedSagas()
                let runners = try store.runnerStatuses()
                let stamp = ISO8601DateFormatter()
                let json = JSONValue.object([
                    ("sagas", .array(sagas.map { saga in
                        .object([
                            ("bookingId", .string(saga.booking.id.uuidString.lowercased())),
                            ("confirmation", .string(saga.booking.confirmationCode)),
                            ("status", .string(saga.booking.status.rawValue)),
                            ("paymentMethod", .string(saga.paymentMethod.rawValue)),
                            ("deadline", .optional(saga.booking.holdExpiresAt.map(stamp.string(from:)))),
                            ("paymentInDoubt", .bool(saga.paymentInDoubt)),
                            ("attention", .optional(saga.attention)),
                            ("pending", .array(saga.pendingMessages.map { message in
                                .object([
                                    ("name", .string(message.name)), ("availableAt", .string(stamp.string(from: message.availableAt))),
                                    ("attempts", .int(message.attempts)), ("claimedBy", .optional(message.claimedBy)),
                                    ("lastError", .optional(message.lastError)),
                                ])
                            })),
                        ])
                    })),
                    ("runners", .array(runners.map { runner in
                        .object([("runner", .string(runner.runner)), ("paymentService", .string(runner.paymentService)),
                                 ("updatedAt", .string(stamp.string(from: runner.updatedAt)))])
                    })),
                ])
                var table = TextTable(headers: ["Code", "Status", "Paid by", "Deadline (UTC)", "Waiting for"])
                table.rows = sagas.map { saga in
                    let waiting = saga.pendingMessages.map { message in
                        let name = message.name == "ProcessPayment" && saga.paymentInDoubt && saga.booking.status != .processingPayment
                            ? "SettleUnknownCharge" : message.name
                        return "\(name)\(message.attempts > 0 ? " (try \(message.attempts + 1): \(message.lastError ?? ""))" : "")"
                    }
                    return [saga.booking.confirmationCode, saga.booking.status.rawValue, saga.paymentMethod.rawValue,
                            saga.booking.holdExpiresAt.map { Audit.when($0) } ?? "",
                            saga.attention.map { "NEEDS ATTENTION: \($0) (frontdesk saga retry \(saga.booking.confirmationCode))" }
                                ?? waiting.joined(separator: ", ")]
                }
                var text = sagas.isEmpty ? "No unfinished sagas." : table.safeRendered
                for runner in runners { text += "\nRunner \(runner.runner), \(Audit.when(runner.updatedAt)): \(runner.paymentService)" }
                return Output.Result(json: json, text: text)
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Try again a refund or payment settlement that stopped and needs attention.")
        @OptionGroup var common: CommonOptions
        @Argument(help: "Booking id or confirmation code.") var reference: String

        func run() throws {
            try common.run { store in
                let gateway = try common.paymentGateway()
                let booking = try store.retryStoppedPayment(reference, by: common.userName)
                if let gateway { try SagaRunner(store: store, gateway: gateway).runUntilRefunded(booking) }
                let saga = try store.saga(booking.id.uuidString)
                let text = saga.attention.map { "Booking \(booking.confirmationCode) still needs attention: \($0)" }
                    ?? (saga.pendingMessages.isEmpty ? "Booking \(booking.confirmationCode): settled"
                                                     : "Booking \(booking.confirmationCode): queued again for the saga runner")
                return Output.Result(json: .object([
                    ("bookingId", .string(booking.id.uuidString.lowercased())), ("confirmation", .string(booking.confirmationCode)),
                    ("settled", .bool(saga.attention == nil && saga.pendingMessages.isEmpty)), ("attention", .optional(saga.attention)),
                ]), text: text)
            }
        }
    }
}

struct PaymentSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-sim", abstract: "A payment service for tests and training, on 127.0.0.1.",
        discussion: """
            Test cards: \(PaymentSimulator.approveCard) approves, \(PaymentSimulator.declineCard) is declined, \
            \(PaymentSimulator.errorCard) answers HTTP 500, \(PaymentSimulator.slowCard) answers only after 60 s. \
            POST /charges, /refunds and /voids; GET /charges lists charges, refunds and voids per booking. \
            With --ledger the ledger is kept in that file across restarts; without it, in memory.
            """)

    @Option(help: "Port on 127.0.0.1 (0 picks a free one).") var port: UInt16 = 8099
    @Option(help: "Milliseconds added to every charge, refund and void, like a real processor.") var latency: Int = 0
    @Option(help: "A file that keeps the ledger across restarts (JSON lines; created if missing).") var ledger: String?
    @Flag(help: "Print one JSON line with the address once listening (or one JSON error).") var json = false

    func validate() throws {
        guard (0...60_000).contains(latency) else { throw ValidationError("--latency must be between 0 and 60000 milliseconds") }
    }

    func run() throws {
        ForegroundService.holdStopSignals()
        let simulator: PaymentSimulator
        do {
            simulator = try PaymentSimulator(port: port, latency: Double(max(0, min(latency, 60_000))) / 1000, ledgerPath: ledger)
        } catch {
            var standardError = FileHandle.standardError
            print("error: \(error.message)", to: &standardError)
            if json { Output.printJSON(Output.errorDocument(code: error.code, message: error.message, details: []), oneLine: true) }
            throw CommandFailure(exitCode: Output.exitCode(forCode: error.code))
        }
        simulator.start()
        if json {
            Output.printJSON(.object([("url", .string("http://127.0.0.1:\(simulator.port)"))]), oneLine: true)
        } else {
            print("Payment simulator on http://127.0.0.1:\(simulator.port)\(ledger.map { ", ledger \($0)" } ?? "") (Ctrl-C stops it)")
        }
        fflush(nil) // the address must reach a script reading our stdout before we block
        ForegroundService.waitForInterrupt()
        simulator.stop()
    }
}

/// Blocks until SIGINT or SIGTERM, so a foreground service can stop cleanly.
enum ForegroundService {
    static let stopSignals = [SIGINT, SIGTERM]

    /// Call first, before any thread is started: the stop signals are held for `waitForInterrupt`
    /// from then on (threads started later inherit the mask), so one that arrives early is not lost.
    static func holdStopSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in stopSignals { sigaddset(&set, signalNumber) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Blocks until SIGINT or SIGTERM arrives (or already arrived since `holdStopSignals`).
    static func waitForInterrupt() {
        var set = sigset_t()
        sigemptyset(&set)
        for signalNumber in stopSignals { sigaddset(&set, signalNumber) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        var received: Int32 = 0
        while sigwait(&set, &received) != 0 {}
    }
}
