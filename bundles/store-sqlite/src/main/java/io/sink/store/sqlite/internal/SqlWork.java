package io.sink.store.sqlite.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done with a JDBC connection lent for the duration of the call. The connection belongs to
 * the {@link SqlExecutor}: the work must not close it, keep it, or change its transaction state.
 */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
