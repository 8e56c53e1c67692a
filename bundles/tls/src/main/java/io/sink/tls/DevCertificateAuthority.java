package io.sink.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.IPAddress;

/**
 * A certificate authority for development and tests: it issues EC P-256 (ECDSA with SHA-256)
 * server and client certificates with random 159-bit serial numbers. Not for production: its key
 * sits in a plain file.
 *
 * <p>Issuing is fast (one P-256 key generation and one signature, well under a millisecond on
 * a laptop) and thread-safe, so a test can give thousands of clients their own certificates.
 */
public final class DevCertificateAuthority {

    /** Validity of a CA certificate. */
    public static final Duration CA_VALIDITY = Duration.ofDays(3650);
    /** Validity of a server or client certificate (the most that browsers and Apple platforms accept). */
    public static final Duration LEAF_VALIDITY = Duration.ofDays(825);
    /** Backdating of notBefore, so a peer whose clock is a little behind accepts a fresh certificate. */
    private static final Duration BACKDATE = Duration.ofHours(1);
    private static final int MAX_COMMON_NAME = 64;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final PrivateKey privateKey;
    private final X509Certificate certificate;
    private final String signatureAlgorithm;
    /** Computed once: the same in every certificate this CA issues. */
    private final AuthorityKeyIdentifier authorityKeyIdentifier;

    private DevCertificateAuthority(PrivateKey privateKey, X509Certificate certificate) {
        this.privateKey = privateKey;
        this.certificate = certificate;
        this.signatureAlgorithm = signatureAlgorithm(privateKey);
        try {
            this.authorityKeyIdentifier = new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive the authority key identifier", e);
        }
    }

    /** A new self-signed CA, in memory only (write it with {@link #writeTo}). */
    public static DevCertificateAuthority generate(String commonName) {
        X500Name name = name(commonName);
        KeyPair keyPair = newKeyPair();
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), name, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()));
            X509Certificate certificate = sign(builder, keyPair.getPrivate(), signatureAlgorithm(keyPair.getPrivate()));
            return new DevCertificateAuthority(keyPair.getPrivate(), certificate);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot create the CA certificate", e);
        }
    }

    /**
     * A CA read from its certificate and private key files (PEM). Fails when the key does not
     * belong to the certificate or the certificate is not a CA.
     */
    public static DevCertificateAuthority load(Path certificateFile, Path privateKeyFile) throws TlsFileException {
        X509Certificate certificate = PemFiles.readCertificates(certificateFile).get(0);
        PrivateKey key = PemFiles.readPrivateKey(privateKeyFile);
        try {
            new TlsCredentials(key, List.of(certificate), List.of(certificate));
        } catch (IllegalArgumentException e) {
            throw new TlsFileException(privateKeyFile, e.getMessage() + " (" + certificateFile + ")");
        }
        if (certificate.getBasicConstraints() < 0) {
            throw new TlsFileException(certificateFile, "the certificate " + Certificates.subject(certificate)
                    + " is not a CA certificate (no basicConstraints cA=true)");
        }
        return new DevCertificateAuthority(key, certificate);
    }

    /** The CA's certificate: what peers trust. */
    public X509Certificate certificate() {
        return certificate;
    }

    /** Writes the CA key (PKCS#8, rw-------) and certificate (rw-r--r--), atomically, replacing them. */
    public void writeTo(Path certificateFile, Path privateKeyFile) throws IOException {
        asIssued().writeTo(certificateFile, privateKeyFile);
    }

    void write(Path certificateFile, Path privateKeyFile, boolean replace) throws IOException {
        asIssued().write(certificateFile, privateKeyFile, replace);
    }

    /**
     * A client certificate for a new EC P-256 key: subject CN={@code commonName}, extended key
     * usage clientAuth.
     */
    public IssuedCertificate issueClient(String commonName) {
        return issue(commonName, KeyPurposeId.id_kp_clientAuth, List.of(), List.of(), newKeyPair());
    }

    /**
     * A client certificate for a given key pair. Load tests that need thousands of distinct client
     * certificates can share one key pair among them: each certificate still differs (serial,
     * subject), and so does its fingerprint, which is what a server identifies clients by.
     */
    public IssuedCertificate issueClient(String commonName, KeyPair keyPair) {
        return issue(commonName, KeyPurposeId.id_kp_clientAuth, List.of(), List.of(), keyPair);
    }

    /**
     * A server certificate: subject CN={@code commonName}, extended key usage serverAuth, subject
     * alternative names {@code dnsNames} and {@code ipAddresses} (literals such as "127.0.0.1" or
     * "::1"). Clients check the host they dial against these names, not against the CN.
     */
    public IssuedCertificate issueServer(String commonName, List<String> dnsNames, List<String> ipAddresses) {
        if (dnsNames.isEmpty() && ipAddresses.isEmpty()) {
            throw new IllegalArgumentException("a server certificate needs at least one DNS name or IP address");
        }
        return issue(commonName, KeyPurposeId.id_kp_serverAuth, dnsNames, ipAddresses, newKeyPair());
    }

    /** A new EC P-256 key pair, the kind this CA puts in the certificates it issues. */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot generate EC P-256 keys", e);
        }
    }

    private IssuedCertificate issue(String commonName, KeyPurposeId purpose, List<String> dnsNames,
            List<String> ipAddresses, KeyPair keyPair) {
        Objects.requireNonNull(keyPair, "keyPair");
        X500Name subject = name(commonName);
        List<GeneralName> alternativeNames = new ArrayList<>();
        for (String dnsName : dnsNames) {
            if (dnsName == null || dnsName.isBlank() || !dnsName.matches("[A-Za-z0-9*][A-Za-z0-9.-]*")) {
                throw new IllegalArgumentException("not a DNS name: '" + dnsName + "'");
            }
            alternativeNames.add(new GeneralName(GeneralName.dNSName, dnsName));
        }
        for (String ipAddress : ipAddresses) {
            if (ipAddress == null || !IPAddress.isValid(ipAddress)) {
                throw new IllegalArgumentException("not an IP address literal: '" + ipAddress + "'");
            }
            alternativeNames.add(new GeneralName(GeneralName.iPAddress, ipAddress));
        }
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate, serial(),
                    Date.from(now.minus(BACKDATE)), Date.from(now.plus(LEAF_VALIDITY)), subject, keyPair.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            extensions.createSubjectKeyIdentifier(keyPair.getPublic()))
                    .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyIdentifier);
            if (!alternativeNames.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternativeNames.toArray(GeneralName[]::new)));
            }
            return new IssuedCertificate(keyPair.getPrivate(), sign(builder, privateKey, signatureAlgorithm),
                    certificate);
        } catch (GeneralSecurityException | CertIOException e) {
            throw new IllegalStateException("cannot issue a certificate for CN=" + commonName, e);
        }
    }

    private IssuedCertificate asIssued() {
        return new IssuedCertificate(privateKey, certificate, certificate);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signingKey, String algorithm)
            throws CertificateException {
        try {
            ContentSigner signer = new JcaContentSignerBuilder(algorithm).setSecureRandom(RANDOM).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
        } catch (OperatorCreationException e) {
            throw new CertificateException("cannot sign with " + algorithm, e);
        }
    }

    /** A positive random serial of at most 20 octets, as RFC 5280 asks, never zero. */
    private static BigInteger serial() {
        BigInteger serial;
        do {
            serial = new BigInteger(159, RANDOM);
        } while (serial.signum() == 0);
        return serial;
    }

    private static X500Name name(String commonName) {
        Objects.requireNonNull(commonName, "commonName");
        if (commonName.isBlank() || commonName.length() > MAX_COMMON_NAME) {
            throw new IllegalArgumentException("a common name has 1 to " + MAX_COMMON_NAME
                    + " characters: '" + commonName + "'");
        }
        return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
    }

    private static String signatureAlgorithm(PrivateKey key) {
        switch (key.getAlgorithm()) {
            case "EC":
                return "SHA256withECDSA";
            case "RSA":
                return "SHA256withRSA";
            case "Ed25519":
            case "Ed448":
            case "EdDSA":
                return key.getAlgorithm();
            default:
                throw new IllegalArgumentException("a CA key must be EC, RSA or EdDSA, not " + key.getAlgorithm());
        }
    }
}
