package io.sink.api.server;

import io.sink.api.Event;
import io.sink.api.PublishResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/** The server end of Sink connections: publishing to clients and status. */
@ProviderType
public interface SinkServer {

    /** Whether {@code clientId} has a live connection whose handshake succeeded. */
    boolean connected(String clientId);

    /** The clients connected now. */
    List<ConnectedClient> connectedClients();

    /** The connected client {@code clientId}, if it is connected. */
    Optional<ConnectedClient> client(String clientId);

    /**
     * Publishes an event to a connected client. The stage completes with the ACK or NACK, or with
     * {@link PublishResult.Failed} when the client is not connected or the connection drops first.
     */
    CompletionStage<PublishResult> publish(String clientId, Event event);

    /**
     * Freshness of a client: for each event type, the latest timestamp of an event the server ACKed
     * from it since this server started.
     */
    Map<Long, Long> freshness(String clientId);

    /** Closes the connection of {@code clientId}, if any, with a reason for the log. */
    boolean disconnect(String clientId, String reason);

    /** The local address the server listens on, e.g. {@code 127.0.0.1:4000}; empty when not listening. */
    Optional<String> listenAddress();
}
