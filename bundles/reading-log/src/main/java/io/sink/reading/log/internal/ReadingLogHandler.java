package io.sink.reading.log.internal;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ServerHandler;
import io.sink.api.text.Printable;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import io.sink.reading.log.EventFormat;
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
 * it; refuses with a NACK what cannot be stored and sensor readings that do not decode; logs one
 * line per event.
 *
 * <p>Threads: {@link #handlePublish} runs on a network thread and never blocks: it decodes a sensor
 * reading (a few dozen bytes) and hands the event to the store, which queues it for its writer
 * thread. The returned stage completes when the store's stage does, on the store's writer thread,
 * after the commit that made the event durable. No log line is written on either thread: every line
 * is handed to the {@link Executor} of the log (the component's single logging thread with a bounded
 * queue, see {@link LogExecutor}), which formats and writes it, so console or appender I/O never
 * delays an ACK.
 */
public final class ReadingLogHandler implements ServerHandler {
    /** NACK machine message: a sensor reading whose payload does not decode; it is not stored. */
    public static final String UNDECODABLE = "undecodable";
    /** NACK machine message: the store failed; the event is not stored and may be sent again. */
    public static final String STORE_FAILED = "store_failed";
    /** NACK machine message: no store is available; the event is not stored and may be sent again. */
    public static final String STORE_UNAVAILABLE = "store_unavailable";
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

    /**
     * @param store            the store of the moment (a dynamic reference; null when there is none)
     * @param log              runs the logging; must not block its caller
     * @param lines            where lines go
     * @param logGenericEvents whether events other than sensor readings get an INFO line
     */
    public ReadingLogHandler(Supplier<ReceivedEventStore> store, Executor log, LogLines lines,
            boolean logGenericEvents) {
        this.store = Objects.requireNonNull(store, "store");
        this.log = Objects.requireNonNull(log, "log");
        this.lines = Objects.requireNonNull(lines, "lines");
        this.logGenericEvents = logGenericEvents;
    }

    @Override
    public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
        String who = Printable.text(clientId);
        SensorReading reading = null;
        if (EventFormat.isSensorReading(event)) {
            try {
                reading = SensorReadingCodec.decode(event.eventData());
            } catch (ProtocolException e) {
                log.execute(() -> lines.warn("undecodable reading from " + who + ": "
                        + EventFormat.describeGeneric(event) + ": " + Printable.inline(e.getMessage())
                        + "; answered NACK, not stored"));
                return nack(UNDECODABLE, "the sensor reading " + what(event) + " (event type 1, schema 1) does not"
                        + " decode: " + e.getMessage() + "; it was not stored");
            }
        }
        ReceivedEventStore current = store.get();
        if (current == null) {
            log.execute(() -> lines.warn("no event store: refused " + EventFormat.describeGeneric(event) + " from "
                    + who + " with a NACK"));
            return nack(STORE_UNAVAILABLE, "the server has no event store available; the event " + what(event)
                    + " was not stored, send it again later");
        }
        CompletionStage<ReceivedEventStore.Outcome> storing;
        try {
            storing = current.store(clientId, event);
        } catch (RuntimeException e) {
            storing = CompletableFuture.failedFuture(e);
        }
        SensorReading decoded = reading;
        return storing.handle((outcome, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                        ? failure.getCause() : failure;
                log.execute(() -> lines.warn("could not store " + EventFormat.describeGeneric(event) + " from "
                        + who + ", answered NACK: " + Printable.inline(String.valueOf(cause))));
                nacks.incrementAndGet();
                // the details (paths, SQL) stay in the server's log
                return Optional.of(Nack.of(STORE_FAILED, "the server could not store the event " + what(event)
                        + " (storage failure, see the server log); it was not stored, send it again later"));
            }
            if (outcome == ReceivedEventStore.Outcome.CONFLICT) {
                log.execute(() -> lines.warn("conflicting event from " + who + ": "
                        + EventFormat.describeGeneric(event) + " reuses the ack key of a stored event with other"
                        + " content; not stored, answered NACK " + CONFLICTING));
                nacks.incrementAndGet();
                return Optional.of(Nack.of(CONFLICTING, "the server already stored another event under " + what(event)
                        + " (same event type, key and offset, different content); it was not stored. The client's"
                        + " event history differs from the server's: check the client's event log"));
            }
            logStored(who, event, decoded, outcome);
            return Optional.<Nack>empty();
        });
    }

    /** @param who the client id, escaped */
    private void logStored(String who, Event event, SensorReading reading, ReceivedEventStore.Outcome outcome) {
        if (outcome == ReceivedEventStore.Outcome.DUPLICATE) {
            duplicates.incrementAndGet();
            log.execute(() -> {
                if (lines.isDebugEnabled()) {
                    lines.debug("duplicate from " + who + ": " + (reading != null
                            ? EventFormat.describe(event, reading) : EventFormat.describeGeneric(event))
                            + " (stored before; ACKed again)");
                }
            });
            return;
        }
        stored.incrementAndGet();
        if (reading != null) {
            log.execute(() -> lines.info("reading from " + who + ": " + EventFormat.describe(event, reading)));
        } else if (logGenericEvents) {
            log.execute(() -> lines.info("event from " + who + ": " + EventFormat.describeGeneric(event)));
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
        log.execute(() -> lines.info("client " + Printable.text(clientId) + " disconnected: "
                + Printable.inline(reason)));
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
