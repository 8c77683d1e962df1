import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// Card bookings paid before the charge was recorded (SQLite before v16, PostgreSQL before
/// version 11) get it from their confirmation when the database is upgraded (SQLite v18,
/// PostgreSQL 15): cancelling one whose stay grew since refunds what the card paid. Before, the
/// refund asked the card for the grown total, which the service refuses as more than charged.
@Suite struct ChargedAmountBackfillTests {
    typealias Chain = SagaRunnerBackendTests.Chain

    /// A backend whose database can be taken back to before the charge was recorded.
    struct Rewindable: Sendable, CustomTestStringConvertible {
        let backend: SagaBackend
        /// Forgets every recorded charge and the backfill's migration, as an older file would be.
        let forgetCharges: @Sendable () throws -> Void
        /// Runs the migrations a process opening the database runs.
        let upgrade: @Sendable () throws -> Void
        var testDescription: String { backend.name }
    }

    static func sqlite() -> Rewindable {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-backfill-\(UUID().uuidString).sqlite").path
        let backend = SagaBackend(name: "SQLite") { clock in
            { businessDate in
                let store = try FrontDeskStore(path: path, clock: { clock.now }, businessDate: businessDate, random: SystemRandomNumberGenerator())
                return .init(storage: store, queue: store)
            }
        }
        return Rewindable(backend: backend, forgetCharges: {
            let queue = try DatabaseQueue(path: path)
            try queue.writeWithoutTransaction { db in
                try db.execute(sql: """
                    UPDATE saga SET charged_cents = NULL;
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v18:%';
                    PRAGMA user_version = 17;
                    """)
            }
            try queue.close()
        }, upgrade: {})
    }

    static func postgres() throws -> Rewindable {
        let cluster = try PostgresCluster.shared()
        let address = try cluster.makeDatabase()
        let url = try PostgresURL.parse(address)
        let name = String(address.split(separator: "/").last!)
        _ = try PostgresChainStorage.migrate(url: url)
        let backend = SagaBackend(name: "PostgreSQL") { clock in
            { businessDate in
                let chain = try PostgresChainStorage(url: url, poolSize: 4, clock: { clock.now }, businessDate: businessDate)
                return .init(storage: chain, queue: chain.sagaQueue())
            }
        }
        return Rewindable(backend: backend, forgetCharges: {
            try cluster.psql("UPDATE saga SET charged_cents = NULL; DELETE FROM schema_migrations WHERE version = 15;", database: name)
        }, upgrade: { _ = try PostgresChainStorage.migrate(url: url) })
    }

    @Test(arguments: ["SQLite", "PostgreSQL"])
    func aGrownCardStayPaidBeforeTheChargeWasRecordedRefundsTheCharge(_ backendName: String) throws {
        let database = backendName == "SQLite" ? Self.sqlite() : try Self.postgres()
        let chain = try Chain(database.backend)
        let byCard = try chain.book("101", card: true)
        let atDesk = try chain.book("102", card: false)
        try chain.runner("server-A").runUntilIdle()
        #expect(try chain.status(byCard).status == .confirmed)
        let key = byCard.id.uuidString.lowercased()
        let charged = try #require(chain.service.ledger.withLock { $0.chargedAmounts[key] })
        // A night added after the charge, paid at the desk.
        let longer = try chain.hotel.changeBooking(byCard.confirmationCode, BookingEdit(checkOut: "2026-12-04"), ChangeRequest(user: "anna"))
        #expect(longer.totalPrice > charged)

        try database.forgetCharges()
        try database.upgrade()
        let upgraded = try chain.open()
        #expect(try upgraded.queue.saga(atDesk.confirmationCode).paymentMethod == .desk)

        let cancelled = try upgraded.storage.hotel(chain.hotel.requireHotelExists().id)
            .cancel(byCard.confirmationCode, reason: "Plans changed", expectedVersion: nil, by: "anna", via: .server)
        #expect(cancelled.status == .cancelled)
        try chain.runner("server-B", on: upgraded).runUntilIdle()
        #expect(chain.service.ledger.withLock { $0.refundedAmounts[key] } == charged, "the card gets back what it paid, not the grown total")
        #expect(try upgraded.queue.saga(byCard.confirmationCode).refundReference == "re_1")
    }
}
