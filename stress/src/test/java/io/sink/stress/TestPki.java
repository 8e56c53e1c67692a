package io.sink.stress;

import io.netty.handler.ssl.SslContext;
import io.sink.tls.DevCertificateAuthority;
import io.sink.tls.IssuedCertificate;
import io.sink.tls.PemFiles;
import io.sink.tls.SslContexts;
import java.io.IOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import javax.net.ssl.SSLException;

/** Certificates made in memory for one test: a CA, a server certificate for 127.0.0.1, client certificates. */
final class TestPki {
    final DevCertificateAuthority ca = DevCertificateAuthority.generate("Sink Stress CA");
    final IssuedCertificate server = ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));

    SslContext serverContext() throws SSLException {
        return SslContexts.forServer(server.credentials(List.of(ca.certificate())));
    }

    IssuedCertificate client(String commonName) {
        return ca.issueClient(commonName);
    }

    /** A client certificate for a shared key pair: cheap when thousands are needed. */
    IssuedCertificate client(String commonName, KeyPair keyPair) {
        return ca.issueClient(commonName, keyPair);
    }

    SslContext clientContext(IssuedCertificate client) throws SSLException {
        return SslContexts.forClient(client.credentials(List.of(ca.certificate())));
    }

    /** Writes ca.pem, server.pem and server-key.pem, as {@link StressServer} reads them. */
    void writeServerFiles(Path dir) throws IOException {
        PemFiles.writeCertificates(dir.resolve("ca.pem"), List.of(ca.certificate()));
        server.writeTo(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
    }
}
