package io.sink.store.sqlite.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.EventLogListener;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.config.ConfigReader;
import io.sink.api.config.Reconfigurable;
import io.sink.sqlite.AriesSqliteStore;
import io.sink.sqlite.SqliteSettings;
import io.sink.sqlite.DataDirectory;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQLite event log as a service: wires the OSGi JDBC service (pax-jdbc-sqlite's
 * {@link DataSourceFactory}) and Aries transaction control to a {@link SqliteEventLog}.
 *
 * <p>Two connection pools come from the {@link JDBCConnectionProviderFactory} (see
 * {@link AriesSqliteStore}): the writer's, of exactly one connection, and the readers'. Both open
 * sqlite-jdbc connections through the driver with the configured pragmas.
 */
@Component(service = {GroundEventLog.class, InstanceIdStore.class},
        property = GroundEventLog.STORE_TYPE + "=" + SqliteEventLogComponent.STORE_TYPE,
        configurationPid = SqliteEventLogComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SqliteEventLogComponent.Config.class)
public final class SqliteEventLogComponent implements GroundEventLog, InstanceIdStore {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteEventLogComponent.class);

    /** Configuration PID. */
    public static final String PID = "io.sink.store.sqlite";
    /** Value of {@link GroundEventLog#STORE_TYPE} for this store. */
    public static final String STORE_TYPE = "sqlite";
    /** Framework property: the directory that relative database paths are resolved against. */
    public static final String DATA_DIR_PROPERTY = DataDirectory.PROPERTY;
    /** Where relative paths go when {@value #DATA_DIR_PROPERTY} is not set (under the working directory). */
    public static final String DEFAULT_DATA_DIR = DataDirectory.DEFAULT;

    @ObjectClassDefinition(name = "Sink SQLite event log",
            description = "The client's durable event log and instance ids in a SQLite database.")
    public @interface Config {
        @AttributeDefinition(name = "Database path", description = "The SQLite database file. A relative path is"
                + " resolved against the framework property sink.data.dir, or ./data when it is not set. Keep it"
                + " outside the framework cache. Parent directories are created.")
        String path() default "client/events.db";

        @AttributeDefinition(name = "Journal mode", description = "SQLite journal mode: WAL (readers and the writer"
                + " never block each other), DELETE, TRUNCATE or PERSIST.",
                options = {
                    @org.osgi.service.metatype.annotations.Option(label = "WAL", value = "WAL"),
                    @org.osgi.service.metatype.annotations.Option(label = "DELETE", value = "DELETE"),
                    @org.osgi.service.metatype.annotations.Option(label = "TRUNCATE", value = "TRUNCATE"),
                    @org.osgi.service.metatype.annotations.Option(label = "PERSIST", value = "PERSIST")})
        String journalMode() default "WAL";

        @AttributeDefinition(name = "Synchronous", description = "SQLite synchronous level: FULL (fsync at every"
                + " commit: durable across power loss), EXTRA, NORMAL (in WAL mode durable across a process crash"
                + " only) or OFF (not durable).",
                options = {
                    @org.osgi.service.metatype.annotations.Option(label = "FULL", value = "FULL"),
                    @org.osgi.service.metatype.annotations.Option(label = "EXTRA", value = "EXTRA"),
                    @org.osgi.service.metatype.annotations.Option(label = "NORMAL", value = "NORMAL"),
                    @org.osgi.service.metatype.annotations.Option(label = "OFF", value = "OFF")})
        String synchronous() default "FULL";

        @AttributeDefinition(name = "Size limit (bytes)", description = "When the database's pages in use reach"
                + " this many bytes, new events are refused (EventLogFullException); acknowledgements are still"
                + " accepted. 0 for no limit.")
        long maxDatabaseBytes() default 1L << 30;

        @AttributeDefinition(name = "Retention: maximum age (s)", description = "Acknowledged events are deleted"
                + " this many seconds after their acknowledgement. 0 for no age limit.")
        long retentionMaxAgeSeconds() default 7 * 24 * 3600;

        @AttributeDefinition(name = "Retention: maximum count", description = "At most this many acknowledged"
                + " events are kept (the most recently acknowledged). 0 for no count limit.")
        long retentionMaxCount() default 100_000;

        @AttributeDefinition(name = "Retention: batch size", description = "Events deleted per retention"
                + " transaction; batches are interleaved with the writes.")
        int retentionBatchSize() default 500;

        @AttributeDefinition(name = "Retention: period (s)", description = "Seconds between retention runs.")
        long retentionPeriodSeconds() default 60;

        @AttributeDefinition(name = "Writes per transaction", description = "Most concurrent writes committed"
                + " together in one transaction (group commit).")
        int maxWritesPerTransaction() default 1000;

        @AttributeDefinition(name = "Reader connections", description = "Size of the readers' connection pool;"
                + " the writer has its own single connection.")
        int readConnections() default 4;
    }

    private final DataSourceFactory dataSourceFactory;
    private final TransactionControl transactionControl;
    private final JDBCConnectionProviderFactory providerFactory;
    private final Path dataDirectory;
    /** The open database, replaced by {@link #modified} when a new valid configuration is applied. */
    private final Reconfigurable<StoreSettings, AriesSqliteStore<SqliteEventLog>> database;

    private final List<EventLogListener> listeners =
            new CopyOnWriteArrayList<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(EventLogListener listener) {
        listeners.add(listener);
    }

    void removeListener(EventLogListener listener) {
        listeners.remove(listener);
    }

    private void notifyListeners(long sequence) {
        for (EventLogListener listener : listeners) {
            try {
                listener.appended(this, sequence);
            } catch (RuntimeException e) {
                LOG.warn("an event log listener failed", e);
            }
        }
    }

    /**
     * Opens the database with the configuration's raw properties: read through a {@link ConfigReader},
     * so an unparseable value is refused naming the PID, the property and the value (the typed
     * {@link Config} only describes the configuration to the metatype service).
     */
    @Activate
    public SqliteEventLogComponent(
            @Reference(name = "dataSourceFactory",
                    target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=org.sqlite.JDBC)")
            DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            BundleContext context, Map<String, Object> properties) {
        this.dataSourceFactory = dataSourceFactory;
        this.transactionControl = transactionControl;
        this.providerFactory = providerFactory;
        this.dataDirectory = dataDirectory(context);
        this.database = new Reconfigurable<>(PID, "the event log", properties, p -> settings(p, dataDirectory),
                this::open, AriesSqliteStore::close, LOG::error, LOG::info);
    }

    private SqliteEventLog current() {
        return database.current().store();
    }

    private AriesSqliteStore<SqliteEventLog> open(StoreSettings settings) {
        return AriesSqliteStore.open(dataSourceFactory, transactionControl, providerFactory, settings.sqlite(),
                SqliteEventLog.KIND, sql -> SqliteEventLog.open(sql, settings, Clock.systemUTC(), new SecureRandom()));
    }

    /**
     * A changed configuration, applied without deactivating the component (SCR would otherwise stop
     * it and every component that needs an event log: the poller, the transport): an invalid value is
     * refused with ONE error line naming the PID, the property, the value and why, and the event log
     * keeps running as it is; a valid change reopens the database with it (see {@link Reconfigurable}).
     */
    @Modified
    void modified(Map<String, Object> properties) {
        database.modified(properties);
    }

    /** Validates the configuration; messages name the PID, the property and the value. */
    static StoreSettings settings(Map<String, ?> properties, Path dataDirectory) {
        ConfigReader config = new ConfigReader(PID, properties);
        SqliteSettings.Builder sqlite = SqliteSettings.fromConfig(config, dataDirectory, "client/events.db");
        long maxAgeSeconds = config.longValue("retentionMaxAgeSeconds", 7 * 24 * 3600, 0, MAX_SECONDS);
        long periodSeconds = config.longValue("retentionPeriodSeconds", 60, 1, MAX_SECONDS);
        try {
            return StoreSettings.builder(sqlite)
                    .maxDatabaseBytes(config.longValue("maxDatabaseBytes", 1L << 30, 0, Long.MAX_VALUE))
                    .retentionMaxAge(Duration.ofSeconds(maxAgeSeconds))
                    .retentionMaxCount(config.longValue("retentionMaxCount", 100_000, 0, Long.MAX_VALUE))
                    .retentionBatchSize(config.intValue("retentionBatchSize", 500, 1, 100_000))
                    .retentionPeriod(Duration.ofSeconds(periodSeconds))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    /** Ten years: longer retention ages and periods are refused (their milliseconds would overflow). */
    private static final long MAX_SECONDS = 10L * 366 * 24 * 3600;

    /** The directory relative database paths are resolved against. */
    static Path dataDirectory(BundleContext context) {
        return DataDirectory.of(context == null ? null : context.getProperty(DATA_DIR_PROPERTY));
    }

    @Deactivate
    void deactivate() {
        database.close();
    }

    /** The event log behind this component, for tests and diagnostics. */
    SqliteEventLog log() {
        return current();
    }

    @Override
    public long append(Event event) {
        long sequence = current().append(event);
        notifyListeners(sequence);
        return sequence;
    }

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        LoggedEvent logged = current().appendNext(eventTypeId, schemaVersion, key, timestamp, eventData);
        notifyListeners(logged.sequence());
        return logged;
    }

    @Override
    public Optional<Event> lastEvent(long eventTypeId, byte[] key) {
        return current().lastEvent(eventTypeId, key);
    }

    @Override
    public List<Event> lastEvents(long eventTypeId) {
        return current().lastEvents(eventTypeId);
    }

    @Override
    public List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit) {
        return current().unacknowledged(eventTypeIds, excludedTypeIds, afterSequence, limit);
    }

    @Override
    public void acknowledge(Collection<AckKey> ackKeys) {
        current().acknowledge(ackKeys);
    }

    @Override
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        return current().countUnacknowledged(eventTypeIds, excludedTypeIds);
    }

    @Override
    public List<Event> lastEvents() {
        return current().lastEvents();
    }

    @Override
    public void adopt(List<Event> events, List<Event> lastEvents) {
        current().adopt(events, lastEvents);
    }

    @Override
    public long queueSize() {
        return current().queueSize();
    }

    @Override
    public Optional<Event> nextEvent() {
        return current().nextEvent();
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return current().instanceIds();
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        current().storeServerInstanceId(serverInstanceId);
    }
}
