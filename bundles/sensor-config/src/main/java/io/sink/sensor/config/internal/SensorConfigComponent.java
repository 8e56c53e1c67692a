package io.sink.sensor.config.internal;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.client.ServerEventHandler;
import io.sink.protocol.etf.SensorConfigCodec;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * The client's handler of sensor-configuration events (event type 2): a {@link ServerEventHandler}
 * whiteboard service over a {@link SensorConfigApplier}, with one thread of its own for the
 * Configuration Admin calls (the handler is called on a network thread).
 */
@Component(service = ServerEventHandler.class,
        property = ServerEventHandler.EVENT_TYPE + ":Long=" + SensorConfigCodec.EVENT_TYPE_ID)
public final class SensorConfigComponent implements ServerEventHandler {
    private final ExecutorService executor;
    private final SensorConfigApplier applier;

    @Activate
    public SensorConfigComponent(@Reference ConfigurationAdmin configAdmin) {
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sink-sensor-config");
            t.setDaemon(true);
            return t;
        });
        this.applier = new SensorConfigApplier(configAdmin, executor);
    }

    @Override
    public CompletionStage<Optional<Nack>> handle(Event event) {
        return applier.handle(event);
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        executor.shutdown();
        executor.awaitTermination(10, TimeUnit.SECONDS);
    }
}
