package io.sink.protocol.etf;

import io.sink.api.text.Printable;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.internal.Reader;

/**
 * The few Erlang external term format pieces the example's payloads use, written as OTP 25 writes
 * them (ATOM_EXT with a 16-bit length, SMALL_INTEGER_EXT for 0..255, INTEGER_EXT otherwise) and
 * read in any of the atom encodings newer Erlang versions use.
 */
final class Etf {
    static final int VERSION = 131;
    static final int SMALL_INTEGER_EXT = 97;
    static final int INTEGER_EXT = 98;
    static final int ATOM_EXT = 100;
    static final int BINARY_EXT = 109;
    static final int MAP_EXT = 116;
    static final int SMALL_ATOM_EXT = 115;
    static final int ATOM_UTF8_EXT = 118;
    static final int SMALL_ATOM_UTF8_EXT = 119;

    private Etf() {
    }

    static int int32(byte[] dst, int p, int v) {
        dst[p] = (byte) (v >>> 24);
        dst[p + 1] = (byte) (v >>> 16);
        dst[p + 2] = (byte) (v >>> 8);
        dst[p + 3] = (byte) v;
        return p + 4;
    }

    /** Bytes of {@code name} as an ATOM_EXT (names of at most 255 Latin-1 characters). */
    static int atomSize(byte[] name) {
        return 3 + name.length;
    }

    static int atom(byte[] dst, int p, byte[] name) {
        dst[p] = (byte) ATOM_EXT;
        dst[p + 1] = 0;
        dst[p + 2] = (byte) name.length;
        System.arraycopy(name, 0, dst, p + 3, name.length);
        return p + 3 + name.length;
    }

    static int integerSize(int value) {
        return value >= 0 && value <= 255 ? 2 : 5;
    }

    static int integer(byte[] dst, int p, int value) {
        if (value >= 0 && value <= 255) {
            dst[p] = (byte) SMALL_INTEGER_EXT;
            dst[p + 1] = (byte) value;
            return p + 2;
        }
        dst[p] = (byte) INTEGER_EXT;
        return int32(dst, p + 1, value);
    }

    static int binarySize(byte[] data) {
        return 5 + data.length;
    }

    static int binary(byte[] dst, int p, byte[] data) {
        dst[p] = (byte) BINARY_EXT;
        p = int32(dst, p + 1, data.length);
        System.arraycopy(data, 0, dst, p, data.length);
        return p + data.length;
    }

    /** Reads the version byte and a MAP_EXT header; returns the map's arity. */
    static long mapHeader(Reader r) throws ProtocolException {
        int version = r.u8("version byte");
        if (version != VERSION) {
            throw r.malformed("starts with " + version + ", not the external term format version 131");
        }
        int tag = r.u8("term tag");
        if (tag != MAP_EXT) {
            throw r.malformed("is term tag " + tag + ", expected a map (MAP_EXT 116)");
        }
        return r.u32("map arity");
    }

    /** Reads an atom in any of its four encodings; {@code what} names it in messages ("map key"). */
    static byte[] atom(Reader r, String what) throws ProtocolException {
        int tag = r.u8(what + " tag");
        int length;
        switch (tag) {
            case ATOM_EXT:
            case ATOM_UTF8_EXT:
                length = r.u16("atom length");
                break;
            case SMALL_ATOM_EXT:
            case SMALL_ATOM_UTF8_EXT:
                length = r.u8("atom length");
                break;
            default:
                throw r.malformed(what + " has term tag " + tag + ", expected an atom (ATOM_EXT 100, SMALL_ATOM_EXT "
                        + "115, ATOM_UTF8_EXT 118 or SMALL_ATOM_UTF8_EXT 119)");
        }
        return r.bytes(length, "atom name");
    }

    /** Reads a 32-bit integer, the value of the map key {@code key}. */
    static int integer(Reader r, byte[] key) throws ProtocolException {
        int tag = r.u8("value tag");
        switch (tag) {
            case SMALL_INTEGER_EXT:
                return r.u8("small integer");
            case INTEGER_EXT:
                return r.i32("integer");
            default:
                throw r.malformed("value of :" + Printable.bytes(key, 64) + " has term tag " + tag
                        + ", expected an integer (SMALL_INTEGER_EXT 97 or INTEGER_EXT 98)");
        }
    }

    /** Reads a binary (an Elixir string) of at most {@code maxLength} bytes, the value of the map key {@code key}. */
    static byte[] binary(Reader r, byte[] key, int maxLength) throws ProtocolException {
        int tag = r.u8("value tag");
        if (tag != BINARY_EXT) {
            throw r.malformed("value of :" + Printable.bytes(key, 64) + " has term tag " + tag
                    + ", expected a binary (BINARY_EXT 109)");
        }
        long length = r.u32("binary length");
        if (length > maxLength) {
            throw r.malformed("value of :" + Printable.bytes(key, 64) + " is " + length + " bytes long, at most "
                    + maxLength + " are allowed");
        }
        return r.bytes((int) length, "binary of :" + Printable.bytes(key, 64));
    }
}
