package io.sink.server.auth.storage;

import io.sink.api.InstanceId;
import java.io.IOException;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Where the client registry keeps what it remembers: the server's instance id and one
 * {@link StoredClient} per client. The registry (PID {@code io.sink.server.registry}) uses the
 * storage named by its {@code storage.target}: by default the files of this bundle
 * ({@code (sink.registry.storage=file)}), or e.g. PostgreSQL ({@code (sink.registry.storage=postgresql)},
 * bundle {@code io.sink.server-store-postgres}), which several server nodes can share.
 *
 * <p>The registry serializes the changes to one client; changes to different clients may run
 * concurrently. Every change is durable when its method returns.
 */
@ConsumerType
public interface RegistryStorage {

    /** Service property naming the kind of storage, e.g. {@code file}; for the registry's target filter. */
    String STORAGE_TYPE = "sink.registry.storage";

    /** The server's instance id: created once, then the same for as long as the storage lives. */
    InstanceId serverInstanceId();

    /**
     * What is remembered of {@code clientId}, empty when nothing is.
     *
     * @throws IllegalStateException when the storage cannot be read
     */
    Optional<StoredClient> get(String clientId);

    /**
     * Replaces what is remembered of the client; a record with {@linkplain StoredClient#isEmpty()
     * nothing to remember} removes it. Durable on return; on failure nothing changed.
     */
    void put(StoredClient client) throws IOException;

    /**
     * Discards the {@linkplain StoredClient#isUnreadable() unreadable} record of {@code clientId}
     * (keeping its remains aside where the storage can) so that nothing is remembered of it.
     *
     * @return where the record went, for the operator, e.g. a file name
     */
    String setAside(String clientId) throws IOException;

    /**
     * The ids of the clients with a record, sorted.
     *
     * @throws IllegalStateException when the storage cannot be read
     */
    SortedSet<String> clientIds();
}
