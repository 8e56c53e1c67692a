package io.sink.transport.internal.state;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The live connection of each client (section 6: one per client; a new connection replaces the
 * older one).
 *
 * <p>Handles are compared by identity ({@code ==}), not {@code equals}: each connection has its own
 * handle (e.g. its Netty channel).
 *
 * <p>Thread-safe: connections register and remove themselves from their event loops, status
 * commands read from any thread. Each operation is atomic per client.
 *
 * @param <H> the connection handle
 */
public final class PeerRegistry<H> {
    private final ConcurrentHashMap<String, H> live = new ConcurrentHashMap<>();

    /**
     * Makes {@code handle} the live connection of {@code clientId}.
     *
     * @return the connection it replaces, which the caller must close; empty when there was none (or
     *         it was this same handle)
     */
    public Optional<H> register(String clientId, H handle) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(handle, "handle");
        H previous = live.put(clientId, handle);
        return previous == handle ? Optional.empty() : Optional.ofNullable(previous);
    }

    /**
     * A connection of {@code clientId} closed: removes it, but only if it still is the live one; an
     * older connection closing after a newer one took over leaves the newer one in place.
     *
     * @return whether it was removed
     */
    public boolean remove(String clientId, H handle) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(handle, "handle");
        boolean[] removed = {false};
        live.computeIfPresent(clientId, (id, current) -> {
            if (current == handle) {
                removed[0] = true;
                return null;
            }
            return current;
        });
        return removed[0];
    }

    /** The live connection of {@code clientId}. */
    public Optional<H> get(String clientId) {
        Objects.requireNonNull(clientId, "clientId");
        return Optional.ofNullable(live.get(clientId));
    }

    /** Whether {@code handle} is the live connection of {@code clientId}. */
    public boolean isLive(String clientId, H handle) {
        Objects.requireNonNull(clientId, "clientId");
        return handle != null && live.get(clientId) == handle;
    }

    /** The live connections now, by client id; a copy. */
    public Map<String, H> snapshot() {
        return Map.copyOf(live);
    }

    public int size() {
        return live.size();
    }
}
