package io.sink.stress;

import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ServerHandler;
import io.sink.testsupport.MemoryRegistry;
import io.sink.tls.Certificates;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** In-memory collaborators of the server and client engines for the stress tests. */
final class Doubles {
    private Doubles() {
    }

    /** Admits certificates by SHA-256 fingerprint. */
    static final class Authenticator implements ClientAuthenticator {
        private final Map<String, String> byFingerprint = new ConcurrentHashMap<>();

        Authenticator allow(X509Certificate certificate, String clientId) {
            byFingerprint.put(Certificates.sha256Fingerprint(certificate), clientId);
            return this;
        }

        @Override
        public Optional<String> authenticate(X509Certificate certificate) {
            return Optional.ofNullable(byFingerprint.get(Certificates.sha256Fingerprint(certificate)));
        }
    }

    /**
     * Remembers client instance ids, except for the clients it is told to forget: those are new
     * clients on every connection (so a fuzzing client's random instance ids are never a mismatch,
     * unless it presents a server instance id).
     */
    static final class Registry extends MemoryRegistry {
        private final Set<String> forgetful;

        Registry(InstanceId serverId, Set<String> forgetful) {
            super(serverId.value());
            this.forgetful = Set.copyOf(forgetful);
        }

        @Override
        public void registerClientInstanceId(String clientId, InstanceId clientInstanceId) {
            if (!forgetful.contains(clientId)) {
                super.registerClientInstanceId(clientId, clientInstanceId);
            }
        }
    }

    /**
     * ACKs every event at once; counts events per client and keeps the offsets of one watched
     * client's events (to check that none is lost); records connections up and down.
     */
    static final class Handler implements ServerHandler {
        private static final CompletableFuture<Optional<Nack>> ACK = CompletableFuture.completedFuture(Optional.empty());
        private final String watched;
        final Set<Long> watchedOffsets = ConcurrentHashMap.newKeySet();
        final Map<String, AtomicLong> events = new ConcurrentHashMap<>();
        final List<String> ups = new CopyOnWriteArrayList<>();
        final List<String> downs = new CopyOnWriteArrayList<>();

        Handler(String watched) {
            this.watched = watched;
        }

        @Override
        public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
            events.computeIfAbsent(clientId, id -> new AtomicLong()).incrementAndGet();
            if (clientId.equals(watched)) {
                watchedOffsets.add(event.offset());
            }
            return ACK;
        }

        long eventsOf(String clientId) {
            AtomicLong count = events.get(clientId);
            return count == null ? 0 : count.get();
        }

        @Override
        public void connectionUp(String clientId, String peer) {
            ups.add(clientId + " from " + peer);
        }

        @Override
        public void connectionDown(String clientId, String reason) {
            downs.add(clientId + ": " + reason);
        }
    }
}
