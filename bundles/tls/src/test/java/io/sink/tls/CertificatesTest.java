package io.sink.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CertificatesTest {

    private static final DevCertificateAuthority AUTHORITY = DevCertificateAuthority.generate("Fingerprint CA");

    @Test
    void sha256FingerprintIsColonSeparatedUppercaseHexOfTheDer() throws Exception {
        IssuedCertificate issued = AUTHORITY.issueClient("device-7");

        String fingerprint = Certificates.sha256Fingerprint(issued.certificate());

        assertThat(fingerprint).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(issued.certificate().getEncoded());
        assertThat(fingerprint.replace(":", "")).isEqualTo(HexFormat.of().withUpperCase().formatHex(digest));
    }

    @Test
    void fingerprintsDifferBetweenCertificatesOfTheSameName() {
        assertThat(Certificates.sha256Fingerprint(AUTHORITY.issueClient("same").certificate()))
                .isNotEqualTo(Certificates.sha256Fingerprint(AUTHORITY.issueClient("same").certificate()));
    }

    @Test
    void subjectIssuerAndCommonName() {
        IssuedCertificate issued = AUTHORITY.issueClient("device-7");

        assertThat(Certificates.subject(issued.certificate())).isEqualTo("CN=device-7");
        assertThat(Certificates.issuer(issued.certificate())).isEqualTo("CN=Fingerprint CA");
        assertThat(Certificates.commonName(issued.certificate())).contains("device-7");
    }

    @Test
    void commonNameOfAMultiPartNameIsTheMostSpecificOne() throws Exception {
        X509Certificate certificate = PemFiles.readCertificates(
                Path.of(getClass().getResource("/openssl/ec-cert.pem").toURI())).get(0);

        assertThat(Certificates.commonName(certificate)).contains("openssl test");
    }
}
