package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.AckKey;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.TestDb;
import io.sink.testsupport.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention deletes acknowledged events only, in batches, between the writes. */
class RetentionTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    final TestStores.MutableClock clock = new TestStores.MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    SqliteEventLog log;

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private void open(UnaryOperator<StoreSettings.Builder> adjust) {
        log = TestStores.open(adjust.apply(TestStores.settings(dir)
                .retentionPeriod(Duration.ofHours(1))).build(), clock);
    }

    /** Logs {@code n} events spread over three keys. */
    private List<LoggedEvent> logEvents(int n) {
        List<LoggedEvent> events = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            events.add(log.appendNext(1, 1, ("k" + i % 3).getBytes(UTF_8), i, new byte[] {(byte) i}));
        }
        return events;
    }

    private void acknowledge(List<LoggedEvent> events) {
        log.acknowledge(events.stream().map(e -> e.event().ackKey()).toList());
    }

    private long count(String where) throws Exception {
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            return TestDb.queryLong(c, "SELECT count(*) FROM events WHERE " + where);
        }
    }

    @Test
    void eventsAcknowledgedLongerAgoThanTheMaximumAgeAreDeletedInBatches() throws Exception {
        open(b -> b.retentionMaxAge(Duration.ofDays(7)).retentionMaxCount(0).retentionBatchSize(10));
        List<LoggedEvent> events = logEvents(60);
        acknowledge(events.subList(0, 35));
        clock.advance(Duration.ofDays(7).plusSeconds(1));
        acknowledge(events.subList(35, 45)); // acknowledged recently: kept

        assertThat(log.runRetention()).isEqualTo(35);
        assertThat(log.retentionTransactions()).isEqualTo(4); // 10 + 10 + 10 + 5

        assertThat(count("acked_at IS NULL")).isEqualTo(15);
        assertThat(count("acked_at IS NOT NULL")).isEqualTo(10);
        assertThat(log.queueSize()).isEqualTo(15);
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 100)).containsExactlyElementsOf(events.subList(45, 60));
        // the last event of each key stays, and with it the key's offset counter
        assertThat(log.lastEvents(1)).hasSize(3);
        assertThat(log.appendNext(1, 1, "k0".getBytes(UTF_8), 99, new byte[0]).event().offset()).isEqualTo(21);

        clock.advance(Duration.ofDays(8));
        assertThat(log.runRetention()).isEqualTo(10);
        assertThat(count("1")).isEqualTo(16);
        assertThat(log.runRetention()).isZero();
    }

    @Test
    void acknowledgedEventsBeyondTheMaximumCountAreDeletedOldestAcknowledgementFirst() throws Exception {
        open(b -> b.retentionMaxAge(Duration.ZERO).retentionMaxCount(10).retentionBatchSize(7));
        List<LoggedEvent> events = logEvents(50);
        acknowledge(events.subList(20, 40));
        clock.advance(Duration.ofSeconds(1));
        acknowledge(events.subList(0, 10)); // acknowledged last: these are the ones kept

        assertThat(log.runRetention()).isEqualTo(20);
        assertThat(log.retentionTransactions()).isEqualTo(3); // 7 + 7 + 6

        assertThat(count("acked_at IS NULL")).isEqualTo(20);
        assertThat(count("acked_at IS NOT NULL AND sequence <= " + events.get(9).sequence())).isEqualTo(10);
        assertThat(count("acked_at IS NOT NULL")).isEqualTo(10);
        assertThat(log.queueSize()).isEqualTo(20);
    }

    @Test
    void unacknowledgedEventsAreNeverDeleted() throws Exception {
        open(b -> b.retentionMaxAge(Duration.ofSeconds(1)).retentionMaxCount(1).retentionBatchSize(3));
        List<LoggedEvent> events = logEvents(20);
        clock.advance(Duration.ofDays(365));
        assertThat(log.runRetention()).isZero();
        assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 100)).containsExactlyElementsOf(events);

        log.acknowledge(List.of(events.get(3).event().ackKey(), AckKey.of(1, "unknown", 1)));
        clock.advance(Duration.ofSeconds(2));
        assertThat(log.runRetention()).isEqualTo(1);
        assertThat(count("1")).isEqualTo(19);
        assertThat(log.queueSize()).isEqualTo(19);
    }

    @Test
    void retentionBatchesTakeTurnsWithTheWrites() throws Exception {
        open(b -> b.retentionMaxAge(Duration.ZERO).retentionMaxCount(1).retentionBatchSize(5));
        acknowledge(logEvents(21)); // 20 to delete: 4 batches
        CountDownLatch release = new CountDownLatch(1);
        log.writer().execute(() -> {
            try {
                release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        // queued behind the blocked writer: the first retention batch, then the write
        CompletableFuture<Long> retention = log.retentionNow();
        // a write that notes, on the writer thread, how many retention batches ran before it
        CompletableFuture<Long> written = log.writer().submit(c -> {
            EventLogSql.insert(c, io.sink.api.Event.of(2, 1, "w", 1, 1, new byte[0]));
            return log.retentionTransactions();
        });
        Await.until("the write queued", TIMEOUT, () -> log.writer().queuedWrites() == 1);
        release.countDown();

        // the write is committed after the first retention batch, not after all four
        assertThat(written.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(retention.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(20);
        assertThat(log.retentionTransactions()).isEqualTo(4);
    }

    @Test
    void retentionRunsPeriodicallyInTheBackground() throws Exception {
        log = TestStores.open(TestStores.settings(dir).retentionMaxAge(Duration.ZERO).retentionMaxCount(2)
                .retentionBatchSize(4).retentionPeriod(Duration.ofMillis(20)).build(), clock);
        acknowledge(logEvents(30));
        Await.until("background retention", TIMEOUT, () -> log.retentionDeleted() == 28);
        assertThat(count("1")).isEqualTo(2);
    }
}
