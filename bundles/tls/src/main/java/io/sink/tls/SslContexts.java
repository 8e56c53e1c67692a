package io.sink.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.List;
import javax.net.ssl.SSLException;

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
     * The cipher suites offered or accepted, preferred first (those the running JDK lacks are
     * dropped). TLS 1.2 suites are ECDHE with AES-GCM or ChaCha20-Poly1305 only, which the Elixir
     * (Erlang/OTP) side supports too.
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
        return SslContextBuilder.forServer(credentials.privateKey(), credentials.certificateChain())
                .keyStoreType(KEY_STORE_TYPE)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .clientAuth(ClientAuth.REQUIRE)
                .trustManager(credentials.trustedCertificates())
                .build();
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
        return SslContextBuilder.forClient()
                .keyStoreType(KEY_STORE_TYPE)
                .sslProvider(SslProvider.JDK)
                .protocols(PROTOCOLS)
                .ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                .keyManager(credentials.privateKey(), credentials.certificateChain())
                .trustManager(credentials.trustedCertificates())
                .endpointIdentificationAlgorithm(ENDPOINT_IDENTIFICATION)
                .build();
    }
}
