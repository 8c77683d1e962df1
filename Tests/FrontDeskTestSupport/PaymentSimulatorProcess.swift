import Foundation
import Testing

/// `frontdesk payment-sim --port 0 --json` started as a real process, with the address it printed
/// (its first JSON object on stdout). The command-line tests and the sync tests start it this way.
public enum PaymentSimulatorProcess {
    /// Starts `frontdesk` (the binary's path) as `payment-sim` with `arguments` after the usual
    /// ones; stderr goes to /dev/null. The caller terminates the process.
    public static func start(_ frontdesk: URL, _ arguments: [String] = [], environment: [String: String]? = nil) throws
        -> (process: Process, url: String) {
        let process = Process()
        process.executableURL = frontdesk
        process.arguments = ["payment-sim", "--port", "0", "--json"] + arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        // One line, as `--json` promises a script that reads one.
        var text = ""
        while !text.contains("\n") {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        return (process, try #require(object?["url"] as? String, "payment-sim printed \(text)"))
    }
}
