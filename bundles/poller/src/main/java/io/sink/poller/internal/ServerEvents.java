package io.sink.poller.internal;

import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.client.ServerEventHandler;
import io.sink.api.text.Printable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handlers of the events a server publishes to this client, by event type. Thread-safe. */
final class ServerEvents {
    private static final Logger LOG = LoggerFactory.getLogger(ServerEvents.class);
    private final Map<Long, ServerEventHandler> handlers = new ConcurrentHashMap<>();

    /** A handler with its service properties ({@link ServerEventHandler#EVENT_TYPE}). */
    void add(ServerEventHandler handler, Map<String, Object> properties) {
        Long type = eventType(properties);
        if (type == null) {
            LOG.warn("ignoring a server event handler without a valid {} property: {}", ServerEventHandler.EVENT_TYPE,
                    Printable.inline(String.valueOf(properties.get(ServerEventHandler.EVENT_TYPE))));
            return;
        }
        handlers.put(type, handler);
    }

    void remove(ServerEventHandler handler, Map<String, Object> properties) {
        Long type = eventType(properties);
        if (type != null) {
            handlers.remove(type, handler);
        }
    }

    /** The handler's answer, or empty when no handler takes the event's type. */
    Optional<CompletionStage<Optional<Nack>>> handle(Event event) {
        ServerEventHandler handler = handlers.get(event.eventTypeId());
        if (handler == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(handler.handle(event));
        } catch (RuntimeException e) {
            return Optional.of(CompletableFuture.failedFuture(e));
        }
    }

    private static Long eventType(Map<String, Object> properties) {
        Object value = properties.get(ServerEventHandler.EVENT_TYPE);
        try {
            return value instanceof Number n ? n.longValue() : Long.parseUnsignedLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
