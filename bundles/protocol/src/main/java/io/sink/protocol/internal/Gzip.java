package io.sink.protocol.internal;

import io.sink.protocol.ProtocolException;
import io.sink.protocol.ProtocolException.Kind;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Gzip as Erlang's {@code :zlib.gzip/1} writes it (zlib level 6, window 15, memLevel 8; header
 * {@code 1f8b 08 00 00000000 00 03}: no name, mtime 0, OS 3), and a bounded gunzip that never
 * allocates more than its limit whatever the stream claims.
 */
public final class Gzip {
    private static final int FTEXT = 1;
    private static final int FHCRC = 2;
    private static final int FEXTRA = 4;
    private static final int FNAME = 8;
    private static final int FCOMMENT = 16;
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};

    private Gzip() {
    }

    public static byte[] compress(byte[] data, int off, int len) {
        Deflater deflater = new Deflater(6, true);
        try {
            deflater.setInput(data, off, len);
            deflater.finish();
            // zlib's deflateBound for these settings is below this; the loop copes anyway.
            byte[] out = new byte[HEADER.length + len + (len >> 12) + (len >> 14) + (len >> 25) + 13 + 8 + 16];
            System.arraycopy(HEADER, 0, out, 0, HEADER.length);
            int n = HEADER.length;
            while (!deflater.finished()) {
                if (n == out.length - 8) {
                    out = Arrays.copyOf(out, out.length * 2);
                }
                n += deflater.deflate(out, n, out.length - 8 - n);
            }
            CRC32 crc = new CRC32();
            crc.update(data, off, len);
            n = intLe(out, n, (int) crc.getValue());
            n = intLe(out, n, len);
            return n == out.length ? out : Arrays.copyOf(out, n);
        } finally {
            deflater.end();
        }
    }

    private static int intLe(byte[] out, int n, int v) {
        out[n] = (byte) v;
        out[n + 1] = (byte) (v >>> 8);
        out[n + 2] = (byte) (v >>> 16);
        out[n + 3] = (byte) (v >>> 24);
        return n + 4;
    }

    private static int readIntLe(byte[] in, int p) {
        return (in[p] & 0xff) | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff) << 16 | (in[p + 3] & 0xff) << 24;
    }

    /**
     * The decompressed bytes of exactly one gzip member filling {@code src[off, off+len)}.
     *
     * @param maxSize largest decompressed size accepted; more is {@link Kind#BATCH_TOO_LARGE}
     * @param what names the data in messages
     */
    public static byte[] decompress(byte[] src, int off, int len, int maxSize, String what)
            throws ProtocolException {
        Reader r = new Reader(src, off, len, Kind.MALFORMED_BATCH, what);
        if (r.u8("gzip magic") != 0x1f || r.u8("gzip magic") != 0x8b) {
            throw r.malformed("gzip body does not start with the gzip magic 1f8b");
        }
        int method = r.u8("gzip compression method");
        if (method != 8) {
            throw r.malformed("gzip compression method is " + method + ", only 8 (deflate) exists");
        }
        int flags = r.u8("gzip flags");
        if ((flags & ~(FTEXT | FHCRC | FEXTRA | FNAME | FCOMMENT)) != 0) {
            throw r.malformed("gzip flags 0x" + Integer.toHexString(flags) + " set reserved bits");
        }
        r.skip(6, "gzip header (mtime, extra flags, OS)");
        if ((flags & FEXTRA) != 0) {
            int xlen = r.u8("gzip extra length") | r.u8("gzip extra length") << 8;
            r.skip(xlen, "gzip extra field");
        }
        if ((flags & FNAME) != 0) {
            skipZeroTerminated(r, "gzip file name");
        }
        if ((flags & FCOMMENT) != 0) {
            skipZeroTerminated(r, "gzip comment");
        }
        if ((flags & FHCRC) != 0) {
            int headerEnd = r.position();
            int expected = r.u8("gzip header CRC") | r.u8("gzip header CRC") << 8;
            CRC32 crc = new CRC32();
            crc.update(src, off, headerEnd - off);
            if (((int) crc.getValue() & 0xffff) != expected) {
                throw r.malformed("gzip header CRC does not match");
            }
        }
        int dataStart = r.position();
        int dataLen = r.remaining();
        Inflater inflater = new Inflater(true);
        try {
            inflater.setInput(src, dataStart, dataLen);
            long cap = (long) maxSize + 1;
            byte[] out = new byte[(int) Math.min(cap, Math.max(64L, dataLen * 4L))];
            int n = 0;
            while (true) {
                if (n == out.length) {
                    if (n >= cap) {
                        throw new ProtocolException(Kind.BATCH_TOO_LARGE,
                                what + ": gzip body inflates to more than " + maxSize + " bytes");
                    }
                    out = Arrays.copyOf(out, (int) Math.min(cap, out.length * 2L));
                }
                int k = inflater.inflate(out, n, out.length - n);
                n += k;
                if (inflater.finished()) {
                    break;
                }
                if (k == 0) {
                    if (inflater.needsDictionary()) {
                        throw r.malformed("gzip body needs a preset dictionary");
                    }
                    if (inflater.needsInput()) {
                        throw r.malformed("gzip body is truncated: the deflate stream does not end");
                    }
                    if (n < out.length) {
                        throw r.malformed("gzip body makes no progress");
                    }
                }
            }
            if (n > maxSize) {
                throw new ProtocolException(Kind.BATCH_TOO_LARGE,
                        what + ": gzip body inflates to more than " + maxSize + " bytes");
            }
            int trailer = dataStart + dataLen - inflater.getRemaining();
            int left = dataStart + dataLen - trailer;
            if (left < 8) {
                throw r.malformed("gzip trailer is truncated: " + left + " of 8 bytes");
            }
            if (left > 8) {
                throw r.malformed((left - 8) + " bytes after the gzip trailer");
            }
            CRC32 crc = new CRC32();
            crc.update(out, 0, n);
            if (readIntLe(src, trailer) != (int) crc.getValue()) {
                throw r.malformed("gzip CRC32 does not match the data");
            }
            if (readIntLe(src, trailer + 4) != n) {
                throw r.malformed("gzip length field does not match the data");
            }
            return n == out.length ? out : Arrays.copyOf(out, n);
        } catch (DataFormatException e) {
            throw r.malformed("gzip body is corrupt: " + java.util.Objects.toString(e.getMessage(), "invalid deflate data"));
        } finally {
            inflater.end();
        }
    }

    private static void skipZeroTerminated(Reader r, String field) throws ProtocolException {
        while (r.u8(field) != 0) {
            // skip to the terminating zero
        }
    }
}
