package io.sink.server.sensors.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.SinkServer;
import io.sink.api.server.sensors.SensorException;
import io.sink.api.server.sensors.ServerSensor;
import io.sink.api.server.sensors.ServerSensor.Delivery;
import io.sink.protocol.etf.SensorConfig;
import io.sink.protocol.etf.SensorConfigCodec;
import io.sink.server.sensors.storage.SensorStorage;
import io.sink.testsupport.Await;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The contract of a {@link SensorStorage}: the outgoing log and the publisher (against a scripted
 * server) on it. Each storage extends this class and says how to open it (a test-jar of this bundle,
 * so that the PostgreSQL storage runs the same tests); its own tests add what only it can show.
 */
public abstract class SensorOutboxContract {
    private SensorOutbox outbox;
    private SensorStorage storage;
    private ScheduledExecutorService executor;
    private SensorPublisher publisher;
    private final FakeServer server = new FakeServer();

    /** Opens the storage of this test, empty the first time in a test and the same database after a close. */
    protected abstract SensorStorage openStorage();

    /** Closes what {@link #openStorage()} opened. */
    protected abstract void closeStorage(SensorStorage storage);

    /** Closes what a test opened besides the contract's own storage (after the contract's publisher stopped). */
    protected void closeOthers() {
    }

    /** A directory on {@code storage} that admits every client but "ghost". */
    protected static SensorOutbox outboxOn(SensorStorage storage) {
        return new SensorOutbox(storage, Clock.systemUTC(), java.util.UUID::randomUUID,
                clientId -> !clientId.equals("ghost"));
    }

    private SensorOutbox open() {
        storage = openStorage();
        return outboxOn(storage);
    }

    private void closeOutbox() {
        if (storage != null) {
            closeStorage(storage);
            storage = null;
        }
        outbox = null;
    }

    private void startPublisher() {
        startPublisher(5_000);
    }

    private void startPublisher(long publishTimeoutMillis) {
        executor = Executors.newSingleThreadScheduledExecutor();
        publisher = new SensorPublisher(outbox, () -> server, executor, 20, publishTimeoutMillis);
    }

    private void stop() throws InterruptedException {
        if (publisher != null) {
            publisher.close();
            executor.shutdownNow();
            executor.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            publisher = null;
        }
        closeOutbox();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        stop();
        closeOthers();
    }

    @Test
    void changesAreStoredAndSurviveAReopenInOrder() throws Exception {
        outbox = open();
        ServerSensor hall = outbox.add("c1", "Hall", "simulated", 2000);
        ServerSensor cellar = outbox.add("c1", "Cellar", "simulated", 500);
        outbox.rename("c1", hall.id(), "Main hall");
        outbox.changePeriod("c1", cellar.id(), 700);
        outbox.remove("c1", cellar.id());
        closeOutbox();

        outbox = open();
        assertThat(outbox.sensors("c1")).extracting(ServerSensor::name, ServerSensor::periodMillis,
                ServerSensor::removed, ServerSensor::delivery).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("Main hall", 2000L, false, Delivery.QUEUED),
                        org.assertj.core.groups.Tuple.tuple("Cellar", 700L, true, Delivery.QUEUED));
        assertThat(outbox.sensors("c2")).isEmpty();
        assertThat(outbox.clientsWithPending()).containsExactly("c1");
        // the first pending event is the first add, with the uuid key and the Erlang term
        SensorOutbox.Pending first = outbox.next("c1").orElseThrow();
        assertThat(first.offset()).isEqualTo(1);
        assertThat(first.event().keyAsString()).isEqualTo(hall.id().toString());
        assertThat(SensorConfigCodec.decode(first.event().eventData()))
                .isEqualTo(SensorConfig.add("Hall", "simulated", 2000));
    }

    @Test
    void badInputIsRefusedSayingWhat() throws Exception {
        outbox = open();
        assertThatThrownBy(() -> outbox.add("", "x", "simulated", 1000)).isInstanceOf(SensorException.class)
                .hasMessageContaining("client id must not be empty");
        assertThatThrownBy(() -> outbox.add("c\u0007", "x", "simulated", 1000))
                .hasMessageContaining("not printable");
        assertThatThrownBy(() -> outbox.add("c1", "a\nb", "simulated", 1000)).hasMessageContaining("control");
        assertThatThrownBy(() -> outbox.add("c1", "x", "thermo", 1000)).hasMessageContaining("kind \"thermo\"");
        assertThatThrownBy(() -> outbox.add("ghost", "x", "simulated", 1000))
                .hasMessageContaining("client \"ghost\" is not admitted by this server");
        assertThatThrownBy(() -> outbox.add("c1", "x", "simulated", 5)).hasMessageContaining("got 5");
        java.util.UUID unknown = java.util.UUID.randomUUID();
        assertThatThrownBy(() -> outbox.rename("c1", unknown, "y")).hasMessageContaining("has no sensor " + unknown);
        ServerSensor s = outbox.add("c1", "x", "simulated", 1000);
        outbox.remove("c1", s.id());
        assertThatThrownBy(() -> outbox.rename("c1", s.id(), "y")).hasMessageContaining("is removed");
        assertThatThrownBy(() -> outbox.remove("c1", s.id())).hasMessageContaining("being removed already");
        // refusals store nothing: add and remove are the only events
        assertThat(outbox.next("c1").orElseThrow().offset()).isEqualTo(1);
    }

    @Test
    void publishesInOrderWhileConnectedResendsAfterAReconnectAndRecordsAcks() throws Exception {
        outbox = open();
        ServerSensor hall = outbox.add("c1", "Hall", "simulated", 2000);
        ServerSensor cellar = outbox.add("c1", "Cellar", "simulated", 500);
        startPublisher();
        // not connected: nothing is sent (several checks of the publisher pass meanwhile)
        assertThat(Await.holds(java.time.Duration.ofMillis(300), () -> !server.published.isEmpty())).isFalse();

        server.connected = true;
        Await.until("the first event is sent", () -> server.published.size() == 1);
        assertThat(outbox.sensor("c1", hall.id()).orElseThrow().delivery()).isEqualTo(Delivery.SENT);
        // the connection drops before the answer: sent again once connected again
        server.connected = false;
        server.answer(0, r -> new PublishResult.Failed(r, "connection closed"));
        server.connected = true;
        Await.until("the first event is sent again", () -> server.published.size() == 2);
        assertThat(server.published.get(1).event().ackKey()).isEqualTo(server.published.get(0).event().ackKey());
        server.answer(1, PublishResult.Acked::new);
        Await.until("the second event follows the ACK", () -> server.published.size() == 3);
        assertThat(server.published.get(2).event().keyAsString()).isEqualTo(cellar.id().toString());
        assertThat(outbox.sensor("c1", hall.id()).orElseThrow().delivery()).isEqualTo(Delivery.ACKED);
        server.answer(2, PublishResult.Acked::new);
        Await.until("the cellar is ACKed",
                () -> delivery(cellar) == Delivery.ACKED);

        // a removal leaves the directory once ACKed
        outbox.remove("c1", cellar.id());
        publisher.wake("c1");
        Await.until("the removal is sent", () -> server.published.size() == 4);
        assertThat(SensorConfigCodec.decode(server.published.get(3).event().eventData()))
                .isEqualTo(SensorConfig.remove());
        server.answer(3, PublishResult.Acked::new);
        Await.until("the removed sensor is gone", () -> sensors("c1").size() == 1);
        assertThat(outbox.clientsWithPending()).isEmpty();
    }

    @Test
    void aChangeMadeThroughAnotherDirectoryIsPublishedAtTheNextCheck() throws Exception {
        outbox = open();
        server.connected = true;
        startPublisher();
        // another server node on the same storage: its change wakes only its own publisher
        SensorOutbox otherNode = outboxOn(storage);
        ServerSensor hall = otherNode.add("c1", "Hall", "simulated", 2000);
        Await.until("the event is sent by this node", () -> server.published.size() == 1);
        assertThat(server.published.get(0).event().keyAsString()).isEqualTo(hall.id().toString());
        server.answer(0, PublishResult.Acked::new);
        Await.until("the ACK is recorded", () -> delivery(hall) == Delivery.ACKED);
        assertThat(otherNode.sensor("c1", hall.id()).orElseThrow().delivery()).isEqualTo(Delivery.ACKED);
    }

    @Test
    void concurrentChangesOfOneClientTakeGaplessOffsets() throws Exception {
        outbox = open();
        int threads = 4;
        int each = 10;
        java.util.concurrent.ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        outbox.add("c1", "S" + thread + "-" + i, "simulated", 1000);
                    }
                    return null;
                }));
            }
            for (var f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(outbox.sensors("c1")).hasSize(threads * each);
        // the log holds offsets 1..40 exactly once: ACK them in order
        for (long offset = 1; offset <= threads * each; offset++) {
            SensorOutbox.Pending p = outbox.next("c1").orElseThrow();
            assertThat(p.offset()).isEqualTo(offset);
            outbox.acked(p);
        }
        assertThat(outbox.next("c1")).isEmpty();
        assertThat(outbox.sensors("c1")).allMatch(s -> s.delivery() == Delivery.ACKED);
    }

    @Test
    void anEventNotAnsweredInTimeIsSentAgainAndALateAnswerIsIgnored() throws Exception {
        outbox = open();
        ServerSensor a = outbox.add("c1", "A", "simulated", 2000);
        server.connected = true;
        startPublisher(200);
        Await.until("sent again after the timeout", () -> server.published.size() >= 2);
        assertThat(server.published.get(1).event()).isEqualTo(server.published.get(0).event());
        // the first publish's stage is the transport's: the timeout did not complete it
        assertThat(server.published.get(0).answer()).isNotDone();
        // ACK whatever was sent so far (answers to publishes no longer in flight are ignored), until recorded
        Await.until("ACK recorded", () -> {
            for (int i = 1; i < server.published.size(); i++) {
                server.answer(i, PublishResult.Acked::new);
            }
            return delivery(a) == Delivery.ACKED;
        });
        server.answer(0, PublishResult.Acked::new); // late: changes nothing
        assertThat(delivery(a)).isEqualTo(Delivery.ACKED);
    }

    @Test
    void aNackParksTheStreamUntilResumed() throws Exception {
        outbox = open();
        ServerSensor a = outbox.add("c1", "A", "simulated", 2000);
        ServerSensor b = outbox.add("c1", "B", "simulated", 2000);
        server.connected = true;
        startPublisher();
        Await.until("sent", () -> server.published.size() == 1);
        server.answer(0, k -> new PublishResult.Nacked(k, Nack.of("unsupported_kind", "no such kind")));
        Await.until("NACK recorded", () -> delivery(a) == Delivery.NACKED);
        assertThat(outbox.sensor("c1", a.id()).orElseThrow().nackReason())
                .contains("unsupported_kind: no such kind");
        // parked: B does not go
        assertThat(Await.holds(java.time.Duration.ofMillis(300), () -> server.published.size() > 1)).isFalse();
        assertThat(outbox.sensor("c1", b.id()).orElseThrow().delivery()).isEqualTo(Delivery.QUEUED);

        assertThat(outbox.resume("c1")).isEqualTo(1);
        publisher.wake("c1");
        Await.until("B follows the resume", () -> server.published.size() == 2);
        assertThat(server.published.get(1).event().keyAsString()).isEqualTo(b.id().toString());
        assertThat(outbox.resume("c1")).isZero();
        // the refused sensor keeps showing the refusal
        assertThat(outbox.sensor("c1", a.id()).orElseThrow().delivery()).isEqualTo(Delivery.NACKED);
    }

    @Test
    void commandsParseAndEscape() throws Exception {
        outbox = open();
        SensorCommands commands = new SensorCommands(() -> new DirectoryOver(outbox));
        assertThatThrownBy(() -> commands.run("sensor-add", List.of("c1", "Hall\u001b[31m", "2000")))
                .hasMessageContaining("name \"Hall\\e[31m\" must not contain control");
        String added = commands.run("sensor-add", List.of("c1", "Hall", "2000"));
        assertThat(added).startsWith("added ").contains("\"Hall\"").contains("2000 ms QUEUED");
        String uuid = added.split(" ")[1];
        assertThat(commands.run("sensor-rename", List.of("c1", uuid, "Big hall"))).contains("\"Big hall\"");
        assertThat(commands.run("sensor-period", List.of("c1", uuid, "300"))).contains("300 ms");
        assertThat(commands.run("sensors", List.of("c1"))).contains(uuid + " \"Big hall\" simulated 300 ms QUEUED");
        assertThatThrownBy(() -> commands.run("sensor-add", List.of("c1"))).hasMessageContaining("usage")
                .hasMessageContaining("sink:sensor-add <client-id> <name>");
        assertThatThrownBy(() -> commands.run("sensor-period", List.of("c1", uuid, "5")))
                .hasMessageContaining("out of range");
        assertThatThrownBy(() -> commands.run("sensor-remove", List.of("c1", "nope")))
                .hasMessageContaining("is not a uuid");
        assertThat(commands.run("sensor-remove", List.of("c1", uuid))).startsWith("removing ").contains("removed");
        assertThat(commands.run("sensor-resume", List.of("c1"))).contains("was not parked");
        assertThat(commands.run("sensors", List.of("c9"))).contains("has no server-configured sensors");
    }

    private Delivery delivery(ServerSensor sensor) {
        try {
            return outbox.sensor(sensor.clientId(), sensor.id()).orElseThrow().delivery();
        } catch (SensorException e) {
            throw new AssertionError(e);
        }
    }

    private List<ServerSensor> sensors(String clientId) {
        try {
            return outbox.sensors(clientId);
        } catch (SensorException e) {
            throw new AssertionError(e);
        }
    }

    /** The directory's methods straight on the outbox (the component adds the publisher's wake-up). */
    private record DirectoryOver(SensorOutbox o) implements io.sink.api.server.sensors.SensorDirectory {
        public List<String> kinds() {
            return SensorOutbox.KINDS;
        }

        public List<ServerSensor> sensors(String c) throws SensorException {
            return o.sensors(c);
        }

        public Optional<ServerSensor> sensor(String c, java.util.UUID id) throws SensorException {
            return o.sensor(c, id);
        }

        public ServerSensor add(String c, String n, String k, long p) throws SensorException {
            return o.add(c, n, k, p);
        }

        public ServerSensor rename(String c, java.util.UUID id, String n) throws SensorException {
            return o.rename(c, id, n);
        }

        public ServerSensor changePeriod(String c, java.util.UUID id, long p) throws SensorException {
            return o.changePeriod(c, id, p);
        }

        public ServerSensor remove(String c, java.util.UUID id) throws SensorException {
            return o.remove(c, id);
        }

        public int resume(String c) throws SensorException {
            return o.resume(c);
        }
    }

    /** A server whose connection the test switches and whose answers the test gives. */
    private static final class FakeServer implements SinkServer {
        record Published(Event event, CompletableFuture<PublishResult> answer) {
        }

        volatile boolean connected;
        final List<Published> published = new CopyOnWriteArrayList<>();

        void answer(int index, java.util.function.Function<AckKey, PublishResult> result) {
            Published p = published.get(index);
            p.answer().complete(result.apply(p.event().ackKey()));
        }

        @Override
        public boolean connected(String clientId) {
            return connected;
        }

        @Override
        public CompletionStage<PublishResult> publish(String clientId, Event event) {
            CompletableFuture<PublishResult> answer = new CompletableFuture<>();
            published.add(new Published(event, answer));
            return answer;
        }

        @Override
        public List<ConnectedClient> connectedClients() {
            return List.of();
        }

        @Override
        public Optional<ConnectedClient> client(String clientId) {
            return Optional.empty();
        }

        @Override
        public Map<Long, Long> freshness(String clientId) {
            return Map.of();
        }

        @Override
        public boolean disconnect(String clientId, String reason) {
            return false;
        }

        @Override
        public Optional<String> listenAddress() {
            return Optional.empty();
        }
    }
}
