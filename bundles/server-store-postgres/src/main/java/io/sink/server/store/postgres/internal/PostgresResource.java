package io.sink.server.store.postgres.internal;

import io.sink.sqlite.AriesSqlitePools;
import io.sink.sqlite.SqlExecutor;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Something a component opens on the PostgreSQL database of PID
 * {@value PostgresReceivedEventStoreComponent#PID} (a store), with its two pools, reopened when the
 * configuration changes: the new one is opened first, then the old one closed; an invalid or
 * unusable configuration is refused in one ERROR line and the old one keeps running.
 *
 * @param <T> what is opened on the pools
 */
final class PostgresResource<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresResource.class);

    /** Opens the resource on the pools' executor. */
    @FunctionalInterface
    interface Opener<T> {
        T open(SqlExecutor sql, PostgresSettings settings);
    }

    private record Open<T>(PostgresSettings settings, AriesSqlitePools pools, T resource) {
    }

    private final DataSourceFactory dataSourceFactory;
    private final TransactionControl transactionControl;
    private final JDBCConnectionProviderFactory providerFactory;
    private final String kind;
    private final Opener<T> opener;
    private final Consumer<T> closer;
    private volatile Open<T> open;

    /**
     * Opens the resource with {@code config}.
     *
     * @param kind what is opened, for messages, e.g. {@code received-event store}
     * @throws IllegalArgumentException one line naming the PID, the property, the value and why
     * @throws IllegalStateException    naming the database when it cannot be opened
     */
    PostgresResource(DataSourceFactory dataSourceFactory, TransactionControl transactionControl,
            JDBCConnectionProviderFactory providerFactory, String kind, PostgresReceivedEventStoreComponent.Config config,
            Map<String, ?> properties, Opener<T> opener, Consumer<T> closer) {
        this.dataSourceFactory = Objects.requireNonNull(dataSourceFactory, "dataSourceFactory");
        this.transactionControl = Objects.requireNonNull(transactionControl, "transactionControl");
        this.providerFactory = Objects.requireNonNull(providerFactory, "providerFactory");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.closer = Objects.requireNonNull(closer, "closer");
        this.open = open(PostgresReceivedEventStoreComponent.settings(config, properties));
    }

    private Open<T> open(PostgresSettings settings) {
        String password;
        try {
            password = settings.readPassword();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PostgresReceivedEventStoreComponent.PID + ": "
                    + e.getMessage(), e);
        }
        if (settings.passwordFileIsWorldReadable()) {
            LOG.warn("configuration {}: passwordFile {} is readable by every user; make it readable by the server's"
                    + " user only (chmod 600)", PostgresReceivedEventStoreComponent.PID, settings.passwordFile());
        }
        AriesSqlitePools pools = AriesSqlitePools.open(dataSourceFactory, transactionControl, providerFactory,
                settings.jdbcProperties(password, true), settings.jdbcProperties(password, false),
                settings.readConnections(), kind + " database " + settings.databaseName());
        try {
            T resource = opener.open(pools.executor(), settings);
            LOG.info("{} configured: {}", resource, settings);
            return new Open<>(settings, pools, resource);
        } catch (RuntimeException | Error e) {
            pools.close();
            throw e;
        }
    }

    /** What is open now. */
    T get() {
        return open.resource();
    }

    PostgresSettings settings() {
        return open.settings();
    }

    /**
     * Reopens with a changed configuration; keeps the current one (one ERROR line) when the new one is
     * invalid or cannot be opened.
     */
    void reconfigure(PostgresReceivedEventStoreComponent.Config config, Map<String, ?> properties) {
        Open<T> current = open;
        try {
            PostgresSettings settings = PostgresReceivedEventStoreComponent.settings(config, properties);
            if (settings.equals(current.settings())) {
                return;
            }
            open = open(settings);
        } catch (RuntimeException e) {
            String pid = "configuration " + PostgresReceivedEventStoreComponent.PID;
            String message = e.getMessage().startsWith(pid) ? e.getMessage() : pid + ": " + e.getMessage();
            LOG.error("{}; the {} keeps running with its previous configuration ({})", message, kind,
                    current.settings());
            return;
        }
        close(current);
    }

    private void close(Open<T> o) {
        try {
            closer.accept(o.resource());
        } finally {
            o.pools().close();
        }
    }

    @Override
    public void close() {
        close(open);
    }
}
