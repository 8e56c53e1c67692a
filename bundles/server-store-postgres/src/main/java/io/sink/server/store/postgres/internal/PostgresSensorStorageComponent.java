package io.sink.server.store.postgres.internal;

import io.sink.server.sensors.storage.SensorStorage;
import io.sink.sqlite.SqlWork;
import java.util.Map;
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
 * The sensor directory's storage in the PostgreSQL database of PID
 * {@value PostgresReceivedEventStoreComponent#PID} (pools of its own), for the directory's
 * {@code storage.target} {@code (sink.sensors.storage=postgresql)} (PID {@code io.sink.server.sensors}).
 * A delayed service: it opens the database only when the directory chooses it; while the database
 * cannot be reached it is tried again and again, and the directory's calls fail meanwhile.
 */
@Component(service = SensorStorage.class,
        property = SensorStorage.STORAGE_TYPE + "=" + PostgresSensorStorageComponent.STORAGE_TYPE,
        configurationPid = PostgresReceivedEventStoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
public final class PostgresSensorStorageComponent implements SensorStorage {
    /** Value of {@link SensorStorage#STORAGE_TYPE} for this storage. */
    public static final String STORAGE_TYPE = "postgresql";

    private final PostgresResource<PostgresSensorStorage> storage;

    @Activate
    public PostgresSensorStorageComponent(
            @Reference(name = "dataSourceFactory", target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "="
                    + PostgresReceivedEventStoreComponent.DRIVER_CLASS + ")") DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            PostgresReceivedEventStoreComponent.Config config, Map<String, Object> properties) {
        this.storage = new PostgresResource<>(dataSourceFactory, transactionControl, providerFactory,
                PostgresSensorStorage.KIND, config, properties,
                (sql, settings) -> PostgresSensorStorage.open(sql, settings.databaseName()), s -> { });
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
    public String description() {
        return storage.describe();
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return storage.get().write(work);
    }

    @Override
    public <T> T read(String what, SqlWork<T> work) {
        return storage.get().read(what, work);
    }

    @Override
    public String toString() {
        return storage.describe();
    }
}
