package io.sink.testsupport;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.client.Outbox;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link Outbox} over one fixed log, for the tests of producers (sensor, commands) that need no
 * swap: every call goes to the log, and listeners are told after each append.
 */
public final class LogOutbox implements Outbox {
    private final GroundEventLog log;
    private final InstanceIdStore ids;
    private final String name;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /** Over a store that is both the log and the instance id store (the memory store, SQLite). */
    public <S extends GroundEventLog & InstanceIdStore> LogOutbox(S store, String name) {
        this.log = Objects.requireNonNull(store, "store");
        this.ids = store;
        this.name = Objects.requireNonNull(name, "name");
    }

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        LoggedEvent logged = log.appendNext(eventTypeId, schemaVersion, key, timestamp, eventData);
        listeners.forEach(l -> l.changed(1));
        return logged;
    }

    @Override
    public Optional<Event> lastEvent(long eventTypeId, byte[] key) {
        return log.lastEvent(eventTypeId, key);
    }

    @Override
    public List<Event> lastEvents(long eventTypeId) {
        return log.lastEvents(eventTypeId);
    }

    @Override
    public List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit) {
        return log.unacknowledged(eventTypeIds, excludedTypeIds, afterSequence, limit);
    }

    @Override
    public void acknowledge(Collection<AckKey> ackKeys) {
        log.acknowledge(ackKeys);
    }

    @Override
    public long queueSize() {
        return log.queueSize();
    }

    @Override
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        return log.countUnacknowledged(eventTypeIds, excludedTypeIds);
    }

    @Override
    public Optional<Event> nextEvent() {
        return log.nextEvent();
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return ids.instanceIds();
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        ids.storeServerInstanceId(serverInstanceId);
    }

    @Override
    public long generation() {
        return 1;
    }

    @Override
    public String storeName() {
        return name;
    }

    @Override
    public AutoCloseable listen(Listener listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }
}
