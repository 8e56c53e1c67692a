package io.sink.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.api.InstanceId;
import io.sink.api.Nack;
import io.sink.api.server.ClientRecord;
import io.sink.server.auth.storage.StoredClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryTest {
    private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private final FakeSinkServer server = new FakeSinkServer();
    private final SortedSet<String> allowed = new TreeSet<>(List.of("alice", "bob", "carol"));
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private Registry registry;

    private final AllowedClients allowList = new AllowedClients() {
        @Override
        public SortedSet<String> allowedClients() {
            return new TreeSet<>(allowed);
        }

        @Override
        public String fingerprint(String clientId) {
            return allowed.contains(clientId) ? "AB:CD" : null;
        }
    };

    @BeforeEach
    void open() throws IOException {
        registry = reopen();
    }

    private Registry reopen() throws IOException {
        return new Registry(RegistryStore.open(dir, new SplittableRandom(), clock), VersionPolicy.ACCEPT_ALL,
                () -> allowList, ConnectionCloser.of(() -> server), clock);
    }

    private Path clientFile(String clientId) {
        return dir.resolve("clients").resolve(clientId + ".properties");
    }

    private List<String> temporaryFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(AtomicFiles::isTemporary).toList();
        }
    }

    // ---- server instance id

    @Test
    void serverInstanceIdIsCreatedOnceAndKept() throws IOException {
        InstanceId first = registry.serverInstanceId();
        assertThat(dir.resolve("server.properties")).exists();

        assertThat(reopen().serverInstanceId()).isEqualTo(first);
        assertThat(reopen().serverInstanceId()).isEqualTo(first);
        assertThat(registry.record("alice").serverInstanceId()).isEqualTo(first);
    }

    @Test
    void unreadableServerInstanceIdRefusesToStart() throws IOException {
        Files.writeString(dir.resolve("server.properties"), "format=1\nserver.instance.id=banana\n");
        assertThatThrownBy(this::reopen).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("stateDir: the server's instance id in")
                .hasMessageContaining("server.instance.id is not a number");
    }

    @Test
    void missingServerInstanceIdWithClientRecordsRefusesToStart() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(7));
        Files.delete(dir.resolve("server.properties"));

        assertThatThrownBy(this::reopen).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("server.properties is missing but 1 client record(s) exist");
    }

    // ---- the handshake's view

    @Test
    void unknownClientHasAnEmptyRecord() {
        ClientRecord record = registry.record("dave");
        assertThat(record.clientInstanceId()).isEmpty();
        assertThat(record.quarantine()).isEmpty();
        assertThat(registry.remembered("dave")).isEmpty();
    }

    @Test
    void clientInstanceIdIsStoredAndReloaded() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(4_294_967_295L));

        assertThat(registry.record("alice").clientInstanceId()).contains(new InstanceId(4_294_967_295L));
        Registry reopened = reopen();
        assertThat(reopened.record("alice").clientInstanceId()).contains(new InstanceId(4_294_967_295L));
        assertThat(reopened.rememberedClients()).containsExactly("alice");
        assertThat(reopened.describe("alice")).isEqualTo("alice: on the allow-list (SHA-256 AB:CD); client instance id "
                + "4294967295 (registered 2026-01-02T03:04:05Z); not quarantined");
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void registeringTheSameIdAgainIsHarmlessButADifferentOneIsRefused() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1));
        registry.registerClientInstanceId("alice", new InstanceId(1));

        assertThatThrownBy(() -> registry.registerClientInstanceId("alice", new InstanceId(2)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("client alice already has instance id 1; refusing to replace it with 2 (forget the client to allow it)");
        assertThat(reopen().record("alice").clientInstanceId()).contains(new InstanceId(1));
    }

    @Test
    void malformedClientIdsAreRefused() {
        for (String bad : new String[] {"", "../etc", "a/b", ".hidden", "x".repeat(129), "a b"}) {
            assertThatThrownBy(() -> registry.record(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("malformed client id");
            assertThatThrownBy(() -> registry.forget(bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> registry.quarantine(bad, "", "")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThatThrownBy(() -> registry.registerClientInstanceId(null, new InstanceId(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("client id is missing");
    }

    @Test
    void versionPolicyIsApplied() throws IOException {
        Registry strict = new Registry(RegistryStore.open(dir, new SplittableRandom(), clock), VersionPolicy.minimum("1.0.0"),
                () -> allowList, ConnectionCloser.NONE, clock);
        assertThat(strict.acceptsApplicationVersion("alice", "1.0.0")).isTrue();
        assertThat(strict.acceptsApplicationVersion("alice", "0.9.0")).isFalse();
        assertThat(registry.acceptsApplicationVersion("alice", "0.9.0")).isTrue();
    }

    // ---- quarantine

    @Test
    void quarantineIsDurableAndClosesTheLiveConnection() throws Exception {
        registry.registerClientInstanceId("alice", new InstanceId(42));
        server.connected.add("alice");

        String description = registry.quarantine("alice", "stolen", "reported stolen");

        assertThat(description).isEqualTo("quarantined alice (machine \"stolen\", human \"reported stolen\"); "
                + "closed its live connection");
        assertThat(server.awaitDisconnect(Duration.ofSeconds(1)))
                .isEqualTo(new FakeSinkServer.Disconnect("alice", "quarantined by the operator"));
        Nack expected = Nack.of("stolen", "reported stolen");
        assertThat(registry.record("alice").quarantine()).contains(expected);
        ClientRecord reloaded = reopen().record("alice");
        assertThat(reloaded.quarantine()).contains(expected);
        assertThat(reloaded.clientInstanceId()).contains(new InstanceId(42));
        assertThat(registry.describe("alice")).endsWith("; quarantined since 2026-01-02T03:04:05Z (machine \"stolen\", "
                + "human \"reported stolen\")");
    }

    @Test
    void quarantineOfAnAllowedClientNeverSeenWorksWithoutAConnection() throws IOException {
        assertThat(registry.quarantine("bob", "", "")).isEqualTo("quarantined bob (machine \"\", human \"\"); "
                + "it had no live connection");
        assertThat(registry.remembered("bob")).hasValueSatisfying(r -> {
            assertThat(r.quarantine()).contains(Nack.of("", ""));
            assertThat(r.clientInstanceId()).isEmpty();
        });
        assertThat(reopen().record("bob").quarantine()).contains(Nack.of("", ""));
    }

    @Test
    void quarantineWithoutServerSaysSo() throws IOException {
        Registry noServer = new Registry(RegistryStore.open(dir, new SplittableRandom(), clock), VersionPolicy.ACCEPT_ALL,
                () -> allowList, ConnectionCloser.NONE, clock);
        assertThat(noServer.quarantine("alice", "m", "h")).endsWith("; no Sink server runs here to close a connection");
    }

    @Test
    void quarantineAgainReplacesTheReason() throws IOException {
        registry.quarantine("alice", "a", "first");
        assertThat(registry.quarantine("alice", "b", "second")).startsWith("replaced the quarantine reason of alice");
        assertThat(reopen().record("alice").quarantine()).contains(Nack.of("b", "second"));
    }

    @Test
    void quarantineOfUnknownClientIsRefused() {
        assertThatThrownBy(() -> registry.quarantine("mallory", "m", "h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown client mallory: it is not on the allow-list and the registry remembers nothing of it");
        assertThat(server.disconnects).isEmpty();
        assertThat(clientFile("mallory")).doesNotExist();
    }

    @Test
    void rememberedClientOffTheAllowListCanStillBeQuarantined() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1));
        allowed.remove("alice");
        assertThat(registry.quarantine("alice", "m", "h")).startsWith("quarantined alice");
        assertThat(registry.describe("alice")).startsWith("alice: not on the allow-list; client instance id 1");
    }

    @Test
    void oversizedReasonIsRefused() {
        assertThatThrownBy(() -> registry.quarantine("alice", "", "x".repeat(70_000)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("too large");
    }

    @Test
    void unquarantineRestoresTheClient() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(42));
        registry.quarantine("alice", "m", "h");

        assertThat(registry.unquarantine("alice")).isEqualTo("unquarantined alice");
        assertThat(registry.unquarantine("alice")).isEqualTo("alice was not quarantined");
        assertThat(registry.record("alice").quarantine()).isEmpty();
        ClientRecord reloaded = reopen().record("alice");
        assertThat(reloaded.quarantine()).isEmpty();
        assertThat(reloaded.clientInstanceId()).contains(new InstanceId(42));
    }

    @Test
    void unquarantineOfAClientWithNothingElseRemovesItsFile() throws IOException {
        registry.quarantine("bob", "m", "h");
        assertThat(clientFile("bob")).exists();

        registry.unquarantine("bob");

        assertThat(clientFile("bob")).doesNotExist();
        assertThat(registry.remembered("bob")).isEmpty();
        assertThat(registry.rememberedClients()).isEmpty();
    }

    @Test
    void unquarantineOfUnknownClientIsRefused() {
        assertThatThrownBy(() -> registry.unquarantine("mallory")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("unknown client mallory");
        assertThat(catchDescription(() -> registry.unquarantine("carol"))).isEqualTo("carol was not quarantined");
    }

    // ---- forget

    @Test
    void forgetRemovesTheClientInstanceId() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1234));

        assertThat(registry.forget("alice")).isEqualTo("forgot client instance id 1234 of alice");
        assertThat(registry.forget("alice")).isEqualTo("nothing remembered for alice");
        assertThat(registry.forget("mallory")).isEqualTo("nothing remembered for mallory");
        assertThat(clientFile("alice")).doesNotExist();
        assertThat(reopen().record("alice").clientInstanceId()).isEmpty();

        // a re-imaged device registers again
        registry.registerClientInstanceId("alice", new InstanceId(5678));
        assertThat(reopen().record("alice").clientInstanceId()).contains(new InstanceId(5678));
    }

    @Test
    void forgetKeepsTheQuarantine() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1234));
        registry.quarantine("alice", "m", "h");

        assertThat(registry.forget("alice")).isEqualTo("forgot client instance id 1234 of alice (it stays quarantined)");
        assertThat(registry.forget("alice")).isEqualTo("no client instance id remembered for alice (it stays quarantined)");
        ClientRecord reloaded = reopen().record("alice");
        assertThat(reloaded.clientInstanceId()).isEmpty();
        assertThat(reloaded.quarantine()).contains(Nack.of("m", "h"));
    }

    // ---- crash safety

    @Test
    void writesLeaveNoTemporaryFilesAndPrivatePermissions() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1));
        registry.quarantine("alice", "m", "h");
        registry.unquarantine("alice");
        registry.forget("alice");
        registry.registerClientInstanceId("bob", new InstanceId(2));

        assertThat(temporaryFiles()).isEmpty();
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertThat(Files.getPosixFilePermissions(clientFile("bob")))
                    .isEqualTo(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        }
    }

    @Test
    void leftoverTemporaryFilesOfACrashAreIgnoredAndRemoved() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1));
        byte[] full = Files.readAllBytes(clientFile("alice"));
        // A crash between writing the temporary file and renaming it: half of a newer record.
        Path leftover = dir.resolve("clients").resolve(".alice.properties.8312.tmp");
        Files.write(leftover, java.util.Arrays.copyOf(full, full.length / 2));
        Path serverLeftover = dir.resolve(".server.properties.1.tmp");
        Files.writeString(serverLeftover, "format=1\nserver.instance.id=");

        Registry reopened = reopen();

        assertThat(leftover).doesNotExist();
        assertThat(serverLeftover).doesNotExist();
        assertThat(reopened.record("alice").clientInstanceId()).contains(new InstanceId(1));
        assertThat(reopened.serverInstanceId()).isEqualTo(registry.serverInstanceId());
        assertThat(reopened.rememberedClients()).containsExactly("alice");
    }

    @Test
    void unreadableClientRecordIsRefusedAsQuarantinedUntilForgotten() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1));
        registry.registerClientInstanceId("bob", new InstanceId(2));
        Files.writeString(clientFile("alice"), "format=1\nclient.id=alice\nclient.instance.id=-5\n");

        Registry reopened = reopen();

        assertThat(reopened.record("bob").clientInstanceId()).contains(new InstanceId(2));
        assertThat(reopened.record("alice").quarantine()).contains(StoredClient.UNREADABLE_QUARANTINE);
        assertThat(reopened.describe("alice")).contains("registry record unreadable (client.instance.id must be between");
        assertThatThrownBy(() -> reopened.unquarantine("alice")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("forget it first");
        assertThatThrownBy(() -> reopened.quarantine("alice", "m", "h")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unreadable");
        assertThatThrownBy(() -> reopened.registerClientInstanceId("alice", new InstanceId(3)))
                .isInstanceOf(IllegalStateException.class);

        assertThat(reopened.forget("alice")).startsWith("set the unreadable registry record of alice aside as ")
                .endsWith("alice.properties.unreadable; nothing is remembered for alice now");
        assertThat(reopened.record("alice").quarantine()).isEmpty();
        assertThat(dir.resolve("clients").resolve("alice.properties.unreadable")).exists();
        Registry again = reopen();
        assertThat(again.remembered("alice")).isEmpty();
        again.registerClientInstanceId("alice", new InstanceId(3));
        assertThat(reopen().record("alice").clientInstanceId()).contains(new InstanceId(3));
    }

    @Test
    void recordOfAnotherClientUnderThisNameIsUnreadable() throws IOException {
        registry.registerClientInstanceId("alice", new InstanceId(1));
        Files.copy(clientFile("alice"), clientFile("bob"));

        assertThat(reopen().record("bob").quarantine()).contains(StoredClient.UNREADABLE_QUARANTINE);
    }

    @Test
    void strayFilesInTheRegistryAreIgnored() throws IOException {
        Files.writeString(dir.resolve("clients").resolve("notes.txt"), "hello");
        Files.writeString(dir.resolve("clients").resolve("bad name.properties"), "format=1");
        Files.writeString(dir.resolve("clients").resolve("empty.properties"), "format=1\nclient.id=empty\n");

        assertThat(reopen().rememberedClients()).isEmpty();
    }

    @Test
    void nonAsciiReasonsRoundTrip() throws IOException {
        registry.quarantine("alice", "gestohlen ✓", "Gerät als gestohlen gemeldet — 盗難");
        byte[] file = Files.readAllBytes(clientFile("alice"));
        for (byte b : file) {
            assertThat(b).as("registry files are ASCII").isBetween((byte) 0, (byte) 127);
        }
        assertThat(new String(file, StandardCharsets.US_ASCII)).contains("quarantine.human=");
        assertThat(reopen().record("alice").quarantine()).contains(Nack.of("gestohlen ✓", "Gerät als gestohlen gemeldet — 盗難"));
    }

    @Test
    void concurrentRegistrationsOfDifferentClientsAllPersist() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 64; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    registry.registerClientInstanceId("client-" + n, new InstanceId(n));
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        Registry reopened = reopen();
        assertThat(reopened.rememberedClients()).hasSize(64);
        for (int i = 0; i < 64; i++) {
            assertThat(reopened.record("client-" + i).clientInstanceId()).contains(new InstanceId(i));
        }
        assertThat(temporaryFiles()).isEmpty();
    }

    @Test
    void concurrentRegistrationsOfOneClientStoreExactlyOne() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Optional<Exception>>> futures = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 16; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    try {
                        registry.registerClientInstanceId("alice", new InstanceId(n));
                        return Optional.empty();
                    } catch (IllegalStateException e) {
                        return Optional.of(e);
                    }
                }));
            }
            long refused = 0;
            for (Future<Optional<Exception>> future : futures) {
                refused += future.get(30, TimeUnit.SECONDS).isPresent() ? 1 : 0;
            }
            assertThat(refused).isEqualTo(15);
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(reopen().record("alice").clientInstanceId()).isEqualTo(registry.record("alice").clientInstanceId());
    }

    // ---- operator views

    @Test
    void viewsForTheShell() throws IOException {
        assertThat(registry.allowedClients()).containsExactly("alice", "bob", "carol");
        registry.quarantine("carol", "m", "h");
        registry.registerClientInstanceId("alice", new InstanceId(9));
        assertThat(registry.rememberedClients()).containsExactly("alice", "carol");
        assertThat(registry.describe("bob")).isEqualTo("bob: on the allow-list (SHA-256 AB:CD); no client instance id; "
                + "not quarantined");

        Registry withoutAuthenticator = new Registry(RegistryStore.open(dir, new SplittableRandom(), clock),
                VersionPolicy.ACCEPT_ALL, () -> null, ConnectionCloser.NONE, clock);
        assertThat(withoutAuthenticator.allowedClients()).isEmpty();
        assertThat(withoutAuthenticator.describe("bob")).startsWith("bob: allow-list not available;");
    }

    private interface Action {
        String run() throws IOException;
    }

    private static String catchDescription(Action action) {
        try {
            return action.run();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
