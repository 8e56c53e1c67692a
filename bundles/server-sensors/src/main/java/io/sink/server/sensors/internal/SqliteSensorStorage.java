package io.sink.server.sensors.internal;

import io.sink.server.sensors.storage.SensorStorage;
import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.SqlWork;
import io.sink.sqlite.SqliteDatabase;
import io.sink.sqlite.SqliteSettings;

/** The sensor directory's tables in one SQLite database file (the default storage). */
public final class SqliteSensorStorage implements SensorStorage, AutoCloseable {
    private final SqliteDatabase database;

    private SqliteSensorStorage(SqliteDatabase database) {
        this.database = database;
    }

    /**
     * Opens the database (schema migrated); its directory must exist.
     *
     * @throws IllegalStateException naming the path when it cannot be opened
     */
    public static SqliteSensorStorage open(SqlExecutor sql, SqliteSettings settings) {
        return new SqliteSensorStorage(SqliteDatabase.open(sql, settings, SensorOutbox.KIND, SensorsSchema.RUNNER));
    }

    @Override
    public String description() {
        return database.description();
    }

    @Override
    public <T> T write(SqlWork<T> work) {
        return database.writer().write(work);
    }

    @Override
    public <T> T read(String what, SqlWork<T> work) {
        return database.read(what, work);
    }

    @Override
    public void close() {
        database.close();
    }

    @Override
    public String toString() {
        return description();
    }
}
