package io.sink.poller.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.ssl.SslContext;
import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.client.GroundEventLog;
import io.sink.poller.PollerStatus;
import io.sink.poller.StreamStatus;
import io.sink.poller.internal.outbox.ClientOutbox;
import io.sink.sensor.LoggedReading;
import io.sink.sensor.SensorReadings;
import io.sink.sensor.internal.SensorLog;
import io.sink.testsupport.Await;
import io.sink.tls.DevCertificates;
import io.sink.tls.SslContexts;
import io.sink.transport.client.internal.ClientSettings;
import io.sink.transport.client.internal.SinkClientEngine;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poller end to end: the poller component is the ClientHandler of a real client engine that
 * talks to a real server engine over mutual TLS on loopback; the events come from the sensor
 * service on the memory store.
 */
class PollerTransportTest {
    private static final Logger LOG = LoggerFactory.getLogger(PollerTransportTest.class);
    private static final Duration DRAIN = Duration.ofSeconds(60);

    @TempDir
    static Path pki;
    private static SslContext serverTls;
    private static SslContext clientTls;

    private TestServer server;
    private PollerComponent poller;
    private ClientOutbox outbox;
    private CountingLog log;
    private SensorLog sensors;
    private SinkClientEngine client;

    @BeforeAll
    static void certificates() throws Exception {
        DevCertificates.ensure(pki, List.of("example-client"));
        serverTls = SslContexts.forServer(DevCertificates.serverConfig(pki));
        clientTls = SslContexts.forClient(DevCertificates.clientConfig(pki, "example-client"));
    }

    @BeforeEach
    void startServer() throws Exception {
        server = new TestServer(pki, serverTls, "example-client");
        server.start();
        log = new CountingLog(1_000_000);
        outbox = ClientOutbox.over(log, log, "memory");
        sensors = new SensorLog(() -> outbox, Clock.systemUTC());
    }

    private void startClient(TestConfig config) {
        poller = new PollerComponent(outbox, config, Map.of());
        ClientSettings settings = ClientSettings.defaults("127.0.0.1", server.port()).withReconnect(
                List.of(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100)), Duration.ofMillis(300));
        client = new SinkClientEngine(settings, clientTls, () -> poller);
        client.start();
    }

    @AfterEach
    void stopAll() throws Exception {
        if (client != null) {
            client.stop();
        }
        if (poller != null) {
            poller.deactivate();
        }
        server.stop();
    }

    private String state() {
        return "queue " + log.queueSize() + ", server received " + server.handler.received.size() + "\n"
                + poller.status();
    }

    private void awaitDrained() {
        await("the queue drains", DRAIN, () -> log.queueSize() == 0);
    }

    /**
     * Waits for {@code condition}; a timeout's message carries the queue, the server's count and the
     * poller's status.
     */
    private void await(String description, BooleanSupplier condition) {
        await(description, Await.DEFAULT, condition);
    }

    private void await(String description, Duration timeout, BooleanSupplier condition) {
        Await.until(() -> description + "\n" + state(), timeout, condition);
    }

    private List<AckKey> logReadings(int count) {
        List<AckKey> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            keys.add(key(sensors.logSensorReading(i % 2 == 0 ? "kitchen" : "garage", 60 + i % 20, 40 + i % 10)));
        }
        return keys;
    }

    private static AckKey key(LoggedReading logged) {
        return AckKey.of(SensorReadings.EVENT_TYPE_ID, logged.reading().sensor(), logged.reading().offset());
    }

    /** Logs {@code count} readings, connects, and measures the delivery rate from the first event received. */
    private List<AckKey> deliverAndMeasure(int window, int count) {
        List<AckKey> logged = logReadings(count);
        startClient(new TestConfig().window(window));
        awaitDrained();
        long nanos = System.nanoTime() - server.handler.firstReceivedNanos;
        double rate = count / (nanos / 1e9);
        LOG.info("THROUGHPUT window {}: {} events over TLS on loopback, memory store, in {} ms = {} events/s "
                + "({} acknowledge() calls, {} duplicates)", window, count, TimeUnit.NANOSECONDS.toMillis(nanos),
                Math.round(rate), log.acknowledgeCalls.get(), server.handler.duplicates());
        return logged;
    }

    // ------------------------------------------------------------------ order and draining

    @Test
    void windowOneDeliversReadingsInOrderAndDrains() {
        List<AckKey> logged = new ArrayList<>(deliverAndMeasure(1, 1000));
        // and readings logged while connected go out at once
        for (int i = 0; i < 20; i++) {
            logged.add(key(sensors.logSensorReading("porch", 70, 40)));
        }
        awaitDrained();
        assertThat(server.handler.received).extracting(Event::ackKey).containsExactlyElementsOf(logged);
        assertThat(client.inFlight()).isEmpty();
        assertThat(log.lastEvents(1)).hasSize(3);
        assertThat(server.registry.clients).containsEntry("example-client", log.instanceIds().client());
        assertThat(log.instanceIds().server()).contains(new InstanceId(777));

        PollerStatus status = poller.status();
        assertThat(status.connected()).isTrue();
        assertThat(status.server()).isEqualTo("127.0.0.1:" + server.port());
        assertThat(status.acked()).isEqualTo(1020);
        assertThat(status.streams()).extracting(StreamStatus::queued).containsExactly(0L);
    }

    @Test
    void windowThousandDeliversInOrderWithBatchedAcks() {
        int count = 20_000;
        List<AckKey> logged = deliverAndMeasure(1000, count);
        assertThat(server.handler.distinct()).containsExactlyElementsOf(logged);
        assertThat(log.acknowledgedKeys.get()).isGreaterThanOrEqualTo(count);
        assertThat(log.acknowledgeCalls.get()).as("acknowledge() calls for " + count + " events")
                .isLessThan(count);
        LOG.info("ack batches: {} calls for {} events, largest batch {}", log.acknowledgeCalls.get(), count,
                log.batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0));
    }

    // ------------------------------------------------------------------ NACK parks one stream

    @Test
    void aNackParksOnlyItsStreamAndResumeSendsItAgain() {
        AckKey bad = AckKey.of(2, "bad", 1);
        server.handler.answer = e -> CompletableFuture.completedFuture(e.ackKey().equals(bad)
                ? Optional.of(Nack.of("E_SCHEMA", "configuration rejected")) : Optional.empty());
        outbox.appendNext(2, 1, "bad".getBytes(), 1, new byte[] {9});
        AckKey next = outbox.appendNext(2, 1, "next".getBytes(), 1, new byte[] {8}).event().ackKey();
        startClient(new TestConfig().window(1).streams("readings=1", "config=2"));

        await("the config stream is parked", () -> !poller.nacks().isEmpty());
        List<AckKey> readings = logReadings(30);
        await("the readings are delivered while config is parked",
                () -> server.handler.distinct().containsAll(readings));
        await("only config remains", () -> log.queueSize() == 2);
        assertThat(server.handler.count(next)).as("the parked stream keeps its order").isZero();
        assertThat(poller.nacks()).singleElement().satisfies(p -> {
            assertThat(p.stream()).isEqualTo("config");
            assertThat(p.event().ackKey()).isEqualTo(bad);
            assertThat(p.nack().machineMessageAsString()).isEqualTo("E_SCHEMA");
            assertThat(p.nack().humanMessage()).isEqualTo("configuration rejected");
        });
        StreamStatus config = poller.status().streams().stream().filter(s -> s.name().equals("config"))
                .findFirst().orElseThrow();
        assertThat(config.parked()).isTrue();
        assertThat(config.queued()).isEqualTo(2);

        server.handler.answer = e -> CompletableFuture.completedFuture(Optional.empty());
        assertThat(poller.resume("config")).isTrue();
        awaitDrained();
        assertThat(server.handler.count(bad)).isEqualTo(2);
        List<AckKey> configOrder = server.handler.received.stream().map(Event::ackKey)
                .filter(k -> k.eventTypeId() == 2).toList();
        assertThat(configOrder).containsExactly(bad, bad, next);
        assertThat(poller.nacks()).isEmpty();
    }

    // ------------------------------------------------------------------ reconnect

    @Test
    void afterAServerRestartEverythingUnacknowledgedIsSentAgain() throws Exception {
        // the server receives but does not answer: those events stay in flight until it stops
        server.handler.answer = e -> new CompletableFuture<>();
        List<AckKey> first = logReadings(50);
        startClient(new TestConfig().window(100));
        await("all 50 received, none answered", () -> server.handler.received.size() >= 50);
        assertThat(log.queueSize()).isEqualTo(50);

        server.stop();
        await("the client notices", () -> !client.connected());
        List<AckKey> second = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            second.add(outbox.appendNext(1, 1, "attic".getBytes(), i, new byte[] {1}).event().ackKey());
        }
        server.handler.answer = e -> CompletableFuture.completedFuture(Optional.empty());
        server.start(); // same port, same registry: the client is known
        awaitDrained();

        List<AckKey> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(server.handler.distinct()).containsExactlyInAnyOrderElementsOf(all);
        for (AckKey key : first) {
            assertThat(server.handler.count(key)).as("sent before and after the restart: " + key)
                    .isGreaterThanOrEqualTo(2);
        }
        LOG.info("server restart: {} events received for {} logged, {} duplicates", server.handler.received.size(),
                all.size(), server.handler.duplicates());
        assertThat(server.handler.duplicates()).isGreaterThanOrEqualTo(50);
        assertThat(poller.status().failed()).as("the 50 in flight failed when the connection dropped")
                .isGreaterThanOrEqualTo(50);
    }
}
