package io.sink.stress;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
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
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.sink.api.ConnectionResponse;
import io.sink.api.Event;
import io.sink.api.InstanceId;
import io.sink.protocol.AckFrame;
import io.sink.protocol.ConnectionRequestFrame;
import io.sink.protocol.ConnectionResponseFrame;
import io.sink.protocol.Frame;
import io.sink.protocol.FrameCodec;
import io.sink.protocol.NackFrame;
import io.sink.protocol.PingFrame;
import io.sink.protocol.PongFrame;
import io.sink.protocol.ProtocolException;
import io.sink.protocol.PublishFrame;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Thousands of light Sink clients in one JVM, for load tests: one shared Netty event loop group and
 * one JDK {@link SSLContext} whose key manager presents each connection's own certificate (all
 * certificates share one key pair, each has its own subject and fingerprint). Each client does the
 * TLS handshake and the Sink handshake (CONNECTION_REQUEST, {@code hello_new_client}), then
 * publishes one event per period and counts the ACKs. Much lighter than a
 * {@code SinkClientEngine} per client, which owns an event loop thread and a store thread.
 *
 * <p>Threading: each connection's state lives on its channel's event loop; counters are atomic.
 */
final class LoadClients implements AutoCloseable {
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    private static final int LATENCY_BUCKETS = 12; // <1, <2, <4, ... ms, the last open-ended

    private final EventLoopGroup group;
    private final SSLContext tls;
    private final PerConnectionKeyManager keys;
    private final int port;
    private final Duration period;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger disconnects = new AtomicInteger();
    private final AtomicLong published = new AtomicLong();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong nacked = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private final AtomicLong latencyMaxNanos = new AtomicLong();
    private final AtomicLongArray latency = new AtomicLongArray(LATENCY_BUCKETS);
    final List<String> problems = new CopyOnWriteArrayList<>();
    private final Map<Integer, Client> clients = new ConcurrentHashMap<>();
    private volatile boolean publishing = true;
    private volatile boolean closing;

    /**
     * @param certificates each client's certificate, by client index
     * @param key          the private key all the certificates are for
     * @param ca           the CA that issued the server's certificate
     * @param period       how often each client publishes (or, once publishing stopped, PINGs)
     */
    LoadClients(X509Certificate[] certificates, PrivateKey key, X509Certificate ca, int port, int ioThreads,
            Duration period) throws Exception {
        this.port = port;
        this.period = period;
        this.keys = new PerConnectionKeyManager(certificates, key);
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        this.tls = SSLContext.getInstance("TLS");
        tls.init(new KeyManager[] {keys}, trustManagers.getTrustManagers(), null);
        this.group = new MultiThreadIoEventLoopGroup(ioThreads, new DefaultThreadFactory("load-clients"),
                NioIoHandler.newFactory());
    }

    /**
     * Connects every client, at most {@code concurrent} handshakes (TLS and Sink) in progress at once.
     * Returns when all are connected or have failed, or after {@code timeout}.
     *
     * @return the seconds from the first connect to the last answer
     */
    double connectAll(int concurrent, Duration timeout) throws InterruptedException {
        Semaphore inProgress = new Semaphore(concurrent);
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        for (int i = 0; i < keys.count(); i++) {
            if (!inProgress.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                problems.add("connecting timed out after " + i + " clients");
                break;
            }
            connect(i, inProgress);
        }
        inProgress.tryAcquire(concurrent, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        return (System.nanoTime() - start) / 1e9;
    }

    private void connect(int index, Semaphore inProgress) {
        Client client = new Client(index, inProgress);
        clients.put(index, client);
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // The peer port given here is only the key of the client session cache: one per client,
                        // so that no client resumes another client's TLS session (and identity).
                        SSLEngine engine = tls.createSSLEngine("127.0.0.1", 1 + index % 65_535);
                        engine.setUseClientMode(true);
                        SSLParameters parameters = engine.getSSLParameters();
                        parameters.setEndpointIdentificationAlgorithm("HTTPS");
                        parameters.setProtocols(PROTOCOLS.toArray(String[]::new));
                        engine.setSSLParameters(parameters);
                        keys.bind(engine, index);
                        SslHandler ssl = new SslHandler(engine);
                        ssl.setHandshakeTimeoutMillis(60_000);
                        ch.pipeline().addLast("tls", ssl)
                                .addLast("frames", new LengthFieldBasedFrameDecoder(65_537, 0, 2, 0, 2))
                                .addLast("client", client);
                    }
                }).connect("127.0.0.1", port).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        client.failed("cannot connect: " + f.cause());
                    }
                });
    }

    /** Stops publishing; from now on the clients only PING once per period. */
    void stopPublishing() {
        publishing = false;
    }

    int connected() {
        return connected.get();
    }

    int disconnects() {
        return disconnects.get();
    }

    long published() {
        return published.get();
    }

    long acked() {
        return acked.get();
    }

    long nacked() {
        return nacked.get();
    }

    /** Periods in which a client had its previous event still unanswered and skipped publishing. */
    long skipped() {
        return skipped.get();
    }

    /** The publish-to-ACK latency below which {@code fraction} of the ACKs came, in ms (a power of 2). */
    long latencyPercentileMillis(double fraction) {
        long total = 0;
        for (int i = 0; i < LATENCY_BUCKETS; i++) {
            total += latency.get(i);
        }
        long seen = 0;
        for (int i = 0; i < LATENCY_BUCKETS; i++) {
            seen += latency.get(i);
            if (seen >= fraction * total) {
                return 1L << i;
            }
        }
        return 1L << LATENCY_BUCKETS;
    }

    long latencyMaxMillis() {
        return TimeUnit.NANOSECONDS.toMillis(latencyMaxNanos.get());
    }

    /** The publish-to-ACK latencies so far, as text; then starts counting afresh. */
    String takeLatency() {
        String text = String.format("50%% under %d ms, 99%% under %d ms, max %d ms (%,d ACKs)",
                latencyPercentileMillis(0.5), latencyPercentileMillis(0.99), latencyMaxMillis(), latencyCount());
        for (int i = 0; i < LATENCY_BUCKETS; i++) {
            latency.set(i, 0);
        }
        latencyMaxNanos.set(0);
        return text;
    }

    private long latencyCount() {
        long total = 0;
        for (int i = 0; i < LATENCY_BUCKETS; i++) {
            total += latency.get(i);
        }
        return total;
    }

    @Override
    public void close() {
        closing = true;
        for (Client client : clients.values()) {
            if (client.channel != null) {
                client.channel.close();
            }
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(60, TimeUnit.SECONDS);
    }

    private void problem(String text) {
        if (problems.size() < 50) {
            problems.add(text);
        }
    }

    /** One client connection; its fields are used on its event loop only. */
    private final class Client extends ChannelInboundHandlerAdapter {
        private final int index;
        private final String key;
        private final Semaphore inProgress;
        private final IntObjectHashMap<Long> inFlight = new IntObjectHashMap<>(4);
        private Channel channel;
        private boolean released;
        private boolean up;
        private int nextId = ThreadLocalRandom.current().nextInt(4096);
        private long offset;
        private ScheduledFuture<?> ticker;

        Client(int index, Semaphore inProgress) {
            this.index = index;
            this.key = "client-" + index;
            this.inProgress = inProgress;
        }

        private void release() {
            if (!released) {
                released = true;
                inProgress.release();
            }
        }

        void failed(String why) {
            problem("client " + index + ": " + why);
            release();
        }

        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            channel = ctx.channel();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                keys.unbind(index); // the certificate has been chosen (or the handshake failed)
                if (handshake.isSuccess()) {
                    send(ConnectionRequestFrame.of("1.0.0", new InstanceId(index + 1L)));
                } else {
                    failed("TLS handshake failed: " + handshake.cause());
                    ctx.close();
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            Frame frame;
            try {
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                frame = FrameCodec.decode(bytes);
            } catch (ProtocolException e) {
                failed("malformed frame from the server: " + e.getMessage());
                ctx.close();
                return;
            } finally {
                buf.release();
            }
            if (frame instanceof ConnectionResponseFrame response) {
                if (response.response() == ConnectionResponse.HELLO_NEW_CLIENT
                        || response.response() == ConnectionResponse.CONNECTED) {
                    up = true;
                    connected.incrementAndGet();
                    release();
                    long periodNanos = period.toNanos();
                    ticker = ctx.executor().scheduleAtFixedRate(this::tick,
                            ThreadLocalRandom.current().nextLong(periodNanos), periodNanos, TimeUnit.NANOSECONDS);
                } else {
                    failed("refused: " + response.response().protocolName());
                    ctx.close();
                }
            } else if (frame instanceof AckFrame ack) {
                settled(ack.messageId());
                acked.incrementAndGet();
            } else if (frame instanceof NackFrame nack) {
                settled(nack.messageId());
                nacked.incrementAndGet();
            } else if (frame instanceof PingFrame) {
                send(PongFrame.INSTANCE);
            } else if (frame instanceof PublishFrame publish) {
                send(new AckFrame(publish.messageId()));
            }
        }

        private void settled(int messageId) {
            Long sentAt = inFlight.remove(messageId);
            if (sentAt == null) {
                problem("client " + index + ": answer for message id " + messageId + " not in flight");
                return;
            }
            long nanos = System.nanoTime() - sentAt;
            latencyMaxNanos.accumulateAndGet(nanos, Math::max);
            long millis = TimeUnit.NANOSECONDS.toMillis(nanos);
            int bucket = millis == 0 ? 0 : Math.min(LATENCY_BUCKETS - 1, 64 - Long.numberOfLeadingZeros(millis));
            latency.incrementAndGet(bucket);
        }

        private void tick() {
            if (!publishing) {
                send(PingFrame.INSTANCE); // an idle client PINGs, or the server's keepalive closes it
                return;
            }
            if (inFlight.containsKey(nextId) || inFlight.size() > 16) {
                skipped.incrementAndGet();
                return;
            }
            int id = nextId;
            nextId = (nextId + 1) & 0xfff;
            offset++;
            byte[] data = new byte[16];
            Arrays.fill(data, (byte) index);
            inFlight.put(id, Long.valueOf(System.nanoTime()));
            published.incrementAndGet();
            send(PublishFrame.of(id, Event.of(1, 1, key, offset, System.currentTimeMillis() / 1000, data)));
        }

        private void send(Frame frame) {
            channel.writeAndFlush(Unpooled.wrappedBuffer(FrameCodec.encodeWithLengthPrefix(frame)),
                    channel.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!closing) {
                problem("client " + index + ": " + cause);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (ticker != null) {
                ticker.cancel(false);
            }
            keys.unbind(index);
            if (up) {
                connected.decrementAndGet();
                if (!closing) {
                    disconnects.incrementAndGet();
                    problem("client " + index + ": connection lost");
                }
            } else if (!released) {
                failed("closed before the handshake completed");
            }
            release();
        }
    }

    /**
     * Presents, on each SSLEngine, the certificate of the client it was bound to. One SSLContext for all
     * the clients instead of one each, which would cost far more memory.
     */
    private static final class PerConnectionKeyManager extends X509ExtendedKeyManager {
        private final X509Certificate[] certificates;
        private final PrivateKey key;
        private final String keyType;
        private final Map<SSLEngine, Integer> engines = new ConcurrentHashMap<>();
        private final Map<Integer, SSLEngine> byClient = new ConcurrentHashMap<>();

        PerConnectionKeyManager(X509Certificate[] certificates, PrivateKey key) {
            this.certificates = certificates.clone();
            this.key = key;
            this.keyType = key.getAlgorithm();
        }

        int count() {
            return certificates.length;
        }

        void bind(SSLEngine engine, int client) {
            engines.put(engine, client);
            byClient.put(client, engine);
        }

        void unbind(int client) {
            SSLEngine engine = byClient.remove(client);
            if (engine != null) {
                engines.remove(engine);
            }
        }

        @Override
        public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
            Integer client = engines.get(engine);
            if (client == null || !Arrays.asList(keyTypes).contains(keyType)) {
                return null;
            }
            return Integer.toString(client);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {certificates[Integer.parseInt(alias)]};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return key;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
