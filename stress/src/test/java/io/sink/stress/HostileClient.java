package io.sink.stress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.PingFrame;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.PublishFrame;
import io.sink.protocol.etf.SensorReading;
import io.sink.protocol.etf.SensorReadingCodec;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hostile client of the chaos test, in the test's JVM: allow-listed clients (their own
 * certificates) that, during a flood window, flood the server from another loopback address
 * ({@code 127.0.0.2}, so the per-address limits they meet are their own, not the honest client's):
 * <ul>
 * <li>one Sink connection (its own client id: a second one of the same client would replace it)
 * that sends PINGs as fast as its socket takes them and never reads (after the CONNECTION_RESPONSE);
 * <li>one Sink connection that sends PUBLISHes of valid sensor readings (key {@code flood}, stored) as
 * fast as its socket takes them, ignoring the window (the server stops reading it at 1,024 unanswered,
 * so it never reaches the 4,095 that would close it; if it is closed, it connects again);
 * <li>garbage TLS handshakes (random bytes, then close) and stalled ones (connect, send nothing,
 * keep open), up to {@code stalled} open at once, on an owned thread.
 * </ul>
 * {@link #stop()} ends a window: it closes every connection and waits for the thread. Counts are
 * kept across windows. One event loop thread, owned; {@link #close()} shuts it down.
 */
final class HostileClient implements AutoCloseable {
    static final String LOCAL_ADDRESS = "127.0.0.2";
    private static final byte[] PING = FrameCodec.encodeWithLengthPrefix(PingFrame.INSTANCE);
    private static final byte[] READING = SensorReadingCodec.encode(new SensorReading(-1, 0));

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("hostile-client"), NioIoHandler.newFactory());
    private final SslContext pingContext;
    private final SslContext publishContext;
    private final int port;
    private final int stalledAtMost;
    private final InstanceId[] instanceIds = {new InstanceId(4242), new InstanceId(4343)};
    private final InstanceId[] serverInstanceIds = new InstanceId[2];
    private volatile boolean running;
    private final List<Channel> sessions = new ArrayList<>();
    private Thread handshakes;

    final AtomicLong sessionsOpened = new AtomicLong();
    final AtomicLong sessionsClosedByServer = new AtomicLong();
    /** Of those, the PUBLISH flood's. */
    final AtomicLong publishSessionsClosedByServer = new AtomicLong();
    final AtomicLong pingsSent = new AtomicLong();
    final AtomicLong publishesSent = new AtomicLong();
    final AtomicLong framesReceived = new AtomicLong();
    final AtomicLong garbageHandshakes = new AtomicLong();
    final AtomicLong stalledOpened = new AtomicLong();
    final AtomicLong stalledClosedByServer = new AtomicLong();
    final AtomicLong connectsFailed = new AtomicLong();
    private final AtomicLong offset = new AtomicLong();
    private final AtomicLong writeFailures = new AtomicLong();
    private volatile String firstWriteFailure;

    /**
     * @param pingContext    TLS of the client id that floods PINGs
     * @param publishContext TLS of the client id that floods PUBLISHes
     */
    HostileClient(SslContext pingContext, SslContext publishContext, int port, int stalledAtMost) {
        this.pingContext = pingContext;
        this.publishContext = publishContext;
        this.port = port;
        this.stalledAtMost = stalledAtMost;
    }

    /** Starts a flood window. */
    synchronized void start(long seed) {
        running = true;
        connect(true);
        connect(false);
        handshakes = new Thread(() -> handshakeFlood(new SplittableRandom(seed)), "hostile-handshakes");
        handshakes.start();
    }

    /** Starts a window of the PUBLISH flood alone (no PING flood, no handshake flood). */
    synchronized void startPublishFlood() {
        running = true;
        connect(false);
    }

    /** Ends the flood window: closes every connection of it. */
    synchronized void stop() throws InterruptedException {
        running = false;
        if (handshakes != null) {
            handshakes.interrupt();
            handshakes.join(TimeUnit.SECONDS.toMillis(30));
            if (handshakes.isAlive()) {
                throw new IllegalStateException("the hostile handshake thread did not stop");
            }
            handshakes = null;
        }
        List<Channel> open;
        synchronized (sessions) {
            open = new ArrayList<>(sessions);
            sessions.clear();
        }
        for (Channel channel : open) {
            channel.close().awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    String stats() {
        return String.format(Locale.ROOT, "%d Sink connections (%d closed by the server, %d of them PUBLISH floods), %,d PINGs and %,d"
                + " PUBLISHes sent, %,d frames received; %,d garbage handshakes, %,d stalled (%,d of them closed by"
                + " the server within the window), %,d connects failed, %,d writes failed (first: %s)",
                sessionsOpened.get(),
                sessionsClosedByServer.get(), publishSessionsClosedByServer.get(), pingsSent.get(), publishesSent.get(), framesReceived.get(),
                garbageHandshakes.get(), stalledOpened.get(), stalledClosedByServer.get(), connectsFailed.get(),
                writeFailures.get(), firstWriteFailure);
    }

    private void connect(boolean pings) {
        if (!running) {
            return;
        }
        new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        SslContext context = pings ? pingContext : publishContext;
                        ch.pipeline().addLast(context.newHandler(ch.alloc(), "localhost", port))
                                .addLast(new LengthFieldBasedFrameDecoder(65_535 + 2, 0, 2, 0, 2))
                                .addLast(new Session(pings));
                    }
                }).connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(LOCAL_ADDRESS, 0))
                .addListener(f -> {
                    if (!f.isSuccess()) {
                        connectsFailed.incrementAndGet();
                        reconnectLater(pings);
                    }
                });
    }

    private void reconnectLater(boolean pings) {
        if (running && !group.isShuttingDown()) {
            group.schedule(() -> connect(pings), 100, TimeUnit.MILLISECONDS);
        }
    }

    private final class Session extends ChannelInboundHandlerAdapter {
        private final boolean pings;
        private boolean flooding;
        private boolean burstScheduled;

        Session(boolean pings) {
            this.pings = pings;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            synchronized (sessions) {
                if (!running) {
                    ctx.close();
                    return;
                }
                sessions.add(ctx.channel());
            }
            ctx.fireChannelActive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent e && e.isSuccess()) {
                sessionsOpened.incrementAndGet();
                int who = pings ? 0 : 1;
                InstanceId server;
                synchronized (serverInstanceIds) {
                    server = serverInstanceIds[who];
                }
                ConnectionRequestFrame request = server == null ? ConnectionRequestFrame.of("1.0.0", instanceIds[who])
                        : ConnectionRequestFrame.of("1.0.0", instanceIds[who], server);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(FrameCodec.encodeWithLengthPrefix(request)));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                framesReceived.incrementAndGet();
                if (!flooding) {
                    flooding = true;
                    try {
                        Frame frame = FrameCodec.decode(ByteBufUtil.getBytes((ByteBuf) msg));
                        if (frame instanceof ConnectionResponseFrame response) {
                            response.serverInstanceId().ifPresent(id -> {
                                synchronized (serverInstanceIds) {
                                    serverInstanceIds[pings ? 0 : 1] = id;
                                }
                            });
                        }
                    } catch (ProtocolException e) {
                        // a hostile client does not care
                    }
                    if (pings) {
                        ctx.channel().config().setAutoRead(false); // never reads again
                    }
                    scheduleBurst(ctx); // not from within the TLS handler's unwrap
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            if (flooding && ctx.channel().isWritable()) {
                scheduleBurst(ctx);
            }
        }

        /**
         * Writes one burst of up to 256 frames while the channel takes them, flushes it, and schedules
         * the next burst. Not {@code execute}: a task that submits itself again runs over and over in the
         * same turn of the event loop (Netty 4.2 runs the task queue for up to a whole quantum, new tasks
         * included), so neither this connection's nor the other connections' input and writability
         * events would be handled meanwhile; the PUBLISH connection, sharing the loop with the PING
         * flood, then went silent and the server closed it for sending nothing. A scheduled task waits
         * for the next turn, after the I/O.
         */
        private void pump(ChannelHandlerContext ctx) {
            burstScheduled = false;
            int n = 0;
            while (running && ctx.channel().isActive() && ctx.channel().isWritable() && n++ < 256) {
                ByteBuf frame;
                if (pings) {
                    frame = Unpooled.wrappedBuffer(PING);
                    pingsSent.incrementAndGet();
                } else {
                    long o = offset.incrementAndGet();
                    Event event = Event.of(SensorReadingCodec.EVENT_TYPE_ID, SensorReadingCodec.SCHEMA_VERSION,
                            "flood", o, 1_700_000_000L, READING);
                    frame = Unpooled.wrappedBuffer(FrameCodec.encodeWithLengthPrefix(
                            PublishFrame.of((int) (o & 0xFFF), event)));
                    publishesSent.incrementAndGet();
                }
                ctx.write(frame).addListener(f -> {
                    if (!f.isSuccess() && writeFailures.getAndIncrement() == 0) {
                        firstWriteFailure = String.valueOf(f.cause());
                    }
                });
            }
            ctx.flush();
            if (ctx.channel().isWritable()) {
                scheduleBurst(ctx);
            } // else channelWritabilityChanged resumes the flood
        }

        private void scheduleBurst(ChannelHandlerContext ctx) {
            if (!burstScheduled && running && ctx.channel().isActive()) {
                burstScheduled = true;
                ctx.executor().schedule(() -> pump(ctx), 0, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            synchronized (sessions) {
                sessions.remove(ctx.channel());
            }
            if (running) {
                sessionsClosedByServer.incrementAndGet();
                if (!pings) {
                    publishSessionsClosedByServer.incrementAndGet();
                }
                reconnectLater(pings);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a reset by the server, typically
        }
    }

    /** Garbage and stalled TLS handshakes from {@link #LOCAL_ADDRESS}, one every 10 ms, until stopped. */
    private void handshakeFlood(SplittableRandom random) {
        List<Socket> stalled = new ArrayList<>();
        try {
            while (running && !Thread.currentThread().isInterrupted()) {
                Socket socket = new Socket();
                try {
                    socket.bind(new InetSocketAddress(LOCAL_ADDRESS, 0));
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                    if (stalled.size() < stalledAtMost && random.nextBoolean()) {
                        stalled.add(socket);
                        stalledOpened.incrementAndGet();
                    } else {
                        byte[] garbage = new byte[1 + random.nextInt(300)];
                        random.nextBytes(garbage);
                        socket.getOutputStream().write(garbage);
                        garbageHandshakes.incrementAndGet();
                        socket.close();
                    }
                } catch (IOException e) {
                    connectsFailed.incrementAndGet();
                    closeQuietly(socket);
                }
                try {
                    TimeUnit.MILLISECONDS.sleep(10); // the flood's rate: 100 connects a second at most
                } catch (InterruptedException e) {
                    break;
                }
            }
        } finally {
            for (Socket socket : stalled) {
                if (closedByServer(socket)) {
                    stalledClosedByServer.incrementAndGet();
                }
                closeQuietly(socket);
            }
        }
    }

    private static boolean closedByServer(Socket socket) {
        try {
            socket.setSoTimeout(1);
            InputStream in = socket.getInputStream();
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        running = false;
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
