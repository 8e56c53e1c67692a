package io.sink.server.store.internal;

import io.sink.sqlite.Migration;
import io.sink.sqlite.Migrations;
import java.util.List;

/**
 * The received-event store's schema, as versioned migrations (kept in {@code PRAGMA user_version};
 * only ever appended).
 */
final class ServerStoreSchema {

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "received events, one row per client and ack key", List.of(
                    // the rowid orders events by first receipt: latest() reads it backwards
                    """
                    CREATE TABLE received_events (
                        id              INTEGER PRIMARY KEY,
                        client_id       TEXT    NOT NULL,
                        event_type_id   INTEGER NOT NULL,
                        schema_version  INTEGER NOT NULL,
                        event_key       BLOB    NOT NULL,
                        event_offset    INTEGER NOT NULL,
                        event_timestamp INTEGER NOT NULL,
                        event_data      BLOB    NOT NULL,
                        received_at     INTEGER NOT NULL
                    )""",
                    // an event is identified by its client and ack key: a re-sent one is stored once
                    "CREATE UNIQUE INDEX received_events_ack_key"
                            + " ON received_events (client_id, event_type_id, event_key, event_offset)",
                    // a client's events newest first (the index holds the rowid after client_id)
                    "CREATE INDEX received_events_client ON received_events (client_id)")),
            new Migration(2, "events per client kept by a trigger, so that count() reads one row", List.of(
                    """
                    CREATE TABLE received_counts (
                        client_id TEXT    PRIMARY KEY NOT NULL,
                        events    INTEGER NOT NULL
                    ) WITHOUT ROWID""",
                    """
                    INSERT INTO received_counts (client_id, events)
                    SELECT client_id, count(*) FROM received_events GROUP BY client_id""",
                    """
                    CREATE TRIGGER received_events_counted AFTER INSERT ON received_events BEGIN
                        INSERT INTO received_counts (client_id, events) VALUES (NEW.client_id, 1)
                        ON CONFLICT (client_id) DO UPDATE SET events = events + 1;
                    END""",
                    """
                    CREATE TRIGGER received_events_uncounted AFTER DELETE ON received_events BEGIN
                        UPDATE received_counts SET events = events - 1 WHERE client_id = OLD.client_id;
                    END""")),
            new Migration(3, "bytes per client (key and data) kept by the triggers, for the per-client quota", List.of(
                    "ALTER TABLE received_counts ADD COLUMN bytes INTEGER NOT NULL DEFAULT 0",
                    """
                    UPDATE received_counts SET bytes = (
                        SELECT coalesce(sum(length(event_key) + length(event_data)), 0) FROM received_events r
                        WHERE r.client_id = received_counts.client_id)""",
                    "DROP TRIGGER received_events_counted",
                    "DROP TRIGGER received_events_uncounted",
                    """
                    CREATE TRIGGER received_events_counted AFTER INSERT ON received_events BEGIN
                        INSERT INTO received_counts (client_id, events, bytes)
                        VALUES (NEW.client_id, 1, length(NEW.event_key) + length(NEW.event_data))
                        ON CONFLICT (client_id) DO UPDATE SET events = events + 1,
                            bytes = bytes + length(NEW.event_key) + length(NEW.event_data);
                    END""",
                    """
                    CREATE TRIGGER received_events_uncounted AFTER DELETE ON received_events BEGIN
                        UPDATE received_counts SET events = events - 1,
                            bytes = bytes - length(OLD.event_key) - length(OLD.event_data)
                        WHERE client_id = OLD.client_id;
                    END""")),
            new Migration(4, "events and bytes per client counted by the store once per client and batch of"
                    + " inserts, instead of by a trigger per inserted row", List.of(
                    // the counts kept so far stay; deletes (rare, never on the path of an ACK) keep their trigger
                    "DROP TRIGGER received_events_counted")),
            new Migration(5, "the ack-key index ordered by offset before event type and key, so that the new"
                    + " events of a batch share the index's last leaves instead of writing one leaf per key", List.of(
                    // the same unique key (the INSERT's ON CONFLICT target names the columns in any order).
                    // A client's keys advance their offsets side by side (each sensor appends the next offset
                    // of its key), so new entries land at the end of the client's part of the index; ordered
                    // by key first, every key of a batch dirtied a leaf of its own, which every commit wrote
                    // whole to the WAL (and every checkpoint again): 8 sensors, about 1,200 bytes written per
                    // event at window 256, 720 with this order (benchmarks/README.md, session 16)
                    "DROP INDEX received_events_ack_key",
                    "CREATE UNIQUE INDEX received_events_ack_key"
                            + " ON received_events (client_id, event_offset, event_type_id, event_key)")));

    static final Migrations RUNNER = new Migrations(SqliteReceivedEventStore.KIND, MIGRATIONS);

    private ServerStoreSchema() {
    }
}
