package io.sink.transport.internal.state;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How fresh each client's data is on the server: per client and event type, the latest timestamp of
 * an event the server ACKed, since this server started (the original's {@code Freshness}).
 *
 * <p>Thread-safe: connections record from their event loops, status commands read from any thread.
 * A timestamp only ever grows ({@link #record} keeps the maximum), whatever the order of calls.
 * Event type ids are unsigned 64 bits (2^63..2^64-1 are negative {@code long}s), ordered unsigned.
 * Not final only so that tests can make {@link #record} fail.
 */
public class Freshness {
    private final ConcurrentHashMap<String, ConcurrentHashMap<Long, Long>> byClient = new ConcurrentHashMap<>();

    /** The server ACKed an event of {@code eventTypeId} with {@code timestamp} from {@code clientId}. */
    public void record(String clientId, long eventTypeId, long timestamp) {
        Objects.requireNonNull(clientId, "clientId");
        if (timestamp < 0) {
            throw new IllegalArgumentException("timestamp must not be negative, got " + timestamp);
        }
        byClient.computeIfAbsent(clientId, id -> new ConcurrentHashMap<>()).merge(eventTypeId, timestamp, Math::max);
    }

    /** For each event type, the latest ACKed timestamp from {@code clientId}, ordered by event type; a copy. */
    public Map<Long, Long> of(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        Map<Long, Long> perType = byClient.get(clientId);
        if (perType == null) {
            return Map.of();
        }
        TreeMap<Long, Long> ordered = new TreeMap<>(Long::compareUnsigned);
        ordered.putAll(perType);
        return Collections.unmodifiableMap(ordered);
    }

    /** The latest ACKed timestamp of {@code eventTypeId} from {@code clientId}, if any. */
    public OptionalLong of(String clientId, long eventTypeId) {
        Objects.requireNonNull(clientId, "clientId");
        Map<Long, Long> perType = byClient.get(clientId);
        Long timestamp = perType == null ? null : perType.get(eventTypeId);
        return timestamp == null ? OptionalLong.empty() : OptionalLong.of(timestamp);
    }
}
