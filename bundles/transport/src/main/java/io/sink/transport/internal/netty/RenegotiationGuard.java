package io.sink.transport.internal.netty;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import javax.net.ssl.SSLException;

/**
 * Refuses TLS renegotiation: sits before the {@link SslHandler} and follows the TLS record headers
 * of what the peer sends; a handshake record (content type 22) after the handshake has completed
 * is a renegotiation attempt in TLS 1.2 (a ClientHello from a client, a HelloRequest from a server)
 * and is not allowed in TLS 1.3, whose post-handshake messages travel as application data. The
 * connection then fails with an {@link SSLException} instead of renegotiating: each renegotiation
 * costs the server a full handshake, as often as a client likes (the JDK accepts client-initiated
 * renegotiation unless {@code jdk.tls.rejectClientInitiatedRenegotiation} is set at JVM start,
 * which bin/sink does as well). One per connection, not sharable.
 */
public final class RenegotiationGuard extends ChannelInboundHandlerAdapter {
    private static final int HEADER = 5;
    private static final int HANDSHAKE = 22;

    private final SslHandler tls;
    private final byte[] header = new byte[HEADER];
    private int headerBytes;
    private int bodyRemaining;
    private boolean refused;

    public RenegotiationGuard(SslHandler tls) {
        this.tls = tls;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof ByteBuf buf && renegotiates(buf)) {
            refused = true;
            ReferenceCountUtil.release(msg);
            ctx.fireExceptionCaught(new SSLException("TLS renegotiation refused: the peer sent a handshake record "
                    + "after the handshake"));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** Follows the record headers in {@code buf} (without consuming it); true at a handshake record after the handshake. */
    private boolean renegotiates(ByteBuf buf) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        boolean handshakeDone = tls.handshakeFuture().isSuccess();
        while (i < end) {
            if (bodyRemaining > 0) {
                int skip = Math.min(bodyRemaining, end - i);
                bodyRemaining -= skip;
                i += skip;
                continue;
            }
            header[headerBytes++] = buf.getByte(i++);
            if (headerBytes == HEADER) {
                headerBytes = 0;
                bodyRemaining = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                if (handshakeDone && (header[0] & 0xff) == HANDSHAKE) {
                    return true;
                }
            }
        }
        return false;
    }
}
