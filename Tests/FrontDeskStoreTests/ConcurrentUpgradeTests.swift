import Foundation
@testable import FrontDeskStore
import GRDB
import Synchronization
import Testing

/// Two processes opening one older file at the same moment (a desk and a command, a server
/// started beside a desk) both upgrade it: GRDB reads which migrations are applied once, before
/// its first write, so the later ran a migration the other had just made and stopped with
/// "table night_sales already exists" (a review: 17 of 20 tries). Each opener here has its own
/// connections, as another process would.
@Suite struct ConcurrentUpgradeTests {
    @Test func openersUpgradingOneOlderFileAtOnceAllOpenIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frontdesk-upgrade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for round in 0..<4 {
            let path = folder.appendingPathComponent("desk-\(round).sqlite").path
            let old = try DatabasePool(path: path)
            try Schema.migrator.migrate(old, upTo: "v1: hotel, rooms, bookings, room nights, audit")
            try old.close()

            let failures = Mutex<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { _ in
                do {
                    let store = try FrontDeskStore(path: path)
                    try store.close()
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
            #expect(failures.withLock { $0 } == [], "round \(round)")
            let upgraded = try DatabaseQueue(path: path)
            #expect(try upgraded.read { db in try Schema.migrator.hasCompletedMigrations(db) }, "round \(round)")
            try upgraded.close()
        }
    }
}
