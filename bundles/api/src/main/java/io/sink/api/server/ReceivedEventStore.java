package io.sink.api.server;

import io.sink.api.Event;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The server's durable store of events received from clients. An event is identified by its client
 * and its ack key: storing it again (a client re-sends when an ACK was lost) stores nothing new.
 */
@ProviderType
public interface ReceivedEventStore {

    /** Service property naming the kind of store, e.g. {@code sqlite}; for target filters. */
    String STORE_TYPE = "sink.store.type";

    /** What {@link #store} did. */
    enum Outcome {
        /** The event is new and now durable. */
        STORED,
        /** The same event (same ack key and content) was stored before; nothing changed. */
        DUPLICATE,
        /**
         * An event with the same ack key but other content was stored before; nothing changed. The
         * sender's history is not the one the server holds (e.g. its event log was replaced and reused
         * offsets): the event must be refused visibly, never ACKed as a duplicate, or it would be lost.
         */
        CONFLICT
    }

    /**
     * An event as stored.
     *
     * @param clientId   who sent it
     * @param event      the event
     * @param receivedAt when the server stored it first
     */
    record StoredEvent(String clientId, Event event, Instant receivedAt) {
        public StoredEvent {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(event, "event");
            Objects.requireNonNull(receivedAt, "receivedAt");
        }
    }

    /**
     * Stores an event of a client. The stage completes once the event is durable (or was stored
     * before), so the caller may ACK it then; it fails when the event cannot be stored. Never blocks
     * the caller: writes are grouped and committed on the store's own thread.
     */
    CompletionStage<Outcome> store(String clientId, Event event);

    /**
     * Stores events of a client that arrived together (e.g. decoded from one network read), in their
     * order: one stage per event, each as {@link #store} gives it. A store may commit them together
     * (one transaction, one fsync) where storing them one by one could commit the first before the
     * others arrive. Never blocks the caller. The default stores them one by one.
     *
     * @return the stages, in the order of {@code events}
     */
    default List<CompletionStage<Outcome>> storeAll(String clientId, List<Event> events) {
        List<CompletionStage<Outcome>> stages = new ArrayList<>(events.size());
        for (Event event : events) {
            stages.add(store(clientId, event));
        }
        return stages;
    }

    /** The latest events stored from {@code clientId}, newest first, at most {@code count}. */
    List<StoredEvent> latest(String clientId, int count);

    /** How many events are stored from {@code clientId}. */
    long count(String clientId);
}
