import Foundation

/// A tmux server of its own (socket named per test) for driving the real desk in a real terminal.
public struct Tmux {
    public let socket = "frontdesk-test-\(UUID().uuidString.prefix(8))"

    public init() {}

    /// Runs a tmux client with posix_spawn and waitpid. Foundation's Process cannot be used: the
    /// tmux server forks from the first client and inherits what Process watches for the
    /// child's exit, so waiting for that client would never end.
    @discardableResult
    public func run(_ arguments: String...) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket)-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = (["tmux", "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The test runner's threads block signals; tmux and the desk must not inherit that mask.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        guard posix_spawnp(&pid, "tmux", &actions, &attributes, argv, environ) == 0 else {
            throw CocoaError(.executableNotLoadable)
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    }

    public func screen() throws -> String { try run("capture-pane", "-p", "-t", "desk") }

    /// Waits up to `seconds` for the screen to satisfy `condition`; returns the last screen.
    public func waitFor(_ seconds: Double = 10, _ condition: (String) -> Bool) throws -> String {
        let giveUp = Date().addingTimeInterval(seconds)
        var last = try screen()
        while !condition(last) && Date() < giveUp {
            Thread.sleep(forTimeInterval: 0.05)
            last = try screen()
        }
        return last
    }
}
