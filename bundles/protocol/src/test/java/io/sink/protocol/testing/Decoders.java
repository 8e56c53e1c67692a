package io.sink.protocol.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.sink.protocol.Batch;
import io.sink.protocol.BatchLimits;
import io.sink.protocol.Chunk;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.NackFrame;
import io.sink.protocol.NackPayload;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.PublishFrame;
import io.sink.protocol.PublishPayload;
import io.sink.protocol.Snapshot;
import io.sink.protocol.Varint;
import io.sink.protocol.etf.SensorConfigCodec;
import io.sink.protocol.etf.SensorReadingCodec;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** Every decoder of the codec, fed the same bytes: only results or ProtocolExceptions may come out. */
public final class Decoders {
    /** Small enough that a mutated gzip body can hit it. */
    private static final BatchLimits LIMITS = new BatchLimits(1 << 20, 10_000);

    private Decoders() {
    }

    /** A decoder over a range of an array. */
    @FunctionalInterface
    interface RangeDecoder {
        Object decode(byte[] src, int off, int len) throws Exception;
    }

    private static final List<RangeDecoder> DECODERS = List.of(
            Decoders::frame,
            FrameCodec::decodeWithLengthPrefix,
            PublishPayload::decode,
            NackPayload::decode,
            (src, off, len) -> Varint.decode(src, off, len),
            (src, off, len) -> {
                Chunk.Decoded d = Chunk.decode(src, off, len);
                return Arrays.toString(d.data()) + "/" + d.length();
            },
            (src, off, len) -> Batch.decode(src, off, len, LIMITS),
            (src, off, len) -> Snapshot.decode(src, off, len, LIMITS),
            SensorReadingCodec::decode,
            SensorConfigCodec::decode);

    /**
     * Runs every decoder on {@code input}, alone and embedded in other bytes: each must return a
     * value or throw a {@link ProtocolException}, and the same either way (a decoder that read outside
     * its range would differ).
     *
     * @return whether the frame decoder accepted the input (for the properties' statistics)
     */
    public static boolean decodeWithEveryDecoder(byte[] input, byte filler) {
        byte[] embedded = new byte[input.length + 7];
        Arrays.fill(embedded, filler);
        System.arraycopy(input, 0, embedded, 3, input.length);
        boolean frameAccepted = false;
        for (RangeDecoder decoder : DECODERS) {
            Object alone = outcome(decoder, input, 0, input.length);
            Object inside = outcome(decoder, embedded, 3, input.length);
            assertThat(inside).as("decoding %s inside other bytes", Arrays.toString(input)).isEqualTo(alone);
            if (decoder == DECODERS.get(0)) {
                frameAccepted = !(alone instanceof Rejected);
            }
        }
        Rejections.onlyProtocolException(() -> frame(ByteBuffer.wrap(input)));
        Rejections.onlyProtocolException(() -> frame(ByteBuffer.allocateDirect(input.length).put(input).flip()));
        return frameAccepted;
    }

    /** A decoder's ProtocolException, compared by kind and message. */
    private record Rejected(ProtocolException.Kind kind, String message) {
    }

    private static Object outcome(RangeDecoder decoder, byte[] src, int off, int len) {
        Object result;
        try {
            result = decoder.decode(src, off, len);
        } catch (ProtocolException e) {
            Rejections.assertWellFormed(e);
            return new Rejected(e.kind(), e.getMessage());
        } catch (Throwable t) {
            throw new AssertionError("a decoder let out " + t + " instead of a ProtocolException on "
                    + Arrays.toString(Arrays.copyOfRange(src, off, off + len)), t);
        }
        return Objects.toString(result);
    }

    private static Object frame(byte[] src, int off, int len) throws ProtocolException {
        return describe(FrameCodec.decode(src, off, len));
    }

    private static Object frame(ByteBuffer buffer) throws ProtocolException {
        return describe(FrameCodec.decode(buffer));
    }

    /** The frame and what its payload decodes to, or the payload's ProtocolException. */
    private static String describe(Frame frame) {
        String payload;
        try {
            if (frame instanceof PublishFrame p) {
                payload = String.valueOf(p.event());
            } else if (frame instanceof NackFrame n) {
                payload = String.valueOf(n.nack());
            } else if (frame instanceof ConnectionResponseFrame r && r.payload().length > 0) {
                payload = String.valueOf(r.nack());
            } else {
                payload = "";
            }
        } catch (ProtocolException e) {
            payload = e.kind() + ": " + e.getMessage();
        } catch (RuntimeException e) {
            throw new AssertionError("a payload decoder let out " + e + " instead of a ProtocolException", e);
        }
        return frame + " " + payload;
    }
}
