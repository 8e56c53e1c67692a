package io.sink.transport.server.internal;

import io.netty.handler.ssl.SslContext;
import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ServerHandler;
import io.sink.testsupport.MemoryRegistry;
import io.sink.testsupport.RecordingClient;
import io.sink.tls.Certificates;
import io.sink.tls.DevCertificates;
import io.sink.tls.PemFiles;
import io.sink.tls.SslContexts;
import io.sink.transport.client.internal.ClientSettings;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** Certificates and in-memory collaborators for transport tests over real TLS. */
final class Fixtures {
    private Fixtures() {
    }

    static SslContext serverContext(Path pki) throws Exception {
        return SslContexts.forServer(DevCertificates.serverConfig(pki));
    }

    static SslContext clientContext(Path pki, String name) throws Exception {
        return SslContexts.forClient(DevCertificates.clientConfig(pki, name));
    }

    static ServerSettings serverSettings() {
        return ServerSettings.defaults(0);
    }

    static ClientSettings clientSettings(int port) {
        return ClientSettings.defaults("127.0.0.1", port).withReconnect(
                List.of(Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofMillis(100)),
                Duration.ofMillis(300));
    }

    static Event event(String key, long offset) {
        return Event.of(1, 1, key, offset, 1_700_000_000L + offset, new byte[] {(byte) offset, 1, 2, 3});
    }

    /** Admits the clients whose certificate files are in the PKI folder, by certificate fingerprint. */
    static final class Authenticator implements ClientAuthenticator {
        final Map<String, String> byFingerprint = new ConcurrentHashMap<>();

        Authenticator allow(Path pki, String... clients) throws Exception {
            for (String client : clients) {
                X509Certificate cert = PemFiles.readCertificates(DevCertificates.clientCertificate(pki, client)).get(0);
                byFingerprint.put(Certificates.sha256Fingerprint(cert), client);
            }
            return this;
        }

        @Override
        public Optional<String> authenticate(X509Certificate certificate) {
            return Optional.ofNullable(byFingerprint.get(Certificates.sha256Fingerprint(certificate)));
        }
    }

    /** Remembers client instance ids in memory; quarantine and version policy set by the test. */
    static final class Registry extends MemoryRegistry {
    }

    /** Records what clients publish; answers by a function of the event (ACK by default). */
    static final class Handler implements ServerHandler {
        final ConcurrentLinkedQueue<Event> received = new ConcurrentLinkedQueue<>();
        /** How many events each call of handlePublishes (events of one read) brought. */
        final List<Integer> together = new CopyOnWriteArrayList<>();
        final List<String> ups = new CopyOnWriteArrayList<>();
        final List<String> downs = new CopyOnWriteArrayList<>();
        volatile Function<Event, CompletionStage<Optional<Nack>>> answer =
                e -> CompletableFuture.completedFuture(Optional.empty());

        @Override
        public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
            received.add(event);
            return answer.apply(event);
        }

        @Override
        public List<CompletionStage<Optional<Nack>>> handlePublishes(String clientId, List<Event> events) {
            together.add(events.size());
            return ServerHandler.super.handlePublishes(clientId, events);
        }

        @Override
        public void connectionUp(String clientId, String peer) {
            ups.add(clientId);
        }

        @Override
        public void connectionDown(String clientId, String reason) {
            downs.add(clientId + ": " + reason);
        }

        long count(AckKey key) {
            return received.stream().filter(e -> e.ackKey().equals(key)).count();
        }
    }

    /** Keeps the client's instance ids in memory, like a store would on disk; records what it is told. */
    static final class Client extends RecordingClient {
        Client(long clientInstanceId) {
            super(clientInstanceId);
        }
    }
}
