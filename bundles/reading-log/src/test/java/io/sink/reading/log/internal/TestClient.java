package io.sink.reading.log.internal;

import io.sink.api.AckKey;
import io.sink.api.InstanceId;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

/** A device's client handler keeping its instance ids in memory, as a store would on disk (after the transport's tests). */
final class TestClient implements ClientHandler {
    volatile InstanceId clientId;
    volatile InstanceId serverId;
    final List<InstanceId> storedServerIds = new CopyOnWriteArrayList<>();
    final List<String> ups = new CopyOnWriteArrayList<>();
    final List<String> downs = new CopyOnWriteArrayList<>();
    final ConcurrentLinkedQueue<AckKey> acks = new ConcurrentLinkedQueue<>();

    TestClient(long clientInstanceId) {
        this.clientId = new InstanceId(clientInstanceId);
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return new ClientInstanceIds(clientId, Optional.ofNullable(serverId));
    }

    @Override
    public void serverInstanceIdReceived(InstanceId serverInstanceId) {
        storedServerIds.add(serverInstanceId);
        serverId = serverInstanceId;
    }

    @Override
    public void connectionUp(String peer) {
        ups.add(peer);
    }

    @Override
    public void connectionDown(String reason) {
        downs.add(reason);
    }

    @Override
    public void handleAck(AckKey ackKey) {
        acks.add(ackKey);
    }
}
