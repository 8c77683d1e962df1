import Foundation
import Testing

/// A program run to its end: its exit status and what it printed. The command-line tests and the
/// sync tests run the real binaries this way.
public struct Outcome: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String

    /// The single JSON document on stdout.
    public var json: [String: Any] {
        get throws {
            let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8))
            return try #require(object as? [String: Any], "stdout is not a JSON object: \(stdout) (stderr: \(stderr))")
        }
    }

    /// Reads a started program's stdout and stderr to their end, both at once (a full stderr pipe
    /// must not hold up the program), and waits for it to exit.
    public static func finish(_ process: Process, stdout out: Pipe, stderr err: Pipe) -> Outcome {
        nonisolated(unsafe) var errorData = Data()
        let drained = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errorData = err.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let outputData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: outputData, as: UTF8.self),
                       stderr: String(decoding: errorData, as: UTF8.self))
    }
}

/// Runs a program to its end with optional standard input (none: an empty one, closed).
public func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String], input: String? = nil) throws -> Outcome {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    let out = Pipe(), err = Pipe(), stdin = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    return Outcome.finish(process, stdout: out, stderr: err)
}
