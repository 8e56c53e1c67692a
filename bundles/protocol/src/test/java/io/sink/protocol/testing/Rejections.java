package io.sink.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.sink.protocol.ProtocolException;

/** Assertions that a decoder rejects input with the codec's typed error and nothing else. */
public final class Rejections {
    private Rejections() {
    }

    /** Code that may throw anything. */
    @FunctionalInterface
    public interface Decoding {
        Object run() throws Exception;
    }

    /** Asserts {@code decoding} throws a {@link ProtocolException} with a message and returns it. */
    public static ProtocolException rejects(Decoding decoding) {
        try {
            Object result = decoding.run();
            return fail("expected a ProtocolException, got a result: " + result);
        } catch (ProtocolException e) {
            assertWellFormed(e);
            return e;
        } catch (Throwable t) {
            throw new AssertionError("expected a ProtocolException, got " + t, t);
        }
    }

    public static ProtocolException rejects(ProtocolException.Kind kind, Decoding decoding) {
        ProtocolException e = rejects(decoding);
        assertThat(e.kind()).as("kind of: %s", e.getMessage()).isEqualTo(kind);
        return e;
    }

    /** Runs {@code decoding}; a result or a {@link ProtocolException} are fine, anything else fails. */
    public static void onlyProtocolException(Decoding decoding) {
        try {
            decoding.run();
        } catch (ProtocolException e) {
            assertWellFormed(e);
        } catch (Throwable t) {
            throw new AssertionError("a decoder let out " + t + " instead of a ProtocolException", t);
        }
    }

    public static void assertWellFormed(ProtocolException e) {
        assertThat(e.getMessage()).as("message of a %s", e.kind()).isNotBlank();
        if (e.getCause() != null) {
            assertThat(e.getCause()).as("cause of: %s", e.getMessage()).isNotInstanceOf(RuntimeException.class);
        }
    }
}
