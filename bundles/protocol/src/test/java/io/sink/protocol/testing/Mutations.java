package io.sink.protocol.testing;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Damage done to valid encodings to see that decoders refuse it cleanly. */
public final class Mutations {
    private Mutations() {
    }

    /** One change: what, where (taken modulo the size), and a value or bytes to put in. */
    public record Mutation(Kind kind, int position, int value, byte[] extra) {
        @Override
        public String toString() {
            return kind + "@" + position + (kind == Kind.EXTEND ? "+" + extra.length + "B" : "=" + value);
        }
    }

    public enum Kind {
        FLIP_BIT, TRUNCATE, EXTEND, SET_BYTE, INSERT_BYTE, DELETE_BYTE, SET_LENGTH_PREFIX
    }

    public static Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Integer> interesting = Arbitraries.oneOf(Arbitraries.of(0x00, 0x01, 0x7f, 0x80, 0xff, 0xfe),
                Arbitraries.integers().between(0, 0xffff));
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().greaterOrEqual(0),
                interesting, Generators.bytes(20)).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(4);
    }

    public static byte[] apply(byte[] input, List<Mutation> mutations) {
        byte[] b = input.clone();
        for (Mutation m : mutations) {
            b = apply(b, m);
        }
        return b;
    }

    private static byte[] apply(byte[] b, Mutation m) {
        int n = b.length;
        switch (m.kind()) {
            case FLIP_BIT:
                if (n > 0) {
                    int bit = m.position() % (n * 8);
                    b[bit / 8] ^= (byte) (1 << (bit % 8));
                }
                return b;
            case TRUNCATE:
                return Arrays.copyOf(b, m.position() % (n + 1));
            case EXTEND: {
                byte[] out = Arrays.copyOf(b, n + m.extra().length);
                System.arraycopy(m.extra(), 0, out, n, m.extra().length);
                return out;
            }
            case SET_BYTE:
                if (n > 0) {
                    b[m.position() % n] = (byte) m.value();
                }
                return b;
            case INSERT_BYTE: {
                int at = m.position() % (n + 1);
                byte[] out = new byte[n + 1];
                System.arraycopy(b, 0, out, 0, at);
                out[at] = (byte) m.value();
                System.arraycopy(b, at, out, at + 1, n - at);
                return out;
            }
            case DELETE_BYTE: {
                if (n == 0) {
                    return b;
                }
                int at = m.position() % n;
                byte[] out = new byte[n - 1];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + 1, out, at, n - at - 1);
                return out;
            }
            case SET_LENGTH_PREFIX:
                // The first two bytes: a frame's length prefix, or a varint length at the start of a payload.
                if (n >= 2) {
                    b[0] = (byte) (m.value() >>> 8);
                    b[1] = (byte) m.value();
                }
                return b;
            default:
                throw new IllegalStateException(m.kind().toString());
        }
    }
}
