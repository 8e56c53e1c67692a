/**
 * Mutual TLS for Sink: reading PEM certificates and keys, building Netty {@code SslContext}s for
 * servers (client certificate required) and clients (server host name verified), certificate
 * helpers, and a development certificate authority.
 *
 * <p>Nothing here registers a JCA provider: keys and certificates are converted with the JDK's
 * own providers, Bouncy Castle is used only for its PEM and ASN.1 classes and its certificate
 * builder, so the bundle behaves the same inside and outside an OSGi framework.
 */
@Export
@Version("1.1.0")
package io.sink.tls;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
