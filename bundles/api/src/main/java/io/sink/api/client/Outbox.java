package io.sink.api.client;

import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.client.GroundEventLog.LoggedEvent;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The client's one way into its event store: producers (the sensor source, commands) append through
 * it and the poller drains it. The outbox is the only component that binds a {@link GroundEventLog}
 * and an {@link InstanceIdStore}, chosen by one configuration ({@link #PID}); changing the store there
 * swaps it for every producer and the poller at once: the events not yet acknowledged move to the new
 * store with their ack keys, and every key's offsets continue where the old store left them.
 *
 * <p>Every method reads or writes the store bound now; each fails with {@link IllegalStateException}
 * while no store is bound. A swap waits for the calls already running and holds the new ones back.
 */
@ProviderType
public interface Outbox {
    /** Configuration PID of the outbox: the store targets. */
    String PID = "io.sink.client.outbox";

    /** Told that the outbox changed: events appended, or the store swapped. Must return at once. */
    @FunctionalInterface
    interface Listener {
        /**
         * @param generation the store's generation ({@link #generation()}); a new value means the
         *                   store was swapped and its sequences start afresh
         */
        void changed(long generation);
    }

    /** See {@link GroundEventLog#appendNext}. */
    LoggedEvent appendNext(long eventTypeId, long schemaVersion, byte[] key, long timestamp, byte[] eventData);

    /** See {@link GroundEventLog#lastEvent}. */
    Optional<Event> lastEvent(long eventTypeId, byte[] key);

    /** See {@link GroundEventLog#lastEvents(long)}. */
    List<Event> lastEvents(long eventTypeId);

    /** See {@link GroundEventLog#unacknowledged}; the sequences are those of the current generation. */
    List<LoggedEvent> unacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds, long afterSequence,
            int limit);

    /**
     * Records acknowledgements in the current store (events migrated by a swap keep their ack keys,
     * so an ACK of an event published before the swap is recorded too).
     */
    void acknowledge(Collection<AckKey> ackKeys);

    /** See {@link GroundEventLog#queueSize}. */
    long queueSize();

    /** See {@link GroundEventLog#countUnacknowledged}. */
    long countUnacknowledged(Set<Long> eventTypeIds, Set<Long> excludedTypeIds);

    /** See {@link GroundEventLog#nextEvent}. */
    Optional<Event> nextEvent();

    /** See {@link InstanceIdStore#instanceIds}. */
    ClientInstanceIds instanceIds();

    /** See {@link InstanceIdStore#storeServerInstanceId}. */
    void storeServerInstanceId(InstanceId serverInstanceId);

    /** Counts the stores bound so far: changes with every swap (0 while none is bound). */
    long generation();

    /** The store bound now (its {@code sink.store.type}), or {@code none}. */
    String storeName();

    /** Adds a listener, told after each append and each swap; returns what removes it. */
    AutoCloseable listen(Listener listener);
}
