package io.sink.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SslContextsTest {

    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        DevCertificates.ensure(dir, List.of("example-client"));
    }

    @Test
    void serverRequiresClientCertificatesOverTls13And12Only() throws Exception {
        SslContext context = SslContexts.forServer(DevCertificates.serverConfig(dir));
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT);

        assertThat(context.isServer()).isTrue();
        assertThat(engine.getNeedClientAuth()).isTrue();
        // the client's order of preference decides (clientCipherSuites)
        assertThat(engine.getSSLParameters().getUseCipherSuitesOrder()).isFalse();
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(engine.getEnabledCipherSuites()).isNotEmpty().allMatch(SslContexts.CIPHER_SUITES::contains);
    }

    @Test
    void clientVerifiesTheHostOverTls13And12Only() throws Exception {
        SslContext context = SslContexts.forClient(DevCertificates.clientConfig(dir, "example-client"));
        SSLEngine engine = context.newEngine(ByteBufAllocator.DEFAULT, "localhost", 4000);

        assertThat(context).isInstanceOf(JdkSslContext.class);
        assertThat(context.isClient()).isTrue();
        assertThat(engine.getSSLParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
        assertThat(engine.getPeerHost()).isEqualTo("localhost");
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(engine.getEnabledCipherSuites()).isNotEmpty().allMatch(SslContexts.CIPHER_SUITES::contains);
    }

    @Test
    void allConfiguredCipherSuitesExistInThisJdk() throws Exception {
        SSLEngine engine = SslContexts.forClient(DevCertificates.clientConfig(dir, "example-client"))
                .newEngine(ByteBufAllocator.DEFAULT, "localhost", 4000);

        assertThat(engine.getEnabledCipherSuites()).containsExactlyInAnyOrderElementsOf(SslContexts.CIPHER_SUITES);
    }

    @Test
    void aClientWithoutC2PrefersChaCha20() {
        assertThat(SslContexts.clientCipherSuites(true)).isEqualTo(SslContexts.CIPHER_SUITES);
        List<String> chachaFirst = SslContexts.clientCipherSuites(false);
        assertThat(chachaFirst).containsExactlyInAnyOrderElementsOf(SslContexts.CIPHER_SUITES)
                .startsWith("TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
                        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256");
    }

    @Test
    void aesGcmIsCompiledUnlessC2OrTheIntrinsicsAreOff() {
        assertThat(SslContexts.aesGcmCompiled(List.of())).isTrue();
        assertThat(SslContexts.aesGcmCompiled(List.of("-Xmx64m", "-XX:TieredStopAtLevel=4"))).isTrue();
        // bin/sink's client
        assertThat(SslContexts.aesGcmCompiled(List.of("-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-XX:ReservedCodeCacheSize=16m"))).isFalse();
        assertThat(SslContexts.aesGcmCompiled(List.of("-XX:TieredStopAtLevel=1", "-XX:TieredStopAtLevel=4"))).isTrue();
        assertThat(SslContexts.aesGcmCompiled(List.of("-Xint"))).isFalse();
        assertThat(SslContexts.aesGcmCompiled(List.of("-XX:-UseAESIntrinsics"))).isFalse();
        assertThat(SslContexts.aesGcmCompiled(List.of("-XX:-UseGHASHIntrinsics", "-XX:TieredStopAtLevel=4")))
                .isFalse();
    }
}
