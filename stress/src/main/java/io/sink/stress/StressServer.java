package io.sink.stress;

import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.util.internal.PlatformDependent;
import io.sink.api.Event;
import io.sink.api.Nack;
import io.sink.api.server.ClientAuthenticator;
import io.sink.api.server.ServerHandler;
import io.sink.testsupport.MemoryRegistry;
import io.sink.tls.Certificates;
import io.sink.tls.PemFiles;
import io.sink.tls.SslContexts;
import io.sink.tls.TlsCredentials;
import io.sink.transport.server.internal.ServerLimits;
import io.sink.transport.server.internal.ServerSettings;
import io.sink.transport.server.internal.SinkServerEngine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * A Sink server in its own JVM, for load tests that measure the server alone (its heap, its CPU):
 * a {@link SinkServerEngine} with in-memory collaborators that admit the clients listed in a file
 * and ACK every event at once.
 *
 * <pre>
 * java -Xmx512m -XX:+ExitOnOutOfMemoryError -cp &lt;class path&gt; io.sink.stress.StressServer --pki DIR
 *      [--port 0] [--io-threads 0] [--handshake-timeout-seconds 30] [--keepalive-seconds 60]
 * </pre>
 *
 * {@code DIR} holds {@code ca.pem} (the CA that issued the client certificates), {@code server.pem}
 * and {@code server-key.pem}, and {@code clients.txt}: one {@code <sha256 fingerprint> <client id>}
 * per line (the fingerprint as {@link Certificates#sha256Fingerprint} writes it). The server prints
 * {@code LISTENING <port>} on standard output, then answers commands read from standard input:
 * {@code stats} prints one line {@code STATS key=value ...} (see {@link #stats}); {@code quit}, or the
 * end of standard input, stops the server and exits after printing {@code BYE}.
 */
public final class StressServer {
    private final SinkServerEngine engine;
    private final Handler handler = new Handler();
    private final long startNanos = System.nanoTime();

    private StressServer(ServerSettings settings, SslContext tls, Map<String, String> clientsByFingerprint) {
        Authenticator authenticator = new Authenticator(clientsByFingerprint);
        MemoryRegistry registry = new MemoryRegistry(4242);
        this.engine = new SinkServerEngine(settings, tls, () -> authenticator, () -> registry, () -> handler);
    }

    public static void main(String[] args) throws Exception {
        Path pki = null;
        int port = 0;
        int ioThreads = 0;
        long handshakeSeconds = 30;
        long keepaliveSeconds = 60;
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                usage("option " + args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--pki":
                    pki = Path.of(value);
                    break;
                case "--port":
                    port = Integer.parseInt(value);
                    break;
                case "--io-threads":
                    ioThreads = Integer.parseInt(value);
                    break;
                case "--handshake-timeout-seconds":
                    handshakeSeconds = Long.parseLong(value);
                    break;
                case "--keepalive-seconds":
                    keepaliveSeconds = Long.parseLong(value);
                    break;
                default:
                    usage("unknown option " + args[i]);
            }
        }
        if (pki == null) {
            usage("--pki DIR is required");
        }
        TlsCredentials credentials = new TlsCredentials(PemFiles.readPrivateKey(pki.resolve("server-key.pem")),
                PemFiles.readCertificates(pki.resolve("server.pem")), PemFiles.readCertificates(pki.resolve("ca.pem")));
        // every load client connects from 127.0.0.1, all at once: no per-address or handshake-rate limit
        ServerSettings settings = new ServerSettings("127.0.0.1", port, Duration.ofSeconds(keepaliveSeconds),
                Duration.ofSeconds(handshakeSeconds), ioThreads, 4095,
                ServerLimits.DEFAULTS.withConnections(1_000_000, 1_000_000).withHandshakeRate(1_000_000, 1_000_000));
        StressServer server = new StressServer(settings, SslContexts.forServer(credentials),
                readClients(pki.resolve("clients.txt")));
        server.run();
    }

    private static void usage(String problem) {
        System.err.println("error: " + problem);
        System.err.println("usage: java -Xmx512m -cp <class path> io.sink.stress.StressServer --pki DIR [--port 0]"
                + " [--io-threads 0] [--handshake-timeout-seconds 30] [--keepalive-seconds 60]");
        System.exit(2);
    }

    /** Reads {@code <fingerprint> <client id>} lines. */
    static Map<String, String> readClients(Path file) throws IOException {
        Map<String, String> clients = new HashMap<>();
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).forEach(line -> {
                String[] parts = line.split("\\s+");
                if (parts.length != 2) {
                    throw new IllegalArgumentException(file + ": expected '<fingerprint> <client id>', got '" + line
                            + "'");
                }
                clients.put(parts[0], parts[1]);
            });
        }
        return clients;
    }

    private void run() throws Exception {
        PrintStream out = System.out;
        InetSocketAddress address = engine.start();
        try {
            out.println("LISTENING " + address.getPort());
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.trim();
                if (command.equals("quit")) {
                    break;
                } else if (command.equals("stats")) {
                    out.println("STATS " + stats());
                } else {
                    out.println("ERR unknown command '" + command + "'; commands: stats, quit");
                }
                out.flush();
            }
        } finally {
            engine.stop();
        }
        out.println("BYE");
        out.flush();
    }

    /**
     * {@code connected} (clients connected now), {@code ups}/{@code downs} (connections up and down
     * so far), {@code events} (events ACKed), {@code cpu_ms} (process CPU time, read before the GC),
     * {@code heap_used_after_gc}/{@code heap_committed}/{@code heap_max} and {@code non_heap_used}
     * (bytes), {@code direct_nio} (JDK direct buffers) and {@code direct_netty} (Netty's own direct
     * memory counter, -1 when it keeps none), {@code pooled_direct}/{@code pooled_heap} (Netty's
     * pooled allocator), {@code threads}, {@code rss_kb} and {@code fds} (Linux only, else -1),
     * {@code uptime_ms}.
     */
    private String stats() {
        long cpuNanos = processCpuNanos();
        System.gc();
        System.gc();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long direct = 0;
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                direct += pool.getMemoryUsed();
            }
        }
        return "connected=" + engine.openConnections()
                + " ups=" + handler.ups.sum()
                + " downs=" + handler.downs.sum()
                + " events=" + handler.events.sum()
                + " cpu_ms=" + cpuNanos / 1_000_000
                + " heap_used_after_gc=" + memory.getHeapMemoryUsage().getUsed()
                + " heap_committed=" + memory.getHeapMemoryUsage().getCommitted()
                + " heap_max=" + memory.getHeapMemoryUsage().getMax()
                + " non_heap_used=" + memory.getNonHeapMemoryUsage().getUsed()
                + " direct_nio=" + direct
                + " direct_netty=" + PlatformDependent.usedDirectMemory()
                + " pooled_direct=" + PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory()
                + " pooled_heap=" + PooledByteBufAllocator.DEFAULT.metric().usedHeapMemory()
                + " threads=" + ManagementFactory.getThreadMXBean().getThreadCount()
                + " rss_kb=" + rssKilobytes()
                + " fds=" + openFiles()
                + " uptime_ms=" + (System.nanoTime() - startNanos) / 1_000_000;
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private static long rssKilobytes() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(l -> l.startsWith("VmRSS:")).findFirst()
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long openFiles() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Admits the listed certificates by fingerprint. */
    private static final class Authenticator implements ClientAuthenticator {
        private final Map<String, String> byFingerprint;

        Authenticator(Map<String, String> byFingerprint) {
            this.byFingerprint = Map.copyOf(byFingerprint);
        }

        @Override
        public Optional<String> authenticate(X509Certificate certificate) {
            return Optional.ofNullable(byFingerprint.get(Certificates.sha256Fingerprint(certificate)));
        }
    }

    /** ACKs every event at once and counts. */
    private static final class Handler implements ServerHandler {
        private static final CompletableFuture<Optional<Nack>> ACK = CompletableFuture.completedFuture(Optional.empty());
        final LongAdder events = new LongAdder();
        final LongAdder ups = new LongAdder();
        final LongAdder downs = new LongAdder();

        @Override
        public CompletionStage<Optional<Nack>> handlePublish(String clientId, Event event) {
            events.increment();
            return ACK;
        }

        @Override
        public void connectionUp(String clientId, String peer) {
            ups.increment();
        }

        @Override
        public void connectionDown(String clientId, String reason) {
            downs.increment();
        }
    }
}
