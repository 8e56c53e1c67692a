package io.sink.server.store.postgres.internal;

import io.sink.sqlite.AriesSqlitePools;
import io.sink.sqlite.SqlExecutor;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
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
 * <p>A database that cannot be opened at activation (not reachable yet, refusing the password, a
 * schema it cannot migrate) does not fail the component for good: the attempts are repeated after 1,
 * 2, 4 ... seconds, at most {@link #MAX_RETRY_DELAY} apart, until one succeeds or the configuration
 * changes; meanwhile {@link #get()} fails (a store's callers treat that as "not stored, send again").
 * Only an invalid configuration fails the activation.
 *
 * @param <T> what is opened on the pools
 */
final class PostgresResource<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresResource.class);
    static final Duration FIRST_RETRY_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(60);

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
    private final Duration firstRetryDelay;
    private volatile Open<T> open;
    /** While nothing is open: the settings being tried, the last failure and the next attempt. */
    private PostgresSettings pending;
    private volatile String pendingFailure;
    private Duration nextDelay;
    private ScheduledExecutorService retrier;
    private ScheduledFuture<?> retry;
    private int attempts;
    private boolean closed;

    /**
     * Opens the resource with {@code config}, or keeps trying in the background when the database cannot
     * be opened now.
     *
     * @param kind what is opened, for messages, e.g. {@code received-event store}
     * @throws IllegalArgumentException one line naming the PID, the property, the value and why
     */
    PostgresResource(DataSourceFactory dataSourceFactory, TransactionControl transactionControl,
            JDBCConnectionProviderFactory providerFactory, String kind, PostgresReceivedEventStoreComponent.Config config,
            Map<String, ?> properties, Opener<T> opener, Consumer<T> closer) {
        this(dataSourceFactory, transactionControl, providerFactory, kind, config, properties, opener, closer,
                FIRST_RETRY_DELAY);
    }

    /** With the first retry after {@code firstRetryDelay} (tests). */
    PostgresResource(DataSourceFactory dataSourceFactory, TransactionControl transactionControl,
            JDBCConnectionProviderFactory providerFactory, String kind, PostgresReceivedEventStoreComponent.Config config,
            Map<String, ?> properties, Opener<T> opener, Consumer<T> closer, Duration firstRetryDelay) {
        this.dataSourceFactory = Objects.requireNonNull(dataSourceFactory, "dataSourceFactory");
        this.transactionControl = Objects.requireNonNull(transactionControl, "transactionControl");
        this.providerFactory = Objects.requireNonNull(providerFactory, "providerFactory");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.opener = Objects.requireNonNull(opener, "opener");
        this.closer = Objects.requireNonNull(closer, "closer");
        this.firstRetryDelay = Objects.requireNonNull(firstRetryDelay, "firstRetryDelay");
        PostgresSettings settings = PostgresReceivedEventStoreComponent.settings(config, properties);
        synchronized (this) {
            try {
                this.open = open(settings);
            } catch (IllegalStateException e) {
                startRetrying(settings, e);
            }
        }
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

    /** Called with the monitor held. */
    private void startRetrying(PostgresSettings settings, IllegalStateException failure) {
        pending = settings;
        pendingFailure = failure.getMessage();
        attempts = 1;
        nextDelay = firstRetryDelay;
        if (retrier == null) {
            retrier = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sink-postgresql-open");
                t.setDaemon(true);
                return t;
            });
        }
        LOG.error("{}; trying again in {} s, then less and less often (at most every {} s), until it opens",
                failure.getMessage(), seconds(nextDelay), MAX_RETRY_DELAY.toSeconds());
        schedule();
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? Long.toString(d.toSeconds()) : String.valueOf(d.toMillis() / 1000.0);
    }

    private void schedule() {
        retry = retrier.schedule(this::attempt, nextDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void attempt() {
        if (closed || open != null || pending == null) {
            return;
        }
        attempts++;
        try {
            open = open(pending);
            LOG.info("the {} opened after {} attempts", kind, attempts);
            pending = null;
            pendingFailure = null;
        } catch (RuntimeException e) {
            pendingFailure = e.getMessage();
            nextDelay = nextDelay.multipliedBy(2).compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : nextDelay.multipliedBy(2);
            LOG.warn("{} (attempt {}); trying again in {} s", e.getMessage(), attempts, seconds(nextDelay));
            schedule();
        }
    }

    /**
     * What is open now.
     *
     * @throws IllegalStateException while the database could not be opened yet (the attempts go on)
     */
    T get() {
        Open<T> o = open;
        if (o == null) {
            throw new IllegalStateException("the " + kind + " is not open yet (its database is tried again and again): "
                    + pendingFailure);
        }
        return o.resource();
    }

    /** What is open, or what is being opened, for messages; never fails. */
    String describe() {
        Open<T> o = open;
        return o != null ? o.resource().toString() : "the " + kind + " (not open yet: " + pendingFailure + ")";
    }

    /** Whether the resource is open (false while the attempts go on). */
    boolean isOpen() {
        return open != null;
    }

    /**
     * Reopens with a changed configuration; keeps the current one (one ERROR line) when the new one is
     * invalid or cannot be opened. While nothing is open yet, a valid new configuration replaces the one
     * being tried.
     */
    synchronized void reconfigure(PostgresReceivedEventStoreComponent.Config config, Map<String, ?> properties) {
        Open<T> current = open;
        if (current == null) {
            PostgresSettings settings;
            try {
                settings = PostgresReceivedEventStoreComponent.settings(config, properties);
            } catch (IllegalArgumentException e) {
                LOG.error("{}; the {} keeps trying its previous configuration ({})", e.getMessage(), kind, pending);
                return;
            }
            if (retry != null) {
                retry.cancel(false);
            }
            try {
                open = open(settings);
                pending = null;
                pendingFailure = null;
            } catch (IllegalStateException e) {
                startRetrying(settings, e);
            } catch (IllegalArgumentException e) {
                LOG.error("{}; the {} keeps trying its previous configuration ({})", e.getMessage(), kind, pending);
                schedule();
            }
            return;
        }
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
    public synchronized void close() {
        closed = true;
        if (retrier != null) {
            retrier.shutdownNow();
        }
        Open<T> o = open;
        if (o != null) {
            close(o);
        }
    }
}
