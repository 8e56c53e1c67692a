package io.sink.benchmarks.startup;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * Start-up and footprint of the distribution's client, measured the way an operator meets them (not
 * JMH): a copy of the unpacked distribution (default {@code distribution/target/sink}) with free ports
 * and fresh certificates; the server is started once; then {@code runs} times {@code bin/sink client
 * start}, timed until the client answers {@code sink:connected} with {@code true} (asked over the shell
 * socket every 10 ms, in this JVM), the client JVM's CPU time at that moment, and its resident memory
 * ({@code VmRSS}) after {@code settle} seconds idle; {@code bin/sink client stop} after each. The first
 * start of a fresh copy also makes the framework cache and (at its stop) the class data sharing archive,
 * so it is reported apart and left out of the median. Finally the client logs {@code readings}
 * readings ({@code sensor:log}, four shell sessions at once, 100 per command) while connected, and its
 * resident memory is read right after and after {@code settle} seconds more.
 *
 * <pre>
 * mvn -o -B -q install -DskipTests      # distribution/target/sink and benchmarks/target/benchmarks.jar
 * java -cp benchmarks/target/benchmarks.jar io.sink.benchmarks.startup.StartupBenchmark \
 *      dist=distribution/target/sink runs=5 settle=10 readings=100000
 * </pre>
 *
 * {@code work=DIR} (default {@code /tmp/sink-startup-bench}, emptied first) is where the copy runs.
 * The environment is passed on to {@code bin/sink}: {@code SINK_CDS=off}, {@code SINK_CLEAN_CACHE=yes} or
 * {@code SINK_CLIENT_MEMORY=...} compare a setting. Every process started is stopped at the end.
 *
 * <p>{@code alternate=OPTIONS} compares JVM options within one copy: every run then starts the client
 * twice, once as above and once with {@code SINK_JAVA_OPTS=OPTIONS}, in alternating order, and the
 * summary gives both and each pair's difference. Run against run, the figures of this machine move by
 * about 0.1 s, more than many a change is worth; interleaved starts of one copy, with one archive,
 * separate them.
 */
public final class StartupBenchmark {
    private static final Pattern VM_RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");
    private static final Pattern STATUS_LINE = Pattern.compile("status: (\\d{1,3})(?: (.*))?");
    private static final long CLOCK_TICKS_PER_SECOND = 100; // Linux USER_HZ
    private static final int SESSIONS = 4; // the shell socket's default maxConcurrentCommands
    private static final int READINGS_PER_COMMAND = 100;

    private final Path dist;
    /** SINK_JAVA_OPTS of the alternate starts, null when not comparing. */
    private final String alternate;

    private StartupBenchmark(Path dist, String alternate) {
        this.dist = dist;
        this.alternate = alternate;
    }

    /** One client start. */
    record Start(long returnedMillis, long connectedMillis, long cpuMillis, long idleRssKb) {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq < 1) {
                throw new IllegalArgumentException("expected name=value, got '" + arg + "'");
            }
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        Path source = Path.of(options.getOrDefault("dist", "distribution/target/sink")).toAbsolutePath().normalize();
        Path work = Path.of(options.getOrDefault("work", "/tmp/sink-startup-bench")).toAbsolutePath().normalize();
        int runs = Integer.parseInt(options.getOrDefault("runs", "5"));
        int settle = Integer.parseInt(options.getOrDefault("settle", "10"));
        int readings = Integer.parseInt(options.getOrDefault("readings", "100000"));
        if (!Files.isExecutable(source.resolve("bin/sink"))) {
            throw new IllegalArgumentException(source + "/bin/sink missing: build the distribution first");
        }

        System.out.printf("StartupBenchmark: %s, %d runs, %d s settle, %d readings; %d cores, java %s, load %s%n",
                source, runs, settle, readings, Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), loadAverage());
        System.out.println("environment: " + System.getenv().entrySet().stream()
                .filter(e -> e.getKey().startsWith("SINK_")).map(e -> e.getKey() + "=" + e.getValue())
                .sorted().collect(Collectors.joining(" ", "", ""))
                + (options.containsKey("alternate") ? "; alternate starts: SINK_JAVA_OPTS=" + options.get("alternate") : ""));
        StartupBenchmark bench = new StartupBenchmark(copy(source, work), options.get("alternate"));
        try {
            bench.run(runs, settle, readings);
        } finally {
            bench.stopAll();
        }
    }

    private void run(int runs, int settle, int readings) throws Exception {
        check(sink("certs"), "bin/sink certs");
        long serverStart = System.nanoTime();
        check(sink("server", "start"), "bin/sink server start");
        System.out.printf("server started in %d ms%n", millisSince(serverStart));

        List<Start> starts = new ArrayList<>();
        List<Start> alternates = new ArrayList<>();
        for (int i = 0; i <= runs; i++) {
            // the first start makes the archive: always as configured; then alternating order
            boolean alternateFirst = alternate != null && i % 2 == 0 && i > 0;
            for (int k = 0; k < (alternate == null || i == 0 ? 1 : 2); k++) {
                boolean isAlternate = k == 0 ? alternateFirst : !alternateFirst;
                Start start = measuredStart(isAlternate ? Map.of("SINK_JAVA_OPTS", alternate) : Map.of(), settle,
                        i == 0 ? "first start" : String.format("run %2d%s", i, alternate == null ? "     "
                                : isAlternate ? " (alt)" : " (as) "));
                if (i > 0) {
                    (isAlternate ? alternates : starts).add(start);
                }
            }
        }
        if (!starts.isEmpty()) {
            System.out.println();
            printSummary(alternate == null ? "client" : "client, as configured", starts);
        }
        if (!alternates.isEmpty()) {
            printSummary("client, SINK_JAVA_OPTS=" + alternate, alternates);
            long[] diffs = IntStream.range(0, starts.size())
                    .mapToLong(i -> alternates.get(i).connectedMillis() - starts.get(i).connectedMillis()).toArray();
            long[] cpuDiffs = IntStream.range(0, starts.size())
                    .mapToLong(i -> alternates.get(i).cpuMillis() - starts.get(i).cpuMillis()).toArray();
            System.out.printf("pairs: the alternate connected sooner in %d of %d%n",
                    java.util.Arrays.stream(diffs).filter(d -> d < 0).count(), diffs.length);
            summary("alternate - configured, connected (ms)", diffs, 1);
            summary("alternate - configured, client CPU (ms)", cpuDiffs, 1);
        }

        if (readings > 0) {
            startClient(Map.of());
            long before = rssKb(clientPid());
            long t0 = System.nanoTime();
            long failed = logReadings(readings);
            long millis = Math.max(1, millisSince(t0));
            long after = rssKb(clientPid());
            String queue = exec("sink:queue-size").strip();
            TimeUnit.SECONDS.sleep(settle);
            long settled = rssKb(clientPid());
            System.out.printf("%nreadings: %d logged in %.1f s (%.0f/s, %d shell sessions); client RSS before %.1f MB,"
                    + " right after %.1f MB, %d s later %.1f MB (queue %s then %s)%n", readings, millis / 1000.0,
                    readings * 1000.0 / millis, SESSIONS, before / 1024.0, after / 1024.0, settle, settled / 1024.0,
                    queue, exec("sink:queue-size").strip());
            if (failed > 0) {
                System.out.printf("  %d of the %d commands (%d readings each) failed: fewer readings were logged%n",
                        failed, (readings + READINGS_PER_COMMAND - 1) / READINGS_PER_COMMAND, READINGS_PER_COMMAND);
            }
            check(sink("client", "stop"), "bin/sink client stop");
        }
        check(sink("server", "stop"), "bin/sink server stop");
    }

    private Start measuredStart(Map<String, String> env, int settle, String label) throws Exception {
        Start start = startClient(env);
        start = new Start(start.returnedMillis(), start.connectedMillis(), start.cpuMillis(), idleRss(settle));
        long stopping = System.nanoTime();
        check(sink("client", "stop"), "bin/sink client stop");
        System.out.printf("%s: start returned %5d ms, connected %5d ms, client CPU %5d ms, idle RSS %6.1f MB;"
                + " stop %d ms; load %s%n", label, start.returnedMillis(), start.connectedMillis(), start.cpuMillis(),
                start.idleRssKb() / 1024.0, millisSince(stopping), loadAverage());
        return start;
    }

    private static void printSummary(String title, List<Start> starts) {
        System.out.println(title + ", " + starts.size() + " starts (first start excluded)   median      min      max");
        summary("start -> start returned (ms)", starts.stream().mapToLong(Start::returnedMillis).toArray(), 1);
        summary("start -> connected (ms)", starts.stream().mapToLong(Start::connectedMillis).toArray(), 1);
        summary("client CPU at connected (ms)", starts.stream().mapToLong(Start::cpuMillis).toArray(), 1);
        summary("idle RSS (MB)", starts.stream().mapToLong(Start::idleRssKb).toArray(), 1024);
    }

    private static void summary(String what, long[] values, double divisor) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2.0;
        System.out.printf(Locale.ROOT, "  %-40s %8.1f %8.1f %8.1f%n", what, median / divisor, sorted[0] / divisor,
                sorted[sorted.length - 1] / divisor);
    }

    /** {@code bin/sink client start} (with {@code env} added), then asks {@code sink:connected} until it says true. */
    private Start startClient(Map<String, String> env) throws Exception {
        long t0 = System.nanoTime();
        check(sink(env, "client", "start"), "bin/sink client start");
        long returned = millisSince(t0);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!"true".equals(execOrNull("sink:connected"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the client did not connect within 120 s; see "
                        + dist.resolve("instances/client/log/sink.log"));
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        long connected = millisSince(t0);
        return new Start(returned, connected, cpuMillis(clientPid()), 0);
    }

    private long idleRss(int settle) throws Exception {
        TimeUnit.SECONDS.sleep(settle);
        return rssKb(clientPid());
    }

    /** Logs {@code readings} readings; returns how many commands failed (each failure is printed). */
    private long logReadings(int readings) throws Exception {
        AtomicLong failures = new AtomicLong();
        int commands = (readings + READINGS_PER_COMMAND - 1) / READINGS_PER_COMMAND;
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        try {
            List<Future<?>> sessions = new ArrayList<>();
            for (int s = 0; s < SESSIONS; s++) {
                String sensor = "bench-" + s;
                sessions.add(pool.submit(() -> {
                    for (long c = next.getAndIncrement(); c < commands; c = next.getAndIncrement()) {
                        int n = (int) Math.min(READINGS_PER_COMMAND, readings - c * READINGS_PER_COMMAND);
                        String list = IntStream.range(0, n).mapToObj(Integer::toString)
                                .collect(Collectors.joining(" ", "[", "]"));
                        try {
                            logCommand("each " + list + " { sensor:log " + sensor + " 70 40 ; null } ; echo ok");
                        } catch (IllegalStateException e) {
                            // reported, and the next command tries again: the client must stay up
                            if (failures.incrementAndGet() <= 5) {
                                System.out.println("  " + e.getMessage());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> session : sessions) {
                session.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return failures.get();
    }

    /**
     * Runs one logging command; sent again when the instance refused it as busy (it counts a session
     * until its thread has finished, a moment after the answer was sent, so the next command of the
     * same session can find all four still counted).
     */
    private void logCommand(String command) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                exec(command);
                return;
            } catch (IllegalStateException e) {
                if (!e.getMessage().contains("status: 2 busy") || attempt >= 100) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }
    }

    // ------------------------------------------------------------------------------ the client process

    private long clientPid() throws IOException {
        return Long.parseLong(Files.readString(dist.resolve("instances/client/data/sink.pid")).strip());
    }

    private static long rssKb(long pid) throws IOException {
        Matcher m = VM_RSS.matcher(Files.readString(Path.of("/proc/" + pid + "/status")));
        if (!m.find()) {
            throw new IOException("no VmRSS in /proc/" + pid + "/status");
        }
        return Long.parseLong(m.group(1));
    }

    /** utime + stime of the process, from /proc/PID/stat (the fields after the command name). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * 1000 / CLOCK_TICKS_PER_SECOND;
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    // --------------------------------------------------------------------------- the shell socket

    /** One command over the client's shell socket (the protocol of bin/sink ROLE exec); its output. */
    private String exec(String command) {
        String[] problem = {"no answer"};
        String output = execOrNull(command, problem);
        if (output == null) {
            throw new IllegalStateException("'" + (command.length() > 60 ? command.substring(0, 60) + "..." : command)
                    + "' failed on the client: " + problem[0]);
        }
        return output;
    }

    private String execOrNull(String command) {
        return execOrNull(command, new String[1]);
    }

    /** The output of a command that succeeded, else null (not running yet, failed: problem[0] says why). */
    private String execOrNull(String command, String[] problem) {
        Path socket = dist.resolve("instances/client/data/sink.sock");
        if (!Files.exists(socket)) {
            problem[0] = "no socket " + socket;
            return null;
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            ByteBuffer request = ByteBuffer.wrap(command.getBytes(UTF_8));
            while (request.hasRemaining()) {
                channel.write(request);
            }
            channel.shutdownOutput();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (channel.read(buffer) >= 0) {
                answer.write(buffer.array(), 0, buffer.position());
                buffer.clear();
            }
            String text = answer.toString(UTF_8);
            int end = text.endsWith("\n") ? text.length() - 1 : text.length();
            int start = text.lastIndexOf('\n', end - 1) + 1;
            Matcher status = STATUS_LINE.matcher(text.substring(start, end));
            if (!status.matches() || !status.group(1).equals("0")) {
                problem[0] = text.substring(start, end);
                return null;
            }
            return text.substring(0, start).strip();
        } catch (IOException e) {
            problem[0] = e.toString();
            return null;
        }
    }

    // ------------------------------------------------------------------------------------- bin/sink

    private String sink(String... args) throws IOException, InterruptedException {
        return sink(Map.of(), args);
    }

    private String sink(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(dist.resolve("bin/sink").toString());
        command.addAll(List.of(args));
        Path out = Files.createTempFile("sink-bench-", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile());
            builder.environment().putAll(env);
            Process p = builder.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within 180 s");
            }
            String text = Files.readString(out);
            return p.exitValue() == 0 ? text : "exit " + p.exitValue() + ": " + text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static void check(String result, String what) {
        if (result.startsWith("exit ")) {
            throw new AssertionError(what + " failed: " + result);
        }
    }

    private void stopAll() {
        for (String role : List.of("client", "server")) {
            try {
                sink(role, "stop");
            } catch (IOException | InterruptedException | RuntimeException e) {
                System.err.println("stopping " + role + ": " + e);
            }
        }
    }

    private static long millisSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }

    // --------------------------------------------------------------------------- the copy

    /** Copies the distribution into WORK/sink without state, and gives it free ports. */
    private static Path copy(Path source, Path work) throws IOException {
        if (Files.exists(work)) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Path target = work.resolve("sink");
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                String relative = source.relativize(dir).toString().replace(File.separatorChar, '/');
                if (relative.matches("instances/[^/]+/(data|log)") || relative.equals("certs") || relative.equals("ca")) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(target.resolve(relative));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
        int port = freePort();
        setProperty(target.resolve("instances/server/etc/io.sink.transport.server.cfg"), "port", port);
        setProperty(target.resolve("instances/client/etc/io.sink.transport.client.cfg"), "port", port);
        setProperty(target.resolve("instances/server/etc/org.apache.felix.http.cfg"), "org.osgi.service.http.port",
                freePort());
        return target;
    }

    private static void setProperty(Path cfg, String name, int value) throws IOException {
        if (!Files.exists(cfg)) {
            return;
        }
        Pattern line = Pattern.compile("^\\s*#?\\s*" + Pattern.quote(name) + "\\s*=.*$", Pattern.MULTILINE);
        String text = Files.readString(cfg);
        Matcher m = line.matcher(text);
        text = m.find() ? m.replaceFirst(Matcher.quoteReplacement(name + " = " + value))
                : text + System.lineSeparator() + name + " = " + value + System.lineSeparator();
        Files.writeString(cfg, text);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
