package io.sink.server.store.postgres.internal;

import io.sink.api.InstanceId;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.auth.storage.StoredClient;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;

/**
 * The client registry's storage in the PostgreSQL database of PID
 * {@value PostgresReceivedEventStoreComponent#PID} (the same database as the event store, with pools
 * of its own), for the registry's {@code storage.target} {@code (sink.registry.storage=postgresql)}.
 * A delayed service: it opens the database only when the registry chooses it.
 */
@Component(service = RegistryStorage.class,
        property = RegistryStorage.STORAGE_TYPE + "=" + PostgresRegistryStorageComponent.STORAGE_TYPE,
        configurationPid = PostgresReceivedEventStoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class PostgresRegistryStorageComponent implements RegistryStorage {
    /** Value of {@link RegistryStorage#STORAGE_TYPE} for this storage. */
    public static final String STORAGE_TYPE = "postgresql";

    private final PostgresResource<PostgresRegistryStorage> storage;

    @Activate
    public PostgresRegistryStorageComponent(
            @Reference(name = "dataSourceFactory", target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "="
                    + PostgresReceivedEventStoreComponent.DRIVER_CLASS + ")") DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            PostgresReceivedEventStoreComponent.Config config, Map<String, Object> properties) {
        this.storage = new PostgresResource<>(dataSourceFactory, transactionControl, providerFactory,
                PostgresRegistryStorage.KIND, config, properties,
                (sql, settings) -> PostgresRegistryStorage.open(sql, settings.databaseName(), new SecureRandom()),
                s -> { });
    }

    @Modified
    void modified(PostgresReceivedEventStoreComponent.Config config, Map<String, Object> properties) {
        storage.reconfigure(config, properties);
    }

    @Deactivate
    void deactivate() {
        storage.close();
    }

    @Override
    public InstanceId serverInstanceId() {
        return storage.get().serverInstanceId();
    }

    @Override
    public Optional<StoredClient> get(String clientId) {
        return storage.get().get(clientId);
    }

    @Override
    public void put(StoredClient client) throws IOException {
        storage.get().put(client);
    }

    @Override
    public String setAside(String clientId) throws IOException {
        return storage.get().setAside(clientId);
    }

    @Override
    public SortedSet<String> clientIds() {
        return storage.get().clientIds();
    }

    @Override
    public String toString() {
        return storage.describe();
    }
}
