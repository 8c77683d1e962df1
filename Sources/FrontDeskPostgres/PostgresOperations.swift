import Foundation
import NIOCore
import PostgresNIO

/// What the booking server asks of its PostgreSQL database beyond the storage protocols: a
/// trivial query for `GET /ready`, and which failures mean "the database cannot be reached now"
/// (answered 503 `database_unavailable`, retried by the caller; the pool reconnects by itself).
extension PostgresChainStorage {
    /// The pool's number of connections (`serve --pool-size`).
    public var poolSize: Int { pool.size }

    /// `SELECT 1` on a connection of the pool (a new one when the database came back): throws
    /// when the database does not answer.
    ///
    /// Ready only on the schema this build knows: an instance left serving while `migrate`
    /// upgraded the database under it (a rolling upgrade) would read what the new schema no longer
    /// writes where it looks (schema v12 moved the availability version and the group's feed), so
    /// `/ready` answers 503 and a load balancer takes it out until it is replaced.
    public func ping() throws {
        let found = try readOne { session in try PostgresSchema.currentVersion(session) }
        if found > PostgresSchema.version {
            throw PostgresStoreError.newerSchema(url: pool.url.description, found: found, known: PostgresSchema.version)
        }
        if found < PostgresSchema.version {
            throw PostgresStoreError.notMigrated(url: pool.url.description, found: found, known: PostgresSchema.version)
        }
    }

    /// Whether `error` says the database cannot be reached now, rather than that a request was
    /// wrong: no connection could be made, a connection was lost or shut down by the server, every
    /// connection stayed busy. The one place PostgreSQL's connection failures are recognised.
    public static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case let error as PostgresStoreError:
            switch error {
            case .unreachable, .poolExhausted, .connectionLost, .contended, .lockWaitTooLong: return true
            default: return false
            }
        case let error as PSQLError: return PostgresStoreError.connectionFailure(error) != nil
        case is ChannelError, is IOError: return true
        default: return false
        }
    }
}

extension PostgresStoreError {
    /// The SQLSTATE classes and codes that mean the server is going away, starting up or out of
    /// connections: 08 (connection exception), 57P01-57P03 (admin / crash shutdown, cannot connect
    /// now), 53300 (too many connections), 25006 (read only: a primary turned standby in a failover).
    static let unavailableStates: Set<String> = ["57P01", "57P02", "57P03", "53300", "25006"]

    /// A lost or refused connection as `connectionLost`; nil for any other failure.
    static func connectionFailure(_ error: PSQLError) -> PostgresStoreError? {
        switch error.code {
        case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return .connectionLost(reason: PostgresPool.reason(error))
        case .server:
            guard let state = error.sqlState, state.hasPrefix("08") || unavailableStates.contains(state) else { return nil }
            return .connectionLost(reason: PostgresPool.reason(error))
        default:
            return nil
        }
    }
}
