import Foundation

/// A `frontdesk-server serve` started as a real process: the first line on its stdout says where
/// it listens (`listening on http://127.0.0.1:PORT`). Both the server tests and the sync tests
/// start it this way.
public enum ServerProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Starts `executable` with `arguments` (stderr to `errorLog`, else /dev/null) and waits for
    /// its first line; the process and the port it listens on.
    public static func start(_ executable: URL, _ arguments: [String], environment: [String: String],
                             errorLog: URL? = nil) throws -> (Process, Int) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        if let errorLog {
            _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
            process.standardError = try FileHandle(forWritingTo: errorLog)
        } else {
            process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        }
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw Failure(description: "the server ended before listening") }
            line.append(chunk)
        }
        let first = String(decoding: line, as: UTF8.self).split(separator: "\n")[0]
        guard first.hasPrefix("listening on http://127.0.0.1:"), let port = Int(first.split(separator: ":").last ?? "") else {
            throw Failure(description: "first line: \(first)")
        }
        return (process, port)
    }
}
