package io.sink.server.store.internal;

import static io.sink.server.store.internal.TestStores.TIMEOUT;
import static io.sink.server.store.internal.TestStores.reading;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.sqlite.SqliteSettings;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many concurrent store() calls share transactions; each completes after the commit holding it. */
class GroupCommitTest {

    @TempDir
    Path dir;
    SqliteReceivedEventStore store;
    final ExecutorService pool = Executors.newFixedThreadPool(8);

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        if (store != null) {
            store.close();
        }
    }

    @Test
    void eventsQueuedTogetherShareOneTransaction() throws Exception {
        store = TestStores.open(dir);
        CountDownLatch release = TestStores.blockWriter(store);
        long transactions = store.writer().transactions();
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            stages.add(store.store("alice", reading("kitchen", i)));
        }
        release.countDown();
        for (CompletionStage<Outcome> s : stages) {
            assertThat(s.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Outcome.STORED);
        }
        assertThat(store.writer().transactions() - transactions).isEqualTo(1);
    }

    @Test
    void eventsStoredTogetherShareOneTransactionWithoutHoldingTheWriter() throws Exception {
        store = TestStores.open(dir);
        assertThat(store.count("alice")).isZero(); // the schema is in place: the writer is idle
        long transactions = store.writer().transactions();
        List<io.sink.api.Event> events = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            events.add(reading("kitchen", i));
        }
        // the writer is woken once all 50 are queued, not at the first: one commit for all
        for (CompletionStage<Outcome> s : store.storeAll("alice", events)) {
            assertThat(s.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Outcome.STORED);
        }
        assertThat(store.writer().transactions() - transactions).isEqualTo(1);
        assertThat(store.count("alice")).isEqualTo(50);
    }

    @Test
    void aBatchAnswersNewEventsDuplicatesAndConflictsWithoutFallingBackToOneByOne() throws Exception {
        store = TestStores.open(dir);
        assertThat(store.store("alice", reading("kitchen", 1)).toCompletableFuture()
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(Outcome.STORED);
        CountDownLatch release = TestStores.blockWriter(store);
        long transactions = store.writer().transactions();
        long retries = store.writer().batchRetries();
        io.sink.api.Event conflicting = io.sink.api.Event.of(1, 1, "kitchen", 1, 1_700_000_001L, new byte[] {9});
        io.sink.api.Event conflictingInBatch = io.sink.api.Event.of(1, 1, "kitchen", 2, 1_700_000_002L,
                new byte[] {9});
        List<CompletionStage<Outcome>> stages = List.of(
                store.store("alice", reading("kitchen", 1)), // stored before
                store.store("alice", conflicting), // stored before with other content
                store.store("alice", reading("kitchen", 2)), // new
                store.store("bob", reading("kitchen", 1)), // new: another client
                store.store("alice", reading("kitchen", 2)), // new a moment ago, in this very batch
                store.store("alice", conflictingInBatch), // conflicts with one of this batch
                store.store("alice", reading("kitchen", 3)));
        release.countDown();
        List<Outcome> outcomes = new ArrayList<>();
        for (CompletionStage<Outcome> s : stages) {
            outcomes.add(s.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        }
        assertThat(outcomes).containsExactly(Outcome.DUPLICATE, Outcome.CONFLICT, Outcome.STORED, Outcome.STORED,
                Outcome.DUPLICATE, Outcome.CONFLICT, Outcome.STORED);
        assertThat(store.writer().transactions() - transactions).isEqualTo(1);
        assertThat(store.writer().batchRetries() - retries).isZero();
        assertThat(store.count("alice")).isEqualTo(3);
        assertThat(store.count("bob")).isEqualTo(1);
        assertThat(store.latest("alice", 3)).extracting(e -> e.event().offset()).containsExactly(3L, 2L, 1L);
        assertThat(store.latest("alice", 3).get(1).event()).isEqualTo(reading("kitchen", 2));
    }

    @Test
    void theBatchSizeIsBounded() throws Exception {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("events.db")).maxWritesPerTransaction(8).build();
        store = TestStores.open(settings, Clock.systemUTC());
        CountDownLatch release = TestStores.blockWriter(store);
        long transactions = store.writer().transactions();
        List<CompletionStage<Outcome>> stages = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            stages.add(store.store("alice", reading("kitchen", i)));
        }
        release.countDown();
        for (CompletionStage<Outcome> s : stages) {
            s.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(store.writer().transactions() - transactions).isEqualTo(3); // 8 + 8 + 4
    }

    @Test
    void concurrentClientsNeedFewerTransactionsThanEventsAndLoseNothing() throws Exception {
        store = TestStores.open(dir);
        int clients = 8;
        int perClient = 250;
        long transactions = store.writer().transactions();
        long writes = store.writer().committedWrites();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Future<?>> tasks = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String client = "client-" + c;
            tasks.add(pool.submit(() -> {
                // like a network thread: many stores in flight, never waiting between them
                List<CompletionStage<Outcome>> inFlight = new ArrayList<>();
                for (int i = 1; i <= perClient; i++) {
                    inFlight.add(store.store(client, reading("sensor", i)));
                    if (inFlight.size() == 50) {
                        for (CompletionStage<Outcome> s : inFlight) {
                            s.toCompletableFuture().join();
                        }
                        inFlight.clear();
                    }
                }
                for (CompletionStage<Outcome> s : inFlight) {
                    s.toCompletableFuture().join();
                }
                return null;
            }));
        }
        for (Future<?> task : tasks) {
            try {
                task.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                failures.add(e);
            }
        }
        assertThat(failures).isEmpty();
        long committed = store.writer().committedWrites() - writes;
        long used = store.writer().transactions() - transactions;
        assertThat(committed).isEqualTo((long) clients * perClient);
        assertThat(used).as("%d transactions for %d events", used, committed).isLessThan(committed);
        for (int c = 0; c < clients; c++) {
            assertThat(store.count("client-" + c)).isEqualTo(perClient);
        }
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM received_events")).isEqualTo(clients * perClient);
            assertThat(TestDb.queryStrings(c, "PRAGMA integrity_check")).containsExactly("ok");
        }
    }
}
