package io.sink.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.OutputEncryptor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

    /** One provider instance, passed explicitly: never registered with java.security.Security. */
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private static KeyPair rsa;
    private static KeyPair ec;
    private static DevCertificateAuthority authority;

    @TempDir
    Path dir;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator rsaGenerator = KeyPairGenerator.getInstance("RSA", BC);
        rsaGenerator.initialize(2048);
        rsa = rsaGenerator.generateKeyPair();
        KeyPairGenerator ecGenerator = KeyPairGenerator.getInstance("EC");
        ecGenerator.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGenerator.generateKeyPair();
        authority = DevCertificateAuthority.generate("Test CA");
    }

    @Test
    void readsRsaPkcs1() throws Exception {
        Path file = write("rsa-pkcs1.pem", traditional(rsa.getPrivate()));
        assertThat(Files.readString(file)).startsWith("-----BEGIN RSA PRIVATE KEY-----");

        assertSameRsa(PemFiles.readPrivateKey(file), rsa.getPrivate());
    }

    @Test
    void readsRsaPkcs8() throws Exception {
        Path file = write("rsa-pkcs8.pem", pkcs8(rsa.getPrivate()));
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");

        assertSameRsa(PemFiles.readPrivateKey(file), rsa.getPrivate());
    }

    @Test
    void readsEcSec1() throws Exception {
        // A Bouncy Castle EC key: its SEC1 form names the curve, as OpenSSL's does.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", BC);
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        PrivateKey bcKey = generator.generateKeyPair().getPrivate();
        Path file = write("ec-sec1.pem", traditional(bcKey));
        assertThat(Files.readString(file)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        assertSameEc(PemFiles.readPrivateKey(file), bcKey);
    }

    @Test
    void ecSec1WithoutCurve() throws Exception {
        // JcaPEMWriter drops the curve when it writes a JDK key as SEC1: nothing says which curve it is.
        Path file = write("ec-sec1-no-curve.pem", traditional(ec.getPrivate()));

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file)).hasMessage(file
                + ": the EC PRIVATE KEY (block #1) names no curve and no EC PARAMETERS block precedes it");
    }

    @Test
    void readsOpensslKeysInEveryFormat() throws Exception {
        RSAPrivateCrtKey rsaPkcs1 = (RSAPrivateCrtKey) PemFiles.readPrivateKey(resource("rsa-pkcs1.pem"));
        assertSameRsa(PemFiles.readPrivateKey(resource("rsa-pkcs8.pem")), rsaPkcs1);
        ECPrivateKey ecSec1 = (ECPrivateKey) PemFiles.readPrivateKey(resource("ec-sec1.pem"));
        assertSameEc(PemFiles.readPrivateKey(resource("ec-pkcs8.pem")), ecSec1);

        X509Certificate certificate = PemFiles.readCertificates(resource("ec-cert.pem")).get(0);
        assertThat(Certificates.subject(certificate)).isEqualTo("CN=openssl test,O=Sink Test");
        assertThat(new TlsCredentials(ecSec1, List.of(certificate), List.of(certificate)).leaf()).isEqualTo(certificate);
    }

    @Test
    void readsEcSec1AfterEcParametersAsOpensslEcparamWritesIt() throws Exception {
        // `openssl ecparam -name prime256v1 -genkey` writes an EC PARAMETERS block first.
        String parameters = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
        Path file = write("ec-with-params.pem", parameters + traditional(ec.getPrivate()));

        assertSameEc(PemFiles.readPrivateKey(file), ec.getPrivate());
    }

    @Test
    void readsEcPkcs8() throws Exception {
        Path file = write("ec-pkcs8.pem", pkcs8(ec.getPrivate()));

        assertSameEc(PemFiles.readPrivateKey(file), ec.getPrivate());
    }

    @Test
    void readsEd25519Pkcs8() throws Exception {
        KeyPair ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path file = write("ed25519.pem", pkcs8(ed.getPrivate()));

        PrivateKey key = PemFiles.readPrivateKey(file);

        assertThat(key.getAlgorithm()).isIn("EdDSA", "Ed25519");
        assertThat(key.getEncoded()).isEqualTo(ed.getPrivate().getEncoded());
    }

    @Test
    void readsAKeyNextToCertificatesAndTextAroundBlocks() throws Exception {
        IssuedCertificate issued = authority.issueClient("combined");
        String text = "Bag Attributes\n    friendlyName: combined\nsubject=CN=combined\n"
                + new String(PemFiles.encodeCertificates(List.of(issued.certificate())), StandardCharsets.US_ASCII)
                + "Key Attributes: <No Attributes>\n"
                + new String(PemFiles.encodePrivateKey(issued.privateKey()), StandardCharsets.US_ASCII);
        Path file = write("combined.pem", text);

        assertThat(PemFiles.readPrivateKey(file).getEncoded()).isEqualTo(issued.privateKey().getEncoded());
        assertThat(PemFiles.readCertificates(file)).containsExactly(issued.certificate());
    }

    @Test
    void readsACaBundleInFileOrderWithCrlfAndBom() throws Exception {
        X509Certificate first = DevCertificateAuthority.generate("CA one").certificate();
        X509Certificate second = DevCertificateAuthority.generate("CA two").certificate();
        X509Certificate third = DevCertificateAuthority.generate("CA three").certificate();
        String text = "\uFEFF" + new String(PemFiles.encodeCertificates(List.of(first, second, third)),
                StandardCharsets.US_ASCII).replace("\n", "\r\n");
        Path file = dir.resolve("bundle.pem");
        Files.write(file, text.getBytes(StandardCharsets.UTF_8));

        assertThat(PemFiles.readCertificates(file)).containsExactly(first, second, third);
    }

    @Test
    void writesAndReadsBack() throws Exception {
        IssuedCertificate issued = authority.issueClient("round-trip");
        Path certificate = dir.resolve("c.pem");
        Path key = dir.resolve("k.pem");

        PemFiles.writeCertificates(certificate, List.of(issued.certificate(), authority.certificate()));
        PemFiles.writePrivateKey(key, issued.privateKey());

        assertThat(PemFiles.readCertificates(certificate)).containsExactly(issued.certificate(),
                authority.certificate());
        assertThat(PemFiles.readPrivateKey(key).getEncoded()).isEqualTo(issued.privateKey().getEncoded());
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(certificate))).isEqualTo("rw-r--r--");
    }

    // ---- errors ----

    @Test
    void missingFile() {
        Path file = dir.resolve("server-key.pem");

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file)).isInstanceOf(TlsFileException.class)
                .hasMessage(file + ": file not found");
        assertThatThrownBy(() -> PemFiles.readCertificates(file)).hasMessage(file + ": file not found");
    }

    @Test
    void directoryInsteadOfFile() {
        assertThatThrownBy(() -> PemFiles.readCertificates(dir)).hasMessage(dir + ": is a directory, not a PEM file");
    }

    @Test
    void emptyFile() throws IOException {
        Path file = write("empty.pem", "");

        assertThatThrownBy(() -> PemFiles.readCertificates(file)).hasMessage(file + ": file is empty");
    }

    @Test
    void textWithoutPem() throws IOException {
        Path file = write("notes.pem", "this is not a certificate\n");

        assertThatThrownBy(() -> PemFiles.readCertificates(file))
                .hasMessage(file + ": no PEM data found (no '-----BEGIN ...-----' line)");
    }

    @Test
    void derInsteadOfPem() throws Exception {
        Path file = dir.resolve("ca.der");
        Files.write(file, authority.certificate().getEncoded());

        assertThatThrownBy(() -> PemFiles.readCertificates(file)).hasMessageStartingWith(file + ": looks like binary DER");
    }

    @Test
    void keyFileHoldingOnlyACertificate() throws Exception {
        Path file = dir.resolve("server-key.pem");
        PemFiles.writeCertificates(file, List.of(authority.certificate()));

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file)).isInstanceOf(TlsFileException.class)
                .hasMessage(file + ": no private key found (found a CERTIFICATE)");
    }

    @Test
    void certificateFileHoldingOnlyAKey() throws Exception {
        Path file = dir.resolve("server.pem");
        PemFiles.writePrivateKey(file, ec.getPrivate());

        assertThatThrownBy(() -> PemFiles.readCertificates(file))
                .hasMessage(file + ": no certificate found (found a PRIVATE KEY)");
    }

    @Test
    void encryptedPkcs8Key() throws Exception {
        OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(BC)
                .setPassword("secret".toCharArray()).build();
        Path file = write("encrypted.pem", pem(new JcaPKCS8Generator(ec.getPrivate(), encryptor)));
        assertThat(Files.readString(file)).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .hasMessageStartingWith(file + ": encrypted keys are not supported");
    }

    @Test
    void encryptedTraditionalKey() throws Exception {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(rsa.getPrivate(),
                    new JcePEMEncryptorBuilder("AES-128-CBC").setProvider(BC).build("secret".toCharArray()));
        }
        Path file = write("encrypted-rsa.pem", text.toString());
        assertThat(text.toString()).contains("Proc-Type: 4,ENCRYPTED");

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .hasMessageStartingWith(file + ": encrypted keys are not supported");
    }

    @Test
    void missingEndLine() throws Exception {
        String pem = new String(PemFiles.encodeCertificates(List.of(authority.certificate())), StandardCharsets.US_ASCII);
        Path file = write("truncated.pem", pem.substring(0, pem.indexOf("-----END")));

        assertThatThrownBy(() -> PemFiles.readCertificates(file)).hasMessageStartingWith(file + ": malformed PEM");
    }

    @Test
    void invalidBase64InKeyIsReportedWithoutQuotingTheKey() throws Exception {
        String pem = pkcs8(ec.getPrivate());
        String[] lines = pem.split("\n");
        lines[1] = lines[1].substring(0, 10) + "!!!!" + lines[1].substring(14);
        Path file = write("bad-base64-key.pem", String.join("\n", lines) + "\n");

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .hasMessageStartingWith(file + ": malformed PEM")
                .satisfies(e -> assertQuotesNothingOf(e, pem))
                .hasNoCause();
    }

    @Test
    void garbageAsn1InKeyIsReportedWithoutQuotingTheKey() throws Exception {
        byte[] der = ec.getPrivate().getEncoded();
        byte[] corrupted = Arrays.copyOf(der, der.length - 20);
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(corrupted)
                + "\n-----END PRIVATE KEY-----\n";
        Path file = write("bad-key.pem", pem);

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .hasMessageStartingWith(file + ": PEM block #1 (PRIVATE KEY) is not a valid PKCS#8 PrivateKeyInfo")
                .satisfies(e -> assertQuotesNothingOf(e, pem))
                .hasNoCause();
    }

    @Test
    void garbageRsaPkcs1() throws Exception {
        Path file = write("bad-rsa.pem", "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .hasMessageStartingWith(file + ": PEM block #1 (RSA PRIVATE KEY) is not a valid PKCS#1 RSAPrivateKey");
    }

    @Test
    void garbageCertificate() throws Exception {
        Path file = write("bad-cert.pem", "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n");

        assertThatThrownBy(() -> PemFiles.readCertificates(file))
                .hasMessageStartingWith(file + ": PEM block #1 (CERTIFICATE) is not a valid X.509 certificate");
    }

    @Test
    void twoKeysInOneFile() throws Exception {
        Path file = write("two-keys.pem", pkcs8(ec.getPrivate()) + traditional(rsa.getPrivate()));

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .hasMessage(file + ": holds 2 private keys; expected exactly one");
    }

    @Test
    void keyThatCannotSign() throws Exception {
        KeyPair x25519 = KeyPairGenerator.getInstance("X25519").generateKeyPair();
        Path file = write("x25519.pem", pkcs8(x25519.getPrivate()));

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file)).hasMessageContaining("cannot sign a TLS handshake");
    }

    @Test
    void openSshKey() throws Exception {
        Path file = write("id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                + "-----END OPENSSH PRIVATE KEY-----\n");

        assertThatThrownBy(() -> PemFiles.readPrivateKey(file))
                .hasMessageStartingWith(file + ": the OpenSSH key format is not supported");
    }

    @Test
    void keyNotMatchingTheCertificate() throws Exception {
        IssuedCertificate issued = authority.issueClient("one");
        Path certificate = dir.resolve("one.pem");
        Path key = dir.resolve("one-key.pem");
        Path ca = dir.resolve("ca.pem");
        PemFiles.writeCertificates(certificate, List.of(issued.certificate()));
        PemFiles.writePrivateKey(key, authority.issueClient("two").privateKey());
        PemFiles.writeCertificates(ca, List.of(authority.certificate()));

        assertThatThrownBy(() -> TlsCredentials.load(new TlsConfig(certificate, key, ca)))
                .isInstanceOf(TlsFileException.class)
                .hasMessage(key + ": the private key does not belong to the certificate CN=one (the first certificate of "
                        + certificate + ")");
    }

    @Test
    void keyOfAnotherAlgorithmThanTheCertificate() throws Exception {
        IssuedCertificate issued = authority.issueClient("one");

        assertThatThrownBy(() -> new TlsCredentials(rsa.getPrivate(), List.of(issued.certificate()),
                List.of(authority.certificate())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the private key is RSA but the certificate CN=one holds a EC public key");
    }

    @Test
    void credentialsNeverShowTheKey() {
        IssuedCertificate issued = authority.issueClient("shy");
        TlsCredentials credentials = issued.credentials(List.of(authority.certificate()));
        String encoded = Base64.getEncoder().encodeToString(issued.privateKey().getEncoded());

        assertThat(credentials.toString()).contains("CN=shy").contains("hidden").doesNotContain(encoded.substring(40, 60));
        assertThat(issued.toString()).contains("CN=shy").contains("hidden").doesNotContain(encoded.substring(40, 60));
        BigInteger s = ((ECPrivateKey) issued.privateKey()).getS();
        assertThat(credentials.toString()).doesNotContain(s.toString()).doesNotContain(s.toString(16));
    }

    // ---- helpers ----

    private static Path resource(String name) throws Exception {
        return Path.of(PemFilesTest.class.getResource("/openssl/" + name).toURI());
    }

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text, StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }

    /** PKCS#1 for RSA, SEC1 for EC: what JcaPEMWriter writes for a PrivateKey. */
    private static String traditional(PrivateKey key) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(key);
        }
        return text.toString();
    }

    private static String pkcs8(PrivateKey key) throws IOException {
        return pem(new JcaPKCS8Generator(key, null));
    }

    private static String pem(JcaPKCS8Generator generator) throws IOException {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            writer.writeObject(generator);
        }
        return text.toString();
    }

    private static void assertSameRsa(PrivateKey actual, PrivateKey expected) {
        assertThat(actual.getAlgorithm()).isEqualTo("RSA");
        assertThat(((RSAPrivateCrtKey) actual).getModulus()).isEqualTo(((RSAPrivateCrtKey) expected).getModulus());
        assertThat(((RSAPrivateCrtKey) actual).getPrivateExponent())
                .isEqualTo(((RSAPrivateCrtKey) expected).getPrivateExponent());
        // Converted by the JDK, not by a Bouncy Castle provider.
        assertThat(actual.getClass().getName()).startsWith("sun.");
    }

    private static void assertSameEc(PrivateKey actual, PrivateKey expected) {
        assertThat(actual.getAlgorithm()).isEqualTo("EC");
        assertThat(((ECPrivateKey) actual).getS()).isEqualTo(((ECPrivateKey) expected).getS());
        assertThat(((ECPrivateKey) actual).getParams().getCurve())
                .isEqualTo(((ECPrivateKey) expected).getParams().getCurve());
        assertThat(actual.getClass().getName()).startsWith("sun.");
    }

    /** No base64 line of the PEM body, nor the raw message bytes, appear in the exception's message. */
    private static void assertQuotesNothingOf(Throwable e, String pem) {
        for (String line : pem.split("\n")) {
            if (!line.startsWith("-----") && line.length() > 8) {
                assertThat(e.getMessage()).doesNotContain(line).doesNotContain(line.substring(0, 8));
            }
        }
    }
}
