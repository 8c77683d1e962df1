import Foundation
import FrontDeskTestSupport
import Testing

/// Runs the real `frontdesk` binary against a real database file in a temporary folder.
struct CLIHarness {
    let folder: URL
    var database: String { folder.appendingPathComponent("desk.sqlite").path }
    var environment: [String: String]

    init(today: String = "2026-11-26") throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["FRONTDESK_TODAY"] = today
        environment["FRONTDESK_DB"] = folder.appendingPathComponent("desk.sqlite").path
        self.environment = environment
    }

    /// What a run of the binary printed (shared with the sync tests).
    typealias Outcome = FrontDeskTestSupport.Outcome

    /// The binary next to the test bundle (SwiftPM builds it because the tests depend on it).
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["FRONTDESK_BIN"] { return URL(fileURLWithPath: path) }
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("frontdesk")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("frontdesk")
    }

    func start(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (Process, Pipe, Pipe) {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.environment = environment.merging(extra) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        return (process, out, err)
    }

    static func finish(_ started: (Process, Pipe, Pipe)) -> Outcome {
        Outcome.finish(started.0, stdout: started.1, stderr: started.2)
    }

    @discardableResult
    func run(_ arguments: String..., environment extra: [String: String] = [:]) throws -> Outcome {
        Self.finish(try start(arguments, environment: extra))
    }

    /// `frontdesk payment-sim --port 0 --json ARGUMENTS` started, with the address it printed.
    func startPaymentSimulator(_ arguments: [String] = []) throws -> (process: Process, url: String) {
        try PaymentSimulatorProcess.start(Self.binary, arguments, environment: environment)
    }

    /// A small hotel built through the command line: Double rooms 101-105, Family 201.
    func smallHotel() throws {
        try expectSuccess(run("hotel", "create", "--name", "Pension Zoë", "--time-zone", "Europe/Vienna", "--currency", "EUR"))
        try expectSuccess(run("room-types", "add", "--name", "Double", "--capacity", "2", "--price", "100.00"))
        try expectSuccess(run("room-types", "add", "--name", "Family", "--capacity", "4", "--price", "180.00"))
        for number in ["101", "102", "103", "104", "105"] { try expectSuccess(run("rooms", "add", number, "--type", "Double")) }
        try expectSuccess(run("rooms", "add", "201", "--type", "Family"))
    }

    func expectSuccess(_ outcome: Outcome, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(outcome.status == 0, "failed: \(outcome.stderr)", sourceLocation: sourceLocation)
    }
}
