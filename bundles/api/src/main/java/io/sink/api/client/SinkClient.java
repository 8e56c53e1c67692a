package io.sink.api.client;

import io.sink.api.ConnectionStats;
import io.sink.api.Event;
import io.sink.api.PublishResult;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import io.sink.api.AckKey;
import org.osgi.annotation.versioning.ProviderType;

/** The client end of a Sink connection: publishing and status. */
@ProviderType
public interface SinkClient {

    /** Whether the connection is up (the handshake succeeded). */
    boolean connected();

    /**
     * Publishes an event to the server. The stage completes with the ACK or NACK, or with
     * {@link PublishResult.Failed} when the connection drops before the answer (or is not up, or the
     * window is full, or the same ack key is already in flight).
     */
    CompletionStage<PublishResult> publish(Event event);

    /**
     * Publishes events in this order, as {@link #publish} would one by one, and returns their stages in
     * the same order. An implementation may send them together (one write to the network for all of
     * them) instead of one write each.
     *
     * @since 2.1
     */
    default List<CompletionStage<PublishResult>> publishAll(List<Event> events) {
        List<CompletionStage<PublishResult>> answers = new java.util.ArrayList<>(events.size());
        for (Event event : events) {
            answers.add(publish(event));
        }
        return answers;
    }

    /** How many more PUBLISHes may be sent before the window is full (0 when not connected). */
    int windowAvailable();

    /** The ack keys in flight now. */
    List<AckKey> inFlight();

    /** Counters of the current connection, empty when not connected. */
    Optional<ConnectionStats> stats();

    /**
     * The address of the server this client is connected to, e.g. {@code localhost:4000}; while it is
     * not connected, the one it is trying. A client given several servers names the one in use.
     */
    String server();

    /**
     * Why the client is not connected, when it is not: the server's refusal (quarantined, with the
     * server's reason; instance_id_mismatch; unsupported application version), the last connection
     * error, or that it is connecting. Empty when connected, or when the implementation cannot tell.
     *
     * @since 1.1
     */
    default Optional<String> problem() {
        return Optional.empty();
    }
}
