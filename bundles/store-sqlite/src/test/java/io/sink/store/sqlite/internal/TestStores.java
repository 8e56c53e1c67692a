package io.sink.store.sqlite.internal;

import io.sink.sqlite.DataSourceSqlExecutor;
import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.TestDb;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** Event logs on plain sqlite-jdbc data sources, without a framework. */
final class TestStores {

    private TestStores() {
    }

    static StoreSettings.Builder settings(Path dir) {
        return StoreSettings.builder(dir.resolve("events.db"));
    }

    static SqliteEventLog open(StoreSettings settings, Clock clock) {
        return SqliteEventLog.open(executor(settings), settings, clock, new Random(42));
    }

    static SqliteEventLog open(Path dir) {
        return open(settings(dir).build(), Clock.systemUTC());
    }

    static SqliteEventLog open(Path dir, UnaryOperator<StoreSettings.Builder> adjust) {
        return open(adjust.apply(settings(dir)).build(), Clock.systemUTC());
    }

    static SqlExecutor executor(StoreSettings settings) {
        return new DataSourceSqlExecutor(dataSource(settings, true), dataSource(settings, false));
    }

    static DataSource dataSource(StoreSettings settings, boolean writer) {
        Properties p = settings.jdbcProperties(writer);
        SQLiteDataSource ds = new SQLiteDataSource(new SQLiteConfig(p));
        ds.setUrl(p.getProperty("url"));
        return ds;
    }

    /** A pragma's value as seen by a reader connection of the store configured with {@code settings}. */
    static String readerPragma(StoreSettings settings, String pragma) throws SQLException {
        return executor(settings).read(c -> TestDb.queryStrings(c, "PRAGMA " + pragma).get(0));
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
