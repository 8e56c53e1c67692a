package io.sink.server.store.postgres.internal;

import io.sink.sqlite.Migration;
import java.util.List;

/**
 * The received-event store's tables, as versioned migrations (row {@code received_events} of
 * {@code schema_version}; only ever appended).
 */
final class ReceivedEventsSchema {

    static final List<Migration> MIGRATIONS = List.of(
            new Migration(1, "received events, one row per client and ack key; events per client", List.of(
                    // the identity orders events by first receipt: latest() reads it backwards
                    """
                    CREATE TABLE received_events (
                        id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                        client_id       text        NOT NULL,
                        event_type_id   bigint      NOT NULL,
                        schema_version  bigint      NOT NULL,
                        event_key       bytea       NOT NULL,
                        event_offset    bigint      NOT NULL,
                        event_timestamp bigint      NOT NULL,
                        event_data      bytea       NOT NULL,
                        received_at     timestamptz NOT NULL
                    )""",
                    // An event is identified by its client and ack key: a re-sent one is stored once. The key
                    // is indexed by its SHA-256: a B-tree entry holds at most about 2,700 bytes, and a key may
                    // have up to 65,533. The duplicate check compares the key itself as well.
                    "CREATE UNIQUE INDEX received_events_ack_key"
                            + " ON received_events (client_id, event_type_id, sha256(event_key), event_offset)",
                    // a client's events newest first
                    "CREATE INDEX received_events_client ON received_events (client_id, id)",
                    // count() reads one row, kept by statement-level triggers (one update per client and
                    // batch, in client order so that two writers never wait for each other in a cycle)
                    """
                    CREATE TABLE received_counts (
                        client_id text   PRIMARY KEY,
                        events    bigint NOT NULL
                    )""",
                    """
                    CREATE FUNCTION received_events_counted() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        INSERT INTO received_counts (client_id, events)
                        SELECT client_id, count(*) FROM inserted GROUP BY client_id ORDER BY client_id
                        ON CONFLICT (client_id) DO UPDATE SET events = received_counts.events + EXCLUDED.events;
                        RETURN NULL;
                    END $$""",
                    """
                    CREATE TRIGGER received_events_counted AFTER INSERT ON received_events
                    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT
                    EXECUTE FUNCTION received_events_counted()""",
                    """
                    CREATE FUNCTION received_events_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
                    BEGIN
                        UPDATE received_counts c SET events = c.events - d.events
                        FROM (SELECT client_id, count(*) AS events FROM deleted GROUP BY client_id) d
                        WHERE c.client_id = d.client_id;
                        RETURN NULL;
                    END $$""",
                    """
                    CREATE TRIGGER received_events_uncounted AFTER DELETE ON received_events
                    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT
                    EXECUTE FUNCTION received_events_uncounted()""")));

    static final PostgresMigrations RUNNER = new PostgresMigrations("received_events",
            PostgresReceivedEventStore.KIND, MIGRATIONS);

    private ReceivedEventsSchema() {
    }
}
