package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.ConnectionStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionCountersTest {
    private static final Instant SINCE = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void snapshotCarriesEveryCounter() {
        ConnectionCounters counters = new ConnectionCounters();
        counters.connected(SINCE);
        counters.frameReceived(2); // e.g. an ACK
        counters.frameReceived(100);
        counters.frameSent(1); // e.g. a CONNECTION_RESPONSE
        counters.frameSent(65_535);
        counters.frameSent(5);
        counters.pingSent();
        counters.pongReceived();
        counters.pongReceived();
        counters.ackReceived();
        counters.ackReceived();
        counters.ackReceived();
        counters.nackReceived();
        counters.nackSent();
        counters.nackSent();

        assertThat(counters.snapshot("10.0.0.5:4000", 7)).isEqualTo(new ConnectionStats(SINCE, "10.0.0.5:4000",
                2, 3, 2 + 2 + 100 + 2, 1 + 2 + 65_535 + 2 + 5 + 2, 1, 2, 7, 3, 1, 2));
    }

    @Test
    void freshCountersAreZero() {
        ConnectionCounters counters = new ConnectionCounters();
        counters.connected(SINCE);
        assertThat(counters.snapshot("p", 0)).isEqualTo(new ConnectionStats(SINCE, "p", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void noSnapshotBeforeTheHandshake() {
        ConnectionCounters counters = new ConnectionCounters();
        counters.frameReceived(10);
        assertThat(counters.connectedSince()).isEmpty();
        assertThatThrownBy(() -> counters.snapshot("p", 0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("no stats before the handshake completed");
        counters.connected(SINCE);
        assertThat(counters.connectedSince()).contains(SINCE);
        assertThat(counters.snapshot("p", 0).framesIn()).as("counted before the handshake too").isEqualTo(1);
    }

    @Test
    void connectedOnce() {
        ConnectionCounters counters = new ConnectionCounters();
        counters.connected(SINCE);
        assertThatThrownBy(() -> counters.connected(SINCE.plusSeconds(1))).isInstanceOf(IllegalStateException.class)
                .hasMessage("connected already, since 2026-03-01T12:00:00Z");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 65_536})
    void rejectsImpossibleFrameLengths(int length) {
        ConnectionCounters counters = new ConnectionCounters();
        assertThatThrownBy(() -> counters.frameReceived(length)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("frame length must be between 1 and 65535, got " + length);
        assertThatThrownBy(() -> counters.frameSent(length)).isInstanceOf(IllegalArgumentException.class);
        counters.connected(SINCE);
        assertThat(counters.snapshot("p", 0).framesIn()).isZero();
    }

    @Test
    void rejectsBadSnapshotArguments() {
        ConnectionCounters counters = new ConnectionCounters();
        counters.connected(SINCE);
        assertThatThrownBy(() -> counters.snapshot(null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> counters.snapshot("p", -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> counters.connected(null)).isInstanceOf(NullPointerException.class);
    }

    /** Writers on several threads and a reader taking snapshots meanwhile: nothing is lost. */
    @Test
    void countsExactlyUnderConcurrentUseAndSnapshotsNeverGoBackwards() throws Exception {
        ConnectionCounters counters = new ConnectionCounters();
        counters.connected(SINCE);
        int writers = 4;
        int perWriter = 50_000;
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicBoolean writing = new AtomicBoolean(true);
            List<Future<?>> writes = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                writes.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perWriter; i++) {
                        counters.frameReceived(10);
                        counters.frameSent(20);
                        counters.ackReceived();
                        counters.nackSent();
                        counters.pingSent();
                    }
                    return null;
                }));
            }
            Future<Integer> reads = pool.submit(() -> {
                start.await();
                ConnectionStats last = counters.snapshot("p", 0);
                int snapshots = 0;
                while (writing.get() || snapshots == 0) {
                    // counters are read one after the other, so only each one on its own is checked
                    ConnectionStats stats = counters.snapshot("p", 0);
                    assertThat(stats.framesIn()).isGreaterThanOrEqualTo(last.framesIn());
                    assertThat(stats.bytesIn()).isGreaterThanOrEqualTo(last.bytesIn());
                    assertThat(stats.framesOut()).isGreaterThanOrEqualTo(last.framesOut());
                    assertThat(stats.acksReceived()).isGreaterThanOrEqualTo(last.acksReceived());
                    assertThat(stats.bytesIn() % 12).as("whole frames of 10 + 2 bytes").isZero();
                    last = stats;
                    snapshots++;
                }
                return snapshots;
            });
            start.countDown();
            for (Future<?> write : writes) {
                write.get(60, TimeUnit.SECONDS);
            }
            writing.set(false);
            assertThat(reads.get(60, TimeUnit.SECONDS)).isPositive();
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        long n = (long) writers * perWriter;
        assertThat(counters.snapshot("p", 3))
                .isEqualTo(new ConnectionStats(SINCE, "p", n, n, 12 * n, 22 * n, n, 0, 3, n, 0, n));
    }
}
