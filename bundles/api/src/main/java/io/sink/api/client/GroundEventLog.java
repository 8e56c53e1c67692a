package io.sink.api.client;

import io.sink.api.AckKey;
import io.sink.api.Event;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The client's durable log of events to deliver, with the acknowledgements of those delivered.
 * Every write is on stable storage when the call returns.
 */
@ProviderType
public interface GroundEventLog {

    /** Service property naming the kind of store, e.g. {@code sqlite}; for target filters. */
    String STORE_TYPE = "sink.store.type";

    /**
     * Service property, {@code false} for a store that keeps nothing across a restart (e.g. in memory);
     * absent or {@code true} for a durable store.
     */
    String DURABLE = "sink.store.durable";

    /** An event in the log with its position: events are delivered in increasing sequence. */
    record LoggedEvent(long sequence, Event event) {
    }

    /**
     * Appends an event; durable on return. Returns its sequence in the log.
     *
     * @throws EventLogFullException when the configured size limit is reached
     */
    long append(Event event);

    /**
     * Appends the next event of the stream {@code (eventTypeId, key)}: in one durable transaction it
     * assigns the offset one past the last one logged for that type and key (1 for the first),
     * appends the event and makes it that key's last event. Durable on return.
     *
     * @return the event as logged, with its offset
     * @throws EventLogFullException when the configured size limit is reached
     */
    LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp, byte[] eventData);

    /** The last event logged for {@code (eventTypeId, key)}. */
    Optional<Event> lastEvent(long eventTypeId, byte[] key);

    /** The last event logged for every key of {@code eventTypeId}, ordered by key. */
    List<Event> lastEvents(long eventTypeId);

    /**
     * The next unacknowledged events after {@code afterSequence}, in log order, at most {@code limit}.
     * Costs the same however many acknowledged events the log holds.
     *
     * @param eventTypeIds only events of these types; empty for all types
     * @param excludedTypeIds events of these types are skipped (for a default stream that takes
     *        every type not claimed by another stream)
     */
    List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit);

    /** Records the acknowledgement of events, all in one durable write. Unknown keys are ignored. */
    void acknowledge(Collection<AckKey> ackKeys);

    /** Number of events not yet acknowledged. */
    long queueSize();

    /**
     * Number of unacknowledged events of the types selected as in {@link #unacknowledged}, counted
     * without loading them.
     */
    long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds);

    /** The last event logged for every key of every type, ordered by type then key. */
    List<Event> lastEvents();

    /**
     * Takes over the events of another log, in one durable transaction: appends {@code unacknowledged}
     * in the order given, unacknowledged and with their own ack keys (an ack key this log already holds
     * is skipped), and makes each of {@code lastEvents} its key's last event unless this log already
     * holds a later offset for that key. After it, {@link #appendNext} continues every key's offsets
     * where the other log left them. Ignores the size limit: events are moved, not added.
     */
    void adopt(List<Event> unacknowledged, List<Event> lastEvents);

    /** The first unacknowledged event in log order. */
    Optional<Event> nextEvent();
}
