package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.TestDb;
import io.sink.testsupport.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer thread, group commit, and many threads writing and reading at once. */
class GroupCommitTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dir;
    SqliteEventLog log;
    final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        if (log != null) {
            log.close();
        }
    }

    /** Holds the writer thread until released, so that writes pile up in its queue. */
    private CountDownLatch blockWriter() throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        log.writer().execute(() -> {
            blocked.countDown();
            try {
                release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(blocked.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return release;
    }

    private List<Future<LoggedEvent>> appendConcurrently(int n) {
        List<Future<LoggedEvent>> calls = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] key = ("sensor-" + (i % 3)).getBytes(UTF_8);
            long timestamp = i;
            calls.add(pool.submit(() -> log.appendNext(1, 1, key, timestamp, new byte[] {1})));
        }
        return calls;
    }

    @Test
    void writesQueuedTogetherAreCommittedInOneTransaction() throws Exception {
        log = TestStores.open(dir);
        CountDownLatch release = blockWriter();
        long transactions = log.writer().transactions();
        long committed = log.writer().committedWrites();

        List<Future<LoggedEvent>> calls = appendConcurrently(10);
        Await.until("10 queued writes", TIMEOUT, () -> log.writer().queuedWrites() == 10);
        assertThat(calls).noneMatch(Future::isDone); // nobody returns before the commit
        release.countDown();
        for (Future<LoggedEvent> call : calls) {
            call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }

        assertThat(log.writer().transactions() - transactions).isEqualTo(1);
        assertThat(log.writer().committedWrites() - committed).isEqualTo(10);
        assertThat(log.queueSize()).isEqualTo(10);
    }

    @Test
    void aTransactionTakesAtMostTheConfiguredNumberOfWrites() throws Exception {
        log = TestStores.open(dir, b -> b.maxWritesPerTransaction(3));
        CountDownLatch release = blockWriter();
        long transactions = log.writer().transactions();

        List<Future<LoggedEvent>> calls = appendConcurrently(10);
        Await.until("10 queued writes", TIMEOUT, () -> log.writer().queuedWrites() == 10);
        release.countDown();
        for (Future<LoggedEvent> call : calls) {
            call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(log.writer().transactions() - transactions).isEqualTo(4); // 3 + 3 + 3 + 1
    }

    @Test
    void aFailingWriteIsRolledBackAloneAndReportedToItsCaller() throws Exception {
        log = TestStores.open(dir);
        Event existing = Event.of(9, 1, "dup", 1, 1, new byte[] {1});
        log.append(existing);
        CountDownLatch release = blockWriter();
        long transactions = log.writer().transactions();

        Future<LoggedEvent> before = pool.submit(() -> log.appendNext(1, 1, "a".getBytes(UTF_8), 1, new byte[0]));
        Await.until("first queued write", TIMEOUT, () -> log.writer().queuedWrites() == 1);
        Future<Long> duplicate = pool.submit(() -> log.append(Event.of(9, 1, "dup", 1, 2, new byte[] {2})));
        Await.until("second queued write", TIMEOUT, () -> log.writer().queuedWrites() == 2);
        Future<LoggedEvent> after = pool.submit(() -> log.appendNext(1, 1, "b".getBytes(UTF_8), 1, new byte[0]));
        Await.until("third queued write", TIMEOUT, () -> log.writer().queuedWrites() == 3);
        release.countDown();

        assertThat(before.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).event().offset()).isEqualTo(1);
        assertThat(after.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).event().offset()).isEqualTo(1);
        assertThatThrownBy(() -> duplicate.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already in the event log");
        assertThat(log.writer().transactions() - transactions).isEqualTo(1);
        assertThat(log.unacknowledged(Set.of(9L), Set.of(), 0, 10)).extracting(LoggedEvent::event)
                .containsExactly(existing);
        assertThat(log.queueSize()).isEqualTo(3);
    }

    @Test
    void aFailedCommitIsReportedToEveryCallerOfTheBatch() throws Exception {
        log = TestStores.open(dir);
        CountDownLatch release = blockWriter();
        // a write that ends the transaction behind the writer's back makes the commit fail
        var broken = log.writer().submit(c -> {
            try (var s = c.createStatement()) {
                s.execute("ROLLBACK");
            }
            return null;
        });
        Await.until("queued write", TIMEOUT, () -> log.writer().queuedWrites() == 1);
        Future<LoggedEvent> victim = pool.submit(() -> log.appendNext(1, 1, "v".getBytes(UTF_8), 1, new byte[0]));
        Await.until("queued writes", TIMEOUT, () -> log.writer().queuedWrites() == 2);
        release.countDown();

        assertThatThrownBy(() -> victim.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.toString());
        assertThat(broken).isCompletedExceptionally();
        assertThat(log.queueSize()).isZero();
        // the writer goes on
        assertThat(log.appendNext(1, 1, "v".getBytes(UTF_8), 1, new byte[0]).event().offset()).isEqualTo(1);
    }

    @Test
    void manyWritersAndAnAcknowledgerNeverCollideAndLoseNothing() throws Exception {
        log = TestStores.open(dir);
        int writers = 8;
        int perWriter = 250;
        int keys = 5;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Map<String, List<Long>> offsets = new ConcurrentHashMap<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        long transactionsBefore = log.writer().transactions();
        long writesBefore = log.writer().committedWrites();

        List<Future<?>> tasks = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            tasks.add(pool.submit(() -> {
                try {
                    for (int i = 0; i < perWriter; i++) {
                        String key = "sensor-" + ((writer + i) % keys);
                        LoggedEvent e = log.appendNext(1, 1, key.getBytes(UTF_8), i, new byte[] {(byte) i});
                        offsets.computeIfAbsent(key, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                                .add(e.event().offset());
                        // committed before return: a reader connection sees it at once
                        long last = log.lastEvent(1, key.getBytes(UTF_8)).orElseThrow().offset();
                        if (last < e.event().offset()) {
                            throw new AssertionError("last offset " + last + " behind " + e.event().offset());
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        Future<Long> acker = pool.submit(() -> {
            long acknowledged = 0;
            long after = 0;
            try {
                while (writing.get() || log.queueSize() > 0) {
                    List<LoggedEvent> batch = log.unacknowledged(Set.of(), Set.of(), after, 50);
                    if (!batch.isEmpty()) {
                        after = batch.get(batch.size() - 1).sequence();
                        log.acknowledge(batch.stream().map(e -> e.event().ackKey()).toList());
                        acknowledged += batch.size();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable t) {
                failures.add(t);
            }
            return acknowledged;
        });
        Future<?> reader = pool.submit(() -> {
            try {
                while (writing.get()) {
                    log.lastEvents(1);
                    log.queueSize();
                    log.nextEvent();
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });

        for (Future<?> task : tasks) {
            task.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        writing.set(false);
        long acknowledged = acker.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        reader.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertThat(failures).isEmpty();
        int total = writers * perWriter;
        assertThat(acknowledged).isEqualTo(total);
        assertThat(log.queueSize()).isZero();
        Map<String, List<Long>> sorted = new TreeMap<>();
        offsets.forEach((k, v) -> sorted.put(k, v.stream().sorted().toList()));
        assertThat(sorted).hasSize(keys);
        sorted.forEach((key, list) -> assertThat(list).as(key)
                .isEqualTo(LongStream.rangeClosed(1, total / keys).boxed().toList()));

        long writes = log.writer().committedWrites() - writesBefore;
        long transactions = log.writer().transactions() - transactionsBefore;
        assertThat(writes).isGreaterThanOrEqualTo(total);
        assertThat(transactions).as("group commit: %d transactions for %d writes", transactions, writes)
                .isLessThan(writes);

        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM events")).isEqualTo(total);
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM events WHERE acked_at IS NULL")).isZero();
            for (int k = 0; k < keys; k++) {
                assertThat(TestDb.queryLong(c, "SELECT max(event_offset) - min(event_offset) + 1 - count(*)"
                        + " FROM events WHERE event_key = CAST('sensor-" + k + "' AS BLOB)")).isZero();
            }
            assertThat(TestDb.queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
        }
        System.out.printf("group commit: %d writes in %d transactions%n", writes, transactions);
    }

    @Test
    void writesAfterCloseFailClearly() {
        log = TestStores.open(dir);
        log.close();
        assertThatThrownBy(() -> log.acknowledge(List.of(AckKey.of(1, "a", 1))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThat(log.writer().submit(c -> 1)).isCompletedExceptionally();
    }

    @Test
    void closeCommitsWhatIsAlreadyQueued() throws Exception {
        log = TestStores.open(dir);
        CountDownLatch release = blockWriter();
        List<Future<LoggedEvent>> calls = appendConcurrently(5);
        Await.until("5 queued writes", TIMEOUT, () -> log.writer().queuedWrites() == 5);
        Future<?> closing = pool.submit(log::close);
        release.countDown();
        closing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        for (Future<LoggedEvent> call : calls) {
            call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        log = TestStores.open(dir);
        assertThat(log.queueSize()).isEqualTo(5);
    }
}
