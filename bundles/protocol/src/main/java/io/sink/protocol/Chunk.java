package io.sink.protocol;

import io.sink.api.Limits;
import io.sink.protocol.ProtocolException.Kind;
import io.sink.protocol.internal.Reader;
import java.util.Objects;

/** A chunk: the {@linkplain Varint varint} length of some bytes followed by the bytes. */
public final class Chunk {
    private Chunk() {
    }

    /**
     * The result of decoding one chunk: its data (a fresh array owned by the caller) and how many
     * bytes the chunk took, length prefix included.
     */
    public record Decoded(byte[] data, int length) {
    }

    /** Bytes of a chunk holding {@code dataLength} bytes. */
    public static int size(int dataLength) {
        return Limits.chunkSize(dataLength);
    }

    /** Writes the chunk of {@code data[dataOff, dataOff+dataLen)}; returns the offset after it. */
    public static int write(byte[] data, int dataOff, int dataLen, byte[] dst, int off) {
        Objects.checkFromIndexSize(dataOff, dataLen, data.length);
        int p = Varint.write(dataLen, dst, off);
        System.arraycopy(data, dataOff, dst, p, dataLen);
        return p + dataLen;
    }

    public static int write(byte[] data, byte[] dst, int off) {
        return write(data, 0, data.length, dst, off);
    }

    public static byte[] encode(byte[] data) {
        byte[] out = new byte[size(data.length)];
        write(data, out, 0);
        return out;
    }

    public static Decoded decode(byte[] src) throws ProtocolException {
        return decode(src, 0, src.length);
    }

    /**
     * Decodes the chunk at the start of {@code src[off, off+len)}; bytes after it are left alone.
     *
     * @throws ProtocolException {@link Kind#MALFORMED_FRAME} when the length is missing or
     *     unterminated or claims more bytes than there are
     */
    public static Decoded decode(byte[] src, int off, int len) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, src.length);
        Reader r = new Reader(src, off, len, Kind.MALFORMED_FRAME, "chunk");
        int n = r.length("data");
        byte[] data = r.bytes(n, "data");
        return new Decoded(data, r.position() - off);
    }
}
