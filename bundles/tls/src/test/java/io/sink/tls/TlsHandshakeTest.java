package io.sink.tls;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.concurrent.Future;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real TLS handshakes between Netty servers and clients on the loopback interface. */
class TlsHandshakeTest {

    private static final long TIMEOUT_SECONDS = 20;

    @TempDir
    static Path dir;

    private static EventLoopGroup group;
    private static DevCertificateAuthority authority;
    private static SslContext serverContext;
    private static SslContext clientContext;
    private static X509Certificate clientCertificate;

    @BeforeAll
    static void setUp() throws Exception {
        DevCertificates.ensure(dir, List.of("example-client"));
        authority = DevCertificates.authority(dir);
        serverContext = SslContexts.forServer(DevCertificates.serverConfig(dir));
        clientContext = SslContexts.forClient(DevCertificates.clientConfig(dir, "example-client"));
        clientCertificate = PemFiles.readCertificates(DevCertificates.clientCertificate(dir, "example-client")).get(0);
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void tearDown() {
        if (group != null) {
            assertThat(group.shutdownGracefully(0, 1, SECONDS).awaitUninterruptibly(TIMEOUT_SECONDS, SECONDS)).isTrue();
        }
    }

    @Test
    void mutualAuthenticationByHostName() throws Exception {
        try (TestServer server = new TestServer(serverContext)) {
            Connection client = connect(clientContext, "localhost", server.port());
            Connection accepted = server.nextAccepted();

            assertSucceeded(await(client.handshake()));
            assertSucceeded(await(accepted.handshake()));

            SSLSession serverSession = accepted.session();
            X509Certificate seen = Certificates.peerCertificate(serverSession).orElseThrow();
            assertThat(seen).isEqualTo(clientCertificate);
            assertThat(Certificates.sha256Fingerprint(seen)).isEqualTo(Certificates.sha256Fingerprint(clientCertificate));
            assertThat(Certificates.subject(seen)).isEqualTo("CN=example-client");
            assertThat(serverSession.getProtocol()).isEqualTo("TLSv1.3");
            assertThat(SslContexts.CIPHER_SUITES).contains(serverSession.getCipherSuite());
            assertThat(Certificates.subject(Certificates.peerCertificate(client.session()).orElseThrow()))
                    .isEqualTo("CN=localhost");
            close(client);
        }
    }

    @Test
    void mutualAuthenticationByIpAddress() throws Exception {
        try (TestServer server = new TestServer(serverContext)) {
            Connection client = connect(clientContext, "127.0.0.1", server.port());
            Connection accepted = server.nextAccepted();

            assertSucceeded(await(client.handshake()));
            assertSucceeded(await(accepted.handshake()));
            assertThat(Certificates.peerCertificate(accepted.session())).contains(clientCertificate);
            close(client);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theServerTakesTheClientsPreferredCipherSuite(boolean aesGcmCompiled) throws Exception {
        TlsCredentials credentials = TlsCredentials.load(DevCertificates.clientConfig(dir, "example-client"));
        SslContext context = SslContexts.forClient(credentials, aesGcmCompiled);
        try (TestServer server = new TestServer(serverContext)) {
            Connection client = connect(context, "localhost", server.port());
            Connection accepted = server.nextAccepted();

            assertSucceeded(await(accepted.handshake()));
            // without C2 (bin/sink's client) AES-GCM runs as plain Java, ChaCha20-Poly1305 about 4x faster
            assertThat(accepted.session().getCipherSuite())
                    .isEqualTo(aesGcmCompiled ? "TLS_AES_128_GCM_SHA256" : "TLS_CHACHA20_POLY1305_SHA256");
            close(client);
        }
    }

    @Test
    void tls12IsAccepted() throws Exception {
        TlsCredentials credentials = TlsCredentials.load(DevCertificates.clientConfig(dir, "example-client"));
        SslContext tls12Only = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).protocols("TLSv1.2")
                .keyManager(credentials.privateKey(), credentials.certificateChain())
                .trustManager(credentials.trustedCertificates()).endpointIdentificationAlgorithm("HTTPS").build();
        try (TestServer server = new TestServer(serverContext)) {
            Connection client = connect(tls12Only, "localhost", server.port());
            Connection accepted = server.nextAccepted();

            assertSucceeded(await(client.handshake()));
            assertSucceeded(await(accepted.handshake()));
            assertThat(accepted.session().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(accepted.session().getCipherSuite()).startsWith("TLS_ECDHE_ECDSA_WITH_");
            assertThat(Certificates.peerCertificate(accepted.session())).contains(clientCertificate);
            close(client);
        }
    }

    @Test
    void manyDistinctClientsSharingOneKeyAreEachIdentified() throws Exception {
        KeyPair keyPair = DevCertificateAuthority.newKeyPair();
        try (TestServer server = new TestServer(serverContext)) {
            for (int i = 0; i < 5; i++) {
                IssuedCertificate issued = authority.issueClient("load-" + i, keyPair);
                SslContext context = SslContexts.forClient(issued.credentials(List.of(authority.certificate())));
                Connection client = connect(context, "localhost", server.port());
                Connection accepted = server.nextAccepted();

                assertSucceeded(await(accepted.handshake()));
                assertThat(Certificates.peerCertificate(accepted.session())).contains(issued.certificate());
                close(client);
            }
        }
    }

    @Test
    void clientWithoutCertificateIsRefused() throws Exception {
        SslContext anonymous = SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .protocols(SslContexts.PROTOCOLS).trustManager(authority.certificate())
                .endpointIdentificationAlgorithm("HTTPS").build();
        try (TestServer server = new TestServer(serverContext)) {
            Connection client = connect(anonymous, "localhost", server.port());
            Connection accepted = server.nextAccepted();

            assertFailedWith(await(accepted.handshake()), SSLHandshakeException.class);
            assertThat(Certificates.peerCertificate(accepted.session())).isEmpty();
            // TLS 1.3: the client may think its handshake done; the server's alert then closes it.
            assertClosed(client);
        }
    }

    @Test
    void clientCertificateFromAnotherCaIsRefused() throws Exception {
        DevCertificateAuthority stranger = DevCertificateAuthority.generate("Untrusted CA");
        IssuedCertificate mallory = stranger.issueClient("example-client");
        SslContext context = SslContexts.forClient(mallory.credentials(List.of(authority.certificate())));
        try (TestServer server = new TestServer(serverContext)) {
            Connection client = connect(context, "localhost", server.port());
            Connection accepted = server.nextAccepted();

            assertFailedWith(await(accepted.handshake()), SSLHandshakeException.class);
            assertClosed(client);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "localhost"})
    void serverCertificateNotNamingTheDialedHostIsRefused(String host) throws Exception {
        IssuedCertificate other = authority.issueServer("otherhost", List.of("otherhost"), List.of());
        SslContext otherServer = SslContexts.forServer(other.credentials(List.of(authority.certificate())));
        try (TestServer server = new TestServer(otherServer)) {
            Connection client = connect(clientContext, host, server.port());
            Connection accepted = server.nextAccepted();

            Throwable failure = assertFailedWith(await(client.handshake()), SSLHandshakeException.class);
            assertThat(rootCause(failure)).hasMessageContaining(host);
            assertFailedWith(await(accepted.handshake()), SSLHandshakeException.class);
            assertClosed(client);
        }
    }

    @Test
    void theSameServerCertificateIsAcceptedForTheHostItNames() throws Exception {
        // The control for the test above: only the name given to newHandler differs.
        IssuedCertificate other = authority.issueServer("otherhost", List.of("otherhost"), List.of());
        SslContext otherServer = SslContexts.forServer(other.credentials(List.of(authority.certificate())));
        try (TestServer server = new TestServer(otherServer)) {
            Connection client = connect(clientContext, "otherhost", server.port());
            Connection accepted = server.nextAccepted();

            assertSucceeded(await(client.handshake()));
            assertSucceeded(await(accepted.handshake()));
            close(client);
        }
    }

    @Test
    void serverCertificateFromAnotherCaIsRefused() throws Exception {
        DevCertificateAuthority stranger = DevCertificateAuthority.generate("Untrusted CA");
        IssuedCertificate impostor = stranger.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
        SslContext impostorServer = SslContexts.forServer(impostor.credentials(List.of(authority.certificate())));
        try (TestServer server = new TestServer(impostorServer)) {
            Connection client = connect(clientContext, "localhost", server.port());
            Connection accepted = server.nextAccepted();

            assertFailedWith(await(client.handshake()), SSLHandshakeException.class);
            assertFailedWith(await(accepted.handshake()), SSLHandshakeException.class);
        }
    }

    @Test
    void tls11IsNotNegotiable() throws Exception {
        try (TestServer server = new TestServer(serverContext); Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), (int) SECONDS.toMillis(TIMEOUT_SECONDS));
            socket.setSoTimeout((int) SECONDS.toMillis(TIMEOUT_SECONDS));
            socket.getOutputStream().write(tls11ClientHello());
            socket.getOutputStream().flush();

            byte[] reply = readUpTo(socket.getInputStream(), 7);
            Connection accepted = server.nextAccepted();

            // A fatal protocol_version alert: record type 21, level 2, description 70.
            assertThat(reply).hasSize(7);
            assertThat(reply[0]).isEqualTo((byte) 21);
            assertThat(reply[5]).isEqualTo((byte) 2);
            assertThat(reply[6]).isEqualTo((byte) 70);
            assertFailedWith(await(accepted.handshake()), SSLHandshakeException.class);
        }
    }

    // ---- plumbing ----

    /** A TLS server on 127.0.0.1 and an ephemeral port; hands over each accepted connection's SslHandler. */
    private static final class TestServer implements AutoCloseable {
        private final BlockingQueue<Connection> accepted = new LinkedBlockingQueue<>();
        private final Channel channel;

        TestServer(SslContext context) throws InterruptedException {
            ChannelFuture bound = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            SslHandler tls = context.newHandler(ch.alloc());
                            ch.pipeline().addLast("tls", tls).addLast("failures", new CloseOnFailure());
                            accepted.add(new Connection(ch, tls));
                        }
                    })
                    .bind("127.0.0.1", 0);
            assertSucceeded(await(bound));
            channel = bound.channel();
        }

        int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        Connection nextAccepted() throws InterruptedException {
            Connection handler = accepted.poll(TIMEOUT_SECONDS, SECONDS);
            assertThat(handler).as("a connection accepted within %d s", TIMEOUT_SECONDS).isNotNull();
            return handler;
        }

        @Override
        public void close() {
            assertThat(channel.close().awaitUninterruptibly(TIMEOUT_SECONDS, SECONDS)).isTrue();
        }
    }

    /** Handshake failures end here instead of being logged as unhandled by the pipeline's tail. */
    private static final class CloseOnFailure extends ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** A channel and its TLS handler (kept: a closed channel's pipeline loses its handlers). */
    private record Connection(Channel channel, SslHandler tls) {
        Future<Channel> handshake() {
            return tls.handshakeFuture();
        }

        SSLSession session() {
            return tls.engine().getSession();
        }
    }

    /** Connects to 127.0.0.1:port, telling the client's TLS that the server is {@code host}. */
    private static Connection connect(SslContext context, String host, int port) throws InterruptedException {
        ChannelFuture connected = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("tls", context.newHandler(ch.alloc(), host, port))
                                .addLast("failures", new CloseOnFailure());
                    }
                })
                .connect("127.0.0.1", port);
        assertSucceeded(await(connected));
        return new Connection(connected.channel(), connected.channel().pipeline().get(SslHandler.class));
    }

    private static <F extends Future<?>> F await(F future) throws InterruptedException {
        assertThat(future.await(TIMEOUT_SECONDS, SECONDS)).as("completed within %d s", TIMEOUT_SECONDS).isTrue();
        return future;
    }

    private static void assertSucceeded(Future<?> future) {
        if (!future.isSuccess()) {
            throw new AssertionError("expected success, failed with " + future.cause(), future.cause());
        }
    }

    private static Throwable assertFailedWith(Future<?> future, Class<? extends Throwable> type) {
        assertThat(future.isSuccess()).as("expected a failure").isFalse();
        assertThat(future.cause()).isInstanceOf(type);
        return future.cause();
    }

    private static void assertClosed(Connection connection) throws InterruptedException {
        assertThat(connection.channel().closeFuture().await(TIMEOUT_SECONDS, SECONDS))
                .as("closed within %d s", TIMEOUT_SECONDS).isTrue();
    }

    private static void close(Connection connection) throws InterruptedException {
        assertThat(connection.channel().close().await(TIMEOUT_SECONDS, SECONDS)).isTrue();
    }

    private static Throwable rootCause(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static byte[] readUpTo(InputStream in, int count) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (out.size() < count) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            out.write(b);
        }
        return out.toByteArray();
    }

    /** A ClientHello offering only TLS 1.1 (no supported_versions extension) with CBC suites. */
    private static byte[] tls11ClientHello() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(3);
        body.write(2); // client_version TLS 1.1
        body.writeBytes(new byte[32]); // random
        body.write(0); // no session id
        byte[] suites = {(byte) 0xc0, 0x09, (byte) 0xc0, 0x0a, (byte) 0xc0, 0x13, (byte) 0xc0, 0x14, 0x00, 0x2f, 0x00, 0x35};
        body.write(0);
        body.write(suites.length);
        body.writeBytes(suites);
        body.write(1);
        body.write(0); // compression: null
        byte[] extensions = {
            0x00, 0x0a, 0x00, 0x04, 0x00, 0x02, 0x00, 0x17, // supported_groups: secp256r1
            0x00, 0x0b, 0x00, 0x02, 0x01, 0x00 // ec_point_formats: uncompressed
        };
        body.write(0);
        body.write(extensions.length);
        body.writeBytes(extensions);
        byte[] hello = body.toByteArray();
        ByteArrayOutputStream record = new ByteArrayOutputStream();
        record.writeBytes(new byte[] {0x16, 0x03, 0x02}); // handshake record, TLS 1.1
        int handshakeLength = hello.length + 4;
        record.write(handshakeLength >> 8);
        record.write(handshakeLength & 0xff);
        record.write(1); // client_hello
        record.write(0);
        record.write(hello.length >> 8);
        record.write(hello.length & 0xff);
        record.writeBytes(hello);
        return record.toByteArray();
    }
}
