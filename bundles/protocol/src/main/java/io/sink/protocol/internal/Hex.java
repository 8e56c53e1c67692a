package io.sink.protocol.internal;

import java.util.HexFormat;

/** Hex for messages and toString: bounded so that a large payload does not flood a log. */
public final class Hex {
    private static final int PREVIEW = 32;

    private Hex() {
    }

    public static String preview(byte[] bytes, int off, int len) {
        String hex = HexFormat.of().formatHex(bytes, off, off + Math.min(len, PREVIEW));
        return len > PREVIEW ? hex + "...(" + len + " bytes)" : hex;
    }

    public static String preview(byte[] bytes) {
        return preview(bytes, 0, bytes.length);
    }
}
