package io.sink.stress;

import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.client.SinkClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * Publishes numbered events (key "honest", offsets 1, 2, 3...) through a client at a fixed rate, on
 * one owned scheduler thread, and keeps score of the answers. Every event must be ACKed. The events
 * are type 1 with a two-byte body unless a factory makes them (sensor readings, for a server that
 * decodes them).
 */
final class HonestPublisher implements AutoCloseable {
    static final String KEY = "honest";
    private final SinkClient client;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "honest-publisher");
        t.setDaemon(true);
        return t;
    });
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong settled = new AtomicLong();
    final List<String> failures = new CopyOnWriteArrayList<>();

    private final LongFunction<Event> events;

    HonestPublisher(SinkClient client) {
        this(client, offset -> Event.of(1, 1, KEY, offset, 1_700_000_000L + offset / 1000,
                new byte[] {(byte) offset, 42}));
    }

    /** @param events the event of each offset (1, 2, 3...) */
    HonestPublisher(SinkClient client, LongFunction<Event> events) {
        this.client = client;
        this.events = events;
    }

    /** Starts publishing one event every {@code periodMicros}. */
    void start(long periodMicros) {
        scheduler.scheduleAtFixedRate(this::publishNext, 0, periodMicros, TimeUnit.MICROSECONDS);
    }

    private void publishNext() {
        long offset = published.incrementAndGet();
        Event event = events.apply(offset);
        client.publish(event).whenComplete((result, failure) -> {
            if (result instanceof PublishResult.Acked) {
                acked.incrementAndGet();
            } else {
                failures.add("event " + offset + ": " + (failure != null ? failure : result));
            }
            settled.incrementAndGet();
        });
    }

    /** Stops publishing (waits for the scheduler thread). */
    void stop() throws InterruptedException {
        scheduler.shutdown();
        if (!scheduler.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the publisher did not stop");
        }
    }

    long published() {
        return published.get();
    }

    long acked() {
        return acked.get();
    }

    long settled() {
        return settled.get();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
