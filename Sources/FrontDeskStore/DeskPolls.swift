import Foundation
import GRDB

extension FrontDeskStore {
    /// How many bookings are still in their saga (held, paying, or with messages waiting): the
    /// desk's status line asks every half second, so one count, not a saga read per booking.
    public func unfinishedSagaCount() throws -> Int {
        try sagaCounts().underWay
    }

    /// The status line's two counts in one read: sagas under way, and payments (refunds,
    /// settlements) that stopped and need a person.
    public func sagaCounts() throws -> (underWay: Int, needingAttention: Int) {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT (SELECT count(*) FROM (SELECT id FROM booking WHERE status IN ('Reserving', 'ProcessingPayment')
                                              UNION SELECT booking_id FROM saga_message)),
                       (SELECT count(*) FROM saga WHERE attention IS NOT NULL)
                """)
            return (row?[0] ?? 0, row?[1] ?? 0)
        }
    }

    /// Card refunds owed and waiting for the payment service (`ChainStorage.cardRefundsWaiting`).
    public func cardRefundsWaiting() throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM saga_message m JOIN saga s ON s.booking_id = m.booking_id
                WHERE m.name = 'ProcessRefund' AND s.payment_method = 'card'
                """) ?? 0
        }
    }
}
