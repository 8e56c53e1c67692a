package io.sink.api.server.sensors;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A sensor the server configured on a client, as the server last asked for it.
 *
 * @param clientId     the client (its certificate's id)
 * @param id           the sensor's key on the wire and in readings
 * @param name         display name (a label on readings)
 * @param kind         sensor kind, e.g. {@code simulated}
 * @param periodMillis sampling period
 * @param removed      a removal was requested
 * @param delivery     where the latest change to this sensor stands
 * @param nackReason   the client's reason when {@code delivery} is {@link Delivery#NACKED}
 */
public record ServerSensor(String clientId, UUID id, String name, String kind, long periodMillis,
        boolean removed, Delivery delivery, Optional<String> nackReason) {

    public ServerSensor {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(nackReason, "nackReason");
    }

    /** Delivery state of the latest change to a sensor. */
    public enum Delivery {
        /** Stored in the client's outgoing log, not yet sent on a connection. */
        QUEUED,
        /** Sent, no answer yet. */
        SENT,
        /** The client applied it and ACKed. */
        ACKED,
        /** The client refused it (NACK); the stream is parked until resumed. */
        NACKED
    }
}
