package io.sink.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.inject.Inject;
import javax.net.ssl.SSLSession;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.internal.logging.InternalLoggerFactory;

/**
 * Netty 4.2 and Bouncy Castle inside Felix: they resolve, Netty logs through pax-logging, and a
 * mutual-TLS echo over loopback works with a certificate that Bouncy Castle made.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class NettyBouncyCastleIT {

    /**
     * For a TLS handshake and an echo, and for the event loops to end: no claim on speed, so generous
     * (the first handshake in a fresh framework loads and compiles much of the JSSE on a machine that
     * may be running other test JVMs; Await.TIMEOUT is 20 s for simpler waits).
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return SinkOptions.config(SinkOptions.netty(), SinkOptions.bouncyCastle());
    }

    @Test
    public void everyBundleResolvesAndNettyIsActive() {
        Bundles.requireAllResolved(context);
        for (String bsn : new String[] {"io.netty.common", "io.netty.buffer", "io.netty.resolver",
                "io.netty.transport", "io.netty.transport-native-unix-common", "io.netty.codec-base",
                "io.netty.handler", "bcprov", "bcutil", "bcpkix"}) {
            Bundles.requireActive(context, bsn);
        }
    }

    @Test
    public void nettyLogsThroughPaxLogging() {
        Bundle paxLogging = Bundles.bySymbolicName(context, "org.ops4j.pax.logging.pax-logging-api");
        Bundle common = Bundles.bySymbolicName(context, "io.netty.common");
        assertSame("org.slf4j of netty-common", paxLogging, Bundles.importedFrom(common, "org.slf4j"));
        assertEquals("Slf4JLoggerFactory", InternalLoggerFactory.getDefaultFactory().getClass().getSimpleName());
    }

    @Test
    public void nettyHandlerSeesBouncyCastle() {
        Bundle handler = Bundles.bySymbolicName(context, "io.netty.handler");
        Bundle pkix = Bundles.bySymbolicName(context, "bcpkix");
        assertSame("org.bouncycastle.cert of netty-handler", pkix,
                Bundles.importedFrom(handler, "org.bouncycastle.cert"));
        assertSame(pkix, FrameworkUtil.getBundle(JcaX509v3CertificateBuilder.class));
    }

    @Test
    public void plainEchoOverLoopback() throws Exception {
        assertEquals("ping", echo(null, null, "ping"));
    }

    @Test
    public void mutualTlsEchoWithBouncyCastleCertificate() throws Exception {
        KeyPair keys = ecKeyPair();
        X509Certificate cert = selfSigned(keys, "CN=sink-itest");
        SslContext server = SslContextBuilder.forServer(keys.getPrivate(), cert).sslProvider(SslProvider.JDK)
                .trustManager(cert).clientAuth(ClientAuth.REQUIRE).protocols("TLSv1.3").build();
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).keyManager(keys.getPrivate(), cert)
                .trustManager(cert).protocols("TLSv1.3").build();
        CompletableFuture<SSLSession> serverSession = new CompletableFuture<>();

        assertEquals("hello over TLS", echo(new Tls(server, client), serverSession, "hello over TLS"));

        SSLSession session = serverSession.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("TLSv1.3", session.getProtocol());
        assertEquals(cert, session.getPeerCertificates()[0]);
    }

    private record Tls(SslContext server, SslContext client) {
    }

    /** Sends {@code text} to an echo server on 127.0.0.1 (port 0) and returns what comes back. */
    private static String echo(Tls tls, CompletableFuture<SSLSession> serverSession, String text) throws Exception {
        int expected = text.getBytes(StandardCharsets.UTF_8).length;
        CompletableFuture<String> reply = new CompletableFuture<>();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.server().newHandler(ch.alloc()));
                            }
                            ch.pipeline().addLast("echo", new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    ctx.writeAndFlush(msg);
                                }

                                @Override
                                public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                    if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
                                        serverSession.complete(ctx.pipeline().get(SslHandler.class).engine()
                                                .getSession());
                                    }
                                    ctx.fireUserEventTriggered(evt);
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    reply.completeExceptionally(cause);
                                    ctx.close();
                                }
                            });
                        }
                    }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();

            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (tls != null) {
                                ch.pipeline().addLast("tls", tls.client().newHandler(ch.alloc(), "127.0.0.1", port));
                            }
                            ch.pipeline().addLast("collect", new ChannelInboundHandlerAdapter() {
                                private final StringBuilder received = new StringBuilder();

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    try {
                                        received.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                                    } finally {
                                        ReferenceCountUtil.release(msg);
                                    }
                                    if (received.toString().getBytes(StandardCharsets.UTF_8).length >= expected) {
                                        reply.complete(received.toString());
                                    }
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    reply.completeExceptionally(cause);
                                    ctx.close();
                                }
                            });
                        }
                    }).connect(InetAddress.getLoopbackAddress(), port).sync().channel();
            client.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));

            String answer = reply.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            client.close().sync();
            server.close().sync();
            return answer;
        } finally {
            assertTrue("event loop group terminated",
                    group.shutdownGracefully(0, TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                            .await(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        }
    }

    private static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    /** A self-signed certificate built and signed with Bouncy Castle, read back by the JDK. */
    private static X509Certificate selfSigned(KeyPair keys, String subject) throws Exception {
        X500Name name = new X500Name(subject);
        Instant now = Instant.now();
        X509CertificateHolder holder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic())
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                                new GeneralName(GeneralName.dNSName, "localhost")}))
                .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(new BouncyCastleProvider())
                        .build(keys.getPrivate()));
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(holder.getEncoded()));
        assertNotNull(cert);
        cert.verify(keys.getPublic());
        return cert;
    }
}
