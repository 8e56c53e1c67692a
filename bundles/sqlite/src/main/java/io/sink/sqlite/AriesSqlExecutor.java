package io.sink.sqlite;

import java.sql.SQLException;
import java.util.Objects;
import java.util.function.Supplier;
import org.osgi.service.transaction.control.ScopedWorkException;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.TransactionException;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProvider;

/**
 * A {@link SqlExecutor} on Apache Aries transaction control. The writer and the readers use two
 * separate providers (two pools), so readers can never take the writer's connection: the writer
 * pool holds exactly one connection, used only by the database's writer thread.
 *
 * <p>Connections are scoped: each call asks the provider for the connection of the current scope
 * and the scope gives it back to its pool when it ends; none is kept here.
 *
 * <p>After a failed write (or a failed commit or rollback) the writer's connection is in an unknown
 * state: when a statement or a COMMIT fails with {@code SQLITE_FULL} or {@code SQLITE_IOERR} SQLite
 * may roll the transaction back by itself, and sqlite-jdbc's connection then still believes a
 * transaction is open while SQLite is back in auto-commit; every later statement would be committed
 * on its own and every later COMMIT would fail ("cannot commit - no transaction is active"). So every
 * failed write calls the {@code resetWriter} action given at construction, which replaces the
 * writer's connection (see {@link AriesSqlitePools}): whatever was not committed is rolled back with
 * the old connection, and the next write starts clean.
 */
public final class AriesSqlExecutor implements SqlExecutor {
    private final TransactionControl transactionControl;
    private final Supplier<JDBCConnectionProvider> writer;
    private final JDBCConnectionProvider reader;
    private final Runnable resetWriter;

    /**
     * An executor whose writer connection cannot be replaced: after a failed commit it may stay in a
     * wrong state. For tests of the executor itself; stores use {@link AriesSqlitePools}.
     */
    public AriesSqlExecutor(TransactionControl transactionControl, JDBCConnectionProvider writer,
            JDBCConnectionProvider reader) {
        this(transactionControl, fixed(writer), reader, () -> { });
    }

    /**
     * @param writer      the writer's provider of the moment (a pool of one connection)
     * @param resetWriter replaces the writer's connection (its pool); called on the writer thread after
     *                    a failed write, before the failure is thrown to the caller
     */
    public AriesSqlExecutor(TransactionControl transactionControl, Supplier<JDBCConnectionProvider> writer,
            JDBCConnectionProvider reader, Runnable resetWriter) {
        this.transactionControl = Objects.requireNonNull(transactionControl, "transactionControl");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.resetWriter = Objects.requireNonNull(resetWriter, "resetWriter");
    }

    private static Supplier<JDBCConnectionProvider> fixed(JDBCConnectionProvider writer) {
        Objects.requireNonNull(writer, "writer");
        return () -> writer;
    }

    @Override
    public <T> T write(SqlWork<T> work) throws SQLException {
        // requiresNew: a write batch is always its own transaction, whatever scope the caller is in
        return resettingOnFailure(() -> transactionControl.requiresNew(
                () -> work.run(writer.get().getResource(transactionControl))));
    }

    @Override
    public <T> T writeWithoutTransaction(SqlWork<T> work) throws SQLException {
        return resettingOnFailure(() -> transactionControl.notSupported(
                () -> work.run(writer.get().getResource(transactionControl))));
    }

    private <T> T resettingOnFailure(Scope<T> scope) throws SQLException {
        try {
            return run(scope);
        } catch (SQLException | RuntimeException | Error e) {
            try {
                resetWriter.run();
            } catch (RuntimeException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    @Override
    public <T> T read(SqlWork<T> work) throws SQLException {
        return run(() -> transactionControl.notSupported(() -> work.run(reader.getResource(transactionControl))));
    }

    private interface Scope<T> {
        T call();
    }

    /** Gives back what the work threw, unwrapped from Aries' {@link ScopedWorkException}. */
    private static <T> T run(Scope<T> scope) throws SQLException {
        try {
            return scope.call();
        } catch (ScopedWorkException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException sql) {
                throw sql;
            }
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw new SQLException("unexpected failure in a database transaction: " + cause, cause);
        } catch (TransactionException e) {
            // the work succeeded but the transaction could not be begun, committed or rolled back
            throw new SQLException(e.getMessage(), e);
        }
    }
}
