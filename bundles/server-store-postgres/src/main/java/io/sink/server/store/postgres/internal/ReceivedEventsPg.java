package io.sink.server.store.postgres.internal;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.api.server.ReceivedEventStore.StoredEvent;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The statements of the PostgreSQL received-event store; each runs on a connection lent by the caller. */
final class ReceivedEventsPg {
    /** Rows per INSERT or SELECT statement: 8 parameters a row, well below PostgreSQL's 65535. */
    static final int ROWS_PER_STATEMENT = 1000;

    private ReceivedEventsPg() {
    }

    /** An event received from a client, queued for the writer. */
    record Received(String clientId, Event event) {
        Key key() {
            return new Key(clientId, event.eventTypeId(), ByteBuffer.wrap(event.key()), event.offset());
        }
    }

    /** A client's ack key, comparable by value (the key bytes by content). */
    record Key(String clientId, long eventTypeId, ByteBuffer key, long offset) {
    }

    /**
     * Stores a batch in the caller's transaction: one multi-row {@code INSERT ... ON CONFLICT DO
     * NOTHING RETURNING} per {@link #ROWS_PER_STATEMENT} distinct ack keys; then the events that were
     * not inserted (stored before, or repeated within the batch) are compared with the stored rows.
     *
     * @return one outcome per event, in order
     */
    static List<Outcome> storeAll(Connection c, List<Received> batch, Instant receivedAt) throws SQLException {
        // the first event of each ack key in the batch is inserted; repeats are compared afterwards
        Map<Key, Received> firsts = new LinkedHashMap<>();
        for (Received r : batch) {
            firsts.putIfAbsent(r.key(), r);
        }
        List<Received> distinct = new ArrayList<>(firsts.values());
        Set<Key> inserted = new HashSet<>();
        OffsetDateTime at = receivedAt.atOffset(ZoneOffset.UTC);
        for (int from = 0; from < distinct.size(); from += ROWS_PER_STATEMENT) {
            insert(c, distinct.subList(from, Math.min(distinct.size(), from + ROWS_PER_STATEMENT)), at, inserted);
        }
        List<Received> toCompare = new ArrayList<>();
        for (Received r : batch) {
            Key key = r.key();
            if (!(inserted.contains(key) && firsts.get(key) == r)) {
                toCompare.add(r);
            }
        }
        Map<Key, Event> storedEvents = toCompare.isEmpty() ? Map.of() : stored(c, toCompare);
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        for (Received r : batch) {
            Key key = r.key();
            if (inserted.contains(key) && firsts.get(key) == r) {
                outcomes.add(Outcome.STORED);
                continue;
            }
            Event existing = storedEvents.get(key);
            if (existing == null) {
                // neither inserted nor found: the unique index must have been skipped; never ACK that
                throw new SQLException("the event " + key.offset() + " of type " + key.eventTypeId() + " from "
                        + key.clientId() + " was neither stored nor found stored");
            }
            outcomes.add(sameContent(existing, r.event()) ? Outcome.DUPLICATE : Outcome.CONFLICT);
        }
        return outcomes;
    }

    private static boolean sameContent(Event stored, Event event) {
        return stored.schemaVersion() == event.schemaVersion() && stored.timestamp() == event.timestamp()
                && Arrays.equals(stored.eventData(), event.eventData());
    }

    private static void insert(Connection c, List<Received> rows, OffsetDateTime receivedAt, Set<Key> inserted)
            throws SQLException {
        StringBuilder sql = new StringBuilder("""
                INSERT INTO received_events (client_id, event_type_id, schema_version, event_key, event_offset,
                                             event_timestamp, event_data, received_at)
                VALUES\s""");
        for (int i = 0; i < rows.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(?, ?, ?, ?, ?, ?, ?, ?)");
        }
        sql.append("""

                ON CONFLICT (client_id, event_type_id, sha256(event_key), event_offset) DO NOTHING
                RETURNING client_id, event_type_id, event_key, event_offset""");
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int p = 1;
            for (Received r : rows) {
                Event e = r.event();
                ps.setString(p++, r.clientId());
                ps.setLong(p++, e.eventTypeId());
                ps.setLong(p++, e.schemaVersion());
                ps.setBytes(p++, e.key());
                ps.setLong(p++, e.offset());
                ps.setLong(p++, e.timestamp());
                ps.setBytes(p++, e.eventData());
                ps.setObject(p++, receivedAt);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    inserted.add(new Key(rs.getString(1), rs.getLong(2), ByteBuffer.wrap(rs.getBytes(3)),
                            rs.getLong(4)));
                }
            }
        }
    }

    /** The stored events under the ack keys of {@code events} (those found), seen by this transaction. */
    private static Map<Key, Event> stored(Connection c, List<Received> events) throws SQLException {
        Map<Key, Received> byKey = new LinkedHashMap<>();
        for (Received r : events) {
            byKey.putIfAbsent(r.key(), r);
        }
        List<Received> keys = new ArrayList<>(byKey.values());
        Map<Key, Event> found = new HashMap<>();
        for (int from = 0; from < keys.size(); from += ROWS_PER_STATEMENT) {
            List<Received> chunk = keys.subList(from, Math.min(keys.size(), from + ROWS_PER_STATEMENT));
            StringBuilder sql = new StringBuilder("""
                    SELECT e.client_id, e.event_type_id, e.schema_version, e.event_key, e.event_offset,
                           e.event_timestamp, e.event_data
                    FROM (VALUES\s""");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "" : ", ").append("(?::text, ?::bigint, ?::bytea, ?::bigint)");
            }
            // sha256(event_key) in the join lets PostgreSQL use the unique index
            sql.append("""
                    ) AS k (client_id, event_type_id, event_key, event_offset)
                    JOIN received_events e ON e.client_id = k.client_id AND e.event_type_id = k.event_type_id
                        AND sha256(e.event_key) = sha256(k.event_key) AND e.event_offset = k.event_offset
                        AND e.event_key = k.event_key""");
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int p = 1;
                for (Received r : chunk) {
                    ps.setString(p++, r.clientId());
                    ps.setLong(p++, r.event().eventTypeId());
                    ps.setBytes(p++, r.event().key());
                    ps.setLong(p++, r.event().offset());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Event e = new Event(rs.getLong(2), rs.getLong(3), rs.getBytes(4), rs.getLong(5),
                                rs.getLong(6), rs.getBytes(7));
                        found.put(new Key(rs.getString(1), e.eventTypeId(), ByteBuffer.wrap(e.key()), e.offset()), e);
                    }
                }
            }
        }
        return found;
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
                    Instant receivedAt = rs.getObject(7, OffsetDateTime.class).toInstant();
                    events.add(new StoredEvent(clientId, event, receivedAt));
                }
            }
        }
        return events;
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
