package io.sink.server.sensors.internal;

import io.sink.api.config.ConfigReader;
import io.sink.api.config.Reconfigurable;
import io.sink.server.sensors.storage.SensorStorage;
import io.sink.sqlite.AriesSqliteStore;
import io.sink.sqlite.DataDirectory;
import io.sink.sqlite.SqlWork;
import io.sink.sqlite.SqliteSettings;
import java.nio.file.Path;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.jdbc.DataSourceFactory;
import org.osgi.service.transaction.control.TransactionControl;
import org.osgi.service.transaction.control.jdbc.JDBCConnectionProviderFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sensor directory's default storage: a SQLite file (OSGi JDBC + Aries transaction control, as the
 * server's event store), configured by {@code path}, {@code journalMode} and {@code synchronous} of PID
 * {@value SensorDirectoryComponent#PID} (shared with the directory, which applies the other
 * properties). A delayed service: the file is opened only when the directory's {@code storage.target}
 * chooses it.
 */
@Component(service = SensorStorage.class,
        property = SensorStorage.STORAGE_TYPE + "=" + SqliteSensorStorageComponent.STORAGE_TYPE,
        configurationPid = SensorDirectoryComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
public final class SqliteSensorStorageComponent implements SensorStorage {
    /** Value of {@link SensorStorage#STORAGE_TYPE} for the SQLite file. */
    public static final String STORAGE_TYPE = "sqlite";

    private static final Logger LOG = LoggerFactory.getLogger(SqliteSensorStorageComponent.class);

    private final DataSourceFactory dataSourceFactory;
    private final TransactionControl transactionControl;
    private final JDBCConnectionProviderFactory providerFactory;
    private final Reconfigurable<SqliteSettings, AriesSqliteStore<SqliteSensorStorage>> running;

    @Activate
    public SqliteSensorStorageComponent(
            @Reference(name = "dataSourceFactory",
                    target = "(" + DataSourceFactory.OSGI_JDBC_DRIVER_CLASS + "=org.sqlite.JDBC)")
            DataSourceFactory dataSourceFactory,
            @Reference(name = "transactionControl") TransactionControl transactionControl,
            @Reference(name = "connectionProviderFactory") JDBCConnectionProviderFactory providerFactory,
            BundleContext context, Map<String, Object> properties) {
        this.dataSourceFactory = dataSourceFactory;
        this.transactionControl = transactionControl;
        this.providerFactory = providerFactory;
        Path dataDirectory = DataDirectory.of(context == null ? null : context.getProperty(DataDirectory.PROPERTY));
        this.running = new Reconfigurable<>(SensorDirectoryComponent.PID, "the sensor directory's database",
                properties, p -> settings(p, dataDirectory), this::open, AriesSqliteStore::close, LOG::error, LOG::info);
    }

    /** Validates the SQLite properties; messages name the PID, the property and the value. */
    static SqliteSettings settings(Map<String, ?> properties, Path dataDirectory) {
        ConfigReader config = new ConfigReader(SensorDirectoryComponent.PID, properties);
        SqliteSettings.Builder sqlite = SqliteSettings.fromConfig(config, dataDirectory, "server/sensors.db");
        try {
            return sqlite.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + SensorDirectoryComponent.PID + ": "
                    + e.getMessage(), e);
        }
    }

    private AriesSqliteStore<SqliteSensorStorage> open(SqliteSettings settings) {
        return AriesSqliteStore.open(dataSourceFactory, transactionControl, providerFactory, settings,
                SensorOutbox.KIND, sql -> SqliteSensorStorage.open(sql, settings));
    }

    @Modified
    void modified(Map<String, Object> properties) {
        running.modified(properties);
    }

    @Deactivate
    void deactivate() {
        running.close();
    }

    @Override
    public String description() {
        return running.current().store().description();
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return running.current().store().write(work);
    }

    @Override
    public <T> T read(String what, SqlWork<T> work) {
        return running.current().store().read(what, work);
    }

    @Override
    public String toString() {
        return description();
    }
}
