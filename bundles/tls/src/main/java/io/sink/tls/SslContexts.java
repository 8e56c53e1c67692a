package io.sink.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.DelegatingSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;

/**
 * Netty {@link SslContext}s for Sink's mutual TLS, on the JDK's TLS implementation (no native
 * OpenSSL): TLS 1.3 and 1.2 only, forward-secret AEAD cipher suites only, peer certificates
 * checked against the configured CA bundle alone (never the JDK's default trust store).
 *
 * <h2>How a transport uses them</h2>
 * Build the context once (per configuration) and create one {@code SslHandler} per channel, as
 * the first handler of the pipeline:
 * <pre>{@code
 * // server: in the ServerBootstrap's childHandler
 * ch.pipeline().addLast("tls", serverContext.newHandler(ch.alloc()));
 *
 * // client: in the Bootstrap's handler; host is what the user configured (a DNS name or an
 * // IP literal), port the server's port. The host is checked against the server certificate's
 * // subject alternative names (DNS or IP), and sent as SNI when it is a name.
 * ch.pipeline().addLast("tls", clientContext.newHandler(ch.alloc(), host, port));
 * }</pre>
 * A client handler made with {@code newHandler(alloc)} (no host) skips the host name check: never
 * do that. Wait for {@code sslHandler.handshakeFuture()} before sending Sink frames. On the
 * server, the client's identity is then
 * {@code Certificates.peerCertificate(sslHandler.engine().getSession())}.
 *
 * <p>With TLS 1.3 the client's handshake completes before the server has checked the client's
 * certificate; a refused client learns it from an alert and the connection closing just after.
 * Only the server's handshake result decides whether a client is authenticated.
 */
public final class SslContexts {

    /** The only protocol versions offered or accepted, preferred first. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * The cipher suites accepted, in the order a client offers them when its JVM runs AES-GCM on the
     * CPU's AES instructions (see {@link #clientCipherSuites(boolean)}; those the running JDK lacks
     * are dropped). The server takes the client's order. TLS 1.2 suites are ECDHE with AES-GCM or
     * ChaCha20-Poly1305 only, which the Elixir (Erlang/OTP) side supports too.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** The endpoint identification algorithm clients use: RFC 2818/6125 host (DNS or IP) checks. */
    public static final String ENDPOINT_IDENTIFICATION = "HTTPS";

    /**
     * The type of the in-memory key store Netty puts the key and certificates into to make its key
     * and trust managers. It never leaves memory and protects nothing: with the default (PKCS12) the
     * JDK encrypts the key into it with PBKDF2 (10,000 HMAC-SHA256 iterations) and derives the key
     * again to read it back, which cost a client start about a tenth of a second; a JKS store holds
     * the same entries without that work. The key and trust managers, and so the handshake, are the
     * same.
     */
    static final String KEY_STORE_TYPE = "JKS";

    private SslContexts() {
    }

    /** A server context from files; see {@link #forServer(TlsCredentials)}. */
    public static SslContext forServer(TlsConfig config) throws TlsFileException, SSLException {
        return forServer(TlsCredentials.load(config));
    }

    /**
     * A server context: presents {@code credentials}' chain, requires a client certificate
     * ({@link ClientAuth#REQUIRE}) issued by one of {@code credentials}' trusted certificates.
     */
    public static SslContext forServer(TlsCredentials credentials) throws SSLException {
        SslContext jdk = SslContextBuilder.forServer(credentials.privateKey(), credentials.certificateChain())
                .keyStoreType(KEY_STORE_TYPE)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(credentials.trustedCertificates())
                .build();
        return new ClientCipherOrder(jdk);
    }

    /**
     * A server context whose engines take the client's order of preference among the cipher suites
     * both accept (the JDK's server takes its own by default): every suite accepted is AEAD and
     * forward secret, and the client knows which one its CPU and JVM run fastest (see
     * {@link #clientCipherSuites(boolean)}).
     */
    private static final class ClientCipherOrder extends DelegatingSslContext {

        ClientCipherOrder(SslContext context) {
            super(context);
        }

        @Override
        protected void initEngine(SSLEngine engine) {
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setUseCipherSuitesOrder(false);
            engine.setSSLParameters(parameters);
        }
    }

    /** A client context from files; see {@link #forClient(TlsCredentials)}. */
    public static SslContext forClient(TlsConfig config) throws TlsFileException, SSLException {
        return forClient(TlsCredentials.load(config));
    }

    /**
     * A client context: presents {@code credentials}' chain, accepts a server certificate issued by
     * one of {@code credentials}' trusted certificates whose subject alternative names match the
     * host given to {@code newHandler(alloc, host, port)}.
     */
    public static SslContext forClient(TlsCredentials credentials) throws SSLException {
        return forClient(credentials, aesGcmCompiled(ManagementFactory.getRuntimeMXBean().getInputArguments()));
    }

    /** A client context offering {@link #clientCipherSuites(boolean) clientCipherSuites(aesGcmCompiled)}. */
    static SslContext forClient(TlsCredentials credentials, boolean aesGcmCompiled) throws SSLException {
        return SslContextBuilder.forClient()
                .keyStoreType(KEY_STORE_TYPE)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(clientCipherSuites(aesGcmCompiled), SupportedCipherSuiteFilter.INSTANCE)
                .keyManager(credentials.privateKey(), credentials.certificateChain())
                .trustManager(credentials.trustedCertificates())
                .endpointIdentificationAlgorithm(ENDPOINT_IDENTIFICATION)
                .build();
    }

    /**
     * The cipher suites a client offers, preferred first: {@link #CIPHER_SUITES} when AES-GCM runs on
     * the CPU's AES instructions, otherwise the same with the ChaCha20-Poly1305 suites first.
     */
    static List<String> clientCipherSuites(boolean aesGcmCompiled) {
        if (aesGcmCompiled) {
            return CIPHER_SUITES;
        }
        List<String> chachaFirst = new ArrayList<>(CIPHER_SUITES.size());
        CIPHER_SUITES.stream().filter(s -> s.contains("CHACHA20")).forEach(chachaFirst::add);
        CIPHER_SUITES.stream().filter(s -> !s.contains("CHACHA20")).forEach(chachaFirst::add);
        return List.copyOf(chachaFirst);
    }

    /**
     * Whether a JVM started with these arguments ({@code RuntimeMXBean.getInputArguments()}, the last
     * of a flag counting) runs AES-GCM on the CPU's AES instructions. HotSpot's AES and GHASH
     * intrinsics are compiled by C2 only: without C2 ({@code -XX:TieredStopAtLevel} below 4, as
     * {@code bin/sink} starts a client to keep it small, or {@code -Xint}) or with the intrinsics
     * turned off, AES-GCM runs as plain Java. Measured here (JDK 17, 1 KiB records): AES-GCM about
     * 50 MB/s without C2 against 2,000 with it; ChaCha20-Poly1305 180 MB/s without C2, 320 with it.
     */
    static boolean aesGcmCompiled(List<String> jvmArguments) {
        boolean c2 = true;
        boolean intrinsics = true;
        for (String argument : jvmArguments) {
            if (argument.startsWith("-XX:TieredStopAtLevel=")) {
                c2 = !argument.substring("-XX:TieredStopAtLevel=".length()).matches("[0-3]");
            } else if (argument.equals("-Xint")) {
                c2 = false;
            } else if (argument.equals("-XX:-UseAES") || argument.equals("-XX:-UseAESIntrinsics")
                    || argument.equals("-XX:-UseGHASHIntrinsics")) {
                intrinsics = false;
            }
        }
        return c2 && intrinsics;
    }
}
