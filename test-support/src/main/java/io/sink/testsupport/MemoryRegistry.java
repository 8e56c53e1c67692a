package io.sink.testsupport;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server's client registry in memory: remembers client instance ids; quarantine and the version
 * policy are set by the test.
 */
public class MemoryRegistry implements ClientRegistry {
    public final InstanceId serverId;
    public final Map<String, InstanceId> clients = new ConcurrentHashMap<>();
    public final Map<String, Nack> quarantined = new ConcurrentHashMap<>();
    public final Set<String> refusedVersions = ConcurrentHashMap.newKeySet();
    public final AtomicInteger registrations = new AtomicInteger();

    /** With server instance id 777. */
    public MemoryRegistry() {
        this(777);
    }

    public MemoryRegistry(long serverInstanceId) {
        this.serverId = new InstanceId(serverInstanceId);
    }

    @Override
    public ClientRecord record(String clientId) {
        return new ClientRecord(serverId, Optional.ofNullable(clients.get(clientId)),
                Optional.ofNullable(quarantined.get(clientId)));
    }

    @Override
    public void registerClientInstanceId(String clientId, InstanceId clientInstanceId) {
        registrations.incrementAndGet();
        clients.put(clientId, clientInstanceId);
    }

    @Override
    public boolean acceptsApplicationVersion(String clientId, String applicationVersion) {
        return !refusedVersions.contains(applicationVersion);
    }
}
