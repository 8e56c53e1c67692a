package io.sink.sqlite;

import java.util.Objects;
import java.util.function.Function;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A store opened over two pools of its own ({@link AriesSqlitePools}): what a store's DS component
 * holds for one configuration, and replaces when the configuration changes. Closing it closes the
 * store, then the pools.
 *
 * @param <T> the store
 */
public final class AriesSqliteStore<T extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AriesSqliteStore.class);

    private final AriesSqlitePools pools;
    private final T store;
    private final String kind;

    private AriesSqliteStore(AriesSqlitePools pools, T store, String kind) {
        this.pools = pools;
        this.store = store;
        this.kind = kind;
    }

    /**
     * Prepares the database's directory ({@link SqliteDatabase#prepareDirectory}), opens the pools with
     * {@code settings}, then the store over their executor; when the store cannot be opened, the pools
     * are closed again.
     *
     * @param kind what the database is, for messages, e.g. {@code event log}
     * @param opener opens the store over the pools' executor
     * @throws IllegalStateException naming the database when it cannot be opened; nothing is left open
     */
    public static <T extends AutoCloseable> AriesSqliteStore<T> open(DataSourceFactory dataSourceFactory,
            TransactionControl transactionControl, JDBCConnectionProviderFactory providerFactory,
            SqliteSettings settings, String kind, Function<SqlExecutor, T> opener) {
        Objects.requireNonNull(opener, "opener");
        // the pools open a first connection at once: the directory must be there before them
        SqliteDatabase.prepareDirectory(settings.path(), kind);
        AriesSqlitePools pools = AriesSqlitePools.open(dataSourceFactory, transactionControl, providerFactory,
                settings, kind);
        try {
            return new AriesSqliteStore<>(pools, Objects.requireNonNull(opener.apply(pools.executor()), "store"),
                    kind);
        } catch (RuntimeException | Error e) {
            pools.close();
            throw e;
        }
    }

    /** The store. */
    public T store() {
        return store;
    }

    /** How often the writer's connection was replaced after a failed write. */
    public long writerResets() {
        return pools.writerResets();
    }

    /** Closes the store, then the pools (even when closing the store failed: that is logged). */
    @Override
    public void close() {
        try {
            store.close();
        } catch (Exception e) {
            LOG.warn("closing the {} failed: {}", kind, e.toString());
        } finally {
            pools.close();
        }
    }
}
