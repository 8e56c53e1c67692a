package io.sink.protocol;

/**
 * Zigzag mapping of signed to unsigned 64-bit values ({@code d >= 0 -> 2d}, {@code d < 0 -> -2d-1}),
 * used for the offset and timestamp deltas of a batch. Unsigned results above 2<sup>63</sup>-1 come
 * out as negative {@code long}s with the same bits, ready for {@link Varint#write(long, byte[], int)}.
 */
public final class Zigzag {
    private Zigzag() {
    }

    public static long encode(long signedValue) {
        return (signedValue << 1) ^ (signedValue >> 63);
    }

    public static long decode(long unsignedValue) {
        return (unsignedValue >>> 1) ^ -(unsignedValue & 1);
    }
}
