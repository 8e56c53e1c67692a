package io.sink.karaf;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.testsupport.Await;
import io.sink.tls.DevCertificates;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Apache Karaf 4.4 (the distribution from Maven Central, unpacked into a temporary folder)
 * started as a process, with the feature repository of {@code features/} added and the
 * {@code sink-server} and {@code sink-client} features installed at boot; the walkthrough runs in
 * it through the features' shell channel (sink-shell-socket on Karaf's own CommandProcessor): a
 * reading logged while the client is offline is queued, and once the client is pointed at the
 * server (listening on an ephemeral port) it is delivered and stored. Karaf boots only the two
 * features (see below why not its own shell), so the only port is the transport server's, chosen
 * by the system.
 */
class KarafWalkthroughIT {

    private static final Duration BOOT = Duration.ofMinutes(3);
    private static final Duration DELIVERY = Duration.ofSeconds(60);
    private static final String CLIENT_ID = "example-client";

    @TempDir
    Path base;

    private Process karaf;
    private Path karafHome;
    private Path socket;

    @Test
    void serverAndClientFeaturesInstallInKarafAndAReadingIsDelivered() throws Exception {
        String karafVersion = property("sink.karaf.version");
        String version = property("sink.features.version");
        karafHome = base.resolve("apache-karaf-" + karafVersion);
        run(List.of("tar", "xzf", property("sink.karaf.archive"), "-C", base.toString()), Duration.ofMinutes(2));
        assertThat(karafHome.resolve("bin/karaf")).isExecutable();

        // the features' bundles and the feature repository into Karaf's own repository, system/
        copyTree(Path.of(property("sink.repository")), karafHome.resolve("system"));
        Path descriptor = karafHome.resolve("system/io/sink/sink-features/" + version + "/sink-features-" + version
                + "-features.xml");
        Files.createDirectories(descriptor.getParent());
        Files.copy(Path.of(property("sink.features.file")), descriptor, StandardCopyOption.REPLACE_EXISTING);

        // certificates: a development CA, the server and example-client, admitted
        Path dist = base.resolve("sink");
        Path certs = dist.resolve("certs");
        DevCertificates.ensure(certs, List.of(CLIENT_ID));
        Files.createDirectories(certs.resolve("clients"));
        Files.copy(certs.resolve(CLIENT_ID + ".pem"), certs.resolve("clients/" + CLIENT_ID + ".pem"));

        // boot features: ours only. Karaf's own shell (feature shell) is left out on purpose: its
        // CommandProcessor serves Karaf sessions only (a Gogo session from it fails with "session is
        // null"), so the shell socket must get the Gogo runtime of sink-core; SSH and JMX go with it,
        // and with them every port but the transport server's
        Path features = karafHome.resolve("etc/org.apache.karaf.features.cfg");
        String cfg = Files.readString(features);
        String edited = cfg
                .replace("featuresRepositories = \\\n",
                        "featuresRepositories = \\\n    mvn:io.sink/sink-features/" + version + "/xml/features, \\\n")
                .replaceFirst("featuresBoot = \\\\\n(    .*\\\\\n)*    .*\n", "featuresBoot = sink-server, sink-client\n");
        assertThat(edited).as("etc/org.apache.karaf.features.cfg as expected for Karaf " + karafVersion)
                .contains("sink-features/" + version).contains("featuresBoot = sink-server, sink-client\n")
                .doesNotContain("ssh/" + karafVersion);
        Files.writeString(features, edited);

        // the framework properties the roles read (sink.home: relative paths; sink.data.dir: databases)
        Path home = dist.resolve("home");
        Files.writeString(karafHome.resolve("etc/system.properties"), "\n"
                + "sink.dist = " + dist + "\n"
                + "sink.home = " + home + "\n"
                + "sink.data.dir = " + home.resolve("data") + "\n"
                // the Gogo shell of sink-core opens no console on Karaf's standard input
                + "gosh.args = --nointeractive --noshutdown\n"
                // Felix HTTP (the fleet console of sink-server) stays closed: not tested here, and
                // no fixed port (its default is 8080) for tests running side by side
                + "org.osgi.service.http.port = 0\n"
                + "org.apache.felix.http.host = 127.0.0.1\n", StandardOpenOption.APPEND);

        // the distribution's configurations of both roles, as they are, but for: one Karaf holds both,
        // so the server's store gets its own file; the server listens on an ephemeral port; the
        // client's transport is configured once the server listens
        Path instances = Path.of(property("sink.instances"));
        for (String role : List.of("server", "client")) {
            try (Stream<Path> files = Files.list(instances.resolve(role + "/etc"))) {
                for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".cfg")).toList()) {
                    String name = file.getFileName().toString();
                    if (name.startsWith("org.ops4j.pax.logging") || name.equals("io.sink.transport.client.cfg")) {
                        continue;
                    }
                    Files.copy(file, karafHome.resolve("etc/" + name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        set(karafHome.resolve("etc/io.sink.server.store.cfg"), "path", "server-events.db");
        set(karafHome.resolve("etc/io.sink.transport.server.cfg"), "port", "0");
        set(karafHome.resolve("etc/org.apache.felix.http.cfg"), "org.osgi.service.http.port", "0");
        socket = home.resolve("shell/sink.sock");
        set(karafHome.resolve("etc/io.sink.shell.socket.cfg"), "path", socket.toString());

        ProcessBuilder builder = new ProcessBuilder(karafHome.resolve("bin/karaf").toString(), "server")
                .directory(karafHome.toFile())
                .redirectErrorStream(true)
                .redirectOutput(base.resolve("karaf.out").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        karaf = builder.start();
        karaf.getOutputStream().close();

        // both roles up: the client's command answers through the shell socket
        await("the client's sink:queue-size answers 0 in Karaf", BOOT, () -> {
            Exec queue = exec("sink:queue-size");
            return queue.status == 0 && queue.output.strip().equals("0");
        });
        Path status = home.resolve("data/transport-server.status");
        await("the transport server listens (" + status + ")", DELIVERY,
                () -> read(status).startsWith("listening"));
        Matcher port = Pattern.compile(":(\\d+)\\s*$").matcher(read(status));
        assertThat(port.find()).as("a port in " + read(status)).isTrue();

        // the walkthrough: a reading logged while the client is not configured to connect...
        assertThat(execOk("sensor:log kitchen 70 40")).doesNotContain("rror");
        assertThat(execOk("sink:queue-size").strip()).isEqualTo("1");

        // ...is delivered once the client's transport points at the server
        Path clientCfg = karafHome.resolve("etc/io.sink.transport.client.cfg");
        Path staged = base.resolve("io.sink.transport.client.cfg");
        Files.copy(instances.resolve("client/etc/io.sink.transport.client.cfg"), staged);
        set(staged, "host", "127.0.0.1");
        set(staged, "port", port.group(1));
        Files.move(staged, clientCfg, StandardCopyOption.ATOMIC_MOVE);
        await("the client's queue drains to 0", DELIVERY, () -> {
            Exec queue = exec("sink:queue-size");
            return queue.status == 0 && queue.output.strip().equals("0");
        });
        String events = execOk("sink:events " + CLIENT_ID);
        assertThat(events).as(diagnostics()).contains(CLIENT_ID).contains("kitchen");
    }

    @AfterEach
    void stopKaraf() throws InterruptedException {
        if (karaf == null) {
            return;
        }
        // SIGTERM to bin/karaf and the JVM it started: Karaf stops its bundles and exits
        List<ProcessHandle> tree = new ArrayList<>(karaf.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        karaf.destroy();
        if (!karaf.waitFor(60, TimeUnit.SECONDS)) {
            karaf.descendants().forEach(ProcessHandle::destroyForcibly);
            karaf.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (ProcessHandle process : tree) {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }

    private record Exec(int status, String output) {
    }

    /** One command line in the running Karaf, through the shell socket, as {@code bin/sink ROLE exec} does. */
    private Exec exec(String command) {
        if (!Files.exists(socket)) {
            return new Exec(-1, "no socket yet");
        }
        try {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            List<String> line = new ArrayList<>(List.of(java.toString(), "-cp", property("sink.shell.socket.jar"),
                    "io.sink.shell.socket.internal.ExecClient", "--timeout", "60", socket.toString()));
            line.addAll(List.of(command.split(" ")));
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            process.getOutputStream().close();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Exec(-1, "no answer in 90 s");
            }
            return new Exec(process.exitValue(), output);
        } catch (IOException e) {
            return new Exec(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Exec(-1, e.toString());
        }
    }

    private String execOk(String command) {
        Exec result = exec(command);
        assertThat(result.status).as("'" + command + "' answered " + result.output + "\n" + diagnostics()).isZero();
        return result.output;
    }

    /** Waits for {@code condition} (test-support's Await), failing at once if Karaf exits meanwhile. */
    private void await(String what, Duration timeout, BooleanSupplier condition) {
        Await.until(() -> "not within " + timeout.toSeconds() + " s: " + what + "\n" + diagnostics(), timeout, () -> {
            if (!karaf.isAlive()) {
                throw new AssertionError("Karaf exited (" + what + ")\n" + diagnostics());
            }
            return condition.getAsBoolean();
        });
    }

    private String diagnostics() {
        return "--- karaf.out\n" + tail(base.resolve("karaf.out")) + "--- data/log/karaf.log\n"
                + tail(karafHome.resolve("data/log/karaf.log"));
    }

    private static String tail(Path file) {
        List<String> lines = List.of(read(file).split("\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size())) + "\n";
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** Sets {@code key = value} in a .cfg file, replacing the key's line or adding one. */
    private static void set(Path cfg, String key, String value) throws IOException {
        List<String> lines = new ArrayList<>(Files.exists(cfg) ? Files.readAllLines(cfg) : List.of());
        Pattern keyLine = Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:].*$");
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (keyLine.matcher(lines.get(i)).matches()) {
                lines.set(i, key + " = " + value);
                found = true;
            }
        }
        if (!found) {
            lines.add(key + " = " + value);
        }
        Files.write(cfg, lines);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).as(command + " in time").isTrue();
        assertThat(process.exitValue()).as(command + ": " + output).isZero();
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        assertThat(value).as("system property " + name + " (set by the module's pom)").isNotBlank();
        return value;
    }
}
