package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProvider;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;

/** The two pools on the real Aries provider factory and pax-jdbc-sqlite. */
class AriesSqlitePoolsTest {
    private static final Migrations SCHEMA = new Migrations("test store", List.of(
            new Migration(1, "t", List.of("CREATE TABLE t (v)"))));

    @TempDir
    Path dir;
    final AriesFixture aries = new AriesFixture();

    @AfterEach
    void tearDown() {
        aries.close();
    }

    @Test
    void aWriterPoolOfOneAndAReaderPoolAreOpenedAndReleased() throws Exception {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("t.db")).readConnections(3).build();
        AriesSqlitePools pools = AriesSqlitePools.open(aries.dataSourceFactory, aries.transactionControl,
                aries.providerFactory, settings, "test store");
        assertThat(aries.providerFactory.open).hasSize(2);
        assertThat(aries.providerFactory.resourceProperties.get(0))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 1)
                .containsEntry(JDBCConnectionProviderFactory.USE_DRIVER, true);
        assertThat(aries.providerFactory.resourceProperties.get(1))
                .containsEntry(JDBCConnectionProviderFactory.MAX_CONNECTIONS, 3);
        try (SqliteDatabase db = SqliteDatabase.open(pools.executor(), settings, "test store", SCHEMA)) {
            db.writer().write(c -> {
                TestDb.execute(c, "INSERT INTO t VALUES (1)");
                return null;
            });
            assertThat((long) db.read("count", c -> TestDb.queryLong(c, "SELECT count(*) FROM t"))).isEqualTo(1);
        }
        pools.close();
        pools.close();
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void whenTheReadersPoolFailsTheWritersPoolIsReleased() {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("t.db")).build();
        JDBCConnectionProviderFactory failingSecond = new AriesFixture.CountingFactory(aries.providerFactory) {
            int calls;

            @Override
            public synchronized JDBCConnectionProvider getProviderFor(DataSourceFactory dsf, Properties p,
                    Map<String, Object> r) {
                if (++calls == 2) {
                    throw new IllegalStateException("no more connections", new RuntimeException("disk gone"));
                }
                return super.getProviderFor(dsf, p, r);
            }
        };
        assertThatThrownBy(() -> AriesSqlitePools.open(aries.dataSourceFactory, aries.transactionControl,
                failingSecond, settings, "test store"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot open the test store database " + settings.path() + " for reading")
                .hasMessageContaining("disk gone");
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void aStoreOpenedOverItsPoolsClosesThemAfterItselfEvenWhenClosingItFails() {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("sub/s.db")).build();
        List<String> events = new java.util.ArrayList<>();
        AriesSqliteStore<AutoCloseable> opened = AriesSqliteStore.open(aries.dataSourceFactory,
                aries.transactionControl, aries.providerFactory, settings, "test store", sql -> () -> {
                    events.add("store closed with " + aries.providerFactory.open.size() + " pools open");
                    throw new java.io.IOException("flush failed");
                });
        assertThat(dir.resolve("sub")).isDirectory(); // prepared before the pools opened their first connection
        assertThat(aries.providerFactory.open).hasSize(2);
        opened.close();
        assertThat(events).containsExactly("store closed with 2 pools open");
        assertThat(aries.providerFactory.open).isEmpty();
    }

    @Test
    void aStoreThatCannotBeOpenedLeavesNoPoolOpen() {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("s.db")).build();
        assertThatThrownBy(() -> AriesSqliteStore.open(aries.dataSourceFactory, aries.transactionControl,
                aries.providerFactory, settings, "test store", sql -> {
                    throw new IllegalStateException("schema version 9 is newer than this bundle's");
                })).isInstanceOf(IllegalStateException.class).hasMessageContaining("schema version 9");
        assertThat(aries.providerFactory.open).isEmpty();
    }
}
