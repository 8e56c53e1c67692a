package io.sink.api.server.sensors;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The sensors the server configures on its clients. Every change is stored durably in the
 * client's outgoing log before the method returns, and reaches the client when it is (or next
 * is) connected. Methods may block on storage: call them off network threads.
 *
 * <p>Names, kinds and client ids are user input: implementations validate them and refuse bad
 * values with a {@link SensorException} whose message names what is wrong.
 */
@ProviderType
public interface SensorDirectory {

    /** The kinds of sensor a client can run ({@code "simulated"} at least). */
    List<String> kinds();

    /** Every server-configured sensor of {@code clientId}, removed ones included until ACKed, in creation order. */
    List<ServerSensor> sensors(String clientId) throws SensorException;

    /** One sensor, if the client has it. */
    Optional<ServerSensor> sensor(String clientId, UUID sensorId) throws SensorException;

    /** Adds a sensor (a fresh uuid key) to {@code clientId}; queued for delivery. */
    ServerSensor add(String clientId, String name, String kind, long periodMillis) throws SensorException;

    /** Changes the display name; the uuid (the readings' key) stays. */
    ServerSensor rename(String clientId, UUID sensorId, String name) throws SensorException;

    /** Changes the sampling period. */
    ServerSensor changePeriod(String clientId, UUID sensorId, long periodMillis) throws SensorException;

    /** Removes the sensor from the client (the removal is itself a queued event). */
    ServerSensor remove(String clientId, UUID sensorId) throws SensorException;

    /**
     * Resumes a client's configuration stream parked by a NACK (the client refused an event):
     * the refused event is dropped and delivery continues with the next one. Returns how many
     * events were dropped (0 when nothing was parked).
     */
    int resume(String clientId) throws SensorException;
}
