import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// Schema v17 (session 50): when each server user was last disabled. A file migrated with a user
/// disabled at the time records the migration's moment for it, so that tokens from before it stay
/// ended if the user is enabled later; a user never disabled records nothing, and keeps its tokens.
@Suite struct DisabledAtMigrationTests {
    @Test func aUserDisabledBeforeTheUpgradeCountsAsDisabledThen() throws {
        let fixture = try StoreFixture()
        let path = fixture.store.path
        let hotel = try #require(try fixture.store.hotel()).id
        _ = try fixture.store.addUser(name: "anna", role: .receptionist, hotelId: hotel, passwordHash: "hash-a", by: "admin")
        _ = try fixture.store.addUser(name: "max", role: .manager, hotelId: hotel, passwordHash: "hash-m", by: "admin")

        // Back to v16: no column, anna disabled as v16 kept it.
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: """
                UPDATE server_user SET is_disabled = 1 WHERE name = 'anna';
                ALTER TABLE server_user DROP COLUMN disabled_at;
                DELETE FROM grdb_migrations WHERE identifier LIKE 'v17:%';
                PRAGMA user_version = 16;
                """)
        }
        try queue.close()

        let before = Date().addingTimeInterval(-1)
        let reopened = try FrontDeskStore(path: path)
        let anna = try #require(try reopened.userAccount(named: "anna"))
        #expect(anna.isDisabled)
        let since = try #require(anna.disabledAt, "a user disabled at the upgrade has no disable date")
        #expect(since >= before && since <= Date().addingTimeInterval(1))
        #expect(try reopened.userAccount(named: "max")?.disabledAt == nil, "a user never disabled keeps its tokens")

        let enabled = try reopened.updateUser(named: "anna", disabled: false, passwordHash: nil, by: "admin")
        #expect(!enabled.isDisabled && enabled.disabledAt == since, "enabling keeps when the user was last disabled")
    }
}
