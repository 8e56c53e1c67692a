package io.sink.server.store.internal;

import io.sink.api.Event;
import io.sink.sqlite.DataSourceSqlExecutor;
import io.sink.sqlite.SqliteSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Stores on plain sqlite-jdbc, without a framework, and small helpers. */
final class TestStores {
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private TestStores() {
    }

    static SqliteSettings settings(Path dir) {
        return SqliteSettings.builder(dir.resolve("events.db")).build();
    }

    static SqliteReceivedEventStore open(SqliteSettings settings, Clock clock) {
        return SqliteReceivedEventStore.open(DataSourceSqlExecutor.forSqlite(settings), settings, clock);
    }

    static SqliteReceivedEventStore open(Path dir) {
        return open(settings(dir), Clock.systemUTC());
    }

    static Event reading(String sensor, long offset) {
        return Event.of(1, 1, sensor, offset, 1_700_000_000L + offset, new byte[] {(byte) offset, 7});
    }

    /** Holds the store's writer thread until the returned latch is counted down. */
    static CountDownLatch blockWriter(SqliteReceivedEventStore store) throws InterruptedException {
        CountDownLatch blocked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        store.writer().execute(() -> {
            blocked.countDown();
            try {
                release.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!blocked.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError("the writer thread did not start the blocking task");
        }
        return release;
    }

}
