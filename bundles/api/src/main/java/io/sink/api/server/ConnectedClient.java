package io.sink.api.server;

import io.sink.api.ConnectionStats;
import io.sink.api.InstanceId;
import java.util.Optional;

/**
 * A client connected now.
 *
 * @param clientId         who it is
 * @param clientInstanceId the instance id it presented
 * @param serverInstanceId the server instance id it presented, if any
 * @param applicationVersion the application version it presented
 * @param stats            the connection's counters
 */
public record ConnectedClient(String clientId, InstanceId clientInstanceId, Optional<InstanceId> serverInstanceId,
        String applicationVersion, ConnectionStats stats) {
}
