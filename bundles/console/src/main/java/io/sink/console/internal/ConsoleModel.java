package io.sink.console.internal;

import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ReceivedEventStore.StoredEvent;
import io.sink.api.server.SinkServer;
import io.sink.api.server.sensors.SensorDirectory;
import io.sink.api.server.sensors.SensorException;
import io.sink.api.server.sensors.ServerSensor;
import io.sink.api.text.Printable;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.server.auth.ClientAdministration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * What the console shows and does, without HTTP or OSGi: each method returns a value for
 * {@link Json}. The services are those of the moment (null when there is none); a view leaves out
 * what a missing service would give, an action that needs one fails with an
 * {@link IllegalStateException} saying which.
 */
final class ConsoleModel {
    /** Events read to draw a client's readings. */
    static final int READING_EVENTS = 600;
    /** Points kept per sensor for its chart. */
    static final int POINTS_PER_SENSOR = 60;

    private final Supplier<SinkServer> server;
    private final Supplier<ClientAdministration> administration;
    private final Supplier<ReceivedEventStore> store;
    private final Supplier<SensorDirectory> sensors;
    private final Clock clock;

    ConsoleModel(Supplier<SinkServer> server, Supplier<ClientAdministration> administration,
            Supplier<ReceivedEventStore> store, Supplier<SensorDirectory> sensors, Clock clock) {
        this.server = Objects.requireNonNull(server, "server");
        this.administration = Objects.requireNonNull(administration, "administration");
        this.store = Objects.requireNonNull(store, "store");
        this.sensors = Objects.requireNonNull(sensors, "sensors");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    // ------------------------------------------------------------------ views

    /** Every client the server knows (allow-list, registry, connected), sorted by id. */
    Map<String, Object> clients() {
        SinkServer s = server.get();
        ClientAdministration a = administration.get();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", clock.instant());
        out.put("listening", s == null ? null : s.listenAddress().orElse(null));
        out.put("services", services());
        List<Object> list = new ArrayList<>();
        for (String id : knownIds(s, a)) {
            list.add(client(id, s, a));
        }
        out.put("clients", list);
        return out;
    }

    /** One client with its latest readings per sensor and its server-configured sensors. */
    Map<String, Object> client(String clientId) throws SensorException {
        SinkServer s = server.get();
        ClientAdministration a = administration.get();
        if (!knownIds(s, a).contains(clientId)) {
            throw new NoSuchElementException("no client " + clientId + " is known to this server");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("now", clock.instant());
        out.put("services", services());
        out.put("client", client(clientId, s, a));
        SensorDirectory d = sensors.get();
        List<ServerSensor> configured = d == null ? List.of() : d.sensors(clientId);
        out.put("kinds", d == null ? List.of() : d.kinds());
        List<Object> sensorList = new ArrayList<>();
        for (ServerSensor sensor : configured) {
            sensorList.add(sensor(sensor));
        }
        out.put("sensors", sensorList);
        out.put("readings", readings(clientId, configured));
        return out;
    }

    private Map<String, Object> services() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("server", server.get() != null);
        out.put("registry", administration.get() != null);
        out.put("store", store.get() != null);
        out.put("sensors", sensors.get() != null);
        return out;
    }

    private static TreeSet<String> knownIds(SinkServer s, ClientAdministration a) {
        TreeSet<String> ids = new TreeSet<>();
        if (a != null) {
            ids.addAll(a.allowedClients());
            ids.addAll(a.rememberedClients());
        }
        if (s != null) {
            s.connectedClients().forEach(c -> ids.add(c.clientId()));
        }
        return ids;
    }

    private Map<String, Object> client(String id, SinkServer s, ClientAdministration a) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("id", id);
        Optional<ConnectedClient> live = s == null ? Optional.empty() : s.client(id);
        c.put("connected", live.isPresent());
        Optional<ClientRecord> remembered = Optional.empty();
        if (a != null) {
            c.put("allowed", a.allowedClients().contains(id));
            try {
                remembered = a.remembered(id);
            } catch (IllegalArgumentException e) {
                c.put("registryProblem", e.getMessage());
            }
        }
        Optional<ClientRecord> record = remembered;
        ConnectionStats stats = live.map(ConnectedClient::stats).orElse(null);
        c.put("since", stats == null ? null : stats.connectedSince());
        c.put("peer", stats == null ? null : stats.peer());
        c.put("applicationVersion", live.map(ConnectedClient::applicationVersion).orElse(null));
        c.put("clientInstanceId", live.map(l -> l.clientInstanceId().toString())
                .or(() -> record.flatMap(ClientRecord::clientInstanceId).map(InstanceId::toString)).orElse(null));
        c.put("serverInstanceId", live.flatMap(ConnectedClient::serverInstanceId).map(InstanceId::toString)
                .or(() -> record.map(r -> r.serverInstanceId().toString())).orElse(null));
        Optional<Nack> quarantine = record.flatMap(ClientRecord::quarantine);
        c.put("quarantine", quarantine.map(q -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("machine", q.machineMessageAsString());
            m.put("human", q.humanMessage());
            return m;
        }).orElse(null));
        if (stats != null) {
            Map<String, Object> counters = new LinkedHashMap<>();
            counters.put("framesIn", stats.framesIn());
            counters.put("framesOut", stats.framesOut());
            counters.put("bytesIn", stats.bytesIn());
            counters.put("bytesOut", stats.bytesOut());
            counters.put("inFlight", stats.inFlight());
            counters.put("acksReceived", stats.acksReceived());
            counters.put("nacksReceived", stats.nacksReceived());
            counters.put("nacksSent", stats.nacksSent());
            c.put("counters", counters);
        }
        List<Object> freshness = new ArrayList<>();
        if (s != null) {
            Map<Long, Long> latest = new TreeMap<>(Long::compareUnsigned);
            latest.putAll(s.freshness(id));
            latest.forEach((type, timestamp) -> {
                Map<String, Object> f = new LinkedHashMap<>();
                f.put("eventType", Long.toUnsignedString(type));
                f.put("timestamp", timestamp);
                freshness.add(f);
            });
        }
        c.put("freshness", freshness);
        ReceivedEventStore st = store.get();
        if (st != null) {
            c.put("events", st.count(id));
            List<StoredEvent> last = st.latest(id, 1);
            c.put("lastEvent", last.isEmpty() ? null : event(last.get(0)));
        }
        return c;
    }

    private static Map<String, Object> event(StoredEvent stored) {
        Event e = stored.event();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("receivedAt", stored.receivedAt());
        m.put("eventType", Long.toUnsignedString(e.eventTypeId()));
        m.put("schema", Long.toUnsignedString(e.schemaVersion()));
        m.put("key", key(e));
        m.put("offset", Long.toUnsignedString(e.offset()));
        m.put("timestamp", e.timestamp());
        return m;
    }

    private static String key(Event e) {
        return new String(e.key(), StandardCharsets.UTF_8);
    }

    static Map<String, Object> sensor(ServerSensor sensor) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", sensor.id());
        m.put("name", sensor.name());
        m.put("kind", sensor.kind());
        m.put("periodMillis", sensor.periodMillis());
        m.put("removed", sensor.removed());
        m.put("delivery", sensor.delivery());
        m.put("nackReason", sensor.nackReason().orElse(null));
        return m;
    }

    /**
     * The latest readings per sensor key, oldest first, at most {@value #POINTS_PER_SENSOR} each;
     * a key that is a server-configured sensor's uuid is labelled with its name.
     */
    private List<Object> readings(String clientId, List<ServerSensor> configured) {
        ReceivedEventStore st = store.get();
        if (st == null) {
            return List.of();
        }
        Map<String, String> names = new HashMap<>();
        configured.forEach(s -> names.put(s.id().toString(), s.name()));
        Map<String, List<Map<String, Object>>> byKey = new TreeMap<>();
        for (StoredEvent stored : st.latest(clientId, READING_EVENTS)) {
            Event e = stored.event();
            if (e.eventTypeId() != SensorReadingCodec.EVENT_TYPE_ID
                    || e.schemaVersion() != SensorReadingCodec.SCHEMA_VERSION) {
                continue;
            }
            SensorReading reading;
            try {
                reading = SensorReadingCodec.decode(e.eventData());
            } catch (ProtocolException bad) {
                continue;
            }
            List<Map<String, Object>> points = byKey.computeIfAbsent(key(e), k -> new ArrayList<>());
            if (points.size() < POINTS_PER_SENSOR) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("timestamp", e.timestamp());
                p.put("receivedAt", stored.receivedAt());
                p.put("temperature", reading.temperature());
                p.put("humidity", reading.humidity());
                points.add(p);
            }
        }
        List<Object> out = new ArrayList<>();
        byKey.forEach((key, points) -> {
            Collections.reverse(points);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("key", key);
            m.put("label", names.getOrDefault(key, key));
            m.put("serverConfigured", names.containsKey(key));
            m.put("points", points);
            out.add(m);
        });
        return out;
    }

    // ------------------------------------------------------------------ actions

    private SensorDirectory directory() {
        SensorDirectory d = sensors.get();
        if (d == null) {
            throw new IllegalStateException("no sensor directory runs here (bundle io.sink.server-sensors)");
        }
        return d;
    }

    private ClientAdministration administration() {
        ClientAdministration a = administration.get();
        if (a == null) {
            throw new IllegalStateException("no client registry runs here (bundle io.sink.server-auth)");
        }
        return a;
    }

    Map<String, Object> addSensor(String clientId, String name, String kind, String period) throws SensorException {
        long periodMillis = number("periodMillis", period);
        return sensor(directory().add(clientId, required("name", name), required("kind", kind), periodMillis));
    }

    Map<String, Object> renameSensor(String clientId, String sensorId, String name) throws SensorException {
        return sensor(directory().rename(clientId, uuid(sensorId), required("name", name)));
    }

    Map<String, Object> changePeriod(String clientId, String sensorId, String period) throws SensorException {
        return sensor(directory().changePeriod(clientId, uuid(sensorId), number("periodMillis", period)));
    }

    Map<String, Object> removeSensor(String clientId, String sensorId) throws SensorException {
        return sensor(directory().remove(clientId, uuid(sensorId)));
    }

    Map<String, Object> resume(String clientId) throws SensorException {
        int dropped = directory().resume(clientId);
        return message(dropped == 0 ? "nothing was parked for " + clientId
                : "dropped " + dropped + " refused event" + (dropped == 1 ? "" : "s") + " of " + clientId
                        + "; delivery continues");
    }

    Map<String, Object> quarantine(String clientId, String machine, String human) throws IOException {
        return message(administration().quarantine(clientId, machine == null ? "" : machine,
                human == null ? "" : human));
    }

    Map<String, Object> unquarantine(String clientId) throws IOException {
        return message(administration().unquarantine(clientId));
    }

    Map<String, Object> forget(String clientId) throws IOException {
        return message(administration().forget(clientId));
    }

    private static Map<String, Object> message(String text) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("message", text);
        return m;
    }

    private static String required(String what, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
        return value.strip();
    }

    private static long number(String what, String value) {
        String text = required(what, value);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a whole number, got " + Printable.quoted(text, 40));
        }
    }

    private static UUID uuid(String value) {
        try {
            return UUID.fromString(required("sensor id", value));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the sensor id is not a uuid");
        }
    }

    /** A client or sensor the console does not know (answered 404). */
    static final class NoSuchElementException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoSuchElementException(String message) {
            super(message);
        }
    }
}
