package io.sink.transport.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.testsupport.Await;
import io.sink.transport.client.internal.SinkClientEngine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The transport end to end: real TLS on loopback, a real server engine and real client engines. */
class TransportTest extends ServerTestBase {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeEach
    void startServer() throws Exception {
        server = startServer(Fixtures.serverSettings());
    }

    private static PublishResult await(CompletionStage<PublishResult> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    // ------------------------------------------------------------------ handshake

    @Test
    void newClientIsGreetedThenKnown() throws Exception {
        Fixtures.Client device = new Fixtures.Client(4242);
        SinkClientEngine first = client("example-client", device);
        Await.until("first connection", first::connected);
        assertThat(device.storedServerIds).containsExactly(new InstanceId(777));
        assertThat(registry.clients).containsEntry("example-client", new InstanceId(4242));
        assertThat(server.connected("example-client")).isTrue();
        assertThat(server.client("example-client").orElseThrow().serverInstanceId()).isEmpty();

        first.stop();
        Await.until("server notices the client left", () -> !server.connected("example-client"));
        SinkClientEngine second = client("example-client", device);
        Await.until("second connection", second::connected);
        assertThat(device.storedServerIds).hasSize(1);
        assertThat(registry.registrations.get()).isEqualTo(1);
        assertThat(server.client("example-client").orElseThrow().serverInstanceId())
                .contains(new InstanceId(777));
        assertThat(await(second.publish(Fixtures.event("kitchen", 1)))).isInstanceOf(PublishResult.Acked.class);
    }

    @Test
    void instanceIdMismatchIsRefused() throws Exception {
        registry.clients.put("example-client", new InstanceId(1));
        SinkClientEngine engine = client("example-client", new Fixtures.Client(2));
        Await.until("refusal", () -> engine.problem().orElse("").contains("instance_id_mismatch"));
        assertThat(engine.connected()).isFalse();
        assertThat(handler.ups).isEmpty();
    }

    @Test
    void quarantinedClientIsRefusedWithTheReason() throws Exception {
        registry.quarantined.put("example-client", Nack.of("maintenance", "device under repair"));
        SinkClientEngine engine = client("example-client", new Fixtures.Client(3));
        Await.until("refusal", () -> engine.problem().orElse("").contains("device under repair"));
        assertThat(engine.connected()).isFalse();
        assertThat(handler.ups).isEmpty();
    }

    @Test
    void oldApplicationVersionIsRefused() throws Exception {
        registry.refusedVersions.add("0.9.0");
        SinkClientEngine engine = client("example-client", new Fixtures.Client(3),
                Fixtures.clientSettings(port).withApplicationVersion("0.9.0"));
        Await.until("refusal",
                () -> engine.problem().orElse("").contains("unsupported_application_version"));
        assertThat(engine.connected()).isFalse();
    }

    @Test
    void unsupportedProtocolVersionIsAnsweredWithCode4ThenClosed() throws Exception {
        RawPeer peer = raw("example-client");
        peer.sendFrame("0105312e302e30000004d2"); // CONNECTION_REQUEST, protocol version 1
        assertThat(peer.nextFrame(WAIT)).isEqualTo("14");
        assertThat(peer.awaitClosed(WAIT)).isTrue();
    }

    @Test
    void clientTreatsUnsupportedProtocolVersionAsRefusal() throws Exception {
        try (RawPeer fakeServer = RawPeer.server(serverTls)) {
            SinkClientEngine engine = client("example-client", new Fixtures.Client(5),
                    Fixtures.clientSettings(fakeServer.port()));
            assertThat(fakeServer.nextFrame(WAIT)).isEqualTo("0005312e302e3000000005");
            fakeServer.sendFrame("14");
            Await.until("refusal",
                    () -> engine.problem().orElse("").contains("unsupported_protocol_version"));
            assertThat(fakeServer.awaitClosed(WAIT)).as("the client closes").isTrue();
        }
    }

    @Test
    void unknownCertificateIsRefusedWithoutAnyFrame() throws Exception {
        RawPeer peer = raw("stranger");
        peer.sendFrame("0005312e302e30000004d2");
        assertThat(peer.awaitClosed(WAIT)).isTrue();
        assertThat(peer.nextFrame(Duration.ZERO)).isNull();
        SinkClientEngine engine = client("stranger", new Fixtures.Client(9));
        Await.until("a failed attempt", () -> engine.problem().filter(p -> !p.equals("connecting")).isPresent());
        assertThat(engine.connected()).isFalse();
        assertThat(handler.ups).isEmpty();
    }

    // ------------------------------------------------------------------ ACK and NACK

    @Test
    void acksAndNacksReachThePublisher() throws Exception {
        handler.answer = e -> CompletableFuture.completedFuture(e.keyAsString().equals("bad")
                ? Optional.of(Nack.of("E42", "rejected key")) : Optional.empty());
        Fixtures.Client device = new Fixtures.Client(11);
        SinkClientEngine engine = client("example-client", device);
        Await.until("connected", engine::connected);
        CompletionStage<PublishResult> good = engine.publish(Fixtures.event("good", 1));
        CompletionStage<PublishResult> bad = engine.publish(Fixtures.event("bad", 1));
        assertThat(await(good)).isEqualTo(new PublishResult.Acked(AckKey.of(1, "good", 1)));
        assertThat(await(bad)).isEqualTo(
                new PublishResult.Nacked(AckKey.of(1, "bad", 1), Nack.of("E42", "rejected key")));
        assertThat(engine.connected()).as("a NACK leaves the connection up").isTrue();
        assertThat(engine.stats().orElseThrow().nacksReceived()).isEqualTo(1);
    }

    @Test
    void publishAllSendsTheEventsTogetherInOrderAndEachIsAnswered() throws Exception {
        handler.answer = e -> CompletableFuture.completedFuture(e.offset() == 7
                ? Optional.of(Nack.of("E7", "seventh")) : Optional.empty());
        SinkClientEngine engine = client("example-client", new Fixtures.Client(13));
        Await.until("connected", engine::connected);
        java.util.List<io.sink.api.Event> events = new java.util.ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            events.add(Fixtures.event("batch", i));
        }
        java.util.List<CompletionStage<PublishResult>> answers = engine.publishAll(events);
        assertThat(answers).hasSize(30);
        for (int i = 0; i < 30; i++) {
            AckKey key = events.get(i).ackKey();
            assertThat(await(answers.get(i))).isEqualTo(i + 1 == 7
                    ? new PublishResult.Nacked(key, Nack.of("E7", "seventh")) : new PublishResult.Acked(key));
        }
        assertThat(handler.received).extracting(io.sink.api.Event::offset)
                .containsExactlyElementsOf(events.stream().map(io.sink.api.Event::offset).toList());
        // one write to the network: the server read them all at once and handed them over together
        assertThat(handler.together).containsExactly(30);
    }

    @Test
    void aFailingHandlerBecomesANackNotADroppedConnection() throws Exception {
        handler.answer = e -> {
            if (e.offset() == 1) {
                throw new IllegalStateException("disk on fire");
            }
            return CompletableFuture.failedFuture(new IllegalStateException("still on fire"));
        };
        SinkClientEngine engine = client("example-client", new Fixtures.Client(12));
        Await.until("connected", engine::connected);
        PublishResult thrown = await(engine.publish(Fixtures.event("k", 1)));
        PublishResult failed = await(engine.publish(Fixtures.event("k", 2)));
        assertThat(thrown).isInstanceOfSatisfying(PublishResult.Nacked.class,
                n -> assertThat(n.nack().humanMessage()).contains("disk on fire"));
        assertThat(failed).isInstanceOfSatisfying(PublishResult.Nacked.class,
                n -> assertThat(n.nack().humanMessage()).contains("still on fire"));
        handler.answer = e -> CompletableFuture.completedFuture(Optional.empty());
        assertThat(await(engine.publish(Fixtures.event("k", 3)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(handler.ups).hasSize(1);
    }

    @Test
    void anEventTheReceiverCannotTakeForNowIsNeitherAckedNorNackedAndTheConnectionCloses() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean storeFull = new java.util.concurrent.atomic.AtomicBoolean(true);
        handler.answer = e -> storeFull.get()
                ? CompletableFuture.failedFuture(new io.sink.api.server.RetryLaterException("store full"))
                : CompletableFuture.completedFuture(Optional.empty());
        Fixtures.Client device = new Fixtures.Client(16);
        SinkClientEngine engine = client("example-client", device);
        Await.until("connected", engine::connected);
        CompletionStage<PublishResult> first = engine.publish(Fixtures.event("k", 1));
        CompletionStage<PublishResult> second = engine.publish(Fixtures.event("k", 2));
        PublishResult one = await(first);
        PublishResult two = await(second);
        assertThat(one).as("no NACK: the stream must not be parked").isInstanceOf(PublishResult.Failed.class);
        assertThat(two).as("nothing after it is answered either").isInstanceOf(PublishResult.Failed.class);
        assertThat(engine.stats().map(s -> s.nacksReceived()).orElse(0L)).isZero();
        Await.until("the server closed the connection", () -> !handler.downs.isEmpty());
        storeFull.set(false);
        // the client's own view: its first connection went down and a second one came up (the
        // server's close reaches the client a moment after the server saw it, so engine.connected()
        // alone can still describe the closing connection)
        Await.until("the client reconnected", () -> !device.downs.isEmpty() && device.ups.size() >= 2
                && engine.connected());
        assertThat(await(engine.publish(Fixtures.event("k", 1)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(await(engine.publish(Fixtures.event("k", 2)))).isInstanceOf(PublishResult.Acked.class);
    }

    @Test
    void aThousandEventsInFlightAtOnce() throws Exception {
        List<CompletableFuture<Optional<Nack>>> held = new CopyOnWriteArrayList<>();
        handler.answer = e -> {
            CompletableFuture<Optional<Nack>> f = new CompletableFuture<>();
            held.add(f);
            return f;
        };
        SinkClientEngine engine = client("example-client", new Fixtures.Client(13));
        Await.until("connected", engine::connected);
        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        for (int i = 1; i <= 1000; i++) {
            results.add(engine.publish(Fixtures.event("sensor", i)));
        }
        Await.until("1000 events at the server", () -> held.size() == 1000);
        assertThat(engine.stats().orElseThrow().inFlight()).isEqualTo(1000);
        assertThat(engine.inFlight()).hasSize(1000);
        for (int i = held.size() - 1; i >= 0; i--) { // answered in reverse order
            held.get(i).complete(Optional.empty());
        }
        for (CompletionStage<PublishResult> result : results) {
            assertThat(await(result)).isInstanceOf(PublishResult.Acked.class);
        }
        assertThat(engine.stats().orElseThrow().inFlight()).isZero();
    }

    @Test
    void messageIdsWrapPast4095() throws Exception {
        SinkClientEngine engine = client("example-client", new Fixtures.Client(14));
        Await.until("connected", engine::connected);
        for (int batch = 0; batch < 10; batch++) {
            List<CompletionStage<PublishResult>> results = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                results.add(engine.publish(Fixtures.event("wrap", batch * 1000L + i + 1)));
            }
            for (CompletionStage<PublishResult> result : results) {
                assertThat(await(result)).isInstanceOf(PublishResult.Acked.class);
            }
        }
        assertThat(handler.received).hasSize(10_000);
        assertThat(engine.stats().orElseThrow().acksReceived()).isEqualTo(10_000);
    }

    @Test
    void theSameEventIsNeverInFlightTwice() throws Exception {
        CompletableFuture<Optional<Nack>> hold = new CompletableFuture<>();
        handler.answer = e -> hold;
        SinkClientEngine engine = client("example-client", new Fixtures.Client(15));
        Await.until("connected", engine::connected);
        CompletionStage<PublishResult> first = engine.publish(Fixtures.event("dup", 1));
        PublishResult second = await(engine.publish(Fixtures.event("dup", 1)));
        assertThat(second).isInstanceOfSatisfying(PublishResult.Failed.class,
                f -> assertThat(f.reason()).contains("already in flight"));
        hold.complete(Optional.empty());
        assertThat(await(first)).isInstanceOf(PublishResult.Acked.class);
    }

    // ------------------------------------------------------------------ keepalive and reconnect

    @Test
    void idleConnectionIsKeptAliveByPingPong() throws Exception {
        server.stop();
        server = startServer(Fixtures.serverSettings().withKeepalive(Duration.ofMillis(200)));
        SinkClientEngine engine = client("example-client", new Fixtures.Client(21),
                Fixtures.clientSettings(port).withKeepalive(Duration.ofMillis(100)));
        Await.until("connected", engine::connected);
        Await.until("several PING/PONG", () -> engine.stats().map(s -> s.pongsReceived() >= 5).orElse(false));
        assertThat(engine.stats().orElseThrow().pingsSent()).isGreaterThanOrEqualTo(5);
        assertThat(handler.ups).as("one connection all along").hasSize(1);
        assertThat(handler.downs).isEmpty();
    }

    @Test
    void clientClosesAConnectionOnWhichNothingArrives() throws Exception {
        try (RawPeer silentServer = RawPeer.server(serverTls)) {
            Fixtures.Client device = new Fixtures.Client(22);
            SinkClientEngine engine = client("example-client", device,
                    Fixtures.clientSettings(silentServer.port()).withKeepalive(Duration.ofMillis(100)));
            assertThat(silentServer.nextFrame(WAIT)).startsWith("00");
            silentServer.sendFrame("1100000309"); // hello_new_client 777, then silence: PINGs go unanswered
            Await.until("connected", engine::connected);
            long connectedAt = System.nanoTime();
            assertThat(silentServer.nextFrame(WAIT)).as("a PING").isEqualTo("5000");
            assertThat(silentServer.awaitClosed(WAIT)).isTrue();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectedAt);
            assertThat(millis).as("closed after 1.5 K").isGreaterThanOrEqualTo(140);
            Await.until("connection down reported", () -> !device.downs.isEmpty());
        }
    }

    @Test
    void serverClosesAConnectionOnWhichNothingArrives() throws Exception {
        server.stop();
        server = startServer(Fixtures.serverSettings().withKeepalive(Duration.ofMillis(100)));
        RawPeer silentClient = raw("example-client");
        silentClient.sendFrame("0005312e302e30000004d2");
        assertThat(silentClient.nextFrame(WAIT)).isEqualTo("1100000309");
        assertThat(silentClient.awaitClosed(WAIT)).isTrue();
        Await.until("server forgets the client", () -> !server.connected("example-client"));
    }

    @Test
    void reconnectsAfterAServerRestartAndUnansweredEventsCanBeSentAgain() throws Exception {
        handler.answer = e -> new CompletableFuture<>(); // never answered: the server "crashes" first
        Fixtures.Client device = new Fixtures.Client(23);
        SinkClientEngine engine = client("example-client", device);
        Await.until("connected", engine::connected);
        List<Event> events = List.of(Fixtures.event("r", 1), Fixtures.event("r", 2), Fixtures.event("r", 3));
        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        events.forEach(e -> results.add(engine.publish(e)));
        Await.until("events at the server", () -> handler.received.size() == 3);

        int oldPort = port;
        server.stop();
        for (CompletionStage<PublishResult> result : results) {
            assertThat(await(result)).isInstanceOf(PublishResult.Failed.class);
        }
        handler.answer = e -> CompletableFuture.completedFuture(Optional.empty());
        server = startServer(new ServerSettings("127.0.0.1", oldPort, Duration.ofSeconds(60), Duration.ofSeconds(10),
                0, 4095));
        Await.until("reconnected", engine::connected);
        for (Event e : events) {
            assertThat(await(engine.publish(e))).isInstanceOf(PublishResult.Acked.class);
        }
        for (Event e : events) {
            assertThat(handler.count(e.ackKey())).isEqualTo(2);
        }
        assertThat(device.ups).hasSize(2);
    }

    @Test
    void aSecondConnectionOfTheSameClientReplacesTheFirst() throws Exception {
        Fixtures.Client device = new Fixtures.Client(24);
        SinkClientEngine first = client("example-client", device,
                Fixtures.clientSettings(port).withReconnect(List.of(Duration.ofSeconds(30)), Duration.ofSeconds(30)));
        Await.until("first connected", first::connected);
        RawPeer second = raw("example-client");
        second.sendFrame("0005312e302e300000001800000309"); // same client instance id 24, server 777
        assertThat(second.nextFrame(WAIT)).isEqualTo("10");
        Await.until("first connection closed", () -> !first.connected());
        Await.until("the first client noticed", () -> !device.downs.isEmpty());
        assertThat(handler.ups).containsExactly("example-client", "example-client");
        assertThat(handler.downs).as("the client stays connected through its new connection").isEmpty();
        assertThat(server.connected("example-client")).isTrue();
        assertThat(second.isClosed()).isFalse();
    }

    // ------------------------------------------------------------------ malformed input

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "zero-length frame, 0000",
        "undefined type 2, 00022000",
        "undefined type 15, 0002f000",
        "truncated ACK header, 000130",
        "ACK with a trailing byte, 0003300100",
        "ACK for an id not in flight, 00023005",
        "NACK for an id not in flight, 0003700500",
        "second CONNECTION_REQUEST, 000b0005312e302e30000004d2",
        "CONNECTION_RESPONSE from a client, 000110",
        "PUBLISH with an unterminated varint, 0003400181",
        "PUBLISH with a key longer than the frame, 00084001010105616263",
        "PUBLISH with trailing bytes, 000f40010101016b0180e2cfaa060178ff",
    })
    void malformedInputClosesOnlyThatConnection(String what, String bytes) throws Exception {
        SinkClientEngine honest = client("example-client", new Fixtures.Client(31));
        Await.until("honest client connected", honest::connected);

        RawPeer mallory = raw("mallory");
        mallory.sendFrame("0005312e302e30000004d2");
        assertThat(mallory.nextFrame(WAIT)).isEqualTo("1100000309");
        mallory.sendRaw(bytes);
        assertThat(mallory.awaitClosed(WAIT)).as(what + " closes the connection").isTrue();

        assertThat(honest.connected()).isTrue();
        assertThat(await(honest.publish(Fixtures.event("still-here", 1)))).isInstanceOf(PublishResult.Acked.class);
        assertThat(handler.ups).containsExactlyInAnyOrder("example-client", "mallory");
    }

    @Test
    void framesBeforeTheHandshakeCloseTheConnection() throws Exception {
        RawPeer peer = raw("mallory");
        peer.sendFrame("40010101076b69746368656e0180e2cfaa0600"); // a PUBLISH before the CONNECTION_REQUEST
        assertThat(peer.awaitClosed(WAIT)).isTrue();
        assertThat(handler.received).isEmpty();
    }
}
