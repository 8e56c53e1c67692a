package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The writer thread on its own: batches, savepoints, commit failures, closing. */
class GroupCommitWriterTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Migrations SCHEMA = new Migrations("test database", List.of(
            new Migration(1, "a table of unique values", List.of("CREATE TABLE t (v INTEGER PRIMARY KEY)"))));

    @TempDir
    Path dir;
    SqliteDatabase db;
    GroupCommitWriter writer;
    final ExecutorService pool = Executors.newCachedThreadPool();

    @BeforeEach
    void open() {
        open(SqliteSettings.builder(dir.resolve("test.db")).build());
    }

    private void open(SqliteSettings settings) {
        if (db != null) {
            db.close();
        }
        db = SqliteDatabase.open(DataSourceSqlExecutor.forSqlite(settings), settings, "test database", SCHEMA);
        writer = db.writer();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        db.close();
    }

    private CountDownLatch blockWriter() throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        writer.execute(() -> {
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

    private static SqlWork<Integer> insert(long v) {
        return c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                ps.setLong(1, v);
                return ps.executeUpdate();
            }
        };
    }

    private long rows() throws SQLException {
        return db.read("counting", c -> TestDb.queryLong(c, "SELECT count(*) FROM t"));
    }

    @Test
    void writesQueuedTogetherAreCommittedInOneTransactionAndCompleteAfterIt() throws Exception {
        CountDownLatch release = blockWriter();
        long before = writer.transactions();
        long committedBefore = writer.committedWrites();
        List<CompletableFuture<Long>> seen = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // each completion reads through another connection: the row is committed by then
            seen.add(writer.submit(insert(i)).thenApply(n -> {
                try (Connection c = TestDb.connect(dir.resolve("test.db"))) {
                    return TestDb.queryLong(c, "SELECT count(*) FROM t");
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        assertThat(writer.queuedWrites()).isEqualTo(10);
        assertThat(seen).noneMatch(CompletableFuture::isDone);
        release.countDown();
        for (CompletableFuture<Long> f : seen) {
            assertThat(f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(10);
        }
        assertThat(writer.transactions() - before).isEqualTo(1);
        assertThat(writer.committedWrites() - committedBefore).isEqualTo(10);
    }

    @Test
    void aTransactionTakesAtMostTheConfiguredNumberOfWrites() throws Exception {
        open(SqliteSettings.builder(dir.resolve("test.db")).maxWritesPerTransaction(4).build());
        CountDownLatch release = blockWriter();
        long before = writer.transactions();
        List<CompletableFuture<Integer>> writes = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            writes.add(writer.submit(insert(i)));
        }
        release.countDown();
        for (CompletableFuture<Integer> f : writes) {
            f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(writer.transactions() - before).isEqualTo(3); // 4 + 4 + 2
    }

    @Test
    void aFailingWriteIsRolledBackAloneAndItsCallerGetsTheFailure() throws Exception {
        writer.write(insert(7));
        CountDownLatch release = blockWriter();
        CompletableFuture<Integer> before = writer.submit(insert(1));
        CompletableFuture<Integer> duplicate = writer.submit(c -> {
            insert(100).run(c); // rolled back with its savepoint
            return insert(7).run(c);
        });
        CompletableFuture<Integer> after = writer.submit(insert(2));
        release.countDown();

        assertThat(before.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(after.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> duplicate.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("test database " + dir.resolve("test.db"))
                .hasMessageContaining("UNIQUE");
        assertThat(db.<java.util.List<String>>read("values", c -> TestDb.queryStrings(c, "SELECT v FROM t ORDER BY v")))
                .containsExactly("1", "2", "7");
    }

    /** Inserts values: all with one statement, or one alone; counts its runAll calls. */
    private static final class Inserts implements BatchWork<Long, Integer> {
        final java.util.concurrent.atomic.AtomicInteger batches = new java.util.concurrent.atomic.AtomicInteger();

        @Override
        public List<Integer> runAll(Connection c, List<Long> items) throws SQLException {
            batches.incrementAndGet();
            List<Integer> results = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t (v) VALUES (?)")) {
                for (long v : items) {
                    ps.setLong(1, v);
                    results.add(ps.executeUpdate());
                }
            }
            return results;
        }

        @Override
        public Integer runOne(Connection c, Long item) throws SQLException {
            return insert(item).run(c);
        }
    }

    @Test
    void itemsOfABatchWorkRunTogetherAndCompleteAfterTheCommit() throws Exception {
        Inserts inserts = new Inserts();
        CountDownLatch release = blockWriter();
        long transactions = writer.transactions();
        long committed = writer.committedWrites();
        List<CompletableFuture<Integer>> items = new ArrayList<>();
        for (long v = 1; v <= 5; v++) {
            items.add(writer.submit(inserts, v));
        }
        CompletableFuture<Integer> plain = writer.submit(insert(6)); // ends the group
        CompletableFuture<Integer> alone = writer.submit(inserts, 7L); // a group of one: runOne
        release.countDown();
        for (CompletableFuture<Integer> f : items) {
            assertThat(f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(plain.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(alone.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(inserts.batches.get()).isEqualTo(1);
        assertThat(writer.transactions() - transactions).isEqualTo(1);
        assertThat(writer.committedWrites() - committed).isEqualTo(7);
        assertThat(writer.batchRetries()).isZero();
        assertThat(rows()).isEqualTo(7);
    }

    @Test
    void itemsSubmittedTogetherWakeTheWriterOnceAndShareOneTransaction() throws Exception {
        Inserts inserts = new Inserts();
        writer.write(insert(7)); // the writer is idle now: nothing holds it
        long transactions = writer.transactions();
        List<CompletableFuture<Integer>> items = writer.submitAll(inserts, List.of(1L, 7L, 2L, 3L));
        assertThat(items).hasSize(4);
        assertThat(items.get(0).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> items.get(1).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().hasMessageContaining("UNIQUE");
        assertThat(items.get(2).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(items.get(3).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(writer.transactions() - transactions).isEqualTo(1);
        assertThat(writer.batchRetries()).isEqualTo(1);
        assertThat(rows()).isEqualTo(4);
        db.close();
        assertThat(writer.submitAll(inserts, List.of(4L, 5L))).hasSize(2)
                .allSatisfy(f -> assertThat(f).isCompletedExceptionally());
    }

    @Test
    void aFailingBatchIsRolledBackAndItsItemsRunOneByOneSoThatOnlyTheCulpritFails() throws Exception {
        Inserts inserts = new Inserts();
        writer.write(insert(7));
        CountDownLatch release = blockWriter();
        long committed = writer.committedWrites();
        CompletableFuture<Integer> before = writer.submit(inserts, 1L);
        CompletableFuture<Integer> culprit = writer.submit(inserts, 7L);
        CompletableFuture<Integer> after = writer.submit(inserts, 2L);
        release.countDown();
        assertThat(before.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(after.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        assertThatThrownBy(() -> culprit.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("test database " + dir.resolve("test.db"))
                .hasMessageContaining("UNIQUE");
        assertThat(inserts.batches.get()).isEqualTo(1);
        assertThat(writer.batchRetries()).isEqualTo(1);
        assertThat(writer.committedWrites() - committed).isEqualTo(2);
        assertThat(db.<java.util.List<String>>read("values", c -> TestDb.queryStrings(c, "SELECT v FROM t ORDER BY v")))
                .containsExactly("1", "2", "7");
    }

    @Test
    void aFailedCommitFailsTheWholeBatchAndTheWriterGoesOn() throws Exception {
        CountDownLatch release = blockWriter();
        CompletableFuture<Object> broken = writer.submit(c -> {
            TestDb.execute(c, "ROLLBACK"); // ends the transaction behind the writer's back
            return null;
        });
        CompletableFuture<Integer> victim = writer.submit(insert(1));
        release.countDown();
        assertThatThrownBy(() -> victim.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("test.db").toString())
                .hasMessageContaining("is not stored");
        assertThat(broken).isCompletedExceptionally();
        assertThat(rows()).isZero();
        assertThat((int) writer.write(insert(1))).isEqualTo(1);
    }

    @Test
    void manyConcurrentCallersNeedFewerTransactionsThanWrites() throws Exception {
        long before = writer.transactions();
        List<Future<?>> tasks = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            tasks.add(pool.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    writer.write(insert(thread * 1000L + i));
                }
                return null;
            }));
        }
        for (Future<?> task : tasks) {
            task.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        assertThat(rows()).isEqualTo(800);
        assertThat(writer.transactions() - before).isLessThan(800);
    }

    @Test
    void closeCommitsWhatIsQueuedAndLaterWritesFail() throws Exception {
        CountDownLatch release = blockWriter();
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            queued.add(writer.submit(insert(i)));
        }
        Future<?> closing = pool.submit(db::close);
        release.countDown();
        closing.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        for (CompletableFuture<Integer> f : queued) {
            assertThat(f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1);
        }
        assertThat(writer.submit(insert(99))).isCompletedExceptionally();
        assertThatThrownBy(() -> writer.write(insert(99))).isInstanceOf(IllegalStateException.class)
                .hasMessage("test database " + dir.resolve("test.db") + " is closed");
        assertThatThrownBy(() -> db.read("anything", c -> 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        try (Connection c = TestDb.connect(dir.resolve("test.db"))) {
            assertThat(TestDb.queryLong(c, "SELECT count(*) FROM t")).isEqualTo(5);
        }
    }

    @Test
    void maintenanceRunsOnTheWriterThread() throws Exception {
        CompletableFuture<String> thread = new CompletableFuture<>();
        writer.execute(() -> thread.complete(Thread.currentThread().getName()));
        CompletableFuture<String> writeThread = writer.submit(c -> Thread.currentThread().getName());
        assertThat(thread.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .isEqualTo(writeThread.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS))
                .contains("test database");
        writer.awaitIdle(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
}
