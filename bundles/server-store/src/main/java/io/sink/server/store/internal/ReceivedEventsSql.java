package io.sink.server.store.internal;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore.StoredEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The statements of the received-event store; each runs on a connection lent by the caller. */
final class ReceivedEventsSql {

    private ReceivedEventsSql() {
    }

    /** Inserts an event unless the client's ack key is stored already: {@link #insertIfNew}. */
    static final String INSERT = """
            INSERT INTO received_events (client_id, event_type_id, schema_version, event_key, event_offset,
                                         event_timestamp, event_data, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (client_id, event_type_id, event_key, event_offset) DO NOTHING""";

    /** The content stored under an ack key: {@link #sameAsStored}. */
    static final String STORED_CONTENT = """
            SELECT schema_version, event_timestamp, event_data FROM received_events
            WHERE client_id = ? AND event_type_id = ? AND event_key = ? AND event_offset = ?""";

    /**
     * Inserts the event with {@code insert} (prepared from {@link #INSERT}, reusable for the next
     * event) unless the client's ack key is stored already (the unique index decides; other constraint
     * failures still fail). The client's counts are not changed: see {@link #addToCounts}.
     *
     * @return whether a row was inserted
     */
    static boolean insertIfNew(PreparedStatement insert, String clientId, Event event, long receivedAtMillis)
            throws SQLException {
        insert.setString(1, clientId);
        insert.setLong(2, event.eventTypeId());
        insert.setLong(3, event.schemaVersion());
        insert.setBytes(4, event.key());
        insert.setLong(5, event.offset());
        insert.setLong(6, event.timestamp());
        insert.setBytes(7, event.eventData());
        insert.setLong(8, receivedAtMillis);
        return insert.executeUpdate() == 1;
    }

    /**
     * Whether the event stored under the ack key of {@code event} has the same content (schema
     * version, timestamp, data): a true duplicate, rather than another event reusing the ack key.
     * {@code select} is prepared from {@link #STORED_CONTENT}.
     */
    static boolean sameAsStored(PreparedStatement select, String clientId, Event event) throws SQLException {
        select.setString(1, clientId);
        select.setLong(2, event.eventTypeId());
        select.setBytes(3, event.key());
        select.setLong(4, event.offset());
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() && rs.getLong(1) == event.schemaVersion() && rs.getLong(2) == event.timestamp()
                    && java.util.Arrays.equals(rs.getBytes(3), event.eventData());
        }
    }

    /** What an event adds to its client's bytes (key and data), as the quota counts them. */
    static long bytesOf(Event event) {
        return (long) event.keyLength() + event.eventDataLength();
    }

    /**
     * Adds events and bytes to a client's counts (schema version 4 on: the store counts what it
     * inserts, once per client and batch, instead of a trigger per row).
     */
    static void addToCounts(Connection c, String clientId, long events, long bytes) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO received_counts (client_id, events, bytes) VALUES (?, ?, ?)
                ON CONFLICT (client_id) DO UPDATE SET events = events + excluded.events,
                    bytes = bytes + excluded.bytes""")) {
            ps.setString(1, clientId);
            ps.setLong(2, events);
            ps.setLong(3, bytes);
            ps.executeUpdate();
        }
    }

    static List<StoredEvent> latest(Connection c, String clientId, int count) throws SQLException {
        List<StoredEvent> events = new ArrayList<>(Math.min(count, 1000));
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT event_type_id, schema_version, event_key, event_offset, event_timestamp, event_data,
                       received_at
                FROM received_events WHERE client_id = ? ORDER BY id DESC LIMIT ?""")) {
            ps.setString(1, clientId);
            ps.setInt(2, count);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Event event = new Event(rs.getLong(1), rs.getLong(2), rs.getBytes(3), rs.getLong(4),
                            rs.getLong(5), rs.getBytes(6));
                    events.add(new StoredEvent(clientId, event, Instant.ofEpochMilli(rs.getLong(7))));
                }
            }
        }
        return events;
    }

    /** Bytes (keys and data) stored from {@code clientId} (see {@link #addToCounts}). */
    static long bytes(Connection c, String clientId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT bytes FROM received_counts WHERE client_id = ?")) {
            ps.setString(1, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    static long count(Connection c, String clientId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT events FROM received_counts WHERE client_id = ?")) {
            ps.setString(1, clientId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }
}
