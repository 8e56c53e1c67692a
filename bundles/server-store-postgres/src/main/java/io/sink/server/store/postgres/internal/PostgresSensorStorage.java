package io.sink.server.store.postgres.internal;

import io.sink.server.sensors.storage.SensorStorage;
import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.SqlWork;
import java.sql.SQLException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor directory's tables in PostgreSQL ({@link SensorsSchemaPg}), shared by every server node
 * on the database: a sensor changed through one node is in the log that the node holding the client's
 * connection publishes. Each write is one transaction on the node's writer connection.
 */
public final class PostgresSensorStorage implements SensorStorage {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresSensorStorage.class);
    static final String KIND = "sensor directory";

    private final SqlExecutor sql;
    private final String description;

    private PostgresSensorStorage(SqlExecutor sql, String description) {
        this.sql = sql;
        this.description = description;
    }

    /**
     * Migrates the sensor tables.
     *
     * @throws IllegalStateException naming the database when it cannot be opened
     */
    public static PostgresSensorStorage open(SqlExecutor sql, String databaseName) {
        Objects.requireNonNull(sql, "sql");
        String description = KIND + " " + databaseName;
        try {
            int found = sql.write(c -> SensorsSchemaPg.RUNNER.migrate(c, databaseName));
            LOG.info("{} open (schema version {}, was {})", description, SensorsSchemaPg.RUNNER.currentVersion(),
                    found);
            return new PostgresSensorStorage(sql, description);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the " + description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        try {
            return sql.write(work);
        } catch (SQLException e) {
            throw new IllegalStateException(description + ": " + e.getMessage(), e);
        }
    }

    @Override
    public <T> T read(String what, SqlWork<T> work) {
        try {
            return sql.read(work);
        } catch (SQLException e) {
            throw new IllegalStateException(description + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
