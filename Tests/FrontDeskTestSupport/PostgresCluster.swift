import Foundation
import Synchronization

/// A throwaway PostgreSQL cluster for the tests of one process: made in a temporary folder on
/// first use, shared by the process's tests (each takes a database of its own, `makeDatabase`),
/// stopped when the process exits. Plain processes (`initdb`, `pg_ctl`, `psql`), no client library.
///
/// PostgreSQL refuses to run as root: as root its programs run as the `postgres` user
/// (`runuser`), in a folder that user owns. A test process that dies without exiting (SIGKILL,
/// a crash) does not leave its cluster running: a watchdog started beside the cluster stops it
/// once the process is gone, and the next test process stops any cluster whose owner died.
public final class PostgresCluster: Sendable {
    public let folder: String
    public let port: Int
    /// The superuser `initdb -U` made; trust authentication on 127.0.0.1.
    public let user = "fd"
    let binaries: String
    private let databases = Atomic<Int>(0)

    /// The cluster of this test process, started on first use. A start that failed fails every
    /// test that asks, with the same message.
    public static func shared() throws -> PostgresCluster {
        let outcome = started.withLock { state -> Result<PostgresCluster, PostgresClusterError> in
            if let state { return state }
            let result: Result<PostgresCluster, PostgresClusterError>
            do {
                result = .success(try PostgresCluster())
            } catch let error as PostgresClusterError {
                result = .failure(error)
            } catch {
                result = .failure(PostgresClusterError("\(error)"))
            }
            state = result
            return result
        }
        return try outcome.get()
    }

    private static let started = Mutex<Result<PostgresCluster, PostgresClusterError>?>(nil)

    /// A new, empty database; its URL (`postgres://fd@127.0.0.1:PORT/NAME`).
    public func makeDatabase() throws -> String {
        let name = "test_\(getpid())_\(databases.wrappingAdd(1, ordering: .relaxed).newValue)"
        try psql("CREATE DATABASE \(name)")
        return "postgres://\(user)@127.0.0.1:\(port)/\(name)"
    }

    /// Runs one SQL command as the superuser on database `database`.
    public func psql(_ sql: String, database: String = "postgres") throws {
        let result = try Self.run(binaries + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", "\(port)", "-U", user,
                                                       "-d", database, "-c", sql], asPostgres: false)
        guard result.status == 0 else { throw PostgresClusterError("psql \(sql): \(result.output)") }
    }

    /// The first column of the first row of a query on database `database`, as psql prints it.
    public func value(_ sql: String, database: String) throws -> String {
        let result = try Self.run(binaries + "/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", "\(port)",
                                                       "-U", user, "-d", database, "-c", sql], asPostgres: false)
        guard result.status == 0 else { throw PostgresClusterError("psql \(sql): \(result.output)") }
        return result.output.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
    }

    /// An interactive psql on `database`, for a test that holds a transaction open (a lock, a
    /// row not yet committed) while the code under test runs in another session.
    public func interactive(database: String) throws -> PsqlSession {
        try PsqlSession(binaries + "/psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", "\(port)", "-U", user, "-d", database])
    }

    /// A cluster of its own, not shared with the process's other tests: for a test that stops and
    /// starts it (`stop()`, `start()`). Stopped when the process exits, as the shared one.
    public static func dedicated() throws -> PostgresCluster {
        try PostgresCluster()
    }

    /// Stops the server at once (`-m fast`: every session is cut), keeping its data and its port.
    public func stop() throws {
        let result = try Self.run(binaries + "/pg_ctl", ["-D", folder + "/data", "-m", "fast", "-w", "-t", "30", "stop"], asPostgres: getuid() == 0)
        guard result.status == 0 else { throw PostgresClusterError("pg_ctl stop: \(result.output)") }
    }

    /// Starts the server again on the same port, after `stop()`.
    public func start() throws {
        let result = try Self.run(binaries + "/pg_ctl", ["-D", folder + "/data", "-o", Self.options(folder: folder, port: port),
                                                         "-l", folder + "/log", "-w", "-t", "30", "start"], asPostgres: getuid() == 0)
        guard result.status == 0 else { throw PostgresClusterError("pg_ctl start: \(result.output)") }
    }

    /// Puts `lines` before pg_hba.conf's own (the first line that matches a connection decides how
    /// it signs in, or that it is refused) and has the server read the file again: for a test of
    /// a user who must give a password, or who is refused. Best on a dedicated cluster.
    public func prependToHostBasedAuthentication(_ lines: [String]) throws {
        let path = folder + "/data/pg_hba.conf"
        let current = try String(contentsOfFile: path, encoding: .utf8)
        // Written in place: the file keeps its owner and mode (the postgres user's, as root).
        guard let file = FileHandle(forWritingAtPath: path) else { throw PostgresClusterError("cannot write \(path)") }
        defer { try? file.close() }
        try file.truncate(atOffset: 0)
        try file.write(contentsOf: Data((lines.joined(separator: "\n") + "\n" + current).utf8))
        try psql("SELECT pg_reload_conf()")
        // The server reads the file when the signal arrives, a moment after the call answers.
        Thread.sleep(forTimeInterval: 0.5)
    }

    /// Tests need no durability: a cluster that loses its data in a power cut is thrown away anyway.
    private static func options(folder: String, port: Int) -> String {
        "-k \(folder) -h 127.0.0.1 -p \(port) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    }

    /// The Debian packages, named when the programs are missing.
    public static let packages = "postgresql postgresql-contrib"

    private init() throws {
        guard let binaries = Self.findBinaries() else {
            throw PostgresClusterError("""
                PostgreSQL is not installed: no /usr/lib/postgresql/*/bin/initdb. The PostgreSQL tests need PostgreSQL 15 \
                (Debian: apt-get install \(Self.packages); .ci/run installs them)
                """)
        }
        self.binaries = binaries
        let asPostgres = getuid() == 0
        Self.stopAbandonedClusters(binaries: binaries, asPostgres: asPostgres)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-pg-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try String(getpid()).write(toFile: folder + ".owner", atomically: true, encoding: .utf8)
        if asPostgres {
            guard chown(folder, Self.postgresUser.uid, Self.postgresUser.gid) == 0 else {
                throw PostgresClusterError("cannot give \(folder) to the postgres user: \(String(cString: strerror(errno)))")
            }
        }
        self.folder = folder
        let initdb = try Self.run(binaries + "/initdb", ["-D", folder + "/data", "-A", "trust", "-U", user, "--no-sync", "-E", "UTF8", "--no-locale"], asPostgres: asPostgres)
        guard initdb.status == 0 else { throw PostgresClusterError("initdb failed: \(initdb.output)") }
        var lastFailure = ""
        for _ in 0..<5 {
            let port = Self.freePort()
            let options = Self.options(folder: folder, port: port)
            let start = try Self.run(binaries + "/pg_ctl", ["-D", folder + "/data", "-o", options, "-l", folder + "/log", "-w", "-t", "30", "start"],
                                     asPostgres: asPostgres)
            if start.status == 0 {
                self.port = port
                Self.watch(folder: folder, binaries: binaries, asPostgres: asPostgres)
                return
            }
            lastFailure = start.output + ((try? String(contentsOfFile: folder + "/log", encoding: .utf8)) ?? "")
        }
        throw PostgresClusterError("pg_ctl could not start PostgreSQL in \(folder): \(lastFailure)")
    }

    private static func findBinaries() -> String? {
        if let given = ProcessInfo.processInfo.environment["FRONTDESK_PG_BIN"], !given.isEmpty { return given }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    private static let postgresUser: (uid: uid_t, gid: gid_t) = {
        guard let entry = getpwnam("postgres") else { return (0, 0) }
        return (entry.pointee.pw_uid, entry.pointee.pw_gid)
    }()

    /// A port nothing listens on now (the kernel's pick for a socket bound to port 0).
    private static func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Stops the cluster when this process ends: at exit (`atexit`), and, for a process that is
    /// killed, a watchdog in a session of its own that waits for this process to be gone.
    private static func watch(folder: String, binaries: String, asPostgres: Bool) {
        let stop = stopCommand(folder: folder, binaries: binaries, asPostgres: asPostgres)
        let script = "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; \(stop)"
        _ = try? spawn("/usr/bin/setsid", ["setsid", "sh", "-c", script], output: "/dev/null", wait: false)
        let first = atExit.withLock { commands in
            commands.append(stop)
            return commands.count == 1
        }
        guard first else { return }
        atexit {
            for command in PostgresCluster.atExit.withLock({ $0 }) {
                _ = try? PostgresCluster.spawn("/bin/sh", ["sh", "-c", command], output: "/dev/null", wait: true)
            }
        }
    }

    /// The stop commands of this process's clusters (the shared one, dedicated ones).
    private static let atExit = Mutex<[String]>([])

    private static func stopCommand(folder: String, binaries: String, asPostgres: Bool) -> String {
        let pgctl = "\(binaries)/pg_ctl -D \(folder)/data -m fast -w -t 20 stop"
        let asUser = asPostgres ? "runuser -u postgres -- \(pgctl)" : pgctl
        return "\(asUser) >/dev/null 2>&1; rm -rf \(folder) \(folder).owner"
    }

    /// Clusters of earlier test processes that died without stopping them (the watchdog was
    /// killed too): stopped and removed.
    private static func stopAbandonedClusters(binaries: String, asPostgres: Bool) {
        let temporary = FileManager.default.temporaryDirectory.path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix("frontdesk-pg-") && name.hasSuffix(".owner") {
            guard let text = try? String(contentsOfFile: temporary + "/" + name, encoding: .utf8), let owner = Int32(text),
                  kill(owner, 0) != 0 && errno == ESRCH else { continue }
            let folder = temporary + "/" + String(name.dropLast(".owner".count))
            _ = try? spawn("/bin/sh", ["sh", "-c", stopCommand(folder: folder, binaries: binaries, asPostgres: asPostgres)], output: "/dev/null", wait: true)
        }
    }

    /// Runs a program to its end; its status and what it printed.
    static func run(_ program: String, _ arguments: [String], asPostgres: Bool) throws -> (status: Int32, output: String) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-pg-out-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let (path, argv) = asPostgres ? ("/usr/sbin/runuser", ["runuser", "-u", "postgres", "--", program] + arguments)
                                      : (program, [program] + arguments)
        let status = try spawn(path, argv, output: output, wait: true)
        return (status, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// posix_spawn with stdout and stderr into `output` (Foundation's Process would wait for the
    /// server that pg_ctl leaves running, which inherits what Process watches).
    @discardableResult
    static func spawn(_ path: String, _ argv: [String], output: String, wait: Bool) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process: a server left running must not hold its pipes or locks
        // (a build lock held through `flock`, a test runner's output) after the tests end.
        // (glibc's closefrom action is not visible to Swift: each descriptor open now is closed;
        // one closed meanwhile is skipped by posix_spawn.)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? [] {
            if let descriptor = Int32(name), descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let arguments = argv.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, path, &actions, &attributes, arguments, environ)
        guard spawned == 0 else { throw PostgresClusterError("cannot run \(path): \(String(cString: strerror(spawned)))") }
        guard wait else { return 0 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }
}

public struct PostgresClusterError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// A psql reading commands from a pipe (`PostgresCluster.interactive`).
public final class PsqlSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var seen = ""

    init(_ program: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
    }

    /// Sends SQL (or a psql command) without waiting for it.
    public func send(_ text: String) {
        input.fileHandleForWriting.write(Data((text + "\n").utf8))
    }

    /// Waits until everything sent so far has run (psql answers commands in order); throws with
    /// what psql said when it stopped on an error.
    public func settle() throws {
        let marker = "settled-\(UUID().uuidString)"
        send("\\echo \(marker)")
        while !seen.contains(marker) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw PostgresClusterError("psql stopped: \(seen)") }
            seen += String(decoding: chunk, as: UTF8.self)
        }
    }

    /// Ends the session (what is still open is rolled back by the server) and waits for psql.
    public func close() {
        send("\\q")
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
