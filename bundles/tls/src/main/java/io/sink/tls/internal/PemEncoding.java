package io.sink.tls.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** PEM text of DER objects, with 64-character lines as RFC 7468 asks. */
public final class PemEncoding {

    private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private PemEncoding() {
    }

    /** {@code -----BEGIN type-----}, the base64 of {@code der}, {@code -----END type-----}, as ASCII. */
    public static byte[] encode(String type, byte[] der) {
        String text = "-----BEGIN " + type + "-----\n" + ENCODER.encodeToString(der) + "\n-----END " + type + "-----\n";
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
