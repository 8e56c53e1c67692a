package io.sink.poller;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One stream of the poller.
 *
 * @param name             the stream name
 * @param eventTypeIds     the event types it carries; empty for the default stream
 * @param otherTypes       whether it carries every type no other stream claims (the default stream)
 * @param queued           unacknowledged events of the stream (a lower bound when {@code queuedAtLeast})
 * @param queuedAtLeast    whether {@code queued} was capped (counting stops at a limit)
 * @param inFlight         its events published and not yet answered
 * @param cursor           the sequence of the last event it read from the log
 * @param parkedOn         the NACKed events that park it (empty when it runs)
 */
public record StreamStatus(String name, Set<Long> eventTypeIds, boolean otherTypes, long queued,
        boolean queuedAtLeast, int inFlight, long cursor, List<ParkedEvent> parkedOn) {
    public StreamStatus {
        Objects.requireNonNull(name, "name");
        eventTypeIds = Set.copyOf(eventTypeIds);
        parkedOn = List.copyOf(parkedOn);
    }

    /** Whether a NACK parks the stream. */
    public boolean parked() {
        return !parkedOn.isEmpty();
    }

    @Override
    public String toString() {
        String types = otherTypes ? (eventTypeIds.isEmpty() ? "all types" : "other types") : "types "
                + eventTypeIds.stream().sorted().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("");
        return name + " (" + types + "): " + (queuedAtLeast ? ">= " : "") + queued + " queued, " + inFlight
                + " in flight, cursor " + cursor + (parked() ? ", PARKED by " + parkedOn.size() + " NACK(s)" : "");
    }
}
