package io.sink.poller;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The poller that delivers the client's events: publishes unacknowledged events in log order per
 * stream while the client is connected, and records the ACKs.
 *
 * <p>A NACK parks the stream of the refused event (only that stream): it stops publishing until it
 * is resumed, and the event stays unacknowledged in the log. Resuming sends the refused event again,
 * then the rest of the stream in order.
 */
@ProviderType
public interface PollerService {
    /** Configuration PID of the poller. */
    String PID = "io.sink.poller";

    /** A snapshot of the poller: connection, window, streams, counters. */
    PollerStatus status();

    /** The NACKed events that park their streams now, in stream then log order. */
    List<ParkedEvent> nacks();

    /**
     * Resumes a parked stream: its NACKed events are sent again, then the rest in order.
     *
     * @return {@code true} if the stream was parked and resumes, {@code false} if it was not parked
     * @throws IllegalArgumentException if no stream has that name
     */
    boolean resume(String stream);
}
