package io.sink.server.store.postgres.internal;

import io.sink.api.config.ConfigurationCheck;
import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;

/**
 * The PostgreSQL received-event store as a service: wires the OSGi JDBC service (pgjdbc's own
 * {@link DataSourceFactory}) and Aries transaction control to a {@link PostgresReceivedEventStore},
 * with the same two pools as the SQLite store (a writer pool of one connection and a readers' pool,
 * see {@link PostgresResource}).
 *
 * <p>Only active when its PID is configured (SQLite stays the default store); consumers choose it
 * with the target {@code (sink.store.type=postgresql)}. A changed configuration opens the new
 * database first and then closes the old one (which commits what it has queued); an invalid one is
 * refused with one ERROR line and the store keeps running as it was.
 */
@Component(service = ReceivedEventStore.class,
        property = ReceivedEventStore.STORE_TYPE + "=" + PostgresReceivedEventStoreComponent.STORE_TYPE,
        configurationPid = PostgresReceivedEventStoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = PostgresReceivedEventStoreComponent.Config.class)
public final class PostgresReceivedEventStoreComponent implements ReceivedEventStore {
    /** Configuration PID. */
    public static final String PID = "io.sink.server.store.postgresql";
    /** Value of {@link ReceivedEventStore#STORE_TYPE} for this store. */
    public static final String STORE_TYPE = "postgresql";
    /** pgjdbc's driver class, as its DataSourceFactory is registered. */
    public static final String DRIVER_CLASS = "org.postgresql.Driver";

    @ObjectClassDefinition(id = PID, name = "Sink server event store (PostgreSQL)",
            description = "The server's durable store of the events received from clients, in a PostgreSQL"
                    + " database. An event is committed before the server ACKs it; a re-sent event is stored once."
                    + " Active only when configured; select it with the target (sink.store.type=postgresql).")
    public @interface Config {
        @AttributeDefinition(name = "JDBC URL", description = "jdbc:postgresql://host:port/database[?parameters],"
                + " e.g. for TLS ?sslmode=verify-full. When set, host, port and database are not used. Must not"
                + " hold a password.")
        String url() default "";

        @AttributeDefinition(name = "Host", description = "The database server's host name or IP address.")
        String host() default "localhost";

        @AttributeDefinition(name = "Port", description = "The database server's port, 1 to 65535.")
        int port() default 5432;

        @AttributeDefinition(name = "Database", description = "The database's name.")
        String database() default "sink";

        @AttributeDefinition(name = "User", description = "The database user. It needs to create tables in the"
                + " database on the first start (the schema is migrated then).")
        String user() default "sink";

        @AttributeDefinition(name = "Password file", description = "A file whose first line is the user's"
                + " password; keep it readable by the server's user only. Relative to the working directory."
                + " Empty: no password (trust or peer authentication, or ~/.pgpass). The password is never"
                + " logged.")
        String passwordFile() default "";

        @AttributeDefinition(name = "Writes per transaction", description = "Most concurrently received events"
                + " written together in one transaction (a multi-row INSERT), 1 to 8000.")
        int maxWritesPerTransaction() default 1000;

        @AttributeDefinition(name = "Reader connections", description = "Size of the readers' connection pool"
                + " (latest, count), 1 to 64; the writer has its own single connection.")
        int readConnections() default 4;

        @AttributeDefinition(name = "Connect timeout", description = "Seconds that opening a connection may take,"
                + " 1 to 300.")
        int connectTimeoutSeconds() default 10;
    }

    private final PostgresResource<PostgresReceivedEventStore> store;

    @Activate
    public PostgresReceivedEventStoreComponent(
            @Reference(name = "dataSourceFactory",
                    target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=" + DRIVER_CLASS + ")")
            DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            Config config, Map<String, Object> properties) {
        this.store = new PostgresResource<>(dataSourceFactory, transactionControl, providerFactory,
                PostgresReceivedEventStore.KIND, config, properties,
                (sql, settings) -> PostgresReceivedEventStore.open(sql, settings.databaseName(),
                        settings.maxWritesPerTransaction(), Clock.systemUTC()),
                PostgresReceivedEventStore::close);
    }

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException one line naming the PID, the property, the value and why
     */
    static PostgresSettings settings(Config config, Map<String, ?> properties) {
        try {
            // a value DS cannot convert (port = abc) is named here, not as a bare NumberFormatException
            ConfigurationCheck.requireReadable(Config.class, config, properties);
            String url = config.url() == null ? "" : config.url().trim();
            if (url.isEmpty()) {
                url = PostgresSettings.url(config.host() == null ? null : config.host().trim(), config.port(),
                        config.database() == null ? null : config.database().trim());
            }
            String file = config.passwordFile() == null ? "" : config.passwordFile().trim();
            Path passwordFile;
            try {
                passwordFile = file.isEmpty() ? null : Paths.get(file).toAbsolutePath();
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("passwordFile must be a file path, got '"
                        + PostgresSettings.printable(file) + "': " + e.getReason(), e);
            }
            return new PostgresSettings(url, config.user() == null ? "" : config.user().trim(), passwordFile,
                    config.maxWritesPerTransaction(), config.readConnections(), config.connectTimeoutSeconds());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        store.reconfigure(config, properties);
    }

    @Deactivate
    void deactivate() {
        store.close();
    }

    /** The store behind this component, for tests and diagnostics. */
    PostgresReceivedEventStore store() {
        return store.get();
    }

    @Override
    public CompletionStage<Outcome> store(String clientId, Event event) {
        PostgresReceivedEventStore open;
        try {
            open = store.get();
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e); // not open yet: the reading log has the client send it again
        }
        return open.store(clientId, event);
    }

    @Override
    public List<StoredEvent> latest(String clientId, int count) {
        return store.get().latest(clientId, count);
    }

    @Override
    public long count(String clientId) {
        return store.get().count(clientId);
    }
}
