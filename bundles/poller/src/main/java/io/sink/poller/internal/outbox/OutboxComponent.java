package io.sink.poller.internal.outbox;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.client.Outbox;
import io.sink.api.text.Printable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osgi.framework.Constants;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
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
 * The client's {@link Outbox}: the only component that binds the event logs and instance id stores.
 * It sees every one registered (0..n) and selects by its own {@code eventLog.target} and
 * {@code instanceIdStore.target}, so changing a target is a swap ({@link ClientOutbox#use}) that
 * producers and the poller see at once, and a bad filter is refused in one line while the previous
 * selection stays. (The references are named {@code eventLogs} and {@code instanceIdStores}, so SCR
 * does not apply those properties as its own target filters, which would unbind the old store
 * before the new one is bound and leave nothing to migrate from.)
 */
@Component(service = Outbox.class, configurationPid = Outbox.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        immediate = true)
@Designate(ocd = OutboxComponent.Config.class)
public final class OutboxComponent implements Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(OutboxComponent.class);
    /** The store selected when no configuration says otherwise: any. */
    public static final String ANY_STORE = "(" + GroundEventLog.STORE_TYPE + "=*)";

    @ObjectClassDefinition(name = "Sink client outbox", description = "The store the client's events are "
            + "logged in and delivered from. Changing eventLog.target swaps the store while running: the events "
            + "not yet acknowledged move to the new store, and offsets continue.")
    public @interface Config {
        @AttributeDefinition(name = "Event log target", description = "Filter choosing the event log, e.g. "
                + "(sink.store.type=sqlite) or (sink.store.type=memory).")
        String eventLog_target() default ANY_STORE;

        @AttributeDefinition(name = "Instance id store target", description = "Filter choosing the instance id "
                + "store, e.g. (sink.store.type=sqlite). Keep it on a durable store: a new client instance id is "
                + "refused by the server (instance_id_mismatch).")
        String instanceIdStore_target() default ANY_STORE;
    }

    private final ClientOutbox outbox = new ClientOutbox();
    private final Map<GroundEventLog, Map<String, Object>> logs = new ConcurrentHashMap<>();
    private final Map<InstanceIdStore, Map<String, Object>> idStores = new ConcurrentHashMap<>();
    private Filter logTarget = filter(ANY_STORE);
    private Filter idTarget = filter(ANY_STORE);
    private boolean active;

    @Reference(name = "eventLogs", cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            unbind = "unbindEventLog")
    synchronized void bindEventLog(GroundEventLog log, Map<String, Object> properties) {
        logs.put(log, Map.copyOf(properties));
        select();
    }

    synchronized void unbindEventLog(GroundEventLog log) {
        logs.remove(log);
        select(); // a replacement takes over the leaving log's events (it is still usable during unbind)
        outbox.release(log);
    }

    @Reference(name = "instanceIdStores", cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "unbindInstanceIdStore")
    synchronized void bindInstanceIdStore(InstanceIdStore store, Map<String, Object> properties) {
        idStores.put(store, Map.copyOf(properties));
        select();
    }

    synchronized void unbindInstanceIdStore(InstanceIdStore store) {
        idStores.remove(store);
        select();
    }

    @Activate
    synchronized void activate(Map<String, Object> properties) {
        active = true;
        configure(properties);
    }

    @Modified
    synchronized void modified(Map<String, Object> properties) {
        configure(properties);
    }

    @Deactivate
    synchronized void deactivate() {
        active = false;
        outbox.use(null, null);
        outbox.useInstanceIds(null);
    }

    /** Takes the targets; a bad one is refused in one line and the previous one stays. */
    private void configure(Map<String, Object> properties) {
        logTarget = target(properties, "eventLog.target", logTarget);
        idTarget = target(properties, "instanceIdStore.target", idTarget);
        select();
    }

    private static Filter target(Map<String, Object> properties, String property, Filter previous) {
        Object value = properties.getOrDefault(property, ANY_STORE);
        try {
            return FrameworkUtil.createFilter(String.valueOf(value));
        } catch (InvalidSyntaxException e) {
            LOG.error("configuration {}: {} is not a valid filter: {} ({}); the outbox keeps {}", PID, property,
                    Printable.quoted(String.valueOf(value)), Printable.inline(String.valueOf(e.getMessage())),
                    previous);
            return previous;
        }
    }

    private static Filter filter(String text) {
        try {
            return FrameworkUtil.createFilter(text);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** Binds the best matching store of each kind: highest service.ranking, then oldest service.id. */
    private void select() {
        if (!active) {
            return;
        }
        outbox.useInstanceIds(best(idStores, idTarget));
        GroundEventLog log = best(logs, logTarget);
        if (log == outbox.current()) {
            return;
        }
        String name = log == null ? "none" : String.valueOf(logs.get(log).getOrDefault(GroundEventLog.STORE_TYPE,
                log.toString()));
        try {
            outbox.use(log, name).ifPresent(s -> LOG.info("outbox: event log {} -> {} ({} unacknowledged events "
                    + "moved, offsets of {} keys continued)", s.from(), s.to(), s.moved(), s.lastEvents()));
        } catch (RuntimeException e) {
            LOG.error("configuration {}: cannot swap the event log to {}: {}; the outbox keeps {}", PID, name,
                    Printable.inline(String.valueOf(e.getMessage())), outbox.storeName());
        }
    }

    private static <S> S best(Map<S, Map<String, Object>> candidates, Filter target) {
        S best = null;
        Map<String, Object> bestProps = null;
        for (Map.Entry<S, Map<String, Object>> c : candidates.entrySet()) {
            Map<String, Object> p = c.getValue();
            if (target.matches(p) && (best == null || better(p, bestProps))) {
                best = c.getKey();
                bestProps = p;
            }
        }
        return best;
    }

    private static boolean better(Map<String, Object> a, Map<String, Object> b) {
        int ra = a.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
        int rb = b.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
        if (ra != rb) {
            return ra > rb;
        }
        long ia = a.get(Constants.SERVICE_ID) instanceof Long l ? l : Long.MAX_VALUE;
        long ib = b.get(Constants.SERVICE_ID) instanceof Long l ? l : Long.MAX_VALUE;
        return ia < ib;
    }

    // ------------------------------------------------------------------ Outbox, delegated

    @Override
    public LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp,
            byte[] eventData) {
        return outbox.appendNext(eventTypeId, schemaVersion, key, timestamp, eventData);
    }

    @Override
    public Optional<Event> lastEvent(long eventTypeId, byte[] key) {
        return outbox.lastEvent(eventTypeId, key);
    }

    @Override
    public List<Event> lastEvents(long eventTypeId) {
        return outbox.lastEvents(eventTypeId);
    }

    @Override
    public List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit) {
        return outbox.unacknowledged(eventTypeIds, excludedTypeIds, afterSequence, limit);
    }

    @Override
    public void acknowledge(Collection<AckKey> ackKeys) {
        outbox.acknowledge(ackKeys);
    }

    @Override
    public long queueSize() {
        return outbox.queueSize();
    }

    @Override
    public long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds) {
        return outbox.countUnacknowledged(eventTypeIds, excludedTypeIds);
    }

    @Override
    public Optional<Event> nextEvent() {
        return outbox.nextEvent();
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return outbox.instanceIds();
    }

    @Override
    public void storeServerInstanceId(InstanceId serverInstanceId) {
        outbox.storeServerInstanceId(serverInstanceId);
    }

    @Override
    public long generation() {
        return outbox.generation();
    }

    @Override
    public String storeName() {
        return outbox.storeName();
    }

    @Override
    public AutoCloseable listen(Listener listener) {
        return outbox.listen(listener);
    }
}
