package io.sink.store.sqlite.internal;

import io.sink.sqlite.Migration;
import io.sink.sqlite.Migrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The event log's schema as an ordered list of migrations, run by {@link Migrations}: the version
 * reached is kept in SQLite's {@code PRAGMA user_version}; a database is brought from its version to
 * {@link #CURRENT_VERSION} in one transaction, so it is never left half migrated. Migrations are only
 * ever appended.
 */
public final class Schema {

    /** The migrations, in order; migration {@code i} brings a database to version {@code i + 1}. */
    public static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "events, last event per key, instance ids", List.of(
                    // AUTOINCREMENT: a sequence is never reused, even after retention emptied the log,
                    // so a reader's "after this sequence" position stays valid
                    """
                    CREATE TABLE events (
                        sequence        INTEGER PRIMARY KEY AUTOINCREMENT,
                        event_type_id   INTEGER NOT NULL,
                        schema_version  INTEGER NOT NULL,
                        event_key       BLOB    NOT NULL,
                        event_offset    INTEGER NOT NULL,
                        event_timestamp INTEGER NOT NULL,
                        event_data      BLOB    NOT NULL,
                        acked_at        INTEGER
                    )""",
                    // acknowledgements find their event by ack key, and an ack key is logged once
                    "CREATE UNIQUE INDEX events_ack_key ON events (event_type_id, event_key, event_offset)",
                    // only unacknowledged rows: the next events to send are found without touching the
                    // acknowledged history, however long it is
                    "CREATE INDEX events_unacked ON events (sequence, event_type_id) WHERE acked_at IS NULL",
                    """
                    CREATE TABLE last_events (
                        event_type_id   INTEGER NOT NULL,
                        event_key       BLOB    NOT NULL,
                        schema_version  INTEGER NOT NULL,
                        event_offset    INTEGER NOT NULL,
                        event_timestamp INTEGER NOT NULL,
                        event_data      BLOB    NOT NULL,
                        PRIMARY KEY (event_type_id, event_key)
                    ) WITHOUT ROWID""",
                    "CREATE TABLE instance_ids (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID")),
            new Migration(2, "queue counters kept by triggers, so that the queue size costs one row read", List.of(
                    """
                    CREATE TABLE queue_counters (
                        id      INTEGER PRIMARY KEY CHECK (id = 1),
                        unacked INTEGER NOT NULL,
                        acked   INTEGER NOT NULL
                    )""",
                    """
                    INSERT INTO queue_counters (id, unacked, acked)
                    SELECT 1, (SELECT count(*) FROM events WHERE acked_at IS NULL),
                              (SELECT count(*) FROM events WHERE acked_at IS NOT NULL)""",
                    """
                    CREATE TRIGGER events_counted_insert AFTER INSERT ON events BEGIN
                        UPDATE queue_counters SET unacked = unacked + (NEW.acked_at IS NULL),
                                                  acked = acked + (NEW.acked_at IS NOT NULL) WHERE id = 1;
                    END""",
                    """
                    CREATE TRIGGER events_counted_ack AFTER UPDATE OF acked_at ON events
                    WHEN (OLD.acked_at IS NULL) <> (NEW.acked_at IS NULL) BEGIN
                        UPDATE queue_counters SET unacked = unacked + (NEW.acked_at IS NULL) - (OLD.acked_at IS NULL),
                                                  acked = acked + (NEW.acked_at IS NOT NULL) - (OLD.acked_at IS NOT NULL)
                        WHERE id = 1;
                    END""",
                    """
                    CREATE TRIGGER events_counted_delete AFTER DELETE ON events BEGIN
                        UPDATE queue_counters SET unacked = unacked - (OLD.acked_at IS NULL),
                                                  acked = acked - (OLD.acked_at IS NOT NULL) WHERE id = 1;
                    END""")),
            new Migration(3, "acknowledged events by acknowledgement time, for retention", List.of(
                    "CREATE INDEX events_acked ON events (acked_at) WHERE acked_at IS NOT NULL")),
            // an acknowledgement is recorded by one statement only (EventLogSql.acknowledge), which now
            // moves the counters once per batch by the rows it changed: a trigger ran an UPDATE of the
            // counters' row for every acknowledged event (about a quarter of the cost of recording it)
            new Migration(4, "acknowledgements counted once per batch by the event log, not by a trigger per row",
                    List.of("DROP TRIGGER events_counted_ack")));

    /** The version this code reads and writes. */
    public static final int CURRENT_VERSION = MIGRATIONS.size();

    /** The runner of {@link #MIGRATIONS}. */
    public static final Migrations RUNNER = new Migrations("event log", MIGRATIONS);

    private Schema() {
    }

    /** The database's schema version ({@code PRAGMA user_version}; 0 for a new database). */
    public static int version(Connection connection) throws SQLException {
        return Migrations.version(connection);
    }

    /**
     * Applies the migrations after the database's version up to {@code target}, inside the caller's
     * transaction. Returns the version found before.
     *
     * @throws SQLException when the database has a newer schema than this code knows
     */
    public static int migrate(Connection connection, int target, String databaseName) throws SQLException {
        return RUNNER.migrate(connection, target, databaseName);
    }
}
