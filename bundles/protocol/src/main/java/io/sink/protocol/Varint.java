package io.sink.protocol;

import io.sink.api.Limits;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.Reader;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Unsigned LEB128 varints over unsigned 64-bit values: 7 bits per byte, least significant group
 * first, high bit set on every byte but the last.
 *
 * <p>Values 2<sup>63</sup>..2<sup>64</sup>-1 are passed as the negative {@code long}s with the same
 * bits ({@link Long#toUnsignedString(long)} prints them). The decoder accepts non-minimal encodings
 * (as the original does) and refuses values above 2<sup>64</sup>-1 with
 * {@link Kind#VALUE_OUT_OF_RANGE} instead of wrapping.
 */
public final class Varint {
    /** Bytes of the longest minimal encoding of an unsigned 64-bit value. */
    public static final int MAX_SIZE = 10;

    private static final BigInteger MAX_UNSIGNED = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    private Varint() {
    }

    /** The result of decoding one varint: its unsigned value and how many bytes it took. */
    public record Decoded(long value, int length) {
        /** The value as a non-negative {@link BigInteger}. */
        public BigInteger unsignedValue() {
            return toUnsignedBigInteger(value);
        }
    }

    /** Bytes of the minimal encoding of {@code unsignedValue}. */
    public static int size(long unsignedValue) {
        return Limits.varintSize(unsignedValue);
    }

    /** Writes {@code unsignedValue} at {@code dst[off]}; returns the offset after the last byte written. */
    public static int write(long unsignedValue, byte[] dst, int off) {
        long v = unsignedValue;
        while ((v & ~0x7FL) != 0) {
            dst[off++] = (byte) (v | 0x80);
            v >>>= 7;
        }
        dst[off++] = (byte) v;
        return off;
    }

    public static byte[] encode(long unsignedValue) {
        byte[] out = new byte[size(unsignedValue)];
        write(unsignedValue, out, 0);
        return out;
    }

    /**
     * Encodes an arbitrary integer, refusing what is outside 0..2<sup>64</sup>-1 (the original would
     * write larger values, and garbage for negative ones).
     *
     * @throws IllegalArgumentException when {@code value} is negative or above 2<sup>64</sup>-1
     */
    public static byte[] encode(BigInteger value) {
        return encode(toUnsignedLong(value));
    }

    /**
     * The unsigned 64-bit {@code long} with the value of {@code value}.
     *
     * @throws IllegalArgumentException when {@code value} is negative or above 2<sup>64</sup>-1
     */
    public static long toUnsignedLong(BigInteger value) {
        Objects.requireNonNull(value, "value");
        if (value.signum() < 0 || value.compareTo(MAX_UNSIGNED) > 0) {
            throw new IllegalArgumentException(
                    "varint value must be between 0 and 2^64-1 (18446744073709551615), got " + value);
        }
        return value.longValue();
    }

    public static BigInteger toUnsignedBigInteger(long unsignedValue) {
        BigInteger v = BigInteger.valueOf(unsignedValue & Long.MAX_VALUE);
        return unsignedValue < 0 ? v.setBit(63) : v;
    }

    /** Decodes the varint at the start of {@code src}; bytes after it are left alone. */
    public static Decoded decode(byte[] src) throws ProtocolException {
        return decode(src, 0, src.length);
    }

    /**
     * Decodes the varint at the start of {@code src[off, off+len)}; bytes after it are left alone
     * (see {@link Decoded#length()}).
     *
     * @throws ProtocolException {@link Kind#MALFORMED_FRAME} when there is no byte or the last one
     *     has its continuation bit set; {@link Kind#VALUE_OUT_OF_RANGE} above 2<sup>64</sup>-1
     */
    public static Decoded decode(byte[] src, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        Reader r = new Reader(src, off, len, Kind.MALFORMED_FRAME, "varint");
        long v = r.varint("value");
        return new Decoded(v, r.position() - off);
    }
}
