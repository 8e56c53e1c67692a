package io.sink.store.sqlite.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.EventLogFullException;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.text.Printable;
import io.sink.sqlite.GroupCommitWriter;
import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.SqlWork;
import io.sink.sqlite.SqliteDatabase;
import io.sink.sqlite.SqliteFailures;
import io.sink.sqlite.SqliteSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's event log and instance ids in one SQLite database.
 *
 * <p>Every write (append, acknowledgement, instance id, migration, retention) runs on the one
 * thread of a {@link GroupCommitWriter} (of the shared {@link SqliteDatabase}), so SQLite never sees two writers and nothing waits on a
 * lock; concurrent writes are committed together and each call returns after the commit that holds
 * its write. Reads run on the caller's thread on a reader connection.
 *
 * <p>Acknowledged events are kept for a while and removed in the background by retention, in small
 * batches interleaved with the writes; unacknowledged events are never removed, nor the last event
 * of each key (it also carries the key's offset counter).
 */
public final class SqliteEventLog implements GroundEventLog, InstanceIdStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteEventLog.class);
    static final String CLIENT_INSTANCE_ID = "client";
    static final String SERVER_INSTANCE_ID = "server";
    /** What this database is, in messages. */
    static final String KIND = "event log";

    /** Most ack keys {@link #handedOut} remembers (about 100 bytes each). */
    static final int HANDED_OUT_KEYS = 8192;

    private final SqlExecutor sql;
    private final StoreSettings settings;
    private final Clock clock;
    private final RandomGenerator random;
    private final String name;
    private final SqliteDatabase database;
    private final GroupCommitWriter writer;
    private final AtomicLong retentionTransactions = new AtomicLong();
    private final AtomicLong retentionDeleted = new AtomicLong();
    private final AtomicLong relaxedAcknowledgements = new AtomicLong();
    private volatile ScheduledFuture<?> retentionTask;
    /** What was appended since open, so that the poller need not read it back; see {@link AppendedTail}. */
    private volatile AppendedTail tail;
    /**
     * The sequences of the events handed out by {@link #unacknowledged} and not yet acknowledged, so that
     * an acknowledgement finds its row by sequence; see {@link HandedOut}. A few windows' worth.
     */
    private final HandedOut handedOut = new HandedOut(HANDED_OUT_KEYS);

    private SqliteEventLog(SqliteDatabase database, StoreSettings settings, Clock clock, RandomGenerator random) {
        this.database = database;
        this.sql = database.sql();
        this.settings = settings;
        this.clock = clock;
        this.random = random;
        this.name = settings.path().toString();
        this.writer = database.writer();
    }

    /**
     * Opens the event log: creates the database's directory, starts the writer thread, sets the
     * journal mode, migrates the schema and schedules retention.
     *
     * @param random source of the client instance id (a {@link java.security.SecureRandom})
     * @throws IllegalStateException naming the path when the database cannot be opened or migrated
     */
    public static SqliteEventLog open(SqlExecutor sql, StoreSettings settings, Clock clock, RandomGenerator random) {
        Objects.requireNonNull(sql, "sql");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(random, "random");
        SqliteDatabase database = SqliteDatabase.open(sql, settings.sqlite(), KIND, Schema.RUNNER);
        SqliteEventLog log = new SqliteEventLog(database, settings, clock, random);
        try {
            log.tail = new AppendedTail(settings.appendedTailEvents(),
                    log.writer.write(EventLogSql::highestSequence));
            log.startRetention();
            LOG.info("event log {} open ({})", log.name, settings);
            return log;
        } catch (RuntimeException | Error e) {
            log.close();
            throw e;
        }
    }

    private void startRetention() {
        if (!settings.retentionEnabled()) {
            return;
        }
        long period = settings.retentionPeriod().toMillis();
        retentionTask = writer.scheduleWithFixedDelay(() -> retentionChain(0, null), period, period,
                TimeUnit.MILLISECONDS);
    }

    // ---------------------------------------------------------------- GroundEventLog

    @Override
    public long append(Event event) {
        Objects.requireNonNull(event, "event");
        requireOpen();
        long logged = refusedWhenFull(() -> writer.write(c -> {
            requireSpace(c);
            OptionalLong sequence = EventLogSql.insert(c, event);
            if (sequence.isEmpty()) {
                throw new IllegalArgumentException("event " + event.ackKey() + " is already in the event log " + name
                        + " at sequence " + EventLogSql.sequenceOf(c, event.eventTypeId(), event.key(), event.offset())
                                .orElse(-1));
            }
            EventLogSql.upsertLast(c, event, true);
            return sequence.getAsLong();
        }));
        tail.appended(new LoggedEvent(logged, event));
        return logged;
    }

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        // checks the arguments before queueing; offset 1 stands in for the one assigned below
        Event probe = new Event(eventTypeId, schemaVersion, key, 1, timestamp, eventData);
        byte[] keyCopy = probe.key();
        byte[] dataCopy = probe.eventData();
        requireOpen();
        LoggedEvent logged = refusedWhenFull(() -> writer.write(c -> {
            requireSpace(c);
            long offset = EventLogSql.lastOffset(c, eventTypeId, keyCopy) + 1;
            if (offset == 0) {
                throw new IllegalStateException("the offsets of type " + Long.toUnsignedString(eventTypeId) + " key "
                        + Printable.quotedBytes(keyCopy) + " are used up: the last is 2^64-1");
            }
            Event event = new Event(eventTypeId, schemaVersion, keyCopy, offset, timestamp, dataCopy);
            OptionalLong sequence = EventLogSql.insert(c, event);
            if (sequence.isEmpty()) {
                throw new IllegalStateException("event " + event.ackKey() + " is already in the event log " + name
                        + " although the last offset of its key is " + Long.toUnsignedString(offset - 1));
            }
            EventLogSql.upsertLast(c, event, false);
            return new LoggedEvent(sequence.getAsLong(), event);
        }));
        tail.appended(logged); // committed: the poller may publish it from memory
        return logged;
    }

    /**
     * A write that failed because the disk is full (or SQLite's page limit was reached) becomes an
     * {@link EventLogFullException} naming the cause; nothing of it is stored.
     */
    private <T> T refusedWhenFull(java.util.function.Supplier<T> write) {
        try {
            return write.get();
        } catch (EventLogFullException e) {
            throw e;
        } catch (IllegalStateException e) {
            if (!SqliteFailures.isFull(e)) {
                throw e;
            }
            EventLogFullException full = new EventLogFullException("the event log " + name + " cannot grow: the disk"
                    + " holding it is full (SQLITE_FULL); the event is not stored. New events are stored again by"
                    + " themselves once space is freed on that disk");
            full.initCause(e);
            throw full;
        }
    }

    @Override
    public Optional<Event> lastEvent(long eventTypeId, byte[] key) {
        Objects.requireNonNull(key, "key");
        return read("reading the last event", c -> EventLogSql.lastEvent(c, eventTypeId, key));
    }

    @Override
    public List<Event> lastEvents(long eventTypeId) {
        return read("reading the last events", c -> EventLogSql.lastEvents(c, eventTypeId));
    }

    @Override
    public List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit) {
        Set<Long> types = Set.copyOf(Objects.requireNonNull(eventTypeIds, "eventTypeIds"));
        Set<Long> excluded = Set.copyOf(Objects.requireNonNull(excludedTypeIds, "excludedTypeIds"));
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        if (limit == 0) {
            return List.of();
        }
        Optional<List<LoggedEvent>> recent = tail.unacknowledged(types, excluded, afterSequence, limit);
        List<LoggedEvent> events = recent.isPresent() ? recent.get() : read("reading unacknowledged events",
                c -> EventLogSql.unacknowledged(c, types, excluded, afterSequence, limit));
        handedOut.handedOut(events);
        return events;
    }

    @Override
    public void acknowledge(Collection<AckKey> ackKeys) {
        List<AckKey> keys = List.copyOf(Objects.requireNonNull(ackKeys, "ackKeys"));
        if (keys.isEmpty()) {
            return;
        }
        requireOpen();
        // no size check: acknowledgements must get through when the log is full, they let retention free space
        long[] sequences = handedOut.sequencesOf(keys);
        if (relaxAcknowledgements()) {
            onWriterThread(() -> acknowledgeWithoutFsync(keys, sequences), "recording acknowledgements");
        } else {
            writer.write(c -> EventLogSql.acknowledge(c, keys, sequences, clock.millis()));
        }
        tail.acknowledged(keys);
        handedOut.acknowledged(keys);
    }

    private boolean relaxAcknowledgements() {
        return settings.relaxedAcknowledgements() && settings.synchronous() == SqliteSettings.Synchronous.FULL;
    }

    /**
     * One transaction of acknowledgements with {@code synchronous=NORMAL}: in WAL mode its commit is
     * not fsynced by itself, but by the next append's commit (FULL: the fsync of the write-ahead log
     * covers every frame before it) or checkpoint. A crash can lose the last acknowledgements recorded,
     * never an event: their events are sent again and the server recognises them by ack key. On the
     * writer thread, between group commits; the next group commit sets {@code synchronous=FULL} back
     * before it begins ({@link SqliteDatabase#writeWithoutFsync}), so appends keep their fsync.
     */
    private int acknowledgeWithoutFsync(List<AckKey> keys, long[] sequences) throws SQLException {
        int changed = database.writeWithoutFsync(c -> EventLogSql.acknowledge(c, keys, sequences, clock.millis()));
        relaxedAcknowledgements.incrementAndGet();
        return changed;
    }

    private interface SqlCall<T> {
        T call() throws SQLException;
    }

    /** Runs {@code work} on the writer thread between group commits and waits for it. */
    private <T> T onWriterThread(SqlCall<T> work, String what) {
        CompletableFuture<T> done = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    done.complete(work.call());
                } catch (SQLException | RuntimeException | Error e) {
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException(KIND + " " + name + " is closed", e);
        }
        try {
            return done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what + " in the " + KIND + " " + name
                    + "; they may still be recorded", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(KIND + " " + name + ": " + SqliteFailures.describe(cause) + "; "
                    + what + " failed, nothing of it is stored", cause);
        }
    }

    /** Acknowledgement transactions committed without their own fsync, since open. */
    public long relaxedAcknowledgements() {
        return relaxedAcknowledgements.get();
    }

    /** The in-memory tail: its size and how many reads it answered and passed on, for tests and benchmarks. */
    public long[] appendedTail() {
        long[] c = tail.counters();
        return new long[] {tail.size(), c[0], c[1]};
    }

    @Override
    public long queueSize() {
        return read("reading the queue size", EventLogSql::queueSize);
    }

    @Override
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        Set<Long> types = Set.copyOf(Objects.requireNonNull(eventTypeIds, "eventTypeIds"));
        Set<Long> excluded = Set.copyOf(Objects.requireNonNull(excludedTypeIds, "excludedTypeIds"));
        if (types.isEmpty() && excluded.isEmpty()) {
            return queueSize();
        }
        return read("counting unacknowledged events", c -> EventLogSql.countUnacknowledged(c, types, excluded));
    }

    @Override
    public List<Event> lastEvents() {
        return read("reading the last events", EventLogSql::allLastEvents);
    }

    @Override
    public void adopt(List<Event> events, List<Event> lastEvents) {
        List<Event> moved = List.copyOf(Objects.requireNonNull(events, "events"));
        List<Event> lasts = List.copyOf(Objects.requireNonNull(lastEvents, "lastEvents"));
        requireOpen();
        // one write, so one transaction; no size check: the events move here, they are not new
        long highest = refusedWhenFull(() -> writer.write(c -> {
            for (Event e : moved) {
                if (EventLogSql.insert(c, e).isPresent()) { // an ack key already logged here is skipped
                    EventLogSql.upsertLast(c, e, true);
                }
            }
            for (Event e : lasts) {
                EventLogSql.upsertLast(c, e, true);
            }
            return EventLogSql.highestSequence(c);
        }));
        tail.reset(highest); // the moved events are read from the database
    }

    @Override
    public Optional<Event> nextEvent() {
        List<LoggedEvent> next = unacknowledged(Set.of(), Set.of(), 0, 1);
        return next.isEmpty() ? Optional.empty() : Optional.of(next.get(0).event());
    }

    // ---------------------------------------------------------------- InstanceIdStore

    @Override
    public ClientInstanceIds instanceIds() {
        OptionalLong[] ids = read("reading the instance ids", c -> new OptionalLong[] {
                EventLogSql.instanceId(c, CLIENT_INSTANCE_ID), EventLogSql.instanceId(c, SERVER_INSTANCE_ID)});
        long client;
        if (ids[0].isPresent()) {
            client = ids[0].getAsLong();
        } else {
            requireOpen();
            // on the writer thread, so two first calls cannot create two different ids
            client = writer.write(c -> {
                OptionalLong existing = EventLogSql.instanceId(c, CLIENT_INSTANCE_ID);
                if (existing.isPresent()) {
                    return existing.getAsLong();
                }
                long created = InstanceId.random(random).value();
                EventLogSql.putInstanceId(c, CLIENT_INSTANCE_ID, created);
                return created;
            });
            LOG.info("event log {}: created client instance id {}", name, client);
        }
        Optional<InstanceId> server = ids[1].isPresent() ? Optional.of(new InstanceId(ids[1].getAsLong()))
                : Optional.empty();
        return new ClientInstanceIds(new InstanceId(client), server);
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        Objects.requireNonNull(serverInstanceId, "serverInstanceId");
        requireOpen();
        writer.write(c -> {
            EventLogSql.putInstanceId(c, SERVER_INSTANCE_ID, serverInstanceId.value());
            return null;
        });
    }

    // ---------------------------------------------------------------- retention

    /**
     * One retention batch then, while batches come back full, the next one queued behind the writes
     * that arrived meanwhile, so a long deletion never holds the writer for more than one batch.
     */
    private void retentionChain(long deletedSoFar, CompletableFuture<Long> done) {
        long total;
        int deleted;
        try {
            deleted = retentionBatch();
            total = deletedSoFar + deleted;
        } catch (SQLException | RuntimeException e) {
            LOG.warn("event log {}: retention failed, retried in {}", name, settings.retentionPeriod(), e);
            if (done != null) {
                done.completeExceptionally(e);
            }
            return;
        }
        if (deleted >= settings.retentionBatchSize()) {
            try {
                writer.execute(() -> retentionChain(total, done));
                return;
            } catch (RejectedExecutionException e) {
                // closing: the rest waits for the next start
            }
        }
        if (total > 0) {
            LOG.debug("event log {}: retention deleted {} acknowledged events", name, total);
        }
        if (done != null) {
            done.complete(total);
        }
    }

    /** Deletes at most one batch of acknowledged events in one transaction; on the writer thread. */
    private int retentionBatch() throws SQLException {
        int limit = settings.retentionBatchSize();
        int deleted = sql.write(c -> {
            int n = 0;
            if (!settings.retentionMaxAge().isZero()) {
                n += EventLogSql.deleteAcknowledgedBefore(c, clock.millis() - settings.retentionMaxAge().toMillis(),
                        limit);
            }
            if (n < limit && settings.retentionMaxCount() > 0) {
                long excess = EventLogSql.acknowledgedCount(c) - settings.retentionMaxCount();
                if (excess > 0) {
                    n += EventLogSql.deleteOldestAcknowledged(c, (int) Math.min(excess, limit - n));
                }
            }
            return n;
        });
        if (deleted > 0) {
            retentionTransactions.incrementAndGet();
            retentionDeleted.addAndGet(deleted);
        }
        return deleted;
    }

    /**
     * Runs retention now, as the periodic task does (batch after batch, interleaved with writes), and
     * waits for it to finish. Returns the number of events deleted.
     */
    public long runRetention() {
        try {
            return retentionNow().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for retention of the event log " + name, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("retention of the event log " + name + " failed: "
                    + e.getCause().getMessage(), e.getCause());
        }
    }

    /** Queues a retention run on the writer thread; the future completes with the number deleted. */
    CompletableFuture<Long> retentionNow() {
        requireOpen();
        CompletableFuture<Long> done = new CompletableFuture<>();
        writer.execute(() -> retentionChain(0, done));
        return done;
    }

    /** Retention transactions that deleted something, since open. */
    public long retentionTransactions() {
        return retentionTransactions.get();
    }

    /** Events deleted by retention since open. */
    public long retentionDeleted() {
        return retentionDeleted.get();
    }

    // ---------------------------------------------------------------- plumbing

    /** The writer, for its counters. */
    public GroupCommitWriter writer() {
        return writer;
    }

    public StoreSettings settings() {
        return settings;
    }

    private void requireSpace(Connection c) throws SQLException {
        long limit = settings.maxDatabaseBytes();
        if (limit == 0) {
            return;
        }
        long used = EventLogSql.usedBytes(c);
        long wal = database.walBytes();
        if (used + wal >= limit) {
            if (wal > settings.sqlite().walLimitBytes() / 2) {
                // readers held the WAL back from its checkpoints: truncate it after this batch
                database.requestWalTruncation();
            }
            throw new EventLogFullException("the event log " + name + " is full: " + used
                    + " bytes in use and a write-ahead log of " + wal + " bytes reach the limit maxDatabaseBytes="
                    + limit + "; new events are refused until retention removes acknowledged events"
                    + " (acknowledgements are still accepted)");
        }
    }

    private <T> T read(String what, SqlWork<T> work) {
        return database.read(what, work);
    }

    private void requireOpen() {
        database.requireOpen();
    }

    /** Stops retention, commits the writes already queued and stops the writer thread. */
    @Override
    public void close() {
        if (database.isClosed()) {
            return;
        }
        ScheduledFuture<?> task = retentionTask;
        if (task != null) {
            task.cancel(false);
        }
        database.close();
        LOG.info("event log {} closed", name);
    }
}
