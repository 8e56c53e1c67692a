package io.sink.server.auth.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sink.server.auth.internal.TestCertificates.Minted;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllowListTest {
    static Minted alice;
    static Minted bob;
    static Minted carol;

    @TempDir
    Path dir;

    @BeforeAll
    static void mint() {
        alice = TestCertificates.mint("alice");
        bob = TestCertificates.mint("bob");
        carol = TestCertificates.mint("carol");
    }

    private void write(String name, String content) throws IOException {
        Files.writeString(dir.resolve(name), content, StandardCharsets.US_ASCII);
    }

    @Test
    void knownCertificateNamesItsClient() throws IOException {
        write("alice.pem", alice.pem());
        write("bob.pem", bob.pem());
        AllowList list = new AllowList(dir);
        AllowList.ScanResult result = list.scan();

        assertThat(result.clients()).containsExactly("alice", "bob");
        assertThat(result.added()).containsExactly("alice", "bob");
        assertThat(list.authenticate(alice.certificate())).contains("alice");
        assertThat(list.authenticate(bob.certificate())).contains("bob");
        assertThat(list.isAdmitted("alice")).isTrue();
        assertThat(list.fingerprint("alice")).contains(Fingerprints.of(alice.der()));
        assertThat(Fingerprints.of(alice.der())).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    }

    @Test
    void aForgedSubjectIsEscapedInTheLog() throws IOException {
        write("alice.pem", alice.pem());
        AllowList list = new AllowList(dir);
        list.scan();
        Minted forged = TestCertificates.mint("evil\n2026-12-02 | INFO | FORGED LINE\u001b[2J\u0085\u009b");
        try (ErrLog log = new ErrLog()) {
            assertThat(list.authenticate(forged.certificate())).isEmpty();
            assertThat(log.text()).contains("Refused unknown client certificate: subject \"CN=evil\\n2026-12-02 | INFO"
                    + " | FORGED LINE\\e[2J\\u{85}\\u{9B}\", issuer \"CN=evil").doesNotContain("\u001b", "\u0085", "\u009b");
            assertThat(log.text().lines()).hasSize(1);
        }
    }

    @Test
    void unknownCertificateIsRefused() throws IOException {
        write("alice.pem", alice.pem());
        AllowList list = new AllowList(dir);
        list.scan();

        assertThat(list.authenticate(carol.certificate())).isEmpty();
        assertThat(list.authenticate(null)).isEmpty();
        assertThat(list.isAdmitted("carol")).isFalse();
        assertThat(list.isAdmitted(null)).isFalse();
    }

    @Test
    void sameSubjectDifferentKeyIsRefused() throws IOException {
        write("alice.pem", alice.pem());
        AllowList list = new AllowList(dir);
        list.scan();

        assertThat(list.authenticate(TestCertificates.mint("alice").certificate())).isEmpty();
    }

    @Test
    void derFileIsAcceptedToo() throws IOException {
        Files.write(dir.resolve("alice.pem"), alice.der());
        AllowList list = new AllowList(dir);
        list.scan();

        assertThat(list.authenticate(alice.certificate())).contains("alice");
    }

    @Test
    void malformedFilesAreIgnoredAndTheOthersStillWork() throws IOException {
        write("alice.pem", alice.pem());
        write("garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n");
        write("truncated.pem", bob.pem().substring(0, 200));
        write("empty.pem", "");
        write("two.pem", bob.pem() + carol.pem());
        write("withkey.pem", carol.pem() + carol.privateKeyPem());
        byte[] big = new byte[AllowList.MAX_FILE_BYTES + 1];
        Arrays.fill(big, (byte) 'A');
        Files.write(dir.resolve("huge.pem"), big);
        AllowList list = new AllowList(dir);

        assertThat(list.scan().clients()).containsExactly("alice");
        assertThat(list.authenticate(alice.certificate())).contains("alice");
        assertThat(list.authenticate(bob.certificate())).isEmpty();
        assertThat(list.authenticate(carol.certificate())).isEmpty();
    }

    @Test
    void badFileNamesAreIgnored() throws IOException {
        write("alice.pem", alice.pem());
        write("bob.crt", bob.pem());
        write("bob.PEM", bob.pem());
        write("-bob.pem", bob.pem());
        write("b o b.pem", bob.pem());
        write(".pem", bob.pem());
        write("x".repeat(129) + ".pem", bob.pem());
        write(".carol.pem", carol.pem());
        Files.createDirectory(dir.resolve("dave.pem"));
        AllowList list = new AllowList(dir);

        assertThat(list.scan().clients()).containsExactly("alice");
        assertThat(list.authenticate(bob.certificate())).isEmpty();
        assertThat(list.authenticate(carol.certificate())).isEmpty();
    }

    @Test
    void longestValidClientIdIsAccepted() throws IOException {
        String id = "a" + "b.c_d-9".repeat(18) + "x".repeat(1);
        assertThat(id).hasSize(128);
        write(id + ".pem", alice.pem());
        AllowList list = new AllowList(dir);

        assertThat(list.scan().clients()).containsExactly(id);
    }

    @Test
    void certificateSharedByTwoFilesAdmitsNeither() throws IOException {
        write("alice.pem", alice.pem());
        write("alice2.pem", alice.pem());
        write("bob.pem", bob.pem());
        AllowList list = new AllowList(dir);

        assertThat(list.scan().clients()).containsExactly("bob");
        assertThat(list.authenticate(alice.certificate())).isEmpty();
        assertThat(list.isAdmitted("alice")).isFalse();

        Files.delete(dir.resolve("alice2.pem"));
        assertThat(list.scan().added()).containsExactly("alice");
        assertThat(list.authenticate(alice.certificate())).contains("alice");
    }

    @Test
    void scanReportsAddedRemovedAndChangedClients() throws IOException {
        write("alice.pem", alice.pem());
        write("bob.pem", bob.pem());
        AllowList list = new AllowList(dir);
        list.scan();

        Files.delete(dir.resolve("alice.pem"));
        write("bob.pem", carol.pem());
        write("carol.pem", alice.pem());
        AllowList.ScanResult result = list.scan();

        assertThat(result.clients()).containsExactly("bob", "carol");
        assertThat(result.added()).containsExactly("carol");
        assertThat(result.removed()).containsExactly("alice");
        assertThat(result.changed()).containsExactly("bob");
        assertThat(result.revoked()).containsExactly("alice", "bob");
        assertThat(list.authenticate(bob.certificate())).isEmpty();
        assertThat(list.authenticate(carol.certificate())).contains("bob");
        assertThat(list.authenticate(alice.certificate())).contains("carol");

        AllowList.ScanResult unchanged = list.scan();
        assertThat(unchanged.added()).isEmpty();
        assertThat(unchanged.revoked()).isEmpty();
    }

    @Test
    void fileThatBecomesMalformedLocksItsClientOut() throws IOException {
        write("alice.pem", alice.pem());
        AllowList list = new AllowList(dir);
        list.scan();

        write("alice.pem", "oops");
        assertThat(list.scan().removed()).containsExactly("alice");
        assertThat(list.authenticate(alice.certificate())).isEmpty();
    }

    @Test
    void missingDirectoryIsAnEmptyAllowList() throws IOException {
        Path missing = dir.resolve("missing");
        AllowList list = new AllowList(missing);
        assertThat(list.scan().clients()).isEmpty();

        Files.createDirectory(missing);
        Files.writeString(missing.resolve("alice.pem"), alice.pem());
        assertThat(list.scan().added()).containsExactly("alice");

        Files.delete(missing.resolve("alice.pem"));
        Files.delete(missing);
        assertThat(list.scan().removed()).containsExactly("alice");
    }

    @Test
    void pathThatIsAFileIsAnEmptyAllowList() throws IOException {
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        assertThat(new AllowList(file).scan().clients()).isEmpty();
    }

    @Test
    void clientsViewIsUnmodifiable() throws IOException {
        write("alice.pem", alice.pem());
        AllowList list = new AllowList(dir);
        list.scan();
        assertThatThrownBy(() -> list.clients().add("mallory")).isInstanceOf(UnsupportedOperationException.class);
    }
}
