package io.sink.tls;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a TLS endpoint's files are: its own certificate chain (PEM, leaf first), its private key
 * (PEM: PKCS#8, PKCS#1 or SEC1, unencrypted) and the CA bundle it trusts to have issued the peer's
 * certificate (PEM, one or more certificates). Sink always uses mutual TLS, so all three are
 * required, on both the server and the client.
 *
 * @param certificateChain    this endpoint's certificate chain
 * @param privateKey          this endpoint's private key
 * @param trustedCertificates the CA certificates that may have issued the peer's certificate
 */
public record TlsConfig(Path certificateChain, Path privateKey, Path trustedCertificates) {

    public TlsConfig {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(trustedCertificates, "trustedCertificates");
    }

    /**
     * From configuration strings, as a DS component receives them; a blank value fails with a message
     * naming the property.
     *
     * @param certificateChainProperty    the name of the property that held {@code certificateChain}
     * @param privateKeyProperty          the name of the property that held {@code privateKey}
     * @param trustedCertificatesProperty the name of the property that held {@code trustedCertificates}
     */
    public static TlsConfig of(String certificateChain, String privateKey, String trustedCertificates,
            String certificateChainProperty, String privateKeyProperty, String trustedCertificatesProperty) {
        return new TlsConfig(path(certificateChain, certificateChainProperty), path(privateKey, privateKeyProperty),
                path(trustedCertificates, trustedCertificatesProperty));
    }

    /** The same files, relative paths resolved against {@code base}. */
    public TlsConfig resolveAgainst(Path base) {
        return new TlsConfig(base.resolve(certificateChain), base.resolve(privateKey), base.resolve(trustedCertificates));
    }

    private static Path path(String value, String property) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(property + " must name a PEM file; it is empty");
        }
        return Path.of(value.trim());
    }
}
