package io.sink.benchmarks;

import io.sink.api.Event;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.PublishFrame;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding and decoding one PUBLISH frame of the example's sensor reading (key "kitchen", the ETF
 * term of temperature 70 / humidity 40, offset 12345, timestamp 1700000000, type 1, schema 1): a
 * 55-byte frame, 57 bytes on the wire with the length prefix. The Elixir original does about 2.1M
 * encodes/s and 2.3M decodes/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Threads(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class PublishCodecBenchmark {
    static final int FRAME_SIZE = 55;
    static final int WIRE_SIZE = FRAME_SIZE + FrameCodec.LENGTH_PREFIX_SIZE;

    private Event event;
    private int messageId;
    private byte[] wire;
    private byte[] buffer;

    @Setup
    public void setUp() throws ProtocolException {
        event = SensorReadingCodec.event("kitchen", 12345, 1_700_000_000L, new SensorReading(70, 40));
        messageId = 1234;
        PublishFrame frame = PublishFrame.of(messageId, event);
        wire = FrameCodec.encodeWithLengthPrefix(frame);
        if (FrameCodec.encodedSize(frame) != FRAME_SIZE || wire.length != WIRE_SIZE) {
            throw new IllegalStateException("the benchmark frame is " + FrameCodec.encodedSize(frame) + " bytes ("
                    + wire.length + " on the wire), expected " + FRAME_SIZE + " (" + WIRE_SIZE + ")");
        }
        if (!decode().equals(event)) {
            throw new IllegalStateException("the benchmark frame does not decode to its event");
        }
        buffer = new byte[WIRE_SIZE];
    }

    /** Length prefix and frame into a new array, as handed to a socket. */
    @Benchmark
    public byte[] encode() {
        return FrameCodec.encodeWithLengthPrefix(PublishFrame.of(messageId, event));
    }

    /** Length prefix and frame into a caller's buffer, as a Netty encoder writes into a pooled ByteBuf. */
    @Benchmark
    public int encodeIntoBuffer() {
        return FrameCodec.encodeWithLengthPrefix(PublishFrame.of(messageId, event), buffer, 0);
    }

    /** Length prefix checked, frame decoded, the event it carries taken out. */
    @Benchmark
    public Event decode() throws ProtocolException {
        int length = FrameCodec.checkFrameLength(FrameCodec.readLengthPrefix(wire, 0));
        PublishFrame frame = (PublishFrame) FrameCodec.decode(wire, FrameCodec.LENGTH_PREFIX_SIZE, length);
        return frame.event();
    }
}
