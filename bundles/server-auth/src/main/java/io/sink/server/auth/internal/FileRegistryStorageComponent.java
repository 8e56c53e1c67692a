package io.sink.server.auth.internal;

import io.sink.api.InstanceId;
import io.sink.api.config.ConfigReader;
import io.sink.api.text.Printable;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.auth.storage.StoredClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(FileRegistryStorageComponent.class);

    /** Replaced by {@link #modified} when a new valid {@code stateDir} is applied. */
    private volatile RegistryStore store;

    @Activate
    public FileRegistryStorageComponent(RegistryComponent.Config config) throws IOException {
        this.store = open(config);
    }

    /** Opens the files of {@code stateDir}; messages name the property. */
    static RegistryStore open(RegistryComponent.Config config) throws IOException {
        return open(config.stateDir());
    }

    private static RegistryStore open(String configuredStateDir) throws IOException {
        return RegistryStore.open(stateDir(configuredStateDir), new SecureRandom(), Clock.systemUTC());
    }

    private static Path stateDir(String configured) {
        Path stateDir = AuthSettings.directory("stateDir", configured);
        if (Files.exists(stateDir) && !Files.isDirectory(stateDir)) {
            throw new IllegalArgumentException("stateDir = " + Printable.quoted(stateDir.toString())
                    + " exists but is not a directory");
        }
        return stateDir;
    }

    /**
     * A changed configuration (PID {@value RegistryComponent#PID}, shared with the registry, which
     * applies the other properties): an invalid {@code stateDir}, or one whose files cannot be opened,
     * is refused with ONE error line naming the PID, the property, the value and why, and the registry
     * keeps its files (without a modified method SCR would deactivate this storage, and with it the
     * registry); a new valid one opens the files there and uses them from then on.
     */
    @Modified
    synchronized void modified(Map<String, Object> properties) {
        RegistryStore next;
        try {
            String configured = new ConfigReader(RegistryComponent.PID, properties).nonBlankText("stateDir",
                    RegistryComponent.DEFAULT_STATE_DIR);
            if (stateDir(configured).equals(store.stateDir())) {
                return;
            }
            try {
                next = open(configured);
            } catch (IOException e) {
                throw new IllegalArgumentException("stateDir = " + Printable.quoted(configured)
                        + " cannot be opened: " + e, e);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            LOG.error(AuthSettings.refusal(RegistryComponent.PID, e, "the registry's storage " + store));
            return;
        }
        store = next;
        LOG.info("{}: configuration applied, the registry's storage is now {}", RegistryComponent.PID, next);
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
