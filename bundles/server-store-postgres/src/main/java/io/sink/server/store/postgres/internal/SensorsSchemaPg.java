package io.sink.server.store.postgres.internal;

import io.sink.sqlite.Migration;
import java.util.List;

/**
 * The sensor directory's tables (the contract of {@code io.sink.server.sensors.storage.SensorStorage}:
 * the same columns as the SQLite schema of {@code io.sink.server-sensors}), as versioned migrations
 * (row {@code sensors} of {@code schema_version}; only ever appended).
 */
final class SensorsSchemaPg {

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "sensors per client, their outgoing configuration events, offsets per client", List.of(
                    // the next offset of each client's stream of configuration events
                    """
                    CREATE TABLE sensor_streams (
                        client_id   text   PRIMARY KEY,
                        next_offset bigint NOT NULL
                    )""",
                    // the sensors as the server last asked for them; seq is the creation order
                    """
                    CREATE TABLE sensors (
                        seq         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        client_id   text    NOT NULL,
                        sensor_id   text    NOT NULL,
                        name        text    NOT NULL,
                        kind        text    NOT NULL,
                        period_ms   bigint  NOT NULL,
                        removed     integer NOT NULL,
                        last_offset bigint  NOT NULL,
                        delivery    text    NOT NULL,
                        nack_reason text,
                        UNIQUE (client_id, sensor_id)
                    )""",
                    // events not yet ACKed, in offset order per client: QUEUED, SENT or NACKED
                    """
                    CREATE TABLE sensor_outbox (
                        client_id       text   NOT NULL,
                        event_offset    bigint NOT NULL,
                        sensor_id       text   NOT NULL,
                        op              text   NOT NULL,
                        event_timestamp bigint NOT NULL,
                        event_data      bytea  NOT NULL,
                        state           text   NOT NULL,
                        nack_reason     text,
                        PRIMARY KEY (client_id, event_offset)
                    )""")));

    static final PostgresMigrations RUNNER = new PostgresMigrations("sensors", PostgresSensorStorage.KIND, MIGRATIONS);

    private SensorsSchemaPg() {
    }
}
