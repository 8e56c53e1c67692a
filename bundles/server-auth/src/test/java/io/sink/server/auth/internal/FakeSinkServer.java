package io.sink.server.auth.internal;

import io.sink.api.Event;
import io.sink.api.PublishResult;
import io.sink.api.server.ConnectedClient;
import io.sink.api.server.SinkServer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A SinkServer that only records disconnects; clients in {@link #connected} count as connected. */
final class FakeSinkServer implements SinkServer {
    /** When set, disconnect records the call and then throws this. */
    volatile RuntimeException failure;
    record Disconnect(String clientId, String reason) {
    }

    final Set<String> connected = ConcurrentHashMap.newKeySet();
    final BlockingQueue<Disconnect> disconnects = new LinkedBlockingQueue<>();

    Disconnect awaitDisconnect(Duration timeout) throws InterruptedException {
        Disconnect disconnect = disconnects.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (disconnect == null) {
            throw new AssertionError("no disconnect within " + timeout);
        }
        return disconnect;
    }

    @Override
    public boolean disconnect(String clientId, String reason) {
        boolean wasConnected = connected.remove(clientId);
        disconnects.add(new Disconnect(clientId, reason));
        if (failure != null) {
            throw failure;
        }
        return wasConnected;
    }

    @Override
    public boolean connected(String clientId) {
        return connected.contains(clientId);
    }

    @Override
    public List<ConnectedClient> connectedClients() {
        return List.of();
    }

    @Override
    public Optional<ConnectedClient> client(String clientId) {
        return Optional.empty();
    }

    @Override
    public CompletionStage<PublishResult> publish(String clientId, Event event) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Map<Long, Long> freshness(String clientId) {
        return Map.of();
    }

    @Override
    public Optional<String> listenAddress() {
        return Optional.empty();
    }
}
