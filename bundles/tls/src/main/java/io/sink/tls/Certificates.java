package io.sink.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** Small certificate helpers for logs, registries and the server's identification of clients. */
public final class Certificates {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Certificates() {
    }

    /**
     * The SHA-256 of the certificate's DER encoding as colon-separated uppercase hex
     * ({@code "AB:01:...:FF"}, 95 characters), the form {@code openssl x509 -fingerprint -sha256} prints.
     */
    public static String sha256Fingerprint(X509Certificate certificate) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            StringBuilder text = new StringBuilder(digest.length * 3 - 1);
            for (int i = 0; i < digest.length; i++) {
                if (i > 0) {
                    text.append(':');
                }
                text.append(HEX[(digest[i] >> 4) & 0xf]).append(HEX[digest[i] & 0xf]);
            }
            return text.toString();
        } catch (CertificateEncodingException e) {
            throw new IllegalArgumentException("the certificate cannot be encoded", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** The subject distinguished name in RFC 2253 form, e.g. {@code "CN=example-client"}. */
    public static String subject(X509Certificate certificate) {
        return certificate.getSubjectX500Principal().getName(X500Principal.RFC2253);
    }

    /** The issuer distinguished name in RFC 2253 form. */
    public static String issuer(X509Certificate certificate) {
        return certificate.getIssuerX500Principal().getName(X500Principal.RFC2253);
    }

    /** The subject's (most specific) common name, if it has one. */
    public static Optional<String> commonName(X509Certificate certificate) {
        RDN[] rdns = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
        // The encoding lists the most general name first; the most specific CN is the last one.
        if (rdns.length == 0 || rdns[rdns.length - 1].getFirst() == null) {
            return Optional.empty();
        }
        ASN1Encodable value = rdns[rdns.length - 1].getFirst().getValue();
        return Optional.of(value instanceof ASN1String ? ((ASN1String) value).getString()
                : IETFUtils.valueToString(value));
    }

    /**
     * The peer's leaf certificate of a TLS session: on a server, the client's certificate (always
     * present once a handshake with {@code ClientAuth.REQUIRE} has succeeded); on a client, the
     * server's. Empty when the peer sent none or the handshake has not completed.
     */
    public static Optional<X509Certificate> peerCertificate(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate) {
                return Optional.of((X509Certificate) chain[0]);
            }
            return Optional.empty();
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
