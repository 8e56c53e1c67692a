package io.sink.api.client;

import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The application side of a Sink client connection, registered as a whiteboard service and
 * called by the transport. {@link #instanceIds()} and {@link #serverInstanceIdReceived} may block
 * (they are called off the network threads); the other methods are called on a network thread and
 * must not block.
 */
@ConsumerType
public interface ClientHandler {

    /** The instance ids to present on the next connection; read before each connection attempt. */
    ClientInstanceIds instanceIds() throws Exception;

    /**
     * The server answered {@code hello_new_client}: store its instance id durably before returning,
     * so the next connection presents it.
     */
    void serverInstanceIdReceived(InstanceId serverInstanceId) throws Exception;

    /**
     * The connection is up (the handshake succeeded): publish through {@code client}. The handler gets
     * the client here rather than binding it as a service (the client binds the handler), so there is
     * no service cycle. The results of those publishes are the stages {@link SinkClient#publish}
     * returns: the one path of ACKs and NACKs to the client.
     */
    default void connectionUp(SinkClient client) {
    }

    /**
     * The connection went down. Every publish that was in flight on it has completed (with
     * {@link io.sink.api.PublishResult.Failed}) before this is called: those events must be sent again.
     */
    default void connectionDown(String reason) {
    }

    /**
     * The server published an event to this client. The stage completes with empty to ACK it or with a
     * NACK to refuse it; a failed stage (or a thrown exception) is answered with a NACK describing the
     * failure. Called on a network thread: must not block.
     */
    default CompletionStage<Optional<Nack>> handlePublish(Event event) {
        return CompletableFuture.completedFuture(
                Optional.of(Nack.of("unsupported", "this client accepts no events from the server")));
    }
}
