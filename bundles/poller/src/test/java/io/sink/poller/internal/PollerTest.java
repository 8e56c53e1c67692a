package io.sink.poller.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.SinkClient;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerStatus;
import io.sink.poller.StreamStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The poller without OSGi or sockets: a client answered by hand, the memory log, a real thread. */
class PollerTest {
    private static final Duration HOUR = Duration.ofHours(1);

    private final FakeClient client = new FakeClient();
    private final AtomicReference<SinkClient> clientRef = new AtomicReference<>(client);
    private final AtomicReference<GroundEventLog> logRef = new AtomicReference<>();
    private CountingLog log;
    private ScheduledExecutorService executor;
    private Poller poller;

    @AfterEach
    void stop() throws Exception {
        if (poller != null) {
            poller.close();
        }
        if (executor != null) {
            executor.shutdown();
            assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(client.violations).as("rule violations seen by the client").isEmpty();
    }

    /** A poller whose tick is an hour away: only wake-ups drive it, so the tests show they happen. */
    private Poller start(int window, String... streams) {
        return start(new PollerSettings(window, HOUR, 0.1, PollerSettings.parseStreams(streams), "default"));
    }

    private Poller start(PollerSettings settings) {
        log = new CountingLog(100_000).listener((l, seq) -> {
            Poller p = poller;
            if (p != null) {
                p.eventsAppended();
            }
        });
        logRef.set(log);
        executor = Executors.newSingleThreadScheduledExecutor();
        poller = new Poller(settings, clientRef::get, logRef::get, executor, Clock.systemUTC(),
                new SplittableRandom(1));
        poller.start();
        return poller;
    }

    private void connect() {
        client.connected = true;
        poller.connectionUp("fake:4000");
    }

    private AckKey reading(String sensor) {
        return log.appendNext(1, 1, sensor.getBytes(), 1, new byte[] {1}).event().ackKey();
    }

    private AckKey config(String key) {
        return log.appendNext(2, 1, key.getBytes(), 1, new byte[] {2}).event().ackKey();
    }

    private String state() {
        return "published " + client.published.size() + ", in flight " + client.inFlight() + ", queue "
                + log.queueSize() + "\nstatus:\n" + poller.status(Optional.empty(), "memory");
    }

    private void awaitPublished(int count) {
        Await.until(count + " publishes", () -> client.published.size() >= count, this::state);
    }

    private List<AckKey> publishedKeys() {
        List<AckKey> keys = new ArrayList<>();
        client.published.forEach(e -> keys.add(e.ackKey()));
        return keys;
    }

    // ------------------------------------------------------------------ order and window

    @Test
    void windowOnePublishesInLogOrderOneAtATimeAndDrains() {
        start(1);
        List<AckKey> logged = List.of(reading("a"), reading("b"), reading("a"));
        connect();
        for (int i = 0; i < logged.size(); i++) {
            awaitPublished(i + 1);
            assertThat(client.inFlightCount()).isEqualTo(1);
            client.ack(logged.get(i));
        }
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
        assertThat(publishedKeys()).containsExactlyElementsOf(logged);
        PollerStatus status = poller.status(Optional.empty(), "memory");
        assertThat(status.published()).isEqualTo(3);
        assertThat(status.acked()).isEqualTo(3);
        assertThat(status.inFlight()).isZero();
    }

    @Test
    void nothingIsPublishedWhileDisconnectedOrWithoutAClient() {
        start(10);
        reading("a");
        clientRef.set(null);
        poller.wake();
        client.connected = true;
        poller.wake();
        assertThat(poller.status(Optional.empty(), "memory").published()).isZero();
        clientRef.set(client);
        client.connected = false;
        poller.wake();
        assertThat(poller.status(Optional.empty(), "memory").published()).isZero();
        connect();
        awaitPublished(1);
    }

    @Test
    void anEventLoggedWhileConnectedIsPublishedAtOnce() {
        start(1);
        connect();
        AckKey key = reading("a");
        awaitPublished(1);
        assertThat(client.published.get(0).ackKey()).isEqualTo(key);
    }

    @Test
    void theWindowCapsWhatIsInFlight() {
        start(5);
        List<AckKey> logged = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            logged.add(reading("s" + (i % 3)));
        }
        connect();
        awaitPublished(5);
        assertThat(poller.status(Optional.empty(), "memory").inFlight()).isEqualTo(5);
        client.ack(logged.get(0));
        client.ack(logged.get(1));
        awaitPublished(7);
        assertThat(client.inFlightCount()).isEqualTo(5);
        while (log.queueSize() > 0) {
            Await.until("something in flight", () -> client.inFlightCount() > 0 || log.queueSize() == 0, this::state);
            client.ackAll();
        }
        assertThat(publishedKeys()).containsExactlyElementsOf(logged);
    }

    @Test
    void acksAreWrittenInBatches() {
        start(1000);
        for (int i = 0; i < 1000; i++) {
            reading("s" + (i % 10));
        }
        connect();
        awaitPublished(1000);
        assertThat(client.ackAll()).isEqualTo(1000);
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
        assertThat(log.acknowledgedKeys.get()).isEqualTo(1000);
        assertThat(log.acknowledgeCalls.get()).as("acknowledge calls for 1000 ACKs").isLessThan(1000);
        assertThat(poller.status(Optional.empty(), "memory").ackWrites()).isEqualTo(log.acknowledgeCalls.get());
    }

    // ------------------------------------------------------------------ streams and NACKs

    @Test
    void aNackParksOnlyItsStreamUntilResumed() {
        start(1, "readings=1", "config=2");
        AckKey bad = config("bad");
        AckKey good = config("good");
        List<AckKey> readings = List.of(reading("a"), reading("b"), reading("c"));
        connect();
        awaitPublished(1);
        // window 1: the streams take turns; answer whatever is in flight until the config NACK is seen
        List<AckKey> acked = new ArrayList<>();
        while (!acked.containsAll(readings) || poller.nacks().isEmpty()) {
            Await.until("something in flight", () -> client.inFlightCount() > 0, this::state);
            AckKey key = client.inFlight().get(0);
            if (key.equals(bad)) {
                client.nack(bad, Nack.of("E42", "bad configuration"));
                Await.until("the NACK is seen", () -> !poller.nacks().isEmpty(), this::state);
            } else {
                client.ack(key);
                acked.add(key);
            }
        }
        Await.until("readings delivered", () -> log.queueSize() == 2, this::state);
        assertThat(acked).as("the config stream stopped at the NACK").doesNotContain(good);

        List<ParkedEvent> nacks = poller.nacks();
        assertThat(nacks).hasSize(1);
        assertThat(nacks.get(0).stream()).isEqualTo("config");
        assertThat(nacks.get(0).event().ackKey()).isEqualTo(bad);
        assertThat(nacks.get(0).nack()).isEqualTo(Nack.of("E42", "bad configuration"));
        PollerStatus status = poller.status(Optional.empty(), "memory");
        StreamStatus config = status.streams().stream().filter(s -> s.name().equals("config")).findFirst()
                .orElseThrow();
        assertThat(config.parked()).isTrue();
        assertThat(config.queued()).isEqualTo(2);
        assertThat(status.nacked()).isEqualTo(1);
        assertThat(status.toString()).contains("PARKED").contains("E42").contains("bad configuration");

        // the readings stream still carries on while config is parked
        AckKey late = reading("d");
        Await.until("the new reading is published", () -> client.inFlight().contains(late), this::state);
        client.ack(late);

        int before = client.published.size();
        assertThat(poller.resumeAndWait("config")).isTrue();
        Await.until("the NACKed event is sent again", () -> client.inFlight().contains(bad), this::state);
        assertThat(client.published.get(before).ackKey()).isEqualTo(bad);
        client.ack(bad);
        Await.until("good is sent", () -> client.inFlight().contains(good), this::state);
        client.ack(good);
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
        assertThat(poller.nacks()).isEmpty();
        assertThat(poller.resumeAndWait("config")).as("not parked any more").isFalse();
        assertThatThrownBy(() -> poller.resumeAndWait("nope")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope").hasMessageContaining("readings, config, default");
    }

    @Test
    void eachStreamGetsItsShareOfTheWindow() {
        start(4, "readings=1");
        for (int i = 0; i < 10; i++) {
            reading("r" + i);
        }
        for (int i = 0; i < 10; i++) {
            log.appendNext(7, 1, ("o" + i).getBytes(), 1, new byte[0]);
        }
        connect();
        awaitPublished(4);
        long readingsInFlight = client.inFlight().stream().filter(k -> k.eventTypeId() == 1).count();
        assertThat(readingsInFlight).as("readings in flight of window 4 with two streams").isEqualTo(2);
        while (log.queueSize() > 0) {
            Await.until("something in flight", () -> client.inFlightCount() > 0 || log.queueSize() == 0, this::state);
            client.ackAll();
        }
    }

    @Test
    void aLoneStreamUsesTheWholeWindow() {
        start(4, "readings=1");
        for (int i = 0; i < 10; i++) {
            reading("r" + i);
        }
        connect();
        awaitPublished(4);
        assertThat(client.inFlightCount()).isEqualTo(4);
    }

    // ------------------------------------------------------------------ failures and reconnects

    @Test
    void aReconnectSendsEverythingUnacknowledgedAgain() {
        start(3);
        List<AckKey> logged = List.of(reading("a"), reading("b"), reading("c"), reading("d"));
        connect();
        awaitPublished(3);
        client.ack(logged.get(0));
        awaitPublished(4);
        client.drop();
        poller.connectionDown("test drop");
        connect();
        awaitPublished(7);
        assertThat(publishedKeys().subList(4, 7)).containsExactlyElementsOf(logged.subList(1, 4));
        client.ackAll();
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
        assertThat(poller.status(Optional.empty(), "memory").failed()).isEqualTo(3);
    }

    @Test
    void aFailedPublishOnALiveConnectionIsRetried() {
        start(2);
        AckKey a = reading("a");
        AckKey b = reading("b");
        connect();
        awaitPublished(2);
        client.drop(); // fails both, but the poller is not told the connection went down
        client.connected = true;
        Await.until("both sent again", () -> client.published.size() >= 4, this::state);
        assertThat(publishedKeys().subList(2, 4)).containsExactly(a, b);
        client.ackAll();
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
    }

    @Test
    void aPublishThatRacedWithTheConnectionUpSignalIsNotDoubled() {
        start(1);
        AckKey a = reading("a");
        client.connected = true; // the transport is connected; its connectionUp call is still on its way
        poller.wake();
        awaitPublished(1);
        poller.connectionUp("fake:4000");
        poller.status(Optional.empty(), "memory"); // the signal has been taken
        client.ack(a);
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
        assertThat(publishedKeys()).containsExactly(a);
    }

    @Test
    void aLateFailureFromTheOldConnectionSendsTheEventAgain() {
        start(1);
        AckKey a = reading("a");
        connect();
        awaitPublished(1);
        poller.connectionDown("lost"); // the transport failed nothing yet (it always does first)
        connect();
        poller.status(Optional.empty(), "memory");
        assertThat(client.published).as("a is still in flight: not sent twice").hasSize(1);
        client.drop();
        client.connected = true;
        awaitPublished(2);
        client.ack(a);
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
    }

    @Test
    void acknowledgementsThatCannotBeWrittenAreRetried() {
        start(1);
        AckKey a = reading("a");
        AckKey b = reading("b");
        log.failAcknowledge = new IllegalStateException("disk on fire");
        connect();
        awaitPublished(1);
        client.ack(a);
        awaitPublished(2);
        assertThat(client.published.get(1).ackKey()).as("a is ACKed even if not yet written").isEqualTo(b);
        log.failAcknowledge = null;
        client.ack(b);
        Await.until("the queue drains", () -> log.queueSize() == 0, this::state);
        assertThat(publishedKeys()).containsExactly(a, b);
    }

    // ------------------------------------------------------------------ swapping and reconfiguring

    @Test
    void aSwappedLogIsDeliveredFromItsBeginning() {
        start(2);
        CountingLog first = log;
        AckKey old = reading("a");
        connect();
        awaitPublished(1);

        CountingLog second = new CountingLog(1000);
        Event e1 = second.appendNext(1, 1, "x".getBytes(), 1, new byte[0]).event();
        Event e2 = second.appendNext(1, 1, "y".getBytes(), 1, new byte[0]).event();
        logRef.set(second);
        poller.wake();
        // window 2: the old log's event is still in flight, so one of the new log's goes out
        Await.until("x published", () -> client.inFlight().contains(e1.ackKey()), this::state);
        assertThat(client.inFlight()).containsExactly(old, e1.ackKey());
        client.ack(old);
        Await.until("y published", () -> client.inFlight().contains(e2.ackKey()), this::state);
        client.ackAll();
        Await.until("the new log drains", () -> second.queueSize() == 0, () -> "second " + second.pending());
        Await.until("the old log records its ACK", () -> first.queueSize() == 0, () -> "first " + first.pending());
    }

    @Test
    void reconfiguringChangesTheWindowAndKeepsParkedStreams() {
        start(1, "config=2");
        AckKey bad = config("bad");
        connect();
        awaitPublished(1);
        client.nack(bad, Nack.of("", "no"));
        Await.until("parked", () -> !poller.nacks().isEmpty(), this::state);
        for (int i = 0; i < 10; i++) {
            reading("r" + i);
        }
        awaitPublished(2);
        poller.reconfigure(new PollerSettings(5, HOUR, 0.1, PollerSettings.parseStreams(new String[] {"config=2"}),
                "default"));
        awaitPublished(6);
        assertThat(client.inFlightCount()).isEqualTo(5);
        assertThat(poller.nacks()).hasSize(1);
        assertThat(poller.settings().window()).isEqualTo(5);
    }

    @Test
    void theTickPollsWithoutWakeUps() {
        log = new CountingLog(100);
        logRef.set(log); // no listener: only the tick finds the event
        executor = Executors.newSingleThreadScheduledExecutor();
        poller = new Poller(new PollerSettings(1, Duration.ofMillis(50), 0.1, List.of(), "default"), clientRef::get,
                logRef::get, executor, Clock.systemUTC(), new SplittableRandom(1));
        poller.start();
        client.connected = true;
        poller.connectionUp("fake");
        poller.status(Optional.empty(), "memory"); // runs after the connection run: the empty log is read
        AckKey a = reading("a");
        awaitPublished(1);
        assertThat(client.published.get(0).ackKey()).isEqualTo(a);
    }
}
