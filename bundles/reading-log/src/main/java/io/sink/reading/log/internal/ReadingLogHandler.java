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
 * is handed to the log's {@link LogExecutor} (the component's single logging thread with a bounded
 * queue), which formats and writes it, so console or appender I/O never
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
    private final LogExecutor log;
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
    public ReadingLogHandler(Supplier<ReceivedEventStore> store, LogExecutor log, LogLines lines,
            boolean logGenericEvents, Withholding withholding) {
        this(store, log, lines, logGenericEvents, withholding, REPEATED_WARNING_INTERVAL);
    }

    /**
     * @param repeatInterval the undecodable and the conflicting events of one client are logged in full
     *                       once per interval, the others counted ({@link #flushRepeated()} logs the
     *                       counts of the intervals that have ended)
     */
    public ReadingLogHandler(Supplier<ReceivedEventStore> store, LogExecutor log, LogLines lines,
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
        StoredLines batch = new StoredLines(clientId, storing.size());
        for (int k = 0; k < storing.size(); k++) {
            int i = stored[k];
            answers.set(i, answer(clientId, events.get(i), readings[i], storing.get(k), batch, k));
        }
        return answers;
    }

    /**
     * The answer to an event once the store has stored it (or not). One callback and one stage per
     * event: the store completes a whole commit's events at once on its writer thread, so this runs
     * once per event there; the event's line goes to {@code batch}.
     */
    private CompletionStage<Optional<Nack>> answer(String clientId, Event event, SensorReading decoded,
            CompletionStage<ReceivedEventStore.Outcome> storing, StoredLines batch, int slot) {
        CompletableFuture<Optional<Nack>> answer = new CompletableFuture<>();
        storing.whenComplete((outcome, failure) -> {
            try {
                if (failure != null) {
                    batch.nothing();
                    Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    // the details (paths, SQL) stay in the server's log
                    withhold(clientId, event, "the event store failed", cause).whenComplete((nack, withheld) -> {
                        if (withheld != null) {
                            answer.completeExceptionally(withheld);
                        } else {
                            answer.complete(nack);
                        }
                    });
                } else if (outcome == ReceivedEventStore.Outcome.CONFLICT) {
                    batch.nothing();
                    String who = Printable.text(clientId);
                    warnRepeated("conflicting events from " + who, "conflicting event from " + who + ": "
                            + EventFormat.describeGeneric(event) + " reuses the ack key of a stored event with other"
                            + " content; not stored, answered NACK " + CONFLICTING);
                    nacks.incrementAndGet();
                    answer.complete(Optional.of(Nack.of(CONFLICTING,
                            "the server already stored another event under " + what(event) + " (same event type, key and offset, different content); it was not stored. The client's"
                            + " event history differs from the server's: check the client's event log")));
                } else {
                    counted(outcome);
                    batch.line(slot, event, decoded, outcome);
                    answer.complete(Optional.empty());
                }
            } catch (RuntimeException e) {
                answer.completeExceptionally(e); // never left unanswered: the transport answers NACK
            }
        });
        return answer;
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

    private void counted(ReceivedEventStore.Outcome outcome) {
        if (outcome == ReceivedEventStore.Outcome.DUPLICATE) {
            duplicates.incrementAndGet();
        } else {
            stored.incrementAndGet();
        }
    }

    /**
     * The log lines of one batch of events handed to the store together: each event's line is put in
     * its slot when its outcome is known, and the last outcome hands all of them to the log thread as
     * one task (one hand-over per commit rather than per event), in the order the events came. The
     * lines are built on the log thread, which escapes the client id.
     */
    private final class StoredLines implements Runnable {
        private final String clientId;
        private final Event[] events;
        private final SensorReading[] readings;
        private final boolean[] duplicates;
        private final java.util.concurrent.atomic.AtomicInteger pending;

        StoredLines(String clientId, int size) {
            this.clientId = clientId;
            this.events = new Event[size];
            this.readings = new SensorReading[size];
            this.duplicates = new boolean[size];
            this.pending = new java.util.concurrent.atomic.AtomicInteger(size);
        }

        /** Slot {@code slot} was stored (or was a duplicate): its line is written with the batch. */
        void line(int slot, Event event, SensorReading reading, ReceivedEventStore.Outcome outcome) {
            boolean duplicate = outcome == ReceivedEventStore.Outcome.DUPLICATE;
            if (duplicate || reading != null || logGenericEvents) {
                events[slot] = event;
                readings[slot] = reading;
                duplicates[slot] = duplicate;
            }
            nothing();
        }

        /** A slot with no line (not stored: its outcome logs what it has to by itself). */
        void nothing() {
            if (pending.decrementAndGet() == 0) {
                int count = 0;
                for (Event event : events) {
                    count += event == null ? 0 : 1;
                }
                if (count > 0) {
                    log.execute(this, count);
                }
            }
        }

        @Override
        public void run() {
            String who = null;
            for (int i = 0; i < events.length; i++) {
                Event event = events[i];
                if (event == null) {
                    continue;
                }
                if (who == null) {
                    who = Printable.text(clientId);
                }
                SensorReading reading = readings[i];
                if (duplicates[i]) {
                    if (lines.isDebugEnabled()) {
                        lines.debug("duplicate from " + who + ": " + (reading != null
                                ? EventFormat.describe(event, reading) : EventFormat.describeGeneric(event))
                                + " (stored before; ACKed again)");
                    }
                } else if (reading != null) {
                    lines.info("reading from " + who + ": " + EventFormat.describe(event, reading));
                } else {
                    lines.info("event from " + who + ": " + EventFormat.describeGeneric(event));
                }
            }
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
