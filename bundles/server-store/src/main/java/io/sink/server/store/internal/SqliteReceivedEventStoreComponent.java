package io.sink.server.store.internal;

import io.sink.api.Event;
import io.sink.api.config.ConfigReader;
import io.sink.api.config.Reconfigurable;
import io.sink.api.server.ReceivedEventStore;
import io.sink.sqlite.AriesSqliteStore;
import io.sink.sqlite.DataDirectory;
import io.sink.sqlite.SqliteSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite received-event store as a service: wires the OSGi JDBC service (pax-jdbc-sqlite's
 * {@link DataSourceFactory}) and Aries transaction control to a {@link SqliteReceivedEventStore}
 * (see {@link AriesSqliteStore}: a writer pool of one connection and a readers' pool).
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

        @AttributeDefinition(name = "Size limit (bytes)", description = "When the database's pages in use plus"
                + " its write-ahead log reach this, new events are not stored (their ACKs are withheld and the"
                + " client sends them again later; duplicates are still ACKed). 0 for no limit (the disk's).")
        long maxDatabaseBytes() default 0;

        @AttributeDefinition(name = "Quota per client (bytes)", description = "Most bytes of event keys and data"
                + " stored from one client; beyond, that client's new events are not stored (ACKs withheld, sent"
                + " again later). 0 for no quota.")
        long maxClientBytes() default 1L << 30;
    }

    /** A validated configuration. */
    record Settings(SqliteSettings sqlite, StoreLimits limits) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SqliteReceivedEventStoreComponent.class);

    private final DataSourceFactory dataSourceFactory;
    private final TransactionControl transactionControl;
    private final JDBCConnectionProviderFactory providerFactory;
    private final Path dataDirectory;
    /** The open database, replaced by {@link #modified} when a new valid configuration is applied. */
    private final Reconfigurable<Settings, AriesSqliteStore<SqliteReceivedEventStore>> database;

    /**
     * Opens the database with the configuration's raw properties, read through a {@link ConfigReader}
     * so that an unparseable value is refused naming the PID, the property and the value.
     */
    @Activate
    public SqliteReceivedEventStoreComponent(
            @Reference(name = "dataSourceFactory",
                    target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=org.sqlite.JDBC)")
            DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            BundleContext context, Map<String, Object> properties) {
        this.dataSourceFactory = dataSourceFactory;
        this.transactionControl = transactionControl;
        this.providerFactory = providerFactory;
        this.dataDirectory = DataDirectory.of(context == null ? null : context.getProperty(DataDirectory.PROPERTY));
        this.database = new Reconfigurable<>(PID, "the received-event store", properties,
                p -> settings(p, dataDirectory), this::open, AriesSqliteStore::close, LOG::error, LOG::info);
    }

    private SqliteReceivedEventStore current() {
        return database.current().store();
    }

    private AriesSqliteStore<SqliteReceivedEventStore> open(Settings settings) {
        return AriesSqliteStore.open(dataSourceFactory, transactionControl, providerFactory, settings.sqlite(),
                SqliteReceivedEventStore.KIND,
                sql -> SqliteReceivedEventStore.open(sql, settings.sqlite(), Clock.systemUTC(), settings.limits()));
    }

    /**
     * A changed configuration, applied without deactivating the component (which would take the
     * reading log's store away): an invalid value is refused with ONE error line naming the PID, the
     * property, the value and why, and the store keeps running; a valid change reopens the database
     * with it (see {@link Reconfigurable}).
     */
    @Modified
    void modified(Map<String, Object> properties) {
        database.modified(properties);
    }

    /** Validates the configuration; messages name the PID, the property and the value. */
    static Settings settings(Map<String, ?> properties, Path dataDirectory) {
        ConfigReader config = new ConfigReader(PID, properties);
        SqliteSettings.Builder sqlite = SqliteSettings.fromConfig(config, dataDirectory, "server/events.db");
        long maxDatabaseBytes = config.longValue("maxDatabaseBytes", 0, 0, Long.MAX_VALUE);
        long maxClientBytes = config.longValue("maxClientBytes", 1L << 30, 0, Long.MAX_VALUE);
        if (maxDatabaseBytes > 0) {
            // the WAL counts towards the limit: keep it to an eighth of it (64 KiB .. 4 MiB)
            sqlite.walLimitBytes(Math.max(64 * 1024, Math.min(SqliteSettings.DEFAULT_WAL_LIMIT_BYTES,
                    maxDatabaseBytes / 8)));
        }
        try {
            return new Settings(sqlite.build(), new StoreLimits(maxDatabaseBytes, maxClientBytes));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    @Deactivate
    void deactivate() {
        database.close();
    }

    /** The store behind this component, for tests and diagnostics. */
    SqliteReceivedEventStore store() {
        return current();
    }

    @Override
    public CompletionStage<Outcome> store(String clientId, Event event) {
        return current().store(clientId, event);
    }

    @Override
    public List<CompletionStage<Outcome>> storeAll(String clientId, List<Event> events) {
        return current().storeAll(clientId, events);
    }

    @Override
    public List<StoredEvent> latest(String clientId, int count) {
        return current().latest(clientId, count);
    }

    @Override
    public long count(String clientId) {
        return current().count(clientId);
    }
}
