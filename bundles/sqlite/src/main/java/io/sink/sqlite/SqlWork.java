package io.sink.sqlite;

import java.sql.Connection;
import java.sql.SQLException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Work done with a JDBC connection lent for the duration of the call. The connection belongs to
 * the {@link SqlExecutor}: the work must not close it, keep it, or change its transaction state.
 */
@ConsumerType
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
