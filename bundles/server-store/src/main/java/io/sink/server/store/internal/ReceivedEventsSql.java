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

    /**
     * Inserts the event unless the client's ack key is stored already (the unique index decides;
     * other constraint failures still fail).
     *
     * @return whether a row was inserted
     */
    static boolean insertIfNew(Connection c, String clientId, Event event, long receivedAtMillis)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                INSERT INTO received_events (client_id, event_type_id, schema_version, event_key, event_offset,
                                             event_timestamp, event_data, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (client_id, event_type_id, event_key, event_offset) DO NOTHING""")) {
            ps.setString(1, clientId);
            ps.setLong(2, event.eventTypeId());
            ps.setLong(3, event.schemaVersion());
            ps.setBytes(4, event.key());
            ps.setLong(5, event.offset());
            ps.setLong(6, event.timestamp());
            ps.setBytes(7, event.eventData());
            ps.setLong(8, receivedAtMillis);
            return ps.executeUpdate() == 1;
        }
    }

    /**
     * Whether the event stored under the ack key of {@code event} has the same content (schema
     * version, timestamp, data): a true duplicate, rather than another event reusing the ack key.
     */
    static boolean sameAsStored(Connection c, String clientId, Event event) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                SELECT schema_version, event_timestamp, event_data FROM received_events
                WHERE client_id = ? AND event_type_id = ? AND event_key = ? AND event_offset = ?""")) {
            ps.setString(1, clientId);
            ps.setLong(2, event.eventTypeId());
            ps.setBytes(3, event.key());
            ps.setLong(4, event.offset());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getLong(1) == event.schemaVersion() && rs.getLong(2) == event.timestamp()
                        && java.util.Arrays.equals(rs.getBytes(3), event.eventData());
            }
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

    /** Bytes (keys and data) stored from {@code clientId}, kept by a trigger. */
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
