package io.sink.api.server;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import java.util.Objects;
import java.util.Optional;

/**
 * What the server remembers of one client for the handshake.
 *
 * @param serverInstanceId the server's instance id as presented to this client
 * @param clientInstanceId the client's instance id the server stored, if any
 * @param quarantine       the reason the client is quarantined, if it is
 */
public record ClientRecord(InstanceId serverInstanceId, Optional<InstanceId> clientInstanceId,
        Optional<Nack> quarantine) {
    public ClientRecord {
        Objects.requireNonNull(serverInstanceId, "serverInstanceId");
        Objects.requireNonNull(clientInstanceId, "clientInstanceId");
        Objects.requireNonNull(quarantine, "quarantine");
    }
}
