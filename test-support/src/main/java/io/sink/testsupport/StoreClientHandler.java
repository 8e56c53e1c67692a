package io.sink.testsupport;

import io.sink.api.InstanceId;
import io.sink.api.client.ClientHandler;
import io.sink.api.client.ClientInstanceIds;
import io.sink.api.client.InstanceIdStore;
import io.sink.api.client.SinkClient;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The client handler a harness wires outside the framework: instance ids from a durable store,
 * connection events handed on (to a poller); ACKs reach the publisher through its futures.
 */
public final class StoreClientHandler implements ClientHandler {
    private final InstanceIdStore ids;
    private final Consumer<SinkClient> up;
    private final Consumer<String> down;

    /**
     * @param ids  where the instance ids are kept
     * @param up   told the client when a connection is up
     * @param down told the reason when a connection went down
     */
    public StoreClientHandler(InstanceIdStore ids, Consumer<SinkClient> up, Consumer<String> down) {
        this.ids = Objects.requireNonNull(ids, "ids");
        this.up = Objects.requireNonNull(up, "up");
        this.down = Objects.requireNonNull(down, "down");
    }

    @Override
    public ClientInstanceIds instanceIds() {
        return ids.instanceIds();
    }

    @Override
    public void serverInstanceIdReceived(InstanceId id) {
        ids.storeServerInstanceId(id);
    }

    @Override
    public void connectionUp(SinkClient client) {
        up.accept(client);
    }

    @Override
    public void connectionDown(String reason) {
        down.accept(reason);
    }
}
