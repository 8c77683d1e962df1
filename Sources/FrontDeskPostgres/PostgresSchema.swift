import Foundation
import PostgresNIO

/// The PostgreSQL schema as numbered migrations. A migration that has landed is never edited:
/// add the next one. Each runs in its own transaction and is recorded in `schema_migrations`;
/// concurrent `migrate` runs (several instances starting at once) take turns on an advisory lock.
///
/// Money is integer cents (BIGINT), dates of stay are DATE, instants TIMESTAMPTZ, ids UUID.
/// No double sale: the room-night primary key `(room_id, night)`, as on SQLite (DECISIONS.md).
public enum PostgresSchema {
    struct Migration {
        let version: Int
        let name: String
        let sql: String
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "hotels, rooms, bookings, room nights, saga, accounts, change feed, availability version", sql: v1),
        Migration(version: 2, name: "saga runners' status", sql: v2),
        Migration(version: 3, name: "request ids of booking changes, offline desks' pushed operations", sql: v3),
        Migration(version: 4, name: "availability version moved once a statement; not during an import", sql: v4),
        Migration(version: 5, name: "availability version moved at commit, once per hotel", sql: v5),
        Migration(version: 6, name: "rate limits shared by instances: failed logins, requests per token", sql: v6),
        Migration(version: 7, name: "a room night checked against its booking after the statement that claims it", sql: v7),
        Migration(version: 8, name: "a group's feed entries numbered and written at its commit", sql: v8),
        Migration(version: 9, name: "bookings, nights and feed entries checked against their hotel without locking its row", sql: v9),
        Migration(version: 10, name: "a statement's room nights checked in one query; the commit's version move done once", sql: v10),
        Migration(version: 11, name: "the amount a card was charged, which its refund pays back; refusals counted apart", sql: v11),
        Migration(version: 12, name: "a group's commit locks no row of its hotel: feed entries numbered after it, availability moved in parts", sql: v12),
        Migration(version: 13, name: "when each server user was last disabled", sql: v13),
        Migration(version: 14, name: "the guests checked in, by room", sql: v14),
        Migration(version: 15, name: "the card charge of bookings paid before version 11, from their confirmation", sql: v15),
    ]

    /// The newest schema this build knows.
    public static var version: Int { migrations.last?.version ?? 0 }

    /// Any number; the same for every Front Desk, so two migrating processes take turns.
    static let advisoryLock: Int64 = 0x4644_5344_4B31 // "FDSDK1"

    /// The version recorded in the database: 0 when it has no Front Desk schema.
    static func currentVersion(_ session: PostgresSession) throws -> Int {
        let exists = try session.rows("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard let row = exists.first, try ColumnReader(row, table: "schema_migrations").bool(0) else { return 0 }
        let rows = try session.rows("SELECT COALESCE(MAX(version), 0)::int8 FROM schema_migrations")
        return try rows.first.map { try ColumnReader($0, table: "schema_migrations").int(0) } ?? 0
    }

    /// Applies every migration the database lacks; refuses a schema newer than this build's.
    /// Returns the versions applied (empty when the schema was up to date).
    static func migrate(_ pool: PostgresPool) throws -> [Int] {
        try pool.withConnection { session in
            // A migration's statement may run for long; waiting for a lock it still gives up
            // after `lock_timeout`, so live traffic does not queue behind it.
            session.awaitsLongStatements.store(true, ordering: .relaxed)
            defer { session.awaitsLongStatements.store(false, ordering: .relaxed) }
            try session.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
            do {
                // Instances starting together wait their turn here however long the first one's
                // migration takes; its statements then give up on a lock after the usual time.
                try session.execute("SET LOCAL lock_timeout = 0")
                try session.execute("SELECT pg_advisory_xact_lock($1)", [advisoryLock])
                try session.execute("SET LOCAL lock_timeout = '\(Int(pool.lockTimeout * 1000))ms'")
                try session.execute("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version integer PRIMARY KEY,
                        name text NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
                let found = try currentVersion(session)
                if found > version {
                    throw PostgresStoreError.newerSchema(url: pool.url.description, found: found, known: version)
                }
                // Instances of the older program must not be serving while their schema changes
                // under them (schema v12 moved what they read); a new database has none.
                if found > 0 && found < version {
                    let serving = try session.rows("""
                        SELECT count(DISTINCT application_name)::int8 FROM pg_stat_activity
                        WHERE datname = current_database() AND starts_with(application_name, $1)
                        """, [PostgresChainStorage.serverInstancePrefix]).first
                        .map { try ColumnReader($0, table: "pg_stat_activity").int(0) } ?? 0
                    if serving > 0 {
                        throw PostgresStoreError.instancesServing(url: pool.url.description, instances: serving, found: found, known: version)
                    }
                }
                var applied: [Int] = []
                for migration in migrations where migration.version > found {
                    for statement in statements(of: migration.sql) { try session.execute(statement) }
                    try session.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                                        [migration.version, migration.name])
                    applied.append(migration.version)
                }
                try session.execute("COMMIT")
                return applied
            } catch {
                _ = try? session.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// The statements of a migration, one by one (a prepared statement holds one command): split
    /// at each `;` outside quotes, `$$` bodies and `--` comments.
    static func statements(of sql: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var (inQuote, inBody, inComment) = (false, false, false)
        var characters = sql.makeIterator()
        var previous: Character = " "
        while let character = characters.next() {
            defer { previous = character }
            if inComment {
                if character == "\n" { inComment = false }
                current.append(character)
                continue
            }
            if !inQuote && !inBody && character == "-" && previous == "-" { inComment = true }
            if !inBody && character == "'" { inQuote.toggle() }
            if !inQuote && character == "$" && previous == "$" { inBody.toggle() }
            if character == ";" && !inQuote && !inBody {
                let statement = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !statement.isEmpty { statements.append(statement) }
                current = ""
                continue
            }
            current.append(character)
        }
        let last = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !last.isEmpty && !last.split(separator: "\n").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }) {
            statements.append(last)
        }
        return statements
    }

    /// Refuses a database whose schema is not exactly this build's (newer: refused; older or
    /// none: `migrate` first). Nothing is written.
    static func check(_ pool: PostgresPool) throws {
        let found = try pool.withConnection { try currentVersion($0) }
        if found > version { throw PostgresStoreError.newerSchema(url: pool.url.description, found: found, known: version) }
        if found < version { throw PostgresStoreError.notMigrated(url: pool.url.description, found: found, known: version) }
    }

    /// Version 1: the tables the storage contract needs, shaped as SQLite's (Schema.swift v1-v11)
    /// with PostgreSQL's types. One row per hotel in `hotel_clock` numbers its change feed and
    /// its availability; every write transaction of a hotel locks that row first (see
    /// `PostgresStore.write`), so a hotel's writes take turns as on SQLite, its feed numbers
    /// follow commit order without gaps, and no two writers of a hotel deadlock.
    static let v1 = """
        CREATE TABLE hotel (
            id uuid PRIMARY KEY,
            name text NOT NULL CHECK (length(trim(name)) > 0),
            time_zone text NOT NULL,
            currency text NOT NULL CHECK (length(currency) = 3),
            hold_minutes integer NOT NULL DEFAULT 15 CHECK (hold_minutes BETWEEN 1 AND 1440),
            no_show_cutoff_hour integer NOT NULL DEFAULT 18 CHECK (no_show_cutoff_hour BETWEEN 0 AND 23),
            no_show_fee text NOT NULL DEFAULT 'first_night' CHECK (no_show_fee IN ('first_night', 'none')),
            created_at timestamptz NOT NULL DEFAULT now()
        );

        -- The hotel's counters: the availability version (moved by the triggers below whenever
        -- anything an availability answer is made of changes) and its change feed's last number
        -- (never reused: pruning the feed does not touch it).
        CREATE TABLE hotel_clock (
            hotel_id uuid PRIMARY KEY REFERENCES hotel(id),
            availability_version bigint NOT NULL DEFAULT 0,
            feed_seq bigint NOT NULL DEFAULT 0
        );

        CREATE TABLE room_type (
            id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES hotel(id),
            name text NOT NULL CHECK (length(trim(name)) > 0),
            capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 10),
            base_price_cents bigint NOT NULL CHECK (base_price_cents > 0),
            UNIQUE (hotel_id, name)
        );

        CREATE TABLE room (
            id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES hotel(id),
            room_type_id uuid NOT NULL REFERENCES room_type(id),
            number text NOT NULL CHECK (length(trim(number)) > 0),
            is_active boolean NOT NULL DEFAULT true,
            -- Two hotels of a chain both have a room 101.
            UNIQUE (hotel_id, number)
        );
        CREATE INDEX room_for_search ON room (hotel_id, is_active, room_type_id);

        CREATE TABLE booking (
            id uuid PRIMARY KEY,
            hotel_id uuid NOT NULL REFERENCES hotel(id),
            room_id uuid NOT NULL REFERENCES room(id),
            confirmation_code text NOT NULL UNIQUE,
            guest_name text NOT NULL CHECK (length(trim(guest_name)) > 0),
            guest_email text NOT NULL,
            guest_phone text,
            guest_count integer NOT NULL CHECK (guest_count BETWEEN 1 AND 10),
            check_in date NOT NULL,
            check_out date NOT NULL CHECK (check_out > check_in),
            status text NOT NULL CHECK (status IN
                ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn', 'CheckedOut', 'Failed', 'Cancelled', 'NoShow')),
            total_cents bigint NOT NULL CHECK (total_cents >= 0),
            version integer NOT NULL CHECK (version >= 1),
            hold_expires_at timestamptz,
            status_reason text,
            request_id uuid UNIQUE,
            request_fingerprint text,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            checked_in_on date,
            checked_out_on date,
            room_since date
        );
        CREATE INDEX booking_for_plan ON booking (hotel_id, check_in, check_out);
        CREATE INDEX booking_hotel_check_out ON booking (hotel_id, check_out);
        CREATE INDEX booking_hotel_id ON booking (hotel_id, id);
        CREATE INDEX booking_hotel_created ON booking (hotel_id, created_at);

        -- What the guest pays for each night; kept for as long as the booking is.
        CREATE TABLE booking_night (
            booking_id uuid NOT NULL REFERENCES booking(id),
            night date NOT NULL,
            price_cents bigint NOT NULL CHECK (price_cents >= 0),
            PRIMARY KEY (booking_id, night)
        );

        -- The claim on a room for a night. The primary key makes a double sale impossible,
        -- whichever instance or process writes: a second claim of the night is a unique
        -- violation, whatever the checks before it saw. Rows live while the booking holds the
        -- room and stay after check-out as the record of a sold night.
        CREATE TABLE room_night (
            room_id uuid NOT NULL REFERENCES room(id),
            night date NOT NULL,
            hotel_id uuid NOT NULL REFERENCES hotel(id),
            booking_id uuid NOT NULL REFERENCES booking(id),
            hold_expires_at timestamptz,
            PRIMARY KEY (room_id, night)
        );
        CREATE INDEX room_night_hotel_night ON room_night (hotel_id, night, hold_expires_at);
        CREATE INDEX room_night_booking ON room_night (booking_id);

        -- A night can only be claimed for the room its booking is for, within the stay.
        CREATE FUNCTION room_night_matches_booking() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM booking b WHERE b.id = NEW.booking_id
                           AND NEW.night >= b.check_in AND NEW.night < b.check_out
                           AND (b.room_id = NEW.room_id OR (b.room_since IS NOT NULL AND NEW.night < b.room_since))) THEN
                RAISE EXCEPTION 'room night outside its booking';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER room_night_matches_booking BEFORE INSERT ON room_night
            FOR EACH ROW EXECUTE FUNCTION room_night_matches_booking();

        -- A failed or cancelled booking never keeps a room.
        CREATE FUNCTION booking_release_on_end() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM room_night WHERE booking_id = NEW.id;
            RETURN NULL;
        END $$;
        CREATE TRIGGER booking_release_on_end AFTER UPDATE OF status ON booking
            FOR EACH ROW WHEN (NEW.status IN ('Failed', 'Cancelled')) EXECUTE FUNCTION booking_release_on_end();

        -- The availability version moves with every change an availability answer is made of:
        -- a claimed, released or changed night, a room, a room type, the hotel. Triggers, not the
        -- Swift code, so no write path can change availability without it.
        CREATE FUNCTION availability_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id = NEW.hotel_id;
            ELSIF TG_OP = 'DELETE' THEN
                UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id = OLD.hotel_id;
            ELSE
                UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id IN (OLD.hotel_id, NEW.hotel_id);
            END IF;
            RETURN NULL;
        END $$;
        CREATE FUNCTION availability_hotel_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id = NEW.id;
            RETURN NULL;
        END $$;
        CREATE TRIGGER availability_room_night AFTER INSERT OR UPDATE OR DELETE ON room_night
            FOR EACH ROW EXECUTE FUNCTION availability_moved();
        CREATE TRIGGER availability_room AFTER INSERT OR UPDATE OR DELETE ON room
            FOR EACH ROW EXECUTE FUNCTION availability_moved();
        CREATE TRIGGER availability_room_type AFTER INSERT OR UPDATE OR DELETE ON room_type
            FOR EACH ROW EXECUTE FUNCTION availability_moved();
        CREATE TRIGGER availability_hotel AFTER UPDATE ON hotel
            FOR EACH ROW EXECUTE FUNCTION availability_hotel_moved();

        -- Notes and requests on a booking, oldest first; never edited.
        CREATE TABLE booking_note (
            booking_id uuid NOT NULL REFERENCES booking(id),
            seq integer NOT NULL,
            at timestamptz NOT NULL,
            by_user text NOT NULL,
            text text NOT NULL CHECK (length(trim(text)) > 0),
            PRIMARY KEY (booking_id, seq)
        );

        CREATE TABLE audit_entry (
            id bigserial PRIMARY KEY,
            at timestamptz NOT NULL,
            user_name text NOT NULL,
            action text NOT NULL,
            hotel_id uuid,
            booking_id uuid,
            room_id uuid,
            summary text NOT NULL,
            before_state text,
            after_state text
        );
        CREATE INDEX audit_booking ON audit_entry (booking_id);

        -- The workflow data of a booking; its state is the booking's status.
        CREATE TABLE saga (
            booking_id uuid PRIMARY KEY REFERENCES booking(id),
            payment_method text NOT NULL CHECK (payment_method IN ('desk', 'card')),
            card_number text,
            payment_reference text,
            refund_reference text,
            started_at timestamptz NOT NULL,
            attention text,
            attention_since timestamptz,
            attention_step text
        );

        -- Outbox and schedule in one: a message is due at available_at.
        CREATE TABLE saga_message (
            id bigserial PRIMARY KEY,
            booking_id uuid NOT NULL REFERENCES booking(id),
            name text NOT NULL CHECK (name IN ('RoomReserved', 'ReservationExpired', 'ProcessPayment', 'ProcessRefund')),
            available_at timestamptz NOT NULL,
            attempts integer NOT NULL DEFAULT 0,
            claimed_by text,
            claimed_until timestamptz,
            last_error text,
            created_at timestamptz NOT NULL
        );
        CREATE INDEX saga_message_due ON saga_message (available_at);
        CREATE INDEX saga_message_booking ON saga_message (booking_id);

        -- Accounts of the booking server; names are unique whatever their case.
        CREATE TABLE server_user (
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
            role text NOT NULL CHECK (role IN ('receptionist', 'manager', 'admin')),
            email text NOT NULL DEFAULT '',
            hotel_id uuid REFERENCES hotel(id),
            password_hash text NOT NULL,
            is_disabled boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL,
            CHECK ((role = 'admin') = (hotel_id IS NULL))
        );
        CREATE UNIQUE INDEX server_user_name ON server_user (lower(name));

        -- Every committed change a listener must hear of, numbered per hotel by hotel_clock.
        CREATE TABLE change_feed (
            hotel_id uuid NOT NULL REFERENCES hotel(id),
            seq bigint NOT NULL,
            event text NOT NULL,
            booking_id uuid,
            room_id uuid,
            data text NOT NULL,
            at timestamptz NOT NULL,
            PRIMARY KEY (hotel_id, seq)
        );
        CREATE INDEX change_feed_at ON change_feed (at);
        """

    /// Version 2: what each saga runner last said of its payment service (`saga status`; as
    /// SQLite's `runner_status`). Claims need nothing new: `saga_message.claimed_by` and
    /// `claimed_until` (the lease) are in version 1.
    static let v2 = """
        CREATE TABLE runner_status (
            runner text PRIMARY KEY,
            payment_service text NOT NULL,
            updated_at timestamptz NOT NULL
        );
        """

    /// Version 3: what changing a reservation and offline desks' pushes need (SQLite's v8 and v9):
    /// the request ids of changes, and each pushed operation with its first answer.
    static let v3 = """
        -- The request id of each change of a booking: a retry with it changes nothing.
        CREATE TABLE booking_change_request (
            request_id uuid PRIMARY KEY,
            booking_id uuid NOT NULL REFERENCES booking(id),
            action text NOT NULL,
            fingerprint text NOT NULL,
            created_at timestamptz NOT NULL
        );

        -- Each operation an offline desk pushed, applied once: the same id again gets the answer
        -- it got the first time.
        CREATE TABLE sync_operation (
            hotel_id uuid NOT NULL REFERENCES hotel(id),
            operation_id text NOT NULL,
            seq bigint NOT NULL,
            -- The operation's content, so the same id with other content is refused.
            fingerprint text NOT NULL,
            booking_id text,
            outcome text NOT NULL CHECK (outcome IN ('accepted', 'conflict', 'rejected')),
            -- The SyncOutcome as first answered (JSON).
            answer text NOT NULL,
            at timestamptz NOT NULL,
            PRIMARY KEY (hotel_id, operation_id)
        );
        CREATE INDEX sync_operation_booking ON sync_operation (hotel_id, booking_id, seq);
        """

    /// The availability version moved once per statement on room nights instead of once per
    /// night: every update of the hotel's one `hotel_clock` row inside a transaction leaves a row
    /// version the next update walks past, so a booking of many nights paid for each, and an
    /// import of 126,000 bookings (380,000 nights, one transaction) slowed to 60 bookings/s. An
    /// import sets `frontdesk.bulk_load` for its transaction and moves the version once at its end.
    static let v4 = """
        DROP TRIGGER availability_room_night ON room_night;
        CREATE FUNCTION availability_nights_moved() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('frontdesk.bulk_load', true) = 'on' THEN
                RETURN NULL;
            END IF;
            IF TG_OP = 'INSERT' THEN
                UPDATE hotel_clock SET availability_version = availability_version + 1
                WHERE hotel_id IN (SELECT hotel_id FROM new_nights);
            ELSIF TG_OP = 'DELETE' THEN
                UPDATE hotel_clock SET availability_version = availability_version + 1
                WHERE hotel_id IN (SELECT hotel_id FROM old_nights);
            ELSE
                UPDATE hotel_clock SET availability_version = availability_version + 1
                WHERE hotel_id IN (SELECT hotel_id FROM old_nights UNION SELECT hotel_id FROM new_nights);
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER availability_room_night_insert AFTER INSERT ON room_night
            REFERENCING NEW TABLE AS new_nights FOR EACH STATEMENT EXECUTE FUNCTION availability_nights_moved();
        CREATE TRIGGER availability_room_night_delete AFTER DELETE ON room_night
            REFERENCING OLD TABLE AS old_nights FOR EACH STATEMENT EXECUTE FUNCTION availability_nights_moved();
        CREATE TRIGGER availability_room_night_update AFTER UPDATE ON room_night
            REFERENCING OLD TABLE AS old_nights NEW TABLE AS new_nights FOR EACH STATEMENT EXECUTE FUNCTION availability_nights_moved();
        """

    /// The availability version moved at commit instead of mid-transaction: moving it locks the
    /// hotel's `hotel_clock` row until the commit, and bookings that lock it only at their end run
    /// side by side (`PostgresChainStorage`). A deferred row trigger moves it once per hotel and
    /// transaction (the hotels already moved are kept in a transaction-local setting); an import
    /// (`frontdesk.bulk_load`) still moves it once itself.
    static let v5 = """
        DROP TRIGGER availability_room_night_insert ON room_night;
        DROP TRIGGER availability_room_night_delete ON room_night;
        DROP TRIGGER availability_room_night_update ON room_night;
        CREATE FUNCTION availability_nights_moved_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            moved text := COALESCE(current_setting('frontdesk.availability_moved', true), '');
            hotel uuid;
        BEGIN
            IF current_setting('frontdesk.bulk_load', true) = 'on' THEN
                RETURN NULL;
            END IF;
            FOR hotel IN SELECT DISTINCT h FROM unnest(CASE TG_OP
                    WHEN 'INSERT' THEN ARRAY[NEW.hotel_id]
                    WHEN 'DELETE' THEN ARRAY[OLD.hotel_id]
                    ELSE ARRAY[OLD.hotel_id, NEW.hotel_id] END) AS t(h) LOOP
                IF position(hotel::text IN moved) = 0 THEN
                    UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id = hotel;
                    moved := moved || hotel::text || ',';
                    PERFORM set_config('frontdesk.availability_moved', moved, true);
                END IF;
            END LOOP;
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER availability_room_night_moved AFTER INSERT OR UPDATE OR DELETE ON room_night
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION availability_nights_moved_at_commit();
        """

    /// Version 6: the rate limits that must hold across instances (issue 13, item 3). Failed
    /// logins per user name or address (counted by one UPSERT each), and each token's requests per
    /// second, added by every instance every ~0.2 s (DECISIONS.md). Both are pruned as they age.
    static let v6 = """
        CREATE TABLE login_failure (
            key text PRIMARY KEY,
            failures integer NOT NULL CHECK (failures >= 1),
            first_at timestamptz NOT NULL,
            last_at timestamptz NOT NULL
        );
        CREATE INDEX login_failure_last ON login_failure (last_at);

        -- Requests of a token (a hash of it, never the token) in the second starting at `second`
        -- (Unix time), summed over the instances. The key starts with the second: old seconds
        -- are pruned as one range.
        CREATE TABLE token_request_count (
            second bigint NOT NULL,
            token_hash text NOT NULL,
            requests bigint NOT NULL CHECK (requests >= 0),
            PRIMARY KEY (second, token_hash)
        );
        """

    /// Version 7: a claimed night is checked against its booking by an AFTER row trigger, which
    /// runs once the whole statement is done, instead of a BEFORE trigger, which runs as each row
    /// goes in. So one statement may insert a booking and claim its nights (a desk-paid booking
    /// written at once, PostgresBookingAtOnce.swift): a BEFORE trigger does not see a row that
    /// another part of the same statement inserts. Same function, same check, same error, and a
    /// failed check still undoes the whole statement.
    static let v7 = """
        DROP TRIGGER room_night_matches_booking ON room_night;
        CREATE TRIGGER room_night_matches_booking AFTER INSERT ON room_night
            FOR EACH ROW EXECUTE FUNCTION room_night_matches_booking();
        """

    /// Version 8: a transaction may hand its feed entries to its commit (JSON in the transaction's
    /// setting `frontdesk.feed_at_commit`: the hotel and the entries in order). The function that
    /// moves the availability version at commit (v5) then numbers and writes them with the same
    /// update of `hotel_clock`, so the counter row is locked only while the commit ends, not from
    /// a statement through the round trip that sends COMMIT (PostgresBookingAtOnce.swift). Entries
    /// written by statements (`flushFeed`) take the same lock, so numbers stay in commit order.
    /// During an import (`frontdesk.bulk_load`) the availability version still waits for the
    /// import's end, but entries handed over are written. `jsonb`: the text is parsed once, where
    /// each `->` of `json` parses it again.
    static let v8 = """
        CREATE OR REPLACE FUNCTION availability_nights_moved_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            moved text := COALESCE(current_setting('frontdesk.availability_moved', true), '');
            handed text := COALESCE(current_setting('frontdesk.feed_at_commit', true), '');
            hotel uuid;
            feed jsonb;
            entries int;
            last bigint;
        BEGIN
            IF current_setting('frontdesk.bulk_load', true) = 'on' AND handed = '' THEN
                RETURN NULL;
            END IF;
            FOR hotel IN SELECT DISTINCT h FROM unnest(CASE TG_OP
                    WHEN 'INSERT' THEN ARRAY[NEW.hotel_id]
                    WHEN 'DELETE' THEN ARRAY[OLD.hotel_id]
                    ELSE ARRAY[OLD.hotel_id, NEW.hotel_id] END) AS t(h) LOOP
                IF position(hotel::text IN moved) = 0 THEN
                    feed := CASE WHEN handed = '' THEN NULL ELSE handed::jsonb END;
                    IF feed IS NOT NULL AND (feed ->> 'hotel')::uuid = hotel THEN
                        entries := jsonb_array_length(feed -> 'entries');
                        UPDATE hotel_clock SET availability_version = availability_version + 1, feed_seq = feed_seq + entries
                        WHERE hotel_id = hotel RETURNING feed_seq INTO last;
                        INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
                        SELECT hotel, last - entries + e.ord, e.event, e.booking_id, e.room_id, e.data,
                               'epoch'::timestamptz + e.at_ms * interval '1 millisecond'
                        FROM ROWS FROM (jsonb_to_recordset(feed -> 'entries') AS (event text, booking_id uuid, room_id uuid, data text, at_ms int8))
                             WITH ORDINALITY AS e(event, booking_id, room_id, data, at_ms, ord);
                        handed := '';
                        PERFORM set_config('frontdesk.feed_at_commit', '', true);
                    ELSIF current_setting('frontdesk.bulk_load', true) IS DISTINCT FROM 'on' THEN
                        UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id = hotel;
                    END IF;
                    moved := moved || hotel::text || ',';
                    PERFORM set_config('frontdesk.availability_moved', moved, true);
                END IF;
            END LOOP;
            RETURN NULL;
        END $$;
        """

    /// Version 9: every booking, room night and feed entry written locked the hotel's one row
    /// (`FOR KEY SHARE`, the check of its foreign key to `hotel`), so writers of one hotel on
    /// several connections shared that row through multixacts, created and looked up at each
    /// check. The same guarantees now come from rows each writer holds anyway: a booking's room
    /// and hotel are one key into `room` (whose hotel is a key into `hotel`); a room night's
    /// hotel is its booking's, checked with the rest of the night by `room_night_matches_booking`;
    /// a feed entry is numbered by its hotel's `hotel_clock` row, which is a key into `hotel`.
    static let v9 = """
        ALTER TABLE room ADD CONSTRAINT room_id_hotel UNIQUE (id, hotel_id);
        ALTER TABLE booking DROP CONSTRAINT booking_hotel_id_fkey, DROP CONSTRAINT booking_room_id_fkey,
            ADD CONSTRAINT booking_room_in_hotel FOREIGN KEY (room_id, hotel_id) REFERENCES room (id, hotel_id);
        ALTER TABLE room_night DROP CONSTRAINT room_night_hotel_id_fkey;
        ALTER TABLE change_feed DROP CONSTRAINT change_feed_hotel_id_fkey;
        -- The hotel is compared outside the look-up: inside it, the planner (on a table still
        -- empty when an import's plan was made) took the index on (hotel_id, ...) over the key.
        CREATE OR REPLACE FUNCTION room_night_matches_booking() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (SELECT b.hotel_id FROM booking b WHERE b.id = NEW.booking_id
                AND NEW.night >= b.check_in AND NEW.night < b.check_out
                AND (b.room_id = NEW.room_id OR (b.room_since IS NOT NULL AND NEW.night < b.room_since)))
               IS DISTINCT FROM NEW.hotel_id THEN
                RAISE EXCEPTION 'room night outside its booking';
            END IF;
            RETURN NEW;
        END $$;
        """

    /// Version 10: less work a room night. The night's check against its booking (v7, v9) runs
    /// once per statement over the nights it inserted (a transition table), one query where a
    /// row trigger ran one per night: same condition, same error, and a failed check still undoes
    /// the whole statement. The commit's function (v8) returns at once for a transaction's
    /// nights after the first of their hotel, where it ran its loop's query for each: a group of
    /// eight one-night bookings ran it eight times for one move of the version (BENCHMARKS.md,
    /// issue 13, session 30).
    /// As SQLite's v16: a cancellation's refund pays back what the card was charged, not the total
    /// of a stay changed since.
    static let v11 = """
        ALTER TABLE saga ADD COLUMN charged_cents bigint CHECK (charged_cents >= 0);
        ALTER TABLE saga_message ADD COLUMN refusals int NOT NULL DEFAULT 0 CHECK (refusals >= 0);
        """

    static let v10 = """
        DROP TRIGGER room_night_matches_booking ON room_night;
        DROP FUNCTION room_night_matches_booking();
        CREATE FUNCTION room_nights_match_bookings() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            -- The hotel is compared outside the look-up (v9), so the booking is found by its key.
            IF EXISTS (SELECT 1 FROM inserted_nights n
                       WHERE (SELECT b.hotel_id FROM booking b WHERE b.id = n.booking_id
                              AND n.night >= b.check_in AND n.night < b.check_out
                              AND (b.room_id = n.room_id OR (b.room_since IS NOT NULL AND n.night < b.room_since)))
                             IS DISTINCT FROM n.hotel_id) THEN
                RAISE EXCEPTION 'room night outside its booking';
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER room_nights_match_bookings AFTER INSERT ON room_night
            REFERENCING NEW TABLE AS inserted_nights FOR EACH STATEMENT EXECUTE FUNCTION room_nights_match_bookings();
        CREATE OR REPLACE FUNCTION availability_nights_moved_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            moved text := COALESCE(current_setting('frontdesk.availability_moved', true), '');
            handed text;
            hotel uuid;
            feed jsonb;
            entries int;
            last bigint;
        BEGIN
            -- Every night after a transaction's first of its hotel: nothing to do, and no query to run.
            IF (TG_OP = 'DELETE' OR position(NEW.hotel_id::text IN moved) > 0)
               AND (TG_OP = 'INSERT' OR position(OLD.hotel_id::text IN moved) > 0) THEN
                RETURN NULL;
            END IF;
            handed := COALESCE(current_setting('frontdesk.feed_at_commit', true), '');
            IF current_setting('frontdesk.bulk_load', true) = 'on' AND handed = '' THEN
                RETURN NULL;
            END IF;
            FOR hotel IN SELECT DISTINCT h FROM unnest(CASE TG_OP
                    WHEN 'INSERT' THEN ARRAY[NEW.hotel_id]
                    WHEN 'DELETE' THEN ARRAY[OLD.hotel_id]
                    ELSE ARRAY[OLD.hotel_id, NEW.hotel_id] END) AS t(h) LOOP
                IF position(hotel::text IN moved) = 0 THEN
                    feed := CASE WHEN handed = '' THEN NULL ELSE handed::jsonb END;
                    IF feed IS NOT NULL AND (feed ->> 'hotel')::uuid = hotel THEN
                        entries := jsonb_array_length(feed -> 'entries');
                        UPDATE hotel_clock SET availability_version = availability_version + 1, feed_seq = feed_seq + entries
                        WHERE hotel_id = hotel RETURNING feed_seq INTO last;
                        INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
                        SELECT hotel, last - entries + e.ord, e.event, e.booking_id, e.room_id, e.data,
                               'epoch'::timestamptz + e.at_ms * interval '1 millisecond'
                        FROM ROWS FROM (jsonb_to_recordset(feed -> 'entries') AS (event text, booking_id uuid, room_id uuid, data text, at_ms int8))
                             WITH ORDINALITY AS e(event, booking_id, room_id, data, at_ms, ord);
                        handed := '';
                        PERFORM set_config('frontdesk.feed_at_commit', '', true);
                    ELSIF current_setting('frontdesk.bulk_load', true) IS DISTINCT FROM 'on' THEN
                        UPDATE hotel_clock SET availability_version = availability_version + 1 WHERE hotel_id = hotel;
                    END IF;
                    moved := moved || hotel::text || ',';
                    PERFORM set_config('frontdesk.availability_moved', moved, true);
                END IF;
            END LOOP;
            RETURN NULL;
        END $$;
        """
}

extension PostgresSchema {
    /// Version 12: a group's commit no longer locks its hotel's `hotel_clock` row (issue 13).
    /// Held from the commit's trigger until its flush was done, that row made every instance's
    /// group wait for the one before it, so their flushes could not share a log write, and three
    /// instances booked less than one (BENCHMARKS.md, issue 13, session 47). Now:
    /// - the feed a group hands to its commit (v8) goes to `change_feed_pending`, in order, without
    ///   a number; `number_pending_feed(hotel)` numbers what is pending of a hotel, in order, under
    ///   that row's lock, before any reader of the feed reads it (`numberPendingFeed`) and before a
    ///   statement's own entries are numbered (`append_feed`), so numbers still become visible in
    ///   order with no gap, and a change made after a booking is numbered after it;
    /// - the availability version a commit moves is one of 64 parts of the hotel's (the part is the
    ///   connection's process id, modulo 64), and the version read is `hotel_clock`'s plus the sum of
    ///   the parts (`availabilityVersionRead`): it still moves with every change of availability
    ///   and never goes back, which is all a kept availability answer asks of it
    ///   (AvailabilityCache.swift). Two connections meet on
    ///   a part only when their process ids fall on it together.
    /// The query of a hotel's availability version since v12: one row, none when there is no
    /// such hotel. `hotel` is SQL: a parameter (`$1::uuid`) or a literal. Written out, not a SQL
    /// function: one whose body reads a table is never inlined, and PostgreSQL would plan its
    /// query again on every call (each check of a kept availability answer).
    static func availabilityVersionRead(hotel: String) -> String {
        """
        SELECT c.availability_version + COALESCE((SELECT sum(p.version) FROM hotel_availability_part p
                                                  WHERE p.hotel_id = c.hotel_id), 0)::int8
        FROM hotel_clock c WHERE c.hotel_id = \(hotel)
        """
    }

    /// As SQLite's v18: a card booking paid before version 11 gets the charge it was confirmed
    /// with (its first confirmation's audit entry), so its cancellation refunds what the card
    /// paid, not a total grown since. The amount is read from the entry's text (our own
    /// rendering, `"totalPrice":348.20`): a cast to jsonb would stop the migration on one
    /// unreadable entry.
    static let v15 = """
        UPDATE saga s SET charged_cents = c.cents
        FROM (SELECT DISTINCT ON (a.booking_id) a.booking_id,
                     round(substring(a.after_state FROM '"totalPrice":([0-9]+(\\.[0-9]+)?)')::numeric * 100)::bigint AS cents
              FROM audit_entry a
              WHERE a.action = 'booking.confirmed'
                AND a.booking_id IN (SELECT booking_id FROM saga
                                     WHERE payment_method = 'card' AND charged_cents IS NULL AND payment_reference IS NOT NULL)
              ORDER BY a.booking_id, a.id) c
        WHERE s.booking_id = c.booking_id AND c.cents IS NOT NULL
          AND s.payment_method = 'card' AND s.charged_cents IS NULL AND s.payment_reference IS NOT NULL;
        """

    /// The guests checked in now, by room: a check-in looks whether its room still holds one who
    /// stayed past departure (a few rows a hotel, not its whole history).
    static let v14 = """
        CREATE INDEX IF NOT EXISTS booking_checked_in_by_room ON booking (room_id) WHERE status = 'CheckedIn';
        """

    /// When a server user was last disabled, kept once it is enabled again: tokens issued before
    /// it stay refused (SQLite's v17).
    static let v13 = """
        ALTER TABLE server_user ADD COLUMN IF NOT EXISTS disabled_at timestamptz;
        UPDATE server_user SET disabled_at = clock_timestamp() WHERE is_disabled AND disabled_at IS NULL;
        """

    static let v12 = """
        CREATE TABLE change_feed_pending (
            hotel_id uuid NOT NULL,
            id bigint GENERATED ALWAYS AS IDENTITY,
            event text NOT NULL,
            booking_id uuid,
            room_id uuid,
            data text NOT NULL,
            at timestamptz NOT NULL,
            PRIMARY KEY (hotel_id, id)
        );

        CREATE TABLE hotel_availability_part (
            hotel_id uuid NOT NULL,
            part integer NOT NULL CHECK (part BETWEEN 0 AND 63),
            version bigint NOT NULL CHECK (version >= 0),
            PRIMARY KEY (hotel_id, part)
        );

        -- Numbers the hotel's pending feed entries after its last number, in the order they were
        -- written, under the lock of its hotel_clock row (held until the caller's commit). Each
        -- statement of a function sees what was committed when it starts, so the move sees every
        -- entry committed before the lock was had. Returns how many were numbered.
        CREATE FUNCTION number_pending_feed(hotel uuid) RETURNS integer LANGUAGE plpgsql AS $$
        DECLARE
            moved integer;
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM change_feed_pending WHERE hotel_id = hotel) THEN
                RETURN 0;
            END IF;
            PERFORM 1 FROM hotel_clock WHERE hotel_id = hotel FOR UPDATE;
            WITH taken AS (DELETE FROM change_feed_pending WHERE hotel_id = hotel
                           RETURNING id, event, booking_id, room_id, data, at),
                 clock AS (SELECT feed_seq FROM hotel_clock WHERE hotel_id = hotel),
                 fed AS (INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
                         SELECT hotel, clock.feed_seq + row_number() OVER (ORDER BY taken.id), taken.event, taken.booking_id,
                                taken.room_id, taken.data, taken.at
                         FROM taken, clock
                         RETURNING 1)
            SELECT count(*) INTO moved FROM fed;
            IF moved > 0 THEN
                UPDATE hotel_clock SET feed_seq = feed_seq + moved WHERE hotel_id = hotel;
            END IF;
            RETURN moved;
        END $$;

        -- A statement's own feed entries (`flushFeed`), numbered after what was pending: the lock
        -- of hotel_clock's row is held until the commit, so the next numbers become visible later.
        CREATE FUNCTION append_feed(hotel uuid, entries bigint, events text[], booking_ids text[], room_ids text[],
                                    datas text[], at_ms int8[]) RETURNS integer LANGUAGE plpgsql AS $$
        BEGIN
            IF entries <= 0 THEN
                RETURN 0;
            END IF;
            PERFORM number_pending_feed(hotel);
            WITH clock AS (UPDATE hotel_clock SET feed_seq = feed_seq + entries WHERE hotel_id = hotel RETURNING feed_seq)
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            SELECT hotel, clock.feed_seq - entries + e.ord, e.event, NULLIF(e.booking_id, '')::uuid, NULLIF(e.room_id, '')::uuid,
                   e.data, 'epoch'::timestamptz + e.at_ms * interval '1 millisecond'
            FROM clock, unnest(events, booking_ids, room_ids, datas, at_ms) WITH ORDINALITY AS e(event, booking_id, room_id, data, at_ms, ord);
            RETURN entries;
        END $$;

        CREATE OR REPLACE FUNCTION availability_nights_moved_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            moved text := COALESCE(current_setting('frontdesk.availability_moved', true), '');
            handed text;
            hotel uuid;
            feed jsonb;
            moves boolean;
        BEGIN
            -- Every night after a transaction's first of its hotel: nothing to do, and no query to run.
            IF (TG_OP = 'DELETE' OR position(NEW.hotel_id::text IN moved) > 0)
               AND (TG_OP = 'INSERT' OR position(OLD.hotel_id::text IN moved) > 0) THEN
                RETURN NULL;
            END IF;
            handed := COALESCE(current_setting('frontdesk.feed_at_commit', true), '');
            IF current_setting('frontdesk.bulk_load', true) = 'on' AND handed = '' THEN
                RETURN NULL;
            END IF;
            FOR hotel IN SELECT DISTINCT h FROM unnest(CASE TG_OP
                    WHEN 'INSERT' THEN ARRAY[NEW.hotel_id]
                    WHEN 'DELETE' THEN ARRAY[OLD.hotel_id]
                    ELSE ARRAY[OLD.hotel_id, NEW.hotel_id] END) AS t(h) LOOP
                IF position(hotel::text IN moved) = 0 THEN
                    feed := CASE WHEN handed = '' THEN NULL ELSE handed::jsonb END;
                    moves := current_setting('frontdesk.bulk_load', true) IS DISTINCT FROM 'on';
                    IF feed IS NOT NULL AND (feed ->> 'hotel')::uuid = hotel THEN
                        INSERT INTO change_feed_pending (hotel_id, event, booking_id, room_id, data, at)
                        SELECT hotel, e.event, e.booking_id, e.room_id, e.data, 'epoch'::timestamptz + e.at_ms * interval '1 millisecond'
                        FROM ROWS FROM (jsonb_to_recordset(feed -> 'entries') AS (event text, booking_id uuid, room_id uuid, data text, at_ms int8))
                             WITH ORDINALITY AS e(event, booking_id, room_id, data, at_ms, ord)
                        ORDER BY e.ord;
                        handed := '';
                        PERFORM set_config('frontdesk.feed_at_commit', '', true);
                        moves := true;
                    END IF;
                    IF moves THEN
                        INSERT INTO hotel_availability_part AS p (hotel_id, part, version) VALUES (hotel, pg_backend_pid() % 64, 1)
                        ON CONFLICT (hotel_id, part) DO UPDATE SET version = p.version + 1;
                    END IF;
                    moved := moved || hotel::text || ',';
                    PERFORM set_config('frontdesk.availability_moved', moved, true);
                END IF;
            END LOOP;
            RETURN NULL;
        END $$;
        """
}
