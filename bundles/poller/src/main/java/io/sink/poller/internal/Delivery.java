package io.sink.poller.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.api.client.Outbox;
import io.sink.api.client.SinkClient;
import io.sink.api.text.Printable;
import io.sink.poller.ParkedEvent;
import io.sink.poller.StreamStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery rules, without threads: which unacknowledged events of the {@link Outbox} to publish
 * through the {@link SinkClient} now, per stream within a window, and what to do with each result.
 * Not thread-safe: its owner ({@link Poller}) calls it under one lock, and hands it the results that
 * arrive on other threads ({@link #settle}). Time comes from the {@link Clock} given, so tests drive
 * it step by step.
 *
 * <p><b>Order and duplicates.</b> Each stream keeps a cursor, the sequence of the last event it read.
 * Two publishes of one ack key are never in flight: an event whose key is in flight, or ACKed and not
 * yet written, is skipped. An event stays in flight until its own result arrives
 * ({@link SinkClient#publish} completes every stage, with {@code Failed} when the connection drops),
 * so a cursor can always be moved back safely: after a reconnect, a store swap or a reconfiguration
 * every cursor goes back to the start; a failed publish moves its stream's cursor back to just before
 * it; resuming a parked stream moves it back to before its NACKed events.
 *
 * <p><b>Streams and the window.</b> Every stream has a share of the window ({@code window / streams},
 * at least 1) that it gets first; room left over goes to whichever streams have more to send, taking
 * turns. A NACK parks only its own stream. ACKs are collected and written with one
 * {@code acknowledge} call per batch: {@link #flushAcks} on the caller's thread, or {@link #takeAcks}
 * and {@link #acksWritten} around a write made elsewhere (group commit). Until its write is recorded,
 * an ACKed event is not published again.
 */
public final class Delivery {
    private static final Logger LOG = LoggerFactory.getLogger(Delivery.class);
    /** Wait before publishing again after a publish failed on a live connection. */
    static final Duration RETRY_AFTER_FAILURE = Duration.ofMillis(200);
    /**
     * Events read ahead from the log per stream: a small window (1, 16) then costs one read of the log
     * per this many events, not one per round trip.
     */
    static final int READ_AHEAD = 256;
    /**
     * A window of {@link #READ_AHEAD} events or more reads up to {@link #READ_AHEAD_WINDOWS} windows
     * ahead, as long as that is at most this many bytes of events (by the size of the stream's last
     * read): the refills as ACKs come in are then published from memory by the thread that settles
     * them, and the log is read once per {@code READ_AHEAD_WINDOWS} windows of events instead of once
     * per refill. Events of the maximum size stay at {@link #READ_AHEAD}.
     */
    static final long READ_AHEAD_BYTES = 1L << 20;
    /**
     * Windows read ahead at most: with refills of a quarter of the window ({@link #refillThreshold}),
     * one read of the log serves 16 refills. At window 256 of sensor readings this took the poller
     * thread from 1.6 to 1.2 us of CPU per event (medians of 15 measured drains; benchmarks/README.md).
     */
    static final int READ_AHEAD_WINDOWS = 4;

    /** A publish and its result, handed back to {@link #settle} on the owner's thread. */
    public record Settled(InFlight entry, PublishResult result) {
    }

    /** A publish in flight; identity matters (a late result of an older publish is told apart). */
    public static final class InFlight {
        final AckKey key;
        final long sequence;
        final Event event;
        final long generation;

        InFlight(AckKey key, long sequence, Event event, long generation) {
            this.key = key;
            this.sequence = sequence;
            this.event = event;
            this.generation = generation;
        }

        public AckKey key() {
            return key;
        }
    }

    private final Clock clock;
    private final Consumer<Settled> results;
    private PollerSettings settings;
    private List<Stream> streams = List.of();
    private Map<String, Stream> streamsByName = Map.of();
    private Map<Long, Stream> streamsByType = Map.of();
    private Stream defaultStream;
    private final Map<AckKey, InFlight> inFlight = new HashMap<>();
    /** Taken into the window by the current pump, published together at its end. */
    private final List<InFlight> toSend = new ArrayList<>();
    private final List<AckKey> pendingAcks = new ArrayList<>();
    private final Set<AckKey> pendingAckKeys = new HashSet<>();
    private SinkClient client;
    private long generation = -1;
    private long changes;
    private boolean resetNeeded = true;
    private long holdUntilMillis;
    private boolean holding;
    private boolean ackWriteFailing;
    /** A pump without reading stopped where it had to read: {@link #takeReadWanted}. */
    private boolean readWanted;
    private int rotation;
    private long published;
    private long acked;
    private long nacked;
    private long failed;
    private long ackWrites;

    /**
     * @param results told each publish result, on whatever thread completes it: the owner hands it
     *                back to {@link #settle} on its own thread
     */
    public Delivery(PollerSettings settings, Clock clock, Consumer<Settled> results) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.results = Objects.requireNonNull(results, "results");
        buildStreams(settings);
    }

    public PollerSettings settings() {
        return settings;
    }

    /** The connection is up: publish through {@code c}, everything unacknowledged (again). */
    public void connectionUp(SinkClient c) {
        client = Objects.requireNonNull(c, "client");
        resetNeeded = true;
        holding = false;
    }

    /** The connection is down: what was in flight is sent again on the next connection. */
    public void connectionDown() {
        resetNeeded = true;
    }

    /** The client to publish through, or null before the first connection. */
    public SinkClient client() {
        return client;
    }

    /**
     * The outbox changed: {@code changes} counts its appends (a drained stream reads again when it
     * moved); a new {@code generation} is a swapped store, read again from its start.
     */
    public void outboxChanged(long generation, long changes) {
        if (generation != this.generation) {
            this.generation = generation;
            resetNeeded = true;
        }
        this.changes = changes;
    }

    /** The end of the hold after a failed publish, while holding. */
    public OptionalLong holdUntilMillis() {
        return holding ? OptionalLong.of(holdUntilMillis) : OptionalLong.empty();
    }

    /** The periodic tick: drained streams read the log again, a hold ends. */
    public void tick() {
        holding = false;
        streams.forEach(s -> s.endReached = false);
    }

    /** Publishes what the window allows now, reading the log when what was read ahead is used up. */
    public void pump(Outbox outbox) {
        pump(outbox, true);
    }

    /**
     * Publishes what the window allows now; with {@code mayRead} false only what was read ahead, and
     * when a stream would have to read the log for more, {@link #takeReadWanted} tells so (a caller that
     * must not block, e.g. a network thread, then leaves the rest to a thread that may read).
     */
    public void pump(Outbox outbox, boolean mayRead) {
        SinkClient c = client;
        if (c == null || !c.connected()) {
            return;
        }
        if (holding) {
            if (clock.millis() < holdUntilMillis) {
                return;
            }
            holding = false;
        }
        if (resetNeeded) {
            resetNeeded = false;
            for (Stream s : streams) {
                s.cursor = 0;
                s.forgetReadAhead();
            }
        }
        int window = settings.window();
        int room = Math.min(window - inFlight.size(), c.windowAvailable());
        if (room <= 0 || (!inFlight.isEmpty() && room < refillThreshold(window))) {
            return; // full, or wait for more ACKs: one larger read of the log instead of one read per ACK
        }
        int n = streams.size();
        int start = Math.floorMod(rotation++, n);
        int share = Math.max(1, window / n);
        try {
            // first every stream up to its share, then the rest of the window to whoever has more
            for (int i = 0; i < n && room > 0; i++) {
                Stream stream = streams.get((start + i) % n);
                int want = Math.min(room, share - stream.inFlight);
                if (want > 0 && stream.mayPublish(changes)) {
                    room -= fill(outbox, c, stream, want, mayRead);
                }
            }
            for (int i = 0; i < n && room > 0; i++) {
                Stream stream = streams.get((start + i) % n);
                if (stream.mayPublish(changes)) {
                    room -= fill(outbox, c, stream, room, mayRead);
                }
            }
        } finally {
            send(c); // also what was taken before a read of the log failed
        }
    }

    /**
     * How much of the window must be free before the log is read again while events are in flight: a
     * quarter of it (1 for a window of 1), so a large window is refilled in batches.
     */
    static int refillThreshold(int window) {
        return Math.max(1, window / 4);
    }

    /**
     * Publishes up to {@code limit} events of the stream, from what it read ahead, reading the log
     * again (at least {@link #readAhead} events) when that is used up.
     */
    private int fill(Outbox outbox, SinkClient c, Stream stream, int limit, boolean mayRead) {
        int sent = 0;
        while (sent < limit) {
            LoggedEvent logged = stream.ahead.pollFirst();
            if (logged == null) {
                if (stream.atEnd(changes)) {
                    break;
                }
                if (!mayRead) {
                    readWanted = true;
                    break;
                }
                int ask = Math.max(limit - sent, readAhead(stream));
                List<LoggedEvent> batch = outbox.unacknowledged(stream.types, stream.excluded, stream.readTo, ask);
                stream.ahead.addAll(batch);
                if (!batch.isEmpty()) {
                    stream.readTo = batch.get(batch.size() - 1).sequence();
                    long bytes = 0;
                    for (LoggedEvent e : batch) {
                        bytes += e.event().publishPayloadSize();
                    }
                    stream.eventBytes = Math.max(1, bytes / batch.size());
                }
                if (batch.size() < ask) {
                    stream.endReached = true; // until the outbox changes
                    stream.endReachedAt = changes;
                }
                if (batch.isEmpty()) {
                    break;
                }
                continue;
            }
            stream.cursor = logged.sequence();
            AckKey key = logged.event().ackKey();
            if (inFlight.containsKey(key) || pendingAckKeys.contains(key)) {
                continue; // still in flight from before a rewind, or ACKed and not yet written
            }
            publish(c, stream, logged, key);
            sent++;
        }
        return sent;
    }

    /**
     * How many events a read of the log asks for at least: {@link #READ_AHEAD}, or, for a window of
     * at least that, up to {@link #READ_AHEAD_WINDOWS} windows of them when they fit in
     * {@link #READ_AHEAD_BYTES}.
     */
    private int readAhead(Stream stream) {
        int window = settings.window();
        if (window < READ_AHEAD) {
            return READ_AHEAD;
        }
        long windows = (long) READ_AHEAD_WINDOWS * window;
        return (int) Math.max(READ_AHEAD, Math.min(windows, READ_AHEAD_BYTES / stream.eventBytes));
    }

    /** Whether a {@link #pump} without reading stopped where it had to read the log; cleared by the call. */
    public boolean takeReadWanted() {
        boolean wanted = readWanted;
        readWanted = false;
        return wanted;
    }

    /** Takes an event into the window; {@link #send} publishes the events taken by one pump together. */
    private void publish(SinkClient c, Stream stream, LoggedEvent logged, AckKey key) {
        InFlight entry = new InFlight(key, logged.sequence(), logged.event(), generation);
        inFlight.put(key, entry);
        stream.inFlight++;
        published++;
        toSend.add(entry);
    }

    /** Publishes the events taken since the last call with one {@link SinkClient#publishAll} (one network write). */
    private void send(SinkClient c) {
        if (toSend.isEmpty()) {
            return;
        }
        List<InFlight> entries = List.copyOf(toSend);
        toSend.clear();
        List<Event> events = new ArrayList<>(entries.size());
        entries.forEach(e -> events.add(e.event));
        List<? extends CompletionStage<PublishResult>> answers;
        try {
            answers = c.publishAll(events);
            if (answers == null || answers.size() != entries.size()) {
                throw new IllegalStateException("publishAll answered " + (answers == null ? "nothing"
                        : answers.size() + " stages") + " for " + entries.size() + " events");
            }
        } catch (RuntimeException e) {
            List<CompletionStage<PublishResult>> failed = new ArrayList<>(entries.size());
            entries.forEach(entry -> failed.add(CompletableFuture.completedFuture(
                    new PublishResult.Failed(entry.key, "publish failed: " + e))));
            answers = failed;
        }
        for (int i = 0; i < entries.size(); i++) {
            InFlight entry = entries.get(i);
            answers.get(i).whenComplete((result, failure) -> results.accept(new Settled(entry,
                    result != null ? result : new PublishResult.Failed(entry.key, "publish failed: " + failure))));
        }
    }

    /** A publish result: the one path of ACKs and NACKs. */
    public void settle(Settled settled) {
        InFlight entry = settled.entry();
        boolean current = inFlight.get(entry.key) == entry;
        Stream stream = streamFor(entry.event.eventTypeId());
        if (current) {
            inFlight.remove(entry.key);
            stream.inFlight--;
        }
        PublishResult result = settled.result();
        if (result instanceof PublishResult.Acked) {
            acked++;
            // also a late ACK from a previous connection or store: the server has the event, and a
            // swap keeps ack keys, so the current store records it
            if (pendingAckKeys.add(entry.key)) {
                pendingAcks.add(entry.key);
            }
        } else if (result instanceof PublishResult.Nacked n) {
            nacked++;
            if (current) {
                ParkedEvent parked = new ParkedEvent(stream.name, entry.sequence, entry.event, n.nack(),
                        clock.instant());
                stream.parked.put(entry.sequence, new Park(parked, entry.generation));
                LOG.warn("NACK for {}; the stream is parked until it is resumed (sink:resume {})", parked,
                        stream.name);
            }
        } else if (result instanceof PublishResult.Failed f) {
            failed++;
            if (current) {
                stream.rewindTo(entry.generation == generation ? entry.sequence - 1 : 0);
                LOG.debug("publishing {} failed ({}); it is sent again", entry.key, Printable.inline(f.reason()));
                if (!holding) {
                    holding = true;
                    holdUntilMillis = clock.millis() + RETRY_AFTER_FAILURE.toMillis();
                }
            }
        }
    }

    /**
     * Records the ACKs collected with one {@code acknowledge} call, on this thread.
     *
     * @return false when the outbox refused them (they are kept, and not sent again, until a later
     *         call succeeds)
     */
    public boolean flushAcks(Outbox outbox) {
        List<AckKey> keys = takeAcks();
        if (keys.isEmpty()) {
            return true;
        }
        RuntimeException failure = null;
        try {
            outbox.acknowledge(keys);
        } catch (RuntimeException e) {
            failure = e;
        }
        return acksWritten(keys, failure);
    }

    /** Whether ACKs wait to be handed to a write ({@link #takeAcks}). */
    public boolean hasAcksToWrite() {
        return !pendingAcks.isEmpty();
    }

    /**
     * The ACKs collected and not yet handed to a write, for one {@code acknowledge} call (on any
     * thread): their events stay out of publishing until {@link #acksWritten} is told the outcome.
     */
    public List<AckKey> takeAcks() {
        if (pendingAcks.isEmpty()) {
            return List.of();
        }
        List<AckKey> keys = List.copyOf(pendingAcks);
        pendingAcks.clear();
        return keys;
    }

    /**
     * The outcome of the {@code acknowledge} call of {@code keys} (from {@link #takeAcks}): written,
     * their events may be read again (they are not: the log no longer lists them as unacknowledged);
     * refused ({@code failure} not null), they are kept for the next write, and still not sent again.
     *
     * @return whether they were written
     */
    public boolean acksWritten(List<AckKey> keys, Throwable failure) {
        if (failure != null) {
            pendingAcks.addAll(keys);
            if (!ackWriteFailing) {
                ackWriteFailing = true;
                LOG.warn("cannot record {} acknowledgements in the outbox; retrying", pendingAcks.size(), failure);
            }
            return false;
        }
        ackWrites++;
        for (AckKey key : keys) { // not removeAll: with a list argument that can be quadratic
            pendingAckKeys.remove(key);
        }
        if (ackWriteFailing) {
            ackWriteFailing = false;
            LOG.info("acknowledgements are recorded again");
        }
        return true;
    }

    /** Resumes a parked stream: returns whether it was parked. */
    public boolean resume(String name) {
        Stream stream = streamsByName.get(name);
        if (stream == null) {
            throw new IllegalArgumentException("no stream is named " + Printable.quoted(name) + "; the streams are "
                    + String.join(", ", settings.streamNames()));
        }
        if (stream.parked.isEmpty()) {
            return false;
        }
        long to = Long.MAX_VALUE;
        for (Park p : stream.parked.values()) {
            to = Math.min(to, p.generation() == generation ? p.event().sequence() - 1 : 0);
        }
        LOG.info("stream {} resumed: sending its {} NACKed event(s) again", name, stream.parked.size());
        stream.parked.clear();
        stream.rewindTo(to);
        return true;
    }

    /** Takes new settings (window, streams) without losing ACKs or parked streams. */
    public void reconfigure(PollerSettings newSettings) {
        settings = Objects.requireNonNull(newSettings, "newSettings");
        Map<String, Stream> previous = streamsByName;
        buildStreams(newSettings);
        for (Stream s : streams) {
            Stream before = previous.get(s.name);
            if (before != null) {
                s.parked.putAll(before.parked);
            }
        }
        for (InFlight entry : inFlight.values()) {
            streamFor(entry.event.eventTypeId()).inFlight++;
        }
        resetNeeded = true;
        LOG.info("poller reconfigured: window {}, streams {}", newSettings.window(), newSettings.streamNames());
    }

    /** A copy of the state for a status; {@code queued} is filled in by the caller. */
    public Snapshot snapshot() {
        List<StreamStatus> ss = new ArrayList<>();
        for (Stream s : streams) {
            List<ParkedEvent> parked = new ArrayList<>();
            s.parked.values().forEach(p -> parked.add(p.event()));
            ss.add(new StreamStatus(s.name, s.types, s == defaultStream, 0, false, s.inFlight, s.cursor, parked));
        }
        Map<String, Set<Long>> excluded = new HashMap<>();
        streams.forEach(s -> excluded.put(s.name, s.excluded));
        return new Snapshot(settings.window(), inFlight.size(), ss, excluded, published, acked, nacked, failed,
                ackWrites);
    }

    /** The state of {@link #snapshot()}; {@code excluded} by stream name, for counting its queue. */
    public record Snapshot(int window, int inFlight, List<StreamStatus> streams, Map<String, Set<Long>> excluded,
            long published, long acked, long nacked, long failed, long ackWrites) {
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

    private static final class Stream {
        final String name;
        final Set<Long> types;
        final Set<Long> excluded;
        /** NACKed events that park the stream, by sequence. */
        final TreeMap<Long, Park> parked = new TreeMap<>();
        /** Read from the log and not yet published: the events after {@code cursor} up to {@code readTo}. */
        final java.util.ArrayDeque<LoggedEvent> ahead = new java.util.ArrayDeque<>();
        long cursor;
        long readTo;
        /** The average size of the events of the stream's last read (their PUBLISH payloads), for {@link #readAhead}; the first read asks for {@link #READ_AHEAD}. */
        long eventBytes = READ_AHEAD_BYTES / READ_AHEAD;
        int inFlight;
        /** The log was read to its end at change {@code endReachedAt}: nothing to read until the outbox moves. */
        boolean endReached;
        long endReachedAt;

        Stream(String name, Set<Long> types, Set<Long> excluded) {
            this.name = name;
            this.types = Set.copyOf(types);
            this.excluded = Set.copyOf(excluded);
        }

        boolean atEnd(long changes) {
            return endReached && endReachedAt == changes;
        }

        boolean mayPublish(long changes) {
            return parked.isEmpty() && (!ahead.isEmpty() || !atEnd(changes));
        }

        /** The next read starts right after the cursor. */
        void forgetReadAhead() {
            ahead.clear();
            readTo = cursor;
            endReached = false;
        }

        void rewindTo(long sequence) {
            cursor = Math.min(cursor, Math.max(0, sequence));
            forgetReadAhead();
        }
    }

    private record Park(ParkedEvent event, long generation) {
    }
}
