/**
 * Services of the client ("ground") side: the durable event log, the handler the transport calls,
 * publishing, and the connection status.
 */
@Export
@Version("1.2.0")
package io.sink.api.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
