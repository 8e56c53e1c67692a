package io.sink.server.store.internal;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import io.sink.sqlite.AriesSqlitePools;
import io.sink.sqlite.DataDirectory;
import io.sink.sqlite.SqliteDatabase;
import io.sink.sqlite.SqliteSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;

/**
 * The SQLite received-event store as a service: wires the OSGi JDBC service (pax-jdbc-sqlite's
 * {@link DataSourceFactory}) and Aries transaction control to a {@link SqliteReceivedEventStore}
 * (see {@link AriesSqlitePools}: a writer pool of one connection and a readers' pool).
 */
@Component(service = ReceivedEventStore.class,
        property = ReceivedEventStore.STORE_TYPE + "=" + SqliteReceivedEventStoreComponent.STORE_TYPE,
        configurationPid = SqliteReceivedEventStoreComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SqliteReceivedEventStoreComponent.Config.class)
public final class SqliteReceivedEventStoreComponent implements ReceivedEventStore {

    /** Configuration PID. */
    public static final String PID = "io.sink.server.store";
    /** Value of {@link ReceivedEventStore#STORE_TYPE} for this store. */
    public static final String STORE_TYPE = "sqlite";

    @ObjectClassDefinition(id = PID, name = "Sink server event store (SQLite)",
            description = "The server's durable store of the events received from clients, in a SQLite database."
                    + " An event is committed before the server ACKs it; a re-sent event is stored once.")
    public @interface Config {
        @AttributeDefinition(name = "Database path", description = "The SQLite database file. A relative path is"
                + " resolved against the framework property sink.data.dir, or ./data when it is not set. Keep it"
                + " outside the framework cache. Parent directories are created.")
        String path() default "server/events.db";

        @AttributeDefinition(name = "Journal mode", description = "SQLite journal mode: WAL (readers and the writer"
                + " never block each other), DELETE, TRUNCATE or PERSIST.",
                options = {
                    @Option(label = "WAL", value = "WAL"),
                    @Option(label = "DELETE", value = "DELETE"),
                    @Option(label = "TRUNCATE", value = "TRUNCATE"),
                    @Option(label = "PERSIST", value = "PERSIST")})
        String journalMode() default "WAL";

        @AttributeDefinition(name = "Synchronous", description = "SQLite synchronous level: FULL (fsync at every"
                + " commit: an ACKed event survives power loss), EXTRA, NORMAL (in WAL mode durable across a"
                + " process crash only) or OFF (not durable).",
                options = {
                    @Option(label = "FULL", value = "FULL"),
                    @Option(label = "EXTRA", value = "EXTRA"),
                    @Option(label = "NORMAL", value = "NORMAL"),
                    @Option(label = "OFF", value = "OFF")})
        String synchronous() default "FULL";

        @AttributeDefinition(name = "Writes per transaction", description = "Most concurrently received events"
                + " committed together in one transaction (group commit), 1 to 100000.")
        int maxWritesPerTransaction() default 1000;

        @AttributeDefinition(name = "Reader connections", description = "Size of the readers' connection pool"
                + " (latest, count), 1 to 64; the writer has its own single connection.")
        int readConnections() default 4;
    }

    private final AriesSqlitePools pools;
    private final SqliteReceivedEventStore store;

    @Activate
    public SqliteReceivedEventStoreComponent(
            @Reference(name = "dataSourceFactory",
                    target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=org.sqlite.JDBC)")
            DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            BundleContext context, Config config) {
        SqliteSettings settings = settings(config,
                DataDirectory.of(context == null ? null : context.getProperty(DataDirectory.PROPERTY)));
        // the pools open a first connection at once: the directory must be there before them
        SqliteDatabase.prepareDirectory(settings.path(), SqliteReceivedEventStore.KIND);
        this.pools = AriesSqlitePools.open(dataSourceFactory, transactionControl, providerFactory, settings,
                SqliteReceivedEventStore.KIND);
        try {
            this.store = SqliteReceivedEventStore.open(pools.executor(), settings, Clock.systemUTC());
        } catch (RuntimeException | Error e) {
            pools.close();
            throw e;
        }
    }

    /** Validates the configuration; messages name the PID and the property. */
    static SqliteSettings settings(Config config, Path dataDirectory) {
        String path = config.path() == null ? "" : config.path().trim();
        if (path.isEmpty()) {
            throw new IllegalArgumentException("configuration " + PID + ": path must name the database file, got '"
                    + config.path() + "'");
        }
        try {
            return SqliteSettings.builder(dataDirectory.resolve(path))
                    .journalMode(config.journalMode())
                    .synchronous(config.synchronous())
                    .maxWritesPerTransaction(config.maxWritesPerTransaction())
                    .readConnections(config.readConnections())
                    .build();
        } catch (IllegalArgumentException e) { // includes InvalidPathException
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        store.close();
        pools.close();
    }

    /** The store behind this component, for tests and diagnostics. */
    SqliteReceivedEventStore store() {
        return store;
    }

    @Override
    public CompletionStage<Outcome> store(String clientId, Event event) {
        return store.store(clientId, event);
    }

    @Override
    public List<StoredEvent> latest(String clientId, int count) {
        return store.latest(clientId, count);
    }

    @Override
    public long count(String clientId) {
        return store.count(clientId);
    }
}
