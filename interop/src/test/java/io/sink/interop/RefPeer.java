package io.sink.interop;

import io.sink.distribution.SinkDistribution;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The original Elixir implementation, built from {@code ../shared/refpeer} into the folder named by
 * the system property {@code sink.refpeer} (the interop module's build makes it with
 * {@code build-refpeer.sh}): its {@code bin/server.sh} and {@code bin/client.sh} run as real
 * processes, driven by the environment variables of its HOWTO.md, with its own certificates
 * ({@code certs/}: the CA, {@code server}, the allowed {@code client-1} and {@code client-2}, and
 * {@code rogue}, signed by the same CA but not allowed).
 */
final class RefPeer {
    private static final Pattern LISTENING = Pattern.compile("(?m)^listening on (\\d+)$");

    private RefPeer() {
    }

    /** The build folder; fails with what to do when it is not there. */
    static Path home() {
        String property = System.getProperty("sink.refpeer");
        if (property == null || property.isBlank()) {
            throw new AssertionError("system property sink.refpeer (the built reference peer) is not set: run the"
                    + " tests with Maven (interop/pom.xml sets it)");
        }
        Path home = Path.of(property).toAbsolutePath().normalize();
        for (String file : List.of("bin/server.sh", "bin/client.sh", "certs/ca.pem", "certs/client-1.key",
                "refpeer/_build/prod/lib/refpeer/ebin/refpeer.app")) {
            if (!Files.exists(home.resolve(file))) {
                throw new AssertionError("the reference peer is not built in " + home + " (" + file + " is missing):"
                        + " run interop/build-refpeer.sh " + home + " (.ci/run and the interop module's build do)");
            }
        }
        return home;
    }

    static Path certs() {
        return home().resolve("certs");
    }

    /** Lowercase hex, as the event logs write keys and data. */
    static String hex(byte[] bytes) {
        return java.util.HexFormat.of().formatHex(bytes);
    }

    /** One line of SINK_EVENT_LOG / SINK_CLIENT_EVENT_LOG (9 tab-separated columns). */
    record LoggedEvent(String clientId, long eventTypeId, String keyHex, String offset, long timestamp,
            long schemaVersion, String dataHex, int messageId, String answer) {
        static LoggedEvent parse(String line) {
            String[] c = line.split("\t", -1);
            if (c.length != 9) {
                throw new AssertionError("not an event log line (9 columns): " + line);
            }
            return new LoggedEvent(c[0], Long.parseLong(c[1]), c[2], c[3], Long.parseLong(c[4]), Long.parseLong(c[5]),
                    c[6], Integer.parseInt(c[7]), c[8]);
        }

        String key() {
            return new String(java.util.HexFormat.of().parseHex(keyHex), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    // ------------------------------------------------------------------------------------ server

    /** A running bin/server.sh: its port, its stdout (one line per handshake and answer) and event log. */
    static final class Server implements AutoCloseable {
        final int port;
        final Path stdout;
        final Path stderr;
        final Path eventLog;
        private final Process process;

        private Server(int port, Path stdout, Path stderr, Path eventLog, Process process) {
            this.port = port;
            this.stdout = stdout;
            this.stderr = stderr;
            this.eventLog = eventLog;
            this.process = process;
        }

        /**
         * Starts a server on a free port with SINK_EVENT_LOG in {@code work} and the given variables
         * (for example SINK_SERVER_MODE), and waits for its {@code listening on PORT}.
         */
        static Server start(Path work, String name, Map<String, String> variables) throws IOException {
            Files.createDirectories(work);
            int port = SinkDistribution.freePort();
            Path out = work.resolve(name + ".out");
            Path err = work.resolve(name + ".err");
            Path events = work.resolve(name + "-events.tsv");
            Files.deleteIfExists(events);
            Map<String, String> env = new HashMap<>();
            env.put("SINK_PORT", String.valueOf(port));
            env.put("SINK_EVENT_LOG", events.toString());
            env.put("SINK_LOG_LEVEL", "warning");
            env.putAll(variables);
            ProcessBuilder pb = new ProcessBuilder(home().resolve("bin/server.sh").toString())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Server server = new Server(port, out, err, events, pb.start());
            try {
                SinkDistribution.await("'listening on " + port + "' from the reference server " + name,
                        Duration.ofSeconds(60), () -> {
                            if (!server.process.isAlive()) {
                                throw new AssertionError("the reference server " + name + " exited with "
                                        + server.process.exitValue() + ": " + server.out() + " / " + server.err());
                            }
                            Matcher m = LISTENING.matcher(server.out());
                            return m.find() && Integer.parseInt(m.group(1)) == port;
                        });
            } catch (RuntimeException | Error e) {
                server.close();
                throw e;
            }
            return server;
        }

        String out() {
            return SinkDistribution.readQuietly(stdout);
        }

        String err() {
            return SinkDistribution.readQuietly(stderr);
        }

        /** Waits until stdout holds {@code text}. */
        void awaitOut(String text) {
            SinkDistribution.await("'" + text + "' from the reference server on " + port + "; it said:\n" + out(),
                    SinkDistribution.CHANGE, () -> out().contains(text));
        }

        /** How often stdout holds {@code text}. */
        int count(String text) {
            String out = out();
            int n = 0;
            for (int i = out.indexOf(text); i >= 0; i = out.indexOf(text, i + text.length())) {
                n++;
            }
            return n;
        }

        /** The events received so far, in the order received. */
        List<LoggedEvent> events() {
            List<LoggedEvent> events = new ArrayList<>();
            for (String line : SinkDistribution.readQuietly(eventLog).lines().toList()) {
                if (!line.isEmpty()) {
                    events.add(LoggedEvent.parse(line));
                }
            }
            return events;
        }

        boolean isAlive() {
            return process.isAlive();
        }

        /** SIGTERM (a clean stop), SIGKILL after 10 s; also every child process. */
        @Override
        public void close() {
            stop(process);
        }

        @Override
        public String toString() {
            return "reference server on " + port;
        }
    }

    // ------------------------------------------------------------------------------------ client

    /** What a bin/client.sh run printed and how it ended. */
    record ClientRun(int exit, String out, String err) {
        @Override
        public String toString() {
            return "reference client exit " + exit + ", stdout:\n" + out + "stderr (last lines):\n"
                    + String.join("\n", err.lines().skip(Math.max(0, err.lines().count() - 20)).toList());
        }

        /** The events/s of {@code acked N/N in X ms (R events/s)}. */
        long eventsPerSecond() {
            Matcher m = Pattern.compile("(?m)^acked (\\d+)/(\\d+) in \\d+ ms \\((\\d+) events/s\\)$").matcher(out);
            if (!m.find()) {
                throw new AssertionError("no 'acked N/N in X ms (R events/s)' line: " + this);
            }
            return Long.parseLong(m.group(3));
        }
    }

    /**
     * Runs bin/client.sh against 127.0.0.1:{@code port} with the given variables (SINK_N, SINK_WINDOW,
     * SINK_CLIENT_CERT, ...) and waits for it to end (at most SINK_TIMEOUT_S, default 60 s, plus a margin).
     */
    static ClientRun runClient(Path work, String name, int port, Map<String, String> variables) throws IOException {
        return startClient(work, name, port, variables).await();
    }

    /** Starts bin/client.sh as {@link #runClient} does, without waiting for it. */
    static RunningClient startClient(Path work, String name, int port, Map<String, String> variables)
            throws IOException {
        Files.createDirectories(work);
        Path out = work.resolve(name + ".out");
        Path err = work.resolve(name + ".err");
        Map<String, String> env = new HashMap<>();
        env.put("SINK_PORT", String.valueOf(port));
        env.put("SINK_LOG_LEVEL", "warning");
        env.put("SINK_TIMEOUT_S", "60");
        env.putAll(variables);
        ProcessBuilder pb = new ProcessBuilder(home().resolve("bin/client.sh").toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().putAll(env);
        long limit = Long.parseLong(env.get("SINK_TIMEOUT_S")) + Long.parseLong(env.getOrDefault("SINK_LINGER_S", "0"))
                + 30;
        return new RunningClient(name, pb.start(), out, err, limit);
    }

    /** A bin/client.sh that runs. */
    record RunningClient(String name, Process process, Path stdout, Path stderr, long limitSeconds) {
        String out() {
            return SinkDistribution.readQuietly(stdout);
        }

        /** Waits for the end (killing it after {@code limitSeconds}). */
        ClientRun await() {
            try {
                if (!process.waitFor(limitSeconds, TimeUnit.SECONDS)) {
                    stop(process);
                    throw new AssertionError("the reference client " + name + " did not end within " + limitSeconds
                            + " s: " + out());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop(process);
                throw new AssertionError(e);
            }
            return new ClientRun(process.exitValue(), out(), SinkDistribution.readQuietly(stderr));
        }
    }

    private static void stop(Process process) {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }
}
