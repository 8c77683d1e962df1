import Foundation
import GRDB

/// What a command does with the database file, which decides how the file is opened.
public enum StoreAccess: Sendable {
    /// Only reads: the file must already be a Front Desk database. It is opened read-only, so a
    /// read-only file, or a file in a read-only folder, can still be read.
    case read
    /// Changes an existing Front Desk database; a missing or empty file is refused.
    case write
    /// May create the database where there is none (folders 0700, file 0600) or fill an empty file.
    case create
}

/// The database file before it is opened: what is there, and whether this build may use it.
/// Everything here reads; nothing is written until the file has been found to be a Front Desk
/// database this build knows (or, for `.create`, no database at all).
struct DatabaseFile {
    let path: String

    enum State {
        /// No file, or a file of zero bytes, or an SQLite file with no tables.
        case missing(reason: String)
        /// A Front Desk database; `pending` steps of this build are not applied yet (its
        /// migrations, and stamping `user_version`): zero means nothing to write before use.
        case frontDesk(pending: Int)
    }

    var folder: String { (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent }

    static func writable(_ path: String) -> Bool { access(path, W_OK) == 0 }

    /// Whether SQLite can write here: the file itself, and the folder for the write-ahead log and
    /// its index (unless both already exist and are writable).
    var canWrite: Bool {
        guard Self.writable(path) else { return false }
        if Self.writable(folder) { return true }
        return Self.writable(path + "-wal") && Self.writable(path + "-shm")
    }

    var whyReadOnly: String {
        Self.writable(path) ? "its folder \(folder) is read-only here" : "the file is read-only here"
    }

    /// Reads the file's header and migration records through a read-only connection; also says
    /// where a read-only connection opens it (see `immutableLocation`). With `keepOpen`, that
    /// connection is returned, set up for the store's reads (`FrontDeskStore.prepare`), when the
    /// file is a Front Desk database; otherwise it is closed.
    func inspect(keepOpen: Bool = false) throws(StoreError) -> (state: State, readOnlyLocation: String, connection: DatabaseQueue?) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return (.missing(reason: "there is no file"), path, nil) }
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        if info.st_mode & S_IFMT == S_IFDIR { throw .cannotOpen(path: path, reason: "it is a folder") }
        if info.st_size == 0 { return (.missing(reason: "the file is empty"), path, nil) }
        try undoInterruptedWrite()
        do {
            let (state, connection) = try probe(location: path, keepOpen: keepOpen)
            return (state, path, connection)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_READONLY || error.resultCode == .SQLITE_CANTOPEN {
            // A write-ahead-log database in a folder where its -shm file cannot be made. With no
            // log to replay, nothing newer than the file exists: read the file as it is.
            guard (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0 == 0 else {
                // Its newest changes are in the log beside it, which only a connection that can
                // write here can read back: said, rather than SQLite's "unable to open".
                throw .cannotOpen(path: path, reason: "its latest changes are still in \((path as NSString).lastPathComponent)-wal, "
                    + "which can only be read where the file can be written, and \(whyReadOnly): open it once with write access "
                    + "(or copy the file together with its -wal file to a writable folder)")
            }
            do {
                let (state, connection) = try probe(location: immutableLocation, keepOpen: keepOpen)
                return (state, immutableLocation, connection)
            } catch let error as DatabaseError {
                throw StoreError.from(error, path: path)
            } catch { throw .cannotOpen(path: path, reason: "\(error)") }
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// A rollback journal beside the file: a transaction written without the log
    /// (`FrontDeskStore.withRollbackJournal`, a first replica) was cut off, and some of its pages
    /// may be in the file. A read-only connection cannot put the old pages back (SQLite refuses
    /// it), and one that ignores the journal would read the half-written file: any read through a
    /// read-write connection undoes the transaction from the journal first. The file then goes
    /// back to write-ahead logging, as the desk keeps it. A journal of another process's
    /// transaction still under way is left to it. A file that cannot be written here is refused
    /// rather than read half-written.
    func undoInterruptedWrite() throws(StoreError) {
        var journal = stat()
        guard stat(path + "-journal", &journal) == 0, journal.st_size > 0 else { return }
        guard Self.writable(path), Self.writable(folder) else {
            throw .mustWriteBeforeReading(path: path, reason: "a write to it was cut off and must be undone from \(path)-journal, "
                                          + "which needs the file and its folder writable; run the command where they are")
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(15)
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            try queue.writeWithoutTransaction { db in
                // Undone by this first read. Only a Front Desk file (its migration records) is then
                // put back into the log; another program's file keeps its mode.
                let ours = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name = 'grdb_migrations'") ?? 0 > 0
                // Still there: not cut off, but another process's transaction under way (it
                // returns the file to the log itself).
                guard access(path + "-journal", F_OK) != 0, ours else { return }
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try queue.close()
        } catch let error as DatabaseError {
            throw StoreError.from(error, path: path)
        } catch {
            throw .cannotOpen(path: path, reason: "\(error)")
        }
    }

    /// The file as an SQLite URI that promises no one changes it while it is read: no locks and no
    /// -shm file are needed, so a folder that cannot be written to is no obstacle.
    var immutableLocation: String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return "file:\(absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute)?immutable=1"
    }

    /// One read-write connection to an existing, up-to-date Front Desk database, checked through
    /// itself (`oneConnection` writers: one connection instead of a read-only check and then a
    /// read-write one). Nil, with the connection closed and nothing written, for anything else,
    /// which then goes the careful way (`inspect`): a file that is missing, empty or read-only
    /// here; a write-ahead log or rollback journal beside it (closing could copy a log into a
    /// file that is not Front Desk's); a file that is not a Front Desk database, is newer, or
    /// needs upgrading.
    func openUpToDateForWriting(configuration: Configuration) -> DatabaseQueue? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size > 0, canWrite else { return nil }
        var log = stat()
        if stat(path + "-wal", &log) == 0 && log.st_size > 0 { return nil }
        if access(path + "-journal", F_OK) == 0 { return nil }
        guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
        guard let found = try? queue.read({ try self.state(of: $0) }), case .frontDesk(pending: 0) = found else {
            try? queue.close()
            return nil
        }
        return queue
    }

    private func probe(location: String, keepOpen: Bool) throws -> (State, DatabaseQueue?) {
        var configuration = Configuration()
        configuration.readonly = true
        // Another process's commit or checkpoint can hold the file for a moment: wait, as writes do.
        configuration.busyMode = .timeout(15)
        let queue = try DatabaseQueue(path: location, configuration: configuration)
        let state = try queue.read { db in try self.state(of: db) }
        guard keepOpen, case .frontDesk = state else { return (state, nil) }
        try queue.inDatabase { db in try FrontDeskStore.prepare(db) }
        return (state, queue)
    }

    /// What the file is, from its header and migration records.
    private func state(of db: Database) throws -> State {
        let userVersion = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
        let tables = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master") ?? 0
        if tables == 0 && userVersion == 0 { return .missing(reason: "the file holds an empty SQLite database") }
        let migrator = Schema.migrator
        let applied = try migrator.appliedIdentifiers(db)
        guard let first = migrator.migrations.first, applied.contains(first) else {
            throw StoreError.notFrontDesk(path: path)
        }
        let unknown = applied.subtracting(migrator.migrations).sorted()
        if let newest = unknown.last {
            throw StoreError.newerVersion(path: path, detail: "it has migration \(StoredRow.quoted(newest)), which this build does not know")
        }
        if userVersion > Schema.version {
            throw StoreError.newerVersion(path: path, detail: "its schema version is \(userVersion); this build knows up to \(Schema.version)")
        }
        return .frontDesk(pending: migrator.migrations.count - applied.count + (userVersion < Schema.version ? 1 : 0))
    }

    /// Creates the folders that are missing (0700) and the file (0600), whatever the umask: the
    /// file holds guests' names and, for a while, card numbers.
    func createPrivately() throws(StoreError) {
        var missing: [String] = []
        var folder = self.folder
        while !FileManager.default.fileExists(atPath: folder) {
            missing.append(folder)
            let parent = (folder as NSString).deletingLastPathComponent
            if parent == folder || parent.isEmpty { break }
            folder = parent
        }
        for created in missing.reversed() {
            if mkdir(created, 0o700) != 0 && errno != EEXIST {
                throw .cannotOpen(path: path, reason: "cannot create the folder \(created): \(String(cString: strerror(errno)))")
            }
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            if errno == EEXIST { return }
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
    }
}
