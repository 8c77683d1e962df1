import GRDB

/// Versioned migrations. A migration that has shipped is never edited: add a new one.
/// Migrations are SQL literals and never use application types, so they mean the same forever.
enum Schema {
    /// Written to `PRAGMA user_version` once the file is migrated: how many migrations it has.
    /// A file with a higher number was written by a newer Front Desk and is refused.
    static var version: Int { migrator.migrations.count }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: hotel, rooms, bookings, room nights, audit") { db in
            try db.execute(sql: v1)
        }
        migrator.registerMigration("v2: booking saga, outbox and scheduled messages") { db in
            try db.execute(sql: v2)
        }
        migrator.registerMigration("v3: night sales by room type, bookings by creation") { db in
            try db.execute(sql: v3)
        }
        migrator.registerMigration("v4: payments that need a person's attention") { db in
            try db.execute(sql: v4)
        }
        migrator.registerMigration("v5: the booking server's user accounts") { db in
            try db.execute(sql: v5)
        }
        migrator.registerMigration("v6: the change feed of each hotel") { db in
            try db.execute(sql: v6)
        }
        migrator.registerMigration("v7: a version of each hotel's availability") { db in
            try db.execute(sql: v7)
        }
        migrator.registerMigration("v8: changing a reservation: no-shows, notes, undo, moves, request ids of changes") { db in
            try db.execute(sql: v8)
        }
        migrator.registerMigration("v9: the server's record of pushed sync operations") { db in
            try db.execute(sql: v9)
        }
        migrator.registerMigration("v10: a desk's replica of a server's hotel: sync state, outbox, conflicts") { db in
            try db.execute(sql: v10)
        }
        migrator.registerMigration("v11: two booking indexes no query reads, off the write path") { db in
            try db.execute(sql: v11)
        }
        migrator.registerMigration("v12: the booking server's failed logins") { db in
            try db.execute(sql: v12)
        }
        migrator.registerMigration("v13: the change feed's status triggers without constant lists") { db in
            try db.execute(sql: v13)
        }
        migrator.registerMigration("v14: written rows' checks and the sales triggers without ephemeral tables") { db in
            try rewriteCheckConstraints(v14Checks, db)
            try db.execute(sql: v14)
        }
        migrator.registerMigration("v15: pushed operations in a table with a rowid") { db in
            try db.execute(sql: v15)
        }
        migrator.registerMigration("v16: the amount a card was charged, which its refund pays back; refusals counted apart") { db in
            try db.execute(sql: v16)
        }
        migrator.registerMigration("v17: when each server user was last disabled") { db in
            try db.execute(sql: v17)
        }
        migrator.registerMigration("v18: the card charge of bookings paid before v16, from their confirmation") { db in
            try db.execute(sql: v18)
        }
        migrator.registerMigration("v19: the booking's totals before and after each queued change of this desk") { db in
            try db.execute(sql: v19)
        }
        return migrator
    }

    static let v1 = """
        CREATE TABLE hotel (
            id TEXT PRIMARY KEY NOT NULL,
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            time_zone TEXT NOT NULL,
            currency TEXT NOT NULL CHECK (length(currency) = 3),
            hold_minutes INTEGER NOT NULL DEFAULT 15 CHECK (hold_minutes > 0)
        );

        CREATE TABLE room_type (
            id TEXT PRIMARY KEY NOT NULL,
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            name TEXT NOT NULL CHECK (length(trim(name)) > 0),
            capacity INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 10),
            base_price_cents INTEGER NOT NULL CHECK (base_price_cents > 0),
            UNIQUE (hotel_id, name)
        );

        CREATE TABLE room (
            id TEXT PRIMARY KEY NOT NULL,
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            room_type_id TEXT NOT NULL REFERENCES room_type(id),
            number TEXT NOT NULL CHECK (length(trim(number)) > 0),
            is_active INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1))
        );
        -- The design's IX_Room_Number_Unique, but per hotel: two hotels of a chain both have a room 101.
        CREATE UNIQUE INDEX room_number_per_hotel ON room(hotel_id, number);
        -- The design's IX_Room_Hotel_Active.
        CREATE INDEX room_hotel_active ON room(hotel_id, is_active);
        -- Covers the availability search: rooms of a type, with no trip to the table.
        CREATE INDEX room_for_search ON room(hotel_id, is_active, room_type_id, id, number);

        CREATE TABLE booking (
            id TEXT PRIMARY KEY NOT NULL,
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            room_id TEXT NOT NULL REFERENCES room(id),
            confirmation_code TEXT NOT NULL UNIQUE,
            guest_name TEXT NOT NULL CHECK (length(trim(guest_name)) > 0),
            guest_email TEXT NOT NULL,
            guest_phone TEXT,
            guest_count INTEGER NOT NULL CHECK (guest_count BETWEEN 1 AND 10),
            check_in TEXT NOT NULL,
            check_out TEXT NOT NULL CHECK (check_out > check_in),
            status TEXT NOT NULL CHECK (status IN
                ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn', 'CheckedOut', 'Failed', 'Cancelled')),
            total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
            version INTEGER NOT NULL CHECK (version >= 1),
            hold_expires_at TEXT,
            status_reason TEXT,
            request_id TEXT UNIQUE,
            request_fingerprint TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        -- The design's IX_Booking_Room_Dates and IX_Booking_Status_CheckIn.
        CREATE INDEX booking_room_dates ON booking(room_id, check_in, check_out);
        CREATE INDEX booking_status_check_in ON booking(status, check_in);
        CREATE INDEX booking_hotel_check_in ON booking(hotel_id, check_in);
        CREATE INDEX booking_hotel_check_out ON booking(hotel_id, check_out);
        -- Lists by date (bookings from a day on, today's arrivals and departures) read this in order.
        CREATE INDEX booking_check_in ON booking(check_in, check_out);

        -- What the guest pays for each night; kept for as long as the booking is.
        CREATE TABLE booking_night (
            booking_id TEXT NOT NULL REFERENCES booking(id),
            night TEXT NOT NULL,
            price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
            PRIMARY KEY (booking_id, night)
        ) WITHOUT ROWID;

        -- The claim on a room for a night. The primary key makes a double booking impossible,
        -- whatever the Swift code or another process does. Rows live while the booking holds the
        -- room (Reserving with hold_expires_at in the future, ProcessingPayment, Confirmed,
        -- CheckedIn) and stay after check-out as the record of a sold night.
        CREATE TABLE room_night (
            room_id TEXT NOT NULL REFERENCES room(id),
            night TEXT NOT NULL,
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            booking_id TEXT NOT NULL REFERENCES booking(id),
            hold_expires_at TEXT,
            PRIMARY KEY (room_id, night)
        ) WITHOUT ROWID;
        CREATE INDEX room_night_hotel_night ON room_night(hotel_id, night, hold_expires_at);
        CREATE INDEX room_night_booking ON room_night(booking_id);

        -- Live holds are few at any moment: a partial index finds them without the firm claims.
        CREATE INDEX room_night_live_holds ON room_night(hotel_id, night, hold_expires_at)
            WHERE hold_expires_at IS NOT NULL;

        -- Firm claims (no hold expiry) per night, kept by the triggers below, so pricing reads a
        -- night's occupancy with one lookup instead of counting the night's rooms.
        CREATE TABLE night_load (
            hotel_id TEXT NOT NULL,
            night TEXT NOT NULL,
            firm INTEGER NOT NULL CHECK (firm >= 0),
            PRIMARY KEY (hotel_id, night)
        ) WITHOUT ROWID;

        CREATE TRIGGER room_night_firm_claimed AFTER INSERT ON room_night
        WHEN NEW.hold_expires_at IS NULL
        BEGIN
            INSERT INTO night_load (hotel_id, night, firm) VALUES (NEW.hotel_id, NEW.night, 1)
            ON CONFLICT (hotel_id, night) DO UPDATE SET firm = firm + 1;
        END;

        CREATE TRIGGER room_night_firm_released AFTER DELETE ON room_night
        WHEN OLD.hold_expires_at IS NULL
        BEGIN
            UPDATE night_load SET firm = firm - 1 WHERE hotel_id = OLD.hotel_id AND night = OLD.night;
        END;

        CREATE TRIGGER room_night_hold_made_firm AFTER UPDATE OF hold_expires_at ON room_night
        WHEN OLD.hold_expires_at IS NOT NULL AND NEW.hold_expires_at IS NULL
        BEGIN
            INSERT INTO night_load (hotel_id, night, firm) VALUES (NEW.hotel_id, NEW.night, 1)
            ON CONFLICT (hotel_id, night) DO UPDATE SET firm = firm + 1;
        END;

        CREATE TRIGGER room_night_firm_made_hold AFTER UPDATE OF hold_expires_at ON room_night
        WHEN OLD.hold_expires_at IS NULL AND NEW.hold_expires_at IS NOT NULL
        BEGIN
            UPDATE night_load SET firm = firm - 1 WHERE hotel_id = OLD.hotel_id AND night = OLD.night;
        END;

        -- A night can only be claimed for the room its booking is for, within the stay.
        CREATE TRIGGER room_night_matches_booking BEFORE INSERT ON room_night
        WHEN NOT EXISTS (SELECT 1 FROM booking b WHERE b.id = NEW.booking_id AND b.room_id = NEW.room_id
                         AND NEW.night >= b.check_in AND NEW.night < b.check_out)
        BEGIN
            SELECT RAISE(ABORT, 'room night outside its booking');
        END;

        -- A failed or cancelled booking never keeps a room.
        CREATE TRIGGER booking_release_on_end AFTER UPDATE OF status ON booking
        WHEN NEW.status IN ('Failed', 'Cancelled')
        BEGIN
            DELETE FROM room_night WHERE booking_id = NEW.id;
        END;

        CREATE TABLE audit_entry (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            user TEXT NOT NULL,
            action TEXT NOT NULL,
            booking_id TEXT,
            room_id TEXT,
            summary TEXT NOT NULL,
            before_state TEXT,
            after_state TEXT
        );
        CREATE INDEX audit_booking ON audit_entry(booking_id);
        """

    static let v2 = """
        -- The workflow data of a booking; its state is the booking's status.
        CREATE TABLE saga (
            booking_id TEXT PRIMARY KEY NOT NULL REFERENCES booking(id),
            payment_method TEXT NOT NULL CHECK (payment_method IN ('desk', 'card')),
            card_number TEXT,
            payment_reference TEXT,
            refund_reference TEXT,
            started_at TEXT NOT NULL
        );

        -- Outbox and schedule in one: a message is due at available_at. Events and desk work are
        -- handled inside the runner's transaction; payment-service calls are claimed first
        -- (claimed_by / claimed_until), so one runner works a message at a time and a runner that
        -- died leaves it to be taken again.
        CREATE TABLE saga_message (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            booking_id TEXT NOT NULL REFERENCES booking(id),
            name TEXT NOT NULL CHECK (name IN
                ('RoomReserved', 'ReservationExpired', 'ProcessPayment', 'ProcessRefund')),
            available_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            claimed_by TEXT,
            claimed_until TEXT,
            last_error TEXT,
            created_at TEXT NOT NULL
        );
        CREATE INDEX saga_message_due ON saga_message(available_at);
        CREATE INDEX saga_message_booking ON saga_message(booking_id);

        -- What the runners last said about themselves and their payment service (saga status).
        CREATE TABLE runner_status (
            runner TEXT PRIMARY KEY NOT NULL,
            payment_service TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        """

    /// The occupancy report reads sold room-nights and their revenue per night and room type from
    /// a table the triggers keep, instead of joining every room-night of the range to its price
    /// (a 90-night dashboard of a 500-room hotel is some 30,000 of those, scattered on disk).
    /// A room-night is sold when its claim is firm (no hold expiry: Confirmed, CheckedIn,
    /// CheckedOut); its revenue is the booking's price for that night. The triggers on both
    /// tables keep the sum right whichever of the claim and the price is written first.
    static let v3 = """
        CREATE TABLE night_sales (
            hotel_id TEXT NOT NULL,
            night TEXT NOT NULL,
            room_type_id TEXT NOT NULL,
            rooms_sold INTEGER NOT NULL CHECK (rooms_sold >= 0),
            revenue_cents INTEGER NOT NULL,
            PRIMARY KEY (hotel_id, night, room_type_id)
        ) WITHOUT ROWID;

        INSERT INTO night_sales (hotel_id, night, room_type_id, rooms_sold, revenue_cents)
        SELECT n.hotel_id, n.night, r.room_type_id, COUNT(*), COALESCE(SUM(p.price_cents), 0)
        FROM room_night n
        JOIN room r ON r.id = n.room_id
        LEFT JOIN booking_night p ON p.booking_id = n.booking_id AND p.night = n.night
        WHERE n.hold_expires_at IS NULL
        GROUP BY n.hotel_id, n.night, r.room_type_id;

        CREATE TRIGGER night_sales_claimed AFTER INSERT ON room_night
        WHEN NEW.hold_expires_at IS NULL
        BEGIN
            INSERT INTO night_sales (hotel_id, night, room_type_id, rooms_sold, revenue_cents)
            VALUES (NEW.hotel_id, NEW.night, (SELECT room_type_id FROM room WHERE id = NEW.room_id), 1,
                    COALESCE((SELECT price_cents FROM booking_night WHERE booking_id = NEW.booking_id AND night = NEW.night), 0))
            ON CONFLICT (hotel_id, night, room_type_id) DO UPDATE
            SET rooms_sold = rooms_sold + 1, revenue_cents = revenue_cents + excluded.revenue_cents;
        END;

        CREATE TRIGGER night_sales_made_firm AFTER UPDATE OF hold_expires_at ON room_night
        WHEN OLD.hold_expires_at IS NOT NULL AND NEW.hold_expires_at IS NULL
        BEGIN
            INSERT INTO night_sales (hotel_id, night, room_type_id, rooms_sold, revenue_cents)
            VALUES (NEW.hotel_id, NEW.night, (SELECT room_type_id FROM room WHERE id = NEW.room_id), 1,
                    COALESCE((SELECT price_cents FROM booking_night WHERE booking_id = NEW.booking_id AND night = NEW.night), 0))
            ON CONFLICT (hotel_id, night, room_type_id) DO UPDATE
            SET rooms_sold = rooms_sold + 1, revenue_cents = revenue_cents + excluded.revenue_cents;
        END;

        CREATE TRIGGER night_sales_released AFTER DELETE ON room_night
        WHEN OLD.hold_expires_at IS NULL
        BEGIN
            UPDATE night_sales
            SET rooms_sold = rooms_sold - 1,
                revenue_cents = revenue_cents
                    - COALESCE((SELECT price_cents FROM booking_night WHERE booking_id = OLD.booking_id AND night = OLD.night), 0)
            WHERE hotel_id = OLD.hotel_id AND night = OLD.night
              AND room_type_id = (SELECT room_type_id FROM room WHERE id = OLD.room_id);
        END;

        CREATE TRIGGER night_sales_made_hold AFTER UPDATE OF hold_expires_at ON room_night
        WHEN OLD.hold_expires_at IS NULL AND NEW.hold_expires_at IS NOT NULL
        BEGIN
            UPDATE night_sales
            SET rooms_sold = rooms_sold - 1,
                revenue_cents = revenue_cents
                    - COALESCE((SELECT price_cents FROM booking_night WHERE booking_id = OLD.booking_id AND night = OLD.night), 0)
            WHERE hotel_id = OLD.hotel_id AND night = OLD.night
              AND room_type_id = (SELECT room_type_id FROM room WHERE id = OLD.room_id);
        END;

        -- A price written (or removed) while the night is already firmly claimed.
        CREATE TRIGGER night_sales_priced AFTER INSERT ON booking_night
        BEGIN
            UPDATE night_sales SET revenue_cents = revenue_cents + NEW.price_cents
            WHERE (hotel_id, night, room_type_id) IN (
                SELECT n.hotel_id, n.night, r.room_type_id FROM room_night n JOIN room r ON r.id = n.room_id
                WHERE n.booking_id = NEW.booking_id AND n.night = NEW.night AND n.hold_expires_at IS NULL);
        END;

        CREATE TRIGGER night_sales_unpriced AFTER DELETE ON booking_night
        BEGIN
            UPDATE night_sales SET revenue_cents = revenue_cents - OLD.price_cents
            WHERE (hotel_id, night, room_type_id) IN (
                SELECT n.hotel_id, n.night, r.room_type_id FROM room_night n JOIN room r ON r.id = n.room_id
                WHERE n.booking_id = OLD.booking_id AND n.night = OLD.night AND n.hold_expires_at IS NULL);
        END;

        CREATE TRIGGER night_sales_repriced AFTER UPDATE OF price_cents ON booking_night
        BEGIN
            UPDATE night_sales SET revenue_cents = revenue_cents - OLD.price_cents + NEW.price_cents
            WHERE (hotel_id, night, room_type_id) IN (
                SELECT n.hotel_id, n.night, r.room_type_id FROM room_night n JOIN room r ON r.id = n.room_id
                WHERE n.booking_id = NEW.booking_id AND n.night = NEW.night AND n.hold_expires_at IS NULL);
        END;

        -- A room keeps its type: the sales above are filed under it.
        CREATE TRIGGER room_type_fixed BEFORE UPDATE OF room_type_id ON room
        WHEN NEW.room_type_id IS NOT OLD.room_type_id
        BEGIN
            SELECT RAISE(ABORT, 'a room keeps its room type');
        END;

        -- The room plan: every column it reads of the stays in a window, in check-in order, so a
        -- month of a 500-room hotel is one range of this index rather than thousands of rows
        -- scattered over the table.
        CREATE INDEX booking_for_plan ON booking(hotel_id, check_in, check_out, status, room_id, hold_expires_at,
                                                 confirmation_code, guest_name, id);

        -- Pickup: the bookings made in the last days, found without reading all of them.
        CREATE INDEX booking_hotel_created ON booking(hotel_id, created_at);
        """

    /// A refund (or the settling of a charge whose outcome was unknown) that the payment service
    /// keeps refusing is not retried for ever: after a bounded time the saga stops and says so
    /// here, and `saga status` and the desk show it until a person retries or settles it.
    static let v4 = """
        ALTER TABLE saga ADD COLUMN attention TEXT;
        ALTER TABLE saga ADD COLUMN attention_since TEXT;
        -- The step that stopped ('ProcessRefund' or 'ProcessPayment'), queued again by `saga retry`.
        ALTER TABLE saga ADD COLUMN attention_step TEXT;
        CREATE INDEX saga_attention ON saga(booking_id) WHERE attention IS NOT NULL;
        """

    /// Accounts of the booking server (a desk's file keeps this table empty). Only a slow salted
    /// hash of each password is kept. A receptionist or manager belongs to one hotel; an admin to none.
    static let v5 = """
        CREATE TABLE server_user (
            name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE CHECK (length(name) BETWEEN 1 AND 64),
            role TEXT NOT NULL CHECK (role IN ('receptionist', 'manager', 'admin')),
            email TEXT NOT NULL DEFAULT '',
            hotel_id TEXT REFERENCES hotel(id),
            password_hash TEXT NOT NULL,
            is_disabled INTEGER NOT NULL DEFAULT 0 CHECK (is_disabled IN (0, 1)),
            created_at TEXT NOT NULL,
            CHECK ((role = 'admin') = (hotel_id IS NULL))
        );
        """

    /// Every committed change a listener must hear of, numbered per hotel. Server-sent events,
    /// `Last-Event-ID` replays and (later) desks' pulls all read this one table; triggers fill it,
    /// so a change made by a desk, the command line, the saga runner or the server is in it alike.
    /// A fresh hold takes a room away; a booking that fails or is cancelled gives it back.
    /// Bookings written in bulk (the demo) are not fresh holds and add nothing.
    static let v6 = """
        CREATE TABLE change_feed (
            hotel_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            event TEXT NOT NULL,
            booking_id TEXT,
            room_id TEXT,
            data TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (hotel_id, seq)
        ) WITHOUT ROWID;

        CREATE TRIGGER feed_room_held AFTER INSERT ON booking WHEN NEW.status = 'Reserving'
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                    'RoomAvailabilityChanged', NEW.id, NEW.room_id,
                    json_object('roomId', lower(NEW.room_id), 'bookingId', lower(NEW.id), 'checkIn', NEW.check_in,
                                'checkOut', NEW.check_out, 'available', json('false')),
                    NEW.created_at);
        END;

        CREATE TRIGGER feed_booking_outcome AFTER UPDATE OF status ON booking
        WHEN NEW.status IS NOT OLD.status AND NEW.status IN ('Confirmed', 'Failed', 'Cancelled', 'CheckedOut')
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            SELECT NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                   CASE NEW.status WHEN 'Confirmed' THEN 'BookingConfirmed' WHEN 'Failed' THEN 'BookingFailed'
                                   ELSE 'BookingCancelled' END,
                   NEW.id, NEW.room_id,
                   json_object('bookingId', lower(NEW.id), 'confirmation', NEW.confirmation_code, 'roomId', lower(NEW.room_id),
                               'status', NEW.status, 'checkIn', NEW.check_in, 'checkOut', NEW.check_out,
                               'version', NEW.version, 'reason', NEW.status_reason),
                   NEW.updated_at
            WHERE NEW.status IN ('Confirmed', 'Failed', 'Cancelled');
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            SELECT NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                   'RoomAvailabilityChanged', NEW.id, NEW.room_id,
                   json_object('roomId', lower(NEW.room_id), 'bookingId', lower(NEW.id), 'checkIn', NEW.check_in,
                               'checkOut', NEW.check_out, 'available', json('true')),
                   NEW.updated_at
            WHERE NEW.status IN ('Failed', 'Cancelled', 'CheckedOut');
        END;
        """

    /// A number per hotel that moves whenever anything an availability answer is made of changes:
    /// a claimed, released or firmed night, a room, a room type, the hotel itself. Bumped by
    /// triggers on the tables, not by the Swift code, so no write path (today's or a later one)
    /// can change availability without it. A cached answer stamped with it is still right while
    /// the number is unchanged (and no live hold in its stay has lapsed: time, not a write).
    static let v7 = """
        CREATE TABLE availability_version (
            hotel_id TEXT PRIMARY KEY NOT NULL,
            version INTEGER NOT NULL DEFAULT 0
        ) WITHOUT ROWID;
        INSERT INTO availability_version (hotel_id, version) SELECT id, 0 FROM hotel;

        CREATE TRIGGER availability_hotel_added AFTER INSERT ON hotel
        BEGIN INSERT OR IGNORE INTO availability_version (hotel_id, version) VALUES (NEW.id, 0); END;
        CREATE TRIGGER availability_hotel_changed AFTER UPDATE ON hotel
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id = NEW.id; END;

        CREATE TRIGGER availability_night_claimed AFTER INSERT ON room_night
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id = NEW.hotel_id; END;
        CREATE TRIGGER availability_night_changed AFTER UPDATE ON room_night
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id IN (OLD.hotel_id, NEW.hotel_id); END;
        CREATE TRIGGER availability_night_released AFTER DELETE ON room_night
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id = OLD.hotel_id; END;

        CREATE TRIGGER availability_room_added AFTER INSERT ON room
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id = NEW.hotel_id; END;
        CREATE TRIGGER availability_room_changed AFTER UPDATE ON room
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id IN (OLD.hotel_id, NEW.hotel_id); END;
        CREATE TRIGGER availability_room_removed AFTER DELETE ON room
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id = OLD.hotel_id; END;

        CREATE TRIGGER availability_room_type_added AFTER INSERT ON room_type
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id = NEW.hotel_id; END;
        CREATE TRIGGER availability_room_type_changed AFTER UPDATE ON room_type
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id IN (OLD.hotel_id, NEW.hotel_id); END;
        CREATE TRIGGER availability_room_type_removed AFTER DELETE ON room_type
        BEGIN UPDATE availability_version SET version = version + 1 WHERE hotel_id = OLD.hotel_id; END;
        """
}

extension Schema {
    /// Changing a reservation (issue 14). The booking table is rebuilt (SQLite cannot alter a CHECK
    /// constraint) to allow the status `NoShow` and to keep the business dates of check-in and
    /// check-out (undo on the same day) and the first night in the current room after a move that
    /// split a stay; its indexes and triggers are made again, the change feed's learning the new
    /// events (a no-show, an undone check-out and a changed stay or room change availability).
    /// Rows keep their rowids. Migrations run with foreign keys off and checked at the end.
    static let v8 = """
        CREATE TABLE booking_v8 (
            id TEXT PRIMARY KEY NOT NULL,
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            room_id TEXT NOT NULL REFERENCES room(id),
            confirmation_code TEXT NOT NULL UNIQUE,
            guest_name TEXT NOT NULL CHECK (length(trim(guest_name)) > 0),
            guest_email TEXT NOT NULL,
            guest_phone TEXT,
            guest_count INTEGER NOT NULL CHECK (guest_count BETWEEN 1 AND 10),
            check_in TEXT NOT NULL,
            check_out TEXT NOT NULL CHECK (check_out > check_in),
            status TEXT NOT NULL CHECK (status IN
                ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn', 'CheckedOut', 'Failed', 'Cancelled', 'NoShow')),
            total_cents INTEGER NOT NULL CHECK (total_cents >= 0),
            version INTEGER NOT NULL CHECK (version >= 1),
            hold_expires_at TEXT,
            status_reason TEXT,
            request_id TEXT UNIQUE,
            request_fingerprint TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            checked_in_on TEXT,
            checked_out_on TEXT,
            room_since TEXT
        );
        INSERT INTO booking_v8 (rowid, id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
                                check_in, check_out, status, total_cents, version, hold_expires_at, status_reason, request_id,
                                request_fingerprint, created_at, updated_at)
        SELECT rowid, id, hotel_id, room_id, confirmation_code, guest_name, guest_email, guest_phone, guest_count,
               check_in, check_out, status, total_cents, version, hold_expires_at, status_reason, request_id,
               request_fingerprint, created_at, updated_at
        FROM booking;
        DROP TABLE booking;
        -- Other tables' triggers name `booking`; the legacy rename leaves them as they are.
        PRAGMA legacy_alter_table = ON;
        ALTER TABLE booking_v8 RENAME TO booking;
        PRAGMA legacy_alter_table = OFF;

        CREATE INDEX booking_room_dates ON booking(room_id, check_in, check_out);
        CREATE INDEX booking_status_check_in ON booking(status, check_in);
        CREATE INDEX booking_hotel_check_in ON booking(hotel_id, check_in);
        CREATE INDEX booking_hotel_check_out ON booking(hotel_id, check_out);
        CREATE INDEX booking_check_in ON booking(check_in, check_out);
        -- As in v3, with the first night in the current room of a stay split by a move.
        CREATE INDEX booking_for_plan ON booking(hotel_id, check_in, check_out, status, room_id, hold_expires_at,
                                                 confirmation_code, guest_name, id, room_since);
        CREATE INDEX booking_hotel_created ON booking(hotel_id, created_at);

        -- A failed or cancelled booking never keeps a room.
        CREATE TRIGGER booking_release_on_end AFTER UPDATE OF status ON booking
        WHEN NEW.status IN ('Failed', 'Cancelled')
        BEGIN
            DELETE FROM room_night WHERE booking_id = NEW.id;
        END;

        CREATE TRIGGER feed_room_held AFTER INSERT ON booking WHEN NEW.status = 'Reserving'
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                    'RoomAvailabilityChanged', NEW.id, NEW.room_id,
                    json_object('roomId', lower(NEW.room_id), 'bookingId', lower(NEW.id), 'checkIn', NEW.check_in,
                                'checkOut', NEW.check_out, 'available', json('false')),
                    NEW.created_at);
        END;

        -- As in v6, and: an undone check-in is not a second confirmation; a no-show gives the
        -- room back; an undone check-out takes it again.
        CREATE TRIGGER feed_booking_outcome AFTER UPDATE OF status ON booking
        WHEN NEW.status IS NOT OLD.status
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            SELECT NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                   CASE NEW.status WHEN 'Confirmed' THEN 'BookingConfirmed' WHEN 'Failed' THEN 'BookingFailed'
                                   ELSE 'BookingCancelled' END,
                   NEW.id, NEW.room_id,
                   json_object('bookingId', lower(NEW.id), 'confirmation', NEW.confirmation_code, 'roomId', lower(NEW.room_id),
                               'status', NEW.status, 'checkIn', NEW.check_in, 'checkOut', NEW.check_out,
                               'version', NEW.version, 'reason', NEW.status_reason),
                   NEW.updated_at
            WHERE (NEW.status = 'Confirmed' AND OLD.status IN ('Reserving', 'ProcessingPayment'))
               OR NEW.status IN ('Failed', 'Cancelled');
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            SELECT NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                   'RoomAvailabilityChanged', NEW.id, NEW.room_id,
                   json_object('roomId', lower(NEW.room_id), 'bookingId', lower(NEW.id), 'checkIn', NEW.check_in,
                               'checkOut', NEW.check_out,
                               'available', json(CASE WHEN NEW.status = 'CheckedIn' THEN 'false' ELSE 'true' END)),
                   NEW.updated_at
            WHERE NEW.status IN ('Failed', 'Cancelled', 'CheckedOut', 'NoShow')
               OR (NEW.status = 'CheckedIn' AND OLD.status = 'CheckedOut');
        END;

        -- A stay made longer or shorter, or moved to another room: the old nights are given back,
        -- the new ones taken (listeners read the plan again for the exact nights).
        CREATE TRIGGER feed_stay_changed AFTER UPDATE OF check_in, check_out, room_id ON booking
        WHEN NEW.check_in IS NOT OLD.check_in OR NEW.check_out IS NOT OLD.check_out OR NEW.room_id IS NOT OLD.room_id
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                    'RoomAvailabilityChanged', NEW.id, OLD.room_id,
                    json_object('roomId', lower(OLD.room_id), 'bookingId', lower(NEW.id), 'checkIn', OLD.check_in,
                                'checkOut', OLD.check_out, 'available', json('true')),
                    NEW.updated_at);
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                    'RoomAvailabilityChanged', NEW.id, NEW.room_id,
                    json_object('roomId', lower(NEW.room_id), 'bookingId', lower(NEW.id), 'checkIn', NEW.check_in,
                                'checkOut', NEW.check_out, 'available', json('false')),
                    NEW.updated_at);
        END;

        -- Notes and requests on a booking, oldest first; never edited (they are its history).
        CREATE TABLE booking_note (
            booking_id TEXT NOT NULL REFERENCES booking(id),
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            by_user TEXT NOT NULL,
            text TEXT NOT NULL CHECK (length(trim(text)) > 0),
            PRIMARY KEY (booking_id, seq)
        ) WITHOUT ROWID;

        -- The request id of each change (`--request-id`) with a fingerprint of what it asked:
        -- a replay answers the booking again and changes nothing; other details are a conflict.
        CREATE TABLE booking_change_request (
            request_id TEXT PRIMARY KEY NOT NULL,
            booking_id TEXT NOT NULL REFERENCES booking(id),
            action TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            created_at TEXT NOT NULL
        ) WITHOUT ROWID;

        ALTER TABLE hotel ADD COLUMN no_show_cutoff_hour INTEGER NOT NULL DEFAULT 18
            CHECK (no_show_cutoff_hour BETWEEN 0 AND 23);
        ALTER TABLE hotel ADD COLUMN no_show_fee TEXT NOT NULL DEFAULT 'first_night'
            CHECK (no_show_fee IN ('first_night', 'none'));
        """
}

extension Schema {
    /// Offline desks (issue 12), the server's side: each operation a desk pushed, with the answer
    /// it got, written in the transaction that applied it, so a push replayed after a lost answer
    /// (or a crash) gets the first answer and nothing is applied twice. `seq` orders a hotel's
    /// operations (an operation on a booking whose latest earlier one was refused is refused too).
    ///
    /// The change feed learns what a replica needs and v6/v8 did not write: any other change to a
    /// booking (a check-in, an undone one, an edited guest, a note: `BookingChanged`; the step into
    /// ProcessingPayment is left out, its outcome follows). Changes to the hotel, its room types
    /// and rooms are fed by the store's property writes (`HotelChanged`, `RoomTypeChanged`,
    /// `RoomChanged`, no booking named; `SyncServer.swift`), stamped by the store's clock like the
    /// rest. So `changes?since=N` names every booking and property change after N, and a listener
    /// of the live events hears of each. Replica pages read bookings by hotel in id order.
    static let v9 = """
        CREATE TABLE sync_operation (
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            operation_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            -- The operation's content, so the same id with other content is refused.
            fingerprint TEXT NOT NULL,
            booking_id TEXT,
            outcome TEXT NOT NULL CHECK (outcome IN ('accepted', 'conflict', 'rejected')),
            -- The SyncOutcome as first answered (JSON).
            answer TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (hotel_id, operation_id)
        ) WITHOUT ROWID;
        CREATE INDEX sync_operation_booking ON sync_operation(hotel_id, booking_id, seq);

        CREATE INDEX booking_hotel_id ON booking(hotel_id, id);

        CREATE TRIGGER feed_booking_changed AFTER UPDATE OF version ON booking
        WHEN NEW.version IS NOT OLD.version
         AND NEW.check_in IS OLD.check_in AND NEW.check_out IS OLD.check_out AND NEW.room_id IS OLD.room_id
         AND NOT (NEW.status IS NOT OLD.status AND (
                 (NEW.status = 'Confirmed' AND OLD.status IN ('Reserving', 'ProcessingPayment'))
              OR NEW.status IN ('Failed', 'Cancelled', 'CheckedOut', 'NoShow')
              OR (NEW.status = 'CheckedIn' AND OLD.status = 'CheckedOut')
              OR (NEW.status = 'ProcessingPayment' AND OLD.status = 'Reserving')))
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                    'BookingChanged', NEW.id, NEW.room_id,
                    json_object('bookingId', lower(NEW.id), 'confirmation', NEW.confirmation_code, 'roomId', lower(NEW.room_id),
                                'status', NEW.status, 'version', NEW.version),
                    NEW.updated_at);
        END;

        """

    /// Offline desks (issue 12), the desk's side: the connection's replica state (one row, absent
    /// on a standalone desk), each booking's sync state, the outbox of operations made while the
    /// server did not answer (pushed in `seq` order), and the conflicts a receptionist resolves.
    static let v10 = """
        CREATE TABLE replica_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            server TEXT NOT NULL,
            -- The server's change-feed number the replica has caught up to.
            cursor INTEGER NOT NULL DEFAULT 0,
            protocol_version INTEGER NOT NULL,
            last_sync_at TEXT,
            last_error TEXT
        );
        ALTER TABLE booking ADD COLUMN sync_state TEXT NOT NULL DEFAULT 'synced'
            CHECK (sync_state IN ('synced', 'pending', 'conflict'));
        -- The version of the booking the server last gave this desk; NULL while the server has
        -- never had it (made on this desk and not yet accepted).
        ALTER TABLE booking ADD COLUMN server_version INTEGER;
        -- A stay split by a move holds its nights before room_since in the room it left: a
        -- replica writes such claims as the server has them (as in v1 otherwise).
        DROP TRIGGER room_night_matches_booking;
        CREATE TRIGGER room_night_matches_booking BEFORE INSERT ON room_night
        WHEN NOT EXISTS (SELECT 1 FROM booking b WHERE b.id = NEW.booking_id
                         AND NEW.night >= b.check_in AND NEW.night < b.check_out
                         AND (b.room_id = NEW.room_id OR (b.room_since IS NOT NULL AND NEW.night < b.room_since)))
        BEGIN
            SELECT RAISE(ABORT, 'room night outside its booking');
        END;
        CREATE TABLE sync_outbox (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            operation_id TEXT NOT NULL UNIQUE,
            booking_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            -- The SyncOperation as pushed (JSON).
            body TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'accepted', 'conflict', 'rejected')),
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            created_at TEXT NOT NULL,
            settled_at TEXT
        );
        CREATE INDEX sync_outbox_state ON sync_outbox(state, seq);
        CREATE INDEX sync_outbox_booking ON sync_outbox(booking_id, state, seq);
        CREATE TABLE sync_conflict (
            id TEXT PRIMARY KEY NOT NULL,
            operation_id TEXT NOT NULL REFERENCES sync_outbox(operation_id),
            booking_id TEXT NOT NULL REFERENCES booking(id),
            reason TEXT NOT NULL,
            message TEXT,
            -- WireSuggestedRoom objects (JSON array).
            suggested_rooms TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            resolved_at TEXT,
            resolution TEXT
        );
        CREATE INDEX sync_conflict_open ON sync_conflict(resolved_at, created_at);
        CREATE INDEX sync_conflict_booking ON sync_conflict(booking_id, resolved_at);
        """
}

extension Schema {
    /// The booking write path (issues 11 and 12, session 8): every booking wrote an entry into
    /// each of the booking table's indexes. Two of them no statement reads:
    /// - `booking_room_dates` (the design's IX_Booking_Room_Dates): a room's nights are found in
    ///   `room_night` (its primary key is the room and the night), never in `booking` by room;
    ///   rooms are never deleted nor their ids changed, so no foreign-key check needs it either.
    ///   Its keys begin with the room, so each new booking's entry lands on a page of its own.
    /// - `booking_hotel_check_in`: `booking_for_plan` begins with the same two columns.
    static let v11 = """
        DROP INDEX booking_room_dates;
        DROP INDEX booking_hotel_check_in;
        """
}

extension Schema {
    /// The login throttle's records (issue 13): failed logins per user name or address, kept in
    /// the database with every instance's counts, not in one process's memory.
    static let v12 = """
        CREATE TABLE login_failure (
            key TEXT PRIMARY KEY NOT NULL,
            failures INTEGER NOT NULL CHECK (failures >= 1),
            first_at TEXT NOT NULL,
            last_at TEXT NOT NULL
        );
        CREATE INDEX login_failure_last ON login_failure (last_at);
        """

    /// The change feed's two status triggers (v8, v9) as they were, with their four-status lists
    /// written as comparisons: SQLite builds an ephemeral table for a constant `IN` list of more
    /// than two terms at every firing (`sqlite3FindInIndex`), and these fire on every confirmation,
    /// cancellation and check-out (callgrind, issue 12: a table opened, created and filled each time).
    static let v13 = """
        DROP TRIGGER feed_booking_outcome;
        CREATE TRIGGER feed_booking_outcome AFTER UPDATE OF status ON booking
        WHEN NEW.status IS NOT OLD.status
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            SELECT NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                   CASE NEW.status WHEN 'Confirmed' THEN 'BookingConfirmed' WHEN 'Failed' THEN 'BookingFailed'
                                   ELSE 'BookingCancelled' END,
                   NEW.id, NEW.room_id,
                   json_object('bookingId', lower(NEW.id), 'confirmation', NEW.confirmation_code, 'roomId', lower(NEW.room_id),
                               'status', NEW.status, 'checkIn', NEW.check_in, 'checkOut', NEW.check_out,
                               'version', NEW.version, 'reason', NEW.status_reason),
                   NEW.updated_at
            WHERE (NEW.status = 'Confirmed' AND OLD.status IN ('Reserving', 'ProcessingPayment'))
               OR NEW.status IN ('Failed', 'Cancelled');
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            SELECT NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                   'RoomAvailabilityChanged', NEW.id, NEW.room_id,
                   json_object('roomId', lower(NEW.room_id), 'bookingId', lower(NEW.id), 'checkIn', NEW.check_in,
                               'checkOut', NEW.check_out,
                               'available', json(CASE WHEN NEW.status = 'CheckedIn' THEN 'false' ELSE 'true' END)),
                   NEW.updated_at
            WHERE (NEW.status = 'Failed' OR NEW.status = 'Cancelled' OR NEW.status = 'CheckedOut' OR NEW.status = 'NoShow')
               OR (NEW.status = 'CheckedIn' AND OLD.status = 'CheckedOut');
        END;

        DROP TRIGGER feed_booking_changed;
        CREATE TRIGGER feed_booking_changed AFTER UPDATE OF version ON booking
        WHEN NEW.version IS NOT OLD.version
         AND NEW.check_in IS OLD.check_in AND NEW.check_out IS OLD.check_out AND NEW.room_id IS OLD.room_id
         AND NOT (NEW.status IS NOT OLD.status AND (
                 (NEW.status = 'Confirmed' AND OLD.status IN ('Reserving', 'ProcessingPayment'))
              OR (NEW.status = 'Failed' OR NEW.status = 'Cancelled' OR NEW.status = 'CheckedOut' OR NEW.status = 'NoShow')
              OR (NEW.status = 'CheckedIn' AND OLD.status = 'CheckedOut')
              OR (NEW.status = 'ProcessingPayment' AND OLD.status = 'Reserving')))
        BEGIN
            INSERT INTO change_feed (hotel_id, seq, event, booking_id, room_id, data, at)
            VALUES (NEW.hotel_id, (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_feed WHERE hotel_id = NEW.hotel_id),
                    'BookingChanged', NEW.id, NEW.room_id,
                    json_object('bookingId', lower(NEW.id), 'confirmation', NEW.confirmation_code, 'roomId', lower(NEW.room_id),
                                'status', NEW.status, 'version', NEW.version),
                    NEW.updated_at);
        END;
        """
}

extension Schema {
    /// The CHECK constraints of the tables every booking writes, with their constant lists of more
    /// than two values written as comparisons (the same rule). SQLite builds an ephemeral table
    /// for such a list at every row it checks: 37,000 instructions per booking row, more than a
    /// third of what inserting it costs otherwise (callgrind, issue 12, session 24).
    /// (table, the constraint's text as the earlier migrations wrote it, the same rule rewritten)
    static let v14Checks: [(table: String, written: String, rewritten: String)] = [
        ("booking", """
            status TEXT NOT NULL CHECK (status IN
                    ('Reserving', 'ProcessingPayment', 'Confirmed', 'CheckedIn', 'CheckedOut', 'Failed', 'Cancelled', 'NoShow'))
            """, """
            status TEXT NOT NULL CHECK (status = 'Reserving' OR status = 'ProcessingPayment' OR status = 'Confirmed'
                    OR status = 'CheckedIn' OR status = 'CheckedOut' OR status = 'Failed' OR status = 'Cancelled' OR status = 'NoShow')
            """),
        ("booking", "CHECK (sync_state IN ('synced', 'pending', 'conflict'))",
         "CHECK (sync_state = 'synced' OR sync_state = 'pending' OR sync_state = 'conflict')"),
        ("sync_operation", "CHECK (outcome IN ('accepted', 'conflict', 'rejected'))",
         "CHECK (outcome = 'accepted' OR outcome = 'conflict' OR outcome = 'rejected')"),
        ("sync_outbox", "CHECK (state IN ('queued', 'accepted', 'conflict', 'rejected'))",
         "CHECK (state = 'queued' OR state = 'accepted' OR state = 'conflict' OR state = 'rejected')"),
        ("saga_message", """
            name TEXT NOT NULL CHECK (name IN
                    ('RoomReserved', 'ReservationExpired', 'ProcessPayment', 'ProcessRefund'))
            """, """
            name TEXT NOT NULL CHECK (name = 'RoomReserved' OR name = 'ReservationExpired' OR name = 'ProcessPayment'
                    OR name = 'ProcessRefund')
            """),
    ]

    /// Rewrites CHECK constraints in place, as SQLite documents for a change that leaves every
    /// stored row as it is (https://sqlite.org/lang_altertable.html, "writable_schema"): the
    /// table's text in `sqlite_schema`, then the schema version moved on so that every
    /// connection reads it again. A rebuild of the booking table would copy every booking for a
    /// rule that does not change. A constraint not found as written is left as it is.
    static func rewriteCheckConstraints(_ checks: [(table: String, written: String, rewritten: String)], _ db: Database) throws {
        let schemaVersion = try Int.fetchOne(db, sql: "PRAGMA schema_version") ?? 0
        try db.execute(sql: "PRAGMA writable_schema = ON")
        for check in checks {
            try db.execute(sql: "UPDATE sqlite_schema SET sql = replace(sql, ?, ?) WHERE type = 'table' AND name = ?",
                           arguments: [check.written, check.rewritten, check.table])
        }
        try db.execute(sql: "PRAGMA schema_version = \(schemaVersion + 1)")
        try db.execute(sql: "PRAGMA writable_schema = OFF")
    }

    /// The sales triggers of a night's price (v3) as they were, with the claim they update found
    /// by equality instead of `IN (SELECT ...)`, which fills an ephemeral table at every firing
    /// (every night of every booking written). A booking claims at most one room a night, so
    /// the subquery has at most one row, as the list had.
    static let v14 = """
        DROP TRIGGER night_sales_priced;
        CREATE TRIGGER night_sales_priced AFTER INSERT ON booking_night
        BEGIN
            UPDATE night_sales SET revenue_cents = revenue_cents + NEW.price_cents
            WHERE night = NEW.night AND (hotel_id, room_type_id) = (
                SELECT n.hotel_id, r.room_type_id FROM room_night n JOIN room r ON r.id = n.room_id
                WHERE n.booking_id = NEW.booking_id AND n.night = NEW.night AND n.hold_expires_at IS NULL);
        END;

        DROP TRIGGER night_sales_unpriced;
        CREATE TRIGGER night_sales_unpriced AFTER DELETE ON booking_night
        BEGIN
            UPDATE night_sales SET revenue_cents = revenue_cents - OLD.price_cents
            WHERE night = OLD.night AND (hotel_id, room_type_id) = (
                SELECT n.hotel_id, r.room_type_id FROM room_night n JOIN room r ON r.id = n.room_id
                WHERE n.booking_id = OLD.booking_id AND n.night = OLD.night AND n.hold_expires_at IS NULL);
        END;

        DROP TRIGGER night_sales_repriced;
        CREATE TRIGGER night_sales_repriced AFTER UPDATE OF price_cents ON booking_night
        BEGIN
            UPDATE night_sales SET revenue_cents = revenue_cents - OLD.price_cents + NEW.price_cents
            WHERE night = NEW.night AND (hotel_id, room_type_id) = (
                SELECT n.hotel_id, r.room_type_id FROM room_night n JOIN room r ON r.id = n.room_id
                WHERE n.booking_id = NEW.booking_id AND n.night = NEW.night AND n.hold_expires_at IS NULL);
        END;
        """
}

extension Schema {
    /// `sync_operation` (v9) as a table with a rowid, its key (hotel, operation id) a unique index.
    /// As a table without one, each row (the operation's fingerprint and its whole answer, about
    /// a kilobyte) was stored in its key's b-tree, beyond what an index page holds in place: every
    /// push's record and look-up went through overflow pages. Replayed with SQLite 3.40 over
    /// 1,000 pushed operations on 20,000 kept ones: 94,000 instructions an operation (the look-up
    /// and the insert) as v9 has it, 38,000 this way (issue 12, session 25). The rows are copied
    /// as they are, once, when a file is migrated.
    /// A card booking's stay can change after its charge (a night added or taken off, paid or
    /// repaid at the desk), so its total is no longer what the card paid: a cancellation's refund
    /// pays back the charge. NULL: no card charge recorded (before v16, or desk payments), and
    /// the refund falls back to the total as before.
    static let v16 = """
        ALTER TABLE saga ADD COLUMN charged_cents INTEGER CHECK (charged_cents IS NULL OR charged_cents >= 0);
        -- Refusals of a refund or settlement, apart from the calls that met an outage: the wait
        -- before the next try and the stop for a person count refusals only (a service that is
        -- down is not a refusal).
        ALTER TABLE saga_message ADD COLUMN refusals INTEGER NOT NULL DEFAULT 0 CHECK (refusals >= 0);
        """

    /// When a server user was last disabled, kept once it is enabled again: tokens issued before
    /// it stay refused (they were ended by the disable; enabling brings back the account, not them).
    /// Accounts disabled when the file is migrated count as disabled then: their tokens from
    /// before stay ended if they are enabled later.
    static let v17 = """
        ALTER TABLE server_user ADD COLUMN disabled_at TEXT;
        UPDATE server_user SET disabled_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE is_disabled = 1;
        """

    /// Card bookings paid before v16 have no charge recorded, so a cancellation of one whose stay
    /// grew since asked the card for the grown total, more than it was charged (the service
    /// refused, and a person settled it). The charge was the total when the booking was
    /// confirmed (no change is taken while a payment is under way): the first confirmation's
    /// audit entry keeps it. A booking whose entry is missing or unreadable stays NULL (the
    /// total, as before).
    static let v18 = """
        UPDATE saga SET charged_cents = (
            SELECT CASE WHEN json_valid(a.after_state) THEN CAST(round(json_extract(a.after_state, '$.totalPrice') * 100) AS INTEGER) END
            FROM audit_entry a
            WHERE a.booking_id = saga.booking_id AND a.action = 'booking.confirmed'
            ORDER BY a.id LIMIT 1)
        WHERE payment_method = 'card' AND charged_cents IS NULL AND payment_reference IS NOT NULL;
        """

    /// A change this desk queued that the server refuses is dropped by `--keep-server`, and the
    /// money the change settled at the desk (a night collected, one repaid, a refund) goes back:
    /// the booking's total before and after each change is what it moved (comparing the desk's
    /// copy with the server's counted another desk's changes as this one's). NULL for a `book`
    /// and for operations queued before v19 (said in words, not as an amount).
    static let v19 = """
        ALTER TABLE sync_outbox ADD COLUMN total_before_cents INTEGER;
        ALTER TABLE sync_outbox ADD COLUMN total_after_cents INTEGER;
        """

    static let v15 = """
        CREATE TABLE sync_operation_v15 (
            hotel_id TEXT NOT NULL REFERENCES hotel(id),
            operation_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            -- The operation's content, so the same id with other content is refused.
            fingerprint TEXT NOT NULL,
            booking_id TEXT,
            outcome TEXT NOT NULL CHECK (outcome = 'accepted' OR outcome = 'conflict' OR outcome = 'rejected'),
            -- The SyncOutcome as first answered (JSON).
            answer TEXT NOT NULL,
            at TEXT NOT NULL,
            UNIQUE (hotel_id, operation_id)
        );
        INSERT INTO sync_operation_v15 (hotel_id, operation_id, seq, fingerprint, booking_id, outcome, answer, at)
            SELECT hotel_id, operation_id, seq, fingerprint, booking_id, outcome, answer, at FROM sync_operation
            ORDER BY hotel_id, seq;
        DROP TABLE sync_operation;
        ALTER TABLE sync_operation_v15 RENAME TO sync_operation;
        CREATE INDEX sync_operation_booking ON sync_operation(hotel_id, booking_id, seq);
        """
}

extension FrontDeskStore {
    /// The schema this build writes (`PRAGMA user_version` of a file it opened): the number of its
    /// migrations. `frontdesk --version` prints it; a file with a higher number is refused.
    public static var schemaVersion: Int { Schema.version }
}
