import Foundation
import FrontDeskDomain
import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// A booking paid at the desk and cancelled is paid back at the desk: its audit line says how
/// much (it said only "payment refunded (desk-refund)", and the receptionist had to work it out).
@Suite struct DeskRefundAuditTests {
    typealias Chain = StorageContractTests.Chain

    /// Cancels a confirmed desk-paid stay of two nights (224.00 EUR as the hotel prices it) and
    /// answers the refund's audit line.
    static func refundLine(_ chain: Chain, audit: () throws -> String) throws -> String {
        let ana = try StorageContractChangesTests.confirmed(chain.vienna, room: "101", from: "2026-12-05", to: "2026-12-07")
        #expect(ana.status == .confirmed && ana.totalPrice == Money(minorUnits: 22_400))
        let cancelled = try chain.vienna.cancel(ana.confirmationCode, reason: "Plans changed", StorageContractChangesTests.request())
        #expect(cancelled.status == .cancelled)
        return try audit()
    }

    @Test func onSQLiteTheRefundsLineNamesItsAmount() throws {
        let chain = try Chain(.sqlite)
        let store = try #require(chain.storage as? FrontDeskStore)
        let line = try Self.refundLine(chain) {
            try store.auditTrail().first { $0.action == "booking.refunded" }?.summary ?? ""
        }
        #expect(line.contains("payment refunded (desk-refund): 224.00 EUR to be paid back at the desk"), "\(line)")
    }

    @Test func onPostgreSQLTheRefundsLineNamesItsAmount() throws {
        let cluster = try PostgresCluster.shared()
        let url = try cluster.makeDatabase()
        let name = String(url.split(separator: "/").last!)
        let chain = try Chain(StorageBackend(name: "PostgreSQL") { clock in
            try PostgresChainStorage(url: try PostgresURL.parse(url), poolSize: 2, migrate: true, clock: { clock.now },
                                     businessDate: StoreFixture.today, random: SeededGenerator(seed: 7))
        })
        let line = try Self.refundLine(chain) {
            try cluster.value("SELECT summary FROM audit_entry WHERE action = 'booking.refunded'", database: name)
        }
        #expect(line.contains("payment refunded (desk-refund): 224.00 EUR to be paid back at the desk"), "\(line)")
    }
}
