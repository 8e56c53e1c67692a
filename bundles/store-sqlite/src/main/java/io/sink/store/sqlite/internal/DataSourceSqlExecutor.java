package io.sink.store.sqlite.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * A {@link SqlExecutor} over plain data sources, one connection per call: for unit tests, the
 * crash test's child process and benchmarks, where there is no framework.
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
}
