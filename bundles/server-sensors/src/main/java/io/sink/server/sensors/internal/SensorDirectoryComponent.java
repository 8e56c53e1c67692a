package io.sink.server.sensors.internal;

import io.sink.api.config.ConfigReader;
import io.sink.api.config.Reconfigurable;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.SinkServer;
import io.sink.api.server.sensors.SensorDirectory;
import io.sink.api.server.sensors.SensorException;
import io.sink.api.server.sensors.ServerSensor;
import io.sink.server.sensors.storage.SensorStorage;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
 * The {@link SensorDirectory} as a service: a {@link SensorOutbox} in the {@link SensorStorage}
 * chosen by {@code storage.target} (the SQLite file of {@link SqliteSensorStorageComponent} by default,
 * or PostgreSQL, which several server nodes share) and a {@link SensorPublisher} that sends each
 * connected client its pending events through the {@link SinkServer}. With a shared storage, a sensor
 * changed through one node is published by the node the client is connected to, at its next check.
 */
@Component(service = SensorDirectory.class, configurationPid = SensorDirectoryComponent.PID,
        configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = SensorDirectoryComponent.Config.class)
public final class SensorDirectoryComponent implements SensorDirectory {
    /** Configuration PID. */
    public static final String PID = "io.sink.server.sensors";
    /** The storage used unless {@code storage.target} says otherwise: the SQLite file. */
    public static final String DEFAULT_STORAGE_TARGET = "(" + SensorStorage.STORAGE_TYPE + "="
            + SqliteSensorStorageComponent.STORAGE_TYPE + ")";

    @ObjectClassDefinition(id = PID, name = "Sink server sensors",
            description = "The sensors the server configures on its clients: a durable outgoing log of"
                    + " sensor-configuration events per client, sent in order until ACKed.")
    public @interface Config {
        @AttributeDefinition(name = "Database path", description = "The SQLite database file; a relative path is"
                + " resolved against the framework property sink.data.dir (./data when it is not set).")
        String path() default "server/sensors.db";

        @AttributeDefinition(name = "Journal mode", description = "WAL, DELETE, TRUNCATE or PERSIST.")
        String journalMode() default "WAL";

        @AttributeDefinition(name = "Synchronous", description = "FULL, EXTRA, NORMAL or OFF.")
        String synchronous() default "FULL";

        @AttributeDefinition(name = "Check interval (ms)", description = "How often the clients with pending"
                + " events are checked for a connection, 10 to 60000.")
        long pollMillis() default 500;

        @AttributeDefinition(name = "Answer timeout (ms)", description = "An event not answered within this is"
                + " sent again later, 1000 to 3600000.")
        long publishTimeoutMillis() default 30_000;

        @AttributeDefinition(name = "Storage", description = "Where the sensors and the outgoing log are kept:"
                + " (sink.sensors.storage=sqlite) for the SQLite file of the properties above, or"
                + " (sink.sensors.storage=postgresql) for the PostgreSQL database of PID"
                + " io.sink.server.store.postgresql, which several server nodes can share.")
        String storage_target() default DEFAULT_STORAGE_TARGET;
    }

    /** A validated configuration (the storage's properties are validated by the storage). */
    record Settings(long pollMillis, long publishTimeoutMillis) {
    }

    /** What runs with one configuration. */
    private record Open(SensorOutbox outbox, ScheduledExecutorService executor, SensorPublisher publisher) {
        void close() {
            publisher.close();
            executor.shutdown();
            try {
                executor.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SensorDirectoryComponent.class);

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile SinkServer server;

    /** Which clients the server admits; without one (no server-auth), any client id is taken. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile ClientAuthenticator authenticator;

    private final SensorStorage storage;
    private final Reconfigurable<Settings, Open> running;

    @Activate
    public SensorDirectoryComponent(
            @Reference(name = "storage", target = DEFAULT_STORAGE_TARGET) SensorStorage storage,
            Map<String, Object> properties) {
        this.storage = storage;
        this.running = new Reconfigurable<>(PID, "the sensor directory", properties, SensorDirectoryComponent::settings,
                this::open, Open::close, LOG::error, LOG::info);
    }

    /** Validates the directory's own properties; messages name the PID, the property and the value. */
    static Settings settings(Map<String, ?> properties) {
        ConfigReader config = new ConfigReader(PID, properties);
        long poll = config.longValue("pollMillis", 500, 10, 60_000);
        long timeout = config.longValue("publishTimeoutMillis", 30_000, 1_000, 3_600_000);
        return new Settings(poll, timeout);
    }

    private Open open(Settings settings) {
        SensorOutbox outbox = new SensorOutbox(storage, Clock.systemUTC(), UUID::randomUUID, this::admitted);
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sink-sensor-publisher");
            t.setDaemon(true);
            return t;
        });
        SensorPublisher publisher = new SensorPublisher(outbox, () -> server, executor, settings.pollMillis(),
                settings.publishTimeoutMillis());
        LOG.info("{} open: pending events are checked every {} ms", outbox.description(), settings.pollMillis());
        return new Open(outbox, executor, publisher);
    }

    private boolean admitted(String clientId) {
        ClientAuthenticator a = authenticator;
        return a == null || a.isAdmitted(clientId);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        running.modified(properties);
    }

    @Deactivate
    void deactivate() {
        running.close();
    }

    private SensorOutbox outbox() {
        return running.current().outbox();
    }

    private ServerSensor changed(ServerSensor sensor) {
        running.current().publisher().wake(sensor.clientId());
        return sensor;
    }

    @Override
    public List<String> kinds() {
        return SensorOutbox.KINDS;
    }

    @Override
    public List<ServerSensor> sensors(String clientId) throws SensorException {
        return outbox().sensors(clientId);
    }

    @Override
    public Optional<ServerSensor> sensor(String clientId, UUID sensorId) throws SensorException {
        return outbox().sensor(clientId, sensorId);
    }

    @Override
    public ServerSensor add(String clientId, String name, String kind, long periodMillis) throws SensorException {
        return changed(outbox().add(clientId, name, kind, periodMillis));
    }

    @Override
    public ServerSensor rename(String clientId, UUID sensorId, String name) throws SensorException {
        return changed(outbox().rename(clientId, sensorId, name));
    }

    @Override
    public ServerSensor changePeriod(String clientId, UUID sensorId, long periodMillis) throws SensorException {
        return changed(outbox().changePeriod(clientId, sensorId, periodMillis));
    }

    @Override
    public ServerSensor remove(String clientId, UUID sensorId) throws SensorException {
        return changed(outbox().remove(clientId, sensorId));
    }

    @Override
    public int resume(String clientId) throws SensorException {
        int dropped = outbox().resume(clientId);
        running.current().publisher().wake(clientId);
        return dropped;
    }
}
