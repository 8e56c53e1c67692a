package io.sink.poller.internal;

import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.Outbox;
import io.sink.api.client.ServerEventHandler;
import io.sink.api.client.SinkClient;
import io.sink.api.config.ConfigurationCheck;
import io.sink.api.text.Printable;
import io.sink.poller.ParkedEvent;
import io.sink.poller.PollerService;
import io.sink.poller.PollerStatus;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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
 * The poller as a service: the client's {@link ClientHandler} (the transport's client binds it and
 * hands it the {@link SinkClient} when a connection is up, so the poller binds no client and there is
 * no cycle) and the {@link PollerService}. It binds the {@link Outbox} only: the instance ids come from
 * there, events are drained from there, and the outbox tells it about appends and store swaps. The
 * rules are in {@link Delivery}, run by a {@link Poller} on the one thread this component owns.
 */
@Component(service = {ClientHandler.class, PollerService.class}, immediate = true,
        configurationPid = PollerService.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = PollerComponent.Config.class)
public final class PollerComponent implements ClientHandler, PollerService {
    private static final Logger LOG = LoggerFactory.getLogger(PollerComponent.class);

    @ObjectClassDefinition(name = "Sink poller",
            description = "Publishes the client's unacknowledged events in order while connected and records "
                    + "the ACKs.")
    public @interface Config {
        @AttributeDefinition(description = "Most events in flight at once (1..4095). The default drains a "
                + "backlog at the server's storage rate; 1, as in the original, waits for each ACK before the next "
                + "event.", min = "1", max = "4095")
        int window() default 1000;

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

    }

    private final Outbox outbox;
    private final ScheduledThreadPoolExecutor executor;
    private final Poller poller;
    private AutoCloseable listening;

    @Activate
    public PollerComponent(@Reference Outbox outbox, Config config, Map<String, Object> properties) {
        this.outbox = outbox;
        PollerSettings settings = settings(config, properties);
        executor = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "sink-poller"));
        executor.setRemoveOnCancelPolicy(true); // cancelled ticks do not pile up in the queue
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // no waiting for the next tick to stop
        poller = new Poller(settings, outbox, executor, Clock.systemUTC(), new SecureRandom());
        listening = outbox.listen(generation -> poller.outboxChanged());
        poller.start();
        LOG.info("poller started: window {}, period {} ms, streams {}", settings.window(),
                settings.period().toMillis(), settings.streamNames());
    }

    @Modified
    void modified(Config config, Map<String, Object> properties) {
        PollerSettings settings;
        try {
            settings = settings(config, properties);
        } catch (IllegalArgumentException e) {
            // refused: one clear line instead of SCR's stack trace, and the poller carries on as it was
            PollerSettings current = poller.settings();
            LOG.error("{}; the poller keeps running with its previous settings (window {}, period {} ms, streams {})",
                    e.getMessage(), current.window(), current.period().toMillis(), current.streamNames());
            return;
        }
        if (!settings.equals(poller.settings())) {
            poller.reconfigure(settings);
        }
        for (String stream : config.resume()) {
            if (stream != null && !stream.isBlank()) {
                CompletableFuture.supplyAsync(() -> poller.resume(stream.trim())).whenComplete((was, failure) -> {
                    if (failure != null) {
                        LOG.warn("configuration {}: resume={} failed: {}", PID, Printable.inline(stream),
                                failure.getMessage());
                    } else if (!was) {
                        LOG.info("configuration {}: resume={}: the stream is not parked", PID, Printable.inline(stream));
                    }
                });
            }
        }
    }

    @Deactivate
    void deactivate() throws Exception {
        try {
            listening.close();
            poller.close();
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
            PollerSettings settings = new PollerSettings(config.window(), Duration.ofMillis(config.periodMillis()),
                    config.jitter(), PollerSettings.parseStreams(config.streams()), config.defaultStream());
            for (String stream : config.resume()) {
                if (stream != null && !stream.isBlank() && !settings.streamNames().contains(stream.trim())) {
                    throw new IllegalArgumentException("resume: there is no stream " + Printable.quoted(stream.trim())
                            + "; the streams are " + String.join(", ", settings.streamNames()));
                }
            }
            return settings;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("configuration " + PID + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ ClientHandler

    @Override
    public ClientInstanceIds instanceIds() {
        return outbox.instanceIds();
    }

    @Override
    public void serverInstanceIdReceived(InstanceId serverInstanceId) {
        outbox.storeServerInstanceId(serverInstanceId);
    }

    @Override
    public void connectionUp(SinkClient client) {
        poller.connectionUp(client);
    }

    @Override
    public void connectionDown(String reason) {
        poller.connectionDown(reason);
    }

    /** Handlers of server publishes, by event type. */
    private final ServerEvents serverEvents = new ServerEvents();

    @Reference(name = "serverEventHandler", cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, unbind = "unbindServerEventHandler")
    void bindServerEventHandler(ServerEventHandler handler, Map<String, Object> properties) {
        serverEvents.add(handler, properties);
    }

    void unbindServerEventHandler(ServerEventHandler handler, Map<String, Object> properties) {
        serverEvents.remove(handler, properties);
    }

    @Override
    public CompletionStage<Optional<Nack>> handlePublish(Event event) {
        return serverEvents.handle(event).orElseGet(() -> ClientHandler.super.handlePublish(event));
    }

    // ------------------------------------------------------------------ PollerService

    @Override
    public PollerStatus status() {
        Optional<ClientInstanceIds> ids;
        try {
            ids = Optional.of(outbox.instanceIds());
        } catch (RuntimeException e) {
            LOG.debug("cannot read the instance ids for the status", e);
            ids = Optional.empty();
        }
        return poller.status(ids);
    }

    @Override
    public List<ParkedEvent> nacks() {
        return poller.nacks();
    }

    @Override
    public boolean resume(String stream) {
        return poller.resume(stream);
    }
}
