package io.sink.server.auth.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 fingerprints of DER certificates, written like {@code openssl x509 -fingerprint -sha256}. */
final class Fingerprints {
    private static final HexFormat COLON_HEX = HexFormat.ofDelimiter(":").withUpperCase();

    private Fingerprints() {
    }

    static byte[] sha256(byte[] der) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(der);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    /** {@code AB:CD:...}, 32 upper-case hex pairs. */
    static String format(byte[] sha256) {
        return COLON_HEX.formatHex(sha256);
    }

    static String of(byte[] der) {
        return format(sha256(der));
    }
}
