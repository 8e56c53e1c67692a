package io.sink.server.auth.storage;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientRecord;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the registry keeps of one client, as every {@link RegistryStorage} stores it. A record whose file could not be read is kept as
 * {@link #unreadable}: the client is then refused as quarantined until an operator forgets the record,
 * since the lost content might have been a quarantine.
 *
 * @param clientId     the client
 * @param instanceId   its instance id, stored on hello_new_client
 * @param registeredAt when the instance id was stored
 * @param quarantine   the operator's reason, when quarantined
 * @param quarantinedAt when it was quarantined
 * @param unreadable   why the record's file could not be read, when it could not
 */
public record StoredClient(String clientId, Optional<InstanceId> instanceId, Optional<Instant> registeredAt,
        Optional<Nack> quarantine, Optional<Instant> quarantinedAt, Optional<String> unreadable) {

    /** The quarantine reason sent to a client whose record is unreadable. */
    public static final Nack UNREADABLE_QUARANTINE = Nack.of("registry_record_unreadable",
            "the server cannot read what it remembers of this client; an operator must forget it before it can connect");

    public StoredClient {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(instanceId, "instanceId");
        Objects.requireNonNull(registeredAt, "registeredAt");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(quarantinedAt, "quarantinedAt");
        Objects.requireNonNull(unreadable, "unreadable");
    }

    public static StoredClient empty(String clientId) {
        return new StoredClient(clientId, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    public static StoredClient unreadable(String clientId, String reason) {
        return new StoredClient(clientId, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of(reason));
    }

    /** Nothing worth a file: no instance id, no quarantine. */
    public boolean isEmpty() {
        return instanceId.isEmpty() && quarantine.isEmpty() && unreadable.isEmpty();
    }

    public boolean isUnreadable() {
        return unreadable.isPresent();
    }

    public StoredClient withInstanceId(InstanceId id, Instant at) {
        return new StoredClient(clientId, Optional.of(id), Optional.of(at), quarantine, quarantinedAt, unreadable);
    }

    public StoredClient withoutInstanceId() {
        return new StoredClient(clientId, Optional.empty(), Optional.empty(), quarantine, quarantinedAt, unreadable);
    }

    public StoredClient withQuarantine(Nack reason, Instant at) {
        return new StoredClient(clientId, instanceId, registeredAt, Optional.of(reason), Optional.of(at), unreadable);
    }

    public StoredClient withoutQuarantine() {
        return new StoredClient(clientId, instanceId, registeredAt, Optional.empty(), Optional.empty(), unreadable);
    }

    /** The quarantine a handshake answers with: the operator's, or the one for an unreadable record. */
    public Optional<Nack> effectiveQuarantine() {
        return unreadable.isPresent() ? Optional.of(UNREADABLE_QUARANTINE) : quarantine;
    }

    public ClientRecord toRecord(InstanceId serverInstanceId) {
        return new ClientRecord(serverInstanceId, instanceId, effectiveQuarantine());
    }
}
