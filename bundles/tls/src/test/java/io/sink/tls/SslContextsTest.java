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

        assertThat(context).isInstanceOf(JdkSslContext.class);
        assertThat(context.isServer()).isTrue();
        assertThat(engine.getNeedClientAuth()).isTrue();
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
}
