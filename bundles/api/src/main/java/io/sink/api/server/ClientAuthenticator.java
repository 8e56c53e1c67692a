package io.sink.api.server;

import java.security.cert.X509Certificate;
import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/** Maps a client's TLS certificate to a client id. */
@ConsumerType
public interface ClientAuthenticator {

    /** The client id of the leaf certificate, or empty when the certificate is not known. */
    Optional<String> authenticate(X509Certificate certificate);

    /**
     * Whether a client id authenticated earlier is still admitted; a server closes connections of
     * clients that no longer are.
     */
    default boolean isAdmitted(String clientId) {
        return true;
    }
}
