import Foundation
import FrontDeskDomain
@testable import FrontDeskStore
import FrontDeskTestSupport
import GRDB
import Testing

/// A desk's first replica is taken in one transaction, in bulk on a desk with no booking
/// (issue 12, session 11): the file ends up row for row as the page-by-page way leaves it, and a
/// fill stopped half-way leaves no replica behind.
@Suite struct ReplicaFirstFillTests {
    /// A server with a mixed history: firm stays in every room over two months, holds, cancelled
    /// stays, a guest in house, a stay split by a move, notes.
    static func busyServer() throws -> StoreFixture {
        let server = try StoreFixture()
        let rooms = ["101", "102", "103", "104", "201", "202", "301"]
        let start = CalendarDate(iso: "2026-12-01")!
        for index in 0..<140 {
            let checkIn = start.adding(days: (index / rooms.count) * 3)
            let nights = 1 + index % 3
            let booking = try server.book(room: rooms[index % rooms.count], from: checkIn.iso, to: checkIn.adding(days: nights).iso, guests: "1")
            if index % 9 == 4 { _ = try server.store.cancel(booking.confirmationCode, reason: "Guest called", by: "anna") }
            if index % 11 == 5 {
                _ = try server.store.changeBooking(booking.confirmationCode, BookingEdit(note: "Late arrival \(index)"), ChangeRequest(user: "ben"))
            }
        }
        // Holds (not firm: no night_load or night_sales) and a held stay's feed entry.
        _ = try server.store.reserve(server.form(room: "101", from: "2027-03-01", to: "2027-03-04"), by: "anna")
        _ = try server.store.reserve(server.form(room: "202", from: "2027-03-02", to: "2027-03-03", guests: "3"), by: "anna")
        // In house, then moved for the last two nights: claims in two rooms.
        let arriving = try server.book(room: "103", from: "2026-11-26", to: "2026-11-29")
        _ = try server.store.checkIn(arriving.confirmationCode, by: "anna")
        let clock = server.clock
        let nextDay = try FrontDeskStore(path: server.store.path, clock: { clock.now }, businessDate: CalendarDate(iso: "2026-11-27")!)
        _ = try nextDay.move(arriving.confirmationCode, toRoom: "104", reason: "Noisy", reprice: false, ChangeRequest(user: "anna"))
        return server
    }

    /// The server's replica as pages of `limit` bookings.
    static func pages(_ server: StoreFixture, limit: Int) throws -> [ReplicaPage] {
        var pages = [try server.store.replicaPage(after: nil, limit: limit)]
        while let next = pages.last!.next {
            pages.append(try server.store.replicaPage(after: UUID(uuidString: next)!, limit: limit))
        }
        return pages
    }

    /// Every table of a file, each row as text, in order; and its schema (indexes, triggers).
    static func contents(_ store: FrontDeskStore) throws -> [String: [String]] {
        let queue = try DatabaseQueue(path: store.path)
        return try queue.read { db in
            var contents: [String: [String]] = [:]
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            for table in tables {
                contents[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier)")
                    .map { row in row.databaseValues.map(\.description).joined(separator: "|") }.sorted()
            }
            contents["(schema)"] = try String.fetchAll(db, sql: """
                SELECT type || ' ' || name || ' ' || tbl_name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY type, name
                """)
            contents["(booking rowids)"] = try String.fetchAll(db, sql: "SELECT rowid || ' ' || id FROM booking ORDER BY rowid")
            return contents
        }
    }

    static func expectSame(_ actual: [String: [String]], _ expected: [String: [String]], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.keys.sorted() == expected.keys.sorted(), sourceLocation: sourceLocation)
        for (table, rows) in expected {
            #expect(actual[table] == rows, "table \(table)", sourceLocation: sourceLocation)
        }
    }

    static let server = "http://127.0.0.1:8080"

    /// The way every replica was taken before session 11: the first page, then each later page in
    /// a transaction of its own.
    static func pageByPage(_ pages: [ReplicaPage], into desk: StoreFixture) throws {
        try desk.store.beginReplica(pages[0], server: server)
        for page in pages.dropFirst() { try desk.store.applyReplicaBookings(page.bookings) }
    }

    static func inOneGo(_ pages: [ReplicaPage], into desk: StoreFixture, bulk: Bool) throws -> Int {
        var later = pages.dropFirst().makeIterator()
        return try desk.store.takeReplica(pages[0], server: server, bulk: bulk, next: { try later.next().map(ReadReplicaPage.init) })
    }

    @Test func aBulkReplicaIsRowForRowThePageByPageOne() throws {
        let server = try Self.busyServer()
        let pages = try Self.pages(server, limit: 25)
        #expect(pages.count >= 6)
        let total = pages.map(\.bookings.count).reduce(0, +)

        let old = try StoreFixture(rooms: false)
        try Self.pageByPage(pages, into: old)
        let bulk = try StoreFixture(rooms: false)
        var progress: [Int] = []
        var later = pages.dropFirst().makeIterator()
        let taken = try bulk.store.takeReplica(pages[0], server: Self.server, next: { try later.next().map(ReadReplicaPage.init) }, written: { progress.append($0) })
        let careful = try StoreFixture(rooms: false)
        #expect(try Self.inOneGo(pages, into: careful, bulk: false) == total)

        #expect(taken == total)
        #expect(progress == pages.indices.map { pages[...$0].map(\.bookings.count).reduce(0, +) })
        let expected = try Self.contents(old.store)
        #expect(expected["booking"]?.count == total && expected["room_night"]!.count > total && expected["change_feed"]!.count == 2)
        Self.expectSame(try Self.contents(bulk.store), expected)
        Self.expectSame(try Self.contents(careful.store), expected)
        // And the figures are the server's.
        #expect(try ReplicaPair.derived(bulk.store) == (try ReplicaPair.derived(server.store)))
        for (from, to) in [("2026-11-26", "2026-11-29"), ("2026-12-01", "2026-12-20"), ("2027-01-10", "2027-01-25"), ("2027-03-01", "2027-03-05")] {
            #expect(try bulk.freeRooms(from, to) == (try server.freeRooms(from, to)), "\(from) to \(to)")
        }
    }

    @Test func aFillStoppedHalfWayLeavesNoReplica() throws {
        let server = try Self.busyServer()
        let pages = try Self.pages(server, limit: 25)
        let desk = try StoreFixture(rooms: false)
        let before = try Self.contents(desk.store)
        struct Cut: Error {}
        var served = 1
        #expect(throws: Cut.self) {
            try desk.store.takeReplica(pages[0], server: Self.server, next: {
                guard served < 3 else { throw Cut() }
                served += 1
                return try ReadReplicaPage(pages[served - 1])
            })
        }
        // Nothing of it: not connected, no hotel, no booking, every index and trigger in place.
        #expect(try desk.store.replicaStatus() == nil)
        Self.expectSame(try Self.contents(desk.store), before)

        // Taken again, whole.
        #expect(try Self.inOneGo(pages, into: desk, bulk: true) == pages.map(\.bookings.count).reduce(0, +))
        let old = try StoreFixture(rooms: false)
        try Self.pageByPage(pages, into: old)
        Self.expectSame(try Self.contents(desk.store), try Self.contents(old.store))
    }

    @Test func aRoomNightMetTwiceIsTakenAgainTheCarefulWay() throws {
        // The server's data moves between two pages: a stay read on the first page is cancelled
        // and its room sold again before the second page is read.
        let pair = try ReplicaPair()
        let early = try pair.server.book(room: "101", from: "2026-12-01", to: "2026-12-03")
        let earlyWire = try pair.wire(early)
        _ = try pair.server.store.cancel(early.confirmationCode, reason: nil, by: "anna")
        let later = try pair.server.book(room: "101", from: "2026-12-02", to: "2026-12-04")
        let other = try pair.server.book(room: "102")
        var first = try pair.firstPage([], next: "x")
        first.bookings = [earlyWire]
        let pages = [first, ReplicaPage(hotel: nil, roomTypes: nil, rooms: nil, bookings: [try pair.wire(later), try pair.wire(other)],
                                        cursor: 7, totalBookings: 3, next: nil)]
        #expect(throws: ReplicaBulkCollision.self) { try Self.inOneGo(pages, into: pair.desk, bulk: true) }
        #expect(try pair.desk.store.replicaStatus() == nil)
        #expect(try pair.desk.count("booking") == 0)

        #expect(try Self.inOneGo(pages, into: pair.desk, bulk: false) == 3)
        let old = try StoreFixture(rooms: false)
        try Self.pageByPage(pages, into: old)
        Self.expectSame(try Self.contents(pair.desk.store), try Self.contents(old.store))
        // The later stay holds the night both wanted.
        #expect(try pair.desk.freeRooms("2026-12-02", "2026-12-03").contains("101") == false)
    }

    @Test func aDeskThatHoldsBookingsTakesItTheCarefulWay() throws {
        // Connecting again to the same hotel from another server address: the bookings the desk
        // has are merged, not loaded in bulk.
        let pair = try ReplicaPair()
        let booked = try pair.server.book(room: "101")
        try pair.connect([booked])
        try pair.desk.store.forgetReplica()
        let later = try pair.server.book(room: "102")
        #expect(try pair.desk.store.takeReplica(try pair.firstPage([booked, later], cursor: 30), server: "http://127.0.0.1:9090",
                                                next: { nil }) == 2)
        #expect(try pair.desk.count("booking") == 2)
        #expect(try pair.desk.store.replicaStatus()?.server == "http://127.0.0.1:9090")
        #expect(try ReplicaPair.derived(pair.desk.store) == (try ReplicaPair.derived(pair.server.store)))
    }

    /// The file's journal mode, asked through a connection of its own.
    static func journalMode(_ path: String) throws -> String? {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
    }

    /// Takes the pages' replica into `store` in one go, noting at each page whether a rollback
    /// journal was beside the file.
    static func takeWatchingJournal(_ pages: [ReplicaPage], into store: FrontDeskStore) throws -> [Bool] {
        var journalSeen: [Bool] = []
        var later = pages.dropFirst().makeIterator()
        _ = try store.takeReplica(pages[0], server: server, next: {
            journalSeen.append(FileManager.default.fileExists(atPath: store.path + "-journal"))
            return try later.next().map(ReadReplicaPage.init)
        })
        return journalSeen
    }

    @Test func aBulkReplicaGoesThroughARollbackJournalUnlessAnotherConnectionHoldsTheFile() throws {
        let server = try Self.busyServer()
        let pages = try Self.pages(server, limit: 25)
        let path = { (desk: StoreFixture) in desk.store.path }

        // Alone on the file: written through a rollback journal (a journal beside the file while
        // the pages come, no log), then back to the log, every row there.
        let alone = try StoreFixture(rooms: false)
        var journalSeen = try Self.takeWatchingJournal(pages, into: alone.store)
        #expect(journalSeen.count == pages.count && journalSeen.allSatisfy { $0 })
        #expect(!FileManager.default.fileExists(atPath: path(alone) + "-journal"))
        #expect(try alone.store.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try Self.journalMode(path(alone)) == "wal")
        let old = try StoreFixture(rooms: false)
        try Self.pageByPage(pages, into: old)
        Self.expectSame(try Self.contents(alone.store), try Self.contents(old.store))

        // A one-connection command's store (its log synced once, not at each commit): the same,
        // and its connection's sync setting as it was.
        let command = try StoreFixture(rooms: false)
        try command.store.close()
        let clock = command.clock
        let oneConnection = try FrontDeskStore(path: path(command), oneConnection: true, clock: { clock.now })
        let settingBefore = try oneConnection.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(settingBefore == 1)
        journalSeen = try Self.takeWatchingJournal(pages, into: oneConnection)
        #expect(journalSeen.count == pages.count && journalSeen.allSatisfy { $0 })
        #expect(try oneConnection.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") } == settingBefore)
        #expect(try oneConnection.pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        Self.expectSame(try Self.contents(oneConnection), try Self.contents(old.store))
        try oneConnection.close()

        // Another store holds the file open: the log as always, the same rows.
        let shared = try StoreFixture(rooms: false)
        let other = try FrontDeskStore(path: path(shared), access: .write)
        defer { try? other.close() }
        #expect(try other.replicaStatus() == nil)
        journalSeen = try Self.takeWatchingJournal(pages, into: shared.store)
        #expect(journalSeen.count == pages.count && !journalSeen.contains(true))
        #expect(try other.replicaStatus()?.server == Self.server)
        Self.expectSame(try Self.contents(shared.store), try Self.contents(old.store))
    }

    @Test func aWriteCutOffInRollbackJournalModeIsUndoneWhenTheFileIsNextOpened() throws {
        let desk = try StoreFixture()
        let path = desk.store.path
        let before = try Self.contents(desk.store)
        try desk.store.close()

        // A transaction in rollback-journal mode whose pages spill into the file before its
        // commit; the file and journal copied mid-way are what a process killed there leaves.
        let crashed = desk.folder.appendingPathComponent("crashed.sqlite").path
        let writer = try DatabaseQueue(path: path)
        try writer.writeWithoutTransaction { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE") == "delete")
            try db.execute(sql: "PRAGMA cache_size = 5")
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "UPDATE hotel SET name = 'Half written'")
            try db.execute(sql: "CREATE TABLE scratch (filler BLOB)")
            for _ in 0..<400 { try db.execute(sql: "INSERT INTO scratch VALUES (zeroblob(2000))") }
            for suffix in ["", "-journal"] { try FileManager.default.copyItem(atPath: path + suffix, toPath: crashed + suffix) }
            try db.execute(sql: "ROLLBACK")
        }
        try writer.close()
        var size = stat()
        #expect(stat(crashed + "-journal", &size) == 0 && size.st_size > 0)

        // A reading command opens it: the old hotel, no half of anything; the journal gone; the log back.
        let reader = try FrontDeskStore(path: crashed, access: .read)
        #expect(try reader.hotel()?.name == "Hotel Test")
        Self.expectSame(try Self.contents(reader), before)
        try reader.close()
        #expect(!FileManager.default.fileExists(atPath: crashed + "-journal"))
        #expect(try Self.journalMode(crashed) == "wal")
        #expect(try FrontDeskStore(path: crashed, access: .read).read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name = 'scratch'")
        } == 0)
    }
}
