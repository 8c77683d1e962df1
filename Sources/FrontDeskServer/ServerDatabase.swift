import Foundation
import FrontDeskStore

/// The database the booking server runs on: the storage interface every route goes through, and
/// the few things a backend adds to it (how to ask whether it answers, which failures mean it is
/// gone for now, SQLite's fast paths). `frontdesk-server serve` makes one for `--db PATH`
/// (`sqlite(_:)`) or for `--database URL` (PostgreSQL, wired in the executable, so this target
/// never links postgres-nio).
public struct ServerDatabase: Sendable {
    /// What the routes ask of the chain's data.
    public let chain: any ChainStorage
    /// The SQLite file, when the server runs on one: replica pages rendered as JSON in SQL, write
    /// notifications of this process (event streams look at once), the availability stamp read
    /// inline. Nil on another backend, where the protocol's methods serve instead.
    public let sqlite: FrontDeskStore?
    /// A trivial query (`GET /ready`): throws when the database does not answer.
    let ping: @Sendable () throws -> Void
    /// Whether a failure means the database cannot be reached now: answered 503
    /// `database_unavailable` with Retry-After, never 500.
    let isUnavailable: @Sendable (any Error) -> Bool
    /// What the server says it runs on (the log line at start).
    public let summary: String
    /// Each token's requests per second, counted for every instance on the database: the
    /// per-token rate limit then holds across instances. Nil (SQLite, one instance): each token's
    /// bucket lives in this process.
    public let requestCounts: (any TokenRequestCounting)?

    public init(chain: any ChainStorage, summary: String, ping: @escaping @Sendable () throws -> Void,
                isUnavailable: @escaping @Sendable (any Error) -> Bool, requestCounts: (any TokenRequestCounting)? = nil) {
        self.chain = chain
        self.requestCounts = requestCounts
        sqlite = nil
        self.summary = summary
        self.ping = ping
        self.isUnavailable = isUnavailable
    }

    private init(sqlite store: FrontDeskStore) {
        chain = store
        sqlite = store
        requestCounts = nil
        summary = "SQLite"
        // The same question the storage protocol answers fastest: one read of a small table.
        ping = {
            try store.requireFileInPlace()
            _ = try store.hotels()
        }
        // A locked file is `StoreError.busy` (503 `unavailable`, Problem.from). A file deleted or
        // replaced under the server is gone until a restart opens what is there now: 503, and
        // `/ready` says so, so a load balancer stops sending requests here.
        // A full disk too: nothing was written, and the write may go through once there is room.
        isUnavailable = { error in
            guard let error = error as? StoreError else { return false }
            switch error {
            case .fileGone, .diskFull: return true
            default: return false
            }
        }
    }

    /// The embedded SQLite file (`--db PATH`).
    public static func sqlite(_ store: FrontDeskStore) -> ServerDatabase {
        ServerDatabase(sqlite: store)
    }
}
