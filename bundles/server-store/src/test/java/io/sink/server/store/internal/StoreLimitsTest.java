package io.sink.server.store.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore.Outcome;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server store's size limit and per-client quota, on real SQLite files. */
class StoreLimitsTest {
    @TempDir
    Path dir;
    SqliteReceivedEventStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    private void open(StoreLimits limits) {
        store = SqliteReceivedEventStore.open(io.sink.sqlite.DataSourceSqlExecutor.forSqlite(TestStores.settings(dir)),
                TestStores.settings(dir), Clock.systemUTC(), limits);
    }

    /** The outcome, or the failure's message prefixed with "refused: ". */
    private String store(String client, Event event) throws InterruptedException, TimeoutException {
        CompletableFuture<Outcome> stage = store.store(client, event).toCompletableFuture();
        try {
            return stage.get(60, TimeUnit.SECONDS).name();
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StoreFullException.class);
            return "refused: " + e.getCause().getMessage();
        }
    }

    private static Event event(String key, long offset, int size) {
        return Event.of(1, 1, key, offset, offset, new byte[size]);
    }

    @Test
    void aClientFloodingTheServerIsStoppedAtItsQuotaAndOthersAreNot() throws Exception {
        long quota = 1 << 20;
        open(new StoreLimits(0, quota));
        // the flood of "Why 5" (240 MB in 8 s), scaled down: 5 MB in events of 10 kB against a 1 MB quota
        int stored = 0;
        String refusal = null;
        for (int offset = 1; offset <= 500; offset++) {
            String outcome = store("flooder", event("f", offset, 10_000));
            if (outcome.equals("STORED")) {
                stored++;
            } else {
                refusal = outcome;
            }
        }
        assertThat(refusal).contains("flooder").contains("quota maxClientBytes=" + quota).contains("not stored");
        assertThat((long) stored * 10_001).isLessThanOrEqualTo(quota);
        assertThat(stored).isGreaterThan(90);
        assertThat(store.count("flooder")).isEqualTo(stored);
        assertThat(store.refusedCount()).isEqualTo(500 - stored);
        // a re-sent event already stored is still a duplicate (ACKed again), not refused
        assertThat(store("flooder", event("f", 1, 10_000))).isEqualTo("DUPLICATE");
        // another client is not affected
        assertThat(store("honest", event("h", 1, 100))).isEqualTo("STORED");
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            assertThat(TestDb.queryLong(c, "SELECT bytes FROM received_counts WHERE client_id = 'flooder'"))
                    .isEqualTo(stored * 10_001L);
        }
    }

    @Test
    void aBatchOverTheQuotaIsWrittenOneByOneAndStoresExactlyWhatFits() throws Exception {
        long quota = 1 << 20;
        open(new StoreLimits(0, quota));
        assertThat(store("flooder", event("f", 1, 10_000))).isEqualTo("STORED");
        // queued together: one transaction, one batch that goes over the quota
        CountDownLatch release = TestStores.blockWriter(store);
        List<CompletableFuture<Outcome>> stages = new ArrayList<>();
        for (int offset = 1; offset <= 300; offset++) {
            stages.add(store.store("flooder", event("f", offset, 10_000)).toCompletableFuture());
        }
        stages.add(store.store("honest", event("h", 1, 100)).toCompletableFuture());
        long retries = store.writer().batchRetries();
        release.countDown();
        List<String> outcomes = new ArrayList<>();
        for (CompletableFuture<Outcome> stage : stages) {
            try {
                outcomes.add(stage.get(60, TimeUnit.SECONDS).name());
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StoreFullException.class);
                outcomes.add("refused");
            }
        }
        assertThat(store.writer().batchRetries() - retries).isEqualTo(1);
        long stored = outcomes.subList(1, 300).stream().filter("STORED"::equals).count() + 1; // and the first one
        assertThat(outcomes.get(0)).isEqualTo("DUPLICATE");
        assertThat(outcomes.get(300)).isEqualTo("STORED");
        // what fits is stored, in order, and nothing after the first refusal
        assertThat(outcomes.subList(1, 300)).startsWith("STORED").endsWith("refused");
        int firstRefused = outcomes.indexOf("refused");
        assertThat(outcomes.subList(firstRefused, 300)).containsOnly("refused");
        assertThat(stored * 10_001).isLessThanOrEqualTo(quota);
        assertThat((stored + 1) * 10_001).isGreaterThan(quota);
        assertThat(store.count("flooder")).isEqualTo(stored);
        assertThat(store.count("honest")).isEqualTo(1);
        try (Connection c = TestDb.connect(dir.resolve("events.db"))) {
            assertThat(TestDb.queryLong(c, "SELECT bytes FROM received_counts WHERE client_id = 'flooder'"))
                    .isEqualTo(stored * 10_001L);
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM received_events")).isEqualTo(stored + 1);
        }
    }

    @Test
    void theSizeLimitCountsTheWalAndRefusesNewEventsButNotDuplicates() throws Exception {
        long limit = 600 * 1024;
        open(new StoreLimits(limit, 0));
        String refusal = null;
        int offset = 0;
        while (refusal == null && offset < 2000) {
            offset++;
            String outcome = store("c" + (offset % 7), event("k", offset, 2_000));
            if (!outcome.equals("STORED")) {
                refusal = outcome;
            }
        }
        assertThat(refusal).as("refused before 2000 events of 2 kB").isNotNull()
                .contains("maxDatabaseBytes=" + limit).contains("write-ahead log of");
        assertThat(store("c1", event("k", 1, 2_000))).isEqualTo("DUPLICATE");
    }
}
