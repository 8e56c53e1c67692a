package io.sink.store.sqlite.internal;

import io.sink.sqlite.AriesFixture;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.sqlite.AriesSqlExecutor;
import io.sink.sqlite.AriesSqlitePools;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProvider;

/**
 * The event log on the real Aries transaction control and pax-jdbc-sqlite, as in the framework.
 * (The executor's own behaviour is tested with it, in the sink-sqlite bundle.)
 */
class SqliteEventLogOnAriesTest {

    @TempDir
    Path dir;
    AriesFixture aries;
    StoreSettings settings;
    JDBCConnectionProvider writer;
    JDBCConnectionProvider reader;
    AriesSqlExecutor sql;

    @BeforeEach
    void setUp() {
        aries = new AriesFixture();
        settings = TestStores.settings(dir).build();
        writer = aries.providerFactory.getProviderFor(aries.dataSourceFactory, settings.jdbcProperties(true),
                AriesSqlitePools.poolProperties(1));
        reader = aries.providerFactory.getProviderFor(aries.dataSourceFactory, settings.jdbcProperties(false),
                AriesSqlitePools.poolProperties(3));
        sql = new AriesSqlExecutor(aries.transactionControl, writer, reader);
    }

    @AfterEach
    void tearDown() {
        aries.providerFactory.releaseProvider(writer);
        aries.providerFactory.releaseProvider(reader);
        aries.close();
    }

    @Test
    void theEventLogWorksOnAriesWithConcurrentWritersAndReaders() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (SqliteEventLog log = SqliteEventLog.open(sql, settings, Clock.systemUTC(), new Random(3))) {
            List<Future<?>> tasks = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String key = "sensor-" + (t % 2);
                tasks.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        log.appendNext(1, 1, key.getBytes(UTF_8), i, new byte[] {1});
                        log.lastEvents(1);
                    }
                    return null;
                }));
            }
            tasks.add(pool.submit(() -> {
                int acknowledged = 0;
                long after = 0;
                while (acknowledged < 200) {
                    List<LoggedEvent> batch = log.unacknowledged(Set.of(), Set.of(), after, 20);
                    if (!batch.isEmpty()) {
                        after = batch.get(batch.size() - 1).sequence();
                        log.acknowledge(batch.stream().map(e -> e.event().ackKey()).toList());
                        acknowledged += batch.size();
                    }
                }
                return null;
            }));
            for (Future<?> task : tasks) {
                task.get(60, TimeUnit.SECONDS);
            }
            assertThat(log.queueSize()).isZero();
            assertThat(log.lastEvents(1)).extracting(e -> e.offset()).containsExactly(100L, 100L);
            assertThat(log.writer().transactions()).isLessThan(log.writer().committedWrites());
            assertThat(log.instanceIds().client()).isEqualTo(log.instanceIds().client());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void acknowledgementsAreCommittedWithoutTheirOwnFsyncAndTheWriterGoesBackToFull() throws Exception {
        try (SqliteEventLog log = SqliteEventLog.open(sql, settings, Clock.systemUTC(), new Random(3))) {
            LoggedEvent first = log.appendNext(1, 1, "k".getBytes(UTF_8), 1, new byte[] {1});
            LoggedEvent second = log.appendNext(1, 1, "k".getBytes(UTF_8), 2, new byte[] {2});
            log.acknowledge(List.of(first.event().ackKey()));

            assertThat(log.relaxedAcknowledgements()).isEqualTo(1);
            // the writer's one pooled connection stays at NORMAL (1) while only acknowledgements follow
            assertThat(writerSynchronous()).isEqualTo(1);
            log.acknowledge(List.of(second.event().ackKey()));
            assertThat(log.relaxedAcknowledgements()).isEqualTo(2);
            // the next group commit (an append) runs at FULL (2) again, and the connection stays there
            int inGroupCommit = log.writer().write(c -> {
                try (var s = c.createStatement(); var rs = s.executeQuery("PRAGMA synchronous")) {
                    rs.next();
                    return rs.getInt(1);
                }
            });
            assertThat(inGroupCommit).isEqualTo(2);
            log.appendNext(1, 1, "k".getBytes(UTF_8), 3, new byte[] {3});
            assertThat(writerSynchronous()).isEqualTo(2);
            assertThat(log.queueSize()).isEqualTo(1);
            assertThat(log.unacknowledged(Set.of(), Set.of(), 0, 10)).extracting(e -> e.event().offset())
                    .containsExactly(3L);
        }
    }

    private int writerSynchronous() throws Exception {
        return sql.writeWithoutTransaction(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("PRAGMA synchronous")) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    @Test
    void withRelaxedAcknowledgementsOffEveryAcknowledgementIsAGroupCommit() throws Exception {
        StoreSettings strict = StoreSettings.builder(settings.path()).relaxedAcknowledgements(false).build();
        try (SqliteEventLog log = SqliteEventLog.open(sql, strict, Clock.systemUTC(), new Random(3))) {
            LoggedEvent first = log.appendNext(1, 1, "k".getBytes(UTF_8), 1, new byte[] {1});
            long transactions = log.writer().transactions();
            log.acknowledge(List.of(first.event().ackKey()));
            assertThat(log.relaxedAcknowledgements()).isZero();
            assertThat(log.writer().transactions()).isEqualTo(transactions + 1);
            assertThat(log.queueSize()).isZero();
        }
    }
}
