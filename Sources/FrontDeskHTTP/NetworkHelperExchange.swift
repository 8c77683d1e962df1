import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// HTTP through the network helper process `frontdesk-net`, which runs URLSession.
///
/// Why a second process: linking FoundationNetworking pulls libcurl and its TLS, Kerberos and LDAP
/// chain into every start of `frontdesk`, and the dynamic loader then costs more than the work of a
/// search (see BENCHMARKS.md). Most commands never touch the network, so the desk binary links no
/// networking at all and starts the helper on its first HTTP call. The helper lives as long as its
/// stdin: it exits when this process closes the pipe or dies.
///
/// Calls run concurrently in the helper; a call whose helper dies or hangs fails as "may have
/// reached the service", so money is settled by idempotency key, never assumed unsent.
public final class NetworkHelperExchange: HTTPExchange {
    /// The one helper a process shares.
    public static let shared = NetworkHelperExchange()

    private let executable: String?
    private let state = Mutex(State())
    private let writeLock = Mutex(())

    private struct State {
        var helper: Helper?
        var nextId = 1
        var waiting: [Int: Waiter] = [:]
    }

    private struct Helper {
        let pid: pid_t
        let input: Int32     // we write requests here (the helper's stdin)
        let generation: Int
    }

    private let generation = Atomic<Int>(0)

    /// `executable` nil: `FRONTDESK_NET_HELPER` if set, else `frontdesk-net` beside this program.
    public init(executable: String? = nil) {
        self.executable = executable
    }

    public static func defaultExecutable(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["FRONTDESK_NET_HELPER"], !path.isEmpty { return path }
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments.first ?? "frontdesk"
        return URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("frontdesk-net").path
    }

    public func perform(_ call: HTTPCall) -> HTTPCallResult {
        let waiter = Waiter()
        let started: Result<(Int, Helper), HTTPFailure> = state.withLock { state in
            if state.helper == nil {
                switch spawnHelper() {
                case .success(let helper): state.helper = helper
                case .failure(let failure): return .failure(failure)
                }
            }
            let id = state.nextId
            state.nextId += 1
            state.waiting[id] = waiter
            return .success((id, state.helper!))
        }
        guard case .success(let (id, helper)) = started else {
            if case .failure(let failure) = started { return .failed(failure) }
            return .failed(HTTPFailure(kind: .notSent, message: "network helper unavailable"))
        }
        guard let frame = try? NetworkHelperWire.frame(NetworkHelperWire.Request(id: id, call: call)) else {
            _ = state.withLock { $0.waiting.removeValue(forKey: id) }
            return .failed(HTTPFailure(kind: .notSent, message: "the request could not be encoded"))
        }
        if !writeAll(frame, to: helper.input) {
            // The helper is gone before it read anything of ours: this call surely did not go out.
            helperStopped(helper, reason: "the network helper stopped")
            _ = state.withLock { $0.waiting.removeValue(forKey: id) }
            return .failed(HTTPFailure(kind: .notSent, message: "the network helper stopped before the request was sent"))
        }
        // The helper enforces the call's timeout; the margin only covers a helper that hangs.
        if let result = waiter.wait(seconds: call.timeout + 10) { return result }
        _ = state.withLock { $0.waiting.removeValue(forKey: id) }
        return .failed(HTTPFailure(kind: .timedOut, message: "the network helper did not answer in time"))
    }

    private func writeAll(_ data: Data, to fd: Int32) -> Bool {
        writeLock.withLock { _ in PipeIO.writeAll(data, to: fd) }
    }

    /// Fails every call still waiting on `helper` and forgets it, so the next call starts a new one.
    private func helperStopped(_ helper: Helper, reason: String) {
        let orphans: [Waiter] = state.withLock { state in
            guard state.helper?.generation == helper.generation else { return [] }
            state.helper = nil
            let all = Array(state.waiting.values)
            state.waiting = [:]
            return all
        }
        close(helper.input)
        for waiter in orphans { waiter.finish(.failed(HTTPFailure(kind: .other, message: reason))) }
    }

    private func spawnHelper() -> Result<Helper, HTTPFailure> {
        let path = executable ?? Self.defaultExecutable()
        guard access(path, X_OK) == 0 else {
            return .failure(HTTPFailure(kind: .notSent, message: "the network helper \(path) is missing; reinstall Front Desk"))
        }
        // A write to a helper that just died must fail with EPIPE, not kill this process.
        signal(SIGPIPE, SIG_IGN)
        var toHelper: [Int32] = [0, 0]
        var fromHelper: [Int32] = [0, 0]
        guard Self.closeOnExecPipe(&toHelper) else { return .failure(Self.systemFailure("pipe")) }
        guard Self.closeOnExecPipe(&fromHelper) else {
            close(toHelper[0]); close(toHelper[1])
            return .failure(Self.systemFailure("pipe"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toHelper[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromHelper[1], 1)
        // Its stderr must never land on the desk's screen.
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        defer { for argument in argv { free(argument) } }
        let spawned = posix_spawn(&pid, path, &actions, nil, argv, environ)
        close(toHelper[0])
        close(fromHelper[1])
        guard spawned == 0 else {
            close(toHelper[1]); close(fromHelper[0])
            return .failure(HTTPFailure(kind: .notSent, message: "the network helper \(path) could not start: \(String(cString: strerror(spawned)))"))
        }
        let helper = Helper(pid: pid, input: toHelper[1], generation: generation.add(1, ordering: .relaxed).newValue)
        let output = fromHelper[0]
        let reader = Thread { [weak self] in self?.readAnswers(from: output, helper: helper) }
        reader.name = "frontdesk-net reader"
        reader.start()
        return .success(helper)
    }

    private func readAnswers(from fd: Int32, helper: Helper) {
        PipeIO.readFrames(from: fd) { header, body in
            guard let answer = try? NetworkHelperWire.answer(header: header, body: body) else { return }
            let waiter = state.withLock { $0.waiting.removeValue(forKey: answer.id) }
            waiter?.finish(answer.result)
        }
        close(fd)
        helperStopped(helper, reason: "the network helper stopped during the call")
        var status: Int32 = 0
        _ = waitpid(helper.pid, &status, 0)
    }

    /// A pipe that no other child inherits: the helper must see end of file when this process goes.
    /// (pipe2 is not visible to Swift here; the helper is spawned under the state lock, so no
    /// other spawn of ours races between pipe and fcntl.)
    private static func closeOnExecPipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func systemFailure(_ what: String) -> HTTPFailure {
        HTTPFailure(kind: .notSent, message: "\(what) failed: \(String(cString: strerror(errno)))")
    }
}

/// One caller waiting for its answer.
private final class Waiter: Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let slot = Mutex<HTTPCallResult?>(nil)

    func finish(_ result: HTTPCallResult) {
        let first = slot.withLock { value -> Bool in
            guard value == nil else { return false }
            value = result
            return true
        }
        if first { done.signal() }
    }

    func wait(seconds: Double) -> HTTPCallResult? {
        _ = done.wait(timeout: .now() + seconds)
        return slot.withLock { $0 }
    }
}
