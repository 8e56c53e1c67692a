package io.sink.api.server;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The application side of the server's connections, registered as a whiteboard service and called
 * by the transport.
 */
@ConsumerType
public interface ServerHandler {

    /**
     * A client published an event. The returned stage completes with empty to ACK it, or with a NACK
     * to refuse it; a stage completed exceptionally (or a thrown exception) is answered with a NACK
     * describing the failure, except a {@link RetryLaterException}, which gets no answer. Complete with
     * empty only once the event is safe: an ACKed event must not be lost. Called on a network thread:
     * must not block; do slow work (a durable write) elsewhere and complete the stage when it is done.
     * Stages may complete in any order.
     *
     * <p>A NACK is for a permanent refusal (an event that will never be taken, e.g. undecodable): it
     * parks the client's stream until an operator resumes it. An event that cannot be stored for now
     * (a full disk, a failing or missing store) must not be NACKed: leave it unanswered, close the
     * client's connection ({@link SinkServer#disconnect}) and complete the stage with a
     * {@link RetryLaterException} once the connection is down ({@link #connectionDown}); the client
     * reconnects and sends it again. A transport must never answer a stage failed with a
     * {@link RetryLaterException}, and closes the connection if it is still open.
     */
    CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event);

    /**
     * A client published events that arrived together (decoded from one network read), in their
     * order: one stage per event, each as {@link #handlePublish} returns it. Lets the handler store them
     * together (one commit for all, see {@link ReceivedEventStore#storeAll}). The default handles them
     * one by one.
     *
     * @return the stages, in the order of {@code events}
     */
    default List<CompletionStage<Optional<Nack>>> handlePublishes(String clientId, List<Event> events) {
        List<CompletionStage<Optional<Nack>>> stages = new ArrayList<>(events.size());
        for (Event event : events) {
            stages.add(handlePublish(clientId, event));
        }
        return stages;
    }

    /** A client's connection is up. */
    default void connectionUp(String clientId, String peer) {
    }

    /** A client's connection went down. */
    default void connectionDown(String clientId, String reason) {
    }

    /** A client ACKed an event the server published to it. */
    default void handleAck(String clientId, AckKey ackKey) throws Exception {
    }

    /** A client NACKed an event the server published to it. */
    default void handleNack(String clientId, AckKey ackKey, Nack nack) throws Exception {
    }
}
