package io.sink.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.transport.internal.state.ConnectionCounters;

/**
 * Writes a frame with its 2-byte length prefix straight into the outgoing buffer. Frames cannot be
 * larger than 65,535 bytes: their constructors refuse it, so nothing is ever truncated here.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    private final ConnectionCounters counters;

    public FrameEncoder(ConnectionCounters counters) {
        super(Frame.class, false);
        this.counters = counters;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Frame frame, ByteBuf out) {
        int size = FrameCodec.encodedSize(frame);
        int total = FrameCodec.LENGTH_PREFIX_SIZE + size;
        out.ensureWritable(total);
        int writerIndex = out.writerIndex();
        if (out.hasArray()) {
            FrameCodec.encodeWithLengthPrefix(frame, out.array(), out.arrayOffset() + writerIndex);
            out.writerIndex(writerIndex + total);
        } else {
            out.writeBytes(FrameCodec.encodeWithLengthPrefix(frame));
        }
        counters.frameSent(size);
    }

    @Override
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Frame frame, boolean preferDirect) {
        return ctx.alloc().heapBuffer(FrameCodec.LENGTH_PREFIX_SIZE + FrameCodec.encodedSize(frame));
    }
}
