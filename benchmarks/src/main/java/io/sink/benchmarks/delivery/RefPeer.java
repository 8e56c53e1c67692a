package io.sink.benchmarks.delivery;

import io.sink.testsupport.Await;
import io.sink.tls.TlsConfig;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The original Elixir implementation as built by {@code interop/build-refpeer.sh DIR}: its
 * {@code bin/server.sh} and {@code bin/client.sh} (see the reference peer's HOWTO.md) in the pairings
 * of {@link DeliveryBenchmark}'s side-by-side mode, with the reference peer's certificates.
 */
final class RefPeer {
    private static final Pattern ACKED = Pattern.compile("(?m)^acked (\\d+)/(\\d+) in (\\d+) ms \\((\\d+) events/s\\)$");
    private static final Pattern LISTENING = Pattern.compile("(?m)^listening on (\\d+)$");

    final Path dir;
    private int runs;

    RefPeer(Path dir) {
        for (String file : List.of("bin/server.sh", "bin/client.sh", "certs/ca.pem", "certs/server.key",
                "certs/client-1.key")) {
            if (!Files.exists(dir.resolve(file))) {
                throw new IllegalArgumentException("refpeer=" + dir + ": no " + file + " (build the original with"
                        + " interop/build-refpeer.sh " + dir + ")");
            }
        }
        this.dir = dir;
    }

    TlsConfig serverTls() {
        Path certs = dir.resolve("certs");
        return new TlsConfig(certs.resolve("server.pem"), certs.resolve("server.key"), certs.resolve("ca.pem"));
    }

    TlsConfig clientTls() {
        Path certs = dir.resolve("certs");
        return new TlsConfig(certs.resolve("client-1.pem"), certs.resolve("client-1.key"), certs.resolve("ca.pem"));
    }

    /** The original client against the original server. */
    double originalToOriginal(Path work, int window, int events) throws Exception {
        Files.createDirectories(work);
        int port = freePort();
        Process server = startServer(work, port);
        try {
            return runClient(work, port, window, events, "the original server (ACK on receipt)");
        } finally {
            stop(server);
        }
    }

    /** The original client against our server (SQLite, durable before each ACK). */
    double originalToOurs(Path work, int window, int events) throws Exception {
        Files.createDirectories(work);
        Process server = DeliveryBenchmark.startOurServer(work, serverTls());
        try {
            BufferedReader serverOut = new BufferedReader(
                    new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            int port = DeliveryBenchmark.ourServerPort(server, serverOut);
            double rate = runClient(work, port, window, events, "our server (stored before ACK)");
            long stored = DeliveryBenchmark.stopOurServer(server, serverOut);
            System.out.printf("window %4d: our server stored %d of %d (%s)%n", window, stored, events,
                    stored == events ? "exactly once" : "MISMATCH");
            return rate;
        } finally {
            stop(server);
        }
    }

    /** Our client (durable log) against the original server. */
    double oursToOriginal(Path work, int window, int events) throws Exception {
        Files.createDirectories(work);
        int port = freePort();
        Process server = startServer(work, port);
        try {
            return DeliveryBenchmark.drainInto(work, port, clientTls(), window, events,
                    "the original server (ACK on receipt)");
        } finally {
            stop(server);
        }
    }

    /** bin/server.sh without an event log; returns once it listens. */
    private Process startServer(Path work, int port) throws IOException, InterruptedException {
        Path out = work.resolve("original-server.out");
        ProcessBuilder pb = new ProcessBuilder(dir.resolve("bin/server.sh").toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(work.resolve("original-server.err").toFile());
        pb.environment().put("SINK_PORT", String.valueOf(port));
        pb.environment().put("SINK_LOG_LEVEL", "warning");
        Process server = pb.start();
        String[] text = {""};
        boolean listening = Await.holds(Duration.ofSeconds(60), () -> {
            text[0] = readQuietly(out);
            return LISTENING.matcher(text[0]).find() || !server.isAlive();
        }) && LISTENING.matcher(text[0]).find();
        if (!listening) {
            stop(server);
            throw new IllegalStateException("the original server did not start: " + text[0]);
        }
        if (runs++ == 0) {
            System.out.println(text[0].lines().findFirst().orElse(""));
        }
        return server;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** bin/client.sh: {@code events} events at {@code window}; its own events/s figure. */
    private double runClient(Path work, int port, int window, int events, String server) throws Exception {
        Path out = work.resolve("original-client.out");
        ProcessBuilder pb = new ProcessBuilder(dir.resolve("bin/client.sh").toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(work.resolve("original-client.err").toFile());
        pb.environment().put("SINK_PORT", String.valueOf(port));
        pb.environment().put("SINK_N", String.valueOf(events));
        pb.environment().put("SINK_WINDOW", String.valueOf(window));
        pb.environment().put("SINK_TIMEOUT_S", "1800");
        pb.environment().put("SINK_KEY_PREFIX", "w" + window + "-");
        pb.environment().put("SINK_LOG_LEVEL", "warning");
        Process client = pb.start();
        try {
            if (!client.waitFor(1900, TimeUnit.SECONDS) || client.exitValue() != 0) {
                throw new IllegalStateException("the original client failed: " + Files.readString(out));
            }
        } finally {
            stop(client);
        }
        Matcher m = ACKED.matcher(Files.readString(out));
        if (!m.find()) {
            throw new IllegalStateException("no 'acked' line from the original client: " + Files.readString(out));
        }
        long rate = Long.parseLong(m.group(4));
        System.out.printf("window %4d: %8d events in %7.2f s = %8d events/s from the original client (first"
                + " PUBLISH to last ACK) into %s%n", window, events, Long.parseLong(m.group(3)) / 1000.0, rate, server);
        return rate;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void stop(Process process) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
