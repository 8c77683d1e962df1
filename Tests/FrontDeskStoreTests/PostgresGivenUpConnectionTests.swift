import Foundation
@testable import FrontDeskPostgres
import FrontDeskTestSupport
import Testing

/// A connection given up on (a statement unanswered past the limit) sends nothing more: a
/// statement sent behind the hung one would wait behind it, each up to the limit again, and could
/// run once the hang cleared (a booking group's next savepoint, its COMMIT).
@Suite struct PostgresGivenUpConnectionTests {
    @Test func aConnectionGivenUpOnSendsNothingMore() throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let pool = PostgresPool(url: url, size: 1)
        defer { pool.close() }
        #expect(throws: PostgresStoreError.self) {
            try pool.withConnection { session in
                #expect(try session.rows("SELECT 1").count == 1)
                session.broken.store(true, ordering: .relaxed) // as a statement past the limit leaves it
                do {
                    _ = try session.execute("CREATE TABLE sent_after_giving_up (id int)")
                    Issue.record("a statement went down a connection given up on")
                } catch let error as PostgresStoreError {
                    guard case .connectionLost = error else {
                        Issue.record("\(error)")
                        throw error
                    }
                    throw error
                }
            }
        }
        // The table was never made; the pool opens a new connection for the next caller.
        let made = try pool.withConnection { session in
            try session.rows("SELECT to_regclass('sent_after_giving_up') IS NOT NULL").first.map { try ColumnReader($0, table: "pg_class").bool(0) }
        }
        #expect(made == false)
    }

    /// A transaction refused as it met others on every try (serialization failures, deadlocks)
    /// is the database being busy: answered 503 with a retry, like a lost connection, never 500.
    @Test func aTransactionRefusedOnEveryTryIsBusyNotBroken() {
        let busy = PostgresStoreError.contended(reason: "40P01 after 5 tries")
        #expect(PostgresChainStorage.isUnavailable(busy))
        #expect(busy.description.hasSuffix("try again"))
        #expect(!PostgresChainStorage.isUnavailable(PostgresStoreError.database(message: "syntax error")))
    }
}
