package io.sink.server.sensors.internal;

import io.sink.server.sensors.storage.SensorStorage;
import io.sink.sqlite.DataSourceSqlExecutor;
import io.sink.sqlite.SqliteSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The sensor storage contract on the default storage, a real SQLite file. */
class SqliteSensorOutboxTest extends SensorOutboxContract {
    @TempDir
    Path dir;

    @Override
    protected SensorStorage openStorage() {
        SqliteSettings settings = SqliteSettings.builder(dir.resolve("sensors.db")).build();
        return SqliteSensorStorage.open(DataSourceSqlExecutor.forSqlite(settings), settings);
    }

    @Override
    protected void closeStorage(SensorStorage storage) {
        ((SqliteSensorStorage) storage).close();
    }
}
