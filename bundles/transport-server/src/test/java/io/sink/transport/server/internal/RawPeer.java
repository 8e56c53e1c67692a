package io.sink.transport.server.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted TLS peer that speaks raw bytes: the test writes exactly the bytes it wants (valid
 * frames, malformed ones, nothing at all) and reads the frames the other side sends. Works as the
 * client end or as the server end of one connection.
 */
final class RawPeer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Channel> connection = new CompletableFuture<>();
    private final CompletableFuture<Boolean> tls = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicLong framesReceived = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean keepFrames = true;
    private Channel serverChannel;

    private RawPeer() {
    }

    /** Connects to {@code port} on 127.0.0.1 with a client TLS context. */
    static RawPeer client(SslContext context, int port) throws InterruptedException {
        return client(context, port, 0);
    }

    /** As {@link #client(SslContext, int)}, with a socket receive buffer of {@code receiveBuffer} bytes (0: default). */
    static RawPeer client(SslContext context, int port, int receiveBuffer) throws InterruptedException {
        RawPeer peer = new RawPeer();
        Bootstrap bootstrap = new Bootstrap().group(peer.group).channel(NioSocketChannel.class)
                .handler(peer.initializer(context, port));
        if (receiveBuffer > 0) {
            bootstrap.option(io.netty.channel.ChannelOption.SO_RCVBUF, receiveBuffer);
        }
        bootstrap.connect("127.0.0.1", port).sync();
        return peer;
    }

    /** Listens on an ephemeral port of 127.0.0.1 for one connection, with a server TLS context. */
    static RawPeer server(SslContext context) throws InterruptedException {
        return server(context, 0);
    }

    /** As {@link #server(SslContext)}, the connection with a socket receive buffer of {@code receiveBuffer} bytes. */
    static RawPeer server(SslContext context, int receiveBuffer) throws InterruptedException {
        RawPeer peer = new RawPeer();
        ServerBootstrap bootstrap = new ServerBootstrap().group(peer.group).channel(NioServerSocketChannel.class)
                .childHandler(peer.initializer(context, 0));
        if (receiveBuffer > 0) {
            bootstrap.option(io.netty.channel.ChannelOption.SO_RCVBUF, receiveBuffer); // inherited by the connection
        }
        peer.serverChannel = bootstrap.bind("127.0.0.1", 0).sync().channel();
        return peer;
    }

    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    private ChannelInitializer<SocketChannel> initializer(SslContext context, int port) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                SslHandler ssl = context.isClient() ? context.newHandler(ch.alloc(), "127.0.0.1", port)
                        : context.newHandler(ch.alloc());
                ch.pipeline().addLast(ssl)
                        .addLast(new LengthFieldBasedFrameDecoder(65_535 + 2, 0, 2, 0, 2))
                        .addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                connection.complete(ctx.channel());
                            }

                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                framesReceived.incrementAndGet();
                                if (!keepFrames) {
                                    return;
                                }
                                byte[] frame = new byte[msg.readableBytes()];
                                msg.readBytes(frame);
                                frames.add(frame);
                            }

                            @Override
                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                if (evt instanceof SslHandshakeCompletionEvent e) {
                                    tls.complete(e.isSuccess());
                                }
                            }

                            @Override
                            public void channelInactive(ChannelHandlerContext ctx) {
                                tls.complete(false);
                                closed.complete(null);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
            }
        };
    }

    /** Whether the TLS handshake succeeded (false when it failed or the connection closed first). */
    boolean tlsEstablished(Duration timeout) throws Exception {
        return tls.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Writes the bytes exactly as given (the test includes length prefixes or not). */
    void sendRaw(String hex) throws Exception {
        Channel ch = connection.get(10, TimeUnit.SECONDS);
        ch.writeAndFlush(Unpooled.wrappedBuffer(HexFormat.of().parseHex(hex))).sync();
    }

    /** Writes the bytes {@code times} times in one flush, without waiting; the future completes once all are written. */
    io.netty.channel.ChannelFuture sendRepeated(String hex, int times) throws Exception {
        Channel ch = connection.get(10, TimeUnit.SECONDS);
        byte[] one = HexFormat.of().parseHex(hex);
        byte[] all = new byte[one.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return ch.writeAndFlush(Unpooled.wrappedBuffer(all));
    }

    /** Reads from the socket or stops reading (what arrives meanwhile stays in the kernel's buffers). */
    void reading(boolean read) throws Exception {
        connection.get(10, TimeUnit.SECONDS).config().setAutoRead(read);
    }

    /** Frames received so far are counted, from now on no longer kept for {@link #nextFrame}. */
    void countOnly() {
        keepFrames = false;
    }

    long framesReceived() {
        return framesReceived.get();
    }

    /** Writes one frame with its 2-byte length prefix. */
    void sendFrame(String frameHex) throws Exception {
        int length = frameHex.length() / 2;
        sendRaw(String.format("%04x", length) + frameHex);
    }

    /** The next frame received, as hex, or null when none arrives in time. */
    String nextFrame(Duration timeout) throws InterruptedException {
        byte[] frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return frame == null ? null : HexFormat.of().formatHex(frame);
    }

    /** Whether the connection was closed within {@code timeout}. */
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
        if (serverChannel != null) {
            serverChannel.close();
        }
        connection.thenAccept(Channel::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
