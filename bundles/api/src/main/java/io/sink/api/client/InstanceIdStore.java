package io.sink.api.client;

import io.sink.api.InstanceId;
import org.osgi.annotation.versioning.ProviderType;

/** Durable storage of the client's instance ids. */
@ProviderType
public interface InstanceIdStore {

    /**
     * The client's instance ids; on first use a random client instance id is created and stored
     * durably.
     */
    ClientInstanceIds instanceIds();

    /** Stores the server's instance id after {@code hello_new_client}; durable on return. */
    void storeServerInstanceId(InstanceId serverInstanceId);
}
