package io.sink.poller.internal;

import io.sink.api.InstanceId;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.EventLogListener;
import io.sink.api.client.ServerEventHandler;
import io.sink.api.Event;
import io.sink.api.Nack;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import io.sink.api.config.ConfigurationCheck;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.ComponentServiceObjects;
import org.osgi.framework.ServiceRegistration;
import io.sink.api.client.GroundEventLog;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.client.SinkClient;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerService;
import io.sink.poller.PollerStatus;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poller as a service. It is the client's {@link ClientHandler} (the transport's client binds
 * it): the instance ids come from the {@link InstanceIdStore}, and the connection going up or down
 * drives the {@link Poller}. It is also an {@link EventLogListener}, so an event logged is published
 * at once instead of at the next tick.
 *
 * <p>Publish results are taken from the futures that {@link SinkClient#publish} returns (which also
 * carry failures), so {@link #handleAck} and {@link #handleNack} are left to their defaults.
 *
 * <p>All three references are dynamic and greedy: the client and the event log may come, go or be
 * replaced (by changing {@code eventLog.target}) while the poller runs; the poller notices at its
 * next run and starts every stream again from the beginning of the new log.
 */
@Component(service = {ClientHandler.class, PollerService.class}, immediate = true,
        configurationPid = PollerService.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PollerComponent.Config.class)
public final class PollerComponent implements ClientHandler, PollerService {
    private static final Logger LOG = LoggerFactory.getLogger(PollerComponent.class);
    /** The store bound when no configuration says otherwise: any. */
    public static final String DEFAULT_STORE_TARGET = "(" + GroundEventLog.STORE_TYPE + "=*)";

    @ObjectClassDefinition(name = "Sink poller",
            description = "Publishes the client's unacknowledged events in order while connected and records "
                    + "the ACKs.")
    public @interface Config {
        @AttributeDefinition(description = "Most events in flight at once (1..4095). 1, as in the original, "
                + "waits for each ACK before the next event.", min = "1", max = "4095")
        int window() default 1;

        @AttributeDefinition(description = "Time between polls of the log, in milliseconds (at least 10). The "
                + "poller also wakes at once when an event is logged or an ACK frees the window.", min = "10")
        long periodMillis() default 5000;

        @AttributeDefinition(description = "Relative jitter of each period, 0 to below 1 (0.1 = +-10%).")
        double jitter() default 0.1;

        @AttributeDefinition(description = "Named streams, each name=type[,type...], e.g. readings=1 and "
                + "config=2,3. Each stream keeps its own order and share of the window, and a NACK parks only "
                + "its own stream. Types no stream claims go to the default stream.")
        String[] streams() default {};

        @AttributeDefinition(description = "Name of the stream that takes every event type no other stream "
                + "claims.")
        String defaultStream() default "default";

        @AttributeDefinition(description = "Streams to resume: each configuration update that lists a parked "
                + "stream resumes it (its NACKed events are sent again). Clear it after use.")
        String[] resume() default {};

        @AttributeDefinition(name = "Event log target", description = "Filter choosing the event log, e.g. "
                + "(sink.store.type=sqlite). Changing it swaps the log while running.")
        String eventLog_target() default DEFAULT_STORE_TARGET;

        @AttributeDefinition(name = "Instance id store target", description = "Filter choosing the instance "
                + "id store, e.g. (sink.store.type=sqlite).")
        String instanceIdStore_target() default DEFAULT_STORE_TARGET;
    }

    private final AtomicReference<SinkClient> client = new AtomicReference<>();
    private final AtomicReference<GroundEventLog> eventLog = new AtomicReference<>();
    private volatile String eventLogName = "none";
    private final AtomicReference<InstanceIdStore> instanceIdStore = new AtomicReference<>();

    private ScheduledExecutorService executor;
    private volatile Poller poller;

    /**
     * The client service is obtained lazily, on the poller's thread, never while DS binds this
     * component: the client component binds this one as its {@link ClientHandler}, so getting the
     * client service while either is being activated would be a service cycle.
     */
    private ComponentServiceObjects<SinkClient> clientObjects;

    @Reference(name = "client", service = SinkClient.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            unbind = "unbindClientObjects")
    synchronized void bindClientObjects(ComponentServiceObjects<SinkClient> objects) {
        releaseClient();
        clientObjects = objects;
        wake();
    }

    synchronized void unbindClientObjects(ComponentServiceObjects<SinkClient> objects) {
        if (clientObjects == objects) {
            releaseClient();
            clientObjects = null;
        }
        wake();
    }

    private void releaseClient() {
        SinkClient c = client.getAndSet(null);
        if (c != null && clientObjects != null) {
            clientObjects.ungetService(c);
        }
    }

    /** The client service, obtained on first use from the poller's thread. */
    private synchronized SinkClient currentClient() {
        SinkClient c = client.get();
        if (c == null && clientObjects != null) {
            c = clientObjects.getService();
            client.set(c);
        }
        return c;
    }

    /** Binds a client directly (tests without a framework). */
    void bindClient(SinkClient c) {
        client.set(c);
        wake();
    }

    @Reference(name = "eventLog", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = DEFAULT_STORE_TARGET)
    void bindEventLog(GroundEventLog log, Map<String, Object> properties) {
        eventLog.set(log);
        eventLogName = String.valueOf(properties.getOrDefault(GroundEventLog.STORE_TYPE, log.toString()));
        wake();
    }

    void unbindEventLog(GroundEventLog log) {
        if (eventLog.compareAndSet(log, null)) {
            eventLogName = "none";
        }
        wake();
    }

    @Reference(name = "instanceIdStore", policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = DEFAULT_STORE_TARGET)
    void bindInstanceIdStore(InstanceIdStore store) {
        instanceIdStore.set(store);
    }

    void unbindInstanceIdStore(InstanceIdStore store) {
        instanceIdStore.compareAndSet(store, null);
    }

    /**
     * The listener is registered by hand once the poller runs, not declared as a DS service: the event
     * log binds listeners while it activates, and a declared listener would need the log it is bound
     * to, a service cycle.
     */
    private ServiceRegistration<EventLogListener> listenerRegistration;

    @Activate
    void activate(BundleContext context, Config config, Map<String, Object> properties) {
        PollerSettings settings = settings(config, properties);
        ScheduledThreadPoolExecutor pool = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "sink-poller"));
        pool.setRemoveOnCancelPolicy(true); // cancelled ticks do not pile up in the queue
        pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // no waiting for the next tick to stop
        executor = pool;
        poller = new Poller(settings, this::currentClient, eventLog::get, executor, Clock.systemUTC(), new SecureRandom());
        poller.start();
        if (context != null) { // null in unit tests, which call appended() themselves
            listenerRegistration = context.registerService(EventLogListener.class, this::appended, null);
        }
        LOG.info("poller started: window {}, period {} ms, streams {}", settings.window(),
                settings.period().toMillis(), settings.streamNames());
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        Poller p = poller;
        PollerSettings settings;
        try {
            settings = settings(config, properties);
        } catch (IllegalArgumentException e) {
            // refused: one clear line instead of SCR's stack trace, and the poller carries on as it was
            PollerSettings current = p.settings();
            LOG.error("{}; the poller keeps running with its previous settings (window {}, period {} ms, streams {})",
                    e.getMessage(), current.window(), current.period().toMillis(), current.streamNames());
            return;
        }
        if (!settings.equals(p.settings())) {
            p.reconfigure(settings);
        }
        for (String stream : config.resume()) {
            if (stream != null && !stream.isBlank()) {
                p.resume(stream.trim()).whenComplete((was, failure) -> {
                    if (failure != null) {
                        LOG.warn("configuration {}: resume={} failed: {}", PID, stream, failure.getMessage());
                    } else if (!was) {
                        LOG.info("configuration {}: resume={}: the stream is not parked", PID, stream);
                    }
                });
            }
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        if (listenerRegistration != null) {
            try {
                listenerRegistration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the bundle is stopping: the framework unregistered it
            }
        }
        Poller p = poller;
        poller = null;
        try {
            p.close();
        } finally {
            executor.shutdown();
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("the poller thread did not stop within 10 s; interrupting it");
                executor.shutdownNow();
                executor.awaitTermination(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Checks the configuration; messages name the PID and the property. */
    static PollerSettings settings(Config config) {
        return settings(config, null);
    }

    /**
     * Checks the configuration; messages name the PID, the property and, for a value that is not
     * even of the property's type ({@code window = banana}), the value from {@code properties}.
     */
    static PollerSettings settings(Config config, Map<String, Object> properties) {
        try {
            ConfigurationCheck.requireReadable(Config.class, config, properties);
            filter("eventLog.target", config.eventLog_target());
            filter("instanceIdStore.target", config.instanceIdStore_target());
            PollerSettings settings = new PollerSettings(config.window(), Duration.ofMillis(config.periodMillis()),
                    config.jitter(), PollerSettings.parseStreams(config.streams()), config.defaultStream());
            for (String stream : config.resume()) {
                if (stream != null && !stream.isBlank() && !settings.streamNames().contains(stream.trim())) {
                    throw new IllegalArgumentException("resume: there is no stream '" + stream.trim()
                            + "'; the streams are " + String.join(", ", settings.streamNames()));
                }
            }
            return settings;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    private static void filter(String property, String filter) {
        try {
            FrameworkUtil.createFilter(filter);
        } catch (InvalidSyntaxException | NullPointerException e) {
            throw new IllegalArgumentException(property + " is not a valid filter: '" + filter + "'", e);
        }
    }

    private void wake() {
        Poller p = poller;
        if (p != null) {
            p.wake();
        }
    }

    // ------------------------------------------------------------------ ClientHandler

    @Override
    public ClientInstanceIds instanceIds() {
        return idStore().instanceIds();
    }

    @Override
    public void serverInstanceIdReceived(InstanceId serverInstanceId) {
        idStore().storeServerInstanceId(serverInstanceId);
    }

    private InstanceIdStore idStore() {
        InstanceIdStore store = instanceIdStore.get();
        if (store == null) {
            throw new IllegalStateException("no instance id store is available");
        }
        return store;
    }

    @Override
    public void connectionUp(String peer) {
        Poller p = poller;
        if (p != null) {
            p.connectionUp(peer);
        }
    }

    @Override
    public void connectionDown(String reason) {
        Poller p = poller;
        if (p != null) {
            p.connectionDown(reason);
        }
    }

    /** Handlers of server publishes, by event type ({@link ServerEventHandler#EVENT_TYPE}). */
    private final Map<Long, ServerEventHandler> serverEventHandlers = new ConcurrentHashMap<>();

    @Reference(name = "serverEventHandler", cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "unbindServerEventHandler")
    void bindServerEventHandler(ServerEventHandler handler, Map<String, Object> properties) {
        Long type = eventType(properties);
        if (type == null) {
            LOG.warn("ignoring a server event handler without a valid {} property: {}",
                    ServerEventHandler.EVENT_TYPE, io.sink.api.text.Printable.inline(
                            String.valueOf(properties.get(ServerEventHandler.EVENT_TYPE))));
            return;
        }
        serverEventHandlers.put(type, handler);
    }

    void unbindServerEventHandler(ServerEventHandler handler, Map<String, Object> properties) {
        Long type = eventType(properties);
        if (type != null) {
            serverEventHandlers.remove(type, handler);
        }
    }

    private static Long eventType(Map<String, Object> properties) {
        Object value = properties.get(ServerEventHandler.EVENT_TYPE);
        try {
            return value instanceof Number n ? n.longValue() : Long.parseUnsignedLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public CompletionStage<Optional<Nack>> handlePublish(Event event) {
        ServerEventHandler handler = serverEventHandlers.get(event.eventTypeId());
        if (handler == null) {
            return ClientHandler.super.handlePublish(event);
        }
        try {
            return handler.handle(event);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ------------------------------------------------------------------ EventLogListener

    /** An {@link EventLogListener}: events were logged, publish them now. */
    void appended(GroundEventLog log, long lastSequence) {
        Poller p = poller;
        if (p != null && log == eventLog.get()) {
            p.eventsAppended();
        }
    }

    // ------------------------------------------------------------------ PollerService

    @Override
    public PollerStatus status() {
        Optional<ClientInstanceIds> ids;
        try {
            InstanceIdStore store = instanceIdStore.get();
            ids = store == null ? Optional.empty() : Optional.of(store.instanceIds());
        } catch (RuntimeException e) {
            LOG.debug("cannot read the instance ids for the status", e);
            ids = Optional.empty();
        }
        return running().status(ids, eventLogName);
    }

    @Override
    public List<ParkedEvent> nacks() {
        return running().nacks();
    }

    @Override
    public boolean resume(String stream) {
        return running().resumeAndWait(stream);
    }

    private Poller running() {
        Poller p = poller;
        if (p == null) {
            throw new IllegalStateException("the poller is stopped");
        }
        return p;
    }
}
