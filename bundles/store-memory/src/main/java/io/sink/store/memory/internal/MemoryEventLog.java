package io.sink.store.memory.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.EventLogFullException;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.text.Printable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.random.RandomGenerator;

/**
 * An event log and instance id store held in memory: <strong>not durable</strong>. Everything is
 * lost when the object is dropped (a bundle update, a restart, a crash). It honours the rest of the
 * {@link GroundEventLog} contract, so tests and demos can run against it and it can stand in for
 * the durable store while the framework runs.
 *
 * <p>Only unacknowledged events are held, plus the last event of each {@code (event_type_id, key)}
 * (which keeps the key's offset counter). An acknowledged event is forgotten at once; so
 * {@link #append(Event)} refuses an ack key only while it is unacknowledged or is its key's last
 * event (a durable store that keeps acknowledged events for a while refuses it longer).
 *
 * <p>Thread-safe: every operation holds one lock, so each is atomic. The {@code appended} callback
 * runs after the lock is released, on the appending thread.
 */
public final class MemoryEventLog implements GroundEventLog, InstanceIdStore {
    private volatile long maxEvents;
    private final RandomGenerator random;
    private final LongConsumer appended;
    private final Object lock = new Object();

    // guarded by lock
    private final NavigableMap<Long, LoggedEvent> unacknowledged = new TreeMap<>();
    private final Map<AckKey, Long> sequenceByKey = new HashMap<>();
    private final Map<Long, NavigableMap<byte[], Event>> lastByType = new HashMap<>();
    private long lastSequence;
    private InstanceId clientInstanceId;
    private InstanceId serverInstanceId;
    private boolean closed;

    /**
     * @param maxEvents most unacknowledged events held; an append beyond fails with
     *                  {@link EventLogFullException}
     * @param random    source of the client instance id
     * @param appended  told the sequence of each event appended, after the append is visible
     */
    public MemoryEventLog(long maxEvents, RandomGenerator random, LongConsumer appended) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, got " + maxEvents);
        }
        this.maxEvents = maxEvents;
        this.random = Objects.requireNonNull(random, "random");
        this.appended = Objects.requireNonNull(appended, "appended");
    }

    public long maxEvents() {
        return maxEvents;
    }

    /** Changes the limit while running; events held beyond a lower limit stay, new ones are refused. */
    public void maxEvents(long value) {
        if (value < 1) {
            throw new IllegalArgumentException("maxEvents must be at least 1, got " + value);
        }
        this.maxEvents = value;
    }

    /** Drops everything; later calls fail with {@link IllegalStateException}. */
    public void close() {
        synchronized (lock) {
            closed = true;
            unacknowledged.clear();
            sequenceByKey.clear();
            lastByType.clear();
        }
    }

    // ------------------------------------------------------------------ GroundEventLog

    @Override
    public long append(Event event) {
        Objects.requireNonNull(event, "event");
        long sequence;
        synchronized (lock) {
            requireOpen();
            AckKey ackKey = event.ackKey();
            Long existing = sequenceByKey.get(ackKey);
            if (existing != null) {
                throw new IllegalArgumentException("event " + ackKey
                        + " is already in the memory event log at sequence " + existing);
            }
            Event last = last(event.eventTypeId(), event.key());
            if (last != null && last.offset() == event.offset()) {
                throw new IllegalArgumentException("event " + ackKey + " is already in the memory event log (it is the "
                        + "last event of its key)");
            }
            requireSpace();
            sequence = add(event);
            if (last == null || Long.compareUnsigned(event.offset(), last.offset()) > 0) {
                putLast(event);
            }
        }
        appended.accept(sequence);
        return sequence;
    }

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        // validates the arguments (and copies the arrays) before anything changes
        Event probe = new Event(eventTypeId, schemaVersion, key, 1, timestamp, eventData);
        LoggedEvent logged;
        synchronized (lock) {
            requireOpen();
            Event last = last(eventTypeId, probe.key());
            long offset = last == null ? 1 : last.offset() + 1;
            if (offset == 0) {
                throw new IllegalStateException("the offsets of type " + Long.toUnsignedString(eventTypeId) + " key "
                        + Printable.quotedBytes(probe.key()) + " are used up: the last is 2^64-1");
            }
            Event event = offset == 1 ? probe
                    : new Event(eventTypeId, schemaVersion, probe.key(), offset, timestamp, probe.eventData());
            if (sequenceByKey.containsKey(event.ackKey())) {
                throw new IllegalStateException("event " + event.ackKey() + " is already in the memory event log "
                        + "although the last offset of its key is " + Long.toUnsignedString(offset - 1));
            }
            requireSpace();
            long sequence = add(event);
            putLast(event);
            logged = new LoggedEvent(sequence, event);
        }
        appended.accept(logged.sequence());
        return logged;
    }

    @Override
    public Optional<Event> lastEvent(long eventTypeId, byte[] key) {
        Objects.requireNonNull(key, "key");
        synchronized (lock) {
            requireOpen();
            return Optional.ofNullable(last(eventTypeId, key));
        }
    }

    @Override
    public List<Event> lastEvents(long eventTypeId) {
        synchronized (lock) {
            requireOpen();
            NavigableMap<byte[], Event> byKey = lastByType.get(eventTypeId);
            return byKey == null ? List.of() : List.copyOf(byKey.values());
        }
    }

    @Override
    public List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit) {
        Set<Long> types = Set.copyOf(Objects.requireNonNull(eventTypeIds, "eventTypeIds"));
        Set<Long> excluded = Set.copyOf(Objects.requireNonNull(excludedTypeIds, "excludedTypeIds"));
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, got " + limit);
        }
        List<LoggedEvent> out = new ArrayList<>(Math.min(limit, 1024));
        if (limit == 0) {
            return out;
        }
        synchronized (lock) {
            requireOpen();
            for (LoggedEvent e : unacknowledged.tailMap(afterSequence, false).values()) {
                long type = e.event().eventTypeId();
                if ((types.isEmpty() || types.contains(type)) && !excluded.contains(type)) {
                    out.add(e);
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
        }
        return out;
    }

    @Override
    public void acknowledge(Collection<AckKey> ackKeys) {
        List<AckKey> keys = List.copyOf(Objects.requireNonNull(ackKeys, "ackKeys"));
        synchronized (lock) {
            requireOpen();
            for (AckKey key : keys) {
                Long sequence = sequenceByKey.remove(key);
                if (sequence != null) {
                    unacknowledged.remove(sequence);
                }
            }
        }
    }

    @Override
    public long queueSize() {
        synchronized (lock) {
            requireOpen();
            return unacknowledged.size();
        }
    }

    @Override
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        Set<Long> types = Set.copyOf(Objects.requireNonNull(eventTypeIds, "eventTypeIds"));
        Set<Long> excluded = Set.copyOf(Objects.requireNonNull(excludedTypeIds, "excludedTypeIds"));
        synchronized (lock) {
            requireOpen();
            if (types.isEmpty() && excluded.isEmpty()) {
                return unacknowledged.size();
            }
            long n = 0;
            for (LoggedEvent e : unacknowledged.values()) {
                long type = e.event().eventTypeId();
                if ((types.isEmpty() || types.contains(type)) && !excluded.contains(type)) {
                    n++;
                }
            }
            return n;
        }
    }

    @Override
    public List<Event> lastEvents() {
        synchronized (lock) {
            requireOpen();
            List<Event> all = new ArrayList<>();
            sortedByType().values().forEach(byKey -> all.addAll(byKey.values()));
            return all;
        }
    }

    @Override
    public void adopt(List<Event> events, List<Event> lastEvents) {
        List<Event> moved = List.copyOf(Objects.requireNonNull(events, "events"));
        List<Event> lasts = List.copyOf(Objects.requireNonNull(lastEvents, "lastEvents"));
        long sequence;
        synchronized (lock) {
            requireOpen();
            for (Event e : moved) {
                if (!sequenceByKey.containsKey(e.ackKey())) {
                    add(e);
                    putLastIfNewer(e);
                }
            }
            lasts.forEach(this::putLastIfNewer);
            sequence = lastSequence;
        }
        if (!moved.isEmpty()) {
            appended.accept(sequence);
        }
    }

    @Override
    public Optional<Event> nextEvent() {
        synchronized (lock) {
            requireOpen();
            Map.Entry<Long, LoggedEvent> first = unacknowledged.firstEntry();
            return first == null ? Optional.empty() : Optional.of(first.getValue().event());
        }
    }

    // ------------------------------------------------------------------ InstanceIdStore

    @Override
    public ClientInstanceIds instanceIds() {
        synchronized (lock) {
            requireOpen();
            if (clientInstanceId == null) {
                clientInstanceId = InstanceId.random(random);
            }
            return new ClientInstanceIds(clientInstanceId, Optional.ofNullable(serverInstanceId));
        }
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        Objects.requireNonNull(serverInstanceId, "serverInstanceId");
        synchronized (lock) {
            requireOpen();
            this.serverInstanceId = serverInstanceId;
        }
    }

    // ------------------------------------------------------------------ internals, lock held

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the memory event log is closed");
        }
    }

    private void requireSpace() {
        if (unacknowledged.size() >= maxEvents) {
            throw new EventLogFullException("the memory event log is full: it holds " + unacknowledged.size()
                    + " unacknowledged events, maxEvents is " + maxEvents);
        }
    }

    private long add(Event event) {
        long sequence = ++lastSequence;
        unacknowledged.put(sequence, new LoggedEvent(sequence, event));
        sequenceByKey.put(event.ackKey(), sequence);
        return sequence;
    }

    private Event last(long eventTypeId, byte[] key) {
        NavigableMap<byte[], Event> byKey = lastByType.get(eventTypeId);
        return byKey == null ? null : byKey.get(key);
    }

    private NavigableMap<Long, NavigableMap<byte[], Event>> sortedByType() {
        NavigableMap<Long, NavigableMap<byte[], Event>> sorted = new TreeMap<>(Long::compareUnsigned);
        sorted.putAll(lastByType);
        return sorted;
    }

    private void putLastIfNewer(Event event) {
        Event last = last(event.eventTypeId(), event.key());
        if (last == null || Long.compareUnsigned(event.offset(), last.offset()) > 0) {
            putLast(event);
        }
    }

    private void putLast(Event event) {
        lastByType.computeIfAbsent(event.eventTypeId(), t -> new TreeMap<>(Arrays::compareUnsigned))
                .put(event.key(), event);
    }
}
