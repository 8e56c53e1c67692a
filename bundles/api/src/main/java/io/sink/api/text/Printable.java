package io.sink.api.text;

/**
 * The one escaper for text that a peer or a user supplied, before it reaches a log line or a
 * terminal.
 *
 * <p>The output is ASCII-safe where it matters: it holds no control character (C0, DEL, C1), no
 * line or paragraph separator (U+2028, U+2029), no format character (bidi marks and overrides
 * U+200E/F, U+202A-202E, U+2066-2069, zero-width characters, soft hyphen, BOM), no space other
 * than U+0020, no unpaired surrogate, no private-use or unassigned code point. Those are written as
 * escapes:
 * <ul>
 * <li>{@code \n}, {@code \r}, {@code \t}, {@code \e} (ESC, U+001B), {@code \\} and, inside quotes,
 * {@code \"};</li>
 * <li>{@code \}{@code u{X}}: any other such code point, in upper-case hex ({@code \}{@code u{85}},
 * {@code \}{@code u{202E}});</li>
 * <li>{@code \xNN}: a byte that is not part of well-formed UTF-8 (byte input only).</li>
 * </ul>
 *
 * <p>Quoting: {@link #text} leaves a value bare when it is non-empty and holds nothing escaped, no
 * space, no {@code "}, {@code \} or {@code =}; otherwise it is quoted ({@code "..."}). A bare value
 * never holds {@code "} or {@code \}, so what starts with {@code "} is always a quoted value, and a
 * quoted value reads back to exactly the original by undoing the escapes above.
 *
 * <p>{@link #inline} is for sentences: the same escapes, but no quotes around it, and {@code "} and
 * {@code \} left as they are; it makes a sentence safe, not reversible.
 *
 * <p>Length cap: at most {@code maxBytes} UTF-8 bytes of the input are shown ({@value #MAX_BYTES} by
 * default), cut at a character boundary; a cut value is quoted and followed by
 * {@code …(+N bytes)}, N being the input bytes left out. The marker is outside the quotes, so it
 * cannot be confused with the value.
 */
public final class Printable {
    /** Input bytes shown by default. */
    public static final int MAX_BYTES = 256;
    /** Input bytes of a sentence ({@link #inline}) shown by default. */
    public static final int MAX_INLINE_BYTES = 1024;

    private static final int AUTO = 0;
    private static final int QUOTED = 1;
    private static final int INLINE = 2;

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Printable() {
    }

    /** {@code text} bare when unambiguous, else quoted; escaped and capped at {@value #MAX_BYTES} bytes. */
    public static String text(CharSequence text) {
        return text(text, MAX_BYTES);
    }

    /** {@code text} bare when unambiguous, else quoted; escaped and capped at {@code maxBytes} UTF-8 bytes. */
    public static String text(CharSequence text, int maxBytes) {
        return format(text == null ? "null" : text, null, maxBytes, AUTO);
    }

    /**
     * {@code text} escaped but never quoted, for a sentence that may carry what a peer supplied (an
     * exception message, a NACK's human message, a disconnect reason): nothing in it can break the
     * line or reach the terminal; {@code "} and {@code \} stay as they are (a sentence may hold values
     * escaped already, which are not escaped twice). Capped at {@code maxBytes} UTF-8 bytes,
     * followed by {@code …(+N bytes)} when cut.
     */
    public static String inline(CharSequence text, int maxBytes) {
        return format(text == null ? "null" : text, null, maxBytes, INLINE);
    }

    /** {@link #inline(CharSequence, int)} capped at {@value #MAX_INLINE_BYTES} bytes. */
    public static String inline(CharSequence text) {
        return inline(text, MAX_INLINE_BYTES);
    }

    /** {@code text} always quoted, escaped and capped at {@value #MAX_BYTES} bytes. */
    public static String quoted(CharSequence text) {
        return quoted(text, MAX_BYTES);
    }

    /** {@code text} always quoted, escaped and capped at {@code maxBytes} UTF-8 bytes. */
    public static String quoted(CharSequence text, int maxBytes) {
        return format(text == null ? "null" : text, null, maxBytes, QUOTED);
    }

    /**
     * {@code bytes} read as UTF-8, bare when unambiguous, else quoted; bytes that are not well-formed
     * UTF-8 are shown as {@code \xNN}; capped at {@value #MAX_BYTES} bytes.
     */
    public static String bytes(byte[] bytes) {
        return bytes(bytes, MAX_BYTES);
    }

    /** As {@link #bytes(byte[])}, capped at {@code maxBytes}. */
    public static String bytes(byte[] bytes, int maxBytes) {
        return format(null, bytes, maxBytes, AUTO);
    }

    /** As {@link #bytes(byte[])}, always quoted. */
    public static String quotedBytes(byte[] bytes) {
        return format(null, bytes, MAX_BYTES, QUOTED);
    }

    /**
     * Whether {@code codePoint} is written as an escape: a control, format, separator (but the
     * space), surrogate, private-use or unassigned code point, or the backslash.
     */
    public static boolean isEscaped(int codePoint) {
        if (codePoint < 0x7F) {
            return codePoint < 0x20 || codePoint == '\\';
        }
        if (codePoint <= 0x9F) {
            return true;
        }
        switch (Character.getType(codePoint)) {
            case Character.CONTROL:
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SPACE_SEPARATOR:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
                return true;
            default:
                return false;
        }
    }

    private static String format(CharSequence text, byte[] bytes, int maxBytes, int mode) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, got " + maxBytes);
        }
        int total = text != null ? utf8Length(text) : bytes.length;
        StringBuilder out = new StringBuilder(Math.min(total, maxBytes) + 8);
        if (mode != INLINE) {
            out.append('"');
        }
        boolean bare = total > 0;
        int shown = 0;
        int i = 0;
        int end = text != null ? text.length() : bytes.length;
        while (i < end) {
            int cp;
            int units;
            int size;
            if (text != null) {
                cp = Character.codePointAt(text, i);
                units = Character.charCount(cp);
                size = utf8Size(cp);
            } else {
                long decoded = decodeUtf8(bytes, i);
                cp = (int) decoded;
                units = (int) (decoded >>> 32);
                size = units;
            }
            if (shown + size > maxBytes) {
                break;
            }
            shown += size;
            i += units;
            if (cp < 0) {
                out.append("\\x").append(HEX[(~cp >> 4) & 0xF]).append(HEX[~cp & 0xF]);
                bare = false;
            } else {
                bare &= append(out, cp, mode == INLINE);
            }
        }
        if (shown < total) {
            return out.append(mode == INLINE ? "…(+" : "\"…(+").append(total - shown).append(" bytes)").toString();
        }
        if (mode == INLINE) {
            return out.toString();
        }
        if (bare && mode == AUTO) {
            return out.substring(1);
        }
        return out.append('"').toString();
    }

    /** Appends {@code cp} escaped; returns whether it may stand in a bare value. */
    private static boolean append(StringBuilder out, int cp, boolean inline) {
        switch (cp) {
            case '\n':
                out.append("\\n");
                return false;
            case '\r':
                out.append("\\r");
                return false;
            case '\t':
                out.append("\\t");
                return false;
            case 0x1B:
                out.append("\\e");
                return false;
            case '\\':
                out.append(inline ? "\\" : "\\\\");
                return false;
            case '"':
                out.append(inline ? "\"" : "\\\"");
                return false;
            case ' ':
            case '=':
                out.append((char) cp);
                return false;
            default:
                if (isEscaped(cp)) {
                    out.append("\\u{").append(Integer.toHexString(cp).toUpperCase(java.util.Locale.ROOT)).append('}');
                    return false;
                }
                out.appendCodePoint(cp);
                return true;
        }
    }

    private static int utf8Length(CharSequence text) {
        int n = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = Character.codePointAt(text, i);
            n += utf8Size(cp);
            i += Character.charCount(cp);
        }
        return n;
    }

    private static int utf8Size(int cp) {
        return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    }

    /**
     * Decodes the well-formed UTF-8 sequence at {@code b[i]}: its length in the high 32 bits and the
     * code point in the low ones; a byte that does not start one is length 1 and the complement of
     * the byte (negative) as code point.
     */
    private static long decodeUtf8(byte[] b, int i) {
        int b0 = b[i] & 0xFF;
        if (b0 < 0x80) {
            return 1L << 32 | b0;
        }
        int n;
        int cp;
        int min;
        if (b0 >= 0xC2 && b0 <= 0xDF) {
            n = 2;
            cp = b0 & 0x1F;
            min = 0x80;
        } else if (b0 >= 0xE0 && b0 <= 0xEF) {
            n = 3;
            cp = b0 & 0x0F;
            min = 0x800;
        } else if (b0 >= 0xF0 && b0 <= 0xF4) {
            n = 4;
            cp = b0 & 0x07;
            min = 0x10000;
        } else {
            return invalid(b0);
        }
        if (i + n > b.length) {
            return invalid(b0);
        }
        for (int k = 1; k < n; k++) {
            int c = b[i + k] & 0xFF;
            if ((c & 0xC0) != 0x80) {
                return invalid(b0);
            }
            cp = cp << 6 | (c & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return invalid(b0);
        }
        return (long) n << 32 | cp;
    }

    private static long invalid(int b) {
        return 1L << 32 | (~b & 0xFFFFFFFFL);
    }
}
