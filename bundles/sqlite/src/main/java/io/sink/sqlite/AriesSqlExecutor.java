package io.sink.sqlite;

import java.sql.SQLException;
import java.util.Objects;
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
 */
public final class AriesSqlExecutor implements SqlExecutor {
    private final TransactionControl transactionControl;
    private final JDBCConnectionProvider writer;
    private final JDBCConnectionProvider reader;

    public AriesSqlExecutor(TransactionControl transactionControl, JDBCConnectionProvider writer,
            JDBCConnectionProvider reader) {
        this.transactionControl = Objects.requireNonNull(transactionControl, "transactionControl");
        this.writer = Objects.requireNonNull(writer, "writer");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    @Override
    public <T> T write(SqlWork<T> work) throws SQLException {
        // requiresNew: a write batch is always its own transaction, whatever scope the caller is in
        return run(() -> transactionControl.requiresNew(() -> work.run(writer.getResource(transactionControl))));
    }

    @Override
    public <T> T writeWithoutTransaction(SqlWork<T> work) throws SQLException {
        return run(() -> transactionControl.notSupported(() -> work.run(writer.getResource(transactionControl))));
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
