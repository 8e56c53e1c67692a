package io.sink.tls;

import io.sink.tls.internal.TlsLog;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The loaded material of a TLS endpoint: its private key, its certificate chain (leaf first) and
 * the certificates it trusts. The leaf's public key must belong to the private key.
 *
 * <p>{@link #toString()} never shows the key.
 *
 * @param privateKey          this endpoint's private key
 * @param certificateChain    this endpoint's chain, leaf first, not empty
 * @param trustedCertificates the CA certificates that may have issued the peer's certificate, not empty
 */
public record TlsCredentials(PrivateKey privateKey, List<X509Certificate> certificateChain,
        List<X509Certificate> trustedCertificates) {

    private static final SecureRandom RANDOM = new SecureRandom();

    public TlsCredentials {
        Objects.requireNonNull(privateKey, "privateKey");
        certificateChain = List.copyOf(certificateChain);
        trustedCertificates = List.copyOf(trustedCertificates);
        if (certificateChain.isEmpty()) {
            throw new IllegalArgumentException("certificateChain is empty");
        }
        if (trustedCertificates.isEmpty()) {
            throw new IllegalArgumentException("trustedCertificates is empty");
        }
        mismatch(privateKey, certificateChain.get(0)).ifPresent(problem -> {
            throw new IllegalArgumentException(problem);
        });
    }

    /**
     * Reads the three files of {@code config}. Fails with a {@link TlsFileException} naming the
     * file when one cannot be used or the key does not belong to the chain's leaf certificate;
     * warns (SLF4J) when the leaf certificate has expired or is not valid yet, or the key file is
     * readable by others.
     */
    public static TlsCredentials load(TlsConfig config) throws TlsFileException {
        List<X509Certificate> chain = PemFiles.readCertificates(config.certificateChain());
        PrivateKey key = PemFiles.readPrivateKey(config.privateKey());
        List<X509Certificate> trusted = PemFiles.readCertificates(config.trustedCertificates());
        TlsCredentials credentials;
        try {
            // the constructor checks the key against the leaf (a signature made and verified: once)
            credentials = new TlsCredentials(key, chain, trusted);
        } catch (IllegalArgumentException e) {
            throw new TlsFileException(config.privateKey(), e.getMessage() + " (the first certificate of "
                    + config.certificateChain() + ")");
        }
        X509Certificate leaf = chain.get(0);
        try {
            leaf.checkValidity();
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            TlsLog.warn("{}: the certificate {} is valid only from {} to {}; handshakes will fail",
                    config.certificateChain(), Certificates.subject(leaf), leaf.getNotBefore().toInstant(),
                    leaf.getNotAfter().toInstant());
        }
        return credentials;
    }

    /** The first certificate of the chain: the one that identifies this endpoint. */
    public X509Certificate leaf() {
        return certificateChain.get(0);
    }

    @Override
    public String toString() {
        return "TlsCredentials[privateKey=" + privateKey.getAlgorithm() + " (hidden), leaf="
                + Certificates.subject(leaf()) + ", chain=" + certificateChain.size() + ", trusted="
                + trustedCertificates.size() + "]";
    }

    /**
     * Why the key does not belong to the certificate, if it does not: proven by signing a random
     * challenge with the key and verifying it with the certificate's public key, which works for
     * every key type without provider-specific arithmetic.
     */
    private static Optional<String> mismatch(PrivateKey key, X509Certificate leaf) {
        PublicKey publicKey = leaf.getPublicKey();
        String algorithm = key.getAlgorithm();
        if (!sameFamily(algorithm, publicKey.getAlgorithm())) {
            return Optional.of("the private key is " + algorithm + " but the certificate "
                    + Certificates.subject(leaf) + " holds a " + publicKey.getAlgorithm() + " public key");
        }
        String signatureAlgorithm;
        switch (algorithm) {
            case "RSA":
                signatureAlgorithm = "SHA256withRSA";
                break;
            case "EC":
                signatureAlgorithm = "SHA256withECDSA";
                break;
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                signatureAlgorithm = algorithm;
                break;
            default:
                return Optional.empty(); // RSASSA-PSS needs parameters; the handshake will tell
        }
        try {
            byte[] challenge = new byte[32];
            RANDOM.nextBytes(challenge);
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature) ? Optional.empty()
                    : Optional.of("the private key does not belong to the certificate " + Certificates.subject(leaf));
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.of("the private key cannot be checked against the certificate "
                    + Certificates.subject(leaf) + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static boolean sameFamily(String keyAlgorithm, String publicKeyAlgorithm) {
        if (keyAlgorithm.equals(publicKeyAlgorithm)) {
            return true;
        }
        boolean edKey = keyAlgorithm.startsWith("Ed");
        boolean edPublic = publicKeyAlgorithm.startsWith("Ed");
        return edKey && edPublic;
    }
}
