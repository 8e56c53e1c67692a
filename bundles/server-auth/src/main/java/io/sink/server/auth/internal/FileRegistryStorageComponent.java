package io.sink.server.auth.internal;

import io.sink.api.InstanceId;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.auth.storage.StoredClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The registry's default storage, the files of {@link RegistryStore} in {@code stateDir} (PID
 * {@value RegistryComponent#PID}, shared with the registry). A delayed service: it opens the files
 * only when the registry's {@code storage.target} chooses it.
 */
@Component(service = RegistryStorage.class,
        property = RegistryStorage.STORAGE_TYPE + "=" + FileRegistryStorageComponent.STORAGE_TYPE,
        configurationPid = RegistryComponent.PID)
public final class FileRegistryStorageComponent implements RegistryStorage {
    /** Value of {@link RegistryStorage#STORAGE_TYPE} for the files. */
    public static final String STORAGE_TYPE = "file";

    private final RegistryStore store;

    @Activate
    public FileRegistryStorageComponent(RegistryComponent.Config config) throws IOException {
        this.store = open(config);
    }

    /** Opens the files of {@code stateDir}; messages name the property. */
    static RegistryStore open(RegistryComponent.Config config) throws IOException {
        Path stateDir = AuthSettings.directory("stateDir", config.stateDir());
        if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
            throw new IllegalArgumentException("stateDir: " + stateDir + " exists but is not a directory");
        }
        return RegistryStore.open(stateDir, new SecureRandom(), Clock.systemUTC());
    }

    @Override
    public InstanceId serverInstanceId() {
        return store.serverInstanceId();
    }

    @Override
    public Optional<StoredClient> get(String clientId) {
        return store.get(clientId);
    }

    @Override
    public void put(StoredClient client) throws IOException {
        store.put(client);
    }

    @Override
    public String setAside(String clientId) throws IOException {
        return store.setAside(clientId);
    }

    @Override
    public SortedSet<String> clientIds() {
        return store.clientIds();
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
