package io.sink.sqlite;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProvider;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two connection pools of one SQLite database in the framework, from the OSGi JDBC service
 * (pax-jdbc-sqlite's {@link DataSourceFactory}) through Aries' {@link JDBCConnectionProviderFactory}:
 * the writer's, of exactly one connection, and the readers'. Both open sqlite-jdbc connections
 * through the driver with the pragmas of the {@link SqliteSettings}. Release them with
 * {@link #close()}.
 *
 * <p>Nothing in the pools themselves is SQLite's: the PostgreSQL stores open theirs with the
 * engine-neutral {@link #open(DataSourceFactory, TransactionControl, JDBCConnectionProviderFactory,
 * Properties, Properties, int, String)} (pgjdbc's {@link DataSourceFactory}).
 */
public final class AriesSqlitePools implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AriesSqlitePools.class);

    private final JDBCConnectionProviderFactory providerFactory;
    private final JDBCConnectionProvider writer;
    private final JDBCConnectionProvider readers;
    private final AriesSqlExecutor executor;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();

    private AriesSqlitePools(JDBCConnectionProviderFactory providerFactory, JDBCConnectionProvider writer,
            JDBCConnectionProvider readers, TransactionControl transactionControl, String description) {
        this.providerFactory = providerFactory;
        this.writer = writer;
        this.readers = readers;
        this.executor = new AriesSqlExecutor(transactionControl, writer, readers);
        this.description = description;
    }

    /**
     * Opens the writer's pool, then the readers' pool; each opens a first connection at once, so the
     * database's directory must exist (see {@link SqliteDatabase#prepareDirectory}).
     *
     * @param kind what the database is, for messages, e.g. {@code event log}
     * @throws IllegalStateException naming the database when a pool cannot be opened; nothing is left
     *         open then
     */
    public static AriesSqlitePools open(DataSourceFactory dataSourceFactory, TransactionControl transactionControl,
            JDBCConnectionProviderFactory providerFactory, SqliteSettings settings, String kind) {
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(kind, "kind");
        return open(dataSourceFactory, transactionControl, providerFactory, settings.jdbcProperties(true),
                settings.jdbcProperties(false), settings.readConnections(), kind + " database " + settings.path());
    }

    /**
     * The same two pools for any JDBC engine (nothing here is SQLite's): the writer's pool of one
     * connection with {@code writerProperties}, the readers' pool of at most {@code readConnections}
     * with {@code readerProperties}, both through {@link DataSourceFactory#createDriver} and the
     * property {@code url} (see {@link #poolProperties}). Each opens a first connection at once.
     *
     * @param description names the database in messages, e.g. {@code received-event store database
     *        postgresql://db:5432/sink}; must not contain secrets
     * @throws IllegalStateException naming the database when a pool cannot be opened; nothing is left
     *         open then
     */
    public static AriesSqlitePools open(DataSourceFactory dataSourceFactory, TransactionControl transactionControl,
            JDBCConnectionProviderFactory providerFactory, Properties writerProperties, Properties readerProperties,
            int readConnections, String description) {
        Objects.requireNonNull(dataSourceFactory, "dataSourceFactory");
        Objects.requireNonNull(transactionControl, "transactionControl");
        Objects.requireNonNull(providerFactory, "providerFactory");
        Objects.requireNonNull(writerProperties, "writerProperties");
        Objects.requireNonNull(readerProperties, "readerProperties");
        Objects.requireNonNull(description, "description");
        JDBCConnectionProvider writer = provider(dataSourceFactory, providerFactory, writerProperties, description,
                true, 1);
        JDBCConnectionProvider readers;
        try {
            readers = provider(dataSourceFactory, providerFactory, readerProperties, description, false,
                    readConnections);
        } catch (RuntimeException | Error e) {
            release(providerFactory, writer, description);
            throw e;
        }
        return new AriesSqlitePools(providerFactory, writer, readers, transactionControl, description);
    }

    private static JDBCConnectionProvider provider(DataSourceFactory dataSourceFactory,
            JDBCConnectionProviderFactory providerFactory, Properties jdbcProperties, String description,
            boolean forWriter, int connections) {
        try {
            return providerFactory.getProviderFor(dataSourceFactory, jdbcProperties, poolProperties(connections));
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the " + description + " for "
                    + (forWriter ? "writing" : "reading") + ": " + rootMessage(e), e);
        }
    }

    /** Aries resource provider properties for a pool of at most {@code connections} connections. */
    public static Map<String, Object> poolProperties(int connections) {
        Map<String, Object> pool = new HashMap<>();
        // through Driver.connect, so that sqlite-jdbc sees the pragmas (pax-jdbc-sqlite's createDataSource
        // keeps only the URL)
        pool.put(JDBCConnectionProviderFactory.USE_DRIVER, true);
        pool.put(JDBCConnectionProviderFactory.CONNECTION_POOLING_ENABLED, true);
        pool.put(JDBCConnectionProviderFactory.MIN_CONNECTIONS, 1);
        pool.put(JDBCConnectionProviderFactory.MAX_CONNECTIONS, connections);
        if (connections == 1) {
            pool.put(JDBCConnectionProviderFactory.IDLE_TIMEOUT, 0L); // a fixed pool: no idle eviction
        }
        return pool;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + ": " + root.getMessage();
    }

    /** Transactions and connections over the two pools. */
    public SqlExecutor executor() {
        return executor;
    }

    /** Releases both pools (closing their connections); failures are logged. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        release(providerFactory, writer, description);
        release(providerFactory, readers, description);
    }

    private static void release(JDBCConnectionProviderFactory factory, JDBCConnectionProvider provider,
            String description) {
        try {
            factory.releaseProvider(provider);
        } catch (RuntimeException e) {
            LOG.warn("could not release a JDBC connection provider of the {}", description, e);
        }
    }
}
