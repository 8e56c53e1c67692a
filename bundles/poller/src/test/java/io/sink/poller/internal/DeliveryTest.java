package io.sink.poller.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.poller.StreamStatus;
import io.sink.poller.internal.outbox.ClientOutbox;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The delivery rules step by step, on the test's thread: no executor, no sleeps. The results the
 * fake client completes are queued and handed back with {@link #settleAll()}, as the poller thread
 * would; time moves only when the test moves {@link #clock}.
 */
class DeliveryTest {
    private final MutableClock clock = new MutableClock();
    private final Queue<Delivery.Settled> results = new ArrayDeque<>();
    private final FakeClient client = new FakeClient();
    private final CountingLog log = new CountingLog(10_000);
    private final ClientOutbox outbox = ClientOutbox.over(log, log, "memory");
    private Delivery delivery;
    private long changes;

    private Delivery delivery(int window, String... streams) {
        delivery = new Delivery(new PollerSettings(window, Duration.ofSeconds(5), 0, PollerSettings.parseStreams(streams),
                "default"), clock, results::add);
        return delivery;
    }

    @AfterEach
    void rules() {
        assertThat(client.violations).isEmpty();
    }

    /** One run of the poller thread: results, outbox changes, publishing, the ACK write. */
    private void run() {
        settleAll();
        delivery.outboxChanged(outbox.generation(), changes);
        delivery.pump(outbox);
        delivery.flushAcks(outbox);
    }

    /** What the poller does on the network thread that got a result: settle, then pump without reading. */
    private void runWithoutReading() {
        settleAll();
        delivery.outboxChanged(outbox.generation(), changes);
        delivery.pump(outbox, false);
    }

    private void settleAll() {
        Delivery.Settled s;
        while ((s = results.poll()) != null) {
            delivery.settle(s);
        }
    }

    private AckKey append(long type, String key) {
        changes++;
        return outbox.appendNext(type, 1, key.getBytes(), 1, new byte[] {1}).event().ackKey();
    }

    private void connect() {
        client.connected = true;
        delivery.connectionUp(client);
    }

    private List<AckKey> published() {
        return client.published.stream().map(Event::ackKey).toList();
    }

    @Test
    void windowOnePublishesInLogOrderOneAtATime() {
        delivery(1);
        AckKey a1 = append(1, "a");
        AckKey b1 = append(1, "b");
        AckKey a2 = append(1, "a");
        connect();
        run();
        assertThat(published()).containsExactly(a1);
        run();
        assertThat(published()).as("nothing more until the ACK").containsExactly(a1);
        client.ack(a1);
        run();
        client.ack(b1);
        run();
        client.ack(a2);
        run();
        assertThat(published()).containsExactly(a1, b1, a2);
        assertThat(log.queueSize()).isZero();
    }

    @Test
    void aPumpThatMayNotReadPublishesOnlyWhatWasReadAheadAndSaysWhenItHadToStop() {
        delivery(1);
        AckKey a = append(1, "a");
        AckKey b = append(1, "b");
        connect();
        runWithoutReading();
        assertThat(published()).as("nothing read ahead yet").isEmpty();
        assertThat(log.unacknowledgedCalls.get()).isZero();
        assertThat(delivery.takeReadWanted()).isTrue();
        assertThat(delivery.takeReadWanted()).as("cleared by the call").isFalse();

        run(); // reads both, publishes a
        assertThat(published()).containsExactly(a);
        long reads = log.unacknowledgedCalls.get();
        client.ack(a);
        runWithoutReading(); // as on the network thread that got the ACK
        assertThat(published()).containsExactly(a, b);
        assertThat(log.unacknowledgedCalls.get()).as("b came from the read-ahead").isEqualTo(reads);
        assertThat(delivery.takeReadWanted()).isFalse();

        client.ack(b);
        runWithoutReading();
        assertThat(log.unacknowledgedCalls.get()).as("the read-ahead is used up: no read").isEqualTo(reads);
        assertThat(delivery.takeReadWanted()).as("the log was read to its end, unchanged since").isFalse();
        AckKey c = append(1, "c");
        runWithoutReading();
        assertThat(published()).containsExactly(a, b);
        assertThat(delivery.takeReadWanted()).as("c needs a read").isTrue();
        run();
        assertThat(published()).containsExactly(a, b, c);
    }

    @Test
    void theEventsOfOneRunArePublishedTogetherInLogOrder() {
        delivery(16, "readings=1"); // two streams: their events of one run make one publishAll
        List<AckKey> appended = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            appended.add(append(1, "r" + i));
        }
        AckKey other = append(9, "o");
        connect();
        run();
        assertThat(client.batches).containsExactly(16);
        assertThat(published()).hasSize(16).contains(other);
        assertThat(published().stream().filter(k -> !k.equals(other)).toList())
                .containsExactlyElementsOf(appended.subList(0, 15));
        assertThat(client.ackAll()).isEqualTo(16);
        run();
        assertThat(client.batches).containsExactly(16, 5);
        assertThat(client.violations).isEmpty();
    }

    @Test
    void nothingIsPublishedBeforeAConnectionOrWhileItIsDown() {
        delivery(10);
        append(1, "a");
        run();
        connect();
        client.connected = false;
        run();
        assertThat(client.published).isEmpty();
    }

    @Test
    void eachStreamGetsItsShareOfTheWindowFirst() {
        delivery(6, "readings=1", "config=2"); // three streams with the default one: 2 each
        for (int i = 0; i < 10; i++) {
            append(1, "r" + i);
        }
        AckKey c1 = append(2, "c1");
        AckKey c2 = append(2, "c2");
        connect();
        run();
        assertThat(published()).as("config gets its share although readings were logged first").hasSize(6)
                .contains(c1, c2);
    }

    @Test
    void acksOfOneRunAreWrittenInOneCall() {
        delivery(100);
        for (int i = 0; i < 50; i++) {
            append(1, "s" + i);
        }
        connect();
        run();
        assertThat(client.ackAll()).isEqualTo(50);
        long before = log.acknowledgeCalls.get();
        run();
        assertThat(log.acknowledgeCalls.get() - before).isEqualTo(1);
        assertThat(log.queueSize()).isZero();
        assertThat(delivery.snapshot().ackWrites()).isEqualTo(1);
    }

    @Test
    void anAckWhoseWriteIsRunningElsewhereIsNotPublishedAgainAndARefusedWriteKeepsIt() {
        delivery(10);
        AckKey a = append(1, "a");
        AckKey b = append(1, "b");
        connect();
        run();
        client.ack(a);
        settleAll();
        // the poller hands a's ACK to its writer thread and goes on: a is still unacknowledged in the log
        List<AckKey> taken = delivery.takeAcks();
        assertThat(taken).containsExactly(a);
        assertThat(delivery.hasAcksToWrite()).isFalse();
        client.drop(); // b fails; the reconnect reads the log again from its start
        settleAll();
        connect();
        delivery.outboxChanged(outbox.generation(), changes);
        delivery.pump(outbox);
        assertThat(published()).as("a is not sent again while its ACK is being written").containsExactly(a, b, b);
        // the write is refused: a waits for the next write, still not sent again
        assertThat(delivery.acksWritten(taken, new IllegalStateException("disk full"))).isFalse();
        assertThat(delivery.hasAcksToWrite()).isTrue();
        delivery.connectionUp(client);
        delivery.pump(outbox);
        assertThat(published()).containsExactly(a, b, b);
        assertThat(log.queueSize()).isEqualTo(2);
        // the next write records it
        List<AckKey> again = delivery.takeAcks();
        outbox.acknowledge(again);
        assertThat(delivery.acksWritten(again, null)).isTrue();
        assertThat(again).containsExactly(a);
        assertThat(log.queueSize()).isEqualTo(1);
        assertThat(delivery.snapshot().ackWrites()).isEqualTo(1);
    }

    @Test
    void afterAReconnectEverythingUnacknowledgedIsSentAgainButNeverTwiceInFlight() {
        delivery(10);
        AckKey a = append(1, "a");
        AckKey b = append(1, "b");
        connect();
        run();
        client.ack(a);
        client.drop(); // b fails
        run();
        connect();
        run();
        assertThat(published()).containsExactly(a, b, b);
        assertThat(delivery.snapshot().failed()).isEqualTo(1);
    }

    @Test
    void aFailedPublishOnALiveConnectionHoldsForTheRetryTimeByTheClock() {
        delivery(1);
        AckKey a = append(1, "a");
        connect();
        run();
        // the transport failed it while the connection stays up (e.g. the window raced)
        client.failOne(a);
        run();
        assertThat(delivery.holdUntilMillis()).hasValue(clock.millis() + Delivery.RETRY_AFTER_FAILURE.toMillis());
        assertThat(published()).containsExactly(a);
        clock.advance(Delivery.RETRY_AFTER_FAILURE.minusMillis(1));
        run();
        assertThat(published()).as("still holding").containsExactly(a);
        clock.advance(Duration.ofMillis(1));
        run();
        assertThat(published()).containsExactly(a, a);
    }

    @Test
    void aNackParksOnlyItsStreamUntilResumed() {
        delivery(2, "config=2");
        AckKey bad = append(2, "bad");
        AckKey next = append(2, "next");
        AckKey reading = append(1, "r");
        connect();
        run();
        run();
        client.nack(bad, Nack.of("E1", "no"));
        client.ack(reading);
        run();
        run();
        assertThat(published()).containsExactlyInAnyOrder(bad, reading);
        StreamStatus config = delivery.snapshot().streams().stream().filter(s -> s.name().equals("config"))
                .findFirst().orElseThrow();
        assertThat(config.parked()).isTrue();
        assertThat(config.parkedOn().get(0).nackedAt()).isEqualTo(clock.instant());
        assertThat(delivery.resume("config")).isTrue();
        assertThat(delivery.resume("config")).isFalse();
        assertThatThrownBy(() -> delivery.resume("nope")).isInstanceOf(IllegalArgumentException.class);
        run();
        client.ack(bad);
        run();
        client.ack(next);
        run();
        assertThat(published()).containsExactlyInAnyOrder(bad, reading, bad, next);
        assertThat(log.queueSize()).isZero();
    }

    @Test
    void aDrainedStreamReadsTheLogAgainOnlyWhenItChanged() {
        delivery(10);
        connect();
        append(1, "a");
        run();
        client.ackAll();
        run();
        long reads = log.unacknowledgedCalls.get();
        run();
        run();
        assertThat(log.unacknowledgedCalls.get()).as("no read while nothing changed").isEqualTo(reads);
        AckKey b = append(1, "b");
        run();
        assertThat(published()).endsWith(b);
    }

    @Test
    void aSmallWindowReadsTheLogOncePerReadAheadAndARewindReadsItAgain() {
        delivery(1);
        List<AckKey> logged = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            logged.add(append(1, "k" + i));
        }
        connect();
        long reads = log.unacknowledgedCalls.get();
        run();
        for (int i = 0; i < 100; i++) {
            client.ackAll();
            run();
        }
        assertThat(published()).containsExactlyElementsOf(logged.subList(0, 101));
        assertThat(log.unacknowledgedCalls.get() - reads).as("101 events of the first 256 read at once").isEqualTo(1);

        // a reconnect goes back to the start of the log: the read-ahead is dropped, the log read again
        client.drop(); // event 100, in flight, fails
        delivery.connectionDown();
        run();
        connect();
        run();
        assertThat(log.unacknowledgedCalls.get() - reads).isEqualTo(2);
        assertThat(published()).hasSize(102).last().isEqualTo(logged.get(100)); // sent again
        while (log.queueSize() > 0) {
            client.ackAll();
            run();
        }
        assertThat(published()).containsSubsequence(logged);
    }

    @ParameterizedTest
    @ValueSource(ints = {256, 1000})
    void aLargeWindowOfSmallEventsReadsFourWindowsAheadSoSixteenRefillsNeedOneRead(int window) {
        delivery(window);
        for (int i = 0; i < 6 * window; i++) {
            append(1, "k" + (i % 8)); // sensor-reading-sized events
        }
        connect();
        run();
        assertThat(published()).as("the first read: a window").hasSize(window);
        long reads = log.unacknowledgedCalls.get();
        int refill = window / 4;
        ackOldest(refill);
        run();
        assertThat(published()).hasSize(window + refill);
        assertThat(log.unacknowledgedCalls.get() - reads).as("one read for the refill, four windows ahead")
                .isEqualTo(1);
        for (int n = 1; n < 16; n++) {
            ackOldest(refill);
            runWithoutReading(); // the thread that settled the ACKs, from memory
            assertThat(delivery.takeReadWanted()).as("refill %d needed no read", n).isFalse();
            assertThat(published()).hasSize(window + refill * (n + 1));
        }
        ackOldest(refill);
        runWithoutReading();
        assertThat(delivery.takeReadWanted()).as("the four windows read ahead are used up").isTrue();
        assertThat(published()).hasSize(window + 4 * window);
        assertThat(log.unacknowledgedCalls.get() - reads).isEqualTo(1);
        assertThat(published()).doesNotHaveDuplicates();
    }

    @Test
    void largeEventsAreReadAheadOnlyAsFarAsTheUsualAmount() {
        delivery(1000);
        for (int i = 0; i < 1500; i++) {
            changes++;
            outbox.appendNext(1, 1, ("k" + (i % 3)).getBytes(), 1, new byte[8192]); // 1 MiB is 128 of them
        }
        connect();
        run();
        assertThat(published()).hasSize(1000);
        ackOldest(250);
        run();
        assertThat(published()).hasSize(1250);
        ackOldest(250);
        runWithoutReading();
        assertThat(published()).as("the 6 read ahead beyond the 250 of the refill (256 at least)").hasSize(1256);
        assertThat(delivery.takeReadWanted()).isTrue();
    }

    private void ackOldest(int n) {
        client.inFlight().subList(0, n).forEach(client::ack);
    }

    @Test
    void aSwapMidStreamKeepsAckKeysAndAnAckOfTheOldStoreCounts() {
        delivery(10);
        AckKey a = append(1, "a");
        connect();
        run();
        CountingLog other = new CountingLog(100);
        outbox.use(other, "other");
        AckKey a2 = append(1, "a");
        run(); // new generation: cursors back to the start; a (in flight) is not sent twice
        assertThat(published()).containsExactly(a, a2);
        assertThat(a2.offset()).isEqualTo(2);
        client.ackAll();
        run();
        assertThat(other.queueSize()).isZero();
        assertThat(log.queueSize()).isZero();
    }

    /** A clock the test moves. */
    static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
