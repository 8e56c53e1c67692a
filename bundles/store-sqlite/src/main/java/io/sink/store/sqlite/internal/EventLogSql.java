package io.sink.store.sqlite.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.SqliteDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The event log's SQL, one method per statement or small group of statements, on a connection
 * given by the caller (who owns transactions). Plain and stateless, so that benchmarks and tests
 * can run the exact statements the store runs.
 */
public final class EventLogSql {

    static final String EVENT_COLUMNS = "event_type_id, schema_version, event_key, event_offset, event_timestamp, "
            + "event_data";

    private EventLogSql() {
    }

    /** Bytes in use: see {@link SqliteDatabase#pagesInUseBytes}. */
    public static long usedBytes(Connection c) throws SQLException {
        return SqliteDatabase.pagesInUseBytes(c);
    }

    /** Inserts an unacknowledged event; returns its sequence, or empty when its ack key is already logged. */
    public static OptionalLong insert(Connection c, Event e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO events (" + EVENT_COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING sequence")) {
            bindEvent(ps, e);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /**
     * The highest sequence ever given: the next insert gets the one after it ({@code AUTOINCREMENT}
     * keeps it in {@code sqlite_sequence}, even when the rows are deleted).
     */
    public static long highestSequence(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT max("
                + "coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'events'), 0),"
                + " coalesce((SELECT max(sequence) FROM events), 0))")) {
            return rs.next() ? rs.getLong(1) : 0;
        }
    }

    /** The sequence of the logged event with this ack key. */
    public static OptionalLong sequenceOf(Connection c, long eventTypeId, byte[] key, long offset)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT sequence FROM events WHERE event_type_id = ? AND event_key = ? AND event_offset = ?")) {
            ps.setLong(1, eventTypeId);
            ps.setBytes(2, key);
            ps.setLong(3, offset);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    /** The offset of the last event of {@code (eventTypeId, key)}, 0 when there is none. */
    public static long lastOffset(Connection c, long eventTypeId, byte[] key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT event_offset FROM last_events WHERE event_type_id = ? AND event_key = ?")) {
            ps.setLong(1, eventTypeId);
            ps.setBytes(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /**
     * Makes {@code e} the last event of its type and key, unless {@code onlyIfNewer} and the last
     * event already has a higher offset. Offsets are unsigned 64 bits stored with the same bits in
     * SQLite's signed INTEGER: 2^63..2^64-1 are negative there, so "higher" is compared unsigned.
     */
    public static void upsertLast(Connection c, Event e, boolean onlyIfNewer) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO last_events (" + EVENT_COLUMNS + ")"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (event_type_id, event_key) DO UPDATE SET"
                + " schema_version = excluded.schema_version, event_offset = excluded.event_offset,"
                + " event_timestamp = excluded.event_timestamp, event_data = excluded.event_data"
                + (onlyIfNewer ? " WHERE " + unsignedAtLeast("excluded.event_offset", "last_events.event_offset") : ""))) {
            bindEvent(ps, e);
            ps.executeUpdate();
        }
    }

    /** SQL for {@code a >= b} with both read as unsigned 64-bit values. */
    static String unsignedAtLeast(String a, String b) {
        return "((" + a + " < 0) > (" + b + " < 0) OR ((" + a + " < 0) = (" + b + " < 0) AND " + a + " >= " + b + "))";
    }

    public static Optional<Event> lastEvent(Connection c, long eventTypeId, byte[] key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EVENT_COLUMNS
                + " FROM last_events WHERE event_type_id = ? AND event_key = ?")) {
            ps.setLong(1, eventTypeId);
            ps.setBytes(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readEvent(rs, 1)) : Optional.empty();
            }
        }
    }

    /** Last events of a type ordered by key (byte-wise, as SQLite compares BLOBs). */
    public static List<Event> lastEvents(Connection c, long eventTypeId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EVENT_COLUMNS
                + " FROM last_events WHERE event_type_id = ? ORDER BY event_key")) {
            ps.setLong(1, eventTypeId);
            List<Event> events = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(readEvent(rs, 1));
                }
            }
            return events;
        }
    }

    /** Last events of every type, ordered by type then key. */
    public static List<Event> allLastEvents(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + EVENT_COLUMNS
                + " FROM last_events ORDER BY event_type_id, event_key")) {
            List<Event> events = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(readEvent(rs, 1));
                }
            }
            return events;
        }
    }

    /** The number of unacknowledged events of the types selected as {@link #unacknowledged} does. */
    public static long countUnacknowledged(Connection c, Set<Long> eventTypeIds, Set<Long> excludedTypeIds)
            throws SQLException {
        StringBuilder sql = new StringBuilder(
                "SELECT count(*) FROM events INDEXED BY events_unacked WHERE acked_at IS NULL");
        if (!eventTypeIds.isEmpty()) {
            sql.append(" AND event_type_id IN (").append(placeholders(eventTypeIds.size())).append(')');
        }
        if (!excludedTypeIds.isEmpty()) {
            sql.append(" AND event_type_id NOT IN (").append(placeholders(excludedTypeIds.size())).append(')');
        }
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            int i = 1;
            for (long type : eventTypeIds) {
                ps.setLong(i++, type);
            }
            for (long type : excludedTypeIds) {
                ps.setLong(i++, type);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * The query behind {@link #unacknowledged}. {@code INDEXED BY} makes SQLite fail loudly, rather
     * than fall back to scanning the whole log, should the partial index ever stop applying.
     */
    public static String unacknowledgedSql(int typeCount, int excludedCount) {
        StringBuilder sql = new StringBuilder("SELECT sequence, ").append(EVENT_COLUMNS)
                .append(" FROM events INDEXED BY events_unacked WHERE acked_at IS NULL AND sequence > ?");
        if (typeCount > 0) {
            sql.append(" AND event_type_id IN (").append(placeholders(typeCount)).append(')');
        }
        if (excludedCount > 0) {
            sql.append(" AND event_type_id NOT IN (").append(placeholders(excludedCount)).append(')');
        }
        return sql.append(" ORDER BY sequence LIMIT ?").toString();
    }

    public static List<LoggedEvent> unacknowledged(Connection c, Set<Long> eventTypeIds, Set<Long> excludedTypeIds,
            long afterSequence, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(unacknowledgedSql(eventTypeIds.size(),
                excludedTypeIds.size()))) {
            int i = 1;
            ps.setLong(i++, afterSequence);
            for (long type : eventTypeIds) {
                ps.setLong(i++, type);
            }
            for (long type : excludedTypeIds) {
                ps.setLong(i++, type);
            }
            ps.setInt(i, limit);
            List<LoggedEvent> events = new ArrayList<>(Math.min(limit, 1024));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    events.add(new LoggedEvent(rs.getLong(1), readEvent(rs, 2)));
                }
            }
            return events;
        }
    }

    static final String ACKNOWLEDGE_SQL = "UPDATE events SET acked_at = ?"
            + " WHERE event_type_id = ? AND event_key = ? AND event_offset = ? AND acked_at IS NULL";

    /**
     * The same by sequence (the rowid: no search of the ack-key index), for a row that must still hold
     * the ack key.
     */
    static final String ACKNOWLEDGE_BY_SEQUENCE_SQL = "UPDATE events SET acked_at = ? WHERE sequence = ?"
            + " AND event_type_id = ? AND event_key = ? AND event_offset = ? AND acked_at IS NULL";

    /** Moves {@code changed} events from the unacknowledged count to the acknowledged one. */
    static final String COUNT_ACKNOWLEDGED_SQL = "UPDATE queue_counters SET unacked = unacked - ?,"
            + " acked = acked + ? WHERE id = 1";

    /**
     * Marks events acknowledged at {@code ackedAtMillis}, in the caller's transaction, and moves the
     * queue counters by the number marked (schema version 4 on: once per call, not by a trigger per
     * row; this is the only statement that sets {@code acked_at}); returns how many were unacknowledged.
     * The row of {@code ackKeys.get(i)} is found by {@code sequences[i]} where that is above 0 and the
     * row there still holds that ack key unacknowledged, otherwise by ack key: a wrong or stale sequence
     * costs a second statement, never a wrong row.
     */
    static int acknowledge(Connection c, List<AckKey> ackKeys, long[] sequences, long ackedAtMillis)
            throws SQLException {
        int changed = 0;
        List<AckKey> byKey = new ArrayList<>();
        int[] bySequence = new int[sequences.length]; // indexes of the keys whose sequence is known
        int known = 0;
        for (int i = 0; i < sequences.length; i++) {
            if (sequences[i] > 0) {
                bySequence[known++] = i;
            } else {
                byKey.add(ackKeys.get(i));
            }
        }
        if (known > 0) {
            try (PreparedStatement ps = c.prepareStatement(ACKNOWLEDGE_BY_SEQUENCE_SQL)) {
                for (int j = 0; j < known; j++) {
                    AckKey k = ackKeys.get(bySequence[j]);
                    ps.setLong(1, ackedAtMillis);
                    ps.setLong(2, sequences[bySequence[j]]);
                    bindAckKey(ps, 3, k);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                for (int j = 0; j < counts.length; j++) {
                    if (counts[j] > 0) {
                        changed += counts[j];
                    } else {
                        byKey.add(ackKeys.get(bySequence[j])); // not that row (or acknowledged already): by key
                    }
                }
            }
        }
        if (!byKey.isEmpty()) {
            try (PreparedStatement ps = c.prepareStatement(ACKNOWLEDGE_SQL)) {
                for (AckKey k : byKey) {
                    ps.setLong(1, ackedAtMillis);
                    bindAckKey(ps, 2, k);
                    ps.addBatch();
                }
                for (int n : ps.executeBatch()) {
                    changed += Math.max(n, 0);
                }
            }
        }
        if (changed > 0) {
            try (PreparedStatement ps = c.prepareStatement(COUNT_ACKNOWLEDGED_SQL)) {
                ps.setLong(1, changed);
                ps.setLong(2, changed);
                if (ps.executeUpdate() != 1) {
                    throw countersMissing();
                }
            }
        }
        return changed;
    }

    /** Binds an ack key's event type, key and offset to the parameters from {@code first} on. */
    private static void bindAckKey(PreparedStatement ps, int first, AckKey k) throws SQLException {
        ps.setLong(first, k.eventTypeId());
        ps.setBytes(first + 1, k.key());
        ps.setLong(first + 2, k.offset());
    }

    /** Number of unacknowledged events, from the trigger-kept counter. */
    public static long queueSize(Connection c) throws SQLException {
        return counter(c, "unacked");
    }

    /** Number of acknowledged events still in the log, from the trigger-kept counter. */
    public static long acknowledgedCount(Connection c) throws SQLException {
        return counter(c, "acked");
    }

    private static SQLException countersMissing() {
        return new SQLException("the queue_counters row is missing: the event log schema is damaged");
    }

    private static long counter(Connection c, String column) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT " + column + " FROM queue_counters WHERE id = 1")) {
            if (!rs.next()) {
                throw countersMissing();
            }
            return rs.getLong(1);
        }
    }

    static final String DELETE_ACKED_BEFORE_SQL = "DELETE FROM events WHERE sequence IN (SELECT sequence"
            + " FROM events INDEXED BY events_acked WHERE acked_at IS NOT NULL AND acked_at < ?"
            + " ORDER BY acked_at LIMIT ?)";

    /** Deletes at most {@code limit} events acknowledged before {@code cutoffMillis}, the oldest first. */
    public static int deleteAcknowledgedBefore(Connection c, long cutoffMillis, int limit) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_ACKED_BEFORE_SQL)) {
            ps.setLong(1, cutoffMillis);
            ps.setInt(2, limit);
            return ps.executeUpdate();
        }
    }

    static final String DELETE_OLDEST_ACKED_SQL = "DELETE FROM events WHERE sequence IN (SELECT sequence"
            + " FROM events INDEXED BY events_acked WHERE acked_at IS NOT NULL ORDER BY acked_at, sequence LIMIT ?)";

    /** Deletes the {@code count} (at most) events acknowledged first. */
    public static int deleteOldestAcknowledged(Connection c, int count) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DELETE_OLDEST_ACKED_SQL)) {
            ps.setInt(1, count);
            return ps.executeUpdate();
        }
    }

    public static OptionalLong instanceId(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT value FROM instance_ids WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        }
    }

    public static void putInstanceId(Connection c, String name, long value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO instance_ids (name, value) VALUES (?, ?)"
                + " ON CONFLICT (name) DO UPDATE SET value = excluded.value")) {
            ps.setString(1, name);
            ps.setLong(2, value);
            ps.executeUpdate();
        }
    }

    private static void bindEvent(PreparedStatement ps, Event e) throws SQLException {
        ps.setLong(1, e.eventTypeId());
        ps.setLong(2, e.schemaVersion());
        ps.setBytes(3, e.key());
        ps.setLong(4, e.offset());
        ps.setLong(5, e.timestamp());
        ps.setBytes(6, e.eventData());
    }

    private static Event readEvent(ResultSet rs, int first) throws SQLException {
        return new Event(rs.getLong(first), rs.getLong(first + 1), bytes(rs, first + 2), rs.getLong(first + 3),
                rs.getLong(first + 4), bytes(rs, first + 5));
    }

    /** A BLOB column; sqlite-jdbc reads an empty BLOB as null. */
    private static byte[] bytes(ResultSet rs, int column) throws SQLException {
        byte[] b = rs.getBytes(column);
        return b == null ? new byte[0] : b;
    }

    private static String placeholders(int n) {
        return "?" + ",?".repeat(n - 1);
    }
}
