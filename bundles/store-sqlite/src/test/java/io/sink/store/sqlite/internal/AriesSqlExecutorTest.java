package io.sink.store.sqlite.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.client.GroundEventLog.LoggedEvent;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/** The event log on the real Aries transaction control and pax-jdbc-sqlite, as in the framework. */
class AriesSqlExecutorTest {

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
                pool(1));
        reader = aries.providerFactory.getProviderFor(aries.dataSourceFactory, settings.jdbcProperties(false),
                pool(3));
        sql = new AriesSqlExecutor(aries.transactionControl, writer, reader);
    }

    private static Map<String, Object> pool(int max) {
        return SqliteEventLogComponent.poolProperties(max);
    }

    @AfterEach
    void tearDown() {
        aries.providerFactory.releaseProvider(writer);
        aries.providerFactory.releaseProvider(reader);
        aries.close();
    }

    private String pragma(boolean onWriter, String name) throws SQLException {
        SqlWork<String> work = c -> TestStores.queryStrings(c, "PRAGMA " + name).get(0);
        return onWriter ? sql.writeWithoutTransaction(work) : sql.read(work);
    }

    @Test
    void everyConnectionIsOpenedWithTheConfiguredPragmas() throws SQLException {
        sql.writeWithoutTransaction(c -> TestStores.queryStrings(c, "PRAGMA journal_mode = WAL"));
        for (boolean onWriter : new boolean[] {true, false}) {
            assertThat(pragma(onWriter, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(onWriter, "synchronous")).isEqualTo("2"); // FULL
            assertThat(pragma(onWriter, "busy_timeout")).isEqualTo("10000");
        }
    }

    @Test
    void writesRunInATransactionAndReadsInAutoCommit() throws SQLException {
        assertThat(sql.write(Connection::getAutoCommit)).isFalse();
        assertThat(sql.read(Connection::getAutoCommit)).isTrue();
        assertThat(sql.writeWithoutTransaction(Connection::getAutoCommit)).isTrue();
    }

    @Test
    void whatTheWorkThrowsComesBackUnwrappedAndRollsBack() throws SQLException {
        sql.write(c -> {
            c.createStatement().execute("CREATE TABLE t (v)");
            return null;
        });
        SQLException sqlFailure = new SQLException("boom");
        assertThatThrownBy(() -> sql.write(c -> {
            c.createStatement().execute("INSERT INTO t VALUES (1)");
            throw sqlFailure;
        })).isSameAs(sqlFailure);
        IllegalArgumentException runtimeFailure = new IllegalArgumentException("bad");
        assertThatThrownBy(() -> sql.write(c -> {
            c.createStatement().execute("INSERT INTO t VALUES (2)");
            throw runtimeFailure;
        })).isSameAs(runtimeFailure);
        long rows = sql.read(c -> TestStores.queryLong(c, "SELECT count(*) FROM t"));
        assertThat(rows).isZero();
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
}
