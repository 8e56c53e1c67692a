package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FreshnessTest {

    @Test
    void unknownClientHasNoFreshness() {
        Freshness freshness = new Freshness();
        assertThat(freshness.of("nobody")).isEmpty();
        assertThat(freshness.of("nobody", 1)).isEmpty();
    }

    @Test
    void keepsTheLatestTimestampPerEventType() {
        Freshness freshness = new Freshness();
        freshness.record("c1", 1, 100);
        freshness.record("c1", 1, 250);
        freshness.record("c1", 1, 200); // an older event ACKed later
        freshness.record("c1", 2, 50);
        assertThat(freshness.of("c1")).containsExactly(Map.entry(1L, 250L), Map.entry(2L, 50L));
        assertThat(freshness.of("c1", 1)).isEqualTo(OptionalLong.of(250));
        assertThat(freshness.of("c1", 3)).isEmpty();
    }

    @Test
    void clientsAreSeparate() {
        Freshness freshness = new Freshness();
        freshness.record("c1", 1, 100);
        freshness.record("c2", 1, 7);
        assertThat(freshness.of("c1")).containsExactly(Map.entry(1L, 100L));
        assertThat(freshness.of("c2")).containsExactly(Map.entry(1L, 7L));
    }

    @Test
    void resultIsAnOrderedUnmodifiableCopy() {
        Freshness freshness = new Freshness();
        freshness.record("c", 30, 1);
        freshness.record("c", 2, 1);
        freshness.record("c", 11, 1);
        Map<Long, Long> map = freshness.of("c");
        assertThat(map.keySet()).containsExactly(2L, 11L, 30L);
        freshness.record("c", 2, 99);
        assertThat(map.get(2L)).isEqualTo(1L);
        assertThatThrownBy(() -> map.put(5L, 5L)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void eventTypesAreUnsigned64Bit() {
        Freshness freshness = new Freshness();
        freshness.record("c", -1L, 5);
        freshness.record("c", Long.MIN_VALUE, 6);
        freshness.record("c", 1, 7);
        assertThat(freshness.of("c")).containsExactly(java.util.Map.entry(1L, 7L),
                java.util.Map.entry(Long.MIN_VALUE, 6L), java.util.Map.entry(-1L, 5L));
        assertThat(freshness.of("c", -1L)).hasValue(5);
    }

    @Test
    void rejectsBadInput() {
        Freshness freshness = new Freshness();
        assertThatThrownBy(() -> freshness.record(null, 1, 1)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> freshness.record("c", 1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("timestamp must not be negative, got -1");
        assertThatThrownBy(() -> freshness.of(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void concurrentRecordsKeepTheMaximum() throws Exception {
        Freshness freshness = new Freshness();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        long timestamp = (i * 7919L + offset * 104_729L) % 1_000_003L;
                        freshness.record("c" + (i % 3), i % 5, timestamp);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        for (int c = 0; c < 3; c++) {
            for (int type = 0; type < 5; type++) {
                long max = -1;
                for (int t = 0; t < threads; t++) {
                    for (int i = 0; i < 20_000; i++) {
                        if (i % 3 == c && i % 5 == type) {
                            max = Math.max(max, (i * 7919L + t * 104_729L) % 1_000_003L);
                        }
                    }
                }
                assertThat(freshness.of("c" + c, type)).isEqualTo(OptionalLong.of(max));
            }
        }
    }
}
