package io.sink.server.auth.internal;

import io.sink.api.server.ClientAuthenticator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.SortedSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The authenticator behind {@link AuthenticatorComponent}: an {@link AllowList} kept current by an
 * {@link AllowListWatcher}, closing the live connection of every client that loses its place on it.
 */
final class Authenticator implements ClientAuthenticator, AllowedClients, AutoCloseable {
    static final String DISCONNECT_REASON = "certificate removed from the allow-list";
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);

    private final AllowList allowList;
    private final AllowListWatcher watcher;

    private Authenticator(AllowList allowList, AllowListWatcher watcher) {
        this.allowList = allowList;
        this.watcher = watcher;
    }

    /**
     * Creates the allow-list directory when it is missing (an empty allow-list admits nobody), reads it
     * and starts watching it.
     *
     * @param watchEvents whether to watch for change events; the periodic rescan runs regardless
     * @throws IllegalArgumentException the configured path is not a directory (naming allowListDir)
     * @throws IOException              the directory cannot be created or read
     */
    static Authenticator start(AuthSettings settings, boolean watchEvents, ConnectionCloser closer) throws IOException {
        return start(settings, watchEvents, closer, result -> {
        });
    }

    /** As above; {@code observer} sees every scan's result after its revoked clients' connections are closed. */
    static Authenticator start(AuthSettings settings, boolean watchEvents, ConnectionCloser closer,
            Consumer<AllowList.ScanResult> observer) throws IOException {
        Path directory = settings.allowListDir();
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new IllegalArgumentException("allowListDir: " + directory + " exists but is not a directory");
        }
        if (!Files.exists(directory)) {
            Files.createDirectories(directory);
            LOG.warn("Created the empty allow-list directory {}: no client is admitted until its certificate is "
                    + "placed there as <client-id>.pem", directory);
        }
        AllowList allowList = new AllowList(directory);
        AllowList.ScanResult first = allowList.scan();
        LOG.info("Allow-list {} admits {} client(s); rescanned every {} s{}", directory, first.clients().size(),
                settings.rescanInterval().toSeconds(), watchEvents ? " and on change" : "");
        AllowListWatcher watcher = AllowListWatcher.start(allowList, settings.rescanInterval(), watchEvents,
                result -> {
                    for (String clientId : result.revoked()) {
                        closer.close(clientId, DISCONNECT_REASON);
                    }
                    observer.accept(result);
                });
        return new Authenticator(allowList, watcher);
    }

    @Override
    public Optional<String> authenticate(X509Certificate certificate) {
        return allowList.authenticate(certificate);
    }

    @Override
    public boolean isAdmitted(String clientId) {
        return allowList.isAdmitted(clientId);
    }

    @Override
    public SortedSet<String> allowedClients() {
        return allowList.clients();
    }

    @Override
    public String fingerprint(String clientId) {
        return allowList.fingerprint(clientId).orElse(null);
    }

    Path directory() {
        return allowList.directory();
    }

    /** Stops watching; waits for the watcher thread. */
    @Override
    public void close() {
        watcher.close();
    }
}
