package io.sink.poller.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.api.client.SinkClient;
import io.sink.api.text.Printable;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerStatus;
import io.sink.poller.StreamStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the events of a {@link GroundEventLog} through a {@link SinkClient}: while the client is
 * connected, publishes unacknowledged events in log order per stream within a window, and records
 * the ACKs in the log in batches.
 *
 * <p><b>Threading.</b> All state is confined to the one thread of the executor given (the poller
 * thread). Other threads only enqueue: publish results and connection changes (network thread),
 * appended events (the log's writer), resume and status requests (a shell). Each run of the poller
 * thread takes everything queued, then publishes what the window allows, then writes every ACK
 * collected meanwhile with one {@code acknowledge} call (group commit), so delivery is not limited
 * to one log transaction per event, and writing the ACKs overlaps the next round trip.
 *
 * <p><b>Order and duplicates.</b> Each stream keeps a cursor, the sequence of the last event it
 * read. The poller never has two publishes of one ack key in flight: an event whose key is in
 * flight, or ACKed and not yet written, is skipped. An event stays in flight until its own result
 * arrives: {@link SinkClient#publish} completes every stage, with {@code Failed} when the
 * connection drops first (the transport fails everything in flight before it reports the
 * connection down), so a connection change never makes the poller forget what is in flight; it
 * only moves the cursors back, and publishes that raced with the change cannot be doubled.
 * Because of that, a cursor can always be moved back safely: after a reconnect, a log swap or a
 * reconfiguration every cursor goes back to the start (everything unacknowledged is sent again); a
 * publish that failed moves its stream's cursor back to just before it; resuming a parked stream
 * moves it back to before its NACKed events.
 *
 * <p><b>Streams and the window.</b> Every stream has a share of the window ({@code window /
 * streams}, at least 1) that it gets first; room left over goes to whichever streams have more to
 * send, taking turns. A NACK parks only its own stream.
 *
 * <p>The client and the log come from suppliers (the component's dynamic references) and are read
 * at each run, so either can be swapped while the poller runs.
 */
public final class Poller {
    private static final Logger LOG = LoggerFactory.getLogger(Poller.class);
    /** Counting a stream's queue stops here (the log has no per-type count). */
    static final int QUEUE_COUNT_LIMIT = 10_000;
    /** Wait before publishing again after a publish failed on a live connection. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofMillis(200);
    /** Wait before writing ACKs again after the log refused them. */
    static final Duration RETRY_ACK_WRITE = Duration.ofSeconds(1);
    private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(10);

    private final Supplier<SinkClient> clients;
    private final Supplier<GroundEventLog> logs;
    private final ScheduledExecutorService executor;
    private final Clock clock;
    private final RandomGenerator random;

    /** Results and connection changes from other threads, taken in order by the poller thread. */
    private final Queue<Signal> inbox = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean runPending = new AtomicBoolean();
    /** Counts the events appended (as told by the log): a drained stream is read again when it moved. */
    private final AtomicLong appendSignals = new AtomicLong();
    private volatile PollerSettings settings;
    private volatile boolean closed;

    // ---- poller thread only
    private List<Stream> streams = List.of();
    private Map<String, Stream> streamsByName = Map.of();
    private Map<Long, Stream> streamsByType = Map.of();
    private Stream defaultStream;
    private final Map<AckKey, InFlight> inFlight = new HashMap<>();
    private final Map<GroundEventLog, List<AckKey>> pendingAcks = new IdentityHashMap<>();
    private final Set<AckKey> pendingAckKeys = new HashSet<>();
    private SinkClient client;
    private GroundEventLog log;
    private boolean resetNeeded = true;
    private long holdUntilNanos;
    private boolean holding;
    private boolean ackWriteFailing;
    private int rotation;
    private ScheduledFuture<?> nextTick;
    private long published;
    private long acked;
    private long nacked;
    private long failed;
    private long ackWrites;

    public Poller(PollerSettings settings, Supplier<SinkClient> clients, Supplier<GroundEventLog> logs,
            ScheduledExecutorService executor, Clock clock, RandomGenerator random) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.logs = Objects.requireNonNull(logs, "logs");
        this.executor = Objects.requireNonNull(executor, "executor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
        buildStreams(settings);
    }

    // ================================================================== called from any thread

    /** Starts the ticks and a first poll. */
    public void start() {
        execute(() -> {
            scheduleTick();
            run();
        });
    }

    /**
     * Writes the ACKs collected and stops; later signals are ignored. Waits for the poller thread;
     * the owner then shuts the executor down.
     */
    public void close() {
        if (closed) {
            return;
        }
        Future<?> done;
        try {
            done = executor.submit(() -> {
                drainInbox();
                flushAcks();
                closed = true;
                if (nextTick != null) {
                    nextTick.cancel(false);
                }
            });
        } catch (RejectedExecutionException e) {
            closed = true;
            return;
        }
        await(done, "closing");
        closed = true;
    }

    /** Asks for a run soon; cheap and non-blocking (coalesces with a run already asked for). */
    public void wake() {
        if (!closed && runPending.compareAndSet(false, true)) {
            execute(this::run);
        }
    }

    /** The log told us events were appended: publish them now. */
    public void eventsAppended() {
        appendSignals.incrementAndGet();
        wake();
    }

    /** The client's connection is up: everything unacknowledged is sent (again). */
    public void connectionUp(String peer) {
        signal(new ConnectionUp(peer));
    }

    /** The client's connection is down: what was in flight is sent again on the next connection. */
    public void connectionDown(String reason) {
        signal(new ConnectionDown(reason));
    }

    /** Takes new settings (window, period, streams) without losing ACKs or parked streams. */
    public void reconfigure(PollerSettings newSettings) {
        Objects.requireNonNull(newSettings, "newSettings");
        execute(() -> {
            applySettings(newSettings);
            run();
        });
    }

    public PollerSettings settings() {
        return settings;
    }

    /**
     * Resumes a parked stream (asynchronously).
     *
     * @return completes with whether the stream was parked, or fails with
     *         {@link IllegalArgumentException} if there is no such stream
     */
    public CompletableFuture<Boolean> resume(String stream) {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        boolean accepted = execute(() -> {
            try {
                // checked here, after any reconfiguration queued before
                if (!streamsByName.containsKey(stream)) {
                    throw new IllegalArgumentException("no stream is named " + Printable.quoted(stream)
                            + "; the streams are "
                            + String.join(", ", settings.streamNames()));
                }
                result.complete(resumeNow(stream));
                run();
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        });
        if (!accepted) {
            result.completeExceptionally(new IllegalStateException("the poller is stopped"));
        }
        return result;
    }

    /**
     * Resumes a parked stream and waits for it; see {@link #resume(String)}.
     *
     * @throws IllegalArgumentException if there is no such stream
     */
    public boolean resumeAndWait(String stream) {
        return await(resume(stream), "resuming stream " + stream);
    }

    /** A snapshot; the per-stream queues are counted on the calling thread. */
    public PollerStatus status(Optional<ClientInstanceIds> instanceIds, String eventLogName) {
        Snapshot s = snapshot();
        GroundEventLog current = logs.get();
        SinkClient c = clients.get();
        List<StreamStatus> streamStatus = new ArrayList<>();
        for (StreamSnapshot ss : s.streams()) {
            long queued = 0;
            boolean atLeast = false;
            if (current != null) {
                try {
                    if (ss.types().isEmpty() && ss.excluded().isEmpty()) {
                        queued = current.queueSize();
                    } else {
                        queued = current.unacknowledged(ss.types(), ss.excluded(), 0, QUEUE_COUNT_LIMIT).size();
                        atLeast = queued == QUEUE_COUNT_LIMIT;
                    }
                } catch (RuntimeException e) {
                    LOG.debug("cannot count the queue of stream {}", ss.name(), e);
                    queued = -1;
                }
            }
            streamStatus.add(new StreamStatus(ss.name(), ss.types(), ss.isDefault(), queued, atLeast,
                    ss.inFlight(), ss.cursor(), ss.parked()));
        }
        boolean connected = c != null && c.connected();
        Optional<String> problem = c == null ? Optional.of("no Sink client") : connected ? Optional.empty() : c.problem();
        return new PollerStatus(connected, c == null ? "none" : c.server(), problem, instanceIds,
                eventLogName, s.window(), s.inFlight(), streamStatus, s.published(), s.acked(), s.nacked(),
                s.failed(), s.ackWrites());
    }

    /** The NACKed events that park streams now. */
    public List<ParkedEvent> nacks() {
        List<ParkedEvent> all = new ArrayList<>();
        snapshot().streams().forEach(s -> all.addAll(s.parked()));
        return all;
    }

    // ================================================================== the poller thread

    private void signal(Signal signal) {
        if (!closed) {
            inbox.add(signal);
            wake();
        }
    }

    private boolean execute(Runnable task) {
        try {
            executor.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false; // stopping: whatever was not done is redone on the next start
        }
    }

    private void run() {
        runPending.set(false);
        if (closed) {
            return;
        }
        try {
            drainInbox();
            refreshReferences();
            pump();
        } catch (RuntimeException e) {
            LOG.error("the poller failed; it tries again at its next tick", e);
        }
        flushAcks();
    }

    private void tick() {
        if (closed) {
            return;
        }
        holding = false;
        streams.forEach(s -> s.drained = false);
        try {
            run();
        } finally {
            scheduleTick();
        }
    }

    private void scheduleTick() {
        if (closed) {
            return;
        }
        PollerSettings s = settings;
        double factor = 1 + s.jitter() * (2 * random.nextDouble() - 1);
        long delay = Math.max(1, Math.round(s.period().toNanos() * factor));
        try {
            nextTick = executor.schedule(this::tick, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void drainInbox() {
        Signal signal;
        while ((signal = inbox.poll()) != null) {
            if (signal instanceof Settled settled) {
                settle(settled.entry(), settled.result());
            } else if (signal instanceof ConnectionUp up) {
                LOG.info("connected to {}: publishing every unacknowledged event", up.peer());
                resetNeeded = true;
                holding = false;
            } else if (signal instanceof ConnectionDown down) {
                LOG.info("connection down ({}): unacknowledged events are sent again on the next connection",
                        Printable.inline(down.reason()));
                resetNeeded = true;
            }
        }
    }

    private void refreshReferences() {
        SinkClient c = clients.get();
        if (c != client) {
            LOG.info("{}", c == null ? "no Sink client: publishing stops" : "Sink client for " + c.server() + " bound");
            client = c;
            resetNeeded = true;
        }
        GroundEventLog l = logs.get();
        if (l != log) {
            if (log != null || l != null) {
                LOG.info("{}", l == null ? "no event log: publishing stops"
                        : "event log " + l + " bound: every stream starts again from its beginning");
            }
            log = l;
            resetNeeded = true;
        }
    }

    private void pump() {
        if (client == null || log == null || !client.connected()) {
            return;
        }
        if (holding) {
            if (System.nanoTime() - holdUntilNanos < 0) {
                return;
            }
            holding = false;
        }
        if (resetNeeded) {
            resetNeeded = false;
            for (Stream s : streams) {
                s.cursor = 0;
                s.drained = false;
            }
        }
        PollerSettings s = settings;
        int room = Math.min(s.window() - inFlight.size(), client.windowAvailable());
        if (room <= 0) {
            return;
        }
        if (!inFlight.isEmpty() && room < refillThreshold(s.window())) {
            return; // wait for more ACKs: one larger read of the log instead of one read per ACK
        }
        int n = streams.size();
        int start = Math.floorMod(rotation++, n);
        int share = Math.max(1, s.window() / n);
        // first every stream up to its share, then the rest of the window to whoever has more
        for (int i = 0; i < n && room > 0; i++) {
            Stream stream = streams.get((start + i) % n);
            int want = Math.min(room, share - stream.inFlight);
            if (want > 0 && stream.mayPublish(appendSignals.get())) {
                room -= fill(stream, want);
            }
        }
        for (int i = 0; i < n && room > 0; i++) {
            Stream stream = streams.get((start + i) % n);
            if (stream.mayPublish(appendSignals.get())) {
                room -= fill(stream, room);
            }
        }
    }

    /**
     * How much of the window must be free before the log is read again while events are in flight: a
     * quarter of it (1 for a window of 1), so a large window is refilled in batches.
     */
    static int refillThreshold(int window) {
        return Math.max(1, window / 4);
    }

    /** Publishes up to {@code limit} events of the stream; returns how many. */
    private int fill(Stream stream, int limit) {
        int sent = 0;
        while (sent < limit) {
            int ask = limit - sent;
            long signals = appendSignals.get();
            List<LoggedEvent> batch = log.unacknowledged(stream.types, stream.excluded, stream.cursor, ask);
            for (LoggedEvent logged : batch) {
                stream.cursor = logged.sequence();
                AckKey key = logged.event().ackKey();
                if (inFlight.containsKey(key) || pendingAckKeys.contains(key)) {
                    continue; // still in flight from before a rewind, or ACKed and not yet written
                }
                publish(stream, logged, key);
                sent++;
            }
            if (batch.size() < ask) {
                stream.drained = true;
                stream.drainedAt = signals;
                break;
            }
        }
        return sent;
    }

    private void publish(Stream stream, LoggedEvent logged, AckKey key) {
        InFlight entry = new InFlight(key, logged.sequence(), logged.event(), log);
        inFlight.put(key, entry);
        stream.inFlight++;
        published++;
        CompletionStage<PublishResult> answer;
        try {
            answer = client.publish(logged.event());
        } catch (RuntimeException e) {
            answer = CompletableFuture.completedFuture(new PublishResult.Failed(key, "publish failed: " + e));
        }
        answer.whenComplete((result, failure) -> {
            PublishResult r = result != null ? result
                    : new PublishResult.Failed(key, "publish failed: " + failure);
            signal(new Settled(entry, r));
        });
    }

    private void settle(InFlight entry, PublishResult result) {
        boolean current = inFlight.get(entry.key()) == entry;
        Stream stream = streamFor(entry.event().eventTypeId());
        if (current) {
            inFlight.remove(entry.key());
            stream.inFlight--;
        }
        if (result instanceof PublishResult.Acked) {
            acked++;
            // also a late ACK from a previous connection: the server has the event
            pendingAcks.computeIfAbsent(entry.log(), l -> new ArrayList<>()).add(entry.key());
            pendingAckKeys.add(entry.key());
        } else if (result instanceof PublishResult.Nacked n) {
            nacked++;
            if (current) {
                ParkedEvent parked = new ParkedEvent(stream.name, entry.sequence(), entry.event(), n.nack(),
                        clock.instant());
                stream.parked.put(entry.sequence(), new Park(parked, entry.log()));
                LOG.warn("NACK for {}; the stream is parked until it is resumed (sink:resume {})", parked,
                        stream.name);
            }
        } else if (result instanceof PublishResult.Failed f) {
            failed++;
            if (current) {
                stream.rewindTo(entry.log() == log ? entry.sequence() - 1 : 0);
                LOG.debug("publishing {} failed ({}); it is sent again", entry.key(), Printable.inline(f.reason()));
                if (!holding) {
                    holding = true;
                    holdUntilNanos = System.nanoTime() + RETRY_AFTER_FAILURE.toNanos();
                    try {
                        executor.schedule(this::wake, RETRY_AFTER_FAILURE.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException e) {
                        // stopping
                    }
                }
            }
        }
    }

    /** Records the ACKs collected, one {@code acknowledge} call per log. */
    private void flushAcks() {
        Iterator<Map.Entry<GroundEventLog, List<AckKey>>> it = pendingAcks.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<GroundEventLog, List<AckKey>> batch = it.next();
            try {
                batch.getKey().acknowledge(batch.getValue());
                ackWrites++;
                forgetPending(batch.getValue());
                it.remove();
                if (ackWriteFailing && batch.getKey() == log) {
                    ackWriteFailing = false;
                    LOG.info("acknowledgements are recorded again");
                }
            } catch (RuntimeException e) {
                if (batch.getKey() != log) {
                    LOG.warn("cannot record {} acknowledgements in the event log that was replaced; those events "
                            + "will be delivered again if it comes back: {}", batch.getValue().size(), e.toString());
                    forgetPending(batch.getValue());
                    it.remove();
                } else {
                    if (!ackWriteFailing) {
                        ackWriteFailing = true;
                        LOG.warn("cannot record {} acknowledgements in the event log; retrying",
                                batch.getValue().size(), e);
                    }
                    try {
                        executor.schedule(this::wake, RETRY_ACK_WRITE.toNanos(), TimeUnit.NANOSECONDS);
                    } catch (RejectedExecutionException stopping) {
                        // close() writes what is left
                    }
                }
            }
        }
    }

    private void forgetPending(List<AckKey> keys) {
        for (AckKey key : keys) { // not removeAll: with a list argument that can be quadratic
            pendingAckKeys.remove(key);
        }
    }

    private boolean resumeNow(String name) {
        Stream stream = streamsByName.get(name);
        if (stream == null || stream.parked.isEmpty()) {
            return false;
        }
        long to = Long.MAX_VALUE;
        for (Park p : stream.parked.values()) {
            to = Math.min(to, p.log() == log ? p.event().sequence() - 1 : 0);
        }
        LOG.info("stream {} resumed: sending its {} NACKed event(s) again", name, stream.parked.size());
        stream.parked.clear();
        stream.rewindTo(to);
        return true;
    }

    private void applySettings(PollerSettings newSettings) {
        PollerSettings old = settings;
        settings = newSettings;
        Map<String, Stream> previous = streamsByName;
        buildStreams(newSettings);
        for (Stream s : streams) {
            Stream before = previous.get(s.name);
            if (before != null) {
                s.parked.putAll(before.parked);
            }
        }
        for (InFlight entry : inFlight.values()) {
            streamFor(entry.event().eventTypeId()).inFlight++;
        }
        resetNeeded = true;
        if (!old.period().equals(newSettings.period()) && nextTick != null && nextTick.cancel(false)) {
            scheduleTick();
        }
        LOG.info("poller reconfigured: window {}, streams {}", newSettings.window(), newSettings.streamNames());
    }

    private void buildStreams(PollerSettings s) {
        List<Stream> list = new ArrayList<>();
        Map<String, Stream> byName = new HashMap<>();
        Map<Long, Stream> byType = new HashMap<>();
        for (PollerSettings.StreamSpec spec : s.streams()) {
            Stream stream = new Stream(spec.name(), spec.eventTypeIds(), Set.of());
            list.add(stream);
            byName.put(stream.name, stream);
            spec.eventTypeIds().forEach(t -> byType.put(t, stream));
        }
        Stream other = new Stream(s.defaultStream(), Set.of(), s.claimedTypes());
        list.add(other);
        byName.put(other.name, other);
        streams = List.copyOf(list);
        streamsByName = byName;
        streamsByType = byType;
        defaultStream = other;
    }

    private Stream streamFor(long eventTypeId) {
        Stream s = streamsByType.get(eventTypeId);
        return s != null ? s : defaultStream;
    }

    private Snapshot snapshot() {
        Future<Snapshot> f;
        try {
            f = executor.submit(() -> {
                List<StreamSnapshot> ss = new ArrayList<>();
                for (Stream s : streams) {
                    List<ParkedEvent> parked = new ArrayList<>();
                    s.parked.values().forEach(p -> parked.add(p.event()));
                    ss.add(new StreamSnapshot(s.name, s.types, s.excluded, s == defaultStream, s.inFlight, s.cursor,
                            parked));
                }
                return new Snapshot(settings.window(), inFlight.size(), ss, published, acked, nacked, failed,
                        ackWrites);
            });
        } catch (RejectedExecutionException e) {
            throw new IllegalStateException("the poller is stopped", e);
        }
        return await(f, "reading the status");
    }

    private static <T> T await(Future<T> future, String what) {
        try {
            return future.get(CONTROL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(what + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("the poller thread did not answer within "
                    + CONTROL_TIMEOUT.toSeconds() + " s while " + what + " (is the event log blocked?)", e);
        }
    }

    // ================================================================== state

    /** A stream's state; poller thread only. */
    private static final class Stream {
        final String name;
        final Set<Long> types;
        final Set<Long> excluded;
        /** NACKed events that park the stream, by sequence. */
        final TreeMap<Long, Park> parked = new TreeMap<>();
        long cursor;
        int inFlight;
        /** Read to its end at append signal {@code drainedAt}: nothing to read until the log moves. */
        boolean drained;
        long drainedAt;

        Stream(String name, Set<Long> types, Set<Long> excluded) {
            this.name = name;
            this.types = Set.copyOf(types);
            this.excluded = Set.copyOf(excluded);
        }

        boolean mayPublish(long appendSignals) {
            return parked.isEmpty() && (!drained || drainedAt != appendSignals);
        }

        void rewindTo(long sequence) {
            cursor = Math.min(cursor, Math.max(0, sequence));
            drained = false;
        }
    }

    private record InFlight(AckKey key, long sequence, Event event, GroundEventLog log) {
        // identity matters: equals is not used (records compare by value, so compare with ==)
    }

    private record Park(ParkedEvent event, GroundEventLog log) {
    }

    private sealed interface Signal permits Settled, ConnectionUp, ConnectionDown {
    }

    private record Settled(InFlight entry, PublishResult result) implements Signal {
    }

    private record ConnectionUp(String peer) implements Signal {
    }

    private record ConnectionDown(String reason) implements Signal {
    }

    private record StreamSnapshot(String name, Set<Long> types, Set<Long> excluded, boolean isDefault, int inFlight,
            long cursor, List<ParkedEvent> parked) {
    }

    private record Snapshot(int window, int inFlight, List<StreamSnapshot> streams, long published, long acked,
            long nacked, long failed, long ackWrites) {
    }
}
