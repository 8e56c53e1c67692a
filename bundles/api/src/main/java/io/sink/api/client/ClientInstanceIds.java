package io.sink.api.client;

import io.sink.api.InstanceId;
import java.util.Objects;
import java.util.Optional;

/**
 * What a client presents in its CONNECTION_REQUEST: its own instance id and, once a server has
 * greeted it with {@code hello_new_client}, that server's instance id.
 */
public record ClientInstanceIds(InstanceId client, Optional<InstanceId> server) {
    public ClientInstanceIds {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(server, "server");
    }
}
