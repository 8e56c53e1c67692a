package io.sink.sqlite;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
    private final DataSourceFactory dataSourceFactory;
    private final Properties writerProperties;
    /** Replaced by {@link #resetWriter()} on the writer thread; null while no replacement could be opened. */
    private final AtomicReference<JDBCConnectionProvider> writer;
    private final JDBCConnectionProvider readers;
    private final AriesSqlExecutor executor;
    private final String description;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong writerResets = new AtomicLong();

    private AriesSqlitePools(DataSourceFactory dataSourceFactory, JDBCConnectionProviderFactory providerFactory,
            Properties writerProperties, JDBCConnectionProvider writer, JDBCConnectionProvider readers,
            TransactionControl transactionControl, String description) {
        this.dataSourceFactory = dataSourceFactory;
        this.providerFactory = providerFactory;
        this.writerProperties = writerProperties;
        this.writer = new AtomicReference<>(writer);
        this.readers = readers;
        this.description = description;
        this.executor = new AriesSqlExecutor(transactionControl, this::currentWriter, readers, this::resetWriter);
    }

    private JDBCConnectionProvider currentWriter() {
        JDBCConnectionProvider current = writer.get();
        if (current == null) {
            if (closed.get()) {
                throw new IllegalStateException("the " + description + " is closed");
            }
            // the last reset could not open a connection (e.g. the disk is still full): try again now
            current = provider(dataSourceFactory, providerFactory, writerProperties, description, true, 1);
            if (!writer.compareAndSet(null, current) || closed.get()) {
                release(providerFactory, current, description); // closed meanwhile
                writer.compareAndSet(current, null);
                throw new IllegalStateException("the " + description + " is closed");
            }
        }
        return current;
    }

    /**
     * Replaces the writer's pool (and so its one connection) after a failed write: closing the old
     * connection rolls back whatever it had not committed, and the next write starts on a connection
     * whose transaction state is known. Called on the writer thread.
     */
    private void resetWriter() {
        JDBCConnectionProvider old = writer.getAndSet(null);
        if (old != null) {
            release(providerFactory, old, description);
        }
        writerResets.incrementAndGet();
        if (closed.get()) {
            return;
        }
        try {
            JDBCConnectionProvider fresh = provider(dataSourceFactory, providerFactory, writerProperties, description,
                    true, 1);
            if (!writer.compareAndSet(null, fresh) || closed.get()) {
                JDBCConnectionProvider left = writer.getAndSet(null);
                if (left != null) {
                    release(providerFactory, left, description);
                }
                return;
            }
            LOG.debug("{}: the writer's connection was replaced after a failed write", description);
        } catch (RuntimeException e) {
            LOG.warn("{}: the writer's connection could not be reopened after a failed write ({}); the next write"
                    + " tries again", description, e.getMessage());
        }
    }

    /** How often the writer's connection was replaced after a failed write. */
    public long writerResets() {
        return writerResets.get();
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
        try {
            return open(dataSourceFactory, transactionControl, providerFactory, settings.jdbcProperties(true),
                    settings.jdbcProperties(false), settings.readConnections(), kind + " database " + settings.path());
        } catch (IllegalStateException e) {
            if (SqliteFailures.isCorrupt(e)) {
                throw new IllegalStateException(SqliteDatabase.corruptMessage(kind, settings.path(), rootMessage(e)), e);
            }
            throw e;
        }
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
        SqliteNativeLibrary.useKeptCopy(dataSourceFactory);
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
        return new AriesSqlitePools(dataSourceFactory, providerFactory, writerProperties, writer, readers,
                transactionControl, description);
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
        JDBCConnectionProvider current = writer.getAndSet(null);
        if (current != null) {
            release(providerFactory, current, description);
        }
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
