package io.sink.tls;

import io.sink.tls.internal.PemEncoding;
import io.sink.tls.internal.SecureFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.X509TrustedCertificateBlock;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads and writes PEM files: certificate chains and CA bundles (any number of {@code CERTIFICATE}
 * blocks), and unencrypted private keys in PKCS#8 ({@code PRIVATE KEY}), PKCS#1
 * ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}) form. RSA, EC and EdDSA keys are
 * accepted. Text outside the blocks (OpenSSL's "subject=" and "Bag Attributes" lines) is ignored.
 *
 * <p>Keys and certificates are converted by the JDK's own providers; no JCA provider is registered.
 * Errors are {@link TlsFileException}s naming the file and the problem, never quoting a key.
 */
public final class PemFiles {

    /** Largest file read (a full public CA bundle is about 250 KB). */
    public static final int MAX_FILE_SIZE = 4 * 1024 * 1024;

    private static final Set<String> CERTIFICATE_TYPES = Set.of("CERTIFICATE", "X509 CERTIFICATE",
            "TRUSTED CERTIFICATE");
    private static final Set<String> KEY_ALGORITHMS = Set.of("RSA", "RSASSA-PSS", "EC", "Ed25519", "Ed448", "EdDSA");

    private PemFiles() {
    }

    /**
     * All certificates of a PEM file, in file order: a chain (leaf first) or a CA bundle. Other
     * blocks (a key kept in the same file, say) are skipped; a file without any certificate fails.
     */
    public static List<X509Certificate> readCertificates(Path file) throws TlsFileException {
        Objects.requireNonNull(file, "file");
        List<PemObject> objects = readPem(file, false);
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        List<X509Certificate> certificates = new ArrayList<>();
        int index = 0;
        for (PemObject object : objects) {
            index++;
            if (!CERTIFICATE_TYPES.contains(object.getType())) {
                continue;
            }
            try {
                X509CertificateHolder holder = object.getType().equals("TRUSTED CERTIFICATE")
                        ? new X509TrustedCertificateBlock(object.getContent()).getCertificateHolder()
                        : new X509CertificateHolder(object.getContent());
                certificates.add(converter.getCertificate(holder));
            } catch (IOException | CertificateException | RuntimeException e) {
                throw new TlsFileException(file, "PEM block #" + index + " (" + object.getType()
                        + ") is not a valid X.509 certificate: " + e.getMessage(), e);
            }
        }
        if (certificates.isEmpty()) {
            throw new TlsFileException(file, "no certificate found (" + found(objects) + ")");
        }
        return List.copyOf(certificates);
    }

    /**
     * The one unencrypted private key of a PEM file (PKCS#8, PKCS#1 RSA or SEC1 EC). Certificates
     * in the same file are ignored. Logs a warning (never fails) when the file is readable by group
     * or others.
     */
    public static PrivateKey readPrivateKey(Path file) throws TlsFileException {
        Objects.requireNonNull(file, "file");
        List<PemObject> objects = readPem(file, true);
        SecureFiles.warnIfKeyExposed(file);
        List<PrivateKey> keys = new ArrayList<>();
        ASN1Primitive ecParameters = null;
        int index = 0;
        for (PemObject object : objects) {
            index++;
            String type = object.getType();
            if (type.equals("ENCRYPTED PRIVATE KEY") || isProcTypeEncrypted(object)) {
                throw new TlsFileException(file, "encrypted keys are not supported (block #" + index + ", " + type
                        + "); store the key unencrypted, readable only by its owner"
                        + " (openssl pkey -in encrypted.pem -out key.pem)");
            }
            PrivateKeyInfo info;
            switch (type) {
                case "PRIVATE KEY":
                    info = parse(file, index, type, "PKCS#8 PrivateKeyInfo",
                            () -> PrivateKeyInfo.getInstance(object.getContent()));
                    break;
                case "RSA PRIVATE KEY":
                    info = parse(file, index, type, "PKCS#1 RSAPrivateKey",
                            () -> new PrivateKeyInfo(
                                    new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                                    RSAPrivateKey.getInstance(object.getContent())));
                    break;
                case "EC PRIVATE KEY": {
                    ECPrivateKey ec = parse(file, index, type, "SEC1 ECPrivateKey",
                            () -> ECPrivateKey.getInstance(object.getContent()));
                    ASN1Encodable parameters = ec.getParametersObject() != null ? ec.getParametersObject()
                            : ecParameters;
                    if (parameters == null) {
                        throw new TlsFileException(file, "the EC PRIVATE KEY (block #" + index
                                + ") names no curve and no EC PARAMETERS block precedes it");
                    }
                    info = parse(file, index, type, "SEC1 ECPrivateKey", () -> new PrivateKeyInfo(
                            new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, parameters), ec));
                    break;
                }
                case "EC PARAMETERS":
                    ecParameters = parse(file, index, type, "EC parameters",
                            () -> ASN1Primitive.fromByteArray(object.getContent()));
                    continue;
                case "OPENSSH PRIVATE KEY":
                    throw new TlsFileException(file, "the OpenSSH key format is not supported; convert the key"
                            + " to PKCS#8 (ssh-keygen -p -m PKCS8 -f <file>)");
                case "DSA PRIVATE KEY":
                    throw new TlsFileException(file, "DSA keys are not supported; use an EC, RSA or Ed25519 key");
                default:
                    continue;
            }
            keys.add(toJca(file, index, type, info));
        }
        if (keys.isEmpty()) {
            throw new TlsFileException(file, "no private key found (" + found(objects) + ")");
        }
        if (keys.size() > 1) {
            throw new TlsFileException(file, "holds " + keys.size() + " private keys; expected exactly one");
        }
        return keys.get(0);
    }

    /** Writes certificates as PEM (rw-r--r--), atomically, replacing the file. */
    public static void writeCertificates(Path file, List<X509Certificate> certificates) throws IOException {
        SecureFiles.writeAtomically(file, encodeCertificates(certificates), SecureFiles.WORLD_READABLE, true);
    }

    /**
     * Writes a private key as unencrypted PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), atomically, readable
     * and writable by the owner only (rw-------), replacing the file.
     */
    public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
        SecureFiles.writeAtomically(file, encodePrivateKey(key), SecureFiles.OWNER_ONLY, true);
    }

    /** The PEM text of certificates, one {@code CERTIFICATE} block each, in list order. */
    public static byte[] encodeCertificates(List<X509Certificate> certificates) {
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no certificates to encode");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (X509Certificate certificate : certificates) {
            try {
                out.writeBytes(PemEncoding.encode("CERTIFICATE", certificate.getEncoded()));
            } catch (CertificateEncodingException e) {
                throw new IllegalArgumentException("cannot encode certificate " + Certificates.subject(certificate), e);
            }
        }
        return out.toByteArray();
    }

    /** The PKCS#8 PEM text of a private key. */
    public static byte[] encodePrivateKey(PrivateKey key) {
        byte[] der = key.getEncoded();
        if (der == null || !"PKCS#8".equals(key.getFormat())) {
            throw new IllegalArgumentException("the " + key.getAlgorithm() + " key has no PKCS#8 encoding");
        }
        try {
            return PemEncoding.encode("PRIVATE KEY", der);
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    private static List<PemObject> readPem(Path file, boolean secret) throws TlsFileException {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new TlsFileException(file, "is a directory, not a PEM file");
            }
            long size = Files.size(file);
            if (size > MAX_FILE_SIZE) {
                throw new TlsFileException(file, "file too large (" + size + " bytes; at most " + MAX_FILE_SIZE
                        + " are read)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new TlsFileException(file, "file not found", e);
        } catch (AccessDeniedException e) {
            throw new TlsFileException(file, "cannot read the file (permission denied)", e);
        } catch (TlsFileException e) {
            throw e;
        } catch (IOException e) {
            throw new TlsFileException(file, "cannot read the file: " + e, e);
        }
        try {
            if (bytes.length == 0) {
                throw new TlsFileException(file, "file is empty");
            }
            if ((bytes[0] & 0xff) == 0x30) {
                throw new TlsFileException(file, "looks like binary DER, not PEM; convert it (openssl x509 -inform der"
                        + " for a certificate, openssl pkey -inform der for a key)");
            }
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if (text.startsWith("\u00ef\u00bb\u00bf")) {
                text = text.substring(3);
            }
            List<PemObject> objects = new ArrayList<>();
            try (PemReader reader = new PemReader(new StringReader(text))) {
                for (PemObject object = reader.readPemObject(); object != null; object = reader.readPemObject()) {
                    objects.add(object);
                }
            } catch (IOException | RuntimeException e) {
                // For a key file, BC's message is left out: nothing of the key may reach a message.
                throw new TlsFileException(file, "malformed PEM after " + objects.size() + " good block(s)"
                        + (secret ? " (a BEGIN line without its END line, or invalid base64)" : ": " + e.getMessage()),
                        secret ? null : e);
            }
            if (objects.isEmpty()) {
                throw new TlsFileException(file, "no PEM data found (no '-----BEGIN ...-----' line)");
            }
            return objects;
        } finally {
            if (secret) {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    private static boolean isProcTypeEncrypted(PemObject object) {
        for (Object header : object.getHeaders()) {
            PemHeader pemHeader = (PemHeader) header;
            if ("Proc-Type".equalsIgnoreCase(pemHeader.getName()) && pemHeader.getValue() != null
                    && pemHeader.getValue().contains("ENCRYPTED")) {
                return true;
            }
        }
        return false;
    }

    @FunctionalInterface
    private interface Asn1Parse<T> {
        T parse() throws IOException;
    }

    /** Parses key ASN.1; a failure is reported without BC's message or cause, which might quote bytes. */
    private static <T> T parse(Path file, int index, String type, String structure, Asn1Parse<T> parse)
            throws TlsFileException {
        try {
            T value = parse.parse();
            if (value == null) {
                throw new IOException("empty");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(file, "PEM block #" + index + " (" + type + ") is not a valid " + structure
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static PrivateKey toJca(Path file, int index, String type, PrivateKeyInfo info) throws TlsFileException {
        PrivateKey key;
        try {
            key = new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | RuntimeException e) {
            throw new TlsFileException(file, "PEM block #" + index + " (" + type + "): unsupported or invalid key"
                    + " (algorithm " + info.getPrivateKeyAlgorithm().getAlgorithm().getId() + ", "
                    + e.getClass().getSimpleName() + ")");
        }
        if (!KEY_ALGORITHMS.contains(key.getAlgorithm())) {
            throw new TlsFileException(file, "PEM block #" + index + " holds a " + key.getAlgorithm()
                    + " key, which cannot sign a TLS handshake; use an EC, RSA or Ed25519 key");
        }
        return key;
    }

    private static String found(List<PemObject> objects) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (PemObject object : objects) {
            counts.merge(object.getType(), 1, Integer::sum);
        }
        if (objects.size() == 1) {
            return "found a " + objects.get(0).getType();
        }
        List<String> parts = new ArrayList<>();
        counts.forEach((type, count) -> parts.add(count == 1 ? type : count + " x " + type));
        return "found " + String.join(", ", parts);
    }
}
