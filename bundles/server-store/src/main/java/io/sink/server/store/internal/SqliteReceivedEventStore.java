package io.sink.server.store.internal;

import io.sink.api.Event;
import io.sink.api.server.ReceivedEventStore;
import io.sink.sqlite.BatchWork;
import io.sink.sqlite.GroupCommitWriter;
import io.sink.sqlite.SqlExecutor;
import io.sink.sqlite.SqliteDatabase;
import io.sink.sqlite.SqliteSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's received events in one SQLite database.
 *
 * <p>{@link #store} never blocks: it queues the insert for the database's one writer thread
 * ({@link GroupCommitWriter}) and returns. The writer commits every insert queued so far in one
 * transaction and completes each stage only after the commit that holds its insert, so an event is
 * durable (with {@code synchronous=FULL}: across power loss) before its stage completes, and under
 * load one fsync serves many events. The stages complete on the writer thread: what depends on them
 * should be quick or move to its own executor.
 *
 * <p>The events of a transaction are written as one batch ({@link EventBatch}): one prepared insert
 * reused for all of them, the clients' counts updated once per client, the limits checked once.
 * Optimistic: when the batch fails (a limit reached, a write failing), it is rolled back and its
 * events are written one by one, each in its own savepoint, so that exactly the events that cannot
 * be stored fail, as if each had been written alone.
 *
 * <p>An event is identified by its client and ack key (unique index): storing it again inserts
 * nothing and completes with {@link ReceivedEventStore.Outcome#DUPLICATE}. Reads run on the
 * caller's thread on a reader connection; in WAL mode they neither block the writer nor wait for it.
 */
public final class SqliteReceivedEventStore implements ReceivedEventStore, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SqliteReceivedEventStore.class);
    /** What this database is, in messages. */
    static final String KIND = "received-event store";
    /** The most events {@link #latest} returns at once. */
    public static final int MAX_LATEST = 10_000;

    private final SqliteDatabase database;
    private final Clock clock;
    private final String name;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final StoreLimits limits;
    private final EventBatch batch = new EventBatch();

    private SqliteReceivedEventStore(SqliteDatabase database, Clock clock, StoreLimits limits) {
        this.database = database;
        this.clock = clock;
        this.limits = limits;
        this.name = database.settings().path().toString();
    }

    /**
     * Opens the store: creates the database's directory, starts the writer thread, sets the journal
     * mode and migrates the schema.
     *
     * @throws IllegalStateException naming the path when the database cannot be opened or migrated
     */
    public static SqliteReceivedEventStore open(SqlExecutor sql, SqliteSettings settings, Clock clock) {
        return open(sql, settings, clock, StoreLimits.NONE);
    }

    /**
     * Opens the store with a size limit and a per-client quota (see {@link StoreLimits}); an event
     * beyond them fails its stage with a {@link StoreFullException} naming the limit (the reading log
     * then withholds its ACK and closes the connection: the client sends it again later).
     */
    public static SqliteReceivedEventStore open(SqlExecutor sql, SqliteSettings settings, Clock clock,
            StoreLimits limits) {
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(limits, "limits");
        SqliteDatabase database = SqliteDatabase.open(sql, settings, KIND, ServerStoreSchema.RUNNER);
        if (settings.synchronous() != SqliteSettings.Synchronous.FULL
                && settings.synchronous() != SqliteSettings.Synchronous.EXTRA) {
            LOG.warn("{}: synchronous={}: an event ACKed just before a power loss may be lost", database.description(),
                    settings.synchronous());
        }
        LOG.info("{} open ({}, maxDatabaseBytes={}, maxClientBytes={})", database.description(), settings,
                limits.maxDatabaseBytes(), limits.maxClientBytes());
        return new SqliteReceivedEventStore(database, clock, limits);
    }

    @Override
    public CompletionStage<Outcome> store(String clientId, Event event) {
        requireClientId(clientId);
        Objects.requireNonNull(event, "event");
        if (database.isClosed()) {
            return CompletableFuture.failedFuture(new IllegalStateException(database.description() + " is closed"));
        }
        return database.writer().submit(batch, new Incoming(clientId, event)).thenApply(this::counted);
    }

    /**
     * Queues the events for the writer thread together: it is woken once, after all of them are
     * queued, so that they are committed in one transaction (see {@link GroupCommitWriter#submitAll}).
     */
    @Override
    public List<CompletionStage<Outcome>> storeAll(String clientId, List<Event> events) {
        requireClientId(clientId);
        List<Incoming> items = new ArrayList<>(events.size());
        for (Event event : events) {
            items.add(new Incoming(clientId, Objects.requireNonNull(event, "event")));
        }
        List<CompletionStage<Outcome>> stages = new ArrayList<>(items.size());
        if (database.isClosed()) {
            CompletableFuture<Outcome> closed = CompletableFuture.failedFuture(
                    new IllegalStateException(database.description() + " is closed"));
            items.forEach(i -> stages.add(closed));
            return stages;
        }
        for (CompletableFuture<Outcome> f : database.writer().submitAll(batch, items)) {
            stages.add(f.thenApply(this::counted));
        }
        return stages;
    }

    /** An event to store, and whose it is. */
    private record Incoming(String clientId, Event event) {
    }

    /** Writes the events of one transaction together; see the class comment. */
    private final class EventBatch implements BatchWork<Incoming, Outcome> {

        @Override
        public List<Outcome> runAll(Connection c, List<Incoming> items) throws SQLException {
            long now = clock.millis();
            Outcome[] outcomes = new Outcome[items.size()];
            Map<String, long[]> added = new HashMap<>(4);
            PreparedStatement select = null;
            try (PreparedStatement insert = c.prepareStatement(ReceivedEventsSql.INSERT)) {
                for (int i = 0; i < outcomes.length; i++) {
                    Incoming in = items.get(i);
                    if (ReceivedEventsSql.insertIfNew(insert, in.clientId(), in.event(), now)) {
                        long[] counts = added.computeIfAbsent(in.clientId(), k -> new long[2]);
                        counts[0]++;
                        counts[1] += ReceivedEventsSql.bytesOf(in.event());
                        outcomes[i] = Outcome.STORED;
                    } else {
                        if (select == null) {
                            select = c.prepareStatement(ReceivedEventsSql.STORED_CONTENT);
                        }
                        outcomes[i] = ReceivedEventsSql.sameAsStored(select, in.clientId(), in.event())
                                ? Outcome.DUPLICATE : Outcome.CONFLICT;
                    }
                }
            } finally {
                if (select != null) {
                    select.close();
                }
            }
            for (Map.Entry<String, long[]> e : added.entrySet()) {
                ReceivedEventsSql.addToCounts(c, e.getKey(), e.getValue()[0], e.getValue()[1]);
            }
            if (!added.isEmpty() && !withinLimits(c, added.keySet())) {
                // the events one by one find which ones still fit (and duplicates are ACKed all the same)
                throw new StoreFullException(database.description() + ": a batch of " + outcomes.length
                        + " events reaches a limit");
            }
            return Arrays.asList(outcomes);
        }

        @Override
        public Outcome runOne(Connection c, Incoming in) throws SQLException {
            boolean inserted;
            try (PreparedStatement insert = c.prepareStatement(ReceivedEventsSql.INSERT)) {
                inserted = ReceivedEventsSql.insertIfNew(insert, in.clientId(), in.event(), clock.millis());
            }
            if (inserted) {
                ReceivedEventsSql.addToCounts(c, in.clientId(), 1, ReceivedEventsSql.bytesOf(in.event()));
                // checked after the insert, so that duplicates are still ACKed when full; throwing rolls the
                // insert back (its savepoint)
                requireWithinLimits(c, in.clientId());
                return Outcome.STORED;
            }
            try (PreparedStatement select = c.prepareStatement(ReceivedEventsSql.STORED_CONTENT)) {
                return ReceivedEventsSql.sameAsStored(select, in.clientId(), in.event())
                        ? Outcome.DUPLICATE : Outcome.CONFLICT;
            }
        }
    }

    /** Whether the clients and the database are within their limits (nothing counted, nothing logged). */
    private boolean withinLimits(Connection c, Collection<String> clientIds) throws SQLException {
        long quota = limits.maxClientBytes();
        if (quota > 0) {
            for (String clientId : clientIds) {
                if (ReceivedEventsSql.bytes(c, clientId) > quota) {
                    return false;
                }
            }
        }
        long limit = limits.maxDatabaseBytes();
        return limit <= 0 || SqliteDatabase.pagesInUseBytes(c) + database.walBytes() <= limit;
    }

    private void requireWithinLimits(Connection c, String clientId) throws SQLException {
        long quota = limits.maxClientBytes();
        if (quota > 0) {
            long bytes = ReceivedEventsSql.bytes(c, clientId);
            if (bytes > quota) {
                refused.incrementAndGet();
                throw new StoreFullException(database.description() + ": the client " + clientId + " reached its"
                        + " quota maxClientBytes=" + quota + " (" + (bytes) + " bytes of keys and data with this"
                        + " event); its new events are not stored until the quota is raised");
            }
        }
        long limit = limits.maxDatabaseBytes();
        if (limit > 0) {
            long used = SqliteDatabase.pagesInUseBytes(c);
            long wal = database.walBytes();
            if (used + wal > limit) {
                if (wal > database.settings().walLimitBytes() / 2) {
                    database.requestWalTruncation();
                }
                refused.incrementAndGet();
                throw new StoreFullException(database.description() + " is full: " + used + " bytes in use and a"
                        + " write-ahead log of " + wal + " bytes reach the limit maxDatabaseBytes=" + limit
                        + "; new events are not stored until it is raised or space is freed");
            }
        }
    }

    /** Events refused by the size limit or a client's quota since open. */
    public long refusedCount() {
        return refused.get();
    }

    private Outcome counted(Outcome outcome) {
        if (outcome == Outcome.STORED) {
            stored.incrementAndGet();
        } else if (outcome == Outcome.DUPLICATE) {
            duplicates.incrementAndGet();
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
        return database.read("reading the latest events of " + clientId,
                c -> ReceivedEventsSql.latest(c, clientId, count));
    }

    @Override
    public long count(String clientId) {
        requireClientId(clientId);
        return database.read("counting the events of " + clientId, c -> ReceivedEventsSql.count(c, clientId));
    }

    private static void requireClientId(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        if (clientId.isEmpty()) {
            throw new IllegalArgumentException("clientId must not be empty");
        }
    }

    /** The writer, for its counters (transactions, committed writes). */
    public GroupCommitWriter writer() {
        return database.writer();
    }

    /** Events stored as new since open. */
    public long storedCount() {
        return stored.get();
    }

    /** Events found stored already since open. */
    public long duplicateCount() {
        return duplicates.get();
    }

    public SqliteSettings settings() {
        return database.settings();
    }

    /** Commits the events already queued and stops the writer thread; later calls fail. */
    @Override
    public void close() {
        if (!database.isClosed()) {
            database.close();
            LOG.info("{} closed ({} stored, {} duplicates since open)", database.description(), stored.get(),
                    duplicates.get());
        }
    }

    @Override
    public String toString() {
        return KIND + " " + name;
    }
}
