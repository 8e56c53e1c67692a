package io.sink.api;

/** Sizes fixed by the Sink wire protocol, version 0. */
public final class Limits {
    /** Largest frame carried by the 2-byte length prefix. */
    public static final int MAX_FRAME_SIZE = 65_535;
    /** Largest PUBLISH payload: a frame minus its 2-byte header. */
    public static final int MAX_PUBLISH_PAYLOAD = MAX_FRAME_SIZE - 2;
    /** Largest 12-bit message id. */
    public static final int MAX_MESSAGE_ID = 4095;
    /** Largest number of PUBLISHes one sender may keep in flight on one connection. */
    public static final int MAX_WINDOW = 4095;
    /** Largest instance id (unsigned 32 bits). */
    public static final long MAX_INSTANCE_ID = 0xFFFF_FFFFL;

    private Limits() {
    }

    /** Bytes an unsigned LEB128 varint of {@code value} takes (value read as unsigned 64 bits). */
    public static int varintSize(long value) {
        int bits = 64 - Long.numberOfLeadingZeros(value);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    /** Bytes of a chunk: its length varint followed by its bytes. */
    public static int chunkSize(int length) {
        return varintSize(length) + length;
    }

    static long requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be between 0 and 2^63-1, got " + value);
        }
        return value;
    }
}
