package io.sink.stress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One raw TLS connection to the server under test: writes exactly the bytes it is given (inside
 * TLS) and collects the Sink frames the server sends back (split by their 2-byte length prefix),
 * as hex. Runs on an event loop group shared by every peer of a test.
 */
final class FuzzPeer implements AutoCloseable {
    private static final HexFormat HEX = HexFormat.of();
    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Boolean> tls = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final Channel channel;

    private FuzzPeer(EventLoopGroup group, SslContext context, int port) throws InterruptedException {
        ChannelFuture connect = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(context.newHandler(ch.alloc(), "127.0.0.1", port))
                                .addLast(new LengthFieldBasedFrameDecoder(65_535 + 2, 0, 2, 0, 2))
                                .addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                        frames.add(ByteBufUtil.hexDump(msg));
                                    }

                                    @Override
                                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                        if (evt instanceof SslHandshakeCompletionEvent e) {
                                            tls.complete(e.isSuccess());
                                        }
                                        ctx.fireUserEventTriggered(evt);
                                    }

                                    @Override
                                    public void channelInactive(ChannelHandlerContext ctx) {
                                        tls.complete(false);
                                        closed.complete(null);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close(); // a reset by the server, typically
                                    }
                                });
                    }
                }).connect("127.0.0.1", port);
        if (!connect.await(20, TimeUnit.SECONDS) || !connect.isSuccess()) {
            throw new IllegalStateException("cannot connect to 127.0.0.1:" + port, connect.cause());
        }
        this.channel = connect.channel();
    }

    static FuzzPeer connect(EventLoopGroup group, SslContext context, int port) throws InterruptedException {
        return new FuzzPeer(group, context, port);
    }

    /** The TLS handshake's outcome (false when it failed or the connection closed first). */
    boolean tlsEstablished(Duration timeout) throws Exception {
        return tls.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The server logs peers as {@code address:port}: this connection's local end as the server sees it. */
    String peerName() {
        InetSocketAddress local = (InetSocketAddress) channel.localAddress();
        return local.getAddress().getHostAddress() + ":" + local.getPort();
    }

    /** Writes and flushes the bytes; false if the write failed (the connection is closed). */
    boolean send(byte[] bytes) throws InterruptedException {
        ChannelFuture write = channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        return write.await(20, TimeUnit.SECONDS) && write.isSuccess();
    }

    /** Writes one frame with its length prefix. */
    boolean sendFrame(String frameHex) throws InterruptedException {
        byte[] frame = HEX.parseHex(frameHex);
        byte[] prefixed = new byte[frame.length + 2];
        prefixed[0] = (byte) (frame.length >>> 8);
        prefixed[1] = (byte) frame.length;
        System.arraycopy(frame, 0, prefixed, 2, frame.length);
        return send(prefixed);
    }

    /** The next frame received, as hex, or null when none arrives in time. */
    String nextFrame(Duration timeout) throws InterruptedException {
        return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The next frame if one has arrived already, else null. */
    String pollFrame() {
        return frames.poll();
    }

    boolean awaitClosed(Duration timeout) {
        try {
            closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    boolean isClosed() {
        return closed.isDone();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        awaitClosed(Duration.ofSeconds(10));
    }

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }
}
