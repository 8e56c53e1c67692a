package io.sink.api.server;

import io.sink.api.InstanceId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The server's memory of its clients, consulted at each handshake. Its methods may block: the
 * transport calls them off the network threads.
 */
@ConsumerType
public interface ClientRegistry {

    /** What the server remembers of {@code clientId}. */
    ClientRecord record(String clientId) throws Exception;

    /**
     * The server answered {@code hello_new_client}: store the client's instance id durably before
     * returning.
     */
    void registerClientInstanceId(String clientId, InstanceId clientInstanceId) throws Exception;

    /** Whether the server's policy accepts this application version from this client. */
    default boolean acceptsApplicationVersion(String clientId, String applicationVersion) {
        return true;
    }
}
