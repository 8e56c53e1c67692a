package io.sink.api.server;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The application side of the server's connections, registered as a whiteboard service and called
 * by the transport.
 */
@ConsumerType
public interface ServerHandler {

    /**
     * A client published an event. Return empty to ACK it (only once it is safe: an ACKed event must
     * not be lost) or a NACK to refuse it; a thrown exception is answered with a NACK describing it.
     */
    Optional<Nack> handlePublish(String clientId, Event event) throws Exception;

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
