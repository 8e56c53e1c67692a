package io.sink.testsupport;

import io.sink.api.InstanceId;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.SinkClient;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A device's client handler that keeps its instance ids in memory, as a store would on disk, and
 * records what the transport tells it (connections up, with the server they reached, and down), for the tests to inspect.
 */
public class RecordingClient implements ClientHandler {
    /** The client instance id presented on the next connection (a test may change it). */
    public volatile InstanceId clientId;
    /** The server instance id presented on the next connection, once stored (a test may change it). */
    public volatile InstanceId serverId;
    /** Every server instance id stored after {@code hello_new_client}, in order. */
    public final List<InstanceId> storedServerIds = new CopyOnWriteArrayList<>();
    public final List<String> ups = new CopyOnWriteArrayList<>();
    public final List<String> downs = new CopyOnWriteArrayList<>();

    public RecordingClient(long clientInstanceId) {
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
    public void connectionUp(SinkClient client) {
        ups.add(client.server());
    }

    @Override
    public void connectionDown(String reason) {
        downs.add(reason);
    }
}
