package io.sink.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProvider;

/** The executor on the real Aries transaction control and pax-jdbc-sqlite, as in the framework. */
class AriesSqlExecutorTest {

    @TempDir
    Path dir;
    AriesFixture aries;
    SqliteSettings settings;
    JDBCConnectionProvider writer;
    JDBCConnectionProvider reader;
    AriesSqlExecutor sql;

    @BeforeEach
    void setUp() {
        aries = new AriesFixture();
        settings = SqliteSettings.builder(dir.resolve("test.db")).build();
        writer = aries.providerFactory.getProviderFor(aries.dataSourceFactory, settings.jdbcProperties(true),
                pool(1));
        reader = aries.providerFactory.getProviderFor(aries.dataSourceFactory, settings.jdbcProperties(false),
                pool(3));
        sql = new AriesSqlExecutor(aries.transactionControl, writer, reader);
    }

    private static Map<String, Object> pool(int max) {
        return AriesSqlitePools.poolProperties(max);
    }

    @AfterEach
    void tearDown() {
        aries.providerFactory.releaseProvider(writer);
        aries.providerFactory.releaseProvider(reader);
        aries.close();
    }

    private String pragma(boolean onWriter, String name) throws SQLException {
        SqlWork<String> work = c -> TestDb.queryStrings(c, "PRAGMA " + name).get(0);
        return onWriter ? sql.writeWithoutTransaction(work) : sql.read(work);
    }

    @Test
    void everyConnectionIsOpenedWithTheConfiguredPragmas() throws SQLException {
        sql.writeWithoutTransaction(c -> TestDb.queryStrings(c, "PRAGMA journal_mode = WAL"));
        for (boolean onWriter : new boolean[] {true, false}) {
            assertThat(pragma(onWriter, "journal_mode")).isEqualTo("wal");
            assertThat(pragma(onWriter, "synchronous")).isEqualTo("2"); // FULL
            // the writer's statement journals in memory (2), not spilled to temporary files (0: default)
            assertThat(pragma(onWriter, "temp_store")).isEqualTo(onWriter ? "2" : "0");
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
        long rows = sql.read(c -> TestDb.queryLong(c, "SELECT count(*) FROM t"));
        assertThat(rows).isZero();
    }
}
