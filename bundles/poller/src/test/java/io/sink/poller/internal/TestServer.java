package io.sink.poller.internal;

import io.netty.handler.ssl.SslContext;
import io.sink.api.AckKey;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ClientRecord;
import io.sink.api.server.ClientRegistry;
import io.sink.api.server.ServerHandler;
import io.sink.tls.Certificates;
import io.sink.tls.DevCertificates;
import io.sink.tls.PemFiles;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.server.internal.SinkServerEngine;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * A real Sink server engine over TLS with in-memory collaborators (after the transport's test
 * fixtures): admits the dev client certificates, remembers instance ids across restarts, records
 * every event received and answers by a function the test sets (ACK by default).
 */
final class TestServer {
    final Authenticator authenticator = new Authenticator();
    final Registry registry = new Registry();
    final Handler handler = new Handler();
    private final SslContext tls;
    private SinkServerEngine engine;
    private int port;

    TestServer(Path pki, SslContext tls, String... clients) throws Exception {
        this.tls = tls;
        authenticator.allow(pki, clients);
    }

    /** Starts on an ephemeral port, or on the port it had before a stop. */
    int start() throws Exception {
        engine = new SinkServerEngine(ServerSettings.defaults(port), tls, () -> authenticator, () -> registry,
                () -> handler);
        InetSocketAddress address = engine.start();
        port = address.getPort();
        return port;
    }

    void stop() {
        if (engine != null) {
            engine.stop();
            engine = null;
        }
    }

    int port() {
        return port;
    }

    static final class Authenticator implements ClientAuthenticator {
        final Map<String, String> byFingerprint = new ConcurrentHashMap<>();

        void allow(Path pki, String... clients) throws Exception {
            for (String client : clients) {
                X509Certificate cert = PemFiles.readCertificates(DevCertificates.clientCertificate(pki, client)).get(0);
                byFingerprint.put(Certificates.sha256Fingerprint(cert), client);
            }
        }

        @Override
        public Optional<String> authenticate(X509Certificate certificate) {
            return Optional.ofNullable(byFingerprint.get(Certificates.sha256Fingerprint(certificate)));
        }
    }

    static final class Registry implements ClientRegistry {
        final InstanceId serverId = new InstanceId(777);
        final Map<String, InstanceId> clients = new ConcurrentHashMap<>();

        @Override
        public ClientRecord record(String clientId) {
            return new ClientRecord(serverId, Optional.ofNullable(clients.get(clientId)), Optional.empty());
        }

        @Override
        public void registerClientInstanceId(String clientId, InstanceId clientInstanceId) {
            clients.put(clientId, clientInstanceId);
        }

        @Override
        public boolean acceptsApplicationVersion(String clientId, String applicationVersion) {
            return true;
        }
    }

    static final class Handler implements ServerHandler {
        final ConcurrentLinkedQueue<Event> received = new ConcurrentLinkedQueue<>();
        volatile long firstReceivedNanos;
        volatile Function<Event, CompletionStage<Optional<Nack>>> answer =
                e -> CompletableFuture.completedFuture(Optional.empty());

        @Override
        public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
            if (received.isEmpty()) {
                firstReceivedNanos = System.nanoTime();
            }
            received.add(event);
            return answer.apply(event);
        }

        long count(AckKey key) {
            return received.stream().filter(e -> e.ackKey().equals(key)).count();
        }

        /** The ack keys received, each once, in the order first received. */
        List<AckKey> distinct() {
            Set<AckKey> keys = new LinkedHashSet<>();
            received.forEach(e -> keys.add(e.ackKey()));
            return new ArrayList<>(keys);
        }

        /** Events received more than once (at-least-once delivery allows it). */
        int duplicates() {
            return received.size() - distinct().size();
        }
    }
}
