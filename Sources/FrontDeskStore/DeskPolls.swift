import Foundation
import GRDB

extension FrontDeskStore {
    /// How many bookings are still in their saga (held, paying, or with messages waiting): the
    /// desk's status line asks every half second, so one count, not a saga read per booking.
    public func unfinishedSagaCount() throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: """
                SELECT count(*) FROM (SELECT id FROM booking WHERE status IN ('Reserving', 'ProcessingPayment')
                                      UNION SELECT booking_id FROM saga_message)
                """) ?? 0
        }
    }
}
