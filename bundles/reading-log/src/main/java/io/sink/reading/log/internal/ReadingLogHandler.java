package io.sink.reading.log.internal;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ServerHandler;
import io.sink.api.text.Printable;
import io.sink.api.text.RepeatedEvents;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.reading.log.EventFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The server's handler of received events: stores each event durably, then lets the transport ACK
 * it; refuses with a NACK (permanently) sensor readings that do not decode and events that conflict
 * with a stored one; leaves unanswered, and has the connection closed, events that cannot be stored
 * for now (see {@link Withholding}); logs one line per event.
 *
 * <p>Threads: {@link #handlePublish} runs on a network thread and never blocks: it decodes a sensor
 * reading (a few dozen bytes) and hands the event to the store, which queues it for its writer
 * thread. The returned stage completes when the store's stage does, on the store's writer thread,
 * after the commit that made the event durable. No log line is written on either thread: every line
 * is handed to the {@link Executor} of the log (the component's single logging thread with a bounded
 * queue, see {@link LogExecutor}), which formats and writes it, so console or appender I/O never
 * delays an ACK. The warnings a client can repeat with every event it sends (undecodable readings,
 * conflicting events) are logged in full once per interval and client, then counted
 * ({@link RepeatedEvents}), the client id escaped.
 */
public final class ReadingLogHandler implements ServerHandler {
    /** NACK machine message: a sensor reading whose payload does not decode; it is not stored. */
    public static final String UNDECODABLE = "undecodable";
    /** Machine message of the NACK for an event that reuses the ack key of another stored event. */
    public static final String CONFLICTING = "conflicting_event";
    private static final int MAX_REASON = 300;

    private final Supplier<ReceivedEventStore> store;
    private final Executor log;
    private final LogLines lines;
    private final boolean logGenericEvents;
    private final AtomicLong stored = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong nacks = new AtomicLong();
    private final AtomicLong withheld = new AtomicLong();
    private final AtomicLong withheldAtLastLog = new AtomicLong();
    private static final long NEVER = Long.MIN_VALUE;
    private static final long WITHHELD_LOG_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
    private final AtomicLong lastWithheldLog = new AtomicLong(NEVER);
    private final Withholding withholding;
    private final RepeatedEvents repeated;

    /** Warnings a client can repeat at will are logged in full once per this interval (then counted). */
    public static final Duration REPEATED_WARNING_INTERVAL = Duration.ofSeconds(60);

    /**
     * @param store            the store of the moment (a dynamic reference; null when there is none)
     * @param log              runs the logging; must not block its caller
     * @param lines            where lines go
     * @param logGenericEvents whether events other than sensor readings get an INFO line
     */
    public ReadingLogHandler(Supplier<ReceivedEventStore> store, Executor log, LogLines lines,
            boolean logGenericEvents, Withholding withholding) {
        this(store, log, lines, logGenericEvents, withholding, REPEATED_WARNING_INTERVAL);
    }

    /**
     * @param repeatInterval the undecodable and the conflicting events of one client are logged in full
     *                       once per interval, the others counted ({@link #flushRepeated()} logs the
     *                       counts of the intervals that have ended)
     */
    public ReadingLogHandler(Supplier<ReceivedEventStore> store, Executor log, LogLines lines,
            boolean logGenericEvents, Withholding withholding, Duration repeatInterval) {
        this.repeated = new RepeatedEvents(repeatInterval);
        this.withholding = Objects.requireNonNull(withholding, "withholding");
        this.store = Objects.requireNonNull(store, "store");
        this.log = Objects.requireNonNull(log, "log");
        this.lines = Objects.requireNonNull(lines, "lines");
        this.logGenericEvents = logGenericEvents;
    }

    @Override
    public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
        return handlePublishes(clientId, List.of(event)).get(0);
    }

    /**
     * Decodes and checks each event as {@link #handlePublish} does, then hands those to store to the
     * store in one {@link ReceivedEventStore#storeAll} call, so that it can commit them together.
     */
    @Override
    public List<CompletionStage<Optional<Nack>>> handlePublishes(String clientId, List<Event> events) {
        int n = events.size();
        List<CompletionStage<Optional<Nack>>> answers = new ArrayList<>(Collections.nCopies(n, null));
        SensorReading[] readings = new SensorReading[n];
        List<Event> toStore = new ArrayList<>(n);
        int[] stored = new int[n];
        ReceivedEventStore current = null;
        for (int i = 0; i < n; i++) {
            Event event = events.get(i);
            if (EventFormat.isSensorReading(event)) {
                try {
                    readings[i] = SensorReadingCodec.decode(event.eventData());
                } catch (ProtocolException e) {
                    String who = Printable.text(clientId);
                    warnRepeated("undecodable readings from " + who, "undecodable reading from " + who + ": "
                            + EventFormat.describeGeneric(event) + ": " + Printable.inline(e.getMessage())
                            + "; answered NACK, not stored");
                    answers.set(i, nack(UNDECODABLE, "the sensor reading " + what(event) + " (event type 1, schema 1)"
                            + " does not decode: " + e.getMessage() + "; it was not stored"));
                    continue;
                }
            }
            if (withholding.isWithheld(clientId)) {
                // an earlier event of this connection was not stored: nothing after it is stored either
                answers.set(i, withhold(clientId, event, "an earlier event of the connection was not stored", null));
                continue;
            }
            if (current == null) {
                current = store.get();
                if (current == null) {
                    answers.set(i, withhold(clientId, event, "no event store is available", null));
                    continue;
                }
            }
            stored[toStore.size()] = i;
            toStore.add(event);
        }
        if (toStore.isEmpty()) {
            return answers;
        }
        List<CompletionStage<ReceivedEventStore.Outcome>> storing;
        try {
            storing = toStore.size() == 1 ? List.of(current.store(clientId, toStore.get(0)))
                    : current.storeAll(clientId, toStore);
            if (storing.size() != toStore.size()) {
                throw new IllegalStateException("the store answered " + storing.size() + " times for "
                        + toStore.size() + " events");
            }
        } catch (RuntimeException e) {
            storing = Collections.nCopies(toStore.size(), CompletableFuture.failedFuture(e));
        }
        for (int k = 0; k < storing.size(); k++) {
            int i = stored[k];
            answers.set(i, answer(clientId, events.get(i), readings[i], storing.get(k)));
        }
        return answers;
    }

    /** The answer to an event once the store has stored it (or not). */
    private CompletionStage<Optional<Nack>> answer(String clientId, Event event, SensorReading decoded,
            CompletionStage<ReceivedEventStore.Outcome> storing) {
        return storing.handle((outcome, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                // the details (paths, SQL) stay in the server's log
                return withhold(clientId, event, "the event store failed", cause);
            }
            if (outcome == ReceivedEventStore.Outcome.CONFLICT) {
                String who = Printable.text(clientId);
                warnRepeated("conflicting events from " + who, "conflicting event from " + who + ": "
                        + EventFormat.describeGeneric(event) + " reuses the ack key of a stored event with other"
                        + " content; not stored, answered NACK " + CONFLICTING);
                nacks.incrementAndGet();
                return CompletableFuture.completedStage(Optional.of(Nack.of(CONFLICTING,
                        "the server already stored another event under " + what(event) + " (same event type, key and offset, different content); it was not stored. The client's"
                        + " event history differs from the server's: check the client's event log")));
            }
            logStored(clientId, event, decoded, outcome);
            return CompletableFuture.completedStage(Optional.<Nack>empty());
        }).thenCompose(answer -> answer);
    }

    /**
     * A warning a client can cause again and again (one per event it sends): the first of its kind
     * (per client) in an interval is logged in full, the others counted.
     */
    private void warnRepeated(String kind, String line) {
        List<String> out = repeated.occurred(kind, line, System.nanoTime());
        if (!out.isEmpty()) {
            log.execute(() -> out.forEach(lines::warn));
        }
    }

    /** Logs the counts of repeated warnings whose interval has ended; called periodically. */
    public void flushRepeated() {
        List<String> out = repeated.flush(System.nanoTime());
        if (!out.isEmpty()) {
            log.execute(() -> out.forEach(lines::warn));
        }
    }

    /**
     * Neither ACKs nor NACKs an event that could not be stored for now (a NACK would park the client's
     * stream): see {@link Withholding}. Logged once per interval with the count.
     */
    private CompletionStage<Optional<Nack>> withhold(String clientId, Event event, String why, Throwable cause) {
        withheld.incrementAndGet();
        long now = System.nanoTime();
        long last = lastWithheldLog.get();
        if (last == NEVER || now - last >= WITHHELD_LOG_INTERVAL_NANOS) {
            if (lastWithheldLog.compareAndSet(last, now)) {
                long since = withheld.get() - withheldAtLastLog.getAndSet(withheld.get());
                log.execute(() -> lines.warn("could not store " + EventFormat.describeGeneric(event) + " from "
                        + Printable.text(clientId) + ": " + why + (cause == null ? "" : ": " + Printable.inline(String.valueOf(cause))) + "; not answered (no NACK),"
                        + " the connection closes in " + withholding.closeDelay().toMillis() + " ms and the client"
                        + " sends it again" + (since > 1 ? " (" + since + " events not stored since the last such line)" : "")));
            }
        }
        return withholding.withhold(clientId, why);
    }

    /** Counts the event and hands its line to the log thread (which escapes the client id). */
    private void logStored(String clientId, Event event, SensorReading reading, ReceivedEventStore.Outcome outcome) {
        if (outcome == ReceivedEventStore.Outcome.DUPLICATE) {
            duplicates.incrementAndGet();
            log.execute(() -> {
                if (lines.isDebugEnabled()) {
                    lines.debug("duplicate from " + Printable.text(clientId) + ": " + (reading != null
                            ? EventFormat.describe(event, reading) : EventFormat.describeGeneric(event))
                            + " (stored before; ACKed again)");
                }
            });
            return;
        }
        stored.incrementAndGet();
        if (reading != null) {
            log.execute(() -> lines.info("reading from " + Printable.text(clientId) + ": "
                    + EventFormat.describe(event, reading)));
        } else if (logGenericEvents) {
            log.execute(() -> lines.info("event from " + Printable.text(clientId) + ": "
                    + EventFormat.describeGeneric(event)));
        }
    }

    private CompletionStage<Optional<Nack>> nack(String machine, String human) {
        nacks.incrementAndGet();
        String text = human.length() > MAX_REASON ? human.substring(0, MAX_REASON) + "..." : human;
        return CompletableFuture.completedFuture(Optional.of(Nack.of(machine, text)));
    }

    private static String what(Event event) {
        return EventFormat.key(event) + " offset " + Long.toUnsignedString(event.offset());
    }

    @Override
    public void connectionUp(String clientId, String peer) {
        log.execute(() -> lines.info("client " + Printable.text(clientId) + " connected from " + Printable.text(peer)));
    }

    @Override
    public void connectionDown(String clientId, String reason) {
        withholding.connectionDown(clientId);
        log.execute(() -> lines.info("client " + Printable.text(clientId) + " disconnected: " + Printable.inline(reason)));
    }

    /** Events not answered because they could not be stored for now (the client sends them again). */
    public long withheldCount() {
        return withheld.get();
    }

    /** Events stored as new since start. */
    public long storedCount() {
        return stored.get();
    }

    /** Events ACKed again because they were stored before. */
    public long duplicateCount() {
        return duplicates.get();
    }

    /** Events refused with a NACK. */
    public long nackCount() {
        return nacks.get();
    }
}
