package io.sink.stress;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.testsupport.Await;
import io.sink.tls.Certificates;
import io.sink.tls.DevCertificateAuthority;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * N clients, each with its own certificate, connected at once to one Sink server that runs in its
 * own JVM with {@code -Xmx512m} (so its heap is measured alone, and a heap that does not fit ends the
 * server: {@code -XX:+ExitOnOutOfMemoryError}). Each client publishes periodically; every event must
 * be ACKed and no connection may drop. Reports N, handshakes per second, the server's CPU and heap.
 *
 * <p>Short: 200 clients. Long ({@code -Dsink.stress=long}): 10,000. Also
 * {@code -Dsink.stress.clients=N}, {@code -Dsink.stress.clients.periodMs}, {@code ...steadySeconds},
 * {@code ...concurrentHandshakes}, {@code ...serverHeap} (e.g. 512m).
 */
class ManyClientsTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void manyClientsOnOneServer(@TempDir Path dir) throws Exception {
        int n = Stress.integer("sink.stress.clients", 200, 10_000);
        int periodMillis = Stress.integer("sink.stress.clients.periodMs", 1000, 5000);
        int steadySeconds = Stress.integer("sink.stress.clients.steadySeconds", 5, 60);
        int concurrent = Stress.integer("sink.stress.clients.concurrentHandshakes", 16, 64);
        String serverHeap = System.getProperty("sink.stress.clients.serverHeap", "512m");
        long fileLimit = openFileLimit();
        assertThat(fileLimit).as("open file limit (ulimit -n) of this JVM: raise it to at least N + 1000 to run "
                + n + " clients (e.g. ulimit -n 65536 before mvn)").isGreaterThanOrEqualTo(n + 1000L);

        // ---- certificates: one key pair, N certificates (distinct subjects, serials, fingerprints)
        long t0 = System.nanoTime();
        TestPki pki = new TestPki();
        KeyPair shared = DevCertificateAuthority.newKeyPair();
        X509Certificate[] certificates = IntStream.range(0, n).parallel()
                .mapToObj(i -> pki.client("load-client-" + i, shared).certificate()).toArray(X509Certificate[]::new);
        pki.writeServerFiles(dir);
        List<String> allowed = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            allowed.add(Certificates.sha256Fingerprint(certificates[i]) + " load-client-" + i);
        }
        Files.write(dir.resolve("clients.txt"), allowed, StandardCharsets.UTF_8);
        double pkiSeconds = (System.nanoTime() - t0) / 1e9;

        Path serverLog = Stress.logDirectory().resolve("many-clients-server.log");
        List<String> jvm = List.of("-Xmx" + serverHeap, "-XX:+ExitOnOutOfMemoryError",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-Dorg.slf4j.simpleLogger.showDateTime=true");
        try (ChildJvm server = ChildJvm.start("stress-server", jvm, StressServer.class.getName(),
                List.of("--pki", dir.toString()), serverLog)) {
            int port = Integer.parseInt(server.expect("LISTENING ", Duration.ofSeconds(60)).substring(10));
            Map<String, Long> idle = stats(server);

            try (LoadClients clients = new LoadClients(certificates, shared.getPrivate(), pki.ca.certificate(), port, 0,
                    Duration.ofMillis(periodMillis))) {
                // ---- ramp: every client connects (TLS + Sink handshake)
                double rampSeconds = clients.connectAll(concurrent, Duration.ofSeconds(60 + n / 10));
                assertThat(clients.problems).as("client problems while connecting").isEmpty();
                assertThat(clients.connected()).as("clients connected").isEqualTo(n);
                Map<String, Long> ramped = stats(server);
                assertThat(ramped.get("connected")).as("clients the server holds").isEqualTo(n);

                // ---- steady: everybody publishes one event per period
                String rampLatency = clients.takeLatency();
                long steadyStart = System.nanoTime();
                long target = clients.published() + (long) n * steadySeconds * 1000 / periodMillis;
                Await.until(() -> "steady publishing: " + clients.published() + " of " + target + " events",
                        Duration.ofSeconds(steadySeconds * 3L + 60), () -> clients.published() >= target);
                Map<String, Long> steady = stats(server);
                double steadyWall = (System.nanoTime() - steadyStart) / 1e9;
                String steadyLatency = clients.takeLatency();

                clients.stopPublishing();
                Await.until(() -> "every event answered: " + clients.acked() + " of " + clients.published(),
                        Duration.ofSeconds(60), () -> clients.acked() + clients.nacked() == clients.published());
                Map<String, Long> end = stats(server);

                assertThat(clients.problems).as("client problems").isEmpty();
                assertThat(clients.nacked()).as("NACKs").isZero();
                assertThat(clients.disconnects()).as("connections lost").isZero();
                assertThat(clients.connected()).isEqualTo(n);
                assertThat(end.get("connected")).isEqualTo(n);
                assertThat(end.get("ups")).as("connections the server saw up").isEqualTo(n);
                assertThat(end.get("downs")).as("connections the server saw down").isZero();
                assertThat(end.get("events")).as("events the server handled").isEqualTo(clients.published());
                assertThat(server.isAlive()).as("the server (-Xmx" + serverHeap + ") is alive").isTrue();

                String report = report(n, periodMillis, concurrent, serverHeap, pkiSeconds, rampSeconds, steadyWall,
                        idle, ramped, steady, end, clients, rampLatency, steadyLatency);
                System.out.println(report);
                Files.writeString(Stress.logDirectory().resolve("many-clients-" + Stress.mode() + ".txt"), report);
            }
        }
    }

    private static Map<String, Long> stats(ChildJvm server) throws Exception {
        String line = server.ask("stats", "STATS ", Duration.ofSeconds(60));
        Map<String, Long> values = new HashMap<>();
        for (String pair : line.substring(6).split(" ")) {
            int eq = pair.indexOf('=');
            values.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
        }
        return values;
    }

    private static String report(int n, int periodMillis, int concurrent, String serverHeap, double pkiSeconds,
            double rampSeconds, double steadyWall, Map<String, Long> idle, Map<String, Long> ramped,
            Map<String, Long> steady, Map<String, Long> end, LoadClients clients, String rampLatency,
            String steadyLatency) {
        long rampCpu = ramped.get("cpu_ms") - idle.get("cpu_ms");
        long steadyCpu = steady.get("cpu_ms") - ramped.get("cpu_ms");
        long heapIdle = idle.get("heap_used_after_gc");
        long heapN = ramped.get("heap_used_after_gc");
        StringBuilder text = new StringBuilder();
        text.append(String.format("%nmany clients (%s): %,d clients, each its own certificate, on one server JVM"
                + " (-Xmx%s), %d handshakes in flight at most, one event per client every %d ms%n",
                Stress.mode(), n, serverHeap, concurrent, periodMillis));
        text.append(String.format("  machine: %d cores, load average %.2f at the end; open file limit %d%n",
                Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean()
                        .getSystemLoadAverage(), openFileLimit()));
        text.append(String.format("  certificates issued in %.1f s%n", pkiSeconds));
        text.append(String.format("  ramp: %,d TLS + Sink handshakes in %.1f s = %.0f handshakes/s;"
                + " server CPU %,d ms = %.2f ms per handshake%n", n, rampSeconds, n / rampSeconds, rampCpu,
                (double) rampCpu / n));
        text.append(String.format("  server heap after GC: %,d KiB idle, %,d KiB with %,d clients (%.1f KiB per"
                + " connection), %,d KiB at the end; committed %,d KiB of max %,d KiB%n",
                heapIdle / 1024, heapN / 1024, n, (heapN - heapIdle) / 1024.0 / n,
                end.get("heap_used_after_gc") / 1024, end.get("heap_committed") / 1024, end.get("heap_max") / 1024));
        text.append(String.format("  server off-heap: direct (JDK) %,d KiB, Netty direct %,d KiB, pooled direct %,d"
                + " KiB; RSS %,d MiB; %d threads; %,d file descriptors%n",
                end.get("direct_nio") / 1024, Math.max(-1, end.get("direct_netty") / 1024),
                end.get("pooled_direct") / 1024, end.get("rss_kb") / 1024, end.get("threads"), end.get("fds")));
        text.append(String.format("  steady: %,d events in %.1f s (%,.0f events/s); server CPU %,d ms = %.1f%% of one"
                + " core%n", steady.get("events") - ramped.get("events"), steadyWall,
                (steady.get("events") - ramped.get("events")) / steadyWall, steadyCpu, 100.0 * steadyCpu / 1000 / steadyWall));
        text.append(String.format("  events: %,d published, %,d ACKed, %d NACKed, %d periods skipped (previous event"
                + " unanswered)%n", clients.published(), clients.acked(), clients.nacked(), clients.skipped()));
        text.append("  publish-to-ACK (powers of 2): during the ramp ").append(rampLatency).append(";\n")
                .append("                                in the steady phase ").append(steadyLatency).append('\n');
        text.append(String.format("  connections lost: %d; server saw %d up, %d down%n", clients.disconnects(),
                end.get("ups"), end.get("downs")));
        text.append(String.format("  (heap per connection is the difference of two heaps after full GCs; %.0f MiB of"
                + " the %s limit used with %,d clients)%n", heapN / (double) MIB, serverHeap, n));
        return text.toString();
    }

    /** The soft limit of open files of this process (Linux), or Long.MAX_VALUE when unknown. */
    static long openFileLimit() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/limits"))) {
            return lines.filter(l -> l.startsWith("Max open files")).findFirst()
                    .map(l -> l.substring("Max open files".length()).trim().split("\\s+")[0])
                    .map(v -> v.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(v)).orElse(Long.MAX_VALUE);
        } catch (IOException | RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }
}
