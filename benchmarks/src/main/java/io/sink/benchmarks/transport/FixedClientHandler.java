package io.sink.benchmarks.transport;

import io.sink.api.InstanceId;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import java.util.Optional;

/** A client handler of the transport benchmarks: client instance id 2, the server's id remembered in memory. */
public final class FixedClientHandler implements ClientHandler {
    private volatile InstanceId serverId;

    @Override
    public ClientInstanceIds instanceIds() {
        return new ClientInstanceIds(new InstanceId(2), Optional.ofNullable(serverId));
    }

    @Override
    public void serverInstanceIdReceived(InstanceId id) {
        serverId = id;
    }
}
