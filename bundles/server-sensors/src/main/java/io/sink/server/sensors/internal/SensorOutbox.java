package io.sink.server.sensors.internal;

import io.sink.api.Event;
import io.sink.api.server.sensors.SensorException;
import io.sink.api.server.sensors.ServerSensor;
import io.sink.api.server.sensors.ServerSensor.Delivery;
import io.sink.api.text.Printable;
import io.sink.protocol.etf.SensorConfig;
import io.sink.protocol.etf.SensorConfigCodec;
import io.sink.server.sensors.storage.SensorStorage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The sensors the server configures on its clients and, per client, the durable outgoing log of
 * their configuration events, in a {@link SensorStorage} (SQLite, or PostgreSQL shared by several
 * server nodes): the same statements on every engine.
 *
 * <p>A change ({@link #add}, {@link #rename}, {@link #changePeriod}, {@link #remove}) updates the
 * sensor and appends its event (the client's next offset) in one transaction, committed before the
 * method returns. An add or change event carries the sensor's whole state, so the client can apply
 * any of them twice. {@link #next} gives the first event of a client not yet ACKed, unless the
 * client's stream is parked by a NACK; {@link #acked}, {@link #nacked} and {@link #resume} record
 * the answers. ACKed events leave the log; the sensor keeps the delivery state of its latest event,
 * and a removed sensor leaves the directory once its removal is ACKed.
 */
public final class SensorOutbox {
    /** What this database is, in messages. */
    static final String KIND = "sensor directory";
    /** The kinds of sensor a client runs. */
    static final List<String> KINDS = List.of("simulated");
    /** Shortest sampling period accepted (the client's simulated sensor refuses less). */
    static final long MIN_PERIOD_MILLIS = 10;
    /** Longest sampling period accepted: a day. */
    static final long MAX_PERIOD_MILLIS = 86_400_000;
    /** Longest client id accepted, in UTF-8 bytes. */
    static final int MAX_CLIENT_ID_BYTES = 255;

    /** One event to publish: the client, its offset and the event. */
    public record Pending(String clientId, long offset, Event event) {
    }

    private final SensorStorage storage;
    private final Clock clock;
    private final Supplier<UUID> uuids;
    private final Predicate<String> admitted;

    /**
     * The directory on {@code storage}, which its owner opens and closes.
     *
     * @param admitted whether the server admits a client id (its certificate is in the allow-list): a
     *                 sensor is added only to such a client, it would never be delivered to another
     */
    public SensorOutbox(SensorStorage storage, Clock clock, Supplier<UUID> uuids, Predicate<String> admitted) {
        this.storage = Objects.requireNonNull(storage, "storage");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.uuids = Objects.requireNonNull(uuids, "uuids");
        this.admitted = Objects.requireNonNull(admitted, "admitted");
    }

    public String description() {
        return storage.description();
    }

    // ------------------------------------------------------------------ the directory

    public List<ServerSensor> sensors(String clientId) throws SensorException {
        requireClientId(clientId);
        return read("reading the sensors of " + clientId, c -> {
            try (PreparedStatement s = c.prepareStatement(SELECT_SENSOR + " WHERE client_id = ? ORDER BY seq")) {
                s.setString(1, clientId);
                return sensorRows(s);
            }
        });
    }

    public Optional<ServerSensor> sensor(String clientId, UUID sensorId) throws SensorException {
        requireClientId(clientId);
        Objects.requireNonNull(sensorId, "sensorId");
        return read("reading a sensor of " + clientId, c -> find(c, clientId, sensorId));
    }

    public ServerSensor add(String clientId, String name, String kind, long periodMillis) throws SensorException {
        requireClientId(clientId);
        requireName(name);
        requireKind(kind);
        requirePeriod(periodMillis);
        if (!admitted.test(clientId)) {
            throw new SensorException("client " + Printable.quoted(clientId) + " is not admitted by this server (no"
                    + " certificate for it in the allow-list): a sensor for it would never be delivered");
        }
        UUID id = uuids.get();
        return write("adding a sensor to " + clientId, c -> {
            long offset = nextOffset(c, clientId);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO sensors (client_id, sensor_id, name, kind,"
                    + " period_ms, removed, last_offset, delivery) VALUES (?, ?, ?, ?, ?, 0, ?, 'QUEUED')")) {
                s.setString(1, clientId);
                s.setString(2, id.toString());
                s.setString(3, name);
                s.setString(4, kind);
                s.setLong(5, periodMillis);
                s.setLong(6, offset);
                s.executeUpdate();
            }
            append(c, clientId, offset, id, SensorConfig.add(name, kind, (int) periodMillis));
            return find(c, clientId, id).orElseThrow();
        });
    }

    public ServerSensor rename(String clientId, UUID sensorId, String name) throws SensorException {
        requireName(name);
        return change(clientId, sensorId, "renaming", name, null);
    }

    public ServerSensor changePeriod(String clientId, UUID sensorId, long periodMillis) throws SensorException {
        requirePeriod(periodMillis);
        return change(clientId, sensorId, "changing the period of", null, periodMillis);
    }

    private ServerSensor change(String clientId, UUID sensorId, String what, String name, Long period)
            throws SensorException {
        requireClientId(clientId);
        Objects.requireNonNull(sensorId, "sensorId");
        return write(what + " sensor " + sensorId + " of " + clientId, c -> {
            ServerSensor old = existing(c, clientId, sensorId);
            if (old.removed()) {
                throw new Refused("sensor " + sensorId + " of " + Printable.quoted(clientId) + " is removed");
            }
            String newName = name == null ? old.name() : name;
            long newPeriod = period == null ? old.periodMillis() : period;
            long offset = nextOffset(c, clientId);
            update(c, clientId, sensorId, "name = ?, period_ms = ?", offset, newName, newPeriod);
            append(c, clientId, offset, sensorId, SensorConfig.change(newName, old.kind(), (int) newPeriod));
            return find(c, clientId, sensorId).orElseThrow();
        });
    }

    public ServerSensor remove(String clientId, UUID sensorId) throws SensorException {
        requireClientId(clientId);
        Objects.requireNonNull(sensorId, "sensorId");
        return write("removing sensor " + sensorId + " of " + clientId, c -> {
            ServerSensor old = existing(c, clientId, sensorId);
            if (old.removed() && old.delivery() != Delivery.NACKED) {
                throw new Refused("sensor " + sensorId + " of " + Printable.quoted(clientId)
                        + " is being removed already");
            }
            long offset = nextOffset(c, clientId);
            update(c, clientId, sensorId, "removed = 1", offset);
            append(c, clientId, offset, sensorId, SensorConfig.remove());
            return find(c, clientId, sensorId).orElseThrow();
        });
    }

    /** Drops the NACKed events that park {@code clientId}'s stream; returns how many. */
    public int resume(String clientId) throws SensorException {
        requireClientId(clientId);
        return write("resuming the sensor stream of " + clientId, c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM sensor_outbox WHERE client_id = ? AND state = 'NACKED'")) {
                s.setString(1, clientId);
                return s.executeUpdate();
            }
        });
    }

    // ------------------------------------------------------------------ the publisher's side

    /** The clients with events not yet ACKed, parked ones included. */
    public List<String> clientsWithPending() {
        return storage.read("listing the clients with pending sensor events", c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT client_id FROM sensor_outbox");
                    ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        });
    }

    /** The first event of {@code clientId} not yet ACKed; empty when there is none or the stream is parked. */
    public Optional<Pending> next(String clientId) {
        return storage.read("reading the next sensor event of " + clientId, c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT event_offset, sensor_id, event_timestamp,"
                    + " event_data, state FROM sensor_outbox WHERE client_id = ? ORDER BY event_offset LIMIT 1")) {
                s.setString(1, clientId);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next() || "NACKED".equals(rs.getString(5))) {
                        return Optional.empty();
                    }
                    long offset = rs.getLong(1);
                    Event event = new Event(SensorConfigCodec.EVENT_TYPE_ID, SensorConfigCodec.SCHEMA_VERSION,
                            rs.getString(2).getBytes(StandardCharsets.UTF_8), offset, rs.getLong(3), rs.getBytes(4));
                    return Optional.of(new Pending(clientId, offset, event));
                }
            }
        });
    }

    /** The event is on its way: its sensor shows SENT (unless answered meanwhile). */
    public void sent(Pending pending) {
        storage.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE sensor_outbox SET state = 'SENT'"
                    + " WHERE client_id = ? AND event_offset = ? AND state = 'QUEUED'")) {
                s.setString(1, pending.clientId());
                s.setLong(2, pending.offset());
                s.executeUpdate();
            }
            setDelivery(c, pending, "SENT", null, "delivery = 'QUEUED'");
            return null;
        });
    }

    /** The client ACKed the event: it leaves the log; a removed sensor leaves the directory. */
    public void acked(Pending pending) {
        storage.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "DELETE FROM sensor_outbox WHERE client_id = ? AND event_offset = ?")) {
                s.setString(1, pending.clientId());
                s.setLong(2, pending.offset());
                s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement("DELETE FROM sensors WHERE client_id = ? AND sensor_id = ?"
                    + " AND last_offset = ? AND removed = 1")) {
                s.setString(1, pending.clientId());
                s.setString(2, pending.event().keyAsString());
                s.setLong(3, pending.offset());
                s.executeUpdate();
            }
            setDelivery(c, pending, "ACKED", null, "1 = 1");
            return null;
        });
    }

    /** The client refused the event: the stream parks on it until {@link #resume}. */
    public void nacked(Pending pending, String reason) {
        storage.write(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE sensor_outbox SET state = 'NACKED',"
                    + " nack_reason = ? WHERE client_id = ? AND event_offset = ?")) {
                s.setString(1, reason);
                s.setString(2, pending.clientId());
                s.setLong(3, pending.offset());
                s.executeUpdate();
            }
            setDelivery(c, pending, "NACKED", reason, "1 = 1");
            return null;
        });
    }

    private static void setDelivery(Connection c, Pending pending, String delivery, String reason, String condition)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE sensors SET delivery = ?, nack_reason = ?"
                + " WHERE client_id = ? AND sensor_id = ? AND last_offset = ? AND " + condition)) {
            s.setString(1, delivery);
            s.setString(2, reason);
            s.setString(3, pending.clientId());
            s.setString(4, pending.event().keyAsString());
            s.setLong(5, pending.offset());
            s.executeUpdate();
        }
    }

    // ------------------------------------------------------------------ SQL

    private static final String SELECT_SENSOR = "SELECT client_id, sensor_id, name, kind, period_ms, removed,"
            + " delivery, nack_reason FROM sensors";

    private static List<ServerSensor> sensorRows(PreparedStatement s) throws SQLException {
        List<ServerSensor> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(new ServerSensor(rs.getString(1), UUID.fromString(rs.getString(2)), rs.getString(3),
                        rs.getString(4), rs.getLong(5), rs.getInt(6) != 0, Delivery.valueOf(rs.getString(7)),
                        Optional.ofNullable(rs.getString(8))));
            }
        }
        return out;
    }

    private static Optional<ServerSensor> find(Connection c, String clientId, UUID sensorId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(SELECT_SENSOR + " WHERE client_id = ? AND sensor_id = ?")) {
            s.setString(1, clientId);
            s.setString(2, sensorId.toString());
            return sensorRows(s).stream().findFirst();
        }
    }

    private static ServerSensor existing(Connection c, String clientId, UUID sensorId) throws SQLException {
        return find(c, clientId, sensorId).orElseThrow(() -> new Refused("client " + Printable.quoted(clientId)
                + " has no sensor " + sensorId));
    }

    /**
     * Takes the client's next offset: one upsert first, which locks the client's row until the commit
     * (so two nodes on one PostgreSQL database never take the same offset), then reads what it wrote.
     */
    private static long nextOffset(Connection c, String clientId) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO sensor_streams (client_id, next_offset)"
                + " VALUES (?, 2) ON CONFLICT (client_id) DO UPDATE SET next_offset = sensor_streams.next_offset + 1")) {
            s.setString(1, clientId);
            s.executeUpdate();
        }
        try (PreparedStatement s = c.prepareStatement("SELECT next_offset FROM sensor_streams WHERE client_id = ?")) {
            s.setString(1, clientId);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("sensor_streams has no row for the client just written");
                }
                return rs.getLong(1) - 1;
            }
        }
    }

    private static void update(Connection c, String clientId, UUID sensorId, String set, long offset,
            Object... values) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("UPDATE sensors SET " + set + ", last_offset = ?,"
                + " delivery = 'QUEUED', nack_reason = NULL WHERE client_id = ? AND sensor_id = ?")) {
            int i = 1;
            for (Object v : values) {
                s.setObject(i++, v);
            }
            s.setLong(i++, offset);
            s.setString(i++, clientId);
            s.setString(i, sensorId.toString());
            s.executeUpdate();
        }
    }

    private void append(Connection c, String clientId, long offset, UUID sensorId, SensorConfig config)
            throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO sensor_outbox (client_id, event_offset, sensor_id,"
                + " op, event_timestamp, event_data, state) VALUES (?, ?, ?, ?, ?, ?, 'QUEUED')")) {
            s.setString(1, clientId);
            s.setLong(2, offset);
            s.setString(3, sensorId.toString());
            s.setString(4, config.op().atom());
            s.setLong(5, clock.millis());
            s.setBytes(6, SensorConfigCodec.encode(config));
            s.executeUpdate();
        }
    }

    // ------------------------------------------------------------------ checks and errors

    /** A refusal found inside a transaction (unknown or removed sensor): rolls it back, becomes a SensorException. */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T write(String what, Work<T> work) throws SensorException {
        try {
            return storage.write(work::run);
        } catch (Refused e) {
            throw new SensorException(e.getMessage());
        } catch (RuntimeException e) {
            throw new SensorException(storage.description() + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    private <T> T read(String what, Work<T> work) throws SensorException {
        try {
            return storage.read(what, work::run);
        } catch (RuntimeException e) {
            throw new SensorException(e.getMessage(), e);
        }
    }

    static void requireClientId(String clientId) throws SensorException {
        if (clientId == null || clientId.isBlank()) {
            throw new SensorException("client id must not be empty");
        }
        int bytes = clientId.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_CLIENT_ID_BYTES) {
            throw new SensorException("client id is " + bytes + " UTF-8 bytes long, at most " + MAX_CLIENT_ID_BYTES
                    + " are allowed");
        }
        if (clientId.codePoints().anyMatch(Printable::isEscaped)) {
            throw new SensorException("client id " + Printable.quoted(clientId)
                    + " contains characters that are not printable");
        }
    }

    static void requireName(String name) throws SensorException {
        if (name == null) {
            throw new SensorException("name must be given");
        }
        String problem = SensorConfig.nameProblem(name);
        if (problem != null) {
            throw new SensorException("name " + Printable.quoted(name) + " " + problem);
        }
    }

    static void requireKind(String kind) throws SensorException {
        if (kind == null || !KINDS.contains(kind)) {
            throw new SensorException("kind " + (kind == null ? "null" : Printable.quoted(kind))
                    + " is unknown; the kinds are " + KINDS);
        }
    }

    static void requirePeriod(long periodMillis) throws SensorException {
        if (periodMillis < MIN_PERIOD_MILLIS || periodMillis > MAX_PERIOD_MILLIS) {
            throw new SensorException("period must be between " + MIN_PERIOD_MILLIS + " and " + MAX_PERIOD_MILLIS
                    + " ms, got " + periodMillis);
        }
    }
}
