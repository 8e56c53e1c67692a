package io.sink.poller.internal.outbox;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.client.Outbox;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Outbox} over the store bound now; plain, the component feeds it the stores its
 * configuration selects.
 *
 * <p><b>Swap.</b> {@link #use} with another log takes the write lock (appends, reads and
 * acknowledgements wait meanwhile) and, in one transaction of the new log
 * ({@link GroundEventLog#adopt}), moves every unacknowledged event with its ack key and every key's
 * last event there; then it marks the moved events acknowledged in the old log, which keeps them
 * until its retention removes them. So nothing logged before the swap is lost or re-keyed, offsets
 * continue where the old log left them, and an ACK of an event published before the swap is recorded
 * in the new log. If the new log refuses the events the swap is refused and the old log stays.
 */
public final class ClientOutbox implements Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(ClientOutbox.class);
    private static final String NONE = "none";

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    // written under the write lock
    private volatile GroundEventLog log;
    private volatile String logName = NONE;
    private volatile long generation;
    private volatile InstanceIdStore ids;

    /** An outbox over one log and instance id store (harnesses outside the framework). */
    public static ClientOutbox over(GroundEventLog log, InstanceIdStore ids, String name) {
        ClientOutbox outbox = new ClientOutbox();
        outbox.useInstanceIds(ids);
        outbox.use(log, name);
        return outbox;
    }

    /** Result of a swap, for logs and tests. */
    public record Swap(String from, String to, int moved, int lastEvents) {
    }

    /**
     * Makes {@code next} the current log (null: none), moving the old log's unacknowledged events
     * into it first.
     *
     * @return what was moved, or empty when nothing changed
     * @throws IllegalStateException when the new log refuses the events; the old log stays current
     */
    public Optional<Swap> use(GroundEventLog next, String nextName) {
        Swap swap;
        lock.writeLock().lock();
        try {
            GroundEventLog previous = log;
            if (previous == next) {
                return Optional.empty();
            }
            String name = next == null ? NONE : Objects.requireNonNull(nextName, "nextName");
            swap = previous == null || next == null ? new Swap(logName, name, 0, 0) : migrate(previous, next, name);
            log = next;
            logName = name;
            generation++;
        } finally {
            lock.writeLock().unlock();
        }
        changed();
        return Optional.of(swap);
    }

    /** Makes {@code store} the instance id store (null: none). */
    public void useInstanceIds(InstanceIdStore store) {
        ids = store;
    }

    /** The current log, if it is {@code candidate}, goes away: nothing is bound until the next {@link #use}. */
    public void release(GroundEventLog candidate) {
        boolean released = false;
        lock.writeLock().lock();
        try {
            if (log == candidate && candidate != null) {
                log = null;
                logName = NONE;
                generation++;
                released = true;
            }
        } finally {
            lock.writeLock().unlock();
        }
        if (released) {
            LOG.warn("the event log went away without a replacement: appends fail until one is bound");
            changed();
        }
    }

    /** The current log, or null. */
    public GroundEventLog current() {
        return log;
    }

    private Swap migrate(GroundEventLog from, GroundEventLog to, String toName) {
        List<LoggedEvent> pending = from.unacknowledged(Set.of(), Set.of(), 0, Integer.MAX_VALUE);
        List<Event> events = new ArrayList<>(pending.size());
        List<AckKey> keys = new ArrayList<>(pending.size());
        for (LoggedEvent e : pending) {
            events.add(e.event());
            keys.add(e.event().ackKey());
        }
        List<Event> lasts = from.lastEvents();
        try {
            to.adopt(events, lasts);
        } catch (RuntimeException e) {
            throw new IllegalStateException("the event log " + toName + " refused the " + events.size()
                    + " unacknowledged events of " + logName + ": " + e.getMessage(), e);
        }
        try {
            from.acknowledge(keys); // moved: the new log delivers them
        } catch (RuntimeException e) {
            LOG.warn("the {} events moved to {} could not be marked as moved in {}; should it be bound again they are"
                    + " sent again with the same ack keys (the server ignores the duplicates): {}", keys.size(),
                    toName, logName, e.toString());
        }
        return new Swap(logName, toName, events.size(), lasts.size());
    }

    private void changed() {
        long g = generation;
        for (Listener l : listeners) {
            try {
                l.changed(g);
            } catch (RuntimeException e) {
                LOG.warn("an outbox listener failed", e);
            }
        }
    }

    private <T> T read(Supplier<T> work) {
        Lock r = lock.readLock();
        r.lock();
        try {
            return work.get();
        } finally {
            r.unlock();
        }
    }

    private GroundEventLog log() {
        GroundEventLog l = log;
        if (l == null) {
            throw new IllegalStateException("no event log is bound to the outbox (" + PID + ", eventLog.target)");
        }
        return l;
    }

    private InstanceIdStore ids() {
        InstanceIdStore s = ids;
        if (s == null) {
            throw new IllegalStateException("no instance id store is bound to the outbox (" + PID
                    + ", instanceIdStore.target)");
        }
        return s;
    }

    // ------------------------------------------------------------------ Outbox

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        LoggedEvent logged = read(() -> log().appendNext(eventTypeId, schemaVersion, key, timestamp, eventData));
        changed();
        return logged;
    }

    @Override
    public Optional<Event> lastEvent(long eventTypeId, byte[] key) {
        return read(() -> log().lastEvent(eventTypeId, key));
    }

    @Override
    public List<Event> lastEvents(long eventTypeId) {
        return read(() -> log().lastEvents(eventTypeId));
    }

    @Override
    public List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit) {
        return read(() -> log().unacknowledged(eventTypeIds, excludedTypeIds, afterSequence, limit));
    }

    @Override
    public void acknowledge(Collection<AckKey> ackKeys) {
        read(() -> {
            log().acknowledge(ackKeys);
            return null;
        });
    }

    @Override
    public long queueSize() {
        return read(() -> log().queueSize());
    }

    @Override
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        return read(() -> log().countUnacknowledged(eventTypeIds, excludedTypeIds));
    }

    @Override
    public Optional<Event> nextEvent() {
        return read(() -> log().nextEvent());
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return ids().instanceIds();
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        ids().storeServerInstanceId(serverInstanceId);
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public String storeName() {
        return logName;
    }

    @Override
    public AutoCloseable listen(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
