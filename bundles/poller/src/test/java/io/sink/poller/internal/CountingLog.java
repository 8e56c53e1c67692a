package io.sink.poller.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.GroundEventLog;
import io.sink.api.InstanceId;
import io.sink.api.client.InstanceIdStore;
import io.sink.store.memory.internal.MemoryEventLog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The memory log, counting what the poller does to it: acknowledge calls and keys, and telling a
 * listener after each append as a store component would.
 */
final class CountingLog implements GroundEventLog, InstanceIdStore {
    final MemoryEventLog delegate;
    final AtomicLong acknowledgeCalls = new AtomicLong();
    final AtomicLong acknowledgedKeys = new AtomicLong();
    final AtomicLong unacknowledgedCalls = new AtomicLong();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final List<BiConsumer<GroundEventLog, Long>> listeners = new CopyOnWriteArrayList<>();
    volatile RuntimeException failAcknowledge;

    CountingLog(long maxEvents) {
        delegate = new MemoryEventLog(maxEvents, new Random(7), sequence -> {
            for (BiConsumer<GroundEventLog, Long> l : listeners) {
                l.accept(this, sequence);
            }
        });
    }

    CountingLog listener(BiConsumer<GroundEventLog, Long> listener) {
        listeners.add(listener);
        return this;
    }

    @Override
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        return delegate.countUnacknowledged(eventTypeIds, excludedTypeIds);
    }

    @Override
    public List<Event> lastEvents() {
        return delegate.lastEvents();
    }

    @Override
    public void adopt(List<Event> events, List<Event> lastEvents) {
        delegate.adopt(events, lastEvents);
    }

    @Override
    public long append(Event event) {
        return delegate.append(event);
    }

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        return delegate.appendNext(eventTypeId, schemaVersion, key, timestamp, eventData);
    }

    @Override
    public Optional<Event> lastEvent(long eventTypeId, byte[] key) {
        return delegate.lastEvent(eventTypeId, key);
    }

    @Override
    public List<Event> lastEvents(long eventTypeId) {
        return delegate.lastEvents(eventTypeId);
    }

    @Override
    public List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit) {
        unacknowledgedCalls.incrementAndGet();
        return delegate.unacknowledged(eventTypeIds, excludedTypeIds, afterSequence, limit);
    }

    @Override
    public void acknowledge(Collection<AckKey> ackKeys) {
        RuntimeException failure = failAcknowledge;
        if (failure != null) {
            throw failure;
        }
        acknowledgeCalls.incrementAndGet();
        acknowledgedKeys.addAndGet(ackKeys.size());
        batchSizes.add(ackKeys.size());
        delegate.acknowledge(ackKeys);
    }

    @Override
    public long queueSize() {
        return delegate.queueSize();
    }

    @Override
    public Optional<Event> nextEvent() {
        return delegate.nextEvent();
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return delegate.instanceIds();
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        delegate.storeServerInstanceId(serverInstanceId);
    }

    /** Every event in the log, unacknowledged, in log order. */
    List<Event> pending() {
        List<Event> out = new ArrayList<>();
        delegate.unacknowledged(Set.of(), Set.of(), 0, Integer.MAX_VALUE).forEach(e -> out.add(e.event()));
        return out;
    }

    @Override
    public String toString() {
        return "counting memory log";
    }
}
