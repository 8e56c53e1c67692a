package io.sink.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.server.auth.internal.TestCertificates.Minted;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The authenticator with its watcher thread: changes to the directory take effect without a restart. */
class AuthenticatorTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    static Minted alice;
    static Minted bob;

    @TempDir
    Path dir;

    private final FakeSinkServer server = new FakeSinkServer();
    private final BlockingQueue<AllowList.ScanResult> scans = new LinkedBlockingQueue<>();
    private Authenticator authenticator;

    @BeforeAll
    static void mint() {
        alice = TestCertificates.mint("alice");
        bob = TestCertificates.mint("bob");
    }

    @AfterEach
    void stop() {
        if (authenticator != null) {
            authenticator.close();
        }
    }

    private Authenticator start(boolean watchEvents, int rescanSeconds) throws IOException {
        authenticator = Authenticator.start(AuthSettings.from(dir.toString(), rescanSeconds), watchEvents,
                ConnectionCloser.of(() -> server), scans::add);
        return authenticator;
    }

    /** Waits until a scan's result satisfies {@code condition}. */
    private AllowList.ScanResult awaitScan(Predicate<AllowList.ScanResult> condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            AllowList.ScanResult result = scans.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (result == null) {
                throw new AssertionError("no scan satisfied the condition within " + TIMEOUT);
            }
            if (condition.test(result)) {
                return result;
            }
        }
    }

    /** Writes like an operator should: to a hidden temporary name, then renamed into place. */
    private void install(String name, String content) throws IOException {
        Path temporary = dir.resolve("." + name + ".tmp");
        Files.writeString(temporary, content);
        Files.move(temporary, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @ParameterizedTest(name = "watch events: {0}")
    @ValueSource(booleans = {true, false})
    void addingAFileAdmitsWithoutRestart(boolean watchEvents) throws Exception {
        Files.writeString(dir.resolve("alice.pem"), alice.pem());
        Authenticator auth = start(watchEvents, 1);
        assertThat(auth.authenticate(alice.certificate())).contains("alice");
        assertThat(auth.authenticate(bob.certificate())).isEmpty();

        install("bob.pem", bob.pem());
        awaitScan(r -> r.clients().contains("bob"));

        assertThat(auth.authenticate(bob.certificate())).contains("bob");
        assertThat(auth.isAdmitted("bob")).isTrue();
        assertThat(auth.allowedClients()).containsExactly("alice", "bob");
        assertThat(server.disconnects).isEmpty();
    }

    @ParameterizedTest(name = "watch events: {0}")
    @ValueSource(booleans = {true, false})
    void removingAFileLocksOutAndClosesTheLiveConnection(boolean watchEvents) throws Exception {
        Files.writeString(dir.resolve("alice.pem"), alice.pem());
        Files.writeString(dir.resolve("bob.pem"), bob.pem());
        server.connected.add("alice");
        Authenticator auth = start(watchEvents, 1);
        assertThat(auth.isAdmitted("alice")).isTrue();

        Files.delete(dir.resolve("alice.pem"));

        FakeSinkServer.Disconnect disconnect = server.awaitDisconnect(TIMEOUT);
        assertThat(disconnect).isEqualTo(new FakeSinkServer.Disconnect("alice", "certificate removed from the allow-list"));
        assertThat(auth.isAdmitted("alice")).isFalse();
        assertThat(auth.authenticate(alice.certificate())).isEmpty();
        assertThat(auth.authenticate(bob.certificate())).contains("bob");
        assertThat(server.connected).doesNotContain("alice");
    }

    @Test
    void changingTheCertificateClosesConnectionsMadeWithTheOldOne() throws Exception {
        Files.writeString(dir.resolve("alice.pem"), alice.pem());
        Authenticator auth = start(true, 1);
        Minted renewed = TestCertificates.mint("alice");

        install("alice.pem", renewed.pem());

        assertThat(server.awaitDisconnect(TIMEOUT).clientId()).isEqualTo("alice");
        assertThat(auth.authenticate(alice.certificate())).isEmpty();
        assertThat(auth.authenticate(renewed.certificate())).contains("alice");
        assertThat(auth.isAdmitted("alice")).isTrue();
    }

    @Test
    void removalWithoutAServerOnlyLocksOut() throws Exception {
        Files.writeString(dir.resolve("alice.pem"), alice.pem());
        authenticator = Authenticator.start(AuthSettings.from(dir.toString(), 1), true, ConnectionCloser.NONE, scans::add);

        Files.delete(dir.resolve("alice.pem"));
        awaitScan(r -> r.removed().contains("alice"));

        assertThat(authenticator.isAdmitted("alice")).isFalse();
    }

    @Test
    void failingServerDoesNotStopTheWatcher() throws Exception {
        Files.writeString(dir.resolve("alice.pem"), alice.pem());
        Files.writeString(dir.resolve("carol.pem"), TestCertificates.mint("carol").pem());
        server.failure = new IllegalStateException("server exploded");
        start(true, 1);

        Files.delete(dir.resolve("alice.pem"));
        Files.delete(dir.resolve("carol.pem"));
        awaitScan(r -> r.clients().isEmpty());
        // both were tried although the first attempt failed
        assertThat(List.of(server.awaitDisconnect(TIMEOUT).clientId(), server.awaitDisconnect(TIMEOUT).clientId()))
                .containsExactlyInAnyOrder("alice", "carol");
        install("bob.pem", bob.pem());
        awaitScan(r -> r.clients().contains("bob"));

        assertThat(authenticator.authenticate(bob.certificate())).contains("bob");
    }

    @Test
    void directoryDeletedAndRecreatedIsWatchedAgain() throws Exception {
        Path allowList = dir.resolve("clients");
        Files.createDirectory(allowList);
        Files.writeString(allowList.resolve("alice.pem"), alice.pem());
        authenticator = Authenticator.start(AuthSettings.from(allowList.toString(), 1), true,
                ConnectionCloser.of(() -> server), scans::add);

        Files.delete(allowList.resolve("alice.pem"));
        Files.delete(allowList);
        awaitScan(r -> r.removed().contains("alice"));
        Files.createDirectory(allowList);
        Files.writeString(allowList.resolve("bob.pem"), bob.pem());
        awaitScan(r -> r.clients().contains("bob"));

        assertThat(authenticator.authenticate(bob.certificate())).contains("bob");
    }

    @Test
    void missingDirectoryIsCreatedEmpty() throws IOException {
        Path missing = dir.resolve("certs").resolve("clients");
        authenticator = Authenticator.start(AuthSettings.from(missing.toString(), 5), true, ConnectionCloser.NONE);

        assertThat(missing).isDirectory().isEmptyDirectory();
        assertThat(authenticator.allowedClients()).isEmpty();
        assertThat(authenticator.authenticate(alice.certificate())).isEmpty();
    }

    @Test
    void directoryThatIsAFileIsRefusedNamingTheProperty() throws IOException {
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> Authenticator.start(AuthSettings.from(file.toString(), 5), true, ConnectionCloser.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowListDir")
                .hasMessageContaining("not a directory");
    }

    @Test
    void closeStopsTheWatcherThread() throws Exception {
        start(true, 1);
        List<Thread> threads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("sink-allow-list-watcher")).toList();
        assertThat(threads).isNotEmpty();

        authenticator.close();
        authenticator = null;

        for (Thread thread : threads) {
            thread.join(TIMEOUT.toMillis());
            assertThat(thread.isAlive()).as("watcher thread alive after close").isFalse();
        }
    }
}
