package io.sink.server.store.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.security.SecureRandom;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, throwaway PostgreSQL server for tests: {@code initdb} into a new temporary folder, then
 * {@code pg_ctl start} listening on 127.0.0.1 at a free port (and on a Unix socket in that folder,
 * never the system's), with password authentication (SCRAM) for the user {@link #USER}. {@link #close()}
 * stops it ({@code pg_ctl stop -m immediate}) and deletes the folder; a JVM shutdown hook does the
 * same if a test run is cut short.
 *
 * <p>The server binaries are Debian's ({@code /usr/lib/postgresql/<version>/bin}, package
 * {@code postgresql}, installed by {@code .ci/run} when missing), or those in the folder named by
 * the environment variable {@code SINK_PG_BIN}. When none is found, {@link #start()} fails with a
 * message saying what is missing: a test never skips silently. PostgreSQL refuses to run as root; as
 * root, the binaries run as the system user {@code postgres} (through {@code runuser}).
 *
 * <p>Typical use, one server per test class, started before its first test and stopped after its last:
 *
 * <pre>
 * &#64;RegisterExtension
 * static final PostgresServer.PerClass PG = new PostgresServer.PerClass();
 * ... String db = PG.server().createDatabase(); // a fresh, empty database per test
 * </pre>
 *
 * <p>Reuse from another module: depend on {@code io.sink:sink-server-store-postgres} with
 * {@code <type>test-jar</type>} and {@code <scope>test</scope>}.
 */
public final class PostgresServer implements AutoCloseable {
    /** The database superuser that the tests connect as. */
    public static final String USER = "sink";
    /** Environment variable naming a folder with initdb, pg_ctl and postgres. */
    public static final String BIN_ENV = "SINK_PG_BIN";
    private static final Path DEBIAN_ROOT = Paths.get("/usr/lib/postgresql");
    private static final long TIMEOUT_SECONDS = 120;
    private static final AtomicInteger DATABASES = new AtomicInteger();

    private final Path bin;
    private final Path folder;
    private final Path data;
    private final Path passwordFile;
    private final String password;
    private final List<String> runAs;
    private final int port;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final Thread shutdownHook;

    private PostgresServer(Path bin, Path folder, String password, List<String> runAs, int port) {
        this.bin = bin;
        this.folder = folder;
        this.data = folder.resolve("data");
        this.passwordFile = folder.resolve("password");
        this.password = password;
        this.runAs = runAs;
        this.port = port;
        this.shutdownHook = new Thread(this::stop, "postgres-test-server-stop");
    }

    /**
     * Creates, starts and waits for a new server.
     *
     * @throws IllegalStateException when the binaries are missing (naming where they were looked
     *         for and how to install them) or the server does not start (with its log)
     */
    public static PostgresServer start() {
        Path bin = findBinaries();
        List<String> runAs = runAs();
        IllegalStateException last = null;
        // a free port may be taken between choosing it and the server binding it: try a few times
        for (int attempt = 1; attempt <= 3; attempt++) {
            Path folder;
            try {
                folder = Files.createTempDirectory("sink-postgres-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary folder for PostgreSQL", e);
            }
            PostgresServer server = new PostgresServer(bin, folder, newPassword(), runAs, freePort());
            try {
                server.initAndStart();
                return server;
            } catch (IllegalStateException e) {
                last = e;
                server.stopQuietly();
            }
        }
        throw last;
    }

    private static String newPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private void initAndStart() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            Files.writeString(passwordFile, password + "\n", StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(passwordFile, PosixFilePermissions.fromString("rw-------"));
            if (!runAs.isEmpty()) {
                chownToPostgres(folder);
                chownToPostgres(passwordFile);
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER,
                    "--pwfile=" + passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
                    "--no-sync"), "initdb");
            run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    folder.resolve("server.log").toString(), "-w", "-t", Long.toString(TIMEOUT_SECONDS), "-o",
                    "-c listen_addresses=127.0.0.1 -p " + port + " -k " + folder + " -c max_connections=200",
                    "start"), "pg_ctl start");
        } catch (IOException e) {
            throw new IllegalStateException("cannot prepare PostgreSQL in " + folder + ": " + e, e);
        }
    }

    private static Path findBinaries() {
        List<Path> looked = new ArrayList<>();
        String env = System.getenv(BIN_ENV);
        if (env != null && !env.isBlank()) {
            Path p = Paths.get(env);
            if (Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl"))) {
                return p;
            }
            looked.add(p);
        }
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                Path found = versions.map(v -> v.resolve("bin"))
                        .filter(p -> Files.isExecutable(p.resolve("initdb")) && Files.isExecutable(p.resolve("pg_ctl")))
                        .max(Comparator.comparingInt(PostgresServer::majorVersion)).orElse(null);
                if (found != null) {
                    return found;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + DEBIAN_ROOT, e);
            }
        }
        looked.add(DEBIAN_ROOT.resolve("<version>/bin"));
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl, postgres) are missing: looked in "
                + looked + ". Install Debian's server (apt-get install postgresql; .ci/run does it when missing) or"
                + " set " + BIN_ENV + " to a folder that holds them. These tests need a real PostgreSQL and are"
                + " not skipped.");
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** As root, the binaries run as the system user postgres, which must exist. */
    private static List<String> runAs() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return List.of();
        }
        try {
            Paths.get("/").getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        } catch (IOException e) {
            throw new IllegalStateException("PostgreSQL refuses to run as root and there is no system user"
                    + " 'postgres' to run it as (the Debian package postgresql creates it): " + e.getMessage(), e);
        }
        return List.of("runuser", "-u", "postgres", "--");
    }

    private static void chownToPostgres(Path path) throws IOException {
        UserPrincipal postgres = path.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
        Files.setOwner(path, postgres);
        if (Files.isDirectory(path)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    private void run(List<String> command, String what) {
        List<String> full = new ArrayList<>(runAs);
        full.addAll(command);
        Path output = folder.resolve(what.replace(' ', '-') + ".out");
        try {
            // the output goes to a file in the folder, readable by root when the command runs as postgres
            Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException(what + " did not finish within " + TIMEOUT_SECONDS + " s" + logs(output));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(what + " failed with exit code " + p.exitValue() + logs(output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + full + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + what, e);
        }
    }

    private String logs(Path output) {
        StringBuilder b = new StringBuilder();
        for (Path p : new Path[] {output, folder.resolve("server.log")}) {
            try {
                if (Files.isRegularFile(p)) {
                    b.append("\n--- ").append(p.getFileName()).append(" ---\n")
                            .append(Files.readString(p, StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                b.append("\n(cannot read ").append(p).append(": ").append(e.getMessage()).append(')');
            }
        }
        return b.toString();
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    /** The password of {@link #USER}. */
    public String password() {
        return password;
    }

    /** A file holding the password of {@link #USER} (and a newline), as an operator would keep it. */
    public Path passwordFile() {
        return passwordFile;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
    }

    /** A new connection to {@code database} as {@link #USER}; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", USER);
        p.setProperty("password", password);
        return DriverManager.getConnection(jdbcUrl(database), p);
    }

    /** Creates a new, empty database with a unique name and returns the name. */
    public String createDatabase() {
        String name = "test_" + DATABASES.incrementAndGet();
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    /** The server's log so far, for failure messages. */
    public String serverLog() {
        return logs(folder.resolve("none"));
    }

    /** Stops the server at once ({@code pg_ctl stop -m immediate}) and deletes its folder. Idempotent. */
    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: it stops the server
        }
    }

    private void stopQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            // starting failed already: that failure is the one reported
        }
    }

    private void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            if (Files.exists(data.resolve("postmaster.pid"))) {
                run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w",
                        "stop"), "pg_ctl stop");
            }
        } finally {
            deleteTree(folder);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the PostgreSQL test folder " + root, e);
        }
    }

    /** A JUnit 5 extension: a server for the test class, started before its tests and stopped after them. */
    public static final class PerClass implements BeforeAllCallback, AfterAllCallback {
        private volatile PostgresServer server;

        @Override
        public void beforeAll(ExtensionContext context) {
            server = PostgresServer.start();
        }

        @Override
        public void afterAll(ExtensionContext context) {
            PostgresServer s = server;
            server = null;
            if (s != null) {
                s.close();
            }
        }

        /** The running server. */
        public PostgresServer server() {
            PostgresServer s = server;
            if (s == null) {
                throw new IllegalStateException("no PostgreSQL test server: register PerClass as a static"
                        + " @RegisterExtension field");
            }
            return s;
        }
    }

    @Override
    public String toString() {
        return "PostgreSQL test server on " + host() + ":" + port + " (" + bin + ", " + folder + ")";
    }
}
