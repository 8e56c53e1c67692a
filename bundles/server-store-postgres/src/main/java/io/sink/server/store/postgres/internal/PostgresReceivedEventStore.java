package io.sink.server.store.postgres.internal;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import io.sink.sqlite.SqlExecutor;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's received events in a PostgreSQL database.
 *
 * <p>{@link #store} never blocks: it queues the event for the store's writer thread
 * ({@link BatchWriter}) and returns. The writer writes every event queued so far with one multi-row
 * {@code INSERT ... ON CONFLICT DO NOTHING RETURNING} in one transaction and completes each stage
 * only after that commit, so an event is durable (PostgreSQL's {@code synchronous_commit=on}, the
 * default) before its stage completes. An event whose ack key is stored already is compared with the
 * stored one in the same transaction: {@link Outcome#DUPLICATE} when the content is the same,
 * {@link Outcome#CONFLICT} otherwise. Reads run on the caller's thread on a reader connection.
 *
 * <p>Several server nodes may share the database: the unique index decides between concurrent
 * inserts of one event, and the counters are updated in client order.
 */
public final class PostgresReceivedEventStore implements ReceivedEventStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresReceivedEventStore.class);
    /** What this database is, in messages. */
    static final String KIND = "received-event store";
    /** The most events {@link #latest} returns at once (as the SQLite store). */
    public static final int MAX_LATEST = 10_000;

    private final SqlExecutor sql;
    private final String description;
    private final BatchWriter<ReceivedEventsPg.Received, Outcome> writer;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong conflicts = new AtomicLong();

    private PostgresReceivedEventStore(SqlExecutor sql, String description, int maxWritesPerTransaction,
            Clock clock) {
        this.sql = sql;
        this.description = description;
        this.writer = new BatchWriter<>(sql, description, maxWritesPerTransaction,
                (c, items) -> ReceivedEventsPg.storeAll(c, items, clock.instant()));
    }

    /**
     * Opens the store: migrates the schema (in one transaction) and starts the writer thread.
     *
     * @param databaseName names the database in messages, e.g. {@code postgresql://db:5432/sink}
     * @throws IllegalStateException naming the database when it cannot be reached or migrated
     */
    public static PostgresReceivedEventStore open(SqlExecutor sql, String databaseName, int maxWritesPerTransaction,
            Clock clock) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(clock, "clock");
        String description = KIND + " " + databaseName;
        int before;
        try {
            before = sql.write(c -> ReceivedEventsSchema.RUNNER.migrate(c, databaseName));
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open the " + description + ": " + e.getMessage(), e);
        }
        if (before != ReceivedEventsSchema.RUNNER.currentVersion()) {
            LOG.info("{}: schema migrated from version {} to {}", description, before,
                    ReceivedEventsSchema.RUNNER.currentVersion());
        }
        LOG.info("{} open", description);
        return new PostgresReceivedEventStore(sql, description, maxWritesPerTransaction, clock);
    }

    @Override
    public CompletionStage<Outcome> store(String clientId, Event event) {
        requireClientId(clientId);
        Objects.requireNonNull(event, "event");
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException(description + " is closed"));
        }
        return writer.submit(new ReceivedEventsPg.Received(clientId, event)).thenApply(this::counted);
    }

    private Outcome counted(Outcome outcome) {
        switch (outcome) {
            case STORED -> stored.incrementAndGet();
            case DUPLICATE -> duplicates.incrementAndGet();
            case CONFLICT -> conflicts.incrementAndGet();
        }
        return outcome;
    }

    @Override
    public List<StoredEvent> latest(String clientId, int count) {
        requireClientId(clientId);
        if (count < 0 || count > MAX_LATEST) {
            throw new IllegalArgumentException("count must be between 0 and " + MAX_LATEST + ", got " + count);
        }
        if (count == 0) {
            return List.of();
        }
        return read("reading the latest events of " + clientId, () -> sql.read(
                c -> ReceivedEventsPg.latest(c, clientId, count)));
    }

    @Override
    public long count(String clientId) {
        requireClientId(clientId);
        return read("counting the events of " + clientId, () -> sql.read(c -> ReceivedEventsPg.count(c, clientId)));
    }

    private interface Read<T> {
        T run() throws SQLException;
    }

    private <T> T read(String what, Read<T> read) {
        if (closed.get()) {
            throw new IllegalStateException(description + " is closed");
        }
        try {
            return read.run();
        } catch (SQLException e) {
            throw new IllegalStateException(description + ": " + what + " failed: " + e.getMessage(), e);
        }
    }

    private static void requireClientId(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        if (clientId.isEmpty()) {
            throw new IllegalArgumentException("clientId must not be empty");
        }
    }

    /** Runs {@code task} on the writer thread between batches (tests hold the writer with it). */
    void onWriterThread(Runnable task) {
        writer.execute(task);
    }

    /** Transactions committed by the writer. */
    public long transactions() {
        return writer.transactions();
    }

    /** Events stored as new since open. */
    public long storedCount() {
        return stored.get();
    }

    /** Events found stored already (same content) since open. */
    public long duplicateCount() {
        return duplicates.get();
    }

    /** Events refused because another event holds their ack key, since open. */
    public long conflictCount() {
        return conflicts.get();
    }

    /** Commits the events already queued and stops the writer thread; later calls fail. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            writer.close();
            LOG.info("{} closed ({} stored, {} duplicates, {} conflicts since open)", description, stored.get(),
                    duplicates.get(), conflicts.get());
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
