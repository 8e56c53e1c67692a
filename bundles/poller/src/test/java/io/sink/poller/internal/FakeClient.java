package io.sink.poller.internal;

import io.sink.api.AckKey;
import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.PublishResult;
import io.sink.api.client.SinkClient;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A SinkClient the test answers by hand. It records every publish, and every violation of the
 * rule that one ack key is never in flight twice.
 */
final class FakeClient implements SinkClient {
    volatile boolean connected;
    /** What {@link #problem()} says while not connected. */
    volatile String problem;
    volatile int window = 4095;
    final List<Event> published = new CopyOnWriteArrayList<>();
    final List<String> violations = new CopyOnWriteArrayList<>();
    /** The size of each {@link #publishAll} call, in order. */
    final List<Integer> batches = new CopyOnWriteArrayList<>();
    private final Map<AckKey, CompletableFuture<PublishResult>> inFlight = new LinkedHashMap<>();

    @Override
    public boolean connected() {
        return connected;
    }

    @Override
    public Optional<String> problem() {
        return connected ? Optional.empty() : Optional.ofNullable(problem);
    }

    @Override
    public synchronized CompletionStage<PublishResult> publish(Event event) {
        AckKey key = event.ackKey();
        if (!connected) {
            return CompletableFuture.completedFuture(new PublishResult.Failed(key, "not connected"));
        }
        if (inFlight.containsKey(key)) {
            violations.add(key + " published while in flight");
        }
        if (inFlight.size() >= window) {
            violations.add("window of " + window + " exceeded by " + key);
        }
        published.add(event);
        CompletableFuture<PublishResult> f = new CompletableFuture<>();
        inFlight.put(key, f);
        return f;
    }

    @Override
    public synchronized List<CompletionStage<PublishResult>> publishAll(List<Event> events) {
        batches.add(events.size());
        return SinkClient.super.publishAll(events);
    }

    @Override
    public synchronized int windowAvailable() {
        return connected ? window - inFlight.size() : 0;
    }

    @Override
    public synchronized List<AckKey> inFlight() {
        return new ArrayList<>(inFlight.keySet());
    }

    @Override
    public Optional<ConnectionStats> stats() {
        return Optional.empty();
    }

    @Override
    public String server() {
        return "fake:4000";
    }

    synchronized int inFlightCount() {
        return inFlight.size();
    }

    private CompletableFuture<PublishResult> take(AckKey key) {
        CompletableFuture<PublishResult> f;
        synchronized (this) {
            f = inFlight.remove(key);
        }
        if (f == null) {
            throw new AssertionError(key + " is not in flight; in flight: " + inFlight());
        }
        return f;
    }

    void ack(AckKey key) {
        take(key).complete(new PublishResult.Acked(key));
    }

    void nack(AckKey key, Nack nack) {
        take(key).complete(new PublishResult.Nacked(key, nack));
    }

    /** ACKs everything in flight, in the order published. */
    int ackAll() {
        List<AckKey> keys = inFlight();
        keys.forEach(this::ack);
        return keys.size();
    }

    /** One publish fails while the connection stays up. */
    void failOne(AckKey key) {
        take(key).complete(new PublishResult.Failed(key, "refused by the transport"));
    }

    /** The connection drops: everything in flight fails (as the transport does), then it is down. */
    void drop() {
        List<AckKey> keys;
        synchronized (this) {
            connected = false;
            keys = new ArrayList<>(inFlight.keySet());
        }
        for (AckKey key : keys) {
            take(key).complete(new PublishResult.Failed(key, "connection lost before an answer"));
        }
    }
}
