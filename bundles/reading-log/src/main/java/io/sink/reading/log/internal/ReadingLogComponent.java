package io.sink.reading.log.internal;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.ReceivedEventStore;
import io.sink.api.server.ServerHandler;
import io.sink.api.server.SinkServer;
import java.time.Duration;
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


    private final LogExecutor logExecutor;
    private final ScheduledExecutorService closer;
    private final Withholding withholding;
    private final ReadingLogHandler handler;

    @Activate
    public ReadingLogComponent(BundleContext context, Config config) {
        String loggerName = config.loggerName() == null ? "" : config.loggerName().trim();
        if (loggerName.isEmpty()) {
            throw new IllegalArgumentException("configuration " + PID + ": loggerName must name a logger, got '"
                    + config.loggerName() + "'");
        }
        if (config.logQueueCapacity() < 1 || config.logQueueCapacity() > 1_000_000) {
            throw new IllegalArgumentException("configuration " + PID + ": logQueueCapacity must be between 1 and"
                    + " 1000000, got " + config.logQueueCapacity());
        }
        long closeDelay = config.storeFailureCloseDelayMillis();
        if (closeDelay < 0 || closeDelay > 3_600_000) {
            throw new IllegalArgumentException("configuration " + PID + ": storeFailureCloseDelayMillis must be"
                    + " between 0 and 3600000, got " + closeDelay);
        }
        LogLines lines = LogLines.of(LoggerFactory.getLogger(loggerName));
        this.logExecutor = new LogExecutor("sink-reading-log", config.logQueueCapacity(), lines);
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sink-reading-log-closer");
            t.setDaemon(true);
            return t;
        });
        scheduler.setRemoveOnCancelPolicy(true);
        this.closer = scheduler;
        this.withholding = new Withholding(closer, Duration.ofMillis(closeDelay), (clientId, reason) ->
                disconnect(context, clientId, reason));
        this.handler = new ReadingLogHandler(() -> store, logExecutor, lines, config.logGenericEvents(),
                withholding);
        long flushSeconds = ReadingLogHandler.REPEATED_WARNING_INTERVAL.toSeconds() / 6;
        closer.scheduleWithFixedDelay(handler::flushRepeated, flushSeconds, flushSeconds, TimeUnit.SECONDS);
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
    void deactivate() throws InterruptedException {
        closer.shutdownNow();
        withholding.close();
        closer.awaitTermination(30, TimeUnit.SECONDS);
        logExecutor.close();
    }

    @Override
    public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
        return handler.handlePublish(clientId, event);
    }

    @Override
    public void connectionUp(String clientId, String peer) {
        handler.connectionUp(clientId, peer);
    }

    @Override
    public void connectionDown(String clientId, String reason) {
        handler.connectionDown(clientId, reason);
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
