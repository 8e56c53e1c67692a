package io.sink.tls;

import io.sink.tls.internal.SecureFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A certificate with its private key, as issued by a {@link DevCertificateAuthority}.
 * {@link #toString()} never shows the key.
 *
 * @param privateKey  the certificate's private key
 * @param certificate the certificate
 * @param issuer      the CA certificate that signed it
 */
public record IssuedCertificate(PrivateKey privateKey, X509Certificate certificate, X509Certificate issuer) {

    public IssuedCertificate {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(issuer, "issuer");
    }

    /** Credentials presenting this certificate (alone: peers hold the CA) and trusting {@code trusted}. */
    public TlsCredentials credentials(List<X509Certificate> trusted) {
        return new TlsCredentials(privateKey, List.of(certificate), trusted);
    }

    /**
     * Writes the key (PKCS#8, rw-------) and then the certificate (rw-r--r--), each atomically; an
     * existing file is replaced.
     */
    public void writeTo(Path certificateFile, Path privateKeyFile) throws IOException {
        write(certificateFile, privateKeyFile, true);
    }

    void write(Path certificateFile, Path privateKeyFile, boolean replace) throws IOException {
        SecureFiles.writeAtomically(privateKeyFile, PemFiles.encodePrivateKey(privateKey), SecureFiles.OWNER_ONLY,
                replace);
        SecureFiles.writeAtomically(certificateFile, PemFiles.encodeCertificates(List.of(certificate)),
                SecureFiles.WORLD_READABLE, replace);
    }

    @Override
    public String toString() {
        return "IssuedCertificate[" + Certificates.subject(certificate) + ", issuer=" + Certificates.subject(issuer)
                + ", sha256=" + Certificates.sha256Fingerprint(certificate) + ", privateKey=(hidden)]";
    }
}
