package io.sink.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * One unpacked copy of target/sink-VERSION.zip, driven as an operator drives it: {@code bin/sink}
 * run as real processes without a terminal, commands through {@code bin/sink ROLE exec}, and
 * configuration through the files in {@code instances/ROLE/etc/}.
 *
 * <p>Every process of this copy is killed by {@link #close()} (call it from {@code @AfterAll}), and,
 * should the test JVM end without that, by a shutdown hook: processes are found by the
 * {@code -Dsink.dist=<this copy>} on their command line, which every instance JVM has, also those
 * that {@code bin/sink ROLE start} detaches with {@code setsid}.
 */
public final class SinkDistribution implements AutoCloseable {
    /** Generous: the build machine is shared and has two cores. */
    public static final Duration BOOT = Duration.ofSeconds(120);
    public static final Duration CHANGE = Duration.ofSeconds(60);
    public static final Duration COMMAND = Duration.ofSeconds(120);
    public static final String CLIENT_ID = "example-client";
    public static final List<String> ROLES = List.of("server", "client");
    private static final Pattern LB_LINE = Pattern.compile("^\\s*(\\d+)\\|(\\w+)\\s*\\|\\s*(\\d+)\\|(.*)$",
            Pattern.MULTILINE);
    private static final Pattern STORED = Pattern.compile(": (\\d+) events? stored");

    /** Every port {@link #freePort()} returned in this JVM. */
    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    /** The copy whose certificates the next copies reuse. */
    private static Path certificatesMadeIn;

    public final Path dist;
    public final Path server;
    public final Path client;
    /** The port the server is configured with, and the client connects to. */
    public int port;
    /** The port of the server's HTTP endpoint (the fleet console at {@code /console/}). */
    public int httpPort;
    private final List<Process> started = new CopyOnWriteArrayList<>();
    private final Thread shutdownHook;

    private SinkDistribution(Path dist) {
        this.dist = dist;
        this.server = dist.resolve("instances/server");
        this.client = dist.resolve("instances/client");
        this.shutdownHook = new Thread(this::killAll, "kill " + dist);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Unpacks the zip into {@code target/it/<name>/} (emptied first), writes a free port into both
     * transport configurations and another into the server's HTTP configuration (the fleet console),
     * so that tests running side by side never meet on a port.
     */
    public static SinkDistribution unpack(String name) throws IOException {
        Path target = Path.of(System.getProperty("sink.dist")).getParent();
        Path zip;
        try (Stream<Path> files = Files.list(target)) {
            zip = files.filter(p -> p.getFileName().toString().matches("sink-.*\\.zip")).findFirst()
                    .orElseThrow(() -> new AssertionError("no target/sink-*.zip: run mvn package first"));
        }
        Path run = Path.of(System.getProperty("sink.work")).resolve(name);
        if (Files.exists(run)) {
            killProcessesOf(run); // a previous run that died without cleaning up
            deleteTree(run);
        }
        Files.createDirectories(run);
        unzip(zip, run);
        Path dist;
        try (Stream<Path> top = Files.list(run)) {
            dist = top.findFirst().orElseThrow(() -> new AssertionError(zip + " is empty"));
        }
        // java.util.zip does not expose Unix modes; the assembly sets 0755 on bin/sink
        Files.setPosixFilePermissions(dist.resolve("bin/sink"), PosixFilePermissions.fromString("rwxr-xr-x"));
        SinkDistribution d = new SinkDistribution(dist.toRealPath());
        d.port = freePort();
        d.setProperty(d.server.resolve("etc/io.sink.transport.server.cfg"), "port", String.valueOf(d.port));
        d.setProperty(d.client.resolve("etc/io.sink.transport.client.cfg"), "port", String.valueOf(d.port));
        d.httpPort = freePort();
        d.setProperty(d.server.resolve("etc/org.apache.felix.http.cfg"), "org.osgi.service.http.port",
                String.valueOf(d.httpPort));
        return d;
    }

    /**
     * Gives this copy the development certificates (CA, server, example-client admitted): made by
     * {@code bin/sink certs} the first time in this test JVM, copied from that copy afterwards (key
     * generation is the slow part; DistributionIT checks {@code bin/sink certs} itself).
     */
    public SinkDistribution withCertificates() throws IOException {
        synchronized (SinkDistribution.class) {
            Path made = certificatesMadeIn == null ? null : certificatesMadeIn.resolve("certs");
            if (made != null && Files.isRegularFile(made.resolve("clients/" + CLIENT_ID + ".pem"))) {
                // certs/ and ca/, the CA's private key (bin/sink certs keeps it apart)
                for (String folder : List.of("certs", "ca")) {
                    Path source = certificatesMadeIn.resolve(folder);
                    try (Stream<Path> files = Files.walk(source)) {
                        for (Path from : files.toList()) {
                            Path to = dist.resolve(folder).resolve(source.relativize(from).toString());
                            if (Files.isDirectory(from)) {
                                Files.createDirectories(to);
                                Files.setPosixFilePermissions(to, Files.getPosixFilePermissions(from));
                            } else {
                                Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
                            }
                        }
                    }
                }
                return this;
            }
            Result certs = sink("certs");
            assertThat(certs.status()).as(certs.toString()).isZero();
            certificatesMadeIn = dist;
            return this;
        }
    }

    /** Stops both instances with bin/sink (Felix stops cleanly), then kills whatever is left. */
    @Override
    public void close() {
        for (String role : ROLES) {
            try {
                if (sink(role, "status").status() == 0) {
                    sink(role, "stop");
                }
            } catch (RuntimeException | AssertionError e) {
                System.err.println("stopping " + role + " of " + dist + " failed: " + e);
            }
        }
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** Kills every process of this copy: the instance JVMs and anything this object started. */
    public void killAll() {
        List<ProcessHandle> leftovers = new ArrayList<>();
        for (Process p : started) {
            leftovers.add(p.toHandle());
            p.descendants().forEach(leftovers::add);
        }
        leftovers.addAll(processesOf(dist));
        kill(leftovers);
    }

    private static void killProcessesOf(Path run) {
        kill(ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("-Dsink.dist=" + run)).orElse(false)).toList());
    }

    private static List<ProcessHandle> processesOf(Path dist) {
        String marker = "-Dsink.dist=" + dist + " ";
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains(marker)).orElse(false)).toList();
    }

    private static void kill(List<ProcessHandle> processes) {
        for (ProcessHandle p : processes) {
            if (p.isAlive()) {
                System.err.println("killing leftover process " + p.pid() + " " + p.info().commandLine().orElse(""));
                p.destroy();
            }
        }
        for (ProcessHandle p : processes) {
            try {
                p.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    // --------------------------------------------------------------------------- running bin/sink

    public record Result(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + ", out: " + out + (err.isEmpty() ? "" : ", err: " + err);
        }
    }

    public Path home(String role) {
        return dist.resolve("instances").resolve(role);
    }

    /** Runs bin/sink with {@code args} (no terminal) and waits for it. */
    public Result sink(String... args) {
        List<String> command = new ArrayList<>();
        command.add(dist.resolve("bin/sink").toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dist, "out-", ".txt");
            Path err = Files.createTempFile(dist, "err-", ".txt");
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            started.add(p);
            try {
                if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    throw new AssertionError("bin/sink " + String.join(" ", args) + " did not finish within " + COMMAND);
                }
            } finally {
                started.remove(p);
            }
            Result result = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code bin/sink ROLE start}, which must succeed. */
    public void start(String role) {
        Result r = sink(role, "start");
        assertThat(r.status()).as("bin/sink %s start: %s; log: %s", role, r, tail(home(role).resolve("log/sink.log")))
                .isZero();
        assertThat(r.out()).startsWith(role + " started (pid ");
    }

    /** {@code bin/sink ROLE stop}, which must succeed. */
    public void stop(String role) {
        Result r = sink(role, "stop");
        assertThat(r.status()).as("bin/sink %s stop: %s", role, r).isZero();
    }

    /** {@code bin/sink ROLE} in the foreground, as systemd runs it: no terminal, output to a file. */
    public Process runInForeground(String role) throws IOException {
        Process p = new ProcessBuilder(dist.resolve("bin/sink").toString(), role)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).redirectErrorStream(true)
                .redirectOutput(dist.resolve(role + "-process.out").toFile()).start();
        started.add(p);
        return p;
    }

    public Result exec(String role, String command) {
        return sink(role, "exec", command);
    }

    /** Runs a command that must succeed; its output. */
    public String execOk(String role, String command) {
        Result r = exec(role, command);
        assertThat(r.status()).as("bin/sink %s exec '%s': %s", role, command, r).isZero();
        return r.out();
    }

    public Result awaitExec(String role, String command, Predicate<Result> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Result last;
        do {
            last = exec(role, command);
            if (done.test(last)) {
                return last;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        } while (System.nanoTime() < deadline);
        throw new AssertionError("bin/sink " + role + " exec '" + command + "' did not give the expected answer within "
                + timeout + "; last: " + last);
    }

    /** Waits until a successful command prints exactly {@code expected} (plus the line end). */
    public Result awaitOutput(String role, String command, String expected) {
        return awaitExec(role, command, r -> r.status() == 0 && r.out().equals(expected + "\n"), CHANGE);
    }

    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    public void awaitLog(String role, String text) {
        Path log = home(role).resolve("log/sink.log");
        await("'" + text + "' in " + log, CHANGE, () -> readQuietly(log).contains(text));
    }

    public String log(String role) {
        return readQuietly(home(role).resolve("log/sink.log"));
    }

    /** The JVM's pid of a running instance, from its pid file. */
    public long pid(String role) {
        try {
            return Long.parseLong(Files.readString(home(role).resolve("data/sink.pid")).trim());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Resident memory of a running instance in KiB (VmRSS of /proc/PID/status). */
    public long residentKib(String role) {
        try {
            String status = Files.readString(Path.of("/proc/" + pid(role) + "/status"));
            Matcher m = Pattern.compile("(?m)^VmRSS:\\s+(\\d+) kB$").matcher(status);
            assertThat(m.find()).as("VmRSS in /proc/%d/status", pid(role)).isTrue();
            return Long.parseLong(m.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------ Sink answers

    /** Events the server stored from example-client, by 'sink:events'. */
    public long serverEventCount() {
        String out = execOk("server", "sink:events " + CLIENT_ID + " 1");
        Matcher m = STORED.matcher(out);
        assertThat(m.find()).as("an event count in %s", out).isTrue();
        return Long.parseLong(m.group(1));
    }

    public void awaitServerEventCount(long atLeast) {
        awaitExec("server", "sink:events " + CLIENT_ID + " 1", r -> {
            Matcher m = STORED.matcher(r.out());
            return r.status() == 0 && m.find() && Long.parseLong(m.group(1)) >= atLeast;
        }, CHANGE);
    }

    /**
     * Every offset the server stored for a sensor of example-client (a duplicate would appear twice),
     * ascending, read from the server's database (stop the server first).
     */
    public List<Long> storedOffsets(String sensor) {
        List<Long> offsets = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:"
                + server.resolve("data/events.db"));
                java.sql.PreparedStatement s = c.prepareStatement("SELECT event_offset FROM received_events "
                        + "WHERE client_id = ? AND event_type_id = 1 AND event_key = ? ORDER BY event_offset, id")) {
            s.setString(1, CLIENT_ID);
            s.setBytes(2, sensor.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (java.sql.ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    offsets.add(r.getLong(1));
                }
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read the server's database: " + e.getMessage(), e);
        }
        return offsets;
    }

    /** Waits until the server sees example-client connected (asks the server only, not the client). */
    public void awaitConnected() {
        awaitOutput("server", "sink:connected " + CLIENT_ID, "true");
    }

    public long clientQueueSize() {
        return Long.parseLong(execOk("client", "sink:queue-size").trim());
    }

    // ------------------------------------------------------------------------------------- bundles

    /** The lines of 'lb': id, state, level, name. */
    public static List<String[]> bundles(String lb) {
        List<String[]> bundles = new ArrayList<>();
        Matcher m = LB_LINE.matcher(lb);
        while (m.find()) {
            bundles.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return bundles;
    }

    public static int bundleId(String lb, String name) {
        List<Integer> ids = bundles(lb).stream().filter(b -> b[3].contains(name)).map(b -> Integer.parseInt(b[0]))
                .toList();
        assertThat(ids).as("bundles named %s in%n%s", name, lb).hasSize(1);
        return ids.get(0);
    }

    /** A jar of bundle/ (or bundle/ROLE/) by its artifact name, e.g. sink-sensor. */
    public Path shippedJar(String artifactId) throws IOException {
        try (Stream<Path> jars = Files.walk(dist.resolve("bundle"))) {
            return jars.filter(p -> p.getFileName().toString().matches(Pattern.quote(artifactId) + "-\\d.*\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError(artifactId + " is not in " + dist.resolve("bundle")));
        }
    }

    /**
     * A rebuild of a shipped bundle: the same classes, symbolic name and version, and one more
     * manifest header, so the running bundle shows which build it is. (FileInstall updates a bundle
     * in place only for the same symbolic name and version; another version installs beside it.)
     */
    public Path rebuild(Path jar, Map<String, String> extraHeaders) throws IOException {
        Path rebuilt = Files.createTempFile(dist, "rebuilt-", ".jar");
        try (InputStream in = Files.newInputStream(jar); JarInputStream entries = new JarInputStream(in)) {
            Manifest manifest = new Manifest(entries.getManifest());
            Attributes main = manifest.getMainAttributes();
            extraHeaders.forEach(main::putValue);
            try (OutputStream file = Files.newOutputStream(rebuilt);
                    JarOutputStream out = new JarOutputStream(file, manifest)) {
                for (JarEntry e = entries.getNextJarEntry(); e != null; e = entries.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    entries.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return rebuilt;
    }

    /** Copies a jar into ROLE's deploy/ under {@code name}, atomically (FileInstall never sees half a jar). */
    public void deploy(String role, Path jar, String name) throws IOException {
        Path deploy = Files.createDirectories(home(role).resolve("deploy"));
        Path temp = deploy.resolve("." + name + ".tmp");
        Files.copy(jar, temp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(temp, deploy.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    // ------------------------------------------------------------------------------- configuration

    public Path etc(String role, String pid) {
        return home(role).resolve("etc").resolve(pid + ".cfg");
    }

    /** Writes a whole .cfg file atomically (FileInstall must never read half a file). */
    public void writeCfg(Path cfg, String content) {
        try {
            Path temp = cfg.resolveSibling("." + cfg.getFileName() + ".tmp");
            Files.writeString(temp, content);
            Files.move(temp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets {@code key = value} in a .cfg file (replacing the key's line, or appending it), atomically. */
    public void setProperty(Path cfg, String key, String value) {
        try {
            String text = Files.exists(cfg) ? Files.readString(cfg) : "";
            Pattern line = Pattern.compile("(?m)^\\s*#?\\s*" + Pattern.quote(key) + "\\s*=.*$");
            Matcher m = line.matcher(text);
            String changed = m.find() ? m.replaceFirst(Matcher.quoteReplacement(key + " = " + value))
                    : text + (text.isEmpty() || text.endsWith("\n") ? "" : "\n") + key + " = " + value + "\n";
            writeCfg(cfg, changed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------ network

    /**
     * A port free now on loopback, for a process that binds it later. Never the same one twice in this
     * JVM: a port is only reserved while the probing socket is open, and the test classes run two at a
     * time, so the kernel could otherwise hand a port picked for one class (its server not started yet,
     * or stopped for a while) to the other class's next pick, and one of the two servers would then not
     * listen.
     */
    public static int freePort() {
        while (true) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
    }

    public static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static void awaitListening(int port) {
        await("a server listening on 127.0.0.1:" + port, CHANGE, () -> listening(port));
    }

    // -------------------------------------------------------------------------------------- helpers

    public static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    public static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** The last lines of a file, for failure messages. */
    public static String tail(Path file) {
        List<String> lines = readQuietly(file).lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    private static void unzip(Path zip, Path into) throws IOException {
        try (InputStream in = Files.newInputStream(zip); ZipInputStream entries = new ZipInputStream(in)) {
            for (ZipEntry e = entries.getNextEntry(); e != null; e = entries.getNextEntry()) {
                Path target = into.resolve(e.getName()).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException("zip entry outside the target folder: " + e.getName());
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(entries, target);
                }
            }
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** {@code rwx------} and the like. */
    static String permissions(Path path) {
        try {
            return java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
