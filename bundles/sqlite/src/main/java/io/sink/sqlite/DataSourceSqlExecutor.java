package io.sink.sqlite;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Objects;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link SqlExecutor} over plain data sources, one connection per call: for unit tests, crash
 * tests' child processes, tools and benchmarks, where there is no framework.
 */
public final class DataSourceSqlExecutor implements SqlExecutor {
    private final DataSource writer;
    private final DataSource reader;

    /**
     * @param writer connections for the writer thread (for SQLite: {@code transaction_mode=IMMEDIATE})
     * @param reader connections for readers
     */
    public DataSourceSqlExecutor(DataSource writer, DataSource reader) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    /**
     * An executor whose connections come from {@link DriverManager} with the URL and pragmas of
     * {@code settings}: outside a framework, with sqlite-jdbc on the class path. (In OSGi, use
     * {@link AriesSqlitePools}.)
     */
    public static DataSourceSqlExecutor forSqlite(SqliteSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return new DataSourceSqlExecutor(new DriverManagerDataSource(settings.jdbcProperties(true)),
                new DriverManagerDataSource(settings.jdbcProperties(false)));
    }

    @Override
    public <T> T write(SqlWork<T> work) throws SQLException {
        try (Connection connection = writer.getConnection()) {
            connection.setAutoCommit(false);
            T result;
            try {
                result = work.run(connection);
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            }
            connection.commit();
            return result;
        }
    }

    @Override
    public <T> T writeWithoutTransaction(SqlWork<T> work) throws SQLException {
        try (Connection connection = writer.getConnection()) {
            return work.run(connection);
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) throws SQLException {
        try (Connection connection = reader.getConnection()) {
            return work.run(connection);
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // SQLite may already have rolled back (e.g. after SQLITE_FULL); keep the original failure first
            cause.addSuppressed(e);
        }
    }

    /** Connections from {@link DriverManager}: the driver reads the pragmas from the properties. */
    private static final class DriverManagerDataSource implements DataSource {
        private final Properties properties;
        private final String url;

        DriverManagerDataSource(Properties properties) {
            this.properties = properties;
            this.url = properties.getProperty("url");
        }

        @Override
        public Connection getConnection() throws SQLException {
            return DriverManager.getConnection(url, properties);
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {
            // no log writer: connections log through the driver's own logging
        }

        @Override
        public void setLoginTimeout(int seconds) {
            // SQLite opens files; there is no login to time out
        }

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException("no java.util.logging parent logger");
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            if (type.isInstance(this)) {
                return type.cast(this);
            }
            throw new SQLException("not a wrapper of " + type.getName());
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return type.isInstance(this);
        }
    }
}
