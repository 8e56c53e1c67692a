package io.sink.server.auth.internal;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import io.sink.api.text.Printable;
import io.sink.server.auth.ClientAdministration;
import io.sink.server.auth.storage.RegistryStorage;
import io.sink.server.auth.storage.StoredClient;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client registry behind {@link RegistryComponent}: the handshake's view ({@link ClientRegistry})
 * and the operator's ({@link ClientAdministration}) over one {@link RegistryStorage}. Changes to one
 * client are serialized; handshakes of different clients do not wait for each other.
 */
final class Registry implements ClientRegistry, ClientAdministration {
    static final String QUARANTINE_DISCONNECT_REASON = "quarantined by the operator";
    private static final Logger LOG = LoggerFactory.getLogger(Registry.class);

    private final RegistryStorage store;
    /** Replaced by {@link #versionPolicy(VersionPolicy)} when the configuration changes. */
    private volatile VersionPolicy versionPolicy;
    private final Supplier<AllowedClients> allowList;
    private final ConnectionCloser closer;
    private final Clock clock;
    private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();

    /**
     * @param allowList gives the allow-list now, or null when no authenticator of this bundle runs
     */
    Registry(RegistryStorage store, VersionPolicy versionPolicy, Supplier<AllowedClients> allowList,
            ConnectionCloser closer, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.versionPolicy = Objects.requireNonNull(versionPolicy, "versionPolicy");
        this.allowList = Objects.requireNonNull(allowList, "allowList");
        this.closer = Objects.requireNonNull(closer, "closer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Milliseconds are plenty for an operator reading a record. */
    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private Object lock(String clientId) {
        return locks.computeIfAbsent(clientId, id -> new Object());
    }

    // ---- ClientRegistry: the handshake

    @Override
    public ClientRecord record(String clientId) {
        ClientIds.require(clientId);
        return store.get(clientId).orElseGet(() -> StoredClient.empty(clientId)).toRecord(store.serverInstanceId());
    }

    /**
     * @throws IllegalStateException a different instance id is stored already (two devices with one
     *                               certificate, or a race), or the client's record is unreadable
     */
    @Override
    public void registerClientInstanceId(String clientId, InstanceId clientInstanceId) throws IOException {
        ClientIds.require(clientId);
        Objects.requireNonNull(clientInstanceId, "clientInstanceId");
        synchronized (lock(clientId)) {
            StoredClient existing = store.get(clientId).orElseGet(() -> StoredClient.empty(clientId));
            if (existing.isUnreadable()) {
                throw new IllegalStateException("the registry record of client " + clientId + " is unreadable ("
                        + existing.unreadable().get() + "); not replacing it");
            }
            if (existing.instanceId().isPresent()) {
                if (existing.instanceId().get().equals(clientInstanceId)) {
                    return;
                }
                throw new IllegalStateException("client " + clientId + " already has instance id "
                        + existing.instanceId().get() + "; refusing to replace it with " + clientInstanceId
                        + " (forget the client to allow it)");
            }
            store.put(existing.withInstanceId(clientInstanceId, now()));
        }
        LOG.info("Registered client instance id {} of client {}", clientInstanceId, clientId);
    }

    VersionPolicy versionPolicy() {
        return versionPolicy;
    }

    void versionPolicy(VersionPolicy next) {
        this.versionPolicy = Objects.requireNonNull(next, "versionPolicy");
    }

    @Override
    public boolean acceptsApplicationVersion(String clientId, String applicationVersion) {
        return versionPolicy.accepts(clientId, applicationVersion);
    }

    // ---- ClientAdministration: the operator

    @Override
    public String quarantine(String clientId, String machineReason, String humanReason) throws IOException {
        requireKnown(clientId);
        Nack reason = Nack.of(Objects.requireNonNull(machineReason, "machineReason"),
                Objects.requireNonNull(humanReason, "humanReason"));
        boolean replaced;
        synchronized (lock(clientId)) {
            StoredClient existing = store.get(clientId).orElseGet(() -> StoredClient.empty(clientId));
            requireReadable(existing, "quarantine");
            replaced = existing.quarantine().isPresent();
            store.put(existing.withQuarantine(reason, now()));
        }
        LOG.info("Quarantined client {}: machine {}, human {}", clientId, printableMachine(reason),
                Printable.quoted(reason.humanMessage(), Printable.MAX_INLINE_BYTES));
        // After the record is durable: the client reconnects and is answered with quarantined.
        ConnectionCloser.Outcome outcome = closer.close(clientId, QUARANTINE_DISCONNECT_REASON);
        return (replaced ? "replaced the quarantine reason of " : "quarantined ") + clientId + " (machine "
                + printableMachine(reason) + ", human " + Printable.quoted(reason.humanMessage(), Printable.MAX_INLINE_BYTES) + "); " + outcome.description();
    }

    @Override
    public String unquarantine(String clientId) throws IOException {
        requireKnown(clientId);
        synchronized (lock(clientId)) {
            Optional<StoredClient> existing = store.get(clientId);
            if (existing.isEmpty() || existing.get().quarantine().isEmpty() && !existing.get().isUnreadable()) {
                return clientId + " was not quarantined";
            }
            requireReadable(existing.get(), "unquarantine");
            store.put(existing.get().withoutQuarantine());
        }
        LOG.info("Lifted the quarantine of client {}", clientId);
        return "unquarantined " + clientId;
    }

    @Override
    public String forget(String clientId) throws IOException {
        ClientIds.require(clientId);
        String description;
        synchronized (lock(clientId)) {
            Optional<StoredClient> existing = store.get(clientId);
            if (existing.isEmpty()) {
                return "nothing remembered for " + clientId;
            }
            StoredClient client = existing.get();
            if (client.isUnreadable()) {
                String aside = store.setAside(clientId);
                description = "set the unreadable registry record of " + clientId + " aside as " + aside
                        + "; nothing is remembered for " + clientId + " now";
            } else if (client.instanceId().isEmpty()) {
                return "no client instance id remembered for " + clientId + " (it stays quarantined)";
            } else {
                store.put(client.withoutInstanceId());
                description = "forgot client instance id " + client.instanceId().get() + " of " + clientId
                        + (client.quarantine().isPresent() ? " (it stays quarantined)" : "");
            }
        }
        LOG.info("Operator: {}", description);
        return description;
    }

    @Override
    public Optional<ClientRecord> remembered(String clientId) {
        ClientIds.require(clientId);
        return store.get(clientId).map(client -> client.toRecord(store.serverInstanceId()));
    }

    @Override
    public String describe(String clientId) {
        ClientIds.require(clientId);
        AllowedClients allowed = allowList.get();
        String fingerprint = allowed == null ? null : allowed.fingerprint(clientId);
        StringBuilder out = new StringBuilder(clientId).append(": ");
        out.append(fingerprint != null ? "on the allow-list (SHA-256 " + fingerprint + ")"
                : allowed == null ? "allow-list not available" : "not on the allow-list");
        Optional<StoredClient> stored = store.get(clientId);
        if (stored.isPresent() && stored.get().isUnreadable()) {
            return out.append("; registry record unreadable (").append(stored.get().unreadable().get())
                    .append("): refused as quarantined until forgotten").toString();
        }
        StoredClient client = stored.orElseGet(() -> StoredClient.empty(clientId));
        out.append("; ").append(client.instanceId().map(id -> "client instance id " + id
                + client.registeredAt().map(at -> " (registered " + at + ")").orElse("")).orElse("no client instance id"));
        out.append("; ").append(client.quarantine().map(nack -> "quarantined"
                + client.quarantinedAt().map(at -> " since " + at).orElse("") + " (machine " + printableMachine(nack)
                + ", human " + Printable.quoted(nack.humanMessage(), Printable.MAX_INLINE_BYTES) + ")").orElse("not quarantined"));
        return out.toString();
    }

    @Override
    public SortedSet<String> allowedClients() {
        AllowedClients allowed = allowList.get();
        return allowed == null ? Collections.emptySortedSet() : allowed.allowedClients();
    }

    @Override
    public SortedSet<String> rememberedClients() {
        return store.clientIds();
    }

    @Override
    public InstanceId serverInstanceId() {
        return store.serverInstanceId();
    }

    private void requireKnown(String clientId) {
        ClientIds.require(clientId);
        if (store.get(clientId).isEmpty() && !allowedClients().contains(clientId)) {
            throw new IllegalArgumentException("unknown client " + clientId
                    + ": it is not on the allow-list and the registry remembers nothing of it");
        }
    }

    private static void requireReadable(StoredClient client, String action) {
        if (client.isUnreadable()) {
            throw new IllegalArgumentException("cannot " + action + " " + client.clientId()
                    + ": its registry record is unreadable (" + client.unreadable().get()
                    + "), so it is refused as quarantined; forget it first to discard the record");
        }
    }

    private static String printableMachine(Nack nack) {
        return Printable.quotedBytes(nack.machineMessage());
    }
}
