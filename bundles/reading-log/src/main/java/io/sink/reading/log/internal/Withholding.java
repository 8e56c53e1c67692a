package io.sink.reading.log.internal;

import io.sink.api.Nack;
import io.sink.api.server.RetryLaterException;
import io.sink.api.server.SinkServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Events that could not be stored for now (a full disk, a failing or missing store) are neither
 * ACKed nor NACKed: a NACK would park the client's stream until an operator resumes it. Their
 * answers are withheld, the client's connection is closed {@code closeDelay} after the first such
 * event (so a client whose handshake succeeds does not reconnect and re-send in a tight loop), and
 * the client re-sends them on its next connection.
 *
 * <p>Once one event of a client is withheld, every later event of that client is withheld too
 * without touching the store, until its connection is down: nothing after a gap is stored, so the
 * client's events still arrive in order. The withheld stages are completed with a
 * {@link RetryLaterException} only when the connection is down, so the transport has no connection
 * left to answer on.
 */
public final class Withholding implements AutoCloseable {
    /** Completes withheld stages if the transport never reports the connection down after the close. */
    private static final Duration RELEASE_AFTER_CLOSE = Duration.ofSeconds(30);

    private final ScheduledExecutorService scheduler;
    private final Duration closeDelay;
    private final Disconnector server;
    /** Per client, the stages withheld since its first event not stored (one streak per connection). */
    private final Map<String, List<CompletableFuture<Optional<Nack>>>> withheld = new HashMap<>();
    private boolean closed;

    /**
     * @param scheduler  runs the delayed closes (owned by the caller)
     * @param closeDelay how long after the first withheld event of a client its connection is closed
     * @param server     the server of the moment, to close the connection; null when there is none
     */
    public Withholding(ScheduledExecutorService scheduler, Duration closeDelay, Supplier<SinkServer> server) {
        this(scheduler, closeDelay, disconnecting(server));
    }

    /** @param server closes a client's connection; {@code false} when it had none (or there is no server) */
    public Withholding(ScheduledExecutorService scheduler, Duration closeDelay, Disconnector server) {
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.closeDelay = Objects.requireNonNull(closeDelay, "closeDelay");
        this.server = Objects.requireNonNull(server, "server");
    }

    /** Closes the connection of a client, as {@link SinkServer#disconnect} does. */
    @FunctionalInterface
    public interface Disconnector {
        boolean disconnect(String clientId, String reason);
    }

    private static Disconnector disconnecting(Supplier<SinkServer> server) {
        Objects.requireNonNull(server, "server");
        return (clientId, reason) -> {
            SinkServer current = server.get();
            return current != null && current.disconnect(clientId, reason);
        };
    }

    Duration closeDelay() {
        return closeDelay;
    }

    /** Whether the events of {@code clientId} are being withheld (its connection is about to close). */
    synchronized boolean isWithheld(String clientId) {
        return withheld.containsKey(clientId);
    }

    /**
     * Withholds the answer to one event of {@code clientId}; the first one schedules the close.
     *
     * @param why for the connection's close reason, e.g. {@code the event store is full}
     */
    CompletableFuture<Optional<Nack>> withhold(String clientId, String why) {
        CompletableFuture<Optional<Nack>> stage = new CompletableFuture<>();
        boolean first;
        synchronized (this) {
            if (closed) {
                stage.completeExceptionally(retryLater(clientId));
                return stage;
            }
            List<CompletableFuture<Optional<Nack>>> stages = withheld.get(clientId);
            first = stages == null;
            if (first) {
                stages = new ArrayList<>();
                withheld.put(clientId, stages);
            }
            stages.add(stage);
        }
        if (first) {
            List<CompletableFuture<Optional<Nack>>> streak;
            synchronized (this) {
                streak = withheld.get(clientId);
            }
            String reason = "events not stored (" + why + "): their ACKs are withheld and the client sends them again"
                    + " after reconnecting";
            try {
                scheduler.schedule(() -> closeConnection(clientId, streak, reason), closeDelay.toMillis(),
                        TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                release(clientId, streak); // stopping
            }
        }
        return stage;
    }

    private void closeConnection(String clientId, List<CompletableFuture<Optional<Nack>>> streak, String reason) {
        boolean closing;
        try {
            closing = server.disconnect(clientId, reason);
        } catch (RuntimeException e) {
            closing = false;
        }
        if (!closing) {
            release(clientId, streak); // no connection to close: nothing will be answered on it any more
            return;
        }
        try {
            scheduler.schedule(() -> release(clientId, streak), RELEASE_AFTER_CLOSE.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            release(clientId, streak);
        }
    }

    /** The client's connection is down: its withheld events are dropped (it sends them again). */
    void connectionDown(String clientId) {
        release(clientId);
    }

    private void release(String clientId) {
        List<CompletableFuture<Optional<Nack>>> stages;
        synchronized (this) {
            stages = withheld.remove(clientId);
        }
        complete(clientId, stages);
    }

    /** Releases the streak {@code stages} only if it is still the client's current one. */
    private void release(String clientId, List<CompletableFuture<Optional<Nack>>> stages) {
        synchronized (this) {
            if (!withheld.remove(clientId, stages)) {
                return;
            }
        }
        complete(clientId, stages);
    }

    private static void complete(String clientId, List<CompletableFuture<Optional<Nack>>> stages) {
        if (stages != null) {
            RetryLaterException retry = retryLater(clientId);
            stages.forEach(s -> s.completeExceptionally(retry));
        }
    }

    private static RetryLaterException retryLater(String clientId) {
        return new RetryLaterException("the events of " + clientId + " were not stored; the client sends them again");
    }

    /** Completes every withheld stage; later events are withheld no more. */
    @Override
    public void close() {
        List<String> clients;
        synchronized (this) {
            closed = true;
            clients = new ArrayList<>(withheld.keySet());
        }
        clients.forEach(this::release);
    }
}
