package io.sink.api.client;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told when events were appended to a {@link GroundEventLog}, so a poller can publish them at once
 * instead of waiting for its next tick. Registered as a whiteboard service; an event log calls every
 * listener once appended events are durable, on the thread that appended them or on its own writer
 * thread: a listener must return at once (e.g. wake a thread), never block or call back into the log.
 */
@ConsumerType
public interface EventLogListener {

    /**
     * Events up to {@code lastSequence} were appended and are durable.
     *
     * @param log          the log they were appended to
     * @param lastSequence the sequence of the last event appended
     */
    void appended(GroundEventLog log, long lastSequence);
}
