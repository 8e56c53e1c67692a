package io.sink.transport.internal.netty;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.sink.api.Event;
import io.sink.protocol.AckFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.PingFrame;
import io.sink.protocol.PublishFrame;
import io.sink.transport.internal.state.ConnectionCounters;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

class FrameEncoderTest {

    @Test
    void aBatchIsEncodedIntoOneBufferFrameAfterFrameAndEachFrameIsCounted() {
        ConnectionCounters counters = new ConnectionCounters();
        counters.connected(java.time.Instant.now());
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(counters));
        Frame[] frames = {new AckFrame(7), PublishFrame.of(8, Event.of(1, 1, "kitchen", 3, 1_700_000_000L,
                new byte[] {1, 2, 3})), PingFrame.INSTANCE};
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        for (Frame frame : frames) {
            expected.writeBytes(FrameCodec.encodeWithLengthPrefix(frame));
        }

        assertThat(channel.writeOutbound(new FrameBatch(frames))).isTrue();

        ByteBuf out = channel.readOutbound();
        try {
            assertThat(ByteBufUtil.getBytes(out)).isEqualTo(expected.toByteArray());
        } finally {
            out.release();
        }
        assertThat((Object) channel.readOutbound()).as("one buffer for the batch").isNull();
        var stats = counters.snapshot("peer", 0);
        assertThat(stats.framesOut()).isEqualTo(3);
        assertThat(stats.bytesOut()).isEqualTo(expected.size());
        channel.finishAndReleaseAll();
    }

    @Test
    void aSingleFrameIsEncodedAsBefore() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder(new ConnectionCounters()));
        assertThat(channel.writeOutbound(new AckFrame(1))).isTrue();
        ByteBuf out = channel.readOutbound();
        try {
            assertThat(ByteBufUtil.getBytes(out)).isEqualTo(FrameCodec.encodeWithLengthPrefix(new AckFrame(1)));
        } finally {
            out.release();
        }
        channel.finishAndReleaseAll();
    }
}
