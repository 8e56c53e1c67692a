package io.sink.sensor.config.internal;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.RetryLaterException;
import io.sink.api.text.Printable;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.etf.SensorConfig;
import io.sink.protocol.etf.SensorConfigCodec;
import java.io.IOException;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the server's sensor-configuration events ({@link SensorConfigCodec}) through
 * Configuration Admin: the sensor with uuid {@code U} is the named factory configuration
 * {@code io.sink.sensor.simulated~U} (so one sensor is one configuration whatever happens), with
 * {@code name = U} (the readings' key), {@code label} (the display name),
 * {@code periodMillis}, and {@code sink.sensor.origin = server}.
 *
 * <ul>
 * <li>An add or change creates or updates it; a removal deletes it. Configuration Admin stores a
 * configuration before {@code update} returns, so the event is durable before it is ACKed.</li>
 * <li>Applying an event twice changes nothing: an update whose properties are there already is not
 * made, a removal of a missing sensor does nothing.</li>
 * <li>Refused for good (NACK): an undecodable event ({@code malformed}), a schema other than 1
 * ({@code unsupported_schema}), a kind other than {@code simulated} ({@code unsupported_kind}), a
 * period below the simulated sensor's 10 ms ({@code unsupported_period}).</li>
 * <li>Configuration Admin failing (I/O) is not a refusal: the stage fails with a
 * {@link RetryLaterException}, the event is not answered and the server sends it again after
 * reconnecting.</li>
 * </ul>
 * The work runs on {@code executor} (one thread: events are applied in the order they came).
 */
final class SensorConfigApplier {
    private static final Logger LOG = LoggerFactory.getLogger(SensorConfigApplier.class);

    /** The simulated sensor's factory PID (bundle io.sink.sensor). */
    static final String FACTORY_PID = "io.sink.sensor.simulated";
    /** Property marking where a sensor's configuration came from. */
    static final String ORIGIN = "sink.sensor.origin";
    /** Property holding a server-configured sensor's uuid. */
    static final String SENSOR_ID = "sink.sensor.id";
    /** Property holding a server-configured sensor's display name. */
    static final String LABEL = "label";
    static final String SERVER = "server";
    static final String SIMULATED = "simulated";
    /** The simulated sensor's shortest period. */
    static final int MIN_PERIOD_MILLIS = 10;

    private final ConfigurationAdmin configAdmin;
    private final Executor executor;

    SensorConfigApplier(ConfigurationAdmin configAdmin, Executor executor) {
        this.configAdmin = Objects.requireNonNull(configAdmin, "configAdmin");
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** Applies one event: completes empty once applied (ACK), with a NACK when refused. */
    CompletionStage<Optional<Nack>> handle(Event event) {
        if (event.schemaVersion() != SensorConfigCodec.SCHEMA_VERSION) {
            return refuse(event, "unsupported_schema", "sensor-configuration schema "
                    + Long.toUnsignedString(event.schemaVersion()) + " is not supported; this client reads schema "
                    + SensorConfigCodec.SCHEMA_VERSION);
        }
        UUID id;
        SensorConfig config;
        try {
            id = SensorConfigCodec.sensorId(event);
            config = SensorConfigCodec.decode(event.eventData());
        } catch (ProtocolException e) {
            return refuse(event, "malformed", e.getMessage());
        }
        if (config.op() != SensorConfig.Op.REMOVE) {
            if (!SIMULATED.equals(config.kind())) {
                return refuse(event, "unsupported_kind", "sensor kind " + Printable.quoted(config.kind())
                        + " is not supported; this client runs: " + SIMULATED);
            }
            if (config.periodMillis() < MIN_PERIOD_MILLIS) {
                return refuse(event, "unsupported_period", "period_ms " + config.periodMillis()
                        + " is below the simulated sensor's shortest period, " + MIN_PERIOD_MILLIS + " ms");
            }
        }
        CompletableFuture<Optional<Nack>> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    apply(id, config);
                    done.complete(Optional.empty());
                } catch (IOException | RuntimeException e) {
                    LOG.warn("cannot apply sensor event {} now (Configuration Admin: {}); the server sends it again",
                            event.ackKey(), Printable.inline(String.valueOf(e.getMessage())));
                    done.completeExceptionally(new RetryLaterException("Configuration Admin could not store sensor "
                            + id + ": " + e.getMessage(), e));
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new RetryLaterException("the sensor configuration is stopping", e));
        }
        return done;
    }

    private static CompletionStage<Optional<Nack>> refuse(Event event, String machine, String human) {
        LOG.warn("refusing sensor event {}: {}: {}", event.ackKey(), machine, Printable.inline(human));
        return CompletableFuture.completedFuture(Optional.of(Nack.of(machine, human)));
    }

    /** The wanted properties of sensor {@code id}. */
    static Map<String, Object> properties(UUID id, SensorConfig config) {
        return Map.of("name", id.toString(), LABEL, config.name(), "periodMillis", (long) config.periodMillis(),
                SENSOR_ID, id.toString(), ORIGIN, SERVER);
    }

    /** Applies {@code config} to sensor {@code id}; returns whether anything changed. */
    boolean apply(UUID id, SensorConfig config) throws IOException {
        String pid = FACTORY_PID + "~" + id;
        Configuration existing = find(pid);
        if (config.op() == SensorConfig.Op.REMOVE) {
            if (existing == null) {
                LOG.info("server sensor {} is not configured here; nothing to remove", id);
                return false;
            }
            existing.delete();
            LOG.info("server sensor {} removed", id);
            return true;
        }
        Map<String, Object> wanted = properties(id, config);
        if (existing != null && same(existing.getProperties(), wanted)) {
            LOG.info("server sensor {} is configured as asked already", id);
            return false;
        }
        Configuration configuration = existing != null ? existing
                : configAdmin.getFactoryConfiguration(FACTORY_PID, id.toString(), "?");
        configuration.update(new Hashtable<>(wanted));
        LOG.info("server sensor {} ({}) {}: a reading every {} ms", id, Printable.quoted(config.name()),
                existing == null ? "added" : "changed", config.periodMillis());
        return true;
    }

    private Configuration find(String pid) throws IOException {
        try {
            Configuration[] found = configAdmin.listConfigurations("(service.pid=" + pid + ")");
            return found == null || found.length == 0 ? null : found[0];
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException("filter for " + pid + " is invalid", e);
        }
    }

    private static boolean same(Dictionary<String, Object> actual, Map<String, Object> wanted) {
        if (actual == null) {
            return false;
        }
        for (Map.Entry<String, Object> e : wanted.entrySet()) {
            Object value = actual.get(e.getKey());
            if (value == null || !value.toString().equals(e.getValue().toString())) {
                return false;
            }
        }
        return true;
    }
}
