package io.sink.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCertificatesTest {

    @TempDir
    Path dir;

    @Test
    void createsCaServerAndClients() throws Exception {
        List<Path> created = DevCertificates.ensure(dir, List.of("example-client", "sensor-1"));

        assertThat(created).containsExactly(dir.resolve("ca.pem"), dir.resolve("ca-private/ca-key.pem"),
                dir.resolve("server.pem"),
                dir.resolve("server-key.pem"), dir.resolve("example-client.pem"), dir.resolve("example-client-key.pem"),
                dir.resolve("sensor-1.pem"), dir.resolve("sensor-1-key.pem"));
        X509Certificate ca = PemFiles.readCertificates(dir.resolve("ca.pem")).get(0);
        X509Certificate server = PemFiles.readCertificates(dir.resolve("server.pem")).get(0);
        X509Certificate client = PemFiles.readCertificates(dir.resolve("sensor-1.pem")).get(0);

        assertThat(Certificates.subject(ca)).isEqualTo("CN=Sink Development CA");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        ca.verify(ca.getPublicKey());
        assertThat(validity(ca)).isEqualTo(Duration.ofDays(3650).plusHours(1));

        assertThat(Certificates.subject(server)).isEqualTo("CN=localhost");
        server.verify(ca.getPublicKey());
        assertThat(server.getBasicConstraints()).isEqualTo(-1);
        assertThat(server.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(server.getSubjectAlternativeNames()).containsExactlyInAnyOrder(List.of(2, "localhost"),
                List.of(7, "127.0.0.1"));
        assertThat(validity(server)).isEqualTo(Duration.ofDays(825).plusHours(1));

        assertThat(Certificates.subject(client)).isEqualTo("CN=sensor-1");
        client.verify(ca.getPublicKey());
        assertThat(client.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
        assertThat(client.getSubjectAlternativeNames()).isNull();

        for (X509Certificate certificate : List.of(ca, server, client)) {
            assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
            assertThat(((ECPublicKey) certificate.getPublicKey()).getParams().getCurve().getField().getFieldSize())
                    .isEqualTo(256);
            assertThat(certificate.getSerialNumber().signum()).isPositive();
            assertThat(certificate.getSerialNumber().bitLength()).isGreaterThan(64);
        }
        assertThat(TlsCredentials.load(DevCertificates.serverConfig(dir)).leaf()).isEqualTo(server);
        assertThat(TlsCredentials.load(DevCertificates.clientConfig(dir, "sensor-1")).leaf()).isEqualTo(client);
    }

    @Test
    void keyFilesAreOwnerOnlyAndCertificatesWorldReadable() throws Exception {
        DevCertificates.ensure(dir, List.of("example-client"));

        try (Stream<Path> files = Files.list(dir)) {
            Map<String, String> permissions = files.collect(Collectors.toMap(p -> p.getFileName().toString(),
                    p -> permissions(p), (a, b) -> a, LinkedHashMap::new));
            assertThat(permissions).containsOnly(
                    Map.entry("ca.pem", "rw-r--r--"), Map.entry("ca-private", "rwx------"),
                    Map.entry("server.pem", "rw-r--r--"), Map.entry("server-key.pem", "rw-------"),
                    Map.entry("example-client.pem", "rw-r--r--"), Map.entry("example-client-key.pem", "rw-------"));
        }
        assertThat(Files.readString(dir.resolve("server-key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(permissions(dir.resolve("ca-private/ca-key.pem"))).isEqualTo("rw-------");
    }

    @Test
    void theCaKeyCanLiveOutsideTheCertificatesFolder() throws Exception {
        Path certs = dir.resolve("certs");
        Path ca = dir.resolve("ca");

        List<Path> created = DevCertificates.ensure(certs, ca, List.of("example-client"));

        assertThat(created).contains(certs.resolve("ca.pem"), ca.resolve("ca-key.pem")).noneMatch(
                p -> p.startsWith(certs) && p.getFileName().toString().equals("ca-key.pem"));
        try (Stream<Path> all = Files.walk(certs)) {
            assertThat(all.map(p -> p.getFileName().toString())).doesNotContain("ca-key.pem");
        }
        assertThat(permissions(ca)).isEqualTo("rwx------");
        assertThat(permissions(ca.resolve("ca-key.pem"))).isEqualTo("rw-------");
        X509Certificate caCertificate = PemFiles.readCertificates(certs.resolve("ca.pem")).get(0);
        DevCertificates.authority(certs, ca).issueClient("more").certificate().verify(caCertificate.getPublicKey());
        assertThat(DevCertificates.ensure(certs, ca, List.of("example-client"))).isEmpty();
    }

    @Test
    void aCaKeyLeftBesideTheCertificatesIsMovedOut() throws Exception {
        Path certs = dir.resolve("certs");
        Path ca = dir.resolve("ca");
        DevCertificates.ensure(certs, ca, List.of());
        // the layout of earlier versions: ca-key.pem in certs/
        Files.move(ca.resolve("ca-key.pem"), certs.resolve("ca-key.pem"));
        byte[] key = Files.readAllBytes(certs.resolve("ca-key.pem"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThat(DevCertificates.run(new String[] {certs.toString(), "--ca", ca.toString(), "late"}, print(out),
                print(new ByteArrayOutputStream()))).isZero();

        assertThat(certs.resolve("ca-key.pem")).doesNotExist();
        assertThat(Files.readAllBytes(ca.resolve("ca-key.pem"))).isEqualTo(key);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("moved " + certs.resolve("ca-key.pem") + " to "
                + ca.resolve("ca-key.pem")).contains("created " + certs.resolve("late.pem"));
    }

    @Test
    void createsTheDirectoryOwnerOnly() throws Exception {
        Path certs = dir.resolve("a/certs");

        DevCertificates.ensure(certs, List.of());

        assertThat(permissions(certs)).isEqualTo("rwx------");
        assertThat(certs.resolve("server.pem")).exists();
    }

    @Test
    void secondRunCreatesNothingAndChangesNothing() throws Exception {
        DevCertificates.ensure(dir, List.of("example-client"));
        Map<Path, byte[]> contents = new LinkedHashMap<>();
        Map<Path, FileTime> times = new LinkedHashMap<>();
        try (Stream<Path> files = Files.walk(dir).filter(Files::isRegularFile)) {
            for (Path file : files.collect(Collectors.toList())) {
                contents.put(file, Files.readAllBytes(file));
                times.put(file, Files.getLastModifiedTime(file));
            }
        }

        assertThat(DevCertificates.ensure(dir, List.of("example-client"))).isEmpty();

        try (Stream<Path> files = Files.walk(dir).filter(Files::isRegularFile)) {
            assertThat(files.collect(Collectors.toSet())).isEqualTo(contents.keySet());
        }
        for (Path file : contents.keySet()) {
            assertThat(Files.readAllBytes(file)).as(file.toString()).isEqualTo(contents.get(file));
            assertThat(Files.getLastModifiedTime(file)).as(file.toString()).isEqualTo(times.get(file));
        }
    }

    @Test
    void aNewClientIsSignedByTheExistingCa() throws Exception {
        DevCertificates.ensure(dir, List.of("example-client"));
        byte[] ca = Files.readAllBytes(dir.resolve("ca.pem"));

        List<Path> created = DevCertificates.ensure(dir, List.of("example-client", "late-comer"));

        assertThat(created).containsExactly(dir.resolve("late-comer.pem"), dir.resolve("late-comer-key.pem"));
        assertThat(Files.readAllBytes(dir.resolve("ca.pem"))).isEqualTo(ca);
        X509Certificate caCertificate = PemFiles.readCertificates(dir.resolve("ca.pem")).get(0);
        PemFiles.readCertificates(dir.resolve("late-comer.pem")).get(0).verify(caCertificate.getPublicKey());
    }

    @Test
    void aPairWithOneFileMissingIsAnError() throws Exception {
        DevCertificates.ensure(dir, List.of("example-client"));
        Files.delete(dir.resolve("server-key.pem"));

        assertThatThrownBy(() -> DevCertificates.ensure(dir, List.of())).isInstanceOf(TlsFileException.class)
                .hasMessage(dir.resolve("server.pem") + ": exists but server-key.pem does not; restore server-key.pem,"
                        + " or delete server.pem to have a new pair made");
    }

    @Test
    void badClientNames() {
        for (String name : List.of("", "../evil", "a/b", "ca", "Server", "x-key", ".hidden", "a".repeat(65))) {
            assertThatThrownBy(() -> DevCertificates.ensure(dir, List.of(name))).as(name)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name);
        }
    }

    @Test
    void issuesManyDistinctClientCertificatesQuickly() throws Exception {
        DevCertificates.ensure(dir, List.of());
        DevCertificateAuthority authority = DevCertificates.authority(dir);
        int count = 500;
        Set<String> fingerprints = new HashSet<>();
        Set<BigInteger> serials = new HashSet<>();

        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            IssuedCertificate issued = authority.issueClient("client-" + i);
            fingerprints.add(Certificates.sha256Fingerprint(issued.certificate()));
            serials.add(issued.certificate().getSerialNumber());
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(fingerprints).hasSize(count);
        assertThat(serials).hasSize(count);
        // Generous: about 1 ms each on a laptop; this only catches a pathological slowdown.
        assertThat(elapsed).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void commandLineCreatesThenReportsNothingToDo() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int status = DevCertificates.run(new String[] {dir.toString()}, print(out), print(err));

        assertThat(status).isZero();
        String printed = out.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("created " + dir.resolve("example-client.pem") + " (CN=example-client, SHA-256 ")
                .contains("created " + dir.resolve("example-client-key.pem") + " (private key, owner-only)")
                .contains("created " + dir.resolve("ca.pem")).contains("created " + dir.resolve("server.pem"));
        assertThat(err.size()).isZero();

        out.reset();
        assertThat(DevCertificates.run(new String[] {dir.toString(), "example-client"}, print(out), print(err))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("nothing to do: all certificates are present in "
                + dir + System.lineSeparator());
    }

    @Test
    void commandLineUsageAndErrors() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(DevCertificates.run(new String[0], print(new ByteArrayOutputStream()), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("usage: ");

        err.reset();
        assertThat(DevCertificates.run(new String[] {dir.toString(), "bad/name"}, print(new ByteArrayOutputStream()),
                print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: a client name");

        err.reset();
        assertThat(DevCertificates.run(new String[] {dir.toString(), "--ca"}, print(new ByteArrayOutputStream()),
                print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: --ca needs a folder");
    }

    @Test
    void loadingACaRefusesALeafCertificate() throws Exception {
        DevCertificates.ensure(dir, List.of());

        assertThatThrownBy(() -> DevCertificateAuthority.load(dir.resolve("server.pem"), dir.resolve("server-key.pem")))
                .hasMessage(dir.resolve("server.pem") + ": the certificate CN=localhost is not a CA certificate"
                        + " (no basicConstraints cA=true)");
    }

    private static Duration validity(X509Certificate certificate) {
        return Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
    }

    private static String permissions(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static PrintStream print(ByteArrayOutputStream out) {
        return new PrintStream(out, true, StandardCharsets.UTF_8);
    }
}
