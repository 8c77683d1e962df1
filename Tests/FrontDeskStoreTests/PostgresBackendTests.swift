import Foundation
import FrontDeskDomain
@testable import FrontDeskPostgres
import FrontDeskStore
import FrontDeskTestSupport
import Testing

/// What only the PostgreSQL backend has: its URL, its schema's version check, and no double sale
/// between two instances (two pools) on one database.
@Suite struct PostgresBackendTests {
    @Test func aDatabaseURLIsReadOrRefusedWithAReason() throws {
        let url = try PostgresURL.parse("postgres://frontdesk:s3cret@db.example:6543/chain")
        #expect(url == PostgresURL(user: "frontdesk", password: "s3cret", host: "db.example", port: 6543, database: "chain"))
        #expect(!url.description.contains("s3cret"))
        #expect(try PostgresURL.parse("postgresql://fd@127.0.0.1/hotel").port == 5432)
        for (text, reason) in [("mysql://fd@h/db", "does not start with postgres://"), ("postgres://fd@h:port/db", "is not a number"),
                               ("postgres://h:5432/db", "no user name"), ("postgres://fd@h:5432", "no database name"),
                               ("postgres://fd@h:70000/db", "between 1 and 65535")] {
            do {
                _ = try PostgresURL.parse(text)
                Issue.record("\(text) must be refused")
            } catch {
                #expect(error.description.contains(reason), "\(text): \(error.description)")
            }
        }
    }

    /// A mistyped URL's refusal never prints its password back (a review found it in the
    /// messages for a wrong scheme, a '?' or a '/' in the password, and `?password=`); a password
    /// holding '/' or '?' that nobody percent-encoded is read as typed.
    @Test func aRefusedURLNeverShowsItsPassword() throws {
        for text in ["postgress://fd:DbSecret123@127.0.0.1:5432/x", "mysql://fd:DbSecret123@127.0.0.1:1/x",
                     "host=db user=fd password=DbSecret123 dbname=fd", "postgresql+asyncpg://fd@h/db?password=DbSecret123",
                     "postgress://fd:DbSecret123/db",
                     "postgres://fd:x@127.0.0.1:1/x?password=DbSecret123", "postgres://fd:DbSecret123@127.0.0.1:port/x",
                     "postgres://fd:DbSecret123@127.0.0.1:5432/x/y"] {
            do {
                _ = try PostgresURL.parse(text, source: "FRONTDESK_DATABASE_URL")
                Issue.record("\(text) must be refused")
            } catch {
                #expect(!error.description.contains("DbSecret123") && error.description.contains("FRONTDESK_DATABASE_URL"),
                        "\(error.description)")
            }
        }
        #expect(try PostgresURL.parse("postgres://fd:Db/Sec?ret@127.0.0.1:5432/x").password == "Db/Sec?ret")
    }

    @Test func aSchemaNewerThanThisBuildIsRefusedUntouched() throws {
        let cluster = try PostgresCluster.shared()
        let url = try PostgresURL.parse(try cluster.makeDatabase())
        let first = try PostgresChainStorage.migrate(url: url)
        #expect(first.applied == Array(1...PostgresChainStorage.schemaVersion))
        #expect(try PostgresChainStorage.migrate(url: url).applied.isEmpty)
        try cluster.psql("INSERT INTO schema_migrations (version, name) VALUES (\(PostgresChainStorage.schemaVersion + 1), 'from the future')",
                         database: url.database)
        do {
            _ = try PostgresChainStorage(url: url)
            Issue.record("a newer schema must be refused")
        } catch let error as PostgresStoreError {
            #expect(error.description.contains("newer Front Desk"))
        }
        do {
            _ = try PostgresChainStorage.migrate(url: url)
            Issue.record("migrate must refuse a newer schema")
        } catch let error as PostgresStoreError {
            #expect(error.description.contains("newer Front Desk"))
        }
    }

    /// Dates are read as ISO text whatever `DateStyle` the database was given.
    @Test func aDatabaseWithAnotherDateStyleReadsBookingsAsTheyAre() throws {
        let cluster = try PostgresCluster.shared()
        let url = try PostgresURL.parse(try cluster.makeDatabase())
        _ = try PostgresChainStorage.migrate(url: url)
        try cluster.psql("ALTER DATABASE \"\(url.database)\" SET datestyle = 'SQL, DMY'", database: url.database)
        let storage = try PostgresChainStorage(url: url, poolSize: 2, businessDate: StoreFixture.today)
        let hotelId = try storage.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        let hotel = storage.hotel(hotelId)
        _ = try hotel.addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        _ = try hotel.addRoom(number: "101", typeName: "Double", by: "admin")
        let request = ReservationRequest(form: BookingForm(roomNumber: "101", checkIn: "2026-12-31", checkOut: "2027-01-02", guests: "2",
                                                           guestName: "Ana Lee", email: "ana@example.com"), requestId: nil, user: "anna")
        let held = try hotel.reserveAll([request])[0].get()
        let read = try hotel.booking(held.id.uuidString)
        #expect(read.stay.checkIn.iso == "2026-12-31" && read.nightlyPrices.map(\.night.iso) == ["2026-12-31", "2027-01-01"])
    }

    @Test func anEmptyOrUnreachableDatabaseIsNamedInTheMessage() throws {
        let cluster = try PostgresCluster.shared()
        let empty = try PostgresURL.parse(try cluster.makeDatabase())
        do {
            _ = try PostgresChainStorage(url: empty)
            Issue.record("a database without the schema must be refused")
        } catch let error as PostgresStoreError {
            #expect(error.description.contains("frontdesk-server migrate --database"))
        }
        var nowhere = empty
        nowhere.port = cluster.port == 1 ? 2 : 1
        do {
            _ = try PostgresChainStorage(url: nowhere)
            Issue.record("nothing listens there")
        } catch let error as PostgresStoreError {
            #expect(error.description.contains("cannot connect to the database postgres://fd@127.0.0.1:\(nowhere.port)/"))
        }
    }

    /// A kept availability answer checked from a request's task (no worker thread): current until
    /// another instance sells a night of it, then stale; the blocking check agrees each time.
    @Test func aKeptAnswerCheckedWithoutWaitingSeesAnotherInstancesBooking() async throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let instances = try (0..<2).map { _ in
            try PostgresChainStorage(url: url, poolSize: 2, migrate: true, businessDate: StoreFixture.today)
        }
        let hotelId = try instances[0].addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        _ = try instances[0].hotel(hotelId).addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        _ = try instances[0].hotel(hotelId).addRoom(number: "101", typeName: "Double", by: "admin")
        let checkIn = StoreFixture.today.adding(days: 10)
        let kept = try instances[0].hotel(hotelId).stampedSearch(checkIn: checkIn.iso, checkOut: checkIn.adding(days: 2).iso, guests: "2")
        #expect(kept.result.offers.map(\.room.number) == ["101"])
        #expect(try await instances[0].hotel(hotelId).searchIsCurrentWithoutWaiting(kept.stamp) == true)
        let form = BookingForm(roomNumber: "101", checkIn: checkIn.iso, checkOut: checkIn.adding(days: 1).iso, guests: "2",
                               guestName: "Other Instance", email: "other@example.com")
        _ = try instances[1].hotel(hotelId).reserveAll([ReservationRequest(form: form, user: "anna")])[0].get()
        #expect(try await instances[0].hotel(hotelId).searchIsCurrentWithoutWaiting(kept.stamp) == false)
        #expect(try !instances[0].hotel(hotelId).searchIsCurrent(kept.stamp))
    }

    /// Server instances count each other by their connections' names: one alone counts none and
    /// is not shared; a second server instance makes each count one; a command-line storage
    /// (named "frontdesk") is no writer to count; a closed instance is no longer counted.
    @Test func serverInstancesCountEachOtherOnTheirDatabase() throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let first = try PostgresChainStorage(url: url, poolSize: 1, migrate: true, instanceName: PostgresChainStorage.serverInstanceName())
        defer { first.close() }
        let commandLine = try PostgresChainStorage(url: url, poolSize: 1)
        defer { commandLine.close() }
        _ = try commandLine.hotels()
        #expect(try first.countOtherWriters() == 0)
        #expect(!first.sharedWithOtherWriters)
        let second = try PostgresChainStorage(url: url, poolSize: 1, instanceName: PostgresChainStorage.serverInstanceName())
        #expect(try second.countOtherWriters() == 1)
        #expect(try first.countOtherWriters() == 1)
        #expect(first.sharedWithOtherWriters && second.sharedWithOtherWriters)
        second.close()
        // The closed instance's backend ends a moment after its connection closes.
        let deadline = Date().addingTimeInterval(10)
        while try first.countOtherWriters() > 0 && Date() < deadline { usleep(20_000) }
        #expect(!first.sharedWithOtherWriters, "a closed instance still counted")
    }

    /// Two instances (two storages, two pools) and 8 threads book the same room for overlapping
    /// stays at once: each night is sold once, by the database.
    @Test func twoInstancesNeverSellANightTwice() throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let clock = TestClock()
        let instances = try (0..<2).map { index in
            try PostgresChainStorage(url: url, poolSize: 4, migrate: true, clock: { clock.now }, businessDate: StoreFixture.today,
                                     random: SeededGenerator(seed: UInt64(index + 1)))
        }
        let hotelId = try instances[0].addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        _ = try instances[0].hotel(hotelId).addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        _ = try instances[0].hotel(hotelId).addRoom(number: "101", typeName: "Double", by: "admin")
        let results = ResultsBox()
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            let checkIn = StoreFixture.today.adding(days: 10 + index % 3)
            let form = BookingForm(roomNumber: "101", checkIn: checkIn.iso, checkOut: checkIn.adding(days: 2).iso, guests: "2",
                                   guestName: "Guest \(index)", email: "g\(index)@example.com")
            let outcome = Result { try instances[index % 2].hotel(hotelId).reserveAll([ReservationRequest(form: form, user: "anna")])[0].get() }
            results.append(outcome)
        }
        let sold = results.all.compactMap { try? $0.get() }
        let nights = sold.flatMap { $0.stay.nights }
        #expect(!sold.isEmpty)
        #expect(Set(nights).count == nights.count, "a night was sold twice: \(sold.map(\.stay))")
        for case .failure(let error) in results.all {
            guard case .roomUnavailable? = error as? FrontDeskError else {
                Issue.record("a refused booking must be roomUnavailable: \(error)")
                continue
            }
        }
        #expect(try instances[1].hotel(hotelId).findBookings(BookingFilter()).total == sold.count)
    }

    /// One request (one Idempotency-Key) sent to two instances at once, twenty times: both get
    /// the one booking it made, never `conflict` or `room_unavailable` for their own booking.
    @Test func oneRequestSentToTwoInstancesAtOnceAnswersItsOneBookingToBoth() throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let instances = try (0..<2).map { index in
            try PostgresChainStorage(url: url, poolSize: 2, migrate: true, businessDate: StoreFixture.today,
                                     random: SeededGenerator(seed: UInt64(index + 7)))
        }
        let hotelId = try instances[0].addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        _ = try instances[0].hotel(hotelId).addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        _ = try instances[0].hotel(hotelId).addRoom(number: "101", typeName: "Double", by: "admin")
        for round in 0..<20 {
            let checkIn = StoreFixture.today.adding(days: 10 + 2 * round)
            let form = BookingForm(roomNumber: "101", checkIn: checkIn.iso, checkOut: checkIn.adding(days: 2).iso, guests: "2",
                                   guestName: "Guest \(round)", email: "g\(round)@example.com")
            let request = ReservationRequest(form: form, requestId: UUID(), payment: PaymentInstruction(method: .card, cardNumber: "4242424242424242"),
                                             user: "api")
            let results = ResultsBox()
            DispatchQueue.concurrentPerform(iterations: 2) { index in
                results.append(Result { try instances[index].hotel(hotelId).reserveAll([request])[0].get() })
            }
            let ids = results.all.map { result in (try? result.get())?.id }
            #expect(ids.count == 2 && ids[0] != nil && ids[0] == ids[1], "round \(round): \(results.all)")
        }
        #expect(try instances[1].hotel(hotelId).findBookings(BookingFilter()).total == 20)
    }

    /// Schema v9: no booking, room night or feed entry locks its hotel's row any more (no foreign
    /// key from them to `hotel`), and the database still refuses a booking or a night whose hotel
    /// is not its room's, and a booking of a hotel that does not exist.
    @Test func aBookingOrNightOfAnotherHotelThanItsRoomsIsRefusedWithoutLockingTheHotelRow() throws {
        let (cluster, name, storage, booking) = try Self.oneBooking(nights: 2)
        let (vienna, checkIn) = (booking.hotelId, booking.stay.checkIn)
        let graz = try storage.addChainHotel(name: "Graz", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        let hotelKeys = try cluster.value("""
            SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confrelid = 'hotel'::regclass
            AND conrelid IN ('booking'::regclass, 'room_night'::regclass, 'change_feed'::regclass)
            """, database: name)
        #expect(hotelKeys == "0")
        let refused = [
            "UPDATE booking SET hotel_id = '\(graz.uuidString)' WHERE id = '\(booking.id.uuidString)'",
            "UPDATE booking SET hotel_id = '\(UUID().uuidString)' WHERE id = '\(booking.id.uuidString)'",
            """
            INSERT INTO room_night (room_id, night, hotel_id, booking_id)
            VALUES ('\(booking.roomId.uuidString)', '\(checkIn.adding(days: 1).iso)', '\(graz.uuidString)', '\(booking.id.uuidString)')
            """,
        ]
        for sql in refused {
            #expect(throws: PostgresClusterError.self, "\(sql)") { try cluster.psql("BEGIN; DELETE FROM room_night WHERE booking_id = '\(booking.id.uuidString)'; \(sql); ROLLBACK", database: name) }
        }
        // The same night with the booking's own hotel is taken: the refusals above were the hotel's.
        try cluster.psql("""
            BEGIN; DELETE FROM room_night WHERE booking_id = '\(booking.id.uuidString)' AND night = '\(checkIn.adding(days: 1).iso)';
            INSERT INTO room_night (room_id, night, hotel_id, booking_id)
            VALUES ('\(booking.roomId.uuidString)', '\(checkIn.adding(days: 1).iso)', '\(vienna.uuidString)', '\(booking.id.uuidString)');
            ROLLBACK
            """, database: name)
        #expect(try storage.hotel(vienna).findBookings(BookingFilter()).total == 1)
    }
}

extension PostgresBackendTests {

    /// A new database with hotel Vienna, its room 101, and one confirmed desk booking of
    /// `nights` nights from ten days ahead; the cluster, the database's name and the storage.
    static func oneBooking(nights: Int) throws -> (PostgresCluster, String, PostgresChainStorage, Booking) {
        let cluster = try PostgresCluster.shared()
        let database = try cluster.makeDatabase()
        let storage = try PostgresChainStorage(url: try PostgresURL.parse(database), poolSize: 2, migrate: true,
                                               businessDate: StoreFixture.today)
        let hotel = try storage.addChainHotel(name: "Vienna", timeZone: "Europe/Vienna", currency: "EUR", by: "admin").id
        _ = try storage.hotel(hotel).addRoomType(name: "Double", capacity: 2, basePrice: Money(minorUnits: 10_000), by: "admin")
        _ = try storage.hotel(hotel).addRoom(number: "101", typeName: "Double", by: "admin")
        let checkIn = StoreFixture.today.adding(days: 10)
        let form = BookingForm(roomNumber: "101", checkIn: checkIn.iso, checkOut: checkIn.adding(days: nights).iso, guests: "2",
                               guestName: "Ines Wirth", email: "ines@example.com")
        let booking = try storage.hotel(hotel).reserveAll([ReservationRequest(form: form, payment: .desk, user: "anna",
                                                                               confirmsDeskPaymentAtOnce: true)])[0].get()
        return (cluster, String(database.split(separator: "/").last!), storage, booking)
    }
    /// Savepoints nest (a sync push's operation, its edit, the edit's claim): a failed inner one
    /// and then a failed outer one leave nothing of the outer one's writes. PostgreSQL resolves a
    /// savepoint's name to the newest, and one rolled back stays defined until released: the
    /// outer rollback once went back to the inner savepoint and kept a half-made edit.
    @Test func aFailedOuterSavepointUndoesItsWritesAfterAFailedInnerOne() throws {
        struct Refused: Error {}
        let (cluster, name, storage, booking) = try Self.oneBooking(nights: 1)
        let id = booking.id.uuidString
        try storage.write(hotel: booking.hotelId) { session in
            var innerRefused = false
            #expect(throws: Refused.self) {
                try storage.inSavepoint(session) {
                    _ = try session.execute("UPDATE booking SET guest_name = 'Half An Edit' WHERE id = '\(id)'")
                    do { try storage.inSavepoint(session) { throw Refused() } } catch is Refused { innerRefused = true }
                    throw Refused()
                }
            }
            #expect(innerRefused)
            // The transaction goes on after both: a write after them is kept.
            _ = try session.execute("UPDATE booking SET guest_phone = '+43 1 234' WHERE id = '\(id)'")
        }
        #expect(try cluster.value("SELECT guest_name || '|' || coalesce(guest_phone, '') FROM booking WHERE id = '\(id)'", database: name)
            == "Ines Wirth|+43 1 234")
    }

    /// A write that waits for a lock longer than `lock_timeout` (here half a second; 25 s in a
    /// server) is refused by PostgreSQL, 503 and nothing written, instead of
    /// waiting on in the database after its caller gave up (and committing then). Once the lock
    /// is free, the same write goes through.
    @Test func aWriteWaitingTooLongForALockIsRefusedAndWritesNothing() throws {
        let (cluster, name, _, booking) = try Self.oneBooking(nights: 1)
        let storage = try PostgresChainStorage(url: try PostgresURL.parse("postgres://\(cluster.user)@127.0.0.1:\(cluster.port)/\(name)"),
                                               poolSize: 1, businessDate: StoreFixture.today, lockTimeout: 0.5)
        let hotel = storage.hotel(booking.hotelId)
        let holder = Thread {
            try? cluster.psql("BEGIN; SELECT * FROM hotel_clock FOR UPDATE; SELECT pg_sleep(4); COMMIT", database: name)
        }
        holder.start()
        for _ in 0..<100 where try cluster.value("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(4)%' AND pid <> pg_backend_pid()",
                                                 database: name) == "0" {
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect {
            _ = try hotel.addRoom(number: "102", typeName: "Double", by: "admin")
        } throws: { error in
            guard case PostgresStoreError.lockWaitTooLong = error else { return false }
            return PostgresChainStorage.isUnavailable(error) // answered 503 by the server
        }
        #expect(try cluster.value("SELECT count(*) FROM room WHERE number = '102'", database: name) == "0")
        while try cluster.value("SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(4)%' AND pid <> pg_backend_pid()",
                                database: name) != "0" {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(try hotel.addRoom(number: "102", typeName: "Double", by: "admin").room.number == "102")
    }

    /// Schema v10: a statement's nights are checked against their bookings in one query, and the
    /// commit moves the availability version once a transaction however many nights it changed.
    /// One bad night among good ones still undoes the whole statement.
    @Test func aStatementWithOneNightOutsideItsBookingWritesNoneAndACommitMovesTheVersionOnce() throws {
        let (cluster, name, _, booking) = try Self.oneBooking(nights: 3)
        let (hotel, checkIn) = (booking.hotelId, booking.stay.checkIn)
        let (id, room) = (booking.id.uuidString, booking.roomId.uuidString)
        func nights() throws -> String {
            try cluster.value("SELECT string_agg(night::text, ',' ORDER BY night) FROM room_night WHERE booking_id = '\(id)'", database: name)
        }
        func version() throws -> Int {
            Int(try cluster.value(PostgresSchema.availabilityVersionRead(hotel: "'\(hotel.uuidString)'"), database: name)) ?? -1
        }
        let stay = [0, 1, 2].map { checkIn.adding(days: $0).iso }
        #expect(try nights() == stay.joined(separator: ","))
        let row = { (night: String) in "('\(room)', '\(night)', '\(hotel.uuidString)', '\(id)')" }
        // Two good nights and one the day the guest leaves, in one statement: none is written.
        #expect(throws: PostgresClusterError.self) {
            try cluster.psql("""
                BEGIN; DELETE FROM room_night WHERE booking_id = '\(id)';
                INSERT INTO room_night (room_id, night, hotel_id, booking_id)
                VALUES \(row(stay[0])), \(row(stay[1])), \(row(checkIn.adding(days: 3).iso));
                COMMIT
                """, database: name)
        }
        #expect(try nights() == stay.joined(separator: ","))
        // Three nights given back and taken again in three statements: the version moves once.
        let before = try version()
        try cluster.psql("""
            BEGIN; DELETE FROM room_night WHERE booking_id = '\(id)';
            INSERT INTO room_night (room_id, night, hotel_id, booking_id) VALUES \(row(stay[0])), \(row(stay[1]));
            INSERT INTO room_night (room_id, night, hotel_id, booking_id) VALUES \(row(stay[2]));
            COMMIT
            """, database: name)
        #expect(try version() == before + 1)
        #expect(try nights() == stay.joined(separator: ","))
    }

    /// Schema v12 (issue 13): a group's commit locks no row of its hotel, so another instance's
    /// commit need not wait for it to be flushed. A transaction that claimed a night and handed
    /// its feed to its commit has run the commit's trigger (`SET CONSTRAINTS ALL IMMEDIATE`) and
    /// is still open: the hotel's counter row is free. Once it commits, its entry is numbered
    /// after the booking's own when the feed is read, and the availability version has moved.
    @Test func aGroupsCommitLeavesTheHotelsCounterFreeAndItsFeedIsNumberedWhenRead() throws {
        let (cluster, name, storage, booking) = try Self.oneBooking(nights: 1)
        let (hotel, id, room) = (booking.hotelId.uuidString, booking.id.uuidString, booking.roomId.uuidString)
        let scoped = storage.hotel(booking.hotelId)
        let first = try scoped.feedEvents(after: 0, limit: 100)
        #expect(first.map(\.sequence) == Array(1...Int64(first.count)))
        #expect(first.map(\.name).contains("BookingConfirmed"))
        let versionBefore = Int(try cluster.value(PostgresSchema.availabilityVersionRead(hotel: "'\(hotel)'"), database: name)) ?? -1
        let handed = #"{"hotel":"\#(hotel.lowercased())","entries":[{"event":"RoomAvailabilityChanged","booking_id":"\#(id.lowercased())","room_id":"\#(room.lowercased())","data":"{\"handed\":true}","at_ms":1}]}"#
        let holder = Thread {
            try? cluster.psql("""
                BEGIN; DELETE FROM room_night WHERE booking_id = '\(id)';
                INSERT INTO room_night (room_id, night, hotel_id, booking_id) VALUES ('\(room)', '\(booking.stay.checkIn.iso)', '\(hotel)', '\(id)');
                SELECT set_config('frontdesk.feed_at_commit', '\(handed)', true);
                SET CONSTRAINTS ALL IMMEDIATE; SELECT pg_sleep(3); COMMIT
                """, database: name)
        }
        holder.start()
        // Asleep in pg_sleep: the statements before it (the trigger's run among them) are done.
        func holding() throws -> Bool {
            try cluster.value("""
                SELECT count(*) FROM pg_stat_activity
                WHERE wait_event = 'PgSleep' AND datname = current_database() AND pid <> pg_backend_pid()
                """, database: name) != "0"
        }
        for _ in 0..<100 {
            if try holding() { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(try holding())
        // Before v12 the trigger had locked this row until the commit: "could not obtain lock".
        #expect(try cluster.value("SELECT count(*) FROM (SELECT 1 FROM hotel_clock WHERE hotel_id = '\(hotel)' FOR UPDATE NOWAIT) t",
                                  database: name) == "1")
        while try holding() { Thread.sleep(forTimeInterval: 0.1) }
        let after = try scoped.feedEvents(after: first.last!.sequence, limit: 100)
        #expect(after.map(\.sequence) == [first.last!.sequence + 1])
        #expect(after.first?.data == #"{"handed":true}"#)
        #expect(try scoped.latestFeedSequence() == first.last!.sequence + 1)
        #expect(Int(try cluster.value(PostgresSchema.availabilityVersionRead(hotel: "'\(hotel)'"), database: name)) ?? -1 > versionBefore)
    }

    /// What a group's commit left to be numbered comes before a change made after it: a cancel
    /// (whose entries are numbered by its own statement) follows its booking's confirmation.
    @Test func aChangeAfterAGroupsBookingIsNumberedAfterItsEntries() throws {
        let (cluster, name, storage, booking) = try Self.oneBooking(nights: 2)
        #expect(try cluster.value("SELECT count(*) FROM change_feed_pending", database: name) != "0")
        let scoped = storage.hotel(booking.hotelId)
        _ = try scoped.cancel(booking.confirmationCode, reason: "Guest called", ChangeRequest(user: "anna"))
        #expect(try cluster.value("SELECT count(*) FROM change_feed_pending", database: name) == "0")
        let events = try scoped.feedEvents(after: 0, limit: 100)
        #expect(events.map(\.sequence) == Array(1...Int64(events.count)))
        let names = events.map(\.name)
        #expect(names.firstIndex(of: "BookingConfirmed").map { confirmed in
            names.firstIndex(of: "BookingCancelled").map { confirmed < $0 } ?? false } ?? false, "\(names)")
    }

    /// An export's feed number covers every change in it: a booking whose group left its feed
    /// entries unnumbered (schema v12) was exported with a number before them, and a desk already
    /// at that number never heard of the booking once the hotel was imported elsewhere.
    @Test func anExportsFeedNumberCoversABookingWhoseEntriesWerePending() throws {
        let (cluster, name, storage, booking) = try Self.oneBooking(nights: 1)
        #expect(try cluster.value("SELECT count(*) FROM change_feed_pending", database: name) != "0")
        let hotel = try #require(try storage.hotels().first { $0.id == booking.hotelId })
        let transfer = try HotelTransfer.take(hotel, from: storage.hotel(booking.hotelId))
        #expect(transfer.bookings.map(\.id) == [booking.id])
        let latest = try storage.hotel(booking.hotelId).latestFeedSequence()
        #expect(latest > 0)
        #expect(transfer.feedSequence == latest)
    }

    /// An instance whose clock is off from the database server's is found out at start: its holds
    /// would end early or late, and beyond a minute it would take live runners' payment claims.
    @Test func anInstancesClockIsComparedWithTheDatabases() throws {
        let url = try PostgresURL.parse(try PostgresCluster.shared().makeDatabase())
        let ahead = try PostgresChainStorage(url: url, poolSize: 1, migrate: true, clock: { Date().addingTimeInterval(300) })
        #expect(abs(try ahead.clockAheadOfDatabase() - 300) < 2)
        let behind = try PostgresChainStorage(url: url, poolSize: 1, clock: { Date().addingTimeInterval(-30) })
        #expect(abs(try behind.clockAheadOfDatabase() + 30) < 2)
        let right = try PostgresChainStorage(url: url, poolSize: 1)
        #expect(abs(try right.clockAheadOfDatabase()) < 2)

        #expect(PostgresChainStorage.clockProblem(aheadBy: 0.4) == nil)
        let warned = try #require(PostgresChainStorage.clockProblem(aheadBy: -30))
        #expect(!warned.refuse && warned.words.contains("30 s behind the database server's"))
        let refused = try #require(PostgresChainStorage.clockProblem(aheadBy: 300))
        #expect(refused.refuse && refused.words.contains("300 s ahead of") && refused.words.contains("NTP"))
    }
}

final class ResultsBox: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<Booking, any Error>] = []
    func append(_ result: Result<Booking, any Error>) { lock.lock(); results.append(result); lock.unlock() }
    var all: [Result<Booking, any Error>] { lock.lock(); defer { lock.unlock() }; return results }
}
