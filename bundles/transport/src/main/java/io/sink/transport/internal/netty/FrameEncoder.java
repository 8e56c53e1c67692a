package io.sink.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.transport.internal.state.ConnectionCounters;

/**
 * Writes a frame, or the frames of a {@link FrameBatch} one after the other, each with its 2-byte
 * length prefix, straight into one outgoing buffer. Frames cannot be larger than 65,535 bytes: their
 * constructors refuse it, so nothing is ever truncated here.
 */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Object> {
    private final ConnectionCounters counters;

    public FrameEncoder(ConnectionCounters counters) {
        super(false);
        this.counters = counters;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof Frame || msg instanceof FrameBatch;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        if (msg instanceof FrameBatch batch) {
            for (Frame frame : batch.frames()) {
                encode(frame, out);
            }
        } else {
            encode((Frame) msg, out);
        }
    }

    private void encode(Frame frame, ByteBuf out) {
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
    protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, Object msg, boolean preferDirect) {
        int total = 0;
        if (msg instanceof FrameBatch batch) {
            for (Frame frame : batch.frames()) {
                total += FrameCodec.LENGTH_PREFIX_SIZE + FrameCodec.encodedSize(frame);
            }
        } else {
            total = FrameCodec.LENGTH_PREFIX_SIZE + FrameCodec.encodedSize((Frame) msg);
        }
        return ctx.alloc().heapBuffer(total);
    }
}
