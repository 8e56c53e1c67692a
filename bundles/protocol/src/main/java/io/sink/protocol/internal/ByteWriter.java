package io.sink.protocol.internal;

import io.sink.protocol.Varint;
import java.util.Arrays;

/** A growable byte array for the encoders whose output size is not known up front (batches). */
public final class ByteWriter {
    private byte[] buf;
    private int size;

    public ByteWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return size;
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > buf.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("encoding needs more than 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 16, buf.length * 2L)));
        }
    }

    public ByteWriter u8(int b) {
        ensure(1);
        buf[size++] = (byte) b;
        return this;
    }

    public ByteWriter varint(long unsignedValue) {
        ensure(Varint.MAX_SIZE);
        size = Varint.write(unsignedValue, buf, size);
        return this;
    }

    public ByteWriter bytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, size, len);
        size += len;
        return this;
    }

    public ByteWriter bytes(byte[] src) {
        return bytes(src, 0, src.length);
    }

    /** Makes room for {@code n} bytes the caller writes into {@link #array()}; returns where they go. */
    public int reserve(int n) {
        ensure(n);
        int at = size;
        size += n;
        return at;
    }

    public ByteWriter chunk(ByteWriter other) {
        varint(other.size);
        return bytes(other.buf, 0, other.size);
    }

    /** The internal array; valid up to {@link #size()}. */
    public byte[] array() {
        return buf;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }
}
