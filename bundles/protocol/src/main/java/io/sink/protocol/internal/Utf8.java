package io.sink.protocol.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** UTF-8 decoding with an explicit choice between refusing and replacing malformed input. */
public final class Utf8 {
    private Utf8() {
    }

    /** The text, or {@code null} when the bytes are not valid UTF-8. */
    public static String decodeStrict(byte[] buf, int off, int len) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(buf, off, len));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The text with every malformed sequence replaced by U+FFFD, or by {@code '?'} when U+FFFD (3 bytes
     * for what may be 1 bad byte) would make its UTF-8 encoding longer than {@code maxEncodedLength};
     * with {@code '?'} it is never longer than the input.
     */
    public static String decodeLenient(byte[] buf, int off, int len, int maxEncodedLength) {
        String text = new String(buf, off, len, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') < 0 || encodedLength(text) <= maxEncodedLength) {
            return text;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE).replaceWith("?");
        try {
            return decoder.decode(ByteBuffer.wrap(buf, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException("a replacing decoder cannot fail", e);
        }
    }

    /** Bytes of {@code text} in UTF-8 (unpaired surrogates count as the one '?' byte Java writes). */
    public static int encodedLength(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                n++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
