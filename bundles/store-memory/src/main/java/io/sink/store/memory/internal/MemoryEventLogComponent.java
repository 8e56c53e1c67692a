package io.sink.store.memory.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.EventLogListener;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.config.ConfigReader;
import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The memory event log as a service, registered with {@code sink.store.type=memory}. It needs a
 * configuration (PID {@value #PID}) so that a framework never binds a store that forgets
 * everything on restart unless someone asked for it.
 */
@Component(service = {GroundEventLog.class, InstanceIdStore.class},
        property = {GroundEventLog.STORE_TYPE + "=" + MemoryEventLogComponent.STORE_TYPE,
                MemoryEventLogComponent.DURABLE + ":Boolean=false"},
        configurationPid = MemoryEventLogComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = MemoryEventLogComponent.Config.class)
public final class MemoryEventLogComponent implements GroundEventLog, InstanceIdStore {
    private static final Logger LOG = LoggerFactory.getLogger(MemoryEventLogComponent.class);

    /** Configuration PID (required: the store does not start without a configuration). */
    public static final String PID = "io.sink.store.memory";
    /** Value of {@link GroundEventLog#STORE_TYPE} for this store. */
    public static final String STORE_TYPE = "memory";
    /**
     * Service property saying whether the store keeps its writes across a restart; {@code false}
     * here, so a consumer can refuse this store with {@code (!(sink.store.durable=false))}. (Not an
     * API constant yet.)
     */
    public static final String DURABLE = "sink.store.durable";

    @ObjectClassDefinition(name = "Sink memory event log",
            description = "An event log and instance id store kept in memory. NOT DURABLE: every event, "
                    + "acknowledgement and instance id is lost when the bundle stops. For tests and demos.")
    public @interface Config {
        @AttributeDefinition(description = "Most unacknowledged events held; an append beyond fails with "
                + "EventLogFullException. Acknowledged events are forgotten at once (only the last event of each "
                + "key is kept).", min = "1")
        long maxEvents() default 100_000;
    }

    /** Copied on write: appends iterate a snapshot, binds and unbinds never wait for them. */
    private final List<EventLogListener> listeners = new CopyOnWriteArrayList<>();
    private volatile MemoryEventLog log;

    @Reference(name = "listeners", service = EventLogListener.class,
            cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addListener(EventLogListener listener) {
        listeners.add(listener);
    }

    void removeListener(EventLogListener listener) {
        listeners.remove(listener);
    }

    /**
     * Reads the configuration's raw properties through a {@link ConfigReader}, so an unparseable
     * value is refused naming the PID, the property and the value.
     */
    @Activate
    void activate(Map<String, Object> properties) {
        long maxEvents = maxEvents(properties);
        log = new MemoryEventLog(maxEvents, new SecureRandom(), this::notifyListeners);
        LOG.warn("memory event log started (maxEvents={}): it is NOT durable, everything it holds is lost when it "
                + "stops", maxEvents);
    }

    /**
     * A changed configuration, applied in place (the events held are kept): an invalid value is
     * refused with ONE error line naming the PID, the property, the value and why, and the log keeps
     * its previous limit.
     */
    @Modified
    void modified(Map<String, Object> properties) {
        long maxEvents;
        try {
            maxEvents = maxEvents(properties);
        } catch (IllegalArgumentException e) {
            LOG.error("{}; the memory event log keeps running with its previous configuration", e.getMessage());
            return;
        }
        log.maxEvents(maxEvents);
        LOG.info("{}: configuration applied, maxEvents={}", PID, maxEvents);
    }

    private static long maxEvents(Map<String, ?> properties) {
        return new ConfigReader(PID, properties).longValue("maxEvents", 100_000, 1, Long.MAX_VALUE);
    }

    @Deactivate
    void deactivate() {
        MemoryEventLog current = log;
        long lost = current.queueSize();
        current.close();
        if (lost > 0) {
            LOG.warn("memory event log stopped: {} unacknowledged events are lost", lost);
        }
    }

    private void notifyListeners(long sequence) {
        for (EventLogListener listener : listeners) { // a snapshot of the list
            try {
                listener.appended(this, sequence);
            } catch (RuntimeException e) {
                LOG.warn("the event log listener {} failed", listener, e);
            }
        }
    }

    @Override
    public long append(Event event) {
        return log.append(event);
    }

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        return log.appendNext(eventTypeId, schemaVersion, key, timestamp, eventData);
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
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        return log.countUnacknowledged(eventTypeIds, excludedTypeIds);
    }

    @Override
    public List<Event> lastEvents() {
        return log.lastEvents();
    }

    @Override
    public void adopt(List<Event> events, List<Event> lastEvents) {
        log.adopt(events, lastEvents);
    }

    @Override
    public long queueSize() {
        return log.queueSize();
    }

    @Override
    public Optional<Event> nextEvent() {
        return log.nextEvent();
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return log.instanceIds();
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        log.storeServerInstanceId(serverInstanceId);
    }

    @Override
    public String toString() {
        return "memory event log";
    }
}
