/**
 * Services of the client ("ground") side: the outbox producers append to and the poller drains, the
 * durable event log behind it, the handler the transport calls, publishing, and the connection status.
 */
@Export
@Version("2.1.0")
package io.sink.api.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
