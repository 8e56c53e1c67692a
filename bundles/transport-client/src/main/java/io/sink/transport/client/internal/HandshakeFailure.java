package io.sink.transport.client.internal;

import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Tells a TLS handshake that failed because a certificate was refused (ours by the server, or the
 * server's by us) from one that failed because the link did: a connection closed or reset during
 * the handshake, or a peer that never answered (a process squatting the port, a server that is
 * restarting, a proxy). Only the first waits the long refusal delay before the next attempt; the
 * second is transient and follows the usual reconnect schedule.
 */
public final class HandshakeFailure {
    /** TLS alerts (RFC 8446 6.2, RFC 5246 7.2.2) that mean "your certificate is not accepted". */
    private static final Set<String> CERTIFICATE_ALERTS = Set.of("bad_certificate", "unsupported_certificate",
            "certificate_revoked", "certificate_expired", "certificate_unknown", "unknown_ca", "access_denied",
            "certificate_required");

    private HandshakeFailure() {
    }

    /** True when {@code cause} says a certificate was refused, by either side. */
    public static boolean isCertificateRefusal(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException) {
                return true;
            }
            if (t instanceof SSLException || t instanceof GeneralSecurityException) {
                String message = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
                int alert = message.indexOf("received fatal alert: ");
                if (alert >= 0) {
                    String name = message.substring(alert + "received fatal alert: ".length()).strip();
                    int end = 0;
                    while (end < name.length() && (Character.isLetter(name.charAt(end)) || name.charAt(end) == '_')) {
                        end++;
                    }
                    return CERTIFICATE_ALERTS.contains(name.substring(0, end));
                }
            }
        }
        return false;
    }
}
