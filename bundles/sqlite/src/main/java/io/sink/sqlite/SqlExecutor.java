package io.sink.sqlite;

import java.sql.SQLException;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Where a store gets its connections and transactions: Aries transaction control in the framework
 * ({@link AriesSqlExecutor}), plain {@link javax.sql.DataSource}s in tests and tools
 * ({@link DataSourceSqlExecutor}).
 *
 * <p>Only the database's writer thread (a {@link GroupCommitWriter}) calls {@link #write} and
 * {@link #writeWithoutTransaction}, so SQLite never sees two writers; {@link #read} may be called
 * from any thread and, in WAL mode, neither blocks the writer nor is blocked by it.
 */
@ProviderType
public interface SqlExecutor {

    /**
     * Runs {@code work} in one transaction on the writer's connection and commits it before
     * returning. An exception from the work rolls the transaction back and is thrown unchanged;
     * a failed commit is thrown as an {@link SQLException}.
     */
    <T> T write(SqlWork<T> work) throws SQLException;

    /**
     * Runs {@code work} on the writer's connection in auto-commit mode: for statements that SQLite
     * refuses inside a transaction, such as {@code PRAGMA journal_mode}.
     */
    <T> T writeWithoutTransaction(SqlWork<T> work) throws SQLException;

    /** Runs {@code work} on a reader connection in auto-commit mode; it must not write. */
    <T> T read(SqlWork<T> work) throws SQLException;
}
