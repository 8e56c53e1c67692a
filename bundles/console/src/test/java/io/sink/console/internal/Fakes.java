package io.sink.console.internal;

import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.SinkServer;
import io.sink.api.server.sensors.SensorDirectory;
import io.sink.api.server.sensors.SensorException;
import io.sink.api.server.sensors.ServerSensor;
import io.sink.api.server.sensors.ServerSensor.Delivery;
import io.sink.server.auth.ClientAdministration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** In-memory services for the console's tests. */
final class Fakes {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    private Fakes() {
    }

    static final class Server implements SinkServer {
        final List<ConnectedClient> clients = new CopyOnWriteArrayList<>();
        final Map<String, Map<Long, Long>> freshness = new HashMap<>();

        void connect(String id, String peer) {
            clients.add(new ConnectedClient(id, new InstanceId(1001), Optional.of(new InstanceId(7)), "1.0.0",
                    new ConnectionStats(NOW.minusSeconds(90), peer, 10, 9, 1000, 900, 1, 1, 0, 9, 0, 0)));
        }

        @Override
        public boolean connected(String clientId) {
            return client(clientId).isPresent();
        }

        @Override
        public List<ConnectedClient> connectedClients() {
            return List.copyOf(clients);
        }

        @Override
        public Optional<ConnectedClient> client(String clientId) {
            return clients.stream().filter(c -> c.clientId().equals(clientId)).findFirst();
        }

        @Override
        public CompletionStage<PublishResult> publish(String clientId, Event event) {
            return CompletableFuture.completedFuture(new PublishResult.Failed(event.ackKey(), "not in this test"));
        }

        @Override
        public Map<Long, Long> freshness(String clientId) {
            return freshness.getOrDefault(clientId, Map.of());
        }

        @Override
        public boolean disconnect(String clientId, String reason) {
            return false;
        }

        @Override
        public Optional<String> listenAddress() {
            return Optional.of("127.0.0.1:4000");
        }
    }

    static final class Administration implements ClientAdministration {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final SortedSet<String> allowed = new TreeSet<>();
        final Map<String, ClientRecord> records = new HashMap<>();

        @Override
        public String quarantine(String clientId, String machineReason, String humanReason) {
            known(clientId);
            calls.add("quarantine " + clientId + " " + machineReason + " " + humanReason);
            records.put(clientId, new ClientRecord(new InstanceId(7), Optional.empty(),
                    Optional.of(Nack.of(machineReason, humanReason))));
            return "quarantined " + clientId;
        }

        @Override
        public String unquarantine(String clientId) {
            known(clientId);
            calls.add("unquarantine " + clientId);
            records.remove(clientId);
            return "unquarantined " + clientId;
        }

        @Override
        public String forget(String clientId) {
            calls.add("forget " + clientId);
            return "forgot client instance id 1001 of " + clientId;
        }

        private void known(String clientId) {
            if (!allowed.contains(clientId) && !records.containsKey(clientId)) {
                throw new IllegalArgumentException("unknown client " + clientId);
            }
        }

        @Override
        public Optional<ClientRecord> remembered(String clientId) {
            return Optional.ofNullable(records.get(clientId));
        }

        @Override
        public String describe(String clientId) {
            return clientId;
        }

        @Override
        public SortedSet<String> allowedClients() {
            return new TreeSet<>(allowed);
        }

        @Override
        public SortedSet<String> rememberedClients() {
            return new TreeSet<>(records.keySet());
        }

        @Override
        public InstanceId serverInstanceId() {
            return new InstanceId(7);
        }
    }

    static final class Store implements ReceivedEventStore {
        final List<StoredEvent> events = new CopyOnWriteArrayList<>();

        void add(String clientId, Event event, Instant at) {
            events.add(new StoredEvent(clientId, event, at));
        }

        @Override
        public CompletionStage<Outcome> store(String clientId, Event event) {
            add(clientId, event, NOW);
            return CompletableFuture.completedFuture(Outcome.STORED);
        }

        @Override
        public List<StoredEvent> latest(String clientId, int count) {
            List<StoredEvent> mine = new ArrayList<>(events.stream().filter(e -> e.clientId().equals(clientId)).toList());
            mine.sort(Comparator.comparing(StoredEvent::receivedAt).reversed());
            return mine.subList(0, Math.min(count, mine.size()));
        }

        @Override
        public long count(String clientId) {
            return events.stream().filter(e -> e.clientId().equals(clientId)).count();
        }
    }

    /** A sensor directory that keeps sensors in memory; every change is QUEUED until {@link #deliver}. */
    static final class Directory implements SensorDirectory {
        final Map<String, Map<UUID, ServerSensor>> byClient = new LinkedHashMap<>();
        final TreeSet<String> clients = new TreeSet<>();

        @Override
        public List<String> kinds() {
            return List.of("simulated");
        }

        private Map<UUID, ServerSensor> of(String clientId) throws SensorException {
            if (!clients.contains(clientId)) {
                throw new SensorException("unknown client " + clientId);
            }
            return byClient.computeIfAbsent(clientId, c -> new LinkedHashMap<>());
        }

        @Override
        public List<ServerSensor> sensors(String clientId) throws SensorException {
            return List.copyOf(of(clientId).values());
        }

        @Override
        public Optional<ServerSensor> sensor(String clientId, UUID sensorId) throws SensorException {
            return Optional.ofNullable(of(clientId).get(sensorId));
        }

        @Override
        public ServerSensor add(String clientId, String name, String kind, long periodMillis) throws SensorException {
            if (periodMillis < 100) {
                throw new SensorException("period " + periodMillis + " ms is below 100 ms");
            }
            ServerSensor s = new ServerSensor(clientId, UUID.randomUUID(), name, kind, periodMillis, false,
                    Delivery.QUEUED, Optional.empty());
            of(clientId).put(s.id(), s);
            return s;
        }

        private ServerSensor existing(String clientId, UUID id) throws SensorException {
            ServerSensor s = of(clientId).get(id);
            if (s == null) {
                throw new SensorException("no sensor " + id + " on " + clientId);
            }
            return s;
        }

        @Override
        public ServerSensor rename(String clientId, UUID sensorId, String name) throws SensorException {
            ServerSensor s = existing(clientId, sensorId);
            ServerSensor r = new ServerSensor(clientId, s.id(), name, s.kind(), s.periodMillis(), false, Delivery.QUEUED,
                    Optional.empty());
            of(clientId).put(s.id(), r);
            return r;
        }

        @Override
        public ServerSensor changePeriod(String clientId, UUID sensorId, long periodMillis) throws SensorException {
            ServerSensor s = existing(clientId, sensorId);
            ServerSensor r = new ServerSensor(clientId, s.id(), s.name(), s.kind(), periodMillis, false, Delivery.QUEUED,
                    Optional.empty());
            of(clientId).put(s.id(), r);
            return r;
        }

        @Override
        public ServerSensor remove(String clientId, UUID sensorId) throws SensorException {
            ServerSensor s = existing(clientId, sensorId);
            ServerSensor r = new ServerSensor(clientId, s.id(), s.name(), s.kind(), s.periodMillis(), true,
                    Delivery.QUEUED, Optional.empty());
            of(clientId).put(s.id(), r);
            return r;
        }

        @Override
        public int resume(String clientId) {
            return 0;
        }
    }
}
