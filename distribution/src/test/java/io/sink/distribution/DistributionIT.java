package io.sink.distribution;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.sink.distribution.fixture.FixtureActivator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The distribution as an operator uses it: unpacks target/sink-VERSION.zip, runs bin/sink as real
 * processes without a terminal, and talks to the instances through 'bin/sink ROLE exec'.
 *
 * <p>The tests share one unpacked distribution and run in order: the server starts in
 * {@link #startServer()}, the client later, and the last test stops them. Whatever happens, every
 * process of this distribution is killed in {@link #killLeftovers()}.
 *
 * <p>The bundles that provide the handlers (poller, server store) are not written yet, so the test
 * drops a test-only bundle ({@link FixtureActivator}) into deploy/ where a listening server or a
 * connecting client is needed; it is never part of the distribution.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DistributionIT {
    /** Generous: the build machine is shared. */
    private static final Duration BOOT = Duration.ofSeconds(120);
    private static final Duration CHANGE = Duration.ofSeconds(60);
    private static final Duration COMMAND = Duration.ofSeconds(120);
    private static final Pattern LB_LINE = Pattern.compile("^\\s*(\\d+)\\|(\\w+)\\s*\\|\\s*(\\d+)\\|(.*)$",
            Pattern.MULTILINE);

    private Path dist;
    private Path server;
    private Path client;
    private Process serverProcess;
    private int port;
    private int fixtureBundleId;

    // ------------------------------------------------------------------------------------- set-up

    @BeforeAll
    void unpack() throws IOException {
        Path zip = Path.of(System.getProperty("sink.dist")).resolveSibling(zipName());
        Path work = Files.createDirectories(Path.of(System.getProperty("sink.work")));
        Path run = Files.createTempDirectory(work, "run-");
        unzip(zip, run);
        try (Stream<Path> top = Files.list(run)) {
            dist = top.findFirst().orElseThrow(() -> new AssertionError(zip + " is empty"));
        }
        // java.util.zip does not expose Unix modes; the assembly sets 0755 on bin/sink
        Files.setPosixFilePermissions(dist.resolve("bin/sink"), PosixFilePermissions.fromString("rwxr-xr-x"));
        server = dist.resolve("instances/server");
        client = dist.resolve("instances/client");
        port = freePort();
        setPort(server.resolve("etc/io.sink.transport.server.cfg"), port);
        setPort(client.resolve("etc/io.sink.transport.client.cfg"), port);
    }

    @AfterAll
    void killLeftovers() {
        if (dist == null) {
            return;
        }
        for (String role : List.of("server", "client")) {
            try {
                sink(role, "stop");
            } catch (RuntimeException e) {
                System.err.println("stopping " + role + " failed: " + e);
            }
        }
        List<ProcessHandle> leftovers = new ArrayList<>();
        if (serverProcess != null) {
            leftovers.add(serverProcess.toHandle());
            serverProcess.descendants().forEach(leftovers::add);
        }
        // 'bin/sink client start' detaches its JVM (setsid): find it by its command line
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("-Dsink.dist=" + dist)).orElse(false)).forEach(leftovers::add);
        for (ProcessHandle p : leftovers) {
            if (p.isAlive()) {
                System.err.println("killing leftover process " + p.pid() + " " + p.info().commandLine().orElse(""));
                p.destroy();
                try {
                    p.onExit().get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    p.destroyForcibly();
                }
            }
        }
    }

    // --------------------------------------------------------------------------------------- tests

    @Test
    @Order(1)
    void certsAreMadeAndTheExampleClientIsAdmitted() {
        Result certs = sink("certs");
        assertThat(certs.status()).as(certs.toString()).isZero();
        assertThat(certs.out()).contains("created " + dist.resolve("certs/ca.pem"))
                .contains("admitted example-client");
        for (String file : List.of("ca.pem", "server.pem", "server-key.pem", "example-client.pem",
                "example-client-key.pem", "clients/example-client.pem")) {
            assertThat(dist.resolve("certs").resolve(file)).isRegularFile();
        }
        assertThat(dist.resolve("certs/clients/example-client.pem")).hasSameBinaryContentAs(
                dist.resolve("certs/example-client.pem"));
        Result again = sink("certs");
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("nothing to do");
    }

    @Test
    @Order(2)
    void theServerStartsWithoutATerminalAndAnswersExec() throws IOException {
        long started = System.nanoTime();
        serverProcess = new ProcessBuilder(dist.resolve("bin/sink").toString(), "server")
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(dist.resolve("server-process.out").toFile())
                .start();
        awaitExec("server", "lb", r -> r.status() == 0, BOOT);
        System.out.printf("server: exec answered %d ms after start%n", millisSince(started));
        // the system bundle is ACTIVE once every start level is reached and its bundles started
        awaitExec("server", "(bundle 0) state", r -> r.out().equals("32\n"), BOOT);
        System.out.printf("server: framework started %d ms after start%n", millisSince(started));
        Result lb = exec("server", "lb");

        List<String[]> bundles = bundles(lb.out());
        assertThat(bundles).hasSizeGreaterThan(30);
        assertThat(bundles).allSatisfy(b -> assertThat(b[1]).as("state of %s", b[3]).isEqualTo("Active"));
        assertThat(lb.out()).contains("Sink Transport", "Sink Server Authentication", "Sink Shell Socket",
                "Apache Felix Declarative Services", "OPS4J Pax Logging - Log4Jv2 implementation");
        assertThat(serverProcess.isAlive()).isTrue();
        assertThat(server.resolve("data/sink.pid")).content().isEqualTo(serverProcess.pid() + "\n");
        assertThat(sink("server", "status").out()).isEqualTo("server is running (pid " + serverProcess.pid() + ")\n");

        Result scr = exec("server", "scr:list");
        assertThat(scr.status()).isZero();
        assertThat(scr.out()).containsPattern("AuthenticatorComponent .*\\n\\s+Id: \\d+, State:ACTIVE")
                .containsPattern("RegistryComponent .*\\n\\s+Id: \\d+, State:ACTIVE")
                // no ServerHandler yet (the server store is not written): configured, waiting for it
                .containsPattern("SinkServerComponent .*\\n\\s+Id: \\d+, State:UNSATISFIED REFERENCE")
                // not configured in the server instance (no etc/io.sink.transport.client.cfg)
                .containsPattern("SinkClientComponent in bundle \\d+ \\(io.sink.transport:[^)]*\\) enabled, 0 instances");
        assertThat(Files.readString(server.resolve("log/sink.log")))
                .contains("Shell socket listening on " + server.resolve("data/sink.sock"))
                .contains("Allow-list " + dist.resolve("certs/clients") + " admits 1 client(s)");
        assertThat(server.resolve("data/registry/server.properties")).isRegularFile();
    }

    @Test
    @Order(3)
    void execReportsAFailingCommandWithItsStatus() {
        Result missing = exec("server", "nosuch:command");
        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).contains("CommandNotFoundException: Command not found: nosuch:command");
        assertThat(missing.out()).isEmpty();

        Result thrown = exec("server", "system:getproperty");
        assertThat(thrown.status()).as(thrown.toString()).isEqualTo(1);
        assertThat(thrown.err()).contains("IllegalArgumentException: Cannot coerce getproperty()");

        Result notRunning = sink("client", "exec", "lb");
        assertThat(notRunning.status()).isEqualTo(4);
        assertThat(notRunning.err()).contains("client is not running");
    }

    @Test
    @Order(4)
    void theShellSocketIsOwnerOnly() throws IOException {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.resolve("data/sink.sock"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(server.resolve("data"))))
                .isEqualTo("rwx------");
        assertThat(Files.getOwner(server.resolve("data/sink.sock"))).isEqualTo(Files.getOwner(dist));
    }

    @Test
    @Order(5)
    void withAHandlerDeployedTheServerListens() throws IOException {
        long deployed = System.nanoTime();
        Files.copy(fixtureJar("1"), server.resolve("deploy/fixture.jar"));
        awaitListening(port, CHANGE);
        System.out.printf("server: listening %d ms after the handler bundle was dropped into deploy/%n",
                millisSince(deployed));
        Result scr = exec("server", "scr:list");
        assertThat(scr.out()).containsPattern("SinkServerComponent .*\\n\\s+Id: \\d+, State:ACTIVE");
        Result address = awaitExec("server", "(service (servicereference io.sink.api.server.SinkServer)) listenAddress",
                r -> r.status() == 0, CHANGE);
        assertThat(address.out()).contains("127.0.0.1:" + port);
        assertThat(Files.readString(server.resolve("log/sink.log")))
                .contains("Sink server listening on 127.0.0.1:" + port);
        fixtureBundleId = bundleId(exec("server", "lb").out(), "io.sink.test.fixture");
    }

    @Test
    @Order(6)
    void theClientStartsAndConnectsOverMutualTls() {
        Result started = sink("client", "start");
        assertThat(started.status()).as(started.toString()).isZero();
        assertThat(started.out()).startsWith("client started (pid ");
        Result lb = exec("client", "lb");
        assertThat(lb.out()).contains("Sink Transport").doesNotContain("Sink Server Authentication");
        assertThat(bundles(lb.out())).allSatisfy(b -> assertThat(b[1]).isEqualTo("Active"));

        // no ClientHandler yet (the poller is not written): configured, not connecting
        assertThat(exec("client", "scr:list").out())
                .containsPattern("SinkClientComponent .*\\n\\s+Id: \\d+, State:(SATISFIED|ACTIVE)");
        try {
            Files.copy(fixtureJar("1"), client.resolve("deploy/fixture.jar"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        awaitLog(client.resolve("log/sink.log"), "connected to Sink server localhost:" + port, CHANGE);
        Result clients = awaitExec("server",
                "(service (servicereference io.sink.api.server.SinkServer)) connectedClients",
                r -> r.out().contains("example-client"), CHANGE);
        assertThat(clients.status()).isZero();
    }

    @Test
    @Order(7)
    void aChangedPortInEtcIsPickedUp() throws IOException {
        int newPort = freePort();
        long edited = System.nanoTime();
        setPort(server.resolve("etc/io.sink.transport.server.cfg"), newPort);
        awaitListening(newPort, CHANGE);
        System.out.printf("server: listening on the new port %d ms after the .cfg edit%n", millisSince(edited));
        awaitExec("server", "(service (servicereference io.sink.api.server.SinkServer)) listenAddress",
                r -> r.out().contains("127.0.0.1:" + newPort), CHANGE);
        assertThat(listening(port)).as("old port %d closed", port).isFalse();

        setPort(client.resolve("etc/io.sink.transport.client.cfg"), newPort);
        awaitLog(client.resolve("log/sink.log"), "connected to Sink server localhost:" + newPort, CHANGE);
        port = newPort;
    }

    @Test
    @Order(8)
    void aJarCopiedIntoDeployUpdatesTheRunningBundle() throws IOException {
        // a rebuilt fixture: same symbolic name and version, another Fixture-Version header
        assertThat(exec("server", "fixture:version").out()).isEqualTo("1\n");
        Path v2 = fixtureJar("2");
        Files.copy(v2, server.resolve("deploy/.fixture.jar.tmp"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(server.resolve("deploy/.fixture.jar.tmp"), server.resolve("deploy/fixture.jar"),
                StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        awaitExec("server", "fixture:version", r -> r.out().equals("2\n"), CHANGE);
        assertThat(bundleId(exec("server", "lb").out(), "io.sink.test.fixture")).isEqualTo(fixtureBundleId);

        // a shipped bundle (bundle/) replaced through deploy/: updated in place, same bundle id
        String lb = exec("server", "lb").out();
        int transport = bundleId(lb, "Sink Transport");
        String before = exec("server", "(bundle " + transport + ") lastModified").out();
        Path jar;
        try (Stream<Path> jars = Files.list(dist.resolve("bundle"))) {
            jar = jars.filter(p -> p.getFileName().toString().startsWith("sink-transport-")).findFirst().orElseThrow();
        }
        long copied = System.nanoTime();
        Files.copy(jar, server.resolve("deploy").resolve(jar.getFileName()));
        awaitExec("server", "(bundle " + transport + ") lastModified", r -> r.status() == 0 && !r.out().equals(before),
                CHANGE);
        awaitListening(port, CHANGE);
        System.out.printf("server: transport bundle updated from deploy/ and listening again %d ms after the copy%n",
                millisSince(copied));
        assertThat(bundleId(exec("server", "lb").out(), "Sink Transport")).isEqualTo(transport);
        assertThat(Files.readString(server.resolve("log/sink.log")))
                .contains("A bundle with the same symbolic name (io.sink.transport) and version");
    }

    @Test
    @Order(9)
    void stopStopsCleanlyAndRemovesTheSocket() throws InterruptedException {
        Result stop = sink("server", "stop");
        assertThat(stop.status()).as(stop.toString()).isZero();
        assertThat(stop.out()).startsWith("server stopped (pid " + serverProcess.pid());
        assertThat(serverProcess.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.resolve("data/sink.sock")).doesNotExist();
        assertThat(server.resolve("data/sink.pid")).doesNotExist();
        assertThat(listening(port)).isFalse();
        assertThat(sink("server", "status").status()).isEqualTo(3);
        assertThat(exec("server", "lb").status()).isEqualTo(4);

        Result stopClient = sink("client", "stop");
        assertThat(stopClient.status()).isZero();
        assertThat(stopClient.out()).startsWith("client stopped");
        assertThat(sink("client", "stop").out()).isEqualTo("client is not running\n");
    }

    // ------------------------------------------------------------------------------------- helpers

    record Result(int status, String out, String err) {
    }

    private Result exec(String role, String command) {
        return sink(role, "exec", command);
    }

    /** Runs bin/sink with {@code args} (no terminal) and waits for it. */
    private Result sink(String... args) {
        List<String> command = new ArrayList<>();
        command.add(dist.resolve("bin/sink").toString());
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(dist, "out-", ".txt");
            Path err = Files.createTempFile(dist, "err-", ".txt");
            Process p = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(COMMAND.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/sink " + String.join(" ", args) + " did not finish within " + COMMAND);
            }
            Result result = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Result awaitExec(String role, String command, Predicate<Result> done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Result last;
        do {
            last = exec(role, command);
            if (done.test(last)) {
                return last;
            }
            if (role.equals("server") && serverProcess != null && !serverProcess.isAlive()) {
                throw new AssertionError("the server exited with " + serverProcess.exitValue() + ": "
                        + readQuietly(dist.resolve("server-process.out")));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
        } while (System.nanoTime() < deadline);
        throw new AssertionError("bin/sink " + role + " exec '" + command + "' did not give the expected answer within "
                + timeout + "; last: " + last);
    }

    private static void awaitLog(Path log, String text, Duration timeout) {
        await("'" + text + "' in " + log, timeout, () -> readQuietly(log).contains(text));
    }

    private static void awaitListening(int port, Duration timeout) {
        await("a server listening on 127.0.0.1:" + port, timeout, () -> listening(port));
    }

    private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    private static long millisSince(long nanoTime) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanoTime);
    }

    /** The lines of 'lb': id, state, level, name. */
    private static List<String[]> bundles(String lb) {
        List<String[]> bundles = new ArrayList<>();
        Matcher m = LB_LINE.matcher(lb);
        while (m.find()) {
            bundles.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4)});
        }
        return bundles;
    }

    private static int bundleId(String lb, String nameOrSymbolicName) {
        return bundles(lb).stream().filter(b -> b[3].contains(nameOrSymbolicName)).map(b -> Integer.parseInt(b[0]))
                .findFirst().orElseThrow(() -> new AssertionError(nameOrSymbolicName + " not in\n" + lb));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Rewrites the port line, atomically (FileInstall must never read half a file). */
    private static void setPort(Path cfg, int port) throws IOException {
        String text = Files.readString(cfg);
        String changed = text.replaceAll("(?m)^port = \\d+$", "port = " + port);
        assertThat(changed).as("a 'port = N' line in %s", cfg).isNotEqualTo(text);
        Path temp = cfg.resolveSibling("." + cfg.getFileName() + ".tmp");
        Files.writeString(temp, changed);
        Files.move(temp, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The test-only bundle: the fixture's classes with a hand-made manifest (it is not a product bundle). */
    private Path fixtureJar(String version) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        main.putValue("Bundle-SymbolicName", "io.sink.test.fixture");
        main.putValue("Bundle-Name", "io.sink.test.fixture (TEST ONLY)");
        main.putValue("Bundle-Version", "1.0.0");
        main.putValue("Bundle-Activator", FixtureActivator.class.getName());
        main.putValue("Import-Package", "io.sink.api;version=\"[1.0,2)\",io.sink.api.client;version=\"[1.0,2)\","
                + "io.sink.api.server;version=\"[1.0,2)\",org.osgi.framework;version=\"[1.8,2)\","
                + "org.osgi.util.tracker;version=\"[1.5,2)\"");
        main.putValue("Fixture-Version", version);
        Path classes = Path.of(FixtureActivator.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        String packagePath = FixtureActivator.class.getPackageName().replace('.', '/');
        Path jar = Files.createTempFile(dist, "fixture-" + version + "-", ".jar");
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file, manifest);
                Stream<Path> files = Files.list(classes.resolve(packagePath))) {
            for (Path c : files.sorted(Comparator.naturalOrder()).toList()) {
                out.putNextEntry(new JarEntry(packagePath + "/" + c.getFileName()));
                Files.copy(c, out);
                out.closeEntry();
            }
        }
        return jar;
    }

    private String zipName() {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("sink.dist")).getParent())) {
            Optional<Path> zip = files.filter(p -> p.getFileName().toString().matches("sink-.*\\.zip")).findFirst();
            return zip.orElseThrow(() -> new AssertionError("no target/sink-*.zip: run mvn package first"))
                    .getFileName().toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
}
