package io.sink.server.sensors.internal;

import io.sink.sqlite.Migration;
import io.sink.sqlite.Migrations;
import java.util.List;

/** The sensor directory's schema, as versioned migrations (only ever appended). */
final class SensorsSchema {

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "sensors per client, their outgoing configuration events, offsets per client", List.of(
                    // the next offset of each client's stream of configuration events
                    """
                    CREATE TABLE sensor_streams (
                        client_id   TEXT    PRIMARY KEY NOT NULL,
                        next_offset INTEGER NOT NULL
                    ) WITHOUT ROWID""",
                    // the sensors as the server last asked for them; the rowid is the creation order
                    """
                    CREATE TABLE sensors (
                        seq         INTEGER PRIMARY KEY,
                        client_id   TEXT    NOT NULL,
                        sensor_id   TEXT    NOT NULL,
                        name        TEXT    NOT NULL,
                        kind        TEXT    NOT NULL,
                        period_ms   INTEGER NOT NULL,
                        removed     INTEGER NOT NULL,
                        last_offset INTEGER NOT NULL,
                        delivery    TEXT    NOT NULL,
                        nack_reason TEXT,
                        UNIQUE (client_id, sensor_id)
                    )""",
                    // events not yet ACKed, in offset order per client: QUEUED, SENT or NACKED
                    """
                    CREATE TABLE sensor_outbox (
                        client_id       TEXT    NOT NULL,
                        event_offset    INTEGER NOT NULL,
                        sensor_id       TEXT    NOT NULL,
                        op              TEXT    NOT NULL,
                        event_timestamp INTEGER NOT NULL,
                        event_data      BLOB    NOT NULL,
                        state           TEXT    NOT NULL,
                        nack_reason     TEXT,
                        PRIMARY KEY (client_id, event_offset)
                    ) WITHOUT ROWID""")));

    static final Migrations RUNNER = new Migrations(SensorOutbox.KIND, MIGRATIONS);

    private SensorsSchema() {
    }
}
