package io.sink.api.client;

import io.sink.api.Event;
import io.sink.api.Nack;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Takes the events a server publishes to this client, one event type per service: registered as a
 * whiteboard service with the {@link #EVENT_TYPE} property, the client's {@link ClientHandler} hands it
 * every server publish of that type. A server publish of a type no handler claims is NACKed
 * {@code unsupported}, as the original's example client does.
 *
 * <p>The event must be applied durably before the returned stage completes empty (the client then
 * ACKs it, and the server never sends it again); applying the same event twice must change nothing
 * (after a lost ACK the server sends it again). A stage completed with a NACK refuses the event for
 * good: use it only for events that will never be taken (malformed, unsupported). Called on a
 * network thread: must not block; complete the stage from another thread.
 */
@ConsumerType
public interface ServerEventHandler {
    /** Service property: the event type id this handler takes (unsigned: a number or a decimal string). */
    String EVENT_TYPE = "sink.event.type";

    /** Applies one event the server published. Completes empty to ACK it, with a NACK to refuse it. */
    CompletionStage<Optional<Nack>> handle(Event event);
}
