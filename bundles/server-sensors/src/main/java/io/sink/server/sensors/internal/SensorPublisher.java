package io.sink.server.sensors.internal;

import io.sink.api.PublishResult;
import io.sink.api.server.SinkServer;
import io.sink.api.text.Printable;
import io.sink.server.sensors.internal.SensorOutbox.Pending;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outgoing sensor-configuration events: while a client is connected, its first event
 * not yet ACKed is published; the ACK takes it out of the log and the next one goes; a NACK parks
 * the client's stream until resumed; an unanswered event (connection dropped, timeout) is sent again
 * at the next check after the client is connected again. One event per client is in flight, so the
 * client sees them in order.
 *
 * <p>Runs on one thread of its own ({@code executor}): each {@code pollMillis} it reads which clients
 * have pending events (that is how a reconnected client is noticed, and a change made through another
 * server node sharing the storage), and a change made through this directory wakes it at once
 * ({@link #wake}).
 */
final class SensorPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SensorPublisher.class);

    private final SensorOutbox outbox;
    private final Supplier<SinkServer> server;
    private final ScheduledExecutorService executor;
    private final long publishTimeoutMillis;
    /** Clients that may have events to send; parked or drained ones are dropped at the next look. */
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    /** The event in flight per client (touched on the executor's thread only). */
    private final Map<String, Pending> inflight = new ConcurrentHashMap<>();
    private final ScheduledFuture<?> poll;

    SensorPublisher(SensorOutbox outbox, Supplier<SinkServer> server, ScheduledExecutorService executor,
            long pollMillis, long publishTimeoutMillis) {
        this.outbox = outbox;
        this.server = server;
        this.executor = executor;
        this.publishTimeoutMillis = publishTimeoutMillis;
        executor.execute(() -> guarded("listing the clients with pending events",
                () -> pending.addAll(outbox.clientsWithPending())));
        this.poll = executor.scheduleWithFixedDelay(this::tick, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
    }

    /** {@code clientId}'s log changed (an event was appended, its stream resumed): try to send now. */
    void wake(String clientId) {
        pending.add(clientId);
        try {
            executor.execute(() -> trySend(clientId));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the event is stored and goes out when the directory runs again
        }
    }

    /** Clients with an event in flight now, for tests and diagnostics. */
    int inflight() {
        return inflight.size();
    }

    private void tick() {
        // read again each time: another node sharing the storage may have appended events
        guarded("listing the clients with pending events", () -> pending.addAll(outbox.clientsWithPending()));
        for (String clientId : pending) {
            trySend(clientId);
        }
    }

    private void trySend(String clientId) {
        guarded("sending the sensor events of " + clientId, () -> {
            if (inflight.containsKey(clientId)) {
                return;
            }
            SinkServer s = server.get();
            if (s == null || !s.connected(clientId)) {
                return;
            }
            var next = outbox.next(clientId);
            if (next.isEmpty()) {
                pending.remove(clientId); // a change after this read wakes it again
                return;
            }
            Pending p = next.get();
            pending.add(clientId);
            inflight.put(clientId, p);
            outbox.sent(p);
            LOG.debug("publishing sensor event {} to {}", p.event().ackKey(), Printable.inline(clientId));
            // a dependent copy times out, never the transport's own stage
            s.publish(clientId, p.event()).toCompletableFuture().thenApply(r -> r)
                    .orTimeout(publishTimeoutMillis, TimeUnit.MILLISECONDS)
                    .whenComplete((result, failure) -> {
                        try {
                            executor.execute(() -> answered(p, result, failure));
                        } catch (java.util.concurrent.RejectedExecutionException e) {
                            // closing: unanswered, sent again later
                        }
                    });
        });
    }

    private void answered(Pending p, PublishResult result, Throwable failure) {
        String clientId = p.clientId();
        if (inflight.get(clientId) != p) {
            return; // a stale answer
        }
        try {
            if (result instanceof PublishResult.Acked) {
                outbox.acked(p);
                LOG.info("client {} applied sensor event {}", Printable.inline(clientId), p.event().ackKey());
                inflight.remove(clientId, p);
                trySend(clientId);
                return;
            }
            if (result instanceof PublishResult.Nacked nacked) {
                String reason = nacked.nack().machineMessageAsString() + ": " + nacked.nack().humanMessage();
                outbox.nacked(p, reason);
                LOG.warn("client {} refused sensor event {}: {}; its sensor stream is parked until"
                        + " sink:sensor-resume", Printable.inline(clientId), p.event().ackKey(), nacked.nack());
                return;
            }
            String why = failure instanceof TimeoutException ? "no answer within " + publishTimeoutMillis + " ms"
                    : failure != null ? String.valueOf(failure)
                    : ((PublishResult.Failed) result).reason();
            LOG.debug("sensor event {} to {} not answered ({}); sent again later", p.event().ackKey(),
                    Printable.inline(clientId), Printable.inline(why));
        } catch (RuntimeException e) {
            LOG.warn("recording the answer of {} to sensor event {} failed; it is sent again: {}",
                    Printable.inline(clientId), p.event().ackKey(), Printable.inline(e.getMessage()));
        } finally {
            inflight.remove(clientId, p); // no-op when the next event is in flight already
        }
    }

    private static void guarded(String what, Runnable work) {
        try {
            work.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed; tried again at the next check: {}", Printable.inline(what),
                    Printable.inline(String.valueOf(e.getMessage())));
        }
    }

    @Override
    public void close() {
        poll.cancel(false);
    }
}
