package io.sink.protocol.internal;

import io.sink.protocol.ProtocolException;
import io.sink.protocol.ProtocolException.Kind;

/**
 * A cursor over untrusted bytes that turns every shortfall into a {@link ProtocolException}.
 *
 * <p>Not thread-safe; short-lived (one per decode, scalar-replaced by the JIT on the hot path).
 * Every length read from the input is checked against what is left before it is used, so nothing
 * is ever allocated or skipped on the word of the input alone. The happy path does no string work:
 * messages are built only in the cold methods that throw.
 */
public final class Reader {
    private final byte[] buf;
    private final int end;
    private final Kind malformed;
    private final String what;
    private int pos;
    private boolean nonMinimal;

    /**
     * @param malformed the kind reported for structural errors
     * @param what names the structure in messages, e.g. {@code "PUBLISH payload"}
     */
    public Reader(byte[] buf, int off, int len, Kind malformed, String what) {
        this.buf = buf;
        this.pos = off;
        this.end = off + len;
        this.malformed = malformed;
        this.what = what;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public boolean atEnd() {
        return pos == end;
    }

    public byte[] buffer() {
        return buf;
    }

    /** Whether a varint read so far was longer than it needed to be (allowed, but not canonical). */
    public boolean sawNonMinimalVarint() {
        return nonMinimal;
    }

    public int u8(String field) throws ProtocolException {
        int p = pos;
        if (p >= end) {
            throw missing(field, "");
        }
        pos = p + 1;
        return buf[p] & 0xff;
    }

    public int u16(String field) throws ProtocolException {
        int p = need(2, field);
        pos = p + 2;
        return (buf[p] & 0xff) << 8 | buf[p + 1] & 0xff;
    }

    public int i32(String field) throws ProtocolException {
        int p = need(4, field);
        pos = p + 4;
        return (buf[p] & 0xff) << 24 | (buf[p + 1] & 0xff) << 16 | (buf[p + 2] & 0xff) << 8 | buf[p + 3] & 0xff;
    }

    public long u32(String field) throws ProtocolException {
        return i32(field) & 0xFFFF_FFFFL;
    }

    /** An unsigned LEB128 varint as an unsigned 64-bit value (2^63..2^64-1 come out negative). */
    public long varint(String field) throws ProtocolException {
        int p = pos;
        if (p < end) {
            int b = buf[p];
            if (b >= 0) {
                pos = p + 1;
                return b;
            }
        }
        return varintLong(field, "");
    }

    /** Bytes 1 to 9 of a varint (up to 63 bits) in a tight loop; the rest in {@link #varintTail}. */
    private long varintLong(String field, String suffix) throws ProtocolException {
        int p = pos;
        long result = 0;
        for (int shift = 0; shift < 63; shift += 7) {
            if (p >= end) {
                throw unterminated(field, suffix, p);
            }
            int b = buf[p++];
            result |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                // Past the first byte (it had the continuation bit), a final zero group is padding.
                nonMinimal |= b == 0;
                pos = p;
                return result;
            }
        }
        return varintTail(field, suffix, p, result);
    }

    /** From the tenth byte on: one more bit fits, then only zero groups (non-minimal encodings). */
    private long varintTail(String field, String suffix, int from, long low) throws ProtocolException {
        int p = from;
        long result = low;
        boolean overflow = false;
        boolean first = true;
        while (true) {
            if (p >= end) {
                throw unterminated(field, suffix, p);
            }
            int b = buf[p++];
            int group = b & 0x7f;
            if (first) {
                if (group > 1) {
                    overflow = true;
                }
                result |= (long) (group & 1) << 63;
                // The tenth byte is minimal only as the last one, carrying bit 63.
                nonMinimal |= group != 1 || b < 0;
                first = false;
            } else if (group != 0) {
                overflow = true;
            }
            if (b >= 0) {
                break;
            }
        }
        if (overflow) {
            throw new ProtocolException(Kind.VALUE_OUT_OF_RANGE,
                    what + ": " + field + suffix + " is a varint above 2^64-1 (18446744073709551615)");
        }
        pos = p;
        return result;
    }

    /** A varint that must fit a non-negative {@code long}, as every {@code Event} number must. */
    public long varint63(String field) throws ProtocolException {
        long v = varint(field);
        if (v < 0) {
            throw outOfRange63(field, v);
        }
        return v;
    }

    public ProtocolException outOfRange63(String field, long unsignedValue) {
        return new ProtocolException(Kind.VALUE_OUT_OF_RANGE, what + ": " + field + " "
                + Long.toUnsignedString(unsignedValue) + " is out of range: at most 2^63-1 (9223372036854775807)");
    }

    /** A varint length of bytes that must still be there; messages call it "{@code field} length". */
    public int length(String field) throws ProtocolException {
        int p = pos;
        long v;
        if (p < end && buf[p] >= 0) {
            v = buf[p];
            pos = p + 1;
        } else {
            v = varintLong(field, " length");
        }
        if (v < 0 || v > end - pos) {
            throw lengthBeyondEnd(field, v);
        }
        return (int) v;
    }

    /** Skips {@code n} bytes that must be there; returns where they start. */
    public int skip(int n, String field) throws ProtocolException {
        int start = need(n, field);
        pos = start + n;
        return start;
    }

    public byte[] bytes(int n, String field) throws ProtocolException {
        int start = skip(n, field);
        byte[] copy = new byte[n];
        System.arraycopy(buf, start, copy, 0, n);
        return copy;
    }

    public void expectEnd(String after) throws ProtocolException {
        if (pos != end) {
            throw trailing(after);
        }
    }

    /** The position, after checking that {@code n} bytes are left. */
    private int need(int n, String field) throws ProtocolException {
        if (n > end - pos) {
            throw short_(n, field);
        }
        return pos;
    }

    public ProtocolException malformed(String message) {
        return new ProtocolException(malformed, what + ": " + message);
    }

    // Cold paths: the messages.

    private ProtocolException missing(String field, String suffix) {
        return malformed(field + suffix + " is missing: no bytes left");
    }

    private ProtocolException unterminated(String field, String suffix, int at) {
        int n = at - pos;
        return n == 0 ? missing(field, suffix)
                : malformed(field + suffix + " is an unterminated varint (continuation bit set on its last byte, " + n
                        + (n == 1 ? " byte)" : " bytes)"));
    }

    private ProtocolException lengthBeyondEnd(String field, long v) {
        return malformed(field + " length is " + Long.toUnsignedString(v) + " bytes but only " + (end - pos)
                + " are left");
    }

    private ProtocolException short_(int n, String field) {
        return malformed(field + " needs " + n + (n == 1 ? " byte" : " bytes") + " but only " + (end - pos)
                + " are left");
    }

    private ProtocolException trailing(String after) {
        int n = end - pos;
        return malformed(n + (n == 1 ? " trailing byte" : " trailing bytes") + " after " + after);
    }
}
