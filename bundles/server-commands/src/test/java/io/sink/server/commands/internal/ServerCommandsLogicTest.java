package io.sink.server.commands.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.PublishResult;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.SinkServer;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.server.auth.ClientAdministration;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The commands' behaviour and text over in-memory services. */
class ServerCommandsLogicTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    final FakeServer server = new FakeServer();
    final FakeAdministration admin = new FakeAdministration();
    final FakeStore store = new FakeStore();
    ServerCommandsLogic logic = new ServerCommandsLogic(() -> server, () -> admin, () -> store,
            Clock.fixed(NOW, ZoneOffset.UTC));

    static final class FakeServer implements SinkServer {
        final List<ConnectedClient> clients = new ArrayList<>();
        Map<Long, Long> freshness = Map.of();

        @Override
        public boolean connected(String clientId) {
            return clients.stream().anyMatch(c -> c.clientId().equals(clientId));
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
            return freshness;
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

    static final class FakeAdministration implements ClientAdministration {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public String quarantine(String clientId, String machineReason, String humanReason) {
            calls.add("quarantine " + clientId + " " + machineReason + " " + humanReason);
            return "quarantined " + clientId;
        }

        @Override
        public String unquarantine(String clientId) {
            calls.add("unquarantine " + clientId);
            return "unquarantined " + clientId;
        }

        @Override
        public String forget(String clientId) {
            calls.add("forget " + clientId);
            return "forgot client instance id 1001 of " + clientId;
        }

        @Override
        public Optional<ClientRecord> remembered(String clientId) {
            return Optional.empty();
        }

        @Override
        public String describe(String clientId) {
            return clientId;
        }

        @Override
        public SortedSet<String> allowedClients() {
            return new TreeSet<>();
        }

        @Override
        public SortedSet<String> rememberedClients() {
            return new TreeSet<>();
        }

        @Override
        public InstanceId serverInstanceId() {
            return new InstanceId(7);
        }
    }

    static final class FakeStore implements ReceivedEventStore {
        final List<StoredEvent> events = new ArrayList<>();

        @Override
        public CompletionStage<Outcome> store(String clientId, Event event) {
            events.add(new StoredEvent(clientId, event, NOW));
            return CompletableFuture.completedFuture(Outcome.STORED);
        }

        @Override
        public List<StoredEvent> latest(String clientId, int count) {
            List<StoredEvent> mine = events.stream().filter(e -> e.clientId().equals(clientId)).toList();
            List<StoredEvent> newestFirst = new ArrayList<>(mine);
            java.util.Collections.reverse(newestFirst);
            return newestFirst.subList(0, Math.min(count, newestFirst.size()));
        }

        @Override
        public long count(String clientId) {
            return events.stream().filter(e -> e.clientId().equals(clientId)).count();
        }
    }

    private static ConnectedClient client(String id, Instant since) {
        return new ConnectedClient(id, new InstanceId(1001), Optional.of(new InstanceId(7)), "1.0.0",
                new ConnectionStats(since, "127.0.0.1:5555", 10, 9, 300, 40, 0, 0, 2, 0, 0, 1));
    }

    @Test
    void connectedAndClients() {
        assertThat(logic.clients()).isEqualTo("0 clients connected to 127.0.0.1:4000");
        server.clients.add(client("example-client", NOW.minus(Duration.ofMinutes(5).plusSeconds(3))));
        assertThat(logic.connected("example-client")).isTrue();
        assertThat(logic.connected("other")).isFalse();
        assertThat(logic.clients()).isEqualTo("""
                1 client connected to 127.0.0.1:4000
                example-client since 2026-01-02T02:59:02Z (5m 3s) from 127.0.0.1:5555, application 1.0.0, \
                client instance id 1001, server instance id 7
                    frames in 10 out 9, bytes in 300 out 40, in flight 2, ACKs received 0, NACKs received 0 sent 1, \
                pings 0 pongs 0""");
    }

    @Test
    void freshnessShowsReadingsAsTimesToo() {
        assertThat(logic.freshness("example-client"))
                .isEqualTo("example-client (not connected): no event ACKed since this server started");
        server.clients.add(client("example-client", NOW));
        server.freshness = Map.of(1L, NOW.minusSeconds(90).getEpochSecond(), 5L, 17L);
        assertThat(logic.freshness("example-client")).isEqualTo("""
                example-client (connected): latest timestamp ACKed per event type since this server started
                  event type 1: 1767322955 (2026-01-02T03:02:35Z, 1m 30s ago)
                  event type 5: 17""");
    }

    @Test
    void eventsAreNewestFirstAndReadingsDecoded() {
        assertThat(logic.events("example-client", 10)).isEqualTo("example-client: 0 events stored");
        for (int i = 1; i <= 3; i++) {
            store.store("example-client", SensorReadingCodec.event("kitchen", i, 1_700_000_000L + i,
                    new SensorReading(69 + i, 40)));
        }
        store.store("example-client", Event.of(5, 2, "firmware", 1, 99, new byte[] {1, 2}));
        store.store("other", Event.of(5, 2, "firmware", 1, 99, new byte[] {1, 2}));
        assertThat(logic.events("example-client", 2)).isEqualTo("""
                example-client: 4 events stored, the latest 2, newest first:
                2026-01-02T03:04:05Z  type=5 schema=2 key=firmware offset=1 timestamp=99 size=2 bytes
                2026-01-02T03:04:05Z  sensor=kitchen offset=3 timestamp=1700000003 temperature=72 humidity=40""");
        assertThat(logic.events("other", 10)).startsWith("other: 1 event stored, newest first:");
        assertThatThrownBy(() -> logic.events("example-client", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("count must be between 1 and 1000, got 0");
    }

    @Test
    void operatorCommandsGoToTheRegistryAndSayWhatTheyDid() throws Exception {
        assertThat(logic.quarantine("example-client", "stolen", "reported stolen")).isEqualTo("quarantined example-client");
        assertThat(logic.unquarantine("example-client")).isEqualTo("unquarantined example-client");
        assertThat(logic.forget("example-client")).isEqualTo("forgot client instance id 1001 of example-client");
        server.clients.add(client("example-client", NOW));
        assertThat(logic.forget("example-client")).startsWith("forgot client instance id 1001 of example-client;"
                + " its live connection stays up").contains("instance_id_mismatch");
        assertThat(admin.calls).containsExactly("quarantine example-client stolen reported stolen",
                "unquarantine example-client", "forget example-client", "forget example-client");
    }

    @Test
    void missingServicesAndArgumentsAreNamed() {
        logic = new ServerCommandsLogic(() -> null, () -> null, () -> null, Clock.systemUTC());
        assertThatThrownBy(() -> logic.connected("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no Sink server runs here");
        assertThatThrownBy(() -> logic.events("a", 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no received-event store");
        assertThatThrownBy(() -> logic.forget("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no client registry");
        assertThatThrownBy(() -> new ServerCommandsLogic(() -> server, () -> admin, () -> store, Clock.systemUTC())
                .connected(" ")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client id");
    }

    @Test
    void durationsAreShort() {
        assertThat(ServerCommandsLogic.duration(Duration.ofSeconds(4))).isEqualTo("4s");
        assertThat(ServerCommandsLogic.duration(Duration.ofSeconds(184))).isEqualTo("3m 4s");
        assertThat(ServerCommandsLogic.duration(Duration.ofSeconds(7384))).isEqualTo("2h 3m 4s");
        assertThat(ServerCommandsLogic.duration(Duration.ofDays(3).plusHours(2))).isEqualTo("3d 2h 0m");
        assertThat(ServerCommandsLogic.duration(Duration.ofSeconds(-5))).isEqualTo("0s");
    }
}
