package io.sink.reading.log.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ServerHandler;
import io.sink.api.server.SinkServer;
import io.sink.api.config.ConfigReader;
import io.sink.api.config.Reconfigurable;
import java.time.Duration;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
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
import org.slf4j.LoggerFactory;

/**
 * The reading log as the server's {@link ServerHandler} (the whiteboard service the transport
 * binds): stores every received event through the {@link ReceivedEventStore} before it is ACKed and
 * logs it. The store is a dynamic, greedy reference: a better-ranked store, or the one chosen with
 * {@code store.target}, replaces the current one while the server runs.
 */
@Component(service = ServerHandler.class, configurationPid = ReadingLogComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ReadingLogComponent.Config.class)
public final class ReadingLogComponent implements ServerHandler {
    /** Configuration PID. */
    public static final String PID = "io.sink.reading.log";

    @ObjectClassDefinition(id = PID, name = "Sink reading log",
            description = "Stores each event received from a client before it is ACKed, refuses undecodable sensor"
                    + " readings, and logs one line per reading.")
    public @interface Config {
        @AttributeDefinition(name = "Store", description = "Filter choosing the ReceivedEventStore, e.g."
                + " (sink.store.type=sqlite).")
        String store_target() default "(objectClass=io.sink.api.server.ReceivedEventStore)";

        @AttributeDefinition(name = "Logger name", description = "The SLF4J logger the lines are written to.")
        String loggerName() default "io.sink.readings";

        @AttributeDefinition(name = "Log other events", description = "Whether events that are not sensor"
                + " readings (event type 1, schema 1) get a line (type, schema, key, offset, timestamp, size).")
        boolean logGenericEvents() default true;

        @AttributeDefinition(name = "Log queue", description = "Lines that may wait for the logging thread,"
                + " 1 to 1000000; beyond, lines are dropped (and counted) rather than slow down delivery.")
        int logQueueCapacity() default 10_000;

        @AttributeDefinition(name = "Close delay after a storage failure (ms)", description = "When an event"
                + " cannot be stored for now (disk full, store failing, over quota, no store), it is not answered"
                + " (a NACK would park the client's stream) and the client's connection is closed this long after,"
                + " 0 to 3600000; the client reconnects and sends it again. Also the pace of its retries.")
        long storeFailureCloseDelayMillis() default 5_000;
    }

    @Reference(name = "store", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ReceivedEventStore store;


    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(ReadingLogComponent.class);

    /** The validated configuration (the store's target is SCR's). */
    record Settings(String loggerName, boolean logGenericEvents, int logQueueCapacity, Duration closeDelay) {
    }

    /** What runs with one configuration: the log thread, the closer, the withholding and the handler. */
    private record Running(LogExecutor logExecutor, ScheduledExecutorService closer, Withholding withholding,
            ReadingLogHandler handler) {
        void close() {
            closer.shutdownNow();
            withholding.close();
            try {
                closer.awaitTermination(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            logExecutor.close();
        }
    }

    private final BundleContext context;
    private final Reconfigurable<Settings, Running> running;

    /**
     * @throws IllegalArgumentException naming the PID, the property, the value and why, when the
     *                                  configuration is invalid
     */
    @Activate
    public ReadingLogComponent(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        this.running = new Reconfigurable<>(PID, "the reading log", properties, ReadingLogComponent::settings,
                this::start, Running::close, LOG::error, LOG::info);
    }

    /**
     * A changed configuration, applied without deactivating the component (which would take the
     * server's handler away): an invalid value is refused with ONE error line naming the PID, the
     * property, the value and why, and the reading log keeps running as it was; a valid change
     * restarts its log thread with it. A changed {@code store.target} is SCR's (a dynamic reference).
     */
    @Modified
    void modified(Map<String, Object> properties) {
        running.modified(properties);
    }

    /** Validates the configuration's raw properties. */
    static Settings settings(Map<String, ?> properties) {
        ConfigReader config = new ConfigReader(PID, properties);
        String loggerName = config.nonBlankText("loggerName", "io.sink.readings");
        boolean generic = config.booleanValue("logGenericEvents", true);
        int capacity = config.intValue("logQueueCapacity", 10_000, 1, 1_000_000);
        long closeDelay = config.longValue("storeFailureCloseDelayMillis", 5_000, 0, 3_600_000);
        return new Settings(loggerName, generic, capacity, Duration.ofMillis(closeDelay));
    }

    private Running start(Settings settings) {
        LogLines lines = LogLines.of(LoggerFactory.getLogger(settings.loggerName()));
        LogExecutor logExecutor = new LogExecutor("sink-reading-log", settings.logQueueCapacity(), lines);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sink-reading-log-closer");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        Withholding withholding = new Withholding(scheduler, settings.closeDelay(), (clientId, reason) ->
                disconnect(context, clientId, reason));
        ReadingLogHandler handler = new ReadingLogHandler(() -> store, logExecutor, lines,
                settings.logGenericEvents(), withholding);
        long flushSeconds = ReadingLogHandler.REPEATED_WARNING_INTERVAL.toSeconds() / 6;
        scheduler.scheduleWithFixedDelay(handler::flushRepeated, flushSeconds, flushSeconds, TimeUnit.SECONDS);
        return new Running(logExecutor, scheduler, withholding, handler);
    }

    /** The configuration it runs with. */
    Settings settings() {
        return running.settings();
    }

    private ReadingLogHandler handler() {
        return running.current().handler();
    }

    /**
     * Closes a client's connection through the {@link SinkServer} service, looked up when needed: a
     * DS reference to it would form a cycle with the server's reference to this handler (SCR reports
     * "ServiceFactory.getService() resulted in a cycle" at activation).
     */
    private static boolean disconnect(BundleContext context, String clientId, String reason) {
        if (context == null) {
            return false;
        }
        ServiceReference<SinkServer> ref = context.getServiceReference(SinkServer.class);
        if (ref == null) {
            return false;
        }
        SinkServer server = context.getService(ref);
        try {
            return server != null && server.disconnect(clientId, reason);
        } finally {
            if (server != null) {
                context.ungetService(ref);
            }
        }
    }

    @Deactivate
    void deactivate() {
        running.close();
    }

    @Override
    public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
        return handler().handlePublish(clientId, event);
    }

    @Override
    public List<CompletionStage<Optional<Nack>>> handlePublishes(String clientId, List<Event> events) {
        return handler().handlePublishes(clientId, events);
    }

    @Override
    public void connectionUp(String clientId, String peer) {
        handler().connectionUp(clientId, peer);
    }

    @Override
    public void connectionDown(String clientId, String reason) {
        handler().connectionDown(clientId, reason);
    }

    @Override
    public void handleAck(String clientId, AckKey ackKey) {
        // this server publishes nothing to its clients
    }

    @Override
    public void handleNack(String clientId, AckKey ackKey, Nack nack) {
        // this server publishes nothing to its clients
    }
}
