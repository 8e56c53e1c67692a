package io.sink.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.ProtocolException;
import io.sink.transport.internal.state.ConnectionCounters;
import java.util.List;

/**
 * Splits the TLS stream into Sink frames (2-byte big-endian length, then the frame) and decodes each
 * one. Malformed input becomes a {@link ProtocolException} (wrapped by Netty in a
 * {@code DecoderException}); after the first one, everything else received is discarded, since the
 * connection is being closed. Never allocates more than the frame's own length, which is at most
 * 65,535 bytes.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private final ConnectionCounters counters;
    private boolean failed;

    public FrameDecoder(ConnectionCounters counters) {
        this.counters = counters;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws ProtocolException {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= FrameCodec.LENGTH_PREFIX_SIZE) {
            int start = in.readerIndex();
            int length = in.getUnsignedShort(start);
            if (length == 0) {
                failed = true;
                FrameCodec.checkFrameLength(length); // throws: a zero-length frame is malformed
            }
            if (in.readableBytes() < FrameCodec.LENGTH_PREFIX_SIZE + length) {
                return;
            }
            int frameStart = start + FrameCodec.LENGTH_PREFIX_SIZE;
            Frame frame;
            try {
                if (in.hasArray()) {
                    frame = FrameCodec.decode(in.array(), in.arrayOffset() + frameStart, length);
                } else {
                    byte[] bytes = new byte[length];
                    in.getBytes(frameStart, bytes);
                    frame = FrameCodec.decode(bytes, 0, length);
                }
            } catch (ProtocolException e) {
                failed = true;
                in.skipBytes(in.readableBytes());
                throw e;
            }
            in.readerIndex(frameStart + length);
            counters.frameReceived(length);
            out.add(frame);
        }
    }
}
