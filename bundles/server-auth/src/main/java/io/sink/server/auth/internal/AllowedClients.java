package io.sink.server.auth.internal;

import java.util.SortedSet;

/**
 * The allow-list as the registry sees it, registered by {@link AuthenticatorComponent} beside
 * {@code ClientAuthenticator}. Private to this bundle.
 */
public interface AllowedClients {

    /** The client ids on the allow-list now, sorted. */
    SortedSet<String> allowedClients();

    /** The SHA-256 fingerprint ({@code AB:CD:...}) of the certificate admitting the client, or null. */
    String fingerprint(String clientId);
}
